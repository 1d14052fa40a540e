/*
 * core/bundle/manifest.h - MANIFEST.json, the signed description of a
 * plugin bundle (format documented in docs/bundles.md).
 *
 *   {
 *     "format": 1,
 *     "name": "acme-aws", "version": "1.4.2",
 *     "description": "...", "license": "Apache-2.0",
 *     "abi": {"major": 1, "minor": 1},
 *     "kinds": ["provider"],
 *     "entry": "lib/acme-aws.so",
 *     "target": {"os": "linux", "arch": "x86_64", "libc": "glibc", "min_glibc": "2.31"},
 *     "dependencies": [{"name": "acme-core", "version": ">=1.0.0"}],
 *     "files": [{"path": "lib/acme-aws.so", "size": 12345, "mode": "0755",
 *                "sha256": "<64 hex>"}, ...]
 *   }
 */
#ifndef PP_BUNDLE_MANIFEST_H
#define PP_BUNDLE_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "bundle_util.h"

#define MANIFEST_NAME "MANIFEST.json"
#define MANIFEST_FORMAT 1
#define MANIFEST_MAX_BYTES (1024 * 1024)       /* the JSON text */
#define MANIFEST_MAX_FILES 4096                /* entries in "files" */
#define MANIFEST_MAX_FILE_SIZE (256ULL << 20)  /* one file */
#define MANIFEST_MAX_TOTAL_SIZE (512ULL << 20) /* all files together */
#define MANIFEST_MAX_PATH 240                  /* a path, in bytes */
#define MANIFEST_MAX_COMPONENT 100             /* one path component */
#define MANIFEST_MAX_NAME 64                   /* a plugin name */

typedef struct manifest_file {
    char *path;
    uint64_t size;
    unsigned mode; /* 0644 or 0755 */
    char sha256[65];
} manifest_file;

typedef struct manifest {
    char *name;
    char *version;
    char *description; /* may be NULL */
    char *license;     /* may be NULL */
    unsigned abi_major, abi_minor;
    uint32_t kinds;    /* pp_kind bits */
    char *entry;       /* "lib/NAME.so" */
    char *os, *arch;
    char *libc;        /* may be NULL */
    char *min_glibc;   /* may be NULL */
    char *dependencies_json; /* the "dependencies" array as JSON, or NULL */
    manifest_file *files;
    size_t n_files;
} manifest;

/* manifest_parse - parse and validate @len bytes of JSON (@what names the
 * source in messages). Every rule of docs/bundles.md is checked: field
 * types, name and version syntax, known kinds, entry "lib/NAME.so" and
 * listed, file paths (relative, no "..", no hidden or odd components, no
 * duplicates, no case collisions), modes 0644/0755, sizes within the caps,
 * sha256 of 64 hex digits, no duplicate JSON keys. On success *m owns
 * copies of everything (free with manifest_free); on failure *m is empty. */
int manifest_parse(const char *json, size_t len, const char *what, manifest *m, bundle_err *e);

/* manifest_to_json - the canonical JSON text of @m (fixed key order,
 * cJSON's indented layout, trailing newline), a fresh string the caller frees; NULL if out
 * of memory. manifest_parse(manifest_to_json(m)) yields @m again. */
char *manifest_to_json(const manifest *m);

/* manifest_free - release what @m owns and zero it. NULL-safe. */
void manifest_free(manifest *m);

/* manifest_find - the entry for @path in @m, or NULL. */
const manifest_file *manifest_find(const manifest *m, const char *path);

/* manifest_check_path - 0 if @path is acceptable as a bundle member path
 * (see manifest_parse), else -1 with a reason in @why (>= 128 bytes). */
int manifest_check_path(const char *path, char *why, size_t whylen);

/* manifest_valid_name - 1 if @s matches [a-z0-9][a-z0-9_-]{0,63}. */
int manifest_valid_name(const char *s);

/* manifest_valid_version - 1 if @s is a semantic version
 * MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD] (no leading zeros). */
int manifest_valid_version(const char *s);

/* semver_compare - <0, 0, >0 as @a precedes, equals or follows @b under
 * semantic-versioning precedence (build metadata ignored). Both must be
 * valid versions. */
int semver_compare(const char *a, const char *b);

/* kinds_parse_name - the pp_kind bit for a kind name ("provider", ...), 0
 * if unknown. kinds_format - comma-separated names of @kinds into @buf. */
uint32_t kinds_parse_name(const char *s);
void kinds_format(uint32_t kinds, char *buf, size_t len);

/* host_arch - the architecture name used in bundle names for this build
 * ("x86_64", "aarch64", ...; uname -m spelling). */
const char *host_arch(void);

/* bundle_file_name - "NAME-VERSION-OS-ARCH.tar.gz" for @m into a fresh
 * string (caller frees), or NULL when out of memory. */
char *bundle_file_name(const manifest *m);

#endif
