/*
 * collect_security.c - per-region security services and EFS (REST-JSON):
 *   aws.securityhub.region      Security Hub subscribed? (DescribeHub, GET /accounts)
 *   aws.accessanalyzer.region   IAM Access Analyzer analyzers (ListAnalyzers, GET /analyzer)
 *   aws.efs.file_system         EFS file systems (DescribeFileSystems, GET /2015-02-01/file-systems)
 * The two "region" types are one resource per region, so "not enabled" can
 * fail a rule. Shapes: docs/resources/aws.md.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_buf.h"
#include "aws_client.h"
#include "aws_json.h"
#include "collectors.h"
#include "pagination.h"

/* Security Hub answers DescribeHub of an account that never enabled it with
 * InvalidAccessException (or ResourceNotFoundException): that means "off". */
static int security_hub(aws_ctx *c, aws_task *t)
{
    char uid[200], err[AWS_ERR_LEN] = "";
    snprintf(uid, sizeof uid, "arn:aws:securityhub:%s:%s:hub/default", t->region, t->account);
    char *reply = NULL;
    int rc = aws_rest_json_call(c, "securityhub", t->region, "/accounts", NULL, "securityhub:DescribeHub", &reply, err,
                                sizeof err);
    cJSON *d = cJSON_CreateObject();
    int emit = 1;
    if (rc == AWS_OK) {
        cJSON *j = aj_parse(reply, "securityhub:DescribeHub", err, sizeof err);
        if (j) {
            cJSON_AddBoolToObject(d, "enabled", 1);
            aj_copy(d, "hubArn", j, "HubArn");
            aj_copy(d, "subscribedAt", j, "SubscribedAt");
            aj_bool(d, "autoEnableControls", j, "AutoEnableControls", -1);
            cJSON_Delete(j);
        } else {
            rc = AWS_E_FAIL;
        }
    } else if (rc == AWS_E_NOTFOUND || (rc == AWS_E_FAIL && strstr(err, "InvalidAccessException"))) {
        cJSON_AddBoolToObject(d, "enabled", 0);
        rc = AWS_OK;
    }
    free(reply);
    if (rc != AWS_OK) {
        emit = 0;
        if (collector_outcome(c, t, rc, "securityhub:DescribeHub", "aws.securityhub.region", uid, err, err)) {
            cJSON_Delete(d);
            return 1;
        }
    }
    if (!emit) {
        cJSON_Delete(d);
        return 0;
    }
    return aws_emit_resource(c, t, "aws.securityhub.region", uid, t->region, t->region, d, NULL) == PP_ERR_CANCELLED;
}

/* GET @service's @path page by page (token sent as @token_in, read from @token_out); @each gets every
 * page. Returns an aws_client.h code (failures already reported). */
typedef void (*page_fn)(const cJSON *page, cJSON *acc);
static int rest_pages(aws_ctx *c, aws_task *t, const char *service, const char *path, const char *token_in,
                      const char *token_out, const char *permission, const char *what, const char *uid, page_fn each,
                      cJSON *acc)
{
    char *token = NULL;
    int rc = AWS_OK;
    for (int page = 0; page < AWS_MAX_PAGES; page++) {
        abuf q;
        abuf_init(&q);
        if (token)
            aws_form_param(&q, token_in, token);
        cJSON *reply = NULL;
        rc = collector_rest_json(c, t, service, path, q.len ? abuf_cstr(&q) + 1 : NULL, permission, what, uid, &reply);
        abuf_free(&q);
        if (rc == AWS_OK)
            each(reply, acc);
        const char *next = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reply, token_out));
        int again = rc == AWS_OK && next && *next && !(token && strcmp(token, next) == 0);
        free(token);
        token = again ? strdup(next) : NULL;
        cJSON_Delete(reply);
        if (!token)
            break;
    }
    free(token);
    return rc;
}

static void analyzers_page(const cJSON *page, cJSON *acc)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(page, "analyzers"))
    {
        cJSON *o = cJSON_CreateObject();
        aj_copy(o, "name", a, "name");
        aj_copy(o, "arn", a, "arn");
        aj_copy(o, "type", a, "type");
        aj_copy(o, "status", a, "status");
        aj_copy(o, "createdAt", a, "createdAt");
        cJSON_AddItemToArray(acc, o);
    }
}

static void filesystems_page(const cJSON *page, cJSON *acc)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(page, "FileSystems"))
        cJSON_AddItemToArray(acc, cJSON_Duplicate(f, 1));
}

int collect_security(aws_ctx *c, aws_task *t)
{
    if (security_hub(c, t))
        return PP_ERR_CANCELLED;

    char uid[200];
    snprintf(uid, sizeof uid, "arn:aws:access-analyzer:%s:%s:analyzers", t->region, t->account);
    cJSON *list = cJSON_CreateArray();
    int rc = rest_pages(c, t, "access-analyzer", "/analyzer", "nextToken", "nextToken", "access-analyzer:ListAnalyzers",
                        "aws.accessanalyzer.region", uid, analyzers_page, list);
    if (collector_stop(rc)) {
        cJSON_Delete(list);
        return PP_ERR_CANCELLED;
    }
    if (rc == AWS_OK) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddItemToObject(d, "analyzers", list);
        if (aws_emit_resource(c, t, "aws.accessanalyzer.region", uid, t->region, t->region, d, NULL) ==
            PP_ERR_CANCELLED)
            return PP_ERR_CANCELLED;
    } else {
        cJSON_Delete(list);
    }

    cJSON *fss = cJSON_CreateArray();
    rc = rest_pages(c, t, "elasticfilesystem", "/2015-02-01/file-systems", "Marker", "NextMarker",
                    "elasticfilesystem:DescribeFileSystems", "aws.efs.file_system", NULL, filesystems_page, fss);
    if (collector_stop(rc)) {
        cJSON_Delete(fss);
        return PP_ERR_CANCELLED;
    }
    const cJSON *f;
    cJSON_ArrayForEach(f, fss)
    {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "FileSystemId"));
        const char *arn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "FileSystemArn"));
        if (!id || !*id)
            continue;
        char fuid[300];
        if (arn && *arn)
            snprintf(fuid, sizeof fuid, "%s", arn);
        else
            snprintf(fuid, sizeof fuid, "arn:aws:elasticfilesystem:%s:%s:file-system/%s", t->region, t->account, id);
        cJSON *d = cJSON_CreateObject();
        aj_copy(d, "fileSystemId", f, "FileSystemId");
        aj_copy(d, "fileSystemArn", f, "FileSystemArn");
        aj_copy(d, "name", f, "Name");
        aj_bool(d, "encrypted", f, "Encrypted", -1);
        aj_copy_or_null(d, "kmsKeyId", f, "KmsKeyId");
        aj_copy(d, "lifeCycleState", f, "LifeCycleState");
        aj_copy(d, "performanceMode", f, "PerformanceMode");
        aj_copy(d, "throughputMode", f, "ThroughputMode");
        aj_time(d, "creationTime", f, "CreationTime", 0);
        cJSON *tags = cJSON_CreateObject();
        const cJSON *tg;
        cJSON_ArrayForEach(tg, cJSON_GetObjectItemCaseSensitive(f, "Tags"))
        {
            const char *k = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tg, "Key"));
            const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tg, "Value"));
            if (k && !cJSON_GetObjectItemCaseSensitive(tags, k))
                cJSON_AddStringToObject(tags, k, v ? v : "");
        }
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "Name"));
        if (aws_emit_resource(c, t, "aws.efs.file_system", fuid, name && *name ? name : id, t->region, d, tags) ==
            PP_ERR_CANCELLED) {
            cJSON_Delete(fss);
            return PP_ERR_CANCELLED;
        }
    }
    cJSON_Delete(fss);
    return t->errors ? PP_ERR : PP_OK;
}
