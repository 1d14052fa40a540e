/*
 * collect_s3.c - S3 buckets, once per account: ListBuckets
 * (ContinuationToken pagination), then per bucket its region, ACL, policy
 * and policy status, public access block, ownership controls, default
 * encryption, versioning (and MFA delete), object lock, logging and tags
 * (REST-XML; path-style addressing when an endpoint override is set).
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_buf.h"
#include "accounts.h"
#include "collectors.h"
#include "pagination.h"

typedef struct bucket_ref {
    char *name;
    char *created;
} bucket_ref;

typedef struct bucket_list {
    bucket_ref *v;
    size_t n, cap;
} bucket_list;

static int bucket_page(aws_ctx *c, aws_task *t, const xml_node *root, void *ud)
{
    (void)c, (void)t;
    bucket_list *l = ud;
    for (const xml_node *b = xml_path(root, "Buckets/Bucket"); b; b = xml_next(b)) {
        const char *name = xml_text_at(b, "Name");
        if (!name || !*name || strlen(name) > 255)
            continue;
        if (l->n == l->cap) {
            size_t nc = l->cap ? l->cap * 2 : 32;
            bucket_ref *v = realloc(l->v, nc * sizeof *v);
            if (!v)
                return AWS_E_FAIL;
            l->v = v, l->cap = nc;
        }
        l->v[l->n].name = strdup(name);
        l->v[l->n].created = aws_strdup(xml_text_at(b, "CreationDate"));
        l->n++;
    }
    return AWS_OK;
}

/* One GET on a bucket subresource: AWS_OK (root or raw set), AWS_E_NOTFOUND
 * (not configured), or another error already reported. */
static int bucket_get(aws_ctx *c, aws_task *t, const char *region, const char *bucket, const char *sub,
                      const char *perm, const char *uid, xml_node **root, char **raw)
{
    char err[AWS_ERR_LEN] = "";
    int rc = aws_s3_call(c, region, bucket, sub, NULL, perm, raw ? NULL : root, raw, err, sizeof err);
    if (rc != AWS_OK && rc != AWS_E_NOTFOUND)
        collector_outcome(c, t, rc, perm, "aws.s3.bucket", uid, err, err);
    return rc;
}

static const char *bucket_region(aws_ctx *c, aws_task *t, const char *bucket, const char *uid, char *out,
                                 size_t len)
{
    xml_node *root = NULL;
    if (bucket_get(c, t, t->region, bucket, "location", "s3:GetBucketLocation", uid, &root, NULL) != AWS_OK)
        return NULL;
    const char *lc = root ? root->text : "";
    if (!lc || !*lc)
        lc = "us-east-1"; /* the API's empty LocationConstraint */
    else if (strcmp(lc, "EU") == 0)
        lc = "eu-west-1"; /* legacy name */
    snprintf(out, len, "%s", lc);
    xml_free(root);
    return out;
}

static void collect_bucket(aws_ctx *c, aws_task *t, const bucket_ref *b)
{
    char uid[400], region_buf[64];
    snprintf(uid, sizeof uid, "arn:aws:s3:::%s", b->name);
    const char *region = bucket_region(c, t, b->name, uid, region_buf, sizeof region_buf);
    const char *call_region = region ? region : t->region;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "name", b->name);
    if (b->created)
        cJSON_AddStringToObject(d, "creationDate", b->created);
    xml_node *x = NULL;
    char *raw = NULL;
    int rc;

    if (bucket_get(c, t, call_region, b->name, "acl", "s3:GetBucketAcl", uid, &x, NULL) == AWS_OK) {
        cJSON *acl = cJSON_AddObjectToObject(d, "acl");
        cJSON *owner = cJSON_AddObjectToObject(acl, "owner");
        j_str(owner, "id", x, "Owner/ID");
        cJSON *grants = cJSON_AddArrayToObject(acl, "grants");
        for (const xml_node *g = xml_path(x, "AccessControlList/Grant"); g; g = xml_next(g)) {
            cJSON *o = cJSON_CreateObject();
            cJSON *ge = cJSON_AddObjectToObject(o, "grantee");
            const xml_node *gr = xml_child(g, "Grantee");
            if (gr && gr->type_attr)
                cJSON_AddStringToObject(ge, "type", gr->type_attr);
            j_str(ge, "id", gr, "ID");
            j_str(ge, "uri", gr, "URI");
            j_str(ge, "emailAddress", gr, "EmailAddress");
            j_str(o, "permission", g, "Permission");
            cJSON_AddItemToArray(grants, o);
        }
    }
    xml_free(x), x = NULL;

    rc = bucket_get(c, t, call_region, b->name, "policy", "s3:GetBucketPolicy", uid, NULL, &raw);
    if (rc == AWS_OK) {
        cJSON *pol = j_policy(raw, 0);
        if (pol)
            cJSON_AddItemToObject(d, "policy", pol);
        else
            aws_log(c, PP_LOG_WARN, "bucket %s: the policy is not valid JSON; left out", b->name);
    } else if (rc == AWS_E_NOTFOUND) {
        cJSON_AddNullToObject(d, "policy");
    }
    free(raw), raw = NULL;

    rc = bucket_get(c, t, call_region, b->name, "policyStatus", "s3:GetBucketPolicyStatus", uid, &x, NULL);
    if (rc == AWS_OK) {
        cJSON *ps = cJSON_AddObjectToObject(d, "policyStatus");
        j_bool(ps, "isPublic", x, "IsPublic");
    } else if (rc == AWS_E_NOTFOUND) {
        cJSON *ps = cJSON_AddObjectToObject(d, "policyStatus");
        cJSON_AddNullToObject(ps, "isPublic");
    }
    xml_free(x), x = NULL;

    rc = bucket_get(c, t, call_region, b->name, "publicAccessBlock", "s3:GetBucketPublicAccessBlock", uid, &x,
                    NULL);
    if (rc == AWS_OK) {
        cJSON *pab = cJSON_AddObjectToObject(d, "publicAccessBlock");
        j_bool(pab, "blockPublicAcls", x, "BlockPublicAcls");
        j_bool(pab, "ignorePublicAcls", x, "IgnorePublicAcls");
        j_bool(pab, "blockPublicPolicy", x, "BlockPublicPolicy");
        j_bool(pab, "restrictPublicBuckets", x, "RestrictPublicBuckets");
    } else if (rc == AWS_E_NOTFOUND) {
        cJSON_AddNullToObject(d, "publicAccessBlock");
    }
    xml_free(x), x = NULL;

    rc = bucket_get(c, t, call_region, b->name, "ownershipControls", "s3:GetBucketOwnershipControls", uid, &x,
                    NULL);
    if (rc == AWS_OK) {
        cJSON *oc = cJSON_AddObjectToObject(d, "ownershipControls");
        cJSON *rules = cJSON_AddArrayToObject(oc, "rules");
        for (const xml_node *r = xml_child(x, "Rule"); r; r = xml_next(r)) {
            cJSON *o = cJSON_CreateObject();
            j_str(o, "objectOwnership", r, "ObjectOwnership");
            cJSON_AddItemToArray(rules, o);
        }
    } else if (rc == AWS_E_NOTFOUND) {
        cJSON_AddNullToObject(d, "ownershipControls");
    }
    xml_free(x), x = NULL;

    rc = bucket_get(c, t, call_region, b->name, "encryption", "s3:GetEncryptionConfiguration", uid, &x, NULL);
    if (rc == AWS_OK) {
        cJSON *enc = cJSON_AddObjectToObject(d, "encryption");
        cJSON *rules = cJSON_AddArrayToObject(enc, "rules");
        for (const xml_node *r = xml_child(x, "Rule"); r; r = xml_next(r)) {
            cJSON *o = cJSON_CreateObject();
            cJSON *def = cJSON_AddObjectToObject(o, "applyServerSideEncryptionByDefault");
            j_str(def, "sseAlgorithm", r, "ApplyServerSideEncryptionByDefault/SSEAlgorithm");
            j_str(def, "kmsMasterKeyId", r, "ApplyServerSideEncryptionByDefault/KMSMasterKeyID");
            j_bool(o, "bucketKeyEnabled", r, "BucketKeyEnabled");
            cJSON_AddItemToArray(rules, o);
        }
    } else if (rc == AWS_E_NOTFOUND) {
        cJSON_AddNullToObject(d, "encryption");
    }
    xml_free(x), x = NULL;

    if (bucket_get(c, t, call_region, b->name, "versioning", "s3:GetBucketVersioning", uid, &x, NULL) == AWS_OK) {
        cJSON *v = cJSON_AddObjectToObject(d, "versioning");
        const char *st = xml_text_at(x, "Status");
        cJSON_AddStringToObject(v, "status", st && *st ? st : "Off");
        const char *mfa = xml_text_at(x, "MfaDelete");
        cJSON_AddStringToObject(v, "mfaDelete", mfa && *mfa ? mfa : "Disabled");
    }
    xml_free(x), x = NULL;

    /* GetObjectLockConfiguration: ObjectLockConfigurationNotFoundError (404)
     * means object lock was never enabled, which is an answer, not an error */
    rc = bucket_get(c, t, call_region, b->name, "object-lock", "s3:GetBucketObjectLockConfiguration", uid, &x,
                    NULL);
    if (rc == AWS_OK || rc == AWS_E_NOTFOUND) {
        cJSON *ol = cJSON_AddObjectToObject(d, "objectLock");
        const char *en = rc == AWS_OK ? xml_text_at(x, "ObjectLockEnabled") : NULL;
        cJSON_AddBoolToObject(ol, "enabled", en && strcmp(en, "Enabled") == 0);
        const xml_node *dr = rc == AWS_OK ? xml_path(x, "Rule/DefaultRetention") : NULL;
        if (dr) {
            cJSON *ret = cJSON_AddObjectToObject(ol, "defaultRetention");
            j_str(ret, "mode", dr, "Mode");
            j_int(ret, "days", dr, "Days");
            j_int(ret, "years", dr, "Years");
        } else {
            cJSON_AddNullToObject(ol, "defaultRetention");
        }
    }
    xml_free(x), x = NULL;

    if (bucket_get(c, t, call_region, b->name, "logging", "s3:GetBucketLogging", uid, &x, NULL) == AWS_OK) {
        const xml_node *le = xml_child(x, "LoggingEnabled");
        if (le) {
            cJSON *lg = cJSON_AddObjectToObject(d, "logging");
            j_str(lg, "targetBucket", le, "TargetBucket");
            j_str(lg, "targetPrefix", le, "TargetPrefix");
        } else {
            cJSON_AddNullToObject(d, "logging");
        }
    }
    xml_free(x), x = NULL;

    cJSON *tags = NULL;
    rc = bucket_get(c, t, call_region, b->name, "tagging", "s3:GetBucketTagging", uid, &x, NULL);
    if (rc == AWS_OK || rc == AWS_E_NOTFOUND) {
        tags = cJSON_CreateObject();
        for (const xml_node *tg = xml_path(x, "TagSet/Tag"); tg; tg = xml_next(tg)) {
            const char *k = xml_text_at(tg, "Key"), *v = xml_text_at(tg, "Value");
            if (k && !cJSON_GetObjectItem(tags, k))
                cJSON_AddStringToObject(tags, k, v ? v : "");
        }
    }
    xml_free(x);
    aws_emit_resource(c, t, "aws.s3.bucket", uid, b->name, region, d, tags);
}

static void bucket_item(aws_ctx *c, aws_task *t, size_t i, void *ud)
{
    bucket_list *l = ud;
    collect_bucket(c, t, &l->v[i]);
}

int collect_s3(aws_ctx *c, aws_task *t)
{
    bucket_list l = {0};
    char err[AWS_ERR_LEN] = "";
    aws_pager p = {"s3", t->region, "ListBuckets", NULL, "max-buckets=1000", "s3:ListAllMyBuckets",
                   "continuation-token", "ContinuationToken", NULL};
    int rc = aws_s3_paginate(c, t, &p, bucket_page, &l, err, sizeof err);
    int stop = collector_outcome(c, t, rc, "s3:ListAllMyBuckets", "aws.s3.bucket", NULL, err, err);
    /* a bucket's settings take about ten calls: several buckets at once */
    if (!stop) {
        aws_parallel_for(c, t, l.n, AWS_ITEM_WIDTH, bucket_item, &l);
        stop = aws_cancelled(c);
    }
    for (size_t i = 0; i < l.n; i++) {
        free(l.v[i].name);
        free(l.v[i].created);
    }
    free(l.v);
    if (stop)
        return PP_ERR_CANCELLED;
    return t->errors ? PP_ERR : PP_OK;
}
