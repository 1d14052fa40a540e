/*
 * cred_web_identity.c - AssumeRoleWithWebIdentity with an OIDC token read
 * from a file (EKS service accounts: AWS_WEB_IDENTITY_TOKEN_FILE,
 * AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME). The call is not signed: the token
 * is the proof.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_buf.h"
#include "aws_client.h"
#include "aws_creds.h"

#define TOKEN_MAX (64 * 1024)

int aws_creds_web_identity(aws_ctx *c, const char *role_arn, const char *session_name, const char *token_file,
                           aws_creds *out, char *err, size_t errlen)
{
    char *token = NULL;
    size_t tlen = 0;
    if (aws_read_file(token_file, TOKEN_MAX, "web identity token file", &token, &tlen, err, errlen) != 0)
        return -1;
    while (tlen && (token[tlen - 1] == '\n' || token[tlen - 1] == '\r'))
        token[--tlen] = '\0';
    if (!tlen) {
        snprintf(err, errlen, "web identity token file %s is empty", token_file);
        aws_wipe_free(token);
        return -1;
    }
    abuf body;
    abuf_init(&body);
    abuf_str(&body, "Action=AssumeRoleWithWebIdentity&Version=2011-06-15");
    aws_form_param(&body, "RoleArn", role_arn);
    aws_form_param(&body, "RoleSessionName", session_name && *session_name ? session_name : "parapet");
    aws_form_param(&body, "WebIdentityToken", token);
    aws_wipe_free(token);
    const char *region = getenv("AWS_REGION");
    aws_call call = {0};
    call.service = "sts";
    call.region = region && *region ? region : "us-east-1";
    call.method = "POST";
    call.body = abuf_cstr(&body);
    call.body_len = body.len;
    call.content_type = "application/x-www-form-urlencoded; charset=utf-8";
    call.permission = "sts:AssumeRoleWithWebIdentity";
    call.unsigned_request = 1;
    aws_reply r;
    int rc = aws_call_do(c, &call, &r, err, errlen);
    abuf_wipe(&body);
    if (rc == AWS_OK) {
        rc = aws_creds_parse_sts_xml(r.body, r.len, out, "web identity", err, errlen) == AWS_CRED_FOUND ? 0 : -1;
        explicit_bzero(r.body, r.len);
    } else {
        if (rc == AWS_E_DENIED || rc == AWS_E_NOTFOUND)
            snprintf(err, errlen, "sts:AssumeRoleWithWebIdentity on %.200s refused (%s)", role_arn, r.code);
        rc = -1;
    }
    aws_reply_free(&r);
    return rc;
}

int aws_creds_from_web_identity_env(aws_ctx *c, aws_creds *out, char *err, size_t errlen)
{
    const char *file = getenv("AWS_WEB_IDENTITY_TOKEN_FILE");
    const char *role = getenv("AWS_ROLE_ARN");
    if (!file || !*file)
        return AWS_CRED_ABSENT;
    if (!role || !*role) {
        snprintf(err, errlen, "web identity: AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
        return AWS_CRED_FAILED;
    }
    return aws_creds_web_identity(c, role, getenv("AWS_ROLE_SESSION_NAME"), file, out, err, errlen) == 0
               ? AWS_CRED_FOUND
               : AWS_CRED_FAILED;
}
