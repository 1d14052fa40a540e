/*
 * tp_dup - a provider whose name, "tp_all", collides with tp_all.
 *
 * The host must refuse whichever of the two it loads second (plugin dirs
 * are read in name order, so tp_dup.so after tp_all.so), list it as
 * refused with the reason, and keep the first one.
 */
#define _POSIX_C_SOURCE 200809L

#include "../common/tp_simple.h"

#include <stdlib.h>

#define TP_NAME "tp_all" /* on purpose: collides with tp_all */
#define TP_PER_TASK 4

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out);

static const pp_host_api *g_api;

typedef struct tp_inst {
    pp_host *h;
} tp_inst;

static int tp_init(pp_host *h, const char *config_json, void **inst, const char **err)
{
    tp_inst *t = calloc(1, sizeof *t);
    (void)config_json;
    if (!t) {
        *err = "tp_dup: out of memory";
        return PP_ERR_NOMEM;
    }
    t->h = h;
    *inst = t;
    return PP_OK;
}

static void tp_destroy(void *inst)
{
    free(inst);
}

static const char *tp_plan(void *inst, const char *targets_json)
{
    (void)inst;
    (void)targets_json;
    return "[{\"id\":\"dup\"}]";
}

static int tp_collect(void *inst, const char *task_json)
{
    tp_inst *t = inst;
    char id[32];

    if (tp_task_id(task_json, id, sizeof id) != 0)
        return PP_ERR_INVALID;
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
    .version = "9.9.9-dup",
    .description = "test plugin: duplicate of tp_all's name",
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
    g_api = api;
    *out = &tp_descriptor;
    return PP_OK;
}
