/*
 * cred_env.c - credentials from the environment: AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and, for temporary credentials, AWS_SESSION_TOKEN.
 */
#include <stdio.h>
#include <stdlib.h>

#include "aws_creds.h"

int aws_creds_from_env(aws_creds *out, char *err, size_t errlen)
{
    const char *id = getenv("AWS_ACCESS_KEY_ID");
    const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
    const char *token = getenv("AWS_SESSION_TOKEN");
    int has_id = id && *id, has_secret = secret && *secret;
    if (!has_id && !has_secret)
        return AWS_CRED_ABSENT;
    if (has_id != has_secret) {
        snprintf(err, errlen, "environment: %s is set but %s is not",
                 has_id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                 has_id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
        return AWS_CRED_FAILED;
    }
    if (aws_creds_set(out, id, secret, token && *token ? token : NULL, 0, "environment") != 0) {
        snprintf(err, errlen, "out of memory");
        return AWS_CRED_FAILED;
    }
    return AWS_CRED_FOUND;
}
