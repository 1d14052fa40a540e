/*
 * tests/fuzz/fuzz_http_parse.c - libFuzzer target for the parsers of the
 * HTTP client that see server- or plugin-controlled text:
 * http_parse_retry_after (a response header) and http_url_for_log (a URL
 * that may carry credentials).
 *
 * Build (not part of `make check`), from the top of the tree:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -DHAVE_EXPLICIT_BZERO -Isdk/include \
 *     tests/fuzz/fuzz_http_parse.c core/http/http.c tests/fuzz/fuzz_http_log_stub.c \
 *     -lcurl -o fuzz_http_parse && ./fuzz_http_parse -max_total_time=60
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    uint32_t ms = 0;
    if (http_parse_retry_after(s, 1445412480, &ms) && strspn(s, " \t0123456789") == size && ms == 0 &&
        strpbrk(s, "123456789") != NULL)
        abort(); /* a positive delta-seconds must give a positive wait */

    char out[64];
    http_url_for_log(s, out, sizeof out);
    if (strlen(out) >= sizeof out)
        abort();
    /* nothing after '?' or '#' of the input may appear in the output */
    const char *q = strpbrk(s, "?#");
    if (q != NULL && strlen(out) > (size_t)(q - s))
        abort();
    free(s);
    return 0;
}
