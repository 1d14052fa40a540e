/*
 * core/record.h - records owned by the core.
 *
 * A plugin hands the host a borrowed pp_* struct; the core turns it into a
 * `rec`: one allocation holding the struct and copies of all its strings.
 * The same field tables drive copying, validation, the worker pipe encoding
 * and JSON rendering, so a field appended to records.h is added in one place.
 */
#ifndef PP_CORE_RECORD_H
#define PP_CORE_RECORD_H

#include <parapet/records.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef enum rec_kind {
    REC_RESOURCE = 1,
    REC_FINDING = 2,
    REC_EVENT = 3,
    REC_INDICATOR = 4,
    REC_ADVISORY = 5,
    REC_PACKAGE = 6,
    REC_KIND_MAX = 6
} rec_kind;

typedef struct rec {
    struct rec *next;   /* queue link, owned by whoever holds the record */
    rec_kind kind;
    size_t bytes;       /* allocation size, for memory accounting */
    const char *plugin; /* emitting plugin's name (points into the blob) */
    union {
        pp_resource resource;
        pp_finding finding;
        pp_event event;
        pp_indicator indicator;
        pp_advisory advisory;
        pp_package package;
    } u;
} rec;

/* rec_kind_name - "resource", "finding", ... */
const char *rec_kind_name(rec_kind k);

/*
 * rec_copy - validate the plugin's struct @src of kind @k and copy it into a
 * new rec. Reads only the fields inside src->size (older plugins send smaller
 * structs). @plugin is copied too. Returns NULL and writes a reason to @err
 * when a required field is missing, a *_json field is not valid JSON of the
 * right kind, or a string is not UTF-8. Caller frees with rec_free.
 */
rec *rec_copy(rec_kind k, const void *src, const char *plugin, char *err, size_t errlen);

/*
 * rec_new_trusted - build a record of kind @k from @vals, a full-size struct
 * of the kind (its size member equal to sizeof the struct), copying every
 * string, for records the core makes itself from parts it has already
 * checked (the rule engine's findings: rule texts checked at load, resource
 * fields from a validated record, rendered texts checked by the engine).
 * Required fields (present, non-empty) and enum ranges are checked; UTF-8
 * and JSON syntax are NOT: the caller vouches that every string is UTF-8 and
 * every *_json member valid JSON of its kind, as rec_copy would demand.
 * Returns NULL when a check fails or @k, @vals or @plugin is invalid.
 * Caller frees with rec_free.
 */
rec *rec_new_trusted(rec_kind k, const void *vals, const char *plugin);

/* rec_text_valid - nonzero when @s is well-formed UTF-8 (rec_copy's check of text fields). */
int rec_text_valid(const char *s);

/* rec_free - release a record (NULL is fine). */
void rec_free(rec *r);

/*
 * rec_encode - append the wire form of @r to @out (used on the worker pipe).
 * rec_decode - parse one wire form of @len bytes; NULL on malformed input
 * (the pipe is trusted less than memory: a worker may be corrupted).
 */
void rec_encode(const rec *r, sbuf *out);
rec *rec_decode(const unsigned char *p, size_t len);

/*
 * rec_to_json - append the JSON document of the record (docs/records.md) to
 * @out. @scan_id is included for findings when > 0.
 */
void rec_to_json(const rec *r, int64_t scan_id, sbuf *out);

/* json_put_string - append @s as a JSON string literal (with quotes). */
void json_put_string(sbuf *out, const char *s);

/* severity and status names and parsing; parse returns -1 on unknown. */
const char *severity_name(int sev);
int severity_parse(const char *s);
const char *status_name(int st);
int status_parse(const char *s);

#endif
