#!/bin/sh
# feed_worker.sh - threat-feed plugins run in a worker process: a feed
# plugin that crashes (SIGSEGV, SIGABRT) or fails does not take the CLI
# down, is named in a clear error, and leaves its feed with the rows it had;
# what another feed plugin loaded in the same command is kept, and records
# come back over the worker channel (the KEV/EPSS/lists of the feeds plugin
# through a real import).
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"
. "$top_srcdir/tests/integration/feed_lib.sh"

PDIR=$(feed_plugin_dir plugins)
[ -f "$TP_LIBS/tp_feed_crash.so" ] || { echo "FAIL: test plugin not built: $TP_LIBS/tp_feed_crash.so" >&2; exit 1; }
ln -sf "$TP_LIBS/tp_feed_crash.so" "$PDIR/tp_feed_crash.so"
DB="$TMP/f.db"
P="--plugin-dir $PDIR --db $DB"
feed_rows() { q "$DB" "SELECT value FROM indicators WHERE feed='list:tp_feed_crash' ORDER BY value" | tr '\n' ' '; }

# a good run first: three indicators, through the worker
# shellcheck disable=SC2086
run_parapet "$TMP/ok" $P feed update --plugin tp_feed_crash
expect_rc "$TMP/ok" 0 "update with the plugin in mode ok"
same_lines "the worker's records reached the store" "$(feed_rows)" "203.0.113.1 203.0.113.2 203.0.113.3 "
same_lines "the update reports the feed" "$(cat "$TMP/ok.out")" "list:tp_feed_crash: 3 records"
before=$(q "$DB" "SELECT updated_at FROM feed_state WHERE feed='list:tp_feed_crash'")

for mode in crash abort fail; do
    # shellcheck disable=SC2086
    run_parapet "$TMP/$mode" $P feed update --plugin tp_feed_crash -o tp_feed_crash.mode=$mode
    expect_rc "$TMP/$mode" 2 "update with a plugin that does '$mode'"
    case $mode in
    crash) want="feed plugin 'tp_feed_crash' crashed with signal 11 (SIGSEGV); its feeds were left as they were" ;;
    abort) want="feed plugin 'tp_feed_crash' crashed with signal 6 (SIGABRT); its feeds were left as they were" ;;
    fail) want="feed plugin 'tp_feed_crash': tp_feed_crash: failing on purpose; its feeds were left as they were" ;;
    esac
    grep -qF "parapet: error: $want" "$TMP/$mode.err" && pass "$mode: the error names the plugin and what happened" ||
        { fail "$mode: no clear error"; show "$TMP/$mode"; }
    same_lines "$mode: the feed keeps its previous rows (the two emitted before the failure are gone)" \
        "$(feed_rows)" "203.0.113.1 203.0.113.2 203.0.113.3 "
    check "$mode: its state is unchanged" [ "$(q "$DB" "SELECT updated_at FROM feed_state WHERE feed='list:tp_feed_crash'")" = "$before" ]
    grep -q 'about to fail on purpose' "$TMP/$mode.err" && pass "$mode: the worker's log reached the CLI" ||
        fail "$mode: the worker's log line is missing"
done

# a plugin that never returns: the time limit stops it, the command ends
# soon after the limit, the error names the plugin and the limit, and the
# feed keeps its rows (update and import alike)
for sub in update import; do
    if [ $sub = update ]; then args="feed update --plugin tp_feed_crash"; else
        printf 'x\n' >"$TMP/hang.txt"
        args="feed import $TMP/hang.txt --unsigned --plugin tp_feed_crash"
    fi
    t0=$(date +%s)
    # shellcheck disable=SC2086
    run_parapet "$TMP/hang-$sub" $P $args --timeout 2 -o tp_feed_crash.mode=hang
    t1=$(date +%s)
    expect_rc "$TMP/hang-$sub" 2 "$sub with a plugin that hangs"
    check "$sub: the command ended soon after the 2 s limit (took $((t1 - t0)) s)" [ $((t1 - t0)) -le 20 ]
    want="feed plugin 'tp_feed_crash' did not finish within 2 s (--timeout); its worker was stopped and its feeds were left as they were"
    grep -qF "parapet: error: $want" "$TMP/hang-$sub.err" && pass "$sub: the error names the plugin and the limit" ||
        { fail "$sub: no clear time-limit error"; show "$TMP/hang-$sub"; }
    same_lines "$sub: the feed keeps its previous rows after the hang" "$(feed_rows)" "203.0.113.1 203.0.113.2 203.0.113.3 "
    check "$sub: its state is unchanged after the hang" [ "$(q "$DB" "SELECT updated_at FROM feed_state WHERE feed='list:tp_feed_crash'")" = "$before" ]
done
# the limit from the configuration file ([core] feed_timeout)
printf '[core]\nfeed_timeout = 2\n' >"$TMP/parapet.conf"
# shellcheck disable=SC2086
run_parapet "$TMP/hang-conf" --config "$TMP/parapet.conf" $P feed update --plugin tp_feed_crash -o tp_feed_crash.mode=hang
expect_rc "$TMP/hang-conf" 2 "update with a hanging plugin and feed_timeout = 2 in the config file"
grep -qF "did not finish within 2 s" "$TMP/hang-conf.err" && pass "the config file's limit applies" ||
    { fail "the config file's feed_timeout was not applied"; show "$TMP/hang-conf"; }
exe=$(readlink -f "$PARAPET")
check "no hung worker is left behind" [ -z "$(pgrep -f "^$exe __worker" 2>/dev/null)" ]
# shellcheck disable=SC2086
run_parapet "$TMP/badtmo" $P feed update --plugin tp_feed_crash --timeout 2s
expect_rc "$TMP/badtmo" 2 "a malformed --timeout is a usage error"
grep -q "must be a number of seconds" "$TMP/badtmo.err" && pass "the usage error explains --timeout" ||
    { fail "no usage error for --timeout 2s"; show "$TMP/badtmo"; }

# an import through both plugins in one command: the feeds plugin's records
# are kept although the other crashed
printf '192.0.2.0/24 ; SBL1\n' >"$TMP/drop.txt"
# shellcheck disable=SC2086
run_parapet "$TMP/both" $P feed import "$TMP/drop.txt" --unsigned --plugin feeds
expect_rc "$TMP/both" 0 "the feeds plugin imports in its worker"
# shellcheck disable=SC2086
run_parapet "$TMP/upd" $P feed update -o tp_feed_crash.mode=crash -o feeds.sources=lists -o feeds.lists=
expect_rc "$TMP/upd" 2 "an update of every feed plugin with one crashing"
grep -q "crashed with signal 11" "$TMP/upd.err" && pass "the crash is reported while the other plugin ran" ||
    { fail "crash not reported"; show "$TMP/upd"; }
same_lines "the blocklist imported earlier is still there" \
    "$(q "$DB" "SELECT value FROM indicators WHERE feed='list:drop'")" "192.0.2.0/24"
same_lines "and the crashed plugin's feed too" "$(feed_rows)" "203.0.113.1 203.0.113.2 203.0.113.3 "
check "the store is intact" [ "$(q "$DB" "PRAGMA integrity_check")" = ok ]

finish
