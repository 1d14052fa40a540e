/*
 * plugins/iac/cfn.c - CloudFormation templates: static evaluation of the
 * intrinsic functions, then the adapters (cfn_aws.c).
 *
 * Both spellings of an intrinsic are read: the long form ({"Ref": X},
 * {"Fn::Sub": ...}) and YAML's short tags (!Ref, !Sub, !GetAtt, !If,
 * !Join, !Select, !Split, !FindInMap, !Equals, !Not, !And, !Or,
 * !Condition, !Base64, !GetAZs, !ImportValue, !Cidr). What evaluates:
 *   - Ref to a parameter: its Default (typed by the parameter's Type);
 *     without one the value is unknown.
 *   - Ref to AWS::NoValue removes the property or list item.
 *   - Ref to a resource: its name property when it is given and known
 *     (BucketName, RoleName...), else the token "${LOGICAL}"; GetAtt gives
 *     "${LOGICAL.Attr}". Pseudo parameters give "${AWS::Region}" and the
 *     like, except AWS::Partition ("aws") and AWS::URLSuffix. A token is
 *     an identity that exists but is not spelt in the template: it is
 *     never "*" and never another account, so rules that look for
 *     wildcards judge it correctly.
 *   - Sub, Join, Select, Split, FindInMap, If, Equals, Not, And, Or,
 *     Condition over known values; any unknown input makes the result
 *     unknown. ImportValue, GetAZs, Cidr, Base64, Transform: unknown.
 * A resource whose Condition is false is not created and not emitted.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfn.h"

#define CFN_MAX_EVAL_DEPTH 96
#define CFN_MAX_RESOURCES 10000
#define CFN_MAX_STRING ((size_t)1 << 20)

/* Evaluation state of one template. */
typedef struct cfn_eval {
    const yd_node *params, *conditions, *mappings, *resources;
    cfn_ctx *ctx;
    int depth;
    int oom;
} cfn_eval;

/* Marker for AWS::NoValue while evaluating (never leaves this file). */
#define NOVALUE_RAW "\"<novalue>\""

static cJSON *novalue(void)
{
    return cJSON_CreateRaw(NOVALUE_RAW);
}

static int is_novalue(const cJSON *v)
{
    return v && cJSON_IsRaw(v) && v->valuestring && !strcmp(v->valuestring, NOVALUE_RAW);
}

int cfn_is_template(const yd_node *root)
{
    if (yd_get(root, "AWSTemplateFormatVersion"))
        return 1;
    const yd_node *res = yd_get(root, "Resources");
    if (!res || res->kind != YD_MAP || res->n < 2)
        return 0;
    const yd_node *t = yd_get(res->items[1], "Type");
    return t && t->kind == YD_SCALAR && (!strncmp(t->value, "AWS::", 5) || strchr(t->value, ':'));
}

/* Evaluate @n. @as_arg: 0 for a plain value; 1 for a short tag's own node
 * (read without its tag); 2 for a long form's value. An argument list
 * (1 or 2) keeps AWS::NoValue items, so !If [C, x, !Ref AWS::NoValue]
 * can pick one. */
static cJSON *eval(cfn_eval *e, const yd_node *n, int as_arg);

/* The name of an intrinsic written as a short tag, or NULL. */
static const char *short_fn(const yd_node *n)
{
    static const char *const tags[][2] = {
        {"!Ref", "Ref"},
        {"!Sub", "Fn::Sub"},
        {"!GetAtt", "Fn::GetAtt"},
        {"!If", "Fn::If"},
        {"!Join", "Fn::Join"},
        {"!Select", "Fn::Select"},
        {"!Split", "Fn::Split"},
        {"!FindInMap", "Fn::FindInMap"},
        {"!Equals", "Fn::Equals"},
        {"!Not", "Fn::Not"},
        {"!And", "Fn::And"},
        {"!Or", "Fn::Or"},
        {"!Condition", "Condition"},
        {"!Base64", "Fn::Base64"},
        {"!GetAZs", "Fn::GetAZs"},
        {"!ImportValue", "Fn::ImportValue"},
        {"!Cidr", "Fn::Cidr"},
        {"!Transform", "Fn::Transform"},
        {"!Length", "Fn::Length"},
        {"!ToJsonString", "Fn::ToJsonString"},
    };
    if (!n->tag)
        return NULL;
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (!strcmp(n->tag, tags[i][0]))
            return tags[i][1];
    return n->tag[0] == '!' ? "unknown-tag" : NULL;
}

static int is_long_fn(const yd_node *n)
{
    if (n->kind != YD_MAP || n->n != 2 || n->items[0]->kind != YD_SCALAR)
        return 0;
    const char *k = n->items[0]->value;
    return !strcmp(k, "Ref") || !strncmp(k, "Fn::", 4) || !strcmp(k, "Condition");
}

static int as_string(const cJSON *v, char *buf, size_t len, const char **out)
{
    if (cJSON_IsString(v)) {
        *out = v->valuestring;
        return 0;
    }
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == (double)(long long)d)
            snprintf(buf, len, "%lld", (long long)d);
        else
            snprintf(buf, len, "%g", d);
        *out = buf;
        return 0;
    }
    if (cJSON_IsBool(v)) {
        *out = cJSON_IsTrue(v) ? "true" : "false";
        return 0;
    }
    return -1;
}

/* Which property names a resource type's physical name (what Ref returns). */
static const char *name_property(const char *type)
{
    static const char *const map[][2] = {
        {"AWS::S3::Bucket", "BucketName"},
        {"AWS::IAM::Role", "RoleName"},
        {"AWS::IAM::User", "UserName"},
        {"AWS::Lambda::Function", "FunctionName"},
        {"AWS::Serverless::Function", "FunctionName"},
        {"AWS::RDS::DBInstance", "DBInstanceIdentifier"},
        {"AWS::CloudTrail::Trail", "TrailName"},
        {"AWS::EKS::Cluster", "Name"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(type, map[i][0]))
            return map[i][1];
    return NULL;
}

static cfn_res *find_res(cfn_eval *e, const char *logical)
{
    for (size_t i = 0; i < e->ctx->n_res; i++)
        if (!strcmp(e->ctx->res[i].logical, logical))
            return &e->ctx->res[i];
    return NULL;
}

static cJSON *token(const char *a, const char *b)
{
    char buf[600];
    snprintf(buf, sizeof buf, "${%s%s%s}", a, b ? "." : "", b ? b : "");
    return cJSON_CreateString(buf);
}

/* Ref NAME. */
static cJSON *eval_ref(cfn_eval *e, const char *name)
{
    if (!strcmp(name, "AWS::NoValue"))
        return novalue();
    if (!strcmp(name, "AWS::Partition"))
        return cJSON_CreateString("aws");
    if (!strcmp(name, "AWS::URLSuffix"))
        return cJSON_CreateString("amazonaws.com");
    if (!strcmp(name, "AWS::NotificationARNs"))
        return iac_unknown();
    if (!strncmp(name, "AWS::", 5))
        return token(name, NULL);
    const yd_node *p = yd_get(e->params, name);
    if (p) {
        const yd_node *def = yd_get(p, "Default");
        const yd_node *type = yd_get(p, "Type");
        /* a value the user gave (-o iac.parameters) wins over the Default */
        const cJSON *given = cJSON_GetObjectItemCaseSensitive(e->ctx->f->cfn_parameters, name);
        const char *value = cJSON_IsString(given) ? given->valuestring : NULL;
        if (!value && (!def || def->kind != YD_SCALAR))
            return iac_unknown();
        if (!value)
            value = def->value;
        if (type && (yd_is_str(type, "CommaDelimitedList") || !strncmp(type->value ? type->value : "", "List<", 5))) {
            cJSON *arr = cJSON_CreateArray();
            const char *s = value;
            while (arr && s) {
                const char *c = strchr(s, ',');
                size_t l = c ? (size_t)(c - s) : strlen(s);
                char *item = strndup(s, l);
                cJSON *it = item ? cJSON_CreateString(item) : NULL;
                free(item);
                if (!it || !cJSON_AddItemToArray(arr, it)) {
                    cJSON_Delete(it);
                    cJSON_Delete(arr);
                    return NULL;
                }
                s = c ? c + 1 : NULL;
            }
            return arr;
        }
        if (type && yd_is_str(type, "Number")) {
            if (!given)
                return yd_scalar_json(def);
            char *end = NULL;
            double d = strtod(value, &end);
            return *value && end && !*end ? cJSON_CreateNumber(d) : iac_unknown();
        }
        return cJSON_CreateString(value);
    }
    cfn_res *r = find_res(e, name);
    if (r)
        return r->ref ? cJSON_Duplicate(r->ref, 1) : token(name, NULL);
    return iac_unknown();
}

/* Fn::Sub "text ${X} ${!Literal}" with @vars (an object, maybe NULL). */
static cJSON *eval_sub(cfn_eval *e, const char *s, const cJSON *vars)
{
    size_t cap = strlen(s) + 64, len = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    int unknown = 0;
    while (*s) {
        const char *piece = NULL;
        size_t plen = 0;
        cJSON *val = NULL;
        char num[64];
        if (s[0] == '$' && s[1] == '{' && s[2] == '!') {
            piece = "${";
            plen = 2;
            s += 3;
        } else if (s[0] == '$' && s[1] == '{' && strchr(s, '}')) {
            const char *end = strchr(s, '}');
            char name[512];
            size_t nl = (size_t)(end - s - 2);
            if (nl >= sizeof name)
                nl = sizeof name - 1;
            memcpy(name, s + 2, nl);
            name[nl] = '\0';
            s = end + 1;
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(vars, name);
            if (v)
                val = cJSON_Duplicate(v, 1);
            else if (strchr(name, '.') && strncmp(name, "AWS::", 5)) {
                char *dot = strchr(name, '.');
                *dot = '\0';
                val = find_res(e, name) ? token(name, dot + 1) : iac_unknown();
            } else
                val = eval_ref(e, name);
            if (!val) {
                free(out);
                return NULL;
            }
            if (as_string(val, num, sizeof num, &piece) != 0)
                unknown = 1;
            else
                plen = strlen(piece);
        } else {
            piece = s;
            plen = 1;
            s++;
        }
        if (!unknown && piece) {
            if (len + plen + 1 > cap) {
                if (len + plen + 1 > CFN_MAX_STRING) {
                    unknown = 1;
                } else {
                    size_t nc = (len + plen + 1) * 2;
                    char *no = realloc(out, nc);
                    if (!no) {
                        cJSON_Delete(val);
                        free(out);
                        return NULL;
                    }
                    out = no;
                    cap = nc;
                }
            }
            if (!unknown) {
                memcpy(out + len, piece, plen);
                len += plen;
            }
        }
        cJSON_Delete(val);
        if (unknown)
            break;
    }
    out[len] = '\0';
    cJSON *r = unknown ? iac_unknown() : cJSON_CreateString(out);
    free(out);
    return r;
}

static cJSON *eval_condition(cfn_eval *e, const char *name);

/* Truth of an evaluated condition value: 1, 0, or -1 unknown. */
static int truth(const cJSON *v)
{
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v);
    if (cJSON_IsString(v)) {
        if (!strcmp(v->valuestring, "true"))
            return 1;
        if (!strcmp(v->valuestring, "false"))
            return 0;
    }
    return -1;
}

static cJSON *bool_or_unknown(int t)
{
    return t < 0 ? iac_unknown() : cJSON_CreateBool(t);
}

/* Apply intrinsic @fn to its evaluated argument @a (taken). */
static cJSON *apply(cfn_eval *e, const char *fn, cJSON *a)
{
    cJSON *r = NULL;
    char b1[64], b2[64];
    const char *s1, *s2;
    if (!a)
        return NULL;
    if (iac_has_unknown(a) && strcmp(fn, "Fn::If") && strcmp(fn, "Fn::And") && strcmp(fn, "Fn::Or")) {
        cJSON_Delete(a);
        return iac_unknown();
    }
    if (!strcmp(fn, "Ref")) {
        r = cJSON_IsString(a) ? eval_ref(e, a->valuestring) : iac_unknown();
    } else if (!strcmp(fn, "Condition")) {
        r = cJSON_IsString(a) ? eval_condition(e, a->valuestring) : iac_unknown();
    } else if (!strcmp(fn, "Fn::GetAtt")) {
        if (cJSON_IsString(a) && strchr(a->valuestring, '.')) {
            char *dot = strchr(a->valuestring, '.');
            *dot = '\0';
            r = token(a->valuestring, dot + 1);
        } else if (cJSON_IsArray(a) && cJSON_GetArraySize(a) == 2 &&
                   !as_string(cJSON_GetArrayItem(a, 0), b1, sizeof b1, &s1) &&
                   !as_string(cJSON_GetArrayItem(a, 1), b2, sizeof b2, &s2)) {
            r = token(s1, s2);
        } else {
            r = iac_unknown();
        }
    } else if (!strcmp(fn, "Fn::Sub")) {
        if (cJSON_IsString(a))
            r = eval_sub(e, a->valuestring, NULL);
        else if (cJSON_IsArray(a) && cJSON_IsString(cJSON_GetArrayItem(a, 0)))
            r = eval_sub(e, cJSON_GetArrayItem(a, 0)->valuestring, cJSON_GetArrayItem(a, 1));
        else
            r = iac_unknown();
    } else if (!strcmp(fn, "Fn::Join")) {
        const cJSON *d = cJSON_GetArrayItem(a, 0), *list = cJSON_GetArrayItem(a, 1), *it;
        if (!cJSON_IsString(d) || !cJSON_IsArray(list)) {
            r = iac_unknown();
        } else {
            size_t total = 1;
            int bad = 0;
            cJSON_ArrayForEach(it, list)
            {
                char nb[64];
                const char *s;
                if (as_string(it, nb, sizeof nb, &s) != 0)
                    bad = 1;
                else
                    total += strlen(s) + strlen(d->valuestring);
            }
            char *out = bad || total > CFN_MAX_STRING ? NULL : calloc(1, total);
            if (!out) {
                r = iac_unknown();
            } else {
                size_t used = 0, dl = strlen(d->valuestring);
                cJSON_ArrayForEach(it, list)
                {
                    char nb[64];
                    const char *s;
                    (void)as_string(it, nb, sizeof nb, &s);
                    if (used) {
                        memcpy(out + used, d->valuestring, dl);
                        used += dl;
                    }
                    size_t sl = strlen(s);
                    memcpy(out + used, s, sl);
                    used += sl;
                }
                out[used] = '\0';
                r = cJSON_CreateString(out);
                free(out);
            }
        }
    } else if (!strcmp(fn, "Fn::Select")) {
        const cJSON *i = cJSON_GetArrayItem(a, 0), *list = cJSON_GetArrayItem(a, 1);
        const char *is;
        int idx = as_string(i, b1, sizeof b1, &is) == 0 ? atoi(is) : -1;
        const cJSON *pick = cJSON_IsArray(list) && idx >= 0 ? cJSON_GetArrayItem(list, idx) : NULL;
        r = pick ? cJSON_Duplicate(pick, 1) : iac_unknown();
    } else if (!strcmp(fn, "Fn::Split")) {
        const cJSON *d = cJSON_GetArrayItem(a, 0), *s = cJSON_GetArrayItem(a, 1);
        if (!cJSON_IsString(d) || !cJSON_IsString(s) || !*d->valuestring) {
            r = iac_unknown();
        } else {
            r = cJSON_CreateArray();
            const char *p = s->valuestring;
            size_t dl = strlen(d->valuestring);
            while (r && p) {
                const char *c = strstr(p, d->valuestring);
                char *item = strndup(p, c ? (size_t)(c - p) : strlen(p));
                cJSON *it = item ? cJSON_CreateString(item) : NULL;
                free(item);
                if (!it || !cJSON_AddItemToArray(r, it)) {
                    cJSON_Delete(it);
                    cJSON_Delete(r);
                    r = NULL;
                    break;
                }
                p = c ? c + dl : NULL;
            }
        }
    } else if (!strcmp(fn, "Fn::FindInMap")) {
        const char *k[3];
        char nb[3][64];
        int ok = cJSON_IsArray(a) && cJSON_GetArraySize(a) >= 3;
        for (int i = 0; ok && i < 3; i++)
            ok = as_string(cJSON_GetArrayItem(a, i), nb[i], sizeof nb[i], &k[i]) == 0;
        const yd_node *v = ok ? yd_get(yd_get(yd_get(e->mappings, k[0]), k[1]), k[2]) : NULL;
        r = v ? eval(e, v, 0) : iac_unknown();
    } else if (!strcmp(fn, "Fn::If")) {
        const cJSON *c = cJSON_GetArrayItem(a, 0), *yes = cJSON_GetArrayItem(a, 1), *no = cJSON_GetArrayItem(a, 2);
        if (!cJSON_IsString(c) || !yes || !no) {
            r = iac_unknown();
        } else {
            cJSON *cv = eval_condition(e, c->valuestring);
            int t = truth(cv);
            cJSON_Delete(cv);
            if (t < 0)
                r = cJSON_Compare(yes, no, 1) ? cJSON_Duplicate(yes, 1) : iac_unknown();
            else
                r = cJSON_Duplicate(t ? yes : no, 1);
        }
    } else if (!strcmp(fn, "Fn::Equals")) {
        const cJSON *x = cJSON_GetArrayItem(a, 0), *y = cJSON_GetArrayItem(a, 1);
        if (!as_string(x, b1, sizeof b1, &s1) && !as_string(y, b2, sizeof b2, &s2))
            r = cJSON_CreateBool(!strcmp(s1, s2));
        else
            r = x && y ? cJSON_CreateBool(cJSON_Compare(x, y, 1)) : iac_unknown();
    } else if (!strcmp(fn, "Fn::Not")) {
        int t = truth(cJSON_GetArrayItem(a, 0));
        r = bool_or_unknown(t < 0 ? -1 : !t);
    } else if (!strcmp(fn, "Fn::And") || !strcmp(fn, "Fn::Or")) {
        int is_and = !strcmp(fn, "Fn::And"), any_unknown = 0, result = is_and;
        const cJSON *it;
        cJSON_ArrayForEach(it, a)
        {
            int t = truth(it);
            if (t < 0)
                any_unknown = 1;
            else if (is_and && !t)
                result = 0;
            else if (!is_and && t)
                result = 1;
        }
        /* A false operand decides And; a true one decides Or, whatever is unknown. */
        r = bool_or_unknown(result != is_and ? result : any_unknown ? -1 : result);
    } else if (!strcmp(fn, "Fn::Length")) {
        r = cJSON_IsArray(a) ? cJSON_CreateNumber(cJSON_GetArraySize(a)) : iac_unknown();
    } else {
        r = iac_unknown(); /* ImportValue, GetAZs, Cidr, Base64, Transform, unknown tags */
    }
    cJSON_Delete(a);
    if (!r)
        e->oom = 1;
    return r;
}

static cJSON *eval_condition(cfn_eval *e, const char *name)
{
    const yd_node *c = yd_get(e->conditions, name);
    return c ? eval(e, c, 0) : iac_unknown();
}

static cJSON *eval(cfn_eval *e, const yd_node *n, int as_arg)
{
    if (!n)
        return cJSON_CreateNull();
    if (++e->depth > CFN_MAX_EVAL_DEPTH) {
        e->depth--;
        return iac_unknown(); /* conditions or mappings that refer to each other */
    }
    cJSON *r = NULL;
    const char *fn = as_arg == 1 ? NULL : short_fn(n);
    if (fn) {
        cJSON *arg = eval(e, n, 1);
        /* !GetAtt A.B and !Ref X are scalars; the rest take what they are given. */
        r = apply(e, fn, arg);
    } else if (is_long_fn(n)) {
        r = apply(e, n->items[0]->value, eval(e, n->items[1], 2));
    } else if (n->kind == YD_SCALAR) {
        r = yd_scalar_json(n);
    } else if (n->kind == YD_SEQ) {
        r = cJSON_CreateArray();
        for (size_t i = 0; r && i < n->n; i++) {
            cJSON *c = eval(e, n->items[i], 0);
            if (!c) {
                cJSON_Delete(r);
                r = NULL;
            } else if (is_novalue(c) && !as_arg) {
                cJSON_Delete(c);
            } else if (!cJSON_AddItemToArray(r, c)) {
                cJSON_Delete(c);
            }
        }
    } else {
        r = cJSON_CreateObject();
        for (size_t i = 0; r && i + 1 < n->n; i += 2) {
            const yd_node *k = n->items[i];
            cJSON *c = eval(e, n->items[i + 1], 0);
            if (!c) {
                cJSON_Delete(r);
                r = NULL;
            } else if (is_novalue(c) || k->kind != YD_SCALAR) {
                cJSON_Delete(c);
            } else if (!cJSON_AddItemToObject(r, k->value, c)) {
                cJSON_Delete(c);
            }
        }
    }
    if (!r)
        e->oom = 1;
    e->depth--;
    return r;
}

int cfn_refers_to(const cJSON *v, const cfn_res *r)
{
    if (!cJSON_IsString(v))
        return 0;
    if (r->ref && cJSON_IsString(r->ref) && !strcmp(v->valuestring, r->ref->valuestring))
        return 1;
    size_t l = strlen(r->logical);
    const char *s = v->valuestring;
    if (!strncmp(s, "${", 2) && !strncmp(s + 2, r->logical, l) && (s[2 + l] == '}' || s[2 + l] == '.'))
        return 1;
    if (!strncmp(s, "arn:aws:s3:::", 13) && r->ref && cJSON_IsString(r->ref) && !strcmp(s + 13, r->ref->valuestring))
        return 1;
    return 0;
}

int cfn_scan(iac_file *f, const yd_node *root)
{
    const yd_node *resources = yd_get(root, "Resources");
    if (!resources || resources->kind != YD_MAP)
        return PP_OK;
    cfn_ctx ctx = {f, NULL, 0};
    cfn_eval e;
    memset(&e, 0, sizeof e);
    e.params = yd_get(root, "Parameters");
    e.conditions = yd_get(root, "Conditions");
    e.mappings = yd_get(root, "Mappings");
    e.resources = resources;
    e.ctx = &ctx;
    size_t n = resources->n / 2;
    if (n > CFN_MAX_RESOURCES) {
        snprintf(f->err, sizeof f->err, "%s:%u:%u: more than %d resources", f->path, resources->line, resources->col,
                 CFN_MAX_RESOURCES);
        return PP_ERR_INVALID;
    }
    ctx.res = calloc(n ? n : 1, sizeof *ctx.res);
    if (!ctx.res) {
        snprintf(f->err, sizeof f->err, "%s: out of memory", f->path);
        return PP_ERR_NOMEM;
    }
    /* First the identities (what Ref gives), so properties can refer to any resource. */
    for (size_t i = 0; i < n; i++) {
        cfn_res *r = &ctx.res[ctx.n_res];
        r->key = resources->items[2 * i];
        r->def = resources->items[2 * i + 1];
        if (r->key->kind != YD_SCALAR || r->def->kind != YD_MAP)
            continue;
        r->logical = r->key->value;
        const yd_node *t = yd_get(r->def, "Type");
        r->type = t && t->kind == YD_SCALAR ? t->value : "";
        ctx.n_res++;
    }
    for (size_t i = 0; i < ctx.n_res; i++) {
        cfn_res *r = &ctx.res[i];
        const char *np = name_property(r->type);
        const yd_node *nn = np ? yd_get(yd_get(r->def, "Properties"), np) : NULL;
        if (nn) {
            cJSON *v = eval(&e, nn, 0);
            if (v && !cJSON_IsString(v) && !iac_is_unknown(v)) {
                cJSON_Delete(v);
                v = iac_unknown();
            }
            r->ref = v;
        }
        if (!r->ref)
            r->ref = token(r->logical, NULL);
    }
    for (size_t i = 0; i < ctx.n_res; i++) {
        cfn_res *r = &ctx.res[i];
        const yd_node *cond = yd_get(r->def, "Condition");
        if (cond && cond->kind == YD_SCALAR) {
            cJSON *cv = eval_condition(&e, cond->value);
            r->skipped = truth(cv) == 0;
            cJSON_Delete(cv);
        }
        const yd_node *props = yd_get(r->def, "Properties");
        r->props = props ? eval(&e, props, 0) : cJSON_CreateObject();
        if (r->props && !cJSON_IsObject(r->props)) {
            cJSON_Delete(r->props);
            r->props = cJSON_CreateObject();
        }
    }
    int rc = e.oom ? PP_ERR_NOMEM : PP_OK;
    if (rc != PP_OK)
        snprintf(f->err, sizeof f->err, "%s: out of memory", f->path);
    for (size_t i = 0; rc == PP_OK && i < ctx.n_res; i++)
        if (!ctx.res[i].skipped && ctx.res[i].props)
            rc = cfn_adapt(&ctx, &ctx.res[i]);
    for (size_t i = 0; i < ctx.n_res; i++) {
        cJSON_Delete(ctx.res[i].props);
        cJSON_Delete(ctx.res[i].ref);
    }
    free(ctx.res);
    return rc;
}
