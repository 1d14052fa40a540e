/*
 * core/report/report_data.c - the JSON document of the HTML report, read
 * from the SQLite store (docs/store.md) and the framework mappings.
 *
 * Findings can number hundreds of thousands, so they are stored as rows of
 * arrays, and the columns whose values repeat (rule, type, status, title,
 * remediation, ...) hold an index into data.strings instead of the text.
 * Requirement status follows `parapet compliance` (core/cmd_compliance.c):
 * manual when not automated, fail when one of its rules failed, pass when
 * one of them judged a resource, otherwise not covered.
 */
#include "config.h"

#include "report/report_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- string table: text -> index into a JSON array ---------------------- */

typedef struct strtab {
    char **keys; /* open addressing, NULL = empty slot */
    int *idx;
    size_t cap, n;
    cJSON *arr; /* borrowed: data.strings */
} strtab;

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void strtab_grow(strtab *t)
{
    size_t cap = t->cap ? t->cap * 2 : 1024;
    char **keys = xcalloc(cap, sizeof *keys);
    int *idx = xcalloc(cap, sizeof *idx);
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->keys[i])
            continue;
        size_t j = fnv1a(t->keys[i]) & (cap - 1);
        while (keys[j])
            j = (j + 1) & (cap - 1);
        keys[j] = t->keys[i];
        idx[j] = t->idx[i];
    }
    free(t->keys);
    free(t->idx);
    t->keys = keys;
    t->idx = idx;
    t->cap = cap;
}

/* The index of @s in the table (added when new), or -1 for NULL. */
static int strtab_get(strtab *t, const char *s)
{
    if (!s)
        return -1;
    if ((t->n + 1) * 2 > t->cap)
        strtab_grow(t);
    size_t j = fnv1a(s) & (t->cap - 1);
    while (t->keys[j]) {
        if (!strcmp(t->keys[j], s))
            return t->idx[j];
        j = (j + 1) & (t->cap - 1);
    }
    t->keys[j] = xstrdup(s);
    t->idx[j] = (int)t->n++;
    cJSON_AddItemToArray(t->arr, cJSON_CreateString(s));
    return t->idx[j];
}

static void strtab_free(strtab *t)
{
    for (size_t i = 0; i < t->cap; i++)
        free(t->keys[i]);
    free(t->keys);
    free(t->idx);
}

/* ---- helpers ------------------------------------------------------------ */

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static void add_text(cJSON *o, const char *k, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

static void add_time(cJSON *o, const char *k, sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL) {
        cJSON_AddNullToObject(o, k);
        return;
    }
    char ts[32];
    time_rfc3339(sqlite3_column_int64(st, i), ts, sizeof ts);
    cJSON_AddStringToObject(o, k, ts);
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql, int64_t scan_id, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot read the store: %s", sqlite3_errmsg(db));
        return NULL;
    }
    if (sqlite3_bind_parameter_count(st) >= 1)
        sqlite3_bind_int64(st, 1, scan_id);
    return st;
}

/* Step @st to the end; -1 with @err set when it failed. */
static int finish(sqlite3 *db, sqlite3_stmt *st, int step, char *err, size_t errlen)
{
    sqlite3_finalize(st);
    if (step != SQLITE_DONE) {
        snprintf(err, errlen, "cannot read the store: %s", sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

/* ---- parts of the document ---------------------------------------------- */

static int add_scan(sqlite3 *db, int64_t scan_id, cJSON *doc, char *err, size_t errlen)
{
    sqlite3_stmt *st = prepare(db,
                               "SELECT started_at, finished_at, status, providers, resources, parapet_version"
                               " FROM scans WHERE id = ?",
                               scan_id, err, errlen);
    if (!st)
        return -1;
    int step = sqlite3_step(st);
    if (step != SQLITE_ROW) {
        sqlite3_finalize(st);
        snprintf(err, errlen, "no scan %lld in the store", (long long)scan_id);
        return -1;
    }
    cJSON *o = cJSON_AddObjectToObject(doc, "scan");
    cJSON_AddNumberToObject(o, "id", (double)scan_id);
    add_time(o, "started_at", st, 0);
    add_time(o, "finished_at", st, 1);
    add_text(o, "status", col(st, 2));
    add_text(o, "providers", col(st, 3));
    cJSON_AddNumberToObject(o, "resources", (double)sqlite3_column_int64(st, 4));
    add_text(o, "parapet_version", col(st, 5));
    sqlite3_finalize(st);
    return 0;
}

static int add_summary(sqlite3 *db, int64_t scan_id, cJSON *doc, char *err, size_t errlen)
{
    sqlite3_stmt *st =
        prepare(db,
                "SELECT count(*) FILTER (WHERE status = 'pass'), count(*) FILTER (WHERE status = 'fail'),"
                " count(*) FILTER (WHERE status = 'muted'), count(*) FILTER (WHERE status = 'error'),"
                " count(DISTINCT resource_uid) FILTER (WHERE status = 'fail')"
                " FROM findings WHERE scan_id = ?",
                scan_id, err, errlen);
    if (!st)
        return -1;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        cJSON *o = cJSON_AddObjectToObject(doc, "summary");
        int64_t passed = sqlite3_column_int64(st, 0), failed = sqlite3_column_int64(st, 1);
        cJSON_AddNumberToObject(o, "passed", (double)passed);
        cJSON_AddNumberToObject(o, "failed", (double)failed);
        cJSON_AddNumberToObject(o, "muted", (double)sqlite3_column_int64(st, 2));
        cJSON_AddNumberToObject(o, "error", (double)sqlite3_column_int64(st, 3));
        cJSON_AddNumberToObject(o, "failing_resources", (double)sqlite3_column_int64(st, 4));
        /* posture score: passed / (passed + failed), in percent, one decimal */
        if (passed + failed > 0)
            cJSON_AddNumberToObject(o, "score",
                                    (double)(int64_t)(1000.0 * (double)passed / (double)(passed + failed) + 0.5) / 10);
        else
            cJSON_AddNullToObject(o, "score");
        step = sqlite3_step(st);
    }
    return finish(db, st, step, err, errlen);
}

/* Rows of a GROUP BY as an array of objects; @names name the columns, the
 * last @n_num of them are integers. */
static int add_groups(sqlite3 *db, int64_t scan_id, cJSON *doc, const char *member, const char *sql,
                      const char *const *names, int n_cols, int n_num, char *err, size_t errlen)
{
    sqlite3_stmt *st = prepare(db, sql, scan_id, err, errlen);
    if (!st)
        return -1;
    cJSON *arr = cJSON_AddArrayToObject(doc, member);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        for (int i = 0; i < n_cols; i++) {
            if (i >= n_cols - n_num)
                cJSON_AddNumberToObject(o, names[i], (double)sqlite3_column_int64(st, i));
            else
                add_text(o, names[i], col(st, i));
        }
        cJSON_AddItemToArray(arr, o);
    }
    return finish(db, st, step, err, errlen);
}

static int add_by_severity(sqlite3 *db, int64_t scan_id, cJSON *doc, char *err, size_t errlen)
{
    static const char *const sevs[] = {"critical", "high", "medium", "low", "info"};
    cJSON *o = cJSON_AddObjectToObject(doc, "by_severity");
    for (int i = 0; i < 5; i++)
        cJSON_AddNumberToObject(o, sevs[i], 0);
    sqlite3_stmt *st = prepare(db,
                               "SELECT severity, count(*) FROM findings WHERE scan_id = ? AND status = 'fail'"
                               " GROUP BY severity",
                               scan_id, err, errlen);
    if (!st)
        return -1;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *s = col(st, 0);
        if (s && cJSON_GetObjectItemCaseSensitive(o, s))
            cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(o, s), (double)sqlite3_column_int64(st, 1));
    }
    return finish(db, st, step, err, errlen);
}

static int add_trend(sqlite3 *db, int64_t scan_id, cJSON *doc, char *err, size_t errlen)
{
    static const char *const names[] = {"id",       "started_at", "status", "resources", "passed", "failed",
                                        "critical", "high",       "medium", "low",       "info"};
    sqlite3_stmt *st = prepare(db,
                               "SELECT s.id, s.started_at, s.status, s.resources,"
                               " count(*) FILTER (WHERE f.status = 'pass'), count(*) FILTER (WHERE f.status = 'fail'),"
                               " count(*) FILTER (WHERE f.status = 'fail' AND f.severity = 'critical'),"
                               " count(*) FILTER (WHERE f.status = 'fail' AND f.severity = 'high'),"
                               " count(*) FILTER (WHERE f.status = 'fail' AND f.severity = 'medium'),"
                               " count(*) FILTER (WHERE f.status = 'fail' AND f.severity = 'low'),"
                               " count(*) FILTER (WHERE f.status = 'fail' AND f.severity = 'info')"
                               " FROM (SELECT * FROM scans WHERE id <= ?1 AND status IN ('complete', 'partial')"
                               "  ORDER BY id DESC LIMIT ?2) s"
                               " LEFT JOIN findings f ON f.scan_id = s.id"
                               " GROUP BY s.id ORDER BY s.id DESC",
                               scan_id, err, errlen);
    if (!st)
        return -1;
    sqlite3_bind_int(st, 2, REPORT_TREND_SCANS);
    cJSON *arr = cJSON_AddArrayToObject(doc, "trend");
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        for (int i = 0; i < 11; i++) {
            if (i == 1)
                add_time(o, names[i], st, i);
            else if (i == 2)
                add_text(o, names[i], col(st, i));
            else
                cJSON_AddNumberToObject(o, names[i], (double)sqlite3_column_int64(st, i));
        }
        cJSON_InsertItemInArray(arr, 0, o); /* oldest first */
    }
    return finish(db, st, step, err, errlen);
}

typedef struct rule_count {
    char *id;
    int64_t failed, passed, muted;
} rule_count;

static int cmp_rule(const void *a, const void *b)
{
    return strcmp(((const rule_count *)a)->id, ((const rule_count *)b)->id);
}

static int add_frameworks(sqlite3 *db, int64_t scan_id, const framework *fws, size_t n_fws, cJSON *doc, char *err,
                          size_t errlen)
{
    sqlite3_stmt *st = prepare(db,
                               "SELECT rule_id, count(*) FILTER (WHERE status = 'fail'),"
                               " count(*) FILTER (WHERE status = 'pass'), count(*) FILTER (WHERE status = 'muted')"
                               " FROM findings WHERE scan_id = ? GROUP BY rule_id ORDER BY rule_id",
                               scan_id, err, errlen);
    if (!st)
        return -1;
    rule_count *rc = NULL;
    size_t n = 0, cap = 0;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            rc = xrealloc(rc, cap * sizeof *rc);
        }
        rc[n].id = xstrdup(col(st, 0));
        rc[n].failed = sqlite3_column_int64(st, 1);
        rc[n].passed = sqlite3_column_int64(st, 2);
        rc[n].muted = sqlite3_column_int64(st, 3);
        n++;
    }
    int ret = finish(db, st, step, err, errlen);
    /* SQLite's binary collation orders as strcmp does: bsearch works */
    cJSON *arr = cJSON_AddArrayToObject(doc, "frameworks");
    static const char *const status_name[] = {"pass", "fail", "manual", "not covered"};
    for (size_t f = 0; ret == 0 && f < n_fws; f++) {
        const framework *fw = &fws[f];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", fw->id);
        cJSON_AddStringToObject(o, "title", fw->title ? fw->title : "");
        cJSON_AddStringToObject(o, "version", fw->version ? fw->version : "");
        cJSON *reqs = cJSON_CreateArray();
        int64_t count[4] = {0, 0, 0, 0};
        for (size_t r = 0; r < fw->n_reqs; r++) {
            const fw_requirement *req = &fw->reqs[r];
            int failed = 0, judged = 0;
            cJSON *ro = cJSON_CreateObject(), *rules = cJSON_CreateArray();
            cJSON_AddStringToObject(ro, "id", req->id);
            cJSON_AddStringToObject(ro, "title", req->title ? req->title : "");
            cJSON_AddStringToObject(ro, "section", req->section ? req->section : "");
            for (size_t k = 0; k < req->n_rules; k++) {
                rule_count key = {req->rules[k], 0, 0, 0};
                const rule_count *hit = n ? bsearch(&key, rc, n, sizeof *rc, cmp_rule) : NULL;
                cJSON *ru = cJSON_CreateArray(); /* [rule id, failed, passed, muted] */
                cJSON_AddItemToArray(ru, cJSON_CreateString(req->rules[k]));
                cJSON_AddItemToArray(ru, cJSON_CreateNumber(hit ? (double)hit->failed : 0));
                cJSON_AddItemToArray(ru, cJSON_CreateNumber(hit ? (double)hit->passed : 0));
                cJSON_AddItemToArray(ru, cJSON_CreateNumber(hit ? (double)hit->muted : 0));
                cJSON_AddItemToArray(rules, ru);
                if (hit && hit->failed)
                    failed = 1;
                if (hit && (hit->failed || hit->passed || hit->muted))
                    judged = 1;
            }
            int s = !req->automated ? 2 : failed ? 1 : judged ? 0 : 3;
            count[s]++;
            cJSON_AddStringToObject(ro, "status", status_name[s]);
            cJSON_AddItemToObject(ro, "rules", rules);
            cJSON_AddItemToArray(reqs, ro);
        }
        static const char *const keys[4] = {"passed", "failed", "manual", "not_covered"};
        cJSON_AddNumberToObject(o, "requirements", (double)fw->n_reqs);
        for (int k = 0; k < 4; k++)
            cJSON_AddNumberToObject(o, keys[k], (double)count[k]);
        /* the share of automated, judged requirements that pass */
        int64_t assessed = count[0] + count[1];
        if (assessed)
            cJSON_AddNumberToObject(o, "passed_pct",
                                    (double)(int64_t)(1000.0 * (double)count[0] / (double)assessed + 0.5) / 10);
        else
            cJSON_AddNullToObject(o, "passed_pct");
        cJSON_AddItemToObject(o, "reqs", reqs);
        cJSON_AddItemToArray(arr, o);
    }
    for (size_t i = 0; i < n; i++)
        free(rc[i].id);
    free(rc);
    return ret;
}

/* The framework ids of a finding's compliance array, space separated, in
 * order of first appearance; NULL when there are none. */
static char *framework_list(const char *compliance)
{
    cJSON *arr = compliance ? cJSON_Parse(compliance) : NULL;
    sbuf b = {0};
    cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        const cJSON *fw = cJSON_GetObjectItemCaseSensitive(it, "framework");
        if (!cJSON_IsString(fw) || !fw->valuestring[0] || strchr(fw->valuestring, ' '))
            continue;
        size_t len = strlen(fw->valuestring);
        int seen = 0;
        for (const char *p = b.data; p && *p && !seen;) {
            const char *sp = strchr(p, ' ');
            size_t l = sp ? (size_t)(sp - p) : strlen(p);
            seen = l == len && !memcmp(p, fw->valuestring, len);
            p = sp ? sp + 1 : p + l;
        }
        if (!seen)
            sbuf_printf(&b, "%s%s", b.len ? " " : "", fw->valuestring);
    }
    cJSON_Delete(arr);
    return b.len ? sbuf_steal(&b) : (sbuf_free(&b), NULL);
}

static int add_findings(sqlite3 *db, int64_t scan_id, cJSON *doc, char *err, size_t errlen)
{
    sqlite3_stmt *st =
        prepare(db,
                "SELECT f.rule_id, f.resource_uid, f.resource_type, f.status, f.severity, f.title, f.message,"
                " f.provider, f.account, f.region, l.lifecycle, f.remediation, f.compliance, f.evidence"
                " FROM findings f LEFT JOIN finding_lifecycle l ON l.scan_id = f.scan_id AND l.rule_id = f.rule_id"
                "  AND l.resource_uid = f.resource_uid AND f.status = CASE l.lifecycle WHEN 'resolved' THEN 'pass'"
                "  WHEN 'muted' THEN 'muted' ELSE 'fail' END"
                " WHERE f.scan_id = ?"
                " ORDER BY CASE f.severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2"
                "  WHEN 'low' THEN 1 ELSE 0 END DESC, f.rule_id, f.resource_uid",
                scan_id, err, errlen);
    if (!st)
        return -1;
    strtab t = {0};
    t.arr = cJSON_AddArrayToObject(doc, "strings");
    cJSON *fo = cJSON_AddObjectToObject(doc, "findings");
    static const char *const names[] = {REPORT_FINDING_COLUMNS};
    cJSON_AddItemToObject(fo, "columns", cJSON_CreateStringArray(names, (int)(sizeof names / sizeof *names)));
    cJSON *rows = cJSON_AddArrayToObject(fo, "rows");
    int step;
    long n_rows = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (++n_rows > REPORT_MAX_FINDINGS) {
            step = SQLITE_DONE;
            break;
        }
        cJSON *r = cJSON_CreateArray();
        for (int i = 0; i <= 11; i++) {
            const char *v = col(st, i);
            if (i == 1 || i == 6) /* uid and message: mostly unique */
                cJSON_AddItemToArray(r, v ? cJSON_CreateString(v) : cJSON_CreateNull());
            else {
                int k = strtab_get(&t, v);
                cJSON_AddItemToArray(r, k < 0 ? cJSON_CreateNull() : cJSON_CreateNumber(k));
            }
        }
        char *fws = framework_list(col(st, 12));
        int k = strtab_get(&t, fws);
        free(fws);
        cJSON_AddItemToArray(r, k < 0 ? cJSON_CreateNull() : cJSON_CreateNumber(k));
        const char *ev = col(st, 13); /* JSON text as stored; the page parses it */
        cJSON_AddItemToArray(r, ev ? cJSON_CreateString(ev) : cJSON_CreateNull());
        cJSON_AddItemToArray(rows, r);
    }
    cJSON_AddBoolToObject(fo, "truncated", n_rows > REPORT_MAX_FINDINGS);
    strtab_free(&t);
    return finish(db, st, step, err, errlen);
}

cJSON *report_data_build(sqlite3 *db, int64_t scan_id, const framework *fws, size_t n_fws, const char *title, char *err,
                         size_t errlen)
{
    static const char *const scope_names[] = {"provider", "account", "failed", "passed", "resources"};
    static const char *const type_names[] = {"provider", "type", "failed", "passed", "resources"};
    static const char *const inv_names[] = {"provider", "type", "count"};
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "title", title);
    char now[32];
    time_rfc3339(time_now_ns() / 1000000000, now, sizeof now);
    cJSON_AddStringToObject(doc, "generated_at", now);
    cJSON_AddStringToObject(doc, "parapet_version", PACKAGE_VERSION);
    if (add_scan(db, scan_id, doc, err, errlen) != 0 || add_summary(db, scan_id, doc, err, errlen) != 0 ||
        add_by_severity(db, scan_id, doc, err, errlen) != 0 ||
        add_groups(db, scan_id, doc, "scopes",
                   "SELECT provider, account, count(*) FILTER (WHERE status = 'fail'),"
                   " count(*) FILTER (WHERE status = 'pass'), count(DISTINCT resource_uid)"
                   " FROM findings WHERE scan_id = ? GROUP BY provider, account ORDER BY provider, account",
                   scope_names, 5, 3, err, errlen) != 0 ||
        add_groups(db, scan_id, doc, "by_type",
                   "SELECT provider, resource_type, count(*) FILTER (WHERE status = 'fail'),"
                   " count(*) FILTER (WHERE status = 'pass'), count(DISTINCT resource_uid)"
                   " FROM findings WHERE scan_id = ? GROUP BY provider, resource_type"
                   " ORDER BY 3 DESC, 2",
                   type_names, 5, 3, err, errlen) != 0 ||
        add_groups(db, scan_id, doc, "inventory",
                   "SELECT provider, type, count(*) FROM resources WHERE scan_id = ?"
                   " GROUP BY provider, type ORDER BY 3 DESC, 1, 2",
                   inv_names, 3, 1, err, errlen) != 0 ||
        add_trend(db, scan_id, doc, err, errlen) != 0 ||
        add_frameworks(db, scan_id, fws, n_fws, doc, err, errlen) != 0 ||
        add_findings(db, scan_id, doc, err, errlen) != 0) {
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}
