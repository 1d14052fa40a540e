#!/bin/sh
# The kubernetes provider end to end: `parapet scan kubernetes` against a
# local HTTPS stand-in for the Kubernetes API server
# (tests/support/k8s_mock.py, test CA, data tests/fixtures/k8s/cluster.json)
# that pages with limit/continue, expires one continue token (410), forbids
# one resource (403) and requires either TLS client certificates
# (ssl.CERT_REQUIRED) or bearer tokens.
#
# Scans: a kubeconfig with client certificate data; a token file; an exec
# credential plugin (a shell script); in-cluster with a service-account
# token the server rotates mid-scan. Then the same objects, written as a
# manifest, go through `parapet scan iac`: data and failing rules must be
# the same. Hostile kubeconfigs fail with clear errors.
#
# Never reaches a real cluster: HOME is a test directory, KUBECONFIG and
# KUBERNETES_SERVICE_* are unset unless a scan sets them.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"

need python3 "apt-get install python3"
need openssl "apt-get install openssl"

KUBE_SO="$top_builddir/plugins/kubernetes/.libs/kubernetes.so"
IAC_SO="$top_builddir/plugins/iac/.libs/iac.so"
for so in "$KUBE_SO" "$IAC_SO"; do
    [ -f "$so" ] || { echo "FAIL: $so is not built" >&2; exit 1; }
done
KUBE_SO="$(cd "$(dirname "$KUBE_SO")" && pwd)/kubernetes.so"
IAC_SO="$(cd "$(dirname "$IAC_SO")" && pwd)/iac.so"
PD=$(plugin_dir plugins)
ln -sf "$KUBE_SO" "$PD/kubernetes.so"
ln -sf "$IAC_SO" "$PD/iac.so"
FIXTURE="$top_srcdir/tests/fixtures/k8s/cluster.json"
MOCK="$top_srcdir/tests/support/k8s_mock.py"

unset KUBECONFIG KUBERNETES_SERVICE_HOST KUBERNETES_SERVICE_PORT
HOME="$TMP/home"; mkdir -p "$HOME"; export HOME

# -- a test PKI: CA, server certificate for 127.0.0.1, a client certificate,
#    and a client certificate from another CA --
ssl() { openssl "$@" >/dev/null 2>&1 || { echo "FAIL: openssl $1" >&2; exit 1; }; }
ssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/ca.key" -out "$TMP/ca.pem" -days 2 -subj "/CN=k8s test CA"
ssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/rogue-ca.key" -out "$TMP/rogue-ca.pem" -days 2 -subj "/CN=rogue"
ssl req -newkey rsa:2048 -nodes -keyout "$TMP/srv.key" -out "$TMP/srv.csr" -subj "/CN=127.0.0.1"
printf 'subjectAltName=IP:127.0.0.1\n' >"$TMP/san.ext"
ssl x509 -req -in "$TMP/srv.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" -CAcreateserial -out "$TMP/srv.pem" \
    -days 2 -extfile "$TMP/san.ext"
printf 'extendedKeyUsage=clientAuth\n' >"$TMP/cli.ext"
for who in scanner:ca auditor:ca rogue:rogue-ca; do
    n=${who%%:*} ca=${who#*:}
    ssl req -newkey rsa:2048 -nodes -keyout "$TMP/$n.key" -out "$TMP/$n.csr" -subj "/CN=$n/O=parapet-test"
    ssl x509 -req -in "$TMP/$n.csr" -CA "$TMP/$ca.pem" -CAkey "$TMP/$ca.key" -CAcreateserial -out "$TMP/$n.pem" \
        -days 2 -extfile "$TMP/cli.ext"
done

TOKEN1="tok1-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
TOKEN2="tok2-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
SA_TOKEN="sa-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n%s\n' "$TOKEN1" "$TOKEN2" >"$TMP/tokens.txt"
mkdir -p "$TMP/sa"
printf '%s\n' "$SA_TOKEN" >"$TMP/sa/token"
cp "$TMP/ca.pem" "$TMP/sa/ca.crt"
printf 'shop\n' >"$TMP/sa/namespace"
printf '%s\n' "$SA_TOKEN" >"$TMP/sa-tokens.txt"

# start_mock NAME ARGS... : run the mock, wait for its port, set PORT_<NAME>
start_mock() {
    _n=$1
    shift
    python3 "$MOCK" --cert "$TMP/srv.pem" --key "$TMP/srv.key" --data "$FIXTURE" --port-file "$TMP/$_n.port" \
        --log "$TMP/$_n.log" "$@" 2>"$TMP/$_n.err" &
    CLEANUP_PIDS="$CLEANUP_PIDS $!"
    _i=0
    while [ ! -s "$TMP/$_n.port" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
    [ -s "$TMP/$_n.port" ] || { echo "FAIL: mock $_n did not start: $(cat "$TMP/$_n.err")" >&2; exit 1; }
    : >>"$TMP/$_n.log"
}
start_mock certsrv --client-ca "$TMP/ca.pem" --expire pods --forbid ingresses --forbid-cn auditor:services
start_mock tokensrv --tokens "$TMP/tokens.txt"
start_mock podsrv --tokens "$TMP/sa-tokens.txt" --rotate-after 6 --rotate-file "$TMP/sa/token" \
    --forbid-cluster-wide pods
CERT_URL="https://127.0.0.1:$(cat "$TMP/certsrv.port")"
TOKEN_URL="https://127.0.0.1:$(cat "$TMP/tokensrv.port")"

b64() { base64 -w0 "$1"; }

# kubeconfig FILE SERVER CLUSTER_LINES USER_LINES : a one-context kubeconfig
kubeconfig() {
    cat >"$1" <<EOF
apiVersion: v1
kind: Config
preferences: {}
current-context: acme
clusters:
- name: acme-test
  cluster:
    server: $2
$3
users:
- name: scanner
  user:
$4
contexts:
- name: other
  context: {cluster: acme-test, user: nobody}
- name: acme
  context:
    cluster: acme-test
    user: scanner
    namespace: shop
EOF
}

# scan NAME ARGS... : scan kubernetes with the project's rules, 2 items a page
scan() {
    _s=$1
    shift
    run_parapet "$TMP/$_s" --plugin-dir "$PD" scan kubernetes --db "$TMP/$_s.db" --rules "$top_srcdir/policies" \
        --no-default-rules --output "jsonl:$TMP/$_s.jsonl" -o jsonl.resources=true -o kubernetes.page_size=2 "$@"
}

# types NAME : "type|count" of the resources of a scan
types() {
    jsonl_sql "$TMP/$1.jsonl" "SELECT json_extract(value,'\$.type'), count(*) FROM $RES GROUP BY 1 ORDER BY 1;"
}
ALL_TYPES="k8s.clusterrole|1
k8s.clusterrolebinding|2
k8s.configmap|2
k8s.deployment|2
k8s.ingress|1
k8s.namespace|4
k8s.networkpolicy|1
k8s.pod|8
k8s.poddisruptionbudget|1
k8s.role|1
k8s.rolebinding|2
k8s.secret|2
k8s.service|2
k8s.serviceaccount|4"
NO_INGRESS=$(echo "$ALL_TYPES" | grep -v '^k8s.ingress|')

no_secrets() { # NAME : no secret value of the fixture reached the output or the log
    for s in hunter2-env-literal cm-secret-value-7731 do-not-keep-annotation czNjcjN0LXNlY3JldC12YWx1ZS05OTE \
        c2VjcmV0LWtleS1ieXRlcy04ODI "$TOKEN1" "$TOKEN2" "$SA_TOKEN" "BEGIN PRIVATE KEY" "BEGIN RSA PRIVATE KEY"; do
        if grep -q -e "$s" "$TMP/$1.jsonl" "$TMP/$1.err" "$TMP/$1.out"; then
            fail "$1: a secret ($s) reached the output or the log"
            return
        fi
    done
    pass "$1: no secret value, token or key in the output or the log"
}

# ---------------------------------------------------------------------------
# 1. client certificate data, CA data; the server requires client certificates
kubeconfig "$TMP/kc-cert.yaml" "$CERT_URL" "    certificate-authority-data: $(b64 "$TMP/ca.pem")" \
    "    client-certificate-data: $(b64 "$TMP/scanner.pem")
    client-key-data: $(b64 "$TMP/scanner.key")"
scan s1 -o "kubernetes.kubeconfig=$TMP/kc-cert.yaml"
if grep -q "cannot present client certificates" "$TMP/s1.err"; then
    # A host older than ABI 1.4 (before /work/notes/k8s-core.patch): the plan must say so, clearly.
    # Until the host has it, the refusal is what is checked, and the rest of the test still runs.
    expect_rc "$TMP/s1" 2 "client certificate on a host without client-certificate support"
    check "... refused at plan time with the reason" \
        grep -q "cannot present client certificates (it needs ABI 1.4" "$TMP/s1.err"
    echo "NOTE: this parapet host cannot present TLS client certificates (ABI < 1.4): the client-certificate scan was not run" >&2
else
    expect_rc "$TMP/s1" 0 "scan with a client certificate"
    same_lines "client certificate: resources per type (ingresses forbidden)" "$(types s1)" "$NO_INGRESS"
    check "every request presented the client certificate" \
        sh -c "! grep -v 'auth=cert:scanner$' '$TMP/certsrv.log' | grep -q ."
    check "pods were listed in pages (continue requests made)" \
        grep -q '^GET /api/v1/pods limit=2 continue=yes 200' "$TMP/certsrv.log"
    check "the expired continue token got 410 once" \
        test "$(grep -c '^GET /api/v1/pods limit=2 continue=yes 410' "$TMP/certsrv.log")" -eq 1
    check "the pod list restarted from the beginning after the 410" \
        test "$(grep -c '^GET /api/v1/pods limit=2 continue=no 200' "$TMP/certsrv.log")" -eq 2
    same_lines "every pod once, no duplicate after the restart" \
        "$(resource_uids "$TMP/s1.jsonl" 'k8s://acme-test/core/pods/%')" \
        "k8s://acme-test/core/pods/kube-system/coredns-7db6d8ff4d-abcde
k8s://acme-test/core/pods/ops/debug-shell
k8s://acme-test/core/pods/shop/storefront-5d8f7c9b6a-x2k9q"
    same_lines "workloads become the pods they create; owned ReplicaSets and Jobs are left to their owners" \
        "$(jsonl_sql "$TMP/s1.jsonl" "SELECT json_extract(value,'\$.uid') FROM $RES WHERE json_extract(value,'\$.type')='k8s.pod' AND json_extract(value,'\$.uid') NOT LIKE '%/core/pods/%' ORDER BY 1;")" \
        "k8s://acme-test/apps/daemonsets/kube-system/node-exporter
k8s://acme-test/apps/replicasets/ops/legacy-worker
k8s://acme-test/apps/statefulsets/ops/log-shipper
k8s://acme-test/batch/cronjobs/ops/nightly-report
k8s://acme-test/batch/jobs/shop/migrate-db"
    same_lines "the 403 is one error finding naming 'list ingresses'" \
        "$(jsonl_sql "$TMP/s1.jsonl" "SELECT json_extract(value,'\$.rule_id'), json_extract(value,'\$.status'), json_extract(value,'\$.resource_uid'), json_extract(value,'\$.evidence.resource'), instr(json_extract(value,'\$.message'),'list ingresses') > 0 FROM $FND WHERE json_extract(value,'\$.status')='error';")" \
        "k8s-collection-access-denied|error|k8s://acme-test|ingresses|1"
    same_lines "records carry cluster, context and labels" \
        "$(jsonl_sql "$TMP/s1.jsonl" "SELECT json_extract(value,'\$.provider'), json_extract(value,'\$.account'), json_extract(value,'\$.region'), json_extract(value,'\$.tags.app'), json_extract(value,'\$.data.kind') FROM $RES WHERE json_extract(value,'\$.uid')='k8s://acme-test/apps/deployments/shop/storefront';")" \
        "k8s|acme-test|acme|storefront|Deployment"
    same_lines "secrets keep name and type only; config maps their name only" \
        "$(jsonl_sql "$TMP/s1.jsonl" "SELECT json_extract(value,'\$.name'), json_extract(value,'\$.data.type'), json_extract(value,'\$.data.data') IS NULL FROM $RES WHERE json_extract(value,'\$.type') IN ('k8s.secret','k8s.configmap') ORDER BY 1;")" \
        "app-config||1
db-creds|Opaque|1
kube-root-ca.crt||1
storefront-tls|kubernetes.io/tls|1"
    check "the k8s rules judged the cluster (a privileged container fails)" sh -c \
        "grep '\"rule_id\":\"k8s-pod-privileged-container\"' '$TMP/s1.jsonl' | grep -q 'debug-shell.*\"status\":\"fail\"'"
    no_secrets s1

    # Two contexts with different client certificates in one scan: each
    # request presents its own context's certificate (connections are not
    # reused across certificates); the server forbids services to auditor only.
    cat >"$TMP/kc-two.yaml" <<EOF
apiVersion: v1
kind: Config
current-context: acme
clusters:
- name: acme-test
  cluster: {server: "$CERT_URL", certificate-authority-data: "$(b64 "$TMP/ca.pem")"}
- name: acme-audit
  cluster: {server: "$CERT_URL", certificate-authority-data: "$(b64 "$TMP/ca.pem")"}
users:
- name: scanner
  user: {client-certificate-data: "$(b64 "$TMP/scanner.pem")", client-key-data: "$(b64 "$TMP/scanner.key")"}
- name: auditor
  user: {client-certificate-data: "$(b64 "$TMP/auditor.pem")", client-key-data: "$(b64 "$TMP/auditor.key")"}
contexts:
- name: acme
  context: {cluster: acme-test, user: scanner}
- name: audit
  context: {cluster: acme-audit, user: auditor}
EOF
    scan s1e -o "kubernetes.kubeconfig=$TMP/kc-two.yaml" -o kubernetes.resources=services,namespaces,secrets acme audit
    expect_rc "$TMP/s1e" 0 "two contexts, two client certificates"
    same_lines "each context's requests carried its own certificate" \
        "$(jsonl_sql "$TMP/s1e.jsonl" "SELECT json_extract(value,'\$.account'), json_extract(value,'\$.type'), count(*) FROM $RES GROUP BY 1, 2 ORDER BY 1, 2;")
--
$(jsonl_sql "$TMP/s1e.jsonl" "SELECT json_extract(value,'\$.account'), json_extract(value,'\$.evidence.resource') FROM $FND WHERE json_extract(value,'\$.status')='error';")" \
        "acme-audit|k8s.namespace|4
acme-audit|k8s.secret|2
acme-test|k8s.namespace|4
acme-test|k8s.secret|2
acme-test|k8s.service|2
--
acme-audit|services"
fi

# 1b. the server requires a certificate from its CA: another CA's certificate, or none, is refused
kubeconfig "$TMP/kc-rogue.yaml" "$CERT_URL" "    certificate-authority-data: $(b64 "$TMP/ca.pem")" \
    "    client-certificate-data: $(b64 "$TMP/rogue.pem")
    client-key-data: $(b64 "$TMP/rogue.key")"
scan s1b -o "kubernetes.kubeconfig=$TMP/kc-rogue.yaml" -o kubernetes.resources=pods
check "a client certificate of another CA gets nothing" test "$(types s1b)" = ""
check "... and the task fails with a TLS error" grep -q -i "connection or TLS failure\|cannot present" "$TMP/s1b.err"
kubeconfig "$TMP/kc-nocert.yaml" "$CERT_URL" "    certificate-authority-data: $(b64 "$TMP/ca.pem")" "    {}"
scan s1c -o "kubernetes.kubeconfig=$TMP/kc-nocert.yaml" -o kubernetes.resources=pods
check "without a client certificate the server is not reached" test "$(types s1c)" = ""
# the server's certificate must chain to the kubeconfig's CA
kubeconfig "$TMP/kc-wrongca.yaml" "$TOKEN_URL" "    certificate-authority-data: $(b64 "$TMP/rogue-ca.pem")" \
    "    token: $TOKEN1"
scan s1d -o "kubernetes.kubeconfig=$TMP/kc-wrongca.yaml" -o kubernetes.resources=pods
check "a server whose certificate does not chain to the CA is refused" test "$(types s1d)" = ""

# ---------------------------------------------------------------------------
# 2. a token file and a CA file, both relative to the kubeconfig; KUBECONFIG merge
mkdir -p "$TMP/kc2/creds"
cp "$TMP/ca.pem" "$TMP/kc2/creds/ca.pem"
printf '%s\n' "$TOKEN1" >"$TMP/kc2/creds/token"
kubeconfig "$TMP/kc2/config" "$TOKEN_URL" "    certificate-authority: creds/ca.pem" "    tokenFile: creds/token"
cat >"$TMP/kc2/first" <<'EOF'
apiVersion: v1
kind: Config
current-context: ""
users:
- name: nobody
  user: {}
EOF
KUBECONFIG="$TMP/kc2/first:$TMP/kc2/missing:$TMP/kc2/config" scan s2
expect_rc "$TMP/s2" 0 "scan with a token file (KUBECONFIG merged from three entries)"
same_lines "token file: resources per type" "$(types s2)" "$ALL_TYPES"
check "every request carried the token" sh -c "! grep -v 'auth=token:1$' '$TMP/tokensrv.log' | grep -q ."
no_secrets s2

printf 'not-a-valid-token\n' >"$TMP/kc2/creds/token"
KUBECONFIG="$TMP/kc2/config" scan s2b -o kubernetes.resources=pods
check "a refused token fails the task" grep -q "401 Unauthorized: the server refused the credential" "$TMP/s2b.err"

# ---------------------------------------------------------------------------
# 3. an exec credential plugin (client.authentication.k8s.io/v1)
cat >"$TMP/cred.sh" <<EOF
#!/bin/sh
echo run >>"$TMP/cred.runs"
printf '%s\n' "\$KUBERNETES_EXEC_INFO" >"$TMP/cred.info"
printf '%s %s\n' "\$1" "\$CRED_CLUSTER" >"$TMP/cred.args"
cat <<J
{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
 "status":{"token":"$TOKEN2","expirationTimestamp":"2099-01-01T00:00:00Z"}}
J
EOF
chmod 700 "$TMP/cred.sh"
: >"$TMP/tokensrv.log"
kubeconfig "$TMP/kc-exec.yaml" "$TOKEN_URL" "    certificate-authority-data: $(b64 "$TMP/ca.pem")" \
    "    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./cred.sh
      args: [get-token]
      env:
      - {name: CRED_CLUSTER, value: acme-test}
      provideClusterInfo: true
      interactiveMode: Never"
scan s3 -o "kubernetes.kubeconfig=$TMP/kc-exec.yaml"
expect_rc "$TMP/s3" 0 "scan with an exec credential plugin"
same_lines "exec plugin: resources per type" "$(types s3)" "$ALL_TYPES"
check "every request carried the plugin's token" sh -c "! grep -v 'auth=token:2$' '$TMP/tokensrv.log' | grep -q ."
check "the credential was cached (the plugin ran once for 20 lists)" test "$(wc -l <"$TMP/cred.runs")" -eq 1
check "the plugin got its args and env" grep -qx "get-token acme-test" "$TMP/cred.args"
check "KUBERNETES_EXEC_INFO names the API version and the cluster" sh -c \
    "grep -q '\"apiVersion\":\"client.authentication.k8s.io/v1\"' '$TMP/cred.info' && grep -q '\"server\":\"$TOKEN_URL\"' '$TMP/cred.info'"
no_secrets s3

# an exec plugin that fails, and one that never ends
printf '#!/bin/sh\necho "oops %s" >&2\nexit 4\n' "$TOKEN2" >"$TMP/cred-fail.sh"
printf '#!/bin/sh\nexec sleep 60\n' >"$TMP/cred-hang.sh"
chmod 700 "$TMP/cred-fail.sh" "$TMP/cred-hang.sh"
sed "s|command: ./cred.sh|command: ./cred-fail.sh|" "$TMP/kc-exec.yaml" >"$TMP/kc-exec-fail.yaml"
sed "s|command: ./cred.sh|command: ./cred-hang.sh|" "$TMP/kc-exec.yaml" >"$TMP/kc-exec-hang.yaml"
scan s3b -o "kubernetes.kubeconfig=$TMP/kc-exec-fail.yaml" -o kubernetes.resources=pods
check "a failing exec plugin is reported with its exit status" grep -q "cred-fail.sh failed (exit status 4" "$TMP/s3b.err"
no_secrets s3b
scan s3c -o "kubernetes.kubeconfig=$TMP/kc-exec-hang.yaml" -o kubernetes.resources=pods -o kubernetes.exec_timeout_s=1
check "a hanging exec plugin is stopped after exec_timeout_s" grep -q "cred-hang.sh did not finish within 1 s" "$TMP/s3c.err"

# ---------------------------------------------------------------------------
# 4. in-cluster: no kubeconfig at all, the pod's environment and token; the
#    server rotates the token after 6 requests (the kubelet replaces the file)
#    and lets the service account list pods in its own namespace only
KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT=$(cat "$TMP/podsrv.port") \
    scan s4 -o "kubernetes.serviceaccount_dir=$TMP/sa" -o kubernetes.cluster_name=acme-incluster
expect_rc "$TMP/s4" 0 "in-cluster scan"
same_lines "in-cluster: resources per type (pods of the pod's namespace only)" "$(types s4)" \
    "$(echo "$ALL_TYPES" | sed 's/^k8s.pod|8$/k8s.pod|6/')"
same_lines "pods cluster-wide forbidden: the pod's namespace was listed instead, without an error finding" \
    "$(resource_uids "$TMP/s4.jsonl" 'k8s://acme-incluster/core/pods/%')
$(jsonl_sql "$TMP/s4.jsonl" "SELECT count(*) FROM $FND WHERE json_extract(value,'\$.status')='error';")" \
    "k8s://acme-incluster/core/pods/shop/storefront-5d8f7c9b6a-x2k9q
0"
check "... through /api/v1/namespaces/shop/pods" grep -q '^GET /api/v1/namespaces/shop/pods limit=2 continue=no 200' \
    "$TMP/podsrv.log"
check "... and the user is told" grep -q "only namespace shop was listed" "$TMP/s4.err"
check "the scan went on with the rotated token" grep -q 'auth=token:0$' "$TMP/podsrv.log"
check "the token file was rotated by the server" sh -c "! grep -q '$SA_TOKEN' '$TMP/sa/token'"
check "no list failed after the rotation" sh -c "! grep -q 'failed' '$TMP/s4.err'"
same_lines "in-cluster records: account from cluster_name, region the API host" \
    "$(jsonl_sql "$TMP/s4.jsonl" "SELECT DISTINCT json_extract(value,'\$.account'), json_extract(value,'\$.region') FROM $RES;")" \
    "acme-incluster|127.0.0.1"
no_secrets s4

# ---------------------------------------------------------------------------
# 5. the same objects as a manifest through the iac plugin: equal data, same failing rules
python3 - "$FIXTURE" "$TMP/manifest.json" <<'PY'
import json, sys
api = {"pods": "v1", "services": "v1", "deployments": "apps/v1", "statefulsets": "apps/v1", "daemonsets": "apps/v1",
       "replicasets": "apps/v1", "jobs": "batch/v1", "cronjobs": "batch/v1",
       "rolebindings": "rbac.authorization.k8s.io/v1", "clusterrolebindings": "rbac.authorization.k8s.io/v1"}
kinds = {"pods": "Pod", "services": "Service", "deployments": "Deployment", "statefulsets": "StatefulSet",
         "daemonsets": "DaemonSet", "replicasets": "ReplicaSet", "jobs": "Job", "cronjobs": "CronJob",
         "rolebindings": "RoleBinding", "clusterrolebindings": "ClusterRoleBinding"}
data = json.load(open(sys.argv[1]))
items = []
for res, objs in data.items():
    if res not in api:
        continue
    for o in objs:
        if o["metadata"].get("ownerReferences"):
            continue  # made by a controller: not in anyone's manifests
        m = {"apiVersion": api[res], "kind": kinds[res]}
        m.update(json.loads(json.dumps(o)))
        m.pop("status", None)
        for k in ("uid", "resourceVersion", "creationTimestamp", "managedFields"):
            m["metadata"].pop(k, None)
        items.append(m)
json.dump({"apiVersion": "v1", "kind": "List", "items": items}, open(sys.argv[2], "w"), indent=1)
PY
run_parapet "$TMP/s5" --plugin-dir "$PD" scan iac "$TMP/manifest.json" --db "$TMP/s5.db" \
    --rules "$top_srcdir/policies" --no-default-rules --output "jsonl:$TMP/s5.jsonl" -o jsonl.resources=true
expect_rc "$TMP/s5" 0 "the manifest through the iac plugin"
python3 - "$TMP/s2.jsonl" "$TMP/s5.jsonl" >"$TMP/compare.txt" 2>&1 <<'PY'
import json, sys
RES = {"Pod": "pods", "Service": "services", "Deployment": "deployments", "StatefulSet": "statefulsets",
       "DaemonSet": "daemonsets", "ReplicaSet": "replicasets", "Job": "jobs", "CronJob": "cronjobs",
       "RoleBinding": "rolebindings", "ClusterRoleBinding": "clusterrolebindings"}
def load(path):
    res, fails = {}, {}
    for line in open(path):
        r = json.loads(line)
        if "rule_id" in r:
            if r["status"] == "fail":
                fails.setdefault(r["resource_uid"], set()).add(r["rule_id"])
        elif "uid" in r:
            res[r["uid"]] = r
    return res, fails
live, live_f = load(sys.argv[1])
iac, iac_f = load(sys.argv[2])
def server_set_removed(d):
    d = json.loads(json.dumps(d))
    d.pop("status", None)
    md = d.get("metadata", {})
    for k in ("uid", "resourceVersion", "creationTimestamp", "generation"):
        md.pop(k, None)
    for o in md.get("ownerReferences", []):
        o.pop("uid", None)
    return d
bad = 0
n = 0
for uid, r in iac.items():
    _, kind, ns, name = uid.split("#", 1)[1].split("/")[1:]
    group = {"v1": "core"}.get(r["data"].get("apiVersion"), None)
    cands = [u for u in live if u.split("/")[-1] == name and ("/%s/%s/" % (RES[kind], ns) in u or
             (ns == "-" and u.endswith("/%s/%s" % (RES[kind], name))))]
    if len(cands) != 1:
        print("no single live resource for", uid, cands); bad += 1; continue
    l = live[cands[0]]
    n += 1
    if l["type"] != r["type"]:
        print("type differs:", uid, l["type"], r["type"]); bad += 1
    if server_set_removed(l["data"]) != r["data"]:
        print("data differs:", uid); print(" live:", json.dumps(server_set_removed(l["data"]), sort_keys=True));
        print(" iac: ", json.dumps(r["data"], sort_keys=True)); bad += 1
    if live_f.get(cands[0], set()) != iac_f.get(uid, set()):
        print("failing rules differ:", uid, sorted(live_f.get(cands[0], set())), sorted(iac_f.get(uid, set()))); bad += 1
print("compared", n, "resources,", sum(len(v) for v in iac_f.values()), "failing findings")
sys.exit(1 if bad or n < 12 else 0)
PY
if [ $? -eq 0 ]; then pass "manifest and cluster: equal data and the same failing rules ($(tail -1 "$TMP/compare.txt"))"
else fail "manifest and cluster differ"; sed -n '1,40p' "$TMP/compare.txt" >&2; fi

# ---------------------------------------------------------------------------
# 6. hostile and broken kubeconfigs: the scan fails before listing, saying why
hostile() { # NAME WANT_REGEX ARGS... : expect exit 2 and an error matching WANT
    _h=$1 _w=$2
    shift 2
    scan "$_h" "$@"
    expect_rc "$TMP/$_h" 2 "$_h"
    if error_line "$TMP/$_h" "$_w" >/dev/null; then pass "$_h: the error says '$_w'"
    else fail "$_h: no error matching '$_w'"; show "$TMP/$_h"; fi
}
printf 'apiVersion: v1\nclusters:\n- name: a\n  cluster: {server: [\n' >"$TMP/bad.yaml"
hostile h-badyaml "bad.yaml:[0-9]+:[0-9]+" -o "kubernetes.kubeconfig=$TMP/bad.yaml"
hostile h-context 'context .{1,2}prod.{1,2} is not in .*kc-cert.yaml' -o "kubernetes.kubeconfig=$TMP/kc-cert.yaml" \
    -o kubernetes.context=prod
hostile h-user 'user .{1,2}nobody.{1,2} is not in' -o "kubernetes.kubeconfig=$TMP/kc-cert.yaml" -o kubernetes.context=other
hostile h-missing "$TMP/no-such-kubeconfig: No such file" -o "kubernetes.kubeconfig=$TMP/no-such-kubeconfig"
python3 -c "
import sys
with open(sys.argv[1], 'w') as f:
    f.write('apiVersion: v1\n')
    for i in range(120000):
        f.write('# %s\n' % ('x' * 40))
" "$TMP/huge.yaml"
hostile h-huge "huge.yaml: file of [0-9]+ bytes is larger than the 4194304-byte limit" \
    -o "kubernetes.kubeconfig=$TMP/huge.yaml"
sed 's|    server: .*|    server: '"$TOKEN_URL"'\n    insecure-skip-tls-verify: true|' "$TMP/kc-cert.yaml" >"$TMP/insecure.yaml"
hostile h-insecure "insecure-skip-tls-verify is true: refused" -o "kubernetes.kubeconfig=$TMP/insecure.yaml"
printf 'apiVersion: v1\ncurrent-context: a\ncontexts:\n- name: a\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: u\n  user: {token: s3cr3t-literal, client-key-data: "%%%%"}\n' \
    >"$TMP/badkey.yaml"
hostile h-badkey 'users\[0\] \(.{1,2}u.{1,2}\)\.user\.client-key-data is not valid base64' \
    -o "kubernetes.kubeconfig=$TMP/badkey.yaml"
check "the refusal does not quote the token" sh -c "! grep -q s3cr3t-literal '$TMP/h-badkey.err'"
hostile h-nokube "home/.kube/config: No such file" -o kubernetes.context=acme

finish
