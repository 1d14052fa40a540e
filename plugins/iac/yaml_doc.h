/*
 * plugins/iac/yaml_doc.h - YAML (and JSON, which YAML reads) into a small
 * node tree that remembers where every node is.
 *
 * libyaml's event parser does the lexing; this file builds the tree, keeps
 * tags (CloudFormation's "!Ref" and friends), and enforces the limits that
 * make hostile input harmless: file size, nesting depth, scalar length,
 * alias expansion ("billion laughs"), duplicate keys. Every error names
 * FILE:LINE:COLUMN.
 */
#ifndef PP_IAC_YAML_DOC_H
#define PP_IAC_YAML_DOC_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

typedef enum yd_kind { YD_SCALAR, YD_SEQ, YD_MAP } yd_kind;

/*
 * yd_node - one node. A mapping keeps its entries as items[2*i] (key) and
 * items[2*i+1] (value); a sequence keeps n items An alias is
 * (n counts keys and values, so a mapping of 3 entries has n == 6). An
 * alias is not a node of its own: the parent points at the anchored node, so one
 * node may have several parents (the tree is a DAG; never a cycle).
 */
typedef struct yd_node {
    yd_kind kind;
    uint32_t line, col; /* 1-based position of the node's first character */
    uint32_t end_line;  /* 1-based line where the node ends */
    char *tag;          /* explicit tag as written ("!Ref", "tag:yaml.org,2002:str"), or NULL */
    char *value;        /* scalar text (NUL-terminated), NULL for collections */
    size_t len;         /* scalar length in bytes */
    int plain;          /* scalar written without quotes (its type is resolved) */
    struct yd_node **items;
    size_t n;
    size_t cap;
    uint64_t weight; /* nodes in the fully expanded subtree */
    int open;        /* still being parsed (an alias to it would be a cycle) */
} yd_node;

/* Limits; yd_default_limits() gives the documented defaults. */
typedef struct yd_limits {
    size_t max_bytes;    /* input size (default 32 MiB) */
    size_t max_scalar;   /* one scalar (default 1 MiB) */
    uint32_t max_depth;  /* nesting (default 64) */
    uint64_t max_weight; /* expanded nodes of one document, aliases counted in full (default 1,000,000) */
    size_t max_docs;     /* documents in one stream (default 10,000) */
} yd_limits;

/* yd_stream - every document of one file. Owns all nodes. */
typedef struct yd_stream {
    yd_node **docs; /* root of each document (NULL for an empty document) */
    size_t n_docs;
    yd_node **all; /* every node, for freeing */
    size_t n_all, cap_all;
} yd_stream;

/* yd_default_limits - the default limits above. */
yd_limits yd_default_limits(void);

/*
 * yd_parse - parse @len bytes at @buf (need not be NUL-terminated) named
 * @name in messages. On success returns 0 and sets *@out (release with
 * yd_free). On failure returns -1 and writes "NAME:LINE:COL: what" into
 * @err; nothing is allocated. Never reads outside @buf.
 */
int yd_parse(const char *buf, size_t len, const char *name, const yd_limits *lim, yd_stream **out, char *err,
             size_t errlen);

/* yd_free - release @s and every node (NULL is fine). */
void yd_free(yd_stream *s);

/* yd_get - the value of key @key in mapping @map, or NULL (also when @map is not a mapping). */
const yd_node *yd_get(const yd_node *map, const char *key);

/* yd_get_key - like yd_get but returns the key node (for its position). */
const yd_node *yd_get_key(const yd_node *map, const char *key);

/* yd_is_str - nonzero when @n is a scalar equal to @s. */
int yd_is_str(const yd_node *n, const char *s);

/*
 * yd_scalar_json - the JSON value of scalar @n: quoted or explicitly
 * tagged !!str -> string; plain true/false (any case) -> bool; null, ~ or
 * empty -> null; integers and decimals -> numbers; anything else -> string.
 * Returns a new cJSON item (caller owns) or NULL when out of memory.
 */
cJSON *yd_scalar_json(const yd_node *n);

/*
 * yd_to_json - the whole subtree as JSON (tags other than the core ones
 * are ignored: the value is kept). Mapping keys become strings. Returns a
 * new item or NULL when out of memory.
 */
cJSON *yd_to_json(const yd_node *n);

#endif
