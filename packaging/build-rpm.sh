#!/bin/sh
# packaging/build-rpm.sh [-o OUTDIR] [TARBALL] - build the RPMs (parapet,
# parapet-plugins, parapet-sdk-devel) with packaging/rpm/parapet.spec.
# Without TARBALL, `make dist` makes one from a temporary copy of this tree.
# On a Debian host rpm's database is empty, so the BuildRequires cannot be
# checked: --nodeps is passed there (install the build dependencies with
# contrib/install-deps.sh). BUNDLE_KEY=/path/base signs the bundles with a
# release key. The RPMs land in OUTDIR (default ./rpm-out).
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
out="$PWD/rpm-out"
if [ "${1:-}" = -o ]; then out=$2; shift 2; fi
command -v rpmbuild >/dev/null 2>&1 || { echo "build-rpm: rpmbuild is missing: apt-get install rpm" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/parapet-rpm.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/SOURCES" "$out"
if [ $# -gt 0 ]; then
    cp "$1" "$work/SOURCES/"
else
    mkdir "$work/tree"
    if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        (cd "$src" && git ls-files -z --cached --others --exclude-standard |
            xargs -0 sh -c 'for f; do [ -f "$f" ] && printf "%s\0" "$f"; done' sh |
            tar --null -T - -cf -) | (cd "$work/tree" && tar xf -)
    else
        (cd "$src" && tar --exclude=./rpm-out -cf - .) | (cd "$work/tree" && tar xf -)
    fi
    (cd "$work/tree" && autoreconf -fi && ./configure && make dist) >"$work/dist.log" 2>&1 ||
        { tail -n 20 "$work/dist.log" >&2; echo "build-rpm: make dist failed" >&2; exit 1; }
    cp "$work"/tree/parapet-*.tar.gz "$work/SOURCES/"
fi

nodeps=""
command -v dpkg >/dev/null 2>&1 && [ "$(rpm -qa 2>/dev/null | wc -l)" -eq 0 ] && nodeps="--nodeps"
set -- rpmbuild -bb
[ -n "$nodeps" ] && set -- "$@" "$nodeps"
set -- "$@" --define "_topdir $work" --define "_sourcedir $work/SOURCES" --define "_rpmdir $out"
[ -n "${BUNDLE_KEY:-}" ] && set -- "$@" --define "bundle_key $BUNDLE_KEY"
"$@" "$src/packaging/rpm/parapet.spec"
echo "build-rpm: packages in $out:"
find "$out" -name '*.rpm' | sort
