/*
 * collect_iam_groups.c - IAM groups and identity providers, once per
 * account (global; query protocol, Marker/IsTruncated pagination):
 *   ListGroups, then per group GetGroup (its members, paginated),
 *   ListAttachedGroupPolicies, ListGroupPolicies + GetGroupPolicy (the
 *   URL-encoded documents, decoded) -> aws.iam.group;
 *   ListSAMLProviders -> aws.iam.saml_provider (metadata expiry; the
 *   metadata document itself is not fetched);
 *   ListOpenIDConnectProviders + GetOpenIDConnectProvider ->
 *   aws.iam.oidc_provider (URL, audiences, thumbprints).
 * Shapes: docs/resources/aws.md.
 *
 * Runs as its own task (service "iam_groups") beside collect_iam; while it
 * runs, the task says "iam" so that denial findings are scoped like every
 * other IAM one (global, no region).
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <string.h>

#include "aws_buf.h"
#include "collectors.h"
#include "iam_calls.h"
#include "pagination.h"

#define GROUP_MAX_ITEMS 100000 /* members, policies: caps per group */

static void add_capped(cJSON *list, cJSON *item)
{
    if (cJSON_GetArraySize(list) < GROUP_MAX_ITEMS)
        cJSON_AddItemToArray(list, item);
    else
        cJSON_Delete(item);
}

static void add_user(const xml_node *m, void *ud)
{
    cJSON *o = cJSON_CreateObject();
    j_str(o, "userName", m, "UserName");
    j_str(o, "arn", m, "Arn");
    add_capped(ud, o);
}

static void add_attached(const xml_node *m, void *ud)
{
    cJSON *o = cJSON_CreateObject();
    j_str(o, "policyName", m, "PolicyName");
    j_str(o, "policyArn", m, "PolicyArn");
    add_capped(ud, o);
}

static void collect_group(aws_ctx *c, aws_task *t, const xml_node *m)
{
    const char *name = xml_text_at(m, "GroupName"), *arn = xml_text_at(m, "Arn");
    if (!name || !*name || !arn || strncmp(arn, "arn:", 4) != 0)
        return;
    const char *what = "aws.iam.group";
    cJSON *d = cJSON_CreateObject();
    j_str(d, "groupName", m, "GroupName");
    j_str(d, "groupId", m, "GroupId");
    j_str(d, "arn", m, "Arn");
    j_str(d, "path", m, "Path");
    j_str(d, "createDate", m, "CreateDate");
    abuf gn;
    abuf_init(&gn);
    aws_form_param(&gn, "GroupName", name);
    cJSON *users = cJSON_CreateArray();
    if (aws_iam_list(c, t, "GetGroup", abuf_cstr(&gn), "Users", add_user, users, what, arn) == AWS_OK)
        cJSON_AddItemToObject(d, "users", users);
    else
        cJSON_Delete(users);
    cJSON *att = cJSON_CreateArray();
    if (aws_iam_list(c, t, "ListAttachedGroupPolicies", abuf_cstr(&gn), "AttachedPolicies", add_attached, att, what,
                     arn) == AWS_OK)
        cJSON_AddItemToObject(d, "attachedManagedPolicies", att);
    else
        cJSON_Delete(att);
    cJSON *inl = aws_iam_inline_policies(c, t, "Group", name, arn, what, GROUP_MAX_ITEMS);
    if (inl)
        cJSON_AddItemToObject(d, "inlinePolicies", inl);
    abuf_free(&gn);
    aws_emit_resource(c, t, what, arn, name, NULL, d, NULL);
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

/* The name of a provider: what follows "-provider/" in its ARN
 * ("arn:aws:iam::1:oidc-provider/oidc.example.com/auth" -> "oidc.example.com/auth"). */
static const char *arn_tail(const char *arn)
{
    const char *s = strstr(arn, "-provider/");
    return s && s[10] ? s + 10 : arn;
}

static void collect_saml(aws_ctx *c, aws_task *t)
{
    xml_node *root = NULL;
    char scope[120];
    snprintf(scope, sizeof scope, "arn:aws:iam::%s:saml-provider/", t->account);
    if (aws_iam_call(c, t, "ListSAMLProviders", NULL, "aws.iam.saml_provider", scope, &root) != AWS_OK) {
        xml_free(root);
        return;
    }
    int n = 0;
    for (const xml_node *m = xml_child(xml_find(root, "SAMLProviderList"), "member"); m && n < GROUP_MAX_ITEMS;
         m = xml_next(m), n++) {
        const char *arn = xml_text_at(m, "Arn");
        if (!arn || strncmp(arn, "arn:", 4) != 0)
            continue;
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "arn", arn);
        cJSON_AddStringToObject(d, "name", arn_tail(arn));
        j_str(d, "createDate", m, "CreateDate");
        j_str_or_null(d, "validUntil", m, "ValidUntil");
        if (aws_emit_resource(c, t, "aws.iam.saml_provider", arn, arn_tail(arn), NULL, d, NULL) == PP_ERR_CANCELLED)
            break;
    }
    xml_free(root);
}

static void collect_oidc(aws_ctx *c, aws_task *t)
{
    xml_node *list = NULL;
    char scope[120];
    snprintf(scope, sizeof scope, "arn:aws:iam::%s:oidc-provider/", t->account);
    if (aws_iam_call(c, t, "ListOpenIDConnectProviders", NULL, "aws.iam.oidc_provider", scope, &list) != AWS_OK) {
        xml_free(list);
        return;
    }
    int n = 0;
    for (const xml_node *m = xml_child(xml_find(list, "OpenIDConnectProviderList"), "member");
         m && n < GROUP_MAX_ITEMS && !aws_cancelled(c); m = xml_next(m), n++) {
        const char *arn = xml_text_at(m, "Arn");
        if (!arn || strncmp(arn, "arn:", 4) != 0)
            continue;
        abuf p;
        abuf_init(&p);
        aws_form_param(&p, "OpenIDConnectProviderArn", arn);
        xml_node *root = NULL;
        int rc = p.failed ? AWS_E_FAIL
                          : aws_iam_call(c, t, "GetOpenIDConnectProvider", abuf_cstr(&p), "aws.iam.oidc_provider", arn,
                                         &root);
        abuf_free(&p);
        if (rc == AWS_OK) {
            const xml_node *r = xml_find(root, "GetOpenIDConnectProviderResult");
            cJSON *d = cJSON_CreateObject();
            cJSON_AddStringToObject(d, "arn", arn);
            j_str(d, "url", r, "Url");
            cJSON *ids = cJSON_AddArrayToObject(d, "clientIdList");
            for (const xml_node *x = xml_path(r, "ClientIDList/member"); x; x = xml_next(x))
                add_capped(ids, cJSON_CreateString(x->text));
            cJSON *tps = cJSON_AddArrayToObject(d, "thumbprintList");
            for (const xml_node *x = xml_path(r, "ThumbprintList/member"); x; x = xml_next(x))
                add_capped(tps, cJSON_CreateString(x->text));
            j_str(d, "createDate", r, "CreateDate");
            aws_emit_resource(c, t, "aws.iam.oidc_provider", arn, arn_tail(arn), NULL, d, NULL);
        }
        xml_free(root);
    }
    xml_free(list);
}

int collect_iam_groups(aws_ctx *c, aws_task *t)
{
    const char *service = t->service;
    t->service = "iam"; /* global scope for denial findings (see the top of this file) */
    walk w = {c, t, collect_group};
    aws_iam_list(c, t, "ListGroups", NULL, "Groups", walk_member, &w, "aws.iam.group", NULL);
    if (!aws_cancelled(c))
        collect_saml(c, t);
    if (!aws_cancelled(c))
        collect_oidc(c, t);
    t->service = service;
    if (aws_cancelled(c))
        return PP_ERR_CANCELLED;
    return t->errors ? PP_ERR : PP_OK;
}
