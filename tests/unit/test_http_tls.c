/*
 * tests/unit/test_http_tls.c - TLS trust of the HTTP client against a real
 * TLS server on 127.0.0.1 whose certificate comes from a CA made at test
 * time with the openssl tool (skipped, exit 77, when openssl is missing).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../core/http/http.h"
#include "../../core/log.h"
#include "../support/test_capture.h"
#include "../support/test_check.h"
#include "../support/test_httpd.h"

static httpd *srv;
static char dir[64];
static char ca_pem[128], other_ca_pem[128];
static char url_ip[128], url_name[128];

static int get(http_client *c, const char *url, const char *req_ca, long *status, char *err, size_t errlen)
{
    pp_http_request req;
    memset(&req, 0, sizeof req);
    req.size = sizeof req;
    req.url = url;
    req.ca_file = req_ca;
    req.max_retries = PP_HTTP_NO_RETRY;
    pp_http_response *resp = NULL;
    int rc = http_request(c, &req, &resp, NULL, NULL, err, errlen);
    *status = resp != NULL ? resp->status : 0;
    http_response_free(resp);
    return rc;
}

static http_client *client(const char *ca_file, http_ca_mode mode, const char *insecure)
{
    http_options o;
    http_options_init(&o);
    o.ca_file = ca_file;
    o.ca_mode = mode;
    const char *hosts[1] = { insecure };
    if (insecure != NULL) {
        o.insecure_hosts = hosts;
        o.n_insecure_hosts = 1;
    }
    http_client *c = NULL;
    char err[256];
    if (http_client_new(&o, &c, err, sizeof err) != PP_OK) {
        fprintf(stderr, "http_client_new: %s\n", err);
        exit(99);
    }
    return c;
}

static void test_with_ca_bundle(void)
{
    http_client *c = client(ca_pem, HTTP_CA_ADD, NULL);
    long st = 0;
    char err[512] = "";
    int rc = get(c, url_ip, NULL, &st, err, sizeof err);
    CHECK(rc == PP_OK && st == 200, "by IP: rc %d status %ld: %s", rc, st, err);
    rc = get(c, url_name, NULL, &st, err, sizeof err);
    CHECK(rc == PP_OK && st == 200, "by name: rc %d status %ld: %s", rc, st, err);
    http_client_free(c);
}

static void test_without_ca_bundle(void)
{
    static const httpd_reply ok = { 200, NULL, "ok", 0, 0, 0 };
    httpd_script(srv, &ok, 1); /* resets the counters */
    http_client *c = client(NULL, HTTP_CA_ADD, NULL);
    long st = 0;
    char err[512] = "";
    int rc = get(c, url_ip, NULL, &st, err, sizeof err);
    CHECK(rc == PP_ERR_IO, "untrusted server accepted: rc %d", rc);
    CHECK(strstr(err, "certificate") != NULL, "error should say what is wrong: %s", err);
    CHECK(strstr(err, "https://127.0.0.1:") != NULL && strstr(err, "/tls-check") == NULL,
          "error should name the host, never the path: %s", err);
    CHECK(httpd_requests(srv) == 0, "the request must not be sent over an unverified connection");
    http_client_free(c);
}

static void test_request_ca_file(void)
{
    http_client *c = client(NULL, HTTP_CA_ADD, NULL);
    long st = 0;
    char err[512] = "";
    int rc = get(c, url_ip, ca_pem, &st, err, sizeof err);
    CHECK(rc == PP_OK && st == 200, "request ca_file not trusted: rc %d: %s", rc, err);
    /* the trust does not stick to the client */
    rc = get(c, url_ip, NULL, &st, err, sizeof err);
    CHECK(rc == PP_ERR_IO, "trust of a request's ca_file leaked to the next request: rc %d", rc);
    rc = get(c, url_ip, other_ca_pem, &st, err, sizeof err);
    CHECK(rc == PP_ERR_IO, "an unrelated CA was enough: rc %d", rc);
    http_client_free(c);
}

static void test_ca_only_mode(void)
{
    http_client *c = client(other_ca_pem, HTTP_CA_ONLY, NULL);
    long st = 0;
    char err[512] = "";
    int rc = get(c, url_ip, NULL, &st, err, sizeof err);
    CHECK(rc == PP_ERR_IO, "only-mode with the wrong CA accepted the server: rc %d", rc);
    http_client_free(c);
    c = client(ca_pem, HTTP_CA_ONLY, NULL);
    rc = get(c, url_ip, NULL, &st, err, sizeof err);
    CHECK(rc == PP_OK && st == 200, "only-mode with the right CA: rc %d: %s", rc, err);
    http_client_free(c);
}

static void test_insecure_host_only_for_that_host(void)
{
    http_client *c = client(NULL, HTTP_CA_ADD, "LocalHost");
    long st = 0;
    char err[512] = "";
    int old = log_get_level();
    log_set_level(LOG_LVL_WARN);
    capture cap;
    capture_begin(&cap);
    int rc1 = get(c, url_name, NULL, &st, err, sizeof err);
    long st1 = st;
    int rc2 = get(c, url_name, NULL, &st, err, sizeof err);
    int rc3 = get(c, url_ip, NULL, &st, err, sizeof err);
    char *log = capture_end(&cap);
    log_set_level(old);
    CHECK(rc1 == PP_OK && st1 == 200 && rc2 == PP_OK, "exempt host refused: rc %d %d", rc1, rc2);
    CHECK(rc3 == PP_ERR_IO, "127.0.0.1 is not exempt but was accepted: rc %d", rc3);
    const char *first = log ? strstr(log, "DISABLED") : NULL;
    CHECK(first != NULL && strstr(log, "localhost") != NULL, "no warning naming the host: %s", log ? log : "");
    CHECK(first == NULL || strstr(first + 1, "DISABLED") == NULL, "warning must be logged once per host: %s", log);
    free(log);
    http_client_free(c);
}

/* ABI 1.4: a TLS client certificate from memory. The test server does not
 * ask for one, so this checks that the pair is loaded (a broken key fails
 * the handshake) and the request checks; a server that requires client
 * certificates is exercised by tests/integration/k8s_live.sh. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *b = f ? calloc(1, 65536) : NULL;
    *len = b ? fread(b, 1, 65535, f) : 0;
    if (f)
        fclose(f);
    return b;
}

static void test_client_certificate(void)
{
    char cert_path[128], key_path[128];
    snprintf(cert_path, sizeof cert_path, "%s/server.pem", dir);
    snprintf(key_path, sizeof key_path, "%s/server.key", dir);
    size_t cert_len = 0, key_len = 0;
    char *cert = slurp(cert_path, &cert_len), *key = slurp(key_path, &key_len);
    http_client *c = client(ca_pem, HTTP_CA_ADD, NULL);
    pp_http_request req;
    memset(&req, 0, sizeof req);
    req.size = sizeof req;
    req.url = url_ip;
    req.max_retries = PP_HTTP_NO_RETRY;
    req.client_cert_pem = cert;
    req.client_cert_pem_len = cert_len;
    req.client_key_pem = key;
    req.client_key_pem_len = key_len;
    pp_http_response *resp = NULL;
    char err[512] = "";
    int rc = http_request(c, &req, &resp, NULL, NULL, err, sizeof err);
    CHECK(rc == PP_OK && resp && resp->status == 200, "with a client certificate: rc %d: %s", rc, err);
    http_response_free(resp);
    resp = NULL;
    http_client_free(c); /* a fresh client: no connection to reuse */
    c = client(ca_pem, HTTP_CA_ADD, NULL);
    req.client_key_pem = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n";
    req.client_key_pem_len = strlen(req.client_key_pem);
    rc = http_request(c, &req, &resp, NULL, NULL, err, sizeof err);
    CHECK(rc != PP_OK, "a broken client key was not noticed: rc %d", rc);
    CHECK(strstr(err, "not a key") == NULL, "the key must never appear in an error: %s", err);
    http_response_free(resp);
    resp = NULL;
    req.client_key_pem = NULL;
    req.client_key_pem_len = 0;
    rc = http_request(c, &req, &resp, NULL, NULL, err, sizeof err);
    CHECK(rc == PP_ERR_INVALID && resp == NULL, "a certificate without its key: rc %d", rc);
    req.client_key_pem = key;
    req.client_key_pem_len = key_len;
    req.url = "http://127.0.0.1:9/plain";
    rc = http_request(c, &req, &resp, NULL, NULL, err, sizeof err);
    CHECK(rc == PP_ERR_INVALID && resp == NULL, "a client certificate over http://: rc %d", rc);
    http_client_free(c);
    free(cert);
    free(key);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    /* proxy settings of the test environment must not apply to 127.0.0.1 */
    const char *vars[] = { "http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY" };
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        unsetenv(vars[i]);
    snprintf(dir, sizeof dir, "/tmp/pp-tls-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 99;
    if (httpd_make_certs(dir) != 0) {
        printf("SKIP: the openssl tool is needed to make test certificates\n");
        return 77;
    }
    char cert[128], key[128];
    snprintf(ca_pem, sizeof ca_pem, "%s/ca.pem", dir);
    snprintf(other_ca_pem, sizeof other_ca_pem, "%s/other-ca.pem", dir);
    snprintf(cert, sizeof cert, "%s/server.pem", dir);
    snprintf(key, sizeof key, "%s/server.key", dir);
    srv = httpd_start(cert, key);
    if (srv == NULL)
        return 99;
    snprintf(url_ip, sizeof url_ip, "https://127.0.0.1:%d/tls-check", httpd_port(srv));
    snprintf(url_name, sizeof url_name, "https://localhost:%d/tls-check", httpd_port(srv));
    RUN(test_with_ca_bundle);
    RUN(test_without_ca_bundle);
    RUN(test_request_ca_file);
    RUN(test_ca_only_mode);
    RUN(test_insecure_host_only_for_that_host);
    RUN(test_client_certificate);
    httpd_stop(srv);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return test_summary();
}
