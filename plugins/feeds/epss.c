/*
 * plugins/feeds/epss.c - EPSS scores (FIRST's Exploit Prediction Scoring
 * System): a CSV of "cve,epss,percentile" after an optional
 * "#model_version:...,score_date:..." comment line. One "cve" indicator per
 * row, in feed "epss".
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feeds.h"

/* A probability in [0,1] written as a plain decimal. */
static int prob(const char *s, size_t n, double *out)
{
    char buf[40];
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)buf[i]) && buf[i] != '.' && buf[i] != 'e' && buf[i] != 'E' && buf[i] != '-')
            return -1;
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (errno || *end || !(v >= 0.0 && v <= 1.0))
        return -1;
    *out = v;
    return 0;
}

typedef struct row {
    const char *cve;
    size_t cve_len;
    double epss, pct;
} row;

/* Parse one data line; 0 ok, -1 malformed. */
static int parse_row(const char *p, size_t n, row *r)
{
    const char *c1 = memchr(p, ',', n);
    if (!c1)
        return -1;
    const char *c2 = memchr(c1 + 1, ',', n - (size_t)(c1 + 1 - p));
    if (!c2)
        return -1;
    r->cve = p;
    r->cve_len = (size_t)(c1 - p);
    if (r->cve_len < 13 || r->cve_len > 24 || strncmp(p, "CVE-", 4) != 0)
        return -1;
    for (size_t i = 4; i < r->cve_len; i++)
        if (!isdigit((unsigned char)p[i]) && p[i] != '-')
            return -1;
    if (prob(c1 + 1, (size_t)(c2 - c1 - 1), &r->epss) || prob(c2 + 1, n - (size_t)(c2 + 1 - p), &r->pct))
        return -1;
    return 0;
}

int epss_load(feeds_ctx *c, const char *label, const char *text, size_t len)
{
    if (memchr(text, '\0', len))
        return feeds_fail(c, PP_ERR_INVALID, "%s: binary data where the EPSS CSV was expected", label);
    size_t good = 0, bad = 0;
    int header = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t line = 0;
        for (const char *p = text; p < text + len;) {
            const char *e = memchr(p, '\n', (size_t)(text + len - p));
            size_t n = e ? (size_t)(e - p) : (size_t)(text + len - p);
            line++;
            const char *next = e ? e + 1 : text + len;
            if (n && p[n - 1] == '\r')
                n--;
            if (n == 0 || p[0] == '#') {
                p = next;
                continue;
            }
            if (!strncmp(p, "cve,epss,percentile", 19) && n == 19) {
                header = 1;
                p = next;
                continue;
            }
            row r;
            if (parse_row(p, n, &r) != 0) {
                if (pass == 0) {
                    bad++;
                    if (bad <= 5)
                        feeds_warn(c, "%s:%zu: not a \"CVE,score,percentile\" row; skipped", label, line);
                }
                p = next;
                continue;
            }
            if (pass == 0) {
                good++;
            } else {
                char cve[32], attrs[96];
                snprintf(cve, sizeof cve, "%.*s", (int)r.cve_len, r.cve);
                snprintf(attrs, sizeof attrs, "{\"epss\":%.6g,\"percentile\":%.6g}", r.epss, r.pct);
                pp_indicator ind;
                PP_INIT(&ind);
                ind.kind = "cve";
                ind.value = cve;
                ind.feed = "epss";
                ind.attributes_json = attrs;
                int rc = c->api->emit_indicator(c->h, &ind);
                if (rc != PP_OK && rc != PP_ERR_INVALID)
                    return feeds_fail(c, rc, "%s:%zu: stopped", label, line);
            }
            p = next;
        }
        if (pass == 0 && (!header || good == 0))
            return feeds_fail(c, PP_ERR_INVALID, "%s: not an EPSS scores file (%s)", label,
                              header ? "no valid row" : "no \"cve,epss,percentile\" header");
        if (pass == 0 && bad > good)
            return feeds_fail(c, PP_ERR_INVALID, "%s: %zu malformed rows against %zu valid ones; refused", label, bad,
                              good);
    }
    feeds_info(c, "feed epss: %zu scores (%zu malformed rows skipped)", good, bad);
    return PP_OK;
}
