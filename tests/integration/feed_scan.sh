#!/bin/sh
# feed_scan.sh - vulnerability findings of a scan: the packages the image
# scanner finds in the cached Debian 12 image are matched, at the end of the
# scan, against the advisories in the store (a small OSV set for source
# packages the image really contains, KEV, EPSS), and each match is a finding
# of the scan through the same path as a rule's: stored with its lifecycle
# (new, open, resolved, muted), counted by --fail-on, written to the outputs
# (OCSF Vulnerability Finding 2002), suppressible; --ignore-unfixed works on
# the scan too. The findings are exactly what `feed match` reports.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"
. "$top_srcdir/tests/integration/image_lib.sh"
. "$top_srcdir/tests/integration/feed_lib.sh"

OUT_SO="$top_builddir/plugins/outputs/.libs/outputs.so"
[ -f "$OUT_SO" ] || { echo "FAIL: the outputs plugin is not built: $OUT_SO" >&2; exit 1; }
debian_image
PDIR=$(image_plugin_dir plugins)
ln -sf "$FEEDS_SO" "$PDIR/feeds.so"
ln -sf "$OUT_SO" "$PDIR/outputs.so"
DB="$TMP/img.db"
P="--plugin-dir $PDIR --db $DB --progress=never"
IMG="$DEB_CACHE/rootfs.tar"

# the feeds: the Debian OSV set (without the malformed fixtures), KEV, EPSS
mkdir -p "$TMP/osv"
for f in "$FIX"/debian12/DEBIAN-*.json; do cp "$f" "$TMP/osv/"; done
make_zip "$TMP/all.zip" "$TMP"/osv/*.json
for f in "$TMP/all.zip" "$FIX/kev_synthetic.json" "$FIX/epss_scores.csv.gz"; do
    # shellcheck disable=SC2086
    run_parapet "$TMP/imp" $P feed import --unsigned "$f" || true
    expect_rc "$TMP/imp" 0 "import $(basename "$f")"
done

vq() { q "$DB" "SELECT $1 FROM findings WHERE scan_id=$2 AND plugin='vuln' $3"; }

# scan 1: every match is a new failing finding
# shellcheck disable=SC2086
run_parapet "$TMP/s1" $P scan image "$IMG" --output "ocsf:$TMP/s1.ocsf" --output "jsonl:$TMP/s1.jsonl" --fail-on critical
expect_rc "$TMP/s1" 1 "the scan fails on the critical (KEV) vulnerability with --fail-on critical"
# what feed match says about the same scan, deduplicated by rule, package and version
# shellcheck disable=SC2086
run_parapet "$TMP/m1" $P feed match --format jsonl --scan 1
expect_rc "$TMP/m1" 0 "feed match on scan 1"
want=$(sqlite3 -batch -noheader :memory: "SELECT DISTINCT coalesce(json_extract(value,'\$.cve'), 'vuln-' || json_extract(value,'\$.id'))
    || ' ' || json_extract(value,'\$.package') || ' ' || json_extract(value,'\$.version')
    FROM json_each('[' || replace(trim(readfile('$TMP/m1.out'), char(10)), char(10), ',') || ']') ORDER BY 1;")
check "feed match found something to compare with" [ -n "$want" ]
same_lines "one finding per match: rule (the CVE), package, installed version" \
    "$(vq "rule_id || ' ' || json_extract(evidence,'\$.package') || ' ' || json_extract(evidence,'\$.installed_version')" 1 "ORDER BY 1")" "$want"
same_lines "the KEV advisory: critical, with KEV, ransomware, EPSS, aliases and the fix in the evidence" \
    "$(vq "DISTINCT severity || ' ' || status || ' ' || json_extract(evidence,'\$.advisory') || ' ' || json_extract(evidence,'\$.kev') || ' ' || json_extract(evidence,'\$.kev_due_date') || ' ' || json_extract(evidence,'\$.kev_ransomware') || ' ' || json_extract(evidence,'\$.epss') || ' ' || json_extract(evidence,'\$.aliases') || ' ' || json_extract(evidence,'\$.fixed_version')" 1 "AND rule_id='CVE-2099-0001'")" \
    'critical fail DEBIAN-CVE-2099-0001 1 2026-11-22 Known 0.1 ["CVE-2099-0001"] 2.36-9+deb12u99'
check "the KEV entry without a CVSS score is at least high" \
    [ "$(vq "DISTINCT severity" 1 "AND rule_id='CVE-2099-0004'")" = high ]
check "an advisory without a fix says so" \
    [ "$(vq "DISTINCT coalesce(json_extract(evidence,'\$.fixed_version'),'null')" 1 "AND rule_id='CVE-2099-0004'")" = null ]
check "findings are about the image resource, typed as the scanner typed it" \
    [ "$(vq "count(DISTINCT resource_uid)" 1 "AND resource_uid IN (SELECT uid FROM resources WHERE scan_id=1) AND resource_type = (SELECT type FROM resources WHERE scan_id=1 AND uid=findings.resource_uid)")" = 1 ]
n1=$(vq "count(DISTINCT rule_id)" 1 "")
same_lines "every identity is new in the lifecycle" \
    "$(q "$DB" "SELECT lifecycle || ' ' || count(*) FROM finding_lifecycle WHERE scan_id=1 AND rule_id IN (SELECT rule_id FROM findings WHERE plugin='vuln') GROUP BY lifecycle")" "new $n1"
nf=$(vq "count(*)" 1 "")
grep -q "^Findings: $nf failing" "$TMP/s1.out" && pass "the scan summary counts the $nf vulnerability findings" ||
    { fail "summary"; show "$TMP/s1"; }
check "jsonl output has every vulnerability finding" \
    [ "$(grep -c '"rule_id":"CVE-2099-' "$TMP/s1.jsonl")" = "$nf" ]
n2002=$(sqlite3 -batch -noheader :memory: "SELECT count(*) FROM json_each('[' || replace(trim(readfile('$TMP/s1.ocsf'), char(10)), char(10), ',') || ']')
    WHERE json_extract(value,'\$.class_uid') = 2002 AND json_extract(value,'\$.vulnerabilities[0].cve.uid') LIKE 'CVE-2099-%'")
check "OCSF: each is a Vulnerability Finding (2002) with its CVE ($n2002 of $nf)" [ "$n2002" = "$nf" ]

# parapet findings lists them, the KEV critical one first
# shellcheck disable=SC2086
run_parapet "$TMP/f1" $P findings --format json
expect_rc "$TMP/f1" 0 "parapet findings"
check "parapet findings starts with the KEV vulnerability" \
    [ "$(sqlite3 -batch -noheader :memory: "SELECT json_extract(value,'\$.rule_id') FROM json_each(readfile('$TMP/f1.out')) LIMIT 1")" = CVE-2099-0001 ]

# scan 2 with --ignore-unfixed: the unfixed one resolves, the others stay open
# shellcheck disable=SC2086
run_parapet "$TMP/s2" $P scan image "$IMG" --ignore-unfixed
expect_rc "$TMP/s2" 0 "scan with --ignore-unfixed"
check "--ignore-unfixed: no finding without a fixed version" \
    [ "$(vq "count(*)" 2 "AND json_extract(evidence,'\$.fixed_version') IS NULL")" = 0 ]
check "--ignore-unfixed: the fixable ones are still there" [ "$(vq "count(DISTINCT rule_id)" 2 "")" -gt 0 ]
same_lines "lifecycle: the unfixed one resolved, the others open" \
    "$(q "$DB" "SELECT rule_id || ' ' || lifecycle FROM finding_lifecycle WHERE scan_id=2 AND rule_id LIKE 'CVE-2099-%' ORDER BY 1")" \
    "$(q "$DB" "SELECT DISTINCT rule_id || ' ' || CASE WHEN json_extract(evidence,'\$.fixed_version') IS NULL THEN 'resolved' ELSE 'open' END FROM findings WHERE scan_id=1 AND plugin='vuln' ORDER BY 1")"

# a suppression mutes a vulnerability like a rule finding
# shellcheck disable=SC2086
run_parapet "$TMP/sup" $P suppress add --rule 'CVE-2099-0004' --reason "no fix upstream; not reachable" --owner sec
expect_rc "$TMP/sup" 0 "suppress add for a CVE"
# shellcheck disable=SC2086
run_parapet "$TMP/s3" $P scan image "$IMG"
expect_rc "$TMP/s3" 0 "scan 3"
same_lines "the suppressed CVE is muted, with the suppression in its evidence" \
    "$(vq "DISTINCT status || ' ' || (json_extract(evidence,'\$.suppression') > 0)" 3 "AND rule_id='CVE-2099-0004'")" "muted 1"
check "its lifecycle label is muted" \
    [ "$(q "$DB" "SELECT lifecycle FROM finding_lifecycle WHERE scan_id=3 AND rule_id='CVE-2099-0004'")" = muted ]
check "the other findings still fail" [ "$(vq "count(*)" 3 "AND status='fail'")" -gt 0 ]

# the advisory goes away (the feed no longer lists it): resolved
rm "$TMP/osv/DEBIAN-CVE-2099-0006.json"
rm -f "$TMP/all.zip"
make_zip "$TMP/all.zip" "$TMP"/osv/*.json
# shellcheck disable=SC2086
run_parapet "$TMP/imp2" $P feed import --unsigned "$TMP/all.zip"
expect_rc "$TMP/imp2" 0 "re-import the OSV set without DEBIAN-CVE-2099-0006"
# shellcheck disable=SC2086
run_parapet "$TMP/s4" $P scan image "$IMG"
expect_rc "$TMP/s4" 0 "scan 4"
check "the vulnerability that no longer applies is resolved" \
    [ "$(q "$DB" "SELECT lifecycle FROM finding_lifecycle WHERE scan_id=4 AND rule_id='CVE-2099-0006'")" = resolved ]
check "finding_state says resolved" \
    [ "$(q "$DB" "SELECT status FROM finding_state WHERE rule_id='CVE-2099-0006'")" = resolved ]

finish
