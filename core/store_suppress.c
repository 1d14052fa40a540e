/*
 * core/store_suppress.c - suppressions in the SQLite store: add, remove,
 * and the JSON the rule engine reads (docs/store.md, issue 4's contract).
 */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_sqlite_int.h"
#include "util.h"

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

int store_sq_suppression_add(store *s, const suppression *x, int64_t *id)
{
    sq *q = (sq *)s;
    sqlite3_stmt *st;
    if (!x->rule || !x->reason || !x->owner) {
        snprintf(q->err, sizeof q->err, "a suppression needs a rule, a reason and an owner");
        return -1;
    }
    if (sqlite3_prepare_v2(q->db,
                           "INSERT INTO suppressions(rule, provider, account, region, resource, tags_match, tags,"
                           " reason, owner, created_at, expires_at) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return sq_fail(q, "add suppression");
    bind_opt(st, 1, x->rule);
    bind_opt(st, 2, x->provider);
    bind_opt(st, 3, x->account);
    bind_opt(st, 4, x->region);
    bind_opt(st, 5, x->resource);
    bind_opt(st, 6, x->tags_json ? (x->tags_match ? x->tags_match : "all") : NULL);
    bind_opt(st, 7, x->tags_json);
    bind_opt(st, 8, x->reason);
    bind_opt(st, 9, x->owner);
    sqlite3_bind_int64(st, 10, x->created_at);
    if (x->expires_at > 0)
        sqlite3_bind_int64(st, 11, x->expires_at);
    else
        sqlite3_bind_null(st, 11);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sq_fail(q, "add suppression");
    if (id)
        *id = sqlite3_last_insert_rowid(q->db);
    return 0;
}

int store_sq_suppression_remove(store *s, int64_t id)
{
    sq *q = (sq *)s;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(q->db, "DELETE FROM suppressions WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
        return sq_fail(q, "remove suppression");
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sq_fail(q, "remove suppression");
    return sqlite3_changes(q->db) ? 0 : 1;
}

static void add_text_or_null(cJSON *o, const char *key, sqlite3_stmt *st, int col)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddStringToObject(o, key, (const char *)sqlite3_column_text(st, col));
}

int store_sq_suppressions_json(store *s, char **json)
{
    sq *q = (sq *)s;
    sqlite3_stmt *st;
    *json = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "SELECT id, rule, provider, account, region, resource, tags_match, tags, reason, owner,"
                           " created_at, expires_at FROM suppressions ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return sq_fail(q, "read suppressions");
    int64_t now = time_now_ns() / 1000000000LL;
    cJSON *arr = cJSON_CreateArray();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, 0));
        add_text_or_null(o, "rule", st, 1);
        add_text_or_null(o, "provider", st, 2);
        add_text_or_null(o, "account", st, 3);
        add_text_or_null(o, "region", st, 4);
        add_text_or_null(o, "resource", st, 5);
        cJSON *conds = NULL;
        if (sqlite3_column_type(st, 7) != SQLITE_NULL)
            conds = cJSON_Parse((const char *)sqlite3_column_text(st, 7));
        if (cJSON_IsArray(conds)) {
            cJSON *t = cJSON_AddObjectToObject(o, "tags");
            const char *m = (const char *)sqlite3_column_text(st, 6);
            cJSON_AddStringToObject(t, "match", m && !strcmp(m, "any") ? "any" : "all");
            cJSON_AddItemToObject(t, "conditions", conds);
        } else {
            /* a damaged tags column must not widen the suppression: it then
             * matches nothing (an impossible condition) */
            cJSON_Delete(conds);
            if (sqlite3_column_type(st, 7) != SQLITE_NULL) {
                cJSON *t = cJSON_AddObjectToObject(o, "tags");
                cJSON_AddStringToObject(t, "match", "all");
                cJSON *c = cJSON_AddArrayToObject(t, "conditions");
                cJSON *one = cJSON_CreateObject();
                cJSON_AddStringToObject(one, "key", "\x01invalid stored tag conditions");
                cJSON_AddNullToObject(one, "value");
                cJSON_AddItemToArray(c, one);
            } else {
                cJSON_AddNullToObject(o, "tags");
            }
        }
        add_text_or_null(o, "reason", st, 8);
        add_text_or_null(o, "owner", st, 9);
        cJSON_AddNumberToObject(o, "created_at", (double)sqlite3_column_int64(st, 10));
        int has_exp = sqlite3_column_type(st, 11) != SQLITE_NULL;
        int64_t exp = sqlite3_column_int64(st, 11);
        if (has_exp)
            cJSON_AddNumberToObject(o, "expires_at", (double)exp);
        else
            cJSON_AddNullToObject(o, "expires_at");
        cJSON_AddBoolToObject(o, "expired", has_exp && exp <= now);
        cJSON_AddItemToArray(arr, o);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(arr);
        return sq_fail(q, "read suppressions");
    }
    char *out = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    if (!out) {
        snprintf(q->err, sizeof q->err, "out of memory");
        return -1;
    }
    *json = xstrdup(out);
    cJSON_free(out);
    return 0;
}
