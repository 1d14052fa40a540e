/*
 * plugins/jsonl/jsonl.c - the `jsonl` output: findings (and, on request,
 * resources) as JSON Lines, one record per line, exactly as the host gave
 * it (docs/records.md). Formats "jsonl" and "ndjson" are the same thing.
 *
 * A line is a finding when it has a "rule_id" member and a resource
 * otherwise; see plugins/jsonl/README.md.
 *
 * Files are written atomically: records go to a temporary file created
 * next to PATH (mode 0640, never following a symbolic link), which close
 * flushes, fsyncs and renames onto PATH. A scan that dies before close
 * leaves PATH as it was (and a ".NAME.tmp-XXXXXX" file beside it). A FIFO
 * or character device (e.g. /dev/stderr) is written directly; "-" or no
 * path means standard output.
 *
 * Threads: PP_THREADS_SERIAL; the host calls one instance from one thread
 * at a time, so the instance keeps its error text and open sinks unlocked.
 */
#define _POSIX_C_SOURCE 200809L

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <parapet/plugin.h>

#define JSONL_BUF_SIZE ((size_t)64 * 1024)
#define JSONL_ERR_LEN 1024
#define JSONL_FILE_MODE 0640

static const char jsonl_schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
    "\"resources\":{\"type\":\"boolean\","
    "\"description\":\"also write every resource of the scan, one line each (default false)\"}"
    "}}";

/*
 * The host's service table, kept from the entry call (the ABI hands it
 * nowhere else); written once when the plugin is loaded, then only read.
 */
static const pp_host_api *host_api;

/* One open output. */
typedef struct jsonl_sink {
    struct jsonl_sink *next; /* the instance's list of open sinks */
    int fd;
    int is_stdout;           /* fd is the process's stdout: never closed */
    char *path;              /* final path, or NULL for stdout; owned */
    char *tmp;               /* temporary file renamed onto path at close, or NULL; owned */
    char *name;              /* path fit for messages; owned */
    int failed;              /* a write failed; nothing more is written */
    size_t used;             /* bytes waiting in buf */
    char buf[JSONL_BUF_SIZE];
} jsonl_sink;

typedef struct jsonl {
    pp_host *h;
    int resources;           /* write_resource writes (config "resources") */
    jsonl_sink *sinks;       /* open sinks, so destroy can discard them */
    char err[JSONL_ERR_LEN]; /* last_error */
} jsonl;

static void set_error(jsonl *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_error(jsonl *j, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(j->err, sizeof j->err, fmt, ap);
    va_end(ap);
}

static const char *errno_text(int err, char *buf, size_t len)
{
    if (strerror_r(err, buf, len) != 0)
        (void)snprintf(buf, len, "error %d", err);
    return buf;
}

/* A copy of @path fit for one log line: control characters become '?'. */
static char *display_name(const char *path)
{
    char *d = strdup(path);
    if (!d)
        return NULL;
    for (char *p = d; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return d;
}

/* ---- init / destroy ---------------------------------------------------- */

static int jsonl_init(pp_host *h, const char *config_json, void **inst, const char **err)
{
    jsonl *j = calloc(1, sizeof *j);
    if (!j) {
        *err = "jsonl: out of memory";
        return PP_ERR_NOMEM;
    }
    j->h = h;
    cJSON *cfg = cJSON_Parse(config_json ? config_json : "{}");
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(cfg, "resources");
    if (!cJSON_IsObject(cfg) || (res && !cJSON_IsBool(res))) {
        *err = cJSON_IsObject(cfg) ? "jsonl: resources must be true or false"
                                   : "jsonl: the configuration is not a JSON object";
        cJSON_Delete(cfg);
        free(j);
        return PP_ERR_INVALID;
    }
    j->resources = cJSON_IsTrue(res);
    cJSON_Delete(cfg);
    *inst = j;
    return PP_OK;
}

static void sink_free(jsonl_sink *k)
{
    free(k->path);
    free(k->tmp);
    free(k->name);
    free(k);
}

/* Take @k off the instance's list. */
static void sink_unlink_from(jsonl *j, jsonl_sink *k)
{
    for (jsonl_sink **pp = &j->sinks; *pp; pp = &(*pp)->next)
        if (*pp == k) {
            *pp = k->next;
            return;
        }
}

static void jsonl_destroy(void *inst)
{
    jsonl *j = inst;
    if (!j)
        return;
    while (j->sinks) { /* never closed: the scan did not finish; keep PATH as it was */
        jsonl_sink *k = j->sinks;
        j->sinks = k->next;
        if (!k->is_stdout)
            close(k->fd);
        if (k->tmp)
            unlink(k->tmp);
        pp_logf(host_api, j->h, PP_LOG_WARN, "jsonl: output %s was never closed; it was not written", k->name);
        sink_free(k);
    }
    free(j);
}

static const char *jsonl_last_error(void *inst)
{
    jsonl *j = inst;
    return j ? j->err : "jsonl: no instance";
}

/* ---- open -------------------------------------------------------------- */

/* Create the temporary file for @k->path in the same directory. */
static int sink_create_tmp(jsonl *j, jsonl_sink *k)
{
    char eb[128];
    const char *slash = strrchr(k->path, '/');
    size_t dirlen = slash ? (size_t)(slash - k->path) + 1 : 0;
    const char *base = slash ? slash + 1 : k->path;
    if (*base == '\0') {
        set_error(j, "cannot write %s: it names a directory", k->name);
        return PP_ERR_INVALID;
    }
    size_t len = dirlen + 1 + strlen(base) + sizeof ".tmp-XXXXXX";
    k->tmp = malloc(len);
    if (!k->tmp) {
        set_error(j, "jsonl: out of memory");
        return PP_ERR_NOMEM;
    }
    (void)snprintf(k->tmp, len, "%.*s.%s.tmp-XXXXXX", (int)dirlen, k->path, base);
    /* mkstemp opens with O_CREAT|O_EXCL: it never follows a symbolic link. */
    k->fd = mkstemp(k->tmp);
    if (k->fd < 0) {
        int e = errno;
        free(k->tmp);
        k->tmp = NULL;
        set_error(j, "cannot create a file beside %s: %s", k->name, errno_text(e, eb, sizeof eb));
        return PP_ERR_IO;
    }
    if (fcntl(k->fd, F_SETFD, FD_CLOEXEC) != 0 || fchmod(k->fd, JSONL_FILE_MODE) != 0) {
        int e = errno;
        close(k->fd);
        unlink(k->tmp);
        set_error(j, "cannot prepare the file for %s: %s", k->name, errno_text(e, eb, sizeof eb));
        return PP_ERR_IO;
    }
    return PP_OK;
}

/* Open a FIFO or character device for direct writing. */
static int sink_open_direct(jsonl *j, jsonl_sink *k, int follow)
{
    char eb[128];
    k->fd = open(k->path, O_WRONLY | O_CLOEXEC | O_NOCTTY | (follow ? 0 : O_NOFOLLOW));
    if (k->fd < 0) {
        set_error(j, "cannot open %s: %s", k->name, errno_text(errno, eb, sizeof eb));
        return PP_ERR_IO;
    }
    return PP_OK;
}

/* Decide how to write @k->path and open it. */
static int sink_open_path(jsonl *j, jsonl_sink *k)
{
    char eb[128];
    struct stat st;
    if (lstat(k->path, &st) != 0) {
        if (errno == ENOENT)
            return sink_create_tmp(j, k);
        set_error(j, "cannot write %s: %s", k->name, errno_text(errno, eb, sizeof eb));
        return PP_ERR_IO;
    }
    if (S_ISREG(st.st_mode))
        return sink_create_tmp(j, k);
    if (S_ISDIR(st.st_mode)) {
        set_error(j, "cannot write %s: it is a directory", k->name);
        return PP_ERR_INVALID;
    }
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))
        return sink_open_direct(j, k, 0);
    if (S_ISLNK(st.st_mode)) {
        /* Follow a link only to a stream such as /dev/stderr; never
         * replace or write through a link to a file. */
        struct stat target;
        if (stat(k->path, &target) == 0 && (S_ISFIFO(target.st_mode) || S_ISCHR(target.st_mode)))
            return sink_open_direct(j, k, 1);
        set_error(j, "refusing to write %s: it is a symbolic link; give the path of the file itself", k->name);
        return PP_ERR_INVALID;
    }
    set_error(j, "cannot write %s: not a regular file, FIFO or terminal", k->name);
    return PP_ERR_INVALID;
}

static int jsonl_open(void *inst, const char *format, const char *path, const char *scan_json, void **sink)
{
    jsonl *j = inst;
    (void)scan_json;
    *sink = NULL;
    if (!format || (strcmp(format, "jsonl") != 0 && strcmp(format, "ndjson") != 0)) {
        set_error(j, "jsonl: unknown format '%s' (this plugin writes jsonl and ndjson)",
                  format ? format : "(none)");
        return PP_ERR_INVALID;
    }
    jsonl_sink *k = calloc(1, sizeof *k);
    if (!k) {
        set_error(j, "jsonl: out of memory");
        return PP_ERR_NOMEM;
    }
    k->fd = -1;
    int rc;
    if (!path || path[0] == '\0' || strcmp(path, "-") == 0) {
        k->is_stdout = 1;
        k->fd = STDOUT_FILENO;
        k->name = strdup("standard output");
        rc = k->name ? PP_OK : PP_ERR_NOMEM;
        (void)fflush(stdout); /* keep what the host printed before us in order */
    } else {
        k->path = strdup(path);
        k->name = display_name(path);
        rc = k->path && k->name ? sink_open_path(j, k) : PP_ERR_NOMEM;
    }
    if (rc != PP_OK) {
        if (rc == PP_ERR_NOMEM)
            set_error(j, "jsonl: out of memory");
        sink_free(k);
        return rc;
    }
    k->next = j->sinks;
    j->sinks = k;
    *sink = k;
    return PP_OK;
}

/* ---- writing ----------------------------------------------------------- */

/* Mark @k failed after errno @e; report it once. */
static int sink_fail(jsonl *j, jsonl_sink *k, const char *what, int e)
{
    char eb[128];
    k->failed = 1;
    set_error(j, "cannot %s %s: %s", what, k->name, errno_text(e, eb, sizeof eb));
    host_api->log(j->h, PP_LOG_ERROR, j->err);
    return PP_ERR_IO;
}

/* write() all of @p, retrying short writes and EINTR. */
static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int sink_flush(jsonl *j, jsonl_sink *k)
{
    if (k->failed)
        return PP_ERR_IO;
    if (k->used > 0 && write_all(k->fd, k->buf, k->used) != 0)
        return sink_fail(j, k, "write", errno);
    k->used = 0;
    return PP_OK;
}

static int sink_append(jsonl *j, jsonl_sink *k, const char *p, size_t n)
{
    if (k->used + n > sizeof k->buf) {
        int rc = sink_flush(j, k);
        if (rc != PP_OK)
            return rc;
    }
    if (n > sizeof k->buf) {
        if (write_all(k->fd, p, n) != 0)
            return sink_fail(j, k, "write", errno);
        return PP_OK;
    }
    memcpy(k->buf + k->used, p, n);
    k->used += n;
    return PP_OK;
}

/*
 * Write one record as one line. The record is written as given unless it
 * spans several lines (pretty-printed JSON), in which case it is
 * re-serialized compactly so the file stays JSON Lines.
 */
static int sink_write_record(jsonl *j, jsonl_sink *k, const char *json)
{
    if (!k) {
        set_error(j, "jsonl: no such output");
        return PP_ERR_INVALID;
    }
    if (k->failed)
        return PP_ERR_IO;
    size_t n = json ? strlen(json) : 0;
    if (n == 0) {
        set_error(j, "jsonl: empty record for %s", k->name);
        return PP_ERR_INVALID;
    }
    char *compact = NULL;
    if (memchr(json, '\n', n) || memchr(json, '\r', n)) {
        cJSON *doc = cJSON_Parse(json);
        compact = cJSON_IsObject(doc) ? cJSON_PrintUnformatted(doc) : NULL;
        cJSON_Delete(doc);
        if (!compact) {
            set_error(j, "jsonl: a record for %s is not one JSON object", k->name);
            return PP_ERR_INVALID;
        }
        json = compact;
        n = strlen(compact);
    }
    int rc = sink_append(j, k, json, n);
    if (rc == PP_OK)
        rc = sink_append(j, k, "\n", 1);
    cJSON_free(compact);
    return rc;
}

static int jsonl_write_finding(void *inst, void *sink, const char *finding_json)
{
    return sink_write_record(inst, sink, finding_json);
}

static int jsonl_write_resource(void *inst, void *sink, const char *resource_json)
{
    jsonl *j = inst;
    if (!j->resources)
        return PP_OK;
    return sink_write_record(j, sink, resource_json);
}

/* fsync the directory holding @path so the rename survives a crash. */
static void sync_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd); /* best effort: some file systems refuse it */
        close(fd);
    }
    free(dir);
}

static int jsonl_close(void *inst, void *sink, const char *summary_json)
{
    jsonl *j = inst;
    jsonl_sink *k = sink;
    (void)summary_json;
    if (!k) {
        set_error(j, "jsonl: no such output");
        return PP_ERR_INVALID;
    }
    sink_unlink_from(j, k);
    int rc = sink_flush(j, k);
    if (!k->is_stdout) {
        if (rc == PP_OK && fsync(k->fd) != 0 && errno != EINVAL && errno != EROFS && errno != ENOTSUP)
            rc = sink_fail(j, k, "save", errno);
        if (close(k->fd) != 0 && rc == PP_OK && errno != EINTR)
            rc = sink_fail(j, k, "save", errno);
        if (k->tmp) {
            if (rc == PP_OK && rename(k->tmp, k->path) != 0)
                rc = sink_fail(j, k, "put in place", errno);
            if (rc == PP_OK)
                sync_parent_dir(k->path);
            else
                unlink(k->tmp);
        }
    }
    sink_free(k);
    return rc;
}

/* ---- descriptor -------------------------------------------------------- */

static const pp_output_api jsonl_output = {
    .size = sizeof(pp_output_api),
    .formats = "jsonl,ndjson",
    .open = jsonl_open,
    .write_finding = jsonl_write_finding,
    .write_resource = jsonl_write_resource,
    .close = jsonl_close,
};

static const pp_plugin jsonl_plugin = {
    .size = sizeof(pp_plugin),
    .abi_major = PP_ABI_MAJOR,
    .abi_minor = PP_ABI_MINOR,
    .name = "jsonl",
    .version = "0.1.0",
    .description = "Writes findings (and optionally resources) as JSON Lines",
    .license = "Apache-2.0",
    .kinds = PP_KIND_OUTPUT,
    .threads = PP_THREADS_SERIAL,
    .config_schema = jsonl_schema,
    .init = jsonl_init,
    .destroy = jsonl_destroy,
    .last_error = jsonl_last_error,
    .output = &jsonl_output,
};

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out);

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out)
{
    (void)h;
    if (!api || !out || api->abi_major != PP_ABI_MAJOR ||
        api->size < offsetof(pp_host_api, log) + sizeof api->log || !api->log)
        return PP_ERR_INVALID;
    host_api = api;
    *out = &jsonl_plugin;
    return PP_OK;
}
