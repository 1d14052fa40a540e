/*
 * core/cel/cel_builtins.c - the standard library: size, type conversions,
 * string functions (cel-go's strings extension where cheap), timestamp and
 * duration functions, and the table the compiler resolves calls against.
 * IP/CIDR functions live in cel_net.c.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel_internal.h"

#define FN(name) static cel_value name(cel_eval_ctx *ctx, const cel_node *call, cel_value *a, size_t n)
#define UNUSED_ARGS                                                                                                    \
    (void)ctx;                                                                                                         \
    (void)call;                                                                                                        \
    (void)n
#define NO_OVERLOAD() return cel_no_overload(ctx, call->name, a, n)

static cel_value str_value(cel_eval_ctx *ctx, const char *p, size_t len)
{
    cel_check_string_size(ctx, len);
    return cel_string(cel_arena_strndup(&ctx->arena, p, len), len);
}

static cel_value list_value(cel_list *l)
{
    cel_value v = {.kind = CEL_LIST};
    v.v.list = l;
    return v;
}

static cel_list *new_list(cel_eval_ctx *ctx, size_t cap)
{
    cel_check_list_size(ctx, cap);
    cel_list *l = cel_arena_alloc(&ctx->arena, sizeof *l);
    l->items = cel_arena_alloc(&ctx->arena, sizeof(cel_value) * (cap ? cap : 1));
    return l;
}

/* Byte offset of code point @idx in a valid UTF-8 string (idx <= count). */
static size_t cp_offset(const char *s, size_t n, size_t idx)
{
    size_t i = 0, c = 0;
    while (i < n && c < idx) {
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        c++;
    }
    return i;
}

/* ---------------------------------------------------------------- core */

FN(fn_size)
{
    UNUSED_ARGS;
    switch (a[0].kind) {
    case CEL_STRING:
        return cel_int((int64_t)cel_utf8_count(a[0].v.s.p, a[0].v.s.n));
    case CEL_BYTES:
        return cel_int((int64_t)a[0].v.s.n);
    case CEL_LIST:
        return cel_int((int64_t)a[0].v.list->n);
    case CEL_MAP:
        return cel_int((int64_t)a[0].v.map->n);
    default:
        NO_OVERLOAD();
    }
}

FN(fn_type)
{
    UNUSED_ARGS;
    return cel_type(cel_type_name(&a[0]));
}

FN(fn_dyn)
{
    UNUSED_ARGS;
    return a[0];
}

static int parse_int_text(const char *s, size_t len, int64_t *out)
{
    if (len == 0 || len > 30)
        return -1;
    char buf[32];
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (buf[0] == '+' || buf[0] == ' ' || (buf[0] == '-' && (buf[1] < '0' || buf[1] > '9')))
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    if (*end || errno)
        return -1;
    *out = v;
    return 0;
}

FN(fn_int)
{
    UNUSED_ARGS;
    cel_value v = a[0];
    switch (v.kind) {
    case CEL_INT:
        return v;
    case CEL_UINT:
        if (v.v.u > (uint64_t)INT64_MAX)
            return cel_error_static("range error converting uint to int");
        return cel_int((int64_t)v.v.u);
    case CEL_DOUBLE:
        if (!(v.v.d > -9223372036854775808.0 && v.v.d < 9223372036854775808.0))
            return cel_error_static("range error converting double to int");
        return cel_int((int64_t)v.v.d);
    case CEL_STRING: {
        int64_t r;
        if (parse_int_text(v.v.s.p, v.v.s.n, &r) < 0)
            return cel_errorf(&ctx->arena, "cannot convert string '%.*s' to int", (int)(v.v.s.n > 64 ? 64 : v.v.s.n),
                              v.v.s.p);
        return cel_int(r);
    }
    case CEL_TIMESTAMP:
        return cel_int(v.v.ts.sec);
    case CEL_DURATION:
        return cel_int(v.v.i);
    default:
        NO_OVERLOAD();
    }
}

FN(fn_uint)
{
    UNUSED_ARGS;
    cel_value v = a[0];
    switch (v.kind) {
    case CEL_UINT:
        return v;
    case CEL_INT:
        if (v.v.i < 0)
            return cel_error_static("range error converting int to uint");
        return cel_uint((uint64_t)v.v.i);
    case CEL_DOUBLE:
        if (!(v.v.d >= 0 && v.v.d < 18446744073709551616.0))
            return cel_error_static("range error converting double to uint");
        return cel_uint((uint64_t)v.v.d);
    case CEL_STRING: {
        const char *s = v.v.s.p;
        size_t len = v.v.s.n;
        if (len == 0 || len > 30 || s[0] < '0' || s[0] > '9')
            return cel_errorf(&ctx->arena, "cannot convert string '%.*s' to uint", (int)(len > 64 ? 64 : len), s);
        char buf[32];
        memcpy(buf, s, len);
        buf[len] = '\0';
        char *end;
        errno = 0;
        unsigned long long r = strtoull(buf, &end, 10);
        if (*end || errno)
            return cel_errorf(&ctx->arena, "cannot convert string '%s' to uint", buf);
        return cel_uint(r);
    }
    default:
        NO_OVERLOAD();
    }
}

FN(fn_double)
{
    UNUSED_ARGS;
    cel_value v = a[0];
    switch (v.kind) {
    case CEL_DOUBLE:
        return v;
    case CEL_INT:
        return cel_double((double)v.v.i);
    case CEL_UINT:
        return cel_double((double)v.v.u);
    case CEL_STRING: {
        size_t len = v.v.s.n;
        if (len == 0 || len > 400 || v.v.s.p[0] == ' ')
            return cel_error_static("cannot convert string to double");
        char *end;
        double d = strtod(v.v.s.p, &end);
        if (end != v.v.s.p + len)
            return cel_errorf(&ctx->arena, "cannot convert string '%.*s' to double", (int)(len > 64 ? 64 : len),
                              v.v.s.p);
        return cel_double(d);
    }
    default:
        NO_OVERLOAD();
    }
}

/* Go's strconv.FormatFloat(d, 'g', -1, 64): shortest digits, %e when exp < -4 or >= 21. */
static void format_double_go(double d, char *buf, size_t len)
{
    if (isnan(d)) {
        snprintf(buf, len, "NaN");
        return;
    }
    if (isinf(d)) {
        snprintf(buf, len, d > 0 ? "+Inf" : "-Inf");
        return;
    }
    char e[64];
    int prec;
    for (prec = 0; prec < 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec, d);
        if (strtod(e, NULL) == d)
            break;
    }
    snprintf(e, sizeof e, "%.*e", prec, d);
    int exp = atoi(strchr(e, 'e') + 1);
    if (exp < -4 || exp >= 21) {
        /* Go writes the exponent with at least two digits, like C */
        snprintf(buf, len, "%s", e);
        return;
    }
    int decimals = prec - exp;
    snprintf(buf, len, "%.*f", decimals > 0 ? decimals : 0, d);
}

FN(fn_string)
{
    UNUSED_ARGS;
    char buf[80];
    cel_value v = a[0];
    switch (v.kind) {
    case CEL_STRING:
        return v;
    case CEL_INT:
        snprintf(buf, sizeof buf, "%lld", (long long)v.v.i);
        break;
    case CEL_UINT:
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)v.v.u);
        break;
    case CEL_DOUBLE:
        format_double_go(v.v.d, buf, sizeof buf);
        break;
    case CEL_BOOL:
        snprintf(buf, sizeof buf, "%s", v.v.b ? "true" : "false");
        break;
    case CEL_BYTES:
        if (!cel_utf8_valid(v.v.s.p, v.v.s.n))
            return cel_error_static("invalid UTF-8 in bytes, cannot convert to string");
        return cel_string(v.v.s.p, v.v.s.n);
    case CEL_TIMESTAMP:
        cel_format_timestamp(v.v.ts.sec, v.v.ts.nsec, buf, sizeof buf);
        break;
    case CEL_DURATION:
        cel_format_duration(v.v.i, buf, sizeof buf);
        break;
    case CEL_IP:
    case CEL_CIDR:
        cel_format_ip(v.v.ip, buf, sizeof buf);
        break;
    case CEL_TYPE:
        return cel_string(v.v.type, strlen(v.v.type));
    default:
        NO_OVERLOAD();
    }
    return str_value(ctx, buf, strlen(buf));
}

FN(fn_bytes)
{
    UNUSED_ARGS;
    if (a[0].kind == CEL_BYTES)
        return a[0];
    if (a[0].kind == CEL_STRING)
        return cel_bytes(a[0].v.s.p, a[0].v.s.n);
    NO_OVERLOAD();
}

FN(fn_bool)
{
    UNUSED_ARGS;
    if (a[0].kind == CEL_BOOL)
        return a[0];
    if (a[0].kind == CEL_STRING) {
        static const char *const t[] = {"1", "t", "T", "TRUE", "true", "True", NULL};
        static const char *const f[] = {"0", "f", "F", "FALSE", "false", "False", NULL};
        for (int i = 0; t[i]; i++) {
            if (strlen(t[i]) == a[0].v.s.n && !memcmp(a[0].v.s.p, t[i], a[0].v.s.n))
                return cel_bool(1);
            if (strlen(f[i]) == a[0].v.s.n && !memcmp(a[0].v.s.p, f[i], a[0].v.s.n))
                return cel_bool(0);
        }
        return cel_errorf(&ctx->arena, "cannot convert string '%.*s' to bool", (int)(a[0].v.s.n > 64 ? 64 : a[0].v.s.n),
                          a[0].v.s.p);
    }
    NO_OVERLOAD();
}

/* ---------------------------------------------------------------- time */

FN(fn_timestamp)
{
    UNUSED_ARGS;
    if (a[0].kind == CEL_TIMESTAMP)
        return a[0];
    if (a[0].kind == CEL_INT) {
        if (a[0].v.i < CEL_TS_MIN_SEC || a[0].v.i > CEL_TS_MAX_SEC)
            return cel_error_static("timestamp out of range");
        return cel_timestamp(a[0].v.i, 0);
    }
    if (a[0].kind == CEL_STRING) {
        int64_t sec;
        int32_t nsec;
        int rc = cel_parse_timestamp(a[0].v.s.p, a[0].v.s.n, &sec, &nsec);
        if (rc == -2)
            return cel_error_static("timestamp out of range");
        if (rc < 0)
            return cel_errorf(&ctx->arena, "cannot parse timestamp '%.*s' (want RFC 3339)",
                              (int)(a[0].v.s.n > 64 ? 64 : a[0].v.s.n), a[0].v.s.p);
        return cel_timestamp(sec, nsec);
    }
    NO_OVERLOAD();
}

FN(fn_duration)
{
    UNUSED_ARGS;
    if (a[0].kind == CEL_DURATION)
        return a[0];
    if (a[0].kind == CEL_STRING) {
        int64_t ns;
        int rc = cel_parse_duration(a[0].v.s.p, a[0].v.s.n, &ns);
        if (rc == -2)
            return cel_error_static("duration out of range");
        if (rc < 0)
            return cel_errorf(&ctx->arena, "cannot parse duration '%.*s'", (int)(a[0].v.s.n > 64 ? 64 : a[0].v.s.n),
                              a[0].v.s.p);
        return cel_duration(ns);
    }
    NO_OVERLOAD();
}

typedef enum { G_YEAR, G_MONTH, G_DATE, G_DOM, G_DOW, G_DOY, G_HOURS, G_MINUTES, G_SECONDS, G_MILLIS } getter;

static cel_value time_get(cel_eval_ctx *ctx, const cel_node *call, cel_value *a, size_t n, getter g)
{
    if (a[0].kind == CEL_DURATION && n == 1) {
        int64_t d = a[0].v.i;
        switch (g) {
        case G_HOURS:
            return cel_int(d / 3600000000000LL);
        case G_MINUTES:
            return cel_int(d / 60000000000LL);
        case G_SECONDS:
            return cel_int(d / 1000000000LL);
        case G_MILLIS:
            return cel_int(d / 1000000LL);
        default:
            NO_OVERLOAD();
        }
    }
    if (a[0].kind != CEL_TIMESTAMP || (n == 2 && a[1].kind != CEL_STRING))
        NO_OVERLOAD();
    int32_t off = 0;
    if (n == 2 && cel_parse_tz(a[1].v.s.p, a[1].v.s.n, &off) < 0)
        return cel_errorf(&ctx->arena,
                          "unknown time zone '%.*s' (only UTC and fixed offsets like +05:30 are supported)",
                          (int)(a[1].v.s.n > 64 ? 64 : a[1].v.s.n), a[1].v.s.p);
    int64_t t = a[0].v.ts.sec + off;
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    int64_t y;
    unsigned m, d;
    cel_civil_from_days(days, &y, &m, &d);
    switch (g) {
    case G_YEAR:
        return cel_int(y);
    case G_MONTH:
        return cel_int(m - 1);
    case G_DATE:
        return cel_int(d);
    case G_DOM:
        return cel_int(d - 1);
    case G_DOW: {
        int64_t w = (days + 4) % 7; /* 1970-01-01 was a Thursday */
        return cel_int(w < 0 ? w + 7 : w);
    }
    case G_DOY:
        return cel_int(days - cel_days_from_civil(y, 1, 1));
    case G_HOURS:
        return cel_int(secs / 3600);
    case G_MINUTES:
        return cel_int(secs / 60 % 60);
    case G_SECONDS:
        return cel_int(secs % 60);
    case G_MILLIS:
        return cel_int(a[0].v.ts.nsec / 1000000);
    }
    NO_OVERLOAD();
}

#define GETTER(fname, g)                                                                                               \
    FN(fname)                                                                                                          \
    {                                                                                                                  \
        return time_get(ctx, call, a, n, g);                                                                           \
    }
GETTER(fn_get_full_year, G_YEAR)
GETTER(fn_get_month, G_MONTH)
GETTER(fn_get_date, G_DATE)
GETTER(fn_get_day_of_month, G_DOM)
GETTER(fn_get_day_of_week, G_DOW)
GETTER(fn_get_day_of_year, G_DOY)
GETTER(fn_get_hours, G_HOURS)
GETTER(fn_get_minutes, G_MINUTES)
GETTER(fn_get_seconds, G_SECONDS)
GETTER(fn_get_milliseconds, G_MILLIS)

/* ---------------------------------------------------------------- strings */

static int is_str(const cel_value *v)
{
    return v->kind == CEL_STRING;
}

static const char *find_bytes(const char *h, size_t hn, const char *nd, size_t nn)
{
    if (nn == 0)
        return h;
    if (nn > hn)
        return NULL;
    for (size_t i = 0; i + nn <= hn; i++)
        if (h[i] == nd[0] && !memcmp(h + i, nd, nn))
            return h + i;
    return NULL;
}

FN(fn_contains)
{
    UNUSED_ARGS;
    if (!is_str(&a[0]) || !is_str(&a[1]))
        NO_OVERLOAD();
    return cel_bool(find_bytes(a[0].v.s.p, a[0].v.s.n, a[1].v.s.p, a[1].v.s.n) != NULL);
}

FN(fn_starts_with)
{
    UNUSED_ARGS;
    if (!is_str(&a[0]) || !is_str(&a[1]))
        NO_OVERLOAD();
    return cel_bool(a[1].v.s.n <= a[0].v.s.n && !memcmp(a[0].v.s.p, a[1].v.s.p, a[1].v.s.n));
}

FN(fn_ends_with)
{
    UNUSED_ARGS;
    if (!is_str(&a[0]) || !is_str(&a[1]))
        NO_OVERLOAD();
    return cel_bool(a[1].v.s.n <= a[0].v.s.n && !memcmp(a[0].v.s.p + a[0].v.s.n - a[1].v.s.n, a[1].v.s.p, a[1].v.s.n));
}

FN(fn_matches)
{
    UNUSED_ARGS;
    if (!is_str(&a[0]) || !is_str(&a[1]))
        NO_OVERLOAD();
    const cel_regex *re = call->regex;
    if (!re) {
        const char *why = NULL;
        re = cel_regex_compile(&ctx->arena, a[1].v.s.p, a[1].v.s.n, ctx->limits.max_regex_insts, &why);
        if (!re)
            return cel_errorf(&ctx->arena, "invalid regular expression: %s", why ? why : "error");
    } else if (cel_regex_size(re) > ctx->limits.max_regex_insts)
        return cel_error_static("invalid regular expression: regular expression too large");
    int hit = cel_regex_search(re, a[0].v.s.p, a[0].v.s.n);
    if (hit < 0)
        cel_eval_fatal(ctx, "out of memory");
    return cel_bool(hit);
}

static cel_value ascii_case(cel_eval_ctx *ctx, const cel_value *s, int upper)
{
    char *p = cel_arena_strndup(&ctx->arena, s->v.s.p, s->v.s.n);
    for (size_t i = 0; i < s->v.s.n; i++) {
        if (upper && p[i] >= 'a' && p[i] <= 'z')
            p[i] = (char)(p[i] - 32);
        if (!upper && p[i] >= 'A' && p[i] <= 'Z')
            p[i] = (char)(p[i] + 32);
    }
    return cel_string(p, s->v.s.n);
}

FN(fn_lower_ascii)
{
    UNUSED_ARGS;
    if (!is_str(&a[0]))
        NO_OVERLOAD();
    return ascii_case(ctx, &a[0], 0);
}
FN(fn_upper_ascii)
{
    UNUSED_ARGS;
    if (!is_str(&a[0]))
        NO_OVERLOAD();
    return ascii_case(ctx, &a[0], 1);
}

FN(fn_char_at)
{
    UNUSED_ARGS;
    if (!is_str(&a[0]) || a[1].kind != CEL_INT)
        NO_OVERLOAD();
    size_t count = cel_utf8_count(a[0].v.s.p, a[0].v.s.n);
    if (a[1].v.i < 0 || (uint64_t)a[1].v.i > count)
        return cel_errorf(&ctx->arena, "index out of range: %lld", (long long)a[1].v.i);
    size_t off = cp_offset(a[0].v.s.p, a[0].v.s.n, (size_t)a[1].v.i);
    size_t end = cp_offset(a[0].v.s.p, a[0].v.s.n, (size_t)a[1].v.i + 1);
    return cel_string(cel_arena_strndup(&ctx->arena, a[0].v.s.p + off, end - off), end - off);
}

static cel_value index_of(cel_eval_ctx *ctx, const cel_node *call, cel_value *a, size_t n, int last)
{
    if (!is_str(&a[0]) || !is_str(&a[1]) || (n == 3 && a[2].kind != CEL_INT))
        NO_OVERLOAD();
    const char *s = a[0].v.s.p;
    size_t sn = a[0].v.s.n, count = cel_utf8_count(s, sn);
    int64_t start = n == 3 ? a[2].v.i : (last ? (int64_t)count : 0);
    if (start < 0 || (uint64_t)start > count)
        return cel_errorf(&ctx->arena, "index out of range: %lld", (long long)start);
    size_t nn = a[1].v.s.n;
    if (!last) {
        size_t off = cp_offset(s, sn, (size_t)start);
        const char *hit = find_bytes(s + off, sn - off, a[1].v.s.p, nn);
        if (!hit)
            return cel_int(-1);
        return cel_int((int64_t)cel_utf8_count(s, (size_t)(hit - s)));
    }
    /* last: the greatest match that starts at or before code point @start */
    size_t limit = cp_offset(s, sn, (size_t)start);
    int64_t best = -1;
    for (size_t i = 0; i <= limit && i + nn <= sn; i++) {
        if ((((unsigned char)s[i]) & 0xC0) == 0x80)
            continue;
        if (!memcmp(s + i, a[1].v.s.p, nn))
            best = (int64_t)i;
    }
    if (best < 0)
        return cel_int(-1);
    return cel_int((int64_t)cel_utf8_count(s, (size_t)best));
}

FN(fn_index_of)
{
    return index_of(ctx, call, a, n, 0);
}
FN(fn_last_index_of)
{
    return index_of(ctx, call, a, n, 1);
}

FN(fn_substring)
{
    UNUSED_ARGS;
    if (!is_str(&a[0]) || a[1].kind != CEL_INT || (n == 3 && a[2].kind != CEL_INT))
        NO_OVERLOAD();
    size_t count = cel_utf8_count(a[0].v.s.p, a[0].v.s.n);
    int64_t st = a[1].v.i, en = n == 3 ? a[2].v.i : (int64_t)count;
    if (st < 0 || (uint64_t)st > count)
        return cel_errorf(&ctx->arena, "index out of range: %lld", (long long)st);
    if (en < 0 || (uint64_t)en > count)
        return cel_errorf(&ctx->arena, "index out of range: %lld", (long long)en);
    if (st > en)
        return cel_errorf(&ctx->arena, "invalid substring range. start: %lld, end: %lld", (long long)st, (long long)en);
    size_t o1 = cp_offset(a[0].v.s.p, a[0].v.s.n, (size_t)st);
    size_t o2 = cp_offset(a[0].v.s.p, a[0].v.s.n, (size_t)en);
    return cel_string(cel_arena_strndup(&ctx->arena, a[0].v.s.p + o1, o2 - o1), o2 - o1);
}

static int is_unicode_space(int32_t c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

FN(fn_trim)
{
    UNUSED_ARGS;
    if (!is_str(&a[0]))
        NO_OVERLOAD();
    const char *s = a[0].v.s.p;
    size_t i = 0, e = a[0].v.s.n;
    while (i < e) {
        int len;
        int32_t c = cel_utf8_decode(s + i, e - i, &len);
        if (c < 0 || !is_unicode_space(c))
            break;
        i += (size_t)len;
    }
    while (e > i) {
        size_t st = e - 1;
        while (st > i && (((unsigned char)s[st]) & 0xC0) == 0x80)
            st--;
        int len;
        int32_t c = cel_utf8_decode(s + st, e - st, &len);
        if (c < 0 || !is_unicode_space(c))
            break;
        e = st;
    }
    return cel_string(cel_arena_strndup(&ctx->arena, s + i, e - i), e - i);
}

FN(fn_replace)
{
    UNUSED_ARGS;
    if (!is_str(&a[0]) || !is_str(&a[1]) || !is_str(&a[2]) || (n == 4 && a[3].kind != CEL_INT))
        NO_OVERLOAD();
    int64_t limit = n == 4 ? a[3].v.i : -1;
    const char *s = a[0].v.s.p, *old = a[1].v.s.p, *rep = a[2].v.s.p;
    size_t sn = a[0].v.s.n, on = a[1].v.s.n, rn = a[2].v.s.n;
    /* two passes: count the output, then write it */
    char *out = NULL;
    size_t total = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t i = 0, o = 0;
        int64_t done = 0;
        while (i <= sn) {
            if ((limit < 0 || done < limit) && (on == 0 || (i + on <= sn && !memcmp(s + i, old, on)))) {
                if (pass)
                    memcpy(out + o, rep, rn);
                o += rn;
                done++;
                if (on == 0) {
                    if (i == sn)
                        break;
                    int len = 1;
                    if (cel_utf8_decode(s + i, sn - i, &len) < 0)
                        len = 1;
                    if (pass)
                        memcpy(out + o, s + i, (size_t)len);
                    o += (size_t)len;
                    i += (size_t)len;
                } else {
                    i += on;
                }
                if (o > ctx->limits.max_string_size)
                    cel_check_string_size(ctx, o);
                continue;
            }
            if (i == sn)
                break;
            if (pass)
                out[o] = s[i];
            o++;
            i++;
        }
        if (!pass) {
            total = o;
            cel_check_string_size(ctx, total);
            out = cel_arena_alloc(&ctx->arena, total + 1);
        }
    }
    return cel_string(out, total);
}

FN(fn_split)
{
    UNUSED_ARGS;
    if (!is_str(&a[0]) || !is_str(&a[1]) || (n == 3 && a[2].kind != CEL_INT))
        NO_OVERLOAD();
    int64_t limit = n == 3 ? a[2].v.i : -1;
    const char *s = a[0].v.s.p, *sep = a[1].v.s.p;
    size_t sn = a[0].v.s.n, pn = a[1].v.s.n;
    if (limit == 0)
        return list_value(new_list(ctx, 0));
    size_t cap = pn ? 1 : cel_utf8_count(s, sn);
    if (pn) {
        for (const char *h = s; (h = find_bytes(h, sn - (size_t)(h - s), sep, pn)) != NULL; h += pn)
            cap++;
    }
    if (limit > 0 && (uint64_t)limit < cap)
        cap = (size_t)limit;
    cel_list *l = new_list(ctx, cap);
    size_t i = 0;
    while (l->n < cap) {
        if (l->n + 1 == cap) { /* the last piece takes the rest */
            l->items[l->n++] = cel_string(s + i, sn - i);
            break;
        }
        size_t end;
        if (pn == 0) {
            int len = 1;
            if (cel_utf8_decode(s + i, sn - i, &len) < 0)
                len = 1;
            end = i + (size_t)len;
            l->items[l->n++] = cel_string(cel_arena_strndup(&ctx->arena, s + i, end - i), end - i);
            i = end;
            continue;
        }
        const char *hit = find_bytes(s + i, sn - i, sep, pn);
        end = (size_t)(hit - s);
        l->items[l->n++] = cel_string(cel_arena_strndup(&ctx->arena, s + i, end - i), end - i);
        i = end + pn;
    }
    /* pieces must be NUL-terminated for later use: copy the last one too */
    if (l->n) {
        cel_value *last = &l->items[l->n - 1];
        last->v.s.p = cel_arena_strndup(&ctx->arena, last->v.s.p, last->v.s.n);
    }
    return list_value(l);
}

FN(fn_join)
{
    UNUSED_ARGS;
    if (a[0].kind != CEL_LIST || (n == 2 && !is_str(&a[1])))
        NO_OVERLOAD();
    const cel_list *l = a[0].v.list;
    size_t sepn = n == 2 ? a[1].v.s.n : 0, total = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (l->items[i].kind != CEL_STRING)
            return cel_errorf(&ctx->arena, "join: list element %zu is a %s, not a string", i,
                              cel_type_name(&l->items[i]));
        total += l->items[i].v.s.n + (i ? sepn : 0);
        cel_check_string_size(ctx, total);
    }
    char *out = cel_arena_alloc(&ctx->arena, total + 1);
    size_t o = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (i && sepn) {
            memcpy(out + o, a[1].v.s.p, sepn);
            o += sepn;
        }
        memcpy(out + o, l->items[i].v.s.p, l->items[i].v.s.n);
        o += l->items[i].v.s.n;
    }
    return cel_string(out, total);
}

FN(fn_reverse)
{
    UNUSED_ARGS;
    if (!is_str(&a[0]))
        NO_OVERLOAD();
    size_t sn = a[0].v.s.n;
    char *out = cel_arena_alloc(&ctx->arena, sn + 1);
    size_t i = 0;
    while (i < sn) {
        int len = 1;
        if (cel_utf8_decode(a[0].v.s.p + i, sn - i, &len) < 0)
            len = 1;
        memcpy(out + sn - i - (size_t)len, a[0].v.s.p + i, (size_t)len);
        i += (size_t)len;
    }
    return cel_string(out, sn);
}

FN(fn_quote)
{
    UNUSED_ARGS;
    if (!is_str(&a[0]))
        NO_OVERLOAD();
    const char *s = a[0].v.s.p;
    size_t sn = a[0].v.s.n;
    cel_check_string_size(ctx, sn * 6 + 2);
    char *out = cel_arena_alloc(&ctx->arena, sn * 6 + 3);
    size_t o = 0;
    out[o++] = '"';
    for (size_t i = 0; i < sn; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        switch (c) {
        case '\a':
            esc = "\\a";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\v':
            esc = "\\v";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '"':
            esc = "\\\"";
            break;
        default:
            break;
        }
        if (esc) {
            memcpy(out + o, esc, 2);
            o += 2;
        } else if (c < 0x20 || c == 0x7f) {
            o += (size_t)snprintf(out + o, 7, "\\x%02x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o++] = '"';
    return cel_string(out, o);
}

/* ---------------------------------------------------------------- table */

#define G CEL_FN_GLOBAL
#define M CEL_FN_MEMBER

static const cel_builtin builtins[] = {{"size", G | M, 1, 1, fn_size},
                                       {"type", G, 1, 1, fn_type},
                                       {"dyn", G, 1, 1, fn_dyn},
                                       {"int", G, 1, 1, fn_int},
                                       {"uint", G, 1, 1, fn_uint},
                                       {"double", G, 1, 1, fn_double},
                                       {"string", G, 1, 1, fn_string},
                                       {"bytes", G, 1, 1, fn_bytes},
                                       {"bool", G, 1, 1, fn_bool},
                                       {"timestamp", G, 1, 1, fn_timestamp},
                                       {"duration", G, 1, 1, fn_duration},
                                       {"google.protobuf.Timestamp", G, 1, 1, fn_timestamp},
                                       {"google.protobuf.Duration", G, 1, 1, fn_duration},
                                       {"contains", M, 2, 2, fn_contains},
                                       {"startsWith", M, 2, 2, fn_starts_with},
                                       {"endsWith", M, 2, 2, fn_ends_with},
                                       {"matches", G | M, 2, 2, fn_matches},
                                       {"lowerAscii", M, 1, 1, fn_lower_ascii},
                                       {"upperAscii", M, 1, 1, fn_upper_ascii},
                                       {"charAt", M, 2, 2, fn_char_at},
                                       {"indexOf", M, 2, 3, fn_index_of},
                                       {"lastIndexOf", M, 2, 3, fn_last_index_of},
                                       {"substring", M, 2, 3, fn_substring},
                                       {"trim", M, 1, 1, fn_trim},
                                       {"replace", M, 3, 4, fn_replace},
                                       {"split", M, 2, 3, fn_split},
                                       {"join", M, 1, 2, fn_join},
                                       {"reverse", M, 1, 1, fn_reverse},
                                       {"strings.quote", G, 1, 1, fn_quote},
                                       {"getFullYear", M, 1, 2, fn_get_full_year},
                                       {"getMonth", M, 1, 2, fn_get_month},
                                       {"getDate", M, 1, 2, fn_get_date},
                                       {"getDayOfMonth", M, 1, 2, fn_get_day_of_month},
                                       {"getDayOfWeek", M, 1, 2, fn_get_day_of_week},
                                       {"getDayOfYear", M, 1, 2, fn_get_day_of_year},
                                       {"getHours", M, 1, 2, fn_get_hours},
                                       {"getMinutes", M, 1, 2, fn_get_minutes},
                                       {"getSeconds", M, 1, 2, fn_get_seconds},
                                       {"getMilliseconds", M, 1, 2, fn_get_milliseconds},
                                       {"ip", G | M, 1, 1, cel_fn_ip},
                                       {"cidr", G, 1, 1, cel_fn_cidr},
                                       {"isIP", G, 1, 1, cel_fn_is_ip},
                                       {"isCIDR", G, 1, 1, cel_fn_is_cidr},
                                       {"ip.isCanonical", G, 1, 1, cel_fn_ip_is_canonical},
                                       {"family", M, 1, 1, cel_fn_ip_method},
                                       {"isCanonical", M, 1, 1, cel_fn_ip_method},
                                       {"isUnspecified", M, 1, 1, cel_fn_ip_method},
                                       {"isLoopback", M, 1, 1, cel_fn_ip_method},
                                       {"isGlobalUnicast", M, 1, 1, cel_fn_ip_method},
                                       {"isLinkLocalMulticast", M, 1, 1, cel_fn_ip_method},
                                       {"isLinkLocalUnicast", M, 1, 1, cel_fn_ip_method},
                                       {"containsIP", M, 2, 2, cel_fn_ip_method},
                                       {"containsCIDR", M, 2, 2, cel_fn_ip_method},
                                       {"prefixLength", M, 1, 1, cel_fn_ip_method},
                                       {"masked", M, 1, 1, cel_fn_ip_method},
                                       {NULL, 0, 0, 0, NULL}};

const cel_builtin *cel_builtin_find(const char *name, size_t n, int style)
{
    for (const cel_builtin *b = builtins; b->name; b++)
        if ((b->style & style) && strlen(b->name) == n && !memcmp(b->name, name, n))
            return b;
    return NULL;
}

int cel_builtin_exists(const char *name, size_t n)
{
    return cel_builtin_find(name, n, G | M) != NULL;
}

const char *cel_type_ident(const char *name, size_t n)
{
    static const char *const types[] = {"int",
                                        "uint",
                                        "double",
                                        "bool",
                                        "string",
                                        "bytes",
                                        "list",
                                        "map",
                                        "null_type",
                                        "type",
                                        "google.protobuf.Timestamp",
                                        "google.protobuf.Duration",
                                        "net.IP",
                                        "net.CIDR",
                                        NULL};
    for (int i = 0; types[i]; i++)
        if (strlen(types[i]) == n && !memcmp(types[i], name, n))
            return types[i];
    return NULL;
}
