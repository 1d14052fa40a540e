"""aws_mock_org.py - additions to aws_mock.py (tests/integration/aws_org.sh, contrib/bench/aws_bench.sh):

  --org-accounts ID:STATE,...  AWS Organizations: organizations:ListAccounts (JSON 1.1, target
                               AWSOrganizationsV20161128.ListAccounts, NextToken pages) lists these
                               accounts, answered only to the mock's own (management) account;
                               without it the caller is not in an organization
                               (AWSOrganizationsNotInUseException)
  --org-page-size N            accounts per ListAccounts page (default 2)
  --org-deny                   ListAccounts is denied (AccessDeniedException)
  --expire-after N             a session issued by sts:AssumeRole expires after N signed requests: later
                               requests signed with it get ExpiredToken (query, S3) or
                               ExpiredTokenException (JSON protocols), as AWS answers expired
                               temporary credentials
  --latency-ms N               every answer waits N ms first (the server answers concurrently)

Shapes: the Organizations API reference (ListAccounts: Accounts[].Id, Arn, Email, Name, Status,
State, JoinedMethod, JoinedTimestamp; NextToken). Other modules (the bench estate) add handlers
with add_hook(fn): fn(handler, svc, region, body, url) returns None or (status, body, content type).

aws_mock.py calls bind() with itself and its argument parser, and intercept() for every request
whose signature verified. Test code: trusts its caller.
"""
import json
import re
import threading
import time

M = None          # the running aws_mock module
USES = {}         # issued access key id -> signed requests seen
LOCK = threading.Lock()
HOOKS = []


def bind(mock, ap):
    """Remember the mock module and add this module's options to its parser."""
    global M
    M = mock
    # answers go out as two writes (headers, body): without TCP_NODELAY the
    # body waits for the client's delayed ACK (~40 ms a call on Linux)
    mock.Handler.disable_nagle_algorithm = True
    ap.add_argument("--org-accounts", help="organization accounts, ID:STATE,... (STATE: ACTIVE, SUSPENDED, ...)")
    ap.add_argument("--org-page-size", type=int, default=2)
    ap.add_argument("--org-deny", action="store_true", help="organizations:ListAccounts is denied")
    ap.add_argument("--expire-after", type=int, default=0, help="assumed sessions expire after N requests")
    ap.add_argument("--latency-ms", type=int, default=0, help="added latency per request")


def add_hook(fn):
    HOOKS.append(fn)


def _akid(handler):
    m = re.search(r"Credential=([^/]+)/", handler.headers.get("Authorization", ""))
    return m.group(1) if m else ""


def _expired(handler, svc, target):
    msg = "The security token included in the request is expired"
    if svc == "s3":
        return 400, M.xml_error_s3("ExpiredToken", msg), "application/xml"
    if target is not None:
        return 400, M.json_error("ExpiredTokenException", msg), "application/x-amz-json-1.1"
    if svc in ("lambda", "eks", "guardduty", "securityhub", "access-analyzer", "elasticfilesystem"):
        return 403, M.json_error("ExpiredTokenException", msg), "application/json"
    return 400, M.xml_error_query("ExpiredToken", msg), "text/xml"


def _list_accounts(body):
    a = M.ARGS
    if a.org_deny or M.acct() != M.ACCOUNT:
        return 400, M.json_error("AccessDeniedException", "You don't have permissions to access this resource.")
    if not a.org_accounts:
        return 400, M.json_error("AWSOrganizationsNotInUseException",
                                 "Your account is not a member of an organization.")
    try:
        req = json.loads(body or b"{}")
    except ValueError:
        return 400, M.json_error("SerializationException", "bad JSON")
    accounts = [x.split(":") for x in a.org_accounts.split(",") if x]
    start = int(req.get("NextToken", "0") or 0)
    chunk = accounts[start:start + a.org_page_size]
    out = {"Accounts": [{"Id": i, "Arn": "arn:aws:organizations::%s:account/o-exampleorgid/%s" % (M.ACCOUNT, i),
                         "Email": "aws+%s@example.com" % i, "Name": "account-%s" % i,
                         "Status": "ACTIVE" if st == "ACTIVE" else "SUSPENDED", "State": st,
                         "JoinedMethod": "CREATED", "JoinedTimestamp": 1700000000.0} for i, st in chunk]}
    if start + a.org_page_size < len(accounts):
        out["NextToken"] = str(start + a.org_page_size)
    return 200, json.dumps(out)


def intercept(handler, svc, region, body, url):
    """Answer the request here (a (status, body, content type) tuple), or None for the mock."""
    a = M.ARGS
    if a.latency_ms:
        time.sleep(a.latency_ms / 1000.0)
    target = handler.headers.get("X-Amz-Target")
    akid = _akid(handler)
    if a.expire_after and akid in M.ISSUED:
        with LOCK:
            USES[akid] = USES.get(akid, 0) + 1
            expired = USES[akid] > a.expire_after
        if expired:
            M.log("EXPIRED %s %s acct=%s" % (svc, akid, M.acct()))
            return _expired(handler, svc, target)
    if svc == "organizations" and target is not None and target.startswith("AWSOrganizationsV20161128."):
        op = target.rpartition(".")[2]
        status, out = _list_accounts(body) if op == "ListAccounts" else \
            (400, M.json_error("UnknownOperationException", op))
        M.log("OK organizations %s %s %d" % (region, op, status))
        return status, out, "application/x-amz-json-1.1"
    for fn in HOOKS:
        r = fn(handler, svc, region, body, url)
        if r is not None:
            return r
    return None
