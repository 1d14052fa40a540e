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

#define MAX_ACCOUNTS 1000
#define REASSUME_BEFORE_S 300

static int twelve_digits(const char *s)
{
    return s && strlen(s) == 12 && strspn(s, "0123456789") == 12;
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
        snprintf(err, errlen, "aws.role needs aws.accounts (a comma-separated list of 12-digit account ids)");
        return -1;
    }
    if (n > MAX_ACCOUNTS) {
        snprintf(err, errlen, "aws.accounts: more than %d accounts", MAX_ACCOUNTS);
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
    c->accounts = calloc((size_t)n, sizeof *c->accounts);
    c->role_template = strdup(role);
    c->external_id = ext ? strdup(ext) : NULL;
    if (!c->accounts || !c->role_template || (ext && !c->external_id)) {
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
    char probe[1100];
    if (aws_account_role_arn(c, c->accounts[0].id, probe, sizeof probe) != 0) {
        snprintf(err, errlen, "aws.role is too long");
        return -1;
    }
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
        aws_creds base = {0};
        char why[AWS_ERR_LEN - 64] = "";
        aws_creds_clear(&acc->creds);
        if (aws_chain_get(c, 0, &base, why, sizeof why) != 0 ||
            aws_creds_assume_role(c, &base, role, "parapet-scan", c->external_id, 0, &acc->creds, why, sizeof why) !=
                0) {
            acc->state = -1;
            first_failure = 1;
            snprintf(acc->error, sizeof acc->error, "account %s: %s", acc->id, why[0] ? why : "cannot assume the role");
        } else {
            acc->state = 1;
            aws_log(c, PP_LOG_INFO, "account %s: assumed %s", acc->id, role);
        }
        aws_creds_clear(&base);
    }
    if (acc->state == 1) {
        rc = aws_creds_copy(held, &acc->creds) == 0 ? 0 : -1;
        if (rc != 0)
            snprintf(err, errlen, "account %s: out of memory", acc->id);
    } else {
        rc = -1;
        snprintf(err, errlen, "%s", acc->error);
    }
    pthread_mutex_unlock(&acc->mu);
    if (first_failure) {
        const char *code = strstr(acc->error, "denied") ? "AccessDenied" : "AssumeRoleFailed";
        aws_emit_denied(c, t, "sts:AssumeRole", "the account (every service)", role, code);
    }
    if (rc == 0)
        aws_set_task_creds(held);
    return rc;
}

void aws_account_leave(aws_creds *held)
{
    aws_set_task_creds(NULL);
    aws_creds_clear(held);
}
