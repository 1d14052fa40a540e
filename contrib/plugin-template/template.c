/*
 * template.c - a complete, minimal parapet provider plugin.
 *
 * Copy this folder, rename the plugin (PLUGIN_NAME and the Makefile's
 * PLUGIN), and replace collect() with calls to your API. What it does as
 * shipped:
 *
 *   config   {"greeting": string, "count": integer 1..100 (default 3)}
 *   plan     one task per target given on the command line
 *            (`parapet scan example alpha beta`), or one task "local"
 *   collect  emits `count` resources of type "example.widget" with uids
 *            "example:TARGET:N" and data {"greeting":..., "index": N}
 *
 * Build: make (needs pkg-config, parapet-sdk and libcjson). Only
 * parapet_plugin_entry_v1 is exported; everything else is static and the
 * object is built with -fvisibility=hidden and a version script.
 *
 * The rules a plugin lives by (see the SDK reference, sdk/docs/):
 *   - arguments are borrowed for the call; emit_* copies the record;
 *   - a string you return stays valid until your next call on the instance;
 *   - collect may run for several tasks at once if you declare
 *     PP_THREADS_PARALLEL, so keep per-task state on the stack;
 *   - never log or emit a secret; get credentials with host->secret().
 */
#define _POSIX_C_SOURCE 200809L

#include <parapet/plugin.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLUGIN_NAME "example"
#define MAX_COUNT 100

/* The entry point: the only symbol the .so exports. */
PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out);

/* The host's service table, valid for the life of the process. */
static const pp_host_api *host;

/* One instance: created by init for a scan, released by destroy. */
struct example {
    pp_host *h;         /* handle to pass back to every host call */
    char *greeting;     /* config "greeting" */
    int count;          /* config "count" */
    char *plan;         /* last plan() result; ours until the next call */
    char error[256];    /* last_error() text */
};

static void example_destroy(void *inst)
{
    struct example *ex = inst;
    if (!ex)
        return;
    free(ex->greeting);
    cJSON_free(ex->plan);
    free(ex);
}

static int example_init(pp_host *h, const char *config_json, void **inst, const char **err)
{
    struct example *ex;
    cJSON *cfg, *item;

    *inst = NULL;
    /* The host already validated the config against our schema; we still
     * check what we read, because a plugin must not trust its input. */
    cfg = cJSON_Parse(config_json);
    if (!cJSON_IsObject(cfg)) {
        cJSON_Delete(cfg);
        *err = "the configuration is not a JSON object";
        return PP_ERR_INVALID;
    }
    ex = calloc(1, sizeof *ex);
    if (!ex) {
        cJSON_Delete(cfg);
        *err = "out of memory";
        return PP_ERR_NOMEM;
    }
    ex->h = h;
    ex->count = 3;

    item = cJSON_GetObjectItemCaseSensitive(cfg, "count");
    if (item) {
        if (!cJSON_IsNumber(item) || item->valuedouble < 1 || item->valuedouble > MAX_COUNT
            || item->valuedouble != (double)(int)item->valuedouble) {
            cJSON_Delete(cfg);
            example_destroy(ex);
            *err = "config key 'count' must be an integer from 1 to 100";
            return PP_ERR_INVALID;
        }
        ex->count = (int)item->valuedouble;
    }
    item = cJSON_GetObjectItemCaseSensitive(cfg, "greeting");
    ex->greeting = strdup(cJSON_IsString(item) ? item->valuestring : "hello");
    cJSON_Delete(cfg);
    if (!ex->greeting) {
        example_destroy(ex);
        *err = "out of memory";
        return PP_ERR_NOMEM;
    }
    *inst = ex;
    return PP_OK;
}

static const char *example_last_error(void *inst)
{
    struct example *ex = inst;
    return ex->error[0] ? ex->error : NULL;
}

/* plan: one task per target, {"id": TARGET}; "local" when there is none. */
static const char *example_plan(void *inst, const char *targets_json)
{
    struct example *ex = inst;
    cJSON *targets = cJSON_Parse(targets_json);
    cJSON *plan = cJSON_CreateArray();
    const cJSON *t;

    if (!cJSON_IsArray(targets) || !plan) {
        snprintf(ex->error, sizeof ex->error, "targets are not a JSON array");
        cJSON_Delete(targets);
        cJSON_Delete(plan);
        return NULL;
    }
    cJSON_ArrayForEach(t, targets) {
        cJSON *task = cJSON_CreateObject();
        if (!cJSON_IsString(t) || !task || !cJSON_AddStringToObject(task, "id", t->valuestring)) {
            cJSON_Delete(task);
            continue;
        }
        cJSON_AddItemToArray(plan, task);
    }
    if (cJSON_GetArraySize(plan) == 0) {
        cJSON *task = cJSON_CreateObject();
        if (task && cJSON_AddStringToObject(task, "id", "local"))
            cJSON_AddItemToArray(plan, task);
        else
            cJSON_Delete(task);
    }
    cJSON_Delete(targets);
    cJSON_free(ex->plan);
    ex->plan = cJSON_PrintUnformatted(plan);
    cJSON_Delete(plan);
    if (!ex->plan)
        snprintf(ex->error, sizeof ex->error, "out of memory");
    return ex->plan; /* valid until our next call; the host copies it */
}

/* collect: run one task from the plan and emit its resources. */
static int example_collect(void *inst, const char *task_json)
{
    struct example *ex = inst;
    cJSON *task = cJSON_Parse(task_json);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(task, "id");
    char target[128];
    int i, rc = PP_OK;

    if (!cJSON_IsString(id) || strlen(id->valuestring) >= sizeof target) {
        cJSON_Delete(task);
        return PP_ERR_INVALID;
    }
    memcpy(target, id->valuestring, strlen(id->valuestring) + 1);
    cJSON_Delete(task);
    pp_logf(host, ex->h, PP_LOG_DEBUG, "example: collecting %d widgets for '%s'", ex->count, target);

    for (i = 0; i < ex->count && rc == PP_OK; i++) {
        char uid[192], name[64];
        cJSON *data;
        char *data_json;
        pp_resource r;

        /* Long loops poll for Ctrl-C and task deadlines. */
        if (host->cancelled(ex->h))
            return PP_ERR_CANCELLED;

        snprintf(uid, sizeof uid, PLUGIN_NAME ":%s:%d", target, i);
        snprintf(name, sizeof name, "widget-%d", i);
        data = cJSON_CreateObject();
        if (!data || !cJSON_AddStringToObject(data, "greeting", ex->greeting)
            || !cJSON_AddNumberToObject(data, "index", i)) {
            cJSON_Delete(data);
            return PP_ERR_NOMEM;
        }
        data_json = cJSON_PrintUnformatted(data);
        cJSON_Delete(data);
        if (!data_json)
            return PP_ERR_NOMEM;

        PP_INIT(&r); /* zeroes the struct and sets r.size */
        r.uid = uid;
        r.type = "example.widget";
        r.provider = "example";
        r.account = target;
        r.name = name;
        r.data_json = data_json;
        r.source = "api";
        rc = host->emit_resource(ex->h, &r); /* copies the record */
        cJSON_free(data_json);
        host->progress(ex->h, (uint64_t)i + 1, (uint64_t)ex->count, "widgets");
    }
    /* PP_ERR_CANCELLED from emit: the record was kept, stop now. */
    return rc;
}

static const pp_provider_api example_provider = {
    .size = sizeof(pp_provider_api),
    .plan = example_plan,
    .collect = example_collect,
};

static const pp_plugin example_descriptor = {
    .size = sizeof(pp_plugin),
    .abi_major = PP_ABI_MAJOR,
    .abi_minor = PP_ABI_MINOR,
    .name = PLUGIN_NAME,
    .version = "0.1.0",
    .description = "example provider from the parapet plugin template",
    .license = "Apache-2.0",
    .kinds = PP_KIND_PROVIDER,
    .threads = PP_THREADS_PARALLEL, /* collect keeps its state on the stack */
    .config_schema =
        "{\"type\":\"object\",\"additionalProperties\":false,"
        "\"properties\":{"
        "\"greeting\":{\"type\":\"string\"},"
        "\"count\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":100}"
        "}}",
    .init = example_init,
    .destroy = example_destroy,
    .last_error = example_last_error,
    .provider = &example_provider,
};

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out)
{
    (void)h;
    if (api == NULL || api->abi_major != PP_ABI_MAJOR)
        return PP_ERR_INVALID;
    host = api;
    *out = &example_descriptor;
    return PP_OK;
}
