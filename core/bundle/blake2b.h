/*
 * core/bundle/blake2b.h - unkeyed BLAKE2b with any digest length 1..64
 * (RFC 7693).
 *
 * OpenSSL 3.0 only offers BLAKE2b with a 64-byte digest, and minisign's
 * secret-key checksum is BLAKE2b-256 (a different function, since the
 * digest length is part of BLAKE2b's parameter block), so this small
 * implementation exists for that checksum. Signature prehashing uses
 * OpenSSL's BLAKE2B-512; a unit test checks both agree.
 */
#ifndef PP_BUNDLE_BLAKE2B_H
#define PP_BUNDLE_BLAKE2B_H

#include <stddef.h>
#include <stdint.h>

typedef struct blake2b_state {
    uint64_t h[8];
    uint64_t t[2];
    unsigned char buf[128];
    size_t buflen;
    size_t outlen;
} blake2b_state;

/* blake2b_init - start an unkeyed hash with an @outlen-byte digest (1..64).
 * Returns 0, or -1 if @outlen is out of range. */
int blake2b_init(blake2b_state *s, size_t outlen);
/* blake2b_update - absorb @n bytes. */
void blake2b_update(blake2b_state *s, const void *p, size_t n);
/* blake2b_final - write the digest (outlen bytes) to @out and wipe @s. */
void blake2b_final(blake2b_state *s, unsigned char *out);

#endif
