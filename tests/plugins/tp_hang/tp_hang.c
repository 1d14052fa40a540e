/*
 * tp_hang - a provider whose collect never returns on one task.
 *
 * plan: tasks "ok1", "stuck", "ok2". The ok tasks emit 4 resources each
 * (uids "tp_hang:TASK:I"); "stuck" sleeps forever and never polls
 * host->cancelled. With a task timeout the host must stop it, report the
 * plugin and task by name, finish the scan and keep the other results.
 */
#define _POSIX_C_SOURCE 200809L

#include "../common/tp_simple.h"

#include <stdlib.h>
#include <time.h>

#define TP_NAME "tp_hang"
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
        *err = "tp_hang: out of memory";
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
    return "[{\"id\":\"ok1\"},{\"id\":\"stuck\"},{\"id\":\"ok2\"}]";
}

static int tp_collect(void *inst, const char *task_json)
{
    tp_inst *t = inst;
    char id[32];

    if (tp_task_id(task_json, id, sizeof id) != 0)
        return PP_ERR_INVALID;
    if (strcmp(id, "stuck") == 0) {
        g_api->log(t->h, PP_LOG_INFO, "tp_hang: hanging on purpose, ignoring cancellation");
        for (;;) {
            struct timespec ts = { 1, 0 };
            nanosleep(&ts, NULL); /* never polls host->cancelled, on purpose */
        }
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
    .description = "test plugin: collect hangs on task 'stuck'",
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
