/*
 * policy_fn.c - see policy_fn.h: argument checking and result encoding of
 * the aws.policy.* CEL functions, and their table for the descriptor.
 */
#define _DEFAULT_SOURCE
#include "policy_fn.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "aws_ctx.h"
#include "policy_doc.h"

/* Largest argument array accepted: a document given as text may be
 * escaped (every byte at most six), plus the other arguments. */
#define ARGS_MAX ((size_t)AWSP_MAX_DOC_BYTES * 6 + 16384)

enum which { F_PUBLIC, F_CROSS, F_ACTION, F_PUBLIC_ACTIONS };

static const struct {
    const char *name;
    enum which which;
    int min_args, max_args;
} table[] = {
    {"aws.policy.allows_public", F_PUBLIC, 2, 2},
    {"aws.policy.allows_cross_account", F_CROSS, 2, 2},
    {"aws.policy.allows_action", F_ACTION, 2, 3},
    {"aws.policy.public_actions", F_PUBLIC_ACTIONS, 1, 1},
};

static char *msg(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

static char *msg(const char *fmt, ...)
{
    char buf[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return strdup(buf);
}

/* A string argument: non-empty, at most AWSP_MAX_PATTERN bytes, no NUL. */
static const char *string_arg(const cJSON *a)
{
    const char *s = cJSON_GetStringValue(a);
    return s && *s && strlen(s) <= AWSP_MAX_PATTERN ? s : NULL;
}

int aws_policy_call(const char *name, const char *args_json, char **result)
{
    *result = NULL;
    size_t fi = 0;
    while (fi < sizeof table / sizeof *table && strcmp(table[fi].name, name ? name : "") != 0)
        fi++;
    if (fi == sizeof table / sizeof *table) {
        *result = msg("no such function");
        return -1;
    }
    const char *fn = table[fi].name;
    if (!args_json || strlen(args_json) > ARGS_MAX) {
        *result = msg("%s: the arguments are missing or larger than %zu bytes", fn, ARGS_MAX);
        return -1;
    }
    cJSON *args = cJSON_Parse(args_json);
    int argc = cJSON_IsArray(args) ? cJSON_GetArraySize(args) : -1;
    if (argc < table[fi].min_args || argc > table[fi].max_args) {
        cJSON_Delete(args);
        *result = msg("%s: expects %d to %d arguments", fn, table[fi].min_args, table[fi].max_args);
        return -1;
    }
    const cJSON *doc = cJSON_GetArrayItem(args, 0);
    cJSON *parsed = NULL;
    int rc = 0;
    char err[400] = "";
    if (cJSON_IsString(doc)) {
        size_t len = strlen(doc->valuestring);
        if (len > AWSP_MAX_DOC_BYTES) {
            rc = -1;
            snprintf(err, sizeof err, "the policy text is larger than %u bytes", AWSP_MAX_DOC_BYTES);
        } else {
            parsed = cJSON_ParseWithLength(doc->valuestring, len);
            if (!parsed) {
                rc = -1;
                snprintf(err, sizeof err, "the policy text is not JSON");
            }
            doc = parsed;
        }
    } else if (!cJSON_IsNull(doc) && !cJSON_IsObject(doc)) {
        rc = -1;
        snprintf(err, sizeof err, "the first argument must be a policy document (a map, its JSON text, or null)");
    }
    const cJSON *a1 = cJSON_GetArrayItem(args, 1), *a2 = cJSON_GetArrayItem(args, 2);
    const char *s1 = string_arg(a1), *s2 = string_arg(a2);
    if (rc == 0 && argc >= 2 && !s1) {
        rc = -1;
        snprintf(err, sizeof err, "the second argument must be a non-empty string of at most %d bytes",
                 AWSP_MAX_PATTERN);
    }
    if (rc == 0 && argc >= 3 && !s2) {
        rc = -1;
        snprintf(err, sizeof err, "the third argument must be a non-empty string of at most %d bytes",
                 AWSP_MAX_PATTERN);
    }
    int yes = 0;
    cJSON *list = NULL;
    if (rc == 0 && cJSON_IsNull(doc)) {
        /* no policy grants nothing */
        if (table[fi].which == F_PUBLIC_ACTIONS)
            list = cJSON_CreateArray();
        if (table[fi].which == F_CROSS && !(strlen(s1) == 12 && strspn(s1, "0123456789") == 12)) {
            rc = -1;
            snprintf(err, sizeof err, "the account must be 12 digits");
        }
    } else if (rc == 0) {
        switch (table[fi].which) {
        case F_PUBLIC:
            rc = awsp_allows_public(doc, s1, &yes, err, sizeof err);
            break;
        case F_CROSS:
            rc = awsp_allows_cross_account(doc, s1, &yes, err, sizeof err);
            break;
        case F_ACTION:
            rc = awsp_allows_action(doc, s1, argc >= 3 ? s2 : NULL, &yes, err, sizeof err);
            break;
        case F_PUBLIC_ACTIONS:
            rc = awsp_public_actions(doc, &list, err, sizeof err);
            break;
        }
    }
    if (rc == 0) {
        if (table[fi].which == F_PUBLIC_ACTIONS) {
            *result = list ? cJSON_PrintUnformatted(list) : NULL;
            if (!*result) {
                rc = -1;
                *result = msg("%s: out of memory", fn);
            }
        } else {
            *result = strdup(yes ? "true" : "false");
        }
    } else {
        *result = msg("%s: %s", fn, err);
    }
    cJSON_Delete(list);
    cJSON_Delete(parsed);
    cJSON_Delete(args);
    return rc;
}

/* ---- the ABI side: copy the answer into host memory ---- */

static int answer(void *inst, const char *name, const char *args_json, char **result)
{
    aws_ctx *c = inst;
    char *text = NULL;
    int rc = aws_policy_call(name, args_json, &text);
    *result = NULL;
    if (!text)
        return PP_ERR_NOMEM;
    size_t n = strlen(text) + 1;
    *result = c && c->api ? c->api->alloc(c->h, n) : NULL;
    if (*result)
        memcpy(*result, text, n);
    free(text);
    if (!*result)
        return PP_ERR_NOMEM;
    return rc == 0 ? PP_OK : PP_ERR_INVALID;
}

static int fn_public(void *inst, const char *args_json, char **result)
{
    return answer(inst, "aws.policy.allows_public", args_json, result);
}

static int fn_cross(void *inst, const char *args_json, char **result)
{
    return answer(inst, "aws.policy.allows_cross_account", args_json, result);
}

static int fn_action(void *inst, const char *args_json, char **result)
{
    return answer(inst, "aws.policy.allows_action", args_json, result);
}

static int fn_public_actions(void *inst, const char *args_json, char **result)
{
    return answer(inst, "aws.policy.public_actions", args_json, result);
}

static const pp_cel_function functions[] = {
    {sizeof(pp_cel_function), "aws.policy.allows_public", 2, 2, fn_public},
    {sizeof(pp_cel_function), "aws.policy.allows_cross_account", 2, 2, fn_cross},
    {sizeof(pp_cel_function), "aws.policy.allows_action", 2, 3, fn_action},
    {sizeof(pp_cel_function), "aws.policy.public_actions", 1, 1, fn_public_actions},
};

const pp_policy_api aws_policy_api = {
    .size = sizeof(pp_policy_api),
    .rules = NULL,
    .frameworks = NULL,
    .functions = functions,
    .n_functions = sizeof functions / sizeof functions[0],
    .evaluate = NULL,
};
