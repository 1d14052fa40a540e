#!/bin/sh
# cyclonedx_sbom.sh - the `cyclonedx` output: scan the cached Debian 12
# image with --output cyclonedx:FILE and check the SBOM a user would read:
# valid against the CycloneDX 1.6 schema (offline copy in
# tests/fixtures/cyclonedx), one library component per package dpkg-query
# lists (same names and versions), well-formed and unique purls and
# bom-refs, the image as metadata.component with its digest, the
# distribution as an operating-system component, a fresh serial number per
# run; hostile package names (quotes, backslashes, markup) come back
# exactly and the document stays valid; several images in one scan nest
# their packages; an unwritable FILE fails the output and leaves no file.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"
. "$top_srcdir/tests/integration/image_lib.sh"

need dpkg-query "apt-get install dpkg"
CDX_SO="$top_builddir/plugins/cyclonedx/.libs/cyclonedx.so"
[ -f "$CDX_SO" ] || { echo "FAIL: the cyclonedx plugin is not built: $CDX_SO" >&2; exit 1; }
"$PY3" -c "import jsonschema" 2>/dev/null || { echo "FAIL: needs python3-jsonschema (apt-get install python3-jsonschema)" >&2; exit 1; }
PDIR=$(image_plugin_dir plugins)
ln -sf "$CDX_SO" "$PDIR/cyclonedx.so"
VALIDATE="$top_srcdir/tests/fixtures/cyclonedx/validate.py"

debian_image

# py FILE EXPR : evaluate a Python expression over the JSON document FILE
# (bound to d); prints the result, lists one item a line.
py() {
    "$PY3" - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = eval(sys.argv[2])
if isinstance(r, (list, tuple)):
    for x in r:
        print(x)
else:
    print(r)
PY
}

BOM="$TMP/debian.cdx.json"
scan_image "$TMP/deb" "$DEB_CACHE/oci.tar" --output "cyclonedx:$BOM"
expect_rc "$TMP/deb" 0 "scan of the Debian image with --output cyclonedx"
check "the SBOM file is written" [ -s "$BOM" ]
if "$PY3" "$VALIDATE" "$BOM" >"$TMP/valid.txt" 2>&1; then
    pass "the SBOM is valid CycloneDX 1.6 (JSON schema)"
else
    fail "the SBOM is not valid CycloneDX 1.6"
    sed -n '1,20p' "$TMP/valid.txt" >&2
fi
same_lines "bomFormat, specVersion, version" "$(py "$BOM" "[d['bomFormat'], d['specVersion'], d['version']]")" \
    "CycloneDX
1.6
1"

# the packages are dpkg's, one component each
want=$(dpkg-query --admindir="$DEB_CACHE/dpkg-root/var/lib/dpkg" -W -f '${db:Status-Status} ${Package} ${Version}\n' |
    awk '$1 == "installed" { print $2 " " $3 }' | LC_ALL=C sort)
got=$(py "$BOM" "sorted(c['name'] + ' ' + c['version'] for c in d['components'] if c['type'] == 'library')" | LC_ALL=C sort)
same_lines "library components = dpkg-query's installed packages (name and version)" "$got" "$want"
n_want=$(echo "$want" | wc -l)
check "the image has a real package list ($n_want packages)" [ "$n_want" -gt 50 ]

bad_purls=$(py "$BOM" "[c.get('purl') for c in d['components'] if c['type'] == 'library' and not (lambda m: m and [__import__('urllib.parse').parse.unquote(g) for g in m.groups()] == [c['name'], c['version']])(__import__('re').fullmatch(r'pkg:deb/debian/([^@/?#]+)@([^?#]+)\\?arch=[a-z0-9]+&distro=debian-12', c.get('purl', '')))]")
same_lines "every purl is pkg:deb/debian/NAME@VERSION?arch=A&distro=debian-12, NAME and VERSION decoding to the component's" "$bad_purls" ""
same_lines "an epoch is percent-encoded in the purl" \
    "$(py "$BOM" "sorted({':' in c['version'] and '%3A' in c['purl'] and ':' not in c['purl'][4:] for c in d['components'] if c['type'] == 'library' and ':' in c['version']})")" \
    "True"
same_lines "bom-refs are unique" "$(py "$BOM" "len(set(c['bom-ref'] for c in d['components'])) == len(d['components'])")" "True"
same_lines "properties carry the layer and the location of every package" \
    "$(py "$BOM" "sorted({tuple(sorted(p['name'] for p in c.get('properties', []) if p['name'] in ('parapet:layer', 'parapet:location'))) for c in d['components'] if c['type'] == 'library'})")" \
    "('parapet:layer', 'parapet:location')"
same_lines "source packages are properties (coreutils from coreutils, libc6 from glibc)" \
    "$(py "$BOM" "sorted(p['value'] for c in d['components'] if c['name'] in ('libc6', 'coreutils') for p in c.get('properties', []) if p['name'] == 'parapet:source_name')")" \
    "coreutils
glibc"

# the image itself, with its digest
image_id=$(sqlite3 -batch -noheader "$TMP/deb.db" "SELECT uid FROM resources WHERE type='image.container';")
same_lines "metadata.component is the image: type, version, SHA-256 hash" \
    "$(py "$BOM" "[d['metadata']['component']['type'], d['metadata']['component']['version'], 'sha256:' + d['metadata']['component']['hashes'][0]['content']]")" \
    "container
$image_id
$image_id"
same_lines "the distribution is an operating-system component" \
    "$(py "$BOM" "[c['name'] + ' ' + c['version'] for c in d['components'] if c['type'] == 'operating-system']")" "debian 12"
same_lines "the image depends on every component" \
    "$(py "$BOM" "sorted(d['dependencies'][0]['dependsOn']) == sorted(c['bom-ref'] for c in d['components']) and d['dependencies'][0]['ref'] == d['metadata']['component']['bom-ref']")" "True"
same_lines "the tool is parapet" "$(py "$BOM" "d['metadata']['tools']['components'][0]['name']")" "parapet"
ts=$(py "$BOM" "d['metadata']['timestamp']")
check "metadata.timestamp is an RFC 3339 UTC time ($ts)" sh -c "echo '$ts' | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'"

# a second run: a new serial number, same components
scan_image "$TMP/deb2" "$DEB_CACHE/oci.tar" --output "cyclonedx:$TMP/second.json"
s1=$(py "$BOM" "d['serialNumber']")
s2=$(py "$TMP/second.json" "d['serialNumber']")
check "serial numbers are random version 4 UUID URNs ($s1)" sh -c "echo '$s1' | grep -Eq '^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'"
check "each BOM has its own serial number" [ "$s1" != "$s2" ]
same_lines "the same image gives the same components" \
    "$(py "$TMP/second.json" "sorted(c['bom-ref'] for c in d['components'])")" "$(py "$BOM" "sorted(c['bom-ref'] for c in d['components'])")"

# hostile names: a forged dpkg status with quotes, backslashes and markup
"$PY3" - "$TMP" <<'PY' || { echo "FAIL: cannot build the hostile layer" >&2; exit 1; }
import io, sys, tarfile
tmp = sys.argv[1]
status = ("Package: evil\"quote\\back<script>\nStatus: install ok installed\nArchitecture: amd64\n"
          "Version: 1.0\"}],\"x\":{\"\nSource: src&<b>\n\n"
          "Package: plain\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.0-1\n\n")
osr = 'ID=debian\nVERSION_ID="12"\n'
with tarfile.open(tmp + "/hostile.tar", "w") as t:
    for name, data in (("var/lib/dpkg/status", status), ("etc/os-release", osr)):
        b = data.encode()
        i = tarfile.TarInfo(name); i.size = len(b); i.mode = 0o644
        t.addfile(i, io.BytesIO(b))
PY
"$PY3" "$MKIMAGE" oci-archive "$TMP/hostile-img.tar" "$TMP/hostile.tar" || { echo "FAIL: cannot write the hostile image" >&2; exit 1; }
scan_image "$TMP/hos" "$TMP/hostile-img.tar" --output "cyclonedx:$TMP/hostile.json"
expect_rc "$TMP/hos" 0 "scan of an image with hostile package names"
if "$PY3" "$VALIDATE" "$TMP/hostile.json" >"$TMP/valid2.txt" 2>&1; then
    pass "hostile names: the SBOM is still valid CycloneDX 1.6"
else
    fail "hostile names: the SBOM is not valid"
    sed -n '1,20p' "$TMP/valid2.txt" >&2
fi
same_lines "hostile names and versions come back exactly (escaped, not cut)" \
    "$(py "$TMP/hostile.json" "sorted(c['name'] + ' ' + c['version'] for c in d['components'] if c['type'] == 'library')")" \
    'evil"quote\back<script> 1.0"}],"x":{"
plain 2.0-1'
check "no raw markup breaks out of a JSON string" sh -c "! grep -q '^[^\"]*<script>' '$TMP/hostile.json'"

# two images in one scan: no single subject; each image nests its packages
scan_image "$TMP/two" "$DEB_CACHE/oci.tar" "$TMP/hostile-img.tar" --output "cyclonedx:$TMP/two.json"
expect_rc "$TMP/two" 0 "scan of two images"
"$PY3" "$VALIDATE" "$TMP/two.json" >/dev/null 2>&1
check "two images: the SBOM is valid" [ $? -eq 0 ]
same_lines "two images: two container components, packages nested in each" \
    "$(py "$TMP/two.json" "sorted('%s %d' % (c['type'], sum(1 for x in c.get('components', []) if x['type'] == 'library')) for c in d['components'])")" \
    "$(printf 'container %s\ncontainer 2' "$n_want" | LC_ALL=C sort)"
same_lines "two images: no metadata.component" "$(py "$TMP/two.json" "'component' in d['metadata']")" "False"

# an output that cannot be written: the scan says so, nothing is left behind
mkdir -p "$TMP/ro" && chmod 0555 "$TMP/ro"
if [ "$(id -u)" -ne 0 ]; then
    scan_image "$TMP/ro-run" "$TMP/hostile-img.tar" --output "cyclonedx:$TMP/ro/bom.json"
    check "unwritable file: the failure is reported" sh -c "grep -qi 'cyclonedx' '$TMP/ro-run.err'"
    check "unwritable file: no file left" sh -c "! ls '$TMP/ro' | grep -q ."
fi
scan_image "$TMP/nodir" "$TMP/hostile-img.tar" --output "cyclonedx:$TMP/no/such/dir/bom.json"
check "missing directory: the output failure names the file" sh -c "grep -i 'cyclonedx' '$TMP/nodir.err' | grep -q 'no/such/dir/bom.json'"
check "missing directory: the scan does not pass silently (exit status $RC)" [ "$RC" -ne 0 ]
finish
