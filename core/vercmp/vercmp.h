/*
 * core/vercmp/vercmp.h - version comparison per package ecosystem.
 *
 * Each ecosystem orders versions by its own rules (docs/image.md lists them):
 *
 *   dpkg    Debian/Ubuntu: [epoch:]upstream[-revision], '~' before everything
 *   apk     Alpine: 1.2.3[a][_suffixN]...[-rN]
 *   rpm     Red Hat/SUSE: [epoch:]version[-release], rpmvercmp segments
 *   semver  Semantic Versioning 2.0 (npm): prerelease before release, build ignored
 *   pep440  Python (PEP 440): epochs, pre/post/dev releases, local versions
 *   maven   Maven ComparableVersion: qualifiers alpha < beta < milestone < rc
 *           < snapshot < release < sp
 *   go      Go modules: semver with a "v" (v1.2 means v1.2.0), "+incompatible"
 *           ignored; "go1.21.3" toolchain names accepted
 *
 * The comparators never allocate more than the length of their input, never
 * overflow on long digit runs (numbers are compared as digit strings) and
 * are safe on any byte string.
 */
#ifndef PP_CORE_VERCMP_H
#define PP_CORE_VERCMP_H

#include <stddef.h>

/* The ecosystems vercmp knows. */
typedef enum vercmp_scheme {
    VERCMP_DPKG,
    VERCMP_APK,
    VERCMP_RPM,
    VERCMP_SEMVER,
    VERCMP_PEP440,
    VERCMP_MAVEN,
    VERCMP_GO
} vercmp_scheme;

/*
 * vercmp_scheme_from_name - the scheme for an ecosystem name.
 * Accepts the scheme names above and common aliases, case-insensitively:
 * debian, ubuntu, deb (dpkg); alpine (apk); redhat, rhel, centos, fedora,
 * suse, opensuse, rocky, almalinux (rpm); npm (semver); pypi, python (pep440);
 * golang (go). OSV ecosystem names with a release ("Debian:12") are accepted.
 * Returns 0 and sets *out, or -1 when the name is unknown.
 */
int vercmp_scheme_from_name(const char *name, vercmp_scheme *out);

/*
 * vercmp_compare - compare versions @a and @b under @scheme.
 * On success returns 0 and sets *@cmp to -1 (a < b), 0 (a = b) or 1 (a > b).
 * Returns -1 when either version is not valid in the scheme; then @err (of
 * @errlen bytes, may be NULL) says which and why. Both strings are borrowed.
 */
int vercmp_compare(vercmp_scheme scheme, const char *a, const char *b, int *cmp, char *err, size_t errlen);

/* The comparators of each scheme; same contract as vercmp_compare. */
int vercmp_dpkg(const char *a, const char *b, int *cmp, char *err, size_t errlen);
int vercmp_apk(const char *a, const char *b, int *cmp, char *err, size_t errlen);
int vercmp_rpm(const char *a, const char *b, int *cmp, char *err, size_t errlen);
int vercmp_semver(const char *a, const char *b, int *cmp, char *err, size_t errlen);
int vercmp_pep440(const char *a, const char *b, int *cmp, char *err, size_t errlen);
int vercmp_maven(const char *a, const char *b, int *cmp, char *err, size_t errlen);
int vercmp_go(const char *a, const char *b, int *cmp, char *err, size_t errlen);

/*
 * vercmp_digits - compare two runs of ASCII digits of lengths @la and @lb
 * as unbounded non-negative integers (leading zeros ignored). Returns <0, 0
 * or >0. Shared by the comparators.
 */
int vercmp_digits(const char *a, size_t la, const char *b, size_t lb);

#endif
