/*
 * plugins/kubernetes/kube_normalise.c - API objects into the k8s.* shapes
 * of docs/resources/kubernetes.md, the same shapes plugins/iac/k8s.c
 * makes of manifests, so one rule judges a manifest and a live cluster.
 * Contracts in kube.h.
 *
 * plugins/iac/k8s.c cannot be compiled in here: it works on the iac
 * plugin's YAML node tree and emits through iac_emit with manifest uids.
 * This file applies the same rules to cJSON, and
 * tests/integration/k8s_live.sh checks that both give equal data for the
 * same objects (server-set members aside):
 *
 *  - Pod, Deployment, Service, RoleBinding, ClusterRoleBinding keep their
 *    own type; metadata.annotations, metadata.managedFields and the
 *    containers' env/envFrom are dropped (they may hold secrets). The live
 *    object keeps status (docs/resources documents status.phase...).
 *  - StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job,
 *    CronJob become the k8s.pod they create: apiVersion v1, kind Pod,
 *    metadata {name, namespace, labels of the template, ownerReferences
 *    [{kind, name, controller: true, uid}]}, spec = the template's spec.
 *    A ReplicaSet or Job that a controller owns (a Deployment's ReplicaSet,
 *    a CronJob's Job) is not emitted: its owner is judged already, and a
 *    Deployment keeps ten old ReplicaSets by default.
 *  - The other kinds keep the object without annotations and
 *    managedFields; a Secret keeps only apiVersion, kind, metadata and
 *    type, a ConfigMap only apiVersion, kind and metadata (never values).
 */
#include <string.h>

#include "kube.h"

const kube_kind kube_kinds[] = {
    {"pods", "core", "v1", "Pod", 1, 0},
    {"services", "core", "v1", "Service", 1, 0},
    {"namespaces", "core", "v1", "Namespace", 0, 0},
    {"serviceaccounts", "core", "v1", "ServiceAccount", 1, 0},
    {"configmaps", "core", "v1", "ConfigMap", 1, 1},
    {"secrets", "core", "v1", "Secret", 1, 1},
    {"replicationcontrollers", "core", "v1", "ReplicationController", 1, 0},
    {"deployments", "apps", "apps/v1", "Deployment", 1, 0},
    {"statefulsets", "apps", "apps/v1", "StatefulSet", 1, 0},
    {"daemonsets", "apps", "apps/v1", "DaemonSet", 1, 0},
    {"replicasets", "apps", "apps/v1", "ReplicaSet", 1, 0},
    {"jobs", "batch", "batch/v1", "Job", 1, 0},
    {"cronjobs", "batch", "batch/v1", "CronJob", 1, 0},
    {"roles", "rbac.authorization.k8s.io", "rbac.authorization.k8s.io/v1", "Role", 1, 0},
    {"clusterroles", "rbac.authorization.k8s.io", "rbac.authorization.k8s.io/v1", "ClusterRole", 0, 0},
    {"rolebindings", "rbac.authorization.k8s.io", "rbac.authorization.k8s.io/v1", "RoleBinding", 1, 0},
    {"clusterrolebindings", "rbac.authorization.k8s.io", "rbac.authorization.k8s.io/v1", "ClusterRoleBinding", 0,
     0},
    {"networkpolicies", "networking.k8s.io", "networking.k8s.io/v1", "NetworkPolicy", 1, 0},
    {"ingresses", "networking.k8s.io", "networking.k8s.io/v1", "Ingress", 1, 0},
    {"poddisruptionbudgets", "policy", "policy/v1", "PodDisruptionBudget", 1, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};

/* Types of the kinds kept as they are (the workloads become k8s.pod). */
static const struct {
    const char *kind, *type;
} own_types[] = {
    {"Pod", "k8s.pod"},
    {"Deployment", "k8s.deployment"},
    {"Service", "k8s.service"},
    {"RoleBinding", "k8s.rolebinding"},
    {"ClusterRoleBinding", "k8s.clusterrolebinding"},
    {"Namespace", "k8s.namespace"},
    {"ServiceAccount", "k8s.serviceaccount"},
    {"ConfigMap", "k8s.configmap"},
    {"Secret", "k8s.secret"},
    {"Role", "k8s.role"},
    {"ClusterRole", "k8s.clusterrole"},
    {"NetworkPolicy", "k8s.networkpolicy"},
    {"Ingress", "k8s.ingress"},
    {"PodDisruptionBudget", "k8s.poddisruptionbudget"},
};

static cJSON *obj_get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static void scrub_pod_spec(cJSON *spec)
{
    static const char *const lists[] = {"containers", "initContainers", "ephemeralContainers"};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        cJSON *c;
        cJSON_ArrayForEach(c, obj_get(spec, lists[i]))
        {
            cJSON_DeleteItemFromObjectCaseSensitive(c, "env");
            cJSON_DeleteItemFromObjectCaseSensitive(c, "envFrom");
        }
    }
}

static void scrub_metadata(cJSON *obj)
{
    cJSON *md = obj_get(obj, "metadata");
    cJSON_DeleteItemFromObjectCaseSensitive(md, "annotations");
    cJSON_DeleteItemFromObjectCaseSensitive(md, "managedFields");
}

/* A new object: apiVersion and kind first, as a manifest has them (list
 * items lack both), then the members of @o, which is consumed. NULL when
 * out of memory (@o is freed then too). */
static cJSON *with_type_members(cJSON *o, const kube_kind *kd)
{
    cJSON *n = cJSON_CreateObject();
    if (!n || !cJSON_AddStringToObject(n, "apiVersion", kd->api_version) ||
        !cJSON_AddStringToObject(n, "kind", kd->kind)) {
        cJSON_Delete(n);
        cJSON_Delete(o);
        return NULL;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(o, "apiVersion");
    cJSON_DeleteItemFromObjectCaseSensitive(o, "kind");
    while (o->child) {
        cJSON *m = cJSON_DetachItemViaPointer(o, o->child);
        cJSON_AddItemToArray(n, m); /* keeps m->string: an object member */
    }
    cJSON_Delete(o);
    return n;
}

/* The pod template of a workload (CronJob: spec.jobTemplate.spec.template), or NULL. */
static const cJSON *pod_template(const cJSON *obj, const char *kind)
{
    const cJSON *spec = obj_get(obj, "spec");
    if (!strcmp(kind, "CronJob"))
        spec = obj_get(obj_get(spec, "jobTemplate"), "spec");
    const cJSON *t = obj_get(spec, "template");
    return cJSON_IsObject(t) ? t : NULL;
}

static int owned_by_controller(const cJSON *item)
{
    const cJSON *o;
    cJSON_ArrayForEach(o, obj_get(obj_get(item, "metadata"), "ownerReferences"))
    {
        if (cJSON_IsTrue(obj_get(o, "controller")))
            return 1;
    }
    return 0;
}

/* The k8s.pod a workload creates. NULL when out of memory. */
static cJSON *workload_pod(const kube_kind *kd, const cJSON *item, const cJSON *tmpl)
{
    const cJSON *md = obj_get(item, "metadata");
    const char *name = cJSON_GetStringValue(obj_get(md, "name"));
    const char *ns = cJSON_GetStringValue(obj_get(md, "namespace"));
    const char *uid = cJSON_GetStringValue(obj_get(md, "uid"));
    cJSON *pod = cJSON_CreateObject(), *pmd = cJSON_CreateObject(), *owners = cJSON_CreateArray(),
          *owner = cJSON_CreateObject();
    int ok = pod && pmd && owners && owner && cJSON_AddStringToObject(pod, "apiVersion", "v1") &&
             cJSON_AddStringToObject(pod, "kind", "Pod") && cJSON_AddItemToObject(pod, "metadata", pmd);
    if (!ok) {
        cJSON_Delete(pmd);
        cJSON_Delete(owners);
        cJSON_Delete(owner);
        cJSON_Delete(pod);
        return NULL;
    }
    if (name)
        ok = cJSON_AddStringToObject(pmd, "name", name) != NULL;
    if (ok && ns)
        ok = cJSON_AddStringToObject(pmd, "namespace", ns) != NULL;
    const cJSON *labels = obj_get(obj_get(tmpl, "metadata"), "labels");
    if (ok && labels)
        ok = cJSON_AddItemToObject(pmd, "labels", cJSON_Duplicate(labels, 1));
    ok = ok && cJSON_AddStringToObject(owner, "kind", kd->kind) &&
         cJSON_AddStringToObject(owner, "name", name ? name : "") && cJSON_AddBoolToObject(owner, "controller", 1) &&
         (!uid || cJSON_AddStringToObject(owner, "uid", uid));
    if (ok && cJSON_AddItemToArray(owners, owner))
        owner = NULL;
    else
        ok = 0;
    if (ok && cJSON_AddItemToObject(pmd, "ownerReferences", owners))
        owners = NULL;
    else
        ok = 0;
    const cJSON *spec = obj_get(tmpl, "spec");
    if (ok && spec) {
        cJSON *s = cJSON_Duplicate(spec, 1);
        ok = s && cJSON_AddItemToObject(pod, "spec", s);
        if (!ok)
            cJSON_Delete(s);
        else
            scrub_pod_spec(s);
    }
    cJSON_Delete(owner);
    cJSON_Delete(owners);
    if (!ok) {
        cJSON_Delete(pod);
        return NULL;
    }
    return pod;
}

int kube_normalise(const kube_kind *kd, const cJSON *item, const char **type, cJSON **data)
{
    *type = NULL;
    *data = NULL;
    for (size_t i = 0; i < sizeof own_types / sizeof own_types[0]; i++) {
        if (strcmp(own_types[i].kind, kd->kind))
            continue;
        cJSON *o;
        if (!strcmp(kd->kind, "Secret") || !strcmp(kd->kind, "ConfigMap")) {
            o = cJSON_CreateObject();
            const cJSON *md = obj_get(item, "metadata"), *t = obj_get(item, "type");
            cJSON *mdc = md ? cJSON_Duplicate(md, 1) : NULL;
            if (!o || (md && (!mdc || !cJSON_AddItemToObject(o, "metadata", mdc)))) {
                cJSON_Delete(mdc);
                cJSON_Delete(o);
                return -1;
            }
            if (!strcmp(kd->kind, "Secret") && cJSON_IsString(t) &&
                !cJSON_AddStringToObject(o, "type", t->valuestring)) {
                cJSON_Delete(o);
                return -1;
            }
        } else {
            o = cJSON_Duplicate(item, 1);
        }
        if (!o || !(o = with_type_members(o, kd)))
            return -1;
        scrub_metadata(o);
        if (!strcmp(kd->kind, "Pod"))
            scrub_pod_spec(obj_get(o, "spec"));
        else if (!strcmp(kd->kind, "Deployment"))
            scrub_pod_spec(obj_get(obj_get(obj_get(o, "spec"), "template"), "spec"));
        *type = own_types[i].type;
        *data = o;
        return 1;
    }
    const cJSON *tmpl = pod_template(item, kd->kind);
    if (!tmpl)
        return 0;
    if ((!strcmp(kd->kind, "ReplicaSet") || !strcmp(kd->kind, "Job")) && owned_by_controller(item))
        return 0;
    cJSON *pod = workload_pod(kd, item, tmpl);
    if (!pod)
        return -1;
    *type = "k8s.pod";
    *data = pod;
    return 1;
}
