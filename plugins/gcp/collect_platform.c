/*
 * collect_platform.c - the gcp collectors of project-wide platform settings:
 * API keys (API Keys v2), Essential Contacts (v1, the contacts that apply
 * to the project, inherited ones included) and the load-balancing pieces
 * CIS judges (Compute Engine SSL policies, target HTTPS and SSL proxies
 * with the SSL policy they use resolved, backend services with their
 * request logging). Shapes: docs/resources/gcp.md.
 *
 * An API key's secret (keyString) is never requested: keys.list does not
 * return it and keys.getKeyString is never called. Should an answer carry
 * it anyway, it is wiped in the page and left out.
 */
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcp_ctx.h"

#define APIKEYS_PAGE_MAX 300u
#define CONTACTS_PAGE_MAX 100u

typedef struct plat_ctx {
    gcp_task *t;
    unsigned long n;
    cJSON *policies; /* SSL policies by "projects/P/(global|regions/R)/sslPolicies/NAME" */
} plat_ctx;

static unsigned page_cap(const gcp_ctx *c, unsigned max)
{
    return c->page_size > max ? max : c->page_size;
}

/* ---- API keys ---- */

typedef struct keys_ctx {
    gcp_task *t;
    cJSON *keys;     /* the keys read, emitted once the enabled services are known */
    cJSON *services; /* names of the services enabled in the project */
} keys_ctx;

static int add_api_key(gcp_ctx *c, const cJSON *item, void *ud)
{
    keys_ctx *x = ud;
    cJSON *ks = cJSON_GetObjectItem(item, "keyString");
    if (cJSON_IsString(ks)) /* never asked for; wiped in the page so no copy of it survives */
        explicit_bzero(ks->valuestring, strlen(ks->valuestring));
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    const char *id = name ? strstr(name, "/locations/global/keys/") : NULL;
    id = id ? id + strlen("/locations/global/keys/") : NULL;
    /* projects/P/locations/global/keys/ID and nothing else: no further segment, no dot-dot */
    if (!name || strncmp(name, "projects/", 9) != 0 || !id || !gcp_valid_name(id, 128) || strstr(name, "..") ||
        strchr(name + 9, '/') != id - strlen("/locations/global/keys/") || cJSON_GetArraySize(x->keys) >= 10000) {
        gcp_log(c, PP_LOG_WARN, "%s: an API key without a valid name was skipped", x->t->id);
        return gcp_cancelled(c);
    }
    cJSON *k = cJSON_Duplicate(item, 1);
    if (!k)
        return 0;
    cJSON_DeleteItemFromObject(k, "keyString");
    cJSON_DeleteItemFromObject(k, "etag");
    gcp_null_if_absent(k, "restrictions"); /* null: usable from anywhere, for every enabled API */
    cJSON_AddItemToArray(x->keys, k);
    return gcp_cancelled(c);
}

static int add_service(gcp_ctx *c, const cJSON *item, void *ud)
{
    keys_ctx *x = ud;
    const char *state = cJSON_GetStringValue(cJSON_GetObjectItem(item, "state"));
    const char *name = gcp_last_segment(cJSON_GetStringValue(cJSON_GetObjectItem(item, "name")));
    if (name && strlen(name) < 200 && (!state || strcmp(state, "ENABLED") == 0) &&
        cJSON_GetArraySize(x->services) < 20000)
        cJSON_AddItemToArray(x->services, cJSON_CreateString(name));
    return gcp_cancelled(c);
}

static int service_in(const cJSON *set, const char *name)
{
    const cJSON *s;
    cJSON_ArrayForEach(s, set)
    {
        if (cJSON_IsString(s) && strcmp(s->valuestring, name) == 0)
            return 1;
    }
    return 0;
}

/* @k's inactiveApiTargets: the services its API targets name that are not enabled in the project. */
static void add_inactive_targets(cJSON *k, const cJSON *services)
{
    cJSON *out = cJSON_AddArrayToObject(k, "inactiveApiTargets");
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItem(cJSON_GetObjectItem(k, "restrictions"), "apiTargets"))
    {
        const char *svc = cJSON_GetStringValue(cJSON_GetObjectItem(t, "service"));
        if (svc && strcmp(svc, "cloudapis.googleapis.com") != 0 && !service_in(services, svc))
            cJSON_AddItemToArray(out, cJSON_CreateString(svc));
    }
}

int collect_apikeys(gcp_ctx *c, gcp_task *t)
{
    char base[300], url[700], code[120] = "", err[GCP_ERR_LEN] = "";
    gcp_service_url(c, "apikeys", base, sizeof base);
    snprintf(url, sizeof url, "%s/v2/projects/%s/locations/global/keys?pageSize=%u", base, t->project,
             page_cap(c, APIKEYS_PAGE_MAX));
    keys_ctx x = {t, cJSON_CreateArray(), NULL};
    int n = 0;
    int rc = gcp_list(c, url, "keys", add_api_key, &x, code, sizeof code, err, sizeof err);
    if (gcp_outcome(c, t, rc, "apikeys.keys.list", "API keys", NULL, code, err) != 0 || rc != GCP_OK ||
        cJSON_GetArraySize(x.keys) == 0)
        goto done;
    /* which services are in use: a key for a service that is not enabled has nothing to serve (CIS 1.12) */
    gcp_service_url(c, "serviceusage", base, sizeof base);
    snprintf(url, sizeof url, "%s/v1/projects/%s/services?filter=state:ENABLED&pageSize=%u", base, t->project,
             page_cap(c, 200));
    x.services = cJSON_CreateArray();
    rc = gcp_list(c, url, "services", add_service, &x, code, sizeof code, err, sizeof err);
    if (rc != GCP_OK) {
        cJSON_Delete(x.services); /* unknown: inactiveApiTargets left out */
        x.services = NULL;
        if (gcp_outcome(c, t, rc, "serviceusage.services.list", "the enabled services", NULL, code, err) != 0)
            goto done;
    }
    cJSON *k;
    while ((k = cJSON_DetachItemFromArray(x.keys, 0)) != NULL) {
        const char *id = gcp_last_segment(cJSON_GetStringValue(cJSON_GetObjectItem(k, "name")));
        const char *shown = cJSON_GetStringValue(cJSON_GetObjectItem(k, "displayName"));
        char uid[400], nm[200];
        snprintf(uid, sizeof uid, "//apikeys.googleapis.com/projects/%s/locations/global/keys/%s", t->project, id);
        snprintf(nm, sizeof nm, "%s", shown && *shown ? shown : id);
        if (x.services)
            add_inactive_targets(k, x.services);
        gcp_emit(c, t, "gcp.apikeys.key", uid, nm, NULL, k);
        n++;
        if (gcp_cancelled(c))
            break;
    }
done:
    gcp_log(c, PP_LOG_INFO, "%s: %d API key(s)", t->id, n);
    cJSON_Delete(x.keys);
    cJSON_Delete(x.services);
    return gcp_finish(c, t);
}

/* ---- Essential Contacts ---- */

typedef struct contacts_ctx {
    cJSON *contacts;
} contacts_ctx;

static int add_contact(gcp_ctx *c, const cJSON *item, void *ud)
{
    contacts_ctx *x = ud;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    if (!name || strlen(name) > 300 || cJSON_GetArraySize(x->contacts) >= 1000)
        return gcp_cancelled(c);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", name);
    static const char *keep[] = {"email", "notificationCategorySubscriptions", "languageTag", "validationState",
                                 "validateTime"};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        const cJSON *v = cJSON_GetObjectItem(item, keep[i]);
        if (v)
            cJSON_AddItemToObject(o, keep[i], cJSON_Duplicate(v, 1));
    }
    if (!cJSON_GetObjectItem(o, "notificationCategorySubscriptions"))
        cJSON_AddArrayToObject(o, "notificationCategorySubscriptions");
    /* a contact of a folder or the organization applies to the project too (the project's own are named
     * projects/NUMBER/contacts/ID) */
    if (strncmp(name, "folders/", 8) == 0 || strncmp(name, "organizations/", 14) == 0) {
        const char *cut = strstr(name, "/contacts/");
        char from[300];
        snprintf(from, sizeof from, "%.*s", cut ? (int)(cut - name) : (int)strlen(name), name);
        cJSON_AddStringToObject(o, "inheritedFrom", from);
    }
    cJSON_AddItemToArray(x->contacts, o);
    return gcp_cancelled(c);
}

int collect_contacts(gcp_ctx *c, gcp_task *t)
{
    char base[300], url[900], uid[300], code[120] = "", err[GCP_ERR_LEN] = "";
    gcp_service_url(c, "essentialcontacts", base, sizeof base);
    /* contacts:compute answers the contacts that receive these categories, those of the ancestors included */
    snprintf(url, sizeof url,
             "%s/v1/projects/%s/contacts:compute?notificationCategories=SECURITY&notificationCategories=TECHNICAL"
             "&notificationCategories=LEGAL&notificationCategories=SUSPENSION"
             "&notificationCategories=TECHNICAL_INCIDENTS&pageSize=%u",
             base, t->project, page_cap(c, CONTACTS_PAGE_MAX));
    snprintf(uid, sizeof uid, "//essentialcontacts.googleapis.com/projects/%s", t->project);
    contacts_ctx x = {cJSON_CreateArray()};
    int rc = gcp_list(c, url, "contacts", add_contact, &x, code, sizeof code, err, sizeof err);
    if (rc == GCP_OK || rc == GCP_E_DISABLED) {
        /* API off: nobody can have been registered through it; said with the info finding below */
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "projectId", t->project);
        cJSON_AddBoolToObject(d, "apiEnabled", rc == GCP_OK);
        cJSON_AddItemToObject(d, "contacts", x.contacts);
        x.contacts = NULL;
        gcp_emit(c, t, "gcp.essentialcontacts.settings", uid, t->project, NULL, d);
    }
    cJSON_Delete(x.contacts);
    gcp_outcome(c, t, rc, "essentialcontacts.contacts.list", "Essential Contacts", NULL, code, err);
    return gcp_finish(c, t);
}

/* ---- load balancing: SSL policies, target proxies, backend services ---- */

/* "projects/P/..." of a Compute URL or relative name, or NULL. */
static const char *compute_key(const char *url)
{
    const char *p = url ? strstr(url, "projects/") : NULL;
    return p && strlen(p) < 400 ? p : NULL;
}

/* The region member of a regional resource ("" for a global one), checked. */
static int region_of(const cJSON *item, char *buf, size_t len)
{
    const char *r = cJSON_GetStringValue(cJSON_GetObjectItem(item, "region"));
    buf[0] = '\0';
    if (!r)
        return 1;
    if (strstr(r, ".."))
        return 0;
    r = gcp_last_segment(r);
    if (!gcp_valid_name(r, 63))
        return 0;
    snprintf(buf, len, "%s", r);
    return 1;
}

static void lb_uid(const gcp_task *t, const char *region, const char *coll, const char *name, char *uid, size_t len)
{
    if (*region)
        snprintf(uid, len, "//compute.googleapis.com/projects/%s/regions/%s/%s/%s", t->project, region, coll, name);
    else
        snprintf(uid, len, "//compute.googleapis.com/projects/%s/global/%s/%s", t->project, coll, name);
}

/* A copy of @item to emit (kind and fingerprint dropped, region reduced to its name), its region in @region
 * ("" when global); NULL when its name or region is not valid. The name to emit is read from @item: the copy
 * is freed by gcp_emit before the record goes out. */
static cJSON *lb_copy(gcp_ctx *c, plat_ctx *p, const cJSON *item, const char *what, char *region, size_t rlen)
{
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    /* Compute names: a letter, then letters, digits and dashes */
    if (!gcp_valid_name(name, 63) || !isalpha((unsigned char)name[0]) || strpbrk(name, "._") ||
        !region_of(item, region, rlen)) {
        gcp_log(c, PP_LOG_WARN, "%s: %s without a valid name or region was skipped", p->t->id, what);
        return NULL;
    }
    cJSON *o = cJSON_Duplicate(item, 1);
    if (o) {
        cJSON_DeleteItemFromObject(o, "kind");
        cJSON_DeleteItemFromObject(o, "fingerprint");
        if (*region)
            cJSON_ReplaceItemInObject(o, "region", cJSON_CreateString(region));
    }
    return o;
}

static void emit_ssl_policy(gcp_ctx *c, gcp_task *t, const cJSON *item, unsigned long *n, plat_ctx *p)
{
    char region[64], uid[400];
    cJSON *o = lb_copy(c, p, item, "an SSL policy", region, sizeof region);
    if (!o)
        return;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    if (!cJSON_GetObjectItem(o, "profile"))
        cJSON_AddStringToObject(o, "profile", "COMPATIBLE");
    if (!cJSON_GetObjectItem(o, "minTlsVersion"))
        cJSON_AddStringToObject(o, "minTlsVersion", "TLS_1_0");
    if (!cJSON_GetObjectItem(o, "customFeatures"))
        cJSON_AddArrayToObject(o, "customFeatures");
    if (!cJSON_GetObjectItem(o, "enabledFeatures"))
        cJSON_AddArrayToObject(o, "enabledFeatures");
    /* remembered for the proxies that reference it, by its own URL or by where it must live */
    char key[400];
    const char *self = compute_key(cJSON_GetStringValue(cJSON_GetObjectItem(item, "selfLink")));
    if (*region)
        snprintf(key, sizeof key, "projects/%s/regions/%s/sslPolicies/%s", t->project, region, name);
    else
        snprintf(key, sizeof key, "projects/%s/global/sslPolicies/%s", t->project, name);
    if (p->policies && cJSON_GetArraySize(p->policies) < 10000) {
        cJSON *brief = cJSON_CreateObject();
        static const char *keep[] = {"name", "profile", "minTlsVersion", "customFeatures", "enabledFeatures"};
        for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
            cJSON_AddItemToObject(brief, keep[i], cJSON_Duplicate(cJSON_GetObjectItem(o, keep[i]), 1));
        if (self && strcmp(self, key) != 0)
            cJSON_AddItemToObject(p->policies, self, cJSON_Duplicate(brief, 1));
        cJSON_AddItemToObject(p->policies, key, brief);
    }
    lb_uid(t, region, "sslPolicies", name, uid, sizeof uid);
    gcp_emit(c, t, "gcp.compute.ssl_policy", uid, name, region, o);
    (*n)++;
}

/* A proxy's sslPolicyDetail: the policy it names, null when it names none (Google's default, COMPATIBLE
 * with TLS 1.0), left out when the policies could not be read or it names one that was not listed. */
static void resolve_ssl_policy(const plat_ctx *p, cJSON *o)
{
    const char *ref = compute_key(cJSON_GetStringValue(cJSON_GetObjectItem(o, "sslPolicy")));
    if (!cJSON_GetObjectItem(o, "sslPolicy")) {
        cJSON_AddNullToObject(o, "sslPolicy");
        if (p->policies)
            cJSON_AddNullToObject(o, "sslPolicyDetail");
        return;
    }
    const cJSON *pol = ref && p->policies ? cJSON_GetObjectItem(p->policies, ref) : NULL;
    if (pol)
        cJSON_AddItemToObject(o, "sslPolicyDetail", cJSON_Duplicate(pol, 1));
}

static void emit_https_proxy(gcp_ctx *c, gcp_task *t, const cJSON *item, unsigned long *n, plat_ctx *p)
{
    char region[64], uid[400];
    cJSON *o = lb_copy(c, p, item, "a target HTTPS proxy", region, sizeof region);
    if (!o)
        return;
    resolve_ssl_policy(p, o);
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    lb_uid(t, region, "targetHttpsProxies", name, uid, sizeof uid);
    gcp_emit(c, t, "gcp.compute.target_https_proxy", uid, name, region, o);
    (*n)++;
}

static int emit_ssl_proxy(gcp_ctx *c, const cJSON *item, void *ud)
{
    plat_ctx *p = ud;
    char region[64], uid[400];
    cJSON *o = lb_copy(c, p, item, "a target SSL proxy", region, sizeof region);
    if (!o)
        return gcp_cancelled(c);
    resolve_ssl_policy(p, o);
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    lb_uid(p->t, region, "targetSslProxies", name, uid, sizeof uid);
    gcp_emit(c, p->t, "gcp.compute.target_ssl_proxy", uid, name, region, o);
    p->n++;
    return gcp_cancelled(c);
}

static void emit_backend_service(gcp_ctx *c, gcp_task *t, const cJSON *item, unsigned long *n, plat_ctx *p)
{
    char region[64], uid[400];
    cJSON *o = lb_copy(c, p, item, "a backend service", region, sizeof region);
    if (!o)
        return;
    /* iap.oauth2ClientSecret is returned only as its hash; drop both anyway */
    cJSON *iap = cJSON_GetObjectItem(o, "iap");
    cJSON_DeleteItemFromObject(iap, "oauth2ClientSecret");
    cJSON_DeleteItemFromObject(iap, "oauth2ClientSecretSha256");
    gcp_null_if_absent(o, "logConfig"); /* null: request logging never configured */
    if (!cJSON_GetObjectItem(o, "loadBalancingScheme"))
        cJSON_AddStringToObject(o, "loadBalancingScheme", "EXTERNAL");
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    lb_uid(t, region, "backendServices", name, uid, sizeof uid);
    gcp_emit(c, t, "gcp.compute.backend_service", uid, name, region, o);
    (*n)++;
}

typedef struct lb_agg {
    plat_ctx *p;
    const char *member;
    void (*fn)(gcp_ctx *, gcp_task *, const cJSON *, unsigned long *, plat_ctx *);
    unsigned long n;
} lb_agg;

/* One scope ("global", "regions/R") of an aggregatedList page. */
static int lb_scope(gcp_ctx *c, const cJSON *scope, void *ud)
{
    lb_agg *a = ud;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(scope, a->member)) a->fn(c, a->p->t, it, &a->n, a->p);
    return gcp_cancelled(c);
}

int collect_lb(gcp_ctx *c, gcp_task *t)
{
    char base[300], url[700], code[120] = "", err[GCP_ERR_LEN] = "";
    unsigned ps = page_cap(c, 500);
    gcp_service_url(c, "compute", base, sizeof base);
    plat_ctx p = {t, 0, cJSON_CreateObject()};

    snprintf(url, sizeof url, "%s/compute/v1/projects/%s/aggregated/sslPolicies?maxResults=%u", base, t->project, ps);
    lb_agg pol = {&p, "sslPolicies", emit_ssl_policy, 0};
    int rc = gcp_list(c, url, "items", lb_scope, &pol, code, sizeof code, err, sizeof err);
    if (rc != GCP_OK) {
        cJSON_Delete(p.policies); /* unknown: the proxies' sslPolicyDetail is left out */
        p.policies = NULL;
    }
    if (gcp_outcome(c, t, rc, "compute.sslPolicies.list", "SSL policies", NULL, code, err) != 0 || t->disabled)
        goto done; /* cancelled, or the Compute Engine API is off */

    snprintf(url, sizeof url, "%s/compute/v1/projects/%s/aggregated/targetHttpsProxies?maxResults=%u", base, t->project,
             ps);
    lb_agg https = {&p, "targetHttpsProxies", emit_https_proxy, 0};
    rc = gcp_list(c, url, "items", lb_scope, &https, code, sizeof code, err, sizeof err);
    if (gcp_outcome(c, t, rc, "compute.targetHttpsProxies.list", "target HTTPS proxies", NULL, code, err) != 0)
        goto done;

    snprintf(url, sizeof url, "%s/compute/v1/projects/%s/global/targetSslProxies?maxResults=%u", base, t->project, ps);
    rc = gcp_list(c, url, "items", emit_ssl_proxy, &p, code, sizeof code, err, sizeof err);
    if (gcp_outcome(c, t, rc, "compute.targetSslProxies.list", "target SSL proxies", NULL, code, err) != 0)
        goto done;

    snprintf(url, sizeof url, "%s/compute/v1/projects/%s/aggregated/backendServices?maxResults=%u", base, t->project,
             ps);
    lb_agg bes = {&p, "backendServices", emit_backend_service, 0};
    rc = gcp_list(c, url, "items", lb_scope, &bes, code, sizeof code, err, sizeof err);
    gcp_outcome(c, t, rc, "compute.backendServices.list", "backend services", NULL, code, err);
    gcp_log(c, PP_LOG_INFO, "%s: %lu SSL policy(ies), %lu target HTTPS and %lu SSL proxy(ies), %lu backend service(s)",
            t->id, pol.n, https.n, p.n, bes.n);
done:
    cJSON_Delete(p.policies);
    return gcp_finish(c, t);
}
