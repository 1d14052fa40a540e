/*
 * core/policy/engine.h - judging resources with rules (docs/rules.md).
 *
 * The engine loads rule files and framework mappings, compiles every rule's
 * CEL once, and then evaluates the rules that match a resource's type,
 * producing one finding per (rule, resource): pass, fail, error, or muted
 * when a suppression covers it. It is called from the scan's writer thread
 * for every resource; evaluation of one engine from several threads is safe.
 * docs/policy-engine.md describes the design.
 */
#ifndef PP_CORE_POLICY_ENGINE_H
#define PP_CORE_POLICY_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "loader.h"
#include "record.h"
#include "settings.h"

struct pe_rule;
struct framework;

typedef struct policy_engine policy_engine;

typedef struct policy_load_opts {
    const char *const *rule_dirs; /* directories of rule files, searched recursively */
    size_t n_rule_dirs;
    const char *frameworks_dir;   /* directory of framework files, or NULL */
    registry *reg;                /* policy plugins: their rules() and CEL functions; may be NULL */
    const char *suppressions_json; /* active suppressions (store.h), or NULL */
    /* Added for the rule engine; zero keeps the old behaviour. */
    pp_config *cfg;               /* plugin configuration ([plugin.NAME]); NULL: empty configs */
    int require_dirs;             /* nonzero: a missing rule directory is an error (lint, test) */
    /* When set, each problem with a rule file, a plugin pack or a duplicate
     * id is reported here and loading goes on without that pack, so a lint
     * sees every problem at once. The load then returns the engine with the
     * packs that loaded; policy_engine_load_problems says how many were
     * reported. (Other problems - frameworks, plugins, suppressions - still
     * fail the load.) */
    void (*on_error)(void *ud, const char *msg);
    void *on_error_ud;
    /* Optional: told about each rule left out because it calls a function no
     * loaded plugin provides (the pack's other rules load). Without it such a
     * rule goes to on_error, or is logged as a warning. */
    void (*on_set_aside)(void *ud, const char *msg);
    void *on_set_aside_ud;
} policy_load_opts;

/*
 * policy_engine_load - load and compile everything @o names: every *.json
 * file under each rule directory (recursively, in name order, skipping any
 * directory called "frameworks" and hidden entries), the rules() of each
 * usable policy plugin in @o->reg (whose CEL functions are registered
 * first), the frameworks of @o->frameworks_dir and of the plugins, and the
 * suppressions. Rules that do not load or compile are reported in @err
 * ("policies/aws/s3.json: rule 'x': violation: 1:7: undeclared reference
 * to 'foo'") and make the load fail (a bad rule pack must not silently
 * shrink coverage); so do duplicate rule ids, bad framework files and bad
 * suppressions. A missing rule directory is skipped unless
 * @o->require_dirs. Returns NULL on failure.
 */
policy_engine *policy_engine_load(const policy_load_opts *o, char *err, size_t errlen);

/* policy_engine_load_problems - problems passed to on_error while loading @pe. */
size_t policy_engine_load_problems(const policy_engine *pe);

/* policy_engine_free - release @pe, its rules and its plugin instances (NULL is fine). */
void policy_engine_free(policy_engine *pe);

/* policy_engine_rule_count - number of loaded rules. */
size_t policy_engine_rule_count(const policy_engine *pe);

/* policy_engine_rule - the @i-th loaded rule (load order), or NULL. Owned by @pe. */
const struct pe_rule *policy_engine_rule(const policy_engine *pe, size_t i);

/* policy_engine_frameworks - the loaded frameworks (files, then plugins); owned by @pe. */
const struct framework *policy_engine_frameworks(const policy_engine *pe, size_t *n);

/* A finding is handed over: the callee owns @finding (rec_free it). */
typedef void (*policy_emit_fn)(void *ud, rec *finding);

/*
 * policy_engine_evaluate - judge @resource (a REC_RESOURCE) with every rule of
 * its type, as of scan time @now (Unix seconds); emit one finding per rule
 * that applies. Never fails: errors become findings of status error.
 */
void policy_engine_evaluate(policy_engine *pe, const rec *resource, int64_t now, policy_emit_fn emit, void *ud);

/* Largest resource (bytes of data plus tags JSON) the engine evaluates;
 * a larger one gets an error finding from each rule of its type. */
#define PE_MAX_RESOURCE_JSON (32u * 1024 * 1024)

#endif
