#!/bin/sh
# image_bench.sh - scan the Debian 12 test image (tests/integration/image_lib.sh
# builds and caches it) and put the time beside the decompression floor,
# `gzip -dc` of its layers to /dev/null, measured in the same run; with peak
# RSS. usage: contrib/bench/image_bench.sh [BUILDDIR]   (default: .)
set -u
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
top_builddir=$(cd "${1:-.}" && pwd)
PARAPET="$top_builddir/parapet"
export top_srcdir top_builddir PARAPET
need() { command -v "$1" >/dev/null 2>&1 || { echo "image_bench: needs $1 ($2)" >&2; exit 2; }; }
FAILURES=0
fail() { echo "FAIL: $*" >&2; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/parapet-image-bench.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
plugin_dir() { mkdir -p "$TMP/$1"; echo "$TMP/$1"; }
. "$top_srcdir/tests/integration/image_lib.sh"
debian_image
PDIR=$(image_plugin_dir plugins)
[ -x /usr/bin/time ] || { echo "image_bench: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }
# the floor: decompress every layer blob of the OCI layout
layers=$(ls -S "$DEB_CACHE"/oci/blobs/sha256/* | head -n 1)
t0=$(now); gzip -dc $layers >/dev/null; t1=$(now)
floor=$(secs "$t0" "$t1")
printf '%-34s %8s s\n' "gzip -dc of the layers (floor)" "$floor"
for t in "oci-archive (gzip layer):$DEB_CACHE/oci.tar" "docker-archive (plain layer):$DEB_CACHE/docker.tar" \
    "oci-layout (gzip layer):$DEB_CACHE/oci"; do
    what=${t%%:*}
    target=${t#*:}
    rm -f "$TMP/b.db"
    t0=$(now)
    /usr/bin/time -f '%M' -o "$TMP/rss" "$PARAPET" --plugin-dir "$PDIR" --db "$TMP/b.db" -q --progress=never \
        scan image "$target" --isolation none >/dev/null 2>"$TMP/err" || { cat "$TMP/err" >&2; exit 1; }
    t1=$(now)
    wall=$(secs "$t0" "$t1")
    n=$(sqlite3 -batch -noheader "$TMP/b.db" "SELECT count(*) FROM packages;")
    printf '%-34s %8s s  %5.2fx floor  peak RSS %6d KiB  %s packages\n' "scan $what" "$wall" \
        "$(echo "$wall / $floor" | bc -l)" "$(tail -n 1 "$TMP/rss")" "$n"
done
