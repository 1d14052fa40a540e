/*
 * core/vercmp/vercmp.c - the ecosystem table and the helpers the
 * comparators share.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "vercmp.h"
#include "vercmp_int.h"

static const struct {
    const char *name;
    vercmp_scheme scheme;
} scheme_names[] = {
    {"dpkg", VERCMP_DPKG},     {"debian", VERCMP_DPKG},    {"ubuntu", VERCMP_DPKG},
    {"deb", VERCMP_DPKG},      {"apk", VERCMP_APK},        {"alpine", VERCMP_APK},
    {"rpm", VERCMP_RPM},       {"redhat", VERCMP_RPM},     {"rhel", VERCMP_RPM},
    {"centos", VERCMP_RPM},    {"fedora", VERCMP_RPM},     {"suse", VERCMP_RPM},
    {"opensuse", VERCMP_RPM},  {"rocky", VERCMP_RPM},      {"almalinux", VERCMP_RPM},
    {"semver", VERCMP_SEMVER}, {"npm", VERCMP_SEMVER},     {"pep440", VERCMP_PEP440},
    {"pypi", VERCMP_PEP440},   {"python", VERCMP_PEP440},  {"maven", VERCMP_MAVEN},
    {"go", VERCMP_GO},         {"golang", VERCMP_GO},
};

int vercmp_scheme_from_name(const char *name, vercmp_scheme *out)
{
    if (!name)
        return -1;
    /* "Debian:12", "Alpine:v3.19": the part before the colon names it */
    size_t n = strcspn(name, ":");
    for (size_t i = 0; i < sizeof scheme_names / sizeof scheme_names[0]; i++) {
        if (strlen(scheme_names[i].name) == n && strncasecmp(name, scheme_names[i].name, n) == 0) {
            *out = scheme_names[i].scheme;
            return 0;
        }
    }
    return -1;
}

int vercmp_compare(vercmp_scheme scheme, const char *a, const char *b, int *cmp, char *err, size_t errlen)
{
    switch (scheme) {
    case VERCMP_DPKG:
        return vercmp_dpkg(a, b, cmp, err, errlen);
    case VERCMP_APK:
        return vercmp_apk(a, b, cmp, err, errlen);
    case VERCMP_RPM:
        return vercmp_rpm(a, b, cmp, err, errlen);
    case VERCMP_SEMVER:
        return vercmp_semver(a, b, cmp, err, errlen);
    case VERCMP_PEP440:
        return vercmp_pep440(a, b, cmp, err, errlen);
    case VERCMP_MAVEN:
        return vercmp_maven(a, b, cmp, err, errlen);
    case VERCMP_GO:
        return vercmp_go(a, b, cmp, err, errlen);
    }
    return vercmp_fail(err, errlen, "unknown version scheme", "");
}

int vercmp_digits(const char *a, size_t la, const char *b, size_t lb)
{
    while (la > 0 && *a == '0') {
        a++;
        la--;
    }
    while (lb > 0 && *b == '0') {
        b++;
        lb--;
    }
    if (la != lb)
        return la < lb ? -1 : 1;
    int c = la ? memcmp(a, b, la) : 0;
    return c < 0 ? -1 : c > 0;
}

int vercmp_fail(char *err, size_t errlen, const char *why, const char *version)
{
    if (err && errlen) {
        /* show at most 80 bytes of the version, control characters as '?' */
        char shown[81];
        size_t i = 0;
        for (; version && version[i] && i < sizeof shown - 1; i++)
            shown[i] = ((unsigned char)version[i] < 0x20 || version[i] == 0x7f) ? '?' : version[i];
        shown[i] = '\0';
        if (*shown)
            snprintf(err, errlen, "invalid version '%s': %s", shown, why);
        else
            snprintf(err, errlen, "%s", why);
    }
    return -1;
}

int vercmp_sign(int c)
{
    return c < 0 ? -1 : c > 0;
}
