#!/bin/sh
# The gcp plugin end to end: `parapet scan gcp` against a local HTTPS
# stand-in for Google OAuth2 and the Resource Manager, Cloud Storage,
# Compute and IAM APIs (tests/support/gcp_mock.py --scenario basic, test CA)
# that verifies the service-account assertion's RS256 signature, pages with
# nextPageToken, answers one quota error and denies three calls. The other
# collectors are tested by gcp_collect.sh, organization scope and faults by
# gcp_org.sh.
#
# Never reaches Google: every endpoint is overridden to 127.0.0.1, HOME is
# a test directory (no gcloud credentials of the machine), and
# PARAPET_TEST=1 makes the plugin refuse to start without the overrides.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"

need python3 "apt-get install python3"
need openssl "apt-get install openssl"

GCP_SO="$top_builddir/plugins/gcp/.libs/gcp.so"
[ -f "$GCP_SO" ] || { echo "FAIL: $GCP_SO is not built" >&2; exit 1; }
PD=$(plugin_dir plugins)
ln -sf "$GCP_SO" "$PD/gcp.so"

unset GOOGLE_APPLICATION_CREDENTIALS CLOUDSDK_CONFIG
HOME="$TMP/home"; mkdir -p "$HOME"; export HOME
PARAPET_TEST=1; export PARAPET_TEST
EMAIL=scanner@acme-prod-111.iam.gserviceaccount.com
KID=0123456789abcdef0123456789abcdef01234567

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/ca.key" -out "$TMP/ca.pem" -days 2 \
    -subj "/CN=parapet gcp test CA" >/dev/null 2>&1 || { echo "FAIL: openssl CA" >&2; exit 1; }
openssl req -newkey rsa:2048 -nodes -keyout "$TMP/srv.key" -out "$TMP/srv.csr" -subj "/CN=127.0.0.1" \
    >/dev/null 2>&1 || { echo "FAIL: openssl CSR" >&2; exit 1; }
printf 'subjectAltName=IP:127.0.0.1\n' >"$TMP/san.ext"
openssl x509 -req -in "$TMP/srv.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" -CAcreateserial \
    -out "$TMP/srv.pem" -days 2 -extfile "$TMP/san.ext" >/dev/null 2>&1 || { echo "FAIL: openssl sign" >&2; exit 1; }
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TMP/sa.key" >/dev/null 2>&1 ||
    { echo "FAIL: openssl genpkey" >&2; exit 1; }
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TMP/other.key" >/dev/null 2>&1 ||
    { echo "FAIL: openssl genpkey" >&2; exit 1; }
sa_json() { # KEYFILE OUT: a service-account key file in Google's layout
    python3 -c 'import json,sys; print(json.dumps({"type": "service_account", "project_id": "acme-prod-111",
    "private_key_id": sys.argv[2], "private_key": open(sys.argv[1]).read(), "client_email": sys.argv[3],
    "client_id": "1", "token_uri": "https://oauth2.googleapis.com/token"}))' "$1" "$KID" "$EMAIL" >"$2"
    chmod 600 "$2"
}
sa_json "$TMP/sa.key" "$TMP/sa.json"
sa_json "$TMP/other.key" "$TMP/other.json"
REFRESH="1//itestREFRESH$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
export REFRESH

python3 "$top_srcdir/tests/support/gcp_mock.py" --cert "$TMP/srv.pem" --key "$TMP/srv.key" \
    --port-file "$TMP/port" --log "$TMP/mock.log" --sa-email "$EMAIL" --sa-key "$TMP/sa.key" --kid "$KID" \
    --refresh-token-env REFRESH 2>"$TMP/mock.err" &
CLEANUP_PIDS="$CLEANUP_PIDS $!"
i=0
while [ ! -s "$TMP/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$TMP/port" ] || { echo "FAIL: the mock did not start: $(cat "$TMP/mock.err")" >&2; exit 1; }
EP="https://127.0.0.1:$(cat "$TMP/port")"
ENDPOINTS="-o gcp.api_endpoint=$EP -o gcp.token_endpoint=$EP/token -o gcp.http.ca_file=$TMP/ca.pem"

# -- the guard --
run_parapet "$TMP/guard" --plugin-dir "$PD" scan gcp --db "$TMP/guard.db"
expect_rc "$TMP/guard" 2 "without endpoint overrides under PARAPET_TEST=1"
check "the refusal says why" grep -q "never reach Google" "$TMP/guard.err"

# -- scan 1: a service-account key from GOOGLE_APPLICATION_CREDENTIALS, projects discovered --
# shellcheck disable=SC2086
GOOGLE_APPLICATION_CREDENTIALS="$TMP/sa.json" run_parapet "$TMP/s1" --plugin-dir "$PD" scan gcp --db "$TMP/s1.db" \
    $ENDPOINTS -o gcp.page_size=2 -o gcp.services=storage,compute,iam --output "jsonl:$TMP/s1.jsonl" \
    -o jsonl.resources=true
expect_rc "$TMP/s1" 0 "scan with a service-account key"
OUT="$TMP/s1.jsonl"
check "the mock verified the RS256 assertion, once for the whole scan" \
    test "$(grep -c '^TOKEN jwt OK' "$TMP/mock.log")" -eq 1
check "no assertion was refused" sh -c "! grep -q 'TOKEN jwt FAIL' '$TMP/mock.log'"
same_lines "resources per type and project (projects over two pages; the one being deleted skipped)" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.type'), json_extract(value,'\$.account'), count(*) FROM $RES GROUP BY 1, 2 ORDER BY 1, 2;")" \
    "gcp.compute.firewall|acme-prod-111|1
gcp.compute.instance|acme-prod-111|1
gcp.iam.service_account|acme-prod-111|2
gcp.iam.service_account_key|acme-prod-111|1
gcp.storage.bucket|acme-prod-111|3"
check "the quota error was retried" test "$(grep -c 'GET /storage/v1/b 403' "$TMP/mock.log")" -eq 1
check "projects came from Resource Manager v3 projects:search" grep -q '^GET /v3/projects:search 200' "$TMP/mock.log"
q() { jsonl_sql "$OUT" "SELECT $2 FROM $RES WHERE json_extract(value,'\$.uid')='$1';"; }
B=//storage.googleapis.com/projects/_/buckets
same_lines "public bucket: allUsers binding, labels as tags, region lower case, absent configs null" \
    "$(q $B/acme-public "json_extract(value,'\$.data.iamPolicy.bindings[0].members[0]'), json_extract(value,'\$.tags.team'), json_extract(value,'\$.region'), json_type(value,'\$.data.logging'), json_type(value,'\$.data.retentionPolicy'), json_extract(value,'\$.data.iamConfiguration.uniformBucketLevelAccess.enabled'), json_type(value,'\$.data.kind'), json_type(value,'\$.data.iamPolicy.etag')")" \
    "allUsers|data|us|null|null|0||"
same_lines "second page: private bucket with logging and retention" \
    "$(q $B/acme-private "json_extract(value,'\$.data.logging.logBucket'), json_extract(value,'\$.data.retentionPolicy.retentionPeriod'), json_extract(value,'\$.data.iamConfiguration.publicAccessPrevention')")" \
    "acme-logs|86400|enforced"
check "a bucket whose IAM policy was denied has no iamPolicy (unknown, not empty)" \
    test "$(q $B/acme-secret-iam "json_type(value,'\$.data.iamPolicy') IS NULL")" = 1
same_lines "firewall rule shape" \
    "$(q //compute.googleapis.com/projects/acme-prod-111/global/firewalls/allow-ssh "json_extract(value,'\$.data.sourceRanges[0]'), json_extract(value,'\$.data.allowed[0].IPProtocol'), json_extract(value,'\$.data.allowed[0].ports[0]'), json_array_length(value,'\$.data.targetTags'), json_type(value,'\$.region')")" \
    "0.0.0.0/0|tcp|22|0|"
VMI=//compute.googleapis.com/projects/acme-prod-111/zones/europe-west1-b/instances/web-1
same_lines "instance: zone as region, external IP, default SA scopes, only the three allowed metadata keys" \
    "$(q "$VMI" "json_extract(value,'\$.region'), json_extract(value,'\$.data.zone'), json_extract(value,'\$.data.networkInterfaces[0].accessConfigs[0].natIP'), json_extract(value,'\$.data.serviceAccounts[0].scopes[0]'), json_array_length(value,'\$.data.metadata.items'), json_extract(value,'\$.data.metadata.items[0].key'), json_type(value,'\$.data.disks[0].diskEncryptionKey')")" \
    "europe-west1-b|europe-west1-b|203.0.113.7|https://www.googleapis.com/auth/cloud-platform|1|serial-port-enable|null"
check "startup scripts and ssh keys are not collected" sh -c "! grep -q -e hunter2 -e 'ssh-rsa' '$OUT'"
KEY=//iam.googleapis.com/projects/acme-prod-111/serviceAccounts/app@acme-prod-111.iam.gserviceaccount.com/keys/1f2e3d4c5b6a79881f2e3d4c5b6a798812345678
same_lines "user-managed key: metadata kept, key material dropped (service accounts over two pages)" \
    "$(q "$KEY" "json_extract(value,'\$.name'), json_extract(value,'\$.data.validAfterTime'), json_extract(value,'\$.data.keyType'), json_type(value,'\$.data.privateKeyData')")" \
    "app@acme-prod-111.iam.gserviceaccount.com/1f2e3d4c|2021-04-02T09:30:00Z|USER_MANAGED|"
check "the key material is nowhere in the output" sh -c "! grep -q 'U0VDUkVULUtFWS1NQVRFUklBTA' '$OUT'"
same_lines "three denials, three error findings naming the permission" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.resource_uid'), json_extract(value,'\$.evidence.permission'), json_extract(value,'\$.evidence.errorCode') FROM $FND ORDER BY 1;")" \
    "//cloudresourcemanager.googleapis.com/projects/acme-dev-222|compute.firewalls.list|PERMISSION_DENIED
//iam.googleapis.com/projects/acme-prod-111/serviceAccounts/ci@acme-prod-111.iam.gserviceaccount.com|iam.serviceAccountKeys.list|PERMISSION_DENIED
$B/acme-secret-iam|storage.buckets.getIamPolicy|PERMISSION_DENIED"
check "no key or token in the output or the logs" \
    sh -c "! grep -q -e 'PRIVATE KEY' -e 'ya29.mock' '$OUT' '$TMP/s1.err' '$TMP/s1.out'"

# -- scan 2: a key the mock does not know: the signature fails; a clear error --
: >"$TMP/mock.log"
# shellcheck disable=SC2086
run_parapet "$TMP/s2" --plugin-dir "$PD" scan gcp --db "$TMP/s2.db" $ENDPOINTS \
    -o gcp.credentials="file:$TMP/other.json" -o gcp.projects=acme-prod-111
expect_rc "$TMP/s2" 2 "scan with an unknown key"
check "the mock refused the signature" grep -q '^TOKEN jwt FAIL signature does not verify' "$TMP/mock.log"
check "the error names the token endpoint and the grant error" grep -q "token request to .*invalid_grant" "$TMP/s2.err"

# -- scan 3: gcloud application default credentials (authorized_user) found under HOME --
mkdir -p "$HOME/.config/gcloud"
printf '{"type":"authorized_user","client_id":"cid.apps","client_secret":"csecret","refresh_token":"%s"}\n' \
    "$REFRESH" >"$HOME/.config/gcloud/application_default_credentials.json"
chmod 600 "$HOME/.config/gcloud/application_default_credentials.json"
: >"$TMP/mock.log"
# shellcheck disable=SC2086
run_parapet "$TMP/s3" --plugin-dir "$PD" scan gcp --db "$TMP/s3.db" $ENDPOINTS -o gcp.projects=acme-prod-111 \
    -o gcp.services=compute --output "jsonl:$TMP/s3.jsonl" -o jsonl.resources=true -o gcp.page_size=1
expect_rc "$TMP/s3" 0 "scan with application default credentials"
check "the refresh token was exchanged" grep -q '^TOKEN refresh OK' "$TMP/mock.log"
check "the refresh token is not printed" sh -c "! grep -q -F '$REFRESH' '$TMP/s3.err' '$TMP/s3.out' '$TMP/s3.jsonl'"
rm -f "$HOME/.config/gcloud/application_default_credentials.json"

# -- scan 4: the metadata server --
: >"$TMP/mock.log"
# shellcheck disable=SC2086
run_parapet "$TMP/s4" --plugin-dir "$PD" scan gcp --db "$TMP/s4.db" -o gcp.api_endpoint="$EP" \
    -o gcp.metadata_endpoint="$EP" -o gcp.http.ca_file="$TMP/ca.pem" -o gcp.projects=acme-prod-111 \
    -o gcp.services=compute --output "jsonl:$TMP/s4.jsonl" -o jsonl.resources=true
expect_rc "$TMP/s4" 0 "scan with the metadata server"
check "the token came from the metadata server" grep -q '^TOKEN metadata OK' "$TMP/mock.log"
same_lines "one firewall rule and one instance" \
    "$(jsonl_sql "$TMP/s4.jsonl" "SELECT json_extract(value,'\$.type'), count(*) FROM $RES GROUP BY 1 ORDER BY 1;")" \
    "gcp.compute.firewall|1
gcp.compute.instance|1"

# -- the project's GCP rule pack judges what was collected --
if [ -d "$top_srcdir/policies/gcp" ]; then
    # shellcheck disable=SC2086
    run_parapet "$TMP/s5" --plugin-dir "$PD" scan gcp --db "$TMP/s5.db" --rules "$top_srcdir/policies/gcp" \
        $ENDPOINTS -o gcp.credentials="file:$TMP/sa.json" -o gcp.projects=acme-prod-111 \
        -o gcp.services=storage,compute,iam --output "jsonl:$TMP/s5.jsonl"
    check "scan with the GCP rule pack ran" test "$RC" -eq 0 -o "$RC" -eq 1
    F5="SELECT json_extract(value,'\$.status') FROM $FND WHERE json_extract(value,'\$.rule_id')='%s' AND json_extract(value,'\$.resource_uid') LIKE '%%/%s';"
    same_lines "public bucket and open SSH fail, the private bucket passes, the serial port is seen" \
        "$(jsonl_sql "$TMP/s5.jsonl" "$(printf "$F5" gcp-storage-bucket-public acme-public)")
$(jsonl_sql "$TMP/s5.jsonl" "$(printf "$F5" gcp-storage-bucket-public acme-private)")
$(jsonl_sql "$TMP/s5.jsonl" "$(printf "$F5" gcp-compute-firewall-ssh-open-to-internet allow-ssh)")
$(jsonl_sql "$TMP/s5.jsonl" "$(printf "$F5" gcp-compute-instance-serial-port-enabled web-1)")" \
        "fail
pass
fail
fail"
    check "no rule failed to evaluate (only the collection denials are errors)" \
        test -z "$(jsonl_sql "$TMP/s5.jsonl" "SELECT 1 FROM $FND WHERE json_extract(value,'\$.status')='error' AND json_extract(value,'\$.rule_id')!='gcp-collection-access-denied';")"
fi

finish
