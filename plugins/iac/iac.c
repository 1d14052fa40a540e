/*
 * plugins/iac/iac.c - the `iac` provider: its descriptor, the plan (one
 * task per file, walk.h) and collect (read, parse, recognise, adapt).
 *
 * `parapet scan iac PATH...` reads CloudFormation/SAM templates (JSON or
 * YAML) and Kubernetes manifests and emits the same resource types and
 * data shapes as the cloud providers, with the file, line and column of
 * each resource (docs/iac.md).
 *
 * Threads: PP_THREADS_PARALLEL; collect keeps everything per call and the
 * error text per thread.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iac.h"
#include "walk.h"

static const pp_host_api *host_api;
static pp_host *host_handle;
static _Thread_local char thread_error[1024];
/* The plan's text: plan is called once per instance, before any collect. */
static char *plan_text;

static const char iac_schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
    "\"parameters\":{\"type\":\"string\",\"maxLength\":65536},"
    "\"parameters_file\":{\"type\":\"string\",\"maxLength\":4096}}}";
/* CloudFormation parameter values given by the user; read-only after init. */
static cJSON *cfn_parameters;

int iac_read_file(const char *path, size_t max, char **out, size_t *len, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        close(fd);
        return -1;
    }
    if ((unsigned long long)st.st_size > max) {
        snprintf(err, errlen, "%s:1:1: file of %lld bytes is larger than the %zu-byte limit", path,
                 (long long)st.st_size, max);
        close(fd);
        return -1;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        snprintf(err, errlen, "%s: out of memory", path);
        close(fd);
        return -1;
    }
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    buf[got] = '\0';
    *out = buf;
    *len = got;
    return 0;
}

static int iac_init(pp_host *h, const char *config_json, void **inst, const char **err)
{
    host_handle = h;
    *inst = NULL;
    cJSON *cfg = cJSON_Parse(config_json ? config_json : "{}");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(cfg, "parameters");
    const cJSON *file = cJSON_GetObjectItemCaseSensitive(cfg, "parameters_file");
    int rc = PP_OK;
    if (cJSON_IsString(list) || cJSON_IsString(file)) {
        cfn_parameters = iac_parameters_parse(cJSON_IsString(list) ? list->valuestring : NULL,
                                              cJSON_IsString(file) ? file->valuestring : NULL, thread_error,
                                              sizeof thread_error);
        if (!cfn_parameters) {
            *err = thread_error;
            rc = PP_ERR_INVALID;
        }
    }
    cJSON_Delete(cfg);
    return rc;
}

static void iac_destroy(void *inst)
{
    (void)inst;
    free(plan_text);
    plan_text = NULL;
    cJSON_Delete(cfn_parameters);
    cfn_parameters = NULL;
}

static const char *iac_last_error(void *inst)
{
    (void)inst;
    return thread_error;
}

static const char *iac_plan(void *inst, const char *targets_json)
{
    (void)inst;
    cJSON *targets = cJSON_Parse(targets_json ? targets_json : "[]");
    cJSON *tasks = cJSON_CreateArray();
    const char *result = NULL;
    if (!targets || !cJSON_IsArray(targets) || !tasks) {
        snprintf(thread_error, sizeof thread_error, "targets: expected a JSON array of paths");
    } else if (cJSON_GetArraySize(targets) == 0) {
        snprintf(thread_error, sizeof thread_error, "give at least one file or directory: parapet scan iac PATH...");
    } else if (walk_targets(targets, tasks, thread_error, sizeof thread_error) == 0) {
        free(plan_text);
        plan_text = cJSON_PrintUnformatted(tasks);
        result = plan_text;
        if (!result)
            snprintf(thread_error, sizeof thread_error, "out of memory");
    }
    cJSON_Delete(targets);
    cJSON_Delete(tasks);
    return result;
}

/* Scan the documents of one parsed file. */
static int scan_stream(iac_file *f, const yd_stream *s)
{
    for (size_t i = 0; i < s->n_docs; i++) {
        const yd_node *root = s->docs[i];
        if (!root || root->kind != YD_MAP)
            continue;
        int rc = PP_OK;
        if (cfn_is_template(root))
            rc = cfn_scan(f, root);
        else if (tf_is_plan_or_state(root))
            rc = tf_scan(f, root);
        else if (k8s_is_manifest(root))
            rc = k8s_scan(f, root, i);
        if (rc != PP_OK)
            return rc;
        if (f->cancelled || host_api->cancelled(host_handle))
            return PP_ERR_CANCELLED;
    }
    return PP_OK;
}

static int iac_collect(void *inst, const char *task_json)
{
    (void)inst;
    thread_error[0] = '\0';
    cJSON *task = cJSON_Parse(task_json ? task_json : "");
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(task, "path");
    if (!cJSON_IsString(path)) {
        cJSON_Delete(task);
        snprintf(thread_error, sizeof thread_error, "task has no path");
        return PP_ERR_INVALID;
    }
    yd_limits lim = yd_default_limits();
    iac_file f;
    memset(&f, 0, sizeof f);
    f.path = path->valuestring;
    f.api = host_api;
    f.host = host_handle;
    f.cfn_parameters = cfn_parameters;
    char *text = NULL;
    yd_stream *s = NULL;
    int rc = PP_ERR_INVALID;
    if (iac_read_file(f.path, lim.max_bytes, &text, &f.len, f.err, sizeof f.err) != 0) {
        rc = PP_ERR_IO;
        goto out;
    }
    f.text = text;
    if (yd_parse(text, f.len, f.path, &lim, &s, f.err, sizeof f.err) != 0)
        goto out;
    if (iac_find_suppressions(&f) != 0) {
        rc = PP_ERR_NOMEM;
        goto out;
    }
    rc = scan_stream(&f, s);
out:
    if (rc != PP_OK)
        snprintf(thread_error, sizeof thread_error, "%s", f.err[0] ? f.err : "failed");
    yd_free(s);
    free(text);
    free(f.supp);
    cJSON_Delete(task);
    return rc;
}

static const pp_provider_api iac_provider = {
    .size = sizeof(pp_provider_api),
    .plan = iac_plan,
    .collect = iac_collect,
};

static const pp_plugin iac_plugin = {
    .size = sizeof(pp_plugin),
    .abi_major = PP_ABI_MAJOR,
    .abi_minor = 1,
    .name = "iac",
    .version = "0.1.0",
    .description =
        "Infrastructure as code: CloudFormation/SAM templates and Kubernetes manifests, with file:line:column",
    .license = "Apache-2.0",
    .kinds = PP_KIND_PROVIDER,
    .threads = PP_THREADS_PARALLEL,
    .config_schema = iac_schema,
    .init = iac_init,
    .destroy = iac_destroy,
    .last_error = iac_last_error,
    .provider = &iac_provider,
};

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out)
{
    if (!api || !out || api->abi_major != PP_ABI_MAJOR ||
        api->size < offsetof(pp_host_api, progress) + sizeof api->progress || !api->log || !api->emit_resource)
        return PP_ERR_INVALID;
    host_api = api;
    host_handle = h;
    *out = &iac_plugin;
    return PP_OK;
}
