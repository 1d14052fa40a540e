/*
 * collect_services.c - the gcp collectors of the data and platform
 * services: Cloud SQL instances, GKE clusters, Cloud DNS managed zones,
 * Cloud KMS crypto keys (with their IAM policies) and BigQuery datasets
 * (with their access lists). Shapes: docs/resources/gcp.md.
 *
 * Secrets the APIs can return are dropped before anything is emitted: a
 * GKE cluster's masterAuth password, client key and certificates, node
 * metadata (may hold startup scripts); Cloud SQL server CA certificates
 * are dropped for size.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcp_ctx.h"

typedef struct svc_ctx {
    gcp_task *t;
    unsigned long n;
} svc_ctx;

/* ---- Cloud SQL ---- */

static int emit_sql(gcp_ctx *c, const cJSON *item, void *ud)
{
    svc_ctx *s = ud;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    if (!gcp_valid_name(name, 98)) {
        gcp_log(c, PP_LOG_WARN, "%s: a Cloud SQL instance without a valid name was skipped", s->t->id);
        return gcp_cancelled(c);
    }
    cJSON *i = cJSON_Duplicate(item, 1);
    if (!i)
        return 0;
    cJSON_DeleteItemFromObject(i, "kind");
    cJSON_DeleteItemFromObject(i, "etag");
    cJSON_DeleteItemFromObject(i, "serverCaCert");
    gcp_null_if_absent(i, "diskEncryptionConfiguration");
    cJSON *settings = cJSON_GetObjectItem(i, "settings");
    if (!settings)
        settings = cJSON_AddObjectToObject(i, "settings");
    if (!cJSON_GetObjectItem(settings, "databaseFlags"))
        cJSON_AddArrayToObject(settings, "databaseFlags");
    cJSON *ipc = cJSON_GetObjectItem(settings, "ipConfiguration");
    if (ipc && !cJSON_GetObjectItem(ipc, "authorizedNetworks"))
        cJSON_AddArrayToObject(ipc, "authorizedNetworks");
    char uid[300];
    snprintf(uid, sizeof uid, "//sqladmin.googleapis.com/projects/%s/instances/%s", s->t->project, name);
    gcp_emit(c, s->t, "gcp.sql.instance", uid, name, cJSON_GetStringValue(cJSON_GetObjectItem(item, "region")), i);
    s->n++;
    return gcp_cancelled(c);
}

int collect_sql(gcp_ctx *c, gcp_task *t)
{
    char base[300], url[700], code[120] = "", err[GCP_ERR_LEN] = "";
    gcp_service_url(c, "sqladmin", base, sizeof base);
    snprintf(url, sizeof url, "%s/v1/projects/%s/instances?maxResults=%u", base, t->project, c->page_size);
    svc_ctx s = {t, 0};
    int rc = gcp_list(c, url, "items", emit_sql, &s, code, sizeof code, err, sizeof err);
    gcp_outcome(c, t, rc, "cloudsql.instances.list", "Cloud SQL instances", NULL, code, err);
    gcp_log(c, PP_LOG_INFO, "%s: %lu Cloud SQL instance(s)", t->id, s.n);
    return gcp_finish(c, t);
}

/* ---- GKE ---- */

static void drop_node_secrets(cJSON *config)
{
    cJSON_DeleteItemFromObject(config, "metadata");
}

static int emit_cluster(gcp_ctx *c, const cJSON *item, void *ud)
{
    svc_ctx *s = ud;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    const char *loc = cJSON_GetStringValue(cJSON_GetObjectItem(item, "location"));
    if (!gcp_valid_name(name, 63) || !gcp_valid_name(loc, 63)) {
        gcp_log(c, PP_LOG_WARN, "%s: a GKE cluster without a valid name or location was skipped", s->t->id);
        return gcp_cancelled(c);
    }
    /* the page's own copy of the basic-auth password and client key is wiped first (it is freed with the page) */
    cJSON *orig_ma = cJSON_GetObjectItem(item, "masterAuth");
    static const char *secret_keys[] = {"password", "clientKey"};
    for (size_t i = 0; i < sizeof secret_keys / sizeof secret_keys[0]; i++) {
        cJSON *v = cJSON_GetObjectItem(orig_ma, secret_keys[i]);
        if (cJSON_IsString(v))
            explicit_bzero(v->valuestring, strlen(v->valuestring));
    }
    cJSON *k = cJSON_Duplicate(item, 1);
    if (!k)
        return 0;
    /* masterAuth: keep only whether basic auth and a client certificate are configured */
    cJSON *ma = cJSON_DetachItemFromObject(k, "masterAuth");
    const char *user = cJSON_GetStringValue(cJSON_GetObjectItem(ma, "username"));
    const char *cert = cJSON_GetStringValue(cJSON_GetObjectItem(ma, "clientCertificate"));
    cJSON *nma = cJSON_AddObjectToObject(k, "masterAuth");
    cJSON_AddBoolToObject(nma, "basicAuthEnabled", user && *user);
    cJSON_AddBoolToObject(nma, "clientCertificateIssued", cert && *cert);
    const cJSON *ccc = cJSON_GetObjectItem(ma, "clientCertificateConfig");
    if (ccc)
        cJSON_AddItemToObject(nma, "clientCertificateConfig", cJSON_Duplicate(ccc, 1));
    cJSON_Delete(ma); /* its password and client key were wiped above, in the page it was copied from */
    drop_node_secrets(cJSON_GetObjectItem(k, "nodeConfig"));
    cJSON *np;
    cJSON_ArrayForEach(np, cJSON_GetObjectItem(k, "nodePools"))
    {
        drop_node_secrets(cJSON_GetObjectItem(np, "config"));
        cJSON_DeleteItemFromObject(np, "etag");
    }
    cJSON_DeleteItemFromObject(k, "etag");
    gcp_null_if_absent(k, "privateClusterConfig");
    gcp_null_if_absent(k, "masterAuthorizedNetworksConfig");
    gcp_null_if_absent(k, "networkPolicy");
    gcp_null_if_absent(k, "workloadIdentityConfig");
    gcp_null_if_absent(k, "releaseChannel");
    gcp_null_if_absent(k, "legacyAbac");
    gcp_null_if_absent(k, "shieldedNodes");
    char uid[400];
    snprintf(uid, sizeof uid, "//container.googleapis.com/projects/%s/locations/%s/clusters/%s", s->t->project, loc,
             name);
    gcp_emit(c, s->t, "gcp.container.cluster", uid, name, loc, k);
    s->n++;
    return gcp_cancelled(c);
}

int collect_gke(gcp_ctx *c, gcp_task *t)
{
    char base[300], url[700], code[120] = "", err[GCP_ERR_LEN] = "";
    gcp_service_url(c, "container", base, sizeof base);
    snprintf(url, sizeof url, "%s/v1/projects/%s/locations/-/clusters", base, t->project);
    svc_ctx s = {t, 0};
    int rc = gcp_list(c, url, "clusters", emit_cluster, &s, code, sizeof code, err, sizeof err);
    gcp_outcome(c, t, rc, "container.clusters.list", "GKE clusters", NULL, code, err);
    gcp_log(c, PP_LOG_INFO, "%s: %lu GKE cluster(s)", t->id, s.n);
    return gcp_finish(c, t);
}

/* ---- Cloud DNS ---- */

static int emit_zone(gcp_ctx *c, const cJSON *item, void *ud)
{
    svc_ctx *s = ud;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    if (!gcp_valid_name(name, 63)) {
        gcp_log(c, PP_LOG_WARN, "%s: a managed zone without a valid name was skipped", s->t->id);
        return gcp_cancelled(c);
    }
    cJSON *z = cJSON_Duplicate(item, 1);
    if (!z)
        return 0;
    cJSON_DeleteItemFromObject(z, "kind");
    if (!cJSON_GetObjectItem(z, "visibility"))
        cJSON_AddStringToObject(z, "visibility", "public");
    cJSON *dc = cJSON_GetObjectItem(z, "dnssecConfig");
    if (!dc)
        dc = cJSON_AddObjectToObject(z, "dnssecConfig");
    if (!cJSON_GetObjectItem(dc, "state"))
        cJSON_AddStringToObject(dc, "state", "off");
    if (!cJSON_GetObjectItem(dc, "defaultKeySpecs"))
        cJSON_AddArrayToObject(dc, "defaultKeySpecs");
    char uid[300];
    snprintf(uid, sizeof uid, "//dns.googleapis.com/projects/%s/managedZones/%s", s->t->project, name);
    gcp_emit(c, s->t, "gcp.dns.managed_zone", uid, name, NULL, z);
    s->n++;
    return gcp_cancelled(c);
}

int collect_dns(gcp_ctx *c, gcp_task *t)
{
    char base[300], url[700], code[120] = "", err[GCP_ERR_LEN] = "";
    gcp_service_url(c, "dns", base, sizeof base);
    snprintf(url, sizeof url, "%s/dns/v1/projects/%s/managedZones?maxResults=%u", base, t->project, c->page_size);
    svc_ctx s = {t, 0};
    int rc = gcp_list(c, url, "managedZones", emit_zone, &s, code, sizeof code, err, sizeof err);
    gcp_outcome(c, t, rc, "dns.managedZones.list", "Cloud DNS managed zones", NULL, code, err);
    gcp_log(c, PP_LOG_INFO, "%s: %lu managed zone(s)", t->id, s.n);
    return gcp_finish(c, t);
}

/* ---- Cloud KMS: locations -> key rings -> crypto keys (+ IAM policy) ---- */

static int safe_resource_name(const char *n)
{
    return n && strncmp(n, "projects/", 9) == 0 && strlen(n) < 400 && !strpbrk(n, "?#% \\\"");
}

static int emit_key(gcp_ctx *c, const cJSON *item, void *ud)
{
    svc_ctx *s = ud;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    if (!safe_resource_name(name) || !strstr(name, "/cryptoKeys/")) {
        gcp_log(c, PP_LOG_WARN, "%s: a crypto key without a valid name was skipped", s->t->id);
        return gcp_cancelled(c);
    }
    cJSON *k = cJSON_Duplicate(item, 1);
    if (!k)
        return 0;
    gcp_null_if_absent(k, "rotationPeriod"); /* null: never rotated automatically */
    char base[300], url[900], uid[500], loc[80] = "", code[120] = "", err[GCP_ERR_LEN] = "";
    gcp_service_url(c, "cloudkms", base, sizeof base);
    snprintf(url, sizeof url, "%s/v1/%s:getIamPolicy", base, name);
    snprintf(uid, sizeof uid, "//cloudkms.googleapis.com/%s", name);
    cJSON *pol = NULL;
    int rc = gcp_get_json(c, url, &pol, code, sizeof code, err, sizeof err);
    if (rc == GCP_OK) {
        cJSON_DeleteItemFromObject(pol, "etag");
        if (!cJSON_GetObjectItem(pol, "bindings"))
            cJSON_AddArrayToObject(pol, "bindings");
        cJSON_AddItemToObject(k, "iamPolicy", pol);
    } else if (gcp_outcome(c, s->t, rc, "cloudkms.cryptoKeys.getIamPolicy", "a crypto key IAM policy", uid, code,
                           err) != 0) {
        cJSON_Delete(k);
        return 1;
    }
    const char *l = strstr(name, "/locations/");
    if (l) {
        l += strlen("/locations/");
        snprintf(loc, sizeof loc, "%.*s", (int)strcspn(l, "/"), l);
    }
    /* name shown: KEYRING/KEY */
    const char *kr = strstr(name, "/keyRings/"), *ck = strstr(name, "/cryptoKeys/");
    char shown[300];
    if (kr && ck > kr) {
        kr += strlen("/keyRings/");
        snprintf(shown, sizeof shown, "%.*s/%s", (int)(ck - kr), kr, ck + strlen("/cryptoKeys/"));
    } else {
        snprintf(shown, sizeof shown, "%s", gcp_last_segment(name));
    }
    gcp_emit(c, s->t, "gcp.kms.crypto_key", uid, shown, loc, k);
    s->n++;
    return gcp_cancelled(c);
}

static int list_keys_of_ring(gcp_ctx *c, const cJSON *item, void *ud)
{
    svc_ctx *s = ud;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    if (!safe_resource_name(name)) {
        gcp_log(c, PP_LOG_WARN, "%s: a key ring without a valid name was skipped", s->t->id);
        return gcp_cancelled(c);
    }
    char base[300], url[900], uid[500], code[120] = "", err[GCP_ERR_LEN] = "";
    gcp_service_url(c, "cloudkms", base, sizeof base);
    snprintf(url, sizeof url, "%s/v1/%s/cryptoKeys?pageSize=%u", base, name, c->page_size);
    snprintf(uid, sizeof uid, "//cloudkms.googleapis.com/%s", name);
    int rc = gcp_list(c, url, "cryptoKeys", emit_key, s, code, sizeof code, err, sizeof err);
    if (rc == GCP_E_CANCELLED)
        return 1;
    return gcp_outcome(c, s->t, rc, "cloudkms.cryptoKeys.list", "crypto keys", uid, code, err) != 0;
}

static int list_rings_of_location(gcp_ctx *c, const cJSON *item, void *ud)
{
    svc_ctx *s = ud;
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(item, "locationId"));
    if (!gcp_valid_name(id, 63))
        return gcp_cancelled(c);
    char base[300], url[900], code[120] = "", err[GCP_ERR_LEN] = "";
    gcp_service_url(c, "cloudkms", base, sizeof base);
    snprintf(url, sizeof url, "%s/v1/projects/%s/locations/%s/keyRings?pageSize=%u", base, s->t->project, id,
             c->page_size);
    int rc = gcp_list(c, url, "keyRings", list_keys_of_ring, s, code, sizeof code, err, sizeof err);
    if (rc == GCP_E_CANCELLED)
        return 1;
    return gcp_outcome(c, s->t, rc, "cloudkms.keyRings.list", "KMS key rings", NULL, code, err) != 0;
}

int collect_kms(gcp_ctx *c, gcp_task *t)
{
    char base[300], url[700], code[120] = "", err[GCP_ERR_LEN] = "";
    gcp_service_url(c, "cloudkms", base, sizeof base);
    snprintf(url, sizeof url, "%s/v1/projects/%s/locations?pageSize=%u", base, t->project, c->page_size);
    svc_ctx s = {t, 0};
    int rc = gcp_list(c, url, "locations", list_rings_of_location, &s, code, sizeof code, err, sizeof err);
    if (rc != GCP_E_CANCELLED) /* a callback's own stop has been accounted for */
        gcp_outcome(c, t, rc, "cloudkms.locations.list", "KMS locations", NULL, code, err);
    gcp_log(c, PP_LOG_INFO, "%s: %lu crypto key(s)", t->id, s.n);
    return gcp_finish(c, t);
}

/* ---- BigQuery ---- */

static int emit_dataset(gcp_ctx *c, const cJSON *item, void *ud)
{
    svc_ctx *s = ud;
    const cJSON *ref = cJSON_GetObjectItem(item, "datasetReference");
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(ref, "datasetId"));
    if (!gcp_valid_name(id, 1024)) {
        gcp_log(c, PP_LOG_WARN, "%s: a dataset without a valid id was skipped", s->t->id);
        return gcp_cancelled(c);
    }
    char base[300], url[1400], uid[1200], code[120] = "", err[GCP_ERR_LEN] = "";
    gcp_service_url(c, "bigquery", base, sizeof base);
    snprintf(url, sizeof url, "%s/bigquery/v2/projects/%s/datasets/%s", base, s->t->project, id);
    snprintf(uid, sizeof uid, "//bigquery.googleapis.com/projects/%s/datasets/%s", s->t->project, id);
    cJSON *d = NULL;
    int rc = gcp_get_json(c, url, &d, code, sizeof code, err, sizeof err);
    if (rc != GCP_OK)
        return gcp_outcome(c, s->t, rc, "bigquery.datasets.get", "a BigQuery dataset", uid, code, err) != 0;
    cJSON_DeleteItemFromObject(d, "kind");
    cJSON_DeleteItemFromObject(d, "etag");
    if (!cJSON_GetObjectItem(d, "access"))
        cJSON_AddArrayToObject(d, "access");
    gcp_null_if_absent(d, "defaultEncryptionConfiguration");
    char region[80];
    gcp_lower(cJSON_GetStringValue(cJSON_GetObjectItem(d, "location")), region, sizeof region);
    gcp_emit(c, s->t, "gcp.bigquery.dataset", uid, id, region, d);
    s->n++;
    return gcp_cancelled(c);
}

int collect_bigquery(gcp_ctx *c, gcp_task *t)
{
    char base[300], url[700], code[120] = "", err[GCP_ERR_LEN] = "";
    gcp_service_url(c, "bigquery", base, sizeof base);
    snprintf(url, sizeof url, "%s/bigquery/v2/projects/%s/datasets?all=true&maxResults=%u", base, t->project,
             c->page_size);
    svc_ctx s = {t, 0};
    int rc = gcp_list(c, url, "datasets", emit_dataset, &s, code, sizeof code, err, sizeof err);
    gcp_outcome(c, t, rc, "bigquery.datasets.get", "BigQuery datasets", NULL, code, err);
    gcp_log(c, PP_LOG_INFO, "%s: %lu dataset(s)", t->id, s.n);
    return gcp_finish(c, t);
}
