/*
 * plugins/image/lang_go.c - modules of Go binaries from their embedded
 * build information.
 *
 * Go 1.18 and later write a 32-byte header starting with "\xff Go buildinf:"
 * (then pointer size, flags); with flag bit 2 set the Go version and the
 * module information follow inline as varint-length strings. The module
 * text has lines "path P", "mod P V SUM", "dep P V SUM" and "=> P V SUM"
 * (a replacement of the line before), tab-separated. Older binaries keep
 * pointers instead and are not read. Facts from the Go source
 * documentation of debug/buildinfo and runtime/debug.BuildInfo.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

/* Read a varint at *p (< end); returns -1 on overflow or truncation. */
static int varint(const unsigned char **p, const unsigned char *end, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && *p < end; shift += 7) {
        unsigned char b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

void img_go_scan(img_scan *s, int layer, const char *path, const unsigned char *data, size_t len)
{
    const unsigned char *m = memmem(data, len, "\xff Go buildinf:", 14);
    if (!m || (size_t)(data + len - m) < 32)
        return;
    if (!(m[15] & 2))
        return; /* pre-1.18 layout with pointers: not read */
    const unsigned char *p = m + 32, *end = data + len;
    uint64_t n;
    if (varint(&p, end, &n) || n > (uint64_t)(end - p) || n > 64)
        return;
    char version[72];
    memcpy(version, p, (size_t)n);
    version[n] = '\0';
    p += n;
    if (varint(&p, end, &n) || n > (uint64_t)(end - p))
        return;
    const unsigned char *mi = p;
    size_t ml = (size_t)n;
    if (ml >= 33) { /* 16 sentinel bytes on each side */
        mi += 16;
        ml -= 32;
    }
    char *text = strndup((const char *)mi, ml);
    if (!text)
        return;
    img_hit_add(s, layer, path, "go-binary", text, version, 0);
    free(text);
}

static void emit_mod(img_emit *em, const img_hit *h, const char *mpath, const char *ver)
{
    if (!mpath || !ver || !*ver || !strcmp(ver, "(devel)"))
        return;
    img_buf purl = {0};
    img_buf_add(&purl, "pkg:golang/", 11);
    img_buf_purl(&purl, mpath, "/");
    img_buf_add(&purl, "@", 1);
    img_buf_purl(&purl, ver, "+");
    img_emit_package(em, "Go", mpath, ver, purl.data, NULL, NULL, h->layer, h->path);
    img_buf_free(&purl);
}

void img_go_emit(img_emit *em)
{
    img_scan *s = em->s;
    for (size_t i = 0; i < s->n_hits; i++) {
        const img_hit *h = &s->hits[i];
        if (strcmp(h->rule, "go-binary") || !img_visible(s, h->layer, h->path))
            continue;
        if (h->go_version && !strncmp(h->go_version, "go", 2)) {
            /* the standard library, as OSV names it: "stdlib" at 1.21.3 */
            char v[80];
            snprintf(v, sizeof v, "v%s", h->go_version + 2);
            emit_mod(em, h, "stdlib", v);
        }
        char *text = strdup(h->detail ? h->detail : "");
        char *save = NULL, *prev_path = NULL, *prev_ver = NULL;
        for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
            char *f[4] = {0};
            char *fs = NULL;
            int k = 0;
            for (char *t = strtok_r(line, "\t", &fs); t && k < 4; t = strtok_r(NULL, "\t", &fs))
                f[k++] = t;
            if (!f[0])
                continue;
            if (!strcmp(f[0], "=>")) { /* replacement of the previous module */
                prev_path = f[1];
                prev_ver = f[2];
            } else {
                if (prev_path)
                    emit_mod(em, h, prev_path, prev_ver);
                prev_path = prev_ver = NULL;
                if (!strcmp(f[0], "mod") || !strcmp(f[0], "dep")) {
                    prev_path = f[1];
                    prev_ver = f[2];
                }
            }
        }
        if (prev_path)
            emit_mod(em, h, prev_path, prev_ver);
        free(text);
    }
}
