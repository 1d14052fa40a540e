#!/bin/sh
# outputs_webhook.sh - the webhook and slack formats against a local HTTP
# server on 127.0.0.1 (python3): batching, the host's retries (a 503 with
# Retry-After, a 429 and a bare 500 are retried: deliveries are marked
# PP_HTTP_IDEMPOTENT, receivers dedupe by X-Parapet-Delivery), the HMAC-SHA256
# signature verified with python's hmac,
# the secret never printed, hostile names inert in the Slack text.
. "${top_srcdir:?}/tests/integration/outputs_lib.sh"

# ---- a scripted receiver ----------------------------------------------------------
# Answers request N (counted from the last reset of the log) with the N-th
# status of $TMP/plan (comma-separated; the last repeats) and logs each request (path, headers, body, status) as one
# JSON line in $TMP/requests.jsonl.
python3 -c '
import http.server, json, os, sys, threading
d = sys.argv[1]
lock = threading.Lock()
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        with lock:
            plan = open(d + "/plan").read().strip().split(",")
            with open(d + "/requests.jsonl") as f:
                seen = sum(1 for _ in f)
            status = int(plan[min(seen, len(plan) - 1)])
            with open(d + "/requests.jsonl", "a") as f:
                f.write(json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                    "body": body.decode("utf-8"), "status": status}) + "\n")
        self.send_response(status)
        if status in (429, 503):
            self.send_header("Retry-After", "1")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(d + "/port.tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(d + "/port.tmp", d + "/port")
srv.serve_forever()
' "$TMP" >"$TMP/httpd.log" 2>&1 &
CLEANUP_PIDS="$CLEANUP_PIDS $!"
i=0
while [ ! -s "$TMP/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$TMP/port" ] || { echo "FAIL: the receiver did not start" >&2; cat "$TMP/httpd.log" >&2; exit 1; }
BASE="http://127.0.0.1:$(cat "$TMP/port")"

OX_HOOK_SECRET="whsec-$$-$(date +%s)-Kq7Zr2"
export OX_HOOK_SECRET

# plan STATUSES : reset the receiver's script and log.
plan() {
    printf '%s\n' "$1" >"$TMP/plan"
    : >"$TMP/requests.jsonl"
}

# ---- webhook: batches, a retried 503, signatures -------------------------------------
plan 503,200
O="$TMP/wh"
ox_scan "$O" -vv --output "jsonl:$O.jsonl" --output "webhook:$BASE/hook/T0KEN-in-path" \
    -o outputs.batch_size=3 -o outputs.secret_ref=env:OX_HOOK_SECRET
expect_rc "$O" 0 "webhook scan (first answer 503 + Retry-After, then 200)"
py "webhook: 4 batches of <= 3 + a summary, the 503 retried, every signature valid" '
import hashlib, hmac, json, os, sys, time
reqs = [json.loads(l) for l in open(sys.argv[1])]
ref = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
key = os.environ["OX_HOOK_SECRET"].encode()
assert [r["status"] for r in reqs] == [503] + [200] * 5, [r["status"] for r in reqs]
assert reqs[0]["body"] == reqs[1]["body"], "the retry must resend the same body"
ok = reqs[1:]
bodies = [json.loads(r["body"]) for r in ok]
assert [b["type"] for b in bodies] == ["findings"] * 4 + ["summary"], [b["type"] for b in bodies]
assert [b["sequence"] for b in bodies] == [0, 1, 2, 3, 4], [b["sequence"] for b in bodies]
assert [len(b["findings"]) for b in bodies[:4]] == [3, 3, 3, 1]
got = [f for b in bodies[:4] for f in b["findings"]]
assert got == ref, "the posted findings differ from the jsonl output"
assert bodies[4]["summary"]["status"] == "complete"
for r in reqs:
    h = r["headers"]
    assert r["path"] == "/hook/T0KEN-in-path" and h["content-type"] == "application/json"
    ts = h["x-parapet-timestamp"]
    assert abs(int(ts) - time.time()) < 300, "timestamp too far from now"
    want = "sha256=" + hmac.new(key, ts.encode() + b"." + r["body"].encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(h["x-parapet-signature"], want), "bad signature"
    forged = "sha256=" + hmac.new(key, r["body"].encode(), hashlib.sha256).hexdigest()
    assert h["x-parapet-signature"] != forged, "the timestamp must be part of the signed string"
    assert "<script>" not in r["body"], "raw <script> in a body"
print("ok: %d requests, %d signatures verified" % (len(reqs), len(reqs)))
' "$TMP/requests.jsonl" "$O.jsonl"
check "the secret is not printed (stdout, stderr with -vv)" sh -c "! grep -q '$OX_HOOK_SECRET' '$O.out' '$O.err'"
check "the host logs the retried delivery" grep -q "delivered after 2 attempts" "$O.err"

# ---- a 429 is retried too; failing_only sends only fail and error ---------------------
plan 429,200
O="$TMP/wh429"
ox_scan "$O" --output "webhook:$BASE/h" -o outputs.failing_only=true
expect_rc "$O" 0 "webhook scan (429 then 200), failing_only"
py "429 retried; only fail/error findings posted; unsigned without secret_ref" '
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert [r["status"] for r in reqs] == [429, 200, 200], [r["status"] for r in reqs]
fs = json.loads(reqs[1]["body"])["findings"]
assert sorted(f["status"] for f in fs) == ["error", "fail", "fail", "fail"], [f["status"] for f in fs]
assert all("x-parapet-signature" not in r["headers"] for r in reqs)
print("ok")
' "$TMP/requests.jsonl"

# ---- a 500 is retried (the delivery is idempotent), then delivered ---------------------
plan 500,200
O="$TMP/wh500ok"
ox_scan "$O" --output "webhook:$BASE/hook/T0KEN-in-path"
expect_rc "$O" 0 "webhook answered 500 then 200"
py "the 500 was retried with the same body and delivery id" '
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert [r["status"] for r in reqs][:2] == [500, 200], [r["status"] for r in reqs]
assert reqs[0]["body"] == reqs[1]["body"], "the retry must resend the same body"
d0, d1 = reqs[0]["headers"].get("x-parapet-delivery"), reqs[1]["headers"].get("x-parapet-delivery")
assert d0 and d0 == d1, (d0, d1)
print("ok")
' "$TMP/requests.jsonl"

# ---- a 500 that persists: retries run out; the error names host and status, not the path
plan 500
O="$TMP/wh500"
ox_scan "$O" --output "webhook:$BASE/hook/T0KEN-in-path" -o outputs.http.max_retries=2
expect_rc "$O" 2 "webhook answered 500 every time"
check "three attempts (1 + 2 retries)" test "$(wc -l <"$TMP/requests.jsonl")" -eq 3
check "the error gives the status and the host" grep -q "answered HTTP 500 after 3 attempt(s)" "$O.err"
check "no message shows the URL's path (it may hold a token)" sh -c "! grep -q 'T0KEN-in-path' '$O.err' '$O.out'"
check "the plugin's message shows the host, not the path" \
    grep -q "webhook: POST to http://127.0.0.1:[0-9]* answered" "$O.err"

# ---- an unresolvable secret_ref fails the output, naming the reference -----------------
plan 200
O="$TMP/whsec"
ox_scan "$O" --output "webhook:$BASE/h" -o outputs.secret_ref=env:OX_NO_SUCH_SECRET_VAR
expect_rc "$O" 2 "webhook with a missing secret"
check "the error names the reference" grep -q "env:OX_NO_SUCH_SECRET_VAR" "$O.err"
check "nothing unsigned was sent" test ! -s "$TMP/requests.jsonl"
O="$TMP/whlit"
ox_scan "$O" --output "webhook:$BASE/h" -o outputs.secret_ref=hunter2
expect_rc "$O" 2 "a literal secret in secret_ref is refused"

# ---- slack ------------------------------------------------------------------------------
plan 200
O="$TMP/slack"
ox_scan "$O" --output "slack:$BASE/services/T000/B000/XXXX"
expect_rc "$O" 0 "slack scan"
py "slack: a message with one block per failing finding, then a summary; text escaped" '
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert len(reqs) == 2, len(reqs)
m = json.loads(reqs[0]["body"])
assert m["text"].startswith("parapet: 4 failing findings"), m["text"]
texts = [b["text"]["text"] for b in m["blocks"]]
assert len(texts) == 4 and all(b["type"] == "section" and b["text"]["type"] == "mrkdwn" for b in m["blocks"])
assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in t for t in texts), texts
assert not any("<script>" in t for t in texts)
assert any("*ERROR*" in t for t in texts) and any("*CRITICAL*" in t for t in texts)
s = json.loads(reqs[1]["body"])
assert set(s) == {"text"} and "finished (complete): 4 failing findings" in s["text"], s
print("ok: %d blocks" % len(texts))
' "$TMP/requests.jsonl"

# ---- bad URLs are refused before anything is sent -----------------------------------------
O="$TMP/badurl"
ox_scan "$O" --output "webhook:ftp://example.org/x"
expect_rc "$O" 2 "a non-HTTP webhook URL is refused"
check "the error says what is wanted" grep -q "must be http:// or https://" "$O.err"

finish
