/*
 * core/http/http.c - the HTTP client behind the host's `http` service.
 *
 * Layout of this file:
 *   1. small helpers (errors, time, random, URL for logs)
 *   2. client creation: options, CA bundles, curl share
 *   3. the pool of transfer objects (one curl multi + easy pair each; the
 *      multi keeps the connection cache, so connections are reused)
 *   4. per-host concurrency slots
 *   5. one attempt: header/body collection, the transfer loop
 *   6. http_request: validation, the retry loop
 *
 * Contract comments of public functions are in http.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include <curl/curl.h>

#include "../log.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif

/* Defaults (see http_options in http.h and docs/http.md). */
#define DEF_CONNECT_TIMEOUT_MS 10000u
#define DEF_TIMEOUT_MS 120000u
#define DEF_MAX_RETRIES 4u
#define DEF_BACKOFF_BASE_MS 500u
#define DEF_BACKOFF_MAX_MS 20000u
#define DEF_RETRY_AFTER_MAX_MS 60000u
#define DEF_MAX_PER_HOST 8u
#define DEF_MAX_BODY ((size_t)256 * 1024 * 1024)

/* Hard limits. */
#define MAX_RETRIES_CAP 10u            /* a request may not ask for more */
#define CA_FILE_MAX (2u * 1024 * 1024) /* per PEM bundle; three merged stay under curl's 8 MB option limit */
#define MAX_RESP_HEADERS 512u          /* further response headers are dropped */
#define MAX_RESP_HEADER_BYTES (256u * 1024)
#define POLL_MS 50                     /* cancel polling period */
#define MAX_IDLE_TRANSFERS 64u         /* idle pooled transfer objects kept */
#define URL_LOG_MAX 512

/* ------------------------------------------------------------------ */
/* 1. helpers                                                          */
/* ------------------------------------------------------------------ */

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static void wipe(void *p, size_t n)
{
    if (p == NULL || n == 0)
        return;
#ifdef HAVE_EXPLICIT_BZERO
    explicit_bzero(p, n);
#else
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
#endif
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* A uniformly distributed number in [0, bound]; bound < 2^32. Per-thread
 * splitmix64 state seeded from getrandom(): jitter needs no crypto, only
 * independence between threads and processes. */
static uint32_t random_upto(uint32_t bound)
{
    static _Thread_local uint64_t state;
    static _Thread_local int seeded;
    if (!seeded) {
        if (getrandom(&state, sizeof state, GRND_NONBLOCK) != (ssize_t)sizeof state)
            state = now_ms() ^ ((uint64_t)(uintptr_t)&state << 16);
        seeded = 1;
    }
    state += 0x9E3779B97F4A7C15ull;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (uint32_t)(z % ((uint64_t)bound + 1));
}

/* Sleep @ms milliseconds in short steps, polling @cancel. Returns 1 when
 * cancelled, 0 when the full time passed. */
static int sleep_cancellable(uint32_t ms, http_cancel_fn cancel, void *ud)
{
    uint64_t end = now_ms() + ms;
    for (;;) {
        if (cancel != NULL && cancel(ud))
            return 1;
        uint64_t t = now_ms();
        if (t >= end)
            return 0;
        uint64_t step = end - t;
        if (step > 20)
            step = 20;
        struct timespec ts = { 0, (long)step * 1000000L };
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
        }
    }
}

char *http_url_for_log(const char *url, char *buf, size_t len)
{
    if (buf == NULL || len == 0)
        return buf;
    if (url == NULL) {
        snprintf(buf, len, "(null)");
        return buf;
    }
    size_t o = 0;
    const char *p = url;
    const char *sep = strstr(url, "://");
    const char *qstop = url + strcspn(url, "?#");
    if (sep != NULL && sep < qstop) {
        /* copy the scheme and "://", then the authority without user info */
        for (; p < sep + 3 && o + 1 < len; p++)
            buf[o++] = *p;
        p = sep + 3;
        size_t auth_len = strcspn(p, "/?#");
        const char *at = NULL;
        for (size_t i = 0; i < auth_len; i++)
            if (p[i] == '@')
                at = p + i;
        if (at != NULL)
            p = at + 1;
        /* the host and port only: a path can be a credential too (a Slack or
         * Teams webhook URL is one), so it never reaches a message */
        for (; *p != '\0' && *p != '/' && *p != '?' && *p != '#' && o + 1 < len; p++)
            buf[o++] = (isprint((unsigned char)*p) ? *p : '?');
        if (*p == '/' && p[1] != '\0' && o + 4 < len) {
            memcpy(buf + o, "/...", 4);
            o += 4;
        }
        buf[o] = '\0';
        return buf;
    }
    for (; *p != '\0' && *p != '?' && *p != '#' && o + 1 < len; p++)
        buf[o++] = (isprint((unsigned char)*p) ? *p : '?');
    buf[o] = '\0';
    return buf;
}

int http_parse_retry_after(const char *v, time_t now, uint32_t *ms)
{
    if (v == NULL || ms == NULL)
        return 0;
    while (*v == ' ' || *v == '\t')
        v++;
    size_t n = strlen(v);
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '\n'))
        n--;
    if (n == 0)
        return 0;
    size_t digits = 0;
    while (digits < n && v[digits] >= '0' && v[digits] <= '9')
        digits++;
    if (digits == n) {
        uint64_t secs = 0;
        for (size_t i = 0; i < n; i++) {
            secs = secs * 10 + (uint64_t)(v[i] - '0');
            if (secs > UINT32_MAX / 1000u) {
                *ms = UINT32_MAX;
                return 1;
            }
        }
        *ms = (uint32_t)(secs * 1000u);
        return 1;
    }
    /* An HTTP-date is short; anything longer is not one. */
    char tmp[64];
    if (n >= sizeof tmp)
        return 0;
    memcpy(tmp, v, n);
    tmp[n] = '\0';
    /* curl_getdate also accepts loose forms like "now" or "+1 day";
     * require the shape of an HTTP-date: a weekday name first. */
    if (!isalpha((unsigned char)tmp[0]))
        return 0;
    time_t t = curl_getdate(tmp, NULL);
    if (t == (time_t)-1)
        return 0;
    if (t <= now) {
        *ms = 0;
        return 1;
    }
    uint64_t d = (uint64_t)(t - now);
    *ms = d > UINT32_MAX / 1000u ? UINT32_MAX : (uint32_t)(d * 1000u);
    return 1;
}

/* Read a whole file of at most @cap bytes. Returns PP_OK with a malloc'd,
 * NUL-terminated copy in *@out, or an error with a message in @err. */
static int read_small_file(const char *path, size_t cap, char **out, size_t *out_len, char *err, size_t errlen)
{
    *out = NULL;
    *out_len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        set_err(err, errlen, "cannot open CA file '%s': %s", path, strerror(errno));
        return PP_ERR_INVALID;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        set_err(err, errlen, "CA file '%s' is not a regular file", path);
        close(fd);
        return PP_ERR_INVALID;
    }
    if ((uint64_t)st.st_size > cap) {
        set_err(err, errlen, "CA file '%s' is larger than %zu bytes", path, cap);
        close(fd);
        return PP_ERR_INVALID;
    }
    size_t want = (size_t)st.st_size;
    char *buf = malloc(want + 1);
    if (buf == NULL) {
        close(fd);
        set_err(err, errlen, "out of memory reading CA file '%s'", path);
        return PP_ERR_NOMEM;
    }
    size_t got = 0;
    while (got < want) {
        ssize_t r = read(fd, buf + got, want - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    buf[got] = '\0';
    if (got == 0 || strstr(buf, "-----BEGIN CERTIFICATE-----") == NULL) {
        set_err(err, errlen, "CA file '%s' holds no PEM certificate", path);
        free(buf);
        return PP_ERR_INVALID;
    }
    *out = buf;
    *out_len = got;
    return PP_OK;
}

/* ------------------------------------------------------------------ */
/* 2. the client                                                       */
/* ------------------------------------------------------------------ */

typedef struct xfer {
    CURLM *multi;   /* owns the connection cache of this transfer object */
    CURL *easy;
    struct xfer *next;
} xfer;

typedef struct host_slot {
    char *name;
    unsigned active;
    unsigned waiting;
    struct host_slot *next;
} host_slot;

struct http_client {
    http_options o;         /* copies; the pointers below own the strings */
    char *user_agent;
    char *ca_file;          /* NULL when none */
    char *base_pem;         /* bundle to trust, or NULL for curl's default */
    size_t base_pem_len;
    char *system_pem;       /* system bundle (HTTP_CA_ADD), for merging a request's ca_file */
    size_t system_pem_len;
    char **insecure;        /* lower-cased host names */
    unsigned char *insecure_warned;
    size_t n_insecure;

    CURLSH *share;          /* DNS and TLS session caches, shared by all transfers */
    pthread_mutex_t share_lock[CURL_LOCK_DATA_LAST];

    pthread_mutex_t lock;   /* guards idle, hosts, insecure_warned */
    pthread_cond_t slot_freed;
    xfer *idle;
    size_t n_idle;
    host_slot *hosts;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void http_options_init(http_options *o)
{
    memset(o, 0, sizeof *o);
    o->connect_timeout_ms = DEF_CONNECT_TIMEOUT_MS;
    o->timeout_ms = DEF_TIMEOUT_MS;
    o->max_retries = DEF_MAX_RETRIES;
    o->backoff_base_ms = DEF_BACKOFF_BASE_MS;
    o->backoff_max_ms = DEF_BACKOFF_MAX_MS;
    o->retry_after_max_ms = DEF_RETRY_AFTER_MAX_MS;
    o->max_per_host = DEF_MAX_PER_HOST;
    o->max_body = DEF_MAX_BODY;
    o->ca_mode = HTTP_CA_ADD;
}

static void share_lock_cb(CURL *h, curl_lock_data data, curl_lock_access access, void *ud)
{
    (void)h;
    (void)access;
    http_client *c = ud;
    if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
        pthread_mutex_lock(&c->share_lock[data]);
}

static void share_unlock_cb(CURL *h, curl_lock_data data, void *ud)
{
    (void)h;
    http_client *c = ud;
    if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
        pthread_mutex_unlock(&c->share_lock[data]);
}

/* The CA bundle libcurl uses when told nothing (e.g.
 * /etc/ssl/certs/ca-certificates.crt on Debian). */
static const char *system_ca_path(void)
{
    static const char *const known[] = {
        "/etc/ssl/certs/ca-certificates.crt", /* Debian, Ubuntu, Alpine, Arch */
        "/etc/pki/tls/certs/ca-bundle.crt",   /* Fedora, RHEL */
        "/etc/ssl/ca-bundle.pem",             /* openSUSE */
        "/etc/ssl/cert.pem",                  /* BSDs, macOS */
    };
#if LIBCURL_VERSION_NUM >= 0x075400 /* 7.84: CURLINFO_CAINFO */
    static _Thread_local char built_in[PATH_MAX];
    CURL *e = curl_easy_init();
    if (e != NULL) {
        char *p = NULL;
        int ok = curl_easy_getinfo(e, CURLINFO_CAINFO, &p) == CURLE_OK && p != NULL && access(p, R_OK) == 0;
        if (ok)
            snprintf(built_in, sizeof built_in, "%s", p);
        curl_easy_cleanup(e);
        if (ok)
            return built_in;
    }
#endif
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (access(known[i], R_OK) == 0)
            return known[i];
    return NULL;
}

static char *str_lower_dup(const char *s)
{
    char *d = strdup(s);
    if (d != NULL)
        for (char *p = d; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    return d;
}

/* Concatenate PEM texts into a new buffer; NULL parts are skipped. */
static char *pem_concat(const char *a, size_t alen, const char *b, size_t blen, const char *d, size_t dlen,
                        size_t *out_len)
{
    size_t total = alen + blen + dlen + 3;
    char *r = malloc(total + 1);
    if (r == NULL)
        return NULL;
    size_t o = 0;
    const char *parts[3] = { a, b, d };
    size_t lens[3] = { alen, blen, dlen };
    for (int i = 0; i < 3; i++) {
        if (parts[i] == NULL || lens[i] == 0)
            continue;
        memcpy(r + o, parts[i], lens[i]);
        o += lens[i];
        r[o++] = '\n';
    }
    r[o] = '\0';
    *out_len = o;
    return r;
}

int http_client_new(const http_options *opt, http_client **out, char *err, size_t errlen)
{
    if (out == NULL) {
        set_err(err, errlen, "http_client_new: out is NULL");
        return PP_ERR_INVALID;
    }
    *out = NULL;
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK) {
        set_err(err, errlen, "libcurl failed to initialise: %s", curl_easy_strerror(global_rc));
        return PP_ERR_IO;
    }
    http_options defaults;
    http_options_init(&defaults);
    if (opt == NULL)
        opt = &defaults;
    if (opt->max_per_host == 0 || opt->max_body == 0 || opt->timeout_ms == 0 || opt->connect_timeout_ms == 0) {
        set_err(err, errlen, "http options: max_per_host, max_body and the timeouts must be > 0");
        return PP_ERR_INVALID;
    }
    if (opt->ca_mode != HTTP_CA_ADD && opt->ca_mode != HTTP_CA_ONLY) {
        set_err(err, errlen, "http options: unknown ca_mode %d", (int)opt->ca_mode);
        return PP_ERR_INVALID;
    }
    if (opt->ca_mode == HTTP_CA_ONLY && opt->ca_file == NULL) {
        set_err(err, errlen, "http options: ca_mode 'only' needs a ca_file");
        return PP_ERR_INVALID;
    }

    http_client *c = calloc(1, sizeof *c);
    if (c == NULL)
        goto nomem;
    c->o = *opt;
    c->o.max_retries = opt->max_retries > MAX_RETRIES_CAP ? MAX_RETRIES_CAP : opt->max_retries;
    pthread_mutex_init(&c->lock, NULL);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&c->share_lock[i], NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c->slot_freed, &ca);
    pthread_condattr_destroy(&ca);

    if (opt->user_agent != NULL)
        c->user_agent = strdup(opt->user_agent);
    else
        c->user_agent = strdup("parapet/" PACKAGE_VERSION);
    if (c->user_agent == NULL)
        goto nomem_free;

    if (opt->n_insecure_hosts > 0) {
        if (opt->insecure_hosts == NULL) {
            set_err(err, errlen, "http options: n_insecure_hosts set but insecure_hosts is NULL");
            http_client_free(c);
            return PP_ERR_INVALID;
        }
        c->insecure = calloc(opt->n_insecure_hosts, sizeof *c->insecure);
        c->insecure_warned = calloc(opt->n_insecure_hosts, 1);
        if (c->insecure == NULL || c->insecure_warned == NULL)
            goto nomem_free;
        for (size_t i = 0; i < opt->n_insecure_hosts; i++) {
            const char *h = opt->insecure_hosts[i];
            if (h == NULL || h[0] == '\0' || strpbrk(h, "/:@?# \t") != NULL) {
                set_err(err, errlen, "http options: insecure host #%zu is not a plain host name", i + 1);
                c->n_insecure = i;
                http_client_free(c);
                return PP_ERR_INVALID;
            }
            c->insecure[i] = str_lower_dup(h);
            c->n_insecure = i + 1;
            if (c->insecure[i] == NULL)
                goto nomem_free;
        }
    }
    c->o.insecure_hosts = NULL;
    c->o.user_agent = NULL;
    c->o.ca_file = NULL;

    if (opt->ca_mode == HTTP_CA_ADD) {
        const char *sys = system_ca_path();
        if (sys != NULL) {
            char e2[256];
            if (read_small_file(sys, CA_FILE_MAX, &c->system_pem, &c->system_pem_len, e2, sizeof e2) != PP_OK) {
                log_msg(LOG_LVL_DEBUG, "http", "system CA bundle not loaded: %s", e2);
                c->system_pem = NULL;
                c->system_pem_len = 0;
            }
        }
    }
    if (opt->ca_file != NULL) {
        char *pem = NULL;
        size_t pem_len = 0;
        int rc = read_small_file(opt->ca_file, CA_FILE_MAX, &pem, &pem_len, err, errlen);
        if (rc != PP_OK) {
            http_client_free(c);
            return rc;
        }
        c->ca_file = strdup(opt->ca_file);
        if (opt->ca_mode == HTTP_CA_ADD)
            c->base_pem = pem_concat(c->system_pem, c->system_pem_len, pem, pem_len, NULL, 0, &c->base_pem_len);
        else
            c->base_pem = pem_concat(pem, pem_len, NULL, 0, NULL, 0, &c->base_pem_len);
        free(pem);
        if (c->ca_file == NULL || c->base_pem == NULL)
            goto nomem_free;
    }

    c->share = curl_share_init();
    if (c->share == NULL)
        goto nomem_free;
    curl_share_setopt(c->share, CURLSHOPT_LOCKFUNC, share_lock_cb);
    curl_share_setopt(c->share, CURLSHOPT_UNLOCKFUNC, share_unlock_cb);
    curl_share_setopt(c->share, CURLSHOPT_USERDATA, c);
    curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    /* Not CURL_LOCK_DATA_CONNECT: libcurl documents sharing a connection
     * cache between concurrent threads as unsafe. Each pooled transfer
     * object keeps its own connections instead. */

    *out = c;
    return PP_OK;

nomem_free:
    http_client_free(c);
nomem:
    set_err(err, errlen, "out of memory creating the HTTP client");
    return PP_ERR_NOMEM;
}

static void xfer_destroy(xfer *x)
{
    if (x == NULL)
        return;
    if (x->easy != NULL)
        curl_easy_cleanup(x->easy);
    if (x->multi != NULL)
        curl_multi_cleanup(x->multi);
    free(x);
}

void http_client_free(http_client *c)
{
    if (c == NULL)
        return;
    while (c->idle != NULL) {
        xfer *x = c->idle;
        c->idle = x->next;
        xfer_destroy(x);
    }
    while (c->hosts != NULL) {
        host_slot *h = c->hosts;
        c->hosts = h->next;
        free(h->name);
        free(h);
    }
    if (c->share != NULL)
        curl_share_cleanup(c->share);
    for (size_t i = 0; i < c->n_insecure; i++)
        free(c->insecure[i]);
    free(c->insecure);
    free(c->insecure_warned);
    free(c->user_agent);
    free(c->ca_file);
    free(c->base_pem);
    free(c->system_pem);
    pthread_cond_destroy(&c->slot_freed);
    pthread_mutex_destroy(&c->lock);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_destroy(&c->share_lock[i]);
    free(c);
}

/* ------------------------------------------------------------------ */
/* 3. pool of transfer objects                                         */
/* ------------------------------------------------------------------ */

static xfer *xfer_take(http_client *c)
{
    pthread_mutex_lock(&c->lock);
    xfer *x = c->idle;
    if (x != NULL) {
        c->idle = x->next;
        c->n_idle--;
    }
    pthread_mutex_unlock(&c->lock);
    if (x != NULL) {
        curl_easy_reset(x->easy); /* keeps the multi's live connections */
        return x;
    }
    x = calloc(1, sizeof *x);
    if (x == NULL)
        return NULL;
    x->multi = curl_multi_init();
    x->easy = curl_easy_init();
    if (x->multi == NULL || x->easy == NULL) {
        xfer_destroy(x);
        return NULL;
    }
    /* a handful of idle connections per transfer object is plenty */
    curl_multi_setopt(x->multi, CURLMOPT_MAXCONNECTS, 4L);
    return x;
}

static void xfer_give_back(http_client *c, xfer *x)
{
    pthread_mutex_lock(&c->lock);
    if (c->n_idle < MAX_IDLE_TRANSFERS) {
        x->next = c->idle;
        c->idle = x;
        c->n_idle++;
        x = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    xfer_destroy(x);
}

/* ------------------------------------------------------------------ */
/* 4. per-host concurrency slots                                       */
/* ------------------------------------------------------------------ */

/* Wait for a free slot for @host. Returns PP_OK (slot held), or
 * PP_ERR_CANCELLED / PP_ERR_NOMEM. */
static int slot_acquire(http_client *c, const char *host, http_cancel_fn cancel, void *ud)
{
    int rc = PP_OK;
    pthread_mutex_lock(&c->lock);
    host_slot *h = c->hosts;
    while (h != NULL && strcmp(h->name, host) != 0)
        h = h->next;
    if (h == NULL) {
        h = calloc(1, sizeof *h);
        if (h == NULL || (h->name = strdup(host)) == NULL) {
            free(h);
            pthread_mutex_unlock(&c->lock);
            return PP_ERR_NOMEM;
        }
        h->next = c->hosts;
        c->hosts = h;
    }
    h->waiting++;
    while (h->active >= c->o.max_per_host) {
        if (cancel != NULL && cancel(ud)) {
            rc = PP_ERR_CANCELLED;
            break;
        }
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += POLL_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&c->slot_freed, &c->lock, &ts);
    }
    h->waiting--;
    if (rc == PP_OK)
        h->active++;
    pthread_mutex_unlock(&c->lock);
    return rc;
}

static void slot_release(http_client *c, const char *host)
{
    pthread_mutex_lock(&c->lock);
    host_slot **pp = &c->hosts;
    while (*pp != NULL && strcmp((*pp)->name, host) != 0)
        pp = &(*pp)->next;
    host_slot *h = *pp;
    if (h != NULL) {
        h->active--;
        if (h->active == 0 && h->waiting == 0) { /* forget idle hosts */
            *pp = h->next;
            free(h->name);
            free(h);
        }
    }
    pthread_cond_broadcast(&c->slot_freed);
    pthread_mutex_unlock(&c->lock);
}

/* ------------------------------------------------------------------ */
/* 5. one attempt                                                      */
/* ------------------------------------------------------------------ */

/* The response in the making; becomes the public pp_http_response. */
typedef struct http_resp {
    pp_http_response pub; /* first member: http_response_free casts back */
    pp_http_header *hdrs;
    size_t n_hdrs, cap_hdrs;
    size_t hdr_bytes;
    char *body;
    size_t body_len, body_cap;
    size_t max_body;
    int too_big;
    int nomem;
} http_resp;

static void resp_clear_headers(http_resp *r)
{
    for (size_t i = 0; i < r->n_hdrs; i++) {
        free((char *)r->hdrs[i].name);
        free((char *)r->hdrs[i].value);
    }
    r->n_hdrs = 0;
    r->hdr_bytes = 0;
}

void http_response_free(pp_http_response *resp)
{
    if (resp == NULL)
        return;
    http_resp *r = (http_resp *)resp;
    resp_clear_headers(r);
    free(r->hdrs);
    free(r->body);
    free(r);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    http_resp *r = ud;
    size_t n = size * nmemb;
    if (n > r->max_body - r->body_len) {
        r->too_big = 1;
        return 0; /* makes curl stop with CURLE_WRITE_ERROR */
    }
    if (r->body_len + n + 1 > r->body_cap) {
        size_t cap = r->body_cap ? r->body_cap : 4096;
        while (cap < r->body_len + n + 1)
            cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
        char *nb = realloc(r->body, cap);
        if (nb == NULL) {
            r->nomem = 1;
            return 0;
        }
        r->body = nb;
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    return n;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *ud)
{
    http_resp *r = ud;
    size_t n = size * nmemb;
    if (n >= 5 && memcmp(line, "HTTP/", 5) == 0) {
        resp_clear_headers(r); /* a new response (after 100 Continue, proxy CONNECT) */
        return n;
    }
    size_t len = n;
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
        len--;
    if (len == 0 || line[0] == ' ' || line[0] == '\t')
        return n; /* end of headers, or obsolete line folding: ignored */
    const char *colon = memchr(line, ':', len);
    if (colon == NULL || colon == line)
        return n;
    if (r->n_hdrs >= MAX_RESP_HEADERS || r->hdr_bytes + len > MAX_RESP_HEADER_BYTES)
        return n; /* excess headers are dropped */
    if (r->n_hdrs == r->cap_hdrs) {
        size_t cap = r->cap_hdrs ? r->cap_hdrs * 2 : 16;
        pp_http_header *nh = realloc(r->hdrs, cap * sizeof *nh);
        if (nh == NULL)
            return 0;
        r->hdrs = nh;
        r->cap_hdrs = cap;
    }
    size_t name_len = (size_t)(colon - line);
    while (name_len > 0 && (line[name_len - 1] == ' ' || line[name_len - 1] == '\t'))
        name_len--;
    const char *v = colon + 1;
    const char *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    char *name = malloc(name_len + 1);
    char *value = malloc((size_t)(end - v) + 1);
    if (name == NULL || value == NULL) {
        free(name);
        free(value);
        return 0;
    }
    for (size_t i = 0; i < name_len; i++)
        name[i] = (char)tolower((unsigned char)line[i]);
    name[name_len] = '\0';
    memcpy(value, v, (size_t)(end - v));
    value[end - v] = '\0';
    r->hdrs[r->n_hdrs].name = name;
    r->hdrs[r->n_hdrs].value = value;
    r->n_hdrs++;
    r->hdr_bytes += len;
    return n;
}

static const char *resp_header(const http_resp *r, const char *lower_name)
{
    for (size_t i = 0; i < r->n_hdrs; i++)
        if (strcmp(r->hdrs[i].name, lower_name) == 0)
            return r->hdrs[i].value;
    return NULL;
}

/* What one request needs across attempts. */
typedef struct plan {
    pp_http_request req;     /* a copy, zero-extended to the current size */
    const char *method;      /* upper-case as given */
    int idempotent;
    char host[256];          /* lower-cased host name for slots and insecure list */
    char url_log[URL_LOG_MAX];
    struct curl_slist *headers;
    int insecure;
    const char *ca_blob;     /* bundle to trust, or NULL for curl's default */
    size_t ca_blob_len;
    char *ca_blob_owned;     /* when a request ca_file made a per-request bundle */
    uint32_t timeout_ms;
    uint32_t max_retries;
} plan;

typedef struct outcome {
    CURLcode code;           /* CURLE_OK when a response arrived */
    int cancelled;
    char curl_err[CURL_ERROR_SIZE];
    http_resp *resp;         /* set when code == CURLE_OK */
} outcome;

static int set_common_options(http_client *c, const plan *p, CURL *e, http_resp *r, char *errbuf)
{
    CURLcode rc = CURLE_OK;
#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(e, opt, val); } while (0)
    SET(CURLOPT_URL, p->req.url);
    SET(CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85 */
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
#else
    SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_USERAGENT, c->user_agent);
    SET(CURLOPT_HTTPHEADER, p->headers);
    SET(CURLOPT_ACCEPT_ENCODING, ""); /* every decoder curl has; the body cap applies after decoding */
    SET(CURLOPT_TCP_KEEPALIVE, 1L);
    SET(CURLOPT_TIMEOUT_MS, (long)p->timeout_ms);
    uint32_t ct = c->o.connect_timeout_ms < p->timeout_ms ? c->o.connect_timeout_ms : p->timeout_ms;
    SET(CURLOPT_CONNECTTIMEOUT_MS, (long)ct);
    SET(CURLOPT_MAXFILESIZE_LARGE,
        (curl_off_t)(c->o.max_body > (size_t)INT64_MAX ? INT64_MAX : (int64_t)c->o.max_body));
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, r);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, r);
    SET(CURLOPT_ERRORBUFFER, errbuf);
    SET(CURLOPT_SHARE, c->share);

    const char *m = p->method;
    if (strcmp(m, "HEAD") == 0) {
        SET(CURLOPT_NOBODY, 1L);
    } else if (p->req.body != NULL || strcmp(m, "POST") == 0) {
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)p->req.body_len);
        SET(CURLOPT_POSTFIELDS, p->req.body != NULL ? (const char *)p->req.body : "");
        if (strcmp(m, "POST") != 0)
            SET(CURLOPT_CUSTOMREQUEST, m);
    } else if (strcmp(m, "GET") != 0) {
        SET(CURLOPT_CUSTOMREQUEST, m);
    }

    /* TLS: verification stays on unless the user exempted this host. */
    SET(CURLOPT_SSL_VERIFYPEER, p->insecure ? 0L : 1L);
    SET(CURLOPT_SSL_VERIFYHOST, p->insecure ? 0L : 2L);
    if (p->ca_blob != NULL) {
        struct curl_blob blob = { (void *)p->ca_blob, p->ca_blob_len, CURL_BLOB_NOCOPY };
        SET(CURLOPT_CAINFO_BLOB, &blob);
        if (c->o.ca_mode == HTTP_CA_ONLY)
            SET(CURLOPT_CAPATH, (char *)NULL);
    }
    /* TLS client certificate (ABI 1.4): borrowed blobs, not copied by curl;
     * the pooled handle is reset before its next use. */
    if (p->req.client_cert_pem != NULL) {
        struct curl_blob cert = { (void *)p->req.client_cert_pem, p->req.client_cert_pem_len, CURL_BLOB_NOCOPY };
        struct curl_blob key = { (void *)p->req.client_key_pem, p->req.client_key_pem_len, CURL_BLOB_NOCOPY };
        SET(CURLOPT_SSLCERT_BLOB, &cert);
        SET(CURLOPT_SSLCERTTYPE, "PEM");
        SET(CURLOPT_SSLKEY_BLOB, &key);
        SET(CURLOPT_SSLKEYTYPE, "PEM");
    }
#undef SET
    return rc == CURLE_OK ? PP_OK : PP_ERR_INVALID;
}

/* Perform one attempt on a pooled transfer object. Fills @oc. Returns
 * PP_OK when the attempt ran (whatever its outcome), or PP_ERR_NOMEM. */
static int attempt_once(http_client *c, const plan *p, http_cancel_fn cancel, void *ud, outcome *oc)
{
    memset(oc, 0, sizeof *oc);
    http_resp *r = calloc(1, sizeof *r);
    if (r == NULL)
        return PP_ERR_NOMEM;
    r->max_body = c->o.max_body;
    xfer *x = xfer_take(c);
    if (x == NULL) {
        free(r);
        return PP_ERR_NOMEM;
    }
    if (set_common_options(c, p, x->easy, r, oc->curl_err) != PP_OK) {
        xfer_give_back(c, x);
        http_response_free(&r->pub);
        oc->code = CURLE_FAILED_INIT;
        snprintf(oc->curl_err, sizeof oc->curl_err, "libcurl refused an option");
        return PP_OK;
    }

    CURLcode code = CURLE_OK;
    if (curl_multi_add_handle(x->multi, x->easy) != CURLM_OK) {
        code = CURLE_FAILED_INIT;
    } else {
        int running = 1;
        while (running) {
            if (cancel != NULL && cancel(ud)) {
                oc->cancelled = 1;
                break;
            }
            CURLMcode mc = curl_multi_perform(x->multi, &running);
            if (mc != CURLM_OK) {
                code = CURLE_FAILED_INIT;
                break;
            }
            if (!running)
                break;
            mc = curl_multi_poll(x->multi, NULL, 0, POLL_MS, NULL);
            if (mc != CURLM_OK) {
                code = CURLE_FAILED_INIT;
                break;
            }
        }
        if (!oc->cancelled && code == CURLE_OK) {
            CURLMsg *m;
            int q;
            code = CURLE_GOT_NOTHING;
            while ((m = curl_multi_info_read(x->multi, &q)) != NULL)
                if (m->msg == CURLMSG_DONE && m->easy_handle == x->easy)
                    code = m->data.result;
        }
        curl_multi_remove_handle(x->multi, x->easy);
    }
    long status = 0;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
    /* forget borrowed pointers before the object goes back to the pool */
    curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
    curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, (char *)NULL);
    curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, (char *)NULL);
    xfer_give_back(c, x);

    if (oc->cancelled || code != CURLE_OK) {
        if (r->too_big)
            code = CURLE_FILESIZE_EXCEEDED;
        else if (r->nomem)
            code = CURLE_OUT_OF_MEMORY;
        oc->code = code;
        http_response_free(&r->pub);
        return PP_OK;
    }
    if (r->body == NULL) {
        r->body = malloc(1);
        if (r->body == NULL) {
            http_response_free(&r->pub);
            return PP_ERR_NOMEM;
        }
    }
    r->body[r->body_len] = '\0';
    r->pub.size = (uint32_t)sizeof(pp_http_response);
    r->pub.status = status;
    r->pub.headers = r->hdrs;
    r->pub.n_headers = r->n_hdrs;
    r->pub.body = r->body;
    r->pub.body_len = r->body_len;
    oc->code = CURLE_OK;
    oc->resp = r;
    return PP_OK;
}

/* ------------------------------------------------------------------ */
/* 6. http_request                                                     */
/* ------------------------------------------------------------------ */

static int is_tchar(unsigned char ch)
{
    return isalnum(ch) || (ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

static int is_token(const char *s)
{
    if (s == NULL || *s == '\0')
        return 0;
    for (; *s; s++)
        if (!is_tchar((unsigned char)*s))
            return 0;
    return 1;
}

static void free_header_list(struct curl_slist *l)
{
    for (struct curl_slist *i = l; i != NULL; i = i->next)
        wipe(i->data, strlen(i->data)); /* header values may be credentials */
    curl_slist_free_all(l);
}

/* Append "name: value" to the list; returns 0 on out of memory. */
static int append_header(struct curl_slist **l, const char *name, const char *value)
{
    size_t nl = strlen(name), vl = strlen(value);
    char *line = malloc(nl + vl + 3);
    if (line == NULL)
        return 0;
    memcpy(line, name, nl);
    if (vl == 0) {
        line[nl] = ';'; /* curl's way of sending an empty header */
        line[nl + 1] = '\0';
    } else {
        line[nl] = ':';
        line[nl + 1] = ' ';
        memcpy(line + nl + 2, value, vl + 1);
    }
    struct curl_slist *n = curl_slist_append(*l, line);
    wipe(line, nl + vl + 2);
    free(line);
    if (n == NULL)
        return 0;
    *l = n;
    return 1;
}

static int method_is_idempotent(const char *m)
{
    static const char *const idem[] = { "GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE" };
    for (size_t i = 0; i < sizeof idem / sizeof idem[0]; i++)
        if (strcmp(m, idem[i]) == 0)
            return 1;
    return 0;
}

static void plan_free(plan *p)
{
    free_header_list(p->headers);
    p->headers = NULL;
    free(p->ca_blob_owned);
    p->ca_blob_owned = NULL;
}

/* Check the request and precompute what every attempt needs. */
static int plan_build(http_client *c, const pp_http_request *in, plan *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    snprintf(p->url_log, sizeof p->url_log, "(no url)");
    if (in == NULL || in->size < offsetof(pp_http_request, url) + sizeof in->url) {
        set_err(err, errlen, "http request: missing or too small (size field)");
        return PP_ERR_INVALID;
    }
    size_t n = in->size < sizeof p->req ? in->size : sizeof p->req;
    memcpy(&p->req, in, n); /* fields past the caller's size stay zero */
    if (p->req.url == NULL) {
        set_err(err, errlen, "http request: url is NULL");
        return PP_ERR_INVALID;
    }
    http_url_for_log(p->req.url, p->url_log, sizeof p->url_log);

    p->method = p->req.method != NULL ? p->req.method : "GET";
    if (!is_token(p->method) || strlen(p->method) > 32) {
        set_err(err, errlen, "http request to %s: invalid method", p->url_log);
        return PP_ERR_INVALID;
    }
    for (const char *s = p->method; *s; s++)
        if (islower((unsigned char)*s)) {
            set_err(err, errlen, "http request to %s: method must be upper-case", p->url_log);
            return PP_ERR_INVALID;
        }
    /* the caller may vouch that repeating it is harmless (ABI 1.2 flags;
     * zero when an older caller's struct ends before them) */
    p->idempotent = method_is_idempotent(p->method) || (p->req.flags & PP_HTTP_IDEMPOTENT);
    if (p->req.body == NULL && p->req.body_len != 0) {
        set_err(err, errlen, "http request to %s: body_len without body", p->url_log);
        return PP_ERR_INVALID;
    }

    /* URL: http or https only, and a host we can name. */
    CURLU *u = curl_url();
    if (u == NULL)
        return PP_ERR_NOMEM;
    char *scheme = NULL, *host = NULL;
    int bad = curl_url_set(u, CURLUPART_URL, p->req.url, 0) != CURLUE_OK ||
              curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
              curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK;
    if (!bad && strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
        bad = 2;
    if (!bad && strlen(host) >= sizeof p->host)
        bad = 1;
    if (!bad) {
        size_t i;
        for (i = 0; host[i]; i++)
            p->host[i] = (char)tolower((unsigned char)host[i]);
        p->host[i] = '\0';
    }
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    if (bad) {
        set_err(err, errlen, bad == 2 ? "http request to %s: only http:// and https:// URLs are allowed"
                                      : "http request: malformed URL %s",
                p->url_log);
        return PP_ERR_INVALID;
    }

    /* Headers: no CR/LF (header injection), names are tokens. */
    int have_ct = 0, have_expect = 0;
    if (p->req.n_headers > 0 && p->req.headers == NULL) {
        set_err(err, errlen, "http request to %s: n_headers without headers", p->url_log);
        return PP_ERR_INVALID;
    }
    for (size_t i = 0; i < p->req.n_headers; i++) {
        const pp_http_header *h = &p->req.headers[i];
        const char *v = h->value != NULL ? h->value : "";
        if (!is_token(h->name) || strpbrk(v, "\r\n") != NULL) {
            /* name the header by position only: its name may be odd, its value secret */
            set_err(err, errlen, "http request to %s: header #%zu is malformed", p->url_log, i + 1);
            plan_free(p);
            return PP_ERR_INVALID;
        }
        if (strcasecmp(h->name, "Content-Type") == 0)
            have_ct = 1;
        if (strcasecmp(h->name, "Expect") == 0)
            have_expect = 1;
        if (!append_header(&p->headers, h->name, v)) {
            plan_free(p);
            return PP_ERR_NOMEM;
        }
    }
    /* No "Expect: 100-continue" round trip, and no made-up form content
     * type: a body without Content-Type is sent without one. */
    int sends_body = p->req.body != NULL || strcmp(p->method, "POST") == 0;
    /* "Name:" with nothing after the colon removes a header curl would add */
    const char *removals[2] = { have_expect ? NULL : "Expect:", have_ct || !sends_body ? NULL : "Content-Type:" };
    for (int i = 0; i < 2; i++) {
        if (removals[i] == NULL)
            continue;
        struct curl_slist *l = curl_slist_append(p->headers, removals[i]);
        if (l == NULL) {
            plan_free(p);
            return PP_ERR_NOMEM;
        }
        p->headers = l;
    }

    /* A client certificate comes with its key, over https only. */
    if ((p->req.client_cert_pem == NULL) != (p->req.client_key_pem == NULL) ||
        (p->req.client_cert_pem != NULL &&
         (p->req.client_cert_pem_len == 0 || p->req.client_key_pem_len == 0 ||
          strncasecmp(p->req.url, "https://", 8) != 0))) {
        set_err(err, errlen, "%s: a client certificate needs its key and an https:// URL", p->url_log);
        plan_free(p);
        return PP_ERR_INVALID;
    }

    /* TLS trust for this request. */
    for (size_t i = 0; i < c->n_insecure; i++) {
        if (strcmp(c->insecure[i], p->host) == 0) {
            p->insecure = 1;
            pthread_mutex_lock(&c->lock);
            int first = !c->insecure_warned[i];
            c->insecure_warned[i] = 1;
            pthread_mutex_unlock(&c->lock);
            if (first)
                log_msg(LOG_LVL_WARN, "http",
                        "TLS verification is DISABLED for host %s (insecure_skip_verify_hosts): "
                        "traffic to it can be read and changed by anyone on the path",
                        p->host);
            break;
        }
    }
    if (p->req.ca_file != NULL && !p->insecure) {
        char *pem = NULL;
        size_t pem_len = 0;
        int rc = read_small_file(p->req.ca_file, CA_FILE_MAX, &pem, &pem_len, err, errlen);
        if (rc != PP_OK) {
            plan_free(p);
            return rc;
        }
        if (c->base_pem != NULL)
            p->ca_blob_owned = pem_concat(c->base_pem, c->base_pem_len, pem, pem_len, NULL, 0, &p->ca_blob_len);
        else
            p->ca_blob_owned = pem_concat(c->system_pem, c->system_pem_len, pem, pem_len, NULL, 0, &p->ca_blob_len);
        free(pem);
        if (p->ca_blob_owned == NULL) {
            plan_free(p);
            return PP_ERR_NOMEM;
        }
        p->ca_blob = p->ca_blob_owned;
    } else if (c->base_pem != NULL) {
        p->ca_blob = c->base_pem;
        p->ca_blob_len = c->base_pem_len;
    }

    p->timeout_ms = p->req.timeout_ms != 0 ? p->req.timeout_ms : c->o.timeout_ms;
    if (p->req.max_retries == PP_HTTP_NO_RETRY)
        p->max_retries = 0;
    else if (p->req.max_retries == 0)
        p->max_retries = c->o.max_retries;
    else
        p->max_retries = p->req.max_retries > MAX_RETRIES_CAP ? MAX_RETRIES_CAP : p->req.max_retries;
    return PP_OK;
}

static int status_is_retryable(long s)
{
    return s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
}

static int code_is_retryable(CURLcode code, int idempotent)
{
    switch (code) {
    case CURLE_COULDNT_CONNECT: /* nothing was sent: safe for every method */
        return 1;
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return idempotent;
    default:
        return 0;
    }
}

static int code_to_rc(CURLcode code)
{
    switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
        return PP_ERR_TIMEOUT;
    case CURLE_OUT_OF_MEMORY:
        return PP_ERR_NOMEM;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return PP_ERR_INVALID;
    default:
        return PP_ERR_IO;
    }
}

/* Full-jitter exponential backoff for retry number @retry (1-based). */
static uint32_t backoff_ms(const http_client *c, uint32_t retry)
{
    uint64_t ceiling = c->o.backoff_base_ms;
    for (uint32_t i = 1; i < retry && ceiling < c->o.backoff_max_ms; i++)
        ceiling *= 2;
    if (ceiling > c->o.backoff_max_ms)
        ceiling = c->o.backoff_max_ms;
    return random_upto((uint32_t)ceiling);
}

int http_request(http_client *c, const pp_http_request *req, pp_http_response **out,
                 http_cancel_fn cancel, void *ud, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (out == NULL || c == NULL) {
        set_err(err, errlen, "http_request: client or out is NULL");
        return PP_ERR_INVALID;
    }
    *out = NULL;
    plan p;
    int rc = plan_build(c, req, &p, err, errlen);
    if (rc != PP_OK)
        return rc;

    uint64_t t0 = now_ms();
    uint32_t attempt = 0;
    outcome oc;
    memset(&oc, 0, sizeof oc);
    for (;;) {
        attempt++;
        rc = slot_acquire(c, p.host, cancel, ud);
        if (rc != PP_OK)
            break;
        rc = attempt_once(c, &p, cancel, ud, &oc);
        slot_release(c, p.host);
        if (rc != PP_OK)
            break;
        if (oc.cancelled) {
            rc = PP_ERR_CANCELLED;
            break;
        }

        /* Decide whether to try again, and after how long. */
        int again = 0;
        uint32_t wait = 0;
        const char *why = NULL;
        char why_buf[64];
        if (oc.code == CURLE_OK) {
            long s = oc.resp->pub.status;
            uint32_t ra = 0;
            int has_ra = http_parse_retry_after(resp_header(oc.resp, "retry-after"), time(NULL), &ra);
            if (status_is_retryable(s) &&
                (p.idempotent || s == 429 || (s == 503 && has_ra))) {
                again = 1;
                wait = has_ra ? (ra > c->o.retry_after_max_ms ? c->o.retry_after_max_ms : ra)
                              : backoff_ms(c, attempt);
                snprintf(why_buf, sizeof why_buf, "status %ld", s);
                why = why_buf;
            }
        } else if (code_is_retryable(oc.code, p.idempotent)) {
            again = 1;
            wait = backoff_ms(c, attempt);
            why = curl_easy_strerror(oc.code);
        }
        if (!again || attempt > p.max_retries)
            break;

        log_msg(LOG_LVL_DEBUG, "http", "%s %s: %s, retry %u of %u in %u ms", p.method, p.url_log, why,
                attempt, p.max_retries, wait);
        if (oc.resp != NULL) {
            http_response_free(&oc.resp->pub);
            oc.resp = NULL;
        }
        if (sleep_cancellable(wait, cancel, ud)) {
            rc = PP_ERR_CANCELLED;
            break;
        }
    }

    if (rc == PP_OK && oc.code == CURLE_OK) {
        oc.resp->pub.attempts = attempt;
        *out = &oc.resp->pub;
        log_msg(LOG_LVL_DEBUG, "http", "%s %s -> %ld (%u attempt%s, %llu ms)", p.method, p.url_log,
                oc.resp->pub.status, attempt, attempt == 1 ? "" : "s", (unsigned long long)(now_ms() - t0));
    } else if (rc == PP_OK) {
        rc = code_to_rc(oc.code);
        if (oc.code == CURLE_FILESIZE_EXCEEDED)
            set_err(err, errlen, "%s %s: response body exceeds the cap of %zu bytes", p.method, p.url_log,
                    c->o.max_body);
        else
            set_err(err, errlen, "%s %s failed after %u attempt%s: %s%s%s", p.method, p.url_log, attempt,
                    attempt == 1 ? "" : "s", curl_easy_strerror(oc.code), oc.curl_err[0] ? ": " : "",
                    oc.curl_err);
        log_msg(LOG_LVL_DEBUG, "http", "%s %s failed: %s", p.method, p.url_log, curl_easy_strerror(oc.code));
    } else if (rc == PP_ERR_CANCELLED) {
        if (oc.resp != NULL)
            http_response_free(&oc.resp->pub);
        set_err(err, errlen, "%s %s: cancelled", p.method, p.url_log);
    } else {
        if (oc.resp != NULL)
            http_response_free(&oc.resp->pub);
        set_err(err, errlen, "%s %s: out of memory", p.method, p.url_log);
    }
    plan_free(&p);
    return rc;
}
