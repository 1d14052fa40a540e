/* core/scan.c - see scan.h.
 *
 * Shape of a scan:
 *
 *   worker (process or thread) --socket--> supervisor (main thread)
 *        plugin: plan, collect           decode, track tasks, timeouts,
 *                                         cancellation, progress
 *                                              |
 *                                       bounded queue
 *                                              |
 *                                     writer thread: store + outputs
 *
 * Workers are forked before any other thread exists in this process.
 */
#include "config.h"

#include "scan.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host.h"
#include "feed/feed.h"
#include "host_services.h"
#include "log.h"
#include "policy/engine.h"
#include "queue.h"
#include "record.h"
#include "schema.h"
#include "store.h"
#include "util.h"
#include "wire.h"
#include "worker.h"

#define QUEUE_MAX_RECS 8192
#define QUEUE_MAX_BYTES (64u << 20)
#define CANCEL_GRACE_MS 5000

static atomic_int g_abandoned;

int scan_abandoned_threads(void)
{
    return atomic_load(&g_abandoned);
}

/* ---- signals ---- */

static int g_sigpipe[2] = {-1, -1};
static volatile sig_atomic_t g_signals;

static void on_signal(int sig)
{
    (void)sig;
    g_signals++;
    int saved = errno;
    if (g_sigpipe[1] >= 0) {
        ssize_t w = write(g_sigpipe[1], "x", 1);
        (void)w;
    }
    errno = saved;
}

/* ---- errors collected during the scan ---- */

typedef struct scan_err {
    char *plugin, *task, *message;
} scan_err;

typedef struct errlist {
    scan_err *v;
    size_t n;
    pthread_mutex_t lock;
} errlist;

static void add_error(errlist *e, const char *plugin, const char *task, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add_error(errlist *e, const char *plugin, const char *task, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_msg(LOG_LVL_ERROR, "core", "%s", msg);
    pthread_mutex_lock(&e->lock);
    e->v = xrealloc(e->v, (e->n + 1) * sizeof *e->v);
    e->v[e->n].plugin = xstrdup(plugin ? plugin : "core");
    e->v[e->n].task = xstrdup_or_null(task);
    e->v[e->n].message = xstrdup(msg);
    e->n++;
    pthread_mutex_unlock(&e->lock);
}

/* ---- per-plugin worker tracking ---- */

typedef struct active_task {
    char *id;
    int64_t started_ms;
} active_task;

typedef struct prov {
    loaded_plugin *lp;
    worker_job job;
    int fd;           /* our end of the socket; -1 when finished */
    pid_t pid;        /* > 0 for a forked worker */
    pthread_t thread; /* for an in-process worker */
    int has_thread;
    sbuf in;
    active_task *active;
    size_t n_active;
    uint32_t planned, tasks_ended, tasks_failed;
    uint64_t records;
    uint64_t prog_done, prog_total;
    int got_done, got_fatal, killed, hung, finished;
    int abandoned; /* a hung in-process worker thread left running */
    char *kill_reason;
    /* restarting after a crash or hang, for the tasks that did not run */
    cJSON *ended;    /* ids of tasks that finished (well or not) */
    cJSON *culprits; /* ids of tasks that crashed or hung */
    int restarts;
} prov;

/* A plugin's worker is restarted at most this often in one scan. */
#define MAX_RESTARTS 5

/* ---- the writer: store and outputs ---- */

typedef struct sink {
    loaded_plugin *lp;
    void *inst;     /* the plugin's instance (may legitimately be NULL) */
    int inited;     /* init succeeded for this sink's plugin */
    int owns_inst;  /* this sink destroys the instance at the end */
    void *handle;
    const char *format, *path;
    int failed;
} sink;

typedef struct type_count {
    char *key; /* "provider\ttype" */
    uint64_t n;
} type_count;

typedef struct policy_plugin {
    loaded_plugin *lp;
    void *inst;
    int failed;
} policy_plugin;

typedef struct writer {
    rqueue *q;
    store *st;
    int64_t scan_id;
    sink *sinks;
    size_t n_sinks;
    policy_engine *pe;    /* the rules; may have none */
    int64_t now;          /* the scan's start, the rules' `now` */
    policy_plugin *pols;  /* policy plugins with an evaluate callback */
    size_t n_pols;
    rec *pending, *pending_tail; /* records emitted by evaluate, not yet handled */
    int accept_emits;     /* only while a policy plugin's evaluate runs */
    int store_failed;
    errlist *errs;
    const char *db_path; /* the scan's packages are matched there at the end */
    int ignore_unfixed;  /* leave out vulnerabilities with no fixed version */
    /* counters */
    atomic_ullong n_resources, n_records;
    uint64_t findings_by_status[4];
    uint64_t failing_by_sev[5];
    type_count *types; /* open addressing */
    size_t types_cap, types_n;
} writer;

static uint64_t fnv1a(const char *a, const char *b)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *a; a++)
        h = (h ^ (unsigned char)*a) * 1099511628211ULL;
    h = (h ^ '\t') * 1099511628211ULL;
    for (; *b; b++)
        h = (h ^ (unsigned char)*b) * 1099511628211ULL;
    return h;
}

static int key_eq(const char *key, const char *a, const char *b)
{
    size_t la = strlen(a);
    return strncmp(key, a, la) == 0 && key[la] == '\t' && strcmp(key + la + 1, b) == 0;
}

static void count_type(writer *w, const char *provider, const char *type)
{
    if (w->types_n * 2 >= w->types_cap) {
        size_t ncap = w->types_cap ? w->types_cap * 2 : 64;
        type_count *nt = xcalloc(ncap, sizeof *nt);
        for (size_t i = 0; i < w->types_cap; i++) {
            if (!w->types[i].key)
                continue;
            char *tab = strchr(w->types[i].key, '\t');
            *tab = '\0';
            size_t j = fnv1a(w->types[i].key, tab + 1) & (ncap - 1);
            *tab = '\t';
            while (nt[j].key)
                j = (j + 1) & (ncap - 1);
            nt[j] = w->types[i];
        }
        free(w->types);
        w->types = nt;
        w->types_cap = ncap;
    }
    size_t j = fnv1a(provider, type) & (w->types_cap - 1);
    while (w->types[j].key) {
        if (key_eq(w->types[j].key, provider, type)) {
            w->types[j].n++;
            return;
        }
        j = (j + 1) & (w->types_cap - 1);
    }
    sbuf k = {0};
    sbuf_printf(&k, "%s\t%s", provider, type);
    w->types[j].key = sbuf_steal(&k);
    w->types[j].n = 1;
    w->types_n++;
}

/* What to show of an output's PATH in messages: for a URL only the scheme
 * and host, because a webhook URL's path or query is often its credential
 * (Slack, Teams); a file path as it is. */
static const char *output_shown(const char *path, char *buf, size_t len)
{
    if (!path)
        return "";
    const char *sep = strstr(path, "://");
    if (!sep)
        return path;
    size_t host = strcspn(sep + 3, "/?#");
    snprintf(buf, len, "%.*s%s", (int)(sep + 3 + host - path), path, sep[3 + host] ? "/..." : "");
    return buf;
}

static void write_to_sinks(writer *w, const rec *r)
{
    int want = 0;
    for (size_t i = 0; i < w->n_sinks; i++)
        if (!w->sinks[i].failed &&
            (r->kind == REC_FINDING || (r->kind == REC_RESOURCE && w->sinks[i].lp->output.write_resource) ||
             (r->kind == REC_PACKAGE && w->sinks[i].lp->output.write_package)))
            want = 1;
    if (!want)
        return;
    sbuf js = {0};
    rec_to_json(r, w->scan_id, &js);
    for (size_t i = 0; i < w->n_sinks; i++) {
        sink *s = &w->sinks[i];
        if (s->failed)
            continue;
        int rc = PP_OK;
        if (r->kind == REC_FINDING)
            rc = s->lp->output.write_finding(s->inst, s->handle, js.data);
        else if (r->kind == REC_RESOURCE && s->lp->output.write_resource)
            rc = s->lp->output.write_resource(s->inst, s->handle, js.data);
        else if (r->kind == REC_PACKAGE && s->lp->output.write_package)
            rc = s->lp->output.write_package(s->inst, s->handle, js.data);
        if (rc != PP_OK) {
            const char *e = s->lp->desc.last_error ? s->lp->desc.last_error(s->inst) : NULL;
            char shown[300];
            add_error(w->errs, s->lp->name, NULL, "output %s%s%s failed: %s; nothing more is written to it", s->format,
                      s->path ? ":" : "", output_shown(s->path, shown, sizeof shown), e ? e : "no reason given");
            s->failed = 1;
        }
    }
    sbuf_free(&js);
}

static const host_backend writer_backend;

/* Let every policy plugin judge resource @r; what they emit lands in
 * w->pending. */
static void evaluate_policies(writer *w, const rec *r)
{
    if (!w->n_pols)
        return;
    sbuf js = {0};
    rec_to_json(r, 0, &js);
    for (size_t i = 0; i < w->n_pols; i++) {
        policy_plugin *pp = &w->pols[i];
        if (pp->failed)
            continue;
        w->accept_emits = 1;
        int rc = pp->lp->policy.evaluate(pp->inst, js.data);
        w->accept_emits = 0;
        if (rc != PP_OK) {
            const char *e = pp->lp->desc.last_error ? pp->lp->desc.last_error(pp->inst) : NULL;
            add_error(w->errs, pp->lp->name, r->u.resource.uid, "policy plugin '%s' failed on %s: %s", pp->lp->name,
                      r->u.resource.uid, e ? e : "no reason given");
        }
    }
    sbuf_free(&js);
}

/* The engine's findings join the pending list, like a policy plugin's. */
static void engine_emit(void *ud, rec *finding)
{
    writer *w = ud;
    finding->next = NULL;
    if (w->pending_tail)
        w->pending_tail->next = finding;
    else
        w->pending = finding;
    w->pending_tail = finding;
}

/* Store, count and write one record, then judge it when it is a resource.
 * Takes ownership of @r. */
static void handle_rec(writer *w, rec *r, int judge)
{
    if (!w->store_failed && w->st->ops->put(w->st, w->scan_id, r) != 0) {
        add_error(w->errs, NULL, NULL, "store: %s", w->st->ops->last_error(w->st));
        w->store_failed = 1;
    }
    if (r->kind == REC_RESOURCE) {
        atomic_fetch_add(&w->n_resources, 1);
        count_type(w, r->u.resource.provider, r->u.resource.type);
    } else if (r->kind == REC_FINDING) {
        w->findings_by_status[r->u.finding.status]++;
        if (r->u.finding.status == PP_STATUS_FAIL)
            w->failing_by_sev[r->u.finding.severity]++;
    }
    atomic_fetch_add(&w->n_records, 1);
    write_to_sinks(w, r);
    if (judge && r->kind == REC_RESOURCE) {
        if (w->pe)
            policy_engine_evaluate(w->pe, r, w->now, engine_emit, w);
        evaluate_policies(w, r);
    }
    rec_free(r);
    /* what the policies emitted about it is handled now, never judged again */
    while (w->pending) {
        rec *p = w->pending;
        w->pending = p->next;
        if (!w->pending)
            w->pending_tail = NULL;
        handle_rec(w, p, 0);
    }
}

/* At the end of the scan, once its packages are committed: match them
 * against the stored advisories and handle each vulnerability finding like
 * a rule's (store, counts, outputs, --fail-on; docs/feeds.md). */
static void add_vuln_findings(writer *w)
{
    char err[600], *supp = NULL;
    rec *list = NULL;
    size_t n = 0;
    if (w->store_failed || !w->db_path)
        return;
    if (w->st->ops->suppressions_json && w->st->ops->suppressions_json(w->st, &supp) != 0)
        supp = NULL;
    if (feed_scan_findings(w->db_path, w->scan_id, w->ignore_unfixed, supp, w->now, &list, &n, err, sizeof err) != 0)
        add_error(w->errs, NULL, NULL, "vulnerabilities: %s", err);
    free(supp);
    if (!list)
        return;
    if (w->st->ops->begin(w->st) != 0) {
        add_error(w->errs, NULL, NULL, "store: %s", w->st->ops->last_error(w->st));
        w->store_failed = 1;
    }
    while (list) {
        rec *r = list;
        list = r->next;
        r->next = NULL;
        handle_rec(w, r, 0);
    }
    if (!w->store_failed && w->st->ops->commit(w->st) != 0) {
        add_error(w->errs, NULL, NULL, "store: %s", w->st->ops->last_error(w->st));
        w->store_failed = 1;
    }
}

static void *writer_main(void *arg)
{
    writer *w = arg;
    host_bind_thread(&writer_backend, w);
    for (;;) {
        rec *batch = rqueue_pop_all(w->q, 200);
        if (!batch) {
            if (rqueue_closed_and_empty(w->q))
                break;
            continue;
        }
        if (!w->store_failed && w->st->ops->begin(w->st) != 0) {
            add_error(w->errs, NULL, NULL, "store: %s", w->st->ops->last_error(w->st));
            w->store_failed = 1;
        }
        while (batch) {
            rec *r = batch;
            batch = r->next;
            handle_rec(w, r, 1);
        }
        if (!w->store_failed && w->st->ops->commit(w->st) != 0) {
            add_error(w->errs, NULL, NULL, "store: %s", w->st->ops->last_error(w->st));
            w->store_failed = 1;
        }
    }
    add_vuln_findings(w);
    host_bind_thread(NULL, NULL);
    return NULL;
}

/* ---- the shared cache (kv) for workers and in-process plugins ---- */

static store *g_kv_store;
static pthread_mutex_t g_kv_lock = PTHREAD_MUTEX_INITIALIZER;

static int kv_get_locked(const char *plugin, const char *key, char **val, size_t *len)
{
    if (!g_kv_store)
        return PP_ERR_NOTFOUND;
    pthread_mutex_lock(&g_kv_lock);
    int rc = g_kv_store->ops->kv_get(g_kv_store, plugin, key, val, len);
    pthread_mutex_unlock(&g_kv_lock);
    return rc == 0 ? PP_OK : PP_ERR_NOTFOUND;
}

static int kv_set_locked(const char *plugin, const char *key, const char *val, size_t len, uint32_t ttl)
{
    if (!g_kv_store)
        return PP_ERR;
    pthread_mutex_lock(&g_kv_lock);
    int rc = g_kv_store->ops->kv_set(g_kv_store, plugin, key, val, len, ttl);
    pthread_mutex_unlock(&g_kv_lock);
    return rc == 0 ? PP_OK : PP_ERR_IO;
}

/* Backend for in-process output plugins: they log and use the cache, but
 * records they emit are refused (outputs consume, they do not produce). */
static int direct_kv_get(pp_host *h, const char *key, char **val, size_t *len)
{
    return kv_get_locked(h->name, key, val, len);
}

static int direct_kv_set(pp_host *h, const char *key, const char *val, size_t len, uint32_t ttl_s)
{
    return kv_set_locked(h->name, key, val, len, ttl_s);
}

static void direct_log(pp_host *h, int level, const char *msg)
{
    log_msg(level, h->name, "%s", msg);
}

static int direct_emit(pp_host *h, rec *r)
{
    log_msg(LOG_LVL_WARN, h->name, "an output plugin cannot emit records; a %s was dropped", rec_kind_name(r->kind));
    rec_free(r);
    return PP_ERR;
}

static void direct_progress(pp_host *h, uint64_t done, uint64_t total, const char *what)
{
    (void)h;
    (void)done;
    (void)total;
    (void)what;
}

static const host_backend direct_backend = {direct_log, direct_emit, direct_progress, direct_kv_get, direct_kv_set};

/* The writer thread's backend: like the direct one, but while a policy
 * plugin's evaluate runs, what it emits joins the scan. */
static int writer_emit(pp_host *h, rec *r)
{
    writer *w = host_ctx(h);
    if (!w->accept_emits)
        return direct_emit(h, r);
    r->next = NULL;
    if (w->pending_tail)
        w->pending_tail->next = r;
    else
        w->pending = r;
    w->pending_tail = r;
    return PP_OK;
}

static const host_backend writer_backend = {direct_log, writer_emit, direct_progress, direct_kv_get, direct_kv_set};

/* ---- the supervisor ---- */

typedef struct supervisor {
    prov *provs;
    size_t n;
    rqueue *q;
    errlist *errs;
    int task_timeout_ms;
    int cancelled;
    int64_t cancel_deadline;
    int progress;
    int64_t last_draw;
    int64_t started_ms;
    writer *w;
} supervisor;

static const char *signame(int sig)
{
    switch (sig) {
    case SIGSEGV:
        return "SIGSEGV";
    case SIGABRT:
        return "SIGABRT";
    case SIGBUS:
        return "SIGBUS";
    case SIGFPE:
        return "SIGFPE";
    case SIGILL:
        return "SIGILL";
    case SIGKILL:
        return "SIGKILL";
    case SIGTERM:
        return "SIGTERM";
    default:
        return "signal";
    }
}

static void remove_active(prov *p, const char *id)
{
    for (size_t i = 0; i < p->n_active; i++) {
        if (strcmp(p->active[i].id, id) == 0) {
            free(p->active[i].id);
            p->active[i] = p->active[--p->n_active];
            return;
        }
    }
}

static void send_ctl(prov *p, uint8_t type, const sbuf *payload)
{
    if (p->fd >= 0)
        frame_write(p->fd, type, payload ? payload->data : NULL, payload ? payload->len : 0);
}

static void kill_worker(supervisor *sv, prov *p, const char *reason)
{
    if (p->killed || p->finished)
        return;
    p->killed = 1;
    p->kill_reason = xstrdup(reason);
    if (p->pid > 0) {
        kill(p->pid, SIGKILL);
    } else if (p->has_thread) {
        /* a thread cannot be killed: cut it loose and never touch it again */
        atomic_store(&p->lp->host->cancelled, 1);
        atomic_store(&g_abandoned, 1);
        p->abandoned = 1;
        p->has_thread = 0;
        if (p->fd >= 0) {
            shutdown(p->fd, SHUT_RDWR);
        }
    }
    (void)sv;
}

static void handle_frame(supervisor *sv, prov *p, uint8_t type, const unsigned char *pl, size_t len)
{
    wire_rd d = {pl, pl + len, 0};
    switch (type) {
    case WMSG_LOG: {
        int level = wire_get_u8(&d);
        char *msg = wire_get_dup(&d);
        if (!d.bad && msg)
            log_msg(level > LOG_LVL_DEBUG ? LOG_LVL_DEBUG : level, p->lp->name, "%s", msg);
        free(msg);
        break;
    }
    case WMSG_RECORD: {
        rec *r = rec_decode(pl, len);
        if (!r) {
            kill_worker(sv, p, "sent a malformed record over the worker pipe");
            return;
        }
        p->records++;
        rqueue_push(sv->q, r);
        break;
    }
    case WMSG_PROGRESS:
        p->prog_done = wire_get_u64(&d);
        p->prog_total = wire_get_u64(&d);
        break;
    case WMSG_TASK_BEGIN: {
        char *id = wire_get_dup(&d);
        if (!id)
            break;
        p->active = xrealloc(p->active, (p->n_active + 1) * sizeof *p->active);
        p->active[p->n_active].id = id;
        p->active[p->n_active].started_ms = mono_ms();
        p->n_active++;
        break;
    }
    case WMSG_TASK_END: {
        char *id = wire_get_dup(&d);
        int rc = (int)(int32_t)wire_get_u32(&d);
        char *err = wire_get_dup(&d);
        if (id) {
            remove_active(p, id);
            cJSON_AddItemToArray(p->ended, cJSON_CreateString(id));
            p->tasks_ended++;
            if (rc != PP_OK && !(rc == PP_ERR_CANCELLED && sv->cancelled)) {
                p->tasks_failed++;
                add_error(sv->errs, p->lp->name, id, "plugin '%s': task '%s' failed: %s", p->lp->name, id,
                          err ? err : "no reason given");
            }
        }
        free(id);
        free(err);
        break;
    }
    case WMSG_PLANNED:
        if (!p->restarts)
            p->planned = wire_get_u32(&d);
        break;
    case WMSG_KV_GET: {
        uint32_t id = wire_get_u32(&d);
        char *key = wire_get_dup(&d);
        char *val = NULL;
        size_t vlen = 0;
        int rc = key && !d.bad ? kv_get_locked(p->lp->name, key, &val, &vlen) : PP_ERR_INVALID;
        sbuf out = {0};
        wire_put_u32(&out, id);
        wire_put_u32(&out, (uint32_t)(int32_t)rc);
        wire_put_bytes(&out, rc == PP_OK ? val : NULL, vlen);
        send_ctl(p, WMSG_KV_REPLY, &out);
        sbuf_free(&out);
        free(key);
        free(val);
        break;
    }
    case WMSG_KV_SET: {
        char *key = wire_get_dup(&d);
        size_t vlen;
        int is_null;
        const char *val = wire_get_str(&d, &vlen, &is_null);
        uint32_t ttl = wire_get_u32(&d);
        if (key && !d.bad) {
            char *copy = is_null ? NULL : strndup(val, vlen);
            kv_set_locked(p->lp->name, key, copy, vlen, ttl);
            free(copy);
        }
        free(key);
        break;
    }
    case WMSG_FATAL: {
        char *msg = wire_get_dup(&d);
        p->got_fatal = 1;
        add_error(sv->errs, p->lp->name, NULL, "plugin '%s': %s", p->lp->name, msg ? msg : "failed");
        free(msg);
        break;
    }
    case WMSG_DONE:
        p->got_done = 1;
        break;
    default:
        kill_worker(sv, p, "sent an unknown message over the worker pipe");
    }
}

/* After a crash or hang, start a new worker for the tasks that have not run:
 * the culprit is skipped; when several tasks were running at a crash, the
 * new worker runs one task at a time so a second crash names the culprit.
 * Returns 1 when a new worker is running. */
static int restart_worker(supervisor *sv, prov *p, int crashed)
{
    if (sv->cancelled || p->restarts >= MAX_RESTARTS || p->got_done || p->got_fatal || !p->planned)
        return 0;
    if (p->n_active == 1 || (p->hung && p->n_active))
        cJSON_AddItemToArray(p->culprits, cJSON_CreateString(p->active[0].id));
    else if (crashed && p->n_active > 1)
        p->job.jobs = 1;
    else if (crashed && !p->n_active)
        return 0; /* it crashed outside any task: it would crash again */
    uint32_t settled = (uint32_t)cJSON_GetArraySize(p->ended) + (uint32_t)cJSON_GetArraySize(p->culprits);
    if (settled >= p->planned)
        return 0;
    cJSON *skip = cJSON_Duplicate(p->ended, 1);
    const cJSON *c;
    cJSON_ArrayForEach(c, p->culprits) cJSON_AddItemToArray(skip, cJSON_Duplicate(c, 1));
    free(p->job.skip_json);
    p->job.skip_json = cJSON_PrintUnformatted(skip);
    cJSON_Delete(skip);
    for (size_t t = 0; t < p->n_active; t++)
        free(p->active[t].id);
    p->n_active = 0;
    p->in.len = 0;
    p->killed = p->hung = 0;
    free(p->kill_reason);
    p->kill_reason = NULL;
    p->restarts++;
    log_msg(LOG_LVL_WARN, "core", "restarting plugin '%s' for its %u remaining task(s)", p->lp->name,
            p->planned - settled);
    /* this process now runs threads: the new worker is a fresh program
     * (fork + exec), never a fork that would inherit their locks */
    if (worker_spawn(&p->job, p->lp->path, p->lp->so_fd, &p->fd, &p->pid) != 0) {
        add_error(sv->errs, p->lp->name, NULL, "plugin '%s' could not be restarted: %s", p->lp->name,
                  strerror(errno));
        return 0;
    }
    return 1;
}

static void finish_prov(supervisor *sv, prov *p)
{
    if (p->finished)
        return;
    p->finished = 1;
    if (p->fd >= 0) {
        close(p->fd);
        p->fd = -1;
    }
    char tasks[512] = "";
    size_t used = 0;
    for (size_t i = 0; i < p->n_active && used < sizeof tasks - 8; i++) {
        int n = snprintf(tasks + used, sizeof tasks - used, "%s'%s'", i ? ", " : "", p->active[i].id);
        if (n > 0)
            used += (size_t)n;
    }
    const char *name = p->lp->name;
    if (p->pid > 0) {
        int status = 0;
        while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
            ;
        p->pid = 0;
        int crashed = !p->killed && WIFSIGNALED(status);
        if (p->killed && p->hung) {
            add_error(sv->errs, name, p->n_active ? p->active[0].id : NULL,
                      "plugin '%s' hung: task %s did not finish within %d s; its worker was stopped and its other "
                      "results were kept",
                      name, tasks[0] ? tasks : "(unknown)", sv->task_timeout_ms / 1000);
        } else if (p->killed) {
            add_error(sv->errs, name, NULL, "plugin '%s' was stopped: %s", name, p->kill_reason);
        } else if (WIFSIGNALED(status)) {
            int sig = WTERMSIG(status);
            add_error(sv->errs, name, p->n_active ? p->active[0].id : NULL,
                      "plugin '%s' crashed with signal %d (%s)%s%s; its other results were kept", name, sig,
                      signame(sig), tasks[0] ? " in task " : "", tasks);
        } else if (!p->got_done && !p->got_fatal) {
            add_error(sv->errs, name, NULL, "plugin '%s' worker exited unexpectedly (status %d)", name,
                      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        }
        if ((crashed || p->hung) && restart_worker(sv, p, crashed)) {
            p->finished = 0;
            return;
        }
    } else {
        if (p->has_thread) {
            pthread_join(p->thread, NULL);
            p->has_thread = 0;
        }
        if (p->killed && p->hung)
            add_error(sv->errs, name, p->n_active ? p->active[0].id : NULL,
                      "plugin '%s' hung: task %s did not finish within %d s; it was abandoned (in-process plugins "
                      "cannot be stopped; use --isolation process) and its other results were kept",
                      name, tasks[0] ? tasks : "(unknown)", sv->task_timeout_ms / 1000);
        else if (p->killed)
            add_error(sv->errs, name, NULL, "plugin '%s' was stopped: %s", name, p->kill_reason);
        else if (!p->got_done && !p->got_fatal)
            add_error(sv->errs, name, NULL, "plugin '%s' stopped without finishing", name);
    }
    if (sv->cancelled && !p->got_done && !p->got_fatal)
        log_info("plugin '%s' stopped after the scan was interrupted", name);
}

static void draw_progress(supervisor *sv, int final)
{
    if (!sv->progress)
        return;
    int64_t now = mono_ms();
    if (!final && now - sv->last_draw < 200)
        return;
    sv->last_draw = now;
    uint32_t planned = 0, ended = 0;
    for (size_t i = 0; i < sv->n; i++) {
        planned += sv->provs[i].planned;
        ended += sv->provs[i].tasks_ended;
    }
    unsigned long long n = atomic_load(&sv->w->n_resources);
    double secs = (double)(now - sv->started_ms) / 1000.0;
    fprintf(stderr, "\r\033[K%s tasks %u/%u, %llu resources, %.1fs%s", sv->cancelled ? "stopping:" : "scanning:",
            ended, planned, n, secs, final ? "\n" : "");
    fflush(stderr);
}

static void cancel_all(supervisor *sv)
{
    if (!sv->cancelled) {
        sv->cancelled = 1;
        sv->cancel_deadline = mono_ms() + CANCEL_GRACE_MS;
        log_msg(LOG_LVL_WARN, "core", "stopping the scan: waiting for plugins to finish their current work "
                                      "(press Ctrl-C again to stop at once)");
        for (size_t i = 0; i < sv->n; i++) {
            send_ctl(&sv->provs[i], WMSG_CANCEL, NULL);
            atomic_store(&sv->provs[i].lp->host->cancelled, 1);
        }
    } else {
        for (size_t i = 0; i < sv->n; i++)
            if (!sv->provs[i].finished && sv->provs[i].pid > 0)
                kill_worker(sv, &sv->provs[i], "the scan was interrupted");
    }
}

static void supervise(supervisor *sv)
{
    unsigned char buf[256 * 1024];
    struct pollfd *pfds = xcalloc(sv->n + 1, sizeof *pfds);
    size_t *idx = xcalloc(sv->n + 1, sizeof *idx);
    int handled_signals = 0;
    for (;;) {
        size_t np = 0;
        pfds[np].fd = g_sigpipe[0];
        pfds[np].events = POLLIN;
        np++;
        for (size_t i = 0; i < sv->n; i++) {
            if (sv->provs[i].finished)
                continue;
            pfds[np].fd = sv->provs[i].fd;
            pfds[np].events = POLLIN;
            idx[np] = i;
            np++;
        }
        if (np == 1)
            break;
        int pr = poll(pfds, np, 100);
        if (pr < 0 && errno != EINTR)
            break;
        if (pr > 0 && (pfds[0].revents & POLLIN)) {
            char tmp[64];
            ssize_t r = read(g_sigpipe[0], tmp, sizeof tmp);
            (void)r;
        }
        while (handled_signals < g_signals) {
            handled_signals++;
            cancel_all(sv);
        }
        for (size_t k = 1; pr > 0 && k < np; k++) {
            if (!pfds[k].revents)
                continue;
            prov *p = &sv->provs[idx[k]];
            ssize_t r = recv(p->fd, buf, sizeof buf, MSG_DONTWAIT);
            if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
                continue;
            if (r <= 0) {
                finish_prov(sv, p);
                continue;
            }
            sbuf_append(&p->in, buf, (size_t)r);
            size_t off = 0;
            while (!p->killed) {
                uint8_t type;
                const unsigned char *payload;
                size_t plen;
                long fl = frame_next((const unsigned char *)p->in.data + off, p->in.len - off, &type, &payload, &plen);
                if (fl == 0)
                    break;
                if (fl < 0) {
                    kill_worker(sv, p, "sent a malformed frame over the worker pipe");
                    break;
                }
                handle_frame(sv, p, type, payload, plen);
                off += (size_t)fl;
            }
            if (off) {
                memmove(p->in.data, p->in.data + off, p->in.len - off);
                p->in.len -= off;
            }
            if (p->killed && p->pid <= 0)
                finish_prov(sv, p); /* an abandoned thread sends nothing we want */
        }
        /* deadlines */
        int64_t now = mono_ms();
        for (size_t i = 0; i < sv->n; i++) {
            prov *p = &sv->provs[i];
            if (p->finished || p->killed)
                continue;
            for (size_t t = 0; t < p->n_active; t++) {
                if (sv->task_timeout_ms > 0 && now - p->active[t].started_ms > sv->task_timeout_ms) {
                    p->hung = 1;
                    /* name the task that hung first */
                    active_task tmp = p->active[0];
                    p->active[0] = p->active[t];
                    p->active[t] = tmp;
                    kill_worker(sv, p, "task timeout");
                    if (p->pid <= 0)
                        finish_prov(sv, p);
                    break;
                }
            }
            if (!p->killed && sv->cancelled && now > sv->cancel_deadline) {
                kill_worker(sv, p, "it did not stop within 5 s of the interruption");
                if (p->pid <= 0)
                    finish_prov(sv, p);
            }
        }
        draw_progress(sv, 0);
    }
    free(pfds);
    free(idx);
}

/* ---- starting workers ---- */

typedef struct thread_arg {
    worker_job *job;
    int fd;
} thread_arg;

static void *worker_thread(void *arg)
{
    thread_arg *ta = arg;
    worker_run(ta->job, ta->fd);
    close(ta->fd);
    free(ta);
    return NULL;
}

static int start_worker(prov *p, int isolate, const int *close_fds, size_t n_close)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        log_error("cannot create a worker socket: %s", strerror(errno));
        return -1;
    }
    p->fd = sv[0];
    if (isolate) {
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
            log_error("cannot start a worker process: %s", strerror(errno));
            close(sv[0]);
            close(sv[1]);
            p->fd = -1;
            return -1;
        }
        if (pid == 0) {
            /* the worker: quiet Ctrl-C (the core decides), die with the core */
            signal(SIGINT, SIG_IGN);
            signal(SIGTERM, SIG_DFL);
            signal(SIGPIPE, SIG_IGN);
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            close(sv[0]);
            for (size_t i = 0; i < n_close; i++)
                if (close_fds[i] >= 0)
                    close(close_fds[i]);
            int rc = worker_run(&p->job, sv[1]);
            close(sv[1]);
            _exit(rc);
        }
        p->pid = pid;
        close(sv[1]);
        return 0;
    }
    thread_arg *ta = xmalloc(sizeof *ta);
    ta->job = &p->job;
    ta->fd = sv[1];
    if (pthread_create(&p->thread, NULL, worker_thread, ta) != 0) {
        close(sv[0]);
        close(sv[1]);
        free(ta);
        p->fd = -1;
        return -1;
    }
    p->has_thread = 1;
    return 0;
}

/* ---- configuration of one plugin ---- */

/* Take the host's own "http.*" keys out of the plugin config (they set the
 * plugin's HTTP client), then validate the rest against its schema. Returns
 * the config as JSON text, or NULL with a message naming plugin and key. */
static char *plugin_config(loaded_plugin *lp, pp_config *cfg, char *err, size_t errlen)
{
    cJSON *c = config_plugin(cfg, lp->name);
    char serr[400];
    if (host_http_configure(lp->host, c, serr, sizeof serr) != 0 ||
        schema_apply(lp->desc.config_schema, c, serr, sizeof serr) != 0) {
        snprintf(err, errlen, "plugin '%s': invalid configuration: %s (set with -o %s.KEY=VALUE or [plugin.%s])",
                 lp->name, serr, lp->name, lp->name);
        cJSON_Delete(c);
        return NULL;
    }
    char *s = cJSON_PrintUnformatted(c);
    cJSON_Delete(c);
    return s;
}

/* ---- the summary ---- */

static int cmp_types(const void *a, const void *b)
{
    const type_count *x = a, *y = b;
    return strcmp(x->key, y->key);
}

static void print_summary(const scan_opts *o, writer *w, errlist *errs, const char *status, int64_t scan_id,
                          double secs)
{
    if (o->quiet)
        return;
    unsigned long long nres = atomic_load(&w->n_resources);
    printf("Scan %lld %s in %.1fs: %llu resources", (long long)scan_id, status, secs, nres);
    printf(" (store: %s)\n", o->db_path);
    type_count *v = xcalloc(w->types_n ? w->types_n : 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < w->types_cap; i++)
        if (w->types[i].key)
            v[n++] = w->types[i];
    qsort(v, n, sizeof *v, cmp_types);
    if (n) {
        printf("\n  %-10s %-40s %10s\n", "PROVIDER", "TYPE", "RESOURCES");
        for (size_t i = 0; i < n; i++) {
            char *tab = strchr(v[i].key, '\t');
            printf("  %-10.*s %-40s %10llu\n", (int)(tab - v[i].key), v[i].key, tab + 1, (unsigned long long)v[i].n);
        }
    }
    free(v);
    uint64_t failing = w->findings_by_status[PP_STATUS_FAIL];
    printf("\nFindings: %llu failing", (unsigned long long)failing);
    if (failing) {
        printf(" (");
        int first = 1;
        for (int s = PP_SEV_CRITICAL; s >= PP_SEV_INFO; s--) {
            if (!w->failing_by_sev[s])
                continue;
            printf("%s%llu %s", first ? "" : ", ", (unsigned long long)w->failing_by_sev[s], severity_name(s));
            first = 0;
        }
        printf(")");
    }
    printf(", %llu passing, %llu muted, %llu errors\n", (unsigned long long)w->findings_by_status[PP_STATUS_PASS],
           (unsigned long long)w->findings_by_status[PP_STATUS_MUTED],
           (unsigned long long)w->findings_by_status[PP_STATUS_ERROR]);
    for (size_t i = 0; i < o->n_outputs; i++)
    {
        char shown[300];
        printf("Output: %s -> %s\n", o->outputs[i].format,
               o->outputs[i].path ? output_shown(o->outputs[i].path, shown, sizeof shown) : "(default)");
    }
    if (errs->n) {
        printf("\nProblems (%zu):\n", errs->n);
        for (size_t i = 0; i < errs->n; i++)
            printf("  - %s\n", errs->v[i].message);
    }
    fflush(stdout);
}

/* ---- the scan ---- */

int scan_run(const scan_opts *o, registry *reg, pp_config *cfg)
{
    errlist errs = {0};
    pthread_mutex_init(&errs.lock, NULL);
    int64_t started_ms = mono_ms();
    int64_t started_at = time_now_ns() / 1000000000LL;
    int exit_code = 0;

    /* 1. resolve providers and their configs */
    prov *provs = xcalloc(o->n_providers ? o->n_providers : 1, sizeof *provs);
    size_t n_provs = 0;
    cJSON *targets = cJSON_CreateArray();
    for (size_t i = 0; i < o->n_targets; i++)
        cJSON_AddItemToArray(targets, cJSON_CreateString(o->targets[i]));
    char *targets_json = cJSON_PrintUnformatted(targets);
    cJSON_Delete(targets);
    cJSON *prov_names = cJSON_CreateArray();
    for (size_t i = 0; i < o->n_providers; i++) {
        const char *name = o->providers[i];
        cJSON_AddItemToArray(prov_names, cJSON_CreateString(name));
        loaded_plugin *lp = registry_find(reg, name);
        if (!lp) {
            loaded_plugin *refused = NULL;
            for (size_t k = 0; k < reg->n; k++)
                if (strcmp(reg->v[k]->name, name) == 0)
                    refused = reg->v[k];
            if (refused)
                add_error(&errs, name, NULL, "plugin '%s' (%s) %s", name, refused->path, refused->error);
            else
                add_error(&errs, name, NULL,
                          "unknown provider '%s': no such plugin is installed (see 'parapet plugin list')", name);
            continue;
        }
        if (!(lp->desc.kinds & (PP_KIND_PROVIDER | PP_KIND_SCANNER))) {
            add_error(&errs, name, NULL, "plugin '%s' is not a provider or scanner", name);
            continue;
        }
        int dup = 0;
        for (size_t k = 0; k < n_provs; k++)
            dup |= provs[k].lp == lp;
        if (dup)
            continue;
        char err[600];
        char *conf = plugin_config(lp, cfg, err, sizeof err);
        if (!conf) {
            add_error(&errs, name, NULL, "%s", err);
            continue;
        }
        prov *p = &provs[n_provs++];
        p->lp = lp;
        p->fd = -1;
        p->ended = cJSON_CreateArray();
        p->culprits = cJSON_CreateArray();
        p->job.lp = lp;
        p->job.kind = (lp->desc.kinds & PP_KIND_PROVIDER) ? PP_KIND_PROVIDER : PP_KIND_SCANNER;
        p->job.config_json = conf;
        p->job.targets_json = targets_json;
        p->job.jobs = o->jobs;
    }

    /* 2. outputs: find and configure them before anything runs */
    sink *sinks = xcalloc(o->n_outputs ? o->n_outputs : 1, sizeof *sinks);
    size_t n_sinks = 0;
    int output_setup_failed = 0;
    for (size_t i = 0; i < o->n_outputs; i++) {
        loaded_plugin *lp = registry_find_output(reg, o->outputs[i].format);
        if (!lp) {
            add_error(&errs, NULL, NULL, "no output plugin writes the format '%s' (see 'parapet plugin list')",
                      o->outputs[i].format);
            output_setup_failed = 1;
            continue;
        }
        sinks[n_sinks].lp = lp;
        sinks[n_sinks].format = o->outputs[i].format;
        sinks[n_sinks].path = o->outputs[i].path;
        n_sinks++;
    }

    /* signals: a self-pipe wakes the supervisor */
    if (pipe2(g_sigpipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        log_error("cannot create a pipe: %s", strerror(errno));
        exit_code = 2;
        goto free_setup;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (output_setup_failed || (n_provs == 0 && errs.n)) {
        exit_code = 2;
        goto restore_signals;
    }

    /* 3. forked workers first, while this process has a single thread */
    int *close_fds = xcalloc(n_provs + 2, sizeof *close_fds);
    size_t n_close = 0;
    close_fds[n_close++] = g_sigpipe[0];
    close_fds[n_close++] = g_sigpipe[1];
    for (size_t i = 0; i < n_provs; i++) {
        if (!o->isolate)
            continue;
        if (start_worker(&provs[i], 1, close_fds, n_close) == 0)
            close_fds[n_close++] = provs[i].fd;
        else
            provs[i].finished = 1;
    }
    free(close_fds);

    /* 4. the store, the scan row, the outputs, the writer */
    char err[600];
    store *st = store_open(o->db_path, err, sizeof err);
    if (!st) {
        log_error("%s", err);
        /* workers are running: tell them to stop and collect them */
        for (size_t i = 0; i < n_provs; i++) {
            if (provs[i].pid > 0) {
                kill(provs[i].pid, SIGKILL);
                waitpid(provs[i].pid, NULL, 0);
            }
            if (provs[i].fd >= 0)
                close(provs[i].fd);
        }
        exit_code = 2;
        goto restore_signals;
    }
    g_kv_store = store_open(o->db_path, err, sizeof err);
    char *prov_json = cJSON_PrintUnformatted(prov_names);
    int64_t scan_id = 0;
    if (st->ops->scan_begin(st, prov_json, started_at, &scan_id) != 0)
        add_error(&errs, NULL, NULL, "store: %s", st->ops->last_error(st));

    cJSON *scan_doc = cJSON_CreateObject();
    cJSON_AddNumberToObject(scan_doc, "scan_id", (double)scan_id);
    char ts[32];
    time_rfc3339(started_at, ts, sizeof ts);
    cJSON_AddStringToObject(scan_doc, "started_at", ts);
    cJSON_AddItemToObject(scan_doc, "providers", cJSON_Duplicate(prov_names, 1));
    cJSON_AddStringToObject(scan_doc, "parapet_version", PACKAGE_VERSION);
    char *scan_json = cJSON_PrintUnformatted(scan_doc);
    cJSON_Delete(scan_doc);

    /* output and policy plugins run in this process; calls made from this
     * thread reach the direct backend */
    host_bind_thread(&direct_backend, NULL);
    for (size_t i = 0; i < n_sinks; i++) {
        sink *s = &sinks[i];
        /* one instance per output plugin, shared by its sinks */
        for (size_t k = 0; k < i; k++) {
            if (sinks[k].lp == s->lp && sinks[k].inited) {
                s->inst = sinks[k].inst;
                s->inited = 1;
            }
        }
        if (!s->inited) {
            char cerr[600];
            char *conf = plugin_config(s->lp, cfg, cerr, sizeof cerr);
            if (!conf) {
                add_error(&errs, s->lp->name, NULL, "%s", cerr);
                s->failed = 1;
                continue;
            }
            const char *ierr = NULL;
            int rc = s->lp->desc.init(s->lp->host, conf, &s->inst, &ierr);
            free(conf);
            if (rc != PP_OK) {
                add_error(&errs, s->lp->name, NULL, "output plugin '%s': init failed: %s", s->lp->name,
                          ierr ? ierr : "no reason given");
                s->failed = 1;
                continue;
            }
            s->inited = s->owns_inst = 1;
        }
        if (s->lp->output.open(s->inst, s->format, s->path, scan_json, &s->handle) != PP_OK) {
            const char *e = s->lp->desc.last_error ? s->lp->desc.last_error(s->inst) : NULL;
            char shown[300];
            add_error(&errs, s->lp->name, NULL, "cannot open output %s%s%s: %s", s->format, s->path ? ":" : "",
                      output_shown(s->path, shown, sizeof shown), e ? e : "no reason given");
            s->failed = 1;
            s->handle = NULL;
        }
    }

    /* the rules: from the policy directories and the policy plugins */
    policy_engine *pe = NULL;
    {
        char perr[1024] = "";
        policy_load_opts po;
        memset(&po, 0, sizeof po);
        po.rule_dirs = (const char *const *)o->rule_dirs;
        po.n_rule_dirs = o->n_rule_dirs;
        po.frameworks_dir = o->frameworks_dir;
        po.reg = reg;
        po.cfg = cfg;
        char *supp = NULL;
        if (st->ops->suppressions_json && st->ops->suppressions_json(st, &supp) != 0)
            add_error(&errs, NULL, NULL, "store: %s", st->ops->last_error(st));
        po.suppressions_json = supp;
        pe = policy_engine_load(&po, perr, sizeof perr);
        free(supp);
        if (!pe)
            add_error(&errs, NULL, NULL, "rules: %s", perr);
    }

    /* every installed policy plugin with native checks judges each resource */
    policy_plugin *pols = xcalloc(reg->n ? reg->n : 1, sizeof *pols);
    size_t n_pols = 0;
    for (size_t i = 0; i < reg->n; i++) {
        loaded_plugin *lp = reg->v[i];
        if (!lp->ok || !(lp->desc.kinds & PP_KIND_POLICY) || !lp->policy.evaluate)
            continue;
        char cerr[600];
        char *conf = plugin_config(lp, cfg, cerr, sizeof cerr);
        if (!conf) {
            add_error(&errs, lp->name, NULL, "%s", cerr);
            continue;
        }
        const char *ierr = NULL;
        void *inst = NULL;
        int rc = lp->desc.init(lp->host, conf, &inst, &ierr);
        free(conf);
        if (rc != PP_OK) {
            add_error(&errs, lp->name, NULL, "policy plugin '%s': init failed: %s", lp->name,
                      ierr ? ierr : "no reason given");
            continue;
        }
        pols[n_pols].lp = lp;
        pols[n_pols].inst = inst;
        n_pols++;
    }

    rqueue *q = rqueue_new(QUEUE_MAX_RECS, QUEUE_MAX_BYTES);
    writer w;
    memset(&w, 0, sizeof w);
    w.q = q;
    w.st = st;
    w.scan_id = scan_id;
    w.sinks = sinks;
    w.n_sinks = n_sinks;
    w.pols = pols;
    w.n_pols = n_pols;
    w.pe = pe;
    w.now = started_at;
    w.errs = &errs;
    w.db_path = o->db_path;
    w.ignore_unfixed = o->ignore_unfixed;
    pthread_t wth;
    pthread_create(&wth, NULL, writer_main, &w);

    /* 5. in-process workers, then supervise everything */
    for (size_t i = 0; i < n_provs; i++)
        if (!o->isolate && start_worker(&provs[i], 0, NULL, 0) != 0)
            provs[i].finished = 1;
    supervisor sv;
    memset(&sv, 0, sizeof sv);
    sv.provs = provs;
    sv.n = n_provs;
    sv.q = q;
    sv.errs = &errs;
    sv.task_timeout_ms = o->task_timeout_s > 0 ? o->task_timeout_s * 1000 : 0;
    sv.progress = o->progress;
    sv.started_ms = started_ms;
    sv.w = &w;
    supervise(&sv);

    rqueue_close(q);
    pthread_join(wth, NULL);
    draw_progress(&sv, 1); /* the final line, once everything is stored */

    /* 6. close outputs, finish the scan row */
    const char *status = sv.cancelled ? "interrupted" : errs.n ? "partial" : "complete";
    cJSON *sum = cJSON_CreateObject();
    cJSON_AddNumberToObject(sum, "scan_id", (double)scan_id);
    cJSON_AddStringToObject(sum, "status", status);
    cJSON_AddNumberToObject(sum, "resources", (double)atomic_load(&w.n_resources));
    cJSON *fs = cJSON_AddObjectToObject(sum, "findings");
    uint64_t total_f = 0;
    for (int s = 0; s < 4; s++)
        total_f += w.findings_by_status[s];
    cJSON_AddNumberToObject(fs, "total", (double)total_f);
    for (int s = PP_SEV_CRITICAL; s >= PP_SEV_INFO; s--)
        cJSON_AddNumberToObject(fs, severity_name(s), (double)w.failing_by_sev[s]);
    cJSON_AddNumberToObject(sum, "errors", (double)errs.n);
    time_rfc3339(time_now_ns() / 1000000000LL, ts, sizeof ts);
    cJSON_AddStringToObject(sum, "finished_at", ts);
    char *sum_json = cJSON_PrintUnformatted(sum);
    cJSON_Delete(sum);
    for (size_t i = 0; i < n_sinks; i++) {
        sink *s = &sinks[i];
        if (s->handle && s->lp->output.close(s->inst, s->handle, sum_json) != PP_OK) {
            const char *e = s->lp->desc.last_error ? s->lp->desc.last_error(s->inst) : NULL;
            char shown[300];
            add_error(&errs, s->lp->name, NULL, "output %s%s%s could not be completed: %s", s->format,
                      s->path ? ":" : "", output_shown(s->path, shown, sizeof shown), e ? e : "no reason given");
        }
    }
    for (size_t i = 0; i < n_sinks; i++)
        if (sinks[i].owns_inst)
            sinks[i].lp->desc.destroy(sinks[i].inst);
    for (size_t i = 0; i < n_pols; i++)
        if (!pols[i].failed)
            pols[i].lp->desc.destroy(pols[i].inst);
    host_bind_thread(NULL, NULL);
    free(sum_json);
    status = sv.cancelled ? "interrupted" : errs.n ? "partial" : "complete";
    for (size_t i = 0; i < errs.n; i++)
        st->ops->scan_error(st, scan_id, errs.v[i].plugin, errs.v[i].task, errs.v[i].message);
    scan_totals tot = {atomic_load(&w.n_resources), total_f, errs.n};
    if (st->ops->scan_end(st, scan_id, status, time_now_ns() / 1000000000LL, &tot) != 0)
        log_error("store: %s", st->ops->last_error(st));
    if (o->keep_scans > 0 && st->ops->retain) {
        uint64_t gone = 0;
        if (st->ops->retain(st, (unsigned)o->keep_scans, 0, &gone) != 0)
            log_error("store: retention: %s", st->ops->last_error(st));
        else if (gone)
            log_info("store: retention deleted %llu scan(s) older than the last %d", (unsigned long long)gone,
                     o->keep_scans);
    }
    print_summary(o, &w, &errs, status, scan_id, (double)(mono_ms() - started_ms) / 1000.0);

    if (errs.n || sv.cancelled)
        exit_code = 2;
    else if (o->fail_on >= 0) {
        for (int s = o->fail_on; s <= PP_SEV_CRITICAL; s++)
            if (w.failing_by_sev[s])
                exit_code = 1;
    }

    rqueue_free(q);
    free(pols);
    policy_engine_free(pe);
    for (size_t i = 0; i < w.types_cap; i++)
        free(w.types[i].key);
    free(w.types);
    free(scan_json);
    free(prov_json);
    st->ops->close(st);
    if (g_kv_store) {
        g_kv_store->ops->close(g_kv_store);
        g_kv_store = NULL;
    }
restore_signals:
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    close(g_sigpipe[0]);
    close(g_sigpipe[1]);
    g_sigpipe[0] = g_sigpipe[1] = -1;
free_setup:
    for (size_t i = 0; i < n_provs; i++) {
        prov *p = &provs[i];
        if (p->fd >= 0)
            close(p->fd);
        for (size_t t = 0; t < p->n_active; t++)
            free(p->active[t].id);
        free(p->active);
        sbuf_free(&p->in);
        free(p->kill_reason);
        cJSON_Delete(p->ended);
        cJSON_Delete(p->culprits);
        if (!p->abandoned) { /* an abandoned thread may still read its job */
            free(p->job.config_json);
            free(p->job.skip_json);
        }
    }
    free(provs);
    free(sinks);
    if (!scan_abandoned_threads())
        free(targets_json);
    cJSON_Delete(prov_names);
    for (size_t i = 0; i < errs.n; i++) {
        free(errs.v[i].plugin);
        free(errs.v[i].task);
        free(errs.v[i].message);
    }
    free(errs.v);
    pthread_mutex_destroy(&errs.lock);
    if (exit_code == 0 && errs.n)
        exit_code = 2;
    return exit_code;
}
