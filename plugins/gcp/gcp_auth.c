/*
 * gcp_auth.c - Google OAuth2 access tokens: a service-account key (a JWT
 * signed RS256 with OpenSSL, exchanged with the jwt-bearer grant), gcloud's
 * application default credentials (an authorized_user refresh token), or
 * the metadata server on GCE/GKE; and the token cache.
 *
 * The credentials file is read through host->secret (so it must be an
 * absolute path of mode 0600), parsed, and wiped. Nothing of it - nor any
 * token - reaches a log or an error message.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "gcp_ctx.h"

static cJSON *b64url_json(cJSON *o, char **out)
{
    char *s = cJSON_PrintUnformatted(o);
    *out = s ? gcp_b64url(s, strlen(s)) : NULL;
    free(s);
    return o;
}

char *gcp_jwt_sa_assertion(const char *pem, const char *key_id, const char *email, const char *audience, int64_t now,
                           char *err, size_t errlen)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *key = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    if (!key || EVP_PKEY_base_id(key) != EVP_PKEY_RSA) {
        EVP_PKEY_free(key);
        snprintf(err, errlen, "the service-account key's private_key is not an unencrypted PEM RSA key");
        return NULL;
    }
    cJSON *h = cJSON_CreateObject(), *cl = cJSON_CreateObject();
    cJSON_AddStringToObject(h, "alg", "RS256");
    cJSON_AddStringToObject(h, "typ", "JWT");
    if (key_id)
        cJSON_AddStringToObject(h, "kid", key_id);
    cJSON_AddStringToObject(cl, "iss", email);
    cJSON_AddStringToObject(cl, "scope", GCP_SCOPE);
    cJSON_AddStringToObject(cl, "aud", audience);
    cJSON_AddNumberToObject(cl, "iat", (double)now);
    cJSON_AddNumberToObject(cl, "exp", (double)(now + 3600));
    char *h64 = NULL, *c64 = NULL, *jwt = NULL, *s64 = NULL;
    cJSON_Delete(b64url_json(h, &h64));
    cJSON_Delete(b64url_json(cl, &c64));
    unsigned char *sig = NULL;
    size_t sl = 0, in_len = h64 && c64 ? strlen(h64) + 1 + strlen(c64) : 0;
    if (in_len && (jwt = malloc(in_len + 1 + 700)) != NULL) {
        snprintf(jwt, in_len + 1, "%s.%s", h64, c64);
        EVP_MD_CTX *m = EVP_MD_CTX_new();
        int ok = m && EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, key) == 1 &&
                 EVP_DigestSign(m, NULL, &sl, (const unsigned char *)jwt, in_len) == 1 && sl <= 512 &&
                 (sig = malloc(sl)) != NULL && EVP_DigestSign(m, sig, &sl, (const unsigned char *)jwt, in_len) == 1;
        EVP_MD_CTX_free(m);
        s64 = ok ? gcp_b64url(sig, sl) : NULL;
        if (s64)
            snprintf(jwt + in_len, 700, ".%s", s64);
    }
    if (!s64) {
        free(jwt);
        jwt = NULL;
        snprintf(err, errlen, "signing the service-account assertion failed");
    }
    free(h64);
    free(c64);
    free(s64);
    free(sig);
    EVP_PKEY_free(key);
    return jwt;
}

/* POST @form to @url and read {"access_token","expires_in"}. */
static int token_post(gcp_ctx *c, const char *url, const char *form, char **tok, int64_t *exp, char *err, size_t errlen,
                      const pp_http_header *hd, size_t nh, const char *method)
{
    pp_http_request rq;
    memset(&rq, 0, sizeof rq);
    rq.size = sizeof rq;
    rq.method = method;
    rq.url = url;
    pp_http_header fh[] = {{"Content-Type", "application/x-www-form-urlencoded"}};
    rq.headers = hd ? hd : fh;
    rq.n_headers = hd ? nh : 1;
    rq.body = form;
    rq.body_len = form ? strlen(form) : 0;
    pp_http_response *r = NULL;
    char shown[300];
    snprintf(shown, sizeof shown, "%.*s", (int)strcspn(url, "?#"), url);
    if (c->api->http(c->h, &rq, &r) != PP_OK) {
        snprintf(err, errlen, "token request to %s failed (connection, TLS or timeout)", shown);
        return -1;
    }
    cJSON *j = r->body_len < GCP_MAX_BODY ? cJSON_ParseWithLength(r->body, r->body_len) : NULL;
    const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(j, "access_token"));
    const cJSON *ei = cJSON_GetObjectItem(j, "expires_in");
    int rc = -1;
    if (r->status == 200 && t && *t && strlen(t) < 16384 && cJSON_IsNumber(ei) && ei->valuedouble > 0 &&
        ei->valuedouble < 7 * 86400) {
        *tok = strdup(t);
        *exp = (int64_t)time(NULL) + (int64_t)ei->valuedouble;
        rc = *tok ? 0 : -1;
        explicit_bzero(cJSON_GetObjectItem(j, "access_token")->valuestring, strlen(t));
    } else {
        const char *e = cJSON_GetStringValue(cJSON_GetObjectItem(j, "error"));
        const char *d = cJSON_GetStringValue(cJSON_GetObjectItem(j, "error_description"));
        snprintf(err, errlen, "token request to %s failed: HTTP %ld: %.80s%s%.200s", shown, r->status,
                 e ? e : "no usable access_token", d ? ": " : "", d ? d : "");
    }
    cJSON_Delete(j);
    c->api->http_free(c->h, r);
    return rc;
}

static int fetch_from_file(gcp_ctx *c, char **tok, int64_t *exp, char *err, size_t errlen)
{
    char *raw = NULL;
    size_t rl = 0;
    if (c->api->secret(c->h, c->cred_ref, &raw, &rl) != PP_OK) {
        snprintf(err, errlen,
                 "the credentials file (%s) could not be read (absolute path, mode 0600, owned by "
                 "this user)",
                 strncmp(c->cred_ref, "file:", 5) == 0 || strncmp(c->cred_ref, "env:", 4) == 0
                     ? c->cred_ref
                     : "a literal value, not env:NAME or file:PATH");
        return -1;
    }
    cJSON *j = cJSON_ParseWithLength(raw, rl);
    c->api->secret_free(c->h, raw, rl);
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(j, "type"));
    int rc = -1;
    char url[600];
    if (type && strcmp(type, "service_account") == 0) {
        const char *pk = cJSON_GetStringValue(cJSON_GetObjectItem(j, "private_key"));
        const char *kid = cJSON_GetStringValue(cJSON_GetObjectItem(j, "private_key_id"));
        const char *email = cJSON_GetStringValue(cJSON_GetObjectItem(j, "client_email"));
        const char *turi = cJSON_GetStringValue(cJSON_GetObjectItem(j, "token_uri"));
        snprintf(url, sizeof url, "%s",
                 c->token_endpoint                           ? c->token_endpoint
                 : turi && strncmp(turi, "https://", 8) == 0 ? turi
                                                             : "https://oauth2.googleapis.com/token");
        if (!pk || !email) {
            snprintf(err, errlen, "the service-account key file has no private_key or client_email");
        } else {
            char *jwt = gcp_jwt_sa_assertion(pk, kid, email, url, (int64_t)time(NULL), err, errlen);
            if (jwt) {
                size_t n = strlen(jwt) + 100;
                char *form = malloc(n);
                if (form) {
                    snprintf(form, n,
                             "grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Agrant-type%%3Ajwt-bearer"
                             "&assertion=%s",
                             jwt);
                    rc = token_post(c, url, form, tok, exp, err, errlen, NULL, 0, "POST");
                    gcp_wipe_free(form);
                }
                gcp_wipe_free(jwt);
            }
        }
        cJSON *pkj = cJSON_GetObjectItem(j, "private_key");
        if (cJSON_IsString(pkj))
            explicit_bzero(pkj->valuestring, strlen(pkj->valuestring));
    } else if (type && strcmp(type, "authorized_user") == 0) {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(j, "client_id"));
        const char *sec = cJSON_GetStringValue(cJSON_GetObjectItem(j, "client_secret"));
        const char *rt = cJSON_GetStringValue(cJSON_GetObjectItem(j, "refresh_token"));
        snprintf(url, sizeof url, "%s", c->token_endpoint ? c->token_endpoint : "https://oauth2.googleapis.com/token");
        char *e1 = id ? gcp_form_encode(id) : NULL, *e2 = sec ? gcp_form_encode(sec) : NULL;
        char *e3 = rt ? gcp_form_encode(rt) : NULL;
        if (!e1 || !e2 || !e3) {
            snprintf(err, errlen, "the authorized_user credentials need client_id, client_secret and refresh_token");
        } else {
            size_t n = strlen(e1) + strlen(e2) + strlen(e3) + 100;
            char *form = malloc(n);
            if (form) {
                snprintf(form, n, "grant_type=refresh_token&client_id=%s&client_secret=%s&refresh_token=%s", e1, e2,
                         e3);
                rc = token_post(c, url, form, tok, exp, err, errlen, NULL, 0, "POST");
                gcp_wipe_free(form);
            }
        }
        free(e1);
        gcp_wipe_free(e2);
        gcp_wipe_free(e3);
        for (const char *k = "client_secret"; k; k = strcmp(k, "client_secret") == 0 ? "refresh_token" : NULL) {
            cJSON *v = cJSON_GetObjectItem(j, k);
            if (cJSON_IsString(v))
                explicit_bzero(v->valuestring, strlen(v->valuestring));
        }
    } else {
        snprintf(err, errlen, "the credentials file is not JSON of type service_account or authorized_user");
    }
    cJSON_Delete(j);
    return rc;
}

static int fetch_from_metadata(gcp_ctx *c, char **tok, int64_t *exp, char *err, size_t errlen)
{
    char url[600];
    snprintf(url, sizeof url, "%s/computeMetadata/v1/instance/service-accounts/default/token", c->metadata_endpoint);
    pp_http_header hd[] = {{"Metadata-Flavor", "Google"}};
    int rc = token_post(c, url, NULL, tok, exp, err, errlen, hd, 1, "GET");
    if (rc != 0) {
        char why[400];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, errlen, "no credentials file and no metadata server token (%s)", why);
    }
    return rc;
}

char *gcp_token_get(gcp_ctx *c, int force, char *err, size_t errlen)
{
    pthread_mutex_lock(&c->token_mu);
    int64_t now = (int64_t)time(NULL);
    if (force || !c->token || now >= c->token_expires_at - GCP_TOKEN_REFRESH_MARGIN) {
        char *tok = NULL;
        int64_t exp = 0;
        int rc = c->kind == GCP_CRED_METADATA ? fetch_from_metadata(c, &tok, &exp, err, errlen)
                                              : fetch_from_file(c, &tok, &exp, err, errlen);
        if (rc != 0) {
            pthread_mutex_unlock(&c->token_mu);
            return NULL;
        }
        gcp_wipe_free(c->token);
        c->token = tok;
        c->token_expires_at = exp;
        c->token_fetches++;
    }
    char *copy = strdup(c->token);
    pthread_mutex_unlock(&c->token_mu);
    if (!copy)
        snprintf(err, errlen, "out of memory");
    return copy;
}
