/*
 * tests/unit/test_vercmp.c - version ordering per ecosystem (core/vercmp).
 *
 * Each ecosystem's cases are facts from its specification (cited in the
 * comparator's header); the reference implementations are exercised on
 * generated pairs by tests/integration/image_vercmp_reference.sh.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "testlib.h"
#include "vercmp/vercmp.h"

/* check that a OP b, and the reverse, under @s */
static void order(vercmp_scheme s, const char *a, const char *op, const char *b, int line)
{
    int want = !strcmp(op, "<") ? -1 : !strcmp(op, ">") ? 1 : 0;
    int got = 99, back = 99;
    char err[256] = "";
    int rc = vercmp_compare(s, a, b, &got, err, sizeof err);
    int rc2 = vercmp_compare(s, b, a, &back, err, sizeof err);
    test_checks++;
    if (rc || rc2 || got != want || back != -want) {
        test_failures++;
        fprintf(stderr, "line %d: scheme %d: '%s' %s '%s' failed (got %d, reverse %d, %s)\n", line, (int)s, a, op, b,
                got, back, err);
    }
}
#define ORDER(s, a, op, b) order(s, a, op, b, __LINE__)

static void invalid(vercmp_scheme s, const char *v, const char *why)
{
    int c;
    char err[256] = "";
    CHECK(vercmp_compare(s, v, "1.0.0", &c, err, sizeof err) == -1);
    CHECK_CONTAINS(err, why);
}

static void test_dpkg(void)
{
    vercmp_scheme d = VERCMP_DPKG;
    ORDER(d, "1.0", "<", "1.1");
    ORDER(d, "1.0~rc1", "<", "1.0");
    ORDER(d, "1.0~~", "<", "1.0~");
    ORDER(d, "1.0~", "<", "1.0");
    ORDER(d, "1.0", "<", "1.0a");
    ORDER(d, "1.0a", "<", "1.0+");
    ORDER(d, "1.0", "<", "1.0.1");
    ORDER(d, "1:0.1", ">", "9.9");
    ORDER(d, "0:1.0", "=", "1.0");
    ORDER(d, "1.0-1", "<", "1.0-2");
    ORDER(d, "1.0-0", "=", "1.0");
    ORDER(d, "1.0-1", "<", "1.0-1+deb12u1");
    ORDER(d, "2.36-9+deb12u4", "<", "2.36-9+deb12u10");
    ORDER(d, "1.000", "=", "1.0");
    ORDER(d, "1.99999999999999999999999", "<", "1.100000000000000000000000");
    ORDER(d, "1.2-3-4", ">", "1.2-3-3"); /* revision is after the last '-' */
    invalid(d, "", "empty");
    invalid(d, "a:1.0", "epoch");
    invalid(d, "1.0-", "revision");
    invalid(d, "1 0", "spaces");
}

static void test_rpm(void)
{
    vercmp_scheme r = VERCMP_RPM;
    ORDER(r, "1.0-1", "<", "1.0-2");
    ORDER(r, "1.0-1", "<", "1.0.1-1");
    ORDER(r, "1.0a-1", "<", "1.0b-1");
    ORDER(r, "1.0-1", "<", "1.0a-1"); /* the extra letter segment makes it newer */
    ORDER(r, "1:1.0-1", ">", "2.0-1");
    ORDER(r, "1.0~rc1-1", "<", "1.0-1");
    ORDER(r, "1.0^post1-1", ">", "1.0-1");
    ORDER(r, "1.0^post1-1", "<", "1.0.1-1");
    ORDER(r, "1.0.0-1", ">", "1.0-1");
    ORDER(r, "1.01-1", "=", "1.1-1");
    ORDER(r, "1.a-1", "<", "1.1-1"); /* a number beats letters */
    ORDER(r, "1_0-1", "=", "1.0-1"); /* separators only separate */
    invalid(r, "x:1.0", "epoch");
}

static void test_apk(void)
{
    vercmp_scheme a = VERCMP_APK;
    ORDER(a, "1.2.3", "<", "1.2.4");
    ORDER(a, "1.2", "<", "1.2.1");
    ORDER(a, "1.2.3-r0", "<", "1.2.3-r1");
    ORDER(a, "1.2.3", "=", "1.2.3-r0");
    ORDER(a, "1.2.3_rc1", "<", "1.2.3");
    ORDER(a, "1.2.3_alpha", "<", "1.2.3_beta");
    ORDER(a, "1.2.3_beta2", "<", "1.2.3_pre1");
    ORDER(a, "1.2.3_pre1", "<", "1.2.3_rc1");
    ORDER(a, "1.2.3", "<", "1.2.3_p1");
    ORDER(a, "1.2.3_git20240101", "<", "1.2.3_p1");
    ORDER(a, "1.2.3a", "<", "1.2.3b");
    ORDER(a, "1.2.3", "<", "1.2.3a");
    ORDER(a, "3.0.13-r0", "<", "3.1.4-r0");
    ORDER(a, "1.01", "<", "1.1");
    ORDER(a, "10.0", ">", "9.9");
    invalid(a, "v1.0", "expected a number");
    invalid(a, "1.0_foo", "suffix");
    invalid(a, "1.0-r", "revision");
}

static void test_semver(void)
{
    vercmp_scheme s = VERCMP_SEMVER;
    /* the chain of semver.org 2.0.0 section 11 */
    const char *chain[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                           "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0"};
    for (size_t i = 0; i + 1 < sizeof chain / sizeof chain[0]; i++)
        ORDER(s, chain[i], "<", chain[i + 1]);
    ORDER(s, "1.0.0", "<", "2.0.0");
    ORDER(s, "2.0.0", "<", "2.1.0");
    ORDER(s, "2.1.0", "<", "2.1.1");
    ORDER(s, "1.0.0+build.1", "=", "1.0.0+build.2");
    ORDER(s, "v1.2.3", "=", "1.2.3");
    ORDER(s, "1.10.0", ">", "1.9.0");
    invalid(s, "1.2", "MAJOR.MINOR.PATCH");
    invalid(s, "01.2.3", "leading zeros");
    invalid(s, "1.2.3-", "prerelease");
    invalid(s, "1.2.3-01", "leading zero");
}

static void test_go(void)
{
    vercmp_scheme g = VERCMP_GO;
    ORDER(g, "v1.2", "=", "v1.2.0");
    ORDER(g, "v1", "<", "v1.0.1");
    ORDER(g, "v2.0.0+incompatible", "=", "v2.0.0");
    ORDER(g, "v0.0.0-20230101000000-abcdefabcdef", "<", "v0.0.1");
    ORDER(g, "v1.2.4-0.20230101000000-abcdefabcdef", ">", "v1.2.3");
    ORDER(g, "go1.21.3", ">", "go1.21");
    ORDER(g, "go1.21rc1", "<", "go1.21.0");
    ORDER(g, "go1.20.14", "<", "1.21.0");
    invalid(g, "latest", "MAJOR");
}

static void test_pep440(void)
{
    vercmp_scheme p = VERCMP_PEP440;
    /* the ordering example of PEP 440 */
    const char *chain[] = {"1.0.dev456", "1.0a1",    "1.0a2.dev456",  "1.0a12.dev456",       "1.0a12",
                           "1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456",
                           "1.0rc1",     "1.0",      "1.0+abc.5",     "1.0+abc.7",           "1.0+5",
                           "1.0.post456.dev34", "1.0.post456", "1.0.15", "1.1.dev1"};
    for (size_t i = 0; i + 1 < sizeof chain / sizeof chain[0]; i++)
        ORDER(p, chain[i], "<", chain[i + 1]);
    ORDER(p, "1.0", "=", "1.0.0");
    ORDER(p, "1.0alpha1", "=", "1.0a1");
    ORDER(p, "1.0-1", "=", "1.0.post1");
    ORDER(p, "1.0c1", "=", "1.0rc1");
    ORDER(p, "1!0.1", ">", "2.0");
    ORDER(p, "v1.0", "=", "1.0");
    ORDER(p, "1.0.DEV1", "=", "1.0.dev1");
    invalid(p, "one", "release number");
    invalid(p, "1.0+", "local");
    invalid(p, "1.0 beta gamma", "unexpected");
}

static void test_maven(void)
{
    vercmp_scheme m = VERCMP_MAVEN;
    /* Maven's documented order and equalities */
    ORDER(m, "1-alpha", "<", "1-beta");
    ORDER(m, "1-beta", "<", "1-milestone");
    ORDER(m, "1-milestone", "<", "1-rc");
    ORDER(m, "1-rc", "<", "1-snapshot");
    ORDER(m, "1-snapshot", "<", "1");
    ORDER(m, "1", "<", "1-sp");
    ORDER(m, "1-sp", "<", "1-foo");
    ORDER(m, "1", "=", "1.0");
    ORDER(m, "1", "=", "1.0.0");
    ORDER(m, "1", "=", "1-ga");
    ORDER(m, "1", "=", "1-final");
    ORDER(m, "1-cr", "=", "1-rc");
    ORDER(m, "1a1", "=", "1-alpha-1");
    ORDER(m, "1.0-RC1", "=", "1.0-rc1");
    ORDER(m, "1.2", "<", "1.10");
    ORDER(m, "1.0-SNAPSHOT", "<", "1.0");
    ORDER(m, "2.0.0.RELEASE", "=", "2.0.0");
    ORDER(m, "1-1", "<", "1.1"); /* a list is older than a number */
    ORDER(m, "1-foo", "<", "1-1");
}

static void test_names(void)
{
    vercmp_scheme s;
    CHECK(vercmp_scheme_from_name("Debian:12", &s) == 0 && s == VERCMP_DPKG);
    CHECK(vercmp_scheme_from_name("npm", &s) == 0 && s == VERCMP_SEMVER);
    CHECK(vercmp_scheme_from_name("PyPI", &s) == 0 && s == VERCMP_PEP440);
    CHECK(vercmp_scheme_from_name("Alpine:v3.19", &s) == 0 && s == VERCMP_APK);
    CHECK(vercmp_scheme_from_name("cobol", &s) == -1);
    CHECK(vercmp_scheme_from_name("", &s) == -1);
}

int main(void)
{
    test_dpkg();
    test_rpm();
    test_apk();
    test_semver();
    test_go();
    test_pep440();
    test_maven();
    test_names();
    return test_summary("test_vercmp");
}
