/*
 * plugins/snapshot/json_scan.h - check one line of JSON in a single pass
 * and note where the members of its top-level object are, without building
 * a tree.
 *
 * js_scan validates the text against the grammar of RFC 8259 (strings must
 * be well-formed UTF-8 and may not hold raw control characters, lone UTF-16
 * surrogate escapes or "\u0000"; numbers follow the strict grammar; nesting
 * is capped at JS_MAX_DEPTH), finds member names repeated in one object at
 * any depth, and records the byte span of the value of each top-level
 * member the caller asked for. The other helpers work on text js_scan has
 * already accepted: they decode strings, compact whitespace and walk the
 * members of an object span.
 *
 * Nothing here keeps global state; a js_scanner belongs to one thread.
 */
#ifndef PP_SNAPSHOT_JSON_SCAN_H
#define PP_SNAPSHOT_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>

/* Deepest nesting of objects and arrays accepted (as cJSON's default). */
#define JS_MAX_DEPTH 1000

/* What a span holds. */
enum js_kind { JS_ABSENT = 0, JS_NULL, JS_FALSE, JS_TRUE, JS_NUMBER, JS_STRING, JS_ARRAY, JS_OBJECT };

/* js_span.flags */
#define JS_HAS_WS 1u  /* an object or array with whitespace between its tokens */
#define JS_HAS_ESC 2u /* a string with at least one backslash escape */

/*
 * The text of one JSON value: bytes [off, off + len) of the scanned text,
 * quotes and brackets included. kind is JS_ABSENT for a member not present.
 */
typedef struct js_span {
    size_t off;
    size_t len;
    unsigned kind;
    unsigned flags;
} js_span;

/* A top-level member name the caller wants the value span of. */
typedef struct js_name {
    const char *name;
    size_t len;
} js_name;

/* How js_scan failed. */
enum js_status {
    JS_OK = 0,
    JS_ERR_SYNTAX,    /* not JSON; at and why say where and what */
    JS_ERR_TRAILING,  /* text other than spaces, tabs or CR after the value; at is its offset */
    JS_ERR_DUPLICATE, /* valid JSON, but an object repeats a member name; dup is that name */
    JS_ERR_NOMEM
};

typedef struct js_error {
    int status;      /* enum js_status */
    size_t at;       /* byte offset of the problem (syntax, trailing) */
    const char *why; /* static text for JS_ERR_SYNTAX */
    js_span dup;     /* JS_ERR_DUPLICATE: the repeated name (a string span) */
} js_error;

/* One member name of an open object, for the duplicate check. */
typedef struct js_key {
    uint32_t off;  /* first byte after the opening quote */
    uint32_t len;  /* raw bytes between the quotes */
    uint32_t dlen; /* decoded length; smaller than len exactly when escaped */
    uint32_t hash; /* of the decoded bytes; set only to sort a big object */
} js_key;

/* Scratch space reused from line to line. Zero it, or use js_scanner_init. */
typedef struct js_scanner {
    js_key *keys; /* names of the objects open right now, innermost last */
    size_t n_keys, cap_keys;
    js_key *sort_tmp; /* merge-sort scratch for big objects */
    size_t cap_tmp;
    uint32_t key_base[JS_MAX_DEPTH]; /* first key of each open object */
    unsigned char open[JS_MAX_DEPTH]; /* '{' or '[' per open level */
} js_scanner;

/* js_scanner_init - empty scratch. js_scanner_free - release it (safe twice). */
void js_scanner_init(js_scanner *s);
void js_scanner_free(js_scanner *s);

/*
 * js_scan - validate @text (@len bytes; no terminator needed) as exactly one
 * JSON value, optionally surrounded by spaces and tabs (and CR after it).
 * For each of the @n_names top-level member names in @names, members[i]
 * receives the span of that member's value, or kind JS_ABSENT; these are
 * filled only when the value is an object. *root receives the span of the
 * whole value.
 * Returns 0, or -1 with @err filled. A duplicate name is reported only when
 * the whole text is otherwise valid; which of several problems is reported
 * first is not part of the contract.
 */
int js_scan(js_scanner *s, const char *text, size_t len, const js_name *names, size_t n_names, js_span *root,
            js_span *members, js_error *err);

/*
 * js_utf8_seq_len - length (2..4) of the well-formed multi-byte UTF-8
 * sequence at @s (@avail bytes available, @s[0] >= 0x80), or 0 when it is
 * ill-formed (overlong, a surrogate, above U+10FFFF, truncated).
 */
size_t js_utf8_seq_len(const unsigned char *s, size_t avail);

/*
 * js_string_decode - write the decoded bytes of the validated string
 * @str (span of @text, quotes included) to @out and return their number.
 * @out may point anywhere into the span itself (decoding never writes
 * past what it has read); it gets no terminator.
 */
size_t js_string_decode(const char *text, js_span str, char *out);

/* js_string_decoded_len - what js_string_decode would return, without writing. */
size_t js_string_decoded_len(const char *text, js_span str);

/*
 * js_string_preview - the first @outlen - 1 decoded bytes of @str, NUL-
 * terminated, for messages. A NUL can not occur (js_scan refuses \u0000).
 */
void js_string_preview(const char *text, js_span str, char *out, size_t outlen);

/*
 * js_compact - remove the whitespace between the tokens of the validated
 * JSON text @t[0..len) in place; returns the new length.
 */
size_t js_compact(char *t, size_t len);

/*
 * js_number_u32 - the value of the validated number @num of @text when it is
 * an integer from 0 to UINT32_MAX, in any spelling ("3", "3.0", "30e-1");
 * returns 0 and sets *out, or -1.
 */
int js_number_u32(const char *text, js_span num, uint32_t *out);

/* Walks the members of a validated object span, in order. */
typedef struct js_members {
    const char *text;
    size_t pos; /* next byte to look at */
    size_t end; /* offset of the closing brace */
} js_members;

void js_members_init(js_members *it, const char *text, js_span obj);

/* js_members_next - 1 and the next member's name and value spans, or 0 at the end. */
int js_members_next(js_members *it, js_span *name, js_span *value);

#endif /* PP_SNAPSHOT_JSON_SCAN_H */
