/*
 * plugins/feeds/kev.c - the CISA Known Exploited Vulnerabilities catalogue
 * (JSON; schema in tests/fixtures/feeds/SOURCE): one "cve" indicator per
 * entry, in feed "kev", with the date added, the due date and the
 * ransomware flag as attributes.
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feeds.h"

/* "CVE-YYYY-NNNN..." */
static int cve_id_ok(const char *s)
{
    if (strncmp(s, "CVE-", 4) != 0)
        return 0;
    size_t i = 4;
    for (int k = 0; k < 4; k++, i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    if (s[i++] != '-')
        return 0;
    size_t d = 0;
    for (; isdigit((unsigned char)s[i]); i++)
        d++;
    return s[i] == '\0' && d >= 4 && d <= 12;
}

/* "YYYY-MM-DD" */
static int date_ok(const char *s)
{
    return strlen(s) == 10 && isdigit((unsigned char)s[0]) && s[4] == '-' && s[7] == '-' &&
           isdigit((unsigned char)s[5]) && isdigit((unsigned char)s[8]);
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int kev_load(feeds_ctx *c, const char *label, const char *text, size_t len)
{
    cJSON *doc = cJSON_ParseWithLength(text, len);
    if (!doc)
        return feeds_fail(c, PP_ERR_INVALID, "%s: not valid JSON (near byte %zu)", label,
                          cJSON_GetErrorPtr() ? (size_t)(cJSON_GetErrorPtr() - text) : (size_t)0);
    const cJSON *vulns = cJSON_GetObjectItemCaseSensitive(doc, "vulnerabilities");
    if (!cJSON_IsArray(vulns) || !str(doc, "catalogVersion")) {
        cJSON_Delete(doc);
        return feeds_fail(c, PP_ERR_INVALID,
                          "%s: not a CISA KEV catalogue (no \"catalogVersion\" or \"vulnerabilities\" array)", label);
    }
    size_t good = 0, bad = 0, i = 0;
    const cJSON *v;
    /* pass 1: count what is usable, warn about the rest */
    cJSON_ArrayForEach(v, vulns)
    {
        const char *id = str(v, "cveID"), *added = str(v, "dateAdded"), *due = str(v, "dueDate");
        if (id && cve_id_ok(id) && added && date_ok(added) && due && date_ok(due)) {
            good++;
        } else {
            bad++;
            feeds_warn(c, "%s: vulnerabilities[%zu]%s%s: no valid cveID, dateAdded or dueDate; skipped", label, i,
                       id ? " " : "", id && strlen(id) < 40 ? id : "");
        }
        i++;
    }
    if (good == 0) {
        cJSON_Delete(doc);
        return feeds_fail(c, PP_ERR_INVALID, "%s: the KEV catalogue has no usable entry", label);
    }
    /* pass 2: emit */
    int rc = PP_OK;
    cJSON_ArrayForEach(v, vulns)
    {
        const char *id = str(v, "cveID"), *added = str(v, "dateAdded"), *due = str(v, "dueDate");
        if (!(id && cve_id_ok(id) && added && date_ok(added) && due && date_ok(due)))
            continue;
        const char *rw = str(v, "knownRansomwareCampaignUse");
        cJSON *at = cJSON_CreateObject();
        cJSON_AddStringToObject(at, "date_added", added);
        cJSON_AddStringToObject(at, "due_date", due);
        cJSON_AddStringToObject(at, "ransomware", rw && !strcmp(rw, "Known") ? "Known" : "Unknown");
        if (str(v, "vendorProject"))
            cJSON_AddStringToObject(at, "vendor", str(v, "vendorProject"));
        if (str(v, "product"))
            cJSON_AddStringToObject(at, "product", str(v, "product"));
        if (str(v, "vulnerabilityName"))
            cJSON_AddStringToObject(at, "name", str(v, "vulnerabilityName"));
        char *js = cJSON_PrintUnformatted(at);
        cJSON_Delete(at);
        if (!js) {
            rc = feeds_fail(c, PP_ERR_NOMEM, "out of memory");
            break;
        }
        pp_indicator ind;
        PP_INIT(&ind);
        ind.kind = "cve";
        ind.value = id;
        ind.feed = "kev";
        ind.attributes_json = js;
        rc = c->api->emit_indicator(c->h, &ind);
        free(js);
        if (rc == PP_ERR_INVALID)
            rc = PP_OK;
        if (rc != PP_OK) {
            feeds_fail(c, rc, "%s: stopped at %s", label, id);
            break;
        }
    }
    if (rc == PP_OK)
        feeds_info(c, "feed kev: %zu entries (catalogue %s, %zu skipped)", good, str(doc, "catalogVersion"), bad);
    cJSON_Delete(doc);
    return rc;
}
