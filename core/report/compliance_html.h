/*
 * core/report/compliance_html.h - the compliance report as one
 * self-contained, printable HTML page (docs/report.md "Compliance report").
 */
#ifndef PP_CORE_REPORT_COMPLIANCE_HTML_H
#define PP_CORE_REPORT_COMPLIANCE_HTML_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

/*
 * compliance_html_write - write @doc (from compliance_data_build) to @out as
 * an HTML page with its style inline and no script: the scan and scope, the
 * summary, a table of the requirements, then each requirement with its rules,
 * the resources each judged (evidence pretty-printed) and its exceptions.
 * Every text from the store goes through report_html_escape. The
 * Content-Security-Policy forbids loading anything and running any script.
 * Returns 0, or -1 with a reason in @err when writing failed.
 */
int compliance_html_write(FILE *out, const cJSON *doc, char *err, size_t errlen);

#endif
