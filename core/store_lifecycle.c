/*
 * core/store_lifecycle.c - the finding lifecycle of the SQLite store.
 *
 * A finding's identity is (rule_id, resource_uid). At the end of a complete
 * or partial scan every identity that fails or is muted in the scan gets a
 * label in finding_lifecycle -- new, open, reopened or muted -- and every
 * identity that was open or muted and no longer fails gets "resolved", when
 * the scan could see it: its resource came from a plugin this scan ran, and
 * either the rule passed on it now, or (complete scans only) the resource or
 * its finding is gone. finding_state keeps the current state of each
 * identity. The rules are written out in docs/store.md.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "store_sqlite_int.h"

/* Parameters every statement below may use:
 * ?1 scan id, ?2 1 when the scan is complete, ?3 the scan's start, ?4 its end. */
static const char *const steps[] = {
    "CREATE TEMP TABLE IF NOT EXISTS lc_cur(rule_id TEXT NOT NULL, resource_uid TEXT NOT NULL, st TEXT NOT NULL,"
    " severity TEXT, title TEXT, message TEXT, resource_type TEXT, provider TEXT, account TEXT, region TEXT,"
    " plugin TEXT, PRIMARY KEY(rule_id, resource_uid)) WITHOUT ROWID",
    "DELETE FROM temp.lc_cur",
    /* the scan's verdict per identity: fail beats muted beats pass beats
     * error; the other columns come from the row that decided it */
    "INSERT INTO temp.lc_cur SELECT rule_id, resource_uid,"
    " CASE rank WHEN 3 THEN 'fail' WHEN 2 THEN 'muted' WHEN 1 THEN 'pass' ELSE 'error' END,"
    " severity, title, message, resource_type, provider, account, region, plugin FROM ("
    "  SELECT rule_id, resource_uid, max(CASE status WHEN 'fail' THEN 3 WHEN 'muted' THEN 2"
    "   WHEN 'pass' THEN 1 ELSE 0 END) AS rank, severity, title, message, resource_type, provider, account,"
    "   region, plugin FROM findings WHERE scan_id = ?1 GROUP BY rule_id, resource_uid)",
    /* the plugin that reported the resource decides which scans can resolve
     * it; the finding's own plugin when the resource is not in the inventory */
    "UPDATE temp.lc_cur SET plugin = coalesce((SELECT v.plugin FROM scan_resources sr"
    " JOIN resource_versions v ON v.id = sr.version WHERE sr.scan_id = ?1 AND sr.uid = lc_cur.resource_uid),"
    " plugin)",
    /* labels of what fails or is muted now, from the state before this scan */
    "INSERT OR REPLACE INTO finding_lifecycle(scan_id, rule_id, resource_uid, lifecycle)"
    " SELECT ?1, c.rule_id, c.resource_uid, CASE WHEN c.st = 'muted' THEN 'muted'"
    "  WHEN s.status IS NULL THEN 'new' WHEN s.status = 'resolved' THEN 'reopened' ELSE 'open' END"
    " FROM temp.lc_cur c LEFT JOIN finding_state s"
    "  ON s.rule_id = c.rule_id AND s.resource_uid = c.resource_uid"
    " WHERE c.st IN ('fail', 'muted')",
    /* resolutions: open or muted before, not failing now, and within reach */
    "INSERT OR REPLACE INTO finding_lifecycle(scan_id, rule_id, resource_uid, lifecycle)"
    " SELECT ?1, s.rule_id, s.resource_uid, 'resolved' FROM finding_state s LEFT JOIN temp.lc_cur c"
    "  ON c.rule_id = s.rule_id AND c.resource_uid = s.resource_uid"
    " WHERE s.status IN ('open', 'muted') AND (c.st = 'pass' OR (c.st IS NULL AND ?2))"
    "  AND s.source_plugin IN (SELECT value FROM json_each((SELECT CASE WHEN json_valid(providers)"
    "   THEN providers ELSE '[]' END FROM scans WHERE id = ?1)))",
    /* the state of what fails or is muted now */
    "INSERT INTO finding_state(rule_id, resource_uid, status, first_seen, last_seen, resolved_at, times_reopened,"
    " last_scan_id, severity, title, message, resource_type, provider, account, region, source_plugin)"
    " SELECT rule_id, resource_uid, CASE st WHEN 'muted' THEN 'muted' ELSE 'open' END, ?3, ?3, NULL, 0, ?1,"
    "  severity, title, message, resource_type, provider, account, region, plugin"
    " FROM temp.lc_cur WHERE st IN ('fail', 'muted')"
    " ON CONFLICT(rule_id, resource_uid) DO UPDATE SET status = excluded.status, last_seen = excluded.last_seen,"
    "  resolved_at = NULL, last_scan_id = excluded.last_scan_id,"
    "  times_reopened = finding_state.times_reopened"
    "   + (finding_state.status = 'resolved' AND excluded.status = 'open'),"
    "  severity = excluded.severity, title = excluded.title, message = excluded.message,"
    "  resource_type = excluded.resource_type, provider = excluded.provider, account = excluded.account,"
    "  region = excluded.region, source_plugin = excluded.source_plugin",
    "UPDATE finding_state SET status = 'resolved', resolved_at = ?4, last_scan_id = ?1"
    " WHERE (rule_id, resource_uid) IN (SELECT rule_id, resource_uid FROM finding_lifecycle"
    "  WHERE scan_id = ?1 AND lifecycle = 'resolved')",
    "DELETE FROM temp.lc_cur",
};

int store_lifecycle_apply(sq *q, int64_t scan_id, int complete, int64_t at)
{
    int64_t started = at;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(q->db, "SELECT started_at FROM scans WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
        return sq_fail(q, "finding lifecycle");
    sqlite3_bind_int64(st, 1, scan_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        started = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (sqlite3_prepare_v2(q->db, steps[i], -1, &st, NULL) != SQLITE_OK)
            return sq_fail(q, "finding lifecycle");
        int n = sqlite3_bind_parameter_count(st);
        int64_t vals[4] = {scan_id, complete ? 1 : 0, started, at};
        for (int k = 0; k < n && k < 4; k++)
            sqlite3_bind_int64(st, k + 1, vals[k]);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return sq_fail(q, "finding lifecycle");
    }
    return 0;
}
