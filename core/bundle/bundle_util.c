/* core/bundle/bundle_util.c - see bundle_util.h. */
#include "config.h"

#include "bundle_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

int berr_set(bundle_err *e, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

void bwipe(void *p, size_t n)
{
    if (!p || n == 0)
        return;
#ifdef HAVE_EXPLICIT_BZERO
    explicit_bzero(p, n);
#else
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
#endif
}

void hex_encode(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

void sha256_buf(const void *p, size_t len, unsigned char out[32])
{
    unsigned int outlen = 32;
    EVP_Digest(p, len, out, &outlen, EVP_sha256(), NULL);
}

int sha256_fd_hex(int fd, const char *what, char hex[65], uint64_t *total, bundle_err *e)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char buf[65536], md[32];
    uint64_t n_total = 0;
    int rc = -1;

    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        berr_set(e, "cannot start SHA-256 for %s", what);
        goto out;
    }
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            berr_set(e, "cannot read %s: %s", what, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        EVP_DigestUpdate(ctx, buf, (size_t)n);
        n_total += (uint64_t)n;
    }
    EVP_DigestFinal_ex(ctx, md, NULL);
    hex_encode(md, 32, hex);
    if (total)
        *total = n_total;
    rc = 0;
out:
    EVP_MD_CTX_free(ctx);
    return rc;
}

int sha256_file_hex(const char *path, char hex[65], uint64_t *total, bundle_err *e)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return berr_set(e, "cannot open %s: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return berr_set(e, "%s is not a regular file", path);
    }
    int rc = sha256_fd_hex(fd, path, hex, total, e);
    close(fd);
    return rc;
}

char *read_file_capped(const char *path, size_t cap, size_t *len, bundle_err *e)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        berr_set(e, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        berr_set(e, "%s is not a regular file", path);
        close(fd);
        return NULL;
    }
    if ((uint64_t)st.st_size > cap) {
        berr_set(e, "%s is too large (%lld bytes, limit %zu)", path, (long long)st.st_size, cap);
        close(fd);
        return NULL;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    if (!buf) {
        berr_set(e, "out of memory reading %s", path);
        close(fd);
        return NULL;
    }
    for (;;) {
        if (got > cap) {
            berr_set(e, "%s grew beyond %zu bytes while being read", path, cap);
            goto fail;
        }
        ssize_t n = read(fd, buf + got, (size_t)st.st_size + 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            berr_set(e, "cannot read %s: %s", path, strerror(errno));
            goto fail;
        }
        if (n == 0)
            break;
        got += (size_t)n;
        if (got == (size_t)st.st_size + 1) {
            berr_set(e, "%s changed size while being read", path);
            goto fail;
        }
    }
    close(fd);
    buf[got] = '\0';
    if (len)
        *len = got;
    return buf;
fail:
    close(fd);
    free(buf);
    return NULL;
}

char *path_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 4096 || lb > 4096)
        return NULL;
    char *p = malloc(la + lb + 2);
    if (!p)
        return NULL;
    memcpy(p, a, la);
    size_t o = la;
    if (la > 0 && a[la - 1] != '/')
        p[o++] = '/';
    memcpy(p + o, b, lb + 1);
    return p;
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, int exclusive,
                      bundle_err *e)
{
    size_t lp = strlen(path);
    char *tmp = malloc(lp + 16);
    if (!tmp)
        return berr_set(e, "out of memory writing %s", path);
    memcpy(tmp, path, lp);
    memcpy(tmp + lp, ".tmp-XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        berr_set(e, "cannot create a temporary file beside %s: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    const unsigned char *p = data;
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, p + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            berr_set(e, "cannot write %s: %s", path, strerror(errno));
            goto fail;
        }
        off += (size_t)n;
    }
    if (fchmod(fd, mode) != 0 || fsync(fd) != 0) {
        berr_set(e, "cannot write %s: %s", path, strerror(errno));
        goto fail;
    }
    close(fd);
    fd = -1;
    if (exclusive) {
        /* link() fails with EEXIST instead of replacing: no race with a
         * file created meanwhile. */
        if (link(tmp, path) != 0) {
            berr_set(e, "%s %s", path,
                     errno == EEXIST ? "already exists; refusing to overwrite it" : strerror(errno));
            goto fail;
        }
        unlink(tmp);
    } else if (rename(tmp, path) != 0) {
        berr_set(e, "cannot write %s: %s", path, strerror(errno));
        goto fail;
    }
    free(tmp);
    return 0;
fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    free(tmp);
    return -1;
}

int remove_tree_at(int parent, const char *name)
{
    struct stat st;
    if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlinkat(parent, name, 0);
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return -1;
    }
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (remove_tree_at(dirfd(d), de->d_name) != 0)
            rc = -1;
    }
    closedir(d);
    if (rc == 0 && unlinkat(parent, name, AT_REMOVEDIR) != 0)
        rc = -1;
    return rc;
}

int private_copy(const char *path, const char *dir, uint64_t cap, bundle_err *e)
{
    struct stat st;
    int in = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (in < 0)
        return berr_set(e, "cannot open %s: %s", path, strerror(errno));
    if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(in);
        return berr_set(e, "%s is not a regular file", path);
    }
    if ((uint64_t)st.st_size > cap) {
        close(in);
        return berr_set(e, "%s is larger than %llu bytes", path, (unsigned long long)cap);
    }
    int out = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (out < 0) {
        /* no O_TMPFILE on this filesystem: a named file, unlinked at once */
        char *t = path_join(dir, ".bundle-XXXXXX");
        out = t ? mkstemp(t) : -1;
        if (out >= 0)
            unlink(t);
        free(t);
    }
    if (out < 0) {
        close(in);
        return berr_set(e, "cannot create a private copy of %s in %s: %s", path, dir,
                        strerror(errno));
    }
    char buf[65536];
    uint64_t total = 0;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || (total += (uint64_t)(n > 0 ? n : 0)) > cap) {
            berr_set(e, "cannot read %s: %s", path, n < 0 ? strerror(errno) : "it grew");
            goto fail;
        }
        if (n == 0)
            break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                berr_set(e, "cannot copy %s: %s", path, strerror(errno));
                goto fail;
            }
            off += w;
        }
    }
    close(in);
    if (lseek(out, 0, SEEK_SET) != 0) {
        close(out);
        return berr_set(e, "cannot rewind the copy of %s", path);
    }
    return out;
fail:
    close(in);
    close(out);
    return -1;
}
