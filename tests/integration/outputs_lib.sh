# outputs_lib.sh - helpers shared by tests/integration/outputs_*.sh. Sourced.
#
# Builds on plugins_lib.sh (TMP, check, fail, finish, run_parapet...). The
# findings come from the real rule engine: the snapshot provider imports
# tests/fixtures/outputs/estate.jsonl and the fixture rules judge it. One
# suppression mutes a failing finding, so every status occurs:
#   ox-bucket-public      fail on <script>alert(1)</script> and on =cmd|' /C calc'!A0,
#                         pass on ox-safe, error on ox-broken, muted on ox-muted
#   ox-bucket-unencrypted fail on =cmd|' /C calc'!A0, pass on the other four

. "${top_srcdir:?}/tests/integration/plugins_lib.sh"

need python3 "apt-get install python3"

OX_FX="$top_srcdir/tests/fixtures/outputs"
OX_SO="$top_builddir/plugins/outputs/.libs/outputs.so"
OX_SNAP="$top_builddir/plugins/snapshot/.libs/snapshot.so"
for _so in "$OX_SO" "$OX_SNAP"; do
    [ -f "$_so" ] || { echo "FAIL: $_so is not built" >&2; exit 1; }
done
OX_PD=$(plugin_dir plugins) || exit 1
# absolute targets: the links live in $TMP
ln -sf "$(cd "$(dirname "$OX_SO")" && pwd)/outputs.so" "$OX_PD/outputs.so"
ln -sf "$(cd "$(dirname "$OX_SNAP")" && pwd)/snapshot.so" "$OX_PD/snapshot.so"

OX_SCRIPT='<script>alert(1)</script>'
OX_FORMULA="=cmd|' /C calc'!A0"

# ox_db DB : a store with the suppression that mutes ox-bucket-public on ox-muted.
ox_db() {
    if ! "$PARAPET" --plugin-dir "$OX_PD" --db "$1" suppress add --rule ox-bucket-public \
        --resource 'ox-muted$' --reason 'accepted for the test' --owner tests --for 30d >"$1.supp.log" 2>&1; then
        echo "FAIL: cannot add the suppression:" >&2
        cat "$1.supp.log" >&2
        exit 1
    fi
}

# ox_scan OUT_PREFIX ARGS... : scan the fixture estate with the fixture rules
# into a fresh store; ARGS are --output and -o options. Sets RC.
ox_scan() {
    _p=$1
    shift
    rm -f "$_p.db"
    ox_db "$_p.db"
    run_parapet "$_p" --plugin-dir "$OX_PD" --db "$_p.db" scan snapshot "$OX_FX/estate.jsonl" \
        --no-default-rules --rules "$OX_FX/rules" "$@"
}

# inert FILE : FILE exists, is not empty and holds no raw "<script>".
inert() {
    test -s "$1" && ! grep -q '<script>' "$1"
}

# py WHAT SCRIPT ARGS... : run a python3 check; it prints "ok: ..." lines and
# exits non-zero (after printing why) when a check fails.
py() {
    _what=$1
    shift
    if python3 -c "$@" >"$TMP/py.out" 2>&1; then
        sed 's/^/  /' "$TMP/py.out"
        pass "$_what"
    else
        sed 's/^/  /' "$TMP/py.out" >&2
        fail "$_what"
    fi
}
