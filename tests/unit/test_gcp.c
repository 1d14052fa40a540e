/*
 * test_gcp.c - unit tests of the gcp plugin's pure parts: the
 * service-account JWT assertion (claims, and the RS256 signature verified
 * here with the key's public half), refusal of unusable keys, encoders.
 * The network paths are covered by tests/integration/gcp_scan.sh.
 */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "../../plugins/gcp/gcp_ctx.h"
#include "../support/test_check.h"

/* base64url -> bytes (OpenSSL's decoder wants standard base64 with padding). */
static unsigned char *b64url_decode(const char *s, size_t n, size_t *out_len)
{
    char *b = malloc(n + 4);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        b[k++] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
    while (k % 4)
        b[k++] = '=';
    b[k] = '\0';
    unsigned char *o = malloc(k / 4 * 3 + 1);
    int len = EVP_DecodeBlock(o, (unsigned char *)b, (int)k);
    size_t pad = (k && b[k - 1] == '=') + (k > 1 && b[k - 2] == '=');
    free(b);
    if (len < 0) {
        free(o);
        return NULL;
    }
    *out_len = (size_t)len - pad;
    o[*out_len] = '\0';
    return o;
}

static void test_assertion(void)
{
    EVP_PKEY *k = EVP_RSA_gen(2048);
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
    char *p;
    long n = BIO_get_mem_data(b, &p);
    char *pem = strndup(p, (size_t)n);
    BIO_free(b);
    char err[300] = "";
    const char *aud = "https://oauth2.googleapis.com/token";
    char *jwt = gcp_jwt_sa_assertion(pem, "kid-1", "sa@p.iam.gserviceaccount.com", aud, 1700000000, err, sizeof err);
    CHECK(jwt != NULL, "built: %s", err);
    char *d1 = jwt ? strchr(jwt, '.') : NULL, *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    CHECK(d1 && d2, "three parts");
    if (d1 && d2) {
        size_t hl, cl, sl;
        unsigned char *h = b64url_decode(jwt, (size_t)(d1 - jwt), &hl);
        unsigned char *c = b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), &cl);
        unsigned char *sig = b64url_decode(d2 + 1, strlen(d2 + 1), &sl);
        cJSON *hj = h ? cJSON_Parse((char *)h) : NULL, *cj = c ? cJSON_Parse((char *)c) : NULL;
        CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(hj, "alg")), "RS256") == 0 &&
                  strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(hj, "kid")), "kid-1") == 0,
              "header");
        CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(cj, "iss")), "sa@p.iam.gserviceaccount.com") == 0 &&
                  strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(cj, "aud")), aud) == 0 &&
                  strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(cj, "scope")), GCP_SCOPE) == 0,
              "iss, aud, scope");
        CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(cj, "iat")) == 1700000000.0 &&
                  cJSON_GetNumberValue(cJSON_GetObjectItem(cj, "exp")) == 1700003600.0,
              "iat and exp (one hour, Google's maximum)");
        EVP_MD_CTX *m = EVP_MD_CTX_new();
        int ok = sig && EVP_DigestVerifyInit(m, NULL, EVP_sha256(), NULL, k) == 1 &&
                 EVP_DigestVerify(m, sig, sl, (unsigned char *)jwt, (size_t)(d2 - jwt)) == 1;
        CHECK(ok, "signature verifies with the public key");
        jwt[2] ^= 1;
        ok = sig && EVP_DigestVerifyInit(m, NULL, EVP_sha256(), NULL, k) == 1 &&
             EVP_DigestVerify(m, sig, sl, (unsigned char *)jwt, (size_t)(d2 - jwt)) == 1;
        CHECK(!ok, "a tampered header does not verify");
        EVP_MD_CTX_free(m);
        cJSON_Delete(hj);
        cJSON_Delete(cj);
        free(h);
        free(c);
        free(sig);
    }
    free(jwt);
    explicit_bzero(pem, strlen(pem));
    free(pem);
    EVP_PKEY_free(k);

    /* unusable keys: garbage, an EC key */
    CHECK(gcp_jwt_sa_assertion("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", NULL, "e", aud, 1, err,
                               sizeof err) == NULL &&
              strstr(err, "not an unencrypted PEM RSA key"),
          "garbage refused: %s", err);
    EVP_PKEY *ec = EVP_EC_gen("P-256");
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, ec, NULL, NULL, 0, NULL, NULL);
    n = BIO_get_mem_data(b, &p);
    pem = strndup(p, (size_t)n);
    BIO_free(b);
    CHECK(gcp_jwt_sa_assertion(pem, NULL, "e", aud, 1, err, sizeof err) == NULL, "an EC key is refused (RS256)");
    CHECK(strstr(err, "BEGIN") == NULL, "no key material in the message");
    free(pem);
    EVP_PKEY_free(ec);
}

static void test_encoders(void)
{
    char *f = gcp_form_encode("a b/c=d&e~");
    CHECK(f && strcmp(f, "a%20b%2Fc%3Dd%26e~") == 0, "form: %s", f ? f : "(null)");
    free(f);
    char *u = gcp_b64url("\xfb\xff\xfe", 3);
    CHECK(u && strcmp(u, "-__-") == 0, "b64url: %s", u ? u : "(null)");
    free(u);
}

int main(void)
{
    RUN(test_assertion);
    RUN(test_encoders);
    return test_summary();
}
