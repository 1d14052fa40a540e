/* core/wire.c - see wire.h. */
#include "config.h"

#include "wire.h"

#include <string.h>

void wire_put_u8(sbuf *out, uint8_t v)
{
    sbuf_append(out, &v, 1);
}

void wire_put_u32(sbuf *out, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
                          (unsigned char)v};
    sbuf_append(out, b, 4);
}

void wire_put_u64(sbuf *out, uint64_t v)
{
    wire_put_u32(out, (uint32_t)(v >> 32));
    wire_put_u32(out, (uint32_t)v);
}

void wire_put_bytes(sbuf *out, const void *p, size_t n)
{
    if (!p) {
        wire_put_u32(out, UINT32_MAX);
        return;
    }
    wire_put_u32(out, (uint32_t)n);
    sbuf_append(out, p, n);
}

void wire_put_str(sbuf *out, const char *s)
{
    wire_put_bytes(out, s, s ? strlen(s) : 0);
}

uint8_t wire_get_u8(wire_rd *d)
{
    if (d->bad || d->end - d->p < 1) {
        d->bad = 1;
        return 0;
    }
    return *d->p++;
}

uint32_t wire_get_u32(wire_rd *d)
{
    if (d->bad || d->end - d->p < 4) {
        d->bad = 1;
        return 0;
    }
    uint32_t v = ((uint32_t)d->p[0] << 24) | ((uint32_t)d->p[1] << 16) | ((uint32_t)d->p[2] << 8) | d->p[3];
    d->p += 4;
    return v;
}

uint64_t wire_get_u64(wire_rd *d)
{
    uint64_t hi = wire_get_u32(d);
    uint64_t lo = wire_get_u32(d);
    return (hi << 32) | lo;
}

const char *wire_get_str(wire_rd *d, size_t *n, int *is_null)
{
    uint32_t len = wire_get_u32(d);
    *n = 0;
    *is_null = 1;
    if (d->bad)
        return NULL;
    if (len == UINT32_MAX)
        return NULL;
    if ((size_t)(d->end - d->p) < len || memchr(d->p, 0, len)) {
        d->bad = 1;
        return NULL;
    }
    const char *s = (const char *)d->p;
    d->p += len;
    *n = len;
    *is_null = 0;
    return s;
}

char *wire_get_dup(wire_rd *d)
{
    size_t n;
    int is_null;
    const char *s = wire_get_str(d, &n, &is_null);
    if (is_null)
        return NULL;
    char *c = xmalloc(n + 1);
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}
