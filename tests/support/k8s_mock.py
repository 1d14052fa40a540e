#!/usr/bin/env python3
"""A Kubernetes API server stand-in for tests/integration/k8s_live.sh.

HTTPS on 127.0.0.1 with a test CA. Two ways to authenticate, one per
server instance:
  --client-ca FILE   TLS client certificates are REQUIRED (ssl.CERT_REQUIRED)
                     and must chain to FILE;
  --tokens FILE      every request needs "Authorization: Bearer T" where T is
                     a line of FILE (read on every request, so a test can
                     rotate it); a wrong token is 401.

Answers GET /api/v1/RESOURCE and /apis/GROUP/VERSION/RESOURCE list requests
(and .../namespaces/NS/RESOURCE)
from --data (tests/fixtures/k8s/cluster.json: items per resource) as the API
server does: {"kind": "PodList", "apiVersion": "v1", "metadata":
{"resourceVersion", "continue"?, "remainingItemCount"?}, "items": [...]},
paged with limit/continue. Faults for the tests:
  --expire RESOURCE  the first continue request for RESOURCE gets 410 Gone
                     (an expired continue token), later ones work;
  --forbid RESOURCE  403 Forbidden for RESOURCE (a Status object);
  --forbid-cluster-wide RESOURCE
                     403 for the cluster-wide list of RESOURCE; the list in
                     one namespace (/api/v1/namespaces/NS/RESOURCE) works;
  --forbid-cn CN:RESOURCE
                     403 for RESOURCE to the client certificate named CN only;
  --rotate-after N --rotate-file PATH
                     after N good requests, write a new token to PATH (as the
                     kubelet does, by rename) and accept only that one.
Every request is logged to --log as one line:
  METHOD PATH limit=L continue=yes|no STATUS auth=cert:CN|token:N|none
"""
import argparse
import base64
import json
import os
import ssl
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GROUPS = {
    "api/v1": ["pods", "services", "namespaces", "serviceaccounts", "configmaps", "secrets",
               "replicationcontrollers"],
    "apis/apps/v1": ["deployments", "statefulsets", "daemonsets", "replicasets"],
    "apis/batch/v1": ["jobs", "cronjobs"],
    "apis/rbac.authorization.k8s.io/v1": ["roles", "clusterroles", "rolebindings", "clusterrolebindings"],
    "apis/networking.k8s.io/v1": ["networkpolicies", "ingresses"],
    "apis/policy/v1": ["poddisruptionbudgets"],
}
KINDS = {
    "pods": "Pod", "services": "Service", "namespaces": "Namespace", "serviceaccounts": "ServiceAccount",
    "configmaps": "ConfigMap", "secrets": "Secret", "replicationcontrollers": "ReplicationController",
    "deployments": "Deployment", "statefulsets": "StatefulSet", "daemonsets": "DaemonSet",
    "replicasets": "ReplicaSet", "jobs": "Job", "cronjobs": "CronJob", "roles": "Role",
    "clusterroles": "ClusterRole", "rolebindings": "RoleBinding", "clusterrolebindings": "ClusterRoleBinding",
    "networkpolicies": "NetworkPolicy", "ingresses": "Ingress", "poddisruptionbudgets": "PodDisruptionBudget",
}

ARGS = None
DATA = {}
LOCK = threading.Lock()
STATE = {"expired": set(), "good": 0, "rotated": None}


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_json(self, code, obj, auth):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        with LOCK:
            with open(ARGS.log, "a") as f:
                f.write("%s %s limit=%s continue=%s %d auth=%s\n" % (
                    self.command, u.path, q.get("limit", ["-"])[0], "yes" if "continue" in q else "no", code, auth))

    def authenticate(self):
        """'cert:CN', 'token:N' or None (refused)."""
        if ARGS.client_ca:
            cert = self.connection.getpeercert()
            cn = "?"
            for rdn in (cert or {}).get("subject", ()):
                for k, v in rdn:
                    if k == "commonName":
                        cn = v
            return "cert:" + cn
        h = self.headers.get("Authorization", "")
        if not h.startswith("Bearer "):
            return None
        tok = h[7:]
        with LOCK:
            if STATE["rotated"] is not None:
                good = [STATE["rotated"]]
            else:
                with open(ARGS.tokens) as f:
                    good = [l.strip() for l in f if l.strip()]
            if tok not in good:
                return None
            STATE["good"] += 1
            if ARGS.rotate_after and STATE["rotated"] is None and STATE["good"] >= ARGS.rotate_after:
                new = "rotated-" + base64.urlsafe_b64encode(os.urandom(12)).decode()
                tmp = ARGS.rotate_file + ".new"
                with open(tmp, "w") as f:
                    f.write(new + "\n")
                os.replace(tmp, ARGS.rotate_file)
                STATE["rotated"] = new
            return "token:%d" % (good.index(tok) + 1 if STATE["rotated"] is None else 0)

    def do_GET(self):
        auth = self.authenticate()
        if auth is None:
            return self.send_json(401, status(401, "Unauthorized", "Unauthorized"), "none")
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        parts = u.path.strip("/").split("/")
        ns = None
        if len(parts) >= 4 and parts[-3] == "namespaces":
            ns = parts[-2]
            parts = parts[:-3] + parts[-1:]
        prefix, res = "/".join(parts[:-1]), parts[-1]
        if prefix not in GROUPS or res not in GROUPS[prefix]:
            return self.send_json(404, status(404, "NotFound", "the server could not find the requested resource"),
                                  auth)
        if res in ARGS.forbid or "%s:%s" % (auth[5:], res) in ARGS.forbid_cn or \
                (ns is None and res in ARGS.forbid_cluster_wide):
            group = "" if prefix == "api/v1" else prefix.split("/")[1]
            return self.send_json(403, status(403, "Forbidden",
                                              'unknown: %s is forbidden: User "%s" cannot list resource "%s" in '
                                              'API group "%s" at the cluster scope' % (res, auth.split(":")[-1], res, group)), auth)
        items = [i for i in DATA.get(res, []) if ns is None or i["metadata"].get("namespace") == ns]
        limit = int(q.get("limit", ["0"])[0] or 0)
        start = 0
        if "continue" in q:
            try:
                tok = json.loads(base64.b64decode(q["continue"][0]))
                start = int(tok["start"])
                assert tok["resource"] == res
            except Exception:
                return self.send_json(400, status(400, "BadRequest", "invalid continue token"), auth)
            with LOCK:
                first = res in ARGS.expire and res not in STATE["expired"]
                if first:
                    STATE["expired"].add(res)
            if first:
                return self.send_json(410, status(410, "Expired",
                                                  "The provided continue parameter is too old to display a "
                                                  "consistent list result. You can start a new list without the "
                                                  "continue parameter."), auth)
        end = len(items) if limit <= 0 else min(len(items), start + limit)
        md = {"resourceVersion": "200771"}
        if end < len(items):
            md["continue"] = base64.b64encode(json.dumps({"resource": res, "start": end, "rv": 200771}).encode()
                                              ).decode()
            md["remainingItemCount"] = len(items) - end
        api_version = "v1" if prefix == "api/v1" else "/".join(prefix.split("/")[1:])
        self.send_json(200, {"kind": KINDS[res] + "List", "apiVersion": api_version, "metadata": md,
                             "items": items[start:end]}, auth)


def main():
    global ARGS, DATA
    p = argparse.ArgumentParser()
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--client-ca")
    p.add_argument("--tokens")
    p.add_argument("--expire", action="append", default=[])
    p.add_argument("--forbid", action="append", default=[])
    p.add_argument("--forbid-cn", action="append", default=[])
    p.add_argument("--forbid-cluster-wide", action="append", default=[])
    p.add_argument("--rotate-after", type=int, default=0)
    p.add_argument("--rotate-file")
    ARGS = p.parse_args()
    if bool(ARGS.client_ca) == bool(ARGS.tokens):
        sys.exit("give exactly one of --client-ca and --tokens")
    with open(ARGS.data) as f:
        DATA = json.load(f)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(ARGS.cert, ARGS.key)
    if ARGS.client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(ARGS.client_ca)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.replace(tmp, ARGS.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
