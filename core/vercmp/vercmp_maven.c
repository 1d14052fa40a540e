/*
 * core/vercmp/vercmp_maven.c - Maven version ordering (ComparableVersion).
 *
 * The version (lower-cased) is split into items at '.', at '-' and where
 * digits meet letters. A '-' or a digit/letter change opens a sub-list, so
 * 1.0-beta-2 is [1, [beta, [2]]]. Trailing "null" items (0, "" and the
 * release aliases ga, final, release) are dropped from every list.
 * Items compare: numbers as numbers; qualifiers in the order alpha < beta
 * < milestone < rc (= cr) < snapshot < "" (release) < sp < unknown ones
 * (as text); a letter directly followed by a digit abbreviates a, b, m;
 * a number is newer than a list, which is newer than a qualifier; a
 * missing item compares like 0 or the release qualifier.
 * Facts from the Maven documentation ("Version Order Specification" of
 * the POM reference).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "vercmp.h"
#include "vercmp_int.h"

enum { MV_INT, MV_STR, MV_LIST };

typedef struct mv_item {
    int kind;
    const char *p; /* INT: digits; STR: the qualifier text (lower case) */
    size_t n;
    int *kids; /* LIST: indices into the item array */
    size_t n_kids, cap_kids;
} mv_item;

typedef struct mv_version {
    char *text; /* lower-cased copy the items point into */
    mv_item *items;
    size_t n_items, cap_items;
} mv_version;

static void mv_free(mv_version *v)
{
    for (size_t i = 0; i < v->n_items; i++)
        free(v->items[i].kids);
    free(v->items);
    free(v->text);
}

static int mv_new(mv_version *v, int kind, const char *p, size_t n)
{
    if (v->n_items == v->cap_items) {
        size_t cap = v->cap_items ? v->cap_items * 2 : 16;
        mv_item *x = realloc(v->items, cap * sizeof *x);
        if (!x)
            return -1;
        v->items = x;
        v->cap_items = cap;
    }
    mv_item *it = &v->items[v->n_items];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->p = p;
    it->n = n;
    return (int)v->n_items++;
}

static int mv_add(mv_version *v, int list, int item)
{
    mv_item *l = &v->items[list];
    if (l->n_kids == l->cap_kids) {
        size_t cap = l->cap_kids ? l->cap_kids * 2 : 4;
        int *k = realloc(l->kids, cap * sizeof *k);
        if (!k)
            return -1;
        l->kids = k;
        l->cap_kids = cap;
    }
    l->kids[l->n_kids++] = item;
    return 0;
}

/* The qualifier a string item stands for, after aliases. */
static void mv_qualifier(const mv_item *it, int followed_by_digit, const char **q, size_t *n)
{
    *q = it->p;
    *n = it->n;
    if (followed_by_digit && it->n == 1) {
        const char *full = it->p[0] == 'a' ? "alpha" : it->p[0] == 'b' ? "beta" : it->p[0] == 'm' ? "milestone" : NULL;
        if (full) {
            *q = full;
            *n = strlen(full);
            return;
        }
    }
    if ((it->n == 2 && !memcmp(it->p, "ga", 2)) || (it->n == 5 && !memcmp(it->p, "final", 5)) ||
        (it->n == 7 && !memcmp(it->p, "release", 7))) {
        *q = "";
        *n = 0;
    } else if (it->n == 2 && !memcmp(it->p, "cr", 2)) {
        *q = "rc";
        *n = 2;
    }
}

/* Add the text [p, p+n) as an item of @list: a number or a qualifier. */
static int mv_add_text(mv_version *v, int list, const char *p, size_t n, int followed_by_digit)
{
    int all_digits = n > 0;
    for (size_t i = 0; i < n; i++)
        all_digits &= vc_digit(p[i]);
    int it;
    if (all_digits) {
        it = mv_new(v, MV_INT, p, n);
    } else {
        it = mv_new(v, MV_STR, p, n);
        if (it >= 0) {
            const char *q;
            size_t qn;
            mv_qualifier(&v->items[it], followed_by_digit, &q, &qn);
            v->items[it].p = q;
            v->items[it].n = qn;
        }
    }
    return it < 0 ? -1 : mv_add(v, list, it);
}

static int mv_is_null(const mv_version *v, int i)
{
    const mv_item *it = &v->items[i];
    if (it->kind == MV_INT)
        return vercmp_digits(it->p, it->n, "0", 1) == 0;
    if (it->kind == MV_STR)
        return it->n == 0;
    return it->n_kids == 0;
}

/* Drop trailing null items of every list, innermost first. */
static void mv_normalize(mv_version *v, int list)
{
    mv_item *l = &v->items[list];
    for (size_t k = 0; k < l->n_kids; k++)
        if (v->items[l->kids[k]].kind == MV_LIST)
            mv_normalize(v, l->kids[k]);
    /* from the end: drop null items; stop at the first non-null number or
     * qualifier (a non-null list does not stop it) */
    for (size_t k = l->n_kids; k-- > 0;) {
        int it = l->kids[k];
        if (mv_is_null(v, it)) {
            memmove(&l->kids[k], &l->kids[k + 1], (l->n_kids - k - 1) * sizeof l->kids[0]);
            l->n_kids--;
        } else if (v->items[it].kind != MV_LIST) {
            break;
        }
    }
}

static int mv_parse(const char *s, mv_version *v, char *err, size_t errlen)
{
    memset(v, 0, sizeof *v);
    if (!s || !*s)
        return vercmp_fail(err, errlen, "version string is empty", "");
    size_t len = strlen(s);
    if (len > VERCMP_MAX_LEN)
        return vercmp_fail(err, errlen, "version string is too long", s);
    v->text = malloc(len + 1);
    if (!v->text)
        return vercmp_fail(err, errlen, "out of memory", "");
    for (size_t i = 0; i <= len; i++)
        v->text[i] = (char)vc_lower((unsigned char)s[i]);
    const char *t = v->text;
    int list = mv_new(v, MV_LIST, NULL, 0);
    if (list < 0)
        goto nomem;
    int root = list;
    size_t start = 0;
    int is_digit = 0;
    for (size_t i = 0; i < len; i++) {
        char c = t[i];
        if (c == '.' || c == '-') {
            if (i == start) {
                int z = mv_new(v, MV_INT, "0", 1);
                if (z < 0 || mv_add(v, list, z))
                    goto nomem;
            } else if (mv_add_text(v, list, t + start, i - start, 0)) {
                goto nomem;
            }
            start = i + 1;
            if (c == '-') {
                int sub = mv_new(v, MV_LIST, NULL, 0);
                if (sub < 0 || mv_add(v, list, sub))
                    goto nomem;
                list = sub;
            }
        } else if (vc_digit(c)) {
            if (!is_digit && i > start) {
                if (mv_add_text(v, list, t + start, i - start, 1))
                    goto nomem;
                start = i;
                int sub = mv_new(v, MV_LIST, NULL, 0);
                if (sub < 0 || mv_add(v, list, sub))
                    goto nomem;
                list = sub;
            }
            is_digit = 1;
        } else {
            if (is_digit && i > start) {
                if (mv_add_text(v, list, t + start, i - start, 0))
                    goto nomem;
                start = i;
                int sub = mv_new(v, MV_LIST, NULL, 0);
                if (sub < 0 || mv_add(v, list, sub))
                    goto nomem;
                list = sub;
            }
            is_digit = 0;
        }
    }
    if (len > start && mv_add_text(v, list, t + start, len - start, 0))
        goto nomem;
    mv_normalize(v, root);
    return 0;
nomem:
    mv_free(v);
    memset(v, 0, sizeof *v);
    return vercmp_fail(err, errlen, "out of memory", "");
}

/* Rank text of a qualifier: "0".."6" for the known ones, "7-NAME" after. */
static int mv_qual_cmp(const char *a, size_t na, const char *b, size_t nb)
{
    static const char *const known[] = {"alpha", "beta", "milestone", "rc", "snapshot", "", "sp"};
    int ra = 7, rb = 7;
    for (int i = 0; i < 7; i++) {
        if (strlen(known[i]) == na && !memcmp(known[i], a, na))
            ra = i;
        if (strlen(known[i]) == nb && !memcmp(known[i], b, nb))
            rb = i;
    }
    if (ra != rb)
        return ra < rb ? -1 : 1;
    if (ra < 7)
        return 0;
    int c = memcmp(a, b, na < nb ? na : nb);
    if (!c && na != nb)
        c = na < nb ? -1 : 1;
    return vercmp_sign(c);
}

/* Compare item @i of @a with item @j of @b; -1 stands for a missing item. */
static int mv_cmp(const mv_version *a, int i, const mv_version *b, int j)
{
    if (i < 0 && j < 0)
        return 0;
    if (i < 0)
        return -mv_cmp(b, j, a, i);
    const mv_item *x = &a->items[i];
    if (j < 0) {
        if (x->kind == MV_INT)
            return mv_is_null(a, i) ? 0 : 1;
        if (x->kind == MV_STR)
            return mv_qual_cmp(x->p, x->n, "", 0);
        for (size_t k = 0; k < x->n_kids; k++) {
            int c = mv_cmp(a, x->kids[k], b, -1);
            if (c)
                return c;
        }
        return 0;
    }
    const mv_item *y = &b->items[j];
    if (x->kind == MV_INT) {
        if (y->kind == MV_INT)
            return vercmp_digits(x->p, x->n, y->p, y->n);
        return 1;
    }
    if (x->kind == MV_STR) {
        if (y->kind == MV_STR)
            return mv_qual_cmp(x->p, x->n, y->p, y->n);
        return -1;
    }
    if (y->kind == MV_INT)
        return -1;
    if (y->kind == MV_STR)
        return 1;
    size_t n = x->n_kids > y->n_kids ? x->n_kids : y->n_kids;
    for (size_t k = 0; k < n; k++) {
        int c = mv_cmp(a, k < x->n_kids ? x->kids[k] : -1, b, k < y->n_kids ? y->kids[k] : -1);
        if (c)
            return c;
    }
    return 0;
}

int vercmp_maven(const char *a, const char *b, int *cmp, char *err, size_t errlen)
{
    mv_version va, vb;
    if (mv_parse(a, &va, err, errlen))
        return -1;
    if (mv_parse(b, &vb, err, errlen)) {
        mv_free(&va);
        return -1;
    }
    *cmp = vercmp_sign(mv_cmp(&va, 0, &vb, 0));
    mv_free(&va);
    mv_free(&vb);
    return 0;
}
