/*
 * core/host_services.h - the glue between the pp_host_api table and the
 * core's HTTP client and secret resolver (core/http/). Each takes the
 * plugin's host object so per-plugin settings (CA file, insecure hosts) apply.
 */
#ifndef PP_CORE_HOST_SERVICES_H
#define PP_CORE_HOST_SERVICES_H

#include <parapet/host.h>

/* host_http_request - perform @req for the plugin behind @h; see host.h. */
int host_http_request(pp_host *h, const pp_http_request *req, pp_http_response **out);
/* host_http_response_free - release a response (NULL is fine). */
void host_http_response_free(pp_http_response *resp);
/* host_http_release - drop the plugin's HTTP client, if any. */
void host_http_release(pp_host *h);
/*
 * host_http_configure - take the "http.*" keys out of a plugin's config
 * object @conf (cJSON *, modified) and keep them for the plugin's client:
 * http.connect_timeout_ms, http.timeout_ms, http.max_retries,
 * http.backoff_base_ms, http.backoff_max_ms, http.retry_after_max_ms,
 * http.max_per_host, http.max_body_bytes, http.ca_file, http.ca_mode
 * (add|only), http.insecure_hosts (comma-separated host names). Returns 0,
 * or -1 with the offending key in @err. Call before the plugin's first
 * request; it drops any client already made.
 */
int host_http_configure(pp_host *h, void *conf, char *err, size_t errlen);
/* host_secret_resolve - resolve "env:NAME" / "file:PATH"; see host.h. */
int host_secret_resolve(pp_host *h, const char *ref, char **out, size_t *len);

#endif
