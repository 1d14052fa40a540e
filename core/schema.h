/*
 * core/schema.h - validate plugin configuration against the plugin's JSON
 * Schema, before init.
 *
 * The supported subset (docs/config-schema.md): type (string or array of
 * types: object, array, string, integer, number, boolean, null), properties,
 * required, enum, pattern (POSIX extended regex, anchored only as written),
 * minimum, maximum, minLength, maxLength, items, additionalProperties
 * (boolean or schema), default (filled in for absent properties) and
 * description (ignored). Unknown keywords are ignored, as JSON Schema says.
 */
#ifndef PP_CORE_SCHEMA_H
#define PP_CORE_SCHEMA_H

#include <cjson/cJSON.h>
#include <stddef.h>

/*
 * schema_check - check that @schema_text parses and only uses the subset
 * correctly (e.g. "type" names a known type). Returns 0, or -1 with a reason
 * in @err.
 */
int schema_check(const char *schema_text, char *err, size_t errlen);

/*
 * schema_apply - coerce, fill defaults and validate @config (modified in
 * place) against @schema_text. Values that arrived as strings from the
 * command line ("8", "true", "a,b") are converted to the type the schema
 * declares for them. Returns 0 when valid; -1 with the first problem in
 * @err, naming the key path ("jobs: must be at least 1").
 * A NULL schema accepts only an empty object.
 */
int schema_apply(const char *schema_text, cJSON *config, char *err, size_t errlen);

#endif
