/*
 * collect_config.c - two per-region settings, each one resource per
 * region so that "not configured" can fail a rule:
 *   aws.config.region     AWS Config recorders and whether they record
 *                         (JSON 1.1, StarlingDoveService)
 *   aws.guardduty.region  GuardDuty detectors and their status (REST-JSON)
 * Shapes: docs/resources/aws.md.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_buf.h"
#include "aws_client.h"
#include "aws_json.h"
#include "collectors.h"
#include "sigv4.h"

#define CONFIG_PREFIX "StarlingDoveService"

int collect_config(aws_ctx *c, aws_task *t)
{
    char uid[200];
    snprintf(uid, sizeof uid, "arn:aws:config:%s:%s:recorders", t->region, t->account);
    cJSON *recs = NULL, *stat = NULL;
    int rc = collector_json(c, t, "config", CONFIG_PREFIX, "DescribeConfigurationRecorders", "{}",
                            "config:DescribeConfigurationRecorders", "aws.config.region", uid, &recs);
    if (collector_stop(rc))
        return PP_ERR_CANCELLED;
    if (rc != AWS_OK)
        return t->errors ? PP_ERR : PP_OK;
    rc = collector_json(c, t, "config", CONFIG_PREFIX, "DescribeConfigurationRecorderStatus", "{}",
                        "config:DescribeConfigurationRecorderStatus", "aws.config.region", uid, &stat);
    if (collector_stop(rc)) {
        cJSON_Delete(recs);
        return PP_ERR_CANCELLED;
    }
    cJSON *d = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(d, "recorders");
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(recs, "ConfigurationRecorders"))
    {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "name"));
        cJSON *o = cJSON_CreateObject();
        aj_copy(o, "name", r, "name");
        aj_copy(o, "roleARN", r, "roleARN");
        const cJSON *rg = cJSON_GetObjectItemCaseSensitive(r, "recordingGroup");
        cJSON *g = cJSON_AddObjectToObject(o, "recordingGroup");
        aj_bool(g, "allSupported", rg, "allSupported", 0);
        aj_bool(g, "includeGlobalResourceTypes", rg, "includeGlobalResourceTypes", 0);
        const cJSON *s, *match = NULL;
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(stat, "ConfigurationRecordersStatus"))
        {
            const char *sn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "name"));
            if (name && sn && strcmp(name, sn) == 0)
                match = s;
        }
        if (match) {
            aj_bool(o, "recording", match, "recording", 0);
            aj_copy(o, "lastStatus", match, "lastStatus");
        } else if (stat) {
            cJSON_AddBoolToObject(o, "recording", 0);
        }
        cJSON_AddItemToArray(list, o);
    }
    cJSON_Delete(recs);
    cJSON_Delete(stat);
    if (aws_emit_resource(c, t, "aws.config.region", uid, t->region, t->region, d, NULL) == PP_ERR_CANCELLED)
        return PP_ERR_CANCELLED;
    return t->errors ? PP_ERR : PP_OK;
}

int collect_guardduty(aws_ctx *c, aws_task *t)
{
    char uid[200];
    snprintf(uid, sizeof uid, "arn:aws:guardduty:%s:%s:detectors", t->region, t->account);
    cJSON *ids = cJSON_CreateArray();
    char *token = NULL;
    int rc = AWS_OK;
    for (int page = 0; page < 100; page++) {
        abuf q;
        abuf_init(&q);
        abuf_str(&q, "&maxResults=50");
        if (token)
            aws_form_param(&q, "nextToken", token);
        cJSON *reply = NULL;
        rc = collector_rest_json(c, t, "guardduty", "/detector", abuf_cstr(&q) + 1, "guardduty:ListDetectors",
                                 "aws.guardduty.region", uid, &reply);
        abuf_free(&q);
        const cJSON *id;
        cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(reply, "detectorIds"))
        {
            if (cJSON_IsString(id) && *id->valuestring && strlen(id->valuestring) <= 300)
                cJSON_AddItemToArray(ids, cJSON_CreateString(id->valuestring));
        }
        const char *next = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reply, "nextToken"));
        int again = rc == AWS_OK && next && *next && !(token && strcmp(token, next) == 0);
        free(token);
        token = again ? strdup(next) : NULL;
        cJSON_Delete(reply);
        if (!token)
            break;
    }
    free(token);
    if (rc != AWS_OK) {
        cJSON_Delete(ids);
        return collector_stop(rc) ? PP_ERR_CANCELLED : (t->errors ? PP_ERR : PP_OK);
    }
    cJSON *d = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(d, "detectors");
    int incomplete = 0; /* a detector we could not read: the list would mislead, leave it unknown */
    const cJSON *id;
    cJSON_ArrayForEach(id, ids)
    {
        abuf path;
        abuf_init(&path);
        abuf_str(&path, "/detector/");
        sigv4_uri_encode(&path, id->valuestring, strlen(id->valuestring), 0);
        cJSON *det = NULL;
        rc = collector_rest_json(c, t, "guardduty", abuf_cstr(&path), NULL, "guardduty:GetDetector",
                                 "aws.guardduty.region", uid, &det);
        abuf_free(&path);
        if (collector_stop(rc)) {
            cJSON_Delete(ids);
            cJSON_Delete(d);
            return PP_ERR_CANCELLED;
        }
        if (rc != AWS_OK)
            incomplete = 1;
        if (rc == AWS_OK) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "detectorId", id->valuestring);
            aj_copy(o, "status", det, "status");
            aj_copy(o, "findingPublishingFrequency", det, "findingPublishingFrequency");
            aj_copy(o, "createdAt", det, "createdAt");
            cJSON_AddItemToArray(list, o);
        }
        cJSON_Delete(det);
    }
    cJSON_Delete(ids);
    if (incomplete) {
        cJSON_Delete(d);
        return t->errors ? PP_ERR : PP_OK;
    }
    if (aws_emit_resource(c, t, "aws.guardduty.region", uid, t->region, t->region, d, NULL) == PP_ERR_CANCELLED)
        return PP_ERR_CANCELLED;
    return t->errors ? PP_ERR : PP_OK;
}
