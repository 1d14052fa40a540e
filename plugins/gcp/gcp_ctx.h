/*
 * gcp_ctx.h - the gcp provider's instance state and shared helpers
 * (errors, logging, HTTP through the host, encodings, the token cache).
 *
 * One gcp_ctx per scan. Collect calls run concurrently: the context is
 * read-only after init except the token cache, which has its own mutex.
 */
#ifndef PP_GCP_CTX_H
#define PP_GCP_CTX_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <parapet/plugin.h>

#define GCP_ERR_LEN 512
#define GCP_MAX_BODY (64u * 1024u * 1024u)
#define GCP_SCOPE "https://www.googleapis.com/auth/cloud-platform.read-only"
/** Tokens are renewed this many seconds before they expire. */
#define GCP_TOKEN_REFRESH_MARGIN 300

/* Outcomes of an API call as the collectors see them. */
enum { GCP_OK = 0, GCP_E_FAIL = -1, GCP_E_DENIED = -2, GCP_E_NOTFOUND = -3, GCP_E_CANCELLED = -4 };

/** Where the token comes from. */
typedef enum gcp_cred_kind {
    GCP_CRED_SERVICE_ACCOUNT = 1, /* key file: a JWT signed RS256, exchanged at token_uri */
    GCP_CRED_AUTHORIZED_USER,     /* gcloud application default credentials: a refresh token */
    GCP_CRED_METADATA             /* the GCE/GKE metadata server */
} gcp_cred_kind;

typedef struct gcp_ctx {
    const pp_host_api *api;
    pp_host *h;
    char *api_endpoint;      /* override of every https://SERVICE.googleapis.com, or NULL */
    char *token_endpoint;    /* override of the OAuth2 token endpoint, or NULL */
    char *metadata_endpoint; /* "http://metadata.google.internal" or an override */
    char *cred_ref;          /* secret reference of the credentials JSON, or NULL (metadata server) */
    gcp_cred_kind kind;
    char **projects;
    size_t n_projects;
    char **services;
    size_t n_services;
    unsigned page_size;
    pthread_mutex_t token_mu;
    char *token;
    int64_t token_expires_at;
    unsigned token_fetches;
    char *plan_json;
} gcp_ctx;

typedef struct gcp_task {
    const char *id;
    const char *project;
    const char *service;
    int denied;
    int errors;
} gcp_task;

void gcp_set_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
void gcp_log(const gcp_ctx *c, pp_log_level lvl, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
int gcp_cancelled(const gcp_ctx *c);
int gcp_sleep_ms(const gcp_ctx *c, unsigned ms);

/** gcp_b64url - base64url without padding of @n bytes; malloc'd or NULL. */
char *gcp_b64url(const void *p, size_t n);
/** gcp_form_encode - percent-encode all but RFC 3986 unreserved characters; malloc'd or NULL. */
char *gcp_form_encode(const char *s);
/** gcp_wipe_free - zero the NUL-terminated @s, then free it; NULL is fine. */
void gcp_wipe_free(char *s);
/** gcp_service_url - the base URL of SERVICE ("storage", "compute", ...): the override or
 * https://SERVICE.googleapis.com. */
void gcp_service_url(const gcp_ctx *c, const char *service, char *buf, size_t len);

/**
 * gcp_jwt_sa_assertion - the service-account grant's assertion: header
 * {"alg":"RS256","typ":"JWT","kid":@key_id}, claims iss=@email,
 * scope=GCP_SCOPE, aud=@audience, iat=@now, exp=@now+3600, signed with the
 * PEM private key @pem. malloc'd, or NULL with a reason in @err (never key
 * material).
 */
char *gcp_jwt_sa_assertion(const char *pem, const char *key_id, const char *email, const char *audience, int64_t now,
                           char *err, size_t errlen);

/**
 * gcp_token_get - a malloc'd copy of a valid access token (gcp_wipe_free
 * it), fetched when there is none, when it expires within
 * GCP_TOKEN_REFRESH_MARGIN seconds, or when @force is set. NULL with a
 * reason in @err.
 */
char *gcp_token_get(gcp_ctx *c, int force, char *err, size_t errlen);

/**
 * gcp_get_json - GET @url with the bearer token. Returns GCP_OK with the
 * parsed body (*@out), GCP_E_DENIED (401/403; the API's status or reason
 * in @code), GCP_E_NOTFOUND, GCP_E_CANCELLED or GCP_E_FAIL with @err.
 * Quota errors (403 rateLimitExceeded / userRateLimitExceeded, which the
 * host does not retry) are retried here up to 4 times with backoff.
 */
int gcp_get_json(gcp_ctx *c, const char *url, cJSON **out, char *code, size_t codelen, char *err, size_t errlen);

/** Called for each element of a list page's @items_key array; nonzero stops. */
typedef int (*gcp_item_fn)(gcp_ctx *c, const cJSON *item, void *ud);

/**
 * gcp_list - GET @url and every further page (pageToken=nextPageToken),
 * calling @fn for each element of @items_key. Same returns as gcp_get_json.
 */
int gcp_list(gcp_ctx *c, const char *url, const char *items_key, gcp_item_fn fn, void *ud, char *code, size_t codelen,
             char *err, size_t errlen);

/** collect_storage / collect_compute / collect_iam - the collectors (collect_gcp.c). */
int collect_storage(gcp_ctx *c, gcp_task *t);
int collect_compute(gcp_ctx *c, gcp_task *t);
int collect_iam(gcp_ctx *c, gcp_task *t);
/** collect_instances - Compute Engine instances (aggregated list); called by collect_compute. */
int collect_instances(gcp_ctx *c, gcp_task *t);

#endif
