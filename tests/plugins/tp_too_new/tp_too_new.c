/*
 * tp_too_new - declares ABI 1.99: the right major, a minor newer than any
 * host. The host must refuse it with a message naming the plugin,
 * the ABI it needs (1.99) and the ABI the host offers; it must never call
 * init or any callback (they would abort to make that visible).
 */
#include <parapet/plugin.h>

#include <stdlib.h>

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out);

static int tp_init(pp_host *h, const char *config_json, void **inst, const char **err)
{
    (void)h;
    (void)config_json;
    (void)inst;
    (void)err;
    abort(); /* a refused plugin must never be initialised */
}

static void tp_destroy(void *inst)
{
    (void)inst;
    abort();
}

static const char *tp_plan(void *inst, const char *targets_json)
{
    (void)inst;
    (void)targets_json;
    abort();
}

static int tp_collect(void *inst, const char *task_json)
{
    (void)inst;
    (void)task_json;
    abort();
}

static const pp_provider_api tp_provider = {
    .size = sizeof(pp_provider_api),
    .plan = tp_plan,
    .collect = tp_collect,
};

static const pp_plugin tp_descriptor = {
    .size = sizeof(pp_plugin),
    .abi_major = PP_ABI_MAJOR,
    .abi_minor = 99, /* on purpose: newer than the host */
    .name = "tp_too_new",
    .version = "1.0.0",
    .description = "test plugin: declares ABI 1.99",
    .license = "Apache-2.0",
    .kinds = PP_KIND_PROVIDER,
    .threads = PP_THREADS_SERIAL,
    .init = tp_init,
    .destroy = tp_destroy,
    .provider = &tp_provider,
};

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out)
{
    (void)api;
    (void)h;
    *out = &tp_descriptor;
    return PP_OK;
}
