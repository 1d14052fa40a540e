/*
 * az_util.h - small helpers of the azure plugin: HTTP through the host,
 * encodings (base64, base64url, URL encoding), time.
 */
#ifndef PP_AZ_UTIL_H
#define PP_AZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "azure_ctx.h"

/** The largest response body the plugin reads (bigger ones are refused). */
#define AZ_MAX_BODY (64u * 1024u * 1024u)

/**
 * az_http - one request through host->http (the user's http.* settings apply: CA file, retries).
 * Returns PP_OK and a response the caller releases with c->api->http_free,
 * or an error with a reason naming @what in @err (the URL without its
 * query, never a header value).
 */
int az_http(azure_ctx *c, const char *method, const char *url, const pp_http_header *hdrs, size_t n_hdrs,
            const void *body, size_t body_len, const char *what, pp_http_response **out, char *err, size_t errlen);

/** az_resp_header - the value of response header @name (lower case), or NULL. */
const char *az_resp_header(const pp_http_response *r, const char *name);

/** az_url_for_log - copy @url into @buf without query, fragment or user info. */
void az_url_for_log(const char *url, char *buf, size_t len);

/** az_form_encode - percent-encode @s for a form body or a query (RFC 3986 unreserved kept). malloc'd or NULL. */
char *az_form_encode(const char *s);

/** az_b64 - standard base64 of @n bytes; malloc'd or NULL. */
char *az_b64(const void *p, size_t n);

/** az_b64url - base64url without padding; malloc'd or NULL. */
char *az_b64url(const void *p, size_t n);

/**
 * az_b64_decode - decode standard base64 @s (padding required, no
 * whitespace). Returns a malloc'd buffer of *@n bytes, or NULL when @s is
 * not valid base64.
 */
unsigned char *az_b64_decode(const char *s, size_t *n);

/** az_wipe_free - zero the NUL-terminated @s, then free it; NULL is fine. */
void az_wipe_free(char *s);

/**
 * az_ref_for_msg - what an error may say about the secret reference @ref:
 * the reference itself when it is "env:..." or "file:..." (it says where a
 * secret lives, not what it is), else "a literal value" (someone pasted
 * the secret itself; it must not be repeated).
 */
const char *az_ref_for_msg(const char *ref);

/** az_now - the current time, Unix seconds. */
int64_t az_now(void);

/** az_rfc1123 - @t as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") into @buf (>= 30 bytes). */
void az_rfc1123(int64_t t, char *buf, size_t len);

/**
 * az_storage_account_from_endpoint - the storage account name of a service
 * endpoint: ACCOUNT of https://ACCOUNT.blob.HOST, or the first path segment
 * of a path-style endpoint (Azurite: http://127.0.0.1:10000/ACCOUNT).
 * Returns a malloc'd name of 3-24 lower-case letters and digits, or NULL.
 */
char *az_storage_account_from_endpoint(const char *ep);

#endif
