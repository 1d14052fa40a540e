#!/bin/sh
# feed_update.sh - `parapet feed update` over HTTPS from a local server with
# a test CA: ETag and If-None-Match (a second update gets 304 and changes
# nothing), a changed feed is replaced, a corrupt or truncated download is
# refused and the previous data kept, plain http:// is refused. Never
# reaches the internet.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"
. "$top_srcdir/tests/integration/feed_lib.sh"
need openssl "apt-get install openssl"

PDIR=$(feed_plugin_dir plugins)
W="$TMP/www"
mkdir -p "$W/osv/Debian:12"
(
    cd "$TMP" || exit 1
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=parapet-test-ca &&
        openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 &&
        printf 'subjectAltName=IP:127.0.0.1\n' >ext &&
        openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile ext
) >/dev/null 2>&1 || { fail "could not make test certificates"; finish; }

cp "$FIX/kev_synthetic.json" "$W/kev.json"
cp "$FIX/epss_scores.csv.gz" "$W/epss.csv.gz"
make_zip "$W/osv/Debian:12/all.zip" "$FIX"/debian12/*.json

"$PY3" "$top_srcdir/tests/integration/feed_httpd.py" "$W" "$TMP/srv.pem" "$TMP/srv.key" "$TMP/port" "$TMP/requests.log" \
    >"$TMP/server.log" 2>&1 &
CLEANUP_PIDS="$!"
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    [ -f "$TMP/port" ] && break
    sleep 0.25
done
[ -f "$TMP/port" ] || { fail "the HTTPS test server did not start"; cat "$TMP/server.log" >&2; finish; }
BASE="https://127.0.0.1:$(cat "$TMP/port")"
cat >"$TMP/parapet.conf" <<CONF
[plugin.feeds]
sources = kev,epss,osv
kev_url = $BASE/kev.json
epss_url = $BASE/epss.csv.gz
osv_base_url = $BASE/osv
osv_ecosystems = Debian:12
http.ca_file = $TMP/ca.pem
http.max_retries = 0
CONF
DB="$TMP/feeds.db"
P="--config $TMP/parapet.conf --plugin-dir $PDIR --db $DB"
state() { q "$DB" "SELECT feed || ' ' || records || ' ' || updated_at FROM feed_state ORDER BY 1"; }

# first update: everything downloaded
# shellcheck disable=SC2086
run_parapet "$TMP/u1" $P feed update
expect_rc "$TMP/u1" 0 "first update"
same_lines "first update loads the three feeds" "$(LC_ALL=C sort "$TMP/u1.out")" \
    "epss: 7 records
kev: 2 records
osv:Debian:12: 10 records"
check "three downloads with no validator" [ "$(grep -c ' 200 -$' "$TMP/requests.log")" = 3 ]
before=$(state)
adv_before=$(q "$DB" "SELECT group_concat(id || modified) FROM (SELECT id, modified FROM advisories ORDER BY id)")
sleep 1

# second update: the server answers 304 to each, nothing changes
: >"$TMP/requests.log"
# shellcheck disable=SC2086
run_parapet "$TMP/u2" $P feed update
expect_rc "$TMP/u2" 0 "second update"
check "three conditional requests answered 304" [ "$(grep -c ' 304 "' "$TMP/requests.log")" = 3 ]
same_lines "the second update says nothing changed" "$(cat "$TMP/u2.out")" "no feed changed"
same_lines "feed state untouched by 304s (same counts and times)" "$(state)" "$before"
same_lines "advisories untouched" "$(q "$DB" "SELECT group_concat(id || modified) FROM (SELECT id, modified FROM advisories ORDER BY id)")" "$adv_before"

# the KEV catalogue changes upstream: only it is replaced
cp "$FIX/kev_sample_25.json" "$W/kev.json"
: >"$TMP/requests.log"
# shellcheck disable=SC2086
run_parapet "$TMP/u3" $P feed update
expect_rc "$TMP/u3" 0 "update after the catalogue changed"
same_lines "only kev was replaced" "$(cat "$TMP/u3.out")" "kev: 25 records"
check "the old KEV entries are gone" [ "$(q "$DB" "SELECT count(*) FROM indicators WHERE feed='kev' AND value LIKE 'CVE-2099-%'")" = 0 ]
check "the new ones are there" [ "$(q "$DB" "SELECT count(*) FROM indicators WHERE feed='kev'")" = 25 ]

# a corrupt export: refused, the previous advisories kept, its ETag not kept
: >"$TMP/requests.log"
head -c 900 "$W/osv/Debian:12/all.zip" >"$TMP/cut.zip" && mv "$TMP/cut.zip" "$W/osv/Debian:12/all.zip"
# shellcheck disable=SC2086
run_parapet "$TMP/u4" $P feed update
expect_rc "$TMP/u4" 2 "a corrupt OSV download fails the update"
grep -q "osv/Debian:12/all.zip" "$TMP/u4.err" && pass "the error names the download" || { fail "download not named"; show "$TMP/u4"; }
check "the previous advisories are kept" [ "$(q "$DB" "SELECT count(*) FROM advisories WHERE source='osv:Debian:12'")" = 10 ]
# shellcheck disable=SC2086
run_parapet "$TMP/u5" $P feed update
expect_rc "$TMP/u5" 2 "the corrupt export fails again"
check "the corrupt export was downloaded whole both times (its ETag was not kept)" \
    [ "$(grep -c '^/osv/Debian:12/all.zip 200 ' "$TMP/requests.log")" = 2 ]

# a truncated transfer (Content-Length larger than the body)
make_zip "$W/osv/Debian:12/all.zip" "$FIX"/debian12/DEBIAN-CVE-2099-0001.json
sed "s|^osv_base_url = .*|osv_base_url = $BASE/short/osv|; s|^sources = .*|sources = osv|" "$TMP/parapet.conf" >"$TMP/short.conf"
# shellcheck disable=SC2086
run_parapet "$TMP/u6" --config "$TMP/short.conf" --plugin-dir "$PDIR" --db "$DB" feed update
expect_rc "$TMP/u6" 2 "a truncated download fails"
check "the advisories survive the truncated download" [ "$(q "$DB" "SELECT count(*) FROM advisories WHERE source='osv:Debian:12'")" = 10 ]

# and a good export replaces the feed
# shellcheck disable=SC2086
run_parapet "$TMP/u7" $P feed update
expect_rc "$TMP/u7" 0 "update with a good export again"
check "the feed now holds the one advisory of the new export" [ "$(q "$DB" "SELECT count(*) FROM advisories WHERE source='osv:Debian:12'")" = 1 ]

# plain http is refused by the plugin
sed "s|^kev_url = .*|kev_url = http://127.0.0.1:1/kev.json|; s|^sources = .*|sources = kev|" "$TMP/parapet.conf" >"$TMP/http.conf"
# shellcheck disable=SC2086
run_parapet "$TMP/u8" --config "$TMP/http.conf" --plugin-dir "$PDIR" --db "$DB" feed update
expect_rc "$TMP/u8" 2 "an http:// feed URL is refused"
grep -q "only https:// URLs" "$TMP/u8.err" && pass "the error says https only" || { fail "unclear error"; show "$TMP/u8"; }
check "the KEV data is still there" [ "$(q "$DB" "SELECT count(*) FROM indicators WHERE feed='kev'")" = 25 ]
finish
