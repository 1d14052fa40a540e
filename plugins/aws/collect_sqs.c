/*
 * collect_sqs.c - SQS queues of one region over the AWS JSON 1.0 protocol
 * that SQS speaks today (POST, Content-Type application/x-amz-json-1.0,
 * X-Amz-Target AmazonSQS.<Operation>): ListQueues (MaxResults, NextToken
 * in and out), then per queue GetQueueAttributes ["All"] for its access
 * policy (JSON text, decoded), encryption (SSE-KMS key or SQS-managed SSE),
 * redrive policy and timings. Shape: aws.sqs.queue in docs/resources/aws.md.
 * Messages are never received.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_client.h"
#include "aws_json.h"
#include "collectors.h"
#include "pagination.h"

#define SQS_WHAT "aws.sqs.queue"
#define SQS_MAX_QUEUES 100000
#define SQS_MAX_POLICY (256u * 1024u)

/*
 * One JSON 1.0 call: *@out is the reply object on AWS_OK (cJSON_Delete it).
 * A denial becomes an error finding, a failure (including a malformed
 * body) is counted; AWS_E_NOTFOUND is returned silently. Returns an
 * aws_client.h code; AWS_E_CANCELLED means stop.
 */
static int sqs_call(aws_ctx *c, aws_task *t, const char *operation, const char *body, const char *uid, cJSON **out)
{
    *out = NULL;
    char target[64], permission[64], err[AWS_ERR_LEN] = "";
    snprintf(target, sizeof target, "AmazonSQS.%s", operation);
    snprintf(permission, sizeof permission, "sqs:%s", operation);
    aws_call call = {0};
    call.service = "sqs";
    call.region = t->region;
    call.method = "POST";
    call.path = "/";
    call.body = body;
    call.body_len = strlen(body);
    call.content_type = "application/x-amz-json-1.0";
    call.target = target;
    call.permission = permission;
    aws_reply r;
    int rc = aws_call_do(c, &call, &r, err, sizeof err);
    /* SQS names a queue deleted since ListQueues "QueueDoesNotExist" (query protocol:
     * AWS.SimpleQueueService.NonExistentQueue), which aws_call_do does not know as "not found" */
    if (rc == AWS_E_FAIL &&
        (strstr(err, " QueueDoesNotExist") || strstr(err, " AWS.SimpleQueueService.NonExistentQueue")))
        rc = AWS_E_NOTFOUND;
    if (rc == AWS_E_DENIED || rc == AWS_E_NOTFOUND)
        snprintf(err, sizeof err, "%s", r.code);
    if (rc == AWS_OK) {
        *out = aj_parse(r.body, permission, err, sizeof err);
        if (!*out)
            rc = AWS_E_FAIL;
    }
    aws_reply_free(&r);
    if (rc != AWS_OK && rc != AWS_E_NOTFOUND && collector_outcome(c, t, rc, permission, SQS_WHAT, uid, err, err))
        return AWS_E_CANCELLED;
    return rc;
}

/* Every queue URL of the region into @urls. Returns AWS_OK or the failing call's code (already reported). */
static int list_queues(aws_ctx *c, aws_task *t, const char *scope, cJSON *urls)
{
    char *token = NULL;
    int rc = AWS_OK;
    for (int page = 0; page < AWS_MAX_PAGES; page++) {
        cJSON *req = cJSON_CreateObject();
        cJSON_AddNumberToObject(req, "MaxResults", 1000);
        if (token)
            cJSON_AddStringToObject(req, "NextToken", token);
        char *body = cJSON_PrintUnformatted(req);
        cJSON_Delete(req);
        cJSON *reply = NULL;
        rc = body ? sqs_call(c, t, "ListQueues", body, scope, &reply) : AWS_E_FAIL;
        cJSON_free(body);
        if (rc != AWS_OK) {
            cJSON_Delete(reply);
            free(token);
            token = NULL;
            break;
        }
        const char *next = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reply, "NextToken"));
        if (next && (!*next || strlen(next) > 4096))
            next = NULL;
        if (next && token && strcmp(next, token) == 0) {
            /* a server that repeats its token would keep us busy forever; its page repeats the last one */
            char err[AWS_ERR_LEN];
            snprintf(err, sizeof err, "sqs:ListQueues: the server repeated its pagination token");
            collector_outcome(c, t, AWS_E_FAIL, "sqs:ListQueues", SQS_WHAT, scope, err, err);
            cJSON_Delete(reply);
            free(token);
            token = NULL;
            rc = AWS_E_FAIL;
            break;
        }
        const cJSON *u;
        cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(reply, "QueueUrls"))
        {
            if (cJSON_IsString(u) && strncmp(u->valuestring, "http", 4) == 0 && strlen(u->valuestring) < 1024 &&
                cJSON_GetArraySize(urls) < SQS_MAX_QUEUES)
                cJSON_AddItemToArray(urls, cJSON_CreateString(u->valuestring));
        }
        free(token);
        token = next ? strdup(next) : NULL;
        cJSON_Delete(reply);
        if (!token || cJSON_GetArraySize(urls) >= SQS_MAX_QUEUES) {
            free(token);
            token = NULL;
            break;
        }
    }
    if (token) {
        char err[AWS_ERR_LEN];
        snprintf(err, sizeof err, "sqs:ListQueues: more than %d pages", AWS_MAX_PAGES);
        collector_outcome(c, t, AWS_E_FAIL, "sqs:ListQueues", SQS_WHAT, scope, err, err);
        rc = AWS_E_FAIL;
    }
    free(token);
    return rc;
}

/* "30" -> 30; anything but a plain non-negative integer is left out. */
static void add_int(cJSON *d, const char *key, const cJSON *attrs, const char *member)
{
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(attrs, member));
    if (v && *v && strlen(v) <= 15 && strspn(v, "0123456789") == strlen(v))
        cJSON_AddNumberToObject(d, key, strtod(v, NULL));
}

static void add_bool(cJSON *d, const char *key, const cJSON *attrs, const char *member)
{
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(attrs, member));
    cJSON_AddBoolToObject(d, key, v && strcmp(v, "true") == 0);
}

/* A policy given as JSON text -> object, or NULL (absent, too large, not an object). */
static cJSON *policy_of(const cJSON *attrs, const char *member)
{
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(attrs, member));
    if (!v || !*v || strlen(v) > SQS_MAX_POLICY)
        return NULL;
    cJSON *p = cJSON_Parse(v);
    if (p && !cJSON_IsObject(p)) {
        cJSON_Delete(p);
        p = NULL;
    }
    return p;
}

/* One queue. Returns AWS_OK, or AWS_E_CANCELLED. */
static int one_queue(aws_ctx *c, aws_task *t, const char *url)
{
    const char *slash = strrchr(url, '/');
    const char *name = slash && slash[1] ? slash + 1 : url;
    char fallback_arn[400];
    snprintf(fallback_arn, sizeof fallback_arn, "arn:aws:sqs:%s:%s:%.200s", t->region, t->account, name);
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "QueueUrl", url);
    cJSON *names = cJSON_AddArrayToObject(req, "AttributeNames");
    cJSON_AddItemToArray(names, cJSON_CreateString("All"));
    char *body = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    cJSON *reply = NULL;
    int rc = body ? sqs_call(c, t, "GetQueueAttributes", body, fallback_arn, &reply) : AWS_E_FAIL;
    cJSON_free(body);
    if (rc != AWS_OK) {
        cJSON_Delete(reply);
        return rc == AWS_E_CANCELLED ? AWS_E_CANCELLED : AWS_OK;
    }
    const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(reply, "Attributes");
    const char *arn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(attrs, "QueueArn"));
    if (!arn || strncmp(arn, "arn:", 4) != 0 || strlen(arn) > 300)
        arn = fallback_arn;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "queueUrl", url);
    cJSON_AddStringToObject(d, "queueName", name);
    cJSON_AddStringToObject(d, "queueArn", arn);
    cJSON *pol = policy_of(attrs, "Policy");
    cJSON_AddItemToObject(d, "policy", pol ? pol : cJSON_CreateNull());
    const char *kms = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(attrs, "KmsMasterKeyId"));
    if (kms && *kms)
        cJSON_AddStringToObject(d, "kmsMasterKeyId", kms);
    else
        cJSON_AddNullToObject(d, "kmsMasterKeyId");
    add_int(d, "kmsDataKeyReusePeriodSeconds", attrs, "KmsDataKeyReusePeriodSeconds");
    add_bool(d, "sqsManagedSseEnabled", attrs, "SqsManagedSseEnabled");
    add_bool(d, "fifoQueue", attrs, "FifoQueue");
    add_int(d, "visibilityTimeout", attrs, "VisibilityTimeout");
    add_int(d, "messageRetentionPeriod", attrs, "MessageRetentionPeriod");
    add_int(d, "delaySeconds", attrs, "DelaySeconds");
    cJSON *redrive = policy_of(attrs, "RedrivePolicy");
    cJSON_AddItemToObject(d, "redrivePolicy", redrive ? aj_camel(redrive) : cJSON_CreateNull());
    cJSON_Delete(redrive);
    const char *created = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(attrs, "CreatedTimestamp"));
    if (created && *created && strlen(created) <= 12 && strspn(created, "0123456789") == strlen(created)) {
        cJSON *num = cJSON_CreateObject();
        cJSON_AddNumberToObject(num, "t", strtod(created, NULL));
        aj_time(d, "createdTimestamp", num, "t", 0);
        cJSON_Delete(num);
    }
    char arn_copy[400];
    snprintf(arn_copy, sizeof arn_copy, "%s", arn);
    cJSON_Delete(reply);
    return aws_emit_resource(c, t, "aws.sqs.queue", arn_copy, name, t->region, d, NULL) == PP_ERR_CANCELLED
               ? AWS_E_CANCELLED
               : AWS_OK;
}

int collect_sqs(aws_ctx *c, aws_task *t)
{
    char scope[200];
    snprintf(scope, sizeof scope, "arn:aws:sqs:%s:%s:", t->region, t->account);
    cJSON *urls = cJSON_CreateArray();
    int rc = list_queues(c, t, scope, urls);
    int stop = rc == AWS_E_CANCELLED;
    const cJSON *u;
    cJSON_ArrayForEach(u, urls)
    {
        if (stop || one_queue(c, t, u->valuestring) == AWS_E_CANCELLED) {
            stop = 1;
            break;
        }
    }
    cJSON_Delete(urls);
    if (stop || aws_cancelled(c))
        return PP_ERR_CANCELLED;
    return t->errors ? PP_ERR : PP_OK;
}
