/*
 * collect_ec2.c - EC2 in one region: security groups, instances (with
 * their metadata options), EBS volumes, VPCs with their flow logs, network
 * ACLs and the region's EBS default encryption (EC2 query protocol,
 * NextToken pagination). Shapes: docs/resources/aws.md.
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

static int flowlog_page(aws_ctx *c, aws_task *t, const xml_node *root, void *ud)
{
    (void)c, (void)t;
    for (const xml_node *it = xml_path(root, "flowLogSet/item"); it; it = xml_next(it)) {
        const char *res = xml_text_at(it, "resourceId");
        if (!res || !*res)
            continue;
        cJSON *x = cJSON_CreateObject();
        j_str(x, "flowLogId", it, "flowLogId");
        j_str(x, "flowLogStatus", it, "flowLogStatus");
        j_str(x, "trafficType", it, "trafficType");
        j_str(x, "logDestinationType", it, "logDestinationType");
        j_str(x, "logDestination", it, "logDestination");
        j_str(x, "logGroupName", it, "logGroupName");
        j_str(x, "deliverLogsStatus", it, "deliverLogsStatus");
        cJSON *list = cJSON_GetObjectItemCaseSensitive(ud, res);
        if (!list)
            list = cJSON_AddArrayToObject(ud, res);
        cJSON_AddItemToArray(list, x);
    }
    return AWS_OK;
}

static int vpc_page(aws_ctx *c, aws_task *t, const xml_node *root, void *ud)
{
    const cJSON *flows = ud;
    for (const xml_node *it = xml_path(root, "vpcSet/item"); it; it = xml_next(it)) {
        const char *id = xml_text_at(it, "vpcId");
        if (!id || !*id)
            continue;
        cJSON *d = cJSON_CreateObject();
        j_str(d, "vpcId", it, "vpcId");
        j_str(d, "state", it, "state");
        j_str(d, "cidrBlock", it, "cidrBlock");
        j_bool(d, "isDefault", it, "isDefault");
        j_str(d, "ownerId", it, "ownerId");
        const cJSON *fl = cJSON_GetObjectItemCaseSensitive(flows, id);
        if (flows)
            cJSON_AddItemToObject(d, "flowLogs", fl ? cJSON_Duplicate(fl, 1) : cJSON_CreateArray());
        const char *name = id;
        cJSON *tags = ec2_tags(it, &name);
        char uid[300];
        snprintf(uid, sizeof uid, "arn:aws:ec2:%s:%s:vpc/%s", t->region, t->account, id);
        if (aws_emit_resource(c, t, "aws.ec2.vpc", uid, name, t->region, d, tags) == PP_ERR_CANCELLED)
            return AWS_E_CANCELLED;
    }
    return AWS_OK;
}

static int nacl_page(aws_ctx *c, aws_task *t, const xml_node *root, void *ud)
{
    (void)ud;
    for (const xml_node *it = xml_path(root, "networkAclSet/item"); it; it = xml_next(it)) {
        const char *id = xml_text_at(it, "networkAclId");
        if (!id || !*id)
            continue;
        cJSON *d = cJSON_CreateObject();
        j_str(d, "networkAclId", it, "networkAclId");
        j_str(d, "vpcId", it, "vpcId");
        j_bool(d, "isDefault", it, "default");
        j_str(d, "ownerId", it, "ownerId");
        cJSON *entries = cJSON_AddArrayToObject(d, "entries");
        for (const xml_node *e = xml_path(it, "entrySet/item"); e; e = xml_next(e)) {
            cJSON *x = cJSON_CreateObject();
            j_int(x, "ruleNumber", e, "ruleNumber");
            j_str(x, "protocol", e, "protocol");
            j_str(x, "ruleAction", e, "ruleAction");
            j_bool(x, "egress", e, "egress");
            j_str(x, "cidrBlock", e, "cidrBlock");
            j_str(x, "ipv6CidrBlock", e, "ipv6CidrBlock");
            const xml_node *pr = xml_child(e, "portRange");
            if (pr) {
                cJSON *p = cJSON_AddObjectToObject(x, "portRange");
                j_int(p, "from", pr, "from");
                j_int(p, "to", pr, "to");
            }
            cJSON_AddItemToArray(entries, x);
        }
        cJSON *assoc = cJSON_AddArrayToObject(d, "subnetIds");
        for (const xml_node *a = xml_path(it, "associationSet/item"); a; a = xml_next(a)) {
            const char *sn = xml_text_at(a, "subnetId");
            if (sn)
                cJSON_AddItemToArray(assoc, cJSON_CreateString(sn));
        }
        const char *name = id;
        cJSON *tags = ec2_tags(it, &name);
        char uid[300];
        snprintf(uid, sizeof uid, "arn:aws:ec2:%s:%s:network-acl/%s", t->region, t->account, id);
        if (aws_emit_resource(c, t, "aws.ec2.network_acl", uid, name, t->region, d, tags) == PP_ERR_CANCELLED)
            return AWS_E_CANCELLED;
    }
    return AWS_OK;
}

/* aws.ec2.ebs_default_encryption: one per region. Nonzero = stop. */
static int ebs_default(aws_ctx *c, aws_task *t)
{
    char uid[200], err[AWS_ERR_LEN] = "";
    snprintf(uid, sizeof uid, "arn:aws:ec2:%s:%s:ebs-default-encryption", t->region, t->account);
    xml_node *root = NULL;
    int rc = aws_query_call(c, "ec2", t->region, "GetEbsEncryptionByDefault", EC2_VERSION, NULL,
                            "ec2:GetEbsEncryptionByDefault", &root, err, sizeof err);
    if (rc != AWS_OK)
        return collector_outcome(c, t, rc, "ec2:GetEbsEncryptionByDefault", "aws.ec2.ebs_default_encryption", uid,
                                 err, err);
    const char *on = xml_text_at(root, "ebsEncryptionByDefault");
    if (!on || (strcmp(on, "true") != 0 && strcmp(on, "false") != 0)) {
        xml_free(root);
        snprintf(err, sizeof err, "ec2:GetEbsEncryptionByDefault: no ebsEncryptionByDefault in the response");
        return collector_outcome(c, t, AWS_E_FAIL, "ec2:GetEbsEncryptionByDefault", "aws.ec2.ebs_default_encryption",
                                 uid, err, err);
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddBoolToObject(d, "ebsEncryptionByDefault", strcmp(on, "true") == 0);
    xml_free(root);
    root = NULL;
    rc = aws_query_call(c, "ec2", t->region, "GetEbsDefaultKmsKeyId", EC2_VERSION, NULL, "ec2:GetEbsDefaultKmsKeyId",
                        &root, err, sizeof err);
    if (rc == AWS_OK)
        j_str_or_null(d, "kmsKeyId", root, "kmsKeyId");
    xml_free(root);
    if (collector_outcome(c, t, rc, "ec2:GetEbsDefaultKmsKeyId", "aws.ec2.ebs_default_encryption", uid, err, err)) {
        cJSON_Delete(d);
        return 1;
    }
    return aws_emit_resource(c, t, "aws.ec2.ebs_default_encryption", uid, t->region, t->region, d, NULL) ==
           PP_ERR_CANCELLED;
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
    /* VPCs carry their flow logs: read those first (absent when denied) */
    cJSON *flows = cJSON_CreateObject();
    char err[AWS_ERR_LEN] = "";
    aws_pager fp = {"ec2", t->region, "DescribeFlowLogs", EC2_VERSION, "&MaxResults=1000", "ec2:DescribeFlowLogs",
                    "NextToken", "nextToken", NULL};
    int rc = aws_query_paginate(c, t, &fp, flowlog_page, flows, err, sizeof err);
    if (collector_outcome(c, t, rc, "ec2:DescribeFlowLogs", "aws.ec2.vpc", NULL, err, err)) {
        cJSON_Delete(flows);
        return PP_ERR_CANCELLED;
    }
    if (rc != AWS_OK) {
        cJSON_Delete(flows);
        flows = NULL;
    }
    struct {
        const char *action, *params, *what;
        aws_xml_page_fn fn;
        void *ud;
    } more[] = {
        {"DescribeVpcs", "&MaxResults=1000", "aws.ec2.vpc", vpc_page, flows},
        {"DescribeNetworkAcls", "&MaxResults=1000", "aws.ec2.network_acl", nacl_page, NULL},
    };
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
        char perm[64];
        err[0] = '\0';
        snprintf(perm, sizeof perm, "ec2:%s", more[i].action);
        aws_pager p = {"ec2", t->region, more[i].action, EC2_VERSION, more[i].params, perm, "NextToken", "nextToken",
                       NULL};
        rc = aws_query_paginate(c, t, &p, more[i].fn, more[i].ud, err, sizeof err);
        if (collector_outcome(c, t, rc, perm, more[i].what, NULL, err, err)) {
            cJSON_Delete(flows);
            return PP_ERR_CANCELLED;
        }
    }
    cJSON_Delete(flows);
    if (ebs_default(c, t))
        return PP_ERR_CANCELLED;
    return t->errors ? PP_ERR : PP_OK;
}
