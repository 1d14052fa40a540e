/* core/schema.c - see schema.h. */
#include "config.h"

#include "schema.h"

#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32

static const char *const type_names[] = {"object", "array", "string", "integer", "number", "boolean", "null"};

static int known_type(const char *t)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
        if (strcmp(t, type_names[i]) == 0)
            return 1;
    return 0;
}

static int is_integer(const cJSON *v)
{
    return cJSON_IsNumber(v) && floor(v->valuedouble) == v->valuedouble && fabs(v->valuedouble) < 9.007199254740992e15;
}

static int type_matches(const char *t, const cJSON *v)
{
    if (strcmp(t, "object") == 0)
        return cJSON_IsObject(v);
    if (strcmp(t, "array") == 0)
        return cJSON_IsArray(v);
    if (strcmp(t, "string") == 0)
        return cJSON_IsString(v);
    if (strcmp(t, "integer") == 0)
        return is_integer(v);
    if (strcmp(t, "number") == 0)
        return cJSON_IsNumber(v);
    if (strcmp(t, "boolean") == 0)
        return cJSON_IsBool(v);
    if (strcmp(t, "null") == 0)
        return cJSON_IsNull(v);
    return 0;
}

static int check_node(const cJSON *s, const char *path, int depth, char *err, size_t errlen)
{
    if (depth > MAX_DEPTH) {
        snprintf(err, errlen, "%s: schema nested too deeply", path);
        return -1;
    }
    if (!cJSON_IsObject(s)) {
        snprintf(err, errlen, "%s: a schema must be an object", path);
        return -1;
    }
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "type");
    if (t) {
        if (cJSON_IsString(t)) {
            if (!known_type(t->valuestring)) {
                snprintf(err, errlen, "%s: unknown type '%s'", path, t->valuestring);
                return -1;
            }
        } else if (cJSON_IsArray(t)) {
            const cJSON *e;
            cJSON_ArrayForEach(e, t)
            {
                if (!cJSON_IsString(e) || !known_type(e->valuestring)) {
                    snprintf(err, errlen, "%s: 'type' lists an unknown type", path);
                    return -1;
                }
            }
        } else {
            snprintf(err, errlen, "%s: 'type' must be a string or an array", path);
            return -1;
        }
    }
    const cJSON *pat = cJSON_GetObjectItemCaseSensitive(s, "pattern");
    if (pat) {
        regex_t re;
        if (!cJSON_IsString(pat) || regcomp(&re, pat->valuestring, REG_EXTENDED | REG_NOSUB) != 0) {
            snprintf(err, errlen, "%s: 'pattern' is not a valid regular expression", path);
            return -1;
        }
        regfree(&re);
    }
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
    if (props) {
        if (!cJSON_IsObject(props)) {
            snprintf(err, errlen, "%s: 'properties' must be an object", path);
            return -1;
        }
        const cJSON *p;
        cJSON_ArrayForEach(p, props)
        {
            char sub[256];
            snprintf(sub, sizeof sub, "%s.%s", path, p->string);
            if (check_node(p, sub, depth + 1, err, errlen))
                return -1;
        }
    }
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(s, "required");
    if (req) {
        const cJSON *e;
        if (!cJSON_IsArray(req)) {
            snprintf(err, errlen, "%s: 'required' must be an array of names", path);
            return -1;
        }
        cJSON_ArrayForEach(e, req) if (!cJSON_IsString(e))
        {
            snprintf(err, errlen, "%s: 'required' must be an array of names", path);
            return -1;
        }
    }
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(s, "items");
    if (items) {
        char sub[256];
        snprintf(sub, sizeof sub, "%s[]", path);
        if (check_node(items, sub, depth + 1, err, errlen))
            return -1;
    }
    const cJSON *ap = cJSON_GetObjectItemCaseSensitive(s, "additionalProperties");
    if (ap && !cJSON_IsBool(ap)) {
        char sub[256];
        snprintf(sub, sizeof sub, "%s.*", path);
        if (check_node(ap, sub, depth + 1, err, errlen))
            return -1;
    }
    const char *nums[] = {"minimum", "maximum", "minLength", "maxLength"};
    for (size_t i = 0; i < 4; i++) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(s, nums[i]);
        if (n && !cJSON_IsNumber(n)) {
            snprintf(err, errlen, "%s: '%s' must be a number", path, nums[i]);
            return -1;
        }
    }
    return 0;
}

int schema_check(const char *schema_text, char *err, size_t errlen)
{
    if (!schema_text)
        return 0;
    cJSON *s = cJSON_Parse(schema_text);
    if (!s) {
        snprintf(err, errlen, "config schema is not valid JSON");
        return -1;
    }
    int rc = check_node(s, "(config)", 0, err, errlen);
    if (rc == 0 && !cJSON_IsObject(s))
        rc = -1;
    cJSON_Delete(s);
    return rc;
}

/* The first type a schema node declares, or NULL. */
static const char *declared_type(const cJSON *s)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "type");
    if (cJSON_IsString(t))
        return t->valuestring;
    if (cJSON_IsArray(t) && cJSON_GetArraySize(t) > 0 && cJSON_IsString(cJSON_GetArrayItem(t, 0)))
        return cJSON_GetArrayItem(t, 0)->valuestring;
    return NULL;
}

/* Convert a command-line string to the declared type. Returns a new node, or
 * NULL when it does not convert (validation then reports the mismatch). */
static cJSON *coerce_string(const cJSON *s, const char *str)
{
    const char *t = declared_type(s);
    if (!t || strcmp(t, "string") == 0)
        return NULL;
    if (strcmp(t, "integer") == 0 || strcmp(t, "number") == 0) {
        char *end;
        errno = 0;
        double d = strtod(str, &end);
        if (errno || end == str || *end || !isfinite(d))
            return NULL;
        return cJSON_CreateNumber(d);
    }
    if (strcmp(t, "boolean") == 0) {
        if (!strcmp(str, "true") || !strcmp(str, "yes") || !strcmp(str, "on") || !strcmp(str, "1"))
            return cJSON_CreateTrue();
        if (!strcmp(str, "false") || !strcmp(str, "no") || !strcmp(str, "off") || !strcmp(str, "0"))
            return cJSON_CreateFalse();
        return NULL;
    }
    if (strcmp(t, "array") == 0) {
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(s, "items");
        cJSON *arr = cJSON_CreateArray();
        const char *p = str;
        while (*p) {
            const char *comma = strchr(p, ',');
            size_t n = comma ? (size_t)(comma - p) : strlen(p);
            char *piece = strndup(p, n);
            cJSON *v = items ? coerce_string(items, piece) : NULL;
            cJSON_AddItemToArray(arr, v ? v : cJSON_CreateString(piece));
            free(piece);
            p += n;
            if (*p == ',')
                p++;
        }
        return arr;
    }
    return NULL;
}

static int apply_node(const cJSON *s, cJSON *v, const char *path, int depth, char *err, size_t errlen)
{
    if (depth > MAX_DEPTH) {
        snprintf(err, errlen, "%s: nested too deeply", path);
        return -1;
    }
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "type");
    if (t) {
        int ok = 0;
        if (cJSON_IsString(t)) {
            ok = type_matches(t->valuestring, v);
        } else {
            const cJSON *e;
            cJSON_ArrayForEach(e, t) ok |= type_matches(e->valuestring, v);
        }
        if (!ok) {
            snprintf(err, errlen, "%s: must be of type %s", path,
                     cJSON_IsString(t) ? t->valuestring : "(one of the listed types)");
            return -1;
        }
    }
    const cJSON *en = cJSON_GetObjectItemCaseSensitive(s, "enum");
    if (cJSON_IsArray(en)) {
        int ok = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, en) ok |= cJSON_Compare(e, v, 1);
        if (!ok) {
            char *allowed = cJSON_PrintUnformatted(en);
            snprintf(err, errlen, "%s: must be one of %s", path, allowed ? allowed : "the listed values");
            free(allowed);
            return -1;
        }
    }
    if (cJSON_IsNumber(v)) {
        const cJSON *mn = cJSON_GetObjectItemCaseSensitive(s, "minimum");
        const cJSON *mx = cJSON_GetObjectItemCaseSensitive(s, "maximum");
        if (cJSON_IsNumber(mn) && v->valuedouble < mn->valuedouble) {
            snprintf(err, errlen, "%s: must be at least %g", path, mn->valuedouble);
            return -1;
        }
        if (cJSON_IsNumber(mx) && v->valuedouble > mx->valuedouble) {
            snprintf(err, errlen, "%s: must be at most %g", path, mx->valuedouble);
            return -1;
        }
    }
    if (cJSON_IsString(v)) {
        size_t len = strlen(v->valuestring);
        const cJSON *mn = cJSON_GetObjectItemCaseSensitive(s, "minLength");
        const cJSON *mx = cJSON_GetObjectItemCaseSensitive(s, "maxLength");
        if (cJSON_IsNumber(mn) && (double)len < mn->valuedouble) {
            snprintf(err, errlen, "%s: must be at least %g characters", path, mn->valuedouble);
            return -1;
        }
        if (cJSON_IsNumber(mx) && (double)len > mx->valuedouble) {
            snprintf(err, errlen, "%s: must be at most %g characters", path, mx->valuedouble);
            return -1;
        }
        const cJSON *pat = cJSON_GetObjectItemCaseSensitive(s, "pattern");
        if (cJSON_IsString(pat)) {
            regex_t re;
            if (regcomp(&re, pat->valuestring, REG_EXTENDED | REG_NOSUB) != 0) {
                snprintf(err, errlen, "%s: schema pattern does not compile", path);
                return -1;
            }
            int m = regexec(&re, v->valuestring, 0, NULL, 0);
            regfree(&re);
            if (m != 0) {
                snprintf(err, errlen, "%s: does not match the pattern %s", path, pat->valuestring);
                return -1;
            }
        }
    }
    if (cJSON_IsArray(v)) {
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(s, "items");
        if (items) {
            int i = 0;
            cJSON *e;
            cJSON_ArrayForEach(e, v)
            {
                char sub[256];
                snprintf(sub, sizeof sub, "%s[%d]", path, i++);
                if (cJSON_IsString(e)) {
                    cJSON *c = coerce_string(items, e->valuestring);
                    if (c) {
                        cJSON_ReplaceItemViaPointer(v, e, c);
                        e = c;
                    }
                }
                if (apply_node(items, e, sub, depth + 1, err, errlen))
                    return -1;
            }
        }
    }
    if (cJSON_IsObject(v)) {
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
        const cJSON *ap = cJSON_GetObjectItemCaseSensitive(s, "additionalProperties");
        /* defaults first, so required can be satisfied by them */
        const cJSON *p;
        cJSON_ArrayForEach(p, props)
        {
            const cJSON *def = cJSON_GetObjectItemCaseSensitive(p, "default");
            if (def && !cJSON_GetObjectItemCaseSensitive(v, p->string))
                cJSON_AddItemToObject(v, p->string, cJSON_Duplicate(def, 1));
        }
        const cJSON *req = cJSON_GetObjectItemCaseSensitive(s, "required");
        const cJSON *r;
        cJSON_ArrayForEach(r, req)
        {
            if (cJSON_IsString(r) && !cJSON_GetObjectItemCaseSensitive(v, r->valuestring)) {
                snprintf(err, errlen, "%s.%s: required key is missing", path, r->valuestring);
                return -1;
            }
        }
        cJSON *m = v->child;
        while (m) {
            cJSON *next = m->next;
            char sub[256];
            snprintf(sub, sizeof sub, "%s.%s", path, m->string);
            const cJSON *ps = props ? cJSON_GetObjectItemCaseSensitive(props, m->string) : NULL;
            if (!ps && ap && !cJSON_IsBool(ap))
                ps = ap;
            if (!ps) {
                if (cJSON_IsFalse(ap)) {
                    snprintf(err, errlen, "%s: unknown key", sub);
                    return -1;
                }
                m = next;
                continue;
            }
            if (cJSON_IsString(m)) {
                cJSON *c = coerce_string(ps, m->valuestring);
                if (c) {
                    c->string = strdup(m->string); /* ReplaceItemViaPointer keeps no key */
                    cJSON_ReplaceItemViaPointer(v, m, c);
                    m = c;
                }
            }
            if (apply_node(ps, m, sub, depth + 1, err, errlen))
                return -1;
            m = next;
        }
    }
    return 0;
}

int schema_apply(const char *schema_text, cJSON *config, char *err, size_t errlen)
{
    if (!schema_text) {
        if (config->child) {
            snprintf(err, errlen, "%s: unknown key (the plugin takes no configuration)", config->child->string);
            return -1;
        }
        return 0;
    }
    cJSON *s = cJSON_Parse(schema_text);
    if (!s) {
        snprintf(err, errlen, "config schema is not valid JSON");
        return -1;
    }
    /* error paths start with the key: strip the leading "(config)." */
    char tmp[512];
    int rc = apply_node(s, config, "(config)", 0, tmp, sizeof tmp);
    if (rc)
        snprintf(err, errlen, "%s", strncmp(tmp, "(config).", 9) == 0 ? tmp + 9 : tmp);
    cJSON_Delete(s);
    return rc;
}
