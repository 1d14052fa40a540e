/*
 * plugins/aws/iam_calls.h - the IAM calls the IAM collectors share (query
 * protocol, global, Marker/IsTruncated pagination): one call, one paginated
 * list, and the inline policies of a user, role or group with their decoded
 * documents. Failures are reported through collector_outcome (an error
 * finding naming the iam: permission) before they are returned.
 */
#ifndef PP_AWS_IAM_CALLS_H
#define PP_AWS_IAM_CALLS_H

#include <cjson/cJSON.h>

#include "collectors.h"

#define AWS_IAM_VERSION "2010-05-08"
#define AWS_IAM_REGION "us-east-1"

/* Called for every <member> of a list. */
typedef void (*aws_iam_member_fn)(const xml_node *m, void *ud);

/*
 * aws_iam_call - one IAM call that is not a list (ACTION with the form
 * @params). On AWS_OK *@root is the response (xml_free it). Other results
 * are returned after being reported against resource @uid of type @what,
 * except AWS_E_NOTFOUND, which callers treat as "none".
 */
int aws_iam_call(aws_ctx *c, aws_task *t, const char *action, const char *params, const char *what, const char *uid,
                 xml_node **root);

/*
 * aws_iam_list - a paginated IAM list: @each is called for every <member>
 * under @list_elem of every page. Returns AWS_OK, AWS_E_CANCELLED when the
 * host said stop, or an error already reported.
 */
int aws_iam_list(aws_ctx *c, aws_task *t, const char *action, const char *params, const char *list_elem,
                 aws_iam_member_fn each, void *ud, const char *what, const char *uid);

/*
 * aws_iam_inline_policies - the inline policies of the @kind ("User",
 * "Role" or "Group") named @name: List{KIND}Policies, then Get{KIND}Policy
 * for each, as an array of {"policyName", "policyDocument"} (the document
 * decoded; left out when it is not a JSON object), at most @max entries.
 * Returns a new array (caller owns it), or NULL when the list itself
 * failed (reported), so "unknown" is never read as "none".
 */
cJSON *aws_iam_inline_policies(aws_ctx *c, aws_task *t, const char *kind, const char *name, const char *uid,
                               const char *what, int max);

#endif
