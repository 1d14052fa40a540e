/*
 * policy_fn.h - the CEL functions the aws plugin adds to the rule language
 * (its PP_KIND_POLICY side): aws.policy.allows_public,
 * aws.policy.allows_cross_account, aws.policy.allows_action and
 * aws.policy.public_actions. Semantics: docs/aws-policy-functions.md;
 * the analysis itself: policy_doc.h.
 */
#ifndef PP_AWS_POLICY_FN_H
#define PP_AWS_POLICY_FN_H

#include <parapet/plugin.h>

/** The policy vtable of the aws plugin's descriptor (functions only). */
extern const pp_policy_api aws_policy_api;

/**
 * aws_policy_call - run function @name ("aws.policy.allows_public", ...)
 * on @args_json, the JSON array of the evaluated CEL arguments. The
 * document argument is a map (the parsed policy), its JSON text (at most
 * AWSP_MAX_DOC_BYTES), or null (no policy: false, or an empty list).
 * Returns 0 with *@result the JSON text of the result, or -1 with
 * *@result an error message starting with the function's name; either
 * way *@result is malloc'd (the caller frees it), or NULL when memory ran
 * out. Thread-safe; never crashes on any input.
 */
int aws_policy_call(const char *name, const char *args_json, char **result);

#endif
