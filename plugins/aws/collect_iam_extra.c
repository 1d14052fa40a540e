/*
 * collect_iam_extra.c - two more IAM facts, once per account (query
 * protocol, Marker/IsTruncated pagination):
 *   aws.iam.server_certificate  the server certificates stored in IAM
 *                               (ListServerCertificates)
 *   aws.iam.support_access      who holds the AWS managed policy
 *                               AWSSupportAccess (ListEntitiesForPolicy), one
 *                               per account, so "nobody" can fail a rule
 * Shapes: docs/resources/aws.md.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <string.h>

#include "aws_buf.h"
#include "aws_client.h"
#include "collectors.h"
#include "pagination.h"

#define IAM_VERSION "2010-05-08"
#define IAM_REGION "us-east-1"
#define SUPPORT_POLICY "arn:aws:iam::aws:policy/AWSSupportAccess"

static int cert_page(aws_ctx *c, aws_task *t, const xml_node *root, void *ud)
{
    (void)ud;
    for (const xml_node *m = xml_path(xml_find(root, "ServerCertificateMetadataList"), "member"); m; m = xml_next(m)) {
        const char *arn = xml_text_at(m, "Arn"), *name = xml_text_at(m, "ServerCertificateName");
        if (!arn || !*arn || !name)
            continue;
        cJSON *d = cJSON_CreateObject();
        j_str(d, "serverCertificateName", m, "ServerCertificateName");
        j_str(d, "serverCertificateId", m, "ServerCertificateId");
        j_str(d, "arn", m, "Arn");
        j_str(d, "path", m, "Path");
        j_str(d, "uploadDate", m, "UploadDate");
        j_str(d, "expiration", m, "Expiration");
        if (aws_emit_resource(c, t, "aws.iam.server_certificate", arn, name, NULL, d, NULL) == PP_ERR_CANCELLED)
            return AWS_E_CANCELLED;
    }
    return AWS_OK;
}

static void add_names(cJSON *arr, const xml_node *list, const char *member)
{
    for (const xml_node *m = xml_child(list, "member"); m; m = xml_next(m)) {
        const char *n = xml_text_at(m, member);
        if (n)
            cJSON_AddItemToArray(arr, cJSON_CreateString(n));
    }
}

static int entities_page(aws_ctx *c, aws_task *t, const xml_node *root, void *ud)
{
    (void)c, (void)t;
    cJSON *d = ud;
    add_names(cJSON_GetObjectItemCaseSensitive(d, "roles"), xml_find(root, "PolicyRoles"), "RoleName");
    add_names(cJSON_GetObjectItemCaseSensitive(d, "users"), xml_find(root, "PolicyUsers"), "UserName");
    add_names(cJSON_GetObjectItemCaseSensitive(d, "groups"), xml_find(root, "PolicyGroups"), "GroupName");
    return AWS_OK;
}

int collect_iam_extra(aws_ctx *c, aws_task *t)
{
    char err[AWS_ERR_LEN] = "";
    aws_pager p = {"iam",       IAM_REGION, "ListServerCertificates",
                   IAM_VERSION, NULL,       "iam:ListServerCertificates",
                   "Marker",    "Marker",   "IsTruncated"};
    int rc = aws_query_paginate(c, t, &p, cert_page, NULL, err, sizeof err);
    if (collector_outcome(c, t, rc, "iam:ListServerCertificates", "aws.iam.server_certificate", NULL, err, err))
        return PP_ERR_CANCELLED;

    char uid[120];
    snprintf(uid, sizeof uid, "arn:aws:iam::%s:support-access", t->account);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "policyArn", SUPPORT_POLICY);
    cJSON_AddArrayToObject(d, "roles");
    cJSON_AddArrayToObject(d, "users");
    cJSON_AddArrayToObject(d, "groups");
    abuf params;
    abuf_init(&params);
    aws_form_param(&params, "PolicyArn", SUPPORT_POLICY);
    err[0] = '\0';
    aws_pager e = {"iam",       IAM_REGION,         "ListEntitiesForPolicy",
                   IAM_VERSION, abuf_cstr(&params), "iam:ListEntitiesForPolicy",
                   "Marker",    "Marker",           "IsTruncated"};
    rc = aws_query_paginate(c, t, &e, entities_page, d, err, sizeof err);
    abuf_free(&params);
    if (rc != AWS_OK) {
        cJSON_Delete(d);
        return collector_outcome(c, t, rc, "iam:ListEntitiesForPolicy", "aws.iam.support_access", uid, err, err)
                   ? PP_ERR_CANCELLED
                   : PP_OK;
    }
    return aws_emit_resource(c, t, "aws.iam.support_access", uid, "AWSSupportAccess", NULL, d, NULL) == PP_ERR_CANCELLED
               ? PP_ERR_CANCELLED
               : PP_OK;
}
