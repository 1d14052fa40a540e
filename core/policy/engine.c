/* core/policy/engine.c - placeholder engine with no rules; replaced by the
 * rule engine (docs/rules.md). */
#include "config.h"

#include "engine.h"

#include <stdlib.h>

struct policy_engine {
    size_t n_rules;
};

policy_engine *policy_engine_load(const policy_load_opts *o, char *err, size_t errlen)
{
    (void)o;
    (void)err;
    (void)errlen;
    return calloc(1, sizeof(policy_engine));
}

void policy_engine_free(policy_engine *pe)
{
    free(pe);
}

size_t policy_engine_rule_count(const policy_engine *pe)
{
    return pe ? pe->n_rules : 0;
}

void policy_engine_evaluate(policy_engine *pe, const rec *resource, int64_t now, policy_emit_fn emit, void *ud)
{
    (void)pe;
    (void)resource;
    (void)now;
    (void)emit;
    (void)ud;
}
