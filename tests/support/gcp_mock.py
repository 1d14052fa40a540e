#!/usr/bin/env python3
"""gcp_mock.py - a local HTTPS stand-in for Google OAuth2 and the Google Cloud
APIs the gcp plugin reads, for tests/integration/gcp_*.sh and
contrib/bench/gcp_bench.sh.

Token endpoint (POST /token): the jwt-bearer grant, whose assertion's RS256
signature it VERIFIES against the service-account key's public modulus
(textbook RSA with Python integers and the PKCS#1 v1.5 DigestInfo of
SHA-256, from RFC 8017 / RFC 7515; independent of the plugin's OpenSSL
code), with iss, aud, scope, iat/exp and kid; and the refresh_token grant
(authorized_user). Metadata server: GET
/computeMetadata/v1/instance/service-accounts/default/token with
"Metadata-Flavor: Google".

APIs, in Google's response shapes: list pages are {"ITEMS": [...],
"nextPageToken": "..."} cut at the request's maxResults / pageSize (Compute
aggregated lists: {"items": {"zones/Z": {"instances": [...]}}}); errors are
{"error": {"code", "message", "status", "errors": [{"reason"}], "details":
[{"@type": ".../google.rpc.ErrorInfo", "reason"}]}}. Anything not in the
world is 404 NOT_FOUND.

Scenarios (--scenario):
  basic   the auth test's small world (gcp_scan.sh): projects:search over two
          pages (one project being deleted), buckets over two pages with one
          rateLimitExceeded 403, one bucket IAM policy denied, firewalls of
          one project denied, service accounts over two pages, instances.
  estate  one project (acme-analytics-prod) with every collected service,
          good and bad resources (gcp_collect.sh).
  org     organization 5550001 -> projects directly and in nested folders
          (three active, one being deleted); one 429 burst, one
          rateLimitExceeded, one PERMISSION_DENIED (compute.firewalls.list in
          acme-org-b), one SERVICE_DISABLED (Cloud SQL in acme-org-c)
          (gcp_org.sh).
  platform the estate's acme-analytics-prod and acme-analytics-stage, whose API keys
          and DNS policies are denied, Essential Contacts API is off and SSL
          policies denied; a 429 burst and a rateLimitExceeded on prod; the
          folder and organization above prod grant IAM roles (gcp_services.sh).
  hostile organization 6660001: invalid project ids and folder names, a folder
          listing itself, bad resource names, a nextPageToken that never
          changes, a body that is not JSON (gcp_hostile.sh).
  bench:N:P  P projects of about N resources in all (gcp_bench.sh).

Log lines: "TOKEN <kind> OK|FAIL <why>", "<METHOD> <path> <status>".
Usage: gcp_mock.py --cert C --key K --port-file F --log L --sa-email E --sa-key PEM --kid ID
       [--refresh-token-env VAR] [--scenario NAME]
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
WORLD = {}   # path -> ("list", items_key, [items]) | ("agg", member, {scope: [items]}) | ("get", obj)
FAULTS = {}  # "METHOD path[?project=P]" -> [(status, body), ...] answered first, in order; "*" entry = always


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


# ---- Google error bodies ----

def err_body(code, status, message, reason=None, info=None):
    e = {"code": code, "message": message, "status": status}
    if reason:
        e["errors"] = [{"message": message, "domain": "global", "reason": reason}]
    if info:
        e["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": info,
                         "domain": "googleapis.com", "metadata": {"service": "example.googleapis.com"}}]
    return {"error": e}


def denied(permission):
    return 403, err_body(403, "PERMISSION_DENIED", "Permission '%s' denied on resource (or it may not exist)."
                         % permission, "forbidden", "IAM_PERMISSION_DENIED")


def disabled(service):
    return 403, err_body(403, "PERMISSION_DENIED", "%s has not been used in this project before or it is disabled."
                         % service, "accessNotConfigured", "SERVICE_DISABLED")


def rate_limited():
    return 403, err_body(403, "PERMISSION_DENIED", "Rate Limit Exceeded", "rateLimitExceeded")


def too_many():
    return 429, err_body(429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Read requests'",
                         "rateLimitExceeded", "RATE_LIMIT_EXCEEDED")


NOT_FOUND = (404, err_body(404, "NOT_FOUND", "The requested resource was not found.", "notFound"))


# ---- the world ----

def put_list(path, key, items):
    WORLD[path] = ("list", key, items)


def put_get(path, obj):
    WORLD[path] = ("get", obj)


def put_agg(path, member, scopes):
    WORLD[path] = ("agg", member, scopes)


def fault(key, *answers):
    FAULTS.setdefault(key, []).extend(answers)


def project_world(p, num, n=1, bad=True):
    """Every collected service of project @p (number @num), @n resources per list, some misconfigured."""
    c = "https://www.googleapis.com/compute/v1/projects/%s" % p
    put_get("/v3/projects/" + p, {"name": "projects/" + num, "projectId": p, "state": "ACTIVE",
                                  "displayName": p, "parent": "organizations/5550001",
                                  "createTime": "2021-03-01T10:00:00Z", "labels": {"env": "prod"}})
    bindings = [{"role": "roles/owner", "members": ["group:platform-admins@acme.example"]},
                {"role": "roles/viewer", "members": ["serviceAccount:scanner@%s.iam.gserviceaccount.com" % p]}]
    if bad:
        bindings += [{"role": "roles/editor", "members": ["serviceAccount:etl@%s.iam.gserviceaccount.com" % p]},
                     {"role": "roles/iam.serviceAccountUser", "members": ["user:bob@acme.example"]},
                     {"role": "roles/viewer", "members": ["user:someone.personal@gmail.com"]}]
    audit = [{"service": "allServices", "auditLogConfigs": [{"logType": "ADMIN_READ"}, {"logType": "DATA_WRITE"},
                                                             {"logType": "DATA_READ"}]}]
    put_get("POST /v1/projects/%s:getIamPolicy" % p, {"version": 1, "etag": "BwXxx=", "bindings": bindings,
                                                      "auditConfigs": [] if bad else audit})
    put_list("/v2/projects/%s/sinks" % p, "sinks", [
        {"name": "_Required", "destination": "logging.googleapis.com/projects/%s/locations/global/buckets/_Required"
         % p, "filter": "LOG_ID(\"cloudaudit.googleapis.com/activity\")"},
        {"name": "_Default", "destination": "logging.googleapis.com/projects/%s/locations/global/buckets/_Default" % p,
         "filter": "NOT LOG_ID(\"cloudaudit.googleapis.com/activity\")"}] +
        ([] if bad else [{"name": "all-to-archive", "destination": "storage.googleapis.com/acme-log-archive",
                          "writerIdentity": "serviceAccount:p-1@gcp-sa-logging.iam.gserviceaccount.com"}]))
    metrics = [{"name": "firewall-changes", "filter": "resource.type=\"gce_firewall_rule\" AND "
                "(protoPayload.methodName:\"compute.firewalls.patch\" OR "
                "protoPayload.methodName:\"compute.firewalls.insert\" OR "
                "protoPayload.methodName:\"compute.firewalls.delete\")"},
               {"name": "route-changes", "filter": "resource.type=\"gce_route\" AND "
                "(protoPayload.methodName:\"compute.routes.delete\" OR "
                "protoPayload.methodName:\"compute.routes.insert\")"}]
    put_list("/v2/projects/%s/metrics" % p, "metrics", metrics)
    put_list("/v3/projects/%s/alertPolicies" % p, "alertPolicies", [
        {"name": "projects/%s/alertPolicies/1" % p, "displayName": "Firewall changes", "enabled": True,
         "conditions": [{"displayName": "c", "conditionThreshold": {
             "filter": "metric.type=\"logging.googleapis.com/user/firewall-changes\" AND resource.type=\"global\""}}]},
        {"name": "projects/%s/alertPolicies/2" % p, "displayName": "Routes (muted)", "enabled": False,
         "conditions": [{"displayName": "c", "conditionThreshold": {
             "filter": "metric.type = \"logging.googleapis.com/user/route-changes\""}}]}])
    sa = "projects/%s/serviceAccounts/" % p
    accts, keys = [], {}
    for i in range(n):
        email = "app-%d@%s.iam.gserviceaccount.com" % (i, p)
        accts.append({"name": sa + email, "email": email, "uniqueId": str(10 ** 20 + i), "projectId": p,
                      "displayName": "app %d" % i, "etag": "MDEwMjE5MjA="})
        keys[email] = [{"name": sa + email + "/keys/" + ("%040x" % (i + 1)), "keyAlgorithm": "KEY_ALG_RSA_2048",
                        "keyOrigin": "GOOGLE_PROVIDED", "keyType": "USER_MANAGED",
                        "validAfterTime": "2021-04-02T09:30:00Z" if bad and i == 0 else "2026-11-01T09:30:00Z",
                        "validBeforeTime": "9999-12-31T23:59:59Z"}]
    put_list("/v1/projects/%s/serviceAccounts" % p, "accounts", accts)
    for email, k in keys.items():
        put_get("/v1/%s%s/keys" % (sa, email), {"keys": k})
    buckets = []
    for i in range(n):
        name = "%s-data-%d" % (p, i)
        buckets.append({"kind": "storage#bucket", "name": name, "id": name, "projectNumber": num,
                        "location": "EUROPE-WEST1", "locationType": "region", "storageClass": "STANDARD",
                        "timeCreated": "2022-05-01T00:00:00Z",
                        "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": not (bad and i == 0)},
                                             "publicAccessPrevention": "inherited" if bad and i == 0 else "enforced"},
                        "versioning": {"enabled": True},
                        "retentionPolicy": {"retentionPeriod": "2592000", "isLocked": not (bad and i == 0),
                                            "effectiveTime": "2022-05-01T00:00:00Z"}})
        put_get("/storage/v1/b/%s/iam" % name, {"kind": "storage#policy", "resourceId": "projects/_/buckets/" + name,
                                                "version": 1, "etag": "CAE=", "bindings": [
            {"role": "roles/storage.objectViewer", "members": ["allUsers"] if bad and i == 0 else
             ["group:analysts@acme.example"]}]})
    put_list("/storage/v1/b?project=" + p, "items", buckets)
    put_get("/compute/v1/projects/" + p, {
        "kind": "compute#project", "name": p, "id": num, "defaultServiceAccount": "%s-compute@developer.gserviceaccount.com"
        % num, "commonInstanceMetadata": {"fingerprint": "x", "items": [
            {"key": "enable-oslogin", "value": "FALSE" if bad else "TRUE"},
            {"key": "ssh-keys", "value": "alice:ssh-rsa AAAAPROJECTKEY alice"}]}})
    nets = [{"kind": "compute#network", "id": "900", "name": "default", "autoCreateSubnetworks": True,
             "subnetworks": [c + "/regions/europe-west1/subnetworks/default"], "routingConfig": {"routingMode": "REGIONAL"}}]
    for i in range(1, n):
        nets.append({"kind": "compute#network", "id": str(900 + i), "name": "vpc-%d" % i,
                     "autoCreateSubnetworks": False, "subnetworks": [],
                     "routingConfig": {"routingMode": "GLOBAL"}})
    if bad:
        nets.append({"kind": "compute#network", "id": "899", "name": "legacy-net", "IPv4Range": "10.240.0.0/16",
                     "gatewayIPv4": "10.240.0.1"})
    put_list("/compute/v1/projects/%s/global/networks" % p, "items", nets)
    subs = [{"kind": "compute#subnetwork", "name": "subnet-%d" % i, "region": c + "/regions/europe-west1",
             "network": c + "/global/networks/default", "ipCidrRange": "10.%d.%d.0/24" % (i // 250, i % 250),
             "fingerprint": "abc", "privateIpGoogleAccess": not (bad and i == 0)} |
            ({} if bad and i == 0 else {"logConfig": {"enable": True, "aggregationInterval": "INTERVAL_5_SEC",
                                                      "flowSampling": 0.5, "metadata": "INCLUDE_ALL_METADATA"}})
            for i in range(n)]
    put_agg("/compute/v1/projects/%s/aggregated/subnetworks" % p, "subnetworks",
            {"regions/europe-west1": subs, "regions/us-east1": []})
    fws = [{"kind": "compute#firewall", "id": str(1000 + i), "name": "fw-%d" % i, "network": c + "/global/networks/default",
            "direction": "INGRESS", "priority": 1000,
            "sourceRanges": ["0.0.0.0/0"] if bad and i == 0 else ["35.235.240.0/20"],
            "allowed": [{"IPProtocol": "tcp", "ports": ["22"]}], "disabled": False,
            "logConfig": {"enable": True}} for i in range(n)]
    put_list("/compute/v1/projects/%s/global/firewalls" % p, "items", fws)
    vms = []
    for i in range(n):
        b = bad and i == 0
        vms.append({"kind": "compute#instance", "id": str(7000 + i), "name": "vm-%d" % i,
                    "zone": c + "/zones/europe-west1-b", "status": "RUNNING", "canIpForward": b,
                    "machineType": c + "/zones/europe-west1-b/machineTypes/e2-medium",
                    "networkInterfaces": [{"name": "nic0", "network": c + "/global/networks/default",
                                           "networkIP": "10.0.0.%d" % (i % 250 + 2),
                                           "accessConfigs": [{"type": "ONE_TO_ONE_NAT", "natIP": "203.0.113.7"}]
                                           if b else []}],
                    "serviceAccounts": [{"email": ("%s-compute@developer.gserviceaccount.com" % num) if b else
                                         "app-0@%s.iam.gserviceaccount.com" % p,
                                         "scopes": ["https://www.googleapis.com/auth/cloud-platform"]}],
                    "shieldedInstanceConfig": {"enableSecureBoot": not b, "enableVtpm": True,
                                               "enableIntegrityMonitoring": True},
                    "metadata": {"fingerprint": "f", "items": [
                        {"key": "block-project-ssh-keys", "value": "false" if b else "true"},
                        {"key": "serial-port-enable", "value": "1" if b else "0"},
                        {"key": "startup-script", "value": "export DB_PASSWORD=hunter2"}]},
                    "disks": [{"deviceName": "boot", "boot": True, "autoDelete": True,
                               "source": c + "/zones/europe-west1-b/disks/vm-%d" % i} |
                              ({} if b else {"diskEncryptionKey": {
                                  "kmsKeyName": "projects/%s/locations/europe-west1/keyRings/r/cryptoKeys/disks" % p}})]})
    put_agg("/compute/v1/projects/%s/aggregated/instances" % p, "instances",
            {"zones/europe-west1-b": vms, "zones/us-central1-a": []})
    sqls = []
    for i in range(n):
        b = bad and i == 0
        sqls.append({"kind": "sql#instance", "name": "db-%d" % i, "project": p,
                     "databaseVersion": "POSTGRES_15" if i % 3 != 1 else "MYSQL_8_0", "region": "europe-west1",
                     "state": "RUNNABLE", "etag": "e", "serverCaCert": {"cert": "-----BEGIN CERTIFICATE-----x"},
                     "settings": {"tier": "db-custom-2-7680", "availabilityType": "REGIONAL",
                                  "ipConfiguration": {"ipv4Enabled": b, "requireSsl": not b,
                                                      "sslMode": "ALLOW_UNENCRYPTED_AND_ENCRYPTED" if b else
                                                      "ENCRYPTED_ONLY",
                                                      "authorizedNetworks": [{"value": "0.0.0.0/0", "name": "any",
                                                                              "kind": "sql#aclEntry"}] if b else []},
                                  "backupConfiguration": {"enabled": not b, "pointInTimeRecoveryEnabled": not b},
                                  "databaseFlags": [{"name": "log_connections", "value": "off" if b else "on"},
                                                    {"name": "log_disconnections", "value": "on"}]},
                     "ipAddresses": [{"type": "PRIMARY", "ipAddress": "203.0.113.50"}] if b else
                     [{"type": "PRIVATE", "ipAddress": "10.90.0.%d" % (i % 250 + 2)}]})
    put_list("/v1/projects/%s/instances" % p, "items", sqls)
    clusters = [{"name": "gke-%d" % i, "location": "europe-west1", "status": "RUNNING",
                 "currentMasterVersion": "1.29.4-gke.100",
                 "masterAuth": {"username": "admin", "password": "GKE-BASIC-AUTH-SECRET",
                                "clientCertificate": "LS0tCERT", "clientKey": "LS0tKEY-SECRET",
                                "clusterCaCertificate": "LS0tCA"} if bad and i == 0 else
                 {"clusterCaCertificate": "LS0tCA"},
                 "legacyAbac": {"enabled": bad and i == 0},
                 "privateClusterConfig": None if bad and i == 0 else {"enablePrivateNodes": True,
                                                                      "enablePrivateEndpoint": True},
                 "masterAuthorizedNetworksConfig": {"enabled": not (bad and i == 0)},
                 "networkPolicy": {"enabled": not (bad and i == 0)},
                 "workloadIdentityConfig": None if bad and i == 0 else {"workloadPool": p + ".svc.id.goog"},
                 "shieldedNodes": {"enabled": True}, "releaseChannel": {"channel": "REGULAR"},
                 "loggingService": "logging.googleapis.com/kubernetes",
                 "monitoringService": "monitoring.googleapis.com/kubernetes",
                 "nodeConfig": {"metadata": {"startup-script": "NODE-SECRET"}},
                 "nodePools": [{"name": "default-pool", "config": {
                     "serviceAccount": "default", "metadata": {"user-data": "NODE-SECRET"}}}]} for i in range(max(1, n // 10))]
    for k in clusters:
        for key in [k2 for k2, v in k.items() if v is None]:
            del k[key]
    put_list("/v1/projects/%s/locations/-/clusters" % p, "clusters", clusters)
    zones = [{"kind": "dns#managedZone", "name": "zone-%d" % i, "dnsName": "z%d.acme.example." % i,
              "visibility": "public",
              "dnssecConfig": {"state": "on", "defaultKeySpecs": [
                  {"keyType": "keySigning", "algorithm": "rsasha1" if bad and i == 0 else "rsasha256",
                   "keyLength": 2048},
                  {"keyType": "zoneSigning", "algorithm": "rsasha256", "keyLength": 1024}]}} for i in range(n)]
    if bad:
        zones.append({"kind": "dns#managedZone", "name": "unsigned", "dnsName": "u.acme.example.",
                      "visibility": "public"})
    put_list("/dns/v1/projects/%s/managedZones" % p, "managedZones", zones)
    put_list("/v1/projects/%s/locations" % p, "locations", [{"locationId": "europe-west1"}, {"locationId": "global"}])
    ring = "projects/%s/locations/europe-west1/keyRings/data" % p
    put_list("/v1/projects/%s/locations/europe-west1/keyRings" % p, "keyRings", [{"name": ring}])
    put_list("/v1/projects/%s/locations/global/keyRings" % p, "keyRings", [])
    ks = [{"name": ring + "/cryptoKeys/key-%d" % i, "purpose": "ENCRYPT_DECRYPT",
           "primary": {"name": ring + "/cryptoKeys/key-%d/cryptoKeyVersions/1" % i, "state": "ENABLED"},
           "createTime": "2023-01-01T00:00:00Z"} |
          ({} if bad and i == 0 else {"rotationPeriod": "7776000s", "nextRotationTime": "2027-01-01T00:00:00Z"})
          for i in range(n)]
    put_list("/v1/%s/cryptoKeys" % ring, "cryptoKeys", ks)
    for i, k in enumerate(ks):
        put_get("/v1/%s:getIamPolicy" % k["name"], {"version": 1, "etag": "x", "bindings": [
            {"role": "roles/cloudkms.cryptoKeyEncrypterDecrypter",
             "members": ["allAuthenticatedUsers"] if bad and i == 0 else ["serviceAccount:app-0@%s.iam.gserviceaccount.com"
                                                                          % p]}]})
    dss = []
    for i in range(n):
        ds = "ds_%d" % i
        dss.append({"kind": "bigquery#dataset", "id": "%s:%s" % (p, ds),
                    "datasetReference": {"datasetId": ds, "projectId": p}, "location": "EU"})
        put_get("/bigquery/v2/projects/%s/datasets/%s" % (p, ds), {
            "kind": "bigquery#dataset", "etag": "e", "id": "%s:%s" % (p, ds),
            "datasetReference": {"datasetId": ds, "projectId": p}, "location": "EU",
            "access": [{"role": "OWNER", "specialGroup": "projectOwners"}] +
            ([{"role": "READER", "iamMember": "allUsers"}] if bad and i == 0 else []),
            **({} if bad and i == 0 else {"defaultEncryptionConfiguration": {
                "kmsKeyName": "projects/%s/locations/eu/keyRings/bq/cryptoKeys/bq" % p}})})
    put_list("/bigquery/v2/projects/%s/datasets" % p, "datasets", dss)
    platform_world(p, num, n, bad)


def iso_days_ago(days):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(time.time() - days * 86400))


def platform_world(p, num, n, bad):
    """API keys, Essential Contacts, DNS server policies and load balancing of project @p."""
    c = "https://www.googleapis.com/compute/v1/projects/%s" % p
    keys = []
    for i in range(n):
        b = bad and i == 0
        k = {"name": "projects/%s/locations/global/keys/%08x-aaaa-4bbb-8ccc-%012d" % (num, i + 1, i),
             "uid": "%08x-aaaa-4bbb-8ccc-%012d" % (i + 1, i), "displayName": "key-%d" % i,
             "createTime": "2023-02-01T08:00:00.000000Z" if b else iso_days_ago(10),
             "updateTime": iso_days_ago(5), "etag": "W/\"abc\""}
        if not b:
            k["restrictions"] = {"serverKeyRestrictions": {"allowedIps": ["198.51.100.0/24"]},
                                 "apiTargets": [{"service": "translate.googleapis.com"}]}
        keys.append(k)
    if bad:  # a browser key for any referrer and every API
        keys.append({"name": "projects/%s/locations/global/keys/%s" % (num, "f" * 8 + "-0000-4000-8000-" + "0" * 12),
                     "uid": "ffffffff-0000-4000-8000-000000000000", "displayName": "web-any",
                     "createTime": iso_days_ago(3), "restrictions": {
                         "browserKeyRestrictions": {"allowedReferrers": ["*"]},
                         "apiTargets": [{"service": "cloudapis.googleapis.com"}]}})
        keys.append({"name": "projects/%s/locations/global/keys/%s" % (num, "e" * 8 + "-0000-4000-8000-" + "0" * 12),
                     "uid": "eeeeeeee-0000-4000-8000-000000000000", "displayName": "old-maps",
                     "createTime": iso_days_ago(30), "restrictions": {
                         "serverKeyRestrictions": {"allowedIps": ["198.51.100.9"]},
                         "apiTargets": [{"service": "maps-backend.googleapis.com"}]}})
    put_list("/v2/projects/%s/locations/global/keys" % p, "keys", keys)
    put_list("/v1/projects/%s/services" % p, "services", [
        {"name": "projects/%s/services/%s" % (num, svc), "parent": "projects/" + num, "state": "ENABLED",
         "config": {"name": svc}} for svc in ("compute.googleapis.com", "translate.googleapis.com",
                                              "logging.googleapis.com", "dns.googleapis.com")])
    contacts = [{"name": "projects/%s/contacts/1" % num, "email": "ops@acme.example",
                 "notificationCategorySubscriptions": ["TECHNICAL"], "languageTag": "en",
                 "validationState": "VALID"}]
    if bad:
        contacts.append({"name": "projects/%s/contacts/2" % num, "email": "oncall@acme.example",
                         "notificationCategorySubscriptions": ["TECHNICAL_INCIDENTS"], "languageTag": "en",
                         "validationState": "VALID"})
    else:
        contacts.append({"name": "organizations/5550001/contacts/7", "email": "security@acme.example",
                         "notificationCategorySubscriptions": ["ALL"], "languageTag": "en",
                         "validationState": "VALID"})
    put_list("/v1/projects/%s/contacts:compute" % p, "contacts", contacts)
    put_list("/dns/v1/projects/%s/policies" % p, "policies", [
        {"kind": "dns#policy", "id": "5001", "name": "dns-logging", "enableLogging": not bad,
         "enableInboundForwarding": False,
         "networks": [{"kind": "dns#policyNetwork", "networkUrl": c + "/global/networks/default"}]},
        {"kind": "dns#policy", "id": "5002", "name": "unattached", "enableLogging": True, "networks": []}])
    pols = {"global": [
        {"kind": "compute#sslPolicy", "id": "61", "name": "modern-tls12", "profile": "MODERN", "minTlsVersion": "TLS_1_2",
         "selfLink": c + "/global/sslPolicies/modern-tls12", "fingerprint": "x",
         "enabledFeatures": ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"]}],
        "regions/europe-west1": []}
    if bad:
        pols["global"].append({"kind": "compute#sslPolicy", "id": "62", "name": "legacy-compat",
                               "selfLink": c + "/global/sslPolicies/legacy-compat", "profile": "COMPATIBLE",
                               "minTlsVersion": "TLS_1_0"})
        pols["regions/europe-west1"].append({
            "kind": "compute#sslPolicy", "id": "63", "name": "custom-rsa", "profile": "CUSTOM",
            "minTlsVersion": "TLS_1_2", "region": c + "/regions/europe-west1",
            "selfLink": c + "/regions/europe-west1/sslPolicies/custom-rsa",
            "customFeatures": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256"]})
    put_agg("/compute/v1/projects/%s/aggregated/sslPolicies" % p, "sslPolicies", pols)
    hps = {"global": [], "regions/europe-west1": []}
    for i in range(n):
        b = bad and i == 0
        hp = {"kind": "compute#targetHttpsProxy", "id": str(7100 + i), "name": "https-%d" % i,
              "urlMap": c + "/global/urlMaps/web", "sslCertificates": [c + "/global/sslCertificates/web"],
              "fingerprint": "f"}
        if not b:
            hp["sslPolicy"] = c + "/global/sslPolicies/modern-tls12"
        hps["global"].append(hp)
    if bad:
        hps["regions/europe-west1"].append({
            "kind": "compute#targetHttpsProxy", "id": "7199", "name": "https-internal",
            "region": c + "/regions/europe-west1", "urlMap": c + "/regions/europe-west1/urlMaps/int",
            "sslPolicy": c + "/regions/europe-west1/sslPolicies/custom-rsa"})
    put_agg("/compute/v1/projects/%s/aggregated/targetHttpsProxies" % p, "targetHttpsProxies", hps)
    put_list("/compute/v1/projects/%s/global/targetSslProxies" % p, "items", [
        {"kind": "compute#targetSslProxy", "id": str(7200 + i), "name": "tcp-tls-%d" % i,
         "service": c + "/global/backendServices/be-%d" % i,
         "sslPolicy": c + "/global/sslPolicies/" + ("legacy-compat" if bad and i == 0 else "modern-tls12")}
        for i in range(n)])
    bes = []
    for i in range(n):
        b = bad and i == 0
        bes.append({"kind": "compute#backendService", "id": str(7300 + i), "name": "be-%d" % i,
                    "protocol": "HTTPS", "loadBalancingScheme": "EXTERNAL_MANAGED", "fingerprint": "f",
                    "iap": {"enabled": False, "oauth2ClientSecretSha256": "abc"},
                    **({} if b else {"logConfig": {"enable": True, "sampleRate": 1.0}})})
    put_agg("/compute/v1/projects/%s/aggregated/backendServices" % p, "backendServices",
            {"global": bes, "regions/us-east1": []})


def scenario_basic():
    put_list("/v3/projects:search", "projects", [
        {"name": "projects/111", "projectId": "acme-prod-111", "state": "ACTIVE"},
        {"name": "projects/222", "projectId": "acme-dev-222", "state": "ACTIVE"},
        {"name": "projects/333", "projectId": "acme-gone-333", "state": "DELETE_REQUESTED"}])
    put_list("/storage/v1/b?project=acme-prod-111", "items", [
        {"kind": "storage#bucket", "name": "acme-public", "location": "US", "storageClass": "STANDARD",
         "labels": {"team": "data"}, "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": False},
                                                          "publicAccessPrevention": "inherited"}},
        {"kind": "storage#bucket", "name": "acme-secret-iam", "location": "EU"},
        {"kind": "storage#bucket", "name": "acme-private", "location": "EUROPE-WEST1", "storageClass": "STANDARD",
         "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": True}, "publicAccessPrevention": "enforced"},
         "logging": {"logBucket": "acme-logs"}, "retentionPolicy": {"retentionPeriod": "86400"}}])
    put_list("/storage/v1/b?project=acme-dev-222", "items", [])
    fault("GET /storage/v1/b?project=acme-prod-111", rate_limited())
    put_get("/storage/v1/b/acme-public/iam", {"kind": "storage#policy", "resourceId": "projects/_/buckets/acme-public",
                                               "version": 1, "etag": "CAE=", "bindings": [
                                                   {"role": "roles/storage.objectViewer", "members": ["allUsers"]}]})
    put_get("/storage/v1/b/acme-private/iam", {"version": 1, "bindings": [
        {"role": "roles/storage.admin", "members": ["group:ops@acme.example"]}]})
    FAULTS["GET /storage/v1/b/acme-secret-iam/iam"] = ["*", denied("storage.buckets.getIamPolicy")]
    put_list("/compute/v1/projects/acme-prod-111/global/firewalls", "items", [
        {"kind": "compute#firewall", "id": "1001", "name": "allow-ssh", "network": "global/networks/default",
         "direction": "INGRESS", "priority": 1000, "sourceRanges": ["0.0.0.0/0"],
         "allowed": [{"IPProtocol": "tcp", "ports": ["22"]}], "disabled": False}])
    FAULTS["GET /compute/v1/projects/acme-dev-222/global/firewalls"] = ["*", denied("compute.firewalls.list")]
    sa = "projects/acme-prod-111/serviceAccounts/"
    put_list("/v1/projects/acme-prod-111/serviceAccounts", "accounts", [
        {"name": sa + "app@acme-prod-111.iam.gserviceaccount.com", "email": "app@acme-prod-111.iam.gserviceaccount.com"},
        {"name": sa + "ci@acme-prod-111.iam.gserviceaccount.com", "email": "ci@acme-prod-111.iam.gserviceaccount.com"}])
    name = sa + "app@acme-prod-111.iam.gserviceaccount.com/keys/"
    put_get("/v1/" + sa + "app@acme-prod-111.iam.gserviceaccount.com/keys", {"keys": [
        {"name": name + "1f2e3d4c5b6a79881f2e3d4c5b6a798812345678", "keyAlgorithm": "KEY_ALG_RSA_2048",
         "keyOrigin": "GOOGLE_PROVIDED", "keyType": "USER_MANAGED", "validAfterTime": "2021-04-02T09:30:00Z",
         "validBeforeTime": "9999-12-31T23:59:59Z", "privateKeyData": "U0VDUkVULUtFWS1NQVRFUklBTA=="}]})
    FAULTS["GET /v1/" + sa + "ci@acme-prod-111.iam.gserviceaccount.com/keys"] = [
        "*", denied("iam.serviceAccountKeys.list")]
    z = "https://www.googleapis.com/compute/v1/projects/acme-prod-111/zones/"
    put_agg("/compute/v1/projects/acme-prod-111/aggregated/instances", "instances", {
        "zones/europe-west1-b": [
            {"kind": "compute#instance", "id": "77", "name": "web-1", "zone": z + "europe-west1-b",
             "status": "RUNNING", "canIpForward": False,
             "networkInterfaces": [{"name": "nic0", "accessConfigs": [{"type": "ONE_TO_ONE_NAT",
                                                                       "natIP": "203.0.113.7"}]}],
             "serviceAccounts": [{"email": "111-compute@developer.gserviceaccount.com",
                                  "scopes": ["https://www.googleapis.com/auth/cloud-platform"]}],
             "metadata": {"items": [{"key": "serial-port-enable", "value": "1"},
                                    {"key": "startup-script", "value": "export DB_PASSWORD=hunter2"},
                                    {"key": "ssh-keys", "value": "alice:ssh-rsa AAAA"}]},
             "disks": [{"deviceName": "boot", "boot": True}]}],
        "zones/us-central1-a": [], "zones/us-east1-b": []})


def scenario_org():
    org = "organizations/5550001"
    put_list("/v3/projects?parent=" + org, "projects", [
        {"name": "projects/701", "projectId": "acme-org-a", "state": "ACTIVE", "parent": org},
        {"name": "projects/709", "projectId": "acme-org-old", "state": "DELETE_REQUESTED", "parent": org}])
    put_list("/v3/folders?parent=" + org, "folders", [
        {"name": "folders/801", "displayName": "prod", "state": "ACTIVE", "parent": org},
        {"name": "folders/802", "displayName": "shared", "state": "ACTIVE", "parent": org},
        {"name": "folders/809", "displayName": "gone", "state": "DELETE_REQUESTED", "parent": org}])
    put_list("/v3/projects?parent=folders/801", "projects", [
        {"name": "projects/702", "projectId": "acme-org-b", "state": "ACTIVE", "parent": "folders/801"}])
    put_list("/v3/folders?parent=folders/801", "folders", [])
    put_list("/v3/projects?parent=folders/802", "projects", [])
    put_list("/v3/folders?parent=folders/802", "folders", [
        {"name": "folders/803", "displayName": "nested", "state": "ACTIVE", "parent": "folders/802"}])
    put_list("/v3/projects?parent=folders/803", "projects", [
        {"name": "projects/703", "projectId": "acme-org-c", "state": "ACTIVE", "parent": "folders/803"}])
    put_list("/v3/folders?parent=folders/803", "folders", [])
    put_list("/v3/projects?parent=folders/809", "projects", [
        {"name": "projects/704", "projectId": "acme-org-hidden", "state": "ACTIVE"}])
    for p, num in (("acme-org-a", "701"), ("acme-org-b", "702"), ("acme-org-c", "703")):
        project_world(p, num, n=3, bad=p == "acme-org-a")
    # what the projects inherit: an organization sink that includes children, org-wide audit configs
    chains = {"acme-org-a": [], "acme-org-b": ["801"], "acme-org-c": ["803", "802"]}
    for p, folders in chains.items():
        put_get("POST /v1/projects/%s:getAncestry" % p, {"ancestor": [{"resourceId": {"type": "project", "id": p}}] +
                [{"resourceId": {"type": "folder", "id": f}} for f in folders] +
                [{"resourceId": {"type": "organization", "id": "5550001"}}]})
    put_list("/v2/%s/sinks" % org, "sinks", [
        {"name": "org-all-logs", "destination": "storage.googleapis.com/acme-org-log-archive", "includeChildren": True},
        {"name": "org-own-audit", "destination": "bigquery.googleapis.com/projects/acme-sec/datasets/audit",
         "filter": "logName:\"organizations/5550001/logs/\""}])
    put_get("POST /v3/%s:getIamPolicy" % org, {"version": 1, "etag": "x", "bindings": [], "auditConfigs": [
        {"service": "allServices", "auditLogConfigs": [{"logType": "ADMIN_READ"}, {"logType": "DATA_READ"},
                                                       {"logType": "DATA_WRITE"}]}]})
    for f in ("801", "802", "803"):
        put_list("/v2/folders/%s/sinks" % f, "sinks", [])
        put_get("POST /v3/folders/%s:getIamPolicy" % f, {"version": 1, "bindings": []})
    fault("GET /compute/v1/projects/acme-org-a/global/firewalls", too_many(), too_many(), too_many())
    fault("GET /storage/v1/b?project=acme-org-a", rate_limited())
    FAULTS["GET /compute/v1/projects/acme-org-b/global/firewalls"] = ["*", denied("compute.firewalls.list")]
    FAULTS["GET /v1/projects/acme-org-c/instances"] = ["*", disabled("sqladmin.googleapis.com")]


def scenario_platform():
    """The estate plus acme-analytics-stage, whose new services fail in every way a scan must survive, and
    the folder and organization above acme-analytics-prod with IAM bindings the project inherits."""
    project_world("acme-analytics-prod", "418203957712", n=2, bad=True)
    project_world("acme-analytics-stage", "418203957714", n=1, bad=False)
    project_world("acme-analytics-dev", "418203957713", n=2, bad=False)
    stage = "acme-analytics-stage"
    FAULTS["GET /v2/projects/%s/locations/global/keys" % stage] = ["*", denied("apikeys.keys.list")]
    FAULTS["GET /v1/projects/%s/contacts:compute" % stage] = ["*", disabled("essentialcontacts.googleapis.com")]
    FAULTS["GET /compute/v1/projects/%s/aggregated/sslPolicies" % stage] = ["*", denied("compute.sslPolicies.list")]
    FAULTS["GET /dns/v1/projects/%s/policies" % stage] = ["*", denied("dns.policies.list")]
    prod = "acme-analytics-prod"
    fault("GET /v2/projects/%s/locations/global/keys" % prod, too_many(), too_many())
    fault("GET /compute/v1/projects/%s/aggregated/targetHttpsProxies" % prod, rate_limited())
    for p in (prod, stage):
        put_get("POST /v1/projects/%s:getAncestry" % p, {"ancestor": [
            {"resourceId": {"type": "project", "id": p}}, {"resourceId": {"type": "folder", "id": "801"}},
            {"resourceId": {"type": "organization", "id": "5550001"}}]})
    put_list("/v2/folders/801/sinks", "sinks", [])
    put_get("POST /v3/folders/801:getIamPolicy", {"version": 1, "bindings": [
        {"role": "roles/iam.serviceAccountUser", "members": ["group:deployers@acme.example"]}]})
    put_list("/v2/organizations/5550001/sinks", "sinks", [])
    put_get("POST /v3/organizations/5550001:getIamPolicy", {"version": 1, "bindings": [
        {"role": "roles/editor", "members": ["serviceAccount:terraform@acme-admin.iam.gserviceaccount.com"]},
        {"role": "roles/resourcemanager.organizationAdmin", "members": ["group:cloud-admins@acme.example"]}]})


def scenario_hostile():
    """Answers a careless or hostile server could give: bad names, a folder that contains itself,
    a nextPageToken that never changes, a body that is not JSON."""
    org = "organizations/6660001"
    put_list("/v3/projects?parent=" + org, "projects", [
        {"projectId": "BAD ID?x=1", "state": "ACTIVE"}, {"projectId": "../../etc", "state": "ACTIVE"},
        {"name": "projects/1", "projectId": "acme-hostile-1", "state": "ACTIVE"}])
    put_list("/v3/folders?parent=" + org, "folders", [{"name": "folders/901", "state": "ACTIVE"},
                                                      {"name": "folders/../../x", "state": "ACTIVE"}])
    put_list("/v3/projects?parent=folders/901", "projects", [])
    put_list("/v3/folders?parent=folders/901", "folders", [{"name": "folders/901", "state": "ACTIVE"},
                                                           {"name": "organizations/6660001", "state": "ACTIVE"}])
    project_world("acme-hostile-1", "1", n=1, bad=False)
    p = "acme-hostile-1"
    kind, key, items = WORLD["/storage/v1/b?project=" + p]
    items += [{"name": "../../etc/passwd"}, {"name": "a?b=c"}, {"name": ""}, {"name": 42}]
    WORLD["/dns/v1/projects/%s/managedZones" % p][2].append({"name": "zone/../x"})
    WORLD["/v1/projects/%s/locations/europe-west1/keyRings" % p][2].append({"name": "projects/x/locations/y/keyRings/%2e%2e"})
    WORLD["/v1/projects/%s/serviceAccounts" % p][2].append({"name": "projects/x/serviceAccounts/a?b", "email": "x"})
    WORLD["/v2/projects/%s/locations/global/keys" % p][2].extend([
        {"name": "projects/1/locations/global/keys/../../x", "keyString": "AIzaHOSTILE-KEY-STRING-1"},
        {"name": "projects/1/locations/global/keys/k2", "displayName": "leaky", "keyString": "AIzaHOSTILE-KEY-STRING-2"},
        {"name": 7}])
    kind, member, scopes = WORLD["/compute/v1/projects/%s/aggregated/backendServices" % p]
    scopes["global"] += [{"name": "be/../x"}, {"name": "be-ok", "region": "regions/../../x"}, {"id": "no-name"}]
    WORLD["/v1/projects/%s/contacts:compute" % p][2].append({"name": "x" * 400, "email": "long@acme.example"})
    WORLD["/v2/projects/%s/sinks" % p] = ("loop", "sinks", [{"name": "again"}])
    WORLD["/bigquery/v2/projects/%s/datasets" % p] = ("raw", 200, b"<html>not json</html>")


def scenario_bench(total, nproj):
    per = max(1, total // nproj)
    # per project: roughly 11 lists of n (sa, key, bucket, net, subnet, fw, vm, sql, zone, kms, bq) + n/10 clusters
    n = max(1, int(per / 11.1))
    projs = []
    for i in range(nproj):
        p = "bench-proj-%d" % (i + 1)
        projs.append({"name": "projects/%d" % (900 + i), "projectId": p, "state": "ACTIVE"})
        project_world(p, str(900 + i), n=n, bad=i == 0)
    put_list("/v3/projects:search", "projects", projs)


# ---- serving ----

def page_of(items, q):
    size = int(q.get("maxResults") or q.get("pageSize") or 500)
    size = max(1, min(size, 500))
    tok = q.get("pageToken")
    start = 0
    if tok:
        try:
            start = int(b64url_decode(tok).decode().split(":", 1)[1])
        except Exception:  # noqa: BLE001
            return None, None
    nxt = start + size
    token = base64.urlsafe_b64encode(("off:%d" % nxt).encode()).decode().rstrip("=") if nxt < len(items) else None
    return items[start:nxt], token


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK would add ~40 ms to every response
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass

    def send_json(self, status, obj):
        data = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if status == 429:
            self.send_header("Retry-After", "0")
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n).decode()
        if self.path != "/token":
            self.api("POST", raw)
            return
        form = dict(urllib.parse.parse_qsl(raw))
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
        if u.path == "/computeMetadata/v1/instance/service-accounts/default/token":
            if self.headers.get("Metadata-Flavor") != "Google":
                log("TOKEN metadata FAIL header")
                self.send_json(403, {"error": "missing Metadata-Flavor"})
                return
            log("TOKEN metadata OK")
            self.send_json(200, issue())
            return
        self.api("GET", None)

    def api(self, method, body):
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        tok = self.headers.get("Authorization", "")[7:]
        with LOCK:
            exp = TOKENS.get(tok)
        if exp is None or exp < time.time():
            log(f"{method} {u.path} 401")
            self.send_json(401, {"error": {"code": 401, "status": "UNAUTHENTICATED", "message": "bad token"}})
            return
        status, out = self.route(method, u.path, q, body)
        log(f"{method} {u.path} {status}")
        self.send_json(status, out)

    def route(self, method, path, q, body):
        key = path
        if path == "/storage/v1/b":
            key = path + "?project=" + q.get("project", "")
        elif path in ("/v3/projects", "/v3/folders"):
            key = path + "?parent=" + q.get("parent", "")
        fkey = method + " " + key
        with LOCK:
            answers = FAULTS.get(fkey)
            if answers:
                if answers[0] == "*":
                    return answers[1]
                ans = answers.pop(0)
                return ans
        if method == "POST":
            entry = WORLD.get("POST " + key)
            if entry is None:
                return NOT_FOUND
            try:
                opts = json.loads(body or "{}")
            except ValueError:
                return 400, err_body(400, "INVALID_ARGUMENT", "body is not JSON")
            if key.endswith(":getIamPolicy") and opts.get("options", {}).get("requestedPolicyVersion") != 3:
                return 400, err_body(400, "INVALID_ARGUMENT", "requestedPolicyVersion")
            return 200, entry[1]
        if path == "/v3/projects:search" and q.get("query") != "state:ACTIVE":
            return 400, err_body(400, "INVALID_ARGUMENT", "query")
        if path.endswith("/services") and path.startswith("/v1/projects/") and q.get("filter") != "state:ENABLED":
            return 400, err_body(400, "INVALID_ARGUMENT", "filter")
        if path.endswith("/contacts:compute") and not q.get("notificationCategories"):
            return 400, err_body(400, "INVALID_ARGUMENT", "notificationCategories is required")
        if "/locations/global/keys" in path and (":getKeyString" in path or "/keyString" in path):
            return 500, err_body(500, "INTERNAL", "the scanner must never ask for a key string")
        if path.endswith("/keys") and "/serviceAccounts/" in path and q.get("keyTypes") != "USER_MANAGED":
            return 400, err_body(400, "INVALID_ARGUMENT", "keyTypes")
        entry = WORLD.get(key)
        if entry is None:
            return NOT_FOUND
        if entry[0] == "raw":
            return entry[1], entry[2]
        if entry[0] == "loop":  # the same nextPageToken on every page
            return 200, {entry[1]: entry[2], "nextPageToken": "c2FtZQ"}
        if entry[0] == "get":
            return 200, entry[1]
        if entry[0] == "list":
            items, token = page_of(entry[2], q)
            if items is None:
                return 400, err_body(400, "INVALID_ARGUMENT", "bad pageToken")
            out = {entry[1]: items} if items else {}
            if token:
                out["nextPageToken"] = token
            return 200, out
        # aggregated list: flatten (scope, item) pairs, page them, regroup; an empty scope gets a warning
        flat = [(s, it) for s, its in sorted(entry[2].items()) for it in its]
        items, token = page_of(flat, q)
        if items is None:
            return 400, err_body(400, "INVALID_ARGUMENT", "bad pageToken")
        scopes = {}
        for s, it in items:
            scopes.setdefault(s, {entry[1]: []})[entry[1]].append(it)
        for s in entry[2]:
            if not entry[2][s]:
                scopes[s] = {"warning": {"code": "NO_RESULTS_ON_PAGE", "message": "no results"}}
        out = {"items": scopes}
        if token:
            out["nextPageToken"] = token
        return 200, out


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64


def main():
    global ARGS, LOG, RSA_N
    ap = argparse.ArgumentParser()
    for a in ("--cert", "--key", "--port-file", "--log", "--sa-email", "--sa-key", "--kid"):
        ap.add_argument(a, required=True)
    ap.add_argument("--refresh-token-env")
    ap.add_argument("--scenario", default="basic")
    ARGS = ap.parse_args()
    if ARGS.scenario == "basic":
        scenario_basic()
    elif ARGS.scenario == "estate":
        put_list("/v3/projects:search", "projects", [{"name": "projects/418203957712",
                                                      "projectId": "acme-analytics-prod", "state": "ACTIVE"}])
        project_world("acme-analytics-prod", "418203957712", n=2, bad=True)
        project_world("acme-analytics-dev", "418203957713", n=1, bad=False)
    elif ARGS.scenario == "platform":
        scenario_platform()
    elif ARGS.scenario == "org":
        scenario_org()
    elif ARGS.scenario == "hostile":
        scenario_hostile()
    elif ARGS.scenario.startswith("bench:"):
        _, total, nproj = ARGS.scenario.split(":")
        scenario_bench(int(total), int(nproj))
    else:
        sys.exit("unknown scenario " + ARGS.scenario)
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
