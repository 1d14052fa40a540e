/*
 * auth_secret.c - the OAuth2 client-credentials grant with a client secret
 * (Microsoft identity platform v2.0 token endpoint), and the POST to the
 * token endpoint that the certificate flow shares.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "az_token.h"
#include "az_util.h"
#include "azure_ctx.h"

int az_aad_token_url(const azure_ctx *c, const char *tenant, char *buf, size_t len)
{
    size_t n = tenant ? strlen(tenant) : 0;
    if (n == 0 || n > 100 || strspn(tenant, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != n)
        return -1;
    int w = snprintf(buf, len, "%s/%s/oauth2/v2.0/token", c->authority_host, tenant);
    return w > 0 && (size_t)w < len ? 0 : -1;
}

int az_aad_token_post(azure_ctx *c, const az_cred *cr, const char *form, az_token *out, char *err, size_t errlen)
{
    char url[512], shown[512];
    if (az_aad_token_url(c, cr->tenant_id, url, sizeof url) != 0) {
        snprintf(err, errlen, "the tenant id is not a valid tenant id or domain");
        return -1;
    }
    az_url_for_log(url, shown, sizeof shown);
    pp_http_header hd[] = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    pp_http_response *r = NULL;
    char herr[400];
    if (az_http(c, "POST", url, hd, 2, form, strlen(form), "token request", &r, herr, sizeof herr) != PP_OK) {
        snprintf(err, errlen, "%s", herr);
        return -1;
    }
    char why[400];
    int rc = az_token_parse(r->body, r->body_len, az_now(), out, why, sizeof why);
    if (rc != 0 || r->status != 200) {
        if (rc == 0) {
            az_wipe_free(out->token);
            out->token = NULL;
            snprintf(why, sizeof why, "unexpected answer");
        }
        snprintf(err, errlen, "token request to %s for client %.64s failed: HTTP %ld: %s", shown,
                 cr->client_id ? cr->client_id : "?", r->status, why);
        rc = -1;
    }
    c->api->http_free(c->h, r);
    return rc;
}

int az_auth_secret(azure_ctx *c, const az_cred *cr, const char *scope, az_token *out, char *err, size_t errlen)
{
    char *secret = NULL;
    size_t slen = 0;
    if (!cr->secret_ref || c->api->secret(c->h, cr->secret_ref, &secret, &slen) != PP_OK) {
        snprintf(err, errlen, "the client secret (%s) could not be resolved", az_ref_for_msg(cr->secret_ref));
        return -1;
    }
    char *e_id = az_form_encode(cr->client_id ? cr->client_id : "");
    char *e_secret = az_form_encode(secret);
    char *e_scope = az_form_encode(scope);
    c->api->secret_free(c->h, secret, slen);
    int rc = -1;
    if (e_id && e_secret && e_scope) {
        size_t n = strlen(e_id) + strlen(e_secret) + strlen(e_scope) + 80;
        char *form = malloc(n);
        if (form) {
            snprintf(form, n, "grant_type=client_credentials&client_id=%s&client_secret=%s&scope=%s", e_id, e_secret,
                     e_scope);
            rc = az_aad_token_post(c, cr, form, out, err, errlen);
            az_wipe_free(form);
        }
    }
    if (rc != 0 && !(e_id && e_secret && e_scope))
        snprintf(err, errlen, "out of memory");
    free(e_id);
    az_wipe_free(e_secret);
    free(e_scope);
    return rc;
}
