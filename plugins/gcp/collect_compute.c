/*
 * collect_compute.c - the gcp "compute" service: the project's Compute
 * Engine settings (common instance metadata), VPC networks, subnetworks,
 * firewall rules and instances. Shapes: docs/resources/gcp.md.
 *
 * Of instance and project metadata only enable-oslogin,
 * block-project-ssh-keys and serial-port-enable are kept: ssh-keys,
 * startup scripts and user data may hold secrets.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcp_ctx.h"

typedef struct list_ctx {
    gcp_task *t;
    unsigned long n;
    cJSON *dns; /* network key -> {"name","enableLogging"} of its DNS server policy; NULL when unknown */
} list_ctx;

static unsigned compute_page(const gcp_ctx *c)
{
    return c->page_size > 500 ? 500 : c->page_size;
}

/* GET compute/v1/projects/P: the project-wide metadata (OS Login, serial port, project SSH keys). */
static int collect_compute_project(gcp_ctx *c, gcp_task *t)
{
    char base[300], url[700], uid[300], code[120] = "", err[GCP_ERR_LEN] = "";
    gcp_service_url(c, "compute", base, sizeof base);
    snprintf(url, sizeof url, "%s/compute/v1/projects/%s", base, t->project);
    snprintf(uid, sizeof uid, "//compute.googleapis.com/projects/%s", t->project);
    cJSON *p = NULL;
    int rc = gcp_get_json(c, url, &p, code, sizeof code, err, sizeof err);
    if (rc != GCP_OK)
        return gcp_outcome(c, t, rc, "compute.projects.get", "the Compute Engine project metadata", NULL, code, err);
    cJSON *d = cJSON_CreateObject();
    static const char *keep[] = {"name", "id", "defaultServiceAccount", "xpnProjectStatus", "creationTimestamp"};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        cJSON *v = cJSON_DetachItemFromObject(p, keep[i]);
        if (v)
            cJSON_AddItemToObject(d, keep[i], v);
    }
    cJSON *md = cJSON_DetachItemFromObject(p, "commonInstanceMetadata");
    cJSON_AddItemToObject(d, "commonInstanceMetadata", md ? md : cJSON_CreateObject());
    gcp_keep_metadata(d, "commonInstanceMetadata");
    cJSON_Delete(p);
    gcp_emit(c, t, "gcp.compute.project", uid, t->project, NULL, d);
    return 0;
}

/* One Cloud DNS server policy: remembered for each network it is attached to. */
static int note_dns_policy(gcp_ctx *c, const cJSON *item, void *ud)
{
    list_ctx *l = ud;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    const cJSON *nw;
    cJSON_ArrayForEach(nw, cJSON_GetObjectItem(item, "networks"))
    {
        const char *url = cJSON_GetStringValue(cJSON_GetObjectItem(nw, "networkUrl"));
        const char *key = url ? strstr(url, "projects/") : NULL;
        if (!name || !key || strlen(key) > 300 || cJSON_GetObjectItem(l->dns, key) ||
            cJSON_GetArraySize(l->dns) >= 10000)
            continue;
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "name", name);
        cJSON_AddBoolToObject(p, "enableLogging", cJSON_IsTrue(cJSON_GetObjectItem(item, "enableLogging")));
        cJSON_AddItemToObject(l->dns, key, p);
    }
    return gcp_cancelled(c);
}

/*
 * The DNS server policies of the project (Cloud DNS policies.list) into a new l->dns. The Cloud
 * DNS API being off means no policy exists (an empty map, no finding: the networks say it); a
 * denial leaves l->dns NULL (unknown) with its error finding. Returns -1 when cancelled.
 */
static int read_dns_policies(gcp_ctx *c, gcp_task *t, list_ctx *l)
{
    char base[300], url[700], code[120] = "", err[GCP_ERR_LEN] = "";
    gcp_service_url(c, "dns", base, sizeof base);
    snprintf(url, sizeof url, "%s/dns/v1/projects/%s/policies?maxResults=%u", base, t->project, compute_page(c));
    l->dns = cJSON_CreateObject();
    int rc = gcp_list(c, url, "policies", note_dns_policy, l, code, sizeof code, err, sizeof err);
    if (rc == GCP_OK || rc == GCP_E_DISABLED)
        return 0;
    cJSON_Delete(l->dns);
    l->dns = NULL;
    return gcp_outcome(c, t, rc, "dns.policies.list", "Cloud DNS server policies", NULL, code, err);
}

static int emit_network(gcp_ctx *c, const cJSON *item, void *ud)
{
    list_ctx *l = ud;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    if (!gcp_valid_name(name, 63)) {
        gcp_log(c, PP_LOG_WARN, "%s: a network without a valid name was skipped", l->t->id);
        return gcp_cancelled(c);
    }
    cJSON *n = cJSON_Duplicate(item, 1);
    if (!n)
        return 0;
    cJSON_DeleteItemFromObject(n, "kind");
    /* a legacy network has IPv4Range and no subnetworks; autoCreateSubnetworks is absent there */
    if (!cJSON_GetObjectItem(n, "subnetworks"))
        cJSON_AddArrayToObject(n, "subnetworks");
    gcp_null_if_absent(n, "IPv4Range");
    if (l->dns) {
        char key[300];
        snprintf(key, sizeof key, "projects/%s/global/networks/%s", l->t->project, name);
        const cJSON *pol = cJSON_GetObjectItem(l->dns, key);
        cJSON_AddItemToObject(n, "dnsPolicy", pol ? cJSON_Duplicate(pol, 1) : cJSON_CreateNull());
    }
    char uid[300];
    snprintf(uid, sizeof uid, "//compute.googleapis.com/projects/%s/global/networks/%s", l->t->project, name);
    gcp_emit(c, l->t, "gcp.compute.network", uid, name, NULL, n);
    l->n++;
    return gcp_cancelled(c);
}

static void emit_subnetwork(gcp_ctx *c, gcp_task *t, const cJSON *item, unsigned long *n)
{
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    const char *region = gcp_last_segment(cJSON_GetStringValue(cJSON_GetObjectItem(item, "region")));
    if (!gcp_valid_name(name, 63) || !gcp_valid_name(region, 63)) {
        gcp_log(c, PP_LOG_WARN, "%s: a subnetwork without a valid name or region was skipped", t->id);
        return;
    }
    cJSON *s = cJSON_Duplicate(item, 1);
    if (!s)
        return;
    cJSON_DeleteItemFromObject(s, "kind");
    cJSON_DeleteItemFromObject(s, "fingerprint");
    cJSON_ReplaceItemInObject(s, "region", cJSON_CreateString(region));
    if (!cJSON_GetObjectItem(s, "privateIpGoogleAccess"))
        cJSON_AddFalseToObject(s, "privateIpGoogleAccess");
    gcp_null_if_absent(s, "logConfig"); /* null: flow logs never configured */
    char uid[400];
    snprintf(uid, sizeof uid, "//compute.googleapis.com/projects/%s/regions/%s/subnetworks/%s", t->project, region,
             name);
    gcp_emit(c, t, "gcp.compute.subnetwork", uid, name, region, s);
    (*n)++;
}

static int emit_firewall(gcp_ctx *c, const cJSON *item, void *ud)
{
    list_ctx *l = ud;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    if (!gcp_valid_name(name, 63)) {
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
    gcp_emit(c, l->t, "gcp.compute.firewall", uid, name, NULL, f);
    l->n++;
    return gcp_cancelled(c);
}

static void emit_instance(gcp_ctx *c, gcp_task *t, const cJSON *item, unsigned long *n)
{
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    const char *zone = gcp_last_segment(cJSON_GetStringValue(cJSON_GetObjectItem(item, "zone")));
    if (!gcp_valid_name(name, 63) || !gcp_valid_name(zone, 63)) {
        gcp_log(c, PP_LOG_WARN, "%s: an instance without a valid name or zone was skipped", t->id);
        return;
    }
    cJSON *i = cJSON_Duplicate(item, 1);
    if (!i)
        return;
    cJSON_DeleteItemFromObject(i, "kind");
    gcp_keep_metadata(i, "metadata");
    cJSON_ReplaceItemInObject(i, "zone", cJSON_CreateString(zone));
    cJSON *disks = cJSON_GetObjectItem(i, "disks"), *d;
    cJSON_ArrayForEach(d, disks)
    {
        cJSON *k = cJSON_GetObjectItem(d, "diskEncryptionKey");
        if (!k)
            cJSON_AddNullToObject(d, "diskEncryptionKey"); /* Google-managed key */
        else {
            /* a customer-supplied key (CSEK) comes back as its hash only; drop raw key fields anyway */
            cJSON_DeleteItemFromObject(k, "rawKey");
            cJSON_DeleteItemFromObject(k, "rsaEncryptedKey");
        }
    }
    if (!cJSON_GetObjectItem(i, "canIpForward"))
        cJSON_AddFalseToObject(i, "canIpForward");
    char uid[300];
    snprintf(uid, sizeof uid, "//compute.googleapis.com/projects/%s/zones/%s/instances/%s", t->project, zone, name);
    gcp_emit(c, t, "gcp.compute.instance", uid, name, zone, i);
    (*n)++;
}

typedef struct agg_ctx {
    gcp_task *t;
    unsigned long n;
    const char *member; /* "instances", "subnetworks" */
    void (*fn)(gcp_ctx *, gcp_task *, const cJSON *, unsigned long *);
} agg_ctx;

/* One scope of an aggregatedList page: "items" is an object of scope -> {"MEMBER": [...]} or a warning. */
static int aggregated_scope(gcp_ctx *c, const cJSON *scope, void *ud)
{
    agg_ctx *x = ud;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(scope, x->member)) x->fn(c, x->t, it, &x->n);
    return gcp_cancelled(c);
}

int collect_compute(gcp_ctx *c, gcp_task *t)
{
    char base[300], url[700], code[120] = "", err[GCP_ERR_LEN] = "";
    gcp_service_url(c, "compute", base, sizeof base);
    if (collect_compute_project(c, t) != 0 || t->disabled)
        return gcp_finish(c, t); /* cancelled, or the Compute Engine API is off: nothing more to ask */

    snprintf(url, sizeof url, "%s/compute/v1/projects/%s/global/networks?maxResults=%u", base, t->project,
             compute_page(c));
    list_ctx nets = {t, 0, NULL};
    if (read_dns_policies(c, t, &nets) != 0)
        return gcp_finish(c, t);
    int rc = gcp_list(c, url, "items", emit_network, &nets, code, sizeof code, err, sizeof err);
    cJSON_Delete(nets.dns);
    if (gcp_outcome(c, t, rc, "compute.networks.list", "VPC networks", NULL, code, err) != 0)
        return gcp_finish(c, t);

    snprintf(url, sizeof url, "%s/compute/v1/projects/%s/aggregated/subnetworks?maxResults=%u", base, t->project,
             compute_page(c));
    agg_ctx subs = {t, 0, "subnetworks", emit_subnetwork};
    /* cJSON_ArrayForEach walks an object's members too: each member is one region's scope */
    rc = gcp_list(c, url, "items", aggregated_scope, &subs, code, sizeof code, err, sizeof err);
    if (gcp_outcome(c, t, rc, "compute.subnetworks.list", "VPC subnetworks", NULL, code, err) != 0)
        return gcp_finish(c, t);

    snprintf(url, sizeof url, "%s/compute/v1/projects/%s/global/firewalls?maxResults=%u", base, t->project,
             compute_page(c));
    list_ctx fws = {t, 0, NULL};
    rc = gcp_list(c, url, "items", emit_firewall, &fws, code, sizeof code, err, sizeof err);
    if (gcp_outcome(c, t, rc, "compute.firewalls.list", "Compute Engine firewall rules", NULL, code, err) != 0)
        return gcp_finish(c, t);

    snprintf(url, sizeof url, "%s/compute/v1/projects/%s/aggregated/instances?maxResults=%u", base, t->project,
             compute_page(c));
    agg_ctx vms = {t, 0, "instances", emit_instance};
    rc = gcp_list(c, url, "items", aggregated_scope, &vms, code, sizeof code, err, sizeof err);
    gcp_outcome(c, t, rc, "compute.instances.list", "Compute Engine instances", NULL, code, err);
    gcp_log(c, PP_LOG_INFO, "%s: %lu network(s), %lu subnetwork(s), %lu firewall rule(s), %lu instance(s)", t->id,
            nets.n, subs.n, fws.n, vms.n);
    return gcp_finish(c, t);
}
