/*
 * collect_kms.c - KMS keys of one region (JSON 1.1, TrentService):
 * ListKeys (Marker/NextMarker while Truncated), ListAliases, then per key
 * DescribeKey, GetKeyRotationStatus (symmetric keys with KMS-made
 * material only; null otherwise) and GetKeyPolicy ("default"). Shape:
 * aws.kms.key in docs/resources/aws.md.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_json.h"
#include "collectors.h"
#include "pagination.h"

#define KMS_PREFIX "TrentService"
#define KMS_WHAT "aws.kms.key"

static int keys_page(aws_ctx *c, aws_task *t, const cJSON *page, void *ud)
{
    (void)c, (void)t;
    const cJSON *k;
    cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(page, "Keys"))
    {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "KeyId"));
        if (id && *id && strlen(id) < 200)
            cJSON_AddItemToArray(ud, cJSON_CreateString(id));
    }
    return AWS_OK;
}

/* aliases: {keyId: [alias names]} */
static int aliases_page(aws_ctx *c, aws_task *t, const cJSON *page, void *ud)
{
    (void)c, (void)t;
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(page, "Aliases"))
    {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "AliasName"));
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "TargetKeyId"));
        if (!name || !key)
            continue;
        cJSON *list = cJSON_GetObjectItemCaseSensitive(ud, key);
        if (!list)
            list = cJSON_AddArrayToObject(ud, key);
        cJSON_AddItemToArray(list, cJSON_CreateString(name));
    }
    return AWS_OK;
}

static char *key_body(const char *key_id, int with_policy_name)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "KeyId", key_id);
    if (with_policy_name)
        cJSON_AddStringToObject(b, "PolicyName", "default");
    char *s = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    return s;
}

/* One key: returns AWS_OK, or AWS_E_CANCELLED. */
static int one_key(aws_ctx *c, aws_task *t, const char *key_id, const cJSON *aliases)
{
    char *body = key_body(key_id, 0);
    cJSON *desc = NULL;
    int rc = collector_json(c, t, "kms", KMS_PREFIX, "DescribeKey", body, "kms:DescribeKey", KMS_WHAT, key_id, &desc);
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(desc, "KeyMetadata");
    const char *arn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "Arn"));
    if (rc != AWS_OK || !arn) {
        if (rc == AWS_OK) {
            t->errors++;
            aws_set_error("%s: kms:DescribeKey of %s returned no KeyMetadata.Arn", t->id, key_id);
        }
        cJSON_free(body);
        cJSON_Delete(desc);
        return collector_stop(rc) ? AWS_E_CANCELLED : AWS_OK;
    }
    cJSON *d = cJSON_CreateObject();
    aj_copy(d, "keyId", md, "KeyId");
    aj_copy(d, "arn", md, "Arn");
    const cJSON *al = cJSON_GetObjectItemCaseSensitive(aliases, key_id);
    cJSON_AddItemToObject(d, "aliases", al ? cJSON_Duplicate(al, 1) : cJSON_CreateArray());
    aj_copy(d, "description", md, "Description");
    aj_copy(d, "keyManager", md, "KeyManager");
    aj_copy(d, "keyState", md, "KeyState");
    aj_copy(d, "keySpec", md, "KeySpec");
    aj_copy(d, "keyUsage", md, "KeyUsage");
    aj_copy(d, "origin", md, "Origin");
    aj_bool(d, "enabled", md, "Enabled", -1);
    aj_bool(d, "multiRegion", md, "MultiRegion", -1);
    aj_time(d, "creationDate", md, "CreationDate", 0);
    aj_time(d, "deletionDate", md, "DeletionDate", 0);
    const char *spec = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "KeySpec"));
    const char *origin = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "Origin"));
    const char *state = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "KeyState"));
    int can_rotate = spec && strcmp(spec, "SYMMETRIC_DEFAULT") == 0 && origin && strcmp(origin, "AWS_KMS") == 0 &&
                     !(state && strcmp(state, "PendingDeletion") == 0);
    rc = AWS_OK;
    if (can_rotate) {
        cJSON *rot = NULL;
        rc = collector_json(c, t, "kms", KMS_PREFIX, "GetKeyRotationStatus", body, "kms:GetKeyRotationStatus", KMS_WHAT,
                            arn, &rot);
        if (rot)
            aj_bool(d, "keyRotationEnabled", rot, "KeyRotationEnabled", -1);
        cJSON_Delete(rot);
    } else {
        cJSON_AddNullToObject(d, "keyRotationEnabled");
    }
    cJSON_free(body);
    if (!collector_stop(rc)) {
        body = key_body(key_id, 1);
        cJSON *pol = NULL;
        rc = collector_json(c, t, "kms", KMS_PREFIX, "GetKeyPolicy", body, "kms:GetKeyPolicy", KMS_WHAT, arn, &pol);
        cJSON_free(body);
        cJSON *doc = pol ? aj_policy_member(pol, "Policy") : NULL;
        if (doc)
            cJSON_AddItemToObject(d, "policy", doc);
        cJSON_Delete(pol);
    }
    if (collector_stop(rc)) {
        cJSON_Delete(d);
        cJSON_Delete(desc);
        return AWS_E_CANCELLED;
    }
    const cJSON *first_alias = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(d, "aliases"), 0);
    const char *name = first_alias && first_alias->valuestring ? first_alias->valuestring : key_id;
    char namebuf[256];
    snprintf(namebuf, sizeof namebuf, "%s", strncmp(name, "alias/", 6) == 0 ? name + 6 : name);
    char uid[300];
    snprintf(uid, sizeof uid, "%s", arn);
    cJSON_Delete(desc);
    return aws_emit_resource(c, t, "aws.kms.key", uid, namebuf, t->region, d, NULL) == PP_ERR_CANCELLED
               ? AWS_E_CANCELLED
               : AWS_OK;
}

int collect_kms(aws_ctx *c, aws_task *t)
{
    char err[AWS_ERR_LEN] = "";
    cJSON *keys = cJSON_CreateArray(), *aliases = cJSON_CreateObject();
    aws_pager p = {"kms",          t->region, "ListKeys",   KMS_PREFIX, "{\"Limit\":1000}",
                   "kms:ListKeys", "Marker",  "NextMarker", "Truncated"};
    int rc = aws_json_paginate(c, t, &p, keys_page, keys, err, sizeof err);
    int stop = collector_outcome(c, t, rc, "kms:ListKeys", KMS_WHAT, NULL, err, err);
    if (!stop && rc == AWS_OK) {
        aws_pager pa = {"kms",    t->region,    "ListAliases", KMS_PREFIX, "{\"Limit\":100}", "kms:ListAliases",
                        "Marker", "NextMarker", "Truncated"};
        err[0] = '\0';
        int arc = aws_json_paginate(c, t, &pa, aliases_page, aliases, err, sizeof err);
        stop = collector_outcome(c, t, arc, "kms:ListAliases", KMS_WHAT, NULL, err, err);
        const cJSON *k;
        cJSON_ArrayForEach(k, keys)
        {
            if (stop || one_key(c, t, k->valuestring, aliases) == AWS_E_CANCELLED) {
                stop = 1;
                break;
            }
        }
    }
    cJSON_Delete(keys);
    cJSON_Delete(aliases);
    if (stop)
        return PP_ERR_CANCELLED;
    return t->errors ? PP_ERR : PP_OK;
}
