/*
 * plugins/feeds/lists.c - IP, CIDR and domain blocklists: the Spamhaus
 * DROP format ("192.0.2.0/24 ; SBL000001") and plain one-per-line lists.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feeds.h"

/* Classify @s: "ip", "cidr", "domain", or NULL when it is none. */
static const char *classify(char *s)
{
    unsigned char addr[16];
    char *slash = strchr(s, '/');
    if (slash) {
        *slash = '\0';
        int v4 = inet_pton(AF_INET, s, addr) == 1, v6 = !v4 && inet_pton(AF_INET6, s, addr) == 1;
        char *end;
        long bits = strtol(slash + 1, &end, 10);
        *slash = '/';
        if ((!v4 && !v6) || end == slash + 1 || *end || bits < 0 || bits > (v4 ? 32 : 128))
            return NULL;
        return "cidr";
    }
    if (inet_pton(AF_INET, s, addr) == 1 || inet_pton(AF_INET6, s, addr) == 1)
        return "ip";
    size_t n = strlen(s);
    if (n < 3 || n > 253 || !strchr(s, '.') || s[0] == '.' || s[0] == '-')
        return NULL;
    for (size_t i = 0; i < n; i++) {
        s[i] = (char)tolower((unsigned char)s[i]);
        if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '-' && s[i] != '_')
            return NULL;
    }
    return "domain";
}

int list_load(feeds_ctx *c, const char *feed, const char *label, const char *text, size_t len)
{
    if (memchr(text, '\0', len))
        return feeds_fail(c, PP_ERR_INVALID, "%s: binary data where an indicator list was expected", label);
    size_t good = 0, bad = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t line = 0;
        for (const char *p = text; p < text + len;) {
            const char *e = memchr(p, '\n', (size_t)(text + len - p));
            size_t n = e ? (size_t)(e - p) : (size_t)(text + len - p);
            const char *next = e ? e + 1 : text + len, *ls = p;
            line++;
            char buf[300];
            size_t k = 0;
            while (k < n && p[k] != ';' && p[k] != '#' && p[k] != '\r')
                k++;
            while (k && isspace((unsigned char)p[k - 1]))
                k--;
            size_t s = 0;
            while (s < k && isspace((unsigned char)p[s]))
                s++;
            p = next;
            if (s == k)
                continue;
            if (k - s >= sizeof buf) {
                if (pass == 0 && ++bad <= 5)
                    feeds_warn(c, "%s:%zu: line too long; skipped", label, line);
                continue;
            }
            memcpy(buf, ls + s, k - s);
            buf[k - s] = '\0';
            const char *kind = classify(buf);
            if (!kind) {
                if (pass == 0 && ++bad <= 5)
                    feeds_warn(c, "%s:%zu: not an IP address, CIDR range or domain; skipped", label, line);
                continue;
            }
            if (pass == 0) {
                good++;
                continue;
            }
            pp_indicator ind;
            PP_INIT(&ind);
            ind.kind = kind;
            ind.value = buf;
            ind.feed = feed;
            int rc = c->api->emit_indicator(c->h, &ind);
            if (rc != PP_OK && rc != PP_ERR_INVALID)
                return feeds_fail(c, rc, "%s:%zu: stopped", label, line);
        }
        if (pass == 0 && good == 0)
            return feeds_fail(c, PP_ERR_INVALID, "%s: no IP address, CIDR range or domain in the list", label);
    }
    feeds_info(c, "feed %s: %zu indicators (%zu bad lines skipped)", feed, good, bad);
    return PP_OK;
}
