/*
 * sigv4.h - AWS Signature Version 4 (HMAC-SHA256), for Authorization
 * headers and for presigned query strings.
 *
 * The signer is pure: it reads a request description and the credentials
 * and returns what to add to the request. It does no I/O and keeps no
 * state, so any thread may call it. Reference: the "Signature Version 4
 * signing process" chapter of the AWS General Reference.
 */
#ifndef PP_AWS_SIGV4_H
#define PP_AWS_SIGV4_H

#include <stddef.h>
#include <time.h>

#include <parapet/host.h>

/** The request to sign, as it will go on the wire. Everything is borrowed. */
typedef struct sigv4_request {
    const char *method;            /**< "GET", "POST", ... */
    const char *path;              /**< the path; see sigv4_params.path_is_encoded */
    const char *query;             /**< raw query string without '?', or NULL/"" */
    const pp_http_header *headers; /**< headers to sign; must include Host */
    size_t n_headers;
    const void *body;
    size_t body_len;
} sigv4_request;

/** How to sign. Secrets are borrowed and never copied outside the result's wiped buffers. */
typedef struct sigv4_params {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token;  /**< NULL for long-term credentials */
    const char *region;         /**< e.g. "us-east-1" */
    const char *service;        /**< signing name, e.g. "ec2", "s3", "iam" */
    time_t when;                /**< signing time (UTC seconds) */
    int normalize_path;         /**< remove "." and ".." segments and empty segments (not for S3) */
    int path_verbatim;          /**< 0: percent-encode the path (every service but S3; a path that is
                                     already encoded on the wire is so encoded twice, as AWS expects);
                                     1: the canonical path is the path as given (S3) */
    int sign_body;              /**< add and sign x-amz-content-sha256 (S3 needs it) */
    int omit_session_token;     /**< add the session token after signing, unsigned */
    unsigned expires;           /**< presigned URLs: X-Amz-Expires in seconds (1..604800) */
} sigv4_params;

/** The outcome. Release with sigv4_result_free, which wipes it. */
typedef struct sigv4_result {
    char *canonical_request;
    char *string_to_sign;
    char signature[65];         /**< lower-case hex */
    /** header signing: the headers to append, in this order:
     *  X-Amz-Security-Token, X-Amz-Date, x-amz-content-sha256, Authorization
     *  (each only when needed and not already in the request). */
    pp_http_header add[4];
    size_t n_add;
    /** presigning: the parameters to append to the query, already encoded,
     *  ending with X-Amz-Signature ("X-Amz-Algorithm=...&...") */
    char *query_add;
    char *storage_[4];          /**< internal: values of add[] */
} sigv4_result;

/**
 * sigv4_sign_headers - sign @req for an Authorization header.
 * On 0 fills @out (the caller appends out->add[] to its headers).
 * On -1 writes a reason to @err (never a secret) and leaves @out empty.
 */
int sigv4_sign_headers(const sigv4_request *req, const sigv4_params *p, sigv4_result *out, char *err,
                       size_t errlen);

/**
 * sigv4_presign - sign @req as a presigned URL. On 0 out->query_add holds
 * the parameters to append to the request's query (after '&' when the
 * query is not empty). On -1 see sigv4_sign_headers.
 */
int sigv4_presign(const sigv4_request *req, const sigv4_params *p, sigv4_result *out, char *err, size_t errlen);

/** sigv4_result_free - wipe and release what @r holds; @r may be reused. */
void sigv4_result_free(sigv4_result *r);

/** sigv4_sha256_hex - @out (65 bytes) = lower-case hex SHA-256 of @data. */
void sigv4_sha256_hex(const void *data, size_t len, char out[65]);

/** sigv4_amz_date - @out (17 bytes) = "YYYYMMDDTHHMMSSZ" for @t. */
void sigv4_amz_date(time_t t, char out[17]);

/**
 * sigv4_uri_encode - append @s[0..n) percent-encoded to @b: every byte but
 * A-Z a-z 0-9 - . _ ~ (and '/' when @keep_slash) becomes %XX (upper hex).
 */
struct abuf;
int sigv4_uri_encode(struct abuf *b, const char *s, size_t n, int keep_slash);

#endif
