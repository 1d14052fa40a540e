/*
 * core/store_retention.c - keep the last N scans of the SQLite store.
 *
 * The cut is the N-th newest scan that finished complete or partial: every
 * older scan (whatever its status, except running) is deleted with all its
 * rows, then the resource versions no remaining scan refers to. The finding
 * state (first seen, resolved at...) is history across scans and is kept.
 */
#include "config.h"

#include <stdio.h>

#include "store_sqlite_int.h"

static const char *const deletes[] = {
    "DELETE FROM scan_resources WHERE scan_id IN (SELECT id FROM temp.rt_old)",
    "DELETE FROM findings WHERE scan_id IN (SELECT id FROM temp.rt_old)",
    "DELETE FROM finding_lifecycle WHERE scan_id IN (SELECT id FROM temp.rt_old)",
    "DELETE FROM events WHERE scan_id IN (SELECT id FROM temp.rt_old)",
    "DELETE FROM packages WHERE scan_id IN (SELECT id FROM temp.rt_old)",
    "DELETE FROM scan_errors WHERE scan_id IN (SELECT id FROM temp.rt_old)",
    "DELETE FROM scans WHERE id IN (SELECT id FROM temp.rt_old)",
    "DELETE FROM resource_versions WHERE id NOT IN (SELECT version FROM scan_resources)",
    "DROP TABLE temp.rt_old",
};

int store_sq_retain(store *s, unsigned keep, int vacuum, uint64_t *deleted)
{
    sq *q = (sq *)s;
    sqlite3_stmt *st;
    if (deleted)
        *deleted = 0;
    if (keep == 0) {
        snprintf(q->err, sizeof q->err, "retention must keep at least one scan");
        return -1;
    }
    if (sq_exec(q, "BEGIN IMMEDIATE"))
        return -1;
    if (sq_exec(q, "DROP TABLE IF EXISTS temp.rt_old"))
        goto rollback;
    if (sqlite3_prepare_v2(q->db,
                           "CREATE TEMP TABLE rt_old AS SELECT id FROM scans WHERE status <> 'running' AND id <"
                           " (SELECT id FROM scans WHERE status IN ('complete','partial')"
                           "  ORDER BY id DESC LIMIT 1 OFFSET ?)",
                           -1, &st, NULL) != SQLITE_OK) {
        sq_fail(q, "retention");
        goto rollback;
    }
    sqlite3_bind_int64(st, 1, (sqlite3_int64)keep - 1);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        sq_fail(q, "retention");
        goto rollback;
    }
    uint64_t n = 0;
    if (sqlite3_prepare_v2(q->db, "SELECT count(*) FROM temp.rt_old", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            n = (uint64_t)sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    for (size_t i = 0; i < sizeof deletes / sizeof deletes[0]; i++)
        if (sq_exec(q, deletes[i]))
            goto rollback;
    if (sq_exec(q, "COMMIT"))
        goto rollback;
    if (deleted)
        *deleted = n;
    if (vacuum && n && sq_exec(q, "VACUUM"))
        return -1;
    return 0;
rollback:
    sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_exec(q->db, "DROP TABLE IF EXISTS temp.rt_old", NULL, NULL, NULL);
    return -1;
}
