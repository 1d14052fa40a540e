/*
 * plugins/iac/params.c - CloudFormation parameter values given by the user
 * (-o iac.parameters=Name=Value,... and -o iac.parameters_file=PATH), so a
 * template is judged as it will be deployed rather than with its Defaults
 * (see iac.h and docs/iac.md).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iac.h"

#define PARAMS_MAX_FILE (1024 * 1024)
#define PARAMS_MAX_NAME 255

/* Nonzero when @s is a CloudFormation logical name: [A-Za-z0-9]{1,255}. */
static int name_ok(const char *s, size_t n)
{
    if (n == 0 || n > PARAMS_MAX_NAME)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
            return 0;
    return 1;
}

static int put_param(cJSON *out, const char *name, const char *value, const char *where, char *err, size_t errlen)
{
    if (!name_ok(name, strlen(name))) {
        snprintf(err, errlen, "%s: '%.64s' is not a parameter name (letters and digits)", where, name);
        return -1;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(out, name);
    if (!cJSON_AddStringToObject(out, name, value)) {
        snprintf(err, errlen, "%s: out of memory", where);
        return -1;
    }
    return 0;
}

/* Values of the JSON file at @path into @out. */
static int from_file(cJSON *out, const char *path, char *err, size_t errlen)
{
    char *text = NULL, why[700];
    size_t len = 0;
    if (iac_read_file(path, PARAMS_MAX_FILE, &text, &len, why, sizeof why) != 0) {
        snprintf(err, errlen, "iac.parameters_file: %s", why);
        return -1;
    }
    cJSON *doc = cJSON_Parse(text);
    free(text);
    char where[600];
    int rc = 0;
    if (!doc) {
        snprintf(err, errlen, "iac.parameters_file: %s: not valid JSON", path);
        return -1;
    }
    const cJSON *params = cJSON_IsObject(doc) ? cJSON_GetObjectItemCaseSensitive(doc, "Parameters") : NULL;
    const cJSON *obj = cJSON_IsObject(params) ? params : cJSON_IsObject(doc) ? doc : NULL;
    if (obj) { /* {"Parameters": {"Name": "Value"}} or {"Name": "Value"} */
        for (const cJSON *m = obj->child; m && rc == 0; m = m->next) {
            snprintf(where, sizeof where, "iac.parameters_file: %s: %.64s", path, m->string);
            if (!cJSON_IsString(m)) {
                snprintf(err, errlen, "%s: the value must be a string", where);
                rc = -1;
            } else {
                rc = put_param(out, m->string, m->valuestring, where, err, errlen);
            }
        }
    } else if (cJSON_IsArray(doc)) { /* [{"ParameterKey": ..., "ParameterValue": ...}] */
        int i = 0;
        for (const cJSON *e = doc->child; e && rc == 0; e = e->next, i++) {
            const cJSON *k = cJSON_GetObjectItemCaseSensitive(e, "ParameterKey");
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "ParameterValue");
            snprintf(where, sizeof where, "iac.parameters_file: %s: [%d]", path, i);
            if (!cJSON_IsString(k) || !cJSON_IsString(v)) {
                snprintf(err, errlen, "%s: needs string ParameterKey and ParameterValue", where);
                rc = -1;
            } else {
                rc = put_param(out, k->valuestring, v->valuestring, where, err, errlen);
            }
        }
    } else {
        snprintf(err, errlen, "iac.parameters_file: %s: expected an object or a list of ParameterKey/ParameterValue",
                 path);
        rc = -1;
    }
    cJSON_Delete(doc);
    return rc;
}

cJSON *iac_parameters_parse(const char *list, const char *path, char *err, size_t errlen)
{
    cJSON *out = cJSON_CreateObject();
    if (!out) {
        snprintf(err, errlen, "iac.parameters: out of memory");
        return NULL;
    }
    if (path && *path && from_file(out, path, err, errlen) != 0)
        goto fail;
    for (const char *s = list; s && *s;) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        const char *eq = memchr(s, '=', n);
        if (!eq) {
            snprintf(err, errlen, "iac.parameters: '%.*s' is not Name=Value", (int)(n > 64 ? 64 : n), s);
            goto fail;
        }
        char name[PARAMS_MAX_NAME + 1];
        size_t nl = (size_t)(eq - s);
        if (!name_ok(s, nl)) {
            snprintf(err, errlen, "iac.parameters: '%.*s' is not a parameter name (letters and digits)",
                     (int)(nl > 64 ? 64 : nl), s);
            goto fail;
        }
        memcpy(name, s, nl);
        name[nl] = '\0';
        char *value = strndup(eq + 1, n - nl - 1);
        int rc = value ? put_param(out, name, value, "iac.parameters", err, errlen) : -1;
        if (!value)
            snprintf(err, errlen, "iac.parameters: out of memory");
        free(value);
        if (rc != 0)
            goto fail;
        s = comma ? comma + 1 : NULL;
    }
    return out;
fail:
    cJSON_Delete(out);
    return NULL;
}
