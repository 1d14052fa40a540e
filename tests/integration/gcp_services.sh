#!/bin/sh
# The gcp platform collectors end to end (tests/support/gcp_mock.py
# --scenario platform): API keys (their restrictions and the enabled
# services, never a key string), Essential Contacts (inherited ones
# included), DNS server policies on the VPC networks, SSL policies, target
# HTTPS/SSL proxies and backend services, and the IAM bindings a project
# inherits from its folder and organization. One item per page, so every
# list is paged; a 429 burst and a rateLimitExceeded 403 are retried; in
# acme-analytics-stage the API keys, DNS policies and SSL policies are
# denied (error findings naming the permission; what depends on them is
# left unknown, not judged) and the Essential Contacts API is off (an info
# finding). Then the new rules' verdicts on the bad and good resources.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"
. "$top_srcdir/tests/integration/gcp_lib.sh"
gcp_start platform

# shellcheck disable=SC2086
run_parapet "$TMP/s" --plugin-dir "$PD" scan gcp --db "$TMP/s.db" $GCP_OPTS -o gcp.page_size=1 \
    -o gcp.projects=acme-analytics-prod,acme-analytics-stage -o gcp.services=project,compute,apikeys,contacts,lb \
    -o gcp.http.backoff_base_ms=20 -o gcp.http.backoff_max_ms=200 \
    --no-default-rules --rules "$top_srcdir/policies/gcp" --output "jsonl:$TMP/s.jsonl" -o jsonl.resources=true
expect_rc "$TMP/s" 0 "scan of the platform services with denials and a disabled API (none fails the scan)"
OUT="$TMP/s.jsonl"
same_lines "the new types per project (stage: no API key or SSL policy, they were denied)" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.account'), json_extract(value,'\$.type'), count(*) FROM $RES WHERE json_extract(value,'\$.type') IN ('gcp.apikeys.key', 'gcp.essentialcontacts.settings', 'gcp.compute.ssl_policy', 'gcp.compute.target_https_proxy', 'gcp.compute.target_ssl_proxy', 'gcp.compute.backend_service') GROUP BY 1, 2 ORDER BY 1, 2;")" \
    "acme-analytics-prod|gcp.apikeys.key|4
acme-analytics-prod|gcp.compute.backend_service|2
acme-analytics-prod|gcp.compute.ssl_policy|3
acme-analytics-prod|gcp.compute.target_https_proxy|3
acme-analytics-prod|gcp.compute.target_ssl_proxy|2
acme-analytics-prod|gcp.essentialcontacts.settings|1
acme-analytics-stage|gcp.compute.backend_service|1
acme-analytics-stage|gcp.compute.target_https_proxy|1
acme-analytics-stage|gcp.compute.target_ssl_proxy|1
acme-analytics-stage|gcp.essentialcontacts.settings|1"
for p in /v2/projects/acme-analytics-prod/locations/global/keys /v1/projects/acme-analytics-prod/contacts:compute \
    /dns/v1/projects/acme-analytics-prod/policies /compute/v1/projects/acme-analytics-prod/aggregated/sslPolicies \
    /compute/v1/projects/acme-analytics-prod/aggregated/targetHttpsProxies \
    /compute/v1/projects/acme-analytics-prod/global/targetSslProxies \
    /compute/v1/projects/acme-analytics-prod/aggregated/backendServices /v1/projects/acme-analytics-prod/services; do
    n=$(grep -c "^GET $p 200\$" "$MOCK_LOG")
    check "$p was read over several pages ($n)" test "$n" -ge 2
done
check "two 429s came before the API keys of prod were read, then all 4 were" \
    test "$(grep -c '^GET /v2/projects/acme-analytics-prod/locations/global/keys 429$' "$MOCK_LOG")" -eq 2
check "the rateLimitExceeded 403 on the HTTPS proxies was retried" \
    test "$(grep -c '^GET /compute/v1/projects/acme-analytics-prod/aggregated/targetHttpsProxies 403$' "$MOCK_LOG")" -eq 1
check "no key string was ever asked for" sh -c "! grep -q -i 'keyString' '$MOCK_LOG'"
check "no keyString member in the output" sh -c "! grep -q 'keyString' '$OUT'"

same_lines "stage: each denial is an error finding naming its permission" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.account'), json_extract(value,'\$.evidence.permission'), json_extract(value,'\$.status') FROM $FND WHERE json_extract(value,'\$.rule_id')='gcp-collection-access-denied' ORDER BY 2;")" \
    "acme-analytics-stage|apikeys.keys.list|error
acme-analytics-stage|compute.sslPolicies.list|error
acme-analytics-stage|dns.policies.list|error"
same_lines "stage: the Essential Contacts API is off: an info finding and no contact" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.evidence.service'), json_extract(value,'\$.status') FROM $FND WHERE json_extract(value,'\$.rule_id')='gcp-collection-api-disabled';")|$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.data.apiEnabled'), json_array_length(value,'\$.data.contacts') FROM $RES WHERE json_extract(value,'\$.type')='gcp.essentialcontacts.settings' AND json_extract(value,'\$.account')='acme-analytics-stage';")" \
    "contacts|pass|0|0"

q() { jsonl_sql "$OUT" "SELECT $2 FROM $RES WHERE json_extract(value,'\$.type')='$1' AND json_extract(value,'\$.name')='$3' AND json_extract(value,'\$.account')='${4:-acme-analytics-prod}';"; }
same_lines "API key: null restrictions, no etag" \
    "$(q gcp.apikeys.key "json_type(value,'\$.data.restrictions'), json_type(value,'\$.data.etag'), json_array_length(value,'\$.data.inactiveApiTargets')" key-0)" \
    "null||0"
same_lines "API key: a target whose service is not enabled" \
    "$(q gcp.apikeys.key "json_extract(value,'\$.data.inactiveApiTargets')" old-maps)" '["maps-backend.googleapis.com"]'
same_lines "networks: the DNS policy attached to default, null on the others; unknown in stage (denied)" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.account'), json_extract(value,'\$.name'), json_type(value,'\$.data.dnsPolicy'), json_extract(value,'\$.data.dnsPolicy.enableLogging') FROM $RES WHERE json_extract(value,'\$.type')='gcp.compute.network' ORDER BY 1, 2;")" \
    "acme-analytics-prod|default|object|0
acme-analytics-prod|legacy-net|null|
acme-analytics-prod|vpc-1|null|
acme-analytics-stage|default||"
same_lines "proxies: the SSL policy resolved (global and regional), null when none, unknown when denied" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.account'), json_extract(value,'\$.name'), json_extract(value,'\$.region'), json_type(value,'\$.data.sslPolicyDetail'), json_extract(value,'\$.data.sslPolicyDetail.profile') FROM $RES WHERE json_extract(value,'\$.type') IN ('gcp.compute.target_https_proxy', 'gcp.compute.target_ssl_proxy') ORDER BY 1, 2;")" \
    "acme-analytics-prod|https-0||null|
acme-analytics-prod|https-1||object|MODERN
acme-analytics-prod|https-internal|europe-west1|object|CUSTOM
acme-analytics-prod|tcp-tls-0||object|COMPATIBLE
acme-analytics-prod|tcp-tls-1||object|MODERN
acme-analytics-stage|https-0|||
acme-analytics-stage|tcp-tls-0|||"
same_lines "SSL policy defaults filled in; backend service: logConfig null, IAP secret hash dropped" \
    "$(q gcp.compute.ssl_policy "json_extract(value,'\$.data.profile'), json_extract(value,'\$.data.minTlsVersion'), json_array_length(value,'\$.data.customFeatures'), json_type(value,'\$.data.fingerprint')" legacy-compat)|$(q gcp.compute.backend_service "json_type(value,'\$.data.logConfig'), json_type(value,'\$.data.iap.oauth2ClientSecretSha256'), json_extract(value,'\$.data.iap.enabled')" be-0)" \
    "COMPATIBLE|TLS_1_0|0||null||0"
same_lines "the project's bindings include the folder's and the organization's, marked" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(b.value,'\$.role'), json_extract(b.value,'\$.inheritedFrom') FROM $RES r, json_each(json_extract(r.value,'\$.data.iamPolicy.bindings')) b WHERE json_extract(r.value,'\$.type')='gcp.project' AND json_extract(r.value,'\$.account')='acme-analytics-prod' AND json_extract(b.value,'\$.inheritedFrom') IS NOT NULL ORDER BY 1;")" \
    "roles/editor|organizations/5550001
roles/iam.serviceAccountUser|folders/801
roles/resourcemanager.organizationAdmin|organizations/5550001"

# status RULE NAME [ACCOUNT]: the finding of RULE on the resource named NAME
status() {
    jsonl_sql "$OUT" "SELECT json_extract(f.value,'\$.status') FROM $FND f, $RES r
        WHERE json_extract(f.value,'\$.rule_id')='$1' AND json_extract(r.value,'\$.name')='$2'
          AND json_extract(r.value,'\$.account')='${3:-acme-analytics-prod}'
          AND json_extract(f.value,'\$.resource_uid')=json_extract(r.value,'\$.uid');"
}
while read -r rule name account want; do
    got=$(status "$rule" "$name" "$account")
    check "$rule on $account/$name: $want (got ${got:-no finding})" test "${got:-none}" = "$want"
done <<'RULES'
gcp-apikeys-key-not-rotated key-0 acme-analytics-prod fail
gcp-apikeys-key-not-rotated key-1 acme-analytics-prod pass
gcp-apikeys-key-no-application-restriction key-0 acme-analytics-prod fail
gcp-apikeys-key-no-application-restriction web-any acme-analytics-prod fail
gcp-apikeys-key-no-application-restriction key-1 acme-analytics-prod pass
gcp-apikeys-key-no-api-restriction web-any acme-analytics-prod fail
gcp-apikeys-key-no-api-restriction old-maps acme-analytics-prod pass
gcp-apikeys-key-for-unused-service old-maps acme-analytics-prod fail
gcp-apikeys-key-for-unused-service key-1 acme-analytics-prod pass
gcp-essential-contacts-missing-categories acme-analytics-prod acme-analytics-prod fail
gcp-essential-contacts-missing-categories acme-analytics-stage acme-analytics-stage fail
gcp-compute-network-dns-logging-off default acme-analytics-prod fail
gcp-compute-network-dns-logging-off vpc-1 acme-analytics-prod fail
gcp-compute-network-dns-logging-off legacy-net acme-analytics-prod none
gcp-compute-network-dns-logging-off default acme-analytics-stage none
gcp-compute-ssl-policy-weak legacy-compat acme-analytics-prod fail
gcp-compute-ssl-policy-weak custom-rsa acme-analytics-prod fail
gcp-compute-ssl-policy-weak modern-tls12 acme-analytics-prod pass
gcp-compute-target-https-proxy-weak-tls https-0 acme-analytics-prod fail
gcp-compute-target-https-proxy-weak-tls https-internal acme-analytics-prod fail
gcp-compute-target-https-proxy-weak-tls https-1 acme-analytics-prod pass
gcp-compute-target-https-proxy-weak-tls https-0 acme-analytics-stage none
gcp-compute-target-ssl-proxy-weak-tls tcp-tls-0 acme-analytics-prod fail
gcp-compute-target-ssl-proxy-weak-tls tcp-tls-1 acme-analytics-prod pass
gcp-compute-backend-service-logging-off be-0 acme-analytics-prod fail
gcp-compute-backend-service-logging-off be-1 acme-analytics-prod pass
RULES
same_lines "stage grants no admin role itself: the organization's roles/editor for a service account fails it" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.status'), json_extract(value,'\$.message') FROM $FND WHERE json_extract(value,'\$.rule_id')='gcp-project-service-account-admin-role' AND json_extract(value,'\$.account')='acme-analytics-stage';")" \
    "fail|Project acme-analytics-stage grants roles/editor to service accounts"
check "no rule failed to evaluate" \
    test -z "$(jsonl_sql "$OUT" "SELECT 1 FROM $FND WHERE json_extract(value,'\$.status')='error' AND json_extract(value,'\$.rule_id') NOT LIKE 'gcp-collection-%';")"

# a well-configured project: the organization's contact covers every category; restricted, recent keys
# shellcheck disable=SC2086
run_parapet "$TMP/d" --plugin-dir "$PD" scan gcp --db "$TMP/d.db" $GCP_OPTS -o gcp.page_size=1 \
    -o gcp.projects=acme-analytics-dev -o gcp.services=apikeys,contacts,lb \
    --no-default-rules --rules "$top_srcdir/policies/gcp" --output "jsonl:$TMP/d.jsonl" -o jsonl.resources=true
expect_rc "$TMP/d" 0 "scan of the well-configured project"
same_lines "its contacts: its own, and the organization's marked inherited" \
    "$(jsonl_sql "$TMP/d.jsonl" "SELECT json_extract(c.value,'\$.email'), json_extract(c.value,'\$.inheritedFrom') FROM $RES r, json_each(json_extract(r.value,'\$.data.contacts')) c WHERE json_extract(r.value,'\$.type')='gcp.essentialcontacts.settings' ORDER BY 1;")" \
    "ops@acme.example|
security@acme.example|organizations/5550001"
same_lines "every new rule passes there" \
    "$(jsonl_sql "$TMP/d.jsonl" "SELECT json_extract(value,'\$.rule_id'), json_extract(value,'\$.status'), count(*) FROM $FND GROUP BY 1, 2 ORDER BY 1, 2;")" \
    "gcp-apikeys-key-for-unused-service|pass|2
gcp-apikeys-key-no-api-restriction|pass|2
gcp-apikeys-key-no-application-restriction|pass|2
gcp-apikeys-key-not-rotated|pass|2
gcp-compute-backend-service-logging-off|pass|2
gcp-compute-ssl-policy-weak|pass|1
gcp-compute-target-https-proxy-weak-tls|pass|2
gcp-compute-target-ssl-proxy-weak-tls|pass|2
gcp-essential-contacts-missing-categories|pass|1"
finish
