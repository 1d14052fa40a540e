/*
 * tests/unit/test_feed_migrate.c - store schema version 3 (the feed tables):
 * a version 2 store with data (scans, findings, advisories written before
 * the advisory index existed, indicators, the feed tables version 2 made on
 * its first feed write) migrates to 3 without losing a row; a fresh store is
 * created at 3 with every feed table; a store newer than the binary is
 * refused and left as it was; a migration that fails leaves the file at 2.
 */
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feed/feed.h"
#include "store.h"
#include "testlib.h"

static char dir[] = "/tmp/test_feed_migrate.XXXXXX";

static void path_of(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
}

/* One integer from @sql on the file at @path (its own read-only connection). */
static long long q1(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    long long v = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return -2;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    } else {
        fprintf(stderr, "q1: %s: %s\n", sql, sqlite3_errmsg(db));
    }
    sqlite3_close(db);
    return v;
}

static void exec_all(const char *path, const char *const *sql, size_t n)
{
    sqlite3 *db;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    for (size_t i = 0; i < n; i++) {
        char *msg = NULL;
        if (sqlite3_exec(db, sql[i], NULL, NULL, &msg) != SQLITE_OK) {
            fprintf(stderr, "setup: %s: %s\n", sql[i], msg ? msg : "?");
            CHECK(0);
        }
        sqlite3_free(msg);
    }
    sqlite3_close(db);
}

/* The version 2 schema, as store_schema.c of commit 43666cf created it. */
static const char *const v2_schema[] = {
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE scans(id INTEGER PRIMARY KEY, started_at INTEGER NOT NULL, finished_at INTEGER,"
    " status TEXT NOT NULL, providers TEXT NOT NULL, parapet_version TEXT,"
    " resources INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0, errors INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE findings(id INTEGER PRIMARY KEY, scan_id INTEGER NOT NULL,"
    " rule_id TEXT NOT NULL, resource_uid TEXT NOT NULL, resource_type TEXT, status TEXT NOT NULL,"
    " severity TEXT NOT NULL, title TEXT, message TEXT, evidence TEXT, remediation TEXT, compliance TEXT,"
    " provider TEXT, account TEXT, region TEXT, plugin TEXT NOT NULL)",
    "CREATE INDEX findings_scan ON findings(scan_id, rule_id)",
    "CREATE TABLE events(scan_id INTEGER NOT NULL, uid TEXT NOT NULL, type TEXT NOT NULL,"
    " provider TEXT NOT NULL, account TEXT, region TEXT, time INTEGER, actor TEXT, action TEXT,"
    " source_ip TEXT, data TEXT, plugin TEXT NOT NULL)",
    "CREATE TABLE indicators(kind TEXT NOT NULL, value TEXT NOT NULL, feed TEXT NOT NULL, attributes TEXT,"
    " expires_at INTEGER, updated_at INTEGER NOT NULL, plugin TEXT NOT NULL, PRIMARY KEY(feed, kind, value))",
    "CREATE TABLE advisories(id TEXT NOT NULL, source TEXT NOT NULL, modified INTEGER, document TEXT NOT NULL,"
    " plugin TEXT NOT NULL, PRIMARY KEY(source, id))",
    "CREATE TABLE packages(scan_id INTEGER NOT NULL, resource_uid TEXT NOT NULL,"
    " ecosystem TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL, purl TEXT, source_name TEXT,"
    " source_version TEXT, layer TEXT, location TEXT, plugin TEXT NOT NULL)",
    "CREATE TABLE scan_errors(scan_id INTEGER NOT NULL, plugin TEXT NOT NULL, task TEXT,"
    " message TEXT NOT NULL, at INTEGER NOT NULL)",
    "CREATE TABLE kv(plugin TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, expires_at INTEGER,"
    " PRIMARY KEY(plugin, key))",
    "CREATE TABLE resource_versions(id INTEGER PRIMARY KEY, uid TEXT NOT NULL, hash BLOB NOT NULL,"
    " type TEXT NOT NULL, provider TEXT NOT NULL, account TEXT, region TEXT, name TEXT, tags TEXT, data TEXT,"
    " source TEXT, source_line INTEGER, source_column INTEGER, plugin TEXT NOT NULL, UNIQUE(uid, hash))",
    "CREATE TABLE scan_resources(scan_id INTEGER NOT NULL, uid TEXT NOT NULL, version INTEGER NOT NULL,"
    " observed_at INTEGER, PRIMARY KEY(scan_id, uid)) WITHOUT ROWID",
    "CREATE TABLE finding_lifecycle(scan_id INTEGER NOT NULL, rule_id TEXT NOT NULL, resource_uid TEXT NOT NULL,"
    " lifecycle TEXT NOT NULL, PRIMARY KEY(scan_id, rule_id, resource_uid)) WITHOUT ROWID",
    "CREATE TABLE finding_state(rule_id TEXT NOT NULL, resource_uid TEXT NOT NULL, status TEXT NOT NULL,"
    " first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, resolved_at INTEGER,"
    " times_reopened INTEGER NOT NULL DEFAULT 0, last_scan_id INTEGER NOT NULL,"
    " severity TEXT, title TEXT, message TEXT, resource_type TEXT, provider TEXT, account TEXT, region TEXT,"
    " source_plugin TEXT, PRIMARY KEY(rule_id, resource_uid)) WITHOUT ROWID",
    "CREATE TABLE suppressions(id INTEGER PRIMARY KEY, rule TEXT NOT NULL, provider TEXT, account TEXT,"
    " region TEXT, resource TEXT, tags_match TEXT, tags TEXT, reason TEXT NOT NULL, owner TEXT NOT NULL,"
    " created_at INTEGER NOT NULL, expires_at INTEGER)",
    "CREATE VIEW resources AS SELECT sr.scan_id AS scan_id, sr.uid AS uid, v.type AS type,"
    " v.provider AS provider, v.account AS account, v.region AS region, v.name AS name, v.tags AS tags,"
    " v.data AS data, v.source AS source, v.source_line AS source_line, v.source_column AS source_column,"
    " sr.observed_at AS observed_at, v.plugin AS plugin"
    " FROM scan_resources sr JOIN resource_versions v ON v.id = sr.version",
    "INSERT INTO meta VALUES('schema_version','2')",
};

/* Rows a version 2 store had: a scan with a finding and packages, two OSV
 * advisories (one of them PyPI, whose names are indexed normalised) and a
 * KEV indicator. */
static const char *const v2_data[] = {
    "INSERT INTO scans(id, started_at, finished_at, status, providers) VALUES(1, 100, 110, 'complete', '[\"image\"]')",
    "INSERT INTO findings(scan_id, rule_id, resource_uid, status, severity, plugin)"
    " VALUES(1, 'r-1', 'img', 'fail', 'high', 'core')",
    "INSERT INTO packages(scan_id, resource_uid, ecosystem, name, version, source_name, source_version, plugin)"
    " VALUES(1, 'img', 'Debian:12', 'libssl3', '3.0.9-1', 'openssl', '3.0.9-1', 'image')",
    "INSERT INTO advisories(id, source, modified, document, plugin) VALUES('DEBIAN-CVE-2099-1', 'osv:Debian:12', 0,"
    " '{\"id\":\"DEBIAN-CVE-2099-1\",\"affected\":[{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"openssl\"},"
    "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"3.0.11-1\"}]}]}]}', 'feeds')",
    "INSERT INTO advisories(id, source, modified, document, plugin) VALUES('PYSEC-2099-2', 'osv:PyPI', 0,"
    " '{\"id\":\"PYSEC-2099-2\",\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"Zope.Interface\"},"
    "\"versions\":[\"5.0\"]}]}', 'feeds')",
    "INSERT INTO indicators(kind, value, feed, attributes, updated_at, plugin)"
    " VALUES('cve', 'CVE-2099-1', 'kev', '{}', 1700000000, 'feeds')",
};

/* The two feed tables version 2 created on its first feed write (verbatim
 * from feed_writer.c of commit 43666cf), with the state of one feed. */
static const char *const v2_feed_tables[] = {
    "CREATE TABLE IF NOT EXISTS feed_state("
    " feed TEXT PRIMARY KEY, kind TEXT NOT NULL, records INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " plugin TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS advisory_packages("
    " ecosystem TEXT NOT NULL, name TEXT NOT NULL, source TEXT NOT NULL, id TEXT NOT NULL,"
    " PRIMARY KEY(ecosystem, name, source, id)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS advisory_packages_source ON advisory_packages(source, id)",
    "INSERT INTO feed_state VALUES('kev', 'indicators', 1, 1700000123, 'feeds')",
};

static store *open_store(const char *p, char *err, size_t errlen)
{
    store *s = store_open(p, err, errlen);
    if (!s)
        fprintf(stderr, "store_open: %s\n", err);
    return s;
}

/* A version 2 store that never loaded a feed. */
static void test_v2_without_feed_tables(void)
{
    char p[256], err[600];
    path_of(p, sizeof p, "v2-plain.db");
    exec_all(p, v2_schema, sizeof v2_schema / sizeof v2_schema[0]);
    exec_all(p, v2_data, sizeof v2_data / sizeof v2_data[0]);
    store *s = open_store(p, err, sizeof err);
    CHECK(s != NULL);
    if (s)
        s->ops->close(s);
    CHECK(q1(p, "SELECT value FROM meta WHERE key='schema_version'") == 3);
    /* nothing lost */
    CHECK(q1(p, "SELECT count(*) FROM scans") == 1);
    CHECK(q1(p, "SELECT count(*) FROM findings WHERE rule_id='r-1'") == 1);
    CHECK(q1(p, "SELECT count(*) FROM packages") == 1);
    CHECK(q1(p, "SELECT count(*) FROM advisories") == 2);
    CHECK(q1(p, "SELECT count(*) FROM indicators") == 1);
    /* the index was rebuilt from the documents, PyPI names normalised */
    CHECK(q1(p, "SELECT count(*) FROM advisory_packages") == 2);
    CHECK(q1(p, "SELECT count(*) FROM advisory_packages WHERE ecosystem='Debian:12' AND name='openssl'"
                " AND source='osv:Debian:12' AND id='DEBIAN-CVE-2099-1'") == 1);
    CHECK(q1(p, "SELECT count(*) FROM advisory_packages WHERE ecosystem='PyPI' AND name='zope-interface'") == 1);
    /* every feed with rows has a state: advisories with no known time (0) */
    CHECK(q1(p, "SELECT records FROM feed_state WHERE feed='osv:Debian:12' AND kind='advisories'") == 1);
    CHECK(q1(p, "SELECT updated_at FROM feed_state WHERE feed='osv:Debian:12'") == 0);
    CHECK(q1(p, "SELECT updated_at FROM feed_state WHERE feed='kev' AND kind='indicators'") == 1700000000);
    CHECK(q1(p, "SELECT count(*) FROM feed_imports") == 0);

    /* and the matcher finds the advisory through the rebuilt index */
    sqlite3 *db;
    CHECK(sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    feed_findings f;
    char merr[256];
    CHECK(feed_match_scan(db, 1, 0, &f, merr, sizeof merr) == 0);
    CHECK(f.n == 1);
    if (f.n == 1) {
        CHECK_STR(f.v[0].advisory_id, "DEBIAN-CVE-2099-1");
        CHECK_STR(f.v[0].fixed, "3.0.11-1");
    }
    feed_findings_free(&f);
    sqlite3_close(db);
}

/* A version 2 store that had loaded feeds: its feed tables are kept as they are. */
static void test_v2_with_feed_tables(void)
{
    char p[256], err[600];
    path_of(p, sizeof p, "v2-feeds.db");
    exec_all(p, v2_schema, sizeof v2_schema / sizeof v2_schema[0]);
    exec_all(p, v2_data, sizeof v2_data / sizeof v2_data[0]);
    exec_all(p, v2_feed_tables, sizeof v2_feed_tables / sizeof v2_feed_tables[0]);
    store *s = open_store(p, err, sizeof err);
    CHECK(s != NULL);
    if (s)
        s->ops->close(s);
    CHECK(q1(p, "SELECT value FROM meta WHERE key='schema_version'") == 3);
    CHECK(q1(p, "SELECT updated_at FROM feed_state WHERE feed='kev'") == 1700000123); /* kept, not recomputed */
    CHECK(q1(p, "SELECT count(*) FROM advisory_packages") == 2);
    CHECK(q1(p, "SELECT count(*) FROM feed_state") == 3);
    /* opening again changes nothing */
    s = open_store(p, err, sizeof err);
    CHECK(s != NULL);
    if (s)
        s->ops->close(s);
    CHECK(q1(p, "SELECT count(*) FROM feed_state") == 3);
}

/* A new store is created at version 3 with every feed table. */
static void test_fresh(void)
{
    char p[256], err[600];
    path_of(p, sizeof p, "fresh.db");
    store *s = open_store(p, err, sizeof err);
    CHECK(s != NULL);
    if (s)
        s->ops->close(s);
    CHECK(q1(p, "SELECT value FROM meta WHERE key='schema_version'") == 3);
    static const char *const tables[] = {"feed_state", "advisory_packages", "feed_imports", "advisories",
                                         "indicators"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[200];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='%s'", tables[i]);
        CHECK(q1(p, sql) == 1);
    }
    CHECK(q1(p, "SELECT count(*) FROM sqlite_master WHERE type='index' AND name='advisory_packages_source'") == 1);
    /* a feed writer opens it without creating anything */
    feed_writer *w = feed_writer_open(p, err, sizeof err);
    CHECK(w != NULL);
    if (w) {
        CHECK(feed_writer_commit(w) == 0);
        feed_writer_close(w);
    }
}

/* A store newer than this binary is refused and not touched. */
static void test_newer_refused(void)
{
    char p[256], err[600] = "";
    path_of(p, sizeof p, "v4.db");
    exec_all(p, v2_schema, sizeof v2_schema / sizeof v2_schema[0]);
    const char *bump[] = {"UPDATE meta SET value='4' WHERE key='schema_version'"};
    exec_all(p, bump, 1);
    store *s = store_open(p, err, sizeof err);
    CHECK(s == NULL);
    if (s)
        s->ops->close(s);
    CHECK_CONTAINS(err, "schema version 4, newer than this parapet understands (3)");
    CHECK(q1(p, "SELECT value FROM meta WHERE key='schema_version'") == 4);
    CHECK(q1(p, "SELECT count(*) FROM sqlite_master WHERE name='feed_state'") == 0);
    /* and so does the feed writer, with the same reason */
    feed_writer *w = feed_writer_open(p, err, sizeof err);
    CHECK(w == NULL);
    feed_writer_close(w);
    CHECK_CONTAINS(err, "newer than this parapet");
}

/* A migration that fails half way leaves the file at version 2. */
static void test_failed_migration(void)
{
    char p[256], err[600] = "";
    path_of(p, sizeof p, "v2-broken.db");
    exec_all(p, v2_schema, sizeof v2_schema / sizeof v2_schema[0]);
    exec_all(p, v2_data, sizeof v2_data / sizeof v2_data[0]);
    /* an index takes the name of a table version 3 adds */
    const char *block[] = {"CREATE INDEX feed_imports ON scans(status)"};
    exec_all(p, block, 1);
    store *s = store_open(p, err, sizeof err);
    CHECK(s == NULL);
    if (s)
        s->ops->close(s);
    CHECK_CONTAINS(err, "migration from schema version 2 failed (the store is unchanged)");
    CHECK(q1(p, "SELECT value FROM meta WHERE key='schema_version'") == 2);
    CHECK(q1(p, "SELECT count(*) FROM sqlite_master WHERE name='feed_state'") == 0);
    CHECK(q1(p, "SELECT count(*) FROM advisories") == 2);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_v2_without_feed_tables();
    test_v2_with_feed_tables();
    test_fresh();
    test_newer_refused();
    test_failed_migration();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return test_summary("test_feed_migrate");
}
