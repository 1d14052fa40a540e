/*
 * test_azure.c - unit tests of the azure plugin's pure parts: Shared Key
 * string-to-sign and signature (Blob/Queue and Table layouts), token responses, the RS256 client
 * assertion (verified here with the certificate's public key), the
 * data-plane XML -> resource shapes, base64 and the AZURE_* environment.
 * The network paths are covered by tests/integration/azure_*.sh.
 *
 * SOURCE: the expected Shared Key signature below was computed with
 * Python's hmac/hashlib over the string-to-sign written out by hand from
 * Microsoft's "Authorize with Shared Key" page; the key is Azurite's
 * public development key (devstoreaccount1), not a secret.
 */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "../../plugins/aws/aws_xml.h"
#include "../../plugins/azure/az_token.h"
#include "../../plugins/azure/az_util.h"
#include "../../plugins/azure/collectors.h"
#include "../../plugins/azure/storage_sharedkey.h"
#include "../support/test_check.h"

static const char DEV_KEY[] =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

static void test_sharedkey_string_to_sign(void)
{
    pp_http_header h[] = {{"x-ms-version", "2015-02-21"},
                          {"X-Ms-Meta-A", "  hello   world "},
                          {"x-ms-date", "Fri, 26 Jun 2015 23:39:12 GMT"},
                          {"Accept", "application/xml"}};
    char *sts = az_sharedkey_string_to_sign("GET", "myaccount", "/mycontainer",
                                            "restype=container&comp=list&Marker=a%2Cb", h, 4, 0);
    const char *want = "GET\n\n\n\n\n\n\n\n\n\n\n\n"
                       "x-ms-date:Fri, 26 Jun 2015 23:39:12 GMT\nx-ms-meta-a:hello world\nx-ms-version:2015-02-21\n"
                       "/myaccount/mycontainer\ncomp:list\nmarker:a,b\nrestype:container";
    CHECK(sts && strcmp(sts, want) == 0, "got [%s]", sts ? sts : "(null)");

    size_t kl = 0;
    unsigned char *key = az_b64_decode(DEV_KEY, &kl);
    char auth[200];
    CHECK(key && kl == 64, "dev key decodes to 64 bytes (%zu)", kl);
    CHECK(key && sts && az_sharedkey_authorization("myaccount", key, kl, sts, auth, sizeof auth) == 0, "sign");
    CHECK(strcmp(auth, "SharedKey myaccount:zy2MFrG6nJ0VbkEe830eXTns+5aeQTVp4OoEfKxhGhs=") == 0, "got %s", auth);
    CHECK(az_sharedkey_authorization("myaccount", key, kl, want, auth, 20) == -1, "too small a buffer is refused");
    free(key);
    free(sts);

    /* a body length is signed; repeated parameters are joined sorted; no query at all */
    pp_http_header p[] = {{"x-ms-date", "d"}, {"Content-Type", "application/xml"}};
    sts = az_sharedkey_string_to_sign("PUT", "acc", "/", "comp=properties&restype=service&x=2&x=1", p, 2, 42);
    CHECK(sts && strcmp(sts, "PUT\n\n\n42\n\napplication/xml\n\n\n\n\n\n\nx-ms-date:d\n/acc/\ncomp:properties\n"
                             "restype:service\nx:1,2") == 0,
          "got [%s]", sts ? sts : "(null)");
    free(sts);
    sts = az_sharedkey_string_to_sign("GET", "acc", "/c", NULL, NULL, 0, 0);
    CHECK(sts && strcmp(sts, "GET\n\n\n\n\n\n\n\n\n\n\n\n/acc/c") == 0, "no query, no headers");
    free(sts);
}

static void test_sharedkey_hostile(void)
{
    CHECK(az_sharedkey_string_to_sign("GET", "a", "/", "a=%zz", NULL, 0, 0) == NULL, "bad escape refused");
    CHECK(az_sharedkey_string_to_sign("GET", "a", "/", "a=%4", NULL, 0, 0) == NULL, "truncated escape refused");
    CHECK(az_sharedkey_string_to_sign("GET", "a", "/", "a=x%00y", NULL, 0, 0) == NULL, "NUL byte refused");
    CHECK(az_sharedkey_string_to_sign("GET", "a", "nopath", NULL, NULL, 0, 0) == NULL, "path must start with /");
    char q[1000] = "";
    for (int i = 0; i < 65; i++)
        snprintf(q + strlen(q), sizeof q - strlen(q), "p%d=1&", i);
    CHECK(az_sharedkey_string_to_sign("GET", "a", "/", q, NULL, 0, 0) == NULL, "more than 64 parameters refused");
}

/* The Table service's layout: VERB, Content-MD5, Content-Type, date, /account/path?comp=V (nothing else signed). */
static void test_sharedkey_table(void)
{
    pp_http_header h[] = {{"x-ms-version", "2021-08-06"}, {"x-ms-date", "Sun, 29 Nov 2026 02:00:00 GMT"}};
    char *sts = az_sharedkey_table_string_to_sign("GET", "myaccount", "/", "restype=service&comp=properties", h, 2);
    const char *want = "GET\n\n\nSun, 29 Nov 2026 02:00:00 GMT\n/myaccount/?comp=properties";
    CHECK(sts && strcmp(sts, want) == 0, "got [%s]", sts ? sts : "(null)");
    size_t kl = 0;
    unsigned char *key = az_b64_decode(DEV_KEY, &kl);
    char auth[200] = "";
    CHECK(key && sts && az_sharedkey_authorization("myaccount", key, kl, sts, auth, sizeof auth) == 0, "sign");
    /* SOURCE: computed with tests/support/azure_blob_admin.py's sign_table (Python hmac), written separately */
    CHECK(strcmp(auth, "SharedKey myaccount:7WA2yzBoV9pIdAjo4QTJ/q0jeEwUF2RvTer6xuHbERM=") == 0, "got %s", auth);
    free(key);
    free(sts);

    /* Date when there is no x-ms-date; Content-MD5 and Content-Type in their places; comp decoded */
    pp_http_header d[] = {{"Date", "D"}, {"Content-Type", "application/xml"}, {"Content-MD5", "bWQ1"}};
    sts = az_sharedkey_table_string_to_sign("PUT", "acc", "/acc", "comp=prop%65rties&restype=service", d, 3);
    CHECK(sts && strcmp(sts, "PUT\nbWQ1\napplication/xml\nD\n/acc/acc?comp=properties") == 0, "got [%s]",
          sts ? sts : "(null)");
    free(sts);
    sts = az_sharedkey_table_string_to_sign("GET", "acc", "/Tables", NULL, h, 2);
    CHECK(sts && strcmp(sts, "GET\n\n\nSun, 29 Nov 2026 02:00:00 GMT\n/acc/Tables") == 0, "no query");
    free(sts);

    CHECK(az_sharedkey_table_string_to_sign("GET", "a", "/", "comp=properties", NULL, 0) == NULL, "no date refused");
    CHECK(az_sharedkey_table_string_to_sign("GET", "a", "/", "comp=%zz", h, 2) == NULL, "bad comp escape refused");
    CHECK(az_sharedkey_table_string_to_sign("GET", "a", "/", "comp=a%00", h, 2) == NULL, "NUL in comp refused");
    CHECK(az_sharedkey_table_string_to_sign("GET", "a", "x", NULL, h, 2) == NULL, "path must start with /");
}

static void test_base64(void)
{
    size_t n = 99;
    unsigned char *d = az_b64_decode("aGVsbG8=", &n);
    CHECK(d && n == 5 && memcmp(d, "hello", 5) == 0, "decode");
    free(d);
    CHECK(az_b64_decode("aGVsbG8", &n) == NULL, "missing padding refused");
    CHECK(az_b64_decode("aGV sbG8=", &n) == NULL, "space refused");
    CHECK(az_b64_decode("aG=sbG8=", &n) == NULL, "padding in the middle refused");
    CHECK(az_b64_decode("", &n) == NULL, "empty refused");
    char *u = az_b64url("\xfb\xff", 2);
    CHECK(u && strcmp(u, "-_8") == 0, "base64url without padding: %s", u ? u : "(null)");
    free(u);
    char *f = az_form_encode("a b+c/=~");
    CHECK(f && strcmp(f, "a%20b%2Bc%2F%3D~") == 0, "form encode: %s", f ? f : "(null)");
    free(f);
}

static void test_token_parse(void)
{
    az_token t;
    char err[300];
    const char *ok = "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"access_token\":\"abc\"}";
    CHECK(az_token_parse(ok, strlen(ok), 1000, &t, err, sizeof err) == 0 && strcmp(t.token, "abc") == 0 &&
              t.expires_at == 4599,
          "AAD shape");
    free(t.token);
    const char *imds =
        "{\"access_token\":\"x\",\"expires_in\":\"86399\",\"resource\":\"https://management.azure.com/\"}";
    CHECK(az_token_parse(imds, strlen(imds), 0, &t, err, sizeof err) == 0 && t.expires_at == 86399, "IMDS strings");
    free(t.token);
    const char *on = "{\"access_token\":\"x\",\"expires_on\":\"5000\"}";
    CHECK(az_token_parse(on, strlen(on), 1000, &t, err, sizeof err) == 0 && t.expires_at == 5000, "expires_on");
    free(t.token);
    const char *e = "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: Invalid client secret.\"}";
    CHECK(az_token_parse(e, strlen(e), 0, &t, err, sizeof err) == -1 &&
              strcmp(err, "invalid_client: AADSTS7000215: Invalid client secret.") == 0,
          "error: %s", err);
    const char *bad[] = {"not json",
                         "[]",
                         "{\"access_token\":\"\",\"expires_in\":5}",
                         "{\"access_token\":\"x\"}",
                         "{\"access_token\":\"x\",\"expires_in\":-5}",
                         "{\"access_token\":7,\"expires_in\":5}",
                         "{\"access_token\":\"x\",\"expires_in\":\"12abc\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t.token = NULL;
        CHECK(az_token_parse(bad[i], strlen(bad[i]), 0, &t, err, sizeof err) == -1 && t.token == NULL, "refused: %s",
              bad[i]);
    }
    CHECK(az_token_parse(NULL, 0, 0, &t, err, sizeof err) == -1, "no body");
}

/* A fresh RSA key and self-signed certificate, as one PEM (key first) in *pem. */
static EVP_PKEY *make_cert(char **pem, X509 **out)
{
    EVP_PKEY *k = EVP_RSA_gen(2048);
    X509 *x = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, k);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC, (const unsigned char *)"t", -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(x));
    X509_sign(x, k, EVP_sha256());
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
    PEM_write_bio_X509(b, x);
    char *p;
    long n = BIO_get_mem_data(b, &p);
    *pem = strndup(p, (size_t)n);
    BIO_free(b);
    *out = x;
    return k;
}

/* base64url (no padding) in @buf -> standard base64 with padding, in place. */
static void b64url_to_std(char *buf, size_t cap)
{
    for (char *q = buf; *q; q++)
        *q = *q == '-' ? '+' : *q == '_' ? '/' : *q;
    size_t n = strlen(buf);
    while (n % 4 && n + 1 < cap) {
        buf[n++] = '=';
        buf[n] = '\0';
    }
}

static cJSON *json_part(const char *s, size_t n)
{
    char b64[2048];
    snprintf(b64, sizeof b64, "%.*s", (int)n, s);
    b64url_to_std(b64, sizeof b64);
    size_t len;
    unsigned char *raw = az_b64_decode(b64, &len);
    cJSON *j = raw ? cJSON_ParseWithLength((const char *)raw, len) : NULL;
    free(raw);
    return j;
}

static void test_jwt_assertion(void)
{
    char *pem;
    X509 *cert;
    EVP_PKEY *key = make_cert(&pem, &cert);
    char err[300] = "";
    const char *aud = "https://login.example/tenant/oauth2/v2.0/token";
    char *jwt = az_jwt_assertion(pem, strlen(pem), "client-1", aud, 1700000000, err, sizeof err);
    CHECK(jwt != NULL, "assertion built: %s", err);
    if (jwt) {
        char *d1 = strchr(jwt, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
        CHECK(d1 && d2 && !strchr(d2 + 1, '.'), "three parts");
        if (d1 && d2) {
            cJSON *h = json_part(jwt, (size_t)(d1 - jwt)), *c = json_part(d1 + 1, (size_t)(d2 - d1 - 1));
            CHECK(h && strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(h, "alg")), "RS256") == 0, "alg");
            unsigned char *der = NULL;
            int dl = i2d_X509(cert, &der);
            unsigned char md[20];
            EVP_Digest(der, (size_t)dl, md, NULL, EVP_sha1(), NULL);
            OPENSSL_free(der);
            char *x5t = az_b64url(md, 20);
            CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(h, "x5t")), x5t) == 0, "x5t is the thumbprint");
            free(x5t);
            CHECK(c && strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "aud")), aud) == 0, "aud");
            CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "iss")), "client-1") == 0 &&
                      strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "sub")), "client-1") == 0,
                  "iss and sub");
            CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(c, "exp")) == 1700000600.0 &&
                      cJSON_GetNumberValue(cJSON_GetObjectItem(c, "nbf")) == 1700000000.0,
                  "nbf and exp");
            CHECK(strlen(cJSON_GetStringValue(cJSON_GetObjectItem(c, "jti"))) == 32, "jti");
            cJSON_Delete(h);
            cJSON_Delete(c);
            /* the signature verifies with the certificate's public key */
            char sig64[1024];
            snprintf(sig64, sizeof sig64, "%s", d2 + 1);
            b64url_to_std(sig64, sizeof sig64);
            size_t sl;
            unsigned char *sig = az_b64_decode(sig64, &sl);
            EVP_MD_CTX *m = EVP_MD_CTX_new();
            int v = sig && EVP_DigestVerifyInit(m, NULL, EVP_sha256(), NULL, X509_get0_pubkey(cert)) == 1 &&
                    EVP_DigestVerify(m, sig, sl, (const unsigned char *)jwt, (size_t)(d2 - jwt)) == 1;
            CHECK(v, "RS256 signature verifies");
            /* and a changed claim does not */
            jwt[d1 - jwt + 3] ^= 1;
            v = sig && EVP_DigestVerifyInit(m, NULL, EVP_sha256(), NULL, X509_get0_pubkey(cert)) == 1 &&
                EVP_DigestVerify(m, sig, sl, (const unsigned char *)jwt, (size_t)(d2 - jwt)) == 1;
            CHECK(!v, "a tampered assertion does not verify");
            EVP_MD_CTX_free(m);
            free(sig);
        }
        free(jwt);
    }
    /* a key that does not belong to the certificate */
    char *pem2;
    X509 *cert2;
    EVP_PKEY *key2 = make_cert(&pem2, &cert2);
    char *end_key = strstr(pem2, "-----BEGIN CERTIFICATE-----");
    char *mixed = malloc(strlen(pem) + strlen(pem2));
    snprintf(mixed, strlen(pem) + strlen(pem2), "%.*s%s", (int)(end_key - pem2), pem2,
             strstr(pem, "-----BEGIN CERTIFICATE-----"));
    err[0] = '\0';
    CHECK(az_jwt_assertion(mixed, strlen(mixed), "c", aud, 1, err, sizeof err) == NULL &&
              strstr(err, "does not belong"),
          "mismatched key refused: %s", err);
    CHECK(az_jwt_assertion("garbage", 7, "c", aud, 1, err, sizeof err) == NULL && strstr(err, "PEM"),
          "garbage refused: %s", err);
    CHECK(strstr(err, "garbage") == NULL, "the content is not repeated");
    free(mixed);
    free(pem);
    free(pem2);
    X509_free(cert);
    X509_free(cert2);
    EVP_PKEY_free(key);
    EVP_PKEY_free(key2);
}

static xml_node *parse(const char *s)
{
    char err[200];
    return xml_parse(s, strlen(s), err, sizeof err);
}

static void test_container_shape(void)
{
    xml_node *x = parse("<EnumerationResults><Containers>"
                        "<Container><Name>pub</Name><Properties><Last-Modified>Sun, 29 Nov 2026 00:01:02 GMT"
                        "</Last-Modified><LeaseStatus>unlocked</LeaseStatus><PublicAccess>container</PublicAccess>"
                        "<HasLegalHold>true</HasLegalHold></Properties></Container>"
                        "<Container><Name>blobby</Name><Properties><PublicAccess>blob</PublicAccess></Properties>"
                        "</Container>"
                        "<Container><Name>priv</Name><Properties><Last-Modified>Sun, 99 Nov 2026 00:01:02 GMT"
                        "</Last-Modified><HasLegalHold>maybe</HasLegalHold></Properties></Container>"
                        "<Container><Properties/></Container>"
                        "</Containers></EnumerationResults>");
    CHECK(x != NULL, "parses");
    const xml_node *c = xml_path(x, "Containers/Container");
    const char *want[] = {
        "{\"properties\":{\"publicAccess\":\"Container\",\"lastModifiedTime\":\"2026-11-29T00:01:02Z\","
        "\"leaseStatus\":\"Unlocked\",\"hasLegalHold\":true}}",
        "{\"properties\":{\"publicAccess\":\"Blob\"}}", "{\"properties\":{\"publicAccess\":\"None\"}}", NULL};
    for (int i = 0; i < 4 && c; i++, c = xml_next(c)) {
        cJSON *j = storage_container_json(c);
        char *s = j ? cJSON_PrintUnformatted(j) : NULL;
        if (want[i])
            CHECK(s && strcmp(s, want[i]) == 0, "container %d: %s", i, s ? s : "(null)");
        else
            CHECK(j == NULL, "a container without a name is refused");
        free(s);
        cJSON_Delete(j);
    }
    xml_free(x);
}

static void test_service_shape(void)
{
    xml_node *x = parse("<StorageServiceProperties><Logging><Version>1.0</Version><Delete>true</Delete>"
                        "<Read>false</Read><Write>true</Write><RetentionPolicy><Enabled>false</Enabled>"
                        "</RetentionPolicy></Logging><Cors><CorsRule><AllowedOrigins>https://a.example, "
                        "https://b.example</AllowedOrigins><AllowedMethods>GET</AllowedMethods>"
                        "<MaxAgeInSeconds>-4</MaxAgeInSeconds><AllowedHeaders></AllowedHeaders></CorsRule></Cors>"
                        "<DeleteRetentionPolicy><Enabled>true</Enabled><Days>9999999999</Days>"
                        "</DeleteRetentionPolicy></StorageServiceProperties>");
    cJSON *j = storage_service_json(x);
    char *s = j ? cJSON_PrintUnformatted(j) : NULL;
    CHECK(s && strcmp(s, "{\"properties\":{\"logging\":{\"version\":\"1.0\",\"delete\":true,\"read\":false,"
                         "\"write\":true,\"retentionPolicy\":{\"enabled\":false}},\"cors\":{\"corsRules\":[{"
                         "\"allowedOrigins\":[\"https://a.example\",\"https://b.example\"],\"allowedMethods\":"
                         "[\"GET\"],\"allowedHeaders\":[],\"exposedHeaders\":[]}]},\"deleteRetentionPolicy\":"
                         "{\"enabled\":true}}}") == 0,
          "got %s", s ? s : "(null)");
    free(s);
    cJSON_Delete(j);
    xml_free(x);
    x = parse("<Error><Code>AuthenticationFailed</Code></Error>");
    CHECK(storage_service_json(x) == NULL, "another root element is refused");
    xml_free(x);
    CHECK(storage_service_json(NULL) == NULL, "NULL is refused");
}

static void test_env_and_refs(void)
{
    char err[200] = "";
    az_cred cr;
    unsetenv("AZURE_TENANT_ID");
    unsetenv("AZURE_CLIENT_CERTIFICATE_PATH");
    setenv("AZURE_CLIENT_ID", "cid", 1);
    setenv("AZURE_CLIENT_SECRET", "s3cret-value", 1);
    CHECK(az_cred_from_env(&cr, err, sizeof err) == -1 && strstr(err, "AZURE_TENANT_ID"), "tenant missing: %s", err);
    CHECK(strstr(err, "s3cret") == NULL, "the secret is not in the message");
    setenv("AZURE_TENANT_ID", "tid", 1);
    CHECK(az_cred_from_env(&cr, err, sizeof err) == 1 && cr.method == AZ_AUTH_SECRET &&
              strcmp(cr.secret_ref, "env:AZURE_CLIENT_SECRET") == 0,
          "secret by reference, never copied");
    az_cred_clear(&cr);
    unsetenv("AZURE_CLIENT_SECRET");
    setenv("AZURE_CLIENT_CERTIFICATE_PATH", "/k/c.pem", 1);
    CHECK(az_cred_from_env(&cr, err, sizeof err) == 1 && cr.method == AZ_AUTH_CERT &&
              strcmp(cr.cert_ref, "file:/k/c.pem") == 0,
          "certificate by reference");
    az_cred_clear(&cr);
    unsetenv("AZURE_CLIENT_CERTIFICATE_PATH");
    CHECK(az_cred_from_env(&cr, err, sizeof err) == 0, "a client id alone names no client-credentials identity");
    CHECK(strcmp(az_ref_for_msg("env:X"), "env:X") == 0 && strcmp(az_ref_for_msg("file:/a"), "file:/a") == 0,
          "references are shown");
    CHECK(strstr(az_ref_for_msg("hunter2"), "hunter2") == NULL, "literal values are not");
    char shown[100];
    az_url_for_log("https://u:p@h.example:1/p/q?sig=abc#f", shown, sizeof shown);
    CHECK(strcmp(shown, "https://h.example:1/p/q") == 0, "url for log: %s", shown);
    char d[40];
    az_rfc1123(784111777, d, sizeof d);
    CHECK(strcmp(d, "Sun, 06 Nov 1994 08:49:37 GMT") == 0, "IMF-fixdate: %s", d);
}

int main(void)
{
    RUN(test_sharedkey_string_to_sign);
    RUN(test_sharedkey_hostile);
    RUN(test_sharedkey_table);
    RUN(test_base64);
    RUN(test_token_parse);
    RUN(test_jwt_assertion);
    RUN(test_container_shape);
    RUN(test_service_shape);
    RUN(test_env_and_refs);
    return test_summary();
}
