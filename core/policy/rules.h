/*
 * core/policy/rules.h - one rule of a rule pack (docs/rules.md), parsed,
 * validated and compiled.
 *
 * A rule comes from a file under a rule directory or from a policy
 * plugin's rules(). Parsing checks every member against docs/rules.md and
 * compiles the CEL once (applies, violation, evidence, message and
 * remediation templates). Errors name the origin, the rule and the member:
 *   "policies/aws/s3.json: rule 'x': violation: 1:7: undeclared reference to 'foo'"
 */
#ifndef PP_CORE_POLICY_RULES_H
#define PP_CORE_POLICY_RULES_H

#include <stddef.h>

#include <cJSON.h>

#include "cel/cel.h"
#include "template.h"

/* Size caps of rule input. */
#define PE_RULE_FILE_MAX (16 * 1024 * 1024) /* bytes of one rule file or plugin pack */
#define PE_RULE_TEXT_MAX (64 * 1024)        /* bytes of one text member */
#define PE_RULE_MAX_EVIDENCE 64             /* evidence expressions per rule */

typedef struct pe_rule {
    char *id;
    char *title;
    char *description;
    char *resource_type;
    int severity;            /* pp_severity */
    char *origin;            /* the file, or "plugin NAME" */
    char *applies_src;       /* NULL when the rule always applies */
    char *violation_src;
    cel_program *applies;    /* NULL when absent */
    cel_program *violation;
    char *message_src;
    pe_template *message;
    size_t n_evidence;
    char **evidence_names;
    char **evidence_src;
    cel_program **evidence;
    char *remediation_text;
    pe_template *remediation_cli;            /* NULL when absent */
    pe_template *remediation_terraform;      /* NULL when absent */
    pe_template *remediation_cloudformation; /* NULL when absent */
    char **references;
    size_t n_references;
    cJSON *examples;         /* {"fail": [...], "pass": [...]}, owned */
    char *compliance_json;   /* set by the engine: [{"framework","requirement"}], never NULL once loaded */
    int finding_texts_ok;    /* set by the engine: id, title, remediation text and compliance_json pass
                              * rec_copy's checks, so its findings can be built with rec_new_trusted */
    char **violation_paths;  /* the resource.data paths `violation` reads (dotted, no "[]"), for
                              * pointing a finding at the key that decided it */
    size_t n_violation_paths;
} pe_rule;

/*
 * pe_rule_parse - validate the rule object @obj and compile its CEL against
 * @env (which must outlive the rule). @origin names where it came from, for
 * errors and `policy list`. Returns a new rule (release with pe_rule_free),
 * or NULL with "ORIGIN: rule 'ID': MEMBER: reason" in @err.
 */
pe_rule *pe_rule_parse(const cJSON *obj, const char *origin, const cel_env *env, char *err, size_t errlen);

/* pe_rule_free - release @r (NULL is fine). */
void pe_rule_free(pe_rule *r);

/*
 * pe_rule_pack_parse - parse the rules of one pack: @text is either a rule
 * file `{"format": 1, "rules": [...]}` (@is_file nonzero) or a plugin's bare
 * JSON array of rules. Appends the rules to *@rules / *@n (grown with
 * realloc; the caller owns them). Returns 0, or -1 with the first problem in
 * @err (rules appended before the problem are kept in *@rules for the caller
 * to free).
 *
 * A rule that calls a function no loaded plugin provides (the CEL checker's
 * "no loaded plugin provides it") is set aside when @set_aside is not NULL:
 * it is left out, @set_aside gets the rule's message ("ORIGIN: rule 'ID':
 * MEMBER: L:C: undeclared function 'aws.policy.x' ...") and the pack goes
 * on. With @set_aside NULL such a rule fails the pack like any other.
 */
int pe_rule_pack_parse(const char *text, size_t len, int is_file, const char *origin, const cel_env *env,
                       pe_rule ***rules, size_t *n, void (*set_aside)(void *ud, const char *msg), void *ud,
                       char *err, size_t errlen);

/* pe_rule_id_valid - nonzero when @id matches ^[a-z0-9]+(-[a-z0-9]+)+$. */
int pe_rule_id_valid(const char *id);

#endif
