/*
 * collect_blob.c - the Blob service data plane of one storage account,
 * without ARM: List Containers (with NextMarker pages) and Get Blob
 * Service Properties, authorized by Shared Key or a SAS token.
 *
 * Used in two ways: data-plane mode (-o azure.blob_endpoint, a key or SAS
 * from the user) and, in ARM mode, for each discovered storage account
 * whose key ARM's listKeys gave us (collect_blob_arm_account).
 *
 * Resources (docs/azure.md):
 *   azure.storage.container     uid ENDPOINT/CONTAINER (ARM mode: the container's ARM id)
 *   azure.storage.blob_service  uid ENDPOINT (ARM mode: ACCOUNT_ID/blobServices/default)
 * Both are shaped like their ARM counterparts (blobServices/containers,
 * blobServices/default) so one rule judges either source; logging, which
 * only the data plane returns, is added under properties.logging.
 * In ARM mode the same key also reads the Queue service's properties
 * (azure.storage.queue_service) and the Table service's logging, which is
 * added to the account itself (tableServiceProperties.logging); the Table
 * service signs with its own, shorter Shared Key layout.
 */
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../aws/aws_buf.h"
#include "../aws/aws_xml.h"
#include "az_emit.h"
#include "az_util.h"
#include "collectors.h"
#include "storage_sharedkey.h"

#define BLOB_API_VERSION "2021-08-06"
#define BLOB_MAX_PAGES 100000

typedef struct blob_auth {
    unsigned char *key; /* decoded account key, or NULL */
    size_t keylen;
    char *sas; /* SAS query (without '?'), or NULL */
} blob_auth;

static void blob_auth_free(blob_auth *a)
{
    if (a->key) {
        explicit_bzero(a->key, a->keylen);
        free(a->key);
    }
    az_wipe_free(a->sas);
    memset(a, 0, sizeof *a);
}

static int blob_auth_load(azure_ctx *c, blob_auth *a, char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    char *v = NULL;
    size_t len = 0;
    if (c->storage_key_ref) {
        if (c->api->secret(c->h, c->storage_key_ref, &v, &len) != PP_OK) {
            snprintf(err, errlen, "azure.storage_key (%s) could not be resolved", az_ref_for_msg(c->storage_key_ref));
            return -1;
        }
        a->key = az_b64_decode(v, &a->keylen);
        c->api->secret_free(c->h, v, len);
        if (!a->key || a->keylen < 16) {
            blob_auth_free(a);
            snprintf(err, errlen, "azure.storage_key is not a base64 storage account key");
            return -1;
        }
        return 0;
    }
    if (c->storage_sas_ref) {
        if (c->api->secret(c->h, c->storage_sas_ref, &v, &len) != PP_OK) {
            snprintf(err, errlen, "azure.storage_sas (%s) could not be resolved", az_ref_for_msg(c->storage_sas_ref));
            return -1;
        }
        const char *s = v[0] == '?' ? v + 1 : v;
        if (!strstr(s, "sig=") || strpbrk(s, " \r\n#")) {
            c->api->secret_free(c->h, v, len);
            snprintf(err, errlen, "azure.storage_sas is not a SAS token (a query string with sig=...)");
            return -1;
        }
        a->sas = strdup(s);
        c->api->secret_free(c->h, v, len);
        if (!a->sas) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        return 0;
    }
    snprintf(err, errlen, "azure.blob_endpoint needs azure.storage_key or azure.storage_sas");
    return -1;
}

/* The path of the endpoint URL ("/devstoreaccount1" for Azurite, "" for *.blob.core.windows.net). */
static const char *endpoint_path(const char *ep)
{
    const char *s = strstr(ep, "://");
    s = s ? s + 3 : ep;
    const char *p = strchr(s, '/');
    return p ? p : "";
}

/* The storage service's error code from an <Error><Code> body, into @code. */
static void storage_error_code(const pp_http_response *r, char *code, size_t len)
{
    snprintf(code, len, "HTTP%ld", r->status);
    char e[100];
    xml_node *x = r->body_len ? xml_parse(r->body, r->body_len, e, sizeof e) : NULL;
    const char *cd = xml_text_at(x, "Code");
    if (cd && *cd)
        snprintf(code, len, "%.100s", cd);
    xml_free(x);
}

enum { BLOB_OK = 0, BLOB_FAIL = -1, BLOB_DENIED = -2, BLOB_AUTH = -3 };
enum { SVC_BLOB = 0, SVC_QUEUE = 1, SVC_TABLE = 2 };

/* One account's Blob service as this file talks to it. */
typedef struct blob_target {
    const char *endpoint;    /* without trailing '/' */
    const char *account;     /* the storage account name (signs Shared Key requests) */
    const char *rec_account; /* the records' account: the storage account, or the subscription in ARM mode */
    const char *arm_id;      /* ARM mode: the account's ARM id (uids are ARM ids); NULL in data-plane mode */
    const char *region;      /* ARM mode: the account's location */
    const char *key_option;  /* what an error names: "azure.storage_key" or "the key from listKeys" */
    const blob_auth *auth;
    int service; /* SVC_BLOB, or (ARM mode, properties only) SVC_QUEUE / SVC_TABLE */
} blob_target;

/* GET ENDPOINT[/]?QUERY, signed or with the SAS. On BLOB_OK the parsed XML in *out. */
static int blob_get(azure_ctx *c, const blob_target *bt, const char *query, xml_node **out, char *code, size_t codelen,
                    char *err, size_t errlen)
{
    const blob_auth *a = bt->auth;
    *out = NULL;
    code[0] = '\0';
    const char *path = endpoint_path(bt->endpoint);
    char url[4096];
    int w = snprintf(url, sizeof url, "%s%s?%s%s%s", bt->endpoint, *path ? "" : "/", query, a->sas ? "&" : "",
                     a->sas ? a->sas : "");
    if (w < 0 || (size_t)w >= sizeof url) {
        snprintf(err, errlen, "blob request URL too long");
        return BLOB_FAIL;
    }
    char date[40], auth[256];
    az_rfc1123(az_now(), date, sizeof date);
    pp_http_header hd[3] = {{"x-ms-date", date}, {"x-ms-version", BLOB_API_VERSION}, {"Authorization", auth}};
    size_t nh = 2;
    if (a->key) {
        char *sts = bt->service == SVC_TABLE
                        ? az_sharedkey_table_string_to_sign("GET", bt->account, *path ? path : "/", query, hd, 2)
                        : az_sharedkey_string_to_sign("GET", bt->account, *path ? path : "/", query, hd, 2, 0);
        if (!sts || az_sharedkey_authorization(bt->account, a->key, a->keylen, sts, auth, sizeof auth) != 0) {
            free(sts);
            snprintf(err, errlen, "could not sign the blob request");
            return BLOB_FAIL;
        }
        free(sts);
        nh = 3;
    }
    pp_http_response *r = NULL;
    int rc = az_http(c, "GET", url, hd, nh, NULL, 0, "blob service", &r, err, errlen);
    explicit_bzero(auth, sizeof auth);
    if (rc != PP_OK)
        return rc == PP_ERR_CANCELLED ? AZ_E_CANCELLED : BLOB_FAIL;
    char shown[300];
    az_url_for_log(url, shown, sizeof shown);
    int result = BLOB_OK;
    if (r->status == 200) {
        char xe[200];
        *out = xml_parse(r->body, r->body_len, xe, sizeof xe);
        if (!*out) {
            snprintf(err, errlen, "%.250s: the response is not valid XML (%.150s)", shown, xe);
            result = BLOB_FAIL;
        }
    } else {
        storage_error_code(r, code, codelen);
        /* A Shared Key may do anything, so any 403 means the key (or the account's firewall) is refused;
         * a SAS may lack a permission, which is a denial of that call only. Azurite answers a bad
         * signature with AuthorizationFailure, Azure with AuthenticationFailed. */
        int auth_failed = r->status == 401 || strcmp(code, "AuthenticationFailed") == 0 ||
                          strcmp(code, "AuthorizationFailure") == 0 || (r->status == 403 && a->key);
        if (auth_failed) {
            snprintf(err, errlen,
                     "the storage account %s refused our %s (HTTP %ld %s): check that %s holds a valid %s for "
                     "this account, and that the account's firewall admits this client",
                     bt->account, a->key ? "Shared Key signature" : "SAS token", r->status, code, bt->key_option,
                     a->key ? "key" : "SAS token");
            result = BLOB_AUTH;
        } else if (r->status == 403 || r->status == 401) {
            snprintf(err, errlen, "%s: HTTP %ld %s", shown, r->status, code);
            result = BLOB_DENIED;
        } else {
            snprintf(err, errlen, "%s: HTTP %ld %s", shown, r->status, code);
            result = BLOB_FAIL;
        }
    }
    c->api->http_free(c->h, r);
    return result;
}

/* "Sun, 29 Nov 2026 00:01:02 GMT" -> "2026-11-29T00:01:02Z"; NULL when it does not parse. */
static cJSON *rfc1123_to_3339(const char *s)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    char mon[4] = "", wd[4] = "";
    int d, y, hh, mm, ss;
    if (!s || sscanf(s, "%3s, %d %3s %d %d:%d:%d GMT", wd, &d, mon, &y, &hh, &mm, &ss) != 7)
        return NULL;
    const char *m = strstr(months, mon);
    if (!m || strlen(mon) != 3 || (m - months) % 3 || d < 1 || d > 31 || y < 1970 || y > 9999 || hh > 23 || mm > 59 ||
        ss > 60 || hh < 0 || mm < 0 || ss < 0)
        return NULL;
    char out[64];
    snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, (int)((m - months) / 3) + 1, d, hh, mm, ss);
    return cJSON_CreateString(out);
}

/* "unlocked" -> "Unlocked": ARM spells the lease enums capitalised. */
static void add_capitalised(cJSON *o, const char *key, const char *v)
{
    if (!v)
        return;
    char buf[64];
    snprintf(buf, sizeof buf, "%s", v);
    buf[0] = (char)toupper((unsigned char)buf[0]);
    cJSON_AddStringToObject(o, key, buf);
}

static void add_bool(cJSON *o, const char *key, const xml_node *n, const char *path)
{
    const char *v = xml_text_at(n, path);
    if (v && (strcmp(v, "true") == 0 || strcmp(v, "false") == 0))
        cJSON_AddBoolToObject(o, key, strcmp(v, "true") == 0);
}

static void add_int(cJSON *o, const char *key, const xml_node *n, const char *path)
{
    const char *v = xml_text_at(n, path);
    if (v && *v) {
        char *end;
        long x = strtol(v, &end, 10);
        if (*end == '\0' && x >= 0 && x <= 1000000)
            cJSON_AddNumberToObject(o, key, (double)x);
    }
}

cJSON *storage_container_json(const xml_node *ct)
{
    const char *name = xml_text_at(ct, "Name");
    if (!name || !*name)
        return NULL;
    const xml_node *p = xml_child(ct, "Properties");
    cJSON *d = cJSON_CreateObject();
    cJSON *props = cJSON_AddObjectToObject(d, "properties");
    /* absent PublicAccess means private; ARM spells the levels None / Blob / Container */
    const char *pa = xml_text_at(p, "PublicAccess");
    cJSON_AddStringToObject(props, "publicAccess",
                            !pa || !*pa                    ? "None"
                            : strcmp(pa, "container") == 0 ? "Container"
                            : strcmp(pa, "blob") == 0      ? "Blob"
                                                           : pa);
    cJSON *lm = rfc1123_to_3339(xml_text_at(p, "Last-Modified"));
    if (lm)
        cJSON_AddItemToObject(props, "lastModifiedTime", lm);
    add_capitalised(props, "leaseStatus", xml_text_at(p, "LeaseStatus"));
    add_capitalised(props, "leaseState", xml_text_at(p, "LeaseState"));
    add_bool(props, "hasImmutabilityPolicy", p, "HasImmutabilityPolicy");
    add_bool(props, "hasLegalHold", p, "HasLegalHold");
    const char *es = xml_text_at(p, "DefaultEncryptionScope");
    if (es)
        cJSON_AddStringToObject(props, "defaultEncryptionScope", es);
    add_bool(props, "denyEncryptionScopeOverride", p, "DenyEncryptionScopeOverride");
    return d;
}

static cJSON *split_list(const char *s)
{
    cJSON *a = cJSON_CreateArray();
    while (s && *s) {
        size_t n = strcspn(s, ",");
        char item[512];
        snprintf(item, sizeof item, "%.*s", (int)(n < sizeof item ? n : sizeof item - 1), s);
        char *b = item;
        while (*b == ' ')
            b++;
        if (*b)
            cJSON_AddItemToArray(a, cJSON_CreateString(b));
        s += n;
        if (*s == ',')
            s++;
    }
    return a;
}

static cJSON *retention(const xml_node *rp)
{
    cJSON *o = cJSON_CreateObject();
    add_bool(o, "enabled", rp, "Enabled");
    add_int(o, "days", rp, "Days");
    return o;
}

static cJSON *metrics(const xml_node *m)
{
    cJSON *o = cJSON_CreateObject();
    const char *v = xml_text_at(m, "Version");
    if (v)
        cJSON_AddStringToObject(o, "version", v);
    add_bool(o, "enabled", m, "Enabled");
    add_bool(o, "includeAPIs", m, "IncludeAPIs");
    if (xml_child(m, "RetentionPolicy"))
        cJSON_AddItemToObject(o, "retentionPolicy", retention(xml_child(m, "RetentionPolicy")));
    return o;
}

cJSON *storage_service_json(const xml_node *sp)
{
    if (!sp || strcmp(sp->name, "StorageServiceProperties") != 0)
        return NULL;
    cJSON *d = cJSON_CreateObject();
    cJSON *props = cJSON_AddObjectToObject(d, "properties");
    const xml_node *lg = xml_child(sp, "Logging");
    if (lg) {
        cJSON *o = cJSON_AddObjectToObject(props, "logging");
        const char *v = xml_text_at(lg, "Version");
        if (v)
            cJSON_AddStringToObject(o, "version", v);
        add_bool(o, "delete", lg, "Delete");
        add_bool(o, "read", lg, "Read");
        add_bool(o, "write", lg, "Write");
        if (xml_child(lg, "RetentionPolicy"))
            cJSON_AddItemToObject(o, "retentionPolicy", retention(xml_child(lg, "RetentionPolicy")));
    }
    if (xml_child(sp, "HourMetrics"))
        cJSON_AddItemToObject(props, "hourMetrics", metrics(xml_child(sp, "HourMetrics")));
    if (xml_child(sp, "MinuteMetrics"))
        cJSON_AddItemToObject(props, "minuteMetrics", metrics(xml_child(sp, "MinuteMetrics")));
    const xml_node *cors = xml_child(sp, "Cors");
    if (cors) {
        cJSON *rules = cJSON_AddArrayToObject(cJSON_AddObjectToObject(props, "cors"), "corsRules");
        for (const xml_node *r = xml_child(cors, "CorsRule"); r; r = xml_next(r)) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddItemToObject(o, "allowedOrigins", split_list(xml_text_at(r, "AllowedOrigins")));
            cJSON_AddItemToObject(o, "allowedMethods", split_list(xml_text_at(r, "AllowedMethods")));
            cJSON_AddItemToObject(o, "allowedHeaders", split_list(xml_text_at(r, "AllowedHeaders")));
            cJSON_AddItemToObject(o, "exposedHeaders", split_list(xml_text_at(r, "ExposedHeaders")));
            add_int(o, "maxAgeInSeconds", r, "MaxAgeInSeconds");
            cJSON_AddItemToArray(rules, o);
        }
    }
    const xml_node *drp = xml_child(sp, "DeleteRetentionPolicy");
    if (drp)
        cJSON_AddItemToObject(props, "deleteRetentionPolicy", retention(drp));
    const char *dsv = xml_text_at(sp, "DefaultServiceVersion");
    if (dsv && *dsv)
        cJSON_AddStringToObject(props, "defaultServiceVersion", dsv);
    const xml_node *sw = xml_child(sp, "StaticWebsite");
    if (sw) {
        cJSON *o = cJSON_AddObjectToObject(props, "staticWebsite");
        add_bool(o, "enabled", sw, "Enabled");
        const char *idx = xml_text_at(sw, "IndexDocument");
        if (idx)
            cJSON_AddStringToObject(o, "indexDocument", idx);
    }
    return d;
}

/* Outcome of a call for the task: denied -> finding; auth/other -> error of the task. */
static int blob_outcome(azure_ctx *c, az_task *t, const blob_target *bt, int rc, const char *permission,
                        const char *what, const char *code, const char *err)
{
    if (rc == BLOB_OK)
        return 0;
    if (rc == BLOB_DENIED) {
        az_emit_denied(c, t, permission, what, bt->arm_id ? bt->arm_id : bt->endpoint, bt->rec_account, code);
        return 0;
    }
    if (bt->arm_id) { /* ARM mode: the caller falls back to ARM's view; a warning, not an error of the task */
        az_log(c, PP_LOG_WARN, "%s: %s", t->id, err);
        return -1;
    }
    t->errors++;
    az_set_error("%s", err);
    az_log(c, PP_LOG_ERROR, "%s: %s", t->id, err);
    return -1;
}

static int list_containers(azure_ctx *c, az_task *t, const blob_target *bt, unsigned long *emitted)
{
    char *marker = NULL;
    int rc = 0;
    unsigned long n = 0;
    for (unsigned page = 0; page < BLOB_MAX_PAGES; page++) {
        if (az_cancelled(c)) {
            rc = AZ_E_CANCELLED;
            break;
        }
        char query[1200], code[120], err[AZ_ERR_LEN] = "";
        char *em = marker ? az_form_encode(marker) : NULL;
        snprintf(query, sizeof query, "comp=list&maxresults=%u%s%s", c->blob_page_size, em ? "&marker=" : "",
                 em ? em : "");
        free(em);
        xml_node *x = NULL;
        int r = blob_get(c, bt, query, &x, code, sizeof code, err, sizeof err);
        if (r == AZ_E_CANCELLED) {
            rc = r;
            break;
        }
        if (blob_outcome(c, t, bt, r, "Microsoft.Storage/storageAccounts/blobServices/containers/read",
                         "blob containers", code, err) != 0) {
            rc = -1;
            break;
        }
        if (!x)
            break; /* denied: the finding is out */
        if (strcmp(x->name, "EnumerationResults") != 0) {
            az_set_error("%s: List Containers answered <%s>, not <EnumerationResults>", t->id, x->name);
            xml_free(x);
            rc = -1;
            break;
        }
        for (const xml_node *ct = xml_path(x, "Containers/Container"); ct; ct = xml_next(ct)) {
            const char *name = xml_text_at(ct, "Name");
            cJSON *d = storage_container_json(ct);
            if (!d) {
                az_log(c, PP_LOG_WARN, "%s: a container without a name was skipped", t->id);
                continue;
            }
            char uid[1600];
            if (bt->arm_id)
                snprintf(uid, sizeof uid, "%s/blobServices/default/containers/%s", bt->arm_id, name);
            else
                snprintf(uid, sizeof uid, "%s/%s", bt->endpoint, name);
            cJSON_AddStringToObject(d, "storageAccount", bt->account);
            az_emit_resource(c, "azure.storage.container", uid, name, bt->rec_account, bt->region, d, NULL);
            n++;
            (*emitted)++;
        }
        const char *nm = xml_text_at(x, "NextMarker");
        if (nm && strlen(nm) > 300) { /* container names are at most 63 characters; a marker is not a blob */
            xml_free(x);
            az_set_error("%s: List Containers returned a NextMarker of %zu bytes; refused", t->id, strlen(nm));
            rc = -1;
            break;
        }
        char *next = nm && *nm ? strdup(nm) : NULL;
        xml_free(x);
        c->api->progress(c->h, n, 0, "containers");
        if (!next)
            break;
        if (marker && strcmp(marker, next) == 0) {
            free(next);
            az_set_error("%s: List Containers returned the same NextMarker twice", t->id);
            rc = -1;
            break;
        }
        free(marker);
        marker = next;
    }
    free(marker);
    az_log(c, PP_LOG_INFO, "%s: %lu container(s)", t->id, n);
    return rc;
}

static const char *const service_permission[] = {"Microsoft.Storage/storageAccounts/blobServices/read",
                                                 "Microsoft.Storage/storageAccounts/queueServices/read",
                                                 "Microsoft.Storage/storageAccounts/tableServices/read"};
static const char *const service_what[] = {"blob service properties", "queue service properties",
                                           "table service properties"};

/*
 * Get (Blob, Queue or Table) Service Properties: the same XML for the three services. Blob and Queue
 * become their own resources; for the Table service the logging is added to @account_body (ARM mode)
 * under tableServiceProperties.logging, and nothing is emitted.
 */
static int service_properties(azure_ctx *c, az_task *t, const blob_target *bt, cJSON *account_body)
{
    char code[120], err[AZ_ERR_LEN] = "";
    xml_node *x = NULL;
    int r = blob_get(c, bt, "restype=service&comp=properties", &x, code, sizeof code, err, sizeof err);
    if (r == AZ_E_CANCELLED)
        return r;
    if (blob_outcome(c, t, bt, r, service_permission[bt->service], service_what[bt->service], code, err) != 0)
        return -1;
    if (!x)
        return 0;
    cJSON *d = storage_service_json(x);
    xml_free(x);
    if (!d) {
        if (bt->arm_id) {
            az_log(c, PP_LOG_WARN, "%s: Get Service Properties of %s answered no <StorageServiceProperties>", t->id,
                   bt->account);
            return -1;
        }
        az_set_error("%s: Get Blob Service Properties answered no <StorageServiceProperties>", t->id);
        return -1;
    }
    if (bt->service == SVC_TABLE) {
        cJSON *lg = cJSON_DetachItemFromObject(cJSON_GetObjectItem(d, "properties"), "logging");
        cJSON_Delete(d);
        if (!lg) {
            az_log(c, PP_LOG_WARN, "%s: the table service of %s answered no <Logging>", t->id, bt->account);
            return -1;
        }
        if (account_body)
            cJSON_AddItemToObject(cJSON_AddObjectToObject(account_body, "tableServiceProperties"), "logging", lg);
        else
            cJSON_Delete(lg);
        return 0;
    }
    cJSON_AddStringToObject(d, "storageAccount", bt->account);
    char uid[1600];
    snprintf(uid, sizeof uid, "%s%s", bt->arm_id ? bt->arm_id : bt->endpoint,
             !bt->arm_id                ? ""
             : bt->service == SVC_QUEUE ? "/queueServices/default"
                                        : "/blobServices/default");
    az_emit_resource(c, bt->service == SVC_QUEUE ? "azure.storage.queue_service" : "azure.storage.blob_service", uid,
                     "default", bt->rec_account, bt->region, d, NULL);
    return 0;
}

int collect_blob(azure_ctx *c, az_task *t)
{
    blob_auth a;
    char err[AZ_ERR_LEN];
    if (blob_auth_load(c, &a, err, sizeof err) != 0) {
        az_set_error("%s", err);
        return PP_ERR_INVALID;
    }
    blob_target bt = {c->blob_endpoint, c->storage_account, c->storage_account, NULL, NULL, "azure.storage_key", &a,
                      SVC_BLOB};
    if (a.sas)
        bt.key_option = "azure.storage_sas";
    unsigned long n = 0;
    int rc = service_properties(c, t, &bt, NULL);
    if (rc == 0)
        rc = list_containers(c, t, &bt, &n);
    blob_auth_free(&a);
    if (rc == AZ_E_CANCELLED)
        return PP_ERR_CANCELLED;
    return rc == 0 ? PP_OK : PP_ERR;
}

/* @endpoint without its trailing slashes; malloc'd or NULL. */
static char *trimmed(const char *endpoint)
{
    size_t n = strlen(endpoint);
    while (n && endpoint[n - 1] == '/')
        n--;
    return strndup(endpoint, n);
}

int collect_blob_arm_account(azure_ctx *c, az_task *t, const char *arm_id, const char *account, const char *region,
                             const char *endpoint, const char *queue_endpoint, const char *table_endpoint,
                             cJSON *account_body, const unsigned char *key, size_t keylen)
{
    blob_auth a = {(unsigned char *)key, keylen, NULL}; /* borrowed: the caller wipes it */
    char *ep = trimmed(endpoint);
    if (!ep)
        return -1;
    blob_target bt = {ep, account, t->subscription, arm_id, region, "the key that listKeys returned", &a, SVC_BLOB};
    unsigned long emitted = 0;
    int rc = service_properties(c, t, &bt, NULL);
    if (rc == 0)
        rc = list_containers(c, t, &bt, &emitted);
    free(ep);
    if (rc != AZ_E_CANCELLED && queue_endpoint && (ep = trimmed(queue_endpoint)) != NULL) {
        /* the Queue service's logging (same key, same signature scheme); a failure is a warning only */
        blob_target qt = {ep, account,  t->subscription, arm_id, region, "the key that listKeys returned",
                          &a, SVC_QUEUE};
        if (service_properties(c, t, &qt, NULL) == AZ_E_CANCELLED)
            rc = AZ_E_CANCELLED;
        free(ep);
    }
    if (rc != AZ_E_CANCELLED && table_endpoint && (ep = trimmed(table_endpoint)) != NULL) {
        /* the Table service's logging, into the account's own data; a failure leaves it absent (a warning) */
        blob_target tt = {ep, account,  t->subscription, arm_id, region, "the key that listKeys returned",
                          &a, SVC_TABLE};
        if (service_properties(c, t, &tt, account_body) == AZ_E_CANCELLED)
            rc = AZ_E_CANCELLED;
        free(ep);
    }
    if (rc == AZ_E_CANCELLED)
        return rc;
    if (rc != 0 && emitted == 0)
        return -1; /* nothing of the containers arrived: ARM's list stands in */
    return 0;
}
