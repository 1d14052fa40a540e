/*
 * test_aws_parse.c - the aws plugin's parsers of outside input that the
 * new collectors rely on, with well-formed and hostile inputs: JSON
 * replies (aj_parse and the member helpers), the IAM credential report
 * (CSV in base64 upstream) and CloudWatch Logs log group ARNs.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../../plugins/aws/aws_json.h"
#include "../../plugins/aws/collectors.h"
#include "../support/test_check.h"

static void test_json_replies(void)
{
    char err[256];
    cJSON *j = aj_parse("{\"Keys\":[{\"KeyId\":\"k\"}],\"Truncated\":false}", "kms:ListKeys", err, sizeof err);
    CHECK(j && cJSON_IsArray(cJSON_GetObjectItem(j, "Keys")), "a well-formed reply parses");
    cJSON_Delete(j);

    static const struct {
        const char *body, *why;
    } bad[] = {
        {"", "empty response"},
        {"{\"Keys\":[{\"KeyId\":\"k\"}],\"Trunc", "malformed or truncated JSON response"},
        {"[1,2,3]", "not a JSON object"},
        {"\"just a string\"", "not a JSON object"},
        {"{\"a\":1} trailing", "malformed or truncated"},
        {"{\"a\":\"\\ud800\"", "malformed or truncated"},
        {"<Error><Code>x</Code></Error>", "malformed or truncated"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        j = aj_parse(bad[i].body, "kms:ListKeys", err, sizeof err);
        CHECK(!j, "hostile reply %zu is refused", i);
        CHECK(strncmp(err, "kms:ListKeys: ", 14) == 0 && strstr(err, bad[i].why),
              "reply %zu: the error names the call and says why: %s", i, err);
        cJSON_Delete(j);
    }
    CHECK(!aj_parse(NULL, "x:Y", err, sizeof err), "NULL is refused");

    /* 2000 nested arrays: cJSON's nesting limit refuses it, we report it */
    size_t n = 2000;
    char *deep = malloc(2 * n + 3);
    deep[0] = '{';
    memset(deep + 1, '[', n);
    memset(deep + 1 + n, ']', n);
    deep[1 + 2 * n] = '}';
    deep[2 + 2 * n] = '\0';
    j = aj_parse(deep, "logs:DescribeMetricFilters", err, sizeof err);
    CHECK(!j && strstr(err, "logs:DescribeMetricFilters"), "a too deeply nested reply is refused: %s", err);
    cJSON_Delete(j);
    free(deep);
}

static void test_members(void)
{
    cJSON *src = cJSON_Parse("{\"T1\":1735689600.0,\"T2\":-5,\"T3\":1e300,\"T4\":\"2024-01-01T00:00:00Z\","
                             "\"B\":true,\"S\":\"x\",\"P\":\"{\\\"Statement\\\":[]}\",\"Q\":\"[1]\",\"R\":\"{bad\","
                             "\"L\":[\"a\",1,null,\"b\"]}");
    cJSON *d = cJSON_CreateObject();
    aj_time(d, "t1", src, "T1", 0);
    aj_time(d, "t2", src, "T2", 1);
    aj_time(d, "t3", src, "T3", 0);
    aj_time(d, "t4", src, "T4", 0);
    aj_time(d, "t5", src, "missing", 1);
    CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(d, "t1")), "2025-01-01T00:00:00Z") == 0,
          "epoch seconds become RFC 3339");
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(d, "t2")), "a negative time is not a time");
    CHECK(!cJSON_GetObjectItem(d, "t3"), "an out-of-range time is left out");
    CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(d, "t4")), "2024-01-01T00:00:00Z") == 0, "text kept");
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(d, "t5")), "absent -> null when asked");
    aj_bool(d, "b", src, "B", -1);
    aj_bool(d, "s", src, "S", -1);
    aj_bool(d, "m", src, "missing", 0);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(d, "b")), "a boolean is copied");
    CHECK(!cJSON_GetObjectItem(d, "s"), "a string is not taken for a boolean");
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(d, "m")), "absent -> default");
    cJSON *p = aj_policy_member(src, "P");
    CHECK(p && cJSON_GetObjectItem(p, "Statement"), "a policy document given as text is decoded");
    cJSON_Delete(p);
    CHECK(!aj_policy_member(src, "Q"), "a policy that is not an object is refused");
    CHECK(!aj_policy_member(src, "R"), "an unparsable policy is refused");
    CHECK(!aj_policy_member(src, "B"), "a non-string policy is refused");
    cJSON *l = aj_string_list(src, "L");
    CHECK(cJSON_GetArraySize(l) == 2, "only the strings of a list are kept");
    cJSON_Delete(l);
    cJSON_Delete(d);
    cJSON_Delete(src);

    cJSON *in = cJSON_Parse("{\"DBInstanceIdentifier\":\"a\",\"ReadWriteType\":\"All\",\"ARN\":\"x\","
                            "\"FieldSelectors\":[{\"Field\":\"f\",\"Equals\":[\"Data\"]}],\"already\":1,\"\":2}");
    cJSON *out = aj_camel(in);
    CHECK(cJSON_GetObjectItemCaseSensitive(out, "dbInstanceIdentifier"),
          "DBInstanceIdentifier -> dbInstanceIdentifier");
    CHECK(cJSON_GetObjectItemCaseSensitive(out, "readWriteType"), "ReadWriteType -> readWriteType");
    CHECK(cJSON_GetObjectItemCaseSensitive(out, "arn"), "ARN -> arn");
    CHECK(cJSON_GetObjectItemCaseSensitive(out, "already"), "lower-case names stay");
    const cJSON *fs = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(out, "fieldSelectors"), 0);
    CHECK(fs && cJSON_GetObjectItemCaseSensitive(fs, "equals") &&
              strcmp(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(fs, "equals"), 0)->valuestring, "Data") == 0,
          "names inside arrays are converted, values are not");
    cJSON_Delete(out);
    cJSON_Delete(in);
    CHECK(aj_camel(NULL) == NULL, "NULL in, NULL out");
}

static const char header[] =
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,"
    "access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
    "access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n";

static cJSON *report(const char *rows, int *rc, char *err, size_t errlen)
{
    size_t n = strlen(header) + strlen(rows) + 1;
    char *csv = malloc(n);
    snprintf(csv, n, "%s%s", header, rows);
    cJSON *d = cJSON_CreateObject();
    *rc = aws_credential_report_root(csv, d, err, errlen);
    free(csv);
    return d;
}

static void test_credential_report(void)
{
    char err[256];
    int rc;
    cJSON *d =
        report("alice,arn:aws:iam::1:user/alice,2020,true,N/A,x,x,false,true,x,x,x,x,false,x,x,x,x,false,x,false,x\r\n"
               "<root_account>,arn:aws:iam::1:root,2019,not_supported,2026-01-10T09:00:00+00:00,not_supported,"
               "not_supported,false,true,2019,no_information,N/A,N/A,false,N/A,N/A,N/A,N/A,true,x,false,x\r\n",
               &rc, err, sizeof err);
    CHECK(rc == 0, "a report with a root row parses: %s", rc ? err : "");
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(d, "mfaActive")), "root mfa_active false");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(d, "accessKey1Active")), "root key 1 active");
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(d, "accessKey1LastUsedDate")), "no_information is null");
    CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(d, "passwordLastUsed")), "2026-01-10T09:00:00+00:00") == 0,
          "a date is kept");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(d, "cert1Active")), "cert 1 active");
    cJSON_Delete(d);

    d = report("alice,arn,2020,true\n", &rc, err, sizeof err);
    CHECK(rc == -1 && strstr(err, "no <root_account> row"), "no root row is an error: %s", err);
    cJSON_Delete(d);

    d = report("<root_account>,arn\n", &rc, err, sizeof err);
    CHECK(rc == 0 && !cJSON_GetObjectItem(d, "mfaActive") && cJSON_IsNull(cJSON_GetObjectItem(d, "passwordLastUsed")),
          "a short row leaves unknown members out (dates null)");
    cJSON_Delete(d);

    d = report("<root_account>,arn,x,x,x,x,x,maybe,1,x,x\n", &rc, err, sizeof err);
    CHECK(rc == 0 && !cJSON_GetObjectItem(d, "mfaActive") && !cJSON_GetObjectItem(d, "accessKey1Active"),
          "booleans other than true/false are left out");
    cJSON_Delete(d);

    /* not a report at all */
    char junk[] = "\x01\x02garbage without columns";
    d = cJSON_CreateObject();
    CHECK(aws_credential_report_root(junk, d, err, sizeof err) == -1 && strstr(err, "'user' column"),
          "junk is refused: %s", err);
    char empty[] = "";
    CHECK(aws_credential_report_root(empty, d, err, sizeof err) == -1, "an empty report is refused");
    /* a row with far more columns than the header */
    size_t cap = 20000, len = 0;
    char *wide = malloc(cap);
    len += (size_t)snprintf(wide + len, cap - len, "user,mfa_active\n<root_account>");
    for (int i = 0; i < 3000; i++)
        len += (size_t)snprintf(wide + len, cap - len, ",true");
    snprintf(wide + len, cap - len, "\n");
    CHECK(aws_credential_report_root(wide, d, err, sizeof err) == 0, "a very wide row is read up to the cap");
    free(wide);
    cJSON_Delete(d);
}

static void test_log_group_arn(void)
{
    char r[40], n[100];
    CHECK(aws_log_group_of("arn:aws:logs:eu-west-1:123456789012:log-group:trail-logs:*", r, sizeof r, n, sizeof n) ==
                  0 &&
              strcmp(r, "eu-west-1") == 0 && strcmp(n, "trail-logs") == 0,
          "a log group ARN with :* splits");
    CHECK(aws_log_group_of("arn:aws:logs:us-east-1:123456789012:log-group:/aws/cloudtrail/x", r, sizeof r, n,
                           sizeof n) == 0 &&
              strcmp(n, "/aws/cloudtrail/x") == 0,
          "without :* too");
    static const char *const bad[] = {
        "",
        "arn:aws:logs",
        "arn:aws:logs::123456789012:log-group:x:*",
        "arn:aws:logs:us-east-1/../x:1:log-group:x",
        "arn:aws:logs:US-EAST-1:1:log-group:x",
        "arn:aws:logs:us-east-1:123456789012:log-group:",
        "arn:aws:logs:us-east-1:123456789012:log-group::*",
        "arn:aws:logs:us-east-1:123456789012:metric-filter:x",
        "notanarn:aws:logs:us-east-1:1:log-group:x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(aws_log_group_of(bad[i], r, sizeof r, n, sizeof n) == -1, "bad log group ARN %zu refused", i);
    char tiny[4];
    CHECK(aws_log_group_of("arn:aws:logs:us-east-1:1:log-group:x", tiny, sizeof tiny, n, sizeof n) == -1,
          "a region that does not fit is refused");
}

int main(void)
{
    RUN(test_json_replies);
    RUN(test_members);
    RUN(test_credential_report);
    RUN(test_log_group_arn);
    return test_summary();
}
