/*
 * core/cel/cel_env.c - environments, compilation (parse + name resolution),
 * bound variables, evaluation entry point and results.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel_internal.h"

#define MAX_EXT_ARGS 16

struct cel_env {
    char **vars;
    size_t nvars;
    cel_ext_function *fns;
    size_t nfns;
};

struct cel_program {
    cel_arena arena;
    cel_node *root;
    size_t nslots;
    const cel_env *env;
};

typedef struct var_binding {
    char *name;
    size_t name_len;
    cel_value value;
} var_binding;

struct cel_vars {
    cel_arena arena;
    var_binding *b;
    size_t n, cap;
    cel_value_stack stack; /* scratch of cel_vars_set_fields */
};

struct cel_result {
    cel_arena arena;
    cel_value value;
    const char *fatal;
};

/* Functions registered for every environment (start-up only). */
static cel_ext_function *g_fns;
static size_t g_nfns;

void cel_limits_default(cel_limits *l)
{
    l->max_depth = 256;
    l->max_steps = 1000000;
    l->max_list_size = 100000;
    l->max_string_size = 1u << 20;
    l->max_regex_insts = 10000;
    l->max_memory = 64u << 20;
}

/* ---------------------------------------------------------------- names */

static int valid_ident(const char *s, size_t n)
{
    if (n == 0 || n > 128)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
        if (!ok)
            return 0;
    }
    return 1;
}

static int valid_dotted(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > 256)
        return 0;
    const char *p = s;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (!valid_ident(p, n))
            return 0;
        if (!dot)
            return 1;
        p = dot + 1;
    }
}

static const cel_ext_function *find_fn(const cel_ext_function *fns, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(fns[i].name) == len && !memcmp(fns[i].name, name, len))
            return &fns[i];
    return NULL;
}

static int add_fn(cel_ext_function **fns, size_t *n, const char *name, unsigned min_args, unsigned max_args,
                  cel_ext_fn fn, cel_ext_free_fn free_result, void *ud, const char **why)
{
    const char *w = NULL;
    if (!name || !valid_dotted(name))
        w = "function name must be an identifier or dotted identifiers";
    else if (!fn)
        w = "function callback is missing";
    else if (min_args > max_args || max_args > MAX_EXT_ARGS)
        w = "bad function arity (min > max or max > 16)";
    else if (cel_builtin_exists(name, strlen(name)) || cel_type_ident(name, strlen(name)))
        w = "function name is taken by a built-in";
    else if (find_fn(*fns, *n, name, strlen(name)) || find_fn(g_fns, g_nfns, name, strlen(name)))
        w = "function name is already registered";
    if (w) {
        if (why) *why = w;
        return -1;
    }
    cel_ext_function *nf = realloc(*fns, sizeof *nf * (*n + 1));
    if (!nf) {
        if (why) *why = "out of memory";
        return -1;
    }
    *fns = nf;
    char *copy = strdup(name);
    if (!copy) {
        if (why) *why = "out of memory";
        return -1;
    }
    nf[*n] = (cel_ext_function){copy, min_args, max_args, fn, free_result, ud};
    (*n)++;
    return 0;
}

int cel_global_add_function(const char *name, unsigned min_args, unsigned max_args,
                            cel_ext_fn fn, cel_ext_free_fn free_result, void *ud, const char **why)
{
    return add_fn(&g_fns, &g_nfns, name, min_args, max_args, fn, free_result, ud, why);
}

/* ---------------------------------------------------------------- env */

cel_env *cel_env_new(void)
{
    cel_env *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    if (g_nfns) {
        e->fns = calloc(g_nfns, sizeof *e->fns);
        if (!e->fns) {
            free(e);
            return NULL;
        }
        for (size_t i = 0; i < g_nfns; i++) {
            e->fns[i] = g_fns[i];
            if (!(e->fns[i].name = strdup(g_fns[i].name))) {
                cel_env_free(e);
                return NULL;
            }
            e->nfns++;
        }
    }
    return e;
}

cel_env *cel_env_new_policy(void)
{
    cel_env *e = cel_env_new();
    if (!e)
        return NULL;
    if (cel_env_declare(e, "resource", NULL) < 0 || cel_env_declare(e, "now", NULL) < 0) {
        cel_env_free(e);
        return NULL;
    }
    return e;
}

void cel_env_free(cel_env *env)
{
    if (!env)
        return;
    for (size_t i = 0; i < env->nvars; i++)
        free(env->vars[i]);
    free(env->vars);
    for (size_t i = 0; i < env->nfns; i++)
        free(env->fns[i].name);
    free(env->fns);
    free(env);
}

static int env_has_var(const cel_env *env, const char *name, size_t n)
{
    for (size_t i = 0; i < env->nvars; i++)
        if (strlen(env->vars[i]) == n && !memcmp(env->vars[i], name, n))
            return 1;
    return 0;
}

int cel_env_declare(cel_env *env, const char *name, const char **why)
{
    if (!name || !valid_ident(name, strlen(name))) {
        if (why) *why = "variable name must be an identifier";
        return -1;
    }
    if (env_has_var(env, name, strlen(name)))
        return 0;
    char **nv = realloc(env->vars, sizeof *nv * (env->nvars + 1));
    if (!nv) {
        if (why) *why = "out of memory";
        return -1;
    }
    env->vars = nv;
    if (!(nv[env->nvars] = strdup(name))) {
        if (why) *why = "out of memory";
        return -1;
    }
    env->nvars++;
    return 0;
}

int cel_env_add_function(cel_env *env, const char *name, unsigned min_args, unsigned max_args,
                         cel_ext_fn fn, cel_ext_free_fn free_result, void *ud, const char **why)
{
    if (name && find_fn(env->fns, env->nfns, name, strlen(name))) {
        if (why) *why = "function name is already registered";
        return -1;
    }
    return add_fn(&env->fns, &env->nfns, name, min_args, max_args, fn, free_result, ud, why);
}

/* ---------------------------------------------------------------- compile */

typedef struct checker {
    const cel_env *env;
    cel_arena *a;
    const char *scope[CEL_MAX_PARSE_DEPTH + 2];
    size_t scope_len[CEL_MAX_PARSE_DEPTH + 2];
    int nscope;
    size_t max_slots;
    cel_compile_error *err;
    int failed;
} checker;

static void check_fail(checker *c, const cel_node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void check_fail(checker *c, const cel_node *n, const char *fmt, ...)
{
    if (c->failed)
        return;
    c->failed = 1;
    if (!c->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err->message, sizeof c->err->message, fmt, ap);
    va_end(ap);
    c->err->line = n->line;
    c->err->col = n->col;
    snprintf(c->err->text, sizeof c->err->text, "%d:%d: %s", n->line, n->col, c->err->message);
}

static int scope_find(const checker *c, const char *name, size_t n)
{
    for (int i = c->nscope - 1; i >= 0; i--)
        if (c->scope_len[i] == n && !memcmp(c->scope[i], name, n))
            return i;
    return -1;
}

/*
 * If @n is a chain of selections over an identifier that is not a variable
 * in scope (a.b.c), write the dotted name into buf and return its length;
 * else return 0.
 */
static size_t qualified_name(const checker *c, const cel_node *n, char *buf, size_t cap)
{
    if (n->kind == N_IDENT) {
        if (scope_find(c, n->name, n->name_len) >= 0 || env_has_var(c->env, n->name, n->name_len))
            return 0;
        if (n->name_len + 1 > cap)
            return 0;
        memcpy(buf, n->name, n->name_len);
        buf[n->name_len] = '\0';
        return n->name_len;
    }
    if (n->kind == N_SELECT && !n->test_only) {
        size_t l = qualified_name(c, n->args[0], buf, cap);
        if (!l || l + 1 + n->name_len + 1 > cap)
            return 0;
        buf[l] = '.';
        memcpy(buf + l + 1, n->name, n->name_len);
        buf[l + 1 + n->name_len] = '\0';
        return l + 1 + n->name_len;
    }
    return 0;
}

static void resolve(checker *c, cel_node *n);

static void to_type_literal(cel_node *n, const char *type)
{
    n->kind = N_LIT;
    n->lit = cel_type(type);
    n->nargs = 0;
}

static void resolve_call(checker *c, cel_node *n)
{
    char q[300];
    /* namespaced global function written as a member call: ip.isCanonical(x) */
    if (n->has_target) {
        size_t l = qualified_name(c, n->args[0], q, sizeof q - n->name_len - 2);
        if (l) {
            q[l] = '.';
            memcpy(q + l + 1, n->name, n->name_len + 1);
            size_t ql = l + 1 + n->name_len;
            if (cel_builtin_find(q, ql, CEL_FN_GLOBAL) || find_fn(c->env->fns, c->env->nfns, q, ql)) {
                char *nm = cel_arena_strndup(c->a, q, ql);
                if (!nm) { check_fail(c, n, "out of memory"); return; }
                n->name = nm;
                n->name_len = ql;
                n->has_target = 0;
                n->args++;
                n->nargs--;
            } else if (!cel_builtin_find(n->name, n->name_len, CEL_FN_MEMBER)) {
                /* aws.policy.allows_public(...) with no such function: name
                 * the function, not its first word, so a rule that needs a
                 * plugin says which (policy engines set such rules aside) */
                check_fail(c, n, "undeclared function '%s' (no loaded plugin provides it)", q);
                return;
            }
        }
    }
    for (size_t i = 0; i < n->nargs && !c->failed; i++)
        resolve(c, n->args[i]);
    if (c->failed)
        return;
    int style = n->has_target ? CEL_FN_MEMBER : CEL_FN_GLOBAL;
    const cel_builtin *b = cel_builtin_find(n->name, n->name_len, style);
    if (b) {
        if (n->nargs < b->min_args || n->nargs > b->max_args) {
            check_fail(c, n, "found no matching overload for '%s' applied to %zu argument%s", n->name,
                       n->nargs - (size_t)n->has_target, n->nargs - (size_t)n->has_target == 1 ? "" : "s");
            return;
        }
        n->builtin = b;
        /* matches() with a constant pattern: compile the regex once */
        if (!strcmp(n->name, "matches") && n->nargs == 2 && n->args[1]->kind == N_LIT &&
            n->args[1]->lit.kind == CEL_STRING) {
            const char *why;
            cel_limits lim;
            cel_limits_default(&lim);
            n->regex = cel_regex_compile(c->a, n->args[1]->lit.v.s.p, n->args[1]->lit.v.s.n, lim.max_regex_insts, &why);
        }
        return;
    }
    if (!n->has_target) {
        const cel_ext_function *f = find_fn(c->env->fns, c->env->nfns, n->name, n->name_len);
        if (f) {
            if (n->nargs < f->min_args || n->nargs > f->max_args) {
                check_fail(c, n, "found no matching overload for '%s' applied to %zu argument%s", n->name, n->nargs,
                           n->nargs == 1 ? "" : "s");
                return;
            }
            n->ext = f;
            return;
        }
    }
    if (cel_builtin_exists(n->name, n->name_len))
        check_fail(c, n, "found no matching overload for '%s'%s", n->name,
                   n->has_target ? " as a method" : " as a global function");
    else
        check_fail(c, n, "undeclared reference to '%s'", n->name);
}

static void resolve(checker *c, cel_node *n)
{
    if (c->failed)
        return;
    char q[300];
    switch (n->kind) {
    case N_LIT:
    case N_ITERVAR:
        return;
    case N_IDENT: {
        int s = scope_find(c, n->name, n->name_len);
        if (s >= 0) {
            n->kind = N_ITERVAR;
            n->slot = s;
            return;
        }
        if (env_has_var(c->env, n->name, n->name_len))
            return;
        const char *t = cel_type_ident(n->name, n->name_len);
        if (t) {
            to_type_literal(n, t);
            return;
        }
        check_fail(c, n, "undeclared reference to '%s'", n->name);
        return;
    }
    case N_SELECT: {
        if (!n->test_only) {
            size_t l = qualified_name(c, n, q, sizeof q);
            const char *t = l ? cel_type_ident(q, l) : NULL;
            if (t) {
                to_type_literal(n, t);
                return;
            }
        }
        resolve(c, n->args[0]);
        return;
    }
    case N_CALL:
        resolve_call(c, n);
        return;
    case N_MACRO: {
        resolve(c, n->args[0]);
        if (c->nscope + 2 > CEL_MAX_PARSE_DEPTH) {
            check_fail(c, n, "macros nested too deeply");
            return;
        }
        int nvars = n->name2 ? 2 : 1;
        n->slot = c->nscope;
        c->scope[c->nscope] = n->name;
        c->scope_len[c->nscope] = n->name_len;
        if (n->name2) {
            c->scope[c->nscope + 1] = n->name2;
            c->scope_len[c->nscope + 1] = n->name2_len;
        }
        c->nscope += nvars;
        if ((size_t)c->nscope > c->max_slots)
            c->max_slots = (size_t)c->nscope;
        for (size_t i = 1; i < n->nargs; i++)
            resolve(c, n->args[i]);
        c->nscope -= nvars;
        return;
    }
    default:
        for (size_t i = 0; i < n->nargs; i++)
            resolve(c, n->args[i]);
        return;
    }
}

cel_program *cel_compile(const cel_env *env, const char *expr, cel_compile_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
    cel_program *p = calloc(1, sizeof *p);
    if (!p) {
        if (err) {
            snprintf(err->message, sizeof err->message, "out of memory");
            snprintf(err->text, sizeof err->text, "out of memory");
        }
        return NULL;
    }
    cel_arena_init(&p->arena, 0);
    p->env = env;
    if (!expr)
        expr = "";
    char perr[256] = "";
    cel_parse_opts o = {CEL_MAX_PARSE_DEPTH, CEL_MAX_EXPR_LEN};
    p->root = cel_parse(&p->arena, expr, &o, perr, sizeof perr);
    if (!p->root) {
        if (err) {
            int line = 0, col = 0, off = 0;
            if (sscanf(perr, "%d:%d: %n", &line, &col, &off) == 2 && off > 0) {
                err->line = line;
                err->col = col;
                snprintf(err->message, sizeof err->message, "%s", perr + off);
            } else {
                snprintf(err->message, sizeof err->message, "%s", perr);
            }
            snprintf(err->text, sizeof err->text, "%s", perr);
        }
        cel_program_free(p);
        return NULL;
    }
    checker *c = calloc(1, sizeof *c);
    if (!c) {
        cel_program_free(p);
        return NULL;
    }
    c->env = env;
    c->a = &p->arena;
    c->err = err;
    resolve(c, p->root);
    int failed = c->failed;
    p->nslots = c->max_slots;
    free(c);
    if (failed) {
        cel_program_free(p);
        return NULL;
    }
    return p;
}

void cel_program_free(cel_program *p)
{
    if (!p)
        return;
    cel_arena_free(&p->arena);
    free(p);
}

/* ---------------------------------------------------------------- vars */

cel_vars *cel_vars_new(void)
{
    cel_vars *v = calloc(1, sizeof *v);
    if (v)
        cel_arena_init(&v->arena, 0);
    return v;
}

void cel_vars_free(cel_vars *vars)
{
    if (!vars)
        return;
    cel_arena_free(&vars->arena);
    free(vars->b);
    free(vars->stack.v);
    free(vars);
}

/* A reset keeps at most this much of the bound values' memory. */
#define VARS_KEEP_MAX (256u * 1024)

void cel_vars_reset(cel_vars *vars)
{
    if (!vars)
        return;
    cel_arena_reset(&vars->arena, VARS_KEEP_MAX);
    vars->n = 0;
    vars->stack.n = 0;
    if (vars->stack.cap > 4096) { /* a huge document's scratch is not kept */
        free(vars->stack.v);
        vars->stack.v = NULL;
        vars->stack.cap = 0;
    }
}

const cel_value *cel_vars_lookup(const cel_vars *vars, const char *name, size_t n)
{
    if (!vars)
        return NULL;
    for (size_t i = vars->n; i-- > 0;)
        if (vars->b[i].name_len == n && !memcmp(vars->b[i].name, name, n))
            return &vars->b[i].value;
    return NULL;
}

static int bind(cel_vars *vars, const char *name, cel_value v)
{
    for (size_t i = 0; i < vars->n; i++)
        if (!strcmp(vars->b[i].name, name)) {
            vars->b[i].value = v;
            return 0;
        }
    if (vars->n == vars->cap) {
        size_t cap = vars->cap ? vars->cap * 2 : 4;
        var_binding *nb = realloc(vars->b, sizeof *nb * cap);
        if (!nb)
            return -1;
        vars->b = nb;
        vars->cap = cap;
    }
    size_t nlen = strlen(name);
    char *nm = cel_arena_strndup(&vars->arena, name, nlen);
    if (!nm)
        return -1;
    vars->b[vars->n].name = nm;
    vars->b[vars->n].name_len = nlen;
    vars->b[vars->n].value = v;
    vars->n++;
    return 0;
}

int cel_vars_set_json(cel_vars *vars, const char *name, const cJSON *value, const char **why)
{
    if (!vars || !name || !value) {
        if (why) *why = "missing argument";
        return -1;
    }
    cel_value v;
    const char *w = NULL;
    if (cel_value_from_json(&vars->arena, value, CEL_MAX_JSON_DEPTH, &v, &w) < 0) {
        if (why) *why = w;
        return -1;
    }
    if (bind(vars, name, v) < 0) {
        if (why) *why = "out of memory";
        return -1;
    }
    return 0;
}

/* Nesting the text reader takes; deeper documents take the cJSON path. */
#define FIELDS_TEXT_MAX_DEPTH 64

int cel_vars_set_fields(cel_vars *vars, const char *name, const cel_field *fields, size_t n)
{
    if (!vars || !name || (n && !fields))
        return -1;
    cel_arena *a = &vars->arena;
    cel_value *keys = cel_arena_alloc(a, sizeof(cel_value) * (n ? n : 1));
    cel_value *vals = cel_arena_alloc(a, sizeof(cel_value) * (n ? n : 1));
    cel_map *m = cel_arena_alloc(a, sizeof *m);
    if (!keys || !vals || !m)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const cel_field *f = &fields[i];
        size_t kn = strlen(f->name);
        const char *k = cel_arena_strndup(a, f->name, kn);
        if (!k)
            return -1;
        keys[i] = cel_string(k, kn);
        if (f->kind == CEL_FIELD_NULL || (f->kind == CEL_FIELD_STRING && !f->text)) {
            vals[i] = cel_null();
        } else if (f->kind == CEL_FIELD_STRING) {
            size_t sn = strlen(f->text);
            const char *sp = cel_arena_strndup(a, f->text, sn);
            if (!sp)
                return -1;
            vals[i] = cel_string(sp, sn);
        } else if (!f->text) {
            cel_map *e = cel_arena_alloc(a, sizeof *e);
            cel_value *slot = cel_arena_alloc(a, sizeof(cel_value) * 2);
            if (!e || !slot)
                return -1;
            e->keys = slot;
            e->vals = slot + 1;
            vals[i].kind = CEL_MAP;
            vals[i].v.map = e;
        } else {
            int rc = cel_value_from_json_text(a, f->text, strlen(f->text), FIELDS_TEXT_MAX_DEPTH, &vars->stack,
                                              &vals[i]);
            if (rc != 0)
                return rc;
        }
    }
    m->n = n;
    m->keys = keys;
    m->vals = vals;
    cel_value v;
    v.kind = CEL_MAP;
    v.v.map = m;
    return bind(vars, name, v) == 0 ? 0 : -1;
}

int cel_vars_set_timestamp(cel_vars *vars, const char *name, int64_t unix_sec, int32_t nanos)
{
    if (!vars || !name || nanos < 0 || nanos > 999999999 || unix_sec < CEL_TS_MIN_SEC || unix_sec > CEL_TS_MAX_SEC)
        return -1;
    return bind(vars, name, cel_timestamp(unix_sec, nanos));
}

int cel_vars_set_value(cel_vars *vars, const char *name, const cel_value *v)
{
    cel_value c = cel_value_copy(&vars->arena, v);
    return bind(vars, name, c);
}

/* ---------------------------------------------------------------- eval */

static void fill_limits(cel_limits *dst, const cel_limits *src)
{
    cel_limits d;
    cel_limits_default(&d);
    *dst = d;
    if (!src)
        return;
    if (src->max_depth > 0) dst->max_depth = src->max_depth;
    if (src->max_steps) dst->max_steps = src->max_steps;
    if (src->max_list_size) dst->max_list_size = src->max_list_size;
    if (src->max_string_size) dst->max_string_size = src->max_string_size;
    if (src->max_regex_insts) dst->max_regex_insts = src->max_regex_insts;
    if (src->max_memory) dst->max_memory = src->max_memory;
}

/* Evaluate @p in @ctx, whose arena is ready (empty or reset). The value
 * (and *fatal, when a limit stopped the evaluation) is stored in @r; the
 * value's data lives in ctx->arena. */
static void run_program(cel_eval_ctx *ctx, const cel_program *p, const cel_vars *vars, const cel_limits *limits,
                        cel_result *r)
{
    fill_limits(&ctx->limits, limits);
    ctx->arena.limit = ctx->limits.max_memory;
    ctx->vars = vars;
    ctx->fatal = NULL;
    ctx->pending_json = NULL;
    ctx->pending_text = NULL;
    ctx->pending_ext = NULL;
    ctx->steps = 0;
    ctx->depth = 0;
    ctx->arena.jb = &ctx->jb;
    r->fatal = NULL;
    if (setjmp(ctx->jb) == 0) {
        ctx->nslots = p->nslots;
        ctx->slots = cel_arena_alloc(&ctx->arena, sizeof(cel_value) * (p->nslots ? p->nslots : 1));
        r->value = cel_eval_node(ctx, p->root);
    } else {
        /* a limit was hit: release what an extension call had in flight */
        if (ctx->pending_json)
            cJSON_Delete(ctx->pending_json);
        if (ctx->pending_text) {
            if (ctx->pending_ext && ctx->pending_ext->free_result)
                ctx->pending_ext->free_result(ctx->pending_ext->ud, ctx->pending_text);
            else
                free(ctx->pending_text);
        }
        r->fatal = ctx->fatal ? ctx->fatal : "memory limit exceeded";
        r->value = cel_error_static(r->fatal);
    }
    ctx->arena.jb = NULL;
}

cel_result *cel_eval(const cel_program *p, const cel_vars *vars, const cel_limits *limits)
{
    cel_result *r = calloc(1, sizeof *r);
    cel_eval_ctx *ctx = calloc(1, sizeof *ctx);
    if (!r || !ctx) {
        free(r);
        free(ctx);
        return NULL;
    }
    cel_arena_init(&ctx->arena, 0);
    run_program(ctx, p, vars, limits, r);
    r->arena = ctx->arena;
    free(ctx);
    return r;
}

/* ---------------------------------------------------------------- evaluator */

/* An evaluation that used more than this keeps none of its memory. */
#define EVALUATOR_KEEP_MAX (64u * 1024)

struct cel_evaluator {
    cel_eval_ctx ctx;
    cel_result result; /* result.arena unused: the value lives in ctx.arena */
    char why[300];     /* cel_evaluator_bool's message */
};

cel_evaluator *cel_evaluator_new(void)
{
    cel_evaluator *ev = calloc(1, sizeof *ev);
    if (ev)
        cel_arena_init(&ev->ctx.arena, 0);
    return ev;
}

void cel_evaluator_free(cel_evaluator *ev)
{
    if (!ev)
        return;
    cel_arena_free(&ev->ctx.arena);
    free(ev);
}

const cel_result *cel_evaluator_run(cel_evaluator *ev, const cel_program *p, const cel_vars *vars,
                                    const cel_limits *limits)
{
    cel_arena_reset(&ev->ctx.arena, EVALUATOR_KEEP_MAX);
    run_program(&ev->ctx, p, vars, limits, &ev->result);
    return &ev->result;
}

int cel_evaluator_bool(cel_evaluator *ev, const cel_program *p, const cel_vars *vars, const cel_limits *limits,
                       int *out, const char **err)
{
    const cel_result *r = cel_evaluator_run(ev, p, vars, limits);
    if (cel_result_bool(r, out) == 0)
        return 0;
    const char *e = cel_result_error(r);
    if (!e) {
        snprintf(ev->why, sizeof ev->why, "condition gave a %s, not a bool", cel_result_type(r));
        e = ev->why;
    }
    if (err)
        *err = e;
    return -1;
}

void cel_result_free(cel_result *r)
{
    if (!r)
        return;
    cel_arena_free(&r->arena);
    free(r);
}

const char *cel_result_error(const cel_result *r)
{
    return r->value.kind == CEL_ERROR ? r->value.v.err : NULL;
}

int cel_result_bool(const cel_result *r, int *out)
{
    if (r->value.kind != CEL_BOOL)
        return -1;
    *out = r->value.v.b;
    return 0;
}

const char *cel_result_type(const cel_result *r)
{
    return cel_type_name(&r->value);
}

const cel_value *cel_result_value(const cel_result *r)
{
    return &r->value;
}

char *cel_result_json(const cel_result *r, int pretty)
{
    if (r->value.kind == CEL_ERROR)
        return NULL;
    /* scalars directly: the same text cJSON prints for them (ints are raw
     * digits there too), without building and printing a tree */
    char buf[32];
    switch (r->value.kind) {
    case CEL_NULL:
        return strdup("null");
    case CEL_BOOL:
        return strdup(r->value.v.b ? "true" : "false");
    case CEL_INT:
    case CEL_UINT: {
        /* digits by hand: the same text as %lld / %llu, without printf */
        int neg = r->value.kind == CEL_INT && r->value.v.i < 0;
        uint64_t u = r->value.kind == CEL_UINT ? r->value.v.u
                     : neg                     ? (uint64_t)0 - (uint64_t)r->value.v.i
                                               : (uint64_t)r->value.v.i;
        char *e = buf + sizeof buf - 1, *p = e;
        *p = '\0';
        do {
            *--p = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        if (neg)
            *--p = '-';
        return strdup(p);
    }
    default:
        break;
    }
    cJSON *j = cel_value_to_json(&r->value);
    if (!j)
        return NULL;
    char *s = pretty ? cJSON_Print(j) : cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

int cel_eval_bool(const cel_program *p, const cel_vars *vars, const cel_limits *limits, int *out, char **err)
{
    if (err)
        *err = NULL;
    cel_result *r = cel_eval(p, vars, limits);
    if (!r)
        return -1;
    int rc = cel_result_bool(r, out);
    if (rc < 0 && err) {
        const char *e = cel_result_error(r);
        char buf[300];
        if (!e) {
            snprintf(buf, sizeof buf, "condition gave a %s, not a bool", cel_result_type(r));
            e = buf;
        }
        *err = strdup(e);
    }
    cel_result_free(r);
    return rc;
}
