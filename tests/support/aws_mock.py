#!/usr/bin/env python3
"""aws_mock.py - a local HTTPS stand-in for AWS, for tests/integration/aws_*.sh.

Answers STS (incl. AssumeRole, for many accounts), EC2, IAM, RDS, CloudWatch
(query protocol, XML), S3 (REST-XML), CloudTrail, KMS, Config, CloudWatch Logs
(JSON 1.1) and Lambda, EKS, GuardDuty (REST-JSON) in the wire formats of the
AWS API references, with pagination (EC2 NextToken, IAM
Marker/IsTruncated, S3 ContinuationToken), a throttling burst per service
and access denials, and VERIFIES EVERY REQUEST'S SIGV4 SIGNATURE with its
own implementation (hmac/hashlib; written from the AWS General Reference,
independent of plugins/aws/sigv4.c). A request that does not verify gets
403 SignatureDoesNotMatch and a SIGFAIL line in the log.

Usage: aws_mock.py --cert C --key K --port-file F --log L --akid ID --secret S [--token T]
The secret is passed through the environment variable AWS_MOCK_SECRET
when --secret is '-'. Test code: trusts its caller.
"""
import argparse
import datetime
import hashlib
import hmac
import http.server
import json
import re
import ssl
import sys
import threading
import urllib.parse

import aws_mock_services  # SNS, SQS, Secrets Manager, ELBv2, ACM, IAM groups, EBS snapshots/AMIs

import aws_mock_org  # Organizations, expiring sessions, latency, hooks (awsorg)

ACCOUNT = "123456789012"
LOCK = threading.Lock()
CUR = threading.local()      # the account of the request being answered
ISSUED = {}                  # AssumeRole: access key id -> (secret, token, account)


def acct():
    return getattr(CUR, "account", ACCOUNT)
COUNTS = {}
ARGS = None
LOG = None


def log(line):
    if line.startswith("OK "):
        line += " acct=" + acct()
    with LOCK:
        LOG.write(line + "\n")
        LOG.flush()


def bump(key):
    with LOCK:
        COUNTS[key] = COUNTS.get(key, 0) + 1
        return COUNTS[key]


# ---------------------------------------------------------------- SigV4 check

def uri_encode(s, keep_slash):
    safe = "-_.~" + ("/" if keep_slash else "")
    return urllib.parse.quote(s, safe=safe)


def canonical_query(raw):
    pairs = []
    for part in raw.split("&") if raw else []:
        if not part:
            continue
        k, _, v = part.partition("=")
        k = urllib.parse.unquote(k)
        v = urllib.parse.unquote(v)
        pairs.append((uri_encode(k, False), uri_encode(v, False)))
    pairs.sort()
    return "&".join(k + "=" + v for k, v in pairs)


def verify(handler, body):
    """Return None when the signature verifies, else the reason."""
    auth = handler.headers.get("Authorization")
    if auth is None:
        return "no Authorization header"
    m = re.fullmatch(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                     r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})", auth)
    if not m:
        return "malformed Authorization"
    akid, date, region, service, signed, sig = m.groups()
    secret, token, account = ARGS.secret, ARGS.token, ACCOUNT
    if akid in ISSUED:
        secret, token, account = ISSUED[akid]
    elif akid != ARGS.akid:
        return "unknown access key"
    amz_date = handler.headers.get("X-Amz-Date", "")
    try:
        t = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return "bad X-Amz-Date"
    if abs((datetime.datetime.now(datetime.timezone.utc) - t).total_seconds()) > 900:
        return "X-Amz-Date too far from now"
    if amz_date[:8] != date:
        return "scope date differs from X-Amz-Date"
    names = signed.split(";")
    if "host" not in names:
        return "host not signed"
    if token:
        if handler.headers.get("X-Amz-Security-Token") != token:
            return "missing or wrong session token"
        if "x-amz-security-token" not in names:
            return "session token not signed"
    url = urllib.parse.urlsplit(handler.path)
    payload = hashlib.sha256(body).hexdigest()
    if service == "s3":
        if handler.headers.get("x-amz-content-sha256") != payload:
            return "x-amz-content-sha256 does not match the body"
        path = url.path or "/"
    else:
        path = uri_encode(url.path or "/", True)
    lines = []
    for n in names:
        vals = handler.headers.get_all(n) or []
        if not vals:
            return "signed header %s missing" % n
        lines.append(n + ":" + ",".join(" ".join(v.split()) for v in vals))
    creq = "\n".join([handler.command, path, canonical_query(url.query), "\n".join(lines) + "\n", signed, payload])
    scope = "/".join([date, region, service, "aws4_request"])
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(creq.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    want = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, sig):
        return "signature mismatch"
    handler.signed_service = service
    handler.signed_region = region
    CUR.account = account
    return None


# ---------------------------------------------------------------- data

def url_policy(doc):
    return urllib.parse.quote(json.dumps(doc, separators=(",", ":")), safe="")


ADMIN_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
TRUST_ANY = {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}

USERS = [
    {"UserName": "alice", "UserId": "AIDAALICE0000000001", "Path": "/", "CreateDate": "2020-01-01T00:00:00Z",
     "PasswordLastUsed": "2026-01-01T00:00:00Z", "login": True,
     "mfa": [{"SerialNumber": "arn:aws:iam::%s:mfa/alice" % ACCOUNT, "EnableDate": "2020-01-02T00:00:00Z"}],
     "keys": [{"AccessKeyId": "AKIAALICE00000000001", "Status": "Active", "CreateDate": "2020-01-03T00:00:00Z",
               "LastUsed": "2026-02-01T00:00:00Z"}],
     "attached": [{"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}],
     "inline": {"alice-extra": ADMIN_DOC}, "groups": ["admins"]},
    {"UserName": "bob", "UserId": "AIDABOB00000000000001", "Path": "/dev/", "CreateDate": "2021-01-01T00:00:00Z",
     "login": True, "mfa": [],
     "keys": [{"AccessKeyId": "AKIABOB0000000000001", "Status": "Active", "CreateDate": "2021-01-03T00:00:00Z"}],
     "attached": [], "inline": {}, "groups": []},
    {"UserName": "carol", "UserId": "AIDACAROL00000000001", "Path": "/", "CreateDate": "2022-01-01T00:00:00Z",
     "login": False, "mfa": [], "keys": [], "attached": [], "inline": {}, "groups": ["readers"]},
]

SGS = [
    {"id": "sg-00000000000000001", "name": "default", "desc": "default VPC security group", "rules": []},
    {"id": "sg-00000000000000002", "name": "ssh-open", "desc": "ssh from anywhere",
     "rules": [("tcp", 22, 22, "0.0.0.0/0")]},
    {"id": "sg-00000000000000003", "name": "all-traffic", "desc": "everything", "rules": [("-1", None, None, "10.0.0.0/8")]},
]

BUCKETS = ["acme-logs", "acme-public", "acme-secure"]


# ---------------------------------------------------------------- XML helpers

def xml_error_query(code, msg):
    return ('<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>'
            '<Code>%s</Code><Message>%s</Message></Error><RequestId>req-1</RequestId></ErrorResponse>' % (code, msg))


def xml_error_ec2(code, msg):
    return ('<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code><Message>%s</Message>'
            '</Error></Errors><RequestID>req-ec2</RequestID></Response>' % (code, msg))


def xml_error_s3(code, msg):
    return ('<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message>'
            '<RequestId>req-s3</RequestId></Error>' % (code, msg))


def iam_wrap(action, inner, ns="https://iam.amazonaws.com/doc/2010-05-08/"):
    return ('<%sResponse xmlns="%s"><%sResult>%s</%sResult><ResponseMetadata><RequestId>r</RequestId>'
            '</ResponseMetadata></%sResponse>' % (action, ns, action, inner, action, action))


def members(items):
    return "".join("<member>%s</member>" % i for i in items)


def page(items, marker, size):
    start = int(marker) if marker else 0
    chunk = items[start:start + size]
    nxt = start + size if start + size < len(items) else None
    return chunk, nxt


# ---------------------------------------------------------------- services

def sts(action, p):
    if action == "AssumeRole":
        return sts_assume_role(p)
    if action == "GetCallerIdentity":
        return 200, iam_wrap(action, "<Arn>arn:aws:iam::%s:user/scanner</Arn><UserId>AIDASCANNER</UserId>"
                                     "<Account>%s</Account>" % (acct(), acct()),
                             "https://sts.amazonaws.com/doc/2011-06-15/")
    return 400, xml_error_query("InvalidAction", "unknown action")


def ec2(action, p, region):
    ns = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"'
    if action == "DescribeRegions":
        items = "".join("<item><regionName>%s</regionName><regionEndpoint>ec2.%s.amazonaws.com</regionEndpoint>"
                        "<optInStatus>opt-in-not-required</optInStatus></item>" % (r, r)
                        for r in ("us-east-1", "eu-west-1"))
        return 200, "<DescribeRegionsResponse %s><requestId>r</requestId><regionInfo>%s</regionInfo>" \
                    "</DescribeRegionsResponse>" % (ns, items)
    if action == "DescribeSecurityGroups":
        if bump("sg-throttle") <= 2:
            return 503, xml_error_ec2("RequestLimitExceeded", "Request limit exceeded.")
        chunk, nxt = page(SGS, p.get("NextToken"), 2)
        out = ""
        for g in chunk:
            perms = ""
            for proto, lo, hi, cidr in g["rules"]:
                ports = "" if lo is None else "<fromPort>%d</fromPort><toPort>%d</toPort>" % (lo, hi)
                perms += ("<item><ipProtocol>%s</ipProtocol>%s<groups/><ipRanges><item><cidrIp>%s</cidrIp></item>"
                          "</ipRanges><ipv6Ranges/><prefixListIds/></item>" % (proto, ports, cidr))
            out += ("<item><ownerId>%s</ownerId><groupId>%s</groupId><groupName>%s</groupName>"
                    "<groupDescription>%s</groupDescription><vpcId>vpc-0000000000000001a</vpcId>"
                    "<ipPermissions>%s</ipPermissions><ipPermissionsEgress><item><ipProtocol>-1</ipProtocol>"
                    "<groups/><ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges><ipv6Ranges/>"
                    "<prefixListIds/></item></ipPermissionsEgress><tagSet><item><key>env</key><value>test</value>"
                    "</item></tagSet></item>" % (acct(), g["id"], g["name"], g["desc"], perms))
        tok = "<nextToken>%d</nextToken>" % nxt if nxt else ""
        return 200, "<DescribeSecurityGroupsResponse %s><requestId>r</requestId><securityGroupInfo>%s" \
                    "</securityGroupInfo>%s</DescribeSecurityGroupsResponse>" % (ns, out, tok)
    if action == "DescribeInstances":
        def inst(iid, tokens, public):
            pub = "<ipAddress>%s</ipAddress>" % public if public else ""
            return ("<item><instanceId>%s</instanceId><imageId>ami-0000000000000000a</imageId><instanceState>"
                    "<code>16</code><name>running</name></instanceState><instanceType>t3.micro</instanceType>"
                    "<launchTime>2025-03-01T08:00:00.000Z</launchTime><placement><availabilityZone>%sa"
                    "</availabilityZone><tenancy>default</tenancy></placement><monitoring><state>disabled</state>"
                    "</monitoring><subnetId>subnet-01</subnetId><vpcId>vpc-0000000000000001a</vpcId>"
                    "<privateIpAddress>10.0.0.5</privateIpAddress>%s<groupSet><item><groupId>sg-00000000000000002"
                    "</groupId><groupName>ssh-open</groupName></item></groupSet><blockDeviceMapping><item>"
                    "<deviceName>/dev/xvda</deviceName><ebs><volumeId>vol-0000000000000000a</volumeId>"
                    "<status>attached</status><deleteOnTermination>true</deleteOnTermination></ebs></item>"
                    "</blockDeviceMapping><ebsOptimized>false</ebsOptimized><tagSet><item><key>Name</key>"
                    "<value>web-%s</value></item></tagSet><metadataOptions><state>applied</state>"
                    "<httpTokens>%s</httpTokens><httpPutResponseHopLimit>1</httpPutResponseHopLimit>"
                    "<httpEndpoint>enabled</httpEndpoint></metadataOptions></item>"
                    % (iid, region, pub, iid[-1], tokens))
        return 200, ("<DescribeInstancesResponse %s><requestId>r</requestId><reservationSet><item>"
                     "<reservationId>r-1</reservationId><ownerId>%s</ownerId><instancesSet>%s%s</instancesSet></item>"
                     "</reservationSet></DescribeInstancesResponse>"
                     % (ns, acct(), inst("i-0000000000000000a", "optional", "198.51.100.17"),
                        inst("i-0000000000000000b", "required", None)))
    more = ec2_more(action, p, region, ns)
    if more:
        return more
    if action == "DescribeVolumes":
        if fault("bad-xml"):
            return 200, "<DescribeVolumesResponse %s><volumeSet><item><volumeId>vol-1</volumeId></item></volumeSet" \
                        "<</DescribeVolumesResponse>" % ns
        if region == "eu-west-1":
            return 403, xml_error_ec2("UnauthorizedOperation", "You are not authorized to perform this operation.")
        return 200, ("<DescribeVolumesResponse %s><requestId>r</requestId><volumeSet><item><volumeId>"
                     "vol-0000000000000000a</volumeId><size>8</size><snapshotId/><availabilityZone>%sa"
                     "</availabilityZone><status>in-use</status><createTime>2025-03-01T08:00:00.000Z</createTime>"
                     "<attachmentSet><item><volumeId>vol-0000000000000000a</volumeId><instanceId>i-0000000000000000a"
                     "</instanceId><device>/dev/xvda</device><status>attached</status><deleteOnTermination>true"
                     "</deleteOnTermination></item></attachmentSet><volumeType>gp3</volumeType><encrypted>false"
                     "</encrypted></item></volumeSet></DescribeVolumesResponse>" % (ns, region))
    return 400, xml_error_ec2("InvalidAction", "unknown")


def iam(action, p):
    more = iam_more(action, p)
    if more:
        return more
    user = next((u for u in USERS if u["UserName"] == p.get("UserName")), None)
    if action == "ListUsers":
        if bump("iam-throttle") == 1:
            return 400, xml_error_query("Throttling", "Rate exceeded")
        chunk, nxt = page(USERS, p.get("Marker"), 2)
        items = ["<Path>%s</Path><UserName>%s</UserName><UserId>%s</UserId><Arn>arn:aws:iam::%s:user%s%s</Arn>"
                 "<CreateDate>%s</CreateDate>%s" % (u["Path"], u["UserName"], u["UserId"], acct(), u["Path"],
                                                    u["UserName"], u["CreateDate"],
                                                    "<PasswordLastUsed>%s</PasswordLastUsed>" % u["PasswordLastUsed"]
                                                    if "PasswordLastUsed" in u else "") for u in chunk]
        trunc = "<IsTruncated>true</IsTruncated><Marker>%d</Marker>" % nxt if nxt else "<IsTruncated>false</IsTruncated>"
        return 200, iam_wrap(action, "<Users>%s</Users>%s" % (members(items), trunc))
    if action == "GetLoginProfile":
        if not user or not user["login"]:
            return 404, xml_error_query("NoSuchEntity", "Login Profile for User cannot be found.")
        return 200, iam_wrap(action, "<LoginProfile><UserName>%s</UserName><CreateDate>2020-01-01T00:00:00Z"
                                     "</CreateDate></LoginProfile>" % user["UserName"])
    if action == "ListMFADevices":
        items = ["<UserName>%s</UserName><SerialNumber>%s</SerialNumber><EnableDate>%s</EnableDate>"
                 % (user["UserName"], m["SerialNumber"], m["EnableDate"]) for m in user["mfa"]]
        return 200, iam_wrap(action, "<MFADevices>%s</MFADevices><IsTruncated>false</IsTruncated>" % members(items))
    if action == "ListAccessKeys":
        items = ["<UserName>%s</UserName><AccessKeyId>%s</AccessKeyId><Status>%s</Status><CreateDate>%s</CreateDate>"
                 % (user["UserName"], k["AccessKeyId"], k["Status"], k["CreateDate"]) for k in user["keys"]]
        return 200, iam_wrap(action, "<AccessKeyMetadata>%s</AccessKeyMetadata><IsTruncated>false</IsTruncated>"
                             % members(items))
    if action == "GetAccessKeyLastUsed":
        k = next((k for u in USERS for k in u["keys"] if k["AccessKeyId"] == p.get("AccessKeyId")), None)
        lu = "<LastUsedDate>%s</LastUsedDate><ServiceName>s3</ServiceName><Region>us-east-1</Region>" % k["LastUsed"] \
            if k and "LastUsed" in k else "<ServiceName>N/A</ServiceName><Region>N/A</Region>"
        return 200, iam_wrap(action, "<UserName>x</UserName><AccessKeyLastUsed>%s</AccessKeyLastUsed>" % lu)
    if action == "ListAttachedUserPolicies":
        items = ["<PolicyName>%s</PolicyName><PolicyArn>%s</PolicyArn>" % (a["PolicyName"], a["PolicyArn"])
                 for a in user["attached"]]
        return 200, iam_wrap(action, "<AttachedPolicies>%s</AttachedPolicies><IsTruncated>false</IsTruncated>"
                             % members(items))
    if action == "ListUserPolicies":
        return 200, iam_wrap(action, "<PolicyNames>%s</PolicyNames><IsTruncated>false</IsTruncated>"
                             % members(user["inline"].keys()))
    if action == "GetUserPolicy":
        doc = user["inline"][p["PolicyName"]]
        return 200, iam_wrap(action, "<UserName>%s</UserName><PolicyName>%s</PolicyName><PolicyDocument>%s"
                                     "</PolicyDocument>" % (user["UserName"], p["PolicyName"], url_policy(doc)))
    if action == "ListGroupsForUser":
        items = ["<GroupName>%s</GroupName><Arn>arn:aws:iam::%s:group/%s</Arn>" % (g, acct(), g) for g in user["groups"]]
        return 200, iam_wrap(action, "<Groups>%s</Groups><IsTruncated>false</IsTruncated>" % members(items))
    if action == "ListRoles":
        item = ("<Path>/</Path><RoleName>vendor-support</RoleName><RoleId>AROAVENDOR0000000001</RoleId>"
                "<Arn>arn:aws:iam::%s:role/vendor-support</Arn><CreateDate>2023-01-01T00:00:00Z</CreateDate>"
                "<AssumeRolePolicyDocument>%s</AssumeRolePolicyDocument><MaxSessionDuration>3600"
                "</MaxSessionDuration>" % (acct(), url_policy(TRUST_ANY)))
        return 200, iam_wrap(action, "<Roles>%s</Roles><IsTruncated>false</IsTruncated>" % members([item]))
    if action in ("ListAttachedRolePolicies",):
        return 200, iam_wrap(action, "<AttachedPolicies/><IsTruncated>false</IsTruncated>")
    if action == "ListRolePolicies":
        return 200, iam_wrap(action, "<PolicyNames/><IsTruncated>false</IsTruncated>")
    if action == "ListPolicies":
        if p.get("Scope") != "Local":
            return 400, xml_error_query("ValidationError", "scope")
        item = ("<PolicyName>acme-full-access</PolicyName><PolicyId>ANPAACME000000000001</PolicyId>"
                "<Arn>arn:aws:iam::%s:policy/acme-full-access</Arn><Path>/</Path><DefaultVersionId>v3"
                "</DefaultVersionId><AttachmentCount>3</AttachmentCount><IsAttachable>true</IsAttachable>"
                "<CreateDate>2022-01-01T00:00:00Z</CreateDate><UpdateDate>2023-01-01T00:00:00Z</UpdateDate>" % acct())
        return 200, iam_wrap(action, "<Policies>%s</Policies><IsTruncated>false</IsTruncated>" % members([item]))
    if action == "GetPolicyVersion":
        if p.get("VersionId") != "v3":
            return 404, xml_error_query("NoSuchEntity", "no such version")
        return 200, iam_wrap(action, "<PolicyVersion><Document>%s</Document><VersionId>v3</VersionId>"
                                     "<IsDefaultVersion>true</IsDefaultVersion></PolicyVersion>" % url_policy(ADMIN_DOC))
    if action == "GetAccountPasswordPolicy":
        return 200, iam_wrap(action, "<PasswordPolicy><MinimumPasswordLength>8</MinimumPasswordLength>"
                                     "<RequireSymbols>false</RequireSymbols><RequireNumbers>true</RequireNumbers>"
                                     "<RequireUppercaseCharacters>true</RequireUppercaseCharacters>"
                                     "<RequireLowercaseCharacters>true</RequireLowercaseCharacters>"
                                     "<AllowUsersToChangePassword>true</AllowUsersToChangePassword>"
                                     "<ExpirePasswords>false</ExpirePasswords></PasswordPolicy>")
    return 400, xml_error_query("InvalidAction", "unknown")


S3NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'


def s3(method, path, query):
    parts = [x for x in path.split("/") if x]
    q = urllib.parse.parse_qs(query, keep_blank_values=True)
    if not parts:
        chunk, nxt = page(BUCKETS, q.get("continuation-token", [None])[0], 2)
        items = "".join("<Bucket><Name>%s</Name><CreationDate>2022-07-20T12:30:00.000Z</CreationDate></Bucket>" % b
                        for b in chunk)
        tok = "<ContinuationToken>%d</ContinuationToken>" % nxt if nxt else ""
        return 200, ("<ListAllMyBucketsResult %s><Owner><ID>owner-canonical-id</ID></Owner><Buckets>%s</Buckets>%s"
                     "</ListAllMyBucketsResult>" % (S3NS, items, tok))
    b = parts[0]
    if b not in BUCKETS or len(parts) > 1:
        return 404, xml_error_s3("NoSuchBucket", "The specified bucket does not exist")
    sub = next(iter(q.keys()), None)
    if sub == "location":
        loc = "eu-west-1" if b == "acme-logs" else ""
        return 200, '<LocationConstraint %s>%s</LocationConstraint>' % (S3NS, loc)
    if sub == "acl":
        grants = ('<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">'
                  '<ID>owner-canonical-id</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>')
        if b == "acme-public":
            grants += ('<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group">'
                       '<URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ'
                       '</Permission></Grant>')
        return 200, ('<AccessControlPolicy %s><Owner><ID>owner-canonical-id</ID></Owner><AccessControlList>%s'
                     '</AccessControlList></AccessControlPolicy>' % (S3NS, grants))
    if sub == "policy":
        if b == "acme-secure":
            return 403, xml_error_s3("AccessDenied", "Access Denied")
        if b == "acme-public":
            return 200, json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-public/*"}]})
        return 404, xml_error_s3("NoSuchBucketPolicy", "The bucket policy does not exist")
    if sub == "policyStatus":
        if b == "acme-public":
            return 200, '<PolicyStatus %s><IsPublic>true</IsPublic></PolicyStatus>' % S3NS
        return 404, xml_error_s3("NoSuchBucketPolicy", "The bucket policy does not exist")
    if sub == "publicAccessBlock":
        if b == "acme-secure":
            return 200, ('<PublicAccessBlockConfiguration %s><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>'
                         'true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true'
                         '</RestrictPublicBuckets></PublicAccessBlockConfiguration>' % S3NS)
        return 404, xml_error_s3("NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
    if sub == "ownershipControls":
        return 200, ('<OwnershipControls %s><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule>'
                     '</OwnershipControls>' % S3NS)
    if sub == "encryption":
        if b == "acme-secure":
            return 200, ('<ServerSideEncryptionConfiguration %s><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>'
                         'aws:kms</SSEAlgorithm><KMSMasterKeyID>arn:aws:kms:us-east-1:%s:key/k1</KMSMasterKeyID>'
                         '</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule>'
                         '</ServerSideEncryptionConfiguration>' % (S3NS, acct()))
        return 404, xml_error_s3("ServerSideEncryptionConfigurationNotFoundError", "none")
    if sub == "versioning":
        if bump("s3-slowdown") == 1:
            return 503, xml_error_s3("SlowDown", "Please reduce your request rate.")
        if b == "acme-secure":
            return 200, '<VersioningConfiguration %s><Status>Enabled</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>' % S3NS
        return 200, '<VersioningConfiguration %s/>' % S3NS
    if sub == "object-lock":
        if b == "acme-logs":
            return 200, ('<ObjectLockConfiguration %s><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule>'
                         '<DefaultRetention><Mode>GOVERNANCE</Mode><Days>30</Days></DefaultRetention></Rule>'
                         '</ObjectLockConfiguration>' % S3NS)
        return 404, xml_error_s3("ObjectLockConfigurationNotFoundError",
                                 "Object Lock configuration does not exist for this bucket")
    if sub == "logging":
        if b == "acme-secure":
            return 200, ('<BucketLoggingStatus %s><LoggingEnabled><TargetBucket>acme-logs</TargetBucket>'
                         '<TargetPrefix>s3/acme-secure/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>' % S3NS)
        return 200, '<BucketLoggingStatus %s/>' % S3NS
    if sub == "tagging":
        if b == "acme-public":
            return 200, '<Tagging %s><TagSet><Tag><Key>env</Key><Value>prod</Value></Tag></TagSet></Tagging>' % S3NS
        return 404, xml_error_s3("NoSuchTagSet", "The TagSet does not exist")
    return 400, xml_error_s3("InvalidRequest", "unsupported subresource")


# ---------------------------------------------------------------- faults
# --fault NAME[,NAME...] turns misbehaviours on for the whole run (tests/integration/aws_faults.sh):
#   stall          KMS calls never answer (the client must time out)
#   storm          per-service rate limit (token bucket): calls beyond it are throttled
#                  (ThrottlingException, Throttling, RequestLimitExceeded, 429)
#   bad-xml        EC2 DescribeVolumes answers with malformed XML
#   truncated-json KMS ListKeys and EKS DescribeCluster of "prod" answer with a JSON body cut in half
#   truncated-xml  RDS DescribeDBInstances answers with an XML body cut in half


def fault(name):
    return ARGS is not None and name in (ARGS.fault or "").split(",")


BUCKETS_RATE = {}


def storm(key):
    """A throttling storm: one token bucket for the whole account, 3 requests refilled at 6 per second,
    so a client that does not slow down is throttled over and over, and one that backs off gets through."""
    if not fault("storm"):
        return False
    import time
    svc = "account"
    now = time.monotonic()
    with LOCK:
        tokens, last = BUCKETS_RATE.get(svc, (3.0, now))
        tokens = min(3.0, tokens + (now - last) * 6.0)
        throttled = tokens < 1.0
        if not throttled:
            tokens -= 1.0
        BUCKETS_RATE[svc] = (tokens, now)
    if throttled:
        log("THROTTLED %s" % key)
    return throttled


# ---------------------------------------------------------------- STS AssumeRole (many accounts)

ROLE_RE = re.compile(r"arn:aws:iam::(\d{12}):role/([A-Za-z0-9+=,.@_/-]+)")


def sts_assume_role(p):
    m = ROLE_RE.fullmatch(p.get("RoleArn", ""))
    if not m:
        return 400, xml_error_query("ValidationError", "bad RoleArn")
    account = m.group(1)
    if account in (ARGS.deny_accounts or "").split(","):
        return 403, xml_error_query("AccessDenied", "User is not authorized to perform: sts:AssumeRole")
    if ARGS.external_id and p.get("ExternalId") != ARGS.external_id:
        return 403, xml_error_query("AccessDenied", "external id does not match")
    n = bump("assume")
    akid = "ASIAMOCK%04d%08d" % (n, int(account[-8:]))
    secret = "assumedSECRET%d%s" % (n, account)
    token = "assumedTOKEN/%d/%s" % (n, account)
    with LOCK:
        ISSUED[akid] = (secret, token, account)
    exp = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    log("ASSUME %s %s ext=%s" % (account, m.group(2), p.get("ExternalId", "")))
    return 200, iam_wrap("AssumeRole", "<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s"
                                       "</SecretAccessKey><SessionToken>%s</SessionToken><Expiration>%s</Expiration>"
                                       "</Credentials><AssumedRoleUser><Arn>arn:aws:sts::%s:assumed-role/%s/s</Arn>"
                                       "<AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>"
                         % (akid, secret, token, exp, account, m.group(2)), "https://sts.amazonaws.com/doc/2011-06-15/")


# ---------------------------------------------------------------- JSON 1.1 (CloudTrail, KMS, Config, Logs)

def json_error(code, msg):
    return json.dumps({"__type": code, "message": msg})


def region_arn(svc, region, rest):
    return "arn:aws:%s:%s:%s:%s" % (svc, region, acct(), rest)


def cloudtrail(op, req, region):
    org = region_arn("cloudtrail", "us-east-1", "trail/org-trail")
    local = region_arn("cloudtrail", "us-east-1", "trail/local-trail")
    if op == "DescribeTrails":
        if region != "us-east-1":
            return 200, json.dumps({"trailList": []})
        return 200, json.dumps({"trailList": [
            {"Name": "org-trail", "S3BucketName": "acme-logs", "IncludeGlobalServiceEvents": True,
             "IsMultiRegionTrail": True, "HomeRegion": "us-east-1", "TrailARN": org, "LogFileValidationEnabled": True,
             "CloudWatchLogsLogGroupArn": region_arn("logs", "us-east-1", "log-group:trail-logs:*"),
             "CloudWatchLogsRoleArn": "arn:aws:iam::%s:role/ct-logs" % acct(),
             "KmsKeyId": region_arn("kms", "us-east-1", "key/11111111-1111-1111-1111-111111111111"),
             "HasCustomEventSelectors": True, "HasInsightSelectors": False, "IsOrganizationTrail": False},
            {"Name": "local-trail", "S3BucketName": "acme-logs", "IncludeGlobalServiceEvents": False,
             "IsMultiRegionTrail": False, "HomeRegion": "us-east-1", "TrailARN": local,
             "LogFileValidationEnabled": False, "HasCustomEventSelectors": False, "HasInsightSelectors": False,
             "IsOrganizationTrail": False}]})
    name = req.get("Name") or req.get("TrailName")
    if name not in (org, local):
        return 400, json_error("TrailNotFoundException", "Unknown trail")
    if op == "GetTrailStatus":
        if name == org:
            return 200, json.dumps({"IsLogging": True, "LatestDeliveryTime": 1735689600.0,
                                    "StartLoggingTime": 1704067200.5})
        return 200, json.dumps({"IsLogging": False, "StopLoggingTime": 1735000000})
    if op == "GetEventSelectors":
        if name == org:
            return 200, json.dumps({"TrailARN": org, "AdvancedEventSelectors": [
                {"Name": "management", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]},
                {"Name": "s3 writes", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                                                         {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                                                         {"Field": "readOnly", "Equals": ["false"]}]}]})
        return 200, json.dumps({"TrailARN": local, "EventSelectors": [
            {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [],
             "ExcludeManagementEventSources": []}]})
    return 400, json_error("UnknownOperationException", op)


KEYS = [
    {"id": "11111111-1111-1111-1111-111111111111", "alias": "alias/orders-db", "manager": "CUSTOMER",
     "spec": "SYMMETRIC_DEFAULT", "rotation": False, "public": False},
    {"id": "22222222-2222-2222-2222-222222222222", "alias": "alias/aws/s3", "manager": "AWS",
     "spec": "SYMMETRIC_DEFAULT", "rotation": True, "public": False},
    {"id": "33333333-3333-3333-3333-333333333333", "alias": "alias/signing", "manager": "CUSTOMER",
     "spec": "RSA_2048", "rotation": None, "public": True},
]


def kms(op, req, region):
    if fault("stall"):
        import time
        time.sleep(30)
    keys = KEYS if region == "us-east-1" else []
    if op == "ListKeys":
        if fault("truncated-json"):
            return 200, '{"Keys":[{"KeyId":"11111111-1111-1111-1111-111111111111","KeyArn":"arn:aws:kms:us-e'
        chunk, nxt = page(keys, req.get("Marker"), 2)
        out = {"Keys": [{"KeyId": k["id"], "KeyArn": region_arn("kms", region, "key/" + k["id"])} for k in chunk],
               "Truncated": nxt is not None}
        if nxt:
            out["NextMarker"] = str(nxt)
        return 200, json.dumps(out)
    if op == "ListAliases":
        return 200, json.dumps({"Aliases": [{"AliasName": k["alias"], "TargetKeyId": k["id"],
                                             "AliasArn": region_arn("kms", region, k["alias"])} for k in keys],
                                "Truncated": False})
    k = next((k for k in keys if k["id"] == req.get("KeyId")), None)
    if not k:
        return 400, json_error("NotFoundException", "Key does not exist")
    if op == "DescribeKey":
        return 200, json.dumps({"KeyMetadata": {
            "AWSAccountId": acct(), "KeyId": k["id"], "Arn": region_arn("kms", region, "key/" + k["id"]),
            "CreationDate": 1672531200.123, "Enabled": True, "Description": "mock key " + k["alias"],
            "KeyUsage": "ENCRYPT_DECRYPT" if k["spec"] == "SYMMETRIC_DEFAULT" else "SIGN_VERIFY",
            "KeyState": "Enabled", "Origin": "AWS_KMS", "KeyManager": k["manager"], "KeySpec": k["spec"],
            "CustomerMasterKeySpec": k["spec"], "MultiRegion": False}})
    if op == "GetKeyRotationStatus":
        if k["rotation"] is None:
            return 400, json_error("UnsupportedOperationException", "asymmetric keys do not rotate")
        return 200, json.dumps({"KeyRotationEnabled": k["rotation"]})
    if op == "GetKeyPolicy":
        stmts = [{"Sid": "root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % acct()},
                  "Action": "kms:*", "Resource": "*"}]
        if k["public"]:
            stmts.append({"Sid": "anyone", "Effect": "Allow", "Principal": "*", "Action": "kms:Verify", "Resource": "*"})
        return 200, json.dumps({"Policy": json.dumps({"Version": "2012-10-17", "Statement": stmts}),
                                "PolicyName": "default"})
    return 400, json_error("UnknownOperationException", op)


def config_svc(op, req, region):
    recs = [{"name": "default", "roleARN": "arn:aws:iam::%s:role/config" % acct(),
             "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True, "resourceTypes": []}}] \
        if region == "us-east-1" else []
    if op == "DescribeConfigurationRecorders":
        return 200, json.dumps({"ConfigurationRecorders": recs})
    if op == "DescribeConfigurationRecorderStatus":
        return 200, json.dumps({"ConfigurationRecordersStatus": [
            {"name": r["name"], "recording": True, "lastStatus": "SUCCESS", "lastStartTime": 1700000000}
            for r in recs]})
    return 400, json_error("UnknownOperationException", op)


FILTERS = [
    ("unauthorized-api", '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
     "UnauthorizedAPICalls"),
    ("console-no-mfa", '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
     "ConsoleSigninWithoutMFA"),
    ("root-usage", '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
                   '$.eventType != "AwsServiceEvent" }', "RootAccountUsage"),
]


def logs(op, req, region):
    if op == "DescribeMetricFilters":
        if req.get("logGroupName") != "trail-logs" or region != "us-east-1":
            return 200, json.dumps({"metricFilters": []})
        chunk, nxt = page(FILTERS, req.get("nextToken"), 2)
        out = {"metricFilters": [{"filterName": n, "filterPattern": pat, "logGroupName": "trail-logs",
                                  "creationTime": 1700000000000,
                                  "metricTransformations": [{"metricName": m, "metricNamespace": "CISBenchmark",
                                                             "metricValue": "1"}]} for n, pat, m in chunk]}
        if nxt:
            out["nextToken"] = "f%d" % nxt if False else str(nxt)
        return 200, json.dumps(out)
    return 400, json_error("UnknownOperationException", op)


def json11(svc, target, body, region):
    try:
        req = json.loads(body or b"{}")
    except ValueError:
        return 400, json_error("SerializationException", "bad JSON")
    op = target.rpartition(".")[2]
    if storm(svc + "/" + op):
        return 400, json_error("ThrottlingException", "Rate exceeded")
    if svc == "cloudtrail" and target.startswith("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."):
        return cloudtrail(op, req, region)
    if svc == "kms" and target.startswith("TrentService."):
        return kms(op, req, region)
    if svc == "config" and target.startswith("StarlingDoveService."):
        return config_svc(op, req, region)
    if svc == "logs" and target.startswith("Logs_20140328."):
        return logs(op, req, region)
    return 400, json_error("UnknownOperationException", "no such target " + target)


# ---------------------------------------------------------------- REST-JSON (Lambda, EKS, GuardDuty)

def lambda_svc(path, q, region):
    fn = {"legacy-py": {"FunctionName": "legacy-py", "FunctionArn": region_arn("lambda", region, "function:legacy-py"),
                        "Runtime": "python2.7", "Role": "arn:aws:iam::%s:role/legacy" % acct(),
                        "Handler": "app.handler", "CodeSize": 1024, "Timeout": 30, "MemorySize": 128,
                        "LastModified": "2021-05-01T10:00:00.000+0000", "Version": "$LATEST",
                        "Environment": {"Variables": {"DB_PASSWORD": "hunter2-lambda-secret", "STAGE": "prod"}},
                        "TracingConfig": {"Mode": "PassThrough"}, "PackageType": "Zip",
                        "Architectures": ["x86_64"]},
          "api-handler": {"FunctionName": "api-handler",
                          "FunctionArn": region_arn("lambda", region, "function:api-handler"),
                          "Runtime": "python3.12", "Role": "arn:aws:iam::%s:role/api" % acct(),
                          "Handler": "api.main", "Timeout": 10, "MemorySize": 512,
                          "LastModified": "2025-05-01T10:00:00.000+0000",
                          "KMSKeyArn": region_arn("kms", region, "key/11111111-1111-1111-1111-111111111111"),
                          "VpcConfig": {"SubnetIds": ["subnet-01"], "SecurityGroupIds": ["sg-00000000000000003"],
                                        "VpcId": "vpc-0000000000000001a"},
                          "TracingConfig": {"Mode": "Active"}, "PackageType": "Zip", "Architectures": ["arm64"]}}
    if region != "us-east-1":
        fn = {}
    if path == "/2015-03-31/functions/":
        names = sorted(fn)
        chunk, nxt = page(names, q.get("Marker"), 1)
        out = {"Functions": [fn[n] for n in chunk]}
        if nxt:
            out["NextMarker"] = str(nxt)
        return 200, json.dumps(out)
    m = re.fullmatch(r"/(2015-03-31|2021-10-31)/functions/([^/]+)/(policy|url)", path)
    if not m or urllib.parse.unquote(m.group(2)) not in fn:
        return 404, json_error("ResourceNotFoundException", "Function not found")
    name = urllib.parse.unquote(m.group(2))
    if m.group(3) == "policy" and m.group(1) == "2015-03-31":
        if name != "legacy-py":
            return 404, json_error("ResourceNotFoundException", "The resource you requested does not exist.")
        doc = {"Version": "2012-10-17", "Id": "default", "Statement": [
            {"Sid": "public-invoke", "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunctionUrl",
             "Resource": fn[name]["FunctionArn"], "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}}]}
        return 200, json.dumps({"Policy": json.dumps(doc), "RevisionId": "r1"})
    if m.group(3) == "url" and m.group(1) == "2021-10-31":
        if name != "legacy-py":
            return 404, json_error("ResourceNotFoundException", "The resource you requested does not exist.")
        return 200, json.dumps({"FunctionUrl": "https://abcdefghijklmnop.lambda-url.%s.on.aws/" % region,
                                "FunctionArn": fn[name]["FunctionArn"], "AuthType": "NONE",
                                "CreationTime": "2021-05-01T10:00:00.000Z"})
    return 404, json_error("ResourceNotFoundException", "no such path")


def eks(path, q, region):
    clusters = {
        "prod": {"name": "prod", "arn": region_arn("eks", region, "cluster/prod"), "createdAt": 1672531200.5,
                 "version": "1.26", "endpoint": "https://PROD.gr7.%s.eks.amazonaws.com" % region,
                 "roleArn": "arn:aws:iam::%s:role/eks" % acct(),
                 "resourcesVpcConfig": {"subnetIds": ["subnet-01"], "securityGroupIds": [],
                                        "clusterSecurityGroupId": "sg-00000000000000009",
                                        "vpcId": "vpc-0000000000000001a", "endpointPublicAccess": True,
                                        "endpointPrivateAccess": False, "publicAccessCidrs": ["0.0.0.0/0"]},
                 "logging": {"clusterLogging": [{"types": ["api", "audit", "authenticator", "controllerManager",
                                                           "scheduler"], "enabled": False}]},
                 "status": "ACTIVE", "platformVersion": "eks.5", "tags": {"env": "prod"}},
        "dev": {"name": "dev", "arn": region_arn("eks", region, "cluster/dev"), "createdAt": 1704067200,
                "version": "1.30", "endpoint": "https://DEV.gr7.%s.eks.amazonaws.com" % region,
                "roleArn": "arn:aws:iam::%s:role/eks" % acct(),
                "resourcesVpcConfig": {"subnetIds": ["subnet-01"], "securityGroupIds": [],
                                       "vpcId": "vpc-0000000000000001a", "endpointPublicAccess": False,
                                       "endpointPrivateAccess": True, "publicAccessCidrs": []},
                "logging": {"clusterLogging": [{"types": ["api", "audit", "authenticator", "controllerManager",
                                                          "scheduler"], "enabled": True}]},
                "encryptionConfig": [{"resources": ["secrets"], "provider": {
                    "keyArn": region_arn("kms", region, "key/11111111-1111-1111-1111-111111111111")}}],
                "status": "ACTIVE", "platformVersion": "eks.2"}}
    if region != "us-east-1":
        clusters = {}
    if path == "/clusters":
        names = sorted(clusters)
        chunk, nxt = page(names, q.get("nextToken"), 1)
        out = {"clusters": chunk}
        if nxt:
            out["nextToken"] = str(nxt)
        return 200, json.dumps(out)
    m = re.fullmatch(r"/clusters/([^/]+)", path)
    if m and m.group(1) == "prod" and fault("truncated-json"):
        return 200, json.dumps({"cluster": clusters["prod"]})[:90]
    if m and m.group(1) in clusters:
        return 200, json.dumps({"cluster": clusters[m.group(1)]})
    return 404, json_error("ResourceNotFoundException", "No cluster found")


def guardduty(path, q, region):
    dets = ["12abc34d567e8fa901bc2d34e56789f0"] if region == "us-east-1" else []
    if path == "/detector":
        return 200, json.dumps({"detectorIds": dets})
    m = re.fullmatch(r"/detector/([0-9a-f]+)", path)
    if m and m.group(1) in dets:
        return 200, json.dumps({"createdAt": "2023-01-01T00:00:00.000Z", "findingPublishingFrequency": "SIX_HOURS",
                                "serviceRole": "arn:aws:iam::%s:role/aws-service-role/guardduty" % acct(),
                                "status": "ENABLED", "updatedAt": "2023-01-01T00:00:00.000Z"})
    return 404, json.dumps({"message": "The request is rejected because the input detectorId is not owned by the current account.", "__type": "BadRequestException"})


def securityhub(path, q, region):
    if path != "/accounts":
        return 404, json_error("ResourceNotFoundException", "no such path")
    if region == "us-east-1":
        return 401, json.dumps({"Code": "InvalidAccessException", "Message": "Account %s is not subscribed to AWS "
                                "Security Hub" % acct()})
    return 200, json.dumps({"HubArn": region_arn("securityhub", region, "hub/default"),
                            "SubscribedAt": "2024-02-01T00:00:00.000Z", "AutoEnableControls": True})


def access_analyzer(path, q, region):
    if path != "/analyzer":
        return 404, json_error("ResourceNotFoundException", "no such path")
    items = [{"arn": region_arn("access-analyzer", region, "analyzer/account-analyzer"), "name": "account-analyzer",
              "type": "ACCOUNT", "status": "ACTIVE", "createdAt": "2024-01-01T00:00:00Z"}] if region == "us-east-1" else []
    return 200, json.dumps({"analyzers": items})


def efs(path, q, region):
    if path != "/2015-02-01/file-systems":
        return 404, json_error("FileSystemNotFound", "no such path")
    fss = [{"OwnerId": acct(), "FileSystemId": "fs-0123456789abcdef0", "Name": "shared-home", "Encrypted": False,
            "FileSystemArn": region_arn("elasticfilesystem", region, "file-system/fs-0123456789abcdef0"),
            "CreationTime": 1700000000.0, "LifeCycleState": "available", "PerformanceMode": "generalPurpose",
            "ThroughputMode": "bursting", "Tags": [{"Key": "Name", "Value": "shared-home"}]},
           {"OwnerId": acct(), "FileSystemId": "fs-0fedcba9876543210", "Name": "ml-data", "Encrypted": True,
            "KmsKeyId": region_arn("kms", region, "key/11111111-1111-1111-1111-111111111111"),
            "FileSystemArn": region_arn("elasticfilesystem", region, "file-system/fs-0fedcba9876543210"),
            "CreationTime": 1710000000, "LifeCycleState": "available", "PerformanceMode": "generalPurpose",
            "ThroughputMode": "elastic", "Tags": []}] if region == "us-east-1" else []
    chunk, nxt = page(fss, q.get("Marker"), 1)
    out = {"FileSystems": chunk}
    if nxt:
        out["NextMarker"] = str(nxt)
    return 200, json.dumps(out)


def rest_json(svc, path, query, region):
    q = {k: v[0] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}
    if storm(svc + "/" + path):
        return 429, json_error("TooManyRequestsException", "Rate exceeded")
    if svc == "lambda":
        return lambda_svc(path, q, region)
    if svc == "eks":
        return eks(path, q, region)
    if svc == "guardduty":
        return guardduty(path, q, region)
    if svc == "securityhub":
        return securityhub(path, q, region)
    if svc == "access-analyzer":
        return access_analyzer(path, q, region)
    if svc == "elasticfilesystem":
        return efs(path, q, region)
    return 404, json_error("UnknownService", svc)


# ---------------------------------------------------------------- query XML (RDS, CloudWatch)

RDSNS = 'xmlns="http://rds.amazonaws.com/doc/2014-10-31/"'


def rds(action, p, region):
    def wrap(inner):
        return "<%sResponse %s><%sResult>%s</%sResult><ResponseMetadata><RequestId>r</RequestId>" \
               "</ResponseMetadata></%sResponse>" % (action, RDSNS, action, inner, action, action)
    dbs = [("erp-legacy", "mysql", "5.7.44", True, False, 0, False, None),
           ("orders", "postgres", "16.3", False, True, 7, True, region_arn("kms", region, "key/11111111-1111-1111-1111-111111111111"))] \
        if region == "us-east-1" else []
    if action == "DescribeDBInstances":
        if fault("truncated-xml"):
            return 200, wrap("<DBInstances><DBInstance><DBInstanceIdentifier>erp-le")[:120]
        chunk, nxt = page(dbs, p.get("Marker"), 1)
        items = ""
        for ident, eng, ver, public, enc, backup, prot, key in chunk:
            items += ("<DBInstance><DBInstanceIdentifier>%s</DBInstanceIdentifier><DBInstanceClass>db.t3.medium"
                      "</DBInstanceClass><Engine>%s</Engine><EngineVersion>%s</EngineVersion><DBInstanceStatus>"
                      "available</DBInstanceStatus><Endpoint><Address>%s.abc.%s.rds.amazonaws.com</Address><Port>3306"
                      "</Port></Endpoint><PubliclyAccessible>%s</PubliclyAccessible><StorageEncrypted>%s"
                      "</StorageEncrypted>%s<MultiAZ>false</MultiAZ><BackupRetentionPeriod>%d</BackupRetentionPeriod>"
                      "<DeletionProtection>%s</DeletionProtection><AutoMinorVersionUpgrade>true"
                      "</AutoMinorVersionUpgrade><IAMDatabaseAuthenticationEnabled>false"
                      "</IAMDatabaseAuthenticationEnabled><VpcSecurityGroups><VpcSecurityGroupMembership>"
                      "<VpcSecurityGroupId>sg-00000000000000003</VpcSecurityGroupId><Status>active</Status>"
                      "</VpcSecurityGroupMembership></VpcSecurityGroups><DBSubnetGroup><DBSubnetGroupName>default"
                      "</DBSubnetGroupName><VpcId>vpc-0000000000000001a</VpcId></DBSubnetGroup>"
                      "<InstanceCreateTime>2020-02-02T10:00:00.000Z</InstanceCreateTime><DBInstanceArn>%s"
                      "</DBInstanceArn><TagList><Tag><Key>team</Key><Value>erp</Value></Tag></TagList></DBInstance>"
                      % (ident, eng, ver, ident, region, str(public).lower(), str(enc).lower(),
                         "<KmsKeyId>%s</KmsKeyId>" % key if key else "", backup, str(prot).lower(),
                         region_arn("rds", region, "db:" + ident)))
        mk = "<Marker>%d</Marker>" % nxt if nxt else ""
        return 200, wrap("<DBInstances>%s</DBInstances>%s" % (items, mk))
    snaps = [("erp-manual-1", "erp-legacy", False, ["all"]), ("orders-manual-1", "orders", True, ["444455556666"])] \
        if region == "us-east-1" else []
    if action == "DescribeDBSnapshots":
        if p.get("SnapshotType") != "manual":
            return 400, xml_error_query("InvalidParameterValue", "expected SnapshotType=manual")
        items = "".join("<DBSnapshot><DBSnapshotIdentifier>%s</DBSnapshotIdentifier><DBInstanceIdentifier>%s"
                        "</DBInstanceIdentifier><SnapshotCreateTime>2024-01-01T00:00:00.000Z</SnapshotCreateTime>"
                        "<Engine>mysql</Engine><Status>available</Status><SnapshotType>manual</SnapshotType>"
                        "<Encrypted>%s</Encrypted>%s<DBSnapshotArn>%s</DBSnapshotArn></DBSnapshot>"
                        % (sid, db, str(enc).lower(),
                           "<KmsKeyId>%s</KmsKeyId>" % region_arn("kms", region, "key/k") if enc else "",
                           region_arn("rds", region, "snapshot:" + sid)) for sid, db, enc, _ in snaps)
        return 200, wrap("<DBSnapshots>%s</DBSnapshots>" % items)
    if action == "DescribeDBSnapshotAttributes":
        s = next((s for s in snaps if s[0] == p.get("DBSnapshotIdentifier")), None)
        if not s:
            return 404, xml_error_query("DBSnapshotNotFound", "not found")
        vals = "".join("<AttributeValue>%s</AttributeValue>" % v for v in s[3])
        return 200, wrap("<DBSnapshotAttributesResult><DBSnapshotIdentifier>%s</DBSnapshotIdentifier>"
                         "<DBSnapshotAttributes><DBSnapshotAttribute><AttributeName>restore</AttributeName>"
                         "<AttributeValues>%s</AttributeValues></DBSnapshotAttribute></DBSnapshotAttributes>"
                         "</DBSnapshotAttributesResult>" % (s[0], vals))
    return 400, xml_error_query("InvalidAction", "unknown")


def cloudwatch(action, p, region):
    if action == "DescribeAlarmsForMetric":
        alarms = {"UnauthorizedAPICalls": ["arn:aws:sns:us-east-1:%s:security" % acct()],
                  "ConsoleSigninWithoutMFA": ["arn:aws:sns:us-east-1:%s:security" % acct()],
                  "RootAccountUsage": []}
        acts = alarms.get(p.get("MetricName"))
        items = ""
        if acts is not None and p.get("Namespace") == "CISBenchmark":
            items = ("<member><AlarmName>%s-alarm</AlarmName><ActionsEnabled>true</ActionsEnabled><AlarmActions>%s"
                     "</AlarmActions><StateValue>OK</StateValue><MetricName>%s</MetricName><Namespace>CISBenchmark"
                     "</Namespace></member>" % (p["MetricName"], members(acts), p["MetricName"]))
        return 200, iam_wrap(action, "<MetricAlarms>%s</MetricAlarms>" % items,
                             "http://monitoring.amazonaws.com/doc/2010-08-01/")
    return 400, xml_error_query("InvalidAction", "unknown")


def ec2_more(action, p, region, ns):
    if action == "DescribeFlowLogs":
        return 200, ("<DescribeFlowLogsResponse %s><requestId>r</requestId><flowLogSet><item><flowLogId>fl-01"
                     "</flowLogId><flowLogStatus>ACTIVE</flowLogStatus><resourceId>vpc-0000000000000001a</resourceId>"
                     "<trafficType>ALL</trafficType><logDestinationType>cloud-watch-logs</logDestinationType>"
                     "<logGroupName>vpc-flow</logGroupName><deliverLogsStatus>SUCCESS</deliverLogsStatus></item>"
                     "</flowLogSet></DescribeFlowLogsResponse>" % ns)
    if action == "DescribeVpcs":
        items = "".join("<item><vpcId>%s</vpcId><ownerId>%s</ownerId><state>available</state><cidrBlock>%s</cidrBlock>"
                        "<isDefault>%s</isDefault><tagSet><item><key>Name</key><value>%s</value></item></tagSet></item>"
                        % (v, acct(), cidr, d, name) for v, cidr, d, name in
                        (("vpc-0000000000000001a", "10.0.0.0/16", "false", "main"),
                         ("vpc-0000000000000002b", "172.31.0.0/16", "true", "default")))
        return 200, "<DescribeVpcsResponse %s><requestId>r</requestId><vpcSet>%s</vpcSet></DescribeVpcsResponse>" % (ns, items)
    if action == "DescribeNetworkAcls":
        def entry(num, proto, action_, egress, cidr, lo=None, hi=None):
            pr = "<portRange><from>%d</from><to>%d</to></portRange>" % (lo, hi) if lo is not None else ""
            return ("<item><ruleNumber>%d</ruleNumber><protocol>%s</protocol><ruleAction>%s</ruleAction>"
                    "<egress>%s</egress><cidrBlock>%s</cidrBlock>%s</item>" % (num, proto, action_, egress, cidr, pr))
        open_acl = entry(100, "6", "allow", "false", "0.0.0.0/0", 22, 22) + entry(32767, "-1", "deny", "false", "0.0.0.0/0")
        closed = entry(100, "6", "allow", "false", "10.0.0.0/8", 22, 22) + entry(110, "6", "allow", "false", "0.0.0.0/0", 443, 443)
        items = ("<item><networkAclId>acl-0000000000000001a</networkAclId><vpcId>vpc-0000000000000001a</vpcId>"
                 "<default>true</default><entrySet>%s</entrySet><associationSet><item><subnetId>subnet-01</subnetId>"
                 "</item></associationSet><tagSet/><ownerId>%s</ownerId></item>"
                 "<item><networkAclId>acl-0000000000000002b</networkAclId><vpcId>vpc-0000000000000001a</vpcId>"
                 "<default>false</default><entrySet>%s</entrySet><associationSet/><tagSet/><ownerId>%s</ownerId></item>"
                 % (open_acl, acct(), closed, acct()))
        return 200, ("<DescribeNetworkAclsResponse %s><requestId>r</requestId><networkAclSet>%s</networkAclSet>"
                     "</DescribeNetworkAclsResponse>" % (ns, items))
    if action == "GetEbsEncryptionByDefault":
        return 200, ("<GetEbsEncryptionByDefaultResponse %s><requestId>r</requestId><ebsEncryptionByDefault>%s"
                     "</ebsEncryptionByDefault></GetEbsEncryptionByDefaultResponse>"
                     % (ns, "true" if region == "eu-west-1" else "false"))
    if action == "GetEbsDefaultKmsKeyId":
        return 200, ("<GetEbsDefaultKmsKeyIdResponse %s><requestId>r</requestId><kmsKeyId>alias/aws/ebs</kmsKeyId>"
                     "</GetEbsDefaultKmsKeyIdResponse>" % ns)
    return None


CRED_REPORT_COLS = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
                    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
                    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
                    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
                    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
                    "cert_2_active,cert_2_last_rotated")


def iam_more(action, p):
    import base64
    if action == "GenerateCredentialReport":
        state = "STARTED" if bump("credreport-" + acct()) == 1 else "COMPLETE"
        return 200, iam_wrap(action, "<State>%s</State><Description>report</Description>" % state)
    if action == "GetCredentialReport":
        rows = [CRED_REPORT_COLS,
                "<root_account>,arn:aws:iam::%s:root,2019-01-01T00:00:00+00:00,not_supported,2026-01-10T09:00:00+00:00,"
                "not_supported,not_supported,true,true,2019-06-01T00:00:00+00:00,2025-12-01T00:00:00+00:00,us-east-1,"
                "s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A" % acct(),
                "alice,arn:aws:iam::%s:user/alice,2020-01-01T00:00:00+00:00,true,2026-01-01T00:00:00+00:00,"
                "2020-01-01T00:00:00+00:00,N/A,true,true,2020-01-03T00:00:00+00:00,2026-02-01T00:00:00+00:00,"
                "us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A" % acct()]
        content = base64.b64encode(("\n".join(rows) + "\n").encode()).decode()
        return 200, iam_wrap(action, "<Content>%s</Content><ReportFormat>text/csv</ReportFormat>"
                                     "<GeneratedTime>2026-01-15T00:00:00Z</GeneratedTime>" % content)
    if action == "ListServerCertificates":
        chunk, nxt = page([("legacy-www", "2019-01-01T00:00:00Z", "2020-01-01T00:00:00Z"),
                           ("api-2030", "2025-01-01T00:00:00Z", "2030-01-01T00:00:00Z")], p.get("Marker"), 1)
        items = ["<Path>/</Path><ServerCertificateName>%s</ServerCertificateName><ServerCertificateId>ASCA%s"
                 "</ServerCertificateId><Arn>arn:aws:iam::%s:server-certificate/%s</Arn><UploadDate>%s</UploadDate>"
                 "<Expiration>%s</Expiration>" % (n, n.upper().replace("-", ""), acct(), n, up, ex)
                 for n, up, ex in chunk]
        trunc = "<IsTruncated>true</IsTruncated><Marker>%d</Marker>" % nxt if nxt else "<IsTruncated>false</IsTruncated>"
        return 200, iam_wrap(action, "<ServerCertificateMetadataList>%s</ServerCertificateMetadataList>%s"
                             % (members(items), trunc))
    if action == "ListEntitiesForPolicy":
        if p.get("PolicyArn") != "arn:aws:iam::aws:policy/AWSSupportAccess":
            return 400, xml_error_query("InvalidInput", "unexpected policy")
        return 200, iam_wrap(action, "<PolicyRoles/><PolicyUsers>%s</PolicyUsers><PolicyGroups/>"
                                     "<IsTruncated>false</IsTruncated>"
                             % members(["<UserName>alice</UserName><UserId>AIDAALICE0000000001</UserId>"]))
    if action == "GetAccountSummary":
        entries = "".join("<entry><key>%s</key><value>%d</value></entry>" % kv for kv in
                          (("Users", 3), ("AccountMFAEnabled", 1), ("AccountAccessKeysPresent", 1), ("Roles", 1)))
        return 200, iam_wrap(action, "<SummaryMap>%s</SummaryMap>" % entries)
    if action == "ListVirtualMFADevices":
        item = ("<SerialNumber>arn:aws:iam::%s:mfa/root-account-mfa-device</SerialNumber><User><Arn>"
                "arn:aws:iam::%s:root</Arn><UserId>%s</UserId><CreateDate>2019-01-01T00:00:00Z</CreateDate></User>"
                "<EnableDate>2019-01-02T00:00:00Z</EnableDate>" % (acct(), acct(), acct()))
        return 200, iam_wrap(action, "<VirtualMFADevices>%s</VirtualMFADevices><IsTruncated>false</IsTruncated>"
                             % members([item]))
    return None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body, ctype="text/xml"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", "req")
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        why = verify(self, body)
        url = urllib.parse.urlsplit(self.path)
        if why:
            log("SIGFAIL %s %s %s" % (self.command, url.path, why))
            return self.reply(403, xml_error_query("SignatureDoesNotMatch", why))
        svc, region = self.signed_service, self.signed_region
        hooked = aws_mock_org.intercept(self, svc, region, body, url)
        if hooked:
            return self.reply(*hooked)
        if svc == "s3":
            status, out = s3(self.command, url.path, url.query)
            log("OK s3 %s %s %s %d" % (self.command, url.path, url.query, status))
            return self.reply(status, out, "application/json" if out.startswith("{") else "application/xml")
        hit = aws_mock_services.answer(svc, region, self.headers, body, acct(), log)
        if hit:
            log("OK %s %s %s %d" % (svc, region, hit[3], hit[0]))
            return self.reply(hit[0], hit[1], hit[2])
        target = self.headers.get("X-Amz-Target")
        if target is not None:
            status, out = json11(svc, target, body, region)
            log("OK %s %s %s %d" % (svc, region, target.rpartition(".")[2], status))
            return self.reply(status, out, "application/x-amz-json-1.1")
        if svc in ("lambda", "eks", "guardduty", "securityhub", "access-analyzer", "elasticfilesystem"):
            status, out = rest_json(svc, url.path, url.query, region)
            log("OK %s %s GET %s %s %d" % (svc, region, url.path, url.query, status))
            return self.reply(status, out, "application/json")
        p = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
        action = p.get("Action", "")
        if storm(svc + "/" + action):
            status, out = 400, xml_error_query("Throttling", "Rate exceeded")
            if svc == "ec2":
                status, out = 503, xml_error_ec2("RequestLimitExceeded", "Request limit exceeded.")
            log("OK %s %s %s %d" % (svc, region, action, status))
            return self.reply(status, out)
        if svc == "rds":
            status, out = rds(action, p, region)
        elif svc == "monitoring":
            status, out = cloudwatch(action, p, region)
        elif svc == "sts":
            status, out = sts(action, p)
        elif svc == "ec2":
            status, out = ec2(action, p, region)
        elif svc == "iam":
            status, out = iam(action, p)
        else:
            status, out = 400, xml_error_query("UnknownService", svc)
        log("OK %s %s %s %d" % (svc, region, action, status))
        self.reply(status, out)

    do_GET = handle_any
    do_POST = handle_any
    do_PUT = handle_any


def main():
    global ARGS, LOG
    ap = argparse.ArgumentParser()
    for a in ("--cert", "--key", "--port-file", "--log", "--akid", "--secret"):
        ap.add_argument(a, required=True)
    ap.add_argument("--token")
    ap.add_argument("--fault", help="comma-separated: stall, storm, bad-xml, truncated-json, truncated-xml")
    ap.add_argument("--external-id", help="AssumeRole must carry this ExternalId")
    ap.add_argument("--deny-accounts", help="comma-separated accounts whose role cannot be assumed")
    aws_mock_org.bind(sys.modules[__name__], ap)
    ARGS = ap.parse_args()
    if ARGS.secret == "-":
        import os
        ARGS.secret = os.environ["AWS_MOCK_SECRET"]
    LOG = open(ARGS.log, "a")
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(ARGS.cert, ARGS.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(ARGS.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(ARGS.port_file + ".tmp", ARGS.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
