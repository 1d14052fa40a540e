#!/bin/sh
# The aws plugin end to end: `parapet scan aws` against a local HTTPS AWS
# stand-in (tests/support/aws_mock.py) that answers STS, EC2, IAM and S3 in
# their wire formats, paginates, throttles and denies, and verifies every
# request's SigV4 signature with its own implementation.
#
# Never reaches AWS: every endpoint is overridden to 127.0.0.1, the
# instance metadata service is disabled, no shared file of the machine is
# read (HOME, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE point into the
# test directory), and PARAPET_TEST=1 makes the plugin refuse to start
# without an endpoint override (checked below).
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"

need python3 "apt-get install python3"
need openssl "apt-get install openssl"

AWS_SO="$top_builddir/plugins/aws/.libs/aws.so"
[ -f "$AWS_SO" ] || { echo "FAIL: $AWS_SO is not built" >&2; exit 1; }
PD=$(plugin_dir plugins)
ln -sf "$AWS_SO" "$PD/aws.so"

# -- an isolated AWS environment --
for v in $(env | sed -n 's/^\(AWS_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
HOME="$TMP/home"; mkdir -p "$HOME"; export HOME
AWS_CONFIG_FILE="$TMP/none"; AWS_SHARED_CREDENTIALS_FILE="$TMP/none"
AWS_EC2_METADATA_DISABLED=true
PARAPET_TEST=1
AWS_ACCESS_KEY_ID=AKIATESTEXAMPLE00001
AWS_SECRET_ACCESS_KEY="itestSECRET$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
AWS_SESSION_TOKEN="itestTOKEN/with+special=chars"
AWS_MOCK_SECRET=$AWS_SECRET_ACCESS_KEY
export AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE AWS_EC2_METADATA_DISABLED PARAPET_TEST \
    AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_MOCK_SECRET

# -- a test CA and a server certificate for 127.0.0.1 --
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/ca.key" -out "$TMP/ca.pem" -days 2 \
    -subj "/CN=parapet aws test CA" >/dev/null 2>&1 || { echo "FAIL: openssl CA" >&2; exit 1; }
openssl req -newkey rsa:2048 -nodes -keyout "$TMP/srv.key" -out "$TMP/srv.csr" -subj "/CN=127.0.0.1" \
    >/dev/null 2>&1 || { echo "FAIL: openssl CSR" >&2; exit 1; }
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$TMP/san.ext"
openssl x509 -req -in "$TMP/srv.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" -CAcreateserial \
    -out "$TMP/srv.pem" -days 2 -extfile "$TMP/san.ext" >/dev/null 2>&1 || { echo "FAIL: openssl sign" >&2; exit 1; }

python3 "$top_srcdir/tests/support/aws_mock.py" --cert "$TMP/srv.pem" --key "$TMP/srv.key" \
    --port-file "$TMP/port" --log "$TMP/mock.log" --akid "$AWS_ACCESS_KEY_ID" --secret - \
    --token "$AWS_SESSION_TOKEN" 2>"$TMP/mock.err" &
CLEANUP_PIDS="$CLEANUP_PIDS $!"
i=0
while [ ! -s "$TMP/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$TMP/port" ] || { echo "FAIL: the mock did not start: $(cat "$TMP/mock.err")" >&2; exit 1; }
EP="https://127.0.0.1:$(cat "$TMP/port")"

# -- the guard: under PARAPET_TEST=1 no override means no start --
run_parapet "$TMP/guard" --plugin-dir "$PD" scan aws --db "$TMP/guard.db"
expect_rc "$TMP/guard" 2 "without an endpoint override under PARAPET_TEST=1"
check "the refusal says why" grep -q "never reach AWS" "$TMP/guard.err"
check "nothing was sent anywhere" test ! -s "$TMP/mock.log"

# -- scan 1: one region, everything from env credentials --
run_parapet "$TMP/s1" --plugin-dir "$PD" scan aws --db "$TMP/s1.db" \
    -o aws.endpoint_url="$EP" -o aws.http.ca_file="$TMP/ca.pem" -o aws.regions=us-east-1 \
    --output "jsonl:$TMP/s1.jsonl" -o jsonl.resources=true
expect_rc "$TMP/s1" 0 "scan of the mock"
OUT="$TMP/s1.jsonl"

n_ok=$(grep -c '^OK ' "$TMP/mock.log")
n_bad=$(grep -c '^SIGFAIL' "$TMP/mock.log")
check "every request carried a valid SigV4 signature ($n_ok verified, $n_bad refused)" test "$n_bad" -eq 0
check "the mock verified at least 40 signed requests" test "$n_ok" -ge 40

same_lines "resource types and counts" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.type'), count(*) FROM $RES GROUP BY 1 ORDER BY 1;")" \
    "aws.ec2.instance|2
aws.ec2.security_group|3
aws.ec2.volume|1
aws.iam.password_policy|1
aws.iam.policy|1
aws.iam.role|1
aws.iam.user|3
aws.s3.bucket|3"

q() { jsonl_sql "$OUT" "SELECT $2 FROM $RES WHERE json_extract(value,'\$.uid')='$1';"; }
# pagination: all three security groups arrived over two pages after a throttling burst
same_lines "security groups over NextToken pages and a RequestLimitExceeded burst" \
    "$(resource_uids "$OUT" 'arn:aws:ec2:%:security-group/%')" \
    "arn:aws:ec2:us-east-1:123456789012:security-group/sg-00000000000000001
arn:aws:ec2:us-east-1:123456789012:security-group/sg-00000000000000002
arn:aws:ec2:us-east-1:123456789012:security-group/sg-00000000000000003"
check "EC2 throttling was retried" test "$(grep -c 'DescribeSecurityGroups 503' "$TMP/mock.log")" -eq 2
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
check "IAM throttling was retried" grep -q 'ListUsers 400' "$TMP/mock.log"
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
check "S3 SlowDown was retried" grep -q 'versioning= 503' "$TMP/mock.log"
check "S3 used path-style addressing on the override" grep -q '^OK s3 GET /acme-public acl=' "$TMP/mock.log"

same_lines "the denied bucket policy is an error finding naming the permission" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.rule_id'), json_extract(value,'\$.status'), json_extract(value,'\$.resource_uid'), json_extract(value,'\$.evidence.permission') FROM $FND ORDER BY 3;")" \
    "aws-collection-access-denied|error|arn:aws:s3:::acme-secure|s3:GetBucketPolicy"

check "no secret in the output or the logs" sh -c "! grep -q -e '$AWS_SECRET_ACCESS_KEY' -e 'itestTOKEN' '$OUT' '$TMP/s1.err' '$TMP/s1.out'"

# -- scan 2: regions discovered with DescribeRegions; volumes denied in eu-west-1 --
: >"$TMP/mock.log"
run_parapet "$TMP/s2" --plugin-dir "$PD" scan aws --db "$TMP/s2.db" \
    -o aws.endpoint_url="$EP" -o aws.http.ca_file="$TMP/ca.pem" -o aws.services=ec2 \
    --output "jsonl:$TMP/s2.jsonl" -o jsonl.resources=true
expect_rc "$TMP/s2" 0 "scan with region discovery"
check "regions were discovered" grep -q 'DescribeRegions 200' "$TMP/mock.log"
same_lines "instances from both enabled regions" \
    "$(jsonl_sql "$TMP/s2.jsonl" "SELECT json_extract(value,'\$.region'), count(*) FROM $RES WHERE json_extract(value,'\$.type')='aws.ec2.instance' GROUP BY 1 ORDER BY 1;")" \
    "eu-west-1|2
us-east-1|2"
same_lines "denied DescribeVolumes in eu-west-1 is one error finding" \
    "$(jsonl_sql "$TMP/s2.jsonl" "SELECT json_extract(value,'\$.evidence.permission'), json_extract(value,'\$.evidence.errorCode'), json_extract(value,'\$.region') FROM $FND;")" \
    "ec2:DescribeVolumes|UnauthorizedOperation|eu-west-1"
check "no signature failed in scan 2" test "$(grep -c '^SIGFAIL' "$TMP/mock.log")" -eq 0

# -- the verifier itself refuses a forged signature (so the checks above can fail) --
if command -v curl >/dev/null 2>&1; then
    now=$(date -u +%Y%m%dT%H%M%SZ)
    code=$(curl -s -o "$TMP/forged.out" -w '%{http_code}' --cacert "$TMP/ca.pem" \
        -H "X-Amz-Date: $now" -H "X-Amz-Security-Token: $AWS_SESSION_TOKEN" \
        -H "Authorization: AWS4-HMAC-SHA256 Credential=$AWS_ACCESS_KEY_ID/${now%%T*}/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=0000000000000000000000000000000000000000000000000000000000000000" \
        --data 'Action=GetCallerIdentity&Version=2011-06-15' "$EP/")
    check "a forged signature is refused by the mock (HTTP $code)" test "$code" = 403
    check "and logged as SIGFAIL" grep -q '^SIGFAIL' "$TMP/mock.log"
fi

# -- wrong credentials: the scan fails with a clear message, nothing collected --
AWS_SECRET_ACCESS_KEY=wrongSECRETwrongSECRETwrongSECRET0000 run_parapet "$TMP/s3" --plugin-dir "$PD" scan aws \
    --db "$TMP/s3.db" -o aws.endpoint_url="$EP" -o aws.http.ca_file="$TMP/ca.pem" -o aws.regions=us-east-1
expect_rc "$TMP/s3" 2 "scan with a wrong secret"
check "the failure names GetCallerIdentity" grep -q "GetCallerIdentity" "$TMP/s3.err"
check "the wrong secret is not printed" sh -c "! grep -q wrongSECRET '$TMP/s3.err' '$TMP/s3.out'"

finish
