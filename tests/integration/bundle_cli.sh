#!/bin/sh
# bundle_cli.sh - the plugin bundle commands end to end: keygen, pack,
# sign, verify, install, list, check, remove, with the exit statuses and
# messages a user sees.
. "${top_srcdir:-.}/tests/integration/bundle_lib.sh"

K="$TMP/keys"
P="$TMP/plugins"
mkdir -m 700 "$K"
make_stage "$TMP/stage" demo

run 0 "$TOOL" keygen --unencrypted "$TMP/author"
has "$TMP/out" "created key"
run 1 "$TOOL" keygen --unencrypted "$TMP/author"
has "$TMP/err" "refusing to overwrite"
cp "$TMP/author.pub" "$K/"
chmod 644 "$K/author.pub"

run 0 "$TOOL" pack "$TMP/stage" --name demo --version 1.0.0 --kinds provider --output-dir "$TMP"
B=$(cat "$TMP/out")
case "$B" in */demo-1.0.0-linux-*.tar.gz) ;; *) fail "pack printed '$B'" ;; esac
[ -f "$B" ] || fail "no bundle at $B"

run 1 "$TOOL" install "$B" --plugin-dir "$P" --keys-dir "$K"
has "$TMP/err" "is not signed"
run 0 "$TOOL" sign --key "$TMP/author.key" "$B"
has "$B.minisig" "trusted comment: name:demo"
run 0 "$TOOL" verify "$B" --keys-dir "$K"
has "$TMP/out" "verified demo 1.0.0 (provider), signed by trusted key"
[ ! -e "$P/demo" ] || fail "verify installed something"

run 0 "$TOOL" install "$B" --plugin-dir "$P" --keys-dir "$K"
[ -f "$P/demo/lib/demo.so" ] || fail "the .so was not installed"
[ -f "$P/demo/.installed.json" ] || fail "no install record"
run 0 "$TOOL" list --plugin-dir "$P" --format json
has "$TMP/out" '"name":	"demo"'
has "$TMP/out" '"verified":	true'
has "$TMP/out" '"intact":	true'
run 0 "$TOOL" check demo --plugin-dir "$P"
has "$TMP/out" "intact"

# reinstalling the same version needs --force; a downgrade too
run 1 "$TOOL" install "$B" --plugin-dir "$P" --keys-dir "$K"
has "$TMP/err" "already installed"
run 0 "$TOOL" install "$B" --plugin-dir "$P" --keys-dir "$K" --force

# upgrade: only over an installed plugin, only to a newer version
run 1 "$TOOL" upgrade "$B" --plugin-dir "$P" --keys-dir "$K"
has "$TMP/err" "already installed"
run 0 "$TOOL" pack "$TMP/stage" --name demo --version 1.1.0 --kinds provider --output-dir "$TMP"
B11=$(cat "$TMP/out")
run 0 "$TOOL" sign --key "$TMP/author.key" "$B11"
run 1 "$TOOL" upgrade "$B11" --plugin-dir "$TMP/empty-plugins" --keys-dir "$K"
has "$TMP/err" "is not installed"
run 0 "$TOOL" upgrade "$B11" --plugin-dir "$P" --keys-dir "$K"
has "$TMP/out" "upgraded to demo 1.1.0"
run 1 "$TOOL" install "$B" --plugin-dir "$P" --keys-dir "$K"
has "$TMP/err" "refusing to downgrade demo from 1.1.0 to 1.0.0"

# tampering with the installed .so is noticed by check and list
printf 'x' >>"$P/demo/lib/demo.so"
run 1 "$TOOL" check demo --plugin-dir "$P"
has "$TMP/err" "was modified after installation"
run 0 "$TOOL" list --plugin-dir "$P"
has "$TMP/out" "MODIFIED"

# flip_byte FILE OFFSET: change the byte at OFFSET to a different value (a
# fixed replacement byte would leave the file unchanged 1 time in 256)
flip_byte() {
    _b=$(dd if="$1" bs=1 skip="$2" count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
    printf "\\$(printf '%03o' $(((_b + 1) % 256)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
# a flipped byte in the bundle is refused, the installed set unchanged
before=$(ls -la "$P" "$P/demo" | sed 's/ [A-Z][a-z][a-z] .*:.. / /')
cp "$B" "$TMP/bad.tar.gz"
cp "$B.minisig" "$TMP/bad.tar.gz.minisig"
flip_byte "$TMP/bad.tar.gz" 200
run 1 "$TOOL" install "$TMP/bad.tar.gz" --plugin-dir "$P" --keys-dir "$K" --force
has "$TMP/err" "signature verification failed"
after=$(ls -la "$P" "$P/demo" | sed 's/ [A-Z][a-z][a-z] .*:.. / /')
[ "$before" = "$after" ] || fail "the plugin directory changed after a refused install"

# unsigned, with the explicit flag: installed and marked unverified
make_stage "$TMP/stage2" other
run 0 "$TOOL" pack "$TMP/stage2" --name other --version 0.1.0 --kinds output --output-dir "$TMP"
run 0 "$TOOL" install "$TMP/other-0.1.0-linux-$(uname -m).tar.gz" --plugin-dir "$P" \
    --keys-dir "$K" --allow-unsigned
has "$TMP/out" "NOT VERIFIED (no signature)"
run 0 "$TOOL" list --plugin-dir "$P"
has "$TMP/out" "unverified"

run 0 "$TOOL" remove other --plugin-dir "$P"
[ ! -e "$P/other" ] || fail "remove left $P/other"
run 1 "$TOOL" remove other --plugin-dir "$P"
has "$TMP/err" "not installed"

run 2 "$TOOL" frobnicate
run 2 "$TOOL" install
run 2 "$TOOL" list --format xml --plugin-dir "$P"
finish
