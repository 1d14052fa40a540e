#!/bin/sh
# report_large.sh - a report of 100,000 findings (a store generated with
# sqlite3 on top of a real scan) is written and, in headless Chromium,
# loads, filters, sorts and scrolls with only the visible rows in the DOM.
# Timings are printed for the reader, not judged (contrib/bench/ measures).
. "${top_srcdir:?}/tests/integration/report_lib.sh"

N=100000
head -n 20 "$top_srcdir/contrib/demo/estate.jsonl" >"$TMP/estate.jsonl"
rp_scan "$TMP/db" "$TMP/estate.jsonl"
# scan 2: N synthetic findings, severity cycling critical..info, every third a pass
sqlite3 -batch "$TMP/db" "
INSERT INTO scans(id, started_at, finished_at, status, providers, resources, findings)
  VALUES (2, strftime('%s','now'), strftime('%s','now'), 'complete', '[\"snapshot\"]', $N, $N);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $N - 1)
INSERT INTO findings(scan_id, rule_id, resource_uid, resource_type, status, severity, title, message,
                     evidence, remediation, compliance, provider, account, region, plugin)
SELECT 2, 'aws-synthetic-rule-' || (i % 50), 'arn:aws:s3:::bucket-' || printf('%06d', i), 'aws.s3.bucket',
       CASE WHEN i % 3 = 0 THEN 'pass' ELSE 'fail' END,
       CASE i % 5 WHEN 0 THEN 'critical' WHEN 1 THEN 'high' WHEN 2 THEN 'medium' WHEN 3 THEN 'low' ELSE 'info' END,
       'Synthetic rule ' || (i % 50), 'Synthetic finding number ' || i, json_object('i', i, 'public', i % 2 = 0),
       'Make bucket ' || i || ' private.', '[{\"framework\":\"cis-aws-3.0\",\"requirement\":\"2.1.1\"}]',
       'aws', 'acct-' || (i % 7), 'us-east-1', 'snapshot'
FROM n;" || fail "cannot generate the synthetic store"
critical=$(sqlite3 -batch -noheader "$TMP/db" "SELECT count(*) FROM findings WHERE scan_id = 2 AND severity = 'critical';")
check "the synthetic scan has $N findings, $critical critical" test "$critical" -eq $((N / 5))

t0=$(date +%s)
run_parapet "$TMP/rep" --db "$TMP/db" report --html "$TMP/report.html" --frameworks "$RP_FW"
expect_rc "$TMP/rep" 0 "report --html of $N findings"
secs=$(($(date +%s) - t0))
echo "info: report --html of $N findings written in $secs s (timings are printed, not judged)"
size=$(wc -c <"$TMP/report.html")
check "the file stays under 40 MB ($size bytes)" test "$size" -lt 40000000

rp_browser large "$TMP/report.html" expect_rows=$N expect_critical="$critical"
finish
