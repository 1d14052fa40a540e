/*
 * core/cel/cel_value.c - CEL values: the arena they live in, equality,
 * ordering, map lookup, UTF-8 helpers and conversion from and to JSON.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel_internal.h"

/* ---------------------------------------------------------------- arena */

struct cel_arena_chunk {
    cel_arena_chunk *next;
    size_t cap, off;
    _Alignas(max_align_t) unsigned char data[];
};

#define CHUNK_MIN 8192u

void cel_arena_init(cel_arena *a, size_t limit)
{
    memset(a, 0, sizeof *a);
    a->limit = limit;
}

void cel_arena_free(cel_arena *a)
{
    cel_arena_chunk *c = a->head;
    while (c) {
        cel_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used = 0;
}

void cel_arena_reset(cel_arena *a, size_t keep_max)
{
    cel_arena_chunk *keep = NULL, *c = a->head;
    while (c) {
        cel_arena_chunk *next = c->next;
        if (!keep && c->cap <= keep_max)
            keep = c;
        else
            free(c);
        c = next;
    }
    if (keep) {
        keep->next = NULL;
        keep->off = 0;
    }
    a->head = keep;
    a->used = 0;
}

static void *arena_fail(cel_arena *a)
{
    if (a->jb)
        longjmp(*a->jb, 1);
    return NULL;
}

void *cel_arena_alloc(cel_arena *a, size_t n)
{
    const size_t align = _Alignof(max_align_t);
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX / 2)
        return arena_fail(a);
    n = (n + align - 1) & ~(align - 1);
    if (a->limit && (a->used + n > a->limit || a->used + n < a->used))
        return arena_fail(a);
    cel_arena_chunk *c = a->head;
    if (!c || c->cap - c->off < n) {
        size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
        if (c && c->cap * 2 > cap && c->cap < (1u << 20))
            cap = c->cap * 2;
        cel_arena_chunk *nc = malloc(sizeof *nc + cap);
        if (!nc)
            return arena_fail(a);
        nc->cap = cap;
        nc->off = 0;
        nc->next = c;
        a->head = nc;
        c = nc;
    }
    void *p = c->data + c->off;
    c->off += n;
    a->used += n;
    memset(p, 0, n);
    return p;
}

/* @n bytes aligned for any type, not zeroed (the caller fills them). */
static void *arena_alloc_raw(cel_arena *a, size_t n)
{
    const size_t align = _Alignof(max_align_t);
    cel_arena_chunk *c = a->head;
    size_t r = (n + align - 1) & ~(align - 1);
    if (n && n <= SIZE_MAX / 2 && c && c->cap - c->off >= r && (!a->limit || a->used + r <= a->limit)) {
        void *p = c->data + c->off;
        c->off += r;
        a->used += r;
        return p;
    }
    return cel_arena_alloc(a, n); /* a new chunk, the limit or a failure: the general path */
}

char *cel_arena_strndup(cel_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return arena_fail(a);
    char *p = arena_alloc_raw(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *cel_arena_printf(cel_arena *a, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (len < 0)
        return cel_arena_strndup(a, "", 0);
    char *p = cel_arena_alloc(a, (size_t)len + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)len + 1, fmt, ap);
    va_end(ap);
    return p;
}

/* ---------------------------------------------------------------- constructors */

cel_value cel_null(void) { cel_value v = {.kind = CEL_NULL}; return v; }
cel_value cel_bool(int b) { cel_value v = {.kind = CEL_BOOL}; v.v.b = b ? 1 : 0; return v; }
cel_value cel_int(int64_t i) { cel_value v = {.kind = CEL_INT}; v.v.i = i; return v; }
cel_value cel_uint(uint64_t u) { cel_value v = {.kind = CEL_UINT}; v.v.u = u; return v; }
cel_value cel_double(double d) { cel_value v = {.kind = CEL_DOUBLE}; v.v.d = d; return v; }
cel_value cel_type(const char *name) { cel_value v = {.kind = CEL_TYPE}; v.v.type = name; return v; }
cel_value cel_duration(int64_t ns) { cel_value v = {.kind = CEL_DURATION}; v.v.i = ns; return v; }

cel_value cel_string(const char *p, size_t n)
{
    cel_value v = {.kind = CEL_STRING};
    v.v.s.p = p;
    v.v.s.n = n;
    return v;
}

cel_value cel_bytes(const char *p, size_t n)
{
    cel_value v = cel_string(p, n);
    v.kind = CEL_BYTES;
    return v;
}

cel_value cel_timestamp(int64_t sec, int32_t nsec)
{
    cel_value v = {.kind = CEL_TIMESTAMP};
    v.v.ts.sec = sec;
    v.v.ts.nsec = nsec;
    return v;
}

cel_value cel_error_static(const char *msg)
{
    cel_value v = {.kind = CEL_ERROR};
    v.v.err = msg;
    return v;
}

cel_value cel_errorf(cel_arena *a, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *m = cel_arena_strndup(a, buf, strlen(buf));
    return cel_error_static(m ? m : "out of memory");
}

const char *cel_type_name(const cel_value *v)
{
    switch (v->kind) {
    case CEL_NULL: return "null_type";
    case CEL_BOOL: return "bool";
    case CEL_INT: return "int";
    case CEL_UINT: return "uint";
    case CEL_DOUBLE: return "double";
    case CEL_STRING: return "string";
    case CEL_BYTES: return "bytes";
    case CEL_LIST: return "list";
    case CEL_MAP: return "map";
    case CEL_TIMESTAMP: return "google.protobuf.Timestamp";
    case CEL_DURATION: return "google.protobuf.Duration";
    case CEL_TYPE: return "type";
    case CEL_IP: return "net.IP";
    case CEL_CIDR: return "net.CIDR";
    case CEL_ERROR: return "error";
    }
    return "unknown";
}

/* ---------------------------------------------------------------- numbers */

static int is_num(cel_kind k) { return k == CEL_INT || k == CEL_UINT || k == CEL_DOUBLE; }

/*
 * Mixed int/double and uint/double pairs are compared after converting the
 * integer to double, which is what cel-go does and the conformance suite
 * expects (9223372036854775807 is not less than 9223372036854775808.0).
 */
/* Compare two numbers of any numeric kinds. Returns 2 for NaN. */
static int num_cmp(const cel_value *a, const cel_value *b)
{
    if (a->kind == CEL_INT && b->kind == CEL_INT)
        return (a->v.i > b->v.i) - (a->v.i < b->v.i);
    if (a->kind == CEL_UINT && b->kind == CEL_UINT)
        return (a->v.u > b->v.u) - (a->v.u < b->v.u);
    if (a->kind == CEL_INT && b->kind == CEL_UINT) {
        if (a->v.i < 0)
            return -1;
        uint64_t x = (uint64_t)a->v.i;
        return (x > b->v.u) - (x < b->v.u);
    }
    if (a->kind == CEL_UINT && b->kind == CEL_INT)
        return -num_cmp(b, a);
    if (a->kind == CEL_DOUBLE && b->kind == CEL_DOUBLE) {
        if (isnan(a->v.d) || isnan(b->v.d))
            return 2;
        return (a->v.d > b->v.d) - (a->v.d < b->v.d);
    }
    if (a->kind == CEL_DOUBLE) {
        int r = num_cmp(b, a);
        return r == 2 ? 2 : -r;
    }
    /* a is int or uint, b is double: compared as doubles, as cel-go does */
    double d = b->v.d;
    if (isnan(d))
        return 2;
    double x = a->kind == CEL_INT ? (double)a->v.i : (double)a->v.u;
    return (x > d) - (x < d);
}

static int bytes_cmp(const cel_value *a, const cel_value *b)
{
    size_t n = a->v.s.n < b->v.s.n ? a->v.s.n : b->v.s.n;
    int c = n ? memcmp(a->v.s.p, b->v.s.p, n) : 0;
    if (c)
        return c < 0 ? -1 : 1;
    return (a->v.s.n > b->v.s.n) - (a->v.s.n < b->v.s.n);
}

static int ip_equal(const cel_ipnet *a, const cel_ipnet *b)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (a->prefix < 0 && b->prefix < 0 && a->family != b->family) {
        /* an IPv4-mapped IPv6 address equals its IPv4 address */
        const cel_ipnet *v4 = a->family == 4 ? a : b, *v6 = a->family == 4 ? b : a;
        return !memcmp(v6->addr, mapped, 12) && !memcmp(v6->addr + 12, v4->addr, 4);
    }
    if (a->family != b->family || a->prefix != b->prefix)
        return 0;
    return memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16) == 0;
}

int cel_value_equal(const cel_value *a, const cel_value *b)
{
    if (is_num(a->kind) && is_num(b->kind))
        return num_cmp(a, b) == 0;
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case CEL_NULL: return 1;
    case CEL_BOOL: return a->v.b == b->v.b;
    case CEL_STRING:
    case CEL_BYTES: return a->v.s.n == b->v.s.n && memcmp(a->v.s.p, b->v.s.p, a->v.s.n) == 0;
    case CEL_DURATION: return a->v.i == b->v.i;
    case CEL_TIMESTAMP: return a->v.ts.sec == b->v.ts.sec && a->v.ts.nsec == b->v.ts.nsec;
    case CEL_TYPE: return strcmp(a->v.type, b->v.type) == 0;
    case CEL_IP:
    case CEL_CIDR: return ip_equal(a->v.ip, b->v.ip);
    case CEL_LIST:
        if (a->v.list->n != b->v.list->n)
            return 0;
        for (size_t i = 0; i < a->v.list->n; i++)
            if (!cel_value_equal(&a->v.list->items[i], &b->v.list->items[i]))
                return 0;
        return 1;
    case CEL_MAP:
        if (a->v.map->n != b->v.map->n)
            return 0;
        for (size_t i = 0; i < a->v.map->n; i++) {
            const cel_value *o = cel_map_find(b->v.map, &a->v.map->keys[i]);
            if (!o || !cel_value_equal(&a->v.map->vals[i], o))
                return 0;
        }
        return 1;
    default: return 0;
    }
}

int cel_value_compare(const cel_value *a, const cel_value *b, int *cmp)
{
    if (is_num(a->kind) && is_num(b->kind)) {
        int r = num_cmp(a, b);
        if (r == 2)
            return 1;
        *cmp = r;
        return 0;
    }
    if (a->kind != b->kind)
        return -1;
    switch (a->kind) {
    case CEL_BOOL: *cmp = (a->v.b > b->v.b) - (a->v.b < b->v.b); return 0;
    case CEL_STRING:
    case CEL_BYTES: *cmp = bytes_cmp(a, b); return 0;
    case CEL_DURATION: *cmp = (a->v.i > b->v.i) - (a->v.i < b->v.i); return 0;
    case CEL_TIMESTAMP:
        if (a->v.ts.sec != b->v.ts.sec)
            *cmp = a->v.ts.sec < b->v.ts.sec ? -1 : 1;
        else
            *cmp = (a->v.ts.nsec > b->v.ts.nsec) - (a->v.ts.nsec < b->v.ts.nsec);
        return 0;
    default: return -1;
    }
}

const cel_value *cel_map_find(const cel_map *m, const cel_value *key)
{
    for (size_t i = 0; i < m->n; i++) {
        const cel_value *k = &m->keys[i];
        if (k->kind == key->kind || (is_num(k->kind) && is_num(key->kind)))
            if (cel_value_equal(k, key))
                return &m->vals[i];
    }
    return NULL;
}

const cel_value *cel_map_find_str(const cel_map *m, const char *key, size_t n)
{
    for (size_t i = 0; i < m->n; i++) {
        const cel_value *k = &m->keys[i];
        if (k->kind == CEL_STRING && k->v.s.n == n && memcmp(k->v.s.p, key, n) == 0)
            return &m->vals[i];
    }
    return NULL;
}

cel_value cel_value_copy(cel_arena *a, const cel_value *v)
{
    cel_value r = *v;
    switch (v->kind) {
    case CEL_STRING:
    case CEL_BYTES:
        r.v.s.p = cel_arena_strndup(a, v->v.s.p, v->v.s.n);
        break;
    case CEL_ERROR:
        r.v.err = cel_arena_strndup(a, v->v.err, strlen(v->v.err));
        break;
    case CEL_TYPE:
        r.v.type = cel_arena_strndup(a, v->v.type, strlen(v->v.type));
        break;
    case CEL_IP:
    case CEL_CIDR: {
        cel_ipnet *ip = cel_arena_alloc(a, sizeof *ip);
        if (ip)
            *ip = *v->v.ip;
        r.v.ip = ip;
        break;
    }
    case CEL_LIST: {
        cel_list *l = cel_arena_alloc(a, sizeof *l);
        if (!l)
            break;
        l->n = v->v.list->n;
        l->items = cel_arena_alloc(a, sizeof(cel_value) * (l->n ? l->n : 1));
        for (size_t i = 0; l->items && i < l->n; i++)
            l->items[i] = cel_value_copy(a, &v->v.list->items[i]);
        r.v.list = l;
        break;
    }
    case CEL_MAP: {
        cel_map *m = cel_arena_alloc(a, sizeof *m);
        if (!m)
            break;
        m->n = v->v.map->n;
        m->keys = cel_arena_alloc(a, sizeof(cel_value) * (m->n ? m->n : 1));
        m->vals = cel_arena_alloc(a, sizeof(cel_value) * (m->n ? m->n : 1));
        for (size_t i = 0; m->keys && m->vals && i < m->n; i++) {
            m->keys[i] = cel_value_copy(a, &v->v.map->keys[i]);
            m->vals[i] = cel_value_copy(a, &v->v.map->vals[i]);
        }
        r.v.map = m;
        break;
    }
    default:
        break;
    }
    return r;
}

/* ---------------------------------------------------------------- UTF-8 */

int32_t cel_utf8_decode(const char *p, size_t n, int *len)
{
    const unsigned char *s = (const unsigned char *)p;
    if (n == 0)
        return -1;
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    int need;
    uint32_t cp, min;
    if ((s[0] & 0xE0) == 0xC0) { need = 1; cp = s[0] & 0x1F; min = 0x80; }
    else if ((s[0] & 0xF0) == 0xE0) { need = 2; cp = s[0] & 0x0F; min = 0x800; }
    else if ((s[0] & 0xF8) == 0xF0) { need = 3; cp = s[0] & 0x07; min = 0x10000; }
    else return -1;
    if (n < (size_t)need + 1)
        return -1;
    for (int i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return -1;
    *len = need + 1;
    return (int32_t)cp;
}

int cel_utf8_encode(uint32_t cp, char *buf)
{
    unsigned char *b = (unsigned char *)buf;
    if (cp < 0x80) { b[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) { b[0] = (unsigned char)(0xC0 | (cp >> 6)); b[1] = (unsigned char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        b[0] = (unsigned char)(0xE0 | (cp >> 12));
        b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    b[0] = (unsigned char)(0xF0 | (cp >> 18));
    b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    b[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

int cel_utf8_valid(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        int len;
        if (cel_utf8_decode(p + i, n - i, &len) < 0)
            return 0;
        i += (size_t)len;
    }
    return 1;
}

size_t cel_utf8_count(const char *p, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)p[i] & 0xC0) != 0x80)
            c++;
    return c;
}

char *cel_base64_encode(const unsigned char *p, size_t n)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (n > (SIZE_MAX - 4) / 4 * 3 - 3)
        return NULL;
    char *out = malloc((n + 2) / 3 * 4 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t x = (uint32_t)p[i] << 16;
        if (i + 1 < n) x |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n) x |= p[i + 2];
        out[o++] = tbl[(x >> 18) & 63];
        out[o++] = tbl[(x >> 12) & 63];
        out[o++] = i + 1 < n ? tbl[(x >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? tbl[x & 63] : '=';
    }
    out[o] = '\0';
    return out;
}

void cel_format_double(double d, char *buf, size_t n)
{
    if (isnan(d)) { snprintf(buf, n, "NaN"); return; }
    if (isinf(d)) { snprintf(buf, n, d > 0 ? "Infinity" : "-Infinity"); return; }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return;
    }
}

/* ---------------------------------------------------------------- JSON */

static int from_json(cel_arena *a, const cJSON *j, int depth, int max_depth, cel_value *out, const char **err)
{
    if (depth > max_depth) {
        *err = "JSON document nested too deeply";
        return -1;
    }
    if (cJSON_IsNull(j)) { *out = cel_null(); return 0; }
    if (cJSON_IsTrue(j)) { *out = cel_bool(1); return 0; }
    if (cJSON_IsFalse(j)) { *out = cel_bool(0); return 0; }
    if (cJSON_IsNumber(j)) {
        double d = j->valuedouble;
        if (d == trunc(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
            *out = cel_int((int64_t)d);
        else
            *out = cel_double(d);
        return 0;
    }
    if (cJSON_IsString(j)) {
        const char *s = j->valuestring ? j->valuestring : "";
        size_t n = strlen(s);
        const char *p = cel_arena_strndup(a, s, n);
        if (!p) { *err = "out of memory"; return -1; }
        *out = cel_string(p, n);
        return 0;
    }
    if (cJSON_IsArray(j) || cJSON_IsObject(j)) {
        size_t n = 0;
        for (const cJSON *c = j->child; c; c = c->next)
            n++;
        cel_value *items = cel_arena_alloc(a, sizeof(cel_value) * (n ? n : 1));
        cel_value *keys = cJSON_IsObject(j) ? cel_arena_alloc(a, sizeof(cel_value) * (n ? n : 1)) : NULL;
        if (!items || (cJSON_IsObject(j) && !keys)) { *err = "out of memory"; return -1; }
        size_t i = 0, kept = 0;
        for (const cJSON *c = j->child; c; c = c->next, i++) {
            cel_value v;
            if (from_json(a, c, depth + 1, max_depth, &v, err) < 0)
                return -1;
            if (keys) {
                const char *k = c->string ? c->string : "";
                size_t kn = strlen(k);
                /* a repeated key: the last one wins, as in most JSON readers */
                size_t at = kept;
                for (size_t x = 0; x < kept; x++)
                    if (keys[x].v.s.n == kn && memcmp(keys[x].v.s.p, k, kn) == 0) { at = x; break; }
                if (at == kept) {
                    const char *kp = cel_arena_strndup(a, k, kn);
                    if (!kp) { *err = "out of memory"; return -1; }
                    keys[kept++] = cel_string(kp, kn);
                }
                items[at] = v;
            } else {
                items[kept++] = v;
            }
        }
        if (keys) {
            cel_map *m = cel_arena_alloc(a, sizeof *m);
            if (!m) { *err = "out of memory"; return -1; }
            m->n = kept;
            m->keys = keys;
            m->vals = items;
            out->kind = CEL_MAP;
            out->v.map = m;
        } else {
            cel_list *l = cel_arena_alloc(a, sizeof *l);
            if (!l) { *err = "out of memory"; return -1; }
            l->n = kept;
            l->items = items;
            out->kind = CEL_LIST;
            out->v.list = l;
        }
        return 0;
    }
    *err = "unsupported JSON value";
    return -1;
}

int cel_value_from_json(cel_arena *a, const cJSON *j, int max_depth, cel_value *out, const char **err)
{
    return from_json(a, j, 0, max_depth, out, err);
}

/* ------------------------------------------------ JSON text, no cJSON tree */

/*
 * A one-pass reader of JSON object text straight into CEL values. It takes
 * only the ordinary shapes, for which it gives exactly what cJSON_Parse
 * followed by from_json gives; for anything else it gives up (status 1)
 * and the caller takes that slower path, which then decides (and words any
 * error) as before. Containers' children are gathered on a value stack
 * (vs->stack, malloc'd and reused) and copied into the arena when they close.
 */
typedef struct text_reader {
    cel_arena *a;
    const char *p, *end;
    cel_value_stack *vs;
    int max_depth;
    int status; /* 0 fine, 1 give up, -1 out of memory */
} text_reader;

#define TEXT_MAX_NUMBER 40 /* longer numbers take the cJSON path (its number buffer is small) */

static int tr_push(text_reader *t, cel_value v)
{
    cel_value_stack *vs = t->vs;
    if (vs->n == vs->cap) {
        size_t cap = vs->cap ? vs->cap * 2 : 256;
        cel_value *nv = realloc(vs->v, cap * sizeof *nv);
        if (!nv) {
            t->status = -1;
            return -1;
        }
        vs->v = nv;
        vs->cap = cap;
    }
    vs->v[vs->n++] = v;
    return 0;
}

static void tr_ws(text_reader *t)
{
    while (t->p < t->end && (*t->p == ' ' || *t->p == '\n' || *t->p == '\r' || *t->p == '\t'))
        t->p++;
}

static int tr_give_up(text_reader *t)
{
    if (t->status == 0)
        t->status = 1;
    return -1;
}

static int tr_hex4(const char *p, uint32_t *out)
{
    uint32_t x = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        x <<= 4;
        if (c >= '0' && c <= '9') x |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f') x |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') x |= (uint32_t)(c - 'A' + 10);
        else return -1;
    }
    *out = x;
    return 0;
}

/* A string; t->p is on the opening quote. */
static int tr_string(text_reader *t, cel_value *out)
{
    const char *s = ++t->p, *q = s;
    int escaped = 0;
    while (q < t->end && *q != '"') {
        if ((unsigned char)*q < 0x20)
            return tr_give_up(t);
        if (*q == '\\') {
            escaped = 1;
            q++;
            if (q >= t->end)
                return tr_give_up(t);
        }
        q++;
    }
    if (q >= t->end)
        return tr_give_up(t);
    size_t n = (size_t)(q - s);
    char *d = arena_alloc_raw(t->a, n + 1);
    if (!d) {
        t->status = -1;
        return -1;
    }
    size_t o = 0;
    if (!escaped) {
        memcpy(d, s, n);
        o = n;
    } else {
        for (const char *c = s; c < q; c++) {
            if (*c != '\\') {
                d[o++] = *c;
                continue;
            }
            c++;
            switch (*c) {
            case '"': d[o++] = '"'; break;
            case '\\': d[o++] = '\\'; break;
            case '/': d[o++] = '/'; break;
            case 'b': d[o++] = '\b'; break;
            case 'f': d[o++] = '\f'; break;
            case 'n': d[o++] = '\n'; break;
            case 'r': d[o++] = '\r'; break;
            case 't': d[o++] = '\t'; break;
            case 'u': {
                uint32_t cp;
                /* NUL (cJSON ends the string there) and surrogates: the cJSON path */
                if (q - c < 5 || tr_hex4(c + 1, &cp) != 0 || cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
                    return tr_give_up(t);
                o += (size_t)cel_utf8_encode(cp, d + o); /* at most 3 bytes for the 6 read */
                c += 4;
                break;
            }
            default: return tr_give_up(t);
            }
        }
    }
    d[o] = '\0';
    *out = cel_string(d, o);
    t->p = q + 1;
    return 0;
}

/* A number of RFC 8259's grammar. */
static int tr_number(text_reader *t, cel_value *out)
{
    const char *s = t->p, *c = s;
    int plain = 1; /* digits only, no fraction or exponent */
    if (c < t->end && *c == '-')
        c++;
    if (c < t->end && *c == '0')
        c++;
    else if (c < t->end && *c >= '1' && *c <= '9')
        while (c < t->end && *c >= '0' && *c <= '9')
            c++;
    else
        return tr_give_up(t);
    if (c < t->end && *c == '.') {
        plain = 0;
        c++;
        if (c >= t->end || *c < '0' || *c > '9')
            return tr_give_up(t);
        while (c < t->end && *c >= '0' && *c <= '9')
            c++;
    }
    if (c < t->end && (*c == 'e' || *c == 'E')) {
        plain = 0;
        c++;
        if (c < t->end && (*c == '+' || *c == '-'))
            c++;
        if (c >= t->end || *c < '0' || *c > '9')
            return tr_give_up(t);
        while (c < t->end && *c >= '0' && *c <= '9')
            c++;
    }
    size_t n = (size_t)(c - s);
    if (n > TEXT_MAX_NUMBER)
        return tr_give_up(t);
    size_t digits = n - (*s == '-');
    if (plain && digits <= 15) {
        /* exact in a double, so what from_json makes of cJSON's double */
        int64_t x = 0;
        for (const char *d = *s == '-' ? s + 1 : s; d < c; d++)
            x = x * 10 + (*d - '0');
        *out = cel_int(*s == '-' ? -x : x);
    } else {
        char buf[TEXT_MAX_NUMBER + 1];
        memcpy(buf, s, n);
        buf[n] = '\0';
        double d = strtod(buf, NULL);
        if (d == trunc(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
            *out = cel_int((int64_t)d);
        else
            *out = cel_double(d);
    }
    t->p = c;
    return 0;
}

static int tr_value(text_reader *t, int depth, cel_value *out);

/* The children of a container on the stack from @base: @pairs when they are
 * key, value pairs. Into the arena, the way from_json lays them out. */
static int tr_close(text_reader *t, size_t base, int pairs, cel_value *out)
{
    cel_value *v = t->vs->v + base;
    size_t n = (t->vs->n - base) / (pairs ? 2 : 1);
    cel_value *items = cel_arena_alloc(t->a, sizeof(cel_value) * (n ? n : 1));
    cel_value *keys = pairs ? cel_arena_alloc(t->a, sizeof(cel_value) * (n ? n : 1)) : NULL;
    if (!items || (pairs && !keys)) {
        t->status = -1;
        return -1;
    }
    size_t kept = 0;
    if (pairs) {
        for (size_t i = 0; i < n; i++) {
            const cel_value *k = &v[2 * i];
            /* a repeated key: the last one wins, in the first one's place */
            size_t at = kept;
            for (size_t x = 0; x < kept; x++)
                if (keys[x].v.s.n == k->v.s.n && memcmp(keys[x].v.s.p, k->v.s.p, k->v.s.n) == 0) {
                    at = x;
                    break;
                }
            if (at == kept)
                keys[kept++] = *k;
            items[at] = v[2 * i + 1];
        }
        cel_map *m = cel_arena_alloc(t->a, sizeof *m);
        if (!m) {
            t->status = -1;
            return -1;
        }
        m->n = kept;
        m->keys = keys;
        m->vals = items;
        out->kind = CEL_MAP;
        out->v.map = m;
    } else {
        if (n)
            memcpy(items, v, n * sizeof *items);
        cel_list *l = cel_arena_alloc(t->a, sizeof *l);
        if (!l) {
            t->status = -1;
            return -1;
        }
        l->n = n;
        l->items = items;
        out->kind = CEL_LIST;
        out->v.list = l;
    }
    t->vs->n = base;
    return 0;
}

/* An object or array; t->p is on its opening bracket. */
static int tr_container(text_reader *t, int depth, cel_value *out)
{
    if (depth > t->max_depth)
        return tr_give_up(t);
    int obj = *t->p == '{';
    char close = obj ? '}' : ']';
    size_t base = t->vs->n;
    t->p++;
    tr_ws(t);
    if (t->p < t->end && *t->p == close) {
        t->p++;
        return tr_close(t, base, obj, out);
    }
    for (;;) {
        cel_value v;
        if (obj) {
            if (t->p >= t->end || *t->p != '"' || tr_string(t, &v) != 0 || tr_push(t, v) != 0)
                return tr_give_up(t);
            tr_ws(t);
            if (t->p >= t->end || *t->p != ':')
                return tr_give_up(t);
            t->p++;
            tr_ws(t);
        }
        if (tr_value(t, depth + 1, &v) != 0 || tr_push(t, v) != 0)
            return tr_give_up(t);
        tr_ws(t);
        if (t->p < t->end && *t->p == ',') {
            t->p++;
            tr_ws(t);
            continue;
        }
        if (t->p < t->end && *t->p == close) {
            t->p++;
            return tr_close(t, base, obj, out);
        }
        return tr_give_up(t);
    }
}

static int tr_literal(text_reader *t, const char *word, size_t n, cel_value v, cel_value *out)
{
    if ((size_t)(t->end - t->p) < n || memcmp(t->p, word, n) != 0)
        return tr_give_up(t);
    t->p += n;
    *out = v;
    return 0;
}

static int tr_value(text_reader *t, int depth, cel_value *out)
{
    if (t->p >= t->end)
        return tr_give_up(t);
    switch (*t->p) {
    case '{':
    case '[': return tr_container(t, depth, out);
    case '"': return tr_string(t, out);
    case 't': return tr_literal(t, "true", 4, cel_bool(1), out);
    case 'f': return tr_literal(t, "false", 5, cel_bool(0), out);
    case 'n': return tr_literal(t, "null", 4, cel_null(), out);
    default: return tr_number(t, out);
    }
}

int cel_value_from_json_text(cel_arena *a, const char *s, size_t n, int max_depth, cel_value_stack *vs,
                             cel_value *out)
{
    text_reader t = {a, s, s + n, vs, max_depth, 0};
    size_t base = vs->n;
    tr_ws(&t);
    if (t.p >= t.end || *t.p != '{' || tr_container(&t, 1, out) != 0) {
        vs->n = base;
        return t.status < 0 ? -1 : 1;
    }
    tr_ws(&t);
    return t.p == t.end ? 0 : 1;
}

static char *key_text(const cel_value *k, char *buf, size_t n)
{
    switch (k->kind) {
    case CEL_STRING: return NULL;
    case CEL_INT: snprintf(buf, n, "%lld", (long long)k->v.i); break;
    case CEL_UINT: snprintf(buf, n, "%llu", (unsigned long long)k->v.u); break;
    case CEL_BOOL: snprintf(buf, n, "%s", k->v.b ? "true" : "false"); break;
    default: snprintf(buf, n, "%s", cel_type_name(k)); break;
    }
    return buf;
}

cJSON *cel_value_to_json(const cel_value *v)
{
    char buf[80];
    switch (v->kind) {
    case CEL_NULL: return cJSON_CreateNull();
    case CEL_BOOL: return cJSON_CreateBool(v->v.b);
    case CEL_INT:
        /* cJSON stores numbers as doubles; print big ints exactly as raw text */
        snprintf(buf, sizeof buf, "%lld", (long long)v->v.i);
        return cJSON_CreateRaw(buf);
    case CEL_UINT:
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)v->v.u);
        return cJSON_CreateRaw(buf);
    case CEL_DOUBLE:
        if (isnan(v->v.d) || isinf(v->v.d)) {
            cel_format_double(v->v.d, buf, sizeof buf);
            return cJSON_CreateString(buf);
        }
        cel_format_double(v->v.d, buf, sizeof buf);
        if (!strpbrk(buf, ".eEn")) {
            size_t bl = strlen(buf);
            snprintf(buf + bl, sizeof buf - bl, ".0");
        }
        return cJSON_CreateRaw(buf);
    case CEL_STRING: {
        /* cJSON needs NUL-terminated text; embedded NULs are escaped by hand */
        if (memchr(v->v.s.p, 0, v->v.s.n)) {
            char *tmp = malloc(v->v.s.n * 6 + 1);
            if (!tmp) return NULL;
            size_t o = 0;
            for (size_t i = 0; i < v->v.s.n; i++)
                if (v->v.s.p[i]) tmp[o++] = v->v.s.p[i];
            tmp[o] = '\0';
            cJSON *r = cJSON_CreateString(tmp);
            free(tmp);
            return r;
        }
        return cJSON_CreateString(v->v.s.p);
    }
    case CEL_BYTES: {
        char *b = cel_base64_encode((const unsigned char *)v->v.s.p, v->v.s.n);
        if (!b) return NULL;
        cJSON *r = cJSON_CreateString(b);
        free(b);
        return r;
    }
    case CEL_TIMESTAMP:
        cel_format_timestamp(v->v.ts.sec, v->v.ts.nsec, buf, sizeof buf);
        return cJSON_CreateString(buf);
    case CEL_DURATION:
        cel_format_duration(v->v.i, buf, sizeof buf);
        return cJSON_CreateString(buf);
    case CEL_TYPE: return cJSON_CreateString(v->v.type);
    case CEL_IP:
    case CEL_CIDR:
        cel_format_ip(v->v.ip, buf, sizeof buf);
        return cJSON_CreateString(buf);
    case CEL_LIST: {
        cJSON *arr = cJSON_CreateArray();
        for (size_t i = 0; arr && i < v->v.list->n; i++) {
            cJSON *c = cel_value_to_json(&v->v.list->items[i]);
            if (!c) { cJSON_Delete(arr); return NULL; }
            cJSON_AddItemToArray(arr, c);
        }
        return arr;
    }
    case CEL_MAP: {
        cJSON *obj = cJSON_CreateObject();
        for (size_t i = 0; obj && i < v->v.map->n; i++) {
            const cel_value *k = &v->v.map->keys[i];
            cJSON *c = cel_value_to_json(&v->v.map->vals[i]);
            if (!c) { cJSON_Delete(obj); return NULL; }
            char kb[64];
            const char *kt = key_text(k, kb, sizeof kb);
            cJSON_AddItemToObject(obj, kt ? kt : k->v.s.p, c);
        }
        return obj;
    }
    case CEL_ERROR:
        return NULL;
    }
    return NULL;
}
