/*
 * core/http/http.h - the HTTP client behind the host's `http` service.
 *
 * One http_client holds the policy every plugin request goes through:
 * timeouts, retries with exponential backoff and full jitter, Retry-After,
 * trusted CAs, the user's list of hosts exempt from TLS verification, a cap
 * on concurrent requests per host, a cap on response size and the
 * User-Agent. libcurl does the transfers; nothing of curl leaks through
 * this header.
 *
 * Threads: every function here may be called from any thread. Many threads
 * may call http_request() on one client at the same time; the client must
 * outlive every call made on it.
 *
 * Secrets: request header values, request bodies and URL query strings
 * (presigned URLs carry signatures there) never appear in the log or in the
 * error messages this module writes. URLs are shown as
 * scheme://host[:port]/path only (no user info, no query, no fragment).
 *
 * Proxies: curl's proxy environment variables are honoured: http_proxy,
 * https_proxy / HTTPS_PROXY, all_proxy / ALL_PROXY, no_proxy / NO_PROXY.
 * (curl ignores upper-case HTTP_PROXY on purpose; see docs/http.md.)
 * This module never sets a proxy itself, so nothing overrides them.
 *
 * See docs/http.md for the retry rules and the reasoning behind them.
 */
#ifndef PP_CORE_HTTP_H
#define PP_CORE_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <parapet/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/** How http_options.ca_file combines with the system trust store. */
typedef enum http_ca_mode {
    HTTP_CA_ADD = 0,  /**< trust the system store AND ca_file (default) */
    HTTP_CA_ONLY = 1  /**< trust ca_file only (private PKI, pinning a CA) */
} http_ca_mode;

/**
 * http_options - settings of one client. Fill with http_options_init()
 * first, then change what you need; every field has a usable default.
 * Strings and arrays are borrowed: http_client_new() copies them.
 */
typedef struct http_options {
    uint32_t connect_timeout_ms;  /**< TCP+TLS connect, per attempt (10 s) */
    uint32_t timeout_ms;          /**< whole attempt, when the request sets none (120 s) */
    uint32_t max_retries;         /**< retries when the request sets none (4); 0 = none */
    uint32_t backoff_base_ms;     /**< first backoff ceiling; doubles per retry (500 ms) */
    uint32_t backoff_max_ms;      /**< ceiling of one computed backoff (20 s) */
    uint32_t retry_after_max_ms;  /**< cap on a server's Retry-After (60 s) */
    uint32_t max_per_host;        /**< concurrent requests per host name (8); extra callers wait */
    size_t max_body;              /**< response body cap in bytes (256 MiB) */
    const char *ca_file;          /**< PEM bundle of extra CAs, or NULL */
    http_ca_mode ca_mode;         /**< how ca_file combines with the system store */
    const char *const *insecure_hosts; /**< host names exempt from TLS verification, or NULL */
    size_t n_insecure_hosts;
    const char *user_agent;       /**< NULL means "parapet/VERSION" */
} http_options;

/** Cancel callback: return nonzero to stop the request (polled often). */
typedef int (*http_cancel_fn)(void *userdata);

typedef struct http_client http_client;

/**
 * http_options_init - fill @o with the defaults listed in http_options.
 * Never fails.
 */
void http_options_init(http_options *o);

/**
 * http_client_new - create a client with options @o (NULL = defaults).
 *
 * Reads ca_file once, now (a missing or unreadable file is an error, not a
 * silent fallback). With HTTP_CA_ADD the system bundle that libcurl was
 * built with is read too and the two are merged in memory.
 *
 * On success stores the client in *@out and returns PP_OK; release it with
 * http_client_free(). On failure returns PP_ERR_INVALID (bad option, CA
 * file unreadable), PP_ERR_NOMEM or PP_ERR_IO, writes a one-line reason
 * into @err (if not NULL, @errlen bytes, always NUL-terminated) and leaves
 * *@out NULL.
 */
int http_client_new(const http_options *o, http_client **out, char *err, size_t errlen);

/**
 * http_client_free - release @c and its cached connections. NULL is a
 * no-op. No call on @c may be running or start afterwards.
 */
void http_client_free(http_client *c);

/**
 * http_request - perform @req (the semantics are those of pp_http_request
 * in parapet/host.h) and store the response in *@out.
 *
 * @req      borrowed for the call. Only the fields inside req->size are
 *           read, so a caller built against an older, shorter struct works;
 *           the missing fields count as zero.
 * @out      on PP_OK a response owned by the caller, released with
 *           http_response_free(). Its status may be any HTTP status,
 *           including 4xx/5xx once retries are exhausted. On error *@out
 *           is set to NULL.
 * @cancel   polled while waiting for a per-host slot, during the transfer
 *           (at least every 50 ms) and during backoff sleeps; nonzero makes
 *           the call return PP_ERR_CANCELLED promptly. May be NULL.
 * @err      if not NULL, receives a one-line reason on failure (NUL-
 *           terminated, at most @errlen bytes). It names the URL without
 *           query string and never contains header values or the body.
 *
 * Retries: 429, 500, 502, 503, 504, timeouts and broken connections are
 * retried up to the effective max_retries, waiting the server's
 * Retry-After (capped) or a full-jitter exponential backoff. POST, PATCH and
 * other non-idempotent methods are retried only when the request cannot
 * have been acted on: a 429, a 503 carrying Retry-After, or a refused
 * connection. Redirects are not followed (the 3xx is returned).
 *
 * Returns PP_OK, PP_ERR_INVALID (bad method, URL, header), PP_ERR_IO
 * (connect, DNS, TLS, reset, body over the cap), PP_ERR_TIMEOUT (the last
 * attempt timed out), PP_ERR_CANCELLED or PP_ERR_NOMEM.
 */
int http_request(http_client *c, const pp_http_request *req, pp_http_response **out,
                 http_cancel_fn cancel, void *cancel_userdata, char *err, size_t errlen);

/**
 * http_response_free - release a response from http_request(). NULL is a
 * no-op.
 */
void http_response_free(pp_http_response *resp);

/**
 * http_url_for_log - copy @url into @buf (size @len, always NUL-terminated,
 * truncated if needed) without user info, query string and fragment, so it
 * can be shown to people. A NULL url gives "(null)". Returns @buf.
 */
char *http_url_for_log(const char *url, char *buf, size_t len);

/**
 * http_parse_retry_after - read a Retry-After header value @v, either
 * delta-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT",
 * also the obsolete RFC 850 and asctime forms), relative to @now.
 * On success stores the wait in milliseconds in *@ms (0 for a date in the
 * past, saturating at UINT32_MAX) and returns 1; returns 0 when @v is
 * NULL, empty or not one of those forms.
 */
int http_parse_retry_after(const char *v, time_t now, uint32_t *ms);

#ifdef __cplusplus
}
#endif
#endif /* PP_CORE_HTTP_H */
