/*
 * gcp_emit.c - what the gcp collectors share: emitting a resource,
 * turning a failed call into the right finding (denied: an error finding
 * naming the IAM permission; API not enabled: an info finding, not a
 * failure), and small helpers on names. See gcp_ctx.h.
 */
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcp_ctx.h"

int gcp_emit(gcp_ctx *c, const gcp_task *t, const char *type, const char *uid, const char *name, const char *region,
             cJSON *data)
{
    cJSON *labels = cJSON_GetObjectItem(data, "labels");
    char *tj = cJSON_IsObject(labels) ? cJSON_PrintUnformatted(labels) : NULL;
    char *dj = cJSON_PrintUnformatted(data);
    cJSON_Delete(data);
    pp_resource r;
    PP_INIT(&r);
    r.uid = uid;
    r.type = type;
    r.provider = "gcp";
    r.account = t->project;
    r.region = region && *region ? region : NULL;
    r.name = name;
    r.tags_json = tj;
    r.data_json = dj;
    r.source = "api";
    int rc = dj ? c->api->emit_resource(c->h, &r) : PP_ERR_NOMEM;
    free(dj);
    free(tj);
    return rc;
}

static void project_uid(const gcp_task *t, char *buf, size_t len)
{
    snprintf(buf, len, "//cloudresourcemanager.googleapis.com/projects/%s", t->project);
}

static void emit_denied(gcp_ctx *c, gcp_task *t, const char *permission, const char *what, const char *uid,
                        const char *code)
{
    t->denied++;
    char msg[700], scope[300];
    const char *ec = code && *code ? code : "PERMISSION_DENIED";
    snprintf(msg, sizeof msg,
             "%s was denied (%s) while collecting %s in project %s: grant %s (for example roles/viewer and "
             "roles/iam.securityReviewer) to the scanning identity, or this part of the inventory stays unknown",
             permission, ec, what, t->project, permission);
    if (!uid) {
        project_uid(t, scope, sizeof scope);
        uid = scope;
    }
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddStringToObject(ev, "permission", permission);
    cJSON_AddStringToObject(ev, "errorCode", ec);
    cJSON_AddStringToObject(ev, "collecting", what);
    char *evj = cJSON_PrintUnformatted(ev);
    cJSON_Delete(ev);
    pp_finding f;
    PP_INIT(&f);
    f.rule_id = "gcp-collection-access-denied";
    f.resource_uid = uid;
    f.status = PP_STATUS_ERROR;
    f.severity = PP_SEV_MEDIUM;
    f.title = "GCP API call denied during collection";
    f.message = msg;
    f.evidence_json = evj ? evj : "{}";
    f.remediation = "Grant roles/viewer and roles/iam.securityReviewer (or roles/cloudasset.viewer) to the scanning "
                    "identity on the project, folder or organization.";
    f.provider = "gcp";
    f.account = t->project;
    c->api->emit_finding(c->h, &f);
    free(evj);
    gcp_log(c, PP_LOG_WARN, "%s denied in %s (%s)", permission, t->id, ec);
}

/* The API is not enabled in the project: nothing of that service exists there. Said once per task. */
static void emit_disabled(gcp_ctx *c, gcp_task *t, const char *what, const char *code)
{
    if (t->disabled++)
        return;
    char msg[600], uid[300];
    project_uid(t, uid, sizeof uid);
    snprintf(msg, sizeof msg,
             "the API behind %s (service %s) is not enabled in project %s (%s): nothing of it was collected, and "
             "nothing of it can exist there",
             what, t->service, t->project, code && *code ? code : "SERVICE_DISABLED");
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddStringToObject(ev, "service", t->service);
    cJSON_AddStringToObject(ev, "errorCode", code && *code ? code : "SERVICE_DISABLED");
    cJSON_AddStringToObject(ev, "collecting", what);
    char *evj = cJSON_PrintUnformatted(ev);
    cJSON_Delete(ev);
    pp_finding f;
    PP_INIT(&f);
    f.rule_id = "gcp-collection-api-disabled";
    f.resource_uid = uid;
    f.status = PP_STATUS_PASS;
    f.severity = PP_SEV_INFO;
    f.title = "GCP API not enabled in the project";
    f.message = msg;
    f.evidence_json = evj ? evj : "{}";
    f.remediation = "Nothing to do unless the service should be in use; enabling the API makes it collectable.";
    f.provider = "gcp";
    f.account = t->project;
    c->api->emit_finding(c->h, &f);
    free(evj);
    gcp_log(c, PP_LOG_INFO, "%s: API not enabled (%s); %s skipped", t->id, code && *code ? code : "SERVICE_DISABLED",
            what);
}

int gcp_outcome(gcp_ctx *c, gcp_task *t, int rc, const char *permission, const char *what, const char *uid,
                const char *code, const char *err)
{
    switch (rc) {
    case GCP_OK:
    case GCP_E_NOTFOUND:
        return 0;
    case GCP_E_DENIED:
        emit_denied(c, t, permission, what, uid, code);
        return 0;
    case GCP_E_DISABLED:
        emit_disabled(c, t, what, code);
        return 0;
    case GCP_E_CANCELLED:
        return -1;
    default:
        t->errors++;
        gcp_set_error("%s: %s", t->id, err && *err ? err : "failed");
        gcp_log(c, PP_LOG_ERROR, "%s: %s", t->id, err && *err ? err : "failed");
        return 0;
    }
}

int gcp_finish(gcp_ctx *c, const gcp_task *t)
{
    if (gcp_cancelled(c))
        return PP_ERR_CANCELLED;
    return t->errors ? PP_ERR : PP_OK;
}

void gcp_null_if_absent(cJSON *o, const char *key)
{
    if (!cJSON_GetObjectItem(o, key))
        cJSON_AddNullToObject(o, key);
}

int gcp_valid_name(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    return n > 0 && n <= max && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == n;
}

const char *gcp_last_segment(const char *s)
{
    const char *p = s ? strrchr(s, '/') : NULL;
    return p ? p + 1 : s;
}

void gcp_lower(const char *s, char *buf, size_t len)
{
    size_t i = 0;
    for (; s && s[i] && i + 1 < len; i++)
        buf[i] = (char)tolower((unsigned char)s[i]);
    if (len)
        buf[i < len ? i : len - 1] = '\0';
}

void gcp_keep_metadata(cJSON *o, const char *key)
{
    static const char *keep[] = {"enable-oslogin", "block-project-ssh-keys", "serial-port-enable"};
    cJSON *md = cJSON_GetObjectItem(o, key);
    cJSON *items = cJSON_GetObjectItem(md, "items");
    cJSON *kept = cJSON_CreateArray();
    const cJSON *it;
    cJSON_ArrayForEach(it, items)
    {
        const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(it, "key"));
        const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(it, "value"));
        for (size_t i = 0; k && v && i < sizeof keep / sizeof keep[0]; i++)
            if (strcmp(k, keep[i]) == 0) {
                cJSON *e = cJSON_CreateObject();
                cJSON_AddStringToObject(e, "key", k);
                cJSON_AddStringToObject(e, "value", v);
                cJSON_AddItemToArray(kept, e);
            }
    }
    cJSON_DeleteItemFromObject(o, key);
    cJSON *nm = cJSON_AddObjectToObject(o, key);
    cJSON_AddItemToObject(nm, "items", kept);
}
