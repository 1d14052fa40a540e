/*
 * plugins/snapshot/resource_line.c - parse and validate one resource line.
 * See resource_line.h for the rules.
 */
#include "resource_line.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_scan.h"

struct rl_parser {
    js_scanner scan;
};

rl_parser *rl_parser_new(void)
{
    rl_parser *p = malloc(sizeof *p);
    if (p)
        js_scanner_init(&p->scan);
    return p;
}

void rl_parser_free(rl_parser *p)
{
    if (!p)
        return;
    js_scanner_free(&p->scan);
    free(p);
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Copy @src for a message: at most 64 bytes, control characters as '?'. */
static void quote_for_message(char *dst, size_t dstlen, const char *src)
{
    size_t i = 0, max = dstlen > 68 ? 64 : dstlen - 4;
    for (; src[i] && i < max; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (src[i]) {
        memcpy(dst + i, "...", 3);
        i += 3;
    }
    dst[i] = '\0';
}

int rl_is_ignorable(const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (line[i] == ' ' || line[i] == '\t')
            continue;
        return line[i] == '#';
    }
    return 1;
}

size_t rl_utf8_invalid_at(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = js_utf8_seq_len(s + i, len - i);
        if (n == 0)
            return i;
        i += n;
    }
    return len;
}

/*
 * Offset of a "\u0000" escape in the raw line (a backslash run of odd
 * length before "u0000"), or @len. Decoded, it would be a NUL byte that
 * silently cuts the string there.
 */
static size_t escaped_nul_at(const char *line, size_t len)
{
    for (size_t i = 0; i + 6 <= len; i++) {
        if (line[i] != '\\' || memcmp(line + i + 1, "u0000", 5) != 0)
            continue;
        size_t run = 1;
        while (run <= i && line[i - run] == '\\')
            run++;
        if (run % 2 == 1)
            return i;
    }
    return len;
}

static int has_control_char(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

/* The top-level members rl_parse reads, in the order of member_names. */
enum member { M_UID, M_TYPE, M_PROVIDER, M_ACCOUNT, M_REGION, M_NAME, M_TAGS, M_DATA, M_SOURCE, M_OBSERVED_AT,
              M_COUNT };

#define NAME(s) {s, sizeof s - 1}
static const js_name member_names[M_COUNT] = {
    NAME("uid"),  NAME("type"), NAME("provider"), NAME("account"), NAME("region"),
    NAME("name"), NAME("tags"), NAME("data"),     NAME("source"),  NAME("observed_at"),
};
#undef NAME

/* One line being parsed: its text (rewritten in place) and member spans. */
typedef struct line_ctx {
    char *text;
    js_span m[M_COUNT];
    char *err;
    size_t errlen;
} line_ctx;

static int is_absent(js_span v) { return v.kind == JS_ABSENT || v.kind == JS_NULL; }

/*
 * Decode the string @v of the line in place and NUL-terminate it (where its
 * closing quote was at the latest); returns it, and its length in *len.
 */
static char *decode_in_place(line_ctx *c, js_span v, size_t *len)
{
    char *out = c->text + v.off + 1;
    if (!(v.flags & JS_HAS_ESC)) {
        *len = v.len - 2;
    } else {
        *len = js_string_decode(c->text, v, out);
    }
    out[*len] = '\0';
    return out;
}

/*
 * Read string member @which into *out (pointing into the line). Absent or
 * null leaves *out NULL; that is an error only when @required.
 * Identifiers must be non-empty, at most @max bytes, without control
 * characters.
 */
static int get_ident(line_ctx *c, enum member which, int required, size_t max, const char **out)
{
    js_span v = c->m[which];
    const char *name = member_names[which].name;
    *out = NULL;
    if (is_absent(v)) {
        if (required) {
            set_err(c->err, c->errlen, "missing required member '%s'", name);
            return -1;
        }
        return 0;
    }
    if (v.kind != JS_STRING || v.len == 2) { /* an escape never decodes to nothing */
        set_err(c->err, c->errlen, "member '%s' must be a non-empty string", name);
        return -1;
    }
    size_t len;
    const char *s = decode_in_place(c, v, &len);
    if (len > max) {
        set_err(c->err, c->errlen, "member '%s' is longer than %zu bytes", name, max);
        return -1;
    }
    /* js_scan let no raw byte below 0x20 into a string; only escapes can make one */
    if ((v.flags & JS_HAS_ESC) ? has_control_char(s) : memchr(s, 0x7f, len) != NULL) {
        set_err(c->err, c->errlen, "member '%s' contains a control character", name);
        return -1;
    }
    *out = s;
    return 0;
}

static int is_lower_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

/* ^[a-z0-9]+(\.[a-z0-9_]+)+$ */
static int type_is_valid(const char *t)
{
    size_t i = 0, dots = 0;
    if (!is_lower_digit(t[0]))
        return 0;
    while (is_lower_digit(t[i]))
        i++;
    while (t[i] == '.') {
        i++;
        if (!(is_lower_digit(t[i]) || t[i] == '_'))
            return 0;
        while (is_lower_digit(t[i]) || t[i] == '_')
            i++;
        dots++;
    }
    return t[i] == '\0' && dots > 0;
}

/* ^[a-z0-9][a-z0-9_-]*$ */
static int provider_is_valid(const char *p)
{
    if (!is_lower_digit(p[0]))
        return 0;
    for (size_t i = 1; p[i]; i++)
        if (!(is_lower_digit(p[i]) || p[i] == '_' || p[i] == '-'))
            return 0;
    return 1;
}

/* Parse exactly @n decimal digits. */
static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/*
 * Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian).
 * SOURCE: the well-known "days_from_civil" formula published by Howard
 * Hinnant (chrono-Compatible Low-Level Date Algorithms), public domain.
 */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int rl_parse_rfc3339(const char *s, int64_t *out)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
    if (strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &h) || s[13] != ':' ||
        digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &sec))
        return -1;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return -1;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p == '-' ? -1 : 1;
        if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om))
            return -1;
        p += 6;
    } else {
        return -1;
    }
    if (*p != '\0')
        return -1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) || h > 23 ||
        mi > 59 || sec > 60 || oh > 23 || om > 59)
        return -1;
    if (sec == 60)
        sec = 59;
    int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    t -= (int64_t)sign * (oh * 3600 + om * 60);
    *out = t;
    return 0;
}

/*
 * The text of object member @v, compacted and NUL-terminated in place. The
 * byte after a member's value is a delimiter of the line (',', '}' or
 * whitespace) that nothing reads any more, so it can take the NUL.
 */
static const char *object_text(line_ctx *c, js_span v)
{
    char *t = c->text + v.off;
    size_t len = v.flags & JS_HAS_WS ? js_compact(t, v.len) : v.len;
    t[len] = '\0';
    return t;
}

static int parse_tags(line_ctx *c, pp_resource *r)
{
    js_span tags = c->m[M_TAGS];
    if (is_absent(tags))
        return 0;
    if (tags.kind != JS_OBJECT) {
        set_err(c->err, c->errlen, "member 'tags' must be an object of strings");
        return -1;
    }
    size_t n = 0;
    char name[72], q[72];
    js_members it;
    js_span k, v;
    js_members_init(&it, c->text, tags);
    while (js_members_next(&it, &k, &v)) {
        if (++n > RL_MAX_TAGS) {
            set_err(c->err, c->errlen, "member 'tags' has more than %d tags", RL_MAX_TAGS);
            return -1;
        }
        if (js_string_decoded_len(c->text, k) > RL_MAX_TAG_KEY) {
            set_err(c->err, c->errlen, "a tag name is longer than %d bytes", RL_MAX_TAG_KEY);
            return -1;
        }
        if (v.kind != JS_STRING) {
            js_string_preview(c->text, k, name, sizeof name);
            quote_for_message(q, sizeof q, name);
            set_err(c->err, c->errlen, "tag '%s' must be a string", q);
            return -1;
        }
        if (js_string_decoded_len(c->text, v) > RL_MAX_TAG_VALUE) {
            js_string_preview(c->text, k, name, sizeof name);
            quote_for_message(q, sizeof q, name);
            set_err(c->err, c->errlen, "tag '%s' is longer than %d bytes", q, RL_MAX_TAG_VALUE);
            return -1;
        }
    }
    r->tags_json = object_text(c, tags);
    return 0;
}

/* Read source.line or source.column (@v) into *out: an integer >= 1 or absent. */
static int source_number(line_ctx *c, js_span v, const char *what, uint32_t *out)
{
    if (is_absent(v))
        return 0;
    uint32_t n = 0;
    if (v.kind != JS_NUMBER || js_number_u32(c->text, v, &n) != 0 || n < 1) {
        set_err(c->err, c->errlen, "member 'source.%s' must be an integer >= 1", what);
        return -1;
    }
    *out = n;
    return 0;
}

static int parse_source(line_ctx *c, pp_resource *r)
{
    static const char usage[] =
        "member 'source' must be {\"kind\":\"api\"} or {\"kind\":\"file\",\"file\":PATH,\"line\":N}";
    js_span src = c->m[M_SOURCE];
    r->source = "api";
    if (is_absent(src))
        return 0;
    if (src.kind != JS_OBJECT) {
        set_err(c->err, c->errlen, "%s", usage);
        return -1;
    }
    js_span kind = {0}, file = {0}, line = {0}, col = {0}, k, v;
    js_members it;
    char name[16];
    js_members_init(&it, c->text, src);
    while (js_members_next(&it, &k, &v)) {
        js_string_preview(c->text, k, name, sizeof name);
        if (strcmp(name, "kind") == 0)
            kind = v;
        else if (strcmp(name, "file") == 0)
            file = v;
        else if (strcmp(name, "line") == 0)
            line = v;
        else if (strcmp(name, "column") == 0)
            col = v;
    }
    char kind_text[8] = "";
    if (kind.kind == JS_STRING)
        js_string_preview(c->text, kind, kind_text, sizeof kind_text);
    if (kind.kind != JS_STRING || (strcmp(kind_text, "api") != 0 && strcmp(kind_text, "file") != 0)) {
        set_err(c->err, c->errlen, "%s", usage);
        return -1;
    }
    if (strcmp(kind_text, "api") == 0)
        return 0;
    size_t len = 0;
    const char *path = file.kind == JS_STRING && file.len > 2 ? decode_in_place(c, file, &len) : NULL;
    if (!path || has_control_char(path) || len > RL_MAX_UID) {
        set_err(c->err, c->errlen, "member 'source.file' must be a non-empty path");
        return -1;
    }
    r->source = path;
    if (source_number(c, line, "line", &r->source_line) != 0 ||
        source_number(c, col, "column", &r->source_column) != 0)
        return -1;
    return 0;
}

static int parse_members(line_ctx *c, pp_resource *r)
{
    if (get_ident(c, M_UID, 1, RL_MAX_UID, &r->uid) || get_ident(c, M_TYPE, 1, RL_MAX_TYPE, &r->type) ||
        get_ident(c, M_PROVIDER, 1, RL_MAX_PROVIDER, &r->provider))
        return -1;
    if (!type_is_valid(r->type)) {
        char q[72];
        quote_for_message(q, sizeof q, r->type);
        set_err(c->err, c->errlen,
                "member 'type' is '%s'; it must match ^[a-z0-9]+(\\.[a-z0-9_]+)+$ (e.g. aws.s3.bucket)", q);
        return -1;
    }
    if (!provider_is_valid(r->provider)) {
        set_err(c->err, c->errlen, "member 'provider' must match ^[a-z0-9][a-z0-9_-]*$ (e.g. aws)");
        return -1;
    }
    if (get_ident(c, M_ACCOUNT, 0, RL_MAX_ACCOUNT, &r->account) ||
        get_ident(c, M_REGION, 0, RL_MAX_REGION, &r->region) || get_ident(c, M_NAME, 0, RL_MAX_NAME, &r->name))
        return -1;
    if (parse_tags(c, r) || parse_source(c, r))
        return -1;

    js_span data = c->m[M_DATA];
    if (!is_absent(data)) {
        if (data.kind != JS_OBJECT) {
            set_err(c->err, c->errlen, "member 'data' must be an object");
            return -1;
        }
        r->data_json = object_text(c, data);
    }

    js_span obs = c->m[M_OBSERVED_AT];
    if (!is_absent(obs)) {
        size_t len;
        if (obs.kind != JS_STRING || rl_parse_rfc3339(decode_in_place(c, obs, &len), &r->observed_at) != 0) {
            set_err(c->err, c->errlen,
                    "member 'observed_at' must be an RFC 3339 date-time such as 2026-11-28T10:00:00Z");
            return -1;
        }
    }
    return 0;
}

/*
 * Why the line is not even acceptable as text: a NUL byte, invalid UTF-8 or
 * a \u0000 escape, checked over the whole line in that order. Only run when
 * the scan failed, so these reasons win over a syntax error as they always
 * did. Returns -1 with @err set, or 0 when none applies.
 */
static int text_error(const char *line, size_t len, char *err, size_t errlen)
{
    const char *nul = memchr(line, '\0', len);
    if (nul) {
        set_err(err, errlen, "NUL byte at column %zu", (size_t)(nul - line) + 1);
        return -1;
    }
    size_t bad = rl_utf8_invalid_at((const unsigned char *)line, len);
    if (bad < len) {
        set_err(err, errlen, "invalid UTF-8 at column %zu", bad + 1);
        return -1;
    }
    bad = escaped_nul_at(line, len);
    if (bad < len) {
        set_err(err, errlen, "\\u0000 (NUL) in a string at column %zu is not supported", bad + 1);
        return -1;
    }
    return 0;
}

int rl_parse(rl_parser *p, char *line, size_t len, pp_resource *res, char *err, size_t errlen)
{
    line_ctx c = {.text = line, .err = err, .errlen = errlen};
    js_span root;
    js_error je;

    memset(res, 0, sizeof *res);
    PP_INIT(res);
    if (js_scan(&p->scan, line, len, member_names, M_COUNT, &root, c.m, &je) != 0) {
        if (je.status != JS_ERR_NOMEM && je.status != JS_ERR_DUPLICATE && text_error(line, len, err, errlen) != 0)
            return -1;
        switch (je.status) {
        case JS_ERR_TRAILING:
            set_err(err, errlen, "unexpected text after the JSON object at column %zu", je.at + 1);
            break;
        case JS_ERR_DUPLICATE: {
            if (root.kind != JS_OBJECT) { /* as before: the shape is the first complaint */
                set_err(err, errlen, "the line is not a JSON object");
                break;
            }
            char name[72], q[72];
            js_string_preview(line, je.dup, name, sizeof name);
            quote_for_message(q, sizeof q, name);
            set_err(err, errlen, "duplicate member '%s'", q);
            break;
        }
        case JS_ERR_NOMEM:
            set_err(err, errlen, "out of memory");
            break;
        default:
            set_err(err, errlen, "invalid JSON at column %zu: %s", je.at + 1, je.why);
            break;
        }
        return -1;
    }
    if (root.kind != JS_OBJECT) {
        set_err(err, errlen, "the line is not a JSON object");
        return -1;
    }
    if (parse_members(&c, res) != 0) {
        memset(res, 0, sizeof *res);
        return -1;
    }
    return 0;
}
