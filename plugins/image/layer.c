/*
 * plugins/image/layer.c - one layer tar read as a stream, and the final
 * filesystem seen through all layers.
 *
 * Nothing is applied to disk. Each layer records its paths, its whiteouts
 * (".wh.NAME" deletes NAME and what is below it from lower layers) and its
 * opaque directories (".wh..wh..opq" hides everything lower layers put in
 * that directory). A file of layer k is visible in the final image when no
 * higher layer has an entry at the same path, a whiteout of the path or of
 * a parent, an opaque marker on a parent, or a non-directory at a parent.
 * Facts from the OCI image-spec, layer.md ("Whiteouts").
 */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

#define IMG_CHUNK (256 * 1024)
#define IMG_MAX_SYMLINK_HOPS 40

static void entry_free(void *p)
{
    img_entry *e = p;
    if (e) {
        free(e->link);
        free(e);
    }
}

void img_scan_free(img_scan *s)
{
    for (size_t i = 0; i < s->n_layers; i++) {
        img_layer *l = &s->layers[i];
        free(l->digest);
        free(l->blob);
        img_map_free(&l->entries, entry_free);
        img_map_free(&l->whiteouts, NULL);
        img_map_free(&l->opaques, NULL);
    }
    free(s->layers);
    for (size_t i = 0; i < s->n_files; i++) {
        free(s->files[i].path);
        if (s->files[i].data) {
            explicit_bzero(s->files[i].data, s->files[i].len);
            free(s->files[i].data);
        }
    }
    free(s->files);
    for (size_t i = 0; i < s->n_hits; i++) {
        free(s->hits[i].path);
        free(s->hits[i].rule);
        if (s->hits[i].detail) {
            explicit_bzero(s->hits[i].detail, strlen(s->hits[i].detail));
            free(s->hits[i].detail);
        }
        free(s->hits[i].go_version);
    }
    free(s->hits);
    if (s->scratch) {
        explicit_bzero(s->scratch, s->scratch_cap);
        free(s->scratch);
    }
}

/* ---- which files are kept ---- */

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

static img_kind kind_of(const char *p)
{
    if (!strcmp(p, "var/lib/dpkg/status"))
        return K_DPKG_STATUS;
    if (!strncmp(p, "var/lib/dpkg/status.d/", 22) && !strchr(p + 22, '/') && p[22] && !ends_with(p, ".md5sums"))
        return K_DPKG_STATUS_D;
    if (!strcmp(p, "lib/apk/db/installed"))
        return K_APK_INSTALLED;
    if (!strcmp(p, "var/lib/rpm/rpmdb.sqlite") || !strcmp(p, "usr/lib/sysimage/rpm/rpmdb.sqlite"))
        return K_RPM_SQLITE;
    if (!strcmp(p, "var/lib/rpm/Packages.db") || !strcmp(p, "usr/lib/sysimage/rpm/Packages.db"))
        return K_RPM_NDB;
    if (!strcmp(p, "var/lib/rpm/Packages"))
        return K_RPM_BDB;
    if (!strcmp(p, "etc/os-release") || !strcmp(p, "usr/lib/os-release"))
        return K_OS_RELEASE;
    const char *base = strrchr(p, '/');
    base = base ? base + 1 : p;
    if (!strcmp(base, "package-lock.json") && !strstr(p, "node_modules/"))
        return K_NPM_LOCK;
    if (!strcmp(base, "package.json")) {
        /* .../node_modules/NAME/package.json or .../node_modules/@SCOPE/NAME/package.json */
        const char *nm = NULL;
        for (const char *q = p; (q = strstr(q, "node_modules/")); q++)
            nm = q;
        if (nm) {
            const char *rest = nm + 13;
            const char *slash = strchr(rest, '/');
            if (rest[0] == '@' && slash)
                slash = strchr(slash + 1, '/');
            if (slash && slash == base - 1)
                return K_NPM_PACKAGE;
        }
    }
    if ((!strcmp(base, "METADATA") && base - p > 11 && !strncmp(base - 11, ".dist-info/", 11)) ||
        (!strcmp(base, "PKG-INFO") && base - p > 10 && !strncmp(base - 10, ".egg-info/", 10)))
        return K_PY_METADATA;
    return K_NONE;
}

static int keep_file(img_scan *s, img_kind k, int layer, const char *path, char *data, size_t len)
{
    if (s->n_files == s->cap_files) {
        size_t cap = s->cap_files ? s->cap_files * 2 : 32;
        img_file *f = realloc(s->files, cap * sizeof *f);
        if (!f)
            return -1;
        s->files = f;
        s->cap_files = cap;
    }
    img_file *f = &s->files[s->n_files];
    f->kind = k;
    f->layer = layer;
    f->path = strdup(path);
    f->data = data;
    f->len = len;
    if (!f->path)
        return -1;
    s->n_files++;
    return 0;
}

/* ---- reading entries ---- */

/* Read the whole data of the current entry (at most @cap bytes) into a new buffer. */
static int read_all(img_scan *s, struct archive *a, img_layer *l, uint64_t cap, char **out, size_t *outlen,
                    const char *shown)
{
    img_buf b = {0};
    char chunk[64 * 1024];
    for (;;) {
        la_ssize_t n = archive_read_data(a, chunk, sizeof chunk);
        if (n < 0) {
            img_buf_free(&b);
            return img_fail(s, "layer %zu: cannot read '%s': %s", (size_t)(l - s->layers), shown,
                            archive_error_string(a) ? archive_error_string(a) : "read error");
        }
        if (n == 0)
            break;
        if (b.len + (size_t)n > cap) {
            explicit_bzero(chunk, sizeof chunk);
            if (b.data)
                explicit_bzero(b.data, b.len);
            img_buf_free(&b);
            *out = NULL;
            *outlen = 0;
            return 1; /* too big: the caller skips it */
        }
        if (img_buf_add(&b, chunk, (size_t)n)) {
            img_buf_free(&b);
            return img_fail(s, "out of memory");
        }
    }
    explicit_bzero(chunk, sizeof chunk);
    if (!b.data && img_buf_add(&b, "", 0)) {
        return img_fail(s, "out of memory");
    }
    *out = b.data;
    *outlen = b.len;
    return 0;
}

/* Stream a large executable looking for Go build info; only a window is kept. */
static int stream_executable(img_scan *s, struct archive *a, int idx, const char *path, const char *shown)
{
    const size_t keep = 64 * 1024; /* bytes kept after the Go magic */
    if (s->scratch_cap < 2 * IMG_CHUNK) {
        free(s->scratch);
        s->scratch = malloc(2 * IMG_CHUNK);
        s->scratch_cap = s->scratch ? 2 * IMG_CHUNK : 0;
        if (!s->scratch)
            return img_fail(s, "out of memory");
    }
    unsigned char *w = s->scratch;
    if (!w)
        return img_fail(s, "out of memory");
    /* invariant: before each read have < 64 KiB, so have + IMG_CHUNK fits */
    size_t have = 0;
    int first = 1, found = 0;
    for (;;) {
        la_ssize_t n = archive_read_data(a, w + have, IMG_CHUNK);
        if (n < 0)
            return img_fail(s, "layer %d: cannot read '%s': %s", idx, shown,
                            archive_error_string(a) ? archive_error_string(a) : "read error");
        if (n == 0)
            break;
        have += (size_t)n;
        if (first) {
            first = 0;
            if (have < 4 || memcmp(w,
                                   "\x7f"
                                   "ELF",
                                   4) != 0)
                return 0; /* the next header skips the rest */
        }
        if (found) {
            if (have >= keep)
                break;
            continue;
        }
        void *m = memmem(w, have, "\xff Go buildinf:", 14);
        if (m) {
            size_t off = (size_t)((unsigned char *)m - w);
            memmove(w, w + off, have - off);
            have -= off;
            found = 1;
            if (have >= keep)
                break;
            continue;
        }
        /* keep the last 13 bytes: the magic may straddle two chunks */
        if (have > 13) {
            memmove(w, w + have - 13, 13);
            have = 13;
        }
    }
    if (found)
        img_go_scan(s, idx, path, w, have);
    return 0;
}

int img_layer_read(img_scan *s, int idx, struct archive *a, const char *strip)
{
    img_layer *l = &s->layers[idx];
    struct archive_entry *ae;
    size_t strip_len = strip ? strlen(strip) : 0;
    for (;;) {
        if (s->api->cancelled(s->h))
            return img_fail(s, "cancelled");
        int r = archive_read_next_header(a, &ae);
        if (r == ARCHIVE_EOF)
            break;
        if (r == ARCHIVE_WARN)
            r = ARCHIVE_OK;
        if (r != ARCHIVE_OK)
            return img_fail(s, "layer %d: %s", idx,
                            archive_error_string(a) ? archive_error_string(a) : "cannot read the next entry");
        const char *raw = archive_entry_pathname(ae);
        if (!raw)
            continue;
        char shown[256];
        img_display(raw, shown, sizeof shown);
        if (strip) {
            /* a directory walk: go down (symlinks are never followed: the
             * reader is in physical mode) */
            if (archive_read_disk_can_descend(a))
                archive_read_disk_descend(a);
            if (strncmp(raw, strip, strip_len) != 0)
                continue;
            raw += strip_len;
        }
        if (++l->n_entries > s->lim->max_entries)
            return img_fail(s, "layer %d: more than max_entries (%llu) entries: refusing it (a bomb?)", idx,
                            (unsigned long long)s->lim->max_entries);
        int bad = 0;
        char *path = img_path_clean(raw, &bad);
        if (!path) {
            if (bad) {
                img_warn(s, "layer %d: entry '%s' leaves the image root or has control characters: skipped", idx,
                         shown);
                continue;
            }
            return img_fail(s, "out of memory");
        }
        if (!*path) { /* the root itself */
            free(path);
            continue;
        }
        const char *base = strrchr(path, '/');
        size_t dirlen = base ? (size_t)(base - path) : 0;
        base = base ? base + 1 : path;
        if (!strncmp(base, ".wh.", 4)) {
            char *target;
            img_map *set;
            if (!strcmp(base, ".wh..wh..opq")) {
                target = strndup(path, dirlen);
                set = &l->opaques;
            } else {
                size_t n = strlen(path);
                target = malloc(n);
                if (target) {
                    size_t head = dirlen + (dirlen ? 1 : 0);
                    memcpy(target, path, head);
                    memcpy(target + head, base + 4, strlen(base + 4) + 1); /* n >= head + strlen(base) */
                }
                set = &l->whiteouts;
            }
            free(path);
            if (!target || img_map_put(set, target, (void *)1)) {
                free(target);
                return img_fail(s, "out of memory");
            }
            free(target);
            continue;
        }
        img_entry *e = calloc(1, sizeof *e);
        if (!e) {
            free(path);
            return img_fail(s, "out of memory");
        }
        const char *hl = archive_entry_hardlink(ae);
        mode_t ft = archive_entry_filetype(ae);
        if (hl) {
            const char *h = hl;
            if (strip && !strncmp(h, strip, strip_len))
                h += strip_len;
            int hbad = 0;
            char *t = img_path_clean(h, &hbad);
            if (!t || !*t) {
                char hshown[256];
                img_display(hl, hshown, sizeof hshown);
                img_warn(s, "layer %d: hard link '%s' points outside the image ('%s'): skipped", idx, shown, hshown);
                free(t);
                free(e);
                free(path);
                continue;
            }
            e->type = IMG_HARDLINK;
            e->link = t;
        } else if (ft == AE_IFDIR) {
            e->type = IMG_DIR;
        } else if (ft == AE_IFLNK) {
            e->type = IMG_SYMLINK;
            e->link = strdup(archive_entry_symlink(ae) ? archive_entry_symlink(ae) : "");
        } else if (ft == AE_IFREG) {
            e->type = IMG_FILE;
        } else {
            e->type = IMG_OTHER;
        }
        img_entry *old = img_map_get(&l->entries, path);
        if (img_map_put(&l->entries, path, e)) {
            entry_free(e);
            free(path);
            return img_fail(s, "out of memory");
        }
        entry_free(old);

        if (e->type == IMG_HARDLINK) {
            /* a hard link to a kept file of this layer is that file again */
            img_kind k = kind_of(path);
            for (size_t i = 0; k != K_NONE && i < s->n_files; i++) {
                img_file *f = &s->files[i];
                if (f->layer == idx && !strcmp(f->path, e->link)) {
                    char *copy = malloc(f->len + 1);
                    if (!copy || (memcpy(copy, f->data, f->len), copy[f->len] = '\0',
                                  keep_file(s, k, idx, path, copy, f->len))) {
                        free(copy);
                        free(path);
                        return img_fail(s, "out of memory");
                    }
                    break;
                }
            }
        }
        if (e->type != IMG_FILE) {
            free(path);
            continue;
        }
        la_int64_t size = archive_entry_size_is_set(ae) ? archive_entry_size(ae) : 0;
        /* every byte of data counts, read or skipped (skipping decompresses too) */
        l->bytes += size > 0 ? (uint64_t)size : 0;
        if (l->bytes > s->lim->max_layer_bytes) {
            free(path);
            return img_fail(s, "layer %d: more than max_layer_bytes (%llu) of data at '%s': refusing it (a bomb?)", idx,
                            (unsigned long long)s->lim->max_layer_bytes, shown);
        }
        img_kind k = kind_of(path);
        int rc = 0;
        if (k != K_NONE) {
            char *data = NULL;
            size_t len = 0;
            rc = read_all(s, a, l, s->lim->max_file_bytes, &data, &len, shown);
            if (rc == 1) {
                img_warn(s, "layer %d: '%s' is larger than max_file_bytes (%llu): not read", idx, shown,
                         (unsigned long long)s->lim->max_file_bytes);
                rc = 0;
            } else if (rc == 0) {
                img_secrets_scan(s, idx, path, (unsigned char *)data, len);
                if (keep_file(s, k, idx, path, data, len)) {
                    free(data);
                    rc = img_fail(s, "out of memory");
                }
            }
        } else if (img_lang_wants(path)) {
            rc = img_lang_read(s, a, idx, path, shown);
        } else if (size >= 0 && (uint64_t)size <= s->lim->max_secret_bytes) {
            char *data = NULL;
            size_t len = 0;
            rc = read_all(s, a, l, s->lim->max_secret_bytes, &data, &len, shown);
            if (rc == 0) {
                if (len >= 4 && !memcmp(data,
                                        "\x7f"
                                        "ELF",
                                        4)) {
                    if ((archive_entry_perm(ae) & 0111) != 0) {
                        img_go_scan(s, idx, path, (unsigned char *)data, len);
                        img_rust_scan(s, idx, path, (unsigned char *)data, len);
                    }
                } else {
                    img_secrets_scan(s, idx, path, (unsigned char *)data, len);
                }
                explicit_bzero(data, len);
                free(data);
            } else if (rc == 1) {
                rc = 0;
            }
        } else if ((archive_entry_perm(ae) & 0111) != 0) {
            /* whole (Go and Rust readers) up to max_file_bytes, windowed (Go only) beyond */
            if (size >= 0 && (uint64_t)size <= s->lim->max_file_bytes)
                rc = img_elf_stream_scan(s, a, idx, path, shown);
            else
                rc = stream_executable(s, a, idx, path, shown);
        }
        free(path);
        if (rc)
            return PP_ERR;
    }
    return PP_OK;
}

/* ---- the final filesystem ---- */

/* Is anything of layers below @j at @path hidden by layer @j? */
static int hidden_by(const img_layer *lj, const char *path, int exact_entry_counts)
{
    if (exact_entry_counts && img_map_get(&lj->entries, path))
        return 1;
    if (img_map_get(&lj->whiteouts, path))
        return 1;
    /* parents: whiteout, opaque, or replaced by a non-directory */
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof buf)
        return 0;
    memcpy(buf, path, n + 1);
    for (char *slash = strrchr(buf, '/'); slash; slash = strrchr(buf, '/')) {
        *slash = '\0';
        if (img_map_get(&lj->whiteouts, buf) || img_map_get(&lj->opaques, buf))
            return 1;
        const img_entry *e = img_map_get(&lj->entries, buf);
        if (e && e->type != IMG_DIR)
            return 1;
    }
    if (img_map_get(&lj->opaques, "")) /* opaque root */
        return 1;
    return 0;
}

int img_visible(const img_scan *s, int idx, const char *path)
{
    for (size_t j = (size_t)idx + 1; j < s->n_layers; j++)
        if (hidden_by(&s->layers[j], path, 1))
            return 0;
    return 1;
}

/* The top visible entry at exactly @path (no symlinks followed). */
static int top_entry(const img_scan *s, const char *path, const img_entry **e)
{
    for (size_t j = s->n_layers; j-- > 0;) {
        const img_entry *x = img_map_get(&s->layers[j].entries, path);
        if (x) {
            if (!img_visible(s, (int)j, path))
                return -1;
            *e = x;
            return (int)j;
        }
        if (hidden_by(&s->layers[j], path, 0))
            return -1;
    }
    return -1;
}

int img_lookup(const img_scan *s, const char *path, const img_entry **e, char **real)
{
    /* walk the components, replacing symlinks by their targets */
    img_buf done = {0}; /* resolved prefix, no leading slash */
    img_buf todo = {0}; /* what is left to walk */
    int hops = 0, layer = -1;
    *real = NULL;
    if (img_buf_add(&todo, path, strlen(path)) || img_buf_add(&done, "", 0))
        goto nomem;
    while (todo.len) {
        /* take the first component of todo */
        char *t = todo.data;
        while (*t == '/')
            t++;
        if (!*t)
            break;
        char *end = strchr(t, '/');
        size_t n = end ? (size_t)(end - t) : strlen(t);
        char comp[256];
        if (n >= sizeof comp)
            goto none;
        memcpy(comp, t, n);
        comp[n] = '\0';
        char *rest = strdup(end ? end : "");
        if (!rest)
            goto nomem;
        todo.len = 0;
        img_buf_add(&todo, rest, strlen(rest));
        free(rest);
        if (!strcmp(comp, "."))
            continue;
        if (!strcmp(comp, "..")) {
            char *slash = strrchr(done.data, '/');
            done.len = slash ? (size_t)(slash - done.data) : 0;
            done.data[done.len] = '\0';
            continue;
        }
        size_t before = done.len;
        if ((done.len && img_buf_add(&done, "/", 1)) || img_buf_add(&done, comp, n))
            goto nomem;
        const img_entry *x = NULL;
        layer = top_entry(s, done.data, &x);
        if (layer < 0 && todo.len && strspn(todo.data, "/") < todo.len)
            continue; /* a parent with no entry of its own: an implied directory */
        if (layer < 0)
            goto none;
        if (x->type == IMG_SYMLINK) {
            if (++hops > IMG_MAX_SYMLINK_HOPS) {
                img_buf_free(&done);
                img_buf_free(&todo);
                return -2;
            }
            img_buf nt = {0};
            if (img_buf_add(&nt, x->link, strlen(x->link)) || img_buf_add(&nt, "/", 1) ||
                img_buf_add(&nt, todo.data ? todo.data : "", todo.len)) {
                img_buf_free(&nt);
                goto nomem;
            }
            img_buf_free(&todo);
            todo = nt;
            if (x->link[0] == '/')
                done.len = 0;
            else
                done.len = before;
            done.data[done.len] = '\0';
            continue;
        }
        *e = x;
    }
    img_buf_free(&todo);
    if (layer < 0 || !done.len) {
        img_buf_free(&done);
        return -1;
    }
    *real = done.data;
    return layer;
none:
    img_buf_free(&done);
    img_buf_free(&todo);
    return -1;
nomem:
    img_buf_free(&done);
    img_buf_free(&todo);
    return -1;
}

const img_file *img_find_file(const img_scan *s, const char *path)
{
    const img_entry *e = NULL;
    char *real = NULL;
    int layer = img_lookup(s, path, &e, &real);
    if (layer < 0)
        return NULL;
    const img_file *found = NULL;
    for (size_t i = 0; i < s->n_files && !found; i++)
        if (s->files[i].layer == layer && !strcmp(s->files[i].path, real))
            found = &s->files[i];
    free(real);
    return found;
}
