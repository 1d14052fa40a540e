/*
 * accounts.h - scanning many accounts: `-o aws.role=arn:aws:iam::{account}:role/NAME`
 * with `-o aws.accounts=ID,ID,...` (and `-o aws.external_id`). Each account's
 * role is assumed with sts:AssumeRole from the chain's credentials, once,
 * lazily, by the first task of that account (tasks of different accounts run
 * concurrently); the credentials are re-assumed 5 minutes before they expire.
 * An account whose role cannot be assumed fails its tasks with the same
 * message and gets one error finding; the other accounts go on.
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
 * that is not an IAM role ARN, more than 1000 accounts.
 */
int aws_accounts_configure(aws_ctx *c, const cJSON *cfg, char *err, size_t errlen);

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

/** aws_account_leave - back to the chain's credentials; wipes @held. */
void aws_account_leave(aws_creds *held);

#endif
