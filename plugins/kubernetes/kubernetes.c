/*
 * plugins/kubernetes/kubernetes.c - the `kubernetes` provider: descriptor,
 * configuration, plan (contexts x kinds) and dispatch. See
 * docs/kubernetes.md.
 *
 * `parapet scan kubernetes [CONTEXT...]` scans the named kubeconfig
 * contexts, or -o kubernetes.context, or the current-context. Without any
 * kubeconfig (no option, no $KUBECONFIG, no ~/.kube/config) inside a pod
 * (KUBERNETES_SERVICE_HOST set), or with -o kubernetes.in_cluster=true, it
 * scans the cluster it runs in with the pod's service account.
 *
 * Contexts are resolved in plan, so a bad kubeconfig fails the scan with
 * one clear message before anything is listed. Each task lists one kind on
 * one context; tasks run in parallel and share the context's credential
 * cache (an exec plugin runs once per scan while its credential is valid).
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube.h"

static const pp_host_api *g_api;

#define DEFAULT_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

static const char schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
    "\"kubeconfig\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":4096,"
    "\"description\":\"kubeconfig file; default: $KUBECONFIG (colon-separated, merged) or ~/.kube/config\"},"
    "\"context\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":253,"
    "\"description\":\"kubeconfig context to scan; default: current-context\"},"
    "\"in_cluster\":{\"type\":\"boolean\",\"description\":\"use the pod's service account, not a kubeconfig\"},"
    "\"serviceaccount_dir\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":4096,"
    "\"description\":\"where the in-cluster token, ca.crt and namespace are (default " DEFAULT_SA_DIR ")\"},"
    "\"cluster_name\":{\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,252}$\","
    "\"description\":\"the records' account; default: the kubeconfig's cluster name, in-cluster: in-cluster\"},"
    "\"allow_insecure_skip_tls_verify\":{\"type\":\"boolean\",\"description\":\"accept a cluster with "
    "insecure-skip-tls-verify: true (also needs http.insecure_hosts)\"},"
    "\"page_size\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":5000,\"description\":\"limit= of list calls "
    "(500)\"},"
    "\"exec_timeout_s\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":600,\"description\":\"longest run of an "
    "exec credential plugin (30)\"},"
    "\"resources\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"pattern\":\"^[a-z]{1,40}$\"},"
    "\"description\":\"list only these resources (pods, deployments, ...); default: all\"}}}";

static char *cfg_str(const cJSON *cfg, const char *key)
{
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cfg, key));
    return v && *v ? strdup(v) : NULL;
}

static unsigned cfg_uint(const cJSON *cfg, const char *key, unsigned lo, unsigned hi, unsigned def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    return cJSON_IsNumber(v) && v->valuedouble >= lo && v->valuedouble <= hi ? (unsigned)v->valuedouble : def;
}

static void ctx_free(kube_ctx *c)
{
    if (!c)
        return;
    free(c->kubeconfig);
    free(c->context);
    free(c->serviceaccount_dir);
    free(c->cluster_name);
    for (size_t i = 0; i < c->n_kinds; i++)
        free(c->kinds[i]);
    free(c->kinds);
    for (size_t i = 0; i < c->n_conns; i++)
        kube_conn_free(c->conns[i]);
    free(c->conns);
    free(c->plan_json);
    free(c);
}

static const kube_kind *kind_by_resource(const char *r)
{
    for (const kube_kind *k = kube_kinds; k->resource; k++)
        if (!strcmp(k->resource, r))
            return k;
    return NULL;
}

static int kube_init(pp_host *h, const char *config_json, void **inst, const char **err)
{
    kube_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        *err = "out of memory";
        return PP_ERR_NOMEM;
    }
    c->api = g_api;
    c->h = h;
    cJSON *cfg = config_json ? cJSON_Parse(config_json) : NULL;
    c->kubeconfig = cfg_str(cfg, "kubeconfig");
    c->context = cfg_str(cfg, "context");
    c->serviceaccount_dir = cfg_str(cfg, "serviceaccount_dir");
    c->cluster_name = cfg_str(cfg, "cluster_name");
    c->in_cluster = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cfg, "in_cluster"));
    c->allow_insecure = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cfg, "allow_insecure_skip_tls_verify"));
    c->page_size = cfg_uint(cfg, "page_size", 1, 5000, 500);
    c->exec_timeout_s = cfg_uint(cfg, "exec_timeout_s", 1, 600, KUBE_EXEC_TIMEOUT_S);
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(cfg, "resources"), *r;
    int bad = 0;
    if (cJSON_IsArray(res) && cJSON_GetArraySize(res) > 0) {
        c->kinds = calloc((size_t)cJSON_GetArraySize(res), sizeof *c->kinds);
        cJSON_ArrayForEach(r, res)
        {
            if (!cJSON_IsString(r) || !kind_by_resource(r->valuestring)) {
                bad = 1;
                break;
            }
            if (c->kinds)
                c->kinds[c->n_kinds++] = strdup(r->valuestring);
        }
    }
    cJSON_Delete(cfg);
    if (!c->serviceaccount_dir)
        c->serviceaccount_dir = strdup(DEFAULT_SA_DIR);
    if (bad) {
        *err = "kubernetes.resources: unknown resource (see docs/kubernetes.md for the list)";
        ctx_free(c);
        return PP_ERR_INVALID;
    }
    if (!c->serviceaccount_dir) {
        *err = "out of memory";
        ctx_free(c);
        return PP_ERR_NOMEM;
    }
    *inst = c;
    return PP_OK;
}

static void kube_destroy(void *inst)
{
    ctx_free(inst);
}

static const char *kube_plugin_last_error(void *inst)
{
    (void)inst;
    return kube_last_error();
}

static int kind_enabled(const kube_ctx *c, const kube_kind *k)
{
    if (!c->n_kinds)
        return 1;
    for (size_t i = 0; i < c->n_kinds; i++)
        if (c->kinds[i] && !strcmp(c->kinds[i], k->resource))
            return 1;
    return 0;
}

static int add_conn(kube_ctx *c, kube_conn *k)
{
    kube_conn **n = realloc(c->conns, (c->n_conns + 1) * sizeof *n);
    if (!n)
        return -1;
    c->conns = n;
    c->conns[c->n_conns++] = k;
    if (c->cluster_name) {
        char *cn = strdup(c->cluster_name);
        if (!cn)
            return -1;
        free(k->cluster);
        k->cluster = cn;
    }
    return 0;
}

/* Resolve the connections: in-cluster, or one per context. 0, or -1 with the error set. */
static int resolve(kube_ctx *c, const cJSON *targets)
{
    char err[KUBE_ERR_LEN] = "";
    int n_targets = cJSON_GetArraySize(targets);
    if (c->in_cluster || (n_targets == 0 && !c->context && !kube_kubeconfig_available(c->kubeconfig) &&
                          getenv("KUBERNETES_SERVICE_HOST"))) {
        kube_conn *k = kube_conn_in_cluster(c->serviceaccount_dir, err, sizeof err);
        if (!k || add_conn(c, k)) {
            if (k)
                kube_conn_free(k);
            kube_set_error("%s", k ? "out of memory" : err);
            return -1;
        }
        return 0;
    }
    if (n_targets == 0) {
        kube_conn *k = kube_conn_from_kubeconfig(c->kubeconfig, c->context, c->allow_insecure, err, sizeof err);
        if (!k || add_conn(c, k)) {
            if (k)
                kube_conn_free(k);
            kube_set_error("%s", k ? "out of memory" : err);
            return -1;
        }
        return 0;
    }
    const cJSON *t;
    cJSON_ArrayForEach(t, targets)
    {
        if (!cJSON_IsString(t) || !*t->valuestring) {
            kube_set_error("targets are kubeconfig context names");
            return -1;
        }
        for (size_t i = 0; i < c->n_conns; i++)
            if (!strcmp(c->conns[i]->context, t->valuestring)) {
                kube_set_error("context %s is named twice", t->valuestring);
                return -1;
            }
        kube_conn *k = kube_conn_from_kubeconfig(c->kubeconfig, t->valuestring, c->allow_insecure, err, sizeof err);
        if (!k || add_conn(c, k)) {
            if (k)
                kube_conn_free(k);
            kube_set_error("%s", k ? "out of memory" : err);
            return -1;
        }
    }
    return 0;
}

static const char *kube_plan(void *inst, const char *targets_json)
{
    kube_ctx *c = inst;
    cJSON *targets = targets_json ? cJSON_Parse(targets_json) : NULL;
    for (size_t i = 0; i < c->n_conns; i++)
        kube_conn_free(c->conns[i]);
    c->n_conns = 0;
    int rc = resolve(c, targets);
    cJSON_Delete(targets);
    if (rc)
        return NULL;
    for (size_t i = 0; i < c->n_conns; i++)
        if (c->conns[i]->cert_pem && !kube_host_can_present_cert(c)) {
            kube_set_error("%s: the user authenticates with a client certificate, but this parapet host cannot "
                           "present client certificates (it needs ABI 1.4: pp_http_request.client_cert_pem); use a "
                           "token, a token file or an exec plugin",
                           c->conns[i]->source);
            return NULL;
        }
    cJSON *plan = cJSON_CreateArray();
    for (size_t i = 0; plan && i < c->n_conns; i++) {
        const kube_conn *k = c->conns[i];
        if (k->insecure)
            kube_log(c, PP_LOG_WARN,
                     "context %s: insecure-skip-tls-verify accepted by the user; the host still verifies TLS "
                     "unless kubernetes.http.insecure_hosts names the server's host",
                     k->context);
        for (const kube_kind *kd = kube_kinds; kd->resource; kd++) {
            if (!kind_enabled(c, kd))
                continue;
            char id[600];
            snprintf(id, sizeof id, "%s/%s", k->context, kd->resource);
            cJSON *task = cJSON_CreateObject();
            if (!task || !cJSON_AddStringToObject(task, "id", id) ||
                !cJSON_AddNumberToObject(task, "conn", (double)i) ||
                !cJSON_AddStringToObject(task, "resource", kd->resource) || !cJSON_AddItemToArray(plan, task)) {
                cJSON_Delete(task);
                cJSON_Delete(plan);
                plan = NULL;
                break;
            }
        }
        kube_log(c, PP_LOG_INFO, "context %s: cluster %s at %s (%s)", k->context, k->cluster, k->server,
                 k->source);
    }
    free(c->plan_json);
    c->plan_json = plan ? cJSON_PrintUnformatted(plan) : NULL;
    cJSON_Delete(plan);
    if (!c->plan_json)
        kube_set_error("out of memory");
    return c->plan_json;
}

static int kube_collect(void *inst, const char *task_json)
{
    kube_ctx *c = inst;
    cJSON *j = cJSON_Parse(task_json);
    const cJSON *ci = cJSON_GetObjectItemCaseSensitive(j, "conn");
    const kube_kind *kd = kind_by_resource(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "resource")));
    int rc = PP_ERR_INVALID;
    kube_set_error("malformed task");
    if (kd && cJSON_IsNumber(ci) && ci->valuedouble >= 0 && ci->valuedouble < (double)c->n_conns) {
        kube_set_error("%s", "");
        rc = kube_collect_kind(c, c->conns[(size_t)ci->valuedouble], kd);
    }
    cJSON_Delete(j);
    return rc;
}

static const pp_provider_api provider = {sizeof(pp_provider_api), kube_plan, kube_collect};

static const pp_plugin descriptor = {
    .size = sizeof(pp_plugin),
    .abi_major = PP_ABI_MAJOR,
    .abi_minor = 1,
    .name = "kubernetes",
    .version = "0.1.0",
    .description = "Live Kubernetes inventory (kubeconfig or in-cluster): workloads, services, RBAC, network "
                   "policies, ingresses, disruption budgets, names of secrets and config maps",
    .license = "Apache-2.0",
    .kinds = PP_KIND_PROVIDER,
    .threads = PP_THREADS_PARALLEL,
    .config_schema = schema,
    .init = kube_init,
    .destroy = kube_destroy,
    .last_error = kube_plugin_last_error,
    .provider = &provider,
};

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out)
{
    (void)h;
    if (api->abi_major != PP_ABI_MAJOR || api->size < offsetof(pp_host_api, kv_get))
        return PP_ERR;
    g_api = api;
    *out = &descriptor;
    return PP_OK;
}
