/*
 * plugins/image/pkg_apk.c - Alpine packages from lib/apk/db/installed.
 *
 * Blank-line separated records of "X:value" lines: P name, V version,
 * A architecture, o origin (the source package). Facts from the apk
 * installed-database format (apk-tools documentation, "Package index").
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

static void emit_one(img_emit *em, const img_file *f, char *name, char *version, char *arch, char *origin)
{
    if (!name || !version)
        return;
    const img_os *os = em->os;
    char eco[128];
    if (os->version_id) {
        /* OSV names Alpine releases "Alpine:v3.19" (major.minor) */
        const char *dot = strchr(os->version_id, '.');
        const char *dot2 = dot ? strchr(dot + 1, '.') : NULL;
        int n = dot2 ? (int)(dot2 - os->version_id) : (int)strlen(os->version_id);
        snprintf(eco, sizeof eco, "Alpine:v%.*s", n, os->version_id);
    } else {
        snprintf(eco, sizeof eco, "Alpine");
    }
    img_buf purl = {0};
    img_buf_add(&purl, "pkg:apk/alpine/", 15);
    img_buf_purl(&purl, name, NULL);
    img_buf_add(&purl, "@", 1);
    img_buf_purl(&purl, version, NULL);
    const char *sep = "?";
    if (arch) {
        img_buf_printf(&purl, "%sarch=", sep);
        img_buf_purl(&purl, arch, NULL);
        sep = "&";
    }
    if (os->version_id) {
        img_buf_printf(&purl, "%sdistro=", sep);
        img_buf_purl(&purl, os->version_id, NULL);
    }
    img_emit_package(em, eco, name, version, purl.data, origin ? origin : name, version, f->layer, f->path);
    img_buf_free(&purl);
}

void img_apk_emit(img_emit *em)
{
    const img_file *f = img_find_file(em->s, "lib/apk/db/installed");
    if (!f)
        return;
    char *name = NULL, *version = NULL, *arch = NULL, *origin = NULL;
    const char *q = f->data, *end = f->data + f->len;
    for (;;) {
        const char *nl = q < end ? memchr(q, '\n', (size_t)(end - q)) : NULL;
        const char *le = nl ? nl : end;
        size_t n = (size_t)(le - q);
        if (n == 0) {
            emit_one(em, f, name, version, arch, origin);
            free(name);
            free(version);
            free(arch);
            free(origin);
            name = version = arch = origin = NULL;
        } else if (n >= 2 && q[1] == ':') {
            char **slot = q[0] == 'P'   ? &name
                          : q[0] == 'V' ? &version
                          : q[0] == 'A' ? &arch
                          : q[0] == 'o' ? &origin
                                        : NULL;
            if (slot) {
                free(*slot);
                *slot = strndup(q + 2, n - 2);
            }
        }
        if (!nl || q >= end)
            break;
        q = nl + 1;
    }
    emit_one(em, f, name, version, arch, origin);
    free(name);
    free(version);
    free(arch);
    free(origin);
}
