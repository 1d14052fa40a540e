/* core/policy/framework.c - framework mapping files (see framework.h). */
#include "config.h"

#include "framework.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rules.h"
#include "util.h"

static void framework_clear(framework *f)
{
    free(f->id);
    free(f->title);
    free(f->version);
    for (size_t i = 0; i < f->n_reqs; i++) {
        fw_requirement *r = &f->reqs[i];
        free(r->id);
        free(r->title);
        free(r->section);
        for (size_t k = 0; k < r->n_rules; k++)
            free(r->rules[k]);
        free(r->rules);
    }
    free(f->reqs);
    memset(f, 0, sizeof *f);
}

void frameworks_free(framework *f, size_t n)
{
    if (!f)
        return;
    for (size_t i = 0; i < n; i++)
        framework_clear(&f[i]);
    free(f);
}

/* A non-empty one-line string member, or NULL. */
static const char *str_member(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsString(v) || !v->valuestring[0] || strpbrk(v->valuestring, "\r\n") || strlen(v->valuestring) > 1024)
        return NULL;
    return v->valuestring;
}

/* ^[a-z0-9][a-z0-9.-]*$, at most 64 bytes */
static int framework_id_valid(const char *id)
{
    if (!((*id >= 'a' && *id <= 'z') || (*id >= '0' && *id <= '9')) || strlen(id) > 64)
        return 0;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
            return 0;
    return 1;
}

static int check_members(const cJSON *o, const char *const *allowed, size_t n, const char **bad)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, o)
    {
        size_t i;
        for (i = 0; i < n && strcmp(m->string, allowed[i]); i++)
            ;
        if (i == n) {
            *bad = m->string;
            return -1;
        }
    }
    return 0;
}

static int parse_requirement(const cJSON *o, fw_requirement *r, char *why, size_t whylen)
{
    static const char *const allowed[] = {"id", "section", "title", "automated", "rules"};
    const char *bad;
    const char *id = str_member(o, "id"), *title = str_member(o, "title"), *section = str_member(o, "section");
    if (!cJSON_IsObject(o)) {
        snprintf(why, whylen, "a requirement must be an object");
        return -1;
    }
    if (!id) {
        snprintf(why, whylen, "a requirement without a one-line string 'id'");
        return -1;
    }
    r->id = xstrdup(id);
    if (check_members(o, allowed, 5, &bad)) {
        snprintf(why, whylen, "requirement '%.64s': unknown member '%.64s'", id, bad);
        return -1;
    }
    if (!title || !section) {
        snprintf(why, whylen, "requirement '%.64s': missing or bad '%s' (a one-line string)", id,
                 !title ? "title" : "section");
        return -1;
    }
    r->title = xstrdup(title);
    r->section = xstrdup(section);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "automated");
    if (!cJSON_IsBool(a)) {
        snprintf(why, whylen, "requirement '%.64s': 'automated' must be true or false", id);
        return -1;
    }
    r->automated = cJSON_IsTrue(a);
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(o, "rules");
    if (!cJSON_IsArray(rules)) {
        snprintf(why, whylen, "requirement '%.64s': 'rules' must be an array of rule ids", id);
        return -1;
    }
    r->rules = xcalloc((size_t)cJSON_GetArraySize(rules) + 1, sizeof *r->rules);
    const cJSON *e;
    cJSON_ArrayForEach(e, rules)
    {
        if (!cJSON_IsString(e) || !pe_rule_id_valid(e->valuestring)) {
            snprintf(why, whylen, "requirement '%.64s': rules[%zu] is not a rule id", id, r->n_rules);
            return -1;
        }
        r->rules[r->n_rules++] = xstrdup(e->valuestring);
    }
    if (r->automated && r->n_rules == 0) {
        snprintf(why, whylen, "requirement '%.64s': automated but lists no rules", id);
        return -1;
    }
    return 0;
}

int framework_parse(const cJSON *obj, const char *origin, framework *out, char *err, size_t errlen)
{
    static const char *const allowed[] = {"format", "id", "title", "version", "requirements"};
    char why[600];
    const char *bad;
    memset(out, 0, sizeof *out);
    if (!cJSON_IsObject(obj)) {
        snprintf(err, errlen, "%s: a framework must be a JSON object", origin);
        return -1;
    }
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(obj, "format");
    const char *id = str_member(obj, "id"), *title = str_member(obj, "title"), *version = str_member(obj, "version");
    if (check_members(obj, allowed, 5, &bad)) {
        snprintf(err, errlen, "%s: unknown member '%.64s'", origin, bad);
        return -1;
    }
    if (!cJSON_IsNumber(fmt) || fmt->valuedouble != 1) {
        snprintf(err, errlen, "%s: format: must be 1", origin);
        return -1;
    }
    if (!id || !framework_id_valid(id)) {
        snprintf(err, errlen, "%s: id: must be a name like 'cis-aws-3.0' (^[a-z0-9][a-z0-9.-]*$)", origin);
        return -1;
    }
    if (!title || !version) {
        snprintf(err, errlen, "%s: framework '%s': missing or bad '%s' (a one-line string)", origin, id,
                 !title ? "title" : "version");
        return -1;
    }
    const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(obj, "requirements");
    if (!cJSON_IsArray(reqs)) {
        snprintf(err, errlen, "%s: framework '%s': 'requirements' must be an array", origin, id);
        return -1;
    }
    out->id = xstrdup(id);
    out->title = xstrdup(title);
    out->version = xstrdup(version);
    out->reqs = xcalloc((size_t)cJSON_GetArraySize(reqs) + 1, sizeof *out->reqs);
    const cJSON *e;
    cJSON_ArrayForEach(e, reqs)
    {
        fw_requirement *r = &out->reqs[out->n_reqs++];
        if (parse_requirement(e, r, why, sizeof why) != 0) {
            snprintf(err, errlen, "%s: framework '%s': %s", origin, id, why);
            framework_clear(out);
            return -1;
        }
        for (size_t k = 0; k + 1 < out->n_reqs; k++) {
            if (!strcmp(out->reqs[k].id, r->id)) {
                snprintf(err, errlen, "%s: framework '%s': requirement '%.64s' given twice", origin, id, r->id);
                framework_clear(out);
                return -1;
            }
        }
    }
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int frameworks_load(const char *dir, framework **out, size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "%s: cannot open directory: %s", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t nn = 0;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (de->d_name[0] == '.' || l < 6 || strcmp(de->d_name + l - 5, ".json"))
            continue;
        if (nn >= FW_MAX_FILES) {
            snprintf(err, errlen, "%s: more than %d framework files", dir, FW_MAX_FILES);
            rc = -1;
            break;
        }
        names = xrealloc(names, (nn + 1) * sizeof *names);
        names[nn++] = xstrdup(de->d_name);
    }
    closedir(d);
    if (nn)
        qsort(names, nn, sizeof *names, cmp_names);
    framework *fws = xcalloc(nn + 1, sizeof *fws);
    size_t nf = 0;
    for (size_t i = 0; i < nn && rc == 0; i++) {
        sbuf path = {0};
        sbuf_printf(&path, "%s/%s", dir, names[i]);
        struct stat st;
        if (stat(path.data, &st) != 0 || !S_ISREG(st.st_mode)) {
            sbuf_free(&path);
            continue;
        }
        size_t len = 0;
        char *text = util_read_file(path.data, FW_FILE_MAX, &len, err, errlen);
        if (!text) {
            rc = -1;
        } else {
            cJSON *doc = cJSON_ParseWithLength(text, len);
            if (!doc) {
                snprintf(err, errlen, "%s: not valid JSON", path.data);
                rc = -1;
            } else if (framework_parse(doc, path.data, &fws[nf], err, errlen) != 0) {
                rc = -1;
            } else {
                for (size_t k = 0; k < nf; k++) {
                    if (!strcmp(fws[k].id, fws[nf].id)) {
                        snprintf(err, errlen, "%s: framework id '%s' is already used by another file", path.data,
                                 fws[nf].id);
                        rc = -1;
                    }
                }
                nf++;
            }
            cJSON_Delete(doc);
            free(text);
        }
        sbuf_free(&path);
    }
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
    free(names);
    if (rc != 0) {
        frameworks_free(fws, nf);
        return -1;
    }
    *out = fws;
    *n = nf;
    return 0;
}
