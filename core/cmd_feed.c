/*
 * core/cmd_feed.c - `parapet feed update | import FILE | list | match`:
 * vulnerability and threat intelligence (docs/feeds.md).
 *
 * Threat-feed plugins run in this process: update and import are one
 * sequential call each, and what they emit goes straight into the store
 * through a feed_writer, in one transaction.
 */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "feed/feed.h"
#include "host.h"
#include "host_services.h"
#include "log.h"
#include "schema.h"
#include "store_query.h"

#define DEFAULT_MAX_AGE (7 * 86400)

/* ---- the backend threat-feed plugins emit through ---- */

typedef struct feed_run {
    feed_writer *w;
    uint64_t dropped;
} feed_run;

static void fr_log(pp_host *h, int level, const char *msg)
{
    log_msg(level, h->name, "%s", msg);
}

static int fr_emit(pp_host *h, rec *r)
{
    feed_run *fr = host_ctx(h);
    int rc = feed_writer_put(fr->w, r);
    if (rc > 0) {
        if (fr->dropped++ == 0)
            log_msg(LOG_LVL_WARN, h->name, "%s", feed_writer_error(fr->w));
        rc = 0;
    }
    rec_free(r);
    return rc == 0 ? PP_OK : PP_ERR_IO;
}

static void fr_progress(pp_host *h, uint64_t done, uint64_t total, const char *what)
{
    (void)h;
    (void)done;
    (void)total;
    (void)what;
}

static int fr_kv_get(pp_host *h, const char *key, char **val, size_t *len)
{
    feed_run *fr = host_ctx(h);
    return feed_writer_kv_get(fr->w, h->name, key, val, len) == 0 ? PP_OK : PP_ERR_NOTFOUND;
}

static int fr_kv_set(pp_host *h, const char *key, const char *val, size_t len, uint32_t ttl_s)
{
    feed_run *fr = host_ctx(h);
    return feed_writer_kv_set(fr->w, h->name, key, val, len, ttl_s) == 0 ? PP_OK : PP_ERR_IO;
}

static const host_backend feed_backend = {fr_log, fr_emit, fr_progress, fr_kv_get, fr_kv_set};

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

/* Run update (path NULL) or import of one plugin into @fr. Returns 0 or -1. */
static int run_plugin(cli_ctx *c, loaded_plugin *lp, feed_run *fr, const char *path)
{
    char err[600];
    char *conf = plugin_config(c, lp, err, sizeof err);
    if (!conf) {
        fprintf(stderr, "parapet: error: %s\n", err);
        return -1;
    }
    void *inst = NULL;
    const char *ierr = NULL;
    int rc = lp->desc.init(lp->host, conf, &inst, &ierr);
    free(conf);
    if (rc != PP_OK) {
        fprintf(stderr, "parapet: error: plugin '%s' refused to start: %s\n", lp->name, ierr ? ierr : "no reason");
        return -1;
    }
    const host_backend *old_be = lp->host->be;
    void *old_ctx = lp->host->be_ctx;
    lp->host->be = &feed_backend;
    lp->host->be_ctx = fr;
    rc = path ? lp->threat_feed.import(inst, path) : lp->threat_feed.update(inst);
    if (rc != PP_OK) {
        const char *why = lp->desc.last_error ? lp->desc.last_error(inst) : NULL;
        fprintf(stderr, "parapet: error: feed plugin '%s': %s\n", lp->name, why && *why ? why : "failed");
    }
    lp->host->be = old_be;
    lp->host->be_ctx = old_ctx;
    lp->desc.destroy(inst);
    return rc == PP_OK ? 0 : -1;
}

static int cmd_feed_load(cli_ctx *c, const char *plugin, const char *path)
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
    feed_run fr = {feed_writer_open(c->db_path, err, sizeof err), 0};
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
                        "`parapet feed import FILE`\n");
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
        return cli_usage_error("feed", "which: update, import FILE, list or match");
    const char *sub = argv[0];
    const char *plugin = NULL, *scan = NULL, *format = "text", *file = NULL;
    int ignore_unfixed = 0;
    int64_t max_age = DEFAULT_MAX_AGE;
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
        } else if (!strcmp(a, "--ignore-unfixed")) {
            ignore_unfixed = 1;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("feed", "unknown option %s", a);
        } else if (!file && !strcmp(sub, "import")) {
            file = a;
        } else {
            return cli_usage_error("feed", "unexpected argument '%s'", a);
        }
#undef TAKES
    }
    if (!strcmp(sub, "update"))
        return cmd_feed_load(c, plugin, NULL);
    if (!strcmp(sub, "import")) {
        if (!file)
            return cli_usage_error("feed", "import needs a FILE");
        return cmd_feed_load(c, plugin, file);
    }
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
            fprintf(stderr, "no feed loaded yet: run `parapet feed update` or `parapet feed import FILE`\n");
        return 0;
    }
    if (!strcmp(sub, "match"))
        return cmd_feed_match(c, scan, ignore_unfixed, format, max_age);
    return cli_usage_error("feed", "unknown subcommand '%s' (update, import, list or match)", sub);
}
