/*
 * plugins/snapshot/json_scan.c - single-pass JSON validation with the spans
 * of the top-level members. See json_scan.h.
 *
 * The scanner is iterative (an explicit stack of open containers), so
 * hostile nesting costs no C stack. Member names of the objects open at a
 * moment sit on a key stack; when an object closes, its names are checked
 * for repeats (pairwise for small objects, by sorting for big ones, so a
 * line with a million members stays O(n log n)) and popped.
 */
#include "json_scan.h"

#include <stdlib.h>
#include <string.h>

/* Objects with at most this many members are checked pairwise. */
#define JS_PAIRWISE_MAX 16

void js_scanner_init(js_scanner *s)
{
    memset(s, 0, sizeof *s);
}

void js_scanner_free(js_scanner *s)
{
    free(s->keys);
    free(s->sort_tmp);
    s->keys = s->sort_tmp = NULL;
    s->n_keys = s->cap_keys = s->cap_tmp = 0;
}

/* ---- UTF-8 and strings --------------------------------------------------- */

size_t js_utf8_seq_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the 2nd byte */
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0)
            lo = 0xA0; /* no overlong 3-byte forms */
        else if (c == 0xED)
            hi = 0x9F; /* no UTF-16 surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0)
            lo = 0x90; /* no overlong 4-byte forms */
        else if (c == 0xF4)
            hi = 0x8F; /* nothing above U+10FFFF */
    } else {
        return 0;
    }
    if (avail <= need || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k <= need; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return need + 1;
}

/* Nonzero for a byte a string scan must stop at: '"', '\\', a control character, non-ASCII. */
static int str_special(unsigned char c)
{
    return c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
}

/*
 * Nonzero when one of the 8 bytes of @w is special (see str_special). The
 * classic SWAR tests "has a byte < n" and "has a zero byte" are exact as
 * booleans; they let plain ASCII runs go by 8 bytes at a time.
 */
static int word_has_special(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t ctl = (w - ones * 0x20) & ~w & highs;
    uint64_t q = w ^ (ones * '"');
    uint64_t b = w ^ (ones * '\\');
    q = (q - ones) & ~q & highs;
    b = (b - ones) & ~b & highs;
    return ((w & highs) | ctl | q | b) != 0;
}

static int hex_val(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* The 4 hex digits at @p (@avail bytes there) as a code unit, or -1. */
static long hex4(const char *p, size_t avail)
{
    if (avail < 4)
        return -1;
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex_val((unsigned char)p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* State of a scan; the error goes to err. */
typedef struct scan {
    const char *text;
    const char *end;
    js_error *err;
} scan;

/* Record a syntax error at @at; returns NULL for the caller to pass up. */
static const char *syntax_error(scan *sc, const char *at, const char *why)
{
    sc->err->status = JS_ERR_SYNTAX;
    sc->err->at = (size_t)(at - sc->text);
    sc->err->why = why;
    return NULL;
}

/* Check the escape at @q (a backslash); return the byte after it, or NULL. */
static const char *scan_escape(scan *sc, const char *q)
{
    size_t avail = (size_t)(sc->end - q);
    if (avail < 2)
        return syntax_error(sc, q, "unterminated string");
    switch (q[1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        return q + 2;
    case 'u':
        break;
    default:
        return syntax_error(sc, q, "invalid escape in a string");
    }
    long u = hex4(q + 2, avail - 2);
    if (u < 0)
        return syntax_error(sc, q, "\\u must be followed by 4 hex digits");
    if (u == 0)
        return syntax_error(sc, q, "\\u0000 in a string");
    if (u >= 0xDC00 && u <= 0xDFFF)
        return syntax_error(sc, q, "unpaired UTF-16 surrogate escape");
    if (u < 0xD800 || u > 0xDBFF)
        return q + 6;
    long lo = avail >= 12 && q[6] == '\\' && q[7] == 'u' ? hex4(q + 8, avail - 8) : -1;
    if (lo < 0xDC00 || lo > 0xDFFF)
        return syntax_error(sc, q, "unpaired UTF-16 surrogate escape");
    return q + 12;
}

/*
 * Check the string whose opening quote is at @p; return the byte after its
 * closing quote, or NULL. JS_HAS_ESC is added to *flags when it has escapes.
 */
static const char *scan_string(scan *sc, const char *p, unsigned *flags)
{
    const char *q = p + 1, *end = sc->end;
    for (;;) {
        while (end - q >= 8) {
            uint64_t w;
            memcpy(&w, q, sizeof w);
            if (word_has_special(w))
                break;
            q += 8;
        }
        while (q < end && !str_special((unsigned char)*q))
            q++;
        if (q >= end)
            return syntax_error(sc, q, "unterminated string");
        unsigned char c = (unsigned char)*q;
        if (c == '"')
            return q + 1;
        if (c == '\\') {
            *flags |= JS_HAS_ESC;
            q = scan_escape(sc, q);
            if (!q)
                return NULL;
        } else if (c < 0x20) {
            return syntax_error(sc, q, "control character in a string (it must be escaped)");
        } else {
            size_t n = js_utf8_seq_len((const unsigned char *)q, (size_t)(end - q));
            if (n == 0)
                return syntax_error(sc, q, "invalid UTF-8 in a string");
            q += n;
        }
    }
}

/* Check the number at @p: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static const char *scan_number(scan *sc, const char *p)
{
    const char *q = p, *end = sc->end;
#define IS_DIGIT(x) ((x) >= '0' && (x) <= '9')
    if (*q == '-')
        q++;
    if (q < end && *q == '0') {
        q++;
    } else if (q < end && IS_DIGIT(*q)) {
        while (q < end && IS_DIGIT(*q))
            q++;
    } else {
        return syntax_error(sc, q, "a number needs a digit here");
    }
    if (q < end && *q == '.') {
        q++;
        if (q >= end || !IS_DIGIT(*q))
            return syntax_error(sc, q, "a number needs a digit after '.'");
        while (q < end && IS_DIGIT(*q))
            q++;
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < end && (*q == '+' || *q == '-'))
            q++;
        if (q >= end || !IS_DIGIT(*q))
            return syntax_error(sc, q, "a number needs a digit in its exponent");
        while (q < end && IS_DIGIT(*q))
            q++;
    }
#undef IS_DIGIT
    return q;
}

/* Skip JSON whitespace; *count grows when some was skipped. */
static const char *skip_ws(const char *p, const char *end, unsigned long *count)
{
    const char *start = p;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    *count += p != start;
    return p;
}

/* ---- member names --------------------------------------------------------- */

/* Decodes a validated string one byte at a time. */
typedef struct str_reader {
    const char *p, *end; /* raw bytes still to read (closing quote excluded) */
    unsigned char pend[4];
    int n_pend, i_pend;
} str_reader;

static void str_reader_init(str_reader *r, const char *raw, size_t rawlen)
{
    r->p = raw;
    r->end = raw + rawlen;
    r->n_pend = r->i_pend = 0;
}

/* Next decoded byte, or -1 at the end. */
static int str_reader_next(str_reader *r)
{
    if (r->i_pend < r->n_pend)
        return r->pend[r->i_pend++];
    if (r->p >= r->end)
        return -1;
    unsigned char c = (unsigned char)*r->p;
    if (c != '\\') {
        r->p++;
        return c;
    }
    char e = r->p[1];
    r->p += 2;
    switch (e) {
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'u': break;
    default: return (unsigned char)e; /* '"', '\\', '/' */
    }
    unsigned long cp = (unsigned long)hex4(r->p, 4);
    r->p += 4;
    if (cp >= 0xD800 && cp <= 0xDBFF) { /* js_scan checked the low half follows */
        unsigned long lo = (unsigned long)hex4(r->p + 2, 4);
        r->p += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    int n;
    if (cp < 0x80) {
        r->pend[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        r->pend[0] = (unsigned char)(0xC0 | (cp >> 6));
        r->pend[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        r->pend[0] = (unsigned char)(0xE0 | (cp >> 12));
        r->pend[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        r->pend[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        r->pend[0] = (unsigned char)(0xF0 | (cp >> 18));
        r->pend[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        r->pend[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        r->pend[3] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    r->n_pend = n;
    r->i_pend = 1;
    return r->pend[0];
}

/* Describe the name whose raw bytes (quotes excluded) are @raw[0..len); no hash yet. */
static js_key make_key(const char *text, const char *raw, size_t len, int escaped)
{
    js_key k = {.off = (uint32_t)(raw - text), .len = (uint32_t)len, .dlen = (uint32_t)len};
    if (escaped) {
        str_reader r;
        str_reader_init(&r, raw, len);
        k.dlen = 0;
        while (str_reader_next(&r) >= 0)
            k.dlen++;
    }
    return k;
}

/* FNV-1a (32 bits) of the decoded name; only big objects need it. */
static uint32_t key_hash(const char *text, const js_key *k)
{
    uint32_t h = 2166136261u;
    const unsigned char *raw = (const unsigned char *)text + k->off;
    if (k->dlen == k->len) {
        for (size_t i = 0; i < k->len; i++)
            h = (h ^ raw[i]) * 16777619u;
    } else {
        str_reader r;
        int c;
        str_reader_init(&r, (const char *)raw, k->len);
        while ((c = str_reader_next(&r)) >= 0)
            h = (h ^ (unsigned)c) * 16777619u;
    }
    return h;
}

/* Order of the decoded bytes of two names of the same decoded length. */
static int key_text_cmp(const char *text, const js_key *a, const js_key *b)
{
    if (a->dlen == a->len && b->dlen == b->len)
        return memcmp(text + a->off, text + b->off, a->len);
    str_reader ra, rb;
    str_reader_init(&ra, text + a->off, a->len);
    str_reader_init(&rb, text + b->off, b->len);
    for (;;) {
        int ca = str_reader_next(&ra), cb = str_reader_next(&rb);
        if (ca != cb)
            return ca < cb ? -1 : 1;
        if (ca < 0)
            return 0;
    }
}

/* Order of two hashed names: hash, decoded length, then decoded bytes. */
static int key_cmp(const char *text, const js_key *a, const js_key *b)
{
    if (a->hash != b->hash)
        return a->hash < b->hash ? -1 : 1;
    if (a->dlen != b->dlen)
        return a->dlen < b->dlen ? -1 : 1;
    return key_text_cmp(text, a, b);
}

/* Stable merge sort of @v[0..n) by key_cmp, with @tmp of n entries. */
static void key_sort(const char *text, js_key *v, js_key *tmp, size_t n)
{
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = key_cmp(text, &v[j], &v[i]) < 0 ? v[j++] : v[i++];
            while (i < mid)
                tmp[k++] = v[i++];
            while (j < hi)
                tmp[k++] = v[j++];
        }
        memcpy(v, tmp, n * sizeof *v);
    }
}

/*
 * The object whose names start at key index @base closes: look for a
 * repeated name (the first one is kept in err->dup), then pop its names.
 * Returns -1 when out of memory.
 */
static int close_object(js_scanner *s, const char *text, size_t base, js_error *err)
{
    js_key *v = s->keys + base;
    size_t n = s->n_keys - base;
    const js_key *dup = NULL;
    if (err->dup.kind == JS_ABSENT && n > 1) {
        if (n <= JS_PAIRWISE_MAX) {
            for (size_t i = 1; i < n && !dup; i++)
                for (size_t j = 0; j < i && !dup; j++)
                    if (v[i].dlen == v[j].dlen && key_text_cmp(text, &v[i], &v[j]) == 0)
                        dup = &v[i];
        } else {
            if (s->cap_tmp < n) {
                js_key *t = realloc(s->sort_tmp, n * sizeof *t);
                if (!t)
                    return -1;
                s->sort_tmp = t;
                s->cap_tmp = n;
            }
            for (size_t i = 0; i < n; i++)
                v[i].hash = key_hash(text, &v[i]);
            key_sort(text, v, s->sort_tmp, n);
            for (size_t i = 1; i < n && !dup; i++)
                if (key_cmp(text, &v[i - 1], &v[i]) == 0)
                    dup = &v[i];
        }
        if (dup) {
            err->dup.off = dup->off - 1;
            err->dup.len = (size_t)dup->len + 2;
            err->dup.kind = JS_STRING;
            err->dup.flags = dup->dlen < dup->len ? JS_HAS_ESC : 0;
        }
    }
    s->n_keys = base;
    return 0;
}

static int push_key(js_scanner *s, js_key k)
{
    if (s->n_keys == s->cap_keys) {
        size_t cap = s->cap_keys ? s->cap_keys * 2 : 256;
        js_key *v = realloc(s->keys, cap * sizeof *v);
        if (!v)
            return -1;
        s->keys = v;
        s->cap_keys = cap;
    }
    s->keys[s->n_keys++] = k;
    return 0;
}

/* Index of the wanted name equal to the member name @k, or -1. */
static int match_name(const char *text, const js_key *k, const js_name *names, size_t n_names)
{
    char buf[64];
    const char *name = text + k->off;
    if (k->dlen >= sizeof buf)
        return -1;
    if (k->dlen < k->len) { /* escaped: compare the decoded name */
        js_span sp = {.off = k->off - 1, .len = (size_t)k->len + 2, .kind = JS_STRING, .flags = JS_HAS_ESC};
        js_string_decode(text, sp, buf);
        name = buf;
    }
    for (size_t i = 0; i < n_names; i++)
        if (names[i].len == k->dlen && memcmp(names[i].name, name, k->dlen) == 0)
            return (int)i;
    return -1;
}

/* ---- the scan ------------------------------------------------------------- */

static unsigned kind_at(char c)
{
    switch (c) {
    case '{': return JS_OBJECT;
    case '[': return JS_ARRAY;
    case '"': return JS_STRING;
    case 't': return JS_TRUE;
    case 'f': return JS_FALSE;
    case 'n': return JS_NULL;
    default: return JS_NUMBER;
    }
}

/* Record a syntax error at @at; returns -1 for js_scan to pass up. */
static int fail_at(scan *sc, const char *at, const char *why)
{
    syntax_error(sc, at, why);
    return -1;
}

static int fail_nomem(js_error *err)
{
    err->status = JS_ERR_NOMEM;
    err->why = "out of memory";
    return -1;
}

int js_scan(js_scanner *s, const char *text, size_t len, const js_name *names, size_t n_names, js_span *root,
            js_span *members, js_error *err)
{
    scan sc = {.text = text, .end = text + len, .err = err};
    const char *p = text, *end = text + len;
    size_t depth = 0;             /* containers open */
    unsigned long ws = 0;         /* runs of whitespace skipped so far */
    unsigned long member_ws = 0;  /* ws when the current top-level member's value began */
    unsigned str_flags = 0;       /* flags of the last string value */
    int member = -1;              /* index in names of the top-level member being read */
    size_t member_start = 0;

    memset(err, 0, sizeof *err);
    for (size_t i = 0; i < n_names; i++)
        members[i] = (js_span){0};
    s->n_keys = 0;
    if (len > UINT32_MAX) /* js_key offsets are 32-bit; max_line_bytes is far below */
        return fail_at(&sc, text, "line too long for the JSON scanner");

    p = skip_ws(p, end, &ws);
    root->off = (size_t)(p - text);

    /*
     * A small state machine: `value` reads one value (opening a container
     * pushes it and reads its first element or name), `after` runs when a
     * value is complete and decides what may follow, `name` reads a member
     * name and its colon.
     */
value:
    if (p >= end)
        return fail_at(&sc, p, "a value is missing");
    switch (*p) {
    case '{':
    case '[':
        if (depth == JS_MAX_DEPTH)
            return fail_at(&sc, p, "nested deeper than 1000 levels");
        s->open[depth] = (unsigned char)*p;
        s->key_base[depth] = (uint32_t)s->n_keys;
        depth++;
        p = skip_ws(p + 1, end, &ws);
        if (s->open[depth - 1] == '{')
            goto name;
        if (p < end && *p == ']') {
            p++;
            depth--;
            goto after;
        }
        goto value;
    case '"':
        str_flags = 0;
        p = scan_string(&sc, p, &str_flags);
        break;
    case 't':
        p = end - p >= 4 && memcmp(p, "true", 4) == 0 ? p + 4 : syntax_error(&sc, p, "unknown literal");
        break;
    case 'f':
        p = end - p >= 5 && memcmp(p, "false", 5) == 0 ? p + 5 : syntax_error(&sc, p, "unknown literal");
        break;
    case 'n':
        p = end - p >= 4 && memcmp(p, "null", 4) == 0 ? p + 4 : syntax_error(&sc, p, "unknown literal");
        break;
    default:
        if (*p == '-' || (*p >= '0' && *p <= '9'))
            p = scan_number(&sc, p);
        else
            p = syntax_error(&sc, p, "a value is expected here");
        break;
    }
    if (!p)
        return -1;

after:
    if (depth == 1 && member >= 0) { /* a top-level member's value is complete */
        js_span *m = &members[member];
        m->off = member_start;
        m->len = (size_t)(p - text) - member_start;
        m->kind = kind_at(text[member_start]);
        m->flags = m->kind == JS_STRING ? str_flags : ws != member_ws ? JS_HAS_WS : 0;
        member = -1;
    }
    if (depth == 0)
        goto done;
    p = skip_ws(p, end, &ws);
    if (p >= end)
        return fail_at(&sc, p, s->open[depth - 1] == '{' ? "'}' is missing" : "']' is missing");
    if (*p == ',') {
        p = skip_ws(p + 1, end, &ws);
        if (s->open[depth - 1] == '{')
            goto name;
        goto value;
    }
    if (*p == (s->open[depth - 1] == '{' ? '}' : ']')) {
        depth--;
        if (s->open[depth] == '{' && close_object(s, text, s->key_base[depth], err) != 0)
            return fail_nomem(err);
        p++;
        goto after;
    }
    return fail_at(&sc, p, s->open[depth - 1] == '{' ? "',' or '}' expected" : "',' or ']' expected");

name:
    if (p < end && *p == '}' && s->n_keys == s->key_base[depth - 1]) { /* {} */
        depth--;
        p++;
        goto after;
    }
    if (p >= end || *p != '"')
        return fail_at(&sc, p, "a member name in double quotes is expected");
    {
        const char *name_start = p;
        unsigned flags = 0;
        p = scan_string(&sc, p, &flags);
        if (!p)
            return -1;
        js_key k = make_key(text, name_start + 1, (size_t)(p - name_start) - 2, (flags & JS_HAS_ESC) != 0);
        if (push_key(s, k) != 0)
            return fail_nomem(err);
        if (depth == 1)
            member = match_name(text, &k, names, n_names);
    }
    p = skip_ws(p, end, &ws);
    if (p >= end || *p != ':')
        return fail_at(&sc, p, "':' expected after a member name");
    p = skip_ws(p + 1, end, &ws);
    if (depth == 1) {
        member_start = (size_t)(p - text);
        member_ws = ws;
    }
    goto value;

done:
    root->len = (size_t)(p - text) - root->off;
    root->kind = kind_at(text[root->off]);
    root->flags = root->kind == JS_STRING ? str_flags : 0;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
    if (p < end) {
        err->status = JS_ERR_TRAILING;
        err->at = (size_t)(p - text);
        return -1;
    }
    if (err->dup.kind != JS_ABSENT) {
        err->status = JS_ERR_DUPLICATE;
        return -1;
    }
    if (root->kind != JS_OBJECT)
        for (size_t i = 0; i < n_names; i++)
            members[i] = (js_span){0};
    return 0;
}

/* ---- helpers on validated text -------------------------------------------- */

size_t js_string_decode(const char *text, js_span str, char *out)
{
    const char *raw = text + str.off + 1;
    size_t rawlen = str.len - 2;
    if (!(str.flags & JS_HAS_ESC)) {
        memmove(out, raw, rawlen);
        return rawlen;
    }
    str_reader r;
    int c;
    size_t n = 0;
    str_reader_init(&r, raw, rawlen);
    while ((c = str_reader_next(&r)) >= 0)
        out[n++] = (char)c;
    return n;
}

size_t js_string_decoded_len(const char *text, js_span str)
{
    if (!(str.flags & JS_HAS_ESC))
        return str.len - 2;
    str_reader r;
    size_t n = 0;
    str_reader_init(&r, text + str.off + 1, str.len - 2);
    while (str_reader_next(&r) >= 0)
        n++;
    return n;
}

void js_string_preview(const char *text, js_span str, char *out, size_t outlen)
{
    str_reader r;
    int c;
    size_t n = 0;
    if (outlen == 0)
        return;
    str_reader_init(&r, text + str.off + 1, str.len - 2);
    while (n + 1 < outlen && (c = str_reader_next(&r)) >= 0)
        out[n++] = (char)c;
    out[n] = '\0';
}

size_t js_compact(char *t, size_t len)
{
    size_t w = 0;
    int in_string = 0;
    for (size_t r = 0; r < len; r++) {
        char c = t[r];
        if (in_string) {
            t[w++] = c;
            if (c == '\\' && r + 1 < len)
                t[w++] = t[++r];
            else if (c == '"')
                in_string = 0;
        } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
            t[w++] = c;
            in_string = c == '"';
        }
    }
    return w;
}

int js_number_u32(const char *text, js_span num, uint32_t *out)
{
    /*
     * Exact decimal arithmetic: the digits of the integer part and then of
     * the fraction form d[0..n); the value is the sum of
     * d[i] * 10^(n_int - 1 - i + exp). It is an integer when the last
     * nonzero digit has a power >= 0.
     */
    const char *p = text + num.off, *end = p + num.len;
    int negative = *p == '-';
    long n = 0, n_int = -1, first_nz = -1, last_nz = -1, exp = 0;
    const char *q = p + negative;
    for (; q < end && *q != 'e' && *q != 'E'; q++) {
        if (*q == '.') {
            n_int = n;
            continue;
        }
        if (*q != '0') {
            if (first_nz < 0)
                first_nz = n;
            last_nz = n;
        }
        n++;
    }
    if (n_int < 0)
        n_int = n;
    if (q < end) { /* the exponent */
        int exp_negative = q[1] == '-';
        for (q += 1 + (q[1] == '-' || q[1] == '+'); q < end; q++)
            if (exp < 100000)
                exp = exp * 10 + (*q - '0');
        if (exp_negative)
            exp = -exp;
    }
    if (first_nz < 0) {
        *out = 0;
        return 0;
    }
    if (negative || n_int - 1 - last_nz + exp < 0 || n_int - 1 - first_nz + exp > 9)
        return -1;
    uint64_t v = 0;
    long i = 0;
    for (q = p; q < end && *q != 'e' && *q != 'E'; q++) {
        if (*q < '0' || *q > '9')
            continue;
        if (i >= first_nz && i <= last_nz)
            v = v * 10 + (uint64_t)(*q - '0');
        i++;
    }
    for (long k = n_int - 1 - last_nz + exp; k > 0; k--)
        v *= 10;
    if (v > UINT32_MAX)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* The byte after the validated string starting at @p (its opening quote). */
static const char *skip_string(const char *p)
{
    p++;
    while (*p != '"')
        p += *p == '\\' ? 2 : 1;
    return p + 1;
}

/* The byte after the validated value starting at @p; @end bounds scalars. */
static const char *skip_value(const char *p, const char *end)
{
    if (*p == '"')
        return skip_string(p);
    if (*p == '{' || *p == '[') {
        size_t depth = 0;
        do {
            if (*p == '"') {
                p = skip_string(p);
                continue;
            }
            if (*p == '{' || *p == '[')
                depth++;
            else if (*p == '}' || *p == ']')
                depth--;
            p++;
        } while (depth > 0);
        return p;
    }
    while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' && *p != '\r' &&
           *p != '\n')
        p++;
    return p;
}

static size_t skip_ws_at(const char *text, size_t pos, size_t end)
{
    while (pos < end && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\r' || text[pos] == '\n'))
        pos++;
    return pos;
}

void js_members_init(js_members *it, const char *text, js_span obj)
{
    it->text = text;
    it->pos = obj.off + 1;
    it->end = obj.off + obj.len - 1;
}

int js_members_next(js_members *it, js_span *name, js_span *value)
{
    const char *t = it->text;
    size_t pos = skip_ws_at(t, it->pos, it->end);
    if (pos < it->end && t[pos] == ',')
        pos = skip_ws_at(t, pos + 1, it->end);
    if (pos >= it->end)
        return 0;
    size_t after = (size_t)(skip_string(t + pos) - t);
    *name = (js_span){.off = pos, .len = after - pos, .kind = JS_STRING,
                      .flags = memchr(t + pos, '\\', after - pos) ? JS_HAS_ESC : 0};
    pos = skip_ws_at(t, after, it->end);
    pos = skip_ws_at(t, pos + 1, it->end); /* the colon */
    after = (size_t)(skip_value(t + pos, t + it->end) - t);
    *value = (js_span){.off = pos, .len = after - pos, .kind = kind_at(t[pos])};
    if (value->kind == JS_STRING && memchr(t + pos, '\\', after - pos))
        value->flags = JS_HAS_ESC;
    it->pos = after;
    return 1;
}
