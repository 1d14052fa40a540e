#!/bin/sh
# image_lang_platform.sh - multi-platform images (an OCI image index and a
# docker manifest list inside an OCI archive): the default platform is
# linux and this machine's architecture; -o image.platform=OS/ARCH[/VARIANT]
# chooses another; an attestation entry (unknown/unknown) is never
# chosen; a platform the image does not have fails the task with the list
# of the ones it has; a malformed platform is refused as configuration.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"
. "$top_srcdir/tests/integration/image_lib.sh"

PDIR=$(image_plugin_dir plugins)
case "$(uname -m)" in
x86_64) HOST=amd64 ;;
aarch64) HOST=arm64 ;;
*) HOST=amd64 ;; # the image has no other: the default is then checked by its error
esac

for list in application/vnd.oci.image.index.v1+json application/vnd.docker.distribution.manifest.list.v2+json; do
    kind=${list##*/}
    img="$TMP/multi-$kind.tar"
    "$PY3" "$top_srcdir/tests/fixtures/image/lang/make_multiarch.py" "$img" "$list" ||
        { echo "FAIL: cannot write the multi-platform image" >&2; exit 1; }
    for want in "default only-on-$HOST $HOST" "linux/arm64 only-on-arm64 arm64" "linux/arm/v7 only-on-armv7 arm" \
        "linux/arm only-on-armv7 arm" "linux/amd64 only-on-amd64 amd64"; do
        set -- $want
        o="$TMP/$kind-$(echo "$1" | tr / _)"
        if [ "$1" = default ]; then
            scan_image "$o" "$img"
        else
            scan_image "$o" "$img" -o "image.platform=$1"
        fi
        expect_rc "$o" 0 "$kind: platform $1"
        same_lines "$kind: platform $1: the packages and the config of that platform" \
            "$(sqlite3 -batch -noheader "$o.db" "SELECT name FROM packages; SELECT json_extract(data,'\$.architecture') FROM resources WHERE type='image.container';")" \
            "$2
$3"
    done
    o="$TMP/$kind-absent"
    scan_image "$o" "$img" -o image.platform=linux/s390x
    expect_rc "$o" 2 "$kind: a platform the image does not have fails the task"
    check "$kind: the error lists the available platforms (and not the attestation)" \
        sh -c "grep -q 'no manifest for platform linux/s390x; the image has: linux/amd64, linux/arm64, linux/arm/v7 (choose' '$o.err'"
    check "$kind: nothing of the image is stored" \
        [ "$(sqlite3 -batch -noheader "$o.db" "SELECT count(*) FROM packages;")" = 0 ]
done

o="$TMP/bad"
scan_image "$o" "$img" -o image.platform=linux
check "a platform without an architecture is refused as configuration (exit $RC)" [ "$RC" -ne 0 ]
check "the refusal names the key" sh -c "grep -q 'platform' '$o.err'"
o="$TMP/bad2"
scan_image "$o" "$img" -o 'image.platform=linux/amd64;rm'
check "a platform with odd characters is refused (exit $RC)" [ "$RC" -ne 0 ]
finish
