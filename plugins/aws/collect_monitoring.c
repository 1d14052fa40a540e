/*
 * collect_monitoring.c - the account's CloudTrail-based monitoring, one
 * resource per account (aws.account.monitoring), so that controls of the
 * form "some trail/filter/alarm exists" can fail when nothing exists:
 *   - every trail that applies to the home region (DescribeTrails with
 *     shadow trails), with GetTrailStatus and whether its event selectors
 *     (basic or advanced) log S3 object-level writes and reads;
 *   - for each multi-region trail that delivers to CloudWatch Logs, the
 *     metric filters of that log group (DescribeMetricFilters, JSON 1.1,
 *     in the log group's region) and the CloudWatch alarms on each
 *     filter's metric (DescribeAlarmsForMetric, query protocol).
 * Shape: docs/resources/aws.md.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_buf.h"
#include "aws_json.h"
#include "collectors.h"
#include "pagination.h"

#define CT_PREFIX "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"
#define LOGS_PREFIX "Logs_20140328"
#define CW_VERSION "2010-08-01"
#define MON_WHAT "aws.account.monitoring"

static int has_string(const cJSON *arr, const char *s)
{
    const cJSON *v;
    cJSON_ArrayForEach(v, arr)
    {
        if (cJSON_IsString(v) && strcmp(v->valuestring, s) == 0)
            return 1;
    }
    return 0;
}

/* Does a set of event selectors log S3 object-level events? @want_read: reads, else writes. */
static int logs_s3_objects(const cJSON *sel, int want_read)
{
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(sel, "EventSelectors"))
    {
        const char *rw = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "ReadWriteType"));
        int ok = rw && (strcmp(rw, "All") == 0 || strcmp(rw, want_read ? "ReadOnly" : "WriteOnly") == 0);
        const cJSON *dr;
        cJSON_ArrayForEach(dr, cJSON_GetObjectItemCaseSensitive(s, "DataResources"))
        {
            const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(dr, "Type"));
            if (ok && type && strcmp(type, "AWS::S3::Object") == 0)
                return 1;
        }
    }
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(sel, "AdvancedEventSelectors"))
    {
        int data = 0, s3obj = 0, read_ok = 1;
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(s, "FieldSelectors"))
        {
            const char *field = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "Field"));
            const cJSON *eq = cJSON_GetObjectItemCaseSensitive(f, "Equals");
            if (!field)
                continue;
            if (strcmp(field, "eventCategory") == 0 && has_string(eq, "Data"))
                data = 1;
            else if (strcmp(field, "resources.type") == 0 && has_string(eq, "AWS::S3::Object"))
                s3obj = 1;
            else if (strcmp(field, "readOnly") == 0 && cJSON_IsArray(eq))
                read_ok = has_string(eq, want_read ? "true" : "false");
        }
        if (data && s3obj && read_ok)
            return 1;
    }
    return 0;
}

int aws_log_group_of(const char *arn, char *region, size_t rlen, char *name, size_t nlen)
{
    const char *p = arn;
    for (int i = 0; i < 3 && p; i++) {
        p = strchr(p, ':');
        if (p)
            p++;
    }
    if (!p || strncmp(arn, "arn:", 4) != 0)
        return -1;
    size_t rl = strcspn(p, ":");
    if (rl == 0 || rl >= rlen || strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-") < rl)
        return -1;
    memcpy(region, p, rl);
    region[rl] = '\0';
    const char *g = strstr(p, ":log-group:");
    if (!g)
        return -1;
    g += strlen(":log-group:");
    size_t gl = strlen(g);
    if (gl >= 2 && strcmp(g + gl - 2, ":*") == 0)
        gl -= 2;
    if (gl == 0 || gl >= nlen)
        return -1;
    memcpy(name, g, gl);
    name[gl] = '\0';
    return 0;
}

/* Alarms on one metric, in @region; appended to @out. Returns an aws_client.h code. */
static int alarms_for(aws_ctx *c, aws_task *t, const char *region, const char *metric, const char *ns, cJSON *out)
{
    abuf p;
    abuf_init(&p);
    aws_form_param(&p, "MetricName", metric);
    aws_form_param(&p, "Namespace", ns);
    xml_node *root = NULL;
    char err[AWS_ERR_LEN] = "";
    int rc = aws_query_call(c, "monitoring", region, "DescribeAlarmsForMetric", CW_VERSION, abuf_cstr(&p),
                            "cloudwatch:DescribeAlarmsForMetric", &root, err, sizeof err);
    abuf_free(&p);
    if (rc == AWS_OK) {
        for (const xml_node *a = xml_path(xml_find(root, "MetricAlarms"), "member"); a; a = xml_next(a)) {
            cJSON *o = cJSON_CreateObject();
            j_str(o, "alarmName", a, "AlarmName");
            j_str(o, "stateValue", a, "StateValue");
            j_bool(o, "actionsEnabled", a, "ActionsEnabled");
            cJSON *acts = cJSON_AddArrayToObject(o, "alarmActions");
            for (const xml_node *x = xml_path(a, "AlarmActions/member"); x; x = xml_next(x))
                cJSON_AddItemToArray(acts, cJSON_CreateString(x->text));
            cJSON_AddItemToArray(out, o);
        }
    }
    xml_free(root);
    if (collector_outcome(c, t, rc, "cloudwatch:DescribeAlarmsForMetric", MON_WHAT, NULL, err, err))
        return AWS_E_CANCELLED;
    return rc;
}

/* Metric filters of one log group with their alarms; nonzero = incomplete or stop. */
static int filters_of(aws_ctx *c, aws_task *t, const char *region, const char *group, cJSON *out)
{
    aws_task rt = *t;
    rt.region = region;
    char *token = NULL;
    int rc = AWS_OK;
    for (int page = 0; page < 100; page++) {
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "logGroupName", group);
        if (token)
            cJSON_AddStringToObject(b, "nextToken", token);
        char *body = cJSON_PrintUnformatted(b);
        cJSON_Delete(b);
        cJSON *reply = NULL;
        rc = collector_json(c, &rt, "logs", LOGS_PREFIX, "DescribeMetricFilters", body, "logs:DescribeMetricFilters",
                            MON_WHAT, NULL, &reply);
        cJSON_free(body);
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(reply, "metricFilters"))
        {
            cJSON *o = cJSON_CreateObject();
            aj_copy(o, "filterName", f, "filterName");
            aj_copy(o, "logGroupName", f, "logGroupName");
            cJSON_AddStringToObject(o, "logGroupRegion", region);
            aj_copy(o, "filterPattern", f, "filterPattern");
            cJSON *mts = cJSON_AddArrayToObject(o, "metricTransformations");
            cJSON *alarms = cJSON_AddArrayToObject(o, "alarms");
            const cJSON *m;
            cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(f, "metricTransformations"))
            {
                const char *mn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "metricName"));
                const char *ns = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "metricNamespace"));
                cJSON *x = cJSON_CreateObject();
                aj_copy(x, "metricName", m, "metricName");
                aj_copy(x, "metricNamespace", m, "metricNamespace");
                cJSON_AddItemToArray(mts, x);
                if (mn && ns && rc == AWS_OK) {
                    int arc = alarms_for(c, &rt, region, mn, ns, alarms);
                    if (arc != AWS_OK)
                        rc = arc;
                }
            }
            cJSON_AddItemToArray(out, o);
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
    t->errors += rt.errors;
    t->denied += rt.denied;
    return rc != AWS_OK;
}

int collect_monitoring(aws_ctx *c, aws_task *t)
{
    char uid[100];
    snprintf(uid, sizeof uid, "arn:aws:cloudtrail::%s:monitoring", t->account);
    cJSON *trails = NULL;
    int rc = collector_json(c, t, "cloudtrail", CT_PREFIX, "DescribeTrails", "{\"includeShadowTrails\":true}",
                            "cloudtrail:DescribeTrails", MON_WHAT, uid, &trails);
    if (collector_stop(rc))
        return PP_ERR_CANCELLED;
    if (rc != AWS_OK)
        return t->errors ? PP_ERR : PP_OK;
    cJSON *d = cJSON_CreateObject();
    cJSON *tl = cJSON_AddArrayToObject(d, "trails");
    cJSON *filters = cJSON_AddArrayToObject(d, "metricFilters");
    int incomplete = 0;
    const cJSON *tr;
    cJSON_ArrayForEach(tr, cJSON_GetObjectItemCaseSensitive(trails, "trailList"))
    {
        const char *arn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tr, "TrailARN"));
        const char *home = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tr, "HomeRegion"));
        if (!arn || !home || incomplete)
            continue;
        aws_task ht = *t;
        ht.region = home;
        cJSON *o = cJSON_CreateObject();
        aj_copy(o, "name", tr, "Name");
        aj_copy(o, "trailARN", tr, "TrailARN");
        aj_copy(o, "homeRegion", tr, "HomeRegion");
        aj_bool(o, "isMultiRegionTrail", tr, "IsMultiRegionTrail", 0);
        aj_copy_or_null(o, "cloudWatchLogsLogGroupArn", tr, "CloudWatchLogsLogGroupArn");
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "Name", arn);
        char *body = cJSON_PrintUnformatted(b);
        cJSON_Delete(b);
        cJSON *st = NULL, *sel = NULL;
        rc = collector_json(c, &ht, "cloudtrail", CT_PREFIX, "GetTrailStatus", body, "cloudtrail:GetTrailStatus",
                            MON_WHAT, arn, &st);
        cJSON_free(body);
        if (rc == AWS_OK) {
            b = cJSON_CreateObject();
            cJSON_AddStringToObject(b, "TrailName", arn);
            body = cJSON_PrintUnformatted(b);
            cJSON_Delete(b);
            rc = collector_json(c, &ht, "cloudtrail", CT_PREFIX, "GetEventSelectors", body,
                                "cloudtrail:GetEventSelectors", MON_WHAT, arn, &sel);
            cJSON_free(body);
        }
        t->errors += ht.errors;
        t->denied += ht.denied;
        if (rc != AWS_OK) {
            incomplete = 1;
        } else {
            aj_bool(o, "isLogging", st, "IsLogging", 0);
            cJSON_AddBoolToObject(o, "s3ObjectWriteEvents", logs_s3_objects(sel, 0));
            cJSON_AddBoolToObject(o, "s3ObjectReadEvents", logs_s3_objects(sel, 1));
            const char *lg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tr, "CloudWatchLogsLogGroupArn"));
            char region[40], group[600];
            if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tr, "IsMultiRegionTrail")) && lg &&
                aws_log_group_of(lg, region, sizeof region, group, sizeof group) == 0 &&
                filters_of(c, t, region, group, filters))
                incomplete = 1;
        }
        cJSON_Delete(st);
        cJSON_Delete(sel);
        cJSON_AddItemToArray(tl, o);
    }
    cJSON_Delete(trails);
    if (incomplete || aws_cancelled(c)) {
        /* a partial picture would make "nothing is monitored" look true */
        cJSON_Delete(d);
        return aws_cancelled(c) ? PP_ERR_CANCELLED : (t->errors ? PP_ERR : PP_OK);
    }
    if (aws_emit_resource(c, t, MON_WHAT, uid, "monitoring", NULL, d, NULL) == PP_ERR_CANCELLED)
        return PP_ERR_CANCELLED;
    return t->errors ? PP_ERR : PP_OK;
}
