/*
 * core/cmd_sql.c - `parapet sql 'SELECT ...'`: ask the store anything, change
 * nothing.
 *
 * Three independent locks keep it read-only: the file is opened with
 * SQLITE_OPEN_READONLY; PRAGMA query_only is on; and an authorizer allows
 * only reading actions (SELECT, reading columns, recursive CTEs, harmless
 * functions, and a short list of pragmas that only report). Everything else
 * -- INSERT, UPDATE, DELETE, DDL, ATTACH, transactions, pragmas that set
 * something, load_extension and file functions -- is refused before it
 * runs, with the reason.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "store_query.h"
#include "util.h"

typedef struct sql_guard {
    char why[256]; /* the first refused action */
} sql_guard;

/* Functions that reach outside the database or change the connection. */
static const char *const denied_functions[] = {
    "load_extension", "readfile", "writefile", "edit", "fts3_tokenizer", "zipfile", "sqlar_compress",
    "sqlar_uncompress", "lsdir", "fsdir", "shell_add_schema", "sqlite_dbpage", "sqlite_dbdata",
};

/* Pragmas whose argument names what to report on (a table, an index). */
static const char *const object_pragmas[] = {
    "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
    "foreign_key_list", "integrity_check", "quick_check",
};

/* Pragmas that report a setting; with a value they would set it. */
static const char *const read_pragmas[] = {
    "user_version", "schema_version", "page_size", "page_count", "freelist_count",
    "function_list", "collation_list", "compile_options", "table_list", "integrity_check", "quick_check",
};

static int in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (!strcasecmp(s, list[i]))
            return 1;
    return 0;
}

static const char *action_name(int action)
{
    switch (action) {
    case SQLITE_INSERT: return "INSERT";
    case SQLITE_UPDATE: return "UPDATE";
    case SQLITE_DELETE: return "DELETE";
    case SQLITE_ATTACH: return "ATTACH";
    case SQLITE_DETACH: return "DETACH";
    case SQLITE_TRANSACTION: return "a transaction";
    case SQLITE_SAVEPOINT: return "a savepoint";
    case SQLITE_ANALYZE: return "ANALYZE";
    case SQLITE_REINDEX: return "REINDEX";
    case SQLITE_ALTER_TABLE: return "ALTER TABLE";
    case SQLITE_CREATE_VTABLE: case SQLITE_DROP_VTABLE: return "a virtual table change";
    default:
        if (action >= SQLITE_CREATE_INDEX && action <= SQLITE_DROP_VIEW)
            return "a schema change (CREATE or DROP)";
        return "a write";
    }
}

static int authorize(void *ud, int action, const char *a1, const char *a2, const char *db, const char *trigger)
{
    sql_guard *g = ud;
    (void)db;
    (void)trigger;
    switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_RECURSIVE:
        return SQLITE_OK;
    case SQLITE_FUNCTION:
        if (!in_list(a2, denied_functions, sizeof denied_functions / sizeof denied_functions[0]))
            return SQLITE_OK;
        if (!g->why[0])
            snprintf(g->why, sizeof g->why, "the function %s() is not allowed", a2);
        return SQLITE_DENY;
    case SQLITE_PRAGMA:
        if (in_list(a1, object_pragmas, sizeof object_pragmas / sizeof object_pragmas[0]) ||
            (!a2 && in_list(a1, read_pragmas, sizeof read_pragmas / sizeof read_pragmas[0])))
            return SQLITE_OK;
        if (!g->why[0])
            snprintf(g->why, sizeof g->why, "PRAGMA %s%s is not allowed (only pragmas that report)", a1 ? a1 : "",
                     a2 ? "=..." : "");
        return SQLITE_DENY;
    default:
        if (!g->why[0])
            snprintf(g->why, sizeof g->why, "%s is not allowed: the store is read-only here%s%s%s",
                     action_name(action), a1 ? " (" : "", a1 ? a1 : "", a1 ? ")" : "");
        return SQLITE_DENY;
    }
}

static int all_space(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != ';')
            return 0;
    return 1;
}

int cmd_sql(cli_ctx *c, int argc, char **argv)
{
    const char *query = NULL, *format = "text";
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--format") || !strncmp(a, "--format=", 9)) {
            if (a[8] == '=')
                format = a + 9;
            else if (i + 1 < argc)
                format = argv[++i];
            else
                return cli_usage_error("sql", "--format needs text, json, jsonl or csv");
            if (!store_query_format_ok(format, 1))
                return cli_usage_error("sql", "--format takes text, json, jsonl or csv, not '%s'", format);
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(cmd_help_text("sql"), stdout);
            return 0;
        } else if (!query) {
            query = a;
        } else {
            return cli_usage_error("sql", "give the query as one argument (quote it)");
        }
    }
    if (!query || all_space(query))
        return cli_usage_error("sql", "give a query, e.g. parapet sql 'SELECT id, status FROM scans'");
    char err[600];
    sqlite3 *db = store_query_open(c->db_path, err, sizeof err);
    if (!db) {
        fprintf(stderr, "parapet: error: %s\n", err);
        return 2;
    }
    int on = 0;
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, &on);
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, &on);
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &on);
    sqlite3_exec(db, "PRAGMA query_only=1", NULL, NULL, NULL);
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
    sql_guard g;
    memset(&g, 0, sizeof g);
    sqlite3_set_authorizer(db, authorize, &g);

    int rc = 2;
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    if (sqlite3_prepare_v2(db, query, -1, &st, &tail) != SQLITE_OK) {
        if (g.why[0])
            fprintf(stderr, "parapet: error: sql: refused: %s\n", g.why);
        else
            fprintf(stderr, "parapet: error: sql: %s\n", sqlite3_errmsg(db));
        goto out;
    }
    if (!st) {
        fprintf(stderr, "parapet: error: sql: the query has no statement\n");
        goto out;
    }
    if (!all_space(tail)) {
        fprintf(stderr, "parapet: error: sql: give one statement at a time\n");
        goto out;
    }
    if (!sqlite3_stmt_readonly(st)) {
        fprintf(stderr, "parapet: error: sql: refused: the statement would write; the store is read-only here\n");
        goto out;
    }
    if (store_query_print(st, format, stdout, err, sizeof err) < 0) {
        fprintf(stderr, "parapet: error: sql: %s\n", g.why[0] ? g.why : err);
        goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}
