/*
 * azure.c - the azure provider plugin: descriptor, configuration, identity
 * selection, plan and dispatch. See docs/azure.md.
 *
 * Two modes:
 *   ARM (default): a token for https://management.azure.com from the
 *     configured identity; plan = every visible (or configured)
 *     subscription x service; collect = one service of one subscription.
 *   Data plane (azure.blob_endpoint set): one storage account's Blob
 *     service with a Shared Key or SAS, no ARM and no Entra ID at all.
 */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "arm_client.h"
#include "az_util.h"
#include "azure_ctx.h"
#include "collectors.h"

static const pp_host_api *g_api;
static _Thread_local char t_error[AZ_ERR_LEN];

void az_set_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t_error, sizeof t_error, fmt, ap);
    va_end(ap);
}


int az_cancelled(const azure_ctx *c)
{
    return c->api->cancelled(c->h);
}

int az_sleep_ms(const azure_ctx *c, unsigned ms)
{
    while (ms) {
        if (az_cancelled(c))
            return -1;
        unsigned step = ms > 50 ? 50 : ms;
        struct timespec ts = {0, (long)step * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
    return az_cancelled(c) ? -1 : 0;
}

static const struct {
    const char *name;
    int (*collect)(azure_ctx *, az_task *);
} services[] = {
    {"resources", collect_arm_resources},
    {"storage", collect_arm_storage},
    {"network", collect_arm_network},
    {"keyvault", collect_arm_keyvault},
    {"compute", collect_arm_compute},
    {"web", collect_arm_web},
    {"aks", collect_arm_aks},
    {"governance", collect_arm_governance},
    {"sql", collect_arm_sql},
    {"databases", collect_arm_databases},
};
#define N_SERVICES (sizeof services / sizeof services[0])
#define API_VERSION_SUBSCRIPTIONS "2022-12-01"

#define URL_PATTERN "\"pattern\":\"^https?://[^?#@[:space:]]+$\""
#define REF_DESC "secret reference: env:NAME or file:PATH"
static const char schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
    "\"auth\":{\"type\":\"string\",\"enum\":[\"auto\",\"secret\",\"certificate\",\"msi\"],"
    "\"description\":\"identity: auto (config, then AZURE_* variables, then managed identity)\"},"
    "\"tenant_id\":{\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9.-]{1,100}$\",\"description\":\"Entra ID tenant\"},"
    "\"client_id\":{\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9-]{1,100}$\","
    "\"description\":\"application (client) id, or a user-assigned managed identity's client id\"},"
    "\"client_secret\":{\"type\":\"string\",\"maxLength\":4096,\"description\":\"" REF_DESC "\"},"
    "\"client_certificate\":{\"type\":\"string\",\"maxLength\":4096,"
    "\"description\":\"" REF_DESC " of a PEM with the private key and the certificate\"},"
    "\"subscriptions\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9-]{1,64}$\"},"
    "\"description\":\"subscription ids to scan; default: every subscription the identity can see\"},"
    "\"management_group\":{\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9._()-]{1,90}$\","
    "\"description\":\"scan the subscriptions under this management group (all levels)\"},"
    "\"services\":{\"type\":\"array\",\"items\":{\"type\":\"string\","
    "\"enum\":[\"resources\",\"storage\",\"network\",\"keyvault\",\"compute\",\"web\",\"aks\","
    "\"governance\",\"sql\",\"databases\"]},\"description\":\"default: "
    "all\"},"
    "\"arm_endpoint\":{\"type\":\"string\"," URL_PATTERN ",\"description\":\"Resource Manager endpoint\"},"
    "\"authority_host\":{\"type\":\"string\"," URL_PATTERN ",\"description\":\"Entra ID authority host\"},"
    "\"imds_endpoint\":{\"type\":\"string\"," URL_PATTERN ",\"description\":\"instance metadata service\"},"
    "\"blob_endpoint\":{\"type\":\"string\"," URL_PATTERN
    ",\"description\":\"scan only this storage account's Blob service (no ARM)\"},"
    "\"storage_account\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]{3,24}$\","
    "\"description\":\"account name of blob_endpoint (default: from the URL)\"},"
    "\"storage_key\":{\"type\":\"string\",\"maxLength\":4096,\"description\":\"" REF_DESC " of the account key\"},"
    "\"storage_sas\":{\"type\":\"string\",\"maxLength\":4096,\"description\":\"" REF_DESC " of a SAS token\"},"
    "\"storage_list_keys\":{\"type\":\"boolean\",\"description\":\"ARM mode: read each storage account's "
    "key with listKeys (Microsoft.Storage/storageAccounts/listkeys/action) to collect its Blob service data plane "
    "(logging, containers); default true\"},"
    "\"blob_page_size\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":5000,"
    "\"description\":\"containers per List Containers page (default 5000)\"}}}";

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

static void ctx_free(azure_ctx *c)
{
    if (!c)
        return;
    free(c->arm_endpoint);
    free(c->authority_host);
    free(c->imds_endpoint);
    strings_free(c->subscriptions, c->n_subscriptions);
    strings_free(c->services, c->n_services);
    free(c->management_group);
    az_token_cache_free(&c->arm_token);
    free(c->blob_endpoint);
    free(c->storage_account);
    free(c->storage_key_ref);
    free(c->storage_sas_ref);
    free(c->plan_json);
    free(c);
}

static const char *cfg_str(const cJSON *cfg, const char *key)
{
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(cfg, key));
    return v && *v ? v : NULL;
}

/* strdup without trailing slashes */
static char *url_dup(const char *v, const char *dflt)
{
    char *s = strdup(v ? v : dflt);
    if (s) {
        size_t n = strlen(s);
        while (n > 8 && s[n - 1] == '/')
            s[--n] = '\0';
    }
    return s;
}

/* Pick the identity for ARM: config, then the environment, then a managed identity. */
static int choose_identity(azure_ctx *c, const cJSON *cfg, az_cred *cr, char *err, size_t errlen)
{
    memset(cr, 0, sizeof *cr);
    const char *mode = cfg_str(cfg, "auth");
    if (!mode)
        mode = "auto";
    const char *tenant = cfg_str(cfg, "tenant_id"), *client = cfg_str(cfg, "client_id");
    const char *secret = cfg_str(cfg, "client_secret"), *cert = cfg_str(cfg, "client_certificate");
    int want_secret = strcmp(mode, "secret") == 0, want_cert = strcmp(mode, "certificate") == 0;
    int want_msi = strcmp(mode, "msi") == 0, autom = strcmp(mode, "auto") == 0;
    if ((want_secret || autom) && secret) {
        cr->method = AZ_AUTH_SECRET;
        cr->secret_ref = strdup(secret);
    } else if ((want_cert || autom) && cert) {
        cr->method = AZ_AUTH_CERT;
        cr->cert_ref = strdup(cert);
    } else if (!want_msi) {
        int e = az_cred_from_env(cr, err, errlen);
        if (e < 0)
            return -1;
        if (e > 0 && ((want_secret && cr->method != AZ_AUTH_SECRET) || (want_cert && cr->method != AZ_AUTH_CERT))) {
            az_cred_clear(cr);
            snprintf(err, errlen, "azure.auth=%s but neither the configuration nor the environment provides it", mode);
            return -1;
        }
        if (e == 0 && (want_secret || want_cert)) {
            snprintf(err, errlen, "azure.auth=%s needs azure.%s (or the AZURE_* variables)", mode,
                     want_secret ? "client_secret" : "client_certificate");
            return -1;
        }
    }
    if (cr->method == AZ_AUTH_NONE) {
        cr->method = AZ_AUTH_MSI;
        cr->origin = "managed identity";
        const char *cid = client ? client : getenv("AZURE_CLIENT_ID");
        cr->client_id = cid && *cid ? strdup(cid) : NULL;
        return 0;
    }
    if (!cr->origin)
        cr->origin = "configuration";
    /* explicit config ids win over the environment's */
    if (tenant) {
        free(cr->tenant_id);
        cr->tenant_id = strdup(tenant);
    } else if (!cr->tenant_id && getenv("AZURE_TENANT_ID") && *getenv("AZURE_TENANT_ID")) {
        cr->tenant_id = strdup(getenv("AZURE_TENANT_ID"));
    }
    if (client) {
        free(cr->client_id);
        cr->client_id = strdup(client);
    } else if (!cr->client_id && getenv("AZURE_CLIENT_ID") && *getenv("AZURE_CLIENT_ID")) {
        cr->client_id = strdup(getenv("AZURE_CLIENT_ID"));
    }
    if (!cr->tenant_id || !cr->client_id) {
        az_cred_clear(cr);
        snprintf(err, errlen,
                 "a client %s needs azure.tenant_id and azure.client_id (or AZURE_TENANT_ID and "
                 "AZURE_CLIENT_ID)",
                 want_cert || cert ? "certificate" : "secret");
        return -1;
    }
    (void)c;
    return 0;
}

/* Under PARAPET_TEST=1 the plugin refuses to reach Azure itself: every endpoint it would use is overridden. */
static const char *test_guard(const azure_ctx *c, const cJSON *cfg)
{
    const char *t = getenv("PARAPET_TEST");
    if (!t || strcmp(t, "1") != 0 || c->blob_endpoint)
        return NULL;
    if (!cfg_str(cfg, "arm_endpoint"))
        return "PARAPET_TEST=1 but no azure.arm_endpoint override: the test suite must never reach Azure";
    if (c->arm_token.cred.method == AZ_AUTH_MSI ? !cfg_str(cfg, "imds_endpoint")
                                                : !cfg_str(cfg, "authority_host") && !getenv("AZURE_AUTHORITY_HOST"))
        return "PARAPET_TEST=1 but the token endpoint is not overridden: the test suite must never reach Azure";
    return NULL;
}

static int az_init(pp_host *h, const char *config_json, void **inst, const char **err)
{
    static _Thread_local char init_err[AZ_ERR_LEN];
    azure_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        *err = "out of memory";
        return PP_ERR_NOMEM;
    }
    c->api = g_api;
    c->h = h;
    cJSON *cfg = config_json ? cJSON_Parse(config_json) : NULL;
    const char *aa = getenv("AZURE_AUTHORITY_HOST");
    c->arm_endpoint = url_dup(cfg_str(cfg, "arm_endpoint"), "https://management.azure.com");
    c->authority_host = url_dup(cfg_str(cfg, "authority_host") ? cfg_str(cfg, "authority_host")
                                : aa && *aa                    ? aa
                                                               : NULL,
                                "https://login.microsoftonline.com");
    c->imds_endpoint = url_dup(cfg_str(cfg, "imds_endpoint"), "http://169.254.169.254");
    c->subscriptions = string_array(cJSON_GetObjectItem(cfg, "subscriptions"), &c->n_subscriptions);
    c->services = string_array(cJSON_GetObjectItem(cfg, "services"), &c->n_services);
    c->management_group = cfg_str(cfg, "management_group") ? strdup(cfg_str(cfg, "management_group")) : NULL;
    const cJSON *ps = cJSON_GetObjectItem(cfg, "blob_page_size");
    c->blob_page_size =
        cJSON_IsNumber(ps) && ps->valuedouble >= 1 && ps->valuedouble <= 5000 ? (unsigned)ps->valuedouble : 5000;
    const cJSON *lk = cJSON_GetObjectItem(cfg, "storage_list_keys");
    c->storage_list_keys = cJSON_IsBool(lk) ? cJSON_IsTrue(lk) : 1;
    int rc = PP_OK;
    char why[AZ_ERR_LEN] = "";
    if (cfg_str(cfg, "blob_endpoint")) {
        c->blob_endpoint = url_dup(cfg_str(cfg, "blob_endpoint"), "");
        c->storage_account = cfg_str(cfg, "storage_account") ? strdup(cfg_str(cfg, "storage_account"))
                                                             : az_storage_account_from_endpoint(c->blob_endpoint);
        c->storage_key_ref = cfg_str(cfg, "storage_key") ? strdup(cfg_str(cfg, "storage_key")) : NULL;
        c->storage_sas_ref = cfg_str(cfg, "storage_sas") ? strdup(cfg_str(cfg, "storage_sas")) : NULL;
        if (!c->storage_account)
            snprintf(why, sizeof why,
                     "the storage account name cannot be read from azure.blob_endpoint; set "
                     "azure.storage_account");
        else if (!c->storage_key_ref && !c->storage_sas_ref)
            snprintf(why, sizeof why,
                     "azure.blob_endpoint needs azure.storage_key or azure.storage_sas (a secret "
                     "reference such as env:NAME)");
        else if (c->storage_key_ref && c->storage_sas_ref)
            snprintf(why, sizeof why, "give azure.storage_key or azure.storage_sas, not both");
    } else {
        az_cred cr;
        if (choose_identity(c, cfg, &cr, why, sizeof why) == 0 &&
            az_token_cache_init(&c->arm_token, &cr, "https://management.azure.com/.default") != 0) {
            az_cred_clear(&cr);
            snprintf(why, sizeof why, "out of memory");
        }
    }
    if (!*why) {
        const char *g = test_guard(c, cfg);
        if (g)
            snprintf(why, sizeof why, "%s", g);
    }
    if (*why || !c->arm_endpoint || !c->authority_host || !c->imds_endpoint) {
        snprintf(init_err, sizeof init_err, "%s", *why ? why : "out of memory");
        *err = init_err;
        ctx_free(c);
        rc = PP_ERR_INVALID;
    } else {
        *inst = c;
    }
    cJSON_Delete(cfg);
    return rc;
}

static void az_destroy(void *inst)
{
    ctx_free(inst);
}

static const char *az_last_error(void *inst)
{
    (void)inst;
    return t_error;
}

static int service_enabled(const azure_ctx *c, const char *name)
{
    if (!c->n_services)
        return 1;
    for (size_t i = 0; i < c->n_services; i++)
        if (c->services[i] && strcmp(c->services[i], name) == 0)
            return 1;
    return 0;
}

typedef struct sub_list {
    char **ids;
    size_t n, cap;
} sub_list;

static int add_subscription(azure_ctx *c, const cJSON *item, void *ud)
{
    sub_list *l = ud;
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(item, "subscriptionId"));
    const char *state = cJSON_GetStringValue(cJSON_GetObjectItem(item, "state"));
    size_t n = id ? strlen(id) : 0;
    if (!n || n > 64 || strspn(id, "abcdefABCDEF0123456789-") != n) {
        az_log(c, PP_LOG_WARN, "a subscription without a valid subscriptionId was skipped");
        return 0;
    }
    if (state && strcmp(state, "Disabled") == 0) {
        az_log(c, PP_LOG_INFO, "subscription %s is disabled; skipped", id);
        return 0;
    }
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        char **v = realloc(l->ids, nc * sizeof *v);
        if (!v)
            return 1;
        l->ids = v;
        l->cap = nc;
    }
    l->ids[l->n] = strdup(id);
    if (l->ids[l->n])
        l->n++;
    return 0;
}

/* A descendant of a management group: keep subscriptions (their name is the subscription id). */
static int add_mg_descendant(azure_ctx *c, const cJSON *item, void *ud)
{
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(item, "type"));
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    size_t tl = type ? strlen(type) : 0;
    if (!name || tl < 14 || strcmp(type + tl - 14, "/subscriptions") != 0)
        return 0; /* a child management group: its subscriptions are listed too (descendants) */
    cJSON *sub = cJSON_CreateObject();
    cJSON_AddStringToObject(sub, "subscriptionId", name);
    int rc = add_subscription(c, sub, ud);
    cJSON_Delete(sub);
    return rc;
}

static void add_task(cJSON *plan, const char *id, const char *kind, const char *sub, const char *service)
{
    cJSON *t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "id", id);
    cJSON_AddStringToObject(t, "kind", kind);
    if (sub)
        cJSON_AddStringToObject(t, "subscription", sub);
    if (service)
        cJSON_AddStringToObject(t, "service", service);
    cJSON_AddItemToArray(plan, t);
}

static const char *az_plan(void *inst, const char *targets_json)
{
    azure_ctx *c = inst;
    (void)targets_json;
    cJSON *plan = cJSON_CreateArray();
    if (c->blob_endpoint) {
        char id[100];
        snprintf(id, sizeof id, "blob/%s", c->storage_account);
        add_task(plan, id, "blob", NULL, NULL);
    } else {
        sub_list l = {0};
        if (c->n_subscriptions) {
            for (size_t i = 0; i < c->n_subscriptions; i++) {
                cJSON *fake = cJSON_CreateObject();
                cJSON_AddStringToObject(fake, "subscriptionId", c->subscriptions[i]);
                add_subscription(c, fake, &l);
                cJSON_Delete(fake);
            }
        } else {
            char code[120] = "", err[AZ_ERR_LEN] = "", mg[200];
            int rc;
            if (c->management_group) {
                snprintf(mg, sizeof mg, "/providers/Microsoft.Management/managementGroups/%s/descendants",
                         c->management_group);
                rc = arm_list(c, mg, "2020-05-01", add_mg_descendant, &l, code, sizeof code, err, sizeof err);
            } else {
                rc = arm_list(c, "/subscriptions", API_VERSION_SUBSCRIPTIONS, add_subscription, &l, code, sizeof code,
                              err, sizeof err);
            }
            if (rc != AZ_OK) {
                if (rc == AZ_E_DENIED)
                    az_set_error("listing %s was denied (%s): %s",
                                 c->management_group ? "the management group's subscriptions" : "subscriptions", code,
                                 err);
                else
                    az_set_error("listing subscriptions failed: %s", err);
                strings_free(l.ids, l.n);
                cJSON_Delete(plan);
                return NULL;
            }
            if (l.n == 0)
                az_log(c, PP_LOG_WARN, "the identity sees no enabled subscription");
        }
        for (size_t i = 0; i < l.n; i++)
            for (size_t s = 0; s < N_SERVICES; s++) {
                if (!service_enabled(c, services[s].name))
                    continue;
                char id[200];
                snprintf(id, sizeof id, "%s/%s", l.ids[i], services[s].name);
                add_task(plan, id, "arm", l.ids[i], services[s].name);
            }
        az_log(c, PP_LOG_INFO, "%zu subscription(s)", l.n);
        strings_free(l.ids, l.n);
    }
    free(c->plan_json);
    c->plan_json = cJSON_PrintUnformatted(plan);
    cJSON_Delete(plan);
    return c->plan_json;
}

static int az_collect(void *inst, const char *task_json)
{
    azure_ctx *c = inst;
    cJSON *j = cJSON_Parse(task_json);
    az_task t = {0};
    t.id = cJSON_GetStringValue(cJSON_GetObjectItem(j, "id"));
    t.kind = cJSON_GetStringValue(cJSON_GetObjectItem(j, "kind"));
    t.subscription = cJSON_GetStringValue(cJSON_GetObjectItem(j, "subscription"));
    t.service = cJSON_GetStringValue(cJSON_GetObjectItem(j, "service"));
    int rc = PP_ERR_INVALID;
    az_set_error("malformed task");
    if (t.id && t.kind && strcmp(t.kind, "blob") == 0 && c->blob_endpoint) {
        az_set_error("%s", "");
        rc = collect_blob(c, &t);
    } else if (t.id && t.kind && strcmp(t.kind, "arm") == 0 && t.subscription && t.service && !c->blob_endpoint) {
        for (size_t s = 0; s < N_SERVICES; s++)
            if (strcmp(services[s].name, t.service) == 0) {
                az_set_error("%s", "");
                rc = services[s].collect(c, &t);
                break;
            }
    }
    if (rc == PP_OK && t.denied)
        az_log(c, PP_LOG_INFO, "%s: %d call(s) denied; see the error findings", t.id, t.denied);
    cJSON_Delete(j);
    return rc;
}

static const pp_provider_api provider = {sizeof(pp_provider_api), az_plan, az_collect};

static const pp_plugin descriptor = {
    .size = sizeof(pp_plugin),
    .abi_major = PP_ABI_MAJOR,
    .abi_minor = 1,
    .name = "azure",
    .version = "0.1.0",
    .description =
        "Microsoft Azure inventory: ARM (storage, network, Key Vault, compute, web, AKS, SQL, PostgreSQL/MySQL, "
        "Defender, monitoring) and the Blob data plane",
    .license = "Apache-2.0",
    .kinds = PP_KIND_PROVIDER,
    .threads = PP_THREADS_PARALLEL,
    .config_schema = schema,
    .init = az_init,
    .destroy = az_destroy,
    .last_error = az_last_error,
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
