/* core/settings.c - see settings.h. */
#include "config.h"

#include "settings.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define CONFIG_MAX_BYTES (1 << 20)

struct pp_config {
    cJSON *sections; /* { "core": {k: "v"}, "NAME": {k: "v"} } */
};

pp_config *config_new(void)
{
    pp_config *c = xcalloc(1, sizeof *c);
    c->sections = cJSON_CreateObject();
    return c;
}

void config_free(pp_config *c)
{
    if (!c)
        return;
    cJSON_Delete(c->sections);
    free(c);
}

void config_set(pp_config *c, const char *section, const char *key, const char *value)
{
    cJSON *sec = cJSON_GetObjectItemCaseSensitive(c->sections, section);
    if (!sec)
        sec = cJSON_AddObjectToObject(c->sections, section);
    cJSON *v = cJSON_CreateString(value);
    if (cJSON_GetObjectItemCaseSensitive(sec, key))
        cJSON_ReplaceItemInObjectCaseSensitive(sec, key, v);
    else
        cJSON_AddItemToObject(sec, key, v);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static int valid_name(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
            return 0;
    return 1;
}

int config_load_file(pp_config *c, const char *path, int must_exist, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT && !must_exist)
            return 0;
        snprintf(err, errlen, "%s: cannot open config file: %s", path,
                 errno == ELOOP ? "it is a symbolic link" : strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > CONFIG_MAX_BYTES) {
        close(fd);
        snprintf(err, errlen, "%s: not a regular file of at most 1 MiB", path);
        return -1;
    }
    FILE *f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[4096];
    char section[256] = "core";
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            snprintf(err, errlen, "%s:%d: line too long", path, lineno);
            rc = -1;
            break;
        }
        char *s = trim(line);
        if (!*s || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *e = strchr(s, ']');
            if (!e || e[1]) {
                snprintf(err, errlen, "%s:%d: expected [section]", path, lineno);
                rc = -1;
                break;
            }
            *e = '\0';
            char *name = trim(s + 1);
            if (strncmp(name, "plugin.", 7) == 0)
                name += 7;
            else if (strcmp(name, "core") != 0) {
                snprintf(err, errlen, "%s:%d: unknown section [%s]: use [core] or [plugin.NAME]", path, lineno,
                         name);
                rc = -1;
                break;
            }
            if (!valid_name(name)) {
                snprintf(err, errlen, "%s:%d: invalid section name", path, lineno);
                rc = -1;
                break;
            }
            snprintf(section, sizeof section, "%s", name);
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%d: expected key = value", path, lineno);
            rc = -1;
            break;
        }
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        if (!valid_name(key)) {
            snprintf(err, errlen, "%s:%d: invalid key name", path, lineno);
            rc = -1;
            break;
        }
        size_t vl = strlen(val);
        if (vl >= 2 && ((val[0] == '"' && val[vl - 1] == '"') || (val[0] == '\'' && val[vl - 1] == '\''))) {
            val[vl - 1] = '\0';
            val++;
        }
        config_set(c, section, key, val);
    }
    fclose(f);
    return rc;
}

void config_load_env(pp_config *c)
{
    static const char *const keys[] = {"db",           "plugin_dir", "keys_dir",  "jobs",        "isolation",
                                       "task_timeout", "progress",   "log_level", "feed_timeout"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char name[64] = "PARAPET_";
        for (size_t j = 0; keys[i][j] && j < 50; j++)
            name[8 + j] = (char)toupper((unsigned char)keys[i][j]);
        const char *v = getenv(name);
        if (v && *v)
            config_set(c, "core", keys[i], v);
    }
}

int config_set_option(pp_config *c, const char *opt, char *err, size_t errlen)
{
    const char *dot = strchr(opt, '.');
    const char *eq = strchr(opt, '=');
    if (!dot || !eq || dot > eq || dot == opt || eq == dot + 1) {
        snprintf(err, errlen, "option '%.60s' is not of the form PLUGIN.KEY=VALUE", opt);
        return -1;
    }
    char section[128], key[128];
    size_t sl = (size_t)(dot - opt), kl = (size_t)(eq - dot - 1);
    if (sl >= sizeof section || kl >= sizeof key) {
        snprintf(err, errlen, "option name too long");
        return -1;
    }
    memcpy(section, opt, sl);
    section[sl] = '\0';
    memcpy(key, dot + 1, kl);
    key[kl] = '\0';
    if (!valid_name(section) || !valid_name(key)) {
        snprintf(err, errlen, "option '%s.%s': invalid plugin or key name", section, key);
        return -1;
    }
    config_set(c, section, key, eq + 1);
    return 0;
}

const char *config_get(const pp_config *c, const char *section, const char *key, const char *def)
{
    const cJSON *sec = cJSON_GetObjectItemCaseSensitive(c->sections, section);
    const cJSON *v = sec ? cJSON_GetObjectItemCaseSensitive(sec, key) : NULL;
    return cJSON_IsString(v) ? v->valuestring : def;
}

cJSON *config_plugin(const pp_config *c, const char *name)
{
    const cJSON *sec = cJSON_GetObjectItemCaseSensitive(c->sections, name);
    return sec ? cJSON_Duplicate(sec, 1) : cJSON_CreateObject();
}

const cJSON *config_sections(const pp_config *c)
{
    return c->sections;
}
