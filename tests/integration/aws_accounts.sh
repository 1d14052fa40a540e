#!/bin/sh
# Many accounts: `-o aws.role=arn:aws:iam::{account}:role/NAME -o aws.accounts=...`
# against tests/support/aws_mock.py. The mock answers sts:AssumeRole only
# with the right ExternalId, issues different credentials per account,
# verifies every later request with the credentials of the account it
# belongs to, answers in that account's name, and refuses the role of
# 333333333333. Expected: two accounts scanned concurrently, each role
# assumed once, the third account one error finding and failed tasks that
# name sts:AssumeRole, the others complete.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"
. "$top_srcdir/tests/integration/aws_lib.sh"

aws_mock m --external-id ext-7f3a --deny-accounts 333333333333

ROLE='arn:aws:iam::{account}:role/ParapetAudit'
aws_scan a1 -o aws.regions=us-east-1 -o aws.services=iam,kms,eks \
    -o aws.accounts=111111111111,222222222222,333333333333 -o "aws.role=$ROLE" -o aws.external_id=ext-7f3a
expect_rc "$TMP/a1" 2 "a scan in which one account's role cannot be assumed (partial)"
OUT="$TMP/a1.jsonl"

check "no request failed its signature check" test "$(grep -c '^SIGFAIL' "$MOCKLOG")" -eq 0
same_lines "each role was assumed once, with the external id" \
    "$(grep '^ASSUME' "$MOCKLOG" | sort)" \
    "ASSUME 111111111111 ParapetAudit ext=ext-7f3a
ASSUME 222222222222 ParapetAudit ext=ext-7f3a"
same_lines "resources of both reachable accounts, in their own account's name" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.account'), json_extract(value,'\$.type'), count(*) FROM $RES GROUP BY 1,2 ORDER BY 1,2;")" \
    "111111111111|aws.eks.cluster|2
111111111111|aws.iam.password_policy|1
111111111111|aws.iam.policy|1
111111111111|aws.iam.role|1
111111111111|aws.iam.root_user|1
111111111111|aws.iam.server_certificate|2
111111111111|aws.iam.support_access|1
111111111111|aws.iam.user|3
111111111111|aws.kms.key|3
222222222222|aws.eks.cluster|2
222222222222|aws.iam.password_policy|1
222222222222|aws.iam.policy|1
222222222222|aws.iam.role|1
222222222222|aws.iam.root_user|1
222222222222|aws.iam.server_certificate|2
222222222222|aws.iam.support_access|1
222222222222|aws.iam.user|3
222222222222|aws.kms.key|3"
check "uids carry the account the data came from" \
    test "$(jsonl_sql "$OUT" "SELECT count(*) FROM $RES WHERE json_extract(value,'\$.uid') LIKE 'arn:aws:kms:us-east-1:222222222222:key/%';")" -eq 3
same_lines "the refused account is one error finding naming sts:AssumeRole and the role" \
    "$(jsonl_sql "$OUT" "SELECT json_extract(value,'\$.rule_id'), json_extract(value,'\$.status'), json_extract(value,'\$.account'), json_extract(value,'\$.resource_uid'), json_extract(value,'\$.evidence.permission') FROM $FND;")" \
    "aws-collection-access-denied|error|333333333333|arn:aws:iam::333333333333:role/ParapetAudit|sts:AssumeRole"
check "its tasks fail with that reason" grep -q "account 333333333333: sts:AssumeRole on arn:aws:iam::333333333333:role/ParapetAudit was denied" "$TMP/a1.err"
check "requests were signed with each account's own credentials" \
    sh -c "grep -q 'acct=111111111111\$' '$MOCKLOG' && grep -q 'acct=222222222222\$' '$MOCKLOG'"
check "and none was made in the refused account's name" sh -c "! grep -q 'acct=333333333333' '$MOCKLOG'"
check "the scanner's own credentials were used for STS only" \
    sh -c "grep '^OK ' '$MOCKLOG' | grep -v '^OK sts ' | grep -q 'acct=123456789012' && exit 1; exit 0"
check "no secret in the output or the logs" sh -c "! grep -q -e '$AWS_SECRET_ACCESS_KEY' -e itestTOKEN -e assumedSECRET -e assumedTOKEN '$OUT' '$TMP/a1.err' '$TMP/a1.out'"

# -- a wrong external id: every account refused, nothing collected, the scan says why --
: >"$MOCKLOG"
aws_scan a2 -o aws.regions=us-east-1 -o aws.services=kms -o aws.accounts=111111111111,222222222222 \
    -o "aws.role=$ROLE" -o aws.external_id=wrong-id
expect_rc "$TMP/a2" 2 "a scan whose external id is wrong"
check "both accounts fail with sts:AssumeRole" \
    test "$(grep -c 'sts:AssumeRole on arn:aws:iam::[0-9]*:role/ParapetAudit was denied' "$TMP/a2.err")" -ge 2
check "nothing was collected" test "$(jsonl_sql "$TMP/a2.jsonl" "SELECT count(*) FROM $RES;")" -eq 0

# -- configuration mistakes are refused before anything is sent --
: >"$MOCKLOG"
aws_scan a3 -o aws.accounts=111111111111
expect_rc "$TMP/a3" 2 "accounts without a role"
check "the refusal names aws.role" grep -q "aws.role" "$TMP/a3.err"
aws_scan a4 -o "aws.role=$ROLE" -o aws.accounts=111111111111,111111111111
expect_rc "$TMP/a4" 2 "an account listed twice"
check "the refusal names the repeated account" grep -q "111111111111 is listed twice" "$TMP/a4.err"
aws_scan a5 -o "aws.role=$ROLE" -o aws.accounts=12345
expect_rc "$TMP/a5" 2 "an account id that is not 12 digits"
check "nothing was sent for the refused configurations" test ! -s "$MOCKLOG"

finish
