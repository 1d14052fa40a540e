/*
 * core/bundle/b64.h - strict standard base64 (RFC 4648 section 4, with '='
 * padding), as used by minisign key and signature files.
 */
#ifndef PP_BUNDLE_B64_H
#define PP_BUNDLE_B64_H

#include <stddef.h>

/* b64_encoded_len - characters b64_encode writes for @n bytes (without NUL). */
size_t b64_encoded_len(size_t n);

/* b64_encode - encode @n bytes at @in into @out, which must hold
 * b64_encoded_len(n) + 1 bytes; NUL-terminates. */
void b64_encode(const unsigned char *in, size_t n, char *out);

/* b64_decode - decode the @len characters at @in into @out (room for @cap
 * bytes). Accepts only the standard alphabet with correct '=' padding and no
 * whitespace; non-zero unused bits are refused. Returns the decoded byte
 * count, or -1 on any malformed input or if the result exceeds @cap. */
long b64_decode(const char *in, size_t len, unsigned char *out, size_t cap);

#endif
