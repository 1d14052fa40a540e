/*
 * pagination.c - see pagination.h.
 */
#define _DEFAULT_SOURCE
#include "pagination.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_buf.h"
#include "aws_json.h"

/* The next token of a page, or NULL when it is the last one. */
static const char *next_token(const xml_node *root, const aws_pager *p)
{
    if (p->truncated_elem) {
        const xml_node *tr = xml_find(root, p->truncated_elem);
        if (!tr || strcmp(tr->text, "true") != 0)
            return NULL;
    }
    const xml_node *tok = xml_find(root, p->token_elem);
    return tok && *tok->text ? tok->text : NULL;
}

static int same_token(const char *prev, const char *next)
{
    return prev && next && strcmp(prev, next) == 0;
}

int aws_query_paginate(aws_ctx *c, aws_task *t, const aws_pager *p, aws_xml_page_fn fn, void *ud, char *err,
                       size_t errlen)
{
    char *token = NULL;
    int rc = AWS_OK;
    for (int page = 0; page < AWS_MAX_PAGES; page++) {
        if (aws_cancelled(c)) {
            rc = AWS_E_CANCELLED;
            break;
        }
        abuf params;
        abuf_init(&params);
        abuf_str(&params, p->params);
        if (token)
            aws_form_param(&params, p->token_param, token);
        xml_node *root = NULL;
        rc = aws_query_call(c, p->service, p->region, p->action, p->version, abuf_cstr(&params), p->permission, &root,
                            err, errlen);
        abuf_free(&params);
        if (rc != AWS_OK)
            break;
        rc = fn(c, t, root, ud);
        const char *next = rc == AWS_OK ? next_token(root, p) : NULL;
        if (next && same_token(token, next)) {
            snprintf(err, errlen, "%s: the server repeated its pagination token", p->permission);
            rc = AWS_E_FAIL;
            next = NULL;
        }
        free(token);
        token = next ? strdup(next) : NULL;
        xml_free(root);
        if (rc != AWS_OK || !token)
            break;
        c->api->progress(c->h, (uint64_t)page + 1, 0, "pages");
    }
    if (token && rc == AWS_OK) { /* pages left over, not a failed call */
        snprintf(err, errlen, "%s: more than %d pages", p->permission, AWS_MAX_PAGES);
        rc = AWS_E_FAIL;
    }
    free(token);
    return rc;
}

int aws_s3_paginate(aws_ctx *c, aws_task *t, const aws_pager *p, aws_xml_page_fn fn, void *ud, char *err,
                    size_t errlen)
{
    char *token = NULL;
    int rc = AWS_OK;
    for (int page = 0; page < AWS_MAX_PAGES; page++) {
        abuf q;
        abuf_init(&q);
        abuf_str(&q, p->params);
        if (token) {
            abuf q2;
            abuf_init(&q2);
            aws_form_param(&q2, p->token_param, token);
            abuf_str(&q, q.len ? abuf_cstr(&q2) : abuf_cstr(&q2) + 1);
            abuf_free(&q2);
        }
        xml_node *root = NULL;
        rc = aws_s3_call(c, p->region, NULL, NULL, q.len ? abuf_cstr(&q) : NULL, p->permission, &root, NULL, err,
                         errlen);
        abuf_free(&q);
        if (rc != AWS_OK)
            break;
        rc = fn(c, t, root, ud);
        const char *next = rc == AWS_OK ? next_token(root, p) : NULL;
        if (next && same_token(token, next)) {
            snprintf(err, errlen, "%s: the server repeated its pagination token", p->permission);
            rc = AWS_E_FAIL;
            next = NULL;
        }
        free(token);
        token = next ? strdup(next) : NULL;
        xml_free(root);
        if (rc != AWS_OK || !token)
            break;
    }
    if (token && rc == AWS_OK) { /* pages left over, not a failed call */
        snprintf(err, errlen, "%s: more than %d pages", p->permission, AWS_MAX_PAGES);
        rc = AWS_E_FAIL;
    }
    free(token);
    return rc;
}

int aws_json_paginate(aws_ctx *c, aws_task *t, const aws_pager *p, aws_json_page_fn fn, void *ud, char *err,
                      size_t errlen)
{
    char *token = NULL;
    int rc = AWS_OK;
    for (int page = 0; page < AWS_MAX_PAGES; page++) {
        cJSON *req = p->params ? cJSON_Parse(p->params) : cJSON_CreateObject();
        if (!req) {
            rc = AWS_E_FAIL;
            snprintf(err, errlen, "%s: bad request template", p->permission);
            break;
        }
        if (token)
            cJSON_AddStringToObject(req, p->token_param, token);
        char *body = cJSON_PrintUnformatted(req);
        cJSON_Delete(req);
        char *reply = NULL;
        rc = body ? aws_json_call(c, p->service, p->region, p->version, p->action, body, p->permission, &reply, err,
                                  errlen)
                  : AWS_E_FAIL;
        free(body);
        if (rc != AWS_OK)
            break;
        cJSON *j = aj_parse(reply, p->permission, err, errlen);
        free(reply);
        if (!j) {
            rc = AWS_E_FAIL;
            break;
        }
        rc = fn(c, t, j, ud);
        const char *next = NULL;
        if (rc == AWS_OK) {
            cJSON *tr = p->truncated_elem ? cJSON_GetObjectItem(j, p->truncated_elem) : NULL;
            if (!p->truncated_elem || cJSON_IsTrue(tr))
                next = cJSON_GetStringValue(cJSON_GetObjectItem(j, p->token_elem));
            if (next && !*next)
                next = NULL;
        }
        if (next && same_token(token, next)) {
            snprintf(err, errlen, "%s: the server repeated its pagination token", p->permission);
            rc = AWS_E_FAIL;
            next = NULL;
        }
        free(token);
        token = next ? strdup(next) : NULL;
        cJSON_Delete(j);
        if (rc != AWS_OK || !token)
            break;
    }
    if (token && rc == AWS_OK) { /* pages left over, not a failed call */
        snprintf(err, errlen, "%s: more than %d pages", p->permission, AWS_MAX_PAGES);
        rc = AWS_E_FAIL;
    }
    free(token);
    return rc;
}
