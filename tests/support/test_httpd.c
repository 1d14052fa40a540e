/*
 * tests/support/test_httpd.c - a small scripted HTTP/1.1 server for tests.
 * See test_httpd.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "test_httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define HEAD_MAX (64 * 1024)
#define BODY_MAX (1024 * 1024)

typedef struct conn {
    httpd *srv;
    int fd;
    SSL *ssl;
    pthread_t thread;
    int done;
    struct conn *next;
} conn;

struct httpd {
    int lfd;
    int port;
    SSL_CTX *ctx;
    pthread_t accept_thread;
    volatile int stopping;

    pthread_mutex_t lock;
    httpd_reply *script;
    size_t n_script, next_reply;
    unsigned requests, connections, active, peak;
    unsigned generation; /* bumped by httpd_script: stale requests stop counting */
    char *last;
    conn *conns;
};

static void msleep(unsigned ms)
{
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static ssize_t conn_read(conn *c, char *buf, size_t n)
{
    if (c->ssl != NULL) {
        int r = SSL_read(c->ssl, buf, (int)(n > 65536 ? 65536 : n));
        return r > 0 ? r : (r == 0 ? 0 : -1);
    }
    for (;;) {
        ssize_t r = recv(c->fd, buf, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        return r;
    }
}

static int conn_write(conn *c, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w;
        if (c->ssl != NULL) {
            int r = SSL_write(c->ssl, buf, (int)(n > 65536 ? 65536 : n));
            w = r > 0 ? r : -1;
        } else {
            w = send(c->fd, buf, n, MSG_NOSIGNAL);
            if (w < 0 && errno == EINTR)
                continue;
        }
        if (w <= 0)
            return -1;
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Content-Length of a request head (0 when absent). */
static size_t content_length(const char *head)
{
    const char *p = head;
    while ((p = strstr(p, "\r\n")) != NULL) {
        p += 2;
        if (strncasecmp(p, "Content-Length:", 15) == 0)
            return (size_t)strtoul(p + 15, NULL, 10);
    }
    return 0;
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

/* Serve requests on one connection until it closes or the server stops. */
static void *conn_main(void *arg)
{
    conn *c = arg;
    httpd *s = c->srv;
    char *buf = malloc(HEAD_MAX + BODY_MAX + 1);
    size_t have = 0;
    if (buf == NULL)
        goto out;
    if (c->ssl != NULL && SSL_accept(c->ssl) != 1)
        goto out; /* e.g. the client refused our certificate */
    while (!s->stopping) {
        /* read a head */
        char *end = NULL;
        while ((end = (have >= 4 ? memmem(buf, have, "\r\n\r\n", 4) : NULL)) == NULL) {
            if (have >= HEAD_MAX)
                goto out;
            ssize_t r = conn_read(c, buf + have, HEAD_MAX - have);
            if (r <= 0)
                goto out;
            have += (size_t)r;
        }
        size_t head_len = (size_t)(end - buf) + 4;
        char saved = buf[head_len];
        buf[head_len] = '\0';
        size_t body_len = content_length(buf);
        buf[head_len] = saved;
        if (body_len > BODY_MAX)
            goto out;
        while (have < head_len + body_len) {
            ssize_t r = conn_read(c, buf + have, head_len + body_len - have);
            if (r <= 0)
                goto out;
            have += (size_t)r;
        }
        size_t req_len = head_len + body_len;

        /* count it and pick the reply */
        httpd_reply rep;
        pthread_mutex_lock(&s->lock);
        unsigned gen = s->generation;
        s->requests++;
        s->active++;
        if (s->active > s->peak)
            s->peak = s->active;
        free(s->last);
        s->last = malloc(req_len + 1);
        if (s->last != NULL) {
            memcpy(s->last, buf, req_len);
            s->last[req_len] = '\0';
        }
        rep = s->script[s->next_reply];
        if (s->next_reply + 1 < s->n_script)
            s->next_reply++;
        pthread_mutex_unlock(&s->lock);
        memmove(buf, buf + req_len, have - req_len);
        have -= req_len;

        for (unsigned waited = 0; waited < rep.delay_ms && !s->stopping; waited += 10)
            msleep(10);
        /* The request counts as active until the reply starts: the client
         * cannot finish (and start another) before that, so the peak never
         * over-counts what the client had in flight. */
        pthread_mutex_lock(&s->lock);
        if (gen == s->generation)
            s->active--;
        pthread_mutex_unlock(&s->lock);

        size_t blen = rep.body == NULL ? 0 : (rep.body_len ? rep.body_len : strlen(rep.body));
        char head[4096];
        int hl;
        if (rep.no_length)
            hl = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nConnection: close\r\n%s\r\n", rep.status,
                          reason(rep.status), rep.headers ? rep.headers : "");
        else
            hl = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\n%s\r\n", rep.status,
                          reason(rep.status), blen, rep.headers ? rep.headers : "");
        int bad = hl < 0 || (size_t)hl >= sizeof head || conn_write(c, head, (size_t)hl) != 0 ||
                  (blen > 0 && conn_write(c, rep.body, blen) != 0);
        if (bad || rep.no_length)
            goto out;
    }
out:
    free(buf);
    if (c->ssl != NULL)
        SSL_shutdown(c->ssl);
    pthread_mutex_lock(&s->lock);
    shutdown(c->fd, SHUT_RDWR);
    c->done = 1;
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static void *accept_main(void *arg)
{
    httpd *s = arg;
    while (!s->stopping) {
        struct pollfd pfd = { s->lfd, POLLIN, 0 };
        if (poll(&pfd, 1, 20) <= 0)
            continue;
        int fd = accept(s->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        conn *c = calloc(1, sizeof *c);
        if (c == NULL) {
            close(fd);
            continue;
        }
        c->srv = s;
        c->fd = fd;
        if (s->ctx != NULL) {
            c->ssl = SSL_new(s->ctx);
            if (c->ssl == NULL) {
                close(fd);
                free(c);
                continue;
            }
            SSL_set_fd(c->ssl, fd);
        }
        pthread_mutex_lock(&s->lock);
        s->connections++;
        c->next = s->conns;
        s->conns = c;
        pthread_mutex_unlock(&s->lock);
        if (pthread_create(&c->thread, NULL, conn_main, c) != 0) {
            pthread_mutex_lock(&s->lock);
            c->done = 2; /* never started: nothing to join */
            pthread_mutex_unlock(&s->lock);
        }
    }
    return NULL;
}

httpd *httpd_start(const char *cert_file, const char *key_file)
{
    httpd *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    pthread_mutex_init(&s->lock, NULL);
    s->lfd = -1;
    static const httpd_reply ok = { 200, NULL, "ok", 0, 0, 0 };
    httpd_script(s, &ok, 1);
    if (cert_file != NULL) {
        s->ctx = SSL_CTX_new(TLS_server_method());
        if (s->ctx == NULL || SSL_CTX_use_certificate_chain_file(s->ctx, cert_file) != 1 ||
            SSL_CTX_use_PrivateKey_file(s->ctx, key_file, SSL_FILETYPE_PEM) != 1) {
            fprintf(stderr, "test_httpd: cannot load %s / %s\n", cert_file, key_file);
            ERR_print_errors_fp(stderr);
            httpd_stop(s);
            return NULL;
        }
    }
    s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(s->lfd, 128) != 0 ||
        getsockname(s->lfd, (struct sockaddr *)&a, &al) != 0) {
        perror("test_httpd: listen");
        httpd_stop(s);
        return NULL;
    }
    s->port = ntohs(a.sin_port);
    if (pthread_create(&s->accept_thread, NULL, accept_main, s) != 0) {
        close(s->lfd);
        s->lfd = -1;
        httpd_stop(s);
        return NULL;
    }
    return s;
}

int httpd_port(const httpd *s)
{
    return s->port;
}

void httpd_script(httpd *s, const httpd_reply *replies, size_t n)
{
    httpd_reply *copy = malloc(n * sizeof *copy);
    if (copy == NULL)
        abort();
    memcpy(copy, replies, n * sizeof *copy);
    pthread_mutex_lock(&s->lock);
    free(s->script);
    s->script = copy;
    s->n_script = n;
    s->next_reply = 0;
    s->requests = s->connections = s->peak = s->active = 0;
    s->generation++;
    free(s->last);
    s->last = NULL;
    pthread_mutex_unlock(&s->lock);
}

#define COUNTER(fn, field)                 \
    unsigned fn(httpd *s)                  \
    {                                      \
        pthread_mutex_lock(&s->lock);      \
        unsigned v = s->field;             \
        pthread_mutex_unlock(&s->lock);    \
        return v;                          \
    }
COUNTER(httpd_requests, requests)
COUNTER(httpd_connections, connections)
COUNTER(httpd_peak_active, peak)

char *httpd_last_request(httpd *s)
{
    pthread_mutex_lock(&s->lock);
    char *r = s->last != NULL ? strdup(s->last) : NULL;
    pthread_mutex_unlock(&s->lock);
    return r;
}

void httpd_stop(httpd *s)
{
    if (s == NULL)
        return;
    s->stopping = 1;
    if (s->lfd >= 0) {
        pthread_join(s->accept_thread, NULL);
        close(s->lfd);
    }
    pthread_mutex_lock(&s->lock);
    for (conn *c = s->conns; c != NULL; c = c->next)
        if (!c->done)
            shutdown(c->fd, SHUT_RDWR); /* wakes blocked reads */
    pthread_mutex_unlock(&s->lock);
    while (s->conns != NULL) {
        conn *c = s->conns;
        s->conns = c->next;
        if (c->done != 2)
            pthread_join(c->thread, NULL);
        if (c->ssl != NULL)
            SSL_free(c->ssl);
        close(c->fd);
        free(c);
    }
    if (s->ctx != NULL)
        SSL_CTX_free(s->ctx);
    free(s->script);
    free(s->last);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static int run(const char *cmd)
{
    int rc = system(cmd);
    if (rc != 0)
        fprintf(stderr, "test_httpd: failed (%d): %s\n", rc, cmd);
    return rc == 0 ? 0 : -1;
}

int httpd_make_certs(const char *dir)
{
    if (system("openssl version >/dev/null 2>&1") != 0)
        return -1;
    char cmd[4096];
    const char *ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    snprintf(cmd, sizeof cmd,
             "cd '%s' && "
             "openssl req -x509 %s -keyout ca.key -out ca.pem -days 2 -subj /CN=parapet-test-ca 2>/dev/null && "
             "openssl req -x509 %s -keyout other-ca.key -out other-ca.pem -days 2 "
             "-subj /CN=parapet-other-ca 2>/dev/null && "
             "openssl req %s -keyout server.key -out server.csr -subj /CN=localhost 2>/dev/null && "
             "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\n' > ext.cnf && "
             "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
             "-extfile ext.cnf -out server.pem 2>/dev/null",
             dir, ec, ec, ec);
    return run(cmd);
}
