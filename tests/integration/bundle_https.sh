#!/bin/sh
# tests/integration/bundle_https.sh - `parapet plugin install https://...`
# against a real HTTPS server on 127.0.0.1 (openssl s_server -WWW) with a
# test CA: the bundle and its .minisig are downloaded and verified like a
# local file; an untrusted server certificate, plain http:// and a tampered
# download are refused, and nothing is installed.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"
need openssl "apt-get install openssl"

SNAP_SO="$top_builddir/plugins/snapshot/.libs/snapshot.so"
W="$TMP/www"
mkdir -p "$TMP/keys" "$TMP/plugins" "$W" "$TMP/stage/snapshot/lib"

# a test CA and a certificate for 127.0.0.1
(
    cd "$TMP" || exit 1
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=parapet-test-ca &&
        openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 &&
        printf 'subjectAltName=IP:127.0.0.1\n' >ext &&
        openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile ext
) >/dev/null 2>&1 || { fail "could not make test certificates"; finish; }

cp "$SNAP_SO" "$TMP/stage/snapshot/lib/snapshot.so"
cp "$top_srcdir/LICENSE" "$TMP/stage/snapshot/LICENSE"
run_parapet "$TMP/kg" plugin keygen --unencrypted "$TMP/k"
cp "$TMP/k.pub" "$TMP/keys/"
run_parapet "$TMP/pack" plugin pack "$TMP/stage/snapshot" --output-dir "$W" --name snapshot --version 0.1.0 \
    --kinds provider
B=$(basename "$(ls "$W"/snapshot-0.1.0-*.tar.gz)")
run_parapet "$TMP/sign" plugin sign --key "$TMP/k.key" "$W/$B"
expect_rc "$TMP/sign" 0 "bundle signed"

# the server: serves $W over HTTPS on an ephemeral port
(cd "$W" && exec openssl s_server -accept 127.0.0.1:0 -cert "$TMP/srv.pem" -key "$TMP/srv.key" -WWW) \
    >"$TMP/server.log" 2>&1 &
CLEANUP_PIDS="$!"
port=""
for _ in 1 2 3 4 5 6 7 8 9 10; do
    port=$(sed -n 's/^ACCEPT 127.0.0.1:\([0-9]*\)$/\1/p' "$TMP/server.log")
    [ -n "$port" ] && break
    sleep 0.5
done
[ -n "$port" ] || { fail "the HTTPS test server did not start"; cat "$TMP/server.log" >&2; finish; }
URL="https://127.0.0.1:$port/$B"
P="--plugin-dir $TMP/plugins --keys-dir $TMP/keys"

# the server's CA is not trusted: refused, nothing installed
# shellcheck disable=SC2086
run_parapet "$TMP/i0" $P plugin install "$URL"
[ "$RC" -ne 0 ] && pass "untrusted server certificate refused (exit $RC)" || fail "installed from an untrusted server"
[ -z "$(ls "$TMP/plugins" 2>/dev/null | grep -v '^\.')" ] && pass "nothing installed" || fail "something was installed"

# plain http is refused outright
# shellcheck disable=SC2086
run_parapet "$TMP/i1" $P plugin install "http://127.0.0.1:$port/$B"
expect_rc "$TMP/i1" 2 "plain http:// refused"
grep -q 'HTTPS only' "$TMP/i1.err" && pass "the error says HTTPS only" || fail "unclear http:// error"

# with the test CA: downloaded, verified, installed
# shellcheck disable=SC2086
run_parapet "$TMP/i2" $P plugin install "$URL" --ca-file "$TMP/ca.pem"
expect_rc "$TMP/i2" 0 "install over HTTPS with the test CA"
# shellcheck disable=SC2086
run_parapet "$TMP/l" $P plugin list
grep -E '^snapshot .*verified' "$TMP/l.out" >/dev/null && pass "installed plugin is verified" ||
    { fail "not listed as verified"; show "$TMP/l"; }

# flip_byte FILE OFFSET: change the byte at OFFSET to a different value (a
# fixed replacement byte would leave the file unchanged 1 time in 256)
flip_byte() {
    _b=$(dd if="$1" bs=1 skip="$2" count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
    printf "\\$(printf '%03o' $(((_b + 1) % 256)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
# a tampered download (one flipped byte) is refused; the installed one stays
# shellcheck disable=SC2086
run_parapet "$TMP/rm" $P plugin remove snapshot
cp "$W/$B" "$TMP/orig.tar.gz"
flip_byte "$W/$B" 200
# shellcheck disable=SC2086
run_parapet "$TMP/i3" $P plugin install "$URL" --ca-file "$TMP/ca.pem"
[ "$RC" -ne 0 ] && pass "tampered download refused (exit $RC)" || fail "tampered download installed"
grep -qi 'signature' "$TMP/i3.err" && pass "the refusal names the signature" || { fail "unclear refusal"; show "$TMP/i3"; }
[ ! -d "$TMP/plugins/snapshot" ] && pass "nothing installed from the tampered download" || fail "tampered bundle installed"

finish
