#!/bin/sh
# outputs_ocsf_asff.sh - the ocsf and asff formats through the CLI.
#
# OCSF: every event is checked against the OCSF 1.8.0 attribute lists copied
# into tests/fixtures/outputs/ocsf-1.8.0/ (required attributes, enum values,
# types, unknown attributes, the at_least_one / just_one constraints), and
# against the finding it came from (class by kind, severity_id, status_id,
# type_uid, time in ms, a finding_info.uid stable across scans).
# ASFF: the members BatchImportFindings requires, their enums and limits,
# batches of at most 100.
. "${top_srcdir:?}/tests/integration/outputs_lib.sh"

O="$TMP/a"
ox_scan "$O" --rules "$OX_FX/rules-kinds" --output "jsonl:$O.jsonl" --output "ocsf:$O.ocsf" --output "asff:$O.asff"
expect_rc "$O" 0 "scan with jsonl, ocsf and asff outputs"
# a second scan: finding_info.uid must not change
O2="$TMP/b"
ox_scan "$O2" --rules "$OX_FX/rules-kinds" --output "ocsf:$O2.ocsf"
expect_rc "$O2" 0 "second scan"

py "ocsf: every event valid against the OCSF 1.8.0 field lists and true to its finding" '
import json, sys
fx, ocsf, ocsf2, ref = sys.argv[1:5]
schema = json.load(open(fx + "/resolved_findings_fields.json"))
version = json.load(open(fx + "/version.json"))["version"]
cats = json.load(open(fx + "/categories.json"))["attributes"]
entity = json.load(open(fx + "/object_entity.json"))["constraints"]["at_least_one"]
vuln_one = json.load(open(fx + "/object_vulnerability.json"))["constraints"]["just_one"]
classes = {v["class_uid"]: (k, v) for k, v in schema.items() if isinstance(v, dict) and "class_uid" in v}
objects = schema["objects"]
events = [json.loads(l) for l in open(ocsf) if l.strip()]
findings = [json.loads(l) for l in open(ref) if l.strip()]
assert len(events) == len(findings) == 12, (len(events), len(findings))
TYPES = {"integer_t": int, "long_t": int, "string_t": str, "timestamp_t": int, "boolean_t": bool, "float_t": (int, float)}
checked = [0]
def check_value(path, a, v):
    a = dict(a, name=path.rsplit(".", 1)[-1])
    if a["is_array"]:
        assert isinstance(v, list), path + ": not an array"
        for i, x in enumerate(v):
            check_value("%s[%d]" % (path, i), dict(a, is_array=False), x)
        return
    t = TYPES.get(a["type"])
    if t:
        assert isinstance(v, t) and not (t is int and isinstance(v, bool)), "%s: %r is not %s" % (path, v, a["type"])
        # the base event enums of category_uid, class_uid and type_uid are
        # placeholders ("0"); those three are checked exactly further down
        if a["enum"] and a["type"] in ("integer_t", "long_t") and a["name"] not in ("category_uid", "class_uid", "type_uid"):
            assert str(v) in a["enum"], "%s: %r not in enum %s" % (path, v, sorted(a["enum"]))
    elif a["type"] in objects:
        check_object(path, objects[a["type"]], v, a["type"])
    else:
        assert isinstance(v, (dict, list, str, int, float, bool)), path
    checked[0] += 1
def check_object(path, attrs, obj, name):
    assert isinstance(obj, dict), path + ": not an object"
    by = {a["name"]: a for a in attrs}
    for a in attrs:
        if a["requirement"] == "required":
            assert a["name"] in obj, "%s: required %s missing" % (path, a["name"])
    for k, v in obj.items():
        assert k in by, "%s: %s is not an attribute of %s" % (path, k, name)
        check_value(path + "." + k, by[k], v)
    if name == "resource_details":
        assert any(k in obj for k in entity), path + ": needs one of " + str(entity)
    if name == "vulnerability":
        assert sum(k in obj for k in vuln_one) == 1, path + ": needs exactly one of " + str(vuln_one)
SEV = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
STATUS = {"fail": 1, "error": 1, "muted": 3, "pass": 4}
KIND = {"threat-": 2004, "vuln-": 2002}
import hashlib
uids = set()
for e, f in zip(events, findings):
    cls = e["class_uid"]
    name, spec = classes[cls]
    attrs = spec["attributes"]
    top = {a["name"] for a in attrs}
    extra = set(e) - top
    assert extra <= {"cloud"} and ("cloud" not in e or "cloud" in e["metadata"]["profiles"]), extra
    check_object(name, [a for a in attrs], {k: v for k, v in e.items() if k != "cloud"}, name)
    if "cloud" in e:
        check_object("cloud", objects["cloud"], e["cloud"], "cloud")
    want_cls = next((c for p, c in KIND.items() if f["rule_id"].startswith(p)), 2003)
    assert cls == want_cls, (f["rule_id"], cls)
    assert e["category_uid"] == cats["findings"]["uid"] == spec["category_uid"]
    assert e["type_uid"] == cls * 100 + e["activity_id"], e["type_uid"]
    assert e["severity_id"] == SEV[f["severity"]], (e["severity_id"], f["severity"])
    assert e["status_id"] == STATUS[f["status"]], (e["status_id"], f["status"])
    assert e["metadata"]["version"] == version and e["metadata"]["product"]["name"] == "parapet"
    assert e["metadata"]["product"]["version"], "product version"
    assert 1_000_000_000_000 < e["time"] < 100_000_000_000_000, "time must be in ms: %r" % e["time"]
    assert e["resources"][0]["uid"] == f["resource_uid"]
    want_uid = hashlib.sha256((f["rule_id"] + "\n" + f["resource_uid"]).encode()).hexdigest()
    assert e["finding_info"]["uid"] == want_uid
    uids.add(want_uid)
    if cls == 2003:
        assert e["compliance"]["status_id"] == {"pass": 1, "error": 2}.get(f["status"], 3)
        assert e["compliance"]["standards"] == ["ox-bench-1.0"]
assert len(uids) == len(events), "finding_info.uid must differ between (rule, resource) pairs"
again = {json.loads(l)["finding_info"]["uid"] for l in open(ocsf2) if l.strip()}
assert again == uids, "finding_info.uid changed between scans"
print("ok: %d events (classes %s), %d values checked" % (len(events), sorted({e["class_uid"] for e in events}), checked[0]))
' "$OX_FX/ocsf-1.8.0" "$O.ocsf" "$O2.ocsf" "$O.jsonl"
check "ocsf: no raw <script> in the file" inert "$O.ocsf"

py "asff: BatchImportFindings-ready: required members, enums, limits" '
import json, re, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ref = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
assert all(set(b) == {"Findings"} and 1 <= len(b["Findings"]) <= 100 for b in lines), "batch shape"
fs = [f for b in lines for f in b["Findings"]]
assert len(fs) == len(ref) == 12, len(fs)
REQ = ["AwsAccountId", "CreatedAt", "Description", "GeneratorId", "Id", "ProductArn", "Resources",
       "SchemaVersion", "Title", "Types", "UpdatedAt", "Severity"]
ts = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
COMP = {"pass": "PASSED", "fail": "FAILED", "muted": "FAILED", "error": "NOT_AVAILABLE"}
WF = {"pass": "RESOLVED", "fail": "NEW", "error": "NEW", "muted": "SUPPRESSED"}
ids = set()
for a, f in zip(fs, ref):
    for k in REQ:
        assert k in a and a[k], "missing " + k
    assert a["SchemaVersion"] == "2018-10-08"
    assert re.match(r"^arn:aws:securityhub:[a-z0-9-]+:\d{12}:product/\d{12}/default$", a["ProductArn"]), a["ProductArn"]
    assert re.match(r"^\d{12}$", a["AwsAccountId"])
    assert ts.match(a["CreatedAt"]) and ts.match(a["UpdatedAt"])
    assert a["Severity"]["Label"] == {"info": "INFORMATIONAL"}.get(f["severity"], f["severity"].upper())
    assert len(a["Title"]) <= 256 and len(a["Description"]) <= 1024 and len(a["Id"]) <= 512
    assert a["GeneratorId"] == f["rule_id"]
    assert all(t.count("/") <= 2 for t in a["Types"]) and a["Types"], a["Types"]
    r = a["Resources"][0]
    assert r["Type"] and r["Id"] == f["resource_uid"]
    assert a["Compliance"]["Status"] == COMP[f["status"]]
    assert a["Workflow"]["Status"] == WF[f["status"]]
    assert a["RecordState"] in ("ACTIVE", "ARCHIVED")
    ids.add(a["Id"])
assert len(ids) == len(fs), "Ids must be unique"
print("ok: %d findings in %d batch(es)" % (len(fs), len(lines)))
' "$O.asff" "$O.jsonl"
check "asff: no raw <script> in the file" inert "$O.asff"

# Descriptions are cut to 1024 bytes on a UTF-8 boundary; batches hold 100:
# 150 buckets x 2 generated rules whose message is 1600 bytes of "é".
mkdir -p "$TMP/long/ox"
python3 -c '
import json, sys
d = sys.argv[1]
with open(d + "/many.jsonl", "w") as f:
    for i in range(150):
        f.write(json.dumps({"uid": "ox:b:%d" % i, "type": "ox.bucket", "provider": "aws", "account": "123456789012",
                            "region": "eu-west-1", "name": "\u00e9" * 400, "data": {"public": True}}) + "\n")
ex = {"fail": [{"uid": "ox:a", "type": "ox.bucket", "provider": "aws", "name": "a", "data": {"public": True}}],
      "pass": [{"uid": "ox:b", "type": "ox.bucket", "provider": "aws", "name": "b", "data": {"public": False}}]}
rules = [{"id": "ox-long-%d" % k, "title": "Long message %d" % k, "description": "Text longer than ASFF allows.",
          "resource_type": "ox.bucket", "severity": "low", "violation": "resource.data.public",
          "message": "{{resource.name}}{{resource.name}}", "remediation": {"text": "none"}, "examples": ex}
         for k in (1, 2)]
json.dump({"format": 1, "rules": rules}, open(d + "/long/ox/long.json", "w"))
' "$TMP"
rm -f "$TMP/m.db"
run_parapet "$TMP/m" --plugin-dir "$OX_PD" --db "$TMP/m.db" scan snapshot "$TMP/many.jsonl" --no-default-rules \
    --rules "$TMP/long" --output "asff:$TMP/m.asff"
expect_rc "$TMP/m" 0 "scan of 150 buckets with long names"
py "asff: 300 findings in batches of 100, long text cut to the limits, valid UTF-8" '
import json, sys
raw = open(sys.argv[1], "rb").read()
raw.decode("utf-8")
lines = [json.loads(l) for l in raw.splitlines() if l.strip()]
assert [len(b["Findings"]) for b in lines] == [100, 100, 100], [len(b["Findings"]) for b in lines]
d = [f["Description"] for b in lines for f in b["Findings"] if f["Compliance"]["Status"] == "FAILED"]
assert d and all(len(x.encode()) <= 1024 for x in d) and max(len(x.encode()) for x in d) >= 1020, "Description cut"
print("ok: 3 batches of 100; Descriptions cut to %d bytes" % max(len(x.encode()) for x in d))
' "$TMP/m.asff"

# A finding without a 12-digit account is refused with the fix in the message,
# and the file is not written.
printf '%s\n' '{"uid": "ox:noacct", "type": "ox.bucket", "provider": "k8s", "name": "n", "data": {"public": true, "encrypted": true}}' >"$TMP/noacct.jsonl"
rm -f "$TMP/n.db"
run_parapet "$TMP/n" --plugin-dir "$OX_PD" --db "$TMP/n.db" scan snapshot "$TMP/noacct.jsonl" --no-default-rules \
    --rules "$OX_FX/rules" --output "asff:$TMP/n.asff"
check "asff without an AWS account: the error says to set outputs.aws_account_id" \
    grep -q "outputs.aws_account_id" "$TMP/n.err"
rm -f "$TMP/n2.db"
run_parapet "$TMP/n2" --plugin-dir "$OX_PD" --db "$TMP/n2.db" scan snapshot "$TMP/noacct.jsonl" --no-default-rules \
    --rules "$OX_FX/rules" --output "asff:$TMP/n2.asff" -o outputs.aws_account_id=210987654321
expect_rc "$TMP/n2" 0 "asff with outputs.aws_account_id"
check "the configured account is used" grep -q '"AwsAccountId":"210987654321"' "$TMP/n2.asff"

finish
