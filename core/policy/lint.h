/*
 * core/policy/lint.h - checks of `parapet policy lint` beyond loading:
 * every resource.data path a rule names exists in the documented shape of
 * its resource type (docs/resources/ pages), and every rule id a framework
 * lists exists.
 *
 * The shapes are read from the field tables of docs/resources/ pages, the
 * same pages people read: a section "## `TYPE`" followed by a table whose
 * first column lists the member paths in backticks (`acl.grants[].grantee`;
 * a cell may list several, and `.x` after `a.b` means `a.x`), and whose
 * second column gives the type. A member whose type is an object, map or
 * array may have deeper paths that the table describes in prose only, so
 * paths below it are accepted.
 */
#ifndef PP_CORE_POLICY_LINT_H
#define PP_CORE_POLICY_LINT_H

#include <stddef.h>

#include "framework.h"
#include "rules.h"

typedef struct pe_shapes pe_shapes;

/* pe_lint_report - receives one problem, a full line of text. */
typedef void (*pe_lint_report)(void *ud, const char *msg);

/*
 * pe_shapes_load - read the field tables of every *.md file in @docs_dir.
 * Returns the shapes (release with pe_shapes_free), or NULL with a reason
 * in @err when the directory cannot be read or documents no type.
 */
pe_shapes *pe_shapes_load(const char *docs_dir, char *err, size_t errlen);

/* pe_shapes_free - release @s (NULL is fine). */
void pe_shapes_free(pe_shapes *s);

/* pe_shapes_types - number of documented types. */
size_t pe_shapes_types(const pe_shapes *s);

/*
 * pe_lint_rule_paths - check every resource.data path used by @r's
 * expressions (applies, violation, evidence, message and remediation
 * templates), and that its resource_type is documented. Each problem goes
 * to @report as "ORIGIN: rule 'ID': violation: resource.data.x.y is not
 * in the documented shape of TYPE". Returns the number of problems.
 */
size_t pe_lint_rule_paths(const pe_shapes *s, const pe_rule *r, pe_lint_report report, void *ud);

/*
 * pe_lint_frameworks - report every requirement rule id of @fws that no
 * rule in @rules has. Returns the number of problems.
 */
size_t pe_lint_frameworks(const framework *fws, size_t n_fws, const pe_rule *const *rules, size_t n_rules,
                          pe_lint_report report, void *ud);

/*
 * pe_data_paths - the resource.data paths (dotted, without "[]") that the
 * CEL expression @expr selects, as a malloc'd array of malloc'd strings in
 * *@out (caller frees each and the array); comprehension variables over a
 * data path count as that path. Returns the count, or (size_t)-1 when the
 * expression does not parse.
 */
size_t pe_data_paths(const char *expr, char ***out);

#endif
