#!/bin/sh
# image_vm.sh - VM disk images read without mounting: the cached Debian 12
# root filesystem (image_lib.sh), with a few planted host problems, made
# into an ext4 file system (mkfs.ext4 -d, no loop device, no mount) and
# written into a GPT disk, an MBR disk (the file system in a logical
# partition behind an extended one), a bare file system image, and qcow2
# copies (v3, v2, zlib-compressed). Each must give dpkg-query's package list
# and the same host checks as the root filesystem directory. Hostile disks
# (truncated, partitions past the end, backing file, huge or outside L1,
# encryption, extended L2, zstd, garbage) are refused with an error naming
# the problem, never a crash.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"
. "$top_srcdir/tests/integration/image_lib.sh"

need dpkg-query "Debian's dpkg"
need mkfs.ext4 "apt-get install e2fsprogs"
need sfdisk "apt-get install fdisk"
need qemu-img "apt-get install qemu-utils"
debian_image
PDIR=$(image_plugin_dir plugins)

want=$(dpkg-query --admindir="$DEB_CACHE/dpkg-root/var/lib/dpkg" -W \
    -f '${Package} ${Version} ${source:Package}\n' | LC_ALL=C sort)
n=$(echo "$want" | wc -l)
check "dpkg-query lists the image's packages ($n)" [ "$n" -gt 50 ]

# --- the root filesystem, with planted problems
R="$TMP/rootfs"
mkdir -p "$R" && tar -xf "$DEB_CACHE/rootfs.tar" -C "$R" 2>/dev/null
mkdir -p "$R/etc/ssh/sshd_config.d" "$R/usr/local/bin"
cat >"$R/etc/ssh/sshd_config" <<'EOF'
# planted by image_vm.sh: the included file comes first, so its value wins
Include /etc/ssh/sshd_config.d/*.conf
PermitRootLogin no
PasswordAuthentication=no
Match User backup
    PasswordAuthentication yes
EOF
printf 'PermitRootLogin yes\n' >"$R/etc/ssh/sshd_config.d/10-planted.conf"
printf 'PermitRootLogin no\n' >"$R/etc/ssh/sshd_config.d/20-later.conf"
printf 'planted-guest::19700:0:99999:7:::\n' >>"$R/etc/shadow"
printf 'planted\n' >"$R/etc/planted-world-writable.conf" && chmod 0666 "$R/etc/planted-world-writable.conf"
cp "$R/usr/bin/true" "$R/usr/local/bin/planted-suid" && chmod 4755 "$R/usr/local/bin/planted-suid"

FS="$TMP/fs.ext4"
mkfs.ext4 -q -F -L parapetroot -d "$R" "$FS" 400M >"$TMP/mkfs.log" 2>&1 ||
    { echo "FAIL: mkfs.ext4 -d failed; see $TMP/mkfs.log" >&2; cat "$TMP/mkfs.log" >&2; exit 1; }
fs_sectors=$(($(stat -c %s "$FS") / 512))

# GPT: the file system as partition 2 (partition 1 a small unformatted one)
GPT="$TMP/gpt.raw"
truncate -s $(((fs_sectors + 8192 + 2048) * 512)) "$GPT"
printf 'label: gpt\nstart=2048, size=4096, type=21686148-6449-6E6F-744E-656564454649\nstart=8192, size=%d, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n' \
    "$fs_sectors" | sfdisk -q "$GPT" >"$TMP/sfdisk.log" 2>&1 || { cat "$TMP/sfdisk.log" >&2; exit 1; }
dd if="$FS" of="$GPT" bs=512 seek=8192 conv=notrunc,sparse status=none

# MBR: partition 1 (FAT type, empty), extended partition 2, the file system as logical partition 5
MBR="$TMP/mbr.raw"
truncate -s $(((fs_sectors + 8192 + 4096) * 512)) "$MBR"
printf 'label: dos\nstart=2048, size=2048, type=c\nstart=4096, type=5\nstart=6144, size=%d, type=83\n' "$fs_sectors" |
    sfdisk -q "$MBR" >"$TMP/sfdisk.log" 2>&1 || { cat "$TMP/sfdisk.log" >&2; exit 1; }
mbr_start=$(sfdisk -d "$MBR" | sed -n 's/.*mbr.raw5 : start= *\([0-9]*\),.*/\1/p')
check "sfdisk made logical partition 5 (start $mbr_start)" [ -n "$mbr_start" ]
dd if="$FS" of="$MBR" bs=512 seek="$mbr_start" conv=notrunc,sparse status=none

qemu-img convert -O qcow2 "$GPT" "$TMP/gpt.qcow2" &&
    qemu-img convert -O qcow2 -o compat=0.10 "$MBR" "$TMP/mbr-v2.qcow2" &&
    qemu-img convert -c -O qcow2 -o compression_type=zlib "$GPT" "$TMP/gpt-zlib.qcow2" ||
    { echo "FAIL: qemu-img convert failed" >&2; exit 1; }

host_of() { # OUT: one line per host fact of the scan's image.host resource
    sqlite3 -batch -noheader "$1.db" "SELECT
        'root ' || json_extract(data,'\$.sshd.permitRootLogin') || ' at ' || json_extract(data,'\$.sshd.permitRootLoginAt'),
        'password ' || json_extract(data,'\$.sshd.passwordAuthentication'),
        'match ' || json_extract(data,'\$.sshd.matchBlocks[0].criteria') || ' ' || json_extract(data,'\$.sshd.matchBlocks[0].passwordAuthentication'),
        'empty ' || json_extract(data,'\$.emptyPasswordUsers'),
        'ww ' || (SELECT group_concat(json_extract(value,'\$.path')) FROM json_each(json_extract(data,'\$.worldWritable'))),
        'suid-planted ' || (SELECT count(*) FROM json_each(json_extract(data,'\$.setuid')) WHERE json_extract(value,'\$.path') = '/usr/local/bin/planted-suid'),
        'suid-passwd ' || (SELECT count(*) FROM json_each(json_extract(data,'\$.setuid')) WHERE json_extract(value,'\$.path') = '/usr/bin/passwd')
        FROM resources WHERE type='image.host';" | tr '|' '\n'
}
host_want="root yes at /etc/ssh/sshd_config.d/10-planted.conf:1
password 0
match User backup 1
empty [\"planted-guest\"]
ww /etc/planted-world-writable.conf
suid-planted 1
suid-passwd 1"

for t in "rootfs-dir:$R" "gpt-raw:$GPT" "mbr-raw:$MBR" "bare-fs:$FS" "gpt-qcow2:$TMP/gpt.qcow2" \
    "mbr-qcow2-v2:$TMP/mbr-v2.qcow2" "gpt-qcow2-zlib:$TMP/gpt-zlib.qcow2"; do
    name=${t%%:*}
    target=${t#*:}
    scan_image "$TMP/$name" "$target"
    expect_rc "$TMP/$name" 0 "scan $name"
    same_lines "$name: packages equal dpkg-query's" "$(packages "$TMP/$name")" "$want"
    same_lines "$name: the planted host problems are found" "$(host_of "$TMP/$name")" "$host_want"
done
fmt=$(sqlite3 -batch -noheader "$TMP/gpt-raw.db" "SELECT json_extract(data,'\$.format') || ' ' || json_extract(data,'\$.distro.id') FROM resources WHERE type='image.container';")
same_lines "the raw disk is named as such, Debian found" "$fmt" "raw-disk debian"
disk=$(sqlite3 -batch -noheader "$TMP/mbr-qcow2-v2.db" "SELECT json_extract(data,'\$.disk.format') || ' ' || json_extract(data,'\$.disk.partitionTable') || ' ' || json_extract(data,'\$.disk.partition') || ' ' || json_extract(data,'\$.disk.filesystem') || ' ' || json_extract(data,'\$.disk.label') FROM resources WHERE type='image.host';")
same_lines "the qcow2 MBR disk: logical partition 5, ext4, its label" "$disk" "qcow2 mbr 5 ext4 parapetroot"
check "no error line for a good disk" [ -z "$(error_line "$TMP/gpt-qcow2-zlib" ".")" ]

# the rootfs tarball gets the same host checks (without the planted problems)
scan_image "$TMP/tarball" "$DEB_CACHE/rootfs.tar"
expect_rc "$TMP/tarball" 0 "scan the rootfs tarball"
same_lines "tarball: no empty password, no world-writable system file" \
    "$(sqlite3 -batch -noheader "$TMP/tarball.db" "SELECT json_extract(data,'\$.emptyPasswordUsers') || ' ' || json_extract(data,'\$.worldWritableCount') || ' ' || (json_extract(data,'\$.setuidCount') > 3) FROM resources WHERE type='image.host';")" \
    "[] 0 1"

# --- hostile disks
"$PY3" - "$TMP" <<'PY' || { echo "FAIL: cannot build the hostile disks" >&2; exit 1; }
import os, struct, sys, zlib
tmp = sys.argv[1]
def patch(src, dst, off, fmt, val):
    d = bytearray(open(src, "rb").read())
    struct.pack_into(fmt, d, off, val)
    with open(dst, "wb") as f:
        f.write(d)
q = tmp + "/gpt.qcow2"
patch(q, tmp + "/huge-l1.qcow2", 36, ">I", 0x7fffffff)             # l1_size
patch(q, tmp + "/l1-outside.qcow2", 40, ">Q", 1 << 50)              # l1_table_offset
patch(q, tmp + "/encrypted.qcow2", 32, ">I", 2)                     # crypt_method
patch(q, tmp + "/huge-size.qcow2", 24, ">Q", (1 << 63) - 1)         # virtual size
patch(q, tmp + "/cluster-bits.qcow2", 20, ">I", 40)
# a GPT whose partition ends past the disk (checksums recomputed, so only the bounds are wrong)
d = bytearray(open(tmp + "/gpt.raw", "rb").read(64 * 512))
hdr = d[512:1024]
n, esz = struct.unpack_from("<II", hdr, 80)
ents = d[1024:1024 + n * esz]
struct.pack_into("<Q", ents, esz + 40, 1 << 40)                     # partition 2 last LBA
struct.pack_into("<I", hdr, 88, zlib.crc32(bytes(ents)) & 0xffffffff)
struct.pack_into("<I", hdr, 16, 0)
struct.pack_into("<I", hdr, 16, zlib.crc32(bytes(hdr[:92])) & 0xffffffff)
d[512:1024] = hdr
d[1024:1024 + n * esz] = ents
with open(tmp + "/past-end.raw", "wb") as f:
    f.write(d)
    f.truncate(64 << 20)
# an MBR whose extended partition's chain points back at itself
m = bytearray(2 << 20)
m[510:512] = b"\x55\xaa"
struct.pack_into("<BBBBBBBBII", m, 446, 0, 0, 0, 0, 0x05, 0, 0, 0, 2048, 8192)
e = 2048 * 512
m[e + 510:e + 512] = b"\x55\xaa"
struct.pack_into("<BBBBBBBBII", m, e + 446, 0, 0, 0, 0, 0x83, 0, 0, 0, 64, 100)
struct.pack_into("<BBBBBBBBII", m, e + 462, 0, 0, 0, 0, 0x05, 0, 0, 0, 0, 8192)
with open(tmp + "/ebr-loop.raw", "wb") as f:
    f.write(m)
    f.truncate(8 << 20)
# garbage behind a qcow2 magic, and behind a boot signature
r = bytes((i * 7919 + 13) % 251 for i in range(1 << 16))
with open(tmp + "/garbage.qcow2", "wb") as f:
    f.write(b"QFI\xfb" + r)
g = bytearray(r)
g[510:512] = b"\x55\xaa"
for i in range(4):
    g[446 + 16 * i] = 0
g[446 + 4] = 0x83
with open(tmp + "/garbage.raw", "wb") as f:
    f.write(g)
PY
head -c $(($(stat -c %s "$GPT") / 2)) "$GPT" >"$TMP/truncated.raw"
head -c $(($(stat -c %s "$FS") / 3)) "$FS" >"$TMP/truncated-fs.ext4"
qemu-img create -q -f qcow2 -b "$TMP/gpt.qcow2" -F qcow2 "$TMP/backing.qcow2"
qemu-img create -q -f qcow2 -o extended_l2=on "$TMP/ext-l2.qcow2" 64M
qemu-img create -q -f qcow2 -o compression_type=zstd "$TMP/zstd.qcow2" 64M 2>/dev/null ||
    cp "$TMP/ext-l2.qcow2" "$TMP/zstd.qcow2" # a qemu-img built without zstd: the case is covered by ext-l2

for t in "truncated.raw:past the end" "truncated-fs.ext4:past the end|short read|cannot" \
    "past-end.raw:partition 2 .*past the end" "ebr-loop.raw:loops" \
    "backing.qcow2:backing file .*gpt.qcow2.*never opened" "huge-l1.qcow2:L1 table has 2147483647 entries" \
    "l1-outside.qcow2:L1 table .*outside the file" "encrypted.qcow2:encrypted" \
    "huge-size.qcow2:virtual size|L1 table" "cluster-bits.qcow2:cluster_bits 40" \
    "ext-l2.qcow2:extended L2" "zstd.qcow2:zstd|extended L2" "garbage.qcow2:qcow2: version" \
    "garbage.raw:no ext2/3/4|past the end"; do
    f=${t%%:*}
    why=${t#*:}
    scan_image "$TMP/h-$f" "$TMP/$f"
    expect_rc "$TMP/h-$f" 2 "hostile $f is refused"
    check "hostile $f: the error says why ($why)" error_line "$TMP/h-$f" "$why"
done
# --- hostile file systems: a directory hard-linked into itself (a loop), and damaged metadata
need debugfs "apt-get install e2fsprogs"
S="$TMP/small"
mkdir -p "$S/a/b" "$S/etc" "$S/var/lib/dpkg" && printf 'ID=debian\nVERSION_ID=12\n' >"$S/etc/os-release"
printf 'Package: tiny\nStatus: install ok installed\nVersion: 1.0\n\n' >"$S/var/lib/dpkg/status"
i=0
while [ $i -lt 150 ]; do echo "file $i" >"$S/a/f$i"; i=$((i + 1)); done
cp /usr/bin/true "$S/a/b/" && ln -s ../../etc/os-release "$S/a/b/link"
mkfs.ext4 -q -F -O ^metadata_csum -d "$S" "$TMP/small.ext4" 8M >/dev/null 2>&1 &&
    cp "$TMP/small.ext4" "$TMP/loop.ext4" && debugfs -w -R "link /a /a/b/loop" "$TMP/loop.ext4" >/dev/null 2>&1 ||
    { echo "FAIL: cannot build the small file systems" >&2; exit 1; }
scan_image "$TMP/h-loop" "$TMP/loop.ext4"
expect_rc "$TMP/h-loop" 0 "a directory loop is skipped, the scan completes"
check "the loop is named with its inode and path" error_line "$TMP/h-loop" "'/a/b/loop' \\(inode [0-9]+\\).*loop"
same_lines "the package beside the loop is found" "$(packages "$TMP/h-loop")" "tiny 1.0 tiny"
"$PY3" - "$TMP" <<'PY' || { echo "FAIL: cannot damage the file systems" >&2; exit 1; }
import random, sys
tmp = sys.argv[1]
d0 = open(tmp + "/small.ext4", "rb").read()
for seed in range(12):
    d, r = bytearray(d0), random.Random(seed)
    for _ in range(40):  # bytes of the first quarter (metadata: inodes, directories, extents), superblock kept
        off = r.randrange(3 * 1024, len(d) // 4)
        for k in range(r.choice([1, 4, 16])):
            d[off + k] = r.randrange(256)
    open("%s/damaged%d.ext4" % (tmp, seed), "wb").write(d)
PY
seed=0
while [ $seed -lt 12 ]; do
    scan_image "$TMP/h-damaged$seed" "$TMP/damaged$seed.ext4"
    check "damaged file system $seed: read or refused (exit $RC), no crash" [ "$RC" -eq 0 ] || [ "$RC" -eq 2 ]
    check "damaged file system $seed: no sanitizer report" [ -z "$(grep -i -E 'sanitizer|runtime error' "$TMP/h-damaged$seed.err")" ]
    seed=$((seed + 1))
done

# a backing file that is a FIFO: opening it would block the scan until the 120 s kill
mkfifo "$TMP/backing.fifo" &&
    qemu-img create -q -f qcow2 -u -b "$TMP/backing.fifo" -F raw "$TMP/backing-fifo.qcow2" 64M ||
    { echo "FAIL: cannot make the FIFO-backed image" >&2; exit 1; }
scan_image "$TMP/h-fifo" "$TMP/backing-fifo.qcow2"
expect_rc "$TMP/h-fifo" 2 "a qcow2 whose backing file is a FIFO is refused at once (the FIFO is never opened)"
check "the FIFO backing file is named in the error" error_line "$TMP/h-fifo" "backing file .*backing.fifo"
finish
