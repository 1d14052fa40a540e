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
enum {
    GCP_OK = 0,
    GCP_E_FAIL = -1,
    GCP_E_DENIED = -2,   /* 401/403 PERMISSION_DENIED: the identity lacks a permission */
    GCP_E_NOTFOUND = -3,
    GCP_E_CANCELLED = -4,
    GCP_E_DISABLED = -5  /* 403 SERVICE_DISABLED / accessNotConfigured: the API is off in the project */
};

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
    char *organization;      /* scope: every active project under organizations/ID (folders walked), or NULL */
    char *folder;            /* scope: every active project under folders/ID, or NULL */
    char **services;
    size_t n_services;
    unsigned page_size;
    pthread_mutex_t token_mu;
    char *token;
    int64_t token_expires_at;
    unsigned token_fetches;
    char *plan_json;
    pthread_mutex_t ancestors_mu;
    /* "organizations/N" / "folders/N" -> {"sinks","auditConfigs","bindings"}, read once (collect_project.c) */
    cJSON *ancestors;
} gcp_ctx;

typedef struct gcp_task {
    const char *id;
    const char *project;
    const char *service;
    int denied;
    int errors;
    int disabled;
} gcp_task;

void gcp_set_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
#define gcp_log(c, lvl, ...) pp_logf((c)->api, (c)->h, (lvl), __VA_ARGS__) /* the SDK's formatter */
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

/**
 * gcp_call_json - @method (NULL = GET) @url with the bearer token and, when
 * @body is not NULL, that JSON body. Returns GCP_OK with the parsed object
 * body in *@out (the caller cJSON_Deletes it), or GCP_E_DENIED,
 * GCP_E_DISABLED, GCP_E_NOTFOUND, GCP_E_CANCELLED, GCP_E_FAIL with the
 * API's status or reason in @code and a message in @err (the URL without
 * its query; never the token). A 401 renews the token once. Quota errors
 * (429 after the host's own retries, 403 rateLimitExceeded,
 * userRateLimitExceeded, quotaExceeded, RESOURCE_EXHAUSTED) are retried here
 * up to 4 times, 0.5/1/2/4 s apart.
 */
int gcp_call_json(gcp_ctx *c, const char *method, const char *url, const char *body, cJSON **out, char *code,
                  size_t codelen, char *err, size_t errlen);

/**
 * gcp_discover_projects - the project ids in scope when gcp.projects is not
 * given: every ACTIVE project under gcp.organization or gcp.folder (Cloud
 * Resource Manager v3 projects.list with parent=, folders.list walked
 * depth-first, at most 10 levels), else every ACTIVE project the identity can
 * see (v3 projects:search). All nextPageToken pages. Returns a cJSON array of
 * strings (caller deletes), or NULL with the reason in @err.
 */
cJSON *gcp_discover_projects(gcp_ctx *c, char *err, size_t errlen);

/* ---- gcp_emit.c: what the collectors share ---- */

/**
 * gcp_emit - emit one resource of @type for @t's project. Takes ownership
 * of @data (deleted here); its "labels" become the tags. @region may be NULL
 * (global). Returns the host's status.
 */
int gcp_emit(gcp_ctx *c, const gcp_task *t, const char *type, const char *uid, const char *name, const char *region,
             cJSON *data);

/**
 * gcp_outcome - account for the result @rc of a call made to collect
 * @what: GCP_E_DENIED becomes an error finding gcp-collection-access-denied
 * on @uid (NULL: the project) naming @permission; GCP_E_DISABLED an info
 * finding gcp-collection-api-disabled on the project (once per task) and an
 * info log, not a failure; other errors count in t->errors and are logged.
 * Returns -1 when the scan is cancelled, else 0 (the collector goes on).
 */
int gcp_outcome(gcp_ctx *c, gcp_task *t, int rc, const char *permission, const char *what, const char *uid,
                const char *code, const char *err);

/** gcp_finish - the task's return code: cancelled, PP_ERR when a call failed, else PP_OK. */
int gcp_finish(gcp_ctx *c, const gcp_task *t);

/** gcp_null_if_absent - add "@key": null to @o when it has no such member (absent = not configured). */
void gcp_null_if_absent(cJSON *o, const char *key);

/** gcp_valid_name - @s is 1..@max characters of [A-Za-z0-9._-]. */
int gcp_valid_name(const char *s, size_t max);

/** gcp_last_segment - what follows the last '/' of @s (a URL or resource name), or @s. */
const char *gcp_last_segment(const char *s);

/** gcp_lower - @s lower-cased into @buf (truncated to @len-1); "" for NULL. */
void gcp_lower(const char *s, char *buf, size_t len);

/** gcp_keep_metadata - reduce @o's @key ({"items":[{"key","value"}]}) to the security keys
 * (enable-oslogin, block-project-ssh-keys, serial-port-enable): others such as ssh-keys or
 * startup-script may hold secrets. An absent member becomes {"items":[]}. */
void gcp_keep_metadata(cJSON *o, const char *key);

/* ---- the collectors: one per service, each makes its own calls and emits ---- */

/** collect_storage - Cloud Storage buckets with IAM policies (collect_gcp.c). */
int collect_storage(gcp_ctx *c, gcp_task *t);
/** collect_iam - service accounts and their user-managed keys (collect_gcp.c). */
int collect_iam(gcp_ctx *c, gcp_task *t);
/** collect_compute - project metadata, networks, subnetworks, firewalls, instances (collect_compute.c). */
int collect_compute(gcp_ctx *c, gcp_task *t);
/** collect_project - the project, its IAM policy with auditConfigs, log sinks, log-based metrics and
 * the alert policies on them (collect_project.c). */
int collect_project(gcp_ctx *c, gcp_task *t);
/** collect_sql / collect_gke / collect_dns / collect_kms / collect_bigquery (collect_services.c). */
int collect_sql(gcp_ctx *c, gcp_task *t);
int collect_gke(gcp_ctx *c, gcp_task *t);
int collect_dns(gcp_ctx *c, gcp_task *t);
int collect_kms(gcp_ctx *c, gcp_task *t);
int collect_bigquery(gcp_ctx *c, gcp_task *t);
/** collect_apikeys - API keys with their restrictions, never their key strings (collect_platform.c). */
int collect_apikeys(gcp_ctx *c, gcp_task *t);
/** collect_contacts - the Essential Contacts that apply to the project, inherited ones marked
 * (collect_platform.c). */
int collect_contacts(gcp_ctx *c, gcp_task *t);
/** collect_lb - SSL policies, target HTTPS/SSL proxies (their SSL policy resolved) and backend
 * services (collect_platform.c). */
int collect_lb(gcp_ctx *c, gcp_task *t);

#endif
