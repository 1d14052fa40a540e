/*
 * storage_sharedkey.c - see storage_sharedkey.h.
 */
#define _DEFAULT_SOURCE
#include "storage_sharedkey.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "../aws/aws_buf.h"

#define MAX_PARAMS 64
#define MAX_HEADERS 64

static const char *header_value(const pp_http_header *h, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (h[i].name && strcasecmp(h[i].name, name) == 0)
            return h[i].value ? h[i].value : "";
    return NULL;
}

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = tolower(ch);
    return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* Percent-decode @s[0..n) into a new string; NULL on a bad escape or NUL byte. */
static char *pct_decode(const char *s, size_t n)
{
    char *o = malloc(n + 1), *p = o;
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int a = i + 2 < n ? hexval((unsigned char)s[i + 1]) : -1;
            int b = i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;
            if (a < 0 || b < 0 || (a == 0 && b == 0)) {
                free(o);
                return NULL;
            }
            *p++ = (char)(a * 16 + b);
            i += 2;
        } else {
            *p++ = s[i];
        }
    }
    *p = '\0';
    return o;
}

typedef struct kv {
    char *k, *v;
} kv;

static int kv_cmp(const void *a, const void *b)
{
    const kv *x = a, *y = b;
    int c = strcmp(x->k, y->k);
    return c ? c : strcmp(x->v, y->v);
}

static int hdr_cmp(const void *a, const void *b)
{
    return strcmp(((const kv *)a)->k, ((const kv *)b)->k);
}

/* Header value with leading/trailing whitespace trimmed and inner runs folded to one space. */
static void add_folded(abuf *b, const char *v)
{
    while (*v == ' ' || *v == '\t')
        v++;
    int pending = 0;
    for (; *v; v++) {
        if (*v == ' ' || *v == '\t') {
            pending = 1;
            continue;
        }
        if (pending)
            abuf_ch(b, ' ');
        pending = 0;
        abuf_ch(b, *v);
    }
}

char *az_sharedkey_string_to_sign(const char *method, const char *account, const char *path, const char *query,
                                  const pp_http_header *hdrs, size_t n, size_t content_length)
{
    static const char *std_headers[] = {
        "Content-Encoding",  "Content-Language", NULL /* length */, "Content-MD5",         "Content-Type", "Date",
        "If-Modified-Since", "If-Match",         "If-None-Match",   "If-Unmodified-Since", "Range"};
    if (!method || !account || !path || path[0] != '/' || n > MAX_HEADERS)
        return NULL;
    abuf b;
    abuf_init(&b);
    abuf_str(&b, method);
    abuf_ch(&b, '\n');
    for (size_t i = 0; i < sizeof std_headers / sizeof std_headers[0]; i++) {
        if (!std_headers[i]) {
            if (content_length)
                abuf_fmt(&b, "%zu", content_length);
        } else if (strcmp(std_headers[i], "Date") == 0 && header_value(hdrs, n, "x-ms-date")) {
            /* x-ms-date replaces Date: the Date line stays empty */
        } else {
            const char *v = header_value(hdrs, n, std_headers[i]);
            if (v)
                abuf_str(&b, v);
        }
        abuf_ch(&b, '\n');
    }
    /* canonicalized headers: x-ms-*, lower-cased, sorted */
    kv hv[MAX_HEADERS];
    size_t nh = 0;
    for (size_t i = 0; i < n; i++) {
        if (!hdrs[i].name || strncasecmp(hdrs[i].name, "x-ms-", 5) != 0)
            continue;
        hv[nh].k = strdup(hdrs[i].name);
        hv[nh].v = (char *)(hdrs[i].value ? hdrs[i].value : "");
        if (!hv[nh].k)
            continue;
        for (char *p = hv[nh].k; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        nh++;
    }
    qsort(hv, nh, sizeof hv[0], hdr_cmp);
    for (size_t i = 0; i < nh; i++) {
        abuf_fmt(&b, "%s:", hv[i].k);
        add_folded(&b, hv[i].v);
        abuf_ch(&b, '\n');
        free(hv[i].k);
    }
    /* canonicalized resource: /account/path, then the decoded query sorted by name */
    abuf_fmt(&b, "/%s%s", account, path);
    kv qp[MAX_PARAMS];
    size_t nq = 0;
    int bad = 0;
    for (const char *q = query; q && *q && !bad;) {
        size_t len = strcspn(q, "&");
        if (len) {
            const char *eq = memchr(q, '=', len);
            size_t kl = eq ? (size_t)(eq - q) : len;
            if (nq == MAX_PARAMS) {
                bad = 1;
                break;
            }
            qp[nq].k = pct_decode(q, kl);
            qp[nq].v = eq ? pct_decode(eq + 1, len - kl - 1) : strdup("");
            if (!qp[nq].k || !qp[nq].v) {
                free(qp[nq].k);
                free(qp[nq].v);
                bad = 1;
                break;
            }
            for (char *p = qp[nq].k; *p; p++)
                *p = (char)tolower((unsigned char)*p);
            nq++;
        }
        q += len;
        if (*q == '&')
            q++;
    }
    qsort(qp, nq, sizeof qp[0], kv_cmp);
    for (size_t i = 0; i < nq; i++) {
        if (i == 0 || strcmp(qp[i].k, qp[i - 1].k) != 0)
            abuf_fmt(&b, "\n%s:%s", qp[i].k, qp[i].v);
        else
            abuf_fmt(&b, ",%s", qp[i].v); /* repeated names: values joined, sorted */
    }
    for (size_t i = 0; i < nq; i++) {
        free(qp[i].k);
        free(qp[i].v);
    }
    if (bad) {
        abuf_free(&b);
        return NULL;
    }
    return abuf_take(&b);
}

char *az_sharedkey_table_string_to_sign(const char *method, const char *account, const char *path, const char *query,
                                        const pp_http_header *hdrs, size_t n)
{
    if (!method || !account || !path || path[0] != '/' || n > MAX_HEADERS)
        return NULL;
    const char *date = header_value(hdrs, n, "x-ms-date");
    if (!date)
        date = header_value(hdrs, n, "Date");
    if (!date || !*date)
        return NULL;
    const char *md5 = header_value(hdrs, n, "Content-MD5");
    const char *type = header_value(hdrs, n, "Content-Type");
    char *comp = NULL;
    for (const char *q = query; q && *q;) {
        size_t len = strcspn(q, "&");
        if (len >= 5 && strncasecmp(q, "comp=", 5) == 0) {
            free(comp);
            comp = pct_decode(q + 5, len - 5);
            if (!comp)
                return NULL;
        }
        q += len;
        if (*q == '&')
            q++;
    }
    abuf b;
    abuf_init(&b);
    abuf_fmt(&b, "%s\n%s\n%s\n%s\n/%s%s", method, md5 ? md5 : "", type ? type : "", date, account, path);
    if (comp)
        abuf_fmt(&b, "?comp=%s", comp);
    free(comp);
    return abuf_take(&b);
}

int az_sharedkey_authorization(const char *account, const unsigned char *key, size_t keylen, const char *sts, char *out,
                               size_t outlen)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    if (keylen > 1024 || !HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)sts, strlen(sts), mac, &maclen))
        return -1;
    char sig[64];
    EVP_EncodeBlock((unsigned char *)sig, mac, (int)maclen);
    explicit_bzero(mac, sizeof mac);
    int w = snprintf(out, outlen, "SharedKey %s:%s", account, sig);
    return w > 0 && (size_t)w < outlen ? 0 : -1;
}
