/*
 * core/cel/cel_regex.c - a bounded regular-expression engine for matches().
 *
 * The pattern is parsed into a small tree, compiled into instructions for a
 * Thompson NFA, and run as a set simulation over UTF-8 code points: every
 * search takes time O(text length x program size) and memory O(program
 * size), whatever the pattern, so no pattern can make a search blow up.
 * Backreferences and lookaround are not part of the dialect. The dialect
 * (an RE2 subset) is documented in docs/cel.md.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel_internal.h"

#define MAX_REPEAT 1000
#define MAX_NEST 200
#define MAX_CP 0x10FFFF

typedef enum { I_CHAR, I_ANY, I_ANYNL, I_CLASS, I_SPLIT, I_JMP, I_ASSERT, I_MATCH } iop;
typedef enum { A_BOL, A_EOL, A_BOT, A_EOT, A_WORDB, A_NWORDB } assert_kind;

typedef struct range {
    int32_t lo, hi;
} range;

typedef struct inst {
    iop op;
    int x, y;       /* jump targets */
    int32_t c;      /* I_CHAR */
    int fold;       /* I_CHAR, I_CLASS: ASCII case-insensitive */
    const range *r; /* I_CLASS, sorted and merged */
    int nr;
    int neg;
    assert_kind ak;
} inst;

struct cel_regex {
    inst *prog;
    int n;
};

/* ---------------------------------------------------------------- syntax tree */

typedef enum { R_EMPTY, R_LIT, R_ANY, R_CLASS, R_CAT, R_ALT, R_REPEAT, R_ASSERT } rkind;

typedef struct rnode rnode;
struct rnode {
    rkind k;
    int32_t c;
    int fold, dotnl;
    range *r;
    int nr, neg;
    assert_kind ak;
    int min, max, greedy; /* max -1: unbounded */
    rnode **kids;
    int nkids;
};

typedef struct rparser {
    cel_arena *a;
    const char *s;
    size_t n, i;
    int fold, dotnl, multiline;
    int depth;
    const char *err;
} rparser;

static rnode *rn(rparser *p, rkind k)
{
    rnode *x = cel_arena_alloc(p->a, sizeof *x);
    if (!x) {
        p->err = "out of memory";
        return NULL;
    }
    x->k = k;
    return x;
}

static int32_t next_cp(rparser *p)
{
    int len;
    int32_t c = cel_utf8_decode(p->s + p->i, p->n - p->i, &len);
    if (c < 0) {
        p->err = "invalid UTF-8 in pattern";
        return -1;
    }
    p->i += (size_t)len;
    return c;
}

/* growing range list */
typedef struct rlist {
    range *r;
    int n, cap;
    cel_arena *a;
} rlist;

static int rl_add(rlist *l, int32_t lo, int32_t hi)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 8;
        range *nr = cel_arena_alloc(l->a, sizeof *nr * (size_t)cap);
        if (!nr)
            return -1;
        if (l->n)
            memcpy(nr, l->r, sizeof *nr * (size_t)l->n);
        l->r = nr;
        l->cap = cap;
    }
    l->r[l->n].lo = lo;
    l->r[l->n].hi = hi;
    l->n++;
    return 0;
}

static int rcmp(const void *x, const void *y)
{
    const range *a = x, *b = y;
    return (a->lo > b->lo) - (a->lo < b->lo);
}

static void rl_normalize(rlist *l)
{
    if (l->n == 0)
        return;
    qsort(l->r, (size_t)l->n, sizeof *l->r, rcmp);
    int o = 0;
    for (int k = 1; k < l->n; k++) {
        if (l->r[k].lo <= l->r[o].hi + 1) {
            if (l->r[k].hi > l->r[o].hi)
                l->r[o].hi = l->r[k].hi;
        } else {
            l->r[++o] = l->r[k];
        }
    }
    l->n = o + 1;
}

/* add the ranges of a Perl class (d, s, w), negated if upper case */
static int add_perl(rlist *l, char cls)
{
    rlist t = {.a = l->a};
    switch (cls | 0x20) {
    case 'd':
        if (rl_add(&t, '0', '9'))
            return -1;
        break;
    case 's':
        if (rl_add(&t, '\t', '\n') || rl_add(&t, '\f', '\r') || rl_add(&t, ' ', ' '))
            return -1;
        break;
    case 'w':
        if (rl_add(&t, '0', '9') || rl_add(&t, 'A', 'Z') || rl_add(&t, '_', '_') || rl_add(&t, 'a', 'z'))
            return -1;
        break;
    default:
        return -1;
    }
    if (cls >= 'a') {
        for (int k = 0; k < t.n; k++)
            if (rl_add(l, t.r[k].lo, t.r[k].hi))
                return -1;
        return 0;
    }
    int32_t lo = 0;
    for (int k = 0; k < t.n; k++) {
        if (t.r[k].lo > lo && rl_add(l, lo, t.r[k].lo - 1))
            return -1;
        lo = t.r[k].hi + 1;
    }
    return lo <= MAX_CP ? rl_add(l, lo, MAX_CP) : 0;
}

static int posix_class(rparser *p, rlist *l)
{
    static const struct {
        const char *name;
        const char *ranges;
    } cls[] = {{"alnum", "09AZaz"},  {"alpha", "AZaz"},     {"ascii", "\x01\x7f"}, {"blank", "\t\t  "},
               {"digit", "09"},      {"lower", "az"},       {"upper", "AZ"},       {"space", "\t\r  "},
               {"xdigit", "09AFaf"}, {"punct", "!/:@[`{~"}, {"word", "09AZ__az"},  {NULL, NULL}};
    /* at "[:" */
    for (int k = 0; cls[k].name; k++) {
        size_t nl = strlen(cls[k].name);
        if (p->i + 2 + nl + 2 <= p->n && !memcmp(p->s + p->i + 2, cls[k].name, nl) &&
            !memcmp(p->s + p->i + 2 + nl, ":]", 2)) {
            p->i += 2 + nl + 2;
            const char *r = cls[k].ranges;
            size_t rl = strlen(r);
            for (size_t j = 0; j + 1 < rl + (r[0] == '\x01' ? 0 : 0); j += 2)
                if (rl_add(l, (unsigned char)r[j], (unsigned char)r[j + 1]))
                    return -1;
            if (r[0] == '\x01' && rl_add(l, 0, 0x7f))
                return -1;
            return 1;
        }
    }
    return 0;
}

/* parse an escape after '\' for a literal; returns the code point or -2 for a class, -1 error */
static int32_t parse_escape(rparser *p, rlist *cls, int in_class, rnode **assert_node)
{
    if (p->i >= p->n) {
        p->err = "trailing backslash";
        return -1;
    }
    char e = p->s[p->i++];
    switch (e) {
    case 'd':
    case 'D':
    case 's':
    case 'S':
    case 'w':
    case 'W':
        if (add_perl(cls, e) < 0) {
            p->err = "out of memory";
            return -1;
        }
        return -2;
    case 'n':
        return '\n';
    case 't':
        return '\t';
    case 'r':
        return '\r';
    case 'f':
        return '\f';
    case 'v':
        return '\v';
    case 'a':
        return '\a';
    case 'x': {
        int32_t v = 0;
        if (p->i < p->n && p->s[p->i] == '{') {
            p->i++;
            int nd = 0;
            while (p->i < p->n && p->s[p->i] != '}') {
                char c = p->s[p->i++];
                int h = (c >= '0' && c <= '9')   ? c - '0'
                        : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                        : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                 : -1;
                if (h < 0 || ++nd > 6) {
                    p->err = "invalid \\x{...} escape";
                    return -1;
                }
                v = v * 16 + h;
            }
            if (p->i >= p->n || nd == 0) {
                p->err = "invalid \\x{...} escape";
                return -1;
            }
            p->i++;
        } else {
            for (int k = 0; k < 2; k++) {
                if (p->i >= p->n) {
                    p->err = "invalid \\x escape";
                    return -1;
                }
                char c = p->s[p->i++];
                int h = (c >= '0' && c <= '9')   ? c - '0'
                        : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                        : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                 : -1;
                if (h < 0) {
                    p->err = "invalid \\x escape";
                    return -1;
                }
                v = v * 16 + h;
            }
        }
        if (v > MAX_CP) {
            p->err = "code point out of range";
            return -1;
        }
        return v;
    }
    case 'b':
    case 'B':
    case 'A':
    case 'z':
        if (in_class) {
            p->err = "invalid escape in character class";
            return -1;
        }
        *assert_node = rn(p, R_ASSERT);
        if (!*assert_node)
            return -1;
        (*assert_node)->ak = e == 'b' ? A_WORDB : e == 'B' ? A_NWORDB : e == 'A' ? A_BOT : A_EOT;
        return -3;
    case 'p':
    case 'P':
        p->err = "Unicode classes (\\p) are not supported";
        return -1;
    default:
        if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')) {
            p->err = "invalid escape sequence";
            return -1;
        }
        if ((unsigned char)e >= 0x80) {
            p->i--;
            return next_cp(p);
        }
        return (unsigned char)e;
    }
}

static rnode *parse_class(rparser *p)
{
    /* at '[' */
    p->i++;
    rlist l = {.a = p->a};
    int neg = 0;
    if (p->i < p->n && p->s[p->i] == '^') {
        neg = 1;
        p->i++;
    }
    int first = 1;
    for (;;) {
        if (p->i >= p->n) {
            p->err = "missing ']' in character class";
            return NULL;
        }
        if (p->s[p->i] == ']' && !first) {
            p->i++;
            break;
        }
        first = 0;
        if (p->s[p->i] == '[' && p->i + 1 < p->n && p->s[p->i + 1] == ':') {
            int r = posix_class(p, &l);
            if (r < 0) {
                p->err = "out of memory";
                return NULL;
            }
            if (r > 0)
                continue;
        }
        int32_t lo;
        if (p->s[p->i] == '\\') {
            p->i++;
            rnode *dummy = NULL;
            lo = parse_escape(p, &l, 1, &dummy);
            if (lo == -1)
                return NULL;
            if (lo == -2)
                continue;
        } else {
            lo = next_cp(p);
            if (lo < 0)
                return NULL;
        }
        int32_t hi = lo;
        if (p->i + 1 < p->n && p->s[p->i] == '-' && p->s[p->i + 1] != ']') {
            p->i++;
            if (p->s[p->i] == '\\') {
                p->i++;
                rnode *dummy = NULL;
                rlist junk = {.a = p->a};
                hi = parse_escape(p, &junk, 1, &dummy);
                if (hi == -1)
                    return NULL;
                if (hi == -2) {
                    p->err = "invalid character class range";
                    return NULL;
                }
            } else {
                hi = next_cp(p);
                if (hi < 0)
                    return NULL;
            }
            if (hi < lo) {
                p->err = "invalid character class range";
                return NULL;
            }
        }
        if (rl_add(&l, lo, hi)) {
            p->err = "out of memory";
            return NULL;
        }
        if (p->fold) {
            /* ASCII case folding: add the other case of letters in the range */
            for (int32_t c = lo; c <= hi && c < 128; c++) {
                if (c >= 'a' && c <= 'z' && rl_add(&l, c - 32, c - 32)) {
                    p->err = "out of memory";
                    return NULL;
                }
                if (c >= 'A' && c <= 'Z' && rl_add(&l, c + 32, c + 32)) {
                    p->err = "out of memory";
                    return NULL;
                }
            }
        }
    }
    rl_normalize(&l);
    rnode *x = rn(p, R_CLASS);
    if (!x)
        return NULL;
    x->r = l.r;
    x->nr = l.n;
    x->neg = neg;
    return x;
}

static rnode *parse_alt(rparser *p);

static rnode *parse_atom(rparser *p)
{
    char c = p->s[p->i];
    rnode *x;
    switch (c) {
    case '(': {
        p->i++;
        if (++p->depth > MAX_NEST) {
            p->err = "pattern nested too deeply";
            return NULL;
        }
        int save_fold = p->fold, save_dotnl = p->dotnl, save_ml = p->multiline;
        if (p->i < p->n && p->s[p->i] == '?') {
            p->i++;
            if (p->i < p->n && (p->s[p->i] == 'P' || p->s[p->i] == '<')) {
                /* named group: skip the name */
                if (p->s[p->i] == 'P')
                    p->i++;
                if (p->i >= p->n || p->s[p->i] != '<') {
                    p->err = "invalid named group";
                    return NULL;
                }
                while (p->i < p->n && p->s[p->i] != '>')
                    p->i++;
                if (p->i >= p->n) {
                    p->err = "invalid named group";
                    return NULL;
                }
                p->i++;
            } else {
                /* flags: (?flags) or (?flags:re) */
                int on = 1;
                for (;;) {
                    if (p->i >= p->n) {
                        p->err = "missing ')'";
                        return NULL;
                    }
                    char f = p->s[p->i++];
                    if (f == 'i')
                        p->fold = on;
                    else if (f == 's')
                        p->dotnl = on;
                    else if (f == 'm')
                        p->multiline = on;
                    else if (f == 'U') { /* ungreedy: irrelevant for a yes/no match */
                    } else if (f == '-' && on)
                        on = 0;
                    else if (f == ')') {
                        /* flags apply to the rest of the enclosing group */
                        p->depth--;
                        return rn(p, R_EMPTY);
                    } else if (f == ':')
                        break;
                    else {
                        p->err = "invalid or unsupported group flag";
                        return NULL;
                    }
                }
            }
        }
        x = parse_alt(p);
        if (!x)
            return NULL;
        if (x->k == R_REPEAT) {
            /* keep "(a*)*" legal: the group is not itself a repetition */
            rnode *g = rn(p, R_CAT);
            if (!g)
                return NULL;
            g->kids = cel_arena_alloc(p->a, sizeof(rnode *));
            if (!g->kids) {
                p->err = "out of memory";
                return NULL;
            }
            g->kids[0] = x;
            g->nkids = 1;
            x = g;
        }
        if (p->i >= p->n || p->s[p->i] != ')') {
            p->err = "missing ')'";
            return NULL;
        }
        p->i++;
        p->depth--;
        p->fold = save_fold;
        p->dotnl = save_dotnl;
        p->multiline = save_ml;
        return x;
    }
    case '[':
        return parse_class(p);
    case '.':
        p->i++;
        x = rn(p, R_ANY);
        if (x)
            x->dotnl = p->dotnl;
        return x;
    case '^':
    case '$':
        p->i++;
        x = rn(p, R_ASSERT);
        if (x)
            x->ak = c == '^' ? (p->multiline ? A_BOL : A_BOT) : (p->multiline ? A_EOL : A_EOT);
        return x;
    case '\\': {
        p->i++;
        rlist l = {.a = p->a};
        rnode *as = NULL;
        int32_t v = parse_escape(p, &l, 0, &as);
        if (v == -1)
            return NULL;
        if (v == -3)
            return as;
        if (v == -2) {
            rl_normalize(&l);
            x = rn(p, R_CLASS);
            if (x) {
                x->r = l.r;
                x->nr = l.n;
            }
            return x;
        }
        x = rn(p, R_LIT);
        if (x) {
            x->c = v;
            x->fold = p->fold;
        }
        return x;
    }
    case '*':
    case '+':
    case '?':
        p->err = "missing argument to repetition operator";
        return NULL;
    default: {
        int32_t v = next_cp(p);
        if (v < 0)
            return NULL;
        x = rn(p, R_LIT);
        if (x) {
            x->c = v;
            x->fold = p->fold;
        }
        return x;
    }
    }
}

static int parse_count(rparser *p, int *out)
{
    size_t st = p->i;
    int v = 0;
    while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9') {
        v = v * 10 + (p->s[p->i] - '0');
        if (v > MAX_REPEAT) {
            p->err = "repetition count too large (at most 1000)";
            return -1;
        }
        p->i++;
    }
    if (p->i == st)
        return 0;
    *out = v;
    return 1;
}

static rnode *parse_repeat(rparser *p)
{
    rnode *x = parse_atom(p);
    while (x && p->i < p->n) {
        char c = p->s[p->i];
        int min, max;
        if (x->k == R_REPEAT && (c == '*' || c == '+' || c == '?')) {
            p->err = "bad repetition operator";
            return NULL;
        }
        if (c == '*') {
            min = 0;
            max = -1;
            p->i++;
        } else if (c == '+') {
            min = 1;
            max = -1;
            p->i++;
        } else if (c == '?') {
            min = 0;
            max = 1;
            p->i++;
        } else if (c == '{') {
            size_t save = p->i;
            p->i++;
            int r = parse_count(p, &min);
            if (r < 0)
                return NULL;
            if (r == 0) {
                p->i = save;
                break;
            } /* a literal '{' */
            max = min;
            if (p->i < p->n && p->s[p->i] == ',') {
                p->i++;
                int r2 = parse_count(p, &max);
                if (r2 < 0)
                    return NULL;
                if (r2 == 0)
                    max = -1;
            }
            if (p->i >= p->n || p->s[p->i] != '}') {
                p->i = save;
                break;
            }
            p->i++;
            if (max >= 0 && max < min) {
                p->err = "invalid repetition range";
                return NULL;
            }
        } else {
            break;
        }
        int greedy = 1;
        if (p->i < p->n && p->s[p->i] == '?') {
            greedy = 0;
            p->i++;
        }
        rnode *r = rn(p, R_REPEAT);
        if (!r)
            return NULL;
        r->min = min;
        r->max = max;
        r->greedy = greedy;
        r->kids = cel_arena_alloc(p->a, sizeof(rnode *));
        if (!r->kids) {
            p->err = "out of memory";
            return NULL;
        }
        r->kids[0] = x;
        r->nkids = 1;
        x = r;
        if (++p->depth > MAX_NEST) {
            p->err = "pattern nested too deeply";
            return NULL;
        }
    }
    return x;
}

static rnode *parse_cat(rparser *p)
{
    int save_depth = p->depth;
    rnode *cat = rn(p, R_CAT);
    if (!cat)
        return NULL;
    int cap = 0;
    while (p->i < p->n && p->s[p->i] != '|' && p->s[p->i] != ')') {
        rnode *x = parse_repeat(p);
        if (!x)
            return NULL;
        if (cat->nkids == cap) {
            cap = cap ? cap * 2 : 4;
            rnode **nk = cel_arena_alloc(p->a, sizeof *nk * (size_t)cap);
            if (!nk) {
                p->err = "out of memory";
                return NULL;
            }
            if (cat->nkids)
                memcpy(nk, cat->kids, sizeof *nk * (size_t)cat->nkids);
            cat->kids = nk;
        }
        cat->kids[cat->nkids++] = x;
        p->depth = save_depth;
    }
    return cat;
}

static rnode *parse_alt(rparser *p)
{
    rnode *alt = rn(p, R_ALT);
    if (!alt)
        return NULL;
    int cap = 0;
    for (;;) {
        rnode *x = parse_cat(p);
        if (!x)
            return NULL;
        if (alt->nkids == cap) {
            cap = cap ? cap * 2 : 2;
            rnode **nk = cel_arena_alloc(p->a, sizeof *nk * (size_t)cap);
            if (!nk) {
                p->err = "out of memory";
                return NULL;
            }
            if (alt->nkids)
                memcpy(nk, alt->kids, sizeof *nk * (size_t)alt->nkids);
            alt->kids = nk;
        }
        alt->kids[alt->nkids++] = x;
        if (p->i < p->n && p->s[p->i] == '|') {
            p->i++;
            continue;
        }
        break;
    }
    return alt->nkids == 1 ? alt->kids[0] : alt;
}

/* ---------------------------------------------------------------- compile */

typedef struct emitter {
    inst *prog;
    int n, cap;
    size_t max;
    cel_arena *a;
    const char *err;
} emitter;

static int emit(emitter *e, inst in)
{
    if ((size_t)e->n >= e->max) {
        e->err = "regular expression too large";
        return -1;
    }
    if (e->n == e->cap) {
        int cap = e->cap ? e->cap * 2 : 32;
        if ((size_t)cap > e->max + 1)
            cap = (int)e->max + 1;
        inst *np = cel_arena_alloc(e->a, sizeof *np * (size_t)cap);
        if (!np) {
            e->err = "out of memory";
            return -1;
        }
        if (e->n)
            memcpy(np, e->prog, sizeof *np * (size_t)e->n);
        e->prog = np;
        e->cap = cap;
    }
    e->prog[e->n] = in;
    return e->n++;
}

static int gen(emitter *e, const rnode *x, int depth);

static int gen_star(emitter *e, const rnode *body, int greedy, int depth)
{
    int split = emit(e, (inst){.op = I_SPLIT});
    if (split < 0)
        return -1;
    if (gen(e, body, depth + 1) < 0)
        return -1;
    if (emit(e, (inst){.op = I_JMP, .x = split}) < 0)
        return -1;
    e->prog[split].x = greedy ? split + 1 : e->n;
    e->prog[split].y = greedy ? e->n : split + 1;
    return 0;
}

static int gen(emitter *e, const rnode *x, int depth)
{
    if (depth > 2 * MAX_NEST + 10) {
        e->err = "pattern nested too deeply";
        return -1;
    }
    switch (x->k) {
    case R_EMPTY:
        return 0;
    case R_LIT:
        return emit(e, (inst){.op = I_CHAR, .c = x->c, .fold = x->fold}) < 0 ? -1 : 0;
    case R_ANY:
        return emit(e, (inst){.op = x->dotnl ? I_ANYNL : I_ANY}) < 0 ? -1 : 0;
    case R_CLASS:
        return emit(e, (inst){.op = I_CLASS, .r = x->r, .nr = x->nr, .neg = x->neg}) < 0 ? -1 : 0;
    case R_ASSERT:
        return emit(e, (inst){.op = I_ASSERT, .ak = x->ak}) < 0 ? -1 : 0;
    case R_CAT:
        for (int k = 0; k < x->nkids; k++)
            if (gen(e, x->kids[k], depth + 1) < 0)
                return -1;
        return 0;
    case R_ALT: {
        /* SPLIT L1, next; L1: a; JMP end; next: SPLIT L2, next2; ... last: z */
        int *jumps = cel_arena_alloc(e->a, sizeof(int) * (size_t)x->nkids);
        if (!jumps) {
            e->err = "out of memory";
            return -1;
        }
        for (int k = 0; k < x->nkids; k++) {
            if (k + 1 < x->nkids) {
                int split = emit(e, (inst){.op = I_SPLIT});
                if (split < 0)
                    return -1;
                if (gen(e, x->kids[k], depth + 1) < 0)
                    return -1;
                jumps[k] = emit(e, (inst){.op = I_JMP});
                if (jumps[k] < 0)
                    return -1;
                e->prog[split].x = split + 1;
                e->prog[split].y = e->n;
            } else {
                if (gen(e, x->kids[k], depth + 1) < 0)
                    return -1;
            }
        }
        for (int k = 0; k + 1 < x->nkids; k++)
            e->prog[jumps[k]].x = e->n;
        return 0;
    }
    case R_REPEAT: {
        const rnode *body = x->kids[0];
        for (int k = 0; k < x->min; k++)
            if (gen(e, body, depth + 1) < 0)
                return -1;
        if (x->max < 0)
            return gen_star(e, body, x->greedy, depth);
        /* (max - min) optional copies, each skipping to the end */
        int opt = x->max - x->min;
        int *splits = opt ? cel_arena_alloc(e->a, sizeof(int) * (size_t)opt) : NULL;
        if (opt && !splits) {
            e->err = "out of memory";
            return -1;
        }
        for (int k = 0; k < opt; k++) {
            splits[k] = emit(e, (inst){.op = I_SPLIT});
            if (splits[k] < 0)
                return -1;
            if (gen(e, body, depth + 1) < 0)
                return -1;
        }
        for (int k = 0; k < opt; k++) {
            e->prog[splits[k]].x = x->greedy ? splits[k] + 1 : e->n;
            e->prog[splits[k]].y = x->greedy ? e->n : splits[k] + 1;
        }
        return 0;
    }
    }
    return -1;
}

cel_regex *cel_regex_compile(cel_arena *a, const char *pat, size_t n, size_t max_insts, const char **err)
{
    rparser p = {.a = a, .s = pat, .n = n};
    rnode *root = parse_alt(&p);
    if (root && p.i < p.n) {
        p.err = p.s[p.i] == ')' ? "unexpected ')'" : "syntax error in pattern";
        root = NULL;
    }
    if (!root) {
        *err = p.err ? p.err : "syntax error in pattern";
        return NULL;
    }
    emitter e = {.max = max_insts ? max_insts : 10000, .a = a};
    if (gen(&e, root, 0) < 0 || emit(&e, (inst){.op = I_MATCH}) < 0) {
        *err = e.err ? e.err : "cannot compile pattern";
        return NULL;
    }
    cel_regex *re = cel_arena_alloc(a, sizeof *re);
    if (!re) {
        *err = "out of memory";
        return NULL;
    }
    re->prog = e.prog;
    re->n = e.n;
    return re;
}

size_t cel_regex_size(const cel_regex *re)
{
    return (size_t)re->n;
}

/* ---------------------------------------------------------------- search */

static int is_word(int32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int32_t fold_ascii(int32_t c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static int in_class(const inst *in, int32_t c)
{
    int lo = 0, hi = in->nr - 1, hit = 0;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (c < in->r[mid].lo)
            hi = mid - 1;
        else if (c > in->r[mid].hi)
            lo = mid + 1;
        else {
            hit = 1;
            break;
        }
    }
    return hit != in->neg;
}

typedef struct tlist {
    int *pcs;
    int n;
    unsigned *mark; /* mark[pc] == gen: already in the list */
    unsigned gen;
} tlist;

/* Add @pc and everything reachable through empty-width steps at this position. */
static int add_thread(const cel_regex *re, tlist *l, int *stack, int pc, int32_t prev, int32_t next, int *matched)
{
    int sp = 0;
    stack[sp++] = pc;
    while (sp > 0) {
        int x = stack[--sp];
        if (l->mark[x] == l->gen)
            continue;
        l->mark[x] = l->gen;
        const inst *in = &re->prog[x];
        switch (in->op) {
        case I_JMP:
            stack[sp++] = in->x;
            break;
        case I_SPLIT:
            stack[sp++] = in->y;
            stack[sp++] = in->x;
            break;
        case I_MATCH:
            *matched = 1;
            break;
        case I_ASSERT: {
            int ok = 0;
            switch (in->ak) {
            case A_BOT:
                ok = prev < 0;
                break;
            case A_EOT:
                ok = next < 0;
                break;
            case A_BOL:
                ok = prev < 0 || prev == '\n';
                break;
            case A_EOL:
                ok = next < 0 || next == '\n';
                break;
            case A_WORDB:
                ok = (prev >= 0 && is_word(prev)) != (next >= 0 && is_word(next));
                break;
            case A_NWORDB:
                ok = (prev >= 0 && is_word(prev)) == (next >= 0 && is_word(next));
                break;
            }
            if (ok)
                stack[sp++] = x + 1;
            break;
        }
        default:
            l->pcs[l->n++] = x;
            break;
        }
    }
    return 0;
}

int cel_regex_search(const cel_regex *re, const char *s, size_t n)
{
    size_t m = (size_t)re->n;
    int *buf = malloc(sizeof(int) * (m * 4 + 4));
    unsigned *marks = calloc(m * 2 + 2, sizeof(unsigned));
    if (!buf || !marks) {
        free(buf);
        free(marks);
        return -1;
    }
    tlist a = {.pcs = buf, .mark = marks, .gen = 0};
    tlist b = {.pcs = buf + m + 1, .mark = marks + m + 1, .gen = 0};
    int *stack = buf + 2 * m + 2;
    tlist *cur = &a, *nxt = &b;
    int matched = 0;
    int32_t prev = -1;
    size_t i = 0;
    cur->gen = 1;
    cur->n = 0;
    for (;;) {
        int len = 0;
        int32_t c = -1;
        if (i < n) {
            c = cel_utf8_decode(s + i, n - i, &len);
            if (c < 0) {
                c = 0xFFFD;
                len = 1;
            }
        }
        /* a new attempt starts at every position (unanchored search) */
        add_thread(re, cur, stack, 0, prev, c, &matched);
        if (matched || i >= n)
            break;
        nxt->gen++;
        if (nxt->gen == 0) {
            memset(nxt->mark, 0, sizeof(unsigned) * (m + 1));
            nxt->gen = 1;
        }
        nxt->n = 0;
        /* the context of the next position: its previous char is c */
        int32_t after = -1;
        if (i + (size_t)len < n) {
            int l2;
            after = cel_utf8_decode(s + i + (size_t)len, n - i - (size_t)len, &l2);
            if (after < 0)
                after = 0xFFFD;
        }
        for (int k = 0; k < cur->n && !matched; k++) {
            const inst *in = &re->prog[cur->pcs[k]];
            int ok = 0;
            switch (in->op) {
            case I_CHAR:
                ok = in->fold ? fold_ascii(c) == fold_ascii(in->c) : c == in->c;
                break;
            case I_ANY:
                ok = c != '\n';
                break;
            case I_ANYNL:
                ok = 1;
                break;
            case I_CLASS:
                ok = in_class(in, c);
                break;
            default:
                break;
            }
            if (ok)
                add_thread(re, nxt, stack, cur->pcs[k] + 1, c, after, &matched);
        }
        if (matched)
            break;
        prev = c;
        i += (size_t)len;
        tlist *t = cur;
        cur = nxt;
        nxt = t;
    }
    free(buf);
    free(marks);
    return matched;
}
