/*
 * az_token.h - OAuth2 access tokens for ARM: where they come from
 * (client secret, client certificate, managed identity, the AZURE_*
 * environment) and a cache that refreshes them before they expire.
 *
 * Tokens are secrets: they live only in memory, are wiped when replaced or
 * freed, and never appear in logs or error messages.
 */
#ifndef PP_AZ_TOKEN_H
#define PP_AZ_TOKEN_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct azure_ctx;

/** How the plugin proves who it is to Entra ID. */
typedef enum az_auth_method {
    AZ_AUTH_NONE = 0,
    AZ_AUTH_SECRET, /* client credentials with a client secret */
    AZ_AUTH_CERT,   /* client credentials with a JWT assertion signed by a certificate's key */
    AZ_AUTH_MSI     /* managed identity: IMDS, or App Service's IDENTITY_ENDPOINT */
} az_auth_method;

/** az_cred - the identity to use; strings owned by the struct (az_cred_clear). */
typedef struct az_cred {
    az_auth_method method;
    char *tenant_id;
    char *client_id;    /* for MSI: a user-assigned identity's client id, or NULL */
    char *secret_ref;   /* AZ_AUTH_SECRET: secret reference (env:NAME / file:PATH) */
    char *cert_ref;     /* AZ_AUTH_CERT: secret reference of a PEM with key and certificate */
    const char *origin; /* "configuration", "environment", "managed identity" (static) */
} az_cred;

/** az_cred_clear - free the strings of @cr and zero it. NULL is fine. */
void az_cred_clear(az_cred *cr);

/**
 * az_cred_from_env - fill @cr from AZURE_TENANT_ID, AZURE_CLIENT_ID and
 * AZURE_CLIENT_SECRET (a secret, read through host->secret as
 * "env:AZURE_CLIENT_SECRET") or AZURE_CLIENT_CERTIFICATE_PATH (as
 * "file:PATH"). Returns 1 when the environment names an identity, 0 when
 * it names none (no AZURE_CLIENT_ID), -1 with a reason in @err when it is
 * incomplete (a client id without a tenant, ...).
 */
int az_cred_from_env(az_cred *cr, char *err, size_t errlen);

/** A freshly fetched token; @token is malloc'd and must be wiped by whoever ends up owning it. */
typedef struct az_token {
    char *token;
    int64_t expires_at; /* Unix seconds */
} az_token;

/**
 * az_token_parse - read an OAuth2 token response (AAD v2 or IMDS:
 * access_token, expires_in as number or string, or expires_on) from @body.
 * Returns 0 and fills @out, or -1 with a reason in @err (the service's
 * error code and description when it sent one; never a token).
 */
int az_token_parse(const char *body, size_t len, int64_t now, az_token *out, char *err, size_t errlen);

/**
 * az_auth_secret / az_auth_cert / az_auth_msi - fetch a token for @scope
 * (e.g. "https://management.azure.com/.default"; MSI uses the resource
 * without "/.default"). Return 0 and fill @out, or -1 with a reason in
 * @err that names the endpoint and the service's error code, never a secret.
 */
int az_auth_secret(struct azure_ctx *c, const az_cred *cr, const char *scope, az_token *out, char *err, size_t errlen);
int az_auth_cert(struct azure_ctx *c, const az_cred *cr, const char *scope, az_token *out, char *err, size_t errlen);
int az_auth_msi(struct azure_ctx *c, const az_cred *cr, const char *scope, az_token *out, char *err, size_t errlen);

/**
 * az_aad_token_url - the v2.0 token endpoint of @tenant at the configured
 * authority host into @buf. Returns 0, or -1 when the tenant id has
 * characters a tenant id cannot have (it becomes part of a URL).
 */
int az_aad_token_url(const struct azure_ctx *c, const char *tenant, char *buf, size_t len);

/**
 * az_aad_token_post - POST the form @form (which carries the credential;
 * the caller wipes it) to the token endpoint of @cr's tenant and parse the
 * answer. Returns 0, or -1 with a reason naming the endpoint and AAD's
 * error code in @err.
 */
int az_aad_token_post(struct azure_ctx *c, const az_cred *cr, const char *form, az_token *out, char *err,
                      size_t errlen);

/**
 * az_jwt_assertion - build the signed client assertion of the certificate
 * flow: header {"alg":"RS256","typ":"JWT","x5t":...}, claims aud=@audience,
 * iss=sub=@client_id, jti, nbf, iat, exp=@now+600. @pem holds the private
 * key and the certificate (any order). Returns a malloc'd JWT, or NULL
 * with a reason in @err (never key material).
 */
char *az_jwt_assertion(const char *pem, size_t pem_len, const char *client_id, const char *audience, int64_t now,
                       char *err, size_t errlen);

/** az_token_cache - one token, shared by all collect threads. */
typedef struct az_token_cache {
    pthread_mutex_t mu;
    az_cred cred;
    char *scope; /* "https://management.azure.com/.default" */
    char *token; /* current token or NULL */
    int64_t expires_at;
    unsigned fetches; /* how many tokens were fetched (tests, logs) */
} az_token_cache;

/** Tokens are renewed this many seconds before they expire. */
#define AZ_TOKEN_REFRESH_MARGIN 300

/** az_token_cache_init - an empty cache for @scope; takes ownership of @cr's strings. */
int az_token_cache_init(az_token_cache *tc, az_cred *cr, const char *scope);

/** az_token_cache_free - wipe and free the token, the identity and the mutex. */
void az_token_cache_free(az_token_cache *tc);

/**
 * az_token_get - a malloc'd copy of a valid token (wipe it with
 * az_wipe_free). Fetches a new one when there is none, or when the current
 * one expires within AZ_TOKEN_REFRESH_MARGIN seconds or @force is set
 * (after a 401). Returns NULL with a reason in @err.
 */
char *az_token_get(struct azure_ctx *c, az_token_cache *tc, int force, char *err, size_t errlen);

#endif
