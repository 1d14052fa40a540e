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
# scan_row WHAT TARGET FLOOR : scan TARGET, print its time against FLOOR, peak RSS and packages
scan_row() {
    rm -f "$TMP/b.db"
    t0=$(now)
    /usr/bin/time -f '%M' -o "$TMP/rss" "$PARAPET" --plugin-dir "$PDIR" --db "$TMP/b.db" -q --progress=never \
        scan image "$2" --isolation none >/dev/null 2>"$TMP/err" || { cat "$TMP/err" >&2; exit 1; }
    t1=$(now)
    wall=$(secs "$t0" "$t1")
    n=$(sqlite3 -batch -noheader "$TMP/b.db" "SELECT count(*) FROM packages;")
    printf '%-34s %8s s  %5.2fx floor  peak RSS %6d KiB  %s packages\n' "scan $1" "$wall" \
        "$(echo "$wall / $3" | bc -l)" "$(tail -n 1 "$TMP/rss")" "$n"
}
for t in "oci-archive (gzip layer):$DEB_CACHE/oci.tar" "docker-archive (plain layer):$DEB_CACHE/docker.tar" \
    "oci-layout (gzip layer):$DEB_CACHE/oci"; do
    scan_row "${t%%:*}" "${t#*:}" "$floor"
done

# a raw VM disk: the root filesystem as ext4 (mkfs.ext4 -d, no mount); its floor is reading the
# disk file once (cat > /dev/null; both it and the scan read from the page cache)
need mkfs.ext4 "apt-get install e2fsprogs"
mkdir -p "$TMP/rootfs" && tar -xf "$DEB_CACHE/rootfs.tar" -C "$TMP/rootfs" 2>/dev/null
mkfs.ext4 -q -F -d "$TMP/rootfs" "$TMP/disk.raw" 400M >/dev/null || fail "mkfs.ext4 -d"
rm -rf "$TMP/rootfs"
cat "$TMP/disk.raw" >/dev/null
t0=$(now); cat "$TMP/disk.raw" >/dev/null; t1=$(now)
disk_floor=$(secs "$t0" "$t1")
printf '%-34s %8s s\n' "cat of the raw disk (floor)" "$disk_floor"
scan_row "raw disk (ext4, 400 MiB)" "$TMP/disk.raw" "$disk_floor"
