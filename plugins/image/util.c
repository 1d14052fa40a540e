/*
 * plugins/image/util.c - buffers, a string map, path cleaning, digests
 * and purl encoding for the image scanner.
 */
#define _GNU_SOURCE
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

int img_buf_add(img_buf *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d)
            return -1;
        b->data = d;
        b->cap = cap;
    }
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int img_buf_printf(img_buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if ((size_t)n < sizeof small)
        return img_buf_add(b, small, (size_t)n);
    char *big = malloc((size_t)n + 1);
    if (!big)
        return -1;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = img_buf_add(b, big, (size_t)n);
    free(big);
    return rc;
}

void img_buf_free(img_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

int img_buf_json_str(img_buf *b, const char *s)
{
    if (img_buf_add(b, "\"", 1))
        return -1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*p;
            if (img_buf_add(b, esc, 2))
                return -1;
        } else if (*p < 0x20 || *p == 0x7f) {
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            if (img_buf_add(b, esc, 6))
                return -1;
        } else if (img_buf_add(b, p, 1)) {
            return -1;
        }
    }
    return img_buf_add(b, "\"", 1);
}

/* ---- map: open addressing, FNV-1a, no deletion ---- */

static size_t hash_str(const char *s)
{
    size_t h = (size_t)1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
    return h;
}

void *img_map_get(const img_map *m, const char *key)
{
    if (!m->cap)
        return NULL;
    for (size_t i = hash_str(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->keys[i])
            return NULL;
        if (!strcmp(m->keys[i], key))
            return m->vals[i];
    }
}

static int map_grow(img_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    char **keys = calloc(cap, sizeof *keys);
    void **vals = calloc(cap, sizeof *vals);
    if (!keys || !vals) {
        free(keys);
        free(vals);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i])
            continue;
        size_t j = hash_str(m->keys[i]) & (cap - 1);
        while (keys[j])
            j = (j + 1) & (cap - 1);
        keys[j] = m->keys[i];
        vals[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = cap;
    return 0;
}

int img_map_put(img_map *m, const char *key, void *val)
{
    if ((m->n + 1) * 2 > m->cap && map_grow(m))
        return -1;
    size_t i = hash_str(key) & (m->cap - 1);
    while (m->keys[i]) {
        if (!strcmp(m->keys[i], key)) {
            m->vals[i] = val;
            return 0;
        }
        i = (i + 1) & (m->cap - 1);
    }
    m->keys[i] = strdup(key);
    if (!m->keys[i])
        return -1;
    m->vals[i] = val;
    m->n++;
    return 0;
}

void img_map_free(img_map *m, void (*free_val)(void *))
{
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i])
            continue;
        free(m->keys[i]);
        if (free_val)
            free_val(m->vals[i]);
    }
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* ---- paths ---- */

char *img_path_clean(const char *name, int *bad)
{
    *bad = 0;
    size_t n = strlen(name);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    const char *p = name;
    while (*p) {
        while (*p == '/')
            p++;
        const char *st = p;
        while (*p && *p != '/')
            p++;
        size_t len = (size_t)(p - st);
        if (len == 0 || (len == 1 && st[0] == '.'))
            continue;
        if (len == 2 && st[0] == '.' && st[1] == '.') {
            free(out);
            *bad = 1;
            return NULL;
        }
        for (size_t i = 0; i < len; i++) {
            if ((unsigned char)st[i] < 0x20 || st[i] == 0x7f) {
                free(out);
                *bad = 1;
                return NULL;
            }
        }
        if (o)
            out[o++] = '/';
        memcpy(out + o, st, len);
        o += len;
    }
    out[o] = '\0';
    return out;
}

void img_display(const char *s, char *out, size_t outlen)
{
    size_t i = 0;
    if (!outlen)
        return;
    for (; s && s[i] && i + 1 < outlen && i < 200; i++)
        out[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || s[i] == '"') ? '?' : s[i];
    out[i] = '\0';
}

void img_sha256_digest(const void *data, size_t len, char out[72])
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
    memcpy(out, "sha256:", 7);
    for (int i = 0; i < 32; i++)
        snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
}

int img_buf_purl(img_buf *b, const char *s, const char *keep)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
            *p == '-' || *p == '_' || *p == '~' || (keep && strchr(keep, *p))) {
            if (img_buf_add(b, p, 1))
                return -1;
        } else if (img_buf_printf(b, "%%%02X", *p)) {
            return -1;
        }
    }
    return 0;
}
