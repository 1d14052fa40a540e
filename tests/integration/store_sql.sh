#!/bin/sh
# tests/integration/store_sql.sh - `parapet sql` answers reads and refuses
# every kind of write (DML, DDL, ATTACH, PRAGMA that sets, a CTE that
# writes, load_extension), and the store is unchanged afterwards.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"

SNAP_SO="$top_builddir/plugins/snapshot/.libs/snapshot.so"
D="$TMP/plugins"
mkdir -p "$D"
ln -s "$SNAP_SO" "$D/snapshot.so"
DB="$TMP/store.db"
printf '{"uid":"u%d","type":"store.item","provider":"acme","name":"n%d","data":{"v":%d}}\n' 1 1 1 2 2 2 3 3 3 \
    >"$TMP/s.jsonl"
run_parapet "$TMP/scan" --plugin-dir "$D" --db "$DB" scan snapshot "$TMP/s.jsonl" --no-default-rules
expect_rc "$TMP/scan" 0 "scan"
before=$(sqlite3 "$DB" "SELECT count(*) FROM scans; SELECT count(*) FROM resource_versions; PRAGMA journal_mode")

# Reads work, in every format.
run_parapet "$TMP/r1" --db "$DB" sql "SELECT uid, json_extract(data,'\$.v') AS v FROM resources ORDER BY uid"
expect_rc "$TMP/r1" 0 "a SELECT"
[ "$(sed -n 2p "$TMP/r1.out" | tr -s ' ')" = "u1 1" ] && pass "text table" || { fail "text table"; show "$TMP/r1"; }
run_parapet "$TMP/r2" --db "$DB" sql "SELECT uid, name FROM resources ORDER BY uid" --format json
[ "$(json_sql "$TMP/r2.out" "SELECT group_concat(json_extract(value,'\$.name')) FROM rec")" = "n1,n2,n3" ] &&
    pass "json" || fail "json output"
run_parapet "$TMP/r3" --db "$DB" sql "SELECT 'a,b' AS x, 'say \"hi\"' AS y" --format csv
[ "$(cat "$TMP/r3.out" | tr -d '\r')" = 'x,y
"a,b","say ""hi"""' ] && pass "csv quoting" || { fail "csv"; show "$TMP/r3"; }
run_parapet "$TMP/r4" --db "$DB" sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<5) SELECT sum(i) FROM n" --format jsonl
grep -q '15' "$TMP/r4.out" && pass "recursive CTE read" || fail "recursive CTE"
run_parapet "$TMP/r5" --db "$DB" sql "PRAGMA table_info(scans)"
expect_rc "$TMP/r5" 0 "a reporting pragma"

# refused QUERY WHAT: exit 2, one error line saying refused/not allowed
refused() {
    run_parapet "$TMP/w" --db "$DB" sql "$1"
    if [ "$RC" -eq 2 ] && grep -qiE '^parapet: error: sql: .*(refused|not allowed|read-only|readonly)' "$TMP/w.err"; then
        pass "refused: $2"
    else
        fail "not refused: $2 (exit $RC)"
        show "$TMP/w"
    fi
}
refused "INSERT INTO scans(started_at, status, providers) VALUES(1,'x','[]')" "INSERT"
refused "UPDATE scans SET status='x'" "UPDATE"
refused "DELETE FROM findings" "DELETE"
refused "DROP TABLE scans" "DROP TABLE"
refused "DROP VIEW resources" "DROP VIEW"
refused "CREATE TABLE t(x)" "CREATE TABLE"
refused "CREATE TEMP TABLE t(x)" "CREATE TEMP TABLE"
refused "ATTACH DATABASE '$TMP/other.db' AS o" "ATTACH"
refused "PRAGMA journal_mode=DELETE" "PRAGMA journal_mode=..."
refused "PRAGMA user_version=7" "PRAGMA user_version=..."
refused "PRAGMA writable_schema=ON" "PRAGMA writable_schema"
refused "WITH x AS (SELECT 1) DELETE FROM scans WHERE id IN (SELECT * FROM x)" "a CTE with a DELETE"
refused "WITH x AS (SELECT 1) INSERT INTO kv SELECT 'a','b',x'00',NULL FROM x" "a CTE with an INSERT"
refused "SELECT load_extension('/tmp/nothing.so')" "load_extension"
refused "BEGIN" "BEGIN"
refused "VACUUM" "VACUUM"
refused "REPLACE INTO kv VALUES('a','b',x'00',NULL)" "REPLACE"
run_parapet "$TMP/m" --db "$DB" sql "SELECT 1; DELETE FROM scans"
expect_rc "$TMP/m" 2 "two statements"
[ ! -e "$TMP/other.db" ] && pass "ATTACH created no file" || fail "ATTACH created a file"

after=$(sqlite3 "$DB" "SELECT count(*) FROM scans; SELECT count(*) FROM resource_versions; PRAGMA journal_mode")
same_lines "the store is unchanged" "$after" "$before"
[ "$(sqlite3 "$DB" "PRAGMA integrity_check")" = ok ] && pass "integrity" || fail "integrity"

# usage errors
run_parapet "$TMP/u1" --db "$DB" sql
expect_rc "$TMP/u1" 2 "sql without a query"
run_parapet "$TMP/u2" --db "$DB" sql "SELECT 1" --format xml
expect_rc "$TMP/u2" 2 "sql --format xml"
run_parapet "$TMP/u3" --db "$DB" sql "SELEC nonsense"
expect_rc "$TMP/u3" 2 "a syntax error"
run_parapet "$TMP/u4" --db "$TMP/missing.db" sql "SELECT 1"
expect_rc "$TMP/u4" 2 "sql without a store"
[ ! -e "$TMP/missing.db" ] && pass "sql created no store" || fail "sql created a store"

finish
