#!/bin/sh
# image_layers.sh - a two-layer image built by hand: packages upgraded and
# added by the upper layer keep the layer that brought them, whiteouts
# delete a file and a package directory, an opaque directory hides a lower
# lockfile, language packages are found, and secrets are reported with
# their layer and a redacted value only (never the secret itself).
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"
. "$top_srcdir/tests/integration/image_lib.sh"

PDIR=$(image_plugin_dir plugins)
# Fake credentials of the vendors' documented shapes (not real keys).
AWS_KEY=AKIAIOSFODNN7EXAMPLE
GH_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345

"$PY3" - "$TMP" "$AWS_KEY" <<'PY' || { echo "FAIL: cannot build the layers" >&2; exit 1; }
import io, sys, tarfile
tmp, aws = sys.argv[1], sys.argv[2]
def status(pkgs):
    return "".join("Package: %s\nStatus: install ok installed\nArchitecture: amd64\nVersion: %s\n%s\n" %
                   (n, v, "Source: %s (%s)\n" % (s, sv) if s else "") for n, v, s, sv in pkgs)
def layer(path, files):
    with tarfile.open(path, "w") as t:
        for name, data in files:
            if data is None:
                i = tarfile.TarInfo(name); i.type = tarfile.DIRTYPE; i.mode = 0o755
                t.addfile(i); continue
            if isinstance(data, tuple):  # symlink
                i = tarfile.TarInfo(name); i.type = tarfile.SYMTYPE; i.linkname = data[0]
                t.addfile(i); continue
            b = data.encode()
            i = tarfile.TarInfo(name); i.size = len(b); i.mode = 0o644
            t.addfile(i, io.BytesIO(b))
layer(tmp + "/l1.tar", [
    ("./", None),
    ("./usr/lib/os-release", 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'),
    ("./etc/os-release", ("../usr/lib/os-release",)),
    ("./var/lib/dpkg/status", status([("alpha", "1.0-1", None, None), ("beta", "1.0-1", "beta-src", "1.0-1")])),
    ("./app/node_modules/left-pad/package.json", '{"name":"left-pad","version":"1.3.0"}'),
    ("./app/node_modules/@types/node/package.json", '{"name":"@types/node","version":"20.1.0"}'),
    ("./usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA",
     "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n\nbody\n"),
    ("./opt/old/package-lock.json",
     '{"lockfileVersion":3,"packages":{"":{"name":"x"},"node_modules/lodash":{"version":"4.17.20"}}}'),
    ("./etc/deleted-secret.txt", "aws_access_key_id = %s\n" % aws),
])
layer(tmp + "/l2.tar", [
    ("var/lib/dpkg/status", status([("alpha", "1.0-1", None, None), ("beta", "2.0-1", "beta-src", "2.0-1"),
                                    ("gamma", "1:3.0-2", "gamma-src", "1:3.0-2")])),
    ("etc/.wh.deleted-secret.txt", ""),
    ("app/node_modules/.wh.left-pad", ""),
    ("opt/old/.wh..wh..opq", ""),
    ("opt/old/package-lock.json",
     '{"lockfileVersion":1,"dependencies":{"express":{"version":"4.18.2","dependencies":{"qs":{"version":"6.11.0"}}}}}'),
    ("srv/key.pem", "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----\n"),
])
PY

for fmt in docker-archive oci-archive; do
    "$PY3" "$MKIMAGE" "$fmt" "$TMP/img-$fmt.tar" "$TMP/l1.tar" "$TMP/l2.tar" \
        --env PATH=/usr/bin --env "GITHUB_TOKEN=$GH_TOKEN" --user app --port 22/tcp ||
        { echo "FAIL: cannot write the $fmt image" >&2; exit 1; }
done
D1=sha256:$(sha256sum <"$TMP/l1.tar" | cut -c1-64)
D2=sha256:$(sha256sum <"$TMP/l2.tar" | cut -c1-64)

for fmt in docker-archive oci-archive; do
    o="$TMP/$fmt"
    scan_image "$o" "$TMP/img-$fmt.tar"
    expect_rc "$o" 0 "$fmt: scan"
    q() { sqlite3 -batch -noheader "$o.db" "$1"; }
    same_lines "$fmt: OS packages with version, source and layer" \
        "$(q "SELECT name||' '||version||' '||source_name||' '||layer FROM packages WHERE ecosystem='Debian:12' ORDER BY name;")" \
        "alpha 1.0-1 alpha $D1
beta 2.0-1 beta-src $D2
gamma 1:3.0-2 gamma-src $D2"
    same_lines "$fmt: purl with the epoch encoded" "$(q "SELECT purl FROM packages WHERE name='gamma';")" \
        "pkg:deb/debian/gamma@1%3A3.0-2?arch=amd64&distro=debian-12"
    same_lines "$fmt: language packages (whiteout and opaque dir applied)" \
        "$(q "SELECT ecosystem||' '||name||' '||version||' '||location FROM packages WHERE ecosystem<>'Debian:12' ORDER BY 1;")" \
        "PyPI requests 2.31.0 /usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA
npm @types/node 20.1.0 /app/node_modules/@types/node/package.json
npm express 4.18.2 /opt/old/package-lock.json
npm qs 6.11.0 /opt/old/package-lock.json"
    same_lines "$fmt: npm purl of a scoped package" "$(q "SELECT purl FROM packages WHERE name='@types/node';")" \
        "pkg:npm/%40types/node@20.1.0"
    same_lines "$fmt: secret findings" \
        "$(q "SELECT rule_id||' '||json_extract(evidence,'\$.path')||' '||json_extract(evidence,'\$.layer')||' '||json_extract(evidence,'\$.visible') FROM findings WHERE rule_id LIKE 'image-secret-%' ORDER BY 1;")" \
        "image-secret-aws-access-key etc/deleted-secret.txt $D1 0
image-secret-private-key srv/key.pem $D2 1"
    same_lines "$fmt: the secret in ENV is found by its value" \
        "$(q "SELECT rule_id||' '||json_extract(evidence,'\$.env') FROM findings WHERE rule_id='image-env-secret';")" \
        "image-env-secret GITHUB_TOKEN"
    # the secrets themselves are nowhere: not in the store, not in the output
    leaked=$(sqlite3 -batch -noheader "$o.db" .dump | grep -c -e "$AWS_KEY" -e "$GH_TOKEN" -e MIIBOgIBAAJBAKj34Gkx)
    check "$fmt: no secret value in the store" [ "$leaked" -eq 0 ]
    check "$fmt: no secret value in the output" sh -c "! grep -q -e '$AWS_KEY' -e '$GH_TOKEN' '$o.out' '$o.err'"
    same_lines "$fmt: config: user, env names, ports" \
        "$(q "SELECT json_extract(data,'\$.config.user')||' '||json_extract(data,'\$.config.runsAsRoot')||' '||json_extract(data,'\$.config.envNames')||' '||json_extract(data,'\$.config.exposedPorts') FROM resources WHERE type='image.container';")" \
        'app 0 ["PATH","GITHUB_TOKEN"] ["22/tcp"]'
done
finish
