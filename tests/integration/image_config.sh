#!/bin/sh
# image_config.sh - what the image scanner records of an image's config and
# how it reads a docker-save archive holding several images:
#   - config.healthcheck is true for a HEALTHCHECK, false for HEALTHCHECK
#     NONE and absent when the config declares none, in docker and OCI
#     archives alike; the rule image-container-no-healthcheck judges it;
#   - an archive of two images (`docker save A B`) gives two image.container
#     resources, each with its own tag, id and packages; a broken second
#     image is reported by number while the first is still stored.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"
. "$top_srcdir/tests/integration/image_lib.sh"

PDIR=$(image_plugin_dir plugins)

"$PY3" - "$TMP" <<'PY' || { echo "FAIL: cannot build the layers" >&2; exit 1; }
import io, sys, tarfile
tmp = sys.argv[1]
def status(pkgs):
    return "".join("Package: %s\nStatus: install ok installed\nArchitecture: amd64\nVersion: %s\n\n" % p
                   for p in pkgs)
def layer(path, files):
    with tarfile.open(path, "w") as t:
        for name, data in files:
            b = data.encode()
            i = tarfile.TarInfo(name); i.size = len(b); i.mode = 0o644
            t.addfile(i, io.BytesIO(b))
osr = 'ID=debian\nVERSION_ID="12"\n'
layer(tmp + "/web.tar", [("etc/os-release", osr),
                         ("var/lib/dpkg/status", status([("nginx", "1.22.1-9"), ("libssl3", "3.0.11-1")]))])
layer(tmp + "/db.tar", [("etc/os-release", osr),
                        ("var/lib/dpkg/status", status([("postgresql-15", "15.5-0+deb12u1")]))])
PY

# ---- config.healthcheck ----
for fmt in docker-archive oci-archive; do
    "$PY3" "$MKIMAGE" $fmt "$TMP/hc-$fmt.tar" "$TMP/web.tar" --user app --tag shop/web:1.0 \
        --healthcheck 'curl -fsS http://localhost/ || exit 1' &&
        "$PY3" "$MKIMAGE" $fmt "$TMP/nohc-$fmt.tar" "$TMP/web.tar" --user app --tag shop/web:1.1 &&
        "$PY3" "$MKIMAGE" $fmt "$TMP/off-$fmt.tar" "$TMP/web.tar" --user app --tag shop/web:1.2 --healthcheck NONE ||
        { echo "FAIL: cannot write the $fmt images" >&2; exit 1; }
    for kind in hc nohc off; do
        o="$TMP/$kind-$fmt"
        scan_image "$o" "$o.tar" --rules "$top_srcdir/policies/image"
        expect_rc "$o" 0 "$fmt $kind: scan"
        got=$(sqlite3 -batch -noheader "$o.db" \
            "SELECT coalesce(json_type(data,'\$.config.healthcheck'),'absent') FROM resources WHERE type='image.container';")
        judged=$(sqlite3 -batch -noheader "$o.db" \
            "SELECT status FROM findings WHERE rule_id='image-container-no-healthcheck';")
        case $kind in
        hc) want=true want_status=pass ;;
        nohc) want=absent want_status=fail ;;
        off) want=false want_status=fail ;;
        esac
        same_lines "$fmt $kind: config.healthcheck is $want" "$got" "$want"
        same_lines "$fmt $kind: image-container-no-healthcheck says $want_status" "$judged" "$want_status"
    done
done

# ---- a docker-save archive of two images ----
"$PY3" "$MKIMAGE" docker-archive "$TMP/web-d.tar" "$TMP/web.tar" --tag shop/web:2.0 &&
    "$PY3" "$MKIMAGE" docker-archive "$TMP/db-d.tar" "$TMP/db.tar" --tag shop/db:15 &&
    "$PY3" "$MKIMAGE" docker-merge "$TMP/two.tar" "$TMP/web-d.tar" "$TMP/db-d.tar" ||
    { echo "FAIL: cannot write the two-image archive" >&2; exit 1; }
WEB_ID=sha256:$(tar -xOf "$TMP/web-d.tar" manifest.json | "$PY3" -c 'import json,sys; print(json.load(sys.stdin)[0]["Config"][:64])')
DB_ID=sha256:$(tar -xOf "$TMP/db-d.tar" manifest.json | "$PY3" -c 'import json,sys; print(json.load(sys.stdin)[0]["Config"][:64])')
o="$TMP/two"
scan_image "$o" "$o.tar"
expect_rc "$o" 0 "two images in one archive: scan"
same_lines "both images are resources, each with its tag and config digest" \
    "$(sqlite3 -batch -noheader "$o.db" "SELECT name||' '||uid||' '||json_extract(data,'\$.packageCount') FROM resources WHERE type='image.container' ORDER BY name;")" \
    "shop/db:15 $DB_ID 1
shop/web:2.0 $WEB_ID 2"
same_lines "each image has its own packages" \
    "$(sqlite3 -batch -noheader "$o.db" "SELECT r.name||' '||p.name FROM packages p JOIN resources r ON r.uid=p.resource_uid ORDER BY 1;")" \
    "shop/db:15 postgresql-15
shop/web:2.0 libssl3
shop/web:2.0 nginx"

# the second image's layer is missing: the first is kept, the error names the image
"$PY3" - "$TMP/two.tar" "$TMP/broken.tar" <<'PY' || { echo "FAIL: cannot write the broken archive" >&2; exit 1; }
import io, json, sys, tarfile
src, out = sys.argv[1], sys.argv[2]
with tarfile.open(src) as t, tarfile.open(out, "w") as o:
    for m in t.getmembers():
        data = t.extractfile(m).read()
        if m.name == "manifest.json":
            man = json.loads(data)
            man[1]["Layers"] = ["0" * 64 + "/layer.tar"]
            data = json.dumps(man).encode()
        m.size = len(data)
        o.addfile(m, io.BytesIO(data))
PY
o="$TMP/broken"
scan_image "$o" "$o.tar"
expect_rc "$o" 2 "an archive whose second image is broken: the scan is partial"
grep -q "(image 2 of 2): manifest.json: layer 0 (.*) is missing from the archive" "$o.err" &&
    pass "the error names the image by number and what is missing" || { fail "no clear error"; show "$o"; }
same_lines "the first image is still stored" \
    "$(sqlite3 -batch -noheader "$o.db" "SELECT name FROM resources WHERE type='image.container';")" "shop/web:2.0"

# the same image listed twice is one resource
"$PY3" "$MKIMAGE" docker-merge "$TMP/twice.tar" "$TMP/web-d.tar" "$TMP/web-d.tar" ||
    { echo "FAIL: cannot write the archive" >&2; exit 1; }
o="$TMP/twice"
scan_image "$o" "$o.tar"
expect_rc "$o" 0 "an archive listing one image twice: scan"
same_lines "it is one resource" \
    "$(sqlite3 -batch -noheader "$o.db" "SELECT count(*) FROM resources WHERE type='image.container';")" "1"
finish
