/*
 * tests/unit/test_policy.c - the rule engine (core/policy): loading and
 * validation errors, hostile rules and resources, evaluation semantics,
 * templates, evidence, compliance references, suppressions, frameworks and
 * a policy plugin's rules() and CEL function (tests/plugins/tp_all).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cel/cel.h"
#include "loader.h"
#include "policy/engine.h"
#include "policy/framework.h"
#include "policy/lint.h"
#include "policy/rules.h"
#include "record.h"
#include "testlib.h"
#include "util.h"

#define NOW 1764300000 /* 2025-11-28 */

static char tmpdir[256];
static int dir_seq;

/* A new rule directory holding @files (name, content pairs, NULL-terminated). */
static char *make_dir(const char *const *files)
{
    char *d = xmalloc(300);
    snprintf(d, 300, "%s/d%d", tmpdir, ++dir_seq);
    mkdir_p(d, 0700);
    for (size_t i = 0; files && files[i]; i += 2) {
        char path[600];
        snprintf(path, sizeof path, "%s/%s", d, files[i]);
        char *slash = strrchr(path, '/');
        *slash = '\0';
        mkdir_p(path, 0700);
        *slash = '/';
        FILE *f = fopen(path, "w");
        fputs(files[i + 1], f);
        fclose(f);
    }
    return d;
}

/* A complete valid rule with @over members replaced ("key": value text, no braces). */
static char *rule_json(const char *id, const char *type, const char *violation, const char *extra)
{
    sbuf b = {0};
    sbuf_printf(&b,
                "{\"id\":\"%s\",\"title\":\"T\",\"description\":\"D\",\"resource_type\":\"%s\",\"severity\":\"high\","
                "\"violation\":\"%s\",\"message\":\"M {{resource.name}}\",\"remediation\":{\"text\":\"R\"},"
                "\"examples\":{\"fail\":[{\"data\":{}}],\"pass\":[{\"data\":{}}]}%s%s}",
                id, type, violation, extra ? "," : "", extra ? extra : "");
    return sbuf_steal(&b);
}

static char *pack(const char *rules)
{
    sbuf b = {0};
    sbuf_printf(&b, "{\"format\":1,\"rules\":[%s]}", rules);
    return sbuf_steal(&b);
}

typedef struct loaded {
    policy_engine *pe;
    char err[1200];
    char *dir;
} loaded;

static loaded load_files(const char *const *files, const char *supp, registry *reg)
{
    loaded l;
    memset(&l, 0, sizeof l);
    l.dir = make_dir(files);
    char fw[400];
    snprintf(fw, sizeof fw, "%s/frameworks", l.dir);
    const char *dirs[] = {l.dir};
    policy_load_opts o;
    memset(&o, 0, sizeof o);
    o.rule_dirs = dirs;
    o.n_rule_dirs = 1;
    o.frameworks_dir = fw;
    o.suppressions_json = supp;
    o.reg = reg;
    l.pe = policy_engine_load(&o, l.err, sizeof l.err);
    return l;
}

static void unload(loaded *l)
{
    policy_engine_free(l->pe);
    free(l->dir);
}

/* The load error of one rule file "r.json" holding @content. */
static void expect_load_error(const char *content, const char *want)
{
    const char *files[] = {"r.json", content, NULL};
    loaded l = load_files(files, NULL, NULL);
    CHECK(l.pe == NULL);
    CHECK_CONTAINS(l.err, want);
    if (l.pe || !strstr(l.err, want))
        fprintf(stderr, "  (got: %s)\n", l.err);
    unload(&l);
}

/* expect_load_error for a pack() result, which it frees. */
static void expect_pack_error(char *packed, const char *want)
{
    expect_load_error(packed, want);
    free(packed);
}

/* ------------------------------------------------------------ findings */

typedef struct got {
    rec *v[64];
    size_t n;
} got;

static void collect(void *ud, rec *f)
{
    got *g = ud;
    if (g->n < 64)
        g->v[g->n++] = f;
    else
        rec_free(f);
}

static void got_free(got *g)
{
    for (size_t i = 0; i < g->n; i++)
        rec_free(g->v[i]);
    g->n = 0;
}

static const pp_finding *find(const got *g, const char *rule)
{
    for (size_t i = 0; i < g->n; i++)
        if (!strcmp(g->v[i]->u.finding.rule_id, rule))
            return &g->v[i]->u.finding;
    return NULL;
}

static rec *resource(const char *uid, const char *type, const char *name, const char *tags, const char *data)
{
    pp_resource r;
    PP_INIT(&r);
    r.uid = uid;
    r.type = type;
    r.provider = "fx";
    r.account = "111";
    r.region = "eu-west-1";
    r.name = name;
    r.tags_json = tags;
    r.data_json = data;
    char err[200];
    rec *x = rec_copy(REC_RESOURCE, &r, "test", err, sizeof err);
    if (!x)
        fprintf(stderr, "resource: %s\n", err);
    return x;
}

/* A resource record built by hand, bypassing rec_copy's checks (hostile input). */
static rec *raw_resource(const char *type, const char *data)
{
    rec *x = xcalloc(1, sizeof *x);
    x->kind = REC_RESOURCE;
    x->u.resource.size = sizeof(pp_resource);
    x->u.resource.uid = "fx:raw";
    x->u.resource.type = type;
    x->u.resource.provider = "fx";
    x->u.resource.data_json = data;
    return x;
}

/* ------------------------------------------------------------ tests */

static void test_load_errors(void)
{
    char *r;
    /* bad JSON names the file and the place */
    expect_load_error("{\"format\": 1,\n \"rules\": [ {\"id\": ]}", "r.json: not valid JSON (near line 2");
    expect_load_error("[]", "r.json: a rule file must be an object");
    expect_load_error("{\"format\":2,\"rules\":[]}", "r.json: format: must be 1");
    expect_load_error("{\"format\":1,\"rules\":[],\"x\":1}", "r.json: unknown member 'x'");
    /* missing members */
    expect_pack_error(pack("{\"id\":\"fx-a\",\"title\":\"T\"}"), "r.json: rule 'fx-a': missing member 'description'");
    r = rule_json("fx-a", "fx.box", "true", NULL);
    char *noviol = xstrdup(r);
    char *p = strstr(noviol, "\"violation\"");
    memcpy(p, "\"violatiom\"", 11);
    expect_pack_error(pack(noviol), "r.json: rule 'fx-a': unknown member 'violatiom'");
    free(noviol);
    free(r);
    /* bad CEL: the member, line and column */
    r = rule_json("fx-a", "fx.box", "1 + foo", NULL);
    expect_pack_error(pack(r), "r.json: rule 'fx-a': violation: 1:5: undeclared reference to 'foo'");
    free(r);
    r = rule_json("fx-a", "fx.box", "nosuchfn(resource)", NULL);
    expect_pack_error(pack(r), "rule 'fx-a': violation: 1:");
    free(r);
    r = rule_json("fx-a", "fx.box", "nosuchfn(resource)", NULL);
    expect_pack_error(pack(r), "undeclared reference to 'nosuchfn'");
    free(r);
    r = rule_json("fx-a", "fx.box", "(1 +", NULL);
    expect_pack_error(pack(r), "rule 'fx-a': violation: 1:");
    free(r);
    r = rule_json("fx-a", "fx.box", "true", "\"applies\":\"resource.data.x ==\"");
    expect_pack_error(pack(r), "rule 'fx-a': applies: 1:");
    free(r);
    r = rule_json("fx-a", "fx.box", "true", "\"evidence\":{\"e\":\"bogus\"}");
    expect_pack_error(pack(r), "rule 'fx-a': evidence.e: 1:1: undeclared reference to 'bogus'");
    free(r);
    /* message template with a bad expression or no end */
    {
        char *m = rule_json("fx-a", "fx.box", "true", NULL);
        char *q = strstr(m, "M {{resource.name}}");
        memcpy(q, "M {{resourc.name }}", 19);
        expect_pack_error(pack(m), "rule 'fx-a': message: {{resourc.name }}: 1:1: undeclared reference to 'resourc'");
        free(m);
    }
    {
        char *m = rule_json("fx-a", "fx.box", "true", NULL);
        char *q = strstr(m, "{\"text\":\"R\"}");
        sbuf b = {0};
        sbuf_append(&b, m, (size_t)(q - m));
        sbuf_puts(&b, "{\"text\":\"R\",\"cli\":\"fx {{resource.name\"}");
        sbuf_puts(&b, q + strlen("{\"text\":\"R\"}"));
        expect_pack_error(pack(b.data), "rule 'fx-a': remediation.cli: unterminated '{{' at offset 3");
        sbuf_free(&b);
        free(m);
    }
    r = rule_json("fx-a", "fx.box", "true", "\"evidence\":[\"x\"]");
    expect_pack_error(pack(r), "rule 'fx-a': evidence: must be an object");
    free(r);
    /* severity, id, type, examples, references */
    {
        char *m = rule_json("fx-a", "fx.box", "true", NULL);
        char *q = strstr(m, "\"high\"");
        memcpy(q, "\"HIGH\"", 6);
        expect_pack_error(pack(m), "rule 'fx-a': severity: 'HIGH' is not one of critical, high, medium, low, info");
        free(m);
    }
    r = rule_json("Fx_A", "fx.box", "true", NULL);
    expect_pack_error(pack(r), "rule id 'Fx_A': must match");
    free(r);
    r = rule_json("fx-a", "box", "true", NULL);
    expect_pack_error(pack(r), "rule 'fx-a': resource_type: 'box' is not a type name");
    free(r);
    {
        char *m = rule_json("fx-a", "fx.box", "true", NULL);
        char *q = strstr(m, "\"pass\":[{\"data\":{}}]") + 8;
        memcpy(q, "]           ", 12);
        expect_pack_error(pack(m), "rule 'fx-a': examples.pass: must be an array of at least one resource record");
        free(m);
    }
    r = rule_json("fx-a", "fx.box", "true", "\"references\":[\"ftp://x\"]");
    expect_pack_error(pack(r), "rule 'fx-a': references[0]: must be an http(s) URL");
    free(r);
    /* duplicate ids across files name both places */
    {
        char *a = rule_json("fx-dup", "fx.box", "true", NULL), *b = rule_json("fx-dup", "fx.user", "false", NULL);
        char *pa = pack(a), *pb = pack(b);
        const char *files[] = {"a/one.json", pa, "b/two.json", pb, NULL};
        loaded l = load_files(files, NULL, NULL);
        CHECK(l.pe == NULL);
        CHECK_CONTAINS(l.err, "b/two.json: rule 'fx-dup': duplicate id (first defined in ");
        CHECK_CONTAINS(l.err, "a/one.json)");
        unload(&l);
        free(a);
        free(b);
        free(pa);
        free(pb);
    }
    /* frameworks/ and non-json files are skipped */
    {
        char *a = rule_json("fx-ok", "fx.box", "true", NULL);
        char *pa = pack(a);
        const char *files[] = {"fx/a.json", pa, "fx/README.md", "not json", "frameworks/rules-here.json.bak", "x",
                               NULL};
        loaded l = load_files(files, NULL, NULL);
        CHECK(l.pe != NULL);
        CHECK(policy_engine_rule_count(l.pe) == 1);
        unload(&l);
        free(a);
        free(pa);
    }
    /* a missing rule directory: skipped for scans, an error when required */
    {
        const char *dirs[] = {"/nonexistent/parapet-rules"};
        policy_load_opts o;
        memset(&o, 0, sizeof o);
        o.rule_dirs = dirs;
        o.n_rule_dirs = 1;
        char err[300];
        policy_engine *pe = policy_engine_load(&o, err, sizeof err);
        CHECK(pe != NULL && policy_engine_rule_count(pe) == 0);
        policy_engine_free(pe);
        o.require_dirs = 1;
        pe = policy_engine_load(&o, err, sizeof err);
        CHECK(pe == NULL);
        CHECK_CONTAINS(err, "/nonexistent/parapet-rules: cannot open directory");
    }
}

static void test_hostile_rules(void)
{
    /* 100,000 nested parentheses: a compile error, not a stack overflow */
    size_t n = 100000;
    char *deep = xmalloc(2 * n + 2);
    memset(deep, '(', n);
    deep[n] = '1';
    memset(deep + n + 1, ')', n);
    deep[2 * n + 1] = '\0';
    char *r = rule_json("fx-deep", "fx.box", deep, NULL);
    expect_pack_error(pack(r), "rule 'fx-deep': violation: ");
    free(r);
    free(deep);
    /* a 2 MiB string literal: over the expression size cap */
    size_t big = 2 * 1024 * 1024;
    char *lit = xmalloc(big + 16);
    lit[0] = '\'';
    memset(lit + 1, 'a', big);
    memcpy(lit + 1 + big, "' == ''", 8);
    r = rule_json("fx-huge", "fx.box", lit, NULL);
    expect_pack_error(pack(r), "rule 'fx-huge': violation: ");
    free(r);
    free(lit);
    /* a 64 KiB literal loads and evaluates */
    {
        char *mid = xmalloc(70000);
        mid[0] = '\'';
        memset(mid + 1, 'b', 65536);
        memcpy(mid + 65537, "'.size() == 65536", 18);
        char *rr = rule_json("fx-mid", "fx.box", mid, NULL);
        char *pr = pack(rr);
        const char *files[] = {"r.json", pr, NULL};
        loaded l = load_files(files, NULL, NULL);
        CHECK(l.pe != NULL);
        rec *x = resource("fx:1", "fx.box", "b", NULL, "{}");
        got g = {0};
        policy_engine_evaluate(l.pe, x, NOW, collect, &g);
        CHECK(g.n == 1 && g.v[0]->u.finding.status == PP_STATUS_FAIL);
        got_free(&g);
        rec_free(x);
        unload(&l);
        free(rr);
        free(pr);
        free(mid);
    }
    /* regex bombs: refused as too large, or run in linear time */
    {
        char *a = rule_json("fx-rebomb", "fx.box", "resource.name.matches('(a{1000}){1000}')", NULL);
        char *b = rule_json("fx-relinear", "fx.box", "resource.data.s.matches('(a*)*(a|aa)*b$')", NULL);
        sbuf both = {0};
        sbuf_printf(&both, "%s,%s", a, b);
        char *pr = pack(both.data);
        const char *files[] = {"r.json", pr, NULL};
        loaded l = load_files(files, NULL, NULL);
        if (!l.pe) {
            /* refusing the bomb at load time is fine too, if it says why */
            CHECK_CONTAINS(l.err, "fx-rebomb");
        } else {
            sbuf data = {0};
            sbuf_puts(&data, "{\"s\":\"");
            for (int i = 0; i < 100000; i++)
                sbuf_puts(&data, "a");
            sbuf_puts(&data, "\"}");
            rec *x = resource("fx:1", "fx.box", "aaaa", NULL, data.data);
            got g = {0};
            int64_t t0 = mono_ms();
            policy_engine_evaluate(l.pe, x, NOW, collect, &g);
            int64_t took = mono_ms() - t0;
            const pp_finding *f = find(&g, "fx-rebomb");
            CHECK(f && f->status == PP_STATUS_ERROR);
            CHECK_CONTAINS(f ? f->message : NULL, "too large");
            f = find(&g, "fx-relinear");
            CHECK(f && f->status == PP_STATUS_PASS);
            CHECK(took < 20000);
            got_free(&g);
            rec_free(x);
            sbuf_free(&data);
        }
        unload(&l);
        free(a);
        free(b);
        free(pr);
        sbuf_free(&both);
    }
}

static void test_hostile_resources(void)
{
    char *a = rule_json("fx-any", "fx.box", "has(resource.data.x)", NULL);
    char *pr = pack(a);
    const char *files[] = {"r.json", pr, NULL};
    loaded l = load_files(files, NULL, NULL);
    CHECK(l.pe != NULL);
    /* nesting depth 10,000: an error finding that says why */
    sbuf deep = {0};
    for (int i = 0; i < 10000; i++)
        sbuf_puts(&deep, "{\"x\":");
    sbuf_puts(&deep, "1");
    for (int i = 0; i < 10000; i++)
        sbuf_puts(&deep, "}");
    rec *x = raw_resource("fx.box", deep.data);
    got g = {0};
    policy_engine_evaluate(l.pe, x, NOW, collect, &g);
    CHECK(g.n == 1 && g.v[0]->u.finding.status == PP_STATUS_ERROR);
    CHECK_CONTAINS(g.n ? g.v[0]->u.finding.message : NULL, "nests deeper than");
    got_free(&g);
    free(x);
    sbuf_free(&deep);
    /* depth 700: parses, but deeper than CEL binds */
    sbuf mid = {0};
    for (int i = 0; i < 700; i++)
        sbuf_puts(&mid, "[");
    for (int i = 0; i < 700; i++)
        sbuf_puts(&mid, "]");
    sbuf obj = {0};
    sbuf_printf(&obj, "{\"x\":%s}", mid.data);
    x = raw_resource("fx.box", obj.data);
    policy_engine_evaluate(l.pe, x, NOW, collect, &g);
    CHECK(g.n == 1 && g.v[0]->u.finding.status == PP_STATUS_ERROR);
    CHECK_CONTAINS(g.n ? g.v[0]->u.finding.message : NULL, "resource cannot be evaluated");
    got_free(&g);
    free(x);
    sbuf_free(&mid);
    sbuf_free(&obj);
    /* 100 MB: refused with a clear reason, quickly, without parsing it */
    size_t big = 100u * 1024 * 1024;
    char *huge = xmalloc(big + 32);
    memcpy(huge, "{\"x\":\"", 6);
    memset(huge + 6, 'a', big);
    memcpy(huge + 6 + big, "\"}", 3);
    x = raw_resource("fx.box", huge);
    policy_engine_evaluate(l.pe, x, NOW, collect, &g);
    CHECK(g.n == 1 && g.v[0]->u.finding.status == PP_STATUS_ERROR);
    CHECK_CONTAINS(g.n ? g.v[0]->u.finding.message : NULL, "resource too large to evaluate");
    got_free(&g);
    free(x);
    free(huge);
    /* data that is not an object */
    x = raw_resource("fx.box", "[1,2]");
    policy_engine_evaluate(l.pe, x, NOW, collect, &g);
    CHECK(g.n == 1 && g.v[0]->u.finding.status == PP_STATUS_ERROR);
    got_free(&g);
    free(x);
    unload(&l);
    free(a);
    free(pr);
}

static char *fixture_dir(const char *sub)
{
    sbuf b = {0};
    sbuf_printf(&b, "%s/tests/fixtures/policy/%s", TOP_SRCDIR, sub);
    return sbuf_steal(&b);
}

static policy_engine *load_fixture(const char *supp, char *err, size_t errlen)
{
    char *dir = fixture_dir("rules");
    char *fw = fixture_dir("rules/frameworks");
    const char *dirs[] = {dir};
    policy_load_opts o;
    memset(&o, 0, sizeof o);
    o.rule_dirs = dirs;
    o.n_rule_dirs = 1;
    o.frameworks_dir = fw;
    o.suppressions_json = supp;
    o.require_dirs = 1;
    policy_engine *pe = policy_engine_load(&o, err, errlen);
    free(dir);
    free(fw);
    return pe;
}

static void test_semantics(void)
{
    char err[1200];
    policy_engine *pe = load_fixture(NULL, err, sizeof err);
    CHECK(pe != NULL);
    if (!pe) {
        fprintf(stderr, "  %s\n", err);
        return;
    }
    CHECK(policy_engine_rule_count(pe) == 3);
    got g = {0};
    /* violation true -> fail, with rendered message, evidence, remediation, compliance */
    rec *x = resource("fx:box:1", "fx.box", "crate", "{\"env\":\"prod\"}",
                      "{\"lid\":\"open\",\"items\":[1,2],\"weight\":3}");
    policy_engine_evaluate(pe, x, NOW, collect, &g);
    CHECK(g.n == 2);
    const pp_finding *f = find(&g, "fx-box-open");
    CHECK(f && f->status == PP_STATUS_FAIL && f->severity == PP_SEV_HIGH);
    if (f) {
        CHECK_STR(f->message, "Box crate has its lid open (2 items)");
        CHECK_STR(f->evidence_json, "{\"lid\":\"open\",\"items\":[1,2]}");
        CHECK_STR(f->remediation, "Close the box.\nCLI: fx close crate");
        CHECK_STR(f->title, "Box is open to everyone");
        CHECK_STR(f->compliance_json,
                  "[{\"framework\":\"fx-bench-1.0\",\"requirement\":\"1.1\"},{\"framework\":\"fx-bench-1.0\","
                  "\"requirement\":\"1.2\"}]");
        CHECK_STR(f->resource_uid, "fx:box:1");
        CHECK_STR(f->resource_type, "fx.box");
        CHECK_STR(f->provider, "fx");
        CHECK_STR(f->account, "111");
        CHECK_STR(f->region, "eu-west-1");
    }
    f = find(&g, "fx-box-heavy");
    CHECK(f && f->status == PP_STATUS_PASS && f->message == NULL && f->evidence_json == NULL);
    CHECK_STR(f ? f->compliance_json : NULL, "[{\"framework\":\"fx-bench-1.0\",\"requirement\":\"1.2\"}]");
    got_free(&g);
    rec_free(x);
    /* applies false -> no finding; a missing key -> error finding naming the member */
    x = resource("fx:box:2", "fx.box", "nolid", NULL, "{\"items\":[]}");
    policy_engine_evaluate(pe, x, NOW, collect, &g);
    CHECK(find(&g, "fx-box-open") == NULL);
    f = find(&g, "fx-box-heavy");
    CHECK(f && f->status == PP_STATUS_ERROR);
    CHECK_STR(f ? f->message : NULL, "violation: no such key: weight");
    CHECK(g.n == 1);
    got_free(&g);
    rec_free(x);
    /* a type error (bool expected) -> error finding */
    x = resource("fx:user:1", "fx.user", "eve", NULL, "{\"mfa\":\"yes\"}");
    policy_engine_evaluate(pe, x, NOW, collect, &g);
    f = find(&g, "fx-user-no-mfa");
    CHECK(f && f->status == PP_STATUS_ERROR && f->severity == PP_SEV_CRITICAL);
    CHECK_CONTAINS(f ? f->message : NULL, "violation: ");
    CHECK_STR(f ? f->compliance_json : NULL, "[]");
    got_free(&g);
    rec_free(x);
    /* a type no rule judges -> nothing */
    x = resource("fx:other:1", "fx.other", "o", NULL, "{}");
    policy_engine_evaluate(pe, x, NOW, collect, &g);
    CHECK(g.n == 0);
    rec_free(x);
    /* frameworks are exposed for listing */
    size_t nf = 0;
    const framework *fw = policy_engine_frameworks(pe, &nf);
    CHECK(nf == 1 && !strcmp(fw[0].id, "fx-bench-1.0") && fw[0].n_reqs == 3 && !fw[0].reqs[2].automated);
    policy_engine_free(pe);
}

/* The status of fx-box-open on an open box with @uid, @region, @tags under @supp. */
static int muted_status(const char *supp, const char *uid, const char *region, const char *tags, char **evidence)
{
    char err[1200];
    policy_engine *pe = load_fixture(supp, err, sizeof err);
    if (!pe) {
        fprintf(stderr, "  load: %s\n", err);
        return -1;
    }
    pp_resource r;
    PP_INIT(&r);
    r.uid = uid;
    r.type = "fx.box";
    r.provider = "fx";
    r.account = "111";
    r.region = region;
    r.name = "b";
    r.tags_json = tags;
    r.data_json = "{\"lid\":\"open\",\"items\":[],\"weight\":1}";
    rec *x = rec_copy(REC_RESOURCE, &r, "test", err, sizeof err);
    got g = {0};
    policy_engine_evaluate(pe, x, NOW, collect, &g);
    const pp_finding *f = find(&g, "fx-box-open");
    int st = f ? (int)f->status : -1;
    if (evidence)
        *evidence = f && f->evidence_json ? xstrdup(f->evidence_json) : NULL;
    /* a passing finding is never muted */
    const pp_finding *h = find(&g, "fx-box-heavy");
    if (h && h->status != PP_STATUS_PASS)
        st = -2;
    got_free(&g);
    rec_free(x);
    policy_engine_free(pe);
    return st;
}

static void test_suppressions(void)
{
    char *ev = NULL;
    /* rule glob + everything else null: muted, evidence names the suppression */
    CHECK(muted_status("[{\"id\":3,\"rule\":\"fx-box-*\",\"provider\":null,\"account\":null,\"region\":null,"
                       "\"resource\":null,\"tags\":null,\"reason\":\"r\",\"owner\":\"o\",\"created_at\":1,"
                       "\"expires_at\":null,\"expired\":false}]",
                       "fx:box:1", "eu-west-1", NULL, &ev) == PP_STATUS_MUTED);
    CHECK_STR(ev, "{\"lid\":\"open\",\"items\":[],\"suppression\":3}");
    free(ev);
    /* a glob that does not match the rule */
    CHECK(muted_status("[{\"id\":1,\"rule\":\"fx-user-*\"}]", "fx:box:1", "eu-west-1", NULL, NULL) == PP_STATUS_FAIL);
    /* provider, account exact; region glob */
    CHECK(muted_status("[{\"id\":1,\"rule\":\"*\",\"provider\":\"fx\",\"account\":\"111\",\"region\":\"eu-*\"}]",
                       "fx:box:1", "eu-west-1", NULL, NULL) == PP_STATUS_MUTED);
    CHECK(muted_status("[{\"id\":1,\"rule\":\"*\",\"region\":\"us-*\"}]", "fx:box:1", "eu-west-1", NULL, NULL) ==
          PP_STATUS_FAIL);
    CHECK(muted_status("[{\"id\":1,\"rule\":\"*\",\"account\":\"222\"}]", "fx:box:1", "eu-west-1", NULL, NULL) ==
          PP_STATUS_FAIL);
    /* resource regex over the uid */
    CHECK(muted_status("[{\"id\":1,\"rule\":\"*\",\"resource\":\"^fx:box:[0-9]+$\"}]", "fx:box:12", "eu-west-1", NULL,
                       NULL) == PP_STATUS_MUTED);
    CHECK(muted_status("[{\"id\":1,\"rule\":\"*\",\"resource\":\"^fx:box:[0-9]+$\"}]", "fx:box:12x", "eu-west-1",
                       NULL, NULL) == PP_STATUS_FAIL);
    /* tags: all / any, value null = key present */
    const char *tags = "{\"env\":\"dev\",\"team\":\"a\"}";
    CHECK(muted_status("[{\"id\":1,\"rule\":\"*\",\"tags\":{\"match\":\"all\",\"conditions\":[{\"key\":\"env\","
                       "\"value\":\"dev\"},{\"key\":\"team\",\"value\":null}]}}]",
                       "fx:box:1", "eu-west-1", tags, NULL) == PP_STATUS_MUTED);
    CHECK(muted_status("[{\"id\":1,\"rule\":\"*\",\"tags\":{\"match\":\"all\",\"conditions\":[{\"key\":\"env\","
                       "\"value\":\"dev\"},{\"key\":\"owner\",\"value\":null}]}}]",
                       "fx:box:1", "eu-west-1", tags, NULL) == PP_STATUS_FAIL);
    CHECK(muted_status("[{\"id\":1,\"rule\":\"*\",\"tags\":{\"match\":\"any\",\"conditions\":[{\"key\":\"env\","
                       "\"value\":\"prod\"},{\"key\":\"team\",\"value\":\"a\"}]}}]",
                       "fx:box:1", "eu-west-1", tags, NULL) == PP_STATUS_MUTED);
    CHECK(muted_status("[{\"id\":1,\"rule\":\"*\",\"tags\":{\"match\":\"any\",\"conditions\":[{\"key\":\"env\","
                       "\"value\":\"prod\"}]}}]",
                       "fx:box:1", "eu-west-1", tags, NULL) == PP_STATUS_FAIL);
    CHECK(muted_status("[{\"id\":1,\"rule\":\"*\",\"tags\":{\"match\":\"any\",\"conditions\":[{\"key\":\"env\","
                       "\"value\":\"dev\"}]}}]",
                       "fx:box:1", "eu-west-1", NULL, NULL) == PP_STATUS_FAIL);
    /* expired: by the store's flag, or by expires_at before the scan */
    CHECK(muted_status("[{\"id\":9,\"rule\":\"*\",\"owner\":\"ops\",\"expires_at\":1700000000,\"expired\":true}]",
                       "fx:box:1", "eu-west-1", NULL, NULL) == PP_STATUS_FAIL);
    CHECK(muted_status("[{\"id\":9,\"rule\":\"*\",\"expires_at\":1700000000,\"expired\":false}]", "fx:box:1",
                       "eu-west-1", NULL, NULL) == PP_STATUS_FAIL);
    CHECK(muted_status("[{\"id\":9,\"rule\":\"*\",\"expires_at\":1900000000,\"expired\":false}]", "fx:box:1",
                       "eu-west-1", NULL, NULL) == PP_STATUS_MUTED);
    /* a bad suppression list is a load error naming it */
    char err[1200];
    policy_engine *pe = load_fixture("[{\"id\":4,\"rule\":\"*\",\"resource\":\"(unclosed\"}]", err, sizeof err);
    CHECK(pe == NULL);
    CHECK_CONTAINS(err, "suppressions[0] (id 4): resource: bad regular expression");
    pe = load_fixture("{\"id\":1}", err, sizeof err);
    CHECK(pe == NULL);
    CHECK_CONTAINS(err, "suppressions: not a JSON array");
}

static void test_frameworks(void)
{
    framework *f = NULL;
    size_t n = 0;
    char err[600];
    char *dir = fixture_dir("rules/frameworks");
    CHECK(frameworks_load(dir, &f, &n, err, sizeof err) == 0);
    CHECK(n == 1 && !strcmp(f[0].id, "fx-bench-1.0") && !strcmp(f[0].title, "FX test framework"));
    CHECK(n == 1 && f[0].n_reqs == 3 && !strcmp(f[0].reqs[1].id, "1.2") && f[0].reqs[1].n_rules == 2 &&
          !strcmp(f[0].reqs[1].rules[1], "fx-box-open") && !strcmp(f[0].reqs[1].section, "1 Boxes"));
    frameworks_free(f, n);
    free(dir);
    CHECK(frameworks_load("/nonexistent/fw", &f, &n, err, sizeof err) == 0 && n == 0 && f == NULL);
    const char *bad[][2] = {
        {"{\"format\":1,\"id\":\"x-1\",\"title\":\"t\",\"version\":\"1\",\"requirements\":[{\"id\":\"1\"}]}",
         "requirement '1': missing or bad 'title'"},
        {"{\"format\":1,\"id\":\"x-1\",\"title\":\"t\",\"version\":\"1\","
         "\"requirements\":[{\"id\":\"1\",\"title\":\"t\","
         "\"section\":\"s\",\"automated\":\"yes\",\"rules\":[]}]}",
         "'automated' must be true or false"},
        {"{\"format\":1,\"id\":\"x-1\",\"title\":\"t\",\"version\":\"1\",\"requirements\":{}}",
         "'requirements' must be an array"},
        {"{\"format\":1,\"id\":\"X 1\",\"title\":\"t\",\"version\":\"1\",\"requirements\":[]}", "id: must be a name"},
        {"{\"format\":1,\"id\":\"x-1\",\"title\":\"t\",\"version\":\"1\",\"requirements\":[], \"extra\":1}",
         "unknown member 'extra'"},
        {"{nope", "not valid JSON"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *files[] = {"fw.json", bad[i][0], NULL};
        char *d = make_dir(files);
        CHECK(frameworks_load(d, &f, &n, err, sizeof err) == -1 && f == NULL && n == 0);
        CHECK_CONTAINS(err, bad[i][1]);
        CHECK_CONTAINS(err, "fw.json");
        free(d);
    }
}

static sbuf lint_seen;

static void count_problem(void *ud, const char *msg)
{
    sbuf_printf(ud, "%s\n", msg);
}

static void test_lint_paths(void)
{
    char **p = NULL;
    size_t n = pe_data_paths("resource.data.acl.grants.exists(g, g.grantee.uri == 'x') && has(resource.data.a.b) && "
                             "resource.data['k'].z[0].w == resource.tags.env",
                             &p);
    CHECK(n != (size_t)-1);
    int saw_uri = 0, saw_ab = 0, saw_kzw = 0;
    for (size_t i = 0; i < n && n != (size_t)-1; i++) {
        saw_uri |= !strcmp(p[i], "acl.grants.grantee.uri");
        saw_ab |= !strcmp(p[i], "a.b");
        saw_kzw |= !strcmp(p[i], "k.z.w");
        free(p[i]);
    }
    free(p);
    CHECK(saw_uri && saw_ab && saw_kzw);
    CHECK(pe_data_paths("(((", &p) == (size_t)-1);

    char err[300];
    char *docs = fixture_dir("docs");
    pe_shapes *s = pe_shapes_load(docs, err, sizeof err);
    CHECK(s != NULL && pe_shapes_types(s) == 2);
    free(docs);
    char *rules = fixture_dir("rules");
    char *fw = fixture_dir("rules/frameworks");
    const char *dirs[] = {rules};
    policy_load_opts o;
    memset(&o, 0, sizeof o);
    o.rule_dirs = dirs;
    o.n_rule_dirs = 1;
    o.frameworks_dir = fw;
    char lerr[600];
    policy_engine *pe = policy_engine_load(&o, lerr, sizeof lerr);
    CHECK(pe != NULL);
    /* the fixture rules use documented paths only */
    size_t problems = 0;
    for (size_t i = 0; pe && s && i < policy_engine_rule_count(pe); i++)
        problems += pe_lint_rule_paths(s, policy_engine_rule(pe, i), count_problem, &lint_seen);
    CHECK(pe && problems == 0);
    /* a typo is reported with the rule, member, path and type */
    char *typo = rule_json("fx-typo", "fx.box", "resource.data.weight.kg > 1 || resource.data.lidd", NULL);
    char *pt = pack(typo);
    const char *files[] = {"t.json", pt, NULL};
    loaded l = load_files(files, NULL, NULL);
    CHECK(l.pe != NULL);
    lint_seen.len = 0;
    problems = l.pe && s ? pe_lint_rule_paths(s, policy_engine_rule(l.pe, 0), count_problem, &lint_seen) : 0;
    CHECK(problems == 2);
    CHECK_CONTAINS(lint_seen.data,
                   "t.json: rule 'fx-typo': violation: resource.data.weight.kg is not in the documented "
                   "shape of fx.box");
    CHECK_CONTAINS(lint_seen.data, "resource.data.lidd is not in the documented shape");
    unload(&l);
    free(typo);
    free(pt);
    /* a framework naming an unknown rule */
    size_t nf = 0;
    const framework *fws = policy_engine_frameworks(pe, &nf);
    const pe_rule *only[] = {policy_engine_rule(pe, 0)};
    lint_seen.len = 0;
    CHECK(pe_lint_frameworks(fws, nf, only, 1, count_problem, &lint_seen) >= 1);
    CHECK_CONTAINS(lint_seen.data, "framework 'fx-bench-1.0': requirement '1.2': unknown rule");
    sbuf_free(&lint_seen);
    policy_engine_free(pe);
    pe_shapes_free(s);
    free(rules);
    free(fw);
}

/* Policy plugin: rules() and the CEL function tp.double. */
static void test_plugin(void)
{
    registry reg = {0};
    loaded_plugin *lp = registry_load_file(&reg, TOP_BUILDDIR "/tests/plugins/.libs/tp_all.so");
    CHECK(lp->ok);
    if (!lp->ok) {
        fprintf(stderr, "  tp_all: %s\n", lp->error ? lp->error : "?");
        registry_free(&reg);
        return;
    }
    /* a rule file of ours calling the plugin's function */
    char *r = rule_json("fx-double", "fx.box", "tp.double(resource.data.n) > 10",
                        "\"evidence\":{\"twice\":\"tp.double(resource.data.n)\"}");
    char *pr = pack(r);
    const char *files[] = {"r.json", pr, NULL};
    loaded l = load_files(files, NULL, &reg);
    CHECK(l.pe != NULL);
    if (!l.pe)
        fprintf(stderr, "  load: %s\n", l.err);
    if (l.pe) {
        /* the plugin's own pack is loaded beside ours */
        int have = 0;
        for (size_t i = 0; i < policy_engine_rule_count(l.pe); i++)
            have |= !strcmp(policy_engine_rule(l.pe, i)->id, "tp-all-double") &&
                    !strcmp(policy_engine_rule(l.pe, i)->origin, "plugin tp_all");
        CHECK(have);
        got g = {0};
        rec *x = resource("fx:1", "fx.box", "b", NULL, "{\"n\":6}");
        policy_engine_evaluate(l.pe, x, NOW, collect, &g);
        const pp_finding *f = find(&g, "fx-double");
        CHECK(f && f->status == PP_STATUS_FAIL);
        CHECK_STR(f ? f->evidence_json : NULL, "{\"twice\":12}");
        got_free(&g);
        rec_free(x);
        x = resource("fx:2", "fx.box", "b", NULL, "{\"n\":4}");
        policy_engine_evaluate(l.pe, x, NOW, collect, &g);
        f = find(&g, "fx-double");
        CHECK(f && f->status == PP_STATUS_PASS);
        got_free(&g);
        rec_free(x);
        /* the function's own error becomes an error finding */
        x = resource("fx:3", "fx.box", "b", NULL, "{\"n\":\"six\"}");
        policy_engine_evaluate(l.pe, x, NOW, collect, &g);
        f = find(&g, "fx-double");
        CHECK(f && f->status == PP_STATUS_ERROR);
        CHECK_CONTAINS(f ? f->message : NULL, "tp.double() expects one number");
        got_free(&g);
        rec_free(x);
        /* the plugin's rule, on its own type */
        x = resource("tp:n:7", "tp.number", "n", NULL, "{\"value\":7,\"limit\":10}");
        policy_engine_evaluate(l.pe, x, NOW, collect, &g);
        f = find(&g, "tp-all-double");
        CHECK(f && f->status == PP_STATUS_FAIL);
        CHECK_STR(f ? f->message : NULL, "twice 7 is 14, over 10");
        got_free(&g);
        rec_free(x);
    }
    unload(&l);
    /* without the plugin the function is unknown: that rule alone is set
     * aside (with a warning) and the load goes on; policy_cli.sh checks that
     * the other rules of such a pack load */
    l = load_files(files, NULL, NULL);
    CHECK(l.pe != NULL);
    if (l.pe) {
        int has_double = 0;
        for (size_t i = 0; i < policy_engine_rule_count(l.pe); i++)
            has_double |= !strcmp(policy_engine_rule(l.pe, i)->id, "fx-double");
        CHECK(!has_double);
    }
    unload(&l);
    free(r);
    free(pr);
    registry_free(&reg);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/pp-test-policy.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_load_errors();
    test_hostile_rules();
    test_hostile_resources();
    test_semantics();
    test_suppressions();
    test_frameworks();
    test_lint_paths();
    test_plugin();
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return test_summary("test_policy");
}
