/*
 * plugins/image/pkg_hits.c - packages found while a layer streams, kept
 * until the final filesystem is known.
 *
 * The Java and Rust readers see their files once, during the layer read,
 * and do not keep them (a jar or a binary can be large). What they find is
 * recorded as an img_hit whose rule starts with "pkg-" and whose detail is
 * "NAME\tVERSION\tPURL\tINNER" (INNER: a path inside the file, e.g. the
 * nested jar, or empty). At emit time only the hits of files still visible
 * in the final image become packages. The secret reporter skips these hits.
 * img_lang_read() is the layer reader's door to those readers: it takes
 * the whole entry (at most max_file_bytes) and hands it to the reader its
 * name asks for (and, when it is small enough, to the secret scanner, as
 * the layer reader does with other files).
 */
#define _GNU_SOURCE
#include <archive.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

/* Is @v fit for a hit field: non-empty, at most 1024 bytes, no control characters? */
static int field_ok(const char *v, int may_be_empty)
{
    if (!v || (!*v && !may_be_empty) || strlen(v) > 1024)
        return 0;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

int img_pkg_hit_add(img_scan *s, int layer, const char *path, const char *rule, const char *name,
                    const char *version, const char *purl, const char *inner)
{
    if (!field_ok(name, 0) || !field_ok(version, 0) || !field_ok(purl, 0) || !field_ok(inner ? inner : "", 1))
        return -1;
    img_buf d = {0};
    if (img_buf_printf(&d, "%s\t%s\t%s\t%s", name, version, purl, inner ? inner : "") != 0 || !d.data) {
        img_buf_free(&d);
        return -1;
    }
    size_t before = s->n_hits;
    img_hit_add(s, layer, path, rule, d.data, NULL, 0);
    img_buf_free(&d);
    return s->n_hits > before ? 0 : -1;
}

void img_pkg_hits_emit(img_emit *em, const char *rule, const char *ecosystem)
{
    img_scan *s = em->s;
    for (size_t i = 0; i < s->n_hits; i++) {
        const img_hit *h = &s->hits[i];
        if (!h->rule || !h->path || strcmp(h->rule, rule) != 0 || !h->detail || !img_visible(s, h->layer, h->path))
            continue;
        char *d = strdup(h->detail);
        if (!d)
            continue;
        char *f[4] = {0};
        char *p = d;
        for (int k = 0; k < 4 && p; k++) {
            f[k] = p;
            p = k < 3 ? strchr(p, '\t') : NULL;
            if (p)
                *p++ = '\0';
        }
        if (f[3]) {
            img_buf loc = {0};
            if (*f[3])
                img_buf_printf(&loc, "%s!/%s", h->path, f[3]);
            else
                img_buf_add(&loc, h->path, strlen(h->path));
            if (loc.data)
                img_emit_package(em, ecosystem, f[0], f[1], f[2], NULL, NULL, h->layer, loc.data);
            img_buf_free(&loc);
        }
        free(d);
    }
}

int img_lang_wants(const char *path)
{
    return img_java_name(path) || img_cargo_lock_name(path);
}

int img_lang_read(img_scan *s, struct archive *a, int idx, const char *path, const char *shown)
{
    img_buf b = {0};
    char chunk[64 * 1024];
    for (;;) {
        la_ssize_t n = archive_read_data(a, chunk, sizeof chunk);
        if (n < 0) {
            img_buf_free(&b);
            return img_fail(s, "layer %d: cannot read '%s': %s", idx, shown,
                            archive_error_string(a) ? archive_error_string(a) : "read error");
        }
        if (n == 0)
            break;
        if (b.len + (size_t)n > s->lim->max_file_bytes) {
            img_buf_free(&b);
            img_warn(s, "layer %d: '%s' is larger than max_file_bytes (%llu): not read", idx, shown,
                     (unsigned long long)s->lim->max_file_bytes);
            return PP_OK; /* the next header skips the rest */
        }
        if (img_buf_add(&b, chunk, (size_t)n) != 0) {
            img_buf_free(&b);
            return img_fail(s, "out of memory");
        }
    }
    if (b.data) {
        /* what the layer reader would have done with a file this small */
        if (b.len <= s->lim->max_secret_bytes)
            img_secrets_scan(s, idx, path, (const unsigned char *)b.data, b.len);
        if (img_java_name(path))
            img_java_scan(s, idx, path, (const unsigned char *)b.data, b.len);
        else
            img_cargo_lock_scan(s, idx, path, b.data, b.len);
    }
    if (b.data)
        explicit_bzero(b.data, b.len);
    img_buf_free(&b);
    return PP_OK;
}
