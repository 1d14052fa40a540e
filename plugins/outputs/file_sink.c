/*
 * plugins/outputs/file_sink.c - a file written whole or not at all (see file_sink.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "file_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <parapet/host.h>

#define FILE_BUF_SIZE ((size_t)64 * 1024)
#define FILE_MODE 0640

struct out_file {
    int fd;
    int is_stdout;
    int failed;
    char *path;   /* final path; NULL for stdout */
    char *tmp;    /* temporary file, or NULL when written directly */
    char *name;   /* for messages */
    size_t used;
    char buf[FILE_BUF_SIZE];
};

static const char *errtext(int e, char *b, size_t n)
{
    if (strerror_r(e, b, n) != 0)
        (void)snprintf(b, n, "error %d", e);
    return b;
}

static char *display_name(const char *path)
{
    char *d = strdup(path);
    if (d)
        for (char *p = d; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = '?';
    return d;
}

static void file_free(out_file *f)
{
    free(f->path);
    free(f->tmp);
    free(f->name);
    free(f);
}

static int create_tmp(out_file *f, char *err, size_t errlen)
{
    char eb[128];
    const char *slash = strrchr(f->path, '/');
    size_t dirlen = slash ? (size_t)(slash - f->path) + 1 : 0;
    const char *base = f->path + dirlen;
    if (*base == '\0') {
        (void)snprintf(err, errlen, "cannot write %s: it names a directory", f->name);
        return PP_ERR_INVALID;
    }
    size_t len = dirlen + 1 + strlen(base) + sizeof ".tmp-XXXXXX";
    if (!(f->tmp = malloc(len))) {
        (void)snprintf(err, errlen, "out of memory");
        return PP_ERR_NOMEM;
    }
    (void)snprintf(f->tmp, len, "%.*s.%s.tmp-XXXXXX", (int)dirlen, f->path, base);
    f->fd = mkstemp(f->tmp);
    if (f->fd < 0) {
        int e = errno;
        free(f->tmp);
        f->tmp = NULL;
        (void)snprintf(err, errlen, "cannot create a file beside %s: %s", f->name, errtext(e, eb, sizeof eb));
        return PP_ERR_IO;
    }
    if (fcntl(f->fd, F_SETFD, FD_CLOEXEC) != 0 || fchmod(f->fd, FILE_MODE) != 0) {
        int e = errno;
        close(f->fd);
        unlink(f->tmp);
        (void)snprintf(err, errlen, "cannot prepare the file for %s: %s", f->name, errtext(e, eb, sizeof eb));
        return PP_ERR_IO;
    }
    return 0;
}

static int open_direct(out_file *f, int follow, char *err, size_t errlen)
{
    char eb[128];
    f->fd = open(f->path, O_WRONLY | O_CLOEXEC | O_NOCTTY | (follow ? 0 : O_NOFOLLOW));
    if (f->fd < 0) {
        (void)snprintf(err, errlen, "cannot open %s: %s", f->name, errtext(errno, eb, sizeof eb));
        return PP_ERR_IO;
    }
    return 0;
}

static int open_path(out_file *f, char *err, size_t errlen)
{
    char eb[128];
    struct stat st;
    if (lstat(f->path, &st) != 0) {
        if (errno == ENOENT)
            return create_tmp(f, err, errlen);
        (void)snprintf(err, errlen, "cannot write %s: %s", f->name, errtext(errno, eb, sizeof eb));
        return PP_ERR_IO;
    }
    if (S_ISREG(st.st_mode))
        return create_tmp(f, err, errlen);
    if (S_ISDIR(st.st_mode)) {
        (void)snprintf(err, errlen, "cannot write %s: it is a directory", f->name);
        return PP_ERR_INVALID;
    }
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))
        return open_direct(f, 0, err, errlen);
    if (S_ISLNK(st.st_mode)) {
        struct stat t;
        if (stat(f->path, &t) == 0 && (S_ISFIFO(t.st_mode) || S_ISCHR(t.st_mode)))
            return open_direct(f, 1, err, errlen);
        (void)snprintf(err, errlen, "refusing to write %s: it is a symbolic link; give the path of the file itself",
                       f->name);
        return PP_ERR_INVALID;
    }
    (void)snprintf(err, errlen, "cannot write %s: not a regular file, FIFO or terminal", f->name);
    return PP_ERR_INVALID;
}

int out_file_open(const char *path, out_file **out, char *err, size_t errlen)
{
    *out = NULL;
    out_file *f = calloc(1, sizeof *f);
    if (!f) {
        (void)snprintf(err, errlen, "out of memory");
        return PP_ERR_NOMEM;
    }
    f->fd = -1;
    int rc;
    if (!path || !*path || strcmp(path, "-") == 0) {
        f->is_stdout = 1;
        f->fd = STDOUT_FILENO;
        f->name = strdup("standard output");
        rc = f->name ? 0 : PP_ERR_NOMEM;
        (void)fflush(stdout);
    } else {
        f->path = strdup(path);
        f->name = display_name(path);
        rc = f->path && f->name ? open_path(f, err, errlen) : PP_ERR_NOMEM;
    }
    if (rc != 0) {
        if (rc == PP_ERR_NOMEM)
            (void)snprintf(err, errlen, "out of memory");
        file_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
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

static int fail(out_file *f, const char *what, int e, char *err, size_t errlen)
{
    char eb[128];
    f->failed = 1;
    (void)snprintf(err, errlen, "cannot %s %s: %s", what, f->name, errtext(e, eb, sizeof eb));
    return PP_ERR_IO;
}

static int flush(out_file *f, char *err, size_t errlen)
{
    if (f->failed) {
        (void)snprintf(err, errlen, "%s: an earlier write failed", f->name);
        return PP_ERR_IO;
    }
    if (f->used > 0 && write_all(f->fd, f->buf, f->used) != 0)
        return fail(f, "write", errno, err, errlen);
    f->used = 0;
    return 0;
}

int out_file_write(out_file *f, const void *p, size_t n, char *err, size_t errlen)
{
    if (f->failed || f->used + n > sizeof f->buf) {
        int rc = flush(f, err, errlen);
        if (rc != 0)
            return rc;
    }
    if (n > sizeof f->buf)
        return write_all(f->fd, p, n) == 0 ? 0 : fail(f, "write", errno, err, errlen);
    memcpy(f->buf + f->used, p, n);
    f->used += n;
    return 0;
}

static void sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

int out_file_commit(out_file *f, char *err, size_t errlen)
{
    int rc = flush(f, err, errlen);
    if (!f->is_stdout) {
        if (rc == 0 && fsync(f->fd) != 0 && errno != EINVAL && errno != EROFS && errno != ENOTSUP)
            rc = fail(f, "save", errno, err, errlen);
        if (close(f->fd) != 0 && rc == 0 && errno != EINTR)
            rc = fail(f, "save", errno, err, errlen);
        if (f->tmp) {
            if (rc == 0 && rename(f->tmp, f->path) != 0)
                rc = fail(f, "put in place", errno, err, errlen);
            if (rc == 0)
                sync_dir(f->path);
            else
                unlink(f->tmp);
        }
    }
    file_free(f);
    return rc;
}

void out_file_discard(out_file *f)
{
    if (!f)
        return;
    if (!f->is_stdout)
        close(f->fd);
    if (f->tmp)
        unlink(f->tmp);
    file_free(f);
}

const char *out_file_name(const out_file *f)
{
    return f->name;
}
