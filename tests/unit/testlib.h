/* tests/unit/testlib.h - a minimal assertion kit for the unit tests. Each
 * CHECK prints file:line and the failed condition; main returns
 * test_summary(), non-zero when anything failed. */
#ifndef PP_TESTLIB_H
#define PP_TESTLIB_H

#include <stdio.h>
#include <string.h>

static int test_failures, test_checks;

#define CHECK(cond)                                                                                                \
    do {                                                                                                           \
        test_checks++;                                                                                             \
        if (!(cond)) {                                                                                             \
            test_failures++;                                                                                       \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                               \
        }                                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                                            \
    do {                                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                                           \
        test_checks++;                                                                                             \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                                                   \
            test_failures++;                                                                                       \
            fprintf(stderr, "%s:%d: expected \"%s\", got \"%s\"\n", __FILE__, __LINE__, b_ ? b_ : "(null)",       \
                    a_ ? a_ : "(null)");                                                                           \
        }                                                                                                          \
    } while (0)

#define CHECK_CONTAINS(hay, needle)                                                                                \
    do {                                                                                                           \
        const char *h_ = (hay);                                                                                    \
        test_checks++;                                                                                             \
        if (!h_ || !strstr(h_, (needle))) {                                                                        \
            test_failures++;                                                                                       \
            fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, h_ ? h_ : "(null)",    \
                    (needle));                                                                                     \
        }                                                                                                          \
    } while (0)

static inline int test_summary(const char *name)
{
    fprintf(stderr, "%s: %d checks, %d failed\n", name, test_checks, test_failures);
    return test_failures ? 1 : 0;
}

#endif
