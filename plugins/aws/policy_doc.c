/*
 * policy_doc.c - see policy_doc.h. Semantics, with the reasons for each
 * conservative choice: docs/aws-policy-functions.md.
 *
 * Facts used (AWS IAM User Guide, "IAM JSON policy elements reference"):
 * Statement is one object or a list; Effect is exactly "Allow" or "Deny";
 * a statement has Action or NotAction (not both), Resource or NotResource,
 * Principal or NotPrincipal; action names compare without case, resource
 * ARNs with case; `*` and `?` are the only wildcards; condition keys
 * compare without case; operators ending in IfExists hold when the key is
 * absent; ForAllValues holds for an absent (empty) key, ForAnyValue does
 * not; an explicit Deny wins over any Allow.
 */
#include "policy_doc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------ patterns */

static int same_char(char x, char y, int fold)
{
    if (fold)
        return tolower((unsigned char)x) == tolower((unsigned char)y);
    return x == y;
}

int awsp_glob(const char *a, const char *b, awsp_glob_mode mode, int fold, unsigned long *budget)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > AWSP_MAX_PATTERN || m > AWSP_MAX_PATTERN)
        return -1;
    unsigned long cells = (unsigned long)(n + 1) * (unsigned long)(m + 2);
    if (budget) {
        if (*budget < cells)
            return -1;
        *budget -= cells;
    }
    /* reach[i][j]: a[0..i) and b[0..j) can be consumed together. Every
     * step moves to (i, j+1), (i+1, j) or (i+1, j+1), so two rows do. */
    unsigned char rows[2][AWSP_MAX_PATTERN + 2];
    unsigned char *cur = rows[0], *nxt = rows[1];
    memset(cur, 0, m + 2);
    cur[0] = 1;
    for (size_t i = 0; i <= n; i++) {
        memset(nxt, 0, m + 2);
        char ai = i < n ? a[i] : '\0';
        for (size_t j = 0; j <= m; j++) {
            if (!cur[j])
                continue;
            char bj = j < m ? b[j] : '\0';
            int more_a = i < n, more_b = j < m;
            switch (mode) {
            case AWSP_MATCH:
                if (ai == '*') {
                    nxt[j] = 1;           /* the star matches nothing more */
                    if (more_b)
                        cur[j + 1] = 1;   /* or one more character */
                } else if (more_a && more_b && (ai == '?' || same_char(ai, bj, fold))) {
                    nxt[j + 1] = 1;
                }
                break;
            case AWSP_INTERSECT:
                if (ai == '*')
                    nxt[j] = 1;
                if (bj == '*')
                    cur[j + 1] = 1;
                if (more_a && more_b) {
                    if (ai != '*' && bj != '*' && (ai == '?' || bj == '?' || same_char(ai, bj, fold)))
                        nxt[j + 1] = 1;
                    else if (ai == '*' && bj != '*')
                        cur[j + 1] = 1;
                    else if (ai != '*' && bj == '*')
                        nxt[j] = 1;
                }
                break;
            case AWSP_COVERS:
                /* each symbol of b maps to a symbol of a that accepts at
                 * least as much: b's '*' only to a's '*', b's '?' to '?'
                 * or '*', a letter to the same letter, '?' or '*' */
                if (ai == '*') {
                    nxt[j] = 1;
                    if (more_b)
                        cur[j + 1] = 1;
                } else if (more_a && more_b && bj != '*') {
                    if (ai == '?' || (bj != '?' && same_char(ai, bj, fold)))
                        nxt[j + 1] = 1;
                }
                break;
            }
        }
        if (i == n)
            return cur[m] ? 1 : 0;
        unsigned char *t = cur;
        cur = nxt;
        nxt = t;
    }
    return 0; /* not reached */
}

/* ------------------------------------------------------------ documents */

typedef struct stmt {
    int allow;
    const cJSON *action, *notaction;       /* exactly one is set */
    const cJSON *resource, *notresource;   /* at most one */
    const cJSON *principal, *notprincipal; /* at most one */
    const cJSON *condition;                /* an object, or NULL */
} stmt;

typedef struct policy {
    stmt *s;
    size_t n;
    unsigned long budget;
    int over_budget;
} policy;

/* Iterate over the strings of a member that is a string or a list of them. */
#define EACH_STRING(e, v) \
    for (const cJSON *e = cJSON_IsArray(v) ? (v)->child : (v); e; e = cJSON_IsArray(v) ? e->next : NULL)

static int fail(char *err, size_t errlen, const char *fmt, size_t i, const char *what)
{
    snprintf(err, errlen, fmt, i, what);
    return -1;
}

/* A string, or a list of at most AWSP_MAX_VALUES strings, each at most AWSP_MAX_PATTERN bytes. */
static int check_strings(const cJSON *v, size_t i, const char *name, char *err, size_t errlen)
{
    if (cJSON_IsString(v))
        return strlen(v->valuestring) <= AWSP_MAX_PATTERN
                   ? 0
                   : fail(err, errlen, "Statement[%zu].%s: a value is longer than 2048 bytes", i, name);
    if (!cJSON_IsArray(v))
        return fail(err, errlen, "Statement[%zu].%s: not a string or a list of strings", i, name);
    if (cJSON_GetArraySize(v) > AWSP_MAX_VALUES)
        return fail(err, errlen, "Statement[%zu].%s: more than 1000 values", i, name);
    for (const cJSON *e = v->child; e; e = e->next) {
        if (!cJSON_IsString(e))
            return fail(err, errlen, "Statement[%zu].%s: not a string or a list of strings", i, name);
        if (strlen(e->valuestring) > AWSP_MAX_PATTERN)
            return fail(err, errlen, "Statement[%zu].%s: a value is longer than 2048 bytes", i, name);
    }
    return 0;
}

static int check_principal(const cJSON *v, size_t i, const char *name, char *err, size_t errlen)
{
    if (cJSON_IsString(v))
        return strcmp(v->valuestring, "*") == 0
                   ? 0
                   : fail(err, errlen, "Statement[%zu].%s: a string principal must be \"*\"", i, name);
    if (!cJSON_IsObject(v))
        return fail(err, errlen, "Statement[%zu].%s: not \"*\" or an object of principal types", i, name);
    if (cJSON_GetArraySize(v) > 16)
        return fail(err, errlen, "Statement[%zu].%s: more than 16 principal types", i, name);
    for (const cJSON *t = v->child; t; t = t->next)
        if (check_strings(t, i, name, err, errlen) != 0)
            return -1;
    return 0;
}

static int check_condition(const cJSON *v, size_t i, char *err, size_t errlen)
{
    if (!cJSON_IsObject(v))
        return fail(err, errlen, "Statement[%zu].%s: not an object of operators", i, "Condition");
    if (cJSON_GetArraySize(v) > 100)
        return fail(err, errlen, "Statement[%zu].%s: more than 100 operators", i, "Condition");
    for (const cJSON *op = v->child; op; op = op->next) {
        if (!cJSON_IsObject(op))
            return fail(err, errlen, "Statement[%zu].%s: an operator's value is not an object of keys", i,
                        "Condition");
        if (cJSON_GetArraySize(op) > 100)
            return fail(err, errlen, "Statement[%zu].%s: more than 100 keys under one operator", i, "Condition");
        for (const cJSON *k = op->child; k; k = k->next) {
            int ok = cJSON_IsString(k) || cJSON_IsNumber(k) || cJSON_IsBool(k);
            if (cJSON_IsArray(k)) {
                ok = cJSON_GetArraySize(k) <= AWSP_MAX_VALUES;
                for (const cJSON *e = k->child; ok && e; e = e->next)
                    ok = cJSON_IsString(e) || cJSON_IsNumber(e) || cJSON_IsBool(e);
            }
            if (!ok)
                return fail(err, errlen, "Statement[%zu].%s: a key's value is not a string, number, boolean or list", i,
                            "Condition");
        }
    }
    return 0;
}

static int parse_stmt(const cJSON *o, size_t i, stmt *st, char *err, size_t errlen)
{
    memset(st, 0, sizeof *st);
    if (!cJSON_IsObject(o))
        return fail(err, errlen, "Statement[%zu]%s: not an object", i, "");
    const char *effect = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "Effect"));
    if (!effect || (strcmp(effect, "Allow") != 0 && strcmp(effect, "Deny") != 0))
        return fail(err, errlen, "Statement[%zu].%s: must be \"Allow\" or \"Deny\"", i, "Effect");
    st->allow = effect[0] == 'A';
    st->action = cJSON_GetObjectItemCaseSensitive(o, "Action");
    st->notaction = cJSON_GetObjectItemCaseSensitive(o, "NotAction");
    st->resource = cJSON_GetObjectItemCaseSensitive(o, "Resource");
    st->notresource = cJSON_GetObjectItemCaseSensitive(o, "NotResource");
    st->principal = cJSON_GetObjectItemCaseSensitive(o, "Principal");
    st->notprincipal = cJSON_GetObjectItemCaseSensitive(o, "NotPrincipal");
    st->condition = cJSON_GetObjectItemCaseSensitive(o, "Condition");
    if (!st->action == !st->notaction)
        return fail(err, errlen, "Statement[%zu]: needs exactly one of %s", i, "Action and NotAction");
    if (st->resource && st->notresource)
        return fail(err, errlen, "Statement[%zu]: has both %s", i, "Resource and NotResource");
    if (st->principal && st->notprincipal)
        return fail(err, errlen, "Statement[%zu]: has both %s", i, "Principal and NotPrincipal");
    if (check_strings(st->action ? st->action : st->notaction, i, st->action ? "Action" : "NotAction", err,
                      errlen) != 0)
        return -1;
    if ((st->resource || st->notresource) &&
        check_strings(st->resource ? st->resource : st->notresource, i, st->resource ? "Resource" : "NotResource",
                      err, errlen) != 0)
        return -1;
    if ((st->principal || st->notprincipal) &&
        check_principal(st->principal ? st->principal : st->notprincipal, i,
                        st->principal ? "Principal" : "NotPrincipal", err, errlen) != 0)
        return -1;
    if (st->condition && check_condition(st->condition, i, err, errlen) != 0)
        return -1;
    return 0;
}

/* Read @doc into @p (statements borrowed from @doc). 0, or -1 with @err. */
static int parse_policy(const cJSON *doc, policy *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->budget = AWSP_WORK_BUDGET;
    if (!cJSON_IsObject(doc)) {
        snprintf(err, errlen, "the policy is not a JSON object");
        return -1;
    }
    const cJSON *sts = cJSON_GetObjectItemCaseSensitive(doc, "Statement");
    if (!sts) {
        snprintf(err, errlen, "the policy has no Statement");
        return -1;
    }
    if (!cJSON_IsObject(sts) && !cJSON_IsArray(sts)) {
        snprintf(err, errlen, "Statement: not an object or a list of objects");
        return -1;
    }
    size_t n = cJSON_IsArray(sts) ? (size_t)cJSON_GetArraySize(sts) : 1;
    if (n > AWSP_MAX_STATEMENTS) {
        snprintf(err, errlen, "Statement: more than %d statements", AWSP_MAX_STATEMENTS);
        return -1;
    }
    p->s = calloc(n ? n : 1, sizeof *p->s);
    if (!p->s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t i = 0;
    EACH_STRING(o, sts)
    {
        if (parse_stmt(o, i, &p->s[i], err, errlen) != 0) {
            free(p->s);
            p->s = NULL;
            return -1;
        }
        i++;
    }
    p->n = i;
    return 0;
}

/* A pattern comparison that counts against the call's budget (an exhausted
 * budget reads as "no" and is reported by finish()). */
static int g(policy *p, const char *a, const char *b, awsp_glob_mode mode, int fold)
{
    int r = awsp_glob(a, b, mode, fold, &p->budget);
    if (r < 0) {
        p->over_budget = 1;
        return 0;
    }
    return r;
}

static int finish(policy *p, char *err, size_t errlen)
{
    free(p->s);
    p->s = NULL;
    if (p->over_budget) {
        snprintf(err, errlen, "the policy is too complex to analyse (pattern-matching budget exhausted)");
        return -1;
    }
    return 0;
}

/* Does some pattern of the list @v relate to @text as @mode says? */
static int any(policy *p, const cJSON *v, const char *text, awsp_glob_mode mode, int fold)
{
    EACH_STRING(e, v)
    {
        if (g(p, e->valuestring, text, mode, fold))
            return 1;
    }
    return 0;
}

/* The statement's actions include every action @q matches. */
static int actions_cover(policy *p, const stmt *st, const char *q)
{
    if (st->action)
        return any(p, st->action, q, AWSP_COVERS, 1);
    return !any(p, st->notaction, q, AWSP_INTERSECT, 1);
}

/* The statement's actions include some action @q matches. */
static int actions_meet(policy *p, const stmt *st, const char *q)
{
    if (st->action)
        return any(p, st->action, q, AWSP_INTERSECT, 1);
    return !any(p, st->notaction, q, AWSP_COVERS, 1);
}

/* The statement's resources include every resource @r matches (NULL: "*"). */
static int resources_cover(policy *p, const stmt *st, const char *r)
{
    if (st->resource)
        return any(p, st->resource, r ? r : "*", AWSP_COVERS, 0);
    if (st->notresource)
        return r ? !any(p, st->notresource, r, AWSP_INTERSECT, 0) : 0;
    return 1;
}

/* Principal "*", or "*" under any principal type. */
static int principal_everyone(const cJSON *pr)
{
    if (cJSON_IsString(pr))
        return strcmp(pr->valuestring, "*") == 0;
    for (const cJSON *t = pr ? pr->child : NULL; t; t = t->next)
        EACH_STRING(e, t)
        {
            if (strcmp(e->valuestring, "*") == 0)
                return 1;
        }
    return 0;
}

/* ------------------------------------------------------------ conditions */

static const char *const restricting_keys[] = {
    "aws:sourceaccount", "aws:sourcearn",       "aws:sourceowner",       "aws:sourcevpc",
    "aws:sourcevpce",    "aws:sourcevpcarn",    "aws:sourceip",          "aws:vpcsourceip",
    "aws:sourceorgid",   "aws:sourceorgpaths",  "aws:principalorgid",    "aws:principalorgpaths",
    "aws:principalaccount", "aws:principalarn", "aws:userid",            "aws:username",
    "kms:calleraccount"};
static const char *const restricting_ops[] = {"stringequals", "stringequalsignorecase", "stringlike",
                                              "arnequals",    "arnlike",                "ipaddress"};

static int in_ci(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(s, list[i]) == 0)
            return 1;
    return 0;
}

/* Whether operator @op narrows to the listed values (0 for negated
 * operators, IfExists and ForAllValues, which hold when the key is absent). */
static int narrowing_op(const char *op, int *is_ip)
{
    *is_ip = 0;
    if (strncasecmp(op, "ForAllValues:", 13) == 0)
        return 0;
    if (strncasecmp(op, "ForAnyValue:", 12) == 0)
        op += 12;
    size_t n = strlen(op);
    if (n >= 8 && strcasecmp(op + n - 8, "IfExists") == 0)
        return 0;
    *is_ip = strcasecmp(op, "IpAddress") == 0;
    return in_ci(op, restricting_ops, sizeof restricting_ops / sizeof *restricting_ops);
}

/* A value that names something specific: not "*", "?*", "0.0.0.0/0", "::/0", "". */
static int specific_value(const cJSON *v, int is_ip)
{
    if (cJSON_IsNumber(v))
        return 1;
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return 0;
    const char *s = v->valuestring;
    if (strspn(s, "*?") == strlen(s))
        return 0;
    if (is_ip && (strcmp(s, "0.0.0.0/0") == 0 || strcmp(s, "::/0") == 0))
        return 0;
    return 1;
}

/* Every value of a condition key (a scalar or a list, at least one) passes @ok. */
static int all_values(const cJSON *k, int is_ip, int (*ok)(const cJSON *, int, const char *), const char *own)
{
    int seen = 0;
    for (const cJSON *e = cJSON_IsArray(k) ? k->child : k; e; e = cJSON_IsArray(k) ? e->next : NULL) {
        if (!ok(e, is_ip, own))
            return 0;
        seen = 1;
    }
    return seen;
}

static int specific_ok(const cJSON *v, int is_ip, const char *own)
{
    (void)own;
    return specific_value(v, is_ip);
}

/* A condition of @st limits who may use it (see restricting_keys). */
static int restricted(const stmt *st)
{
    for (const cJSON *op = st->condition ? st->condition->child : NULL; op; op = op->next) {
        int is_ip;
        if (!narrowing_op(op->string, &is_ip))
            continue;
        for (const cJSON *k = op->child; k; k = k->next)
            if (in_ci(k->string, restricting_keys, sizeof restricting_keys / sizeof *restricting_keys) &&
                all_values(k, is_ip, specific_ok, NULL))
                return 1;
    }
    return 0;
}

static int twelve_digits(const char *s, size_t n)
{
    if (n != 12)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* The account of a principal: a 12-digit id, or the 5th field of an ARN.
 * Copies it into @out (13 bytes) and returns 1, or returns 0. */
static int account_of(const char *v, char out[13])
{
    const char *a = v;
    size_t n = strlen(v);
    if (strncmp(v, "arn:", 4) == 0) {
        a = v;
        for (int f = 0; f < 4 && a; f++) {
            a = strchr(a, ':');
            if (a)
                a++;
        }
        if (!a)
            return 0;
        n = strcspn(a, ":");
    }
    if (!twelve_digits(a, n))
        return 0;
    memcpy(out, a, 12);
    out[12] = '\0';
    return 1;
}

static int value_is_own_account(const cJSON *v, int is_ip, const char *own)
{
    (void)is_ip;
    char buf[24];
    const char *s = cJSON_GetStringValue(v);
    if (cJSON_IsNumber(v)) {
        snprintf(buf, sizeof buf, "%.0f", v->valuedouble);
        s = buf;
    }
    return s && strcmp(s, own) == 0;
}

static int value_is_own_arn(const cJSON *v, int is_ip, const char *own)
{
    (void)is_ip;
    char acct[13];
    const char *s = cJSON_GetStringValue(v);
    return s && strncmp(s, "arn:", 4) == 0 && account_of(s, acct) && strcmp(acct, own) == 0;
}

/* A condition of @st limits a "*" principal to the account @own. */
static int limited_to_own(const stmt *st, const char *own)
{
    static const char *const acct_keys[] = {"aws:principalaccount", "aws:sourceaccount", "kms:calleraccount",
                                            "aws:sourceowner"};
    static const char *const arn_keys[] = {"aws:principalarn", "aws:sourcearn"};
    for (const cJSON *op = st->condition ? st->condition->child : NULL; op; op = op->next) {
        int is_ip;
        if (!narrowing_op(op->string, &is_ip))
            continue;
        for (const cJSON *k = op->child; k; k = k->next) {
            if (in_ci(k->string, acct_keys, 4) && all_values(k, 0, value_is_own_account, own))
                return 1;
            if (in_ci(k->string, arn_keys, 2) && all_values(k, 0, value_is_own_arn, own))
                return 1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------ Deny */

/* @d is an explicit Deny that applies to everyone, always. */
static int deny_for_everyone(const stmt *d)
{
    return !d->allow && !d->condition &&
           (!d->principal || principal_everyone(d->principal) || d->notprincipal);
}

/* Deny @d covers every resource the Allow @st grants. */
static int deny_covers_resources(policy *p, const stmt *d, const stmt *st)
{
    if (!d->resource && !d->notresource)
        return 1;
    if (!st->resource) /* the Allow is on everything (or everything but...) */
        return resources_cover(p, d, NULL);
    EACH_STRING(r, st->resource)
    {
        if (!resources_cover(p, d, r->valuestring))
            return 0;
    }
    return 1;
}

/* Some unconditional Deny for everyone takes back action pattern @q of Allow @st. */
static int denied_public(policy *p, const stmt *st, const char *q)
{
    for (size_t i = 0; i < p->n; i++) {
        const stmt *d = &p->s[i];
        if (deny_for_everyone(d) && actions_cover(p, d, q) && deny_covers_resources(p, d, st))
            return 1;
    }
    return 0;
}

static int public_allow(const stmt *st)
{
    return st->allow && (st->notprincipal || (st->principal && principal_everyone(st->principal))) &&
           !restricted(st);
}

/* ------------------------------------------------------------ the questions */

int awsp_allows_public(const cJSON *doc, const char *action, int *out, char *err, size_t errlen)
{
    policy p;
    *out = 0;
    if (parse_policy(doc, &p, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < p.n && !*out; i++) {
        const stmt *st = &p.s[i];
        if (public_allow(st) && actions_meet(&p, st, action) && !denied_public(&p, st, action))
            *out = 1;
    }
    return finish(&p, err, errlen);
}

int awsp_public_actions(const cJSON *doc, cJSON **out, char *err, size_t errlen)
{
    policy p;
    *out = NULL;
    if (parse_policy(doc, &p, err, errlen) != 0)
        return -1;
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; list && i < p.n; i++) {
        const stmt *st = &p.s[i];
        if (!public_allow(st))
            continue;
        static const char star[] = "*";
        const cJSON fake = {.type = cJSON_String, .valuestring = (char *)star};
        const cJSON *acts = st->action ? st->action : &fake;
        EACH_STRING(a, acts)
        {
            const char *q = a->valuestring;
            if (denied_public(&p, st, q))
                continue;
            int dup = 0;
            for (const cJSON *e = list->child; e && !dup; e = e->next)
                dup = strcasecmp(e->valuestring, q) == 0;
            if (!dup && cJSON_GetArraySize(list) < AWSP_MAX_VALUES)
                cJSON_AddItemToArray(list, cJSON_CreateString(q));
        }
    }
    if (finish(&p, err, errlen) != 0 || !list) {
        if (!list)
            snprintf(err, errlen, "out of memory");
        cJSON_Delete(list);
        return -1;
    }
    *out = list;
    return 0;
}

int awsp_allows_action(const cJSON *doc, const char *action, const char *resource, int *out, char *err,
                       size_t errlen)
{
    policy p;
    *out = 0;
    if (parse_policy(doc, &p, err, errlen) != 0)
        return -1;
    int granted = 0;
    for (size_t i = 0; i < p.n && !granted; i++) {
        const stmt *st = &p.s[i];
        if (!st->allow || !actions_cover(&p, st, action))
            continue;
        if (resource)
            granted = resources_cover(&p, st, resource);
        else /* some resource: anything but a NotResource of everything */
            granted = !st->notresource || !any(&p, st->notresource, "*", AWSP_COVERS, 0);
    }
    for (size_t i = 0; granted && i < p.n; i++) {
        const stmt *d = &p.s[i];
        if (!d->allow && !d->condition && (!d->principal || principal_everyone(d->principal)) &&
            actions_cover(&p, d, action) && resources_cover(&p, d, resource))
            granted = 0;
    }
    *out = granted;
    return finish(&p, err, errlen);
}

int awsp_allows_cross_account(const cJSON *doc, const char *own, int *out, char *err, size_t errlen)
{
    policy p;
    *out = 0;
    if (!own || !twelve_digits(own, strlen(own))) {
        snprintf(err, errlen, "the account must be 12 digits");
        return -1;
    }
    if (parse_policy(doc, &p, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < p.n && !*out; i++) {
        const stmt *st = &p.s[i];
        if (!st->allow)
            continue;
        if (st->notprincipal) {
            *out = 1;
            break;
        }
        const cJSON *pr = st->principal;
        if (!pr)
            continue;
        if (cJSON_IsString(pr)) { /* "*" */
            *out = !limited_to_own(st, own);
            continue;
        }
        for (const cJSON *t = pr->child; t && !*out; t = t->next) {
            int aws = strcmp(t->string, "AWS") == 0, fed = strcmp(t->string, "Federated") == 0;
            EACH_STRING(e, t)
            {
                const char *v = e->valuestring;
                char acct[13];
                if (strcmp(v, "*") == 0)
                    *out = !limited_to_own(st, own);
                else if ((aws || fed) && account_of(v, acct))
                    *out = strcmp(acct, own) != 0;
                else if (fed && strncmp(v, "arn:", 4) != 0)
                    *out = 1; /* a web identity provider (accounts.google.com, ...): outside any account */
                if (*out)
                    break;
            }
        }
    }
    return finish(&p, err, errlen);
}
