/*
 * tp_bad_schema - a provider whose config schema requires key "x".
 *
 * Schema: x is a required integer from 1 to 10; color is an optional
 * string, one of "red" and "green"; no other keys. Scans without
 * -o tp_bad_schema.x=N, or with a value of the wrong type or range, must
 * fail before collect with an error naming the plugin and the key. With a
 * valid config it emits one resource "tp_bad_schema:x:X" whose data
 * echoes the config it was given.
 */
#define _POSIX_C_SOURCE 200809L

#include "../common/tp_simple.h"

#include <stdlib.h>

#define TP_NAME "tp_bad_schema"
#define TP_PER_TASK 4

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out);

static const pp_host_api *g_api;

typedef struct tp_inst {
    pp_host *h;
    int x;        /* config "x" */
    char *config; /* the config object as received */
} tp_inst;

static const char tp_schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"x\"],"
    "\"properties\":{"
    "\"x\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":10},"
    "\"color\":{\"type\":\"string\",\"enum\":[\"red\",\"green\"]}"
    "}}";

static int tp_init(pp_host *h, const char *config_json, void **inst, const char **err)
{
    tp_inst *t;
    cJSON *cfg = cJSON_Parse(config_json ? config_json : "");
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(cfg, "x");

    *inst = NULL;
    /* The host validated the config; check anyway, a plugin must not trust it. */
    if (!cJSON_IsNumber(x) || x->valuedouble < 1 || x->valuedouble > 10) {
        cJSON_Delete(cfg);
        *err = "config key 'x' is missing or not an integer from 1 to 10";
        return PP_ERR_INVALID;
    }
    t = calloc(1, sizeof *t);
    if (t)
        t->config = cJSON_PrintUnformatted(cfg);
    if (!t || !t->config) {
        cJSON_Delete(cfg);
        free(t);
        *err = "tp_bad_schema: out of memory";
        return PP_ERR_NOMEM;
    }
    t->h = h;
    t->x = (int)x->valuedouble;
    cJSON_Delete(cfg);
    *inst = t;
    return PP_OK;
}

static void tp_destroy(void *inst)
{
    tp_inst *t = inst;
    if (t)
        cJSON_free(t->config);
    free(t);
}

static const char *tp_plan(void *inst, const char *targets_json)
{
    (void)inst;
    (void)targets_json;
    return "[{\"id\":\"only\"}]";
}

static int tp_collect(void *inst, const char *task_json)
{
    tp_inst *t = inst;
    char id[32];

    if (tp_task_id(task_json, id, sizeof id) != 0)
        return PP_ERR_INVALID;
    if (strcmp(id, "only") == 0) {
        pp_resource r;
        char uid[64];
        int rc;
        snprintf(uid, sizeof uid, "tp_bad_schema:x:%d", t->x);
        PP_INIT(&r);
        r.uid = uid;
        r.type = "tp.config_echo";
        r.provider = "tp";
        r.data_json = t->config;
        rc = g_api->emit_resource(t->h, &r);
        return rc;
    }
    return tp_emit_items(g_api, t->h, TP_NAME, id, TP_PER_TASK);
}

static const pp_provider_api tp_provider = {
    .size = sizeof(pp_provider_api),
    .plan = tp_plan,
    .collect = tp_collect,
};

static const pp_plugin tp_descriptor = {
    .size = sizeof(pp_plugin),
    .abi_major = PP_ABI_MAJOR,
    .abi_minor = PP_ABI_MINOR,
    .name = TP_NAME,
    .version = "1.0.0",
    .description = "test plugin: config schema requires key x",
    .license = "Apache-2.0",
    .kinds = PP_KIND_PROVIDER,
    .threads = PP_THREADS_SERIAL,
    .config_schema = tp_schema,
    .init = tp_init,
    .destroy = tp_destroy,
    .provider = &tp_provider,
};

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out)
{
    (void)h;
    g_api = api;
    *out = &tp_descriptor;
    return PP_OK;
}
