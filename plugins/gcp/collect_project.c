/*
 * collect_project.c - the gcp "project" service: one gcp.project resource
 * per project carrying what CIS section 1 and 2 judge at project level:
 * the project (Resource Manager v3), its IAM policy with auditConfigs
 * (v1 getIamPolicy, policy version 3), its log sinks and log-based metrics
 * (Logging v2) and, per metric, whether an enabled alert policy watches it
 * (Monitoring v3). A member whose call failed is left out (unknown), never
 * written as empty. Shape: docs/resources/gcp.md.
 *
 * What the project inherits is added too: the sinks of its folders and
 * organization that include children, and their IAM policies' auditConfigs
 * and bindings (ancestry from v1 projects.getAncestry), each marked
 * "inheritedFrom", so the project rules judge the effective policy.
 * Every ancestor is read once per scan (a cache in the context).
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcp_ctx.h"

#define MAX_ALERT_METRICS 2000

typedef struct proj_ctx {
    gcp_task *t;
    cJSON *array;     /* what the page callback appends to */
    cJSON *alerted;   /* metric types ("logging.googleapis.com/user/NAME") an enabled policy uses */
} proj_ctx;

static void copy_member(cJSON *dst, const cJSON *src, const char *key, const char *as)
{
    const cJSON *v = cJSON_GetObjectItem(src, key);
    if (v)
        cJSON_AddItemToObject(dst, as ? as : key, cJSON_Duplicate(v, 1));
}

static int add_sink(gcp_ctx *c, const cJSON *item, void *ud)
{
    proj_ctx *p = ud;
    cJSON *s = cJSON_CreateObject();
    copy_member(s, item, "name", NULL);
    copy_member(s, item, "destination", NULL);
    const char *f = cJSON_GetStringValue(cJSON_GetObjectItem(item, "filter"));
    cJSON_AddStringToObject(s, "filter", f ? f : ""); /* no filter = every log entry */
    cJSON_AddBoolToObject(s, "disabled", cJSON_IsTrue(cJSON_GetObjectItem(item, "disabled")));
    cJSON_AddBoolToObject(s, "includeChildren", cJSON_IsTrue(cJSON_GetObjectItem(item, "includeChildren")));
    cJSON_AddItemToArray(p->array, s);
    return gcp_cancelled(c);
}

static int add_metric(gcp_ctx *c, const cJSON *item, void *ud)
{
    proj_ctx *p = ud;
    cJSON *m = cJSON_CreateObject();
    copy_member(m, item, "name", NULL);
    const char *f = cJSON_GetStringValue(cJSON_GetObjectItem(item, "filter"));
    cJSON_AddStringToObject(m, "filter", f ? f : "");
    cJSON_AddBoolToObject(m, "disabled", cJSON_IsTrue(cJSON_GetObjectItem(item, "disabled")));
    cJSON_AddItemToArray(p->array, m);
    return gcp_cancelled(c);
}

/* The metric types named in a condition's filter: each metric.type="..." or metric.type = "...". */
static void note_metric_types(proj_ctx *p, const char *filter)
{
    for (const char *q = filter; q && (q = strstr(q, "metric.type")) != NULL;) {
        q += strlen("metric.type");
        while (*q == ' ' || *q == '=')
            q++;
        if (*q != '"')
            continue;
        const char *end = strchr(++q, '"');
        if (!end || end - q > 300 || cJSON_GetArraySize(p->alerted) >= MAX_ALERT_METRICS)
            break;
        char buf[310];
        snprintf(buf, sizeof buf, "%.*s", (int)(end - q), q);
        cJSON_AddItemToArray(p->alerted, cJSON_CreateString(buf));
        q = end + 1;
    }
}

static int add_alert_policy(gcp_ctx *c, const cJSON *item, void *ud)
{
    proj_ctx *p = ud;
    const cJSON *en = cJSON_GetObjectItem(item, "enabled");
    int enabled = !en || cJSON_IsTrue(en); /* a BoolValue: absent only when never set, which means enabled */
    cJSON *a = cJSON_CreateObject();
    copy_member(a, item, "name", NULL);
    copy_member(a, item, "displayName", NULL);
    cJSON_AddBoolToObject(a, "enabled", enabled);
    cJSON *types = cJSON_AddArrayToObject(a, "metricTypes");
    cJSON *saved = p->alerted;
    p->alerted = types;
    const cJSON *cond;
    cJSON_ArrayForEach(cond, cJSON_GetObjectItem(item, "conditions"))
    {
        note_metric_types(p, cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(cond, "conditionThreshold"),
                                                                      "filter")));
        note_metric_types(p, cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(cond, "conditionAbsent"),
                                                                      "filter")));
    }
    p->alerted = saved;
    const cJSON *mt;
    if (enabled)
        cJSON_ArrayForEach(mt, types)
        {
            if (cJSON_GetArraySize(p->alerted) < MAX_ALERT_METRICS)
                cJSON_AddItemToArray(p->alerted, cJSON_CreateString(mt->valuestring));
        }
    cJSON_AddItemToArray(p->array, a);
    return gcp_cancelled(c);
}

static int alerted(const cJSON *types, const char *metric)
{
    char want[400];
    snprintf(want, sizeof want, "logging.googleapis.com/user/%s", metric ? metric : "");
    const cJSON *t;
    cJSON_ArrayForEach(t, types)
    {
        if (cJSON_IsString(t) && strcmp(t->valuestring, want) == 0)
            return 1;
    }
    return 0;
}

/* List @path of @service into a new array member @key of @d; left out when the list failed. */
static int list_into(gcp_ctx *c, gcp_task *t, cJSON *d, const char *key, const char *service, const char *path,
                     const char *items, gcp_item_fn fn, proj_ctx *p, const char *permission, const char *what)
{
    char base[300], url[900], code[120] = "", err[GCP_ERR_LEN] = "";
    gcp_service_url(c, service, base, sizeof base);
    snprintf(url, sizeof url, "%s%s", base, path);
    p->array = cJSON_CreateArray();
    int rc = gcp_list(c, url, items, fn, p, code, sizeof code, err, sizeof err);
    if (rc == GCP_OK)
        cJSON_AddItemToObject(d, key, p->array);
    else
        cJSON_Delete(p->array);
    p->array = NULL;
    int saved = t->disabled;
    t->disabled = 0; /* each API here is its own: say "not enabled" for each */
    int out = gcp_outcome(c, t, rc, permission, what, NULL, code, err);
    t->disabled += saved;
    return out != 0 ? -1 : rc == GCP_OK;
}

/* ---- what the project inherits from its folders and organization ---- */

/* Read the sinks (that include children), the audit configs and the IAM bindings of @anc ("folders/N",
 * "organizations/N"), each marked inheritedFrom. */
static cJSON *read_ancestor(gcp_ctx *c, gcp_task *t, const char *anc)
{
    cJSON *a = cJSON_CreateObject();
    char base[300], url[700], code[120] = "", err[GCP_ERR_LEN] = "", uid[200];
    snprintf(uid, sizeof uid, "//cloudresourcemanager.googleapis.com/%s", anc);
    proj_ctx p = {t, cJSON_CreateArray(), NULL};
    gcp_service_url(c, "logging", base, sizeof base);
    snprintf(url, sizeof url, "%s/v2/%s/sinks?pageSize=%u", base, anc, c->page_size);
    int rc = gcp_list(c, url, "sinks", add_sink, &p, code, sizeof code, err, sizeof err);
    if (rc == GCP_OK) {
        cJSON *kept = cJSON_AddArrayToObject(a, "sinks"), *s;
        cJSON_ArrayForEach(s, p.array)
        {
            if (cJSON_IsTrue(cJSON_GetObjectItem(s, "includeChildren"))) {
                cJSON *k = cJSON_Duplicate(s, 1);
                cJSON_AddStringToObject(k, "inheritedFrom", anc);
                cJSON_AddItemToArray(kept, k);
            }
        }
    } else {
        gcp_outcome(c, t, rc, "logging.sinks.list", "the sinks of an ancestor", uid, code, err);
    }
    cJSON_Delete(p.array);
    gcp_service_url(c, "cloudresourcemanager", base, sizeof base);
    snprintf(url, sizeof url, "%s/v3/%s:getIamPolicy", base, anc);
    cJSON *pol = NULL;
    rc = gcp_call_json(c, "POST", url, "{\"options\":{\"requestedPolicyVersion\":3}}", &pol, code, sizeof code, err,
                       sizeof err);
    if (rc == GCP_OK) {
        cJSON *kept = cJSON_AddArrayToObject(a, "auditConfigs"), *ac, *b;
        cJSON *held = cJSON_AddArrayToObject(a, "bindings");
        cJSON_ArrayForEach(b, cJSON_GetObjectItem(pol, "bindings"))
        {
            if (cJSON_GetArraySize(held) >= 5000)
                break;
            cJSON *k = cJSON_Duplicate(b, 1);
            cJSON_AddStringToObject(k, "inheritedFrom", anc);
            cJSON_AddItemToArray(held, k);
        }
        cJSON_ArrayForEach(ac, cJSON_GetObjectItem(pol, "auditConfigs"))
        {
            cJSON *k = cJSON_Duplicate(ac, 1);
            cJSON_AddStringToObject(k, "inheritedFrom", anc);
            cJSON_AddItemToArray(kept, k);
        }
        cJSON_Delete(pol);
    } else {
        gcp_outcome(c, t, rc, strncmp(anc, "folders/", 8) == 0 ? "resourcemanager.folders.getIamPolicy"
                                                               : "resourcemanager.organizations.getIamPolicy",
                    "the IAM policy of an ancestor", uid, code, err);
    }
    return a;
}

/* The ancestor's record, read now or taken from the cache; NULL when out of memory. Owned by the cache. */
static const cJSON *ancestor(gcp_ctx *c, gcp_task *t, const char *anc)
{
    pthread_mutex_lock(&c->ancestors_mu);
    const cJSON *have = cJSON_GetObjectItem(c->ancestors, anc);
    pthread_mutex_unlock(&c->ancestors_mu);
    if (have)
        return have;
    cJSON *a = read_ancestor(c, t, anc); /* two tasks may read the same one at once: harmless */
    pthread_mutex_lock(&c->ancestors_mu);
    if (!c->ancestors)
        c->ancestors = cJSON_CreateObject();
    have = cJSON_GetObjectItem(c->ancestors, anc);
    if (have)
        cJSON_Delete(a);
    else if (c->ancestors && a) {
        cJSON_AddItemToObject(c->ancestors, anc, a);
        have = a;
    }
    pthread_mutex_unlock(&c->ancestors_mu);
    return have;
}

/* Add the inherited sinks, audit configs and IAM bindings to @d (each only when the project's own were read). */
static void add_inherited(gcp_ctx *c, gcp_task *t, cJSON *d)
{
    char base[300], url[700], code[120] = "", err[GCP_ERR_LEN] = "";
    gcp_service_url(c, "cloudresourcemanager", base, sizeof base);
    snprintf(url, sizeof url, "%s/v1/projects/%s:getAncestry", base, t->project);
    cJSON *r = NULL;
    int rc = gcp_call_json(c, "POST", url, "{}", &r, code, sizeof code, err, sizeof err);
    if (rc != GCP_OK) {
        gcp_outcome(c, t, rc, "resourcemanager.projects.get", "the project's ancestry", NULL, code, err);
        return;
    }
    cJSON *names = cJSON_AddArrayToObject(d, "ancestors");
    const cJSON *it;
    int depth = 0;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r, "ancestor"))
    {
        const cJSON *rid = cJSON_GetObjectItem(it, "resourceId");
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(rid, "type"));
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(rid, "id"));
        size_t n = id ? strlen(id) : 0;
        if (!type || n == 0 || n > 25 || strspn(id, "0123456789") != n || ++depth > 12)
            continue;
        char anc[64];
        if (strcmp(type, "folder") == 0)
            snprintf(anc, sizeof anc, "folders/%s", id);
        else if (strcmp(type, "organization") == 0)
            snprintf(anc, sizeof anc, "organizations/%s", id);
        else
            continue;
        cJSON_AddItemToArray(names, cJSON_CreateString(anc));
        const cJSON *a = ancestor(c, t, anc), *x;
        cJSON *sinks = cJSON_GetObjectItem(d, "logSinks");
        cJSON *acs = cJSON_GetObjectItem(cJSON_GetObjectItem(d, "iamPolicy"), "auditConfigs");
        cJSON *binds = cJSON_GetObjectItem(cJSON_GetObjectItem(d, "iamPolicy"), "bindings");
        cJSON_ArrayForEach(x, cJSON_GetObjectItem(a, "bindings"))
        {
            if (binds)
                cJSON_AddItemToArray(binds, cJSON_Duplicate(x, 1));
        }
        cJSON_ArrayForEach(x, cJSON_GetObjectItem(a, "sinks"))
        {
            if (sinks)
                cJSON_AddItemToArray(sinks, cJSON_Duplicate(x, 1));
        }
        cJSON_ArrayForEach(x, cJSON_GetObjectItem(a, "auditConfigs"))
        {
            if (acs)
                cJSON_AddItemToArray(acs, cJSON_Duplicate(x, 1));
        }
        if (gcp_cancelled(c))
            break;
    }
    cJSON_Delete(r);
}

int collect_project(gcp_ctx *c, gcp_task *t)
{
    char base[300], url[700], path[400], uid[300], code[120] = "", err[GCP_ERR_LEN] = "";
    snprintf(uid, sizeof uid, "//cloudresourcemanager.googleapis.com/projects/%s", t->project);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "projectId", t->project);

    gcp_service_url(c, "cloudresourcemanager", base, sizeof base);
    snprintf(url, sizeof url, "%s/v3/projects/%s", base, t->project);
    cJSON *pj = NULL;
    int rc = gcp_get_json(c, url, &pj, code, sizeof code, err, sizeof err);
    if (rc == GCP_OK) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(pj, "name")); /* projects/NUMBER */
        if (name && strncmp(name, "projects/", 9) == 0)
            cJSON_AddStringToObject(d, "projectNumber", name + 9);
        copy_member(d, pj, "displayName", NULL);
        copy_member(d, pj, "parent", NULL);
        copy_member(d, pj, "state", NULL);
        copy_member(d, pj, "createTime", NULL);
        copy_member(d, pj, "labels", NULL);
        cJSON_Delete(pj);
    } else if (gcp_outcome(c, t, rc, "resourcemanager.projects.get", "the project", NULL, code, err) != 0) {
        cJSON_Delete(d);
        return gcp_finish(c, t);
    }

    snprintf(url, sizeof url, "%s/v1/projects/%s:getIamPolicy", base, t->project);
    cJSON *pol = NULL;
    rc = gcp_call_json(c, "POST", url, "{\"options\":{\"requestedPolicyVersion\":3}}", &pol, code, sizeof code, err,
                       sizeof err);
    if (rc == GCP_OK) {
        cJSON_DeleteItemFromObject(pol, "etag");
        if (!cJSON_GetObjectItem(pol, "bindings"))
            cJSON_AddArrayToObject(pol, "bindings");
        if (!cJSON_GetObjectItem(pol, "auditConfigs"))
            cJSON_AddArrayToObject(pol, "auditConfigs"); /* none: only admin activity logs, which are always on */
        cJSON_AddItemToObject(d, "iamPolicy", pol);
    } else if (gcp_outcome(c, t, rc, "resourcemanager.projects.getIamPolicy", "the project IAM policy", NULL, code,
                           err) != 0) {
        cJSON_Delete(d);
        return gcp_finish(c, t);
    }

    proj_ctx p = {t, NULL, NULL};
    snprintf(path, sizeof path, "/v2/projects/%s/sinks?pageSize=%u", t->project, c->page_size);
    if (list_into(c, t, d, "logSinks", "logging", path, "sinks", add_sink, &p, "logging.sinks.list", "log sinks") < 0)
        goto cancelled;
    snprintf(path, sizeof path, "/v2/projects/%s/metrics?pageSize=%u", t->project, c->page_size);
    int metrics = list_into(c, t, d, "logMetrics", "logging", path, "metrics", add_metric, &p,
                            "logging.logMetrics.list", "log-based metrics");
    if (metrics < 0)
        goto cancelled;
    p.alerted = cJSON_CreateArray();
    snprintf(path, sizeof path, "/v3/projects/%s/alertPolicies?pageSize=%u", t->project, c->page_size);
    int policies = list_into(c, t, d, "alertPolicies", "monitoring", path, "alertPolicies", add_alert_policy, &p,
                             "monitoring.alertPolicies.list", "alert policies");
    if (policies < 0) {
        cJSON_Delete(p.alerted);
        goto cancelled;
    }
    if (metrics == 1 && policies == 1) {
        cJSON *m;
        cJSON_ArrayForEach(m, cJSON_GetObjectItem(d, "logMetrics"))
        {
            cJSON_AddBoolToObject(m, "alerting",
                                  alerted(p.alerted, cJSON_GetStringValue(cJSON_GetObjectItem(m, "name"))));
        }
    }
    cJSON_Delete(p.alerted);
    add_inherited(c, t, d);
    gcp_emit(c, t, "gcp.project", uid, t->project, NULL, d);
    return gcp_finish(c, t);
cancelled:
    cJSON_Delete(d);
    return gcp_finish(c, t);
}
