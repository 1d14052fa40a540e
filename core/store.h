/*
 * core/store.h - where scans, inventory and findings are kept.
 *
 * The core talks to the store only through this interface, so a server
 * backend (PostgreSQL, for estates one machine cannot scan) is another
 * implementation of store_ops, not a rewrite. The embedded default is SQLite
 * in WAL mode (core/store_sqlite.c); docs/store.md has the schema.
 *
 * Threads: a store handle is used by one thread at a time. Open a second
 * handle for a second thread (WAL lets readers and one writer overlap).
 *
 * Crash safety: records are written in transactions; a scan row is created
 * as "running" and finished as "complete", "partial" or "interrupted". A
 * killed scan leaves earlier scans intact and its own row "running", which
 * the next open marks "aborted" (only when no scan of any process is still
 * running on the store: a running scan holds a shared lock on PATH-scans.lock).
 *
 * Finding lifecycle: scan_end of a complete or partial scan labels every
 * failing or muted finding of the scan new, open, reopened or muted, and
 * resolves the earlier failures that no longer fail, in the same transaction
 * that finishes the scan row (docs/store.md, "Finding lifecycle").
 */
#ifndef PP_CORE_STORE_H
#define PP_CORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

typedef struct store store;

typedef struct scan_totals {
    uint64_t resources;
    uint64_t findings;
    uint64_t errors;
} scan_totals;

/* A suppression (docs/store.md). Strings are borrowed; NULL means "any". */
typedef struct suppression {
    const char *rule;       /* glob over rule ids (fnmatch); required */
    const char *provider;   /* exact provider, or NULL */
    const char *account;    /* exact account, or NULL */
    const char *region;     /* glob over regions, or NULL */
    const char *resource;   /* regex over resource uids, or NULL */
    const char *tags_match; /* "all" or "any"; NULL when there are no tag conditions */
    const char *tags_json;  /* JSON array [{"key":K,"value":V|null}], or NULL */
    const char *reason;     /* required */
    const char *owner;      /* required */
    int64_t created_at;     /* Unix seconds */
    int64_t expires_at;     /* Unix seconds; 0 = never */
} suppression;

typedef struct store_ops {
    const char *name;
    int (*scan_begin)(store *s, const char *providers_json, int64_t started_at, int64_t *scan_id);
    int (*scan_end)(store *s, int64_t scan_id, const char *status, int64_t finished_at, const scan_totals *t);
    int (*begin)(store *s);
    int (*commit)(store *s);
    int (*put)(store *s, int64_t scan_id, const rec *r);
    int (*scan_error)(store *s, int64_t scan_id, const char *plugin, const char *task, const char *message);
    int (*kv_get)(store *s, const char *plugin, const char *key, char **val, size_t *len);
    int (*kv_set)(store *s, const char *plugin, const char *key, const char *val, size_t len, uint32_t ttl_s);
    /* suppressions_json - every suppression as a JSON array (docs/store.md),
     * expired ones included with "expired": true (the engine never mutes with
     * them, it reports them); *json is malloc'd. Optional: NULL means none. */
    int (*suppressions_json)(store *s, char **json);
    /* suppression_add - store @x (validated by the caller) and set *id.
     * Returns 0, or -1 with last_error. Optional. */
    int (*suppression_add)(store *s, const suppression *x, int64_t *id);
    /* suppression_remove - delete suppression @id. Returns 0, 1 when there
     * is no such suppression, -1 on error. Optional. */
    int (*suppression_remove)(store *s, int64_t id);
    /* retain - keep the @keep newest complete or partial scans (and anything
     * newer than the oldest of them); delete the rows of every older scan and
     * the resource versions no scan uses any more; VACUUM when @vacuum.
     * *deleted (may be NULL) is the number of scans deleted. Running scans are
     * never deleted. Returns 0 or -1 with last_error. Optional. */
    int (*retain)(store *s, unsigned keep, int vacuum, uint64_t *deleted);
    void (*close)(store *s);
    const char *(*last_error)(store *s);
} store_ops;

struct store {
    const store_ops *ops;
};

/*
 * store_open - open (creating when needed, with its parent directories, mode
 * 0700/0600) the store at @path and bring its schema up to date. Returns
 * NULL with a reason naming the path in @err.
 */
store *store_open(const char *path, char *err, size_t errlen);

/* store_sqlite_open - the SQLite backend; used by store_open. */
store *store_sqlite_open(const char *path, char *err, size_t errlen);

#endif
