/*
 * core/cmd_compliance.c - `parapet compliance [FRAMEWORK]`: how a stored scan
 * measures against the framework mappings (docs/rules.md).
 *
 * A requirement's status in a scan: manual when it is not automated; fail
 * when any of its rules failed on some resource; pass when none failed and
 * at least one of its rules judged a resource (pass, fail or muted);
 * "not covered" when none of its rules judged anything. A muted failure is
 * an accepted risk and does not fail the requirement. Without FRAMEWORK one
 * summary line per framework; with it, one line per requirement.
 */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "policy/framework.h"
#include "store_query.h"
#include "util.h"

#ifndef PP_POLICYDIR
#define PP_POLICYDIR "/usr/local/share/parapet/policies"
#endif

typedef struct rule_result {
    char *id;
    int failed, judged;
} rule_result;

static int cmp_rule(const void *a, const void *b)
{
    return strcmp(((const rule_result *)a)->id, ((const rule_result *)b)->id);
}

enum { REQ_PASS, REQ_FAIL, REQ_MANUAL, REQ_NOT_COVERED };
static const char *const req_status_name[] = {"pass", "fail", "manual", "not covered"};

static int req_status(const fw_requirement *r, const rule_result *res, size_t n_res, size_t *n_judged)
{
    int failed = 0, judged = 0;
    *n_judged = 0;
    for (size_t i = 0; i < r->n_rules; i++) {
        rule_result key = {r->rules[i], 0, 0};
        const rule_result *hit = bsearch(&key, res, n_res, sizeof *res, cmp_rule);
        if (hit && hit->judged) {
            judged = 1;
            (*n_judged)++;
        }
        if (hit && hit->failed)
            failed = 1;
    }
    if (!r->automated)
        return REQ_MANUAL;
    return failed ? REQ_FAIL : judged ? REQ_PASS : REQ_NOT_COVERED;
}

static double pct(size_t a, size_t total)
{
    return total ? 100.0 * (double)a / (double)total : 0.0;
}

int cmd_compliance(cli_ctx *c, int argc, char **argv)
{
    const char *fw_id = NULL, *scan = NULL, *format = "text", *dir = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(cmd_help_text("compliance"), stdout);
            return 0;
        } else if (!strcmp(a, "--scan") || !strcmp(a, "--format") || !strcmp(a, "--frameworks")) {
            if (i + 1 >= argc)
                return cli_usage_error("compliance", "%s needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--scan"))
                scan = v;
            else if (!strcmp(a, "--format"))
                format = v;
            else
                dir = v;
        } else if (a[0] == '-') {
            return cli_usage_error("compliance", "unknown option '%s'", a);
        } else if (!fw_id) {
            fw_id = a;
        } else {
            return cli_usage_error("compliance", "name at most one framework");
        }
    }
    if (strcmp(format, "text") && strcmp(format, "json"))
        return cli_usage_error("compliance", "--format takes text or json");
    sbuf dflt = {0};
    if (!dir)
        dir = config_get(c->cfg, "core", "frameworks_dir", NULL);
    if (!dir) {
        const char *pd = config_get(c->cfg, "core", "policy_dir", PP_POLICYDIR);
        const char *colon = strchr(pd, ':');
        sbuf_printf(&dflt, "%.*s/frameworks", colon ? (int)(colon - pd) : (int)strlen(pd), pd);
        dir = dflt.data;
    }
    char err[1024];
    framework *fws = NULL;
    size_t n_fws = 0;
    int rc = 2;
    sqlite3 *db = NULL;
    rule_result *res = NULL;
    size_t n_res = 0;
    cJSON *doc = NULL;
    if (frameworks_load(dir, &fws, &n_fws, err, sizeof err) != 0) {
        fprintf(stderr, "parapet: error: frameworks: %s\n", err);
        goto out;
    }
    if (!n_fws) {
        fprintf(stderr, "parapet: error: no framework mappings in %s (give --frameworks DIR)\n", dir);
        goto out;
    }
    const framework *only = NULL;
    if (fw_id) {
        for (size_t i = 0; i < n_fws; i++)
            if (!strcmp(fws[i].id, fw_id))
                only = &fws[i];
        if (!only) {
            sbuf ids = {0};
            for (size_t i = 0; i < n_fws; i++)
                sbuf_printf(&ids, "%s%s", i ? ", " : "", fws[i].id);
            fprintf(stderr, "parapet: error: no framework '%s' in %s (there are: %s)\n", fw_id, dir, ids.data);
            sbuf_free(&ids);
            goto out;
        }
    }
    db = store_query_open(c->db_path, err, sizeof err);
    int64_t scan_id;
    if (!db || store_query_scan(db, scan, &scan_id, err, sizeof err) != 0) {
        fprintf(stderr, "parapet: error: %s\n", err);
        goto out;
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT rule_id, max(status = 'fail'), max(status IN ('pass','fail','muted'))"
                           " FROM findings WHERE scan_id = ? GROUP BY rule_id ORDER BY rule_id",
                           -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "parapet: error: cannot read findings: %s\n", sqlite3_errmsg(db));
        goto out;
    }
    sqlite3_bind_int64(st, 1, scan_id);
    size_t cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n_res == cap) {
            cap = cap ? cap * 2 : 64;
            res = xrealloc(res, cap * sizeof *res);
        }
        res[n_res].id = xstrdup((const char *)sqlite3_column_text(st, 0));
        res[n_res].failed = sqlite3_column_int(st, 1);
        res[n_res].judged = sqlite3_column_int(st, 2);
        n_res++;
    }
    sqlite3_finalize(st);
    /* ORDER BY uses SQLite's binary collation: the same order as strcmp */

    doc = cJSON_CreateObject();
    cJSON_AddNumberToObject(doc, "scan_id", (double)scan_id);
    cJSON *list = cJSON_AddArrayToObject(doc, "frameworks");
    if (!strcmp(format, "text") && !only)
        printf("%-24s %6s %16s %16s %16s %16s\n", "FRAMEWORK", "REQS", "PASSED", "FAILED", "MANUAL", "NOT COVERED");
    for (size_t f = 0; f < n_fws; f++) {
        const framework *fw = &fws[f];
        if (only && fw != only)
            continue;
        size_t count[4] = {0, 0, 0, 0};
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", fw->id);
        cJSON_AddStringToObject(o, "title", fw->title ? fw->title : "");
        cJSON_AddStringToObject(o, "version", fw->version ? fw->version : "");
        cJSON *reqs = only ? cJSON_AddArrayToObject(o, "requirements") : NULL;
        if (only && !strcmp(format, "text")) {
            printf("%s %s (%s), scan %lld\n", fw->id, fw->title ? fw->title : "", fw->version ? fw->version : "",
                   (long long)scan_id);
            printf("%-14s %-12s %-7s %s\n", "REQUIREMENT", "STATUS", "RULES", "TITLE");
        }
        for (size_t r = 0; r < fw->n_reqs; r++) {
            size_t judged;
            int s = req_status(&fw->reqs[r], res, n_res, &judged);
            count[s]++;
            if (reqs) {
                cJSON *ro = cJSON_CreateObject();
                cJSON_AddStringToObject(ro, "id", fw->reqs[r].id);
                cJSON_AddStringToObject(ro, "title", fw->reqs[r].title ? fw->reqs[r].title : "");
                cJSON_AddStringToObject(ro, "section", fw->reqs[r].section ? fw->reqs[r].section : "");
                cJSON_AddStringToObject(ro, "status", req_status_name[s]);
                cJSON_AddNumberToObject(ro, "rules", (double)fw->reqs[r].n_rules);
                cJSON_AddNumberToObject(ro, "rules_judged", (double)judged);
                cJSON *fr = cJSON_AddArrayToObject(ro, "failed_rules");
                for (size_t k = 0; k < fw->reqs[r].n_rules; k++) {
                    rule_result key = {fw->reqs[r].rules[k], 0, 0};
                    const rule_result *hit = bsearch(&key, res, n_res, sizeof *res, cmp_rule);
                    if (hit && hit->failed)
                        cJSON_AddItemToArray(fr, cJSON_CreateString(hit->id));
                }
                cJSON_AddItemToArray(reqs, ro);
                if (!strcmp(format, "text")) {
                    char rules[32];
                    snprintf(rules, sizeof rules, "%zu/%zu", judged, fw->reqs[r].n_rules);
                    printf("%-14s %-12s %-7s %s\n", fw->reqs[r].id, req_status_name[s], rules,
                           fw->reqs[r].title ? fw->reqs[r].title : "");
                }
            }
        }
        static const char *const keys[4] = {"passed", "failed", "manual", "not_covered"};
        cJSON_AddNumberToObject(o, "requirement_count", (double)fw->n_reqs);
        for (int k = 0; k < 4; k++) {
            cJSON_AddNumberToObject(o, keys[k], (double)count[k]);
            char pk[32];
            snprintf(pk, sizeof pk, "%s_pct", keys[k]);
            cJSON_AddNumberToObject(o, pk, (double)(int)(pct(count[k], fw->n_reqs) * 10 + 0.5) / 10);
        }
        cJSON_AddItemToArray(list, o);
        if (!strcmp(format, "text")) {
            char cells[4][32];
            for (int k = 0; k < 4; k++)
                snprintf(cells[k], sizeof cells[k], "%zu (%.1f%%)", count[k], pct(count[k], fw->n_reqs));
            if (only)
                printf("%zu requirements: %s passed, %s failed, %s manual, %s not covered\n", fw->n_reqs, cells[0],
                       cells[1], cells[2], cells[3]);
            else
                printf("%-24s %6zu %16s %16s %16s %16s\n", fw->id, fw->n_reqs, cells[0], cells[1], cells[2],
                       cells[3]);
        }
    }
    if (!strcmp(format, "json")) {
        char *s = cJSON_Print(doc);
        printf("%s\n", s);
        cJSON_free(s);
    }
    rc = 0;
out:
    cJSON_Delete(doc);
    for (size_t i = 0; i < n_res; i++)
        free(res[i].id);
    free(res);
    if (db)
        sqlite3_close(db);
    frameworks_free(fws, n_fws);
    sbuf_free(&dflt);
    return rc;
}
