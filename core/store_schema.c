/*
 * core/store_schema.c - the SQLite store's schema and its migrations.
 *
 * Version 1 kept a full copy of every resource in every scan. Version 2
 * stores a resource's content once per (uid, content hash) in
 * resource_versions and one small row per scan in scan_resources; the
 * `resources` view keeps the version 1 columns. It adds the finding
 * lifecycle (finding_lifecycle, finding_state) and suppressions. Version 3
 * adds the vulnerability-feed tables (feed_state, advisory_packages,
 * feed_imports) that the feed code had created on its first write.
 */
#include "config.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed/feed.h"
#include "store_sqlite_int.h"

/* The tables every version shares with version 1, unchanged. */
static const char *const common_ddl[] = {
    "CREATE TABLE IF NOT EXISTS scans("
    " id INTEGER PRIMARY KEY, started_at INTEGER NOT NULL, finished_at INTEGER,"
    " status TEXT NOT NULL, providers TEXT NOT NULL, parapet_version TEXT,"
    " resources INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0,"
    " errors INTEGER NOT NULL DEFAULT 0)",
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

/* What version 2 adds. The resources view is created separately (a
 * migration must first move the version 1 table's rows). */
static const char *const v2_ddl[] = {
    /* a resource's content, once per (uid, hash); rows are appended in
     * rowid order, so the big rows are written sequentially */
    "CREATE TABLE resource_versions("
    " id INTEGER PRIMARY KEY, uid TEXT NOT NULL, hash BLOB NOT NULL,"
    " type TEXT NOT NULL, provider TEXT NOT NULL, account TEXT, region TEXT, name TEXT, tags TEXT, data TEXT,"
    " source TEXT, source_line INTEGER, source_column INTEGER, plugin TEXT NOT NULL, UNIQUE(uid, hash))",
    /* one small row per resource per scan */
    "CREATE TABLE scan_resources("
    " scan_id INTEGER NOT NULL, uid TEXT NOT NULL, version INTEGER NOT NULL, observed_at INTEGER,"
    " PRIMARY KEY(scan_id, uid)) WITHOUT ROWID",
    /* the lifecycle label of each failing, muted or resolved finding of a scan */
    "CREATE TABLE finding_lifecycle("
    " scan_id INTEGER NOT NULL, rule_id TEXT NOT NULL, resource_uid TEXT NOT NULL, lifecycle TEXT NOT NULL,"
    " PRIMARY KEY(scan_id, rule_id, resource_uid)) WITHOUT ROWID",
    /* the current state of every (rule, resource) that ever failed */
    "CREATE TABLE finding_state("
    " rule_id TEXT NOT NULL, resource_uid TEXT NOT NULL, status TEXT NOT NULL,"
    " first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, resolved_at INTEGER,"
    " times_reopened INTEGER NOT NULL DEFAULT 0, last_scan_id INTEGER NOT NULL,"
    " severity TEXT, title TEXT, message TEXT, resource_type TEXT, provider TEXT, account TEXT, region TEXT,"
    " source_plugin TEXT, PRIMARY KEY(rule_id, resource_uid)) WITHOUT ROWID",
    "CREATE TABLE suppressions("
    " id INTEGER PRIMARY KEY, rule TEXT NOT NULL, provider TEXT, account TEXT, region TEXT, resource TEXT,"
    " tags_match TEXT, tags TEXT, reason TEXT NOT NULL, owner TEXT NOT NULL,"
    " created_at INTEGER NOT NULL, expires_at INTEGER)",
};

/* What version 3 adds: the state of each feed, the (ecosystem, name) index of
 * the advisories, and the signed feed bundles imported (docs/feeds.md). "IF
 * NOT EXISTS" because a version 2 store may already hold the first two,
 * created by the feed code of that version on its first write. */
static const char *const v3_ddl[] = {
    "CREATE TABLE IF NOT EXISTS feed_state("
    " feed TEXT PRIMARY KEY, kind TEXT NOT NULL, records INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " plugin TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS advisory_packages("
    " ecosystem TEXT NOT NULL, name TEXT NOT NULL, source TEXT NOT NULL, id TEXT NOT NULL,"
    " PRIMARY KEY(ecosystem, name, source, id)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS advisory_packages_source ON advisory_packages(source, id)",
    "CREATE TABLE IF NOT EXISTS feed_imports("
    " id INTEGER PRIMARY KEY, imported_at INTEGER NOT NULL, bundle TEXT NOT NULL, name TEXT NOT NULL,"
    " created_at INTEGER NOT NULL, signer TEXT, sha256 TEXT NOT NULL, feeds TEXT NOT NULL)",
};

static const char resources_view[] =
    "CREATE VIEW resources AS SELECT sr.scan_id AS scan_id, sr.uid AS uid, v.type AS type,"
    " v.provider AS provider, v.account AS account, v.region AS region, v.name AS name, v.tags AS tags,"
    " v.data AS data, v.source AS source, v.source_line AS source_line, v.source_column AS source_column,"
    " sr.observed_at AS observed_at, v.plugin AS plugin"
    " FROM scan_resources sr JOIN resource_versions v ON v.id = sr.version";

static int run_all(sq *q, const char *const *sql, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (sq_exec(q, sql[i]))
            return -1;
    return 0;
}

static int set_version(sq *q, int v)
{
    char sql[128];
    snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO meta(key, value) VALUES('schema_version', '%d')", v);
    return sq_exec(q, sql);
}

/* A new file: the current schema at once. */
static int create_latest(sq *q)
{
    if (run_all(q, common_ddl, sizeof common_ddl / sizeof common_ddl[0]) ||
        run_all(q, v2_ddl, sizeof v2_ddl / sizeof v2_ddl[0]) || sq_exec(q, resources_view) ||
        run_all(q, v3_ddl, sizeof v3_ddl / sizeof v3_ddl[0]))
        return -1;
    return set_version(q, STORE_SCHEMA_VERSION);
}

/* Version 1 -> 2: move the resources into versions, drop the copy-per-scan
 * table, and replay the lifecycle over the earlier complete and partial scans
 * in order, so finding_state starts with the history it would have had. */
static int migrate_1_to_2(sq *q)
{
    if (run_all(q, v2_ddl, sizeof v2_ddl / sizeof v2_ddl[0]))
        return -1;
    static const char *const move[] = {
        "INSERT OR IGNORE INTO resource_versions(uid, hash, type, provider, account, region, name, tags, data,"
        " source, source_line, source_column, plugin)"
        " SELECT uid, pp_resource_hash(type, provider, account, region, name, tags, data, source, source_line,"
        " source_column, plugin), type, provider, account, region, name, tags, data, source, source_line,"
        " source_column, plugin FROM resources ORDER BY scan_id, uid",
        "INSERT INTO scan_resources(scan_id, uid, version, observed_at)"
        " SELECT r.scan_id, r.uid, v.id, r.observed_at FROM resources r JOIN resource_versions v"
        " ON v.uid = r.uid AND v.hash = pp_resource_hash(r.type, r.provider, r.account, r.region, r.name,"
        " r.tags, r.data, r.source, r.source_line, r.source_column, r.plugin)",
        "DROP TABLE resources",
    };
    if (run_all(q, move, sizeof move / sizeof move[0]) || sq_exec(q, resources_view))
        return -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(q->db,
                           "SELECT id, status, coalesce(finished_at, started_at) FROM scans"
                           " WHERE status IN ('complete','partial') ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return sq_fail(q, "migrate: list scans");
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = store_lifecycle_apply(q, sqlite3_column_int64(st, 0),
                                   strcmp((const char *)sqlite3_column_text(st, 1), "complete") == 0,
                                   sqlite3_column_int64(st, 2));
    sqlite3_finalize(st);
    if (rc)
        return -1;
    return set_version(q, 2);
}

/* Version 2 -> 3: the feed tables. A version 2 store whose advisories were
 * written before the index existed gets it rebuilt from the documents, and
 * every feed with rows but no feed_state row gets one (updated_at 0 when the
 * rows do not say when: `feed list` then calls the feed stale, which it may
 * be). Rows already there are kept. */
static int migrate_2_to_3(sq *q)
{
    if (run_all(q, v3_ddl, sizeof v3_ddl / sizeof v3_ddl[0]))
        return -1;
    sqlite3_stmt *adv = NULL, *ins = NULL;
    if (sqlite3_prepare_v2(q->db,
                           "SELECT a.source, a.id, a.document FROM advisories a WHERE NOT EXISTS"
                           " (SELECT 1 FROM advisory_packages p WHERE p.source = a.source AND p.id = a.id)",
                           -1, &adv, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(q->db,
                           "INSERT OR IGNORE INTO advisory_packages(ecosystem, name, source, id) VALUES(?,?,?,?)", -1,
                           &ins, NULL) != SQLITE_OK) {
        sqlite3_finalize(adv);
        return sq_fail(q, "migrate: index advisories");
    }
    int rc = 0, step = SQLITE_DONE;
    while (rc == 0 && (step = sqlite3_step(adv)) == SQLITE_ROW)
        if (feed_index_advisory(ins, (const char *)sqlite3_column_text(adv, 0),
                                (const char *)sqlite3_column_text(adv, 1),
                                (const char *)sqlite3_column_text(adv, 2)) != 0)
            rc = sq_fail(q, "migrate: index advisories");
    if (rc == 0 && step != SQLITE_DONE)
        rc = sq_fail(q, "migrate: read advisories");
    sqlite3_finalize(adv);
    sqlite3_finalize(ins);
    if (rc)
        return -1;
    static const char *const state[] = {
        "INSERT OR IGNORE INTO feed_state(feed, kind, records, updated_at, plugin)"
        " SELECT source, 'advisories', count(*), 0, min(plugin) FROM advisories GROUP BY source",
        "INSERT OR IGNORE INTO feed_state(feed, kind, records, updated_at, plugin)"
        " SELECT feed, 'indicators', count(*), max(updated_at), min(plugin) FROM indicators GROUP BY feed",
    };
    if (run_all(q, state, sizeof state / sizeof state[0]))
        return -1;
    return set_version(q, 3);
}

typedef struct migration {
    int from;
    int (*run)(sq *q);
} migration;

static const migration migrations[] = {
    {1, migrate_1_to_2},
    {2, migrate_2_to_3},
};

static int read_version(sq *q, int *version, int *fresh)
{
    sqlite3_stmt *st;
    *version = 0;
    if (sqlite3_prepare_v2(q->db, "SELECT value FROM meta WHERE key='schema_version'", -1, &st, NULL) != SQLITE_OK)
        return sq_fail(q, "read schema version");
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        char *end = NULL;
        long n = v ? strtol(v, &end, 10) : -1;
        if (!v || *end || n < 1 || n > 1000000) {
            snprintf(q->err, sizeof q->err, "%s: the store's schema version '%.40s' is not a version number", q->path,
                     v ? v : "");
            sqlite3_finalize(st);
            return -1;
        }
        *version = (int)n;
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(q->db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name='scans'", -1, &st,
                           NULL) != SQLITE_OK)
        return sq_fail(q, "read schema");
    *fresh = sqlite3_step(st) != SQLITE_ROW;
    sqlite3_finalize(st);
    return 0;
}

int store_schema_migrate(sq *q)
{
    int version = 0, fresh = 0;
    if (sq_exec(q, "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)") ||
        read_version(q, &version, &fresh))
        return -1;
    if (version > STORE_SCHEMA_VERSION) {
        snprintf(q->err, sizeof q->err,
                 "%s: the store has schema version %d, newer than this parapet understands (%d): upgrade parapet",
                 q->path, version, STORE_SCHEMA_VERSION);
        return -1;
    }
    if (version == STORE_SCHEMA_VERSION)
        return 0;
    if (version == 0 && !fresh) {
        snprintf(q->err, sizeof q->err, "%s: the file has tables but no schema version: not a parapet store",
                 q->path);
        return -1;
    }
    if (version == 0) {
        if (sq_exec(q, "BEGIN IMMEDIATE"))
            return -1;
        if (create_latest(q) || sq_exec(q, "COMMIT")) {
            sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
        return 0;
    }
    while (version < STORE_SCHEMA_VERSION) {
        const migration *m = NULL;
        for (size_t i = 0; i < sizeof migrations / sizeof migrations[0]; i++)
            if (migrations[i].from == version)
                m = &migrations[i];
        if (!m) {
            snprintf(q->err, sizeof q->err, "%s: no migration from schema version %d", q->path, version);
            return -1;
        }
        if (sq_exec(q, "BEGIN IMMEDIATE"))
            return -1;
        if (m->run(q) || sq_exec(q, "COMMIT")) {
            char keep[400];
            snprintf(keep, sizeof keep, "%.399s", q->err);
            sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
            snprintf(q->err, sizeof q->err, "migration from schema version %d failed (the store is unchanged): %s",
                     version, keep);
            return -1;
        }
        version++;
    }
    return 0;
}

/* ---- content hashes ---- */

static int hash_field(EVP_MD_CTX *c, const void *p, size_t n, int present)
{
    unsigned char hdr[9];
    uint64_t len = present ? (uint64_t)n : 0;
    hdr[0] = present ? 1 : 0;
    for (int i = 0; i < 8; i++)
        hdr[1 + i] = (unsigned char)(len >> (8 * i));
    if (EVP_DigestUpdate(c, hdr, sizeof hdr) != 1)
        return -1;
    return present && n ? (EVP_DigestUpdate(c, p, n) == 1 ? 0 : -1) : 0;
}

int store_resource_hash(sq *q, const char *const text[9], int64_t source_line, int64_t source_column,
                        unsigned char out[STORE_HASH_LEN])
{
    EVP_MD_CTX *c = q->md_ctx;
    unsigned int n = 0;
    if (!c || EVP_DigestInit_ex(c, q->md, NULL) != 1)
        return -1;
    for (int i = 0; i < 9; i++)
        if (hash_field(c, text[i], text[i] ? strlen(text[i]) : 0, text[i] != NULL))
            return -1;
    int64_t nums[2] = {source_line, source_column};
    for (int i = 0; i < 2; i++) {
        unsigned char b[8];
        for (int k = 0; k < 8; k++)
            b[k] = (unsigned char)((uint64_t)nums[i] >> (8 * k));
        if (EVP_DigestUpdate(c, b, sizeof b) != 1)
            return -1;
    }
    if (EVP_DigestFinal_ex(c, out, &n) != 1 || n != STORE_HASH_LEN)
        return -1;
    return 0;
}

/* pp_resource_hash(type, provider, account, region, name, tags, data,
 * source, source_line, source_column, plugin): the order of put(). */
static void sql_resource_hash(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    sq *q = sqlite3_user_data(ctx);
    static const int text_args[9] = {0, 1, 2, 3, 4, 5, 6, 7, 10};
    const char *text[9];
    (void)argc;
    for (int i = 0; i < 9; i++) {
        sqlite3_value *v = argv[text_args[i]];
        text[i] = sqlite3_value_type(v) == SQLITE_NULL ? NULL : (const char *)sqlite3_value_text(v);
    }
    unsigned char h[STORE_HASH_LEN];
    if (store_resource_hash(q, text, sqlite3_value_int64(argv[8]), sqlite3_value_int64(argv[9]), h) != 0) {
        sqlite3_result_error(ctx, "cannot compute a content hash", -1);
        return;
    }
    sqlite3_result_blob(ctx, h, sizeof h, SQLITE_TRANSIENT);
}

int store_register_functions(sq *q)
{
    if (sqlite3_create_function_v2(q->db, "pp_resource_hash", 11, SQLITE_UTF8 | SQLITE_DETERMINISTIC, q,
                                   sql_resource_hash, NULL, NULL, NULL) != SQLITE_OK)
        return sq_fail(q, "register functions");
    return 0;
}
