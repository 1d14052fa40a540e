/* core/host.c - see host.h. */
#include "config.h"

#include "host.h"

#include <parapet/version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_services.h"
#include "log.h"
#include "util.h"

#define KV_MAX_VALUE (1u << 20)
#define KV_MAX_KEY 256

static void default_log(pp_host *h, int level, const char *msg)
{
    log_msg(level, h->name, "%s", msg);
}

static int default_emit(pp_host *h, rec *r)
{
    log_msg(LOG_LVL_WARN, h->name, "%s record emitted outside a scan was dropped", rec_kind_name(r->kind));
    rec_free(r);
    return PP_ERR;
}

static void default_progress(pp_host *h, uint64_t done, uint64_t total, const char *what)
{
    (void)h;
    (void)done;
    (void)total;
    (void)what;
}

static int default_kv_get(pp_host *h, const char *key, char **val, size_t *len)
{
    (void)h;
    (void)key;
    (void)val;
    (void)len;
    return PP_ERR_NOTFOUND;
}

static int default_kv_set(pp_host *h, const char *key, const char *val, size_t len, uint32_t ttl_s)
{
    (void)h;
    (void)key;
    (void)val;
    (void)len;
    (void)ttl_s;
    return PP_ERR;
}

static const host_backend default_backend = {default_log, default_emit, default_progress, default_kv_get,
                                             default_kv_set};

const host_backend *host_default_backend(void)
{
    return &default_backend;
}

static _Thread_local const host_backend *tl_be;
static _Thread_local void *tl_ctx;

void host_bind_thread(const host_backend *be, void *ctx)
{
    tl_be = be;
    tl_ctx = be ? ctx : NULL;
}

void *host_ctx(const pp_host *h)
{
    return tl_be ? tl_ctx : h->be_ctx;
}

/* The backend serving @h on this thread. */
static const host_backend *be_of(const pp_host *h)
{
    return tl_be ? tl_be : h->be;
}

pp_host *host_new(const char *name)
{
    pp_host *h = xcalloc(1, sizeof *h);
    host_set_name(h, name);
    h->be = &default_backend;
    atomic_init(&h->cancelled, 0);
    pthread_mutex_init(&h->http_lock, NULL);
    return h;
}

void host_free(pp_host *h)
{
    if (!h)
        return;
    host_http_release(h);
    free(h->http_conf);
    pthread_mutex_destroy(&h->http_lock);
    free(h);
}

void host_set_name(pp_host *h, const char *name)
{
    snprintf(h->name, sizeof h->name, "%s", name ? name : "?");
}

void host_log(pp_host *h, int level, const char *msg)
{
    be_of(h)->log(h, level, msg);
}

/* ---- the table ---- */

static void api_log(pp_host *h, pp_log_level level, const char *msg)
{
    if (!h || !msg)
        return;
    int lvl = (int)level;
    if (lvl < PP_LOG_ERROR)
        lvl = PP_LOG_ERROR;
    if (lvl > PP_LOG_DEBUG)
        lvl = PP_LOG_DEBUG;
    be_of(h)->log(h, lvl, msg);
}

static void *api_alloc(pp_host *h, size_t n)
{
    (void)h;
    return malloc(n ? n : 1);
}

static void api_free(pp_host *h, void *p)
{
    (void)h;
    free(p);
}

static int api_http(pp_host *h, const pp_http_request *req, pp_http_response **out)
{
    if (!h || !req || !out || req->size < offsetof(pp_http_request, n_headers) || !req->url)
        return PP_ERR_INVALID;
    *out = NULL;
    return host_http_request(h, req, out);
}

static void api_http_free(pp_host *h, pp_http_response *resp)
{
    (void)h;
    host_http_response_free(resp);
}

static int api_secret(pp_host *h, const char *ref, char **out, size_t *len)
{
    if (!h || !ref || !out || !len)
        return PP_ERR_INVALID;
    *out = NULL;
    *len = 0;
    return host_secret_resolve(h, ref, out, len);
}

static void api_secret_free(pp_host *h, char *value, size_t len)
{
    (void)h;
    if (!value)
        return;
    wipe(value, len);
    free(value);
}

static int emit_kind(pp_host *h, rec_kind k, const void *src)
{
    if (!h || !src)
        return PP_ERR_INVALID;
    char err[256];
    rec *r = rec_copy(k, src, h->name, err, sizeof err);
    if (!r) {
        be_of(h)->log(h, LOG_LVL_WARN, err);
        return PP_ERR_INVALID;
    }
    int rc = be_of(h)->emit(h, r);
    if (rc == PP_OK && atomic_load(&h->cancelled))
        rc = PP_ERR_CANCELLED;
    return rc;
}

static int api_emit_resource(pp_host *h, const pp_resource *r)
{
    return emit_kind(h, REC_RESOURCE, r);
}

static int api_emit_finding(pp_host *h, const pp_finding *f)
{
    return emit_kind(h, REC_FINDING, f);
}

static int api_emit_event(pp_host *h, const pp_event *e)
{
    return emit_kind(h, REC_EVENT, e);
}

static int api_emit_indicator(pp_host *h, const pp_indicator *i)
{
    return emit_kind(h, REC_INDICATOR, i);
}

static int api_emit_advisory(pp_host *h, const pp_advisory *a)
{
    return emit_kind(h, REC_ADVISORY, a);
}

static int api_emit_package(pp_host *h, const pp_package *p)
{
    return emit_kind(h, REC_PACKAGE, p);
}

static int api_cancelled(pp_host *h)
{
    return h ? atomic_load(&h->cancelled) : 1;
}

static void api_progress(pp_host *h, uint64_t done, uint64_t total, const char *what)
{
    if (h)
        be_of(h)->progress(h, done, total, what ? what : "");
}

static int api_kv_get(pp_host *h, const char *key, char **val, size_t *len)
{
    if (!h || !key || !*key || strlen(key) > KV_MAX_KEY || !val || !len)
        return PP_ERR_INVALID;
    *val = NULL;
    *len = 0;
    return be_of(h)->kv_get(h, key, val, len);
}

static int api_kv_set(pp_host *h, const char *key, const char *val, size_t len, uint32_t ttl_s)
{
    if (!h || !key || !*key || strlen(key) > KV_MAX_KEY || len > KV_MAX_VALUE)
        return PP_ERR_INVALID;
    return be_of(h)->kv_set(h, key, val, val ? len : 0, ttl_s);
}

static const void *api_service(pp_host *h, const char *name, uint32_t version)
{
    (void)h;
    (void)name;
    (void)version;
    return NULL; /* no optional services in this release */
}

const pp_host_api host_api_table = {
    .size = sizeof(pp_host_api),
    .abi_major = PP_ABI_MAJOR,
    .abi_minor = PP_ABI_MINOR,
    .log = api_log,
    .alloc = api_alloc,
    .free = api_free,
    .http = api_http,
    .http_free = api_http_free,
    .secret = api_secret,
    .secret_free = api_secret_free,
    .emit_resource = api_emit_resource,
    .emit_finding = api_emit_finding,
    .emit_event = api_emit_event,
    .emit_indicator = api_emit_indicator,
    .emit_advisory = api_emit_advisory,
    .emit_package = api_emit_package,
    .cancelled = api_cancelled,
    .progress = api_progress,
    .kv_get = api_kv_get,
    .kv_set = api_kv_set,
    .service = api_service,
};
