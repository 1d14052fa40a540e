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
#include "pagination.h"

#define IAM_VERSION "2010-05-08"
#define IAM_REGION "us-east-1"

/* One non-paginated IAM call; *root on AWS_OK. Denials become findings. */
static int iam_call(aws_ctx *c, aws_task *t, const char *action, const char *params, const char *what,
                    const char *uid, xml_node **root)
{
    char perm[80], err[AWS_ERR_LEN] = "";
    snprintf(perm, sizeof perm, "iam:%s", action);
    int rc = aws_query_call(c, "iam", IAM_REGION, action, IAM_VERSION, params, perm, root, err, sizeof err);
    if (rc != AWS_OK && rc != AWS_E_NOTFOUND)
        collector_outcome(c, t, rc, perm, what, uid, err, err);
    return rc;
}

/* A paginated "List*" of IAM whose members are <member> under @list_elem;
 * calls @each for every member. */
typedef void (*member_fn)(const xml_node *m, void *ud);
typedef struct list_ctx {
    const char *list_elem;
    member_fn each;
    void *ud;
} list_ctx;

static int list_page(aws_ctx *c, aws_task *t, const xml_node *root, void *ud)
{
    (void)c, (void)t;
    list_ctx *l = ud;
    const xml_node *list = xml_find(root, l->list_elem);
    for (const xml_node *m = xml_child(list, "member"); m; m = xml_next(m))
        l->each(m, l->ud);
    return AWS_OK;
}

/* Returns AWS_OK, or an error already reported. */
static int iam_list(aws_ctx *c, aws_task *t, const char *action, const char *params, const char *list_elem,
                    member_fn each, void *ud, const char *what, const char *uid)
{
    char perm[80], err[AWS_ERR_LEN] = "";
    snprintf(perm, sizeof perm, "iam:%s", action);
    aws_pager p = {"iam", IAM_REGION, action, IAM_VERSION, params, perm, "Marker", "Marker", "IsTruncated"};
    list_ctx l = {list_elem, each, ud};
    int rc = aws_query_paginate(c, t, &p, list_page, &l, err, sizeof err);
    if (rc != AWS_OK)
        collector_outcome(c, t, rc, perm, what, uid, err, err);
    return rc;
}

static void add_attached(const xml_node *m, void *ud)
{
    cJSON *o = cJSON_CreateObject();
    j_str(o, "policyName", m, "PolicyName");
    j_str(o, "policyArn", m, "PolicyArn");
    cJSON_AddItemToArray(ud, o);
}

static void add_text(const xml_node *m, void *ud)
{
    cJSON_AddItemToArray(ud, cJSON_CreateString(m->text));
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

/* inlinePolicies[] of a user or role: names, then each document. */
static cJSON *inline_policies(aws_ctx *c, aws_task *t, const char *kind, const char *name, const char *uid,
                              const char *what)
{
    char list_action[40], get_action[40];
    snprintf(list_action, sizeof list_action, "List%sPolicies", kind);
    snprintf(get_action, sizeof get_action, "Get%sPolicy", kind);
    abuf params;
    abuf_init(&params);
    aws_form_param(&params, strcmp(kind, "User") == 0 ? "UserName" : "RoleName", name);
    cJSON *names = cJSON_CreateArray();
    int rc = iam_list(c, t, list_action, abuf_cstr(&params), "PolicyNames", add_text, names, what, uid);
    cJSON *out = NULL;
    if (rc == AWS_OK) {
        out = cJSON_CreateArray();
        cJSON *pn;
        cJSON_ArrayForEach(pn, names)
        {
            abuf gp;
            abuf_init(&gp);
            abuf_str(&gp, abuf_cstr(&params));
            aws_form_param(&gp, "PolicyName", pn->valuestring);
            xml_node *root = NULL;
            if (iam_call(c, t, get_action, abuf_cstr(&gp), what, uid, &root) == AWS_OK) {
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "policyName", pn->valuestring);
                cJSON *doc = j_policy(xml_text_at(xml_find(root, get_action[3] == 'U' ? "GetUserPolicyResult"
                                                                                       : "GetRolePolicyResult"),
                                                  "PolicyDocument"),
                                      1);
                if (doc)
                    cJSON_AddItemToObject(o, "policyDocument", doc);
                cJSON_AddItemToArray(out, o);
            }
            xml_free(root);
            abuf_free(&gp);
        }
    }
    cJSON_Delete(names);
    abuf_free(&params);
    return out;
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
    int rc = iam_call(c, t, "GetLoginProfile", abuf_cstr(&un), what, arn, &root);
    if (rc == AWS_OK || rc == AWS_E_NOTFOUND)
        cJSON_AddBoolToObject(d, "passwordEnabled", rc == AWS_OK);
    xml_free(root);
    cJSON *mfa = cJSON_CreateArray();
    if (iam_list(c, t, "ListMFADevices", abuf_cstr(&un), "MFADevices", add_mfa, mfa, what, arn) == AWS_OK)
        cJSON_AddItemToObject(d, "mfaDevices", mfa);
    else
        cJSON_Delete(mfa);
    cJSON *keys = cJSON_CreateArray();
    if (iam_list(c, t, "ListAccessKeys", abuf_cstr(&un), "AccessKeyMetadata", add_key, keys, what, arn) == AWS_OK) {
        cJSON *k;
        cJSON_ArrayForEach(k, keys)
        {
            const char *kid = cJSON_GetStringValue(cJSON_GetObjectItem(k, "accessKeyId"));
            abuf kp;
            abuf_init(&kp);
            aws_form_param(&kp, "AccessKeyId", kid ? kid : "");
            xml_node *lu = NULL;
            if (kid && iam_call(c, t, "GetAccessKeyLastUsed", abuf_cstr(&kp), what, arn, &lu) == AWS_OK) {
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
    if (iam_list(c, t, "ListAttachedUserPolicies", abuf_cstr(&un), "AttachedPolicies", add_attached, att, what,
                 arn) == AWS_OK)
        cJSON_AddItemToObject(d, "attachedManagedPolicies", att);
    else
        cJSON_Delete(att);
    cJSON *inl = inline_policies(c, t, "User", name, arn, what);
    if (inl)
        cJSON_AddItemToObject(d, "inlinePolicies", inl);
    cJSON *groups = cJSON_CreateArray();
    if (iam_list(c, t, "ListGroupsForUser", abuf_cstr(&un), "Groups", add_group_name, groups, what, arn) ==
        AWS_OK)
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
    if (iam_list(c, t, "ListAttachedRolePolicies", abuf_cstr(&rn), "AttachedPolicies", add_attached, att, what,
                 arn) == AWS_OK)
        cJSON_AddItemToObject(d, "attachedManagedPolicies", att);
    else
        cJSON_Delete(att);
    abuf_free(&rn);
    cJSON *inl = inline_policies(c, t, "Role", name, arn, what);
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
        if (iam_call(c, t, "GetPolicyVersion", abuf_cstr(&p), "aws.iam.policy", arn, &root) == AWS_OK) {
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
    int rc = iam_call(c, t, "GetAccountPasswordPolicy", NULL, "aws.iam.password_policy", uid, &root);
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
    list_ctx *l = ud;
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
        aws_pager p = {"iam", IAM_REGION, "ListUsers", IAM_VERSION, NULL, "iam:ListUsers", "Marker", "Marker",
                       "IsTruncated"};
        list_ctx l = {"Users", walk_member, &w};
        int rc = aws_query_paginate(c, t, &p, walk_page_parallel, &l, err, sizeof err);
        if (rc != AWS_OK)
            collector_outcome(c, t, rc, "iam:ListUsers", "aws.iam.user", NULL, err, err);
    }
    w.fn = collect_role;
    iam_list(c, t, "ListRoles", NULL, "Roles", walk_member, &w, "aws.iam.role", NULL);
    w.fn = collect_policy;
    iam_list(c, t, "ListPolicies", "&Scope=Local", "Policies", walk_member, &w, "aws.iam.policy", NULL);
    if (!aws_cancelled(c))
        collect_iam_root(c, t);
    if (!aws_cancelled(c))
        collect_iam_extra(c, t);
    if (aws_cancelled(c))
        return PP_ERR_CANCELLED;
    return t->errors ? PP_ERR : PP_OK;
}
