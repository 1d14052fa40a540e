#!/bin/sh
# azure_bench.sh - the azure provider at scale, against the test stand-ins:
#   1. ARM: 10,000 network security groups in one subscription, served by
#      tests/support/azure_mock.py in nextLink pages of 1,000 (HTTPS, test CA);
#   2. the Blob data plane: 1,000 containers in Azurite, listed with Shared Key,
#      at the default page size (5,000) and at 100 per page;
#   3. ARM mode with listKeys: the same 1,000 containers reached through a
#      storage account whose key ARM's listKeys hands out.
# Prints wall time, resources, HTTP calls and calls per resource (ARM calls
# are counted in the mock's log; Azurite calls from the page size).
# usage: contrib/bench/azure_bench.sh [BUILDDIR]   (default: .)
# Needs python3, openssl, sqlite3, node + npm (or AZURITE_BLOB=/path/to/azurite-blob).
set -u
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
top_builddir=$(cd "${1:-.}" && pwd)
PARAPET="$top_builddir/parapet"
AZURE_SO="$top_builddir/plugins/azure/.libs/azure.so"
need() { command -v "$1" >/dev/null 2>&1 || { echo "azure_bench: needs $1 ($2)" >&2; exit 2; }; }
need python3 "apt-get install python3"
need openssl "apt-get install openssl"
need sqlite3 "apt-get install sqlite3"
[ -x "$PARAPET" ] && [ -f "$AZURE_SO" ] || { echo "azure_bench: build parapet and plugins/azure first" >&2; exit 2; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/parapet-azure-bench.XXXXXX") || exit 2
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT
mkdir -p "$TMP/plugins" && ln -s "$AZURE_SO" "$TMP/plugins/azure.so"
now() { date +%s.%N; }
secs() { python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }
count() { sqlite3 -batch -noheader "$1" "SELECT count(*) FROM resources WHERE type='$2';"; }
report() { # WHAT SECONDS RESOURCES CALLS
    python3 -c "import sys; w, t, n, c = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]); \
print('%-44s %7.2f s  %6d resources  %5d calls  %.4f calls/resource  %7.0f resources/s' % (w, t, n, c, c / n, n / t))" "$@"
}

# -- test CA and the ARM stand-in --
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/ca.key" -out "$TMP/ca.pem" -days 2 -subj "/CN=bench CA" \
    >/dev/null 2>&1 &&
    openssl req -newkey rsa:2048 -nodes -keyout "$TMP/srv.key" -out "$TMP/srv.csr" -subj "/CN=127.0.0.1" >/dev/null 2>&1 &&
    printf 'subjectAltName=IP:127.0.0.1\n' >"$TMP/san.ext" &&
    openssl x509 -req -in "$TMP/srv.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" -CAcreateserial -out "$TMP/srv.pem" \
        -days 2 -extfile "$TMP/san.ext" >/dev/null 2>&1 || { echo "azure_bench: openssl failed" >&2; exit 2; }
TENANT=11111111-2222-3333-4444-555555555555
CLIENT=aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee
SUB=00000000-0000-0000-0000-00000000000a
MOCK_SECRET=bench-secret
export MOCK_SECRET PARAPET_TEST=1
start_mock() { # NAME [args]: sets ARM
    _n=$1
    shift
    python3 "$top_srcdir/tests/support/azure_mock.py" --cert "$TMP/srv.pem" --key "$TMP/srv.key" \
        --port-file "$TMP/$_n.port" --log "$TMP/$_n.log" --tenant $TENANT --client-id $CLIENT --secret-env MOCK_SECRET \
        "$@" 2>"$TMP/$_n.err" &
    PIDS="$PIDS $!"
    i=0
    while [ ! -s "$TMP/$_n.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    [ -s "$TMP/$_n.port" ] || { echo "azure_bench: the mock did not start: $(cat "$TMP/$_n.err")" >&2; exit 2; }
    ARM="https://127.0.0.1:$(cat "$TMP/$_n.port")"
}
scan_arm() { # DB [extra -o ...]
    _db=$1
    shift
    AZURE_TENANT_ID=$TENANT AZURE_CLIENT_ID=$CLIENT AZURE_CLIENT_SECRET=$MOCK_SECRET \
        "$PARAPET" --plugin-dir "$TMP/plugins" -q --progress=never scan azure --db "$_db" -o azure.arm_endpoint="$ARM" \
        -o azure.authority_host="$ARM" -o azure.http.ca_file="$TMP/ca.pem" -o azure.subscriptions=$SUB "$@" \
        >/dev/null 2>"$TMP/err" || { cat "$TMP/err" >&2; exit 1; }
}

# -- 1. 10,000 ARM resources --
start_mock bulk --bulk-nsgs 10000
t0=$(now)
scan_arm "$TMP/arm.db" -o azure.services=network
t1=$(now)
n=$(count "$TMP/arm.db" azure.network.nsg)
calls=$(grep -c '^GET ' "$TMP/bulk.log")
report "ARM: 10,000 NSGs (pages of 1,000)" "$(secs "$t0" "$t1")" "$n" "$calls"

# -- Azurite --
PIN="$top_srcdir/tests/fixtures/azure/azurite"
LOCK_ID=$(sha256sum "$PIN/package-lock.json" | cut -c1-12)
AZURITE_DIR="${PARAPET_AZURITE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/parapet-test/azurite-$LOCK_ID}"
AZB="${AZURITE_BLOB:-$AZURITE_DIR/node_modules/.bin/azurite-blob}"
if [ ! -x "$AZB" ]; then
    need npm "apt-get install npm"
    mkdir -p "$AZURITE_DIR" && cp "$PIN/package.json" "$PIN/package-lock.json" "$AZURITE_DIR/" &&
        npm ci --prefix "$AZURITE_DIR" --no-audit --no-fund --loglevel=error >"$TMP/npm.log" 2>&1 ||
        { tail "$TMP/npm.log" >&2; exit 2; }
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$TMP/azurite"
"$AZB" --blobHost 127.0.0.1 --blobPort "$PORT" --location "$TMP/azurite" --disableTelemetry >"$TMP/azurite.log" 2>&1 &
PIDS="$PIDS $!"
i=0
while [ $i -lt 150 ] && ! grep -q "successfully listens" "$TMP/azurite.log"; do sleep 0.1; i=$((i + 1)); done
grep -q "successfully listens" "$TMP/azurite.log" || { cat "$TMP/azurite.log" >&2; exit 2; }
EP="http://127.0.0.1:$PORT/devstoreaccount1"
AZ_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
export AZ_KEY
t0=$(now)
python3 "$top_srcdir/tests/support/azure_blob_admin.py" "$EP" devstoreaccount1 many c- 1000 || exit 2
t1=$(now)
echo "(created 1,000 containers in Azurite in $(secs "$t0" "$t1") s)"

# -- 2. the data plane alone --
for ps in 5000 100; do
    rm -f "$TMP/dp.db"
    t0=$(now)
    "$PARAPET" --plugin-dir "$TMP/plugins" -q --progress=never scan azure --db "$TMP/dp.db" -o azure.blob_endpoint="$EP" \
        -o azure.storage_key=env:AZ_KEY -o azure.blob_page_size=$ps >/dev/null 2>"$TMP/err" || { cat "$TMP/err" >&2; exit 1; }
    t1=$(now)
    n=$(( $(count "$TMP/dp.db" azure.storage.container) + $(count "$TMP/dp.db" azure.storage.blob_service) ))
    report "data plane: 1,000 containers, $ps per page" "$(secs "$t0" "$t1")" "$n" $((1 + (1000 + ps - 1) / ps))
done

# -- 3. ARM mode, listKeys -> Azurite --
start_mock lk --blob-endpoint "$EP/"
t0=$(now)
scan_arm "$TMP/lk.db" -o azure.services=storage
t1=$(now)
n=$(sqlite3 -batch -noheader "$TMP/lk.db" "SELECT count(*) FROM resources;")
arm_calls=$(grep -c -e '^GET ' -e '^POST ' "$TMP/lk.log")
report "ARM + listKeys + data plane (1,000 containers)" "$(secs "$t0" "$t1")" "$n" $((arm_calls + 2))
echo "(ARM calls: $arm_calls including one throttled listKeys; data-plane calls: 2)"
