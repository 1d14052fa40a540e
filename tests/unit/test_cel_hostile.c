/*
 * tests/unit/test_cel_hostile.c - hostile input must give clear errors and
 * never crash, hang or overflow the stack.
 *
 * 1. Replays every .cel file of tests/cel/hostile/ (the small fuzz corpus)
 *    as an expression with tight limits, and checks the outcome listed in
 *    tests/cel/hostile/expected.txt.
 * 2. Generated monsters: 100000 nested parentheses, long operator chains,
 *    deep lists, oversized text, deeply nested bound JSON (10,000 levels).
 * Prints "N passed, N failed".
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static cel_env *env;
static cel_vars *vars;

/* Compile and evaluate; returns 1 if anything (program or result) was an error. Never crashes. */
static int run(const char *expr, char *msg, size_t msglen)
{
    cel_compile_error e;
    cel_program *p = cel_compile(env, expr, &e);
    if (!p) {
        snprintf(msg, msglen, "%s", e.text);
        return 1;
    }
    cel_limits lim = {0};
    lim.max_steps = 200000;
    lim.max_memory = 16u << 20;
    cel_result *r = cel_eval(p, vars, &lim);
    int err = 0;
    if (!r) {
        snprintf(msg, msglen, "out of memory");
        err = 1;
    } else if (cel_result_error(r)) {
        snprintf(msg, msglen, "%s", cel_result_error(r));
        err = 1;
    } else {
        char *j = cel_result_json(r, 0);
        snprintf(msg, msglen, "%.200s", j ? j : "(no json)");
        free(j);
    }
    cel_result_free(r);
    cel_program_free(p);
    return err;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = malloc(1 << 20);
    size_t n = b ? fread(b, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (b)
        b[n] = '\0';
    *len = n;
    return b;
}

/*
 * expected.txt has one line per corpus file: NAME<TAB>error:SUBSTRING or
 * NAME<TAB>value:JSON. Every file of the corpus must be listed.
 */
static const char *lookup_expected(char *table, const char *name)
{
    static char line[1024];
    const char *p = table;
    size_t nl = strlen(name);
    while (p && *p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > nl && !strncmp(p, name, nl) && p[nl] == '\t' && len < sizeof line) {
            memcpy(line, p + nl + 1, len - nl - 1);
            line[len - nl - 1] = '\0';
            return line;
        }
        p = eol ? eol + 1 : NULL;
    }
    return NULL;
}

static void replay_corpus(void)
{
    const char *dir = CEL_TESTDATA_DIR "/hostile";
    size_t tlen;
    char *table = slurp(CEL_TESTDATA_DIR "/hostile/expected.txt", &tlen);
    CHECK(table != NULL, "cannot read %s/expected.txt", dir);
    DIR *d = opendir(dir);
    CHECK(d != NULL, "cannot open %s", dir);
    if (!d || !table) {
        free(table);
        if (d)
            closedir(d);
        return;
    }
    struct dirent *de;
    int files = 0;
    while ((de = readdir(d))) {
        size_t nl = strlen(de->d_name);
        if (nl < 5 || strcmp(de->d_name + nl - 4, ".cel"))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        size_t len;
        char *text = slurp(path, &len);
        if (!text)
            continue;
        files++;
        const char *want = lookup_expected(table, de->d_name);
        char msg[512] = "";
        clock_t t0 = clock();
        int err = run(text, msg, sizeof msg);
        double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
        CHECK(want != NULL, "%s is not listed in expected.txt (outcome %s:%s)", de->d_name, err ? "error" : "value",
              msg);
        if (want && !strncmp(want, "error:", 6))
            CHECK(err && strstr(msg, want + 6), "%s: want error containing '%s', got '%s'", de->d_name, want + 6, msg);
        else if (want)
            CHECK(!err && !strcmp(msg, want + 6), "%s: want %s, got '%s'", de->d_name, want, msg);
        CHECK(secs < 5, "%s took %.1fs", de->d_name, secs);
        free(text);
    }
    closedir(d);
    free(table);
    CHECK(files >= 30, "only %d corpus files", files);
}

static char *repeat(const char *pre, int n, const char *mid, const char *post)
{
    size_t lp = strlen(pre), lm = strlen(mid), lq = strlen(post);
    char *s = malloc(lp * (size_t)n + lm + lq * (size_t)n + 1);
    size_t o = 0;
    for (int i = 0; i < n; i++, o += lp)
        memcpy(s + o, pre, lp);
    memcpy(s + o, mid, lm);
    o += lm;
    for (int i = 0; i < n; i++, o += lq)
        memcpy(s + o, post, lq);
    s[o] = '\0';
    return s;
}

static void expect_error(const char *label, char *expr, const char *needle)
{
    char msg[512] = "";
    int err = run(expr, msg, sizeof msg);
    CHECK(err && strstr(msg, needle), "%s: want error containing '%s', got '%s'", label, needle, msg);
    free(expr);
}

static void generated(void)
{
    expect_error("100000 nested parens", repeat("(", 100000, "1", ")"), "nested too deeply");
    expect_error("100000 open parens", repeat("(", 100000, "", ""), "nested too deeply");
    expect_error("100000 nested lists", repeat("[", 100000, "1", "]"), "nested too deeply");
    expect_error("100000 nested maps", repeat("{1:", 100000, "1", "}"), "nested too deeply");
    expect_error("100000 negations", repeat("!", 100000, "true", ""), "nested too deeply");
    expect_error("100000 minus signs", repeat("-", 100000, "1", ""), "nested too deeply");
    expect_error("long + chain", repeat("1 + ", 20000, "1", ""), "nested too deeply");
    expect_error("long && chain", repeat("true && ", 20000, "true", ""), "nested too deeply");
    expect_error("nested calls", repeat("size(", 100000, "'a'", ")"), "nested too deeply");
    expect_error("nested ternary", repeat("true ? 1 : ", 50000, "2", ""), "nested too deeply");
    expect_error("nested index", repeat("[", 1, "", ""), "syntax error");
    expect_error("long text", repeat("1+", 600000, "1", ""), "too long");
    expect_error("long string literal", repeat("", 1, "'", ""), "unterminated");

    /* a 200-level expression is fine */
    char msg[256];
    char *ok = repeat("(", 200, "1", ")");
    CHECK(!run(ok, msg, sizeof msg) && !strcmp(msg, "1"), "200 parens: %s", msg);
    free(ok);

    /* a bound JSON document 10,000 levels deep */
    char *deep = repeat("[", 10000, "1", "]");
    cJSON *doc = cJSON_Parse(deep);
    CHECK(doc == NULL, "cJSON refuses 10,000 levels (its own limit is %d)", CJSON_NESTING_LIMIT);
    cJSON_Delete(doc);
    free(deep);
    /* built by hand, past cJSON's parser limit */
    cJSON *root = cJSON_CreateArray(), *cur = root;
    for (int i = 0; i < 10000; i++) {
        cJSON *c = cJSON_CreateArray();
        cJSON_AddItemToArray(cur, c);
        cur = c;
    }
    cel_vars *v = cel_vars_new();
    const char *why = NULL;
    CHECK(cel_vars_set_json(v, "resource", root, &why) == -1 && why && strstr(why, "nested"), "deep JSON refused: %s",
          why ? why : "(accepted)");
    /* 400 levels is accepted and usable */
    cJSON *mid = cJSON_CreateArray();
    cur = mid;
    for (int i = 0; i < 400; i++) {
        cJSON *c = cJSON_CreateArray();
        cJSON_AddItemToArray(cur, c);
        cur = c;
    }
    CHECK(cel_vars_set_json(v, "resource", mid, &why) == 0, "400 levels: %s", why ? why : "");
    cel_compile_error e;
    cel_program *p = cel_compile(env, "resource == resource && size(resource) == 1", &e);
    cel_result *r = cel_eval(p, v, NULL);
    int b = 0;
    CHECK(cel_result_bool(r, &b) == 0 && b, "deep equality works");
    char *j = cel_result_json(r, 0);
    CHECK(j && !strcmp(j, "true"), "json %s", j ? j : "");
    free(j);
    cel_result_free(r);
    cel_program_free(p);
    cJSON_Delete(mid);
    cJSON_Delete(root);
    cel_vars_free(v);

    /* CLI with a file nested deeper than cJSON accepts */
    char path[] = "/tmp/test_cel_deep_XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0) {
        FILE *f = fdopen(fd, "w");
        deep = repeat("{\"a\":", 10000, "1", "}");
        fputs(deep, f);
        free(deep);
        fclose(f);
        FILE *out = tmpfile(), *err = tmpfile();
        int rc = cel_cli_eval("true", path, out, err);
        char ebuf[512] = "";
        rewind(err);
        size_t n = fread(ebuf, 1, sizeof ebuf - 1, err);
        ebuf[n] = '\0';
        CHECK(rc == 2 && strstr(ebuf, "nested deeper") && strstr(ebuf, path), "cli deep json: rc=%d %s", rc, ebuf);
        fclose(out);
        fclose(err);
        remove(path);
    }
}

int main(void)
{
    env = cel_env_new_policy();
    vars = cel_vars_new();
    cJSON *res = cJSON_Parse("{\"data\":{\"a\":{\"b\":1}},\"tags\":{}}");
    cel_vars_set_json(vars, "resource", res, NULL);
    cJSON_Delete(res);
    cel_vars_set_timestamp(vars, "now", 1234567890, 0);
    replay_corpus();
    generated();
    cel_vars_free(vars);
    cel_env_free(env);
    printf("%d passed, %d failed\n", n_pass, n_fail);
    return n_fail ? 1 : 0;
}
