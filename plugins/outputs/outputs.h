/*
 * plugins/outputs/outputs.h - what the files of the `outputs` plugin share.
 *
 * The plugin writes findings in several formats (docs/outputs.md). Each
 * format is one out_format table in its own file (fmt_*.c); outputs.c
 * parses the configuration, finds the table for a requested format and
 * drives it: open once, finding once per finding, close once (or discard
 * when the host destroys the instance with the sink still open).
 *
 * Records arrive as JSON text (docs/records.md); outputs.c parses each one
 * once into an out_finding view (finding.h) so the formats never parse.
 *
 * Threads: PP_THREADS_SERIAL; one instance is called from one thread at a
 * time, so nothing here locks.
 */
#ifndef PP_OUTPUTS_H
#define PP_OUTPUTS_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include <parapet/plugin.h>

#include "finding.h"

#define OUT_ERR_LEN 1024

/* Columns the csv format may write (docs/outputs.md); a bit set in out_config. */
#define OUT_CSV_MAX_COLUMNS 20

/* The instance's configuration, validated at init. */
typedef struct out_config {
    /* csv */
    int csv_columns[OUT_CSV_MAX_COLUMNS]; /* column ids in order (csv_column_id) */
    size_t n_csv_columns;
    /* webhook / slack */
    char *secret_ref;      /* "env:NAME" or "file:PATH", or NULL: unsigned */
    size_t batch_size;     /* findings per POST, 1..1000 */
    int failing_only;      /* webhook, syslog, cef: only fail and error findings */
    /* asff */
    char *aws_account;     /* default AwsAccountId when a finding has none */
    char *aws_region;      /* region in ProductArn when a finding has none */
    char *product_arn;     /* ProductArn override */
    /* syslog / cef */
    int syslog_facility;   /* 0..23 */
    size_t udp_max_bytes;  /* a datagram is cut to this size */
    char *hostname;        /* HOSTNAME field override */
} out_config;

typedef struct out_ctx out_ctx;
typedef struct out_sink out_sink;

/* One format: its name and callbacks. */
typedef struct out_format {
    const char *name;
    /* Open the destination named by @path (NULL: the format's default).
     * Sets sink->state. On failure sets the error and returns a pp_rc. */
    int (*open)(out_sink *s, const char *path);
    /* Write one finding. */
    int (*finding)(out_sink *s, const out_finding *f);
    /* Finish (flush, trailer, rename, final delivery) and free the state.
     * @summary may be NULL when the host gave none that parses. */
    int (*close)(out_sink *s, const cJSON *summary);
    /* Throw the state away without delivering (the scan never finished). */
    void (*discard)(out_sink *s);
} out_format;

struct out_sink {
    out_ctx *ctx;
    const out_format *fmt;
    cJSON *scan;           /* the scan object given at open (never NULL) */
    void *state;           /* the format's */
    int64_t start_ms;      /* the scan's started_at (or the open time), ms: the time of undated findings */
    out_sink *next;        /* the instance's list of open sinks */
};

struct out_ctx {
    pp_host *h;
    const pp_host_api *api;
    out_config cfg;
    out_sink *sinks;
    char err[OUT_ERR_LEN];
};

/* The formats (one per fmt_*.c). */
extern const out_format out_format_json;
extern const out_format out_format_csv;
extern const out_format out_format_junit;
extern const out_format out_format_ocsf;
extern const out_format out_format_asff;
extern const out_format out_format_webhook;
extern const out_format out_format_slack;
extern const out_format out_format_syslog;
extern const out_format out_format_cef;

/* The comma-separated list the plugin declares. */
#define OUT_FORMATS "json,csv,junit,ocsf,asff,webhook,slack,syslog,cef"

/* out_error - set the instance's last error (printf-style, truncated to
 * OUT_ERR_LEN). Never pass a secret. */
void out_error(out_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* out_log - log through the host at @level (printf-style). */
void out_log(out_ctx *c, pp_log_level level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* out_scan_str - string member @name of the scan object, or @dflt. */
const char *out_scan_str(const out_sink *s, const char *name, const char *dflt);

/* out_csv_column_names - the csv column names, indexed by column id, and
 * their number. */
const char *const *out_csv_column_names(size_t *n);

#endif /* PP_OUTPUTS_H */
