/*
 * core/report/compliance_html.c - the compliance report as HTML (see
 * compliance_html.h). The page is generated here, not by a script: it
 * needs none, prints as it shows, and the policy forbids scripts outright.
 */
#include "config.h"

#include "report/compliance_html.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_html.h"

/* The style: light and dark, status shown as text as well as colour, and
 * print rules (no colours needed, table headers repeated, rows kept whole). */
static const char COMPLIANCE_CSS[] =
    ":root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#57606a;--line:#d0d7de;--fail:#a40e26;"
    "--pass:#116329;--warn:#7d4e00;--head:#f3f5f7}\n"
    "@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9da7b3;--line:#3d444d;"
    "--fail:#ff8182;--pass:#56d364;--warn:#e3b341;--head:#161b22}}\n"
    "body{font:14px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg);margin:0}\n"
    "main{max-width:1200px;margin:0 auto;padding:1rem 1.5rem}\n"
    "h1{font-size:1.6rem}h2{font-size:1.3rem;border-bottom:1px solid var(--line);padding-bottom:.2rem;margin-top:2rem}"
    "h3{font-size:1.1rem;margin-top:1.6rem}h4{font-size:1rem;margin:1rem 0 .3rem}\n"
    "dl.scope{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dl.scope dt{font-weight:600}"
    "dl.scope dd{margin:0}\n"
    "table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem}caption{text-align:left;font-weight:600;"
    "padding:.2rem 0;color:var(--muted)}\n"
    "th,td{border:1px solid var(--line);padding:.25rem .45rem;text-align:left;vertical-align:top;"
    "overflow-wrap:break-word}tbody "
    "th,td{overflow-wrap:anywhere}th{background:var(--head)}#summary{width:auto;min-width:24rem}\n"
    "pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere;font-size:12px;tab-size:2}\n"
    /* fixed column shares, so long uids and evidence wrap inside their cells */
    "table.evidence,table.exceptions{table-layout:fixed}"
    "table.evidence th:nth-child(1){width:20%}table.evidence th:nth-child(2){width:10%}"
    "table.evidence th:nth-child(3){width:11%}table.evidence th:nth-child(4){width:6%}"
    "table.evidence th:nth-child(5){width:7%}table.evidence th:nth-child(6){width:18%}\n"
    ".st{font-weight:600}.st-failed,.st-fail{color:var(--fail)}.st-passed,.st-pass{color:var(--pass)}"
    ".st-muted,.st-manual,.st-expired{color:var(--warn)}.note{color:var(--muted)}\n"
    "a{color:inherit}a:focus-visible{outline:3px solid #0969da;outline-offset:2px}\n"
    "@media print{body{font-size:9pt;background:#fff;color:#000}main{max-width:none;padding:0}"
    "th{background:#eee}thead{display:table-header-group}tr{break-inside:avoid}h2,h3,h4{break-after:avoid}"
    "a{text-decoration:none}.st-failed,.st-fail{color:#000;text-decoration:underline}}\n";

/* @s (NULL: @dflt) HTML-escaped to @out. */
static void put(FILE *out, const char *s, const char *dflt)
{
    char *e = report_html_escape(s ? s : dflt);
    fputs(e, out);
    free(e);
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num(const cJSON *o, const char *k)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* A status word as a class suffix: only the known words, never the data. */
static const char *status_class(const char *s)
{
    static const char *const known[] = {"passed", "failed", "manual", "pass", "fail", "muted", "error"};
    for (size_t i = 0; s && i < sizeof known / sizeof *known; i++)
        if (!strcmp(s, known[i]))
            return known[i];
    return "other";
}

static void status_cell(FILE *out, const char *s)
{
    fprintf(out, "<td class=\"st st-%s\">", status_class(s));
    put(out, s, "");
    fputs("</td>", out);
}

/* An array of strings as "a, b, c" (escaped). */
static void put_list(FILE *out, const cJSON *a)
{
    const cJSON *v;
    int first = 1;
    cJSON_ArrayForEach(v, a)
    {
        if (cJSON_IsString(v)) {
            fputs(first ? "" : ", ", out);
            put(out, v->valuestring, "");
            first = 0;
        }
    }
    if (first)
        fputs("none", out);
}

static void scope(FILE *out, const cJSON *doc)
{
    const cJSON *scan = cJSON_GetObjectItemCaseSensitive(doc, "scan");
    fputs("<section aria-labelledby=\"scope-h\"><h2 id=\"scope-h\">Scan and scope</h2><dl class=\"scope\">\n", out);
    fprintf(out, "<dt>Scan</dt><dd>%.0f (", num(scan, "id"));
    put(out, str(scan, "status"), "unknown");
    fputs(")</dd>\n<dt>Started</dt><dd>", out);
    put(out, str(scan, "started_at"), "unknown");
    fputs("</dd>\n<dt>Finished</dt><dd>", out);
    put(out, str(scan, "finished_at"), "not finished");
    fputs("</dd>\n<dt>Providers</dt><dd>", out);
    put_list(out, cJSON_GetObjectItemCaseSensitive(scan, "providers"));
    fputs("</dd>\n<dt>Accounts</dt><dd>", out);
    put_list(out, cJSON_GetObjectItemCaseSensitive(scan, "accounts"));
    fputs("</dd>\n<dt>Regions</dt><dd>", out);
    put_list(out, cJSON_GetObjectItemCaseSensitive(scan, "regions"));
    fprintf(out, "</dd>\n<dt>Resources</dt><dd>%.0f</dd>\n<dt>Report generated</dt><dd>", num(scan, "resources"));
    put(out, str(doc, "generated_at"), "");
    fputs(" by parapet ", out);
    put(out, str(doc, "parapet_version"), "");
    fputs("</dd>\n</dl></section>\n", out);
}

static void summary(FILE *out, const cJSON *doc)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(doc, "summary");
    fputs("<section aria-labelledby=\"summary-h\"><h2 id=\"summary-h\">Summary</h2>\n"
          "<table id=\"summary\"><caption>Requirements by status</caption>\n"
          "<thead><tr><th scope=\"col\">Status</th><th scope=\"col\">Requirements</th>"
          "<th scope=\"col\">Share</th></tr></thead><tbody>\n",
          out);
    static const char *const keys[] = {"passed", "failed", "manual", "not_covered"};
    static const char *const names[] = {"Passed", "Failed", "Manual", "Not covered"};
    for (int k = 0; k < 4; k++) {
        char pk[32];
        snprintf(pk, sizeof pk, "%s_pct", keys[k]);
        fprintf(out, "<tr><th scope=\"row\">%s</th><td>%.0f</td><td>%.1f%%</td></tr>\n", names[k], num(s, keys[k]),
                num(s, pk));
    }
    fprintf(out,
            "</tbody><tfoot><tr><th scope=\"row\">All</th><td>%.0f</td><td>100%%</td></tr></tfoot></table>\n"
            "<p>Score (passed of passed and failed requirements): <strong>%.1f%%</strong>. "
            "Exceptions (muted findings, each counted once): %.0f, of which %.0f under a suppression that has expired "
            "since.</p></section>\n",
            num(s, "requirements"), num(s, "score_pct"), num(s, "exceptions"), num(s, "expired_exceptions"));
}

static void requirement_index(FILE *out, const cJSON *reqs)
{
    fputs("<section aria-labelledby=\"reqs-h\"><h2 id=\"reqs-h\">Requirements</h2>\n"
          "<table id=\"requirements\"><caption>Every requirement of the framework and its status</caption>\n"
          "<thead><tr><th scope=\"col\">Requirement</th><th scope=\"col\">Title</th><th scope=\"col\">Status</th>"
          "<th scope=\"col\">Rules judged</th><th scope=\"col\">Exceptions</th></tr></thead><tbody>\n",
          out);
    int i = 0;
    const cJSON *rq;
    cJSON_ArrayForEach(rq, reqs)
    {
        fprintf(out, "<tr><th scope=\"row\"><a href=\"#req-%d\">", i++);
        put(out, str(rq, "id"), "");
        fputs("</a></th><td>", out);
        put(out, str(rq, "title"), "");
        fputs("</td>", out);
        status_cell(out, str(rq, "status"));
        fprintf(out, "<td>%.0f of %d</td><td>%d</td></tr>\n", num(rq, "rules_judged"),
                cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rq, "rules")),
                cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rq, "exceptions")));
    }
    fputs("</tbody></table></section>\n", out);
}

static void exception_cells(FILE *out, const cJSON *x)
{
    fputs("<td>", out);
    put(out, str(x, "reason"),
        cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(x, "suppression_found")) ? "(the suppression has been removed)"
                                                                                : "");
    fputs("</td><td>", out);
    put(out, str(x, "owner"), "");
    fputs("</td><td>", out);
    put(out, str(x, "created_at"), "");
    fputs("</td><td>", out);
    put(out, str(x, "expires_at"), "never");
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "expired")))
        fputs(" <strong class=\"st st-expired\">EXPIRED</strong>", out);
    fputs("</td>", out);
}

static void rule_section(FILE *out, const cJSON *ru)
{
    fputs("<h4>Rule <code>", out);
    put(out, str(ru, "id"), "");
    fprintf(out, "</code>: <span class=\"st st-%s\">", status_class(str(ru, "status")));
    put(out, str(ru, "status"), "");
    fprintf(out, "</span> <span class=\"note\">(%.0f failed, %.0f passed, %.0f muted, %.0f error)</span></h4>\n",
            num(ru, "failed"), num(ru, "passed"), num(ru, "muted"), num(ru, "error"));
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(ru, "resources");
    if (cJSON_GetArraySize(res) == 0) {
        fputs("<p class=\"note\">No resource in the scan was judged by this rule.</p>\n", out);
        return;
    }
    fputs("<table class=\"evidence\"><caption>Resources judged by <code>", out);
    put(out, str(ru, "id"), "");
    fputs("</code></caption>\n<thead><tr><th scope=\"col\">Resource</th><th scope=\"col\">Type</th>"
          "<th scope=\"col\">Account / region</th><th scope=\"col\">Result</th><th scope=\"col\">Severity</th>"
          "<th scope=\"col\">Message</th><th scope=\"col\">Evidence</th></tr></thead><tbody>\n",
          out);
    const cJSON *r;
    cJSON_ArrayForEach(r, res)
    {
        fputs("<tr><th scope=\"row\">", out);
        put(out, str(r, "uid"), "");
        fputs("</th><td>", out);
        put(out, str(r, "type"), "");
        fputs("</td><td>", out);
        put(out, str(r, "account"), "-");
        fputs(" / ", out);
        put(out, str(r, "region"), "-");
        fputs("</td>", out);
        status_cell(out, str(r, "result"));
        fputs("<td>", out);
        put(out, str(r, "severity"), "");
        fputs("</td><td>", out);
        put(out, str(r, "message"), "");
        fputs("</td><td>", out);
        const cJSON *ev = cJSON_GetObjectItemCaseSensitive(r, "evidence");
        if (cJSON_IsString(ev)) {
            fputs("<pre>", out);
            put(out, ev->valuestring, "");
            fputs("</pre>", out);
        } else if (ev && !cJSON_IsNull(ev)) {
            char *t = cJSON_Print(ev);
            fputs("<pre>", out);
            put(out, t, "");
            fputs("</pre>", out);
            cJSON_free(t);
        }
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
}

static void requirement_section(FILE *out, const cJSON *rq, int i)
{
    fprintf(out, "<section class=\"req\" id=\"req-%d\" aria-labelledby=\"req-%d-h\"><h3 id=\"req-%d-h\">", i, i, i);
    put(out, str(rq, "id"), "");
    fputs(" ", out);
    put(out, str(rq, "title"), "");
    fprintf(out, "</h3>\n<p>Status: <span class=\"st st-%s\">", status_class(str(rq, "status")));
    put(out, str(rq, "status"), "");
    fputs("</span>", out);
    if (str(rq, "section") && *str(rq, "section")) {
        fputs(". Section: ", out);
        put(out, str(rq, "section"), "");
    }
    if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(rq, "automated")))
        fputs(". Not automated: an assessor judges this requirement", out);
    fputs(".</p>\n", out);
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(rq, "rules");
    if (cJSON_GetArraySize(rules) == 0)
        fputs("<p class=\"note\">No rule is mapped to this requirement.</p>\n", out);
    const cJSON *ru;
    cJSON_ArrayForEach(ru, rules) rule_section(out, ru);
    const cJSON *xs = cJSON_GetObjectItemCaseSensitive(rq, "exceptions");
    if (cJSON_GetArraySize(xs) > 0) {
        fputs("<table class=\"exceptions\"><caption>Exceptions: muted findings and their suppressions</caption>\n"
              "<thead><tr><th scope=\"col\">Rule</th><th scope=\"col\">Resource</th><th scope=\"col\">Reason</th>"
              "<th scope=\"col\">Owner</th><th scope=\"col\">Created</th><th scope=\"col\">Expires</th></tr></thead>"
              "<tbody>\n",
              out);
        const cJSON *x;
        cJSON_ArrayForEach(x, xs)
        {
            fputs("<tr><td>", out);
            put(out, str(x, "rule"), "");
            fputs("</td><th scope=\"row\">", out);
            put(out, str(x, "resource"), "");
            fputs("</th>", out);
            exception_cells(out, x);
            fputs("</tr>\n", out);
        }
        fputs("</tbody></table>\n", out);
    }
    fputs("</section>\n", out);
}

int compliance_html_write(FILE *out, const cJSON *doc, char *err, size_t errlen)
{
    const cJSON *fw = cJSON_GetObjectItemCaseSensitive(doc, "framework");
    const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(doc, "requirements");
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          out);
    put(out, str(fw, "title"), "");
    fputs(" compliance report</title>\n<style>\n", out);
    fputs(COMPLIANCE_CSS, out);
    fputs("</style>\n</head>\n<body>\n<main>\n<h1>", out);
    put(out, str(fw, "title"), "");
    fputs(" <span class=\"note\">(", out);
    put(out, str(fw, "id"), "");
    if (str(fw, "version") && *str(fw, "version")) {
        fputs(", version ", out);
        put(out, str(fw, "version"), "");
    }
    fputs(")</span>: compliance report</h1>\n", out);
    scope(out, doc);
    summary(out, doc);
    requirement_index(out, reqs);
    fputs("<section aria-labelledby=\"detail-h\"><h2 id=\"detail-h\">Requirements in detail</h2>\n", out);
    int i = 0;
    const cJSON *rq;
    cJSON_ArrayForEach(rq, reqs) requirement_section(out, rq, i++);
    fputs("</section>\n</main>\n</body>\n</html>\n", out);
    if (fflush(out) != 0 || ferror(out)) {
        snprintf(err, errlen, "cannot write the report: %s", strerror(errno));
        return -1;
    }
    return 0;
}
