#!/bin/sh
# packaging/build-deb.sh [-o OUTDIR] [--lintian] [-- DPKG-BUILDPACKAGE ARGS]
#
# Build the Debian packages (parapet, parapet-plugins, libparapet-sdk-dev)
# from this source tree without touching it: the tree's files are copied into
# a temporary directory, packaging/debian/ becomes debian/ there, and
# `dpkg-buildpackage -us -uc -b` runs in the copy. The .deb, .buildinfo and
# .changes files land in OUTDIR (default: ./deb-out).
#
# Environment: BUNDLE_KEY=/path/base signs the first-party bundles with a
# release key (default: a throwaway key made during the build, whose secret
# half is deleted after signing); DEB_BUILD_OPTIONS as usual (nocheck skips
# `make check`, parallel=N). With --lintian, lintian checks the result and
# the script fails on any lintian error.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
out="$PWD/deb-out"
run_lintian=0
while [ $# -gt 0 ]; do
    case $1 in
    -o | --output) out=$2; shift 2 ;;
    --lintian) run_lintian=1; shift ;;
    --) shift; break ;;
    -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-deb: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

for tool in dpkg-buildpackage dh; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "build-deb: '$tool' is missing: apt-get install dpkg-dev debhelper" >&2
        exit 2
    fi
done
if ! dpkg-checkbuilddeps "$src/packaging/debian/control" 2>/dev/null; then
    dpkg-checkbuilddeps "$src/packaging/debian/control" || true
    echo "build-deb: build dependencies are missing (see above)" >&2
    exit 2
fi

version=$(dpkg-parsechangelog -l "$src/packaging/debian/changelog" -S Version)
work=$(mktemp -d "${TMPDIR:-/tmp}/parapet-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
tree="$work/parapet-$version"
mkdir "$tree"

# Copy the sources only, never a configured build or earlier packaging output.
if command -v git >/dev/null 2>&1 && git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$src" && git ls-files -z --cached --others --exclude-standard |
        xargs -0 sh -c 'for f; do [ -f "$f" ] && printf "%s\0" "$f"; done' sh |
        tar --null -T - -cf -) | (cd "$tree" && tar xf -)
else
    (cd "$src" && tar --exclude=./deb-out --exclude=./debian -cf - .) | (cd "$tree" && tar xf -)
    if [ -f "$tree/Makefile" ]; then
        echo "build-deb: $src is a configured tree outside git; run 'make distclean' first" >&2
        exit 2
    fi
fi
rm -rf "$tree/debian"
cp -R "$src/packaging/debian" "$tree/debian"

echo "build-deb: building parapet $version in $tree"
(cd "$tree" && dpkg-buildpackage -us -uc -b "$@")

mkdir -p "$out"
for f in "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo; do
    [ -e "$f" ] && cp "$f" "$out/"
done
echo "build-deb: packages in $out:"
ls -1 "$out"/*.deb

if [ "$run_lintian" = 1 ]; then
    changes=$(ls "$out"/parapet_"$version"_*.changes | head -n 1)
    # lintian exits non-zero on errors only (the default --fail-on=error).
    lintian --display-info "$changes"
fi
