#!/bin/sh
# image_hostile.sh - forged and hostile images: path traversal, hard links
# out of the image, symlink loops and chains, decompression and entry-count
# bombs, truncated layers, wrong and missing blobs, garbage. Each is
# rejected (exit 2, an error naming the entry or blob) or skipped with an
# error line, never a crash or a hang; nothing is written outside $TMP.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"
. "$top_srcdir/tests/integration/image_lib.sh"

PDIR=$(image_plugin_dir plugins)

"$PY3" - "$TMP" <<'PY' || { echo "FAIL: cannot build the hostile layers" >&2; exit 1; }
import gzip, io, sys, tarfile
tmp = sys.argv[1]
def add(t, name, data=b"", kind="file", link=None):
    i = tarfile.TarInfo(name)
    if kind == "file":
        i.size = len(data); t.addfile(i, io.BytesIO(data))
    else:
        i.type = {"sym": tarfile.SYMTYPE, "hard": tarfile.LNKTYPE}[kind]; i.linkname = link; t.addfile(i)
status = b"Package: ok\nStatus: install ok installed\nVersion: 1.0\n\n"
with tarfile.open(tmp + "/escape.tar", "w") as t:
    add(t, "../../../escaped-by-parapet", b"x")
    add(t, "var/lib/dpkg/status", status)
    add(t, "etc/passwd-link", kind="hard", link="../../../../etc/passwd")
    add(t, "etc/os-release", kind="sym", link="os-release-2")
    add(t, "etc/os-release-2", kind="sym", link="/etc/os-release")
with tarfile.open(tmp + "/chain.tar", "w") as t:
    add(t, "var/lib/dpkg/status", status)
    add(t, "usr/lib/os-release", b"ID=debian\nVERSION_ID=12\n")
    for i in range(30):
        add(t, "etc/l%d" % i, kind="sym", link="l%d" % (i + 1))
    add(t, "etc/l30", kind="sym", link="../usr/lib/os-release")
    add(t, "etc/os-release", kind="sym", link="l0")
# 64 MiB of zeros in one file, gzip-compressed to about 64 KiB
with tarfile.open(tmp + "/bomb.tar", "w") as t:
    i = tarfile.TarInfo("zeros"); i.size = 64 << 20
    class Z:
        left = 64 << 20
        def read(self, n=-1):
            n = self.left if n < 0 else min(n, self.left); self.left -= n; return bytes(n)
    t.addfile(i, Z())
with tarfile.open(tmp + "/many.tar", "w") as t:
    for k in range(500):
        add(t, "f%d" % k, b"")
PY
gzip -9 -k "$TMP/bomb.tar"

# --- traversal, hard link out, symlink loop: skipped with errors, the rest read
scan_image "$TMP/escape" "$TMP/escape.tar"
expect_rc "$TMP/escape" 0 "escaping entries are skipped, the scan completes"
check "the traversal entry is named in an error" error_line "$TMP/escape" "escaped-by-parapet.*skipped"
check "the hard link out of the image is named" error_line "$TMP/escape" "passwd-link.*outside"
check "the symlink loop is named" error_line "$TMP/escape" "os-release.*loop"
check "nothing was written outside the image" [ ! -e "$TMP/../escaped-by-parapet" ] && [ ! -e /escaped-by-parapet ]
same_lines "the package beside them is still found" "$(packages "$TMP/escape")" "ok 1.0 ok"

# --- a chain of 31 symlinks is followed (below the limit of 40)
scan_image "$TMP/chain" "$TMP/chain.tar"
expect_rc "$TMP/chain" 0 "symlink chain"
same_lines "os-release through 31 symlinks" \
    "$(sqlite3 -batch -noheader "$TMP/chain.db" "SELECT DISTINCT ecosystem FROM packages;")" "Debian:12"

# --- decompression bomb and entry bomb: refused with the limit named
scan_image "$TMP/bomb" "$TMP/bomb.tar.gz" -o image.max_layer_bytes=16777216
expect_rc "$TMP/bomb" 2 "a layer over max_layer_bytes"
check "the bomb error names the limit" error_line "$TMP/bomb" "max_layer_bytes"
scan_image "$TMP/many" "$TMP/many.tar" -o image.max_entries=100
expect_rc "$TMP/many" 2 "a layer over max_entries"
check "the entry bomb error names the limit" error_line "$TMP/many" "max_entries"

# --- OCI layout forgeries
"$PY3" "$MKIMAGE" oci-layout "$TMP/good" "$TMP/chain.tar" || exit 1
layer_blob() { # the layer blob of an OCI layout (the largest blob)
    ls -S "$1"/blobs/sha256/* | head -n 1
}
scan_image "$TMP/good" "$TMP/good"
expect_rc "$TMP/good" 0 "the unmodified layout"

cp -r "$TMP/good" "$TMP/flip"
b=$(layer_blob "$TMP/flip")
"$PY3" -c "import sys; p=sys.argv[1]; d=bytearray(open(p,'rb').read()); d[-12]^=0xff; open(p,'wb').write(d)" "$b"
scan_image "$TMP/flip" "$TMP/flip"
expect_rc "$TMP/flip" 2 "a layer blob with one byte changed"
check "the error names the blob's digest" error_line "$TMP/flip" "layer 0.*(mismatch|corrupt|truncated|crc|checksum)"

cp -r "$TMP/good" "$TMP/trunc"
b=$(layer_blob "$TMP/trunc")
head -c $(($(wc -c <"$b") / 2)) "$b" >"$TMP/short" && cp "$TMP/short" "$b"
scan_image "$TMP/trunc" "$TMP/trunc"
expect_rc "$TMP/trunc" 2 "a truncated layer"
check "the error names layer 0" error_line "$TMP/trunc" "layer 0"

cp -r "$TMP/good" "$TMP/missing"
b=$(layer_blob "$TMP/missing")
rm -f "$b"
scan_image "$TMP/missing" "$TMP/missing"
expect_rc "$TMP/missing" 2 "a missing layer blob"
check "the error says the blob is missing" error_line "$TMP/missing" "blob sha256:[0-9a-f]+ is missing"

cp -r "$TMP/good" "$TMP/badjson"
m=$(grep -o 'sha256:[0-9a-f]*' "$TMP/badjson/index.json" | head -n 1 | cut -c8-)
printf '{"not":"the manifest"}' >"$TMP/badjson/blobs/sha256/$m"
scan_image "$TMP/badjson" "$TMP/badjson"
expect_rc "$TMP/badjson" 2 "a manifest whose content does not match its digest"
check "the error names the manifest" error_line "$TMP/badjson" "manifest sha256:$m.*mismatch"

# --- docker-archive forgeries: diff id that does not match, missing layer
"$PY3" "$MKIMAGE" docker-archive "$TMP/d.tar" "$TMP/chain.tar" || exit 1
mkdir -p "$TMP/dx" && tar -xf "$TMP/d.tar" -C "$TMP/dx"
cfg=$(cd "$TMP/dx" && ls *.json | grep -v manifest)
sed -i 's/"sha256:[0-9a-f]\{64\}"/"sha256:0000000000000000000000000000000000000000000000000000000000000000"/' "$TMP/dx/$cfg"
(cd "$TMP/dx" && tar -cf "$TMP/d-diff.tar" *)
scan_image "$TMP/ddiff" "$TMP/d-diff.tar"
expect_rc "$TMP/ddiff" 2 "a docker archive whose diff id is wrong"
check "the error says diff id mismatch" error_line "$TMP/ddiff" "diff id mismatch"
rm -rf "$TMP/dx" && mkdir -p "$TMP/dx" && tar -xf "$TMP/d.tar" -C "$TMP/dx" && rm -rf "$TMP"/dx/*/layer.tar
(cd "$TMP/dx" && tar -cf "$TMP/d-missing.tar" *)
scan_image "$TMP/dmiss" "$TMP/d-missing.tar"
expect_rc "$TMP/dmiss" 2 "a docker archive without its layer"
check "the error names the missing layer" error_line "$TMP/dmiss" "layer 0 .*layer.tar.*missing"

# --- garbage
head -c 100000 /dev/urandom >"$TMP/garbage.tar"
scan_image "$TMP/garbage" "$TMP/garbage.tar"
expect_rc "$TMP/garbage" 2 "random bytes"
check "no crash on random bytes" sh -c "! grep -q -i -e signal -e sanitizer '$TMP/garbage.err'"
for o in escape chain bomb many good flip trunc missing badjson ddiff dmiss garbage; do
    if grep -q -i -e 'crashed' -e 'AddressSanitizer' -e 'runtime error' "$TMP/$o.err"; then
        fail "$o: a crash or sanitizer report"
        show "$TMP/$o"
    fi
done
finish
