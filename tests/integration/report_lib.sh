# report_lib.sh - helpers shared by tests/integration/report_*.sh. Sourced.
#
# Builds on plugins_lib.sh (TMP, check, fail, finish, run_parapet, ...). The
# browser checks run tests/browser/report_check.mjs with Node.js, which
# drives Debian's chromium over --remote-debugging-pipe: nothing is
# downloaded. Screenshots are kept under $top_builddir/tests/browser/out/.

. "${top_srcdir:?}/tests/integration/plugins_lib.sh"

need node "apt-get install nodejs"
RP_CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$RP_CHROMIUM" ]; then
    echo "FAIL: $TEST_NAME needs Chromium at $RP_CHROMIUM (apt-get install chromium, or set CHROMIUM)" >&2
    exit 1
fi
CHROMIUM="$RP_CHROMIUM"
export CHROMIUM

RP_SNAP="$top_builddir/plugins/snapshot/.libs/snapshot.so"
[ -f "$RP_SNAP" ] || { echo "FAIL: $RP_SNAP is not built" >&2; exit 1; }
RP_PD=$(plugin_dir plugins) || exit 1
ln -sf "$(cd "$(dirname "$RP_SNAP")" && pwd)/snapshot.so" "$RP_PD/snapshot.so"
RP_FW="$top_srcdir/policies/frameworks"
RP_OUT="$top_builddir/tests/browser/out"
mkdir -p "$RP_OUT" || exit 1

# rp_scan DB ESTATE : scan ESTATE with the shipped rule packs into DB.
rp_scan() {
    run_parapet "$TMP/scan" --plugin-dir "$RP_PD" --db "$1" scan snapshot "$2" \
        --no-default-rules --rules "$top_srcdir/policies"
    expect_rc "$TMP/scan" 0 "scan of $(basename "$2")"
}

# rp_data REPORT : the JSON of the report's data block, on stdout.
rp_data() {
    sed -n 's|^<script type="application/json" id="report-data">\(.*\)</script>$|\1|p' "$1"
}

# rp_json JSONFILE SQL-EXPR : evaluate a sqlite3 JSON expression over the
# file's text, bound as j.
rp_json() {
    sqlite3 -batch -noheader :memory: "SELECT $2 FROM (SELECT CAST(readfile('$1') AS TEXT) AS j);"
}

# rp_browser MODE REPORT KEY=VALUE... : the browser checks of that mode;
# their ok/FAIL lines are counted as this test's.
rp_browser() {
    _mode=$1
    _report=$2
    shift 2
    timeout -s KILL 180 node "$top_srcdir/tests/browser/report_check.mjs" "$_mode" "$_report" "$RP_OUT" "$@" \
        >"$TMP/browser-$_mode.out" 2>&1
    _rc=$?
    cat "$TMP/browser-$_mode.out"
    _fails=$(grep -c '^FAIL' "$TMP/browser-$_mode.out")
    FAILURES=$((FAILURES + _fails))
    if [ "$_rc" -ne 0 ] && [ "$_fails" -eq 0 ]; then
        fail "browser checks ($_mode) ended with status $_rc"
    fi
    grep -q '^ok: the report renders' "$TMP/browser-$_mode.out" || fail "browser checks ($_mode) did not run"
}
