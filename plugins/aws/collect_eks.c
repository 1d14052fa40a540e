/*
 * collect_eks.c - EKS clusters of one region (REST-JSON): ListClusters
 * (nextToken), DescribeCluster per cluster. EKS already speaks
 * lowerCamelCase; the collector keeps the documented members. Shape:
 * aws.eks.cluster in docs/resources/aws.md.
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
#include "sigv4.h"

#define EKS_WHAT "aws.eks.cluster"

/* Describe and emit one cluster; nonzero to stop. */
static int one_cluster(aws_ctx *c, aws_task *t, const char *name)
{
    abuf path;
    abuf_init(&path);
    abuf_str(&path, "/clusters/");
    sigv4_uri_encode(&path, name, strlen(name), 0);
    char scope[300];
    snprintf(scope, sizeof scope, "arn:aws:eks:%s:%s:cluster/%s", t->region, t->account, name);
    cJSON *reply = NULL;
    int rc = collector_rest_json(c, t, "eks", abuf_cstr(&path), NULL, "eks:DescribeCluster", EKS_WHAT, scope, &reply);
    abuf_free(&path);
    if (collector_stop(rc))
        return 1;
    const cJSON *cl = cJSON_GetObjectItemCaseSensitive(reply, "cluster");
    const char *arn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cl, "arn"));
    if (rc == AWS_OK && !arn) {
        t->errors++;
        aws_set_error("%s: eks:DescribeCluster of %s returned no cluster.arn", t->id, name);
    }
    int out = 0;
    if (arn) {
        cJSON *d = cJSON_CreateObject();
        static const char *const keep[] = {"name",        "arn",
                                           "version",     "platformVersion",
                                           "status",      "roleArn",
                                           "endpoint",    "resourcesVpcConfig",
                                           "logging",     "kubernetesNetworkConfig",
                                           "accessConfig"};
        for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
            aj_copy(d, keep[i], cl, keep[i]);
        const cJSON *enc = cJSON_GetObjectItemCaseSensitive(cl, "encryptionConfig");
        cJSON_AddItemToObject(d, "encryptionConfig",
                              cJSON_IsArray(enc) ? cJSON_Duplicate(enc, 1) : cJSON_CreateArray());
        aj_time(d, "createdAt", cl, "createdAt", 0);
        const cJSON *tg = cJSON_GetObjectItemCaseSensitive(cl, "tags");
        cJSON *tags = cJSON_IsObject(tg) ? cJSON_Duplicate(tg, 1) : NULL;
        out = aws_emit_resource(c, t, "aws.eks.cluster", arn, name, t->region, d, tags) == PP_ERR_CANCELLED;
    }
    cJSON_Delete(reply);
    return out;
}

int collect_eks(aws_ctx *c, aws_task *t)
{
    char *token = NULL;
    int stop = 0;
    for (int page = 0; page < AWS_MAX_PAGES && !stop; page++) {
        abuf q;
        abuf_init(&q);
        abuf_str(&q, "&maxResults=100");
        if (token)
            aws_form_param(&q, "nextToken", token);
        cJSON *reply = NULL;
        int rc = collector_rest_json(c, t, "eks", "/clusters", abuf_cstr(&q) + 1, "eks:ListClusters", EKS_WHAT, NULL,
                                     &reply);
        abuf_free(&q);
        if (collector_stop(rc)) {
            stop = 1;
            break;
        }
        const cJSON *n;
        cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(reply, "clusters"))
        {
            if (!cJSON_IsString(n) || !*n->valuestring || strlen(n->valuestring) > 100)
                continue;
            if (one_cluster(c, t, n->valuestring)) {
                stop = 1;
                break;
            }
        }
        const char *next = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reply, "nextToken"));
        if (!stop && next && *next && token && strcmp(token, next) == 0) {
            t->errors++;
            aws_set_error("%s: eks:ListClusters: the server repeated its pagination token", t->id);
            next = NULL;
        }
        free(token);
        token = !stop && next && *next ? strdup(next) : NULL;
        cJSON_Delete(reply);
        if (!token)
            break;
    }
    free(token);
    if (stop)
        return PP_ERR_CANCELLED;
    return t->errors ? PP_ERR : PP_OK;
}
