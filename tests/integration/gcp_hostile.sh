#!/bin/sh
# The gcp plugin against a careless or hostile server
# (tests/support/gcp_mock.py --scenario hostile): invalid project ids and
# folder names, a folder that lists itself, resource names with path or
# query characters (API keys, backend services and contacts too), key strings
# an answer should not carry, a nextPageToken that never changes, a 200 whose body is
# not JSON. The scan must not hang or crash, must not build URLs from the bad
# names, must say what failed, and must keep what it could collect.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"
. "$top_srcdir/tests/integration/gcp_lib.sh"
gcp_start hostile

# shellcheck disable=SC2086
run_parapet "$TMP/s" --plugin-dir "$PD" scan gcp --db "$TMP/s.db" $GCP_OPTS -o gcp.organization=6660001 \
    --no-default-rules --output "jsonl:$TMP/s.jsonl" -o jsonl.resources=true
expect_rc "$TMP/s" 2 "two tasks fail (a looping page token, a body that is not JSON)"
OUT="$TMP/s.jsonl"
same_lines "only the valid project was scanned" \
    "$(jsonl_sql "$OUT" "SELECT DISTINCT json_extract(value,'\$.account') FROM $RES;")" "acme-hostile-1"
check "the folder that lists itself was walked once" \
    test "$(grep -c '^GET /v3/folders 200$' "$MOCK_LOG")" -eq 2
check "no URL was built from a bad name" sh -c "! grep -q -e 'passwd' -e 'a?b' -e '%2e' -e 'zone/' -e '\.\./' '$MOCK_LOG'"
cnt() { jsonl_sql "$OUT" "SELECT count(*) FROM $RES WHERE json_extract(value,'\$.type')='$1';"; }
check "bad bucket names skipped, the good one kept" test "$(cnt gcp.storage.bucket)" = 1
check "the zone with a slash skipped" test "$(cnt gcp.dns.managed_zone)" = 1
check "the key ring with an encoded dot-dot skipped" test "$(cnt gcp.kms.crypto_key)" = 1
check "the service account with a query character skipped" test "$(cnt gcp.iam.service_account)" = 1
check "the API key with a path in its name skipped, the one with a plain name kept" test "$(cnt gcp.apikeys.key)" = 2
check "a key string an answer carried anyway is nowhere in the output" sh -c "! grep -q 'HOSTILE-KEY-STRING' '$OUT'"
check "backend services with bad names or regions skipped" test "$(cnt gcp.compute.backend_service)" = 1
check "an over-long contact name skipped" test "$(jsonl_sql "$OUT" "SELECT json_array_length(value,'\$.data.contacts') FROM $RES WHERE json_extract(value,'\$.type')='gcp.essentialcontacts.settings';")" = 2
check "the repeated page token is named" grep -q 'the same nextPageToken came back twice' "$TMP/s.err"
check "the non-JSON body is named" grep -q 'bigquery/v2/projects/acme-hostile-1/datasets: the response is not a JSON object' "$TMP/s.err"
check "the sinks request stopped after two pages" \
    test "$(grep -c '^GET /v2/projects/acme-hostile-1/sinks 200$' "$MOCK_LOG")" -eq 2
same_lines "the project is still emitted, its sinks unknown (absent), not empty" \
    "$(jsonl_sql "$OUT" "SELECT json_type(value,'\$.data.logSinks'), json_type(value,'\$.data.logMetrics') FROM $RES WHERE json_extract(value,'\$.type')='gcp.project';")" \
    "|array"
finish
