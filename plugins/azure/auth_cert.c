/*
 * auth_cert.c - the OAuth2 client-credentials grant with a certificate:
 * a JWT client assertion signed RS256 (RFC 7515/7519, RFC 7523) with the
 * certificate's private key, using OpenSSL.
 *
 * The PEM (private key and certificate, as AZURE_CLIENT_CERTIFICATE_PATH
 * holds them) is read through host->secret, wiped after use, and never
 * named in errors beyond "the key" / "the certificate".
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "az_token.h"
#include "az_util.h"
#include "azure_ctx.h"

/* base64url(SHA-1 of the certificate's DER): the "x5t" header AAD uses to pick the key. */
static char *thumbprint(X509 *cert)
{
    unsigned char *der = NULL;
    int n = i2d_X509(cert, &der);
    if (n <= 0)
        return NULL;
    unsigned char md[SHA_DIGEST_LENGTH];
    SHA1(der, (size_t)n, md);
    OPENSSL_free(der);
    return az_b64url(md, sizeof md);
}

static char *json_b64url(cJSON *o)
{
    char *s = cJSON_PrintUnformatted(o);
    char *b = s ? az_b64url(s, strlen(s)) : NULL;
    free(s);
    return b;
}

char *az_jwt_assertion(const char *pem, size_t pem_len, const char *client_id, const char *audience, int64_t now,
                       char *err, size_t errlen)
{
    if (pem_len > 64 * 1024) {
        snprintf(err, errlen, "the client certificate file is larger than 64 KiB");
        return NULL;
    }
    BIO *b1 = BIO_new_mem_buf(pem, (int)pem_len), *b2 = BIO_new_mem_buf(pem, (int)pem_len);
    EVP_PKEY *key = b1 ? PEM_read_bio_PrivateKey(b1, NULL, NULL, NULL) : NULL;
    X509 *cert = b2 ? PEM_read_bio_X509(b2, NULL, NULL, NULL) : NULL;
    BIO_free(b1);
    BIO_free(b2);
    char *x5t = NULL, *h64 = NULL, *c64 = NULL, *s64 = NULL, *jwt = NULL;
    unsigned char *sig = NULL;
    cJSON *hdr = NULL, *cl = NULL;
    if (!key || !cert) {
        snprintf(err, errlen,
                 "the client certificate file needs an unencrypted PEM private key and a PEM certificate%s",
                 !key ? " (no usable private key)" : " (no certificate)");
        goto out;
    }
    if (EVP_PKEY_base_id(key) != EVP_PKEY_RSA) {
        snprintf(err, errlen, "the client certificate's key is not RSA (RS256 needs RSA)");
        goto out;
    }
    if (X509_check_private_key(cert, key) != 1) {
        snprintf(err, errlen, "the private key does not belong to the certificate in the same file");
        goto out;
    }
    x5t = thumbprint(cert);
    unsigned char rnd[16];
    char jti[40];
    if (!x5t || RAND_bytes(rnd, sizeof rnd) != 1) {
        snprintf(err, errlen, "could not prepare the client assertion");
        goto out;
    }
    for (size_t i = 0; i < sizeof rnd; i++)
        snprintf(jti + 2 * i, 3, "%02x", rnd[i]);
    hdr = cJSON_CreateObject();
    cJSON_AddStringToObject(hdr, "alg", "RS256");
    cJSON_AddStringToObject(hdr, "typ", "JWT");
    cJSON_AddStringToObject(hdr, "x5t", x5t);
    cl = cJSON_CreateObject();
    cJSON_AddStringToObject(cl, "aud", audience);
    cJSON_AddStringToObject(cl, "iss", client_id);
    cJSON_AddStringToObject(cl, "sub", client_id);
    cJSON_AddStringToObject(cl, "jti", jti);
    cJSON_AddNumberToObject(cl, "nbf", (double)now);
    cJSON_AddNumberToObject(cl, "iat", (double)now);
    cJSON_AddNumberToObject(cl, "exp", (double)(now + 600));
    h64 = json_b64url(hdr);
    c64 = json_b64url(cl);
    if (!h64 || !c64) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    size_t in_len = strlen(h64) + 1 + strlen(c64);
    jwt = malloc(in_len + 1 + 700);
    if (!jwt) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    snprintf(jwt, in_len + 1, "%s.%s", h64, c64);
    size_t sig_len = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
             EVP_DigestSign(md, NULL, &sig_len, (const unsigned char *)jwt, in_len) == 1 && sig_len <= 512 &&
             (sig = malloc(sig_len)) != NULL &&
             EVP_DigestSign(md, sig, &sig_len, (const unsigned char *)jwt, in_len) == 1;
    EVP_MD_CTX_free(md);
    s64 = ok ? az_b64url(sig, sig_len) : NULL;
    if (!s64) {
        snprintf(err, errlen, "signing the client assertion failed");
        free(jwt);
        jwt = NULL;
        goto out;
    }
    snprintf(jwt + in_len, 700, ".%s", s64);
out:
    EVP_PKEY_free(key);
    X509_free(cert);
    cJSON_Delete(hdr);
    cJSON_Delete(cl);
    free(x5t);
    free(h64);
    free(c64);
    free(s64);
    free(sig);
    return jwt;
}

int az_auth_cert(azure_ctx *c, const az_cred *cr, const char *scope, az_token *out, char *err, size_t errlen)
{
    char url[512];
    if (az_aad_token_url(c, cr->tenant_id, url, sizeof url) != 0) {
        snprintf(err, errlen, "the tenant id is not a valid tenant id or domain");
        return -1;
    }
    char *pem = NULL;
    size_t plen = 0;
    if (!cr->cert_ref || c->api->secret(c->h, cr->cert_ref, &pem, &plen) != PP_OK) {
        snprintf(err, errlen,
                 "the client certificate (%s) could not be read (a file: reference must be an absolute "
                 "path to a file of mode 0600 owned by this user)",
                 az_ref_for_msg(cr->cert_ref));
        return -1;
    }
    char *jwt = az_jwt_assertion(pem, plen, cr->client_id ? cr->client_id : "", url, az_now(), err, errlen);
    c->api->secret_free(c->h, pem, plen);
    if (!jwt)
        return -1;
    char *e_id = az_form_encode(cr->client_id ? cr->client_id : "");
    char *e_scope = az_form_encode(scope);
    int rc = -1;
    size_t n = strlen(jwt) + 256 + (e_id ? strlen(e_id) : 0) + (e_scope ? strlen(e_scope) : 0);
    char *form = e_id && e_scope ? malloc(n) : NULL;
    if (form) {
        snprintf(form, n,
                 "grant_type=client_credentials&client_id=%s&scope=%s"
                 "&client_assertion_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Aclient-assertion-type%%3Ajwt-bearer"
                 "&client_assertion=%s",
                 e_id, e_scope, jwt);
        rc = az_aad_token_post(c, cr, form, out, err, errlen);
        az_wipe_free(form);
    } else {
        snprintf(err, errlen, "out of memory");
    }
    az_wipe_free(jwt);
    free(e_id);
    free(e_scope);
    return rc;
}
