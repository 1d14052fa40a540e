/*
 * plugins/image/platform.c - which manifest of a multi-platform image is
 * read: the OCI image index or docker manifest list entry whose platform
 * is the one asked for (`-o image.platform=OS/ARCH[/VARIANT]`), by default
 * linux and the architecture this program was built for.
 *
 * A list whose entries carry no "platform" (the index.json of a plain OCI
 * layout: one image, named by an annotation) is not a choice: its first
 * entry is taken, as before. In a list with platforms, an entry matches
 * when its os and architecture equal the ones asked for and, when a
 * variant is asked for, its variant too (without one asked, any variant
 * matches; the first match wins). No match is an error that lists the
 * platforms the image has, so the user can pick one.
 * Facts: OCI image-spec image-index.md ("platform": os, architecture,
 * variant; values of Go's GOOS/GOARCH), docker's manifest list v2 schema 2
 * (the same "platform" object).
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "image.h"

const char *img_platform_default(void)
{
#if defined(__x86_64__)
    return "linux/amd64";
#elif defined(__aarch64__)
    return "linux/arm64";
#elif defined(__arm__)
    return "linux/arm";
#elif defined(__i386__)
    return "linux/386";
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
    return "linux/ppc64le";
#elif defined(__s390x__)
    return "linux/s390x";
#elif defined(__riscv) && __riscv_xlen == 64
    return "linux/riscv64";
#else
    return "linux/amd64";
#endif
}

int img_platform_valid(const char *p)
{
    /* OS/ARCH[/VARIANT], each part [a-z0-9._-]+ */
    int parts = 1;
    size_t run = 0;
    if (!p || strlen(p) > 64)
        return 0;
    for (const char *c = p; *c; c++) {
        if (*c == '/') {
            if (!run)
                return 0;
            parts++;
            run = 0;
        } else if ((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '-') {
            run++;
        } else {
            return 0;
        }
    }
    return run && (parts == 2 || parts == 3);
}

/* "os/arch[/variant]" of a descriptor's platform into @out; 0, or -1 when it has none. */
static int platform_of(const cJSON *desc, char *out, size_t outlen)
{
    const cJSON *pl = cJSON_GetObjectItemCaseSensitive(desc, "platform");
    const char *os = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pl, "os"));
    const char *arch = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pl, "architecture"));
    const char *variant = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pl, "variant"));
    if (!os || !arch)
        return -1;
    snprintf(out, outlen, "%.40s/%.40s%s%.40s", os, arch, variant && *variant ? "/" : "", variant ? variant : "");
    return 0;
}

const cJSON *img_platform_choose(img_scan *s, const cJSON *list, const char *where)
{
    const char *want = s->lim->platform && *s->lim->platform ? s->lim->platform : img_platform_default();
    const cJSON *desc;
    int with_platform = 0;
    cJSON_ArrayForEach(desc, list)
    {
        char have[128];
        if (cJSON_IsObject(desc) && platform_of(desc, have, sizeof have) == 0)
            with_platform = 1;
    }
    if (!with_platform) {
        desc = cJSON_GetArrayItem(list, 0);
        if (!cJSON_IsObject(desc)) {
            img_fail(s, "%s: no manifest listed", where);
            return NULL;
        }
        return desc;
    }
    /* want = OS/ARCH[/VARIANT] */
    char w[72];
    snprintf(w, sizeof w, "%s", want);
    char *arch = strchr(w, '/');
    if (!arch) {
        img_fail(s, "platform '%.64s' is not OS/ARCH[/VARIANT]", want);
        return NULL;
    }
    *arch++ = '\0';
    char *variant = strchr(arch, '/');
    if (variant)
        *variant++ = '\0';
    img_buf avail = {0};
    cJSON_ArrayForEach(desc, list)
    {
        if (!cJSON_IsObject(desc))
            continue;
        const cJSON *pl = cJSON_GetObjectItemCaseSensitive(desc, "platform");
        const char *os = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pl, "os"));
        const char *ar = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pl, "architecture"));
        const char *va = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pl, "variant"));
        if (os && ar && !strcmp(os, w) && !strcmp(ar, arch) && (!variant || (va && !strcmp(va, variant)))) {
            img_buf_free(&avail);
            return desc;
        }
        char have[128];
        if (platform_of(desc, have, sizeof have) == 0 && !strstr(have, "unknown")) {
            char shown[128];
            img_display(have, shown, sizeof shown);
            if (avail.len < 700)
                img_buf_printf(&avail, "%s%s", avail.len ? ", " : "", shown);
        }
    }
    img_fail(s,
             "%s: no manifest for platform %s; the image has: %s (choose one with -o image.platform=OS/ARCH[/VARIANT])",
             where, want, avail.data ? avail.data : "none");
    img_buf_free(&avail);
    return NULL;
}
