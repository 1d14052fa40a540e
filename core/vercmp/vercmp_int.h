/*
 * core/vercmp/vercmp_int.h - helpers private to the comparators.
 */
#ifndef PP_CORE_VERCMP_INT_H
#define PP_CORE_VERCMP_INT_H

#include <stddef.h>

/* Longest version string any comparator accepts (bytes). */
#define VERCMP_MAX_LEN 4096

/*
 * vercmp_fail - write "invalid version 'V': WHY" (V shortened, control
 * characters hidden) into @err, when given. Always returns -1.
 */
int vercmp_fail(char *err, size_t errlen, const char *why, const char *version);

/* vercmp_sign - -1, 0 or 1 for the sign of @c. */
int vercmp_sign(int c);

/* ASCII classes that do not depend on the locale. */
static inline int vc_digit(int c) { return c >= '0' && c <= '9'; }
static inline int vc_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline int vc_alnum(int c) { return vc_digit(c) || vc_alpha(c); }
static inline int vc_lower(int c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; }

#endif
