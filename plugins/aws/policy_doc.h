/*
 * policy_doc.h - analysis of AWS IAM policy documents (identity policies,
 * role trust policies, and the resource policies of S3, KMS, Lambda...),
 * behind the CEL functions aws.policy.* (policy_fn.c; semantics in
 * docs/aws-policy-functions.md).
 *
 * Everything here is pure: documents are borrowed cJSON trees, nothing is
 * kept between calls, and every function is safe to call from several
 * threads at once. A document that is not a well-formed policy (wrong
 * types, Effect other than Allow/Deny, both Action and NotAction, ...) is
 * refused with an error that names the member ("Statement[2].Action: ..."),
 * never guessed at. Sizes are capped (AWSP_MAX_*), and the pattern
 * matching is bounded by a work budget, so no document can make a call
 * slow.
 */
#ifndef PP_AWS_POLICY_DOC_H
#define PP_AWS_POLICY_DOC_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define AWSP_MAX_STATEMENTS 1000   /**< statements in one document */
#define AWSP_MAX_VALUES 1000       /**< entries in one Action/Resource/Principal/condition list */
#define AWSP_MAX_PATTERN 2048      /**< bytes of one action, resource or principal */
#define AWSP_MAX_DOC_BYTES (512u * 1024u) /**< policy text given as a string */
#define AWSP_WORK_BUDGET 50000000u /**< pattern-matching steps per call */

/** How two wildcard patterns (`*` any run, `?` one character) are compared. */
typedef enum awsp_glob_mode {
    AWSP_MATCH,     /**< does pattern a match the literal text b */
    AWSP_INTERSECT, /**< is there a text both patterns match */
    AWSP_COVERS     /**< does pattern a match every text pattern b matches (sound, not complete) */
} awsp_glob_mode;

/**
 * awsp_glob - compare pattern @a with @b as @mode says; @fold compares
 * ASCII letters without case (actions), else exactly (resources, ARNs).
 * *@budget (if not NULL) is decreased by the steps taken. Returns 1 or 0,
 * or -1 when the budget ran out or a text is longer than AWSP_MAX_PATTERN.
 */
int awsp_glob(const char *a, const char *b, awsp_glob_mode mode, int fold, unsigned long *budget);

/**
 * awsp_allows_public - whether @doc lets anyone (Principal "*", a "*"
 * principal of any type, or Allow with NotPrincipal) perform an action
 * matching @action (a pattern), through an Allow statement without a
 * restricting condition, and not taken back by an unconditional Deny for
 * everyone that covers the action and the statement's resources.
 * Returns 0 with *@out set to 0/1, or -1 with a reason in @err.
 */
int awsp_allows_public(const cJSON *doc, const char *action, int *out, char *err, size_t errlen);

/**
 * awsp_allows_cross_account - whether an Allow statement of @doc names a
 * principal of another account than @own (12 digits): an account id or
 * ARN of another account, a web identity provider outside any account,
 * NotPrincipal, or "*" unless a restricting condition limits it to @own.
 * Deny statements are not considered. Returns 0 / -1 as above.
 */
int awsp_allows_cross_account(const cJSON *doc, const char *own, int *out, char *err, size_t errlen);

/**
 * awsp_allows_action - whether one Allow statement of @doc grants every
 * action @action matches (a pattern: "*:*", "iam:*", "s3:GetObject") on
 * @resource (a pattern, or NULL for "some resource"), Action or NotAction,
 * Resource or NotResource, conditions and principals ignored; an
 * unconditional Deny (without a principal or for everyone) that covers
 * the whole of @action and @resource takes it back. Returns 0 / -1.
 */
int awsp_allows_action(const cJSON *doc, const char *action, const char *resource, int *out, char *err,
                       size_t errlen);

/**
 * awsp_public_actions - the action patterns of @doc's public Allow
 * statements (as awsp_allows_public judges them; "*" for one written with
 * NotAction), in document order, without repeats (ignoring case), each
 * left out when an unconditional Deny for everyone covers it. On 0, *@out
 * is a new cJSON array of strings (the caller deletes it); -1 with @err.
 */
int awsp_public_actions(const cJSON *doc, cJSON **out, char *err, size_t errlen);

#endif
