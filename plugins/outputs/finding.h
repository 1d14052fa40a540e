/*
 * plugins/outputs/finding.h - one finding, parsed once for every format.
 *
 * The host hands findings to outputs as JSON (docs/records.md). This file
 * checks the members the formats rely on and exposes them as C values; the
 * strings point into the parsed cJSON document, which the caller owns and
 * keeps alive while the view is used.
 */
#ifndef PP_OUTPUTS_FINDING_H
#define PP_OUTPUTS_FINDING_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* Caps on a finding's text, so a hostile record cannot balloon an output. */
#define OUT_FINDING_MAX_BYTES ((size_t)4 * 1024 * 1024)

typedef enum out_status { OUT_ST_PASS = 0, OUT_ST_FAIL, OUT_ST_ERROR, OUT_ST_MUTED } out_status;
typedef enum out_severity {
    OUT_SEV_INFO = 0,
    OUT_SEV_LOW,
    OUT_SEV_MEDIUM,
    OUT_SEV_HIGH,
    OUT_SEV_CRITICAL
} out_severity;
/* What the finding is about; decides the OCSF class (docs/outputs.md). */
typedef enum out_kind { OUT_KIND_POSTURE = 0, OUT_KIND_THREAT, OUT_KIND_VULNERABILITY } out_kind;

typedef struct out_finding {
    const cJSON *json;         /* the whole record */
    const char *rule_id;       /* required */
    const char *resource_uid;  /* required */
    const char *resource_type; /* the others are "" when absent */
    const char *title;
    const char *message;
    const char *remediation;
    const char *provider;
    const char *account;
    const char *region;
    const char *observed_at; /* as given, "" when absent */
    long long scan_id;       /* -1 when absent */
    out_status status;
    out_severity severity;
    out_kind kind;
    int64_t time_ms;         /* observed_at in ms since the epoch, else the caller's default */
    const cJSON *evidence;   /* object or NULL */
    const cJSON *compliance; /* array or NULL */
    char uid[65];            /* hex SHA-256 of rule_id "\n" resource_uid: stable per pair */
} out_finding;

/*
 * out_finding_parse - parse @json into *@doc and fill @f from it.
 * Required: an object with string rule_id and resource_uid, status one of
 * pass/fail/error/muted and severity one of info/low/medium/high/critical.
 * Optional members of the wrong type are treated as absent. observed_at, if
 * present, must be RFC 3339; without it f->time_ms is @default_ms.
 * On success returns 0; *@doc is the caller's to cJSON_Delete (and must
 * outlive @f). On failure returns -1, *@doc is NULL and @err says which
 * member was wrong (never quoting the record).
 */
int out_finding_parse(const char *json, int64_t default_ms, cJSON **doc, out_finding *f, char *err, size_t errlen);

const char *out_status_name(out_status s);
const char *out_severity_name(out_severity s);

/*
 * out_parse_time - parse an RFC 3339 date-time ("2026-11-28T10:00:00Z",
 * fractions and numeric offsets allowed) into milliseconds since the epoch.
 * Returns -1 when @s is not one.
 */
int64_t out_parse_time(const char *s);

/* out_format_time - @ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" into @buf (>= 32 bytes). */
void out_format_time(int64_t ms, char *buf, size_t len);

/* out_now_ms - the wall clock in milliseconds since the epoch. */
int64_t out_now_ms(void);

/* out_json_str - the string member @name of @obj, or "" (never NULL). */
const char *out_json_str(const cJSON *obj, const char *name);

#endif /* PP_OUTPUTS_FINDING_H */
