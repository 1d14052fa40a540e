#!/bin/sh
# tests/integration/store_lifecycle.sh - the finding lifecycle over real
# scans of changing snapshot files with the fixture rules
# (tests/fixtures/store/rules): new, open, resolved (passing or gone),
# muted by a suppression, reopened once it expires; `parapet findings`
# filters, `diff`, `compliance`, `suppress` and `--keep-scans` retention.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"

SNAP_SO="$top_builddir/plugins/snapshot/.libs/snapshot.so"
D="$TMP/plugins"
mkdir -p "$D"
ln -s "$SNAP_SO" "$D/snapshot.so"
ln -s "$JSONL_SO" "$D/jsonl.so"
RULES="$top_srcdir/tests/fixtures/store/rules"
DB="$TMP/store.db"

# item UID BAD LEVEL [TAGS]: one store.item resource line
item() {
    printf '{"uid":"%s","type":"store.item","provider":"acme","account":"111","region":"eu-west-1","name":"%s","tags":%s,"data":{"bad":%s,"level":%s,"size":1}}\n' \
        "$1" "$1" "${4:-{\}}" "$2" "$3"
}

# scan NAME [OPTION...]: scan $TMP/NAME.jsonl into the store
scan() {
    _n=$1
    shift
    run_parapet "$TMP/$_n" --plugin-dir "$D" --db "$DB" scan snapshot "$TMP/$_n.jsonl" --rules "$RULES" \
        --no-default-rules "$@"
}

# count LIFECYCLE [SCAN]: findings of that lifecycle in the scan (default latest)
count() {
    run_parapet "$TMP/count" --db "$DB" findings --lifecycle "$1" --scan "${2:-latest}" --format jsonl
    if [ "$RC" -ne 0 ]; then
        show "$TMP/count"
        echo "?"
        return
    fi
    grep -c "\"lifecycle\":\"$1\"" "$TMP/count.out"
}

# expect_counts SCAN WHAT new open reopened resolved muted
expect_counts() {
    got="$(count new "$1") $(count open "$1") $(count reopened "$1") $(count resolved "$1") $(count muted "$1")"
    want="$3 $4 $5 $6 $7"
    [ "$got" = "$want" ] && pass "$2: new/open/reopened/resolved/muted = $want" ||
        fail "$2: new/open/reopened/resolved/muted = $got, expected $want"
}

# Commands on a store that does not exist: a clear error, no file created.
run_parapet "$TMP/nostore" --db "$TMP/none.db" findings
expect_rc "$TMP/nostore" 2 "findings without a store"
error_line "$TMP/nostore" "no store here yet" >/dev/null && pass "says there is no store" || fail "no clear error"
[ ! -e "$TMP/none.db" ] && pass "findings created no store" || fail "findings created a store file"

# Scan 1: i1, i2, i4 (env=dev), i5 bad; i3 fine.
{
    item i1 true 1
    item i2 true 1
    item i3 false 1
    item i4 true 1 '{"env":"dev"}'
    item i5 true 1
} >"$TMP/s1.jsonl"
scan s1
expect_rc "$TMP/s1" 0 "scan 1"
expect_counts 1 "scan 1" 4 0 0 0 0

# A suppression for the dev item, then one that is already expired is refused.
run_parapet "$TMP/sa" --db "$DB" suppress add --rule 'store-item-*' --tag env=dev --reason "dev data" \
    --owner alice --for 30d
expect_rc "$TMP/sa" 0 "suppress add"
run_parapet "$TMP/sb" --db "$DB" suppress add --rule 'store-*' --reason r --owner bob --expires 2001-01-01
expect_rc "$TMP/sb" 2 "suppress add with a past expiry"
run_parapet "$TMP/sc" --db "$DB" suppress add --rule 'store-*' --reason r
expect_rc "$TMP/sc" 2 "suppress add without an owner"
run_parapet "$TMP/sd" --db "$DB" suppress add --rule 'store-*' --reason r --owner o --resource '(['
expect_rc "$TMP/sd" 2 "suppress add with a bad regex"

# Scan 2: i1 still bad (open), i2 fixed (resolved), i3 now bad (new), i4
# muted, i5 gone (resolved: the scan is complete and from the same plugin).
{
    item i1 true 1
    item i2 false 1
    item i3 true 1
    item i4 true 1 '{"env":"dev"}'
} >"$TMP/s2.jsonl"
scan s2
expect_rc "$TMP/s2" 0 "scan 2"
expect_counts 2 "scan 2" 1 1 0 2 1
n=$(sqlite3 "$DB" "SELECT count(*) FROM findings WHERE scan_id=2 AND status='muted' AND resource_uid='i4'")
[ "$n" = 1 ] && pass "the suppression muted i4" || fail "i4 muted $n times"
# the resolved-because-gone row has the details of its last failure
run_parapet "$TMP/gone" --db "$DB" findings --lifecycle resolved --format json
v=$(json_sql "$TMP/gone.out" "SELECT group_concat(json_extract(value,'\$.resource_uid') || ':' || \
coalesce(json_extract(value,'\$.status'),'gone') || ':' || json_extract(value,'\$.severity'), ' ') FROM \
(SELECT value FROM rec ORDER BY json_extract(value,'\$.resource_uid'))")
[ "$v" = "i2:pass:high i5:gone:high" ] && pass "resolved rows: passing and gone" || fail "resolved rows: $v"

# The suppression expires (its clock moved): it stops muting and is reported.
sqlite3 "$DB" "UPDATE suppressions SET expires_at = strftime('%s','now') - 60"
run_parapet "$TMP/sl" --db "$DB" suppress list
expect_rc "$TMP/sl" 0 "suppress list"
grep -q "expired and no longer mute" "$TMP/sl.err" && pass "list warns about the expired suppression" ||
    { fail "no warning about the expired suppression"; show "$TMP/sl"; }
run_parapet "$TMP/sla" --db "$DB" suppress list --all
grep -q "EXPIRED.*--rule store-item-\* --tag env=dev" "$TMP/sla.out" && pass "list --all marks it EXPIRED" ||
    { fail "list --all does not show it expired"; show "$TMP/sla"; }

# Scan 3: i1 fixed (resolved), i2 bad again (reopened), i3 still bad with
# another message (open, changed), i4 no longer muted (open).
{
    item i1 false 1
    item i2 true 1
    item i3 true 2
    item i4 true 1 '{"env":"dev"}'
} >"$TMP/s3.jsonl"
scan s3
expect_rc "$TMP/s3" 0 "scan 3"
expect_counts 3 "scan 3" 0 2 1 1 0
grep -qi "suppression 1 .*expired" "$TMP/s3.err" && pass "the scan reports the expired suppression" ||
    fail "the scan does not mention the expired suppression"
n=$(sqlite3 "$DB" "SELECT times_reopened || ' ' || status FROM finding_state WHERE resource_uid='i2' AND rule_id='store-item-bad'")
[ "$n" = "1 open" ] && pass "i2 reopened once" || fail "i2 state: $n"

# Filters and --fail-on.
run_parapet "$TMP/f1" --db "$DB" findings --severity high --fail-on high
expect_rc "$TMP/f1" 1 "findings --fail-on high with high failures"
run_parapet "$TMP/f2" --db "$DB" findings --severity low --fail-on low --format json
expect_rc "$TMP/f2" 0 "findings with no low failures"
[ "$(json_sql "$TMP/f2.out" "SELECT count(*) FROM rec")" = 0 ] && pass "no low findings" || fail "low findings listed"
run_parapet "$TMP/f3" --db "$DB" findings --rule 'store-item-b*' --format jsonl --scan 1
[ "$(grep -c '"rule_id":"store-item-bad"' "$TMP/f3.out")" = 4 ] && pass "--rule glob and --scan" ||
    { fail "--rule glob"; show "$TMP/f3"; }
run_parapet "$TMP/f4" --db "$DB" findings --framework store-fw --format jsonl
[ "$(wc -l <"$TMP/f4.out")" = 3 ] && pass "--framework" || { fail "--framework"; show "$TMP/f4"; }
run_parapet "$TMP/f5" --db "$DB" findings --framework nope --format jsonl
[ ! -s "$TMP/f5.out" ] && pass "--framework of nothing" || fail "--framework nope listed findings"
run_parapet "$TMP/f6" --db "$DB" findings --since 2100-01-01 --format jsonl
[ ! -s "$TMP/f6.out" ] && pass "--since in the future" || fail "--since listed findings"
run_parapet "$TMP/f7" --db "$DB" findings --status bogus
expect_rc "$TMP/f7" 2 "findings --status bogus"
run_parapet "$TMP/f8" --db "$DB" findings --scan 99
expect_rc "$TMP/f8" 2 "findings --scan of no scan"

# diff: the two latest scans (2 -> 3), and json.
run_parapet "$TMP/d" --db "$DB" diff --format json
expect_rc "$TMP/d" 0 "diff"
echo "[$(cat "$TMP/d.out")]" >"$TMP/d.json"
v=$(json_sql "$TMP/d.json" "SELECT json_extract(value,'\$.from') || '>' || json_extract(value,'\$.to') || ' new=' || \
(SELECT group_concat(json_extract(j.value,'\$.resource_uid')) FROM json_each(json_extract(rec.value,'\$.new')) j) || ' resolved=' || \
(SELECT group_concat(json_extract(j.value,'\$.resource_uid')) FROM json_each(json_extract(rec.value,'\$.resolved')) j) || ' changed=' || \
(SELECT group_concat(json_extract(j.value,'\$.resource_uid')) FROM json_each(json_extract(rec.value,'\$.changed')) j) FROM rec")
[ "$v" = "2>3 new=i2,i4 resolved=i1 changed=i3" ] && pass "diff: new, resolved, changed" || fail "diff: $v"
run_parapet "$TMP/d2" --db "$DB" diff 1 3
grep -q "scan 1 -> scan 3: 1 new, 2 resolved, 0 changed" "$TMP/d2.out" && pass "diff 1 3 text" ||
    { fail "diff 1 3"; show "$TMP/d2"; }

# compliance against the fixture framework
run_parapet "$TMP/c" --db "$DB" compliance store-fw --frameworks "$RULES/frameworks" --format json
expect_rc "$TMP/c" 0 "compliance"
echo "[$(cat "$TMP/c.out")]" >"$TMP/c.json"
v=$(json_sql "$TMP/c.json" "SELECT group_concat(json_extract(r.value,'\$.id') || '=' || json_extract(r.value,'\$.status'), ' ') \
FROM rec, json_each(json_extract(rec.value,'\$.frameworks[0].requirements')) r")
[ "$v" = "1.1=fail 1.2=pass 1.3=manual 1.4=not covered" ] && pass "compliance per requirement" || fail "compliance: $v"

# Retention: a fourth scan keeping 2 scans leaves scans 3 and 4 and no
# orphaned resource versions.
cp "$TMP/s3.jsonl" "$TMP/s4.jsonl"
scan s4 --keep-scans 2
expect_rc "$TMP/s4" 0 "scan 4 with --keep-scans 2"
v=$(sqlite3 "$DB" "SELECT group_concat(id) FROM scans")
[ "$v" = "3,4" ] && pass "retention kept scans 3 and 4" || fail "scans left: $v"
v=$(sqlite3 "$DB" "SELECT (SELECT count(*) FROM resources) || ' ' || (SELECT count(*) FROM resource_versions) || ' ' || \
(SELECT count(*) FROM findings WHERE scan_id < 3)")
[ "$v" = "8 4 0" ] && pass "retention: resources stored once, old rows gone" || fail "after retention: $v"
[ "$(sqlite3 "$DB" "PRAGMA integrity_check")" = ok ] && pass "integrity after retention" || fail "integrity"

# Unchanged resources cost no new version.
v=$(sqlite3 "$DB" "SELECT count(*) FROM resource_versions WHERE id IN (SELECT version FROM scan_resources WHERE scan_id=4) \
AND id IN (SELECT version FROM scan_resources WHERE scan_id=3)")
[ "$v" = 4 ] && pass "scan 4 reused scan 3's resource versions" || fail "shared versions: $v"

# suppress remove
run_parapet "$TMP/sr" --db "$DB" suppress remove 1
expect_rc "$TMP/sr" 0 "suppress remove"
run_parapet "$TMP/sr2" --db "$DB" suppress remove 1
expect_rc "$TMP/sr2" 2 "suppress remove of a removed one"

finish
