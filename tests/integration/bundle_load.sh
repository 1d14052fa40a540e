#!/bin/sh
# tests/integration/bundle_load.sh - installed bundles as the loader sees
# them: a signed bundle loads as verified and scans; its .so is re-hashed
# before every load, so a modified one is refused by name; an unsigned one
# loads only when installed with --allow-unsigned and is marked so; a bundle
# whose plugin calls itself by another name is refused; loose .so files are
# development mode and say so.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"

SNAP_SO="$top_builddir/plugins/snapshot/.libs/snapshot.so"
mkdir -p "$TMP/keys" "$TMP/plugins" "$TMP/out"
printf '{"uid":"u1","type":"aws.s3.bucket","provider":"aws"}\n{"uid":"u2","type":"aws.s3.bucket","provider":"aws"}\n' \
    >"$TMP/estate.jsonl"

# stage NAME SO : a bundle staging tree with lib/NAME.so copied from SO
stage() {
    rm -rf "$TMP/stage/$1"
    mkdir -p "$TMP/stage/$1/lib"
    cp "$2" "$TMP/stage/$1/lib/$1.so"
    cp "$top_srcdir/LICENSE" "$TMP/stage/$1/LICENSE"
}

run_parapet "$TMP/kg" plugin keygen --unencrypted "$TMP/k"
expect_rc "$TMP/kg" 0 "keygen"
cp "$TMP/k.pub" "$TMP/keys/"
keyid=$(sed -n 's/.*minisign public key \([0-9A-F]*\).*/\1/p' "$TMP/k.pub" | head -n 1)

stage snapshot "$SNAP_SO"
run_parapet "$TMP/pack" plugin pack "$TMP/stage/snapshot" --output-dir "$TMP/out" --name snapshot \
    --version 0.1.0 --kinds provider
expect_rc "$TMP/pack" 0 "pack"
B=$(ls "$TMP"/out/snapshot-0.1.0-*.tar.gz)
run_parapet "$TMP/sign" plugin sign --key "$TMP/k.key" "$B"
expect_rc "$TMP/sign" 0 "sign"
P="--plugin-dir $TMP/plugins --keys-dir $TMP/keys"
# shellcheck disable=SC2086
run_parapet "$TMP/inst" $P plugin install "$B"
expect_rc "$TMP/inst" 0 "install a signed bundle"

# shellcheck disable=SC2086
run_parapet "$TMP/list" $P plugin list --format json
cp "$TMP/list.out" "$TMP/list.json"
row=$(json_sql "$TMP/list.json" "SELECT json_extract(value,'\$.source'), json_extract(value,'\$.verified'),
      json_extract(value,'\$.signer'), json_extract(value,'\$.status') FROM rec WHERE json_extract(value,'\$.name')='snapshot';")
[ "$row" = "bundle|1|$keyid|ok" ] && pass "listed as a verified bundle signed by $keyid" || fail "list row is '$row' (key $keyid)"
if grep -q 'development mode' "$TMP/list.err"; then fail "a bundle-only dir warned about development mode"; else
    pass "no development-mode warning for bundles"; fi

# shellcheck disable=SC2086
run_parapet "$TMP/scan" $P --db "$TMP/a.db" scan snapshot "$TMP/estate.jsonl"
expect_rc "$TMP/scan" 0 "scan with the installed bundle"
n=$(sqlite3 "$TMP/a.db" "SELECT count(*) FROM resources")
[ "$n" = 2 ] && pass "the bundle's plugin imported both resources" || fail "$n resources"

# Tamper with the installed .so: refused before it is loaded, by name.
printf 'x' >>"$TMP/plugins/snapshot/lib/snapshot.so"
# shellcheck disable=SC2086
run_parapet "$TMP/list2" $P plugin list --format json
cp "$TMP/list2.out" "$TMP/list2.json"
st=$(json_sql "$TMP/list2.json" "SELECT json_extract(value,'\$.status') FROM rec WHERE json_extract(value,'\$.name')='snapshot';")
[ "$st" = refused ] && pass "modified .so refused" || fail "modified .so has status '$st'"
grep -q 'modified after installation' "$TMP/list2.json" && pass "the reason says it was modified" ||
    fail "no 'modified after installation' in the reason"
# shellcheck disable=SC2086
run_parapet "$TMP/scan2" $P --db "$TMP/b.db" scan snapshot "$TMP/estate.jsonl"
expect_rc "$TMP/scan2" 2 "scan with a modified plugin"
error_line "$TMP/scan2" "snapshot.*integrity" >/dev/null && pass "scan names the modified plugin" ||
    { fail "scan error does not name it"; show "$TMP/scan2"; }

# An unsigned bundle: refused without --allow-unsigned, marked when allowed.
# shellcheck disable=SC2086
run_parapet "$TMP/rm" $P plugin remove snapshot
expect_rc "$TMP/rm" 0 "remove"
rm -f "$B.minisig"
# shellcheck disable=SC2086
run_parapet "$TMP/inst2" $P plugin install "$B"
expect_rc "$TMP/inst2" 1 "an unsigned bundle is refused by default"
# shellcheck disable=SC2086
run_parapet "$TMP/inst3" $P plugin install "$B" --allow-unsigned
expect_rc "$TMP/inst3" 0 "an unsigned bundle with --allow-unsigned"
# shellcheck disable=SC2086
run_parapet "$TMP/list3" $P plugin list
grep -E '^snapshot .*UNVERIFIED' "$TMP/list3.out" >/dev/null && pass "unsigned plugin marked UNVERIFIED" ||
    { fail "not marked unverified"; show "$TMP/list3"; }

# A bundle named snapshot that carries the jsonl plugin: refused at load.
# shellcheck disable=SC2086
run_parapet "$TMP/rm2" $P plugin remove snapshot
stage snapshot "$JSONL_SO"
rm -rf "$TMP/out" && mkdir -p "$TMP/out"
run_parapet "$TMP/pack2" plugin pack "$TMP/stage/snapshot" --output-dir "$TMP/out" --name snapshot \
    --version 0.1.1 --kinds provider
B2=$(ls "$TMP"/out/snapshot-0.1.1-*.tar.gz)
run_parapet "$TMP/sign2" plugin sign --key "$TMP/k.key" "$B2"
# shellcheck disable=SC2086
run_parapet "$TMP/inst4" $P plugin install "$B2"
# shellcheck disable=SC2086
run_parapet "$TMP/list4" $P plugin list
grep -E "^snapshot .*refused: .*calls itself 'jsonl'" "$TMP/list4.out" >/dev/null &&
    pass "a bundle whose plugin has another name is refused" || { fail "name mismatch not refused"; show "$TMP/list4"; }

# Loose .so files: development mode, said out loud.
mkdir -p "$TMP/dev"
ln -s "$SNAP_SO" "$TMP/dev/snapshot.so"
run_parapet "$TMP/list5" --plugin-dir "$TMP/dev" plugin list --format json
cp "$TMP/list5.out" "$TMP/list5.json"
src=$(json_sql "$TMP/list5.json" "SELECT json_extract(value,'\$.source') FROM rec;")
[ "$src" = development ] && pass "loose .so listed as development" || fail "loose .so source is '$src'"
grep -q 'development mode' "$TMP/list5.err" && pass "development mode announced" || fail "no development-mode warning"

finish
