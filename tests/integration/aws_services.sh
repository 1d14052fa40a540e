#!/bin/sh
# SNS, SQS, Secrets Manager, ELBv2, ACM, IAM groups and identity providers,
# EBS snapshots and AMIs end to end: `parapet scan aws` against the local
# HTTPS mock (tests/support/aws_mock.py + aws_mock_services.py), which
# verifies every SigV4 signature and answers in each service's own wire
# protocol (query XML, EC2 XML, JSON 1.0 for SQS, JSON 1.1), paginating every
# list. Checked: what was collected and its shape, the rules a user relies on
# (policies/aws), an AccessDenied call, malformed answers, and that no secret
# value was ever asked for.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"
. "$top_srcdir/tests/integration/aws_lib.sh"

SERVICES=sns,sqs,secretsmanager,elbv2,acm,iam_groups,ebs_images
A=123456789012
types() { jsonl_sql "$1" "SELECT json_extract(value,'\$.type'), count(*) FROM $RES GROUP BY 1 ORDER BY 1;"; }

# ---------------------------------------------------------------- scan 1: the estate
AWS_MOCK_SERVICES=estate aws_mock m1
aws_scan s1 -o aws.regions=us-east-1,eu-west-1 -o aws.services=$SERVICES \
    --no-default-rules --rules "$top_srcdir/policies/aws"
expect_rc "$TMP/s1" 0 "scan of the seven services"
OUT="$TMP/s1.jsonl"
check "every request carried a valid SigV4 signature" test "$(grep -c '^SIGFAIL' "$MOCKLOG")" -eq 0
check "the signatures were verified (at least 60 requests)" test "$(grep -c '^OK ' "$MOCKLOG")" -ge 60
check "the plugin never asked for a secret's value" sh -c "! grep -q '^SECRETVALUE' '$MOCKLOG'"

same_lines "resource types and counts" "$(types "$OUT")" \
    "aws.acm.certificate|3
aws.ec2.image|2
aws.ec2.snapshot|3
aws.elbv2.load_balancer|3
aws.iam.group|3
aws.iam.oidc_provider|2
aws.iam.saml_provider|2
aws.secretsmanager.secret|3
aws.sns.topic|3
aws.sqs.queue|3"

q() { jsonl_sql "$OUT" "SELECT $2 FROM $RES WHERE json_extract(value,'\$.uid')='$1';"; }
calls() { grep -c "^OK $1 [a-z0-9-]* $2 200" "$MOCKLOG"; }

# pagination: every list needed more than one page (the mock pages small)
same_lines "pages per list call (both regions; us-east-1 holds the data)" \
    "sns ListTopics $(calls sns ListTopics)
sqs ListQueues $(calls sqs ListQueues)
secretsmanager ListSecrets $(calls secretsmanager ListSecrets)
acm ListCertificates $(calls acm ListCertificates)
elb DescribeLoadBalancers $(calls elasticloadbalancing DescribeLoadBalancers)
elb DescribeListeners $(calls elasticloadbalancing DescribeListeners)
iam ListGroups $(calls iam ListGroups)
iam GetGroup $(calls iam GetGroup)
ec2 DescribeSnapshots $(calls ec2 DescribeSnapshots)
ec2 DescribeImages $(calls ec2 DescribeImages)" \
    "sns ListTopics 3
sqs ListQueues 3
secretsmanager ListSecrets 4
acm ListCertificates 3
elb DescribeLoadBalancers 4
elb DescribeListeners 5
iam ListGroups 2
iam GetGroup 4
ec2 DescribeSnapshots 3
ec2 DescribeImages 3"
same_lines "regional resources carry their region, IAM ones none" \
    "$(jsonl_sql "$OUT" "SELECT DISTINCT json_extract(value,'\$.type') LIKE 'aws.iam.%', ifnull(json_extract(value,'\$.region'),'-'), json_extract(value,'\$.account') FROM $RES ORDER BY 1;")" \
    "0|us-east-1|$A
1|-|$A"

# SNS (query XML): the policy is decoded from the attribute map; no KMS key is null
T1=arn:aws:sns:us-east-1:$A:alerts-public
T2=arn:aws:sns:us-east-1:$A:billing.fifo
same_lines "SNS topics: policy decoded, KMS key, FIFO, counts" \
    "$(q $T1 "json_extract(value,'\$.data.policy.Statement[0].Principal.AWS'), json_type(value,'\$.data.kmsMasterKeyId'), json_extract(value,'\$.data.subscriptionsConfirmed'), json_extract(value,'\$.name')")
$(q $T2 "json_extract(value,'\$.data.kmsMasterKeyId') LIKE 'arn:aws:kms:%', json_extract(value,'\$.data.fifoTopic'), json_extract(value,'\$.data.owner')")" \
    "*|null|2|alerts-public
1|1|$A"

# SQS (JSON 1.0; the mock refuses any other content type)
Q1=arn:aws:sqs:us-east-1:$A:orders-queue
Q2=arn:aws:sqs:us-east-1:$A:partner-inbox
check "SQS was called with AmazonSQS.* over JSON 1.0" test "$(calls sqs GetQueueAttributes)" -eq 3
check "a queue deleted between the list and its attributes is skipped quietly" \
    sh -c "grep -q '^OK sqs us-east-1 GetQueueAttributes 400' '$MOCKLOG' && ! grep -q 'sqs:GetQueueAttributes' '$TMP/s1.err'"
same_lines "SQS queues: SSE-KMS, SSE-SQS, redrive policy, decoded policy, typed numbers" \
    "$(q $Q1 "json_extract(value,'\$.data.kmsMasterKeyId'), json_extract(value,'\$.data.sqsManagedSseEnabled'), json_extract(value,'\$.data.redrivePolicy.maxReceiveCount'), json_extract(value,'\$.data.policy.Statement[0].Condition.ArnEquals.aws:SourceArn'), json_extract(value,'\$.data.visibilityTimeout'), json_extract(value,'\$.data.createdTimestamp')")
$(q $Q2 "json_type(value,'\$.data.kmsMasterKeyId'), json_extract(value,'\$.data.sqsManagedSseEnabled'), json_extract(value,'\$.data.queueUrl')")" \
    "alias/orders-sqs|0|5|arn:aws:sns:us-east-1:$A:orders-events|30|2023-11-14T22:13:20Z
null|1|https://sqs.us-east-1.amazonaws.com/$A/partner-inbox"

# Secrets Manager (JSON 1.1): metadata and resource policy, never the value
S1=arn:aws:secretsmanager:us-east-1:$A:secret:db-master-AbCdEf
S2=arn:aws:secretsmanager:us-east-1:$A:secret:legacy-api-key-XyZ123
same_lines "secrets: rotation, last rotation as RFC 3339, KMS key, tags, policy" \
    "$(q $S1 "json_extract(value,'\$.data.rotationEnabled'), json_extract(value,'\$.data.rotationRules.automaticallyAfterDays'), json_extract(value,'\$.data.lastRotatedDate') GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z', json_extract(value,'\$.data.createdDate'), json_extract(value,'\$.tags.team'), json_extract(value,'\$.data.policy.Statement[0].Principal.AWS')")
$(q $S2 "json_extract(value,'\$.data.rotationEnabled'), json_type(value,'\$.data.lastRotatedDate'), json_type(value,'\$.data.kmsKeyId'), json_extract(value,'\$.data.policy.Statement[0].Principal')")" \
    "1|30|1|2020-09-13T12:26:40Z|orders|arn:aws:iam::111122223333:role/app
0|null|null|*"

# ELBv2 (query XML): listeners over Marker pages, redirect, TLS policy, attributes
L1=arn:aws:elasticloadbalancing:us-east-1:$A:loadbalancer/app/public-web/50dc6c495c0c9188
L2=arn:aws:elasticloadbalancing:us-east-1:$A:loadbalancer/app/shop/6d0ecf831eec9f09
L3=arn:aws:elasticloadbalancing:us-east-1:$A:loadbalancer/net/internal-tcp/73e2d6bc24d8a067
same_lines "load balancers: listeners, redirect, TLS policy, logs, deletion protection" \
    "$(q $L1 "json_array_length(value,'\$.data.listeners'), json_extract(value,'\$.data.listeners[0].protocol'), json_extract(value,'\$.data.listeners[0].defaultActions[0].type'), json_extract(value,'\$.data.listeners[1].sslPolicy'), json_extract(value,'\$.data.accessLogs.enabled'), json_extract(value,'\$.data.deletionProtectionEnabled'), json_extract(value,'\$.data.scheme')")
$(q $L2 "json_extract(value,'\$.data.listeners[0].defaultActions[0].redirectConfig.protocol'), json_extract(value,'\$.data.listeners[0].defaultActions[0].redirectConfig.port'), json_extract(value,'\$.data.accessLogs.bucket'), json_extract(value,'\$.data.dropInvalidHeaderFieldsEnabled')")
$(q $L3 "json_extract(value,'\$.data.type'), json_type(value,'\$.data.dropInvalidHeaderFieldsEnabled'), json_type(value,'\$.data.listeners[0].sslPolicy')")" \
    "2|HTTP|forward|ELBSecurityPolicy-2016-08|0|0|internet-facing
HTTPS|443|acme-logs|1
network|null|null"

# ACM (JSON 1.1): the RSA 1024 certificate is only listed when every key type is asked for
C2=arn:aws:acm:us-east-1:$A:certificate/22222222-aaaa-4bbb-8ccc-000000000002
C3=arn:aws:acm:us-east-1:$A:certificate/33333333-aaaa-4bbb-8ccc-000000000003
same_lines "certificates: key algorithm, use, renewal, expiry as RFC 3339" \
    "$(q $C2 "json_extract(value,'\$.data.keyAlgorithm'), json_extract(value,'\$.data.type'), json_extract(value,'\$.data.inUse'), json_extract(value,'\$.data.renewalEligibility'), json_extract(value,'\$.data.notAfter') GLOB '[0-9][0-9][0-9][0-9]-*Z', json_extract(value,'\$.name')")
$(q $C3 "json_extract(value,'\$.data.status'), json_extract(value,'\$.data.inUse'), json_type(value,'\$.data.renewalStatus')")" \
    "RSA_1024|IMPORTED|1|INELIGIBLE|1|legacy.example.com
EXPIRED|0|null"

# IAM groups (members over two GetGroup pages), inline documents decoded; providers
G2=arn:aws:iam::$A:group/ops
same_lines "groups: members, attached and decoded inline policies" \
    "$(q arn:aws:iam::$A:group/admins "json_extract(value,'\$.data.attachedManagedPolicies[0].policyArn'), json_array_length(value,'\$.data.users'), json_type(value,'\$.region')")
$(q $G2 "json_array_length(value,'\$.data.users'), json_extract(value,'\$.data.users[2].userName'), json_extract(value,'\$.data.inlinePolicies[0].policyDocument.Statement[0].Action')")" \
    "arn:aws:iam::aws:policy/AdministratorAccess|1|
3|dave|*"
same_lines "SAML and OIDC providers" \
    "$(q arn:aws:iam::$A:saml-provider/old-adfs "json_extract(value,'\$.name'), json_extract(value,'\$.data.validUntil') GLOB '[0-9]*Z'")
$(q arn:aws:iam::$A:oidc-provider/token.actions.githubusercontent.com "json_extract(value,'\$.name'), json_extract(value,'\$.data.clientIdList[0]'), json_array_length(value,'\$.data.thumbprintList')")
$(q arn:aws:iam::$A:oidc-provider/oidc.example.com/auth "json_array_length(value,'\$.data.clientIdList')")" \
    "old-adfs|1
token.actions.githubusercontent.com|sts.amazonaws.com|1
0"

# EBS snapshots and AMIs owned by the account (Owner.1=self) with their permissions
same_lines "snapshots: public, shared, encrypted" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.uid'), json_extract(value,'\$.data.public'), json_extract(value,'\$.data.sharedWithAccounts'), json_extract(value,'\$.data.encrypted'), json_extract(value,'\$.tags.Name') FROM $RES WHERE json_extract(value,'\$.type')='aws.ec2.snapshot' ORDER BY 1;")" \
    "arn:aws:ec2:us-east-1::snapshot/snap-0000000000000000a|1|[]|0|a-snap
arn:aws:ec2:us-east-1::snapshot/snap-0000000000000000b|0|[\"444455556666\"]|1|b-snap
arn:aws:ec2:us-east-1::snapshot/snap-0000000000000000c|0|[]|1|c-snap"
same_lines "images: launch permissions and block devices" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.name'), json_extract(value,'\$.data.public'), json_extract(value,'\$.data.isPublic'), json_extract(value,'\$.data.blockDeviceMappings[0].ebs.snapshotId'), json_extract(value,'\$.data.imdsSupport') FROM $RES WHERE json_extract(value,'\$.type')='aws.ec2.image' ORDER BY 1;")" \
    "db-base-2025|0|0|snap-0000000000000000c|v2.0
web-golden-2024|1|1|snap-0000000000000000a|v2.0"

# the rules a user would check, on the collected resources
st() { jsonl_sql "$OUT" "SELECT json_extract(value,'\$.status') FROM $FND WHERE json_extract(value,'\$.rule_id')='$1' AND json_extract(value,'\$.resource_uid')='$2';"; }
same_lines "rule verdicts on the collected resources" \
    "sns public $(st aws-sns-topic-policy-public $T1) / $(st aws-sns-topic-policy-public arn:aws:sns:us-east-1:$A:orders-events)
sns kms $(st aws-sns-topic-not-encrypted $T1) / $(st aws-sns-topic-not-encrypted $T2)
sqs public $(st aws-sqs-queue-policy-public arn:aws:sqs:us-east-1:$A:jobs-open) / $(st aws-sqs-queue-policy-public $Q1)
sqs cross-account $(st aws-sqs-queue-policy-cross-account $Q2) / $(st aws-sqs-queue-policy-cross-account $Q1)
sqs unencrypted $(st aws-sqs-queue-unencrypted arn:aws:sqs:us-east-1:$A:jobs-open) / $(st aws-sqs-queue-unencrypted $Q2)
secret rotation $(st aws-secretsmanager-rotation-disabled $S2) / $(st aws-secretsmanager-rotation-disabled $S1)
secret overdue $(st aws-secretsmanager-rotation-overdue arn:aws:secretsmanager:us-east-1:$A:secret:stale-rotation-QwErTy) / $(st aws-secretsmanager-rotation-overdue $S1)
secret public $(st aws-secretsmanager-secret-policy-public $S2) / $(st aws-secretsmanager-secret-policy-public $S1)
elb http $(st aws-elbv2-listener-http-without-redirect $L1) / $(st aws-elbv2-listener-http-without-redirect $L2)
elb tls $(st aws-elbv2-listener-outdated-tls-policy $L1) / $(st aws-elbv2-listener-outdated-tls-policy $L2)
elb logs $(st aws-elbv2-internet-facing-no-access-logs $L1) / $(st aws-elbv2-internet-facing-no-access-logs $L2) / $(st aws-elbv2-internet-facing-no-access-logs $L3)-
acm key $(st aws-acm-certificate-weak-key $C2) / $(st aws-acm-certificate-weak-key arn:aws:acm:us-east-1:$A:certificate/11111111-aaaa-4bbb-8ccc-000000000001)
acm soon $(st aws-acm-certificate-expiring-soon $C2) / $(st aws-acm-certificate-expiring-soon arn:aws:acm:us-east-1:$A:certificate/11111111-aaaa-4bbb-8ccc-000000000001)
acm expired $(st aws-acm-certificate-expiring-soon $C3) / $(st aws-acm-certificate-expired-in-use $C3)-
group admin $(st aws-iam-group-admin-policy arn:aws:iam::$A:group/admins) / $(st aws-iam-group-admin-policy $G2)
group inline $(st aws-iam-group-inline-full-admin $G2) / $(st aws-iam-group-inline-full-admin arn:aws:iam::$A:group/readers)
saml $(st aws-iam-saml-provider-metadata-expired arn:aws:iam::$A:saml-provider/old-adfs) / $(st aws-iam-saml-provider-metadata-expired arn:aws:iam::$A:saml-provider/okta)
oidc $(st aws-iam-oidc-provider-no-audience arn:aws:iam::$A:oidc-provider/oidc.example.com/auth)
snapshot public $(st aws-ec2-snapshot-public arn:aws:ec2:us-east-1::snapshot/snap-0000000000000000a) / $(st aws-ec2-snapshot-public arn:aws:ec2:us-east-1::snapshot/snap-0000000000000000b)
snapshot unencrypted $(st aws-ec2-snapshot-unencrypted arn:aws:ec2:us-east-1::snapshot/snap-0000000000000000a)
image public $(st aws-ec2-image-public arn:aws:ec2:us-east-1::image/ami-0000000000000000a) / $(st aws-ec2-image-public arn:aws:ec2:us-east-1::image/ami-0000000000000000b)" \
    "sns public fail / pass
sns kms fail / pass
sqs public fail / pass
sqs cross-account fail / pass
sqs unencrypted fail / pass
secret rotation fail / pass
secret overdue fail / pass
secret public fail / pass
elb http fail / pass
elb tls fail / pass
elb logs fail / pass / -
acm key fail / pass
acm soon fail / pass
acm expired fail / -
group admin fail / pass
group inline fail / pass
saml fail / pass
oidc fail
snapshot public fail / pass
snapshot unencrypted fail
image public fail / pass"
errors=$(jsonl_sql "$OUT" "SELECT count(*) FROM $FND WHERE json_extract(value,'\$.status')='error';")
check "no rule errored on the collected resources ($errors)" test "$errors" -eq 0
check "no secret in the output or the logs" \
    sh -c "! grep -q -e '$AWS_SECRET_ACCESS_KEY' -e itestTOKEN '$OUT' '$TMP/s1.err' '$TMP/s1.out'"

# ---------------------------------------------------------------- scan 2: denials and malformed answers
AWS_MOCK_SERVICES=estate,deny-sns,deny-policy,deny-groups,bad-acm,bad-elb aws_mock m2
aws_scan s2 -o aws.regions=us-east-1 -o aws.services=$SERVICES
expect_rc "$TMP/s2" 2 "a scan with denied calls and malformed answers (partial)"
OUT="$TMP/s2.jsonl"
same_lines "sns:ListTopics denied: one error finding naming the permission, for the region's SNS scope" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.rule_id'), json_extract(value,'\$.status'), json_extract(value,'\$.resource_uid'), json_extract(value,'\$.region'), json_extract(value,'\$.evidence.errorCode') FROM $FND WHERE json_extract(value,'\$.evidence.permission')='sns:ListTopics';")" \
    "aws-collection-access-denied|error|arn:aws:sns:us-east-1:$A:|us-east-1|AuthorizationError"
same_lines "iam:ListGroups denied: an account-wide (global, no region) finding; the providers still collected" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.resource_uid'), ifnull(json_extract(value,'\$.region'),'-'), json_extract(value,'\$.evidence.collecting') FROM $FND WHERE json_extract(value,'\$.evidence.permission')='iam:ListGroups';")" \
    "arn:aws:iam::$A:|-|aws.iam.group"
same_lines "secretsmanager:GetResourcePolicy denied on one secret: a finding on that secret, its policy unknown (absent)" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.resource_uid') FROM $FND WHERE json_extract(value,'\$.evidence.permission')='secretsmanager:GetResourcePolicy';")
$(jsonl_sql "$OUT" "SELECT json_type(value,'\$.data.policy') IS NULL, json_extract(value,'\$.data.rotationEnabled') FROM $RES WHERE json_extract(value,'\$.uid')='$S1';")" \
    "$S1
1|1"
check "malformed JSON names acm:DescribeCertificate" grep -q "acm:DescribeCertificate: malformed or truncated JSON response" "$TMP/s2.err"
check "malformed XML names elasticloadbalancing:DescribeListeners" \
    grep -q "elasticloadbalancing:DescribeListeners: bad response: malformed XML" "$TMP/s2.err"
same_lines "what could be read was kept (no topics; the other certificates; public-web without listeners)" \
    "$(types "$OUT")
$(jsonl_sql "$OUT" "SELECT json_type(value,'\$.data.listeners') IS NULL, json_extract(value,'\$.data.accessLogs.enabled') FROM $RES WHERE json_extract(value,'\$.uid')='$L1';")" \
    "aws.acm.certificate|2
aws.ec2.image|2
aws.ec2.snapshot|3
aws.elbv2.load_balancer|3
aws.iam.oidc_provider|2
aws.iam.saml_provider|2
aws.secretsmanager.secret|3
aws.sqs.queue|3
1|0"
check "no secret in the output or the logs (faults)" \
    sh -c "! grep -q -e '$AWS_SECRET_ACCESS_KEY' -e itestTOKEN '$OUT' '$TMP/s2.err' '$TMP/s2.out'"

# ---------------------------------------------------------------- scan 3: hostile answers
# well-formed replies carrying what a broken or malicious endpoint might send: ARNs that
# are not ARNs or are too long, a policy that is not an object, negative or huge counts,
# numbers and booleans that are not, a pagination token repeated forever, a document
# whose URL encoding is broken, a certificate that is not an object
AWS_MOCK_SERVICES=estate,hostile aws_mock m3
aws_scan s3 -o aws.regions=us-east-1 -o aws.services=sns,sqs,acm,iam_groups,ebs_images
expect_rc "$TMP/s3" 2 "a scan of hostile answers (partial, no crash)"
OUT="$TMP/s3.jsonl"
check "a repeated pagination token ends the loop with an error" \
    grep -q "sqs:ListQueues: the server repeated its pagination token" "$TMP/s3.err"
check "a certificate that is not an object is an error naming the call" \
    grep -q "acm:DescribeCertificate of arn:aws:acm:us-east-1:$A:certificate/.* returned no Certificate" "$TMP/s3.err"
same_lines "only the well-formed topic, its bad members left out or null" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.uid'), json_type(value,'\$.data.policy'), json_type(value,'\$.data.subscriptionsConfirmed'), json_type(value,'\$.data.subscriptionsPending'), json_type(value,'\$.data.kmsMasterKeyId') FROM $RES WHERE json_extract(value,'\$.type')='aws.sns.topic';")" \
    "arn:aws:sns:us-east-1:$A:weird|null|||null"
same_lines "the one http(s) queue URL, once; junk attributes left out, its ARN made from the URL" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.uid'), json_type(value,'\$.data.policy'), json_type(value,'\$.data.visibilityTimeout'), json_type(value,'\$.data.messageRetentionPeriod'), json_type(value,'\$.data.createdTimestamp'), json_extract(value,'\$.data.sqsManagedSseEnabled'), json_type(value,'\$.data.redrivePolicy') FROM $RES WHERE json_extract(value,'\$.type')='aws.sqs.queue';")" \
    "arn:aws:sqs:us-east-1:$A:junk|null||||0|null"
same_lines "undecodable inline documents are left out, the policy names kept" \
    "$(q arn:aws:iam::$A:group/ops "json_extract(value,'\$.data.inlinePolicies[0].policyName'), json_type(value,'\$.data.inlinePolicies[0].policyDocument')")" \
    "break-glass|"
same_lines "an overlong snapshot id is skipped, a bad size left out" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.uid'), json_type(value,'\$.data.volumeSize'), json_extract(value,'\$.data.encrypted') FROM $RES WHERE json_extract(value,'\$.type')='aws.ec2.snapshot';")" \
    "arn:aws:ec2:us-east-1::snapshot/snap-0000000000000000c||1"
check "no certificate was emitted from a malformed description" \
    test "$(jsonl_sql "$OUT" "SELECT count(*) FROM $RES WHERE json_extract(value,'\$.type')='aws.acm.certificate';")" -eq 0

finish
