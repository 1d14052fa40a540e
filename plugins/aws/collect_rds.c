/*
 * collect_rds.c - RDS in one region (query protocol, XML, Marker
 * pagination): DB instances (DescribeDBInstances) and manual DB snapshots
 * (DescribeDBSnapshots) with who may restore them
 * (DescribeDBSnapshotAttributes, attribute "restore"). Shapes:
 * aws.rds.db_instance, aws.rds.db_snapshot in docs/resources/aws.md.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <string.h>

#include "aws_buf.h"
#include "collectors.h"
#include "pagination.h"

#define RDS_VERSION "2014-10-31"

static cJSON *rds_tags(const xml_node *n)
{
    cJSON *tags = cJSON_CreateObject();
    for (const xml_node *tg = xml_path(n, "TagList/Tag"); tg; tg = xml_next(tg)) {
        const char *k = xml_text_at(tg, "Key"), *v = xml_text_at(tg, "Value");
        if (k && !cJSON_GetObjectItem(tags, k))
            cJSON_AddStringToObject(tags, k, v ? v : "");
    }
    return tags;
}

static int instance_page(aws_ctx *c, aws_task *t, const xml_node *root, void *ud)
{
    (void)ud;
    for (const xml_node *it = xml_path(xml_find(root, "DBInstances"), "DBInstance"); it; it = xml_next(it)) {
        const char *id = xml_text_at(it, "DBInstanceIdentifier");
        const char *arn = xml_text_at(it, "DBInstanceArn");
        if (!id || !*id)
            continue;
        cJSON *d = cJSON_CreateObject();
        j_str(d, "dbInstanceIdentifier", it, "DBInstanceIdentifier");
        j_str(d, "dbInstanceClass", it, "DBInstanceClass");
        j_str(d, "engine", it, "Engine");
        j_str(d, "engineVersion", it, "EngineVersion");
        j_str(d, "dbInstanceStatus", it, "DBInstanceStatus");
        j_bool(d, "publiclyAccessible", it, "PubliclyAccessible");
        j_bool(d, "storageEncrypted", it, "StorageEncrypted");
        j_str_or_null(d, "kmsKeyId", it, "KmsKeyId");
        j_bool(d, "multiAZ", it, "MultiAZ");
        j_int(d, "backupRetentionPeriod", it, "BackupRetentionPeriod");
        j_bool(d, "deletionProtection", it, "DeletionProtection");
        j_bool(d, "autoMinorVersionUpgrade", it, "AutoMinorVersionUpgrade");
        j_bool(d, "iamDatabaseAuthenticationEnabled", it, "IAMDatabaseAuthenticationEnabled");
        j_bool(d, "copyTagsToSnapshot", it, "CopyTagsToSnapshot");
        j_str_or_null(d, "dbClusterIdentifier", it, "DBClusterIdentifier");
        const xml_node *ep = xml_child(it, "Endpoint");
        if (ep) {
            cJSON *e = cJSON_AddObjectToObject(d, "endpoint");
            j_str(e, "address", ep, "Address");
            j_int(e, "port", ep, "Port");
        }
        cJSON *sgs = cJSON_AddArrayToObject(d, "vpcSecurityGroups");
        for (const xml_node *g = xml_path(it, "VpcSecurityGroups/VpcSecurityGroupMembership"); g; g = xml_next(g)) {
            cJSON *x = cJSON_CreateObject();
            j_str(x, "vpcSecurityGroupId", g, "VpcSecurityGroupId");
            j_str(x, "status", g, "Status");
            cJSON_AddItemToArray(sgs, x);
        }
        const xml_node *sn = xml_child(it, "DBSubnetGroup");
        if (sn) {
            cJSON *s = cJSON_AddObjectToObject(d, "dbSubnetGroup");
            j_str(s, "dbSubnetGroupName", sn, "DBSubnetGroupName");
            j_str(s, "vpcId", sn, "VpcId");
        }
        cJSON *logs = cJSON_AddArrayToObject(d, "enabledCloudwatchLogsExports");
        for (const xml_node *l = xml_path(it, "EnabledCloudwatchLogsExports/member"); l; l = xml_next(l))
            cJSON_AddItemToArray(logs, cJSON_CreateString(l->text));
        j_str(d, "instanceCreateTime", it, "InstanceCreateTime");
        char uid[300];
        if (arn && *arn)
            snprintf(uid, sizeof uid, "%s", arn);
        else
            snprintf(uid, sizeof uid, "arn:aws:rds:%s:%s:db:%s", t->region, t->account, id);
        if (aws_emit_resource(c, t, "aws.rds.db_instance", uid, id, t->region, d, rds_tags(it)) == PP_ERR_CANCELLED)
            return AWS_E_CANCELLED;
    }
    return AWS_OK;
}

/* restore attribute of a manual snapshot: restoreAccountIds[] and public. */
static int snapshot_attributes(aws_ctx *c, aws_task *t, const char *id, const char *uid, cJSON *d)
{
    abuf p;
    abuf_init(&p);
    aws_form_param(&p, "DBSnapshotIdentifier", id);
    xml_node *root = NULL;
    char err[AWS_ERR_LEN] = "";
    int rc = aws_query_call(c, "rds", t->region, "DescribeDBSnapshotAttributes", RDS_VERSION, abuf_cstr(&p),
                            "rds:DescribeDBSnapshotAttributes", &root, err, sizeof err);
    abuf_free(&p);
    if (rc == AWS_OK) {
        cJSON *ids = cJSON_CreateArray();
        int pub = 0;
        for (const xml_node *a = xml_path(xml_find(root, "DBSnapshotAttributes"), "DBSnapshotAttribute"); a;
             a = xml_next(a)) {
            const char *name = xml_text_at(a, "AttributeName");
            if (!name || strcmp(name, "restore") != 0)
                continue;
            for (const xml_node *v = xml_path(a, "AttributeValues/AttributeValue"); v; v = xml_next(v)) {
                if (strcmp(v->text, "all") == 0)
                    pub = 1;
                else
                    cJSON_AddItemToArray(ids, cJSON_CreateString(v->text));
            }
        }
        cJSON_AddBoolToObject(d, "public", pub);
        cJSON_AddItemToObject(d, "restoreAccountIds", ids);
    }
    xml_free(root);
    return collector_outcome(c, t, rc, "rds:DescribeDBSnapshotAttributes", "aws.rds.db_snapshot", uid, err, err);
}

static int snapshot_page(aws_ctx *c, aws_task *t, const xml_node *root, void *ud)
{
    (void)ud;
    for (const xml_node *it = xml_path(xml_find(root, "DBSnapshots"), "DBSnapshot"); it; it = xml_next(it)) {
        const char *id = xml_text_at(it, "DBSnapshotIdentifier");
        const char *arn = xml_text_at(it, "DBSnapshotArn");
        if (!id || !*id)
            continue;
        char uid[300];
        if (arn && *arn)
            snprintf(uid, sizeof uid, "%s", arn);
        else
            snprintf(uid, sizeof uid, "arn:aws:rds:%s:%s:snapshot:%s", t->region, t->account, id);
        cJSON *d = cJSON_CreateObject();
        j_str(d, "dbSnapshotIdentifier", it, "DBSnapshotIdentifier");
        j_str(d, "dbInstanceIdentifier", it, "DBInstanceIdentifier");
        j_str(d, "snapshotType", it, "SnapshotType");
        j_str(d, "engine", it, "Engine");
        j_str(d, "status", it, "Status");
        j_bool(d, "encrypted", it, "Encrypted");
        j_str_or_null(d, "kmsKeyId", it, "KmsKeyId");
        j_str(d, "snapshotCreateTime", it, "SnapshotCreateTime");
        if (snapshot_attributes(c, t, id, uid, d)) {
            cJSON_Delete(d);
            return AWS_E_CANCELLED;
        }
        if (aws_emit_resource(c, t, "aws.rds.db_snapshot", uid, id, t->region, d, rds_tags(it)) == PP_ERR_CANCELLED)
            return AWS_E_CANCELLED;
    }
    return AWS_OK;
}

int collect_rds(aws_ctx *c, aws_task *t)
{
    struct {
        const char *action, *params, *what;
        aws_xml_page_fn fn;
    } kinds[] = {
        {"DescribeDBInstances", "&MaxRecords=100", "aws.rds.db_instance", instance_page},
        {"DescribeDBSnapshots", "&MaxRecords=100&SnapshotType=manual", "aws.rds.db_snapshot", snapshot_page},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char perm[64], err[AWS_ERR_LEN] = "";
        snprintf(perm, sizeof perm, "rds:%s", kinds[i].action);
        aws_pager p = {"rds", t->region, kinds[i].action, RDS_VERSION, kinds[i].params, perm, "Marker", "Marker", NULL};
        int rc = aws_query_paginate(c, t, &p, kinds[i].fn, NULL, err, sizeof err);
        if (collector_outcome(c, t, rc, perm, kinds[i].what, NULL, err, err))
            return PP_ERR_CANCELLED;
    }
    return t->errors ? PP_ERR : PP_OK;
}
