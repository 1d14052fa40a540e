#!/bin/sh
# Faults end to end, against tests/support/aws_mock.py --fault:
#   bad-xml, truncated-xml, truncated-json: the scan goes on, the error names
#     the call, everything else of the service is collected;
#   storm: a rate limit that throttles most calls; the adaptive backoff gets
#     every resource through;
#   stall: KMS never answers; the call times out, the rest completes.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"
. "$top_srcdir/tests/integration/aws_lib.sh"

types() { jsonl_sql "$1" "SELECT json_extract(value,'\$.type'), count(*) FROM $RES GROUP BY 1 ORDER BY 1;"; }

# -- malformed and truncated answers --
aws_mock bad --fault bad-xml,truncated-xml,truncated-json
aws_scan f1 -o aws.regions=us-east-1 -o aws.services=ec2,kms,rds,eks
expect_rc "$TMP/f1" 2 "a scan with malformed answers (partial)"
check "malformed XML names ec2:DescribeVolumes and the position" \
    grep -q "ec2:DescribeVolumes: bad response: malformed XML at line 1 column" "$TMP/f1.err"
check "truncated XML names rds:DescribeDBInstances" \
    grep -q "rds:DescribeDBInstances: bad response: malformed XML" "$TMP/f1.err"
check "truncated JSON 1.1 names kms:ListKeys" \
    grep -q "kms:ListKeys: malformed or truncated JSON response" "$TMP/f1.err"
check "truncated REST-JSON names eks:DescribeCluster" \
    grep -q "eks:DescribeCluster: malformed or truncated JSON response" "$TMP/f1.err"
same_lines "what could be read was kept (other EC2 types, the other EKS cluster, RDS snapshots)" \
    "$(types "$TMP/f1.jsonl")" \
    "aws.ec2.ebs_default_encryption|1
aws.ec2.instance|2
aws.ec2.network_acl|2
aws.ec2.security_group|3
aws.ec2.vpc|2
aws.eks.cluster|1
aws.rds.db_snapshot|2"
check "no crash: the scan ended with a summary" grep -q "Problems (4)" "$TMP/f1.out"

# -- a throttling storm --
aws_mock storm --fault storm
# one task at a time: the bucket is shared by every caller, and with several
# tasks racing for 6 tokens a second a slow (sanitizer) build could lose eight
# times in a row; what is tested is that one client's backoff gets through
aws_scan f2 -o aws.regions=us-east-1 -o aws.services=kms,cloudtrail,lambda,eks,rds,ec2 --jobs 1
expect_rc "$TMP/f2" 0 "a scan through a throttling storm"
n_thr=$(grep -c '^THROTTLED' "$MOCKLOG")
check "the storm throttled many calls ($n_thr)" test "$n_thr" -ge 15
same_lines "and every resource still arrived" \
    "$(types "$TMP/f2.jsonl")" \
    "aws.cloudtrail.trail|2
aws.ec2.ebs_default_encryption|1
aws.ec2.instance|2
aws.ec2.network_acl|2
aws.ec2.security_group|3
aws.ec2.volume|1
aws.ec2.vpc|2
aws.eks.cluster|2
aws.kms.key|3
aws.lambda.function|2
aws.rds.db_instance|2
aws.rds.db_snapshot|2"
check "no signature failed during the storm" test "$(grep -c '^SIGFAIL' "$MOCKLOG")" -eq 0

# -- a server that stalls --
aws_mock stall --fault stall
start=$(date +%s)
aws_scan f3 -o aws.regions=us-east-1 -o aws.services=kms,eks -o aws.http.timeout_ms=1500
took=$(( $(date +%s) - start ))
expect_rc "$TMP/f3" 2 "a scan whose KMS endpoint stalls (partial)"
check "the stalled call timed out and is named" grep -q "kms:ListKeys: POST https://127.0.0.1:[0-9]*/: timed out" "$TMP/f3.err"
check "the scan did not wait for the server (took ${took}s)" test "$took" -lt 20
same_lines "the other service completed" "$(types "$TMP/f3.jsonl")" "aws.eks.cluster|2"

finish
