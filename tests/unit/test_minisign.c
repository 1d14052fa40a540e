/*
 * tests/unit/test_minisign.c - minisign formats and crypto (core/bundle):
 * base64 strictness, BLAKE2b against RFC 7693 and OpenSSL, libsodium's
 * scrypt parameter mapping, key files, signatures made by stock minisign
 * (tests/fixtures/bundle, see SOURCE there), round trips, tampering, and
 * the manifest and version rules.
 */
#include "config.h"

#include "bundle/b64.h"
#include "bundle/blake2b.h"
#include "bundle/bundle_util.h"
#include "bundle/manifest.h"
#include "bundle/minisign.h"
#include "testlib.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

static char fixture_dir[4096];

static char *fixture(const char *name, size_t *len)
{
    char path[4200];
    bundle_err e = {{0}};
    snprintf(path, sizeof path, "%s/%s", fixture_dir, name);
    char *t = read_file_capped(path, 1 << 20, len, &e);
    if (!t)
        fprintf(stderr, "fixture: %s\n", e.msg);
    return t;
}

static void prehash_text(const char *text, size_t len, unsigned char out[64])
{
    unsigned int n = 64;
    EVP_Digest(text, len, out, &n, EVP_blake2b512(), NULL);
}

static void test_b64(void)
{
    unsigned char out[16];
    char enc[32];
    b64_encode((const unsigned char *)"foobar", 6, enc);
    CHECK_STR(enc, "Zm9vYmFy");
    b64_encode((const unsigned char *)"fo", 2, enc);
    CHECK_STR(enc, "Zm8=");
    CHECK(b64_decode("Zm8=", 4, out, sizeof out) == 2 && memcmp(out, "fo", 2) == 0);
    CHECK(b64_decode("Zm9=", 4, out, sizeof out) == -1);  /* stray bits under padding */
    CHECK(b64_decode("Zm8", 3, out, sizeof out) == -1);   /* not a multiple of 4 */
    CHECK(b64_decode("Zm 8", 4, out, sizeof out) == -1);  /* whitespace */
    CHECK(b64_decode("=m8A", 4, out, sizeof out) == -1);  /* padding first */
    CHECK(b64_decode("Zg==Zg==", 8, out, sizeof out) == -1); /* padding in the middle */
    CHECK(b64_decode("Zm9vYmFy", 8, out, 5) == -1);      /* does not fit */
}

static void test_blake2b(void)
{
    /* RFC 7693 appendix A: BLAKE2b-512("abc") */
    static const char abc512[] = "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                                 "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923";
    unsigned char md[64], ref[64];
    char hex[129];
    blake2b_state s;
    blake2b_init(&s, 64);
    blake2b_update(&s, "abc", 3);
    blake2b_final(&s, md);
    hex_encode(md, 64, hex);
    CHECK_STR(hex, abc512);
    CHECK(blake2b_init(&s, 0) == -1 && blake2b_init(&s, 65) == -1);
    /* agrees with OpenSSL on lengths around the 128-byte block edges */
    unsigned char buf[600];
    RAND_bytes(buf, sizeof buf);
    size_t lens[] = {0, 1, 127, 128, 129, 255, 256, 257, 600};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        unsigned int n = 64;
        EVP_Digest(buf, lens[i], ref, &n, EVP_blake2b512(), NULL);
        blake2b_init(&s, 64);
        blake2b_update(&s, buf, lens[i] / 2);
        blake2b_update(&s, buf + lens[i] / 2, lens[i] - lens[i] / 2);
        blake2b_final(&s, md);
        CHECK(memcmp(md, ref, 64) == 0);
    }
}

static void test_scrypt_params(void)
{
    unsigned nlog;
    uint32_t r, p;
    /* minisign's default (libsodium's *_SENSITIVE): N=2^20, r=8, p=1 (1 GiB) */
    ms_scrypt_params(MS_KDF_OPSLIMIT_SENSITIVE, MS_KDF_MEMLIMIT_SENSITIVE, &nlog, &r, &p);
    CHECK(nlog == 20 && r == 8 && p == 1);
    /* *_INTERACTIVE: N=2^14, r=8, p=1 (16 MiB) */
    ms_scrypt_params(MS_KDF_OPSLIMIT_INTERACTIVE, MS_KDF_MEMLIMIT_INTERACTIVE, &nlog, &r, &p);
    CHECK(nlog == 14 && r == 8 && p == 1);
    /* CPU-bound branch: opslimit < memlimit/32 -> p = 1, N from opslimit */
    ms_scrypt_params(1 << 20, 1ULL << 30, &nlog, &r, &p);
    CHECK(nlog == 15 && r == 8 && p == 1);
    /* memory-bound with spare CPU: p grows */
    ms_scrypt_params(1ULL << 24, 1 << 24, &nlog, &r, &p);
    CHECK(nlog == 14 && r == 8 && p == 32);
    /* opslimit below the floor is raised to 32768 */
    ms_scrypt_params(0, 0, &nlog, &r, &p);
    CHECK(nlog == 1 && r == 8 && p == 512);
}

static void test_stock_minisign_fixtures(void)
{
    size_t pl, sl, ml, ll, kl;
    char *pub = fixture("minisign.pub", &pl), *sig = fixture("message.txt.minisig", &sl);
    char *msg = fixture("message.txt", &ml), *legacy = fixture("message.txt.legacy.minisig", &ll);
    char *key = fixture("minisign-unencrypted.key", &kl);
    ms_pubkey pk;
    ms_signature s;
    ms_seckey sk;
    bundle_err e = {{0}};
    unsigned char ph[64];
    CHECK(pub && sig && msg && legacy && key);
    if (!pub || !sig || !msg || !legacy || !key)
        goto out;
    CHECK(ms_pubkey_parse(pub, pl, "minisign.pub", &pk, &e) == 0);
    CHECK(ms_sig_parse(sig, sl, "message.txt.minisig", &s, &e) == 0);
    CHECK_CONTAINS(s.trusted_comment, "name:fixture\tversion:1.0.0");
    prehash_text(msg, ml, ph);
    CHECK(ms_sig_verify(&pk, &s, ph, &e) == 0);
    /* the message changed by one byte */
    msg[0] ^= 1;
    prehash_text(msg, ml, ph);
    CHECK(ms_sig_verify(&pk, &s, ph, &e) == -1);
    CHECK_CONTAINS(e.msg, "signature verification failed");
    msg[0] ^= 1;
    prehash_text(msg, ml, ph);
    /* a changed trusted comment breaks the global signature */
    s.trusted_comment[strlen(s.trusted_comment) - 1] ^= 1;
    CHECK(ms_sig_verify(&pk, &s, ph, &e) == -1);
    CHECK_CONTAINS(e.msg, "trusted comment signature verification failed");
    /* legacy "Ed" is refused at parse time */
    CHECK(ms_sig_parse(legacy, ll, "legacy.minisig", &s, &e) == -1);
    CHECK_CONTAINS(e.msg, "legacy (non-prehashed");
    /* minisign's unencrypted secret key (all-zero checksum) loads, its
     * public half matches, and what it signs verifies */
    CHECK(ms_seckey_is_encrypted(key, kl, "key", &e) == 0);
    CHECK(ms_seckey_parse(key, kl, "key", NULL, &sk, &e) == 0);
    CHECK(memcmp(sk.pk, pk.pk, 32) == 0 && memcmp(sk.keyid, pk.keyid, 8) == 0);
    char *mine = ms_sign(&sk, ph, "c", "t", &e);
    CHECK(mine && ms_sig_parse(mine, strlen(mine), "mine", &s, &e) == 0 &&
          ms_sig_verify(&pk, &s, ph, &e) == 0);
    free(mine);
    ms_seckey_wipe(&sk);
out:
    free(pub);
    free(sig);
    free(msg);
    free(legacy);
    free(key);
}

static void test_key_round_trip(void)
{
    ms_seckey sk, sk2;
    ms_pubkey pk, pk2;
    bundle_err e = {{0}};
    unsigned char ph[64];
    CHECK(ms_keygen(&sk, &pk, &e) == 0);
    char *pub = ms_pubkey_format(&pk);
    CHECK(pub && ms_pubkey_parse(pub, strlen(pub), "pub", &pk2, &e) == 0 &&
          memcmp(&pk, &pk2, sizeof pk) == 0);
    char id[17];
    ms_keyid_hex(pk.keyid, id);
    CHECK_CONTAINS(pub, id);
    free(pub);

    /* encrypted with the cheap KDF; decrypts only with the passphrase */
    char *enc = ms_seckey_format(&sk, "correct horse", MS_KDF_OPSLIMIT_INTERACTIVE,
                                 MS_KDF_MEMLIMIT_INTERACTIVE, &e);
    CHECK(enc != NULL);
    if (enc) {
        CHECK(ms_seckey_is_encrypted(enc, strlen(enc), "k", &e) == 1);
        CHECK(ms_seckey_parse(enc, strlen(enc), "k", "correct horse", &sk2, &e) == 0 &&
              memcmp(&sk, &sk2, sizeof sk) == 0);
        CHECK(ms_seckey_parse(enc, strlen(enc), "k", "wrong horse", &sk2, &e) == -1);
        CHECK_CONTAINS(e.msg, "wrong passphrase");
        CHECK(ms_seckey_parse(enc, strlen(enc), "k", NULL, &sk2, &e) == -1);
        CHECK_CONTAINS(e.msg, "no passphrase");
        /* the secret never appears in the clear in the encrypted file */
        char *plain = ms_seckey_format(&sk, NULL, 0, 0, &e);
        CHECK(plain && strcmp(plain, enc) != 0);
        CHECK(plain && ms_seckey_parse(plain, strlen(plain), "p", NULL, &sk2, &e) == 0 &&
              memcmp(&sk, &sk2, sizeof sk) == 0);
        /* a flipped bit in the stored secret is caught */
        if (plain) {
            char *line2 = strchr(plain, '\n') + 1;
            line2[100] = line2[100] == 'A' ? 'B' : 'A';
            CHECK(ms_seckey_parse(plain, strlen(plain), "p", NULL, &sk2, &e) == -1);
            bwipe(plain, strlen(plain));
        }
        free(plain);
        bwipe(enc, strlen(enc));
        free(enc);
    }

    RAND_bytes(ph, sizeof ph);
    char *sig = ms_sign(&sk, ph, "untrusted", "name:x\tversion:1.0.0", &e);
    ms_signature s;
    CHECK(sig && ms_sig_parse(sig, strlen(sig), "sig", &s, &e) == 0 &&
          ms_sig_verify(&pk, &s, ph, &e) == 0);
    /* another key's public half does not verify it, and says so */
    CHECK(ms_keygen(&sk2, &pk2, &e) == 0);
    CHECK(ms_sig_verify(&pk2, &s, ph, &e) == -1);
    CHECK_CONTAINS(e.msg, "signature was made by key");
    /* multi-line comments are refused */
    CHECK(ms_sign(&sk, ph, "a\nb", "t", &e) == NULL);
    free(sig);
    ms_seckey_wipe(&sk);
    ms_seckey_wipe(&sk2);
}

static void test_malformed(void)
{
    ms_pubkey pk;
    ms_signature s;
    bundle_err e = {{0}};
    const char *bad_pubs[] = {
        "",
        "no comment\nRWQuYOxGZt+nwdHziaYf8cgq2JFdXceTj6TifpFqBreqN16dOaEysA7w\n",
        "untrusted comment: x\n",
        "untrusted comment: x\nRWQuYOxGZt+nwdHziaYf8cgq2JFdXceTj6TifpFqBreqN16dOaEysA7\n",
        "untrusted comment: x\nRWQuYOxGZt+nwdHziaYf8cgq2JFdXceTj6TifpFqBreqN16dOaEysA7w\nextra\n",
        /* "Ex" algorithm */
        "untrusted comment: x\nRXguYOxGZt+nwdHziaYf8cgq2JFdXceTj6TifpFqBreqN16dOaEysA7w\n",
    };
    for (size_t i = 0; i < sizeof bad_pubs / sizeof bad_pubs[0]; i++)
        CHECK(ms_pubkey_parse(bad_pubs[i], strlen(bad_pubs[i]), "pub", &pk, &e) == -1);
    const char *good = "untrusted comment: x\nRWQuYOxGZt+nwdHziaYf8cgq2JFdXceTj6TifpFqBreqN16dOaEysA7w\n";
    CHECK(ms_pubkey_parse(good, strlen(good), "pub", &pk, &e) == 0);
    char id[17];
    ms_keyid_hex(pk.keyid, id);
    CHECK_STR(id, "C1A7DF6646EC602E");

    const char *sig_lines =
        "untrusted comment: u\n"
        "RUQuYOxGZt+nwR6ZEyPSO+GHjorXjnc2prg/MPYJOA14fQ8j86itOASfat2caywtvRZvszdIeWcnPyMFFsgaxLmQx715k845JgA=\n"
        "trusted comment: t\n"
        "DZOeHKeYfO+sYC9RcPB8oX1tkhUr58zlZMdXi0emG2yroYm/AVG9rsbdpMxfbwyfKbbjgAQYjq2r2pXrthuPCA==\n";
    CHECK(ms_sig_parse(sig_lines, strlen(sig_lines), "s", &s, &e) == 0);
    for (size_t cut = 0; cut < strlen(sig_lines) - 1; cut += 7) /* every truncation fails */
        CHECK(ms_sig_parse(sig_lines, cut, "s", &s, &e) == -1);
    char withctl[512];
    snprintf(withctl, sizeof withctl, "%s", sig_lines);
    char *t = strstr(withctl, "trusted comment: t");
    t[17] = '\x1b';
    CHECK(ms_sig_parse(withctl, strlen(withctl), "s", &s, &e) == -1);
    CHECK_CONTAINS(e.msg, "control character");
}

static void test_versions_and_names(void)
{
    CHECK(manifest_valid_version("1.4.2") && manifest_valid_version("0.0.0-alpha.1+b.7"));
    CHECK(!manifest_valid_version("1.4") && !manifest_valid_version("01.2.3") &&
          !manifest_valid_version("1.2.3-") && !manifest_valid_version("1.2.3-01") &&
          !manifest_valid_version("v1.2.3") && !manifest_valid_version("1.2.3-a..b"));
    CHECK(semver_compare("1.0.0", "1.0.1") < 0 && semver_compare("1.10.0", "1.9.9") > 0);
    CHECK(semver_compare("1.0.0-alpha", "1.0.0") < 0 && semver_compare("1.0.0+x", "1.0.0") == 0);
    /* the semver 2.0.0 precedence example, in order */
    const char *order[] = {"1.0.0-alpha",  "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                           "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1",       "1.0.0"};
    for (size_t i = 0; i + 1 < sizeof order / sizeof order[0]; i++)
        CHECK(semver_compare(order[i], order[i + 1]) < 0 && semver_compare(order[i + 1], order[i]) > 0);
    CHECK(manifest_valid_name("acme-aws") && manifest_valid_name("a_b9"));
    CHECK(!manifest_valid_name("Acme") && !manifest_valid_name("-x") && !manifest_valid_name("") &&
          !manifest_valid_name("a/b") && !manifest_valid_name("a.b"));
    char why[128];
    CHECK(manifest_check_path("lib/x.so", why, sizeof why) == 0);
    const char *bad[] = {"", "/etc/passwd", "../x", "a/../b", "a//b", "a/./b", "a/", ".hidden",
                         "lib/-x", "a\\b", "a b", "a\x01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(manifest_check_path(bad[i], why, sizeof why) == -1);
}

static void test_manifest_rules(void)
{
    static const char *base =
        "{\"format\":1,\"name\":\"demo\",\"version\":\"1.0.0\",\"abi\":{\"major\":1,\"minor\":1},"
        "\"kinds\":[\"provider\"],\"entry\":\"lib/demo.so\",\"target\":{\"os\":\"linux\","
        "\"arch\":\"x86_64\"},\"files\":[{\"path\":\"lib/demo.so\",\"size\":3,\"mode\":\"0755\","
        "\"sha256\":\"%s\"}%s]}";
    static const char *h = "0000000000000000000000000000000000000000000000000000000000000000";
    char json[2048];
    manifest m;
    bundle_err e = {{0}};
    snprintf(json, sizeof json, base, h, "");
    CHECK(manifest_parse(json, strlen(json), "m", &m, &e) == 0);
    char *again = manifest_to_json(&m);
    manifest m2;
    CHECK(again && manifest_parse(again, strlen(again), "m2", &m2, &e) == 0 &&
          strcmp(m2.name, "demo") == 0 && m2.n_files == 1 && m2.files[0].mode == 0755);
    free(again);
    manifest_free(&m2);
    manifest_free(&m);
    struct {
        const char *extra, *msg;
    } cases[] = {
        {",{\"path\":\"lib/demo.so\",\"size\":1,\"mode\":\"0644\",\"sha256\":\"%s\"}", "listed twice"},
        {",{\"path\":\"LIB/demo.so\",\"size\":1,\"mode\":\"0644\",\"sha256\":\"%s\"}", "only in case"},
        {",{\"path\":\"../x\",\"size\":1,\"mode\":\"0644\",\"sha256\":\"%s\"}", "\"..\""},
        {",{\"path\":\"x\",\"size\":1,\"mode\":\"4755\",\"sha256\":\"%s\"}", "mode must be"},
        {",{\"path\":\"x\",\"size\":1e12,\"mode\":\"0644\",\"sha256\":\"%s\"}", "limit"},
        {",{\"path\":\"x\",\"size\":1,\"mode\":\"0644\",\"sha256\":\"%.10s\"}", "64 lowercase hex"},
        {",{\"path\":\"MANIFEST.json\",\"size\":1,\"mode\":\"0644\",\"sha256\":\"%s\"}", "list itself"},
        {",{\"path\":\"lib/demo.so/x\",\"size\":1,\"mode\":\"0644\",\"sha256\":\"%s\"}", "both a file and a directory"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char extra[512];
        snprintf(extra, sizeof extra, cases[i].extra, h);
        snprintf(json, sizeof json, base, h, extra);
        CHECK(manifest_parse(json, strlen(json), "m", &m, &e) == -1);
        CHECK_CONTAINS(e.msg, cases[i].msg);
    }
    const char *dup = "{\"format\":1,\"name\":\"a\",\"name\":\"b\"}";
    CHECK(manifest_parse(dup, strlen(dup), "m", &m, &e) == -1);
    CHECK_CONTAINS(e.msg, "repeats a member name");
    const char *fmt2 = "{\"format\":2}";
    CHECK(manifest_parse(fmt2, strlen(fmt2), "m", &m, &e) == -1);
    CHECK_CONTAINS(e.msg, "format 2 is not supported");
}

int main(void)
{
    const char *top = getenv("top_srcdir");
    snprintf(fixture_dir, sizeof fixture_dir, "%s/tests/fixtures/bundle", top ? top : ".");
    test_b64();
    test_blake2b();
    test_scrypt_params();
    test_stock_minisign_fixtures();
    test_key_round_trip();
    test_malformed();
    test_versions_and_names();
    test_manifest_rules();
    return test_summary("test_minisign");
}
