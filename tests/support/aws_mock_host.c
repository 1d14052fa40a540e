/*
 * aws_mock_host.c - see aws_mock_host.h. Test code.
 */
#define _DEFAULT_SOURCE
#include "aws_mock_host.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/http/http.h"

static http_client *client;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char logbuf[1 << 16];
static size_t loglen;
static unsigned n_res, n_find;
static char last_msg[1024];

static void m_log(pp_host *h, pp_log_level lvl, const char *msg)
{
    (void)h, (void)lvl;
    pthread_mutex_lock(&mu);
    int n = snprintf(logbuf + loglen, sizeof logbuf - loglen, "%s\n", msg);
    if (n > 0 && (size_t)n < sizeof logbuf - loglen)
        loglen += (size_t)n;
    pthread_mutex_unlock(&mu);
}

static void *m_alloc(pp_host *h, size_t n)
{
    (void)h;
    return malloc(n);
}

static void m_free(pp_host *h, void *p)
{
    (void)h;
    free(p);
}

static int m_http(pp_host *h, const pp_http_request *req, pp_http_response **out)
{
    (void)h;
    if (!client) {
        http_options o;
        http_options_init(&o);
        o.max_retries = 0;
        o.backoff_base_ms = 10;
        char err[256];
        if (http_client_new(&o, &client, err, sizeof err) != 0)
            return PP_ERR;
    }
    char err[256];
    return http_request(client, req, out, NULL, NULL, err, sizeof err);
}

static void m_http_free(pp_host *h, pp_http_response *r)
{
    (void)h;
    http_response_free(r);
}

static int m_emit_resource(pp_host *h, const pp_resource *r)
{
    (void)h, (void)r;
    __atomic_add_fetch(&n_res, 1, __ATOMIC_SEQ_CST);
    return PP_OK;
}

static int m_emit_finding(pp_host *h, const pp_finding *f)
{
    (void)h;
    pthread_mutex_lock(&mu);
    n_find++;
    snprintf(last_msg, sizeof last_msg, "%s", f->message ? f->message : "");
    pthread_mutex_unlock(&mu);
    return PP_OK;
}

static int m_cancelled(pp_host *h)
{
    (void)h;
    return 0;
}

static void m_progress(pp_host *h, uint64_t d, uint64_t t, const char *w)
{
    (void)h, (void)d, (void)t, (void)w;
}

static pp_host_api api;
static int dummy_handle;

const pp_host_api *mock_host_api(void)
{
    api.size = sizeof api;
    api.abi_major = 1;
    api.abi_minor = 1;
    api.log = m_log;
    api.alloc = m_alloc;
    api.free = m_free;
    api.http = m_http;
    api.http_free = m_http_free;
    api.emit_resource = m_emit_resource;
    api.emit_finding = m_emit_finding;
    api.cancelled = m_cancelled;
    api.progress = m_progress;
    return &api;
}

pp_host *mock_host_handle(void)
{
    return (pp_host *)&dummy_handle;
}

const char *mock_host_log(void)
{
    return logbuf;
}

unsigned mock_host_resources(void)
{
    return n_res;
}

unsigned mock_host_findings(void)
{
    return n_find;
}

const char *mock_host_last_finding_message(void)
{
    return last_msg;
}

void mock_host_reset(void)
{
    pthread_mutex_lock(&mu);
    loglen = 0;
    logbuf[0] = '\0';
    n_res = n_find = 0;
    last_msg[0] = '\0';
    pthread_mutex_unlock(&mu);
}

void mock_host_shutdown(void)
{
    http_client_free(client);
    client = NULL;
}
