/* core/host_services.c - the host's http and secret services, on top of
 * core/http (libcurl) and core/http/secret.c. One HTTP client per plugin, so
 * per-plugin settings (CA, insecure hosts, caps) stay with their plugin. */
#include "config.h"

#include "host_services.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "http/http.h"
#include "http/secret.h"
#include "log.h"
#include "util.h"

static const char *const u32_keys[] = {"connect_timeout_ms", "timeout_ms",         "max_retries",
                                       "backoff_base_ms",    "backoff_max_ms",     "retry_after_max_ms",
                                       "max_per_host",       "max_body_bytes"};

static int known_key(const char *k)
{
    for (size_t i = 0; i < sizeof u32_keys / sizeof u32_keys[0]; i++)
        if (!strcmp(k, u32_keys[i]))
            return 1;
    return !strcmp(k, "ca_file") || !strcmp(k, "ca_mode") || !strcmp(k, "insecure_hosts");
}

int host_http_configure(pp_host *h, void *conf_v, char *err, size_t errlen)
{
    cJSON *conf = conf_v;
    cJSON *http = cJSON_CreateObject();
    cJSON *m = conf ? conf->child : NULL;
    int rc = 0;
    while (m) {
        cJSON *next = m->next;
        if (strncmp(m->string, "http.", 5) == 0) {
            const char *k = m->string + 5;
            if (!known_key(k)) {
                snprintf(err, errlen, "unknown key '%s' (see docs/http.md)", m->string);
                rc = -1;
                break;
            }
            if (!cJSON_IsString(m) && !cJSON_IsNumber(m)) {
                snprintf(err, errlen, "'%s' must be a string or a number", m->string);
                rc = -1;
                break;
            }
            const char *v = cJSON_IsString(m) ? m->valuestring : NULL;
            if (!strcmp(k, "ca_mode") && (!v || (strcmp(v, "add") && strcmp(v, "only")))) {
                snprintf(err, errlen, "'http.ca_mode' must be add or only");
                rc = -1;
                break;
            }
            if (strcmp(k, "ca_file") && strcmp(k, "ca_mode") && strcmp(k, "insecure_hosts")) {
                char *end = NULL;
                double d = v ? strtod(v, &end) : m->valuedouble;
                if ((v && (end == v || *end)) || d < 0 || d > 4294967295.0) {
                    snprintf(err, errlen, "'%s' must be a whole number", m->string);
                    rc = -1;
                    break;
                }
                cJSON_AddNumberToObject(http, k, d);
            } else {
                cJSON_AddStringToObject(http, k, v ? v : "");
            }
            cJSON_DetachItemViaPointer(conf, m);
            cJSON_Delete(m);
        }
        m = next;
    }
    if (rc == 0) {
        host_http_release(h);
        free(h->http_conf);
        h->http_conf = cJSON_PrintUnformatted(http);
    }
    cJSON_Delete(http);
    return rc;
}

static int cancelled_cb(void *ud)
{
    pp_host *h = ud;
    return atomic_load(&h->cancelled);
}

/* Make the plugin's client from its settings. Caller holds h->http_lock. */
static http_client *make_client(pp_host *h, char *err, size_t errlen)
{
    http_options o;
    http_options_init(&o);
    cJSON *c = h->http_conf ? cJSON_Parse(h->http_conf) : NULL;
    uint32_t *slots[] = {&o.connect_timeout_ms, &o.timeout_ms,     &o.max_retries,        &o.backoff_base_ms,
                         &o.backoff_max_ms,     &o.retry_after_max_ms, &o.max_per_host};
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, u32_keys[i]);
        if (cJSON_IsNumber(v))
            *slots[i] = (uint32_t)v->valuedouble;
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, "max_body_bytes");
    if (cJSON_IsNumber(v))
        o.max_body = (size_t)v->valuedouble;
    v = cJSON_GetObjectItemCaseSensitive(c, "ca_file");
    if (cJSON_IsString(v) && *v->valuestring)
        o.ca_file = v->valuestring;
    v = cJSON_GetObjectItemCaseSensitive(c, "ca_mode");
    if (cJSON_IsString(v) && !strcmp(v->valuestring, "only"))
        o.ca_mode = HTTP_CA_ONLY;
    const char *hosts[64];
    char *list = NULL;
    v = cJSON_GetObjectItemCaseSensitive(c, "insecure_hosts");
    if (cJSON_IsString(v) && *v->valuestring) {
        list = xstrdup(v->valuestring);
        char *save = NULL;
        for (char *t = strtok_r(list, ",", &save); t && o.n_insecure_hosts < 64; t = strtok_r(NULL, ",", &save))
            hosts[o.n_insecure_hosts++] = t;
        o.insecure_hosts = hosts;
    }
    http_client *cl = NULL;
    if (http_client_new(&o, &cl, err, errlen) != 0)
        cl = NULL;
    free(list);
    cJSON_Delete(c);
    return cl;
}

int host_http_request(pp_host *h, const pp_http_request *req, pp_http_response **out)
{
    char err[512] = "";
    pthread_mutex_lock(&h->http_lock);
    if (!h->http)
        h->http = make_client(h, err, sizeof err);
    http_client *c = h->http;
    pthread_mutex_unlock(&h->http_lock);
    if (!c) {
        host_log(h, LOG_LVL_ERROR, err[0] ? err : "cannot create an HTTP client");
        return PP_ERR_IO;
    }
    int rc = http_request(c, req, out, cancelled_cb, h, err, sizeof err);
    if (rc != PP_OK && rc != PP_ERR_CANCELLED && err[0])
        host_log(h, LOG_LVL_WARN, err);
    return rc;
}

void host_http_response_free(pp_http_response *resp)
{
    http_response_free(resp);
}

void host_http_release(pp_host *h)
{
    pthread_mutex_lock(&h->http_lock);
    if (h->http)
        http_client_free(h->http);
    h->http = NULL;
    pthread_mutex_unlock(&h->http_lock);
}

int host_secret_resolve(pp_host *h, const char *ref, char **out, size_t *len)
{
    char err[512] = "";
    int rc = secret_resolve(ref, out, len, err, sizeof err);
    if (rc != PP_OK && err[0])
        host_log(h, LOG_LVL_WARN, err);
    return rc;
}
