#!/bin/sh
# CloudFormation through `parapet scan iac`: a template (YAML with short
# tags, and JSON with long forms and a separate ingress resource) that
# restates two resources of the demo estate gives the same failing rule ids
# as the estate does, and each resource points at its file:line:column.
# Values that cannot be known make the rules they feed stay silent.
set -u
. "${top_srcdir:-.}/tests/integration/iac_lib.sh"

# The cloud side: the same two resources as collected from the API.
grep -e '"uid":"arn:aws:s3:::acme-public-website"' -e '"name":"db-mysql-legacy"' \
    "$top_srcdir/contrib/demo/estate.jsonl" >"$tmp/estate.jsonl"
[ "$(wc -l <"$tmp/estate.jsonl")" -eq 2 ] || fail "the demo estate lost the two reference resources"
scan snapshot "$tmp/estate.jsonl"
failing arn:aws:s3 >"$tmp/cloud-bucket"
failing security-group >"$tmp/cloud-sg"
grep -qx aws-s3-bucket-acl-public-read "$tmp/cloud-bucket" || fail "estate: the public bucket does not fail acl-public-read"
grep -qx aws-ec2-sg-database-port-open-to-internet "$tmp/cloud-sg" || fail "estate: the group does not fail database-port"

for t in public-website.yaml public-website.json; do
    scan iac "$fx/cfn/$t"
    [ "$rc" -eq 0 ] || fail "$t: scan exited $rc: $(cat "$tmp/err")"
    failing "#Resources/WebsiteBucket" >"$tmp/code-bucket"
    failing "#Resources/LegacyDbGroup" >"$tmp/code-sg"
    diff "$tmp/cloud-bucket" "$tmp/code-bucket" >"$tmp/d" || fail "$t: bucket rules differ from the estate's: $(cat "$tmp/d")"
    diff "$tmp/cloud-sg" "$tmp/code-sg" >"$tmp/d" || fail "$t: group rules differ from the estate's: $(cat "$tmp/d")"
done

# Positions: the logical id's key.
scan iac "$fx/cfn/public-website.yaml"
loc=$(source_of "#Resources/WebsiteBucket")
[ "$loc" = "$fx/cfn/public-website.yaml:22:3" ] || fail "yaml bucket at '$loc', want line 22 column 3"
loc=$(source_of "#Resources/LegacyDbGroup")
[ "$loc" = "$fx/cfn/public-website.yaml:37:3" ] || fail "yaml group at '$loc', want line 37 column 3"
scan iac "$fx/cfn/public-website.json"
loc=$(source_of "#Resources/WebsiteBucket")
[ "$loc" = "$fx/cfn/public-website.json:7:5" ] || fail "json bucket at '$loc', want line 7 column 5"

# Unknown values: the ACL hangs on a parameter without a default, the CIDR too.
scan iac "$fx/hostile/unknown-values.yaml"
failing MaybePublic >"$tmp/f"
grep -q acl-public-read "$tmp/f" && fail "an unknown ACL made acl-public-read fire"
grep -q '"iacUnknown":\["acl"\]' "$tmp/out.jsonl" || fail "the unknown ACL is not listed in data.iacUnknown"
python3 - "$tmp/out.jsonl" <<'PY' || fail "a rule judged the unknown ingress rules"
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if "rule_id" in r and "MaybeOpen" in r["resource_uid"] and r["rule_id"].startswith("aws-ec2-sg-") \
       and r["rule_id"] != "aws-ec2-sg-default-group-allows-traffic":
        sys.exit(1)
PY

[ "$fails" -eq 0 ] || exit 1
echo "PASS: iac_cfn"
