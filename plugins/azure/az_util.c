/*
 * az_util.c - see az_util.h.
 */
#define _DEFAULT_SOURCE
#include "az_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

int az_http(azure_ctx *c, const char *method, const char *url, const pp_http_header *hdrs, size_t n_hdrs,
            const void *body, size_t body_len, const char *what, pp_http_response **out, char *err, size_t errlen)
{
    pp_http_request rq;
    memset(&rq, 0, sizeof rq);
    rq.size = sizeof rq;
    rq.method = method;
    rq.url = url;
    rq.headers = hdrs;
    rq.n_headers = n_hdrs;
    rq.body = body;
    rq.body_len = body_len;
    *out = NULL;
    int rc = c->api->http(c->h, &rq, out);
    if (rc != PP_OK) {
        char shown[300];
        az_url_for_log(url, shown, sizeof shown);
        snprintf(err, errlen, "%s: %s %s failed (%s)", what, method ? method : "GET", shown,
                 rc == PP_ERR_TIMEOUT     ? "timed out"
                 : rc == PP_ERR_CANCELLED ? "cancelled"
                 : rc == PP_ERR_INVALID   ? "invalid request"
                                          : "connection or TLS failure");
        return rc;
    }
    if ((*out)->body_len > AZ_MAX_BODY) {
        snprintf(err, errlen, "%s: response of %zu bytes is over the %u-byte cap", what, (*out)->body_len, AZ_MAX_BODY);
        c->api->http_free(c->h, *out);
        *out = NULL;
        return PP_ERR_INVALID;
    }
    return PP_OK;
}

const char *az_resp_header(const pp_http_response *r, const char *name)
{
    for (size_t i = 0; r && i < r->n_headers; i++)
        if (r->headers[i].name && strcmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

void az_url_for_log(const char *url, char *buf, size_t len)
{
    const char *s = strstr(url, "://");
    const char *host = s ? s + 3 : url;
    const char *at = strchr(host, '@');
    const char *slash = strchr(host, '/');
    if (at && (!slash || at < slash))
        host = at + 1;
    size_t n = strcspn(host, "?#");
    snprintf(buf, len, "%.*s%.*s", s ? (int)(s + 3 - url) : 0, url, (int)n, host);
}

char *az_form_encode(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *o = malloc(n * 3 + 1), *p = o;
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

char *az_b64(const void *p, size_t n)
{
    if (n > (1u << 28))
        return NULL;
    char *o = malloc(4 * ((n + 2) / 3) + 1);
    if (!o)
        return NULL;
    EVP_EncodeBlock((unsigned char *)o, p, (int)n);
    return o;
}

char *az_b64url(const void *p, size_t n)
{
    char *o = az_b64(p, n);
    if (!o)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; o[i]; i++) {
        if (o[i] == '=')
            break;
        o[k++] = o[i] == '+' ? '-' : o[i] == '/' ? '_' : o[i];
    }
    o[k] = '\0';
    return o;
}

unsigned char *az_b64_decode(const char *s, size_t *n)
{
    size_t len = strlen(s);
    *n = 0;
    if (len == 0 || len % 4 != 0 || len > (1u << 20))
        return NULL;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        int ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '+' ||
                 ch == '/' || (ch == '=' && i >= len - 2 && (i == len - 1 || s[len - 1] == '='));
        if (!ok)
            return NULL;
    }
    unsigned char *o = malloc(len / 4 * 3 + 1);
    if (!o)
        return NULL;
    int k = EVP_DecodeBlock(o, (const unsigned char *)s, (int)len);
    if (k < 0) {
        free(o);
        return NULL;
    }
    size_t pad = (s[len - 1] == '=') + (s[len - 2] == '=');
    *n = (size_t)k - pad;
    return o;
}

void az_wipe_free(char *s)
{
    if (!s)
        return;
    explicit_bzero(s, strlen(s));
    free(s);
}

const char *az_ref_for_msg(const char *ref)
{
    if (!ref)
        return "no reference";
    if (strncmp(ref, "env:", 4) == 0 || strncmp(ref, "file:", 5) == 0)
        return ref;
    return "a literal value, not env:NAME or file:PATH";
}

int64_t az_now(void)
{
    return (int64_t)time(NULL);
}

void az_rfc1123(int64_t t, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    gmtime_r(&tt, &tm); /* names spelled out: strftime's %a/%b follow the locale */
    snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The account name of a blob endpoint: ACCOUNT.blob.HOST, or the first path segment (Azurite, path style). */
char *az_storage_account_from_endpoint(const char *ep)
{
    const char *h = strstr(ep, "://");
    h = h ? h + 3 : ep;
    const char *dot = strchr(h, '.'), *slash = strchr(h, '/');
    const char *start = NULL;
    size_t n = 0;
    if (dot && (!slash || dot < slash) && strncmp(dot, ".blob.", 6) == 0) {
        start = h;
        n = (size_t)(dot - h);
    } else if (slash) {
        start = slash + 1;
        n = strcspn(start, "/");
    }
    if (!start || n < 3 || n > 24 || strspn(start, "abcdefghijklmnopqrstuvwxyz0123456789") < n)
        return NULL;
    return strndup(start, n);
}
