/*
 * tests/unit/test_cel_conformance.c - run the cel-spec conformance cases
 * converted into the JSON files of tests/cel/ (see tests/cel/SOURCE and convert.py).
 *
 * Every case not marked "skip" must pass. Prints one line per failure and
 * the counts "N passed, N failed, N skipped". Usage:
 *   test_cel_conformance [DIR] [FILTER]   FILTER: substring of "file/section/name"
 * Set CEL_CONFORMANCE_VERBOSE=1 to list the skipped cases with reasons.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel_internal.h"

static int n_pass, n_fail, n_skip;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    if (b)
        b[n] = '\0';
    fclose(f);
    return b;
}

static int b64val(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

static size_t b64decode(const char *s, char *out)
{
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (; *s; s++) {
        int v = b64val((unsigned char)*s);
        if (v < 0)
            continue;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)((acc >> bits) & 0xff);
        }
    }
    return o;
}

/* TAGGED json -> value in @a. Returns 0 or -1. */
static int tagged(cel_arena *a, const cJSON *j, cel_value *out)
{
    const cJSON *c = j ? j->child : NULL;
    if (!c || !c->string)
        return -1;
    const char *k = c->string;
    if (!strcmp(k, "null")) {
        *out = cel_null();
        return 0;
    }
    if (!strcmp(k, "bool")) {
        *out = cel_bool(cJSON_IsTrue(c));
        return 0;
    }
    if (!strcmp(k, "int")) {
        *out = cel_int(strtoll(c->valuestring, NULL, 10));
        return 0;
    }
    if (!strcmp(k, "uint")) {
        *out = cel_uint(strtoull(c->valuestring, NULL, 10));
        return 0;
    }
    if (!strcmp(k, "double")) {
        if (cJSON_IsString(c))
            *out = cel_double(!strcmp(c->valuestring, "NaN")        ? NAN
                              : !strcmp(c->valuestring, "Infinity") ? INFINITY
                                                                    : -INFINITY);
        else
            *out = cel_double(c->valuedouble);
        return 0;
    }
    if (!strcmp(k, "string")) {
        size_t n = strlen(c->valuestring);
        *out = cel_string(cel_arena_strndup(a, c->valuestring, n), n);
        return 0;
    }
    if (!strcmp(k, "bytes") || !strcmp(k, "string_b64")) {
        char *buf = cel_arena_alloc(a, strlen(c->valuestring) + 1);
        size_t n = b64decode(c->valuestring, buf);
        *out = !strcmp(k, "bytes") ? cel_bytes(buf, n) : cel_string(buf, n);
        return 0;
    }
    if (!strcmp(k, "type")) {
        *out = cel_type(cel_arena_strndup(a, c->valuestring, strlen(c->valuestring)));
        return 0;
    }
    if (!strcmp(k, "duration")) {
        *out = cel_duration(strtoll(c->valuestring, NULL, 10));
        return 0;
    }
    if (!strcmp(k, "timestamp")) {
        *out = cel_timestamp(strtoll(cJSON_GetArrayItem(c, 0)->valuestring, NULL, 10),
                             (int32_t)cJSON_GetArrayItem(c, 1)->valueint);
        return 0;
    }
    if (!strcmp(k, "list")) {
        cel_list *l = cel_arena_alloc(a, sizeof *l);
        int n = cJSON_GetArraySize(c);
        l->items = cel_arena_alloc(a, sizeof(cel_value) * (size_t)(n ? n : 1));
        for (const cJSON *e = c->child; e; e = e->next)
            if (tagged(a, e, &l->items[l->n++]) < 0)
                return -1;
        out->kind = CEL_LIST;
        out->v.list = l;
        return 0;
    }
    if (!strcmp(k, "map")) {
        cel_map *m = cel_arena_alloc(a, sizeof *m);
        int n = cJSON_GetArraySize(c);
        m->keys = cel_arena_alloc(a, sizeof(cel_value) * (size_t)(n ? n : 1));
        m->vals = cel_arena_alloc(a, sizeof(cel_value) * (size_t)(n ? n : 1));
        for (const cJSON *e = c->child; e; e = e->next) {
            if (tagged(a, cJSON_GetArrayItem(e, 0), &m->keys[m->n]) < 0 ||
                tagged(a, cJSON_GetArrayItem(e, 1), &m->vals[m->n]) < 0)
                return -1;
            m->n++;
        }
        out->kind = CEL_MAP;
        out->v.map = m;
        return 0;
    }
    return -1;
}

/* Same type and value (int and uint differ; NaN equals NaN). */
static int strict_equal(const cel_value *x, const cel_value *y)
{
    if (x->kind != y->kind)
        return 0;
    switch (x->kind) {
    case CEL_DOUBLE:
        if (isnan(x->v.d) && isnan(y->v.d))
            return 1;
        return x->v.d == y->v.d && signbit(x->v.d) == signbit(y->v.d);
    case CEL_LIST:
        if (x->v.list->n != y->v.list->n)
            return 0;
        for (size_t i = 0; i < x->v.list->n; i++)
            if (!strict_equal(&x->v.list->items[i], &y->v.list->items[i]))
                return 0;
        return 1;
    case CEL_MAP:
        if (x->v.map->n != y->v.map->n)
            return 0;
        for (size_t i = 0; i < x->v.map->n; i++) {
            const cel_value *o = cel_map_find(y->v.map, &x->v.map->keys[i]);
            if (!o || !strict_equal(&x->v.map->vals[i], o))
                return 0;
        }
        return 1;
    default:
        return cel_value_equal(x, y);
    }
}

static void describe(const cel_value *v, char *buf, size_t n)
{
    if (v->kind == CEL_ERROR) {
        snprintf(buf, n, "error(%s)", v->v.err);
        return;
    }
    cJSON *j = cel_value_to_json(v);
    char *s = j ? cJSON_PrintUnformatted(j) : NULL;
    snprintf(buf, n, "%s %s", cel_type_name(v), s ? s : "?");
    free(s);
    cJSON_Delete(j);
}

static void run_case(const char *file, const cJSON *t, const char *filter, int verbose)
{
    const char *section = cJSON_GetStringValue(cJSON_GetObjectItem(t, "section"));
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(t, "name"));
    const char *expr = cJSON_GetStringValue(cJSON_GetObjectItem(t, "expr"));
    char id[512];
    snprintf(id, sizeof id, "%s/%s/%s", file, section, name);
    if (filter && !strstr(id, filter))
        return;
    const cJSON *skip = cJSON_GetObjectItem(t, "skip");
    if (skip) {
        n_skip++;
        if (verbose)
            printf("SKIP %s: %s\n", id, skip->valuestring);
        return;
    }
    cel_arena a;
    cel_arena_init(&a, 0);
    cel_env *env = cel_env_new();
    cel_vars *vars = cel_vars_new();
    const cJSON *decl = cJSON_GetObjectItem(t, "declare");
    for (const cJSON *d = decl ? decl->child : NULL; d; d = d->next)
        cel_env_declare(env, d->valuestring, NULL);
    const cJSON *binds = cJSON_GetObjectItem(t, "bindings");
    for (const cJSON *b = binds ? binds->child : NULL; b; b = b->next) {
        cel_value v;
        if (tagged(&a, b, &v) == 0)
            cel_vars_set_value(vars, b->string, &v);
    }
    const cJSON *expect = cJSON_GetObjectItem(t, "expect");
    const cJSON *want_val = cJSON_GetObjectItem(expect, "value");
    int ok = 0;
    char got[600] = "", want[600] = "";
    cel_compile_error cerr;
    cel_program *p = cel_compile(env, expr, &cerr);
    if (!p) {
        snprintf(got, sizeof got, "compile error: %s", cerr.text);
        ok = !want_val; /* an expected error may show at compile time */
    } else {
        cel_result *r = cel_eval(p, vars, NULL);
        const cel_value *v = cel_result_value(r);
        describe(v, got, sizeof got);
        if (want_val) {
            cel_value w;
            if (tagged(&a, want_val, &w) == 0) {
                ok = strict_equal(v, &w);
                describe(&w, want, sizeof want);
            }
        } else {
            ok = v->kind == CEL_ERROR;
        }
        cel_result_free(r);
        cel_program_free(p);
    }
    if (!want_val)
        snprintf(want, sizeof want, "error(%s)", cJSON_GetStringValue(cJSON_GetObjectItem(expect, "error")));
    if (ok) {
        n_pass++;
    } else {
        n_fail++;
        printf("FAIL %s\n  expr: %s\n  want: %s\n  got:  %s\n", id, expr, want, got);
    }
    cel_vars_free(vars);
    cel_env_free(env);
    cel_arena_free(&a);
}

static int cmpstr(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : CEL_TESTDATA_DIR;
    const char *filter = argc > 2 ? argv[2] : NULL;
    int verbose = getenv("CEL_CONFORMANCE_VERBOSE") != NULL;
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "cannot open %s\n", dir);
        return 1;
    }
    char *names[256];
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(d)) && nn < 256) {
        size_t l = strlen(e->d_name);
        if (l > 5 && !strcmp(e->d_name + l - 5, ".json"))
            names[nn++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, nn, sizeof *names, cmpstr);
    for (size_t i = 0; i < nn; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        char *text = slurp(path);
        cJSON *doc = text ? cJSON_Parse(text) : NULL;
        if (!doc) {
            printf("FAIL cannot read %s\n", path);
            n_fail++;
        } else {
            int p0 = n_pass, f0 = n_fail, s0 = n_skip;
            const char *fname = cJSON_GetStringValue(cJSON_GetObjectItem(doc, "name"));
            const cJSON *tests = cJSON_GetObjectItem(doc, "tests");
            for (const cJSON *t = tests ? tests->child : NULL; t; t = t->next)
                run_case(fname, t, filter, verbose);
            printf("%-16s %4d passed, %3d failed, %3d skipped\n", fname, n_pass - p0, n_fail - f0, n_skip - s0);
        }
        cJSON_Delete(doc);
        free(text);
        free(names[i]);
    }
    if (n_pass + n_fail == 0) {
        printf("no conformance case ran\n");
        return 1;
    }
    printf("%d passed, %d failed, %d skipped\n", n_pass, n_fail, n_skip);
    return n_fail ? 1 : 0;
}
