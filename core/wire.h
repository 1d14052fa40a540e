/*
 * core/wire.h - the byte encoding used on the worker pipe.
 *
 * Big-endian integers; strings as a u32 length then the bytes, with
 * UINT32_MAX meaning NULL. Readers never trust lengths: every get checks the
 * remaining bytes and sets `bad` instead of reading past the end.
 */
#ifndef PP_CORE_WIRE_H
#define PP_CORE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

void wire_put_u8(sbuf *out, uint8_t v);
void wire_put_u32(sbuf *out, uint32_t v);
void wire_put_u64(sbuf *out, uint64_t v);
/* wire_put_str - @s may be NULL. */
void wire_put_str(sbuf *out, const char *s);
/* wire_put_bytes - @p may be NULL (encoded like a NULL string). */
void wire_put_bytes(sbuf *out, const void *p, size_t n);

typedef struct wire_rd {
    const unsigned char *p, *end;
    int bad; /* set once any read ran past the end or was malformed */
} wire_rd;

uint8_t wire_get_u8(wire_rd *d);
uint32_t wire_get_u32(wire_rd *d);
uint64_t wire_get_u64(wire_rd *d);
/*
 * wire_get_str - a string or NULL; returns a pointer INTO the buffer and its
 * length in *@n. The bytes are not NUL-terminated: copy them with
 * wire_dup. *@is_null tells NULL from "". Strings holding NUL bytes are bad.
 */
const char *wire_get_str(wire_rd *d, size_t *n, int *is_null);
/* wire_get_dup - wire_get_str copied to a new NUL-terminated string (or NULL). */
char *wire_get_dup(wire_rd *d);

#endif
