#!/bin/sh
# AWS Organizations and expiring role sessions, against tests/support/aws_mock.py
# (+ aws_mock_org.py):
#  - `-o aws.accounts=org`: the accounts come from organizations:ListAccounts (NextToken
#    pages), answered only to the management account; SUSPENDED / PENDING_CLOSURE accounts
#    are skipped and named; every ACTIVE one is scanned through its role;
#  - ListAccounts denied, or the caller not in an organization: a clear error naming
#    organizations:ListAccounts, nothing assumed;
#  - "org" mixed with account ids is refused before anything is sent;
#  - a role session that expires mid-task (--expire-after N: ExpiredToken and
#    ExpiredTokenException) is assumed again and the call retried: the scan completes
#    with the same resources as without expiry.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"
. "$top_srcdir/tests/integration/aws_lib.sh"

ROLE='arn:aws:iam::{account}:role/ParapetAudit'
ORG='123456789012:ACTIVE,111111111111:ACTIVE,444444444444:SUSPENDED,222222222222:ACTIVE,555555555555:PENDING_CLOSURE'

# org_scan NAME [options...] : a verbose scan of the current mock
org_scan() {
    _name=$1; shift
    run_parapet "$TMP/$_name" -v --plugin-dir "$PD" scan aws --db "$TMP/$_name.db" \
        -o aws.endpoint_url="$EP" -o aws.http.ca_file="$TMP/ca.pem" \
        --output "jsonl:$TMP/$_name.jsonl" -o jsonl.resources=true "$@"
}

# -- the organization's active accounts, found through ListAccounts --
aws_mock m1 --external-id ext-org1 --org-accounts "$ORG" --org-page-size 2
org_scan o1 -o aws.regions=us-east-1 -o aws.services=kms -o aws.accounts=org -o "aws.role=$ROLE" \
    -o aws.external_id=ext-org1
expect_rc "$TMP/o1" 0 "a scan of every active account of the organization"
check "ListAccounts was read page by page (3 pages of 2)" \
    test "$(grep -c '^OK organizations us-east-1 ListAccounts 200' "$MOCKLOG")" -eq 3
same_lines "the role of each ACTIVE account was assumed once" \
    "$(grep '^ASSUME' "$MOCKLOG" | sort)" \
    "ASSUME 111111111111 ParapetAudit ext=ext-org1
ASSUME 123456789012 ParapetAudit ext=ext-org1
ASSUME 222222222222 ParapetAudit ext=ext-org1"
same_lines "resources of the three active accounts, in their own names" \
    "$(jsonl_sql "$TMP/o1.jsonl" "SELECT json_extract(value,'\$.account'), json_extract(value,'\$.type'), count(*) FROM $RES GROUP BY 1,2 ORDER BY 1,2;")" \
    "111111111111|aws.kms.key|3
123456789012|aws.kms.key|3
222222222222|aws.kms.key|3"
check "the suspended account is named and skipped" grep -q "organization account 444444444444 is SUSPENDED: skipped" "$TMP/o1.err"
check "the closing account is named and skipped" grep -q "organization account 555555555555 is PENDING_CLOSURE: skipped" "$TMP/o1.err"
check "the summary counts them" grep -q "organization: 3 active account(s), 2 skipped" "$TMP/o1.err"
check "nothing was sent in a skipped account's name" sh -c "! grep -q -e 444444444444 -e 555555555555 '$MOCKLOG'"
check "no request failed its signature check" test "$(grep -c '^SIGFAIL' "$MOCKLOG")" -eq 0
check "no secret in the output or the logs" sh -c "! grep -q -e '$AWS_SECRET_ACCESS_KEY' -e itestTOKEN -e assumedSECRET -e assumedTOKEN '$TMP/o1.jsonl' '$TMP/o1.err' '$TMP/o1.out'"

# -- ListAccounts denied: a clear error, nothing assumed --
aws_mock m2 --org-accounts "$ORG" --org-deny
org_scan o2 -o aws.regions=us-east-1 -o aws.services=kms -o aws.accounts=org -o "aws.role=$ROLE"
expect_rc "$TMP/o2" 2 "a scan whose organizations:ListAccounts is denied"
check "the error names organizations:ListAccounts and the way out" \
    grep -q "organizations:ListAccounts was denied (AccessDeniedException): aws.accounts=org needs the credentials of the organization's management account" "$TMP/o2.err"
check "no role was assumed" sh -c "! grep -q '^ASSUME' '$MOCKLOG'"

# -- the caller is not in an organization --
aws_mock m3
org_scan o3 -o aws.regions=us-east-1 -o aws.services=kms -o aws.accounts=org -o "aws.role=$ROLE"
expect_rc "$TMP/o3" 2 "a scan of an organization that does not exist"
check "the error says so" grep -q "organizations:ListAccounts failed (.*AWSOrganizationsNotInUseException.*): the account is not in an organization" "$TMP/o3.err"

# -- org with account ids, org without a role: refused before any call --
: >"$MOCKLOG"
org_scan o4 -o aws.accounts=org,111111111111 -o "aws.role=$ROLE"
expect_rc "$TMP/o4" 2 "org mixed with account ids"
check "the refusal says why" grep -q "org (every account of the organization) cannot be mixed with account ids" "$TMP/o4.err"
org_scan o5 -o aws.accounts=org
expect_rc "$TMP/o5" 2 "org without a role"
check "the refusal names aws.role" grep -q "aws.accounts needs aws.role" "$TMP/o5.err"
check "nothing was sent for the refused configurations" test ! -s "$MOCKLOG"

# -- role sessions that expire mid-task: assumed again, the calls retried --
aws_mock m6 --external-id ext-org6 --expire-after 16
org_scan o6 -o aws.regions=us-east-1 -o aws.services=iam,kms -o aws.accounts=111111111111,222222222222 \
    -o "aws.role=$ROLE" -o aws.external_id=ext-org6
expect_rc "$TMP/o6" 0 "a scan whose role sessions expire every 16 calls"
nexp=$(grep -c '^EXPIRED' "$MOCKLOG")
check "sessions did expire mid-task ($nexp expired answers)" test "$nexp" -ge 4
check "query calls (IAM) met expired sessions (ExpiredToken)" grep -q '^EXPIRED iam ' "$MOCKLOG"
for a in 111111111111 222222222222; do
    n=$(grep -c "^ASSUME $a " "$MOCKLOG")
    check "account $a: its role was assumed again ($n times in all)" test "$n" -ge 2
done
check "every re-assumption is logged" grep -q "account 111111111111: the role's credentials expired; assumed arn:aws:iam::111111111111:role/ParapetAudit again" "$TMP/o6.err"
same_lines "the same resources as a scan without expiry" \
    "$(jsonl_sql "$TMP/o6.jsonl" "SELECT json_extract(value,'\$.account'), json_extract(value,'\$.type'), count(*) FROM $RES WHERE json_extract(value,'\$.type') IN ('aws.kms.key','aws.iam.user','aws.iam.role') GROUP BY 1,2 ORDER BY 1,2;")" \
    "111111111111|aws.iam.role|1
111111111111|aws.iam.user|3
111111111111|aws.kms.key|3
222222222222|aws.iam.role|1
222222222222|aws.iam.user|3
222222222222|aws.kms.key|3"
check "no task failed" sh -c "! grep -q -i 'expired' '$TMP/o6.jsonl'"
check "no request failed its signature check" test "$(grep -c '^SIGFAIL' "$MOCKLOG")" -eq 0

# -- the same with JSON 1.1 calls (ExpiredTokenException), one task per account, a session per 3 calls --
aws_mock m7 --external-id ext-org7 --expire-after 3
org_scan o7 -o aws.regions=us-east-1 -o aws.services=kms -o aws.accounts=111111111111,222222222222 \
    -o "aws.role=$ROLE" -o aws.external_id=ext-org7
expect_rc "$TMP/o7" 0 "a KMS scan whose role sessions expire every 3 calls"
check "JSON calls (KMS) met expired sessions (ExpiredTokenException)" \
    test "$(grep -c '^EXPIRED kms ' "$MOCKLOG")" -ge 2
same_lines "every key was collected" \
    "$(jsonl_sql "$TMP/o7.jsonl" "SELECT json_extract(value,'\$.account'), count(*) FROM $RES WHERE json_extract(value,'\$.type')='aws.kms.key' GROUP BY 1 ORDER BY 1;")" \
    "111111111111|3
222222222222|3"

finish
