/* core/bundle/minisign.c - see minisign.h. */
#include "config.h"

#include "minisign.h"

#include "b64.h"
#include "blake2b.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#define PK_BLOB 42      /* "Ed" + keyid + pk */
#define SIG_BLOB 74     /* "ED" + keyid + sig */
#define KEYNUM_SK 104   /* keyid + sk(64) + chk(32) */
#define SK_BLOB 158     /* 2+2+2+32+8+8 + KEYNUM_SK */
#define SK_OFF_KDF 2
#define SK_OFF_CHK 4
#define SK_OFF_SALT 6
#define SK_OFF_OPS 38
#define SK_OFF_MEM 46
#define SK_OFF_KEYNUM 54

static const char untrusted_prefix[] = "untrusted comment: ";
static const char trusted_prefix[] = "trusted comment: ";

static uint64_t get_le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static void put_le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

void ms_keyid_hex(const unsigned char keyid[MS_KEYID_BYTES], char out[17])
{
    snprintf(out, 17, "%016llX", (unsigned long long)get_le64(keyid));
}

/* A cursor over the lines of a small text file. */
typedef struct line_reader {
    const char *p;
    const char *end;
} line_reader;

/* next_line - the next line (without "\n" or "\r\n"); -1 at end of text. */
static int next_line(line_reader *lr, const char **line, size_t *len)
{
    if (lr->p >= lr->end)
        return -1;
    const char *nl = memchr(lr->p, '\n', (size_t)(lr->end - lr->p));
    const char *stop = nl ? nl : lr->end;
    *line = lr->p;
    *len = (size_t)(stop - lr->p);
    if (*len > 0 && (*line)[*len - 1] == '\r')
        (*len)--;
    lr->p = nl ? nl + 1 : lr->end;
    return 0;
}

/* only_blank_left - 1 if nothing but line ends remain. */
static int only_blank_left(const line_reader *lr)
{
    for (const char *q = lr->p; q < lr->end; q++)
        if (*q != '\n' && *q != '\r')
            return 0;
    return 1;
}

static int has_prefix(const char *line, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(line, prefix, n) == 0;
}

static int has_nul(const char *text, size_t len)
{
    return memchr(text, '\0', len) != NULL;
}

/* ---- Ed25519 and hashing through OpenSSL ---- */

static int ed25519_sign(const unsigned char seed[32], const unsigned char *msg, size_t len,
                        unsigned char sig[64])
{
    EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t siglen = 64;
    int ok = key && ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1 &&
             EVP_DigestSign(ctx, sig, &siglen, msg, len) == 1 && siglen == 64;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    return ok ? 0 : -1;
}

static int ed25519_verify(const unsigned char pk[32], const unsigned char *msg, size_t len,
                          const unsigned char sig[64])
{
    EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, 32);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = key && ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1 &&
             EVP_DigestVerify(ctx, sig, 64, msg, len) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    return ok ? 0 : -1;
}

/* ed25519_public_from_seed - the public key a seed yields. */
static int ed25519_public_from_seed(const unsigned char seed[32], unsigned char pk[32])
{
    EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    size_t n = 32;
    int ok = key && EVP_PKEY_get_raw_public_key(key, pk, &n) == 1 && n == 32;
    EVP_PKEY_free(key);
    return ok ? 0 : -1;
}

int ms_prehash_fd(int fd, const char *what, unsigned char out[64], bundle_err *e)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char buf[65536];
    int rc = -1;
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_blake2b512(), NULL) != 1) {
        berr_set(e, "OpenSSL has no BLAKE2b-512 (needed to check %s)", what);
        goto out;
    }
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            berr_set(e, "cannot read %s: %s", what, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        EVP_DigestUpdate(ctx, buf, (size_t)n);
    }
    EVP_DigestFinal_ex(ctx, out, NULL);
    rc = 0;
out:
    EVP_MD_CTX_free(ctx);
    return rc;
}

/* ---- scrypt, the way libsodium maps opslimit/memlimit ---- */

void ms_scrypt_params(uint64_t opslimit, uint64_t memlimit, unsigned *n_log2, uint32_t *r,
                      uint32_t *p)
{
    /* Mapping of libsodium's crypto_pwhash_scryptsalsa208sha256 (its
     * "pickparams", after Colin Percival's scrypt): r is fixed at 8; when
     * CPU is the tighter limit (opslimit < memlimit/32) p = 1 and N is the
     * largest power of two with 4*N*r <= opslimit (roughly); otherwise N
     * comes from memory (128*N*r <= memlimit) and p from what CPU is left. */
    uint64_t max_n;
    if (opslimit < 32768)
        opslimit = 32768;
    *r = 8;
    if (opslimit < memlimit / 32) {
        *p = 1;
        max_n = opslimit / (*r * 4);
    } else {
        max_n = memlimit / ((uint64_t)*r * 128);
    }
    for (*n_log2 = 1; *n_log2 < 63; (*n_log2)++)
        if ((UINT64_C(1) << *n_log2) > max_n / 2)
            break;
    if (!(opslimit < memlimit / 32)) {
        uint64_t max_rp = (opslimit / 4) / (UINT64_C(1) << *n_log2);
        if (max_rp > 0x3fffffff)
            max_rp = 0x3fffffff;
        *p = (uint32_t)max_rp / *r;
    }
}

/* Limits on what a key file may ask for: minisign never uses more than
 * N = 2^20 (1 GiB), and p stays small. */
#define KDF_MAX_N_LOG2 20
#define KDF_MAX_P 16

static int scrypt_stream(const char *pass, const unsigned char salt[32], uint64_t opslimit,
                         uint64_t memlimit, unsigned char *out, size_t outlen, const char *what,
                         bundle_err *e)
{
    unsigned n_log2;
    uint32_t r, p;
    ms_scrypt_params(opslimit, memlimit, &n_log2, &r, &p);
    if (n_log2 > KDF_MAX_N_LOG2 || p == 0 || p > KDF_MAX_P)
        return berr_set(e,
                        "%s: key derivation parameters are out of range (opslimit %llu, "
                        "memlimit %llu)",
                        what, (unsigned long long)opslimit, (unsigned long long)memlimit);
    uint64_t n = UINT64_C(1) << n_log2;
    uint64_t maxmem = 128ULL * r * (n + 2) + 128ULL * r * p + (1u << 20);
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
    EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)pass, strlen(pass)),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, 32),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
        OSSL_PARAM_construct_end(),
    };
    int ok = kctx && EVP_KDF_derive(kctx, out, outlen, params) == 1;
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
    if (!ok)
        return berr_set(e, "%s: scrypt key derivation failed (N=2^%u, r=%u, p=%u; out of memory?)",
                        what, n_log2, r, p);
    return 0;
}

static void key_checksum(const unsigned char keynum_sk[KEYNUM_SK - 32], unsigned char chk[32])
{
    blake2b_state st;
    blake2b_init(&st, 32);
    blake2b_update(&st, "Ed", 2);
    blake2b_update(&st, keynum_sk, KEYNUM_SK - 32); /* keyid | sk */
    blake2b_final(&st, chk);
}

/* ---- public keys ---- */

int ms_pubkey_parse(const char *text, size_t len, const char *what, ms_pubkey *out, bundle_err *e)
{
    line_reader lr = {text, text + len};
    const char *line;
    size_t n;
    unsigned char blob[PK_BLOB];

    if (has_nul(text, len))
        return berr_set(e, "%s: not a minisign public key (contains NUL bytes)", what);
    if (next_line(&lr, &line, &n) != 0 || !has_prefix(line, n, untrusted_prefix))
        return berr_set(e, "%s: not a minisign public key (first line must start with \"%s\")",
                        what, untrusted_prefix);
    if (n > MS_COMMENT_MAX)
        return berr_set(e, "%s: comment line longer than %d bytes", what, MS_COMMENT_MAX);
    if (next_line(&lr, &line, &n) != 0 || b64_decode(line, n, blob, sizeof blob) != PK_BLOB)
        return berr_set(e, "%s: second line is not the base64 of a minisign public key", what);
    if (!only_blank_left(&lr))
        return berr_set(e, "%s: unexpected text after the key", what);
    if (memcmp(blob, "Ed", 2) != 0)
        return berr_set(e, "%s: unsupported key algorithm (want Ed25519, \"Ed\")", what);
    memcpy(out->keyid, blob + 2, MS_KEYID_BYTES);
    memcpy(out->pk, blob + 10, 32);
    return 0;
}

int ms_pubkey_load(const char *path, ms_pubkey *out, bundle_err *e)
{
    size_t len;
    char *text = read_file_capped(path, 4096, &len, e);
    if (!text)
        return -1;
    int rc = ms_pubkey_parse(text, len, path, out, e);
    free(text);
    return rc;
}

char *ms_pubkey_format(const ms_pubkey *pk)
{
    unsigned char blob[PK_BLOB];
    char id[17], b64[64];
    memcpy(blob, "Ed", 2);
    memcpy(blob + 2, pk->keyid, MS_KEYID_BYTES);
    memcpy(blob + 10, pk->pk, 32);
    b64_encode(blob, sizeof blob, b64);
    ms_keyid_hex(pk->keyid, id);
    size_t cap = strlen(untrusted_prefix) + 40 + sizeof b64;
    char *s = malloc(cap);
    if (s)
        snprintf(s, cap, "%sminisign public key %s\n%s\n", untrusted_prefix, id, b64);
    return s;
}

/* ---- secret keys ---- */

/* decode_seckey - the 158-byte blob of a secret key file, checked for the
 * algorithms it names. */
static int decode_seckey(const char *text, size_t len, const char *what, unsigned char blob[SK_BLOB],
                         bundle_err *e)
{
    line_reader lr = {text, text + len};
    const char *line;
    size_t n;
    if (has_nul(text, len))
        return berr_set(e, "%s: not a minisign secret key (contains NUL bytes)", what);
    if (next_line(&lr, &line, &n) != 0 || !has_prefix(line, n, untrusted_prefix))
        return berr_set(e, "%s: not a minisign secret key (first line must start with \"%s\")",
                        what, untrusted_prefix);
    if (next_line(&lr, &line, &n) != 0 || b64_decode(line, n, blob, SK_BLOB) != SK_BLOB)
        return berr_set(e, "%s: second line is not the base64 of a minisign secret key", what);
    if (!only_blank_left(&lr))
        return berr_set(e, "%s: unexpected text after the key", what);
    if (memcmp(blob, "Ed", 2) != 0)
        return berr_set(e, "%s: unsupported signature algorithm (want \"Ed\")", what);
    if (memcmp(blob + SK_OFF_CHK, "B2", 2) != 0)
        return berr_set(e, "%s: unsupported checksum algorithm (want \"B2\")", what);
    if (memcmp(blob + SK_OFF_KDF, "Sc", 2) != 0 && memcmp(blob + SK_OFF_KDF, "\0\0", 2) != 0)
        return berr_set(e, "%s: unsupported key derivation (want scrypt \"Sc\" or none)", what);
    return 0;
}

int ms_seckey_is_encrypted(const char *text, size_t len, const char *what, bundle_err *e)
{
    unsigned char blob[SK_BLOB];
    if (decode_seckey(text, len, what, blob, e) != 0) {
        bwipe(blob, sizeof blob);
        return -1;
    }
    int enc = memcmp(blob + SK_OFF_KDF, "Sc", 2) == 0;
    bwipe(blob, sizeof blob);
    return enc;
}

int ms_seckey_parse(const char *text, size_t len, const char *what, const char *passphrase,
                    ms_seckey *out, bundle_err *e)
{
    unsigned char blob[SK_BLOB], stream[KEYNUM_SK], chk[32], pk[32];
    int rc = -1;

    memset(out, 0, sizeof *out);
    if (decode_seckey(text, len, what, blob, e) != 0)
        goto out;
    unsigned char *keynum = blob + SK_OFF_KEYNUM;
    int encrypted = memcmp(blob + SK_OFF_KDF, "Sc", 2) == 0;
    if (encrypted) {
        if (!passphrase) {
            berr_set(e, "%s is encrypted and no passphrase was given", what);
            goto out;
        }
        if (scrypt_stream(passphrase, blob + SK_OFF_SALT, get_le64(blob + SK_OFF_OPS),
                          get_le64(blob + SK_OFF_MEM), stream, sizeof stream, what, e) != 0)
            goto out;
        for (size_t i = 0; i < KEYNUM_SK; i++)
            keynum[i] ^= stream[i];
    }
    key_checksum(keynum, chk);
    static const unsigned char zero[32];
    /* minisign leaves the checksum of an unencrypted key all zero */
    int chk_ok = memcmp(chk, keynum + 72, 32) == 0 ||
                 (!encrypted && memcmp(keynum + 72, zero, 32) == 0);
    if (!chk_ok) {
        berr_set(e, encrypted ? "%s: wrong passphrase for this key"
                              : "%s: checksum mismatch (the key file is damaged)",
                 what);
        goto out;
    }
    if (ed25519_public_from_seed(keynum + 8, pk) != 0 || memcmp(pk, keynum + 40, 32) != 0) {
        berr_set(e, "%s: the secret key does not match its public half (damaged key file)", what);
        goto out;
    }
    memcpy(out->keyid, keynum, MS_KEYID_BYTES);
    memcpy(out->seed, keynum + 8, 32);
    memcpy(out->pk, keynum + 40, 32);
    rc = 0;
out:
    bwipe(blob, sizeof blob);
    bwipe(stream, sizeof stream);
    bwipe(chk, sizeof chk);
    if (rc != 0)
        ms_seckey_wipe(out);
    return rc;
}

char *ms_seckey_format(const ms_seckey *sk, const char *passphrase, uint64_t opslimit,
                       uint64_t memlimit, bundle_err *e)
{
    unsigned char blob[SK_BLOB], stream[KEYNUM_SK];
    char b64[256];
    char *s = NULL;

    memset(blob, 0, sizeof blob);
    memcpy(blob, "Ed", 2);
    memcpy(blob + SK_OFF_CHK, "B2", 2);
    unsigned char *keynum = blob + SK_OFF_KEYNUM;
    memcpy(keynum, sk->keyid, 8);
    memcpy(keynum + 8, sk->seed, 32);
    memcpy(keynum + 40, sk->pk, 32);
    key_checksum(keynum, keynum + 72);
    if (passphrase) {
        memcpy(blob + SK_OFF_KDF, "Sc", 2);
        if (RAND_bytes(blob + SK_OFF_SALT, 32) != 1) {
            berr_set(e, "no randomness available for the key salt");
            goto out;
        }
        put_le64(blob + SK_OFF_OPS, opslimit);
        put_le64(blob + SK_OFF_MEM, memlimit);
        if (scrypt_stream(passphrase, blob + SK_OFF_SALT, opslimit, memlimit, stream,
                          sizeof stream, "new secret key", e) != 0)
            goto out;
        for (size_t i = 0; i < KEYNUM_SK; i++)
            keynum[i] ^= stream[i];
    }
    b64_encode(blob, sizeof blob, b64);
    size_t cap = strlen(untrusted_prefix) + 64 + strlen(b64);
    s = malloc(cap);
    if (!s) {
        berr_set(e, "out of memory");
        goto out;
    }
    snprintf(s, cap, "%sminisign %s secret key\n%s\n", untrusted_prefix,
             passphrase ? "encrypted" : "unencrypted", b64);
out:
    bwipe(blob, sizeof blob);
    bwipe(stream, sizeof stream);
    bwipe(b64, sizeof b64);
    return s;
}

int ms_keygen(ms_seckey *sk, ms_pubkey *pk, bundle_err *e)
{
    if (RAND_priv_bytes(sk->seed, 32) != 1 || RAND_bytes(sk->keyid, MS_KEYID_BYTES) != 1 ||
        ed25519_public_from_seed(sk->seed, sk->pk) != 0) {
        ms_seckey_wipe(sk);
        return berr_set(e, "cannot generate an Ed25519 key pair (OpenSSL failed)");
    }
    memcpy(pk->keyid, sk->keyid, MS_KEYID_BYTES);
    memcpy(pk->pk, sk->pk, 32);
    return 0;
}

void ms_seckey_wipe(ms_seckey *sk)
{
    bwipe(sk, sizeof *sk);
}

/* ---- signatures ---- */

int ms_sig_parse(const char *text, size_t len, const char *what, ms_signature *out, bundle_err *e)
{
    line_reader lr = {text, text + len};
    const char *line;
    size_t n;
    unsigned char blob[SIG_BLOB];

    memset(out, 0, sizeof *out);
    if (has_nul(text, len))
        return berr_set(e, "%s: not a minisign signature (contains NUL bytes)", what);
    if (next_line(&lr, &line, &n) != 0 || !has_prefix(line, n, untrusted_prefix))
        return berr_set(e, "%s: not a minisign signature (first line must start with \"%s\")",
                        what, untrusted_prefix);
    if (n > MS_COMMENT_MAX)
        return berr_set(e, "%s: untrusted comment longer than %d bytes", what, MS_COMMENT_MAX);
    if (next_line(&lr, &line, &n) != 0 || b64_decode(line, n, blob, sizeof blob) != SIG_BLOB)
        return berr_set(e, "%s: second line is not the base64 of a minisign signature", what);
    if (memcmp(blob, "Ed", 2) == 0)
        return berr_set(e,
                        "%s: legacy (non-prehashed, \"Ed\") minisign signature refused; sign "
                        "again with the prehashed form (minisign's default, or parapet plugin "
                        "sign)",
                        what);
    if (memcmp(blob, "ED", 2) != 0)
        return berr_set(e, "%s: unsupported signature algorithm", what);
    if (next_line(&lr, &line, &n) != 0 || !has_prefix(line, n, trusted_prefix))
        return berr_set(e, "%s: third line must start with \"%s\"", what, trusted_prefix);
    size_t tlen = n - strlen(trusted_prefix);
    if (tlen >= MS_TRUSTED_COMMENT_MAX - strlen(trusted_prefix))
        return berr_set(e, "%s: trusted comment longer than %zu bytes", what,
                        MS_TRUSTED_COMMENT_MAX - strlen(trusted_prefix) - 1);
    const char *tc = line + strlen(trusted_prefix);
    for (size_t i = 0; i < tlen; i++) {
        unsigned char c = (unsigned char)tc[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return berr_set(e, "%s: control character in the trusted comment", what);
    }
    memcpy(out->trusted_comment, tc, tlen);
    out->trusted_comment[tlen] = '\0';
    if (next_line(&lr, &line, &n) != 0 ||
        b64_decode(line, n, out->global_sig, sizeof out->global_sig) != 64)
        return berr_set(e, "%s: fourth line is not the base64 of a global signature", what);
    if (!only_blank_left(&lr))
        return berr_set(e, "%s: unexpected text after the signature", what);
    memcpy(out->keyid, blob + 2, MS_KEYID_BYTES);
    memcpy(out->sig, blob + 10, 64);
    return 0;
}

int ms_sig_verify(const ms_pubkey *pk, const ms_signature *sig, const unsigned char prehash[64],
                  bundle_err *e)
{
    char want[17], got[17];
    if (memcmp(pk->keyid, sig->keyid, MS_KEYID_BYTES) != 0) {
        ms_keyid_hex(sig->keyid, got);
        ms_keyid_hex(pk->keyid, want);
        return berr_set(e, "signature was made by key %s, not by key %s", got, want);
    }
    if (ed25519_verify(pk->pk, prehash, 64, sig->sig) != 0)
        return berr_set(e, "signature verification failed: the file was changed or the "
                           "signature is not for it");
    size_t tlen = strlen(sig->trusted_comment);
    unsigned char *msg = malloc(64 + tlen);
    if (!msg)
        return berr_set(e, "out of memory");
    memcpy(msg, sig->sig, 64);
    memcpy(msg + 64, sig->trusted_comment, tlen);
    int rc = ed25519_verify(pk->pk, msg, 64 + tlen, sig->global_sig);
    free(msg);
    if (rc != 0)
        return berr_set(e, "trusted comment signature verification failed: the trusted comment "
                           "was changed");
    return 0;
}

static int single_line(const char *s)
{
    return strchr(s, '\n') == NULL && strchr(s, '\r') == NULL;
}

char *ms_sign(const ms_seckey *sk, const unsigned char prehash[64], const char *untrusted_comment,
              const char *trusted_comment, bundle_err *e)
{
    unsigned char blob[SIG_BLOB], global[64];
    char b64sig[128], b64global[96];
    if (!single_line(untrusted_comment) || !single_line(trusted_comment)) {
        berr_set(e, "signature comments must be single lines");
        return NULL;
    }
    size_t ulen = strlen(untrusted_comment), tlen = strlen(trusted_comment);
    if (ulen + strlen(untrusted_prefix) > MS_COMMENT_MAX ||
        tlen + strlen(trusted_prefix) >= MS_TRUSTED_COMMENT_MAX) {
        berr_set(e, "signature comment too long");
        return NULL;
    }
    memcpy(blob, "ED", 2);
    memcpy(blob + 2, sk->keyid, MS_KEYID_BYTES);
    if (ed25519_sign(sk->seed, prehash, 64, blob + 10) != 0) {
        berr_set(e, "Ed25519 signing failed (OpenSSL)");
        return NULL;
    }
    unsigned char *msg = malloc(64 + tlen);
    if (!msg) {
        berr_set(e, "out of memory");
        return NULL;
    }
    memcpy(msg, blob + 10, 64);
    memcpy(msg + 64, trusted_comment, tlen);
    int rc = ed25519_sign(sk->seed, msg, 64 + tlen, global);
    free(msg);
    if (rc != 0) {
        berr_set(e, "Ed25519 signing failed (OpenSSL)");
        return NULL;
    }
    b64_encode(blob, sizeof blob, b64sig);
    b64_encode(global, sizeof global, b64global);
    size_t cap = ulen + tlen + strlen(b64sig) + strlen(b64global) + 64;
    char *s = malloc(cap);
    if (!s) {
        berr_set(e, "out of memory");
        return NULL;
    }
    snprintf(s, cap, "%s%s\n%s\n%s%s\n%s\n", untrusted_prefix, untrusted_comment, b64sig,
             trusted_prefix, trusted_comment, b64global);
    return s;
}
