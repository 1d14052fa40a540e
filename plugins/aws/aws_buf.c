/*
 * aws_buf.c - the growable byte buffer of aws_buf.h.
 */
#define _DEFAULT_SOURCE
#include "aws_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void abuf_init(abuf *b)
{
    memset(b, 0, sizeof *b);
}

static int abuf_reserve(abuf *b, size_t extra)
{
    if (b->failed)
        return -1;
    if (extra > (size_t)-1 / 2 - b->len || (b->limit && b->len + extra > b->limit)) {
        b->failed = 1;
        return -1;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = malloc(cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    if (b->p) {
        memcpy(p, b->p, b->len + 1);
        /* the old block may have held a secret: never leave copies behind */
        explicit_bzero(b->p, b->cap);
        free(b->p);
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

int abuf_add(abuf *b, const void *s, size_t n)
{
    if (abuf_reserve(b, n) != 0)
        return -1;
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int abuf_str(abuf *b, const char *s)
{
    return s ? abuf_add(b, s, strlen(s)) : (b->failed ? -1 : 0);
}

int abuf_ch(abuf *b, char c)
{
    return abuf_add(b, &c, 1);
}

int abuf_fmt(abuf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return -1;
    }
    if ((size_t)n < sizeof small)
        return abuf_add(b, small, (size_t)n);
    if (abuf_reserve(b, (size_t)n) != 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

const char *abuf_cstr(const abuf *b)
{
    return b->p ? b->p : "";
}

char *abuf_take(abuf *b)
{
    char *p = NULL;
    if (!b->failed)
        p = b->p ? b->p : strdup("");
    else
        abuf_wipe(b);
    if (p == b->p)
        b->p = NULL;
    abuf_free(b);
    return p;
}

void abuf_free(abuf *b)
{
    free(b->p);
    size_t limit = b->limit;
    abuf_init(b);
    b->limit = limit;
}

void abuf_wipe(abuf *b)
{
    if (b->p)
        explicit_bzero(b->p, b->cap);
    abuf_free(b);
}

char *aws_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

void aws_wipe_free(char *s)
{
    if (s) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int aws_read_file(const char *path, size_t max, const char *what, char **out, size_t *len, char *err,
                  size_t errlen)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s %s: not a regular file", what, path);
        close(fd);
        return -1;
    }
    abuf b;
    abuf_init(&b);
    b.limit = max;
    char tmp[4096];
    ssize_t n;
    while ((n = read(fd, tmp, sizeof tmp)) > 0)
        if (abuf_add(&b, tmp, (size_t)n) != 0)
            break;
    explicit_bzero(tmp, sizeof tmp);
    close(fd);
    if (b.failed || n < 0) {
        snprintf(err, errlen, "%s %s: %s", what, path, b.failed ? "too large" : "read error");
        abuf_wipe(&b);
        return -1;
    }
    if (len)
        *len = b.len;
    *out = abuf_take(&b);
    if (!*out) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}
