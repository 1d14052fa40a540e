/*
 * collect_ec2.c - EC2 in one region: security groups, instances (with
 * their metadata options) and EBS volumes (EC2 query protocol, NextToken
 * pagination). Shapes: docs/resources/aws.md.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <string.h>

#include "aws_buf.h"
#include "collectors.h"
#include "pagination.h"

#define EC2_VERSION "2016-11-15"

/* tagSet/item{key,value} -> {"key":"value"}; *name gets the Name tag. */
static cJSON *ec2_tags(const xml_node *n, const char **name)
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

static cJSON *ip_permissions(const xml_node *list)
{
    cJSON *arr = cJSON_CreateArray();
    for (const xml_node *p = xml_child(list, "item"); p; p = xml_next(p)) {
        cJSON *o = cJSON_CreateObject();
        j_str(o, "ipProtocol", p, "ipProtocol");
        const char *proto = xml_text_at(p, "ipProtocol");
        if (!proto || strcmp(proto, "-1") != 0) {
            j_int(o, "fromPort", p, "fromPort");
            j_int(o, "toPort", p, "toPort");
        }
        cJSON *r4 = cJSON_AddArrayToObject(o, "ipRanges");
        for (const xml_node *r = xml_path(p, "ipRanges/item"); r; r = xml_next(r)) {
            cJSON *x = cJSON_CreateObject();
            j_str(x, "cidrIp", r, "cidrIp");
            j_str(x, "description", r, "description");
            cJSON_AddItemToArray(r4, x);
        }
        cJSON *r6 = cJSON_AddArrayToObject(o, "ipv6Ranges");
        for (const xml_node *r = xml_path(p, "ipv6Ranges/item"); r; r = xml_next(r)) {
            cJSON *x = cJSON_CreateObject();
            j_str(x, "cidrIpv6", r, "cidrIpv6");
            j_str(x, "description", r, "description");
            cJSON_AddItemToArray(r6, x);
        }
        cJSON *g = cJSON_AddArrayToObject(o, "userIdGroupPairs");
        for (const xml_node *r = xml_path(p, "groups/item"); r; r = xml_next(r)) {
            cJSON *x = cJSON_CreateObject();
            j_str(x, "groupId", r, "groupId");
            j_str(x, "userId", r, "userId");
            j_str(x, "groupName", r, "groupName");
            cJSON_AddItemToArray(g, x);
        }
        cJSON *pl = cJSON_AddArrayToObject(o, "prefixListIds");
        for (const xml_node *r = xml_path(p, "prefixListIds/item"); r; r = xml_next(r)) {
            cJSON *x = cJSON_CreateObject();
            j_str(x, "prefixListId", r, "prefixListId");
            j_str(x, "description", r, "description");
            cJSON_AddItemToArray(pl, x);
        }
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static int sg_page(aws_ctx *c, aws_task *t, const xml_node *root, void *ud)
{
    (void)ud;
    for (const xml_node *it = xml_path(root, "securityGroupInfo/item"); it; it = xml_next(it)) {
        const char *id = xml_text_at(it, "groupId");
        if (!id || !*id)
            continue;
        cJSON *d = cJSON_CreateObject();
        j_str(d, "groupId", it, "groupId");
        j_str(d, "groupName", it, "groupName");
        j_str(d, "description", it, "groupDescription");
        j_str(d, "vpcId", it, "vpcId");
        j_str(d, "ownerId", it, "ownerId");
        cJSON_AddItemToObject(d, "ipPermissions", ip_permissions(xml_child(it, "ipPermissions")));
        cJSON_AddItemToObject(d, "ipPermissionsEgress", ip_permissions(xml_child(it, "ipPermissionsEgress")));
        const char *name = xml_text_at(it, "groupName");
        cJSON *tags = ec2_tags(it, NULL);
        char uid[300];
        snprintf(uid, sizeof uid, "arn:aws:ec2:%s:%s:security-group/%s", t->region, t->account, id);
        if (aws_emit_resource(c, t, "aws.ec2.security_group", uid, name ? name : id, t->region, d, tags) ==
            PP_ERR_CANCELLED)
            return AWS_E_CANCELLED;
    }
    return AWS_OK;
}

static int instance_page(aws_ctx *c, aws_task *t, const xml_node *root, void *ud)
{
    (void)ud;
    for (const xml_node *rs = xml_path(root, "reservationSet/item"); rs; rs = xml_next(rs)) {
        for (const xml_node *it = xml_path(rs, "instancesSet/item"); it; it = xml_next(it)) {
            const char *id = xml_text_at(it, "instanceId");
            if (!id || !*id)
                continue;
            cJSON *d = cJSON_CreateObject();
            j_str(d, "instanceId", it, "instanceId");
            j_str(d, "instanceType", it, "instanceType");
            j_str(d, "imageId", it, "imageId");
            cJSON *st = cJSON_AddObjectToObject(d, "state");
            j_str(st, "name", it, "instanceState/name");
            j_str(d, "launchTime", it, "launchTime");
            cJSON *pl = cJSON_AddObjectToObject(d, "placement");
            j_str(pl, "availabilityZone", it, "placement/availabilityZone");
            j_str(pl, "tenancy", it, "placement/tenancy");
            j_str(d, "vpcId", it, "vpcId");
            j_str(d, "subnetId", it, "subnetId");
            j_str(d, "privateIpAddress", it, "privateIpAddress");
            j_str_or_null(d, "publicIpAddress", it, "ipAddress");
            const xml_node *mo = xml_child(it, "metadataOptions");
            if (mo) {
                cJSON *m = cJSON_AddObjectToObject(d, "metadataOptions");
                j_str(m, "httpTokens", mo, "httpTokens");
                j_str(m, "httpEndpoint", mo, "httpEndpoint");
                j_int(m, "httpPutResponseHopLimit", mo, "httpPutResponseHopLimit");
                j_str(m, "state", mo, "state");
            }
            const char *prof = xml_text_at(it, "iamInstanceProfile/arn");
            if (prof) {
                cJSON *p = cJSON_AddObjectToObject(d, "iamInstanceProfile");
                cJSON_AddStringToObject(p, "arn", prof);
            } else {
                cJSON_AddNullToObject(d, "iamInstanceProfile");
            }
            cJSON *sgs = cJSON_AddArrayToObject(d, "securityGroups");
            for (const xml_node *g = xml_path(it, "groupSet/item"); g; g = xml_next(g)) {
                cJSON *x = cJSON_CreateObject();
                j_str(x, "groupId", g, "groupId");
                j_str(x, "groupName", g, "groupName");
                cJSON_AddItemToArray(sgs, x);
            }
            cJSON *bdm = cJSON_AddArrayToObject(d, "blockDeviceMappings");
            for (const xml_node *b = xml_path(it, "blockDeviceMapping/item"); b; b = xml_next(b)) {
                cJSON *x = cJSON_CreateObject();
                j_str(x, "deviceName", b, "deviceName");
                cJSON *e = cJSON_AddObjectToObject(x, "ebs");
                j_str(e, "volumeId", b, "ebs/volumeId");
                j_bool(e, "deleteOnTermination", b, "ebs/deleteOnTermination");
                cJSON_AddItemToArray(bdm, x);
            }
            cJSON *mon = cJSON_AddObjectToObject(d, "monitoring");
            j_str(mon, "state", it, "monitoring/state");
            j_bool(d, "ebsOptimized", it, "ebsOptimized");
            const char *name = id;
            cJSON *tags = ec2_tags(it, &name);
            char uid[300];
            snprintf(uid, sizeof uid, "arn:aws:ec2:%s:%s:instance/%s", t->region, t->account, id);
            if (aws_emit_resource(c, t, "aws.ec2.instance", uid, name, t->region, d, tags) == PP_ERR_CANCELLED)
                return AWS_E_CANCELLED;
        }
    }
    return AWS_OK;
}

static int volume_page(aws_ctx *c, aws_task *t, const xml_node *root, void *ud)
{
    (void)ud;
    for (const xml_node *it = xml_path(root, "volumeSet/item"); it; it = xml_next(it)) {
        const char *id = xml_text_at(it, "volumeId");
        if (!id || !*id)
            continue;
        cJSON *d = cJSON_CreateObject();
        j_str(d, "volumeId", it, "volumeId");
        j_int(d, "size", it, "size");
        j_str(d, "volumeType", it, "volumeType");
        j_bool(d, "encrypted", it, "encrypted");
        j_str_or_null(d, "kmsKeyId", it, "kmsKeyId");
        j_str(d, "state", it, "status");
        j_str(d, "availabilityZone", it, "availabilityZone");
        j_str(d, "createTime", it, "createTime");
        cJSON *att = cJSON_AddArrayToObject(d, "attachments");
        for (const xml_node *a = xml_path(it, "attachmentSet/item"); a; a = xml_next(a)) {
            cJSON *x = cJSON_CreateObject();
            j_str(x, "instanceId", a, "instanceId");
            j_str(x, "device", a, "device");
            j_str(x, "state", a, "status");
            j_bool(x, "deleteOnTermination", a, "deleteOnTermination");
            cJSON_AddItemToArray(att, x);
        }
        j_str_or_null(d, "snapshotId", it, "snapshotId");
        const char *name = id;
        cJSON *tags = ec2_tags(it, &name);
        char uid[300];
        snprintf(uid, sizeof uid, "arn:aws:ec2:%s:%s:volume/%s", t->region, t->account, id);
        if (aws_emit_resource(c, t, "aws.ec2.volume", uid, name, t->region, d, tags) == PP_ERR_CANCELLED)
            return AWS_E_CANCELLED;
    }
    return AWS_OK;
}

int collect_ec2(aws_ctx *c, aws_task *t)
{
    struct {
        const char *action, *params, *what;
        aws_xml_page_fn fn;
    } kinds[] = {
        {"DescribeSecurityGroups", "&MaxResults=1000", "aws.ec2.security_group", sg_page},
        {"DescribeInstances", "&MaxResults=1000", "aws.ec2.instance", instance_page},
        {"DescribeVolumes", "&MaxResults=500", "aws.ec2.volume", volume_page},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char perm[64], err[AWS_ERR_LEN] = "";
        snprintf(perm, sizeof perm, "ec2:%s", kinds[i].action);
        aws_pager p = {"ec2", t->region, kinds[i].action, EC2_VERSION, kinds[i].params, perm, "NextToken",
                       "nextToken", NULL};
        int rc = aws_query_paginate(c, t, &p, kinds[i].fn, NULL, err, sizeof err);
        if (collector_outcome(c, t, rc, perm, kinds[i].what, NULL, err, err))
            return PP_ERR_CANCELLED;
    }
    return t->errors ? PP_ERR : PP_OK;
}
