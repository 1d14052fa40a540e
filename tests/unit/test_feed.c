/*
 * tests/unit/test_feed.c - core/feed: OSV range evaluation on the reference
 * records and on the Debian set (tests/fixtures/feeds/SOURCE), CVSS v3 base
 * scores, name normalisation, the triage order, and the feed writer's
 * replace-per-feed rule.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cel/cel.h"
#include "feed/feed.h"
#include "testlib.h"

#ifndef FEED_FIXTURES
#error "FEED_FIXTURES must name tests/fixtures/feeds"
#endif

static cJSON *load(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", FEED_FIXTURES, rel);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return cJSON_Parse(buf);
}

/* 1 affected, 0 not, -1 error; @fixed gets the fix. */
static int affects(const cJSON *doc, const char *eco, const char *name, const char *ver, const char *src,
                   const char *srcver, char *fixed)
{
    feed_pkg p = {eco, name, ver, src, srcver};
    char fx[256], err[300];
    int r = feed_osv_affects(doc, &p, fx, sizeof fx, err, sizeof err);
    if (fixed)
        memcpy(fixed, fx, strlen(fx) + 1); /* callers pass 256 bytes, like fx */
    return r;
}

static void test_reference_records(void)
{
    char fx[256];
    /* GO-2024-2963: stdlib, two ranges: [0, 1.21.12) and [1.22.0-0, 1.22.5) */
    cJSON *go = load("osv-reference/GO-2024-2963.json");
    CHECK(go != NULL);
    CHECK(affects(go, "Go", "stdlib", "v1.21.11", NULL, NULL, fx) == 1);
    CHECK_STR(fx, "1.21.12");
    CHECK(affects(go, "Go", "stdlib", "v1.21.12", NULL, NULL, fx) == 0);
    CHECK(affects(go, "Go", "stdlib", "v1.22.0", NULL, NULL, fx) == 1);
    CHECK_STR(fx, "1.22.5");
    CHECK(affects(go, "Go", "stdlib", "v1.22.5", NULL, NULL, fx) == 0);
    CHECK(affects(go, "Go", "stdlib", "v1.23.0", NULL, NULL, fx) == 0);
    CHECK(affects(go, "Go", "golang.org/x/net", "v0.1.0", NULL, NULL, fx) == 0);
    CHECK(affects(go, "npm", "stdlib", "1.0.0", NULL, NULL, fx) == 0);
    cJSON_Delete(go);

    /* GHSA-9v2f-6vcg-3hgv: PyPI "Gradio", versions list only; names normalised */
    cJSON *gh = load("osv-reference/GHSA-9v2f-6vcg-3hgv.json");
    CHECK(gh != NULL);
    CHECK(affects(gh, "PyPI", "gradio", "4.36.1", NULL, NULL, fx) == 1);
    CHECK_STR(fx, "");
    CHECK(affects(gh, "PyPI", "Gradio", "4.36.0", NULL, NULL, fx) == 0);
    double score;
    CHECK_STR(feed_osv_severity(gh, &score), "critical");
    CHECK(score > 9.79 && score < 9.81);
    cJSON_Delete(gh);

    /* the linter's defective twin names a package that does not exist */
    cJSON *np = load("osv-reference/nopackage-GHSA-9v2f-6vcg-3hgv.json");
    CHECK(affects(np, "PyPI", "gradio", "4.36.1", NULL, NULL, fx) == 0);
    cJSON_Delete(np);

    /* PYSEC-2023-74: requests, a range with a fix */
    cJSON *py = load("osv-reference/PYSEC-2023-74.json");
    CHECK(py != NULL);
    CHECK(affects(py, "PyPI", "requests", "2.30.0", NULL, NULL, fx) == 1);
    CHECK_STR(fx, "2.31.0");
    CHECK(affects(py, "PyPI", "requests", "2.31.0", NULL, NULL, fx) == 0);
    cJSON_Delete(py);

    /* CVE-2018-5407: Alpine openssl per release; Alpine matches the source (origin) package */
    cJSON *al = load("osv-reference/CVE-2018-5407.json");
    CHECK(affects(al, "Alpine:v3.8", "libssl1.0", "1.0.2p-r0", "openssl", "1.0.2p-r0", fx) == 1);
    CHECK_STR(fx, "1.0.2q-r0");
    CHECK(affects(al, "Alpine:v3.8", "libssl1.0", "1.0.2q-r0", "openssl", "1.0.2q-r0", fx) == 0);
    CHECK_STR(feed_osv_severity(al, &score), "medium");
    CHECK(score > 4.69 && score < 4.71);
    cJSON_Delete(al);

    /* CVE-2023-41045: only a GIT range and no package: never matches */
    cJSON *git = load("osv-reference/CVE-2023-41045.json");
    CHECK(affects(git, "Maven", "graylog2-server", "5.0.0", NULL, NULL, fx) == 0);
    cJSON_Delete(git);
}

static void test_debian_set(void)
{
    char fx[256];
    struct {
        const char *file, *bin, *ver, *src, *srcver;
        int want;
        const char *fixed;
    } cases[] = {
        {"DEBIAN-CVE-2099-0001", "libc6", "2.36-9+deb12u14", "glibc", "2.36-9+deb12u14", 1, "2.36-9+deb12u99"},
        /* equal to the fix, with an epoch */
        {"DEBIAN-CVE-2099-0002", "zlib1g", "1:1.2.13.dfsg-1", "zlib", "1:1.2.13.dfsg-1", 0, ""},
        {"DEBIAN-CVE-2099-0002", "zlib1g", "1:1.2.12-1", "zlib", "1:1.2.12-1", 1, "1:1.2.13.dfsg-1"},
        /* no fix */
        {"DEBIAN-CVE-2099-0003", "login", "1:4.13+dfsg1-1+deb12u2", "shadow", "1:4.13+dfsg1-1+deb12u2", 1, ""},
        /* last_affected: equal is affected, above is not */
        {"DEBIAN-CVE-2099-0004", "tar", "1.34+dfsg-1.2+deb12u1", "tar", NULL, 1, ""},
        {"DEBIAN-CVE-2099-0004", "tar", "1.34+dfsg-1.2+deb12u2", "tar", NULL, 0, ""},
        /* withdrawn */
        {"DEBIAN-CVE-2099-0005", "bash", "5.2.15-2+b13", "bash", "5.2.15-2", 0, ""},
        /* events listed out of order */
        {"DEBIAN-CVE-2099-0006", "libpam0g", "1.5.2-6+deb12u3", "pam", "1.5.2-6+deb12u3", 1, "1.5.2-6+deb12u4"},
        {"DEBIAN-CVE-2099-0006", "libpam0g", "1.5.2-6+deb12u2", "pam", "1.5.2-6+deb12u2", 0, ""},
        /* '~' sorts before everything: 6.4-4 is after 6.4-4~deb12u1 */
        {"DEBIAN-CVE-2099-0007", "libtinfo6", "6.4-4", "ncurses", "6.4-4", 0, ""},
        {"DEBIAN-CVE-2099-0007", "libtinfo6", "6.4-4~a", "ncurses", "6.4-4~a", 1, "6.4-4~deb12u1"},
        /* the record names a binary package: source matching does not hit it */
        {"DEBIAN-CVE-2099-0008", "libtinfo6", "6.4-4", "ncurses", "6.4-4", 0, ""},
        /* another release */
        {"DEBIAN-CVE-2099-0009", "libc6", "2.36-9+deb12u14", "glibc", "2.36-9+deb12u14", 0, ""},
        {"DEBIAN-CVE-2099-0010", "util-linux", "2.38.1-5+deb12u3", "util-linux", NULL, 0, ""},
        {"DEBIAN-CVE-2099-0010", "util-linux", "2.38.1-5+deb12u2", "util-linux", NULL, 1, "2.38.1-5+deb12u3"},
        /* binNMU: the binary is 5.2.15-2+b13, the source 5.2.15-2; the source version decides */
        {"DEBIAN-CVE-2099-0011", "perl-base", "5.36.0-7+deb12u4", "perl", "5.36.0-7+deb12u4", 1, "5.36.0-7+deb12u5"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "debian12/%s.json", cases[i].file);
        cJSON *d = load(rel);
        CHECK(d != NULL);
        int got = affects(d, "Debian:12", cases[i].bin, cases[i].ver, cases[i].src, cases[i].srcver, fx);
        if (got != cases[i].want)
            fprintf(stderr, "case %zu (%s %s %s): got %d\n", i, cases[i].file, cases[i].bin, cases[i].ver, got);
        CHECK(got == cases[i].want);
        if (cases[i].want == 1)
            CHECK_STR(fx, cases[i].fixed);
        cJSON_Delete(d);
    }
    /* Debian without a known source package falls back to the binary name */
    const char *name, *ver;
    feed_pkg p = {"Debian:12", "tar", "1.34", NULL, NULL};
    feed_pkg_key(&p, &name, &ver);
    CHECK_STR(name, "tar");
    /* npm never uses source names */
    feed_pkg q = {"npm", "lodash", "4.17.20", "other", "1"};
    feed_pkg_key(&q, &name, &ver);
    CHECK_STR(name, "lodash");
    CHECK_STR(ver, "4.17.20");
}

static void test_hostile_records(void)
{
    char fx[256], err[300];
    feed_pkg p = {"npm", "x", "1.0.0", NULL, NULL};
    const char *docs[] = {
        "{\"id\":\"A\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"x\"},"
        "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"not a version\"}]}]}]}",
        "{\"id\":\"A\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"x\"},"
        "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\",\"fixed\":\"2.0.0\"}]}]}]}",
        "{\"id\":\"A\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"x\"},"
        "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"bogus\":\"1\"}]}]}]}",
        "{\"id\":\"A\",\"affected\":\"nope\"}",
        "[1,2,3]",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        cJSON *d = cJSON_Parse(docs[i]);
        CHECK(d != NULL);
        CHECK(feed_osv_affects(d, &p, fx, sizeof fx, err, sizeof err) == 0);
        cJSON_Delete(d);
    }
    /* a package version its ecosystem cannot read is an error, not a match */
    cJSON *d = cJSON_Parse("{\"id\":\"A\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"x\"},"
                           "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"}]}]}]}");
    feed_pkg bad = {"npm", "x", "not-a-version", NULL, NULL};
    CHECK(feed_osv_affects(d, &bad, fx, sizeof fx, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "not-a-version");
    cJSON_Delete(d);
}

static void test_cvss(void)
{
    struct {
        const char *v;
        double want;
    } c[] = {
        {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},  {"CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:N/A:N", 4.7},
        {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5},  {"CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},
        {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0}, {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0},
        {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N", 5.3},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        double s = feed_cvss3_score(c[i].v);
        if (!(s > c[i].want - 0.001 && s < c[i].want + 0.001))
            fprintf(stderr, "%s: got %.2f want %.1f\n", c[i].v, s, c[i].want);
        CHECK(s > c[i].want - 0.001 && s < c[i].want + 0.001);
    }
    const char *bad[] = {"",
                         "CVSS:2.0/AV:N",
                         "CVSS:3.1/AV:N/AC:L",
                         "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                         "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:Q/C:H/I:H/A:H",
                         "CVSS:3.1/AV:NN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                         "CVSS:3.1/AV:"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(feed_cvss3_score(bad[i]) < 0);
    CHECK_STR(feed_severity_from_score(9.0), "critical");
    CHECK_STR(feed_severity_from_score(8.9), "high");
    CHECK_STR(feed_severity_from_score(4.0), "medium");
    CHECK_STR(feed_severity_from_score(0.1), "low");
}

static void test_norm(void)
{
    char out[64];
    feed_norm_name("PyPI", "Foo__Bar.baz-Qux", out, sizeof out);
    CHECK_STR(out, "foo-bar-baz-qux");
    feed_norm_name("npm", "Foo_Bar", out, sizeof out);
    CHECK_STR(out, "Foo_Bar");
}

static void test_order(void)
{
    feed_finding f[4];
    memset(f, 0, sizeof f);
    char *ids[] = {"A", "B", "C", "D"};
    char *sev[] = {"critical", "low", "high", "medium"};
    for (int i = 0; i < 4; i++) {
        f[i].advisory_id = ids[i];
        f[i].severity = sev[i];
        f[i].package = "p";
        f[i].resource_uid = "r";
        f[i].epss = -1;
        f[i].cvss = -1;
    }
    f[1].kev = 1;     /* B: KEV, low: first */
    f[3].epss = 0.5;  /* D: EPSS 0.5: second */
    f[2].epss = 0.01; /* C: EPSS 0.01: third */
    qsort(f, 4, sizeof f[0], feed_finding_cmp);
    CHECK_STR(f[0].advisory_id, "B");
    CHECK_STR(f[1].advisory_id, "D");
    CHECK_STR(f[2].advisory_id, "C");
    CHECK_STR(f[3].advisory_id, "A");
}

/* The writer replaces a feed as a whole and leaves other feeds alone. */
static void test_writer(void)
{
    char dir[] = "/tmp/test_feed.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char db[256], err[600];
    snprintf(db, sizeof db, "%s/store.db", dir);
    const char *doc = "{\"id\":\"X-1\",\"modified\":\"2026-01-01T00:00:00Z\",\"affected\":[{\"package\":"
                      "{\"ecosystem\":\"PyPI\",\"name\":\"Foo_Bar\"}}]}";
    for (int round = 0; round < 2; round++) {
        feed_writer *w = feed_writer_open(db, err, sizeof err);
        CHECK(w != NULL);
        if (!w)
            break;
        pp_indicator ind;
        PP_INIT(&ind);
        ind.kind = "cve";
        ind.feed = "kev";
        ind.value = round == 0 ? "CVE-2099-0001" : "CVE-2099-0002";
        rec *r = rec_copy(REC_INDICATOR, &ind, "feeds", err, sizeof err);
        CHECK(r && feed_writer_put(w, r) == 0);
        rec_free(r);
        if (round == 0) {
            pp_advisory a;
            PP_INIT(&a);
            a.id = "X-1";
            a.source = "osv:PyPI";
            a.document_json = doc;
            r = rec_copy(REC_ADVISORY, &a, "feeds", err, sizeof err);
            CHECK(r && feed_writer_put(w, r) == 0);
            rec_free(r);
            CHECK(feed_writer_kv_set(w, "feeds", "etag:kev", "\"v1\"", 4, 0) == 0);
        }
        CHECK(feed_writer_commit(w) == 0);
        feed_writer_close(w);
    }
    sqlite3 *h = NULL;
    CHECK(sqlite3_open(db, &h) == SQLITE_OK);
    sqlite3_stmt *st = NULL;
    CHECK(sqlite3_prepare_v2(h,
                             "SELECT (SELECT group_concat(value) FROM indicators WHERE feed='kev'),"
                             " (SELECT count(*) FROM advisories WHERE source='osv:PyPI'),"
                             " (SELECT name FROM advisory_packages WHERE id='X-1'),"
                             " (SELECT value FROM kv WHERE plugin='feeds' AND key='etag:kev'),"
                             " (SELECT records FROM feed_state WHERE feed='kev')",
                             -1, &st, NULL) == SQLITE_OK);
    CHECK(sqlite3_step(st) == SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(st, 0), "CVE-2099-0002"); /* replaced */
    CHECK(sqlite3_column_int(st, 1) == 1);                                /* untouched */
    CHECK_STR((const char *)sqlite3_column_text(st, 2), "foo-bar");       /* normalised */
    CHECK_STR((const char *)sqlite3_column_text(st, 3), "\"v1\"");
    CHECK(sqlite3_column_int(st, 4) == 1);
    sqlite3_finalize(st);
    sqlite3_close(h);

    /* a writer that is closed without commit changes nothing */
    feed_writer *w = feed_writer_open(db, err, sizeof err);
    pp_indicator ind;
    PP_INIT(&ind);
    ind.kind = "cve";
    ind.feed = "kev";
    ind.value = "CVE-2099-0003";
    rec *r = rec_copy(REC_INDICATOR, &ind, "feeds", err, sizeof err);
    CHECK(w && r && feed_writer_put(w, r) == 0);
    rec_free(r);
    feed_writer_close(w);
    CHECK(sqlite3_open(db, &h) == SQLITE_OK);
    CHECK(sqlite3_prepare_v2(h, "SELECT group_concat(value) FROM indicators WHERE feed='kev'", -1, &st, NULL) ==
          SQLITE_OK);
    CHECK(sqlite3_step(st) == SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(st, 0), "CVE-2099-0002");
    sqlite3_finalize(st);
    sqlite3_close(h);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

/* threat.ip over a DROP-like set, directly and through CEL */
static void test_threat_ip(void)
{
    feed_ipset *s = feed_ipset_new();
    CHECK(s != NULL);
    CHECK(feed_ipset_add(s, "192.0.2.0/24") == 0);
    CHECK(feed_ipset_add(s, "203.0.113.7") == 0);
    CHECK(feed_ipset_add(s, "2001:db8::/32") == 0);
    CHECK(feed_ipset_add(s, "192.0.2.0/33") == -1);
    CHECK(feed_ipset_add(s, "example.com") == -1);
    CHECK(feed_ipset_size(s) == 3);
    CHECK(feed_ipset_match(s, "192.0.2.77") == 1);
    CHECK(feed_ipset_match(s, "192.0.3.1") == 0);
    CHECK(feed_ipset_match(s, "0.0.0.0/0") == 1); /* open to the world: includes bad ranges */
    CHECK(feed_ipset_match(s, "10.0.0.0/8") == 0);
    CHECK(feed_ipset_match(s, "203.0.113.0/24") == 1); /* contains a listed address */
    CHECK(feed_ipset_match(s, "203.0.113.8/32") == 0);
    CHECK(feed_ipset_match(s, "2001:db8:1::1") == 1);
    CHECK(feed_ipset_match(s, "::/0") == 1);
    CHECK(feed_ipset_match(s, "2001:db9::1") == 0);
    CHECK(feed_ipset_match(s, "not an ip") == -1);
    CHECK(feed_ipset_match(s, "1.2.3.4/") == -1);
    feed_ipset_free(s);

    /* threat.ip in rules reads the ip and cidr indicators of the store */
    char dir[] = "/tmp/test_feed_ip.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char db[256], err[600];
    snprintf(db, sizeof db, "%s/store.db", dir);
    feed_writer *w = feed_writer_open(db, err, sizeof err);
    CHECK(w != NULL);
    const char *inds[][2] = {{"cidr", "192.0.2.0/24"}, {"ip", "203.0.113.7"}, {"domain", "bad.example"}};
    for (size_t i = 0; w && i < 3; i++) {
        pp_indicator ind;
        PP_INIT(&ind);
        ind.kind = inds[i][0];
        ind.value = inds[i][1];
        ind.feed = "list:drop";
        rec *r = rec_copy(REC_INDICATOR, &ind, "feeds", err, sizeof err);
        CHECK(r && feed_writer_put(w, r) == 0);
        rec_free(r);
    }
    CHECK(w && feed_writer_commit(w) == 0);
    feed_writer_close(w);
    const char *why = NULL;
    CHECK(feed_threat_ip_register_store(db, &why) == 0);
    cel_env *env = cel_env_new();
    CHECK(env != NULL);
    const char *exprs[] = {"threat.ip('192.0.2.1')", "threat.ip('0.0.0.0/0')", "!threat.ip('10.1.2.3')",
                           "threat.ip('203.0.113.0/28')", "!threat.ip('2001:db8::1')"};
    for (size_t i = 0; env && i < sizeof exprs / sizeof exprs[0]; i++) {
        cel_compile_error cerr;
        cel_program *p = cel_compile(env, exprs[i], &cerr);
        CHECK(p != NULL);
        if (!p) {
            fprintf(stderr, "%s: %s\n", exprs[i], cerr.text);
            continue;
        }
        int out = 0;
        char *eerr = NULL;
        CHECK(cel_eval_bool(p, NULL, NULL, &out, &eerr) == 0);
        if (eerr)
            fprintf(stderr, "%s: %s\n", exprs[i], eerr);
        free(eerr);
        CHECK(out == 1);
        cel_program_free(p);
    }
    if (env) {
        cel_compile_error cerr;
        cel_program *p = cel_compile(env, "threat.ip('not an address')", &cerr);
        int out = 0;
        char *eerr = NULL;
        CHECK(p && cel_eval_bool(p, NULL, NULL, &out, &eerr) == -1);
        CHECK_CONTAINS(eerr, "not an IP address or CIDR range");
        free(eerr);
        cel_program_free(p);
    }
    cel_env_free(env);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

/* The severity and rule id of a vulnerability finding (docs/feeds.md). */
static void test_finding_fields(void)
{
    feed_finding x;
    memset(&x, 0, sizeof x);
    x.advisory_id = (char *)"GHSA-aaaa-bbbb-cccc";
    x.severity = (char *)"unknown";
    x.cvss = -1;
    char rule[64];
    feed_rule_id(&x, rule, sizeof rule);
    CHECK_STR(rule, "vuln-GHSA-aaaa-bbbb-cccc");
    CHECK(feed_severity_of(&x) == PP_SEV_MEDIUM); /* not stated */
    x.severity = (char *)"low";
    CHECK(feed_severity_of(&x) == PP_SEV_LOW);
    x.kev = 1;
    CHECK(feed_severity_of(&x) == PP_SEV_HIGH); /* KEV: at least high */
    x.cvss = 9.8;
    CHECK(feed_severity_of(&x) == PP_SEV_CRITICAL);
    x.kev = 0;
    x.cvss = 6.9;
    x.severity = (char *)"critical"; /* the score wins over the label */
    CHECK(feed_severity_of(&x) == PP_SEV_MEDIUM);
    x.cvss = 7.0;
    CHECK(feed_severity_of(&x) == PP_SEV_HIGH);
    x.cvss = 3.9;
    CHECK(feed_severity_of(&x) == PP_SEV_LOW);
    x.cve = (char *)"CVE-2024-3094";
    feed_rule_id(&x, rule, sizeof rule);
    CHECK_STR(rule, "CVE-2024-3094");
}

int main(void)
{
    test_threat_ip();
    test_reference_records();
    test_debian_set();
    test_hostile_records();
    test_cvss();
    test_norm();
    test_order();
    test_writer();
    test_finding_fields();
    return test_summary("test_feed");
}
