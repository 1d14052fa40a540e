#!/bin/sh
# iac_bench.sh - a generated tree of IaC files (CloudFormation YAML and JSON,
# Kubernetes manifests, Terraform plans; default 10,000 files) through
# `parapet scan iac`: files/s, resources/s and peak RSS, with all rules and
# with none, beside reading the same files once (cat > /dev/null) measured
# in the same run.  usage: contrib/bench/iac_bench.sh [BUILDDIR] [FILES]
set -u
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
top_builddir=$(cd "${1:-.}" && pwd)
N=${2:-10000}
PARAPET="$top_builddir/parapet"
[ -x "$PARAPET" ] || { echo "iac_bench: build parapet first ($PARAPET)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "iac_bench: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
command -v bc >/dev/null 2>&1 || { echo "iac_bench: needs bc" >&2; exit 2; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/parapet-iac-bench.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/plugins"
for p in iac jsonl; do ln -s "$top_builddir/plugins/$p/.libs/$p.so" "$TMP/plugins/$p.so"; done

# The tree: a quarter of each kind, with good and bad settings mixed.
python3 - "$TMP/tree" "$N" <<'PY'
import json, os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, "team%02d" % (i % 50), "svc%03d" % (i // 50 % 200))
    os.makedirs(d, exist_ok=True)
    bad = i % 3 == 0
    k = i % 4
    if k == 0:
        open(os.path.join(d, "stack%d.yaml" % i), "w").write(
            "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Env:\n    Type: String\n    Default: prod\n"
            "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub 'b-%d-${Env}'\n"
            "      AccessControl: %s\n  Group:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n"
            "      GroupDescription: g\n      SecurityGroupIngress:\n        - IpProtocol: tcp\n          FromPort: 22\n"
            "          ToPort: 22\n          CidrIp: %s\n" % (i, "PublicRead" if bad else "Private",
                                                            "0.0.0.0/0" if bad else "10.0.0.0/8"))
    elif k == 1:
        json.dump({"Resources": {"Vol": {"Type": "AWS::EC2::Volume", "Properties": {
            "AvailabilityZone": "eu-west-1a", "Size": 10, "Encrypted": not bad}},
            "Key": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": not bad,
                                                             "KeyPolicy": {"Statement": []}}}}},
                  open(os.path.join(d, "stack%d.json" % i), "w"))
    elif k == 2:
        sc = "{privileged: true}" if bad else "{runAsNonRoot: true, allowPrivilegeEscalation: false}"
        open(os.path.join(d, "deploy%d.yaml" % i), "w").write(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app%d\n  namespace: ns%d\nspec:\n"
            "  template:\n    spec:\n      containers:\n        - name: app\n          image: registry.example/app:1.%d\n"
            "          securityContext: %s\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: app%d\n"
            "  namespace: ns%d\nspec:\n  type: %s\n  ports:\n    - port: 443\n" % (
                i, i % 7, i, sc, i, i % 7, "LoadBalancer" if bad else "ClusterIP"))
    else:
        json.dump({"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {"root_module": {
            "resources": [{"address": "aws_ebs_volume.v", "mode": "managed", "type": "aws_ebs_volume", "name": "v",
                           "values": {"availability_zone": "eu-west-1a", "size": 8, "encrypted": not bad}},
                          {"address": "aws_security_group.g", "mode": "managed", "type": "aws_security_group",
                           "name": "g", "values": {"name": "g%d" % i, "description": "d", "ingress": [
                               {"from_port": 3306, "to_port": 3306, "protocol": "tcp",
                                "cidr_blocks": ["0.0.0.0/0" if bad else "10.1.0.0/16"]}]}}]}}},
                  open(os.path.join(d, "plan%d.json" % i), "w"))
PY
files=$(find "$TMP/tree" -type f | wc -l)
bytes=$(du -sb "$TMP/tree" | cut -f1)
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }
sync 2>/dev/null
t0=$(now); find "$TMP/tree" -type f -exec cat {} + >/dev/null; t1=$(now)
floor=$(secs "$t0" "$t1")
printf '%d files, %d bytes\n' "$files" "$bytes"
printf '%-28s %8.2f s\n' "read every file once" "$floor"
# run WHAT ARGS... : scan the tree, print time, files/s, resources/s, peak RSS
run() {
    what=$1
    shift
    rm -f "$TMP/b.db"
    t0=$(now)
    /usr/bin/time -f '%M %U %S' -o "$TMP/rss" "$PARAPET" --plugin-dir "$TMP/plugins" --db "$TMP/b.db" -q \
        --progress=never scan iac "$TMP/tree" "$@" >/dev/null 2>"$TMP/err"
    rc=$?
    t1=$(now)
    [ "$rc" -le 1 ] || { echo "iac_bench: scan failed ($rc):" >&2; head -5 "$TMP/err" >&2; exit 1; }
    wall=$(secs "$t0" "$t1")
    res=$(sqlite3 -batch -noheader "$TMP/b.db" "SELECT count(*) FROM resources;")
    fnd=$(sqlite3 -batch -noheader "$TMP/b.db" "SELECT count(*) FROM findings WHERE status = 'fail';")
    set -- $(tail -n 1 "$TMP/rss")
    printf '%-28s %8.2f s  %7.0f files/s  %7.0f resources/s  CPU %6.2f s  peak RSS %6d KiB  %d resources, %d failing\n' \
        "$what" "$wall" "$(echo "$files / $wall" | bc -l)" "$(echo "$res / $wall" | bc -l)" \
        "$(echo "$2 + $3" | bc -l)" "$1" "$res" "$fnd"
}
run "scan, no rules" --no-default-rules
run "scan, all rules" --rules "$top_srcdir/policies" --no-default-rules
