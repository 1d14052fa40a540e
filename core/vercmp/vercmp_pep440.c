/*
 * core/vercmp/vercmp_pep440.c - Python version ordering (PEP 440).
 *
 * [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local], case-insensitive, with the
 * spellings PEP 440 normalizes: alpha, beta, c, pre, preview (pre-releases);
 * rev, r and a bare "-N" (post-releases); optional '.', '-' or '_'
 * separators and an implicit 0 number; a leading "v".
 * Order: epoch; release with trailing zeros ignored; then a dev release of
 * a final version < its pre-releases < the final < its post-releases; dev
 * releases before what they are a dev release of; a local version after
 * the same public version, local segments compared numerically when both
 * are numbers, numbers after strings. Facts from PEP 440 ("Summary of
 * permitted suffixes and relative ordering", "Local version identifiers").
 */
#include "config.h"

#include <string.h>

#include "vercmp.h"
#include "vercmp_int.h"

#define PEP_MAX_PARTS 64

typedef struct span {
    const char *p;
    size_t n;
} span;

typedef struct pep440 {
    span epoch;
    span rel[PEP_MAX_PARTS];
    size_t n_rel;
    int pre_kind; /* -1 none, 0 a, 1 b, 2 rc */
    span pre;
    int has_post;
    span post;
    int has_dev;
    span dev;
    const char *local; /* NULL when none */
    size_t local_len;
} pep440;

static int is_sep(int c)
{
    return c == '.' || c == '-' || c == '_';
}

/* Does @p start with @w (case-insensitive)? Returns its length or 0. The
 * spellings are tried longest first ("alpha" before "a"), and PEP 440 lets
 * the next part follow without a separator ("1.0bpost1"). */
static size_t word(const char *p, const char *w)
{
    size_t n = strlen(w);
    for (size_t i = 0; i < n; i++)
        if (vc_lower((unsigned char)p[i]) != w[i])
            return 0;
    return n;
}

static span digits(const char **pp)
{
    const char *st = *pp;
    while (vc_digit(**pp))
        (*pp)++;
    return (span){st, (size_t)(*pp - st)};
}

/* Optional separator then optional number; the number defaults to 0. */
static span opt_number(const char **pp)
{
    const char *p = *pp;
    if (is_sep(*p) && vc_digit(p[1]))
        p++;
    span n = digits(&p);
    *pp = p;
    return n.n ? n : (span){"0", 1};
}

static int pep_parse(const char *s, pep440 *v, char *err, size_t errlen)
{
    memset(v, 0, sizeof *v);
    v->pre_kind = -1;
    if (!s)
        return vercmp_fail(err, errlen, "version string is empty", "");
    if (strlen(s) > VERCMP_MAX_LEN)
        return vercmp_fail(err, errlen, "version string is too long", s);
    const char *p = s;
    while (*p == ' ' || *p == '\t' || *p == '\n')
        p++;
    if (*p == 'v' || *p == 'V')
        p++;
    if (!vc_digit(*p))
        return vercmp_fail(err, errlen, "expected a release number", s);
    span first = digits(&p);
    if (*p == '!') {
        v->epoch = first;
        p++;
        if (!vc_digit(*p))
            return vercmp_fail(err, errlen, "expected a release number after the epoch", s);
        first = digits(&p);
    } else {
        v->epoch = (span){"0", 1};
    }
    v->rel[v->n_rel++] = first;
    while (*p == '.' && vc_digit(p[1])) {
        p++;
        if (v->n_rel == PEP_MAX_PARTS)
            return vercmp_fail(err, errlen, "too many release components", s);
        v->rel[v->n_rel++] = digits(&p);
    }
    /* pre-release */
    {
        const char *q = is_sep(*p) ? p + 1 : p;
        static const struct {
            const char *w;
            int kind;
        } pre[] = {{"alpha", 0}, {"a", 0}, {"beta", 1}, {"b", 1}, {"preview", 2},
                   {"pre", 2},   {"rc", 2}, {"c", 2}};
        for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++) {
            size_t n = word(q, pre[i].w);
            if (n) {
                v->pre_kind = pre[i].kind;
                p = q + n;
                v->pre = opt_number(&p);
                break;
            }
        }
    }
    /* post-release */
    if (*p == '-' && vc_digit(p[1])) {
        p++;
        v->has_post = 1;
        v->post = digits(&p);
    } else {
        const char *q = is_sep(*p) ? p + 1 : p;
        size_t n = word(q, "post");
        if (!n)
            n = word(q, "rev");
        if (!n)
            n = word(q, "r");
        if (n) {
            v->has_post = 1;
            p = q + n;
            v->post = opt_number(&p);
        }
    }
    /* dev release */
    {
        const char *q = is_sep(*p) ? p + 1 : p;
        size_t l = word(q, "dev");
        if (l) {
            v->has_dev = 1;
            p = q + l;
            v->dev = opt_number(&p);
        }
    }
    if (*p == '+') {
        p++;
        v->local = p;
        const char *st = p;
        while (vc_alnum(*p) || (is_sep(*p) && p > st && vc_alnum(p[1])))
            p++;
        v->local_len = (size_t)(p - st);
        if (!v->local_len)
            return vercmp_fail(err, errlen, "empty local version", s);
    }
    while (*p == ' ' || *p == '\t' || *p == '\n')
        p++;
    if (*p)
        return vercmp_fail(err, errlen, "unexpected characters", s);
    /* trailing zeros of the release do not count */
    while (v->n_rel > 1 && vercmp_digits(v->rel[v->n_rel - 1].p, v->rel[v->n_rel - 1].n, "0", 1) == 0)
        v->n_rel--;
    return 0;
}

/* Compare local version labels: segments split at '.', '-', '_'. */
static int local_cmp(const char *a, size_t la, const char *b, size_t lb)
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
        while (i < la && !is_sep(a[i]))
            i++;
        while (j < lb && !is_sep(b[j]))
            j++;
        int na = 1, nb = 1;
        for (size_t k = si; k < i; k++)
            na &= vc_digit(a[k]);
        for (size_t k = sj; k < j; k++)
            nb &= vc_digit(b[k]);
        int c;
        if (na && nb) {
            c = vercmp_digits(a + si, i - si, b + sj, j - sj);
        } else if (na != nb) {
            c = na ? 1 : -1;
        } else {
            size_t x = i - si, y = j - sj, k = 0;
            c = 0;
            for (; k < x && k < y && !c; k++)
                c = vc_lower((unsigned char)a[si + k]) - vc_lower((unsigned char)b[sj + k]);
            if (!c && x != y)
                c = x < y ? -1 : 1;
        }
        if (c)
            return vercmp_sign(c);
        i++;
        j++;
    }
}

/* The pre-release key: -2 (dev of a final), 3 (final), or the kind 0..2. */
static int pre_key(const pep440 *v)
{
    if (v->pre_kind < 0 && !v->has_post && v->has_dev)
        return -2;
    if (v->pre_kind < 0)
        return 3;
    return v->pre_kind;
}

static int pep_cmp(const pep440 *a, const pep440 *b)
{
    int c = vercmp_digits(a->epoch.p, a->epoch.n, b->epoch.p, b->epoch.n);
    if (c)
        return c;
    size_t n = a->n_rel > b->n_rel ? a->n_rel : b->n_rel;
    for (size_t i = 0; i < n; i++) {
        span x = i < a->n_rel ? a->rel[i] : (span){"0", 1};
        span y = i < b->n_rel ? b->rel[i] : (span){"0", 1};
        if ((c = vercmp_digits(x.p, x.n, y.p, y.n)))
            return c;
    }
    int ka = pre_key(a), kb = pre_key(b);
    if (ka != kb)
        return ka < kb ? -1 : 1;
    if (ka >= 0 && ka <= 2 && (c = vercmp_digits(a->pre.p, a->pre.n, b->pre.p, b->pre.n)))
        return c;
    if (a->has_post != b->has_post)
        return a->has_post ? 1 : -1;
    if (a->has_post && (c = vercmp_digits(a->post.p, a->post.n, b->post.p, b->post.n)))
        return c;
    if (a->has_dev != b->has_dev)
        return a->has_dev ? -1 : 1;
    if (a->has_dev && (c = vercmp_digits(a->dev.p, a->dev.n, b->dev.p, b->dev.n)))
        return c;
    if (!a->local || !b->local)
        return a->local ? 1 : b->local ? -1 : 0;
    return local_cmp(a->local, a->local_len, b->local, b->local_len);
}

int vercmp_pep440(const char *a, const char *b, int *cmp, char *err, size_t errlen)
{
    pep440 va, vb;
    if (pep_parse(a, &va, err, errlen) || pep_parse(b, &vb, err, errlen))
        return -1;
    *cmp = vercmp_sign(pep_cmp(&va, &vb));
    return 0;
}
