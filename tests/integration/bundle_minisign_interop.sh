#!/bin/sh
# bundle_minisign_interop.sh - parapet and stock minisign read each other's
# keys and signatures. Needs the `minisign` command: when it is missing
# this test FAILS (CI installs it: apt-get install minisign).
. "${top_srcdir:-.}/tests/integration/bundle_lib.sh"

if ! command -v minisign >/dev/null 2>&1; then
    echo "FAIL: $TEST_NAME needs the 'minisign' command (apt-get install -y minisign)" >&2
    exit 1
fi

K="$TMP/keys"
P="$TMP/plugins"
mkdir -m 700 "$K" "$TMP/mk"
make_stage "$TMP/stage" demo
run 0 "$TOOL" pack "$TMP/stage" --name demo --version 1.0.0 --kinds provider --output-dir "$TMP"
B=$(cat "$TMP/out")

# 1. stock minisign key (no password), prehashed signature, with the
#    trusted comment parapet wants -> verifies and installs in parapet
run 0 minisign -G -W -p "$TMP/mk/m.pub" -s "$TMP/mk/m.key"
cp "$TMP/mk/m.pub" "$K/"
chmod 644 "$K/m.pub" # minisign honours the umask; the store wants no group write
TC=$(printf 'name:demo\tversion:1.0.0\ttarget:linux-%s\ttimestamp:%s' "$(uname -m)" "$(date +%s)")
run 0 minisign -S -s "$TMP/mk/m.key" -m "$B" -t "$TC"
run 0 "$TOOL" verify "$B" --keys-dir "$K"
has "$TMP/out" "signed by trusted key"
run 0 "$TOOL" install "$B" --keys-dir "$K" --plugin-dir "$P"

# 2. minisign's default trusted comment (timestamp and file name) also
#    binds the bundle, through its canonical file name
run 0 minisign -S -s "$TMP/mk/m.key" -m "$B"
run 0 "$TOOL" verify "$B" --keys-dir "$K"

# 3. a legacy (-l, non-prehashed) signature is refused
run 0 minisign -S -l -s "$TMP/mk/m.key" -m "$B"
run 1 "$TOOL" verify "$B" --keys-dir "$K"
has "$TMP/err" "legacy (non-prehashed"

# 4. parapet's signature verifies with stock minisign
run 0 "$TOOL" keygen --unencrypted "$TMP/author"
run 0 "$TOOL" sign --key "$TMP/author.key" "$B"
run 0 minisign -V -p "$TMP/author.pub" -m "$B"
has "$TMP/out" "Signature and comment signature verified"
run 0 minisign -V -H -p "$TMP/author.pub" -m "$B"

# 5. a parapet-encrypted key (scrypt) is usable by minisign, and the other
#    way round a minisign-encrypted key (its default 1 GiB scrypt) by parapet
printf 'pass phrase 1\n' >"$TMP/pw1"
PARAPET_SIGN_PASSPHRASE_FILE="$TMP/pw1" run 0 "$TOOL" keygen --kdf interactive "$TMP/enc"
run 0 sh -c "minisign -S -s '$TMP/enc.key' -m '$B' -x '$TMP/x.minisig' <'$TMP/pw1'"
run 0 minisign -V -p "$TMP/enc.pub" -m "$B" -x "$TMP/x.minisig"
run 0 sh -c "printf 'pass phrase 2\npass phrase 2\n' | minisign -G -p '$TMP/mk/e.pub' -s '$TMP/mk/e.key'"
printf 'pass phrase 2\n' >"$TMP/pw2"
PARAPET_SIGN_PASSPHRASE_FILE="$TMP/pw2" run 0 "$TOOL" sign --key "$TMP/mk/e.key" "$B"
run 0 minisign -V -p "$TMP/mk/e.pub" -m "$B"
printf 'wrong\n' >"$TMP/pw3"
PARAPET_SIGN_PASSPHRASE_FILE="$TMP/pw3" run 1 "$TOOL" sign --key "$TMP/mk/e.key" "$B"
has "$TMP/err" "wrong passphrase"
finish
