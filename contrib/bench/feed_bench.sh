#!/bin/sh
# feed_bench.sh - vulnerability feeds at realistic sizes: OSV exports in the
# real record shape (plugins/feeds/bench_osv.py: Debian:12 source-package
# records with upstream CVEs and ECOSYSTEM ranges, npm GHSA records with
# SEMVER ranges, zipped per ecosystem) imported raw and as a signed bundle,
# then a 3,000-package inventory (2,000 Debian, 1,000 npm) matched. Prints
# import and match times (wall and CPU, the worker's included), records/s,
# the database size and peak RSS. On a shared machine the wall times follow
# the load; the CPU times much less.
# usage: contrib/bench/feed_bench.sh [BUILDDIR] [N_DEBIAN] [N_NPM]
#        (defaults: . 150000 150000)
set -u
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
top_builddir=$(cd "${1:-.}" && pwd)
N_DEB=${2:-150000}
N_NPM=${3:-150000}
PARAPET="$top_builddir/parapet"
FEEDS_SO="$top_builddir/plugins/feeds/.libs/feeds.so"
need() { command -v "$1" >/dev/null 2>&1 || { echo "feed_bench: needs $1 ($2)" >&2; exit 2; }; }
need python3 "apt-get install python3"
need sqlite3 "apt-get install sqlite3"
need bc "apt-get install bc"
[ -x /usr/bin/time ] || { echo "feed_bench: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
[ -x "$PARAPET" ] && [ -f "$FEEDS_SO" ] || { echo "feed_bench: build parapet and plugins/feeds first" >&2; exit 2; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/parapet-feed-bench.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/plugins" "$TMP/keys" && chmod 700 "$TMP/keys"
ln -s "$FEEDS_SO" "$TMP/plugins/feeds.so"
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }
rate() { echo "scale=0; $1 / ($2)" | bc; }

printf 'generating %d Debian:12 and %d npm OSV records...\n' "$N_DEB" "$N_NPM"
python3 "$top_srcdir/plugins/feeds/bench_osv.py" "$TMP/osv" "$N_DEB" "$N_NPM" || exit 1
ls -l "$TMP/osv"/*.zip | awk '{printf "  %-20s %6.1f MiB\n", $NF, $5 / 1048576}' | sed "s#$TMP/osv/##"

run() { # run LABEL DB ARGS...: time one parapet command, print wall time and peak RSS
    _label=$1 _db=$2
    shift 2
    _t0=$(now)
    /usr/bin/time -f '%M %U %S' -o "$TMP/rss" "$PARAPET" --plugin-dir "$TMP/plugins" --db "$_db" --keys-dir "$TMP/keys" \
        "$@" >"$TMP/out" 2>"$TMP/err" || { echo "FAIL: $_label" >&2; cat "$TMP/err" >&2; exit 1; }
    _t1=$(now)
    WALL=$(secs "$_t0" "$_t1")
    RSS=$(tail -1 "$TMP/rss" | cut -d' ' -f1)
    CPU=$(tail -1 "$TMP/rss" | awk '{print $2 + $3}')
}

# 1. raw imports, one export at a time
DB="$TMP/raw.db"
total_recs=0
total_wall=0
for z in Debian12-all.zip npm-all.zip; do
    run "import $z" "$DB" feed import --unsigned "$TMP/osv/$z"
    recs=$(sed -n 's/^osv:[^:]*\(:[0-9]*\)*: \([0-9]*\) records$/\2/p' "$TMP/out")
    printf '%-34s %8.2f s  %7d records  %7d records/s  cpu %6.2f s  peak RSS %6d KiB\n' "import $z" "$WALL" "$recs" \
        "$(rate "$recs" "$WALL")" "$CPU" "$RSS"
    total_recs=$((total_recs + recs))
    total_wall=$(echo "$total_wall + $WALL" | bc)
done
printf '%-34s %8.2f s  %7d records  %7d records/s\n' "import, both exports" "$total_wall" "$total_recs" \
    "$(rate "$total_recs" "$total_wall")"
printf '%-34s %8.1f MiB (%d advisories, %d index rows)\n' "database size" \
    "$(echo "scale=1; $(stat -c %s "$DB") / 1048576" | bc)" \
    "$(sqlite3 "$DB" "SELECT count(*) FROM advisories")" "$(sqlite3 "$DB" "SELECT count(*) FROM advisory_packages")"

# 2. the same two exports as one signed bundle
"$PARAPET" plugin keygen --unencrypted "$TMP/k" >/dev/null 2>&1 || exit 1
cp "$TMP/k.pub" "$TMP/keys/" && chmod 644 "$TMP/keys/k.pub"
t0=$(now)
"$PARAPET" feed pack --key "$TMP/k.key" "$TMP/b.tar" "$TMP/osv/Debian12-all.zip" "$TMP/osv/npm-all.zip" >/dev/null ||
    exit 1
t1=$(now)
printf '%-34s %8.2f s  %6.1f MiB\n' "feed pack (hash, classify, sign)" "$(secs "$t0" "$t1")" \
    "$(echo "scale=1; $(stat -c %s "$TMP/b.tar") / 1048576" | bc)"
run "import the signed bundle" "$TMP/bundle.db" feed import "$TMP/b.tar"
printf '%-34s %8.2f s  %7d records  %7d records/s  cpu %6.2f s  peak RSS %6d KiB\n' "import the signed bundle" "$WALL" \
    "$total_recs" "$(rate "$total_recs" "$WALL")" "$CPU" "$RSS"

# 3. match a 3,000-package inventory (scan 1 of bench_osv.py's inventory.sql)
sqlite3 "$DB" <"$TMP/osv/inventory.sql" || exit 1
run "feed match" "$DB" feed match --scan 1 --format jsonl
n=$(wc -l <"$TMP/out")
printf '%-34s %8.2f s  %7d packages  %7d matches  cpu %6.2f s  peak RSS %6d KiB\n' "feed match (3,000 packages)" "$WALL" \
    "$(sqlite3 "$DB" "SELECT count(*) FROM packages WHERE scan_id=1")" "$n" "$CPU" "$RSS"
