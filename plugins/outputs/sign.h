/*
 * plugins/outputs/sign.h - the webhook signature (docs/outputs.md, "Webhook signature").
 *
 *   signed string = TIMESTAMP "." BODY        (TIMESTAMP: decimal Unix seconds,
 *                                              the X-Parapet-Timestamp header)
 *   X-Parapet-Signature: sha256=HEX(HMAC-SHA256(secret, signed string))
 */
#ifndef PP_OUTPUTS_SIGN_H
#define PP_OUTPUTS_SIGN_H

#include <stddef.h>

/*
 * out_sign - write "sha256=" and the 64 lower-case hex digits of the HMAC
 * into @out (at least 72 bytes). The key is borrowed and not kept; the
 * function wipes its own copies of intermediate state. Returns 0, or -1
 * when OpenSSL fails (@out is then "").
 */
int out_sign(const void *key, size_t key_len, const char *timestamp, const void *body, size_t body_len, char *out,
             size_t out_len);

#endif /* PP_OUTPUTS_SIGN_H */
