#!/bin/sh
# policy_scan.sh - the rule engine inside a real scan: a snapshot of invented
# fx.* resources judged by the fixture rules (tests/fixtures/policy/rules),
# checked in the jsonl output and in the store.
. "$top_srcdir/tests/integration/plugins_lib.sh"

FX="$top_srcdir/tests/fixtures/policy"
SNAP_SO="$top_builddir/plugins/snapshot/.libs/snapshot.so"
[ -f "$SNAP_SO" ] || { echo "FAIL: $SNAP_SO is not built" >&2; exit 1; }
PD=$(plugin_dir plugins)
ln -sf "$SNAP_SO" "$PD/snapshot.so"

# line RULE UID : the jsonl finding of RULE on UID (one line)
line() {
    grep "\"rule_id\":\"$1\"" "$TMP/out.jsonl" | grep "\"resource_uid\":\"$2\""
}
# has RULE UID TEXT : the finding exists and contains TEXT
has() {
    _l=$(line "$1" "$2")
    [ -n "$_l" ] && case "$_l" in *"$3"*) return 0 ;; esac
    echo "  finding $1 on $2 lacks: $3; line: $_l" >&2
    return 1
}

run_parapet "$TMP/scan" --plugin-dir "$PD" scan snapshot "$FX/estate.jsonl" --no-default-rules \
    --rules "$FX/rules" --db "$TMP/db" --output "jsonl:$TMP/out.jsonl"
check "scan exits 0 (no --fail-on)" test "$RC" -eq 0
[ "$RC" -eq 0 ] || cat "$TMP/scan.err" >&2

check "open box fails with the rendered message" has fx-box-open fx:box:open1 '"status":"fail"'
check "message template rendered" has fx-box-open fx:box:open1 '"message":"Box open1 has its lid open (3 items)"'
check "evidence recorded" has fx-box-open fx:box:open1 '"evidence":{"lid":"open","items":[1,2,3]}'
check "compliance references" has fx-box-open fx:box:open1 '{"framework":"fx-bench-1.0","requirement":"1.1"}'
check "severity from the rule" has fx-box-open fx:box:open1 '"severity":"high"'
check "closed box passes" has fx-box-open fx:box:closed1 '"status":"pass"'
check "heavy box fails" has fx-box-heavy fx:box:closed1 '"message":"Box weighs 500 kg"'
check "a box without weight is an error with the reason" has fx-box-heavy fx:box:nolid 'no such key: weight'
check "applies false gives no finding" test -z "$(line fx-box-open fx:box:nolid)"
check "user without MFA fails" has fx-user-no-mfa fx:user:bob '"status":"fail"'
check "a type error is an error finding" has fx-user-no-mfa fx:user:eve '"status":"error"'
check "an unjudged type gets no finding" test -z "$(grep '"resource_uid":"fx:other:1"' "$TMP/out.jsonl")"
check "exactly 7 findings" test "$(wc -l <"$TMP/out.jsonl")" -eq 7

n=$(sqlite3 "$TMP/db" "SELECT count(*) FROM findings WHERE rule_id='fx-box-open' AND resource_uid='fx:box:open1'" 2>&1)
check "the failing finding is in the store (got: $n)" test "$n" = 1
n=$(sqlite3 "$TMP/db" "SELECT count(DISTINCT rule_id || ' ' || resource_uid) FROM findings" 2>&1)
check "all 7 findings are in the store (got: $n)" test "$n" = 7

# --fail-on high: the high failure makes the scan exit 1
run_parapet "$TMP/scan2" --plugin-dir "$PD" scan snapshot "$FX/estate.jsonl" --no-default-rules \
    --rules "$FX/rules" --db "$TMP/db2" --fail-on high -q
check "--fail-on high exits 1" test "$RC" -eq 1

# a broken rule pack stops nothing silently: the scan reports it
mkdir -p "$TMP/bad/fx"
printf '{"format": 1, "rules": [{"id": "fx-bad", "violation": "1 +"}]}\n' >"$TMP/bad/fx/bad.json"
run_parapet "$TMP/scan3" --plugin-dir "$PD" scan snapshot "$FX/estate.jsonl" --no-default-rules \
    --rules "$TMP/bad" --db "$TMP/db3"
check "a bad rule pack makes the scan exit 2" test "$RC" -eq 2
check "and says which file and rule" grep -q "bad.json: rule 'fx-bad'" "$TMP/scan3.err" "$TMP/scan3.out"

finish
