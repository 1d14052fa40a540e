/*
 * arm_client.c - see arm_client.h.
 */
#define _DEFAULT_SOURCE
#include "arm_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "az_util.h"

/* Lowest remaining-reads budget ARM reported in the headers of @r, or -1. */
static long remaining_reads(const pp_http_response *r)
{
    static const char *names[] = {"x-ms-ratelimit-remaining-subscription-reads",
                                  "x-ms-ratelimit-remaining-tenant-reads"};
    long low = -1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = az_resp_header(r, names[i]);
        if (v && *v) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end == '\0' && n >= 0 && (low < 0 || n < low))
                low = n;
        }
    }
    return low;
}

static void error_code(const pp_http_response *r, char *code, size_t codelen, char *msg, size_t msglen)
{
    snprintf(code, codelen, "HTTP%ld", r->status);
    if (msg && msglen)
        msg[0] = '\0';
    cJSON *j = r->body ? cJSON_ParseWithLength(r->body, r->body_len) : NULL;
    const cJSON *e = cJSON_GetObjectItem(j, "error");
    const char *cs = cJSON_GetStringValue(cJSON_GetObjectItem(e, "code"));
    const char *ms = cJSON_GetStringValue(cJSON_GetObjectItem(e, "message"));
    if (cs && *cs)
        snprintf(code, codelen, "%.100s", cs);
    if (ms && msg)
        snprintf(msg, msglen, "%.300s", ms);
    cJSON_Delete(j);
}

/* Wipe every string of @j (a response that carried a secret) before it is freed. */
static void json_wipe_strings(cJSON *j)
{
    for (cJSON *it = j; it; it = it->next) {
        if (cJSON_IsString(it) && it->valuestring)
            explicit_bzero(it->valuestring, strlen(it->valuestring));
        if (it->string)
            explicit_bzero(it->string, strlen(it->string));
        json_wipe_strings(it->child);
    }
}

void arm_json_wipe_free(cJSON *j)
{
    if (!j)
        return;
    json_wipe_strings(j);
    cJSON_Delete(j);
}

/* One ARM call with @method (GET, or POST with an empty body); @secret: the response body holds a
 * credential, so it is wiped before it is released and never quoted in an error. */
static int arm_call(azure_ctx *c, const char *method, const char *path, const char *api_version, int secret,
                    cJSON **out, char *code, size_t codelen, char *err, size_t errlen)
{
    *out = NULL;
    if (code && codelen)
        code[0] = '\0';
    size_t el = strlen(c->arm_endpoint);
    char url[4096];
    if (strncmp(path, "http://", 7) == 0 || strncmp(path, "https://", 8) == 0) {
        /* a nextLink: only under our ARM endpoint, so the token goes nowhere else */
        if (strncmp(path, c->arm_endpoint, el) != 0 || path[el] != '/') {
            snprintf(err, errlen, "nextLink points outside the ARM endpoint; not followed");
            return AZ_E_FAIL;
        }
        if (snprintf(url, sizeof url, "%s", path) >= (int)sizeof url) {
            snprintf(err, errlen, "nextLink longer than %zu bytes", sizeof url);
            return AZ_E_FAIL;
        }
    } else {
        int w = snprintf(url, sizeof url, "%s%s%s%s", c->arm_endpoint, path,
                         api_version ? (strchr(path, '?') ? "&api-version=" : "?api-version=") : "",
                         api_version ? api_version : "");
        if (w < 0 || (size_t)w >= sizeof url) {
            snprintf(err, errlen, "ARM path too long");
            return AZ_E_FAIL;
        }
    }
    char shown[600];
    az_url_for_log(url, shown, sizeof shown);
    for (int attempt = 0; attempt < 2; attempt++) {
        char terr[AZ_ERR_LEN];
        char *tok = az_token_get(c, &c->arm_token, attempt > 0, terr, sizeof terr);
        if (!tok) {
            snprintf(err, errlen, "%s", terr);
            return az_cancelled(c) ? AZ_E_CANCELLED : AZ_E_FAIL;
        }
        size_t al = strlen(tok) + 8;
        char *auth = malloc(al);
        if (!auth) {
            az_wipe_free(tok);
            snprintf(err, errlen, "out of memory");
            return AZ_E_FAIL;
        }
        snprintf(auth, al, "Bearer %s", tok);
        az_wipe_free(tok);
        pp_http_header hd[] = {{"Authorization", auth}, {"Accept", "application/json"}};
        pp_http_response *r = NULL;
        int rc = az_http(c, method, url, hd, 2, NULL, 0, "ARM", &r, err, errlen);
        az_wipe_free(auth);
        if (rc != PP_OK)
            return rc == PP_ERR_CANCELLED ? AZ_E_CANCELLED : AZ_E_FAIL;
        long left = remaining_reads(r);
        if (r->status == 401 && attempt == 0) {
            c->api->http_free(c->h, r); /* expired or revoked: one fresh token, once */
            continue;
        }
        if (secret) {
            /* ARM's error for a refused listKeys never carries the key; the success body is parsed and wiped */
            if (r->status >= 200 && r->status < 300) {
                *out = cJSON_ParseWithLength(r->body, r->body_len);
                explicit_bzero((char *)r->body, r->body_len); /* host-owned, malloc'd; the key is in it */
                c->api->http_free(c->h, r);
                if (!*out) {
                    snprintf(err, errlen, "ARM %s %s: the response is not JSON", method, shown);
                    return AZ_E_FAIL;
                }
                return AZ_OK;
            }
        }
        int result;
        if (r->status >= 200 && r->status < 300) {
            *out = cJSON_ParseWithLength(r->body, r->body_len);
            if (!*out) {
                snprintf(err, errlen, "ARM %s: the response is not JSON", shown);
                result = AZ_E_FAIL;
            } else {
                result = AZ_OK;
            }
        } else {
            char cd[120], msg[320];
            error_code(r, cd, sizeof cd, msg, sizeof msg);
            if (code && codelen)
                snprintf(code, codelen, "%s", cd);
            if (r->status == 401 || r->status == 403) {
                result = AZ_E_DENIED;
                snprintf(err, errlen, "ARM %s %s: HTTP %ld %s", method, shown, r->status, cd);
            } else if (r->status == 404) {
                result = AZ_E_NOTFOUND;
                snprintf(err, errlen, "ARM %s: not found (%s)", shown, cd);
            } else {
                result = AZ_E_FAIL;
                snprintf(err, errlen, "ARM %s: HTTP %ld %s%s%s (after %u attempt(s))", shown, r->status, cd,
                         *msg ? ": " : "", msg, r->attempts);
            }
        }
        c->api->http_free(c->h, r);
        if (left >= 0 && left < AZ_ARM_LOW_BUDGET) {
            az_log(c, PP_LOG_INFO, "ARM read budget low (%ld left); pausing %d ms", left, AZ_ARM_LOW_PAUSE_MS);
            (void)az_sleep_ms(c, AZ_ARM_LOW_PAUSE_MS); /* a cancel is seen by the next call */
        }
        return result;
    }
    snprintf(err, errlen, "ARM %s: HTTP 401 twice; the token is not accepted", shown);
    return AZ_E_DENIED;
}

int arm_get(azure_ctx *c, const char *path, const char *api_version, cJSON **out, char *code, size_t codelen, char *err,
            size_t errlen)
{
    return arm_call(c, "GET", path, api_version, 0, out, code, codelen, err, errlen);
}

int arm_post_secret(azure_ctx *c, const char *path, const char *api_version, cJSON **out, char *code, size_t codelen,
                    char *err, size_t errlen)
{
    if (strncmp(path, "http", 4) == 0) {
        snprintf(err, errlen, "ARM POST: only a path under the ARM endpoint");
        return AZ_E_FAIL;
    }
    return arm_call(c, "POST", path, api_version, 1, out, code, codelen, err, errlen);
}

int arm_list(azure_ctx *c, const char *path, const char *api_version, arm_item_fn fn, void *ud, char *code,
             size_t codelen, char *err, size_t errlen)
{
    char *next = NULL;
    int rc = AZ_OK;
    for (unsigned page = 0; page < AZ_ARM_MAX_PAGES; page++) {
        if (az_cancelled(c)) {
            rc = AZ_E_CANCELLED;
            break;
        }
        cJSON *body = NULL;
        rc = arm_get(c, next ? next : path, next ? NULL : api_version, &body, code, codelen, err, errlen);
        if (rc != AZ_OK)
            break;
        const cJSON *value = cJSON_GetObjectItem(body, "value");
        if (!cJSON_IsArray(value)) {
            snprintf(err, errlen, "ARM list %s: no \"value\" array in the response", path);
            cJSON_Delete(body);
            rc = AZ_E_FAIL;
            break;
        }
        const cJSON *it;
        int stop = 0;
        cJSON_ArrayForEach(it, value)
        {
            if (fn(c, it, ud) != 0) {
                stop = 1;
                break;
            }
        }
        const char *nl = cJSON_GetStringValue(cJSON_GetObjectItem(body, "nextLink"));
        char *nn = nl && *nl ? strdup(nl) : NULL;
        cJSON_Delete(body);
        if (stop) {
            free(nn);
            rc = AZ_E_CANCELLED;
            break;
        }
        if (!nn)
            break;
        if (next && strcmp(next, nn) == 0) {
            snprintf(err, errlen, "ARM list %s: nextLink repeats itself; stopped", path);
            free(nn);
            rc = AZ_E_FAIL;
            break;
        }
        free(next);
        next = nn;
        if (page + 1 == AZ_ARM_MAX_PAGES) {
            snprintf(err, errlen, "ARM list %s: more than %d pages; stopped", path, AZ_ARM_MAX_PAGES);
            rc = AZ_E_FAIL;
        }
    }
    free(next);
    return rc;
}
