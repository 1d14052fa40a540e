/*
 * aws_emit.c - see aws_emit.h.
 */
#define _DEFAULT_SOURCE
#include "aws_emit.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_buf.h"

int aws_emit_resource(aws_ctx *c, const aws_task *t, const char *type, const char *uid, const char *name,
                      const char *region, cJSON *data, cJSON *tags)
{
    char *dj = data ? cJSON_PrintUnformatted(data) : NULL;
    char *tj = tags ? cJSON_PrintUnformatted(tags) : NULL;
    cJSON_Delete(data);
    cJSON_Delete(tags);
    if (!dj) {
        free(tj);
        return PP_ERR_NOMEM;
    }
    pp_resource r;
    PP_INIT(&r);
    r.uid = uid;
    r.type = type;
    r.provider = "aws";
    r.account = t->account;
    r.region = region;
    r.name = name;
    r.tags_json = tj;
    r.data_json = dj;
    r.source = "api";
    int rc = c->api->emit_resource(c->h, &r);
    free(dj);
    free(tj);
    return rc;
}

void aws_emit_denied(aws_ctx *c, aws_task *t, const char *permission, const char *what, const char *uid,
                     const char *code)
{
    t->denied++;
    char msg[700], evidence[400], scope[200];
    snprintf(msg, sizeof msg,
             "%s was denied (%s) while collecting %s in account %s%s%s: grant %s to the scanning identity, or "
             "this part of the inventory stays unknown",
             permission, code && *code ? code : "AccessDenied", what, t->account ? t->account : "?",
             t->region && strcmp(t->service, "iam") ? ", region " : "",
             t->region && strcmp(t->service, "iam") ? t->region : "", permission);
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddStringToObject(ev, "permission", permission);
    cJSON_AddStringToObject(ev, "errorCode", code && *code ? code : "AccessDenied");
    cJSON_AddStringToObject(ev, "collecting", what);
    char *evj = cJSON_PrintUnformatted(ev);
    cJSON_Delete(ev);
    snprintf(evidence, sizeof evidence, "%s", evj ? evj : "{}");
    free(evj);
    if (!uid) {
        snprintf(scope, sizeof scope, "arn:aws:%s:%s:%s:", t->service, strcmp(t->service, "iam") ? t->region : "",
                 t->account ? t->account : "");
        uid = scope;
    }
    pp_finding f;
    PP_INIT(&f);
    f.rule_id = "aws-collection-access-denied";
    f.resource_uid = uid;
    f.status = PP_STATUS_ERROR;
    f.severity = PP_SEV_MEDIUM;
    f.title = "AWS API call denied during collection";
    f.message = msg;
    f.evidence_json = evidence;
    f.remediation = "Attach the AWS managed policy SecurityAudit (or ReadOnlyAccess) to the scanning role.";
    f.provider = "aws";
    f.account = t->account;
    f.region = strcmp(t->service, "iam") ? t->region : NULL;
    c->api->emit_finding(c->h, &f);
    aws_log(c, PP_LOG_WARN, "%s denied in %s (%s)", permission, t->id, code && *code ? code : "AccessDenied");
}

void j_str(cJSON *obj, const char *key, const xml_node *n, const char *path)
{
    const char *v = xml_text_at(n, path);
    if (v)
        cJSON_AddStringToObject(obj, key, v);
}

void j_str_or_null(cJSON *obj, const char *key, const xml_node *n, const char *path)
{
    const char *v = xml_text_at(n, path);
    if (v && *v)
        cJSON_AddStringToObject(obj, key, v);
    else
        cJSON_AddNullToObject(obj, key);
}

void j_bool(cJSON *obj, const char *key, const xml_node *n, const char *path)
{
    const char *v = xml_text_at(n, path);
    if (v)
        cJSON_AddBoolToObject(obj, key, strcmp(v, "true") == 0);
}

void j_int(cJSON *obj, const char *key, const xml_node *n, const char *path)
{
    const char *v = xml_text_at(n, path);
    if (v && *v) {
        char *end;
        long long x = strtoll(v, &end, 10);
        if (*end == '\0')
            cJSON_AddNumberToObject(obj, key, (double)x);
    }
}

cJSON *j_policy(const char *text, int url_encoded)
{
    if (!text)
        return NULL;
    if (!url_encoded)
        return cJSON_Parse(text);
    abuf b;
    abuf_init(&b);
    for (const char *s = text; *s; s++) {
        if (*s == '%' && isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2])) {
            char h[3] = {s[1], s[2], 0};
            abuf_ch(&b, (char)strtol(h, NULL, 16));
            s += 2;
        } else {
            abuf_ch(&b, *s); /* RFC 3986 encoding: '+' is a plus */
        }
    }
    cJSON *j = b.failed ? NULL : cJSON_Parse(abuf_cstr(&b));
    abuf_free(&b);
    return j;
}
