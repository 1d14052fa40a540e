/*
 * plugins/image/lang_python.c - Python distributions from
 * *.dist-info/METADATA and *.egg-info/PKG-INFO: the Name and Version
 * header fields (core metadata, RFC 822 style, ending at the first blank
 * line). purl names are normalized as PEP 503 says: lower case, runs of
 * "-", "_", "." become one "-".
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "image.h"

static char *header(const char *data, size_t len, const char *key)
{
    size_t kl = strlen(key);
    const char *q = data, *end = data + len;
    while (q < end) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        const char *le = nl ? nl : end;
        if (le == q || (le - q == 1 && *q == '\r'))
            break; /* end of the headers */
        if ((size_t)(le - q) > kl + 1 && !strncasecmp(q, key, kl) && q[kl] == ':') {
            const char *v = q + kl + 1;
            while (v < le && (*v == ' ' || *v == '\t'))
                v++;
            const char *ve = le;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' '))
                ve--;
            return strndup(v, (size_t)(ve - v));
        }
        q = le + 1;
    }
    return NULL;
}

void img_python_emit(img_emit *em)
{
    img_scan *s = em->s;
    for (size_t i = 0; i < s->n_files; i++) {
        const img_file *f = &s->files[i];
        if (f->kind != K_PY_METADATA || !img_visible(s, f->layer, f->path))
            continue;
        char *name = header(f->data, f->len, "Name"), *version = header(f->data, f->len, "Version");
        if (name && version && *name && *version) {
            img_buf norm = {0}, purl = {0};
            for (const char *p = name; *p; p++) {
                if (*p == '-' || *p == '_' || *p == '.') {
                    if (!norm.len || norm.data[norm.len - 1] != '-')
                        img_buf_add(&norm, "-", 1);
                } else {
                    char c = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p;
                    img_buf_add(&norm, &c, 1);
                }
            }
            img_buf_add(&purl, "pkg:pypi/", 9);
            img_buf_purl(&purl, norm.data, NULL);
            img_buf_add(&purl, "@", 1);
            img_buf_purl(&purl, version, "+!");
            img_emit_package(em, "PyPI", name, version, purl.data, NULL, NULL, f->layer, f->path);
            img_buf_free(&norm);
            img_buf_free(&purl);
        }
        free(name);
        free(version);
    }
}
