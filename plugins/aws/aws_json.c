/*
 * aws_json.c - see aws_json.h.
 */
#define _DEFAULT_SOURCE
#include "aws_json.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

cJSON *aj_parse(const char *text, const char *call, char *err, size_t errlen)
{
    size_t n = text ? strlen(text) : 0;
    if (n == 0) {
        snprintf(err, errlen, "%s: empty response", call);
        return NULL;
    }
    if (n > AWS_JSON_MAX) {
        snprintf(err, errlen, "%s: response larger than %u bytes", call, AWS_JSON_MAX);
        return NULL;
    }
    const char *end = NULL;
    /* n + 1: the terminator is part of the buffer, so trailing bytes after the value are refused */
    cJSON *j = cJSON_ParseWithLengthOpts(text, n + 1, &end, 1);
    if (!j) {
        size_t at = end && end >= text && end <= text + n ? (size_t)(end - text) : 0;
        snprintf(err, errlen, "%s: malformed or truncated JSON response (near byte %zu of %zu)", call, at, n);
        return NULL;
    }
    if (!cJSON_IsObject(j)) {
        snprintf(err, errlen, "%s: the response is not a JSON object", call);
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

void aj_copy(cJSON *dst, const char *key, const cJSON *src, const char *member)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(src, member);
    if (v)
        cJSON_AddItemToObject(dst, key, cJSON_Duplicate(v, 1));
}

void aj_copy_or_null(cJSON *dst, const char *key, const cJSON *src, const char *member)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(src, member);
    cJSON_AddItemToObject(dst, key, v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull());
}

void aj_bool(cJSON *dst, const char *key, const cJSON *src, const char *member, int dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(src, member);
    if (cJSON_IsBool(v))
        cJSON_AddBoolToObject(dst, key, cJSON_IsTrue(v));
    else if (dflt >= 0)
        cJSON_AddBoolToObject(dst, key, dflt);
}

void aj_time(cJSON *dst, const char *key, const cJSON *src, const char *member, int or_null)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(src, member);
    if (cJSON_IsString(v)) {
        cJSON_AddStringToObject(dst, key, v->valuestring);
        return;
    }
    if (cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble >= 0 && v->valuedouble < 253402300800.0) {
        time_t t = (time_t)v->valuedouble;
        struct tm tm;
        char buf[32];
        if (gmtime_r(&t, &tm) && strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
            cJSON_AddStringToObject(dst, key, buf);
            return;
        }
    }
    if (or_null)
        cJSON_AddNullToObject(dst, key);
}

static void camel_name(const char *in, char *out, size_t len)
{
    size_t n = strlen(in);
    if (n >= len)
        n = len - 1;
    memcpy(out, in, n);
    out[n] = '\0';
    size_t run = 0;
    while (run < n && isupper((unsigned char)out[run]))
        run++;
    /* "DBInstance": lower all but the capital that starts the next word */
    size_t lower = run;
    if (run > 1 && run < n && islower((unsigned char)out[run]))
        lower = run - 1;
    for (size_t i = 0; i < lower; i++)
        out[i] = (char)tolower((unsigned char)out[i]);
}

cJSON *aj_camel(const cJSON *v)
{
    if (!v)
        return NULL;
    if (cJSON_IsObject(v)) {
        cJSON *o = cJSON_CreateObject();
        const cJSON *m;
        cJSON_ArrayForEach(m, v)
        {
            char name[128];
            camel_name(m->string ? m->string : "", name, sizeof name);
            cJSON_AddItemToObject(o, name, aj_camel(m));
        }
        return o;
    }
    if (cJSON_IsArray(v)) {
        cJSON *a = cJSON_CreateArray();
        const cJSON *m;
        cJSON_ArrayForEach(m, v) cJSON_AddItemToArray(a, aj_camel(m));
        return a;
    }
    return cJSON_Duplicate(v, 1);
}

cJSON *aj_string_list(const cJSON *src, const char *member)
{
    cJSON *a = cJSON_CreateArray();
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(src, member), *m;
    cJSON_ArrayForEach(m, v)
    {
        if (cJSON_IsString(m))
            cJSON_AddItemToArray(a, cJSON_CreateString(m->valuestring));
    }
    return a;
}

cJSON *aj_policy_member(const cJSON *src, const char *member)
{
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(src, member));
    if (!text || strlen(text) > AWS_JSON_MAX)
        return NULL;
    cJSON *p = cJSON_Parse(text);
    if (p && !cJSON_IsObject(p)) {
        cJSON_Delete(p);
        p = NULL;
    }
    return p;
}
