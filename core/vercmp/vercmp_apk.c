/*
 * core/vercmp/vercmp_apk.c - Alpine (apk) version ordering.
 *
 * A version is N[.N]...[letter][_suffix[N]]...[~hash][-rN]:
 *   - numbers compare as numbers; after the first, a component with a
 *     leading zero compares as a decimal fraction (1.01 < 1.1), as apk does;
 *   - more numeric components is newer (1.2.1 > 1.2);
 *   - then the optional single letter (none < a < z);
 *   - then suffixes in order: alpha < beta < pre < rc < (none) < cvs < svn
 *     < git < hg < p, each followed by an optional number;
 *   - a "~hash" commit is ignored; last the -rN revision (none = r0).
 * Facts from the Alpine package format documentation (APKBUILD pkgver).
 */
#include "config.h"

#include <string.h>

#include "vercmp.h"
#include "vercmp_int.h"

#define APK_MAX_PARTS 64

typedef struct apk_span {
    const char *p;
    size_t n;
} apk_span;

typedef struct apk_version {
    apk_span nums[APK_MAX_PARTS];
    size_t n_nums;
    int letter; /* 0 when none */
    struct {
        int rank;
        apk_span num;
    } suffixes[APK_MAX_PARTS];
    size_t n_suffixes;
    apk_span rev;
} apk_version;

/* Rank of a suffix name; (none) is 0, pre-releases negative. -100: unknown. */
static int apk_suffix_rank(const char *s, size_t n)
{
    static const struct {
        const char *name;
        int rank;
    } t[] = {{"alpha", -4}, {"beta", -3}, {"pre", -2}, {"rc", -1}, {"cvs", 1},
             {"svn", 2},    {"git", 3},   {"hg", 4},   {"p", 5}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strlen(t[i].name) == n && memcmp(t[i].name, s, n) == 0)
            return t[i].rank;
    return -100;
}

static int apk_parse(const char *s, apk_version *v, char *err, size_t errlen)
{
    memset(v, 0, sizeof *v);
    if (!s || !*s)
        return vercmp_fail(err, errlen, "version string is empty", "");
    if (strlen(s) > VERCMP_MAX_LEN)
        return vercmp_fail(err, errlen, "version string is too long", s);
    const char *p = s;
    for (;;) {
        if (!vc_digit(*p))
            return vercmp_fail(err, errlen, "expected a number", s);
        if (v->n_nums == APK_MAX_PARTS)
            return vercmp_fail(err, errlen, "too many components", s);
        const char *st = p;
        while (vc_digit(*p))
            p++;
        v->nums[v->n_nums++] = (apk_span){st, (size_t)(p - st)};
        if (*p != '.')
            break;
        p++;
    }
    if (*p >= 'a' && *p <= 'z') {
        v->letter = *p++;
    }
    while (*p == '_') {
        p++;
        const char *st = p;
        while (*p >= 'a' && *p <= 'z')
            p++;
        int rank = apk_suffix_rank(st, (size_t)(p - st));
        if (rank == -100)
            return vercmp_fail(err, errlen, "unknown suffix", s);
        if (v->n_suffixes == APK_MAX_PARTS)
            return vercmp_fail(err, errlen, "too many suffixes", s);
        const char *ns = p;
        while (vc_digit(*p))
            p++;
        v->suffixes[v->n_suffixes].rank = rank;
        v->suffixes[v->n_suffixes].num = (apk_span){ns, (size_t)(p - ns)};
        v->n_suffixes++;
    }
    if (*p == '~') {
        p++;
        const char *st = p;
        while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))
            p++;
        if (p == st)
            return vercmp_fail(err, errlen, "empty commit hash after '~'", s);
    }
    if (p[0] == '-' && p[1] == 'r') {
        p += 2;
        const char *st = p;
        while (vc_digit(*p))
            p++;
        if (p == st)
            return vercmp_fail(err, errlen, "revision -r without a number", s);
        v->rev = (apk_span){st, (size_t)(p - st)};
    }
    if (*p)
        return vercmp_fail(err, errlen, "unexpected characters", s);
    return 0;
}

/* Compare the numeric component @i (0-based) of two versions. */
static int apk_num_cmp(apk_span a, apk_span b, size_t i)
{
    if (i > 0 && ((a.n && a.p[0] == '0') || (b.n && b.p[0] == '0'))) {
        /* fraction-like: compare digit by digit, the shorter pads with nothing */
        size_t n = a.n < b.n ? a.n : b.n;
        int c = memcmp(a.p, b.p, n);
        if (c)
            return vercmp_sign(c);
        return a.n == b.n ? 0 : (a.n < b.n ? -1 : 1);
    }
    return vercmp_digits(a.p, a.n, b.p, b.n);
}

int vercmp_apk(const char *a, const char *b, int *cmp, char *err, size_t errlen)
{
    /* two versions on the heap would be 2 KiB each; the stack is fine */
    apk_version va, vb;
    if (apk_parse(a, &va, err, errlen) || apk_parse(b, &vb, err, errlen))
        return -1;
    int c = 0;
    size_t n = va.n_nums < vb.n_nums ? va.n_nums : vb.n_nums;
    for (size_t i = 0; i < n && !c; i++)
        c = apk_num_cmp(va.nums[i], vb.nums[i], i);
    if (!c && va.n_nums != vb.n_nums)
        c = va.n_nums < vb.n_nums ? -1 : 1;
    if (!c && va.letter != vb.letter)
        c = va.letter < vb.letter ? -1 : 1;
    size_t ns = va.n_suffixes > vb.n_suffixes ? va.n_suffixes : vb.n_suffixes;
    for (size_t i = 0; i < ns && !c; i++) {
        int ra = i < va.n_suffixes ? va.suffixes[i].rank : 0;
        int rb = i < vb.n_suffixes ? vb.suffixes[i].rank : 0;
        if (ra != rb) {
            c = ra < rb ? -1 : 1;
            break;
        }
        apk_span sa = i < va.n_suffixes ? va.suffixes[i].num : (apk_span){"", 0};
        apk_span sb = i < vb.n_suffixes ? vb.suffixes[i].num : (apk_span){"", 0};
        c = vercmp_digits(sa.p, sa.n, sb.p, sb.n);
    }
    if (!c)
        c = vercmp_digits(va.rev.n ? va.rev.p : "", va.rev.n, vb.rev.n ? vb.rev.p : "", vb.rev.n);
    *cmp = vercmp_sign(c);
    return 0;
}
