/*
 * gcp_api.c - Google REST calls for the gcp provider: bearer token, JSON,
 * nextPageToken pages, quota errors; and the small encoders they need.
 * See gcp_ctx.h.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "gcp_ctx.h"

#define GCP_MAX_PAGES 100000
#define GCP_QUOTA_RETRIES 4

char *gcp_b64url(const void *p, size_t n)
{
    if (n > (1u << 26))
        return NULL;
    char *o = malloc(4 * ((n + 2) / 3) + 1);
    if (!o)
        return NULL;
    EVP_EncodeBlock((unsigned char *)o, p, (int)n);
    size_t k = 0;
    for (size_t i = 0; o[i] && o[i] != '='; i++)
        o[k++] = o[i] == '+' ? '-' : o[i] == '/' ? '_' : o[i];
    o[k] = '\0';
    return o;
}

char *gcp_form_encode(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *o = malloc(strlen(s) * 3 + 1), *p = o;
    if (!o)
        return NULL;
    for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
        if ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '-' ||
            *q == '_' || *q == '.' || *q == '~') {
            *p++ = (char)*q;
        } else {
            *p++ = '%';
            *p++ = hex[*q >> 4];
            *p++ = hex[*q & 15];
        }
    }
    *p = '\0';
    return o;
}

void gcp_wipe_free(char *s)
{
    if (!s)
        return;
    explicit_bzero(s, strlen(s));
    free(s);
}

void gcp_service_url(const gcp_ctx *c, const char *service, char *buf, size_t len)
{
    if (c->api_endpoint)
        snprintf(buf, len, "%s", c->api_endpoint);
    else
        snprintf(buf, len, "https://%s.googleapis.com", service);
}

/*
 * The API's error status/reason ("PERMISSION_DENIED", "rateLimitExceeded",
 * "SERVICE_DISABLED") into @code; *@quota set for quota errors, *@disabled
 * for an API that is not enabled in the project. Google's error body is
 * {"error":{"code","message","status","errors":[{"reason"}],"details":[{"reason"}]}};
 * the ErrorInfo reason in details (SERVICE_DISABLED) wins over the status
 * (PERMISSION_DENIED) that such an answer also carries.
 */
static void error_code(const pp_http_response *r, char *code, size_t len, int *quota, int *disabled)
{
    snprintf(code, len, "HTTP%ld", r->status);
    *quota = r->status == 429;
    *disabled = 0;
    cJSON *j = r->body_len < 1024 * 1024 ? cJSON_ParseWithLength(r->body, r->body_len) : NULL;
    const cJSON *e = cJSON_GetObjectItem(j, "error");
    const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(e, "status"));
    const char *reason =
        cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(e, "errors"), 0), "reason"));
    const char *info = NULL;
    const cJSON *d;
    cJSON_ArrayForEach(d, cJSON_GetObjectItem(e, "details"))
    {
        const char *dr = cJSON_GetStringValue(cJSON_GetObjectItem(d, "reason"));
        if (dr && !info)
            info = dr;
    }
    if (reason && (strcmp(reason, "rateLimitExceeded") == 0 || strcmp(reason, "userRateLimitExceeded") == 0 ||
                   strcmp(reason, "quotaExceeded") == 0))
        *quota = 1;
    if ((status && strcmp(status, "RESOURCE_EXHAUSTED") == 0) ||
        (info && (strcmp(info, "RATE_LIMIT_EXCEEDED") == 0 || strcmp(info, "RESOURCE_EXHAUSTED") == 0)))
        *quota = 1;
    if ((info && strcmp(info, "SERVICE_DISABLED") == 0) || (reason && strcmp(reason, "accessNotConfigured") == 0))
        *disabled = 1;
    if (*disabled)
        snprintf(code, len, "%s",
                 info && strcmp(info, "SERVICE_DISABLED") == 0 ? "SERVICE_DISABLED" : "accessNotConfigured");
    else if (status)
        snprintf(code, len, "%.100s", status);
    else if (reason)
        snprintf(code, len, "%.100s", reason);
    cJSON_Delete(j);
}

int gcp_call_json(gcp_ctx *c, const char *method, const char *url, const char *body, cJSON **out, char *code,
                  size_t codelen, char *err, size_t errlen)
{
    *out = NULL;
    code[0] = '\0';
    if (!method)
        method = "GET";
    char shown[400];
    snprintf(shown, sizeof shown, "%.*s", (int)strcspn(url, "?#"), url);
    int refreshed = 0;
    for (unsigned attempt = 0;; attempt++) {
        char terr[GCP_ERR_LEN];
        char *tok = gcp_token_get(c, refreshed == 1, terr, sizeof terr);
        if (!tok) {
            snprintf(err, errlen, "%s", terr);
            return gcp_cancelled(c) ? GCP_E_CANCELLED : GCP_E_FAIL;
        }
        size_t al = strlen(tok) + 8;
        char *auth = malloc(al);
        if (!auth) {
            gcp_wipe_free(tok);
            return GCP_E_FAIL;
        }
        snprintf(auth, al, "Bearer %s", tok);
        gcp_wipe_free(tok);
        pp_http_header hd[] = {{"Authorization", auth}, {"Accept", "application/json"},
                               {"Content-Type", "application/json"}};
        pp_http_request rq;
        memset(&rq, 0, sizeof rq);
        rq.size = sizeof rq;
        rq.method = method;
        rq.url = url;
        rq.headers = hd;
        rq.n_headers = body ? 3 : 2;
        rq.body = body;
        rq.body_len = body ? strlen(body) : 0;
        if (c->api->abi_minor >= 2)
            rq.flags = PP_HTTP_IDEMPOTENT; /* every call here only reads */
        pp_http_response *r = NULL;
        int hrc = c->api->http(c->h, &rq, &r);
        gcp_wipe_free(auth);
        if (hrc != PP_OK) {
            snprintf(err, errlen, "%s %s failed (%s)", method, shown,
                     hrc == PP_ERR_CANCELLED ? "cancelled" : "transport");
            return hrc == PP_ERR_CANCELLED ? GCP_E_CANCELLED : GCP_E_FAIL;
        }
        if (r->status == 401 && !refreshed) {
            refreshed = 1;
            c->api->http_free(c->h, r);
            continue;
        }
        int result = GCP_OK, quota = 0, disabled = 0;
        if (r->status >= 200 && r->status < 300) {
            *out = r->body_len < GCP_MAX_BODY ? cJSON_ParseWithLength(r->body, r->body_len) : NULL;
            if (!cJSON_IsObject(*out)) {
                cJSON_Delete(*out);
                *out = NULL;
                snprintf(err, errlen, "%s %s: the response is not a JSON object", method, shown);
                result = GCP_E_FAIL;
            }
        } else {
            error_code(r, code, codelen, &quota, &disabled);
            snprintf(err, errlen, "%s %s: HTTP %ld %s", method, shown, r->status, code);
            result = r->status == 404                                   ? GCP_E_NOTFOUND
                     : disabled                                         ? GCP_E_DISABLED
                     : (r->status == 401 || r->status == 403) && !quota ? GCP_E_DENIED
                                                                        : GCP_E_FAIL;
        }
        c->api->http_free(c->h, r);
        if (quota && attempt < GCP_QUOTA_RETRIES) {
            gcp_log(c, PP_LOG_INFO, "quota error on %s (%s); retrying", shown, code);
            if (gcp_sleep_ms(c, 500u << attempt) != 0)
                return GCP_E_CANCELLED;
            continue;
        }
        return result;
    }
}

int gcp_get_json(gcp_ctx *c, const char *url, cJSON **out, char *code, size_t codelen, char *err, size_t errlen)
{
    return gcp_call_json(c, "GET", url, NULL, out, code, codelen, err, errlen);
}

int gcp_list(gcp_ctx *c, const char *url, const char *items_key, gcp_item_fn fn, void *ud, char *code, size_t codelen,
             char *err, size_t errlen)
{
    char *token = NULL;
    int rc = GCP_OK;
    for (unsigned page = 0; page < GCP_MAX_PAGES; page++) {
        if (gcp_cancelled(c)) {
            rc = GCP_E_CANCELLED;
            break;
        }
        char full[4096];
        char *et = token ? gcp_form_encode(token) : NULL;
        int w = snprintf(full, sizeof full, "%s%s%s%s", url,
                         et ? (strchr(url, '?') ? "&pageToken=" : "?pageToken=") : "", et ? et : "", "");
        free(et);
        if (w < 0 || (size_t)w >= sizeof full) {
            snprintf(err, errlen, "list URL too long (pageToken of %zu bytes)", token ? strlen(token) : 0);
            rc = GCP_E_FAIL;
            break;
        }
        cJSON *body = NULL;
        rc = gcp_get_json(c, full, &body, code, codelen, err, errlen);
        if (rc != GCP_OK)
            break;
        const cJSON *items = cJSON_GetObjectItem(body, items_key), *it;
        int stop = 0;
        cJSON_ArrayForEach(it, items)
        {
            if (fn(c, it, ud) != 0) {
                stop = 1;
                break;
            }
        }
        const char *nt = cJSON_GetStringValue(cJSON_GetObjectItem(body, "nextPageToken"));
        char *next = nt && *nt ? strdup(nt) : NULL;
        cJSON_Delete(body);
        if (stop) {
            free(next);
            rc = GCP_E_CANCELLED;
            break;
        }
        if (!next)
            break;
        if (token && strcmp(token, next) == 0) {
            free(next);
            snprintf(err, errlen, "GET %.*s: the same nextPageToken came back twice; stopped", (int)strcspn(url, "?#"),
                     url);
            rc = GCP_E_FAIL;
            break;
        }
        free(token);
        token = next;
    }
    free(token);
    return rc;
}
