/*
 * core/cel/cel_internal.h - shared definitions of the CEL engine's parts.
 *
 * Not a public header: only the sources in core/cel/ and the engine's own unit tests
 * include it. Other core modules use core/cel/cel.h.
 *
 * Memory model: every value made while compiling lives in the program's
 * arena, every value made while evaluating lives in the evaluation's arena,
 * and bound variables live in the cel_vars arena. Nothing is reference
 * counted, so a compiled program is never written to after cel_compile
 * returns, which is what makes concurrent evaluation safe.
 */
#ifndef PP_CORE_CEL_INTERNAL_H
#define PP_CORE_CEL_INTERNAL_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "cel.h"

/* ---------------------------------------------------------------- arena */

typedef struct cel_arena_chunk cel_arena_chunk;

/*
 * cel_arena - a bump allocator. Allocations are freed all at once by
 * cel_arena_free. When @limit (bytes, 0 = none) would be exceeded, or malloc
 * fails, the arena longjmps to @jb if set, else returns NULL.
 */
typedef struct cel_arena {
    cel_arena_chunk *head;
    size_t used;   /* bytes handed out, for the limit */
    size_t limit;
    jmp_buf *jb;   /* where to go when out of memory (evaluation only) */
} cel_arena;

void cel_arena_init(cel_arena *a, size_t limit);
void cel_arena_free(cel_arena *a);
/*
 * cel_arena_reset - forget every allocation but keep one chunk of at most
 * @keep_max bytes for reuse (the others are freed). Values made in the arena
 * before the reset must not be used afterwards.
 */
void cel_arena_reset(cel_arena *a, size_t keep_max);
/* cel_arena_alloc - @n zeroed bytes aligned for any type. */
void *cel_arena_alloc(cel_arena *a, size_t n);
/* cel_arena_strndup - copy of @n bytes of @s plus a NUL. */
char *cel_arena_strndup(cel_arena *a, const char *s, size_t n);
/* cel_arena_printf - formatted string in the arena. */
char *cel_arena_printf(cel_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---------------------------------------------------------------- values */

typedef enum cel_kind {
    CEL_NULL = 0,
    CEL_BOOL,
    CEL_INT,
    CEL_UINT,
    CEL_DOUBLE,
    CEL_STRING,
    CEL_BYTES,
    CEL_LIST,
    CEL_MAP,
    CEL_TIMESTAMP,
    CEL_DURATION,
    CEL_TYPE,
    CEL_IP,
    CEL_CIDR,
    CEL_ERROR
} cel_kind;

typedef struct cel_list cel_list;
typedef struct cel_map cel_map;
typedef struct cel_ipnet cel_ipnet;

/* cel_value - a CEL value, passed by value; the pointed-to data is shared. */
typedef struct cel_value {
    cel_kind kind;
    union {
        int b;
        int64_t i;                       /* int; duration in nanoseconds */
        uint64_t u;
        double d;
        struct { const char *p; size_t n; } s; /* string (UTF-8) or bytes; p NUL-terminated */
        const cel_list *list;
        const cel_map *map;
        struct { int64_t sec; int32_t nsec; } ts; /* seconds since the epoch, UTC */
        const char *type;                /* type name, e.g. "int", "google.protobuf.Timestamp" */
        const cel_ipnet *ip;             /* IP address or CIDR */
        const char *err;                 /* error message */
    } v;
} cel_value;

struct cel_list {
    size_t n;
    cel_value *items;
};

struct cel_map {
    size_t n;
    cel_value *keys;
    cel_value *vals;
};

/* IP address (CIDR when prefix >= 0); IPv4 addresses are stored in 4 bytes. */
struct cel_ipnet {
    uint8_t addr[16];
    int family;  /* 4 or 6 */
    int prefix;  /* -1 for an address */
};

/* Value constructors. */
cel_value cel_null(void);
cel_value cel_bool(int b);
cel_value cel_int(int64_t i);
cel_value cel_uint(uint64_t u);
cel_value cel_double(double d);
cel_value cel_string(const char *p, size_t n);
cel_value cel_bytes(const char *p, size_t n);
cel_value cel_type(const char *name);
cel_value cel_duration(int64_t ns);
cel_value cel_timestamp(int64_t sec, int32_t nsec);
/* cel_errorf - an error value whose message is formatted into @a. */
cel_value cel_errorf(cel_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
cel_value cel_error_static(const char *msg);

/* cel_type_name - the CEL type name of @v ("int", "list", ...). */
const char *cel_type_name(const cel_value *v);

/*
 * cel_value_equal - CEL equality with heterogeneous numbers: 1 for equal,
 * 0 for not equal. Values of different kinds are not equal.
 */
int cel_value_equal(const cel_value *a, const cel_value *b);
/*
 * cel_value_compare - ordering for <, <=, >, >=. Sets *cmp to -1/0/1 and
 * returns 0; returns 1 when a NaN is involved (every comparison false) and
 * -1 when the kinds cannot be ordered.
 */
int cel_value_compare(const cel_value *a, const cel_value *b, int *cmp);
/* cel_map_find - the value for @key or NULL; numeric keys match across int/uint/double. */
const cel_value *cel_map_find(const cel_map *m, const cel_value *key);
/* cel_map_find_str - the value for the string key @key or NULL. */
const cel_value *cel_map_find_str(const cel_map *m, const char *key, size_t n);

/*
 * cel_value_from_json - convert @j into @a. JSON numbers become int when
 * integral and within int64, otherwise double. Returns 0, or -1 with *err
 * set to a static message when the document nests deeper than @max_depth.
 */
int cel_value_from_json(cel_arena *a, const cJSON *j, int max_depth, cel_value *out, const char **err);
/* A growable stack of values (malloc'd, reused; free v when done). */
typedef struct cel_value_stack {
    cel_value *v;
    size_t n, cap;
} cel_value_stack;
/*
 * cel_value_from_json_text - convert the JSON object text [s, s+n) into @a
 * without a cJSON tree, using @vs as scratch. It takes only ordinary,
 * well-formed text nested no deeper than @max_depth (the object itself is
 * depth 1), for which the value is exactly what cJSON_Parse followed by
 * cel_value_from_json gives. Returns 0 with *out set; 1 when the text is
 * anything else (not an object, malformed, \u0000 or surrogate escapes, long
 * numbers, control characters, trailing text, deeper nesting): the caller
 * then takes the cJSON path, which decides; -1 when out of memory.
 */
int cel_value_from_json_text(cel_arena *a, const char *s, size_t n, int max_depth, cel_value_stack *vs,
                             cel_value *out);
/*
 * cel_value_to_json - a malloc'd cJSON for @v (timestamps and durations as
 * their CEL strings, bytes as base64, maps with string keys). NULL when @v
 * is an error or malloc fails.
 */
cJSON *cel_value_to_json(const cel_value *v);

/* cel_format_double - shortest text that reads back as @d ("1.5", "1e+100"). */
void cel_format_double(double d, char *buf, size_t n);
/* cel_utf8_valid - 1 if [p, p+n) is well-formed UTF-8. */
int cel_utf8_valid(const char *p, size_t n);
/* cel_utf8_decode - decode one code point at p (n bytes left); sets *len. -1 on bad input. */
int32_t cel_utf8_decode(const char *p, size_t n, int *len);
/* cel_utf8_encode - write @cp into buf (4 bytes room); returns the length. */
int cel_utf8_encode(uint32_t cp, char *buf);
/* cel_utf8_count - the number of code points in a valid UTF-8 string. */
size_t cel_utf8_count(const char *p, size_t n);
/* cel_base64_encode - malloc'd base64 (standard alphabet, padded) text. */
char *cel_base64_encode(const unsigned char *p, size_t n);

/* ---------------------------------------------------------------- time */

#define CEL_TS_MIN_SEC (-62135596800LL) /* 0001-01-01T00:00:00Z */
#define CEL_TS_MAX_SEC 253402300799LL   /* 9999-12-31T23:59:59Z */

/* cel_parse_timestamp - RFC 3339 text to seconds and nanos; 0 ok, -1 bad syntax, -2 range. */
int cel_parse_timestamp(const char *s, size_t n, int64_t *sec, int32_t *nsec);
/* cel_format_timestamp - RFC 3339 in UTC, fraction only when nonzero. buf >= 40 bytes. */
void cel_format_timestamp(int64_t sec, int32_t nsec, char *buf, size_t n);
/* cel_parse_duration - Go duration syntax to nanoseconds; 0 ok, -1 bad syntax, -2 range. */
int cel_parse_duration(const char *s, size_t n, int64_t *ns);
/* cel_format_duration - "3600s", "1.5s", "-0.000000001s". buf >= 40 bytes. */
void cel_format_duration(int64_t ns, char *buf, size_t n);
/* cel_parse_tz - "UTC", "Z", "+05:30", "-08:00" or "05:30" to an offset in seconds; -1 if unknown. */
int cel_parse_tz(const char *s, size_t n, int32_t *offset);
/* cel_civil_from_days - days since 1970-01-01 to year/month(1-12)/day(1-31). */
void cel_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);
/* cel_days_from_civil - the inverse of cel_civil_from_days. */
int64_t cel_days_from_civil(int64_t y, unsigned m, unsigned d);

/* ---------------------------------------------------------------- IP */

/* cel_parse_ip - parse an IPv4 or IPv6 address (no zone); 0 ok, -1 bad. */
int cel_parse_ip(const char *s, size_t n, cel_ipnet *out);
/* cel_parse_cidr - parse ADDR/PREFIX; 0 ok, -1 bad. */
int cel_parse_cidr(const char *s, size_t n, cel_ipnet *out);
/* cel_format_ip - canonical text (RFC 5952 for IPv6), with "/N" for a CIDR. buf >= 64. */
void cel_format_ip(const cel_ipnet *ip, char *buf, size_t n);

/* ---------------------------------------------------------------- regex */

typedef struct cel_regex cel_regex;
/*
 * cel_regex_compile - compile @pat (RE2-like dialect, docs/cel.md) into @a.
 * Returns NULL and sets *err (in @a, or static) on bad syntax or when the
 * program would exceed @max_insts instructions.
 */
cel_regex *cel_regex_compile(cel_arena *a, const char *pat, size_t n, size_t max_insts, const char **err);
/* cel_regex_size - the number of instructions of @re. */
size_t cel_regex_size(const cel_regex *re);
/* cel_regex_search - 1 if @re matches anywhere in [s, s+n) (UTF-8), 0 if not, -1 out of memory. Linear time. */
int cel_regex_search(const cel_regex *re, const char *s, size_t n);

/* ---------------------------------------------------------------- AST */

typedef enum cel_node_kind {
    N_LIT,      /* lit */
    N_IDENT,    /* name: a bound variable, resolved at evaluation */
    N_ITERVAR,  /* slot: a comprehension variable */
    N_SELECT,   /* a.name ; test_only for has() */
    N_INDEX,    /* a[b] */
    N_CALL,     /* fn(args) or target.fn(args) */
    N_LIST,
    N_MAP,
    N_COND,     /* a ? b : c */
    N_AND,
    N_OR,
    N_NOT,
    N_NEG,
    N_BINOP,    /* op */
    N_MACRO     /* all, exists, exists_one, map, filter */
} cel_node_kind;

typedef enum cel_binop {
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD,
    OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN
} cel_binop;

typedef enum cel_macro {
    M_ALL, M_EXISTS, M_EXISTS_ONE, M_MAP, M_FILTER,
    M_TRANSFORM_LIST, M_TRANSFORM_MAP  /* two-variable forms (cel-go's comprehensions extension) */
} cel_macro;

struct cel_builtin;
struct cel_ext_function;

typedef struct cel_node cel_node;
struct cel_node {
    cel_node_kind kind;
    int line, col;        /* 1-based position of the node's token */
    int depth;            /* height of the subtree */
    cel_value lit;        /* N_LIT */
    const char *name;     /* N_IDENT, N_SELECT field, N_CALL function */
    size_t name_len;
    int test_only;        /* N_SELECT from has() */
    int slot;             /* N_ITERVAR, N_MACRO */
    cel_binop op;         /* N_BINOP */
    cel_macro macro;      /* N_MACRO */
    const char *name2;    /* N_MACRO: second iteration variable (index or value), or NULL */
    size_t name2_len;
    int has_target;       /* N_CALL: receiver style; args[0] is the receiver */
    const struct cel_builtin *builtin;     /* N_CALL resolved to a built-in */
    const struct cel_ext_function *ext;    /* N_CALL resolved to a registered function */
    const cel_regex *regex;                /* N_CALL matches() with a constant pattern */
    cel_node **args;      /* children: operands, args, list items, map k,v pairs */
    size_t nargs;
    /* N_MACRO: args[0] range, args[1] predicate/transform, args[2] transform for 3-arg map.
     * The first variable lives in slot, the second (if any) in slot + 1. */
};

/* ---------------------------------------------------------------- eval */

typedef struct cel_eval_ctx cel_eval_ctx;

/* A built-in function's body: @args[0] is the receiver for member calls. */
typedef cel_value (*cel_builtin_fn)(cel_eval_ctx *ctx, const cel_node *call, cel_value *args, size_t n);

enum { CEL_FN_GLOBAL = 1, CEL_FN_MEMBER = 2 };

typedef struct cel_builtin {
    const char *name;
    int style;           /* CEL_FN_GLOBAL | CEL_FN_MEMBER */
    unsigned min_args;   /* counting the receiver */
    unsigned max_args;
    cel_builtin_fn fn;
} cel_builtin;

/* IP/CIDR built-ins (cel_net.c). */
cel_value cel_fn_ip(cel_eval_ctx *ctx, const cel_node *call, cel_value *a, size_t n);
cel_value cel_fn_cidr(cel_eval_ctx *ctx, const cel_node *call, cel_value *a, size_t n);
cel_value cel_fn_is_ip(cel_eval_ctx *ctx, const cel_node *call, cel_value *a, size_t n);
cel_value cel_fn_is_cidr(cel_eval_ctx *ctx, const cel_node *call, cel_value *a, size_t n);
cel_value cel_fn_ip_is_canonical(cel_eval_ctx *ctx, const cel_node *call, cel_value *a, size_t n);
cel_value cel_fn_ip_method(cel_eval_ctx *ctx, const cel_node *call, cel_value *a, size_t n);

/* cel_builtin_find - the built-in called @name with @style, or NULL. */
const cel_builtin *cel_builtin_find(const char *name, size_t n, int style);
/* cel_builtin_exists - 1 if any built-in has this name. */
int cel_builtin_exists(const char *name, size_t n);
/* cel_type_ident - the type name a bare identifier denotes ("int"), or NULL. */
const char *cel_type_ident(const char *name, size_t n);

typedef struct cel_ext_function {
    char *name;
    unsigned min_args, max_args;
    cel_ext_fn fn;
    cel_ext_free_fn free_result;
    void *ud;
} cel_ext_function;

struct cel_eval_ctx {
    cel_arena arena;
    jmp_buf jb;
    const char *fatal;          /* set before longjmp: the message */
    cJSON *pending_json;        /* freed if a limit jumps out of an extension call */
    char *pending_text;
    const cel_ext_function *pending_ext;
    const cel_vars *vars;
    cel_limits limits;
    uint64_t steps;
    int depth;
    cel_value *slots;           /* comprehension variables */
    size_t nslots;
};

/* cel_eval_fatal - stop the evaluation with @msg (static); does not return. */
_Noreturn void cel_eval_fatal(cel_eval_ctx *ctx, const char *msg);
/* cel_eval_node - evaluate @n. */
cel_value cel_eval_node(cel_eval_ctx *ctx, const cel_node *n);
/* cel_check_string_size / list size against the limits; fatal when over. */
void cel_check_string_size(cel_eval_ctx *ctx, size_t n);
void cel_check_list_size(cel_eval_ctx *ctx, size_t n);
/* cel_no_overload - the "no such overload" error for a call. */
cel_value cel_no_overload(cel_eval_ctx *ctx, const char *fn, const cel_value *args, size_t n);
/* cel_call_ext - call a registered function. */
cel_value cel_call_ext(cel_eval_ctx *ctx, const cel_ext_function *f, cel_value *args, size_t n);
/* cel_vars_lookup - the bound value of @name, or NULL. */
const cel_value *cel_vars_lookup(const cel_vars *vars, const char *name, size_t n);
/* cel_vars_set_value - bind @name to @v (copied into the vars arena). Tests use it for typed values. */
int cel_vars_set_value(cel_vars *vars, const char *name, const cel_value *v);
/* cel_value_copy - deep copy of @v into @a. */
cel_value cel_value_copy(cel_arena *a, const cel_value *v);
/* cel_result_value - the value inside a result (tests). */
const cel_value *cel_result_value(const cel_result *r);

/* Parser: build the AST of @expr into @a; NULL with *err ("L:C: msg") on failure. */
typedef struct cel_parse_opts {
    int max_depth;
    size_t max_len;
} cel_parse_opts;
cel_node *cel_parse(cel_arena *a, const char *expr, const cel_parse_opts *o, char *err, size_t errlen);

#endif
