# image_lib.sh - helpers shared by tests/integration/image_*.sh. Sourced
# after plugins_lib.sh. POSIX sh.
#
# The Debian 12 image the tests scan is built once with mmdebstrap and kept
# in ${XDG_CACHE_HOME:-$HOME/.cache}/parapet-test/, under a name that is a
# hash of the recipe below: change the recipe and a new image is built.

IMAGE_SO="$top_builddir/plugins/image/.libs/image.so"
PY3=/usr/bin/python3
[ -x "$PY3" ] || PY3=python3
MKIMAGE="$top_srcdir/tests/integration/image_mkimage.py"

# image_plugin_dir NAME : a plugin directory with the image scanner and
# the jsonl output; prints its path.
image_plugin_dir() {
    if [ ! -f "$IMAGE_SO" ]; then
        echo "FAIL: the image plugin is not built: $IMAGE_SO" >&2
        exit 1
    fi
    _d=$(plugin_dir "$1")
    ln -sf "$IMAGE_SO" "$_d/image.so"
    echo "$_d"
}

# The recipe of the cached Debian image. Everything that changes the
# result is in this text, so its hash names the cache entry.
DEBIAN_RECIPE="mmdebstrap --variant=minbase --mode=root bookworm ROOTFS.tar
formats: oci-layout(image_mkimage.py v1) docker-archive oci-archive (skopeo copy)"

# debian_image : make sure the cached Debian image exists; sets DEB_CACHE to
# the folder holding rootfs.tar, dpkg/ (its var/lib/dpkg), oci/ (OCI layout),
# docker.tar (docker-archive) and oci.tar (OCI archive). Exits on failure:
# a missing tool or a failed build is a failure, not a skip.
debian_image() {
    need mmdebstrap "apt-get install mmdebstrap"
    need skopeo "apt-get install skopeo"
    _key=$(printf '%s' "$DEBIAN_RECIPE" | sha256sum | cut -c1-16)
    DEB_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/parapet-test/debian12-$_key"
    if [ -f "$DEB_CACHE/complete" ]; then
        return 0
    fi
    echo "building the Debian 12 test image in $DEB_CACHE (once)" >&2
    rm -rf "$DEB_CACHE" && mkdir -p "$DEB_CACHE" || exit 1
    if ! mmdebstrap --quiet --variant=minbase --mode=root bookworm "$DEB_CACHE/rootfs.tar" >"$DEB_CACHE/build.log" 2>&1; then
        echo "FAIL: mmdebstrap failed; see $DEB_CACHE/build.log" >&2
        exit 1
    fi
    mkdir -p "$DEB_CACHE/dpkg-root" &&
        tar -xf "$DEB_CACHE/rootfs.tar" -C "$DEB_CACHE/dpkg-root" ./var/lib/dpkg ./etc/os-release ./usr/lib/os-release ||
        { echo "FAIL: cannot extract the dpkg database of the test image" >&2; exit 1; }
    "$PY3" "$MKIMAGE" oci-layout "$DEB_CACHE/oci" "$DEB_CACHE/rootfs.tar" >>"$DEB_CACHE/build.log" 2>&1 ||
        { echo "FAIL: cannot write the OCI layout; see $DEB_CACHE/build.log" >&2; exit 1; }
    skopeo --insecure-policy copy --quiet "oci:$DEB_CACHE/oci:debian" "docker-archive:$DEB_CACHE/docker.tar:debian:12" \
        >>"$DEB_CACHE/build.log" 2>&1 &&
        skopeo --insecure-policy copy --quiet "oci:$DEB_CACHE/oci:debian" "oci-archive:$DEB_CACHE/oci.tar:debian" \
            >>"$DEB_CACHE/build.log" 2>&1 ||
        { echo "FAIL: skopeo could not convert the image; see $DEB_CACHE/build.log" >&2; exit 1; }
    touch "$DEB_CACHE/complete"
}

# scan_image OUT_PREFIX TARGET [ARGS...] : scan TARGET with the image
# plugin into a fresh store OUT_PREFIX.db; sets RC.
scan_image() {
    _o=$1
    _t=$2
    shift 2
    rm -f "$_o.db"
    run_parapet "$_o" --plugin-dir "$PDIR" --db "$_o.db" --progress=never scan image "$_t" "$@"
}

# packages OUT_PREFIX : "name version source" lines of a scan's store, sorted.
packages() {
    sqlite3 -batch -noheader "$1.db" \
        "SELECT name || ' ' || version || ' ' || coalesce(source_name,'') FROM packages ORDER BY 1;" | LC_ALL=C sort
}
