/*
 * aws_ini.c - see aws_ini.h.
 */
#define _DEFAULT_SOURCE
#include "aws_ini.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws_buf.h"

#define INI_MAX_FILE (1024 * 1024)
#define INI_MAX_LINE 4096
#define INI_MAX_ENTRIES 10000

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static int add_entry(ini_file *f, const char *sec, const char *key, const char *val)
{
    if (f->n >= INI_MAX_ENTRIES)
        return -1;
    ini_entry *e = realloc(f->e, (f->n + 1) * sizeof *e);
    if (!e)
        return -1;
    f->e = e;
    e[f->n].section = strdup(sec);
    e[f->n].key = strdup(key);
    e[f->n].value = strdup(val);
    if (!e[f->n].section || !e[f->n].key || !e[f->n].value) {
        free(e[f->n].section), free(e[f->n].key), aws_wipe_free(e[f->n].value);
        return -1;
    }
    f->n++;
    return 0;
}

int ini_load(const char *path, int config_style, ini_file *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    char *text = NULL;
    size_t len = 0;
    char rerr[300];
    if (access(path, F_OK) != 0 && errno == ENOENT)
        return 0; /* no such file: nothing configured there */
    if (aws_read_file(path, INI_MAX_FILE, "AWS shared file", &text, &len, rerr, sizeof rerr) != 0) {
        snprintf(err, errlen, "%s", rerr);
        return -1;
    }
    out->loaded = 1;
    if (memchr(text, '\0', len)) {
        snprintf(err, errlen, "%s: contains a NUL byte", path);
        aws_wipe_free(text);
        return -1;
    }
    char section[256] = "";
    int in_section = 0; /* 0: none or ignored section */
    unsigned lineno = 0;
    int rc = 0;
    char *save = NULL;
    for (char *line = text; line && rc == 0; line = save) {
        lineno++;
        char *nl = strchr(line, '\n');
        save = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        if (strlen(line) > INI_MAX_LINE) {
            snprintf(err, errlen, "%s line %u: longer than 4 KiB", path, lineno);
            rc = -1;
            break;
        }
        if (line[0] == ' ' || line[0] == '\t') {
            char *t = trim(line);
            if (*t == '\0' || *t == '#' || *t == ';')
                continue;
            continue; /* nested setting of the previous key: not used */
        }
        char *t = trim(line);
        if (*t == '\0' || *t == '#' || *t == ';')
            continue;
        if (*t == '[') {
            char *end = strchr(t, ']');
            if (!end) {
                snprintf(err, errlen, "%s line %u: section header without ']'", path, lineno);
                rc = -1;
                break;
            }
            *end = '\0';
            char *name = trim(t + 1);
            in_section = 1;
            if (config_style) {
                if (strncmp(name, "profile", 7) == 0 && (name[7] == ' ' || name[7] == '\t'))
                    name = trim(name + 8);
                else if (strcmp(name, "default") != 0)
                    in_section = 0; /* sso-session, services, ...: not profiles */
            }
            if (!*name || strlen(name) >= sizeof section) {
                snprintf(err, errlen, "%s line %u: empty or overlong section name", path, lineno);
                rc = -1;
                break;
            }
            snprintf(section, sizeof section, "%s", name);
            /* remember the section even when it has no keys */
            if (in_section && add_entry(out, section, "", "") != 0) {
                snprintf(err, errlen, "%s: more than %d settings, or out of memory", path, INI_MAX_ENTRIES);
                rc = -1;
            }
            continue;
        }
        char *eq = strchr(t, '=');
        if (!eq) {
            snprintf(err, errlen, "%s line %u: expected 'key = value'", path, lineno);
            rc = -1;
            break;
        }
        if (!in_section)
            continue;
        *eq = '\0';
        char *key = trim(t), *val = trim(eq + 1);
        for (char *k = key; *k; k++)
            *k = (char)tolower((unsigned char)*k);
        if (!*key) {
            snprintf(err, errlen, "%s line %u: empty key", path, lineno);
            rc = -1;
            break;
        }
        if (add_entry(out, section, key, val) != 0) {
            snprintf(err, errlen, "%s: more than %d settings, or out of memory", path, INI_MAX_ENTRIES);
            rc = -1;
        }
    }
    explicit_bzero(text, len);
    free(text);
    if (rc != 0)
        ini_free(out);
    return rc;
}

const char *ini_get(const ini_file *f, const char *section, const char *key)
{
    const char *v = NULL;
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->e[i].section, section) == 0 && strcmp(f->e[i].key, key) == 0)
            v = f->e[i].value;
    return v;
}

int ini_has_section(const ini_file *f, const char *section)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->e[i].section, section) == 0)
            return 1;
    return 0;
}

void ini_free(ini_file *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->e[i].section);
        free(f->e[i].key);
        aws_wipe_free(f->e[i].value);
    }
    free(f->e);
    memset(f, 0, sizeof *f);
}
