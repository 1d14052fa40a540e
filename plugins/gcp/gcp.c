/*
 * gcp.c - the gcp provider plugin: descriptor, configuration, credential
 * discovery, plan (projects x services) and dispatch. See docs/gcp.md.
 *
 * Services (one task per project x service, run concurrently): project
 * (IAM policy, audit configs, log sinks, metrics, alert policies), iam
 * (service accounts, user-managed keys), storage, compute (project metadata,
 * networks with their DNS server policy, subnetworks, firewalls, instances),
 * sql, gke, dns, kms, bigquery, apikeys (API keys), contacts (Essential
 * Contacts), lb (SSL policies, target HTTPS/SSL proxies, backend services).
 * Scope: gcp.projects, or the projects under gcp.organization / gcp.folder,
 * or every project the identity can see (gcp_scope.c).
 *
 * Credentials, first that applies: gcp.credentials (a secret reference to
 * a key or authorized_user JSON), GOOGLE_APPLICATION_CREDENTIALS, gcloud's
 * application default credentials file, the metadata server.
 */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "gcp_ctx.h"

static const pp_host_api *g_api;
static _Thread_local char t_error[GCP_ERR_LEN];

void gcp_set_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t_error, sizeof t_error, fmt, ap);
    va_end(ap);
}


int gcp_cancelled(const gcp_ctx *c)
{
    return c->api->cancelled(c->h);
}

int gcp_sleep_ms(const gcp_ctx *c, unsigned ms)
{
    while (ms) {
        if (gcp_cancelled(c))
            return -1;
        unsigned step = ms > 50 ? 50 : ms;
        struct timespec ts = {0, (long)step * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
    return gcp_cancelled(c) ? -1 : 0;
}

static const struct {
    const char *name;
    int (*collect)(gcp_ctx *, gcp_task *);
} services[] = {{"project", collect_project}, {"iam", collect_iam},       {"storage", collect_storage},
                {"compute", collect_compute}, {"sql", collect_sql},     {"gke", collect_gke},
                {"dns", collect_dns},         {"kms", collect_kms},     {"bigquery", collect_bigquery},
                {"apikeys", collect_apikeys}, {"contacts", collect_contacts}, {"lb", collect_lb}};
#define N_SERVICES (sizeof services / sizeof services[0])

#define URL_PATTERN "\"pattern\":\"^https?://[^?#@[:space:]]+$\""
static const char schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
    "\"credentials\":{\"type\":\"string\",\"maxLength\":4096,\"description\":\"secret reference (file:PATH or "
    "env:NAME) of a service-account key or authorized_user JSON\"},"
    "\"projects\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"pattern\":\"^[a-z][a-z0-9-]{4,28}[a-z0-9]$\"},"
    "\"description\":\"project ids; default: every active project the identity can see\"},"
    "\"organization\":{\"type\":\"string\",\"pattern\":\"^[0-9]{1,25}$\",\"description\":\"organization id: scan "
    "every active project under it (folders included)\"},"
    "\"folder\":{\"type\":\"string\",\"pattern\":\"^[0-9]{1,25}$\",\"description\":\"folder id: scan every active "
    "project under it\"},"
    "\"services\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":[\"project\",\"iam\",\"storage\","
    "\"compute\",\"sql\",\"gke\",\"dns\",\"kms\",\"bigquery\",\"apikeys\",\"contacts\",\"lb\"]}},"
    "\"api_endpoint\":{\"type\":\"string\"," URL_PATTERN ",\"description\":\"send every API call here\"},"
    "\"token_endpoint\":{\"type\":\"string\"," URL_PATTERN ",\"description\":\"OAuth2 token endpoint\"},"
    "\"metadata_endpoint\":{\"type\":\"string\"," URL_PATTERN ",\"description\":\"metadata server\"},"
    "\"page_size\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000}}}";

static char **string_array(const cJSON *a, size_t *n)
{
    *n = 0;
    int count = cJSON_GetArraySize(a);
    if (!cJSON_IsArray(a) || count <= 0)
        return NULL;
    char **v = calloc((size_t)count, sizeof *v);
    const cJSON *it;
    cJSON_ArrayForEach(it, a)
    {
        if (cJSON_IsString(it) && v)
            v[(*n)++] = strdup(it->valuestring);
    }
    return v;
}

static void strings_free(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

static void ctx_free(gcp_ctx *c)
{
    if (!c)
        return;
    free(c->api_endpoint);
    free(c->token_endpoint);
    free(c->metadata_endpoint);
    free(c->cred_ref);
    free(c->organization);
    free(c->folder);
    strings_free(c->projects, c->n_projects);
    strings_free(c->services, c->n_services);
    gcp_wipe_free(c->token);
    free(c->plan_json);
    cJSON_Delete(c->ancestors);
    pthread_mutex_destroy(&c->ancestors_mu);
    pthread_mutex_destroy(&c->token_mu);
    free(c);
}

static char *url_dup(const char *v)
{
    if (!v || !*v)
        return NULL;
    char *s = strdup(v);
    size_t n = s ? strlen(s) : 0;
    while (n > 8 && s[n - 1] == '/')
        s[--n] = '\0';
    return s;
}

static char *file_ref(const char *path)
{
    size_t n = strlen(path) + 6;
    char *r = malloc(n);
    if (r)
        snprintf(r, n, "file:%s", path);
    return r;
}

static int gcp_init(pp_host *h, const char *config_json, void **inst, const char **err)
{
    gcp_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        *err = "out of memory";
        return PP_ERR_NOMEM;
    }
    c->api = g_api;
    c->h = h;
    pthread_mutex_init(&c->token_mu, NULL);
    pthread_mutex_init(&c->ancestors_mu, NULL);
    cJSON *cfg = config_json ? cJSON_Parse(config_json) : NULL;
    c->api_endpoint = url_dup(cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "api_endpoint")));
    c->token_endpoint = url_dup(cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "token_endpoint")));
    c->metadata_endpoint = url_dup(cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "metadata_endpoint")));
    if (!c->metadata_endpoint)
        c->metadata_endpoint = strdup("http://metadata.google.internal");
    c->projects = string_array(cJSON_GetObjectItem(cfg, "projects"), &c->n_projects);
    c->services = string_array(cJSON_GetObjectItem(cfg, "services"), &c->n_services);
    const char *org = cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "organization"));
    const char *folder = cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "folder"));
    if (org && *org && strspn(org, "0123456789") == strlen(org))
        c->organization = strdup(org);
    else if (folder && *folder && strspn(folder, "0123456789") == strlen(folder))
        c->folder = strdup(folder);
    const cJSON *ps = cJSON_GetObjectItem(cfg, "page_size");
    c->page_size =
        cJSON_IsNumber(ps) && ps->valuedouble >= 1 && ps->valuedouble <= 1000 ? (unsigned)ps->valuedouble : 500;
    const char *cr = cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "credentials"));
    const char *gac = getenv("GOOGLE_APPLICATION_CREDENTIALS");
    const char *home = getenv("HOME");
    char adc[1024] = "";
    if (home && *home)
        snprintf(adc, sizeof adc, "%s/.config/gcloud/application_default_credentials.json", home);
    struct stat st;
    if (cr && *cr)
        c->cred_ref = strdup(cr);
    else if (gac && *gac)
        c->cred_ref = file_ref(gac);
    else if (*adc && stat(adc, &st) == 0)
        c->cred_ref = file_ref(adc);
    c->kind = c->cred_ref ? GCP_CRED_SERVICE_ACCOUNT : GCP_CRED_METADATA;
    cJSON *md = cJSON_GetObjectItem(cfg, "metadata_endpoint");
    cJSON *te = cJSON_GetObjectItem(cfg, "token_endpoint");
    const char *t = getenv("PARAPET_TEST");
    int guard = t && strcmp(t, "1") == 0 &&
                (!c->api_endpoint || (c->kind == GCP_CRED_METADATA ? !cJSON_IsString(md) : !cJSON_IsString(te)));
    cJSON_Delete(cfg);
    if (guard) {
        *err = "PARAPET_TEST=1 but the API or token endpoint is not overridden: the test suite must never reach "
               "Google";
        ctx_free(c);
        return PP_ERR_INVALID;
    }
    if (!c->metadata_endpoint) {
        *err = "out of memory";
        ctx_free(c);
        return PP_ERR_NOMEM;
    }
    *inst = c;
    return PP_OK;
}

static void gcp_destroy(void *inst)
{
    ctx_free(inst);
}

static const char *gcp_last_error(void *inst)
{
    (void)inst;
    return t_error;
}

static int service_enabled(const gcp_ctx *c, const char *name)
{
    if (!c->n_services)
        return 1;
    for (size_t i = 0; i < c->n_services; i++)
        if (c->services[i] && strcmp(c->services[i], name) == 0)
            return 1;
    return 0;
}

static const char *gcp_plan(void *inst, const char *targets_json)
{
    gcp_ctx *c = inst;
    (void)targets_json;
    cJSON *ids;
    if (c->n_projects) {
        ids = cJSON_CreateArray();
        for (size_t i = 0; i < c->n_projects; i++)
            cJSON_AddItemToArray(ids, cJSON_CreateString(c->projects[i]));
    } else {
        char err[GCP_ERR_LEN] = "";
        ids = gcp_discover_projects(c, err, sizeof err);
        if (!ids) {
            gcp_set_error("listing the projects in scope failed: %s", err);
            return NULL;
        }
    }
    cJSON *plan = cJSON_CreateArray();
    const cJSON *p;
    cJSON_ArrayForEach(p, ids)
    {
        for (size_t s = 0; s < N_SERVICES; s++) {
            if (!service_enabled(c, services[s].name))
                continue;
            char id[120];
            snprintf(id, sizeof id, "%s/%s", p->valuestring, services[s].name);
            cJSON *task = cJSON_CreateObject();
            cJSON_AddStringToObject(task, "id", id);
            cJSON_AddStringToObject(task, "project", p->valuestring);
            cJSON_AddStringToObject(task, "service", services[s].name);
            cJSON_AddItemToArray(plan, task);
        }
    }
    gcp_log(c, PP_LOG_INFO, "%d project(s)", cJSON_GetArraySize(ids));
    cJSON_Delete(ids);
    free(c->plan_json);
    c->plan_json = cJSON_PrintUnformatted(plan);
    cJSON_Delete(plan);
    return c->plan_json;
}

static int gcp_collect(void *inst, const char *task_json)
{
    gcp_ctx *c = inst;
    cJSON *j = cJSON_Parse(task_json);
    gcp_task t = {0};
    t.id = cJSON_GetStringValue(cJSON_GetObjectItem(j, "id"));
    t.project = cJSON_GetStringValue(cJSON_GetObjectItem(j, "project"));
    t.service = cJSON_GetStringValue(cJSON_GetObjectItem(j, "service"));
    int rc = PP_ERR_INVALID;
    gcp_set_error("malformed task");
    if (t.id && t.project && t.service)
        for (size_t s = 0; s < N_SERVICES; s++)
            if (strcmp(services[s].name, t.service) == 0) {
                gcp_set_error("%s", "");
                rc = services[s].collect(c, &t);
                break;
            }
    cJSON_Delete(j);
    return rc;
}

static const pp_provider_api provider = {sizeof(pp_provider_api), gcp_plan, gcp_collect};

static const pp_plugin descriptor = {
    .size = sizeof(pp_plugin),
    .abi_major = PP_ABI_MAJOR,
    .abi_minor = 1,
    .name = "gcp",
    .version = "0.3.0",
    .description =
        "Google Cloud inventory: projects and IAM, logging, service accounts, Cloud Storage, Compute Engine, "
        "Cloud SQL, "
        "GKE, Cloud DNS, Cloud KMS, BigQuery, API keys, Essential Contacts, load balancing",
    .license = "Apache-2.0",
    .kinds = PP_KIND_PROVIDER,
    .threads = PP_THREADS_PARALLEL,
    .config_schema = schema,
    .init = gcp_init,
    .destroy = gcp_destroy,
    .last_error = gcp_last_error,
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
