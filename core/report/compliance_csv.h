/*
 * core/report/compliance_csv.h - the compliance report as CSV
 * (docs/report.md "Compliance report", "csv").
 */
#ifndef PP_CORE_REPORT_COMPLIANCE_CSV_H
#define PP_CORE_REPORT_COMPLIANCE_CSV_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

/* The header row, in order; docs/report.md documents each column. Columns
 * are only ever added at the end. */
#define COMPLIANCE_CSV_COLUMNS                                                                                         \
    "framework", "scan_id", "requirement", "requirement_title", "requirement_status", "rule", "rule_status",           \
        "resource", "resource_type", "provider", "account", "region", "result", "severity", "message", "evidence",     \
        "exception_reason", "exception_owner", "exception_created_at", "exception_expires_at", "exception_expired"

/*
 * compliance_csv_cell - write @s (NULL: empty) to @out as one RFC 4180 field
 * that is inert in spreadsheets: a value starting with '=', '+', '-', '@',
 * TAB or CR gets a leading apostrophe (so it is never read as a formula), and
 * a value with a comma, quote, CR or LF is quoted, inner quotes doubled.
 */
void compliance_csv_cell(FILE *out, const char *s);

/*
 * compliance_csv_write - write @doc (from compliance_data_build) to @out as
 * CSV: the header, then one row per (requirement, rule, resource); a
 * requirement without rules and a rule that judged nothing get one row with
 * the missing cells empty. Lines end in CRLF. Returns 0, or -1 with a reason
 * in @err when writing failed.
 */
int compliance_csv_write(FILE *out, const cJSON *doc, char *err, size_t errlen);

#endif
