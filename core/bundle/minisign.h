/*
 * core/bundle/minisign.h - minisign-compatible keys and signatures,
 * implemented with OpenSSL (Ed25519, BLAKE2b-512, scrypt).
 *
 * Formats (SOURCE: the minisign documentation and src/minisign.h of
 * https://github.com/jedisct1/minisign; only the byte layouts are taken):
 *
 *   public key file   "untrusted comment: ...\n" + base64( "Ed" | keyid[8] | pk[32] ) "\n"
 *   secret key file   "untrusted comment: ...\n" + base64(
 *                        "Ed" | kdf "Sc" or "\0\0" | "B2" | salt[32] |
 *                        opslimit u64le | memlimit u64le |
 *                        E( keyid[8] | sk[64] | chk[32] ) ) "\n"
 *                     where sk = Ed25519 seed[32] | pk[32], chk =
 *                     BLAKE2b-256("Ed" | keyid | sk), and E xors with
 *                     scrypt(passphrase, salt, N, r, p) (104 bytes), the
 *                     parameters derived from opslimit/memlimit as
 *                     libsodium's crypto_pwhash_scryptsalsa208sha256 does.
 *                     Unencrypted keys ("\0\0") store it in the clear.
 *   signature file    "untrusted comment: ...\n"
 *                     base64( "ED" | keyid[8] | Ed25519(BLAKE2b-512(file))[64] ) "\n"
 *                     "trusted comment: TEXT\n"
 *                     base64( Ed25519(sig[64] | TEXT)[64] ) "\n"
 *
 * The key id is shown as minisign shows it: the 8 bytes read as a
 * little-endian integer, printed as 16 uppercase hex digits.
 *
 * The legacy signature form "Ed" (Ed25519 over the whole file, not
 * prehashed) is refused.
 */
#ifndef PP_BUNDLE_MINISIGN_H
#define PP_BUNDLE_MINISIGN_H

#include <stddef.h>
#include <stdint.h>

#include "bundle_util.h"

#define MS_KEYID_BYTES 8
#define MS_COMMENT_MAX 1024         /* an untrusted comment line, as minisign */
#define MS_TRUSTED_COMMENT_MAX 8192 /* a trusted comment line, as minisign */
#define MS_PASSPHRASE_MAX 1024

/* scrypt cost presets, in minisign/libsodium units (opslimit, memlimit).
 * SENSITIVE is what minisign uses for new keys (1 GiB, a few seconds);
 * INTERACTIVE (16 MiB) is for tests and constrained machines. */
#define MS_KDF_OPSLIMIT_SENSITIVE 33554432ULL
#define MS_KDF_MEMLIMIT_SENSITIVE 1073741824ULL
#define MS_KDF_OPSLIMIT_INTERACTIVE 524288ULL
#define MS_KDF_MEMLIMIT_INTERACTIVE 16777216ULL

typedef struct ms_pubkey {
    unsigned char keyid[MS_KEYID_BYTES];
    unsigned char pk[32];
} ms_pubkey;

/* A decrypted secret key. Wipe with ms_seckey_wipe when done. */
typedef struct ms_seckey {
    unsigned char keyid[MS_KEYID_BYTES];
    unsigned char seed[32];
    unsigned char pk[32];
} ms_seckey;

typedef struct ms_signature {
    unsigned char keyid[MS_KEYID_BYTES];
    unsigned char sig[64];         /* over BLAKE2b-512 of the file */
    unsigned char global_sig[64];  /* over sig | trusted comment */
    char trusted_comment[MS_TRUSTED_COMMENT_MAX];
} ms_signature;

/* ms_keyid_hex - the key id as minisign prints it (16 uppercase hex + NUL). */
void ms_keyid_hex(const unsigned char keyid[MS_KEYID_BYTES], char out[17]);

/* ms_pubkey_parse - parse the text of a public key file (@len bytes at
 * @text; @what names it in messages). 0, or -1 with @e set. */
int ms_pubkey_parse(const char *text, size_t len, const char *what, ms_pubkey *out, bundle_err *e);

/* ms_pubkey_load - read and parse the public key file @path (at most 4 KiB). */
int ms_pubkey_load(const char *path, ms_pubkey *out, bundle_err *e);

/* ms_pubkey_format - the text of a public key file for @pk, in a fresh
 * string the caller frees (NULL only when out of memory). */
char *ms_pubkey_format(const ms_pubkey *pk);

/* ms_seckey_is_encrypted - 1 if the secret key file text is encrypted
 * ("Sc"), 0 if not, -1 (with @e) if it is not a minisign secret key. */
int ms_seckey_is_encrypted(const char *text, size_t len, const char *what, bundle_err *e);

/* ms_seckey_parse - parse and, if encrypted, decrypt a secret key file
 * text with @passphrase (ignored for unencrypted keys; may be NULL then).
 * Checks the checksum and that the seed yields the stored public key, so
 * a wrong passphrase is reported as such. On success *out holds the
 * secret; on failure *out is wiped. Intermediate buffers are wiped. */
int ms_seckey_parse(const char *text, size_t len, const char *what, const char *passphrase,
                    ms_seckey *out, bundle_err *e);

/* ms_seckey_format - the text of a secret key file for @sk. With a
 * non-NULL @passphrase the key is encrypted with scrypt(@opslimit,
 * @memlimit) and a fresh random salt; with NULL it is stored unencrypted.
 * Returns a fresh string the caller must wipe and free, or NULL with @e. */
char *ms_seckey_format(const ms_seckey *sk, const char *passphrase, uint64_t opslimit,
                       uint64_t memlimit, bundle_err *e);

/* ms_keygen - a fresh Ed25519 key pair with a random key id. */
int ms_keygen(ms_seckey *sk, ms_pubkey *pk, bundle_err *e);

/* ms_seckey_wipe - erase a secret key. */
void ms_seckey_wipe(ms_seckey *sk);

/* ms_scrypt_params - libsodium's mapping of (opslimit, memlimit) to scrypt
 * (N = 2^n_log2, r, p). Always succeeds. */
void ms_scrypt_params(uint64_t opslimit, uint64_t memlimit, unsigned *n_log2, uint32_t *r,
                      uint32_t *p);

/* ms_prehash_fd - BLAKE2b-512 (OpenSSL) of everything readable from @fd. */
int ms_prehash_fd(int fd, const char *what, unsigned char out[64], bundle_err *e);

/* ms_sig_parse - parse the text of a .minisig file. Refuses the legacy
 * non-prehashed form, bad base64, missing lines, over-long comments and
 * control characters in the trusted comment. 0, or -1 with @e. */
int ms_sig_parse(const char *text, size_t len, const char *what, ms_signature *out, bundle_err *e);

/* ms_sig_verify - check @sig against @pk for a file whose BLAKE2b-512 is
 * @prehash: key ids equal, the signature, then the global signature over
 * the trusted comment. 0 when all hold, or -1 with @e saying which failed. */
int ms_sig_verify(const ms_pubkey *pk, const ms_signature *sig, const unsigned char prehash[64],
                  bundle_err *e);

/* ms_sign - sign a file whose BLAKE2b-512 is @prehash; returns the text of
 * the .minisig file (fresh string, caller frees) or NULL with @e. Comments
 * must be single lines (no CR/LF) within the size limits. */
char *ms_sign(const ms_seckey *sk, const unsigned char prehash[64], const char *untrusted_comment,
              const char *trusted_comment, bundle_err *e);

#endif
