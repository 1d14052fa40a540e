/*
 * core/cmd_report.c - `parapet report --html FILE`: the self-contained HTML
 * posture dashboard of a stored scan, and `parapet report --framework ID
 * --format html|csv|json`: the audit-ready compliance report of one
 * framework (docs/report.md).
 *
 * The dashboard's data comes from core/report/report_data.c, its page from
 * core/report/report_html.c; the compliance report's data from
 * core/report/compliance_data.c, rendered by compliance_csv.c or
 * compliance_html.c (json: the data document itself). A file is written
 * next to its final name and renamed into place, so a reader never sees
 * half a report.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "policy/framework.h"
#include "report/compliance_csv.h"
#include "report/compliance_data.h"
#include "report/compliance_html.h"
#include "report/report_data.h"
#include "report/report_html.h"
#include "store_query.h"
#include "util.h"

#ifndef PP_POLICYDIR
#define PP_POLICYDIR "/usr/local/share/parapet/policies"
#endif

#define REPORT_TITLE_MAX 200

/* The frameworks directory as `parapet compliance` finds it. */
static const char *frameworks_dir(cli_ctx *c, sbuf *dflt)
{
    const char *dir = config_get(c->cfg, "core", "frameworks_dir", NULL);
    if (dir)
        return dir;
    const char *pd = config_get(c->cfg, "core", "policy_dir", PP_POLICYDIR);
    const char *colon = strchr(pd, ':');
    sbuf_printf(dflt, "%.*s/frameworks", colon ? (int)(colon - pd) : (int)strlen(pd), pd);
    return dflt->data;
}

/* How one kind of report is written: @data to @out, -1 with @err set on a
 * write error. @title is the dashboard's (unused by the others). */
typedef int (*report_writer)(FILE *out, const cJSON *data, const char *title, char *err, size_t errlen);

static int write_dashboard(FILE *out, const cJSON *data, const char *title, char *err, size_t errlen)
{
    return report_html_write(out, data, title, err, errlen);
}

static int write_compliance_html(FILE *out, const cJSON *data, const char *title, char *err, size_t errlen)
{
    (void)title;
    return compliance_html_write(out, data, err, errlen);
}

static int write_compliance_csv(FILE *out, const cJSON *data, const char *title, char *err, size_t errlen)
{
    (void)title;
    return compliance_csv_write(out, data, err, errlen);
}

static int write_compliance_json(FILE *out, const cJSON *data, const char *title, char *err, size_t errlen)
{
    (void)title;
    char *s = cJSON_Print(data);
    if (!s) {
        snprintf(err, errlen, "out of memory while writing the report");
        return -1;
    }
    fputs(s, out);
    fputc('\n', out);
    cJSON_free(s);
    if (fflush(out) != 0 || ferror(out)) {
        snprintf(err, errlen, "cannot write the report: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* Write @data with @writer to @path ("-": standard output). The file is
 * created 0600 (it describes the estate's weaknesses, like the store) under
 * a temporary name and renamed into place. Returns 0, or -1 after printing
 * the error. */
static int write_report(const char *path, report_writer writer, const cJSON *data, const char *title)
{
    char err[1200];
    if (!strcmp(path, "-")) {
        if (writer(stdout, data, title, err, sizeof err) == 0)
            return 0;
        fprintf(stderr, "parapet: error: %s\n", err);
        return -1;
    }
    sbuf tmp = {0};
    sbuf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp.data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(stderr, "parapet: error: cannot create %s: %s\n", tmp.data, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmp.data);
        }
        sbuf_free(&tmp);
        return -1;
    }
    int rc = writer(f, data, title, err, sizeof err);
    if (fclose(f) != 0 && rc == 0) {
        snprintf(err, sizeof err, "cannot write %s: %s", tmp.data, strerror(errno));
        rc = -1;
    }
    if (rc == 0 && rename(tmp.data, path) != 0) {
        snprintf(err, sizeof err, "cannot rename %s to %s: %s", tmp.data, path, strerror(errno));
        rc = -1;
    }
    if (rc != 0) {
        unlink(tmp.data);
        fprintf(stderr, "parapet: error: %s\n", err);
    }
    sbuf_free(&tmp);
    return rc;
}

/* The framework @id among @fws, or NULL after printing an error naming it
 * and the ids there are. */
static const framework *find_framework(const framework *fws, size_t n_fws, const char *id, const char *dir)
{
    for (size_t i = 0; i < n_fws; i++)
        if (!strcmp(fws[i].id, id))
            return &fws[i];
    sbuf ids = {0};
    sbuf_puts(&ids, "");
    for (size_t i = 0; i < n_fws; i++)
        sbuf_printf(&ids, "%s%s", i ? ", " : "", fws[i].id);
    fprintf(stderr, "parapet: error: no framework '%s' in %s (there are: %s)\n", id, dir, n_fws ? ids.data : "none");
    sbuf_free(&ids);
    return NULL;
}

int cmd_report(cli_ctx *c, int argc, char **argv)
{
    const char *html = NULL, *scan = NULL, *dir = NULL, *title = "parapet posture report";
    const char *fw_id = NULL, *format = NULL, *output = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(cmd_help_text("report"), stdout);
            return 0;
        } else if (!strcmp(a, "--html") || !strcmp(a, "--scan") || !strcmp(a, "--frameworks") ||
                   !strcmp(a, "--title") || !strcmp(a, "--framework") || !strcmp(a, "--format") ||
                   !strcmp(a, "--output")) {
            if (i + 1 >= argc)
                return cli_usage_error("report", "%s needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--html"))
                html = v;
            else if (!strcmp(a, "--scan"))
                scan = v;
            else if (!strcmp(a, "--frameworks"))
                dir = v;
            else if (!strcmp(a, "--framework"))
                fw_id = v;
            else if (!strcmp(a, "--format"))
                format = v;
            else if (!strcmp(a, "--output"))
                output = v;
            else
                title = v;
        } else {
            return cli_usage_error("report", "unknown option or argument '%s'", a);
        }
    }
    report_writer writer = write_dashboard;
    if (fw_id) {
        if (html)
            return cli_usage_error("report", "--html writes the dashboard; with --framework give --output FILE");
        if (!*fw_id)
            return cli_usage_error("report", "--framework needs a framework id");
        if (!format || !strcmp(format, "html"))
            writer = write_compliance_html;
        else if (!strcmp(format, "csv"))
            writer = write_compliance_csv;
        else if (!strcmp(format, "json"))
            writer = write_compliance_json;
        else
            return cli_usage_error("report", "--format takes html, csv or json");
        if (!output)
            output = "-";
        if (!*output)
            return cli_usage_error("report", "--output needs a file name (or - for standard output)");
    } else {
        if (format || output)
            return cli_usage_error("report", "--format and --output go with --framework ID");
        if (!html || !*html)
            return cli_usage_error("report", "give --html FILE (or --html - for standard output), or --framework ID");
        if (!*title || strlen(title) > REPORT_TITLE_MAX)
            return cli_usage_error("report", "--title takes 1 to %d bytes", REPORT_TITLE_MAX);
    }

    sbuf dflt = {0};
    if (!dir)
        dir = frameworks_dir(c, &dflt);
    char err[1024];
    framework *fws = NULL;
    size_t n_fws = 0;
    int rc = 2;
    sqlite3 *db = NULL;
    cJSON *data = NULL;
    const framework *fw = NULL;
    int64_t scan_id;
    if (frameworks_load(dir, &fws, &n_fws, err, sizeof err) != 0) {
        fprintf(stderr, "parapet: error: frameworks: %s\n", err);
        goto out;
    }
    if (fw_id && !(fw = find_framework(fws, n_fws, fw_id, dir)))
        goto out;
    db = store_query_open(c->db_path, err, sizeof err);
    if (!db || store_query_scan(db, scan, &scan_id, err, sizeof err) != 0) {
        fprintf(stderr, "parapet: error: %s\n", err);
        goto out;
    }
    /* the report reads every finding of the scan several times: a larger
     * page cache and memory-mapped reads save most of the file reads at
     * 100,000 findings; failing to set them only makes the report slower */
    sqlite3_exec(db, "PRAGMA cache_size = -131072; PRAGMA temp_store = MEMORY; PRAGMA mmap_size = 1073741824", NULL,
                 NULL, NULL);
    if (fw)
        data = compliance_data_build(db, scan_id, fw, time_now_ns() / 1000000000, err, sizeof err);
    else
        data = report_data_build(db, scan_id, fws, n_fws, title, err, sizeof err);
    if (!data) {
        fprintf(stderr, "parapet: error: %s\n", err);
        goto out;
    }
    if (write_report(fw ? output : html, writer, data, title) == 0)
        rc = 0;
out:
    cJSON_Delete(data);
    if (db)
        sqlite3_close(db);
    frameworks_free(fws, n_fws);
    sbuf_free(&dflt);
    return rc;
}
