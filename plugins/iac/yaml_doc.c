/*
 * plugins/iac/yaml_doc.c - libyaml events into a positioned node tree,
 * with limits (see yaml_doc.h).
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "yaml_doc.h"

yd_limits yd_default_limits(void)
{
    yd_limits l;
    l.max_bytes = (size_t)32 << 20;
    l.max_scalar = (size_t)1 << 20;
    l.max_depth = 64;
    l.max_weight = 1000000;
    l.max_docs = 10000;
    return l;
}

/* One anchor of the current document. */
typedef struct anchor {
    char *name;
    yd_node *node;
} anchor;

typedef struct builder {
    yd_stream *s;
    const yd_limits *lim;
    const char *name;
    char *err;
    size_t errlen;
    yd_node **stack; /* open collections */
    uint32_t depth;
    anchor *anchors;
    size_t n_anchors, cap_anchors;
    uint64_t doc_weight;
    yd_node *doc_root;
} builder;

static void fail_at(builder *b, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail_at(builder *b, uint32_t line, uint32_t col, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    (void)snprintf(b->err, b->errlen, "%s:%u:%u: %s", b->name, line, col, what);
}

static int track(builder *b, yd_node *n)
{
    yd_stream *s = b->s;
    if (s->n_all == s->cap_all) {
        size_t nc = s->cap_all ? s->cap_all * 2 : 64;
        yd_node **na = realloc(s->all, nc * sizeof *na);
        if (!na)
            return -1;
        s->all = na;
        s->cap_all = nc;
    }
    s->all[s->n_all++] = n;
    return 0;
}

static yd_node *new_node(builder *b, yd_kind kind, const yaml_mark_t *m, const yaml_char_t *tag)
{
    yd_node *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->kind = kind;
    n->line = (uint32_t)m->line + 1;
    n->col = (uint32_t)m->column + 1;
    n->end_line = n->line;
    n->weight = 1;
    if (tag && !(n->tag = strdup((const char *)tag))) {
        free(n);
        return NULL;
    }
    if (track(b, n) != 0) {
        free(n->tag);
        free(n);
        return NULL;
    }
    return n;
}

static int push_item(yd_node *parent, yd_node *child)
{
    if (parent->n == parent->cap) {
        size_t nc = parent->cap ? parent->cap * 2 : 8;
        yd_node **na = realloc(parent->items, nc * sizeof *na);
        if (!na)
            return -1;
        parent->items = na;
        parent->cap = nc;
    }
    parent->items[parent->n++] = child;
    return 0;
}

/* Attach @child (new, or an aliased node) to the open collection, or make it the root. */
static int attach(builder *b, yd_node *child, const yaml_mark_t *m)
{
    b->doc_weight += child->weight;
    if (b->doc_weight > b->lim->max_weight) {
        fail_at(b, (uint32_t)m->line + 1, (uint32_t)m->column + 1,
                "document expands to more than %llu nodes (alias expansion or size limit)",
                (unsigned long long)b->lim->max_weight);
        return -1;
    }
    if (b->depth == 0) {
        b->doc_root = child;
        return 0;
    }
    yd_node *p = b->stack[b->depth - 1];
    p->weight += child->weight;
    if (push_item(p, child) != 0) {
        fail_at(b, (uint32_t)m->line + 1, (uint32_t)m->column + 1, "out of memory");
        return -1;
    }
    return 0;
}

static int add_anchor(builder *b, const yaml_char_t *name, yd_node *n)
{
    if (!name)
        return 0;
    if (b->n_anchors == b->cap_anchors) {
        size_t nc = b->cap_anchors ? b->cap_anchors * 2 : 16;
        anchor *na = realloc(b->anchors, nc * sizeof *na);
        if (!na)
            return -1;
        b->anchors = na;
        b->cap_anchors = nc;
    }
    char *copy = strdup((const char *)name);
    if (!copy)
        return -1;
    b->anchors[b->n_anchors].name = copy;
    b->anchors[b->n_anchors].node = n;
    b->n_anchors++;
    return 0;
}

/* The most recent anchor of that name (YAML lets an anchor be redefined). */
static yd_node *find_anchor(builder *b, const yaml_char_t *name)
{
    for (size_t i = b->n_anchors; i-- > 0;)
        if (!strcmp(b->anchors[i].name, (const char *)name))
            return b->anchors[i].node;
    return NULL;
}

static void clear_anchors(builder *b)
{
    for (size_t i = 0; i < b->n_anchors; i++)
        free(b->anchors[i].name);
    b->n_anchors = 0;
}

static int key_cmp(const void *a, const void *b)
{
    const yd_node *x = *(const yd_node *const *)a, *y = *(const yd_node *const *)b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    int c = memcmp(x->value, y->value, x->len);
    if (c)
        return c;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Refuse a mapping with two equal scalar keys (CloudFormation and kubectl do too). */
static int check_duplicates(builder *b, const yd_node *map)
{
    if (map->n < 4) /* n counts keys and values: fewer than two entries */
        return 0;
    size_t nk = map->n / 2, k = 0;
    const yd_node **keys = malloc(nk * sizeof *keys);
    if (!keys) {
        fail_at(b, map->line, map->col, "out of memory");
        return -1;
    }
    for (size_t i = 0; i + 1 < map->n; i += 2)
        if (map->items[i]->kind == YD_SCALAR)
            keys[k++] = map->items[i];
    qsort(keys, k, sizeof *keys, key_cmp);
    int rc = 0;
    for (size_t i = 1; i < k; i++)
        if (keys[i]->len == keys[i - 1]->len && !memcmp(keys[i]->value, keys[i - 1]->value, keys[i]->len)) {
            fail_at(b, keys[i]->line, keys[i]->col, "duplicate key '%.80s' (first at line %u)", keys[i]->value,
                    keys[i - 1]->line);
            rc = -1;
            break;
        }
    free(keys);
    return rc;
}

/* Line and column (1-based, in bytes) of byte @off in @buf. */
static uint32_t line_of(const char *buf, size_t len, size_t off, uint32_t *col)
{
    uint32_t line = 1;
    size_t start = 0;
    for (size_t i = 0; i < off && i < len; i++)
        if (buf[i] == '\n') {
            line++;
            start = i + 1;
        }
    *col = (uint32_t)(off - start) + 1;
    return line;
}

static void parser_error(builder *b, const yaml_parser_t *p, const char *buf, size_t len)
{
    const char *problem = p->problem ? p->problem : "syntax error";
    if (p->error == YAML_READER_ERROR) {
        uint32_t col, line = line_of(buf, len, p->problem_offset, &col);
        fail_at(b, line, col, "%s (byte offset %zu%s)", problem, p->problem_offset,
                strstr(problem, "UTF") || strstr(problem, "octet") ? ", the file is not valid UTF-8" : "");
        return;
    }
    size_t at = p->problem_mark.index;
    const char *hint = at < len && buf[at] == '\t' ? " (a tab: YAML indents with spaces only)" : "";
    if (p->context)
        fail_at(b, (uint32_t)p->problem_mark.line + 1, (uint32_t)p->problem_mark.column + 1, "%s %s%s", p->context,
                problem, hint);
    else
        fail_at(b, (uint32_t)p->problem_mark.line + 1, (uint32_t)p->problem_mark.column + 1, "%s%s", problem, hint);
}

static int on_event(builder *b, yaml_event_t *ev)
{
    const yaml_mark_t *m = &ev->start_mark;
    yd_node *n;
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (b->s->n_docs >= b->lim->max_docs) {
            fail_at(b, (uint32_t)m->line + 1, 1, "more than %zu documents", b->lim->max_docs);
            return -1;
        }
        b->doc_weight = 0;
        b->doc_root = NULL;
        clear_anchors(b);
        return 0;
    case YAML_DOCUMENT_END_EVENT: {
        yd_node **nd = realloc(b->s->docs, (b->s->n_docs + 1) * sizeof *nd);
        if (!nd) {
            fail_at(b, (uint32_t)m->line + 1, 1, "out of memory");
            return -1;
        }
        b->s->docs = nd;
        nd[b->s->n_docs++] = b->doc_root;
        return 0;
    }
    case YAML_SCALAR_EVENT:
        if (ev->data.scalar.length > b->lim->max_scalar) {
            fail_at(b, (uint32_t)m->line + 1, (uint32_t)m->column + 1, "scalar of %zu bytes is longer than %zu",
                    ev->data.scalar.length, b->lim->max_scalar);
            return -1;
        }
        n = new_node(b, YD_SCALAR, m, ev->data.scalar.tag);
        if (!n || !(n->value = malloc(ev->data.scalar.length + 1))) {
            fail_at(b, (uint32_t)m->line + 1, (uint32_t)m->column + 1, "out of memory");
            return -1;
        }
        memcpy(n->value, ev->data.scalar.value, ev->data.scalar.length);
        n->value[ev->data.scalar.length] = '\0';
        n->len = ev->data.scalar.length;
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        n->end_line = (uint32_t)ev->end_mark.line + 1;
        if (add_anchor(b, ev->data.scalar.anchor, n) != 0) {
            fail_at(b, n->line, n->col, "out of memory");
            return -1;
        }
        return attach(b, n, m);
    case YAML_ALIAS_EVENT:
        n = find_anchor(b, ev->data.alias.anchor);
        if (!n) {
            fail_at(b, (uint32_t)m->line + 1, (uint32_t)m->column + 1, "alias *%.80s names no anchor",
                    (const char *)ev->data.alias.anchor);
            return -1;
        }
        if (n->open) {
            fail_at(b, (uint32_t)m->line + 1, (uint32_t)m->column + 1, "alias *%.80s refers to its own ancestor",
                    (const char *)ev->data.alias.anchor);
            return -1;
        }
        return attach(b, n, m);
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        int is_map = ev->type == YAML_MAPPING_START_EVENT;
        if (b->depth >= b->lim->max_depth) {
            fail_at(b, (uint32_t)m->line + 1, (uint32_t)m->column + 1, "nesting deeper than %u levels",
                    b->lim->max_depth);
            return -1;
        }
        n = new_node(b, is_map ? YD_MAP : YD_SEQ, m, is_map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag);
        if (!n || add_anchor(b, is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor, n) != 0) {
            fail_at(b, (uint32_t)m->line + 1, (uint32_t)m->column + 1, "out of memory");
            return -1;
        }
        n->open = 1;
        n->weight = 0; /* attach() counts the node itself once it closes */
        b->stack[b->depth++] = n;
        return 0;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
        n = b->stack[--b->depth];
        n->open = 0;
        /* A block collection's end event is marked at the next token, maybe
         * lines below: the node ends where its last item ends. */
        n->end_line = n->n ? n->items[n->n - 1]->end_line : (uint32_t)ev->end_mark.line + 1;
        if (n->kind == YD_MAP && check_duplicates(b, n) != 0)
            return -1;
        uint64_t children = n->weight;
        n->weight = 1;
        b->doc_weight -= children; /* children were counted as they arrived; count the whole once */
        n->weight += children;
        return attach(b, n, m);
    }
    default:
        return 0;
    }
}

int yd_parse(const char *buf, size_t len, const char *name, const yd_limits *lim, yd_stream **out, char *err,
             size_t errlen)
{
    yd_limits def = yd_default_limits();
    builder b;
    memset(&b, 0, sizeof b);
    b.lim = lim ? lim : &def;
    b.name = name ? name : "<input>";
    b.err = err;
    b.errlen = errlen;
    *out = NULL;
    if (len > b.lim->max_bytes) {
        fail_at(&b, 1, 1, "file of %zu bytes is larger than the %zu-byte limit", len, b.lim->max_bytes);
        return -1;
    }
    if (!(b.s = calloc(1, sizeof *b.s)) || !(b.stack = calloc(b.lim->max_depth + 1, sizeof *b.stack))) {
        free(b.s);
        fail_at(&b, 1, 1, "out of memory");
        return -1;
    }
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        free(b.stack);
        free(b.s);
        fail_at(&b, 1, 1, "out of memory");
        return -1;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
    int rc = 0, done = 0;
    while (!done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            parser_error(&b, &p, buf, len);
            rc = -1;
            break;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        rc = on_event(&b, &ev);
        yaml_event_delete(&ev);
        if (rc != 0)
            break;
    }
    yaml_parser_delete(&p);
    clear_anchors(&b);
    free(b.anchors);
    free(b.stack);
    if (rc != 0) {
        yd_free(b.s);
        return -1;
    }
    *out = b.s;
    return 0;
}

void yd_free(yd_stream *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_all; i++) {
        free(s->all[i]->tag);
        free(s->all[i]->value);
        free(s->all[i]->items);
        free(s->all[i]);
    }
    free(s->all);
    free(s->docs);
    free(s);
}

int yd_is_str(const yd_node *n, const char *s)
{
    return n && n->kind == YD_SCALAR && n->len == strlen(s) && !memcmp(n->value, s, n->len);
}

const yd_node *yd_get_key(const yd_node *map, const char *key)
{
    if (!map || map->kind != YD_MAP)
        return NULL;
    for (size_t i = 0; i + 1 < map->n; i += 2)
        if (yd_is_str(map->items[i], key))
            return map->items[i];
    return NULL;
}

const yd_node *yd_get(const yd_node *map, const char *key)
{
    if (!map || map->kind != YD_MAP)
        return NULL;
    for (size_t i = 0; i + 1 < map->n; i += 2)
        if (yd_is_str(map->items[i], key))
            return map->items[i + 1];
    return NULL;
}

static int is_number(const char *s, int *is_int)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (!isdigit((unsigned char)*p))
        return 0;
    while (isdigit((unsigned char)*p))
        p++;
    *is_int = 1;
    if (*p == '.') {
        *is_int = 0;
        p++;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        *is_int = 0;
        p++;
        if (*p == '-' || *p == '+')
            p++;
        if (!isdigit((unsigned char)*p))
            return 0;
        while (isdigit((unsigned char)*p))
            p++;
    }
    return *p == '\0';
}

cJSON *yd_scalar_json(const yd_node *n)
{
    const char *v = n->value ? n->value : "";
    if (n->tag && !strcmp(n->tag, "tag:yaml.org,2002:str"))
        return cJSON_CreateString(v);
    if (!n->plain)
        return cJSON_CreateString(v);
    if (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE"))
        return cJSON_CreateTrue();
    if (!strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE"))
        return cJSON_CreateFalse();
    if (!*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL"))
        return cJSON_CreateNull();
    int is_int = 0;
    if (n->len < 32 && is_number(v, &is_int))
        return cJSON_CreateNumber(strtod(v, NULL));
    return cJSON_CreateString(v);
}

cJSON *yd_to_json(const yd_node *n)
{
    if (!n)
        return cJSON_CreateNull();
    if (n->kind == YD_SCALAR)
        return yd_scalar_json(n);
    cJSON *out = n->kind == YD_MAP ? cJSON_CreateObject() : cJSON_CreateArray();
    if (!out)
        return NULL;
    if (n->kind == YD_SEQ) {
        for (size_t i = 0; i < n->n; i++) {
            cJSON *c = yd_to_json(n->items[i]);
            if (!c || !cJSON_AddItemToArray(out, c)) {
                cJSON_Delete(c);
                cJSON_Delete(out);
                return NULL;
            }
        }
        return out;
    }
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const yd_node *k = n->items[i];
        cJSON *c = yd_to_json(n->items[i + 1]);
        const char *key = k->kind == YD_SCALAR && k->value ? k->value : "?";
        if (!c || !cJSON_AddItemToObject(out, key, c)) {
            cJSON_Delete(c);
            cJSON_Delete(out);
            return NULL;
        }
    }
    return out;
}
