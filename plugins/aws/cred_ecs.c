/*
 * cred_ecs.c - ECS (and EKS Pod Identity) container credentials.
 *
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is fetched from the ECS agent at
 * http://169.254.170.2; AWS_CONTAINER_CREDENTIALS_FULL_URI names the whole
 * URL, which must be https or plain http to a loopback address or to one
 * of the container agents' link-local addresses (so a crafted environment
 * cannot send the auth token across the network in clear).
 * AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (preferred) or
 * AWS_CONTAINER_AUTHORIZATION_TOKEN is sent as the Authorization header.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_buf.h"
#include "aws_creds.h"
#include "cred_http.h"

#define ECS_HOST "http://169.254.170.2"
#define ECS_TIMEOUT_MS 2000u

static int allowed_full_uri(const char *u)
{
    if (strncmp(u, "https://", 8) == 0)
        return 1;
    if (strncmp(u, "http://", 7) != 0)
        return 0;
    const char *h = u + 7;
    static const char *const hosts[] = {"127.", "localhost", "[::1]", "169.254.170.2", "169.254.170.23",
                                        "[fd00:ec2::23]"};
    for (size_t i = 0; i < sizeof hosts / sizeof *hosts; i++) {
        size_t n = strlen(hosts[i]);
        if (strncmp(h, hosts[i], n) == 0) {
            char after = h[n];
            if (hosts[i][n - 1] == '.' || after == '\0' || after == ':' || after == '/')
                return 1;
        }
    }
    return 0;
}

static int header_safe(const char *v)
{
    for (; *v; v++)
        if (*v == '\r' || *v == '\n')
            return 0;
    return 1;
}

int aws_creds_from_ecs(aws_ctx *c, aws_creds *out, char *err, size_t errlen)
{
    const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    abuf url;
    abuf_init(&url);
    if (rel && *rel) {
        if (rel[0] != '/') {
            snprintf(err, errlen, "ECS: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with '/'");
            return AWS_CRED_FAILED;
        }
        abuf_fmt(&url, "%s%s", ECS_HOST, rel);
    } else if (full && *full) {
        if (!allowed_full_uri(full)) {
            snprintf(err, errlen,
                     "ECS: AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback or container "
                     "agent address");
            return AWS_CRED_FAILED;
        }
        abuf_str(&url, full);
    } else {
        return AWS_CRED_ABSENT;
    }
    char *token = NULL;
    const char *tfile = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    const char *tenv = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    if (tfile && *tfile) {
        size_t tl = 0;
        if (aws_read_file(tfile, 16 * 1024, "ECS authorization token file", &token, &tl, err, errlen) != 0) {
            abuf_free(&url);
            return AWS_CRED_FAILED;
        }
        while (tl && (token[tl - 1] == '\n' || token[tl - 1] == '\r'))
            token[--tl] = '\0';
    } else if (tenv && *tenv) {
        token = strdup(tenv);
    }
    if (token && !header_safe(token)) {
        snprintf(err, errlen, "ECS: the authorization token contains a line break");
        aws_wipe_free(token);
        abuf_free(&url);
        return AWS_CRED_FAILED;
    }
    pp_http_header h[1] = {{"Authorization", token}};
    char *body = NULL;
    long st = cred_http(c, "GET", abuf_cstr(&url), h, token ? 1 : 0, ECS_TIMEOUT_MS, &body, err, errlen);
    aws_wipe_free(token);
    abuf_free(&url);
    int rc;
    if (st < 0) {
        rc = AWS_CRED_FAILED;
    } else if (st != 200) {
        snprintf(err, errlen, "ECS: the credential endpoint answered HTTP %ld", st);
        rc = AWS_CRED_FAILED;
    } else {
        rc = aws_creds_parse_json(body, "Token", out, "ECS container", err, errlen);
    }
    aws_wipe_free(body);
    return rc;
}
