/*
 * plugins/outputs/sign.c - HMAC-SHA256 of a webhook delivery (see sign.h).
 */
#define _DEFAULT_SOURCE /* explicit_bzero */

#include "sign.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdio.h>
#include <string.h>

int out_sign(const void *key, size_t key_len, const char *timestamp, const void *body, size_t body_len, char *out,
             size_t out_len)
{
    if (out_len > 0)
        out[0] = '\0';
    if (out_len < 72 || !key || key_len == 0 || !timestamp)
        return -1;
    unsigned char mac[32];
    size_t mac_len = 0;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = m ? EVP_MAC_CTX_new(m) : NULL;
    int ok = ctx && EVP_MAC_init(ctx, key, key_len, params) &&
             EVP_MAC_update(ctx, (const unsigned char *)timestamp, strlen(timestamp)) &&
             EVP_MAC_update(ctx, (const unsigned char *)".", 1) &&
             (body_len == 0 || EVP_MAC_update(ctx, body, body_len)) && EVP_MAC_final(ctx, mac, &mac_len, sizeof mac) &&
             mac_len == sizeof mac;
    EVP_MAC_CTX_free(ctx); /* frees and cleanses the key schedule */
    EVP_MAC_free(m);
    if (!ok) {
        explicit_bzero(mac, sizeof mac);
        return -1;
    }
    memcpy(out, "sha256=", 7);
    for (size_t i = 0; i < sizeof mac; i++)
        (void)snprintf(out + 7 + 2 * i, 3, "%02x", mac[i]);
    explicit_bzero(mac, sizeof mac);
    return 0;
}
