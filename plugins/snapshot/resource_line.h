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
 * Limits of the JSON itself (strict RFC 8259, nesting up to 1000 levels)
 * are those of json_scan.h.
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

/* Reusable state of a parser: scratch space only. One per thread. */
typedef struct rl_parser rl_parser;

/* rl_parser_new - a parser, or NULL when out of memory. Free with rl_parser_free. */
rl_parser *rl_parser_new(void);

/* rl_parser_free - release @p and its scratch space. Safe on NULL. */
void rl_parser_free(rl_parser *p);

/*
 * rl_is_ignorable - nonzero when the line is blank (only spaces and tabs)
 * or a comment (first non-blank byte is '#'). @line need not be
 * NUL-terminated.
 */
int rl_is_ignorable(const char *line, size_t len);

/*
 * rl_parse - parse and validate one line (without its line terminator) in
 * a single pass over its bytes; @line[@len] must be '\0'.
 * The line is rewritten in place: the strings of @res point into it,
 * decoded and NUL-terminated, and tags_json and data_json are the original
 * text of those members (whitespace between tokens removed, everything else
 * -- number spellings, escapes, member order -- as written), NUL-terminated
 * where the delimiter after them was. @res is valid until @line is reused.
 * On success returns 0 and fills @res.
 * On failure returns -1 and writes a one-line reason into @err (never more
 * than @errlen bytes, always NUL-terminated); @line is then garbage. The
 * reason quotes member names but never data values, except a bad type
 * (truncated, control characters replaced).
 */
int rl_parse(rl_parser *p, char *line, size_t len, pp_resource *res, char *err, size_t errlen);

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
