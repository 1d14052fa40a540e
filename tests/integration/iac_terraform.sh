#!/bin/sh
# Terraform through `parapet scan iac`: a plan (`terraform show -json`)
# whose bucket is configured by separate resources, joined through the
# configuration's references, and a state v4 file whose group gets its rule
# from an aws_vpc_security_group_ingress_rule, give the same failing rule
# ids as the same resources collected from the cloud (contrib/demo).
set -u
. "${top_srcdir:-.}/tests/integration/iac_lib.sh"

grep -e '"uid":"arn:aws:s3:::acme-public-website"' -e '"name":"db-mysql-legacy"' \
    "$top_srcdir/contrib/demo/estate.jsonl" >"$tmp/estate.jsonl"
scan snapshot "$tmp/estate.jsonl"
failing arn:aws:s3 >"$tmp/cloud-bucket"
failing security-group >"$tmp/cloud-sg"
[ -s "$tmp/cloud-bucket" ] && [ -s "$tmp/cloud-sg" ] || fail "the estate gave no failing rules"

scan iac "$fx/terraform"
[ "$rc" -eq 0 ] || fail "scan exited $rc: $(cat "$tmp/err")"
failing "plan.json#aws_s3_bucket.website" >"$tmp/code"
diff "$tmp/cloud-bucket" "$tmp/code" >"$tmp/d" || fail "plan bucket differs from the estate: $(cat "$tmp/d")"
failing "plan.json#aws_security_group.legacy_db" >"$tmp/code"
diff "$tmp/cloud-sg" "$tmp/code" >"$tmp/d" || fail "plan group differs from the estate: $(cat "$tmp/d")"
failing "tfstate.json#aws_security_group.legacy_db" >"$tmp/code"
diff "$tmp/cloud-sg" "$tmp/code" >"$tmp/d" || fail "state group differs from the estate: $(cat "$tmp/d")"
failing "tfstate.json#module.storage.aws_ebs_volume.data[0]" >"$tmp/code"
grep -qx aws-ec2-volume-unencrypted "$tmp/code" ||
    fail "the state's unencrypted volume in a module is not found"
loc=$(source_of "plan.json#aws_s3_bucket.website")
[ "$loc" = "$fx/terraform/plan.json:7:9" ] || fail "plan bucket at '$loc', want line 7 column 9"
# The bucket's computed attributes (id, arn) are unknown and left out, not guessed.
grep -q '"iacUnknown":\[' "$tmp/out.jsonl" || fail "computed attributes are not listed in iacUnknown"

[ "$fails" -eq 0 ] || exit 1
echo "PASS: iac_terraform"
