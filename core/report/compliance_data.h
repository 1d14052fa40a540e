/*
 * core/report/compliance_data.h - the data of the audit-ready compliance
 * report (`parapet report --framework ID`, docs/report.md "Compliance
 * report"): one JSON document per framework and scan, from which the json,
 * csv and html formats are all rendered.
 */
#ifndef PP_CORE_REPORT_COMPLIANCE_DATA_H
#define PP_CORE_REPORT_COMPLIANCE_DATA_H

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/framework.h"

/* The format_version member of the document; raised when a member changes
 * meaning or goes away (adding members does not raise it). */
#define COMPLIANCE_FORMAT_VERSION 1

/*
 * compliance_data_build - read scan @scan_id of the store @db (a read-only
 * connection from store_query_open) and judge framework @fw against it with
 * the rules of `parapet compliance` (a requirement fails when one of its
 * rules failed on a resource, passes when none failed and one judged a
 * resource, is manual when not automated, else not covered; a muted
 * finding does not fail it). @now (Unix seconds) is the generation time,
 * against which suppressions are flagged expired.
 *
 * Returns a new JSON object with the members docs/report.md lists
 * (framework, scan, summary, requirements, ...); the caller owns it
 * (cJSON_Delete). Returns NULL with a reason in @err when a query fails;
 * nothing is left allocated then.
 */
cJSON *compliance_data_build(sqlite3 *db, int64_t scan_id, const framework *fw, int64_t now, char *err, size_t errlen);

#endif
