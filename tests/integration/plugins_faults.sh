#!/bin/sh
# plugins_faults.sh - a misbehaving plugin costs only its own results.
#
# tp_all runs beside a plugin that crashes (SIGSEGV), aborts (SIGABRT),
# hangs (with --task-timeout 2) or fails init. Each time (docs/cli.md):
#   - the exit status is 2;
#   - an error line names the misbehaving plugin (and the signal, task or
#     init message);
#   - every tp_all resource is in the jsonl output and in the store;
#   - the misbehaving plugin's other tasks delivered their resources.

. "${top_srcdir:?}/tests/integration/plugins_lib.sh"

TP_ALL_UIDS=$( (expected_uids tp_all "t0 t1 t2" 5
    for s in alloc http secret kv service; do echo "tp_all:svc:$s"; done) | LC_ALL=C sort)

# tp_all_complete OUT WHAT : tp_all's 20 resources in OUT.jsonl and OUT.db.
tp_all_complete() {
    if [ ! -f "$1.jsonl" ]; then
        fail "$2: the jsonl output $1.jsonl was written despite the failure"
        return
    fi
    same_lines "$2: all tp_all resources in the jsonl output" \
        "$(resource_uids "$1.jsonl" 'tp_all:%')" "$TP_ALL_UIDS"
    got=$(sqlite3 -batch -noheader -readonly "$1.db" \
        "SELECT DISTINCT uid FROM resources WHERE uid LIKE 'tp_all:%' ORDER BY 1;" 2>&1)
    same_lines "$2: all tp_all resources in the store" "$got" "$TP_ALL_UIDS"
}

# other_tasks_kept OUT PLUGIN WHAT : PLUGIN's tasks ok1 and ok2 delivered
# (in the jsonl output and in the store). The task that misbehaves is the
# second of three, so a host that runs the tasks of one worker in order
# must carry on with ok2 in a fresh worker to pass.
other_tasks_kept() {
    want=$(expected_uids "$2" "ok1 ok2" 4)
    same_lines "$3: $2's other tasks (ok1, ok2) in the jsonl output" \
        "$(resource_uids "$1.jsonl" "$2:%")" "$want"
    got=$(sqlite3 -batch -noheader -readonly "$1.db" \
        "SELECT DISTINCT uid FROM resources WHERE uid LIKE '$2:%' ORDER BY 1;" 2>&1)
    same_lines "$3: $2's other tasks (ok1, ok2) in the store" "$got" "$want"
}

# scan_error_row OUT PLUGIN TASK WHAT : the store has a scan_errors row.
scan_error_row() {
    n=$(sqlite3 -batch -noheader -readonly "$1.db" \
        "SELECT count(*) FROM scan_errors WHERE plugin='$2' AND task='$3';" 2>&1)
    check "$4: scan_errors has a row for $2 task $3 (got $n)" test "$n" = 1
}

# ---- crash (SIGSEGV) ---------------------------------------------------------
DIR=$(plugin_dir crash tp_all tp_crash) || exit 1
out="$TMP/crash"
run_parapet "$out" --plugin-dir "$DIR" --db "$out.db" scan tp_all,tp_crash \
    --isolation process --output "jsonl:$out.jsonl" -o jsonl.resources=true
expect_rc "$out" 2 "crash"
if error_line "$out" "tp_crash" | grep -q -E 'signal 11|SIGSEGV'; then
    pass "crash: an error line names tp_crash and the signal"
else
    fail "crash: an error line names tp_crash and the signal (11 / SIGSEGV)"
    show "$out"
fi
check "crash: the error names the task 'boom'" sh -c "grep -E '^parapet: error: |level=error' '$out.err' | grep tp_crash | grep -q boom"
tp_all_complete "$out" crash
other_tasks_kept "$out" tp_crash crash
scan_error_row "$out" tp_crash boom crash

# ---- abort (SIGABRT) ---------------------------------------------------------
DIR=$(plugin_dir abort tp_all tp_abort) || exit 1
out="$TMP/abort"
run_parapet "$out" --plugin-dir "$DIR" --db "$out.db" scan tp_all,tp_abort \
    --isolation process --output "jsonl:$out.jsonl" -o jsonl.resources=true
expect_rc "$out" 2 "abort"
if error_line "$out" "tp_abort" | grep -q -E 'signal 6|SIGABRT'; then
    pass "abort: an error line names tp_abort and the signal"
else
    fail "abort: an error line names tp_abort and the signal (6 / SIGABRT)"
    show "$out"
fi
tp_all_complete "$out" abort
other_tasks_kept "$out" tp_abort abort
scan_error_row "$out" tp_abort boom abort

# ---- hang, stopped by --task-timeout ------------------------------------------
DIR=$(plugin_dir hang tp_all tp_hang) || exit 1
out="$TMP/hang"
start=$(date +%s)
run_parapet "$out" --plugin-dir "$DIR" --db "$out.db" scan tp_all,tp_hang \
    --isolation process --task-timeout 2 --output "jsonl:$out.jsonl" -o jsonl.resources=true
took=$(($(date +%s) - start))
expect_rc "$out" 2 "hang"
check "hang: the scan finished soon after the 2 s task timeout (took ${took} s)" test "$took" -lt 60
if error_line "$out" "tp_hang" | grep -q stuck; then
    pass "hang: an error line names tp_hang and the task 'stuck'"
else
    fail "hang: an error line names tp_hang and the task 'stuck'"
    show "$out"
fi
check "hang: the error says it timed out" sh -c "grep -E '^parapet: error: |level=error' '$out.err' | grep tp_hang | grep -q -i -E 'time|deadline|hung|hang'"
tp_all_complete "$out" hang
other_tasks_kept "$out" tp_hang hang
scan_error_row "$out" tp_hang stuck hang

# ---- init fails ---------------------------------------------------------------
DIR=$(plugin_dir initfail tp_all tp_init_fail) || exit 1
for iso in process none; do
    out="$TMP/initfail-$iso"
    run_parapet "$out" --plugin-dir "$DIR" --db "$out.db" scan tp_all,tp_init_fail \
        --isolation "$iso" --output "jsonl:$out.jsonl" -o jsonl.resources=true
    expect_rc "$out" 2 "init failure ($iso)"
    if error_line "$out" "tp_init_fail" | grep -q "widget service at widget.invalid is unreachable"; then
        pass "init failure ($iso): an error line names tp_init_fail with its message"
    else
        fail "init failure ($iso): an error line names tp_init_fail with its message"
        show "$out"
    fi
    tp_all_complete "$out" "init failure ($iso)"
    n=$(resource_uids "$out.jsonl" 'tp_init_fail:%' | grep -c .)
    check "init failure ($iso): no tp_init_fail resources (got $n)" test "$n" = 0
done

finish
