/*
 * core/vercmp/vercmp_rpm.c - RPM version ordering.
 *
 * An EVR is [epoch:]version[-release]; the epoch is a number (0 when
 * absent), the release follows the last '-' ("" when absent). Epochs
 * compare as numbers, then version and release with the rpmvercmp rules:
 * characters other than letters, digits, '~' and '^' only separate
 * segments; '~' sorts before anything (even the end); '^' sorts after the
 * end but before anything else; a segment is a run of digits (compared as a
 * number) or of letters (compared as bytes); a digit segment is newer than
 * a letter segment; when one string runs out of segments the other is
 * newer. Facts from the RPM documentation (docs/manual/dependencies.md,
 * "Version comparison").
 */
#include "config.h"

#include <string.h>

#include "vercmp.h"
#include "vercmp_int.h"

/* rpmvercmp over two strings of given lengths. */
static int rpm_segments_cmp(const char *a, size_t la, const char *b, size_t lb)
{
    if (la == lb && memcmp(a, b, la) == 0)
        return 0;
    size_t i = 0, j = 0;
    for (;;) {
        while (i < la && !vc_alnum(a[i]) && a[i] != '~' && a[i] != '^')
            i++;
        while (j < lb && !vc_alnum(b[j]) && b[j] != '~' && b[j] != '^')
            j++;
        int ta = i < la && a[i] == '~', tb = j < lb && b[j] == '~';
        if (ta || tb) {
            if (!ta)
                return 1;
            if (!tb)
                return -1;
            i++;
            j++;
            continue;
        }
        int ca = i < la && a[i] == '^', cb = j < lb && b[j] == '^';
        if (ca || cb) {
            if (i >= la)
                return -1;
            if (j >= lb)
                return 1;
            if (!ca)
                return 1;
            if (!cb)
                return -1;
            i++;
            j++;
            continue;
        }
        if (i >= la || j >= lb)
            break;
        size_t si = i, sj = j;
        int isnum = vc_digit(a[i]);
        if (isnum) {
            while (i < la && vc_digit(a[i]))
                i++;
            while (j < lb && vc_digit(b[j]))
                j++;
        } else {
            while (i < la && vc_alpha(a[i]))
                i++;
            while (j < lb && vc_alpha(b[j]))
                j++;
        }
        if (j == sj) /* the segments are of different kinds: the number wins */
            return isnum ? 1 : -1;
        int c;
        if (isnum) {
            c = vercmp_digits(a + si, i - si, b + sj, j - sj);
        } else {
            size_t na = i - si, nb = j - sj;
            c = memcmp(a + si, b + sj, na < nb ? na : nb);
            if (!c && na != nb)
                c = na < nb ? -1 : 1;
        }
        if (c)
            return vercmp_sign(c);
    }
    if (i >= la && j >= lb)
        return 0;
    return i >= la ? -1 : 1;
}

typedef struct rpm_evr {
    const char *epoch;
    size_t epoch_len;
    const char *version;
    size_t version_len;
    const char *release;
    size_t release_len;
} rpm_evr;

static int rpm_parse(const char *s, rpm_evr *v, char *err, size_t errlen)
{
    memset(v, 0, sizeof *v);
    if (!s || !*s)
        return vercmp_fail(err, errlen, "version string is empty", "");
    if (strlen(s) > VERCMP_MAX_LEN)
        return vercmp_fail(err, errlen, "version string is too long", s);
    const char *p = s;
    const char *colon = strchr(s, ':');
    if (colon) {
        for (const char *q = s; q < colon; q++)
            if (!vc_digit(*q))
                return vercmp_fail(err, errlen, "epoch is not a number", s);
        v->epoch = s;
        v->epoch_len = (size_t)(colon - s);
        p = colon + 1;
    }
    const char *dash = strrchr(p, '-');
    v->version = p;
    v->version_len = dash ? (size_t)(dash - p) : strlen(p);
    v->release = dash ? dash + 1 : "";
    v->release_len = strlen(v->release);
    if (v->version_len == 0)
        return vercmp_fail(err, errlen, "version part is empty", s);
    return 0;
}

int vercmp_rpm(const char *a, const char *b, int *cmp, char *err, size_t errlen)
{
    rpm_evr va, vb;
    if (rpm_parse(a, &va, err, errlen) || rpm_parse(b, &vb, err, errlen))
        return -1;
    int c = vercmp_digits(va.epoch ? va.epoch : "", va.epoch_len, vb.epoch ? vb.epoch : "", vb.epoch_len);
    if (!c)
        c = rpm_segments_cmp(va.version, va.version_len, vb.version, vb.version_len);
    if (!c)
        c = rpm_segments_cmp(va.release, va.release_len, vb.release, vb.release_len);
    *cmp = vercmp_sign(c);
    return 0;
}
