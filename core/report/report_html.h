/*
 * core/report/report_html.h - write the self-contained HTML report: the
 * page template of core/report/assets/ with its style, script and data
 * inlined (docs/report.md).
 */
#ifndef PP_CORE_REPORT_HTML_H
#define PP_CORE_REPORT_HTML_H

#include <cjson/cJSON.h>
#include <stdio.h>

/*
 * report_json_for_script - @json (JSON text) made safe inside an HTML
 * <script> element: every '<', '>' and '&' becomes a \u escape, which JSON
 * allows only inside strings, where it means the same character. So no
 * text from a cloud ("</script>", "<!--") can end the element or start
 * markup. Returns a new string the caller frees.
 */
char *report_json_for_script(const char *json);

/*
 * report_html_escape - @s with &, <, >, " and ' as character references,
 * for HTML text and attribute values. Returns a new string the caller
 * frees.
 */
char *report_html_escape(const char *s);

/*
 * report_html_write - write the report to @out: the template with
 * @@TITLE@@ (@title, escaped), @@CSS@@, @@JS@@, @@DATA@@ (@data as
 * escaped JSON) and @@SCRIPT_HASH@@ (the CSP hash of the script) filled in. Returns 0, or -1 with a reason in @err when
 * writing failed.
 */
int report_html_write(FILE *out, const cJSON *data, const char *title, char *err, size_t errlen);

#endif
