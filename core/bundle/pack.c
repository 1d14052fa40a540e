/* core/bundle/pack.c - see pack.h. */
#include "config.h"

#include "pack.h"

#include "manifest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cjson/cJSON.h>

#include <parapet/version.h>

typedef struct file_list {
    manifest_file *v;
    size_t n, cap;
} file_list;

static int list_add(file_list *l, const char *rel, uint64_t size, unsigned mode,
                    const char hex[65])
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 32;
        manifest_file *nv = realloc(l->v, ncap * sizeof *nv);
        if (!nv)
            return -1;
        l->v = nv;
        l->cap = ncap;
    }
    manifest_file *f = &l->v[l->n];
    f->path = strdup(rel);
    if (!f->path)
        return -1;
    f->size = size;
    f->mode = mode;
    memcpy(f->sha256, hex, 65);
    l->n++;
    return 0;
}

/* walk - add every regular file below @root/@rel to @l. */
static int walk(const char *root, const char *rel, file_list *l, bundle_err *e)
{
    char *dpath = *rel ? path_join(root, rel) : strdup(root);
    if (!dpath)
        return berr_set(e, "path too long");
    DIR *d = opendir(dpath);
    if (!d) {
        berr_set(e, "cannot read directory %s: %s", dpath, strerror(errno));
        free(dpath);
        return -1;
    }
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (!*rel && strcmp(de->d_name, MANIFEST_NAME) == 0)
            continue;
        char *crel = *rel ? path_join(rel, de->d_name) : strdup(de->d_name);
        char *full = crel ? path_join(root, crel) : NULL;
        char why[128];
        struct stat st;
        if (!crel || !full) {
            rc = berr_set(e, "path too long");
        } else if (manifest_check_path(crel, why, sizeof why) != 0) {
            rc = berr_set(e, "cannot pack %s: %s", full, why);
        } else if (lstat(full, &st) != 0) {
            rc = berr_set(e, "cannot stat %s: %s", full, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk(root, crel, l, e);
        } else if (!S_ISREG(st.st_mode)) {
            rc = berr_set(e, "cannot pack %s: only regular files and directories (no links or "
                             "special files)",
                          full);
        } else if (l->n >= MANIFEST_MAX_FILES) {
            rc = berr_set(e, "more than %d files in %s", MANIFEST_MAX_FILES, root);
        } else {
            char hex[65];
            uint64_t size;
            if (sha256_file_hex(full, hex, &size, e) != 0)
                rc = -1;
            else if (list_add(l, crel, size, (st.st_mode & 0111) ? 0755 : 0644, hex) != 0)
                rc = berr_set(e, "out of memory");
        }
        free(crel);
        free(full);
    }
    closedir(d);
    free(dpath);
    return rc;
}

static int cmp_file(const void *a, const void *b)
{
    return strcmp(((const manifest_file *)a)->path, ((const manifest_file *)b)->path);
}

/* set_string - replace member @key of @obj with string @val (if non-NULL). */
static void set_string(cJSON *obj, const char *key, const char *val)
{
    if (!val)
        return;
    cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
    cJSON_AddStringToObject(obj, key, val);
}

static cJSON *ensure_object(cJSON *obj, const char *key)
{
    cJSON *o = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (cJSON_IsObject(o))
        return o;
    cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
    return cJSON_AddObjectToObject(obj, key);
}

/* build_manifest_json - template + options + computed files -> JSON text. */
static char *build_manifest_json(const pack_opts *o, const file_list *l, bundle_err *e)
{
    cJSON *root = NULL;
    char *tpath = path_join(o->dir, MANIFEST_NAME);
    struct stat st;
    if (!tpath) {
        berr_set(e, "path too long");
        return NULL;
    }
    if (lstat(tpath, &st) == 0) {
        size_t len;
        char *text = read_file_capped(tpath, MANIFEST_MAX_BYTES, &len, e);
        if (!text) {
            free(tpath);
            return NULL;
        }
        root = cJSON_ParseWithLength(text, len);
        free(text);
        if (!cJSON_IsObject(root)) {
            berr_set(e, "%s: not a JSON object", tpath);
            cJSON_Delete(root);
            free(tpath);
            return NULL;
        }
    } else {
        root = cJSON_CreateObject();
    }
    free(tpath);
    if (!root) {
        berr_set(e, "out of memory");
        return NULL;
    }
    if (!cJSON_GetObjectItemCaseSensitive(root, "format"))
        cJSON_AddNumberToObject(root, "format", MANIFEST_FORMAT);
    set_string(root, "name", o->name);
    set_string(root, "version", o->version);
    set_string(root, "license", o->license);
    set_string(root, "description", o->description);
    cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "name");
    if (!cJSON_GetObjectItemCaseSensitive(root, "entry") && cJSON_IsString(name)) {
        char entry[MANIFEST_MAX_NAME + 16];
        snprintf(entry, sizeof entry, "lib/%.*s.so", MANIFEST_MAX_NAME, name->valuestring);
        cJSON_AddStringToObject(root, "entry", entry);
    }
    if (o->kinds) {
        cJSON_DeleteItemFromObjectCaseSensitive(root, "kinds");
        cJSON *k = cJSON_AddArrayToObject(root, "kinds");
        char *copy = strdup(o->kinds), *save = NULL;
        for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save))
            cJSON_AddItemToArray(k, cJSON_CreateString(t));
        free(copy);
    }
    cJSON *abi = ensure_object(root, "abi");
    if (!cJSON_GetObjectItemCaseSensitive(abi, "major"))
        cJSON_AddNumberToObject(abi, "major", PP_ABI_MAJOR);
    if (!cJSON_GetObjectItemCaseSensitive(abi, "minor"))
        cJSON_AddNumberToObject(abi, "minor", PP_ABI_MINOR);
    cJSON *target = ensure_object(root, "target");
    set_string(target, "os", o->os);
    set_string(target, "arch", o->arch);
    if (!cJSON_GetObjectItemCaseSensitive(target, "os"))
        cJSON_AddStringToObject(target, "os", "linux");
    if (!cJSON_GetObjectItemCaseSensitive(target, "arch"))
        cJSON_AddStringToObject(target, "arch", host_arch());
    cJSON_DeleteItemFromObjectCaseSensitive(root, "files");
    cJSON *files = cJSON_AddArrayToObject(root, "files");
    for (size_t i = 0; i < l->n; i++) {
        char mode[8];
        cJSON *f = cJSON_CreateObject();
        snprintf(mode, sizeof mode, "%04o", l->v[i].mode);
        cJSON_AddStringToObject(f, "path", l->v[i].path);
        cJSON_AddNumberToObject(f, "size", (double)l->v[i].size);
        cJSON_AddStringToObject(f, "mode", mode);
        cJSON_AddStringToObject(f, "sha256", l->v[i].sha256);
        cJSON_AddItemToArray(files, f);
    }
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!text)
        berr_set(e, "out of memory");
    return text;
}

/* add_entry - write one tar header (and the file's data, if @src). */
static int add_entry(struct archive *a, const char *path, mode_t type, unsigned mode, uint64_t size,
                     int64_t mtime, const char *src, const char *data, bundle_err *e)
{
    struct archive_entry *ent = archive_entry_new();
    if (!ent)
        return berr_set(e, "out of memory");
    archive_entry_set_pathname(ent, path);
    archive_entry_set_filetype(ent, type);
    archive_entry_set_perm(ent, mode);
    archive_entry_set_size(ent, (la_int64_t)size);
    archive_entry_set_mtime(ent, (time_t)mtime, 0);
    archive_entry_set_uid(ent, 0);
    archive_entry_set_gid(ent, 0);
    archive_entry_set_uname(ent, "root");
    archive_entry_set_gname(ent, "root");
    int rc = 0;
    if (archive_write_header(a, ent) != ARCHIVE_OK) {
        rc = berr_set(e, "cannot write the tar header for %s: %s", path, archive_error_string(a));
    } else if (data) {
        if (archive_write_data(a, data, size) != (la_ssize_t)size)
            rc = berr_set(e, "cannot write %s: %s", path, archive_error_string(a));
    } else if (src) {
        int fd = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        char buf[65536];
        uint64_t left = size;
        if (fd < 0)
            rc = berr_set(e, "cannot open %s: %s", src, strerror(errno));
        while (rc == 0 && left > 0) {
            ssize_t n = read(fd, buf, left < sizeof buf ? (size_t)left : sizeof buf);
            if (n <= 0) {
                rc = berr_set(e, "%s changed while being packed", src);
                break;
            }
            if (archive_write_data(a, buf, (size_t)n) != n)
                rc = berr_set(e, "cannot write %s: %s", path, archive_error_string(a));
            left -= (uint64_t)n;
        }
        if (fd >= 0)
            close(fd);
    }
    archive_entry_free(ent);
    return rc;
}

static int write_archive(const char *tmp, const manifest *m, const char *mjson, const pack_opts *o,
                         int64_t mtime, bundle_err *e)
{
    struct archive *a = archive_write_new();
    int rc = -1;
    if (!a)
        return berr_set(e, "out of memory");
    if (archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
        archive_write_set_filter_option(a, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
        archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
        archive_write_open_filename(a, tmp) != ARCHIVE_OK) {
        berr_set(e, "cannot write %s: %s", tmp, archive_error_string(a));
        goto out;
    }
    if (add_entry(a, MANIFEST_NAME, AE_IFREG, 0644, strlen(mjson), mtime, NULL, mjson, e) != 0)
        goto out;
    char last_dirs[MANIFEST_MAX_PATH + 2] = "";
    for (size_t i = 0; i < m->n_files; i++) {
        const char *p = m->files[i].path;
        /* emit each parent directory the first time it is needed */
        for (const char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
            size_t dl = (size_t)(s - p);
            char dir[MANIFEST_MAX_PATH + 2];
            memcpy(dir, p, dl);
            dir[dl] = '/';
            dir[dl + 1] = '\0';
            if (strncmp(last_dirs, dir, dl + 1) == 0 && strlen(last_dirs) >= dl + 1)
                continue;
            if (add_entry(a, dir, AE_IFDIR, 0755, 0, mtime, NULL, NULL, e) != 0)
                goto out;
            memcpy(last_dirs, dir, dl + 2);
        }
        char *src = path_join(o->dir, p);
        int r = src ? add_entry(a, p, AE_IFREG, m->files[i].mode, m->files[i].size, mtime, src,
                                NULL, e)
                    : berr_set(e, "path too long");
        free(src);
        if (r != 0)
            goto out;
    }
    if (archive_write_close(a) != ARCHIVE_OK) {
        berr_set(e, "cannot finish %s: %s", tmp, archive_error_string(a));
        goto out;
    }
    rc = 0;
out:
    archive_write_free(a);
    return rc;
}

int bundle_pack(const pack_opts *o, char **out_path, bundle_err *e)
{
    file_list l = {0};
    manifest m = {0};
    char *mjson = NULL, *fname = NULL, *out = NULL, *tmp = NULL;
    int rc = -1;

    *out_path = NULL;
    if (!o->dir)
        return berr_set(e, "no directory to pack");
    if (walk(o->dir, "", &l, e) != 0)
        goto out;
    if (l.n == 0) {
        berr_set(e, "%s holds no files to pack", o->dir);
        goto out;
    }
    if (l.n > 1)
        qsort(l.v, l.n, sizeof *l.v, cmp_file);
    if (!(mjson = build_manifest_json(o, &l, e)))
        goto out;
    char what[600];
    snprintf(what, sizeof what, "manifest for %s", o->dir);
    if (manifest_parse(mjson, strlen(mjson), what, &m, e) != 0)
        goto out;
    free(mjson);
    if (!(mjson = manifest_to_json(&m)) || !(fname = bundle_file_name(&m))) {
        berr_set(e, "out of memory");
        goto out;
    }
    if (!(out = path_join(o->out_dir ? o->out_dir : ".", fname))) {
        berr_set(e, "path too long");
        goto out;
    }
    size_t lo = strlen(out);
    if (!(tmp = malloc(lo + 16))) {
        berr_set(e, "out of memory");
        goto out;
    }
    snprintf(tmp, lo + 16, "%s.tmp-XXXXXX", out);
    int tfd = mkstemp(tmp);
    if (tfd < 0) {
        berr_set(e, "cannot create %s: %s", tmp, strerror(errno));
        goto out;
    }
    close(tfd);
    int64_t mtime = o->mtime;
    if (mtime < 0) {
        const char *sde = getenv("SOURCE_DATE_EPOCH");
        mtime = sde ? strtoll(sde, NULL, 10) : 0;
        if (mtime < 0)
            mtime = 0;
    }
    if (write_archive(tmp, &m, mjson, o, mtime, e) != 0) {
        unlink(tmp);
        goto out;
    }
    if (chmod(tmp, 0644) != 0 || rename(tmp, out) != 0) {
        berr_set(e, "cannot write %s: %s", out, strerror(errno));
        unlink(tmp);
        goto out;
    }
    *out_path = out;
    out = NULL;
    rc = 0;
out:
    for (size_t i = 0; i < l.n; i++)
        free(l.v[i].path);
    free(l.v);
    manifest_free(&m);
    free(mjson);
    free(fname);
    free(out);
    free(tmp);
    return rc;
}
