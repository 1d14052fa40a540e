#!/bin/sh
# The `snapshot` provider through the CLI (docs/cli.md): every valid line of a
# fixture comes out, bad lines are reported with file and line number and
# skipped, strict mode fails, and empty, missing, CRLF and stdin inputs behave.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}" "${PARAPET:=$top_builddir/parapet}"

if [ ! -x "$PARAPET" ]; then
    echo "SKIP: the parapet CLI ($PARAPET) is not built"
    exit 77
fi

fx="$top_srcdir/tests/fixtures/snapshot"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pp-snapshot-import.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/plugins"
for so in "$top_builddir"/plugins/snapshot/.libs/snapshot.so "$top_builddir"/plugins/jsonl/.libs/jsonl.so; do
    [ -f "$so" ] || { echo "FAIL: $so is not built"; exit 1; }
    ln -s "$(cd "$(dirname "$so")" && pwd)/$(basename "$so")" "$tmp/plugins/"
done

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# import FILE... : run a scan; sets $rc, output in $tmp/out.jsonl, stderr in $tmp/err
import() {
    rm -f "$tmp/out.jsonl"
    "$PARAPET" --plugin-dir "$tmp/plugins" scan snapshot "$@" --db "$tmp/db" \
        --output "jsonl:$tmp/out.jsonl" -o jsonl.resources=true >"$tmp/stdout" 2>"$tmp/err"
    rc=$?
}

# uids FILE: the top-level uid of every line, sorted (the first "uid" member of a line)
uids() {
    awk '{ if (match($0, /"uid"[ \t]*:[ \t]*"[^"]*"/)) { s = substr($0, RSTART, RLENGTH);
           sub(/^"uid"[ \t]*:[ \t]*"/, "", s); sub(/"$/, "", s); print s } else print "NO-UID" }' "$1" | LC_ALL=C sort
}

# complete_jsonl FILE: every line is one JSON object and the file ends with a newline
complete_jsonl() {
    [ ! -s "$1" ] && return 0
    [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ] || { echo "no final newline in $1"; return 1; }
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import json,sys
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    if not isinstance(json.loads(line), dict): sys.exit("line %d is not an object" % n)' "$1"
    else
        awk '!/^\{.*\}$/ { print "line " NR " is not an object"; bad = 1 } END { exit bad }' "$1"
    fi
}

expect_valid() {
    printf '%s\n' 'arn:aws:s3:::acme-logs' \
        '/subscriptions/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/acmedata' \
        '//storage.googleapis.com/projects/_/buckets/acme-public' 'k8s://prod/core/pods/default/web-1' \
        'minimal' 'with-nulls' 'unicode-ü-名前' | LC_ALL=C sort
}

# 1. all seven valid lines, nothing reported
import "$fx/valid.jsonl"
[ "$rc" -eq 0 ] || fail "valid.jsonl: exit $rc (want 0): $(cat "$tmp/err")"
[ "$(uids "$tmp/out.jsonl")" = "$(expect_valid)" ] || fail "valid.jsonl: uids differ: $(uids "$tmp/out.jsonl")"
complete_jsonl "$tmp/out.jsonl" || fail "valid.jsonl: output is not complete JSON Lines"
grep -q 'valid.jsonl:[0-9]' "$tmp/err" && fail "valid.jsonl: a line was reported: $(cat "$tmp/err")"

# 2. bad lines: reported with their numbers, skipped; the good ones imported; exit 0
import "$fx/bad_lines.jsonl"
[ "$rc" -eq 0 ] || fail "bad_lines.jsonl: exit $rc (want 0, bad lines are warnings)"
[ "$(uids "$tmp/out.jsonl" | tr '\n' ' ')" = "good-1 good-2 good-3 " ] ||
    fail "bad_lines.jsonl: imported $(uids "$tmp/out.jsonl" | tr '\n' ' ')"
for n in 2 3 4 5 7 8 9 10 11 12 13 14 15 16 18 19; do
    grep -q "bad_lines.jsonl:$n: " "$tmp/err" || fail "bad_lines.jsonl: line $n not reported"
done
for n in 1 6 17; do
    grep -q "bad_lines.jsonl:$n: " "$tmp/err" && fail "bad_lines.jsonl: good line $n reported"
done
grep -q "bad_lines.jsonl:2: missing required member 'uid'" "$tmp/err" || fail "line 2: reason not given"
grep -q "bad_lines.jsonl:18: invalid UTF-8 at column 9" "$tmp/err" || fail "line 18: reason not given"

# 3. strict mode: the task fails at the first bad line -> exit 2, what came before is kept
rm -f "$tmp/out.jsonl"
"$PARAPET" --plugin-dir "$tmp/plugins" scan snapshot "$fx/bad_lines.jsonl" --db "$tmp/db" \
    --output "jsonl:$tmp/out.jsonl" -o jsonl.resources=true -o snapshot.strict=true >"$tmp/stdout" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] || fail "strict: exit $rc (want 2)"
grep -q "bad_lines.jsonl:2: missing required member" "$tmp/err" || fail "strict: line 2 not named: $(cat "$tmp/err")"
[ "$(uids "$tmp/out.jsonl" | tr '\n' ' ')" = "good-1 " ] || fail "strict: kept $(uids "$tmp/out.jsonl" | tr '\n' ' ')"

# 4. an empty file: nothing imported, success, an empty (but present) output
: >"$tmp/empty.jsonl"
import "$tmp/empty.jsonl"
[ "$rc" -eq 0 ] || fail "empty: exit $rc"
[ -f "$tmp/out.jsonl" ] && [ ! -s "$tmp/out.jsonl" ] || fail "empty: output missing or not empty"

# 5. a missing file: exit 2 and an error naming it
import "$tmp/no-such-estate.jsonl"
[ "$rc" -eq 2 ] || fail "missing: exit $rc (want 2)"
grep -q "no-such-estate.jsonl" "$tmp/err" || fail "missing: file not named: $(cat "$tmp/err")"
grep -qi "no such file" "$tmp/err" || fail "missing: reason not given: $(cat "$tmp/err")"

# 6. CRLF line endings give the same resources and values
sed 's/$/\r/' "$fx/valid.jsonl" >"$tmp/crlf.jsonl"
import "$tmp/crlf.jsonl"
[ "$rc" -eq 0 ] || fail "crlf: exit $rc"
[ "$(uids "$tmp/out.jsonl")" = "$(expect_valid)" ] || fail "crlf: uids differ"
grep -q "$(printf '\r')" "$tmp/out.jsonl" && fail "crlf: a carriage return leaked into the output"

# 7. standard input
rm -f "$tmp/out.jsonl"
"$PARAPET" --plugin-dir "$tmp/plugins" scan snapshot - --db "$tmp/db" --output "jsonl:$tmp/out.jsonl" \
    -o jsonl.resources=true <"$fx/valid.jsonl" >"$tmp/stdout" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && [ "$(uids "$tmp/out.jsonl")" = "$(expect_valid)" ] || fail "stdin: exit $rc, $(uids "$tmp/out.jsonl")"

# 8. the demo estate imports cleanly: one resource per line
demo="$top_srcdir/contrib/demo/estate.jsonl"
import "$demo"
want=$(grep -c . "$demo")
got=$(grep -c . "$tmp/out.jsonl")
[ "$rc" -eq 0 ] && [ "$got" -eq "$want" ] || fail "demo: exit $rc, $got of $want resources"
grep -q 'estate.jsonl:[0-9]' "$tmp/err" && fail "demo: lines reported: $(head -3 "$tmp/err")"
complete_jsonl "$tmp/out.jsonl" || fail "demo: output is not complete JSON Lines"

# 9. data and tags travel as written: number spellings, escapes and braces inside strings
#    survive snapshot -> store -> jsonl; whitespace between tokens is dropped
data='{"big":18446744073709551616,"f":1.50,"e":1E+3,"s":"}{\"][","u":"\u00e9\ud83d\ude00"}'
printf '{"uid":"as-written","type":"x.y","provider":"p","data" : %s,"tags":{ "k" : "a b" }}\n' "$data" \
    >"$tmp/spelling.jsonl"
import "$tmp/spelling.jsonl"
[ "$rc" -eq 0 ] || fail "as written: exit $rc: $(cat "$tmp/err")"
grep -qF "\"data\":$data" "$tmp/out.jsonl" || fail "as written: data changed: $(cat "$tmp/out.jsonl")"
grep -qF '"tags":{"k":"a b"}' "$tmp/out.jsonl" || fail "as written: tags not compact: $(cat "$tmp/out.jsonl")"

[ "$fails" -eq 0 ] && echo "snapshot_import: all checks passed"
[ "$fails" -eq 0 ]
