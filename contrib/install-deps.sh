#!/bin/sh
# contrib/install-deps.sh [--test] - install what parapet needs to build (and,
# with --test, to run its test suite) on Debian or Ubuntu, only where it is
# missing. Uses sudo when not run as root.
set -eu

build_pkgs="autoconf automake libtool pkg-config make gcc libc6-dev \
libcurl4-openssl-dev libcjson-dev libsqlite3-dev libarchive-dev libssl-dev libexpat1-dev libyaml-dev libext2fs-dev \
zlib1g-dev"
test_pkgs="sqlite3 minisign openssl python3 python3-rpm python3-packaging file binutils ca-certificates bsdutils \
curl systemd mandoc man-db zsh dpkg-dev debhelper fakeroot lintian mmdebstrap rpm skopeo time bc libxml2-utils chromium nodejs python3-jsonschema \
e2fsprogs fdisk qemu-utils"

want="$build_pkgs"
[ "${1:-}" = "--test" ] && want="$want $test_pkgs"
# Azurite (the Azure Storage tests) comes from the npm registry; Debian's npm is
# a package of its own, while other nodejs builds carry npm already.
if [ "${1:-}" = "--test" ] && ! command -v npm >/dev/null 2>&1; then want="$want npm"; fi

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps: not a Debian-like system; install the equivalents of: $want" >&2
    exit 0
fi

missing=""
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
        echo "install-deps: need root (or sudo) to install:$missing" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
