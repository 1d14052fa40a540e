/*
 * aws_ctx.h - the state of one aws plugin instance, shared by its files.
 *
 * One instance serves a whole scan; collect runs on several threads at
 * once, so everything mutable here sits behind a mutex.
 */
#ifndef PP_AWS_CTX_H
#define PP_AWS_CTX_H

#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include <parapet/plugin.h>

#include "aws_creds.h"

#define AWS_ERR_LEN 512

/** Adaptive throttle state for one service (see aws_client.c). */
typedef struct aws_throttle {
    char service[16];
    unsigned delay_ms; /**< pause before each call, grows on throttling, decays on success */
} aws_throttle;

/** One account of a many-account scan (accounts.c). */
typedef struct aws_account {
    char id[13];
    pthread_mutex_t mu;
    aws_creds creds;          /**< the assumed role's credentials, when state is 1 */
    int state;                /**< 0 not yet assumed, 1 assumed, -1 failed */
    unsigned generation;      /**< bumped on every (re-)assumption: threads holding an older copy refresh */
    char error[AWS_ERR_LEN];  /**< why it failed (no secrets) */
} aws_account;

typedef struct aws_ctx {
    const pp_host_api *api;
    pp_host *h;
    /* configuration */
    char *endpoint_url;   /**< -o aws.endpoint_url, or NULL */
    char **regions;       /**< -o aws.regions, or NULL: discover */
    size_t n_regions;
    char **services;      /**< -o aws.services, or NULL: all */
    size_t n_services;
    char *profile;        /**< -o aws.profile, or NULL: AWS_PROFILE / "default" */
    unsigned max_items;   /**< resources per type and task; 0 = no cap */
    /* many accounts: -o aws.role (with "{account}"), aws.accounts, aws.external_id */
    char *role_template;
    char *external_id;
    aws_account *accounts;
    size_t n_accounts;
    int org_accounts;     /**< aws.accounts=org: the accounts come from organizations:ListAccounts at plan time */
    /* credentials */
    aws_cred_chain chain;
    /* throttling */
    pthread_mutex_t throttle_mu;
    aws_throttle throttle[32];
    size_t n_throttle;
    /* plan output */
    char *plan_json;
} aws_ctx;

/** aws_set_error - set the calling thread's last_error (printf-style). */
void aws_set_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/** aws_thread_error - the calling thread's last_error text ("" when none). */
const char *aws_thread_error(void);

/** aws_log - printf-style logging through the host (never pass secrets). */
#define aws_log(c, lvl, ...) pp_logf((c)->api, (c)->h, (lvl), __VA_ARGS__) /* the SDK's formatter */

/** aws_cancelled - nonzero once the host asks the scan to stop. */
int aws_cancelled(const aws_ctx *c);

/** aws_sleep_ms - sleep, waking early (returning -1) when cancelled. */
int aws_sleep_ms(const aws_ctx *c, unsigned ms);

#endif
