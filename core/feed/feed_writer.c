/*
 * core/feed/feed_writer.c - what threat-feed plugins emit, written into the
 * store in one transaction, each feed replaced as a whole.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feed/feed.h"
#include "store.h"

#define MAX_FEEDS 256

typedef struct touched {
    char *name;
    const char *kind; /* "advisories" or "indicators" */
    char *plugin;
    uint64_t records;
} touched;

struct feed_writer {
    sqlite3 *db;
    sqlite3_stmt *ins_adv, *ins_pkg, *ins_ind, *kv_get, *kv_set, *kv_del;
    touched feeds[MAX_FEEDS];
    size_t n_feeds;
    /* feed_writer_mark: the feeds and their counts when it was taken */
    int marked;
    size_t mark_n_feeds;
    uint64_t mark_records[MAX_FEEDS];
    int in_tx, failed;
    char err[600];
};

static int fail(feed_writer *w, const char *what)
{
    snprintf(w->err, sizeof w->err, "%s: %s", what, sqlite3_errmsg(w->db));
    w->failed = 1;
    return -1;
}

static int exec(feed_writer *w, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(w->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(w->err, sizeof w->err, "%s", msg ? msg : sqlite3_errmsg(w->db));
        sqlite3_free(msg);
        w->failed = 1;
        return -1;
    }
    return 0;
}

feed_writer *feed_writer_open(const char *path, char *err, size_t errlen)
{
    /* store_open creates the file safely and brings its schema up to date */
    store *s = store_open(path, err, errlen);
    if (!s)
        return NULL;
    s->ops->close(s);
    feed_writer *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (sqlite3_open_v2(path, &w->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, w->db ? sqlite3_errmsg(w->db) : "cannot open");
        feed_writer_close(w);
        return NULL;
    }
    sqlite3_busy_timeout(w->db, 10000);
    /* as the store's own connection (store_sqlite.c). A larger page cache
     * (64 MiB) was measured and did not pay: 5x the memory, the same CPU
     * time (contrib/bench/feed_bench.sh) */
    if (exec(w, "PRAGMA synchronous=NORMAL") != 0 || exec(w, "PRAGMA temp_store=MEMORY") != 0)
        goto fail;
    if (sqlite3_prepare_v2(
            w->db, "INSERT OR REPLACE INTO advisories(id, source, modified, document, plugin) VALUES(?,?,?,?,?)", -1,
            &w->ins_adv, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(w->db,
                           "INSERT OR IGNORE INTO advisory_packages(ecosystem, name, source, id) VALUES(?,?,?,?)", -1,
                           &w->ins_pkg, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(w->db,
                           "INSERT OR REPLACE INTO indicators(kind, value, feed, attributes, expires_at, updated_at,"
                           " plugin) VALUES(?,?,?,?,?,?,?)",
                           -1, &w->ins_ind, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(w->db,
                           "SELECT value FROM kv WHERE plugin=? AND key=? AND (expires_at IS NULL OR expires_at > ?)",
                           -1, &w->kv_get, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(w->db, "INSERT OR REPLACE INTO kv(plugin, key, value, expires_at) VALUES(?,?,?,?)", -1,
                           &w->kv_set, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(w->db, "DELETE FROM kv WHERE plugin=? AND key=?", -1, &w->kv_del, NULL) != SQLITE_OK) {
        fail(w, "prepare");
        goto fail;
    }
    if (exec(w, "BEGIN IMMEDIATE") != 0)
        goto fail;
    w->in_tx = 1;
    return w;
fail:
    snprintf(err, errlen, "%s: %s", path, w->err);
    feed_writer_close(w);
    return NULL;
}

/* The feed's entry, replacing its earlier rows on first sight. */
static touched *touch(feed_writer *w, const char *feed, const char *kind, const char *plugin)
{
    for (size_t i = 0; i < w->n_feeds; i++)
        if (!strcmp(w->feeds[i].name, feed))
            return &w->feeds[i];
    if (w->n_feeds == MAX_FEEDS) {
        snprintf(w->err, sizeof w->err, "more than %d feeds in one update", MAX_FEEDS);
        w->failed = 1;
        return NULL;
    }
    static const char *const del[] = {
        "DELETE FROM advisories WHERE source=?1",
        "DELETE FROM advisory_packages WHERE source=?1",
        "DELETE FROM indicators WHERE feed=?1",
    };
    for (size_t i = 0; i < sizeof del / sizeof del[0]; i++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(w->db, del[i], -1, &st, NULL) != SQLITE_OK) {
            fail(w, "replace feed");
            return NULL;
        }
        sqlite3_bind_text(st, 1, feed, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) {
            fail(w, "replace feed");
            return NULL;
        }
    }
    touched *t = &w->feeds[w->n_feeds];
    t->name = strdup(feed);
    t->plugin = strdup(plugin ? plugin : "?");
    t->kind = kind;
    t->records = 0;
    if (!t->name || !t->plugin) {
        free(t->name);
        free(t->plugin);
        snprintf(w->err, sizeof w->err, "out of memory");
        w->failed = 1;
        return NULL;
    }
    w->n_feeds++;
    return t;
}

static int step(feed_writer *w, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : fail(w, what);
}

int feed_index_advisory(sqlite3_stmt *ins, const char *source, const char *id, const char *document_json)
{
    cJSON *doc = document_json ? cJSON_Parse(document_json) : NULL;
    if (!doc || !source || !id) {
        cJSON_Delete(doc);
        return 0; /* nothing to index */
    }
    int rc = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(doc, "affected"))
    {
        const cJSON *pkg = cJSON_GetObjectItemCaseSensitive(x, "package");
        const cJSON *eco = cJSON_GetObjectItemCaseSensitive(pkg, "ecosystem");
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(pkg, "name");
        if (!cJSON_IsString(eco) || !cJSON_IsString(nm))
            continue;
        char norm[512];
        feed_norm_name(eco->valuestring, nm->valuestring, norm, sizeof norm);
        sqlite3_bind_text(ins, 1, eco->valuestring, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, norm, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, source, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, id, -1, SQLITE_STATIC);
        int s = sqlite3_step(ins);
        sqlite3_reset(ins);
        sqlite3_clear_bindings(ins);
        if (s != SQLITE_DONE) {
            rc = -1;
            break;
        }
    }
    cJSON_Delete(doc);
    return rc;
}

/* Index the (ecosystem, name) pairs an advisory lists. */
static int index_packages(feed_writer *w, const pp_advisory *a)
{
    return feed_index_advisory(w->ins_pkg, a->source, a->id, a->document_json) == 0 ? 0 : fail(w, "index advisory");
}

int feed_writer_put(feed_writer *w, const rec *r)
{
    if (w->failed)
        return -1;
    if (r->kind == REC_ADVISORY) {
        const pp_advisory *a = &r->u.advisory;
        if (!a->source || !a->id || !a->document_json) {
            snprintf(w->err, sizeof w->err, "an advisory without id, source or document");
            return -1;
        }
        touched *t = touch(w, a->source, "advisories", r->plugin);
        if (!t)
            return -1;
        sqlite3_stmt *st = w->ins_adv;
        sqlite3_bind_text(st, 1, a->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, a->source, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, a->modified);
        sqlite3_bind_text(st, 4, a->document_json, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, r->plugin, -1, SQLITE_STATIC);
        if (step(w, st, "store advisory") != 0 || index_packages(w, a) != 0)
            return -1;
        t->records++;
        return 0;
    }
    if (r->kind == REC_INDICATOR) {
        const pp_indicator *x = &r->u.indicator;
        touched *t = touch(w, x->feed, "indicators", r->plugin);
        if (!t)
            return -1;
        sqlite3_stmt *st = w->ins_ind;
        sqlite3_bind_text(st, 1, x->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, x->value, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, x->feed, -1, SQLITE_STATIC);
        if (x->attributes_json)
            sqlite3_bind_text(st, 4, x->attributes_json, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, x->expires_at);
        sqlite3_bind_int64(st, 6, (sqlite3_int64)time(NULL));
        sqlite3_bind_text(st, 7, r->plugin, -1, SQLITE_STATIC);
        if (step(w, st, "store indicator") != 0)
            return -1;
        t->records++;
        return 0;
    }
    snprintf(w->err, sizeof w->err, "a threat feed emitted a %s; only advisories and indicators are kept",
             rec_kind_name(r->kind));
    return 1;
}

int feed_writer_kv_get(feed_writer *w, const char *plugin, const char *key, char **val, size_t *len)
{
    sqlite3_stmt *st = w->kv_get;
    sqlite3_bind_text(st, 1, plugin, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
    int rc = sqlite3_step(st), out = 1;
    if (rc == SQLITE_ROW) {
        int n = sqlite3_column_bytes(st, 0);
        const void *b = sqlite3_column_blob(st, 0);
        *val = malloc((size_t)n + 1);
        if (*val) {
            if (n)
                memcpy(*val, b, (size_t)n);
            (*val)[n] = '\0';
            *len = (size_t)n;
            out = 0;
        } else {
            out = -1;
        }
    } else if (rc != SQLITE_DONE) {
        out = -1;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return out;
}

int feed_writer_kv_set(feed_writer *w, const char *plugin, const char *key, const char *val, size_t len, uint32_t ttl_s)
{
    if (!val) {
        sqlite3_bind_text(w->kv_del, 1, plugin, -1, SQLITE_STATIC);
        sqlite3_bind_text(w->kv_del, 2, key, -1, SQLITE_STATIC);
        return step(w, w->kv_del, "cache delete");
    }
    if (len > (1u << 20))
        return -1;
    sqlite3_stmt *st = w->kv_set;
    sqlite3_bind_text(st, 1, plugin, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, val, (int)len, SQLITE_STATIC);
    if (ttl_s)
        sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL) + ttl_s);
    return step(w, st, "cache set");
}

int feed_writer_mark(feed_writer *w)
{
    if (w->failed || !w->in_tx || w->marked) {
        if (!w->err[0])
            snprintf(w->err, sizeof w->err, "cannot mark: the writer failed or is already marked");
        return -1;
    }
    if (exec(w, "SAVEPOINT feed_mark") != 0)
        return -1;
    w->marked = 1;
    w->mark_n_feeds = w->n_feeds;
    for (size_t i = 0; i < w->n_feeds; i++)
        w->mark_records[i] = w->feeds[i].records;
    return 0;
}

int feed_writer_settle(feed_writer *w, int keep)
{
    if (!w->marked)
        return -1;
    w->marked = 0;
    if (keep && !w->failed)
        return exec(w, "RELEASE feed_mark");
    char *msg = NULL;
    if (sqlite3_exec(w->db, "ROLLBACK TO feed_mark; RELEASE feed_mark", NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(w->err, sizeof w->err, "rollback: %s", msg ? msg : sqlite3_errmsg(w->db));
        sqlite3_free(msg);
        w->failed = 1;
        return -1;
    }
    for (size_t i = w->mark_n_feeds; i < w->n_feeds; i++) {
        free(w->feeds[i].name);
        free(w->feeds[i].plugin);
    }
    w->n_feeds = w->mark_n_feeds;
    for (size_t i = 0; i < w->n_feeds; i++)
        w->feeds[i].records = w->mark_records[i];
    w->failed = 0; /* the transaction is back where it was */
    w->err[0] = '\0';
    return 0;
}

int64_t feed_writer_last_import(feed_writer *w, const char *feed)
{
    sqlite3_stmt *st = NULL;
    int64_t at = -1;
    if (sqlite3_prepare_v2(w->db,
                           "SELECT max(created_at) FROM feed_imports"
                           " WHERE instr(',' || feeds || ',', ',' || ? || ',') > 0",
                           -1, &st, NULL) != SQLITE_OK)
        return -2;
    sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        at = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_ROW)
        at = -2;
    sqlite3_finalize(st);
    return at;
}

int feed_writer_log_import(feed_writer *w, const char *bundle, const char *name, int64_t created, const char *signer,
                           const char *sha256, const char *feeds)
{
    sqlite3_stmt *st = NULL;
    if (w->failed)
        return -1;
    if (sqlite3_prepare_v2(w->db,
                           "INSERT INTO feed_imports(imported_at, bundle, name, created_at, signer, sha256, feeds)"
                           " VALUES(?,?,?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(w, "record the import");
    sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
    sqlite3_bind_text(st, 2, bundle, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, created);
    sqlite3_bind_text(st, 5, signer, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, feeds, -1, SQLITE_STATIC);
    int rc = step(w, st, "record the import");
    sqlite3_finalize(st);
    return rc;
}

size_t feed_writer_feeds(const feed_writer *w, size_t i, const char **name, uint64_t *records)
{
    if (i < w->n_feeds) {
        *name = w->feeds[i].name;
        *records = w->feeds[i].records;
    }
    return w->n_feeds;
}

int feed_writer_commit(feed_writer *w)
{
    if (w->marked && feed_writer_settle(w, 1) != 0)
        return -1;
    if (w->failed || !w->in_tx) {
        if (!w->err[0])
            snprintf(w->err, sizeof w->err, "nothing to commit");
        return -1;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(w->db,
                           "INSERT OR REPLACE INTO feed_state(feed, kind, records, updated_at, plugin)"
                           " VALUES(?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(w, "feed state");
    for (size_t i = 0; i < w->n_feeds; i++) {
        sqlite3_bind_text(st, 1, w->feeds[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, w->feeds[i].kind, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)w->feeds[i].records);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
        sqlite3_bind_text(st, 5, w->feeds[i].plugin, -1, SQLITE_STATIC);
        if (step(w, st, "feed state") != 0) {
            sqlite3_finalize(st);
            return -1;
        }
    }
    sqlite3_finalize(st);
    if (exec(w, "COMMIT") != 0)
        return -1;
    w->in_tx = 0;
    return 0;
}

void feed_writer_close(feed_writer *w)
{
    if (!w)
        return;
    if (w->in_tx)
        sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_finalize(w->ins_adv);
    sqlite3_finalize(w->ins_pkg);
    sqlite3_finalize(w->ins_ind);
    sqlite3_finalize(w->kv_get);
    sqlite3_finalize(w->kv_set);
    sqlite3_finalize(w->kv_del);
    sqlite3_close(w->db);
    for (size_t i = 0; i < w->n_feeds; i++) {
        free(w->feeds[i].name);
        free(w->feeds[i].plugin);
    }
    free(w);
}

const char *feed_writer_error(const feed_writer *w)
{
    return w->err;
}
