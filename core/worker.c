/* core/worker.c - see worker.h. */
#include "config.h"

#include "worker.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "loader.h"

#include "host.h"
#include "log.h"
#include "util.h"
#include "wire.h"

#define OUT_FLUSH_BYTES (256u << 10)
#define KV_WAIT_MS 30000

int frame_write(int fd, uint8_t type, const void *payload, size_t len)
{
    unsigned char hdr[5];
    uint32_t n = (uint32_t)len + 1;
    hdr[0] = (unsigned char)(n >> 24);
    hdr[1] = (unsigned char)(n >> 16);
    hdr[2] = (unsigned char)(n >> 8);
    hdr[3] = (unsigned char)n;
    hdr[4] = type;
    struct iovec_like {
        const unsigned char *p;
        size_t n;
    } parts[2] = {{hdr, 5}, {payload, len}};
    for (int i = 0; i < 2; i++) {
        const unsigned char *p = parts[i].p;
        size_t left = parts[i].n;
        while (left) {
            ssize_t w = send(fd, p, left, MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                return -1;
            }
            p += w;
            left -= (size_t)w;
        }
    }
    return 0;
}

long frame_next(const unsigned char *buf, size_t avail, uint8_t *type, const unsigned char **payload,
                size_t *len)
{
    if (avail < 5)
        return 0;
    uint32_t n = ((uint32_t)buf[0] << 24) | ((uint32_t)buf[1] << 16) | ((uint32_t)buf[2] << 8) | buf[3];
    if (n < 1 || n > WORKER_MAX_FRAME)
        return -1;
    if (avail < 4 + (size_t)n)
        return 0;
    *type = buf[4];
    *payload = buf + 5;
    *len = n - 1;
    return (long)(4 + n);
}

/* ---- the worker's side of the host services ---- */

typedef struct kv_wait {
    uint32_t id;
    int done, rc;
    char *val;
    size_t len;
    struct kv_wait *next;
} kv_wait;

typedef struct wstate {
    int fd;
    pthread_mutex_t lock; /* guards out, the socket's write side, waits */
    pthread_cond_t kv_cond;
    sbuf out;             /* frames not yet sent */
    int broken;           /* the core went away */
    kv_wait *waits;
    uint32_t next_id;
    atomic_int stop_reader;
    pp_host *host;
    int64_t last_progress_ms;
} wstate;

/* Send everything buffered. Caller holds ws->lock. */
static void out_flush_locked(wstate *ws)
{
    const unsigned char *p = (const unsigned char *)ws->out.data;
    size_t left = ws->broken ? 0 : ws->out.len;
    while (left) {
        ssize_t w = send(ws->fd, p, left, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            ws->broken = 1;
            atomic_store(&ws->host->cancelled, 1);
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    ws->out.len = 0;
}

/* Append one frame to the out buffer; send now when @flush or when full.
 * Caller holds ws->lock. */
static void out_frame_locked(wstate *ws, uint8_t type, const sbuf *payload, int flush)
{
    if (ws->broken)
        return;
    unsigned char hdr[5];
    uint32_t n = (uint32_t)(payload ? payload->len : 0) + 1;
    hdr[0] = (unsigned char)(n >> 24);
    hdr[1] = (unsigned char)(n >> 16);
    hdr[2] = (unsigned char)(n >> 8);
    hdr[3] = (unsigned char)n;
    hdr[4] = type;
    sbuf_append(&ws->out, hdr, 5);
    if (payload && payload->len)
        sbuf_append(&ws->out, payload->data, payload->len);
    if (flush || ws->out.len >= OUT_FLUSH_BYTES)
        out_flush_locked(ws);
}

static void out_frame(wstate *ws, uint8_t type, const sbuf *payload, int flush)
{
    pthread_mutex_lock(&ws->lock);
    out_frame_locked(ws, type, payload, flush);
    pthread_mutex_unlock(&ws->lock);
}

static void w_log(pp_host *h, int level, const char *msg)
{
    wstate *ws = host_ctx(h);
    sbuf p = {0};
    wire_put_u8(&p, (uint8_t)level);
    wire_put_str(&p, msg);
    out_frame(ws, WMSG_LOG, &p, level <= LOG_LVL_WARN);
    sbuf_free(&p);
}

static int w_emit(pp_host *h, rec *r)
{
    wstate *ws = host_ctx(h);
    sbuf p = {0};
    rec_encode(r, &p);
    rec_free(r);
    out_frame(ws, WMSG_RECORD, &p, 0);
    sbuf_free(&p);
    return ws->broken ? PP_ERR_CANCELLED : PP_OK;
}

static void w_progress(pp_host *h, uint64_t done, uint64_t total, const char *what)
{
    wstate *ws = host_ctx(h);
    int64_t now = mono_ms();
    pthread_mutex_lock(&ws->lock);
    if (now - ws->last_progress_ms >= 100 || (total && done >= total)) {
        ws->last_progress_ms = now;
        sbuf p = {0};
        wire_put_u64(&p, done);
        wire_put_u64(&p, total);
        wire_put_str(&p, what);
        out_frame_locked(ws, WMSG_PROGRESS, &p, 0);
        sbuf_free(&p);
    }
    pthread_mutex_unlock(&ws->lock);
}

static int w_kv_get(pp_host *h, const char *key, char **val, size_t *len)
{
    wstate *ws = host_ctx(h);
    kv_wait w = {0};
    pthread_mutex_lock(&ws->lock);
    w.id = ++ws->next_id;
    w.next = ws->waits;
    ws->waits = &w;
    sbuf p = {0};
    wire_put_u32(&p, w.id);
    wire_put_str(&p, key);
    out_frame_locked(ws, WMSG_KV_GET, &p, 1);
    sbuf_free(&p);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += KV_WAIT_MS / 1000;
    while (!w.done && !ws->broken)
        if (pthread_cond_timedwait(&ws->kv_cond, &ws->lock, &deadline) == ETIMEDOUT)
            break;
    /* unlink our wait record */
    for (kv_wait **pp = &ws->waits; *pp; pp = &(*pp)->next) {
        if (*pp == &w) {
            *pp = w.next;
            break;
        }
    }
    pthread_mutex_unlock(&ws->lock);
    if (!w.done)
        return ws->broken ? PP_ERR_CANCELLED : PP_ERR_TIMEOUT;
    if (w.rc != PP_OK) {
        free(w.val);
        return w.rc;
    }
    *val = w.val;
    *len = w.len;
    return PP_OK;
}

static int w_kv_set(pp_host *h, const char *key, const char *val, size_t len, uint32_t ttl_s)
{
    wstate *ws = host_ctx(h);
    sbuf p = {0};
    wire_put_str(&p, key);
    wire_put_bytes(&p, val, len);
    wire_put_u32(&p, ttl_s);
    out_frame(ws, WMSG_KV_SET, &p, 0);
    sbuf_free(&p);
    return ws->broken ? PP_ERR_IO : PP_OK;
}

static const host_backend worker_backend = {w_log, w_emit, w_progress, w_kv_get, w_kv_set};

/* Handle one control frame from the core. */
static void reader_dispatch(wstate *ws, uint8_t type, const unsigned char *payload, size_t len)
{
    if (type == WMSG_CANCEL) {
        atomic_store(&ws->host->cancelled, 1);
        return;
    }
    if (type != WMSG_KV_REPLY)
        return;
    wire_rd d = {payload, payload + len, 0};
    uint32_t id = wire_get_u32(&d);
    int rc = (int)(int32_t)wire_get_u32(&d);
    size_t n;
    int is_null;
    const char *v = wire_get_str(&d, &n, &is_null);
    if (d.bad)
        return;
    pthread_mutex_lock(&ws->lock);
    for (kv_wait *w = ws->waits; w; w = w->next) {
        if (w->id != id)
            continue;
        w->rc = is_null && rc == PP_OK ? PP_ERR_NOTFOUND : rc;
        if (!is_null && rc == PP_OK) {
            w->val = xmalloc(n + 1);
            memcpy(w->val, v, n);
            w->val[n] = '\0';
            w->len = n;
        }
        w->done = 1;
        pthread_cond_broadcast(&ws->kv_cond);
        break;
    }
    pthread_mutex_unlock(&ws->lock);
}

static void *reader_main(void *arg)
{
    wstate *ws = arg;
    sbuf in = {0};
    unsigned char buf[65536];
    while (!atomic_load(&ws->stop_reader)) {
        struct pollfd pfd = {ws->fd, POLLIN, 0};
        int pr = poll(&pfd, 1, 100);
        /* records wait in the out buffer at most this long, so a worker that
         * is killed (hang, crash) loses at most ~100 ms of its output */
        pthread_mutex_lock(&ws->lock);
        if (ws->out.len)
            out_flush_locked(ws);
        pthread_mutex_unlock(&ws->lock);
        if (pr <= 0)
            continue;
        ssize_t r = recv(ws->fd, buf, sizeof buf, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            /* the core is gone: stop everything */
            atomic_store(&ws->host->cancelled, 1);
            pthread_mutex_lock(&ws->lock);
            ws->broken = 1;
            pthread_cond_broadcast(&ws->kv_cond);
            pthread_mutex_unlock(&ws->lock);
            break;
        }
        sbuf_append(&in, buf, (size_t)r);
        size_t off = 0;
        for (;;) {
            uint8_t type;
            const unsigned char *payload;
            size_t plen;
            long fl = frame_next((const unsigned char *)in.data + off, in.len - off, &type, &payload, &plen);
            if (fl <= 0)
                break;
            reader_dispatch(ws, type, payload, plen);
            off += (size_t)fl;
        }
        if (off) {
            memmove(in.data, in.data + off, in.len - off);
            in.len -= off;
        }
    }
    sbuf_free(&in);
    return NULL;
}

/* ---- running the plan ---- */

typedef struct pool {
    const worker_job *job;
    wstate *ws;
    void *inst;
    cJSON *tasks;
    int n_tasks;
    atomic_int next;
    pthread_mutex_t err_lock; /* last_error is per instance: read it under a lock */
} pool;

static const char *task_id(const cJSON *t)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(t, "id");
    return cJSON_IsString(id) ? id->valuestring : "?";
}

static void run_one(pool *pl, const cJSON *task)
{
    const worker_job *job = pl->job;
    const loaded_plugin *lp = job->lp;
    char *text = cJSON_PrintUnformatted(task);
    sbuf p = {0};
    wire_put_str(&p, task_id(task));
    out_frame(pl->ws, WMSG_TASK_BEGIN, &p, 1);
    sbuf_free(&p);
    int rc = job->kind == PP_KIND_SCANNER ? lp->scanner.scan(pl->inst, text) : lp->provider.collect(pl->inst, text);
    const char *err = NULL;
    char errbuf[512] = "";
    if (rc != PP_OK && lp->desc.last_error) {
        pthread_mutex_lock(&pl->err_lock);
        err = lp->desc.last_error(pl->inst);
        if (err)
            snprintf(errbuf, sizeof errbuf, "%s", err);
        pthread_mutex_unlock(&pl->err_lock);
    }
    wire_put_str(&p, task_id(task));
    wire_put_u32(&p, (uint32_t)(int32_t)rc);
    wire_put_str(&p, errbuf[0] ? errbuf : NULL);
    out_frame(pl->ws, WMSG_TASK_END, &p, 1);
    sbuf_free(&p);
    free(text);
}

static void *pool_main(void *arg)
{
    pool *pl = arg;
    for (;;) {
        if (atomic_load(&pl->job->lp->host->cancelled))
            break;
        int i = atomic_fetch_add(&pl->next, 1);
        if (i >= pl->n_tasks)
            break;
        run_one(pl, cJSON_GetArrayItem(pl->tasks, i));
    }
    return NULL;
}

static void fatal(wstate *ws, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fatal(wstate *ws, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sbuf p = {0};
    wire_put_str(&p, msg);
    out_frame(ws, WMSG_FATAL, &p, 1);
    sbuf_free(&p);
}

/* Default plan for scanners without one: one task per target. */
static char *default_plan(const char *targets_json)
{
    cJSON *targets = cJSON_Parse(targets_json);
    cJSON *plan = cJSON_CreateArray();
    const cJSON *t;
    cJSON_ArrayForEach(t, targets)
    {
        if (!cJSON_IsString(t))
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", t->valuestring);
        cJSON_AddStringToObject(o, "target", t->valuestring);
        cJSON_AddItemToArray(plan, o);
    }
    cJSON_Delete(targets);
    char *s = cJSON_PrintUnformatted(plan);
    cJSON_Delete(plan);
    return s;
}

/* Check the plan: an array of objects, each with a unique string "id". */
static cJSON *parse_plan(const char *text, char *err, size_t errlen)
{
    cJSON *plan = cJSON_Parse(text);
    if (!cJSON_IsArray(plan)) {
        snprintf(err, errlen, "plan is not a JSON array");
        cJSON_Delete(plan);
        return NULL;
    }
    int i = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, plan)
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(t, "id");
        if (!cJSON_IsObject(t) || !cJSON_IsString(id) || !*id->valuestring) {
            snprintf(err, errlen, "plan task %d is not an object with a string \"id\"", i);
            cJSON_Delete(plan);
            return NULL;
        }
        i++;
    }
    return plan;
}

/* Remove the tasks whose id is in the JSON array @skip_json. */
static void drop_skipped(cJSON *tasks, const char *skip_json)
{
    cJSON *skip = cJSON_Parse(skip_json);
    cJSON *t = tasks->child;
    while (t) {
        cJSON *next = t->next;
        const char *id = task_id(t);
        const cJSON *s;
        cJSON_ArrayForEach(s, skip)
        {
            if (cJSON_IsString(s) && strcmp(s->valuestring, id) == 0) {
                cJSON_Delete(cJSON_DetachItemViaPointer(tasks, t));
                break;
            }
        }
        t = next;
    }
    cJSON_Delete(skip);
}

/* A threat-feed job: one task, "update" (no target) or "import" of the one
 * file named in targets_json, reported as TASK_BEGIN / TASK_END like a
 * provider's task. */
static void run_feed(wstate *ws, const worker_job *job, void *inst)
{
    const loaded_plugin *lp = job->lp;
    cJSON *targets = cJSON_Parse(job->targets_json);
    const cJSON *t0 = cJSON_GetArrayItem(targets, 0);
    const char *path = cJSON_IsString(t0) ? t0->valuestring : NULL;
    const char *task = path ? "import" : "update";
    sbuf p = {0};
    wire_put_str(&p, task);
    out_frame(ws, WMSG_TASK_BEGIN, &p, 1);
    sbuf_free(&p);
    int rc;
    if (path && !lp->threat_feed.import)
        rc = PP_ERR_INVALID;
    else
        rc = path ? lp->threat_feed.import(inst, path) : lp->threat_feed.update(inst);
    const char *err = rc != PP_OK && lp->desc.last_error ? lp->desc.last_error(inst) : NULL;
    wire_put_str(&p, task);
    wire_put_u32(&p, (uint32_t)(int32_t)rc);
    wire_put_str(&p, err && *err ? err : NULL);
    out_frame(ws, WMSG_TASK_END, &p, 1);
    sbuf_free(&p);
    cJSON_Delete(targets);
}

int worker_run(const worker_job *job, int fd)
{
    loaded_plugin *lp = job->lp;
    pp_host *h = lp->host;
    wstate ws;
    memset(&ws, 0, sizeof ws);
    ws.fd = fd;
    ws.host = h;
    pthread_mutex_init(&ws.lock, NULL);
    pthread_cond_init(&ws.kv_cond, NULL);
    /* route by the plugin's handle: a forked worker inherits the thread
     * binding of the thread that forked it */
    host_bind_thread(NULL, NULL);
    h->be = &worker_backend;
    h->be_ctx = &ws;

    pthread_t reader;
    pthread_create(&reader, NULL, reader_main, &ws);

    int result = 1;
    void *inst = NULL;
    const char *ierr = NULL;
    int rc = lp->desc.init(h, job->config_json, &inst, &ierr);
    if (rc != PP_OK) {
        fatal(&ws, "init failed: %s", ierr ? ierr : "no reason given");
        goto out;
    }
    if (job->kind == PP_KIND_THREAT_FEED) {
        run_feed(&ws, job, inst);
        lp->desc.destroy(inst);
        out_frame(&ws, WMSG_DONE, NULL, 1);
        result = 0;
        goto out;
    }
    char *owned_plan = NULL;
    const char *plan_text;
    if (job->kind == PP_KIND_SCANNER && !lp->scanner.plan)
        plan_text = owned_plan = default_plan(job->targets_json);
    else if (job->kind == PP_KIND_SCANNER)
        plan_text = lp->scanner.plan(inst, job->targets_json);
    else
        plan_text = lp->provider.plan(inst, job->targets_json);
    if (!plan_text) {
        const char *e = lp->desc.last_error ? lp->desc.last_error(inst) : NULL;
        fatal(&ws, "plan failed: %s", e ? e : "no reason given");
        lp->desc.destroy(inst);
        goto out;
    }
    char perr[256];
    cJSON *tasks = parse_plan(plan_text, perr, sizeof perr);
    free(owned_plan);
    if (!tasks) {
        fatal(&ws, "%s", perr);
        lp->desc.destroy(inst);
        goto out;
    }
    if (job->skip_json)
        drop_skipped(tasks, job->skip_json);
    pool pl;
    memset(&pl, 0, sizeof pl);
    pl.job = job;
    pl.ws = &ws;
    pl.inst = inst;
    pl.tasks = tasks;
    pl.n_tasks = cJSON_GetArraySize(tasks);
    atomic_init(&pl.next, 0);
    pthread_mutex_init(&pl.err_lock, NULL);
    sbuf p = {0};
    wire_put_u32(&p, (uint32_t)pl.n_tasks);
    out_frame(&ws, WMSG_PLANNED, &p, 1);
    sbuf_free(&p);

    int nthreads = lp->desc.threads == PP_THREADS_PARALLEL ? job->jobs : 1;
    if (nthreads < 1)
        nthreads = 1;
    if (nthreads > pl.n_tasks)
        nthreads = pl.n_tasks;
    if (nthreads <= 1) {
        pool_main(&pl);
    } else {
        pthread_t *th = xcalloc((size_t)nthreads, sizeof *th);
        for (int i = 0; i < nthreads; i++)
            pthread_create(&th[i], NULL, pool_main, &pl);
        for (int i = 0; i < nthreads; i++)
            pthread_join(th[i], NULL);
        free(th);
    }
    pthread_mutex_destroy(&pl.err_lock);
    cJSON_Delete(tasks);
    lp->desc.destroy(inst);
    out_frame(&ws, WMSG_DONE, NULL, 1);
    result = 0;
out:
    /* make sure everything buffered is on its way */
    pthread_mutex_lock(&ws.lock);
    out_flush_locked(&ws);
    pthread_mutex_unlock(&ws.lock);
    atomic_store(&ws.stop_reader, 1);
    pthread_join(reader, NULL);
    h->be = host_default_backend();
    h->be_ctx = NULL;
    sbuf_free(&ws.out);
    pthread_mutex_destroy(&ws.lock);
    pthread_cond_destroy(&ws.kv_cond);
    return result;
}

/* ---- exec'd workers ---- */

extern char **environ;

int worker_spawn(const worker_job *job, const char *so_path, int so_fd, int *fd, pid_t *pid)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return -1;
    sbuf p = {0};
    wire_put_str(&p, so_fd >= 0 ? "/proc/self/fd/4" : so_path);
    wire_put_str(&p, job->lp->name);
    wire_put_u32(&p, job->kind);
    wire_put_str(&p, job->config_json);
    wire_put_str(&p, job->targets_json);
    wire_put_str(&p, job->skip_json);
    wire_put_u32(&p, (uint32_t)job->jobs);
    wire_put_u8(&p, (uint8_t)log_get_level());
    /* the plugin's HTTP settings (host_http_configure), which a fresh
     * process would not have otherwise */
    wire_put_str(&p, job->lp->host ? job->lp->host->http_conf : NULL);
    pid_t parent = getpid();
    char *argv[] = {exe, (char *)"__worker", (char *)"3", NULL};
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) {
        close(sv[0]);
        close(sv[1]);
        sbuf_free(&p);
        return -1;
    }
    if (child == 0) {
        /* async-signal-safe calls only until execve; the worker dies with
         * the core (the setting survives execve), also if the core is
         * already gone */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
            _exit(127);
        if (so_fd >= 0 && (so_fd == 3 || dup2(so_fd, 4) < 0))
            _exit(127);
        if (sv[1] == 4 || dup2(sv[1], 3) < 0)
            _exit(127);
        execve(exe, argv, environ);
        _exit(127);
    }
    close(sv[1]);
    if (frame_write(sv[0], WMSG_JOB, p.data, p.len) != 0) {
        sbuf_free(&p);
        close(sv[0]);
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        return -1;
    }
    sbuf_free(&p);
    *fd = sv[0];
    *pid = child;
    return 0;
}

/* Read exactly one frame from a blocking @fd into @buf. */
static int read_frame(int fd, sbuf *buf, uint8_t *type, const unsigned char **payload, size_t *len)
{
    unsigned char tmp[65536];
    for (;;) {
        long fl = frame_next((const unsigned char *)buf->data, buf->len, type, payload, len);
        if (fl < 0)
            return -1;
        if (fl > 0)
            return 0;
        ssize_t r = recv(fd, tmp, sizeof tmp, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        sbuf_append(buf, tmp, (size_t)r);
    }
}

int worker_exec_main(int fd)
{
    signal(SIGINT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    sbuf in = {0};
    uint8_t type = 0;
    const unsigned char *pl = NULL;
    size_t len = 0;
    if (read_frame(fd, &in, &type, &pl, &len) != 0 || type != WMSG_JOB) {
        sbuf_free(&in);
        return 2;
    }
    wire_rd d = {pl, pl + len, 0};
    char *so = wire_get_dup(&d), *name = wire_get_dup(&d);
    worker_job job;
    memset(&job, 0, sizeof job);
    job.kind = wire_get_u32(&d);
    job.config_json = wire_get_dup(&d);
    job.targets_json = wire_get_dup(&d);
    job.skip_json = wire_get_dup(&d);
    job.jobs = (int)wire_get_u32(&d);
    log_set_level(wire_get_u8(&d));
    /* optional (older cores did not send it): the plugin's HTTP settings */
    char *http_conf = !d.bad && d.p < d.end ? wire_get_dup(&d) : NULL;
    int rc = 2;
    registry reg = {0};
    if (!d.bad && so && name && job.config_json && job.targets_json) {
        loaded_plugin *lp = registry_load_file(&reg, so);
        if (lp->ok && strcmp(lp->name, name) == 0) {
            job.lp = lp;
            if (http_conf) {
                free(lp->host->http_conf);
                lp->host->http_conf = http_conf;
                http_conf = NULL;
            }
            rc = worker_run(&job, fd);
        } else {
            sbuf m = {0};
            sbuf_printf(&m, "the restarted worker could not load the plugin: %s",
                        lp->ok ? "it has another name" : lp->error);
            sbuf e = {0};
            wire_put_str(&e, m.data);
            frame_write(fd, WMSG_FATAL, e.data, e.len);
            sbuf_free(&e);
            sbuf_free(&m);
        }
    }
    registry_free(&reg);
    free(so);
    free(name);
    free(job.config_json);
    free(job.targets_json);
    free(job.skip_json);
    free(http_conf);
    sbuf_free(&in);
    close(fd);
    return rc;
}
