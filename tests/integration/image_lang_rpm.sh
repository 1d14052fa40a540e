#!/bin/sh
# image_lang_rpm.sh - the rpm ndb database (Packages.db, rpm >= 4.16 on
# SUSE) and the BerkeleyDB one (Packages, older RHEL/CentOS): the packages
# of real RPM headers (tests/fixtures/image/lang/rpm) written into an ndb
# file, and into BerkeleyDB files by db_load (4 KiB and 512-byte pages,
# little- and big-endian), are the ones python3-rpm reads from those
# headers, and the same as from an rpmdb.sqlite holding the same headers;
# both places rpm keeps an ndb file are read; hostile files (bad magic, a
# slot table larger than the file, a slot past the end, a broken checksum,
# a blob length that does not fit, a slot without magic, a header claiming
# 2^31 entries; a BerkeleyDB last page past the end, an overflow chain
# leaving the file or too short, a hash page with too many entries) are
# warnings naming the file, and never a crash.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"
. "$top_srcdir/tests/integration/image_lib.sh"

PDIR=$(image_plugin_dir plugins)
FX="$top_srcdir/tests/fixtures/image/lang/rpm"
"$PY3" -c "import rpm" 2>/dev/null || { echo "FAIL: needs python3-rpm (apt-get install python3-rpm)" >&2; exit 1; }
"$PY3" "$FX/make_rpmdb.py" "$TMP" || { echo "FAIL: cannot write the rpm databases" >&2; exit 1; }

# what rpm itself reads from the headers: name, [epoch:]version-release, source name, purl
want=$("$PY3" - "$FX" <<'PY'
import os, sys, rpm
for i in (1, 2, 3):
    with open(os.path.join(sys.argv[1], "header-%d.bin" % i), "rb") as f:
        h = rpm.hdr(f.read())
    name, ver, rel, arch = (h[t] for t in ("name", "version", "release", "arch"))
    name, ver, rel, arch = [x.decode() if isinstance(x, bytes) else x for x in (name, ver, rel, arch)]
    epoch = h["epoch"]
    src = h["sourcerpm"]
    src = src.decode() if isinstance(src, bytes) else src
    full = ("%s:" % epoch if epoch is not None else "") + "%s-%s" % (ver, rel)
    purl = "pkg:rpm/opensuse-leap/%s@%s-%s?arch=%s%s&distro=opensuse-leap-15.5" % (
        name, ver, rel, arch, "&epoch=%s" % epoch if epoch is not None else "")
    print("%s %s %s %s" % (name, full, src.rsplit("-", 2)[0], purl))
PY
)
want=$(echo "$want" | LC_ALL=C sort)
check "the fixture headers hold three packages" [ "$(echo "$want" | wc -l)" -eq 3 ]

# rootfs LAYOUT_PATH DBFILE OUT.tar : a root filesystem tarball with the database at LAYOUT_PATH
rootfs() {
    "$PY3" - "$1" "$2" "$3" <<'PY'
import io, sys, tarfile
path, db, out = sys.argv[1:4]
osr = b'NAME="openSUSE Leap"\nID="opensuse-leap"\nVERSION_ID="15.5"\n'
with tarfile.open(out, "w") as t:
    for name, data in (("etc/os-release", osr), (path, open(db, "rb").read())):
        i = tarfile.TarInfo(name); i.size = len(data); i.mode = 0o644
        t.addfile(i, io.BytesIO(data))
PY
}
q() { sqlite3 -batch -noheader "$1.db" "SELECT name||' '||version||' '||coalesce(source_name,'')||' '||purl FROM packages ORDER BY 1;" | LC_ALL=C sort; }

for where in usr/lib/sysimage/rpm/Packages.db var/lib/rpm/Packages.db; do
    rootfs "$where" "$TMP/ndb-good.db" "$TMP/ndb.tar"
    o="$TMP/ndb-$(echo "$where" | cut -d/ -f1)"
    scan_image "$o" "$TMP/ndb.tar"
    expect_rc "$o" 0 "ndb at /$where: scan"
    same_lines "ndb at /$where: packages = what python3-rpm reads from the headers" "$(q "$o")" "$want"
    same_lines "ndb at /$where: ecosystem and location" \
        "$(sqlite3 -batch -noheader "$o.db" "SELECT DISTINCT ecosystem||' '||location FROM packages;")" "opensuse-leap:15.5 /$where"
done
for bdb in Packages-4096-le Packages-512-le Packages-512-be; do
    rootfs var/lib/rpm/Packages "$FX/$bdb" "$TMP/bdb.tar"
    scan_image "$TMP/$bdb" "$TMP/bdb.tar"
    expect_rc "$TMP/$bdb" 0 "BerkeleyDB $bdb: scan"
    same_lines "BerkeleyDB $bdb: packages = what python3-rpm reads from the headers" "$(q "$TMP/$bdb")" "$want"
done
rootfs usr/lib/sysimage/rpm/rpmdb.sqlite "$TMP/sqlite-good.db" "$TMP/sqlite.tar"
scan_image "$TMP/sqlite" "$TMP/sqlite.tar"
same_lines "the same headers in rpmdb.sqlite give the same packages" "$(q "$TMP/sqlite")" "$want"

# hostile files: EXPECTED-PACKAGE-COUNT FILE WARNING-PATTERN
for case in "0 ndb-badmagic.db is not an rpm ndb database" "0 ndb-pages.db the slot table (100000 pages) does not fit" \
    "2 ndb-slotoff.db 1 of 3 packages skipped (a slot points outside the data area)" \
    "2 ndb-adler.db 1 of 3 packages skipped (a blob's checksum does not match)" \
    "2 ndb-len.db 1 of 3 packages skipped (a blob's length does not fit its blocks)" \
    "0 ndb-slotmagic.db slot 5 has no Slot magic" \
    "1 ndb-hdr.db 1 of 2 packages skipped (a package header is malformed)" \
    "0 bdb-badmagic.db is not a BerkeleyDB hash database" "0 bdb-lastpage.db is past the end of the file" \
    "2 bdb-pgno.db 1 of 3 packages skipped (an overflow chain leaves the file or loops)" \
    "2 bdb-short.db 1 of 3 packages skipped (an overflow chain is shorter than its value)" \
    "- bdb-entries.db a hash page lists more entries than fit"; do
    n=${case%% *}
    rest=${case#* }
    file=${rest%% *}
    msg=${rest#* }
    case $file in
    bdb-*) at=var/lib/rpm/Packages ;;
    *) at=usr/lib/sysimage/rpm/Packages.db ;;
    esac
    rootfs "$at" "$TMP/$file" "$TMP/h.tar"
    o="$TMP/h-$file"
    scan_image "$o" "$TMP/h.tar"
    expect_rc "$o" 0 "$file: the scan goes on"
    got=$(sqlite3 -batch -noheader "$o.db" "SELECT count(*) FROM packages;")
    if [ "$n" = - ]; then
        check "$file: fewer packages than the good file ($got)" [ "$got" -lt 3 ]
    else
        same_lines "$file: packages read" "$got" "$n"
    fi
    if grep 'level=error' "$o.err" | grep -F "$at" | grep -qF "$msg"; then
        pass "$file: the warning names the file and says why"
    else
        fail "$file: no warning '$msg'"
        show "$o"
    fi
done
finish
