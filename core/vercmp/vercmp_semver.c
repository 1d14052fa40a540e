/*
 * core/vercmp/vercmp_semver.c - Semantic Versioning 2.0 (npm) and Go
 * module versions.
 *
 * semver: MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]. Numbers compare as
 * numbers; a version with a prerelease is older than the same version
 * without; prerelease identifiers (dot-separated) compare one by one,
 * numeric ones as numbers and before alphanumeric ones, which compare as
 * ASCII; a shorter list of equal identifiers is older; build metadata is
 * ignored. A leading "v" or "=" (as npm accepts) is allowed. Facts from
 * semver.org 2.0.0, section 11.
 *
 * go: the same order over "vMAJOR[.MINOR[.PATCH]]..." where missing parts
 * are 0 (v1.2 == v1.2.0) as Go's golang.org/x/mod/semver canonicalizes
 * them; "+incompatible" is build metadata. Toolchain names "go1.21.3" and
 * "go1.21rc1" (stdlib) are accepted and read as 1.21.3 and 1.21.0-rc1.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "vercmp.h"
#include "vercmp_int.h"

typedef struct semver {
    const char *num[3];
    size_t num_len[3];
    const char *pre; /* NULL when none */
    size_t pre_len;
} semver;

/* A numeric identifier: digits, no leading zero unless "0". */
static int numeric_ok(const char *p, size_t n, int strict)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!vc_digit(p[i]))
            return 0;
    return !strict || n == 1 || p[0] != '0';
}

/* Parse @s into @v. @min_parts: how many of MAJOR.MINOR.PATCH are required. */
static int semver_parse(const char *s, semver *v, int min_parts, int strict, char *err, size_t errlen)
{
    memset(v, 0, sizeof *v);
    if (!s || !*s)
        return vercmp_fail(err, errlen, "version string is empty", "");
    if (strlen(s) > VERCMP_MAX_LEN)
        return vercmp_fail(err, errlen, "version string is too long", s);
    const char *p = s;
    if (*p == '=' || *p == 'v')
        p++;
    int parts = 0;
    for (; parts < 3; parts++) {
        const char *st = p;
        while (vc_digit(*p))
            p++;
        if (!numeric_ok(st, (size_t)(p - st), strict))
            return vercmp_fail(err, errlen, "expected MAJOR.MINOR.PATCH numbers without leading zeros", s);
        v->num[parts] = st;
        v->num_len[parts] = (size_t)(p - st);
        if (parts < 2 && *p == '.') {
            p++;
            continue;
        }
        parts++;
        break;
    }
    if (parts < min_parts)
        return vercmp_fail(err, errlen, "expected MAJOR.MINOR.PATCH", s);
    for (int i = parts; i < 3; i++) {
        v->num[i] = "0";
        v->num_len[i] = 1;
    }
    if (*p == '-') {
        p++;
        v->pre = p;
        while (*p && *p != '+')
            p++;
        v->pre_len = (size_t)(p - v->pre);
        /* identifiers: [0-9A-Za-z-]+, numeric ones without leading zeros */
        size_t i = 0;
        while (i <= v->pre_len) {
            size_t st = i;
            while (i < v->pre_len && v->pre[i] != '.')
                i++;
            if (i == st)
                return vercmp_fail(err, errlen, "empty prerelease identifier", s);
            int all_digits = 1;
            for (size_t k = st; k < i; k++) {
                if (!vc_alnum(v->pre[k]) && v->pre[k] != '-')
                    return vercmp_fail(err, errlen, "bad character in prerelease", s);
                all_digits &= vc_digit(v->pre[k]);
            }
            if (strict && all_digits && i - st > 1 && v->pre[st] == '0')
                return vercmp_fail(err, errlen, "numeric prerelease identifier with a leading zero", s);
            i++;
        }
    }
    if (*p == '+') {
        p++;
        if (!*p)
            return vercmp_fail(err, errlen, "empty build metadata", s);
        for (; *p; p++)
            if (!vc_alnum(*p) && *p != '-' && *p != '.')
                return vercmp_fail(err, errlen, "bad character in build metadata", s);
    }
    if (*p)
        return vercmp_fail(err, errlen, "unexpected characters", s);
    return 0;
}

static int prerelease_cmp(const char *a, size_t la, const char *b, size_t lb)
{
    size_t i = 0, j = 0;
    for (;;) {
        if (i >= la && j >= lb)
            return 0;
        if (i >= la)
            return -1;
        if (j >= lb)
            return 1;
        size_t si = i, sj = j;
        while (i < la && a[i] != '.')
            i++;
        while (j < lb && b[j] != '.')
            j++;
        int na = numeric_ok(a + si, i - si, 0), nb = numeric_ok(b + sj, j - sj, 0);
        int c;
        if (na && nb)
            c = vercmp_digits(a + si, i - si, b + sj, j - sj);
        else if (na || nb)
            c = na ? -1 : 1;
        else {
            size_t x = i - si, y = j - sj;
            c = memcmp(a + si, b + sj, x < y ? x : y);
            if (!c && x != y)
                c = x < y ? -1 : 1;
        }
        if (c)
            return vercmp_sign(c);
        i++; /* past the dot (or one past the end, which ends the list) */
        j++;
    }
}

static int semver_cmp(const semver *a, const semver *b)
{
    for (int k = 0; k < 3; k++) {
        int c = vercmp_digits(a->num[k], a->num_len[k], b->num[k], b->num_len[k]);
        if (c)
            return c;
    }
    if (!a->pre || !b->pre)
        return a->pre ? -1 : b->pre ? 1 : 0;
    return prerelease_cmp(a->pre, a->pre_len, b->pre, b->pre_len);
}

int vercmp_semver(const char *a, const char *b, int *cmp, char *err, size_t errlen)
{
    semver va, vb;
    if (semver_parse(a, &va, 3, 1, err, errlen) || semver_parse(b, &vb, 3, 1, err, errlen))
        return -1;
    *cmp = semver_cmp(&va, &vb);
    return 0;
}

/*
 * Rewrite a Go toolchain name "go1.21rc1" into "1.21.0-rc1" style pieces:
 * copies into @buf (of @len bytes). Returns @s itself when it is not one.
 */
static const char *go_toolchain(const char *s, char *buf, size_t len)
{
    if (strncmp(s, "go", 2) != 0 || !vc_digit(s[2]))
        return s;
    const char *p = s + 2;
    const char *st = p;
    int dots = 0;
    while (vc_digit(*p) || (*p == '.' && vc_digit(p[1]))) {
        dots += *p == '.';
        p++;
    }
    size_t n = (size_t)(p - st);
    if (n + 16 + strlen(p) >= len)
        return s;
    memcpy(buf, st, n);
    buf[n] = '\0';
    while (dots < 2) {
        memcpy(buf + n, ".0", 3);
        n += 2;
        dots++;
    }
    if (*p)
        snprintf(buf + n, len - n, "-%s", p);
    return buf;
}

int vercmp_go(const char *a, const char *b, int *cmp, char *err, size_t errlen)
{
    char ba[VERCMP_MAX_LEN + 32], bb[VERCMP_MAX_LEN + 32];
    if (!a || !b)
        return vercmp_fail(err, errlen, "version string is empty", "");
    const char *xa = go_toolchain(a, ba, sizeof ba), *xb = go_toolchain(b, bb, sizeof bb);
    semver va, vb;
    if (semver_parse(xa, &va, 1, 1, err, errlen) || semver_parse(xb, &vb, 1, 1, err, errlen))
        return -1;
    *cmp = semver_cmp(&va, &vb);
    return 0;
}
