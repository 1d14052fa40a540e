/*
 * az_emit.c - see az_emit.h.
 */
#define _DEFAULT_SOURCE
#include "az_emit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int az_emit_resource(azure_ctx *c, const char *type, const char *uid, const char *name, const char *account,
                     const char *region, cJSON *data, cJSON *tags)
{
    char *dj = data ? cJSON_PrintUnformatted(data) : NULL;
    char *tj = tags ? cJSON_PrintUnformatted(tags) : NULL;
    cJSON_Delete(data);
    cJSON_Delete(tags);
    if (data && !dj) {
        free(tj);
        return PP_ERR_NOMEM;
    }
    pp_resource r;
    PP_INIT(&r);
    r.uid = uid;
    r.type = type;
    r.provider = "azure";
    r.account = account;
    r.region = region;
    r.name = name;
    r.tags_json = tj;
    r.data_json = dj;
    r.source = "api";
    int rc = c->api->emit_resource(c->h, &r);
    free(dj);
    free(tj);
    return rc;
}

int az_emit_arm(azure_ctx *c, const char *type, const char *subscription, cJSON *body)
{
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(body, "id"));
    if (!id || !*id) {
        az_log(c, PP_LOG_WARN, "an ARM %s without an id was skipped", type);
        cJSON_Delete(body);
        return PP_ERR_INVALID;
    }
    cJSON *idj = cJSON_DetachItemFromObject(body, "id");
    cJSON *name = cJSON_DetachItemFromObject(body, "name");
    cJSON *loc = cJSON_DetachItemFromObject(body, "location");
    cJSON *tags = cJSON_DetachItemFromObject(body, "tags");
    cJSON_DeleteItemFromObject(body, "type");
    if (tags && !cJSON_IsObject(tags)) {
        cJSON_Delete(tags);
        tags = NULL;
    }
    int rc = az_emit_resource(c, type, idj->valuestring, cJSON_GetStringValue(name), subscription,
                              cJSON_GetStringValue(loc), body, tags);
    cJSON_Delete(idj);
    cJSON_Delete(name);
    cJSON_Delete(loc);
    return rc;
}

void az_emit_denied(azure_ctx *c, az_task *t, const char *permission, const char *what, const char *uid,
                    const char *account, const char *code)
{
    t->denied++;
    char msg[800], scope[300];
    /* Reader covers the read actions, not actions such as listKeys */
    const char *role = strstr(permission, "/listkeys/") ? "the Reader and Data Access role" : "the Reader role";
    snprintf(msg, sizeof msg,
             "%s was denied (%s) while collecting %s in %s: grant %s (for example %s) to the scanning "
             "identity, or this part of the inventory stays unknown",
             permission, code && *code ? code : "AuthorizationFailed", what, account ? account : "?", permission, role);
    if (!uid) {
        snprintf(scope, sizeof scope, "/subscriptions/%s", account ? account : "");
        uid = scope;
    }
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddStringToObject(ev, "permission", permission);
    cJSON_AddStringToObject(ev, "errorCode", code && *code ? code : "AuthorizationFailed");
    cJSON_AddStringToObject(ev, "collecting", what);
    char *evj = cJSON_PrintUnformatted(ev);
    cJSON_Delete(ev);
    pp_finding f;
    PP_INIT(&f);
    f.rule_id = "azure-collection-access-denied";
    f.resource_uid = uid;
    f.status = PP_STATUS_ERROR;
    f.severity = PP_SEV_MEDIUM;
    f.title = "Azure API call denied during collection";
    f.message = msg;
    f.evidence_json = evj ? evj : "{}";
    f.remediation = strstr(permission, "/listkeys/")
                        ? "Assign a role with Microsoft.Storage/storageAccounts/listkeys/action (Reader and Data "
                          "Access) to the scanning identity, or turn the data plane off with "
                          "-o azure.storage_list_keys=false."
                        : "Assign the Reader role (and Storage Blob Data Reader for the data plane) to the scanning "
                          "identity at the subscription or management group.";
    f.provider = "azure";
    f.account = account;
    c->api->emit_finding(c->h, &f);
    free(evj);
    az_log(c, PP_LOG_WARN, "%s denied in %s (%s)", permission, t->id, code && *code ? code : "AuthorizationFailed");
}
