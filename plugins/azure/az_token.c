/*
 * az_token.c - token responses, the AZURE_* environment and the token
 * cache. See az_token.h.
 */
#define _DEFAULT_SOURCE
#include "az_token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "az_util.h"
#include "azure_ctx.h"

void az_cred_clear(az_cred *cr)
{
    if (!cr)
        return;
    free(cr->tenant_id);
    free(cr->client_id);
    free(cr->secret_ref);
    free(cr->cert_ref);
    memset(cr, 0, sizeof *cr);
}

static char *env_dup(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? strdup(v) : NULL;
}

int az_cred_from_env(az_cred *cr, char *err, size_t errlen)
{
    memset(cr, 0, sizeof *cr);
    const char *client = getenv("AZURE_CLIENT_ID");
    const char *secret = getenv("AZURE_CLIENT_SECRET");
    const char *cert = getenv("AZURE_CLIENT_CERTIFICATE_PATH");
    int has_secret = secret && *secret, has_cert = cert && *cert;
    if (!has_secret && !has_cert)
        return 0; /* AZURE_CLIENT_ID alone selects a user-assigned managed identity (handled by the caller) */
    if (!client || !*client) {
        snprintf(err, errlen, "AZURE_%s is set but AZURE_CLIENT_ID is not",
                 has_secret ? "CLIENT_SECRET" : "CLIENT_CERTIFICATE_PATH");
        return -1;
    }
    const char *tenant = getenv("AZURE_TENANT_ID");
    if (!tenant || !*tenant) {
        snprintf(err, errlen, "AZURE_CLIENT_ID is set but AZURE_TENANT_ID is not");
        return -1;
    }
    cr->tenant_id = env_dup("AZURE_TENANT_ID");
    cr->client_id = env_dup("AZURE_CLIENT_ID");
    cr->origin = "environment";
    if (has_secret) {
        cr->method = AZ_AUTH_SECRET;
        cr->secret_ref = strdup("env:AZURE_CLIENT_SECRET");
    } else {
        cr->method = AZ_AUTH_CERT;
        size_t n = strlen(cert) + 6;
        cr->cert_ref = malloc(n);
        if (cr->cert_ref)
            snprintf(cr->cert_ref, n, "file:%s", cert);
    }
    if (!cr->tenant_id || !cr->client_id || (!cr->secret_ref && !cr->cert_ref)) {
        az_cred_clear(cr);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 1;
}

int az_token_parse(const char *body, size_t len, int64_t now, az_token *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    cJSON *j = body ? cJSON_ParseWithLength(body, len) : NULL;
    if (!cJSON_IsObject(j)) {
        snprintf(err, errlen, "the token response is not a JSON object");
        cJSON_Delete(j);
        return -1;
    }
    const char *code = cJSON_GetStringValue(cJSON_GetObjectItem(j, "error"));
    if (code) {
        const char *desc = cJSON_GetStringValue(cJSON_GetObjectItem(j, "error_description"));
        /* descriptions are the service's prose (AADSTS codes); they never echo the secret */
        snprintf(err, errlen, "%.80s%s%.200s", code, desc ? ": " : "", desc ? desc : "");
        cJSON_Delete(j);
        return -1;
    }
    const char *tok = cJSON_GetStringValue(cJSON_GetObjectItem(j, "access_token"));
    if (!tok || !*tok || strlen(tok) > 16384) {
        snprintf(err, errlen, "the token response has no usable access_token");
        cJSON_Delete(j);
        return -1;
    }
    int64_t life = -1;
    const cJSON *ei = cJSON_GetObjectItem(j, "expires_in");
    const cJSON *eo = cJSON_GetObjectItem(j, "expires_on");
    if (cJSON_IsNumber(ei))
        life = (int64_t)ei->valuedouble;
    else if (cJSON_IsString(ei)) {
        char *end;
        long long v = strtoll(ei->valuestring, &end, 10);
        if (*ei->valuestring && *end == '\0')
            life = v;
    } else if (cJSON_IsString(eo) || cJSON_IsNumber(eo)) {
        long long v = cJSON_IsNumber(eo) ? (long long)eo->valuedouble : strtoll(eo->valuestring, NULL, 10);
        life = v - now;
    }
    if (life <= 0 || life > 7 * 86400) {
        snprintf(err, errlen, "the token response has no valid expires_in");
        cJSON_Delete(j);
        return -1;
    }
    out->token = strdup(tok);
    out->expires_at = now + life;
    /* wipe the parsed copy inside cJSON before freeing it */
    explicit_bzero(cJSON_GetObjectItem(j, "access_token")->valuestring, strlen(tok));
    cJSON_Delete(j);
    if (!out->token) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int az_token_cache_init(az_token_cache *tc, az_cred *cr, const char *scope)
{
    memset(tc, 0, sizeof *tc);
    if (pthread_mutex_init(&tc->mu, NULL) != 0)
        return -1;
    tc->cred = *cr;
    memset(cr, 0, sizeof *cr);
    tc->scope = strdup(scope);
    if (!tc->scope) {
        pthread_mutex_destroy(&tc->mu);
        *cr = tc->cred; /* back to the caller, who clears it */
        memset(&tc->cred, 0, sizeof tc->cred);
        return -1;
    }
    return 0;
}

void az_token_cache_free(az_token_cache *tc)
{
    if (!tc->scope) { /* never initialised (data-plane mode) */
        az_cred_clear(&tc->cred);
        return;
    }
    az_wipe_free(tc->token);
    tc->token = NULL;
    free(tc->scope);
    tc->scope = NULL;
    az_cred_clear(&tc->cred);
    pthread_mutex_destroy(&tc->mu);
}

char *az_token_get(azure_ctx *c, az_token_cache *tc, int force, char *err, size_t errlen)
{
    pthread_mutex_lock(&tc->mu);
    int64_t now = az_now();
    if (force || !tc->token || now >= tc->expires_at - AZ_TOKEN_REFRESH_MARGIN) {
        az_token t = {0};
        int rc = -1;
        switch (tc->cred.method) {
        case AZ_AUTH_SECRET:
            rc = az_auth_secret(c, &tc->cred, tc->scope, &t, err, errlen);
            break;
        case AZ_AUTH_CERT:
            rc = az_auth_cert(c, &tc->cred, tc->scope, &t, err, errlen);
            break;
        case AZ_AUTH_MSI:
            rc = az_auth_msi(c, &tc->cred, tc->scope, &t, err, errlen);
            break;
        default:
            snprintf(err, errlen, "no Azure identity configured");
        }
        if (rc != 0) {
            pthread_mutex_unlock(&tc->mu);
            return NULL;
        }
        az_wipe_free(tc->token);
        tc->token = t.token;
        tc->expires_at = t.expires_at;
        tc->fetches++;
        az_log(c, PP_LOG_DEBUG, "token from %s (%s) valid for %lld s", tc->cred.origin ? tc->cred.origin : "?",
               tc->cred.method == AZ_AUTH_SECRET ? "client secret"
               : tc->cred.method == AZ_AUTH_CERT ? "client certificate"
                                                 : "managed identity",
               (long long)(t.expires_at - now));
    }
    char *copy = strdup(tc->token);
    pthread_mutex_unlock(&tc->mu);
    if (!copy)
        snprintf(err, errlen, "out of memory");
    return copy;
}
