/* core/bundle/extract.c - see extract.h. */
#include "config.h"

#include "extract.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

/* ---- a set of case-folded names, to catch duplicates and collisions ---- */

typedef struct name_set {
    char **slots;
    size_t cap; /* power of two */
    size_t count;
} name_set;

static uint64_t fnv1a_fold(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)tolower((unsigned char)*s);
        h *= 1099511628211ULL;
    }
    return h;
}

/* name_set_add - 0 if added, 1 if a case-insensitively equal name is
 * already present (*clash points at it), -1 when out of memory. */
static int name_set_add(name_set *s, const char *name, const char **clash)
{
    if ((s->count + 1) * 2 > s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        char **n = calloc(ncap, sizeof *n);
        if (!n)
            return -1;
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->slots[i])
                continue;
            size_t j = fnv1a_fold(s->slots[i]) & (ncap - 1);
            while (n[j])
                j = (j + 1) & (ncap - 1);
            n[j] = s->slots[i];
        }
        free(s->slots);
        s->slots = n;
        s->cap = ncap;
    }
    size_t j = fnv1a_fold(name) & (s->cap - 1);
    while (s->slots[j]) {
        if (strcasecmp(s->slots[j], name) == 0) {
            *clash = s->slots[j];
            return 1;
        }
        j = (j + 1) & (s->cap - 1);
    }
    s->slots[j] = strdup(name);
    if (!s->slots[j])
        return -1;
    s->count++;
    return 0;
}

static void name_set_free(name_set *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->slots[i]);
    free(s->slots);
    memset(s, 0, sizeof *s);
}

/* ---- first look at the bytes ---- */

static int check_magic(int fd, const char *path, bundle_err *e)
{
    unsigned char head[512];
    ssize_t n = pread(fd, head, sizeof head, 0);
    if (n < 0)
        return berr_set(e, "cannot read %s: %s", path, strerror(errno));
    if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        return 0;
    if (n >= 4 && memcmp(head, "PK\x03\x04", 4) == 0)
        return berr_set(e, "%s is a zip archive; a bundle must be a gzip-compressed tar", path);
    if (n >= 262 && memcmp(head + 257, "ustar", 5) == 0)
        return berr_set(e, "%s is an uncompressed tar archive; a bundle must be gzip-compressed",
                        path);
    if (n >= 3 && memcmp(head, "BZh", 3) == 0)
        return berr_set(e, "%s is bzip2-compressed; a bundle must be gzip-compressed", path);
    if (n >= 6 && memcmp(head, "\xfd" "7zXZ", 5) == 0)
        return berr_set(e, "%s is xz-compressed; a bundle must be gzip-compressed", path);
    if (n >= 4 && memcmp(head, "\x28\xb5\x2f\xfd", 4) == 0)
        return berr_set(e, "%s is zstd-compressed; a bundle must be gzip-compressed", path);
    return berr_set(e, "%s is not a gzip stream (a bundle must be a .tar.gz)", path);
}

static struct archive *open_gzip_reader(int fd, int raw)
{
    struct archive *a = archive_read_new();
    if (!a)
        return NULL;
    if (archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
        (raw ? archive_read_support_format_raw(a) : archive_read_support_format_tar(a)) !=
            ARCHIVE_OK ||
        archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
        archive_read_free(a);
        return NULL;
    }
    return a;
}

/* gzip_only - the stream was decoded by exactly one gzip filter. */
static int gzip_only(struct archive *a)
{
    return archive_filter_count(a) == 2 && archive_filter_code(a, 0) == ARCHIVE_FILTER_GZIP;
}

/* check_bomb - decompress the whole stream once, writing nothing, and
 * refuse it when it inflates beyond the ratio or the absolute cap. */
static int check_bomb(int fd, const char *path, uint64_t compressed, bundle_err *e)
{
    uint64_t limit = compressed * EXTRACT_MAX_RATIO;
    uint64_t absolute = MANIFEST_MAX_TOTAL_SIZE + MANIFEST_MAX_BYTES + (64ULL << 20);
    if (limit < EXTRACT_RATIO_FLOOR)
        limit = EXTRACT_RATIO_FLOOR;
    if (limit > absolute)
        limit = absolute;
    if (lseek(fd, 0, SEEK_SET) != 0)
        return berr_set(e, "cannot read %s: %s", path, strerror(errno));
    struct archive *a = open_gzip_reader(fd, 1);
    struct archive_entry *ent;
    int rc = -1;
    if (!a)
        return berr_set(e, "%s: damaged or truncated gzip stream (cannot start reading it)", path);
    int r = archive_read_next_header(a, &ent);
    if (r != ARCHIVE_OK) {
        berr_set(e, "%s: damaged or truncated gzip stream (%s)", path,
                 archive_error_string(a) ? archive_error_string(a) : "no data");
        goto out;
    }
    if (!gzip_only(a)) {
        berr_set(e, "%s: only gzip compression is accepted", path);
        goto out;
    }
    uint64_t total = 0;
    char buf[65536];
    for (;;) {
        la_ssize_t n = archive_read_data(a, buf, sizeof buf);
        if (n < 0) {
            berr_set(e, "%s: damaged or truncated gzip stream (%s)", path,
                     archive_error_string(a) ? archive_error_string(a) : "read error");
            goto out;
        }
        if (n == 0)
            break;
        total += (uint64_t)n;
        if (total > limit) {
            berr_set(e,
                     "%s: decompresses to more than %llu bytes (over %d times its size, or above "
                     "the size limit): refusing a possible decompression bomb",
                     path, (unsigned long long)limit, EXTRACT_MAX_RATIO);
            goto out;
        }
    }
    /* the gzip reader stops consuming where the stream ends: anything
     * after it is data no check would ever look at */
    if ((uint64_t)archive_filter_bytes(a, -1) != compressed) {
        berr_set(e, "%s: %llu bytes of trailing data after the gzip stream", path,
                 (unsigned long long)(compressed - (uint64_t)archive_filter_bytes(a, -1)));
        goto out;
    }
    rc = 0;
out:
    archive_read_free(a);
    return rc;
}

/* ---- writing below the destination ---- */

/* open_parent_dir - the directory that will hold @path below @root, made
 * (0755) as needed; *leaf points at the last component. -1 with errno. */
static int open_parent_dir(int root, const char *path, const char **leaf)
{
    int fd = dup(root);
    const char *p = path;
    char comp[MANIFEST_MAX_COMPONENT + 1];
    for (;;) {
        const char *slash = strchr(p, '/');
        if (!slash)
            break;
        size_t n = (size_t)(slash - p);
        if (n == 0 || n > MANIFEST_MAX_COMPONENT) {
            close(fd);
            errno = EINVAL;
            return -1;
        }
        memcpy(comp, p, n);
        comp[n] = '\0';
        if (mkdirat(fd, comp, 0755) != 0 && errno != EEXIST) {
            close(fd);
            return -1;
        }
        int next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        close(fd);
        if (next < 0)
            return -1;
        fd = next;
        p = slash + 1;
    }
    *leaf = p;
    return fd;
}

/* write_entry - copy the current entry's data to @path below @root (new
 * file, mode @mode) while hashing it; checks size and SHA-256. */
static int write_entry(struct archive *a, int root, const char *path, const manifest_file *mf,
                       const char *bundle, uint64_t *inflated, uint64_t limit, bundle_err *e)
{
    const char *leaf;
    int dir = open_parent_dir(root, path, &leaf);
    if (dir < 0)
        return berr_set(e, "%s: cannot create the directory for %s: %s", bundle, path,
                        strerror(errno));
    int fd = openat(dir, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    close(dir);
    if (fd < 0)
        return berr_set(e, "%s: cannot create %s: %s", bundle, path, strerror(errno));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char md[32];
    char hex[65], buf[65536];
    uint64_t got = 0;
    int rc = -1;
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        berr_set(e, "cannot start SHA-256");
        goto out;
    }
    for (;;) {
        la_ssize_t n = archive_read_data(a, buf, sizeof buf);
        if (n < 0) {
            berr_set(e, "%s: damaged or truncated archive while reading %s (%s)", bundle, path,
                     archive_error_string(a) ? archive_error_string(a) : "read error");
            goto out;
        }
        if (n == 0)
            break;
        got += (uint64_t)n;
        *inflated += (uint64_t)n;
        if (got > mf->size || *inflated > limit) {
            berr_set(e, "%s: %s holds more data than the manifest's %llu bytes", bundle, path,
                     (unsigned long long)mf->size);
            goto out;
        }
        EVP_DigestUpdate(ctx, buf, (size_t)n);
        for (la_ssize_t off = 0; off < n;) {
            ssize_t w = write(fd, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                berr_set(e, "cannot write %s: %s", path, strerror(errno));
                goto out;
            }
            off += w;
        }
    }
    if (got != mf->size) {
        berr_set(e, "%s: %s is %llu bytes but the manifest says %llu", bundle, path,
                 (unsigned long long)got, (unsigned long long)mf->size);
        goto out;
    }
    EVP_DigestFinal_ex(ctx, md, NULL);
    hex_encode(md, 32, hex);
    if (strcmp(hex, mf->sha256) != 0) {
        berr_set(e, "%s: SHA-256 of %s does not match the manifest", bundle, path);
        goto out;
    }
    /* no fsync per file: the installer syncs the filesystem once before
     * renaming the tree into place */
    if (fchmod(fd, mf->mode) != 0) {
        berr_set(e, "cannot finish writing %s: %s", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    EVP_MD_CTX_free(ctx);
    close(fd);
    return rc;
}

/* ---- the walk over the tar entries ---- */

static const char *type_name(mode_t t)
{
    switch (t) {
    case AE_IFLNK:
        return "a symbolic link";
    case AE_IFCHR:
        return "a character device";
    case AE_IFBLK:
        return "a block device";
    case AE_IFIFO:
        return "a FIFO";
    case AE_IFSOCK:
        return "a socket";
    default:
        return "an unsupported entry type";
    }
}

static int check_expect(const manifest *m, const extract_expect *x, const char *bundle,
                        bundle_err *e)
{
    if (!x)
        return 0;
    const struct {
        const char *field, *want, *have;
    } pairs[] = {
        {"name", x->name, m->name},
        {"version", x->version, m->version},
        {"os", x->os, m->os},
        {"arch", x->arch, m->arch},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (pairs[i].want && strcmp(pairs[i].want, pairs[i].have) != 0)
            return berr_set(e,
                            "%s: the signed trusted comment says %s \"%s\" but the manifest says "
                            "\"%s\"",
                            bundle, pairs[i].field, pairs[i].want, pairs[i].have);
    return 0;
}

/* dir_is_needed - some listed file lies below directory @dir. */
static int dir_is_needed(const manifest *m, const char *dir)
{
    size_t n = strlen(dir);
    for (size_t i = 0; i < m->n_files; i++)
        if (strncmp(m->files[i].path, dir, n) == 0 && m->files[i].path[n] == '/')
            return 1;
    return 0;
}

static int read_manifest_entry(struct archive *a, struct archive_entry *ent, int dest_fd,
                               const char *bundle, manifest *m, bundle_err *e)
{
    la_int64_t size = archive_entry_size(ent);
    if (!archive_entry_size_is_set(ent) || size <= 0 || size > MANIFEST_MAX_BYTES)
        return berr_set(e, "%s: %s is empty or larger than %d bytes", bundle, MANIFEST_NAME,
                        MANIFEST_MAX_BYTES);
    char *json = malloc((size_t)size + 1);
    if (!json)
        return berr_set(e, "out of memory");
    size_t got = 0;
    for (;;) {
        la_ssize_t n = archive_read_data(a, json + got, (size_t)size - got);
        if (n < 0) {
            free(json);
            return berr_set(e, "%s: damaged or truncated archive while reading %s (%s)", bundle,
                            MANIFEST_NAME,
                            archive_error_string(a) ? archive_error_string(a) : "read error");
        }
        if (n == 0 || got + (size_t)n == (size_t)size) {
            got += (size_t)n;
            break;
        }
        got += (size_t)n;
    }
    if (got != (size_t)size) {
        free(json);
        return berr_set(e, "%s: %s is truncated", bundle, MANIFEST_NAME);
    }
    char what[600];
    snprintf(what, sizeof what, "%s: %s", bundle, MANIFEST_NAME);
    int rc = manifest_parse(json, got, what, m, e);
    if (rc == 0 && dest_fd >= 0) {
        int fd = openat(dest_fd, MANIFEST_NAME, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        0644);
        if (fd < 0 || write(fd, json, got) != (ssize_t)got)
            rc = berr_set(e, "cannot write %s: %s", MANIFEST_NAME, strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    free(json);
    return rc;
}

int bundle_extract(const char *path, int dest_fd, const extract_expect *expect, manifest *m,
                   bundle_err *e)
{
    memset(m, 0, sizeof *m);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return berr_set(e, "cannot open %s: %s", path, strerror(errno));
    int rc = bundle_extract_fd(fd, path, dest_fd, expect, m, e);
    close(fd);
    return rc;
}

int bundle_extract_fd(int fd, const char *path, int dest_fd, const extract_expect *expect,
                      manifest *m, bundle_err *e)
{
    struct stat st;
    struct archive *a = NULL;
    struct archive_entry *ent;
    name_set seen = {0};
    unsigned char *done = NULL;
    int rc = -1;

    memset(m, 0, sizeof *m);
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        berr_set(e, "%s is not a regular file", path);
        goto out;
    }
    if (check_magic(fd, path, e) != 0 || check_bomb(fd, path, (uint64_t)st.st_size, e) != 0)
        goto out;
    if (lseek(fd, 0, SEEK_SET) != 0 || !(a = open_gzip_reader(fd, 0))) {
        berr_set(e, "%s: damaged or truncated archive (cannot start reading it)", path);
        goto out;
    }
    uint64_t limit = (uint64_t)st.st_size * EXTRACT_MAX_RATIO;
    if (limit < EXTRACT_RATIO_FLOOR)
        limit = EXTRACT_RATIO_FLOOR;
    uint64_t inflated = 0;
    size_t entries = 0;
    for (;;) {
        int r = archive_read_next_header(a, &ent);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK) {
            berr_set(e, "%s: damaged, truncated or unsupported archive (%s)", path,
                     archive_error_string(a) ? archive_error_string(a) : "bad header");
            goto out;
        }
        if (entries == 0 && !gzip_only(a)) {
            berr_set(e, "%s: only gzip compression is accepted", path);
            goto out;
        }
        if (++entries > EXTRACT_MAX_ENTRIES) {
            berr_set(e, "%s: more than %d entries in the archive", path, EXTRACT_MAX_ENTRIES);
            goto out;
        }
        const char *name = archive_entry_pathname(ent);
        if (!name) {
            berr_set(e, "%s: entry %zu has no readable name", path, entries);
            goto out;
        }
        char ename[MANIFEST_MAX_PATH + 2], why[128];
        size_t nlen = strlen(name);
        if (nlen > MANIFEST_MAX_PATH + 1) {
            berr_set(e, "%s: entry %zu: unsafe path (longer than %d bytes)", path, entries,
                     MANIFEST_MAX_PATH);
            goto out;
        }
        memcpy(ename, name, nlen + 1);
        mode_t type = archive_entry_filetype(ent);
        if (archive_entry_hardlink(ent)) {
            berr_set(e, "%s: entry \"%s\" is a hard link; links are not allowed", path, ename);
            goto out;
        }
        if (type != AE_IFREG && type != AE_IFDIR) {
            berr_set(e, "%s: entry \"%s\" is %s; only regular files and directories are allowed",
                     path, ename, type_name(type));
            goto out;
        }
        if (type == AE_IFDIR && nlen > 1 && ename[nlen - 1] == '/')
            ename[--nlen] = '\0';
        if (manifest_check_path(ename, why, sizeof why) != 0) {
            berr_set(e, "%s: entry \"%s\": unsafe path (%s)", path, ename, why);
            goto out;
        }
        const char *clash = NULL;
        int added = name_set_add(&seen, ename, &clash);
        if (added < 0) {
            berr_set(e, "out of memory");
            goto out;
        }
        if (added > 0) {
            berr_set(e, "%s: entry \"%s\" %s", path, ename,
                     strcmp(clash, ename) == 0 ? "appears twice (duplicate entry)"
                                               : "collides with another entry differing only "
                                                 "in case");
            goto out;
        }
        if (entries == 1) {
            if (type != AE_IFREG || strcmp(ename, MANIFEST_NAME) != 0) {
                berr_set(e, "%s: the first entry must be %s, found \"%s\"", path, MANIFEST_NAME,
                         ename);
                goto out;
            }
            if (read_manifest_entry(a, ent, dest_fd, path, m, e) != 0 ||
                check_expect(m, expect, path, e) != 0)
                goto out;
            if (dest_fd < 0) {
                rc = 0;
                goto out;
            }
            done = calloc(m->n_files, 1);
            if (!done) {
                berr_set(e, "out of memory");
                goto out;
            }
            continue;
        }
        if (type == AE_IFDIR) {
            if (!dir_is_needed(m, ename)) {
                berr_set(e, "%s: directory \"%s\" holds no file listed in the manifest", path,
                         ename);
                goto out;
            }
            char probe[MANIFEST_MAX_PATH + 8];
            snprintf(probe, sizeof probe, "%s/x", ename);
            const char *leaf;
            int dfd = open_parent_dir(dest_fd, probe, &leaf);
            if (dfd < 0) {
                berr_set(e, "%s: cannot create directory %s: %s", path, ename, strerror(errno));
                goto out;
            }
            close(dfd);
            continue;
        }
        const manifest_file *mf = manifest_find(m, ename);
        if (!mf) {
            berr_set(e, "%s: file \"%s\" is not listed in the manifest", path, ename);
            goto out;
        }
        if (!archive_entry_size_is_set(ent) || (uint64_t)archive_entry_size(ent) != mf->size) {
            berr_set(e, "%s: %s is %lld bytes in the archive but the manifest says %llu", path,
                     ename, (long long)archive_entry_size(ent), (unsigned long long)mf->size);
            goto out;
        }
        if ((unsigned)(archive_entry_perm(ent) & 07777) != mf->mode) {
            berr_set(e, "%s: %s has mode %04o in the archive but the manifest says %04o", path,
                     ename, (unsigned)(archive_entry_perm(ent) & 07777), mf->mode);
            goto out;
        }
        if (write_entry(a, dest_fd, ename, mf, path, &inflated, limit, e) != 0)
            goto out;
        done[mf - m->files] = 1;
    }
    if (entries == 0) {
        berr_set(e, "%s: the archive is empty", path);
        goto out;
    }
    for (size_t i = 0; i < m->n_files; i++) {
        if (!done[i]) {
            berr_set(e, "%s: %s is listed in the manifest but missing from the archive", path,
                     m->files[i].path);
            goto out;
        }
    }
    rc = 0;
out:
    if (a)
        archive_read_free(a);
    name_set_free(&seen);
    free(done);
    if (rc != 0)
        manifest_free(m);
    return rc;
}
