/*
 * parapet/version.h - version of the plugin ABI described by these headers.
 *
 * Added in ABI 1.0.
 *
 * A plugin records PP_ABI_MAJOR and PP_ABI_MINOR of the headers it was
 * built against in its pp_plugin descriptor. The host accepts the plugin
 * when the majors are equal and the host's minor is greater than or equal
 * to the plugin's. Everything added within one major is appended at the end
 * of a struct, so a plugin built against an older minor keeps working.
 */
#ifndef PARAPET_VERSION_H
#define PARAPET_VERSION_H

/** Major version of the ABI: bumped only on an incompatible change. */
#define PP_ABI_MAJOR 1
/** Minor version of the ABI: bumped whenever a field or callback is appended. */
#define PP_ABI_MINOR 4

/** Name of the symbol every plugin of ABI major 1 exports. */
#define PP_ENTRY_SYMBOL_V1 "parapet_plugin_entry_v1"

#endif /* PARAPET_VERSION_H */
