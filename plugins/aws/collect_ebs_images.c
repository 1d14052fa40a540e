/*
 * collect_ebs_images.c - EBS snapshots and AMIs owned by the account, in
 * one region, with who else may use them (EC2 query protocol, XML,
 * NextToken pagination):
 *   DescribeSnapshots (Owner.1=self), then per snapshot
 *   DescribeSnapshotAttribute createVolumePermission -> aws.ec2.snapshot;
 *   DescribeImages (Owner.1=self), then per image DescribeImageAttribute
 *   launchPermission -> aws.ec2.image.
 * A permission of group "all" makes the snapshot or image public; a userId
 * shares it with that account. Shapes: docs/resources/aws.md.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <string.h>

#include "aws_buf.h"
#include "collectors.h"
#include "pagination.h"

#define EC2_VERSION "2016-11-15"
#define EBS_MAX_ITEMS 200000 /* snapshots or images per region and task */
#define EBS_MAX_PERMISSIONS 10000

/* tagSet/item{key,value} -> {"key":"value"}; *name gets the Name tag. */
static cJSON *tags_of(const xml_node *n, const char **name)
{
    cJSON *tags = cJSON_CreateObject();
    for (const xml_node *it = xml_path(n, "tagSet/item"); it; it = xml_next(it)) {
        const char *k = xml_text_at(it, "key"), *v = xml_text_at(it, "value");
        if (k && !cJSON_GetObjectItem(tags, k)) {
            cJSON_AddStringToObject(tags, k, v ? v : "");
            if (name && strcmp(k, "Name") == 0 && v && *v)
                *name = v;
        }
    }
    return tags;
}

/*
 * The permission list under @list_elem of a Describe*Attribute answer ->
 * adds @key (array of {group|userId|organizationArn|organizationalUnitArn}),
 * "public" (a group "all" entry) and "sharedWithAccounts" (user ids) to @d.
 */
static void add_permissions(cJSON *d, const char *key, const xml_node *root, const char *list_elem)
{
    cJSON *perms = cJSON_AddArrayToObject(d, key);
    cJSON *shared = cJSON_CreateArray();
    int pub = 0, n = 0;
    for (const xml_node *it = xml_child(xml_find(root, list_elem), "item"); it && n < EBS_MAX_PERMISSIONS;
         it = xml_next(it), n++) {
        cJSON *x = cJSON_CreateObject();
        j_str(x, "group", it, "group");
        j_str(x, "userId", it, "userId");
        j_str(x, "organizationArn", it, "organizationArn");
        j_str(x, "organizationalUnitArn", it, "organizationalUnitArn");
        const char *g = xml_text_at(it, "group"), *u = xml_text_at(it, "userId");
        if (g && strcmp(g, "all") == 0)
            pub = 1;
        if (u && *u)
            cJSON_AddItemToArray(shared, cJSON_CreateString(u));
        cJSON_AddItemToArray(perms, x);
    }
    cJSON_AddBoolToObject(d, "public", pub);
    cJSON_AddItemToObject(d, "sharedWithAccounts", shared);
}

/* Ids collected from the list pages, with the item's data built so far. */
typedef struct pending {
    cJSON *items; /* array of {"id":..., "name":..., "data":{...}, "tags":{...}} */
} pending;

static void keep(aws_ctx *c, aws_task *t, pending *p, const char *id, const char *name, cJSON *d, cJSON *tags)
{
    if (cJSON_GetArraySize(p->items) >= EBS_MAX_ITEMS) {
        aws_log(c, PP_LOG_WARN, "%s: more than %d owned snapshots or images; the rest are skipped", t->id,
                EBS_MAX_ITEMS);
        cJSON_Delete(d);
        cJSON_Delete(tags);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddItemToObject(o, "data", d);
    cJSON_AddItemToObject(o, "tags", tags);
    cJSON_AddItemToArray(p->items, o);
}

static int snapshot_page(aws_ctx *c, aws_task *t, const xml_node *root, void *ud)
{
    for (const xml_node *it = xml_path(root, "snapshotSet/item"); it; it = xml_next(it)) {
        const char *id = xml_text_at(it, "snapshotId");
        if (!id || !*id || strlen(id) > 64)
            continue;
        cJSON *d = cJSON_CreateObject();
        j_str(d, "snapshotId", it, "snapshotId");
        j_str(d, "volumeId", it, "volumeId");
        j_int(d, "volumeSize", it, "volumeSize");
        j_str(d, "state", it, "status");
        j_str(d, "startTime", it, "startTime");
        j_str(d, "description", it, "description");
        j_str(d, "ownerId", it, "ownerId");
        j_bool(d, "encrypted", it, "encrypted");
        j_str_or_null(d, "kmsKeyId", it, "kmsKeyId");
        j_str(d, "storageTier", it, "storageTier");
        const char *name = id;
        cJSON *tags = tags_of(it, &name);
        keep(c, t, ud, id, name, d, tags);
    }
    return AWS_OK;
}

static int image_page(aws_ctx *c, aws_task *t, const xml_node *root, void *ud)
{
    for (const xml_node *it = xml_path(root, "imagesSet/item"); it; it = xml_next(it)) {
        const char *id = xml_text_at(it, "imageId");
        if (!id || !*id || strlen(id) > 64)
            continue;
        cJSON *d = cJSON_CreateObject();
        j_str(d, "imageId", it, "imageId");
        j_str(d, "name", it, "name");
        j_str(d, "description", it, "description");
        j_str(d, "state", it, "imageState");
        j_str(d, "ownerId", it, "imageOwnerId");
        j_str(d, "creationDate", it, "creationDate");
        j_str(d, "architecture", it, "architecture");
        j_str(d, "imageType", it, "imageType");
        j_str(d, "platformDetails", it, "platformDetails");
        j_str(d, "rootDeviceType", it, "rootDeviceType");
        j_str_or_null(d, "deprecationTime", it, "deprecationTime");
        j_str_or_null(d, "imdsSupport", it, "imdsSupport");
        j_bool(d, "isPublic", it, "isPublic");
        cJSON *bdm = cJSON_AddArrayToObject(d, "blockDeviceMappings");
        for (const xml_node *b = xml_path(it, "blockDeviceMapping/item"); b; b = xml_next(b)) {
            cJSON *x = cJSON_CreateObject();
            j_str(x, "deviceName", b, "deviceName");
            if (xml_child(b, "ebs")) {
                cJSON *e = cJSON_AddObjectToObject(x, "ebs");
                j_str(e, "snapshotId", b, "ebs/snapshotId");
                j_int(e, "volumeSize", b, "ebs/volumeSize");
                j_bool(e, "encrypted", b, "ebs/encrypted");
                j_str(e, "volumeType", b, "ebs/volumeType");
            }
            cJSON_AddItemToArray(bdm, x);
        }
        const char *name = xml_text_at(it, "name");
        cJSON *tags = tags_of(it, &name);
        keep(c, t, ud, id, name && *name ? name : id, d, tags);
    }
    return AWS_OK;
}

/*
 * Fetch the permission attribute of every pending item and emit it as
 * @type. @action is DescribeSnapshotAttribute or DescribeImageAttribute,
 * @id_param SnapshotId or ImageId. Returns nonzero when the task must stop.
 */
static int finish(aws_ctx *c, aws_task *t, pending *p, const char *type, const char *arn_kind, const char *action,
                  const char *id_param, const char *attribute, const char *list_elem, const char *key)
{
    char perm[80];
    snprintf(perm, sizeof perm, "ec2:%s", action);
    while (cJSON_GetArraySize(p->items) > 0) {
        cJSON *o = cJSON_DetachItemFromArray(p->items, 0);
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(o, "id"));
        char uid[300], err[AWS_ERR_LEN] = "";
        snprintf(uid, sizeof uid, "arn:aws:ec2:%s::%s/%s", t->region, arn_kind, id); /* AWS's own form: no account */
        abuf q;
        abuf_init(&q);
        aws_form_param(&q, id_param, id);
        aws_form_param(&q, "Attribute", attribute);
        xml_node *root = NULL;
        int rc = q.failed ? AWS_E_FAIL
                          : aws_query_call(c, "ec2", t->region, action, EC2_VERSION, abuf_cstr(&q), perm, &root, err,
                                           sizeof err);
        abuf_free(&q);
        cJSON *d = cJSON_DetachItemFromObject(o, "data");
        if (rc == AWS_OK)
            add_permissions(d, key, root, list_elem);
        xml_free(root);
        int stop = collector_outcome(c, t, rc, perm, type, uid, err, err);
        if (!stop && rc != AWS_E_NOTFOUND) {
            cJSON *tags = cJSON_DetachItemFromObject(o, "tags");
            const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(o, "name"));
            stop = aws_emit_resource(c, t, type, uid, name ? name : id, t->region, d, tags) == PP_ERR_CANCELLED;
        } else {
            cJSON_Delete(d);
        }
        cJSON_Delete(o);
        if (stop)
            return 1;
    }
    return 0;
}

int collect_ebs_images(aws_ctx *c, aws_task *t)
{
    char err[AWS_ERR_LEN] = "", scope[200];
    snprintf(scope, sizeof scope, "arn:aws:ec2:%s:%s:", t->region, t->account);
    pending p = {cJSON_CreateArray()};
    aws_pager sp = {"ec2",
                    t->region,
                    "DescribeSnapshots",
                    EC2_VERSION,
                    "&Owner.1=self&MaxResults=1000",
                    "ec2:DescribeSnapshots",
                    "NextToken",
                    "nextToken",
                    NULL};
    int rc = aws_query_paginate(c, t, &sp, snapshot_page, &p, err, sizeof err);
    int stop = collector_outcome(c, t, rc, "ec2:DescribeSnapshots", "aws.ec2.snapshot", scope, err, err);
    if (!stop)
        stop = finish(c, t, &p, "aws.ec2.snapshot", "snapshot", "DescribeSnapshotAttribute", "SnapshotId",
                      "createVolumePermission", "createVolumePermission", "createVolumePermissions");
    cJSON_Delete(p.items);
    p.items = cJSON_CreateArray();
    if (!stop) {
        err[0] = '\0';
        aws_pager ip = {"ec2",
                        t->region,
                        "DescribeImages",
                        EC2_VERSION,
                        "&Owner.1=self&MaxResults=1000",
                        "ec2:DescribeImages",
                        "NextToken",
                        "nextToken",
                        NULL};
        rc = aws_query_paginate(c, t, &ip, image_page, &p, err, sizeof err);
        stop = collector_outcome(c, t, rc, "ec2:DescribeImages", "aws.ec2.image", scope, err, err);
    }
    if (!stop)
        stop = finish(c, t, &p, "aws.ec2.image", "image", "DescribeImageAttribute", "ImageId", "launchPermission",
                      "launchPermission", "launchPermissions");
    cJSON_Delete(p.items);
    if (stop || aws_cancelled(c))
        return PP_ERR_CANCELLED;
    return t->errors ? PP_ERR : PP_OK;
}
