/*
 * accounts.c - see accounts.h.
 */
#define _DEFAULT_SOURCE
#include "accounts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws_client.h"
#include "pagination.h"

#define MAX_ACCOUNTS 1000
#define MAX_ORG_ACCOUNTS 10000
#define REASSUME_BEFORE_S 300

static int twelve_digits(const char *s)
{
    return s && strlen(s) == 12 && strspn(s, "0123456789") == 12;
}

/* Where organizations:ListAccounts is served for the partition of the role
 * template (Organizations is a global service with one home region). */
static const char *org_region(const char *role)
{
    if (strncmp(role, "arn:aws-cn:", 11) == 0)
        return "cn-northwest-1";
    if (strncmp(role, "arn:aws-us-gov:", 15) == 0)
        return "us-gov-west-1";
    return "us-east-1";
}

/* Whether the configured list is exactly ["org"]; -1 when "org" is mixed with ids. */
static int org_list(const cJSON *accts)
{
    int n = cJSON_GetArraySize(accts), orgs = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, accts)
    {
        const char *id = cJSON_GetStringValue(a);
        if (id && strcmp(id, "org") == 0)
            orgs++;
    }
    if (orgs == 0)
        return 0;
    return orgs == 1 && n == 1 ? 1 : -1;
}

int aws_accounts_configure(aws_ctx *c, const cJSON *cfg, char *err, size_t errlen)
{
    const char *role = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cfg, "role"));
    const cJSON *accts = cJSON_GetObjectItemCaseSensitive(cfg, "accounts");
    const char *ext = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cfg, "external_id"));
    int n = cJSON_IsArray(accts) ? cJSON_GetArraySize(accts) : 0;
    if (!role && n == 0)
        return 0;
    if (!role || !*role) {
        snprintf(err, errlen, "aws.accounts needs aws.role (e.g. arn:aws:iam::{account}:role/NAME)");
        return -1;
    }
    if (n == 0) {
        snprintf(err, errlen,
                 "aws.role needs aws.accounts (a comma-separated list of 12-digit account ids, or org)");
        return -1;
    }
    if (n > MAX_ACCOUNTS) {
        snprintf(err, errlen, "aws.accounts: more than %d accounts", MAX_ACCOUNTS);
        return -1;
    }
    int org = org_list(accts);
    if (org < 0) {
        snprintf(err, errlen, "aws.accounts: org (every account of the organization) cannot be mixed with account ids");
        return -1;
    }
    if (strncmp(role, "arn:aws", 7) != 0 || !strstr(role, ":iam::") || !strstr(role, ":role/") || strlen(role) > 1000) {
        snprintf(err, errlen, "aws.role is not an IAM role ARN (arn:aws:iam::{account}:role/NAME)");
        return -1;
    }
    if (ext && (strlen(ext) < 2 || strlen(ext) > 1224)) {
        snprintf(err, errlen, "aws.external_id must be 2 to 1224 characters");
        return -1;
    }
    c->role_template = strdup(role);
    c->external_id = ext ? strdup(ext) : NULL;
    if (!c->role_template || (ext && !c->external_id)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char probe[1100];
    if (aws_account_role_arn(c, "123456789012", probe, sizeof probe) != 0) {
        snprintf(err, errlen, "aws.role is too long");
        return -1;
    }
    if (org) {
        c->org_accounts = 1; /* the list comes from aws_accounts_discover */
        return 0;
    }
    c->accounts = calloc((size_t)n, sizeof *c->accounts);
    if (!c->accounts) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    const cJSON *a;
    cJSON_ArrayForEach(a, accts)
    {
        const char *id = cJSON_GetStringValue(a);
        if (!twelve_digits(id)) {
            snprintf(err, errlen, "aws.accounts: '%.40s' is not a 12-digit account id", id ? id : "?");
            return -1;
        }
        for (size_t i = 0; i < c->n_accounts; i++)
            if (strcmp(c->accounts[i].id, id) == 0) {
                snprintf(err, errlen, "aws.accounts: %s is listed twice", id);
                return -1;
            }
        aws_account *acc = &c->accounts[c->n_accounts++];
        memcpy(acc->id, id, 13);
        pthread_mutex_init(&acc->mu, NULL);
    }
    return 0;
}

/* ---- AWS Organizations ---- */

/* What the pages of ListAccounts add up to. */
typedef struct org_list_state {
    aws_account *v;
    size_t n, cap;
    size_t skipped;
    char bad[AWS_ERR_LEN]; /* why a page was refused, or "" */
} org_list_state;

static int org_page(aws_ctx *c, aws_task *t, const cJSON *page, void *ud)
{
    (void)t;
    org_list_state *st = ud;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(page, "Accounts");
    if (!cJSON_IsArray(list)) {
        snprintf(st->bad, sizeof st->bad, "organizations:ListAccounts: the answer has no Accounts list");
        return AWS_E_FAIL;
    }
    const cJSON *a;
    cJSON_ArrayForEach(a, list)
    {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "Id"));
        /* State replaced Status in 2025; either says ACTIVE for a usable account */
        const char *state = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "State"));
        if (!state)
            state = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "Status"));
        if (!twelve_digits(id)) {
            snprintf(st->bad, sizeof st->bad, "organizations:ListAccounts: an account Id is not 12 digits");
            return AWS_E_FAIL;
        }
        if (!state || strcmp(state, "ACTIVE") != 0) {
            char clean[40];
            size_t k = 0;
            for (const char *p = state ? state : "unknown"; *p && k + 1 < sizeof clean; p++)
                clean[k++] = (*p >= 'A' && *p <= 'Z') || *p == '_' ? *p : '?';
            clean[k] = '\0';
            aws_log(c, PP_LOG_INFO, "organization account %s is %s: skipped", id, clean);
            st->skipped++;
            continue;
        }
        int dup = 0;
        for (size_t i = 0; i < st->n && !dup; i++)
            dup = strcmp(st->v[i].id, id) == 0;
        if (dup)
            continue;
        if (st->n == MAX_ORG_ACCOUNTS) {
            snprintf(st->bad, sizeof st->bad, "organizations:ListAccounts: more than %d active accounts",
                     MAX_ORG_ACCOUNTS);
            return AWS_E_FAIL;
        }
        if (st->n == st->cap) {
            size_t cap = st->cap ? st->cap * 2 : 64;
            aws_account *v = realloc(st->v, cap * sizeof *v);
            if (!v) {
                snprintf(st->bad, sizeof st->bad, "out of memory");
                return AWS_E_FAIL;
            }
            st->v = v, st->cap = cap;
        }
        aws_account *acc = &st->v[st->n++];
        memset(acc, 0, sizeof *acc);
        memcpy(acc->id, id, 13);
    }
    return AWS_OK;
}

int aws_accounts_discover(aws_ctx *c, char *err, size_t errlen)
{
    if (!c->org_accounts || c->accounts)
        return 0;
    aws_pager p = {0};
    p.service = "organizations";
    p.region = org_region(c->role_template);
    p.action = "ListAccounts";
    p.version = "AWSOrganizationsV20161128";
    p.permission = "organizations:ListAccounts";
    p.token_param = "NextToken";
    p.token_elem = "NextToken";
    org_list_state st = {0};
    aws_task none = {0};
    char why[AWS_ERR_LEN] = "";
    int rc = aws_json_paginate(c, &none, &p, org_page, &st, why, sizeof why);
    if (rc == AWS_OK && st.n == 0)
        snprintf(st.bad, sizeof st.bad, "organizations:ListAccounts: no ACTIVE account (%zu skipped)", st.skipped);
    if (rc != AWS_OK || st.n == 0) {
        if (st.bad[0])
            snprintf(err, errlen, "%s", st.bad);
        else if (rc == AWS_E_DENIED)
            snprintf(err, errlen,
                     "organizations:ListAccounts was denied (%s): aws.accounts=org needs the credentials of the "
                     "organization's management account or of a delegated administrator",
                     why[0] ? why : "AccessDenied");
        else if (rc == AWS_E_NOTFOUND || strstr(why, "AWSOrganizationsNotInUse"))
            snprintf(err, errlen, "organizations:ListAccounts failed (%s): the account is not in an organization",
                     why[0] ? why : "not found");
        else
            snprintf(err, errlen, "organizations:ListAccounts failed: %s", why[0] ? why : "no reason given");
        free(st.v);
        return -1;
    }
    for (size_t i = 0; i < st.n; i++)
        pthread_mutex_init(&st.v[i].mu, NULL);
    c->accounts = st.v;
    c->n_accounts = st.n;
    aws_log(c, PP_LOG_INFO, "organization: %zu active account(s), %zu skipped", st.n, st.skipped);
    return 0;
}

void aws_accounts_free(aws_ctx *c)
{
    for (size_t i = 0; i < c->n_accounts; i++) {
        aws_creds_clear(&c->accounts[i].creds);
        pthread_mutex_destroy(&c->accounts[i].mu);
    }
    free(c->accounts);
    free(c->role_template);
    if (c->external_id) {
        explicit_bzero(c->external_id, strlen(c->external_id));
        free(c->external_id);
    }
    c->accounts = NULL;
    c->role_template = c->external_id = NULL;
    c->n_accounts = 0;
}

int aws_account_role_arn(const aws_ctx *c, const char *account, char *out, size_t len)
{
    static const char ph[] = "{account}";
    size_t o = 0;
    for (const char *p = c->role_template; *p;) {
        const char *piece = p;
        size_t n = 1;
        if (strncmp(p, ph, sizeof ph - 1) == 0) {
            piece = account;
            n = strlen(account);
            p += sizeof ph - 1;
        } else {
            p++;
        }
        if (o + n >= len)
            return -1;
        memcpy(out + o, piece, n);
        o += n;
    }
    out[o] = '\0';
    return 0;
}

static aws_account *find_account(aws_ctx *c, const char *id)
{
    for (size_t i = 0; i < c->n_accounts; i++)
        if (strcmp(c->accounts[i].id, id) == 0)
            return &c->accounts[i];
    return NULL;
}

/* The account role the calling thread signs with (between enter and
 * leave), its held copy and the generation the copy was taken from. */
static _Thread_local aws_account *t_account;
static _Thread_local aws_creds *t_held;
static _Thread_local unsigned t_generation;

/* Assume @acc's role (its mutex held); 0, or -1 with the reason in
 * acc->error. A hub identity whose own temporary credentials the server
 * calls expired is refreshed (once) before giving up. */
static int assume_locked(aws_ctx *c, aws_account *acc, const char *role)
{
    char why[AWS_ERR_LEN - 64] = "";
    int ok = 0;
    aws_creds_clear(&acc->creds);
    for (int force = 0; force < 2 && !ok; force++) {
        aws_creds base = {0};
        why[0] = '\0';
        if (aws_chain_get(c, force, &base, why, sizeof why) == 0 &&
            aws_creds_assume_role(c, &base, role, "parapet-scan", c->external_id, 0, &acc->creds, why, sizeof why) ==
                0)
            ok = 1;
        aws_creds_clear(&base);
        if (!strstr(why, "ExpiredToken") && !strstr(why, "RequestExpired"))
            break;
    }
    if (!ok) {
        snprintf(acc->error, sizeof acc->error, "account %s: %s", acc->id, why[0] ? why : "cannot assume the role");
        return -1;
    }
    acc->generation++;
    return 0;
}

int aws_account_enter(aws_ctx *c, aws_task *t, aws_creds *held, char *err, size_t errlen)
{
    memset(held, 0, sizeof *held);
    if (!c->role_template)
        return 0;
    aws_account *acc = find_account(c, t->account);
    if (!acc) {
        snprintf(err, errlen, "account %s is not in aws.accounts", t->account);
        return -1;
    }
    char role[1100];
    aws_account_role_arn(c, acc->id, role, sizeof role);
    pthread_mutex_lock(&acc->mu);
    int rc = 0, first_failure = 0;
    if (acc->state == 1 && acc->creds.expires && acc->creds.expires - REASSUME_BEFORE_S <= time(NULL))
        acc->state = 0; /* about to expire: assume again */
    if (acc->state == 0) {
        if (assume_locked(c, acc, role) != 0) {
            acc->state = -1;
            first_failure = 1;
        } else {
            acc->state = 1;
            aws_log(c, PP_LOG_INFO, "account %s: assumed %s", acc->id, role);
        }
    }
    if (acc->state == 1) {
        rc = aws_creds_copy(held, &acc->creds) == 0 ? 0 : -1;
        if (rc != 0)
            snprintf(err, errlen, "account %s: out of memory", acc->id);
    } else {
        rc = -1;
        snprintf(err, errlen, "%s", acc->error);
    }
    unsigned gen = acc->generation;
    pthread_mutex_unlock(&acc->mu);
    if (first_failure) {
        const char *code = strstr(acc->error, "denied") ? "AccessDenied" : "AssumeRoleFailed";
        aws_emit_denied(c, t, "sts:AssumeRole", "the account (every service)", role, code);
    }
    if (rc == 0) {
        t_account = acc;
        t_held = held;
        t_generation = gen;
        aws_set_task_creds(held);
        aws_set_task_refresh(aws_account_refresh);
    }
    return rc;
}

int aws_account_refresh(aws_ctx *c, char *err, size_t errlen)
{
    aws_account *acc = t_account;
    if (!acc || !t_held) {
        snprintf(err, errlen, "no account role to assume again");
        return -1;
    }
    char role[1100];
    aws_account_role_arn(c, acc->id, role, sizeof role);
    pthread_mutex_lock(&acc->mu);
    int rc = 0;
    if (acc->state != 1 || acc->generation == t_generation) {
        /* nobody refreshed since this thread took its copy: assume again */
        if (assume_locked(c, acc, role) != 0) {
            acc->state = 0; /* the next task tries again */
            snprintf(err, errlen, "%s", acc->error);
            rc = -1;
        } else {
            acc->state = 1;
            aws_log(c, PP_LOG_INFO, "account %s: the role's credentials expired; assumed %s again", acc->id, role);
        }
    }
    if (rc == 0 && aws_creds_copy(t_held, &acc->creds) != 0) {
        snprintf(err, errlen, "account %s: out of memory", acc->id);
        rc = -1;
    }
    t_generation = acc->generation;
    pthread_mutex_unlock(&acc->mu);
    return rc;
}

void aws_account_leave(aws_creds *held)
{
    aws_set_task_creds(NULL);
    aws_set_task_refresh(NULL);
    t_account = NULL;
    t_held = NULL;
    aws_creds_clear(held);
}

/* ---- one task's items on several threads ---- */

#define PARALLEL_MAX 32

typedef struct par_run {
    aws_ctx *c;
    aws_task *t;
    size_t n, next;
    aws_item_fn fn;
    void *ud;
    pthread_mutex_t mu;
    int errors, denied;
    char first_error[AWS_ERR_LEN]; /* a worker's last_error, passed on to the caller's thread */
    /* the caller's account context (NULL: the chain's credentials) */
    aws_account *acc;
    const aws_creds *held;
    unsigned generation;
} par_run;

static void *par_worker(void *arg)
{
    par_run *r = arg;
    aws_creds mine = {0};
    int ok = 1;
    if (r->acc) {
        /* the caller is blocked in join: its held copy does not change meanwhile */
        ok = aws_creds_copy(&mine, r->held) == 0;
        t_account = r->acc;
        t_held = &mine;
        t_generation = r->generation;
        aws_set_task_creds(&mine);
        aws_set_task_refresh(aws_account_refresh);
    }
    aws_task local = *r->t;
    local.errors = local.denied = 0;
    while (ok && !aws_cancelled(r->c)) {
        pthread_mutex_lock(&r->mu);
        size_t i = r->next < r->n ? r->next++ : r->n;
        pthread_mutex_unlock(&r->mu);
        if (i >= r->n)
            break;
        r->fn(r->c, &local, i, r->ud);
    }
    if (!ok)
        local.errors++;
    pthread_mutex_lock(&r->mu);
    r->errors += local.errors;
    r->denied += local.denied;
    if (local.errors && !r->first_error[0])
        snprintf(r->first_error, sizeof r->first_error, "%s", ok ? aws_thread_error() : "out of memory");
    pthread_mutex_unlock(&r->mu);
    if (r->acc)
        aws_account_leave(&mine);
    return NULL;
}

int aws_parallel_for(aws_ctx *c, aws_task *t, size_t n, unsigned width, aws_item_fn fn, void *ud)
{
    if (width > PARALLEL_MAX)
        width = PARALLEL_MAX;
    if ((size_t)width > n)
        width = (unsigned)n;
    if (width <= 1) {
        for (size_t i = 0; i < n && !aws_cancelled(c); i++)
            fn(c, t, i, ud);
        return 0;
    }
    par_run r = {0};
    r.c = c, r.t = t, r.n = n, r.fn = fn, r.ud = ud;
    r.acc = t_account;
    r.held = t_held;
    r.generation = t_generation;
    pthread_mutex_init(&r.mu, NULL);
    pthread_t th[PARALLEL_MAX];
    unsigned started = 0;
    for (unsigned k = 0; k < width; k++) {
        if (pthread_create(&th[started], NULL, par_worker, &r) != 0)
            break;
        started++;
    }
    for (unsigned k = 0; k < started; k++)
        pthread_join(th[k], NULL);
    t->errors += r.errors;
    t->denied += r.denied;
    if (r.first_error[0])
        aws_set_error("%s", r.first_error);
    pthread_mutex_destroy(&r.mu);
    /* items nobody took (no thread started) run here */
    for (size_t i = r.next; i < n && !aws_cancelled(c); i++)
        fn(c, t, i, ud);
    return started ? 0 : -1;
}

