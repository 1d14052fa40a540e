#!/bin/sh
# image_debian.sh - a real Debian 12 image (mmdebstrap minbase, built once and
# cached) scanned as docker-archive, OCI layout, OCI archive, root
# filesystem tarball and directory: the package list (name, version,
# source) must equal dpkg-query's over the same database every time.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"
. "$top_srcdir/tests/integration/image_lib.sh"

need dpkg-query "Debian's dpkg"
debian_image
PDIR=$(image_plugin_dir plugins)

want=$(dpkg-query --admindir="$DEB_CACHE/dpkg-root/var/lib/dpkg" -W \
    -f '${Package} ${Version} ${source:Package}\n' | LC_ALL=C sort)
n=$(echo "$want" | wc -l)
check "dpkg-query lists the image's packages ($n)" [ "$n" -gt 50 ]

# the root filesystem as a directory (extracted once into the test's tmp)
mkdir -p "$TMP/rootfs" && tar -xf "$DEB_CACHE/rootfs.tar" -C "$TMP/rootfs" 2>/dev/null

for t in "docker-archive:$DEB_CACHE/docker.tar" "oci-layout:$DEB_CACHE/oci" "oci-archive:$DEB_CACHE/oci.tar" \
    "rootfs-tar:$DEB_CACHE/rootfs.tar" "rootfs-dir:$TMP/rootfs"; do
    fmt=${t%%:*}
    target=${t#*:}
    scan_image "$TMP/$fmt" "$target"
    expect_rc "$TMP/$fmt" 0 "scan $fmt"
    same_lines "$fmt: packages equal dpkg-query's" "$(packages "$TMP/$fmt")" "$want"
    got_fmt=$(sqlite3 -batch -noheader "$TMP/$fmt.db" \
        "SELECT json_extract(data,'\$.format') || ' ' || json_extract(data,'\$.distro.id') || ' ' || json_extract(data,'\$.distro.versionId') FROM resources WHERE type='image.container';")
    same_lines "$fmt: the image resource names its format and distribution" "$got_fmt" "$fmt debian 12"
done

# purls and ecosystems (libc6 is in every Debian image)
purl=$(sqlite3 -batch -noheader "$TMP/oci-layout.db" "SELECT purl FROM packages WHERE name='libc6';")
ver=$(dpkg-query --admindir="$DEB_CACHE/dpkg-root/var/lib/dpkg" -W -f '${Version}' libc6)
same_lines "libc6 purl" "$purl" "pkg:deb/debian/libc6@$(echo "$ver" | sed 's/:/%3A/')?arch=amd64&distro=debian-12"
eco=$(sqlite3 -batch -noheader "$TMP/oci-layout.db" "SELECT DISTINCT ecosystem FROM packages;")
same_lines "ecosystem Debian:12" "$eco" "Debian:12"

# every package names the one layer; it is the image's diff id, the same in all three formats
for fmt in docker-archive oci-layout oci-archive; do
    layers=$(sqlite3 -batch -noheader "$TMP/$fmt.db" "SELECT DISTINCT layer FROM packages;")
    diff=$(sqlite3 -batch -noheader "$TMP/$fmt.db" "SELECT json_extract(data,'\$.layers[0].diffId') FROM resources WHERE type='image.container';")
    check "$fmt: packages name the layer $diff" [ -n "$diff" ] && same_lines "$fmt: layer of every package" "$layers" "$diff"
done
same_lines "the same layer digest in docker-archive and OCI" \
    "$(sqlite3 -batch -noheader "$TMP/docker-archive.db" "SELECT DISTINCT layer FROM packages;")" \
    "$(sqlite3 -batch -noheader "$TMP/oci-archive.db" "SELECT DISTINCT layer FROM packages;")"
finish
