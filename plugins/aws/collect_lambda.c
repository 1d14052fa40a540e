/*
 * collect_lambda.c - Lambda functions of one region (REST-JSON):
 * ListFunctions (Marker/NextMarker), then per function GetPolicy (the
 * resource-based policy; 404 = none) and GetFunctionUrlConfig (404 = no
 * URL). Environment variable values are never kept, only their names.
 * Shape: aws.lambda.function in docs/resources/aws.md.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_buf.h"
#include "aws_client.h"
#include "aws_json.h"
#include "collectors.h"
#include "pagination.h"
#include "sigv4.h"

#define LAMBDA_WHAT "aws.lambda.function"

/* "/VERSION/functions/NAME/SUFFIX" with NAME percent-encoded. */
static void function_path(abuf *b, const char *version, const char *name, const char *suffix)
{
    abuf_fmt(b, "/%s/functions/", version);
    sigv4_uri_encode(b, name, strlen(name), 0);
    abuf_str(b, suffix);
}

static cJSON *function_shape(const cJSON *f)
{
    cJSON *d = cJSON_CreateObject();
    aj_copy(d, "functionName", f, "FunctionName");
    aj_copy(d, "functionArn", f, "FunctionArn");
    aj_copy(d, "runtime", f, "Runtime");
    aj_copy(d, "handler", f, "Handler");
    aj_copy(d, "role", f, "Role");
    aj_copy(d, "memorySize", f, "MemorySize");
    aj_copy(d, "timeout", f, "Timeout");
    aj_copy(d, "lastModified", f, "LastModified");
    aj_copy(d, "packageType", f, "PackageType");
    cJSON_AddItemToObject(d, "architectures", aj_string_list(f, "Architectures"));
    cJSON *names = cJSON_AddArrayToObject(d, "environmentVariableNames");
    const cJSON *var;
    cJSON_ArrayForEach(
        var, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(f, "Environment"), "Variables"))
    {
        if (var->string) /* the name only: values often hold secrets */
            cJSON_AddItemToArray(names, cJSON_CreateString(var->string));
    }
    aj_copy_or_null(d, "kmsKeyArn", f, "KMSKeyArn");
    const cJSON *vpc = cJSON_GetObjectItemCaseSensitive(f, "VpcConfig");
    const char *vpc_id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(vpc, "VpcId"));
    if (vpc_id && *vpc_id) {
        cJSON *v = cJSON_AddObjectToObject(d, "vpcConfig");
        cJSON_AddStringToObject(v, "vpcId", vpc_id);
        cJSON_AddItemToObject(v, "subnetIds", aj_string_list(vpc, "SubnetIds"));
        cJSON_AddItemToObject(v, "securityGroupIds", aj_string_list(vpc, "SecurityGroupIds"));
    } else {
        cJSON_AddNullToObject(d, "vpcConfig");
    }
    const cJSON *tc = cJSON_GetObjectItemCaseSensitive(f, "TracingConfig");
    if (tc) {
        cJSON *x = cJSON_AddObjectToObject(d, "tracingConfig");
        aj_copy(x, "mode", tc, "Mode");
    }
    return d;
}

/* policy and functionUrl of one function; returns nonzero to stop. */
static int function_extras(aws_ctx *c, aws_task *t, const char *name, const char *arn, cJSON *d)
{
    abuf path;
    abuf_init(&path);
    function_path(&path, "2015-03-31", name, "/policy");
    cJSON *pol = NULL;
    int rc = collector_rest_json(c, t, "lambda", abuf_cstr(&path), NULL, "lambda:GetPolicy", LAMBDA_WHAT, arn, &pol);
    abuf_free(&path);
    if (collector_stop(rc))
        return 1;
    if (rc == AWS_OK) {
        cJSON *doc = aj_policy_member(pol, "Policy");
        cJSON_AddItemToObject(d, "policy", doc ? doc : cJSON_CreateNull());
    } else if (rc == AWS_E_NOTFOUND) {
        cJSON_AddNullToObject(d, "policy");
    }
    cJSON_Delete(pol);
    abuf_init(&path);
    function_path(&path, "2021-10-31", name, "/url");
    cJSON *url = NULL;
    rc = collector_rest_json(c, t, "lambda", abuf_cstr(&path), NULL, "lambda:GetFunctionUrlConfig", LAMBDA_WHAT, arn,
                             &url);
    abuf_free(&path);
    if (collector_stop(rc))
        return 1;
    if (rc == AWS_OK) {
        cJSON *u = cJSON_AddObjectToObject(d, "functionUrl");
        aj_copy(u, "authType", url, "AuthType");
        aj_copy(u, "functionUrl", url, "FunctionUrl");
        const cJSON *cors = cJSON_GetObjectItemCaseSensitive(url, "Cors");
        if (cors)
            cJSON_AddItemToObject(u, "cors", aj_camel(cors));
    } else if (rc == AWS_E_NOTFOUND) {
        cJSON_AddNullToObject(d, "functionUrl");
    }
    cJSON_Delete(url);
    return 0;
}

int collect_lambda(aws_ctx *c, aws_task *t)
{
    char *marker = NULL;
    int stop = 0;
    for (int page = 0; page < AWS_MAX_PAGES && !stop; page++) {
        abuf q;
        abuf_init(&q);
        if (marker)
            aws_form_param(&q, "Marker", marker);
        abuf_str(&q, "&MaxItems=50");
        cJSON *reply = NULL;
        int rc = collector_rest_json(c, t, "lambda", "/2015-03-31/functions/", abuf_cstr(&q) + 1,
                                     "lambda:ListFunctions", LAMBDA_WHAT, NULL, &reply);
        abuf_free(&q);
        if (collector_stop(rc)) {
            stop = 1;
            break;
        }
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(reply, "Functions"))
        {
            const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "FunctionName"));
            const char *arn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "FunctionArn"));
            if (!name || !arn || !*name || strlen(name) > 170)
                continue;
            cJSON *d = function_shape(f);
            if (function_extras(c, t, name, arn, d)) {
                cJSON_Delete(d);
                stop = 1;
                break;
            }
            if (aws_emit_resource(c, t, "aws.lambda.function", arn, name, t->region, d, NULL) == PP_ERR_CANCELLED) {
                stop = 1;
                break;
            }
        }
        const char *next = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reply, "NextMarker"));
        if (!stop && next && *next && marker && strcmp(marker, next) == 0) {
            t->errors++;
            aws_set_error("%s: lambda:ListFunctions: the server repeated its pagination token", t->id);
            next = NULL;
        }
        free(marker);
        marker = !stop && next && *next ? strdup(next) : NULL;
        cJSON_Delete(reply);
        if (!marker)
            break;
    }
    free(marker);
    if (stop)
        return PP_ERR_CANCELLED;
    return t->errors ? PP_ERR : PP_OK;
}
