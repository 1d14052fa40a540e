#!/bin/sh
# Organization scope and API faults: `parapet scan gcp -o gcp.organization=ID`
# against the local Google stand-in (tests/support/gcp_mock.py --scenario org):
# the active projects directly under the organization and in nested folders
# are found (Resource Manager v3, deleted projects and folders skipped) and
# scanned concurrently, one task per project x service; a burst of 429s and a
# 403 rateLimitExceeded are retried; a 403 PERMISSION_DENIED becomes an error
# finding naming the permission while the rest goes on; a 403
# SERVICE_DISABLED is an info finding, not a failure.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"
. "$top_srcdir/tests/integration/gcp_lib.sh"
gcp_start org

# shellcheck disable=SC2086
run_parapet "$TMP/s" --plugin-dir "$PD" scan gcp --db "$TMP/s.db" $GCP_OPTS -o gcp.organization=5550001 \
    -o gcp.page_size=2 -o gcp.http.backoff_base_ms=20 -o gcp.http.backoff_max_ms=200 --jobs 6 \
    --no-default-rules --output "jsonl:$TMP/s.jsonl" -o jsonl.resources=true
expect_rc "$TMP/s" 0 "organization scan with a denial and a disabled API (neither fails the scan)"
OUT="$TMP/s.jsonl"
same_lines "the three active projects of the organization (direct, in a folder, in a nested folder)" \
    "$(jsonl_sql "$OUT" "SELECT DISTINCT json_extract(value,'\$.account') FROM $RES ORDER BY 1;")" \
    "acme-org-a
acme-org-b
acme-org-c"
check "the nested folder was walked" grep -q '^GET /v3/projects 200' "$MOCK_LOG"
check "the deleted folder was not walked" sh -c "! grep -q 'folders/809' '$MOCK_LOG'"
same_lines "every service ran in every project: 20 types, less the denied firewalls (b) and the disabled SQL (c)" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.account'), count(DISTINCT json_extract(value,'\$.type')) FROM $RES GROUP BY 1 ORDER BY 1;")" \
    "acme-org-a|20
acme-org-b|19
acme-org-c|19"
check "three 429s came before the firewalls of acme-org-a were read" \
    test "$(grep -c '^GET /compute/v1/projects/acme-org-a/global/firewalls 429$' "$MOCK_LOG")" -eq 3
cnt() { jsonl_sql "$OUT" "SELECT count(*) FROM $RES WHERE json_extract(value,'\$.type')='$1' AND json_extract(value,'\$.account')='$2';"; }
check "after the 429 burst all 3 firewall rules of acme-org-a were collected" test "$(cnt gcp.compute.firewall acme-org-a)" = 3
check "the rateLimitExceeded 403 was retried and the buckets of acme-org-a collected" \
    test "$(grep -c '^GET /storage/v1/b 403$' "$MOCK_LOG")" -eq 1 -a "$(cnt gcp.storage.bucket acme-org-a)" = 3
same_lines "the denial is an error finding naming the permission, on the project" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.resource_uid'), json_extract(value,'\$.evidence.permission'), json_extract(value,'\$.evidence.errorCode'), json_extract(value,'\$.status') FROM $FND WHERE json_extract(value,'\$.rule_id')='gcp-collection-access-denied';")" \
    "//cloudresourcemanager.googleapis.com/projects/acme-org-b|compute.firewalls.list|PERMISSION_DENIED|error"
check "the message tells which permission to grant" \
    test -n "$(jsonl_sql "$OUT" "SELECT 1 FROM $FND WHERE json_extract(value,'\$.message') LIKE 'compute.firewalls.list was denied%grant compute.firewalls.list%';")"
check "acme-org-b's instances were still collected after the denial" test "$(cnt gcp.compute.instance acme-org-b)" = 3
same_lines "the disabled Cloud SQL API of acme-org-c: one info finding, not an error" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.account'), json_extract(value,'\$.evidence.service'), json_extract(value,'\$.evidence.errorCode'), json_extract(value,'\$.severity'), json_extract(value,'\$.status') FROM $FND WHERE json_extract(value,'\$.rule_id')='gcp-collection-api-disabled';")" \
    "acme-org-c|sql|SERVICE_DISABLED|info|pass"
check "no Cloud SQL instance for acme-org-c, 3 for the others" \
    test "$(cnt gcp.sql.instance acme-org-c)" = 0 -a "$(cnt gcp.sql.instance acme-org-b)" = 3
check "the summary counts one error (the denial) and nothing else failed" grep -q ', 1 errors$' "$TMP/s.out"
check "no task failed" sh -c "! grep -q -i 'task.*failed' '$TMP/s.err'"

# what projects inherit from their folders and organization
same_lines "each project's ancestry, nearest first" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.account'), json_extract(value,'\$.data.ancestors') FROM $RES WHERE json_extract(value,'\$.type')='gcp.project' ORDER BY 1;")" \
    'acme-org-a|["organizations/5550001"]
acme-org-b|["folders/801","organizations/5550001"]
acme-org-c|["folders/803","folders/802","organizations/5550001"]'
same_lines "the organization sink that includes children is inherited (the other one is not)" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(r.value,'\$.account'), json_extract(s.value,'\$.name'), json_extract(s.value,'\$.inheritedFrom') FROM $RES r, json_each(json_extract(r.value,'\$.data.logSinks')) s WHERE json_extract(s.value,'\$.inheritedFrom') IS NOT NULL ORDER BY 1;")" \
    "acme-org-a|org-all-logs|organizations/5550001
acme-org-b|org-all-logs|organizations/5550001
acme-org-c|org-all-logs|organizations/5550001"
n=$(grep -c '^GET /v2/organizations/5550001/sinks 200$' "$MOCK_LOG")
check "the organization's sinks were read at most once per worker process ($n)" test "$n" -ge 1 -a "$n" -le 3
# shellcheck disable=SC2086
run_parapet "$TMP/r" --plugin-dir "$PD" scan gcp --db "$TMP/r.db" $GCP_OPTS -o gcp.projects=acme-org-a \
    -o gcp.services=project --no-default-rules --rules "$top_srcdir/policies/gcp" --output "jsonl:$TMP/r.jsonl"
expect_rc "$TMP/r" 0 "the project rules over acme-org-a"
same_lines "acme-org-a has no sink or audit config of its own, but inherits both from the organization" \
    "$(jsonl_sql "$TMP/r.jsonl" "SELECT json_extract(value,'\$.rule_id'), json_extract(value,'\$.status') FROM $FND WHERE json_extract(value,'\$.rule_id') IN ('gcp-project-no-sink-for-all-logs', 'gcp-project-data-access-audit-logs-off') ORDER BY 1;")" \
    "gcp-project-data-access-audit-logs-off|pass
gcp-project-no-sink-for-all-logs|pass"

# projects given explicitly: no Resource Manager listing at all
: >"$MOCK_LOG"
# shellcheck disable=SC2086
run_parapet "$TMP/p" --plugin-dir "$PD" scan gcp --db "$TMP/p.db" $GCP_OPTS -o gcp.projects=acme-org-b,acme-org-c \
    -o gcp.services=dns,kms --no-default-rules --output "jsonl:$TMP/p.jsonl" -o jsonl.resources=true
expect_rc "$TMP/p" 0 "scan of two named projects"
same_lines "two named projects, two services" \
    "$(jsonl_sql "$TMP/p.jsonl" "SELECT json_extract(value,'\$.account'), json_extract(value,'\$.type'), count(*) FROM $RES GROUP BY 1, 2 ORDER BY 1, 2;")" \
    "acme-org-b|gcp.dns.managed_zone|3
acme-org-b|gcp.kms.crypto_key|3
acme-org-c|gcp.dns.managed_zone|3
acme-org-c|gcp.kms.crypto_key|3"
check "no project listing when projects are named" sh -c "! grep -q '/v3/projects' '$MOCK_LOG'"
finish
