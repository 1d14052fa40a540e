/*
 * core/loader.h - find, load and vet plugins.
 *
 * Each plugin is dlopen'ed with RTLD_NOW | RTLD_LOCAL, its entry point is
 * called once, and its descriptor is checked: ABI (same major, host minor >=
 * plugin minor), name, a vtable for every declared kind with its required
 * callbacks, and a config schema the core understands. A plugin that fails
 * any check is kept in the registry as "refused" with the reason, so
 * `plugin list` can show it; it never stops the other plugins from loading.
 */
#ifndef PP_CORE_LOADER_H
#define PP_CORE_LOADER_H

#include <parapet/plugin.h>
#include <stddef.h>

typedef struct loaded_plugin {
    char *path;       /* the .so file */
    char *name;       /* descriptor name, or the file stem when refused early */
    void *dl;         /* dlopen handle, or NULL */
    pp_host *host;    /* this plugin's host object */
    int ok;           /* 1 when usable */
    char *error;      /* why it was refused (when !ok) */
    int from_bundle;  /* installed from a bundle (its .so was re-hashed before loading) */
    int so_fd;        /* from_bundle: the checked .so, kept open while loaded (-1: none) */
    int verified;     /* from_bundle: signed by a trusted key */
    char signer[17];  /* from_bundle: the signing key's id, "" when unsigned */
    /* Normalised copies: zero-padded to this host's struct sizes, so the
     * core can read every field whatever minor the plugin was built with. */
    pp_plugin desc;
    pp_provider_api provider;
    pp_policy_api policy;
    pp_threat_feed_api threat_feed;
    pp_scanner_api scanner;
    pp_output_api output;
    pp_remediation_api remediation;
} loaded_plugin;

typedef struct registry {
    loaded_plugin **v;
    size_t n;
} registry;

/*
 * registry_load_dir - load every plugin in @dir, in name order:
 *  - DIR/NAME/ is an installed bundle (docs/bundles.md): its .so is re-hashed
 *    against the record made at install time and loaded from exactly the
 *    bytes that were hashed; a changed or unrecorded one is refused;
 *  - DIR/ *.so are loose plugins (development mode: a build tree), loaded as
 *    they are and marked so.
 * A missing directory is not an error. Returns the number of plugins examined.
 */
size_t registry_load_dir(registry *r, const char *dir);

/* registry_load_file - load one .so file into @r. Returns the entry (which
 * may be refused); never NULL. */
loaded_plugin *registry_load_file(registry *r, const char *path);

/* registry_dev_count - how many plugins were loaded from loose .so files
 * (development mode: no bundle, no signature, no re-hash). */
size_t registry_dev_count(const registry *r);

/* registry_find - the usable plugin called @name, or NULL. */
loaded_plugin *registry_find(const registry *r, const char *name);

/* registry_find_output - the usable output plugin listing @format. */
loaded_plugin *registry_find_output(const registry *r, const char *format);

/* registry_free - unload everything and free @r's contents. */
void registry_free(registry *r);

/* kinds_string - "provider,policy" for a kinds bitmask, into @buf. */
const char *kinds_string(uint32_t kinds, char *buf, size_t len);

#endif
