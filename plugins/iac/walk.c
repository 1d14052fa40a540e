/*
 * plugins/iac/walk.c - directory walk with an ignore file (see walk.h).
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "walk.h"

#define WALK_MAX_DEPTH 32
#define WALK_MAX_PATTERNS 1000

typedef struct walker {
    cJSON *tasks;
    char **patterns;
    size_t n_patterns;
    size_t files;
    char *err;
    size_t errlen;
} walker;

static int wanted_name(const char *name)
{
    static const char *const exts[] = {".yaml", ".yml", ".json", ".template"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t e = strlen(exts[i]);
        if (n > e && !strcmp(name + n - e, exts[i]))
            return 1;
    }
    return 0;
}

static int add_task(walker *w, const char *path)
{
    if (++w->files > WALK_MAX_FILES) {
        snprintf(w->err, w->errlen, "more than %d files to scan", WALK_MAX_FILES);
        return -1;
    }
    cJSON *t = cJSON_CreateObject();
    if (!t || !cJSON_AddStringToObject(t, "id", path) || !cJSON_AddStringToObject(t, "path", path) ||
        !cJSON_AddItemToArray(w->tasks, t)) {
        cJSON_Delete(t);
        snprintf(w->err, w->errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* Is @rel (relative to the walked root; @is_dir for directories) ignored? */
static int ignored(const walker *w, const char *rel, const char *base, int is_dir)
{
    for (size_t i = 0; i < w->n_patterns; i++) {
        const char *p = w->patterns[i];
        size_t n = strlen(p);
        if (p[n - 1] == '/') {
            if (!is_dir)
                continue;
            char pat[4096];
            if (n - 1 >= sizeof pat)
                continue;
            memcpy(pat, p, n - 1);
            pat[n - 1] = '\0';
            if (!fnmatch(pat, rel, FNM_PATHNAME) || !fnmatch(pat, base, 0))
                return 1;
            continue;
        }
        if (!fnmatch(p, rel, FNM_PATHNAME) || !fnmatch(p, base, 0))
            return 1;
    }
    return 0;
}

static void load_ignore_file(walker *w, const char *dir)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/.parapetignore", dir) >= sizeof path)
        return;
    FILE *fp = fopen(path, "r");
    if (!fp)
        return;
    char line[1024];
    while (fgets(line, sizeof line, fp) && w->n_patterns < WALK_MAX_PATTERNS) {
        size_t n = strcspn(line, "\r\n");
        line[n] = '\0';
        while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
            line[--n] = '\0';
        char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s || *s == '#')
            continue;
        if (s[0] == '.' && s[1] == '/')
            s += 2;
        char **np = realloc(w->patterns, (w->n_patterns + 1) * sizeof *np);
        if (!np)
            break;
        w->patterns = np;
        if (!(np[w->n_patterns] = strdup(s)))
            break;
        w->n_patterns++;
    }
    fclose(fp);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walk @dir (@rel is its path relative to the root, "" for the root). */
static int walk_dir(walker *w, const char *dir, const char *rel, int depth)
{
    if (depth > WALK_MAX_DEPTH)
        return 0;
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(w->err, w->errlen, "%s: cannot open directory: %s", dir, strerror(errno));
        return -1;
    }
    /* Sorted, so plans (and outputs) are the same from run to run. */
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char **nn = realloc(names, (n + 1) * sizeof *nn);
        if (!nn || !(nn[n] = strdup(e->d_name))) {
            names = nn ? nn : names;
            rc = -1;
            snprintf(w->err, w->errlen, "out of memory");
            break;
        }
        names = nn;
        n++;
    }
    closedir(d);
    if (rc == 0)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char path[4096], relp[4096];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= sizeof path ||
            (size_t)snprintf(relp, sizeof relp, "%s%s%s", rel, *rel ? "/" : "", names[i]) >= sizeof relp)
            continue;
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (!ignored(w, relp, names[i], 1))
                rc = walk_dir(w, path, relp, depth + 1);
        } else if (S_ISREG(st.st_mode) && wanted_name(names[i]) && !ignored(w, relp, names[i], 0)) {
            rc = add_task(w, path);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int walk_targets(const cJSON *targets, cJSON *tasks, char *err, size_t errlen)
{
    walker w;
    memset(&w, 0, sizeof w);
    w.tasks = tasks;
    w.err = err;
    w.errlen = errlen;
    const cJSON *t;
    int rc = 0;
    cJSON_ArrayForEach(t, targets)
    {
        if (!cJSON_IsString(t) || !*t->valuestring) {
            snprintf(err, errlen, "targets must be file or directory paths");
            rc = -1;
            break;
        }
        struct stat st;
        if (stat(t->valuestring, &st) != 0) {
            snprintf(err, errlen, "%s: %s", t->valuestring, strerror(errno));
            rc = -1;
            break;
        }
        if (S_ISDIR(st.st_mode)) {
            char root[4096];
            size_t len = strlen(t->valuestring);
            if (len >= sizeof root)
                continue;
            memcpy(root, t->valuestring, len + 1);
            while (len > 1 && root[len - 1] == '/')
                root[--len] = '\0';
            load_ignore_file(&w, root);
            rc = walk_dir(&w, root, "", 0);
            for (size_t i = 0; i < w.n_patterns; i++)
                free(w.patterns[i]);
            free(w.patterns);
            w.patterns = NULL;
            w.n_patterns = 0;
        } else {
            rc = add_task(&w, t->valuestring);
        }
        if (rc != 0)
            break;
    }
    return rc;
}
