/*
 * aws_client.c - signed AWS calls through host->http (see aws_client.h).
 *
 * Retries: the host already retries 429/5xx for idempotent requests with
 * its own backoff. AWS also throttles with HTTP 400 (Throttling,
 * ThrottlingException) and answers POSTs with 503 RequestLimitExceeded,
 * which the host must not retry blindly; this file retries those, up to
 * AWS_MAX_ATTEMPTS, with full-jitter exponential backoff, and keeps an
 * adaptive per-service pause that doubles on every throttle and decays on
 * success, so a large account slows down instead of failing.
 */
#define _DEFAULT_SOURCE
#include "aws_client.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "aws_buf.h"
#include "sigv4.h"

#define AWS_MAX_ATTEMPTS 8
#define AWS_BACKOFF_BASE_MS 100u
#define AWS_BACKOFF_MAX_MS 20000u
#define AWS_ADAPTIVE_MAX_MS 5000u
#define AWS_URL_MAX 4096

/* Credentials of the account the calling thread is collecting (many
 * accounts: the assumed role), or NULL for the chain's. */
static _Thread_local const aws_creds *t_task_creds;

void aws_set_task_creds(const aws_creds *creds)
{
    t_task_creds = creds;
}

/* How to renew t_task_creds after ExpiredToken (accounts.c), or NULL. */
static _Thread_local aws_refresh_fn t_task_refresh;

void aws_set_task_refresh(aws_refresh_fn refresh)
{
    t_task_refresh = refresh;
}

static const char *const throttle_codes[] = {
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "RequestLimitExceeded", "SlowDown", "PriorRequestNotComplete",
    "RequestThrottled", "BandwidthLimitExceeded", "EC2ThrottledException",
    "ProvisionedThroughputExceededException", "TransactionInProgressException", "LimitExceededException"};
static const char *const denied_codes[] = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
                                           "UnauthorizedAccess", "AuthorizationError",
                                           "AuthorizationErrorException", "OptInRequired", "Forbidden"};
static const char *const expired_codes[] = {"ExpiredToken", "ExpiredTokenException", "RequestExpired",
                                            "TokenRefreshRequired"};

static int in_list(const char *code, const char *const *list, size_t n)
{
    for (size_t i = 0; code && i < n; i++)
        if (strcmp(code, list[i]) == 0)
            return 1;
    return 0;
}

int aws_is_throttle_code(const char *code)
{
    return in_list(code, throttle_codes, sizeof throttle_codes / sizeof *throttle_codes);
}

int aws_is_denied_code(const char *code)
{
    return in_list(code, denied_codes, sizeof denied_codes / sizeof *denied_codes);
}

void aws_form_param(abuf *b, const char *key, const char *value)
{
    abuf_ch(b, '&');
    sigv4_uri_encode(b, key, strlen(key), 0);
    abuf_ch(b, '=');
    sigv4_uri_encode(b, value ? value : "", value ? strlen(value) : 0, 0);
}

/* ---- endpoints ---- */

static int valid_region(const char *r)
{
    if (!r || !*r || strlen(r) > 32)
        return 0;
    for (; *r; r++)
        if (!islower((unsigned char)*r) && !isdigit((unsigned char)*r) && *r != '-')
            return 0;
    return 1;
}

static int check_override(const char *what, const char *url, char *err, size_t errlen)
{
    size_t n = strlen(url);
    int ok = n < 1024 && (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0);
    for (size_t i = 0; ok && i < n; i++)
        if (isspace((unsigned char)url[i]) || url[i] == '?' || url[i] == '#' || url[i] == '@' ||
            (unsigned char)url[i] < 0x20)
            ok = 0;
    if (!ok)
        snprintf(err, errlen,
                 "%s is not a plain http:// or https:// URL (no user info, query or fragment, under 1 KiB)", what);
    return ok ? 0 : -1;
}

int aws_endpoint_base(const aws_ctx *c, const char *service, const char *region, char *out, size_t len,
                      int *overridden, char *err, size_t errlen)
{
    char env[64] = "AWS_ENDPOINT_URL_";
    size_t o = strlen(env);
    for (const char *s = service; *s && o + 1 < sizeof env; s++)
        env[o++] = (*s == '-' || *s == ' ') ? '_' : (char)toupper((unsigned char)*s);
    env[o] = '\0';
    const char *url = getenv(env);
    const char *what = env;
    if (!url || !*url) {
        url = c->endpoint_url, what = "aws.endpoint_url";
        if (!url || !*url)
            url = getenv("AWS_ENDPOINT_URL"), what = "AWS_ENDPOINT_URL";
    }
    *overridden = url && *url;
    if (*overridden) {
        if (check_override(what, url, err, errlen) != 0)
            return -1;
        size_t n = strlen(url);
        while (n > 8 && url[n - 1] == '/')
            n--;
        if (n >= len) {
            snprintf(err, errlen, "%s is too long", what);
            return -1;
        }
        memcpy(out, url, n);
        out[n] = '\0';
        return 0;
    }
    if (!valid_region(region)) {
        snprintf(err, errlen, "invalid region name");
        return -1;
    }
    if (strcmp(service, "iam") == 0)
        snprintf(out, len, "https://iam.amazonaws.com");
    else
        snprintf(out, len, "https://%s.%s.amazonaws.com", service, region);
    return 0;
}

/* ---- adaptive throttling ---- */

static aws_throttle *throttle_slot(aws_ctx *c, const char *service)
{
    for (size_t i = 0; i < c->n_throttle; i++)
        if (strcmp(c->throttle[i].service, service) == 0)
            return &c->throttle[i];
    if (c->n_throttle < sizeof c->throttle / sizeof c->throttle[0]) {
        aws_throttle *t = &c->throttle[c->n_throttle++];
        snprintf(t->service, sizeof t->service, "%s", service);
        t->delay_ms = 0;
        return t;
    }
    return NULL;
}

static unsigned throttle_delay(aws_ctx *c, const char *service, int outcome)
{
    pthread_mutex_lock(&c->throttle_mu);
    aws_throttle *t = throttle_slot(c, service);
    unsigned d = 0;
    if (t) {
        if (outcome > 0) /* throttled */
            t->delay_ms = t->delay_ms ? (t->delay_ms * 2 > AWS_ADAPTIVE_MAX_MS ? AWS_ADAPTIVE_MAX_MS : t->delay_ms * 2)
                                      : 50;
        else if (outcome < 0) /* success */
            t->delay_ms = t->delay_ms < 8 ? 0 : t->delay_ms * 3 / 4;
        d = t->delay_ms;
    }
    pthread_mutex_unlock(&c->throttle_mu);
    return d;
}

static unsigned jitter(unsigned max)
{
    static _Thread_local unsigned long long s;
    if (!s) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        s = ((unsigned long long)ts.tv_nsec << 20) ^ (unsigned long long)ts.tv_sec ^ (unsigned long long)(size_t)&s;
        s |= 1;
    }
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    return max ? (unsigned)(s % (max + 1ull)) : 0;
}

/* ---- error replies ---- */

static void copy_clean(char *dst, size_t len, const char *src)
{
    size_t o = 0;
    for (; src && *src && o + 1 < len; src++)
        dst[o++] = ((unsigned char)*src < 0x20 || *src == 0x7f) ? ' ' : *src;
    dst[o] = '\0';
}

static void parse_error(const pp_http_response *r, aws_reply *out)
{
    for (size_t i = 0; i < r->n_headers; i++)
        if (strcmp(r->headers[i].name, "x-amzn-errortype") == 0 && r->headers[i].value) {
            char tmp[96];
            copy_clean(tmp, sizeof tmp, r->headers[i].value);
            tmp[strcspn(tmp, ":")] = '\0';
            snprintf(out->code, sizeof out->code, "%s", tmp);
        }
    const char *b = r->body ? r->body : "";
    while (*b && isspace((unsigned char)*b))
        b++;
    if (*b == '<') {
        char e[128];
        xml_node *x = xml_parse(r->body, r->body_len, e, sizeof e);
        if (x) {
            const xml_node *code = xml_find(x, "Code");
            const xml_node *msg = xml_find(x, "Message");
            if (code)
                copy_clean(out->code, sizeof out->code, code->text);
            if (msg)
                copy_clean(out->message, sizeof out->message, msg->text);
            xml_free(x);
        }
    } else if (*b == '{') {
        cJSON *j = cJSON_ParseWithLength(r->body, r->body_len);
        const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(j, "__type"));
        if (!t)
            t = cJSON_GetStringValue(cJSON_GetObjectItem(j, "code"));
        if (t && !out->code[0]) {
            const char *h = strrchr(t, '#');
            copy_clean(out->code, sizeof out->code, h ? h + 1 : t);
        }
        const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(j, "message"));
        if (!m)
            m = cJSON_GetStringValue(cJSON_GetObjectItem(j, "Message"));
        copy_clean(out->message, sizeof out->message, m);
        cJSON_Delete(j);
    }
}

void aws_reply_free(aws_reply *r)
{
    free(r->body);
    memset(r, 0, sizeof *r);
}

/* ---- one call ---- */

static int dns_bucket(const char *b)
{
    size_t n = strlen(b);
    if (n < 3 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!islower((unsigned char)b[i]) && !isdigit((unsigned char)b[i]) && b[i] != '-')
            return 0;
    return 1;
}

/* Split base+path into the URL to fetch, the Host header and the path to sign. */
static int build_url(aws_ctx *c, const aws_call *call, abuf *url, char *host, size_t hostlen, size_t *path_at_out,
                     char *err, size_t errlen)
{
    char base[1100];
    int overridden = 0;
    if (aws_endpoint_base(c, call->service, call->region, base, sizeof base, &overridden, err, errlen) != 0)
        return -1;
    const char *path = call->path && *call->path ? call->path : "/";
    if (call->bucket) {
        if (!overridden && dns_bucket(call->bucket)) {
            /* virtual-hosted style, as the SDKs use against AWS itself */
            abuf_fmt(url, "https://%s.s3.%s.amazonaws.com", call->bucket, call->region);
        } else {
            abuf_str(url, base);
            abuf_ch(url, '/');
            sigv4_uri_encode(url, call->bucket, strlen(call->bucket), 0);
        }
    } else {
        abuf_str(url, base);
    }
    const char *hs = strstr(abuf_cstr(url), "://") + 3;
    size_t hl = strcspn(hs, "/");
    if (hl == 0 || hl >= hostlen) {
        snprintf(err, errlen, "endpoint has no host");
        return -1;
    }
    memcpy(host, hs, hl);
    host[hl] = '\0';
    size_t path_at = (size_t)(hs + hl - abuf_cstr(url));
    if (!(call->bucket && path[0] == '/' && path[1] == '\0' && url->len > path_at))
        abuf_str(url, path[0] == '/' ? path : "/");
    else if (url->len == path_at)
        abuf_ch(url, '/');
    if (url->failed || url->len >= AWS_URL_MAX) {
        snprintf(err, errlen, "request URL too long");
        return -1;
    }
    /* the path to sign is everything after the host, up to the query; an
     * offset, not a pointer: appending the query may move the buffer */
    *path_at_out = path_at;
    if (call->query && *call->query) {
        abuf_ch(url, '?');
        abuf_str(url, call->query);
    }
    if (url->failed) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static void log_url(const char *url, char *out, size_t len)
{
    snprintf(out, len, "%.*s", (int)strcspn(url, "?"), url);
}

/* Send @call once. @used_akid (AWS_AKID_MAX bytes) receives the access key
 * id it was signed with ("" when unsigned or signed with call->creds). */
#define AWS_AKID_MAX 132
static int send_once(aws_ctx *c, const aws_call *call, char *used_akid, aws_reply *out, char *err,
                     size_t errlen)
{
    abuf url;
    abuf_init(&url);
    char host[512];
    size_t path_at = 0;
    if (build_url(c, call, &url, host, sizeof host, &path_at, err, errlen) != 0) {
        abuf_free(&url);
        return AWS_E_FAIL;
    }
    const char *sign_path = abuf_cstr(&url) + path_at;
    char *path_copy = strndup(sign_path, strcspn(sign_path, "?"));
    pp_http_header hdr[8];
    size_t nh = 0;
    hdr[nh++] = (pp_http_header){"Host", host};
    if (call->content_type)
        hdr[nh++] = (pp_http_header){"Content-Type", call->content_type};
    if (call->target)
        hdr[nh++] = (pp_http_header){"X-Amz-Target", call->target};

    aws_creds cr = {0};
    sigv4_result sig;
    memset(&sig, 0, sizeof sig);
    int rc = AWS_OK;
    if (!call->unsigned_request) {
        if (call->creds)
            rc = aws_creds_copy(&cr, call->creds) == 0 ? AWS_OK : AWS_E_FAIL;
        else if (t_task_creds)
            rc = aws_creds_copy(&cr, t_task_creds) == 0 ? AWS_OK : AWS_E_FAIL;
        else
            rc = aws_chain_get(c, 0, &cr, err, errlen) == 0 ? AWS_OK : AWS_E_FAIL;
        if (rc == AWS_OK && !call->creds && cr.access_key_id)
            snprintf(used_akid, AWS_AKID_MAX, "%s", cr.access_key_id);
        if (rc == AWS_OK) {
            sigv4_request sr = {call->method ? call->method : "GET", path_copy, call->query, hdr, nh,
                                call->body, call->body_len};
            sigv4_params sp = {0};
            sp.access_key_id = cr.access_key_id;
            sp.secret_access_key = cr.secret_access_key;
            sp.session_token = cr.session_token;
            sp.region = strcmp(call->service, "iam") == 0 ? "us-east-1" : call->region;
            sp.service = call->service;
            sp.when = time(NULL);
            sp.normalize_path = !call->s3;
            sp.path_verbatim = call->s3;
            sp.sign_body = call->s3;
            char serr[200];
            if (!path_copy || sigv4_sign_headers(&sr, &sp, &sig, serr, sizeof serr) != 0) {
                snprintf(err, errlen, "cannot sign the request: %s", path_copy ? serr : "out of memory");
                rc = AWS_E_FAIL;
            }
            for (size_t i = 0; rc == AWS_OK && i < sig.n_add; i++)
                hdr[nh++] = sig.add[i];
        }
    }
    if (rc == AWS_OK) {
        pp_http_request req;
        PP_INIT(&req);
        req.method = call->method ? call->method : "GET";
        req.url = abuf_cstr(&url);
        req.headers = hdr;
        req.n_headers = nh;
        req.body = call->body;
        req.body_len = call->body_len;
        pp_http_response *resp = NULL;
        int hrc = c->api->http(c->h, &req, &resp);
        if (hrc == PP_ERR_CANCELLED) {
            rc = AWS_E_CANCELLED;
            snprintf(err, errlen, "cancelled");
        } else if (hrc != PP_OK || !resp) {
            char lu[600];
            log_url(abuf_cstr(&url), lu, sizeof lu);
            snprintf(err, errlen, "%s: %s %s: %s", call->permission ? call->permission : call->service, req.method,
                     lu, hrc == PP_ERR_TIMEOUT ? "timed out" : "connection or TLS failure");
            rc = AWS_E_FAIL;
        } else {
            out->status = resp->status;
            out->body = malloc(resp->body_len + 1);
            if (out->body) {
                memcpy(out->body, resp->body ? resp->body : "", resp->body_len);
                out->body[resp->body_len] = '\0';
                out->len = resp->body_len;
            } else {
                rc = AWS_E_FAIL;
                snprintf(err, errlen, "out of memory");
            }
            if (resp->status < 200 || resp->status >= 300)
                parse_error(resp, out);
            c->api->http_free(c->h, resp);
        }
    }
    sigv4_result_free(&sig);
    aws_creds_clear(&cr);
    free(path_copy);
    abuf_free(&url);
    return rc;
}

int aws_call_do(aws_ctx *c, const aws_call *call, aws_reply *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    int refreshed = 0;
    unsigned backoff_cap = AWS_BACKOFF_BASE_MS;
    for (int attempt = 1;; attempt++) {
        unsigned pause = throttle_delay(c, call->service, 0);
        if (pause && aws_sleep_ms(c, pause) != 0) {
            snprintf(err, errlen, "cancelled");
            return AWS_E_CANCELLED;
        }
        aws_reply_free(out);
        char used_akid[AWS_AKID_MAX] = "";
        int rc = send_once(c, call, used_akid, out, err, errlen);
        if (rc != AWS_OK) {
            aws_reply_free(out);
            return rc;
        }
        if (out->status >= 200 && out->status < 300) {
            throttle_delay(c, call->service, -1);
            return AWS_OK;
        }
        int throttled = aws_is_throttle_code(out->code) || out->status == 429 || out->status >= 500;
        if (throttled) {
            unsigned d = throttle_delay(c, call->service, 1);
            if (attempt >= AWS_MAX_ATTEMPTS) {
                snprintf(err, errlen, "%s: still throttled or failing after %d attempts (HTTP %ld %s)",
                         call->permission ? call->permission : call->service, attempt, out->status,
                         out->code[0] ? out->code : "");
                aws_reply_free(out);
                return AWS_E_FAIL;
            }
            aws_log(c, PP_LOG_DEBUG, "%s: HTTP %ld %s, attempt %d, adaptive pause %u ms",
                    call->permission ? call->permission : call->service, out->status, out->code, attempt, d);
            if (aws_sleep_ms(c, jitter(backoff_cap)) != 0) {
                snprintf(err, errlen, "cancelled");
                aws_reply_free(out);
                return AWS_E_CANCELLED;
            }
            backoff_cap = backoff_cap * 2 > AWS_BACKOFF_MAX_MS ? AWS_BACKOFF_MAX_MS : backoff_cap * 2;
            continue;
        }
        if (in_list(out->code, expired_codes, sizeof expired_codes / sizeof *expired_codes) && !refreshed &&
            !call->creds && !call->unsigned_request) {
            if (!t_task_creds) {
                aws_log(c, PP_LOG_INFO, "%s: credentials expired (%s); refreshing",
                        call->permission ? call->permission : call->service, out->code);
                aws_chain_expired(c, used_akid); /* the next attempt resolves the chain again */
                refreshed = 1;
                continue;
            }
            char why[AWS_ERR_LEN] = "";
            if (t_task_refresh && t_task_refresh(c, why, sizeof why) == 0) {
                refreshed = 1; /* the task credentials were renewed in place */
                continue;
            }
            snprintf(err, errlen, "%s: HTTP %ld %s, and the credentials could not be renewed: %s",
                     call->permission ? call->permission : call->service, out->status, out->code,
                     why[0] ? why : "no way to renew them");
            aws_reply_free(out);
            return AWS_E_FAIL;
        }
        if (aws_is_denied_code(out->code) || (out->status == 403 && !out->code[0]))
            return AWS_E_DENIED;
        if (out->status == 404 || strncmp(out->code, "NoSuch", 6) == 0 || strstr(out->code, "NotFound"))
            return AWS_E_NOTFOUND;
        snprintf(err, errlen, "%s: HTTP %ld %s%s%s", call->permission ? call->permission : call->service,
                 out->status, out->code[0] ? out->code : "error", out->message[0] ? ": " : "", out->message);
        aws_reply_free(out);
        return AWS_E_FAIL;
    }
}

/* ---- protocols ---- */

int aws_query_call(aws_ctx *c, const char *service, const char *region, const char *action,
                   const char *version, const char *params, const char *permission, xml_node **root, char *err,
                   size_t errlen)
{
    *root = NULL;
    abuf body;
    abuf_init(&body);
    abuf_fmt(&body, "Action=%s&Version=%s%s", action, version, params ? params : "");
    if (body.failed) {
        snprintf(err, errlen, "out of memory");
        return AWS_E_FAIL;
    }
    aws_call call = {0};
    call.service = service;
    call.region = region;
    call.method = "POST";
    call.path = "/";
    call.body = abuf_cstr(&body);
    call.body_len = body.len;
    call.content_type = "application/x-www-form-urlencoded; charset=utf-8";
    call.permission = permission;
    aws_reply r;
    int rc = aws_call_do(c, &call, &r, err, errlen);
    abuf_free(&body);
    if (rc == AWS_E_DENIED || rc == AWS_E_NOTFOUND)
        snprintf(err, errlen, "%s", r.code);
    if (rc == AWS_OK) {
        char xerr[200];
        *root = xml_parse(r.body, r.len, xerr, sizeof xerr);
        if (!*root) {
            snprintf(err, errlen, "%s: bad response: %s", permission, xerr);
            rc = AWS_E_FAIL;
        }
    }
    aws_reply_free(&r);
    return rc;
}

int aws_s3_call(aws_ctx *c, const char *region, const char *bucket, const char *subresource,
                const char *params, const char *permission, xml_node **root, char **raw, char *err,
                size_t errlen)
{
    if (root)
        *root = NULL;
    if (raw)
        *raw = NULL;
    abuf q;
    abuf_init(&q);
    if (subresource)
        abuf_fmt(&q, "%s=", subresource);
    if (params && *params)
        abuf_fmt(&q, "%s%s", q.len ? "&" : "", params);
    aws_call call = {0};
    call.service = "s3";
    call.region = region;
    call.method = "GET";
    call.path = "/";
    call.query = q.len ? abuf_cstr(&q) : NULL;
    call.permission = permission;
    call.bucket = bucket;
    call.s3 = 1;
    aws_reply r;
    int rc = aws_call_do(c, &call, &r, err, errlen);
    abuf_free(&q);
    if (rc == AWS_E_DENIED || rc == AWS_E_NOTFOUND)
        snprintf(err, errlen, "%s", r.code);
    if (rc == AWS_OK) {
        if (raw) {
            *raw = r.body;
            r.body = NULL;
        } else {
            char xerr[200];
            *root = xml_parse(r.body, r.len, xerr, sizeof xerr);
            if (!*root) {
                snprintf(err, errlen, "%s: bad response: %s", permission, xerr);
                rc = AWS_E_FAIL;
            }
        }
    }
    aws_reply_free(&r);
    return rc;
}

int aws_json_call(aws_ctx *c, const char *service, const char *region, const char *target_prefix,
                  const char *operation, const char *body_json, const char *permission, char **reply_json,
                  char *err, size_t errlen)
{
    *reply_json = NULL;
    char target[160];
    snprintf(target, sizeof target, "%s.%s", target_prefix, operation);
    aws_call call = {0};
    call.service = service;
    call.region = region;
    call.method = "POST";
    call.path = "/";
    call.body = body_json ? body_json : "{}";
    call.body_len = strlen(call.body);
    call.content_type = "application/x-amz-json-1.1";
    call.target = target;
    call.permission = permission;
    aws_reply r;
    int rc = aws_call_do(c, &call, &r, err, errlen);
    if (rc == AWS_E_DENIED || rc == AWS_E_NOTFOUND)
        snprintf(err, errlen, "%s", r.code);
    if (rc == AWS_OK) {
        *reply_json = r.body;
        r.body = NULL;
    }
    aws_reply_free(&r);
    return rc;
}

int aws_rest_json_call(aws_ctx *c, const char *service, const char *region, const char *path, const char *query,
                       const char *permission, char **reply_json, char *err, size_t errlen)
{
    *reply_json = NULL;
    aws_call call = {0};
    call.service = service;
    call.region = region;
    call.method = "GET";
    call.path = path;
    call.query = query;
    call.permission = permission;
    aws_reply r;
    int rc = aws_call_do(c, &call, &r, err, errlen);
    if (rc == AWS_E_DENIED || rc == AWS_E_NOTFOUND)
        snprintf(err, errlen, "%s", r.code);
    if (rc == AWS_OK) {
        *reply_json = r.body;
        r.body = NULL;
    }
    aws_reply_free(&r);
    return rc;
}
