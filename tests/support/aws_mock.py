#!/usr/bin/env python3
"""aws_mock.py - a local HTTPS stand-in for AWS, for tests/integration/aws_*.sh.

Answers STS, EC2, IAM (query protocol, XML) and S3 (REST-XML) in the wire
formats of the AWS API references, with pagination (EC2 NextToken, IAM
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

ACCOUNT = "123456789012"
LOCK = threading.Lock()
COUNTS = {}
ARGS = None
LOG = None


def log(line):
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
    if akid != ARGS.akid:
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
    if ARGS.token:
        if handler.headers.get("X-Amz-Security-Token") != ARGS.token:
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
    k = ("AWS4" + ARGS.secret).encode()
    for part in (date, region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    want = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, sig):
        return "signature mismatch"
    handler.signed_service = service
    handler.signed_region = region
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
    if action == "GetCallerIdentity":
        return 200, iam_wrap(action, "<Arn>arn:aws:iam::%s:user/scanner</Arn><UserId>AIDASCANNER</UserId>"
                                     "<Account>%s</Account>" % (ACCOUNT, ACCOUNT),
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
                    "</item></tagSet></item>" % (ACCOUNT, g["id"], g["name"], g["desc"], perms))
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
                     % (ns, ACCOUNT, inst("i-0000000000000000a", "optional", "198.51.100.17"),
                        inst("i-0000000000000000b", "required", None)))
    if action == "DescribeVolumes":
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
    user = next((u for u in USERS if u["UserName"] == p.get("UserName")), None)
    if action == "ListUsers":
        if bump("iam-throttle") == 1:
            return 400, xml_error_query("Throttling", "Rate exceeded")
        chunk, nxt = page(USERS, p.get("Marker"), 2)
        items = ["<Path>%s</Path><UserName>%s</UserName><UserId>%s</UserId><Arn>arn:aws:iam::%s:user%s%s</Arn>"
                 "<CreateDate>%s</CreateDate>%s" % (u["Path"], u["UserName"], u["UserId"], ACCOUNT, u["Path"],
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
        items = ["<GroupName>%s</GroupName><Arn>arn:aws:iam::%s:group/%s</Arn>" % (g, ACCOUNT, g) for g in user["groups"]]
        return 200, iam_wrap(action, "<Groups>%s</Groups><IsTruncated>false</IsTruncated>" % members(items))
    if action == "ListRoles":
        item = ("<Path>/</Path><RoleName>vendor-support</RoleName><RoleId>AROAVENDOR0000000001</RoleId>"
                "<Arn>arn:aws:iam::%s:role/vendor-support</Arn><CreateDate>2023-01-01T00:00:00Z</CreateDate>"
                "<AssumeRolePolicyDocument>%s</AssumeRolePolicyDocument><MaxSessionDuration>3600"
                "</MaxSessionDuration>" % (ACCOUNT, url_policy(TRUST_ANY)))
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
                "<CreateDate>2022-01-01T00:00:00Z</CreateDate><UpdateDate>2023-01-01T00:00:00Z</UpdateDate>" % ACCOUNT)
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
                         '</ServerSideEncryptionConfiguration>' % (S3NS, ACCOUNT))
        return 404, xml_error_s3("ServerSideEncryptionConfigurationNotFoundError", "none")
    if sub == "versioning":
        if bump("s3-slowdown") == 1:
            return 503, xml_error_s3("SlowDown", "Please reduce your request rate.")
        if b == "acme-secure":
            return 200, '<VersioningConfiguration %s><Status>Enabled</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>' % S3NS
        return 200, '<VersioningConfiguration %s/>' % S3NS
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
        if svc == "s3":
            status, out = s3(self.command, url.path, url.query)
            log("OK s3 %s %s %s %d" % (self.command, url.path, url.query, status))
            return self.reply(status, out, "application/json" if out.startswith("{") else "application/xml")
        p = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
        action = p.get("Action", "")
        if svc == "sts":
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
