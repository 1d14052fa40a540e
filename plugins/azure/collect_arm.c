/*
 * collect_arm.c - the ARM collectors: subscription and resource groups,
 * storage accounts (+ blob service, containers), network security groups,
 * Key Vaults, SQL servers (+ firewall rules, auditing, Entra ID admin).
 * Shapes: docs/resources/azure.md (the ARM body as GET returns it).
 *
 * A denied list or child call becomes an error finding naming the RBAC
 * action; the rest of the task goes on. Children that fail otherwise are
 * left absent ("not collected") and the task counts an error.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "arm_client.h"
#include "az_emit.h"
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

static void enrich_storage(azure_ctx *c, az_task *t, cJSON *body)
{
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(body, "id"));
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(body, "name"));
    if (!id || !name)
        return;
    add_child(c, t, body, id, "/blobServices/default", API_STORAGE, "blobServices", 0, 0,
              "Microsoft.Storage/storageAccounts/blobServices/read", "blob service properties");
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

int collect_arm_network(azure_ctx *c, az_task *t)
{
    list_and_emit(c, t, "/providers/Microsoft.Network/networkSecurityGroups", API_NETWORK, "azure.network.nsg",
                  "Microsoft.Network/networkSecurityGroups/read", "network security groups", enrich_nsg);
    return finish(c, t);
}

/* ---- key vault ---- */

static void enrich_vault(azure_ctx *c, az_task *t, cJSON *body)
{
    (void)c;
    (void)t;
    cJSON *p = cJSON_GetObjectItem(body, "properties");
    /* ARM omits enablePurgeProtection until it is on: collected as null (docs/resources/azure.md) */
    if (cJSON_IsObject(p) && !cJSON_GetObjectItem(p, "enablePurgeProtection"))
        cJSON_AddNullToObject(p, "enablePurgeProtection");
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
    (void)c;
    (void)t;
    /* docs/resources/azure.md: identity and securityProfile are null when ARM leaves them out */
    if (!cJSON_GetObjectItem(body, "identity"))
        cJSON_AddNullToObject(body, "identity");
    cJSON *p = cJSON_GetObjectItem(body, "properties");
    if (cJSON_IsObject(p) && !cJSON_GetObjectItem(p, "securityProfile"))
        cJSON_AddNullToObject(p, "securityProfile");
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

static void enrich_site(azure_ctx *c, az_task *t, cJSON *body)
{
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(body, "id"));
    if (id) /* the list leaves siteConfig mostly empty: minTlsVersion, ftpsState... come from config/web */
        add_child(c, t, body, id, "/config/web", API_WEB, "config", 0, 0, "Microsoft.Web/sites/config/read",
                  "App Service configuration");
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

/* ---- subscription-level governance: role assignments, Defender plans, activity log alerts, diagnostics ---- */

int collect_arm_governance(azure_ctx *c, az_task *t)
{
    if (list_and_emit(c, t, "/providers/Microsoft.Authorization/roleAssignments", API_AUTHORIZATION,
                      "azure.authorization.role_assignment", "Microsoft.Authorization/roleAssignments/read",
                      "role assignments", NULL) != 0)
        return finish(c, t);
    if (list_and_emit(c, t, "/providers/Microsoft.Security/pricings", API_SECURITY, "azure.security.pricing",
                      "Microsoft.Security/pricings/read", "Defender plans", NULL) != 0)
        return finish(c, t);
    if (list_and_emit(c, t, "/providers/Microsoft.Insights/activityLogAlerts", API_ALERTS,
                      "azure.monitor.activity_log_alert", "Microsoft.Insights/activityLogAlerts/read",
                      "activity log alerts", NULL) != 0)
        return finish(c, t);
    list_and_emit(c, t, "/providers/Microsoft.Insights/diagnosticSettings", API_DIAGNOSTICS,
                  "azure.monitor.diagnostic_setting", "Microsoft.Insights/diagnosticSettings/read",
                  "subscription diagnostic settings", NULL);
    return finish(c, t);
}
