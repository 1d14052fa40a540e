/*
 * core/cel/cel_time.c - timestamps (RFC 3339) and durations (Go syntax).
 *
 * Timestamps are seconds + nanoseconds since 1970-01-01T00:00:00Z within
 * years 0001..9999, as in google.protobuf.Timestamp. Durations are signed
 * 64-bit nanoseconds (about +-292 years), as in Go and cel-go.
 * Calendar arithmetic uses the proleptic Gregorian calendar (the civil
 * date algorithms published by Howard Hinnant, re-derived here).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <stdio.h>
#include <string.h>

#include "cel_internal.h"

void cel_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

int64_t cel_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, size_t n, size_t at, int count, int *out)
{
    if (at + (size_t)count > n)
        return -1;
    int v = 0;
    for (int i = 0; i < count; i++) {
        char c = s[at + (size_t)i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *out = v;
    return 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

int cel_parse_timestamp(const char *s, size_t n, int64_t *sec, int32_t *nsec)
{
    int Y, M, D, h, mi, se;
    /* a year of more than four digits is syntactically fine but out of range */
    size_t yl = 0;
    while (yl < n && s[yl] >= '0' && s[yl] <= '9')
        yl++;
    if (yl > 4 && yl < 12 && yl < n && s[yl] == '-')
        return -2;
    if (digits(s, n, 0, 4, &Y) || n < 20 || s[4] != '-' || digits(s, n, 5, 2, &M) || s[7] != '-' ||
        digits(s, n, 8, 2, &D) || (s[10] != 'T' && s[10] != 't') || digits(s, n, 11, 2, &h) || s[13] != ':' ||
        digits(s, n, 14, 2, &mi) || s[16] != ':' || digits(s, n, 17, 2, &se))
        return -1;
    if (M < 1 || M > 12 || D < 1 || D > days_in_month(Y, M) || h > 23 || mi > 59 || se > 59)
        return -1;
    size_t i = 19;
    int32_t frac = 0;
    if (i < n && s[i] == '.') {
        i++;
        int nd = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (nd < 9) {
                frac = frac * 10 + (s[i] - '0');
                nd++;
            } else if (nd >= 9) {
                return -1; /* more precision than nanoseconds */
            }
            i++;
        }
        if (nd == 0)
            return -1;
        for (; nd < 9; nd++)
            frac *= 10;
    }
    int64_t off = 0;
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int oh, om;
        if (digits(s, n, i + 1, 2, &oh) || i + 3 >= n || s[i + 3] != ':' || digits(s, n, i + 4, 2, &om) || oh > 23 ||
            om > 59)
            return -1;
        off = (int64_t)(oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
        i += 6;
    } else {
        return -1;
    }
    if (i != n)
        return -1;
    int64_t t = cel_days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400 + h * 3600 + mi * 60 + se - off;
    if (Y < 1 || t < CEL_TS_MIN_SEC || t > CEL_TS_MAX_SEC)
        return -2;
    *sec = t;
    *nsec = frac;
    return 0;
}

void cel_format_timestamp(int64_t sec, int32_t nsec, char *buf, size_t n)
{
    int64_t days = sec >= 0 ? sec / 86400 : -((-sec + 86399) / 86400);
    int64_t rem = sec - days * 86400;
    int64_t y;
    unsigned m, d;
    cel_civil_from_days(days, &y, &m, &d);
    int len = snprintf(buf, n, "%04lld-%02u-%02uT%02d:%02d:%02d", (long long)y, m, d, (int)(rem / 3600),
                       (int)(rem / 60 % 60), (int)(rem % 60));
    if (nsec > 0 && len > 0 && (size_t)len < n) {
        char f[16];
        snprintf(f, sizeof f, "%09d", (int)nsec);
        int fl = 9;
        while (fl > 0 && f[fl - 1] == '0')
            fl--;
        f[fl] = '\0';
        len += snprintf(buf + len, n - (size_t)len, ".%s", f);
    }
    if (len > 0 && (size_t)len < n)
        snprintf(buf + len, n - (size_t)len, "Z");
}

/* Unit multipliers in nanoseconds, by suffix. */
static int unit_of(const char *s, size_t n, size_t *i, uint64_t *unit)
{
    static const struct {
        const char *name;
        uint64_t ns;
    } units[] = {{"ns", 1},       {"us", 1000},         {"\xc2\xb5s", 1000},   {"\xce\xbcs", 1000},
                 {"ms", 1000000}, {"s", 1000000000ULL}, {"m", 60000000000ULL}, {"h", 3600000000000ULL},
                 {NULL, 0}};
    for (int k = 0; units[k].name; k++) {
        size_t l = strlen(units[k].name);
        if (*i + l <= n && !memcmp(s + *i, units[k].name, l)) {
            /* "m" must not match the start of "ms" */
            if (l == 1 && units[k].name[0] == 'm' && *i + 1 < n && s[*i + 1] == 's')
                continue;
            *i += l;
            *unit = units[k].ns;
            return 0;
        }
    }
    return -1;
}

int cel_parse_duration(const char *s, size_t n, int64_t *ns)
{
    size_t i = 0;
    int neg = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) {
        neg = s[i] == '-';
        i++;
    }
    if (i == n)
        return -1;
    if (n - i == 1 && s[i] == '0') {
        *ns = 0;
        return 0;
    }
    uint64_t total = 0;
    while (i < n) {
        uint64_t whole = 0;
        int any = 0, overflow = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (__builtin_mul_overflow(whole, 10, &whole) ||
                __builtin_add_overflow(whole, (uint64_t)(s[i] - '0'), &whole))
                overflow = 1;
            i++;
            any = 1;
        }
        uint64_t frac = 0;
        double scale = 1;
        if (i < n && s[i] == '.') {
            i++;
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                if (scale < 1e18) {
                    frac = frac * 10 + (uint64_t)(s[i] - '0');
                    scale *= 10;
                }
                i++;
                any = 1;
            }
        }
        if (!any)
            return -1;
        uint64_t unit;
        if (unit_of(s, n, &i, &unit) < 0)
            return -1;
        if (overflow)
            return -2;
        uint64_t v;
        if (__builtin_mul_overflow(whole, unit, &v))
            return -2;
        if (frac) {
            uint64_t f = (uint64_t)((double)frac * ((double)unit / scale));
            if (__builtin_add_overflow(v, f, &v))
                return -2;
        }
        if (__builtin_add_overflow(total, v, &total))
            return -2;
        if (total > (uint64_t)INT64_MAX + (neg ? 1u : 0u))
            return -2;
    }
    if (neg)
        *ns = total == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)total;
    else
        *ns = (int64_t)total;
    return 0;
}

void cel_format_duration(int64_t ns, char *buf, size_t n)
{
    uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    unsigned long long sec = a / 1000000000ULL;
    unsigned frac = (unsigned)(a % 1000000000ULL);
    if (!frac) {
        snprintf(buf, n, "%s%llus", ns < 0 ? "-" : "", sec);
        return;
    }
    char f[16];
    snprintf(f, sizeof f, "%09u", frac);
    int fl = 9;
    while (fl > 0 && f[fl - 1] == '0')
        fl--;
    f[fl] = '\0';
    snprintf(buf, n, "%s%llu.%ss", ns < 0 ? "-" : "", sec, f);
}

int cel_parse_tz(const char *s, size_t n, int32_t *offset)
{
    if ((n == 3 && !memcmp(s, "UTC", 3)) || (n == 1 && s[0] == 'Z') || (n == 3 && !memcmp(s, "GMT", 3)) ||
        (n == 7 && !memcmp(s, "Etc/UTC", 7))) {
        *offset = 0;
        return 0;
    }
    size_t i = 0;
    int sign = 1;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        sign = s[i] == '-' ? -1 : 1;
        i++;
    }
    int h = 0, m = 0, hd = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9' && hd < 2) {
        h = h * 10 + (s[i] - '0');
        i++;
        hd++;
    }
    if (hd == 0 || i >= n || s[i] != ':')
        return -1;
    i++;
    if (digits(s, n, i, 2, &m) || i + 2 != n || h > 23 || m > 59)
        return -1;
    *offset = sign * (h * 3600 + m * 60);
    return 0;
}
