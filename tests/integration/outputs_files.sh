#!/bin/sh
# outputs_files.sh - the json, csv and junit formats through the CLI,
# checked against the jsonl output of the same scan (the host's own record
# of the findings): every finding, every field; hostile names inert.
. "${top_srcdir:?}/tests/integration/outputs_lib.sh"

need xmllint "apt-get install libxml2-utils"

O="$TMP/files"
ox_scan "$O" --output "jsonl:$O.jsonl" --output "json:$O.json" --output "csv:$O.csv" --output "junit:$O.xml"
expect_rc "$O" 0 "scan with jsonl, json, csv and junit outputs"
check "no temporary file left behind" sh -c "test -s '$O.csv' && ! ls -A '$TMP' | grep -q '\.tmp-'"
check "csv file mode is 0640" test "$(stat -c %a "$O.csv")" = 640

# ---- json ----------------------------------------------------------------------
py "json: one document with scan, findings (same as jsonl) and summary" '
import json, sys
doc = json.load(open(sys.argv[1]))
ref = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
assert doc["format"] == "parapet.findings" and doc["format_version"] == 1, "format members"
scan = doc["scan"]
assert isinstance(scan["scan_id"], int) and scan["started_at"].endswith("Z"), scan
assert scan["providers"] == ["snapshot"], scan
assert len(ref) == 10, "the fixture gives 10 findings, jsonl has %d" % len(ref)
assert doc["findings"] == ref, "findings differ from the jsonl output"
s = doc["summary"]
assert s["status"] == "complete" and s["scan_id"] == scan["scan_id"], s
statuses = sorted(f["status"] for f in doc["findings"])
assert statuses == ["error", "fail", "fail", "fail", "muted"] + ["pass"] * 5, statuses
print("ok: %d findings, summary %s" % (len(ref), s["status"]))
' "$O.json" "$O.jsonl"
check "json: no raw <script> in the file" inert "$O.json"
check "json: the script name is there, \\u-escaped" grep -q '\\u003cscript\\u003ealert(1)\\u003c/script\\u003e' "$O.json"

# ---- csv -----------------------------------------------------------------------
COLUMNS="scan_id observed_at status severity rule_id title provider account region resource_type resource_uid message remediation compliance finding_uid"
py "csv: RFC 4180, documented columns, every field equal to the finding" '
import csv, hashlib, io, json, sys
raw = open(sys.argv[1], "rb").read()
assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b""), "lines must end in CRLF, no bare LF"
rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
cols = sys.argv[3].split()
assert rows[0] == cols, rows[0]
doc = json.load(open(sys.argv[2]))
fs = doc["findings"]
assert len(rows) == 1 + len(fs), (len(rows), len(fs))
start = doc["scan"]["started_at"]
def inert(v):
    return "\x27" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v
n = 0
for row, f in zip(rows[1:], fs):
    r = dict(zip(cols, row))
    want = {
        "scan_id": str(f["scan_id"]), "status": f["status"], "severity": f["severity"],
        "rule_id": f["rule_id"], "title": f.get("title", ""), "provider": f.get("provider", ""),
        "account": f.get("account", ""), "region": f.get("region", ""),
        "resource_type": f.get("resource_type", ""), "resource_uid": f["resource_uid"],
        "message": f.get("message", ""), "remediation": f.get("remediation", ""),
        "compliance": ";".join(c["framework"] + ":" + c["requirement"] for c in f.get("compliance", [])),
        "finding_uid": hashlib.sha256((f["rule_id"] + "\n" + f["resource_uid"]).encode()).hexdigest(),
    }
    for k, v in want.items():
        assert r[k] == inert(v), "row %d column %s: %r != %r" % (n, k, r[k], inert(v))
        n += 1
    assert r["observed_at"][:19] == start[:19] and r["observed_at"].endswith("Z"), r["observed_at"]
formula = [r for r in rows[1:] if "calc" in r[cols.index("resource_uid")]]
assert formula and all(r[cols.index("resource_uid")].startswith("\x27=") for r in formula), formula
assert any(r[cols.index("remediation")].startswith("\x27=HYPERLINK") for r in rows[1:]), "remediation formula"
print("ok: %d rows, %d fields compared" % (len(rows) - 1, n))
' "$O.csv" "$O.json" "$COLUMNS"

O2="$TMP/cols"
ox_scan "$O2" --output "csv:$O2.csv" -o outputs.csv_columns=rule_id,resource_uid,status
expect_rc "$O2" 0 "csv with csv_columns"
check "csv_columns: the header has exactly the chosen columns" \
    test "$(head -1 "$O2.csv" | tr -d '\r')" = '"rule_id","resource_uid","status"'

O3="$TMP/badcol"
ox_scan "$O3" --output "csv:$O3.csv" -o outputs.csv_columns=rule_id,password
expect_rc "$O3" 2 "an unknown csv column is refused"
check "and nothing was written" test ! -e "$O3.csv"

# ---- junit ---------------------------------------------------------------------
check "junit: well-formed (xmllint --noout)" xmllint --noout "$O.xml"
check "junit: valid against tests/fixtures/outputs/junit.xsd" \
    sh -c "xmllint --noout --schema '$OX_FX/junit.xsd' '$O.xml' 2>'$TMP/xsd.err'"
py "junit: one test case per rule and resource; failures, errors, skipped" '
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
fs = json.load(open(sys.argv[2]))["findings"]
suite = root.find("testsuite")
cases = suite.findall("testcase")
assert len(cases) == len(fs) == 10, len(cases)
want = {"fail": "failure", "error": "error", "muted": "skipped", "pass": None}
for c, f in zip(cases, fs):
    assert c.get("classname") == f["rule_id"] and c.get("name") == f["resource_uid"], c.attrib
    kids = [k.tag for k in c]
    assert kids == ([want[f["status"]]] if want[f["status"]] else []), (kids, f["status"])
    if f["status"] == "fail":
        assert c[0].get("type") == f["severity"] and f["message"] in c[0].text, c[0].attrib
for el in (root, suite):
    got = {k: el.get(k) for k in ("tests", "failures", "errors", "skipped")}
    assert got == {"tests": "10", "failures": "3", "errors": "1", "skipped": "1"}, got
print("ok: 10 test cases, counts right")
' "$O.xml" "$O.json"
check "junit: no raw <script> in the file" inert "$O.xml"

# ---- refusals --------------------------------------------------------------------
ln -s "$TMP/elsewhere" "$TMP/link.csv"
O4="$TMP/link"
ox_scan "$O4" --output "csv:$TMP/link.csv"
expect_rc "$O4" 2 "a symbolic link as csv path is refused"
check "the error names the path" grep -q "link.csv.*symbolic link" "$O4.err"
check "the link target was not created" test ! -e "$TMP/elsewhere"

O5="$TMP/dir"
ox_scan "$O5" --output "json:$TMP"
expect_rc "$O5" 2 "a directory as json path is refused"
check "the error says it is a directory" grep -q "is a directory" "$O5.err"

finish
