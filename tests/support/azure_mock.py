#!/usr/bin/env python3
"""azure_mock.py - a local HTTPS stand-in for Entra ID and Azure Resource Manager,
for tests/integration/azure_arm.sh.

Token endpoint (POST /TENANT/oauth2/v2.0/token): accepts the client-credentials
grant with the expected client secret, or with a JWT client assertion whose
RS256 signature it VERIFIES against the client certificate's public key
(textbook RSA with Python integers and the PKCS#1 v1.5 DigestInfo of
SHA-256, written from RFC 8017 and RFC 7515; independent of the plugin's
OpenSSL code), together with aud, iss, sub, exp, nbf and the x5t thumbprint.
Managed identity (GET /metadata/identity/oauth2/token) requires "Metadata: true".

ARM: subscriptions (two pages by nextLink, one disabled), resource groups,
storage accounts (+ blobServices/default, containers, POST listKeys: denied
for acmepublic with AuthorizationFailed, a key for acmeprivate; acmehostile
has a forged blob endpoint the plugin must not use), NSGs (two
pages), Network Watchers with flow logs, VMs (+ extensions), disks, Key
Vaults (+ keys, secrets, diagnostic settings; the vault list is denied with
AuthorizationFailed in the second subscription), SQL servers (+
firewallRules, auditingSettings, no Entra ID admin, securityAlertPolicies,
encryptionProtector), PostgreSQL / MySQL flexible servers (+ configurations,
two pages), role assignments and custom role definitions, Defender plans,
security contacts, auto provisioning, activity log alerts, diagnostic
settings. The first storage account list of each subscription, and the
first listKeys, are throttled once (429 with Retry-After: 1). Bodies have
the shapes of the ARM REST reference (GET/list: {"value": [...],
"nextLink"}; listKeys: {"keys": [{"keyName","value","permissions"}]}).
Every ARM call needs a Bearer token the mock issued and that has not
expired; others get 401.

Blob data plane of acmeprivate (GET /acmeprivate/?restype=service&comp=properties
and ?comp=list; its queue service's properties at /acmeprivate/queue and its
table service's at /acmeprivate/table, paths no real endpoint has, so the
services differ): the Shared Key signature is checked with the signers of
azure_blob_admin.py (the Table service's own layout for /table) against the
key listKeys handed out; a wrong one gets 403 AuthenticationFailed.
App Service: config/web, config/authsettingsV2 (with an identity provider
registration the plugin must drop), basicPublishingCredentialsPolicies/ftp
and /scm; acme-dev's app passes what acme-prod's fails. Storage accounts
carry keyPolicy, sasPolicy and keyCreationTime (relative to now). Resources -
List (two nextLink pages, one "global" resource) gives the regions in use;
acme-dev's Network Watchers come in two pages and cover them. With --blob-endpoint URL, acmeprivate's
primaryEndpoints.blob is URL instead (Azurite), and listKeys returns the key
in the environment variable AZ_KEY; --queue-endpoint likewise for the queue.

Log lines: "TOKEN <kind> OK|FAIL <why>", "GET <path> <status>", "POST <path> <status>",
"BLOB <query> <status>".
Usage: azure_mock.py --cert C --key K --port-file F --log L --tenant T --client-id ID
       [--secret-env VAR] [--client-cert PEM] [--token-lifetime S] [--bulk-nsgs N]
       [--blob-endpoint URL]
Test code: trusts its caller.
"""
import argparse
import base64
import hashlib
import http.server
import json
import secrets
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import azure_blob_admin  # noqa: E402 - the independent Shared Key signer

ARGS = None
LOCK = threading.Lock()
LOG = None
TOKENS = {}
COUNTS = {}
SUB_A = "00000000-0000-0000-0000-00000000000a"
SUB_B = "00000000-0000-0000-0000-00000000000b"
SUB_OFF = "00000000-0000-0000-0000-0000000000ff"
RSA_N = None
X5T = None
# the key listKeys hands out for acmeprivate (the test passes its own, to look for it in the output)
STORAGE_KEY = os.environ.get("MOCK_STORAGE_KEY") or base64.b64encode(secrets.token_bytes(64)).decode()
BLOB_PROPS = """<?xml version="1.0" encoding="utf-8"?><StorageServiceProperties><Logging><Version>1.0</Version>
<Delete>false</Delete><Read>false</Read><Write>true</Write><RetentionPolicy><Enabled>false</Enabled></RetentionPolicy>
</Logging><Cors/><DeleteRetentionPolicy><Enabled>true</Enabled><Days>7</Days></DeleteRetentionPolicy>
</StorageServiceProperties>"""
# Table service: read and write logged, delete not (azure-storage-table-logging-incomplete fails)
TABLE_PROPS = """<?xml version="1.0" encoding="utf-8"?><StorageServiceProperties><Logging><Version>1.0</Version>
<Delete>false</Delete><Read>true</Read><Write>true</Write><RetentionPolicy><Enabled>false</Enabled></RetentionPolicy>
</Logging><HourMetrics><Version>1.0</Version><Enabled>false</Enabled><RetentionPolicy><Enabled>false</Enabled>
</RetentionPolicy></HourMetrics><Cors/></StorageServiceProperties>"""
QUEUE_PROPS = """<?xml version="1.0" encoding="utf-8"?><StorageServiceProperties><Logging><Version>1.0</Version>
<Delete>false</Delete><Read>true</Read><Write>true</Write><RetentionPolicy><Enabled>true</Enabled><Days>30</Days>
</RetentionPolicy></Logging><Cors/></StorageServiceProperties>"""


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


def load_client_cert(path):
    global RSA_N, X5T
    with open(path) as f:
        pem = f.read()
    start = pem.index("-----BEGIN CERTIFICATE-----")
    end = pem.index("-----END CERTIFICATE-----") + len("-----END CERTIFICATE-----")
    der = ssl.PEM_cert_to_DER_cert(pem[start:end])
    X5T = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).rstrip(b"=").decode()
    out = subprocess.run(["openssl", "x509", "-noout", "-modulus"], input=pem[start:end].encode(),
                         capture_output=True, check=True).stdout.decode()
    RSA_N = int(out.strip().split("=", 1)[1], 16)


def rs256_verify(signing_input, sig):
    k = (RSA_N.bit_length() + 7) // 8
    if len(sig) != k:
        return False
    em = pow(int.from_bytes(sig, "big"), 65537, RSA_N).to_bytes(k, "big")
    digest_info = bytes.fromhex("3031300d060960864801650304020105000420") + hashlib.sha256(signing_input).digest()
    expected = b"\x00\x01" + b"\xff" * (k - 3 - len(digest_info)) + b"\x00" + digest_info
    return em == expected


def check_assertion(jwt, token_url):
    if RSA_N is None:
        return "no client certificate configured"
    parts = jwt.split(".")
    if len(parts) != 3:
        return "assertion is not a JWS"
    try:
        hdr = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        sig = b64url_decode(parts[2])
    except Exception:  # noqa: BLE001 - any decoding problem is a refusal
        return "assertion does not decode"
    if hdr.get("alg") != "RS256":
        return "alg is not RS256"
    if hdr.get("x5t") != X5T:
        return "x5t does not match the certificate"
    if not rs256_verify((parts[0] + "." + parts[1]).encode(), sig):
        return "signature does not verify"
    now = time.time()
    if claims.get("aud") != token_url:
        return "aud is %r, not the token endpoint" % claims.get("aud")
    if claims.get("iss") != ARGS.client_id or claims.get("sub") != ARGS.client_id:
        return "iss/sub is not the client id"
    if not (claims.get("exp", 0) > now and claims.get("nbf", now + 999) <= now + 60):
        return "assertion is expired or not yet valid"
    if not claims.get("jti"):
        return "no jti"
    return None


def issue():
    tok = "mocktok-" + secrets.token_hex(16)
    with LOCK:
        TOKENS[tok] = time.time() + ARGS.token_lifetime
    return {"token_type": "Bearer", "expires_in": ARGS.token_lifetime, "ext_expires_in": ARGS.token_lifetime,
            "access_token": tok}


def arm(path, sub, items, next_link=None):
    body = {"value": items}
    if next_link:
        body["nextLink"] = next_link
    return body


def private_endpoints(b):
    """acmeprivate's primaryEndpoints: the mock's own data plane, or Azurite's (--blob-endpoint / --queue-endpoint)."""
    if ARGS.blob_endpoint:
        eps = {"blob": ARGS.blob_endpoint}
        if ARGS.queue_endpoint:
            eps["queue"] = ARGS.queue_endpoint
        if ARGS.table_endpoint:
            eps["table"] = ARGS.table_endpoint
        return eps
    return {"blob": f"{b}/acmeprivate/", "queue": f"{b}/acmeprivate/queue", "table": f"{b}/acmeprivate/table"}


def iso_days_ago(days):
    """An ARM timestamp (keyCreationTime) @days before now."""
    return time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z", time.gmtime(time.time() - days * 86400))


def rid(sub, rg, prov, name):
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{prov}/{name}"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_json(self, status, obj, extra=None):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def base(self):
        return f"https://127.0.0.1:{self.server.server_address[1]}"

    def bearer_ok(self):
        auth = self.headers.get("Authorization", "")
        tok = auth[7:] if auth.startswith("Bearer ") else ""
        with LOCK:
            exp = TOKENS.get(tok)
        return exp is not None and exp >= time.time()

    def arm_post(self, u):
        q = dict(urllib.parse.parse_qsl(u.query))
        p = u.path.split("/")
        if not self.bearer_ok():
            log(f"POST {u.path} 401")
            self.send_json(401, {"error": {"code": "InvalidAuthenticationToken", "message": "invalid token"}})
            return
        if len(p) == 10 and p[6] == "Microsoft.Storage" and p[9] == "listKeys" and "api-version" in q:
            acct = p[8]
            if bump("listkeys") == 1:
                log(f"POST {u.path} 429")
                self.send_json(429, {"error": {"code": "TooManyRequests", "message": "throttled"}},
                               {"Retry-After": "1", "x-ms-ratelimit-remaining-subscription-writes": "0"})
                return
            if acct != "acmeprivate":
                log(f"POST {u.path} 403")
                self.send_json(403, {"error": {"code": "AuthorizationFailed", "message": "The client does not have "
                                     "authorization to perform action 'Microsoft.Storage/storageAccounts/listKeys/"
                                     "action'."}})
                return
            key = os.environ.get("AZ_KEY") if ARGS.blob_endpoint else STORAGE_KEY
            log(f"POST {u.path} 200")
            self.send_json(200, {"keys": [
                {"creationTime": "2026-01-01T00:00:00Z", "keyName": "key1", "value": key, "permissions": "FULL"},
                {"creationTime": "2026-01-01T00:00:00Z", "keyName": "key2", "value": STORAGE_KEY[::-1],
                 "permissions": "FULL"}]}, {"x-ms-ratelimit-remaining-subscription-writes": "1199"})
            return
        log(f"POST {u.path} 404")
        self.send_json(404, {"error": {"code": "NotFound", "message": "unknown action"}})

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        u = urllib.parse.urlsplit(self.path)
        if u.path.startswith("/subscriptions/"):
            self.arm_post(u)
            return
        form = dict(urllib.parse.parse_qsl(raw.decode()))
        if u.path != f"/{ARGS.tenant}/oauth2/v2.0/token":
            self.send_json(404, {"error": "not_found"})
            return
        token_url = self.base() + u.path
        if form.get("grant_type") != "client_credentials" or form.get("scope") != \
                "https://management.azure.com/.default":
            log("TOKEN ? FAIL grant or scope")
            self.send_json(400, {"error": "invalid_request", "error_description": "AADSTS900144: bad grant/scope"})
            return
        if form.get("client_id") != ARGS.client_id:
            log("TOKEN ? FAIL client id")
            self.send_json(400, {"error": "unauthorized_client",
                                 "error_description": "AADSTS700016: Application not found in the directory."})
            return
        if "client_assertion" in form:
            why = None
            if form.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
                why = "assertion type"
            else:
                why = check_assertion(form["client_assertion"], token_url)
            if why:
                log("TOKEN assertion FAIL " + why)
                self.send_json(401, {"error": "invalid_client",
                                     "error_description": "AADSTS700027: Client assertion failed signature "
                                                          "validation."})
                return
            log("TOKEN assertion OK")
        else:
            expected = ARGS.secret
            if not expected or form.get("client_secret") != expected:
                log("TOKEN secret FAIL wrong secret")
                self.send_json(401, {"error": "invalid_client",
                                     "error_description": "AADSTS7000215: Invalid client secret provided."})
                return
            log("TOKEN secret OK")
        self.send_json(200, issue())

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        if u.path == "/metadata/identity/oauth2/token":
            if self.headers.get("Metadata") != "true" or q.get("resource") != "https://management.azure.com/":
                log("TOKEN msi FAIL header or resource")
                self.send_json(400, {"error": "invalid_request", "error_description": "Required metadata header "
                                                                                      "not specified"})
                return
            log("TOKEN msi OK")
            t = issue()
            t["expires_in"] = str(t["expires_in"])  # IMDS sends strings
            self.send_json(200, t)
            return
        if u.path in ("/acmeprivate", "/acmeprivate/", "/acmeprivate/queue", "/acmeprivate/table"):
            self.blob(u, q)
            return
        if not self.bearer_ok():
            log(f"GET {u.path} 401")
            self.send_json(401, {"error": {"code": "InvalidAuthenticationToken", "message": "The access token is "
                                                                                            "invalid."}})
            return
        if "api-version" not in q:
            log(f"GET {u.path} 400")
            self.send_json(400, {"error": {"code": "MissingApiVersionParameter", "message": "api-version"}})
            return
        status, body, extra = self.route(u.path, q)
        log(f"GET {u.path} {status}")
        self.send_json(status, body, extra)

    def send_xml(self, status, text):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def blob(self, u, q):
        hdrs = {k: v for k, v in self.headers.items() if k.lower().startswith("x-ms-")}
        if u.path.endswith("/table"):  # the Table service's own Shared Key layout
            hdrs.update({k: v for k, v in self.headers.items() if k.lower() in ("content-md5", "content-type",
                                                                                 "date")})
            want = azure_blob_admin.sign_table("GET", "acmeprivate", STORAGE_KEY, u.path, u.query, hdrs)
        else:
            want = azure_blob_admin.sign("GET", "acmeprivate", STORAGE_KEY, u.path, u.query, hdrs, 0)
        if self.headers.get("Authorization") != want:
            log(f"BLOB {u.query} 403")
            self.send_xml(403, "<?xml version=\"1.0\"?><Error><Code>AuthenticationFailed</Code>"
                               "<Message>signature</Message></Error>")
            return
        log(f"BLOB {u.query} 200")
        if q.get("comp") == "properties":
            self.send_xml(200, QUEUE_PROPS if u.path.endswith("/queue") else
                          TABLE_PROPS if u.path.endswith("/table") else BLOB_PROPS)
            return
        self.send_xml(200, '<?xml version="1.0"?><EnumerationResults ServiceEndpoint="x"><Containers>'
                           '<Container><Name>backups</Name><Properties><Last-Modified>Sun, 01 Nov 2026 10:00:00 GMT'
                           '</Last-Modified><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState>'
                           '</Properties></Container>'
                           '<Container><Name>site</Name><Properties><PublicAccess>blob</PublicAccess></Properties>'
                           '</Container></Containers><NextMarker/></EnumerationResults>')

    def route(self, path, q):
        b = self.base()
        hdr = {"x-ms-ratelimit-remaining-subscription-reads": "11999"}
        p = path.split("/")
        if path == "/subscriptions":
            if q.get("page") == "2":
                return 200, arm(path, None, [
                    {"id": f"/subscriptions/{SUB_B}", "subscriptionId": SUB_B, "displayName": "acme-dev",
                     "state": "Enabled", "tenantId": ARGS.tenant},
                    {"id": f"/subscriptions/{SUB_OFF}", "subscriptionId": SUB_OFF, "displayName": "old",
                     "state": "Disabled", "tenantId": ARGS.tenant}]), hdr
            return 200, arm(path, None, [
                {"id": f"/subscriptions/{SUB_A}", "subscriptionId": SUB_A, "displayName": "acme-prod",
                 "state": "Enabled", "tenantId": ARGS.tenant}],
                f"{b}/subscriptions?api-version=2022-12-01&page=2"), hdr
        if path == "/providers/Microsoft.Management/managementGroups/mg-acme/descendants":
            mg = "/providers/Microsoft.Management/managementGroups"
            return 200, {"value": [
                {"id": f"{mg}/mg-child", "type": "Microsoft.Management/managementGroups", "name": "mg-child",
                 "properties": {"displayName": "child", "parent": {"id": f"{mg}/mg-acme"}}},
                {"id": f"{mg}/mg-child/subscriptions/{SUB_B}", "type":
                 "Microsoft.Management/managementGroups/subscriptions", "name": SUB_B,
                 "properties": {"displayName": "acme-dev", "parent": {"id": f"{mg}/mg-child"}}}]}, hdr
        if len(p) == 3 and p[1] == "subscriptions":
            return 200, {"id": f"/subscriptions/{p[2]}", "subscriptionId": p[2], "displayName":
                         "acme-prod" if p[2] == SUB_A else "acme-dev", "state": "Enabled", "tenantId": ARGS.tenant,
                         "authorizationSource": "RoleBased"}, hdr
        if len(p) < 3:
            return 404, {"error": {"code": "NotFound", "message": "no"}}, hdr
        sub = p[2]
        rest = "/".join(p[3:])
        if rest == "resourcegroups":
            return 200, arm(path, sub, [
                {"id": f"/subscriptions/{sub}/resourceGroups/rg-data", "name": "rg-data", "type":
                 "Microsoft.Resources/resourceGroups", "location": "westeurope", "tags": {"env": "prod"},
                 "properties": {"provisioningState": "Succeeded"}},
                {"id": f"/subscriptions/{sub}/resourceGroups/rg-net", "name": "rg-net", "type":
                 "Microsoft.Resources/resourceGroups", "location": "northeurope",
                 "properties": {"provisioningState": "Succeeded"}}]), hdr
        if rest == "providers/Microsoft.Storage/storageAccounts":
            if bump("storage-list-" + sub) == 1:
                return 429, {"error": {"code": "TooManyRequests", "message": "throttled"}}, {"Retry-After": "1"}
            return 200, arm(path, sub, [
                {"id": rid(sub, "rg-data", "Microsoft.Storage/storageAccounts", "acmepublic"), "name": "acmepublic",
                 "type": "Microsoft.Storage/storageAccounts", "location": "westeurope", "kind": "StorageV2",
                 "sku": {"name": "Standard_LRS", "tier": "Standard"}, "tags": {"owner": "web"},
                 "properties": {"supportsHttpsTrafficOnly": False, "minimumTlsVersion": "TLS1_0",
                                "allowBlobPublicAccess": True, "networkAcls": {"defaultAction": "Allow",
                                                                               "bypass": "None"},
                                "allowSharedKeyAccess": True, "allowCrossTenantReplication": True,
                                "publicNetworkAccess": "Enabled",
                                # keys older than 90 days, no SAS expiration policy
                                "keyCreationTime": {"key1": iso_days_ago(400), "key2": iso_days_ago(20)},
                                "encryption": {"keySource": "Microsoft.Storage",
                                               "requireInfrastructureEncryption": False},
                                "primaryEndpoints": {"blob": "https://acmepublic.blob.core.windows.net/"}}},
                {"id": rid(sub, "rg-data", "Microsoft.Storage/storageAccounts", "acmeprivate"),
                 "name": "acmeprivate", "type": "Microsoft.Storage/storageAccounts", "location": "westeurope",
                 "kind": "StorageV2", "sku": {"name": "Standard_GRS", "tier": "Standard"},
                 "properties": {"supportsHttpsTrafficOnly": True, "minimumTlsVersion": "TLS1_2",
                                "allowBlobPublicAccess": False, "networkAcls": {"defaultAction": "Deny",
                                                                                "bypass": "AzureServices"},
                                "allowCrossTenantReplication": False, "publicNetworkAccess": "Disabled",
                                "keyPolicy": {"keyExpirationPeriodInDays": 90},
                                "sasPolicy": {"sasExpirationPeriod": "0.01:00:00", "expirationAction": "Log"},
                                "keyCreationTime": {"key1": iso_days_ago(10), "key2": iso_days_ago(30)},
                                "encryption": {"keySource": "Microsoft.Keyvault",
                                               "requireInfrastructureEncryption": True},
                                "primaryEndpoints": private_endpoints(b)}},
                {"id": rid(sub, "rg-data", "Microsoft.Storage/storageAccounts", "acmehostile"),
                 "name": "acmehostile", "type": "Microsoft.Storage/storageAccounts", "location": "westeurope",
                 "kind": "StorageV2", "sku": {"name": "Standard_LRS", "tier": "Standard"},
                 # a forged endpoint: plain http whose host is not this machine (user info trick)
                 "properties": {"supportsHttpsTrafficOnly": True, "minimumTlsVersion": "TLS1_2",
                                "primaryEndpoints": {"blob": "http://127.0.0.1:1@attacker.example/acmehostile/"}}}]), \
                {"x-ms-ratelimit-remaining-subscription-reads": "5"}
        if rest.startswith("resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/"):
            acct = p[8]
            tail = "/".join(p[9:])
            base_id = rid(sub, "rg-data", "Microsoft.Storage/storageAccounts", acct)
            if tail == "blobServices/default":
                on = acct == "acmeprivate"
                return 200, {"id": base_id + "/blobServices/default", "name": "default",
                             "type": "Microsoft.Storage/storageAccounts/blobServices",
                             "properties": {"deleteRetentionPolicy": {"enabled": on, "days": 7 if on else 0},
                                            "cors": {"corsRules": []}}}, hdr
            if tail == "blobServices/default/containers":
                items = [{"id": base_id + "/blobServices/default/containers/web", "name": "web",
                          "type": "Microsoft.Storage/storageAccounts/blobServices/containers",
                          "properties": {"publicAccess": "Container" if acct == "acmepublic" else "None"}}]
                return 200, arm(path, sub, items), hdr
        if rest == "providers/Microsoft.Network/networkSecurityGroups" and ARGS.bulk_nsgs:
            # benchmark mode: BULK NSGs in pages of 1000
            start = int(q.get("skip", "0"))
            end = min(start + 1000, ARGS.bulk_nsgs)
            items = [{"id": rid(sub, "rg-bulk", "Microsoft.Network/networkSecurityGroups", f"nsg-{i:06d}"),
                      "name": f"nsg-{i:06d}", "location": "westeurope",
                      "properties": {"securityRules": [], "provisioningState": "Succeeded"}}
                     for i in range(start, end)]
            more = f"{b}{path}?api-version=2023-09-01&skip={end}" if end < ARGS.bulk_nsgs else None
            return 200, arm(path, sub, items, more), hdr
        if rest == "providers/Microsoft.Network/networkSecurityGroups":
            rule = {"name": "ssh", "id": rid(sub, "rg-net", "Microsoft.Network/networkSecurityGroups",
                                             "nsg-web/securityRules/ssh"),
                    "properties": {"direction": "Inbound", "access": "Allow", "protocol": "Tcp",
                                   "sourceAddressPrefix": "*", "destinationPortRange": "22", "priority": 100}}
            default = [{"name": "AllowVnetInBound", "properties": {"direction": "Inbound", "access": "Allow"}}]
            if q.get("page") == "2":
                return 200, arm(path, sub, [
                    {"id": rid(sub, "rg-net", "Microsoft.Network/networkSecurityGroups", "nsg-db"), "name": "nsg-db",
                     "location": "northeurope", "properties": {"securityRules": [],
                                                               "defaultSecurityRules": default}}]), hdr
            return 200, arm(path, sub, [
                {"id": rid(sub, "rg-net", "Microsoft.Network/networkSecurityGroups", "nsg-web"), "name": "nsg-web",
                 "location": "northeurope", "properties": {"securityRules": [rule],
                                                           "defaultSecurityRules": default}}],
                f"{b}{path}?api-version=2023-09-01&page=2"), hdr
        if rest == "providers/Microsoft.KeyVault/vaults":
            if sub == SUB_B:
                return 403, {"error": {"code": "AuthorizationFailed", "message": "The client does not have "
                                       "authorization to perform action 'Microsoft.KeyVault/vaults/read'."}}, hdr
            return 200, arm(path, sub, [
                {"id": rid(sub, "rg-data", "Microsoft.KeyVault/vaults", "kv-acme"), "name": "kv-acme",
                 "location": "westeurope", "properties": {"tenantId": ARGS.tenant, "enableSoftDelete": True,
                                                          "enableRbacAuthorization": False,
                                                          "publicNetworkAccess": "Enabled"}}]), hdr
        if rest == "providers/Microsoft.Compute/virtualMachines":
            return 200, arm(path, sub, [
                {"id": rid(sub, "rg-app", "Microsoft.Compute/virtualMachines", "vm-web"), "name": "vm-web",
                 "location": "westeurope", "identity": {"type": "SystemAssigned"},
                 "properties": {"vmId": "0b0b", "hardwareProfile": {"vmSize": "Standard_D2s_v5"},
                                "osProfile": {"adminUsername": "azureuser", "linuxConfiguration":
                                              {"disablePasswordAuthentication": False}},
                                "securityProfile": {"encryptionAtHost": True}}},
                {"id": rid(sub, "rg-app", "Microsoft.Compute/virtualMachines", "vm-old"), "name": "vm-old",
                 "location": "westeurope", "properties": {"vmId": "0c0c"}}]), hdr
        if rest == "providers/Microsoft.Compute/disks":
            return 200, arm(path, sub, [
                {"id": rid(sub, "rg-app", "Microsoft.Compute/disks", "disk-loose"), "name": "disk-loose",
                 "location": "westeurope", "sku": {"name": "Premium_LRS"},
                 "properties": {"diskState": "Unattached", "encryption":
                                {"type": "EncryptionAtRestWithPlatformKey"}, "networkAccessPolicy": "AllowAll"}}]), hdr
        if rest == "providers/Microsoft.Web/sites":
            good = sub == SUB_B  # acme-dev's app-shop has authentication, no basic auth, client certificates
            return 200, arm(path, sub, [
                {"id": rid(sub, "rg-app", "Microsoft.Web/sites", "app-shop"), "name": "app-shop", "kind": "app",
                 "location": "westeurope", "properties": {"httpsOnly": False, "state": "Running",
                                                          "clientCertEnabled": good,
                                                          "clientCertMode": "Required" if good else "Optional",
                                                          "siteConfig": {"minTlsVersion": None}}}]), hdr
        if rest == "resourceGroups/rg-app/providers/Microsoft.Web/sites/app-shop/config/authsettingsV2":
            good = sub == SUB_B
            return 200, {"id": rid(sub, "rg-app", "Microsoft.Web/sites", "app-shop/config/authsettingsV2"),
                         "name": "authsettingsV2", "type": "Microsoft.Web/sites/config",
                         "properties": {"platform": {"enabled": good, "runtimeVersion": "~1"},
                                        "globalValidation": {"requireAuthentication": good,
                                                             "unauthenticatedClientAction":
                                                             "RedirectToLoginPage" if good else "AllowAnonymous"},
                                        "identityProviders": {"azureActiveDirectory": {
                                            "enabled": good, "registration": {
                                                "clientId": "app-client-id-xyz",
                                                "clientSecretSettingName": "MICROSOFT_PROVIDER_AUTHENTICATION_SECRET"}}},
                                        "login": {"tokenStore": {"enabled": good}}}}, hdr
        if rest.startswith("resourceGroups/rg-app/providers/Microsoft.Web/sites/app-shop/"
                           "basicPublishingCredentialsPolicies/"):
            which = p[-1]
            if which not in ("ftp", "scm"):
                return 404, {"error": {"code": "NotFound", "message": "no such policy"}}, hdr
            return 200, {"id": rid(sub, "rg-app", "Microsoft.Web/sites",
                                   f"app-shop/basicPublishingCredentialsPolicies/{which}"),
                         "name": which, "type": "Microsoft.Web/sites/basicPublishingCredentialsPolicies",
                         "properties": {"allow": sub != SUB_B}}, hdr
        if rest == "resourceGroups/rg-app/providers/Microsoft.Web/sites/app-shop/config/web":
            return 200, {"id": rid(sub, "rg-app", "Microsoft.Web/sites", "app-shop/config/web"), "name": "web",
                         "type": "Microsoft.Web/sites/config",
                         "properties": {"minTlsVersion": "1.0", "ftpsState": "AllAllowed", "http20Enabled": False}}, hdr
        if rest == "providers/Microsoft.ContainerService/managedClusters":
            return 200, arm(path, sub, [
                {"id": rid(sub, "rg-app", "Microsoft.ContainerService/managedClusters", "aks-prod"),
                 "name": "aks-prod", "location": "westeurope",
                 "properties": {"enableRBAC": True, "apiServerAccessProfile": {"enablePrivateCluster": False},
                                "networkProfile": {"networkPlugin": "azure", "networkPolicy": None}}}]), hdr
        if rest == "providers/Microsoft.Authorization/roleAssignments":
            return 200, arm(path, sub, [
                {"id": f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleAssignments/ra-owner",
                 "name": "ra-owner", "type": "Microsoft.Authorization/roleAssignments",
                 "properties": {"roleDefinitionId": f"/subscriptions/{sub}/providers/Microsoft.Authorization/"
                                                    "roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
                                "principalId": "p1", "principalType": "User", "scope": f"/subscriptions/{sub}"}}]), hdr
        if rest == "providers/Microsoft.Security/pricings":
            return 200, {"value": [
                {"id": f"/subscriptions/{sub}/providers/Microsoft.Security/pricings/VirtualMachines",
                 "name": "VirtualMachines", "properties": {"pricingTier": "Free"}},
                {"id": f"/subscriptions/{sub}/providers/Microsoft.Security/pricings/StorageAccounts",
                 "name": "StorageAccounts", "properties": {"pricingTier": "Standard"}}]}, hdr
        if rest == "providers/Microsoft.Insights/activityLogAlerts":
            def alert(name, op, enabled=True):
                return {"id": f"/subscriptions/{sub}/resourceGroups/rg-ops/providers/Microsoft.Insights/"
                              f"activityLogAlerts/{name}", "name": name, "type": "Microsoft.Insights/ActivityLogAlerts",
                        "location": "Global",
                        "properties": {"scopes": [f"/subscriptions/{sub}"], "enabled": enabled,
                                       "condition": {"allOf": [{"field": "category", "equals": "Administrative"},
                                                               {"field": "operationName", "equals": op}]},
                                       "actions": {"actionGroups": []}}}
            return 200, arm(path, sub, [alert("nsg-write", "Microsoft.Network/networkSecurityGroups/write"),
                                        alert("nsg-delete", "Microsoft.Network/networkSecurityGroups/delete",
                                              False)]), hdr
        if rest == "providers/Microsoft.Authorization/roleDefinitions":
            if q.get("$filter") != "type eq 'CustomRole'":
                return 400, {"error": {"code": "BadRequest", "message": "filter"}}, hdr
            return 200, arm(path, sub, [
                {"id": f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/rd-admin",
                 "name": "rd-admin", "type": "Microsoft.Authorization/roleDefinitions",
                 "properties": {"roleName": "acme-sub-admin", "type": "CustomRole", "description": "",
                                "assignableScopes": [f"/subscriptions/{sub}"],
                                "permissions": [{"actions": ["*"], "notActions": [], "dataActions": [],
                                                 "notDataActions": []}]}}]), hdr
        if rest == "providers/Microsoft.Security/securityContacts":
            return 200, arm(path, sub, [
                {"id": f"/subscriptions/{sub}/providers/Microsoft.Security/securityContacts/default",
                 "name": "default", "type": "Microsoft.Security/securityContacts",
                 "properties": {"emails": "", "alertNotifications": {"state": "Off", "minimalSeverity": "High"},
                                "notificationsByRole": {"state": "On", "roles": ["Owner"]}}}]), hdr
        if rest == "providers/Microsoft.Security/autoProvisioningSettings":
            return 200, arm(path, sub, [
                {"id": f"/subscriptions/{sub}/providers/Microsoft.Security/autoProvisioningSettings/default",
                 "name": "default", "type": "Microsoft.Security/autoProvisioningSettings",
                 "properties": {"autoProvision": "Off"}}]), hdr
        if rest == "providers/Microsoft.Network/networkWatchers":
            # acme-prod has none in northeurope, where nsg-web is; acme-dev covers both regions (second page)
            if q.get("page") == "2":
                return 200, arm(path, sub, [
                    {"id": rid(sub, "NetworkWatcherRG", "Microsoft.Network/networkWatchers",
                               "NetworkWatcher_northeurope"),
                     "name": "NetworkWatcher_northeurope", "type": "Microsoft.Network/networkWatchers",
                     "location": "northeurope", "properties": {"provisioningState": "Succeeded"}}]), hdr
            return 200, arm(path, sub, [
                {"id": rid(sub, "NetworkWatcherRG", "Microsoft.Network/networkWatchers", "NetworkWatcher_westeurope"),
                 "name": "NetworkWatcher_westeurope", "type": "Microsoft.Network/networkWatchers",
                 "location": "westeurope", "properties": {"provisioningState": "Succeeded"}}],
                f"{b}{path}?api-version=2023-09-01&page=2" if sub == SUB_B else None), hdr
        if rest == "resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/" \
                   "NetworkWatcher_northeurope/flowLogs":
            return 200, arm(path, sub, []), hdr
        if rest == "resources" and ARGS.deny_resource_list:
            return 403, {"error": {"code": "AuthorizationFailed", "message": "The client does not have "
                                   "authorization to perform action 'Microsoft.Resources/subscriptions/resources/"
                                   "read'."}}, hdr
        if rest == "resources":
            # Resources - List (generic resources: id, name, type, location), two nextLink pages
            if q.get("$skiptoken") == "p2":
                return 200, arm(path, sub, [
                    {"id": rid(sub, "rg-net", "Microsoft.Network/networkSecurityGroups", "nsg-web"),
                     "name": "nsg-web", "type": "Microsoft.Network/networkSecurityGroups", "location": "northeurope"},
                    {"id": rid(sub, "rg-net", "Microsoft.Network/dnszones", "example.com"), "name": "example.com",
                     "type": "Microsoft.Network/dnszones", "location": "global"}]), hdr
            return 200, arm(path, sub, [
                {"id": rid(sub, "rg-data", "Microsoft.Storage/storageAccounts", "acmeprivate"), "name": "acmeprivate",
                 "type": "Microsoft.Storage/storageAccounts", "location": "westeurope", "kind": "StorageV2",
                 "sku": {"name": "Standard_GRS"}},
                {"id": rid(sub, "rg-app", "Microsoft.Web/sites", "app-shop"), "name": "app-shop",
                 "type": "Microsoft.Web/sites", "location": "WestEurope", "kind": "app"}],
                f"{b}{path}?api-version=2021-04-01&$skiptoken=p2"), hdr
        if rest == "resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/" \
                   "NetworkWatcher_westeurope/flowLogs":
            w = rid(sub, "NetworkWatcherRG", "Microsoft.Network/networkWatchers", "NetworkWatcher_westeurope")
            return 200, arm(path, sub, [
                {"id": w + "/flowLogs/fl-nsg-web", "name": "fl-nsg-web", "location": "westeurope",
                 "type": "Microsoft.Network/networkWatchers/flowLogs",
                 "properties": {"targetResourceId": rid(sub, "rg-net", "Microsoft.Network/networkSecurityGroups",
                                                        "nsg-web"),
                                "storageId": rid(sub, "rg-data", "Microsoft.Storage/storageAccounts", "acmeprivate"),
                                "enabled": True, "retentionPolicy": {"days": 30, "enabled": True},
                                "format": {"type": "JSON", "version": 2}}}]), hdr
        if rest == "resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm-web/extensions":
            return 200, arm(path, sub, [
                {"id": rid(sub, "rg-app", "Microsoft.Compute/virtualMachines", "vm-web/extensions/AzureMonitorAgent"),
                 "name": "AzureMonitorAgent", "type": "Microsoft.Compute/virtualMachines/extensions",
                 "location": "westeurope",
                 "properties": {"publisher": "Microsoft.Azure.Monitor", "type": "AzureMonitorLinuxAgent",
                                "typeHandlerVersion": "1.29", "provisioningState": "Succeeded"}}]), hdr
        if rest.startswith("resourceGroups/rg-data/providers/Microsoft.KeyVault/vaults/kv-acme/"):
            tail = "/".join(p[9:])
            kv = rid(sub, "rg-data", "Microsoft.KeyVault/vaults", "kv-acme")
            if tail == "keys":
                return 200, arm(path, sub, [
                    {"id": kv + "/keys/cmk", "name": "cmk", "type": "Microsoft.KeyVault/vaults/keys",
                     "location": "westeurope",
                     "properties": {"attributes": {"enabled": True, "created": 1764000000, "updated": 1764000000,
                                                   "exp": 1800000000, "recoveryLevel": "Recoverable"},
                                    "kty": "RSA", "keySize": 3072, "keyUri": "https://kv-acme.vault.azure.net/keys/cmk"}},
                    {"id": kv + "/keys/old", "name": "old", "type": "Microsoft.KeyVault/vaults/keys",
                     "location": "westeurope",
                     "properties": {"attributes": {"enabled": True, "created": 1600000000, "updated": 1600000000},
                                    "kty": "RSA", "keyUri": "https://kv-acme.vault.azure.net/keys/old"}}]), hdr
            if tail == "secrets":
                return 200, arm(path, sub, [
                    {"id": kv + "/secrets/db-password", "name": "db-password",
                     "type": "Microsoft.KeyVault/vaults/secrets", "location": "westeurope",
                     "properties": {"attributes": {"enabled": True, "created": 1700000000, "updated": 1700000000},
                                    "contentType": "text/plain",
                                    "secretUri": "https://kv-acme.vault.azure.net/secrets/db-password"}}]), hdr
            if tail == "providers/Microsoft.Insights/diagnosticSettings":
                return 200, arm(path, sub, []), hdr
        if rest == "providers/Microsoft.DBforPostgreSQL/flexibleServers":
            return 200, arm(path, sub, [
                {"id": rid(sub, "rg-data", "Microsoft.DBforPostgreSQL/flexibleServers", "pg-orders"),
                 "name": "pg-orders", "type": "Microsoft.DBforPostgreSQL/flexibleServers", "location": "westeurope",
                 "sku": {"name": "Standard_D2ds_v4", "tier": "GeneralPurpose"},
                 "properties": {"version": "16", "state": "Ready", "network": {"publicNetworkAccess": "Enabled"}}}]), hdr
        if rest == "resourceGroups/rg-data/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-orders/" \
                   "configurations":
            pg = rid(sub, "rg-data", "Microsoft.DBforPostgreSQL/flexibleServers", "pg-orders")

            def cfg(name, value):
                return {"id": pg + "/configurations/" + name, "name": name,
                        "type": "Microsoft.DBforPostgreSQL/flexibleServers/configurations",
                        "properties": {"value": value, "defaultValue": "on", "source": "system-default",
                                       "dataType": "Boolean", "description": "..."}}
            if q.get("page") == "2":
                return 200, arm(path, sub, [cfg("log_connections", "off"), cfg("work_mem", "4096")]), hdr
            return 200, arm(path, sub, [cfg("require_secure_transport", "on"), cfg("log_checkpoints", "on"),
                                        cfg("shared_buffers", "16384")],
                            f"{b}{path}?api-version=2022-12-01&page=2"), hdr
        if rest == "providers/Microsoft.DBforMySQL/flexibleServers":
            return 200, arm(path, sub, [
                {"id": rid(sub, "rg-data", "Microsoft.DBforMySQL/flexibleServers", "mysql-shop"),
                 "name": "mysql-shop", "type": "Microsoft.DBforMySQL/flexibleServers", "location": "westeurope",
                 "properties": {"version": "8.0.21", "state": "Ready"}}]), hdr
        if rest == "resourceGroups/rg-data/providers/Microsoft.DBforMySQL/flexibleServers/mysql-shop/configurations":
            my = rid(sub, "rg-data", "Microsoft.DBforMySQL/flexibleServers", "mysql-shop")
            return 200, arm(path, sub, [
                {"id": my + "/configurations/require_secure_transport", "name": "require_secure_transport",
                 "properties": {"value": "OFF", "defaultValue": "ON", "source": "user-override"}},
                {"id": my + "/configurations/tls_version", "name": "tls_version",
                 "properties": {"value": "TLSv1.2", "defaultValue": "TLSv1.2", "source": "system-default"}}]), hdr
        if rest == "providers/Microsoft.Insights/diagnosticSettings":
            return 200, arm(path, sub, [
                {"id": f"/subscriptions/{sub}/providers/microsoft.insights/diagnosticSettings/to-law",
                 "name": "to-law", "properties": {"workspaceId": "/subscriptions/x/law",
                                                  "logs": [{"category": "Administrative", "enabled": True}]}}]), hdr
        if rest == "providers/Microsoft.Sql/servers":
            return 200, arm(path, sub, [
                {"id": rid(sub, "rg-data", "Microsoft.Sql/servers", "sql-acme"), "name": "sql-acme",
                 "location": "westeurope", "properties": {"version": "12.0", "minimalTlsVersion": "1.0",
                                                          "administratorLogin": "sqladmin",
                                                          "publicNetworkAccess": "Enabled"}}]), hdr
        if rest.startswith("resourceGroups/rg-data/providers/Microsoft.Sql/servers/sql-acme/"):
            tail = "/".join(p[9:])
            sid = rid(sub, "rg-data", "Microsoft.Sql/servers", "sql-acme")
            if tail == "firewallRules":
                return 200, arm(path, sub, [
                    {"id": sid + "/firewallRules/all", "name": "all", "type": "Microsoft.Sql/servers/firewallRules",
                     "properties": {"startIpAddress": "0.0.0.0", "endIpAddress": "255.255.255.255"}}]), hdr
            if tail == "auditingSettings/default":
                return 200, {"id": sid + "/auditingSettings/default", "name": "default",
                             "properties": {"state": "Disabled", "retentionDays": 0}}, hdr
            if tail == "databases":
                return 200, arm(path, sub, [
                    {"id": sid + "/databases/master", "name": "master", "location": "westeurope",
                     "type": "Microsoft.Sql/servers/databases", "properties": {"status": "Online"}},
                    {"id": sid + "/databases/orders", "name": "orders", "location": "westeurope",
                     "type": "Microsoft.Sql/servers/databases", "sku": {"name": "S0"},
                     "properties": {"status": "Online"}}]), hdr
            if tail == "databases/orders/transparentDataEncryption/current":
                return 200, {"id": sid + "/databases/orders/transparentDataEncryption/Current", "name": "Current",
                             "type": "Microsoft.Sql/servers/databases/transparentDataEncryption",
                             "properties": {"state": "Disabled"}}, hdr
            if tail == "administrators/ActiveDirectory":
                return 404, {"error": {"code": "ResourceNotFound", "message": "no admin"}}, hdr
            if tail == "securityAlertPolicies/Default":
                return 200, {"id": sid + "/securityAlertPolicies/Default", "name": "Default",
                             "type": "Microsoft.Sql/servers/securityAlertPolicies",
                             "properties": {"state": "Disabled", "emailAddresses": [], "retentionDays": 0}}, hdr
            if tail == "encryptionProtector/current":
                return 200, {"id": sid + "/encryptionProtector/current", "name": "current", "kind": "servicemanaged",
                             "type": "Microsoft.Sql/servers/encryptionProtector",
                             "properties": {"serverKeyName": "ServiceManaged", "serverKeyType": "ServiceManaged"}},\
                    hdr
        return 404, {"error": {"code": "NotFound", "message": "unknown path"}}, hdr


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def main():
    global ARGS, LOG
    ap = argparse.ArgumentParser()
    for a in ("--cert", "--key", "--port-file", "--log", "--tenant", "--client-id"):
        ap.add_argument(a, required=True)
    ap.add_argument("--secret-env")
    ap.add_argument("--client-cert")
    ap.add_argument("--token-lifetime", type=int, default=3599)
    ap.add_argument("--bulk-nsgs", type=int, default=0, help="benchmark: serve this many NSGs per subscription")
    ap.add_argument("--blob-endpoint", help="acmeprivate's blob endpoint (Azurite); listKeys returns $AZ_KEY")
    ap.add_argument("--queue-endpoint", help="acmeprivate's queue endpoint (Azurite)")
    ap.add_argument("--table-endpoint", help="acmeprivate's table endpoint (Azurite)")
    ap.add_argument("--deny-resource-list", action="store_true", help="Resources - List answers 403")
    ARGS = ap.parse_args()
    import os
    ARGS.secret = os.environ.get(ARGS.secret_env) if ARGS.secret_env else None
    if ARGS.client_cert:
        load_client_cert(ARGS.client_cert)
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
