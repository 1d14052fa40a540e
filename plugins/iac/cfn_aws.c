/*
 * plugins/iac/cfn_aws.c - CloudFormation resources into the aws.* data
 * shapes of docs/resources/aws.md, so the AWS rules judge templates.
 *
 * The mapping table is in docs/iac.md. Principles:
 *   - a property the template leaves out takes CloudFormation's (the
 *     API's) default where that default is documented and fixed
 *     (Encrypted false, EnableLogFileValidation false, ...); a member with
 *     no such default is left out;
 *   - separate resources that configure another one are joined to it
 *     (AWS::S3::BucketPolicy -> the bucket's policy,
 *     AWS::EC2::SecurityGroupIngress/Egress -> the group's rules,
 *     AWS::Lambda::Permission and AWS::Lambda::Url -> the function);
 *   - unknown values stay IAC_UNKNOWN and iac_emit drops what they feed.
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cfn.h"

#define ALL_USERS "http://acs.amazonaws.com/groups/global/AllUsers"
#define AUTH_USERS "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
#define LOG_DELIVERY "http://acs.amazonaws.com/groups/s3/LogDelivery"

/* ---- small builders; each returns 0, or -1 when out of memory ---- */

static const cJSON *P(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
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

/* Copy @v (any JSON, unknown kept) under @k when present. */
static int copy(cJSON *o, const char *k, const cJSON *v)
{
    return v ? put(o, k, cJSON_Duplicate(v, 1)) : 0;
}

/* A string member: strings as they are, numbers spelt; absent -> @def (NULL: left out; "" : null). */
static int str(cJSON *o, const char *k, const cJSON *v, const char *def)
{
    if (iac_is_unknown(v))
        return put(o, k, iac_unknown());
    if (cJSON_IsString(v))
        return put(o, k, cJSON_CreateString(v->valuestring));
    if (cJSON_IsNumber(v)) {
        char b[64];
        snprintf(b, sizeof b, "%lld", (long long)v->valuedouble);
        return put(o, k, cJSON_CreateString(b));
    }
    if (v)
        return put(o, k, iac_unknown()); /* a list or object where a string belongs */
    if (!def)
        return 0;
    return put(o, k, *def ? cJSON_CreateString(def) : cJSON_CreateNull());
}

/* A boolean member: true/false or "true"/"false"; absent -> @def (-1: left out). */
static int boolean(cJSON *o, const char *k, const cJSON *v, int def)
{
    if (!v)
        return def < 0 ? 0 : put(o, k, cJSON_CreateBool(def));
    if (cJSON_IsBool(v))
        return put(o, k, cJSON_CreateBool(cJSON_IsTrue(v)));
    if (cJSON_IsString(v) && (!strcmp(v->valuestring, "true") || !strcmp(v->valuestring, "false")))
        return put(o, k, cJSON_CreateBool(!strcmp(v->valuestring, "true")));
    return put(o, k, iac_unknown());
}

/* An integer member: numbers or numeric strings; absent -> @def (< 0: left out). */
static int integer(cJSON *o, const char *k, const cJSON *v, long long def)
{
    if (!v)
        return def < 0 ? 0 : put(o, k, cJSON_CreateNumber((double)def));
    if (cJSON_IsNumber(v))
        return put(o, k, cJSON_CreateNumber((double)(long long)v->valuedouble));
    if (cJSON_IsString(v) && *v->valuestring) {
        char *end;
        long long n = strtoll(v->valuestring, &end, 10);
        if (!*end)
            return put(o, k, cJSON_CreateNumber((double)n));
    }
    return put(o, k, iac_unknown());
}

/* A policy document: objects as they are; a JSON string is parsed (CloudFormation accepts both). */
static int policy_doc(cJSON *o, const char *k, const cJSON *v, int null_when_absent)
{
    if (!v)
        return null_when_absent ? put(o, k, cJSON_CreateNull()) : 0;
    if (cJSON_IsString(v)) {
        cJSON *d = cJSON_Parse(v->valuestring);
        return put(o, k, d && cJSON_IsObject(d) ? d : (cJSON_Delete(d), iac_unknown()));
    }
    return copy(o, k, v);
}

/* Tags: [{"Key","Value"}] (or a map, as SAM writes them) into an object of strings. */
static cJSON *tags_of(const cJSON *props)
{
    const cJSON *t = P(props, "Tags"), *it;
    if (!t)
        return NULL;
    cJSON *out = cJSON_CreateObject();
    if (!out)
        return NULL;
    if (cJSON_IsObject(t)) {
        cJSON_ArrayForEach(it, t) if (cJSON_IsString(it)) cJSON_AddStringToObject(out, it->string, it->valuestring);
        return out;
    }
    cJSON_ArrayForEach(it, t)
    {
        const cJSON *k = P(it, "Key"), *v = P(it, "Value");
        if (cJSON_IsString(k) && cJSON_IsString(v))
            cJSON_AddStringToObject(out, k->valuestring, v->valuestring);
    }
    return out;
}

/* ---- emitting ---- */

static int emit(cfn_ctx *c, const cfn_res *r, const char *type, cJSON *data, int oom)
{
    if (oom || !data) {
        cJSON_Delete(data);
        snprintf(c->f->err, sizeof c->f->err, "%s: out of memory", c->f->path);
        return PP_ERR_NOMEM;
    }
    const char *name =
        cJSON_IsString(r->ref) && strncmp(r->ref->valuestring, "${", 2) ? r->ref->valuestring : r->logical;
    const cJSON *gn = P(data, "groupName");
    if (!strcmp(type, "aws.ec2.security_group") && cJSON_IsString(gn))
        name = gn->valuestring;
    char loc[600];
    snprintf(loc, sizeof loc, "Resources/%s", r->logical);
    const yd_node *props = yd_get(r->def, "Properties");
    iac_span span = {r->key->line, r->key->col, r->def->end_line, props ? props : r->def};
    return iac_emit(c->f, type, loc, name, data, tags_of(r->props), &span);
}

/* ---- S3 ---- */

static int grant(cJSON *grants, const char *type, const char *uri, const char *permission)
{
    cJSON *g = cJSON_CreateObject(), *ge = cJSON_CreateObject();
    if (!g || !ge || !cJSON_AddStringToObject(ge, "type", type) || (uri && !cJSON_AddStringToObject(ge, "uri", uri)) ||
        !cJSON_AddItemToObject(g, "grantee", ge)) {
        cJSON_Delete(g);
        cJSON_Delete(ge);
        return -1;
    }
    if (!cJSON_AddStringToObject(g, "permission", permission) || !cJSON_AddItemToArray(grants, g)) {
        cJSON_Delete(g);
        return -1;
    }
    return 0;
}

/* The grants of a canned ACL (AccessControl); owner FULL_CONTROL first. */
static int canned_acl(cJSON *data, const cJSON *ac)
{
    if (ac && !cJSON_IsString(ac))
        return put(data, "acl", iac_unknown());
    cJSON *acl = cJSON_CreateObject(), *grants = cJSON_CreateArray();
    if (!acl || !grants || !cJSON_AddItemToObject(acl, "grants", grants)) {
        cJSON_Delete(acl);
        cJSON_Delete(grants);
        return -1;
    }
    const char *a = ac ? ac->valuestring : "Private";
    int rc = grant(grants, "CanonicalUser", NULL, "FULL_CONTROL");
    if (!strcmp(a, "PublicRead"))
        rc |= grant(grants, "Group", ALL_USERS, "READ");
    else if (!strcmp(a, "PublicReadWrite"))
        rc |= grant(grants, "Group", ALL_USERS, "READ") | grant(grants, "Group", ALL_USERS, "WRITE");
    else if (!strcmp(a, "AuthenticatedRead"))
        rc |= grant(grants, "Group", AUTH_USERS, "READ");
    else if (!strcmp(a, "LogDeliveryWrite"))
        rc |= grant(grants, "Group", LOG_DELIVERY, "WRITE") | grant(grants, "Group", LOG_DELIVERY, "READ_ACP");
    return rc | put(data, "acl", acl);
}

static int s3_bucket(cfn_ctx *c, const cfn_res *r)
{
    const cJSON *p = r->props, *v;
    cJSON *d = cJSON_CreateObject();
    int rc = d ? 0 : -1;
    if (!d)
        return emit(c, r, "aws.s3.bucket", d, 1);
    if (cJSON_IsString(r->ref) && strncmp(r->ref->valuestring, "${", 2))
        rc |= str(d, "name", r->ref, NULL);
    rc |= canned_acl(d, P(p, "AccessControl"));
    /* Block Public Access: each flag defaults to false once the block is given. */
    if ((v = P(p, "PublicAccessBlockConfiguration"))) {
        cJSON *b = cJSON_CreateObject();
        rc |= b ? 0 : -1;
        if (b) {
            rc |= boolean(b, "blockPublicAcls", P(v, "BlockPublicAcls"), 0);
            rc |= boolean(b, "ignorePublicAcls", P(v, "IgnorePublicAcls"), 0);
            rc |= boolean(b, "blockPublicPolicy", P(v, "BlockPublicPolicy"), 0);
            rc |= boolean(b, "restrictPublicBuckets", P(v, "RestrictPublicBuckets"), 0);
            rc |= put(d, "publicAccessBlock", iac_is_unknown(v) ? (cJSON_Delete(b), iac_unknown()) : b);
        }
    } else {
        rc |= put(d, "publicAccessBlock", cJSON_CreateNull());
    }
    if ((v = P(p, "OwnershipControls"))) {
        cJSON *oc = cJSON_CreateObject(), *rules = cJSON_CreateArray();
        const cJSON *it;
        if (!oc || !rules || !cJSON_AddItemToObject(oc, "rules", rules)) {
            cJSON_Delete(oc);
            cJSON_Delete(rules);
            rc = -1;
        } else {
            cJSON_ArrayForEach(it, P(v, "Rules"))
            {
                cJSON *x = cJSON_CreateObject();
                rc |= x ? str(x, "objectOwnership", P(it, "ObjectOwnership"), NULL) : -1;
                if (x && !cJSON_AddItemToArray(rules, x))
                    cJSON_Delete(x);
            }
            if (iac_is_unknown(v) || iac_is_unknown(P(v, "Rules")))
                rc |= put(oc, "unknown", iac_unknown());
            rc |= put(d, "ownershipControls", oc);
        }
    } else {
        rc |= put(d, "ownershipControls", cJSON_CreateNull());
    }
    if ((v = P(p, "BucketEncryption"))) {
        cJSON *enc = cJSON_CreateObject(), *rules = cJSON_CreateArray();
        const cJSON *it;
        if (!enc || !rules || !cJSON_AddItemToObject(enc, "rules", rules)) {
            cJSON_Delete(enc);
            cJSON_Delete(rules);
            rc = -1;
        } else {
            cJSON_ArrayForEach(it, P(v, "ServerSideEncryptionConfiguration"))
            {
                cJSON *x = cJSON_CreateObject(), *def = cJSON_CreateObject();
                const cJSON *sd = P(it, "ServerSideEncryptionByDefault");
                rc |= x && def ? 0 : -1;
                if (x && def) {
                    rc |= str(def, "sseAlgorithm", P(sd, "SSEAlgorithm"), NULL);
                    rc |= str(def, "kmsMasterKeyId", P(sd, "KMSMasterKeyID"), NULL);
                    rc |= put(x, "applyServerSideEncryptionByDefault", def);
                    def = NULL;
                    rc |= boolean(x, "bucketKeyEnabled", P(it, "BucketKeyEnabled"), -1);
                    if (!cJSON_AddItemToArray(rules, x))
                        cJSON_Delete(x);
                    x = NULL;
                }
                cJSON_Delete(x);
                cJSON_Delete(def);
            }
            if (iac_has_unknown(v))
                rc |= put(enc, "unknown", iac_unknown());
            rc |= put(d, "encryption", enc);
        }
    } else {
        rc |= put(d, "encryption", cJSON_CreateNull());
    }
    cJSON *ver = cJSON_CreateObject();
    /* MFA delete cannot be turned on through CloudFormation: a new bucket has it Disabled. */
    rc |= ver ? str(ver, "status", P(P(p, "VersioningConfiguration"), "Status"), "Off") |
                    put(ver, "mfaDelete", cJSON_CreateString("Disabled")) | put(d, "versioning", ver)
              : -1;
    if ((v = P(p, "LoggingConfiguration"))) {
        cJSON *lg = cJSON_CreateObject();
        rc |= lg ? 0 : -1;
        if (lg) {
            const cJSON *tb = P(v, "DestinationBucketName");
            rc |= tb ? str(lg, "targetBucket", tb, NULL) : str(lg, "targetBucket", r->ref, NULL);
            rc |= str(lg, "targetPrefix", P(v, "LogFilePrefix"), "");
            if (iac_is_unknown(v))
                rc |= put(lg, "unknown", iac_unknown());
            rc |= put(d, "logging", lg);
        }
    } else {
        rc |= put(d, "logging", cJSON_CreateNull());
    }
    /* The bucket policy, from an AWS::S3::BucketPolicy naming this bucket. */
    const cJSON *pol = NULL;
    int unknown_policy = 0;
    for (size_t i = 0; i < c->n_res; i++) {
        const cfn_res *o = &c->res[i];
        if (o->skipped || strcmp(o->type, "AWS::S3::BucketPolicy"))
            continue;
        const cJSON *b = P(o->props, "Bucket");
        if (iac_is_unknown(b))
            unknown_policy = 1; /* might be this bucket's */
        else if (cfn_refers_to(b, r))
            pol = P(o->props, "PolicyDocument");
    }
    if (unknown_policy && !pol)
        rc |= put(d, "policy", iac_unknown());
    else
        rc |= policy_doc(d, "policy", pol, 1);
    return emit(c, r, "aws.s3.bucket", d, rc != 0);
}

/* ---- EC2 security groups ---- */

/* One rule of a group in the API's shape (@src: CloudFormation's Ingress/Egress properties). */
static cJSON *ip_permission(const cJSON *src, int egress)
{
    cJSON *x = cJSON_CreateObject();
    if (!x)
        return NULL;
    int rc = 0;
    const cJSON *proto = P(src, "IpProtocol");
    char pb[32] = "";
    if (cJSON_IsString(proto)) {
        snprintf(pb, sizeof pb, "%s", proto->valuestring);
        for (char *q = pb; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        if (!strcmp(pb, "all"))
            snprintf(pb, sizeof pb, "-1");
        rc |= put(x, "ipProtocol", cJSON_CreateString(pb));
    } else {
        rc |= str(x, "ipProtocol", proto, NULL);
    }
    if (strcmp(pb, "-1")) {
        rc |= integer(x, "fromPort", P(src, "FromPort"), -1);
        rc |= integer(x, "toPort", P(src, "ToPort"), -1);
    }
    cJSON *v4 = cJSON_CreateArray(), *v6 = cJSON_CreateArray(), *groups = cJSON_CreateArray(),
          *lists = cJSON_CreateArray();
    const cJSON *cidr = P(src, egress ? "CidrIp" : "CidrIp"), *cidr6 = P(src, "CidrIpv6");
    const cJSON *sg = P(src, egress ? "DestinationSecurityGroupId" : "SourceSecurityGroupId");
    const cJSON *pl = P(src, egress ? "DestinationPrefixListId" : "SourcePrefixListId");
    if (cidr && v4) {
        cJSON *o = cJSON_CreateObject();
        rc |= o ? str(o, "cidrIp", cidr, NULL) : -1;
        if (o && !cJSON_AddItemToArray(v4, o))
            cJSON_Delete(o);
    }
    if (cidr6 && v6) {
        cJSON *o = cJSON_CreateObject();
        rc |= o ? str(o, "cidrIpv6", cidr6, NULL) : -1;
        if (o && !cJSON_AddItemToArray(v6, o))
            cJSON_Delete(o);
    }
    if (sg && groups) {
        cJSON *o = cJSON_CreateObject();
        rc |= o ? str(o, "groupId", sg, NULL) : -1;
        if (o && !cJSON_AddItemToArray(groups, o))
            cJSON_Delete(o);
    }
    if (pl && lists) {
        cJSON *o = cJSON_CreateObject();
        rc |= o ? str(o, "prefixListId", pl, NULL) : -1;
        if (o && !cJSON_AddItemToArray(lists, o))
            cJSON_Delete(o);
    }
    rc |= put(x, "ipRanges", v4) | put(x, "ipv6Ranges", v6) | put(x, "userIdGroupPairs", groups) |
          put(x, "prefixListIds", lists);
    if (rc) {
        cJSON_Delete(x);
        return NULL;
    }
    return x;
}

static int add_rules(cJSON *arr, const cJSON *list, int egress)
{
    const cJSON *it;
    if (iac_is_unknown(list))
        return cJSON_AddItemToArray(arr, iac_unknown()) ? 0 : -1;
    cJSON_ArrayForEach(it, list)
    {
        cJSON *x = iac_is_unknown(it) ? iac_unknown() : ip_permission(it, egress);
        if (!x || !cJSON_AddItemToArray(arr, x)) {
            cJSON_Delete(x);
            return -1;
        }
    }
    return 0;
}

static int security_group(cfn_ctx *c, const cfn_res *r)
{
    const cJSON *p = r->props;
    cJSON *d = cJSON_CreateObject(), *in = cJSON_CreateArray(), *out = cJSON_CreateArray();
    int rc = d && in && out ? 0 : -1;
    if (rc) {
        cJSON_Delete(in);
        cJSON_Delete(out);
        return emit(c, r, "aws.ec2.security_group", d, 1);
    }
    rc |= str(d, "groupId", r->ref, NULL); /* the "${LOGICAL}" token: the id AWS will assign */
    rc |= str(d, "groupName", P(p, "GroupName"), NULL);
    rc |= str(d, "description", P(p, "GroupDescription"), NULL);
    rc |= str(d, "vpcId", P(p, "VpcId"), NULL);
    rc |= add_rules(in, P(p, "SecurityGroupIngress"), 0);
    const cJSON *eg = P(p, "SecurityGroupEgress");
    if (eg) {
        rc |= add_rules(out, eg, 1);
    } else {
        /* Without egress rules a new group allows all outbound traffic. */
        cJSON *all = cJSON_Parse("{\"IpProtocol\":\"-1\",\"CidrIp\":\"0.0.0.0/0\"}");
        cJSON *one = all ? cJSON_CreateArray() : NULL;
        if (one && cJSON_AddItemToArray(one, all)) {
            all = NULL;
            rc |= add_rules(out, one, 1);
        }
        cJSON_Delete(all);
        cJSON_Delete(one);
    }
    for (size_t i = 0; i < c->n_res; i++) {
        const cfn_res *o = &c->res[i];
        int is_in = !strcmp(o->type, "AWS::EC2::SecurityGroupIngress"),
            is_out = !strcmp(o->type, "AWS::EC2::SecurityGroupEgress");
        if (o->skipped || (!is_in && !is_out))
            continue;
        const cJSON *g = P(o->props, "GroupId");
        if (!g && is_in)
            g = P(o->props, "GroupName");
        if (iac_is_unknown(g))
            rc |= cJSON_AddItemToArray(is_in ? in : out, iac_unknown()) ? 0 : -1;
        else if (cfn_refers_to(g, r)) {
            cJSON *one = cJSON_CreateArray();
            if (one && cJSON_AddItemReferenceToArray(one, o->props))
                rc |= add_rules(is_in ? in : out, one, is_out);
            cJSON_Delete(one);
        }
    }
    rc |= put(d, "ipPermissions", in) | put(d, "ipPermissionsEgress", out);
    return emit(c, r, "aws.ec2.security_group", d, rc != 0);
}

/* ---- EBS, RDS, CloudTrail, KMS ---- */

static int volume(cfn_ctx *c, const cfn_res *r)
{
    const cJSON *p = r->props;
    cJSON *d = cJSON_CreateObject();
    int rc = d ? 0 : -1;
    if (d) {
        rc |= integer(d, "size", P(p, "Size"), -1);
        rc |= str(d, "volumeType", P(p, "VolumeType"), "gp2");
        rc |= boolean(d, "encrypted", P(p, "Encrypted"), 0);
        rc |= str(d, "kmsKeyId", P(p, "KmsKeyId"), "");
        rc |= str(d, "availabilityZone", P(p, "AvailabilityZone"), NULL);
        rc |= str(d, "snapshotId", P(p, "SnapshotId"), "");
    }
    return emit(c, r, "aws.ec2.volume", d, rc != 0);
}

static int db_instance(cfn_ctx *c, const cfn_res *r)
{
    const cJSON *p = r->props;
    cJSON *d = cJSON_CreateObject();
    int rc = d ? 0 : -1;
    if (d) {
        if (cJSON_IsString(r->ref) && strncmp(r->ref->valuestring, "${", 2))
            rc |= str(d, "dbInstanceIdentifier", r->ref, NULL);
        rc |= str(d, "dbInstanceClass", P(p, "DBInstanceClass"), NULL);
        rc |= str(d, "engine", P(p, "Engine"), NULL);
        rc |= str(d, "engineVersion", P(p, "EngineVersion"), NULL);
        /* PubliclyAccessible's default depends on the subnet group: left out when not given. */
        rc |= boolean(d, "publiclyAccessible", P(p, "PubliclyAccessible"), -1);
        rc |= boolean(d, "storageEncrypted", P(p, "StorageEncrypted"), 0);
        rc |= str(d, "kmsKeyId", P(p, "KmsKeyId"), "");
        rc |= boolean(d, "multiAZ", P(p, "MultiAZ"), 0);
        rc |= integer(d, "backupRetentionPeriod", P(p, "BackupRetentionPeriod"), 1);
        rc |= boolean(d, "deletionProtection", P(p, "DeletionProtection"), 0);
        rc |= boolean(d, "autoMinorVersionUpgrade", P(p, "AutoMinorVersionUpgrade"), 1);
        rc |= boolean(d, "iamDatabaseAuthenticationEnabled", P(p, "EnableIAMDatabaseAuthentication"), 0);
    }
    return emit(c, r, "aws.rds.db_instance", d, rc != 0);
}

static int trail(cfn_ctx *c, const cfn_res *r)
{
    const cJSON *p = r->props;
    cJSON *d = cJSON_CreateObject(), *st = cJSON_CreateObject();
    int rc = d && st ? 0 : -1;
    if (!rc) {
        if (cJSON_IsString(r->ref) && strncmp(r->ref->valuestring, "${", 2))
            rc |= str(d, "name", r->ref, NULL);
        rc |= boolean(d, "isMultiRegionTrail", P(p, "IsMultiRegionTrail"), 0);
        rc |= boolean(d, "includeGlobalServiceEvents", P(p, "IncludeGlobalServiceEvents"), 1);
        rc |= boolean(d, "isOrganizationTrail", P(p, "IsOrganizationTrail"), 0);
        rc |= boolean(d, "logFileValidationEnabled", P(p, "EnableLogFileValidation"), 0);
        rc |= str(d, "s3BucketName", P(p, "S3BucketName"), NULL);
        rc |= str(d, "kmsKeyId", P(p, "KMSKeyId"), "");
        rc |= str(d, "cloudWatchLogsLogGroupArn", P(p, "CloudWatchLogsLogGroupArn"), "");
        rc |= boolean(st, "isLogging", P(p, "IsLogging"), -1);
        rc |= put(d, "status", st);
        st = NULL;
    }
    cJSON_Delete(st);
    return emit(c, r, "aws.cloudtrail.trail", d, rc != 0);
}

static int kms_key(cfn_ctx *c, const cfn_res *r)
{
    const cJSON *p = r->props;
    cJSON *d = cJSON_CreateObject();
    int rc = d ? 0 : -1;
    if (d) {
        const cJSON *spec = P(p, "KeySpec");
        rc |= str(d, "description", P(p, "Description"), NULL);
        rc |= put(d, "keyManager", cJSON_CreateString("CUSTOMER"));
        rc |= str(d, "keySpec", spec, "SYMMETRIC_DEFAULT");
        rc |= str(d, "keyUsage", P(p, "KeyUsage"), "ENCRYPT_DECRYPT");
        const cJSON *en = P(p, "Enabled");
        if (iac_is_unknown(en))
            rc |= put(d, "keyState", iac_unknown());
        else
            rc |= put(d, "keyState", cJSON_CreateString(cJSON_IsFalse(en) ? "Disabled" : "Enabled"));
        if (iac_is_unknown(spec))
            rc |= put(d, "keyRotationEnabled", iac_unknown());
        else if (spec && !(cJSON_IsString(spec) && !strcmp(spec->valuestring, "SYMMETRIC_DEFAULT")))
            rc |= put(d, "keyRotationEnabled", cJSON_CreateNull()); /* asymmetric and HMAC keys cannot rotate */
        else
            rc |= boolean(d, "keyRotationEnabled", P(p, "EnableKeyRotation"), 0);
        rc |= policy_doc(d, "policy", P(p, "KeyPolicy"), 0);
    }
    return emit(c, r, "aws.kms.key", d, rc != 0);
}

/* ---- IAM ---- */

static int inline_policies(cJSON *d, const cJSON *list)
{
    cJSON *arr = cJSON_CreateArray();
    const cJSON *it;
    int rc = arr ? 0 : -1;
    if (iac_is_unknown(list))
        return put(d, "inlinePolicies", iac_unknown()) | (cJSON_Delete(arr), 0);
    cJSON_ArrayForEach(it, list)
    {
        cJSON *x = cJSON_CreateObject();
        rc |= x ? str(x, "policyName", P(it, "PolicyName"), NULL) |
                      policy_doc(x, "policyDocument", P(it, "PolicyDocument"), 0)
                : -1;
        if (x && !cJSON_AddItemToArray(arr, x))
            cJSON_Delete(x);
    }
    return rc | put(d, "inlinePolicies", arr);
}

static int managed_policies(cJSON *d, const cJSON *list)
{
    cJSON *arr = cJSON_CreateArray();
    const cJSON *it;
    int rc = arr ? 0 : -1;
    if (iac_is_unknown(list))
        return put(d, "attachedManagedPolicies", iac_unknown()) | (cJSON_Delete(arr), 0);
    cJSON_ArrayForEach(it, list)
    {
        cJSON *x = cJSON_CreateObject();
        rc |= x ? str(x, "policyArn", it, NULL) : -1;
        if (x && !cJSON_AddItemToArray(arr, x))
            cJSON_Delete(x);
    }
    return rc | put(d, "attachedManagedPolicies", arr);
}

static int iam_role(cfn_ctx *c, const cfn_res *r)
{
    const cJSON *p = r->props;
    cJSON *d = cJSON_CreateObject();
    int rc = d ? 0 : -1;
    if (d) {
        if (cJSON_IsString(r->ref) && strncmp(r->ref->valuestring, "${", 2))
            rc |= str(d, "roleName", r->ref, NULL);
        rc |= str(d, "path", P(p, "Path"), "/");
        rc |= integer(d, "maxSessionDuration", P(p, "MaxSessionDuration"), 3600);
        rc |= policy_doc(d, "assumeRolePolicyDocument", P(p, "AssumeRolePolicyDocument"), 0);
        rc |= inline_policies(d, P(p, "Policies"));
        rc |= managed_policies(d, P(p, "ManagedPolicyArns"));
    }
    return emit(c, r, "aws.iam.role", d, rc != 0);
}

static int iam_user(cfn_ctx *c, const cfn_res *r)
{
    const cJSON *p = r->props;
    cJSON *d = cJSON_CreateObject();
    int rc = d ? 0 : -1;
    if (d) {
        if (cJSON_IsString(r->ref) && strncmp(r->ref->valuestring, "${", 2))
            rc |= str(d, "userName", r->ref, NULL);
        rc |= str(d, "path", P(p, "Path"), "/");
        const cJSON *lp = P(p, "LoginProfile");
        rc |= iac_is_unknown(lp) ? put(d, "passwordEnabled", iac_unknown())
                                 : put(d, "passwordEnabled", cJSON_CreateBool(lp != NULL));
        rc |= inline_policies(d, P(p, "Policies"));
        rc |= managed_policies(d, P(p, "ManagedPolicyArns"));
        rc |= copy(d, "groups", P(p, "Groups"));
        /* Access keys declared in the template for this user (no dates: keys do not exist yet). */
        cJSON *keys = cJSON_CreateArray();
        rc |= keys ? 0 : -1;
        for (size_t i = 0; keys && i < c->n_res; i++) {
            const cfn_res *o = &c->res[i];
            if (o->skipped || strcmp(o->type, "AWS::IAM::AccessKey") || !cfn_refers_to(P(o->props, "UserName"), r))
                continue;
            cJSON *k = cJSON_CreateObject();
            rc |= k ? str(k, "status", P(o->props, "Status"), "Active") : -1;
            if (k && !cJSON_AddItemToArray(keys, k))
                cJSON_Delete(k);
        }
        if (keys)
            rc |= put(d, "accessKeys", keys);
    }
    return emit(c, r, "aws.iam.user", d, rc != 0);
}

static int iam_policy(cfn_ctx *c, const cfn_res *r, const char *name_prop)
{
    const cJSON *p = r->props;
    cJSON *d = cJSON_CreateObject();
    int rc = d ? 0 : -1;
    if (d) {
        rc |= str(d, "policyName", P(p, name_prop), NULL);
        rc |= str(d, "path", P(p, "Path"), "/");
        rc |= policy_doc(d, "policyDocument", P(p, "PolicyDocument"), 0);
    }
    return emit(c, r, "aws.iam.policy", d, rc != 0);
}

/* ---- Lambda ---- */

/* A Lambda permission as a policy statement. */
static cJSON *permission_statement(const cJSON *p)
{
    cJSON *s = cJSON_CreateObject();
    const cJSON *pr = P(p, "Principal");
    int rc = s ? 0 : -1;
    if (!s)
        return NULL;
    rc |= put(s, "Effect", cJSON_CreateString("Allow"));
    rc |= str(s, "Action", P(p, "Action"), "lambda:InvokeFunction");
    if (cJSON_IsString(pr) && !strcmp(pr->valuestring, "*")) {
        rc |= put(s, "Principal", cJSON_CreateString("*"));
    } else if (cJSON_IsString(pr)) {
        cJSON *po = cJSON_CreateObject();
        rc |= po ? str(po, strstr(pr->valuestring, ".amazonaws.com") ? "Service" : "AWS", pr, NULL) : -1;
        rc |= put(s, "Principal", po);
    } else {
        rc |= put(s, "Principal", iac_unknown());
    }
    const cJSON *sa = P(p, "SourceArn"), *sacct = P(p, "SourceAccount"), *org = P(p, "PrincipalOrgID");
    if (sa || sacct || org) {
        cJSON *cond = cJSON_CreateObject(), *eq = cJSON_CreateObject();
        rc |= cond && eq ? 0 : -1;
        if (cond && eq) {
            rc |= str(eq, "AWS:SourceArn", sa, NULL) | str(eq, "AWS:SourceAccount", sacct, NULL) |
                  str(eq, "aws:PrincipalOrgID", org, NULL);
            rc |= put(cond, "StringEquals", eq);
            eq = NULL;
            rc |= put(s, "Condition", cond);
            cond = NULL;
        }
        cJSON_Delete(cond);
        cJSON_Delete(eq);
    }
    if (rc) {
        cJSON_Delete(s);
        return NULL;
    }
    return s;
}

static int lambda_function(cfn_ctx *c, const cfn_res *r)
{
    const cJSON *p = r->props, *v;
    int sam = !strcmp(r->type, "AWS::Serverless::Function");
    cJSON *d = cJSON_CreateObject();
    int rc = d ? 0 : -1;
    if (!d)
        return emit(c, r, "aws.lambda.function", d, 1);
    if (cJSON_IsString(r->ref) && strncmp(r->ref->valuestring, "${", 2))
        rc |= str(d, "functionName", r->ref, NULL);
    rc |= str(d, "runtime", P(p, "Runtime"), NULL);
    rc |= str(d, "handler", P(p, "Handler"), NULL);
    rc |= str(d, "role", P(p, "Role"), NULL);
    rc |= integer(d, "memorySize", P(p, "MemorySize"), 128);
    rc |= integer(d, "timeout", P(p, "Timeout"), 3);
    rc |= str(d, "packageType", P(p, "PackageType"), "Zip");
    rc |= str(d, "kmsKeyArn", P(p, "KmsKeyArn"), "");
    cJSON *tc = cJSON_CreateObject();
    const cJSON *mode = sam ? P(p, "Tracing") : P(P(p, "TracingConfig"), "Mode");
    rc |= tc ? str(tc, "mode", mode, "PassThrough") | put(d, "tracingConfig", tc) : -1;
    v = P(P(p, "Environment"), "Variables");
    if (v) {
        cJSON *names = cJSON_CreateArray();
        const cJSON *it;
        rc |= names ? 0 : -1;
        if (names && iac_is_unknown(v))
            rc |= cJSON_AddItemToArray(names, iac_unknown()) ? 0 : -1;
        cJSON_ArrayForEach(it, v) if (names && it->string) rc |=
            cJSON_AddItemToArray(names, cJSON_CreateString(it->string)) ? 0 : -1;
        rc |= put(d, "environmentVariableNames", names); /* values are never kept */
    } else {
        rc |= put(d, "environmentVariableNames", cJSON_CreateArray());
    }
    if ((v = P(p, "VpcConfig"))) {
        cJSON *vc = cJSON_CreateObject();
        rc |= vc ? copy(vc, "subnetIds", P(v, "SubnetIds")) | copy(vc, "securityGroupIds", P(v, "SecurityGroupIds")) |
                       put(d, "vpcConfig", vc)
                 : -1;
    } else {
        rc |= put(d, "vpcConfig", cJSON_CreateNull());
    }
    /* Function URL: SAM's FunctionUrlConfig, or an AWS::Lambda::Url naming the function. */
    const cJSON *url = sam ? P(p, "FunctionUrlConfig") : NULL;
    cJSON *policy_stmts = cJSON_CreateArray();
    int unknown_link = 0;
    for (size_t i = 0; i < c->n_res; i++) {
        const cfn_res *o = &c->res[i];
        if (o->skipped)
            continue;
        if (!strcmp(o->type, "AWS::Lambda::Url")) {
            const cJSON *t = P(o->props, "TargetFunctionArn");
            if (iac_is_unknown(t))
                unknown_link = 1;
            else if (cfn_refers_to(t, r))
                url = o->props;
        } else if (!strcmp(o->type, "AWS::Lambda::Permission")) {
            const cJSON *t = P(o->props, "FunctionName");
            if (iac_is_unknown(t))
                unknown_link = 1;
            else if (cfn_refers_to(t, r) && policy_stmts) {
                cJSON *s = permission_statement(o->props);
                if (!s || !cJSON_AddItemToArray(policy_stmts, s)) {
                    cJSON_Delete(s);
                    rc = -1;
                }
            }
        }
    }
    if (url) {
        cJSON *u = cJSON_CreateObject();
        rc |= u ? str(u, "authType", P(url, "AuthType"), NULL) | put(d, "functionUrl", u) : -1;
    } else {
        rc |= put(d, "functionUrl", unknown_link ? iac_unknown() : cJSON_CreateNull());
    }
    if (policy_stmts && cJSON_GetArraySize(policy_stmts) > 0) {
        cJSON *pd = cJSON_CreateObject();
        rc |= pd ? put(pd, "Version", cJSON_CreateString("2012-10-17")) | put(pd, "Statement", policy_stmts) |
                       put(d, "policy", pd)
                 : -1;
        policy_stmts = NULL;
    } else {
        rc |= put(d, "policy", unknown_link ? iac_unknown() : cJSON_CreateNull());
    }
    cJSON_Delete(policy_stmts);
    return emit(c, r, "aws.lambda.function", d, rc != 0);
}

/* ---- EKS ---- */

static int eks_cluster(cfn_ctx *c, const cfn_res *r)
{
    const cJSON *p = r->props, *v, *it;
    cJSON *d = cJSON_CreateObject();
    int rc = d ? 0 : -1;
    if (!d)
        return emit(c, r, "aws.eks.cluster", d, 1);
    if (cJSON_IsString(r->ref) && strncmp(r->ref->valuestring, "${", 2))
        rc |= str(d, "name", r->ref, NULL);
    rc |= str(d, "version", P(p, "Version"), NULL);
    rc |= str(d, "roleArn", P(p, "RoleArn"), NULL);
    v = P(p, "ResourcesVpcConfig");
    cJSON *vc = cJSON_CreateObject();
    if (vc) {
        rc |= boolean(vc, "endpointPublicAccess", P(v, "EndpointPublicAccess"), 1);
        rc |= boolean(vc, "endpointPrivateAccess", P(v, "EndpointPrivateAccess"), 0);
        const cJSON *cidrs = P(v, "PublicAccessCidrs");
        rc |=
            cidrs ? copy(vc, "publicAccessCidrs", cidrs) : put(vc, "publicAccessCidrs", cJSON_Parse("[\"0.0.0.0/0\"]"));
        rc |= copy(vc, "subnetIds", P(v, "SubnetIds")) | copy(vc, "securityGroupIds", P(v, "SecurityGroupIds"));
        if (iac_is_unknown(v))
            rc |= put(vc, "unknown", iac_unknown());
        rc |= put(d, "resourcesVpcConfig", vc);
    } else {
        rc = -1;
    }
    /* Logging: the enabled types as one entry, as DescribeCluster reports them. */
    cJSON *lg = cJSON_CreateObject(), *cl = cJSON_CreateArray(), *types = cJSON_CreateArray(),
          *e = cJSON_CreateObject();
    if (lg && cl && types && e) {
        const cJSON *et = P(P(P(p, "Logging"), "ClusterLogging"), "EnabledTypes");
        if (iac_is_unknown(et))
            rc |= cJSON_AddItemToArray(types, iac_unknown()) ? 0 : -1;
        cJSON_ArrayForEach(it, et)
        {
            cJSON *t = NULL;
            const cJSON *tv = P(it, "Type");
            t = iac_is_unknown(tv) ? iac_unknown() : cJSON_IsString(tv) ? cJSON_CreateString(tv->valuestring) : NULL;
            if (t && !cJSON_AddItemToArray(types, t))
                cJSON_Delete(t);
        }
        rc |= put(e, "types", types) | put(e, "enabled", cJSON_CreateTrue());
        types = NULL;
        rc |= cJSON_AddItemToArray(cl, e) ? 0 : -1;
        e = NULL;
        rc |= put(lg, "clusterLogging", cl) | put(d, "logging", lg);
        cl = lg = NULL;
    } else {
        rc = -1;
    }
    cJSON_Delete(lg);
    cJSON_Delete(cl);
    cJSON_Delete(types);
    cJSON_Delete(e);
    cJSON *enc = cJSON_CreateArray();
    v = P(p, "EncryptionConfig");
    if (enc && iac_is_unknown(v))
        rc |= cJSON_AddItemToArray(enc, iac_unknown()) ? 0 : -1;
    cJSON_ArrayForEach(it, v)
    {
        cJSON *x = cJSON_CreateObject(), *prov = cJSON_CreateObject();
        if (x && prov) {
            rc |= copy(x, "resources", P(it, "Resources"));
            rc |= str(prov, "keyArn", P(P(it, "Provider"), "KeyArn"), NULL) | put(x, "provider", prov);
            prov = NULL;
            if (enc && !cJSON_AddItemToArray(enc, x))
                cJSON_Delete(x);
            x = NULL;
        }
        cJSON_Delete(x);
        cJSON_Delete(prov);
    }
    rc |= put(d, "encryptionConfig", enc);
    return emit(c, r, "aws.eks.cluster", d, rc != 0);
}

int cfn_adapt(cfn_ctx *c, const cfn_res *r)
{
    const char *t = r->type;
    if (!strcmp(t, "AWS::S3::Bucket"))
        return s3_bucket(c, r);
    if (!strcmp(t, "AWS::EC2::SecurityGroup"))
        return security_group(c, r);
    if (!strcmp(t, "AWS::EC2::Volume"))
        return volume(c, r);
    if (!strcmp(t, "AWS::RDS::DBInstance"))
        return db_instance(c, r);
    if (!strcmp(t, "AWS::CloudTrail::Trail"))
        return trail(c, r);
    if (!strcmp(t, "AWS::KMS::Key"))
        return kms_key(c, r);
    if (!strcmp(t, "AWS::IAM::Role"))
        return iam_role(c, r);
    if (!strcmp(t, "AWS::IAM::User"))
        return iam_user(c, r);
    if (!strcmp(t, "AWS::IAM::ManagedPolicy"))
        return iam_policy(c, r, "ManagedPolicyName");
    if (!strcmp(t, "AWS::IAM::Policy"))
        return iam_policy(c, r, "PolicyName");
    if (!strcmp(t, "AWS::Lambda::Function") || !strcmp(t, "AWS::Serverless::Function"))
        return lambda_function(c, r);
    if (!strcmp(t, "AWS::EKS::Cluster"))
        return eks_cluster(c, r);
    return PP_OK;
}
