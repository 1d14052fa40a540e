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
