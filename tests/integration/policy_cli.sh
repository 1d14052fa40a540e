#!/bin/sh
# policy_cli.sh - `parapet policy list | lint | test` on the fixture rule
# packs (tests/fixtures/policy) and on broken ones made here.
. "$top_srcdir/tests/integration/plugins_lib.sh"

FX="$top_srcdir/tests/fixtures/policy"
PD=$(plugin_dir plugins)

run_parapet "$TMP/list" --plugin-dir "$PD" policy list --rules "$FX/rules"
check "list exits 0" test "$RC" -eq 0
check "list shows id, severity, type, frameworks" grep -Eq '^fx-box-open +high +fx.box +fx-bench-1.0 +Box is open' "$TMP/list.out"
check "list counts the rules" grep -q '^3 rules$' "$TMP/list.out"

run_parapet "$TMP/listj" --plugin-dir "$PD" policy list --format json --rules "$FX/rules"
check "list --format json exits 0" test "$RC" -eq 0
n=$(sqlite3 :memory: "SELECT count(*) FROM json_each(readfile('$TMP/listj.out'))")
check "json list has 3 rules (got $n)" test "$n" = 3
r=$(sqlite3 :memory: "SELECT json_extract(value,'\$.compliance[1].requirement') FROM json_each(readfile('$TMP/listj.out')) WHERE json_extract(value,'\$.id')='fx-box-open'")
check "json list carries compliance refs (got $r)" test "$r" = 1.2

run_parapet "$TMP/test" --plugin-dir "$PD" policy test "$FX/rules"
check "test exits 0 when every example behaves" test "$RC" -eq 0
check "test prints per-rule results" grep -q '^ok   fx-box-open (2 examples)$' "$TMP/test.out"
check "test prints a total" grep -q '^3 rules, 6 examples: 0 rules failed, 0 examples failed$' "$TMP/test.out"

# a rule whose fail example passes
mkdir -p "$TMP/wrong/fx"
cat >"$TMP/wrong/fx/w.json" <<'JSON'
{"format": 1, "rules": [{"id": "fx-wrong", "title": "t", "description": "d", "resource_type": "fx.box",
 "severity": "low", "violation": "resource.data.weight > 100", "message": "m", "remediation": {"text": "r"},
 "examples": {"fail": [{"data": {"weight": 1}}], "pass": [{"data": {"weight": 1}}, {"data": {}}]}}]}
JSON
run_parapet "$TMP/test2" --plugin-dir "$PD" policy test "$TMP/wrong"
check "test exits 1 on a failing example" test "$RC" -eq 1
check "test names the rule" grep -q '^FAIL fx-wrong' "$TMP/test2.out"
check "test names the example and outcome" grep -q 'examples.fail\[0\]: expected fail, got pass' "$TMP/test2.out"
check "test shows an error's reason" grep -q 'examples.pass\[1\]: expected pass, got error: violation: no such key: weight' "$TMP/test2.out"

run_parapet "$TMP/test3" --plugin-dir "$PD" policy test "$TMP/no-such-dir"
check "test on a missing directory exits 2" test "$RC" -eq 2
check "with one error line" grep -q "^parapet: error: .*no-such-dir: cannot open directory" "$TMP/test3.err"

run_parapet "$TMP/lint" --plugin-dir "$PD" policy lint --docs "$FX/docs" "$FX/rules"
check "lint of the good pack exits 0" test "$RC" -eq 0
check "lint summary" grep -q '^3 rules, 1 framework, 2 resource types documented: 0 problems$' "$TMP/lint.out"

run_parapet "$TMP/lint2" --plugin-dir "$PD" policy lint --docs "$FX/docs" "$FX/lint"
check "lint of the bad pack exits 1" test "$RC" -eq 1
check "lint reports bad JSON with its place" grep -q 'broken.json: not valid JSON (near line 2, column' "$TMP/lint2.out"
check "lint reports an undocumented path" grep -q "typo.json: rule 'fx-box-typo': violation: resource.data.lidd is not in the documented shape of fx.box" "$TMP/lint2.out"
check "lint reports a framework naming an unknown rule" grep -q "framework 'fx-lint': requirement '9': unknown rule 'fx-no-such-rule'" "$TMP/lint2.out"
check "lint counts the problems" grep -q ': 3 problems$' "$TMP/lint2.out"

run_parapet "$TMP/lint3" --plugin-dir "$PD" policy lint --docs "$TMP/nodocs" "$FX/rules"
check "lint without resource docs exits 2" test "$RC" -eq 2

# A rule calling a function no loaded plugin provides is set aside, by name,
# and the rest of its pack still loads: lint and test count it as a problem,
# a scan judges with the other rules.
mkdir -p "$TMP/needs/fx"
cp "$FX/rules/fx/users.json" "$TMP/needs/fx/users.json"
cat >"$TMP/needs/fx/needs.json" <<'JSON'
{"format": 1, "rules": [
 {"id": "fx-user-needs-plugin", "title": "Needs a plugin", "description": "Calls a plugin's function.",
  "resource_type": "fx.user", "severity": "low", "violation": "vendor.risk.score(resource.data) > 3",
  "message": "risky", "remediation": {"text": "Load the vendor plugin."},
  "examples": {"fail": [{"type": "fx.user", "data": {"mfa": false}}], "pass": [{"type": "fx.user", "data": {"mfa": true}}]}},
 {"id": "fx-user-same-pack", "title": "Same pack", "description": "Loads although its neighbour cannot.",
  "resource_type": "fx.user", "severity": "low", "violation": "!resource.data.mfa",
  "message": "no mfa", "remediation": {"text": "Turn on MFA."},
  "examples": {"fail": [{"type": "fx.user", "data": {"mfa": false}}], "pass": [{"type": "fx.user", "data": {"mfa": true}}]}}]}
JSON
run_parapet "$TMP/needs-lint" --plugin-dir "$PD" policy lint --docs "$FX/docs" "$TMP/needs"
check "lint of a pack with a rule needing a missing function exits 1" test "$RC" -eq 1
check "lint names the rule and the function" grep -q "rule 'fx-user-needs-plugin': violation: 1:.*undeclared function 'vendor.risk.score' (no loaded plugin provides it); the rule is set aside" "$TMP/needs-lint.out"
check "lint still loaded the pack's other rule" grep -q '^[0-9]* rules, .*: 1 problem$' "$TMP/needs-lint.out"
run_parapet "$TMP/needs-test" --plugin-dir "$PD" policy test "$TMP/needs"
check "test fails (exit 1) on the set-aside rule" test "$RC" -eq 1
check "test prints it as failed" grep -q "^FAIL .*fx-user-needs-plugin.*set aside" "$TMP/needs-test.out"
check "test runs the pack's other rule" grep -q '^ok   fx-user-same-pack (2 examples)$' "$TMP/needs-test.out"

run_parapet "$TMP/bad" --plugin-dir "$PD" policy list --format yaml
check "a bad --format is a usage error" test "$RC" -eq 2

finish
