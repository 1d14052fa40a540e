/*
 * plugins/image/pkg_dpkg.c - Debian packages from var/lib/dpkg/status and
 * the one-file-per-package var/lib/dpkg/status.d/ of distroless images.
 *
 * Paragraphs of "Field: value" lines separated by blank lines; the fields
 * used are Package, Version, Architecture, Source ("name" or "name (version)")
 * and Status (the third word is the state; not-installed and config-files
 * are not installed). Facts from deb-control(5) and dpkg-query(1).
 * The layer that brought a package is the lowest layer from which on every
 * layer's copy of the status file lists it at the same version.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "image.h"

typedef struct deb_pkg {
    char *name, *version, *arch, *src, *src_version;
    int installed;
} deb_pkg;

static void pkg_clear(deb_pkg *p)
{
    free(p->name);
    free(p->version);
    free(p->arch);
    free(p->src);
    free(p->src_version);
    memset(p, 0, sizeof *p);
}

static char *field_dup(const char *v, size_t n)
{
    while (n && (*v == ' ' || *v == '\t')) {
        v++;
        n--;
    }
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
        n--;
    return strndup(v, n);
}

/* Call @cb for each paragraph of @data. */
static void each_paragraph(const char *data, size_t len, void (*cb)(deb_pkg *, void *), void *ud)
{
    deb_pkg p;
    memset(&p, 0, sizeof p);
    const char *q = data, *end = data + len;
    while (q <= end) {
        const char *nl = q < end ? memchr(q, '\n', (size_t)(end - q)) : NULL;
        const char *le = nl ? nl : end;
        size_t n = (size_t)(le - q);
        if (n == 0 || (n == 1 && *q == '\r')) {
            if (p.name)
                cb(&p, ud);
            pkg_clear(&p);
        } else if (*q != ' ' && *q != '\t') {
            const char *colon = memchr(q, ':', n);
            if (colon) {
                size_t kl = (size_t)(colon - q);
                const char *v = colon + 1;
                size_t vl = (size_t)(le - v);
#define KEY(k) (kl == sizeof(k) - 1 && !strncasecmp(q, k, kl))
                if (KEY("Package")) {
                    free(p.name);
                    p.name = field_dup(v, vl);
                } else if (KEY("Version")) {
                    free(p.version);
                    p.version = field_dup(v, vl);
                } else if (KEY("Architecture")) {
                    free(p.arch);
                    p.arch = field_dup(v, vl);
                } else if (KEY("Source")) {
                    char *s = field_dup(v, vl);
                    char *paren = s ? strchr(s, '(') : NULL;
                    free(p.src);
                    free(p.src_version);
                    p.src_version = NULL;
                    if (paren) {
                        char *close = strchr(paren, ')');
                        p.src_version = close ? field_dup(paren + 1, (size_t)(close - paren - 1)) : NULL;
                        *paren = '\0';
                        p.src = field_dup(s, strlen(s));
                        free(s);
                    } else {
                        p.src = s;
                    }
                } else if (KEY("Status")) {
                    char *s = field_dup(v, vl);
                    const char *last = s ? strrchr(s, ' ') : NULL;
                    last = last ? last + 1 : s;
                    p.installed = last && strcmp(last, "not-installed") && strcmp(last, "config-files");
                    free(s);
                }
#undef KEY
            }
        }
        if (!nl)
            break;
        q = nl + 1;
    }
    if (p.name)
        cb(&p, ud);
    pkg_clear(&p);
}

/* ---- layer attribution ---- */

typedef struct since {
    img_map map; /* "name\tversion" -> layer index + 1 */
    img_map seen; /* of the current layer's copy */
    int layer;
} since;

static void note_pkg(deb_pkg *p, void *ud)
{
    since *s = ud;
    if (!p->version || !p->installed)
        return;
    char key[1024];
    snprintf(key, sizeof key, "%s\t%s", p->name, p->version);
    img_map_put(&s->seen, key, (void *)1);
    if (!img_map_get(&s->map, key))
        img_map_put(&s->map, key, (void *)(intptr_t)(s->layer + 1));
}

typedef struct emit_ctx {
    img_emit *em;
    since *since;
    const char *location;
    int layer;
} emit_ctx;

static void emit_pkg(deb_pkg *p, void *ud)
{
    emit_ctx *c = ud;
    if (!p->version || !p->installed)
        return;
    const img_os *os = c->em->os;
    const char *distro = os->id ? os->id : "debian";
    char eco[128];
    if (os->version_id && os->id && !strcmp(os->id, "ubuntu"))
        snprintf(eco, sizeof eco, "Ubuntu:%s", os->version_id);
    else if (os->version_id)
        snprintf(eco, sizeof eco, "Debian:%s", os->version_id);
    else
        snprintf(eco, sizeof eco, "%s", os->id && !strcmp(os->id, "ubuntu") ? "Ubuntu" : "Debian");
    img_buf purl = {0};
    img_buf_add(&purl, "pkg:deb/", 8);
    img_buf_purl(&purl, distro, NULL);
    img_buf_add(&purl, "/", 1);
    img_buf_purl(&purl, p->name, NULL);
    img_buf_add(&purl, "@", 1);
    img_buf_purl(&purl, p->version, "+");
    const char *sep = "?";
    if (p->arch) {
        img_buf_printf(&purl, "%sarch=", sep);
        img_buf_purl(&purl, p->arch, NULL);
        sep = "&";
    }
    if (os->version_id) {
        img_buf_printf(&purl, "%sdistro=", sep);
        img_buf_purl(&purl, distro, NULL);
        img_buf_add(&purl, "-", 1);
        img_buf_purl(&purl, os->version_id, NULL);
    }
    int layer = c->layer;
    if (c->since) {
        char key[1024];
        snprintf(key, sizeof key, "%s\t%s", p->name, p->version);
        intptr_t l = (intptr_t)img_map_get(&c->since->map, key);
        if (l > 0)
            layer = (int)l - 1;
    }
    img_emit_package(c->em, eco, p->name, p->version, purl.data, p->src ? p->src : p->name,
                     p->src_version ? p->src_version : p->version, layer, c->location);
    img_buf_free(&purl);
}

void img_dpkg_emit(img_emit *em)
{
    img_scan *s = em->s;
    const img_file *status = img_find_file(s, "var/lib/dpkg/status");
    if (status) {
        /* history: every layer's copy, bottom up; a package keeps the layer
         * it first appeared in unless a later copy drops or changes it */
        since sn;
        memset(&sn, 0, sizeof sn);
        for (size_t l = 0; l < s->n_layers; l++) {
            for (size_t i = 0; i < s->n_files; i++) {
                const img_file *f = &s->files[i];
                if (f->kind != K_DPKG_STATUS || f->layer != (int)l)
                    continue;
                sn.layer = (int)l;
                img_map_free(&sn.seen, NULL);
                each_paragraph(f->data, f->len, note_pkg, &sn);
                /* forget packages this copy no longer lists */
                for (size_t k = 0; k < sn.map.cap; k++)
                    if (sn.map.keys[k] && sn.map.vals[k] && !img_map_get(&sn.seen, sn.map.keys[k]))
                        sn.map.vals[k] = NULL;
            }
        }
        emit_ctx c = {em, &sn, "var/lib/dpkg/status", status->layer};
        each_paragraph(status->data, status->len, emit_pkg, &c);
        img_map_free(&sn.map, NULL);
        img_map_free(&sn.seen, NULL);
    }
    for (size_t i = 0; i < s->n_files; i++) {
        const img_file *f = &s->files[i];
        if (f->kind != K_DPKG_STATUS_D || !img_visible(s, f->layer, f->path))
            continue;
        emit_ctx c = {em, NULL, f->path, f->layer};
        each_paragraph(f->data, f->len, emit_pkg, &c);
    }
}
