/*
 * core/policy/template.h - message templates of rules: text with {{EXPR}}.
 *
 * A rule's message (and its remediation commands) may embed CEL
 * expressions between double braces: "Bucket {{resource.name}} is public".
 * A template is compiled once, with the rule, and rendered for each failing
 * resource against that resource's variables.
 */
#ifndef PP_CORE_POLICY_TEMPLATE_H
#define PP_CORE_POLICY_TEMPLATE_H

#include <stddef.h>

#include "cel/cel.h"

typedef struct pe_template pe_template;

/* Longest template text accepted, and longest rendering (longer is cut). */
#define PE_TEMPLATE_MAX_LEN (64 * 1024)
#define PE_TEMPLATE_MAX_OUT 4096

/*
 * pe_template_compile - split @src into literal text and {{EXPR}} parts and
 * compile each expression against @env (which must outlive the template).
 * Returns the template (release with pe_template_free), or NULL with a
 * reason in @err: "{{resource.nme}}: 1:10: undeclared ...", an unterminated
 * "{{", an empty expression, or text longer than PE_TEMPLATE_MAX_LEN.
 */
pe_template *pe_template_compile(const cel_env *env, const char *src, char *err, size_t errlen);

/* pe_template_free - release @t (NULL is fine). */
void pe_template_free(pe_template *t);

/* pe_template_has_exprs - nonzero when @t embeds at least one expression. */
int pe_template_has_exprs(const pe_template *t);

/*
 * pe_template_render - the text of @t with each expression replaced by its
 * value against @vars under @limits: a string value is inserted as it is,
 * any other value as compact JSON, and an expression that fails as
 * "<error: REASON>". The result is cut to PE_TEMPLATE_MAX_OUT bytes (on a
 * UTF-8 character boundary, ending in "..."). Returns malloc'd text the
 * caller frees; never NULL (aborts on out of memory, like xmalloc).
 * The expressions run on @ev (a reusable evaluator, see cel.h) when it is
 * not NULL, else each on its own cel_eval.
 */
char *pe_template_render(const pe_template *t, const cel_vars *vars, const cel_limits *limits, cel_evaluator *ev);

/* pe_template_exprs - the number of expressions and the i-th one's source (for lint). */
size_t pe_template_expr_count(const pe_template *t);
const char *pe_template_expr_source(const pe_template *t, size_t i);

#endif
