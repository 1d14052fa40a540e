/*
 * collect_common.c - the JSON calls shared by the collectors of JSON
 * services (CloudTrail, KMS, Config, Logs: JSON 1.1; Lambda, EKS,
 * GuardDuty: REST-JSON). See collectors.h.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_client.h"
#include "aws_json.h"
#include "collectors.h"

int collector_json(aws_ctx *c, aws_task *t, const char *service, const char *target_prefix, const char *operation,
                   const char *body, const char *permission, const char *what, const char *uid, cJSON **out)
{
    *out = NULL;
    char err[AWS_ERR_LEN] = "";
    char *reply = NULL;
    int rc = aws_json_call(c, service, t->region, target_prefix, operation, body, permission, &reply, err, sizeof err);
    if (rc == AWS_OK) {
        *out = aj_parse(reply, permission, err, sizeof err);
        if (!*out)
            rc = AWS_E_FAIL;
    }
    free(reply);
    if (rc != AWS_OK && rc != AWS_E_NOTFOUND && collector_outcome(c, t, rc, permission, what, uid, err, err))
        return AWS_E_CANCELLED;
    return rc;
}

int collector_rest_json(aws_ctx *c, aws_task *t, const char *service, const char *path, const char *query,
                        const char *permission, const char *what, const char *uid, cJSON **out)
{
    *out = NULL;
    char err[AWS_ERR_LEN] = "";
    char *reply = NULL;
    int rc = aws_rest_json_call(c, service, t->region, path, query, permission, &reply, err, sizeof err);
    if (rc == AWS_OK) {
        *out = aj_parse(reply, permission, err, sizeof err);
        if (!*out)
            rc = AWS_E_FAIL;
    }
    free(reply);
    if (rc != AWS_OK && rc != AWS_E_NOTFOUND && collector_outcome(c, t, rc, permission, what, uid, err, err))
        return AWS_E_CANCELLED;
    return rc;
}

int collector_stop(int rc)
{
    return rc == AWS_E_CANCELLED;
}
