/*
 * plugins/iac/terraform.c - Terraform plans (`terraform show -json PLAN`)
 * and state files (version 4) into the aws.* shapes of docs/resources/.
 *
 * A plan's resources are read from planned_values (root module and child
 * modules, recursively); a value the plan marks as known only after apply
 * (resource_changes[].change.after_unknown) is IAC_UNKNOWN. A state's
 * resources are read from resources[].instances[].attributes. Resources
 * that configure another one (aws_s3_bucket_public_access_block,
 * aws_s3_bucket_policy, aws_security_group_rule, ...) are joined to it by
 * the bucket name or group id when that is known, or else by the
 * reference the plan's configuration records ("aws_s3_bucket.logs.id").
 * Positions are those of the resource's object in the JSON file; the
 * uid is FILE#ADDRESS.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iac.h"

#define TF_MAX_RESOURCES 100000

typedef struct tf_res {
    char address[512];     /* module.x.aws_s3_bucket.logs[0] */
    char module[256];      /* module.x, or "" for the root */
    const char *type;      /* aws_s3_bucket */
    const char *name;      /* logs */
    cJSON *v;              /* values, unknowns marked; owned */
    const yd_node *node;   /* for the position */
    const yd_node *config; /* configuration resource (root module only), or NULL */
} tf_res;

typedef struct tf_ctx {
    iac_file *f;
    tf_res *res;
    size_t n;
    const yd_node *changes; /* resource_changes */
    const yd_node *config;  /* configuration.root_module.resources */
} tf_ctx;

int tf_is_plan_or_state(const yd_node *root)
{
    if (yd_get(root, "format_version") && (yd_get(root, "planned_values") || yd_get(root, "resource_changes")))
        return 1;
    const yd_node *v = yd_get(root, "version");
    return v && yd_is_str(v, "4") && yd_get(root, "terraform_version") && yd_get(root, "resources");
}

/* Mark the members that after_unknown says are computed at apply. */
static void overlay_unknown(cJSON *v, const cJSON *u)
{
    const cJSON *it;
    if (cJSON_IsTrue(u)) {
        return; /* handled by the caller (replaces v) */
    }
    if (cJSON_IsObject(u) && cJSON_IsObject(v)) {
        cJSON_ArrayForEach(it, u)
        {
            if (cJSON_IsTrue(it)) {
                cJSON *u1 = iac_unknown();
                if (u1 && !cJSON_ReplaceItemInObjectCaseSensitive(v, it->string, u1) &&
                    !cJSON_AddItemToObject(v, it->string, u1))
                    cJSON_Delete(u1);
            } else
                overlay_unknown(cJSON_GetObjectItemCaseSensitive(v, it->string), it);
        }
    } else if (cJSON_IsArray(u) && cJSON_IsArray(v)) {
        int i = 0;
        cJSON_ArrayForEach(it, u)
        {
            if (cJSON_IsTrue(it)) {
                cJSON *u1 = iac_unknown();
                if (u1 && !cJSON_ReplaceItemInArray(v, i, u1))
                    cJSON_Delete(u1);
            } else
                overlay_unknown(cJSON_GetArrayItem(v, i), it);
            i++;
        }
    }
}

static int add_res(tf_ctx *c, const yd_node *node, const char *address, const char *module, const yd_node *type,
                   const yd_node *name, cJSON *values)
{
    if (c->n >= TF_MAX_RESOURCES || !type || !name || type->kind != YD_SCALAR || name->kind != YD_SCALAR) {
        cJSON_Delete(values);
        return 0;
    }
    tf_res *nr = realloc(c->res, (c->n + 1) * sizeof *nr);
    if (!nr) {
        cJSON_Delete(values);
        return -1;
    }
    c->res = nr;
    tf_res *r = &nr[c->n++];
    memset(r, 0, sizeof *r);
    snprintf(r->address, sizeof r->address, "%s", address);
    snprintf(r->module, sizeof r->module, "%s", module);
    r->type = type->value;
    r->name = name->value;
    r->v = values;
    r->node = node;
    if (!*module && c->config && c->config->kind == YD_SEQ)
        for (size_t i = 0; i < c->config->n; i++) {
            const yd_node *a = yd_get(c->config->items[i], "address");
            if (a && a->kind == YD_SCALAR && !strncmp(address, a->value, a->len) &&
                (address[a->len] == '\0' || address[a->len] == '['))
                r->config = c->config->items[i];
        }
    return 0;
}

/* planned_values modules, recursively. */
static int read_module(tf_ctx *c, const yd_node *mod, int depth)
{
    if (!mod || depth > 32)
        return 0;
    const yd_node *addr = yd_get(mod, "address"), *list = yd_get(mod, "resources");
    const char *module = addr && addr->kind == YD_SCALAR ? addr->value : "";
    for (size_t i = 0; list && list->kind == YD_SEQ && i < list->n; i++) {
        const yd_node *r = list->items[i], *a = yd_get(r, "address");
        if (!yd_is_str(yd_get(r, "mode"), "managed") || !a || a->kind != YD_SCALAR)
            continue;
        cJSON *values = yd_to_json(yd_get(r, "values"));
        if (!values)
            return -1;
        /* Values known only after apply. */
        for (size_t j = 0; c->changes && c->changes->kind == YD_SEQ && j < c->changes->n; j++) {
            const yd_node *ch = c->changes->items[j];
            if (!yd_is_str(yd_get(ch, "address"), a->value))
                continue;
            cJSON *u = yd_to_json(yd_get(yd_get(ch, "change"), "after_unknown"));
            overlay_unknown(values, u);
            cJSON_Delete(u);
        }
        if (add_res(c, r, a->value, module, yd_get(r, "type"), yd_get(r, "name"), values) != 0)
            return -1;
    }
    const yd_node *kids = yd_get(mod, "child_modules");
    for (size_t i = 0; kids && kids->kind == YD_SEQ && i < kids->n; i++)
        if (read_module(c, kids->items[i], depth + 1) != 0)
            return -1;
    return 0;
}

static int read_state(tf_ctx *c, const yd_node *list)
{
    for (size_t i = 0; list && list->kind == YD_SEQ && i < list->n; i++) {
        const yd_node *r = list->items[i], *inst = yd_get(r, "instances");
        if (!yd_is_str(yd_get(r, "mode"), "managed"))
            continue;
        const yd_node *mod = yd_get(r, "module"), *type = yd_get(r, "type"), *name = yd_get(r, "name");
        for (size_t j = 0; inst && inst->kind == YD_SEQ && j < inst->n; j++) {
            char address[512];
            const yd_node *key = yd_get(inst->items[j], "index_key");
            snprintf(address, sizeof address, "%s%s%s.%s", mod && mod->kind == YD_SCALAR ? mod->value : "",
                     mod ? "." : "", type && type->value ? type->value : "?", name && name->value ? name->value : "?");
            if (key && key->kind == YD_SCALAR) {
                size_t l = strlen(address);
                snprintf(address + l, sizeof address - l, key->plain ? "[%s]" : "[\"%s\"]", key->value);
            }
            cJSON *values = yd_to_json(yd_get(inst->items[j], "attributes"));
            if (!values || add_res(c, inst->items[j], address, mod && mod->kind == YD_SCALAR ? mod->value : "", type,
                                   name, values) != 0)
                return -1;
        }
    }
    return 0;
}

/* ---- helpers ---- */

static const cJSON *V(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* First element of a nested block list (Terraform writes blocks as lists). */
static const cJSON *B(const cJSON *o, const char *k)
{
    const cJSON *v = V(o, k);
    return cJSON_IsArray(v) ? cJSON_GetArrayItem(v, 0) : iac_is_unknown(v) ? v : NULL;
}

/* @v when it is a list, else NULL (so loops over it do nothing). */
static const cJSON *arr(const cJSON *v)
{
    return cJSON_IsArray(v) ? v : NULL;
}

static int put(cJSON *o, const char *k, cJSON *v)
{
    if (!v)
        return -1;
    if (!cJSON_AddItemToObject(o, k, v)) {
        cJSON_Delete(v);
        return -1;
    }
    return 0;
}

/* Copy a scalar (or unknown) when present; absent -> @null_when_absent ? null : left out. */
static int cp(cJSON *o, const char *k, const cJSON *v, int null_when_absent)
{
    if (!v || cJSON_IsNull(v))
        return null_when_absent ? put(o, k, cJSON_CreateNull()) : 0;
    if (cJSON_IsString(v) && !*v->valuestring && null_when_absent)
        return put(o, k, cJSON_CreateNull());
    return put(o, k, cJSON_Duplicate(v, 1));
}

static int policy(cJSON *o, const char *k, const cJSON *v, int null_when_absent)
{
    if (iac_is_unknown(v))
        return put(o, k, iac_unknown());
    if (!cJSON_IsString(v) || !*v->valuestring)
        return null_when_absent ? put(o, k, cJSON_CreateNull()) : 0;
    cJSON *d = cJSON_Parse(v->valuestring);
    if (!cJSON_IsObject(d)) {
        cJSON_Delete(d);
        return put(o, k, iac_unknown());
    }
    return put(o, k, d);
}

/* Does @o (a resource joined by attribute @attr) configure @target? */
static int joins(const tf_res *o, const char *attr, const tf_res *target, const char *target_key)
{
    const cJSON *v = V(o->v, attr), *tv = V(target->v, target_key);
    if (cJSON_IsString(v) && cJSON_IsString(tv) && !strcmp(v->valuestring, tv->valuestring))
        return 1;
    if (!o->config || strcmp(o->module, target->module))
        return 0;
    /* configuration.expressions.ATTR.references: ["aws_s3_bucket.logs.id", "aws_s3_bucket.logs"] */
    const yd_node *refs = yd_get(yd_get(yd_get(o->config, "expressions"), attr), "references");
    char want[600];
    snprintf(want, sizeof want, "%s.%s", target->type, target->name);
    for (size_t i = 0; refs && refs->kind == YD_SEQ && i < refs->n; i++)
        if (yd_is_str(refs->items[i], want))
            return 1;
    return 0;
}

static int is_unknown_join(const tf_res *o, const char *attr)
{
    return iac_is_unknown(V(o->v, attr)) && !o->config;
}

static cJSON *tags_of(const cJSON *v)
{
    const cJSON *t = V(v, "tags");
    return cJSON_IsObject(t) && !iac_has_unknown(t) ? cJSON_Duplicate(t, 1) : NULL;
}

static int emit(tf_ctx *c, const tf_res *r, const char *type, cJSON *d, int failed, const char *name)
{
    if (failed || !d) {
        cJSON_Delete(d);
        snprintf(c->f->err, sizeof c->f->err, "%s: out of memory", c->f->path);
        return PP_ERR_NOMEM;
    }
    const yd_node *vals = yd_get(r->node, "values");
    iac_span span = {r->node->line, r->node->col, r->node->end_line, vals ? vals : yd_get(r->node, "attributes")};
    return iac_emit(c->f, type, r->address, name ? name : r->address, d, tags_of(r->v), &span);
}

/* ---- S3 ---- */

static const char *canned_grants(const char *acl)
{
    if (!strcmp(acl, "public-read"))
        return "[{\"grantee\":{\"type\":\"CanonicalUser\"},\"permission\":\"FULL_CONTROL\"},"
               "{\"grantee\":{\"type\":\"Group\",\"uri\":\"http://acs.amazonaws.com/groups/global/AllUsers\"},"
               "\"permission\":\"READ\"}]";
    if (!strcmp(acl, "public-read-write"))
        return "[{\"grantee\":{\"type\":\"CanonicalUser\"},\"permission\":\"FULL_CONTROL\"},"
               "{\"grantee\":{\"type\":\"Group\",\"uri\":\"http://acs.amazonaws.com/groups/global/AllUsers\"},"
               "\"permission\":\"READ\"},"
               "{\"grantee\":{\"type\":\"Group\",\"uri\":\"http://acs.amazonaws.com/groups/global/AllUsers\"},"
               "\"permission\":\"WRITE\"}]";
    if (!strcmp(acl, "authenticated-read"))
        return "[{\"grantee\":{\"type\":\"CanonicalUser\"},\"permission\":\"FULL_CONTROL\"},"
               "{\"grantee\":{\"type\":\"Group\",\"uri\":\"http://acs.amazonaws.com/groups/global/"
               "AuthenticatedUsers\"},"
               "\"permission\":\"READ\"}]";
    return "[{\"grantee\":{\"type\":\"CanonicalUser\"},\"permission\":\"FULL_CONTROL\"}]";
}

static int s3_bucket(tf_ctx *c, const tf_res *r)
{
    const cJSON *v = r->v;
    cJSON *d = cJSON_CreateObject();
    if (!d)
        return emit(c, r, "aws.s3.bucket", d, 1, NULL);
    int rc = cp(d, "name", V(v, "bucket"), 0);
    const cJSON *acl = V(v, "acl"), *pab = NULL, *pol = V(v, "policy"), *ver = B(v, "versioning");
    const cJSON *enc = B(v, "server_side_encryption_configuration"), *log = B(v, "logging"), *own = NULL;
    const cJSON *ver_status = NULL, *ver_mfa = NULL;
    int unknown_join = 0;
    /* The bucket's own acl, policy and inline blocks are "computed" in the
     * AWS provider: unknown in a plan means the code does not set them. */
    if (iac_is_unknown(acl))
        acl = NULL;
    if (iac_is_unknown(pol))
        pol = NULL;
    if (iac_is_unknown(ver))
        ver = NULL;
    if (iac_is_unknown(enc))
        enc = NULL;
    if (iac_is_unknown(log))
        log = NULL;
    for (size_t i = 0; i < c->n; i++) {
        const tf_res *o = &c->res[i];
        if (strncmp(o->type, "aws_s3_bucket_", 14))
            continue;
        if (is_unknown_join(o, "bucket")) {
            unknown_join = 1;
            continue;
        }
        if (!joins(o, "bucket", r, "bucket"))
            continue;
        const char *t = o->type + 14;
        if (!strcmp(t, "public_access_block"))
            pab = o->v;
        else if (!strcmp(t, "policy"))
            pol = V(o->v, "policy");
        else if (!strcmp(t, "acl"))
            acl = V(o->v, "acl");
        else if (!strcmp(t, "versioning")) {
            ver_status = V(B(o->v, "versioning_configuration"), "status");
            ver_mfa = V(B(o->v, "versioning_configuration"), "mfa_delete");
        } else if (!strcmp(t, "server_side_encryption_configuration"))
            enc = o->v;
        else if (!strcmp(t, "logging"))
            log = o->v;
        else if (!strcmp(t, "ownership_controls"))
            own = B(o->v, "rule");
    }
    if (iac_is_unknown(acl))
        rc |= put(d, "acl", iac_unknown());
    else {
        cJSON *a = cJSON_CreateObject();
        rc |= a ? put(a, "grants", cJSON_Parse(canned_grants(cJSON_IsString(acl) ? acl->valuestring : "private"))) |
                      put(d, "acl", a)
                : -1;
    }
    if (pab) {
        cJSON *b = cJSON_CreateObject();
        rc |= b ? cp(b, "blockPublicAcls", V(pab, "block_public_acls"), 0) |
                      cp(b, "ignorePublicAcls", V(pab, "ignore_public_acls"), 0) |
                      cp(b, "blockPublicPolicy", V(pab, "block_public_policy"), 0) |
                      cp(b, "restrictPublicBuckets", V(pab, "restrict_public_buckets"), 0) |
                      put(d, "publicAccessBlock", b)
                : -1;
    } else {
        rc |= put(d, "publicAccessBlock", unknown_join ? iac_unknown() : cJSON_CreateNull());
    }
    if (own) {
        cJSON *oc = cJSON_CreateObject(), *rules = cJSON_CreateArray(), *one = cJSON_CreateObject();
        rc |= oc && rules && one ? cp(one, "objectOwnership", V(own, "object_ownership"), 0) : -1;
        if (oc && rules && one && cJSON_AddItemToArray(rules, one)) {
            one = NULL;
            rc |= put(oc, "rules", rules) | put(d, "ownershipControls", oc);
            rules = oc = NULL;
        }
        cJSON_Delete(one);
        cJSON_Delete(rules);
        cJSON_Delete(oc);
    } else {
        rc |= put(d, "ownershipControls", unknown_join ? iac_unknown() : cJSON_CreateNull());
    }
    if (iac_is_unknown(enc))
        rc |= put(d, "encryption", iac_unknown());
    const cJSON *rule = enc && !iac_is_unknown(enc) ? B(enc, "rule") : NULL,
                *def = rule ? B(rule, "apply_server_side_encryption_by_default") : NULL;
    if (def) {
        cJSON *e = cJSON_CreateObject(), *rules = cJSON_CreateArray(), *one = cJSON_CreateObject(),
              *sd = cJSON_CreateObject();
        if (e && rules && one && sd) {
            rc |= cp(sd, "sseAlgorithm", V(def, "sse_algorithm"), 0) |
                  cp(sd, "kmsMasterKeyId", V(def, "kms_master_key_id"), 0);
            rc |= put(one, "applyServerSideEncryptionByDefault", sd);
            sd = NULL;
            rc |= cp(one, "bucketKeyEnabled", V(rule, "bucket_key_enabled"), 0);
            rc |= cJSON_AddItemToArray(rules, one) ? 0 : -1;
            one = NULL;
            rc |= put(e, "rules", rules) | put(d, "encryption", e);
            rules = e = NULL;
        } else {
            rc = -1;
        }
        cJSON_Delete(e);
        cJSON_Delete(rules);
        cJSON_Delete(one);
        cJSON_Delete(sd);
    } else if (!iac_is_unknown(enc)) {
        rc |= put(d, "encryption", unknown_join ? iac_unknown() : cJSON_CreateNull());
    }
    cJSON *vs = cJSON_CreateObject();
    if (vs) {
        if (ver_status)
            rc |= cp(vs, "status", ver_status, 0);
        else if (ver && iac_is_unknown(V(ver, "enabled")))
            rc |= put(vs, "status", iac_unknown());
        else
            rc |= put(vs, "status", cJSON_CreateString(ver && cJSON_IsTrue(V(ver, "enabled")) ? "Enabled" : "Off"));
        const cJSON *m = ver_mfa ? ver_mfa : ver ? V(ver, "mfa_delete") : NULL;
        if (cJSON_IsBool(m))
            rc |= put(vs, "mfaDelete", cJSON_CreateString(cJSON_IsTrue(m) ? "Enabled" : "Disabled"));
        else if (cJSON_IsString(m))
            rc |= put(vs, "mfaDelete", cJSON_CreateString(!strcmp(m->valuestring, "Enabled") ? "Enabled" : "Disabled"));
        else
            rc |= put(vs, "mfaDelete", cJSON_CreateString("Disabled"));
        if ((unknown_join || iac_is_unknown(ver)) && !ver_status)
            rc |= put(vs, "unknown", iac_unknown());
        rc |= put(d, "versioning", vs);
    } else {
        rc = -1;
    }
    if (iac_is_unknown(log)) {
        rc |= put(d, "logging", iac_unknown());
    } else if (log && V(log, "target_bucket")) {
        cJSON *l = cJSON_CreateObject();
        rc |= l ? cp(l, "targetBucket", V(log, "target_bucket"), 0) |
                      cp(l, "targetPrefix", V(log, "target_prefix"), 0) | put(d, "logging", l)
                : -1;
    } else {
        rc |= put(d, "logging", unknown_join ? iac_unknown() : cJSON_CreateNull());
    }
    rc |= policy(d, "policy", pol, 1);
    const cJSON *name = V(v, "bucket");
    return emit(c, r, "aws.s3.bucket", d, rc != 0, cJSON_IsString(name) ? name->valuestring : NULL);
}

/* ---- security groups ---- */

/* A Terraform rule (ingress block, aws_security_group_rule, aws_vpc_security_group_*_rule) in the API shape. */
static cJSON *tf_permission(const cJSON *b, int vpc_rule)
{
    cJSON *x = cJSON_CreateObject(), *v4 = cJSON_CreateArray(), *v6 = cJSON_CreateArray(), *g = cJSON_CreateArray(),
          *pl = cJSON_CreateArray();
    int rc = x && v4 && v6 && g && pl ? 0 : -1;
    const cJSON *proto = V(b, vpc_rule ? "ip_protocol" : "protocol"), *it;
    int all = cJSON_IsString(proto) && (!strcmp(proto->valuestring, "-1") || !strcmp(proto->valuestring, "all"));
    if (!rc) {
        rc |= all ? put(x, "ipProtocol", cJSON_CreateString("-1")) : cp(x, "ipProtocol", proto, 0);
        if (!all)
            rc |= cp(x, "fromPort", V(b, "from_port"), 0) | cp(x, "toPort", V(b, "to_port"), 0);
        const cJSON *c4 = V(b, vpc_rule ? "cidr_ipv4" : "cidr_blocks"),
                    *c6 = V(b, vpc_rule ? "cidr_ipv6" : "ipv6_cidr_blocks");
        if (iac_is_unknown(c4) || iac_is_unknown(c6))
            rc |= cJSON_AddItemToArray(v4, iac_unknown()) ? 0 : -1;
        if (cJSON_IsString(c4)) {
            cJSON *o = cJSON_CreateObject();
            rc |= o ? cp(o, "cidrIp", c4, 0) | (cJSON_AddItemToArray(v4, o) ? 0 : -1) : -1;
        }
        cJSON_ArrayForEach(it, arr(c4))
        {
            cJSON *o = cJSON_CreateObject();
            rc |= o ? cp(o, "cidrIp", it, 0) | (cJSON_AddItemToArray(v4, o) ? 0 : -1) : -1;
        }
        if (cJSON_IsString(c6)) {
            cJSON *o = cJSON_CreateObject();
            rc |= o ? cp(o, "cidrIpv6", c6, 0) | (cJSON_AddItemToArray(v6, o) ? 0 : -1) : -1;
        }
        cJSON_ArrayForEach(it, arr(c6))
        {
            cJSON *o = cJSON_CreateObject();
            rc |= o ? cp(o, "cidrIpv6", it, 0) | (cJSON_AddItemToArray(v6, o) ? 0 : -1) : -1;
        }
        const cJSON *sg = V(b, vpc_rule ? "referenced_security_group_id" : "source_security_group_id");
        if (sg && !cJSON_IsNull(sg)) {
            cJSON *o = cJSON_CreateObject();
            rc |= o ? cp(o, "groupId", sg, 0) | (cJSON_AddItemToArray(g, o) ? 0 : -1) : -1;
        }
        cJSON_ArrayForEach(it, V(b, "security_groups"))
        {
            cJSON *o = cJSON_CreateObject();
            rc |= o ? cp(o, "groupId", it, 0) | (cJSON_AddItemToArray(g, o) ? 0 : -1) : -1;
        }
        rc |= put(x, "ipRanges", v4) | put(x, "ipv6Ranges", v6) | put(x, "userIdGroupPairs", g) |
              put(x, "prefixListIds", pl);
        v4 = v6 = g = pl = NULL;
    }
    cJSON_Delete(v4);
    cJSON_Delete(v6);
    cJSON_Delete(g);
    cJSON_Delete(pl);
    if (rc) {
        cJSON_Delete(x);
        return NULL;
    }
    return x;
}

static int add_perm(cJSON *arr, cJSON *p)
{
    if (!p || !cJSON_AddItemToArray(arr, p)) {
        cJSON_Delete(p);
        return -1;
    }
    return 0;
}

static int security_group(tf_ctx *c, const tf_res *r)
{
    const cJSON *v = r->v, *it;
    cJSON *d = cJSON_CreateObject(), *in = cJSON_CreateArray(), *out = cJSON_CreateArray();
    int rc = d && in && out ? 0 : -1;
    if (!rc) {
        rc |= cp(d, "groupId", V(v, "id"), 0) | cp(d, "groupName", V(v, "name"), 0) |
              cp(d, "description", V(v, "description"), 0) | cp(d, "vpcId", V(v, "vpc_id"), 0);
        if (iac_is_unknown(V(v, "ingress")))
            rc |= add_perm(in, iac_unknown());
        cJSON_ArrayForEach(it, arr(V(v, "ingress"))) rc |= add_perm(in, tf_permission(it, 0));
        if (iac_is_unknown(V(v, "egress")))
            rc |= add_perm(out, iac_unknown());
        cJSON_ArrayForEach(it, arr(V(v, "egress"))) rc |= add_perm(out, tf_permission(it, 0));
        for (size_t i = 0; i < c->n; i++) {
            const tf_res *o = &c->res[i];
            int vpc_in = !strcmp(o->type, "aws_vpc_security_group_ingress_rule"),
                vpc_out = !strcmp(o->type, "aws_vpc_security_group_egress_rule"),
                legacy = !strcmp(o->type, "aws_security_group_rule");
            if (!vpc_in && !vpc_out && !legacy)
                continue;
            if (is_unknown_join(o, "security_group_id")) {
                rc |= add_perm(in, iac_unknown());
                continue;
            }
            if (!joins(o, "security_group_id", r, "id"))
                continue;
            const cJSON *t = V(o->v, "type");
            int egress = vpc_out || (legacy && cJSON_IsString(t) && !strcmp(t->valuestring, "egress"));
            rc |= add_perm(egress ? out : in, tf_permission(o->v, vpc_in || vpc_out));
        }
        rc |= put(d, "ipPermissions", in) | put(d, "ipPermissionsEgress", out);
        in = out = NULL;
    }
    cJSON_Delete(in);
    cJSON_Delete(out);
    const cJSON *name = V(v, "name");
    return emit(c, r, "aws.ec2.security_group", d, rc != 0, cJSON_IsString(name) ? name->valuestring : NULL);
}

/* ---- EBS, RDS, KMS, CloudTrail, IAM ---- */

static int simple(tf_ctx *c, const tf_res *r)
{
    const cJSON *v = r->v;
    cJSON *d = cJSON_CreateObject();
    int rc = d ? 0 : -1;
    const char *type = NULL;
    const cJSON *name = NULL;
    if (!d)
        return emit(c, r, "aws.ec2.volume", d, 1, NULL);
    if (!strcmp(r->type, "aws_ebs_volume")) {
        type = "aws.ec2.volume";
        rc |= cp(d, "size", V(v, "size"), 0) | cp(d, "volumeType", V(v, "type"), 0) |
              cp(d, "availabilityZone", V(v, "availability_zone"), 0) | cp(d, "kmsKeyId", V(v, "kms_key_id"), 1);
        const cJSON *e = V(v, "encrypted");
        rc |= e ? cp(d, "encrypted", e, 0) : put(d, "encrypted", cJSON_CreateFalse());
    } else if (!strcmp(r->type, "aws_db_instance")) {
        type = "aws.rds.db_instance";
        name = V(v, "identifier");
        rc |= cp(d, "dbInstanceIdentifier", name, 0) | cp(d, "dbInstanceClass", V(v, "instance_class"), 0) |
              cp(d, "engine", V(v, "engine"), 0) | cp(d, "engineVersion", V(v, "engine_version"), 0) |
              cp(d, "publiclyAccessible", V(v, "publicly_accessible"), 0) |
              cp(d, "storageEncrypted", V(v, "storage_encrypted"), 0) | cp(d, "kmsKeyId", V(v, "kms_key_id"), 1) |
              cp(d, "multiAZ", V(v, "multi_az"), 0) |
              cp(d, "backupRetentionPeriod", V(v, "backup_retention_period"), 0) |
              cp(d, "deletionProtection", V(v, "deletion_protection"), 0) |
              cp(d, "autoMinorVersionUpgrade", V(v, "auto_minor_version_upgrade"), 0) |
              cp(d, "iamDatabaseAuthenticationEnabled", V(v, "iam_database_authentication_enabled"), 0);
    } else if (!strcmp(r->type, "aws_kms_key")) {
        type = "aws.kms.key";
        const cJSON *spec = V(v, "customer_master_key_spec");
        rc |= put(d, "keyManager", cJSON_CreateString("CUSTOMER")) | cp(d, "description", V(v, "description"), 0) |
              cp(d, "keySpec", spec, 0) | cp(d, "keyUsage", V(v, "key_usage"), 0) |
              policy(d, "policy", V(v, "policy"), 0);
        if (cJSON_IsString(spec) && strcmp(spec->valuestring, "SYMMETRIC_DEFAULT"))
            rc |= put(d, "keyRotationEnabled", cJSON_CreateNull());
        else
            rc |= cp(d, "keyRotationEnabled", V(v, "enable_key_rotation"), 0);
    } else if (!strcmp(r->type, "aws_cloudtrail")) {
        type = "aws.cloudtrail.trail";
        name = V(v, "name");
        cJSON *st = cJSON_CreateObject();
        rc |= cp(d, "name", name, 0) | cp(d, "isMultiRegionTrail", V(v, "is_multi_region_trail"), 0) |
              cp(d, "includeGlobalServiceEvents", V(v, "include_global_service_events"), 0) |
              cp(d, "isOrganizationTrail", V(v, "is_organization_trail"), 0) |
              cp(d, "logFileValidationEnabled", V(v, "enable_log_file_validation"), 0) |
              cp(d, "s3BucketName", V(v, "s3_bucket_name"), 0) | cp(d, "kmsKeyId", V(v, "kms_key_id"), 1) |
              cp(d, "cloudWatchLogsLogGroupArn", V(v, "cloud_watch_logs_group_arn"), 1);
        rc |= st ? cp(st, "isLogging", V(v, "enable_logging"), 0) | put(d, "status", st) : -1;
    } else if (!strcmp(r->type, "aws_iam_role")) {
        type = "aws.iam.role";
        name = V(v, "name");
        rc |= cp(d, "roleName", name, 0) | cp(d, "path", V(v, "path"), 0) |
              cp(d, "maxSessionDuration", V(v, "max_session_duration"), 0) |
              policy(d, "assumeRolePolicyDocument", V(v, "assume_role_policy"), 0);
    } else if (!strcmp(r->type, "aws_iam_policy")) {
        type = "aws.iam.policy";
        name = V(v, "name");
        rc |= cp(d, "policyName", name, 0) | cp(d, "path", V(v, "path"), 0) |
              policy(d, "policyDocument", V(v, "policy"), 0);
    } else {
        cJSON_Delete(d);
        return PP_OK;
    }
    return emit(c, r, type, d, rc != 0, cJSON_IsString(name) ? name->valuestring : NULL);
}

int tf_scan(iac_file *f, const yd_node *root)
{
    tf_ctx c;
    memset(&c, 0, sizeof c);
    c.f = f;
    int rc = 0;
    if (yd_get(root, "format_version")) {
        c.changes = yd_get(root, "resource_changes");
        c.config = yd_get(yd_get(yd_get(root, "configuration"), "root_module"), "resources");
        rc = read_module(&c, yd_get(yd_get(root, "planned_values"), "root_module"), 0);
    } else {
        rc = read_state(&c, yd_get(root, "resources"));
    }
    int prc = rc ? PP_ERR_NOMEM : PP_OK;
    if (rc)
        snprintf(f->err, sizeof f->err, "%s: out of memory", f->path);
    for (size_t i = 0; prc == PP_OK && i < c.n; i++) {
        const tf_res *r = &c.res[i];
        if (!strcmp(r->type, "aws_s3_bucket"))
            prc = s3_bucket(&c, r);
        else if (!strcmp(r->type, "aws_security_group"))
            prc = security_group(&c, r);
        else
            prc = simple(&c, r);
    }
    for (size_t i = 0; i < c.n; i++)
        cJSON_Delete(c.res[i].v);
    free(c.res);
    return prc;
}
