/*
 * aws_json.h - helpers for the JSON protocols (JSON 1.1, REST-JSON): parse a
 * reply with an error that names the call, and copy AWS members into the
 * documented shapes (lowerCamelCase member names, times as RFC 3339 text).
 */
#ifndef PP_AWS_JSON_H
#define PP_AWS_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

/** Largest JSON reply accepted (bytes); bigger ones are refused as malformed. */
#define AWS_JSON_MAX (16u * 1024u * 1024u)

/**
 * aj_parse - parse @text (NUL-terminated, may be NULL) as a JSON object.
 * Returns the object (cJSON_Delete it) or NULL with "@call: ..." in @err
 * (empty, truncated, not JSON, not an object, too large). Never reads
 * past the terminator.
 */
cJSON *aj_parse(const char *text, const char *call, char *err, size_t errlen);

/** aj_copy - add a deep copy of @src.@member to @dst as @key, when present (null kept as null). */
void aj_copy(cJSON *dst, const char *key, const cJSON *src, const char *member);
/** aj_copy_or_null - like aj_copy, but an absent member becomes null. */
void aj_copy_or_null(cJSON *dst, const char *key, const cJSON *src, const char *member);
/** aj_bool - @src.@member as a boolean under @key; absent -> @dflt (-1: leave absent). */
void aj_bool(cJSON *dst, const char *key, const cJSON *src, const char *member, int dflt);
/**
 * aj_time - @src.@member, an epoch-seconds number (JSON 1.1 and REST-JSON
 * timestamps) or a string, as RFC 3339 UTC text under @key; absent or
 * invalid -> not added (or null with @or_null).
 */
void aj_time(cJSON *dst, const char *key, const cJSON *src, const char *member, int or_null);
/**
 * aj_camel - a deep copy of @v whose object member names start with a
 * lower-case letter ("ReadWriteType" -> "readWriteType"; a leading run of
 * capitals is lowered except its last letter before a lower-case one:
 * "DBInstance" -> "dbInstance"). Returns NULL for NULL.
 */
cJSON *aj_camel(const cJSON *v);
/** aj_string_list - a new array of the strings of @src.@member (a string array); [] when absent. */
cJSON *aj_string_list(const cJSON *src, const char *member);
/** aj_policy - a policy document given as JSON text in @src.@member -> object; NULL when absent or unparsable. */
cJSON *aj_policy_member(const cJSON *src, const char *member);

#endif
