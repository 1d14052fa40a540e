#!/bin/sh
# policy_packs.sh - the shipped rule packs and framework mappings (policies/):
# they lint clean against docs/resources, every rule's examples behave, and a
# scan of the demo estate judges known-bad resources as failing and known-good
# ones as passing, with no evaluation errors; every rule a framework names
# exists. Reads the source tree only; everything it writes goes to $TMP.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"

POL="$top_srcdir/policies"
SNAP_SO="$top_builddir/plugins/snapshot/.libs/snapshot.so"
[ -f "$SNAP_SO" ] || { echo "FAIL: $SNAP_SO is not built" >&2; exit 1; }
PD=$(plugin_dir plugins)
ln -sf "$SNAP_SO" "$PD/snapshot.so"
# the aws plugin provides the aws.policy.* CEL functions some AWS rules call
AWS_SO="$top_builddir/plugins/aws/.libs/aws.so"
[ -f "$AWS_SO" ] || { echo "FAIL: $AWS_SO is not built" >&2; exit 1; }
ln -sf "$AWS_SO" "$PD/aws.so"
cp "$top_srcdir/contrib/demo/estate.jsonl" "$TMP/estate.jsonl" || exit 1

# ---- the committed demo estate is what its generator writes, and documented
if [ -x /usr/bin/python3 ]; then
    check "contrib/demo/estate.jsonl is up to date and documented" \
        /usr/bin/python3 "$top_srcdir/contrib/demo/generate.py" --check
    check "policies/kubernetes/pss.json is what contrib/policy-gen/k8s_pss.py writes" \
        /usr/bin/python3 "$top_srcdir/contrib/policy-gen/k8s_pss.py" --check
fi

# ---- lint and test over the source tree's packs
run_parapet "$TMP/lint" --plugin-dir "$PD" policy lint --docs "$top_srcdir/docs/resources" "$POL"
expect_rc "$TMP/lint" 0 "policy lint policies/"
check "lint reports 0 problems" grep -q ' 0 problems$' "$TMP/lint.out"
run_parapet "$TMP/test" --plugin-dir "$PD" policy test "$POL"
expect_rc "$TMP/test" 0 "policy test policies/"
check "every rule's examples behave" grep -q ': 0 rules failed, 0 examples failed$' "$TMP/test.out"
grep '^FAIL ' "$TMP/test.out" >&2

# ---- the rule ids in the packs, and those the frameworks name
: >"$TMP/rule_ids"
for f in $(find "$POL" -name '*.json' ! -path '*/frameworks/*' | LC_ALL=C sort); do
    sqlite3 -batch -noheader :memory: \
        "SELECT json_extract(value,'\$.id') FROM json_each(CAST(readfile('$f') AS TEXT), '\$.rules');" >>"$TMP/rule_ids"
done
LC_ALL=C sort -o "$TMP/rule_ids" "$TMP/rule_ids"
nrules=$(wc -l <"$TMP/rule_ids")
check "the packs hold rules ($nrules)" test "$nrules" -ge 60
check "rule ids are unique" test -z "$(uniq -d "$TMP/rule_ids")"
bad_ids=$(grep -v -E '^(aws|azure|gcp|k8s|image)(-[a-z0-9]+)+$' "$TMP/rule_ids")
check "rule ids start with their provider" test -z "$bad_ids"
nfw=0
for f in "$POL"/frameworks/*.json; do
    nfw=$((nfw + 1))
    fw=$(basename "$f" .json)
    missing=$(sqlite3 -batch -noheader :memory: \
        "SELECT DISTINCT r.value FROM json_each(CAST(readfile('$f') AS TEXT), '\$.requirements') q,
                json_each(q.value, '\$.rules') r;" | LC_ALL=C sort | LC_ALL=C comm -23 - "$TMP/rule_ids")
    check "framework $fw names only existing rules${missing:+ (missing: $missing)}" test -z "$missing"
    # a requirement is automated exactly when it lists rules
    odd=$(sqlite3 -batch -noheader :memory: \
        "SELECT json_extract(q.value,'\$.id') FROM json_each(CAST(readfile('$f') AS TEXT), '\$.requirements') q
          WHERE json_extract(q.value,'\$.automated') != (json_array_length(q.value,'\$.rules') > 0);")
    check "framework $fw: automated iff rules are listed${odd:+ (odd: $odd)}" test -z "$odd"
done
lint_fw=$(sed -n 's/.* rules, \([0-9]*\) frameworks,.*/\1/p' "$TMP/lint.out")
check "policy lint loaded every framework file ($nfw files, lint saw ${lint_fw:-none})" test "$nfw" -ge 7 -a "$lint_fw" = "$nfw"

# ---- the demo estate through every rule
run_parapet "$TMP/scan" --plugin-dir "$PD" --db "$TMP/db" scan snapshot "$TMP/estate.jsonl" \
    --no-default-rules --rules "$POL" --output "jsonl:$TMP/out.jsonl"
expect_rc "$TMP/scan" 0 "scan of the demo estate"

# demo_uid TYPE NAME : the uid of the demo resource of that type and name
demo_uid() {
    jsonl_sql "$TMP/estate.jsonl" "SELECT json_extract(value,'\$.uid') FROM rec
        WHERE json_extract(value,'\$.type')='$1' AND json_extract(value,'\$.name')='$2';"
}
# status RULE UID : the status of RULE's finding on UID (empty: no finding)
status() {
    jsonl_sql "$TMP/out.jsonl" "SELECT json_extract(value,'\$.status') FROM $FND
        WHERE json_extract(value,'\$.rule_id')='$1' AND json_extract(value,'\$.resource_uid')='$2';"
}
# expect RULE TYPE NAME WANT : RULE judged the demo resource TYPE/NAME as WANT
expect() {
    _uid=$(demo_uid "$2" "$3")
    if [ -z "$_uid" ]; then
        fail "the demo estate has no $2 named $3"
        return
    fi
    _got=$(status "$1" "$_uid")
    if [ "$_got" = "$4" ]; then
        pass "$1 on $3: $4"
    else
        fail "$1 on $3: got '${_got:-no finding}', expected $4"
    fi
}

# AWS
expect aws-s3-bucket-acl-public-read aws.s3.bucket acme-public-website fail
expect aws-s3-bucket-acl-public-read aws.s3.bucket acme-prod-logs pass
expect aws-s3-bucket-public-access-block-off aws.s3.bucket acme-dev-scratch fail
expect aws-ec2-sg-ssh-open-to-internet aws.ec2.security_group dev-ssh fail
expect aws-ec2-sg-ssh-open-to-internet aws.ec2.security_group bastion pass
expect aws-ec2-instance-imdsv1-allowed aws.ec2.instance legacy-erp-13 fail
expect aws-ec2-instance-imdsv1-allowed aws.ec2.instance web-02 pass
expect aws-iam-user-console-without-mfa aws.iam.user frank.legacy fail
expect aws-iam-user-console-without-mfa aws.iam.user alice.admin pass
expect aws-iam-user-access-key-not-rotated aws.iam.user frank.legacy fail
expect aws-iam-policy-full-admin aws.iam.policy acme-legacy-ops fail
expect aws-iam-policy-full-admin aws.iam.policy acme-backup-writer pass
expect aws-iam-role-assumable-by-anyone aws.iam.role anyone-can-assume fail
expect aws-iam-role-assumable-by-anyone aws.iam.role partner-readonly pass
expect aws-rds-instance-publicly-accessible aws.rds.db_instance erp-legacy fail
expect aws-rds-instance-publicly-accessible aws.rds.db_instance orders-prod pass
expect aws-cloudtrail-not-logging aws.cloudtrail.trail dev-trail fail
expect aws-cloudtrail-not-logging aws.cloudtrail.trail org-trail pass
expect aws-kms-key-rotation-off aws.kms.key s3-data-lake fail
expect aws-lambda-function-url-public aws.lambda.function webhook-receiver fail
expect aws-lambda-function-url-public aws.lambda.function slack-notifier pass
expect aws-eks-cluster-endpoint-open-to-internet aws.eks.cluster prod-eu fail
expect aws-eks-cluster-endpoint-open-to-internet aws.eks.cluster prod-us pass
# Azure
expect azure-storage-account-blob-public-access azure.storage.account acmepublicassets fail
expect azure-storage-account-blob-public-access azure.storage.account acmeprodweb pass
expect azure-nsg-ssh-open-to-internet azure.network.nsg nsg-web fail
expect azure-nsg-ssh-open-to-internet azure.network.nsg nsg-bastion pass
expect azure-keyvault-purge-protection-off azure.keyvault.vault kv-acme-dev fail
expect azure-keyvault-purge-protection-off azure.keyvault.vault kv-acme-prod pass
expect azure-sql-server-firewall-open-to-internet azure.sql.server sql-acme-legacy fail
expect azure-sql-server-firewall-open-to-internet azure.sql.server sql-acme-orders pass
# GCP
expect gcp-storage-bucket-public gcp.storage.bucket acme-public-datasets fail
expect gcp-storage-bucket-public gcp.storage.bucket acme-analytics-exports pass
expect gcp-compute-firewall-ssh-open-to-internet gcp.compute.firewall default-allow-ssh fail
expect gcp-compute-firewall-ssh-open-to-internet gcp.compute.firewall allow-ssh-iap pass
expect gcp-sql-instance-open-to-internet gcp.sql.instance reporting-mysql fail
expect gcp-sql-instance-open-to-internet gcp.sql.instance analytics-pg pass
# Kubernetes
expect k8s-deployment-privileged-container k8s.deployment debug-tools fail
expect k8s-deployment-privileged-container k8s.deployment storefront pass
expect k8s-pod-host-namespaces k8s.pod tmp-shell-admin fail
expect k8s-pod-host-namespaces k8s.pod busybox-test pass
expect k8s-clusterrolebinding-anonymous k8s.clusterrolebinding anonymous-view fail
expect k8s-clusterrolebinding-anonymous k8s.clusterrolebinding monitoring-view pass
expect k8s-service-admin-port-exposed k8s.service legacy-batch-admin fail
expect k8s-service-admin-port-exposed k8s.service storefront pass

# Pods a Deployment manages are judged through the Deployment only.
rs_pod=$(jsonl_sql "$TMP/estate.jsonl" "SELECT json_extract(value,'\$.uid') FROM rec
    WHERE json_extract(value,'\$.type')='k8s.pod' AND json_extract(value,'\$.name') LIKE 'debug-tools-%' LIMIT 1;")
check "a ReplicaSet's pod gets no k8s-pod-* finding" test -n "$rs_pod" -a -z "$(status k8s-pod-privileged-container "$rs_pod")"

# A failing finding carries the framework requirements of its rule.
uid=$(demo_uid aws.s3.bucket acme-dev-scratch)
comp=$(jsonl_sql "$TMP/out.jsonl" "SELECT count(*) FROM $FND AS f, json_each(json_extract(f.value,'\$.compliance')) c
    WHERE json_extract(f.value,'\$.rule_id')='aws-s3-bucket-public-access-block-off'
      AND json_extract(f.value,'\$.resource_uid')='$uid'
      AND json_extract(c.value,'\$.framework')='cis-aws-3.0' AND json_extract(c.value,'\$.requirement')='2.1.4';")
check "the finding names CIS AWS 3.0 requirement 2.1.4 (got $comp)" test "$comp" = 1

# No rule errors on the demo estate, and every rule judged some resource of it.
errors=$(jsonl_sql "$TMP/out.jsonl" "SELECT json_extract(value,'\$.rule_id') || ' ' || json_extract(value,'\$.resource_uid')
    || ': ' || json_extract(value,'\$.message') FROM $FND WHERE json_extract(value,'\$.status') = 'error' LIMIT 10;")
check "no finding has status error" test -z "$errors"
[ -z "$errors" ] || echo "$errors" >&2
jsonl_sql "$TMP/out.jsonl" "SELECT DISTINCT json_extract(value,'\$.rule_id') FROM $FND;" | LC_ALL=C sort >"$TMP/judged"
unjudged=$(LC_ALL=C comm -23 "$TMP/rule_ids" "$TMP/judged" | tr '\n' ' ')
check "every rule judged at least one demo resource${unjudged:+ (not: $unjudged)}" test -z "$unjudged"
for p in aws azure gcp k8s; do
    n=$(jsonl_sql "$TMP/out.jsonl" "SELECT count(*) FROM $FND WHERE json_extract(value,'\$.status')='fail'
        AND json_extract(value,'\$.provider')='$p';")
    check "the demo estate has failures for $p ($n)" test "$n" -gt 0
done

finish
