/*
 * collect_iam.c - IAM, once per account (global): users (login profile,
 * MFA devices, access keys with last use, attached and inline policies,
 * groups), roles (trust policy, attached and inline policies), customer
 * managed policies with their default version's document, the account
 * password policy; then the root user (collect_iam_root.c), server
 * certificates and AWSSupportAccess holders (collect_iam_extra.c). Query protocol, Marker/IsTruncated pagination.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_buf.h"
#include "accounts.h"
#include "collectors.h"
#include "iam_calls.h"
#include "pagination.h"

/* a ListUsers page: its members are collected on several threads */
#define IAM_MAX_INLINE 10000 /* inline policies kept per user or role */

typedef struct users_page {
    const char *list_elem;
    void *ud; /* the walk */
} users_page;

static void add_attached(const xml_node *m, void *ud)
{
    cJSON *o = cJSON_CreateObject();
    j_str(o, "policyName", m, "PolicyName");
    j_str(o, "policyArn", m, "PolicyArn");
    cJSON_AddItemToArray(ud, o);
}

static void add_group_name(const xml_node *m, void *ud)
{
    const char *g = xml_text_at(m, "GroupName");
    if (g)
        cJSON_AddItemToArray(ud, cJSON_CreateString(g));
}

static void add_mfa(const xml_node *m, void *ud)
{
    cJSON *o = cJSON_CreateObject();
    j_str(o, "serialNumber", m, "SerialNumber");
    j_str(o, "enableDate", m, "EnableDate");
    cJSON_AddItemToArray(ud, o);
}

static void add_key(const xml_node *m, void *ud)
{
    cJSON *o = cJSON_CreateObject();
    j_str(o, "accessKeyId", m, "AccessKeyId");
    j_str(o, "status", m, "Status");
    j_str(o, "createDate", m, "CreateDate");
    cJSON_AddItemToArray(ud, o);
}

static void collect_user(aws_ctx *c, aws_task *t, const xml_node *m)
{
    const char *name = xml_text_at(m, "UserName"), *arn = xml_text_at(m, "Arn");
    if (!name || !arn)
        return;
    const char *what = "aws.iam.user";
    cJSON *d = cJSON_CreateObject();
    j_str(d, "userName", m, "UserName");
    j_str(d, "userId", m, "UserId");
    j_str(d, "arn", m, "Arn");
    j_str(d, "path", m, "Path");
    j_str(d, "createDate", m, "CreateDate");
    j_str_or_null(d, "passwordLastUsed", m, "PasswordLastUsed");
    abuf un;
    abuf_init(&un);
    aws_form_param(&un, "UserName", name);
    xml_node *root = NULL;
    int rc = aws_iam_call(c, t, "GetLoginProfile", abuf_cstr(&un), what, arn, &root);
    if (rc == AWS_OK || rc == AWS_E_NOTFOUND)
        cJSON_AddBoolToObject(d, "passwordEnabled", rc == AWS_OK);
    xml_free(root);
    cJSON *mfa = cJSON_CreateArray();
    if (aws_iam_list(c, t, "ListMFADevices", abuf_cstr(&un), "MFADevices", add_mfa, mfa, what, arn) == AWS_OK)
        cJSON_AddItemToObject(d, "mfaDevices", mfa);
    else
        cJSON_Delete(mfa);
    cJSON *keys = cJSON_CreateArray();
    if (aws_iam_list(c, t, "ListAccessKeys", abuf_cstr(&un), "AccessKeyMetadata", add_key, keys, what, arn) == AWS_OK) {
        cJSON *k;
        cJSON_ArrayForEach(k, keys)
        {
            const char *kid = cJSON_GetStringValue(cJSON_GetObjectItem(k, "accessKeyId"));
            abuf kp;
            abuf_init(&kp);
            aws_form_param(&kp, "AccessKeyId", kid ? kid : "");
            xml_node *lu = NULL;
            if (kid && aws_iam_call(c, t, "GetAccessKeyLastUsed", abuf_cstr(&kp), what, arn, &lu) == AWS_OK) {
                const char *when = xml_text_at(xml_find(lu, "AccessKeyLastUsed"), "LastUsedDate");
                if (when && *when)
                    cJSON_AddStringToObject(k, "lastUsedDate", when);
                else
                    cJSON_AddNullToObject(k, "lastUsedDate");
            }
            xml_free(lu);
            abuf_free(&kp);
        }
        cJSON_AddItemToObject(d, "accessKeys", keys);
    } else {
        cJSON_Delete(keys);
    }
    cJSON *att = cJSON_CreateArray();
    if (aws_iam_list(c, t, "ListAttachedUserPolicies", abuf_cstr(&un), "AttachedPolicies", add_attached, att, what,
                     arn) == AWS_OK)
        cJSON_AddItemToObject(d, "attachedManagedPolicies", att);
    else
        cJSON_Delete(att);
    cJSON *inl = aws_iam_inline_policies(c, t, "User", name, arn, what, IAM_MAX_INLINE);
    if (inl)
        cJSON_AddItemToObject(d, "inlinePolicies", inl);
    cJSON *groups = cJSON_CreateArray();
    if (aws_iam_list(c, t, "ListGroupsForUser", abuf_cstr(&un), "Groups", add_group_name, groups, what, arn) == AWS_OK)
        cJSON_AddItemToObject(d, "groups", groups);
    else
        cJSON_Delete(groups);
    abuf_free(&un);
    aws_emit_resource(c, t, "aws.iam.user", arn, name, NULL, d, NULL);
}

static void collect_role(aws_ctx *c, aws_task *t, const xml_node *m)
{
    const char *name = xml_text_at(m, "RoleName"), *arn = xml_text_at(m, "Arn");
    if (!name || !arn)
        return;
    const char *what = "aws.iam.role";
    cJSON *d = cJSON_CreateObject();
    j_str(d, "roleName", m, "RoleName");
    j_str(d, "roleId", m, "RoleId");
    j_str(d, "arn", m, "Arn");
    j_str(d, "path", m, "Path");
    j_str(d, "createDate", m, "CreateDate");
    j_int(d, "maxSessionDuration", m, "MaxSessionDuration");
    cJSON *trust = j_policy(xml_text_at(m, "AssumeRolePolicyDocument"), 1);
    if (trust)
        cJSON_AddItemToObject(d, "assumeRolePolicyDocument", trust);
    abuf rn;
    abuf_init(&rn);
    aws_form_param(&rn, "RoleName", name);
    cJSON *att = cJSON_CreateArray();
    if (aws_iam_list(c, t, "ListAttachedRolePolicies", abuf_cstr(&rn), "AttachedPolicies", add_attached, att, what,
                     arn) == AWS_OK)
        cJSON_AddItemToObject(d, "attachedManagedPolicies", att);
    else
        cJSON_Delete(att);
    abuf_free(&rn);
    cJSON *inl = aws_iam_inline_policies(c, t, "Role", name, arn, what, IAM_MAX_INLINE);
    if (inl)
        cJSON_AddItemToObject(d, "inlinePolicies", inl);
    const xml_node *lu = xml_child(m, "RoleLastUsed");
    if (lu) {
        const char *when = xml_text_at(lu, "LastUsedDate");
        if (when && *when) {
            cJSON *o = cJSON_AddObjectToObject(d, "roleLastUsed");
            cJSON_AddStringToObject(o, "lastUsedDate", when);
            j_str(o, "region", lu, "Region");
        } else {
            cJSON_AddNullToObject(d, "roleLastUsed");
        }
    }
    aws_emit_resource(c, t, "aws.iam.role", arn, name, NULL, d, NULL);
}

static void collect_policy(aws_ctx *c, aws_task *t, const xml_node *m)
{
    const char *name = xml_text_at(m, "PolicyName"), *arn = xml_text_at(m, "Arn");
    const char *ver = xml_text_at(m, "DefaultVersionId");
    if (!name || !arn)
        return;
    cJSON *d = cJSON_CreateObject();
    j_str(d, "policyName", m, "PolicyName");
    j_str(d, "policyId", m, "PolicyId");
    j_str(d, "arn", m, "Arn");
    j_str(d, "path", m, "Path");
    j_str(d, "defaultVersionId", m, "DefaultVersionId");
    j_int(d, "attachmentCount", m, "AttachmentCount");
    j_bool(d, "isAttachable", m, "IsAttachable");
    j_str(d, "createDate", m, "CreateDate");
    j_str(d, "updateDate", m, "UpdateDate");
    if (ver) {
        abuf p;
        abuf_init(&p);
        aws_form_param(&p, "PolicyArn", arn);
        aws_form_param(&p, "VersionId", ver);
        xml_node *root = NULL;
        if (aws_iam_call(c, t, "GetPolicyVersion", abuf_cstr(&p), "aws.iam.policy", arn, &root) == AWS_OK) {
            cJSON *doc = j_policy(xml_text_at(xml_find(root, "PolicyVersion"), "Document"), 1);
            if (doc)
                cJSON_AddItemToObject(d, "policyDocument", doc);
        }
        xml_free(root);
        abuf_free(&p);
    }
    aws_emit_resource(c, t, "aws.iam.policy", arn, name, NULL, d, NULL);
}

typedef struct walk {
    aws_ctx *c;
    aws_task *t;
    void (*fn)(aws_ctx *, aws_task *, const xml_node *);
} walk;

static void walk_member(const xml_node *m, void *ud)
{
    walk *w = ud;
    if (!aws_cancelled(w->c))
        w->fn(w->c, w->t, m);
}

static void collect_password_policy(aws_ctx *c, aws_task *t)
{
    xml_node *root = NULL;
    char uid[200];
    snprintf(uid, sizeof uid, "arn:aws:iam::%s:account-password-policy", t->account);
    int rc = aws_iam_call(c, t, "GetAccountPasswordPolicy", NULL, "aws.iam.password_policy", uid, &root);
    if (rc != AWS_OK && rc != AWS_E_NOTFOUND)
        return;
    cJSON *d = cJSON_CreateObject();
    const xml_node *pp = rc == AWS_OK ? xml_find(root, "PasswordPolicy") : NULL;
    cJSON_AddBoolToObject(d, "configured", pp != NULL);
    if (pp) {
        j_int(d, "minimumPasswordLength", pp, "MinimumPasswordLength");
        j_bool(d, "requireSymbols", pp, "RequireSymbols");
        j_bool(d, "requireNumbers", pp, "RequireNumbers");
        j_bool(d, "requireUppercaseCharacters", pp, "RequireUppercaseCharacters");
        j_bool(d, "requireLowercaseCharacters", pp, "RequireLowercaseCharacters");
        j_bool(d, "allowUsersToChangePassword", pp, "AllowUsersToChangePassword");
        j_bool(d, "expirePasswords", pp, "ExpirePasswords");
        j_int(d, "maxPasswordAge", pp, "MaxPasswordAge");
        j_int(d, "passwordReusePrevention", pp, "PasswordReusePrevention");
        j_bool(d, "hardExpiry", pp, "HardExpiry");
    }
    xml_free(root);
    aws_emit_resource(c, t, "aws.iam.password_policy", uid, "password policy", NULL, d, NULL);
}

/* The members of one page of a walked list, handled on several threads
 * (a user takes about seven calls). */
typedef struct page_items {
    const xml_node *v[1000];
    size_t n;
    void (*fn)(aws_ctx *, aws_task *, const xml_node *);
} page_items;

static void page_item(aws_ctx *c, aws_task *t, size_t i, void *ud)
{
    page_items *p = ud;
    p->fn(c, t, p->v[i]);
}

static int walk_page_parallel(aws_ctx *c, aws_task *t, const xml_node *root, void *ud)
{
    users_page *l = ud;
    walk *w = l->ud;
    page_items *p = calloc(1, sizeof *p);
    if (!p)
        return AWS_E_FAIL;
    p->fn = w->fn;
    for (const xml_node *m = xml_child(xml_find(root, l->list_elem), "member"); m && p->n < 1000; m = xml_next(m))
        p->v[p->n++] = m;
    aws_parallel_for(c, t, p->n, AWS_ITEM_WIDTH, page_item, p);
    free(p);
    return AWS_OK;
}

int collect_iam(aws_ctx *c, aws_task *t)
{
    collect_password_policy(c, t);
    walk w = {c, t, collect_user};
    {
        char err[AWS_ERR_LEN] = "";
        aws_pager p = {"iam",           AWS_IAM_REGION, "ListUsers", AWS_IAM_VERSION, NULL,
                       "iam:ListUsers", "Marker",       "Marker",    "IsTruncated"};
        users_page l = {"Users", &w};
        int rc = aws_query_paginate(c, t, &p, walk_page_parallel, &l, err, sizeof err);
        if (rc != AWS_OK)
            collector_outcome(c, t, rc, "iam:ListUsers", "aws.iam.user", NULL, err, err);
    }
    w.fn = collect_role;
    aws_iam_list(c, t, "ListRoles", NULL, "Roles", walk_member, &w, "aws.iam.role", NULL);
    w.fn = collect_policy;
    aws_iam_list(c, t, "ListPolicies", "&Scope=Local", "Policies", walk_member, &w, "aws.iam.policy", NULL);
    if (!aws_cancelled(c))
        collect_iam_root(c, t);
    if (!aws_cancelled(c))
        collect_iam_extra(c, t);
    if (aws_cancelled(c))
        return PP_ERR_CANCELLED;
    return t->errors ? PP_ERR : PP_OK;
}
