/*
 * plugins/iac/k8s.c - Kubernetes manifests into k8s.* resources.
 *
 * One YAML stream may hold many documents, and a document of kind "List"
 * (or any "...List") holds objects in `items`. Pods, Deployments,
 * Services, RoleBindings and ClusterRoleBindings keep their own type
 * (docs/resources/kubernetes.md). The other workloads (StatefulSet,
 * DaemonSet, ReplicaSet, Job, CronJob) are normalised to the pod they
 * create: a k8s.pod whose spec is the workload's pod template and whose
 * metadata.ownerReferences names the workload, so the pod rules judge
 * them. As the live collector does, metadata.annotations, status and
 * containers' env/envFrom are dropped (they may hold secrets).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include "iac.h"

#define K8S_MAX_LIST_ITEMS 100000

int k8s_is_manifest(const yd_node *root)
{
    const yd_node *v = yd_get(root, "apiVersion"), *k = yd_get(root, "kind");
    return v && k && v->kind == YD_SCALAR && k->kind == YD_SCALAR;
}

/* Remove env/envFrom of every container list in a pod spec. */
static void scrub_pod_spec(cJSON *spec)
{
    static const char *const lists[] = {"containers", "initContainers", "ephemeralContainers"};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        cJSON *cs = cJSON_GetObjectItemCaseSensitive(spec, lists[i]), *c;
        cJSON_ArrayForEach(c, cs)
        {
            cJSON_DeleteItemFromObjectCaseSensitive(c, "env");
            cJSON_DeleteItemFromObjectCaseSensitive(c, "envFrom");
        }
    }
}

static void scrub_metadata(cJSON *obj)
{
    cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    cJSON_DeleteItemFromObjectCaseSensitive(md, "annotations");
    cJSON_DeleteItemFromObjectCaseSensitive(md, "managedFields");
}

static const char *str_at(const cJSON *o, const char *a, const char *b)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b)
        x = cJSON_GetObjectItemCaseSensitive(x, b);
    return cJSON_IsString(x) ? x->valuestring : NULL;
}

/* The pod template of a workload kind, or NULL (not a workload). */
static cJSON *pod_template(cJSON *obj, const char *kind)
{
    cJSON *spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
    if (!strcmp(kind, "CronJob")) {
        spec = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(spec, "jobTemplate"), "spec");
    } else if (strcmp(kind, "StatefulSet") && strcmp(kind, "DaemonSet") && strcmp(kind, "ReplicaSet") &&
               strcmp(kind, "Job") && strcmp(kind, "ReplicationController")) {
        return NULL;
    }
    cJSON *t = cJSON_GetObjectItemCaseSensitive(spec, "template");
    return cJSON_IsObject(t) ? t : NULL;
}

/* Emit one object @n (an item of a List, or a whole document). */
static int scan_object(iac_file *f, const yd_node *n, size_t doc_index, size_t item_index, int in_list)
{
    cJSON *obj = yd_to_json(n);
    if (!obj) {
        snprintf(f->err, sizeof f->err, "%s: out of memory", f->path);
        return PP_ERR_NOMEM;
    }
    const char *kind = str_at(obj, "kind", NULL);
    const char *name = str_at(obj, "metadata", "name");
    const char *ns = str_at(obj, "metadata", "namespace");
    iac_span span = {n->line, n->col, n->end_line, n};
    char loc[600];
    if (in_list)
        snprintf(loc, sizeof loc, "doc%zu/items%zu/%s/%s/%s", doc_index + 1, item_index + 1, kind ? kind : "?",
                 ns ? ns : "-", name ? name : "-");
    else
        snprintf(loc, sizeof loc, "doc%zu/%s/%s/%s", doc_index + 1, kind ? kind : "?", ns ? ns : "-",
                 name ? name : "-");
    const char *type = NULL;
    if (!kind) {
        cJSON_Delete(obj);
        return PP_OK;
    }
    if (!strcmp(kind, "Pod"))
        type = "k8s.pod";
    else if (!strcmp(kind, "Deployment"))
        type = "k8s.deployment";
    else if (!strcmp(kind, "Service"))
        type = "k8s.service";
    else if (!strcmp(kind, "RoleBinding"))
        type = "k8s.rolebinding";
    else if (!strcmp(kind, "ClusterRoleBinding"))
        type = "k8s.clusterrolebinding";
    else if (!strcmp(kind, "Role"))
        type = "k8s.role";
    else if (!strcmp(kind, "ClusterRole"))
        type = "k8s.clusterrole";
    else if (!strcmp(kind, "NetworkPolicy"))
        type = "k8s.networkpolicy";
    else if (!strcmp(kind, "Namespace"))
        type = "k8s.namespace";
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "status");
    scrub_metadata(obj);
    cJSON *tags = cJSON_Duplicate(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "labels"), 1);
    if (tags && !cJSON_IsObject(tags)) {
        cJSON_Delete(tags);
        tags = NULL;
    }
    if (type) {
        cJSON *spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
        scrub_pod_spec(!strcmp(kind, "Pod") ? spec
                                            : cJSON_GetObjectItemCaseSensitive(
                                                  cJSON_GetObjectItemCaseSensitive(spec, "template"), "spec"));
        return iac_emit(f, type, loc, name, obj, tags, &span);
    }
    cJSON *tmpl = pod_template(obj, kind);
    if (!tmpl) {
        cJSON_Delete(tags);
        cJSON_Delete(obj);
        return PP_OK;
    }
    /* The pod the workload would create. */
    cJSON *pod = cJSON_CreateObject(), *md = cJSON_CreateObject(), *owners = cJSON_CreateArray(),
          *owner = cJSON_CreateObject();
    cJSON *tmd = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(tmpl, "metadata"), 1);
    cJSON *spec = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(tmpl, "spec"), 1);
    int ok = pod && md && owners && owner && cJSON_AddStringToObject(pod, "apiVersion", "v1") &&
             cJSON_AddStringToObject(pod, "kind", "Pod") && cJSON_AddItemToObject(pod, "metadata", md);
    if (!ok) {
        cJSON_Delete(md);
        md = NULL;
    }
    if (ok && name)
        ok = cJSON_AddStringToObject(md, "name", name) != NULL;
    if (ok && ns)
        ok = cJSON_AddStringToObject(md, "namespace", ns) != NULL;
    cJSON *labels = tmd ? cJSON_DetachItemFromObjectCaseSensitive(tmd, "labels") : NULL;
    if (ok && labels)
        ok = cJSON_AddItemToObject(md, "labels", labels);
    else
        cJSON_Delete(labels);
    ok = ok && cJSON_AddStringToObject(owner, "kind", kind) &&
         cJSON_AddStringToObject(owner, "name", name ? name : "") && cJSON_AddBoolToObject(owner, "controller", 1) &&
         cJSON_AddItemToArray(owners, owner);
    if (!ok)
        cJSON_Delete(owner);
    owner = NULL;
    ok = ok && cJSON_AddItemToObject(md, "ownerReferences", owners);
    if (!ok)
        cJSON_Delete(owners);
    if (ok && spec) {
        scrub_pod_spec(spec);
        ok = cJSON_AddItemToObject(pod, "spec", spec);
        if (ok)
            spec = NULL;
    }
    cJSON_Delete(spec);
    cJSON_Delete(tmd);
    if (!ok) {
        cJSON_Delete(obj);
        cJSON_Delete(pod);
        cJSON_Delete(tags);
        snprintf(f->err, sizeof f->err, "%s: out of memory", f->path);
        return PP_ERR_NOMEM;
    }
    /* the pod's keys are written in the workload's template */
    const yd_node *yspec = yd_get(n, "spec");
    if (!strcmp(kind, "CronJob"))
        yspec = yd_get(yd_get(yspec, "jobTemplate"), "spec");
    span.src = yd_get(yspec, "template");
    int rc = iac_emit(f, "k8s.pod", loc, name, pod, tags, &span); /* name lives in obj */
    cJSON_Delete(obj);
    return rc;
}

int k8s_scan(iac_file *f, const yd_node *root, size_t doc_index)
{
    const yd_node *kind = yd_get(root, "kind");
    size_t kl = kind->len;
    if (kl >= 4 && !strcmp(kind->value + kl - 4, "List")) {
        const yd_node *items = yd_get(root, "items");
        if (!items || items->kind != YD_SEQ)
            return PP_OK;
        for (size_t i = 0; i < items->n && i < K8S_MAX_LIST_ITEMS; i++) {
            const yd_node *it = items->items[i];
            if (it->kind != YD_MAP || !k8s_is_manifest(it))
                continue;
            int rc = scan_object(f, it, doc_index, i, 1);
            if (rc != PP_OK)
                return rc;
        }
        return PP_OK;
    }
    return scan_object(f, root, doc_index, 0, 0);
}
