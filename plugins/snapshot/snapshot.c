/*
 * plugins/snapshot/snapshot.c - the `snapshot` provider: import an inventory
 * export written as JSON Lines (one resource record per line, the shape of
 * docs/records.md) from files or standard input.
 *
 * plan:    one task per target; a regular file larger than chunk_bytes is
 *          split into byte ranges that start on line starts, so several
 *          workers parse one big file at once.
 * collect: streams its range through a bounded buffer, validates each line
 *          (resource_line.c), emits it, and reports bad lines by file and
 *          line number. See plugins/snapshot/README.md for the user's view.
 *
 * Threads: PP_THREADS_PARALLEL. After init the instance is read-only except
 * for the plan text, which only plan touches (called once, before any
 * collect). The error text for last_error is kept per thread.
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

#include "line_reader.h"
#include "resource_line.h"

#define SNAP_DEFAULT_MAX_LINE ((size_t)16 * 1024 * 1024)
#define SNAP_DEFAULT_CHUNK ((uint64_t)64 * 1024 * 1024)
#define SNAP_MAX_REPORTED 100            /* bad lines logged one by one per task */
#define SNAP_PROGRESS_STEP ((uint64_t)1 << 20) /* report progress every MiB */
#define SNAP_ERR_LEN 1024

static const char snapshot_schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
    "\"max_line_bytes\":{\"type\":\"integer\",\"minimum\":1024,\"maximum\":268435456,"
    "\"description\":\"longest accepted line in bytes; longer lines are reported and skipped (default 16 MiB)\"},"
    "\"chunk_bytes\":{\"type\":\"integer\",\"minimum\":4096,\"maximum\":1099511627776,"
    "\"description\":\"files larger than this are split into tasks of about this many bytes (default 64 MiB)\"},"
    "\"strict\":{\"type\":\"boolean\","
    "\"description\":\"fail the task at the first bad line instead of skipping it (default false)\"}"
    "}}";

/*
 * The host's service table. The ABI hands it only to the entry function,
 * so it is kept here; it is written once, when the host loads the plugin,
 * and only read afterwards.
 */
static const pp_host_api *host_api;

/* Why the last failing call on this thread failed (see last_error). */
static _Thread_local char thread_error[SNAP_ERR_LEN];

typedef struct snapshot {
    pp_host *h;
    size_t max_line;   /* max_line_bytes */
    uint64_t chunk;    /* chunk_bytes */
    int strict;
    char *plan_json;   /* what plan returned last; owned (cJSON allocator) */
} snapshot;

static void set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void set_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(thread_error, sizeof thread_error, fmt, ap);
    va_end(ap);
}

/* Text of @err, thread-safe (XSI strerror_r). */
static const char *errno_text(int err, char *buf, size_t len)
{
    if (strerror_r(err, buf, len) != 0)
        (void)snprintf(buf, len, "error %d", err);
    return buf;
}

/* A copy of @path fit for one log line: control characters become '?'. */
static char *display_name(const char *path)
{
    if (strcmp(path, "-") == 0)
        path = "<stdin>";
    char *d = strdup(path);
    if (!d)
        return NULL;
    for (char *p = d; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return d;
}

/* ---- config ------------------------------------------------------------ */

/* Read integer member @name of @cfg in [lo, hi] into *out; absent keeps *out. */
static int config_int(const cJSON *cfg, const char *name, double lo, double hi, uint64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, name);
    if (!v)
        return 0;
    if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi ||
        v->valuedouble != (double)(uint64_t)v->valuedouble)
        return -1;
    *out = (uint64_t)v->valuedouble;
    return 0;
}

static int snap_init(pp_host *h, const char *config_json, void **inst, const char **err)
{
    snapshot *s = calloc(1, sizeof *s);
    if (!s) {
        *err = "snapshot: out of memory";
        return PP_ERR_NOMEM;
    }
    s->h = h;
    s->max_line = SNAP_DEFAULT_MAX_LINE;
    s->chunk = SNAP_DEFAULT_CHUNK;

    cJSON *cfg = cJSON_Parse(config_json ? config_json : "{}");
    if (!cJSON_IsObject(cfg)) {
        *err = "snapshot: the configuration is not a JSON object";
        goto fail;
    }
    uint64_t max_line = s->max_line;
    if (config_int(cfg, "max_line_bytes", 1024, 268435456.0, &max_line) != 0) {
        *err = "snapshot: max_line_bytes must be an integer from 1024 to 268435456";
        goto fail;
    }
    s->max_line = (size_t)max_line;
    if (config_int(cfg, "chunk_bytes", 4096, 1099511627776.0, &s->chunk) != 0) {
        *err = "snapshot: chunk_bytes must be an integer from 4096 to 1099511627776";
        goto fail;
    }
    const cJSON *strict = cJSON_GetObjectItemCaseSensitive(cfg, "strict");
    if (strict && !cJSON_IsBool(strict)) {
        *err = "snapshot: strict must be true or false";
        goto fail;
    }
    s->strict = cJSON_IsTrue(strict);
    cJSON_Delete(cfg);
    *inst = s;
    return PP_OK;

fail:
    cJSON_Delete(cfg);
    free(s);
    return PP_ERR_INVALID;
}

static void snap_destroy(void *inst)
{
    snapshot *s = inst;
    if (!s)
        return;
    cJSON_free(s->plan_json);
    free(s);
}

static const char *snap_last_error(void *inst)
{
    (void)inst;
    return thread_error;
}

/* ---- plan -------------------------------------------------------------- */

/*
 * Offset of the first line start at or after @from (the byte after the
 * first "\n" at or after @from - 1), or @size when there is none.
 * Returns 0, or -1 on a read error.
 */
static int next_line_start(int fd, uint64_t from, uint64_t size, uint64_t *out)
{
    char buf[64 * 1024];
    uint64_t pos = from - 1;
    while (pos < size) {
        size_t want = size - pos < sizeof buf ? (size_t)(size - pos) : sizeof buf;
        ssize_t got = pread(fd, buf, want, (off_t)pos);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return -1;
        const char *nl = memchr(buf, '\n', (size_t)got);
        if (nl) {
            *out = pos + (uint64_t)(nl - buf) + 1;
            return 0;
        }
        pos += (uint64_t)got;
    }
    *out = size;
    return 0;
}

static cJSON *task_object(const char *id, const char *path)
{
    cJSON *t = cJSON_CreateObject();
    if (!t || !cJSON_AddStringToObject(t, "id", id) || !cJSON_AddStringToObject(t, "path", path)) {
        cJSON_Delete(t);
        return NULL;
    }
    return t;
}

/*
 * Append the tasks for one file to @plan. A file that cannot be examined
 * here still gets one task: collect then reports why it cannot be read.
 */
static int plan_file(const snapshot *s, const char *path, cJSON *plan)
{
    struct stat st;
    int fd = -1;
    if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > s->chunk)
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

    if (fd >= 0) {
        uint64_t size = (uint64_t)st.st_size, off = 0;
        cJSON *chunks = cJSON_CreateArray();
        int ok = chunks != NULL;
        while (ok && off < size) {
            uint64_t next = size;
            if (size - off > s->chunk && next_line_start(fd, off + s->chunk, size, &next) != 0) {
                ok = 0;
                break;
            }
            char id[64];
            (void)snprintf(id, sizeof id, "@%llu", (unsigned long long)off);
            size_t idlen = strlen(path) + strlen(id) + 1;
            char *full = malloc(idlen);
            cJSON *t = NULL;
            if (full) {
                (void)snprintf(full, idlen, "%s%s", path, id);
                t = task_object(full, path);
                free(full);
            }
            if (!t || !cJSON_AddNumberToObject(t, "offset", (double)off) ||
                !cJSON_AddNumberToObject(t, "length", (double)(next - off)) ||
                !cJSON_AddItemToArray(chunks, t)) {
                cJSON_Delete(t);
                ok = 0;
                break;
            }
            off = next;
        }
        close(fd);
        if (ok) {
            cJSON *t;
            while ((t = cJSON_DetachItemFromArray(chunks, 0)) != NULL)
                cJSON_AddItemToArray(plan, t);
            cJSON_Delete(chunks);
            return 0;
        }
        cJSON_Delete(chunks); /* could not split: import it as one task */
    }
    cJSON *t = task_object(path, path);
    if (!t)
        return -1;
    cJSON_AddItemToArray(plan, t);
    return 0;
}

static const char *snap_plan(void *inst, const char *targets_json)
{
    snapshot *s = inst;
    cJSON *targets = cJSON_Parse(targets_json ? targets_json : "[]");
    cJSON *plan = NULL;

    cJSON_free(s->plan_json);
    s->plan_json = NULL;
    if (!cJSON_IsArray(targets)) {
        set_error("snapshot: targets must be a JSON array of file names");
        goto out;
    }
    if (cJSON_GetArraySize(targets) == 0) {
        set_error("snapshot: no input: give one or more JSON Lines files, or '-' for standard input");
        goto out;
    }
    plan = cJSON_CreateArray();
    if (!plan) {
        set_error("snapshot: out of memory");
        goto out;
    }
    for (const cJSON *t = targets->child; t; t = t->next) {
        if (!cJSON_IsString(t) || t->valuestring[0] == '\0') {
            set_error("snapshot: every target must be a non-empty file name");
            goto fail;
        }
        int seen = 0;
        for (const cJSON *u = targets->child; u != t; u = u->next)
            seen |= strcmp(u->valuestring, t->valuestring) == 0;
        if (seen) {
            char *d = display_name(t->valuestring);
            pp_logf(host_api, s->h, PP_LOG_WARN, "%s was given twice; importing it once", d ? d : "a file");
            free(d);
            continue;
        }
        if (plan_file(s, t->valuestring, plan) != 0) {
            set_error("snapshot: out of memory");
            goto fail;
        }
    }
    s->plan_json = cJSON_PrintUnformatted(plan);
    if (!s->plan_json)
        set_error("snapshot: out of memory");
fail:
    cJSON_Delete(plan);
out:
    cJSON_Delete(targets);
    return s->plan_json;
}

/* ---- collect ----------------------------------------------------------- */

/* State of one running task. */
typedef struct task {
    const snapshot *s;
    const char *path;   /* as given; "-" is standard input */
    char *name;         /* path fit for messages; owned */
    int fd;
    uint64_t offset;    /* first byte of the range */
    uint64_t line_base; /* number of the range's first line; 0 until known */
    uint64_t bad;       /* bad lines so far */
    uint64_t imported;  /* resources emitted */
} task;

/*
 * Number of the first line of the task's range: 1 plus the newlines before
 * it. Counted only when a message needs it (a memchr pass over the bytes
 * before the range). Returns 0 when they cannot be read.
 */
static uint64_t task_line_base(task *t)
{
    if (t->line_base != 0)
        return t->line_base;
    if (t->offset == 0)
        return t->line_base = 1;
    size_t cap = (size_t)1 << 20;
    char *buf = malloc(cap);
    if (!buf)
        return 0;
    uint64_t pos = 0, lines = 1;
    while (pos < t->offset) {
        size_t want = t->offset - pos < cap ? (size_t)(t->offset - pos) : cap;
        ssize_t got = pread(t->fd, buf, want, (off_t)pos);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            free(buf);
            return 0;
        }
        for (const char *p = buf, *end = buf + got; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
            lines++;
        pos += (uint64_t)got;
    }
    free(buf);
    return t->line_base = lines;
}

/*
 * Report bad line @rel (1-based within the range) with @why. In strict
 * mode this sets the task error and returns -1; otherwise it logs a
 * warning (the first SNAP_MAX_REPORTED of them) and returns 0.
 */
static int task_bad_line(task *t, uint64_t rel, const char *why)
{
    char where[64];
    uint64_t base = task_line_base(t);
    if (base)
        (void)snprintf(where, sizeof where, "%llu", (unsigned long long)(base + rel - 1));
    else
        (void)snprintf(where, sizeof where, "line %llu after byte %llu", (unsigned long long)rel,
                       (unsigned long long)t->offset);
    t->bad++;
    if (t->s->strict) {
        set_error("%s:%s: %s (strict mode stops at the first bad line)", t->name, where, why);
        return -1;
    }
    if (t->bad <= SNAP_MAX_REPORTED)
        pp_logf(host_api, t->s->h, PP_LOG_WARN, "%s:%s: %s", t->name, where, why);
    if (t->bad == SNAP_MAX_REPORTED)
        pp_logf(host_api, t->s->h, PP_LOG_WARN, "%s: further bad lines are counted but not reported one by one",
                t->name);
    return 0;
}

/* Read the task's range line by line and emit each good line. */
static int task_run(task *t, uint64_t limit, uint64_t total)
{
    const snapshot *s = t->s;
    lr_reader r = {0};
    char why[512];
    int rc = PP_OK;
    uint64_t last_progress = 0;
    rl_parser *parser = rl_parser_new();

    if (!parser || lr_init(&r, t->fd, limit, s->max_line) != 0) {
        lr_free(&r);
        rl_parser_free(parser);
        set_error("snapshot: out of memory");
        return PP_ERR_NOMEM;
    }
    host_api->progress(s->h, 0, total, "bytes");
    for (;;) {
        char *line;
        size_t len;
        int got = lr_next(&r, &line, &len);
        if (got == LR_END)
            break;
        if (got == LR_ERROR) {
            char eb[128];
            set_error("cannot read %s: %s", t->name, errno_text(r.err, eb, sizeof eb));
            rc = r.err == ENOMEM ? PP_ERR_NOMEM : PP_ERR_IO;
            break;
        }
        if (r.bytes_read - last_progress >= SNAP_PROGRESS_STEP) {
            last_progress = r.bytes_read;
            host_api->progress(s->h, r.bytes_read, total, "bytes");
            if (host_api->cancelled(s->h)) {
                set_error("%s: import cancelled", t->name);
                rc = PP_ERR_CANCELLED;
                break;
            }
        }
        if (got == LR_TOO_LONG) {
            (void)snprintf(why, sizeof why, "line of %zu bytes is longer than max_line_bytes (%zu); raise "
                           "snapshot.max_line_bytes to import it", len, s->max_line);
            if (task_bad_line(t, r.line_no, why) != 0) {
                rc = PP_ERR_INVALID;
                break;
            }
            continue;
        }
        if (r.line_no == 1 && t->offset == 0 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
            line += 3; /* a UTF-8 byte order mark some exporters write */
            len -= 3;
        }
        if (len > 0 && line[len - 1] == '\r')
            line[--len] = '\0';
        if (rl_is_ignorable(line, len))
            continue;

        pp_resource res;
        if (rl_parse(parser, line, len, &res, why, sizeof why) != 0) {
            if (task_bad_line(t, r.line_no, why) != 0) {
                rc = PP_ERR_INVALID;
                break;
            }
            continue;
        }
        int erc = host_api->emit_resource(s->h, &res);
        if (erc == PP_OK) {
            t->imported++;
        } else if (erc == PP_ERR_INVALID) {
            if (task_bad_line(t, r.line_no, "the host refused the record (see the message before this one)") != 0) {
                rc = PP_ERR_INVALID;
                break;
            }
        } else if (erc == PP_ERR_CANCELLED) {
            t->imported++;
            set_error("%s: import cancelled", t->name);
            rc = PP_ERR_CANCELLED;
            break;
        } else {
            set_error("%s: the host could not take a resource (error %d)", t->name, erc);
            rc = erc;
            break;
        }
    }
    if (rc == PP_OK)
        host_api->progress(s->h, r.bytes_read, total, "bytes");
    lr_free(&r);
    rl_parser_free(parser);
    return rc;
}

static int snap_collect(void *inst, const char *task_json)
{
    const snapshot *s = inst;
    task t = {.s = s, .fd = -1};
    char eb[128];
    int rc;

    cJSON *tj = cJSON_Parse(task_json ? task_json : "");
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(tj, "path");
    const cJSON *off = cJSON_GetObjectItemCaseSensitive(tj, "offset");
    const cJSON *lenj = cJSON_GetObjectItemCaseSensitive(tj, "length");
    if (!cJSON_IsString(path) || (off && (!cJSON_IsNumber(off) || off->valuedouble < 0)) ||
        (lenj && (!cJSON_IsNumber(lenj) || lenj->valuedouble < 0))) {
        set_error("snapshot: malformed task (not one from this plugin's plan)");
        cJSON_Delete(tj);
        return PP_ERR_INVALID;
    }
    t.path = path->valuestring;
    t.offset = off ? (uint64_t)off->valuedouble : 0;
    uint64_t limit = lenj ? (uint64_t)lenj->valuedouble : UINT64_MAX;
    t.name = display_name(t.path);
    if (!t.name) {
        set_error("snapshot: out of memory");
        rc = PP_ERR_NOMEM;
        goto out;
    }

    if (strcmp(t.path, "-") == 0) {
        t.fd = STDIN_FILENO;
    } else {
        t.fd = open(t.path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (t.fd < 0) {
            set_error("cannot open %s: %s", t.name, errno_text(errno, eb, sizeof eb));
            rc = PP_ERR_IO;
            goto out;
        }
    }
    struct stat st;
    if (fstat(t.fd, &st) != 0) {
        set_error("cannot examine %s: %s", t.name, errno_text(errno, eb, sizeof eb));
        rc = PP_ERR_IO;
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        set_error("cannot import %s: it is a directory, not a JSON Lines file", t.name);
        rc = PP_ERR_INVALID;
        goto out;
    }
    if (t.offset > 0 && lseek(t.fd, (off_t)t.offset, SEEK_SET) == (off_t)-1) {
        set_error("cannot seek in %s: %s", t.name, errno_text(errno, eb, sizeof eb));
        rc = PP_ERR_IO;
        goto out;
    }
    uint64_t total = limit != UINT64_MAX ? limit : S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;

    rc = task_run(&t, limit, total);
    if (rc == PP_OK) {
        char range[80] = "";
        if (lenj)
            (void)snprintf(range, sizeof range, " (bytes %llu-%llu)", (unsigned long long)t.offset,
                           (unsigned long long)(t.offset + limit));
        if (t.bad > 0)
            pp_logf(host_api, s->h, PP_LOG_WARN, "%s%s: %llu bad line%s skipped, %llu resource%s imported", t.name,
                    range, (unsigned long long)t.bad, t.bad == 1 ? "" : "s", (unsigned long long)t.imported,
                    t.imported == 1 ? "" : "s");
        else
            pp_logf(host_api, s->h, PP_LOG_INFO, "%s%s: %llu resource%s imported", t.name, range,
                    (unsigned long long)t.imported, t.imported == 1 ? "" : "s");
    }

out:
    if (t.fd > STDIN_FILENO)
        close(t.fd);
    free(t.name);
    cJSON_Delete(tj);
    return rc;
}

/* ---- descriptor -------------------------------------------------------- */

static const pp_provider_api snapshot_provider = {
    .size = sizeof(pp_provider_api),
    .plan = snap_plan,
    .collect = snap_collect,
};

static const pp_plugin snapshot_plugin = {
    .size = sizeof(pp_plugin),
    .abi_major = PP_ABI_MAJOR,
    .abi_minor = PP_ABI_MINOR,
    .name = "snapshot",
    .version = "0.1.0",
    .description = "Imports an inventory export in JSON Lines (one resource record per line)",
    .license = "Apache-2.0",
    .kinds = PP_KIND_PROVIDER,
    .threads = PP_THREADS_PARALLEL,
    .config_schema = snapshot_schema,
    .init = snap_init,
    .destroy = snap_destroy,
    .last_error = snap_last_error,
    .provider = &snapshot_provider,
};

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out);

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out)
{
    (void)h;
    if (!api || !out || api->abi_major != PP_ABI_MAJOR ||
        api->size < offsetof(pp_host_api, progress) + sizeof api->progress || !api->log ||
        !api->emit_resource || !api->cancelled || !api->progress)
        return PP_ERR_INVALID;
    host_api = api;
    *out = &snapshot_plugin;
    return PP_OK;
}
