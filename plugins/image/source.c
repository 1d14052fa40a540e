/*
 * plugins/image/source.c - image formats: docker-save archives, OCI image
 * layouts (directory or tar), root filesystem directories and tarballs.
 *
 * An archive is read twice as a stream: the first pass keeps the small
 * JSON files (manifest.json, index.json, blobs of at most max_json_bytes)
 * and the names of all entries; the second streams each layer blob named by
 * the manifest through a decompressor into the tar reader of layer.c,
 * hashing the blob as stored and as decompressed. A digest that does not
 * match the manifest (blob digest) or the config (diff id), or a blob that
 * is missing, is an error: nothing of the image is reported.
 * Facts: OCI image-spec (image-layout.md, image-index.md, manifest.md,
 * config.md); the docker-save layout (manifest.json: Config, RepoTags,
 * Layers).
 */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk_vm.h"
#include "image.h"

#define IO_CHUNK (128 * 1024)

void img_meta_free(img_meta *m)
{
    free(m->format);
    free(m->image_id);
    free(m->name);
    free(m->config_json);
    free(m->manifest_digest);
    memset(m, 0, sizeof *m);
}

/* ---- hashed byte streams ---- */

/* Where a layer blob's bytes come from: an entry of an outer archive or a file. */
typedef struct blob_src {
    struct archive *outer; /* or NULL */
    int fd;                /* when outer is NULL */
    EVP_MD_CTX *md;
    uint64_t bytes;
    unsigned char buf[IO_CHUNK];
} blob_src;

static la_ssize_t blob_read(struct archive *a, void *ud, const void **out)
{
    (void)a;
    blob_src *b = ud;
    ssize_t n;
    if (b->outer) {
        n = archive_read_data(b->outer, b->buf, sizeof b->buf);
    } else {
        do
            n = read(b->fd, b->buf, sizeof b->buf);
        while (n < 0 && errno == EINTR);
    }
    if (n < 0) {
        archive_set_error(a, EIO, "cannot read the blob");
        return -1;
    }
    if (b->md) /* only when the manifest names the blob's digest */
        EVP_DigestUpdate(b->md, b->buf, (size_t)n);
    b->bytes += (uint64_t)n;
    *out = b->buf;
    return n;
}

/* The decompressed stream (the layer tar), hashed for the diff id. */
typedef struct plain_src {
    struct archive *raw;
    EVP_MD_CTX *md;
    uint64_t bytes, cap;
    int over;
    unsigned char buf[IO_CHUNK];
} plain_src;

static la_ssize_t plain_read(struct archive *a, void *ud, const void **out)
{
    plain_src *p = ud;
    la_ssize_t n = archive_read_data(p->raw, p->buf, sizeof p->buf);
    if (n < 0) {
        archive_set_error(a, EIO, "%s",
                          archive_error_string(p->raw) ? archive_error_string(p->raw) : "decompression failed");
        return -1;
    }
    p->bytes += (uint64_t)n;
    if (p->bytes > p->cap) {
        p->over = 1;
        archive_set_error(a, EFBIG, "the layer decompresses to more than max_layer_bytes");
        return -1;
    }
    EVP_DigestUpdate(p->md, p->buf, (size_t)n);
    *out = p->buf;
    return n;
}

static void hex_digest(EVP_MD_CTX *md, char out[72])
{
    unsigned char d[32];
    unsigned int n = 0;
    EVP_DigestFinal_ex(md, d, &n);
    memcpy(out, "sha256:", 7);
    for (int i = 0; i < 32; i++)
        snprintf(out + 7 + 2 * i, 3, "%02x", d[i]);
}

/*
 * Read layer @idx from @src (a blob, compressed or not) and verify it
 * against @want_blob (digest of the stored bytes, may be NULL) and
 * @want_diff (digest of the tar, may be NULL).
 */
static int read_layer_blob(img_scan *s, int idx, blob_src *src, const char *want_blob, const char *want_diff,
                           const char *name)
{
    char shown[256];
    img_display(name, shown, sizeof shown);
    int rc = PP_ERR;
    plain_src *p = calloc(1, sizeof *p);
    struct archive *raw = archive_read_new(), *tar = archive_read_new();
    src->md = want_blob ? EVP_MD_CTX_new() : NULL;
    if (!p || !raw || !tar || (want_blob && !src->md) || !(p->md = EVP_MD_CTX_new())) {
        img_fail(s, "out of memory");
        goto out;
    }
    if (src->md)
        EVP_DigestInit_ex(src->md, EVP_sha256(), NULL);
    EVP_DigestInit_ex(p->md, EVP_sha256(), NULL);
    p->raw = raw;
    p->cap = s->lim->max_layer_bytes + 1024 * 1024; /* tar headers and padding on top of the data */
    archive_read_support_filter_all(raw);
    archive_read_support_format_raw(raw);
    archive_read_support_format_empty(raw);
    struct archive_entry *ae;
    if (archive_read_open(raw, src, NULL, blob_read, NULL) != ARCHIVE_OK) {
        img_fail(s, "layer %d ('%s'): %s", idx, shown,
                 archive_error_string(raw) ? archive_error_string(raw) : "cannot open");
        goto out;
    }
    int hr = archive_read_next_header(raw, &ae);
    if (hr == ARCHIVE_EOF) {
        img_fail(s, "layer %d ('%s'): the blob is empty", idx, shown);
        goto out;
    }
    if (hr != ARCHIVE_OK && hr != ARCHIVE_WARN) {
        img_fail(s, "layer %d ('%s'): %s", idx, shown,
                 archive_error_string(raw) ? archive_error_string(raw) : "cannot read");
        goto out;
    }
    archive_read_support_format_tar(tar);
    archive_read_support_format_empty(tar);
    if (archive_read_open(tar, p, NULL, plain_read, NULL) != ARCHIVE_OK) {
        img_fail(s, "layer %d ('%s'): not a tar: %s", idx, shown,
                 archive_error_string(tar) ? archive_error_string(tar) : "cannot open");
        goto out;
    }
    if (img_layer_read(s, idx, tar, NULL) != PP_OK) {
        if (p->over)
            img_fail(s, "layer %d ('%s'): decompresses to more than max_layer_bytes", idx, shown);
        goto out;
    }
    /* finish both streams so the digests cover every byte */
    const void *dummy;
    la_ssize_t n;
    while ((n = plain_read(tar, p, &dummy)) > 0)
        ;
    if (n < 0) {
        img_fail(s, "layer %d ('%s'): %s", idx, shown,
                 p->over ? "decompresses to more than max_layer_bytes" : "truncated or corrupt");
        goto out;
    }
    char got_diff[72], got_blob[72];
    hex_digest(p->md, got_diff);
    const void *rest;
    while (blob_read(raw, src, &rest) > 0) /* bytes after the compressed stream */
        ;
    if (src->md)
        hex_digest(src->md, got_blob);
    else
        got_blob[0] = '\0';
    if (want_blob && strcmp(want_blob, got_blob) != 0) {
        img_fail(s, "layer %d ('%s'): digest mismatch: the manifest says %.80s, the blob is %s", idx, shown, want_blob,
                 got_blob);
        goto out;
    }
    if (want_diff && strcmp(want_diff, got_diff) != 0) {
        img_fail(s, "layer %d ('%s'): diff id mismatch: the config says %.80s, the layer is %s", idx, shown, want_diff,
                 got_diff);
        goto out;
    }
    free(s->layers[idx].digest);
    s->layers[idx].digest = strdup(got_diff);
    if (want_blob) {
        free(s->layers[idx].blob);
        s->layers[idx].blob = strdup(got_blob);
    }
    rc = PP_OK;
out:
    if (tar)
        archive_read_free(tar);
    if (raw)
        archive_read_free(raw);
    if (p) {
        EVP_MD_CTX_free(p->md);
        free(p);
    }
    EVP_MD_CTX_free(src->md);
    src->md = NULL;
    return rc;
}

/* ---- the image description ---- */

typedef struct layer_ref {
    char *name; /* entry name in the archive, or blob path in a layout */
    char *blob; /* expected blob digest, or NULL */
    char *diff; /* expected diff id, or NULL */
    int done;
} layer_ref;

typedef struct image_desc {
    img_map small; /* entry name -> img_buf* (small files) */
    img_map links; /* entry name -> symlink target (cleaned, relative to the root) */
    img_map names; /* every regular entry name */
    layer_ref *layers;
    size_t n_layers;
    img_scan *s;
    int blobs_fd; /* an OCI layout's blobs/sha256, read on demand; -1 for archives */
} image_desc;

static void buf_free_cb(void *p)
{
    img_buf *b = p;
    if (b) {
        img_buf_free(b);
        free(b);
    }
}

static void desc_free(image_desc *d)
{
    img_map_free(&d->small, buf_free_cb);
    img_map_free(&d->links, free);
    img_map_free(&d->names, NULL);
    for (size_t i = 0; i < d->n_layers; i++) {
        free(d->layers[i].name);
        free(d->layers[i].blob);
        free(d->layers[i].diff);
    }
    free(d->layers);
}

/* A digest "sha256:<64 lower hex>"; returns the hex part or NULL. */
static const char *digest_hex(const char *d)
{
    if (!d || strncmp(d, "sha256:", 7) != 0 || strlen(d) != 71)
        return NULL;
    for (const char *p = d + 7; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return NULL;
    return d + 7;
}

static img_buf *dir_small(img_scan *s, int dirfd, const char *rel);

/* Contents of a small file of the image (following archive symlinks a few
 * times; a layout's blobs are read on first use), or NULL. */
static const img_buf *small_get(image_desc *d, const char *name)
{
    if (d->blobs_fd >= 0 && !strncmp(name, "blobs/sha256/", 13) && !img_map_get(&d->small, name)) {
        img_buf *b = dir_small(d->s, d->blobs_fd, name + 13);
        if (b && img_map_put(&d->small, name, b))
            buf_free_cb(b);
    }
    for (int hop = 0; hop < 8 && name; hop++) {
        const img_buf *b = img_map_get(&d->small, name);
        if (b)
            return b;
        name = img_map_get(&d->links, name);
    }
    return NULL;
}

static const char *resolve_name(image_desc *d, const char *name)
{
    for (int hop = 0; hop < 8 && name; hop++) {
        if (img_map_get(&d->names, name))
            return name;
        name = img_map_get(&d->links, name);
    }
    return NULL;
}

/* Read a blob of the layout (from the small files); verify its digest. */
static cJSON *layout_json(img_scan *s, image_desc *d, const char *digest, const char *what)
{
    const char *hex = digest_hex(digest);
    char shown[100];
    img_display(digest ? digest : "(none)", shown, sizeof shown);
    if (!hex) {
        img_fail(s, "%s: bad digest '%s'", what, shown);
        return NULL;
    }
    char name[100];
    snprintf(name, sizeof name, "blobs/sha256/%s", hex);
    const img_buf *b = small_get(d, name);
    if (!b) {
        img_fail(s, "%s %s: the blob is missing (or larger than max_json_bytes)", what, shown);
        return NULL;
    }
    char got[72];
    img_sha256_digest(b->data, b->len, got);
    if (strcmp(got, digest) != 0) {
        img_fail(s, "%s %s: digest mismatch: the blob is %s", what, shown, got);
        return NULL;
    }
    cJSON *j = cJSON_ParseWithLength(b->data, b->len);
    if (!j)
        img_fail(s, "%s %s: not valid JSON", what, shown);
    return j;
}

static int set_diff_ids(img_scan *s, image_desc *d, const cJSON *config)
{
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(config, "rootfs"), "diff_ids");
    if (!cJSON_IsArray(ids) || (size_t)cJSON_GetArraySize(ids) != d->n_layers)
        return img_fail(s, "the image config's rootfs.diff_ids do not match the %zu layers of the manifest",
                        d->n_layers);
    size_t i = 0;
    const cJSON *id;
    cJSON_ArrayForEach(id, ids)
    {
        if (!cJSON_IsString(id) || !digest_hex(id->valuestring))
            return img_fail(s, "the image config has a bad diff id at index %zu", i);
        d->layers[i++].diff = strdup(id->valuestring);
    }
    return PP_OK;
}

static int add_layers(img_scan *s, image_desc *d, size_t n)
{
    if (n > s->lim->max_layers)
        return img_fail(s, "the image has %zu layers, more than max_layers (%llu)", n,
                        (unsigned long long)s->lim->max_layers);
    d->layers = calloc(n ? n : 1, sizeof *d->layers);
    s->layers = calloc(n ? n : 1, sizeof *s->layers);
    if (!d->layers || !s->layers)
        return img_fail(s, "out of memory");
    d->n_layers = n;
    s->n_layers = n;
    return PP_OK;
}

/* docker save: manifest.json -> config + layer entry names of its image
 * number s->image_index; m->n_images tells how many images it lists. */
static int describe_docker(img_scan *s, image_desc *d, img_meta *m)
{
    const img_buf *mb = small_get(d, "manifest.json");
    cJSON *man = mb ? cJSON_ParseWithLength(mb->data, mb->len) : NULL;
    int rc = PP_ERR;
    cJSON *cfg = NULL;
    if (!cJSON_IsArray(man) || cJSON_GetArraySize(man) < 1) {
        img_fail(s, "manifest.json: expected an array of image objects");
        goto out;
    }
    if (cJSON_GetArraySize(man) > IMG_MAX_ARCHIVE_IMAGES) {
        img_fail(s, "manifest.json: %d images, more than the %d read from one archive", cJSON_GetArraySize(man),
                 IMG_MAX_ARCHIVE_IMAGES);
        goto out;
    }
    m->n_images = cJSON_GetArraySize(man);
    const cJSON *first = cJSON_GetArrayItem(man, s->image_index);
    if (!cJSON_IsObject(first)) {
        img_fail(s, "manifest.json: image %d is not an object", s->image_index + 1);
        goto out;
    }
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(first, "Config");
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(first, "Layers");
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(first, "RepoTags");
    if (!cJSON_IsString(config) || !cJSON_IsArray(layers)) {
        img_fail(s, "manifest.json: image %d: Config and Layers are required", s->image_index + 1);
        goto out;
    }
    int bad = 0;
    char *cname = img_path_clean(config->valuestring, &bad);
    const img_buf *cb = cname ? small_get(d, cname) : NULL;
    char shown[256];
    img_display(config->valuestring, shown, sizeof shown);
    free(cname);
    if (!cb) {
        img_fail(s, "manifest.json: the config '%s' is missing from the archive", shown);
        goto out;
    }
    char id[72];
    img_sha256_digest(cb->data, cb->len, id);
    m->image_id = strdup(id);
    m->config_json = strndup(cb->data, cb->len);
    cfg = cJSON_ParseWithLength(cb->data, cb->len);
    if (!cfg) {
        img_fail(s, "the config '%s' is not valid JSON", shown);
        goto out;
    }
    if (cJSON_IsString(cJSON_GetArrayItem(tags, 0)))
        m->name = strdup(cJSON_GetArrayItem(tags, 0)->valuestring);
    if (add_layers(s, d, (size_t)cJSON_GetArraySize(layers)) != PP_OK)
        goto out;
    size_t i = 0;
    const cJSON *l;
    cJSON_ArrayForEach(l, layers)
    {
        if (!cJSON_IsString(l)) {
            img_fail(s, "manifest.json: layer %zu is not a string", i);
            goto out;
        }
        char *n = img_path_clean(l->valuestring, &bad);
        const char *real = n ? resolve_name(d, n) : NULL;
        img_display(l->valuestring, shown, sizeof shown);
        if (!real) {
            free(n);
            img_fail(s, "manifest.json: layer %zu ('%s') is missing from the archive", i, shown);
            goto out;
        }
        d->layers[i++].name = strdup(real);
        free(n);
    }
    rc = set_diff_ids(s, d, cfg);
out:
    cJSON_Delete(man);
    cJSON_Delete(cfg);
    return rc;
}

/* OCI: index.json -> (nested index) -> manifest -> config + layer blobs. */
static int describe_oci(img_scan *s, image_desc *d, img_meta *m)
{
    const img_buf *ib = small_get(d, "index.json");
    cJSON *idx = ib ? cJSON_ParseWithLength(ib->data, ib->len) : NULL;
    cJSON *man = NULL, *cfg = NULL, *nested = NULL;
    int rc = PP_ERR;
    if (!cJSON_IsObject(idx)) {
        img_fail(s, "index.json: missing or not a JSON object");
        goto out;
    }
    const cJSON *desc = NULL;
    const cJSON *cur = idx;
    for (int depth = 0; depth < 4; depth++) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(cur, "manifests");
        desc = img_platform_choose(s, list, depth ? "image index" : "index.json"); /* platform.c */
        if (!desc)
            goto out;
        const cJSON *ann = cJSON_GetObjectItemCaseSensitive(desc, "annotations");
        const cJSON *ref = cJSON_GetObjectItemCaseSensitive(ann, "org.opencontainers.image.ref.name");
        if (cJSON_IsString(ref) && !m->name)
            m->name = strdup(ref->valuestring);
        const cJSON *mt = cJSON_GetObjectItemCaseSensitive(desc, "mediaType");
        if (cJSON_IsString(mt) && (strstr(mt->valuestring, "index") || strstr(mt->valuestring, "manifest.list"))) {
            cJSON_Delete(nested);
            nested = layout_json(s, d, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(desc, "digest")), "index");
            if (!nested)
                goto out;
            cur = nested;
            continue;
        }
        break;
    }
    const char *mdig = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(desc, "digest"));
    man = layout_json(s, d, mdig, "manifest");
    if (!man)
        goto out;
    m->manifest_digest = strdup(mdig);
    const cJSON *cdesc = cJSON_GetObjectItemCaseSensitive(man, "config");
    const char *cdig = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cdesc, "digest"));
    cfg = layout_json(s, d, cdig, "config");
    if (!cfg)
        goto out;
    m->image_id = strdup(cdig);
    char cname[100];
    snprintf(cname, sizeof cname, "blobs/sha256/%s", digest_hex(cdig));
    const img_buf *craw = small_get(d, cname);
    m->config_json = craw ? strndup(craw->data, craw->len) : NULL;
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(man, "layers");
    if (!cJSON_IsArray(layers)) {
        img_fail(s, "manifest %.80s: no layers array", mdig);
        goto out;
    }
    if (add_layers(s, d, (size_t)cJSON_GetArraySize(layers)) != PP_OK)
        goto out;
    size_t i = 0;
    const cJSON *l;
    cJSON_ArrayForEach(l, layers)
    {
        const char *dig = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(l, "digest"));
        const char *hex = digest_hex(dig);
        if (!hex) {
            img_fail(s, "manifest: layer %zu has a bad digest", i);
            goto out;
        }
        char name[100];
        snprintf(name, sizeof name, "blobs/sha256/%s", hex);
        d->layers[i].name = strdup(name);
        d->layers[i].blob = strdup(dig);
        i++;
    }
    rc = set_diff_ids(s, d, cfg);
out:
    cJSON_Delete(idx);
    cJSON_Delete(nested);
    cJSON_Delete(man);
    cJSON_Delete(cfg);
    return rc;
}

/* ---- archives (docker-save, OCI archive, rootfs tar) ---- */

static struct archive *open_archive(img_scan *s, const char *path)
{
    struct archive *a = archive_read_new();
    if (!a)
        return NULL;
    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_empty(a);
    if (archive_read_open_filename(a, path, IO_CHUNK) != ARCHIVE_OK) {
        (void)path; /* the caller's message names the target */
        img_fail(s, "%s", archive_error_string(a) ? archive_error_string(a) : "cannot open");
        archive_read_free(a);
        return NULL;
    }
    return a;
}

/* Does the first entry of an archive say "image archive" rather than "root filesystem"? */
static int looks_like_image(const char *name)
{
    if (!strcmp(name, "manifest.json") || !strcmp(name, "index.json") || !strcmp(name, "oci-layout") ||
        !strcmp(name, "repositories") || !strcmp(name, "blobs") || !strncmp(name, "blobs/", 6))
        return 1;
    size_t hex = strspn(name, "0123456789abcdef");
    return hex == 64 && (name[64] == '\0' || name[64] == '.' || name[64] == '/');
}

static int read_archive(img_scan *s, img_meta *m)
{
    struct archive *a = open_archive(s, s->target);
    if (!a)
        return PP_ERR;
    image_desc d;
    memset(&d, 0, sizeof d);
    d.s = s;
    d.blobs_fd = -1;
    int rc = PP_ERR, first = 1, is_image = 0;
    struct archive_entry *ae;
    /* pass 1: names and small files */
    for (;;) {
        int r = archive_read_next_header(a, &ae);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
            img_fail(s, "%s", archive_error_string(a) ? archive_error_string(a) : "cannot read the archive");
            goto out;
        }
        int bad = 0;
        char *name = img_path_clean(archive_entry_pathname(ae) ? archive_entry_pathname(ae) : "", &bad);
        if (!name)
            continue;
        if (first && *name) {
            first = 0;
            is_image = looks_like_image(name);
            if (!is_image) {
                free(name);
                break;
            }
        }
        if (archive_entry_filetype(ae) == AE_IFLNK && archive_entry_symlink(ae)) {
            /* a symlink between entries (docker save links layer.tar files) */
            const char *t = archive_entry_symlink(ae);
            const char *slash = strrchr(name, '/');
            img_buf full = {0};
            if (slash)
                img_buf_add(&full, name, (size_t)(slash - name + 1));
            img_buf_add(&full, t, strlen(t));
            /* resolve ".." against the entry's directory */
            char *res = NULL;
            {
                img_buf out = {0};
                char *copy = full.data ? strdup(full.data) : NULL, *save = NULL;
                for (char *c = copy ? strtok_r(copy, "/", &save) : NULL; c; c = strtok_r(NULL, "/", &save)) {
                    if (!strcmp(c, ".") || !*c)
                        continue;
                    if (!strcmp(c, "..")) {
                        char *ls = out.data ? strrchr(out.data, '/') : NULL;
                        out.len = ls ? (size_t)(ls - out.data) : 0;
                        if (out.data)
                            out.data[out.len] = '\0';
                        continue;
                    }
                    if (out.len)
                        img_buf_add(&out, "/", 1);
                    img_buf_add(&out, c, strlen(c));
                }
                free(copy);
                res = out.data;
            }
            img_buf_free(&full);
            if (res && img_map_put(&d.links, name, res))
                free(res);
        } else if (archive_entry_filetype(ae) == AE_IFREG) {
            img_map_put(&d.names, name, (void *)1);
            la_int64_t size = archive_entry_size(ae);
            if (size >= 0 && (uint64_t)size <= s->lim->max_json_bytes) {
                img_buf *b = calloc(1, sizeof *b);
                char chunk[16384];
                la_ssize_t n;
                while (b && (n = archive_read_data(a, chunk, sizeof chunk)) > 0)
                    img_buf_add(b, chunk, (size_t)n);
                if (b && !b->data)
                    img_buf_add(b, "", 0);
                if (!b || img_map_put(&d.small, name, b))
                    buf_free_cb(b);
            }
        }
        free(name);
    }
    archive_read_free(a);
    a = NULL;

    if (!is_image) {
        /* a root filesystem tarball: one layer */
        m->format = strdup("rootfs-tar");
        if (add_layers(s, &d, 1) != PP_OK)
            goto out;
        struct archive *t = open_archive(s, s->target);
        if (!t)
            goto out;
        rc = img_layer_read(s, 0, t, NULL);
        archive_read_free(t);
        goto out;
    }
    if (small_get(&d, "manifest.json")) {
        m->format = strdup("docker-archive");
        if (describe_docker(s, &d, m) != PP_OK)
            goto out;
    } else if (small_get(&d, "index.json")) {
        m->format = strdup("oci-archive");
        if (describe_oci(s, &d, m) != PP_OK)
            goto out;
    } else {
        img_fail(s, "the archive has neither manifest.json (docker save) nor index.json (OCI)");
        goto out;
    }
    for (size_t i = 0; i < d.n_layers; i++) {
        const char *real = resolve_name(&d, d.layers[i].name);
        if (!real) {
            char shown[256];
            img_display(d.layers[i].name, shown, sizeof shown);
            img_fail(s, "layer %zu: the blob '%s' the manifest names is missing from the archive", i, shown);
            goto out;
        }
        char *copy = strdup(real);
        free(d.layers[i].name);
        d.layers[i].name = copy;
    }
    /* pass 2 (and more only when a blob is used by several layers) */
    size_t left = d.n_layers;
    while (left) {
        a = open_archive(s, s->target);
        if (!a)
            goto out;
        size_t before = left;
        for (;;) {
            int r = archive_read_next_header(a, &ae);
            if (r == ARCHIVE_EOF)
                break;
            if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
                img_fail(s, "%s", archive_error_string(a) ? archive_error_string(a) : "cannot read the archive");
                goto out;
            }
            int bad = 0;
            char *name = img_path_clean(archive_entry_pathname(ae) ? archive_entry_pathname(ae) : "", &bad);
            if (!name || archive_entry_filetype(ae) != AE_IFREG) {
                free(name);
                continue;
            }
            size_t i = 0;
            while (i < d.n_layers && (d.layers[i].done || strcmp(d.layers[i].name, name)))
                i++;
            free(name);
            if (i == d.n_layers)
                continue;
            blob_src *src = calloc(1, sizeof *src);
            if (!src) {
                img_fail(s, "out of memory");
                goto out;
            }
            src->outer = a;
            int lr = read_layer_blob(s, (int)i, src, d.layers[i].blob, d.layers[i].diff, d.layers[i].name);
            free(src);
            if (lr != PP_OK)
                goto out;
            d.layers[i].done = 1;
            left--;
        }
        archive_read_free(a);
        a = NULL;
        if (left == before) {
            img_fail(s, "some layer blobs named by the manifest could not be found in the archive");
            goto out;
        }
    }
    rc = PP_OK;
out:
    if (a)
        archive_read_free(a);
    desc_free(&d);
    return rc;
}

/* ---- directories (OCI layout, root filesystem) ---- */

/* Read a small file under @dirfd without following symlinks. */
static img_buf *dir_small(img_scan *s, int dirfd, const char *rel)
{
    int fd = openat(dirfd, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    img_buf *b = calloc(1, sizeof *b);
    if (!b || fstat(fd, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > s->lim->max_json_bytes) {
        close(fd);
        free(b);
        return NULL;
    }
    char chunk[16384];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        img_buf_add(b, chunk, (size_t)n);
    if (!b->data)
        img_buf_add(b, "", 0);
    close(fd);
    return b;
}

static int read_layout_dir(img_scan *s, img_meta *m, int dirfd)
{
    image_desc d;
    memset(&d, 0, sizeof d);
    d.s = s;
    d.blobs_fd = -1;
    int rc = PP_ERR;
    m->format = strdup("oci-layout");
    img_buf *ib = dir_small(s, dirfd, "index.json");
    if (!ib || img_map_put(&d.small, "index.json", ib)) {
        buf_free_cb(ib);
        img_fail(s, "index.json: missing or unreadable");
        goto out;
    }
    int bfd = openat(dirfd, "blobs/sha256", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (bfd < 0) {
        img_fail(s, "blobs/sha256: missing");
        goto out;
    }
    d.blobs_fd = bfd;
    if (describe_oci(s, &d, m) != PP_OK) {
        close(bfd);
        goto out;
    }
    for (size_t i = 0; i < d.n_layers; i++) {
        const char *hex = digest_hex(d.layers[i].blob);
        int fd = hex ? openat(bfd, hex, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
        if (fd < 0) {
            img_fail(s, "layer %zu: the blob %.80s is missing from blobs/sha256", i, d.layers[i].blob);
            close(bfd);
            goto out;
        }
        blob_src *src = calloc(1, sizeof *src);
        if (!src) {
            close(fd);
            close(bfd);
            img_fail(s, "out of memory");
            goto out;
        }
        src->fd = fd;
        int lr = read_layer_blob(s, (int)i, src, d.layers[i].blob, d.layers[i].diff, d.layers[i].name);
        free(src);
        close(fd);
        if (lr != PP_OK) {
            close(bfd);
            goto out;
        }
    }
    close(bfd);
    rc = PP_OK;
out:
    desc_free(&d);
    return rc;
}

static int read_rootfs_dir(img_scan *s, img_meta *m)
{
    m->format = strdup("rootfs-dir");
    s->layers = calloc(1, sizeof *s->layers);
    if (!s->layers)
        return img_fail(s, "out of memory");
    s->n_layers = 1;
    struct archive *a = archive_read_disk_new();
    if (!a)
        return img_fail(s, "out of memory");
    archive_read_disk_set_symlink_physical(a);
    archive_read_disk_set_behavior(a, ARCHIVE_READDISK_NO_XATTR | ARCHIVE_READDISK_NO_ACL | ARCHIVE_READDISK_NO_FFLAGS |
                                          ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
    int rc;
    if (archive_read_disk_open(a, s->target) != ARCHIVE_OK) {
        rc = img_fail(s, "%s", archive_error_string(a) ? archive_error_string(a) : "cannot open the directory");
    } else {
        img_buf strip = {0};
        img_buf_add(&strip, s->target, strlen(s->target));
        while (strip.len > 1 && strip.data[strip.len - 1] == '/')
            strip.data[--strip.len] = '\0';
        img_buf_add(&strip, "/", 1);
        rc = img_layer_read(s, 0, a, strip.data);
        img_buf_free(&strip);
    }
    archive_read_free(a);
    return rc;
}

int img_source_read(img_scan *s, img_meta *m)
{
    struct stat st;
    if (stat(s->target, &st) != 0)
        return img_fail(s, "%s", strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        int dfd = open(s->target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
            return img_fail(s, "%s", strerror(errno));
        struct stat lst;
        int is_layout = fstatat(dfd, "oci-layout", &lst, AT_SYMLINK_NOFOLLOW) == 0 &&
                        fstatat(dfd, "index.json", &lst, AT_SYMLINK_NOFOLLOW) == 0;
        int rc = is_layout ? read_layout_dir(s, m, dfd) : read_rootfs_dir(s, m);
        close(dfd);
        return rc;
    }
    if (!S_ISREG(st.st_mode))
        return img_fail(s, "not a directory or a regular file");
    if (img_disk_detect(s->target)) /* a VM disk: raw or qcow2 (disk_source.c) */
        return img_disk_read(s, m);
    return read_archive(s, m);
}
