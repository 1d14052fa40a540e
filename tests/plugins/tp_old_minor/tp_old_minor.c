/*
 * tp_old_minor - a provider built against the FROZEN ABI 1.0 headers
 * (tests/plugins/abi-v1.0; its -I points there and nowhere else).
 *
 * It proves the promise of parapet/version.h: a plugin built against an
 * older minor keeps working in a newer host. Its pp_resource is the 1.0
 * struct (no source_column, so a smaller `size`) and it calls only 1.0
 * host services. plan: tasks "a" and "b", 3 resources each (uids
 * "tp_old_minor:TASK:I"); task "a" also emits "tp_old_minor:file:main.tf"
 * with source "main.tf" line 7.
 */
#define _POSIX_C_SOURCE 200809L

#include "../common/tp_simple.h"

#include <stdlib.h>

/* Fail the build if the frozen headers are not the ones in use. */
_Static_assert(PP_ABI_MAJOR == 1 && PP_ABI_MINOR == 0, "tp_old_minor must see the frozen v1.0 headers");
_Static_assert(sizeof(pp_resource) == offsetof(pp_resource, observed_at) + sizeof(int64_t),
               "pp_resource must end at observed_at in ABI 1.0");
_Static_assert(sizeof(pp_host_api) == offsetof(pp_host_api, progress) + sizeof(void (*)(void)),
               "pp_host_api must end at progress in ABI 1.0");

#define TP_NAME "tp_old_minor"
#define TP_PER_TASK 3

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out);

static const pp_host_api *g_api;

typedef struct tp_inst {
    pp_host *h;
} tp_inst;

static int tp_init(pp_host *h, const char *config_json, void **inst, const char **err)
{
    tp_inst *t = g_api->alloc(h, sizeof *t); /* 1.0 host memory service */
    (void)config_json;
    if (!t) {
        *err = "tp_old_minor: out of memory";
        return PP_ERR_NOMEM;
    }
    t->h = h;
    *inst = t;
    pp_logf(g_api, h, PP_LOG_DEBUG, "tp_old_minor: built for ABI %d.%d, host offers %u.%u",
            PP_ABI_MAJOR, PP_ABI_MINOR, (unsigned)g_api->abi_major, (unsigned)g_api->abi_minor);
    return PP_OK;
}

static void tp_destroy(void *inst)
{
    tp_inst *t = inst;
    if (t)
        g_api->free(t->h, t);
}

static const char *tp_plan(void *inst, const char *targets_json)
{
    (void)inst;
    (void)targets_json;
    return "[{\"id\":\"a\"},{\"id\":\"b\"}]";
}

static int tp_collect(void *inst, const char *task_json)
{
    tp_inst *t = inst;
    char id[32];
    int rc;

    if (tp_task_id(task_json, id, sizeof id) != 0)
        return PP_ERR_INVALID;
    rc = tp_emit_items(g_api, t->h, TP_NAME, id, TP_PER_TASK);
    if (rc == PP_OK && strcmp(id, "a") == 0) {
        pp_resource r;
        PP_INIT(&r); /* size = the 1.0 sizeof(pp_resource) */
        r.uid = "tp_old_minor:file:main.tf";
        r.type = "tp.file_item";
        r.provider = "tp";
        r.name = "main.tf";
        r.data_json = "{\"abi_minor\":0}";
        r.source = "main.tf";
        r.source_line = 7;
        rc = g_api->emit_resource(t->h, &r);
    }
    g_api->progress(t->h, 1, 1, "tasks");
    return rc;
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
    .description = "test plugin: built against the frozen ABI 1.0 headers",
    .license = "Apache-2.0",
    .kinds = PP_KIND_PROVIDER,
    .threads = PP_THREADS_SERIAL,
    .config_schema = NULL,
    .init = tp_init,
    .destroy = tp_destroy,
    .provider = &tp_provider,
};

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out)
{
    (void)h;
    if (!api || api->abi_major != PP_ABI_MAJOR)
        return PP_ERR_INVALID;
    g_api = api;
    *out = &tp_descriptor;
    return PP_OK;
}
