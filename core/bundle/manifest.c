/* core/bundle/manifest.c - see manifest.h. */
#include "config.h"

#include "manifest.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

#include <cjson/cJSON.h>

#include <parapet/plugin.h>

static const struct {
    const char *name;
    uint32_t bit;
} kind_names[] = {
    {"provider", PP_KIND_PROVIDER},       {"policy", PP_KIND_POLICY},
    {"threat_feed", PP_KIND_THREAT_FEED}, {"scanner", PP_KIND_SCANNER},
    {"output", PP_KIND_OUTPUT},           {"remediation", PP_KIND_REMEDIATION},
};

uint32_t kinds_parse_name(const char *s)
{
    for (size_t i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (strcmp(s, kind_names[i].name) == 0)
            return kind_names[i].bit;
    return 0;
}

void kinds_format(uint32_t kinds, char *buf, size_t len)
{
    size_t o = 0;
    if (len == 0)
        return;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++) {
        if (!(kinds & kind_names[i].bit))
            continue;
        int n = snprintf(buf + o, len - o, "%s%s", o ? "," : "", kind_names[i].name);
        if (n < 0 || (size_t)n >= len - o)
            return;
        o += (size_t)n;
    }
}

const char *host_arch(void)
{
#if defined(__x86_64__)
    return "x86_64";
#elif defined(__aarch64__)
    return "aarch64";
#elif defined(__i386__)
    return "i686";
#elif defined(__arm__)
    return "armv7l";
#elif defined(__riscv) && __riscv_xlen == 64
    return "riscv64";
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
    return "ppc64le";
#elif defined(__s390x__)
    return "s390x";
#else
    static struct utsname u;
    if (uname(&u) == 0)
        return u.machine;
    return "unknown";
#endif
}

int manifest_valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > MANIFEST_MAX_NAME)
        return 0;
    if (!(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* numeric_ok - a decimal without leading zeros, at most 9 digits. */
static int numeric_ok(const char *s, size_t n)
{
    if (n == 0 || n > 9)
        return 0;
    if (n > 1 && s[0] == '0')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* idents_ok - dot-separated identifiers of [0-9A-Za-z-]; numeric ones
 * without leading zeros when @strict_numeric. */
static int idents_ok(const char *s, size_t n, int strict_numeric)
{
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            size_t len = i - start;
            if (len == 0)
                return 0;
            int all_digits = 1;
            for (size_t k = start; k < i; k++) {
                unsigned char c = (unsigned char)s[k];
                if (!isalnum(c) && c != '-')
                    return 0;
                if (!isdigit(c))
                    all_digits = 0;
            }
            if (strict_numeric && all_digits && len > 1 && s[start] == '0')
                return 0;
            start = i + 1;
        }
    }
    return 1;
}

int manifest_valid_version(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return 0;
    const char *plus = strchr(s, '+');
    size_t core_end = plus ? (size_t)(plus - s) : n;
    const char *dash = memchr(s, '-', core_end);
    size_t num_end = dash ? (size_t)(dash - s) : core_end;
    /* MAJOR.MINOR.PATCH */
    size_t start = 0;
    int parts = 0;
    for (size_t i = 0; i <= num_end; i++) {
        if (i == num_end || s[i] == '.') {
            if (!numeric_ok(s + start, i - start))
                return 0;
            parts++;
            start = i + 1;
        }
    }
    if (parts != 3)
        return 0;
    if (dash && !idents_ok(dash + 1, core_end - num_end - 1, 1))
        return 0;
    if (plus && !idents_ok(plus + 1, n - core_end - 1, 0))
        return 0;
    return 1;
}

/* cmp_ident - compare two prerelease identifiers per semver 11.4. */
static int cmp_ident(const char *a, size_t la, const char *b, size_t lb)
{
    int da = 1, db = 1;
    for (size_t i = 0; i < la; i++)
        if (!isdigit((unsigned char)a[i]))
            da = 0;
    for (size_t i = 0; i < lb; i++)
        if (!isdigit((unsigned char)b[i]))
            db = 0;
    if (da && db) {
        if (la != lb)
            return la < lb ? -1 : 1;
        int c = memcmp(a, b, la);
        return c < 0 ? -1 : c > 0;
    }
    if (da != db)
        return da ? -1 : 1; /* numeric identifiers sort first */
    size_t m = la < lb ? la : lb;
    int c = memcmp(a, b, m);
    if (c != 0)
        return c < 0 ? -1 : 1;
    return la == lb ? 0 : la < lb ? -1 : 1;
}

int semver_compare(const char *a, const char *b)
{
    unsigned long va[3] = {0, 0, 0}, vb[3] = {0, 0, 0};
    const char *pa = a, *pb = b;
    for (int i = 0; i < 3; i++) {
        char *end;
        va[i] = strtoul(pa, &end, 10);
        pa = end + (*end == '.');
        vb[i] = strtoul(pb, &end, 10);
        pb = end + (*end == '.');
        if (va[i] != vb[i])
            return va[i] < vb[i] ? -1 : 1;
    }
    /* pa/pb now point at "-pre", "+build" or the end */
    const char *ra = *pa == '-' ? pa + 1 : NULL, *rb = *pb == '-' ? pb + 1 : NULL;
    if (!ra && !rb)
        return 0;
    if (!ra || !rb)
        return ra ? -1 : 1; /* a prerelease precedes its release */
    size_t la = strcspn(ra, "+"), lb = strcspn(rb, "+");
    while (la > 0 && lb > 0) {
        size_t ia = strcspn(ra, ".+"), ib = strcspn(rb, ".+");
        if (ia > la)
            ia = la;
        if (ib > lb)
            ib = lb;
        int c = cmp_ident(ra, ia, rb, ib);
        if (c != 0)
            return c;
        ra += ia;
        la -= ia;
        rb += ib;
        lb -= ib;
        if (la > 0 && *ra == '.') {
            ra++;
            la--;
        }
        if (lb > 0 && *rb == '.') {
            rb++;
            lb--;
        }
    }
    if (la == lb)
        return 0;
    return la == 0 ? -1 : 1; /* fewer identifiers sort first */
}

int manifest_check_path(const char *path, char *why, size_t whylen)
{
    size_t n = strlen(path);
    if (n == 0)
        return snprintf(why, whylen, "empty path"), -1;
    if (n > MANIFEST_MAX_PATH)
        return snprintf(why, whylen, "path longer than %d bytes", MANIFEST_MAX_PATH), -1;
    if (path[0] == '/')
        return snprintf(why, whylen, "absolute path"), -1;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && path[i] != '/')
            continue;
        size_t len = i - start;
        const char *c = path + start;
        if (len == 0)
            return snprintf(why, whylen, "empty path component"), -1;
        if ((len == 2 && c[0] == '.' && c[1] == '.'))
            return snprintf(why, whylen, "\"..\" path component"), -1;
        if (len == 1 && c[0] == '.')
            return snprintf(why, whylen, "\".\" path component"), -1;
        if (c[0] == '.')
            return snprintf(why, whylen, "hidden path component"), -1;
        if (c[0] == '-')
            return snprintf(why, whylen, "path component starting with '-'"), -1;
        if (len > MANIFEST_MAX_COMPONENT)
            return snprintf(why, whylen, "path component longer than %d bytes",
                            MANIFEST_MAX_COMPONENT),
                   -1;
        for (size_t k = 0; k < len; k++) {
            unsigned char ch = (unsigned char)c[k];
            if (!(isalnum(ch) || ch == '.' || ch == '_' || ch == '-' || ch == '+' || ch == '@'))
                return snprintf(why, whylen, "character 0x%02x not allowed in a path", ch), -1;
        }
        start = i + 1;
    }
    return 0;
}

void manifest_free(manifest *m)
{
    if (!m)
        return;
    free(m->name);
    free(m->version);
    free(m->description);
    free(m->license);
    free(m->entry);
    free(m->os);
    free(m->arch);
    free(m->libc);
    free(m->min_glibc);
    free(m->dependencies_json);
    for (size_t i = 0; i < m->n_files; i++)
        free(m->files[i].path);
    free(m->files);
    memset(m, 0, sizeof *m);
}

const manifest_file *manifest_find(const manifest *m, const char *path)
{
    for (size_t i = 0; i < m->n_files; i++)
        if (strcmp(m->files[i].path, path) == 0)
            return &m->files[i];
    return NULL;
}

/* has_duplicate_keys - 1 if any object in @j repeats a member name. */
static int has_duplicate_keys(const cJSON *j)
{
    for (const cJSON *c = j ? j->child : NULL; c; c = c->next) {
        if (cJSON_IsObject(j))
            for (const cJSON *d = c->next; d; d = d->next)
                if (c->string && d->string && strcmp(c->string, d->string) == 0)
                    return 1;
        if (has_duplicate_keys(c))
            return 1;
    }
    return 0;
}

/* get_string - member @key of @obj as a fresh string; -1 if missing (when
 * @required) or not a string. */
static int get_string(const cJSON *obj, const char *key, int required, char **out, const char *what,
                      bundle_err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = NULL;
    if (!v) {
        if (required)
            return berr_set(e, "%s: missing field \"%s\"", what, key);
        return 0;
    }
    if (!cJSON_IsString(v) || !v->valuestring)
        return berr_set(e, "%s: field \"%s\" must be a string", what, key);
    if (strlen(v->valuestring) > 4096)
        return berr_set(e, "%s: field \"%s\" is too long", what, key);
    for (const char *p = v->valuestring; *p; p++)
        if ((unsigned char)*p < 0x20)
            return berr_set(e, "%s: control character in field \"%s\"", what, key);
    *out = strdup(v->valuestring);
    return *out ? 0 : berr_set(e, "out of memory");
}

static int get_uint(const cJSON *obj, const char *key, uint64_t max, uint64_t *out,
                    const char *what, bundle_err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return berr_set(e, "%s: missing field \"%s\"", what, key);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > (double)max ||
        v->valuedouble != (double)(uint64_t)v->valuedouble)
        return berr_set(e, "%s: field \"%s\" must be a whole number from 0 to %llu", what, key,
                        (unsigned long long)max);
    *out = (uint64_t)v->valuedouble;
    return 0;
}

static int valid_word(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_'))
            return 0;
    return 1;
}

static int valid_glibc_version(const char *s)
{
    unsigned a, b;
    char tail;
    return sscanf(s, "%3u.%3u%c", &a, &b, &tail) == 2 && strlen(s) <= 7;
}

static int parse_files(const cJSON *arr, manifest *m, const char *what, bundle_err *e)
{
    if (!cJSON_IsArray(arr))
        return berr_set(e, "%s: field \"files\" must be an array", what);
    int n = cJSON_GetArraySize(arr);
    if (n <= 0)
        return berr_set(e, "%s: \"files\" is empty", what);
    if (n > MANIFEST_MAX_FILES)
        return berr_set(e, "%s: more than %d files listed", what, MANIFEST_MAX_FILES);
    m->files = calloc((size_t)n, sizeof *m->files);
    if (!m->files)
        return berr_set(e, "out of memory");
    uint64_t total = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, arr)
    {
        manifest_file *mf = &m->files[m->n_files];
        char *mode = NULL, *hash = NULL, why[128];
        if (!cJSON_IsObject(f))
            return berr_set(e, "%s: files[%zu] must be an object", what, m->n_files);
        if (get_string(f, "path", 1, &mf->path, what, e) != 0)
            return -1;
        m->n_files++;
        if (manifest_check_path(mf->path, why, sizeof why) != 0)
            return berr_set(e, "%s: file \"%s\": %s", what, mf->path, why);
        if (strcmp(mf->path, MANIFEST_NAME) == 0)
            return berr_set(e, "%s: %s must not list itself", what, MANIFEST_NAME);
        if (get_uint(f, "size", MANIFEST_MAX_FILE_SIZE, &mf->size, what, e) != 0)
            return berr_set(e, "%s: file \"%s\": size missing or above the %llu-byte limit",
                            what, mf->path, (unsigned long long)MANIFEST_MAX_FILE_SIZE);
        total += mf->size;
        if (total > MANIFEST_MAX_TOTAL_SIZE)
            return berr_set(e, "%s: files add up to more than %llu bytes", what,
                            (unsigned long long)MANIFEST_MAX_TOTAL_SIZE);
        if (get_string(f, "mode", 1, &mode, what, e) != 0)
            return -1;
        int mode_ok = strcmp(mode, "0644") == 0 || strcmp(mode, "0755") == 0;
        mf->mode = mode[1] == '7' ? 0755 : 0644;
        free(mode);
        if (!mode_ok)
            return berr_set(e, "%s: file \"%s\": mode must be \"0644\" or \"0755\"", what,
                            mf->path);
        if (get_string(f, "sha256", 1, &hash, what, e) != 0)
            return -1;
        int hash_ok = strlen(hash) == 64 && strspn(hash, "0123456789abcdef") == 64;
        if (hash_ok)
            memcpy(mf->sha256, hash, 65);
        free(hash);
        if (!hash_ok)
            return berr_set(e, "%s: file \"%s\": sha256 must be 64 lowercase hex digits", what,
                            mf->path);
    }
    /* duplicates, case collisions, and a file used as a directory */
    for (size_t i = 0; i < m->n_files; i++) {
        for (size_t k = i + 1; k < m->n_files; k++) {
            const char *a = m->files[i].path, *b = m->files[k].path;
            if (strcmp(a, b) == 0)
                return berr_set(e, "%s: file \"%s\" listed twice", what, a);
            if (strcasecmp(a, b) == 0)
                return berr_set(e, "%s: files \"%s\" and \"%s\" differ only in case", what, a,
                                b);
            size_t la = strlen(a), lb = strlen(b);
            if ((la < lb && strncasecmp(a, b, la) == 0 && b[la] == '/') ||
                (lb < la && strncasecmp(a, b, lb) == 0 && a[lb] == '/'))
                return berr_set(e, "%s: \"%s\" is both a file and a directory", what,
                                la < lb ? a : b);
        }
    }
    return 0;
}

static int parse_tree(const cJSON *root, manifest *m, const char *what, bundle_err *e)
{
    uint64_t u;
    char *s = NULL;

    if (!cJSON_IsObject(root))
        return berr_set(e, "%s: not a JSON object", what);
    if (has_duplicate_keys(root))
        return berr_set(e, "%s: a JSON object repeats a member name", what);
    if (get_uint(root, "format", 1000, &u, what, e) != 0)
        return -1;
    if (u != MANIFEST_FORMAT)
        return berr_set(e, "%s: format %llu is not supported (this parapet reads format %d)", what,
                        (unsigned long long)u, MANIFEST_FORMAT);
    if (get_string(root, "name", 1, &m->name, what, e) != 0)
        return -1;
    if (!manifest_valid_name(m->name))
        return berr_set(e, "%s: name \"%s\" is not valid (want [a-z0-9][a-z0-9_-]*, at most %d)",
                        what, m->name, MANIFEST_MAX_NAME);
    if (get_string(root, "version", 1, &m->version, what, e) != 0)
        return -1;
    if (!manifest_valid_version(m->version))
        return berr_set(e, "%s: version \"%s\" is not a semantic version", what, m->version);
    if (get_string(root, "description", 0, &m->description, what, e) != 0 ||
        get_string(root, "license", 0, &m->license, what, e) != 0)
        return -1;

    const cJSON *abi = cJSON_GetObjectItemCaseSensitive(root, "abi");
    if (!cJSON_IsObject(abi))
        return berr_set(e, "%s: field \"abi\" must be an object {major, minor}", what);
    if (get_uint(abi, "major", 1000, &u, what, e) != 0)
        return -1;
    m->abi_major = (unsigned)u;
    if (get_uint(abi, "minor", 1000, &u, what, e) != 0)
        return -1;
    m->abi_minor = (unsigned)u;

    const cJSON *kinds = cJSON_GetObjectItemCaseSensitive(root, "kinds"), *k;
    if (!cJSON_IsArray(kinds) || cJSON_GetArraySize(kinds) == 0)
        return berr_set(e, "%s: field \"kinds\" must be a non-empty array", what);
    cJSON_ArrayForEach(k, kinds)
    {
        uint32_t bit = cJSON_IsString(k) ? kinds_parse_name(k->valuestring) : 0;
        if (!bit)
            return berr_set(e, "%s: unknown kind %s%s%s", what, cJSON_IsString(k) ? "\"" : "",
                            cJSON_IsString(k) ? k->valuestring : "(not a string)",
                            cJSON_IsString(k) ? "\"" : "");
        m->kinds |= bit;
    }

    const cJSON *target = cJSON_GetObjectItemCaseSensitive(root, "target");
    if (!cJSON_IsObject(target))
        return berr_set(e, "%s: field \"target\" must be an object {os, arch, ...}", what);
    if (get_string(target, "os", 1, &m->os, what, e) != 0 ||
        get_string(target, "arch", 1, &m->arch, what, e) != 0 ||
        get_string(target, "libc", 0, &m->libc, what, e) != 0 ||
        get_string(target, "min_glibc", 0, &m->min_glibc, what, e) != 0)
        return -1;
    if (!valid_word(m->os, 32) || !valid_word(m->arch, 32))
        return berr_set(e, "%s: target os/arch must be short lowercase words", what);
    if (m->libc && strcmp(m->libc, "glibc") != 0 && strcmp(m->libc, "musl") != 0)
        return berr_set(e, "%s: target libc must be \"glibc\" or \"musl\"", what);
    if (m->min_glibc && !valid_glibc_version(m->min_glibc))
        return berr_set(e, "%s: target min_glibc must look like \"2.31\"", what);

    const cJSON *deps = cJSON_GetObjectItemCaseSensitive(root, "dependencies"), *d;
    if (deps) {
        if (!cJSON_IsArray(deps))
            return berr_set(e, "%s: field \"dependencies\" must be an array", what);
        cJSON_ArrayForEach(d, deps)
        {
            const cJSON *dn = cJSON_GetObjectItemCaseSensitive(d, "name");
            const cJSON *dv = cJSON_GetObjectItemCaseSensitive(d, "version");
            if (!cJSON_IsObject(d) || !cJSON_IsString(dn) || !manifest_valid_name(dn->valuestring) ||
                (dv && !cJSON_IsString(dv)))
                return berr_set(e, "%s: each dependency must be {\"name\": NAME, \"version\": "
                                   "RANGE}",
                                what);
        }
        m->dependencies_json = cJSON_PrintUnformatted(deps);
        if (!m->dependencies_json)
            return berr_set(e, "out of memory");
    }

    if (parse_files(cJSON_GetObjectItemCaseSensitive(root, "files"), m, what, e) != 0)
        return -1;

    if (get_string(root, "entry", 1, &m->entry, what, e) != 0)
        return -1;
    size_t need = strlen(m->name) + 8;
    s = malloc(need);
    if (!s)
        return berr_set(e, "out of memory");
    snprintf(s, need, "lib/%s.so", m->name);
    int entry_ok = strcmp(s, m->entry) == 0;
    free(s);
    if (!entry_ok)
        return berr_set(e, "%s: entry \"%s\" must be \"lib/%s.so\" (the .so is named after the "
                           "plugin)",
                        what, m->entry, m->name);
    const manifest_file *ef = manifest_find(m, m->entry);
    if (!ef)
        return berr_set(e, "%s: entry \"%s\" is not in \"files\"", what, m->entry);
    if (ef->mode != 0755 && ef->mode != 0644)
        return berr_set(e, "%s: bad mode for the entry", what);
    return 0;
}

int manifest_parse(const char *json, size_t len, const char *what, manifest *m, bundle_err *e)
{
    memset(m, 0, sizeof *m);
    if (len > MANIFEST_MAX_BYTES)
        return berr_set(e, "%s: larger than %d bytes", what, MANIFEST_MAX_BYTES);
    if (memchr(json, '\0', len))
        return berr_set(e, "%s: contains NUL bytes", what);
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root)
        return berr_set(e, "%s: not valid JSON", what);
    int rc = parse_tree(root, m, what, e);
    cJSON_Delete(root);
    if (rc != 0)
        manifest_free(m);
    return rc;
}

char *manifest_to_json(const manifest *m)
{
    char kbuf[128];
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    cJSON_AddNumberToObject(root, "format", MANIFEST_FORMAT);
    cJSON_AddStringToObject(root, "name", m->name);
    cJSON_AddStringToObject(root, "version", m->version);
    if (m->description)
        cJSON_AddStringToObject(root, "description", m->description);
    if (m->license)
        cJSON_AddStringToObject(root, "license", m->license);
    cJSON *abi = cJSON_AddObjectToObject(root, "abi");
    cJSON_AddNumberToObject(abi, "major", m->abi_major);
    cJSON_AddNumberToObject(abi, "minor", m->abi_minor);
    cJSON *kinds = cJSON_AddArrayToObject(root, "kinds");
    for (size_t i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (m->kinds & kind_names[i].bit)
            cJSON_AddItemToArray(kinds, cJSON_CreateString(kind_names[i].name));
    cJSON_AddStringToObject(root, "entry", m->entry);
    cJSON *target = cJSON_AddObjectToObject(root, "target");
    cJSON_AddStringToObject(target, "os", m->os);
    cJSON_AddStringToObject(target, "arch", m->arch);
    if (m->libc)
        cJSON_AddStringToObject(target, "libc", m->libc);
    if (m->min_glibc)
        cJSON_AddStringToObject(target, "min_glibc", m->min_glibc);
    if (m->dependencies_json) {
        cJSON *deps = cJSON_Parse(m->dependencies_json);
        if (deps)
            cJSON_AddItemToObject(root, "dependencies", deps);
    }
    cJSON *files = cJSON_AddArrayToObject(root, "files");
    for (size_t i = 0; i < m->n_files; i++) {
        cJSON *f = cJSON_CreateObject();
        snprintf(kbuf, sizeof kbuf, "%04o", m->files[i].mode);
        cJSON_AddStringToObject(f, "path", m->files[i].path);
        cJSON_AddNumberToObject(f, "size", (double)m->files[i].size);
        cJSON_AddStringToObject(f, "mode", kbuf);
        cJSON_AddStringToObject(f, "sha256", m->files[i].sha256);
        cJSON_AddItemToArray(files, f);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        return NULL;
    size_t n = strlen(text);
    char *out = realloc(text, n + 2);
    if (!out) {
        free(text);
        return NULL;
    }
    out[n] = '\n';
    out[n + 1] = '\0';
    return out;
}

char *bundle_file_name(const manifest *m)
{
    size_t n = strlen(m->name) + strlen(m->version) + strlen(m->os) + strlen(m->arch) + 16;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s-%s-%s-%s.tar.gz", m->name, m->version, m->os, m->arch);
    return s;
}
