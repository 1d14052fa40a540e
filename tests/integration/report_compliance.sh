#!/bin/sh
# report_compliance.sh - `parapet report --framework ID --format json|csv|html`,
# the audit-ready compliance report (docs/report.md "Compliance report").
#
# The demo estate plus three copies of a failing bucket with hostile uids
# (a spreadsheet formula, a <script> tag, quotes and a comma) and a security
# group whose id (quoted by the messages) holds a newline is scanned
# with the shipped rule packs; two suppressions are added (one with a
# hostile reason, one that expires seconds after the rescan) and the estate
# rescanned. Then for pci-dss-4.0 and cis-aws-3.0:
#  - json parses, its counts and every requirement's status equal
#    `parapet compliance FW --format json` for the same scan, every muted
#    finding of the framework's rules is an exception with the reason, owner
#    and expiry of its suppression, the expired one flagged;
#  - csv read back with Python's csv module has the documented columns, one
#    row per (requirement, rule, resource), no cell a spreadsheet would run
#    as a formula, and the hostile uids come back exactly (the formula one
#    with its leading apostrophe);
#  - html has no markup from the data, opens in headless Chromium with no
#    console error, no dialog and no request, shows the same number of
#    requirements and the hostile names as text, and prints to PDF.
# Unknown framework, unknown scan and bad options fail cleanly.
. "${top_srcdir:?}/tests/integration/report_lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || { echo "FAIL: $TEST_NAME needs $PY (apt-get install python3)" >&2; exit 1; }

FORMULA_UID="=cmd|' /C calc'!A0"
SCRIPT_UID='<script>alert(1)</script>'
# quotes and a comma in a uid and name; a newline and quotes in a security
# group's groupId, which its rule messages quote (uids, names and
# suppression reasons may not hold a control character; resource data may)
NLQ_UID='arn:aws:s3:::evil "bucket", two'
NLQ_GROUP_SQL="'sg-evil \"group\"' || char(10) || 'second line'"
RULE_A=aws-ec2-sg-all-traffic-open-to-internet
REASON_A='=HYPERLINK("http://x") accepted: <b>batch</b> workers behind NAT'
RULE_B=aws-rds-instance-unencrypted

# ---- the estate: the demo plus three hostile copies of a failing bucket
base=$(grep '"uid":"arn:aws:s3:::acme-prod-backups"' "$top_srcdir/contrib/demo/estate.jsonl")
[ -n "$base" ] || { echo "FAIL: the demo estate has no acme-prod-backups bucket" >&2; exit 1; }
printf '%s\n' "$base" >"$TMP/base.jsonl"
cp "$top_srcdir/contrib/demo/estate.jsonl" "$TMP/estate.jsonl" || exit 1
# (uid and name as SQL expressions; the rule messages quote the name)
hostile() {
    sqlite3 -batch -noheader :memory: "SELECT json_set(CAST(readfile('$TMP/base.jsonl') AS TEXT),
        '\$.uid', $1, '\$.name', $2);" >>"$TMP/estate.jsonl"
}
hostile "'$(printf '%s' "$FORMULA_UID" | sed "s/'/''/g")'" "'$(printf '%s' "$FORMULA_UID" | sed "s/'/''/g")'"
hostile "'$SCRIPT_UID'" "'$SCRIPT_UID'"
hostile "'$NLQ_UID'" "'$NLQ_UID'"
grep '"uid":"arn:aws:ec2:eu-west-1:210987654321:security-group/sg-5d99669002e22b61d"' \
    "$top_srcdir/contrib/demo/estate.jsonl" >"$TMP/sg.jsonl"
sqlite3 -batch -noheader :memory: "SELECT json_set(CAST(readfile('$TMP/sg.jsonl') AS TEXT),
    '\$.uid', 'arn:aws:ec2:eu-west-1:210987654321:security-group/sg-evil', '\$.data.groupId', $NLQ_GROUP_SQL);" \
    >>"$TMP/estate.jsonl"
check "the estate has the demo's resources and 4 hostile ones" \
    test "$(wc -l <"$TMP/estate.jsonl")" -eq "$(($(wc -l <"$top_srcdir/contrib/demo/estate.jsonl") + 4))"

rp_scan "$TMP/db" "$TMP/estate.jsonl"
check "every line of the estate was imported" sh -c "! grep -q 'skipped' '$TMP/scan.err'"
run_parapet "$TMP/supA" --db "$TMP/db" suppress add --rule "$RULE_A" --reason "$REASON_A" --owner alice --for 90d
expect_rc "$TMP/supA" 0 "suppress add $RULE_A"
# B expires a few seconds after the rescan: its muted findings must be
# reported as exceptions under an expired suppression
expires_b=$(date -u -d '+6 seconds' +%Y-%m-%dT%H:%M:%SZ)
run_parapet "$TMP/supB" --db "$TMP/db" suppress add --rule "$RULE_B" --reason "Legacy database, migration planned" \
    --owner bob --expires "$expires_b"
expect_rc "$TMP/supB" 0 "suppress add $RULE_B (expires $expires_b)"
rp_scan "$TMP/db" "$TMP/estate.jsonl"
check "the rescan ended before suppression B expired" test "$(date -u +%s)" -lt "$(date -u -d "$expires_b" +%s)"
run_parapet "$TMP/muted" --db "$TMP/db" findings --status muted --format json
expect_rc "$TMP/muted" 0 "findings --status muted"
run_parapet "$TMP/supp" --db "$TMP/db" suppress list --all --format json
expect_rc "$TMP/supp" 0 "suppress list --all"
while [ "$(date -u +%s)" -le "$(date -u -d "$expires_b" +%s)" ]; do sleep 1; done

# ---- the checks of the json and csv of one framework, in Python
cat >"$TMP/check.py" <<'EOF'
import csv, json, sys

fw, report_json, report_csv, compliance_json, muted_json, supp_json = sys.argv[1:7]
needles = json.loads(sys.argv[7])
failures = 0

def check(what, cond, detail=""):
    global failures
    print(("ok: " if cond else "FAIL: ") + what + ("" if cond or not detail else f" ({detail})"))
    failures += 0 if cond else 1

def first_list(pairs):
    # `parapet compliance FW --format json` gives a framework two members
    # named "requirements": the list and then its count; keep the list as
    # "requirements" and the count as "n_requirements"
    o = {}
    for k, v in pairs:
        if k == "requirements" and k in o:
            k = "n_requirements"
        o[k] = v
    return o

doc = json.load(open(report_json, encoding="utf-8"))
comp = json.load(open(compliance_json, encoding="utf-8"), object_pairs_hook=first_list)
cf = comp["frameworks"][0]
cf.setdefault("n_requirements", len(cf["requirements"]))
check(f"{fw}: json is a compliance report, format_version 1",
      doc.get("report") == "compliance" and doc.get("format_version") == 1)
check(f"{fw}: json names the framework", doc["framework"]["id"] == fw == cf["id"])
check(f"{fw}: json is of the same scan as compliance ({comp['scan_id']})", doc["scan"]["id"] == comp["scan_id"])
scan = doc["scan"]
check(f"{fw}: scan time, status and scope are there",
      scan["started_at"].endswith("Z") and scan["status"] == "complete" and "aws" in scan["providers"]
      and "210987654321" in scan["accounts"] and "us-east-1" in scan["regions"], json.dumps(scan)[:300])
s = doc["summary"]
check(f"{fw}: summary.requirements = {cf['n_requirements']} as in compliance",
      s["requirements"] == cf["n_requirements"] == len(cf["requirements"]))
for k in ("passed", "failed", "manual", "not_covered",
          "passed_pct", "failed_pct", "manual_pct", "not_covered_pct"):
    check(f"{fw}: summary.{k} = {cf[k]} as in compliance", s[k] == cf[k], f"got {s[k]}")
check(f"{fw}: one entry per requirement ({len(cf['requirements'])})", len(doc["requirements"]) == len(cf["requirements"]))
word = {"pass": "passed", "fail": "failed", "manual": "manual", "not covered": "not covered"}
same = [r["id"] for r, c in zip(doc["requirements"], cf["requirements"])
        if r["id"] != c["id"] or r["status"] != word[c["status"]] or r["rules_judged"] != c["rules_judged"]]
check(f"{fw}: every requirement's id, status and rules judged as in compliance", not same, ", ".join(same[:5]))
check(f"{fw}: the framework has failed requirements", s["failed"] > 0)

# failing resources first, each with its message and evidence
order = {"fail": 0, "error": 1, "muted": 2, "pass": 3}
bad = []
for r in doc["requirements"]:
    for ru in r["rules"]:
        ranks = [order[x["result"]] for x in ru["resources"]]
        if ranks != sorted(ranks):
            bad.append(ru["id"])
        for x in ru["resources"]:
            if x["result"] == "fail" and not (x["message"] and x["evidence"] is not None):
                bad.append(ru["id"] + " " + x["uid"])
check(f"{fw}: failing resources first, each with a message and evidence", not bad, ", ".join(bad[:3]))

# every muted finding of the framework is an exception with its suppression
supps = {x["id"]: x for x in json.load(open(supp_json, encoding="utf-8"))}
muted = [m for m in json.load(open(muted_json, encoding="utf-8"))
         if any(c["framework"] == fw for c in m.get("compliance") or [])]
exc = {}
for r in doc["requirements"]:
    for x in r["exceptions"]:
        exc.setdefault((x["rule"], x["resource"]), []).append(x)
check(f"{fw}: the scan has muted findings of the framework ({len(muted)})", len(muted) > 0)
missing = []
for m in muted:
    xs = exc.get((m["rule_id"], m["resource_uid"]))
    sup = supps.get(m["evidence"].get("suppression"))
    if not xs or not sup or any(x["reason"] != sup["reason"] or x["owner"] != sup["owner"]
                                or x["suppression_id"] != sup["id"] or not x["created_at"] for x in xs):
        missing.append(m["rule_id"] + " " + m["resource_uid"])
check(f"{fw}: every muted finding is an exception with its suppression's reason and owner", not missing,
      ", ".join(missing[:3]))
check(f"{fw}: summary.exceptions counts each muted finding once ({len(muted)})",
      s["exceptions"] == len(exc) == len({(m["rule_id"], m["resource_uid"]) for m in muted}))
expired = {x["owner"] for v in exc.values() for x in v if x["expired"]}
check(f"{fw}: the expired suppression (bob's) is flagged, the other not", expired == {"bob"}, str(expired))
check(f"{fw}: summary.expired_exceptions counts them once each",
      s["expired_exceptions"] == sum(1 for v in exc.values() if v[0]["expired"]) > 0)
check(f"{fw}: the hostile reason is kept as it is",
      any(x["reason"] == needles["reason"] for v in exc.values() for x in v))

# ---- csv
COLUMNS = ["framework", "scan_id", "requirement", "requirement_title", "requirement_status", "rule", "rule_status",
           "resource", "resource_type", "provider", "account", "region", "result", "severity", "message", "evidence",
           "exception_reason", "exception_owner", "exception_created_at", "exception_expires_at", "exception_expired"]
raw = open(report_csv, "rb").read()
check(f"{fw}: csv lines end in CRLF", raw.count(b"\r\n") > 0 and raw.endswith(b"\r\n"))
rows = list(csv.reader(open(report_csv, newline="", encoding="utf-8"), strict=True))
check(f"{fw}: csv header is the documented columns", rows[0] == COLUMNS, str(rows[0]))
check(f"{fw}: every csv row has {len(COLUMNS)} cells", all(len(r) == len(COLUMNS) for r in rows))
want = sum(max(1, sum(max(1, len(ru["resources"])) for ru in r["rules"])) for r in doc["requirements"])
check(f"{fw}: one csv row per (requirement, rule, resource): {want}", len(rows) - 1 == want, f"got {len(rows) - 1}")
recs = [dict(zip(COLUMNS, r)) for r in rows[1:]]
formula = [c for r in rows[1:] for c in r if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
check(f"{fw}: no csv cell starts with = + - @ TAB or CR", not formula, repr(formula[:3]))
check(f"{fw}: csv counts failed requirements as json",
      len({r["requirement"] for r in recs if r["requirement_status"] == "failed"}) == s["failed"])
def has(uid, result="fail"):
    return any(r["resource"] == uid and r["result"] == result for r in recs)
def message_has(text):
    return any(text in r["message"] for r in recs)
check(f"{fw}: the formula uid comes back behind an apostrophe", has("'" + needles["formula"]))
check(f"{fw}: the <script> uid comes back exactly", has(needles["script"]))
check(f"{fw}: the uid with quotes and a comma comes back exactly", has(needles["nlq"]))
check(f"{fw}: the groupId with a newline and quotes comes back exactly in a message", message_has(needles["nlq_name"]))
rx = [r for r in recs if r["result"] == "muted"]
check(f"{fw}: muted rows carry reason, owner, created and expiry",
      rx and all(r["exception_reason"] and r["exception_owner"] in ("alice", "bob") and r["exception_created_at"]
                 and r["exception_expires_at"] and r["exception_expired"] in ("true", "false") for r in rx))
check(f"{fw}: the hostile reason is neutralised in the csv",
      any(r["exception_reason"] == "'" + needles["reason"] for r in rx))
sys.exit(1 if failures else 0)
EOF

# ---- the browser check of one HTML report
cat >"$TMP/check.mjs" <<EOF
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Browser } from '$(cd "$top_srcdir" && pwd)/tests/browser/cdp.mjs';
const [report, outdir, name, wantReqs, ...needles] = process.argv.slice(2);
let failures = 0;
const check = (what, cond, detail = '') => {
  console.log(cond ? \`ok: \${what}\` : \`FAIL: \${what}\${detail ? \` (\${detail})\` : ''}\`);
  if (!cond) failures++;
};
const browser = await Browser.launch();
try {
  const page = await browser.newPage();
  await page.goto(pathToFileURL(report).href);
  const n = await page.eval("document.querySelectorAll('#requirements tbody tr').length");
  check(\`\${name}: the page lists \${wantReqs} requirements (\${n})\`, n === Number(wantReqs));
  const details = await page.eval("document.querySelectorAll('section.req').length");
  check(\`\${name}: one detail section per requirement (\${details})\`, details === Number(wantReqs));
  check(\`\${name}: every table has a caption and header cells\`, await page.eval(
    "Array.from(document.querySelectorAll('table')).every((t) => t.caption && t.querySelector('th'))"));
  const text = await page.eval('document.body.innerText');
  for (const s of needles) check(\`\${name}: shows \${JSON.stringify(s)} as text\`, text.includes(s));
  check(\`\${name}: no script element, nothing ran\`, await page.eval(
    "document.scripts.length === 0 && window.__parapet_pwned === undefined"));
  const pdf = await page.send('Page.printToPDF', { printBackground: false });
  const bytes = Buffer.from(pdf.data, 'base64');
  writeFileSync(\`\${outdir}/compliance-\${name}.pdf\`, bytes);
  check(\`\${name}: prints to PDF (\${bytes.length} bytes)\`, bytes.subarray(0, 5).toString() === '%PDF-');
  writeFileSync(\`\${outdir}/compliance-\${name}.png\`, await page.screenshot());
  const problems = page.problems();
  check(\`\${name}: no console error, exception or dialog\`, problems.length === 0, problems.join('; '));
  const reqs = page.requests().filter((u) => u !== pathToFileURL(report).href);
  check(\`\${name}: no request beyond the file\`, reqs.length === 0, reqs.join(' '));
  console.log('ok: the report renders');
} finally {
  await browser.close();
}
process.exit(failures ? 1 : 0);
EOF

needles=$("$PY" -c 'import json,sys; print(json.dumps({"formula": sys.argv[1], "script": sys.argv[2],
    "nlq": sys.argv[4], "nlq_name": "sg-evil \"group\"\nsecond line", "reason": sys.argv[3]}))' \
    "$FORMULA_UID" "$SCRIPT_UID" "$REASON_A" "$NLQ_UID")

for fw in pci-dss-4.0 cis-aws-3.0; do
    for f in json csv html; do
        run_parapet "$TMP/$fw-$f" --db "$TMP/db" report --framework "$fw" --frameworks "$RP_FW" --format "$f" \
            --output "$TMP/$fw.$f"
        expect_rc "$TMP/$fw-$f" 0 "report --framework $fw --format $f"
        check "$fw.$f is private to its owner (mode 600)" test "$(stat -c %a "$TMP/$fw.$f")" = 600
    done
    run_parapet "$TMP/$fw-stdout" --db "$TMP/db" report --framework "$fw" --frameworks "$RP_FW" --format json
    check "$fw: without --output the same report goes to standard output" "$PY" -c 'import json, sys
a, b = (json.load(open(f, encoding="utf-8")) for f in sys.argv[1:3])
a.pop("generated_at"); b.pop("generated_at")
sys.exit(a != b)' "$TMP/$fw-stdout.out" "$TMP/$fw.json"
    run_parapet "$TMP/$fw-comp" --db "$TMP/db" compliance "$fw" --frameworks "$RP_FW" --format json
    expect_rc "$TMP/$fw-comp" 0 "compliance $fw --format json"
    "$PY" "$TMP/check.py" "$fw" "$TMP/$fw.json" "$TMP/$fw.csv" "$TMP/$fw-comp.out" "$TMP/muted.out" "$TMP/supp.out" \
        "$needles" >"$TMP/$fw-py.out" 2>&1
    cat "$TMP/$fw-py.out"
    FAILURES=$((FAILURES + $(grep -c '^FAIL' "$TMP/$fw-py.out")))
    grep -q "csv header is the documented columns" "$TMP/$fw-py.out" || fail "$fw: the Python checks did not run"

    # the html: text from the data is escaped, no markup of it is left
    check "$fw.html: no <script in the file" sh -c "! grep -qi '<script' '$TMP/$fw.html'"
    check "$fw.html: no <b> from the hostile reason" sh -c "! grep -q '<b>' '$TMP/$fw.html'"
    check "$fw.html: the <script> uid is escaped" grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$TMP/$fw.html"
    check "$fw.html: a Content-Security-Policy with default-src 'none'" grep -q "default-src 'none'" "$TMP/$fw.html"
    check "$fw.html: has a print style" grep -q '@media print' "$TMP/$fw.html"
    nreq=$(rp_json "$TMP/$fw-comp.out" "json_array_length(j,'\$.frameworks[0].requirements')")
    timeout -s KILL 180 node "$TMP/check.mjs" "$TMP/$fw.html" "$RP_OUT" "$fw" "$nreq" "$SCRIPT_UID" "$FORMULA_UID" \
        "$REASON_A" "EXPIRED" >"$TMP/$fw-browser.out" 2>&1
    brc=$?
    cat "$TMP/$fw-browser.out"
    bf=$(grep -c '^FAIL' "$TMP/$fw-browser.out")
    FAILURES=$((FAILURES + bf))
    [ "$brc" -eq 0 ] || [ "$bf" -gt 0 ] || fail "$fw: the browser check ended with status $brc"
    grep -q '^ok: the report renders' "$TMP/$fw-browser.out" || fail "$fw: the browser check did not run"
done

# ---- an older scan, bad invocations
run_parapet "$TMP/old" --db "$TMP/db" report --framework pci-dss-4.0 --frameworks "$RP_FW" --format json --scan 1
expect_rc "$TMP/old" 0 "report of scan 1"
check "scan 1 (before the suppressions) has no exception" \
    test "$(rp_json "$TMP/old.out" "json_extract(j,'\$.scan.id')||' '||json_extract(j,'\$.summary.exceptions')")" = "1 0"
run_parapet "$TMP/nofw" --db "$TMP/db" report --framework no-such-fw --frameworks "$RP_FW" --format csv
expect_rc "$TMP/nofw" 2 "unknown framework"
check "the error names the unknown framework" grep -q "no framework 'no-such-fw'" "$TMP/nofw.err"
check "nothing is written for an unknown framework" test ! -s "$TMP/nofw.out"
run_parapet "$TMP/noscan" --db "$TMP/db" report --framework pci-dss-4.0 --frameworks "$RP_FW" --scan 999 \
    --output "$TMP/noscan.json" --format json
expect_rc "$TMP/noscan" 2 "unknown scan"
check "the error names the scan" grep -q "999" "$TMP/noscan.err"
check "no file for an unknown scan" test ! -e "$TMP/noscan.json"
run_parapet "$TMP/badfmt" --db "$TMP/db" report --framework pci-dss-4.0 --frameworks "$RP_FW" --format xml
expect_rc "$TMP/badfmt" 2 "--format xml"
check "the error lists the formats" grep -q "html, csv or json" "$TMP/badfmt.err"
run_parapet "$TMP/both" --db "$TMP/db" report --framework pci-dss-4.0 --html "$TMP/x.html"
expect_rc "$TMP/both" 2 "--framework with --html"
run_parapet "$TMP/fmtonly" --db "$TMP/db" report --format csv --output "$TMP/x.csv"
expect_rc "$TMP/fmtonly" 2 "--format without --framework"
run_parapet "$TMP/nodb" --db "$TMP/none.db" report --framework pci-dss-4.0 --frameworks "$RP_FW" --format json
expect_rc "$TMP/nodb" 2 "no store"
finish
