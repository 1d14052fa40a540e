/*
 * core/cmd_diff.c - `parapet diff [SCAN_A] [SCAN_B]`: what changed between
 * two scans' failing findings.
 *
 * A finding is identified by (rule_id, resource_uid) and counts as failing in
 * a scan when any of its findings there has status fail (muted ones do not
 * fail). new: failing in B, not in A. resolved: failing in A, not in B.
 * changed: failing in both with another severity or message. Without
 * arguments A and B are the two newest complete (or partial) scans; with one
 * argument, A is that scan and B the newest.
 */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "store_query.h"
#include "util.h"

static const char diff_sql[] =
    "WITH a AS (SELECT rule_id, resource_uid, severity, message, title FROM findings"
    "  WHERE scan_id = ?1 AND status = 'fail' GROUP BY rule_id, resource_uid),"
    " b AS (SELECT rule_id, resource_uid, severity, message, title FROM findings"
    "  WHERE scan_id = ?2 AND status = 'fail' GROUP BY rule_id, resource_uid)"
    " SELECT 'new', b.rule_id, b.resource_uid, NULL, b.severity, NULL, b.message, b.title"
    "  FROM b LEFT JOIN a ON a.rule_id = b.rule_id AND a.resource_uid = b.resource_uid WHERE a.rule_id IS NULL"
    " UNION ALL"
    " SELECT 'resolved', a.rule_id, a.resource_uid, a.severity, NULL, a.message, NULL, a.title"
    "  FROM a LEFT JOIN b ON a.rule_id = b.rule_id AND a.resource_uid = b.resource_uid WHERE b.rule_id IS NULL"
    " UNION ALL"
    " SELECT 'changed', a.rule_id, a.resource_uid, a.severity, b.severity, a.message, b.message, b.title"
    "  FROM a JOIN b ON a.rule_id = b.rule_id AND a.resource_uid = b.resource_uid"
    "  WHERE a.severity IS NOT b.severity OR a.message IS NOT b.message"
    " ORDER BY 1, 2, 3";

static void add_opt(cJSON *o, const char *k, sqlite3_stmt *st, int col)
{
    const char *v = (const char *)sqlite3_column_text(st, col);
    if (v)
        cJSON_AddStringToObject(o, k, v);
}

int cmd_diff(cli_ctx *c, int argc, char **argv)
{
    const char *specs[2] = {NULL, NULL}, *format = "text";
    int n_specs = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(cmd_help_text("diff"), stdout);
            return 0;
        } else if (!strcmp(a, "--format") || !strncmp(a, "--format=", 9)) {
            format = a[8] == '=' ? a + 9 : i + 1 < argc ? argv[++i] : "";
            if (strcmp(format, "text") && strcmp(format, "json"))
                return cli_usage_error("diff", "--format takes text or json");
        } else if (a[0] == '-') {
            return cli_usage_error("diff", "unknown option '%s'", a);
        } else if (n_specs < 2) {
            specs[n_specs++] = a;
        } else {
            return cli_usage_error("diff", "give at most two scans");
        }
    }
    char err[600];
    sqlite3 *db = store_query_open(c->db_path, err, sizeof err);
    if (!db) {
        fprintf(stderr, "parapet: error: %s\n", err);
        return 2;
    }
    int64_t ids[2];
    const char *want[2] = {n_specs == 0 ? "latest~1" : specs[0], n_specs == 2 ? specs[1] : "latest"};
    for (int k = 0; k < 2; k++) {
        if (store_query_scan(db, want[k], &ids[k], err, sizeof err) != 0) {
            fprintf(stderr, "parapet: error: %s%s\n", err,
                    n_specs == 0 ? " (diff needs two scans, or name them: parapet diff A B)" : "");
            sqlite3_close(db);
            return 2;
        }
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, diff_sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "parapet: error: cannot compare scans: %s\n", sqlite3_errmsg(db));
        sqlite3_close(db);
        return 2;
    }
    sqlite3_bind_int64(st, 1, ids[0]);
    sqlite3_bind_int64(st, 2, ids[1]);
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddNumberToObject(doc, "from", (double)ids[0]);
    cJSON_AddNumberToObject(doc, "to", (double)ids[1]);
    cJSON *groups[3] = {cJSON_AddArrayToObject(doc, "new"), cJSON_AddArrayToObject(doc, "resolved"),
                        cJSON_AddArrayToObject(doc, "changed")};
    static const char *const gnames[3] = {"new", "resolved", "changed"};
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(st, 0);
        int g = !strcmp(kind, "new") ? 0 : !strcmp(kind, "resolved") ? 1 : 2;
        cJSON *o = cJSON_CreateObject();
        add_opt(o, "rule_id", st, 1);
        add_opt(o, "resource_uid", st, 2);
        add_opt(o, "title", st, 7);
        if (g == 0) {
            add_opt(o, "severity", st, 4);
            add_opt(o, "message", st, 6);
        } else if (g == 1) {
            add_opt(o, "severity", st, 3);
            add_opt(o, "message", st, 5);
        } else {
            add_opt(o, "severity_before", st, 3);
            add_opt(o, "severity", st, 4);
            add_opt(o, "message_before", st, 5);
            add_opt(o, "message", st, 6);
        }
        cJSON_AddItemToArray(groups[g], o);
    }
    int rc = 0;
    if (step != SQLITE_DONE) {
        fprintf(stderr, "parapet: error: cannot compare scans: %s\n", sqlite3_errmsg(db));
        rc = 2;
    } else if (!strcmp(format, "json")) {
        char *s = cJSON_Print(doc);
        printf("%s\n", s);
        cJSON_free(s);
    } else {
        printf("scan %lld -> scan %lld: %d new, %d resolved, %d changed\n", (long long)ids[0], (long long)ids[1],
               cJSON_GetArraySize(groups[0]), cJSON_GetArraySize(groups[1]), cJSON_GetArraySize(groups[2]));
        for (int g = 0; g < 3; g++) {
            const cJSON *o;
            cJSON_ArrayForEach(o, groups[g])
            {
                const char *sev = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "severity"));
                printf("%-9s %-8s %s  %s", gnames[g], sev ? sev : "-",
                       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "rule_id")),
                       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "resource_uid")));
                if (g == 2) {
                    const char *sb = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "severity_before"));
                    if (sb && sev && strcmp(sb, sev))
                        printf("  (severity %s -> %s)", sb, sev);
                    else
                        printf("  (message changed)");
                }
                putchar('\n');
            }
        }
    }
    cJSON_Delete(doc);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}
