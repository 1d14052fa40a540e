/*
 * tests/support/test_httpd.h - a small scripted HTTP/1.1 server for tests.
 *
 * Listens on 127.0.0.1 on an ephemeral port, plain or TLS (OpenSSL), one
 * thread per connection, keep-alive. It answers requests with a script of
 * canned replies, in order; once the script runs out the last reply repeats.
 * It counts requests, accepted connections and the peak number of requests
 * being handled at the same time, and keeps a copy of the last request.
 *
 * Test code only: it trusts its caller, caps request heads at 64 KiB and
 * bodies at 1 MiB, and speaks just enough HTTP for libcurl.
 */
#ifndef PP_TEST_HTTPD_H
#define PP_TEST_HTTPD_H

#include <stddef.h>

/** One canned reply. Strings are borrowed and must outlive the server. */
typedef struct httpd_reply {
    int status;           /**< HTTP status, e.g. 200 */
    const char *headers;  /**< extra header lines, each ending in "\r\n", or NULL */
    const char *body;     /**< body, or NULL for none */
    size_t body_len;      /**< 0 means strlen(body) */
    unsigned delay_ms;    /**< wait this long before answering */
    int no_length;        /**< no Content-Length: body until the connection closes */
} httpd_reply;

typedef struct httpd httpd;

/**
 * httpd_start - start a server. With @cert_file and @key_file (PEM) it
 * speaks TLS, otherwise plain HTTP. Returns NULL on failure (with a message
 * on stderr). Stop it with httpd_stop().
 */
httpd *httpd_start(const char *cert_file, const char *key_file);

/** httpd_port - the port the server listens on. */
int httpd_port(const httpd *s);

/**
 * httpd_script - replace the script with @n replies (copied; n >= 1) and
 * reset the counters and the last request.
 */
void httpd_script(httpd *s, const httpd_reply *replies, size_t n);

/** Counters since the last httpd_script(). */
unsigned httpd_requests(httpd *s);
unsigned httpd_connections(httpd *s);
unsigned httpd_peak_active(httpd *s);

/**
 * httpd_last_request - a malloc'd, NUL-terminated copy of the last
 * request's head and body ("GET /x HTTP/1.1\r\n...\r\n\r\nbody"), or NULL
 * when none arrived. The caller frees it.
 */
char *httpd_last_request(httpd *s);

/** httpd_stop - close every connection, join every thread, free @s. */
void httpd_stop(httpd *s);

/**
 * httpd_make_certs - create in directory @dir (which must exist), with the
 * openssl command line tool:
 *   ca.pem           a test CA
 *   server.pem/.key  a server certificate signed by it, for localhost and
 *                    127.0.0.1
 *   other-ca.pem     an unrelated CA
 * Returns 0, or -1 when openssl is missing or fails.
 */
int httpd_make_certs(const char *dir);

#endif
