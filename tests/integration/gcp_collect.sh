#!/bin/sh
# The gcp collectors end to end: `parapet scan gcp` against the local
# Google stand-in (tests/support/gcp_mock.py --scenario estate) with every
# service, one item per page (so every list is paged with nextPageToken),
# then the project's GCP rule pack over what was collected: a user sees
# each resource type, the misconfigured resources failing the right rules,
# the well-configured ones passing, and no secret of the APIs' answers
# (GKE basic-auth password and client key, node and VM startup scripts,
# project SSH keys) anywhere in the output.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"
. "$top_srcdir/tests/integration/gcp_lib.sh"
gcp_start estate

# shellcheck disable=SC2086
run_parapet "$TMP/s" --plugin-dir "$PD" scan gcp --db "$TMP/s.db" $GCP_OPTS -o gcp.page_size=1 \
    --no-default-rules --rules "$top_srcdir/policies/gcp" --output "jsonl:$TMP/s.jsonl" -o jsonl.resources=true
expect_rc "$TMP/s" 0 "scan of every service with the GCP rule pack (no --fail-on)"
OUT="$TMP/s.jsonl"
same_lines "every collected type, in the one project projects:search returned" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.type'), json_extract(value,'\$.account'), count(*) FROM $RES GROUP BY 1, 2 ORDER BY 1, 2;")" \
    "gcp.apikeys.key|acme-analytics-prod|4
gcp.bigquery.dataset|acme-analytics-prod|2
gcp.compute.backend_service|acme-analytics-prod|2
gcp.compute.firewall|acme-analytics-prod|2
gcp.compute.instance|acme-analytics-prod|2
gcp.compute.network|acme-analytics-prod|3
gcp.compute.project|acme-analytics-prod|1
gcp.compute.ssl_policy|acme-analytics-prod|3
gcp.compute.subnetwork|acme-analytics-prod|2
gcp.compute.target_https_proxy|acme-analytics-prod|3
gcp.compute.target_ssl_proxy|acme-analytics-prod|2
gcp.container.cluster|acme-analytics-prod|1
gcp.dns.managed_zone|acme-analytics-prod|3
gcp.essentialcontacts.settings|acme-analytics-prod|1
gcp.iam.service_account|acme-analytics-prod|2
gcp.iam.service_account_key|acme-analytics-prod|2
gcp.kms.crypto_key|acme-analytics-prod|2
gcp.project|acme-analytics-prod|1
gcp.sql.instance|acme-analytics-prod|2
gcp.storage.bucket|acme-analytics-prod|2"
for p in /v2/projects/acme-analytics-prod/sinks /v2/projects/acme-analytics-prod/metrics \
    /compute/v1/projects/acme-analytics-prod/global/networks /compute/v1/projects/acme-analytics-prod/aggregated/subnetworks \
    /v1/projects/acme-analytics-prod/instances /dns/v1/projects/acme-analytics-prod/managedZones \
    /bigquery/v2/projects/acme-analytics-prod/datasets /v1/projects/acme-analytics-prod/locations; do
    n=$(grep -c "^GET $p 200\$" "$MOCK_LOG")
    check "$p was read over several pages ($n)" test "$n" -ge 2
done
check "the project IAM policy was asked for with requestedPolicyVersion 3" grep -q '^POST /v1/projects/acme-analytics-prod:getIamPolicy 200$' "$MOCK_LOG"

q() { jsonl_sql "$OUT" "SELECT $2 FROM $RES WHERE json_extract(value,'\$.type')='$1' AND json_extract(value,'\$.name')='$3';"; }
same_lines "the project: number, parent, audit configs, sinks, metrics and which of them alert" \
    "$(q gcp.project "json_extract(value,'\$.data.projectNumber'), json_extract(value,'\$.data.parent'), json_array_length(value,'\$.data.iamPolicy.auditConfigs'), json_array_length(value,'\$.data.logSinks'), json_extract(value,'\$.data.logMetrics[0].alerting'), json_extract(value,'\$.data.logMetrics[1].alerting'), json_type(value,'\$.data.iamPolicy.etag')" acme-analytics-prod)" \
    "418203957712|organizations/5550001|0|2|1|0|"
same_lines "GKE: masterAuth reduced to what is configured" \
    "$(q gcp.container.cluster "json_extract(value,'\$.data.masterAuth.basicAuthEnabled'), json_extract(value,'\$.data.masterAuth.clientCertificateIssued'), json_type(value,'\$.data.masterAuth.password'), json_type(value,'\$.data.privateClusterConfig')" gke-0)" \
    "1|1||null"
same_lines "Compute project metadata: only the security keys" \
    "$(q gcp.compute.project "json_array_length(value,'\$.data.commonInstanceMetadata.items'), json_extract(value,'\$.data.commonInstanceMetadata.items[0].key')" acme-analytics-prod)" \
    "1|enable-oslogin"
same_lines "KMS key: location as region, ring/key as name, rotation null when unset" \
    "$(q gcp.kms.crypto_key "json_extract(value,'\$.region'), json_type(value,'\$.data.rotationPeriod'), json_extract(value,'\$.data.iamPolicy.bindings[0].members[0]')" data/key-0)" \
    "europe-west1|null|allAuthenticatedUsers"
for s in GKE-BASIC-AUTH-SECRET LS0tKEY-SECRET NODE-SECRET hunter2 AAAAPROJECTKEY 'BEGIN CERTIFICATE' ya29.mock 'PRIVATE KEY'; do
    check "'$s' is nowhere in the output or logs" sh -c "! grep -q -F -e '$s' '$OUT' '$TMP/s.err' '$TMP/s.out'"
done

# status RULE NAME: the finding of RULE on the resource named NAME
status() {
    jsonl_sql "$OUT" "SELECT json_extract(f.value,'\$.status') FROM $FND f, $RES r
        WHERE json_extract(f.value,'\$.rule_id')='$1' AND json_extract(r.value,'\$.name')='$2'
          AND json_extract(f.value,'\$.resource_uid')=json_extract(r.value,'\$.uid');"
}
while read -r rule name want; do
    got=$(status "$rule" "$name")
    check "$rule on $name: $want (got ${got:-no finding})" test "$got" = "$want"
done <<'RULES'
gcp-project-personal-account-member acme-analytics-prod fail
gcp-project-service-account-admin-role acme-analytics-prod fail
gcp-project-service-account-user-at-project-level acme-analytics-prod fail
gcp-project-data-access-audit-logs-off acme-analytics-prod fail
gcp-project-no-sink-for-all-logs acme-analytics-prod fail
gcp-project-no-alert-firewall-changes acme-analytics-prod pass
gcp-project-no-alert-route-changes acme-analytics-prod fail
gcp-compute-project-oslogin-off acme-analytics-prod fail
gcp-compute-network-default-exists default fail
gcp-compute-network-default-exists vpc-1 pass
gcp-compute-network-legacy legacy-net fail
gcp-compute-subnetwork-flow-logs-off subnet-0 fail
gcp-compute-subnetwork-flow-logs-off subnet-1 pass
gcp-compute-instance-ip-forwarding vm-0 fail
gcp-compute-instance-ip-forwarding vm-1 pass
gcp-compute-instance-project-ssh-keys-allowed vm-0 fail
gcp-compute-instance-disk-google-managed-key vm-0 fail
gcp-compute-instance-disk-google-managed-key vm-1 pass
gcp-compute-instance-serial-port-enabled vm-0 fail
gcp-sql-instance-open-to-internet db-0 fail
gcp-sql-instance-open-to-internet db-1 pass
gcp-sql-postgres-log-connections-off db-0 fail
gcp-gke-cluster-legacy-abac-on gke-0 fail
gcp-gke-cluster-private-nodes-off gke-0 fail
gcp-gke-cluster-legacy-client-auth gke-0 fail
gcp-gke-cluster-shielded-nodes-off gke-0 pass
gcp-dns-zone-dnssec-off unsigned fail
gcp-dns-zone-dnssec-off zone-1 pass
gcp-dns-zone-rsasha1-key-signing zone-0 fail
gcp-kms-key-rotation-over-90-days data/key-0 fail
gcp-kms-key-rotation-over-90-days data/key-1 pass
gcp-kms-key-public data/key-0 fail
gcp-bigquery-dataset-public ds_0 fail
gcp-bigquery-dataset-public ds_1 pass
gcp-bigquery-dataset-google-managed-key ds_0 fail
gcp-storage-bucket-public acme-analytics-prod-data-0 fail
gcp-storage-bucket-retention-not-locked acme-analytics-prod-data-0 fail
gcp-storage-bucket-retention-not-locked acme-analytics-prod-data-1 pass
gcp-iam-service-account-key-not-rotated app-0@acme-analytics-prod.iam.gserviceaccount.com/00000000 fail
RULES
check "no rule failed to evaluate" \
    test -z "$(jsonl_sql "$OUT" "SELECT 1 FROM $FND WHERE json_extract(value,'\$.status')='error';")"
finish
