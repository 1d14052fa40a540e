/*
 * tests/fuzz/fuzz_minisign.c - libFuzzer target for the parsers of outside
 * input in core/bundle: minisign signature, public and secret key files,
 * and MANIFEST.json. Nothing here may crash, hang or read out of bounds.
 *
 * Build (from the top of a configured tree; clang with libFuzzer):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -DHAVE_CONFIG_H -I. -Isdk/include \
 *     -Icore tests/fuzz/fuzz_minisign.c core/bundle/{minisign,b64,blake2b,bundle_util,manifest}.c \
 *     -lcrypto -lcjson -o fuzz_minisign
 *   ./fuzz_minisign -max_len=4096 tests/fixtures/bundle
 * Without libFuzzer, -DFUZZ_STANDALONE gives a main() that runs each file
 * named on the command line once (for regression inputs).
 */
#include "config.h"

#include "bundle/manifest.h"
#include "bundle/minisign.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    bundle_err e;
    ms_signature sig;
    ms_pubkey pk;
    ms_seckey sk;
    manifest m;
    unsigned char ph[64] = {0};

    if (ms_sig_parse(text, size, "fuzz", &sig, &e) == 0) {
        memset(&pk, 0, sizeof pk);
        memcpy(pk.keyid, sig.keyid, sizeof pk.keyid);
        (void)ms_sig_verify(&pk, &sig, ph, &e);
    }
    if (ms_pubkey_parse(text, size, "fuzz", &pk, &e) == 0) {
        char *s = ms_pubkey_format(&pk);
        free(s);
    }
    /* unencrypted keys only: encrypted ones would run scrypt with
     * fuzzer-chosen (bounded, but slow) parameters */
    if (ms_seckey_is_encrypted(text, size, "fuzz", &e) == 0 &&
        ms_seckey_parse(text, size, "fuzz", NULL, &sk, &e) == 0)
        ms_seckey_wipe(&sk);
    if (manifest_parse(text, size, "fuzz", &m, &e) == 0) {
        char *j = manifest_to_json(&m);
        manifest m2;
        if (j && manifest_parse(j, strlen(j), "again", &m2, &e) != 0)
            abort(); /* what we print must parse again */
        if (j)
            manifest_free(&m2);
        free(j);
        manifest_free(&m);
    }
    return 0;
}

#ifdef FUZZ_STANDALONE
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f)
            continue;
        static uint8_t buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
    }
    return 0;
}
#endif
