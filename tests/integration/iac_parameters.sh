#!/bin/sh
# CloudFormation parameter values given by the user replace the template's
# Defaults (-o iac.parameters=Name=Value,... and -o iac.parameters_file=PATH
# in the CLI's [{"ParameterKey","ParameterValue"}] form or as an object), so
# a template is judged as it will be deployed; bad values are refused with a
# message naming the option or file and the entry.
set -u
. "${top_srcdir:-.}/tests/integration/iac_lib.sh"
tpl="$fx/cfn/public-website.yaml"
# fails UID_SUBSTRING RULE: RULE fails on the matching resource
fails() { failing "$1" >"$tmp/f"; grep -qx "$2" "$tmp/f"; }

# With its Defaults (Env=prod, OpenCidr=0.0.0.0/0) the bucket is public and the group open.
scan iac "$tpl"
[ "$rc" -eq 0 ] || fail "scan with defaults exited $rc: $(cat "$tmp/err")"
fails WebsiteBucket aws-s3-bucket-acl-public-read || fail "defaults: the bucket is not public-read"
fails LegacyDbGroup aws-ec2-sg-database-port-open-to-internet || fail "defaults: the group is not open"

# Env=dev makes AccessControl Private; a narrow OpenCidr closes the group; DbPort is typed as a Number.
scan iac "$tpl" -o "iac.parameters=Env=dev,OpenCidr=198.51.100.0/24,DbPort=5432"
[ "$rc" -eq 0 ] || fail "scan with parameters exited $rc: $(cat "$tmp/err")"
fails WebsiteBucket aws-s3-bucket-acl-public-read && fail "Env=dev: the bucket is still public-read"
fails LegacyDbGroup aws-ec2-sg-database-port-open-to-internet &&
    fail "OpenCidr=198.51.100.0/24: the group is still open to the Internet"
python3 - "$tmp/out.jsonl" <<'PY' || fail "DbPort=5432 did not reach the ingress rule as a number"
import json, sys
for r in map(json.loads, open(sys.argv[1])):
    if r.get("type") == "aws.ec2.security_group" and "LegacyDbGroup" in r["uid"]:
        sys.exit(0 if r["data"]["ipPermissions"][0]["fromPort"] == 5432 else 1)
sys.exit(1)
PY

# The same from a parameters file in the CLI's form.
printf '[{"ParameterKey":"Env","ParameterValue":"dev"},{"ParameterKey":"OpenCidr","ParameterValue":"10.0.0.0/8"}]\n' \
    >"$tmp/params.json"
scan iac "$tpl" -o "iac.parameters_file=$tmp/params.json"
[ "$rc" -eq 0 ] || fail "scan with a parameters file exited $rc: $(cat "$tmp/err")"
fails WebsiteBucket aws-s3-bucket-acl-public-read && fail "parameters file: the bucket is still public"
# ... and the option wins over the file.
scan iac "$tpl" -o "iac.parameters_file=$tmp/params.json" -o "iac.parameters=Env=prod"
fails WebsiteBucket aws-s3-bucket-acl-public-read || fail "iac.parameters did not win over the file"

# Refused, with the option or file and the entry named; nothing scanned.
bad() { # WHAT EXPECTED_TEXT OPTION
    scan iac "$tpl" -o "$3"
    if [ "$rc" -eq 0 ] || ! grep -q -- "$2" "$tmp/err"; then
        fail "$1: rc $rc, stderr: $(head -c 300 "$tmp/err")"
    else
        echo "ok: $1 refused"
    fi
}
bad "entry without =" "'Env' is not Name=Value" "iac.parameters=Env"
bad "bad name" "is not a parameter name" "iac.parameters=En-v=1"
printf '{"Parameters": {"Env": 3}}' >"$tmp/num.json"
bad "non-string value" "Env: the value must be a string" "iac.parameters_file=$tmp/num.json"
printf '[{"ParameterKey": "Env"' >"$tmp/trunc.json"
bad "truncated file" "trunc.json: not valid JSON" "iac.parameters_file=$tmp/trunc.json"
ln -s "$tmp/params.json" "$tmp/link.json"
bad "symlinked file" "link.json: cannot open" "iac.parameters_file=$tmp/link.json"

[ "$fails" -eq 0 ] || exit 1
echo "PASS: iac_parameters"
