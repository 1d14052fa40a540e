#!/bin/sh
# report_escape.sh - hostile resource names in the HTML report stay inert:
# a uid with "</script><script>...", an account that is an <img onerror>
# tag, a name with "<!--", an entity and a U+2028, a CSV formula, and a
# hostile --title. The file holds no such markup (only its own two script
# elements), the data block gives the exact text back, and in headless
# Chromium no injected script runs and the names show as text.
. "${top_srcdir:?}/tests/integration/report_lib.sh"

SCRIPT_UID='arn:aws:s3:::</script><script>window.__parapet_pwned=1;alert(1)</script>'
IMG_ACCOUNT='<img src=x onerror=window.__parapet_pwned=2>'
COMMENT_UID='arn:aws:s3:::<!--<script>window.__parapet_pwned=3</script>-->&lt;b&gt;'
FORMULA_UID="arn:aws:s3:::=cmd|' /C calc'!A0"
TITLE='</title><script>alert(2)</script>'

# Three copies of a failing demo bucket, renamed (the rules judge the data,
# not the name); the uid is also the name.
base=$(grep '"uid":"arn:aws:s3:::acme-prod-backups"' "$top_srcdir/contrib/demo/estate.jsonl")
[ -n "$base" ] || { echo "FAIL: the demo estate has no acme-prod-backups bucket" >&2; exit 1; }
printf '%s\n' "$base" >"$TMP/base.jsonl"
: >"$TMP/estate.jsonl"
for u in "$SCRIPT_UID" "$COMMENT_UID" "$FORMULA_UID"; do
    esc=$(printf '%s' "$u" | sed "s/'/''/g")
    sqlite3 -batch -noheader :memory: "SELECT json_set(CAST(readfile('$TMP/base.jsonl') AS TEXT),
        '\$.uid', '$esc', '\$.name', '$esc', '\$.account', '$IMG_ACCOUNT' || ' ' || char(8232));" >>"$TMP/estate.jsonl"
done
check "a hostile estate of 3 resources" test "$(wc -l <"$TMP/estate.jsonl")" -eq 3
rp_scan "$TMP/db" "$TMP/estate.jsonl"

run_parapet "$TMP/rep" --db "$TMP/db" report --html "$TMP/report.html" --frameworks "$RP_FW" --title "$TITLE"
expect_rc "$TMP/rep" 0 "report --html of the hostile estate"

n_close=$(grep -io '</script' "$TMP/report.html" | wc -l)
n_open=$(grep -io '<script' "$TMP/report.html" | wc -l)
check "exactly two <script> and two </script> in the file ($n_open, $n_close)" test "$n_open" -eq 2 -a "$n_close" -eq 2
check "no <img in the file" sh -c "! grep -qi '<img' '$TMP/report.html'"
check "no <!-- from the data in the file" sh -c "! grep -q '<!--' '$TMP/report.html'"
check "script-src admits only the script's sha256" grep -Eq "script-src 'sha256-[A-Za-z0-9+/]{43}=';" "$TMP/report.html"
check "the title is escaped" grep -qF '<title>&lt;/title&gt;&lt;script&gt;alert(2)&lt;/script&gt;</title>' "$TMP/report.html"

rp_data "$TMP/report.html" >"$TMP/data.json"
check "the data block is valid JSON" test "$(rp_json "$TMP/data.json" 'json_valid(j)')" = 1
for u in "$SCRIPT_UID" "$COMMENT_UID" "$FORMULA_UID"; do
    esc=$(printf '%s' "$u" | sed "s/'/''/g")
    check "the data give back the exact uid $u" test "$(rp_json "$TMP/data.json" \
        "(SELECT count(*) FROM json_each(j,'\$.findings.rows') WHERE json_extract(value,'\$[1]') = '$esc')")" -gt 0
done
check "the data give back the exact account, U+2028 included" test "$(rp_json "$TMP/data.json" \
    "(SELECT count(*) FROM json_each(j,'\$.strings') WHERE value = '$IMG_ACCOUNT' || ' ' || char(8232))")" = 1

rp_browser hostile "$TMP/report.html" "needle=$SCRIPT_UID"
rp_browser hostile "$TMP/report.html" "needle=$COMMENT_UID"
finish
