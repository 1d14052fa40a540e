/*
 * collect_gcp.c - the gcp collectors: Cloud Storage buckets with their IAM
 * policies, Compute Engine firewall rules. Shapes: docs/resources/gcp.md
 * (the REST resource as the API returns it). A denied call becomes an
 * error finding "gcp-collection-access-denied" naming the IAM permission.
 */
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcp_ctx.h"

static int emit(gcp_ctx *c, const gcp_task *t, const char *type, const char *uid, const char *name, const char *region,
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
    r.region = region;
    r.name = name;
    r.tags_json = tj;
    r.data_json = dj;
    r.source = "api";
    int rc = dj ? c->api->emit_resource(c->h, &r) : PP_ERR_NOMEM;
    free(dj);
    free(tj);
    return rc;
}

static void emit_denied(gcp_ctx *c, gcp_task *t, const char *permission, const char *what, const char *uid,
                        const char *code)
{
    t->denied++;
    char msg[700], scope[300];
    snprintf(msg, sizeof msg,
             "%s was denied (%s) while collecting %s in project %s: grant %s (for example roles/viewer and "
             "roles/iam.securityReviewer) to the scanning identity, or this part of the inventory stays unknown",
             permission, code && *code ? code : "PERMISSION_DENIED", what, t->project, permission);
    if (!uid) {
        snprintf(scope, sizeof scope, "//cloudresourcemanager.googleapis.com/projects/%s", t->project);
        uid = scope;
    }
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddStringToObject(ev, "permission", permission);
    cJSON_AddStringToObject(ev, "errorCode", code && *code ? code : "PERMISSION_DENIED");
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
    gcp_log(c, PP_LOG_WARN, "%s denied in %s (%s)", permission, t->id, code && *code ? code : "PERMISSION_DENIED");
}

static int outcome(gcp_ctx *c, gcp_task *t, int rc, const char *permission, const char *what, const char *uid,
                   const char *code, const char *err)
{
    switch (rc) {
    case GCP_OK:
    case GCP_E_NOTFOUND:
        return 0;
    case GCP_E_DENIED:
        emit_denied(c, t, permission, what, uid, code);
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

static int finish(gcp_ctx *c, gcp_task *t)
{
    if (gcp_cancelled(c))
        return PP_ERR_CANCELLED;
    return t->errors ? PP_ERR : PP_OK;
}

static void null_if_absent(cJSON *o, const char *key)
{
    if (!cJSON_GetObjectItem(o, key))
        cJSON_AddNullToObject(o, key);
}

static int valid_name(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    return n > 0 && n <= max && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == n;
}

typedef struct list_ctx {
    gcp_task *t;
    unsigned long n;
} list_ctx;

static int emit_bucket(gcp_ctx *c, const cJSON *item, void *ud)
{
    list_ctx *l = ud;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    if (!valid_name(name, 222)) {
        gcp_log(c, PP_LOG_WARN, "%s: a bucket without a valid name was skipped", l->t->id);
        return gcp_cancelled(c);
    }
    cJSON *b = cJSON_Duplicate(item, 1);
    if (!b)
        return 0;
    cJSON_DeleteItemFromObject(b, "kind");
    null_if_absent(b, "logging");
    null_if_absent(b, "encryption");
    null_if_absent(b, "retentionPolicy");
    char base[300], url[900], uid[400], code[120] = "", err[GCP_ERR_LEN] = "";
    gcp_service_url(c, "storage", base, sizeof base);
    snprintf(url, sizeof url, "%s/storage/v1/b/%s/iam", base, name);
    snprintf(uid, sizeof uid, "//storage.googleapis.com/projects/_/buckets/%s", name);
    cJSON *pol = NULL;
    int rc = gcp_get_json(c, url, &pol, code, sizeof code, err, sizeof err);
    if (rc == GCP_OK) {
        cJSON_DeleteItemFromObject(pol, "kind");
        cJSON_DeleteItemFromObject(pol, "resourceId");
        cJSON_DeleteItemFromObject(pol, "etag");
        cJSON_AddItemToObject(b, "iamPolicy", pol);
    } else {
        outcome(c, l->t, rc, "storage.buckets.getIamPolicy", "a bucket IAM policy", uid, code, err);
    }
    char region[80] = "";
    const char *loc = cJSON_GetStringValue(cJSON_GetObjectItem(b, "location"));
    for (size_t i = 0; loc && loc[i] && i + 1 < sizeof region; i++) {
        region[i] = (char)tolower((unsigned char)loc[i]);
        region[i + 1] = '\0';
    }
    emit(c, l->t, "gcp.storage.bucket", uid, name, *region ? region : NULL, b);
    l->n++;
    c->api->progress(c->h, l->n, 0, "buckets");
    return gcp_cancelled(c);
}

int collect_storage(gcp_ctx *c, gcp_task *t)
{
    char base[300], url[700], code[120] = "", err[GCP_ERR_LEN] = "";
    gcp_service_url(c, "storage", base, sizeof base);
    snprintf(url, sizeof url, "%s/storage/v1/b?project=%s&maxResults=%u", base, t->project, c->page_size);
    list_ctx l = {t, 0};
    int rc = gcp_list(c, url, "items", emit_bucket, &l, code, sizeof code, err, sizeof err);
    outcome(c, t, rc, "storage.buckets.list", "Cloud Storage buckets", NULL, code, err);
    gcp_log(c, PP_LOG_INFO, "%s: %lu bucket(s)", t->id, l.n);
    return finish(c, t);
}

static int emit_firewall(gcp_ctx *c, const cJSON *item, void *ud)
{
    list_ctx *l = ud;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    if (!valid_name(name, 63)) {
        gcp_log(c, PP_LOG_WARN, "%s: a firewall rule without a valid name was skipped", l->t->id);
        return gcp_cancelled(c);
    }
    cJSON *f = cJSON_Duplicate(item, 1);
    if (!f)
        return 0;
    cJSON_DeleteItemFromObject(f, "kind");
    if (!cJSON_GetObjectItem(f, "targetTags"))
        cJSON_AddArrayToObject(f, "targetTags"); /* none = every instance of the network */
    char uid[300];
    snprintf(uid, sizeof uid, "//compute.googleapis.com/projects/%s/global/firewalls/%s", l->t->project, name);
    emit(c, l->t, "gcp.compute.firewall", uid, name, NULL, f);
    l->n++;
    return gcp_cancelled(c);
}

int collect_compute(gcp_ctx *c, gcp_task *t)
{
    char base[300], url[700], code[120] = "", err[GCP_ERR_LEN] = "";
    gcp_service_url(c, "compute", base, sizeof base);
    snprintf(url, sizeof url, "%s/compute/v1/projects/%s/global/firewalls?maxResults=%u", base, t->project,
             c->page_size > 500 ? 500 : c->page_size);
    list_ctx l = {t, 0};
    int rc = gcp_list(c, url, "items", emit_firewall, &l, code, sizeof code, err, sizeof err);
    if (outcome(c, t, rc, "compute.firewalls.list", "Compute Engine firewall rules", NULL, code, err) != 0)
        return finish(c, t);
    gcp_log(c, PP_LOG_INFO, "%s: %lu firewall rule(s)", t->id, l.n);
    return collect_instances(c, t);
}

/* ---- IAM: user-managed service-account keys ---- */

typedef struct sa_ctx {
    gcp_task *t;
    unsigned long n;
} sa_ctx;

static int emit_key(gcp_ctx *c, const cJSON *item, void *ud)
{
    sa_ctx *s = ud;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    /* projects/P/serviceAccounts/EMAIL/keys/ID */
    const char *sa = name ? strstr(name, "/serviceAccounts/") : NULL;
    const char *kid = name ? strstr(name, "/keys/") : NULL;
    if (!sa || !kid || kid < sa || strlen(name) > 400) {
        gcp_log(c, PP_LOG_WARN, "%s: a key without a valid name was skipped", s->t->id);
        return gcp_cancelled(c);
    }
    cJSON *k = cJSON_Duplicate(item, 1);
    if (!k)
        return 0;
    /* never keep key material, even if an API version sent it */
    cJSON_DeleteItemFromObject(k, "privateKeyData");
    cJSON_DeleteItemFromObject(k, "privateKeyType");
    cJSON_DeleteItemFromObject(k, "publicKeyData");
    char uid[600], short_name[200];
    snprintf(uid, sizeof uid, "//iam.googleapis.com/%s", name);
    const char *email = sa + strlen("/serviceAccounts/");
    int elen = (int)(kid - email);
    const char *id = kid + strlen("/keys/");
    snprintf(short_name, sizeof short_name, "%.*s/%.8s", elen > 150 ? 150 : elen, email, id);
    emit(c, s->t, "gcp.iam.service_account_key", uid, short_name, NULL, k);
    s->n++;
    return gcp_cancelled(c);
}

static int list_keys(gcp_ctx *c, const cJSON *item, void *ud)
{
    sa_ctx *s = ud;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    if (!name || strncmp(name, "projects/", 9) != 0 || strlen(name) > 300 || strpbrk(name, "?#% "))
        return gcp_cancelled(c);
    char base[300], url[900], code[120] = "", err[GCP_ERR_LEN] = "", uid[400];
    gcp_service_url(c, "iam", base, sizeof base);
    snprintf(url, sizeof url, "%s/v1/%s/keys?keyTypes=USER_MANAGED", base, name);
    snprintf(uid, sizeof uid, "//iam.googleapis.com/%s", name);
    cJSON *r = NULL;
    int rc = gcp_get_json(c, url, &r, code, sizeof code, err, sizeof err);
    if (rc == GCP_OK) {
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(r, "keys")) emit_key(c, it, s);
        cJSON_Delete(r);
    } else {
        outcome(c, s->t, rc, "iam.serviceAccountKeys.list", "service-account keys", uid, code, err);
    }
    return gcp_cancelled(c);
}

int collect_iam(gcp_ctx *c, gcp_task *t)
{
    char base[300], url[700], code[120] = "", err[GCP_ERR_LEN] = "";
    gcp_service_url(c, "iam", base, sizeof base);
    snprintf(url, sizeof url, "%s/v1/projects/%s/serviceAccounts?pageSize=%u", base, t->project,
             c->page_size > 100 ? 100 : c->page_size);
    sa_ctx s = {t, 0};
    int rc = gcp_list(c, url, "accounts", list_keys, &s, code, sizeof code, err, sizeof err);
    outcome(c, t, rc, "iam.serviceAccounts.list", "service accounts", NULL, code, err);
    gcp_log(c, PP_LOG_INFO, "%s: %lu user-managed key(s)", t->id, s.n);
    return finish(c, t);
}

/* ---- Compute Engine instances ---- */

/* Of metadata.items only these keys are kept: others (ssh-keys, startup-script, user data) may hold secrets. */
static void filter_metadata(cJSON *inst)
{
    static const char *keep[] = {"enable-oslogin", "block-project-ssh-keys", "serial-port-enable"};
    cJSON *md = cJSON_GetObjectItem(inst, "metadata");
    cJSON *items = cJSON_GetObjectItem(md, "items");
    cJSON *kept = cJSON_CreateArray();
    const cJSON *it;
    cJSON_ArrayForEach(it, items)
    {
        const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(it, "key"));
        for (size_t i = 0; k && i < sizeof keep / sizeof keep[0]; i++)
            if (strcmp(k, keep[i]) == 0)
                cJSON_AddItemToArray(kept, cJSON_Duplicate(it, 1));
    }
    cJSON_DeleteItemFromObject(inst, "metadata");
    cJSON *nm = cJSON_AddObjectToObject(inst, "metadata");
    cJSON_AddItemToObject(nm, "items", kept);
}

static void emit_instance(gcp_ctx *c, gcp_task *t, const cJSON *item, unsigned long *n)
{
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    const char *zurl = cJSON_GetStringValue(cJSON_GetObjectItem(item, "zone"));
    const char *zone = zurl ? strrchr(zurl, '/') : NULL;
    zone = zone ? zone + 1 : zurl;
    if (!valid_name(name, 63) || !valid_name(zone, 63)) {
        gcp_log(c, PP_LOG_WARN, "%s: an instance without a valid name or zone was skipped", t->id);
        return;
    }
    cJSON *i = cJSON_Duplicate(item, 1);
    if (!i)
        return;
    cJSON_DeleteItemFromObject(i, "kind");
    filter_metadata(i);
    cJSON_ReplaceItemInObject(i, "zone", cJSON_CreateString(zone));
    cJSON *disks = cJSON_GetObjectItem(i, "disks"), *d;
    cJSON_ArrayForEach(d, disks)
    {
        if (!cJSON_GetObjectItem(d, "diskEncryptionKey"))
            cJSON_AddNullToObject(d, "diskEncryptionKey"); /* Google-managed key */
    }
    char uid[300];
    snprintf(uid, sizeof uid, "//compute.googleapis.com/projects/%s/zones/%s/instances/%s", t->project, zone, name);
    emit(c, t, "gcp.compute.instance", uid, name, zone, i);
    (*n)++;
}

typedef struct inst_ctx {
    gcp_task *t;
    unsigned long n;
} inst_ctx;

/* One page of instances.aggregatedList: "items" is an object of scope -> {"instances": [...]}. */
static int aggregated_page(gcp_ctx *c, const cJSON *scope, void *ud)
{
    inst_ctx *x = ud;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(scope, "instances")) emit_instance(c, x->t, it, &x->n);
    return gcp_cancelled(c);
}

int collect_instances(gcp_ctx *c, gcp_task *t)
{
    char base[300], url[700], code[120] = "", err[GCP_ERR_LEN] = "";
    gcp_service_url(c, "compute", base, sizeof base);
    snprintf(url, sizeof url, "%s/compute/v1/projects/%s/aggregated/instances?maxResults=%u", base, t->project,
             c->page_size > 500 ? 500 : c->page_size);
    inst_ctx x = {t, 0};
    /* cJSON_ArrayForEach walks an object's members too: each member is one zone's scope */
    int rc = gcp_list(c, url, "items", aggregated_page, &x, code, sizeof code, err, sizeof err);
    outcome(c, t, rc, "compute.instances.list", "Compute Engine instances", NULL, code, err);
    gcp_log(c, PP_LOG_INFO, "%s: %lu instance(s)", t->id, x.n);
    return finish(c, t);
}
