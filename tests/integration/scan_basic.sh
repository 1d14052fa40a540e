#!/bin/sh
# tests/integration/scan_basic.sh - the scan pipeline end to end with the
# real snapshot provider and jsonl output: what is imported is what is
# stored and written, in both isolation modes; the store keeps every scan;
# Ctrl-C stops a scan cleanly and keeps what was collected; usage errors
# exit 2 with one clear line.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"

SNAP_SO="$top_builddir/plugins/snapshot/.libs/snapshot.so"
D="$TMP/plugins"
mkdir -p "$D"
ln -s "$SNAP_SO" "$D/snapshot.so"
ln -s "$JSONL_SO" "$D/jsonl.so"

# A fixture of 500 resources over three providers and five types.
awk 'BEGIN {
    split("aws.s3.bucket aws.ec2.security_group azure.storage.account gcp.compute.firewall k8s.pod", t, " ");
    for (i = 0; i < 500; i++) {
        ty = t[i % 5 + 1]; split(ty, p, ".");
        printf "{\"uid\":\"res-%04d\",\"type\":\"%s\",\"provider\":\"%s\",\"account\":\"acct-%d\",", i, ty, p[1], i % 3;
        printf "\"name\":\"r%d\",\"tags\":{\"n\":\"%d\"},\"data\":{\"i\":%d,\"s\":\"caf\\u00e9\"}}\n", i, i, i;
    }
}' >"$TMP/estate.jsonl"

for iso in process none; do
    db="$TMP/$iso.db"
    run_parapet "$TMP/$iso" --plugin-dir "$D" --db "$db" scan snapshot "$TMP/estate.jsonl" \
        --isolation "$iso" --output "jsonl:$TMP/$iso.jsonl" -o jsonl.resources=true
    expect_rc "$TMP/$iso" 0 "scan with isolation $iso"
    n=$(sqlite3 "$db" "SELECT count(*) FROM resources")
    [ "$n" = 500 ] && pass "$iso: 500 resources stored" || fail "$iso: $n resources stored, expected 500"
    st=$(sqlite3 "$db" "SELECT status || ' ' || resources FROM scans")
    [ "$st" = "complete 500" ] && pass "$iso: scan row complete" || fail "$iso: scan row is '$st'"
    got=$(resource_uids "$TMP/$iso.jsonl" '%')
    want=$(awk 'BEGIN { for (i = 0; i < 500; i++) printf "res-%04d\n", i }')
    same_lines "$iso: every uid written to the jsonl output" "$got" "$want"
    # the stored data is the resource's data, byte for byte what JSON says
    v=$(sqlite3 "$db" "SELECT json_extract(data,'\$.s') || json_extract(tags,'\$.n') FROM resources WHERE uid='res-0042'")
    [ "$v" = "café42" ] && pass "$iso: data and tags stored" || fail "$iso: stored data is '$v'"
    # the summary counts resources per provider and type
    grep -Eq '^ +k8s +k8s\.pod +100$' "$TMP/$iso.out" && pass "$iso: summary per provider and type" ||
        { fail "$iso: summary lacks 'k8s k8s.pod 100'"; show "$TMP/$iso"; }
done

# A second scan into the same store keeps the first.
run_parapet "$TMP/again" --plugin-dir "$D" --db "$TMP/process.db" scan snapshot "$TMP/estate.jsonl"
expect_rc "$TMP/again" 0 "second scan"
n=$(sqlite3 "$TMP/process.db" "SELECT count(*) || '/' || count(DISTINCT scan_id) FROM resources")
[ "$n" = "1000/2" ] && pass "store keeps both scans" || fail "store holds $n (resources/scans)"

# Progress is never drawn when stderr is not a terminal.
if grep -q 'scanning:' "$TMP/again.err"; then fail "progress drawn into a pipe"; else pass "quiet in pipes"; fi

# ... and drawn on a terminal (script(1) gives the scan a pseudo-terminal).
if command -v script >/dev/null 2>&1; then
    script -qec "'$PARAPET' --plugin-dir '$D' --db '$TMP/tty.db' scan snapshot '$TMP/estate.jsonl'" /dev/null \
        </dev/null >"$TMP/tty.out" 2>&1
    grep -q 'scanning: tasks 1/1, 500 resources' "$TMP/tty.out" && pass "progress drawn on a terminal" ||
        { fail "no progress on a terminal"; sed -n '1,10p' "$TMP/tty.out" >&2; }
else
    fail "script(1) is needed to test progress on a terminal (apt-get install bsdutils)"
fi

# Ctrl-C: a scan whose provider is still reading a pipe is interrupted; what
# it collected so far is stored and the scan is marked interrupted.
mkfifo "$TMP/fifo"
"$PARAPET" --plugin-dir "$D" --db "$TMP/int.db" scan snapshot "$TMP/fifo" </dev/null \
    >"$TMP/int.out" 2>"$TMP/int.err" &
pid=$!
CLEANUP_PIDS="$pid"
exec 7>"$TMP/fifo"
head -n 100 "$TMP/estate.jsonl" >&7
sleep 2
kill -INT "$pid"
waited=0
while kill -0 "$pid" 2>/dev/null && [ $waited -lt 30 ]; do
    sleep 1
    waited=$((waited + 1))
done
wait "$pid"
RC=$?
exec 7>&-
expect_rc "$TMP/int" 2 "interrupted scan"
st=$(sqlite3 "$TMP/int.db" "SELECT status FROM scans")
[ "$st" = interrupted ] && pass "scan marked interrupted" || fail "scan status is '$st'"
n=$(sqlite3 "$TMP/int.db" "SELECT count(*) FROM resources")
[ "$n" = 100 ] && pass "resources collected before Ctrl-C kept" || { fail "$n resources kept, expected 100"; show "$TMP/int"; }
ok=$(sqlite3 "$TMP/int.db" "PRAGMA integrity_check")
[ "$ok" = ok ] && pass "store integrity after interruption" || fail "integrity_check: $ok"

# Usage errors: one clear line, exit 2, nothing scanned.
run_parapet "$TMP/u1" --plugin-dir "$D" --db "$TMP/u.db" scan nosuch "$TMP/estate.jsonl"
expect_rc "$TMP/u1" 2 "unknown provider"
error_line "$TMP/u1" "unknown provider 'nosuch'" >/dev/null && pass "unknown provider named" || { fail "no clear error"; show "$TMP/u1"; }
run_parapet "$TMP/u2" --plugin-dir "$D" --db "$TMP/u.db" scan snapshot "$TMP/estate.jsonl" --output xml:x.xml
expect_rc "$TMP/u2" 2 "unknown output format"
error_line "$TMP/u2" "format 'xml'" >/dev/null && pass "unknown format named" || { fail "no clear error"; show "$TMP/u2"; }
run_parapet "$TMP/u3" --plugin-dir "$D" scan snapshot -o junk
expect_rc "$TMP/u3" 2 "malformed -o"
run_parapet "$TMP/u4" --plugin-dir "$D" scan snapshot --fail-on severe
expect_rc "$TMP/u4" 2 "bad --fail-on"
run_parapet "$TMP/u5" --plugin-dir "$D" --db "$TMP/u.db" scan snapshot "$TMP/estate.jsonl" -o snapshot.nokey=1
expect_rc "$TMP/u5" 2 "unknown plugin config key"
error_line "$TMP/u5" "plugin 'snapshot'.*nokey" >/dev/null && pass "bad config key named" || { fail "config error unclear"; show "$TMP/u5"; }
run_parapet "$TMP/u6" --plugin-dir "$D" frobnicate
expect_rc "$TMP/u6" 2 "unknown command"

# A store path that cannot be created is one clear error.
run_parapet "$TMP/u7" --plugin-dir "$D" --db /proc/nope/x.db scan snapshot "$TMP/estate.jsonl"
expect_rc "$TMP/u7" 2 "unwritable store"
grep -q '/proc/nope/x.db' "$TMP/u7.err" && pass "store error names the path" || fail "store error does not name the path"

finish
