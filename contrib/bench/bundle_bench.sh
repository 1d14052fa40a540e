#!/bin/sh
# contrib/bench/bundle_bench.sh - how long the bundle checks take.
#
#   contrib/bench/bundle_bench.sh [TOOL]
#
# TOOL is a front end over bundle_cmd() (default: the test build's
# tests/unit/test_bundle_tool; `parapet plugin` works the same once wired).
# Reports, in one run on this machine:
#   1. verify + install of a signed bundle holding a 10 MB .so
#   2. re-hashing 50 installed plugins (what the loader does before loading)
#   3. SHA-256 throughput of the re-hash beside sha256sum on the same files
# Build without sanitizers for meaningful numbers.
set -eu

TOOL="${1:-${top_builddir:-.}/tests/unit/test_bundle_tool}"
[ -x "$TOOL" ] || { echo "bundle_bench: build $TOOL first (make check)" >&2; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/parapet-bundle-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }

mkdir -m 700 "$TMP/keys"
"$TOOL" keygen --unencrypted "$TMP/author" >/dev/null
cp "$TMP/author.pub" "$TMP/keys/"
chmod 644 "$TMP/keys/author.pub"

stage() { # stage DIR NAME SIZE_KB
    mkdir -p "$1/lib"
    head -c "$(( $3 * 1024 ))" /dev/urandom >"$1/lib/$2.so"
    chmod 755 "$1/lib/$2.so"
    echo MIT >"$1/LICENSE"
}

# 1. one 10 MB bundle
stage "$TMP/big" big 10240
B=$("$TOOL" pack "$TMP/big" --name big --version 1.0.0 --kinds provider --output-dir "$TMP")
"$TOOL" sign --key "$TMP/author.key" "$B" >/dev/null
t0=$(now)
"$TOOL" verify "$B" --keys-dir "$TMP/keys" >/dev/null
t1=$(now)
"$TOOL" install "$B" --keys-dir "$TMP/keys" --plugin-dir "$TMP/plugins" >/dev/null
t2=$(now)
echo "10 MB bundle: verify $(ms "$t0" "$t1") ms, verify+install $(ms "$t1" "$t2") ms"

# 2. 50 installed plugins of 1 MB each, re-hashed one by one
i=0
while [ $i -lt 50 ]; do
    stage "$TMP/s$i" "p$i" 1024
    B=$("$TOOL" pack "$TMP/s$i" --name "p$i" --version 1.0.0 --kinds provider --output-dir "$TMP")
    "$TOOL" sign --key "$TMP/author.key" "$B" >/dev/null
    "$TOOL" install "$B" --keys-dir "$TMP/keys" --plugin-dir "$TMP/plugins" >/dev/null
    i=$((i + 1))
done
t0=$(now)
i=0
while [ $i -lt 50 ]; do
    "$TOOL" check "p$i" --plugin-dir "$TMP/plugins" >/dev/null
    i=$((i + 1))
done
t1=$(now)
t2=$(now)
"$TOOL" list --plugin-dir "$TMP/plugins" >/dev/null
t3=$(now)
echo "50 installed plugins (1 MB .so each): 50 x check $(ms "$t0" "$t1") ms, one list (re-hashes all) $(ms "$t2" "$t3") ms"

# 3. throughput: 'list' re-hashes 50 MB + 10 MB; sha256sum on the same files
total_mb=60
t0=$(now)
"$TOOL" list --plugin-dir "$TMP/plugins" >/dev/null
t1=$(now)
sha256sum "$TMP"/plugins/*/lib/*.so >/dev/null
t2=$(now)
a=$(ms "$t0" "$t1")
b=$(ms "$t1" "$t2")
echo "SHA-256 over $total_mb MB: parapet $a ms ($(( total_mb * 1000 / (a > 0 ? a : 1) )) MB/s), sha256sum $b ms ($(( total_mb * 1000 / (b > 0 ? b : 1) )) MB/s)"

# 4. start-up of `parapet plugin list` with 50 installed bundles of a real
#    plugin (the snapshot provider, installed under 50 names): every .so is
#    re-hashed and dlopen'ed; beside it the same command over an empty dir.
PARAPET_BIN="${PARAPET:-${top_builddir:-.}/parapet}"
SNAP="${top_builddir:-.}/plugins/snapshot/.libs/snapshot.so"
if [ -x "$PARAPET_BIN" ] && [ -f "$SNAP" ]; then
    mkdir -p "$TMP/real" "$TMP/empty"
    i=0
    while [ $i -lt 50 ]; do
        mkdir -p "$TMP/r$i/lib"
        cp "$SNAP" "$TMP/r$i/lib/q$i.so"
        echo MIT >"$TMP/r$i/LICENSE"
        B=$("$TOOL" pack "$TMP/r$i" --name "q$i" --version 1.0.0 --kinds provider --output-dir "$TMP")
        "$TOOL" sign --key "$TMP/author.key" "$B" >/dev/null
        "$TOOL" install "$B" --keys-dir "$TMP/keys" --plugin-dir "$TMP/real" >/dev/null
        i=$((i + 1))
    done
    t0=$(now)
    for _ in 1 2 3 4 5; do "$PARAPET_BIN" --plugin-dir "$TMP/empty" plugin list >/dev/null 2>&1; done
    t1=$(now)
    for _ in 1 2 3 4 5; do "$PARAPET_BIN" --plugin-dir "$TMP/real" plugin list >/dev/null 2>&1; done
    t2=$(now)
    echo "parapet plugin list: empty dir $(( $(ms "$t0" "$t1") / 5 )) ms, 50 installed bundles (re-hash +" \
        "dlopen; the copies call themselves 'snapshot', so all but one are then refused by name)" \
        "$(( $(ms "$t1" "$t2") / 5 )) ms"
else
    echo "parapet plugin list: skipped (build parapet and the snapshot plugin first)"
fi
