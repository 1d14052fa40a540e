/*
 * core/cmd_feed.c - `parapet feed update | import | pack | list | match`:
 * vulnerability and threat intelligence (docs/feeds.md).
 *
 * Threat-feed plugins run in worker processes (core/worker.h: fork + exec
 * of this program, like the scan's restarted workers), one at a time, each
 * run within a time limit: what a worker sends back goes into the store
 * through a feed_writer, in one transaction for the whole command, each
 * plugin's run a step of it that is undone when the plugin fails, crashes
 * or runs out of time.
 */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "bundle/bundle_util.h"
#include "feed/feed.h"
#include "feed/feed_bundle.h"
#include "host.h"
#include "host_services.h"
#include "log.h"
#include "schema.h"
#include "store_query.h"
#include "wire.h"
#include "worker.h"

#define DEFAULT_MAX_AGE (7 * 86400)
/* default time limit of one feed plugin run, seconds (--timeout,
 * core.feed_timeout); 0 means none */
#define DEFAULT_FEED_TIMEOUT "1800"
#define MAX_FEED_TIMEOUT (7 * 86400)

/* ---- running a threat-feed plugin in a worker process ---- */

typedef struct feed_run {
    feed_writer *w;
    uint64_t dropped;
    int timeout_s; /* time limit of each plugin run (0: none) */
} feed_run;

static const char *sig_name(int sig)
{
    switch (sig) {
    case SIGSEGV:
        return "SIGSEGV";
    case SIGABRT:
        return "SIGABRT";
    case SIGBUS:
        return "SIGBUS";
    case SIGKILL:
        return "SIGKILL";
    case SIGFPE:
        return "SIGFPE";
    case SIGILL:
        return "SIGILL";
    default:
        return "signal";
    }
}

/* What a worker said so far and how it ended. */
typedef struct feed_worker {
    loaded_plugin *lp;
    feed_run *fr;
    int fd;
    int got_done, task_rc, task_ended, broken;
    char why[600]; /* the plugin's error, FATAL reason or protocol error */
} feed_worker;

static void fw_reply_kv(feed_worker *fw, uint32_t id, int rc, const char *val, size_t len)
{
    sbuf out = {0};
    wire_put_u32(&out, id);
    wire_put_u32(&out, (uint32_t)(int32_t)rc);
    wire_put_bytes(&out, rc == PP_OK ? val : NULL, len);
    frame_write(fw->fd, WMSG_KV_REPLY, out.data, out.len);
    sbuf_free(&out);
}

/* Handle one frame. Returns 0, or -1 when the worker must be stopped (a
 * malformed frame, a record in another plugin's name, the store failed). */
static int fw_frame(feed_worker *fw, uint8_t type, const unsigned char *pl, size_t len)
{
    wire_rd d = {pl, pl + len, 0};
    switch (type) {
    case WMSG_LOG: {
        int level = wire_get_u8(&d);
        char *msg = wire_get_dup(&d);
        if (!d.bad && msg)
            log_msg(level > LOG_LVL_DEBUG ? LOG_LVL_DEBUG : level, fw->lp->name, "%s", msg);
        free(msg);
        return 0;
    }
    case WMSG_RECORD: {
        rec *r = rec_decode(pl, len);
        if (!r) {
            snprintf(fw->why, sizeof fw->why, "sent a malformed record over the worker pipe");
            return -1;
        }
        if (!r->plugin || strcmp(r->plugin, fw->lp->name) != 0) {
            rec_free(r);
            snprintf(fw->why, sizeof fw->why, "sent a record in another plugin's name");
            return -1;
        }
        int rc = feed_writer_put(fw->fr->w, r);
        rec_free(r);
        if (rc > 0) {
            if (fw->fr->dropped++ == 0)
                log_msg(LOG_LVL_WARN, fw->lp->name, "%s", feed_writer_error(fw->fr->w));
            return 0;
        }
        if (rc < 0) {
            snprintf(fw->why, sizeof fw->why, "store: %s", feed_writer_error(fw->fr->w));
            return -1;
        }
        return 0;
    }
    case WMSG_KV_GET: {
        uint32_t id = wire_get_u32(&d);
        char *key = wire_get_dup(&d);
        char *val = NULL;
        size_t vlen = 0;
        int rc = PP_ERR_INVALID;
        if (key && !d.bad) {
            int k = feed_writer_kv_get(fw->fr->w, fw->lp->name, key, &val, &vlen);
            rc = k == 0 ? PP_OK : k == 1 ? PP_ERR_NOTFOUND : PP_ERR_IO;
        }
        fw_reply_kv(fw, id, rc, val, vlen);
        free(key);
        free(val);
        return 0;
    }
    case WMSG_KV_SET: {
        char *key = wire_get_dup(&d);
        size_t vlen = 0;
        int is_null = 1;
        const char *val = wire_get_str(&d, &vlen, &is_null);
        uint32_t ttl = wire_get_u32(&d);
        if (key && !d.bad) {
            char *copy = is_null ? NULL : strndup(val, vlen);
            if (is_null || copy)
                feed_writer_kv_set(fw->fr->w, fw->lp->name, key, copy, vlen, ttl);
            free(copy);
        }
        free(key);
        return 0;
    }
    case WMSG_TASK_END: {
        char *id = wire_get_dup(&d);
        int rc = (int)(int32_t)wire_get_u32(&d);
        char *err = wire_get_dup(&d);
        fw->task_ended = 1;
        fw->task_rc = rc;
        if (rc != PP_OK)
            snprintf(fw->why, sizeof fw->why, "%s", err ? err : "failed");
        free(id);
        free(err);
        return 0;
    }
    case WMSG_FATAL: {
        char *msg = wire_get_dup(&d);
        snprintf(fw->why, sizeof fw->why, "%s", msg ? msg : "failed");
        free(msg);
        return 0;
    }
    case WMSG_DONE:
        fw->got_done = 1;
        return 0;
    case WMSG_TASK_BEGIN:
    case WMSG_PROGRESS:
    case WMSG_PLANNED:
        return 0;
    default:
        snprintf(fw->why, sizeof fw->why, "sent an unknown message over the worker pipe");
        return -1;
    }
}

/* The plugin's configuration: "http.*" keys to its HTTP client, the rest
 * validated against its schema. NULL with @err on failure. */
static char *plugin_config(cli_ctx *c, loaded_plugin *lp, char *err, size_t errlen)
{
    cJSON *conf = config_plugin(c->cfg, lp->name);
    char serr[400];
    if (host_http_configure(lp->host, conf, serr, sizeof serr) != 0 ||
        schema_apply(lp->desc.config_schema, conf, serr, sizeof serr) != 0) {
        snprintf(err, errlen, "plugin '%s': invalid configuration: %s (set with -o %s.KEY=VALUE)", lp->name, serr,
                 lp->name);
        cJSON_Delete(conf);
        return NULL;
    }
    char *s = cJSON_PrintUnformatted(conf);
    cJSON_Delete(conf);
    return s;
}

/*
 * Run update (@path NULL) or import of @path by plugin @lp in a worker
 * process (worker_spawn: fork + exec of this program, which loads the
 * plugin afresh), writing what it emits through fr->w. The run is one step
 * of the writer (mark/settle): a plugin that fails, crashes, breaks the
 * protocol or is still running after fr->timeout_s seconds (its worker is
 * then killed) leaves no row behind and the feeds it touched keep their
 * previous data. Returns 0 or -1 (the error printed on stderr).
 */
static int run_plugin(cli_ctx *c, loaded_plugin *lp, feed_run *fr, const char *path)
{
    char err[600];
    char *conf = plugin_config(c, lp, err, sizeof err);
    if (!conf) {
        fprintf(stderr, "parapet: error: %s\n", err);
        return -1;
    }
    cJSON *t = cJSON_CreateArray();
    if (path)
        cJSON_AddItemToArray(t, cJSON_CreateString(path));
    char *targets = cJSON_PrintUnformatted(t);
    cJSON_Delete(t);
    worker_job job;
    memset(&job, 0, sizeof job);
    job.lp = lp;
    job.kind = PP_KIND_THREAT_FEED;
    job.config_json = conf;
    job.targets_json = targets;
    job.jobs = 1;
    feed_worker fw;
    memset(&fw, 0, sizeof fw);
    fw.lp = lp;
    fw.fr = fr;
    fw.fd = -1;
    pid_t pid = -1;
    int rc = -1;
    if (feed_writer_mark(fr->w) != 0) {
        fprintf(stderr, "parapet: error: %s\n", feed_writer_error(fr->w));
        goto out;
    }
    if (!targets || worker_spawn(&job, lp->path, lp->so_fd, &fw.fd, &pid) != 0) {
        fprintf(stderr, "parapet: error: cannot start a worker for plugin '%s': %s\n", lp->name, strerror(errno));
        feed_writer_settle(fr->w, 0);
        goto out;
    }
    sbuf in = {0};
    unsigned char buf[65536];
    int stopped = 0, timed_out = 0;
    int64_t deadline = fr->timeout_s > 0 ? mono_ms() + (int64_t)fr->timeout_s * 1000 : 0;
    for (;;) {
        if (deadline) {
            int64_t left = deadline - mono_ms();
            if (left <= 0) {
                timed_out = 1;
                kill(pid, SIGKILL);
                break;
            }
            struct pollfd pfd = {fw.fd, POLLIN, 0};
            if (poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left) <= 0)
                continue; /* time is up, or EINTR: check again */
        }
        ssize_t r = recv(fw.fd, buf, sizeof buf, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        sbuf_append(&in, buf, (size_t)r);
        size_t off = 0;
        for (;;) {
            uint8_t type;
            const unsigned char *payload;
            size_t plen;
            long fl = frame_next((const unsigned char *)in.data + off, in.len - off, &type, &payload, &plen);
            if (fl == 0)
                break;
            if (fl < 0) {
                snprintf(fw.why, sizeof fw.why, "sent a malformed frame over the worker pipe");
                stopped = 1;
                break;
            }
            off += (size_t)fl;
            if (fw_frame(&fw, type, payload, plen) != 0) {
                stopped = 1;
                break;
            }
        }
        if (stopped) {
            kill(pid, SIGKILL);
            break;
        }
        memmove(in.data, in.data + off, in.len - off);
        in.len -= off;
    }
    sbuf_free(&in);
    close(fw.fd);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (timed_out) {
        fprintf(stderr,
                "parapet: error: feed plugin '%s' did not finish within %d s (--timeout); its worker was stopped "
                "and its feeds were left as they were\n",
                lp->name, fr->timeout_s);
    } else if (stopped) {
        fprintf(stderr, "parapet: error: feed plugin '%s' was stopped: it %s; its feeds were left as they were\n",
                lp->name, fw.why);
    } else if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        fprintf(stderr,
                "parapet: error: feed plugin '%s' crashed with signal %d (%s); its feeds were left as they were\n",
                lp->name, sig, sig_name(sig));
    } else if (!fw.task_ended || fw.task_rc != PP_OK || !fw.got_done) {
        fprintf(stderr, "parapet: error: feed plugin '%s': %s; its feeds were left as they were\n", lp->name,
                fw.why[0] ? fw.why : "its worker exited without finishing");
    } else {
        rc = 0;
    }
    if (feed_writer_settle(fr->w, rc == 0) != 0) {
        fprintf(stderr, "parapet: error: %s\n", feed_writer_error(fr->w));
        rc = -1;
    }
out:
    free(conf);
    free(targets);
    return rc;
}

/* Update (@path NULL) or import @path with every threat-feed plugin (or
 * only @plugin), each run limited to @timeout_s seconds (0: none), in one
 * transaction. Returns the exit status. */
static int cmd_feed_load(cli_ctx *c, const char *plugin, const char *path, int timeout_s)
{
    registry *reg = cli_registry(c);
    loaded_plugin *todo[64];
    size_t n = 0;
    for (size_t i = 0; i < reg->n && n < 64; i++) {
        loaded_plugin *lp = reg->v[i];
        if (!lp->ok || !(lp->desc.kinds & PP_KIND_THREAT_FEED))
            continue;
        if (plugin ? strcmp(lp->name, plugin) != 0 : (path && strcmp(lp->name, "feeds") != 0))
            continue;
        if (path && !lp->threat_feed.import) {
            fprintf(stderr, "parapet: error: plugin '%s' cannot import files\n", lp->name);
            return 2;
        }
        todo[n++] = lp;
    }
    if (n == 0) {
        fprintf(stderr, "parapet: error: no threat-feed plugin%s%s is loaded (see `parapet plugin list`)\n",
                plugin ? " named " : "", plugin ? plugin : "");
        return 2;
    }
    char err[600];
    feed_run fr = {feed_writer_open(c->db_path, err, sizeof err), 0, timeout_s};
    if (!fr.w) {
        fprintf(stderr, "parapet: error: %s\n", err);
        return 2;
    }
    int failed = 0;
    for (size_t i = 0; i < n; i++)
        if (run_plugin(c, todo[i], &fr, path) != 0)
            failed = 1;
    /* What each plugin loaded is whole (docs/feeds.md): keep it even when
     * another part of the update failed. */
    if (feed_writer_commit(fr.w) != 0) {
        fprintf(stderr, "parapet: error: %s: %s; nothing was changed\n", c->db_path, feed_writer_error(fr.w));
        feed_writer_close(fr.w);
        return 2;
    }
    const char *name;
    uint64_t records;
    size_t nf = feed_writer_feeds(fr.w, 0, &name, &records);
    for (size_t i = 0; i < nf; i++) {
        feed_writer_feeds(fr.w, i, &name, &records);
        if (c->verbosity >= 0)
            printf("%s: %llu records\n", name, (unsigned long long)records);
    }
    if (nf == 0 && c->verbosity >= 0 && !failed)
        printf("no feed changed\n");
    feed_writer_close(fr.w);
    return failed ? 2 : 0;
}

/* ---- signed bundles ---- */

/* The directory of @db_path (where the import works: same filesystem, the
 * user's own 0700 directory), in @buf. */
static void db_dir(const char *db_path, char *buf, size_t n)
{
    const char *slash = strrchr(db_path, '/');
    if (!slash)
        snprintf(buf, n, ".");
    else if (slash == db_path)
        snprintf(buf, n, "/");
    else
        snprintf(buf, n, "%.*s", (int)(slash - db_path), db_path);
}

/*
 * Import the signed feed bundle @path: verify it (feed_bundle_open: the
 * signature against the trust store before anything in it is read), then
 * let the threat-feed plugin @plugin (default "feeds") import each of its
 * files in a worker, all in one transaction: any failure, a file that
 * fills a feed the manifest does not list, or a bundle older than one
 * already imported for the same feed (unless @allow_older) changes
 * nothing. Each file's run is limited to @timeout_s seconds (0: none).
 * Returns the exit status.
 */
static int cmd_feed_import_bundle(cli_ctx *c, const char *plugin, const char *path, const char *keys_dir,
                                  int allow_older, int timeout_s)
{
    const char *want = plugin ? plugin : "feeds";
    loaded_plugin *lp = NULL;
    registry *reg = cli_registry(c);
    for (size_t i = 0; i < reg->n; i++)
        if (reg->v[i]->ok && (reg->v[i]->desc.kinds & PP_KIND_THREAT_FEED) && !strcmp(reg->v[i]->name, want))
            lp = reg->v[i];
    if (!lp) {
        fprintf(stderr, "parapet: error: no threat-feed plugin named %s is loaded (see `parapet plugin list`)\n", want);
        return 2;
    }
    if (!lp->threat_feed.import) {
        fprintf(stderr, "parapet: error: plugin '%s' cannot import files\n", lp->name);
        return 2;
    }
    char err[1024], dir[4096];
    /* store_open first: it creates the store's directory */
    feed_run fr = {feed_writer_open(c->db_path, err, sizeof err), 0, timeout_s};
    if (!fr.w) {
        fprintf(stderr, "parapet: error: %s\n", err);
        return 2;
    }
    db_dir(c->db_path, dir, sizeof dir);
    feed_bundle b;
    if (feed_bundle_open(path, keys_dir, dir, &b, err, sizeof err) != 0) {
        fprintf(stderr, "parapet: error: %s; nothing was imported\n", err);
        feed_writer_close(fr.w);
        return 2;
    }
    int rc = 2;
    char feeds[4096] = "";
    size_t used = 0;
    for (size_t i = 0; i < b.n_feeds; i++) {
        int64_t last = feed_writer_last_import(fr.w, b.feeds[i]);
        if (last > b.created && !allow_older) {
            fprintf(stderr,
                    "parapet: error: %s (created %lld) is older than the bundle already imported for feed %s "
                    "(created %lld); refusing to go back (use --allow-older to do it on purpose); nothing was "
                    "imported\n",
                    path, (long long)b.created, b.feeds[i], (long long)last);
            goto out;
        }
        if (used < sizeof feeds)
            used += (size_t)snprintf(feeds + used, sizeof feeds - used, "%s%s", i ? "," : "", b.feeds[i]);
    }
    for (size_t i = 0; i < b.n_files; i++) {
        char *fp = path_join(b.files_dir, b.files[i].path);
        int r = fp ? run_plugin(c, lp, &fr, fp) : -1;
        free(fp);
        if (r != 0) {
            fprintf(stderr, "parapet: error: %s: %s could not be imported; nothing was imported\n", path,
                    b.files[i].path);
            goto out;
        }
    }
    const char *name;
    uint64_t records;
    size_t nf = feed_writer_feeds(fr.w, 0, &name, &records);
    for (size_t i = 0; i < nf; i++) {
        feed_writer_feeds(fr.w, i, &name, &records);
        int listed = 0;
        for (size_t k = 0; k < b.n_feeds; k++)
            listed |= !strcmp(b.feeds[k], name);
        if (!listed) {
            fprintf(stderr,
                    "parapet: error: %s: its files filled feed %s, which its signed manifest does not list; "
                    "nothing was imported\n",
                    path, name);
            goto out;
        }
    }
    if (feed_writer_log_import(fr.w, path, b.name, b.created, b.signer, b.sha256, feeds) != 0 ||
        feed_writer_commit(fr.w) != 0) {
        fprintf(stderr, "parapet: error: %s: %s; nothing was changed\n", c->db_path, feed_writer_error(fr.w));
        goto out;
    }
    if (c->verbosity >= 0) {
        printf("bundle %s (created %lld, signed by %s): verified\n", b.name, (long long)b.created, b.signer);
        for (size_t i = 0; i < nf; i++) {
            feed_writer_feeds(fr.w, i, &name, &records);
            printf("%s: %llu records\n", name, (unsigned long long)records);
        }
    }
    rc = 0;
out:
    feed_bundle_close(&b);
    feed_writer_close(fr.w);
    return rc;
}

/* `feed pack --key KEY [--name N] [--created T] OUT.tar FILE...` */
static int cmd_feed_pack(const char *key, const char *name, int64_t created, char **args, size_t n)
{
    if (!key)
        return cli_usage_error("feed", "pack needs --key SECRET_KEY (a minisign key, see `parapet plugin keygen`)");
    if (n < 2)
        return cli_usage_error("feed", "pack needs OUT.tar and at least one FILE");
    char label[80];
    if (!name) {
        /* default: feeds-YYYY-MM-DD of the creation time */
        time_t t = (time_t)created;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(label, sizeof label, "feeds-%Y-%m-%d", &tm);
        name = label;
    }
    char err[1024];
    if (feed_bundle_pack(args[0], key, name, created, args + 1, n - 1, err, sizeof err) != 0) {
        fprintf(stderr, "parapet: error: %s\n", err);
        return 1;
    }
    printf("%s\n%s.minisig\n", args[0], args[0]);
    return 0;
}

/* ---- list ---- */

static void format_age(int64_t secs, char *buf, size_t n)
{
    if (secs < 0)
        secs = 0;
    if (secs < 3600)
        snprintf(buf, n, "%lldm", (long long)(secs / 60));
    else if (secs < 2 * 86400)
        snprintf(buf, n, "%lldh", (long long)(secs / 3600));
    else
        snprintf(buf, n, "%lldd", (long long)(secs / 86400));
}

/* Print the feeds (@print) and warn about each older than @max_age.
 * Returns the number of feeds, or -1 on error. */
static long feeds_report(sqlite3 *db, int64_t max_age, int print, const char *format)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT feed, kind, records, updated_at, plugin FROM feed_state ORDER BY feed", -1, &st,
                           NULL) != SQLITE_OK)
        return 0; /* no feed table yet */
    int64_t now = (int64_t)time(NULL);
    long n = 0;
    cJSON *arr = format && strcmp(format, "text") ? cJSON_CreateArray() : NULL;
    if (print && !arr)
        printf("%-28s %-11s %10s  %-20s %s\n", "FEED", "KIND", "RECORDS", "UPDATED", "AGE");
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *feed = (const char *)sqlite3_column_text(st, 0);
        const char *kind = (const char *)sqlite3_column_text(st, 1);
        long long recs = sqlite3_column_int64(st, 2);
        int64_t at = sqlite3_column_int64(st, 3);
        char when[32], age[32];
        time_t t = (time_t)at;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        format_age(now - at, age, sizeof age);
        int stale = now - at > max_age;
        if (print && arr) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "feed", feed);
            cJSON_AddStringToObject(o, "kind", kind);
            cJSON_AddNumberToObject(o, "records", (double)recs);
            cJSON_AddNumberToObject(o, "updated_at", (double)at);
            cJSON_AddNumberToObject(o, "age_seconds", (double)(now - at));
            cJSON_AddBoolToObject(o, "stale", stale);
            cJSON_AddItemToArray(arr, o);
        } else if (print) {
            printf("%-28s %-11s %10lld  %-20s %s%s\n", feed, kind, recs, when, age, stale ? " (stale)" : "");
        }
        if (stale)
            fprintf(stderr, "parapet: warning: feed %s is stale: last updated %s ago (%s); run `parapet feed update`\n",
                    feed, age, when);
        n++;
    }
    sqlite3_finalize(st);
    if (arr) {
        char *s = cJSON_Print(arr);
        if (s)
            printf("%s\n", s);
        free(s);
        cJSON_Delete(arr);
    }
    return n;
}

/* ---- match ---- */

static void print_findings(const feed_findings *f, const char *format)
{
    if (!strcmp(format, "text")) {
        printf("%-4s %-7s %-9s %-20s %-16s %-24s %-22s %-22s %s\n", "KEV", "EPSS", "SEVERITY", "ID", "CVE", "PACKAGE",
               "VERSION", "FIXED", "RESOURCE");
        for (size_t i = 0; i < f->n; i++) {
            const feed_finding *x = &f->v[i];
            char epss[16] = "-";
            if (x->epss >= 0)
                snprintf(epss, sizeof epss, "%.4f", x->epss);
            printf("%-4s %-7s %-9s %-20s %-16s %-24s %-22s %-22s %s\n", x->kev ? "yes" : "-", epss, x->severity,
                   x->advisory_id, x->cve ? x->cve : "-", x->package, x->version, x->fixed[0] ? x->fixed : "(none)",
                   x->resource_uid);
        }
        return;
    }
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < f->n; i++) {
        const feed_finding *x = &f->v[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", x->advisory_id);
        if (x->cve)
            cJSON_AddStringToObject(o, "cve", x->cve);
        else
            cJSON_AddNullToObject(o, "cve");
        cJSON *al = cJSON_AddArrayToObject(o, "aliases");
        for (const char *p = x->aliases; *p;) {
            size_t k = strcspn(p, ",");
            char buf[256];
            snprintf(buf, sizeof buf, "%.*s", (int)(k < 255 ? k : 255), p);
            cJSON_AddItemToArray(al, cJSON_CreateString(buf));
            p += k + (p[k] == ',');
        }
        cJSON_AddStringToObject(o, "resource_uid", x->resource_uid);
        cJSON_AddStringToObject(o, "ecosystem", x->ecosystem);
        cJSON_AddStringToObject(o, "package", x->package);
        cJSON_AddStringToObject(o, "version", x->version);
        if (x->fixed[0])
            cJSON_AddStringToObject(o, "fixed", x->fixed);
        else
            cJSON_AddNullToObject(o, "fixed");
        cJSON_AddStringToObject(o, "severity", x->severity);
        if (x->cvss >= 0)
            cJSON_AddNumberToObject(o, "cvss", x->cvss);
        else
            cJSON_AddNullToObject(o, "cvss");
        cJSON_AddBoolToObject(o, "kev", x->kev);
        if (x->kev_due)
            cJSON_AddStringToObject(o, "kev_due_date", x->kev_due);
        if (x->ransomware)
            cJSON_AddStringToObject(o, "ransomware", x->ransomware);
        if (x->epss >= 0) {
            cJSON_AddNumberToObject(o, "epss", x->epss);
            cJSON_AddNumberToObject(o, "epss_percentile", x->epss_percentile);
        } else {
            cJSON_AddNullToObject(o, "epss");
        }
        if (!strcmp(format, "jsonl")) {
            char *s = cJSON_PrintUnformatted(o);
            if (s)
                printf("%s\n", s);
            free(s);
            cJSON_Delete(o);
        } else {
            cJSON_AddItemToArray(arr, o);
        }
    }
    if (!strcmp(format, "json")) {
        char *s = cJSON_Print(arr);
        if (s)
            printf("%s\n", s);
        free(s);
    }
    cJSON_Delete(arr);
}

static int cmd_feed_match(cli_ctx *c, const char *scan, int ignore_unfixed, const char *format, int64_t max_age)
{
    char err[600];
    sqlite3 *db = store_query_open(c->db_path, err, sizeof err);
    if (!db) {
        fprintf(stderr, "parapet: error: %s\n", err);
        return 2;
    }
    int64_t id;
    if (store_query_scan(db, scan, &id, err, sizeof err) != 0) {
        fprintf(stderr, "parapet: error: %s\n", err);
        sqlite3_close(db);
        return 2;
    }
    if (feeds_report(db, max_age, 0, NULL) == 0)
        fprintf(stderr, "parapet: warning: no vulnerability feed loaded; run `parapet feed update` or "
                        "`parapet feed import BUNDLE.tar`\n");
    feed_findings f;
    int rc = feed_match_scan(db, id, ignore_unfixed, &f, err, sizeof err);
    sqlite3_close(db);
    if (rc != 0) {
        fprintf(stderr, "parapet: error: %s\n", err);
        return 2;
    }
    print_findings(&f, format);
    if (f.skipped)
        fprintf(stderr, "parapet: warning: %zu package/advisory pairs could not be compared (see the log)\n",
                f.skipped);
    if (c->verbosity >= 0 && !strcmp(format, "text"))
        fprintf(stderr, "%zu vulnerable package matches in scan %lld\n", f.n, (long long)id);
    feed_findings_free(&f);
    return 0;
}

/* ---- the command ---- */

int cmd_feed(cli_ctx *c, int argc, char **argv)
{
    if (argc < 1)
        return cli_usage_error("feed", "which: update, import BUNDLE, pack, list or match");
    const char *sub = argv[0];
    if (!strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help")) {
        fputs(cmd_help_text("feed"), stdout);
        return 0;
    }
    const char *plugin = NULL, *scan = NULL, *format = "text", *file = NULL;
    const char *key = NULL, *name = NULL, *keys_dir = c->keys_dir;
    int ignore_unfixed = 0, unsigned_ok = 0, allow_older = 0;
    int64_t created = (int64_t)time(NULL);
    char **pack_args = NULL;
    size_t n_pack = 0;
    int64_t max_age = DEFAULT_MAX_AGE;
    const char *timeout = config_get(c->cfg, "core", "feed_timeout", DEFAULT_FEED_TIMEOUT);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
#define TAKES(flag)                                                                                                    \
    (!strcmp(a, flag) ? (i + 1 < argc ? (val = argv[++i], 1) : -1)                                                     \
                      : (!strncmp(a, flag "=", strlen(flag) + 1) ? (val = a + strlen(flag) + 1, 1) : 0))
        int t;
        if ((t = TAKES("-o")) != 0 || (t = TAKES("--option")) != 0) {
            char err[256];
            if (t < 0)
                return cli_usage_error("feed", "-o needs PLUGIN.KEY=VALUE");
            if (config_set_option(c->cfg, val, err, sizeof err) != 0)
                return cli_usage_error("feed", "%s", err);
        } else if ((t = TAKES("--plugin")) != 0) {
            if (t < 0)
                return cli_usage_error("feed", "--plugin needs a name");
            plugin = val;
        } else if ((t = TAKES("--scan")) != 0) {
            if (t < 0)
                return cli_usage_error("feed", "--scan needs a scan id or latest");
            scan = val;
        } else if ((t = TAKES("--format")) != 0) {
            if (t < 0 || (strcmp(val, "text") && strcmp(val, "json") && strcmp(val, "jsonl")))
                return cli_usage_error("feed", "--format takes text, json or jsonl");
            format = val;
        } else if ((t = TAKES("--max-age")) != 0) {
            if (t < 0 || store_query_parse_duration(val, &max_age) != 0)
                return cli_usage_error("feed", "--max-age takes a duration such as 7d or 12h");
        } else if ((t = TAKES("--key")) != 0) {
            if (t < 0)
                return cli_usage_error("feed", "--key needs a secret key file");
            key = val;
        } else if ((t = TAKES("--name")) != 0) {
            if (t < 0)
                return cli_usage_error("feed", "--name needs a bundle name");
            name = val;
        } else if ((t = TAKES("--created")) != 0) {
            char *end = NULL;
            long long v = t > 0 ? strtoll(val, &end, 10) : -1;
            if (t < 0 || !end || *end || v < 0)
                return cli_usage_error("feed", "--created takes a time in Unix seconds");
            created = (int64_t)v;
        } else if ((t = TAKES("--timeout")) != 0) {
            if (t < 0)
                return cli_usage_error("feed", "--timeout needs a number of seconds (0 for none)");
            timeout = val;
        } else if ((t = TAKES("--keys-dir")) != 0) {
            if (t < 0)
                return cli_usage_error("feed", "--keys-dir needs DIR[:DIR...]");
            keys_dir = val;
        } else if (!strcmp(a, "--ignore-unfixed")) {
            ignore_unfixed = 1;
        } else if (!strcmp(a, "--unsigned")) {
            unsigned_ok = 1;
        } else if (!strcmp(a, "--allow-older")) {
            allow_older = 1;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("feed", "unknown option %s", a);
        } else if (!file && !strcmp(sub, "import")) {
            file = a;
        } else if (!strcmp(sub, "pack")) {
            if (!pack_args)
                pack_args = argv + i; /* the rest are OUT.tar and FILEs, options may follow */
            argv[pack_args - argv + (long)n_pack] = (char *)a;
            n_pack++;
        } else {
            return cli_usage_error("feed", "unexpected argument '%s'", a);
        }
#undef TAKES
    }
    char *tend = NULL;
    errno = 0;
    long timeout_s = strtol(timeout, &tend, 10);
    if (errno || tend == timeout || *tend || timeout_s < 0 || timeout_s > MAX_FEED_TIMEOUT)
        return cli_usage_error("feed",
                               "the feed time limit (--timeout, core.feed_timeout) must be a number of "
                               "seconds from 0 (none) to %d, not '%s'",
                               MAX_FEED_TIMEOUT, timeout);
    if (!strcmp(sub, "update"))
        return cmd_feed_load(c, plugin, NULL, (int)timeout_s);
    if (!strcmp(sub, "import")) {
        if (!file)
            return cli_usage_error("feed", "import needs a BUNDLE.tar (or a raw FILE with --unsigned)");
        if (unsigned_ok) {
            fprintf(stderr, "parapet: warning: importing %s without a signature (--unsigned, for testing)\n", file);
            return cmd_feed_load(c, plugin, file, (int)timeout_s);
        }
        return cmd_feed_import_bundle(c, plugin, file, keys_dir, allow_older, (int)timeout_s);
    }
    if (!strcmp(sub, "pack"))
        return cmd_feed_pack(key, name, created, pack_args, n_pack);
    if (!strcmp(sub, "list")) {
        char err[600];
        sqlite3 *db = store_query_open(c->db_path, err, sizeof err);
        if (!db) {
            fprintf(stderr, "parapet: error: %s\n", err);
            return 2;
        }
        long n = feeds_report(db, max_age, 1, format);
        sqlite3_close(db);
        if (n == 0 && c->verbosity >= 0)
            fprintf(stderr, "no feed loaded yet: run `parapet feed update` or `parapet feed import BUNDLE.tar`\n");
        return 0;
    }
    if (!strcmp(sub, "match"))
        return cmd_feed_match(c, scan, ignore_unfixed, format, max_age);
    return cli_usage_error("feed", "unknown subcommand '%s' (update, import, pack, list or match)", sub);
}
