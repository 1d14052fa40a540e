/*
 * tp_provider.h - the whole of a small test provider except its plan and
 * collect: instance, init, destroy, provider vtable, descriptor and entry.
 *
 * A plugin defines TP_NAME, TP_VERSION and TP_DESCRIPTION, then includes
 * this header, then defines
 *     static const char *tp_plan(void *inst, const char *targets_json);
 *     static int tp_collect(void *inst, const char *task_json);
 * With TP_CUSTOM_INIT defined it also defines tp_init itself (tp_init_fail).
 * The instance is a tp_inst holding the host handle; g_api is the host's
 * services table, set by the entry function. Header-only, so each plugin
 * stays one self-contained .so.
 */
#ifndef TP_PROVIDER_H
#define TP_PROVIDER_H

#include "tp_simple.h"

#include <stdlib.h>

#if !defined(TP_NAME) || !defined(TP_VERSION) || !defined(TP_DESCRIPTION)
#error "define TP_NAME, TP_VERSION and TP_DESCRIPTION before including tp_provider.h"
#endif

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out);

static const pp_host_api *g_api;

typedef struct tp_inst {
    pp_host *h;
} tp_inst;

static const char *tp_plan(void *inst, const char *targets_json);
static int tp_collect(void *inst, const char *task_json);

#ifdef TP_CUSTOM_INIT
static int tp_init(pp_host *h, const char *config_json, void **inst, const char **err);
#else
static int tp_init(pp_host *h, const char *config_json, void **inst, const char **err)
{
    tp_inst *t = calloc(1, sizeof *t);
    (void)config_json;
    if (!t) {
        *err = TP_NAME ": out of memory";
        return PP_ERR_NOMEM;
    }
    t->h = h;
    *inst = t;
    return PP_OK;
}
#endif

static void tp_destroy(void *inst)
{
    free(inst);
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
    .version = TP_VERSION,
    .description = TP_DESCRIPTION,
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

#endif
