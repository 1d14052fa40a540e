/*
 * plugins/kubernetes/kube_collect.c - list one kind cluster-wide and emit
 * its resources; a kind the identity may not list becomes an error
 * finding naming the verb and resource ("list pods"), and the scan goes
 * on. Contracts in kube.h.
 *
 * Records: uid k8s://CLUSTER/GROUP/RESOURCE/NAMESPACE/NAME (no NAMESPACE
 * for cluster-scoped kinds), account = cluster name, region = context name
 * (in-cluster: the API server host), tags = labels, source "api".
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube.h"

typedef struct collect_state {
    const kube_kind *kd;
    unsigned long emitted, skipped;
    int failed; /* an emit failed (out of memory) */
} collect_state;

static cJSON *labels_as_tags(const cJSON *data)
{
    const cJSON *labels =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(data, "metadata"), "labels");
    if (!cJSON_IsObject(labels))
        return NULL;
    cJSON *t = cJSON_CreateObject(), *l;
    cJSON_ArrayForEach(l, labels)
    {
        if (t && cJSON_IsString(l) && l->string)
            cJSON_AddStringToObject(t, l->string, l->valuestring);
    }
    return t;
}

static int emit_item(kube_ctx *c, kube_conn *k, cJSON *item, void *ud)
{
    collect_state *s = ud;
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(item, "metadata");
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "name"));
    const char *ns = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "namespace"));
    if (!name || !*name || strlen(name) > 253 || (s->kd->namespaced && (!ns || !*ns || strlen(ns) > 63))) {
        s->skipped++;
        return c->api->cancelled(c->h);
    }
    const char *type = NULL;
    cJSON *data = NULL;
    int n = kube_normalise(s->kd, item, &type, &data);
    if (n < 0) {
        s->failed = 1;
        return 1;
    }
    if (n == 0) {
        s->skipped++;
        return c->api->cancelled(c->h);
    }
    char uid[1024];
    if (s->kd->namespaced)
        snprintf(uid, sizeof uid, "k8s://%s/%s/%s/%s/%s", k->cluster, s->kd->group, s->kd->resource, ns, name);
    else
        snprintf(uid, sizeof uid, "k8s://%s/%s/%s/%s", k->cluster, s->kd->group, s->kd->resource, name);
    cJSON *tags = labels_as_tags(data);
    char *dj = cJSON_PrintUnformatted(data), *tj = tags ? cJSON_PrintUnformatted(tags) : NULL;
    cJSON_Delete(data);
    cJSON_Delete(tags);
    int rc = PP_ERR_NOMEM;
    if (dj) {
        pp_resource r;
        PP_INIT(&r);
        r.uid = uid;
        r.type = type;
        r.provider = "k8s";
        r.account = k->cluster;
        r.region = k->region;
        r.name = name;
        r.tags_json = tj;
        r.data_json = dj;
        r.source = "api";
        rc = c->api->emit_resource(c->h, &r);
    }
    free(dj);
    free(tj);
    if (rc == PP_ERR_NOMEM) {
        s->failed = 1;
        return 1;
    }
    if (rc == PP_OK)
        s->emitted++;
    return rc == PP_ERR_CANCELLED || c->api->cancelled(c->h);
}

static void emit_denied(kube_ctx *c, kube_conn *k, const kube_kind *kd, const char *why)
{
    char verb[160], uid[600], msg[2600], rbac[300];
    snprintf(verb, sizeof verb, "list %s", kd->resource);
    snprintf(uid, sizeof uid, "k8s://%s", k->cluster);
    snprintf(rbac, sizeof rbac, "apiGroups [\"%s\"], resources [\"%s\"], verbs [\"get\", \"list\"]",
             strcmp(kd->group, "core") ? kd->group : "", kd->resource);
    snprintf(msg, sizeof msg,
             "%s was denied while collecting cluster %.300s (%.1200s): this part of the inventory stays unknown. "
             "Grant %s "
             "to the scanning identity (docs/kubernetes.md has a ClusterRole).",
             verb, k->cluster, why, rbac);
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddStringToObject(ev, "verb", "list");
    cJSON_AddStringToObject(ev, "resource", kd->resource);
    cJSON_AddStringToObject(ev, "apiGroup", strcmp(kd->group, "core") ? kd->group : "");
    cJSON_AddStringToObject(ev, "context", k->context);
    char *evj = cJSON_PrintUnformatted(ev);
    cJSON_Delete(ev);
    pp_finding f;
    PP_INIT(&f);
    f.rule_id = "k8s-collection-access-denied";
    f.resource_uid = uid;
    f.resource_type = "k8s.cluster";
    f.status = PP_STATUS_ERROR;
    f.severity = PP_SEV_MEDIUM;
    f.title = "Kubernetes API call denied during collection";
    f.message = msg;
    f.evidence_json = evj ? evj : "{}";
    f.remediation = "Bind the scanning identity to a ClusterRole with get and list on every resource parapet "
                    "reads (docs/kubernetes.md, \"RBAC\").";
    f.provider = "k8s";
    f.account = k->cluster;
    f.region = k->region;
    c->api->emit_finding(c->h, &f);
    free(evj);
    kube_log(c, PP_LOG_WARN, "%s: %s denied on cluster %s", k->context, verb, k->cluster);
}

int kube_collect_kind(kube_ctx *c, kube_conn *k, const kube_kind *kd)
{
    char path[200], err[KUBE_ERR_LEN] = "";
    if (!strcmp(kd->group, "core"))
        snprintf(path, sizeof path, "/api/%s/%s", kd->api_version, kd->resource);
    else
        snprintf(path, sizeof path, "/apis/%s/%s", kd->api_version, kd->resource);
    collect_state s = {kd, 0, 0, 0};
    int rc = kube_list(c, k, path, kd->sensitive, emit_item, &s, err, sizeof err);
    if (rc == KUBE_E_DENIED && kd->namespaced && k->namespace_ && !s.failed) {
        /* a namespaced Role may allow what a cluster-wide list does not */
        char nspath[300], nserr[KUBE_ERR_LEN] = "";
        if (!strcmp(kd->group, "core"))
            snprintf(nspath, sizeof nspath, "/api/%s/namespaces/%s/%s", kd->api_version, k->namespace_, kd->resource);
        else
            snprintf(nspath, sizeof nspath, "/apis/%s/namespaces/%s/%s", kd->api_version, k->namespace_, kd->resource);
        int nrc = kube_list(c, k, nspath, kd->sensitive, emit_item, &s, nserr, sizeof nserr);
        if (nrc == KUBE_OK) {
            kube_log(c, PP_LOG_WARN, "%s: listing %s cluster-wide is forbidden; only namespace %s was listed",
                     k->context, kd->resource, k->namespace_);
            rc = KUBE_OK;
        } else if (nrc != KUBE_E_DENIED) {
            rc = nrc;
            snprintf(err, sizeof err, "%s", nserr);
        }
    }
    if (s.failed) {
        kube_set_error("%s: %s: out of memory", k->context, path);
        return PP_ERR_NOMEM;
    }
    switch (rc) {
    case KUBE_OK:
        kube_log(c, PP_LOG_DEBUG, "%s: %lu %s (%lu skipped)", k->context, s.emitted, kd->resource, s.skipped);
        return c->api->cancelled(c->h) ? PP_ERR_CANCELLED : PP_OK;
    case KUBE_E_DENIED:
        emit_denied(c, k, kd, err);
        return PP_OK;
    case KUBE_E_NOTFOUND:
        kube_log(c, PP_LOG_INFO, "%s: %s is not served by this cluster; skipped", k->context, path);
        return PP_OK;
    case KUBE_E_CANCELLED:
        return PP_ERR_CANCELLED;
    default:
        kube_set_error("%s: %s", k->context, err);
        kube_log(c, PP_LOG_ERROR, "%s: %s", k->context, err);
        return PP_ERR;
    }
}
