/*
 * collect_arm.c - the ARM collectors: subscription and resource groups,
 * storage accounts (+ blob service, containers, and the Blob data plane
 * with the key from listKeys, which also reads the Queue and Table services'
 * logging), network security groups, Network Watchers and flow logs (+ the
 * per-subscription Network Watcher coverage of the regions in use), Key
 * Vaults (+ keys and secrets, metadata only), VMs (+ extensions) and disks,
 * App Service (+ configuration, authentication settings, FTP/SCM basic
 * authentication policies), AKS, SQL servers (+ firewall rules,
 * auditing, Entra ID admin, Defender for SQL, TDE protector), PostgreSQL
 * and MySQL flexible servers, and subscription governance (roles, Defender,
 * security contacts, activity log alerts, diagnostic settings).
 * Shapes: docs/resources/azure.md (the ARM body as GET returns it).
 *
 * A denied list or child call becomes an error finding naming the RBAC
 * action; the rest of the task goes on. Children that fail otherwise are
 * left absent ("not collected") and the task counts an error.
 */
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "arm_client.h"
#include "az_emit.h"
#include "az_util.h"
#include "collectors.h"

#define API_SUBSCRIPTIONS "2022-12-01"
#define API_RESOURCES "2021-04-01"
#define API_STORAGE "2023-01-01"
#define API_NETWORK "2023-09-01"
#define API_KEYVAULT "2023-07-01"
#define API_SQL "2021-11-01"
#define API_COMPUTE_VM "2024-03-01"
#define API_COMPUTE_DISK "2023-10-02"
#define API_WEB "2023-12-01"
#define API_AKS "2024-02-01"
#define API_AUTHORIZATION "2022-04-01"
#define API_SECURITY "2024-01-01"
#define API_ALERTS "2020-10-01"
#define API_DIAGNOSTICS "2021-05-01-preview"
#define API_SECURITY_CONTACTS "2020-01-01-preview"
#define API_AUTO_PROVISIONING "2017-08-01-preview"
#define API_SQL_ALERTS "2021-11-01"
#define API_POSTGRES "2022-12-01"
#define API_MYSQL "2023-12-30"

/* Shared outcome handling: 0 to go on, -1 when the task must stop. */
static int outcome(azure_ctx *c, az_task *t, int rc, const char *permission, const char *what, const char *uid,
                   const char *code, const char *err)
{
    switch (rc) {
    case AZ_OK:
    case AZ_E_NOTFOUND:
        return 0;
    case AZ_E_DENIED:
        az_emit_denied(c, t, permission, what, uid, t->subscription, code);
        return 0;
    case AZ_E_CANCELLED:
        return -1;
    default:
        t->errors++;
        az_set_error("%s: %s", t->id, err && *err ? err : "failed");
        az_log(c, PP_LOG_ERROR, "%s: %s", t->id, err && *err ? err : "failed");
        return 0;
    }
}

static int finish(azure_ctx *c, az_task *t)
{
    if (az_cancelled(c))
        return PP_ERR_CANCELLED;
    return t->errors ? PP_ERR : PP_OK;
}

/* Strip what the envelope or nothing needs from a child body (id, name, type). */
static cJSON *child_body(cJSON *b)
{
    cJSON_DeleteItemFromObject(b, "id");
    cJSON_DeleteItemFromObject(b, "name");
    cJSON_DeleteItemFromObject(b, "type");
    return b;
}

/* GET a child (ID + suffix); on success add it to @body under @member; on 404 add null when @null_if_absent. */
static void add_child(azure_ctx *c, az_task *t, cJSON *body, const char *id, const char *suffix, const char *api,
                      const char *member, int as_list, int null_if_absent, const char *permission, const char *what)
{
    char path[2048], code[120] = "", err[AZ_ERR_LEN] = "";
    snprintf(path, sizeof path, "%s%s", id, suffix);
    cJSON *r = NULL;
    int rc = arm_get(c, path, api, &r, code, sizeof code, err, sizeof err);
    if (rc == AZ_OK) {
        if (as_list) {
            cJSON *v = cJSON_DetachItemFromObject(r, "value");
            cJSON_AddItemToObject(body, member, cJSON_IsArray(v) ? v : cJSON_CreateArray());
            if (!cJSON_IsArray(v))
                cJSON_Delete(v);
            cJSON *it;
            cJSON_ArrayForEach(it, cJSON_GetObjectItem(body, member)) cJSON_DeleteItemFromObject(it, "type");
            cJSON_Delete(r);
        } else {
            cJSON_AddItemToObject(body, member, child_body(r));
        }
        return;
    }
    if (rc == AZ_E_NOTFOUND && null_if_absent)
        cJSON_AddNullToObject(body, member);
    outcome(c, t, rc, permission, what, id, code, err);
}

typedef struct list_ctx {
    az_task *t;
    const char *type;
    void (*enrich)(azure_ctx *c, az_task *t, cJSON *body);
    unsigned long n;
} list_ctx;

static int emit_item(azure_ctx *c, const cJSON *item, void *ud)
{
    list_ctx *l = ud;
    if (az_cancelled(c))
        return 1;
    cJSON *body = cJSON_Duplicate(item, 1);
    if (!body)
        return 0;
    if (l->enrich)
        l->enrich(c, l->t, body);
    az_emit_arm(c, l->type, l->t->subscription, body);
    l->n++;
    c->api->progress(c->h, l->n, 0, "resources");
    return 0;
}

static int list_and_emit(azure_ctx *c, az_task *t, const char *provider_path, const char *api, const char *type,
                         const char *permission, const char *what, void (*enrich)(azure_ctx *, az_task *, cJSON *))
{
    char path[512], code[120] = "", err[AZ_ERR_LEN] = "";
    snprintf(path, sizeof path, "/subscriptions/%s%s", t->subscription, provider_path);
    list_ctx l = {t, type, enrich, 0};
    int rc = arm_list(c, path, api, emit_item, &l, code, sizeof code, err, sizeof err);
    az_log(c, PP_LOG_INFO, "%s: %lu %s", t->id, l.n, type);
    return outcome(c, t, rc, permission, what, NULL, code, err);
}

/* ---- subscription and resource groups ---- */

int collect_arm_resources(azure_ctx *c, az_task *t)
{
    char path[200], code[120] = "", err[AZ_ERR_LEN] = "";
    snprintf(path, sizeof path, "/subscriptions/%s", t->subscription);
    cJSON *s = NULL;
    int rc = arm_get(c, path, API_SUBSCRIPTIONS, &s, code, sizeof code, err, sizeof err);
    if (rc == AZ_OK) {
        const char *dn = cJSON_GetStringValue(cJSON_GetObjectItem(s, "displayName"));
        if (dn && !cJSON_GetObjectItem(s, "name"))
            cJSON_AddStringToObject(s, "name", dn);
        if (!cJSON_GetObjectItem(s, "id"))
            cJSON_AddStringToObject(s, "id", path);
        az_emit_arm(c, "azure.subscription", t->subscription, s);
    } else if (outcome(c, t, rc, "Microsoft.Resources/subscriptions/read", "the subscription", path, code, err)) {
        return finish(c, t);
    }
    list_and_emit(c, t, "/resourcegroups", API_RESOURCES, "azure.resource_group",
                  "Microsoft.Resources/subscriptions/resourceGroups/read", "resource groups", NULL);
    return finish(c, t);
}

/* ---- storage ---- */

typedef struct container_ctx {
    az_task *t;
    const char *account;
} container_ctx;

static int emit_container(azure_ctx *c, const cJSON *item, void *ud)
{
    container_ctx *cc = ud;
    cJSON *body = cJSON_Duplicate(item, 1);
    if (body) {
        cJSON_AddStringToObject(body, "storageAccount", cc->account);
        az_emit_arm(c, "azure.storage.container", cc->t->subscription, body);
    }
    return az_cancelled(c);
}

/*
 * A data-plane endpoint we may sign requests for: https, or plain http to this machine (Azurite); never
 * one with user info, a query, a fragment or odd characters ("http://127.0.0.1:1@elsewhere/" is refused).
 */
static int endpoint_acceptable(const char *ep)
{
    if (strlen(ep) > 512 || strpbrk(ep, "@?#\\ \t\r\n"))
        return 0;
    return strncmp(ep, "https://", 8) == 0 || strncmp(ep, "http://127.0.0.1:", 17) == 0 ||
           strncmp(ep, "http://localhost:", 17) == 0;
}

/*
 * The Blob data plane of one account with its key from listKeys (and, with the same key, the Queue
 * service's properties and the Table service's logging, which goes into @body). Returns 1 when the
 * containers were collected that way, 0 when ARM must list them (turned off, no endpoint, shared keys
 * disabled, denied, refused), -1 when cancelled. The key is wiped before this returns; it is never logged.
 */
static int storage_data_plane(azure_ctx *c, az_task *t, cJSON *body, const char *id, const char *name)
{
    const cJSON *p = cJSON_GetObjectItem(body, "properties");
    const char *ep = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "primaryEndpoints"), "blob"));
    if (!c->storage_list_keys || !ep || !*ep)
        return 0;
    if (cJSON_IsFalse(cJSON_GetObjectItem(p, "allowSharedKeyAccess"))) {
        az_log(c, PP_LOG_INFO, "%s: %s refuses Shared Key; its Blob data plane is not collected", t->id, name);
        return 0;
    }
    if (!endpoint_acceptable(ep)) {
        az_log(c, PP_LOG_WARN, "%s: %s: the blob endpoint is neither https nor local; not used", t->id, name);
        return 0;
    }
    char path[2048], code[120] = "", err[AZ_ERR_LEN] = "";
    snprintf(path, sizeof path, "%s/listKeys", id);
    cJSON *r = NULL;
    int rc = arm_post_secret(c, path, API_STORAGE, &r, code, sizeof code, err, sizeof err);
    if (rc != AZ_OK) {
        if (rc == AZ_E_CANCELLED)
            return -1;
        if (rc == AZ_E_DENIED)
            az_emit_denied(c, t, "Microsoft.Storage/storageAccounts/listkeys/action",
                           "the storage account key (for its Blob and Queue logging and its containers)", id,
                           t->subscription, code);
        else /* a read-only lock answers 409 ScopeLocked: not an error of the scan */
            az_log(c, PP_LOG_WARN, "%s: listKeys of %s: %s", t->id, name, err);
        return 0;
    }
    /* the first key with full permission */
    const char *kv = NULL;
    const cJSON *k;
    cJSON_ArrayForEach(k, cJSON_GetObjectItem(r, "keys"))
    {
        const char *perm = cJSON_GetStringValue(cJSON_GetObjectItem(k, "permissions"));
        const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(k, "value"));
        if (v && *v && (!perm || strcasecmp(perm, "FULL") == 0)) {
            kv = v;
            break;
        }
    }
    size_t keylen = 0;
    unsigned char *key = kv ? az_b64_decode(kv, &keylen) : NULL;
    arm_json_wipe_free(r);
    if (!key || keylen < 16) {
        if (key) {
            explicit_bzero(key, keylen);
            free(key);
        }
        az_log(c, PP_LOG_WARN, "%s: listKeys of %s returned no usable key", t->id, name);
        return 0;
    }
    char *acct = az_storage_account_from_endpoint(ep);
    const char *region = cJSON_GetStringValue(cJSON_GetObjectItem(body, "location"));
    const char *qep = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "primaryEndpoints"), "queue"));
    if (qep && (!*qep || !endpoint_acceptable(qep)))
        qep = NULL;
    const char *tep = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "primaryEndpoints"), "table"));
    if (tep && (!*tep || !endpoint_acceptable(tep)))
        tep = NULL;
    rc = collect_blob_arm_account(c, t, id, acct ? acct : name, region, ep, qep, tep, body, key, keylen);
    explicit_bzero(key, keylen);
    free(key);
    free(acct);
    if (rc == AZ_E_CANCELLED)
        return -1;
    return rc == 0 ? 1 : 0;
}

static void enrich_storage(azure_ctx *c, az_task *t, cJSON *body)
{
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(body, "id"));
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(body, "name"));
    if (!id || !name)
        return;
    add_child(c, t, body, id, "/blobServices/default", API_STORAGE, "blobServices", 0, 0,
              "Microsoft.Storage/storageAccounts/blobServices/read", "blob service properties");
    int dp = storage_data_plane(c, t, body, id, name);
    if (dp != 0)
        return; /* containers came from the data plane (1), or the scan was cancelled (-1) */
    char path[2048], code[120] = "", err[AZ_ERR_LEN] = "";
    snprintf(path, sizeof path, "%s/blobServices/default/containers", id);
    container_ctx cc = {t, name};
    int rc = arm_list(c, path, API_STORAGE, emit_container, &cc, code, sizeof code, err, sizeof err);
    outcome(c, t, rc, "Microsoft.Storage/storageAccounts/blobServices/containers/read", "blob containers", id, code,
            err);
}

int collect_arm_storage(azure_ctx *c, az_task *t)
{
    list_and_emit(c, t, "/providers/Microsoft.Storage/storageAccounts", API_STORAGE, "azure.storage.account",
                  "Microsoft.Storage/storageAccounts/read", "storage accounts", enrich_storage);
    return finish(c, t);
}

/* ---- network ---- */

static void enrich_nsg(azure_ctx *c, az_task *t, cJSON *body)
{
    (void)c;
    (void)t;
    /* the fixed default rules are the same everywhere: not collected (docs/resources/azure.md) */
    cJSON_DeleteItemFromObject(cJSON_GetObjectItem(body, "properties"), "defaultSecurityRules");
}

/* A flow log of a Network Watcher: its own resource. */
static int emit_flow_log(azure_ctx *c, const cJSON *item, void *ud)
{
    az_task *t = ud;
    cJSON *body = cJSON_Duplicate(item, 1);
    if (body)
        az_emit_arm(c, "azure.network.flow_log", t->subscription, body);
    return az_cancelled(c);
}

/* Lower-case, de-duplicated regions (locations) of one complete list, for the Network Watcher coverage. */
typedef struct region_set {
    az_task *t;
    cJSON *regions;
    void (*enrich)(azure_ctx *c, az_task *t, cJSON *body); /* watchers: emitted as well; resources: NULL */
    unsigned long n;
    int overflow; /* more distinct regions than MAX_REGIONS: the set is incomplete */
} region_set;

#define MAX_REGIONS 400 /* Azure has about 60 public regions; more is a hostile or broken answer */

static int observe_region(azure_ctx *c, const cJSON *item, void *ud);

static void enrich_watcher(azure_ctx *c, az_task *t, cJSON *body)
{
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(body, "id"));
    if (!id)
        return;
    char path[2048], code[120] = "", err[AZ_ERR_LEN] = "";
    snprintf(path, sizeof path, "%s/flowLogs", id);
    int rc = arm_list(c, path, API_NETWORK, emit_flow_log, t, code, sizeof code, err, sizeof err);
    outcome(c, t, rc, "Microsoft.Network/networkWatchers/flowLogs/read", "flow logs", id, code, err);
}

static void add_unique_lower(cJSON *arr, const char *v);

static int observe_region(azure_ctx *c, const cJSON *item, void *ud)
{
    region_set *rs = ud;
    const char *loc = cJSON_GetStringValue(cJSON_GetObjectItem(item, "location"));
    /* "global" resources (DNS zones, Front Door...) live in no region a watcher could cover */
    if (loc && *loc && strcasecmp(loc, "global") != 0) {
        if (cJSON_GetArraySize(rs->regions) < MAX_REGIONS)
            add_unique_lower(rs->regions, loc);
        else
            rs->overflow = 1;
    }
    if (rs->enrich) {
        cJSON *body = cJSON_Duplicate(item, 1);
        if (body) {
            rs->enrich(c, rs->t, body);
            az_emit_arm(c, "azure.network.watcher", rs->t->subscription, body);
        }
    }
    rs->n++;
    return az_cancelled(c);
}

/* A complete list of ARM items into @rs: 0 when read in full, 1 when not (denied or failed), -1 to stop. */
static int list_regions(azure_ctx *c, az_task *t, const char *provider_path, const char *api, region_set *rs,
                        const char *permission, const char *what)
{
    char path[512], code[120] = "", err[AZ_ERR_LEN] = "";
    snprintf(path, sizeof path, "/subscriptions/%s%s", t->subscription, provider_path);
    int rc = arm_list(c, path, api, observe_region, rs, code, sizeof code, err, sizeof err);
    az_log(c, PP_LOG_INFO, "%s: %lu %s", t->id, rs->n, what);
    if (outcome(c, t, rc, permission, what, NULL, code, err))
        return -1;
    return rc == AZ_OK && !az_cancelled(c) ? 0 : 1;
}

int collect_arm_network(azure_ctx *c, az_task *t)
{
    if (list_and_emit(c, t, "/providers/Microsoft.Network/networkSecurityGroups", API_NETWORK, "azure.network.nsg",
                      "Microsoft.Network/networkSecurityGroups/read", "network security groups", enrich_nsg) != 0)
        return finish(c, t);
    region_set watchers = {t, cJSON_CreateArray(), enrich_watcher, 0, 0};
    region_set used = {t, cJSON_CreateArray(), NULL, 0, 0};
    int w = list_regions(c, t, "/providers/Microsoft.Network/networkWatchers", API_NETWORK, &watchers,
                         "Microsoft.Network/networkWatchers/read", "Network Watchers");
    int r = w < 0 ? -1
                  : list_regions(c, t, "/resources", API_RESOURCES, &used,
                                 "Microsoft.Resources/subscriptions/resources/read", "resources (for their regions)");
    if (watchers.overflow || used.overflow)
        az_log(c, PP_LOG_WARN, "%s: more than %d regions listed; no Network Watcher coverage", t->id, MAX_REGIONS);
    else if (w == 0 && r == 0) {
        /* only when both lists are complete: a region without a watcher must mean "none", never "not readable" */
        cJSON *missing = cJSON_CreateArray();
        const cJSON *it, *wt;
        cJSON_ArrayForEach(it, used.regions)
        {
            int covered = 0;
            cJSON_ArrayForEach(wt, watchers.regions) covered |= strcmp(it->valuestring, wt->valuestring) == 0;
            if (!covered)
                cJSON_AddItemToArray(missing, cJSON_CreateString(it->valuestring));
        }
        char uid[200];
        snprintf(uid, sizeof uid, "/subscriptions/%s/providers/Microsoft.Network/networkWatcherCoverage",
                 t->subscription);
        cJSON *data = cJSON_CreateObject();
        cJSON_AddItemToObject(data, "resourceRegions", used.regions);
        cJSON_AddItemToObject(data, "watcherRegions", watchers.regions);
        cJSON_AddItemToObject(data, "regionsWithoutWatcher", missing);
        used.regions = watchers.regions = NULL;
        az_emit_resource(c, "azure.network.watcher_coverage", uid, "Network Watcher coverage", t->subscription, NULL,
                         data, NULL);
    }
    cJSON_Delete(used.regions);
    cJSON_Delete(watchers.regions);
    return finish(c, t);
}

/* ---- key vault ---- */

typedef struct vault_item_ctx {
    az_task *t;
    const char *type;
    const char *vault;
    int rbac;
} vault_item_ctx;

/* A key or secret of a vault: metadata only (ARM never lists a value; one that appeared would be dropped). */
static int emit_vault_item(azure_ctx *c, const cJSON *item, void *ud)
{
    vault_item_ctx *v = ud;
    cJSON *body = cJSON_Duplicate(item, 1);
    if (!body)
        return 0;
    cJSON *p = cJSON_GetObjectItem(body, "properties");
    cJSON *val = cJSON_DetachItemFromObject(p, "value");
    arm_json_wipe_free(val);
    cJSON_AddStringToObject(body, "vault", v->vault);
    cJSON_AddBoolToObject(body, "vaultRbacAuthorization", v->rbac);
    az_emit_arm(c, v->type, v->t->subscription, body);
    return az_cancelled(c);
}

static void enrich_vault(azure_ctx *c, az_task *t, cJSON *body)
{
    cJSON *p = cJSON_GetObjectItem(body, "properties");
    /* ARM omits enablePurgeProtection until it is on: collected as null (docs/resources/azure.md) */
    if (cJSON_IsObject(p) && !cJSON_GetObjectItem(p, "enablePurgeProtection"))
        cJSON_AddNullToObject(p, "enablePurgeProtection");
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(body, "id"));
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(body, "name"));
    if (!id || !name)
        return;
    add_child(c, t, body, id, "/providers/Microsoft.Insights/diagnosticSettings", API_DIAGNOSTICS, "diagnosticSettings",
              1, 0, "Microsoft.Insights/diagnosticSettings/read", "Key Vault diagnostic settings");
    static const struct {
        const char *suffix, *type, *permission, *what;
    } kinds[] = {
        {"/keys", "azure.keyvault.key", "Microsoft.KeyVault/vaults/keys/read", "Key Vault keys"},
        {"/secrets", "azure.keyvault.secret", "Microsoft.KeyVault/vaults/secrets/read", "Key Vault secrets"},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char path[2048], code[120] = "", err[AZ_ERR_LEN] = "";
        snprintf(path, sizeof path, "%s%s", id, kinds[i].suffix);
        vault_item_ctx v = {t, kinds[i].type, name, cJSON_IsTrue(cJSON_GetObjectItem(p, "enableRbacAuthorization"))};
        int rc = arm_list(c, path, API_KEYVAULT, emit_vault_item, &v, code, sizeof code, err, sizeof err);
        if (outcome(c, t, rc, kinds[i].permission, kinds[i].what, id, code, err))
            return;
    }
}

int collect_arm_keyvault(azure_ctx *c, az_task *t)
{
    list_and_emit(c, t, "/providers/Microsoft.KeyVault/vaults", API_KEYVAULT, "azure.keyvault.vault",
                  "Microsoft.KeyVault/vaults/read", "key vaults", enrich_vault);
    return finish(c, t);
}

/* ---- SQL ---- */

typedef struct db_ctx {
    az_task *t;
    const char *server;
} db_ctx;

/* One database of a server: add its TDE state (transparentDataEncryption/current), emit azure.sql.database. */
static int emit_database(azure_ctx *c, const cJSON *item, void *ud)
{
    db_ctx *d = ud;
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(item, "id"));
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    if (!id || !name || strcmp(name, "master") == 0) /* master is the server's, with no TDE of its own */
        return az_cancelled(c);
    cJSON *body = cJSON_Duplicate(item, 1);
    if (!body)
        return 0;
    add_child(c, d->t, body, id, "/transparentDataEncryption/current", API_SQL, "transparentDataEncryption", 0, 0,
              "Microsoft.Sql/servers/databases/transparentDataEncryption/read", "SQL database encryption");
    cJSON_AddStringToObject(body, "server", d->server);
    az_emit_arm(c, "azure.sql.database", d->t->subscription, body);
    return az_cancelled(c);
}

static void enrich_sql(azure_ctx *c, az_task *t, cJSON *body)
{
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(body, "id"));
    if (!id)
        return;
    add_child(c, t, body, id, "/firewallRules", API_SQL, "firewallRules", 1, 0,
              "Microsoft.Sql/servers/firewallRules/read", "SQL firewall rules");
    add_child(c, t, body, id, "/auditingSettings/default", API_SQL, "auditingSettings", 0, 0,
              "Microsoft.Sql/servers/auditingSettings/read", "SQL auditing settings");
    add_child(c, t, body, id, "/administrators/ActiveDirectory", API_SQL, "administrators", 0, 1,
              "Microsoft.Sql/servers/administrators/read", "SQL Entra ID administrators");
    add_child(c, t, body, id, "/securityAlertPolicies/Default", API_SQL_ALERTS, "securityAlertPolicies", 0, 1,
              "Microsoft.Sql/servers/securityAlertPolicies/read", "Defender for SQL (security alert policy)");
    add_child(c, t, body, id, "/encryptionProtector/current", API_SQL, "encryptionProtector", 0, 1,
              "Microsoft.Sql/servers/encryptionProtector/read", "SQL TDE protector");
    char path[2048], code[120] = "", err[AZ_ERR_LEN] = "";
    snprintf(path, sizeof path, "%s/databases", id);
    db_ctx d = {t, cJSON_GetStringValue(cJSON_GetObjectItem(body, "name"))};
    int rc = arm_list(c, path, API_SQL, emit_database, &d, code, sizeof code, err, sizeof err);
    outcome(c, t, rc, "Microsoft.Sql/servers/databases/read", "SQL databases", id, code, err);
}

int collect_arm_sql(azure_ctx *c, az_task *t)
{
    list_and_emit(c, t, "/providers/Microsoft.Sql/servers", API_SQL, "azure.sql.server", "Microsoft.Sql/servers/read",
                  "SQL servers", enrich_sql);
    return finish(c, t);
}

/* ---- compute ---- */

static void enrich_vm(azure_ctx *c, az_task *t, cJSON *body)
{
    /* docs/resources/azure.md: identity and securityProfile are null when ARM leaves them out */
    if (!cJSON_GetObjectItem(body, "identity"))
        cJSON_AddNullToObject(body, "identity");
    cJSON *p = cJSON_GetObjectItem(body, "properties");
    if (cJSON_IsObject(p) && !cJSON_GetObjectItem(p, "securityProfile"))
        cJSON_AddNullToObject(p, "securityProfile");
    /* the list may already carry the extensions (resources[]); ARM's own list of them is the reference */
    cJSON_DeleteItemFromObject(body, "resources");
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(body, "id"));
    if (id)
        add_child(c, t, body, id, "/extensions", API_COMPUTE_VM, "extensions", 1, 0,
                  "Microsoft.Compute/virtualMachines/extensions/read", "VM extensions");
}

static void enrich_disk(azure_ctx *c, az_task *t, cJSON *body)
{
    (void)c;
    (void)t;
    if (!cJSON_GetObjectItem(body, "managedBy"))
        cJSON_AddNullToObject(body, "managedBy"); /* unattached */
}

int collect_arm_compute(azure_ctx *c, az_task *t)
{
    if (list_and_emit(c, t, "/providers/Microsoft.Compute/virtualMachines", API_COMPUTE_VM, "azure.compute.vm",
                      "Microsoft.Compute/virtualMachines/read", "virtual machines", enrich_vm) == 0)
        list_and_emit(c, t, "/providers/Microsoft.Compute/disks", API_COMPUTE_DISK, "azure.compute.disk",
                      "Microsoft.Compute/disks/read", "managed disks", enrich_disk);
    return finish(c, t);
}

/* ---- App Service, AKS ---- */

/*
 * Keep only the platform and globalValidation parts of an authsettingsV2 body (whether App Service
 * authentication is on and what it does with anonymous requests); the identity provider registrations
 * (client ids, secret setting names) are not needed by any rule and are dropped.
 */
static void trim_auth_settings(cJSON *body)
{
    cJSON *a = cJSON_GetObjectItem(body, "authSettingsV2");
    cJSON *p = cJSON_GetObjectItem(a, "properties");
    if (!cJSON_IsObject(p))
        return;
    cJSON *keep = cJSON_CreateObject();
    static const char *const members[] = {"platform", "globalValidation"};
    for (size_t i = 0; i < 2; i++) {
        cJSON *m = cJSON_DetachItemFromObject(p, members[i]);
        if (m)
            cJSON_AddItemToObject(keep, members[i], m);
    }
    cJSON_ReplaceItemInObject(a, "properties", keep);
}

static void enrich_site(azure_ctx *c, az_task *t, cJSON *body)
{
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(body, "id"));
    if (!id)
        return;
    /* the list leaves siteConfig mostly empty: minTlsVersion, ftpsState... come from config/web */
    add_child(c, t, body, id, "/config/web", API_WEB, "config", 0, 0, "Microsoft.Web/sites/config/read",
              "App Service configuration");
    /* GET config/authsettingsV2 is "Get Auth Settings V2 Without Secrets" (its /list variant adds them) */
    add_child(c, t, body, id, "/config/authsettingsV2", API_WEB, "authSettingsV2", 0, 0,
              "Microsoft.Web/sites/config/read", "App Service authentication settings");
    trim_auth_settings(body);
    /* basic (user name and password) authentication of FTP and of the SCM (Kudu) site */
    cJSON *bp = cJSON_AddObjectToObject(body, "basicPublishingCredentialsPolicies");
    add_child(c, t, bp, id, "/basicPublishingCredentialsPolicies/ftp", API_WEB, "ftp", 0, 0,
              "Microsoft.Web/sites/basicPublishingCredentialsPolicies/read", "FTP basic authentication policy");
    add_child(c, t, bp, id, "/basicPublishingCredentialsPolicies/scm", API_WEB, "scm", 0, 0,
              "Microsoft.Web/sites/basicPublishingCredentialsPolicies/read", "SCM basic authentication policy");
    if (!cJSON_GetObjectItem(bp, "ftp") && !cJSON_GetObjectItem(bp, "scm"))
        cJSON_DeleteItemFromObject(body, "basicPublishingCredentialsPolicies"); /* not collected */
}

int collect_arm_web(azure_ctx *c, az_task *t)
{
    list_and_emit(c, t, "/providers/Microsoft.Web/sites", API_WEB, "azure.web.site", "Microsoft.Web/sites/read",
                  "App Service apps", enrich_site);
    return finish(c, t);
}

int collect_arm_aks(azure_ctx *c, az_task *t)
{
    list_and_emit(c, t, "/providers/Microsoft.ContainerService/managedClusters", API_AKS, "azure.aks.cluster",
                  "Microsoft.ContainerService/managedClusters/read", "AKS clusters", NULL);
    return finish(c, t);
}

/* ---- PostgreSQL and MySQL flexible servers ---- */

/* The server parameters the rules read (docs/resources/azure.md); the hundreds of others are not kept. */
static const char *const db_parameters[] = {
    "require_secure_transport",
    "ssl_min_protocol_version",
    "tls_version",
    "log_checkpoints",
    "log_connections",
    "log_disconnections",
    "connection_throttle.enable",
    "logfiles.retention_days",
    "audit_log_enabled",
    "audit_log_events",
};

static int keep_parameter(azure_ctx *c, const cJSON *item, void *ud)
{
    cJSON *arr = ud;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    for (size_t i = 0; name && i < sizeof db_parameters / sizeof db_parameters[0]; i++)
        if (strcmp(name, db_parameters[i]) == 0) {
            const cJSON *p = cJSON_GetObjectItem(item, "properties");
            cJSON *o = cJSON_CreateObject(), *op = cJSON_AddObjectToObject(o, "properties");
            cJSON_AddStringToObject(o, "name", name);
            static const char *const keep[] = {"value", "defaultValue", "source"};
            for (size_t k = 0; k < 3; k++) {
                const cJSON *v = cJSON_GetObjectItem(p, keep[k]);
                if (v)
                    cJSON_AddItemToObject(op, keep[k], cJSON_Duplicate(v, 1));
            }
            cJSON_AddItemToArray(arr, o);
            break;
        }
    return az_cancelled(c);
}

static void enrich_flexible(azure_ctx *c, az_task *t, cJSON *body, const char *api, const char *permission)
{
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(body, "id"));
    if (!id)
        return;
    char path[2048], code[120] = "", err[AZ_ERR_LEN] = "";
    snprintf(path, sizeof path, "%s/configurations", id);
    cJSON *arr = cJSON_CreateArray();
    int rc = arm_list(c, path, api, keep_parameter, arr, code, sizeof code, err, sizeof err);
    if (rc == AZ_OK)
        cJSON_AddItemToObject(body, "configurations", arr);
    else
        cJSON_Delete(arr); /* absent: not collected */
    outcome(c, t, rc, permission, "server parameters", id, code, err);
}

static void enrich_postgres(azure_ctx *c, az_task *t, cJSON *body)
{
    enrich_flexible(c, t, body, API_POSTGRES, "Microsoft.DBforPostgreSQL/flexibleServers/configurations/read");
}

static void enrich_mysql(azure_ctx *c, az_task *t, cJSON *body)
{
    enrich_flexible(c, t, body, API_MYSQL, "Microsoft.DBforMySQL/flexibleServers/configurations/read");
}

int collect_arm_databases(azure_ctx *c, az_task *t)
{
    if (list_and_emit(c, t, "/providers/Microsoft.DBforPostgreSQL/flexibleServers", API_POSTGRES,
                      "azure.postgresql.flexible_server", "Microsoft.DBforPostgreSQL/flexibleServers/read",
                      "PostgreSQL flexible servers", enrich_postgres) == 0)
        list_and_emit(c, t, "/providers/Microsoft.DBforMySQL/flexibleServers", API_MYSQL, "azure.mysql.flexible_server",
                      "Microsoft.DBforMySQL/flexibleServers/read", "MySQL flexible servers", enrich_mysql);
    return finish(c, t);
}

/* ---- subscription-level governance: roles, Defender, contacts, activity log alerts, diagnostics ---- */

/* What the governance task learns for the per-subscription monitoring summary. */
typedef struct monitoring {
    az_task *t;
    cJSON *operations; /* lower-case operationName of every enabled alert scoped at the subscription */
    cJSON *categories; /* log categories an enabled subscription diagnostic setting exports */
    int alerts, settings;
} monitoring;

static void add_unique_lower(cJSON *arr, const char *v)
{
    char buf[300];
    size_t n = strlen(v);
    if (n >= sizeof buf)
        return;
    for (size_t i = 0; i <= n; i++)
        buf[i] = (char)tolower((unsigned char)v[i]);
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) if (strcmp(it->valuestring, buf) == 0) return;
    cJSON_AddItemToArray(arr, cJSON_CreateString(buf));
}

/* Conditions of an alert: allOf[] of {field, equals}, possibly with anyOf[] of the same inside. */
static void alert_operations(const cJSON *conds, cJSON *ops)
{
    const cJSON *cd;
    cJSON_ArrayForEach(cd, conds)
    {
        const char *field = cJSON_GetStringValue(cJSON_GetObjectItem(cd, "field"));
        const char *eq = cJSON_GetStringValue(cJSON_GetObjectItem(cd, "equals"));
        if (field && eq && strcasecmp(field, "operationName") == 0)
            add_unique_lower(ops, eq);
        alert_operations(cJSON_GetObjectItem(cd, "anyOf"), ops);
    }
}

static int observe_alert(azure_ctx *c, const cJSON *item, void *ud)
{
    monitoring *m = ud;
    const cJSON *p = cJSON_GetObjectItem(item, "properties");
    char scope[200];
    snprintf(scope, sizeof scope, "/subscriptions/%s", m->t->subscription);
    int at_sub = 0;
    const cJSON *sc;
    cJSON_ArrayForEach(sc, cJSON_GetObjectItem(p, "scopes"))
    {
        if (cJSON_IsString(sc) && strcasecmp(sc->valuestring, scope) == 0)
            at_sub = 1;
    }
    if (cJSON_IsTrue(cJSON_GetObjectItem(p, "enabled")) && at_sub)
        alert_operations(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "condition"), "allOf"), m->operations);
    m->alerts++;
    cJSON *body = cJSON_Duplicate(item, 1);
    if (body)
        az_emit_arm(c, "azure.monitor.activity_log_alert", m->t->subscription, body);
    return az_cancelled(c);
}

static int observe_diagnostic(azure_ctx *c, const cJSON *item, void *ud)
{
    monitoring *m = ud;
    const cJSON *lg;
    m->settings++;
    cJSON_ArrayForEach(lg, cJSON_GetObjectItem(cJSON_GetObjectItem(item, "properties"), "logs"))
    {
        const char *cat = cJSON_GetStringValue(cJSON_GetObjectItem(lg, "category"));
        if (cat && cJSON_IsTrue(cJSON_GetObjectItem(lg, "enabled")))
            add_unique_lower(m->categories, cat);
    }
    cJSON *body = cJSON_Duplicate(item, 1);
    if (body)
        az_emit_arm(c, "azure.monitor.diagnostic_setting", m->t->subscription, body);
    return az_cancelled(c);
}

/* Lists whose elements also feed the summary: 0 on success, 1 when not (denied or failed), -1 to stop. */
static int list_observed(azure_ctx *c, az_task *t, const char *provider_path, const char *api, arm_item_fn fn,
                         monitoring *m, const char *permission, const char *what)
{
    char path[512], code[120] = "", err[AZ_ERR_LEN] = "";
    snprintf(path, sizeof path, "/subscriptions/%s%s", t->subscription, provider_path);
    int rc = arm_list(c, path, api, fn, m, code, sizeof code, err, sizeof err);
    if (outcome(c, t, rc, permission, what, NULL, code, err))
        return -1;
    return rc == AZ_OK ? 0 : 1;
}

int collect_arm_governance(azure_ctx *c, az_task *t)
{
    if (list_and_emit(c, t, "/providers/Microsoft.Authorization/roleAssignments", API_AUTHORIZATION,
                      "azure.authorization.role_assignment", "Microsoft.Authorization/roleAssignments/read",
                      "role assignments", NULL) != 0 ||
        list_and_emit(c, t, "/providers/Microsoft.Authorization/roleDefinitions?$filter=type%20eq%20%27CustomRole%27",
                      API_AUTHORIZATION, "azure.authorization.role_definition",
                      "Microsoft.Authorization/roleDefinitions/read", "custom role definitions", NULL) != 0 ||
        list_and_emit(c, t, "/providers/Microsoft.Security/pricings", API_SECURITY, "azure.security.pricing",
                      "Microsoft.Security/pricings/read", "Defender plans", NULL) != 0 ||
        list_and_emit(c, t, "/providers/Microsoft.Security/securityContacts", API_SECURITY_CONTACTS,
                      "azure.security.contact", "Microsoft.Security/securityContacts/read", "security contacts",
                      NULL) != 0 ||
        list_and_emit(c, t, "/providers/Microsoft.Security/autoProvisioningSettings", API_AUTO_PROVISIONING,
                      "azure.security.auto_provisioning", "Microsoft.Security/autoProvisioningSettings/read",
                      "Defender auto provisioning", NULL) != 0)
        return finish(c, t);
    monitoring m = {t, cJSON_CreateArray(), cJSON_CreateArray(), 0, 0};
    int a = list_observed(c, t, "/providers/Microsoft.Insights/activityLogAlerts", API_ALERTS, observe_alert, &m,
                          "Microsoft.Insights/activityLogAlerts/read", "activity log alerts");
    int d = a < 0 ? -1
                  : list_observed(c, t, "/providers/Microsoft.Insights/diagnosticSettings", API_DIAGNOSTICS,
                                  observe_diagnostic, &m, "Microsoft.Insights/diagnosticSettings/read",
                                  "subscription diagnostic settings");
    if (a == 0 && d == 0 && !az_cancelled(c)) {
        /* only when both lists are complete: a missing alert must mean "none", never "not readable" */
        char uid[200];
        snprintf(uid, sizeof uid, "/subscriptions/%s/providers/Microsoft.Insights/activityLogMonitoring",
                 t->subscription);
        cJSON *data = cJSON_CreateObject();
        cJSON_AddNumberToObject(data, "activityLogAlerts", m.alerts);
        cJSON_AddItemToObject(data, "alertOperations", m.operations);
        cJSON_AddNumberToObject(data, "diagnosticSettings", m.settings);
        cJSON_AddItemToObject(data, "exportedCategories", m.categories);
        m.operations = m.categories = NULL;
        az_emit_resource(c, "azure.monitor.activity_log_monitoring", uid, "activity log monitoring", t->subscription,
                         NULL, data, NULL);
    }
    cJSON_Delete(m.operations);
    cJSON_Delete(m.categories);
    return finish(c, t);
}
