/*
 * plugins/aws/iam_calls.c - the IAM calls the IAM collectors share (see
 * iam_calls.h).
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <string.h>

#include "aws_buf.h"
#include "iam_calls.h"
#include "pagination.h"

int aws_iam_call(aws_ctx *c, aws_task *t, const char *action, const char *params, const char *what, const char *uid,
                 xml_node **root)
{
    char perm[80], err[AWS_ERR_LEN] = "";
    snprintf(perm, sizeof perm, "iam:%s", action);
    int rc = aws_query_call(c, "iam", AWS_IAM_REGION, action, AWS_IAM_VERSION, params, perm, root, err, sizeof err);
    if (rc != AWS_OK && rc != AWS_E_NOTFOUND)
        collector_outcome(c, t, rc, perm, what, uid, err, err);
    return rc;
}

typedef struct list_ctx {
    const char *list_elem;
    aws_iam_member_fn each;
    void *ud;
} list_ctx;

static int list_page(aws_ctx *c, aws_task *t, const xml_node *root, void *ud)
{
    (void)t;
    list_ctx *l = ud;
    for (const xml_node *m = xml_child(xml_find(root, l->list_elem), "member"); m; m = xml_next(m))
        l->each(m, l->ud);
    return aws_cancelled(c) ? AWS_E_CANCELLED : AWS_OK;
}

int aws_iam_list(aws_ctx *c, aws_task *t, const char *action, const char *params, const char *list_elem,
                 aws_iam_member_fn each, void *ud, const char *what, const char *uid)
{
    char perm[80], err[AWS_ERR_LEN] = "";
    snprintf(perm, sizeof perm, "iam:%s", action);
    aws_pager p = {"iam", AWS_IAM_REGION, action, AWS_IAM_VERSION, params, perm, "Marker", "Marker", "IsTruncated"};
    list_ctx l = {list_elem, each, ud};
    int rc = aws_query_paginate(c, t, &p, list_page, &l, err, sizeof err);
    if (rc != AWS_OK)
        collector_outcome(c, t, rc, perm, what, uid, err, err);
    return rc;
}

static void add_name(const xml_node *m, void *ud)
{
    cJSON_AddItemToArray(ud, cJSON_CreateString(m->text));
}

cJSON *aws_iam_inline_policies(aws_ctx *c, aws_task *t, const char *kind, const char *name, const char *uid,
                               const char *what, int max)
{
    char list_action[40], get_action[40], result[48], name_param[24];
    snprintf(list_action, sizeof list_action, "List%sPolicies", kind);
    snprintf(get_action, sizeof get_action, "Get%sPolicy", kind);
    snprintf(result, sizeof result, "Get%sPolicyResult", kind);
    snprintf(name_param, sizeof name_param, "%sName", kind);
    abuf params;
    abuf_init(&params);
    aws_form_param(&params, name_param, name);
    cJSON *names = cJSON_CreateArray();
    cJSON *out = NULL;
    if (aws_iam_list(c, t, list_action, abuf_cstr(&params), "PolicyNames", add_name, names, what, uid) == AWS_OK) {
        out = cJSON_CreateArray();
        const cJSON *pn;
        cJSON_ArrayForEach(pn, names)
        {
            if (aws_cancelled(c) || cJSON_GetArraySize(out) >= max)
                break;
            if (!cJSON_IsString(pn))
                continue;
            abuf gp;
            abuf_init(&gp);
            abuf_str(&gp, abuf_cstr(&params));
            aws_form_param(&gp, "PolicyName", pn->valuestring);
            xml_node *root = NULL;
            if (!gp.failed && aws_iam_call(c, t, get_action, abuf_cstr(&gp), what, uid, &root) == AWS_OK) {
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "policyName", pn->valuestring);
                cJSON *doc = j_policy(xml_text_at(xml_find(root, result), "PolicyDocument"), 1);
                if (doc && cJSON_IsObject(doc))
                    cJSON_AddItemToObject(o, "policyDocument", doc);
                else
                    cJSON_Delete(doc);
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
