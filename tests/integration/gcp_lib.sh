# gcp_lib.sh - shared set-up of the gcp integration tests and benchmark:
# a test CA and server certificate, a service-account key file, and
# tests/support/gcp_mock.py started with a scenario. Sourced after
# plugins_lib.sh (which provides TMP, CLEANUP_PIDS, need, plugin_dir).
#
# gcp_start SCENARIO: sets PD (plugin dir with gcp.so), EP (mock URL),
# GCP_OPTS (-o options pointing every endpoint at the mock, with the key
# file as credentials) and MOCK_LOG. Never reaches Google: PARAPET_TEST=1
# makes the plugin refuse to start without the overrides.

need python3 "apt-get install python3"
need openssl "apt-get install openssl"

GCP_SO="$top_builddir/plugins/gcp/.libs/gcp.so"
[ -f "$GCP_SO" ] || { echo "FAIL: $GCP_SO is not built" >&2; exit 1; }
unset GOOGLE_APPLICATION_CREDENTIALS CLOUDSDK_CONFIG
HOME="$TMP/home"; mkdir -p "$HOME"; export HOME
PARAPET_TEST=1; export PARAPET_TEST

gcp_start() {
    PD=$(plugin_dir plugins)
    ln -sf "$GCP_SO" "$PD/gcp.so"
    for so in jsonl outputs; do
        [ -f "$top_builddir/plugins/$so/.libs/$so.so" ] && ln -sf "$top_builddir/plugins/$so/.libs/$so.so" "$PD/$so.so"
    done
    _email=scanner@acme-analytics-prod.iam.gserviceaccount.com
    _kid=00112233445566778899aabbccddeeff00112233
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/ca.key" -out "$TMP/ca.pem" -days 2 \
        -subj "/CN=parapet gcp test CA" >/dev/null 2>&1 || { echo "FAIL: openssl CA" >&2; exit 1; }
    openssl req -newkey rsa:2048 -nodes -keyout "$TMP/srv.key" -out "$TMP/srv.csr" -subj "/CN=127.0.0.1" \
        >/dev/null 2>&1 || { echo "FAIL: openssl CSR" >&2; exit 1; }
    printf 'subjectAltName=IP:127.0.0.1\n' >"$TMP/san.ext"
    openssl x509 -req -in "$TMP/srv.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" -CAcreateserial \
        -out "$TMP/srv.pem" -days 2 -extfile "$TMP/san.ext" >/dev/null 2>&1 || { echo "FAIL: openssl sign" >&2; exit 1; }
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TMP/sa.key" >/dev/null 2>&1 ||
        { echo "FAIL: openssl genpkey" >&2; exit 1; }
    python3 -c 'import json,sys; print(json.dumps({"type": "service_account", "project_id": "acme-analytics-prod",
    "private_key_id": sys.argv[2], "private_key": open(sys.argv[1]).read(), "client_email": sys.argv[3],
    "client_id": "1", "token_uri": "https://oauth2.googleapis.com/token"}))' "$TMP/sa.key" "$_kid" "$_email" \
        >"$TMP/sa.json"
    chmod 600 "$TMP/sa.json"
    MOCK_LOG="$TMP/mock.log"
    python3 "$top_srcdir/tests/support/gcp_mock.py" --cert "$TMP/srv.pem" --key "$TMP/srv.key" \
        --port-file "$TMP/port" --log "$MOCK_LOG" --sa-email "$_email" --sa-key "$TMP/sa.key" --kid "$_kid" \
        --scenario "$1" 2>"$TMP/mock.err" &
    CLEANUP_PIDS="$CLEANUP_PIDS $!"
    _i=0
    while [ ! -s "$TMP/port" ] && [ $_i -lt 300 ]; do sleep 0.1; _i=$((_i + 1)); done
    [ -s "$TMP/port" ] || { echo "FAIL: the mock did not start: $(cat "$TMP/mock.err")" >&2; exit 1; }
    EP="https://127.0.0.1:$(cat "$TMP/port")"
    GCP_OPTS="-o gcp.api_endpoint=$EP -o gcp.token_endpoint=$EP/token -o gcp.http.ca_file=$TMP/ca.pem -o gcp.credentials=file:$TMP/sa.json"
}
