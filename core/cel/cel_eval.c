/*
 * core/cel/cel_eval.c - the tree-walking evaluator.
 *
 * Errors are values (kind CEL_ERROR) that flow up the tree; && and || and
 * the all/exists macros absorb them as cel-spec says. Exceeding a limit is
 * not a value: it jumps out of the whole evaluation (cel_eval_fatal), so
 * nothing can absorb it.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel_internal.h"

_Noreturn void cel_eval_fatal(cel_eval_ctx *ctx, const char *msg)
{
    ctx->fatal = msg;
    longjmp(ctx->jb, 1);
}

void cel_check_string_size(cel_eval_ctx *ctx, size_t n)
{
    if (n > ctx->limits.max_string_size)
        cel_eval_fatal(ctx, "string size limit exceeded");
}

void cel_check_list_size(cel_eval_ctx *ctx, size_t n)
{
    if (n > ctx->limits.max_list_size)
        cel_eval_fatal(ctx, "list size limit exceeded");
}

cel_value cel_no_overload(cel_eval_ctx *ctx, const char *fn, const cel_value *args, size_t n)
{
    char buf[256];
    size_t o = (size_t)snprintf(buf, sizeof buf, "no such overload: %s(", fn);
    for (size_t i = 0; i < n && o < sizeof buf; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i ? ", " : "", cel_type_name(&args[i]));
    if (o < sizeof buf)
        snprintf(buf + o, sizeof buf - o, ")");
    return cel_errorf(&ctx->arena, "%s", buf);
}

static const char *op_name(cel_binop op)
{
    static const char *const names[] = {"_+_",  "_-_", "_*_",  "_/_", "_%_",  "_==_",
                                        "_!=_", "_<_", "_<=_", "_>_", "_>=_", "@in"};
    return names[op];
}

/* ---------------------------------------------------------------- arithmetic */

static cel_value overflow(void)
{
    return cel_error_static("return error for overflow");
}

static cel_value ts_add_ns(int64_t sec, int32_t nsec, int64_t ns)
{
    int64_t dsec = ns / 1000000000, dn = ns % 1000000000;
    int64_t s = sec + dsec; /* |sec| < 2^38 and |dsec| < 2^34: no overflow */
    int64_t n = nsec + dn;
    if (n < 0) {
        n += 1000000000;
        s--;
    }
    if (n >= 1000000000) {
        n -= 1000000000;
        s++;
    }
    if (s < CEL_TS_MIN_SEC || s > CEL_TS_MAX_SEC)
        return cel_error_static("timestamp out of range");
    return cel_timestamp(s, (int32_t)n);
}

static cel_value arith(cel_eval_ctx *ctx, cel_binop op, const cel_value *a, const cel_value *b)
{
    cel_value args[2] = {*a, *b};
    if (a->kind == CEL_INT && b->kind == CEL_INT) {
        int64_t x = a->v.i, y = b->v.i, r;
        switch (op) {
        case OP_ADD:
            if (__builtin_add_overflow(x, y, &r))
                return overflow();
            return cel_int(r);
        case OP_SUB:
            if (__builtin_sub_overflow(x, y, &r))
                return overflow();
            return cel_int(r);
        case OP_MUL:
            if (__builtin_mul_overflow(x, y, &r))
                return overflow();
            return cel_int(r);
        case OP_DIV:
            if (y == 0)
                return cel_error_static("division by zero");
            if (x == INT64_MIN && y == -1)
                return overflow();
            return cel_int(x / y);
        case OP_MOD:
            if (y == 0)
                return cel_error_static("modulus by zero");
            if (x == INT64_MIN && y == -1)
                return overflow();
            return cel_int(x % y);
        default:
            break;
        }
    } else if (a->kind == CEL_UINT && b->kind == CEL_UINT) {
        uint64_t x = a->v.u, y = b->v.u, r;
        switch (op) {
        case OP_ADD:
            if (__builtin_add_overflow(x, y, &r))
                return overflow();
            return cel_uint(r);
        case OP_SUB:
            if (__builtin_sub_overflow(x, y, &r))
                return overflow();
            return cel_uint(r);
        case OP_MUL:
            if (__builtin_mul_overflow(x, y, &r))
                return overflow();
            return cel_uint(r);
        case OP_DIV:
            if (y == 0)
                return cel_error_static("division by zero");
            return cel_uint(x / y);
        case OP_MOD:
            if (y == 0)
                return cel_error_static("modulus by zero");
            return cel_uint(x % y);
        default:
            break;
        }
    } else if (a->kind == CEL_DOUBLE && b->kind == CEL_DOUBLE) {
        switch (op) {
        case OP_ADD:
            return cel_double(a->v.d + b->v.d);
        case OP_SUB:
            return cel_double(a->v.d - b->v.d);
        case OP_MUL:
            return cel_double(a->v.d * b->v.d);
        case OP_DIV:
            return cel_double(a->v.d / b->v.d);
        default:
            break;
        }
    } else if (op == OP_ADD && a->kind == b->kind && (a->kind == CEL_STRING || a->kind == CEL_BYTES)) {
        size_t n = a->v.s.n + b->v.s.n;
        cel_check_string_size(ctx, n);
        char *p = cel_arena_alloc(&ctx->arena, n + 1);
        memcpy(p, a->v.s.p, a->v.s.n);
        memcpy(p + a->v.s.n, b->v.s.p, b->v.s.n);
        return a->kind == CEL_STRING ? cel_string(p, n) : cel_bytes(p, n);
    } else if (op == OP_ADD && a->kind == CEL_LIST && b->kind == CEL_LIST) {
        size_t n = a->v.list->n + b->v.list->n;
        if (b->v.list->n == 0)
            return *a;
        if (a->v.list->n == 0)
            return *b;
        cel_check_list_size(ctx, n);
        cel_list *l = cel_arena_alloc(&ctx->arena, sizeof *l);
        l->items = cel_arena_alloc(&ctx->arena, sizeof(cel_value) * n);
        l->n = n;
        memcpy(l->items, a->v.list->items, sizeof(cel_value) * a->v.list->n);
        memcpy(l->items + a->v.list->n, b->v.list->items, sizeof(cel_value) * b->v.list->n);
        cel_value r = {.kind = CEL_LIST};
        r.v.list = l;
        return r;
    } else if (a->kind == CEL_DURATION && b->kind == CEL_DURATION && (op == OP_ADD || op == OP_SUB)) {
        int64_t r;
        if (op == OP_ADD ? __builtin_add_overflow(a->v.i, b->v.i, &r) : __builtin_sub_overflow(a->v.i, b->v.i, &r))
            return cel_error_static("duration out of range");
        return cel_duration(r);
    } else if (a->kind == CEL_TIMESTAMP && b->kind == CEL_DURATION && (op == OP_ADD || op == OP_SUB)) {
        if (op == OP_SUB) {
            if (b->v.i == INT64_MIN)
                return cel_error_static("timestamp out of range");
            return ts_add_ns(a->v.ts.sec, a->v.ts.nsec, -b->v.i);
        }
        return ts_add_ns(a->v.ts.sec, a->v.ts.nsec, b->v.i);
    } else if (a->kind == CEL_DURATION && b->kind == CEL_TIMESTAMP && op == OP_ADD) {
        return ts_add_ns(b->v.ts.sec, b->v.ts.nsec, a->v.i);
    } else if (a->kind == CEL_TIMESTAMP && b->kind == CEL_TIMESTAMP && op == OP_SUB) {
        int64_t ds = a->v.ts.sec - b->v.ts.sec, r;
        if (__builtin_mul_overflow(ds, (int64_t)1000000000, &r) ||
            __builtin_add_overflow(r, (int64_t)(a->v.ts.nsec - b->v.ts.nsec), &r))
            return cel_error_static("duration out of range");
        return cel_duration(r);
    }
    return cel_no_overload(ctx, op_name(op), args, 2);
}

static cel_value binop(cel_eval_ctx *ctx, cel_binop op, const cel_value *a, const cel_value *b)
{
    int cmp;
    switch (op) {
    case OP_EQ:
        return cel_bool(cel_value_equal(a, b));
    case OP_NE:
        return cel_bool(!cel_value_equal(a, b));
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE: {
        int r = cel_value_compare(a, b, &cmp);
        if (r < 0) {
            cel_value args[2] = {*a, *b};
            return cel_no_overload(ctx, op_name(op), args, 2);
        }
        if (r > 0)
            return cel_bool(0);
        switch (op) {
        case OP_LT:
            return cel_bool(cmp < 0);
        case OP_LE:
            return cel_bool(cmp <= 0);
        case OP_GT:
            return cel_bool(cmp > 0);
        default:
            return cel_bool(cmp >= 0);
        }
    }
    case OP_IN:
        if (b->kind == CEL_LIST) {
            for (size_t i = 0; i < b->v.list->n; i++)
                if (cel_value_equal(a, &b->v.list->items[i]))
                    return cel_bool(1);
            return cel_bool(0);
        }
        if (b->kind == CEL_MAP)
            return cel_bool(cel_map_find(b->v.map, a) != NULL);
        {
            cel_value args[2] = {*a, *b};
            return cel_no_overload(ctx, op_name(op), args, 2);
        }
    default:
        return arith(ctx, op, a, b);
    }
}

/* ---------------------------------------------------------------- access */

static void key_desc(const cel_value *k, char *buf, size_t n)
{
    switch (k->kind) {
    case CEL_STRING:
        snprintf(buf, n, "%.*s", (int)(k->v.s.n > 100 ? 100 : k->v.s.n), k->v.s.p);
        break;
    case CEL_INT:
        snprintf(buf, n, "%lld", (long long)k->v.i);
        break;
    case CEL_UINT:
        snprintf(buf, n, "%lluu", (unsigned long long)k->v.u);
        break;
    case CEL_BOOL:
        snprintf(buf, n, "%s", k->v.b ? "true" : "false");
        break;
    case CEL_DOUBLE:
        cel_format_double(k->v.d, buf, n);
        break;
    default:
        snprintf(buf, n, "%s", cel_type_name(k));
        break;
    }
}

static cel_value do_index(cel_eval_ctx *ctx, const cel_value *a, const cel_value *i)
{
    if (a->kind == CEL_LIST) {
        int64_t idx;
        if (i->kind == CEL_INT) {
            idx = i->v.i;
        } else if (i->kind == CEL_UINT) {
            idx = i->v.u > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)i->v.u;
        } else if (i->kind == CEL_DOUBLE && i->v.d == trunc(i->v.d) && fabs(i->v.d) < 9.2e18) {
            idx = (int64_t)i->v.d;
        } else if (i->kind == CEL_DOUBLE) {
            return cel_errorf(&ctx->arena, "unsupported index value");
        } else {
            cel_value args[2] = {*a, *i};
            return cel_no_overload(ctx, "_[_]", args, 2);
        }
        if (idx < 0 || (uint64_t)idx >= a->v.list->n)
            return cel_errorf(&ctx->arena, "index out of range: %lld", (long long)idx);
        return a->v.list->items[idx];
    }
    if (a->kind == CEL_MAP) {
        if (i->kind != CEL_STRING && i->kind != CEL_INT && i->kind != CEL_UINT && i->kind != CEL_BOOL &&
            i->kind != CEL_DOUBLE)
            return cel_errorf(&ctx->arena, "unsupported key type: %s", cel_type_name(i));
        const cel_value *v = cel_map_find(a->v.map, i);
        if (!v) {
            char kb[128];
            key_desc(i, kb, sizeof kb);
            return cel_errorf(&ctx->arena, "no such key: %s", kb);
        }
        return *v;
    }
    cel_value args[2] = {*a, *i};
    return cel_no_overload(ctx, "_[_]", args, 2);
}

static cel_value do_select(cel_eval_ctx *ctx, const cel_node *n, const cel_value *a)
{
    if (a->kind == CEL_MAP) {
        const cel_value *v = cel_map_find_str(a->v.map, n->name, n->name_len);
        if (n->test_only)
            return cel_bool(v != NULL);
        if (!v)
            return cel_errorf(&ctx->arena, "no such key: %s", n->name);
        return *v;
    }
    return cel_errorf(&ctx->arena, "type '%s' does not support field selection", cel_type_name(a));
}

/* ---------------------------------------------------------------- macros */

static cel_value eval_macro(cel_eval_ctx *ctx, const cel_node *n)
{
    cel_value range = cel_eval_node(ctx, n->args[0]);
    if (range.kind == CEL_ERROR)
        return range;
    size_t count;
    const cel_value *items, *vals = NULL;
    int is_map = range.kind == CEL_MAP;
    if (range.kind == CEL_LIST) {
        count = range.v.list->n;
        items = range.v.list->items;
    } else if (is_map) {
        count = range.v.map->n;
        items = range.v.map->keys;
        vals = range.v.map->vals;
    } else {
        static const char *const names[] = {"all",    "exists",        "exists_one",  "map",
                                            "filter", "transformList", "transformMap"};
        return cel_no_overload(ctx, names[n->macro], &range, 1);
    }
    int two = n->name2 != NULL;
    cel_value *slot = &ctx->slots[n->slot];
    cel_value saved[2] = {slot[0], two ? slot[1] : slot[0]};
    cel_value result;
    cel_value first_err = {.kind = CEL_NULL};
    int have_err = 0;
/* bind the variables for element i */
#define BIND(i)                                                                                                        \
    do {                                                                                                               \
        if (!two) {                                                                                                    \
            slot[0] = items[i];                                                                                        \
        } else if (is_map) {                                                                                           \
            slot[0] = items[i];                                                                                        \
            slot[1] = vals[i];                                                                                         \
        } else {                                                                                                       \
            slot[0] = cel_int((int64_t)(i));                                                                           \
            slot[1] = items[i];                                                                                        \
        }                                                                                                              \
    } while (0)
    switch (n->macro) {
    case M_ALL:
    case M_EXISTS: {
        int want = n->macro == M_EXISTS; /* the value that decides */
        result = cel_bool(!want);
        for (size_t i = 0; i < count; i++) {
            BIND(i);
            cel_value v = cel_eval_node(ctx, n->args[1]);
            if (v.kind == CEL_BOOL) {
                if (v.v.b == want) {
                    result = cel_bool(want);
                    have_err = 0;
                    break;
                }
            } else if (!have_err) {
                have_err = 1;
                first_err = v.kind == CEL_ERROR ? v : cel_no_overload(ctx, want ? "exists" : "all", &v, 1);
            }
        }
        if (have_err)
            result = first_err;
        break;
    }
    case M_EXISTS_ONE: {
        size_t hits = 0;
        result = cel_bool(0);
        for (size_t i = 0; i < count; i++) {
            BIND(i);
            cel_value v = cel_eval_node(ctx, n->args[1]);
            if (v.kind == CEL_ERROR) {
                have_err = 1;
                result = v;
                break;
            }
            if (v.kind != CEL_BOOL) {
                have_err = 1;
                result = cel_no_overload(ctx, "exists_one", &v, 1);
                break;
            }
            hits += (size_t)v.v.b;
        }
        if (!have_err)
            result = cel_bool(hits == 1);
        break;
    }
    case M_MAP:
    case M_FILTER:
    case M_TRANSFORM_LIST:
    case M_TRANSFORM_MAP: {
        int to_map = n->macro == M_TRANSFORM_MAP;
        cel_list *l = NULL;
        cel_map *m = NULL;
        if (to_map) {
            if (!is_map)
                return cel_no_overload(ctx, "transformMap", &range, 1);
            m = cel_arena_alloc(&ctx->arena, sizeof *m);
            m->keys = cel_arena_alloc(&ctx->arena, sizeof(cel_value) * (count ? count : 1));
            m->vals = cel_arena_alloc(&ctx->arena, sizeof(cel_value) * (count ? count : 1));
            result.kind = CEL_MAP;
            result.v.map = m;
        } else {
            l = cel_arena_alloc(&ctx->arena, sizeof *l);
            l->items = cel_arena_alloc(&ctx->arena, sizeof(cel_value) * (count ? count : 1));
            result.kind = CEL_LIST;
            result.v.list = l;
        }
        for (size_t i = 0; i < count; i++) {
            BIND(i);
            int keep = 1;
            if (n->macro == M_FILTER || n->nargs == 3) {
                cel_value f = cel_eval_node(ctx, n->args[1]);
                if (f.kind == CEL_ERROR) {
                    result = f;
                    break;
                }
                if (f.kind != CEL_BOOL) {
                    result = cel_no_overload(ctx, "filter", &f, 1);
                    break;
                }
                keep = f.v.b;
            }
            if (!keep)
                continue;
            if (n->macro == M_FILTER) {
                l->items[l->n++] = items[i];
                continue;
            }
            cel_value t = cel_eval_node(ctx, n->args[n->nargs - 1]);
            if (t.kind == CEL_ERROR) {
                result = t;
                break;
            }
            if (to_map) {
                m->keys[m->n] = items[i];
                m->vals[m->n++] = t;
            } else {
                l->items[l->n++] = t;
            }
        }
        break;
    }
    default:
        result = cel_error_static("unknown macro");
    }
#undef BIND
    slot[0] = saved[0];
    if (two)
        slot[1] = saved[1];
    return result;
}

/* ---------------------------------------------------------------- nodes */

static cel_value eval_call(cel_eval_ctx *ctx, const cel_node *n)
{
    cel_value stackargs[8];
    cel_value *args = n->nargs <= 8 ? stackargs : cel_arena_alloc(&ctx->arena, sizeof(cel_value) * n->nargs);
    for (size_t i = 0; i < n->nargs; i++) {
        args[i] = cel_eval_node(ctx, n->args[i]);
        if (args[i].kind == CEL_ERROR)
            return args[i];
    }
    if (n->ext)
        return cel_call_ext(ctx, n->ext, args, n->nargs);
    return n->builtin->fn(ctx, n, args, n->nargs);
}

static cel_value eval_inner(cel_eval_ctx *ctx, const cel_node *n)
{
    switch (n->kind) {
    case N_LIT:
        return n->lit;
    case N_IDENT: {
        const cel_value *v = cel_vars_lookup(ctx->vars, n->name, n->name_len);
        if (!v)
            return cel_errorf(&ctx->arena, "no value bound to variable '%s'", n->name);
        return *v;
    }
    case N_ITERVAR:
        return ctx->slots[n->slot];
    case N_SELECT: {
        cel_value a = cel_eval_node(ctx, n->args[0]);
        if (a.kind == CEL_ERROR)
            return a;
        return do_select(ctx, n, &a);
    }
    case N_INDEX: {
        cel_value a = cel_eval_node(ctx, n->args[0]);
        if (a.kind == CEL_ERROR)
            return a;
        cel_value i = cel_eval_node(ctx, n->args[1]);
        if (i.kind == CEL_ERROR)
            return i;
        return do_index(ctx, &a, &i);
    }
    case N_CALL:
        return eval_call(ctx, n);
    case N_LIST: {
        cel_check_list_size(ctx, n->nargs);
        cel_list *l = cel_arena_alloc(&ctx->arena, sizeof *l);
        l->items = cel_arena_alloc(&ctx->arena, sizeof(cel_value) * (n->nargs ? n->nargs : 1));
        l->n = n->nargs;
        for (size_t i = 0; i < n->nargs; i++) {
            l->items[i] = cel_eval_node(ctx, n->args[i]);
            if (l->items[i].kind == CEL_ERROR)
                return l->items[i];
        }
        cel_value r = {.kind = CEL_LIST};
        r.v.list = l;
        return r;
    }
    case N_MAP: {
        size_t np = n->nargs / 2;
        cel_check_list_size(ctx, np);
        cel_map *m = cel_arena_alloc(&ctx->arena, sizeof *m);
        m->keys = cel_arena_alloc(&ctx->arena, sizeof(cel_value) * (np ? np : 1));
        m->vals = cel_arena_alloc(&ctx->arena, sizeof(cel_value) * (np ? np : 1));
        for (size_t i = 0; i < np; i++) {
            cel_value k = cel_eval_node(ctx, n->args[2 * i]);
            if (k.kind == CEL_ERROR)
                return k;
            if (k.kind != CEL_STRING && k.kind != CEL_INT && k.kind != CEL_UINT && k.kind != CEL_BOOL)
                return cel_errorf(&ctx->arena, "unsupported key type: %s", cel_type_name(&k));
            cel_value v = cel_eval_node(ctx, n->args[2 * i + 1]);
            if (v.kind == CEL_ERROR)
                return v;
            if (cel_map_find(m, &k)) {
                char kb[128];
                key_desc(&k, kb, sizeof kb);
                return cel_errorf(&ctx->arena, "Failed with repeated key: %s", kb);
            }
            m->keys[m->n] = k;
            m->vals[m->n] = v;
            m->n++;
        }
        cel_value r = {.kind = CEL_MAP};
        r.v.map = m;
        return r;
    }
    case N_COND: {
        cel_value c = cel_eval_node(ctx, n->args[0]);
        if (c.kind == CEL_ERROR)
            return c;
        if (c.kind != CEL_BOOL)
            return cel_no_overload(ctx, "_?_:_", &c, 1);
        return cel_eval_node(ctx, n->args[c.v.b ? 1 : 2]);
    }
    case N_AND:
    case N_OR: {
        int absorb = n->kind == N_OR; /* the value that decides the result */
        cel_value l = cel_eval_node(ctx, n->args[0]);
        if (l.kind == CEL_BOOL && l.v.b == absorb)
            return l;
        cel_value r = cel_eval_node(ctx, n->args[1]);
        if (r.kind == CEL_BOOL && r.v.b == absorb)
            return r;
        if (l.kind == CEL_BOOL && r.kind == CEL_BOOL)
            return cel_bool(!absorb);
        if (l.kind == CEL_ERROR)
            return l;
        if (r.kind == CEL_ERROR)
            return r;
        cel_value args[2] = {l, r};
        return cel_no_overload(ctx, absorb ? "_||_" : "_&&_", args, 2);
    }
    case N_NOT: {
        cel_value a = cel_eval_node(ctx, n->args[0]);
        if (a.kind == CEL_ERROR)
            return a;
        if (a.kind != CEL_BOOL)
            return cel_no_overload(ctx, "!_", &a, 1);
        return cel_bool(!a.v.b);
    }
    case N_NEG: {
        cel_value a = cel_eval_node(ctx, n->args[0]);
        if (a.kind == CEL_ERROR)
            return a;
        if (a.kind == CEL_INT) {
            if (a.v.i == INT64_MIN)
                return overflow();
            return cel_int(-a.v.i);
        }
        if (a.kind == CEL_DOUBLE)
            return cel_double(-a.v.d);
        return cel_no_overload(ctx, "-_", &a, 1);
    }
    case N_BINOP: {
        cel_value a = cel_eval_node(ctx, n->args[0]);
        if (a.kind == CEL_ERROR)
            return a;
        cel_value b = cel_eval_node(ctx, n->args[1]);
        if (b.kind == CEL_ERROR)
            return b;
        return binop(ctx, n->op, &a, &b);
    }
    case N_MACRO:
        return eval_macro(ctx, n);
    }
    return cel_error_static("internal error: unknown node");
}

cel_value cel_eval_node(cel_eval_ctx *ctx, const cel_node *n)
{
    if (++ctx->steps > ctx->limits.max_steps)
        cel_eval_fatal(ctx, "evaluation cost limit exceeded");
    if (++ctx->depth > ctx->limits.max_depth)
        cel_eval_fatal(ctx, "evaluation nested too deeply");
    cel_value v = eval_inner(ctx, n);
    ctx->depth--;
    return v;
}

/* ---------------------------------------------------------------- extensions */

cel_value cel_call_ext(cel_eval_ctx *ctx, const cel_ext_function *f, cel_value *args, size_t n)
{
    cJSON *arr = cJSON_CreateArray();
    if (!arr)
        cel_eval_fatal(ctx, "out of memory");
    ctx->pending_json = arr;
    for (size_t i = 0; i < n; i++) {
        cJSON *c = cel_value_to_json(&args[i]);
        if (!c)
            cel_eval_fatal(ctx, "out of memory");
        cJSON_AddItemToArray(arr, c);
    }
    char *text = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    ctx->pending_json = NULL;
    if (!text)
        cel_eval_fatal(ctx, "out of memory");
    char *res = NULL;
    int rc = f->fn(f->ud, text, &res);
    free(text);
    ctx->pending_text = res;
    ctx->pending_ext = f;
    cel_value out;
    if (rc != 0) {
        out = cel_errorf(&ctx->arena, "%s: %s", f->name, res ? res : "failed");
    } else if (!res) {
        out = cel_errorf(&ctx->arena, "%s: returned no result", f->name);
    } else {
        cJSON *j = cJSON_Parse(res);
        if (!j) {
            out = cel_errorf(&ctx->arena, "%s: returned invalid JSON", f->name);
        } else {
            ctx->pending_json = j;
            const char *why = NULL;
            if (cel_value_from_json(&ctx->arena, j, CEL_MAX_JSON_DEPTH, &out, &why) < 0)
                out = cel_errorf(&ctx->arena, "%s: %s", f->name, why);
            cJSON_Delete(j);
            ctx->pending_json = NULL;
        }
    }
    ctx->pending_text = NULL;
    ctx->pending_ext = NULL;
    if (res) {
        if (f->free_result)
            f->free_result(f->ud, res);
        else
            free(res);
    }
    return out;
}
