/*
 * tp_no_entry - a shared object without the parapet_plugin_entry_v1 symbol.
 *
 * It exports only parapet_plugin_entry_v0, a name for an ABI major that
 * never existed (as a plugin with a typo or for a wrong major would). The
 * host must refuse it, name the file and say the entry symbol is missing.
 */
#include <parapet/plugin.h>

PP_PLUGIN_EXPORT int parapet_plugin_entry_v0(const pp_host_api *api, pp_host *h, const pp_plugin **out);

PP_PLUGIN_EXPORT int parapet_plugin_entry_v0(const pp_host_api *api, pp_host *h, const pp_plugin **out)
{
    (void)api;
    (void)h;
    *out = NULL;
    return PP_ERR;
}
