/*
 * core/vercmp/vercmp_dpkg.c - Debian version ordering.
 *
 * A version is [epoch:]upstream[-revision]. The epoch is a number (0 when
 * absent); the revision is what follows the last '-' ("" when absent).
 * Epochs compare as numbers; upstream and revision strings compare by
 * alternating runs: a run of non-digits, compared character by character
 * where '~' sorts before everything (even the end of the run), then the end,
 * then letters, then all other characters by their code; and a run of
 * digits, compared as a number. Facts from deb-version(7) (dpkg).
 */
#include "config.h"

#include <string.h>

#include "vercmp.h"
#include "vercmp_int.h"

typedef struct dpkg_version {
    const char *epoch; /* digits, or NULL for 0 */
    size_t epoch_len;
    const char *upstream;
    size_t upstream_len;
    const char *revision;
    size_t revision_len;
} dpkg_version;

static int dpkg_parse(const char *s, dpkg_version *v, char *err, size_t errlen)
{
    memset(v, 0, sizeof *v);
    if (!s || !*s)
        return vercmp_fail(err, errlen, "version string is empty", "");
    size_t len = strlen(s);
    if (len > VERCMP_MAX_LEN)
        return vercmp_fail(err, errlen, "version string is too long", s);
    for (size_t i = 0; i < len; i++)
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
            return vercmp_fail(err, errlen, "version string has embedded spaces", s);
    const char *p = s;
    const char *colon = strchr(s, ':');
    if (colon) {
        if (colon == s)
            return vercmp_fail(err, errlen, "epoch in version is empty", s);
        for (const char *q = s; q < colon; q++)
            if (!vc_digit(*q))
                return vercmp_fail(err, errlen, "epoch in version is not a number", s);
        v->epoch = s;
        v->epoch_len = (size_t)(colon - s);
        p = colon + 1;
        if (!*p)
            return vercmp_fail(err, errlen, "nothing after colon in version number", s);
    }
    const char *dash = strrchr(p, '-');
    v->upstream = p;
    if (dash) {
        v->upstream_len = (size_t)(dash - p);
        v->revision = dash + 1;
        v->revision_len = strlen(dash + 1);
        if (v->revision_len == 0)
            return vercmp_fail(err, errlen, "revision number is empty", s);
    } else {
        v->upstream_len = strlen(p);
        v->revision = "";
    }
    if (v->upstream_len == 0)
        return vercmp_fail(err, errlen, "upstream version is empty", s);
    return 0;
}

/* Weight of one character of a non-digit run; 0 stands for "run ended". */
static int dpkg_weight(int c)
{
    if (c == '~')
        return -1;
    if (c == 0 || vc_digit(c))
        return 0;
    if (vc_alpha(c))
        return c;
    return c + 256;
}

/* Compare two upstream or revision strings (given lengths). */
static int dpkg_part_cmp(const char *a, size_t la, const char *b, size_t lb)
{
    size_t i = 0, j = 0;
    while (i < la || j < lb) {
        /* non-digit run */
        while ((i < la && !vc_digit(a[i])) || (j < lb && !vc_digit(b[j]))) {
            int wa = dpkg_weight(i < la ? (unsigned char)a[i] : 0);
            int wb = dpkg_weight(j < lb ? (unsigned char)b[j] : 0);
            if (wa != wb)
                return wa < wb ? -1 : 1;
            if (i < la && !vc_digit(a[i]))
                i++;
            if (j < lb && !vc_digit(b[j]))
                j++;
        }
        /* digit run */
        size_t si = i, sj = j;
        while (i < la && vc_digit(a[i]))
            i++;
        while (j < lb && vc_digit(b[j]))
            j++;
        int c = vercmp_digits(a + si, i - si, b + sj, j - sj);
        if (c)
            return c;
    }
    return 0;
}

int vercmp_dpkg(const char *a, const char *b, int *cmp, char *err, size_t errlen)
{
    dpkg_version va, vb;
    if (dpkg_parse(a, &va, err, errlen) || dpkg_parse(b, &vb, err, errlen))
        return -1;
    int c = vercmp_digits(va.epoch ? va.epoch : "", va.epoch_len, vb.epoch ? vb.epoch : "", vb.epoch_len);
    if (!c)
        c = dpkg_part_cmp(va.upstream, va.upstream_len, vb.upstream, vb.upstream_len);
    if (!c)
        c = dpkg_part_cmp(va.revision, va.revision_len, vb.revision, vb.revision_len);
    *cmp = vercmp_sign(c);
    return 0;
}
