#!/bin/sh
# outputs_syslog.sh - the syslog (RFC 5424) and cef formats against local
# listeners (python3): UDP, TCP with octet counting (RFC 6587) and a unix
# datagram socket. Every message is parsed back: header fields, structured
# data and CEF fields are compared with the findings of the jsonl output.
. "${top_srcdir:?}/tests/integration/outputs_lib.sh"

# ---- listeners ------------------------------------------------------------------------
# Each received message goes, as a JSON string, to $TMP/{udp,tcp,unix}.jsonl;
# a TCP frame that does not follow "LEN SP MSG" is logged to $TMP/tcp.bad.
python3 -c '
import json, os, socket, sys, threading
d = sys.argv[1]
def log(name, msg):
    with open(d + "/" + name + ".jsonl", "a") as f:
        f.write(json.dumps(msg.decode("utf-8", "replace")) + "\n")
def dgram(sock, name):
    while True:
        data, _ = sock.recvfrom(70000)
        log(name, data)
def tcp_conn(c):
    buf = b""
    while True:
        chunk = c.recv(65536)
        if not chunk:
            if buf:
                open(d + "/tcp.bad", "a").write("trailing bytes: %r\n" % buf[:80])
            return
        buf += chunk
        while True:
            sp = buf.find(b" ")
            if sp < 0:
                break
            if not buf[:sp].isdigit() or buf[:1] == b"0":
                open(d + "/tcp.bad", "a").write("bad frame: %r\n" % buf[:80])
                return
            n = int(buf[:sp])
            if len(buf) < sp + 1 + n:
                break
            log("tcp", buf[sp + 1:sp + 1 + n])
            buf = buf[sp + 1 + n:]
def tcp(srv):
    while True:
        c, _ = srv.accept()
        threading.Thread(target=tcp_conn, args=(c,), daemon=True).start()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM); t.bind(("127.0.0.1", 0)); t.listen(8)
x = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); x.bind(d + "/log.sock")
for name in ("udp", "tcp", "unix"):
    open(d + "/" + name + ".jsonl", "w").close()
threading.Thread(target=dgram, args=(u, "udp"), daemon=True).start()
threading.Thread(target=dgram, args=(x, "unix"), daemon=True).start()
threading.Thread(target=tcp, args=(t,), daemon=True).start()
with open(d + "/ports.tmp", "w") as f:
    f.write("%d %d" % (u.getsockname()[1], t.getsockname()[1]))
os.rename(d + "/ports.tmp", d + "/ports")
threading.Event().wait()
' "$TMP" >"$TMP/listen.log" 2>&1 &
CLEANUP_PIDS="$CLEANUP_PIDS $!"
i=0
while [ ! -s "$TMP/ports" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$TMP/ports" ] || { echo "FAIL: the listeners did not start" >&2; cat "$TMP/listen.log" >&2; exit 1; }
UDP_PORT=$(cut -d' ' -f1 "$TMP/ports")
TCP_PORT=$(cut -d' ' -f2 "$TMP/ports")

# wait_lines FILE N : until FILE has N lines (datagrams arrive asynchronously), at most 5 s.
wait_lines() {
    _i=0
    while [ "$(wc -l <"$1")" -lt "$2" ] && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
}

O="$TMP/sys"
ox_scan "$O" --output "jsonl:$O.jsonl" --output "syslog:udp://127.0.0.1:$UDP_PORT" \
    --output "syslog:tcp://127.0.0.1:$TCP_PORT" --output "syslog:unix://$TMP/log.sock" \
    -o outputs.hostname=scanner-01
expect_rc "$O" 0 "scan with syslog over udp, tcp and unix"
for t in udp tcp unix; do wait_lines "$TMP/$t.jsonl" 11; done
check "tcp: every frame used octet counting" test ! -e "$TMP/tcp.bad"

py "syslog: RFC 5424 header, structured data and message, on all three transports" '
import json, re, sys
d, ref = sys.argv[1], [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
HDR = re.compile(r"^<(\d{1,3})>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) ([!-~]{1,255}) ([!-~]{1,48}) (\d+) ([!-~]{1,32}) (.*)$", re.S)
def parse_sd(s):
    # returns (sd_id, {name: value}), rest of the string
    assert s[0] == "[", s[:40]
    i = s.index(" ") if " " in s[:s.index("]") + 1] else s.index("]")
    sd_id, params, i = s[1:i], {}, i
    while s[i] == " ":
        eq = s.index("=", i)
        name = s[i + 1:eq]
        assert re.match(r"^[!-~]{1,32}$", name) and not set(name) & set("= ]\""), name
        assert s[eq + 1] == "\"", s[eq:eq + 5]
        j, val = eq + 2, ""
        while s[j] != "\"":
            if s[j] == "\\" and s[j + 1] in "\"\\]":
                val += s[j + 1]; j += 2
            else:
                assert s[j] != "]", "unescaped ] in a value"
                val += s[j]; j += 1
        params[name] = val
        i = j + 1
    assert s[i] == "]", s[i:i + 10]
    return sd_id, params, s[i + 1:]
SEV = {"info": 6, "low": 5, "medium": 4, "high": 3, "critical": 2}
n = 0
for t in ("udp", "tcp", "unix"):
    msgs = [json.loads(l) for l in open(d + "/" + t + ".jsonl")]
    assert len(msgs) == len(ref) + 1, (t, len(msgs))
    fmsgs = {}
    for m in msgs:
        h = HDR.match(m)
        assert h, (t, m[:120])
        pri, ts, host, app, pid, msgid, rest = h.groups()
        assert host == "scanner-01" and app == "parapet", (host, app)
        sd_id, p, msg = parse_sd(rest)
        assert msg.startswith(" ") and "\n" not in msg
        if msgid == "summary":
            assert sd_id == "summary@32473" and p["status"] == "complete" and int(pri) == 13 * 8 + 6, (sd_id, p, pri)
            continue
        assert msgid == "finding" and sd_id == "finding@32473", (msgid, sd_id)
        fmsgs[(p["rule"], p["resource"])] = (int(pri), p, msg)
    for f in ref:
        pri, p, msg = fmsgs[(f["rule_id"], f["resource_uid"])]
        want = 13 * 8 + (SEV[f["severity"]] if f["status"] == "fail" else 3 if f["status"] == "error" else 6)
        assert pri == want, (pri, want, f["status"])
        for k, v in (("status", f["status"]), ("severity", f["severity"]), ("type", f["resource_type"]),
                     ("account", f["account"]), ("region", f["region"]), ("provider", f["provider"])):
            assert p[k] == v, (k, p[k], v)
        assert msg == " %s %s on %s%s" % (f["rule_id"], f["status"], f["resource_uid"],
                                        ": " + f["message"] if f.get("message") else ""), msg
        n += 1
print("ok: %d finding messages parsed back" % n)
' "$TMP" "$O.jsonl"
# parse_sd above reads the escapes back: the uid arn:aws:s3:::ox-safe"]\ came out whole.
check "syslog: the quote, ] and backslash of a uid are escaped in the SD" \
    grep -qF 'resource=\"arn:aws:s3:::ox-safe\\\"\\]\\\\\"' "$TMP/udp.jsonl"

# ---- cef over udp and tcp --------------------------------------------------------------
for t in udp tcp; do : >"$TMP/$t.jsonl"; done
O="$TMP/cef"
ox_scan "$O" --output "jsonl:$O.jsonl" --output "cef:udp://127.0.0.1:$UDP_PORT" --output "cef:tcp://127.0.0.1:$TCP_PORT"
expect_rc "$O" 0 "scan with cef over udp and tcp"
for t in udp tcp; do wait_lines "$TMP/$t.jsonl" 11; done
py "cef: header and extension parsed back with the CEF escapes; values equal the findings" '
import json, re, sys
d, ref = sys.argv[1], [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
def split_header(s):
    fields, cur, i = [], "", 0
    while len(fields) < 7:
        c = s[i]
        if c == "\\":
            assert s[i + 1] in "\\|", "bad header escape"
            cur += s[i + 1]; i += 2; continue
        if c == "|":
            fields.append(cur); cur = ""; i += 1; continue
        cur += c; i += 1
    return fields, s[i:]
def parse_ext(s):
    out, keys = {}, list(re.finditer(r"(?:^| )([A-Za-z0-9_]+)=", s))
    for k, nxt in zip(keys, keys[1:] + [None]):
        raw = s[k.end():nxt.start() if nxt else len(s)]
        val, i = "", 0
        while i < len(raw):
            if raw[i] == "\\":
                val += {"n": "\n", "r": "\r"}.get(raw[i + 1], raw[i + 1]); i += 2
            else:
                assert raw[i] != "=", "unescaped = in %r" % raw
                val += raw[i]; i += 1
        out[k.group(1)] = val
    return out
SEV = {"info": 1, "low": 3, "medium": 5, "high": 8, "critical": 10}
n = 0
for t in ("udp", "tcp"):
    msgs = [json.loads(l) for l in open(d + "/" + t + ".jsonl")]
    assert len(msgs) == len(ref) + 1, (t, len(msgs))
    got = {}
    for m in msgs:
        assert re.match(r"^<\d+>1 \S+ \S+ parapet \d+ cef - CEF:0\|", m), m[:80]
        h, ext = split_header(m[m.index("CEF:"):])
        e = parse_ext(ext)
        if h[4] == "scan-summary":
            assert e["outcome"] == "complete"; continue
        got[(h[4], e["cs1"])] = (h, e)
    for f in ref:
        h, e = got[(f["rule_id"], f["resource_uid"])]
        assert h[:3] == ["CEF:0", "parapet", "parapet"] and h[5] == f["title"], h
        assert int(h[6]) == (SEV[f["severity"]] if f["status"] == "fail" else 0), (h[6], f)
        assert e["outcome"] == f["status"] and e["cat"] == f["resource_type"] and e["cs2"] == f["account"]
        assert e.get("msg", "") == f.get("message", ""), (e.get("msg"), f.get("message"))
        assert e["cs1"] == f["resource_uid"]
        assert re.match(r"^\d{13}$", e["rt"]), e["rt"]
        n += 1
print("ok: %d CEF events parsed back" % n)
' "$TMP" "$O.jsonl"
check "cef: the = of the formula name is escaped" grep -qF 'cs1=\\=cmd|' "$TMP/udp.jsonl"

# ---- udp datagrams are cut to udp_max_bytes on a character boundary ----------------------
: >"$TMP/udp.jsonl"
O="$TMP/cut"
ox_scan "$O" --output "syslog:udp://127.0.0.1:$UDP_PORT" -o outputs.udp_max_bytes=480 -o outputs.hostname="$(printf 'h%.0s' $(seq 200))"
expect_rc "$O" 0 "syslog over udp with udp_max_bytes=480 and a 200-byte host name"
wait_lines "$TMP/udp.jsonl" 11
py "every datagram <= 480 bytes, valid UTF-8, header intact" '
import json, re, sys
msgs = [json.loads(l) for l in open(sys.argv[1])]
assert len(msgs) == 11, len(msgs)
for m in msgs:
    assert len(m.encode()) <= 480 and "\ufffd" not in m, len(m.encode())
    assert re.match(r"^<\d+>1 \S+ h{200} parapet \d+ (finding|summary) ", m), m[:60]
print("ok: longest %d bytes" % max(len(m.encode()) for m in msgs))
' "$TMP/udp.jsonl"

# ---- refusals -----------------------------------------------------------------------------
O="$TMP/bad1"
ox_scan "$O" --output "syslog:udp://127.0.0.1:99999"
expect_rc "$O" 2 "a port out of range is refused"
check "the error shows the accepted forms" grep -q "udp://HOST\[:PORT\]" "$O.err"
O="$TMP/bad2"
ox_scan "$O" --output "syslog:unix://$TMP/no-such.sock"
expect_rc "$O" 2 "a missing unix socket is an error"
check "the error names the socket" grep -q "no-such.sock" "$O.err"

finish
