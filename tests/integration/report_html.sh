#!/bin/sh
# report_html.sh - `parapet report --html`: a report of the demo estate
# scanned with the shipped rule packs is one self-contained file (nothing
# loaded from outside), its data agree with `parapet findings` and
# `parapet compliance`, and in headless Chromium the overview, a filtered
# table, the compliance drill-down and keyboard-only use behave (screenshots
# in $top_builddir/tests/browser/out/). Bad invocations fail cleanly.
. "${top_srcdir:?}/tests/integration/report_lib.sh"

cp "$top_srcdir/contrib/demo/estate.jsonl" "$TMP/estate.jsonl" || exit 1
rp_scan "$TMP/db" "$TMP/estate.jsonl"

run_parapet "$TMP/rep" --db "$TMP/db" report --html "$TMP/report.html" --frameworks "$RP_FW" --title "Demo estate"
expect_rc "$TMP/rep" 0 "report --html"
check "the report file exists" test -s "$TMP/report.html"
check "the report is private to its owner (mode 600)" test "$(stat -c %a "$TMP/report.html")" = 600
check "no temporary file is left" test -z "$(find "$TMP" -maxdepth 1 -name 'report.html.tmp*')"

# ---- self-contained: outside the data block nothing refers to another file
sed '/^<script type="application\/json" id="report-data">/d' "$TMP/report.html" >"$TMP/page.html"
check "the data block is one line of its own" test "$(wc -l <"$TMP/report.html")" -eq "$(($(wc -l <"$TMP/page.html") + 1))"
ext=$(grep -Eio '(src|href|action|poster|data)[[:space:]]*=[[:space:]]*["'\'']?[[:space:]]*([a-z]+:)?//[^"'\'' >]*' "$TMP/page.html")
check "no external src/href${ext:+ (found: $ext)}" test -z "$ext"
check "no <link>, @import, url() or <iframe>" sh -c "! grep -Eiq '<link|@import|url\\(|<iframe|<object|<embed' '$TMP/page.html'"
check "a Content-Security-Policy with default-src 'none'" grep -q "default-src 'none'" "$TMP/page.html"
check "the title is the one given" grep -q '<title>Demo estate</title>' "$TMP/report.html"

# ---- the data agree with the CLI
rp_data "$TMP/report.html" >"$TMP/data.json"
check "the data block is valid JSON" test "$(rp_json "$TMP/data.json" 'json_valid(j)')" = 1
run_parapet "$TMP/fail" --db "$TMP/db" findings --status fail --format json
expect_rc "$TMP/fail" 0 "findings --status fail"
failed=$(rp_json "$TMP/fail.out" "json_array_length(j)")
critical=$(rp_json "$TMP/fail.out" "(SELECT count(*) FROM json_each(j) WHERE json_extract(value,'\$.severity')='critical')")
check "the demo estate has failing ($failed) and critical ($critical) findings" test "$failed" -gt 0 -a "$critical" -gt 0
check "data: summary.failed = findings count ($failed)" \
    test "$(rp_json "$TMP/data.json" "json_extract(j,'\$.summary.failed')")" = "$failed"
check "data: by_severity.critical = $critical" \
    test "$(rp_json "$TMP/data.json" "json_extract(j,'\$.by_severity.critical')")" = "$critical"
run_parapet "$TMP/all" --db "$TMP/db" findings --status fail,pass,muted,error --format json
check "data: one row per finding of the scan" \
    test "$(rp_json "$TMP/data.json" "json_array_length(j,'\$.findings.rows')")" = "$(rp_json "$TMP/all.out" "json_array_length(j)")"
run_parapet "$TMP/comp" --db "$TMP/db" compliance --frameworks "$RP_FW" --format json
expect_rc "$TMP/comp" 0 "compliance --format json"
nfw=$(rp_json "$TMP/comp.out" "json_array_length(j,'\$.frameworks')")
check "data: the $nfw frameworks of 'parapet compliance'" \
    test "$(rp_json "$TMP/data.json" "json_array_length(j,'\$.frameworks')")" = "$nfw"
i=0
while [ "$i" -lt "$nfw" ]; do
    want=$(rp_json "$TMP/comp.out" "json_extract(j,'\$.frameworks[$i].id')||' '||json_extract(j,'\$.frameworks[$i].passed')||' '||json_extract(j,'\$.frameworks[$i].failed')||' '||json_extract(j,'\$.frameworks[$i].manual')||' '||json_extract(j,'\$.frameworks[$i].not_covered')")
    got=$(rp_json "$TMP/data.json" "json_extract(j,'\$.frameworks[$i].id')||' '||json_extract(j,'\$.frameworks[$i].passed')||' '||json_extract(j,'\$.frameworks[$i].failed')||' '||json_extract(j,'\$.frameworks[$i].manual')||' '||json_extract(j,'\$.frameworks[$i].not_covered')")
    check "data: framework $want (id passed failed manual not-covered) as in compliance" test "$got" = "$want"
    i=$((i + 1))
done
ntypes=$(sqlite3 -batch -noheader "$TMP/db" "SELECT count(DISTINCT type) FROM resources WHERE scan_id = 1;")
check "data: inventory has the $ntypes resource types of the scan" \
    test "$(rp_json "$TMP/data.json" "json_array_length(j,'\$.inventory')")" = "$ntypes"

# ---- in the browser
rp_browser demo "$TMP/report.html" expect_failed="$failed" expect_critical="$critical" \
    expect_frameworks="$nfw" search=acme-prod-backups

# ---- a second scan: the trend shows both, oldest first
rp_scan "$TMP/db" "$TMP/estate.jsonl"
run_parapet "$TMP/rep2" --db "$TMP/db" report --html "$TMP/report2.html" --frameworks "$RP_FW"
rp_data "$TMP/report2.html" >"$TMP/data2.json"
check "trend: two scans, oldest first" \
    test "$(rp_json "$TMP/data2.json" "(SELECT group_concat(json_extract(value,'\$.id')) FROM json_each(j,'\$.trend'))")" = "1,2"
run_parapet "$TMP/rep3" --db "$TMP/db" report --html "$TMP/report3.html" --frameworks "$RP_FW" --scan 1
rp_data "$TMP/report3.html" >"$TMP/data3.json"
check "--scan 1: the report is of scan 1, its trend ends there" \
    test "$(rp_json "$TMP/data3.json" "json_extract(j,'\$.scan.id')||':'||json_array_length(j,'\$.trend')")" = "1:1"

# ---- a scan without findings (no rules): the page still works
rp_scan_norules() {
    run_parapet "$TMP/scan0" --plugin-dir "$RP_PD" --db "$TMP/db0" scan snapshot "$TMP/estate.jsonl" --no-default-rules
    expect_rc "$TMP/scan0" 0 "scan without rules"
}
rp_scan_norules
run_parapet "$TMP/rep0" --db "$TMP/db0" report --html "$TMP/report0.html" --frameworks "$RP_FW"
expect_rc "$TMP/rep0" 0 "report of a scan without findings"
rp_browser empty "$TMP/report0.html"

# ---- --html - writes the same page to standard output; help
run_parapet "$TMP/stdout" --db "$TMP/db0" report --html - --frameworks "$RP_FW"
expect_rc "$TMP/stdout" 0 "report --html -"
check "--html - writes the page to standard output" grep -q 'id="report-data"' "$TMP/stdout.out"
run_parapet "$TMP/help" report --help
expect_rc "$TMP/help" 0 "report --help"
check "report --help shows the usage" grep -q '^usage: parapet report --html FILE' "$TMP/help.out"

# ---- bad invocations
run_parapet "$TMP/bad1" --db "$TMP/db" report
expect_rc "$TMP/bad1" 2 "report without --html"
check "it says to give --html" grep -q -- '--html' "$TMP/bad1.err"
run_parapet "$TMP/bad2" --db "$TMP/db" report --html "$TMP/x.html" --scan 99
expect_rc "$TMP/bad2" 2 "report --scan 99 (no such scan)"
check "no file for a failed report" test ! -e "$TMP/x.html"
run_parapet "$TMP/bad3" --db "$TMP/db" report --html "$TMP/no/such/dir/x.html" --frameworks "$RP_FW"
expect_rc "$TMP/bad3" 2 "report into a missing directory"
check "the error names the file" grep -q 'no/such/dir' "$TMP/bad3.err"
mkdir -p "$TMP/badfw" && printf '{"id": 1}' >"$TMP/badfw/broken.json"
run_parapet "$TMP/bad4" --db "$TMP/db" report --html "$TMP/x.html" --frameworks "$TMP/badfw"
expect_rc "$TMP/bad4" 2 "report with a malformed framework file"
check "the error names the framework file" grep -q 'broken.json' "$TMP/bad4.err"
run_parapet "$TMP/bad5" --db "$TMP/nodb" report --html "$TMP/x.html"
expect_rc "$TMP/bad5" 2 "report without a store"
run_parapet "$TMP/bad6" --db "$TMP/db" report --html "$TMP/x.html" --bogus
expect_rc "$TMP/bad6" 2 "report --bogus"
finish
