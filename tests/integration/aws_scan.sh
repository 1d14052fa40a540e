#!/bin/sh
# The aws plugin end to end: `parapet scan aws` against a local HTTPS AWS
# stand-in (tests/support/aws_mock.py) that answers every collected service
# in its wire format (query/EC2 XML, REST-XML, JSON 1.1, REST-JSON),
# paginates, throttles and denies, and verifies every request's SigV4
# signature with its own implementation. Isolation from AWS: aws_lib.sh
# (PARAPET_TEST=1 makes the plugin refuse to start without an endpoint
# override, checked below).
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"

. "$top_srcdir/tests/integration/aws_lib.sh"
aws_mock mock

# -- the guard: under PARAPET_TEST=1 no override means no start --
run_parapet "$TMP/guard" --plugin-dir "$PD" scan aws --db "$TMP/guard.db"
expect_rc "$TMP/guard" 2 "without an endpoint override under PARAPET_TEST=1"
check "the refusal says why" grep -q "never reach AWS" "$TMP/guard.err"
check "nothing was sent anywhere" test ! -s "$MOCKLOG"

# -- scan 1: one region, everything from env credentials --
run_parapet "$TMP/s1" --plugin-dir "$PD" scan aws --db "$TMP/s1.db" \
    -o aws.endpoint_url="$EP" -o aws.http.ca_file="$TMP/ca.pem" -o aws.regions=us-east-1 \
    --output "jsonl:$TMP/s1.jsonl" -o jsonl.resources=true
expect_rc "$TMP/s1" 0 "scan of the mock"
OUT="$TMP/s1.jsonl"

n_ok=$(grep -c '^OK ' "$MOCKLOG")
n_bad=$(grep -c '^SIGFAIL' "$MOCKLOG")
check "every request carried a valid SigV4 signature ($n_ok verified, $n_bad refused)" test "$n_bad" -eq 0
check "the mock verified at least 100 signed requests" test "$n_ok" -ge 100

same_lines "resource types and counts" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.type'), count(*) FROM $RES GROUP BY 1 ORDER BY 1;")" \
    "aws.accessanalyzer.region|1
aws.account.monitoring|1
aws.cloudtrail.trail|2
aws.config.region|1
aws.ec2.ebs_default_encryption|1
aws.ec2.instance|2
aws.ec2.network_acl|2
aws.ec2.security_group|3
aws.ec2.volume|1
aws.ec2.vpc|2
aws.efs.file_system|2
aws.eks.cluster|2
aws.guardduty.region|1
aws.iam.password_policy|1
aws.iam.policy|1
aws.iam.role|1
aws.iam.root_user|1
aws.iam.server_certificate|2
aws.iam.support_access|1
aws.iam.user|3
aws.kms.key|3
aws.lambda.function|2
aws.rds.db_instance|2
aws.rds.db_snapshot|2
aws.s3.bucket|3
aws.securityhub.region|1"

q() { jsonl_sql "$OUT" "SELECT $2 FROM $RES WHERE json_extract(value,'\$.uid')='$1';"; }
# pagination: all three security groups arrived over two pages after a throttling burst
same_lines "security groups over NextToken pages and a RequestLimitExceeded burst" \
    "$(resource_uids "$OUT" 'arn:aws:ec2:%:security-group/%')" \
    "arn:aws:ec2:us-east-1:123456789012:security-group/sg-00000000000000001
arn:aws:ec2:us-east-1:123456789012:security-group/sg-00000000000000002
arn:aws:ec2:us-east-1:123456789012:security-group/sg-00000000000000003"
check "EC2 throttling was retried" test "$(grep -c 'DescribeSecurityGroups 503' "$MOCKLOG")" -eq 2
SG2=arn:aws:ec2:us-east-1:123456789012:security-group/sg-00000000000000002
same_lines "ingress rule shape" \
    "$(q $SG2 "json_extract(value,'\$.data.ipPermissions[0].ipProtocol'), json_extract(value,'\$.data.ipPermissions[0].fromPort'), json_extract(value,'\$.data.ipPermissions[0].ipRanges[0].cidrIp'), json_extract(value,'\$.account'), json_extract(value,'\$.region')")" \
    "tcp|22|0.0.0.0/0|123456789012|us-east-1"
SG3=arn:aws:ec2:us-east-1:123456789012:security-group/sg-00000000000000003
same_lines "protocol -1 has no ports" \
    "$(q $SG3 "json_type(value,'\$.data.ipPermissions[0].fromPort') IS NULL, json_extract(value,'\$.data.ipPermissions[0].ipProtocol')")" "1|-1"
I1=arn:aws:ec2:us-east-1:123456789012:instance/i-0000000000000000a
I2=arn:aws:ec2:us-east-1:123456789012:instance/i-0000000000000000b
same_lines "instance metadata options and public address" \
    "$(q $I1 "json_extract(value,'\$.data.metadataOptions.httpTokens'), json_extract(value,'\$.data.publicIpAddress'), json_extract(value,'\$.data.state.name'), json_extract(value,'\$.name')")
$(q $I2 "json_extract(value,'\$.data.metadataOptions.httpTokens'), json_type(value,'\$.data.publicIpAddress')")" \
    "optional|198.51.100.17|running|web-a
required|null"

# IAM: ListUsers throttled once, then two Marker pages
same_lines "IAM users over Marker pages after a Throttling error" \
    "$(resource_uids "$OUT" 'arn:aws:iam::%:user/%')" \
    "arn:aws:iam::123456789012:user/alice
arn:aws:iam::123456789012:user/carol
arn:aws:iam::123456789012:user/dev/bob"
check "IAM throttling was retried" grep -q 'ListUsers 400' "$MOCKLOG"
ALICE=arn:aws:iam::123456789012:user/alice
same_lines "alice: MFA, key last use, decoded inline policy, groups" \
    "$(q $ALICE "json_array_length(value,'\$.data.mfaDevices'), json_extract(value,'\$.data.accessKeys[0].lastUsedDate'), json_extract(value,'\$.data.inlinePolicies[0].policyDocument.Statement[0].Action'), json_extract(value,'\$.data.groups[0]'), json_extract(value,'\$.data.passwordEnabled'), json_type(value,'\$.region')")" \
    "1|2026-02-01T00:00:00Z|*|admins|1|"
same_lines "bob: no MFA, a key never used; carol: no console password" \
    "$(q arn:aws:iam::123456789012:user/dev/bob "json_array_length(value,'\$.data.mfaDevices'), json_type(value,'\$.data.accessKeys[0].lastUsedDate')")
$(q arn:aws:iam::123456789012:user/carol "json_extract(value,'\$.data.passwordEnabled')")" \
    "0|null
0"
same_lines "role trust policy and customer policy document decoded" \
    "$(q arn:aws:iam::123456789012:role/vendor-support "json_extract(value,'\$.data.assumeRolePolicyDocument.Statement[0].Principal.AWS')")
$(q arn:aws:iam::123456789012:policy/acme-full-access "json_extract(value,'\$.data.policyDocument.Statement[0].Resource'), json_extract(value,'\$.data.attachmentCount')")" \
    "*
*|3"

# S3: ContinuationToken pages, region, ACL, policy, PAB, encryption, versioning, logging
same_lines "buckets over ContinuationToken pages, with their regions" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.name'), json_extract(value,'\$.region') FROM $RES WHERE json_extract(value,'\$.type')='aws.s3.bucket' ORDER BY 1;")" \
    "acme-logs|eu-west-1
acme-public|us-east-1
acme-secure|us-east-1"
same_lines "public bucket: AllUsers grant, public policy, no public access block, tags" \
    "$(q arn:aws:s3:::acme-public "json_extract(value,'\$.data.acl.grants[1].grantee.uri'), json_extract(value,'\$.data.acl.grants[1].grantee.type'), json_extract(value,'\$.data.policy.Statement[0].Principal'), json_extract(value,'\$.data.policyStatus.isPublic'), json_type(value,'\$.data.publicAccessBlock'), json_extract(value,'\$.tags.env'), json_extract(value,'\$.data.versioning.status'), json_type(value,'\$.data.encryption')")" \
    "http://acs.amazonaws.com/groups/global/AllUsers|Group|*|1|null|prod|Off|null"
same_lines "secure bucket: block, KMS, versioning, logging; denied policy left absent" \
    "$(q arn:aws:s3:::acme-secure "json_extract(value,'\$.data.publicAccessBlock.restrictPublicBuckets'), json_extract(value,'\$.data.encryption.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm'), json_extract(value,'\$.data.versioning.status'), json_extract(value,'\$.data.logging.targetBucket'), json_type(value,'\$.data.policy')")" \
    "1|aws:kms|Enabled|acme-logs|"
same_lines "object lock: enabled with its default retention on one bucket; not found means off, not an error" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.name'), json_extract(value,'\$.data.objectLock.enabled'), json_extract(value,'\$.data.objectLock.defaultRetention.mode'), json_extract(value,'\$.data.objectLock.defaultRetention.days'), json_type(value,'\$.data.objectLock.defaultRetention') FROM $RES WHERE json_extract(value,'\$.type')='aws.s3.bucket' ORDER BY 1;")" \
    "acme-logs|1|GOVERNANCE|30|object
acme-public|0|||null
acme-secure|0|||null"
check "object lock was read with GetObjectLockConfiguration" grep -q '^OK s3 GET /acme-logs object-lock= 200' "$MOCKLOG"
check "S3 SlowDown was retried" grep -q 'versioning= 503' "$MOCKLOG"
check "S3 used path-style addressing on the override" grep -q '^OK s3 GET /acme-public acl=' "$MOCKLOG"

same_lines "the denied bucket policy is an error finding naming the permission" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.rule_id'), json_extract(value,'\$.status'), json_extract(value,'\$.resource_uid'), json_extract(value,'\$.evidence.permission') FROM $FND ORDER BY 3;")" \
    "aws-collection-access-denied|error|arn:aws:s3:::acme-secure|s3:GetBucketPolicy"


# -- the JSON 1.1 and REST-JSON services and the CIS account controls --
j() { q "$1" "$2"; }
same_lines "CloudTrail: multi-region trail with validation, KMS, logs, status time from epoch seconds, advanced selectors" \
    "$(j arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail "json_extract(value,'\$.data.isMultiRegionTrail'), json_extract(value,'\$.data.logFileValidationEnabled'), json_extract(value,'\$.data.kmsKeyId') IS NOT NULL, json_extract(value,'\$.data.status.isLogging'), json_extract(value,'\$.data.status.latestDeliveryTime'), json_extract(value,'\$.data.advancedEventSelectors[1].fieldSelectors[1].equals[0]'), json_extract(value,'\$.region')")
$(j arn:aws:cloudtrail:us-east-1:123456789012:trail/local-trail "json_extract(value,'\$.data.isMultiRegionTrail'), json_type(value,'\$.data.kmsKeyId'), json_extract(value,'\$.data.status.isLogging'), json_extract(value,'\$.data.eventSelectors[0].readWriteType'), json_extract(value,'\$.data.eventSelectors[0].includeManagementEvents')")" \
    "1|1|1|1|2025-01-01T00:00:00Z|AWS::S3::Object|us-east-1
0|null|0|All|1"
same_lines "the trails' bucket (acme-logs, in eu-west-1) has no access logging" \
    "$(j arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail "json_extract(value,'\$.data.s3BucketAccessLogging')")" "0"
check "its logging was read in its own region, path-style" grep -q '^OK s3 GET /acme-logs logging= 200' "$MOCKLOG"
K=arn:aws:kms:us-east-1:123456789012:key
same_lines "KMS keys over Marker pages: aliases, rotation (null where it cannot rotate), decoded key policy" \
    "$(j $K/11111111-1111-1111-1111-111111111111 "json_extract(value,'\$.name'), json_extract(value,'\$.data.keyManager'), json_extract(value,'\$.data.keyRotationEnabled'), json_extract(value,'\$.data.creationDate'), json_extract(value,'\$.data.policy.Statement[0].Action')")
$(j $K/22222222-2222-2222-2222-222222222222 "json_extract(value,'\$.data.keyManager'), json_extract(value,'\$.data.keyRotationEnabled')")
$(j $K/33333333-3333-3333-3333-333333333333 "json_extract(value,'\$.data.keySpec'), json_type(value,'\$.data.keyRotationEnabled'), json_extract(value,'\$.data.policy.Statement[1].Principal')")" \
    "orders-db|CUSTOMER|0|2023-01-01T00:00:00Z|kms:*
AWS|1
RSA_2048|null|*"
check "rotation status is not asked for an asymmetric key" \
    test "$(grep -c 'GetKeyRotationStatus' "$MOCKLOG")" -eq 2
R=arn:aws:rds:us-east-1:123456789012
same_lines "RDS instances over Marker pages and manual snapshots with their restore attribute" \
    "$(j $R:db:erp-legacy "json_extract(value,'\$.data.publiclyAccessible'), json_extract(value,'\$.data.storageEncrypted'), json_type(value,'\$.data.kmsKeyId'), json_extract(value,'\$.data.backupRetentionPeriod'), json_extract(value,'\$.data.deletionProtection'), json_extract(value,'\$.data.endpoint.port'), json_extract(value,'\$.tags.team')")
$(j $R:db:orders "json_extract(value,'\$.data.publiclyAccessible'), json_extract(value,'\$.data.storageEncrypted'), json_extract(value,'\$.data.backupRetentionPeriod'), json_extract(value,'\$.data.deletionProtection')")
$(j $R:snapshot:erp-manual-1 "json_extract(value,'\$.data.public'), json_extract(value,'\$.data.encrypted'), json_array_length(value,'\$.data.restoreAccountIds')")
$(j $R:snapshot:orders-manual-1 "json_extract(value,'\$.data.public'), json_extract(value,'\$.data.encrypted'), json_extract(value,'\$.data.restoreAccountIds[0]')")" \
    "1|0|null|0|0|3306|erp
0|1|7|1
1|0|0
0|1|444455556666"
L=arn:aws:lambda:us-east-1:123456789012:function
same_lines "Lambda over NextMarker pages: runtime, URL auth type, resource policy, variable names only" \
    "$(j $L:legacy-py "json_extract(value,'\$.data.runtime'), json_extract(value,'\$.data.functionUrl.authType'), json_extract(value,'\$.data.policy.Statement[0].Principal'), json_extract(value,'\$.data.environmentVariableNames'), json_type(value,'\$.data.vpcConfig'), json_type(value,'\$.data.kmsKeyArn')")
$(j $L:api-handler "json_extract(value,'\$.data.runtime'), json_type(value,'\$.data.functionUrl'), json_type(value,'\$.data.policy'), json_extract(value,'\$.data.vpcConfig.vpcId'), json_extract(value,'\$.data.tracingConfig.mode')")" \
    "python2.7|NONE|*|[\"DB_PASSWORD\",\"STAGE\"]|null|null
python3.12|null|null|vpc-0000000000000001a|Active"
same_lines "Security Hub off (InvalidAccessException), an active analyzer, EFS over NextMarker pages" \
    "$(j arn:aws:securityhub:us-east-1:123456789012:hub/default "json_extract(value,'\$.data.enabled')")
$(j arn:aws:access-analyzer:us-east-1:123456789012:analyzers "json_extract(value,'\$.data.analyzers[0].status'), json_extract(value,'\$.data.analyzers[0].type')")
$(j arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0 "json_extract(value,'\$.data.encrypted'), json_type(value,'\$.data.kmsKeyId'), json_extract(value,'\$.data.creationTime'), json_extract(value,'\$.tags.Name')")
$(j arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0fedcba9876543210 "json_extract(value,'\$.data.encrypted'), json_extract(value,'\$.name')")" \
    "0
ACTIVE|ACCOUNT
0|null|2023-11-14T22:13:20Z|shared-home
1|ml-data"
check "no Lambda environment value is collected" sh -c "! grep -q hunter2-lambda-secret '$OUT'"
E=arn:aws:eks:us-east-1:123456789012:cluster
same_lines "EKS over nextToken pages: endpoint access, logging, secrets encryption" \
    "$(j $E/prod "json_extract(value,'\$.data.resourcesVpcConfig.endpointPublicAccess'), json_extract(value,'\$.data.resourcesVpcConfig.publicAccessCidrs[0]'), json_extract(value,'\$.data.logging.clusterLogging[0].enabled'), json_array_length(value,'\$.data.encryptionConfig'), json_extract(value,'\$.data.createdAt'), json_extract(value,'\$.tags.env')")
$(j $E/dev "json_extract(value,'\$.data.resourcesVpcConfig.endpointPublicAccess'), json_extract(value,'\$.data.encryptionConfig[0].resources[0]')")" \
    "1|0.0.0.0/0|0|0|2023-01-01T00:00:00Z|prod
0|secrets"
same_lines "root user from the credential report (after STARTED), account summary, virtual MFA" \
    "$(j arn:aws:iam::123456789012:root "json_extract(value,'\$.data.mfaActive'), json_extract(value,'\$.data.accessKey1Active'), json_extract(value,'\$.data.passwordLastUsed'), json_type(value,'\$.data.accessKey2LastUsedDate'), json_extract(value,'\$.data.virtualMfa'), json_extract(value,'\$.data.hardwareMfa'), json_extract(value,'\$.data.accountAccessKeysPresent'), json_type(value,'\$.region')")" \
    "1|1|2026-01-10T09:00:00+00:00|null|1|0|1|"
same_lines "IAM server certificates over Marker pages; who holds AWSSupportAccess" \
    "$(j arn:aws:iam::123456789012:server-certificate/legacy-www "json_extract(value,'\$.data.expiration'), json_type(value,'\$.region')")
$(j arn:aws:iam::123456789012:server-certificate/api-2030 "json_extract(value,'\$.data.expiration')")
$(j arn:aws:iam::123456789012:support-access "json_array_length(value,'\$.data.roles'), json_extract(value,'\$.data.users[0]')")" \
    "2020-01-01T00:00:00Z|
2030-01-01T00:00:00Z
0|alice"
check "the credential report was generated twice (STARTED, then COMPLETE)" \
    test "$(grep -c 'GenerateCredentialReport 200' "$MOCKLOG")" -eq 2
same_lines "monitoring: trails with S3 object logging, metric filters over nextToken pages with their alarms" \
    "$(j arn:aws:cloudtrail::123456789012:monitoring "json_extract(value,'\$.data.trails[0].s3ObjectWriteEvents'), json_extract(value,'\$.data.trails[0].s3ObjectReadEvents'), json_array_length(value,'\$.data.metricFilters'), json_extract(value,'\$.data.metricFilters[0].alarms[0].alarmActions[0]'), json_array_length(value,'\$.data.metricFilters[2].alarms[0].alarmActions')")" \
    "1|0|3|arn:aws:sns:us-east-1:123456789012:security|0"
same_lines "VPC flow logs, network ACL entries, EBS default encryption, Config, GuardDuty" \
    "$(j arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0000000000000001a "json_extract(value,'\$.data.flowLogs[0].flowLogStatus'), json_extract(value,'\$.name')")
$(j arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0000000000000002b "json_array_length(value,'\$.data.flowLogs'), json_extract(value,'\$.data.isDefault')")
$(j arn:aws:ec2:us-east-1:123456789012:network-acl/acl-0000000000000001a "json_extract(value,'\$.data.entries[0].cidrBlock'), json_extract(value,'\$.data.entries[0].portRange.from'), json_extract(value,'\$.data.entries[0].egress')")
$(j arn:aws:ec2:us-east-1:123456789012:ebs-default-encryption "json_extract(value,'\$.data.ebsEncryptionByDefault'), json_extract(value,'\$.data.kmsKeyId')")
$(j arn:aws:config:us-east-1:123456789012:recorders "json_extract(value,'\$.data.recorders[0].recording'), json_extract(value,'\$.data.recorders[0].recordingGroup.allSupported')")
$(j arn:aws:guardduty:us-east-1:123456789012:detectors "json_extract(value,'\$.data.detectors[0].status')")" \
    "ACTIVE|main
0|1
0.0.0.0/0|22|0
0|alias/aws/ebs
1|1
ENABLED"
check "no secret in the output or the logs" sh -c "! grep -q -e '$AWS_SECRET_ACCESS_KEY' -e 'itestTOKEN' '$OUT' '$TMP/s1.err' '$TMP/s1.out'"

# -- scan 2: regions discovered with DescribeRegions; volumes denied in eu-west-1 --
: >"$MOCKLOG"
run_parapet "$TMP/s2" --plugin-dir "$PD" scan aws --db "$TMP/s2.db" \
    -o aws.endpoint_url="$EP" -o aws.http.ca_file="$TMP/ca.pem" -o aws.services=ec2 \
    --output "jsonl:$TMP/s2.jsonl" -o jsonl.resources=true
expect_rc "$TMP/s2" 0 "scan with region discovery"
check "regions were discovered" grep -q 'DescribeRegions 200' "$MOCKLOG"
same_lines "instances from both enabled regions" \
    "$(jsonl_sql "$TMP/s2.jsonl" "SELECT json_extract(value,'\$.region'), count(*) FROM $RES WHERE json_extract(value,'\$.type')='aws.ec2.instance' GROUP BY 1 ORDER BY 1;")" \
    "eu-west-1|2
us-east-1|2"
same_lines "denied DescribeVolumes in eu-west-1 is one error finding" \
    "$(jsonl_sql "$TMP/s2.jsonl" "SELECT json_extract(value,'\$.evidence.permission'), json_extract(value,'\$.evidence.errorCode'), json_extract(value,'\$.region') FROM $FND;")" \
    "ec2:DescribeVolumes|UnauthorizedOperation|eu-west-1"
check "no signature failed in scan 2" test "$(grep -c '^SIGFAIL' "$MOCKLOG")" -eq 0

# -- the verifier itself refuses a forged signature (so the checks above can fail) --
if command -v curl >/dev/null 2>&1; then
    now=$(date -u +%Y%m%dT%H%M%SZ)
    code=$(curl -s -o "$TMP/forged.out" -w '%{http_code}' --cacert "$TMP/ca.pem" \
        -H "X-Amz-Date: $now" -H "X-Amz-Security-Token: $AWS_SESSION_TOKEN" \
        -H "Authorization: AWS4-HMAC-SHA256 Credential=$AWS_ACCESS_KEY_ID/${now%%T*}/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=0000000000000000000000000000000000000000000000000000000000000000" \
        --data 'Action=GetCallerIdentity&Version=2011-06-15' "$EP/")
    check "a forged signature is refused by the mock (HTTP $code)" test "$code" = 403
    check "and logged as SIGFAIL" grep -q '^SIGFAIL' "$MOCKLOG"
fi

# -- wrong credentials: the scan fails with a clear message, nothing collected --
AWS_SECRET_ACCESS_KEY=wrongSECRETwrongSECRETwrongSECRET0000 run_parapet "$TMP/s3" --plugin-dir "$PD" scan aws \
    --db "$TMP/s3.db" -o aws.endpoint_url="$EP" -o aws.http.ca_file="$TMP/ca.pem" -o aws.regions=us-east-1
expect_rc "$TMP/s3" 2 "scan with a wrong secret"
check "the failure names GetCallerIdentity" grep -q "GetCallerIdentity" "$TMP/s3.err"
check "the wrong secret is not printed" sh -c "! grep -q wrongSECRET '$TMP/s3.err' '$TMP/s3.out'"

finish
