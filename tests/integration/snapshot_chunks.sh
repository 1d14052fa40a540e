#!/bin/sh
# A ~10 MB export split into 1 MiB chunks (several tasks, parallel workers)
# imports exactly the same resources as the unsplit file, and a bad line deep
# inside a later chunk is still reported with its true line number.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}" "${PARAPET:=$top_builddir/parapet}"

if [ ! -x "$PARAPET" ]; then
    echo "SKIP: the parapet CLI ($PARAPET) is not built"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pp-snapshot-chunks.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/plugins"
for so in "$top_builddir"/plugins/snapshot/.libs/snapshot.so "$top_builddir"/plugins/jsonl/.libs/jsonl.so; do
    [ -f "$so" ] || { echo "FAIL: $so is not built"; exit 1; }
    ln -s "$(cd "$(dirname "$so")" && pwd)/$(basename "$so")" "$tmp/plugins/"
done
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# 100000 lines of about 100 bytes; line 77777 lacks "provider"; every 1000th is a comment
awk 'BEGIN { pad = "0123456789012345678901234567890123456789";
    for (i = 1; i <= 100000; i++) {
        if (i == 77777) print "{\"uid\":\"broken\",\"type\":\"x.y\"}";
        else if (i % 1000 == 0) print "# comment " i;
        else printf "{\"uid\":\"res-%06d\",\"type\":\"aws.s3.bucket\",\"provider\":\"aws\",\"data\":{\"n\":%d,\"pad\":\"%s\"}}\n", i, i, substr(pad, 1, i % 40);
    } }' >"$tmp/big.jsonl"
size=$(wc -c <"$tmp/big.jsonl")
[ "$size" -gt 9000000 ] || fail "generated file is only $size bytes"

uids() {
    awk '{ if (match($0, /"uid"[ \t]*:[ \t]*"[^"]*"/)) { s = substr($0, RSTART, RLENGTH);
           sub(/^"uid"[ \t]*:[ \t]*"/, "", s); sub(/"$/, "", s); print s } }' "$1" | LC_ALL=C sort
}

run() { # run OUT ARGS...
    out=$1
    shift
    "$PARAPET" --plugin-dir "$tmp/plugins" scan snapshot "$tmp/big.jsonl" --db "$tmp/db-$out" \
        --output "jsonl:$tmp/$out.jsonl" -o jsonl.resources=true "$@" >"$tmp/$out.stdout" 2>"$tmp/$out.err"
    echo $?
}

rc=$(run whole)
[ "$rc" -eq 0 ] || fail "unsplit: exit $rc: $(head -5 "$tmp/whole.err")"
rc=$(run split -o snapshot.chunk_bytes=1048576 --jobs 4)
[ "$rc" -eq 0 ] || fail "split: exit $rc: $(head -5 "$tmp/split.err")"

uids "$tmp/whole.jsonl" >"$tmp/whole.uids"
uids "$tmp/split.jsonl" >"$tmp/split.uids"
n=$(wc -l <"$tmp/whole.uids")
[ "$n" -eq 99899 ] || fail "unsplit imported $n resources (want 99899)"
cmp -s "$tmp/whole.uids" "$tmp/split.uids" || fail "split import differs: $(diff "$tmp/whole.uids" "$tmp/split.uids" | head -5)"
[ "$(uniq -d "$tmp/split.uids" | wc -l)" -eq 0 ] || fail "split import has duplicates"
for run in whole split; do
    grep -q "big.jsonl:77777: missing required member 'provider'" "$tmp/$run.err" ||
        fail "$run: bad line 77777 not reported at its true number: $(grep big.jsonl: "$tmp/$run.err" | head -3)"
done

[ "$fails" -eq 0 ] && echo "snapshot_chunks: all checks passed"
[ "$fails" -eq 0 ]
