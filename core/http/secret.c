/*
 * core/http/secret.c - resolving env:/file: secret references.
 * Contract comments are in secret.h; the file rules in docs/http.md.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "secret.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <parapet/host.h>

#define ENV_NAME_MAX 255

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

void secret_free(char *value, size_t len)
{
    if (value == NULL)
        return;
    wipe(value, len + 1);
    free(value);
}

/* Copy @n bytes of @s into a fresh NUL-terminated buffer. */
static char *dup_bytes(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static int resolve_env(const char *name, char **out, size_t *len, char *err, size_t errlen)
{
    size_t n = strlen(name);
    int ok = n > 0 && n <= ENV_NAME_MAX && (isalpha((unsigned char)name[0]) || name[0] == '_');
    for (size_t i = 0; ok && i < n; i++)
        ok = isalnum((unsigned char)name[i]) || name[i] == '_';
    if (!ok) {
        set_err(err, errlen, "secret reference env:NAME: NAME must be letters, digits and '_' "
                             "(not starting with a digit)");
        return PP_ERR_INVALID;
    }
    const char *v = getenv(name);
    if (v == NULL) {
        set_err(err, errlen, "secret reference env:%s: the environment variable is not set", name);
        return PP_ERR_NOTFOUND;
    }
    size_t vl = strlen(v);
    if (vl == 0) {
        set_err(err, errlen, "secret reference env:%s: the environment variable is empty", name);
        return PP_ERR_NOTFOUND;
    }
    *out = dup_bytes(v, vl);
    if (*out == NULL) {
        set_err(err, errlen, "out of memory reading secret env:%s", name);
        return PP_ERR_NOMEM;
    }
    *len = vl;
    return PP_OK;
}

static int resolve_file(const char *path, char **out, size_t *len, char *err, size_t errlen)
{
    if (path[0] != '/') {
        set_err(err, errlen, "secret reference file:PATH: PATH must be absolute");
        return PP_ERR_INVALID;
    }
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        if (e == ELOOP) {
            set_err(err, errlen, "secret file %s is a symbolic link; refusing it (name the file itself)", path);
            return PP_ERR_INVALID;
        }
        set_err(err, errlen, "cannot open secret file %s: %s", path, strerror(e));
        return e == ENOENT || e == ENOTDIR ? PP_ERR_NOTFOUND : PP_ERR_IO;
    }
    struct stat st;
    int rc = PP_ERR_INVALID;
    char *buf = NULL;
    size_t got = 0;
    if (fstat(fd, &st) != 0) {
        set_err(err, errlen, "cannot stat secret file %s: %s", path, strerror(errno));
        rc = PP_ERR_IO;
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        set_err(err, errlen, "secret file %s is not a regular file", path);
        goto out;
    }
    if (st.st_uid != geteuid() && st.st_uid != 0) {
        set_err(err, errlen, "secret file %s is owned by uid %lu, not by this user (uid %lu) or root; refusing it",
                path, (unsigned long)st.st_uid, (unsigned long)geteuid());
        goto out;
    }
    if ((st.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)) != 0) {
        set_err(err, errlen,
                "secret file %s has mode %04o: group or others may read or write it; "
                "refusing it (run: chmod 600 %s)",
                path, (unsigned)(st.st_mode & 07777), path);
        goto out;
    }
    if ((uint64_t)st.st_size > SECRET_FILE_MAX) {
        set_err(err, errlen, "secret file %s is larger than %u bytes", path, SECRET_FILE_MAX);
        goto out;
    }
    /* Read at most cap+1 bytes: the file may have grown since fstat. */
    buf = malloc(SECRET_FILE_MAX + 2);
    if (buf == NULL) {
        rc = PP_ERR_NOMEM;
        set_err(err, errlen, "out of memory reading secret file %s", path);
        goto out;
    }
    while (got <= SECRET_FILE_MAX) {
        ssize_t r = read(fd, buf + got, SECRET_FILE_MAX + 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            set_err(err, errlen, "cannot read secret file %s: %s", path, strerror(errno));
            rc = PP_ERR_IO;
            goto out;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    if (got > SECRET_FILE_MAX) {
        set_err(err, errlen, "secret file %s is larger than %u bytes", path, SECRET_FILE_MAX);
        goto out;
    }
    size_t n = got;
    if (n > 0 && buf[n - 1] == '\n') { /* one trailing newline, "\n" or "\r\n" */
        n--;
        if (n > 0 && buf[n - 1] == '\r')
            n--;
    }
    if (n == 0) {
        set_err(err, errlen, "secret file %s is empty", path);
        goto out;
    }
    *out = dup_bytes(buf, n);
    if (*out == NULL) {
        rc = PP_ERR_NOMEM;
        set_err(err, errlen, "out of memory reading secret file %s", path);
        goto out;
    }
    *len = n;
    rc = PP_OK;
out:
    if (buf != NULL) {
        wipe(buf, got);
        free(buf);
    }
    close(fd);
    return rc;
}

int secret_resolve(const char *ref, char **out, size_t *len, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (out == NULL || len == NULL) {
        set_err(err, errlen, "secret_resolve: out or len is NULL");
        return PP_ERR_INVALID;
    }
    *out = NULL;
    *len = 0;
    if (ref == NULL) {
        set_err(err, errlen, "secret reference is missing (use env:NAME or file:PATH)");
        return PP_ERR_INVALID;
    }
    if (strncmp(ref, "env:", 4) == 0)
        return resolve_env(ref + 4, out, len, err, errlen);
    if (strncmp(ref, "file:", 5) == 0)
        return resolve_file(ref + 5, out, len, err, errlen);

    /* Not a reference. Show the scheme only when it looks like one
     * ("vault:..."); a literal secret is never echoed. */
    size_t sl = 0;
    while (sl < 16 && (islower((unsigned char)ref[sl]) || isdigit((unsigned char)ref[sl]) ||
                       ref[sl] == '+' || ref[sl] == '-' || ref[sl] == '.'))
        sl++;
    if (sl > 0 && ref[sl] == ':' && islower((unsigned char)ref[0]))
        set_err(err, errlen, "secret reference scheme '%.*s' is not supported (use env:NAME or file:PATH)",
                (int)sl, ref);
    else
        set_err(err, errlen, "a secret must be given as a reference, env:NAME or file:PATH; "
                             "literal secrets in the config are refused (value not shown)");
    return PP_ERR_INVALID;
}

int secret_key_is_sensitive(const char *key)
{
    static const char *const words[] = {
        "key", "secret", "token", "passw", "passphrase", "credential", "auth",
        "cookie", "signature", "private", "sas", "pwd", "connectionstring",
    };
    if (key == NULL)
        return 0;
    char norm[256];
    size_t n = 0;
    for (const char *p = key; *p != '\0' && n + 1 < sizeof norm; p++) {
        if (*p == '_' || *p == '-' || *p == '.' || *p == ' ')
            continue;
        norm[n++] = (char)tolower((unsigned char)*p);
    }
    norm[n] = '\0';
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strstr(norm, words[i]) != NULL)
            return 1;
    return 0;
}

const char *secret_redact(const char *key, const char *value)
{
    if (value == NULL)
        return "";
    if (!secret_key_is_sensitive(key))
        return value;
    if (strncmp(value, "env:", 4) == 0 || strncmp(value, "file:", 5) == 0)
        return value;
    return "<redacted>";
}
