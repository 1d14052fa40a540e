/*
 * core/report/compliance_csv.c - the compliance report as CSV (see
 * compliance_csv.h).
 *
 * SOURCE (facts only): RFC 4180 section 2 (quoting); OWASP "CSV Injection"
 * (the characters that start a formula), the same rules as the csv output
 * plugin (plugins/outputs/escape.c), which core cannot link.
 */
#include "config.h"

#include "report/compliance_csv.h"

#include <errno.h>
#include <string.h>

void compliance_csv_cell(FILE *out, const char *s)
{
    if (!s)
        return;
    int formula = s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        fputc('"', out);
    if (formula)
        fputc('\'', out);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    if (quote)
        fputc('"', out);
}

/* The string member @k of @o, or NULL. */
static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* One row: @cells (NULL: empty) then CRLF. */
static void row(FILE *out, const char *const *cells, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', out);
        compliance_csv_cell(out, cells[i]);
    }
    fputs("\r\n", out);
}

enum {
    C_FRAMEWORK,
    C_SCAN,
    C_REQ,
    C_REQ_TITLE,
    C_REQ_STATUS,
    C_RULE,
    C_RULE_STATUS,
    C_RESOURCE,
    C_TYPE,
    C_PROVIDER,
    C_ACCOUNT,
    C_REGION,
    C_RESULT,
    C_SEVERITY,
    C_MESSAGE,
    C_EVIDENCE,
    C_X_REASON,
    C_X_OWNER,
    C_X_CREATED,
    C_X_EXPIRES,
    C_X_EXPIRED,
    C_COUNT
};

/* Fill the resource cells of @cells from @r (a resources entry); @tmp
 * receives the evidence text the caller frees. */
static void resource_cells(const char **cells, const cJSON *r, char **tmp)
{
    cells[C_RESOURCE] = str(r, "uid");
    cells[C_TYPE] = str(r, "type");
    cells[C_PROVIDER] = str(r, "provider");
    cells[C_ACCOUNT] = str(r, "account");
    cells[C_REGION] = str(r, "region");
    cells[C_RESULT] = str(r, "result");
    cells[C_SEVERITY] = str(r, "severity");
    cells[C_MESSAGE] = str(r, "message");
    const cJSON *ev = cJSON_GetObjectItemCaseSensitive(r, "evidence");
    *tmp = NULL;
    if (cJSON_IsString(ev))
        cells[C_EVIDENCE] = ev->valuestring;
    else if (ev && !cJSON_IsNull(ev))
        cells[C_EVIDENCE] = *tmp = cJSON_PrintUnformatted(ev);
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(r, "exception");
    if (cJSON_IsObject(x)) {
        cells[C_X_REASON] = str(x, "reason");
        cells[C_X_OWNER] = str(x, "owner");
        cells[C_X_CREATED] = str(x, "created_at");
        cells[C_X_EXPIRES] = str(x, "expires_at");
        cells[C_X_EXPIRED] = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "expired")) ? "true" : "false";
    }
}

int compliance_csv_write(FILE *out, const cJSON *doc, char *err, size_t errlen)
{
    static const char *const header[] = {COMPLIANCE_CSV_COLUMNS};
    _Static_assert(sizeof header / sizeof *header == C_COUNT, "one name per column");
    row(out, header, C_COUNT);
    char scan_id[32];
    snprintf(
        scan_id, sizeof scan_id, "%.0f",
        cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "scan"), "id")));
    const char *fw = str(cJSON_GetObjectItemCaseSensitive(doc, "framework"), "id");
    const cJSON *rq;
    cJSON_ArrayForEach(rq, cJSON_GetObjectItemCaseSensitive(doc, "requirements"))
    {
        const char *base[C_COUNT] = {0};
        base[C_FRAMEWORK] = fw;
        base[C_SCAN] = scan_id;
        base[C_REQ] = str(rq, "id");
        base[C_REQ_TITLE] = str(rq, "title");
        base[C_REQ_STATUS] = str(rq, "status");
        const cJSON *rules = cJSON_GetObjectItemCaseSensitive(rq, "rules");
        if (cJSON_GetArraySize(rules) == 0)
            row(out, base, C_COUNT);
        const cJSON *ru;
        cJSON_ArrayForEach(ru, rules)
        {
            const char *cells[C_COUNT];
            memcpy(cells, base, sizeof cells);
            cells[C_RULE] = str(ru, "id");
            cells[C_RULE_STATUS] = str(ru, "status");
            const cJSON *res = cJSON_GetObjectItemCaseSensitive(ru, "resources");
            if (cJSON_GetArraySize(res) == 0)
                row(out, cells, C_COUNT);
            const cJSON *r;
            cJSON_ArrayForEach(r, res)
            {
                const char *rc[C_COUNT];
                memcpy(rc, cells, sizeof rc);
                char *tmp;
                resource_cells(rc, r, &tmp);
                row(out, rc, C_COUNT);
                cJSON_free(tmp);
            }
        }
    }
    if (fflush(out) != 0 || ferror(out)) {
        snprintf(err, errlen, "cannot write the report: %s", strerror(errno));
        return -1;
    }
    return 0;
}
