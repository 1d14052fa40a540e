/*
 * accounts.h - scanning many accounts: `-o aws.role=arn:aws:iam::{account}:role/NAME`
 * with `-o aws.accounts=ID,ID,...` (and `-o aws.external_id`). Each account's
 * role is assumed with sts:AssumeRole from the chain's credentials, once,
 * lazily, by the first task of that account (tasks of different accounts run
 * concurrently); the credentials are re-assumed 5 minutes before they expire.
 * An account whose role cannot be assumed fails its tasks with the same
 * message and gets one error finding; the other accounts go on.
 *
 * `-o aws.accounts=org` takes the accounts from AWS Organizations instead
 * (organizations:ListAccounts with the chain's credentials, which must be
 * those of the management account or a delegated administrator): every
 * ACTIVE account, the others skipped with an info line.
 *
 * A call answered ExpiredToken while signed with an account's role makes
 * the role be assumed again (once for all the threads holding the expired
 * copy, see aws_account_refresh) and the call be retried once.
 */
#ifndef PP_AWS_ACCOUNTS_H
#define PP_AWS_ACCOUNTS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "aws_ctx.h"
#include "aws_emit.h"

/**
 * aws_accounts_configure - read `role`, `accounts` and `external_id` from
 * the plugin configuration @cfg into @c. Returns 0 (also when none is set),
 * or -1 with a reason in @err: a role without accounts, accounts without a
 * role, an account id that is not 12 digits, a repeated account, a role
 * that is not an IAM role ARN, more than 1000 accounts, "org" together
 * with account ids. With `accounts` ["org"] it sets c->org_accounts and
 * leaves the account list empty until aws_accounts_discover.
 */
int aws_accounts_configure(aws_ctx *c, const cJSON *cfg, char *err, size_t errlen);

/**
 * aws_accounts_discover - with aws.accounts=org, fill the account list
 * from organizations:ListAccounts (JSON 1.1, NextToken pages, signed with
 * the chain's credentials, in the organizations region of the role's
 * partition). Accounts whose State (or, in older answers, Status) is not
 * ACTIVE are left out and named at info level. Without aws.accounts=org it
 * does nothing. Returns 0, or -1 with a reason naming
 * organizations:ListAccounts in @err (denied, not in an organization,
 * malformed answer, no active account, more than 10000 accounts).
 * Called once, from plan, before any task runs.
 */
int aws_accounts_discover(aws_ctx *c, char *err, size_t errlen);

/**
 * aws_account_refresh - the calling thread's task is signed with an
 * account role (between aws_account_enter and aws_account_leave) and a
 * call was answered ExpiredToken: assume the role again, unless another
 * thread already did since this thread copied the credentials, and put the
 * new copy in the thread's held credentials. Returns 0, or -1 with a
 * reason in @err (no account role on this thread, or the role cannot be
 * assumed again). Thread-safe.
 */
int aws_account_refresh(aws_ctx *c, char *err, size_t errlen);

/** aws_accounts_free - release what aws_accounts_configure set (secrets wiped). */
void aws_accounts_free(aws_ctx *c);

/**
 * aws_account_role_arn - the role ARN for @account (the template with
 * every "{account}" replaced) in @out. Returns 0, or -1 when it does not fit.
 */
int aws_account_role_arn(const aws_ctx *c, const char *account, char *out, size_t len);

/**
 * aws_account_enter - make the calling thread sign with @t's account role
 * (assuming it when needed); @held receives a copy of the credentials that
 * the caller passes to aws_account_leave. Without aws.role it does nothing
 * and returns 0. Returns -1 with the reason in @err when the role cannot
 * be assumed (the first failure per account emits an error finding).
 */
int aws_account_enter(aws_ctx *c, aws_task *t, aws_creds *held, char *err, size_t errlen);

/** Threads a collector gives aws_parallel_for for its per-item calls. */
#define AWS_ITEM_WIDTH 8

/** Work item of aws_parallel_for: handle item @i of the caller's list. */
typedef void (*aws_item_fn)(aws_ctx *c, aws_task *t, size_t i, void *ud);

/**
 * aws_parallel_for - run @fn for i = 0 .. @n-1 on up to @width threads
 * (at most 32; 1, or n <= 1, runs them on the calling thread), for
 * collectors whose per-item calls (a bucket's ten settings, a user's
 * keys and MFA devices) would otherwise go one after the other. Each
 * thread signs in the task's name: with the account role the calling
 * thread holds (its own copy, renewed on ExpiredToken like the caller's)
 * or the chain's credentials; each gets its own copy of @t, whose
 * `errors` and `denied` counts are added to @t at the end. @fn may read
 * shared data but must not write it without its own lock; the host's
 * services are thread-safe. Items are taken in order; once the scan is
 * cancelled no new item starts. Returns 0, or -1 when no thread could be
 * started (then every item ran on the calling thread).
 */
int aws_parallel_for(aws_ctx *c, aws_task *t, size_t n, unsigned width, aws_item_fn fn, void *ud);

/** aws_account_leave - back to the chain's credentials; wipes @held. */
void aws_account_leave(aws_creds *held);

#endif
