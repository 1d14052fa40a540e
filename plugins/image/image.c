/*
 * plugins/image/image.c - the `image` scanner plugin: what is inside
 * container images and root filesystems (docs/image.md).
 *
 * One task per target. A scan reads the target (source.c, layer.c), and
 * only when every layer was read and verified emits: the packages (OS and
 * language), the secret findings, and the image as one resource of type
 * image.container (docs/resources/image.md).
 *
 * Threads: PP_THREADS_PARALLEL. The instance is read-only after init; all
 * state of a scan lives in its img_scan; the error text is per thread.
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <parapet/plugin.h>

#include "disk_vm.h"
#include "image.h"

static const pp_host_api *host_api;
static _Thread_local char thread_error[1024];

static const char image_schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
    "\"max_layer_bytes\":{\"type\":\"integer\",\"minimum\":1024,\"maximum\":1099511627776,"
    "\"description\":\"most uncompressed bytes read from one layer (default 16 GiB)\"},"
    "\"max_entries\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":100000000,"
    "\"description\":\"most entries in one layer (default 2000000)\"},"
    "\"max_layers\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":10000,"
    "\"description\":\"most layers in one image (default 256)\"},"
    "\"max_file_bytes\":{\"type\":\"integer\",\"minimum\":1024,\"maximum\":4294967296,"
    "\"description\":\"largest package database or manifest read (default 256 MiB)\"},"
    "\"max_secret_bytes\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":1073741824,"
    "\"description\":\"largest file searched for secrets; 0 turns the search off (default 1 MiB)\"},"
    "\"max_json_bytes\":{\"type\":\"integer\",\"minimum\":1024,\"maximum\":1073741824,"
    "\"description\":\"largest manifest, index or config (default 16 MiB)\"},"
    "\"platform\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9._-]+/[a-z0-9._-]+(/[a-z0-9._-]+)?$\",\"maxLength\":64,"
    "\"description\":\"OS/ARCH[/VARIANT] read from a multi-platform image "
    "(default linux and this machine's architecture)\"}"
    "}}";

typedef struct image_inst {
    pp_host *h;
    img_limits lim;
    char platform[72]; /* lim.platform points here when set */
} image_inst;

int img_fail(img_scan *s, const char *fmt, ...)
{
    if (!s->err[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s->err, sizeof s->err, fmt, ap);
        va_end(ap);
    }
    return PP_ERR;
}

void img_warn(img_scan *s, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->n_warnings++;
    char shown[256];
    img_display(s->target, shown, sizeof shown);
    pp_logf(s->api, s->h, PP_LOG_ERROR, "%s: %s", shown, msg);
}

void img_hit_add(img_scan *s, int layer, const char *path, const char *rule, const char *detail,
                 const char *go_version, unsigned line)
{
    if (s->n_hits == s->cap_hits) {
        size_t cap = s->cap_hits ? s->cap_hits * 2 : 16;
        img_hit *h = realloc(s->hits, cap * sizeof *h);
        if (!h)
            return;
        s->hits = h;
        s->cap_hits = cap;
    }
    img_hit *h = &s->hits[s->n_hits];
    h->layer = layer;
    h->path = strdup(path);
    h->rule = strdup(rule);
    h->detail = detail ? strdup(detail) : NULL;
    h->go_version = go_version ? strdup(go_version) : NULL;
    h->line = line;
    s->n_hits++;
}

void img_emit_package(img_emit *em, const char *ecosystem, const char *name, const char *version,
                      const char *purl, const char *src_name, const char *src_version, int layer,
                      const char *location)
{
    pp_package p;
    PP_INIT(&p);
    p.resource_uid = em->uid;
    p.ecosystem = ecosystem;
    p.name = name;
    p.version = version;
    p.purl = purl;
    p.source_name = src_name;
    p.source_version = src_version;
    p.layer = layer >= 0 && (size_t)layer < em->s->n_layers ? em->s->layers[layer].digest : NULL;
    img_buf loc = {0};
    img_buf_printf(&loc, "/%s", location);
    p.location = loc.data;
    if (em->s->api->emit_package(em->s->h, &p) == PP_OK)
        em->count++;
    img_buf_free(&loc);
}

/* ---- config ---- */

static int cfg_u64(const cJSON *cfg, const char *name, uint64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, name);
    if (!v)
        return 0;
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble != (double)(uint64_t)v->valuedouble)
        return -1;
    *out = (uint64_t)v->valuedouble;
    return 0;
}

static int image_init(pp_host *h, const char *config_json, void **inst, const char **err)
{
    image_inst *in = calloc(1, sizeof *in);
    if (!in) {
        *err = "image: out of memory";
        return PP_ERR_NOMEM;
    }
    in->h = h;
    in->lim.max_layer_bytes = (uint64_t)16 << 30;
    in->lim.max_entries = 2000000;
    in->lim.max_layers = 256;
    in->lim.max_file_bytes = (uint64_t)256 << 20;
    in->lim.max_secret_bytes = (uint64_t)1 << 20;
    in->lim.max_json_bytes = (uint64_t)16 << 20;
    cJSON *cfg = cJSON_Parse(config_json ? config_json : "{}");
    if (!cJSON_IsObject(cfg) || cfg_u64(cfg, "max_layer_bytes", &in->lim.max_layer_bytes) ||
        cfg_u64(cfg, "max_entries", &in->lim.max_entries) || cfg_u64(cfg, "max_layers", &in->lim.max_layers) ||
        cfg_u64(cfg, "max_file_bytes", &in->lim.max_file_bytes) ||
        cfg_u64(cfg, "max_secret_bytes", &in->lim.max_secret_bytes) ||
        cfg_u64(cfg, "max_json_bytes", &in->lim.max_json_bytes)) {
        cJSON_Delete(cfg);
        free(in);
        *err = "image: the limits must be non-negative integers";
        return PP_ERR_INVALID;
    }
    const cJSON *plat = cJSON_GetObjectItemCaseSensitive(cfg, "platform");
    if (plat) {
        if (!cJSON_IsString(plat) || !img_platform_valid(plat->valuestring)) {
            cJSON_Delete(cfg);
            free(in);
            *err = "image: platform must be OS/ARCH[/VARIANT], e.g. linux/arm64 or linux/arm/v7";
            return PP_ERR_INVALID;
        }
        snprintf(in->platform, sizeof in->platform, "%s", plat->valuestring);
        in->lim.platform = in->platform;
    }
    cJSON_Delete(cfg);
    *inst = in;
    return PP_OK;
}

static void image_destroy(void *inst)
{
    free(inst);
}

static const char *image_last_error(void *inst)
{
    (void)inst;
    return thread_error;
}

/* ---- the image resource ---- */

static void json_member_str(img_buf *b, const char *key, const char *val, int *first)
{
    if (!val)
        return;
    img_buf_printf(b, "%s\"%s\":", *first ? "" : ",", key);
    img_buf_json_str(b, val);
    *first = 0;
}

/* data.config: user, env names, exposed ports, entrypoint, cmd, healthcheck;
 * never env values. */
static void config_data(img_buf *b, const cJSON *cfg)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(cfg, "config");
    const char *user = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "User"));
    img_buf_add(b, "{\"user\":", 8);
    img_buf_json_str(b, user ? user : "");
    img_buf_printf(b, ",\"runsAsRoot\":%s", !user || !*user || !strcmp(user, "root") || !strcmp(user, "0") ||
                                                      !strncmp(user, "0:", 2) || !strncmp(user, "root:", 5)
                                                  ? "true"
                                                  : "false");
    img_buf_add(b, ",\"envNames\":[", 13);
    const cJSON *e;
    int first = 1;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(c, "Env"))
    {
        if (!cJSON_IsString(e))
            continue;
        char *name = strndup(e->valuestring, strcspn(e->valuestring, "="));
        if (!name)
            continue;
        img_buf_add(b, first ? "" : ",", first ? 0 : 1);
        img_buf_json_str(b, name);
        free(name);
        first = 0;
    }
    img_buf_add(b, "],\"exposedPorts\":[", 18);
    first = 1;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(c, "ExposedPorts"))
    {
        img_buf_add(b, first ? "" : ",", first ? 0 : 1);
        img_buf_json_str(b, e->string ? e->string : "");
        first = 0;
    }
    img_buf_add(b, "]", 1);
    const char *arrays[] = {"Entrypoint", "Cmd"};
    const char *names[] = {"entrypoint", "cmd"};
    for (int i = 0; i < 2; i++) {
        const cJSON *arr = cJSON_GetObjectItemCaseSensitive(c, arrays[i]);
        if (!cJSON_IsArray(arr))
            continue;
        img_buf_printf(b, ",\"%s\":[", names[i]);
        first = 1;
        cJSON_ArrayForEach(e, arr)
        {
            if (!cJSON_IsString(e))
                continue;
            img_buf_add(b, first ? "" : ",", first ? 0 : 1);
            img_buf_json_str(b, e->valuestring);
            first = 0;
        }
        img_buf_add(b, "]", 1);
    }
    /* healthcheck: Healthcheck.Test ["NONE"] turns it off, an empty Test
     * inherits (says nothing), anything else is a check */
    const cJSON *test = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c, "Healthcheck"), "Test");
    if (cJSON_IsArray(test) && cJSON_GetArraySize(test) > 0) {
        const char *t0 = cJSON_GetStringValue(cJSON_GetArrayItem(test, 0));
        img_buf_printf(b, ",\"healthcheck\":%s",
                       cJSON_GetArraySize(test) == 1 && t0 && !strcmp(t0, "NONE") ? "false" : "true");
    }
    img_buf_add(b, "}", 1);
}

static int emit_resource(img_emit *em, const img_meta *m, const img_os *os)
{
    img_scan *s = em->s;
    cJSON *cfg = m->config_json ? cJSON_Parse(m->config_json) : NULL;
    img_buf d = {0};
    int first = 1;
    img_buf_add(&d, "{", 1);
    json_member_str(&d, "format", m->format, &first);
    json_member_str(&d, "target", s->target, &first);
    json_member_str(&d, "imageId", m->image_id, &first);
    json_member_str(&d, "manifestDigest", m->manifest_digest, &first);
    json_member_str(&d, "os", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cfg, "os")), &first);
    json_member_str(&d, "architecture", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cfg, "architecture")),
                    &first);
    img_buf_printf(&d, "%s\"distro\":", first ? "" : ",");
    first = 0;
    if (os->id) {
        int f2 = 1;
        img_buf_add(&d, "{", 1);
        json_member_str(&d, "id", os->id, &f2);
        json_member_str(&d, "versionId", os->version_id, &f2);
        json_member_str(&d, "versionCodename", os->version_codename, &f2);
        json_member_str(&d, "prettyName", os->pretty_name, &f2);
        img_buf_add(&d, "}", 1);
    } else {
        img_buf_add(&d, "null", 4);
    }
    if (cfg) {
        img_buf_add(&d, ",\"config\":", 10);
        config_data(&d, cfg);
    }
    img_buf_add(&d, ",\"layers\":[", 11);
    for (size_t i = 0; i < s->n_layers; i++) {
        int f3 = 1;
        img_buf_add(&d, i ? ",{" : "{", i ? 2 : 1);
        json_member_str(&d, "diffId", s->layers[i].digest, &f3);
        json_member_str(&d, "digest", s->layers[i].blob, &f3);
        img_buf_printf(&d, "%s\"entries\":%llu}", f3 ? "" : ",", (unsigned long long)s->layers[i].n_entries);
    }
    img_buf_printf(&d, "],\"packageCount\":%llu}", (unsigned long long)em->count);

    pp_resource r;
    PP_INIT(&r);
    r.uid = em->uid;
    r.type = "image.container";
    r.provider = "image";
    r.name = m->name ? m->name : s->target;
    r.data_json = d.data;
    r.source = s->target;
    int rc = s->api->emit_resource(s->h, &r);
    img_buf_free(&d);
    cJSON_Delete(cfg);
    return rc == PP_ERR_CANCELLED ? rc : PP_OK;
}

/* ---- scan ---- */

/*
 * Scan image number @index of @target (0 for anything but a docker-save
 * archive) and emit its packages, secrets and image.container resource.
 * *@n_images becomes the number of images the archive holds when it is a
 * docker-save archive whose manifest.json was understood. An image whose
 * id is already in @seen (a JSON array; the same config listed twice) is
 * read but not emitted again. PP_OK, or an error with thread_error set.
 */
static int scan_image(image_inst *in, const char *target, int index, int *n_images, cJSON *seen)
{
    img_scan s;
    memset(&s, 0, sizeof s);
    s.api = host_api;
    s.h = in->h;
    s.lim = &in->lim;
    s.target = target;
    s.image_index = index;
    img_meta m;
    memset(&m, 0, sizeof m);
    int rc = img_source_read(&s, &m);
    if (m.n_images > 0)
        *n_images = m.n_images;
    int dup = 0;
    for (const cJSON *e = seen ? seen->child : NULL; rc == PP_OK && m.image_id && e; e = e->next)
        dup |= cJSON_IsString(e) && !strcmp(e->valuestring, m.image_id);
    if (rc != PP_OK) {
        char shown[256], which[64] = "";
        img_display(target, shown, sizeof shown);
        if (*n_images > 1)
            snprintf(which, sizeof which, " (image %d of %d)", index + 1, *n_images);
        snprintf(thread_error, sizeof thread_error, "%s%s: %.700s", shown, which,
                 s.err[0] ? s.err : "cannot read the image");
        rc = !strcmp(s.err, "cancelled") ? PP_ERR_CANCELLED : PP_ERR;
    } else if (dup) {
        char msg[400], shown[256];
        img_display(target, shown, sizeof shown);
        snprintf(msg, sizeof msg, "%s: image %d lists the same image (%s) as an earlier one; reported once", shown,
                 index + 1, m.image_id);
        host_api->log(in->h, PP_LOG_WARN, msg);
    } else {
        if (seen && m.image_id)
            cJSON_AddItemToArray(seen, cJSON_CreateString(m.image_id));
        img_os os;
        img_os_read(&s, &os);
        img_buf uid = {0};
        if (m.image_id) {
            img_buf_add(&uid, m.image_id, strlen(m.image_id));
        } else {
            char *abs = realpath(target, NULL);
            img_buf_printf(&uid, "rootfs:%s", abs ? abs : target);
            free(abs);
        }
        img_emit em = {&s, &os, uid.data, 0};
        img_dpkg_emit(&em);
        img_apk_emit(&em);
        img_rpm_emit(&em);
        img_npm_emit(&em);
        img_python_emit(&em);
        img_go_emit(&em);
        img_java_emit(&em);
        img_rust_emit(&em);
        img_secrets_emit(&em);
        img_env_secrets_emit(&em, m.config_json);
        img_host_emit(&em, &m); /* root filesystems and VM disks: image.host (host_check.c) */
        rc = emit_resource(&em, &m, &os);
        img_buf_free(&uid);
        img_os_free(&os);
    }
    img_meta_free(&m);
    img_scan_free(&s);
    return rc;
}

/* One task: one target; every image of a docker-save archive that holds
 * several (each its own image.container resource and package set). When
 * an image fails the others are still read; the last failure is returned
 * and each is logged. */
static int image_scan(void *inst, const char *task_json)
{
    image_inst *in = inst;
    thread_error[0] = '\0';
    cJSON *task = cJSON_Parse(task_json ? task_json : "");
    const char *target = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(task, "target"));
    if (!target || !*target) {
        cJSON_Delete(task);
        snprintf(thread_error, sizeof thread_error, "image: the task has no target");
        return PP_ERR_INVALID;
    }
    cJSON *seen = cJSON_CreateArray();
    int n_images = 1, rc = PP_OK;
    for (int i = 0; i < n_images; i++) {
        int r = scan_image(in, target, i, &n_images, seen);
        if (r == PP_ERR_CANCELLED) {
            rc = r;
            break;
        }
        if (r != PP_OK) {
            rc = r;
            if (n_images > 1)
                host_api->log(in->h, PP_LOG_ERROR, thread_error);
        }
    }
    cJSON_Delete(seen);
    cJSON_Delete(task);
    return rc;
}

static const pp_scanner_api image_scanner = {
    .size = sizeof(pp_scanner_api),
    .plan = NULL,
    .scan = image_scan,
};

static const pp_plugin image_plugin = {
    .size = sizeof(pp_plugin),
    .abi_major = PP_ABI_MAJOR,
    .abi_minor = 0,
    .name = "image",
    .version = "0.1.0",
    .description = "Packages and secrets inside container images (docker save, OCI) and root filesystems",
    .license = "Apache-2.0",
    .kinds = PP_KIND_SCANNER,
    .threads = PP_THREADS_PARALLEL,
    .config_schema = image_schema,
    .init = image_init,
    .destroy = image_destroy,
    .last_error = image_last_error,
    .scanner = &image_scanner,
};

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out)
{
    (void)h;
    if (!api || api->abi_major != PP_ABI_MAJOR)
        return PP_ERR;
    host_api = api;
    *out = &image_plugin;
    return PP_OK;
}
