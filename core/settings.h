/*
 * core/settings.h - configuration: files, environment, flags.
 *
 * Precedence, lowest first: /etc/parapet/parapet.conf, then
 * $XDG_CONFIG_HOME/parapet/parapet.conf (~/.config/...), then PARAPET_*
 * environment variables, then command-line flags and -o options. `--config
 * FILE` replaces both files. Format (docs/configuration.md): INI with
 * [core] and [plugin.NAME] sections, `key = value` lines, `#`/`;` comments.
 */
#ifndef PP_CORE_SETTINGS_H
#define PP_CORE_SETTINGS_H

#include <cjson/cJSON.h>
#include <stddef.h>

typedef struct pp_config pp_config;

/* config_new - an empty configuration. Never NULL. */
pp_config *config_new(void);
void config_free(pp_config *c);

/*
 * config_load_file - merge an INI file into @c. A missing file is fine when
 * @must_exist is 0. Returns 0, or -1 with "FILE:LINE: reason" in @err. The
 * file is refused when it is a symlink or larger than 1 MiB.
 */
int config_load_file(pp_config *c, const char *path, int must_exist, char *err, size_t errlen);

/* config_load_env - merge PARAPET_* variables (PARAPET_DB, PARAPET_JOBS, ...)
 * into the [core] section: PARAPET_PLUGIN_DIR becomes core.plugin_dir. */
void config_load_env(pp_config *c);

/*
 * config_set - set @key in @section ("core" or a plugin name) to the string
 * @value (copied). Plugin values stay strings until the plugin's schema
 * converts them.
 */
void config_set(pp_config *c, const char *section, const char *key, const char *value);

/*
 * config_set_option - apply one "-o PLUGIN.KEY=VALUE". Returns 0, or -1 with
 * a reason in @err when it is not of that form.
 */
int config_set_option(pp_config *c, const char *opt, char *err, size_t errlen);

/* config_get - the string value of @key in @section, or @def. Borrowed. */
const char *config_get(const pp_config *c, const char *section, const char *key, const char *def);

/* config_plugin - a new copy of plugin @name's config object (maybe empty). */
cJSON *config_plugin(const pp_config *c, const char *name);

/* config_sections - the object of all sections (borrowed), for listing. */
const cJSON *config_sections(const pp_config *c);

#endif
