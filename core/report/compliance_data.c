/*
 * core/report/compliance_data.c - the compliance report's JSON document
 * (see compliance_data.h; the members are documented in docs/report.md).
 */
#include "config.h"

#include "report/compliance_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

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

static void add_time_value(cJSON *o, const char *k, int64_t t)
{
    char ts[32];
    time_rfc3339(t, ts, sizeof ts);
    cJSON_AddStringToObject(o, k, ts);
}

/* Column @i as an RFC 3339 time, or null. */
static void add_time(cJSON *o, const char *k, sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        cJSON_AddNullToObject(o, k);
    else
        add_time_value(o, k, sqlite3_column_int64(st, i));
}

static int store_error(sqlite3 *db, char *err, size_t errlen)
{
    snprintf(err, errlen, "cannot read the store: %s", sqlite3_errmsg(db));
    return -1;
}

/* Percent of @a in @total with one decimal, as `parapet compliance`. */
static double pct1(size_t a, size_t total)
{
    if (!total)
        return 0.0;
    return (double)(int)(1000.0 * (double)a / (double)total + 0.5) / 10;
}

/* ---- scan and scope ------------------------------------------------------ */

/* The distinct non-null values of @column of the scan's resources, sorted,
 * as array @key of @o. */
static int add_distinct(sqlite3 *db, int64_t scan_id, cJSON *o, const char *key, const char *column, char *err,
                        size_t errlen)
{
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT DISTINCT %s FROM resources WHERE scan_id = ? AND %s IS NOT NULL AND %s <> '' ORDER BY 1", column,
             column, column);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_error(db, err, errlen);
    sqlite3_bind_int64(st, 1, scan_id);
    cJSON *a = cJSON_AddArrayToObject(o, key);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        cJSON_AddItemToArray(a, cJSON_CreateString(col(st, 0)));
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? 0 : store_error(db, err, errlen);
}

static int add_scan(sqlite3 *db, int64_t scan_id, cJSON *doc, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT started_at, finished_at, status, providers, resources, parapet_version"
                           " FROM scans WHERE id = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return store_error(db, err, errlen);
    sqlite3_bind_int64(st, 1, scan_id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        snprintf(err, errlen, "no scan %lld in the store", (long long)scan_id);
        return -1;
    }
    cJSON *o = cJSON_AddObjectToObject(doc, "scan");
    cJSON_AddNumberToObject(o, "id", (double)scan_id);
    add_time(o, "started_at", st, 0);
    add_time(o, "finished_at", st, 1);
    add_text(o, "status", col(st, 2));
    /* the plugins that ran: a JSON array in the store */
    cJSON *plugins = col(st, 3) ? cJSON_Parse(col(st, 3)) : NULL;
    if (cJSON_IsArray(plugins))
        cJSON_AddItemToObject(o, "plugins", plugins);
    else {
        cJSON_Delete(plugins);
        cJSON_AddItemToObject(o, "plugins", cJSON_CreateArray());
    }
    cJSON_AddNumberToObject(o, "resources", (double)sqlite3_column_int64(st, 4));
    add_text(o, "parapet_version", col(st, 5));
    sqlite3_finalize(st);
    if (add_distinct(db, scan_id, o, "providers", "provider", err, errlen) != 0 ||
        add_distinct(db, scan_id, o, "accounts", "account", err, errlen) != 0 ||
        add_distinct(db, scan_id, o, "regions", "region", err, errlen) != 0)
        return -1;
    return 0;
}

/* ---- requirements ------------------------------------------------------- */

/* The findings of one rule in the scan, failing first (then error, muted,
 * passed), by severity and resource; muted ones with the suppression their
 * evidence names (id only when it has since been removed). */
static const char RULE_FINDINGS_SQL[] =
    "SELECT f.resource_uid, f.resource_type, f.provider, f.account, f.region, f.status, f.severity, f.title,"
    " f.message, f.evidence, sid, s.reason, s.owner, s.created_at, s.expires_at, s.id"
    " FROM (SELECT *, CASE WHEN status = 'muted' AND json_valid(evidence)"
    "        THEN json_extract(evidence, '$.suppression') END AS sid"
    "       FROM findings WHERE scan_id = ?1 AND rule_id = ?2) AS f"
    " LEFT JOIN suppressions s ON s.id = f.sid"
    " ORDER BY CASE f.status WHEN 'fail' THEN 0 WHEN 'error' THEN 1 WHEN 'muted' THEN 2 ELSE 3 END,"
    " CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END,"
    " f.resource_uid, f.id";

/* The exception object of a muted finding (the current row of @st). */
static cJSON *exception_of(sqlite3_stmt *st, int64_t now)
{
    cJSON *x = cJSON_CreateObject();
    if (sqlite3_column_type(st, 10) == SQLITE_INTEGER)
        cJSON_AddNumberToObject(x, "suppression_id", (double)sqlite3_column_int64(st, 10));
    else
        cJSON_AddNullToObject(x, "suppression_id");
    int found = sqlite3_column_type(st, 15) != SQLITE_NULL;
    cJSON_AddBoolToObject(x, "suppression_found", found);
    add_text(x, "reason", found ? col(st, 11) : NULL);
    add_text(x, "owner", found ? col(st, 12) : NULL);
    if (found) {
        add_time(x, "created_at", st, 13);
        add_time(x, "expires_at", st, 14);
    } else {
        cJSON_AddNullToObject(x, "created_at");
        cJSON_AddNullToObject(x, "expires_at");
    }
    int expired = found && sqlite3_column_type(st, 14) != SQLITE_NULL && sqlite3_column_int64(st, 14) <= now;
    cJSON_AddBoolToObject(x, "expired", expired);
    return x;
}

/* The object of rule @rule of a requirement: counts, status and its
 * resources; muted ones are also added to @exceptions. */
static cJSON *rule_object(sqlite3 *db, sqlite3_stmt *st, const char *rule, int64_t now, cJSON *exceptions, int *failed,
                          int *judged, char *err, size_t errlen)
{
    sqlite3_reset(st);
    sqlite3_bind_text(st, 2, rule, -1, SQLITE_TRANSIENT);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", rule);
    cJSON *res = cJSON_CreateArray();
    size_t n[4] = {0, 0, 0, 0}; /* fail, pass, muted, error */
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *status = col(st, 5);
        cJSON *r = cJSON_CreateObject();
        add_text(r, "uid", col(st, 0));
        add_text(r, "type", col(st, 1));
        add_text(r, "provider", col(st, 2));
        add_text(r, "account", col(st, 3));
        add_text(r, "region", col(st, 4));
        add_text(r, "result", status);
        add_text(r, "severity", col(st, 6));
        add_text(r, "title", col(st, 7));
        add_text(r, "message", col(st, 8));
        const char *ev = col(st, 9);
        cJSON *evj = ev ? cJSON_Parse(ev) : NULL;
        if (evj)
            cJSON_AddItemToObject(r, "evidence", evj);
        else
            add_text(r, "evidence", ev);
        if (!strcmp(status, "fail"))
            n[0]++;
        else if (!strcmp(status, "pass"))
            n[1]++;
        else if (!strcmp(status, "muted"))
            n[2]++;
        else
            n[3]++;
        if (!strcmp(status, "muted")) {
            cJSON *x = exception_of(st, now);
            cJSON *ex = cJSON_Duplicate(x, 1);
            cJSON_AddStringToObject(ex, "rule", rule);
            add_text(ex, "resource", col(st, 0));
            add_text(ex, "provider", col(st, 2));
            add_text(ex, "account", col(st, 3));
            add_text(ex, "region", col(st, 4));
            cJSON_AddItemToArray(exceptions, ex);
            cJSON_AddItemToObject(r, "exception", x);
        } else {
            cJSON_AddNullToObject(r, "exception");
        }
        cJSON_AddItemToArray(res, r);
    }
    if (step != SQLITE_DONE) {
        cJSON_Delete(o);
        cJSON_Delete(res);
        store_error(db, err, errlen);
        return NULL;
    }
    *failed = n[0] > 0;
    *judged = n[0] + n[1] + n[2] > 0;
    cJSON_AddStringToObject(o, "status", n[0] ? "fail" : *judged ? "pass" : "not judged");
    cJSON_AddNumberToObject(o, "failed", (double)n[0]);
    cJSON_AddNumberToObject(o, "passed", (double)n[1]);
    cJSON_AddNumberToObject(o, "muted", (double)n[2]);
    cJSON_AddNumberToObject(o, "error", (double)n[3]);
    cJSON_AddItemToObject(o, "resources", res);
    return o;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The muted findings of the scan whose rule @fw maps, counted once each
 * however many requirements share the rule: *@n, and *@n_expired of them
 * under a suppression expired by @now. */
static int count_exceptions(sqlite3 *db, int64_t scan_id, const framework *fw, int64_t now, size_t *n,
                            size_t *n_expired, char *err, size_t errlen)
{
    *n = *n_expired = 0;
    size_t n_rules = 0;
    for (size_t i = 0; i < fw->n_reqs; i++)
        n_rules += fw->reqs[i].n_rules;
    const char **rules = xcalloc(n_rules ? n_rules : 1, sizeof *rules);
    size_t k = 0;
    for (size_t i = 0; i < fw->n_reqs; i++)
        for (size_t j = 0; j < fw->reqs[i].n_rules; j++)
            rules[k++] = fw->reqs[i].rules[j];
    if (n_rules)
        qsort(rules, n_rules, sizeof *rules, cmp_str);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT f.rule_id, count(DISTINCT f.resource_uid),"
                           " count(DISTINCT CASE WHEN s.expires_at <= ?2 THEN f.resource_uid END)"
                           " FROM findings f LEFT JOIN suppressions s ON s.id = CASE WHEN json_valid(f.evidence)"
                           "  THEN json_extract(f.evidence, '$.suppression') END"
                           " WHERE f.scan_id = ?1 AND f.status = 'muted' GROUP BY f.rule_id",
                           -1, &st, NULL) != SQLITE_OK) {
        free(rules);
        return store_error(db, err, errlen);
    }
    sqlite3_bind_int64(st, 1, scan_id);
    sqlite3_bind_int64(st, 2, now);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *rule = col(st, 0);
        if (n_rules && bsearch(&rule, rules, n_rules, sizeof *rules, cmp_str)) {
            *n += (size_t)sqlite3_column_int64(st, 1);
            *n_expired += (size_t)sqlite3_column_int64(st, 2);
        }
    }
    sqlite3_finalize(st);
    free(rules);
    return step == SQLITE_DONE ? 0 : store_error(db, err, errlen);
}

enum { REQ_PASS, REQ_FAIL, REQ_MANUAL, REQ_NOT_COVERED };
static const char *const req_status_name[] = {"passed", "failed", "manual", "not covered"};

static int add_requirements(sqlite3 *db, int64_t scan_id, const framework *fw, int64_t now, cJSON *doc, char *err,
                            size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, RULE_FINDINGS_SQL, -1, &st, NULL) != SQLITE_OK)
        return store_error(db, err, errlen);
    sqlite3_bind_int64(st, 1, scan_id);
    size_t count[4] = {0, 0, 0, 0};
    cJSON *reqs = cJSON_AddArrayToObject(doc, "requirements");
    for (size_t i = 0; i < fw->n_reqs; i++) {
        const fw_requirement *rq = &fw->reqs[i];
        cJSON *ro = cJSON_CreateObject();
        cJSON_AddItemToArray(reqs, ro);
        cJSON_AddStringToObject(ro, "id", rq->id);
        cJSON_AddStringToObject(ro, "title", rq->title ? rq->title : "");
        cJSON_AddStringToObject(ro, "section", rq->section ? rq->section : "");
        cJSON_AddBoolToObject(ro, "automated", rq->automated);
        cJSON *rules = cJSON_CreateArray();
        cJSON *exceptions = cJSON_CreateArray();
        int any_failed = 0;
        size_t judged = 0;
        for (size_t k = 0; k < rq->n_rules; k++) {
            int failed, rule_judged;
            cJSON *r = rule_object(db, st, rq->rules[k], now, exceptions, &failed, &rule_judged, err, errlen);
            if (!r) {
                cJSON_Delete(rules);
                cJSON_Delete(exceptions);
                sqlite3_finalize(st);
                return -1;
            }
            any_failed |= failed;
            judged += (size_t)rule_judged;
            cJSON_AddItemToArray(rules, r);
        }
        int s = !rq->automated ? REQ_MANUAL : any_failed ? REQ_FAIL : judged ? REQ_PASS : REQ_NOT_COVERED;
        count[s]++;
        cJSON_AddStringToObject(ro, "status", req_status_name[s]);
        cJSON_AddNumberToObject(ro, "rules_judged", (double)judged);
        cJSON_AddItemToObject(ro, "rules", rules);
        cJSON_AddItemToObject(ro, "exceptions", exceptions);
    }
    sqlite3_finalize(st);

    cJSON *sum = cJSON_CreateObject();
    static const char *const keys[4] = {"passed", "failed", "manual", "not_covered"};
    cJSON_AddNumberToObject(sum, "requirements", (double)fw->n_reqs);
    for (int k = 0; k < 4; k++)
        cJSON_AddNumberToObject(sum, keys[k], (double)count[k]);
    for (int k = 0; k < 4; k++) {
        char pk[32];
        snprintf(pk, sizeof pk, "%s_pct", keys[k]);
        cJSON_AddNumberToObject(sum, pk, pct1(count[k], fw->n_reqs));
    }
    /* the share of judged requirements that pass, as the dashboard shows */
    cJSON_AddNumberToObject(sum, "score_pct", pct1(count[REQ_PASS], count[REQ_PASS] + count[REQ_FAIL]));
    size_t n_exc, n_expired;
    if (count_exceptions(db, scan_id, fw, now, &n_exc, &n_expired, err, errlen) != 0) {
        cJSON_Delete(sum);
        return -1;
    }
    cJSON_AddNumberToObject(sum, "exceptions", (double)n_exc);
    cJSON_AddNumberToObject(sum, "expired_exceptions", (double)n_expired);
    /* summary goes before the requirements, for readers of the text */
    cJSON_DetachItemViaPointer(doc, reqs);
    cJSON_AddItemToObject(doc, "summary", sum);
    cJSON_AddItemToObject(doc, "requirements", reqs);
    return 0;
}

cJSON *compliance_data_build(sqlite3 *db, int64_t scan_id, const framework *fw, int64_t now, char *err, size_t errlen)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "report", "compliance");
    cJSON_AddNumberToObject(doc, "format_version", COMPLIANCE_FORMAT_VERSION);
    add_time_value(doc, "generated_at", now);
    cJSON_AddStringToObject(doc, "parapet_version", PACKAGE_VERSION);
    cJSON *f = cJSON_AddObjectToObject(doc, "framework");
    cJSON_AddStringToObject(f, "id", fw->id);
    cJSON_AddStringToObject(f, "title", fw->title ? fw->title : "");
    cJSON_AddStringToObject(f, "version", fw->version ? fw->version : "");
    if (add_scan(db, scan_id, doc, err, errlen) != 0 || add_requirements(db, scan_id, fw, now, doc, err, errlen) != 0) {
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}
