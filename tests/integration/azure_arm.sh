#!/bin/sh
# The azure plugin's ARM side end to end: `parapet scan azure` against a
# local HTTPS stand-in for Entra ID and Resource Manager
# (tests/support/azure_mock.py, test CA) that checks client secrets,
# verifies RS256 client assertions against the client certificate, serves
# the managed-identity endpoint, paginates with nextLink, throttles with
# 429 + Retry-After, and denies one list with AuthorizationFailed.
#
# Never reaches Azure: every endpoint is overridden to 127.0.0.1, and
# PARAPET_TEST=1 makes the plugin refuse to start without the overrides.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"

need python3 "apt-get install python3"
need openssl "apt-get install openssl"

AZURE_SO="$top_builddir/plugins/azure/.libs/azure.so"
[ -f "$AZURE_SO" ] || { echo "FAIL: $AZURE_SO is not built" >&2; exit 1; }
PD=$(plugin_dir plugins)
ln -sf "$AZURE_SO" "$PD/azure.so"

for v in $(env | sed -n 's/^\(AZURE_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
unset IDENTITY_ENDPOINT IDENTITY_HEADER
PARAPET_TEST=1
TENANT=11111111-2222-3333-4444-555555555555
CLIENT=aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee
MOCK_SECRET="itestSECRET~$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')+/="
# the storage account key the mock's listKeys hands out (64 random bytes, base64, as Azure's)
MOCK_STORAGE_KEY=$(head -c 64 /dev/urandom | base64 | tr -d '\n')
export PARAPET_TEST MOCK_SECRET MOCK_STORAGE_KEY
SUB_A=00000000-0000-0000-0000-00000000000a
SUB_B=00000000-0000-0000-0000-00000000000b

# -- a test CA with a server certificate for 127.0.0.1, and a client certificate (key + cert in one PEM) --
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/ca.key" -out "$TMP/ca.pem" -days 2 \
    -subj "/CN=parapet azure test CA" >/dev/null 2>&1 || { echo "FAIL: openssl CA" >&2; exit 1; }
openssl req -newkey rsa:2048 -nodes -keyout "$TMP/srv.key" -out "$TMP/srv.csr" -subj "/CN=127.0.0.1" \
    >/dev/null 2>&1 || { echo "FAIL: openssl CSR" >&2; exit 1; }
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$TMP/san.ext"
openssl x509 -req -in "$TMP/srv.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" -CAcreateserial \
    -out "$TMP/srv.pem" -days 2 -extfile "$TMP/san.ext" >/dev/null 2>&1 || { echo "FAIL: openssl sign" >&2; exit 1; }
for c in client other; do
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/$c.key" -out "$TMP/$c.crt" -days 2 \
        -subj "/CN=parapet-$c" >/dev/null 2>&1 || { echo "FAIL: openssl client cert" >&2; exit 1; }
    cat "$TMP/$c.key" "$TMP/$c.crt" >"$TMP/$c.pem"
    chmod 600 "$TMP/$c.pem"
done
# a PEM whose key does not match its certificate
cat "$TMP/other.key" "$TMP/client.crt" >"$TMP/mismatch.pem"
chmod 600 "$TMP/mismatch.pem"

start_mock() { # NAME [extra args]: start a mock, set EP
    _n=$1
    shift
    python3 "$top_srcdir/tests/support/azure_mock.py" --cert "$TMP/srv.pem" --key "$TMP/srv.key" \
        --port-file "$TMP/$_n.port" --log "$TMP/$_n.log" --tenant $TENANT --client-id $CLIENT \
        --secret-env MOCK_SECRET --client-cert "$TMP/client.crt" "$@" 2>"$TMP/$_n.err" &
    CLEANUP_PIDS="$CLEANUP_PIDS $!"
    _i=0
    while [ ! -s "$TMP/$_n.port" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
    [ -s "$TMP/$_n.port" ] || { echo "FAIL: the mock did not start: $(cat "$TMP/$_n.err")" >&2; exit 1; }
    EP="https://127.0.0.1:$(cat "$TMP/$_n.port")"
}
start_mock m1
LOG1="$TMP/m1.log"
ENDPOINTS="-o azure.arm_endpoint=$EP -o azure.authority_host=$EP -o azure.http.ca_file=$TMP/ca.pem"

# -- the guard: under PARAPET_TEST=1 no override means no start --
run_parapet "$TMP/guard" --plugin-dir "$PD" scan azure --db "$TMP/guard.db"
expect_rc "$TMP/guard" 2 "without endpoint overrides under PARAPET_TEST=1"
check "the refusal says why" grep -q "never reach Azure" "$TMP/guard.err"
check "nothing was sent anywhere" test ! -s "$LOG1"

# -- scan 1: client secret from the AZURE_* environment, every subscription, every service --
# shellcheck disable=SC2086
AZURE_TENANT_ID=$TENANT AZURE_CLIENT_ID=$CLIENT AZURE_CLIENT_SECRET=$MOCK_SECRET \
    run_parapet "$TMP/s1" --plugin-dir "$PD" -v scan azure --db "$TMP/s1.db" $ENDPOINTS \
    --output "jsonl:$TMP/s1.jsonl" -o jsonl.resources=true
expect_rc "$TMP/s1" 0 "scan with a client secret from the environment"
OUT="$TMP/s1.jsonl"
check "one token served the whole scan" test "$(grep -c '^TOKEN secret OK' "$LOG1")" -eq 1
check "no ARM call was refused for its token" test "$(grep -c ' 401$' "$LOG1")" -eq 0
same_lines "resource types and counts (2 enabled subscriptions; the disabled one skipped)" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.type'), count(*) FROM $RES GROUP BY 1 ORDER BY 1;")" \
    "azure.aks.cluster|2
azure.authorization.role_assignment|2
azure.authorization.role_definition|2
azure.compute.disk|2
azure.compute.vm|4
azure.keyvault.key|2
azure.keyvault.secret|1
azure.keyvault.vault|1
azure.monitor.activity_log_alert|4
azure.monitor.activity_log_monitoring|2
azure.monitor.diagnostic_setting|2
azure.mysql.flexible_server|2
azure.network.flow_log|2
azure.network.nsg|4
azure.network.watcher|3
azure.network.watcher_coverage|2
azure.postgresql.flexible_server|2
azure.resource_group|4
azure.security.auto_provisioning|2
azure.security.contact|2
azure.security.pricing|4
azure.sql.database|2
azure.sql.server|2
azure.storage.account|6
azure.storage.blob_service|2
azure.storage.container|8
azure.storage.queue_service|2
azure.subscription|2
azure.web.site|2"
same_lines "subscriptions over two nextLink pages" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.uid'), json_extract(value,'\$.name') FROM $RES WHERE json_extract(value,'\$.type')='azure.subscription' ORDER BY 1;")" \
    "/subscriptions/$SUB_A|acme-prod
/subscriptions/$SUB_B|acme-dev"
check "the throttled storage list was retried after Retry-After (once per subscription)" \
    test "$(grep -c 'storageAccounts 429$' "$LOG1")" -eq 2
check "a low x-ms-ratelimit-remaining-subscription-reads slowed the scan down" \
    grep -q "ARM read budget low (5 left)" "$TMP/s1.err"
SA="/subscriptions/$SUB_A/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/acmepublic"
q() { jsonl_sql "$OUT" "SELECT $2 FROM $RES WHERE json_extract(value,'\$.uid')='$1';"; }
same_lines "storage account: envelope, ARM body, blob service" \
    "$(q "$SA" "json_extract(value,'\$.account'), json_extract(value,'\$.region'), json_extract(value,'\$.name'), json_extract(value,'\$.tags.owner'), json_extract(value,'\$.data.properties.allowBlobPublicAccess'), json_extract(value,'\$.data.properties.minimumTlsVersion'), json_extract(value,'\$.data.blobServices.properties.deleteRetentionPolicy.enabled'), json_type(value,'\$.data.id'), json_type(value,'\$.data.blobServices.id')")" \
    "$SUB_A|westeurope|acmepublic|web|1|TLS1_0|0||"
same_lines "container from ARM in the same shape as the data plane's" \
    "$(q "$SA/blobServices/default/containers/web" "json_extract(value,'\$.data.properties.publicAccess'), json_extract(value,'\$.data.storageAccount')")" \
    "Container|acmepublic"
NSG="/subscriptions/$SUB_A/resourceGroups/rg-net/providers/Microsoft.Network/networkSecurityGroups/nsg-web"
same_lines "NSG: custom rules kept, default rules dropped; second page arrived" \
    "$(q "$NSG" "json_extract(value,'\$.data.properties.securityRules[0].properties.destinationPortRange'), json_type(value,'\$.data.properties.defaultSecurityRules')")
$(resource_uids "$OUT" "/subscriptions/$SUB_A/%/nsg-db")" \
    "22|
/subscriptions/$SUB_A/resourceGroups/rg-net/providers/Microsoft.Network/networkSecurityGroups/nsg-db"
KV="/subscriptions/$SUB_A/resourceGroups/rg-data/providers/Microsoft.KeyVault/vaults/kv-acme"
same_lines "Key Vault: purge protection never enabled is null" \
    "$(q "$KV" "json_type(value,'\$.data.properties.enablePurgeProtection'), json_extract(value,'\$.data.properties.enableSoftDelete')")" \
    "null|1"
VM="/subscriptions/$SUB_A/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines"
same_lines "VMs: identity and securityProfile collected, or null when ARM leaves them out; disk unattached" \
    "$(q "$VM/vm-web" "json_extract(value,'\$.data.identity.type'), json_extract(value,'\$.data.properties.securityProfile.encryptionAtHost'), json_extract(value,'\$.data.properties.osProfile.linuxConfiguration.disablePasswordAuthentication')")
$(q "$VM/vm-old" "json_type(value,'\$.data.identity'), json_type(value,'\$.data.properties.securityProfile')")
$(q "/subscriptions/$SUB_A/resourceGroups/rg-app/providers/Microsoft.Compute/disks/disk-loose" "json_type(value,'\$.data.managedBy'), json_extract(value,'\$.data.properties.encryption.type')")" \
    "SystemAssigned|1|0
null|null
null|EncryptionAtRestWithPlatformKey"
APP="/subscriptions/$SUB_A/resourceGroups/rg-app/providers/Microsoft.Web/sites/app-shop"
AKS="/subscriptions/$SUB_A/resourceGroups/rg-app/providers/Microsoft.ContainerService/managedClusters/aks-prod"
same_lines "App Service with its web config; AKS; a Defender plan" \
    "$(q "$APP" "json_extract(value,'\$.data.properties.httpsOnly'), json_extract(value,'\$.data.config.properties.minTlsVersion'), json_extract(value,'\$.data.config.properties.ftpsState')")
$(q "$AKS" "json_extract(value,'\$.data.properties.enableRBAC'), json_extract(value,'\$.data.properties.apiServerAccessProfile.enablePrivateCluster'), json_type(value,'\$.data.properties.networkProfile.networkPolicy')")
$(q "/subscriptions/$SUB_A/providers/Microsoft.Security/pricings/VirtualMachines" "json_extract(value,'\$.data.properties.pricingTier'), json_extract(value,'\$.account')")" \
    "0|1.0|AllAllowed
1|0|null
Free|$SUB_A"
SQL="/subscriptions/$SUB_A/resourceGroups/rg-data/providers/Microsoft.Sql/servers/sql-acme"
same_lines "SQL server: firewall rules, auditing, no Entra ID admin (null)" \
    "$(q "$SQL" "json_extract(value,'\$.data.firewallRules[0].properties.endIpAddress'), json_extract(value,'\$.data.auditingSettings.properties.state'), json_type(value,'\$.data.administrators')")" \
    "255.255.255.255|Disabled|null"
same_lines "SQL database (master skipped) with its TDE state" \
    "$(q "$SQL/databases/orders" "json_extract(value,'\$.data.transparentDataEncryption.properties.state'), json_extract(value,'\$.data.server'), json_type(value,'\$.data.transparentDataEncryption.id')")" \
    "Disabled|sql-acme|"
same_lines "denials are error findings naming the permission: the Key Vault list, and listKeys of acmepublic" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.rule_id'), json_extract(value,'\$.status'), json_extract(value,'\$.resource_uid'), json_extract(value,'\$.evidence.permission'), json_extract(value,'\$.evidence.errorCode') FROM $FND ORDER BY 3;")" \
    "azure-collection-access-denied|error|$SA|Microsoft.Storage/storageAccounts/listkeys/action|AuthorizationFailed
azure-collection-access-denied|error|/subscriptions/$SUB_B|Microsoft.KeyVault/vaults/read|AuthorizationFailed
azure-collection-access-denied|error|/subscriptions/$SUB_B/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/acmepublic|Microsoft.Storage/storageAccounts/listkeys/action|AuthorizationFailed"
check "no secret or token in the output or the logs" \
    sh -c "! grep -q -F -e '$MOCK_SECRET' -e 'mocktok-' '$OUT' '$TMP/s1.err' '$TMP/s1.out'"
check "the storage account key from listKeys is in no output, log or store" \
    sh -c "! grep -q -F -e '$MOCK_STORAGE_KEY' '$OUT' '$TMP/s1.err' '$TMP/s1.out' '$TMP/s1.db'"

# -- listKeys -> the Blob data plane of acmeprivate (the mock checks each Shared Key signature) --
SP="/subscriptions/$SUB_A/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/acmeprivate"
check "listKeys was throttled once (429 + Retry-After) and retried" \
    sh -c "grep -q 'listKeys 429\$' '$LOG1' && test \$(grep -c 'acmeprivate/listKeys 200\$' '$LOG1') -eq 2"
check "every data-plane request carried a valid Shared Key signature" \
    sh -c "test \$(grep -c '^BLOB .* 200\$' '$LOG1') -eq 8 && ! grep -q '^BLOB .* 403\$' '$LOG1'"
same_lines "blob service logging and containers of acmeprivate from the data plane, under ARM ids" \
    "$(q "$SP/blobServices/default" "json_extract(value,'\$.type'), json_extract(value,'\$.account'), json_extract(value,'\$.region'), json_extract(value,'\$.data.properties.logging.read'), json_extract(value,'\$.data.properties.logging.write'), json_extract(value,'\$.data.storageAccount')")
$(q "$SP/blobServices/default/containers/site" "json_extract(value,'\$.data.properties.publicAccess'), json_extract(value,'\$.region')")
$(q "$SP/blobServices/default/containers/backups" "json_extract(value,'\$.data.properties.publicAccess'), json_extract(value,'\$.data.properties.leaseState')")
$(q "$SP/queueServices/default" "json_extract(value,'\$.type'), json_extract(value,'\$.data.properties.logging.read'), json_extract(value,'\$.data.properties.logging.delete'), json_extract(value,'\$.data.properties.logging.retentionPolicy.days')")" \
    "azure.storage.blob_service|$SUB_A|westeurope|0|1|acmeprivate
Blob|westeurope
None|Available
azure.storage.queue_service|1|0|30"
same_lines "table service logging of acmeprivate (Table Shared Key layout) in the account; none for acmepublic" \
    "$(q "$SP" "json_extract(value,'\$.data.tableServiceProperties.logging.read'), json_extract(value,'\$.data.tableServiceProperties.logging.write'), json_extract(value,'\$.data.tableServiceProperties.logging.delete'), json_extract(value,'\$.data.tableServiceProperties.logging.version'), json_type(value,'\$.data.tableServiceProperties.hourMetrics')")
$(q "$SA" "json_type(value,'\$.data.tableServiceProperties')")" \
    "1|1|0|1.0|
"
same_lines "storage key policy, SAS policy and key creation times as ARM returns them" \
    "$(q "$SP" "json_extract(value,'\$.data.properties.keyPolicy.keyExpirationPeriodInDays'), json_extract(value,'\$.data.properties.sasPolicy.sasExpirationPeriod'), json_type(value,'\$.data.properties.keyCreationTime.key1')")
$(q "$SA" "json_type(value,'\$.data.properties.sasPolicy'), json_type(value,'\$.data.properties.keyCreationTime.key2')")" \
    "90|0.01:00:00|text
|text"
APPB="/subscriptions/$SUB_B/resourceGroups/rg-app/providers/Microsoft.Web/sites/app-shop"
same_lines "App Service authentication, FTP/SCM basic authentication policies, client certificate mode" \
    "$(q "$APP" "json_extract(value,'\$.data.authSettingsV2.properties.platform.enabled'), json_extract(value,'\$.data.authSettingsV2.properties.globalValidation.unauthenticatedClientAction'), json_extract(value,'\$.data.basicPublishingCredentialsPolicies.ftp.properties.allow'), json_extract(value,'\$.data.basicPublishingCredentialsPolicies.scm.properties.allow'), json_extract(value,'\$.data.properties.clientCertMode'), json_type(value,'\$.data.basicPublishingCredentialsPolicies.ftp.id')")
$(q "$APPB" "json_extract(value,'\$.data.authSettingsV2.properties.platform.enabled'), json_extract(value,'\$.data.basicPublishingCredentialsPolicies.ftp.properties.allow'), json_extract(value,'\$.data.basicPublishingCredentialsPolicies.scm.properties.allow'), json_extract(value,'\$.data.properties.clientCertMode')")" \
    "0|AllowAnonymous|1|1|Optional|
1|0|0|Required"
check "identity provider registrations of authsettingsV2 are not kept" \
    sh -c "! grep -q -e 'app-client-id-xyz' -e 'MICROSOFT_PROVIDER_AUTHENTICATION_SECRET' -e identityProviders '$OUT'"
same_lines "Network Watcher coverage from complete lists (resources over two pages, 'global' left out)" \
    "$(q "/subscriptions/$SUB_A/providers/Microsoft.Network/networkWatcherCoverage" "json_extract(value,'\$.data.resourceRegions'), json_extract(value,'\$.data.watcherRegions'), json_extract(value,'\$.data.regionsWithoutWatcher'), json_type(value,'\$.region')")
$(q "/subscriptions/$SUB_B/providers/Microsoft.Network/networkWatcherCoverage" "json_extract(value,'\$.data.watcherRegions'), json_extract(value,'\$.data.regionsWithoutWatcher')")" \
    "[\"westeurope\",\"northeurope\"]|[\"westeurope\"]|[\"northeurope\"]|
[\"westeurope\",\"northeurope\"]|[]"
check "acmeprivate's containers were not listed through ARM as well" \
    sh -c "! grep -q 'acmeprivate/blobServices/default/containers ' '$LOG1'"
check "a forged blob endpoint (user info pointing elsewhere) is not used: no listKeys for it, its containers via ARM" \
    sh -c "! grep -q 'acmehostile/listKeys' '$LOG1' && grep -q 'acmehostile/blobServices/default/containers 200\$' '$LOG1' && grep -q 'acmehostile: the blob endpoint is neither https nor local' '$TMP/s1.err'"

# -- the collectors added for CIS Azure 3.0 --
W="/subscriptions/$SUB_A/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope"
same_lines "flow log of a Network Watcher; VM extensions; SQL Defender and TDE protector" \
    "$(q "$W/flowLogs/fl-nsg-web" "json_extract(value,'\$.data.properties.retentionPolicy.days'), json_extract(value,'\$.data.properties.enabled'), json_extract(value,'\$.data.properties.targetResourceId') LIKE '%/nsg-web'")
$(q "$VM/vm-web" "json_extract(value,'\$.data.extensions[0].name'), json_extract(value,'\$.data.extensions[0].properties.publisher'), json_type(value,'\$.data.extensions[0].type')")
$(q "$SQL" "json_extract(value,'\$.data.securityAlertPolicies.properties.state'), json_extract(value,'\$.data.encryptionProtector.properties.serverKeyType'), json_type(value,'\$.data.encryptionProtector.id')")" \
    "30|1|1
AzureMonitorAgent|Microsoft.Azure.Monitor|
Disabled|ServiceManaged|"
same_lines "Key Vault keys and secrets: metadata only, expiry when set, the vault's RBAC mode" \
    "$(q "$KV/keys/cmk" "json_extract(value,'\$.data.properties.attributes.exp'), json_extract(value,'\$.data.vault'), json_extract(value,'\$.data.vaultRbacAuthorization')")
$(q "$KV/keys/old" "json_type(value,'\$.data.properties.attributes.exp')")
$(q "$KV/secrets/db-password" "json_type(value,'\$.data.properties.attributes.exp'), json_type(value,'\$.data.properties.value'), json_extract(value,'\$.data.properties.contentType')")" \
    "1800000000|kv-acme|0

||text/plain"
PG="/subscriptions/$SUB_A/resourceGroups/rg-data/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-orders"
same_lines "PostgreSQL parameters over two pages, only those the rules read; MySQL" \
    "$(q "$PG" "json_array_length(value,'\$.data.configurations'), json_extract(value,'\$.data.configurations[0].name'), json_extract(value,'\$.data.configurations[1].name'), json_extract(value,'\$.data.configurations[2].name'), json_extract(value,'\$.data.configurations[2].properties.value'), json_type(value,'\$.data.configurations[2].properties.description')")
$(q "/subscriptions/$SUB_A/resourceGroups/rg-data/providers/Microsoft.DBforMySQL/flexibleServers/mysql-shop" "json_extract(value,'\$.data.configurations[0].name'), json_extract(value,'\$.data.configurations[0].properties.value')")" \
    "3|require_secure_transport|log_checkpoints|log_connections|off|
require_secure_transport|OFF"
same_lines "custom role, security contact, auto provisioning; the monitoring summary counts only enabled alerts" \
    "$(q "/subscriptions/$SUB_A/providers/Microsoft.Authorization/roleDefinitions/rd-admin" "json_extract(value,'\$.data.properties.roleName'), json_extract(value,'\$.data.properties.permissions[0].actions[0]')")
$(q "/subscriptions/$SUB_A/providers/Microsoft.Security/securityContacts/default" "json_extract(value,'\$.data.properties.alertNotifications.state')")
$(q "/subscriptions/$SUB_A/providers/Microsoft.Security/autoProvisioningSettings/default" "json_extract(value,'\$.data.properties.autoProvision')")
$(q "/subscriptions/$SUB_A/providers/Microsoft.Insights/activityLogMonitoring" "json_extract(value,'\$.data.activityLogAlerts'), json_extract(value,'\$.data.alertOperations'), json_extract(value,'\$.data.diagnosticSettings'), json_extract(value,'\$.data.exportedCategories')")" \
    "acme-sub-admin|*
Off
Off
2|[\"microsoft.network/networksecuritygroups/write\"]|1|[\"administrative\"]"

# -- azure.storage_list_keys=false: no listKeys, containers through ARM only --
: >"$LOG1"
# shellcheck disable=SC2086
AZURE_TENANT_ID=$TENANT AZURE_CLIENT_ID=$CLIENT AZURE_CLIENT_SECRET=$MOCK_SECRET \
    run_parapet "$TMP/s1b" --plugin-dir "$PD" scan azure --db "$TMP/s1b.db" $ENDPOINTS \
    -o azure.subscriptions=$SUB_A -o azure.services=storage -o azure.storage_list_keys=false \
    --output "jsonl:$TMP/s1b.jsonl" -o jsonl.resources=true
expect_rc "$TMP/s1b" 0 "scan with azure.storage_list_keys=false"
check "no key was asked for and no data-plane call made" sh -c "! grep -q -e '^POST ' -e '^BLOB ' '$LOG1'"
same_lines "containers from ARM only, no blob service resource, no denial finding" \
    "$(jsonl_sql "$TMP/s1b.jsonl" "SELECT json_extract(value,'\$.type'), count(*) FROM $RES GROUP BY 1 ORDER BY 1;")
$(jsonl_sql "$TMP/s1b.jsonl" "SELECT count(*) FROM $FND;")" \
    "azure.storage.account|3
azure.storage.container|3
0"

# -- scan 2: client certificate (RS256 assertion verified by the mock), one subscription, one service --
: >"$LOG1"
# shellcheck disable=SC2086
run_parapet "$TMP/s2" --plugin-dir "$PD" scan azure --db "$TMP/s2.db" $ENDPOINTS \
    -o azure.tenant_id=$TENANT -o azure.client_id=$CLIENT -o azure.client_certificate="file:$TMP/client.pem" \
    -o azure.subscriptions=$SUB_A -o azure.services=storage --output "jsonl:$TMP/s2.jsonl" -o jsonl.resources=true
expect_rc "$TMP/s2" 0 "scan with a client certificate"
check "the mock verified the client assertion" grep -q '^TOKEN assertion OK' "$LOG1"
check "no assertion was refused" sh -c "! grep -q 'TOKEN assertion FAIL' '$LOG1'"
same_lines "only the configured subscription and service" \
    "$(jsonl_sql "$TMP/s2.jsonl" "SELECT json_extract(value,'\$.type'), json_extract(value,'\$.account'), count(*) FROM $RES GROUP BY 1, 2 ORDER BY 1;")" \
    "azure.storage.account|$SUB_A|3
azure.storage.blob_service|$SUB_A|1
azure.storage.container|$SUB_A|4
azure.storage.queue_service|$SUB_A|1"

# -- scan 3: a certificate the application does not have: the assertion's signature fails --
: >"$LOG1"
# shellcheck disable=SC2086
run_parapet "$TMP/s3" --plugin-dir "$PD" scan azure --db "$TMP/s3.db" $ENDPOINTS \
    -o azure.tenant_id=$TENANT -o azure.client_id=$CLIENT -o azure.client_certificate="file:$TMP/other.pem" \
    -o azure.subscriptions=$SUB_A -o azure.services=storage
expect_rc "$TMP/s3" 2 "scan with an unknown certificate"
check "the mock refused it (x5t or signature)" grep -q '^TOKEN assertion FAIL' "$LOG1"
check "the error carries Entra ID's code" grep -q "invalid_client: AADSTS700027" "$TMP/s3.err"
# shellcheck disable=SC2086
run_parapet "$TMP/s3b" --plugin-dir "$PD" scan azure --db "$TMP/s3b.db" $ENDPOINTS \
    -o azure.tenant_id=$TENANT -o azure.client_id=$CLIENT -o azure.client_certificate="file:$TMP/mismatch.pem"
expect_rc "$TMP/s3b" 2 "scan with a key that does not match its certificate"
check "the error says so" grep -q "does not belong to the certificate" "$TMP/s3b.err"

# -- the mock's verifier itself refuses a forged assertion (right x5t, wrong signature), so the checks above can fail --
if command -v curl >/dev/null 2>&1; then
    : >"$LOG1"
    FORGED=$(python3 - "$TMP/client.crt" "$EP/$TENANT/oauth2/v2.0/token" "$CLIENT" <<'PY'
import base64, hashlib, json, os, ssl, sys, time
pem = open(sys.argv[1]).read()
der = ssl.PEM_cert_to_DER_cert(pem)
b = lambda x: base64.urlsafe_b64encode(x).rstrip(b"=").decode()
h = b(json.dumps({"alg": "RS256", "typ": "JWT", "x5t": b(hashlib.sha1(der).digest())}).encode())
now = int(time.time())
c = b(json.dumps({"aud": sys.argv[2], "iss": sys.argv[3], "sub": sys.argv[3], "jti": "x", "nbf": now,
                  "exp": now + 600}).encode())
print(h + "." + c + "." + b(os.urandom(256)))
PY
)
    code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$TMP/ca.pem" \
        --data-urlencode grant_type=client_credentials --data-urlencode client_id=$CLIENT \
        --data-urlencode scope=https://management.azure.com/.default \
        --data-urlencode client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
        --data-urlencode "client_assertion=$FORGED" "$EP/$TENANT/oauth2/v2.0/token")
    check "a forged assertion is refused by the mock (HTTP $code)" test "$code" = 401
    check "because its signature does not verify" grep -q 'TOKEN assertion FAIL signature does not verify' "$LOG1"
fi

# -- scan 4: managed identity through the (overridden) instance metadata service --
: >"$LOG1"
# shellcheck disable=SC2086
run_parapet "$TMP/s4" --plugin-dir "$PD" scan azure --db "$TMP/s4.db" $ENDPOINTS -o azure.auth=msi \
    -o azure.imds_endpoint="$EP" -o azure.services=resources --output "jsonl:$TMP/s4.jsonl" -o jsonl.resources=true
expect_rc "$TMP/s4" 0 "scan with a managed identity"
check "the token came from the metadata endpoint" test "$(grep -c '^TOKEN msi OK' "$LOG1")" -eq 1
same_lines "subscriptions and resource groups" \
    "$(jsonl_sql "$TMP/s4.jsonl" "SELECT json_extract(value,'\$.type'), count(*) FROM $RES GROUP BY 1 ORDER BY 1;")" \
    "azure.resource_group|4
azure.subscription|2"

# -- scan 4b: scope = a management group (its descendants' subscriptions only) --
# shellcheck disable=SC2086
run_parapet "$TMP/s4b" --plugin-dir "$PD" scan azure --db "$TMP/s4b.db" $ENDPOINTS -o azure.auth=msi \
    -o azure.imds_endpoint="$EP" -o azure.management_group=mg-acme -o azure.services=resources \
    --output "jsonl:$TMP/s4b.jsonl" -o jsonl.resources=true
expect_rc "$TMP/s4b" 0 "scan of a management group"
same_lines "only the subscription under the management group's child" \
    "$(jsonl_sql "$TMP/s4b.jsonl" "SELECT DISTINCT json_extract(value,'\$.account') FROM $RES;")" "$SUB_B"

# -- scan 5: a wrong client secret: a clear error, nothing printed of the secret --
WRONG="wrongSECRET$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
# shellcheck disable=SC2086
AZURE_TENANT_ID=$TENANT AZURE_CLIENT_ID=$CLIENT AZURE_CLIENT_SECRET=$WRONG \
    run_parapet "$TMP/s5" --plugin-dir "$PD" scan azure --db "$TMP/s5.db" $ENDPOINTS
expect_rc "$TMP/s5" 2 "scan with a wrong client secret"
check "the error names the token request and Entra ID's code" grep -q "token request.*invalid_client" "$TMP/s5.err"
check "the wrong secret is not printed" sh -c "! grep -q -F -e '$WRONG' '$TMP/s5.err' '$TMP/s5.out'"

# -- scan 6: tokens that expire within the refresh margin are renewed before use --
start_mock m2 --token-lifetime 300
# shellcheck disable=SC2086
AZURE_TENANT_ID=$TENANT AZURE_CLIENT_ID=$CLIENT AZURE_CLIENT_SECRET=$MOCK_SECRET \
    run_parapet "$TMP/s6" --plugin-dir "$PD" scan azure --db "$TMP/s6.db" \
    -o azure.arm_endpoint="$EP" -o azure.authority_host="$EP" -o azure.http.ca_file="$TMP/ca.pem" \
    -o azure.subscriptions=$SUB_A -o azure.services=resources
expect_rc "$TMP/s6" 0 "scan with short-lived tokens"
n_tok=$(grep -c '^TOKEN secret OK' "$TMP/m2.log")
n_get=$(grep -c '^GET ' "$TMP/m2.log")
check "a token valid for only 300 s was renewed before each of the $n_get calls ($n_tok tokens)" \
    test "$n_tok" -eq "$n_get"
check "and no call went out with an expired token" test "$(grep -c ' 401$' "$TMP/m2.log")" -eq 0

# -- scan 6b: Resources - List denied: the watchers are collected, but no coverage is claimed --
EP_SAVED=$EP
start_mock m3 --deny-resource-list
# shellcheck disable=SC2086
AZURE_TENANT_ID=$TENANT AZURE_CLIENT_ID=$CLIENT AZURE_CLIENT_SECRET=$MOCK_SECRET \
    run_parapet "$TMP/s6b" --plugin-dir "$PD" scan azure --db "$TMP/s6b.db" \
    -o azure.arm_endpoint="$EP" -o azure.authority_host="$EP" -o azure.http.ca_file="$TMP/ca.pem" \
    -o azure.subscriptions=$SUB_A -o azure.services=network --output "jsonl:$TMP/s6b.jsonl" -o jsonl.resources=true
expect_rc "$TMP/s6b" 0 "network scan with Resources - List denied"
same_lines "watchers collected, no Network Watcher coverage, one denial naming the permission" \
    "$(jsonl_sql "$TMP/s6b.jsonl" "SELECT json_extract(value,'\$.type'), count(*) FROM $RES WHERE json_extract(value,'\$.type') LIKE 'azure.network.watcher%' GROUP BY 1 ORDER BY 1;")
$(jsonl_sql "$TMP/s6b.jsonl" "SELECT json_extract(value,'\$.rule_id'), json_extract(value,'\$.evidence.permission') FROM $FND;")" \
    "azure.network.watcher|1
azure-collection-access-denied|Microsoft.Resources/subscriptions/resources/read"
EP=$EP_SAVED

# -- the project's Azure rule pack judges what was collected (shapes as the rules expect them) --
if [ -d "$top_srcdir/policies/azure" ]; then
    # shellcheck disable=SC2086
    AZURE_TENANT_ID=$TENANT AZURE_CLIENT_ID=$CLIENT AZURE_CLIENT_SECRET=$MOCK_SECRET \
        run_parapet "$TMP/s7" --plugin-dir "$PD" scan azure --db "$TMP/s7.db" --rules "$top_srcdir/policies/azure" \
        -o azure.arm_endpoint="$EP" -o azure.authority_host="$EP" -o azure.http.ca_file="$TMP/ca.pem" \
        -o azure.subscriptions=$SUB_A --output "jsonl:$TMP/s7.jsonl"
    check "scan with the Azure rule pack ran" test "$RC" -eq 0 -o "$RC" -eq 1
    F7="SELECT json_extract(value,'\$.status') FROM $FND WHERE json_extract(value,'\$.rule_id')='%s' AND json_extract(value,'\$.resource_uid') LIKE '%%/%s';"
    same_lines "public storage account, open NSG, open SQL firewall, no purge protection fail; the private account passes" \
        "$(jsonl_sql "$TMP/s7.jsonl" "$(printf "$F7" azure-storage-account-blob-public-access acmepublic)")
$(jsonl_sql "$TMP/s7.jsonl" "$(printf "$F7" azure-storage-account-blob-public-access acmeprivate)")
$(jsonl_sql "$TMP/s7.jsonl" "$(printf "$F7" azure-nsg-ssh-open-to-internet nsg-web)")
$(jsonl_sql "$TMP/s7.jsonl" "$(printf "$F7" azure-sql-server-firewall-open-to-internet sql-acme)")
$(jsonl_sql "$TMP/s7.jsonl" "$(printf "$F7" azure-keyvault-purge-protection-off kv-acme)")" \
        "fail
pass
fail
fail
fail"
    # the rules added for CIS Azure 3.0, on the shapes the collectors produce (one line per rule and resource)
    got=""
    for pair in azure-storage-account-cross-tenant-replication:acmepublic azure-storage-account-cross-tenant-replication:acmeprivate \
        azure-storage-container-public:site azure-storage-container-public:backups azure-storage-blob-logging-incomplete:default \
        azure-storage-queue-logging-incomplete:default \
        azure-network-flow-log-retention-short:fl-nsg-web azure-keyvault-key-no-expiry:old azure-keyvault-key-no-expiry:cmk \
        azure-keyvault-secret-no-expiry:db-password azure-keyvault-logging-off:kv-acme azure-sql-server-threat-detection-off:sql-acme \
        azure-sql-database-tde-off:orders azure-postgresql-flexible-ssl-not-enforced:pg-orders \
        azure-postgresql-flexible-log-connections-off:pg-orders azure-mysql-flexible-ssl-not-enforced:mysql-shop \
        azure-web-app-ftp-allowed:app-shop azure-aks-rbac-off:aks-prod azure-aks-no-network-policy:aks-prod \
        azure-defender-servers-off:VirtualMachines azure-defender-storage-off:StorageAccounts \
        azure-security-contact-no-email:default azure-security-auto-provisioning-off:default \
        azure-monitor-no-alert-nsg-write:activityLogMonitoring azure-monitor-no-alert-nsg-delete:activityLogMonitoring \
        azure-custom-role-subscription-owner:rd-admin azure-vm-trusted-launch-off:vm-old \
        azure-storage-table-logging-incomplete:acmeprivate azure-storage-account-keys-not-rotated:acmepublic \
        azure-storage-account-keys-not-rotated:acmeprivate azure-storage-account-sas-expiration-policy-missing:acmepublic \
        azure-storage-account-sas-expiration-policy-missing:acmeprivate azure-web-app-authentication-off:app-shop \
        azure-web-app-ftp-basic-auth-on:app-shop azure-web-app-scm-basic-auth-on:app-shop \
        azure-web-app-client-certificates-off:app-shop azure-network-watcher-region-missing:networkWatcherCoverage; do
        got="$got${got:+
}${pair%%:*} ${pair#*:} $(jsonl_sql "$TMP/s7.jsonl" "$(printf "$F7" "${pair%%:*}" "${pair#*:}")" | tr '\n' ' ')"
    done
    same_lines "the CIS Azure 3.0 rules judge the collected resources" "$got" \
        "azure-storage-account-cross-tenant-replication acmepublic fail 
azure-storage-account-cross-tenant-replication acmeprivate pass 
azure-storage-container-public site fail 
azure-storage-container-public backups pass 
azure-storage-blob-logging-incomplete default fail 
azure-storage-queue-logging-incomplete default fail 
azure-network-flow-log-retention-short fl-nsg-web fail 
azure-keyvault-key-no-expiry old fail 
azure-keyvault-key-no-expiry cmk pass 
azure-keyvault-secret-no-expiry db-password fail 
azure-keyvault-logging-off kv-acme fail 
azure-sql-server-threat-detection-off sql-acme fail 
azure-sql-database-tde-off orders fail 
azure-postgresql-flexible-ssl-not-enforced pg-orders pass 
azure-postgresql-flexible-log-connections-off pg-orders fail 
azure-mysql-flexible-ssl-not-enforced mysql-shop fail 
azure-web-app-ftp-allowed app-shop fail 
azure-aks-rbac-off aks-prod pass 
azure-aks-no-network-policy aks-prod fail 
azure-defender-servers-off VirtualMachines fail 
azure-defender-storage-off StorageAccounts pass 
azure-security-contact-no-email default fail 
azure-security-auto-provisioning-off default fail 
azure-monitor-no-alert-nsg-write activityLogMonitoring pass 
azure-monitor-no-alert-nsg-delete activityLogMonitoring fail 
azure-custom-role-subscription-owner rd-admin fail 
azure-vm-trusted-launch-off vm-old fail 
azure-storage-table-logging-incomplete acmeprivate fail 
azure-storage-account-keys-not-rotated acmepublic fail 
azure-storage-account-keys-not-rotated acmeprivate pass 
azure-storage-account-sas-expiration-policy-missing acmepublic fail 
azure-storage-account-sas-expiration-policy-missing acmeprivate pass 
azure-web-app-authentication-off app-shop fail 
azure-web-app-ftp-basic-auth-on app-shop fail 
azure-web-app-scm-basic-auth-on app-shop fail 
azure-web-app-client-certificates-off app-shop fail 
azure-network-watcher-region-missing networkWatcherCoverage fail "
    check "no rule failed to evaluate on the collected shapes" \
        test -z "$(jsonl_sql "$TMP/s7.jsonl" "SELECT 1 FROM $FND WHERE json_extract(value,'\$.status')='error' AND json_extract(value,'\$.rule_id')!='azure-collection-access-denied';")"
fi

finish
