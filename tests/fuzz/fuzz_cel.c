/*
 * tests/fuzz/fuzz_cel.c - libFuzzer harness for the CEL engine.
 *
 * The input is split at its first NUL byte: the part before is the
 * expression, the part after (if any) is a JSON document bound to
 * `resource`. Every input is compiled and evaluated under tight limits;
 * the harness only looks for crashes, leaks, hangs and sanitizer reports.
 *
 * Not part of the default build. With clang installed:
 *   make fuzz-cel                      (builds tests/fuzz/fuzz_cel)
 *   tests/fuzz/fuzz_cel -max_len=4096 -timeout=5 CORPUS_DIR tests/cel/hostile
 * (see docs/cel.md).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cel_env *env;
    if (!env)
        env = cel_env_new_policy();
    char *buf = malloc(size + 1);
    if (!buf || !env) {
        free(buf);
        return 0;
    }
    memcpy(buf, data, size);
    buf[size] = '\0';
    size_t elen = strlen(buf);
    const char *json = elen < size ? buf + elen + 1 : "{\"data\":{\"port\":22,\"tags\":[\"a\",\"b\"]}}";

    cel_compile_error err;
    cel_program *p = cel_compile(env, buf, &err);
    if (p) {
        cel_vars *vars = cel_vars_new();
        cJSON *doc = cJSON_Parse(json);
        if (vars && doc)
            cel_vars_set_json(vars, "resource", doc, NULL);
        cel_vars_set_timestamp(vars, "now", 1234567890, 0);
        cel_limits lim = {0};
        lim.max_steps = 100000;
        lim.max_memory = 8u << 20;
        lim.max_string_size = 65536;
        lim.max_list_size = 10000;
        cel_result *r = cel_eval(p, vars, &lim);
        if (r && !cel_result_error(r))
            free(cel_result_json(r, 0));
        cel_result_free(r);
        cJSON_Delete(doc);
        cel_vars_free(vars);
        cel_program_free(p);
    }
    free(buf);
    return 0;
}
