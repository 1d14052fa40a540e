/*
 * plugins/image/os_release.c - the distribution from os-release
 * (etc/os-release, else usr/lib/os-release; symlinks followed inside the
 * image). Format: KEY=VALUE lines, values optionally quoted (os-release(5)).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "image.h"

/* The unquoted value of KEY in @data, or NULL. */
static char *os_value(const char *data, size_t len, const char *key)
{
    size_t kl = strlen(key);
    const char *p = data, *end = data + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        if ((size_t)(le - p) > kl && !strncmp(p, key, kl) && p[kl] == '=') {
            const char *v = p + kl + 1;
            size_t n = (size_t)(le - v);
            if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
                v++;
                n -= 2;
            }
            char *out = strndup(v, n);
            if (out)
                for (char *q = out; *q; q++)
                    if ((unsigned char)*q < 0x20 || *q == '\\')
                        *q = ' ';
            return out;
        }
        p = le + 1;
    }
    return NULL;
}

void img_os_read(const img_scan *s, img_os *os)
{
    memset(os, 0, sizeof *os);
    const char *paths[] = {"etc/os-release", "usr/lib/os-release"};
    for (int i = 0; i < 2; i++) {
        const img_entry *e = NULL;
        char *real = NULL;
        int layer = img_lookup(s, paths[i], &e, &real);
        free(real);
        if (layer == -2) {
            img_warn((img_scan *)s, "'%s' is a symbolic link loop: the distribution is unknown", paths[i]);
            continue;
        }
        const img_file *f = img_find_file(s, paths[i]);
        if (!f)
            continue;
        os->id = os_value(f->data, f->len, "ID");
        os->version_id = os_value(f->data, f->len, "VERSION_ID");
        os->pretty_name = os_value(f->data, f->len, "PRETTY_NAME");
        os->version_codename = os_value(f->data, f->len, "VERSION_CODENAME");
        return;
    }
}

void img_os_free(img_os *os)
{
    free(os->id);
    free(os->version_id);
    free(os->pretty_name);
    free(os->version_codename);
    memset(os, 0, sizeof *os);
}
