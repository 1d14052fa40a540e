/* core/policy/suppress.c - matching findings against suppressions (see suppress.h). */
#include "config.h"

#include "suppress.h"

#include <cJSON.h>
#include <fnmatch.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel/cel_internal.h"
#include "log.h"
#include "util.h"

typedef struct tag_cond {
    char *key;
    char *value; /* NULL: the key must be present */
} tag_cond;

typedef struct suppression {
    int64_t id;
    char *rule, *provider, *account, *region; /* NULL: any */
    cel_regex *resource;                       /* NULL: any */
    int has_tags, tags_any;
    tag_cond *conds;
    size_t n_conds;
    char *owner;
    int64_t expires_at; /* 0: never */
    int expired;
    atomic_int warned;
} suppression;

struct pe_suppressions {
    suppression *v;
    size_t n;
    cel_arena arena; /* compiled regexes */
};

size_t pe_suppressions_count(const pe_suppressions *s)
{
    return s ? s->n : 0;
}

void pe_suppressions_free(pe_suppressions *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        suppression *p = &s->v[i];
        free(p->rule);
        free(p->provider);
        free(p->account);
        free(p->region);
        free(p->owner);
        for (size_t k = 0; k < p->n_conds; k++) {
            free(p->conds[k].key);
            free(p->conds[k].value);
        }
        free(p->conds);
    }
    free(s->v);
    cel_arena_free(&s->arena);
    free(s);
}

/* An optional string member: 0 with *out (NULL for absent/null), -1 on a wrong type. */
static int opt_str(const cJSON *o, const char *key, char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v) || strlen(v->valuestring) > PE_SUPP_PATTERN_MAX)
        return -1;
    *out = xstrdup(v->valuestring);
    return 0;
}

static int parse_tags(suppression *p, const cJSON *t, char *why, size_t whylen)
{
    if (!t || cJSON_IsNull(t))
        return 0;
    const cJSON *match = cJSON_GetObjectItemCaseSensitive(t, "match");
    const cJSON *conds = cJSON_GetObjectItemCaseSensitive(t, "conditions");
    if (!cJSON_IsObject(t) || !cJSON_IsString(match) ||
        (strcmp(match->valuestring, "all") && strcmp(match->valuestring, "any")) || !cJSON_IsArray(conds)) {
        snprintf(why, whylen, "tags: must be {\"match\": \"all\"|\"any\", \"conditions\": [...]}");
        return -1;
    }
    p->has_tags = 1;
    p->tags_any = !strcmp(match->valuestring, "any");
    p->conds = xcalloc((size_t)cJSON_GetArraySize(conds) + 1, sizeof *p->conds);
    const cJSON *c;
    cJSON_ArrayForEach(c, conds)
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(c, "key");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, "value");
        if (!cJSON_IsString(k) || !(v == NULL || cJSON_IsNull(v) || cJSON_IsString(v))) {
            snprintf(why, whylen, "tags.conditions[%zu]: needs a string 'key' and a string or null 'value'",
                     p->n_conds);
            return -1;
        }
        p->conds[p->n_conds].key = xstrdup(k->valuestring);
        p->conds[p->n_conds].value = cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
        p->n_conds++;
    }
    return 0;
}

static int parse_one(pe_suppressions *s, const cJSON *o, suppression *p, char *why, size_t whylen)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
    if (!cJSON_IsObject(o) || !cJSON_IsNumber(id)) {
        snprintf(why, whylen, "must be an object with a numeric 'id'");
        return -1;
    }
    p->id = (int64_t)id->valuedouble;
    char *res = NULL;
    static const char *const strs[] = {"rule", "provider", "account", "region", "owner"};
    char **dst[] = {&p->rule, &p->provider, &p->account, &p->region, &p->owner};
    for (size_t i = 0; i < 5; i++) {
        if (opt_str(o, strs[i], dst[i]) != 0) {
            snprintf(why, whylen, "%s: must be a string or null (at most %d bytes)", strs[i], PE_SUPP_PATTERN_MAX);
            return -1;
        }
    }
    if (opt_str(o, "resource", &res) != 0) {
        snprintf(why, whylen, "resource: must be a regular expression or null");
        return -1;
    }
    if (res) {
        cel_limits lim;
        cel_limits_default(&lim);
        const char *rerr = NULL;
        p->resource = cel_regex_compile(&s->arena, res, strlen(res), lim.max_regex_insts, &rerr);
        free(res);
        if (!p->resource) {
            snprintf(why, whylen, "resource: bad regular expression: %s", rerr ? rerr : "invalid");
            return -1;
        }
    }
    if (parse_tags(p, cJSON_GetObjectItemCaseSensitive(o, "tags"), why, whylen) != 0)
        return -1;
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(o, "expires_at");
    if (cJSON_IsNumber(exp))
        p->expires_at = (int64_t)exp->valuedouble;
    else if (exp && !cJSON_IsNull(exp)) {
        snprintf(why, whylen, "expires_at: must be Unix seconds or null");
        return -1;
    }
    p->expired = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "expired"));
    atomic_init(&p->warned, 0);
    return 0;
}

pe_suppressions *pe_suppressions_parse(const char *json, char *err, size_t errlen)
{
    pe_suppressions *s = xcalloc(1, sizeof *s);
    cel_arena_init(&s->arena, 0);
    if (!json || !*json)
        return s;
    cJSON *doc = cJSON_Parse(json);
    if (!cJSON_IsArray(doc)) {
        snprintf(err, errlen, "suppressions: not a JSON array");
        cJSON_Delete(doc);
        pe_suppressions_free(s);
        return NULL;
    }
    int n = cJSON_GetArraySize(doc);
    if (n > PE_SUPP_MAX) {
        snprintf(err, errlen, "suppressions: more than %d", PE_SUPP_MAX);
        cJSON_Delete(doc);
        pe_suppressions_free(s);
        return NULL;
    }
    s->v = xcalloc((size_t)n + 1, sizeof *s->v);
    const cJSON *o;
    cJSON_ArrayForEach(o, doc)
    {
        char why[400];
        suppression *p = &s->v[s->n++];
        if (parse_one(s, o, p, why, sizeof why) != 0) {
            snprintf(err, errlen, "suppressions[%zu] (id %lld): %s", s->n - 1, (long long)p->id, why);
            cJSON_Delete(doc);
            pe_suppressions_free(s);
            return NULL;
        }
    }
    cJSON_Delete(doc);
    return s;
}

static int str_eq(const char *want, const char *have)
{
    return !want || (have && !strcmp(want, have));
}

static int glob_eq(const char *pat, const char *have)
{
    return !pat || (have && fnmatch(pat, have, 0) == 0);
}

/* Does tag condition @c hold on the tags object @tags? */
static int cond_holds(const tag_cond *c, const cJSON *tags)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(tags, c->key);
    if (!v)
        return 0;
    if (!c->value)
        return 1;
    return cJSON_IsString(v) && !strcmp(v->valuestring, c->value);
}

static int tags_match(const suppression *p, const cJSON *tags)
{
    if (!p->has_tags)
        return 1;
    if (p->n_conds == 0)
        return !p->tags_any; /* all of nothing holds; any of nothing does not */
    for (size_t i = 0; i < p->n_conds; i++) {
        int h = cond_holds(&p->conds[i], tags);
        if (p->tags_any && h)
            return 1;
        if (!p->tags_any && !h)
            return 0;
    }
    return !p->tags_any;
}

int64_t pe_suppressions_match(pe_suppressions *s, const char *rule_id, const pp_resource *r, int64_t now)
{
    if (!s || !s->n)
        return -1;
    cJSON *tags = NULL;
    int tags_parsed = 0;
    int64_t found = -1;
    for (size_t i = 0; i < s->n && found < 0; i++) {
        suppression *p = &s->v[i];
        if (!glob_eq(p->rule, rule_id) || !str_eq(p->provider, r->provider) || !str_eq(p->account, r->account) ||
            !glob_eq(p->region, r->region))
            continue;
        if (p->resource && (!r->uid || cel_regex_search(p->resource, r->uid, strlen(r->uid)) != 1))
            continue;
        if (p->has_tags) {
            if (!tags_parsed) {
                tags = r->tags_json ? cJSON_Parse(r->tags_json) : NULL;
                tags_parsed = 1;
            }
            if (!tags_match(p, tags))
                continue;
        }
        if (p->expired || (p->expires_at && p->expires_at <= now)) {
            if (atomic_exchange(&p->warned, 1) == 0) {
                char day[32] = "an unknown date";
                if (p->expires_at) {
                    time_rfc3339(p->expires_at, day, sizeof day);
                    day[10] = '\0';
                }
                log_msg(LOG_LVL_WARN, "policy", "suppression %lld (owner %s) expired on %s and no longer mutes %s",
                        (long long)p->id, p->owner ? p->owner : "unknown", day, rule_id);
            }
            continue;
        }
        found = p->id;
    }
    cJSON_Delete(tags);
    return found;
}
