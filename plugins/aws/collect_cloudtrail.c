/*
 * collect_cloudtrail.c - CloudTrail trails of one region (JSON 1.1): the
 * trails whose home region this is (DescribeTrails without shadow trails,
 * so a multi-region trail is collected once), with GetTrailStatus,
 * GetEventSelectors (basic and advanced selectors) and whether the trail's
 * S3 bucket has server access logging (GetBucketLocation, GetBucketLogging). Shape:
 * aws.cloudtrail.trail in docs/resources/aws.md.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <string.h>

#include "aws_client.h"
#include "aws_json.h"
#include "collectors.h"

#define CT_PREFIX "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"
#define CT_WHAT "aws.cloudtrail.trail"

static cJSON *name_body(const char *key, const char *value)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, key, value);
    return b;
}

/* status.* and eventSelectors of one trail; 0, or -1 when cancelled. */
static int trail_details(aws_ctx *c, aws_task *t, const char *arn, cJSON *d)
{
    cJSON *b = name_body("Name", arn);
    char *body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    cJSON *st = NULL;
    int rc = collector_json(c, t, "cloudtrail", CT_PREFIX, "GetTrailStatus", body, "cloudtrail:GetTrailStatus", CT_WHAT,
                            arn, &st);
    cJSON_free(body);
    if (collector_stop(rc))
        return -1;
    if (st) {
        cJSON *s = cJSON_AddObjectToObject(d, "status");
        aj_bool(s, "isLogging", st, "IsLogging", -1);
        aj_time(s, "latestDeliveryTime", st, "LatestDeliveryTime", 0);
        aj_time(s, "startLoggingTime", st, "StartLoggingTime", 0);
        aj_time(s, "stopLoggingTime", st, "StopLoggingTime", 0);
        aj_copy(s, "latestDeliveryError", st, "LatestDeliveryError");
        cJSON_Delete(st);
    }
    b = name_body("TrailName", arn);
    body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    cJSON *es = NULL;
    rc = collector_json(c, t, "cloudtrail", CT_PREFIX, "GetEventSelectors", body, "cloudtrail:GetEventSelectors",
                        CT_WHAT, arn, &es);
    cJSON_free(body);
    if (collector_stop(rc))
        return -1;
    if (es) {
        const cJSON *basic = cJSON_GetObjectItemCaseSensitive(es, "EventSelectors");
        const cJSON *adv = cJSON_GetObjectItemCaseSensitive(es, "AdvancedEventSelectors");
        cJSON_AddItemToObject(d, "eventSelectors", cJSON_IsArray(basic) ? aj_camel(basic) : cJSON_CreateArray());
        cJSON_AddItemToObject(d, "advancedEventSelectors", cJSON_IsArray(adv) ? aj_camel(adv) : cJSON_CreateArray());
        cJSON_Delete(es);
    }
    return 0;
}

/* s3BucketAccessLogging of the trail's bucket; absent when it cannot be read
 * (a bucket in another account is common: the denial is reported). Returns
 * nonzero when the task must stop. */
static int bucket_logging(aws_ctx *c, aws_task *t, const char *bucket, const char *arn, cJSON *d)
{
    char err[AWS_ERR_LEN] = "", region[64];
    xml_node *root = NULL;
    int rc = aws_s3_call(c, t->region, bucket, "location", NULL, "s3:GetBucketLocation", &root, NULL, err, sizeof err);
    if (rc == AWS_OK) {
        const char *lc = root->text && *root->text ? root->text : "us-east-1";
        snprintf(region, sizeof region, "%s", strcmp(lc, "EU") == 0 ? "eu-west-1" : lc);
        xml_free(root);
        root = NULL;
        rc = aws_s3_call(c, region, bucket, "logging", NULL, "s3:GetBucketLogging", &root, NULL, err, sizeof err);
        if (rc == AWS_OK)
            cJSON_AddBoolToObject(d, "s3BucketAccessLogging", xml_child(root, "LoggingEnabled") != NULL);
        xml_free(root);
        return rc == AWS_OK ? 0 : collector_outcome(c, t, rc, "s3:GetBucketLogging", CT_WHAT, arn, err, err);
    }
    xml_free(root);
    return collector_outcome(c, t, rc, "s3:GetBucketLocation", CT_WHAT, arn, err, err);
}

int collect_cloudtrail(aws_ctx *c, aws_task *t)
{
    cJSON *reply = NULL;
    int rc = collector_json(c, t, "cloudtrail", CT_PREFIX, "DescribeTrails", "{\"includeShadowTrails\":false}",
                            "cloudtrail:DescribeTrails", CT_WHAT, NULL, &reply);
    if (collector_stop(rc))
        return PP_ERR_CANCELLED;
    const cJSON *tr;
    cJSON_ArrayForEach(tr, cJSON_GetObjectItemCaseSensitive(reply, "trailList"))
    {
        const char *arn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tr, "TrailARN"));
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tr, "Name"));
        const char *home = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tr, "HomeRegion"));
        if (!arn || !name || (home && strcmp(home, t->region) != 0))
            continue;
        cJSON *d = cJSON_CreateObject();
        aj_copy(d, "name", tr, "Name");
        aj_copy(d, "trailARN", tr, "TrailARN");
        aj_copy(d, "homeRegion", tr, "HomeRegion");
        aj_bool(d, "isMultiRegionTrail", tr, "IsMultiRegionTrail", 0);
        aj_bool(d, "includeGlobalServiceEvents", tr, "IncludeGlobalServiceEvents", 0);
        aj_bool(d, "isOrganizationTrail", tr, "IsOrganizationTrail", 0);
        aj_bool(d, "logFileValidationEnabled", tr, "LogFileValidationEnabled", 0);
        aj_copy(d, "s3BucketName", tr, "S3BucketName");
        aj_copy(d, "s3KeyPrefix", tr, "S3KeyPrefix");
        aj_copy_or_null(d, "kmsKeyId", tr, "KmsKeyId");
        aj_copy_or_null(d, "cloudWatchLogsLogGroupArn", tr, "CloudWatchLogsLogGroupArn");
        aj_copy_or_null(d, "snsTopicARN", tr, "SnsTopicARN");
        aj_bool(d, "hasInsightSelectors", tr, "HasInsightSelectors", 0);
        const char *bucket = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tr, "S3BucketName"));
        if (trail_details(c, t, arn, d) != 0 || (bucket && *bucket && bucket_logging(c, t, bucket, arn, d))) {
            cJSON_Delete(d);
            cJSON_Delete(reply);
            return PP_ERR_CANCELLED;
        }
        if (aws_emit_resource(c, t, "aws.cloudtrail.trail", arn, name, home ? home : t->region, d, NULL) ==
            PP_ERR_CANCELLED) {
            cJSON_Delete(reply);
            return PP_ERR_CANCELLED;
        }
    }
    cJSON_Delete(reply);
    return t->errors ? PP_ERR : PP_OK;
}
