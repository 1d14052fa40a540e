#!/bin/sh
# Kubernetes manifests through `parapet scan iac`: a privileged Deployment
# fails the k8s rules at its own line, a StatefulSet is judged as the pod
# it makes, a List's Service is found, literal env values and annotations
# never reach the output, the ignore file skips vendor/, and an inline
# "# parapet:ignore RULE reason" is carried as a parapet:ignore:RULE tag.
set -u
. "${top_srcdir:-.}/tests/integration/iac_lib.sh"

scan iac "$fx/k8s"
[ "$rc" -eq 0 ] || fail "scan exited $rc: $(cat "$tmp/err")"
failing "Deployment/ops/node-agent" >"$tmp/f"
grep -qx k8s-deployment-privileged-container "$tmp/f" ||
    fail "the privileged Deployment does not fail k8s-deployment-privileged-container"
loc=$(source_of "Deployment/ops/node-agent")
[ "$loc" = "$fx/k8s/workloads.yaml:2:1" ] || fail "Deployment at '$loc', want line 2 column 1"
failing "StatefulSet/ops/log-shipper" >"$tmp/f"
grep -qx k8s-pod-host-path-volume "$tmp/f" || fail "the StatefulSet's hostPath volume is not found"
grep -qx k8s-pod-host-namespaces "$tmp/f" || fail "the StatefulSet's hostPID is not found"
loc=$(source_of "StatefulSet/ops/log-shipper")
[ "$loc" = "$fx/k8s/workloads.yaml:30:1" ] || fail "StatefulSet at '$loc', want line 30 column 1"
failing "Service/ops/admin-ssh" >"$tmp/f"
grep -qx k8s-service-admin-port-exposed "$tmp/f" || fail "the List's Service is not judged"
loc=$(source_of "Service/ops/admin-ssh")
[ "$loc" = "$fx/k8s/workloads.yaml:57:5" ] || fail "Service at '$loc', want line 57 column 5"
# RBAC, network policy and namespace objects get their own types and rules.
failing "ClusterRole/-/ci-deployer" >"$tmp/f"
grep -qx k8s-clusterrole-wildcard "$tmp/f" || fail "the wildcard ClusterRole does not fail k8s-clusterrole-wildcard"
failing "Role/ops/app-reader" >"$tmp/f"
grep -q . "$tmp/f" && fail "the read-only Role fails: $(tr '\n' ' ' <"$tmp/f")"
/usr/bin/python3 - "$tmp/out.jsonl" <<'PY' || fail "the read-only Role was not judged (passing k8s-role-wildcard)"
import json, sys
sys.exit(0 if any(r.get("rule_id") == "k8s-role-wildcard" and r["status"] == "pass" and
                  r["resource_uid"].endswith("Role/ops/app-reader") for r in map(json.loads, open(sys.argv[1]))) else 1)
PY
failing "NetworkPolicy/ops/allow-all" >"$tmp/f"
grep -qx k8s-networkpolicy-allows-all-ingress "$tmp/f" || fail "the allow-all NetworkPolicy is not found"
failing "Namespace/-/ops" >"$tmp/f"
grep -qx k8s-namespace-no-pod-security-enforcement "$tmp/f" || fail "the unlabelled Namespace is not found"
grep -q -e hunter2 -e do-not-keep "$tmp/out.jsonl" && fail "an env value or annotation reached the output"
grep -q vendored-should-be-ignored "$tmp/out.jsonl" && fail ".parapetignore did not skip vendor/"
grep -q '"parapet:ignore:k8s-pod-host-namespaces":"break-glass pod, approved in OPS-1234"' "$tmp/out.jsonl" ||
    fail "the inline suppression is not carried as a tag"

# The engine reads the tag: the inline comment alone mutes exactly the marked
# resource, and the finding's evidence carries the reason written in code.
/usr/bin/python3 - "$tmp/out.jsonl" <<'PY' || fail "the inline suppression did not mute exactly the marked pod"
import json, sys
st, ev = {}, {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("rule_id") == "k8s-pod-host-namespaces":
        k = r["resource_uid"].split("#")[1]
        st[k] = r["status"]
        ev[k] = r.get("evidence", {})
ok = st.get("doc1/Pod/ops/debug-shell") == "muted" and st.get("doc2/StatefulSet/ops/log-shipper") == "fail"
ok = ok and ev["doc1/Pod/ops/debug-shell"].get("suppression") == "inline"
ok = ok and "OPS-1234" in ev["doc1/Pod/ops/debug-shell"].get("suppression_reason", "")
sys.exit(0 if ok else 1)
PY

# A file named on the command line is read even inside an ignored directory.
scan iac "$fx/k8s/vendor/upstream.yaml"
grep -q vendored-should-be-ignored "$tmp/out.jsonl" || fail "an explicitly named file was skipped"

[ "$fails" -eq 0 ] || exit 1
echo "PASS: iac_k8s"
