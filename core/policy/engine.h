/*
 * core/policy/engine.h - judging resources with rules (docs/rules.md).
 *
 * The engine loads rule files and framework mappings, compiles every rule's
 * CEL once, and then evaluates the rules that match a resource's type,
 * producing one finding per (rule, resource): pass, fail, error, or muted
 * when a suppression covers it. It is called from the scan's writer thread
 * for every resource; evaluation of one engine from several threads is safe.
 */
#ifndef PP_CORE_POLICY_ENGINE_H
#define PP_CORE_POLICY_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "loader.h"
#include "record.h"

typedef struct policy_engine policy_engine;

typedef struct policy_load_opts {
    const char *const *rule_dirs; /* directories of rule files, searched recursively */
    size_t n_rule_dirs;
    const char *frameworks_dir;   /* directory of framework files, or NULL */
    registry *reg;                /* policy plugins: their rules() and CEL functions; may be NULL */
    const char *suppressions_json; /* active suppressions (store.h), or NULL */
} policy_load_opts;

/*
 * policy_engine_load - load and compile everything @o names. Rules that do
 * not load or compile are reported in @err and make the load fail (a bad
 * rule pack must not silently shrink coverage). Returns NULL on failure.
 */
policy_engine *policy_engine_load(const policy_load_opts *o, char *err, size_t errlen);

void policy_engine_free(policy_engine *pe);

/* policy_engine_rule_count - number of loaded rules. */
size_t policy_engine_rule_count(const policy_engine *pe);

/* A finding is handed over: the callee owns @finding (rec_free it). */
typedef void (*policy_emit_fn)(void *ud, rec *finding);

/*
 * policy_engine_evaluate - judge @resource (a REC_RESOURCE) with every rule of
 * its type, as of scan time @now (Unix seconds); emit one finding per rule
 * that applies. Never fails: errors become findings of status error.
 */
void policy_engine_evaluate(policy_engine *pe, const rec *resource, int64_t now, policy_emit_fn emit, void *ud);

#endif
