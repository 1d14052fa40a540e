/*
 * aws_ini.h - the AWS shared config and credentials files (INI dialect).
 *
 * "[profile NAME]" (config file) and "[NAME]" (credentials file; also
 * "[default]" in both) open a section; "key = value" lines fill it; '#'
 * and ';' start comment lines; indented lines continue a nested setting
 * (e.g. "s3 =") and are ignored. Keys are lower-cased. Limits: 1 MiB
 * per file, 4 KiB per line, 10000 entries; beyond them the file is refused.
 */
#ifndef PP_AWS_INI_H
#define PP_AWS_INI_H

#include <stddef.h>

typedef struct ini_entry {
    char *section;
    char *key;
    char *value;
} ini_entry;

typedef struct ini_file {
    ini_entry *e;
    size_t n;
    int loaded; /**< the file existed */
} ini_file;

/**
 * ini_load - read @path. @config_style: 1 for the config file ("[profile
 * x]"), 0 for the credentials file. A missing file gives an empty result
 * and 0. Returns -1 with a reason naming the file and line (never a value)
 * on a malformed or oversized file.
 */
int ini_load(const char *path, int config_style, ini_file *out, char *err, size_t errlen);

/** ini_get - value of @key in @section, or NULL. The last occurrence wins. */
const char *ini_get(const ini_file *f, const char *section, const char *key);

/** ini_has_section - nonzero when @section appears. */
int ini_has_section(const ini_file *f, const char *section);

/** ini_free - wipe (values may be secret keys) and free. */
void ini_free(ini_file *f);

#endif
