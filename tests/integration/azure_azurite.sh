#!/bin/sh
# The azure plugin's Blob data plane end to end: `parapet scan azure` with
# -o azure.blob_endpoint / azure.storage_key (or azure.storage_sas) against
# Azurite, Microsoft's storage emulator, which checks Shared Key and SAS
# signatures for real. The test installs Azurite from the npm registry into
# a cache directory when it is missing, starts it on 127.0.0.1, creates
# containers with each public access level and sets the blob service
# properties through the REST API (tests/support/azure_blob_admin.py, a
# signer written independently of the plugin), scans, and checks what a
# user would read in the output. Last, ARM mode: the local ARM stand-in
# (tests/support/azure_mock.py) answers listKeys with Azurite's key and
# points a storage account's blob endpoint at Azurite, so the key that
# listKeys returned signs real requests.
#
# Azurite and its whole dependency tree are pinned by
# tests/fixtures/azure/azurite/package-lock.json (azurite 3.35.0; verified
# on Node 18.20, Debian 12's nodejs, and Node 20) and installed with
# `npm ci` into ${XDG_CACHE_HOME:-~/.cache}/parapet-test/azurite-<lock hash>
# (or PARAPET_AZURITE_DIR) the first time.
#
# Needs: python3, openssl, node and npm (Debian: nodejs npm). Override the
# Azurite binary with AZURITE_BLOB=/path/to/azurite-blob (no npm needed then).
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"

need python3 "apt-get install python3"
need openssl "apt-get install openssl"

AZURE_SO="$top_builddir/plugins/azure/.libs/azure.so"
[ -f "$AZURE_SO" ] || { echo "FAIL: $AZURE_SO is not built" >&2; exit 1; }
PD=$(plugin_dir plugins)
ln -sf "$AZURE_SO" "$PD/azure.so"
ADMIN="$top_srcdir/tests/support/azure_blob_admin.py"
PIN="$top_srcdir/tests/fixtures/azure/azurite"
LOCK_ID=$(sha256sum "$PIN/package-lock.json" | cut -c1-12)
AZURITE_DIR="${PARAPET_AZURITE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/parapet-test/azurite-$LOCK_ID}"

# -- Azurite: from the cache, or installed into it once, exactly as the lock file says --
AZB="${AZURITE_BLOB:-$AZURITE_DIR/node_modules/.bin/azurite-blob}"
if [ ! -x "$AZB" ]; then
    need node "apt-get install nodejs"
    need npm "apt-get install npm"
    mkdir -p "$AZURITE_DIR" || exit 1
    cp "$PIN/package.json" "$PIN/package-lock.json" "$AZURITE_DIR/" || exit 1
    echo "installing the pinned azurite into $AZURITE_DIR (node $(node --version))"
    npm ci --prefix "$AZURITE_DIR" --no-audit --no-fund --loglevel=error >"$TMP/npm.log" 2>&1 ||
        { echo "FAIL: npm ci (azurite) failed:" >&2; tail -20 "$TMP/npm.log" >&2; exit 1; }
fi
[ -x "$AZB" ] || { echo "FAIL: no azurite-blob at $AZB" >&2; exit 1; }

# Azurite's well-known development account (public, documented in Azurite's README; not a secret).
ACCOUNT=devstoreaccount1
AZ_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
export AZ_KEY

# Start on a free port (picked by the kernel, then handed to Azurite; retried on a lost race).
PORT=""
for attempt in 1 2 3; do
    p=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    mkdir -p "$TMP/azurite-$attempt"
    "$AZB" --blobHost 127.0.0.1 --blobPort "$p" --location "$TMP/azurite-$attempt" --disableTelemetry --silent \
        >"$TMP/azurite.log" 2>&1 &
    AZPID=$!
    CLEANUP_PIDS="$CLEANUP_PIDS $AZPID"
    i=0
    while [ $i -lt 150 ] && kill -0 "$AZPID" 2>/dev/null && ! grep -q "successfully listens" "$TMP/azurite.log"; do
        sleep 0.1
        i=$((i + 1))
    done
    if grep -q "successfully listens" "$TMP/azurite.log"; then
        PORT=$p
        break
    fi
    kill "$AZPID" 2>/dev/null
done
[ -n "$PORT" ] || { echo "FAIL: Azurite did not start: $(cat "$TMP/azurite.log")" >&2; exit 1; }
EP="http://127.0.0.1:$PORT/$ACCOUNT"

# -- the estate: one container per access level, five more to page through, service properties --
python3 "$ADMIN" "$EP" $ACCOUNT container public-c container &&
    python3 "$ADMIN" "$EP" $ACCOUNT container public-b blob &&
    python3 "$ADMIN" "$EP" $ACCOUNT container private-p private &&
    python3 "$ADMIN" "$EP" $ACCOUNT many bulk- 5 || { echo "FAIL: could not create the containers" >&2; exit 1; }
python3 "$ADMIN" "$EP" $ACCOUNT properties "$top_srcdir/tests/fixtures/azure/blob_service_properties.xml" ||
    { echo "FAIL: could not set the properties" >&2; exit 1; }

# -- scan 1: Shared Key, three containers per page --
run_parapet "$TMP/s1" --plugin-dir "$PD" scan azure --db "$TMP/s1.db" \
    -o azure.blob_endpoint="$EP" -o azure.storage_key=env:AZ_KEY -o azure.blob_page_size=3 \
    --output "jsonl:$TMP/s1.jsonl" -o jsonl.resources=true
expect_rc "$TMP/s1" 0 "Shared Key scan of Azurite"
OUT="$TMP/s1.jsonl"
same_lines "resource types and counts (8 containers over 3 pages, one blob service)" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.type'), count(*) FROM $RES GROUP BY 1 ORDER BY 1;")" \
    "azure.storage.blob_service|1
azure.storage.container|8"
same_lines "public access level of each container (ARM spelling)" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.name'), json_extract(value,'\$.data.properties.publicAccess') FROM $RES WHERE json_extract(value,'\$.type')='azure.storage.container' AND json_extract(value,'\$.name') NOT LIKE 'bulk-%' ORDER BY 1;")" \
    "private-p|None
public-b|Blob
public-c|Container"
same_lines "container envelope: uid under the endpoint, account, lease state" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.uid'), json_extract(value,'\$.account'), json_extract(value,'\$.provider'), json_extract(value,'\$.data.properties.leaseState') FROM $RES WHERE json_extract(value,'\$.name')='public-c';")" \
    "$EP/public-c|$ACCOUNT|azure|Available"
check "lastModifiedTime is RFC 3339 UTC" test -n "$(jsonl_sql "$OUT" "SELECT 1 FROM $RES WHERE json_extract(value,'\$.name')='public-c' AND json_extract(value,'\$.data.properties.lastModifiedTime') GLOB '20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z';")"
SVC="SELECT %s FROM $RES WHERE json_extract(value,'\$.type')='azure.storage.blob_service';"
same_lines "blob service: soft delete, logging, CORS" \
    "$(jsonl_sql "$OUT" "$(printf "$SVC" "json_extract(value,'\$.uid'), json_extract(value,'\$.data.properties.deleteRetentionPolicy.enabled'), json_extract(value,'\$.data.properties.deleteRetentionPolicy.days'), json_extract(value,'\$.data.properties.logging.delete'), json_extract(value,'\$.data.properties.logging.read'), json_extract(value,'\$.data.properties.logging.write'), json_extract(value,'\$.data.properties.logging.retentionPolicy.days'), json_extract(value,'\$.data.properties.cors.corsRules[0].allowedOrigins[0]'), json_array_length(value,'\$.data.properties.cors.corsRules[0].allowedMethods'), json_extract(value,'\$.data.properties.cors.corsRules[0].maxAgeInSeconds')")")" \
    "$EP|1|14|1|0|1|7|*|2|3600"
check "the store holds the same 9 resources" test "$(sqlite3 "$TMP/s1.db" "SELECT count(*) FROM resources WHERE provider='azure';" 2>/dev/null)" = 9
check "the key is in no output or log" sh -c "! grep -q -F -e '$AZ_KEY' '$OUT' '$TMP/s1.err' '$TMP/s1.out'"

# -- scan 2: a SAS token with read+list --
SAS_RL=$(python3 "$ADMIN" "$EP" $ACCOUNT sas rl) || { echo "FAIL: sas" >&2; exit 1; }
AZ_SAS=$SAS_RL run_parapet "$TMP/s2" --plugin-dir "$PD" scan azure --db "$TMP/s2.db" \
    -o azure.blob_endpoint="$EP" -o azure.storage_sas=env:AZ_SAS --output "jsonl:$TMP/s2.jsonl" -o jsonl.resources=true
expect_rc "$TMP/s2" 0 "SAS scan of Azurite"
same_lines "the SAS scan sees the same containers" \
    "$(jsonl_sql "$TMP/s2.jsonl" "SELECT count(*) FROM $RES WHERE json_extract(value,'\$.type')='azure.storage.container';")" "8"
SIG=$(printf '%s' "$SAS_RL" | sed 's/.*sig=//')
check "the SAS signature is in no output or log" sh -c "! grep -q -F -e '$SIG' '$TMP/s2.jsonl' '$TMP/s2.err' '$TMP/s2.out'"

# -- scan 3: a SAS without list permission: listing is an error finding, the properties still arrive --
AZ_SAS=$(python3 "$ADMIN" "$EP" $ACCOUNT sas r) run_parapet "$TMP/s3" --plugin-dir "$PD" scan azure \
    --db "$TMP/s3.db" -o azure.blob_endpoint="$EP" -o azure.storage_sas=env:AZ_SAS \
    --output "jsonl:$TMP/s3.jsonl" -o jsonl.resources=true
expect_rc "$TMP/s3" 0 "SAS scan without list permission"
same_lines "the denied listing is one error finding naming the permission" \
    "$(jsonl_sql "$TMP/s3.jsonl" "SELECT json_extract(value,'\$.rule_id'), json_extract(value,'\$.status'), json_extract(value,'\$.evidence.permission'), json_extract(value,'\$.evidence.errorCode') FROM $FND;")" \
    "azure-collection-access-denied|error|Microsoft.Storage/storageAccounts/blobServices/containers/read|AuthorizationPermissionMismatch"
same_lines "the blob service was still collected" \
    "$(jsonl_sql "$TMP/s3.jsonl" "SELECT json_extract(value,'\$.type') FROM $RES;")" "azure.storage.blob_service"

# -- scan 4: a wrong key (valid base64): Azurite rejects the signature; a clear error, no secret --
WRONG='d3JvbmdrZXl3cm9uZ2tleXdyb25na2V5d3JvbmdrZXl3cm9uZ2tleXdyb25na2V5d3Jvbmc='
AZ_KEY=$WRONG run_parapet "$TMP/s4" --plugin-dir "$PD" scan azure --db "$TMP/s4.db" \
    -o azure.blob_endpoint="$EP" -o azure.storage_key=env:AZ_KEY
expect_rc "$TMP/s4" 2 "scan with a wrong key"
check "the error says the signature was refused and names the key option" \
    grep -q "refused our Shared Key signature.*azure.storage_key" "$TMP/s4.err"
check "the wrong key is not printed" sh -c "! grep -q -F -e '$WRONG' '$TMP/s4.err' '$TMP/s4.out'"
check "nothing was collected with the wrong key" \
    test "$(sqlite3 "$TMP/s4.db" "SELECT count(*) FROM resources;" 2>/dev/null)" = 0

# -- a literal key instead of a reference is refused and not repeated --
run_parapet "$TMP/s5" --plugin-dir "$PD" scan azure --db "$TMP/s5.db" \
    -o azure.blob_endpoint="$EP" -o azure.storage_key="$AZ_KEY"
expect_rc "$TMP/s5" 2 "scan with a literal key in the config"
check "the literal key is not repeated" sh -c "! grep -q -F -e '$AZ_KEY' '$TMP/s5.err' '$TMP/s5.out'"
check "the error asks for a reference" grep -q "env:NAME or file:PATH" "$TMP/s5.err"

# -- a key that is not base64 --
AZ_KEY='not base64!' run_parapet "$TMP/s6" --plugin-dir "$PD" scan azure --db "$TMP/s6.db" \
    -o azure.blob_endpoint="$EP" -o azure.storage_key=env:AZ_KEY
expect_rc "$TMP/s6" 2 "scan with a key that is not base64"
check "the error names the option" grep -q "azure.storage_key is not a base64 storage account key" "$TMP/s6.err"

# -- ARM mode: listKeys hands out Azurite's key; the Blob data plane of that account is collected with it,
#    and its Queue and Table services' logging (azurite-queue and azurite-table on other ports) --
AZQ="$(dirname "$AZB")/azurite-queue"
QPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$TMP/azurite-q"
"$AZQ" --queueHost 127.0.0.1 --queuePort "$QPORT" --location "$TMP/azurite-q" --disableTelemetry \
    >"$TMP/azurite-q.log" 2>&1 &
AZQPID=$!
CLEANUP_PIDS="$CLEANUP_PIDS $AZQPID"
i=0
while [ $i -lt 150 ] && kill -0 "$AZQPID" 2>/dev/null && ! grep -q "successfully listens" "$TMP/azurite-q.log"; do
    sleep 0.1
    i=$((i + 1))
done
grep -q "successfully listens" "$TMP/azurite-q.log" || { echo "FAIL: azurite-queue did not start" >&2; exit 1; }
QEP="http://127.0.0.1:$QPORT/$ACCOUNT"
python3 "$ADMIN" "$QEP" $ACCOUNT properties "$top_srcdir/tests/fixtures/azure/queue_service_properties.xml" ||
    { echo "FAIL: could not set the queue service properties" >&2; exit 1; }
# and its Table service (azurite-table; the Table service's own Shared Key layout, signed by the admin script's
# independent signer): Azurite's default logs everything, the fixture turns delete logging off
AZT="$(dirname "$AZB")/azurite-table"
TPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$TMP/azurite-t"
"$AZT" --tableHost 127.0.0.1 --tablePort "$TPORT" --location "$TMP/azurite-t" --disableTelemetry \
    >"$TMP/azurite-t.log" 2>&1 &
AZTPID=$!
CLEANUP_PIDS="$CLEANUP_PIDS $AZTPID"
i=0
while [ $i -lt 150 ] && kill -0 "$AZTPID" 2>/dev/null && ! grep -q "successfully" "$TMP/azurite-t.log"; do
    sleep 0.1
    i=$((i + 1))
done
grep -q "successfully" "$TMP/azurite-t.log" || { echo "FAIL: azurite-table did not start" >&2; exit 1; }
TEP="http://127.0.0.1:$TPORT/$ACCOUNT"
python3 "$ADMIN" "$TEP" $ACCOUNT table-properties "$top_srcdir/tests/fixtures/azure/table_service_properties.xml" ||
    { echo "FAIL: could not set the table service properties" >&2; exit 1; }
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/ca.key" -out "$TMP/ca.pem" -days 2 \
    -subj "/CN=parapet azure test CA" >/dev/null 2>&1 &&
    openssl req -newkey rsa:2048 -nodes -keyout "$TMP/srv.key" -out "$TMP/srv.csr" -subj "/CN=127.0.0.1" \
        >/dev/null 2>&1 &&
    printf 'subjectAltName=IP:127.0.0.1\n' >"$TMP/san.ext" &&
    openssl x509 -req -in "$TMP/srv.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" -CAcreateserial \
        -out "$TMP/srv.pem" -days 2 -extfile "$TMP/san.ext" >/dev/null 2>&1 || { echo "FAIL: openssl" >&2; exit 1; }
TENANT=11111111-2222-3333-4444-555555555555
CLIENT=aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee
SUB_A=00000000-0000-0000-0000-00000000000a
MOCK_SECRET="azuriteSECRET$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export MOCK_SECRET
python3 "$top_srcdir/tests/support/azure_mock.py" --cert "$TMP/srv.pem" --key "$TMP/srv.key" \
    --port-file "$TMP/mock.port" --log "$TMP/mock.log" --tenant $TENANT --client-id $CLIENT \
    --secret-env MOCK_SECRET --blob-endpoint "$EP/" --queue-endpoint "$QEP/" --table-endpoint "$TEP/" \
    2>"$TMP/mock.err" &
CLEANUP_PIDS="$CLEANUP_PIDS $!"
i=0
while [ ! -s "$TMP/mock.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$TMP/mock.port" ] || { echo "FAIL: the ARM mock did not start: $(cat "$TMP/mock.err")" >&2; exit 1; }
ARM="https://127.0.0.1:$(cat "$TMP/mock.port")"
AZURE_TENANT_ID=$TENANT AZURE_CLIENT_ID=$CLIENT AZURE_CLIENT_SECRET=$MOCK_SECRET PARAPET_TEST=1 \
    run_parapet "$TMP/s7" --plugin-dir "$PD" scan azure --db "$TMP/s7.db" -o azure.arm_endpoint="$ARM" \
    -o azure.authority_host="$ARM" -o azure.http.ca_file="$TMP/ca.pem" -o azure.subscriptions=$SUB_A \
    -o azure.services=storage -o azure.blob_page_size=3 --output "jsonl:$TMP/s7.jsonl" -o jsonl.resources=true
expect_rc "$TMP/s7" 0 "ARM scan whose listKeys returns Azurite's key"
SP="/subscriptions/$SUB_A/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/acmeprivate"
same_lines "acmeprivate's blob service and containers come from Azurite, under ARM ids" \
    "$(jsonl_sql "$TMP/s7.jsonl" "SELECT json_extract(value,'\$.uid'), json_extract(value,'\$.account'), json_extract(value,'\$.data.properties.logging.delete'), json_extract(value,'\$.data.properties.deleteRetentionPolicy.days'), json_extract(value,'\$.data.storageAccount') FROM $RES WHERE json_extract(value,'\$.type')='azure.storage.blob_service';")
$(jsonl_sql "$TMP/s7.jsonl" "SELECT count(*) FROM $RES WHERE json_extract(value,'\$.uid') LIKE '$SP/blobServices/default/containers/%';")
$(jsonl_sql "$TMP/s7.jsonl" "SELECT json_extract(value,'\$.data.properties.publicAccess'), json_extract(value,'\$.region') FROM $RES WHERE json_extract(value,'\$.uid')='$SP/blobServices/default/containers/public-c';")
$(jsonl_sql "$TMP/s7.jsonl" "SELECT json_extract(value,'\$.uid'), json_extract(value,'\$.data.properties.logging.read'), json_extract(value,'\$.data.properties.logging.delete'), json_extract(value,'\$.data.properties.logging.retentionPolicy.days') FROM $RES WHERE json_extract(value,'\$.type')='azure.storage.queue_service';")" \
    "$SP/blobServices/default|$SUB_A|1|14|$ACCOUNT
8
Container|westeurope
$SP/queueServices/default|1|1|10"
same_lines "acmeprivate's Table service logging comes from azurite-table (Table Shared Key), into the account" \
    "$(jsonl_sql "$TMP/s7.jsonl" "SELECT json_extract(value,'\$.data.tableServiceProperties.logging.read'), json_extract(value,'\$.data.tableServiceProperties.logging.write'), json_extract(value,'\$.data.tableServiceProperties.logging.delete'), json_extract(value,'\$.data.tableServiceProperties.logging.retentionPolicy.days') FROM $RES WHERE json_extract(value,'\$.uid')='$SP';")" \
    "1|1|0|5"
check "no warning about the table service" sh -c "! grep -qi 'table' '$TMP/s7.err'"
same_lines "listKeys of the other account was denied: one error finding naming the permission" \
    "$(jsonl_sql "$TMP/s7.jsonl" "SELECT json_extract(value,'\$.evidence.permission'), json_extract(value,'\$.resource_uid') LIKE '%/acmepublic' FROM $FND;")" \
    "Microsoft.Storage/storageAccounts/listkeys/action|1"
check "Azurite's key is in no output or log" sh -c "! grep -q -F -e '$AZ_KEY' '$TMP/s7.jsonl' '$TMP/s7.err' '$TMP/s7.out' '$TMP/s7.db'"

# stop Azurite and wait for it, so it cannot write into the directory the cleanup removes
kill "$AZPID" "$AZQPID" "$AZTPID" 2>/dev/null
wait "$AZPID" "$AZQPID" "$AZTPID" 2>/dev/null

finish
