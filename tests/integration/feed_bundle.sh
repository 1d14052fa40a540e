#!/bin/sh
# feed_bundle.sh - signed feed bundles for air-gapped sites: `feed pack`
# makes one that `feed import` verifies against the trust store (keys.d)
# before reading anything, and that stock minisign verifies too. Forged and
# hostile bundles are refused with a clear error and the feeds already
# stored stay exactly as they were: no signature, a key not in the trust
# store, a revoked key, a key scoped to other kinds, a flipped byte, a
# manifest hash that does not match, an extra file, path traversal, a
# symbolic link, a signature made for something else, a file that fills an
# unlisted feed, a replayed older bundle. A raw file needs --unsigned.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"
. "$top_srcdir/tests/integration/feed_lib.sh"
need minisign "apt-get install minisign"

PDIR=$(feed_plugin_dir plugins)
DB="$TMP/store/f.db"
KEYS="$TMP/keys"
mkdir -p "$KEYS" && chmod 700 "$KEYS"
P="--plugin-dir $PDIR --db $DB --keys-dir $KEYS"

# keys: the trusted one (parapet's keygen) and a stranger's
"$PARAPET" plugin keygen --unencrypted "$TMP/trusted" >/dev/null 2>&1 || fail "keygen"
"$PARAPET" plugin keygen --unencrypted "$TMP/stranger" >/dev/null 2>&1 || fail "keygen"
cp "$TMP/trusted.pub" "$KEYS/trusted.pub" && chmod 644 "$KEYS/trusted.pub"
TRUSTED_ID=$(sed -n 's/.*minisign public key \([0-9A-F]*\).*/\1/p' "$TMP/trusted.pub")

# the feed files
mkdir -p "$TMP/in"
make_zip "$TMP/in/debian.zip" "$FIX"/debian12/DEBIAN-CVE-2099-0001.json "$FIX"/debian12/DEBIAN-CVE-2099-0002.json
cp "$FIX/kev_synthetic.json" "$TMP/in/kev.json"
printf '192.0.2.0/24 ; SBL1\n198.51.100.0/24 ; SBL2\n' >"$TMP/in/drop.txt"

# 1. pack and import
run_parapet "$TMP/pack" feed pack --key "$TMP/trusted.key" --name feeds-test --created 1764000000 \
    "$TMP/b1.tar" "$TMP/in/kev.json" "$TMP/in/drop.txt" "$TMP/in/debian.zip"
expect_rc "$TMP/pack" 0 "feed pack"
check "pack wrote the bundle and its signature" [ -s "$TMP/b1.tar" ] && [ -s "$TMP/b1.tar.minisig" ]
tc=$(sed -n 's/^trusted comment: //p' "$TMP/b1.tar.minisig")
case "$tc" in
*"kind:feed	name:feeds-test	created:1764000000	feeds:kev,list:drop,osv:Debian:12	file:b1.tar") pass "the trusted comment says kind, name, created time and feeds" ;;
*) fail "trusted comment: $tc" ;;
esac
check "the manifest comes first and names kind feed" sh -c "tar -xOf '$TMP/b1.tar' MANIFEST.json | grep -q '\"kind\":[[:space:]]*\"feed\"'"
check "the manifest lists each file's SHA-256" sh -c "tar -xOf '$TMP/b1.tar' MANIFEST.json | grep -q \"\$(sha256sum '$TMP/in/drop.txt' | cut -c1-64)\""
minisign -V -q -p "$TMP/trusted.pub" -m "$TMP/b1.tar" >/dev/null 2>&1 && pass "stock minisign verifies the bundle" ||
    fail "minisign does not verify the bundle"
run_parapet "$TMP/pack2" feed pack --key "$TMP/trusted.key" --name feeds-test --created 1764000000 \
    "$TMP/b1-again.tar" "$TMP/in/debian.zip" "$TMP/in/drop.txt" "$TMP/in/kev.json"
cmp -s "$TMP/b1.tar" "$TMP/b1-again.tar" && pass "packing is deterministic (same inputs, same bytes)" ||
    fail "two packs of the same files differ"

# shellcheck disable=SC2086
run_parapet "$TMP/imp" $P feed import "$TMP/b1.tar"
expect_rc "$TMP/imp" 0 "import the signed bundle"
grep -q "bundle feeds-test (created 1764000000, signed by $TRUSTED_ID): verified" "$TMP/imp.out" &&
    pass "import says who signed it" || { fail "no verified line"; show "$TMP/imp"; }
same_lines "the feeds are in the store" "$(q "$DB" "SELECT feed || '=' || records FROM feed_state ORDER BY feed")" \
    "kev=2
list:drop=2
osv:Debian:12=$(q "$DB" "SELECT count(*) FROM advisories WHERE source='osv:Debian:12'")"
check "the import is recorded with its signer" \
    [ "$(q "$DB" "SELECT name || ' ' || signer || ' ' || feeds FROM feed_imports")" = "feeds-test $TRUSTED_ID kev,list:drop,osv:Debian:12" ]
check "the work directory is gone" [ -z "$(ls -A "$TMP/store" | grep feed-import)" ]

snapshot() {
    q "$DB" "SELECT feed || ':' || records || ':' || updated_at FROM feed_state ORDER BY feed;
             SELECT count(*) FROM advisories; SELECT group_concat(value) FROM (SELECT value FROM indicators ORDER BY value);
             SELECT count(*) FROM feed_imports"
}
BEFORE=$(snapshot)

# refused NAME EXPECTED-MESSAGE BUNDLE [options]: import fails with the
# message, nothing changes, nothing is left behind
refused() {
    _n=$1 _m=$2 _b=$3
    shift 3
    # shellcheck disable=SC2086
    run_parapet "$TMP/r-$_n" $P feed import "$_b" "$@"
    expect_rc "$TMP/r-$_n" 2 "$_n: refused"
    grep -qF -- "$_m" "$TMP/r-$_n.err" && pass "$_n: the error says: $_m" || { fail "$_n: message"; show "$TMP/r-$_n"; }
    same_lines "$_n: the stored feeds are unchanged" "$(snapshot)" "$BEFORE"
    check "$_n: no work directory is left" [ -z "$(ls -A "$TMP/store" | grep feed-import)" ]
}

# 2. a raw file, and a bundle without its signature
refused raw-file "is not signed (no $TMP/in/drop.txt.minisig); refusing it" "$TMP/in/drop.txt"
grep -qF -- "--unsigned" "$TMP/r-raw-file.err" && pass "the error points at --unsigned" || fail "no hint"
cp "$TMP/b1.tar" "$TMP/nosig.tar"
refused no-signature "$TMP/nosig.tar is not signed" "$TMP/nosig.tar"

# 3. signed by a key the trust store does not hold
run_parapet "$TMP/pk-s" feed pack --key "$TMP/stranger.key" "$TMP/stranger.tar" "$TMP/in/drop.txt"
expect_rc "$TMP/pk-s" 0 "pack with the stranger's key"
refused wrong-key "which is not in the trust store ($KEYS); refusing it" "$TMP/stranger.tar"
# a signature file of the stranger beside the trusted bundle (forged)
cp "$TMP/b1.tar" "$TMP/forged.tar" && cp "$TMP/stranger.tar.minisig" "$TMP/forged.tar.minisig"
refused forged-sig "which is not in the trust store" "$TMP/forged.tar"

# 4. one flipped byte (in the middle of a feed file)
cp "$TMP/b1.tar" "$TMP/flip.tar" && cp "$TMP/b1.tar.minisig" "$TMP/flip.tar.minisig"
"$PY3" - "$TMP/flip.tar" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[2000] ^= 0x5a
open(p, "wb").write(bytes(b))
PY
refused flipped-byte "refusing the bundle (it was changed after it was signed, or the signature is forged)" "$TMP/flip.tar"

# 5. hostile bundles signed by the trusted key (stock minisign, so the tar
# can be made by hand): each must be refused by the checks after the signature
cp "$TMP/trusted.key" "$TMP/mkey"
craft() { # craft OUT.tar MODE
    "$PY3" - "$@" "$TMP/in" <<'PY'
import hashlib, io, json, os, sys, tarfile
out, mode, src = sys.argv[1], sys.argv[2], sys.argv[3]
drop = open(os.path.join(src, "drop.txt"), "rb").read()
files = [("drop.txt", drop)]
man = {"format": 1, "kind": "feed", "name": "hostile", "created": 1764000500, "feeds": ["list:drop"],
       "files": [{"path": "drop.txt", "size": len(drop), "sha256": hashlib.sha256(drop).hexdigest(), "feed": "list:drop"}]}
extra = []
if mode == "hash":
    man["files"][0]["sha256"] = hashlib.sha256(drop + b"x").hexdigest()
elif mode == "extra":
    extra.append(("notes.txt", b"203.0.113.9\n"))
elif mode == "traversal":
    files = [("../evil.txt", drop)]
    man["files"][0]["path"] = "../evil.txt"
elif mode == "traversal-unlisted":
    extra.append(("../evil.txt", drop))
elif mode == "feed":
    man["feeds"] = ["kev"]
    man["files"][0]["feed"] = "kev"
elif mode == "size":
    man["files"][0]["size"] = len(drop) + 1
def add(t, name, data):
    i = tarfile.TarInfo(name); i.size = len(data); i.mtime = 1764000500
    t.addfile(i, io.BytesIO(data))
with tarfile.open(out, "w", format=tarfile.USTAR_FORMAT) as t:
    if mode == "manifest-last":
        for n, d in files: add(t, n, d)
    add(t, "MANIFEST.json", json.dumps(man).encode())
    if mode == "symlink":
        i = tarfile.TarInfo("link.txt"); i.type = tarfile.SYMTYPE; i.linkname = "/etc/passwd"; t.addfile(i)
    if mode != "manifest-last":
        for n, d in files: add(t, n, d)
    for n, d in extra: add(t, n, d)
PY
    _feeds=list:drop
    [ "$2" = feed ] && _feeds=kev
    _tc="kind:feed	name:hostile	created:1764000500	feeds:$_feeds"
    [ "$2" = plugin-tc ] && _tc="name:hostile	version:1.0.0	target:linux-x86_64"
    minisign -S -s "$TMP/mkey" -m "$1" -t "$_tc" >/dev/null 2>&1 </dev/null || fail "minisign could not sign $1"
}
for mode in hash extra traversal traversal-unlisted symlink manifest-last feed plugin-tc size; do
    craft "$TMP/h-$mode.tar" "$mode"
done
refused hash-mismatch "entry drop.txt does not have the SHA-256 the manifest lists (tampered?)" "$TMP/h-hash.tar"
refused extra-file "entry notes.txt is not listed in the manifest" "$TMP/h-extra.tar"
refused traversal "\"path\" is not acceptable" "$TMP/h-traversal.tar"
refused traversal-unlisted "entry ../evil.txt refused" "$TMP/h-traversal-unlisted.tar"
check "nothing was written outside the work directory" [ ! -e "$TMP/store/evil.txt" ] && [ ! -e "$TMP/evil.txt" ]
refused symlink "entry link.txt is a symbolic link; a feed bundle holds only regular files" "$TMP/h-symlink.tar"
refused manifest-last "the first entry must be MANIFEST.json (found drop.txt)" "$TMP/h-manifest-last.tar"
refused unlisted-feed "its files filled feed list:drop, which its signed manifest does not list" "$TMP/h-feed.tar"
refused plugin-signature "the trusted comment does not say kind:feed" "$TMP/h-plugin-tc.tar"
refused size-mismatch "entry drop.txt has" "$TMP/h-size.tar"

# 6. a revoked key, a key scoped to plugins only
cp "$TMP/b1.tar" "$TMP/b2.tar" && cp "$TMP/b1.tar.minisig" "$TMP/b2.tar.minisig"
echo "$TRUSTED_ID" >"$KEYS/revoked" && chmod 644 "$KEYS/revoked"
refused revoked "signing key $TRUSTED_ID is revoked; refusing the bundle" "$TMP/b2.tar"
rm -f "$KEYS/revoked"
printf 'kinds provider\n' >"$KEYS/trusted.pub.scope" && chmod 644 "$KEYS/trusted.pub.scope"
refused scoped-key "threat_feed" "$TMP/b2.tar"
rm -f "$KEYS/trusted.pub.scope"

# 7. replaying an older bundle is refused; --allow-older does it on purpose
run_parapet "$TMP/pk-old" feed pack --key "$TMP/trusted.key" --created 1700000000 "$TMP/old.tar" "$TMP/in/drop.txt"
expect_rc "$TMP/pk-old" 0 "pack an older bundle"
refused replay "is older than the bundle already imported for feed list:drop" "$TMP/old.tar"
# shellcheck disable=SC2086
run_parapet "$TMP/old-ok" $P feed import "$TMP/old.tar" --allow-older
expect_rc "$TMP/old-ok" 0 "an older bundle with --allow-older"

# 8. --unsigned imports a raw file (for testing), with a warning
# shellcheck disable=SC2086
run_parapet "$TMP/uns" $P feed import "$TMP/in/drop.txt" --unsigned
expect_rc "$TMP/uns" 0 "--unsigned imports a raw file"
grep -q "without a signature (--unsigned, for testing)" "$TMP/uns.err" && pass "--unsigned warns" || fail "no warning"

finish
