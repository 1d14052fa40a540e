#!/bin/sh
# The azure plugin's Blob data plane end to end: `parapet scan azure` with
# -o azure.blob_endpoint / azure.storage_key (or azure.storage_sas) against
# Azurite, Microsoft's storage emulator, which checks Shared Key and SAS
# signatures for real. The test installs Azurite from the npm registry into
# a cache directory when it is missing, starts it on 127.0.0.1, creates
# containers with each public access level and sets the blob service
# properties through the REST API (tests/support/azure_blob_admin.py, a
# signer written independently of the plugin), scans, and checks what a
# user would read in the output.
#
# Needs: python3, node and npm (Debian: nodejs npm). Override the Azurite
# binary with AZURITE_BLOB=/path/to/azurite-blob (no npm needed then).
AZURITE_VERSION=3.35.0
AZURITE_DIR="${PARAPET_AZURITE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/parapet-test/azurite-$AZURITE_VERSION}"
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"

need python3 "apt-get install python3"

AZURE_SO="$top_builddir/plugins/azure/.libs/azure.so"
[ -f "$AZURE_SO" ] || { echo "FAIL: $AZURE_SO is not built" >&2; exit 1; }
PD=$(plugin_dir plugins)
ln -sf "$AZURE_SO" "$PD/azure.so"
ADMIN="$top_srcdir/tests/support/azure_blob_admin.py"

# -- Azurite: from the cache, or installed into it once --
AZB="${AZURITE_BLOB:-$AZURITE_DIR/node_modules/.bin/azurite-blob}"
if [ ! -x "$AZB" ]; then
    need node "apt-get install nodejs"
    need npm "apt-get install npm"
    mkdir -p "$AZURITE_DIR" || exit 1
    echo "installing azurite@$AZURITE_VERSION into $AZURITE_DIR"
    npm install --prefix "$AZURITE_DIR" --no-audit --no-fund --loglevel=error "azurite@$AZURITE_VERSION" \
        >"$TMP/npm.log" 2>&1 || { echo "FAIL: npm install azurite failed:" >&2; tail -20 "$TMP/npm.log" >&2; exit 1; }
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

# stop Azurite and wait for it, so it cannot write into the directory the cleanup removes
kill "$AZPID" 2>/dev/null
wait "$AZPID" 2>/dev/null

finish
