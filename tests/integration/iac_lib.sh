# Shared by the iac_*.sh tests: a plugin dir with the plugins they need,
# a scratch dir, and a scan helper. Sourced, not run.
: "${top_srcdir:=.}" "${top_builddir:=.}" "${PARAPET:=$top_builddir/parapet}"
if [ ! -x "$PARAPET" ]; then
    echo "SKIP: the parapet CLI ($PARAPET) is not built"
    exit 77
fi
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 is needed"; exit 77; }
fx="$top_srcdir/tests/fixtures/iac"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pp-iac.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/plugins"
for p in iac sarif jsonl snapshot; do
    so="$top_builddir/plugins/$p/.libs/$p.so"
    [ -f "$so" ] || { echo "FAIL: $so is not built"; exit 1; }
    ln -s "$(cd "$(dirname "$so")" && pwd)/$(basename "$so")" "$tmp/plugins/"
done
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# scan PROVIDER TARGET... : judge with the project's rules only; findings and
# resources in $tmp/out.jsonl, stderr in $tmp/err, exit status in $rc.
scan() {
    prov=$1
    shift
    rm -rf "$tmp/db" "$tmp/out.jsonl"
    "$PARAPET" --plugin-dir "$tmp/plugins" scan "$prov" "$@" --db "$tmp/db" \
        --rules "$top_srcdir/policies" --no-default-rules \
        --output "jsonl:$tmp/out.jsonl" -o jsonl.resources=true >"$tmp/stdout" 2>"$tmp/err"
    rc=$?
}

# failing [UID_SUBSTRING]: sorted unique rule ids of failing findings (of matching resources)
failing() {
    python3 - "$tmp/out.jsonl" "${1:-}" <<'PY'
import json, sys
ids = set()
for line in open(sys.argv[1]):
    r = json.loads(line)
    if "rule_id" in r and r["status"] == "fail" and sys.argv[2] in r["resource_uid"]:
        ids.add(r["rule_id"])
print("\n".join(sorted(ids)))
PY
}

# source_of UID_SUBSTRING: "file:line:column" of the resource
source_of() {
    python3 - "$tmp/out.jsonl" "$1" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if "rule_id" not in r and sys.argv[2] in r["uid"]:
        s = r["source"]
        print("%s:%s:%s" % (s.get("file"), s.get("line"), s.get("column")))
PY
}
