/*
 * core/cel/cel.h - the Common Expression Language engine of parapet's rules.
 *
 * A rule's condition is a CEL expression (docs/cel.md lists the supported
 * subset). The engine is used in three steps:
 *
 *   1. an environment (cel_env) declares the variables expressions may name
 *      and the extra functions they may call;
 *   2. cel_compile parses and checks an expression once, giving a program;
 *   3. cel_eval runs a program against bound variables (cel_vars) as many
 *      times as needed, with resource limits, giving a result.
 *
 * Threads: a compiled program and a cel_vars are never written to by
 * cel_eval, so one program may be evaluated from several threads at once,
 * against the same or different cel_vars. An environment must not be changed
 * (declare, add_function) while it is being compiled against; it must
 * outlive every program compiled from it. cel_global_add_function must be
 * called before any environment is made (at start-up, single-threaded).
 *
 * Errors never crash the engine: bad syntax, unknown names, type errors,
 * overflows, runaway regexes and deep nesting all come back as messages.
 */
#ifndef PP_CORE_CEL_H
#define PP_CORE_CEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cel_env cel_env;
typedef struct cel_program cel_program;
typedef struct cel_vars cel_vars;
typedef struct cel_result cel_result;

/* ------------------------------------------------------------- limits */

/*
 * cel_limits - caps on one evaluation. A zero field means "use the default"
 * (see cel_limits_default). Going over a cap ends the evaluation with an
 * error result naming the cap; the error cannot be absorbed by && or ||.
 */
typedef struct cel_limits {
    int max_depth;            /* nesting of evaluation (default 256) */
    uint64_t max_steps;       /* expression nodes visited plus macro iterations (default 1,000,000) */
    size_t max_list_size;     /* elements of a list or map made by the expression (default 100,000) */
    size_t max_string_size;   /* bytes of a string or bytes made by the expression (default 1 MiB) */
    size_t max_regex_insts;   /* instructions of one compiled regex (default 10,000) */
    size_t max_memory;        /* bytes allocated by one evaluation (default 64 MiB) */
} cel_limits;

/* cel_limits_default - fill @l with the default caps. */
void cel_limits_default(cel_limits *l);

/* Compile-time caps. */
#define CEL_MAX_EXPR_LEN (1024 * 1024) /* bytes of expression text */
#define CEL_MAX_PARSE_DEPTH 250        /* nesting of the syntax tree */
#define CEL_MAX_JSON_DEPTH 512         /* nesting of a bound JSON document */

/* ------------------------------------------------------------- environment */

/*
 * cel_ext_fn - a function written in C and called from expressions.
 * @ud         the pointer given at registration.
 * @args_json  JSON array of the evaluated arguments (NUL-terminated, borrowed
 *             for the call). Timestamps and durations appear as their CEL
 *             strings, bytes as base64 strings, IPs and CIDRs as strings.
 * @result     set it to the JSON text of the result (return 0), or to an
 *             error message or NULL (return nonzero). The engine releases
 *             it with the cel_ext_free_fn given at registration.
 * Must be safe to call from several threads at once.
 */
typedef int (*cel_ext_fn)(void *ud, const char *args_json, char **result);
/* cel_ext_free_fn - release a *result of a cel_ext_fn; NULL at registration means free(). */
typedef void (*cel_ext_free_fn)(void *ud, char *result);

/*
 * cel_global_add_function - register a function that every environment
 * made afterwards knows (for the core's own extras, e.g. "threat.ip").
 * Same contract as cel_env_add_function. Not thread-safe: call at start-up.
 */
int cel_global_add_function(const char *name, unsigned min_args, unsigned max_args,
                            cel_ext_fn fn, cel_ext_free_fn free_result, void *ud,
                            const char **why);

/*
 * cel_env_new - an environment with the standard library and the globally
 * registered functions, and no variables. NULL when out of memory.
 * Release with cel_env_free after the programs compiled from it.
 */
cel_env *cel_env_new(void);

/*
 * cel_env_new_policy - cel_env_new plus the variables of a policy rule:
 * `resource` (the resource record) and `now` (the scan time).
 */
cel_env *cel_env_new_policy(void);

/* cel_env_free - release @env (NULL is fine). */
void cel_env_free(cel_env *env);

/*
 * cel_env_declare - let expressions name variable @name (an identifier).
 * Naming an undeclared variable is a compile error. Returns 0, or -1 with
 * *why (static text, if @why is not NULL) on a bad name or no memory.
 */
int cel_env_declare(cel_env *env, const char *name, const char **why);

/*
 * cel_env_add_function - let expressions call @name (an identifier or a
 * dotted name such as "iam.allowsAction") with @min_args..@max_args
 * arguments; @fn is called with them as JSON. Calls are global style:
 * name(args). Returns 0, or -1 with *why (static text) when the name is
 * malformed, taken by a built-in or an earlier registration, the arity is
 * wrong (min > max or max > 16), or memory runs out. @name is copied.
 */
int cel_env_add_function(cel_env *env, const char *name, unsigned min_args, unsigned max_args,
                         cel_ext_fn fn, cel_ext_free_fn free_result, void *ud,
                         const char **why);

/* ------------------------------------------------------------- compile */

/* cel_compile_error - why an expression did not compile. */
typedef struct cel_compile_error {
    int line;           /* 1-based; 0 when the error has no position */
    int col;            /* 1-based, in characters */
    char message[256];  /* e.g. "undeclared reference to 'foo'" */
    char text[300];     /* "LINE:COL: message" (or just the message) */
} cel_compile_error;

/*
 * cel_compile - parse and check @expr against @env.
 * Returns a program (release with cel_program_free), or NULL with @err
 * filled (if not NULL) on a syntax error, an undeclared variable or
 * function, a wrong number of arguments, nesting deeper than
 * CEL_MAX_PARSE_DEPTH, text longer than CEL_MAX_EXPR_LEN, or no memory.
 * Type errors are found when evaluating ("no such overload").
 */
cel_program *cel_compile(const cel_env *env, const char *expr, cel_compile_error *err);

/* cel_program_free - release @p (NULL is fine). */
void cel_program_free(cel_program *p);

/* ------------------------------------------------------------- variables */

/* cel_vars_new - an empty set of bound variables; NULL when out of memory. */
cel_vars *cel_vars_new(void);
/* cel_vars_free - release @vars (NULL is fine). */
void cel_vars_free(cel_vars *vars);

/*
 * cel_vars_set_json - bind @name to a copy of the JSON value @value (the
 * caller keeps @value). Objects become maps, arrays lists; numbers become
 * int when integral and within int64, else double. Rebinding replaces.
 * Returns 0, or -1 with *why (static text) when @value nests deeper than
 * CEL_MAX_JSON_DEPTH or memory runs out.
 */
int cel_vars_set_json(cel_vars *vars, const char *name, const cJSON *value, const char **why);

/*
 * cel_vars_reset - unbind every variable of @vars and forget their values,
 * keeping some of the memory for the next bindings (NULL is fine). Values
 * read from @vars before the reset must not be used afterwards.
 */
void cel_vars_reset(cel_vars *vars);

/* How cel_vars_set_fields reads a field's text. */
typedef enum cel_field_kind {
    CEL_FIELD_STRING,      /* the text is a string (NULL: null) */
    CEL_FIELD_NULL,        /* null; the text is not read */
    CEL_FIELD_JSON_OBJECT  /* the text is a JSON object (NULL: an empty object) */
} cel_field_kind;

/* One field of the map cel_vars_set_fields binds; the texts are borrowed. */
typedef struct cel_field {
    const char *name;
    cel_field_kind kind;
    const char *text;
} cel_field;

/*
 * cel_vars_set_fields - bind @name to a map of the @n @fields, in their
 * order (names must be distinct), reading JSON object texts straight into
 * values without a cJSON tree. This fast path takes ordinary, well-formed
 * text only; the value it binds is exactly what cel_vars_set_json would
 * bind for the same document parsed with cJSON_Parse. Returns 0 when bound;
 * 1 when a JSON text is not one it takes (malformed, not an object, deeply
 * nested, \u0000 or surrogate escapes, very long numbers...): nothing is
 * bound and the caller takes the cJSON path, which decides; -1 when out of
 * memory. In every case the memory used stays with @vars until it is reset
 * or freed.
 */
int cel_vars_set_fields(cel_vars *vars, const char *name, const cel_field *fields, size_t n);

/* cel_vars_set_timestamp - bind @name to a timestamp (Unix seconds + nanos). Returns 0 or -1. */
int cel_vars_set_timestamp(cel_vars *vars, const char *name, int64_t unix_sec, int32_t nanos);

/* ------------------------------------------------------------- evaluate */

/*
 * cel_eval - evaluate @p with @vars (NULL: none bound) under @limits (NULL:
 * defaults). A variable declared but not bound is an evaluation error.
 * Returns a result, which may hold an error; NULL only when out of memory.
 * Release with cel_result_free. Safe to call concurrently (see the top).
 */
cel_result *cel_eval(const cel_program *p, const cel_vars *vars, const cel_limits *limits);

/* cel_result_free - release @r (NULL is fine). */
void cel_result_free(cel_result *r);

/* cel_result_error - the error message if evaluation failed, else NULL. Owned by @r. */
const char *cel_result_error(const cel_result *r);

/*
 * cel_result_bool - for rule conditions: if the result is a bool, store it
 * in *out and return 0; return -1 if it is an error or another type.
 */
int cel_result_bool(const cel_result *r, int *out);

/* cel_result_type - the CEL type name of the result ("bool", "list", ...), or "error". */
const char *cel_result_type(const cel_result *r);

/*
 * cel_result_json - the result as malloc'd JSON text (caller frees), or
 * NULL if it is an error or memory runs out. Timestamps and durations are
 * printed as CEL strings ("2009-02-13T23:31:30Z", "3600s"), bytes as base64
 * strings, IPs and CIDRs as strings, types as their names, NaN and the
 * infinities as "NaN", "Infinity", "-Infinity", map keys as strings.
 * @pretty nonzero: indented.
 */
char *cel_result_json(const cel_result *r, int pretty);

/*
 * cel_eval_bool - compile-free convenience for rule conditions: evaluate
 * and read a bool. Returns 0 with *out set; -1 with *err (malloc'd message,
 * caller frees; may be NULL when out of memory) when the evaluation failed
 * or did not give a bool.
 */
int cel_eval_bool(const cel_program *p, const cel_vars *vars, const cel_limits *limits,
                  int *out, char **err);

/* ------------------------------------------------------------- reusable evaluation */

/*
 * cel_evaluator - a reusable evaluation context for one thread at a time.
 * cel_eval allocates a context and a result per call; an evaluator keeps
 * them (and up to 64 KiB of the memory an evaluation used) from one run to
 * the next, which is what a rule engine evaluating millions of expressions
 * wants. Results are the same as cel_eval's.
 *
 * cel_evaluator_new returns NULL when out of memory; cel_evaluator_free
 * releases it (NULL is fine).
 */
typedef struct cel_evaluator cel_evaluator;
cel_evaluator *cel_evaluator_new(void);
void cel_evaluator_free(cel_evaluator *ev);

/*
 * cel_evaluator_run - cel_eval on @ev. The result belongs to @ev and stays
 * valid until the next run on @ev or cel_evaluator_free: read it with the
 * cel_result_* functions, never cel_result_free it. Never NULL.
 */
const cel_result *cel_evaluator_run(cel_evaluator *ev, const cel_program *p, const cel_vars *vars,
                                    const cel_limits *limits);

/*
 * cel_evaluator_bool - cel_eval_bool on @ev: 0 with *out set; -1 with *err
 * (if @err is not NULL) pointing to the reason, owned by @ev and valid until
 * its next run, when the evaluation failed or did not give a bool.
 */
int cel_evaluator_bool(cel_evaluator *ev, const cel_program *p, const cel_vars *vars, const cel_limits *limits,
                       int *out, const char **err);

/* ------------------------------------------------------------- CLI */

/*
 * cel_cli_eval - `parapet policy eval 'EXPR' [--input FILE.json]`.
 * Binds the JSON document of @input_json_path (NULL: an empty object) to
 * `resource` and the current time to `now`, evaluates @expr in a policy
 * environment, and prints the result as JSON plus a newline on @out.
 * Returns 0; on a read, compile or evaluation error prints one line
 * "parapet: error: ..." on @err and returns 2.
 */
int cel_cli_eval(const char *expr, const char *input_json_path, FILE *out, FILE *err);

#ifdef __cplusplus
}
#endif

#endif
