/*
 * plugins/outputs/finding.c - parse and check one finding record.
 */
#define _DEFAULT_SOURCE /* timegm */

#include "finding.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const status_names[] = {"pass", "fail", "error", "muted"};
static const char *const severity_names[] = {"info", "low", "medium", "high", "critical"};

const char *out_status_name(out_status s)
{
    return (unsigned)s < 4 ? status_names[s] : "unknown";
}

const char *out_severity_name(out_severity s)
{
    return (unsigned)s < 5 ? severity_names[s] : "unknown";
}

const char *out_json_str(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}

int64_t out_now_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Parse exactly @n decimal digits at @p into *@v. */
static int digits(const char *p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        x = x * 10 + (p[i] - '0');
    }
    *v = x;
    return 0;
}

int64_t out_parse_time(const char *s)
{
    int Y, M, D, h, m, sec;
    if (!s || strlen(s) < 20 || digits(s, 4, &Y) || s[4] != '-' || digits(s + 5, 2, &M) || s[7] != '-' ||
        digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &h) || s[13] != ':' ||
        digits(s + 14, 2, &m) || s[16] != ':' || digits(s + 17, 2, &sec))
        return -1;
    if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60 || Y < 1970)
        return -1;
    const char *p = s + 19;
    int ms = 0;
    if (*p == '.') {
        int n = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, n++)
            if (n < 3)
                ms = ms * 10 + (*p - '0');
        if (n == 0)
            return -1;
        for (; n < 3; n++)
            ms *= 10;
    }
    int off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) || oh > 23 || om > 59)
            return -1;
        off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return -1;
    }
    if (*p != '\0')
        return -1;
    struct tm tm = {0};
    tm.tm_year = Y - 1900;
    tm.tm_mon = M - 1;
    tm.tm_mday = D;
    tm.tm_hour = h;
    tm.tm_min = m;
    tm.tm_sec = sec > 59 ? 59 : sec;
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return -1;
    return ((int64_t)t - off) * 1000 + ms;
}

void out_format_time(int64_t ms, char *buf, size_t len)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (ms < 0 || !gmtime_r(&t, &tm)) {
        (void)snprintf(buf, len, "1970-01-01T00:00:00.000Z");
        return;
    }
    (void)snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                   tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

/* Index of @s in @names, or -1. */
static int lookup(const char *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The kind of a finding: its "kind" member when present, else from the rule id. */
static out_kind classify(const cJSON *doc, const char *rule_id)
{
    const char *k = out_json_str(doc, "kind");
    if (strcmp(k, "threat") == 0)
        return OUT_KIND_THREAT;
    if (strcmp(k, "vulnerability") == 0)
        return OUT_KIND_VULNERABILITY;
    if (*k)
        return OUT_KIND_POSTURE;
    if (starts_with(rule_id, "threat-"))
        return OUT_KIND_THREAT;
    if (starts_with(rule_id, "vuln-") || starts_with(rule_id, "CVE-") || starts_with(rule_id, "GHSA-"))
        return OUT_KIND_VULNERABILITY;
    return OUT_KIND_POSTURE;
}

/* f->uid = hex SHA-256 of rule_id "\n" resource_uid. */
static int stable_uid(out_finding *f)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
             EVP_DigestUpdate(ctx, f->rule_id, strlen(f->rule_id)) && EVP_DigestUpdate(ctx, "\n", 1) &&
             EVP_DigestUpdate(ctx, f->resource_uid, strlen(f->resource_uid)) && EVP_DigestFinal_ex(ctx, md, &n) &&
             n == 32;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return -1;
    for (unsigned i = 0; i < 32; i++)
        (void)snprintf(f->uid + 2 * i, 3, "%02x", md[i]);
    return 0;
}

int out_finding_parse(const char *json, int64_t default_ms, cJSON **doc, out_finding *f, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    *doc = NULL;
    if (!json || !*json) {
        (void)snprintf(err, errlen, "empty finding record");
        return -1;
    }
    if (strlen(json) > OUT_FINDING_MAX_BYTES) {
        (void)snprintf(err, errlen, "finding record larger than %zu bytes", OUT_FINDING_MAX_BYTES);
        return -1;
    }
    cJSON *d = cJSON_Parse(json);
    if (!cJSON_IsObject(d)) {
        cJSON_Delete(d);
        (void)snprintf(err, errlen, "finding record is not a JSON object");
        return -1;
    }
    const char *bad = NULL;
    f->json = d;
    f->rule_id = out_json_str(d, "rule_id");
    f->resource_uid = out_json_str(d, "resource_uid");
    int st = lookup(out_json_str(d, "status"), status_names, 4);
    int sv = lookup(out_json_str(d, "severity"), severity_names, 5);
    if (!*f->rule_id)
        bad = "rule_id (a non-empty string is required)";
    else if (!*f->resource_uid)
        bad = "resource_uid (a non-empty string is required)";
    else if (st < 0)
        bad = "status (pass, fail, error or muted)";
    else if (sv < 0)
        bad = "severity (info, low, medium, high or critical)";
    f->observed_at = out_json_str(d, "observed_at");
    f->time_ms = *f->observed_at ? out_parse_time(f->observed_at) : default_ms;
    if (!bad && f->time_ms < 0)
        bad = "observed_at (an RFC 3339 time is required)";
    if (bad) {
        cJSON_Delete(d);
        memset(f, 0, sizeof *f);
        (void)snprintf(err, errlen, "finding record: bad or missing member %s", bad);
        return -1;
    }
    f->status = (out_status)st;
    f->severity = (out_severity)sv;
    f->resource_type = out_json_str(d, "resource_type");
    f->title = out_json_str(d, "title");
    f->message = out_json_str(d, "message");
    f->remediation = out_json_str(d, "remediation");
    f->provider = out_json_str(d, "provider");
    f->account = out_json_str(d, "account");
    f->region = out_json_str(d, "region");
    const cJSON *sid = cJSON_GetObjectItemCaseSensitive(d, "scan_id");
    f->scan_id = cJSON_IsNumber(sid) && sid->valuedouble >= 0 ? (long long)sid->valuedouble : -1;
    const cJSON *ev = cJSON_GetObjectItemCaseSensitive(d, "evidence");
    f->evidence = cJSON_IsObject(ev) ? ev : NULL;
    const cJSON *co = cJSON_GetObjectItemCaseSensitive(d, "compliance");
    f->compliance = cJSON_IsArray(co) ? co : NULL;
    f->kind = classify(d, f->rule_id);
    if (stable_uid(f) != 0) {
        cJSON_Delete(d);
        memset(f, 0, sizeof *f);
        (void)snprintf(err, errlen, "cannot hash the finding's identity (OpenSSL failed)");
        return -1;
    }
    *doc = d;
    return 0;
}
