#!/bin/sh
# Findings on IaC resources point at the key that decided them: the rule
# engine records evidence.location {file, line, column, key} from the
# positions the iac plugin gives for every data key it could place
# (pp_resource.source_positions), falling back to the resource's own
# position when the deciding key is not written (absent settings, members an
# adapter renamed); resources from APIs get no location. Expected lines and
# columns are looked up in the fixtures, not written here.
set -u
. "${top_srcdir:-.}/tests/integration/iac_lib.sh"

# where FILE PATTERN [NTH]: "LINE COLUMN" of the NTH (default 1st) line of
# FILE containing PATTERN, the column being where PATTERN starts.
where() {
    awk -v pat="$2" -v nth="${3:-1}" 'index($0, pat) { if (++n == nth) { print NR, index($0, pat); exit } }' "$1"
}

# loc RULE UID_SUBSTRING: "LINE COLUMN KEY" of the failing finding's location
loc() {
    python3 - "$tmp/out.jsonl" "$1" "$2" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("rule_id") == sys.argv[2] and sys.argv[3] in r["resource_uid"] and r["status"] == "fail":
        l = r.get("evidence", {}).get("location")
        print("none" if l is None else "%s %s %s" % (l["line"], l.get("column", 0), l.get("key", "-")))
        break
PY
}

expect() { # WHAT GOT WANT
    if [ "$2" = "$3" ]; then echo "ok: $1"; else fail "$1: got '$2', want '$3'"; fi
}

scan iac "$fx/k8s/workloads.yaml" "$fx/cfn/public-website.yaml" "$fx/terraform/plan.json"
[ "$rc" -eq 0 ] || fail "scan exited $rc: $(cat "$tmp/err")"

# Kubernetes: the manifest is the data, so every key is placed exactly.
expect "privileged container: at its privileged key" "$(loc k8s-deployment-privileged-container node-agent)" \
    "$(where "$fx/k8s/workloads.yaml" "privileged: true") spec.template.spec.containers[0].securityContext.privileged"
expect "host path volume: at the hostPath key" "$(loc k8s-pod-host-path-volume log-shipper)" \
    "$(where "$fx/k8s/workloads.yaml" "hostPath:") spec.volumes[0].hostPath"
expect "LoadBalancer service: at its type key" "$(loc k8s-service-load-balancer-open-to-internet admin-ssh)" \
    "$(where "$fx/k8s/workloads.yaml" "type: LoadBalancer") spec.type"

# CloudFormation: the ingress rule written inline in the group, found by name.
expect "CloudFormation ingress open to the world: at its CidrIp" \
    "$(loc aws-ec2-sg-database-port-open-to-internet public-website.yaml)" \
    "$(where "$fx/cfn/public-website.yaml" "CidrIp:") ipPermissions[0].ipRanges[0].cidrIp"
# ... a setting that is absent has no key: the finding points at the resource.
expect "CloudFormation bucket without Block Public Access: at its logical id" \
    "$(loc aws-s3-bucket-public-access-block-off public-website.yaml)" \
    "$(where "$fx/cfn/public-website.yaml" "WebsiteBucket:") -"

# Terraform plan: snake_case attributes found for camelCase data members.
expect "Terraform ingress open to the world: in the plan's ingress rule" \
    "$(loc aws-ec2-sg-database-port-open-to-internet plan.json | cut -d' ' -f1,3)" \
    "$(where "$fx/terraform/plan.json" '"from_port": 3306' | cut -d' ' -f1) ipPermissions[0].fromPort"

# SARIF carries the same line and column.
rm -rf "$tmp/db"
"$PARAPET" --plugin-dir "$tmp/plugins" scan iac "$fx/k8s/workloads.yaml" --db "$tmp/db" --rules "$top_srcdir/policies" \
    --no-default-rules --output "sarif:$tmp/out.sarif" >/dev/null 2>&1
got=$(python3 - "$tmp/out.sarif" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["runs"][0]["results"]:
    if r["ruleId"] == "k8s-deployment-privileged-container":
        reg = r["locations"][0]["physicalLocation"]["region"]
        print(reg["startLine"], reg["startColumn"])
        break
PY
)
expect "SARIF region of the privileged container" "$got" "$(where "$fx/k8s/workloads.yaml" "privileged: true")"

# A resource collected from an API has no file, so no location.
cat >"$tmp/estate.jsonl" <<'JSON'
{"uid":"arn:aws:s3:::loc-test","type":"aws.s3.bucket","provider":"aws","account":"111122223333","region":"eu-west-1","name":"loc-test","data":{"name":"loc-test","publicAccessBlock":null},"source":{"kind":"api"}}
JSON
scan snapshot "$tmp/estate.jsonl"
expect "API resource: no location" "$(loc aws-s3-bucket-public-access-block-off loc-test)" "none"

[ "$fails" -eq 0 ] || exit 1
echo "PASS: iac_location"
