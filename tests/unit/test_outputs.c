/*
 * tests/unit/test_outputs.c - the `outputs` plugin's parts, and the plugin
 * driven through its ABI by a fake host of this file's own: escaping,
 * finding checks, time parsing, configuration refusals, the webhook
 * signature and headers, secret handling, sinks dropped without close, bad
 * syslog destinations.
 *
 * The CLI-level tests are tests/integration/outputs_*.sh.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <parapet/plugin.h>

#include "../support/test_check.h"
#include "buf.h"
#include "escape.h"
#include "finding.h"
#include "sign.h"

/* ---- a fake host ------------------------------------------------------------ */

#define FAKE_SECRET "s3cr3t-value-for-the-test"

static struct {
    char log[8192]; /* every log line, concatenated */
    int secret_calls, secret_frees, secret_wiped;
    int http_calls;
    long http_status; /* what the fake server answers */
    char last_body[65536];
    char last_url[512];
    char hdr_sig[128], hdr_ts[64], hdr_type[64];
} fk;

static void fake_log(pp_host *h, pp_log_level lvl, const char *msg)
{
    (void)h;
    (void)lvl;
    size_t n = strlen(fk.log);
    (void)snprintf(fk.log + n, sizeof fk.log - n, "%s\n", msg);
}

static void *fake_alloc(pp_host *h, size_t n)
{
    (void)h;
    return malloc(n);
}

static void fake_free(pp_host *h, void *p)
{
    (void)h;
    free(p);
}

static int fake_http(pp_host *h, const pp_http_request *req, pp_http_response **out)
{
    (void)h;
    fk.http_calls++;
    (void)snprintf(fk.last_url, sizeof fk.last_url, "%s", req->url);
    size_t n = req->body_len < sizeof fk.last_body - 1 ? req->body_len : sizeof fk.last_body - 1;
    memcpy(fk.last_body, req->body, n);
    fk.last_body[n] = '\0';
    fk.hdr_sig[0] = fk.hdr_ts[0] = fk.hdr_type[0] = '\0';
    for (size_t i = 0; i < req->n_headers; i++) {
        const char *nm = req->headers[i].name, *v = req->headers[i].value;
        if (!strcmp(nm, "X-Parapet-Signature"))
            (void)snprintf(fk.hdr_sig, sizeof fk.hdr_sig, "%s", v);
        else if (!strcmp(nm, "X-Parapet-Timestamp"))
            (void)snprintf(fk.hdr_ts, sizeof fk.hdr_ts, "%s", v);
        else if (!strcmp(nm, "Content-Type"))
            (void)snprintf(fk.hdr_type, sizeof fk.hdr_type, "%s", v);
    }
    pp_http_response *r = calloc(1, sizeof *r);
    if (!r)
        return PP_ERR_NOMEM;
    r->size = sizeof *r;
    r->status = fk.http_status;
    r->attempts = 1;
    r->body = "";
    *out = r;
    return PP_OK;
}

static void fake_http_free(pp_host *h, pp_http_response *r)
{
    (void)h;
    free(r);
}

static int fake_secret(pp_host *h, const char *ref, char **out, size_t *len)
{
    (void)h;
    fk.secret_calls++;
    if (strcmp(ref, "env:GOOD") != 0)
        return PP_ERR_NOTFOUND;
    *out = strdup(FAKE_SECRET);
    *len = strlen(FAKE_SECRET);
    return *out ? PP_OK : PP_ERR_NOMEM;
}

static void fake_secret_free(pp_host *h, char *v, size_t len)
{
    (void)h;
    fk.secret_frees++;
    if (v) {
        memset(v, 0, len);
        fk.secret_wiped++;
        free(v);
    }
}

static pp_host_api fake_api = {
    .size = sizeof(pp_host_api),
    .abi_major = PP_ABI_MAJOR,
    .abi_minor = PP_ABI_MINOR,
    .log = fake_log,
    .alloc = fake_alloc,
    .free = fake_free,
    .http = fake_http,
    .http_free = fake_http_free,
    .secret = fake_secret,
    .secret_free = fake_secret_free,
};

static const pp_plugin *plugin(void)
{
    const pp_plugin *p = NULL;
    int rc = parapet_plugin_entry_v1(&fake_api, NULL, &p);
    CHECK(rc == PP_OK && p && p->output, "entry: rc %d", rc);
    return p;
}

static const char *FINDING =
    "{\"scan_id\":3,\"rule_id\":\"ox-r\",\"resource_uid\":\"<script>alert(1)</script>\",\"status\":\"fail\","
    "\"severity\":\"high\",\"title\":\"T\",\"message\":\"=cmd|' /C calc'!A0\",\"provider\":\"aws\","
    "\"account\":\"123456789012\",\"region\":\"eu-west-1\",\"observed_at\":\"2026-11-28T10:00:00Z\"}";
static const char *SCAN = "{\"scan_id\":3,\"started_at\":\"2026-11-28T10:00:00Z\",\"parapet_version\":\"0.1.0\"}";

/* ---- escaping ------------------------------------------------------------------- */

static char *esc(void (*fn)(out_buf *, const char *), const char *s)
{
    static char out[512];
    out_buf b = {0};
    fn(&b, s);
    (void)snprintf(out, sizeof out, "%s", b.p ? b.p : "");
    out_buf_free(&b);
    return out;
}

static void test_csv_cells(void)
{
    const char *lead[] = {"=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"};
    for (size_t i = 0; i < sizeof lead / sizeof lead[0]; i++) {
        char *o = esc(out_csv_cell, lead[i]);
        CHECK(o[0] == '"' && o[1] == '\'' && strncmp(o + 2, lead[i], strlen(lead[i])) == 0,
              "cell %zu not neutralised: %s", i, o);
    }
    CHECK(!strcmp(esc(out_csv_cell, "a\"b,c"), "\"a\"\"b,c\""), "quotes doubled: %s", esc(out_csv_cell, "a\"b,c"));
    CHECK(!strcmp(esc(out_csv_cell, "x=1"), "\"x=1\""), "= inside is fine");
    CHECK(!strcmp(esc(out_csv_cell, ""), "\"\""), "empty");
    CHECK(!strcmp(esc(out_csv_cell, "a\xff"
                                    "b"),
                  "\"a?b\""),
          "invalid UTF-8 becomes ?");
    CHECK(!strcmp(esc(out_csv_cell, "\xc3\xa9"), "\"\xc3\xa9\""), "valid UTF-8 kept");
}

static void test_xml_sd_cef_slack(void)
{
    CHECK(!strcmp(esc(out_xml_text, "<a href='x'>&\"</a>"), "&lt;a href=&apos;x&apos;&gt;&amp;&quot;&lt;/a&gt;"),
          "xml: %s", esc(out_xml_text, "<a href='x'>&\"</a>"));
    CHECK(!strcmp(esc(out_xml_text, "a\x01"
                                    "b\x1b"),
                  "a?b?"),
          "xml: control characters");
    CHECK(!strcmp(esc(out_xml_text, "\xed\xa0\x80"), "???"), "xml: a surrogate is not UTF-8");
    CHECK(!strcmp(esc(out_sd_value, "a\"b\\c]d\ne"), "a\\\"b\\\\c\\]d e"), "sd: %s", esc(out_sd_value, "a\"b\\c]d\ne"));
    CHECK(!strcmp(esc(out_syslog_msg, "l1\nl2\r"), "l1 l2 "), "msg: one line");
    CHECK(!strcmp(esc(out_cef_header, "a|b\\c"), "a\\|b\\\\c"), "cef header: %s", esc(out_cef_header, "a|b\\c"));
    CHECK(!strcmp(esc(out_cef_value, "a=b\\c\nd|e"), "a\\=b\\\\c\\nd|e"), "cef value: %s",
          esc(out_cef_value, "a=b\\c\nd|e"));
    CHECK(!strcmp(esc(out_slack_text, "<!channel> & <x>"), "&lt;!channel&gt; &amp; &lt;x&gt;"), "slack");
}

static void test_json_append(void)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "n", "</script><b>&");
    out_buf b = {0};
    CHECK(out_json_append(&b, o) == 0, "append");
    CHECK(b.p && !strcmp(b.p, "{\"n\":\"\\u003c/script\\u003e\\u003cb\\u003e\\u0026\"}"), "json: %s", b.p);
    cJSON *back = cJSON_Parse(b.p);
    CHECK(back && !strcmp(cJSON_GetObjectItem(back, "n")->valuestring, "</script><b>&"), "round trip");
    cJSON_Delete(back);
    cJSON_Delete(o);
    out_buf_free(&b);
}

static void test_utf8_cut(void)
{
    const char *s = "ab\xc3\xa9"
                    "cd"; /* a b é c d */
    CHECK(out_utf8_cut(s, 6, 3) == 2, "never inside é: %zu", out_utf8_cut(s, 6, 3));
    CHECK(out_utf8_cut(s, 6, 4) == 4, "after é");
    CHECK(out_utf8_cut(s, 6, 100) == 6, "short enough");
}

/* ---- findings and times -------------------------------------------------------- */

static void test_finding_checks(void)
{
    const char *bad[] = {
        "",
        "not json",
        "[1,2]",
        "{\"resource_uid\":\"r\",\"status\":\"fail\",\"severity\":\"high\"}",
        "{\"rule_id\":\"x\",\"status\":\"fail\",\"severity\":\"high\"}",
        "{\"rule_id\":\"x\",\"resource_uid\":\"r\",\"status\":\"failed\",\"severity\":\"high\"}",
        "{\"rule_id\":\"x\",\"resource_uid\":\"r\",\"status\":\"fail\",\"severity\":\"urgent\"}",
        "{\"rule_id\":\"x\",\"resource_uid\":\"r\",\"status\":\"fail\",\"severity\":\"high\",\"observed_at\":"
        "\"yesterday\"}",
        "{\"rule_id\":5,\"resource_uid\":\"r\",\"status\":\"fail\",\"severity\":\"high\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cJSON *d = (cJSON *)1;
        out_finding f;
        char err[256] = "";
        CHECK(out_finding_parse(bad[i], 0, &d, &f, err, sizeof err) == -1 && d == NULL && err[0],
              "bad record %zu accepted", i);
    }
    /* a record over the cap */
    size_t n = OUT_FINDING_MAX_BYTES + 64;
    char *big = malloc(n + 1);
    if (big) {
        memset(big, ' ', n);
        big[n] = '\0';
        memcpy(big, "{\"rule_id\":\"x\"}", 15);
        cJSON *d;
        out_finding f;
        char err[256];
        CHECK(out_finding_parse(big, 0, &d, &f, err, sizeof err) == -1 && strstr(err, "larger"), "cap: %s", err);
        free(big);
    }
    cJSON *d;
    out_finding f, g;
    char err[256];
    CHECK(out_finding_parse(FINDING, 0, &d, &f, err, sizeof err) == 0, "good record refused: %s", err);
    CHECK(f.status == OUT_ST_FAIL && f.severity == OUT_SEV_HIGH && f.scan_id == 3, "fields");
    CHECK(f.time_ms == 1795860000000LL, "observed_at in ms: %lld", (long long)f.time_ms);
    CHECK(strlen(f.uid) == 64, "uid is hex SHA-256");
    char uid[65];
    memcpy(uid, f.uid, 65);
    cJSON_Delete(d);
    CHECK(out_finding_parse("{\"rule_id\":\"ox-r\",\"resource_uid\":\"<script>alert(1)</script>\",\"status\":\"pass\","
                            "\"severity\":\"info\"}",
                            42, &d, &g, err, sizeof err) == 0,
          "minimal record");
    CHECK(!strcmp(uid, g.uid), "uid depends on rule and resource only");
    CHECK(g.time_ms == 42, "undated finding takes the default time");
    cJSON_Delete(d);
    CHECK(
        out_finding_parse("{\"rule_id\":\"threat-x\",\"resource_uid\":\"r\",\"status\":\"fail\",\"severity\":\"low\"}",
                          0, &d, &g, err, sizeof err) == 0 &&
            g.kind == OUT_KIND_THREAT,
        "threat- rules are threats");
    cJSON_Delete(d);
    CHECK(out_finding_parse("{\"rule_id\":\"r\",\"resource_uid\":\"r\",\"status\":\"fail\",\"severity\":\"low\","
                            "\"kind\":\"vulnerability\"}",
                            0, &d, &g, err, sizeof err) == 0 &&
              g.kind == OUT_KIND_VULNERABILITY,
          "kind member wins");
    cJSON_Delete(d);
}

static void test_times(void)
{
    CHECK(out_parse_time("1970-01-01T00:00:00Z") == 0, "epoch");
    CHECK(out_parse_time("2026-11-28T10:00:00.5Z") == 1795860000500LL, "fraction");
    CHECK(out_parse_time("2026-11-28T12:00:00+02:00") == 1795860000000LL, "offset");
    const char *bad[] = {"2026-13-01T00:00:00Z",     "2026-11-28 10:00:00Z",  "2026-11-28T10:00:00",
                         "2026-11-28T10:00:00Zjunk", "2026-11-28T10:00:00.Z", "",
                         "1969-12-31T23:59:59Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(out_parse_time(bad[i]) == -1, "bad time %zu accepted", i);
    char buf[32];
    out_format_time(1795860000123LL, buf, sizeof buf);
    CHECK(!strcmp(buf, "2026-11-28T10:00:00.123Z"), "format: %s", buf);
}

/* ---- signature ----------------------------------------------------------------- */

static void test_sign(void)
{
    char sig[80];
    /* Expected value computed with Python's hmac module (an independent
     * implementation): hmac.new(b"key", b"1700000000." + b'{"a":1}', sha256). */
    CHECK(out_sign("key", 3, "1700000000", "{\"a\":1}", 7, sig, sizeof sig) == 0, "sign");
    CHECK(!strcmp(sig, "sha256=a438e398bfafc57e4396bb7fc2304422f0f768e965d073ca313cb52e22e6ad03"), "sig: %s", sig);
    char sig2[80];
    CHECK(out_sign("key", 3, "1700000001", "{\"a\":1}", 7, sig2, sizeof sig2) == 0 && strcmp(sig, sig2) != 0,
          "the timestamp is signed");
    CHECK(out_sign("", 0, "1", "x", 1, sig2, sizeof sig2) == -1 && sig2[0] == '\0', "empty key refused");
    CHECK(out_sign("k", 1, "1", "x", 1, sig2, 10) == -1, "short buffer refused");
}

/* ---- the plugin through its ABI -------------------------------------------------- */

static void test_config_refusals(void)
{
    const pp_plugin *p = plugin();
    const char *bad[] = {
        "{\"secret_ref\":\"hunter2\"}", "{\"batch_size\":0}",         "{\"batch_size\":1.5}",
        "{\"syslog_facility\":24}",     "{\"udp_max_bytes\":100}",    "{\"csv_columns\":[\"rule_id\",\"password\"]}",
        "{\"csv_columns\":[]}",         "{\"failing_only\":\"yes\"}", "[]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        void *inst = NULL;
        const char *err = NULL;
        CHECK(p->init(NULL, bad[i], &inst, &err) == PP_ERR_INVALID && err && inst == NULL, "config %zu accepted", i);
        CHECK(!err || !strstr(err, "hunter2"), "the error quotes the value");
    }
    void *inst = NULL;
    const char *err = NULL;
    CHECK(p->init(NULL, "{}", &inst, &err) == PP_OK, "empty config: %s", err ? err : "");
    void *sink = NULL;
    CHECK(p->output->open(inst, "pdf", "/tmp/x", SCAN, &sink) == PP_ERR_INVALID && !sink, "unknown format");
    CHECK(strstr(p->last_error(inst), "json,csv,junit"), "the error lists the formats: %s", p->last_error(inst));
    p->destroy(inst);
}

/* Count entries of @dir whose name contains @part. */
static int count_entries(const char *dir, const char *part)
{
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strstr(e->d_name, part) != NULL;
    if (d)
        closedir(d);
    return n;
}

static void test_unclosed_sinks_leave_nothing(void)
{
    char dir[] = "/tmp/pp-test-outputs.XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp");
        return;
    }
    const pp_plugin *p = plugin();
    void *inst = NULL;
    const char *err = NULL;
    CHECK(p->init(NULL, "{}", &inst, &err) == PP_OK, "init");
    const char *fmts[] = {"json", "csv", "junit", "ocsf", "asff"};
    char path[128];
    for (size_t i = 0; i < 5; i++) {
        void *sink = NULL;
        (void)snprintf(path, sizeof path, "%s/out.%s", dir, fmts[i]);
        CHECK(p->output->open(inst, fmts[i], path, SCAN, &sink) == PP_OK, "open %s: %s", fmts[i], p->last_error(inst));
        CHECK(p->output->write_finding(inst, sink, FINDING) == PP_OK, "write %s: %s", fmts[i], p->last_error(inst));
        CHECK(p->output->write_finding(inst, sink, "{\"rule_id\":\"x\"}") == PP_ERR_INVALID, "bad record %s", fmts[i]);
        CHECK(strstr(p->last_error(inst), "resource_uid"), "the error names the member: %s", p->last_error(inst));
    }
    p->destroy(inst); /* never closed */
    CHECK(count_entries(dir, "out.") == 0, "a sink never closed left a file in %s", dir);
    CHECK(strstr(fk.log, "never closed"), "destroy says the outputs were not delivered");
    rmdir(dir);
}

static void test_webhook_headers_and_secret(void)
{
    const pp_plugin *p = plugin();
    void *inst = NULL, *sink = NULL;
    const char *err = NULL;
    memset(&fk, 0, sizeof fk);
    fk.http_status = 200;
    CHECK(p->init(NULL, "{\"secret_ref\":\"env:GOOD\",\"batch_size\":2}", &inst, &err) == PP_OK, "init");
    CHECK(p->output->open(inst, "webhook", "https://hooks.example/T/secret-path", SCAN, &sink) == PP_OK, "open");
    CHECK(p->output->write_finding(inst, sink, FINDING) == PP_OK, "write 1");
    CHECK(fk.http_calls == 0, "a batch waits until it is full");
    CHECK(p->output->write_finding(inst, sink, FINDING) == PP_OK, "write 2");
    CHECK(fk.http_calls == 1, "a full batch is posted: %d", fk.http_calls);
    CHECK(!strcmp(fk.hdr_type, "application/json"), "content type");
    char want[80];
    out_sign(FAKE_SECRET, strlen(FAKE_SECRET), fk.hdr_ts, fk.last_body, strlen(fk.last_body), want, sizeof want);
    CHECK(fk.hdr_sig[0] && !strcmp(fk.hdr_sig, want), "signature over timestamp.body: %s", fk.hdr_sig);
    CHECK(!strstr(fk.last_body, "<script>"), "body escapes <");
    CHECK(fk.secret_calls == 1 && fk.secret_frees == 1 && fk.secret_wiped == 1, "secret fetched and wiped per request");
    fk.http_status = 500;
    CHECK(p->output->close(inst, sink, "{\"status\":\"complete\"}") == PP_ERR_IO, "a 500 fails the close");
    const char *e = p->last_error(inst);
    CHECK(strstr(e, "HTTP 500") && strstr(e, "https://hooks.example") && !strstr(e, "secret-path"),
          "error names status and host, not the path: %s", e);
    CHECK(!strstr(fk.log, FAKE_SECRET) && !strstr(e, FAKE_SECRET), "the secret never appears");
    CHECK(fk.secret_frees == fk.secret_calls, "every fetched secret was released");
    p->destroy(inst);

    /* a missing secret: nothing is sent unsigned */
    memset(&fk, 0, sizeof fk);
    fk.http_status = 200;
    CHECK(p->init(NULL, "{\"secret_ref\":\"env:MISSING\",\"batch_size\":1}", &inst, &err) == PP_OK, "init 2");
    CHECK(p->output->open(inst, "webhook", "http://127.0.0.1:9/x", SCAN, &sink) == PP_OK, "open 2");
    CHECK(p->output->write_finding(inst, sink, FINDING) != PP_OK && fk.http_calls == 0, "unsigned request sent");
    CHECK(strstr(p->last_error(inst), "env:MISSING"), "error names the reference");
    p->output->close(inst, sink, NULL);
    p->destroy(inst);

    /* bad URLs */
    CHECK(p->init(NULL, "{}", &inst, &err) == PP_OK, "init 3");
    const char *urls[] = {NULL, "", "ftp://x/y", "https://", "https://a b/", "https://x/\n"};
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        sink = NULL;
        CHECK(p->output->open(inst, i % 2 ? "slack" : "webhook", urls[i], SCAN, &sink) == PP_ERR_INVALID && !sink,
              "url %zu accepted", i);
    }
    p->destroy(inst);
}

static void test_syslog_destinations(void)
{
    const pp_plugin *p = plugin();
    void *inst = NULL, *sink = NULL;
    const char *err = NULL;
    CHECK(p->init(NULL, "{}", &inst, &err) == PP_OK, "init");
    char longpath[200];
    memset(longpath, 'a', sizeof longpath - 1);
    longpath[sizeof longpath - 1] = '\0';
    char unixlong[220];
    (void)snprintf(unixlong, sizeof unixlong, "unix:///%s", longpath);
    const char *bad[] = {NULL,
                         "",
                         "udp://",
                         "udp://127.0.0.1:0",
                         "udp://127.0.0.1:65536",
                         "udp://127.0.0.1:12x",
                         "tcp://[::1",
                         "tcp://:514",
                         "http://127.0.0.1:514",
                         unixlong,
                         "unix://"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sink = NULL;
        int rc = p->output->open(inst, i % 2 ? "cef" : "syslog", bad[i], SCAN, &sink);
        CHECK(rc != PP_OK && !sink, "destination %zu accepted", i);
        CHECK(p->last_error(inst)[0], "no reason for destination %zu", i);
    }
    p->destroy(inst);
}

int main(void)
{
    RUN(test_csv_cells);
    RUN(test_xml_sd_cef_slack);
    RUN(test_json_append);
    RUN(test_utf8_cut);
    RUN(test_finding_checks);
    RUN(test_times);
    RUN(test_sign);
    RUN(test_config_refusals);
    RUN(test_unclosed_sinks_leave_nothing);
    RUN(test_webhook_headers_and_secret);
    RUN(test_syslog_destinations);
    return test_summary();
}
