/*
 * cred_chain.c - the default credential chain (order: aws_creds.h) with a
 * cache that refreshes temporary credentials AWS_CRED_REFRESH_S before they
 * expire. Threads share one chain; the mutex serialises resolution, so a
 * refresh happens once, not once per thread.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "aws_ctx.h"
#include "aws_creds.h"

void aws_chain_init(aws_cred_chain *ch)
{
    memset(ch, 0, sizeof *ch);
    pthread_mutex_init(&ch->mu, NULL);
}

void aws_chain_destroy(aws_cred_chain *ch)
{
    aws_creds_clear(&ch->current);
    pthread_mutex_destroy(&ch->mu);
}

static int fresh(const aws_creds *c, time_t now)
{
    return c->access_key_id && (c->expires == 0 || c->expires - now > AWS_CRED_REFRESH_S);
}

static int resolve_chain(aws_ctx *c, aws_creds *out, char *err, size_t errlen)
{
    char e[AWS_ERR_LEN];
    int rc;
    e[0] = '\0';
    if ((rc = aws_creds_from_env(out, e, sizeof e)) != AWS_CRED_ABSENT)
        goto done;
    if ((rc = aws_creds_from_profile(c, c->profile, out, e, sizeof e)) != AWS_CRED_ABSENT)
        goto done;
    if ((rc = aws_creds_from_web_identity_env(c, out, e, sizeof e)) != AWS_CRED_ABSENT)
        goto done;
    if ((rc = aws_creds_from_ecs(c, out, e, sizeof e)) != AWS_CRED_ABSENT)
        goto done;
    if ((rc = aws_creds_from_imds(c, out, e, sizeof e)) != AWS_CRED_ABSENT)
        goto done;
    snprintf(err, errlen,
             "no AWS credentials found (tried: environment, shared config/credentials files, web identity, "
             "ECS container, EC2 instance metadata)");
    return -1;
done:
    if (rc == AWS_CRED_FAILED) {
        snprintf(err, errlen, "AWS credentials: %s", e);
        return -1;
    }
    return 0;
}

int aws_chain_get(aws_ctx *c, int force_refresh, aws_creds *out, char *err, size_t errlen)
{
    aws_cred_chain *ch = &c->chain;
    pthread_mutex_lock(&ch->mu);
    time_t now = time(NULL);
    int rc = 0;
    if (force_refresh || ch->stale || !fresh(&ch->current, now)) {
        aws_creds next = {0};
        if (resolve_chain(c, &next, err, errlen) == 0) {
            int first = !ch->resolved;
            aws_creds_clear(&ch->current);
            ch->current = next;
            ch->resolved = 1;
            ch->stale = 0;
            if (first)
                aws_log(c, PP_LOG_INFO, "credentials from %s", ch->current.source);
            else
                aws_log(c, PP_LOG_INFO, "credentials refreshed from %s", ch->current.source);
            if (ch->current.expires && ch->current.expires - now <= AWS_CRED_REFRESH_S)
                aws_log(c, PP_LOG_WARN, "credentials from %s expire in %lld s", ch->current.source,
                        (long long)(ch->current.expires - now));
        } else if (ch->current.access_key_id && (ch->current.expires == 0 || ch->current.expires > now) &&
                   !force_refresh && !ch->stale) {
            aws_log(c, PP_LOG_WARN, "credential refresh failed; using the current ones until they expire: %s", err);
        } else {
            rc = -1;
        }
    }
    if (rc == 0 && aws_creds_copy(out, &ch->current) != 0) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    pthread_mutex_unlock(&ch->mu);
    return rc;
}

void aws_chain_expired(aws_ctx *c, const char *akid)
{
    aws_cred_chain *ch = &c->chain;
    pthread_mutex_lock(&ch->mu);
    if (akid && ch->current.access_key_id && strcmp(ch->current.access_key_id, akid) == 0)
        ch->stale = 1;
    pthread_mutex_unlock(&ch->mu);
}
