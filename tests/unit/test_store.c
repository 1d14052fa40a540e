/*
 * tests/unit/test_store.c - the SQLite store through store_ops: schema
 * migration from version 1 (with data), refusal of newer or foreign files,
 * resources stored once per content, the finding lifecycle, suppressions
 * JSON (with expiry), retention, and "aborted" marking only when no scan runs.
 */
#include "config.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record.h"
#include "store.h"
#include "testlib.h"

static char dir[] = "/tmp/test_store.XXXXXX";

static void path_of(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
}

/* One integer from @sql on the file at @path (a separate connection). */
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

static char *qs(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    char *v = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            v = strdup((const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return v;
}

static int put_resource(store *s, int64_t scan, const char *uid, const char *data)
{
    pp_resource r;
    memset(&r, 0, sizeof r);
    r.size = sizeof r;
    r.uid = uid;
    r.type = "test.item";
    r.provider = "test";
    r.account = "111";
    r.region = "eu-west-1";
    r.name = uid;
    r.tags_json = "{\"env\":\"dev\"}";
    r.data_json = data;
    r.observed_at = 1700000000 + scan;
    char err[256];
    rec *x = rec_copy(REC_RESOURCE, &r, "snap", err, sizeof err);
    if (!x)
        return -1;
    int rc = s->ops->put(s, scan, x);
    rec_free(x);
    return rc;
}

static int put_finding(store *s, int64_t scan, const char *rule, const char *uid, int status, const char *msg)
{
    pp_finding f;
    memset(&f, 0, sizeof f);
    f.size = sizeof f;
    f.rule_id = rule;
    f.resource_uid = uid;
    f.resource_type = "test.item";
    f.status = status;
    f.severity = PP_SEV_HIGH;
    f.title = "t";
    f.message = msg;
    f.provider = "test";
    char err[256];
    rec *x = rec_copy(REC_FINDING, &f, "engine", err, sizeof err);
    if (!x)
        return -1;
    int rc = s->ops->put(s, scan, x);
    rec_free(x);
    return rc;
}

typedef struct fdef {
    const char *rule, *uid;
    int status;
} fdef;

/* A scan by plugin "snap" of @n_res resources (uid "r<i>", data from
 * @datas) and the given findings; finished with @status. */
static int64_t run_scan(store *s, const char *providers, const char *const *uids, const char *const *datas,
                        size_t n_res, const fdef *fs, size_t n_f, const char *status)
{
    int64_t id = 0;
    CHECK(s->ops->scan_begin(s, providers, 1700000000, &id) == 0);
    CHECK(s->ops->begin(s) == 0);
    for (size_t i = 0; i < n_res; i++)
        CHECK(put_resource(s, id, uids[i], datas[i]) == 0);
    for (size_t i = 0; i < n_f; i++)
        CHECK(put_finding(s, id, fs[i].rule, fs[i].uid, fs[i].status, "m") == 0);
    CHECK(s->ops->commit(s) == 0);
    scan_totals t = {n_res, n_f, 0};
    CHECK(s->ops->scan_end(s, id, status, 1700000100 + id, &t) == 0);
    return id;
}

static long long label_count(const char *path, int64_t scan, const char *lc)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM finding_lifecycle WHERE scan_id=%lld AND lifecycle='%s'",
             (long long)scan, lc);
    return q1(path, sql);
}

static void test_lifecycle(void)
{
    char p[256], err[600];
    path_of(p, sizeof p, "life.db");
    store *s = store_open(p, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    const char *uids[] = {"r1", "r2", "r3"};
    const char *d[] = {"{\"a\":1}", "{\"a\":2}", "{\"a\":3}"};
    /* scan 1: r1 and r2 fail A; r3 passes */
    fdef f1[] = {{"t-a", "r1", PP_STATUS_FAIL}, {"t-a", "r2", PP_STATUS_FAIL}, {"t-a", "r3", PP_STATUS_PASS}};
    int64_t s1 = run_scan(s, "[\"snap\"]", uids, d, 3, f1, 3, "complete");
    CHECK(label_count(p, s1, "new") == 2);
    /* scan 2: r1 still fails, r2 passes, r3 fails, and r2 is muted by no one */
    fdef f2[] = {{"t-a", "r1", PP_STATUS_FAIL}, {"t-a", "r2", PP_STATUS_PASS}, {"t-a", "r3", PP_STATUS_MUTED}};
    int64_t s2 = run_scan(s, "[\"snap\"]", uids, d, 3, f2, 3, "complete");
    CHECK(label_count(p, s2, "open") == 1);
    CHECK(label_count(p, s2, "resolved") == 1);
    CHECK(label_count(p, s2, "muted") == 1);
    CHECK(q1(p, "SELECT count(*) FROM finding_state WHERE rule_id='t-a' AND resource_uid='r2' AND "
                "status='resolved' AND resolved_at IS NOT NULL") == 1);
    /* scan 3 by another plugin only: nothing of "snap" can resolve */
    int64_t s3 = run_scan(s, "[\"other\"]", NULL, NULL, 0, NULL, 0, "complete");
    CHECK(label_count(p, s3, "resolved") == 0);
    char *st = qs(p, "SELECT status FROM finding_state WHERE resource_uid='r1'");
    CHECK_STR(st, "open");
    free(st);
    /* an interrupted scan with nothing resolves nothing either */
    int64_t s4 = run_scan(s, "[\"snap\"]", NULL, NULL, 0, NULL, 0, "interrupted");
    CHECK(q1(p, "SELECT count(*) FROM finding_lifecycle WHERE scan_id=(SELECT max(id) FROM scans)") == 0);
    (void)s4;
    /* a partial scan: r1 vanished (kept open), r2 fails again (reopened) */
    fdef f5[] = {{"t-a", "r2", PP_STATUS_FAIL}};
    int64_t s5 = run_scan(s, "[\"snap\"]", uids + 1, d + 1, 1, f5, 1, "partial");
    CHECK(label_count(p, s5, "reopened") == 1);
    /* a partial scan resolves only on an explicit pass: r1 and r3 (gone,
     * no finding) stay as they were */
    CHECK(label_count(p, s5, "resolved") == 0);
    char *r3 = qs(p, "SELECT status FROM finding_state WHERE resource_uid='r3'");
    CHECK_STR(r3, "muted");
    free(r3);
    /* a complete scan with no findings: r1 (gone), r2 and r3 (no finding) resolve */
    int64_t s6 = run_scan(s, "[\"snap\"]", uids + 1, d + 1, 2, NULL, 0, "complete");
    CHECK(label_count(p, s6, "resolved") == 3);
    CHECK(q1(p, "SELECT count(*) FROM finding_state WHERE status<>'resolved'") == 0);
    CHECK(q1(p, "SELECT times_reopened FROM finding_state WHERE resource_uid='r2'") == 1);
    (void)s6;
    s->ops->close(s);
}

static void test_resources_dedup(void)
{
    char p[256], err[600];
    path_of(p, sizeof p, "dedup.db");
    store *s = store_open(p, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    const char *uids[] = {"a", "b", "c"};
    const char *d1[] = {"{\"v\":1}", "{\"v\":2}", "{\"v\":3}"};
    const char *d2[] = {"{\"v\":1}", "{\"v\":2}", "{\"v\":30}"};
    run_scan(s, "[\"snap\"]", uids, d1, 3, NULL, 0, "complete");
    run_scan(s, "[\"snap\"]", uids, d2, 3, NULL, 0, "complete");
    run_scan(s, "[\"snap\"]", uids, d2, 3, NULL, 0, "complete");
    CHECK(q1(p, "SELECT count(*) FROM resources") == 9);
    CHECK(q1(p, "SELECT count(*) FROM resource_versions") == 4);
    CHECK(q1(p, "SELECT json_extract(data,'$.v') FROM resources WHERE scan_id=1 AND uid='c'") == 3);
    CHECK(q1(p, "SELECT json_extract(data,'$.v') FROM resources WHERE scan_id=3 AND uid='c'") == 30);
    CHECK(q1(p, "SELECT observed_at FROM resources WHERE scan_id=2 AND uid='a'") == 1700000002);
    /* retention: keep 1 -> scans 1 and 2 go, and the version only scan 1 used */
    uint64_t gone = 0;
    CHECK(s->ops->retain(s, 1, 1, &gone) == 0);
    CHECK(gone == 2);
    CHECK(q1(p, "SELECT count(*) FROM scans") == 1);
    CHECK(q1(p, "SELECT count(*) FROM resources") == 3);
    CHECK(q1(p, "SELECT count(*) FROM resource_versions") == 3);
    CHECK(q1(p, "SELECT count(*) FROM resource_versions WHERE json_extract(data,'$.v')=3") == 0);
    CHECK(s->ops->retain(s, 0, 0, NULL) != 0);
    s->ops->close(s);
}

/* The version 1 schema, verbatim from the store of commit 9072bbb. */
static const char *const v1_ddl[] = {
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE scans( id INTEGER PRIMARY KEY, started_at INTEGER NOT NULL, finished_at INTEGER,"
    " status TEXT NOT NULL, providers TEXT NOT NULL, parapet_version TEXT,"
    " resources INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0,"
    " errors INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE resources( scan_id INTEGER NOT NULL,"
    " uid TEXT NOT NULL, type TEXT NOT NULL, provider TEXT NOT NULL, account TEXT, region TEXT,"
    " name TEXT, tags TEXT, data TEXT, source TEXT, source_line INTEGER, source_column INTEGER,"
    " observed_at INTEGER, plugin TEXT NOT NULL, PRIMARY KEY(scan_id, uid)) WITHOUT ROWID",
    "CREATE INDEX resources_type ON resources(type)",
    "CREATE TABLE findings( id INTEGER PRIMARY KEY, scan_id INTEGER NOT NULL,"
    " rule_id TEXT NOT NULL, resource_uid TEXT NOT NULL, resource_type TEXT, status TEXT NOT NULL,"
    " severity TEXT NOT NULL, title TEXT, message TEXT, evidence TEXT, remediation TEXT, compliance TEXT,"
    " provider TEXT, account TEXT, region TEXT, plugin TEXT NOT NULL)",
    "CREATE INDEX findings_scan ON findings(scan_id, rule_id)",
    "CREATE TABLE events( scan_id INTEGER NOT NULL, uid TEXT NOT NULL, type TEXT NOT NULL,"
    " provider TEXT NOT NULL, account TEXT, region TEXT, time INTEGER, actor TEXT, action TEXT,"
    " source_ip TEXT, data TEXT, plugin TEXT NOT NULL)",
    "CREATE TABLE indicators( kind TEXT NOT NULL, value TEXT NOT NULL, feed TEXT NOT NULL, attributes TEXT,"
    " expires_at INTEGER, updated_at INTEGER NOT NULL, plugin TEXT NOT NULL, PRIMARY KEY(feed, kind, value))",
    "CREATE TABLE advisories( id TEXT NOT NULL, source TEXT NOT NULL, modified INTEGER, document TEXT NOT NULL,"
    " plugin TEXT NOT NULL, PRIMARY KEY(source, id))",
    "CREATE TABLE packages( scan_id INTEGER NOT NULL, resource_uid TEXT NOT NULL,"
    " ecosystem TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL, purl TEXT, source_name TEXT,"
    " source_version TEXT, layer TEXT, location TEXT, plugin TEXT NOT NULL)",
    "CREATE TABLE scan_errors( scan_id INTEGER NOT NULL, plugin TEXT NOT NULL, task TEXT,"
    " message TEXT NOT NULL, at INTEGER NOT NULL)",
    "CREATE TABLE kv( plugin TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, expires_at INTEGER,"
    " PRIMARY KEY(plugin, key))",
    "INSERT INTO meta VALUES('schema_version','1')",
    /* two complete scans: x unchanged, y changed, z only in scan 1 */
    "INSERT INTO scans VALUES(1, 100, 110, 'complete', '[\"snap\"]', '0.1', 3, 2, 0)",
    "INSERT INTO scans VALUES(2, 200, 210, 'complete', '[\"snap\"]', '0.1', 2, 1, 0)",
    "INSERT INTO resources VALUES(1,'x','t.a','p','1','r','x','{}','{\"k\":1}',NULL,0,0,100,'snap')",
    "INSERT INTO resources VALUES(1,'y','t.a','p','1','r','y','{}','{\"k\":2}',NULL,0,0,100,'snap')",
    "INSERT INTO resources VALUES(1,'z','t.a','p','1','r','z','{}','{\"k\":3}',NULL,0,0,100,'snap')",
    "INSERT INTO resources VALUES(2,'x','t.a','p','1','r','x','{}','{\"k\":1}',NULL,0,0,200,'snap')",
    "INSERT INTO resources VALUES(2,'y','t.a','p','1','r','y','{}','{\"k\":20}',NULL,0,0,200,'snap')",
    "INSERT INTO findings(scan_id,rule_id,resource_uid,status,severity,plugin) VALUES(1,'t-r','y','fail','high','e')",
    "INSERT INTO findings(scan_id,rule_id,resource_uid,status,severity,plugin) VALUES(1,'t-r','z','fail','low','e')",
    "INSERT INTO findings(scan_id,rule_id,resource_uid,status,severity,plugin) VALUES(2,'t-r','y','fail','high','e')",
    "INSERT INTO kv VALUES('snap','k',x'414243',NULL)",
};

static void make_v1(const char *p)
{
    sqlite3 *db;
    CHECK(sqlite3_open(p, &db) == SQLITE_OK);
    for (size_t i = 0; i < sizeof v1_ddl / sizeof v1_ddl[0]; i++)
        CHECK(sqlite3_exec(db, v1_ddl[i], NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
}

static void test_migration(void)
{
    char p[256], err[600];
    path_of(p, sizeof p, "v1.db");
    make_v1(p);
    store *s = store_open(p, err, sizeof err);
    CHECK(s != NULL);
    if (!s) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    char *kv = NULL;
    size_t len = 0;
    CHECK(s->ops->kv_get(s, "snap", "k", &kv, &len) == 0);
    CHECK(len == 3 && kv && !memcmp(kv, "ABC", 3));
    free(kv);
    s->ops->close(s);
    CHECK(q1(p, "SELECT value FROM meta WHERE key='schema_version'") == 3); /* 1 -> 2 -> 3 */
    CHECK(q1(p, "SELECT count(*) FROM resources") == 5);
    CHECK(q1(p, "SELECT count(*) FROM resource_versions") == 4); /* x once, y twice, z */
    CHECK(q1(p, "SELECT json_extract(data,'$.k') FROM resources WHERE scan_id=2 AND uid='y'") == 20);
    CHECK(q1(p, "SELECT observed_at FROM resources WHERE scan_id=2 AND uid='x'") == 200);
    CHECK(q1(p, "SELECT count(*) FROM findings") == 3);
    CHECK(q1(p, "SELECT count(*) FROM sqlite_master WHERE name='resources' AND type='view'") == 1);
    /* the replayed lifecycle: y new then open; z new then resolved (gone) */
    CHECK(q1(p, "SELECT count(*) FROM finding_lifecycle WHERE scan_id=2 AND resource_uid='y' AND lifecycle='open'") ==
          1);
    CHECK(q1(p, "SELECT count(*) FROM finding_state WHERE resource_uid='z' AND status='resolved'") == 1);
    CHECK(q1(p, "SELECT first_seen FROM finding_state WHERE resource_uid='y'") == 100);
    /* opening again is a no-op */
    s = store_open(p, err, sizeof err);
    CHECK(s != NULL);
    if (s)
        s->ops->close(s);
    CHECK(q1(p, "SELECT count(*) FROM resource_versions") == 4);

    /* a newer store is refused, clearly, and left alone */
    sqlite3 *db;
    sqlite3_open(p, &db);
    sqlite3_exec(db, "UPDATE meta SET value='99' WHERE key='schema_version'", NULL, NULL, NULL);
    sqlite3_close(db);
    s = store_open(p, err, sizeof err);
    CHECK(s == NULL);
    CHECK_CONTAINS(err, "schema version 99, newer than this parapet");
    CHECK(q1(p, "SELECT value FROM meta WHERE key='schema_version'") == 99);

    /* a file with tables but no version is not a store */
    path_of(p, sizeof p, "foreign.db");
    sqlite3_open(p, &db);
    sqlite3_exec(db, "CREATE TABLE scans(x); CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)", NULL, NULL, NULL);
    sqlite3_close(db);
    s = store_open(p, err, sizeof err);
    CHECK(s == NULL);
    CHECK_CONTAINS(err, "not a parapet store");

    /* a garbage version string is refused */
    path_of(p, sizeof p, "badver.db");
    sqlite3_open(p, &db);
    sqlite3_exec(db,
                 "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
                 " INSERT INTO meta VALUES('schema_version','2x')",
                 NULL, NULL, NULL);
    sqlite3_close(db);
    s = store_open(p, err, sizeof err);
    CHECK(s == NULL);
    CHECK_CONTAINS(err, "not a version number");
}

/* A migration that fails half way leaves the file at version 1. */
static void test_migration_atomic(void)
{
    char p[256], err[600];
    path_of(p, sizeof p, "v1bad.db");
    make_v1(p);
    sqlite3 *db;
    sqlite3_open(p, &db);
    /* a table in the way of the migration */
    CHECK(sqlite3_exec(db, "CREATE TABLE suppressions(x)", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    store *s = store_open(p, err, sizeof err);
    CHECK(s == NULL);
    CHECK_CONTAINS(err, "migration from schema version 1 failed");
    CHECK(q1(p, "SELECT value FROM meta WHERE key='schema_version'") == 1);
    CHECK(q1(p, "SELECT count(*) FROM resources") == 5);
    CHECK(q1(p, "SELECT count(*) FROM sqlite_master WHERE name='resource_versions'") == 0);
}

static void test_suppressions(void)
{
    char p[256], err[600];
    path_of(p, sizeof p, "supp.db");
    store *s = store_open(p, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    suppression x;
    memset(&x, 0, sizeof x);
    x.rule = "aws-s3-*";
    x.region = "eu-*";
    x.resource = "^arn:aws:s3:::logs-.*$";
    x.tags_json = "[{\"key\":\"env\",\"value\":\"dev\"},{\"key\":\"tmp\",\"value\":null}]";
    x.tags_match = "any";
    x.reason = "logs are public by design";
    x.owner = "alice";
    x.created_at = 1764300000;
    x.expires_at = 4102444800; /* 2100 */
    int64_t id1 = 0, id2 = 0;
    CHECK(s->ops->suppression_add(s, &x, &id1) == 0);
    suppression y;
    memset(&y, 0, sizeof y);
    y.rule = "k8s-*";
    y.reason = "r";
    y.owner = "bob";
    y.created_at = 1764300000;
    y.expires_at = 1767225600; /* 2026-01-01: in the past for this test's clock? */
    CHECK(s->ops->suppression_add(s, &y, &id2) == 0);
    suppression z;
    memset(&z, 0, sizeof z);
    z.rule = "x";
    CHECK(s->ops->suppression_add(s, &z, NULL) != 0); /* no reason, no owner */
    char *json = NULL;
    CHECK(s->ops->suppressions_json(s, &json) == 0);
    cJSON *arr = cJSON_Parse(json);
    CHECK(cJSON_GetArraySize(arr) == 2);
    cJSON *a = cJSON_GetArrayItem(arr, 0);
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(a, "id")) == (double)id1);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(a, "rule")), "aws-s3-*");
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(a, "provider")));
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(a, "account")));
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(a, "region")), "eu-*");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(a, "resource")), "^arn:aws:s3:::logs-.*$");
    cJSON *tags = cJSON_GetObjectItem(a, "tags");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(tags, "match")), "any");
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(tags, "conditions")) == 2);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(tags, "conditions"), 1), "value")));
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(a, "owner")), "alice");
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(a, "created_at")) == 1764300000);
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(a, "expires_at")) == 4102444800.0);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(a, "expired")));
    cJSON *b = cJSON_GetArrayItem(arr, 1);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(b, "tags")));
    /* the test clock is after 2026-01-01 only if the machine says so */
    int64_t now = time_now_ns() / 1000000000LL;
    CHECK(cJSON_IsBool(cJSON_GetObjectItem(b, "expired")) &&
          cJSON_IsTrue(cJSON_GetObjectItem(b, "expired")) == (now >= 1767225600));
    cJSON_Delete(arr);
    free(json);
    CHECK(s->ops->suppression_remove(s, id2) == 0);
    CHECK(s->ops->suppression_remove(s, id2) == 1);
    CHECK(s->ops->suppressions_json(s, &json) == 0);
    CHECK_STR(json ? (strstr(json, "bob") ? "bob" : "none") : NULL, "none");
    free(json);
    s->ops->close(s);
}

/* A running scan of a live process is not marked aborted by another open;
 * once its process (here: its lock) is gone, it is. */
static void test_aborted_marking(void)
{
    char p[256], err[600];
    path_of(p, sizeof p, "abort.db");
    store *s = store_open(p, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    int64_t id;
    CHECK(s->ops->scan_begin(s, "[\"snap\"]", 1, &id) == 0);
    store *other = store_open(p, err, sizeof err);
    CHECK(other != NULL);
    if (other)
        other->ops->close(other);
    char *st = qs(p, "SELECT status FROM scans");
    CHECK_STR(st, "running");
    free(st);
    s->ops->close(s); /* like a kill: the row stays running, the lock goes */
    st = qs(p, "SELECT status FROM scans");
    CHECK_STR(st, "running");
    free(st);
    s = store_open(p, err, sizeof err);
    CHECK(s != NULL);
    st = qs(p, "SELECT status FROM scans");
    CHECK_STR(st, "aborted");
    free(st);
    if (s)
        s->ops->close(s);
    /* the file is private */
    struct stat sb;
    CHECK(stat(p, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    /* a symlink is refused */
    char l[300];
    path_of(l, sizeof l, "link.db");
    CHECK(symlink(p, l) == 0);
    s = store_open(l, err, sizeof err);
    CHECK(s == NULL);
    CHECK_CONTAINS(err, "symbolic link");
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_migration();
    test_migration_atomic();
    test_resources_dedup();
    test_lifecycle();
    test_suppressions();
    test_aborted_marking();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return test_summary("test_store");
}
