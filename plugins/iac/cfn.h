/*
 * plugins/iac/cfn.h - a CloudFormation template after static evaluation,
 * as the per-type adapters (cfn_aws.c) see it.
 */
#ifndef PP_IAC_CFN_H
#define PP_IAC_CFN_H

#include "iac.h"

/* One resource of the template with its properties evaluated. */
typedef struct cfn_res {
    const char *logical; /* logical id (the key under Resources) */
    const char *type;    /* "AWS::S3::Bucket", or "" */
    const yd_node *key;  /* the logical id's key node (file position) */
    const yd_node *def;  /* the resource's mapping */
    cJSON *props;        /* evaluated Properties (an object; unknown values are IAC_UNKNOWN) */
    cJSON *ref;          /* what Ref to this resource gives (a string or IAC_UNKNOWN) */
    int skipped;         /* its Condition is false: not created */
} cfn_res;

typedef struct cfn_ctx {
    iac_file *f;
    cfn_res *res;
    size_t n_res;
} cfn_ctx;

/*
 * cfn_refers_to - nonzero when the evaluated value @v names resource @r:
 * it equals r's Ref value, or is the token "${LOGICAL.Attr}" (GetAtt), or
 * r's ARN for buckets. Used to join separate resources (a BucketPolicy, a
 * SecurityGroupIngress) to the one they configure.
 */
int cfn_refers_to(const cJSON *v, const cfn_res *r);

/*
 * cfn_adapt - emit the aws.* resource for @r when the adapters know its
 * type (docs/iac.md); other types are skipped. Returns PP_OK or an error
 * with c->f->err set.
 */
int cfn_adapt(cfn_ctx *c, const cfn_res *r);

#endif
