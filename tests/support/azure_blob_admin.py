#!/usr/bin/env python3
"""azure_blob_admin.py - set up a Blob service (Azurite) for tests/integration/azure_azurite.sh.

Creates containers with given public access levels and sets the blob
(or table) service properties, through the REST API with Shared Key authorization.
The signer here is written independently of plugins/azure (from the
"Authorize with Shared Key" page of the Azure Storage REST reference), so
a shared mistake would have to be made twice.

Usage:
  azure_blob_admin.py ENDPOINT ACCOUNT container NAME [private|blob|container]
  azure_blob_admin.py ENDPOINT ACCOUNT properties FILE.xml
  azure_blob_admin.py ENDPOINT ACCOUNT table-properties FILE.xml   (Table service; its own Shared Key layout)
  azure_blob_admin.py ENDPOINT ACCOUNT many PREFIX COUNT
  azure_blob_admin.py ENDPOINT ACCOUNT sas PERMISSIONS   (prints an account SAS for the blob service)
The account key comes from the environment variable AZ_KEY (base64).
Test code: trusts its caller. Exits 1 with the HTTP status on failure.
"""
import base64
import datetime
import email.utils
import hashlib
import hmac
import http.client
import os
import sys
import urllib.parse

VERSION = "2021-08-06"


def sign(method, account, key, path, query, headers, length):
    std = ["Content-Encoding", "Content-Language", "Content-Length", "Content-MD5", "Content-Type", "Date",
           "If-Modified-Since", "If-Match", "If-None-Match", "If-Unmodified-Since", "Range"]
    lower = {k.lower(): v for k, v in headers.items()}
    lines = [method]
    for h in std:
        if h == "Content-Length":
            lines.append(str(length) if length else "")
        else:
            lines.append(lower.get(h.lower(), ""))
    xms = sorted((k, v.strip()) for k, v in lower.items() if k.startswith("x-ms-"))
    canon_headers = "".join(f"{k}:{v}\n" for k, v in xms)
    res = f"/{account}{path}"
    params = {}
    for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True):
        params.setdefault(k.lower(), []).append(v)
    for k in sorted(params):
        res += f"\n{k}:{','.join(sorted(params[k]))}"
    sts = "\n".join(lines) + "\n" + canon_headers + res
    mac = hmac.new(base64.b64decode(key), sts.encode(), hashlib.sha256).digest()
    return f"SharedKey {account}:{base64.b64encode(mac).decode()}"


def sign_table(method, account, key, path, query, headers):
    """Shared Key for the Table service: VERB, Content-MD5, Content-Type, Date (x-ms-date when sent) and the
    canonicalized resource /ACCOUNT/PATH with only the comp parameter (?comp=VALUE)."""
    lower = {k.lower(): v for k, v in headers.items()}
    date = lower.get("x-ms-date") or lower.get("date", "")
    res = f"/{account}{path}"
    comp = [v for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True) if k.lower() == "comp"]
    if comp:
        res += "?comp=" + comp[-1]
    sts = "\n".join([method, lower.get("content-md5", ""), lower.get("content-type", ""), date, res])
    mac = hmac.new(base64.b64decode(key), sts.encode(), hashlib.sha256).digest()
    return f"SharedKey {account}:{base64.b64encode(mac).decode()}"


def call(endpoint, account, key, method, subpath, query, body=b"", extra=None, table=False):
    u = urllib.parse.urlsplit(endpoint)
    path = u.path.rstrip("/") + subpath
    if not path:
        path = "/"
    headers = {"x-ms-date": email.utils.formatdate(usegmt=True), "x-ms-version": VERSION}
    if body:
        headers["Content-Type"] = "application/xml"
    headers.update(extra or {})
    if table:
        headers["Authorization"] = sign_table(method, account, key, path, query, headers)
    else:
        headers["Authorization"] = sign(method, account, key, path, query, headers, len(body))
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    conn.request(method, path + ("?" + query if query else ""), body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    if r.status >= 300:
        sys.stderr.write(f"{method} {path}?{query}: HTTP {r.status} {data[:300]!r}\n")
        sys.exit(1)


def main():
    endpoint, account, what = sys.argv[1], sys.argv[2], sys.argv[3]
    key = os.environ["AZ_KEY"]
    if what == "container":
        extra = {}
        if len(sys.argv) > 5 and sys.argv[5] != "private":
            extra["x-ms-blob-public-access"] = sys.argv[5]
        call(endpoint, account, key, "PUT", "/" + sys.argv[4], "restype=container", extra=extra)
    elif what in ("properties", "table-properties"):
        with open(sys.argv[4], "rb") as f:
            body = f.read()
        call(endpoint, account, key, "PUT", "/", "restype=service&comp=properties", body=body,
             table=what == "table-properties")
    elif what == "many":
        for i in range(int(sys.argv[5])):
            call(endpoint, account, key, "PUT", f"/{sys.argv[4]}{i:05d}", "restype=container")
    elif what == "sas":
        # Account SAS, version 2019-12-12 string-to-sign: account, sp, ss, srt, st, se, sip, spr, sv
        sv, ss, srt = "2019-12-12", "b", "sco"
        now = datetime.datetime.now(datetime.timezone.utc)
        st = (now - datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        se = (now + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        sp = sys.argv[4]
        sts = "\n".join([account, sp, ss, srt, st, se, "", "", sv, ""])
        sig = base64.b64encode(hmac.new(base64.b64decode(key), sts.encode(), hashlib.sha256).digest()).decode()
        q = {"sv": sv, "ss": ss, "srt": srt, "sp": sp, "st": st, "se": se, "sig": sig}
        print(urllib.parse.urlencode(q))
    else:
        sys.exit("unknown action " + what)


if __name__ == "__main__":
    main()
