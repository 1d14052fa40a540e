/*
 * core/scan.h - one scan: providers and scanners in workers, records
 * streaming through a bounded queue into the store and the outputs.
 */
#ifndef PP_CORE_SCAN_H
#define PP_CORE_SCAN_H

#include <stddef.h>

#include "loader.h"
#include "settings.h"

typedef struct output_req {
    char *format;
    char *path; /* NULL: the plugin's default */
} output_req;

typedef struct scan_opts {
    char **providers;
    size_t n_providers;
    char **targets;
    size_t n_targets;
    output_req *outputs;
    size_t n_outputs;
    const char *db_path;
    int fail_on;        /* a pp_severity, or -1 for never */
    int isolate;        /* 1: forked worker per plugin; 0: threads in-process */
    int jobs;           /* concurrent tasks per plugin */
    int task_timeout_s; /* a task running longer is killed */
    int progress;       /* 1 draw progress on stderr, 0 not */
    int quiet;          /* no summary */
    char **rule_dirs;   /* rule files (docs/rules.md) */
    size_t n_rule_dirs;
    const char *frameworks_dir; /* framework mappings, or NULL */
    int keep_scans;     /* > 0: after the scan keep only this many complete scans (store retain) */
    int ignore_unfixed; /* vulnerability findings: leave out those with no fixed version */
} scan_opts;

/*
 * scan_run - run a scan and print its summary. Returns the process exit
 * status of docs/cli.md: 0 clean, 1 failing findings at or above fail_on,
 * 2 any error (plugin refused, crashed, hung, task failed, interrupted).
 * Errors are reported on stderr as they happen and stored with the scan.
 */
int scan_run(const scan_opts *o, registry *reg, pp_config *cfg);

/* scan_abandoned_threads - nonzero when an in-process worker thread hung and
 * was left running; the caller must then exit without unloading plugins. */
int scan_abandoned_threads(void);

#endif
