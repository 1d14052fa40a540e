/*
 * aws_client.h - one signed AWS API call through host->http: endpoint
 * resolution, SigV4, error classification, throttling backoff, and the
 * wire protocols (query/EC2 XML, REST-XML for S3, JSON 1.1).
 */
#ifndef PP_AWS_CLIENT_H
#define PP_AWS_CLIENT_H

#include <stddef.h>

#include "aws_ctx.h"
#include "aws_xml.h"

/** Outcomes of a call. */
enum {
    AWS_OK = 0,
    AWS_E_FAIL = -1,      /**< transport, protocol or server failure; err says which */
    AWS_E_DENIED = -2,    /**< AccessDenied and friends: the caller lacks call.permission */
    AWS_E_NOTFOUND = -3,  /**< 404 / NoSuch*: the thing is not configured */
    AWS_E_CANCELLED = -4  /**< the scan is stopping */
};

typedef struct aws_call {
    const char *service;      /**< endpoint id: "ec2", "s3", "iam", "sts", "kms" ... */
    const char *region;       /**< region to send to and sign for */
    const char *method;       /**< NULL = GET */
    const char *path;         /**< encoded path, "/" when NULL */
    const char *query;        /**< encoded query without '?', or NULL */
    const char *body;
    size_t body_len;
    const char *content_type;
    const char *target;       /**< X-Amz-Target (JSON protocols), or NULL */
    const char *permission;   /**< IAM action the call needs, e.g. "ec2:DescribeVolumes" */
    const char *bucket;       /**< S3: the bucket, addressed path-style or virtual-hosted */
    int s3;                   /**< S3 signing rules (no path normalisation, x-amz-content-sha256) */
    int unsigned_request;     /**< send without a signature (AssumeRoleWithWebIdentity) */
    const aws_creds *creds;   /**< sign with these instead of the chain's */
} aws_call;

typedef struct aws_reply {
    long status;
    char *body;               /**< NUL-terminated, malloc'd */
    size_t len;
    char code[96];            /**< AWS error code, "" on success */
    char message[256];        /**< AWS error message (sanitised), "" on success */
} aws_reply;

/**
 * aws_call_do - send @call, retrying throttling and expired credentials.
 * On AWS_OK @out holds a 2xx reply (free with aws_reply_free). On
 * AWS_E_DENIED / AWS_E_NOTFOUND @out holds the error reply (code, message).
 * On other failures @err says why (URLs without query, never secrets).
 */
int aws_call_do(aws_ctx *c, const aws_call *call, aws_reply *out, char *err, size_t errlen);
void aws_reply_free(aws_reply *r);

/**
 * aws_endpoint_base - the base URL (scheme://host[:port][/prefix], no
 * trailing '/') for @service in @region, honouring AWS_ENDPOINT_URL_<SVC>,
 * -o aws.endpoint_url and AWS_ENDPOINT_URL, in that order. *@overridden is
 * set when one of them applied. Returns 0, or -1 when an override is not a
 * plain http(s) URL.
 */
int aws_endpoint_base(const aws_ctx *c, const char *service, const char *region, char *out, size_t len,
                      int *overridden, char *err, size_t errlen);

/**
 * aws_query_call - the query protocol (IAM, STS, EC2): POST
 * Action=@action&Version=@version@params (params pre-encoded, each starting
 * with '&'), parse the XML answer into *@root (xml_free it). On
 * AWS_E_DENIED / AWS_E_NOTFOUND @err holds the AWS error code.
 */
int aws_query_call(aws_ctx *c, const char *service, const char *region, const char *action,
                   const char *version, const char *params, const char *permission, xml_node **root, char *err,
                   size_t errlen);

/**
 * aws_s3_call - REST-XML GET on a bucket subresource ("acl", "policy", ...;
 * NULL for the service root), with extra query @params (encoded, or NULL).
 * With @raw non-NULL the body is returned as text (bucket policies are
 * JSON); otherwise it is parsed into *@root.
 */
int aws_s3_call(aws_ctx *c, const char *region, const char *bucket, const char *subresource,
                const char *params, const char *permission, xml_node **root, char **raw, char *err,
                size_t errlen);

/**
 * aws_json_call - JSON 1.1 protocol: POST @body_json with
 * X-Amz-Target: @target_prefix.@operation. On AWS_OK *@reply_json is the
 * body (free()).
 */
int aws_json_call(aws_ctx *c, const char *service, const char *region, const char *target_prefix,
                  const char *operation, const char *body_json, const char *permission, char **reply_json,
                  char *err, size_t errlen);

/**
 * aws_rest_json_call - REST-JSON protocol (Lambda, EKS, GuardDuty): a GET
 * of @path (already percent-encoded, starting with '/') with the encoded
 * @query (or NULL). On AWS_OK *@reply_json is the body (free()); on
 * AWS_E_DENIED / AWS_E_NOTFOUND @err holds the AWS error code (REST-JSON
 * services name it in the x-amzn-ErrorType header or the body's `__type`
 * / `code` member). The caller parses and checks the body.
 */
int aws_rest_json_call(aws_ctx *c, const char *service, const char *region, const char *path, const char *query,
                       const char *permission, char **reply_json, char *err, size_t errlen);

/**
 * aws_set_task_creds - sign the calling thread's later calls with @creds
 * (the role assumed in the task's account) instead of the chain's; NULL
 * goes back to the chain. The caller keeps @creds alive and unchanged
 * until it resets this. A call's own aws_call.creds still wins.
 */
void aws_set_task_creds(const aws_creds *creds);

/**
 * aws_set_task_refresh - what renews the calling thread's task credentials
 * (aws_set_task_creds) when a call signed with them is answered
 * ExpiredToken / ExpiredTokenException / RequestExpired: @refresh updates
 * them in place and returns 0 (the call is then retried once), or returns
 * -1 with a reason. NULL: such an answer fails the call. Calls signed with
 * the chain's credentials force one chain refresh instead.
 */
typedef int (*aws_refresh_fn)(aws_ctx *c, char *err, size_t errlen);
void aws_set_task_refresh(aws_refresh_fn refresh);

/** aws_form_encode - append "&@key=" and @value percent-encoded to @b. */
struct abuf;
void aws_form_param(struct abuf *b, const char *key, const char *value);

/** aws_is_throttle_code - nonzero for AWS throttling error codes. */
int aws_is_throttle_code(const char *code);
/** aws_is_denied_code - nonzero for access-denied error codes. */
int aws_is_denied_code(const char *code);

#endif
