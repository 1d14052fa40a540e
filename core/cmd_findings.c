/*
 * core/cmd_findings.c - `parapet findings`: the findings of a stored scan,
 * with their lifecycle, filtered.
 *
 * The rows of a scan are its findings (each with its lifecycle label when
 * it failed, was muted or resolved a failure) plus one row for every
 * failure the scan resolved because the resource or the rule's finding was
 * gone (status null, details from the last failure). Without --status or
 * --lifecycle only fail and error rows are shown.
 */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "record.h"
#include "store_query.h"
#include "util.h"

static const char rows_sql[] =
    "WITH rows AS ("
    " SELECT f.scan_id, f.rule_id, f.resource_uid, f.resource_type, f.status, f.severity, f.title, f.message,"
    "  f.provider, f.account, f.region, f.evidence, f.remediation, f.compliance, l.lifecycle,"
    "  s.first_seen, s.last_seen, s.resolved_at, s.times_reopened"
    " FROM findings f"
    " LEFT JOIN finding_lifecycle l ON l.scan_id = f.scan_id AND l.rule_id = f.rule_id"
    "  AND l.resource_uid = f.resource_uid AND f.status = CASE l.lifecycle WHEN 'resolved' THEN 'pass'"
    "  WHEN 'muted' THEN 'muted' ELSE 'fail' END"
    " LEFT JOIN finding_state s ON s.rule_id = f.rule_id AND s.resource_uid = f.resource_uid"
    " WHERE f.scan_id = :scan"
    " UNION ALL"
    " SELECT l.scan_id, l.rule_id, l.resource_uid, s.resource_type, NULL, s.severity, s.title, s.message,"
    "  s.provider, s.account, s.region, NULL, NULL, NULL, 'resolved',"
    "  s.first_seen, s.last_seen, s.resolved_at, s.times_reopened"
    " FROM finding_lifecycle l JOIN finding_state s ON s.rule_id = l.rule_id AND s.resource_uid = l.resource_uid"
    " WHERE l.scan_id = :scan AND l.lifecycle = 'resolved' AND NOT EXISTS (SELECT 1 FROM findings f"
    "  WHERE f.scan_id = l.scan_id AND f.rule_id = l.rule_id AND f.resource_uid = l.resource_uid))"
    " SELECT rule_id, resource_uid, resource_type, status, severity, title, message, provider, account, region,"
    "  lifecycle, first_seen, last_seen, resolved_at, times_reopened, evidence, remediation, compliance,"
    "  CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1"
    "  ELSE 0 END AS sev_rank"
    " FROM rows WHERE 1";

/* Split a comma list into a JSON array after checking every item. */
static cJSON *parse_list(const char *v, const char *const *allowed, size_t n_allowed, const char *flag, int *bad)
{
    cJSON *arr = cJSON_CreateArray();
    char *copy = xstrdup(v), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        size_t k;
        for (k = 0; k < n_allowed && strcmp(t, allowed[k]); k++)
            ;
        if (k == n_allowed) {
            sbuf b = {0};
            for (size_t j = 0; j < n_allowed; j++)
                sbuf_printf(&b, "%s%s", j ? ", " : "", allowed[j]);
            cli_usage_error("findings", "%s takes %s, not '%s'", flag, b.data, t);
            sbuf_free(&b);
            *bad = 1;
            break;
        }
        cJSON_AddItemToArray(arr, cJSON_CreateString(t));
    }
    free(copy);
    if (!*bad && cJSON_GetArraySize(arr) == 0) {
        cli_usage_error("findings", "%s needs a value", flag);
        *bad = 1;
    }
    return arr;
}

static void time_cell(char *buf, size_t len, sqlite3_stmt *st, int col)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        snprintf(buf, len, "-");
    else
        time_rfc3339(sqlite3_column_int64(st, col), buf, len);
}

static const char *col_text(sqlite3_stmt *st, int col)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    return t ? t : NULL;
}

static void add_opt(cJSON *o, const char *k, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

static void add_json_text(cJSON *o, const char *k, const char *v)
{
    cJSON *j = v ? cJSON_Parse(v) : NULL;
    if (j)
        cJSON_AddItemToObject(o, k, j);
    else if (v)
        cJSON_AddStringToObject(o, k, v);
}

/* Make text safe for one terminal line. */
static void put_clean(const char *s, size_t max)
{
    size_t w = 0;
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch & 0xC0) != 0x80 && ++w > max) {
            fputs("...", stdout);
            return;
        }
        putchar(ch < 0x20 || ch == 0x7f ? ' ' : ch);
    }
}

int cmd_findings(cli_ctx *c, int argc, char **argv)
{
    static const char *const sevs[] = {"critical", "high", "medium", "low", "info"};
    static const char *const stats[] = {"fail", "pass", "error", "muted"};
    static const char *const lifes[] = {"new", "open", "reopened", "resolved", "muted"};
    const char *scan = NULL, *format = "text", *rule = NULL, *provider = NULL, *account = NULL;
    const char *framework = NULL, *since = NULL;
    cJSON *severity = NULL, *status = NULL, *lifecycle = NULL;
    int fail_on = -1, bad = 0, rc = 2;
    int64_t since_t = 0;

    for (int i = 0; i < argc && !bad; i++) {
        const char *a = argv[i], *val = NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(cmd_help_text("findings"), stdout);
            rc = 0;
            goto out;
        }
        const char *eq = strchr(a, '=');
        size_t flen = eq && !strncmp(a, "--", 2) ? (size_t)(eq - a) : strlen(a);
        char flag[32];
        snprintf(flag, sizeof flag, "%.*s", (int)(flen < 31 ? flen : 31), a);
        if (strncmp(a, "--", 2) != 0) {
            cli_usage_error("findings", "unexpected argument '%s'", a);
            goto out;
        }
        if (eq && !strncmp(a, "--", 2))
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else {
            cli_usage_error("findings", "%s needs a value", a);
            goto out;
        }
        if (!strcmp(flag, "--scan"))
            scan = val;
        else if (!strcmp(flag, "--format")) {
            format = val;
            if (!store_query_format_ok(format, 0)) {
                cli_usage_error("findings", "--format takes text, json or jsonl");
                goto out;
            }
        } else if (!strcmp(flag, "--severity")) {
            cJSON_Delete(severity);
            severity = parse_list(val, sevs, 5, flag, &bad);
        } else if (!strcmp(flag, "--status")) {
            cJSON_Delete(status);
            status = parse_list(val, stats, 4, flag, &bad);
        } else if (!strcmp(flag, "--lifecycle")) {
            cJSON_Delete(lifecycle);
            lifecycle = parse_list(val, lifes, 5, flag, &bad);
        } else if (!strcmp(flag, "--rule"))
            rule = val;
        else if (!strcmp(flag, "--provider"))
            provider = val;
        else if (!strcmp(flag, "--account"))
            account = val;
        else if (!strcmp(flag, "--framework"))
            framework = val;
        else if (!strcmp(flag, "--since")) {
            since = val;
            if (store_query_parse_time(since, &since_t) != 0) {
                cli_usage_error("findings", "--since takes a date (2026-01-31 or RFC 3339), not '%s'", since);
                goto out;
            }
        } else if (!strcmp(flag, "--fail-on")) {
            if ((fail_on = severity_parse(val)) < 0) {
                cli_usage_error("findings", "--fail-on takes info, low, medium, high or critical");
                goto out;
            }
        } else {
            cli_usage_error("findings", "unknown option '%s'", a);
            goto out;
        }
    }
    if (bad)
        goto out;
    if (!status && !lifecycle)
        status = parse_list("fail,error", stats, 4, "--status", &bad);

    char err[600];
    sqlite3 *db = store_query_open(c->db_path, err, sizeof err);
    if (!db) {
        fprintf(stderr, "parapet: error: %s\n", err);
        goto out;
    }
    int64_t scan_id;
    if (store_query_scan(db, scan, &scan_id, err, sizeof err) != 0) {
        fprintf(stderr, "parapet: error: %s\n", err);
        sqlite3_close(db);
        goto out;
    }
    sbuf q = {0};
    sbuf_puts(&q, rows_sql);
    if (severity)
        sbuf_puts(&q, " AND severity IN (SELECT value FROM json_each(:sev))");
    if (status)
        sbuf_puts(&q, " AND status IN (SELECT value FROM json_each(:st))");
    if (lifecycle)
        sbuf_puts(&q, " AND lifecycle IN (SELECT value FROM json_each(:lc))");
    if (rule)
        sbuf_puts(&q, " AND rule_id GLOB :rule");
    if (provider)
        sbuf_puts(&q, " AND provider = :prov");
    if (account)
        sbuf_puts(&q, " AND account = :acct");
    if (framework)
        sbuf_puts(&q, " AND json_valid(compliance) AND EXISTS (SELECT 1 FROM json_each(compliance) j"
                      " WHERE json_extract(j.value, '$.framework') = :fw)");
    if (since)
        sbuf_puts(&q, " AND first_seen >= :since");
    /* vulnerabilities: KEV first, then by severity and EPSS (docs/feeds.md) */
    sbuf_puts(&q, " ORDER BY (json_valid(evidence) AND json_extract(evidence, '$.kev') IS 1) DESC, sev_rank DESC,"
                  " CASE WHEN json_valid(evidence) THEN coalesce(json_extract(evidence, '$.epss'), -1) ELSE -1 END"
                  " DESC, rule_id, resource_uid");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, q.data, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "parapet: error: cannot read findings: %s\n", sqlite3_errmsg(db));
        sbuf_free(&q);
        sqlite3_close(db);
        goto out;
    }
    sbuf_free(&q);
    char *lists[3] = {severity ? cJSON_PrintUnformatted(severity) : NULL,
                      status ? cJSON_PrintUnformatted(status) : NULL,
                      lifecycle ? cJSON_PrintUnformatted(lifecycle) : NULL};
    sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":scan"), scan_id);
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":sev"), lists[0], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":st"), lists[1], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":lc"), lists[2], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":rule"), rule, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":prov"), provider, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":acct"), account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":fw"), framework, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":since"), since_t);

    long n = 0;
    int failing = 0, step;
    if (!strcmp(format, "json"))
        fputs("[", stdout);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *stv = col_text(st, 3), *sev = col_text(st, 4);
        if (fail_on >= 0 && stv && !strcmp(stv, "fail") && sev && severity_parse(sev) >= fail_on)
            failing = 1;
        if (!strcmp(format, "text")) {
            if (n == 0)
                printf("%-8s  %-6s  %-9s  %-40s  %-40s  %s\n", "SEVERITY", "STATUS", "LIFECYCLE", "RULE", "RESOURCE",
                       "MESSAGE");
            printf("%-8s  %-6s  %-9s  ", sev ? sev : "-", stv ? stv : "-", col_text(st, 10) ? col_text(st, 10) : "-");
            size_t w = strlen(col_text(st, 0));
            put_clean(col_text(st, 0), 80);
            printf("%*s  ", w < 40 ? (int)(40 - w) : 0, "");
            w = strlen(col_text(st, 1));
            put_clean(col_text(st, 1), 120);
            printf("%*s  ", w < 40 ? (int)(40 - w) : 0, "");
            put_clean(col_text(st, 6), 160);
            putchar('\n');
        } else {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "scan_id", (double)scan_id);
            static const char *const names[] = {"rule_id", "resource_uid", "resource_type", "status", "severity",
                                                "title",   "message",      "provider",      "account", "region",
                                                "lifecycle"};
            for (int k = 0; k < 11; k++)
                add_opt(o, names[k], col_text(st, k));
            char ts[32];
            static const char *const times[] = {"first_seen", "last_seen", "resolved_at"};
            for (int k = 0; k < 3; k++) {
                if (sqlite3_column_type(st, 11 + k) == SQLITE_NULL) {
                    cJSON_AddNullToObject(o, times[k]);
                } else {
                    time_cell(ts, sizeof ts, st, 11 + k);
                    cJSON_AddStringToObject(o, times[k], ts);
                }
            }
            if (sqlite3_column_type(st, 14) == SQLITE_NULL)
                cJSON_AddNullToObject(o, "times_reopened");
            else
                cJSON_AddNumberToObject(o, "times_reopened", (double)sqlite3_column_int64(st, 14));
            add_json_text(o, "evidence", col_text(st, 15));
            add_opt(o, "remediation", col_text(st, 16));
            add_json_text(o, "compliance", col_text(st, 17));
            char *js = cJSON_PrintUnformatted(o);
            cJSON_Delete(o);
            if (!strcmp(format, "json"))
                printf("%s\n%s", n ? "," : "", js);
            else
                printf("%s\n", js);
            cJSON_free(js);
        }
        n++;
    }
    if (!strcmp(format, "json"))
        fputs(n ? "\n]\n" : "]\n", stdout);
    else if (!strcmp(format, "text"))
        printf("%ld finding%s in scan %lld\n", n, n == 1 ? "" : "s", (long long)scan_id);
    if (step != SQLITE_DONE) {
        fprintf(stderr, "parapet: error: cannot read findings: %s\n", sqlite3_errmsg(db));
        rc = 2;
    } else {
        rc = failing ? 1 : 0;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    for (int k = 0; k < 3; k++)
        cJSON_free(lists[k]);
out:
    cJSON_Delete(severity);
    cJSON_Delete(status);
    cJSON_Delete(lifecycle);
    return rc;
}
