#!/usr/bin/env python3
"""gcp_mock.py - a local HTTPS stand-in for Google OAuth2 and a few Google APIs,
for tests/integration/gcp_scan.sh.

Token endpoint (POST /token): the jwt-bearer grant, whose assertion's RS256
signature it VERIFIES against the service-account key's public modulus
(textbook RSA with Python integers and the PKCS#1 v1.5 DigestInfo of
SHA-256, from RFC 8017 / RFC 7515; independent of the plugin's OpenSSL
code), with iss, aud, scope, iat/exp and kid; and the refresh_token grant
(authorized_user). Metadata server: GET
/computeMetadata/v1/instance/service-accounts/default/token with
"Metadata-Flavor: Google".

APIs: Cloud Resource Manager v1 projects (two pages, one project being
deleted), Cloud Storage buckets (two pages, first call answered with a
rateLimitExceeded quota error) and their IAM policies (one denied),
Compute firewalls (one project denied).

Log lines: "TOKEN <kind> OK|FAIL <why>", "GET <path> <status>".
Usage: gcp_mock.py --cert C --key K --port-file F --log L --sa-email E --sa-key PEM --kid ID
       [--refresh-token-env VAR]
"""
import argparse
import base64
import hashlib
import http.server
import json
import os
import secrets
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

ARGS = None
LOCK = threading.Lock()
LOG = None
TOKENS = {}
COUNTS = {}
RSA_N = None


def log(line):
    with LOCK:
        LOG.write(line + "\n")
        LOG.flush()


def bump(key):
    with LOCK:
        COUNTS[key] = COUNTS.get(key, 0) + 1
        return COUNTS[key]


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def rs256_verify(signing_input, sig):
    k = (RSA_N.bit_length() + 7) // 8
    if len(sig) != k:
        return False
    em = pow(int.from_bytes(sig, "big"), 65537, RSA_N).to_bytes(k, "big")
    di = bytes.fromhex("3031300d060960864801650304020105000420") + hashlib.sha256(signing_input).digest()
    return em == b"\x00\x01" + b"\xff" * (k - 3 - len(di)) + b"\x00" + di


def check_assertion(jwt, token_url):
    parts = jwt.split(".")
    if len(parts) != 3:
        return "not a JWS"
    try:
        hdr, claims, sig = json.loads(b64url_decode(parts[0])), json.loads(b64url_decode(parts[1])), \
            b64url_decode(parts[2])
    except Exception:  # noqa: BLE001
        return "does not decode"
    if hdr.get("alg") != "RS256" or hdr.get("kid") != ARGS.kid:
        return "alg or kid"
    if not rs256_verify((parts[0] + "." + parts[1]).encode(), sig):
        return "signature does not verify"
    now = time.time()
    if claims.get("iss") != ARGS.sa_email or claims.get("aud") != token_url:
        return "iss or aud"
    if claims.get("scope") != "https://www.googleapis.com/auth/cloud-platform.read-only":
        return "scope"
    if not (claims.get("iat", 0) <= now + 60 and now < claims.get("exp", 0) <= claims.get("iat", 0) + 3600):
        return "iat/exp"
    return None


def issue():
    tok = "ya29.mock-" + secrets.token_hex(16)
    with LOCK:
        TOKENS[tok] = time.time() + 3599
    return {"access_token": tok, "expires_in": 3599, "token_type": "Bearer"}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_json(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(n).decode()))
        if self.path != "/token":
            self.send_json(404, {"error": "not_found"})
            return
        url = f"https://127.0.0.1:{self.server.server_address[1]}/token"
        if form.get("grant_type") == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            why = check_assertion(form.get("assertion", ""), url)
            if why:
                log("TOKEN jwt FAIL " + why)
                self.send_json(400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
                return
            log("TOKEN jwt OK")
        elif form.get("grant_type") == "refresh_token":
            want = os.environ.get(ARGS.refresh_token_env or "", "")
            if not want or form.get("refresh_token") != want or form.get("client_id") != "cid.apps" or \
                    form.get("client_secret") != "csecret":
                log("TOKEN refresh FAIL")
                self.send_json(400, {"error": "invalid_grant", "error_description": "Bad Request"})
                return
            log("TOKEN refresh OK")
        else:
            self.send_json(400, {"error": "unsupported_grant_type"})
            return
        self.send_json(200, issue())

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        if u.path == "/computeMetadata/v1/instance/service-accounts/default/token":
            if self.headers.get("Metadata-Flavor") != "Google":
                log("TOKEN metadata FAIL header")
                self.send_json(403, {"error": "missing Metadata-Flavor"})
                return
            log("TOKEN metadata OK")
            self.send_json(200, issue())
            return
        tok = self.headers.get("Authorization", "")[7:]
        with LOCK:
            exp = TOKENS.get(tok)
        if exp is None or exp < time.time():
            log(f"GET {u.path} 401")
            self.send_json(401, {"error": {"code": 401, "status": "UNAUTHENTICATED", "message": "bad token"}})
            return
        status, body = self.route(u.path, q)
        log(f"GET {u.path} {status}")
        self.send_json(status, body)

    def route(self, path, q):
        denied = {"error": {"code": 403, "message": "The caller does not have permission",
                            "errors": [{"reason": "forbidden"}], "status": "PERMISSION_DENIED"}}
        if path == "/v1/projects":
            if q.get("pageToken") == "p2":
                return 200, {"projects": [
                    {"projectId": "acme-dev-222", "projectNumber": "222", "lifecycleState": "ACTIVE"},
                    {"projectId": "acme-gone-333", "projectNumber": "333", "lifecycleState": "DELETE_REQUESTED"}]}
            return 200, {"projects": [{"projectId": "acme-prod-111", "projectNumber": "111",
                                       "lifecycleState": "ACTIVE"}], "nextPageToken": "p2"}
        if path == "/storage/v1/b":
            proj = q.get("project")
            if proj == "acme-prod-111" and bump("quota") == 1:
                return 403, {"error": {"code": 403, "message": "Rate limit", "errors":
                                       [{"reason": "rateLimitExceeded"}]}}
            if proj != "acme-prod-111":
                return 200, {"kind": "storage#buckets"}
            if q.get("pageToken") == "b2":
                return 200, {"kind": "storage#buckets", "items": [
                    {"kind": "storage#bucket", "name": "acme-private", "location": "EUROPE-WEST1",
                     "storageClass": "STANDARD", "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": True},
                                                                      "publicAccessPrevention": "enforced"},
                     "logging": {"logBucket": "acme-logs"}, "retentionPolicy": {"retentionPeriod": "86400"}}]}
            return 200, {"kind": "storage#buckets", "nextPageToken": "b2", "items": [
                {"kind": "storage#bucket", "name": "acme-public", "location": "US", "storageClass": "STANDARD",
                 "labels": {"team": "data"}, "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": False},
                                                                  "publicAccessPrevention": "inherited"}},
                {"kind": "storage#bucket", "name": "acme-secret-iam", "location": "EU"}]}
        if path == "/storage/v1/b/acme-public/iam":
            return 200, {"kind": "storage#policy", "resourceId": "projects/_/buckets/acme-public", "version": 1,
                         "etag": "CAE=", "bindings": [{"role": "roles/storage.objectViewer",
                                                       "members": ["allUsers"]}]}
        if path == "/storage/v1/b/acme-private/iam":
            return 200, {"version": 1, "bindings": [{"role": "roles/storage.admin",
                                                     "members": ["group:ops@acme.example"]}]}
        if path == "/storage/v1/b/acme-secret-iam/iam":
            return 403, denied
        if path == "/compute/v1/projects/acme-prod-111/global/firewalls":
            return 200, {"kind": "compute#firewallList", "items": [
                {"kind": "compute#firewall", "id": "1001", "name": "allow-ssh", "network": "global/networks/default",
                 "direction": "INGRESS", "priority": 1000, "sourceRanges": ["0.0.0.0/0"],
                 "allowed": [{"IPProtocol": "tcp", "ports": ["22"]}], "disabled": False}]}
        if path == "/v1/projects/acme-prod-111/serviceAccounts":
            sa = "projects/acme-prod-111/serviceAccounts/"
            if q.get("pageToken") == "s2":
                return 200, {"accounts": [{"name": sa + "ci@acme-prod-111.iam.gserviceaccount.com",
                                           "email": "ci@acme-prod-111.iam.gserviceaccount.com"}]}
            return 200, {"accounts": [{"name": sa + "app@acme-prod-111.iam.gserviceaccount.com",
                                       "email": "app@acme-prod-111.iam.gserviceaccount.com"}], "nextPageToken": "s2"}
        if path == "/v1/projects/acme-prod-111/serviceAccounts/app@acme-prod-111.iam.gserviceaccount.com/keys":
            if q.get("keyTypes") != "USER_MANAGED":
                return 400, {"error": {"code": 400, "status": "INVALID_ARGUMENT", "message": "keyTypes"}}
            name = "projects/acme-prod-111/serviceAccounts/app@acme-prod-111.iam.gserviceaccount.com/keys/"
            return 200, {"keys": [
                {"name": name + "1f2e3d4c5b6a79881f2e3d4c5b6a798812345678", "keyAlgorithm": "KEY_ALG_RSA_2048",
                 "keyOrigin": "GOOGLE_PROVIDED", "keyType": "USER_MANAGED", "validAfterTime": "2021-04-02T09:30:00Z",
                 "validBeforeTime": "9999-12-31T23:59:59Z", "privateKeyData": "U0VDUkVULUtFWS1NQVRFUklBTA=="}]}
        if path.startswith("/v1/projects/acme-prod-111/serviceAccounts/ci@"):
            return 403, {"error": {"code": 403, "status": "PERMISSION_DENIED", "message": "no"}}
        if path == "/compute/v1/projects/acme-prod-111/aggregated/instances":
            z = "https://www.googleapis.com/compute/v1/projects/acme-prod-111/zones/"
            if q.get("pageToken") == "i2":
                return 200, {"items": {"zones/us-east1-b": {"warning": {"code": "NO_RESULTS_ON_PAGE"}}}}
            return 200, {"nextPageToken": "i2", "items": {
                "zones/europe-west1-b": {"instances": [
                    {"kind": "compute#instance", "id": "77", "name": "web-1", "zone": z + "europe-west1-b",
                     "status": "RUNNING", "canIpForward": False,
                     "networkInterfaces": [{"name": "nic0", "accessConfigs": [{"type": "ONE_TO_ONE_NAT",
                                                                               "natIP": "203.0.113.7"}]}],
                     "serviceAccounts": [{"email": "111-compute@developer.gserviceaccount.com",
                                          "scopes": ["https://www.googleapis.com/auth/cloud-platform"]}],
                     "metadata": {"items": [{"key": "serial-port-enable", "value": "1"},
                                            {"key": "startup-script", "value": "export DB_PASSWORD=hunter2"},
                                            {"key": "ssh-keys", "value": "alice:ssh-rsa AAAA"}]},
                     "disks": [{"deviceName": "boot", "boot": True}]}]},
                "zones/us-central1-a": {"warning": {"code": "NO_RESULTS_ON_PAGE"}}}}
        if path == "/compute/v1/projects/acme-dev-222/global/firewalls":
            return 403, denied
        return 404, {"error": {"code": 404, "status": "NOT_FOUND", "message": "no"}}


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def main():
    global ARGS, LOG, RSA_N
    ap = argparse.ArgumentParser()
    for a in ("--cert", "--key", "--port-file", "--log", "--sa-email", "--sa-key", "--kid"):
        ap.add_argument(a, required=True)
    ap.add_argument("--refresh-token-env")
    ARGS = ap.parse_args()
    out = subprocess.run(["openssl", "rsa", "-noout", "-modulus", "-in", ARGS.sa_key], capture_output=True,
                         check=True).stdout.decode()
    RSA_N = int(out.strip().split("=", 1)[1], 16)
    LOG = open(ARGS.log, "a")
    srv = Server(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(ARGS.cert, ARGS.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(ARGS.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(ARGS.port_file + ".tmp", ARGS.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
