/*
 * storage_sharedkey.h - Azure Storage "Shared Key" authorization (the
 * Blob, Queue and File services, version 2009-09-19 and later).
 *
 * SOURCE: the string-to-sign layout (verb, the eleven standard headers,
 * canonicalized x-ms-* headers, canonicalized resource) follows Microsoft's
 * "Authorize with Shared Key" page of the Azure Storage REST reference;
 * the code is this project's own.
 */
#ifndef PP_AZ_STORAGE_SHAREDKEY_H
#define PP_AZ_STORAGE_SHAREDKEY_H

#include <stddef.h>

#include <parapet/host.h>

/**
 * az_sharedkey_string_to_sign - the exact text Shared Key signs.
 * @method          "GET", "PUT", ...
 * @account         the storage account name
 * @path            the request's URL path as sent (percent-encoded), "/" at least
 * @query           the raw query without '?', or NULL
 * @hdrs, @n        the request headers (x-ms-date, x-ms-version, ...)
 * @content_length  body length; 0 is signed as the empty string
 * Returns a malloc'd string, or NULL on bad input (a query that does not
 * decode, more than 64 parameters) or out of memory.
 */
char *az_sharedkey_string_to_sign(const char *method, const char *account, const char *path, const char *query,
                                  const pp_http_header *hdrs, size_t n, size_t content_length);

/**
 * az_sharedkey_table_string_to_sign - the text Shared Key signs for the
 * Table service, which uses a shorter layout than Blob and Queue:
 *   VERB \n Content-MD5 \n Content-Type \n Date \n CanonicalizedResource
 * where Date is the x-ms-date header when the request has one (else Date),
 * and CanonicalizedResource is "/" @account @path, followed by "?comp=V"
 * when the query has a comp parameter (no other parameter is signed).
 * @method, @account, @path ("/" at least), @query (raw, without '?', or
 * NULL), @hdrs/@n as for az_sharedkey_string_to_sign.
 * Returns a malloc'd string the caller frees, or NULL on bad input (no
 * date header, a comp value that does not decode) or out of memory.
 * SOURCE: the "Shared Key authorization (Table service)" section of
 * Microsoft's "Authorize with Shared Key" page.
 */
char *az_sharedkey_table_string_to_sign(const char *method, const char *account, const char *path, const char *query,
                                        const pp_http_header *hdrs, size_t n);

/**
 * az_sharedkey_authorization - "SharedKey ACCOUNT:SIGNATURE" for @sts,
 * SIGNATURE = base64(HMAC-SHA256(@key, @sts)) where @key is the decoded
 * account key. Writes into @out; returns 0, or -1 when it does not fit.
 */
int az_sharedkey_authorization(const char *account, const unsigned char *key, size_t keylen, const char *sts, char *out,
                               size_t outlen);

#endif
