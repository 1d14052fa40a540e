/*
 * core/store_query.h - what the commands that read the store share
 * (findings, diff, suppress list, sql, compliance): a read-only connection
 * to the SQLite store, naming scans, and printing result sets.
 *
 * These commands query the SQLite schema of docs/store.md directly; they
 * are specific to the embedded backend.
 */
#ifndef PP_CORE_STORE_QUERY_H
#define PP_CORE_STORE_QUERY_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

/*
 * store_query_open - open the store at @path read-only (SQLITE_OPEN_READONLY,
 * no symbolic link). A store of an older schema is first migrated through
 * store_open; a missing file or a newer schema is an error. Returns the
 * connection (close with sqlite3_close) or NULL with a reason in @err.
 */
sqlite3 *store_query_open(const char *path, char *err, size_t errlen);

/*
 * store_query_scan - the scan id @spec names: a number (that scan must
 * exist), "latest" or NULL (the newest complete or partial scan), or
 * "latest~N" (the N-th before it, counting only complete or partial scans).
 * Returns 0, or -1 with a reason in @err (e.g. no scan yet).
 */
int store_query_scan(sqlite3 *db, const char *spec, int64_t *id, char *err, size_t errlen);

/*
 * store_query_print - step @st to the end and print every row to @out as
 * "text" (an aligned table with a header), "json" (an array of objects),
 * "jsonl" (one object per line) or "csv" (RFC 4180, with a header). Columns
 * are named by the statement. Text cells longer than 120 characters are cut
 * with "...". Returns the number of rows, or -1 with @err set.
 */
long store_query_print(sqlite3_stmt *st, const char *format, FILE *out, char *err, size_t errlen);

/* store_query_format_ok - 1 when @format is one store_query_print knows
 * (@csv_ok: whether csv is allowed for the caller). */
int store_query_format_ok(const char *format, int csv_ok);

/*
 * store_query_parse_time - a date for --since/--expires: RFC 3339
 * ("2026-01-31T00:00:00Z") or a day ("2026-01-31", midnight UTC). Returns 0
 * and sets *t (Unix seconds), or -1.
 */
int store_query_parse_time(const char *s, int64_t *t);

/*
 * store_query_parse_duration - "30d", "12h", "90m", "2w": seconds in *secs;
 * -1 on anything else or more than ten years.
 */
int store_query_parse_duration(const char *s, int64_t *secs);

#endif
