/*
 * tests/support/test_check.h - minimal test helpers shared by unit tests.
 *
 * CHECK(cond, fmt, ...) records a failure (with file, line and a message)
 * without stopping the test; RUN(fn) runs one test function and prints
 * "ok"/"not ok" for it; test_summary() prints the totals and returns the
 * exit status for main (0 when every check passed).
 */
#ifndef PP_TEST_CHECK_H
#define PP_TEST_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

static int tc_failed_checks;
static int tc_checks;
static int tc_tests, tc_failed_tests;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        tc_checks++;                                                       \
        if (!(cond)) {                                                     \
            tc_failed_checks++;                                            \
            fprintf(stdout, "  FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stdout, __VA_ARGS__);                                  \
            fputc('\n', stdout);                                           \
            fflush(stdout);                                                \
        }                                                                  \
    } while (0)

#define RUN(fn)                                                            \
    do {                                                                   \
        int before_ = tc_failed_checks;                                    \
        fn();                                                              \
        tc_tests++;                                                        \
        if (tc_failed_checks != before_)                                   \
            tc_failed_tests++;                                             \
        printf("%s %d - %s\n", tc_failed_checks == before_ ? "ok" : "not ok", tc_tests, #fn); \
        fflush(stdout);                                                    \
    } while (0)

static inline int test_summary(void)
{
    printf("%d tests, %d checks, %d failed tests, %d failed checks\n", tc_tests, tc_checks, tc_failed_tests,
           tc_failed_checks);
    return tc_failed_checks == 0 ? 0 : 1;
}

/* Milliseconds on the monotonic clock. */
static inline uint64_t test_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

#endif
