/*
 * plugins/snapshot/resource_line.h - turn one line of a JSON Lines inventory
 * export into a pp_resource, or say precisely why it cannot be.
 *
 * The line format is the resource record of docs/records.md. Validation:
 *   - the line is valid UTF-8, one JSON object, without "\u0000" escapes
 *     and without duplicate member names at any depth;
 *   - uid, type, provider: required non-empty strings without control
 *     characters; type matches ^[a-z0-9]+(\.[a-z0-9_]+)+$ and provider
 *     matches ^[a-z0-9][a-z0-9_-]*$;
 *   - account, region, name: optional strings (null = absent);
 *   - tags: optional object whose members are all strings (null = absent);
 *   - data: optional object (null = absent = {});
 *   - source: optional {"kind":"api"} or
 *     {"kind":"file","file":STR,"line":INT>=1[,"column":INT>=1]};
 *   - observed_at: optional RFC 3339 date-time string.
 * Members not listed are ignored, so records written by a newer parapet
 * (or by the jsonl output, which adds scan bookkeeping) still import.
 *
 * Everything here is reentrant; no global state.
 */
#ifndef PP_SNAPSHOT_RESOURCE_LINE_H
#define PP_SNAPSHOT_RESOURCE_LINE_H

#include <stddef.h>
#include <stdint.h>

#include <parapet/records.h>

/* Length caps, in bytes. */
#define RL_MAX_UID 4096
#define RL_MAX_TYPE 128
#define RL_MAX_PROVIDER 64
#define RL_MAX_ACCOUNT 256
#define RL_MAX_REGION 128
#define RL_MAX_NAME 1024
#define RL_MAX_TAG_KEY 1024
#define RL_MAX_TAG_VALUE 65536
#define RL_MAX_TAGS 4096

/* One parsed line. Everything the pp_resource points to is owned here. */
typedef struct rl_record {
    void *root;      /* the parsed line (cJSON *), owned */
    char *tags_json; /* compact JSON of "tags", or NULL; owned */
    char *data_json; /* compact JSON of "data", or NULL; owned */
    pp_resource res; /* borrows from the three above */
} rl_record;

/*
 * rl_is_ignorable - nonzero when the line is blank (only spaces and tabs)
 * or a comment (first non-blank byte is '#'). @line need not be
 * NUL-terminated.
 */
int rl_is_ignorable(const char *line, size_t len);

/*
 * rl_parse - parse and validate one line (without its line terminator);
 * @line[@len] must be '\0'.
 * On success returns 0 and fills @rec; release it with rl_release.
 * On failure returns -1, leaves @rec empty, and writes a one-line reason
 * into @err (never more than @errlen bytes, always NUL-terminated). The
 * reason quotes member names but never data values, except a bad type
 * (truncated, control characters replaced).
 */
int rl_parse(const char *line, size_t len, rl_record *rec, char *err, size_t errlen);

/* rl_release - free what rl_parse allocated. Safe on a zeroed record. */
void rl_release(rl_record *rec);

/*
 * rl_parse_rfc3339 - parse "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)"
 * (the 'T' and 'Z' may be lower case) into Unix seconds; fractions are
 * dropped and a leap second 60 counts as 59. Returns 0, or -1 when @s is
 * not such a date-time or names an impossible date.
 */
int rl_parse_rfc3339(const char *s, int64_t *out);

/*
 * rl_utf8_invalid_at - offset of the first byte of @s[0..len) that is not
 * part of well-formed UTF-8 (overlong forms, surrogates and code points
 * above U+10FFFF are ill-formed), or @len when all of it is well-formed.
 */
size_t rl_utf8_invalid_at(const unsigned char *s, size_t len);

#endif /* PP_SNAPSHOT_RESOURCE_LINE_H */
