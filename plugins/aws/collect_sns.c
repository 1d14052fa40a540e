/*
 * collect_sns.c - SNS topics of one region (query protocol, XML, version
 * 2010-03-31): ListTopics (NextToken in and out), then per topic
 * GetTopicAttributes for its access policy (JSON text, decoded), its KMS
 * master key and its subscription counts. Shape: aws.sns.topic in
 * docs/resources/aws.md. Message contents are never read.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_buf.h"
#include "collectors.h"
#include "pagination.h"

#define SNS_VERSION "2010-03-31"
#define SNS_WHAT "aws.sns.topic"
/* caps: topics per region and task; an access policy's text (SNS allows 30 KiB) */
#define SNS_MAX_TOPICS 100000
#define SNS_MAX_POLICY (256u * 1024u)

/* The value of the attribute @key in an <Attributes><entry><key/><value/> map, or NULL. */
static const char *attribute(const xml_node *attrs, const char *key)
{
    for (const xml_node *e = xml_child(attrs, "entry"); e; e = xml_next(e)) {
        const char *k = xml_text_at(e, "key");
        if (k && strcmp(k, key) == 0)
            return xml_text_at(e, "value");
    }
    return NULL;
}

/* "123" -> number member; anything else is left out. */
static void add_count(cJSON *d, const char *key, const char *text)
{
    if (!text || !*text || strlen(text) > 18 || strspn(text, "0123456789") != strlen(text))
        return;
    cJSON_AddNumberToObject(d, key, strtod(text, NULL));
}

static int topics_page(aws_ctx *c, aws_task *t, const xml_node *root, void *ud)
{
    (void)c, (void)t;
    cJSON *arns = ud;
    for (const xml_node *m = xml_child(xml_find(root, "Topics"), "member"); m; m = xml_next(m)) {
        const char *arn = xml_text_at(m, "TopicArn");
        if (!arn || strncmp(arn, "arn:", 4) != 0 || strlen(arn) > 300)
            continue;
        if (cJSON_GetArraySize(arns) >= SNS_MAX_TOPICS) {
            aws_log(c, PP_LOG_WARN, "%s: more than %d SNS topics; the rest are skipped", t->id, SNS_MAX_TOPICS);
            return AWS_OK;
        }
        cJSON_AddItemToArray(arns, cJSON_CreateString(arn));
    }
    return AWS_OK;
}

/* One topic. Returns AWS_OK, or AWS_E_CANCELLED. */
static int one_topic(aws_ctx *c, aws_task *t, const char *arn)
{
    abuf params;
    abuf_init(&params);
    aws_form_param(&params, "TopicArn", arn);
    xml_node *root = NULL;
    char err[AWS_ERR_LEN] = "";
    int rc = params.failed ? AWS_E_FAIL
                           : aws_query_call(c, "sns", t->region, "GetTopicAttributes", SNS_VERSION, abuf_cstr(&params),
                                            "sns:GetTopicAttributes", &root, err, sizeof err);
    abuf_free(&params);
    if (rc != AWS_OK) {
        xml_free(root);
        if (rc == AWS_E_NOTFOUND) /* deleted between the list and now */
            return AWS_OK;
        return collector_outcome(c, t, rc, "sns:GetTopicAttributes", SNS_WHAT, arn, err, err) ? AWS_E_CANCELLED
                                                                                              : AWS_OK;
    }
    const xml_node *attrs = xml_find(root, "Attributes");
    const char *name = strrchr(arn, ':') + 1; /* arn starts with "arn:" */
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "topicArn", arn);
    cJSON_AddStringToObject(d, "topicName", name);
    const char *v = attribute(attrs, "DisplayName");
    cJSON_AddStringToObject(d, "displayName", v ? v : "");
    if ((v = attribute(attrs, "Owner")) != NULL)
        cJSON_AddStringToObject(d, "owner", v);
    const char *pol = attribute(attrs, "Policy");
    cJSON *doc = pol && *pol && strlen(pol) <= SNS_MAX_POLICY ? j_policy(pol, 0) : NULL;
    if (doc && !cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        doc = NULL;
    }
    if (pol && *pol && !doc)
        aws_log(c, PP_LOG_WARN, "%s: the access policy of %s is not a JSON object; left null", t->id, arn);
    cJSON_AddItemToObject(d, "policy", doc ? doc : cJSON_CreateNull());
    v = attribute(attrs, "KmsMasterKeyId");
    if (v && *v)
        cJSON_AddStringToObject(d, "kmsMasterKeyId", v);
    else
        cJSON_AddNullToObject(d, "kmsMasterKeyId");
    v = attribute(attrs, "FifoTopic");
    cJSON_AddBoolToObject(d, "fifoTopic", v && strcmp(v, "true") == 0);
    add_count(d, "subscriptionsConfirmed", attribute(attrs, "SubscriptionsConfirmed"));
    add_count(d, "subscriptionsPending", attribute(attrs, "SubscriptionsPending"));
    if ((v = attribute(attrs, "SignatureVersion")) != NULL)
        cJSON_AddStringToObject(d, "signatureVersion", v);
    xml_free(root);
    return aws_emit_resource(c, t, "aws.sns.topic", arn, name, t->region, d, NULL) == PP_ERR_CANCELLED ? AWS_E_CANCELLED
                                                                                                       : AWS_OK;
}

int collect_sns(aws_ctx *c, aws_task *t)
{
    char err[AWS_ERR_LEN] = "", scope[200];
    snprintf(scope, sizeof scope, "arn:aws:sns:%s:%s:", t->region, t->account);
    cJSON *arns = cJSON_CreateArray();
    aws_pager p = {"sns", t->region, "ListTopics", SNS_VERSION, NULL, "sns:ListTopics", "NextToken", "NextToken", NULL};
    int rc = aws_query_paginate(c, t, &p, topics_page, arns, err, sizeof err);
    int stop = collector_outcome(c, t, rc, "sns:ListTopics", SNS_WHAT, scope, err, err);
    const cJSON *a;
    cJSON_ArrayForEach(a, arns)
    {
        if (stop || one_topic(c, t, a->valuestring) == AWS_E_CANCELLED) {
            stop = 1;
            break;
        }
    }
    cJSON_Delete(arns);
    if (stop || aws_cancelled(c))
        return PP_ERR_CANCELLED;
    return t->errors ? PP_ERR : PP_OK;
}
