/*
 * collect_gcp.c - the gcp collectors of Cloud Storage (buckets with their
 * IAM policies) and IAM (service accounts and their user-managed keys).
 * Shapes: docs/resources/gcp.md (the REST resource as the API returns it).
 * A denied call becomes an error finding "gcp-collection-access-denied"
 * naming the IAM permission (gcp_outcome).
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcp_ctx.h"

typedef struct list_ctx {
    gcp_task *t;
    unsigned long n;
} list_ctx;

static int emit_bucket(gcp_ctx *c, const cJSON *item, void *ud)
{
    list_ctx *l = ud;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    if (!gcp_valid_name(name, 222)) {
        gcp_log(c, PP_LOG_WARN, "%s: a bucket without a valid name was skipped", l->t->id);
        return gcp_cancelled(c);
    }
    cJSON *b = cJSON_Duplicate(item, 1);
    if (!b)
        return 0;
    cJSON_DeleteItemFromObject(b, "kind");
    gcp_null_if_absent(b, "logging");
    gcp_null_if_absent(b, "encryption");
    gcp_null_if_absent(b, "retentionPolicy");
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
        gcp_outcome(c, l->t, rc, "storage.buckets.getIamPolicy", "a bucket IAM policy", uid, code, err);
    }
    char region[80];
    gcp_lower(cJSON_GetStringValue(cJSON_GetObjectItem(b, "location")), region, sizeof region);
    gcp_emit(c, l->t, "gcp.storage.bucket", uid, name, region, b);
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
    gcp_outcome(c, t, rc, "storage.buckets.list", "Cloud Storage buckets", NULL, code, err);
    gcp_log(c, PP_LOG_INFO, "%s: %lu bucket(s)", t->id, l.n);
    return gcp_finish(c, t);
}

/* ---- IAM: user-managed service-account keys ---- */

typedef struct sa_ctx {
    gcp_task *t;
    unsigned long n;
    unsigned long accounts;
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
    gcp_emit(c, s->t, "gcp.iam.service_account_key", uid, short_name, NULL, k);
    s->n++;
    return gcp_cancelled(c);
}

/* One service account: emitted as gcp.iam.service_account, then its user-managed keys listed. */
static int list_keys(gcp_ctx *c, const cJSON *item, void *ud)
{
    sa_ctx *s = ud;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(item, "name"));
    const char *email = cJSON_GetStringValue(cJSON_GetObjectItem(item, "email"));
    if (!name || strncmp(name, "projects/", 9) != 0 || strlen(name) > 300 || strpbrk(name, "?#% ")) {
        gcp_log(c, PP_LOG_WARN, "%s: a service account without a valid name was skipped", s->t->id);
        return gcp_cancelled(c);
    }
    char base[300], url[900], code[120] = "", err[GCP_ERR_LEN] = "", uid[400];
    gcp_service_url(c, "iam", base, sizeof base);
    snprintf(url, sizeof url, "%s/v1/%s/keys?keyTypes=USER_MANAGED", base, name);
    snprintf(uid, sizeof uid, "//iam.googleapis.com/%s", name);
    cJSON *acct = cJSON_Duplicate(item, 1);
    if (acct) {
        cJSON_DeleteItemFromObject(acct, "etag");
        if (!cJSON_GetObjectItem(acct, "disabled"))
            cJSON_AddFalseToObject(acct, "disabled");
        gcp_emit(c, s->t, "gcp.iam.service_account", uid, email ? email : gcp_last_segment(name), NULL, acct);
        s->accounts++;
    }
    cJSON *r = NULL;
    int rc = gcp_get_json(c, url, &r, code, sizeof code, err, sizeof err);
    if (rc == GCP_OK) {
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(r, "keys")) emit_key(c, it, s);
        cJSON_Delete(r);
    } else {
        gcp_outcome(c, s->t, rc, "iam.serviceAccountKeys.list", "service-account keys", uid, code, err);
    }
    return gcp_cancelled(c);
}

int collect_iam(gcp_ctx *c, gcp_task *t)
{
    char base[300], url[700], code[120] = "", err[GCP_ERR_LEN] = "";
    gcp_service_url(c, "iam", base, sizeof base);
    snprintf(url, sizeof url, "%s/v1/projects/%s/serviceAccounts?pageSize=%u", base, t->project,
             c->page_size > 100 ? 100 : c->page_size);
    sa_ctx s = {t, 0, 0};
    int rc = gcp_list(c, url, "accounts", list_keys, &s, code, sizeof code, err, sizeof err);
    gcp_outcome(c, t, rc, "iam.serviceAccounts.list", "service accounts", NULL, code, err);
    gcp_log(c, PP_LOG_INFO, "%s: %lu service account(s), %lu user-managed key(s)", t->id, s.accounts, s.n);
    return gcp_finish(c, t);
}

