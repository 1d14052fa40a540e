/*
 * core/host.h - the host side of the plugin ABI: the pp_host_api table and
 * the per-plugin pp_host object behind the opaque handle.
 *
 * Every plugin gets one pp_host. What its services do depends on the
 * backend attached to it: before a scan, logging goes to the core log and
 * emits are refused; in a worker (forked process or thread) they travel over
 * the worker pipe; for in-process policy and output plugins the scan
 * attaches a direct backend. The table itself never changes, which is why a
 * plugin cannot tell where it runs.
 */
#ifndef PP_CORE_HOST_H
#define PP_CORE_HOST_H

#include <parapet/host.h>
#include <pthread.h>
#include <stdatomic.h>

#include "record.h"

/* What a backend implements. All members required; all thread-safe. */
typedef struct host_backend {
    void (*log)(pp_host *h, int level, const char *msg);
    /* emit - takes ownership of @r. Returns PP_OK or PP_ERR_CANCELLED (kept). */
    int (*emit)(pp_host *h, rec *r);
    void (*progress)(pp_host *h, uint64_t done, uint64_t total, const char *what);
    int (*kv_get)(pp_host *h, const char *key, char **val, size_t *len);
    int (*kv_set)(pp_host *h, const char *key, const char *val, size_t len, uint32_t ttl_s);
} host_backend;

struct pp_host {
    char name[64];              /* plugin name, for logs and records */
    const host_backend *be;     /* where services go (never NULL) */
    void *be_ctx;               /* the backend's state */
    atomic_int cancelled;       /* set by the core; read by cancelled() */
    void *http;                 /* this plugin's HTTP client, made on first use */
    char *http_conf;            /* the plugin's "http.*" settings as a JSON object */
    pthread_mutex_t http_lock;  /* guards making the client */
};

/* The table handed to every plugin. */
extern const pp_host_api host_api_table;

/* host_new - a host object for a plugin about to be loaded, with the default
 * backend (core log, no emits). @name is a provisional name (file stem). */
pp_host *host_new(const char *name);
/* host_free - release it (after the plugin is unloaded). */
void host_free(pp_host *h);
/* host_set_name - set the name once the descriptor is known. */
void host_set_name(pp_host *h, const char *name);
/* host_default_backend - logging to the core log, emits refused. */
const host_backend *host_default_backend(void);

/*
 * host_bind_thread - route every host call made on THIS thread to @be with
 * context @ctx, whatever plugin makes it; NULL restores routing by the
 * plugin's own handle (h->be). The scan's writer thread binds itself while
 * it calls policy and output plugins, so a plugin that is also a provider
 * (running in a worker at the same time) reaches the right backend.
 */
void host_bind_thread(const host_backend *be, void *ctx);

/* host_log - log @msg for @h through the backend serving it on this thread. */
void host_log(pp_host *h, int level, const char *msg);

/* host_ctx - the context of the backend serving @h on this thread. */
void *host_ctx(const pp_host *h);

#endif
