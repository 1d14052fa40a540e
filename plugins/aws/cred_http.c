/*
 * cred_http.c - see cred_http.h.
 */
#define _DEFAULT_SOURCE
#include "cred_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CRED_HTTP_MAX_BODY (256 * 1024)

long cred_http(aws_ctx *c, const char *method, const char *url, const pp_http_header *headers, size_t n_headers,
               unsigned timeout_ms, char **body, char *err, size_t errlen)
{
    *body = NULL;
    pp_http_request req;
    PP_INIT(&req);
    req.method = method;
    req.url = url;
    req.headers = headers;
    req.n_headers = n_headers;
    req.timeout_ms = timeout_ms;
    req.max_retries = PP_HTTP_NO_RETRY;
    pp_http_response *resp = NULL;
    int rc = c->api->http(c->h, &req, &resp);
    if (rc != PP_OK || !resp) {
        snprintf(err, errlen, "%s %.*s: %s", method, (int)strcspn(url, "?"), url,
                 rc == PP_ERR_TIMEOUT ? "timed out" : "no answer");
        return -1;
    }
    long status = resp->status;
    if (resp->body_len > CRED_HTTP_MAX_BODY) {
        snprintf(err, errlen, "%s %.*s: answer larger than 256 KiB", method, (int)strcspn(url, "?"), url);
        c->api->http_free(c->h, resp);
        return -1;
    }
    *body = malloc(resp->body_len + 1);
    if (*body) {
        memcpy(*body, resp->body ? resp->body : "", resp->body_len);
        (*body)[resp->body_len] = '\0';
    }
    c->api->http_free(c->h, resp);
    if (!*body) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return status;
}
