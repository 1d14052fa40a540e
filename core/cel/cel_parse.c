/*
 * core/cel/cel_parse.c - lexer and recursive-descent parser for CEL.
 *
 * Grammar (cel-spec langdef.md), lowest precedence first:
 *   Expr   = Or ["?" Or ":" Expr]
 *   Or     = And {"||" And}          And = Rel {"&&" Rel}
 *   Rel    = Add {("<"|"<="|">="|">"|"=="|"!="|"in") Add}
 *   Add    = Mul {("+"|"-") Mul}     Mul = Unary {("*"|"/"|"%") Unary}
 *   Unary  = Member | "!" {"!"} Member | "-" {"-"} Member
 *   Member = Primary {"." IDENT ["(" Args ")"] | "[" Expr "]"}
 *   Primary= ["."] IDENT ["(" Args ")"] | "(" Expr ")" | "[" List "]" | "{" Map "}" | literal
 * Macros (has, all, exists, exists_one, map, filter) are recognised here.
 * Every node records its height; a tree higher than the cap is refused, so
 * neither this parser nor the evaluator can exhaust the stack.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel_internal.h"

typedef enum tok_kind {
    T_EOF,
    T_INT,
    T_UINT,
    T_DOUBLE,
    T_STRING,
    T_BYTES,
    T_IDENT,
    T_TRUE,
    T_FALSE,
    T_NULL,
    T_IN,
    T_LPAREN,
    T_RPAREN,
    T_LBRACKET,
    T_RBRACKET,
    T_LBRACE,
    T_RBRACE,
    T_DOT,
    T_COMMA,
    T_COLON,
    T_QUESTION,
    T_OR,
    T_AND,
    T_NOT,
    T_EQ,
    T_NE,
    T_LT,
    T_LE,
    T_GT,
    T_GE,
    T_PLUS,
    T_MINUS,
    T_STAR,
    T_SLASH,
    T_PERCENT,
    T_ERROR
} tok_kind;

typedef struct token {
    tok_kind kind;
    size_t start, end; /* byte offsets in the source */
    int line, col;
    cel_value val; /* literals */
} token;

typedef struct parser {
    cel_arena *a;
    const char *src;
    size_t len, pos;
    int line;
    size_t line_start;
    token tok; /* current token */
    int depth, max_depth;
    char *err;
    size_t errlen;
    int failed;
} parser;

static const char *const reserved_words[] = {"as",        "break",  "const",  "continue", "else",  "for",
                                             "function",  "if",     "import", "let",      "loop",  "package",
                                             "namespace", "return", "var",    "void",     "while", NULL};

static void fail_at(parser *p, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void fail_at(parser *p, int line, int col, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = 1;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(p->err, p->errlen, "%d:%d: %s", line, col, msg);
}

static int col_of(const parser *p, size_t off)
{
    return (int)cel_utf8_count(p->src + p->line_start, off - p->line_start) + 1;
}

/* ---------------------------------------------------------------- lexer */

static int is_ident_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}
static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void skip_space(parser *p)
{
    while (p->pos < p->len) {
        char c = p->src[p->pos];
        if (c == '\n') {
            p->pos++;
            p->line++;
            p->line_start = p->pos;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            p->pos++;
        } else if (c == '/' && p->pos + 1 < p->len && p->src[p->pos + 1] == '/') {
            while (p->pos < p->len && p->src[p->pos] != '\n')
                p->pos++;
        } else {
            break;
        }
    }
}

/* Grow-able byte buffer in the arena for string literals. */
typedef struct sbuf {
    char *p;
    size_t n, cap;
    cel_arena *a;
} sbuf;

static int sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *np = cel_arena_alloc(b->a, cap);
        if (!np)
            return -1;
        if (b->n)
            memcpy(np, b->p, b->n);
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
    return 0;
}

/* Lex a quoted literal starting at p->pos (after any r/b prefix). */
static void lex_string(parser *p, token *t, int raw, int bytes)
{
    char q = p->src[p->pos];
    int triple = p->pos + 2 < p->len && p->src[p->pos + 1] == q && p->src[p->pos + 2] == q;
    p->pos += triple ? 3 : 1;
    sbuf b = {.a = p->a};
    if (sb_put(&b, "", 0) < 0) {
        fail_at(p, t->line, t->col, "out of memory");
        return;
    }
    for (;;) {
        if (p->pos >= p->len) {
            fail_at(p, t->line, t->col, "unterminated string literal");
            return;
        }
        char c = p->src[p->pos];
        if (c == q && (!triple || (p->pos + 2 < p->len && p->src[p->pos + 1] == q && p->src[p->pos + 2] == q))) {
            p->pos += triple ? 3 : 1;
            break;
        }
        if (c == '\n' || c == '\r') {
            if (!triple) {
                fail_at(p, t->line, t->col, "newline in string literal");
                return;
            }
            if (c == '\n') {
                p->line++;
                p->line_start = p->pos + 1;
            }
        }
        if (c != '\\' || raw) {
            if (sb_put(&b, &c, 1) < 0)
                goto nomem;
            p->pos++;
            continue;
        }
        /* escape sequence */
        size_t at = p->pos;
        if (p->pos + 1 >= p->len) {
            fail_at(p, p->line, col_of(p, at), "unterminated escape sequence");
            return;
        }
        char e = p->src[p->pos + 1];
        p->pos += 2;
        char out;
        switch (e) {
        case 'a':
            out = '\a';
            break;
        case 'b':
            out = '\b';
            break;
        case 'f':
            out = '\f';
            break;
        case 'n':
            out = '\n';
            break;
        case 'r':
            out = '\r';
            break;
        case 't':
            out = '\t';
            break;
        case 'v':
            out = '\v';
            break;
        case '\\':
            out = '\\';
            break;
        case '\'':
            out = '\'';
            break;
        case '"':
            out = '"';
            break;
        case '`':
            out = '`';
            break;
        case '?':
            out = '?';
            break;
        case 'x':
        case 'X':
        case 'u':
        case 'U': {
            int ndig = (e == 'x' || e == 'X') ? 2 : e == 'u' ? 4 : 8;
            if (p->pos + (size_t)ndig > p->len) {
                fail_at(p, p->line, col_of(p, at), "invalid escape sequence");
                return;
            }
            uint32_t cp = 0;
            for (int i = 0; i < ndig; i++) {
                int h = hexval((unsigned char)p->src[p->pos + (size_t)i]);
                if (h < 0) {
                    fail_at(p, p->line, col_of(p, at), "invalid escape sequence");
                    return;
                }
                cp = cp * 16 + (uint32_t)h;
            }
            p->pos += (size_t)ndig;
            if (bytes && ndig == 2) {
                char byte = (char)cp;
                if (sb_put(&b, &byte, 1) < 0)
                    goto nomem;
                continue;
            }
            if (bytes && ndig != 2) {
                fail_at(p, p->line, col_of(p, at), "unicode escape in bytes literal");
                return;
            }
            if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                fail_at(p, p->line, col_of(p, at), "invalid unicode code point in escape");
                return;
            }
            char u8[4];
            int n = cel_utf8_encode(cp, u8);
            if (sb_put(&b, u8, (size_t)n) < 0)
                goto nomem;
            continue;
        }
        default:
            if (e >= '0' && e <= '3') {
                if (p->pos + 2 > p->len || p->src[p->pos] < '0' || p->src[p->pos] > '7' || p->src[p->pos + 1] < '0' ||
                    p->src[p->pos + 1] > '7') {
                    fail_at(p, p->line, col_of(p, at), "invalid octal escape");
                    return;
                }
                uint32_t v = (uint32_t)((e - '0') * 64 + (p->src[p->pos] - '0') * 8 + (p->src[p->pos + 1] - '0'));
                p->pos += 2;
                if (bytes) {
                    char byte = (char)v;
                    if (sb_put(&b, &byte, 1) < 0)
                        goto nomem;
                } else {
                    char u8[4];
                    int n = cel_utf8_encode(v, u8);
                    if (sb_put(&b, u8, (size_t)n) < 0)
                        goto nomem;
                }
                continue;
            }
            fail_at(p, p->line, col_of(p, at), "invalid escape sequence '\\%c'", e);
            return;
        }
        if (sb_put(&b, &out, 1) < 0)
            goto nomem;
    }
    if (!bytes && !cel_utf8_valid(b.p, b.n)) {
        fail_at(p, t->line, t->col, "string literal is not valid UTF-8");
        return;
    }
    t->kind = bytes ? T_BYTES : T_STRING;
    t->val = bytes ? cel_bytes(b.p, b.n) : cel_string(b.p, b.n);
    return;
nomem:
    fail_at(p, t->line, t->col, "out of memory");
}

static void lex_number(parser *p, token *t)
{
    size_t s = p->pos;
    const char *src = p->src;
    if (src[s] == '0' && s + 1 < p->len && (src[s + 1] == 'x' || src[s + 1] == 'X')) {
        size_t i = s + 2;
        while (i < p->len && hexval((unsigned char)src[i]) >= 0)
            i++;
        if (i == s + 2) {
            fail_at(p, t->line, t->col, "invalid hex literal");
            return;
        }
        int is_u = i < p->len && (src[i] == 'u' || src[i] == 'U');
        char *txt = cel_arena_strndup(p->a, src + s + 2, i - s - 2);
        if (!txt) {
            fail_at(p, t->line, t->col, "out of memory");
            return;
        }
        errno = 0;
        unsigned long long v = strtoull(txt, NULL, 16);
        p->pos = i + (is_u ? 1 : 0);
        if (errno == ERANGE || (!is_u && v > (unsigned long long)INT64_MAX + 1)) {
            fail_at(p, t->line, t->col, "integer literal out of range");
            return;
        }
        if (is_u) {
            t->kind = T_UINT;
            t->val = cel_uint(v);
        } else {
            t->kind = T_INT;
            t->val = cel_uint(v); /* sign applied by the parser */
        }
        return;
    }
    size_t i = s;
    while (i < p->len && is_digit((unsigned char)src[i]))
        i++;
    int is_double = 0;
    if (i + 1 < p->len && src[i] == '.' && is_digit((unsigned char)src[i + 1])) {
        is_double = 1;
        i++;
        while (i < p->len && is_digit((unsigned char)src[i]))
            i++;
    }
    if (i < p->len && (src[i] == 'e' || src[i] == 'E')) {
        size_t j = i + 1;
        if (j < p->len && (src[j] == '+' || src[j] == '-'))
            j++;
        if (j < p->len && is_digit((unsigned char)src[j])) {
            is_double = 1;
            i = j;
            while (i < p->len && is_digit((unsigned char)src[i]))
                i++;
        }
    }
    char *txt = cel_arena_strndup(p->a, src + s, i - s);
    if (!txt) {
        fail_at(p, t->line, t->col, "out of memory");
        return;
    }
    if (is_double) {
        p->pos = i;
        t->kind = T_DOUBLE;
        t->val = cel_double(strtod(txt, NULL));
        return;
    }
    int is_u = i < p->len && (src[i] == 'u' || src[i] == 'U');
    errno = 0;
    unsigned long long v = strtoull(txt, NULL, 10);
    p->pos = i + (is_u ? 1 : 0);
    if (errno == ERANGE || (!is_u && v > (unsigned long long)INT64_MAX + 1)) {
        fail_at(p, t->line, t->col, "integer literal out of range");
        return;
    }
    if (is_u) {
        t->kind = T_UINT;
        t->val = cel_uint(v);
    } else {
        t->kind = T_INT;
        t->val = cel_uint(v);
    }
}

/* An operator of one or two characters: when the next character @c1 is
 * @second, consume it and return @two, else return @one. */
static tok_kind two_char(parser *p, int c1, int second, tok_kind two, tok_kind one)
{
    if (c1 != second)
        return one;
    p->pos++;
    return two;
}

static void next(parser *p)
{
    token *t = &p->tok;
    memset(t, 0, sizeof *t);
    skip_space(p);
    t->start = p->pos;
    t->line = p->line;
    t->col = col_of(p, p->pos);
    if (p->failed) {
        t->kind = T_ERROR;
        return;
    }
    if (p->pos >= p->len) {
        t->kind = T_EOF;
        t->end = p->pos;
        return;
    }
    const char *s = p->src + p->pos;
    size_t left = p->len - p->pos;
    int c = (unsigned char)s[0];
    int c1 = left > 1 ? (unsigned char)s[1] : 0;
    int c2 = left > 2 ? (unsigned char)s[2] : 0;

    /* string and bytes literals with r/b prefixes */
    if (c == '"' || c == '\'') {
        lex_string(p, t, 0, 0);
        goto done;
    }
    if ((c == 'r' || c == 'R') && (c1 == '"' || c1 == '\'')) {
        p->pos++;
        lex_string(p, t, 1, 0);
        goto done;
    }
    if ((c == 'b' || c == 'B') && (c1 == '"' || c1 == '\'')) {
        p->pos++;
        lex_string(p, t, 0, 1);
        goto done;
    }
    if (((c == 'b' || c == 'B') && (c1 == 'r' || c1 == 'R')) || ((c == 'r' || c == 'R') && (c1 == 'b' || c1 == 'B'))) {
        if (c2 == '"' || c2 == '\'') {
            p->pos += 2;
            lex_string(p, t, 1, 1);
            goto done;
        }
    }
    if (is_digit(c) || (c == '.' && is_digit(c1))) {
        lex_number(p, t);
        goto done;
    }
    if (is_ident_start(c)) {
        size_t i = 0;
        while (i < left && (is_ident_start((unsigned char)s[i]) || is_digit((unsigned char)s[i])))
            i++;
        p->pos += i;
        t->kind = T_IDENT;
        if (i == 4 && !memcmp(s, "true", 4))
            t->kind = T_TRUE;
        else if (i == 5 && !memcmp(s, "false", 5))
            t->kind = T_FALSE;
        else if (i == 4 && !memcmp(s, "null", 4))
            t->kind = T_NULL;
        else if (i == 2 && !memcmp(s, "in", 2))
            t->kind = T_IN;
        goto done;
    }
    p->pos++;
    switch (c) {
    case '(':
        t->kind = T_LPAREN;
        break;
    case ')':
        t->kind = T_RPAREN;
        break;
    case '[':
        t->kind = T_LBRACKET;
        break;
    case ']':
        t->kind = T_RBRACKET;
        break;
    case '{':
        t->kind = T_LBRACE;
        break;
    case '}':
        t->kind = T_RBRACE;
        break;
    case '.':
        t->kind = T_DOT;
        break;
    case ',':
        t->kind = T_COMMA;
        break;
    case ':':
        t->kind = T_COLON;
        break;
    case '?':
        t->kind = T_QUESTION;
        break;
    case '+':
        t->kind = T_PLUS;
        break;
    case '-':
        t->kind = T_MINUS;
        break;
    case '*':
        t->kind = T_STAR;
        break;
    case '/':
        t->kind = T_SLASH;
        break;
    case '%':
        t->kind = T_PERCENT;
        break;
    case '|':
        t->kind = two_char(p, c1, '|', T_OR, T_ERROR);
        break;
    case '&':
        t->kind = two_char(p, c1, '&', T_AND, T_ERROR);
        break;
    case '=':
        t->kind = two_char(p, c1, '=', T_EQ, T_ERROR);
        break;
    case '!':
        t->kind = two_char(p, c1, '=', T_NE, T_NOT);
        break;
    case '<':
        t->kind = two_char(p, c1, '=', T_LE, T_LT);
        break;
    case '>':
        t->kind = two_char(p, c1, '=', T_GE, T_GT);
        break;
    default:
        t->kind = T_ERROR;
        break;
    }
    if (t->kind == T_ERROR) {
        int len = 1;
        if (c >= 0x80 && cel_utf8_decode(s, left, &len) < 0)
            len = 1;
        if (c >= 0x20 && c < 0x7f)
            fail_at(p, t->line, t->col, "syntax error: unexpected character '%c'", c);
        else
            fail_at(p, t->line, t->col, "syntax error: unexpected character (byte 0x%02x)", c);
    }
done:
    t->end = p->pos;
    if (p->failed)
        t->kind = T_ERROR;
}

/* ---------------------------------------------------------------- nodes */

static cel_node *mk(parser *p, cel_node_kind k, int line, int col, size_t nargs)
{
    cel_node *n = cel_arena_alloc(p->a, sizeof *n);
    if (!n) {
        fail_at(p, line, col, "out of memory");
        return NULL;
    }
    n->kind = k;
    n->line = line;
    n->col = col;
    n->depth = 1;
    if (nargs) {
        n->args = cel_arena_alloc(p->a, sizeof(cel_node *) * nargs);
        if (!n->args) {
            fail_at(p, line, col, "out of memory");
            return NULL;
        }
        n->nargs = nargs;
    }
    return n;
}

/* Recompute the height of @n from its children; fail when too tall. */
static cel_node *seal(parser *p, cel_node *n)
{
    if (!n)
        return NULL;
    int d = 0;
    for (size_t i = 0; i < n->nargs; i++)
        if (n->args[i] && n->args[i]->depth > d)
            d = n->args[i]->depth;
    n->depth = d + 1;
    if (n->depth > p->max_depth) {
        fail_at(p, n->line, n->col, "expression nested too deeply (more than %d levels)", p->max_depth);
        return NULL;
    }
    return n;
}

static const char *tok_desc(const token *t, char *buf, size_t n, const char *src)
{
    if (t->kind == T_EOF)
        return "end of input";
    size_t len = t->end - t->start;
    if (len > 20)
        len = 20;
    snprintf(buf, n, "'%.*s'", (int)len, src + t->start);
    return buf;
}

static void unexpected(parser *p)
{
    char b[40];
    fail_at(p, p->tok.line, p->tok.col, "syntax error: unexpected %s", tok_desc(&p->tok, b, sizeof b, p->src));
}

static int expect(parser *p, tok_kind k, const char *what)
{
    if (p->tok.kind != k) {
        char b[40];
        fail_at(p, p->tok.line, p->tok.col, "syntax error: expected %s, found %s", what,
                tok_desc(&p->tok, b, sizeof b, p->src));
        return -1;
    }
    next(p);
    return 0;
}

static int enter(parser *p)
{
    if (++p->depth > p->max_depth) {
        fail_at(p, p->tok.line, p->tok.col, "expression nested too deeply (more than %d levels)", p->max_depth);
        return -1;
    }
    return 0;
}

static cel_node *parse_expr(parser *p);

/* Parse "a, b, c" up to @close; returns a node array through *out. */
static int parse_args(parser *p, tok_kind close, cel_node ***out, size_t *nout, int allow_trailing)
{
    size_t cap = 4, n = 0;
    cel_node **v = cel_arena_alloc(p->a, sizeof *v * cap);
    if (!v) {
        fail_at(p, p->tok.line, p->tok.col, "out of memory");
        return -1;
    }
    while (p->tok.kind != close) {
        cel_node *e = parse_expr(p);
        if (!e)
            return -1;
        if (n == cap) {
            cel_node **nv = cel_arena_alloc(p->a, sizeof *v * cap * 2);
            if (!nv) {
                fail_at(p, p->tok.line, p->tok.col, "out of memory");
                return -1;
            }
            memcpy(nv, v, sizeof *v * n);
            v = nv;
            cap *= 2;
        }
        v[n++] = e;
        if (p->tok.kind != T_COMMA)
            break;
        next(p);
        if (p->tok.kind == close && !allow_trailing) {
            unexpected(p);
            return -1;
        }
    }
    if (p->failed)
        return -1;
    *out = v;
    *nout = n;
    return 0;
}

static int is_reserved(const char *s, size_t n)
{
    for (int i = 0; reserved_words[i]; i++)
        if (strlen(reserved_words[i]) == n && !memcmp(reserved_words[i], s, n))
            return 1;
    return 0;
}

/* Turn a call into a macro node when its name and shape say so. */
static cel_node *try_macro(parser *p, const char *name, size_t nlen, cel_node *target, cel_node **args, size_t nargs,
                           int line, int col, int *is_macro)
{
    *is_macro = 0;
    if (!target && nlen == 3 && !memcmp(name, "has", 3) && nargs == 1) {
        *is_macro = 1;
        cel_node *a = args[0];
        if (a->kind != N_SELECT || a->test_only) {
            fail_at(p, line, col, "invalid argument to has() macro");
            return NULL;
        }
        a->test_only = 1;
        return a;
    }
    if (!target)
        return NULL;
    cel_macro m;
    int two = 0;
    if (nlen == 3 && !memcmp(name, "all", 3) && (nargs == 2 || nargs == 3)) {
        m = M_ALL;
        two = nargs == 3;
    } else if (nlen == 6 && !memcmp(name, "exists", 6) && (nargs == 2 || nargs == 3)) {
        m = M_EXISTS;
        two = nargs == 3;
    } else if (nlen == 10 && !memcmp(name, "exists_one", 10) && (nargs == 2 || nargs == 3)) {
        m = M_EXISTS_ONE;
        two = nargs == 3;
    } else if (nlen == 9 && !memcmp(name, "existsOne", 9) && (nargs == 2 || nargs == 3)) {
        m = M_EXISTS_ONE;
        two = nargs == 3;
    } else if (nlen == 3 && !memcmp(name, "map", 3) && (nargs == 2 || nargs == 3)) {
        m = M_MAP;
    } else if (nlen == 6 && !memcmp(name, "filter", 6) && nargs == 2) {
        m = M_FILTER;
    } else if (nlen == 13 && !memcmp(name, "transformList", 13) && (nargs == 3 || nargs == 4)) {
        m = M_TRANSFORM_LIST;
        two = 1;
    } else if (nlen == 12 && !memcmp(name, "transformMap", 12) && (nargs == 3 || nargs == 4)) {
        m = M_TRANSFORM_MAP;
        two = 1;
    } else
        return NULL;
    *is_macro = 1;
    for (int k = 0; k <= two; k++) {
        if (args[k]->kind != N_IDENT) {
            fail_at(p, args[k]->line, args[k]->col, "argument is not an identifier");
            return NULL;
        }
    }
    if (two && args[0]->name_len == args[1]->name_len && !memcmp(args[0]->name, args[1]->name, args[0]->name_len)) {
        fail_at(p, args[1]->line, args[1]->col, "duplicate variable name '%s'", args[1]->name);
        return NULL;
    }
    size_t want = nargs - (size_t)two; /* range + the expressions */
    cel_node *n = mk(p, N_MACRO, line, col, want);
    if (!n)
        return NULL;
    n->macro = m;
    n->name = args[0]->name; /* the iteration variable(s) */
    n->name_len = args[0]->name_len;
    if (two) {
        n->name2 = args[1]->name;
        n->name2_len = args[1]->name_len;
    }
    n->args[0] = target;
    for (size_t k = 1; k < want; k++)
        n->args[k] = args[k + (size_t)two];
    return seal(p, n);
}

static cel_node *parse_primary(parser *p)
{
    token t = p->tok;
    cel_node *n;
    switch (t.kind) {
    case T_INT:
        if (t.val.v.u > (uint64_t)INT64_MAX) {
            fail_at(p, t.line, t.col, "integer literal out of range");
            return NULL;
        }
        next(p);
        n = mk(p, N_LIT, t.line, t.col, 0);
        if (n)
            n->lit = cel_int((int64_t)t.val.v.u);
        return n;
    case T_UINT:
    case T_DOUBLE:
    case T_STRING:
    case T_BYTES:
        next(p);
        n = mk(p, N_LIT, t.line, t.col, 0);
        if (n)
            n->lit = t.val;
        return n;
    case T_TRUE:
    case T_FALSE:
        next(p);
        n = mk(p, N_LIT, t.line, t.col, 0);
        if (n)
            n->lit = cel_bool(t.kind == T_TRUE);
        return n;
    case T_NULL:
        next(p);
        n = mk(p, N_LIT, t.line, t.col, 0);
        if (n)
            n->lit = cel_null();
        return n;
    case T_LPAREN: {
        next(p);
        cel_node *e = parse_expr(p);
        if (!e || expect(p, T_RPAREN, "')'") < 0)
            return NULL;
        return e;
    }
    case T_LBRACKET: {
        next(p);
        cel_node **items;
        size_t ni;
        if (parse_args(p, T_RBRACKET, &items, &ni, 1) < 0 || expect(p, T_RBRACKET, "']'") < 0)
            return NULL;
        n = mk(p, N_LIST, t.line, t.col, 0);
        if (!n)
            return NULL;
        n->args = items;
        n->nargs = ni;
        return seal(p, n);
    }
    case T_LBRACE: {
        next(p);
        size_t cap = 8, ni = 0;
        cel_node **kv = cel_arena_alloc(p->a, sizeof *kv * cap);
        if (!kv) {
            fail_at(p, t.line, t.col, "out of memory");
            return NULL;
        }
        while (p->tok.kind != T_RBRACE) {
            cel_node *k = parse_expr(p);
            if (!k || expect(p, T_COLON, "':'") < 0)
                return NULL;
            cel_node *v = parse_expr(p);
            if (!v)
                return NULL;
            if (ni + 2 > cap) {
                cel_node **nkv = cel_arena_alloc(p->a, sizeof *kv * cap * 2);
                if (!nkv) {
                    fail_at(p, t.line, t.col, "out of memory");
                    return NULL;
                }
                memcpy(nkv, kv, sizeof *kv * ni);
                kv = nkv;
                cap *= 2;
            }
            kv[ni++] = k;
            kv[ni++] = v;
            if (p->tok.kind != T_COMMA)
                break;
            next(p);
        }
        if (expect(p, T_RBRACE, "'}'") < 0)
            return NULL;
        n = mk(p, N_MAP, t.line, t.col, 0);
        if (!n)
            return NULL;
        n->args = kv;
        n->nargs = ni;
        return seal(p, n);
    }
    case T_DOT:
    case T_IDENT: {
        int leading_dot = t.kind == T_DOT;
        if (leading_dot) {
            next(p);
            if (p->tok.kind != T_IDENT) {
                unexpected(p);
                return NULL;
            }
            t = p->tok;
        }
        const char *name = p->src + t.start;
        size_t nlen = t.end - t.start;
        if (is_reserved(name, nlen)) {
            fail_at(p, t.line, t.col, "reserved identifier '%.*s'", (int)nlen, name);
            return NULL;
        }
        next(p);
        const char *nm = cel_arena_strndup(p->a, name, nlen);
        if (!nm) {
            fail_at(p, t.line, t.col, "out of memory");
            return NULL;
        }
        if (p->tok.kind == T_LPAREN) {
            next(p);
            cel_node **args;
            size_t na;
            if (parse_args(p, T_RPAREN, &args, &na, 0) < 0 || expect(p, T_RPAREN, "')'") < 0)
                return NULL;
            int is_macro;
            cel_node *m = try_macro(p, nm, nlen, NULL, args, na, t.line, t.col, &is_macro);
            if (is_macro)
                return m;
            n = mk(p, N_CALL, t.line, t.col, 0);
            if (!n)
                return NULL;
            n->name = nm;
            n->name_len = nlen;
            n->args = args;
            n->nargs = na;
            return seal(p, n);
        }
        if (p->tok.kind == T_LBRACE) {
            fail_at(p, p->tok.line, p->tok.col, "message construction is not supported ('%s{...}')", nm);
            return NULL;
        }
        n = mk(p, N_IDENT, t.line, t.col, 0);
        if (!n)
            return NULL;
        n->name = nm;
        n->name_len = nlen;
        return n;
    }
    default:
        unexpected(p);
        return NULL;
    }
}

static cel_node *parse_member(parser *p)
{
    cel_node *e = parse_primary(p);
    while (e && !p->failed) {
        if (p->tok.kind == T_DOT) {
            next(p);
            token f = p->tok;
            if (f.kind != T_IDENT && f.kind != T_TRUE && f.kind != T_FALSE && f.kind != T_NULL && f.kind != T_IN) {
                char b[40];
                fail_at(p, f.line, f.col, "syntax error: expected a field name, found %s",
                        tok_desc(&f, b, sizeof b, p->src));
                return NULL;
            }
            const char *nm = cel_arena_strndup(p->a, p->src + f.start, f.end - f.start);
            if (!nm) {
                fail_at(p, f.line, f.col, "out of memory");
                return NULL;
            }
            size_t nlen = f.end - f.start;
            next(p);
            if (p->tok.kind == T_LPAREN) {
                next(p);
                cel_node **args;
                size_t na;
                if (parse_args(p, T_RPAREN, &args, &na, 0) < 0 || expect(p, T_RPAREN, "')'") < 0)
                    return NULL;
                int is_macro;
                cel_node *m = try_macro(p, nm, nlen, e, args, na, f.line, f.col, &is_macro);
                if (is_macro) {
                    e = m;
                    continue;
                }
                cel_node *c = mk(p, N_CALL, f.line, f.col, na + 1);
                if (!c)
                    return NULL;
                c->name = nm;
                c->name_len = nlen;
                c->has_target = 1;
                c->args[0] = e;
                for (size_t i = 0; i < na; i++)
                    c->args[i + 1] = args[i];
                e = seal(p, c);
            } else if (p->tok.kind == T_LBRACE && e->kind == N_IDENT) {
                fail_at(p, p->tok.line, p->tok.col, "message construction is not supported");
                return NULL;
            } else {
                cel_node *s = mk(p, N_SELECT, f.line, f.col, 1);
                if (!s)
                    return NULL;
                s->name = nm;
                s->name_len = nlen;
                s->args[0] = e;
                e = seal(p, s);
            }
        } else if (p->tok.kind == T_LBRACKET) {
            token b = p->tok;
            next(p);
            cel_node *idx = parse_expr(p);
            if (!idx || expect(p, T_RBRACKET, "']'") < 0)
                return NULL;
            cel_node *s = mk(p, N_INDEX, b.line, b.col, 2);
            if (!s)
                return NULL;
            s->args[0] = e;
            s->args[1] = idx;
            e = seal(p, s);
        } else {
            break;
        }
    }
    return p->failed ? NULL : e;
}

static cel_node *parse_unary(parser *p)
{
    token t = p->tok;
    if (t.kind == T_NOT || t.kind == T_MINUS) {
        /* count a run of the same operator */
        size_t count = 0;
        while (p->tok.kind == t.kind) {
            count++;
            next(p);
            if (count > (size_t)p->max_depth) {
                fail_at(p, t.line, t.col, "expression nested too deeply (more than %d levels)", p->max_depth);
                return NULL;
            }
        }
        /* -9223372036854775808 is a literal, not the negation of one */
        cel_node *e;
        if (t.kind == T_MINUS && p->tok.kind == T_INT && p->tok.val.v.u == (uint64_t)INT64_MAX + 1) {
            token lit = p->tok;
            next(p);
            e = mk(p, N_LIT, lit.line, lit.col, 0);
            if (!e)
                return NULL;
            e->lit = cel_int(INT64_MIN);
            count--;
        } else {
            e = parse_member(p);
        }
        if (!e)
            return NULL;
        for (size_t i = 0; i < count; i++) {
            if (t.kind == T_MINUS && i == 0 && e->kind == N_LIT &&
                (e->lit.kind == CEL_INT || e->lit.kind == CEL_DOUBLE)) {
                /* fold the sign into the literal */
                if (e->lit.kind == CEL_INT && e->lit.v.i == INT64_MIN)
                    goto negate_node; /* overflows: leave it to the evaluator */
                cel_node *f = mk(p, N_LIT, e->line, e->col, 0);
                if (!f)
                    return NULL;
                f->lit = e->lit.kind == CEL_INT ? cel_int(-e->lit.v.i) : cel_double(-e->lit.v.d);
                e = f;
                continue;
            }
        negate_node:;
            cel_node *u = mk(p, t.kind == T_NOT ? N_NOT : N_NEG, t.line, t.col, 1);
            if (!u)
                return NULL;
            u->args[0] = e;
            e = seal(p, u);
            if (!e)
                return NULL;
        }
        return e;
    }
    return parse_member(p);
}

static cel_node *binop(parser *p, cel_node_kind k, cel_binop op, const token *t, cel_node *l, cel_node *r)
{
    cel_node *n = mk(p, k, t->line, t->col, 2);
    if (!n)
        return NULL;
    n->op = op;
    n->args[0] = l;
    n->args[1] = r;
    return seal(p, n);
}

static cel_node *parse_mul(parser *p)
{
    cel_node *l = parse_unary(p);
    while (l && (p->tok.kind == T_STAR || p->tok.kind == T_SLASH || p->tok.kind == T_PERCENT)) {
        token t = p->tok;
        next(p);
        cel_node *r = parse_unary(p);
        if (!r)
            return NULL;
        l = binop(p, N_BINOP, t.kind == T_STAR ? OP_MUL : t.kind == T_SLASH ? OP_DIV : OP_MOD, &t, l, r);
    }
    return l;
}

static cel_node *parse_add(parser *p)
{
    cel_node *l = parse_mul(p);
    while (l && (p->tok.kind == T_PLUS || p->tok.kind == T_MINUS)) {
        token t = p->tok;
        next(p);
        cel_node *r = parse_mul(p);
        if (!r)
            return NULL;
        l = binop(p, N_BINOP, t.kind == T_PLUS ? OP_ADD : OP_SUB, &t, l, r);
    }
    return l;
}

static cel_node *parse_rel(parser *p)
{
    cel_node *l = parse_add(p);
    for (;;) {
        if (!l)
            return NULL;
        cel_binop op;
        switch (p->tok.kind) {
        case T_EQ:
            op = OP_EQ;
            break;
        case T_NE:
            op = OP_NE;
            break;
        case T_LT:
            op = OP_LT;
            break;
        case T_LE:
            op = OP_LE;
            break;
        case T_GT:
            op = OP_GT;
            break;
        case T_GE:
            op = OP_GE;
            break;
        case T_IN:
            op = OP_IN;
            break;
        default:
            return l;
        }
        token t = p->tok;
        next(p);
        cel_node *r = parse_add(p);
        if (!r)
            return NULL;
        l = binop(p, N_BINOP, op, &t, l, r);
    }
}

static cel_node *parse_and(parser *p)
{
    cel_node *l = parse_rel(p);
    while (l && p->tok.kind == T_AND) {
        token t = p->tok;
        next(p);
        cel_node *r = parse_rel(p);
        if (!r)
            return NULL;
        l = binop(p, N_AND, OP_ADD, &t, l, r);
    }
    return l;
}

static cel_node *parse_or(parser *p)
{
    cel_node *l = parse_and(p);
    while (l && p->tok.kind == T_OR) {
        token t = p->tok;
        next(p);
        cel_node *r = parse_and(p);
        if (!r)
            return NULL;
        l = binop(p, N_OR, OP_ADD, &t, l, r);
    }
    return l;
}

static cel_node *parse_expr(parser *p)
{
    if (enter(p) < 0)
        return NULL;
    cel_node *c = parse_or(p);
    if (c && p->tok.kind == T_QUESTION) {
        token t = p->tok;
        next(p);
        cel_node *a = parse_or(p);
        if (!a || expect(p, T_COLON, "':'") < 0) {
            p->depth--;
            return NULL;
        }
        cel_node *b = parse_expr(p);
        if (!b) {
            p->depth--;
            return NULL;
        }
        cel_node *n = mk(p, N_COND, t.line, t.col, 3);
        if (!n) {
            p->depth--;
            return NULL;
        }
        n->args[0] = c;
        n->args[1] = a;
        n->args[2] = b;
        c = seal(p, n);
    }
    p->depth--;
    return p->failed ? NULL : c;
}

cel_node *cel_parse(cel_arena *a, const char *expr, const cel_parse_opts *o, char *err, size_t errlen)
{
    parser p = {0};
    p.a = a;
    p.src = expr;
    p.len = strlen(expr);
    p.line = 1;
    p.max_depth = o->max_depth;
    p.err = err;
    p.errlen = errlen;
    if (p.len > o->max_len) {
        snprintf(err, errlen, "expression is too long (%zu bytes, at most %zu)", p.len, o->max_len);
        return NULL;
    }
    if (!cel_utf8_valid(expr, p.len)) {
        snprintf(err, errlen, "expression is not valid UTF-8");
        return NULL;
    }
    next(&p);
    cel_node *root = p.failed ? NULL : parse_expr(&p);
    if (root && p.tok.kind != T_EOF) {
        unexpected(&p);
        root = NULL;
    }
    return p.failed ? NULL : root;
}
