/*
 * plugins/kubernetes/kube_api.c - GET requests to the API server through
 * the host's HTTP service, and list pagination. Contracts in kube.h.
 *
 * TLS: the cluster's CA (certificate-authority[-data], or the in-cluster
 * ca.crt) is passed as the request's ca_file. Client certificates need the
 * host to present them: pp_http_request.client_cert_pem/client_key_pem
 * (ABI 1.4, PP_HTTP_HAS_CLIENT_CERT). Built against an older SDK, or run by
 * an older host, a user with a client certificate gets a clear error
 * instead of an anonymous request.
 *
 * Paging: limit=page_size, then continue=TOKEN while the server returns
 * metadata.continue. A 410 Gone on a continue request (the token expired,
 * e.g. after etcd compaction) restarts the list once from the beginning;
 * items already delivered are recognised by metadata.uid and skipped.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube.h"

/* The Status message of an error body, sanitised to one short line. */
static void status_message(const char *body, size_t len, char *out, size_t outlen)
{
    out[0] = '\0';
    cJSON *j = body && len ? cJSON_ParseWithLength(body, len) : NULL;
    const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "message"));
    if (m) {
        size_t o = 0;
        for (size_t i = 0; m[i] && o + 1 < outlen && i < 300; i++)
            out[o++] = (m[i] >= 0x20 && m[i] != 0x7f) ? m[i] : ' ';
        out[o] = '\0';
    }
    cJSON_Delete(j);
}

int kube_host_can_present_cert(const kube_ctx *c)
{
#ifdef PP_HTTP_HAS_CLIENT_CERT
    return c->api->abi_major == PP_ABI_MAJOR && c->api->abi_minor >= PP_HTTP_CLIENT_CERT_MINOR;
#else
    (void)c;
    return 0;
#endif
}

/* One GET of @url with @k's credential (a fresh one when @force); the
 * response in *@resp (the caller frees it with http_free) on KUBE_OK. */
static int get_once(kube_ctx *c, kube_conn *k, const char *url, int force, pp_http_response **resp, char *err,
                    size_t errlen)
{
    kube_cred cr;
    int crc = kube_cred_get(c, k, force, &cr, err, errlen);
    if (crc == -2)
        return KUBE_E_CANCELLED;
    if (crc != 0)
        return KUBE_E_FAIL;
    if (cr.cert_pem && !kube_host_can_present_cert(c)) {
        kube_cred_release(&cr);
        snprintf(err, errlen,
                 "%s: the user authenticates with a client certificate, but this parapet host cannot present "
                 "client certificates (needs ABI 1.4, pp_http_request.client_cert_pem); use a token or an exec "
                 "plugin",
                 k->source);
        return KUBE_E_FAIL;
    }
    char *auth = NULL;
    pp_http_header hdrs[2] = {{"Accept", "application/json"}, {"Authorization", NULL}};
    size_t nh = 1;
    if (cr.token) {
        size_t n = strlen(cr.token) + 8;
        auth = malloc(n);
        if (!auth) {
            kube_cred_release(&cr);
            snprintf(err, errlen, "out of memory");
            return KUBE_E_FAIL;
        }
        snprintf(auth, n, "Bearer %s", cr.token);
        hdrs[1].value = auth;
        nh = 2;
    }
    pp_http_request req;
    PP_INIT(&req);
    req.method = "GET";
    req.url = url;
    req.headers = hdrs;
    req.n_headers = nh;
    req.ca_file = k->ca_file;
#ifdef PP_HTTP_HAS_CLIENT_CERT
    if (cr.cert_pem) {
        req.client_cert_pem = cr.cert_pem;
        req.client_cert_pem_len = cr.cert_len;
        req.client_key_pem = cr.key_pem;
        req.client_key_pem_len = cr.key_len;
    }
#endif
    int rc = c->api->http(c->h, &req, resp);
    kube_wipe_str(auth);
    kube_cred_release(&cr);
    if (rc == PP_ERR_CANCELLED)
        return KUBE_E_CANCELLED;
    if (rc != PP_OK) {
        /* the host logged the transport's reason; the URL here has no path or query */
        snprintf(err, errlen, "%s: %s", k->server, rc == PP_ERR_TIMEOUT ? "timed out" : "connection or TLS failure");
        return KUBE_E_FAIL;
    }
    return KUBE_OK;
}

int kube_get(kube_ctx *c, kube_conn *k, const char *path, int wipe_body, cJSON **out, char *err, size_t errlen)
{
    *out = NULL;
    size_t sl = strlen(k->server), pl = strlen(path);
    char *url = malloc(sl + pl + 1);
    if (!url) {
        snprintf(err, errlen, "out of memory");
        return KUBE_E_FAIL;
    }
    memcpy(url, k->server, sl);
    memcpy(url + sl, path, pl + 1);
    /* the path without its query, for messages */
    char shown[300];
    snprintf(shown, sizeof shown, "%.*s", (int)strcspn(path, "?"), path);
    pp_http_response *resp = NULL;
    int rc = get_once(c, k, url, 0, &resp, err, errlen);
    if (rc == KUBE_OK && resp->status == 401 && kube_cred_can_refresh(k)) {
        /* the cached credential may have been revoked or rotated: once more with a fresh one */
        c->api->http_free(c->h, resp);
        resp = NULL;
        rc = get_once(c, k, url, 1, &resp, err, errlen);
    }
    free(url);
    if (rc != KUBE_OK)
        return rc;
    long st = resp->status;
    char msg[320];
    status_message(st == 200 ? NULL : resp->body, resp->body_len, msg, sizeof msg);
    if (st == 200) {
        if (resp->body_len > KUBE_MAX_PAGE) {
            snprintf(err, errlen, "GET %s: response of %zu bytes is larger than the %u-byte limit", shown,
                     resp->body_len, KUBE_MAX_PAGE);
            rc = KUBE_E_FAIL;
        } else {
            *out = cJSON_ParseWithLength(resp->body, resp->body_len);
            if (!*out || !cJSON_IsObject(*out)) {
                if (wipe_body)
                    kube_wipe_json(*out);
                cJSON_Delete(*out);
                *out = NULL;
                snprintf(err, errlen, "GET %s: the answer is not a JSON object", shown);
                rc = KUBE_E_FAIL;
            }
        }
    } else if (st == 401) {
        snprintf(err, errlen, "GET %s: 401 Unauthorized: the server refused the credential of %s", shown, k->source);
        rc = KUBE_E_FAIL;
    } else if (st == 403) {
        snprintf(err, errlen, "GET %s: 403 Forbidden%s%s", shown, *msg ? ": " : "", msg);
        rc = KUBE_E_DENIED;
    } else if (st == 404) {
        snprintf(err, errlen, "GET %s: 404 Not Found (the server does not serve it)", shown);
        rc = KUBE_E_NOTFOUND;
    } else if (st == 410) {
        snprintf(err, errlen, "GET %s: 410 Gone%s%s", shown, *msg ? ": " : "", msg);
        rc = KUBE_E_GONE;
    } else {
        snprintf(err, errlen, "GET %s: HTTP %ld%s%s", shown, st, *msg ? ": " : "", msg);
        rc = KUBE_E_FAIL;
    }
    if (wipe_body && resp->body)
        explicit_bzero((void *)resp->body, resp->body_len);
    c->api->http_free(c->h, resp);
    return rc;
}

/* A set of uids (open addressing), to skip items already delivered when a list restarts. */
typedef struct uid_set {
    char **slot;
    size_t cap, n;
} uid_set;

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* 1 when @uid was in the set, 0 when added, -1 when out of memory. */
static int uid_set_add(uid_set *s, const char *uid)
{
    if ((s->n + 1) * 2 > s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 256;
        char **ns = calloc(nc, sizeof *ns);
        if (!ns)
            return -1;
        for (size_t i = 0; i < s->cap; i++)
            if (s->slot[i]) {
                size_t j = fnv1a(s->slot[i]) & (nc - 1);
                while (ns[j])
                    j = (j + 1) & (nc - 1);
                ns[j] = s->slot[i];
            }
        free(s->slot);
        s->slot = ns;
        s->cap = nc;
    }
    size_t j = fnv1a(uid) & (s->cap - 1);
    while (s->slot[j]) {
        if (!strcmp(s->slot[j], uid))
            return 1;
        j = (j + 1) & (s->cap - 1);
    }
    if (!(s->slot[j] = strdup(uid)))
        return -1;
    s->n++;
    return 0;
}

static void uid_set_free(uid_set *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->slot[i]);
    free(s->slot);
    memset(s, 0, sizeof *s);
}

int kube_list(kube_ctx *c, kube_conn *k, const char *path, int wipe_body, kube_item_fn fn, void *ud, char *err,
              size_t errlen)
{
    char *cont = NULL;
    int restarted = 0, rc = KUBE_OK;
    uid_set seen = {0};
    for (unsigned page = 0;; page++) {
        if (page >= KUBE_MAX_PAGES) {
            snprintf(err, errlen, "GET %s: more than %u pages", path, KUBE_MAX_PAGES);
            rc = KUBE_E_FAIL;
            break;
        }
        if (c->api->cancelled(c->h)) {
            rc = KUBE_E_CANCELLED;
            break;
        }
        char *esc = cont ? kube_url_escape(cont) : NULL;
        size_t ul = strlen(path) + (esc ? strlen(esc) : 0) + 64;
        char *p = malloc(ul);
        if (!p || (cont && !esc)) {
            free(p);
            free(esc);
            snprintf(err, errlen, "out of memory");
            rc = KUBE_E_FAIL;
            break;
        }
        snprintf(p, ul, "%s?limit=%u%s%s", path, c->page_size, esc ? "&continue=" : "", esc ? esc : "");
        free(esc);
        cJSON *body = NULL;
        rc = kube_get(c, k, p, wipe_body, &body, err, errlen);
        free(p);
        if (rc == KUBE_E_GONE && cont && !restarted) {
            kube_log(c, PP_LOG_INFO, "%s on %s: the continue token expired; listing again from the start", path,
                     k->context);
            restarted = 1;
            free(cont);
            cont = NULL;
            rc = KUBE_OK;
            continue;
        }
        if (rc != KUBE_OK)
            break;
        cJSON *items = cJSON_GetObjectItemCaseSensitive(body, "items");
        if (!cJSON_IsArray(items) && !cJSON_IsNull(items) && items) {
            snprintf(err, errlen, "GET %s: items is not a list", path);
            rc = KUBE_E_FAIL;
        }
        cJSON *it, *list = rc == KUBE_OK ? items : NULL;
        int stop = 0;
        cJSON_ArrayForEach(it, list)
        {
            const char *uid = cJSON_GetStringValue(
                cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(it, "metadata"), "uid"));
            if (uid) {
                int a = uid_set_add(&seen, uid);
                if (a < 0) {
                    snprintf(err, errlen, "out of memory");
                    rc = KUBE_E_FAIL;
                    break;
                }
                if (a == 1 && restarted)
                    continue;
            }
            if ((stop = fn(c, k, it, ud)) != 0)
                break;
        }
        free(cont);
        cont = NULL;
        const char *next = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(body, "metadata"), "continue"));
        if (rc == KUBE_OK && !stop && next && *next && !(cont = strdup(next))) {
            snprintf(err, errlen, "out of memory");
            rc = KUBE_E_FAIL;
        }
        if (wipe_body)
            kube_wipe_json(body);
        cJSON_Delete(body);
        if (stop && c->api->cancelled(c->h))
            rc = KUBE_E_CANCELLED;
        if (rc != KUBE_OK || stop || !cont)
            break;
    }
    free(cont);
    uid_set_free(&seen);
    return rc;
}
