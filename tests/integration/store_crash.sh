#!/bin/sh
# tests/integration/store_crash.sh - SIGKILL real scans at random moments:
# the store stays consistent (PRAGMA integrity_check), the earlier complete
# scan's data and lifecycle are intact, the killed scan is marked aborted at
# the next open, and the store keeps working.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"

SNAP_SO="$top_builddir/plugins/snapshot/.libs/snapshot.so"
D="$TMP/plugins"
mkdir -p "$D"
ln -s "$SNAP_SO" "$D/snapshot.so"
RULES="$top_srcdir/tests/fixtures/store/rules"
DB="$TMP/store.db"
ITERATIONS=${PP_CRASH_ITERATIONS:-12}

# gen N FILE: N store.item resources, every 7th bad, every 5th big
gen() {
    awk -v n="$1" 'BEGIN {
        for (i = 0; i < n; i++)
            printf "{\"uid\":\"item-%07d\",\"type\":\"store.item\",\"provider\":\"acme\",\"account\":\"%d\",\"region\":\"eu-west-1\",\"name\":\"n%d\",\"tags\":{\"i\":\"%d\"},\"data\":{\"bad\":%s,\"size\":%d,\"level\":%d,\"pad\":\"%s\"}}\n",
                i, i % 4, i, i, (i % 7 == 0) ? "true" : "false", (i % 5 == 0) ? 50 : 1, i % 3,
                "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789";
    }' >"$2"
}

gen 3000 "$TMP/small.jsonl"
# big enough that no scan can finish before the latest kill (3 s), even in
# an optimised build on a fast machine: the checks below assume every kill
# lands in a running scan or leaves one that never completed
gen 500000 "$TMP/big.jsonl"

run_parapet "$TMP/base" --plugin-dir "$D" --db "$DB" scan snapshot "$TMP/small.jsonl" --rules "$RULES" \
    --no-default-rules
expect_rc "$TMP/base" 0 "the first, complete scan"
# what must survive every kill
snapshot_of_scan1() {
    sqlite3 "$DB" "SELECT status, resources, findings FROM scans WHERE id=1;
        SELECT count(*), sum(json_extract(data,'\$.size')), max(uid) FROM resources WHERE scan_id=1;
        SELECT count(*), sum(status='fail') FROM findings WHERE scan_id=1;
        SELECT json_extract(data,'\$.pad') || name FROM resources WHERE scan_id=1 AND uid='item-0002999';
        SELECT count(*) FROM finding_lifecycle WHERE scan_id=1 AND lifecycle='new';
        SELECT count(*), sum(status='open') FROM finding_state"
}
want=$(snapshot_of_scan1)
case "$want" in
complete\|3000\|*) pass "scan 1 stored" ;;
*) fail "scan 1 is not what it should be: $want" ;;
esac

i=0
killed_running=0
while [ "$i" -lt "$ITERATIONS" ]; do
    # delays from 0 to ~3 s, different on each run and iteration
    delay=$(awk -v s="$$" -v i="$i" 'BEGIN { srand(s * 31 + i); printf "%.2f", (i % 4 == 0 ? 0.05 : 0) + rand() * 3 }')
    iso=process
    [ $((i % 3)) -eq 2 ] && iso=none
    "$PARAPET" --plugin-dir "$D" --db "$DB" scan snapshot "$TMP/big.jsonl" --rules "$RULES" --no-default-rules \
        --isolation "$iso" </dev/null >"$TMP/k.out" 2>"$TMP/k.err" &
    pid=$!
    CLEANUP_PIDS="$pid"
    sleep "$delay"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    CLEANUP_PIDS=""
    last=$(sqlite3 "$DB" "SELECT status FROM scans ORDER BY id DESC LIMIT 1")
    [ "$last" = running ] && killed_running=$((killed_running + 1))
    ok=$(sqlite3 "$DB" "PRAGMA integrity_check")
    [ "$ok" = ok ] && pass "kill $i after ${delay}s ($iso, last scan $last): integrity ok" ||
        fail "kill $i after ${delay}s: integrity_check says $ok"
    got=$(snapshot_of_scan1)
    same_lines "kill $i: scan 1 intact" "$got" "$want"
    # the next open (any command that opens the store for writing) marks it aborted
    run_parapet "$TMP/open" --db "$DB" suppress list
    left=$(sqlite3 "$DB" "SELECT count(*) FROM scans WHERE status='running'")
    [ "$left" = 0 ] && pass "kill $i: no scan left running after the next open" ||
        fail "kill $i: $left scan(s) still running"
    i=$((i + 1))
done
[ "$killed_running" -ge $((ITERATIONS / 2)) ] && pass "$killed_running of $ITERATIONS kills hit a running scan" ||
    fail "only $killed_running of $ITERATIONS kills hit a running scan: the scans are too short"
n=$(sqlite3 "$DB" "SELECT count(*) FROM scans WHERE status='aborted'")
[ "$n" -ge "$killed_running" ] && pass "$n killed scans marked aborted" || fail "$n aborted, $killed_running killed"

# Killed scans never touched the lifecycle; a complete scan after them still
# sees scan 1's failures as open.
run_parapet "$TMP/after" --plugin-dir "$D" --db "$DB" scan snapshot "$TMP/small.jsonl" --rules "$RULES" \
    --no-default-rules
expect_rc "$TMP/after" 0 "a complete scan after the kills"
v=$(sqlite3 "$DB" "SELECT count(*) FROM finding_lifecycle WHERE scan_id=(SELECT max(id) FROM scans) AND lifecycle<>'open'")
[ "$v" = 0 ] && pass "after the kills every failure of scan 1 is open, none new or resolved" ||
    fail "$v findings of the last scan are not 'open'"
[ "$(sqlite3 "$DB" "PRAGMA integrity_check")" = ok ] && pass "final integrity" || fail "final integrity"

finish
