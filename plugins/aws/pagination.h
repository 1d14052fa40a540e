/*
 * pagination.h - every AWS pagination style, behind one loop per protocol:
 *   query/EC2: NextToken in, nextToken/NextToken out (EC2, STS, ...)
 *   IAM:       Marker in, Marker out while IsTruncated is true
 *   S3:        continuation-token in, ContinuationToken out (ListBuckets,
 *              ListObjectsV2)
 *   JSON 1.1:  NextToken (or Marker, NextMarker) members in the body
 * A loop stops at 10000 pages and refuses a token the server repeats (a
 * buggy or hostile endpoint would otherwise keep it busy forever).
 */
#ifndef PP_AWS_PAGINATION_H
#define PP_AWS_PAGINATION_H

#include <cjson/cJSON.h>

#include "aws_client.h"
#include "aws_emit.h"

#define AWS_MAX_PAGES 10000

typedef struct aws_pager {
    const char *service;        /**< "ec2", "iam", "s3", "kms", ... */
    const char *region;
    const char *action;         /**< query: Action; JSON: operation */
    const char *version;        /**< query: Version; JSON: X-Amz-Target prefix */
    const char *params;         /**< query: extra encoded params ("&k=v..."); JSON: body object text or NULL */
    const char *permission;     /**< IAM action, for denied findings */
    const char *token_param;    /**< request member carrying the token */
    const char *token_elem;     /**< response element/member with the next token */
    const char *truncated_elem; /**< response element that must be "true" to go on, or NULL */
} aws_pager;

/** Called once per page; return AWS_OK to go on, anything else stops the loop and is returned. */
typedef int (*aws_xml_page_fn)(aws_ctx *c, aws_task *t, const xml_node *root, void *ud);
typedef int (*aws_json_page_fn)(aws_ctx *c, aws_task *t, const cJSON *page, void *ud);

/** aws_query_paginate - the query/EC2/IAM styles. Returns AWS_OK or an aws_client.h error; on
 * AWS_E_DENIED / AWS_E_NOTFOUND @err holds the AWS error code. */
int aws_query_paginate(aws_ctx *c, aws_task *t, const aws_pager *p, aws_xml_page_fn fn, void *ud, char *err,
                       size_t errlen);
/** aws_s3_paginate - REST-XML on the S3 service root (p->action is ignored; token in the query). */
int aws_s3_paginate(aws_ctx *c, aws_task *t, const aws_pager *p, aws_xml_page_fn fn, void *ud, char *err,
                    size_t errlen);
/** aws_json_paginate - JSON 1.1. */
int aws_json_paginate(aws_ctx *c, aws_task *t, const aws_pager *p, aws_json_page_fn fn, void *ud, char *err,
                      size_t errlen);

#endif
