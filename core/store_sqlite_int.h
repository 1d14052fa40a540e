/*
 * core/store_sqlite_int.h - what the files of the SQLite store backend share
 * (store_sqlite.c, store_schema.c, store_lifecycle.c, store_suppress.c,
 * store_retention.c). Not used outside the backend.
 */
#ifndef PP_CORE_STORE_SQLITE_INT_H
#define PP_CORE_STORE_SQLITE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* The newest schema this build reads and writes (docs/store.md). */
#define STORE_SCHEMA_VERSION 3

/* Length of a resource version's content hash (SHA-256). */
#define STORE_HASH_LEN 32

typedef struct sq {
    store base;
    sqlite3 *db;
    char *path;
    char err[512];
    int scan_lock_fd; /* held (shared) from scan_begin to scan_end; -1 otherwise */
    void *md_ctx;     /* EVP_MD_CTX for content hashes */
    void *md;         /* EVP_MD (SHA-256), fetched once */
    int last_version_new; /* put(): the previous resource was a new version (try inserting first) */
    sqlite3_stmt *find_version, *ins_version, *ins_scan_resource;
    sqlite3_stmt *ins_finding, *ins_event, *ins_indicator, *ins_advisory, *ins_package;
    sqlite3_stmt *ins_error, *kv_get, *kv_set, *kv_del;
} sq;

/* sq_fail - set q->err to "PATH: WHAT: sqlite's message"; returns -1. */
int sq_fail(sq *q, const char *what);

/* sq_exec - run @sql (one or more statements); -1 with q->err on error. */
int sq_exec(sq *q, const char *sql);

/*
 * store_schema_migrate - bring the schema of q->db up to
 * STORE_SCHEMA_VERSION: create it on a new file, or run every migration from
 * the file's version, each in its own transaction (a failed migration leaves
 * the file at its earlier version). A file newer than this build is refused.
 * Returns 0, or -1 with q->err naming the path.
 */
int store_schema_migrate(sq *q);

/*
 * store_register_functions - add the SQL function pp_resource_hash(type,
 * provider, account, region, name, tags, data, source, source_line,
 * source_column, plugin) to q->db; it returns the content hash put() uses
 * (a BLOB of STORE_HASH_LEN bytes). Returns 0 or -1.
 */
int store_register_functions(sq *q);

/*
 * store_resource_hash - the content hash of a resource version into @out.
 * Every field is length-prefixed, so no two different contents encode the
 * same. NULL strings differ from empty ones. Returns 0, or -1 when OpenSSL
 * fails.
 */
int store_resource_hash(sq *q, const char *const text[9], int64_t source_line, int64_t source_column,
                        unsigned char out[STORE_HASH_LEN]);

/*
 * store_lifecycle_apply - label the failing and muted findings of scan
 * @scan_id and update finding_state (docs/store.md). @complete is 1 for a
 * complete scan (vanished resources resolve), 0 for a partial one (only an
 * explicit pass resolves). @at is the scan's finish time. Must run inside a
 * transaction the caller owns. Returns 0 or -1 with q->err.
 */
int store_lifecycle_apply(sq *q, int64_t scan_id, int complete, int64_t at);

/* The store_ops entries implemented in their own files. */
int store_sq_suppressions_json(store *s, char **json);
int store_sq_suppression_add(store *s, const suppression *x, int64_t *id);
int store_sq_suppression_remove(store *s, int64_t id);
int store_sq_retain(store *s, unsigned keep, int vacuum, uint64_t *deleted);

#endif
