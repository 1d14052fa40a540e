/*
 * cred_imds.c - the EC2 instance profile's credentials from the instance
 * metadata service, IMDSv2 only: PUT /latest/api/token for a session token,
 * then GET the role name and the role's credentials with it. IMDSv1 (plain
 * GET without a token) is never used: a refused token is an error.
 *
 * AWS_EC2_METADATA_DISABLED=true turns the source off (the tests set it);
 * AWS_EC2_METADATA_SERVICE_ENDPOINT replaces http://169.254.169.254.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws_buf.h"
#include "aws_creds.h"
#include "cred_http.h"

#define IMDS_DEFAULT "http://169.254.169.254"
#define IMDS_TIMEOUT_MS 1000u
#define IMDS_TOKEN_TTL "21600"

static int role_name_ok(const char *s, size_t n)
{
    if (n == 0 || n > 128)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              strchr("+=,.@_-", ch)))
            return 0;
    }
    return 1;
}

int aws_creds_from_imds(aws_ctx *c, aws_creds *out, char *err, size_t errlen)
{
    const char *dis = getenv("AWS_EC2_METADATA_DISABLED");
    if (dis && strcasecmp(dis, "true") == 0)
        return AWS_CRED_ABSENT;
    const char *base = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (!base || !*base)
        base = IMDS_DEFAULT;
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/')
        bl--;
    if (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0) {
        snprintf(err, errlen, "IMDS: AWS_EC2_METADATA_SERVICE_ENDPOINT is not an http(s) URL");
        return AWS_CRED_FAILED;
    }
    char url[1200];
    char *token = NULL, *role = NULL, *doc = NULL;
    int rc = AWS_CRED_FAILED;

    snprintf(url, sizeof url, "%.*s/latest/api/token", (int)bl, base);
    pp_http_header th[1] = {{"X-aws-ec2-metadata-token-ttl-seconds", IMDS_TOKEN_TTL}};
    long st = cred_http(c, "PUT", url, th, 1, IMDS_TIMEOUT_MS, &token, err, errlen);
    if (st < 0) {
        /* nothing answers: not on EC2 */
        rc = AWS_CRED_ABSENT;
        goto done;
    }
    if (st != 200 || !token[0] || strlen(token) > 1024 || strpbrk(token, "\r\n")) {
        snprintf(err, errlen, "IMDS: the IMDSv2 token request was refused (HTTP %ld); IMDSv1 is not used", st);
        goto done;
    }
    pp_http_header ah[1] = {{"X-aws-ec2-metadata-token", token}};
    snprintf(url, sizeof url, "%.*s/latest/meta-data/iam/security-credentials/", (int)bl, base);
    st = cred_http(c, "GET", url, ah, 1, IMDS_TIMEOUT_MS, &role, err, errlen);
    if (st == 404) {
        snprintf(err, errlen, "IMDS: the instance has no instance profile");
        rc = AWS_CRED_ABSENT;
        goto done;
    }
    if (st != 200) {
        if (st > 0)
            snprintf(err, errlen, "IMDS: listing the instance role answered HTTP %ld", st);
        goto done;
    }
    size_t rl = strcspn(role, "\r\n");
    if (!role_name_ok(role, rl)) {
        snprintf(err, errlen, "IMDS: the instance role name is malformed");
        goto done;
    }
    snprintf(url, sizeof url, "%.*s/latest/meta-data/iam/security-credentials/%.*s", (int)bl, base, (int)rl, role);
    st = cred_http(c, "GET", url, ah, 1, IMDS_TIMEOUT_MS, &doc, err, errlen);
    if (st != 200) {
        if (st > 0)
            snprintf(err, errlen, "IMDS: the role's credentials answered HTTP %ld", st);
        goto done;
    }
    rc = aws_creds_parse_json(doc, "Token", out, "EC2 instance metadata", err, errlen);
done:
    aws_wipe_free(token);
    aws_wipe_free(role);
    aws_wipe_free(doc);
    return rc;
}
