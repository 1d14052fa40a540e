#!/bin/sh
# packaging/test-deb.sh [-o OUTDIR] [--no-build] - the Debian packages build
# clean and work on a fresh Debian 12. CI runs it after the test suite (it
# takes several minutes, needs root for mmdebstrap and the Debian mirror).
#
# 1. packaging/build-deb.sh --lintian builds parapet, parapet-plugins and
#    libparapet-sdk-dev (DEB_BUILD_OPTIONS=nocheck unless already set: the
#    suite has run) and fails on any lintian error.
# 2. mmdebstrap makes a minimal bookworm root; in it (chroot):
#    - the file list is recorded, then the three packages are installed
#      with apt (pulling their dependencies);
#    - `parapet version` works; `parapet plugin list` shows every first-party
#      bundle as verified, signed by the key in /etc/parapet/keys.d;
#    - the parapet system user exists with /var/lib/parapet (0750) as home,
#      /etc/parapet/keys.d exists, the units are installed and not enabled;
#    - the demo estate is scanned as the parapet user into
#      /var/lib/parapet/parapet.db and gives findings;
#    - an edited /etc/parapet/parapet.conf survives reinstalling the package;
#    - the SDK builds the plugin template with pkg-config;
#    - `apt-get purge` + `autoremove --purge` leave the file list as it was
#      and no parapet user or group.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
out="$PWD/deb-out"
build=1
while [ $# -gt 0 ]; do
    case $1 in
    -o | --output) out=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "test-deb: unknown argument '$1'" >&2; exit 2 ;;
    esac
done

fail() { echo "test-deb: FAIL: $*" >&2; exit 1; }
for tool in mmdebstrap lintian dpkg-buildpackage; do
    command -v "$tool" >/dev/null 2>&1 ||
        fail "needs $tool (apt-get install mmdebstrap lintian dpkg-dev debhelper)"
done
[ "$(id -u)" -eq 0 ] || fail "needs root (mmdebstrap --mode=root and chroot)"

if [ "$build" = 1 ]; then
    rm -rf "$out"
    DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-nocheck} sh "$src/packaging/build-deb.sh" -o "$out" --lintian ||
        fail "the packages build without lintian errors"
    echo "test-deb: ok: built, lintian clean"
fi
for p in parapet parapet-plugins libparapet-sdk-dev; do
    ls "$out/${p}_"*.deb >/dev/null 2>&1 || fail "$out has a ${p} package"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/parapet-test-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/debs"
for p in parapet parapet-plugins libparapet-sdk-dev; do cp "$out/${p}_"*.deb "$work/debs/"; done
cp "$src/contrib/demo/estate.jsonl" "$work/estate.jsonl"
cp -R "$src/contrib/plugin-template" "$work/plugin-template"

# Runs inside the chroot (as root), from a customize hook.
cat >"$work/inside.sh" <<'EOF'
set -eu
fail() { echo "test-deb: FAIL (chroot): $*" >&2; exit 1; }
ok() { echo "test-deb: ok: $*"; }
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
snapshot() {
    find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp \
        -o -path /var/cache -o -path /var/log -o -path /var/lib/apt -o -path /var/lib/dpkg \
        -o -path /var/lib/systemd/deb-systemd-helper-enabled -o -path /var/lib/systemd/deb-systemd-helper-masked \
        -o -path /etc/ld.so.cache \) -prune -o -print |
        grep -v '^/etc/\(passwd\|group\|shadow\|gshadow\)-$' | sort
    # (the -suffixed files are the backups any useradd/userdel leaves)
}
snapshot >/tmp/before.list
apt-get install -y -q /tmp/t/debs/*.deb >/tmp/install.log 2>&1 || { tail -n 30 /tmp/install.log; fail "apt-get install of the packages"; }
ok "installed: $(ls /tmp/t/debs | tr '\n' ' ')"

parapet version | grep -q '^parapet ' || fail "parapet version"
ok "parapet version: $(parapet version | head -n 1)"

list=$(parapet plugin list 2>&1) || { echo "$list"; fail "parapet plugin list"; }
echo "$list" | sed 's/^/    /'
for name in snapshot jsonl outputs sarif aws azure gcp iac image feeds kubernetes cyclonedx; do
    echo "$list" | grep -E "^ *$name " | grep -q verified || fail "plugin $name is listed as verified"
done
echo "$list" | grep -Eq 'MODIFIED|unverified|UNVERIFIED|refused|development' &&
    fail "no plugin is modified, unverified, refused or loose (development)"
ok "plugin list: every first-party plugin installed as a verified bundle"
test -f /etc/parapet/keys.d/parapet-build.pub || fail "the signing key is in /etc/parapet/keys.d"
test -e /usr/lib/*/parapet/plugins/.lock && fail "no installer lock file is shipped"

getent passwd parapet | grep -q ':/var/lib/parapet:' || fail "system user parapet with home /var/lib/parapet"
[ "$(stat -c '%U:%G %a' /var/lib/parapet)" = "parapet:parapet 750" ] || fail "/var/lib/parapet is parapet:parapet 0750"
[ "$(stat -c '%U %a' /etc/parapet/keys.d)" = "root 755" ] || fail "/etc/parapet/keys.d is root's, 0755"
for u in parapet-scan.service parapet-scan.timer parapet-feed-update.service parapet-feed-update.timer; do
    test -f "/lib/systemd/system/$u" || fail "unit $u installed"
done
ls /etc/systemd/system/timers.target.wants/parapet-* >/dev/null 2>&1 && fail "timers are not enabled on install"
ok "user, directories and units"

cp /tmp/t/estate.jsonl /var/lib/parapet/estate.jsonl
chown parapet:parapet /var/lib/parapet/estate.jsonl
rc=0
runuser -u parapet -- env PARAPET_DB=/var/lib/parapet/parapet.db HOME=/var/lib/parapet \
    parapet scan snapshot /var/lib/parapet/estate.jsonl --output jsonl:/var/lib/parapet/findings.jsonl \
    >/tmp/scan.out 2>/tmp/scan.err || rc=$?
[ "$rc" -eq 0 ] || { cat /tmp/scan.err; fail "scan of the demo estate as parapet exits 0 (got $rc)"; }
test -s /var/lib/parapet/parapet.db || fail "the scan wrote /var/lib/parapet/parapet.db"
n=$(wc -l </var/lib/parapet/findings.jsonl)
[ "$n" -gt 0 ] || fail "the scan found something in the demo estate"
grep -q '^level=' /tmp/scan.err || [ ! -s /tmp/scan.err ] || fail "logs are logfmt when stderr is not a terminal"
ok "scan as parapet: $n findings lines; $(tail -n 1 /tmp/scan.out)"

echo '# edited by the admin' >>/etc/parapet/parapet.conf
apt-get install -y -q --reinstall /tmp/t/debs/parapet_*.deb >/tmp/reinstall.log 2>&1 || fail "reinstall"
grep -q 'edited by the admin' /etc/parapet/parapet.conf || fail "an edited parapet.conf survives a reinstall"
ok "edited conffile kept"

apt-get install -y -q gcc make libc6-dev libcjson-dev >/tmp/dev.log 2>&1 || fail "install a compiler for the SDK check"
cp -R /tmp/t/plugin-template /tmp/tpl
make -C /tmp/tpl >/tmp/tpl.log 2>&1 || { tail /tmp/tpl.log; fail "plugin template builds with the installed SDK"; }
parapet --plugin-dir /tmp/tpl plugin list 2>&1 | grep -q example || fail "the template plugin loads"
ok "SDK: the plugin template builds and loads"

apt-get purge -y -q parapet parapet-plugins libparapet-sdk-dev gcc make libc6-dev libcjson-dev >/tmp/purge.log 2>&1 || { cat /tmp/purge.log; fail "purge"; }
apt-get autoremove --purge -y -q >>/tmp/purge.log 2>&1 || fail "autoremove"
getent passwd parapet >/dev/null && fail "the parapet user is removed on purge"
getent group parapet >/dev/null && fail "the parapet group is removed on purge"
snapshot >/tmp/after.list
if ! diff -u /tmp/before.list /tmp/after.list >/tmp/left.diff; then
    cat /tmp/left.diff
    fail "purge leaves the file system as before"
fi
ok "purge leaves nothing behind"
EOF

echo "test-deb: bootstrapping bookworm (mmdebstrap)"
mmdebstrap --quiet --mode=root --variant=apt \
    --customize-hook='mkdir -p "$1/tmp/t"' \
    --customize-hook="copy-in $work/debs $work/estate.jsonl $work/plugin-template $work/inside.sh /tmp/t" \
    --customize-hook='chroot "$1" sh /tmp/t/inside.sh' \
    bookworm "$work/root.tar" ||
    fail "the packages work in a fresh bookworm root (see above)"
echo "test-deb: all checks passed"
