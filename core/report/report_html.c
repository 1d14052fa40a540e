/*
 * core/report/report_html.c - fill the report template (see report_html.h).
 */
#include "config.h"

#include "report/report_html.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_assets.h"
#include "util.h"

char *report_json_for_script(const char *json)
{
    sbuf b = {0};
    sbuf_puts(&b, "");
    for (const char *p = json; *p; p++) {
        if (*p == '<')
            sbuf_puts(&b, "\\u003c");
        else if (*p == '>')
            sbuf_puts(&b, "\\u003e");
        else if (*p == '&')
            sbuf_puts(&b, "\\u0026");
        else
            sbuf_append(&b, p, 1);
    }
    return sbuf_steal(&b);
}

char *report_html_escape(const char *s)
{
    sbuf b = {0};
    sbuf_puts(&b, "");
    for (; *s; s++) {
        switch (*s) {
        case '&':
            sbuf_puts(&b, "&amp;");
            break;
        case '<':
            sbuf_puts(&b, "&lt;");
            break;
        case '>':
            sbuf_puts(&b, "&gt;");
            break;
        case '"':
            sbuf_puts(&b, "&quot;");
            break;
        case '\'':
            sbuf_puts(&b, "&#39;");
            break;
        default:
            sbuf_append(&b, s, 1);
        }
    }
    return sbuf_steal(&b);
}

/* The Content-Security-Policy source of the page script: 'sha256-BASE64'
 * of its exact text, so only that script may run, nothing injected. */
static int script_hash(const char *js, char *out, size_t outlen)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
    if (EVP_Digest(js, strlen(js), md, &mdlen, EVP_sha256(), NULL) != 1)
        return -1;
    EVP_EncodeBlock(b64, md, (int)mdlen);
    snprintf(out, outlen, "'sha256-%s'", (const char *)b64);
    return 0;
}

int report_html_write(FILE *out, const cJSON *data, const char *title, char *err, size_t errlen)
{
    char hash[128];
    if (script_hash(report_asset_report_js, hash, sizeof hash) != 0) {
        snprintf(err, errlen, "cannot hash the report script");
        return -1;
    }
    char *json = cJSON_PrintUnformatted(data);
    if (!json) {
        snprintf(err, errlen, "out of memory while writing the report data");
        return -1;
    }
    char *safe_json = report_json_for_script(json);
    cJSON_free(json);
    char *safe_title = report_html_escape(title);
    const char *p = report_asset_report_html;
    while (*p) {
        const char *m = strstr(p, "@@");
        if (!m) {
            fputs(p, out);
            break;
        }
        fwrite(p, 1, (size_t)(m - p), out);
        const char *fill = NULL;
        size_t skip = 2;
        static const char *const marks[] = {"@@TITLE@@", "@@CSS@@", "@@JS@@", "@@DATA@@", "@@SCRIPT_HASH@@"};
        const char *fills[] = {safe_title, report_asset_report_css, report_asset_report_js, safe_json, hash};
        for (int k = 0; k < 5 && !fill; k++) {
            if (!strncmp(m, marks[k], strlen(marks[k]))) {
                fill = fills[k];
                skip = strlen(marks[k]);
            }
        }
        fputs(fill ? fill : "@@", out);
        p = m + skip;
    }
    free(safe_json);
    free(safe_title);
    if (fflush(out) != 0 || ferror(out)) {
        snprintf(err, errlen, "cannot write the report: %s", strerror(errno));
        return -1;
    }
    return 0;
}
