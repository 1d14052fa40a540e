/*
 * plugins/kubernetes/kube.h - what the parts of the `kubernetes` provider
 * share: the instance, one resolved cluster connection (a kubeconfig
 * context or the in-cluster service account), its credentials, and the
 * functions each file offers. See docs/kubernetes.md.
 *
 * Files, one concern each:
 *   kubernetes.c     descriptor, configuration, plan, collect dispatch
 *   kubeconfig.c     kubeconfig files (libyaml, via plugins/iac/yaml_doc.c)
 *                    and the in-cluster configuration -> kube_conn
 *   kube_creds.c     the credential of a request: token, token file,
 *                    client certificate, exec plugin cache
 *   kube_exec.c      running an exec credential plugin
 *   kube_api.c       GET through the host's HTTP service, list pagination
 *   kube_collect.c   the resource kinds listed, error findings
 *   kube_normalise.c API objects -> the k8s.* shapes of docs/resources
 *   kube_util.c      base64, wiping, file reading, time parsing
 *
 * Secrets (tokens, client keys, exec plugin output) live only in buffers
 * that are wiped (explicit_bzero) before they are freed, and never reach a
 * log line or an error message.
 */
#ifndef PP_KUBE_H
#define PP_KUBE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>
#include <parapet/plugin.h>

#define KUBE_ERR_LEN 1024
/** Largest kubeconfig file read. */
#define KUBE_MAX_KUBECONFIG (4u * 1024u * 1024u)
/** Largest token, certificate or key file read. */
#define KUBE_MAX_CRED_FILE (1024u * 1024u)
/** Largest exec plugin output read (more is an error). */
#define KUBE_MAX_EXEC_OUTPUT (1024u * 1024u)
/** Largest API response page accepted. */
#define KUBE_MAX_PAGE (64u * 1024u * 1024u)
/** Most pages of one list (a server that never stops paging). */
#define KUBE_MAX_PAGES 100000u
/** Default seconds an exec credential plugin may run. */
#define KUBE_EXEC_TIMEOUT_S 30
/** A cached exec credential is renewed this many seconds before it expires. */
#define KUBE_EXPIRY_MARGIN_S 10

/* Outcomes of an API call as the collectors see them. */
enum {
    KUBE_OK = 0,
    KUBE_E_FAIL = -1,      /* transport, parse, unexpected status: err says why */
    KUBE_E_DENIED = -2,    /* 403 (or 401 after a fresh credential) */
    KUBE_E_NOTFOUND = -3,  /* 404: the server does not serve this resource */
    KUBE_E_CANCELLED = -4, /* the scan is stopping */
    KUBE_E_GONE = -5       /* 410: the continue token expired */
};

/** An exec credential plugin as the kubeconfig describes it (users[].user.exec). */
typedef struct kube_exec_spec {
    char *api_version; /* client.authentication.k8s.io/v1 or /v1beta1 */
    char *command;     /* resolved against the kubeconfig's directory when relative with a '/' */
    char **args;
    size_t n_args;
    char **env; /* "NAME=VALUE" strings (values may be secret: wiped) */
    size_t n_env;
    int provide_cluster_info;
} kube_exec_spec;

/** A credential fetched by an exec plugin, cached until it expires. */
typedef struct kube_exec_cred {
    char *token; /* or the client certificate pair below */
    char *cert_pem;
    size_t cert_len;
    char *key_pem;
    size_t key_len;
    int64_t expires_at; /* Unix seconds; 0 = no expiry given */
    int valid;
} kube_exec_cred;

/** A token file re-read when it changes (service-account tokens rotate). */
typedef struct kube_token_file {
    char *path;
    char *token; /* current content, trailing whitespace removed */
    dev_t dev;
    ino_t ino;
    int64_t mtime_ns;
    off_t size;
} kube_token_file;

/**
 * kube_conn - one cluster to scan: where it is, how its server is
 * trusted, and who we are. Made by kube_conn_from_kubeconfig or
 * kube_conn_in_cluster; read-only afterwards except the credential caches,
 * which cred_mu guards (collects of one scan run in parallel).
 */
typedef struct kube_conn {
    char *context;     /* kubeconfig context name; "in-cluster" */
    char *cluster;     /* cluster name: the records' account */
    char *region;      /* the records' region: the context name, or the server host in-cluster */
    char *server;      /* https://HOST[:PORT][/PATH] without a trailing '/' */
    char *ca_file;     /* PEM file trusted for the server, or NULL (system store) */
    int ca_file_temp;  /* ca_file was written from certificate-authority-data: unlink it */
    int insecure;      /* insecure-skip-tls-verify: true and the user allowed it */
    char *source;      /* "kubeconfig FILE" or "in-cluster": names where errors come from */
    char *namespace_;  /* the context's namespace (in-cluster: the pod's), or NULL: where a
                          namespaced kind is listed when the cluster-wide list is forbidden */
    /* user credential: at most one of the kinds below is used */
    char *token;       /* users[].user.token */
    kube_token_file *token_file;
    char *cert_pem;    /* client certificate + key (PEM) */
    size_t cert_len;
    char *key_pem;
    size_t key_len;
    kube_exec_spec *exec;
    pthread_mutex_t cred_mu;
    kube_exec_cred exec_cred;
    unsigned exec_runs;   /* how often the plugin ran (tests, logs) */
} kube_conn;

/** The plugin instance. */
typedef struct kube_ctx {
    const pp_host_api *api;
    pp_host *h;
    char *kubeconfig;        /* -o kubernetes.kubeconfig, or NULL */
    char *context;           /* -o kubernetes.context, or NULL (current-context) */
    char *serviceaccount_dir; /* in-cluster files; default /var/run/secrets/kubernetes.io/serviceaccount */
    char *cluster_name;      /* -o kubernetes.cluster_name: overrides the account */
    int in_cluster;          /* -o kubernetes.in_cluster=true */
    int allow_insecure;      /* -o kubernetes.allow_insecure_skip_tls_verify=true */
    unsigned page_size;      /* limit= of list calls (default 500) */
    unsigned exec_timeout_s; /* exec plugin timeout */
    char **kinds;            /* -o kubernetes.resources: restrict the kinds listed, or NULL */
    size_t n_kinds;
    kube_conn **conns;       /* resolved in plan */
    size_t n_conns;
    char *plan_json;
} kube_ctx;

/* ---- kube_util.c ---- */

/** kube_set_error - set this thread's last error (printf-style). */
void kube_set_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/** kube_last_error - this thread's last error ("" when none). */
const char *kube_last_error(void);
/** kube_log - log through the host (printf-style; never pass secrets). */
#define kube_log(c, lvl, ...) pp_logf((c)->api, (c)->h, (lvl), __VA_ARGS__) /* the SDK's formatter */
/** kube_wipe_free - zero @len bytes of @p (strlen when @len is 0 and @p a string), then free it. NULL is fine. */
void kube_wipe_free(void *p, size_t len);
/** kube_wipe_str - kube_wipe_free of a NUL-terminated string. */
void kube_wipe_str(char *s);
/** kube_wipe_json - zero every string (values and keys) inside @j; the tree stays valid (strings become ""). */
void kube_wipe_json(cJSON *j);
/**
 * kube_b64_decode - decode standard base64 @in (whitespace ignored,
 * padding optional). Returns a malloc'd buffer of *@outlen bytes plus a
 * NUL, or NULL when @in is not base64 (or out of memory).
 */
unsigned char *kube_b64_decode(const char *in, size_t *outlen);
/**
 * kube_read_file - read all of @path (at most @max bytes) into a malloc'd,
 * NUL-terminated buffer. Returns 0, or -1 with a reason naming @path in
 * @err. The caller wipes the buffer when it holds a secret.
 */
int kube_read_file(const char *path, size_t max, char **out, size_t *len, char *err, size_t errlen);
/** kube_parse_rfc3339 - "2026-11-29T01:02:03Z" (fraction, offset allowed) -> Unix seconds; -1 when invalid. */
int64_t kube_parse_rfc3339(const char *s);
/** kube_now - the current Unix time in seconds. */
int64_t kube_now(void);
/** kube_strdup_or - strdup(@s), or NULL when @s is NULL. */
char *kube_strdup_or(const char *s);
/** kube_url_escape - percent-encode everything but RFC 3986 unreserved characters; malloc'd or NULL. */
char *kube_url_escape(const char *s);

/* ---- kubeconfig.c ---- */

/**
 * kube_conn_from_kubeconfig - load the kubeconfig files (@path alone when
 * not NULL, else $KUBECONFIG's colon-separated list merged in order, else
 * ~/.kube/config) and resolve context @context (NULL: current-context)
 * into a new connection. @allow_insecure permits
 * insecure-skip-tls-verify. Returns the connection (kube_conn_free it) or
 * NULL with a reason naming the file and field in @err.
 */
kube_conn *kube_conn_from_kubeconfig(const char *path, const char *context, int allow_insecure, char *err,
                                     size_t errlen);

/**
 * kube_conn_in_cluster - the connection of a pod's service account:
 * https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, trusting
 * @sa_dir/ca.crt, with the token @sa_dir/token (re-read when it rotates).
 * NULL with a reason in @err when the variables or files are missing.
 */
kube_conn *kube_conn_in_cluster(const char *sa_dir, char *err, size_t errlen);

/** kube_kubeconfig_available - nonzero when a kubeconfig would be read (option, $KUBECONFIG, ~/.kube/config). */
int kube_kubeconfig_available(const char *path);

/** kube_conn_free - release @k, wiping its secrets and removing a temporary CA file. NULL is fine. */
void kube_conn_free(kube_conn *k);

/** kube_exec_spec_free - release @e, wiping its environment values. NULL is fine. */
void kube_exec_spec_free(kube_exec_spec *e);

/* ---- kube_creds.c ---- */

/** What one request presents; filled by kube_cred_get, released by kube_cred_release. */
typedef struct kube_cred {
    char *token; /* bearer token, or NULL */
    char *cert_pem;
    size_t cert_len;
    char *key_pem;
    size_t key_len;
} kube_cred;

/**
 * kube_cred_get - the credential for the next request on @k: copies of
 * the token / certificate pair, running the exec plugin when its cached
 * credential is missing, expiring, or @force is set (after a 401). Returns
 * 0, -2 when cancelled, or -1 with a reason in @err (never the secret).
 */
int kube_cred_get(kube_ctx *c, kube_conn *k, int force, kube_cred *out, char *err, size_t errlen);

/** kube_cred_release - wipe and free what kube_cred_get filled. */
void kube_cred_release(kube_cred *cr);

/** kube_cred_can_refresh - nonzero when a 401 may be cured by asking again (exec plugin, token file). */
int kube_cred_can_refresh(const kube_conn *k);

/* ---- kube_exec.c ---- */

/**
 * kube_exec_run - run exec credential plugin @spec for @k (cluster info
 * in KUBERNETES_EXEC_INFO when asked), at most @timeout_s seconds, reading
 * at most KUBE_MAX_EXEC_OUTPUT bytes of output, and parse its
 * ExecCredential into @out (the caller wipes it with kube_exec_cred_clear).
 * Returns 0, -2 when cancelled, or -1 with a reason in @err (the plugin's
 * output is never quoted: it holds the secret).
 */
int kube_exec_run(kube_ctx *c, const kube_conn *k, const kube_exec_spec *spec, unsigned timeout_s,
                  kube_exec_cred *out, char *err, size_t errlen);

/**
 * kube_exec_parse - parse an ExecCredential document @json of @len bytes
 * that must have apiVersion @api_version. Fills @out; 0, or -1 with the
 * reason in @err.
 */
int kube_exec_parse(const char *json, size_t len, const char *api_version, kube_exec_cred *out, char *err,
                    size_t errlen);

/** kube_exec_cred_clear - wipe and free the members of @e, leaving it empty. */
void kube_exec_cred_clear(kube_exec_cred *e);

/* ---- kube_api.c ---- */

/**
 * kube_get - GET @path (starting with '/', query included) from @k's
 * server as JSON. On KUBE_OK *@out is the parsed body (cJSON_Delete it;
 * wipe first when it may hold secret values). Otherwise the outcome codes
 * above, with @err naming the path and the server's Status message.
 * @wipe_body: zero the response body before it is released (secrets, config maps).
 */
int kube_get(kube_ctx *c, kube_conn *k, const char *path, int wipe_body, cJSON **out, char *err, size_t errlen);

/** kube_host_can_present_cert - nonzero when the host presents TLS client certificates (ABI 1.4). */
int kube_host_can_present_cert(const kube_ctx *c);

/** Called for each item of a list page; nonzero stops the list. The item is borrowed. */
typedef int (*kube_item_fn)(kube_ctx *c, kube_conn *k, cJSON *item, void *ud);

/**
 * kube_list - list collection @path with limit/continue paging, calling
 * @fn for each item. When the server says a continue token expired (410
 * Gone) the list restarts once from the beginning, and items already
 * delivered (same metadata.uid) are not delivered again. Returns KUBE_OK or
 * an outcome code with @err set.
 */
int kube_list(kube_ctx *c, kube_conn *k, const char *path, int wipe_body, kube_item_fn fn, void *ud, char *err,
              size_t errlen);

/* ---- kube_normalise.c ---- */

/** One kind of object the plugin lists. */
typedef struct kube_kind {
    const char *resource;    /* plural as in the URL, "pods" */
    const char *group;       /* "core", "apps", ... (the uid's GROUP) */
    const char *api_version; /* "v1", "apps/v1", ... */
    const char *kind;        /* "Pod" */
    int namespaced;
    int sensitive;           /* values may be secrets: wipe bodies, keep names only */
} kube_kind;

/** kube_kinds - the table of kinds listed, terminated by an entry with resource NULL. */
extern const kube_kind kube_kinds[];

/**
 * kube_normalise - turn API object @item (borrowed; items of a list lack
 * apiVersion and kind) of kind @kd into the record's type and data as
 * docs/resources/kubernetes.md gives them. On 1 *@type is the type and
 * *@data a new object (the caller owns it); 0 means "not emitted" (a
 * workload a controller owns: its owner is judged); -1 is out of memory.
 */
int kube_normalise(const kube_kind *kd, const cJSON *item, const char **type, cJSON **data);

/* ---- kube_collect.c ---- */

/**
 * kube_collect_kind - list kind @kd on @k and emit its resources. When the
 * cluster-wide list of a namespaced kind is forbidden and @k has a
 * namespace, that namespace is listed instead (a namespaced Role is
 * enough). A 403 that remains becomes an error finding naming
 * "list RESOURCE". Returns PP_OK, PP_ERR (the task is incomplete;
 * kube_last_error says why) or PP_ERR_CANCELLED.
 */
int kube_collect_kind(kube_ctx *c, kube_conn *k, const kube_kind *kd);

#endif
