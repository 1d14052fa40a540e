/* core/policy/template.c - {{EXPR}} message templates (see template.h). */
#include "config.h"

#include "template.h"

#include <stdlib.h>
#include <string.h>

#include "cel/cel_internal.h"
#include "util.h"

typedef struct segment {
    char *text;        /* literal text, or the expression's source */
    cel_program *prog; /* NULL for literal text */
} segment;

struct pe_template {
    segment *segs;
    size_t n;
    size_t n_exprs;
};

void pe_template_free(pe_template *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->segs[i].text);
        cel_program_free(t->segs[i].prog);
    }
    free(t->segs);
    free(t);
}

static void add_segment(pe_template *t, const char *p, size_t n, cel_program *prog)
{
    t->segs = xrealloc(t->segs, (t->n + 1) * sizeof *t->segs);
    char *s = xmalloc(n + 1);
    memcpy(s, p, n);
    s[n] = '\0';
    t->segs[t->n].text = s;
    t->segs[t->n].prog = prog;
    t->n++;
    if (prog)
        t->n_exprs++;
}

pe_template *pe_template_compile(const cel_env *env, const char *src, char *err, size_t errlen)
{
    if (!src)
        src = "";
    size_t len = strlen(src);
    if (len > PE_TEMPLATE_MAX_LEN) {
        snprintf(err, errlen, "template longer than %d bytes", PE_TEMPLATE_MAX_LEN);
        return NULL;
    }
    pe_template *t = xcalloc(1, sizeof *t);
    const char *p = src;
    while (*p) {
        const char *open = strstr(p, "{{");
        if (!open) {
            add_segment(t, p, strlen(p), NULL);
            break;
        }
        if (open > p)
            add_segment(t, p, (size_t)(open - p), NULL);
        const char *body = open + 2;
        const char *close = strstr(body, "}}");
        if (!close) {
            snprintf(err, errlen, "unterminated '{{' at offset %zu", (size_t)(open - src));
            pe_template_free(t);
            return NULL;
        }
        /* a map literal may end in "}}}": the expression takes all but the last two */
        while (close[2] == '}')
            close++;
        size_t n = (size_t)(close - body);
        char *expr = xmalloc(n + 1);
        memcpy(expr, body, n);
        expr[n] = '\0';
        size_t k = 0;
        while (expr[k] == ' ' || expr[k] == '\t')
            k++;
        if (!expr[k]) {
            snprintf(err, errlen, "empty '{{}}' at offset %zu", (size_t)(open - src));
            free(expr);
            pe_template_free(t);
            return NULL;
        }
        cel_compile_error ce;
        cel_program *prog = cel_compile(env, expr, &ce);
        if (!prog) {
            snprintf(err, errlen, "{{%.60s%s}}: %s", expr, n > 60 ? "..." : "", ce.text);
            free(expr);
            pe_template_free(t);
            return NULL;
        }
        add_segment(t, expr, n, prog);
        free(expr);
        p = close + 2;
    }
    return t;
}

int pe_template_has_exprs(const pe_template *t)
{
    return t && t->n_exprs > 0;
}

size_t pe_template_expr_count(const pe_template *t)
{
    return t ? t->n_exprs : 0;
}

const char *pe_template_expr_source(const pe_template *t, size_t i)
{
    for (size_t k = 0; t && k < t->n; k++)
        if (t->segs[k].prog && i-- == 0)
            return t->segs[k].text;
    return NULL;
}

/* Cut @s (NUL-terminated, @n bytes) to at most @max bytes on a UTF-8
 * boundary, ending in "...". */
static void cut_utf8(char *s, size_t n, size_t max)
{
    if (n <= max)
        return;
    size_t end = max - 3;
    while (end > 0 && ((unsigned char)s[end] & 0xC0) == 0x80)
        end--;
    memcpy(s + end, "...", 4);
}

char *pe_template_render(const pe_template *t, const cel_vars *vars, const cel_limits *limits, cel_evaluator *ev)
{
    sbuf out = {0};
    for (size_t i = 0; t && i < t->n && out.len <= PE_TEMPLATE_MAX_OUT; i++) {
        const segment *s = &t->segs[i];
        if (!s->prog) {
            sbuf_puts(&out, s->text);
            continue;
        }
        cel_result *own = ev ? NULL : cel_eval(s->prog, vars, limits);
        const cel_result *r = ev ? cel_evaluator_run(ev, s->prog, vars, limits) : own;
        const char *e = r ? cel_result_error(r) : "out of memory";
        if (e) {
            sbuf_printf(&out, "<error: %s>", e);
        } else if (!strcmp(cel_result_type(r), "string")) {
            const cel_value *v = cel_result_value(r);
            sbuf_append(&out, v->v.s.p, v->v.s.n);
        } else {
            char *js = cel_result_json(r, 0);
            sbuf_puts(&out, js ? js : "<error: out of memory>");
            free(js);
        }
        cel_result_free(own);
    }
    if (!out.data)
        sbuf_puts(&out, "");
    cut_utf8(out.data, out.len, PE_TEMPLATE_MAX_OUT);
    return sbuf_steal(&out);
}
