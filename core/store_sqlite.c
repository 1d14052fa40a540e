/* core/store_sqlite.c - the embedded SQLite backend of store.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "store_sqlite_int.h"
#include "util.h"

int sq_fail(sq *q, const char *what)
{
    snprintf(q->err, sizeof q->err, "%s: %s: %s", q->path, what, sqlite3_errmsg(q->db));
    return -1;
}

int sq_exec(sq *q, const char *sql)
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
        return sq_fail(q, "prepare");
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
        return sq_fail(q, what);
    return 0;
}

/* The lock file that tells "a scan is running" across processes. */
static int open_scan_lock(sq *q)
{
    sbuf p = {0};
    sbuf_printf(&p, "%s-scans.lock", q->path);
    int fd = open(p.data, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        snprintf(q->err, sizeof q->err, "%s: cannot open the lock file %s: %s", q->path, p.data, strerror(errno));
    sbuf_free(&p);
    return fd;
}

/* Mark the scans of dead processes aborted: only when no process holds the
 * scan lock, i.e. no scan is running on this store anywhere. */
static int mark_aborted(sq *q)
{
    int fd = open_scan_lock(q);
    if (fd < 0)
        return -1;
    int rc = 0;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
        rc = sq_exec(q, "UPDATE scans SET status='aborted' WHERE status='running'");
        flock(fd, LOCK_UN);
    }
    close(fd);
    return rc;
}

static int sq_scan_begin(store *s, const char *providers_json, int64_t started_at, int64_t *scan_id)
{
    sq *q = (sq *)s;
    sqlite3_stmt *st;
    if (q->scan_lock_fd < 0) {
        q->scan_lock_fd = open_scan_lock(q);
        if (q->scan_lock_fd < 0)
            return -1;
        while (flock(q->scan_lock_fd, LOCK_SH) != 0) {
            if (errno != EINTR) {
                snprintf(q->err, sizeof q->err, "%s: cannot lock the store: %s", q->path, strerror(errno));
                close(q->scan_lock_fd);
                q->scan_lock_fd = -1;
                return -1;
            }
        }
    }
    if (sqlite3_prepare_v2(q->db,
                           "INSERT INTO scans(started_at, status, providers, parapet_version) "
                           "VALUES(?, 'running', ?, ?)",
                           -1, &st, NULL) != SQLITE_OK)
        return sq_fail(q, "start scan");
    sqlite3_bind_int64(st, 1, started_at);
    bind_text(st, 2, providers_json);
    bind_text(st, 3, PACKAGE_VERSION);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sq_fail(q, "start scan");
    *scan_id = sqlite3_last_insert_rowid(q->db);
    return 0;
}

/* Finish the scan row and, for a complete or partial scan, the lifecycle of
 * its findings: one transaction, so a kill leaves either both or neither. */
static int sq_scan_end(store *s, int64_t scan_id, const char *status, int64_t finished_at, const scan_totals *t)
{
    sq *q = (sq *)s;
    sqlite3_stmt *st;
    if (sq_exec(q, "BEGIN IMMEDIATE"))
        return -1;
    if (sqlite3_prepare_v2(q->db,
                           "UPDATE scans SET status=?, finished_at=?, resources=?, findings=?, errors=? WHERE id=?",
                           -1, &st, NULL) != SQLITE_OK) {
        sq_fail(q, "finish scan");
        goto rollback;
    }
    bind_text(st, 1, status);
    sqlite3_bind_int64(st, 2, finished_at);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)t->resources);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)t->findings);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)t->errors);
    sqlite3_bind_int64(st, 6, scan_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        sq_fail(q, "finish scan");
        goto rollback;
    }
    int complete = status && strcmp(status, "complete") == 0;
    if ((complete || (status && strcmp(status, "partial") == 0)) &&
        store_lifecycle_apply(q, scan_id, complete, finished_at) != 0)
        goto rollback;
    if (sq_exec(q, "COMMIT"))
        goto rollback;
    if (q->scan_lock_fd >= 0) {
        close(q->scan_lock_fd); /* releases the shared lock */
        q->scan_lock_fd = -1;
    }
    return 0;
rollback:
    sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

static int sq_begin(store *s)
{
    /* take the write lock at once: a deferred transaction that reads first
     * and writes later fails without waiting (SQLITE_BUSY) when the scan's
     * second connection (the plugins' kv cache) wrote in between */
    return sq_exec((sq *)s, "BEGIN IMMEDIATE");
}

static int sq_commit(store *s)
{
    return sq_exec((sq *)s, "COMMIT");
}

/* Run @st (every parameter of which the caller bound) and reset it. Hot
 * paths skip sqlite3_clear_bindings: each put binds every parameter. */
static int step_reset_bound(sq *q, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return sq_fail(q, what);
    return 0;
}

/* The id of the version (@uid, @h), or 0 when there is none; -1 on error. */
static int64_t find_version(sq *q, const char *uid, const unsigned char *h)
{
    sqlite3_stmt *st = q->find_version;
    bind_text(st, 1, uid);
    sqlite3_bind_blob(st, 2, h, STORE_HASH_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int64_t version = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_fail(q, "look up resource version");
    return version;
}

/* A resource: its content once per (uid, hash) in resource_versions, and a
 * small row in scan_resources.
 *
 * Finding the version costs one index search when it exists (look it up) and
 * one when it is new (insert it; INSERT OR IGNORE tells by changing no row).
 * Which to try first follows the previous resource: a first scan stores new
 * versions one after another, a rescan mostly finds unchanged ones. Either
 * order gives the same rows. */
static int put_resource(sq *q, int64_t scan_id, const rec *r)
{
    const pp_resource *x = &r->u.resource;
    const char *text[9] = {x->type, x->provider, x->account, x->region, x->name,
                           x->tags_json, x->data_json, x->source, r->plugin};
    unsigned char h[STORE_HASH_LEN];
    if (store_resource_hash(q, text, x->source_line, x->source_column, h) != 0) {
        snprintf(q->err, sizeof q->err, "%s: cannot compute a content hash (OpenSSL)", q->path);
        return -1;
    }
    int64_t version = 0;
    if (!q->last_version_new && (version = find_version(q, x->uid, h)) < 0)
        return -1;
    if (version == 0) {
        sqlite3_stmt *st = q->ins_version;
        bind_text(st, 1, x->uid);
        sqlite3_bind_blob(st, 2, h, sizeof h, SQLITE_STATIC);
        for (int i = 0; i < 8; i++)
            bind_text(st, 3 + i, text[i]);
        sqlite3_bind_int64(st, 11, x->source_line);
        sqlite3_bind_int64(st, 12, x->source_column);
        bind_text(st, 13, r->plugin);
        if (step_reset_bound(q, st, "store resource"))
            return -1;
        if (sqlite3_changes(q->db) == 1) {
            version = sqlite3_last_insert_rowid(q->db);
            q->last_version_new = 1;
        } else {
            /* it existed after all (tried the insert first) */
            q->last_version_new = 0;
            if ((version = find_version(q, x->uid, h)) <= 0) {
                if (version == 0)
                    snprintf(q->err, sizeof q->err, "%s: store resource: version of %s not found", q->path, x->uid);
                return -1;
            }
        }
    } else {
        q->last_version_new = 0;
    }
    sqlite3_stmt *st = q->ins_scan_resource;
    sqlite3_bind_int64(st, 1, scan_id);
    bind_text(st, 2, x->uid);
    sqlite3_bind_int64(st, 3, version);
    sqlite3_bind_int64(st, 4, x->observed_at);
    return step_reset_bound(q, st, "store resource");
}

static int sq_put(store *s, int64_t scan_id, const rec *r)
{
    sq *q = (sq *)s;
    sqlite3_stmt *st;
    switch (r->kind) {
    case REC_RESOURCE:
        return put_resource(q, scan_id, r);
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
        return step_reset_bound(q, st, "store finding");
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
    sqlite3_stmt *sts[] = {q->find_version, q->ins_version,   q->ins_scan_resource, q->ins_finding,
                           q->ins_event,    q->ins_indicator, q->ins_advisory,      q->ins_package,
                           q->ins_error,    q->kv_get,        q->kv_set,            q->kv_del};
    for (size_t i = 0; i < sizeof sts / sizeof sts[0]; i++)
        sqlite3_finalize(sts[i]);
    sqlite3_close(q->db);
    if (q->scan_lock_fd >= 0)
        close(q->scan_lock_fd);
    EVP_MD_CTX_free(q->md_ctx);
    EVP_MD_free(q->md);
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
    .suppressions_json = store_sq_suppressions_json,
    .suppression_add = store_sq_suppression_add,
    .suppression_remove = store_sq_suppression_remove,
    .retain = store_sq_retain,
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
    q->scan_lock_fd = -1;
    q->md_ctx = EVP_MD_CTX_new();
    q->md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (!q->md_ctx || !q->md) {
        snprintf(err, errlen, "%s: cannot set up SHA-256 (OpenSSL)", path);
        sq_close(&q->base);
        return NULL;
    }
    /* NOMUTEX: a store handle is used by one thread at a time (store.h), so
     * SQLite's per-call connection mutex is pure cost on the writer's path */
    if (sqlite3_open_v2(path, &q->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
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
    if (sq_exec(q, "PRAGMA page_size=16384") || sq_exec(q, "PRAGMA journal_mode=WAL") ||
        sq_exec(q, "PRAGMA synchronous=NORMAL") || sq_exec(q, "PRAGMA temp_store=MEMORY") ||
        store_register_functions(q) || store_schema_migrate(q) || mark_aborted(q) ||
        prepare(q, &q->find_version, "SELECT id FROM resource_versions WHERE uid=? AND hash=?") ||
        prepare(q, &q->ins_version,
                "INSERT OR IGNORE INTO resource_versions(uid, hash, type, provider, account, region, name, tags,"
                " data, source, source_line, source_column, plugin) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)") ||
        prepare(q, &q->ins_scan_resource,
                "INSERT OR IGNORE INTO scan_resources(scan_id, uid, version, observed_at) VALUES(?,?,?,?)") ||
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
