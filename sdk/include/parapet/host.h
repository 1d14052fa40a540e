/*
 * parapet/host.h - the services the host offers every plugin.
 *
 * Added in ABI 1.0 (kv_get, kv_set and service added in 1.1).
 *
 * The host passes a pp_host_api table and an opaque pp_host handle to the
 * plugin's entry function. The plugin keeps both for the life of the
 * process and passes the handle back as the first argument of every call.
 *
 * Threads: every function in this table may be called from any thread,
 * concurrently, unless its comment says otherwise.
 *
 * Versioning: before calling a function added after 1.0 check that it fits
 * inside host->size with PP_HOST_HAS(api, member); a host older than the
 * headers the plugin was built with has a smaller table.
 *
 * Isolation: the plugin may be running inside the main parapet process or
 * inside a forked worker process that forwards these calls to it over a
 * pipe. Every function behaves the same way in both; a plugin cannot and
 * need not tell which.
 *
 * Return codes: functions returning int return PP_OK (0) on success and a
 * negative pp_rc on failure.
 */
#ifndef PARAPET_HOST_H
#define PARAPET_HOST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "records.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque handle identifying one plugin to the host. Added in 1.0. */
typedef struct pp_host pp_host;

/** Return codes of host functions and plugin callbacks. Added in 1.0. */
typedef enum pp_rc {
    PP_OK = 0,
    PP_ERR = -1,          /**< generic failure; see last_error / the log */
    PP_ERR_NOMEM = -2,    /**< out of memory */
    PP_ERR_INVALID = -3,  /**< an argument or a record is malformed */
    PP_ERR_CANCELLED = -4,/**< the scan is being stopped; return promptly */
    PP_ERR_NOTFOUND = -5, /**< no such key, secret or service */
    PP_ERR_IO = -6,       /**< network or file failure */
    PP_ERR_TIMEOUT = -7   /**< a deadline passed */
} pp_rc;

/** Log levels, most to least severe. Added in 1.0. */
typedef enum pp_log_level {
    PP_LOG_ERROR = 0,
    PP_LOG_WARN = 1,
    PP_LOG_INFO = 2,
    PP_LOG_DEBUG = 3
} pp_log_level;

/**
 * pp_http_header - one request or response header. Added in 1.0.
 */
typedef struct pp_http_header {
    const char *name;
    const char *value;
} pp_http_header;

/**
 * pp_http_request - what a plugin asks the host to fetch. Added in 1.0.
 *
 * TLS verification is always on. It can be turned off only by the user, for
 * named hosts, with the plugin config key "http.insecure_hosts"
 * (comma-separated host names); the plugin cannot turn it off itself. All
 * "http.*" keys (timeouts, retries, CA file: see docs/http.md) are taken out
 * of the plugin's config by the host before the plugin sees it, so a plugin's
 * config schema need not declare them.
 */
typedef struct pp_http_request {
    uint32_t size;
    const char *method;            /**< "GET", "POST", ...; NULL means GET */
    const char *url;               /**< http:// or https:// URL; required */
    const pp_http_header *headers; /**< array of n_headers headers, or NULL */
    size_t n_headers;
    const void *body;              /**< request body, or NULL */
    size_t body_len;
    uint32_t timeout_ms;           /**< total time per attempt; 0 = host default */
    uint32_t max_retries;          /**< retries on 429, 5xx, timeouts; 0 = host default; PP_HTTP_NO_RETRY: none */
    const char *ca_file;           /**< extra CA bundle (PEM) to trust, or NULL */
    /* ABI 1.2 */
    uint32_t flags;                /**< PP_HTTP_* flags below; 0 for none */
    /* ABI 1.4 */
    /** TLS client certificate (PEM; chain allowed) presented to https:// servers, or NULL.
     *  Borrowed for the call; the host neither logs nor keeps it. */
    const char *client_cert_pem;
    size_t client_cert_pem_len;
    /** The certificate's private key (PEM, unencrypted), or NULL; required with a certificate.
     *  Borrowed for the call, never logged or kept: the caller wipes its copy. */
    const char *client_key_pem;
    size_t client_key_pem_len;
} pp_http_request;

/**
 * PP_HTTP_HAS_CLIENT_CERT - this header has pp_http_request.client_cert_pem
 * and client_key_pem. A plugin checks at run time that the host is recent
 * enough (api->abi_minor >= PP_HTTP_CLIENT_CERT_MINOR) before relying on
 * them: an older host ignores the fields. Added in 1.4.
 */
#define PP_HTTP_HAS_CLIENT_CERT 1
#define PP_HTTP_CLIENT_CERT_MINOR 4

/** Ask for no retries in pp_http_request.max_retries. Added in 1.0. */
#define PP_HTTP_NO_RETRY UINT32_MAX

/**
 * PP_HTTP_IDEMPOTENT - pp_http_request.flags: repeating this request is
 * harmless (the receiver deduplicates it, e.g. by a delivery id), so the host
 * may retry it on 5xx and timeouts even when the method is POST or PATCH.
 * Without it a non-idempotent request is retried only when it cannot have
 * been applied (429, 503 with Retry-After, connection refused). Added in 1.2.
 */
#define PP_HTTP_IDEMPOTENT 1u

/**
 * pp_http_response - what the host fetched. Added in 1.0.
 * Owned by the host; release it with http_free.
 */
typedef struct pp_http_response {
    uint32_t size;
    long status;                   /**< HTTP status of the last attempt */
    const pp_http_header *headers; /**< names lower-cased */
    size_t n_headers;
    const char *body;              /**< NUL-terminated for convenience */
    size_t body_len;
    uint32_t attempts;             /**< 1 + retries made */
} pp_http_response;

/**
 * pp_host_api - table of host services. Added in 1.0.
 */
typedef struct pp_host_api {
    uint32_t size;       /**< sizeof(pp_host_api) of the host */
    uint32_t abi_major;  /**< the host's ABI major */
    uint32_t abi_minor;  /**< the host's ABI minor */

    /**
     * log - write one message to the host's log. Required host service.
     * @level  severity; messages above the user's verbosity are dropped.
     * @msg    the text, borrowed; one line, without a trailing newline.
     * Never pass secrets: the host cannot tell them from other text.
     */
    void (*log)(pp_host *h, pp_log_level level, const char *msg);

    /**
     * alloc / free - memory that crosses the boundary. alloc returns NULL
     * on failure. Buffers the host hands out with a *_free function must be
     * released with that function, not with free().
     */
    void *(*alloc)(pp_host *h, size_t n);
    void (*free)(pp_host *h, void *p);

    /**
     * http - perform one HTTP request, with the host's retry, backoff,
     * proxy, CA and per-host concurrency policy.
     * @req  borrowed for the call.
     * @out  on PP_OK, a response the caller releases with http_free. The
     *       status may be any HTTP status, including 4xx and 5xx after the
     *       retries were exhausted: only transport failures return an error.
     * Returns PP_OK, PP_ERR_IO (connect, TLS, DNS), PP_ERR_TIMEOUT,
     * PP_ERR_CANCELLED or PP_ERR_INVALID.
     */
    int (*http)(pp_host *h, const pp_http_request *req, pp_http_response **out);
    void (*http_free)(pp_host *h, pp_http_response *resp);

    /**
     * secret - resolve a secret reference from the plugin's config:
     * "env:NAME" (an environment variable) or "file:PATH" (a file's content,
     * with one trailing newline removed). Any other string is refused with
     * PP_ERR_INVALID, so a literal secret in a config file never works.
     * @out, @len  on PP_OK a NUL-terminated copy; release with secret_free,
     *             which wipes it. The host never logs the value.
     */
    int (*secret)(pp_host *h, const char *ref, char **out, size_t *len);
    void (*secret_free)(pp_host *h, char *value, size_t len);

    /**
     * emit_* - hand one record to the host. The record is borrowed; the host
     * copies it before returning. May block briefly when the host's queue is
     * full (back-pressure). Returns PP_OK, PP_ERR_INVALID (a required field
     * missing, JSON that does not parse; the record is dropped and logged)
     * or PP_ERR_CANCELLED (the scan is stopping; the record was still kept).
     */
    int (*emit_resource)(pp_host *h, const pp_resource *r);
    int (*emit_finding)(pp_host *h, const pp_finding *f);
    int (*emit_event)(pp_host *h, const pp_event *e);
    int (*emit_indicator)(pp_host *h, const pp_indicator *i);
    int (*emit_advisory)(pp_host *h, const pp_advisory *a);
    int (*emit_package)(pp_host *h, const pp_package *p);

    /**
     * cancelled - nonzero once the user asked the scan to stop (Ctrl-C,
     * SIGTERM) or the task's deadline passed. Long loops should poll it and
     * return PP_ERR_CANCELLED.
     */
    int (*cancelled)(pp_host *h);

    /**
     * progress - report progress of the current task. @total may be 0 when
     * unknown. @what is a short label ("objects", "pages"). Cheap to call;
     * the host rate-limits the display.
     */
    void (*progress)(pp_host *h, uint64_t done, uint64_t total, const char *what);

    /* ---- ABI 1.1 ---- */

    /**
     * kv_get / kv_set - a small persistent cache private to the plugin
     * (ETags, discovered account lists, tokens must NOT go here).
     * kv_get: on PP_OK *val is a NUL-terminated copy of *len bytes that the
     * caller releases with host->free(); PP_ERR_NOTFOUND when absent or
     * expired.
     * kv_set: @ttl_s seconds to keep it, 0 for no expiry; val NULL deletes.
     * Values are capped at 1 MiB.
     */
    int (*kv_get)(pp_host *h, const char *key, char **val, size_t *len);
    int (*kv_set)(pp_host *h, const char *key, const char *val, size_t len, uint32_t ttl_s);

    /**
     * service - look up an optional host extra by name and version, e.g.
     * ("cel", 1). Returns a table whose layout the named service documents,
     * or NULL when the host does not offer it. The table lives as long as
     * the process.
     */
    const void *(*service)(pp_host *h, const char *name, uint32_t version);
} pp_host_api;

/** True when the host table has the member (added in a later minor). */
#define PP_HOST_HAS(api, member) \
    ((api)->size >= offsetof(pp_host_api, member) + sizeof((api)->member) && (api)->member != NULL)

/**
 * pp_logf - printf-style convenience over host->log. Added in 1.0.
 * Formats into a 1 KiB buffer; longer messages are truncated.
 */
static inline void pp_logf(const pp_host_api *api, pp_host *h, pp_log_level lvl, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static inline void pp_logf(const pp_host_api *api, pp_host *h, pp_log_level lvl, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    api->log(h, lvl, buf);
}

#ifdef __cplusplus
}
#endif
#endif /* PARAPET_HOST_H */
