/*
 * collect_secrets.c - Secrets Manager secrets of one region (JSON 1.1,
 * X-Amz-Target secretsmanager.<Operation>): ListSecrets (NextToken) gives
 * each secret's metadata (rotation, last rotation, KMS key, tags); then
 * GetResourcePolicy per secret for its resource policy. Shape:
 * aws.secretsmanager.secret in docs/resources/aws.md.
 *
 * Never calls GetSecretValue or BatchGetSecretValue: the values of secrets
 * are not inventory, and the scanning identity needs no permission to read
 * them.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_json.h"
#include "collectors.h"
#include "pagination.h"

#define SM_PREFIX "secretsmanager"
#define SM_WHAT "aws.secretsmanager.secret"
#define SM_MAX_SECRETS 100000

/* Keep each secret's summary (a copy) for the per-secret calls. */
static int secrets_page(aws_ctx *c, aws_task *t, const cJSON *page, void *ud)
{
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(page, "SecretList"))
    {
        const char *arn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "ARN"));
        if (!arn || strncmp(arn, "arn:", 4) != 0 || strlen(arn) > 300)
            continue;
        if (cJSON_GetArraySize(ud) >= SM_MAX_SECRETS) {
            aws_log(c, PP_LOG_WARN, "%s: more than %d secrets; the rest are skipped", t->id, SM_MAX_SECRETS);
            return AWS_OK;
        }
        cJSON_AddItemToArray(ud, cJSON_Duplicate(s, 1));
    }
    return AWS_OK;
}

/* [{Key,Value}] -> {"key":"value"}; NULL when there are none. */
static cJSON *tags_of(const cJSON *s)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(s, "Tags"), *tg;
    if (cJSON_GetArraySize(list) <= 0)
        return NULL;
    cJSON *tags = cJSON_CreateObject();
    cJSON_ArrayForEach(tg, list)
    {
        const char *k = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tg, "Key"));
        const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tg, "Value"));
        if (k && !cJSON_GetObjectItemCaseSensitive(tags, k))
            cJSON_AddStringToObject(tags, k, v ? v : "");
    }
    return tags;
}

/* One secret from its ListSecrets entry @s. Returns AWS_OK, or AWS_E_CANCELLED. */
static int one_secret(aws_ctx *c, aws_task *t, const cJSON *s)
{
    const char *arn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "ARN"));
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "Name"));
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "arn", arn);
    aj_copy(d, "name", s, "Name");
    aj_copy(d, "description", s, "Description");
    aj_copy_or_null(d, "kmsKeyId", s, "KmsKeyId");
    aj_bool(d, "rotationEnabled", s, "RotationEnabled", 0);
    aj_copy_or_null(d, "rotationLambdaArn", s, "RotationLambdaARN");
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(s, "RotationRules");
    if (cJSON_IsObject(rules)) {
        cJSON *r = cJSON_AddObjectToObject(d, "rotationRules");
        aj_copy(r, "automaticallyAfterDays", rules, "AutomaticallyAfterDays");
        aj_copy(r, "scheduleExpression", rules, "ScheduleExpression");
        aj_copy(r, "duration", rules, "Duration");
    } else {
        cJSON_AddNullToObject(d, "rotationRules");
    }
    aj_time(d, "lastRotatedDate", s, "LastRotatedDate", 1);
    aj_time(d, "lastChangedDate", s, "LastChangedDate", 1);
    aj_time(d, "lastAccessedDate", s, "LastAccessedDate", 1);
    aj_time(d, "nextRotationDate", s, "NextRotationDate", 1);
    aj_time(d, "createdDate", s, "CreatedDate", 0);
    aj_time(d, "deletedDate", s, "DeletedDate", 1);
    aj_copy(d, "primaryRegion", s, "PrimaryRegion");
    aj_copy(d, "owningService", s, "OwningService");

    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "SecretId", arn);
    char *body = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    cJSON *pol = NULL;
    int rc = body ? collector_json(c, t, "secretsmanager", SM_PREFIX, "GetResourcePolicy", body,
                                   "secretsmanager:GetResourcePolicy", SM_WHAT, arn, &pol)
                  : AWS_E_FAIL;
    cJSON_free(body);
    if (rc == AWS_OK) {
        cJSON *doc = aj_policy_member(pol, "ResourcePolicy");
        cJSON_AddItemToObject(d, "policy", doc ? doc : cJSON_CreateNull());
    } else if (rc == AWS_E_NOTFOUND) {
        cJSON_AddNullToObject(d, "policy");
    } /* denied or failed: left absent (unknown), the error finding says why */
    cJSON_Delete(pol);
    if (rc == AWS_E_CANCELLED) {
        cJSON_Delete(d);
        return AWS_E_CANCELLED;
    }
    return aws_emit_resource(c, t, "aws.secretsmanager.secret", arn, name ? name : arn, t->region, d, tags_of(s)) ==
                   PP_ERR_CANCELLED
               ? AWS_E_CANCELLED
               : AWS_OK;
}

int collect_secretsmanager(aws_ctx *c, aws_task *t)
{
    char err[AWS_ERR_LEN] = "", scope[200];
    snprintf(scope, sizeof scope, "arn:aws:secretsmanager:%s:%s:", t->region, t->account);
    cJSON *secrets = cJSON_CreateArray();
    aws_pager p = {
        "secretsmanager", t->region,   "ListSecrets", SM_PREFIX, "{\"MaxResults\":100}", "secretsmanager:ListSecrets",
        "NextToken",      "NextToken", NULL};
    int rc = aws_json_paginate(c, t, &p, secrets_page, secrets, err, sizeof err);
    int stop = collector_outcome(c, t, rc, "secretsmanager:ListSecrets", SM_WHAT, scope, err, err);
    const cJSON *s;
    cJSON_ArrayForEach(s, secrets)
    {
        if (stop || one_secret(c, t, s) == AWS_E_CANCELLED) {
            stop = 1;
            break;
        }
    }
    cJSON_Delete(secrets);
    if (stop || aws_cancelled(c))
        return PP_ERR_CANCELLED;
    return t->errors ? PP_ERR : PP_OK;
}
