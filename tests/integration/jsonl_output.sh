#!/bin/sh
# The `jsonl` output through the CLI: the file appears complete (one JSON
# object per line), with mode 0640; resources are written only on request;
# "-" writes to standard output; a symbolic link or a directory is refused.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}" "${PARAPET:=$top_builddir/parapet}"

if [ ! -x "$PARAPET" ]; then
    echo "SKIP: the parapet CLI ($PARAPET) is not built"
    exit 77
fi

fx="$top_srcdir/tests/fixtures/snapshot"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pp-jsonl-output.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/plugins"
for so in "$top_builddir"/plugins/snapshot/.libs/snapshot.so "$top_builddir"/plugins/jsonl/.libs/jsonl.so; do
    [ -f "$so" ] || { echo "FAIL: $so is not built"; exit 1; }
    ln -s "$(cd "$(dirname "$so")" && pwd)/$(basename "$so")" "$tmp/plugins/"
done
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
scan() { "$PARAPET" --plugin-dir "$tmp/plugins" scan snapshot "$fx/valid.jsonl" --db "$tmp/db" "$@" 2>"$tmp/err"; }

# resources on request: 7 lines, each an object without "rule_id", file mode 0640
scan --output "jsonl:$tmp/res.jsonl" -o jsonl.resources=true >/dev/null
rc=$?
[ "$rc" -eq 0 ] || fail "resources: exit $rc: $(cat "$tmp/err")"
[ "$(grep -c . "$tmp/res.jsonl")" -eq 7 ] || fail "resources: $(grep -c . "$tmp/res.jsonl") lines (want 7)"
awk '!/^\{.*\}$/ { bad = 1 } END { exit bad }' "$tmp/res.jsonl" || fail "resources: a line is not one object"
grep -q '"rule_id"' "$tmp/res.jsonl" && fail "resources: a resource line has rule_id"
mode=$(stat -c %a "$tmp/res.jsonl")
[ "$mode" = 640 ] || fail "resources: mode $mode (want 640)"
ls -A "$tmp" | grep -q '\.tmp-' && fail "a temporary file was left behind: $(ls -A "$tmp")"

# by default resources are not written (no rules -> no findings -> empty file)
scan --output "jsonl:$tmp/default.jsonl" >/dev/null
[ -f "$tmp/default.jsonl" ] && [ ! -s "$tmp/default.jsonl" ] || fail "default: resources were written"

# an existing file is replaced whole
printf 'old content that is not JSON\n' >"$tmp/replace.jsonl"
scan --output "jsonl:$tmp/replace.jsonl" -o jsonl.resources=true >/dev/null
grep -q 'old content' "$tmp/replace.jsonl" && fail "replace: old content survived"
[ "$(grep -c . "$tmp/replace.jsonl")" -eq 7 ] || fail "replace: wrong line count"

# "-" is standard output (quiet, so only the records are there)
scan -q --output "jsonl:-" -o jsonl.resources=true >"$tmp/stdout.jsonl"
[ "$(grep -c '"uid"' "$tmp/stdout.jsonl")" -eq 7 ] || fail "stdout: $(grep -c . "$tmp/stdout.jsonl") lines"

# a symbolic link is refused, its target untouched
printf 'keep\n' >"$tmp/target"
ln -s "$tmp/target" "$tmp/link.jsonl"
scan --output "jsonl:$tmp/link.jsonl" -o jsonl.resources=true >/dev/null
rc=$?
[ "$rc" -eq 2 ] || fail "symlink: exit $rc (want 2)"
grep -q "symbolic link" "$tmp/err" || fail "symlink: no reason given: $(cat "$tmp/err")"
[ "$(cat "$tmp/target")" = keep ] || fail "symlink: target was modified"

# a directory is refused
scan --output "jsonl:$tmp" >/dev/null
rc=$?
[ "$rc" -eq 2 ] || fail "directory: exit $rc (want 2)"

[ "$fails" -eq 0 ] && echo "jsonl_output: all checks passed"
[ "$fails" -eq 0 ]
