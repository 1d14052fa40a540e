/*
 * aws_creds.h - AWS credentials and the chain of places they come from.
 *
 * Order, as the AWS SDKs use it (docs/aws.md):
 *   1. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
 *   2. shared files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE; default
 *      ~/.aws/config and ~/.aws/credentials), profile -o aws.profile,
 *      AWS_PROFILE or "default": static keys, credential_process,
 *      role_arn with source_profile / credential_source, web identity
 *   3. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (EKS)
 *   4. ECS container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
 *      or _FULL_URI (+ AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE])
 *   5. EC2 instance metadata, IMDSv2 only (unless AWS_EC2_METADATA_DISABLED)
 *
 * Secrets live only in aws_creds values, which aws_creds_clear wipes; no
 * function here logs them or puts them in an error message.
 */
#ifndef PP_AWS_CREDS_H
#define PP_AWS_CREDS_H

#include <pthread.h>
#include <stddef.h>
#include <time.h>

struct aws_ctx;

typedef struct aws_creds {
    char *access_key_id;
    char *secret_access_key;
    char *session_token; /**< NULL for long-term keys */
    time_t expires;      /**< 0: does not expire */
    char source[48];     /**< where they came from, for logs: "environment", "profile dev", ... */
} aws_creds;

/** aws_creds_clear - wipe and free the members; @c may be reused. */
void aws_creds_clear(aws_creds *c);
/** aws_creds_copy - deep copy; 0, or -1 on allocation failure (@dst cleared). */
int aws_creds_copy(aws_creds *dst, const aws_creds *src);
/** aws_creds_set - take copies of the three strings (token may be NULL); 0 or -1. */
int aws_creds_set(aws_creds *c, const char *akid, const char *secret, const char *token, time_t expires,
                  const char *source);

/** Results of a credential source: found, not configured here, or a failure. */
enum { AWS_CRED_FOUND = 1, AWS_CRED_ABSENT = 0, AWS_CRED_FAILED = -1 };

/** 1. cred_env.c */
int aws_creds_from_env(aws_creds *out, char *err, size_t errlen);

/** 2. cred_profile.c: @profile NULL means AWS_PROFILE or "default". */
int aws_creds_from_profile(struct aws_ctx *c, const char *profile, aws_creds *out, char *err, size_t errlen);

/** cred_process.c: run a credential_process command line. */
int aws_creds_from_process(const char *command, aws_creds *out, char *err, size_t errlen);

/** 3. cred_web_identity.c: from the environment (token file + role). */
int aws_creds_from_web_identity_env(struct aws_ctx *c, aws_creds *out, char *err, size_t errlen);
/** cred_web_identity.c: AssumeRoleWithWebIdentity with the token in @token_file. */
int aws_creds_web_identity(struct aws_ctx *c, const char *role_arn, const char *session_name,
                           const char *token_file, aws_creds *out, char *err, size_t errlen);

/** cred_sts.c: sts:AssumeRole with @source credentials. @external_id, @duration_s (0 = default) optional. */
int aws_creds_assume_role(struct aws_ctx *c, const aws_creds *source, const char *role_arn,
                          const char *session_name, const char *external_id, unsigned duration_s, aws_creds *out,
                          char *err, size_t errlen);
/** cred_sts.c: parse the Credentials of an AssumeRole* XML response. */
int aws_creds_parse_sts_xml(const char *body, size_t len, aws_creds *out, const char *source, char *err,
                            size_t errlen);
/** cred_sts.c: parse the JSON of ECS, IMDS and credential_process; @token_key "Token" or "SessionToken". */
int aws_creds_parse_json(const char *body, const char *token_key, aws_creds *out, const char *source, char *err,
                         size_t errlen);

/** 4. cred_ecs.c */
int aws_creds_from_ecs(struct aws_ctx *c, aws_creds *out, char *err, size_t errlen);

/** 5. cred_imds.c */
int aws_creds_from_imds(struct aws_ctx *c, aws_creds *out, char *err, size_t errlen);

/** The chain (cred_chain.c): resolves once, refreshes before expiry. */
typedef struct aws_cred_chain {
    pthread_mutex_t mu;
    aws_creds current;
    int resolved;
    int stale;     /**< the server called the current credentials expired: resolve again */
    char *profile; /**< borrowed from the ctx */
} aws_cred_chain;

/** Refresh temporary credentials this long before they expire. */
#define AWS_CRED_REFRESH_S 300

void aws_chain_init(aws_cred_chain *ch);
void aws_chain_destroy(aws_cred_chain *ch);
/**
 * aws_chain_get - a copy of valid credentials in @out (caller clears it).
 * Resolves the chain the first time, and again when the current ones
 * expire within AWS_CRED_REFRESH_S or @force_refresh (after ExpiredToken).
 * Returns 0, or -1 with a reason in @err listing what was tried.
 */
int aws_chain_get(struct aws_ctx *c, int force_refresh, aws_creds *out, char *err, size_t errlen);

/**
 * aws_chain_expired - a call signed with the chain's credentials whose
 * access key id is @akid was answered ExpiredToken: when they are still
 * the current ones, mark them stale so that the next aws_chain_get
 * resolves the chain again. Threads that meet the same expiry together
 * cause one resolution, not one each.
 */
void aws_chain_expired(struct aws_ctx *c, const char *akid);

/** aws_parse_time - RFC 3339 / ISO 8601 UTC ("2026-01-02T03:04:05Z", fractions allowed) to Unix time; -1 if bad. */
time_t aws_parse_time(const char *s);

#endif
