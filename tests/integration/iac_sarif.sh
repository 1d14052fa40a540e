#!/bin/sh
# The `sarif` output: a scan of templates and manifests gives a SARIF 2.1.0
# log that validates against the OASIS schema (python3-jsonschema; a
# structural check of the members code scanning needs runs either way),
# with a region (file, line, column: the key that decided it) per result,
# rules with metadata, and
# fingerprints that stay the same from scan to scan.
set -u
. "${top_srcdir:-.}/tests/integration/iac_lib.sh"

sarif_scan() { # OUT
    rm -rf "$tmp/db"
    "$PARAPET" --plugin-dir "$tmp/plugins" scan iac "$fx/cfn" "$fx/k8s" --db "$tmp/db" \
        --rules "$top_srcdir/policies" --no-default-rules --output "sarif:$1" >"$tmp/stdout" 2>"$tmp/err"
    rc=$?
}
sarif_scan "$tmp/a.sarif"
[ "$rc" -eq 0 ] || fail "scan exited $rc: $(cat "$tmp/err")"
sarif_scan "$tmp/b.sarif"

python3 - "$tmp/a.sarif" "$tmp/b.sarif" "$fx/sarif-schema-2.1.0.json" "$fx" <<'PY' || fail "SARIF checks (above)"
import json, sys
a, b, schema_path, fx = sys.argv[1:5]
log = json.load(open(a))
bad = []
try:
    import jsonschema
    jsonschema.Draft4Validator(json.load(open(schema_path))).validate(log)
    print("schema: valid")
except ImportError:
    print("schema: python3-jsonschema is not installed; structural checks only")
except Exception as e:  # jsonschema.ValidationError
    bad.append("schema: %s" % str(e).splitlines()[0])
if log.get("version") != "2.1.0" or len(log.get("runs", [])) != 1:
    bad.append("version/runs")
run = log["runs"][0]
rules = run["tool"]["driver"]["rules"]
ids = [r["id"] for r in rules]
if len(ids) != len(set(ids)):
    bad.append("duplicate rule entries")
for r in rules:
    if not r.get("shortDescription", {}).get("text") or r["defaultConfiguration"]["level"] not in ("error", "warning", "note"):
        bad.append("rule %s lacks metadata" % r["id"])
results = run["results"]
if not results:
    bad.append("no results")
# A result points at the key that decided it when the rule read one that is
# written in the file (the first "privileged: true" of workloads.yaml), else
# at the resource (the bucket's logical id; the JSON group, whose ingress is
# a separate resource).
priv = next((i + 1, l.index("privileged:") + 1) for i, l in enumerate(open(fx + "/k8s/workloads.yaml"))
            if "privileged: true" in l)
want = {("aws-s3-bucket-acl-public-read", "cfn/public-website.yaml", 22, 3),
        ("aws-ec2-sg-database-port-open-to-internet", "cfn/public-website.json", 17, 5),
        ("k8s-deployment-privileged-container", "k8s/workloads.yaml", priv[0], priv[1])}
got = set()
for r in results:
    if ids[r["ruleIndex"]] != r["ruleId"]:
        bad.append("ruleIndex of %s" % r["ruleId"])
    pl = r["locations"][0]["physicalLocation"]
    reg = pl["region"]
    if reg["startLine"] < 1 or reg.get("startColumn", 1) < 1:
        bad.append("region of %s" % r["ruleId"])
    if not r["partialFingerprints"].get("parapet/v1"):
        bad.append("fingerprint of %s" % r["ruleId"])
    uri = pl["artifactLocation"]["uri"]
    for w in want:
        if r["ruleId"] == w[0] and uri.endswith(w[1]) and reg["startLine"] == w[2] and reg.get("startColumn") == w[3]:
            got.add(w)
for w in want - got:
    bad.append("missing result %s at %s:%d:%d" % w)
fa = sorted((r["ruleId"], r["partialFingerprints"]["parapet/v1"]) for r in results)
fb = sorted((r["ruleId"], r["partialFingerprints"]["parapet/v1"]) for r in json.load(open(b))["runs"][0]["results"])
if fa != fb:
    bad.append("fingerprints changed between two scans of the same files")
if len(set(f for _, f in fa)) != len(fa):
    bad.append("two results share a fingerprint")
for m in bad:
    print("SARIF:", m)
sys.exit(1 if bad else 0)
PY

[ "$fails" -eq 0 ] || exit 1
echo "PASS: iac_sarif"
