/*
 * tests/unit/test_cel.c - the CEL engine through its public API (cel.h):
 * compile errors with positions, JSON binding, results as JSON, error
 * semantics, limits, extension functions, concurrency and the CLI command.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cel.h"

static int n_pass, n_fail;

#define CHECK(cond, ...)                                                                                               \
    do {                                                                                                               \
        if (cond) {                                                                                                    \
            n_pass++;                                                                                                  \
        } else {                                                                                                       \
            n_fail++;                                                                                                  \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                                                \
            printf(__VA_ARGS__);                                                                                       \
            printf("\n");                                                                                              \
        }                                                                                                              \
    } while (0)

static const char *RESOURCE_JSON =
    "{\"uid\":\"arn:aws:s3:::logs\",\"type\":\"aws.s3.bucket\",\"account\":\"123456789012\","
    "\"region\":\"eu-west-1\",\"tags\":{\"env\":\"prod\",\"owner\":\"sec\"},"
    "\"data\":{\"port\":22,\"ratio\":0.5,\"big\":12345678901234,\"public\":true,"
    "\"cidrs\":[\"0.0.0.0/0\",\"10.0.0.0/8\"],\"created\":\"2020-05-01T10:00:00Z\","
    "\"rules\":[{\"from\":22,\"to\":22},{\"from\":443,\"to\":443}],\"nothing\":null}}";

static cel_env *g_env;
static cel_vars *g_vars;

/* Evaluate @expr against the sample resource; return malloc'd JSON or "error: msg". */
static char *eval_text(const char *expr)
{
    cel_compile_error err;
    cel_program *p = cel_compile(g_env, expr, &err);
    if (!p) {
        size_t n = strlen(err.text) + 16;
        char *s = malloc(n);
        snprintf(s, n, "compile: %s", err.text);
        return s;
    }
    cel_result *r = cel_eval(p, g_vars, NULL);
    char *out;
    if (cel_result_error(r)) {
        size_t n = strlen(cel_result_error(r)) + 16;
        out = malloc(n);
        snprintf(out, n, "error: %s", cel_result_error(r));
    } else {
        out = cel_result_json(r, 0);
    }
    cel_result_free(r);
    cel_program_free(p);
    return out;
}

static void expect(const char *expr, const char *want)
{
    char *got = eval_text(expr);
    CHECK(got && !strcmp(got, want), "%s\n  want: %s\n  got:  %s", expr, want, got ? got : "(null)");
    free(got);
}

static void expect_prefix(const char *expr, const char *want)
{
    char *got = eval_text(expr);
    CHECK(got && !strncmp(got, want, strlen(want)), "%s\n  want prefix: %s\n  got: %s", expr, want,
          got ? got : "(null)");
    free(got);
}

static void test_compile_errors(void)
{
    cel_compile_error e;
    CHECK(!cel_compile(g_env, "resource.data.port == foo", &e), "undeclared variable compiles");
    CHECK(e.line == 1 && e.col == 23, "position %d:%d", e.line, e.col);
    CHECK(!strcmp(e.message, "undeclared reference to 'foo'"), "message: %s", e.message);
    CHECK(!strcmp(e.text, "1:23: undeclared reference to 'foo'"), "text: %s", e.text);

    CHECK(!cel_compile(g_env, "1 +\n  (2 *", &e), "unbalanced parens compile");
    CHECK(e.line == 2 && e.col == 7, "position %d:%d (%s)", e.line, e.col, e.text);
    CHECK(strstr(e.message, "syntax error") != NULL, "message: %s", e.message);

    CHECK(!cel_compile(g_env, "'héllo' + nope", &e), "undeclared after unicode");
    CHECK(e.col == 11, "column counts characters, got %d", e.col);

    CHECK(!cel_compile(g_env, "nosuchfn(1)", &e) && !strcmp(e.message, "undeclared reference to 'nosuchfn'"),
          "unknown function: %s", e.message);
    CHECK(!cel_compile(g_env, "size(1, 2)", &e) && strstr(e.message, "no matching overload"), "arity: %s", e.message);
    CHECK(!cel_compile(g_env, "'a'.int()", &e), "int() is not a method");
    CHECK(!cel_compile(g_env, "1 = 1", &e) && strstr(e.message, "unexpected"), "single '=': %s", e.message);
    CHECK(!cel_compile(g_env, "if", &e) && strstr(e.message, "reserved"), "reserved word: %s", e.message);
    CHECK(!cel_compile(g_env, "'abc", &e) && strstr(e.message, "unterminated"), "open string: %s", e.message);
    CHECK(!cel_compile(g_env, "x.all(y.z, true)", &e), "macro variable must be a name");
    CHECK(!cel_compile(g_env, "9223372036854775808", &e) && strstr(e.message, "range"), "int literal range: %s",
          e.message);
    CHECK(!cel_compile(g_env, "", &e), "empty expression");
    cel_program *p = cel_compile(g_env, "-9223372036854775808", &e);
    CHECK(p != NULL, "INT64_MIN literal: %s", e.text);
    cel_program_free(p);
}

static void test_literals_and_operators(void)
{
    expect("1 + 2 * 3", "7");
    expect("7 / 2", "3");
    expect("-7 % 3", "-1");
    expect("2u * 3u", "6");
    expect("1.5 + 1.0", "2.5");
    expect("3.0", "3.0");
    expect("'ab' + \"cd\"", "\"abcd\"");
    expect("r'\\n' == '\\\\n'", "true");
    expect("'''multi\nline'''", "\"multi\\nline\"");
    expect("'\\u00e9\\x41\\101'", "\"\xc3\xa9"
                                  "AA\"");
    expect("b'\\x00\\xff' == bytes('\\x00') + b'\\377'", "true");
    expect("b'abc'", "\"YWJj\"");
    expect("[1, 'a', null, true]", "[1,\"a\",null,true]");
    expect("{'a': 1, 2: 'b', true: false}", "{\"a\":1,\"2\":\"b\",\"true\":false}");
    expect("9223372036854775807", "9223372036854775807");
    expect("18446744073709551615u", "18446744073709551615");
    expect("1 == 1.0 && 1u == 1 && 2 > 1.5 && 1u < 2", "true");
    expect("[1, 2] == [1.0, 2u]", "true");
    expect("1 == 'a'", "false");
    expect("'a' < 'b' && b'a' < b'b' && false < true", "true");
    expect("3 in [1, 2, 3] && 'k' in {'k': 1} && !(4 in [1])", "true");
    expect("true ? 'y' : 'n'", "\"y\"");
    expect("0.0 / 0.0 == 0.0 / 0.0", "false");
    expect("1.0 / 0.0", "\"Infinity\"");
    expect_prefix("9223372036854775807 + 1", "error: return error for overflow");
    expect_prefix("-9223372036854775808 - 1", "error: return error for overflow");
    expect_prefix("0u - 1u", "error: return error for overflow");
    expect_prefix("1 / 0", "error: division by zero");
    expect_prefix("1 % 0", "error: modulus by zero");
    expect_prefix("1 + 1u", "error: no such overload");
    expect_prefix("'a' < 1", "error: no such overload");
    expect_prefix("[1][5]", "error: index out of range");
}

static void test_error_absorption(void)
{
    expect("1 / 0 == 1 || true", "true");
    expect("true || 1 / 0 == 1", "true");
    expect("1 / 0 == 1 && false", "false");
    expect("false && 1 / 0 == 1", "false");
    expect_prefix("true && 1 / 0 == 1", "error: division by zero");
    expect_prefix("1 / 0 == 1 || false", "error: division by zero");
    expect("[0, 1].exists(x, 1 / x == 1)", "true");
    expect("[0, 1].all(x, 1 / x == 2)", "false");
    expect_prefix("[0, 1].all(x, 1 / x == 1)", "error: division by zero");
    expect_prefix("'a' ? 1 : 2", "error: no such overload");
}

static void test_resource_binding(void)
{
    expect("resource.data.port == 22", "true");
    expect("resource.data.port == 22.0 && type(resource.data.port) == int", "true");
    expect("type(resource.data.ratio)", "\"double\"");
    expect("resource.data.big", "12345678901234");
    expect("resource.tags.env == 'prod' && resource.region.startsWith('eu-')", "true");
    expect("resource.account", "\"123456789012\"");
    expect("resource.data.nothing == null", "true");
    expect_prefix("resource.data.missing", "error: no such key: missing");
    expect_prefix("resource.tags['team']", "error: no such key: team");
    expect("has(resource.data.missing)", "false");
    expect("has(resource.data.port)", "true");
    expect("has(resource.tags.env) && !has(resource.tags.team)", "true");
    expect("resource.data.rules.exists(r, r.from <= 22 && r.to >= 22)", "true");
    expect("resource.data.rules.map(r, r.from)", "[22,443]");
    expect("resource.data.rules.filter(r, r.from > 100).size()", "1");
    expect("resource.data.cidrs.exists_one(c, c == '0.0.0.0/0')", "true");
    expect("resource.data.rules.map(r, r.from > 100, r.to)", "[443]");
    expect("resource.tags.all(k, k.size() > 2)", "true");
    expect("size(resource.tags)", "2");
    expect("timestamp(resource.data.created) < now", "true");
    expect("now - timestamp(resource.data.created) > duration('24h')", "true");
    expect("cidr('10.0.0.0/8').containsIP(ip('10.1.2.3')) && !cidr(resource.data.cidrs[1]).containsIP('192.168.0.1')",
           "true");
    expect("resource.data.cidrs.exists(c, cidr(c).prefixLength() == 0)", "true");
}

static void test_results_as_json(void)
{
    expect("timestamp('2009-02-13T23:31:30Z')", "\"2009-02-13T23:31:30Z\"");
    expect("timestamp('2009-02-13T23:31:30.120Z')", "\"2009-02-13T23:31:30.12Z\"");
    expect("timestamp('2009-02-14T01:31:30+02:00')", "\"2009-02-13T23:31:30Z\"");
    expect("duration('1h')", "\"3600s\"");
    expect("duration('1.5s')", "\"1.5s\"");
    expect("duration('-1ms')", "\"-0.001s\"");
    expect("timestamp('2009-02-13T23:31:30Z') + duration('30s')", "\"2009-02-13T23:32:00Z\"");
    expect("type(1)", "\"int\"");
    expect("type(timestamp('2009-02-13T23:31:30Z'))", "\"google.protobuf.Timestamp\"");
    expect("ip('2001:DB8::1')", "\"2001:db8::1\"");
    expect("cidr('192.168.0.1/24').masked()", "\"192.168.0.0/24\"");
    expect("string(1.5) + string(10) + string(true)", "\"1.510true\"");

    cel_compile_error e;
    cel_program *p = cel_compile(g_env, "{'a': [1, 2]}", &e);
    cel_result *r = cel_eval(p, g_vars, NULL);
    char *pretty = cel_result_json(r, 1);
    CHECK(pretty && strchr(pretty, '\n'), "pretty JSON has line breaks: %s", pretty ? pretty : "(null)");
    CHECK(!strcmp(cel_result_type(r), "map"), "type %s", cel_result_type(r));
    int b = 7;
    CHECK(cel_result_bool(r, &b) == -1 && b == 7, "a map is not a bool");
    free(pretty);
    cel_result_free(r);
    cel_program_free(p);
}

static void test_functions(void)
{
    expect("'Hello'.lowerAscii() + 'x'.upperAscii()", "\"helloX\"");
    expect("'a,b,,c'.split(',')", "[\"a\",\"b\",\"\",\"c\"]");
    expect("'a,b,c'.split(',', 2)", "[\"a\",\"b,c\"]");
    expect("['a', 'b'].join('-')", "\"a-b\"");
    expect("'  x y \\t'.trim()", "\"x y\"");
    expect("'aaa'.replace('a', 'b', 2)", "\"bba\"");
    expect("'héllo'.indexOf('l')", "2");
    expect("'héllo'.substring(1, 3)", "\"él\"");
    expect("'héllo'.size() == 5 && size(b'h\\xc3\\xa9') == 3", "true");
    expect("'abc'.contains('bc') && 'abc'.startsWith('ab') && 'abc'.endsWith('c')", "true");
    expect("'prod-eu-1'.matches('^prod-[a-z]+-\\\\d$')", "true");
    expect("matches('abc', 'B')", "false");
    expect("'ABC'.matches('(?i)b')", "true");
    expect_prefix("'a'.matches('(')", "error: invalid regular expression");
    expect("int('42') + int(2.9) + int(-2.9)", "42");
    expect("uint(42) == 42u && double('2.5') == 2.5 && bool('true')", "true");
    expect_prefix("int('4x')", "error: cannot convert");
    expect_prefix("int(1e20)", "error: range error");
    expect("dyn(1) == 1", "true");
    expect("timestamp('2009-02-13T23:31:30Z').getFullYear()", "2009");
    expect("timestamp('2009-02-13T23:31:30Z').getHours('+05:30')", "5");
    expect("timestamp('2009-02-13T23:31:30Z').getDayOfWeek('UTC')", "5");
    expect_prefix("timestamp('2009-02-13T23:31:30Z').getHours('Mars/Base')", "error: unknown time zone");
    expect("duration('90m').getHours()", "1");
    expect_prefix("timestamp('2009-02-30T00:00:00Z')", "error: cannot parse timestamp");
    expect_prefix("duration('1y')", "error: cannot parse duration");
    expect("isIP('::1') && !isIP('1.2.3') && ip('::1').isLoopback() && ip('10.0.0.1').family() == 4", "true");
    expect("ip.isCanonical('2001:db8::1') && !ip.isCanonical('2001:DB8::1')", "true");
    expect_prefix("ip('fe80::1%eth0')", "error: IP Address with zone");
}

/* ---------------------------------------------------------------- extensions */

static int ext_count_calls;

/* test.sum(a, b): adds two JSON numbers; errors on non-numbers. */
static int ext_sum(void *ud, const char *args, char **result)
{
    (void)ud;
    __atomic_add_fetch(&ext_count_calls, 1, __ATOMIC_SEQ_CST);
    cJSON *a = cJSON_Parse(args);
    cJSON *x = cJSON_GetArrayItem(a, 0), *y = cJSON_GetArrayItem(a, 1);
    int rc = 0;
    if (!cJSON_IsNumber(x) || !cJSON_IsNumber(y)) {
        *result = strdup("arguments must be numbers");
        rc = -1;
    } else {
        char buf[64];
        snprintf(buf, sizeof buf, "%.17g", x->valuedouble + y->valuedouble);
        *result = strdup(buf);
    }
    cJSON_Delete(a);
    return rc;
}

/* echo(x...): returns its argument array unchanged. */
static int ext_echo(void *ud, const char *args, char **result)
{
    (void)ud;
    *result = strdup(args);
    return 0;
}

static int freed_with_custom;
static void custom_free(void *ud, char *p)
{
    (void)ud;
    freed_with_custom++;
    free(p);
}

static void test_extensions(void)
{
    const char *why = NULL;
    CHECK(cel_env_add_function(g_env, "test.sum", 2, 2, ext_sum, NULL, NULL, &why) == 0, "register: %s", why);
    CHECK(cel_env_add_function(g_env, "echo", 0, 3, ext_echo, custom_free, NULL, &why) == 0, "register: %s", why);
    CHECK(cel_env_add_function(g_env, "echo", 0, 3, ext_echo, NULL, NULL, &why) == -1 && strstr(why, "already"),
          "duplicate refused");
    CHECK(cel_env_add_function(g_env, "size", 1, 1, ext_echo, NULL, NULL, &why) == -1 && strstr(why, "built-in"),
          "built-in name refused");
    CHECK(cel_env_add_function(g_env, "bad name", 1, 1, ext_echo, NULL, NULL, &why) == -1, "bad name refused");
    CHECK(cel_env_add_function(g_env, "x.", 1, 1, ext_echo, NULL, NULL, &why) == -1, "trailing dot refused");
    CHECK(cel_env_add_function(g_env, "f", 2, 1, ext_echo, NULL, NULL, &why) == -1, "min > max refused");

    expect("test.sum(1, 2.5)", "3.5");
    expect("test.sum(resource.data.port, 1) == 23", "true");
    expect_prefix("test.sum('a', 1)", "error: test.sum: arguments must be numbers");
    expect("test.sum('a', 1) == 1 || true", "true");
    int before = freed_with_custom;
    expect("echo(timestamp('2009-02-13T23:31:30Z'), duration('1m'), b'hi')",
           "[\"2009-02-13T23:31:30Z\",\"60s\",\"aGk=\"]");
    CHECK(freed_with_custom == before + 1, "custom free used (%d)", freed_with_custom - before);
    expect("echo()", "[]");
    cel_compile_error e;
    CHECK(!cel_compile(g_env, "test.sum(1)", &e) && strstr(e.message, "no matching overload"), "arity checked: %s",
          e.message);
    CHECK(!cel_compile(g_env, "test.nope(1)", &e) &&
              strstr(e.message, "undeclared function 'test.nope' (no loaded plugin provides it)"),
          "unknown namespaced function: %s", e.message);
    /* a builtin method on an unknown name is still an unknown name */
    CHECK(!cel_compile(g_env, "nothere.size()", &e) && strstr(e.message, "undeclared reference to 'nothere'"),
          "unknown receiver: %s", e.message);
}

/* ---------------------------------------------------------------- evaluator */

/* A reusable evaluator gives cel_eval's results, run after run: across
 * errors, limits that jump out mid-evaluation, and different programs. */
static void test_evaluator(void)
{
    static const char *const exprs[] = {
        "resource.data.port == 22",
        "resource.data.rules.map(r, r.from)",
        "resource.data.missing",
        "resource.tags.env + '-' + resource.region",
        "[1,2,3,4,5,6,7,8,9,10].map(x, [1,2,3,4,5,6,7,8,9,10].map(y, string(x) + string(y)))",
        "resource.data.port",
        "resource.data.public",
        "resource.data.nothing",
        "resource.data.ratio",
        "1 / 0",
    };
    cel_evaluator *ev = cel_evaluator_new();
    CHECK(ev != NULL, "evaluator");
    cel_limits small = {0};
    small.max_memory = 4096; /* expression 4 runs out of it */
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
            cel_compile_error e;
            cel_program *p = cel_compile(g_env, exprs[i], &e);
            CHECK(p != NULL, "compile %s", exprs[i]);
            if (!p)
                continue;
            const cel_limits *lim = round == 1 ? &small : NULL;
            cel_result *want = cel_eval(p, g_vars, lim);
            const cel_result *got = cel_evaluator_run(ev, p, g_vars, lim);
            const char *we = cel_result_error(want), *ge = cel_result_error(got);
            char *wj = cel_result_json(want, 0), *gj = cel_result_json(got, 0);
            CHECK((we && ge && !strcmp(we, ge)) || (!we && !ge && wj && gj && !strcmp(wj, gj)),
                  "round %d, %s: evaluator gave %s, cel_eval %s", round, exprs[i], ge ? ge : gj, we ? we : wj);
            CHECK(!strcmp(cel_result_type(want), cel_result_type(got)), "type of %s", exprs[i]);
            free(wj);
            free(gj);
            cel_result_free(want);
            int b = -1, wb = -1;
            const char *why = NULL;
            char *wwhy = NULL;
            int rc = cel_evaluator_bool(ev, p, g_vars, lim, &b, &why);
            int wrc = cel_eval_bool(p, g_vars, lim, &wb, &wwhy);
            CHECK(rc == wrc && (rc != 0 || b == wb) && (rc == 0 || (why && wwhy && !strcmp(why, wwhy))),
                  "bool of %s: %d/%s vs %d/%s", exprs[i], rc, why ? why : "-", wrc, wwhy ? wwhy : "-");
            free(wwhy);
            cel_program_free(p);
        }
    }
    cel_evaluator_free(ev);
    cel_evaluator_free(NULL);
}

/* ---------------------------------------------------------------- limits */

static void test_limits(void)
{
    cel_compile_error e;
    cel_limits lim = {0};
    lim.max_steps = 100;
    cel_program *p =
        cel_compile(g_env, "[1,2,3,4,5,6,7,8,9,10].map(x, [1,2,3,4,5,6,7,8,9,10].map(y, x * y)) == [] || true", &e);
    cel_result *r = cel_eval(p, g_vars, &lim);
    CHECK(cel_result_error(r) && strstr(cel_result_error(r), "cost limit"), "step limit not absorbed by ||: %s",
          cel_result_error(r) ? cel_result_error(r) : cel_result_json(r, 0));
    cel_result_free(r);
    r = cel_eval(p, g_vars, NULL);
    int b = 0;
    CHECK(cel_result_bool(r, &b) == 0 && b, "default limits suffice");
    cel_result_free(r);
    cel_program_free(p);

    memset(&lim, 0, sizeof lim);
    lim.max_string_size = 1000;
    p = cel_compile(g_env,
                    "[1,2,3,4,5,6,7,8,9,10,11].map(x, "
                    "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                    "aaa').join('')",
                    &e);
    r = cel_eval(p, g_vars, &lim);
    CHECK(cel_result_error(r) && strstr(cel_result_error(r), "string size"), "string limit: %s",
          cel_result_error(r) ? cel_result_error(r) : "none");
    cel_result_free(r);
    cel_program_free(p);

    memset(&lim, 0, sizeof lim);
    lim.max_list_size = 50;
    p = cel_compile(g_env, "[1,2,3,4,5,6,7,8,9,10].map(x, [1,2,3,4,5,6,7,8,9,10]).map(l, l + l + l + l + l + l)", &e);
    r = cel_eval(p, g_vars, &lim);
    CHECK(cel_result_error(r) && strstr(cel_result_error(r), "list size"), "list limit: %s",
          cel_result_error(r) ? cel_result_error(r) : "none");
    cel_result_free(r);
    cel_program_free(p);

    memset(&lim, 0, sizeof lim);
    lim.max_memory = 4096;
    p = cel_compile(g_env, "[1,2,3,4,5,6,7,8,9,10].map(x, [1,2,3,4,5,6,7,8,9,10].map(y, string(x) + string(y)))", &e);
    r = cel_eval(p, g_vars, &lim);
    CHECK(cel_result_error(r) && strstr(cel_result_error(r), "memory"), "memory limit: %s",
          cel_result_error(r) ? cel_result_error(r) : "none");
    cel_result_free(r);
    cel_program_free(p);

    /* regex: catastrophic patterns for backtracking engines run in linear time */
    char *big = malloc(100001);
    memset(big, 'a', 100000);
    big[100000] = '\0';
    cel_vars *v = cel_vars_new();
    cJSON *s = cJSON_CreateString(big);
    CHECK(cel_vars_set_json(v, "resource", s, NULL) == 0, "bind string");
    p = cel_compile(g_env,
                    "resource.matches('^(a+)+$') && !resource.matches('(a*)*b') && !resource.matches('(a|aa)+c')", &e);
    clock_t t0 = clock();
    r = cel_eval(p, v, NULL);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    b = 0;
    CHECK(cel_result_bool(r, &b) == 0 && b, "regex results: %s", cel_result_error(r) ? cel_result_error(r) : "ok");
    CHECK(secs < 10, "regex bombs took %.1fs", secs);
    cel_result_free(r);
    cel_program_free(p);
    p = cel_compile(g_env, "'a'.matches('((a{1000}){1000}){1000}')", &e);
    r = cel_eval(p, v, NULL);
    CHECK(cel_result_error(r) && strstr(cel_result_error(r), "too large"), "huge regex refused: %s",
          cel_result_error(r) ? cel_result_error(r) : "none");
    cel_result_free(r);
    cel_program_free(p);
    cJSON_Delete(s);
    cel_vars_free(v);
    free(big);
}

/* ---------------------------------------------------------------- threads */

typedef struct {
    const cel_program *p;
    const cel_vars *v;
    int bad;
} worker_arg;

static void *worker(void *arg)
{
    worker_arg *w = arg;
    for (int i = 0; i < 500; i++) {
        cel_result *r = cel_eval(w->p, w->v, NULL);
        char *j = r ? cel_result_json(r, 0) : NULL;
        if (!j || strcmp(j, "[true,\"prod\",22,2]"))
            w->bad++;
        free(j);
        cel_result_free(r);
    }
    return NULL;
}

static void test_threads(void)
{
    cel_compile_error e;
    cel_program *p = cel_compile(
        g_env,
        "[resource.data.rules.exists(r, r.from == 22) && resource.tags.env.matches('^pr[o]d$'), resource.tags.env,"
        " test.sum(resource.data.port, 0) == 22.0 ? 22 : 0, size(resource.data.cidrs)]",
        &e);
    CHECK(p != NULL, "compile: %s", e.text);
    if (!p)
        return;
    pthread_t th[4];
    worker_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (worker_arg){p, g_vars, 0};
        pthread_create(&th[i], NULL, worker, &args[i]);
    }
    int bad = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        bad += args[i].bad;
    }
    CHECK(bad == 0, "%d concurrent evaluations gave a wrong result", bad);
    cel_program_free(p);
}

/* ---------------------------------------------------------------- eval_bool and vars */

static void test_eval_bool(void)
{
    cel_compile_error e;
    cel_program *p = cel_compile(g_env, "resource.data.port", &e);
    int out = 0;
    char *err = NULL;
    CHECK(cel_eval_bool(p, g_vars, NULL, &out, &err) == -1 && err && strstr(err, "int"), "non-bool: %s",
          err ? err : "(null)");
    free(err);
    cel_program_free(p);
    p = cel_compile(g_env, "resource.data.public", &e);
    CHECK(cel_eval_bool(p, g_vars, NULL, &out, &err) == 0 && out == 1 && !err, "bool condition");
    cel_program_free(p);

    /* a declared but unbound variable is an evaluation error */
    cel_vars *empty = cel_vars_new();
    p = cel_compile(g_env, "now", &e);
    CHECK(cel_eval_bool(p, empty, NULL, &out, &err) == -1 && err && strstr(err, "now"), "unbound: %s",
          err ? err : "(null)");
    free(err);
    cel_program_free(p);
    CHECK(cel_vars_set_timestamp(empty, "now", 253402300800LL, 0) == -1, "timestamp past year 9999 refused");
    CHECK(cel_vars_set_timestamp(empty, "now", 0, 1000000000) == -1, "nanos out of range refused");
    cel_vars_free(empty);
    const char *why = NULL;
    CHECK(cel_env_declare(g_env, "9lives", &why) == -1 && why, "bad variable name refused");
}

/* ---------------------------------------------------------------- CLI */

static char *run_cli(const char *expr, const char *path, int *rc, char **errtext)
{
    FILE *out = tmpfile(), *err = tmpfile();
    *rc = cel_cli_eval(expr, path, out, err);
    static char obuf[4096], ebuf[4096];
    rewind(out);
    rewind(err);
    size_t n = fread(obuf, 1, sizeof obuf - 1, out);
    obuf[n] = '\0';
    n = fread(ebuf, 1, sizeof ebuf - 1, err);
    ebuf[n] = '\0';
    fclose(out);
    fclose(err);
    *errtext = ebuf;
    return obuf;
}

static void test_cli(void)
{
    char path[] = "/tmp/test_cel_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    if (fd < 0)
        return;
    FILE *f = fdopen(fd, "w");
    fputs(RESOURCE_JSON, f);
    fclose(f);
    int rc;
    char *err;
    char *out = run_cli("resource.data.port == 22", path, &rc, &err);
    CHECK(rc == 0 && !strcmp(out, "true\n") && !*err, "cli true: rc=%d out=%s err=%s", rc, out, err);
    out = run_cli("resource.tags", path, &rc, &err);
    CHECK(rc == 0 && !strcmp(out, "{\"env\":\"prod\",\"owner\":\"sec\"}\n"), "cli map: %s", out);
    out = run_cli("type(now)", NULL, &rc, &err);
    CHECK(rc == 0 && !strcmp(out, "\"google.protobuf.Timestamp\"\n"), "cli now: %s", out);
    out = run_cli("resource", NULL, &rc, &err);
    CHECK(rc == 0 && !strcmp(out, "{}\n"), "cli without input: %s", out);
    out = run_cli("1 + foo", path, &rc, &err);
    CHECK(rc == 2 && !*out && !strcmp(err, "parapet: error: 1:5: undeclared reference to 'foo'\n"),
          "cli compile error: %s", err);
    out = run_cli("resource.data.nope", path, &rc, &err);
    CHECK(rc == 2 && strstr(err, "no such key: nope") && strchr(err, '\n') == err + strlen(err) - 1,
          "cli eval error: %s", err);
    out = run_cli("true", "/nonexistent/x.json", &rc, &err);
    CHECK(rc == 2 && strstr(err, "/nonexistent/x.json"), "cli missing file: %s", err);
    f = fopen(path, "w");
    fputs("{\"a\": [1, 2,", f);
    fclose(f);
    out = run_cli("true", path, &rc, &err);
    CHECK(rc == 2 && strstr(err, "invalid JSON"), "cli bad JSON: %s", err);
    unlink(path);
}

int main(void)
{
    g_env = cel_env_new_policy();
    g_vars = cel_vars_new();
    cJSON *res = cJSON_Parse(RESOURCE_JSON);
    const char *why = NULL;
    if (!g_env || !g_vars || !res || cel_vars_set_json(g_vars, "resource", res, &why) < 0) {
        printf("setup failed: %s\n", why ? why : "?");
        return 1;
    }
    cJSON_Delete(res); /* the vars keep their own copy */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    cel_vars_set_timestamp(g_vars, "now", ts.tv_sec, (int32_t)ts.tv_nsec);

    test_compile_errors();
    test_literals_and_operators();
    test_error_absorption();
    test_resource_binding();
    test_results_as_json();
    test_functions();
    test_extensions();
    test_limits();
    test_evaluator();
    test_threads();
    test_eval_bool();
    test_cli();

    cel_vars_free(g_vars);
    cel_env_free(g_env);
    printf("%d passed, %d failed\n", n_pass, n_fail);
    return n_fail ? 1 : 0;
}
