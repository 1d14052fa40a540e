/* tests/unit/test_core_json.c - the JSON validator and record copying,
 * encoding and rendering (core/jsonv.c, core/record.c, core/wire.c). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jsonv.h"
#include "record.h"
#include "testlib.h"
#include "util.h"

static int valid(const char *s, int want)
{
    char err[128];
    return json_validate(s, strlen(s), want, 64, err, sizeof err) == 0;
}

static void test_validator(void)
{
    const char *good[] = {"{}", "[]", " {\"a\": [1, -2.5e+3, true, false, null, \"x\\u00e9\\n\"]} ",
                          "\"caf\xc3\xa9\"", "0", "-0.0", "[[[]]]", "{\"a\":{\"b\":{}}}"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK(valid(good[i], JSONV_ANY));
    const char *bad[] = {"",        "{",        "{\"a\"}",      "{\"a\":1,}", "[1,]",   "01",     "1.",
                         "\"\\x\"", "\"\x01\"", "tru",          "{} {}",      "[1 2]",  "\"\xff\"", "\"\xc0\x80\"",
                         "{a:1}",   "\"abc",    "\"\\u12G4\"",  "-",          "1e",     "nul"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (valid(bad[i], JSONV_ANY))
            fprintf(stderr, "accepted bad JSON #%zu\n", i);
        CHECK(!valid(bad[i], JSONV_ANY));
    }
    CHECK(!valid("[]", JSONV_OBJECT));
    CHECK(!valid("{}", JSONV_ARRAY));
    /* depth cap: 65 nested arrays fail with a max depth of 64, 64 pass */
    char deep[200];
    memset(deep, '[', 65);
    memset(deep + 65, ']', 65);
    deep[130] = '\0';
    char err[128];
    CHECK(json_validate(deep, 130, JSONV_ANY, 64, err, sizeof err) != 0);
    CHECK_CONTAINS(err, "nesting too deep");
    CHECK(json_validate(deep + 1, 128, JSONV_ANY, 64, err, sizeof err) == 0);
    /* the error names the offset */
    CHECK(json_validate("{\"a\" 1}", 7, JSONV_ANY, 64, err, sizeof err) != 0);
    CHECK_CONTAINS(err, "offset 5");
    /* a huge nesting never recurses: 100000 levels are refused, not crashed on */
    size_t n = 100000;
    char *huge = malloc(2 * n);
    memset(huge, '[', n);
    memset(huge + n, ']', n);
    CHECK(json_validate(huge, 2 * n, JSONV_ANY, 512, err, sizeof err) != 0);
    free(huge);
}

static void test_record_copy(void)
{
    char err[256];
    pp_resource r;
    PP_INIT(&r);
    r.uid = "arn:aws:s3:::b";
    r.type = "aws.s3.bucket";
    r.provider = "aws";
    r.data_json = "{\"acl\":\"public-read\"}";
    r.tags_json = "{\"env\":\"prod\"}";
    rec *c = rec_copy(REC_RESOURCE, &r, "tp", err, sizeof err);
    CHECK(c != NULL);
    if (c) {
        CHECK_STR(c->u.resource.uid, "arn:aws:s3:::b");
        CHECK(c->u.resource.uid != r.uid); /* copied, not borrowed */
        CHECK_STR(c->plugin, "tp");
        /* wire round trip keeps every field */
        sbuf w = {0};
        rec_encode(c, &w);
        rec *d = rec_decode((const unsigned char *)w.data, w.len);
        CHECK(d != NULL);
        if (d) {
            CHECK_STR(d->u.resource.data_json, "{\"acl\":\"public-read\"}");
            CHECK_STR(d->u.resource.tags_json, "{\"env\":\"prod\"}");
            CHECK(d->u.resource.account == NULL);
            sbuf js = {0};
            rec_to_json(d, 0, &js);
            CHECK_STR(js.data, "{\"uid\":\"arn:aws:s3:::b\",\"type\":\"aws.s3.bucket\",\"provider\":\"aws\","
                               "\"tags\":{\"env\":\"prod\"},\"data\":{\"acl\":\"public-read\"},"
                               "\"source\":{\"kind\":\"api\"}}");
            sbuf_free(&js);
            rec_free(d);
        }
        /* every truncation of the wire form is refused, never over-read */
        for (size_t cut = 0; cut < w.len; cut++) {
            rec *t = rec_decode((const unsigned char *)w.data, cut);
            CHECK(t == NULL);
            rec_free(t);
        }
        sbuf_free(&w);
        rec_free(c);
    }
    /* required fields and JSON validity */
    r.uid = NULL;
    CHECK(rec_copy(REC_RESOURCE, &r, "tp", err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "'uid' is missing");
    r.uid = "x";
    r.data_json = "{\"a\":";
    CHECK(rec_copy(REC_RESOURCE, &r, "tp", err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "'data' is not valid JSON");
    r.data_json = "[1]";
    CHECK(rec_copy(REC_RESOURCE, &r, "tp", err, sizeof err) == NULL);
    r.data_json = NULL;
    r.name = "bad\xff";
    CHECK(rec_copy(REC_RESOURCE, &r, "tp", err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "UTF-8");
    r.name = NULL;
    /* a struct from an ABI 1.0 plugin: smaller, without source_column */
    struct {
        pp_resource r;
        char poison[64];
    } old;
    memset(&old, 0x41, sizeof old);
    memcpy(&old.r, &r, offsetof(pp_resource, source_column));
    old.r.size = (uint32_t)offsetof(pp_resource, source_column);
    rec *o = rec_copy(REC_RESOURCE, &old.r, "old", err, sizeof err);
    CHECK(o != NULL);
    if (o)
        CHECK(o->u.resource.source_column == 0); /* not read from beyond size */
    rec_free(o);
    /* a size of zero (forgot PP_INIT) is refused */
    pp_resource z;
    memset(&z, 0, sizeof z);
    CHECK(rec_copy(REC_RESOURCE, &z, "tp", err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "PP_INIT");
}

static void test_finding_json(void)
{
    char err[256];
    pp_finding f;
    PP_INIT(&f);
    f.rule_id = "r1";
    f.resource_uid = "u\"1";
    f.status = PP_STATUS_FAIL;
    f.severity = PP_SEV_HIGH;
    f.message = "line1\nline2";
    f.compliance_json = "[{\"framework\":\"cis\",\"requirement\":\"1.1\"}]";
    rec *c = rec_copy(REC_FINDING, &f, "tp", err, sizeof err);
    CHECK(c != NULL);
    if (c) {
        sbuf js = {0};
        rec_to_json(c, 7, &js);
        CHECK_STR(js.data, "{\"scan_id\":7,\"rule_id\":\"r1\",\"resource_uid\":\"u\\\"1\",\"status\":\"fail\","
                           "\"severity\":\"high\",\"message\":\"line1\\nline2\","
                           "\"compliance\":[{\"framework\":\"cis\",\"requirement\":\"1.1\"}]}");
        sbuf_free(&js);
        rec_free(c);
    }
    f.severity = (pp_severity)9;
    CHECK(rec_copy(REC_FINDING, &f, "tp", err, sizeof err) == NULL);
    f.severity = PP_SEV_LOW;
    f.compliance_json = "{}";
    CHECK(rec_copy(REC_FINDING, &f, "tp", err, sizeof err) == NULL);
    CHECK(severity_parse("HIGH") == PP_SEV_HIGH);
    CHECK(severity_parse("severe") == -1);
}

/* rec_new_trusted builds the same record rec_copy would, keeps the cheap
 * structural checks and skips only the UTF-8 and JSON scans. */
static void test_trusted_finding(void)
{
    char err[256];
    pp_finding f;
    PP_INIT(&f);
    f.rule_id = "aws-s3-public";
    f.resource_uid = "arn:aws:s3:::b\"x";
    f.resource_type = "aws.s3.bucket";
    f.status = PP_STATUS_MUTED;
    f.severity = PP_SEV_CRITICAL;
    f.title = "Bucket is public";
    f.message = "tab\there \xc3\xa9";
    f.evidence_json = "{\"acl\":[1,2],\"suppression\":3}";
    f.remediation = "fix\nCLI: aws s3 ...";
    f.compliance_json = "[]";
    f.provider = "aws";
    f.region = "eu-west-1";
    rec *a = rec_copy(REC_FINDING, &f, "policy", err, sizeof err);
    rec *b = rec_new_trusted(REC_FINDING, &f, "policy");
    CHECK(a != NULL && b != NULL);
    if (a && b) {
        CHECK(b->kind == REC_FINDING && b->bytes == a->bytes);
        CHECK_STR(b->plugin, "policy");
        CHECK(b->u.finding.message != f.message); /* copied, not borrowed */
        CHECK(b->u.finding.account == NULL);
        sbuf ja = {0}, jb = {0};
        rec_to_json(a, 3, &ja);
        rec_to_json(b, 3, &jb);
        CHECK_STR(jb.data, ja.data);
        /* and the wire form is identical too */
        sbuf wa = {0}, wb = {0};
        rec_encode(a, &wa);
        rec_encode(b, &wb);
        CHECK(wa.len == wb.len && memcmp(wa.data, wb.data, wa.len) == 0);
        sbuf_free(&ja);
        sbuf_free(&jb);
        sbuf_free(&wa);
        sbuf_free(&wb);
    }
    rec_free(a);
    rec_free(b);
    /* structural checks stay */
    pp_finding g = f;
    g.rule_id = NULL;
    CHECK(rec_new_trusted(REC_FINDING, &g, "policy") == NULL);
    g = f;
    g.resource_uid = "";
    CHECK(rec_new_trusted(REC_FINDING, &g, "policy") == NULL);
    g = f;
    g.status = (pp_status)4;
    CHECK(rec_new_trusted(REC_FINDING, &g, "policy") == NULL);
    g = f;
    g.severity = (pp_severity)-1;
    CHECK(rec_new_trusted(REC_FINDING, &g, "policy") == NULL);
    g = f;
    g.size = 8; /* an older, smaller struct is never "trusted" */
    CHECK(rec_new_trusted(REC_FINDING, &g, "policy") == NULL);
    CHECK(rec_new_trusted(REC_FINDING, NULL, "policy") == NULL);
    CHECK(rec_new_trusted((rec_kind)0, &f, "policy") == NULL);
    CHECK(rec_new_trusted(REC_FINDING, &f, NULL) == NULL);
    /* the UTF-8 check the engine runs on rendered texts */
    CHECK(rec_text_valid("plain \xc3\xa9 \xf0\x9f\x98\x80"));
    CHECK(!rec_text_valid("bad \xc3"));
    CHECK(!rec_text_valid("\xed\xa0\x80")); /* a surrogate */
    CHECK(!rec_text_valid("\xc0\xaf"));     /* overlong */
}

/* The resource renderer computes its size first: escapes, optional members,
 * the file source with line and column and the timestamp must all fit and
 * come out exactly. */
static void test_resource_json_exact(void)
{
    char err[256];
    pp_resource r;
    PP_INIT(&r);
    r.uid = "u\"\\\x01\b\f\n\r\t/\xc3\xa9";
    r.type = "t.x";
    r.provider = "p";
    r.region = "r";
    r.tags_json = "{\"k\":\"v\"}";
    r.data_json = "{\"a\":[1,{\"b\":null}]}";
    r.source = "dir/\"f\".json";
    r.source_line = 4294967295u;
    r.source_column = 7;
    r.observed_at = 1234567890;
    rec *c = rec_copy(REC_RESOURCE, &r, "tp", err, sizeof err);
    CHECK(c != NULL);
    if (c) {
        sbuf js = {0};
        sbuf_puts(&js, "prefix:"); /* appends after what is there */
        rec_to_json(c, 0, &js);
        CHECK_STR(js.data, "prefix:{\"uid\":\"u\\\"\\\\\\u0001\\u0008\\u000c\\n\\r\\t/\xc3\xa9\",\"type\":\"t.x\","
                           "\"provider\":\"p\",\"region\":\"r\",\"tags\":{\"k\":\"v\"},"
                           "\"data\":{\"a\":[1,{\"b\":null}]},\"source\":{\"kind\":\"file\","
                           "\"file\":\"dir/\\\"f\\\".json\",\"line\":4294967295,\"column\":7},"
                           "\"observed_at\":\"2009-02-13T23:31:30Z\"}");
        CHECK(js.len == strlen(js.data));
        CHECK(json_validate(js.data + 7, js.len - 7, JSONV_OBJECT, 64, err, sizeof err) == 0);
        sbuf_free(&js);
        rec_free(c);
    }
    /* api source, no tags/data, no optional strings */
    PP_INIT(&r);
    r.uid = "u";
    r.type = "t";
    r.provider = "p";
    c = rec_copy(REC_RESOURCE, &r, "tp", err, sizeof err);
    CHECK(c != NULL);
    if (c) {
        sbuf js = {0};
        rec_to_json(c, 0, &js);
        CHECK_STR(js.data, "{\"uid\":\"u\",\"type\":\"t\",\"provider\":\"p\",\"tags\":{},\"data\":{},"
                           "\"source\":{\"kind\":\"api\"}}");
        sbuf_free(&js);
        rec_free(c);
    }
    /* many escapes in a long value: the size computed first must hold */
    char *big = xmalloc(5001);
    for (int i = 0; i < 5000; i++)
        big[i] = (char)(i % 3 == 0 ? 0x1f : i % 3 == 1 ? '"' : 'a');
    big[5000] = '\0';
    PP_INIT(&r);
    r.uid = big;
    r.type = "t";
    r.provider = "p";
    r.name = big;
    c = rec_copy(REC_RESOURCE, &r, "tp", err, sizeof err);
    CHECK(c != NULL);
    if (c) {
        sbuf js = {0};
        rec_to_json(c, 0, &js);
        CHECK(js.len == strlen(js.data) && js.len < js.cap);
        CHECK(json_validate(js.data, js.len, JSONV_OBJECT, 64, err, sizeof err) == 0);
        /* 1667 control characters (6 bytes each), 1667 quotes (2) and 1666 letters, twice */
        CHECK(js.len > 2 * (1667 * 6 + 1667 * 2 + 1666));
        sbuf_free(&js);
        rec_free(c);
    }
    free(big);
}

static void test_time(void)
{
    int64_t t;
    CHECK(time_parse_rfc3339("2009-02-13T23:31:30Z", &t) == 0 && t == 1234567890);
    CHECK(time_parse_rfc3339("2009-02-14T01:31:30.5+02:00", &t) == 0 && t == 1234567890);
    CHECK(time_parse_rfc3339("2009-02-13 23:31:30", &t) != 0);
    CHECK(time_parse_rfc3339("2009-13-13T23:31:30Z", &t) != 0);
    char buf[32];
    time_rfc3339(1234567890, buf, sizeof buf);
    CHECK_STR(buf, "2009-02-13T23:31:30Z");
}

int main(void)
{
    test_validator();
    test_record_copy();
    test_finding_json();
    test_trusted_finding();
    test_resource_json_exact();
    test_time();
    return test_summary("test_core_json");
}
