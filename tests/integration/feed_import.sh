#!/bin/sh
# feed_import.sh - `parapet feed import` (air-gapped) and `feed match` on the
# Debian 12 image the image tests build: a small OSV set written for source
# packages the image really contains (tests/fixtures/feeds/SOURCE), the KEV
# catalogue, EPSS scores and a DROP list. Every match is checked against
# dpkg --compare-versions; hostile files are refused without losing the
# feeds already stored; a stale feed is warned about.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"
. "$top_srcdir/tests/integration/image_lib.sh"
. "$top_srcdir/tests/integration/feed_lib.sh"
need dpkg "Debian's dpkg"

debian_image
PDIR=$(image_plugin_dir plugins)
ln -sf "$FEEDS_SO" "$PDIR/feeds.so"
DB="$TMP/img.db"
P="--plugin-dir $PDIR --db $DB --progress=never"

# the image: its packages go into the store
# shellcheck disable=SC2086
run_parapet "$TMP/scan" $P scan image "$DEB_CACHE/rootfs.tar"
expect_rc "$TMP/scan" 0 "scan the Debian image"
check "the scan stored the image's packages" [ "$(q "$DB" "SELECT count(*) FROM packages")" -gt 50 ]

# no feed yet: match says so
# shellcheck disable=SC2086
run_parapet "$TMP/m0" $P feed match
expect_rc "$TMP/m0" 0 "match without feeds"
grep -q 'no vulnerability feed loaded' "$TMP/m0.err" && pass "match warns that no feed is loaded" ||
    fail "no warning without feeds"

# the OSV set as an export zip
make_zip "$TMP/all.zip" "$FIX"/debian12/*.json
# shellcheck disable=SC2086
run_parapet "$TMP/i1" $P feed import --unsigned "$TMP/all.zip"
expect_rc "$TMP/i1" 0 "import the Debian OSV zip"
same_lines "10 advisories filed under osv:Debian:12 (1 withdrawn, 2 malformed skipped)" "$(cat "$TMP/i1.out")" \
    "osv:Debian:12: 10 records"
grep -q 'entry malformed-no-id.json: no valid .*id.*; skipped' "$TMP/i1.err" &&
    grep -q 'entry broken-json.json: not valid JSON; skipped' "$TMP/i1.err" &&
    pass "malformed records are skipped with a warning naming the entry" || { fail "no warning naming the entries"; show "$TMP/i1"; }
check "the withdrawn record is not stored" [ "$(q "$DB" "SELECT count(*) FROM advisories WHERE id='DEBIAN-CVE-2099-0005'")" = 0 ]

# shellcheck disable=SC2086
run_parapet "$TMP/i2" $P feed import --unsigned "$FIX/kev_synthetic.json"
expect_rc "$TMP/i2" 0 "import a KEV catalogue"
same_lines "kev: 2 entries (one malformed skipped)" "$(cat "$TMP/i2.out")" "kev: 2 records"
grep -q 'vulnerabilities\[2\]' "$TMP/i2.err" && pass "the malformed KEV entry is named" || fail "KEV entry not named"
# shellcheck disable=SC2086
run_parapet "$TMP/i3" $P feed import --unsigned "$FIX/epss_scores.csv.gz"
expect_rc "$TMP/i3" 0 "import EPSS scores (csv.gz)"
same_lines "epss: 7 scores" "$(cat "$TMP/i3.out")" "epss: 7 records"
grep -q 'epss_scores.csv.gz:10: not a .*row; skipped' "$TMP/i3.err" && pass "the garbage EPSS row is named by line" ||
    fail "EPSS row not named"
# shellcheck disable=SC2086
run_parapet "$TMP/i4" $P feed import --unsigned "$FIX/drop.txt"
expect_rc "$TMP/i4" 0 "import a DROP list"
same_lines "DROP list indicators" "$(q "$DB" "SELECT kind || ' ' || value FROM indicators WHERE feed='list:drop' ORDER BY value")" \
    "cidr 192.0.2.0/24
cidr 198.51.100.0/24
cidr 2001:db8::/32
ip 203.0.113.7
domain bad.example.
domain malware.example.net"
grep -q 'drop.txt:8: not an IP address' "$TMP/i4.err" && pass "the bad list line is named" || fail "bad list line not named"
# rules see the list through threat.ip(): an address inside a listed range, a
# rule open to the whole internet (overlaps), and an address not listed
# shellcheck disable=SC2086
run_parapet "$TMP/ti" $P policy eval \
    '[threat.ip("192.0.2.44"), threat.ip("0.0.0.0/0"), threat.ip("203.0.113.7"), threat.ip("10.1.2.3")]'
same_lines "threat.ip() in the CLI reads the imported list" "$(cat "$TMP/ti.out")" "[true,true,true,false]"

# feed list: counts and ages
# shellcheck disable=SC2086
run_parapet "$TMP/l1" $P feed list
expect_rc "$TMP/l1" 0 "feed list"
same_lines "feed list names the feeds and counts" "$(awk 'NR>1 {print $1, $2, $3}' "$TMP/l1.out")" \
    "epss indicators 7
kev indicators 2
list:drop indicators 6
osv:Debian:12 advisories 10"
check "fresh feeds are not called stale" [ ! -s "$TMP/l1.err" ]

# match: KEV first, then EPSS, then severity; Debian by source package
# shellcheck disable=SC2086
run_parapet "$TMP/m1" $P feed match --format jsonl
expect_rc "$TMP/m1" 0 "feed match"
echo "[$(paste -sd, "$TMP/m1.out")]" >"$TMP/m1.json"
J="$TMP/m1.json"
jq_rows() { sqlite3 -batch -noheader :memory: "SELECT $1 FROM json_each(readfile('$J')) $2;"; }
same_lines "advisories matched, in triage order" \
    "$(jq_rows "json_extract(value,'\$.id')" "" | uniq)" \
    "DEBIAN-CVE-2099-0001
DEBIAN-CVE-2099-0004
DEBIAN-CVE-2099-0006
DEBIAN-CVE-2099-0011
DEBIAN-CVE-2099-0003"
want_glibc=$(dpkg-query --admindir="$DEB_CACHE/dpkg-root/var/lib/dpkg" -W -f '${binary:Package} ${source:Package}\n' |
    awk '$2=="glibc"{print $1}' | sed 's/:.*//' | LC_ALL=C sort)
same_lines "glibc's advisory hits every binary package built from glibc" \
    "$(jq_rows "json_extract(value,'\$.package')" "WHERE json_extract(value,'\$.id')='DEBIAN-CVE-2099-0001'" | LC_ALL=C sort)" \
    "$want_glibc"
same_lines "KEV details" \
    "$(jq_rows "DISTINCT json_extract(value,'\$.kev') || ' ' || json_extract(value,'\$.kev_due_date') || ' ' || json_extract(value,'\$.ransomware') || ' ' || json_extract(value,'\$.cve') || ' ' || json_extract(value,'\$.severity') || ' ' || json_extract(value,'\$.cvss') || ' ' || json_extract(value,'\$.epss')" "WHERE json_extract(value,'\$.id')='DEBIAN-CVE-2099-0001'")" \
    "1 2026-11-22 Known CVE-2099-0001 critical 9.8 0.1"
same_lines "the upstream CVE is listed among the aliases" \
    "$(jq_rows "DISTINCT json_extract(value,'\$.aliases')" "WHERE json_extract(value,'\$.id')='DEBIAN-CVE-2099-0001'")" \
    '["CVE-2099-0001"]'
check "tar's last_affected advisory has no fixed version" \
    [ "$(jq_rows "DISTINCT coalesce(json_extract(value,'\$.fixed'),'null')" "WHERE json_extract(value,'\$.id')='DEBIAN-CVE-2099-0004'")" = null ]
# every fixed match: installed (source) version < fixed, by dpkg itself
bad=0
jq_rows "json_extract(value,'\$.package') || ' ' || json_extract(value,'\$.fixed')" "WHERE json_extract(value,'\$.fixed') IS NOT NULL" >"$TMP/fixed.txt"
while read -r pkg fixed; do
    sv=$(dpkg-query --admindir="$DEB_CACHE/dpkg-root/var/lib/dpkg" -W -f '${source:Version}' "$pkg")
    dpkg --compare-versions "$sv" lt "$fixed" || { echo "not below the fix: $pkg $sv $fixed" >&2; bad=1; }
done <"$TMP/fixed.txt"
check "every match is below its fix by dpkg --compare-versions ($(wc -l <"$TMP/fixed.txt") pairs)" [ "$bad" = 0 ] 
check "some matches have a fix" [ -s "$TMP/fixed.txt" ]
# the unaffected ones, by dpkg too: zlib equals its fix, ncurses is above a '~' fix
for pv in "zlib1g 1:1.2.13.dfsg-1" "libtinfo6 6.4-4~deb12u1" "util-linux 2.38.1-5+deb12u3"; do
    set -- $pv
    sv=$(dpkg-query --admindir="$DEB_CACHE/dpkg-root/var/lib/dpkg" -W -f '${source:Version}' "$1")
    if dpkg --compare-versions "$sv" ge "$2" && ! grep -q "\"package\":\"$1\"" "$TMP/m1.out"; then
        pass "$1 $sv >= $2 (dpkg) and not matched"
    else
        fail "$1: $sv vs $2 disagrees with the matcher"
    fi
done
for id in 0002 0005 0007 0008 0009 0010; do
    if grep -q "DEBIAN-CVE-2099-$id" "$TMP/m1.out"; then
        fail "DEBIAN-CVE-2099-$id must not match (withdrawn, other release, binary name or not affected)"
    else
        pass "DEBIAN-CVE-2099-$id does not match"
    fi
done

# the text table: KEV rows on top, the summary on stderr
# shellcheck disable=SC2086
run_parapet "$TMP/m4" $P feed match
expect_rc "$TMP/m4" 0 "feed match (text)"
same_lines "the first row is the KEV advisory, critical, with its fix" \
    "$(sed -n 2p "$TMP/m4.out" | awk '{print $1, $3, $4, $5, $8}')" "yes critical DEBIAN-CVE-2099-0001 CVE-2099-0001 2.36-9+deb12u99"
n_json=$(wc -l <"$TMP/m1.out")
grep -q "^$n_json vulnerable package matches in scan 1" "$TMP/m4.err" && pass "the summary counts $n_json matches" ||
    { fail "no summary line"; show "$TMP/m4"; }
# shellcheck disable=SC2086
run_parapet "$TMP/l3" $P feed list --format json
same_lines "feed list --format json" \
    "$(sqlite3 -batch -noheader :memory: "SELECT json_extract(value,'\$.feed') || ' ' || json_extract(value,'\$.records') || ' ' || json_extract(value,'\$.stale') FROM json_each(readfile('$TMP/l3.out'));")" \
    "epss 7 0
kev 2 0
list:drop 6 0
osv:Debian:12 10 0"

# --ignore-unfixed leaves out the advisories without a fix
# shellcheck disable=SC2086
run_parapet "$TMP/m2" $P feed match --format jsonl --ignore-unfixed
expect_rc "$TMP/m2" 0 "feed match --ignore-unfixed"
same_lines "--ignore-unfixed keeps only fixable matches" \
    "$(sed 's/.*"id":"\([^"]*\)".*/\1/' "$TMP/m2.out" | uniq)" \
    "DEBIAN-CVE-2099-0001
DEBIAN-CVE-2099-0006
DEBIAN-CVE-2099-0011"

# hostile files: refused with the file named, the stored feeds untouched
head -c 700 "$TMP/all.zip" >"$TMP/truncated.zip"
# shellcheck disable=SC2086
run_parapet "$TMP/h1" $P feed import --unsigned "$TMP/truncated.zip"
expect_rc "$TMP/h1" 2 "a truncated zip is refused"
grep -q "truncated.zip" "$TMP/h1.err" && pass "the error names the file" || { fail "file not named"; show "$TMP/h1"; }
"$PY3" - "$TMP/huge.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("ok.json", '{"id":"X-1","modified":"2026-01-01T00:00:00Z","affected":[]}')
    z.writestr("huge.json", b"[" + b" " * (17 << 20) + b"]")
PY
# shellcheck disable=SC2086
run_parapet "$TMP/h2" $P feed import --unsigned "$TMP/huge.zip"
expect_rc "$TMP/h2" 2 "a zip with a 17 MiB entry is refused"
grep -q "entry huge.json.*limit" "$TMP/h2.err" && pass "the error names the entry and the limit" || { fail "entry not named"; show "$TMP/h2"; }
printf '{"catalogVersion": "1", "vulnerabilities": [' >"$TMP/kev-bad.json"
# shellcheck disable=SC2086
run_parapet "$TMP/h3" $P feed import --unsigned "$TMP/kev-bad.json"
expect_rc "$TMP/h3" 2 "a KEV file that is not JSON is refused"
grep -q "kev-bad.json: not valid JSON" "$TMP/h3.err" && pass "the JSON error names the file" || { fail "file not named"; show "$TMP/h3"; }
printf 'PK\003\004garbage' >"$TMP/garbage.zip"
# shellcheck disable=SC2086
run_parapet "$TMP/h4" $P feed import --unsigned "$TMP/garbage.zip"
expect_rc "$TMP/h4" 2 "a corrupt zip is refused"
same_lines "the stored feeds survived every refused import" \
    "$(q "$DB" "SELECT feed || ' ' || records FROM feed_state ORDER BY 1")" \
    "epss 7
kev 2
list:drop 6
osv:Debian:12 10"
check "the advisories are all still there" [ "$(q "$DB" "SELECT count(*) FROM advisories")" = 10 ]

# a stale feed is warned about
q "$DB" "UPDATE feed_state SET updated_at = updated_at - 10*86400 WHERE feed='kev'"
# shellcheck disable=SC2086
run_parapet "$TMP/l2" $P feed list
expect_rc "$TMP/l2" 0 "feed list with a stale feed"
grep -q 'warning: feed kev is stale: last updated 10d ago' "$TMP/l2.err" && pass "the stale feed is named" ||
    { fail "no stale warning"; show "$TMP/l2"; }
check "only the stale feed is warned about" [ "$(grep -c stale "$TMP/l2.err")" = 1 ]
# shellcheck disable=SC2086
run_parapet "$TMP/m3" $P feed match
grep -q 'feed kev is stale' "$TMP/m3.err" && pass "match warns about the stale feed too" || fail "match did not warn"

# the reference OSV records (real shapes) import, named after their ecosystem
make_zip "$TMP/ref.zip" "$FIX"/osv-reference/*.json
# shellcheck disable=SC2086
run_parapet "$TMP/i5" $P feed import --unsigned "$TMP/ref.zip"
expect_rc "$TMP/i5" 0 "import the reference OSV records"
check "all 8 reference records are stored" [ "$(q "$DB" "SELECT records FROM feed_state WHERE feed LIKE 'osv:%' AND feed != 'osv:Debian:12'")" = 8 ]
finish
