/* core/policy/lint.c - shape and reference checks of `policy lint` (see lint.h). */
#include "config.h"

#include "lint.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel/cel_internal.h"
#include "util.h"

typedef struct shape_path {
    char *path; /* dotted, without [] */
    int open;   /* an object, map or array: deeper paths are allowed */
} shape_path;

typedef struct shape_type {
    char *type;
    char *doc; /* the page it came from */
    shape_path *paths;
    size_t n;
} shape_type;

struct pe_shapes {
    shape_type *types;
    size_t n;
};

void pe_shapes_free(pe_shapes *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        for (size_t k = 0; k < s->types[i].n; k++)
            free(s->types[i].paths[k].path);
        free(s->types[i].paths);
        free(s->types[i].type);
        free(s->types[i].doc);
    }
    free(s->types);
    free(s);
}

size_t pe_shapes_types(const pe_shapes *s)
{
    return s ? s->n : 0;
}

static const shape_type *find_shape(const pe_shapes *s, const char *type)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (!strcmp(s->types[i].type, type))
            return &s->types[i];
    return NULL;
}

/* Drop every "[]" from @p in place. */
static void strip_brackets(char *p)
{
    char *w = p;
    for (char *r = p; *r; r++) {
        if (r[0] == '[' && r[1] == ']') {
            r++;
            continue;
        }
        *w++ = *r;
    }
    *w = '\0';
}

static void add_path(shape_type *t, const char *path, int open)
{
    for (size_t i = 0; i < t->n; i++) {
        if (!strcmp(t->paths[i].path, path)) {
            t->paths[i].open |= open;
            return;
        }
    }
    t->paths = xrealloc(t->paths, (t->n + 1) * sizeof *t->paths);
    t->paths[t->n].path = xstrdup(path);
    t->paths[t->n].open = open;
    t->n++;
}

/* One table row "| `a.b` / `.c` | type | ..." of type @t. */
static void parse_row(shape_type *t, const char *line)
{
    const char *c1 = strchr(line, '|');
    const char *c2 = c1 ? strchr(c1 + 1, '|') : NULL;
    const char *c3 = c2 ? strchr(c2 + 1, '|') : NULL;
    if (!c2 || !c3)
        return;
    char type[200];
    size_t tl = (size_t)(c3 - c2 - 1) < sizeof type - 1 ? (size_t)(c3 - c2 - 1) : sizeof type - 1;
    memcpy(type, c2 + 1, tl);
    type[tl] = '\0';
    for (char *p = type; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    int open = strstr(type, "object") || strstr(type, "map") || strstr(type, "array") || strstr(type, "any") ||
               strstr(type, "json");
    char prev[1024] = "";
    const char *p = c1 + 1;
    while (p < c2) {
        const char *a = memchr(p, '`', (size_t)(c2 - p));
        if (!a)
            break;
        const char *b = memchr(a + 1, '`', (size_t)(c2 - a - 1));
        if (!b)
            break;
        char tok[512];
        size_t n = (size_t)(b - a - 1);
        if (n > 0 && n < sizeof tok - 1) {
            memcpy(tok, a + 1, n);
            tok[n] = '\0';
            char full[2048];
            if (tok[0] == '.' && prev[0]) {
                /* ".toPort" after "ipPermissions[].fromPort": a sibling */
                char parent[1024];
                snprintf(parent, sizeof parent, "%s", prev);
                char *dot = strrchr(parent, '.');
                if (dot)
                    *dot = '\0';
                else
                    parent[0] = '\0';
                snprintf(full, sizeof full, "%s%s", parent, parent[0] ? tok : tok + 1);
            } else {
                snprintf(full, sizeof full, "%s", tok);
            }
            if (strlen(full) < sizeof prev)
                memcpy(prev, full, strlen(full) + 1);
            strip_brackets(full);
            /* the member's own path is open when its type is; its parents are objects */
            add_path(t, full, open);
            for (char *d = strrchr(full, '.'); d; d = strrchr(full, '.')) {
                *d = '\0';
                add_path(t, full, 0);
            }
        }
        p = b + 1;
    }
}

static void parse_page(pe_shapes *s, const char *path, const char *page)
{
    shape_type *cur = NULL;
    const char *line = page;
    while (line && *line) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        char buf[4096];
        size_t l = len < sizeof buf - 1 ? len : sizeof buf - 1;
        memcpy(buf, line, l);
        buf[l] = '\0';
        if (!strncmp(buf, "## ", 3)) {
            cur = NULL;
            char *a = strchr(buf, '`');
            char *b = a ? strchr(a + 1, '`') : NULL;
            if (a && b && b > a + 1) {
                *b = '\0';
                s->types = xrealloc(s->types, (s->n + 1) * sizeof *s->types);
                cur = &s->types[s->n++];
                memset(cur, 0, sizeof *cur);
                cur->type = xstrdup(a + 1);
                cur->doc = xstrdup(path);
            }
        } else if (cur && !strncmp(buf, "| `", 3)) {
            parse_row(cur, buf);
        }
        line = eol ? eol + 1 : NULL;
    }
}

pe_shapes *pe_shapes_load(const char *docs_dir, char *err, size_t errlen)
{
    DIR *d = opendir(docs_dir);
    if (!d) {
        snprintf(err, errlen, "%s: cannot open the resource docs: %s", docs_dir, strerror(errno));
        return NULL;
    }
    pe_shapes *s = xcalloc(1, sizeof *s);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l < 4 || strcmp(de->d_name + l - 3, ".md") || de->d_name[0] == '.')
            continue;
        sbuf path = {0};
        sbuf_printf(&path, "%s/%s", docs_dir, de->d_name);
        FILE *f = fopen(path.data, "rb");
        if (f) {
            sbuf text = {0};
            char chunk[65536];
            size_t got;
            while ((got = fread(chunk, 1, sizeof chunk, f)) > 0 && text.len < 8 * 1024 * 1024)
                sbuf_append(&text, chunk, got);
            fclose(f);
            if (text.data)
                parse_page(s, path.data, text.data);
            sbuf_free(&text);
        }
        sbuf_free(&path);
    }
    closedir(d);
    if (!s->n) {
        snprintf(err, errlen, "%s: no resource type is documented there (no \"## `type`\" sections)", docs_dir);
        pe_shapes_free(s);
        return NULL;
    }
    return s;
}

/* ------------------------------------------------------------ paths in expressions */

typedef struct scope_var {
    const char *name;
    size_t len;
    char *path; /* "resource.data.x" or NULL when not a data path */
} scope_var;

typedef struct walker {
    scope_var vars[CEL_MAX_PARSE_DEPTH * 2];
    size_t nvars;
    char **out;
    size_t nout;
} walker;

/* The dotted path @n denotes ("resource.data.a.b"), or NULL. Malloc'd. */
static char *path_of(walker *w, const cel_node *n)
{
    switch (n->kind) {
    case N_IDENT: {
        for (size_t i = w->nvars; i-- > 0;)
            if (w->vars[i].len == n->name_len && !memcmp(w->vars[i].name, n->name, n->name_len))
                return w->vars[i].path ? xstrdup(w->vars[i].path) : NULL;
        if (n->name_len == 8 && !memcmp(n->name, "resource", 8))
            return xstrdup("resource");
        return NULL;
    }
    case N_SELECT: {
        char *base = path_of(w, n->args[0]);
        if (!base)
            return NULL;
        sbuf b = {0};
        sbuf_printf(&b, "%s.%.*s", base, (int)n->name_len, n->name);
        free(base);
        return sbuf_steal(&b);
    }
    case N_INDEX: {
        char *base = path_of(w, n->args[0]);
        if (!base)
            return NULL;
        const cel_node *k = n->args[1];
        if (k->kind == N_LIT && k->lit.kind == CEL_STRING) {
            sbuf b = {0};
            sbuf_printf(&b, "%s.%s", base, k->lit.v.s.p);
            free(base);
            return sbuf_steal(&b);
        }
        return base; /* an element: same path */
    }
    case N_COND: { /* c ? resource.data.a : [] -> the path of the branch that has one */
        char *p = path_of(w, n->args[1]);
        return p ? p : path_of(w, n->args[2]);
    }
    case N_BINOP: /* spec.containers + spec.initContainers: lists of one shape, named by the first */
        if (n->op == OP_ADD) {
            char *p = path_of(w, n->args[0]);
            return p ? p : path_of(w, n->args[1]);
        }
        return NULL;
    default:
        return NULL;
    }
}

static void note_path(walker *w, const cel_node *n)
{
    char *p = path_of(w, n);
    if (p && !strncmp(p, "resource.data.", 14)) {
        w->out = xrealloc(w->out, (w->nout + 1) * sizeof *w->out);
        w->out[w->nout++] = xstrdup(p + 14);
    }
    free(p);
}

static void walk(walker *w, const cel_node *n)
{
    if (!n)
        return;
    if (n->kind == N_SELECT || n->kind == N_INDEX)
        note_path(w, n);
    if (n->kind == N_MACRO && n->nargs > 0) {
        walk(w, n->args[0]);
        char *range = path_of(w, n->args[0]);
        size_t saved = w->nvars;
        if (w->nvars + 2 <= sizeof w->vars / sizeof w->vars[0]) {
            /* one variable: the element; two: index/key then value */
            w->vars[w->nvars++] = (scope_var){n->name, n->name_len, n->name2 ? NULL : range};
            if (n->name2)
                w->vars[w->nvars++] = (scope_var){n->name2, n->name2_len, range};
        }
        for (size_t i = 1; i < n->nargs; i++)
            walk(w, n->args[i]);
        w->nvars = saved;
        free(range);
        return;
    }
    for (size_t i = 0; i < n->nargs; i++)
        walk(w, n->args[i]);
}

size_t pe_data_paths(const char *expr, char ***out)
{
    *out = NULL;
    cel_arena a;
    cel_arena_init(&a, 0);
    char err[256];
    cel_parse_opts o = {CEL_MAX_PARSE_DEPTH, CEL_MAX_EXPR_LEN};
    cel_node *root = cel_parse(&a, expr, &o, err, sizeof err);
    if (!root) {
        cel_arena_free(&a);
        return (size_t)-1;
    }
    walker *w = xcalloc(1, sizeof *w);
    walk(w, root);
    for (size_t i = 0; i < w->nout; i++)
        strip_brackets(w->out[i]);
    *out = w->out;
    size_t n = w->nout;
    free(w);
    cel_arena_free(&a);
    return n;
}

/* ------------------------------------------------------------ rule checks */

static int path_documented(const shape_type *t, const char *p)
{
    size_t pl = strlen(p);
    for (size_t i = 0; i < t->n; i++) {
        const char *d = t->paths[i].path;
        size_t dl = strlen(d);
        if (dl == pl && !memcmp(d, p, pl))
            return 1;
        if (dl > pl && !memcmp(d, p, pl) && d[pl] == '.')
            return 1; /* an object on the way to a documented member */
        if (t->paths[i].open && pl > dl && !memcmp(d, p, dl) && p[dl] == '.')
            return 1; /* inside an object the table describes in prose */
    }
    return 0;
}

static size_t lint_expr(const shape_type *t, const pe_rule *r, const char *member, const char *expr,
                        pe_lint_report report, void *ud)
{
    char **paths = NULL;
    size_t n = pe_data_paths(expr, &paths), bad = 0;
    if (n == (size_t)-1)
        return 0; /* the loader already reported it */
    /* shortest first, so only the first undocumented step of a chain is reported */
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && strlen(paths[k - 1]) > strlen(paths[k]); k--) {
            char *x = paths[k];
            paths[k] = paths[k - 1];
            paths[k - 1] = x;
        }
    char **reported = xcalloc(n + 1, sizeof *reported);
    for (size_t i = 0; i < n; i++) {
        int skip = 0;
        for (size_t k = 0; k < i; k++)
            skip |= !strcmp(paths[k], paths[i]);
        for (size_t k = 0; k < bad; k++) {
            size_t l = strlen(reported[k]);
            skip |= !strncmp(paths[i], reported[k], l) && paths[i][l] == '.';
        }
        if (!skip && !path_documented(t, paths[i])) {
            reported[bad] = paths[i];
            char msg[1200];
            snprintf(msg, sizeof msg,
                     "%s: rule '%s': %s: resource.data.%.300s is not in the documented shape of %s (%s)", r->origin,
                     r->id, member, paths[i], t->type, t->doc);
            report(ud, msg);
            bad++;
        }
    }
    free(reported);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    return bad;
}

static size_t lint_template(const shape_type *t, const pe_rule *r, const char *member, const pe_template *tpl,
                            pe_lint_report report, void *ud)
{
    size_t bad = 0;
    for (size_t i = 0; i < pe_template_expr_count(tpl); i++)
        bad += lint_expr(t, r, member, pe_template_expr_source(tpl, i), report, ud);
    return bad;
}

size_t pe_lint_rule_paths(const pe_shapes *s, const pe_rule *r, pe_lint_report report, void *ud)
{
    const shape_type *t = find_shape(s, r->resource_type);
    if (!t) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s: rule '%s': resource_type: '%s' is not documented in docs/resources/", r->origin,
                 r->id, r->resource_type);
        report(ud, msg);
        return 1;
    }
    size_t bad = 0;
    if (r->applies_src)
        bad += lint_expr(t, r, "applies", r->applies_src, report, ud);
    bad += lint_expr(t, r, "violation", r->violation_src, report, ud);
    for (size_t i = 0; i < r->n_evidence; i++) {
        char member[200];
        snprintf(member, sizeof member, "evidence.%s", r->evidence_names[i]);
        bad += lint_expr(t, r, member, r->evidence_src[i], report, ud);
    }
    bad += lint_template(t, r, "message", r->message, report, ud);
    bad += lint_template(t, r, "remediation.cli", r->remediation_cli, report, ud);
    bad += lint_template(t, r, "remediation.terraform", r->remediation_terraform, report, ud);
    bad += lint_template(t, r, "remediation.cloudformation", r->remediation_cloudformation, report, ud);
    return bad;
}

size_t pe_lint_frameworks(const framework *fws, size_t n_fws, const pe_rule *const *rules, size_t n_rules,
                          pe_lint_report report, void *ud)
{
    size_t bad = 0;
    for (size_t f = 0; f < n_fws; f++) {
        for (size_t q = 0; q < fws[f].n_reqs; q++) {
            const fw_requirement *req = &fws[f].reqs[q];
            for (size_t k = 0; k < req->n_rules; k++) {
                size_t i;
                for (i = 0; i < n_rules && strcmp(rules[i]->id, req->rules[k]); i++)
                    ;
                if (i == n_rules) {
                    char msg[600];
                    snprintf(msg, sizeof msg, "framework '%s': requirement '%s': unknown rule '%s'", fws[f].id, req->id,
                             req->rules[k]);
                    report(ud, msg);
                    bad++;
                }
            }
        }
    }
    return bad;
}
