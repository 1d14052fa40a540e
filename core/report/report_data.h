/*
 * core/report/report_data.h - the data of the HTML posture report
 * (docs/report.md): one JSON document built from a stored scan and the
 * framework mappings, embedded in the report and read by its script.
 */
#ifndef PP_CORE_REPORT_DATA_H
#define PP_CORE_REPORT_DATA_H

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/framework.h"

/*
 * report_data_build - read scan @scan_id of the store @db (a read-only
 * connection from store_query_open) and the @n_fws frameworks at @fws, and
 * return a new JSON object with the members docs/report.md lists: scan,
 * summary, scopes, by_severity, by_type, inventory, trend, frameworks,
 * strings and findings. @title is copied into it. The caller owns the
 * result (cJSON_Delete). Returns NULL with a reason in @err when a query
 * fails; nothing is left allocated then.
 */
cJSON *report_data_build(sqlite3 *db, int64_t scan_id, const framework *fws, size_t n_fws, const char *title, char *err,
                         size_t errlen);

/* Columns of one row of data.findings.rows, in order (docs/report.md). */
#define REPORT_FINDING_COLUMNS                                                                                         \
    "rule", "uid", "type", "status", "severity", "title", "message", "provider", "account", "region", "lifecycle",     \
        "remediation", "frameworks", "evidence"

/* At most this many findings go into a report (the page stays usable far
 * beyond 100,000); more are left out and data.findings.truncated says so. */
#define REPORT_MAX_FINDINGS 1000000

/* How many recent complete or partial scans the trend shows. */
#define REPORT_TREND_SCANS 30

#endif
