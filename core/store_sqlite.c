/* core/store_sqlite.c - the embedded SQLite backend of store.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "util.h"

#define SCHEMA_VERSION 1

typedef struct sq {
    store base;
    sqlite3 *db;
    char *path;
    char err[512];
    sqlite3_stmt *ins_resource, *ins_finding, *ins_event, *ins_indicator, *ins_advisory, *ins_package;
    sqlite3_stmt *ins_error, *kv_get, *kv_set, *kv_del;
} sq;

static const char *const schema_v1[] = {
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS scans("
    " id INTEGER PRIMARY KEY, started_at INTEGER NOT NULL, finished_at INTEGER,"
    " status TEXT NOT NULL, providers TEXT NOT NULL, parapet_version TEXT,"
    " resources INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0,"
    " errors INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS resources("
    " scan_id INTEGER NOT NULL,"
    " uid TEXT NOT NULL, type TEXT NOT NULL, provider TEXT NOT NULL, account TEXT, region TEXT,"
    " name TEXT, tags TEXT, data TEXT, source TEXT, source_line INTEGER, source_column INTEGER,"
    " observed_at INTEGER, plugin TEXT NOT NULL, PRIMARY KEY(scan_id, uid)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS resources_type ON resources(type)",
    "CREATE TABLE IF NOT EXISTS findings("
    " id INTEGER PRIMARY KEY, scan_id INTEGER NOT NULL,"
    " rule_id TEXT NOT NULL, resource_uid TEXT NOT NULL, resource_type TEXT, status TEXT NOT NULL,"
    " severity TEXT NOT NULL, title TEXT, message TEXT, evidence TEXT, remediation TEXT, compliance TEXT,"
    " provider TEXT, account TEXT, region TEXT, plugin TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS findings_scan ON findings(scan_id, rule_id)",
    "CREATE TABLE IF NOT EXISTS events("
    " scan_id INTEGER NOT NULL, uid TEXT NOT NULL, type TEXT NOT NULL,"
    " provider TEXT NOT NULL, account TEXT, region TEXT, time INTEGER, actor TEXT, action TEXT,"
    " source_ip TEXT, data TEXT, plugin TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS indicators("
    " kind TEXT NOT NULL, value TEXT NOT NULL, feed TEXT NOT NULL, attributes TEXT, expires_at INTEGER,"
    " updated_at INTEGER NOT NULL, plugin TEXT NOT NULL, PRIMARY KEY(feed, kind, value))",
    "CREATE TABLE IF NOT EXISTS advisories("
    " id TEXT NOT NULL, source TEXT NOT NULL, modified INTEGER, document TEXT NOT NULL,"
    " plugin TEXT NOT NULL, PRIMARY KEY(source, id))",
    "CREATE TABLE IF NOT EXISTS packages("
    " scan_id INTEGER NOT NULL, resource_uid TEXT NOT NULL,"
    " ecosystem TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL, purl TEXT, source_name TEXT,"
    " source_version TEXT, layer TEXT, location TEXT, plugin TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS scan_errors("
    " scan_id INTEGER NOT NULL, plugin TEXT NOT NULL, task TEXT,"
    " message TEXT NOT NULL, at INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS kv("
    " plugin TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, expires_at INTEGER,"
    " PRIMARY KEY(plugin, key))",
};

static int fail(sq *q, const char *what)
{
    snprintf(q->err, sizeof q->err, "%s: %s: %s", q->path, what, sqlite3_errmsg(q->db));
    return -1;
}

static int exec(sq *q, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(q->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(q->err, sizeof q->err, "%s: %s", q->path, msg ? msg : "SQL error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int prepare(sq *q, sqlite3_stmt **st, const char *sql)
{
    if (sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
        return fail(q, "prepare");
    return 0;
}

static int migrate(sq *q)
{
    int version = 0;
    sqlite3_stmt *st;
    if (exec(q, "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)"))
        return -1;
    if (sqlite3_prepare_v2(q->db, "SELECT value FROM meta WHERE key='schema_version'", -1, &st, NULL) != SQLITE_OK)
        return fail(q, "read schema version");
    if (sqlite3_step(st) == SQLITE_ROW)
        version = atoi((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (version > SCHEMA_VERSION) {
        snprintf(q->err, sizeof q->err,
                 "%s: the store has schema version %d, newer than this parapet understands (%d): upgrade parapet",
                 q->path, version, SCHEMA_VERSION);
        return -1;
    }
    if (version == SCHEMA_VERSION)
        return 0;
    if (exec(q, "BEGIN IMMEDIATE"))
        return -1;
    for (size_t i = 0; i < sizeof schema_v1 / sizeof schema_v1[0]; i++)
        if (exec(q, schema_v1[i])) {
            exec(q, "ROLLBACK");
            return -1;
        }
    char sql[128];
    snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO meta(key, value) VALUES('schema_version', '%d')",
             SCHEMA_VERSION);
    if (exec(q, sql) || exec(q, "COMMIT")) {
        exec(q, "ROLLBACK");
        return -1;
    }
    return 0;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static int step_reset(sq *q, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return fail(q, what);
    return 0;
}

static int sq_scan_begin(store *s, const char *providers_json, int64_t started_at, int64_t *scan_id)
{
    sq *q = (sq *)s;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(q->db,
                           "INSERT INTO scans(started_at, status, providers, parapet_version) "
                           "VALUES(?, 'running', ?, ?)",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(q, "start scan");
    sqlite3_bind_int64(st, 1, started_at);
    bind_text(st, 2, providers_json);
    bind_text(st, 3, PACKAGE_VERSION);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fail(q, "start scan");
    *scan_id = sqlite3_last_insert_rowid(q->db);
    return 0;
}

static int sq_scan_end(store *s, int64_t scan_id, const char *status, int64_t finished_at, const scan_totals *t)
{
    sq *q = (sq *)s;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(q->db,
                           "UPDATE scans SET status=?, finished_at=?, resources=?, findings=?, errors=? WHERE id=?",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(q, "finish scan");
    bind_text(st, 1, status);
    sqlite3_bind_int64(st, 2, finished_at);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)t->resources);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)t->findings);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)t->errors);
    sqlite3_bind_int64(st, 6, scan_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail(q, "finish scan");
}

static int sq_begin(store *s)
{
    return exec((sq *)s, "BEGIN");
}

static int sq_commit(store *s)
{
    return exec((sq *)s, "COMMIT");
}

static int sq_put(store *s, int64_t scan_id, const rec *r)
{
    sq *q = (sq *)s;
    sqlite3_stmt *st;
    switch (r->kind) {
    case REC_RESOURCE: {
        const pp_resource *x = &r->u.resource;
        st = q->ins_resource;
        sqlite3_bind_int64(st, 1, scan_id);
        bind_text(st, 2, x->uid);
        bind_text(st, 3, x->type);
        bind_text(st, 4, x->provider);
        bind_text(st, 5, x->account);
        bind_text(st, 6, x->region);
        bind_text(st, 7, x->name);
        bind_text(st, 8, x->tags_json);
        bind_text(st, 9, x->data_json);
        bind_text(st, 10, x->source);
        sqlite3_bind_int64(st, 11, x->source_line);
        sqlite3_bind_int64(st, 12, x->source_column);
        sqlite3_bind_int64(st, 13, x->observed_at);
        bind_text(st, 14, r->plugin);
        return step_reset(q, st, "store resource");
    }
    case REC_FINDING: {
        const pp_finding *x = &r->u.finding;
        st = q->ins_finding;
        sqlite3_bind_int64(st, 1, scan_id);
        bind_text(st, 2, x->rule_id);
        bind_text(st, 3, x->resource_uid);
        bind_text(st, 4, x->resource_type);
        bind_text(st, 5, status_name(x->status));
        bind_text(st, 6, severity_name(x->severity));
        bind_text(st, 7, x->title);
        bind_text(st, 8, x->message);
        bind_text(st, 9, x->evidence_json);
        bind_text(st, 10, x->remediation);
        bind_text(st, 11, x->compliance_json);
        bind_text(st, 12, x->provider);
        bind_text(st, 13, x->account);
        bind_text(st, 14, x->region);
        bind_text(st, 15, r->plugin);
        return step_reset(q, st, "store finding");
    }
    case REC_EVENT: {
        const pp_event *x = &r->u.event;
        st = q->ins_event;
        sqlite3_bind_int64(st, 1, scan_id);
        bind_text(st, 2, x->uid);
        bind_text(st, 3, x->type);
        bind_text(st, 4, x->provider);
        bind_text(st, 5, x->account);
        bind_text(st, 6, x->region);
        sqlite3_bind_int64(st, 7, x->time);
        bind_text(st, 8, x->actor);
        bind_text(st, 9, x->action);
        bind_text(st, 10, x->source_ip);
        bind_text(st, 11, x->data_json);
        bind_text(st, 12, r->plugin);
        return step_reset(q, st, "store event");
    }
    case REC_INDICATOR: {
        const pp_indicator *x = &r->u.indicator;
        st = q->ins_indicator;
        bind_text(st, 1, x->kind);
        bind_text(st, 2, x->value);
        bind_text(st, 3, x->feed);
        bind_text(st, 4, x->attributes_json);
        sqlite3_bind_int64(st, 5, x->expires_at);
        sqlite3_bind_int64(st, 6, time_now_ns() / 1000000000LL);
        bind_text(st, 7, r->plugin);
        return step_reset(q, st, "store indicator");
    }
    case REC_ADVISORY: {
        const pp_advisory *x = &r->u.advisory;
        st = q->ins_advisory;
        bind_text(st, 1, x->id);
        bind_text(st, 2, x->source);
        sqlite3_bind_int64(st, 3, x->modified);
        bind_text(st, 4, x->document_json);
        bind_text(st, 5, r->plugin);
        return step_reset(q, st, "store advisory");
    }
    case REC_PACKAGE: {
        const pp_package *x = &r->u.package;
        st = q->ins_package;
        sqlite3_bind_int64(st, 1, scan_id);
        bind_text(st, 2, x->resource_uid);
        bind_text(st, 3, x->ecosystem);
        bind_text(st, 4, x->name);
        bind_text(st, 5, x->version);
        bind_text(st, 6, x->purl);
        bind_text(st, 7, x->source_name);
        bind_text(st, 8, x->source_version);
        bind_text(st, 9, x->layer);
        bind_text(st, 10, x->location);
        bind_text(st, 11, r->plugin);
        return step_reset(q, st, "store package");
    }
    }
    return -1;
}

static int sq_scan_error(store *s, int64_t scan_id, const char *plugin, const char *task, const char *message)
{
    sq *q = (sq *)s;
    sqlite3_stmt *st = q->ins_error;
    sqlite3_bind_int64(st, 1, scan_id);
    bind_text(st, 2, plugin);
    bind_text(st, 3, task);
    bind_text(st, 4, message);
    sqlite3_bind_int64(st, 5, time_now_ns() / 1000000000LL);
    return step_reset(q, st, "store scan error");
}

static int sq_kv_get(store *s, const char *plugin, const char *key, char **val, size_t *len)
{
    sq *q = (sq *)s;
    sqlite3_stmt *st = q->kv_get;
    bind_text(st, 1, plugin);
    bind_text(st, 2, key);
    sqlite3_bind_int64(st, 3, time_now_ns() / 1000000000LL);
    int rc = sqlite3_step(st);
    int result = -1;
    if (rc == SQLITE_ROW) {
        int n = sqlite3_column_bytes(st, 0);
        const void *p = sqlite3_column_blob(st, 0);
        *val = xmalloc((size_t)n + 1);
        if (n)
            memcpy(*val, p, (size_t)n);
        (*val)[n] = '\0';
        *len = (size_t)n;
        result = 0;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return result;
}

static int sq_kv_set(store *s, const char *plugin, const char *key, const char *val, size_t len, uint32_t ttl_s)
{
    sq *q = (sq *)s;
    if (!val) {
        sqlite3_stmt *st = q->kv_del;
        bind_text(st, 1, plugin);
        bind_text(st, 2, key);
        return step_reset(q, st, "delete cache entry");
    }
    sqlite3_stmt *st = q->kv_set;
    bind_text(st, 1, plugin);
    bind_text(st, 2, key);
    sqlite3_bind_blob(st, 3, val, (int)len, SQLITE_STATIC);
    if (ttl_s)
        sqlite3_bind_int64(st, 4, time_now_ns() / 1000000000LL + ttl_s);
    else
        sqlite3_bind_null(st, 4);
    return step_reset(q, st, "store cache entry");
}

static void sq_close(store *s)
{
    sq *q = (sq *)s;
    if (!q)
        return;
    sqlite3_stmt *sts[] = {q->ins_resource, q->ins_finding, q->ins_event, q->ins_indicator, q->ins_advisory,
                           q->ins_package,  q->ins_error,   q->kv_get,    q->kv_set,        q->kv_del};
    for (size_t i = 0; i < sizeof sts / sizeof sts[0]; i++)
        sqlite3_finalize(sts[i]);
    sqlite3_close(q->db);
    free(q->path);
    free(q);
}

static const char *sq_last_error(store *s)
{
    return ((sq *)s)->err;
}

static const store_ops sqlite_ops = {
    .name = "sqlite",
    .scan_begin = sq_scan_begin,
    .scan_end = sq_scan_end,
    .begin = sq_begin,
    .commit = sq_commit,
    .put = sq_put,
    .scan_error = sq_scan_error,
    .kv_get = sq_kv_get,
    .kv_set = sq_kv_set,
    .suppressions_json = NULL,
    .close = sq_close,
    .last_error = sq_last_error,
};

/* Create the parent directory of @path (0700) when missing. */
static int ensure_parent(const char *path, char *err, size_t errlen)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    if (mkdir_p(dir, 0700) != 0) {
        snprintf(err, errlen, "%s: cannot create directory %s: %s", path, dir, strerror(errno));
        return -1;
    }
    return 0;
}

store *store_sqlite_open(const char *path, char *err, size_t errlen)
{
    if (ensure_parent(path, err, errlen))
        return NULL;
    /* create the file ourselves so its mode is 0600 from the first byte */
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open the store: %s", path,
                 errno == ELOOP ? "it is a symbolic link" : strerror(errno));
        return NULL;
    }
    close(fd);
    sq *q = xcalloc(1, sizeof *q);
    q->base.ops = &sqlite_ops;
    q->path = xstrdup(path);
    if (sqlite3_open_v2(path, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot open the store: %s", path, q->db ? sqlite3_errmsg(q->db) : "out of memory");
        sq_close(&q->base);
        return NULL;
    }
    sqlite3_busy_timeout(q->db, 10000);
    sqlite3_extended_result_codes(q->db, 1);
    /* 16 KiB pages: inventories are bulk-written rows of JSON, and every page
     * is one write() to the WAL and another at checkpoint; measured fastest of
     * 4, 16 and 64 KiB on the pipeline benchmark. Takes effect on a new file.
     * temp_store=MEMORY keeps statement journals off the disk. */
    if (exec(q, "PRAGMA page_size=16384") || exec(q, "PRAGMA journal_mode=WAL") ||
        exec(q, "PRAGMA synchronous=NORMAL") ||
        exec(q, "PRAGMA temp_store=MEMORY") || migrate(q) ||
        exec(q, "UPDATE scans SET status='aborted' WHERE status='running'") ||
        prepare(q, &q->ins_resource,
                "INSERT OR IGNORE INTO resources(scan_id, uid, type, provider, account, region, name, tags, data,"
                " source, source_line, source_column, observed_at, plugin) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)") ||
        prepare(q, &q->ins_finding,
                "INSERT INTO findings(scan_id, rule_id, resource_uid, resource_type, status, severity, title,"
                " message, evidence, remediation, compliance, provider, account, region, plugin)"
                " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)") ||
        prepare(q, &q->ins_event,
                "INSERT INTO events(scan_id, uid, type, provider, account, region, time, actor, action,"
                " source_ip, data, plugin) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)") ||
        prepare(q, &q->ins_indicator,
                "INSERT OR REPLACE INTO indicators(kind, value, feed, attributes, expires_at, updated_at, plugin)"
                " VALUES(?,?,?,?,?,?,?)") ||
        prepare(q, &q->ins_advisory,
                "INSERT OR REPLACE INTO advisories(id, source, modified, document, plugin) VALUES(?,?,?,?,?)") ||
        prepare(q, &q->ins_package,
                "INSERT INTO packages(scan_id, resource_uid, ecosystem, name, version, purl, source_name,"
                " source_version, layer, location, plugin) VALUES(?,?,?,?,?,?,?,?,?,?,?)") ||
        prepare(q, &q->ins_error,
                "INSERT INTO scan_errors(scan_id, plugin, task, message, at) VALUES(?,?,?,?,?)") ||
        prepare(q, &q->kv_get,
                "SELECT value FROM kv WHERE plugin=? AND key=? AND (expires_at IS NULL OR expires_at > ?)") ||
        prepare(q, &q->kv_set, "INSERT OR REPLACE INTO kv(plugin, key, value, expires_at) VALUES(?,?,?,?)") ||
        prepare(q, &q->kv_del, "DELETE FROM kv WHERE plugin=? AND key=?")) {
        snprintf(err, errlen, "%s", q->err);
        sq_close(&q->base);
        return NULL;
    }
    return &q->base;
}

store *store_open(const char *path, char *err, size_t errlen)
{
    if (strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0) {
        snprintf(err, errlen, "the PostgreSQL store backend is not part of this build; use a file path");
        return NULL;
    }
    if (strncmp(path, "sqlite:", 7) == 0)
        path += 7;
    return store_sqlite_open(path, err, errlen);
}
