/*
 * tests/unit/test_http.c - the HTTP client against a real scripted server
 * on 127.0.0.1 (plain HTTP; TLS is in test_http_tls.c).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../core/http/http.h"
#include "../../core/log.h"
#include "../support/test_capture.h"
#include "../support/test_check.h"
#include "../support/test_httpd.h"

static httpd *srv;
static char base[64]; /* http://127.0.0.1:PORT */

/* A client with short backoffs so the suite stays fast. */
static http_client *make_client(void (*tweak)(http_options *))
{
    http_options o;
    http_options_init(&o);
    o.backoff_base_ms = 20;
    o.backoff_max_ms = 100;
    if (tweak != NULL)
        tweak(&o);
    http_client *c = NULL;
    char err[256];
    int rc = http_client_new(&o, &c, err, sizeof err);
    if (rc != PP_OK) {
        fprintf(stderr, "http_client_new: %s\n", err);
        exit(1);
    }
    return c;
}

static pp_http_request make_req(const char *method, const char *url)
{
    pp_http_request r;
    memset(&r, 0, sizeof r);
    r.size = sizeof r;
    r.method = method;
    r.url = url;
    return r;
}

static const char *find_header(const pp_http_response *r, const char *name)
{
    for (size_t i = 0; i < r->n_headers; i++)
        if (strcmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

/* ---- plain requests ------------------------------------------------ */

static void test_get_with_headers(void)
{
    static const httpd_reply rep = { 200, "X-Custom-Thing:  Some Value \r\nETag: \"abc\"\r\n", "hello world", 0, 0, 0 };
    httpd_script(srv, &rep, 1);
    http_client *c = make_client(NULL);
    char url[128];
    snprintf(url, sizeof url, "%s/v1/items?limit=5", base);
    pp_http_header hdrs[] = { { "X-Test", "one" }, { "Accept", "application/json" } };
    pp_http_request req = make_req(NULL, url);
    req.headers = hdrs;
    req.n_headers = 2;
    pp_http_response *resp = NULL;
    char err[256];
    int rc = http_request(c, &req, &resp, NULL, NULL, err, sizeof err);
    CHECK(rc == PP_OK, "rc %d: %s", rc, err);
    if (resp != NULL) {
        CHECK(resp->status == 200, "status %ld", resp->status);
        CHECK(resp->attempts == 1, "attempts %u", resp->attempts);
        CHECK(resp->body_len == 11 && strcmp(resp->body, "hello world") == 0, "body '%s'", resp->body);
        CHECK(resp->size == sizeof(pp_http_response), "size %u", resp->size);
        const char *v = find_header(resp, "x-custom-thing");
        CHECK(v != NULL && strcmp(v, "Some Value") == 0, "x-custom-thing '%s'", v ? v : "(none)");
        v = find_header(resp, "etag");
        CHECK(v != NULL && strcmp(v, "\"abc\"") == 0, "etag '%s'", v ? v : "(none)");
        CHECK(find_header(resp, "X-Custom-Thing") == NULL, "names must be lower-cased");
    }
    http_response_free(resp);
    char *seen = httpd_last_request(srv);
    CHECK(seen != NULL && strncmp(seen, "GET /v1/items?limit=5 HTTP/1.1\r\n", 32) == 0, "request line: %.40s",
          seen ? seen : "(none)");
    CHECK(seen != NULL && strstr(seen, "\r\nX-Test: one\r\n") != NULL, "custom header not sent");
    CHECK(seen != NULL && strstr(seen, "\r\nUser-Agent: parapet/") != NULL, "user agent not parapet/VERSION");
    free(seen);
    http_client_free(c);
}

static void test_post_body(void)
{
    static const httpd_reply rep = { 201, NULL, "{\"id\":7}", 0, 0, 0 };
    httpd_script(srv, &rep, 1);
    http_client *c = make_client(NULL);
    char url[128];
    snprintf(url, sizeof url, "%s/submit", base);
    pp_http_header hdrs[] = { { "Content-Type", "application/json" } };
    const char *body = "{\"name\":\"x\"}";
    pp_http_request req = make_req("POST", url);
    req.headers = hdrs;
    req.n_headers = 1;
    req.body = body;
    req.body_len = strlen(body);
    pp_http_response *resp = NULL;
    int rc = http_request(c, &req, &resp, NULL, NULL, NULL, 0);
    CHECK(rc == PP_OK && resp != NULL && resp->status == 201, "rc %d", rc);
    CHECK(resp != NULL && strcmp(resp->body, "{\"id\":7}") == 0, "body");
    http_response_free(resp);
    char *seen = httpd_last_request(srv);
    CHECK(seen != NULL && strncmp(seen, "POST /submit HTTP/1.1\r\n", 23) == 0, "request line");
    CHECK(seen != NULL && strstr(seen, "Content-Type: application/json\r\n") != NULL, "content type");
    CHECK(seen != NULL && strstr(seen, "Content-Length: 12\r\n") != NULL, "content length");
    size_t sl = seen ? strlen(seen) : 0;
    CHECK(sl > 12 && strcmp(seen + sl - 12, body) == 0, "body not received");
    CHECK(seen != NULL && strstr(seen, "Expect:") == NULL, "no Expect: 100-continue round trip");
    free(seen);

    /* a body without Content-Type is not labelled as a form */
    pp_http_request put = make_req("PUT", url);
    put.body = "raw";
    put.body_len = 3;
    rc = http_request(c, &put, &resp, NULL, NULL, NULL, 0);
    CHECK(rc == PP_OK, "PUT rc %d", rc);
    http_response_free(resp);
    seen = httpd_last_request(srv);
    CHECK(seen != NULL && strncmp(seen, "PUT /submit HTTP/1.1\r\n", 22) == 0, "PUT request line");
    CHECK(seen != NULL && strstr(seen, "x-www-form-urlencoded") == NULL, "curl's default form type leaked");
    CHECK(seen != NULL && strcmp(seen + strlen(seen) - 3, "raw") == 0, "PUT body");
    free(seen);
    http_client_free(c);
}

static void test_head_and_empty_body(void)
{
    static const httpd_reply rep = { 204, NULL, NULL, 0, 0, 0 };
    httpd_script(srv, &rep, 1);
    http_client *c = make_client(NULL);
    pp_http_request req = make_req("DELETE", base);
    pp_http_response *resp = NULL;
    int rc = http_request(c, &req, &resp, NULL, NULL, NULL, 0);
    CHECK(rc == PP_OK && resp != NULL && resp->status == 204, "rc %d", rc);
    CHECK(resp != NULL && resp->body != NULL && resp->body_len == 0 && resp->body[0] == '\0',
          "empty body must be an empty string");
    http_response_free(resp);
    char *seen = httpd_last_request(srv);
    CHECK(seen != NULL && strncmp(seen, "DELETE / HTTP/1.1", 17) == 0, "DELETE sent");
    free(seen);
    http_client_free(c);
}

/* ---- retries ------------------------------------------------------- */

static void test_429_retry_after(void)
{
    static const httpd_reply rep[] = { { 429, "Retry-After: 1\r\n", "slow down", 0, 0, 0 },
                                       { 200, NULL, "done", 0, 0, 0 } };
    httpd_script(srv, rep, 2);
    http_client *c = make_client(NULL);
    pp_http_request req = make_req("GET", base);
    pp_http_response *resp = NULL;
    uint64_t t0 = test_now_ms();
    int rc = http_request(c, &req, &resp, NULL, NULL, NULL, 0);
    uint64_t dt = test_now_ms() - t0;
    CHECK(rc == PP_OK && resp != NULL && resp->status == 200, "rc %d", rc);
    CHECK(resp != NULL && resp->attempts == 2, "attempts %u", resp ? resp->attempts : 0);
    CHECK(httpd_requests(srv) == 2, "server saw %u", httpd_requests(srv));
    CHECK(dt >= 950 && dt < 3000, "Retry-After: 1 not honoured, waited %llu ms", (unsigned long long)dt);
    http_response_free(resp);
    http_client_free(c);
}

static void cap_retry_after(http_options *o)
{
    o->retry_after_max_ms = 200;
}

static void test_retry_after_capped(void)
{
    static const httpd_reply rep[] = { { 503, "Retry-After: 3600\r\n", NULL, 0, 0, 0 },
                                       { 200, NULL, "done", 0, 0, 0 } };
    httpd_script(srv, rep, 2);
    http_client *c = make_client(cap_retry_after);
    pp_http_request req = make_req("GET", base);
    pp_http_response *resp = NULL;
    uint64_t t0 = test_now_ms();
    int rc = http_request(c, &req, &resp, NULL, NULL, NULL, 0);
    uint64_t dt = test_now_ms() - t0;
    CHECK(rc == PP_OK && resp != NULL && resp->status == 200 && resp->attempts == 2, "rc %d", rc);
    CHECK(dt >= 180 && dt < 2000, "cap of 200 ms not applied: %llu ms", (unsigned long long)dt);
    http_response_free(resp);
    http_client_free(c);
}

static void test_503_backoff(void)
{
    static const httpd_reply rep[] = { { 503, NULL, "busy", 0, 0, 0 },
                                       { 502, NULL, "bad gw", 0, 0, 0 },
                                       { 200, NULL, "fine", 0, 0, 0 } };
    httpd_script(srv, rep, 3);
    http_client *c = make_client(NULL);
    pp_http_request req = make_req("GET", base);
    pp_http_response *resp = NULL;
    int rc = http_request(c, &req, &resp, NULL, NULL, NULL, 0);
    CHECK(rc == PP_OK && resp != NULL, "rc %d", rc);
    CHECK(resp != NULL && resp->status == 200 && resp->attempts == 3, "status %ld attempts %u",
          resp ? resp->status : 0, resp ? resp->attempts : 0);
    CHECK(resp != NULL && strcmp(resp->body, "fine") == 0, "body of the last attempt");
    CHECK(httpd_requests(srv) == 3, "server saw %u", httpd_requests(srv));
    http_response_free(resp);
    http_client_free(c);
}

static void test_retries_exhausted(void)
{
    static const httpd_reply rep = { 503, "X-Attempt: last\r\n", "still busy", 0, 0, 0 };
    httpd_script(srv, &rep, 1);
    http_client *c = make_client(NULL);
    pp_http_request req = make_req("GET", base);
    req.max_retries = 2;
    pp_http_response *resp = NULL;
    int rc = http_request(c, &req, &resp, NULL, NULL, NULL, 0);
    CHECK(rc == PP_OK, "a final 5xx is a response, not an error: rc %d", rc);
    CHECK(resp != NULL && resp->status == 503 && resp->attempts == 3, "status %ld attempts %u",
          resp ? resp->status : 0, resp ? resp->attempts : 0);
    CHECK(resp != NULL && strcmp(resp->body, "still busy") == 0, "body of the last attempt");
    CHECK(httpd_requests(srv) == 3, "server saw %u", httpd_requests(srv));
    http_response_free(resp);

    httpd_script(srv, &rep, 1);
    req.max_retries = PP_HTTP_NO_RETRY;
    rc = http_request(c, &req, &resp, NULL, NULL, NULL, 0);
    CHECK(rc == PP_OK && resp != NULL && resp->attempts == 1, "PP_HTTP_NO_RETRY must make one attempt");
    CHECK(httpd_requests(srv) == 1, "server saw %u", httpd_requests(srv));
    http_response_free(resp);

    /* 404 is not retried */
    static const httpd_reply nf = { 404, NULL, "nope", 0, 0, 0 };
    httpd_script(srv, &nf, 1);
    req.max_retries = 0;
    rc = http_request(c, &req, &resp, NULL, NULL, NULL, 0);
    CHECK(rc == PP_OK && resp != NULL && resp->status == 404 && resp->attempts == 1, "404 retried?");
    http_response_free(resp);
    http_client_free(c);
}

static void test_post_retry_rules(void)
{
    http_client *c = make_client(NULL);
    pp_http_request req = make_req("POST", base);
    req.body = "x";
    req.body_len = 1;
    pp_http_response *resp = NULL;

    static const httpd_reply r500[] = { { 500, NULL, NULL, 0, 0, 0 }, { 200, NULL, NULL, 0, 0, 0 } };
    httpd_script(srv, r500, 2);
    int rc = http_request(c, &req, &resp, NULL, NULL, NULL, 0);
    CHECK(rc == PP_OK && resp != NULL && resp->status == 500 && resp->attempts == 1, "POST retried on 500");
    http_response_free(resp);

    static const httpd_reply r503[] = { { 503, NULL, NULL, 0, 0, 0 }, { 200, NULL, NULL, 0, 0, 0 } };
    httpd_script(srv, r503, 2);
    rc = http_request(c, &req, &resp, NULL, NULL, NULL, 0);
    CHECK(rc == PP_OK && resp != NULL && resp->status == 503 && resp->attempts == 1,
          "POST retried on 503 without Retry-After");
    http_response_free(resp);

    static const httpd_reply r503ra[] = { { 503, "Retry-After: 0\r\n", NULL, 0, 0, 0 }, { 200, NULL, NULL, 0, 0, 0 } };
    httpd_script(srv, r503ra, 2);
    rc = http_request(c, &req, &resp, NULL, NULL, NULL, 0);
    CHECK(rc == PP_OK && resp != NULL && resp->status == 200 && resp->attempts == 2,
          "POST not retried on 503 with Retry-After");
    http_response_free(resp);

    static const httpd_reply r429[] = { { 429, NULL, NULL, 0, 0, 0 }, { 200, NULL, NULL, 0, 0, 0 } };
    httpd_script(srv, r429, 2);
    rc = http_request(c, &req, &resp, NULL, NULL, NULL, 0);
    CHECK(rc == PP_OK && resp != NULL && resp->status == 200 && resp->attempts == 2, "POST not retried on 429");
    http_response_free(resp);
    http_client_free(c);
}

/* ---- timeouts, size cap -------------------------------------------- */

static void test_timeout(void)
{
    static const httpd_reply slow = { 200, NULL, "late", 0, 3000, 0 };
    httpd_script(srv, &slow, 1);
    http_client *c = make_client(NULL);
    pp_http_request req = make_req("GET", base);
    req.timeout_ms = 300;
    req.max_retries = PP_HTTP_NO_RETRY;
    pp_http_response *resp = NULL;
    char err[256] = "";
    uint64_t t0 = test_now_ms();
    int rc = http_request(c, &req, &resp, NULL, NULL, err, sizeof err);
    uint64_t dt = test_now_ms() - t0;
    CHECK(rc == PP_ERR_TIMEOUT, "rc %d (%s)", rc, err);
    CHECK(resp == NULL, "no response on error");
    CHECK(dt >= 250 && dt < 1500, "timeout of 300 ms took %llu ms", (unsigned long long)dt);
    CHECK(strstr(err, "127.0.0.1") != NULL, "error should name the URL: %s", err);

    /* a timed-out GET is retried, and the retry can succeed */
    static const httpd_reply then_ok[] = { { 200, NULL, "late", 0, 3000, 0 }, { 200, NULL, "quick", 0, 0, 0 } };
    httpd_script(srv, then_ok, 2);
    req.max_retries = 1;
    rc = http_request(c, &req, &resp, NULL, NULL, err, sizeof err);
    CHECK(rc == PP_OK && resp != NULL && resp->attempts == 2 && strcmp(resp->body, "quick") == 0,
          "timeout not retried: rc %d %s", rc, err);
    http_response_free(resp);
    http_client_free(c);
}

static char big_body[5000];

static void small_body_cap(http_options *o)
{
    o->max_body = 1000;
}

static void test_body_cap(void)
{
    memset(big_body, 'a', sizeof big_body);
    http_client *c = make_client(small_body_cap);
    char url[128];
    snprintf(url, sizeof url, "%s/big/object?X-Amz-Signature=QUERYSECRET", base);
    pp_http_request req = make_req("GET", url);
    pp_http_response *resp = NULL;
    char err[256] = "";

    httpd_reply rep = { 200, NULL, big_body, sizeof big_body, 0, 0 };
    httpd_script(srv, &rep, 1);
    int rc = http_request(c, &req, &resp, NULL, NULL, err, sizeof err);
    CHECK(rc == PP_ERR_IO && resp == NULL, "over the cap (Content-Length): rc %d", rc);
    CHECK(strstr(err, "http://127.0.0.1:") != NULL && strstr(err, "cap") != NULL, "error must name the host: %s",
          err);
    CHECK(strstr(err, "/big/object") == NULL, "URL path in error (it can be a credential): %s", err);
    CHECK(strstr(err, "QUERYSECRET") == NULL && strchr(err, '?') == NULL, "query string in error: %s", err);

    rep.no_length = 1; /* no Content-Length: only the running count can catch it */
    httpd_script(srv, &rep, 1);
    rc = http_request(c, &req, &resp, NULL, NULL, err, sizeof err);
    CHECK(rc == PP_ERR_IO && resp == NULL, "over the cap (streamed): rc %d", rc);
    CHECK(strstr(err, "http://127.0.0.1:") != NULL && strstr(err, "/big/object") == NULL &&
              strstr(err, "QUERYSECRET") == NULL,
          "error: %s", err);

    rep.body_len = 1000; /* exactly the cap is fine */
    rep.no_length = 0;
    httpd_script(srv, &rep, 1);
    rc = http_request(c, &req, &resp, NULL, NULL, err, sizeof err);
    CHECK(rc == PP_OK && resp != NULL && resp->body_len == 1000 && resp->body[1000] == '\0', "rc %d", rc);
    http_response_free(resp);
    http_client_free(c);
}

/* ---- concurrency and connection reuse ------------------------------ */

static http_client *shared_client;
static int worker_failures;
static pthread_mutex_t worker_lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
    (void)arg;
    char url[128];
    snprintf(url, sizeof url, "%s/par", base);
    pp_http_request req = make_req("GET", url);
    pp_http_response *resp = NULL;
    int rc = http_request(shared_client, &req, &resp, NULL, NULL, NULL, 0);
    if (rc != PP_OK || resp == NULL || resp->status != 200 || strcmp(resp->body, "par") != 0) {
        pthread_mutex_lock(&worker_lock);
        worker_failures++;
        pthread_mutex_unlock(&worker_lock);
    }
    http_response_free(resp);
    return NULL;
}

static void test_per_host_cap(void)
{
    static const httpd_reply rep = { 200, NULL, "par", 0, 40, 0 };
    httpd_script(srv, &rep, 1);
    shared_client = make_client(NULL); /* default cap: 8 per host */
    pthread_t t[32];
    worker_failures = 0;
    for (int i = 0; i < 32; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < 32; i++)
        pthread_join(t[i], NULL);
    unsigned peak = httpd_peak_active(srv);
    CHECK(worker_failures == 0, "%d of 32 requests failed", worker_failures);
    CHECK(httpd_requests(srv) == 32, "server saw %u requests", httpd_requests(srv));
    CHECK(peak <= 8, "per-host cap exceeded: %u concurrent requests", peak);
    CHECK(peak >= 2, "requests did not run concurrently (peak %u)", peak);

    /* the same client again: pooled connections are reused */
    httpd_script(srv, &rep, 1);
    for (int i = 0; i < 32; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < 32; i++)
        pthread_join(t[i], NULL);
    CHECK(httpd_peak_active(srv) <= 8, "cap exceeded on second round");
    CHECK(httpd_connections(srv) < 32, "no reuse across threads: %u connections", httpd_connections(srv));
    http_client_free(shared_client);
}

static void test_connection_reuse(void)
{
    static const httpd_reply rep = { 200, NULL, "again", 0, 0, 0 };
    httpd_script(srv, &rep, 1);
    http_client *c = make_client(NULL);
    pp_http_request req = make_req("GET", base);
    int ok = 0;
    for (int i = 0; i < 10; i++) {
        pp_http_response *resp = NULL;
        if (http_request(c, &req, &resp, NULL, NULL, NULL, 0) == PP_OK && resp->status == 200)
            ok++;
        http_response_free(resp);
    }
    CHECK(ok == 10, "%d of 10 succeeded", ok);
    CHECK(httpd_requests(srv) == 10, "requests %u", httpd_requests(srv));
    CHECK(httpd_connections(srv) <= 2, "10 sequential requests used %u connections", httpd_connections(srv));
    http_client_free(c);
}

/* ---- cancellation -------------------------------------------------- */

static uint64_t cancel_at;
static int cancel_after(void *ud)
{
    (void)ud;
    return test_now_ms() >= cancel_at;
}

static void test_cancel_during_backoff(void)
{
    static const httpd_reply rep = { 503, "Retry-After: 30\r\n", NULL, 0, 0, 0 };
    httpd_script(srv, &rep, 1);
    http_client *c = make_client(NULL);
    pp_http_request req = make_req("GET", base);
    pp_http_response *resp = NULL;
    uint64_t t0 = test_now_ms();
    cancel_at = t0 + 200;
    int rc = http_request(c, &req, &resp, cancel_after, NULL, NULL, 0);
    uint64_t dt = test_now_ms() - t0;
    CHECK(rc == PP_ERR_CANCELLED && resp == NULL, "rc %d", rc);
    CHECK(dt < 1000, "cancel during a 30 s backoff took %llu ms", (unsigned long long)dt);
    CHECK(httpd_requests(srv) == 1, "requests %u", httpd_requests(srv));
    http_client_free(c);
}

static void test_cancel_during_transfer(void)
{
    static const httpd_reply rep = { 200, NULL, "late", 0, 5000, 0 };
    httpd_script(srv, &rep, 1);
    http_client *c = make_client(NULL);
    pp_http_request req = make_req("GET", base);
    pp_http_response *resp = NULL;
    uint64_t t0 = test_now_ms();
    cancel_at = t0 + 200;
    int rc = http_request(c, &req, &resp, cancel_after, NULL, NULL, 0);
    uint64_t dt = test_now_ms() - t0;
    CHECK(rc == PP_ERR_CANCELLED && resp == NULL, "rc %d", rc);
    CHECK(dt < 1000, "cancel during a transfer took %llu ms", (unsigned long long)dt);
    http_client_free(c);
}

/* ---- secrets stay out of logs and errors --------------------------- */

static void test_secrets_not_logged(void)
{
    static const httpd_reply rep = { 503, NULL, NULL, 0, 0, 0 };
    httpd_script(srv, &rep, 1);
    http_client *c = make_client(NULL);
    char url[256];
    snprintf(url, sizeof url, "http://user:TOPSECRET-PW@127.0.0.1:%d/secret-path?X-Amz-Signature=TOPSECRET-SIG#frag",
             httpd_port(srv));
    pp_http_header hdrs[] = {
        { "Authorization", "Bearer TOPSECRET-AUTH" },
        { "X-Amz-Security-Token", "TOPSECRET-STS" },
        { "Cookie", "session=TOPSECRET-COOKIE" },
        { "x-ms-blob-key", "TOPSECRET-MS" },
    };
    pp_http_request req = make_req("GET", url);
    req.headers = hdrs;
    req.n_headers = 4;
    req.max_retries = 1;
    int old_level = log_get_level();
    log_set_level(LOG_LVL_DEBUG);
    capture cap;
    CHECK(capture_begin(&cap) == 0, "capture");
    char err1[512] = "", err2[512] = "", err3[512] = "";
    pp_http_response *resp = NULL;
    int rc1 = http_request(c, &req, &resp, NULL, NULL, err1, sizeof err1);
    http_response_free(resp);
    resp = NULL;

    /* a transport failure: a port nobody listens on */
    char dead[256];
    snprintf(dead, sizeof dead, "http://127.0.0.1:1/secret-path?sig=TOPSECRET-SIG");
    req.url = dead;
    req.max_retries = PP_HTTP_NO_RETRY;
    int rc2 = http_request(c, &req, &resp, NULL, NULL, err2, sizeof err2);

    /* an invalid header value */
    pp_http_header bad[] = { { "Authorization", "Bearer TOPSECRET-AUTH\r\nX-Injected: 1" } };
    req.url = url;
    req.headers = bad;
    req.n_headers = 1;
    int rc3 = http_request(c, &req, &resp, NULL, NULL, err3, sizeof err3);
    char *log = capture_end(&cap);
    log_set_level(old_level);

    CHECK(rc1 == PP_OK, "rc1 %d", rc1);
    CHECK(rc2 == PP_ERR_IO, "rc2 %d (%s)", rc2, err2);
    CHECK(rc3 == PP_ERR_INVALID, "rc3 %d", rc3);
    CHECK(log != NULL && strstr(log, "retry 1 of 1") != NULL && strstr(log, "/secret-path") == NULL,
          "the retry should be logged at debug level, without the URL path: %s", log ? log : "(null)");
    CHECK(log != NULL && strstr(log, "TOPSECRET") == NULL, "a secret reached the log:\n%s", log ? log : "");
    CHECK(strstr(err2, "http://127.0.0.1:1/...") != NULL, "err2 should name the host, not the path: %s", err2);
    CHECK(strstr(err1, "TOPSECRET") == NULL && strstr(err2, "TOPSECRET") == NULL && strstr(err3, "TOPSECRET") == NULL,
          "a secret reached an error message: [%s] [%s] [%s]", err1, err2, err3);
    char *seen = httpd_last_request(srv);
    CHECK(seen != NULL && strstr(seen, "Authorization: Bearer TOPSECRET-AUTH\r\n") != NULL,
          "the header must still be sent");
    CHECK(seen != NULL && strstr(seen, "X-Injected") == NULL, "header injection reached the server");
    free(seen);
    free(log);
    http_client_free(c);
}

/* ---- proxy environment --------------------------------------------- */

static void test_proxy_env(void)
{
    /* The test server doubles as a forward proxy: a proxied request
     * arrives with the absolute URL in its request line. */
    static const httpd_reply rep = { 200, NULL, "via proxy", 0, 0, 0 };
    httpd_script(srv, &rep, 1);
    http_client *c = make_client(NULL);
    char proxy[64];
    snprintf(proxy, sizeof proxy, "http://127.0.0.1:%d", httpd_port(srv));
    setenv("http_proxy", proxy, 1);
    pp_http_request req = make_req("GET", "http://proxied.example.invalid/through?x=1");
    pp_http_response *resp = NULL;
    char err[256] = "";
    int rc = http_request(c, &req, &resp, NULL, NULL, err, sizeof err);
    CHECK(rc == PP_OK && resp != NULL && resp->status == 200, "http_proxy not used: rc %d %s", rc, err);
    http_response_free(resp);
    char *seen = httpd_last_request(srv);
    CHECK(seen != NULL && strncmp(seen, "GET http://proxied.example.invalid/through?x=1 HTTP/1.1", 55) == 0,
          "request line via proxy: %.60s", seen ? seen : "(none)");
    free(seen);

    /* no_proxy exempts a host: the request goes straight to it */
    setenv("no_proxy", "127.0.0.1", 1);
    req.url = base;
    rc = http_request(c, &req, &resp, NULL, NULL, err, sizeof err);
    CHECK(rc == PP_OK, "rc %d", rc);
    http_response_free(resp);
    seen = httpd_last_request(srv);
    CHECK(seen != NULL && strncmp(seen, "GET / HTTP/1.1", 14) == 0, "no_proxy ignored: %.40s", seen ? seen : "");
    free(seen);
    unsetenv("http_proxy");
    unsetenv("no_proxy");
    http_client_free(c);
}

/* ---- validation and struct versioning ------------------------------ */

static void test_invalid_requests(void)
{
    http_client *c = make_client(NULL);
    pp_http_response *resp = (pp_http_response *)&resp; /* must be reset to NULL */
    char err[256];
    pp_http_request req = make_req("GET", NULL);
    CHECK(http_request(c, &req, &resp, NULL, NULL, err, sizeof err) == PP_ERR_INVALID && resp == NULL, "NULL url");
    req.url = "ftp://127.0.0.1/file";
    CHECK(http_request(c, &req, &resp, NULL, NULL, err, sizeof err) == PP_ERR_INVALID, "ftp accepted");
    req.url = "file:///etc/passwd";
    CHECK(http_request(c, &req, &resp, NULL, NULL, err, sizeof err) == PP_ERR_INVALID, "file accepted");
    req.url = "not a url";
    CHECK(http_request(c, &req, &resp, NULL, NULL, err, sizeof err) == PP_ERR_INVALID, "garbage accepted");
    req.url = base;
    req.method = "get";
    CHECK(http_request(c, &req, &resp, NULL, NULL, err, sizeof err) == PP_ERR_INVALID, "lower-case method");
    req.method = "GE T";
    CHECK(http_request(c, &req, &resp, NULL, NULL, err, sizeof err) == PP_ERR_INVALID, "method with space");
    req.method = "GET";
    pp_http_header h[] = { { "Bad Name", "v" } };
    req.headers = h;
    req.n_headers = 1;
    CHECK(http_request(c, &req, &resp, NULL, NULL, err, sizeof err) == PP_ERR_INVALID, "header name with space");
    req.headers = NULL;
    CHECK(http_request(c, &req, &resp, NULL, NULL, err, sizeof err) == PP_ERR_INVALID, "n_headers without array");
    req.n_headers = 0;
    req.body_len = 4;
    CHECK(http_request(c, &req, &resp, NULL, NULL, err, sizeof err) == PP_ERR_INVALID, "body_len without body");
    req.body_len = 0;
    req.size = 0;
    CHECK(http_request(c, &req, &resp, NULL, NULL, err, sizeof err) == PP_ERR_INVALID, "size 0 accepted");
    CHECK(http_request(c, NULL, &resp, NULL, NULL, err, sizeof err) == PP_ERR_INVALID, "NULL request");
    http_client_free(c);
}

static void test_old_struct_size(void)
{
    static const httpd_reply rep = { 200, NULL, "ok", 0, 0, 0 };
    httpd_script(srv, &rep, 1);
    http_client *c = make_client(NULL);
    /* A caller whose struct ends before ca_file: the field beyond its size
     * holds garbage (a path that does not exist) and must not be read. */
    pp_http_request req = make_req("GET", base);
    req.size = (uint32_t)offsetof(pp_http_request, ca_file);
    req.ca_file = "/nonexistent/ca.pem";
    pp_http_response *resp = NULL;
    char err[256] = "";
    int rc = http_request(c, &req, &resp, NULL, NULL, err, sizeof err);
    CHECK(rc == PP_OK && resp != NULL && resp->status == 200, "rc %d: %s", rc, err);
    http_response_free(resp);
    /* the same field inside the size is honoured */
    req.size = sizeof req;
    rc = http_request(c, &req, &resp, NULL, NULL, err, sizeof err);
    CHECK(rc == PP_ERR_INVALID && strstr(err, "/nonexistent/ca.pem") != NULL, "rc %d: %s", rc, err);
    http_client_free(c);
}

static void test_client_options(void)
{
    http_options o;
    http_options_init(&o);
    CHECK(o.max_retries == 4 && o.max_per_host == 8 && o.max_body == (size_t)256 * 1024 * 1024,
          "documented defaults");
    http_client *c = NULL;
    char err[256];
    o.max_per_host = 0;
    CHECK(http_client_new(&o, &c, err, sizeof err) == PP_ERR_INVALID && c == NULL, "cap 0 accepted");
    http_options_init(&o);
    o.ca_file = "/nonexistent/ca.pem";
    CHECK(http_client_new(&o, &c, err, sizeof err) == PP_ERR_INVALID && strstr(err, "/nonexistent/ca.pem"),
          "missing CA file: %s", err);
    http_options_init(&o);
    o.ca_mode = HTTP_CA_ONLY;
    CHECK(http_client_new(&o, &c, err, sizeof err) == PP_ERR_INVALID, "ca only without file");
    http_options_init(&o);
    const char *hosts[] = { "https://x.example" };
    o.insecure_hosts = hosts;
    o.n_insecure_hosts = 1;
    CHECK(http_client_new(&o, &c, err, sizeof err) == PP_ERR_INVALID, "URL as insecure host accepted");
    CHECK(http_client_new(NULL, &c, err, sizeof err) == PP_OK && c != NULL, "defaults");
    http_client_free(c);
    http_client_free(NULL);
    http_response_free(NULL);
}

/* ---- helpers with no server ---------------------------------------- */

static void test_retry_after_parser(void)
{
    uint32_t ms = 7;
    time_t now = 1445412480; /* Wed, 21 Oct 2015 07:28:00 GMT */
    CHECK(http_parse_retry_after("120", now, &ms) == 1 && ms == 120000, "120 -> %u", ms);
    CHECK(http_parse_retry_after(" 5 ", now, &ms) == 1 && ms == 5000, "' 5 ' -> %u", ms);
    CHECK(http_parse_retry_after("0", now, &ms) == 1 && ms == 0, "0 -> %u", ms);
    CHECK(http_parse_retry_after("99999999999999999999", now, &ms) == 1 && ms == UINT32_MAX, "huge");
    CHECK(http_parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now, &ms) == 1 && ms == 10000,
          "IMF-fixdate -> %u", ms);
    CHECK(http_parse_retry_after("Wednesday, 21-Oct-15 07:28:30 GMT", now, &ms) == 1 && ms == 30000,
          "RFC 850 date -> %u", ms);
    CHECK(http_parse_retry_after("Wed Oct 21 07:28:02 2015", now, &ms) == 1 && ms == 2000, "asctime -> %u", ms);
    CHECK(http_parse_retry_after("Tue, 20 Oct 2015 07:28:00 GMT", now, &ms) == 1 && ms == 0, "past date -> %u", ms);
    CHECK(http_parse_retry_after("", now, &ms) == 0, "empty");
    CHECK(http_parse_retry_after(NULL, now, &ms) == 0, "NULL");
    CHECK(http_parse_retry_after("1.5", now, &ms) == 0, "fraction");
    CHECK(http_parse_retry_after("-3", now, &ms) == 0, "negative");
    CHECK(http_parse_retry_after("soon", now, &ms) == 0, "word");
    CHECK(http_parse_retry_after("+1 day", now, &ms) == 0, "curl's relative forms are not HTTP dates");
}

static void test_url_for_log(void)
{
    char b[128];
    CHECK(strcmp(http_url_for_log("https://h.example/a/b?sig=x#f", b, sizeof b), "https://h.example/...") == 0,
          "%s", b);
    CHECK(strcmp(http_url_for_log("https://u:pw@h.example:8443/p", b, sizeof b), "https://h.example:8443/...") == 0,
          "%s", b);
    CHECK(strcmp(http_url_for_log("https://h.example?x=@y", b, sizeof b), "https://h.example") == 0, "%s", b);
    CHECK(strcmp(http_url_for_log(NULL, b, sizeof b), "(null)") == 0, "%s", b);
    CHECK(strcmp(http_url_for_log("https://h.example/long/path", b, 12), "https://h.e") == 0, "truncation %s", b);
    /* a webhook whose path is the credential: only the host is shown */
    CHECK(strcmp(http_url_for_log("https://hooks.slack.com/services/T0/B0/SECRET", b, sizeof b),
                 "https://hooks.slack.com/...") == 0,
          "%s", b);
    CHECK(strcmp(http_url_for_log("https://h.example/", b, sizeof b), "https://h.example") == 0, "%s", b);
}

/* Proxy settings of the environment running the tests must not send
 * requests for 127.0.0.1 elsewhere. */
static void clear_proxy_env(void)
{
    const char *vars[] = { "http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                           "no_proxy", "NO_PROXY" };
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        unsetenv(vars[i]);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    clear_proxy_env();
    srv = httpd_start(NULL, NULL);
    if (srv == NULL)
        return 99;
    snprintf(base, sizeof base, "http://127.0.0.1:%d", httpd_port(srv));
    RUN(test_retry_after_parser);
    RUN(test_url_for_log);
    RUN(test_client_options);
    RUN(test_get_with_headers);
    RUN(test_post_body);
    RUN(test_head_and_empty_body);
    RUN(test_429_retry_after);
    RUN(test_retry_after_capped);
    RUN(test_503_backoff);
    RUN(test_retries_exhausted);
    RUN(test_post_retry_rules);
    RUN(test_timeout);
    RUN(test_body_cap);
    RUN(test_per_host_cap);
    RUN(test_connection_reuse);
    RUN(test_cancel_during_backoff);
    RUN(test_cancel_during_transfer);
    RUN(test_secrets_not_logged);
    RUN(test_proxy_env);
    RUN(test_invalid_requests);
    RUN(test_old_struct_size);
    httpd_stop(srv);
    return test_summary();
}
