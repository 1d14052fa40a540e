/*
 * plugins/outputs/transport.c - syslog transports (see transport.h).
 *
 * SOURCE (facts only): RFC 5426 (syslog over UDP), RFC 6587 section 3.4.1
 * (octet counting over TCP).
 */
#define _POSIX_C_SOURCE 200809L

#include "transport.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <parapet/host.h>

#define IO_TIMEOUT_S 10

struct out_transport {
    int fd;
    int datagram;
    int udp;        /* an IP datagram socket: lossy by design */
    char name[300]; /* for messages */
};

static const char *errtext(int e, char *b, size_t n)
{
    if (strerror_r(e, b, n) != 0)
        (void)snprintf(b, n, "error %d", e);
    return b;
}

static void set_timeouts(int fd)
{
    struct timeval tv = {IO_TIMEOUT_S, 0};
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

static int open_unix(out_transport *t, const char *path, char *err, size_t errlen)
{
    char eb[128];
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (!*path || strlen(path) >= sizeof sa.sun_path) {
        (void)snprintf(err, errlen, "syslog: unix socket path must be 1 to %zu bytes", sizeof sa.sun_path - 1);
        return PP_ERR_INVALID;
    }
    memcpy(sa.sun_path, path, strlen(path));
    int types[2] = {SOCK_DGRAM, SOCK_STREAM};
    int e = 0;
    for (int i = 0; i < 2; i++) {
        int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            e = errno;
            continue;
        }
        set_timeouts(fd);
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
            t->fd = fd;
            t->datagram = types[i] == SOCK_DGRAM;
            return 0;
        }
        e = errno;
        close(fd);
        if (e != EPROTOTYPE)
            break;
    }
    (void)snprintf(err, errlen, "syslog: cannot connect to %s: %s", t->name, errtext(e, eb, sizeof eb));
    return PP_ERR_IO;
}

static int open_inet(out_transport *t, const char *hostport, int stream, char *err, size_t errlen)
{
    char eb[128];
    char host[256], port[16] = "514";
    const char *p = hostport;
    size_t hl;
    if (*p == '[') {
        const char *close = strchr(p, ']');
        if (!close)
            goto bad;
        hl = (size_t)(close - p - 1);
        if (hl == 0 || hl >= sizeof host)
            goto bad;
        memcpy(host, p + 1, hl);
        p = close + 1;
    } else {
        hl = strcspn(p, ":");
        if (hl == 0 || hl >= sizeof host)
            goto bad;
        memcpy(host, p, hl);
        p += hl;
    }
    host[hl] = '\0';
    if (*p == ':') {
        p++;
        size_t pl = strlen(p);
        if (pl == 0 || pl > 5 || strspn(p, "0123456789") != pl || atoi(p) < 1 || atoi(p) > 65535)
            goto bad;
        memcpy(port, p, pl + 1);
    } else if (*p) {
        goto bad;
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = stream ? SOCK_STREAM : SOCK_DGRAM;
    int g = getaddrinfo(host, port, &hints, &res);
    if (g != 0) {
        (void)snprintf(err, errlen, "syslog: cannot resolve %s: %s", t->name, gai_strerror(g));
        return PP_ERR_IO;
    }
    int e = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            e = errno;
            continue;
        }
        set_timeouts(fd);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            t->fd = fd;
            t->datagram = !stream;
            t->udp = !stream;
            freeaddrinfo(res);
            return 0;
        }
        e = errno;
        close(fd);
    }
    freeaddrinfo(res);
    (void)snprintf(err, errlen, "syslog: cannot connect to %s: %s", t->name, errtext(e, eb, sizeof eb));
    return PP_ERR_IO;
bad:
    (void)snprintf(err, errlen, "syslog: bad destination %s: use udp://HOST[:PORT], tcp://HOST[:PORT] or unix:///PATH",
                   t->name);
    return PP_ERR_INVALID;
}

int out_transport_open(const char *url, out_transport **out, char *err, size_t errlen)
{
    *out = NULL;
    out_transport *t = calloc(1, sizeof *t);
    if (!t) {
        (void)snprintf(err, errlen, "syslog: out of memory");
        return PP_ERR_NOMEM;
    }
    t->fd = -1;
    (void)snprintf(t->name, sizeof t->name, "%.280s", url ? url : "(none)");
    for (char *p = t->name; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    int rc;
    if (!url || !*url)
        rc = (snprintf(err, errlen,
                       "syslog: give the destination: --output syslog:udp://HOST:PORT (or tcp://, unix://)"),
              PP_ERR_INVALID);
    else if (strncmp(url, "udp://", 6) == 0)
        rc = open_inet(t, url + 6, 0, err, errlen);
    else if (strncmp(url, "tcp://", 6) == 0)
        rc = open_inet(t, url + 6, 1, err, errlen);
    else if (strncmp(url, "unix://", 7) == 0)
        rc = open_unix(t, url + 7, err, errlen);
    else
        rc = (snprintf(err, errlen,
                       "syslog: bad destination %s: use udp://HOST[:PORT], tcp://HOST[:PORT] or unix:///PATH", t->name),
              PP_ERR_INVALID);
    if (rc != 0) {
        free(t);
        return rc;
    }
    *out = t;
    return 0;
}

int out_transport_is_datagram(const out_transport *t)
{
    return t->datagram;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int out_transport_send(out_transport *t, const char *msg, size_t n, char *err, size_t errlen)
{
    char eb[128];
    int bad;
    if (t->datagram) {
        ssize_t w;
        do
            w = send(t->fd, msg, n, MSG_NOSIGNAL);
        while (w < 0 && errno == EINTR);
        /* UDP is fire-and-forget (RFC 5426): an ICMP "port unreachable"
         * reported for an earlier datagram is a lost message, not a failure */
        if (w < 0 && t->udp && errno == ECONNREFUSED)
            return 0;
        bad = w < 0 || (size_t)w != n;
    } else {
        char len[24];
        int l = snprintf(len, sizeof len, "%zu ", n);
        bad = send_all(t->fd, len, (size_t)l) != 0 || send_all(t->fd, msg, n) != 0;
    }
    if (bad) {
        (void)snprintf(err, errlen, "syslog: cannot send to %s: %s", t->name, errtext(errno, eb, sizeof eb));
        return PP_ERR_IO;
    }
    return 0;
}

void out_transport_close(out_transport *t)
{
    if (!t)
        return;
    if (t->fd >= 0)
        close(t->fd);
    free(t);
}
