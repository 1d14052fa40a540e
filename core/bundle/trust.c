/* core/bundle/trust.c - see trust.h. */
#include "config.h"

#include "trust.h"

#include "../log.h"
#include "manifest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TRUST_FILE_MAX 65536

/* insecure_reason - NULL if @st is owned by root or us and not writable by
 * group or others, else why not. */
static const char *insecure_reason(const struct stat *st)
{
    if (st->st_uid != 0 && st->st_uid != geteuid())
        return "owned by another user";
    if (st->st_mode & 022)
        return "writable by group or others";
    return NULL;
}

/* read_secure - read the regular file @name in @dirfd if it is safe to
 * trust; NULL with *why set otherwise (ENOENT: *why NULL). */
static char *read_secure(int dirfd, const char *name, size_t *len, const char **why)
{
    struct stat st;
    *why = NULL;
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno != ENOENT)
            *why = errno == ELOOP ? "a symbolic link" : "unreadable";
        return NULL;
    }
    char *buf = NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        *why = "not a regular file";
    } else if ((*why = insecure_reason(&st)) == NULL) {
        if (st.st_size > TRUST_FILE_MAX) {
            *why = "too large";
        } else if ((buf = malloc((size_t)st.st_size + 1)) != NULL) {
            ssize_t n = read(fd, buf, (size_t)st.st_size);
            if (n != st.st_size) {
                *why = "unreadable";
                free(buf);
                buf = NULL;
            } else {
                buf[n] = '\0';
                *len = (size_t)n;
            }
        } else {
            *why = "out of memory";
        }
    }
    close(fd);
    return buf;
}

static void free_key(trust_key *k)
{
    free(k->path);
    for (size_t i = 0; i < k->n_names; i++)
        free(k->names[i]);
    free(k->names);
}

/* parse_scope - the text of a .scope file into @k. -1 (with @why) when
 * any line is not understood. */
static int parse_scope(char *text, trust_key *k, char *why, size_t whylen)
{
    char *save = NULL;
    int lineno = 0;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *wsave = NULL;
        char *word = strtok_r(line, " \t\r,", &wsave);
        if (!word)
            continue;
        int is_names = strcmp(word, "names") == 0, is_kinds = strcmp(word, "kinds") == 0;
        if (!is_names && !is_kinds) {
            snprintf(why, whylen, "line %d: unknown directive \"%.40s\"", lineno, word);
            return -1;
        }
        int any = 0;
        for (char *v = strtok_r(NULL, " \t\r,", &wsave); v; v = strtok_r(NULL, " \t\r,", &wsave)) {
            any = 1;
            if (is_kinds) {
                uint32_t bit = kinds_parse_name(v);
                if (!bit) {
                    snprintf(why, whylen, "line %d: unknown kind \"%.40s\"", lineno, v);
                    return -1;
                }
                k->kinds |= bit;
            } else {
                char **nn = realloc(k->names, (k->n_names + 1) * sizeof *nn);
                if (!nn || !(nn[k->n_names] = strdup(v))) {
                    if (nn)
                        k->names = nn;
                    snprintf(why, whylen, "out of memory");
                    return -1;
                }
                k->names = nn;
                k->n_names++;
            }
        }
        if (!any) {
            snprintf(why, whylen, "line %d: \"%s\" needs at least one value", lineno, word);
            return -1;
        }
    }
    return 0;
}

static int parse_revoked(const char *text, const char *path, trust_store *ts, bundle_err *e)
{
    const char *p = text;
    int lineno = 0;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        lineno++;
        char line[128];
        size_t take = n < sizeof line - 1 ? n : sizeof line - 1;
        memcpy(line, p, take);
        line[take] = '\0';
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = line + strspn(line, " \t\r");
        size_t l = strcspn(s, " \t\r");
        if (l > 0) {
            if (l != 16 || strspn(s, "0123456789abcdefABCDEF") < 16 || s[16 + strspn(s + 16, " \t\r")])
                return berr_set(e, "%s: line %d is not a 16-hex-digit key id", path, lineno);
            unsigned long long v = strtoull(s, NULL, 16);
            unsigned char (*nr)[MS_KEYID_BYTES] =
                realloc(ts->revoked, (ts->n_revoked + 1) * sizeof *nr);
            if (!nr)
                return berr_set(e, "out of memory");
            ts->revoked = nr;
            for (int i = 0; i < 8; i++)
                nr[ts->n_revoked][i] = (unsigned char)(v >> (8 * i));
            ts->n_revoked++;
        }
        p += n + (nl ? 1 : 0);
    }
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls > lx && strcmp(s + ls - lx, suffix) == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_dir(const char *dir, trust_store *ts, bundle_err *e)
{
    struct stat st;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        if (errno == ENOENT)
            return 0;
        log_warn("trust store %s ignored: %s", dir, strerror(errno));
        ts->n_ignored++;
        return 0;
    }
    const char *why = NULL;
    if (fstat(dfd, &st) != 0 || (why = insecure_reason(&st)) != NULL) {
        log_warn("trust store %s ignored: the directory is %s", dir, why ? why : "unreadable");
        ts->n_ignored++;
        close(dfd);
        return 0;
    }
    size_t len;
    char *rev = read_secure(dfd, "revoked", &len, &why);
    if (why) {
        close(dfd);
        return berr_set(e, "revocation list %s/revoked cannot be trusted (%s); fix its owner and "
                           "permissions (root or you, not group/other-writable)",
                        dir, why);
    }
    if (rev) {
        char rpath[4200];
        snprintf(rpath, sizeof rpath, "%s/revoked", dir);
        int rc = parse_revoked(rev, rpath, ts, e);
        free(rev);
        if (rc != 0) {
            close(dfd);
            return -1;
        }
    }
    /* read the names first and sort them, so the order is stable */
    DIR *d = fdopendir(dup(dfd));
    char **names = NULL;
    size_t n_names = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        if (!ends_with(de->d_name, ".pub") || de->d_name[0] == '.')
            continue;
        char **nn = realloc(names, (n_names + 1) * sizeof *nn);
        if (!nn)
            break;
        names = nn;
        if ((names[n_names] = strdup(de->d_name)) != NULL)
            n_names++;
    }
    if (d)
        closedir(d);
    if (n_names > 1)
        qsort(names, n_names, sizeof *names, cmp_str);
    int rc = 0;
    for (size_t i = 0; i < n_names && rc == 0; i++) {
        char path[4400], scope_name[300];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        char *text = read_secure(dfd, names[i], &len, &why);
        if (!text) {
            log_warn("trusted key %s ignored: %s", path, why ? why : "vanished");
            ts->n_ignored++;
            continue;
        }
        trust_key k;
        bundle_err perr;
        memset(&k, 0, sizeof k);
        int ok = ms_pubkey_parse(text, len, path, &k.pk, &perr) == 0;
        free(text);
        if (!ok) {
            log_warn("trusted key ignored: %s", perr.msg);
            ts->n_ignored++;
            continue;
        }
        snprintf(scope_name, sizeof scope_name, "%s.scope", names[i]);
        char *scope = read_secure(dfd, scope_name, &len, &why);
        if (why) {
            log_warn("trusted key %s ignored: its scope file is %s", path, why);
            ts->n_ignored++;
            continue;
        }
        if (scope) {
            char swhy[160];
            int sok = parse_scope(scope, &k, swhy, sizeof swhy) == 0;
            free(scope);
            if (!sok) {
                log_warn("trusted key %s ignored: %s.scope: %s", path, path, swhy);
                free_key(&k);
                ts->n_ignored++;
                continue;
            }
        }
        ms_keyid_hex(k.pk.keyid, k.keyid);
        const trust_key *dup_key = trust_store_find(ts, k.pk.keyid);
        if (dup_key) {
            if (memcmp(dup_key->pk.pk, k.pk.pk, 32) != 0)
                log_warn("trusted key %s ignored: key id %s is already used by %s for another "
                         "key",
                         path, k.keyid, dup_key->path);
            free_key(&k);
            continue;
        }
        trust_key *nk = realloc(ts->keys, (ts->n_keys + 1) * sizeof *nk);
        if (nk)
            ts->keys = nk;
        k.path = strdup(path);
        if (!k.path || !nk) {
            free_key(&k);
            rc = berr_set(e, "out of memory");
            break;
        }
        ts->keys[ts->n_keys++] = k;
    }
    for (size_t i = 0; i < n_names; i++)
        free(names[i]);
    free(names);
    close(dfd);
    return rc;
}

int trust_store_load(const char *dirs, trust_store *ts, bundle_err *e)
{
    memset(ts, 0, sizeof *ts);
    if (!dirs)
        return 0;
    char *copy = strdup(dirs), *save = NULL;
    if (!copy)
        return berr_set(e, "out of memory");
    int rc = 0;
    for (char *d = strtok_r(copy, ":", &save); d && rc == 0; d = strtok_r(NULL, ":", &save))
        rc = load_dir(d, ts, e);
    free(copy);
    if (rc != 0)
        trust_store_free(ts);
    return rc;
}

void trust_store_free(trust_store *ts)
{
    if (!ts)
        return;
    for (size_t i = 0; i < ts->n_keys; i++)
        free_key(&ts->keys[i]);
    free(ts->keys);
    free(ts->revoked);
    memset(ts, 0, sizeof *ts);
}

const trust_key *trust_store_find(const trust_store *ts, const unsigned char keyid[MS_KEYID_BYTES])
{
    for (size_t i = 0; i < ts->n_keys; i++)
        if (memcmp(ts->keys[i].pk.keyid, keyid, MS_KEYID_BYTES) == 0)
            return &ts->keys[i];
    return NULL;
}

int trust_store_is_revoked(const trust_store *ts, const unsigned char keyid[MS_KEYID_BYTES])
{
    for (size_t i = 0; i < ts->n_revoked; i++)
        if (memcmp(ts->revoked[i], keyid, MS_KEYID_BYTES) == 0)
            return 1;
    return 0;
}

int trust_key_allows(const trust_key *k, const char *name, uint32_t kinds, bundle_err *e)
{
    if (k->n_names > 0) {
        int match = 0;
        for (size_t i = 0; i < k->n_names && !match; i++)
            match = fnmatch(k->names[i], name, 0) == 0;
        if (!match)
            return berr_set(e, "key %s (%s) is not allowed to sign plugin \"%s\" (its scope "
                               "limits the names it may sign)",
                            k->keyid, k->path, name);
    }
    if (k->kinds && (kinds & ~k->kinds)) {
        char have[128], allowed[128];
        kinds_format(kinds, have, sizeof have);
        kinds_format(k->kinds, allowed, sizeof allowed);
        return berr_set(e, "key %s (%s) may sign kinds %s only, but \"%s\" is %s", k->keyid,
                        k->path, allowed, name, have);
    }
    return 0;
}
