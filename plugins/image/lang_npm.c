/*
 * plugins/image/lang_npm.c - npm packages from package-lock.json (lockfile
 * versions 1 to 3) and from installed node_modules/NAME/package.json.
 *
 * v2 and v3 list "packages" keyed by install path ("node_modules/a",
 * "node_modules/a/node_modules/@s/b"; "" is the project itself); v1 nests
 * "dependencies" objects. Links ("link": true) are not packages.
 * Facts from the npm documentation (package-lock.json).
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

static void emit_npm(img_emit *em, const char *name, const char *version, const img_file *f)
{
    if (!name || !version || !*name || !*version)
        return;
    img_buf purl = {0};
    img_buf_add(&purl, "pkg:npm/", 8);
    if (name[0] == '@') {
        img_buf_add(&purl, "%40", 3);
        img_buf_purl(&purl, name + 1, "/");
    } else {
        img_buf_purl(&purl, name, NULL);
    }
    img_buf_add(&purl, "@", 1);
    img_buf_purl(&purl, version, "+");
    img_emit_package(em, "npm", name, version, purl.data, NULL, NULL, f->layer, f->path);
    img_buf_free(&purl);
}

static void lock_v1(img_emit *em, const cJSON *deps, const img_file *f, int depth)
{
    const cJSON *d;
    if (depth > 64)
        return;
    cJSON_ArrayForEach(d, deps)
    {
        const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "version"));
        emit_npm(em, d->string, v, f);
        lock_v1(em, cJSON_GetObjectItemCaseSensitive(d, "dependencies"), f, depth + 1);
    }
}

void img_npm_emit(img_emit *em)
{
    img_scan *s = em->s;
    for (size_t i = 0; i < s->n_files; i++) {
        const img_file *f = &s->files[i];
        if ((f->kind != K_NPM_LOCK && f->kind != K_NPM_PACKAGE) || !img_visible(s, f->layer, f->path))
            continue;
        cJSON *j = cJSON_ParseWithLength(f->data, f->len);
        char shown[256];
        img_display(f->path, shown, sizeof shown);
        if (!cJSON_IsObject(j)) {
            img_warn(s, "'%s' is not a JSON object: skipped", shown);
            cJSON_Delete(j);
            continue;
        }
        if (f->kind == K_NPM_PACKAGE) {
            emit_npm(em, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "name")),
                     cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "version")), f);
        } else {
            const cJSON *pk = cJSON_GetObjectItemCaseSensitive(j, "packages");
            if (cJSON_IsObject(pk)) {
                const cJSON *p;
                cJSON_ArrayForEach(p, pk)
                {
                    if (!p->string || !*p->string || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "link")))
                        continue;
                    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "name"));
                    if (!name) {
                        const char *nm = NULL;
                        for (const char *q = p->string; (q = strstr(q, "node_modules/")); q++)
                            nm = q;
                        name = nm ? nm + 13 : NULL;
                    }
                    emit_npm(em, name, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "version")), f);
                }
            } else {
                lock_v1(em, cJSON_GetObjectItemCaseSensitive(j, "dependencies"), f, 0);
            }
        }
        cJSON_Delete(j);
    }
}
