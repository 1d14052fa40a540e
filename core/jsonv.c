/* core/jsonv.c - see jsonv.h. An explicit stack keeps deep input from
 * exhausting the C stack. */
#include "config.h"

#include "jsonv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const unsigned char *p, *end, *start;
    char *err;
    size_t errlen;
} jv;

static int fail(jv *v, const char *what)
{
    if (v->err)
        snprintf(v->err, v->errlen, "offset %zu: %s", (size_t)(v->p - v->start), what);
    return -1;
}

static void skip_ws(jv *v)
{
    while (v->p < v->end && (*v->p == ' ' || *v->p == '\t' || *v->p == '\n' || *v->p == '\r'))
        v->p++;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Validate one UTF-8 sequence starting at v->p (a byte >= 0x80). */
static int utf8_seq(jv *v)
{
    const unsigned char *p = v->p;
    unsigned c = *p;
    int n;
    unsigned min;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 1;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 2;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 3;
        min = 0x10000;
    } else {
        return fail(v, "invalid UTF-8");
    }
    if (v->end - p <= n)
        return fail(v, "truncated UTF-8");
    unsigned cp = c & (0x3f >> n);
    for (int i = 1; i <= n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return fail(v, "invalid UTF-8");
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return fail(v, "invalid UTF-8");
    v->p += n + 1;
    return 0;
}

static int string(jv *v)
{
    v->p++; /* opening quote */
    while (v->p < v->end) {
        unsigned char c = *v->p;
        if (c == '"') {
            v->p++;
            return 0;
        }
        if (c < 0x20)
            return fail(v, "control character in string");
        if (c == '\\') {
            v->p++;
            if (v->p >= v->end)
                break;
            c = *v->p;
            if (c == 'u') {
                if (v->end - v->p < 5)
                    return fail(v, "truncated \\u escape");
                for (int i = 1; i <= 4; i++)
                    if (hexval(v->p[i]) < 0)
                        return fail(v, "bad \\u escape");
                v->p += 5;
                continue;
            }
            if (!strchr("\"\\/bfnrt", c) || c == 0)
                return fail(v, "bad escape");
            v->p++;
            continue;
        }
        if (c >= 0x80) {
            if (utf8_seq(v))
                return -1;
            continue;
        }
        v->p++;
    }
    return fail(v, "unterminated string");
}

static int number(jv *v)
{
    const unsigned char *p = v->p;
    if (p < v->end && *p == '-')
        p++;
    if (p >= v->end)
        return fail(v, "bad number");
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (p < v->end && *p >= '0' && *p <= '9')
            p++;
    } else {
        return fail(v, "bad number");
    }
    if (p < v->end && *p == '.') {
        p++;
        if (p >= v->end || *p < '0' || *p > '9')
            return fail(v, "bad number");
        while (p < v->end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < v->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < v->end && (*p == '+' || *p == '-'))
            p++;
        if (p >= v->end || *p < '0' || *p > '9')
            return fail(v, "bad number");
        while (p < v->end && *p >= '0' && *p <= '9')
            p++;
    }
    v->p = p;
    return 0;
}

static int literal(jv *v, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(v->end - v->p) < n || memcmp(v->p, word, n) != 0)
        return fail(v, "unexpected character");
    v->p += n;
    return 0;
}

int json_validate(const char *s, size_t len, int want, int max_depth, char *err, size_t errlen)
{
    jv v = {(const unsigned char *)s, (const unsigned char *)s + len, (const unsigned char *)s, err, errlen};
    if (max_depth <= 0 || max_depth > 100000)
        max_depth = 512;
    /* stack of container kinds: '{' or '[' */
    char small[64];
    char *stack = max_depth <= (int)sizeof small ? small : malloc((size_t)max_depth);
    if (!stack)
        return fail(&v, "out of memory");
    int depth = 0, rc = -1;
    skip_ws(&v);
    if (v.p >= v.end) {
        fail(&v, "empty document");
        goto out;
    }
    if (want == JSONV_OBJECT && *v.p != '{') {
        fail(&v, "expected an object");
        goto out;
    }
    if (want == JSONV_ARRAY && *v.p != '[') {
        fail(&v, "expected an array");
        goto out;
    }
    for (;;) {
        /* expect a value */
        skip_ws(&v);
        if (v.p >= v.end) {
            fail(&v, "unexpected end");
            goto out;
        }
        unsigned char c = *v.p;
        if (c == '{' || c == '[') {
            if (depth >= max_depth) {
                fail(&v, "nesting too deep");
                goto out;
            }
            stack[depth++] = (char)c;
            v.p++;
            skip_ws(&v);
            if (v.p < v.end && *v.p == (c == '{' ? '}' : ']')) {
                v.p++;
                depth--;
                goto after_value;
            }
            if (c == '{')
                goto expect_key;
            continue;
        } else if (c == '"') {
            if (string(&v))
                goto out;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            if (number(&v))
                goto out;
        } else if (c == 't') {
            if (literal(&v, "true"))
                goto out;
        } else if (c == 'f') {
            if (literal(&v, "false"))
                goto out;
        } else if (c == 'n') {
            if (literal(&v, "null"))
                goto out;
        } else {
            fail(&v, "unexpected character");
            goto out;
        }
    after_value:
        skip_ws(&v);
        if (depth == 0) {
            if (v.p != v.end) {
                fail(&v, "trailing characters after the value");
                goto out;
            }
            rc = 0;
            goto out;
        }
        if (v.p >= v.end) {
            fail(&v, "unexpected end");
            goto out;
        }
        if (*v.p == ',') {
            v.p++;
            if (stack[depth - 1] == '{')
                goto expect_key;
            continue;
        }
        if (*v.p == (stack[depth - 1] == '{' ? '}' : ']')) {
            v.p++;
            depth--;
            goto after_value;
        }
        fail(&v, stack[depth - 1] == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
        goto out;
    expect_key:
        skip_ws(&v);
        if (v.p >= v.end || *v.p != '"') {
            fail(&v, "expected a member name");
            goto out;
        }
        if (string(&v))
            goto out;
        skip_ws(&v);
        if (v.p >= v.end || *v.p != ':') {
            fail(&v, "expected ':'");
            goto out;
        }
        v.p++;
    }
out:
    if (stack != small)
        free(stack);
    return rc;
}
