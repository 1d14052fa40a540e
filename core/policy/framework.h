/*
 * core/policy/framework.h - compliance framework mappings (docs/rules.md,
 * "A framework file"): requirement ids and titles mapped onto rule ids.
 *
 * Used by the rule engine (each finding's `compliance` array) and by the
 * store for `parapet compliance`. A framework that names a rule id no loaded
 * rule has is still valid here; `parapet policy lint` reports it.
 */
#ifndef PP_CORE_POLICY_FRAMEWORK_H
#define PP_CORE_POLICY_FRAMEWORK_H

#include <stddef.h>

#include <cJSON.h>

typedef struct fw_requirement {
    char *id, *title, *section;
    int automated;  /* 0: a human must judge it (reported as "manual") */
    char **rules;   /* rule ids */
    size_t n_rules;
} fw_requirement;

typedef struct framework {
    char *id, *title, *version;
    fw_requirement *reqs;
    size_t n_reqs;
} framework;

/* Caps on framework input. */
#define FW_FILE_MAX (8 * 1024 * 1024) /* bytes of one framework file */
#define FW_MAX_FILES 1000             /* framework files in one directory */

/*
 * frameworks_load - parse every *.json file directly in @dir (in name
 * order; other files and subdirectories are ignored) into a new array *@out
 * of *@n frameworks. A missing @dir gives 0 frameworks, not an error.
 * Returns 0, or -1 with "FILE: requirement 'ID': reason" in @err and
 * *@out = NULL, *@n = 0 on a malformed file, a duplicate framework id, a
 * file over FW_FILE_MAX or an unreadable directory. Release with
 * frameworks_free.
 */
int frameworks_load(const char *dir, framework **out, size_t *n, char *err, size_t errlen);

/*
 * framework_parse - validate one framework object @obj (from a file or a
 * policy plugin's frameworks()) into *@out, which the caller later releases
 * with frameworks_free(out, 1) (or as part of an array). @origin names the
 * source in errors. Returns 0, or -1 with a reason in @err (then *@out holds
 * nothing to free).
 */
int framework_parse(const cJSON *obj, const char *origin, framework *out, char *err, size_t errlen);

/* frameworks_free - release @n frameworks at @f and the array (NULL is fine). */
void frameworks_free(framework *f, size_t n);

#endif
