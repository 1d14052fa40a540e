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
    test_time();
    return test_summary("test_core_json");
}
