#!/usr/bin/env python3
"""estate_mock.py - tests/support/aws_mock.py serving a large generated estate, for
contrib/bench/aws_bench.sh.

    estate_mock.py --resources N [--accounts A,B,C] [--regions R1,R2,...] [aws_mock.py options...]

The estate: N resources spread over the accounts (reached through sts:AssumeRole) and regions:
per account and region, security groups, instances and volumes (EC2 query protocol, NextToken
pages of MaxResults); per account, S3 buckets (REST-XML: ListBuckets, then location, acl, policy,
policyStatus, publicAccessBlock, ownershipControls, encryption, versioning, logging, tagging per
bucket) and IAM users (ListUsers in Marker pages of 100, then the per-user calls). A fixed share
is 70% EC2 (2/7 each of groups and instances, 3/7 of volumes), 12% buckets, 18% users. Every
other call falls through to aws_mock.py's small fixed answers. Everything else (TLS, SigV4
verification, --latency-ms, the request log) is aws_mock.py's. Shapes: the EC2, S3 and IAM API
references (as aws_mock.py uses them). Test code: trusts its caller.
"""
import argparse
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests", "support"))
import aws_mock  # noqa: E402
import aws_mock_org  # noqa: E402

EST = {}  # (account, region) -> {"sg": n, "inst": n, "vol": n}; account -> {"buckets": n, "users": n}
REGIONS = []
NS = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"'
S3NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'


def plan(total, accounts, regions):
    """Split TOTAL resources over ACCOUNTS x REGIONS (the remainder goes to volumes)."""
    ec2 = total * 70 // 100
    per_cell = ec2 // (len(accounts) * len(regions))
    buckets = total * 12 // 100 // len(accounts)
    users = total * 18 // 100 // len(accounts)
    used = 0
    for a in accounts:
        EST[a] = {"buckets": buckets, "users": users}
        used += buckets + users
        for r in regions:
            sg = per_cell * 2 // 7
            inst = per_cell * 2 // 7
            EST[(a, r)] = {"sg": sg, "inst": inst, "vol": per_cell - sg - inst}
            used += per_cell
    EST[(accounts[0], regions[0])]["vol"] += total - used
    return sum(v["sg"] + v["inst"] + v["vol"] for k, v in EST.items() if isinstance(k, tuple)) + \
        sum(v["buckets"] + v["users"] for k, v in EST.items() if not isinstance(k, tuple))


def paged(n, p, token_key, default):
    size = int(p.get("MaxResults") or default)
    start = int(p.get(token_key) or 0)
    end = min(n, start + size)
    return range(start, end), (end if end < n else None)


def ec2(action, p, region):
    acct = aws_mock.acct()
    cell = EST.get((acct, region))
    if action == "DescribeRegions":
        items = "".join("<item><regionName>%s</regionName><regionEndpoint>ec2.%s.amazonaws.com</regionEndpoint>"
                        "<optInStatus>opt-in-not-required</optInStatus></item>" % (r, r) for r in REGIONS)
        return 200, "<DescribeRegionsResponse %s><requestId>r</requestId><regionInfo>%s</regionInfo>" \
                    "</DescribeRegionsResponse>" % (NS, items)
    if cell is None:
        return None
    if action == "DescribeSecurityGroups":
        rng, nxt = paged(cell["sg"], p, "NextToken", 1000)
        out = "".join(
            "<item><ownerId>%s</ownerId><groupId>sg-%017x</groupId><groupName>bench-%d</groupName>"
            "<groupDescription>bench</groupDescription><vpcId>vpc-0000000000000001a</vpcId><ipPermissions>"
            "<item><ipProtocol>tcp</ipProtocol><fromPort>%d</fromPort><toPort>%d</toPort><groups/><ipRanges><item>"
            "<cidrIp>%s</cidrIp></item></ipRanges><ipv6Ranges/><prefixListIds/></item></ipPermissions>"
            "<ipPermissionsEgress/><tagSet/></item>"
            % (acct, i, i, 22 if i % 5 == 0 else 443, 22 if i % 5 == 0 else 443,
               "0.0.0.0/0" if i % 3 == 0 else "10.0.0.0/8") for i in rng)
        tok = "<nextToken>%d</nextToken>" % nxt if nxt else ""
        return 200, "<DescribeSecurityGroupsResponse %s><requestId>r</requestId><securityGroupInfo>%s" \
                    "</securityGroupInfo>%s</DescribeSecurityGroupsResponse>" % (NS, out, tok)
    if action == "DescribeInstances":
        rng, nxt = paged(cell["inst"], p, "NextToken", 1000)
        out = "".join(
            "<item><instanceId>i-%017x</instanceId><imageId>ami-0000000000000000a</imageId><instanceState>"
            "<code>16</code><name>running</name></instanceState><instanceType>t3.micro</instanceType>"
            "<launchTime>2025-03-01T08:00:00.000Z</launchTime><placement><availabilityZone>%sa</availabilityZone>"
            "</placement><subnetId>subnet-01</subnetId><vpcId>vpc-0000000000000001a</vpcId>"
            "<privateIpAddress>10.0.%d.%d</privateIpAddress><groupSet/><tagSet><item><key>Name</key>"
            "<value>bench-%d</value></item></tagSet><metadataOptions><state>applied</state><httpTokens>%s"
            "</httpTokens><httpEndpoint>enabled</httpEndpoint></metadataOptions></item>"
            % (i, region, (i // 250) % 250, i % 250 + 1, i, "optional" if i % 4 == 0 else "required") for i in rng)
        tok = "<nextToken>%d</nextToken>" % nxt if nxt else ""
        return 200, ("<DescribeInstancesResponse %s><requestId>r</requestId><reservationSet><item><reservationId>"
                     "r-1</reservationId><ownerId>%s</ownerId><instancesSet>%s</instancesSet></item></reservationSet>"
                     "%s</DescribeInstancesResponse>" % (NS, acct, out, tok))
    if action == "DescribeVolumes":
        rng, nxt = paged(cell["vol"], p, "NextToken", 500)
        out = "".join(
            "<item><volumeId>vol-%017x</volumeId><size>8</size><availabilityZone>%sa</availabilityZone>"
            "<status>available</status><createTime>2025-03-01T08:00:00.000Z</createTime><attachmentSet/>"
            "<volumeType>gp3</volumeType><encrypted>%s</encrypted></item>"
            % (i, region, "true" if i % 2 else "false") for i in rng)
        tok = "<nextToken>%d</nextToken>" % nxt if nxt else ""
        return 200, "<DescribeVolumesResponse %s><requestId>r</requestId><volumeSet>%s</volumeSet>%s" \
                    "</DescribeVolumesResponse>" % (NS, out, tok)
    return None


def bucket_region(name):
    return REGIONS[int(name.rsplit("-", 1)[1]) % len(REGIONS)]


def s3(path, query):
    acct = aws_mock.acct()
    parts = [x for x in path.split("/") if x]
    q = urllib.parse.parse_qs(query, keep_blank_values=True)
    if not parts:
        n = EST.get(acct, {}).get("buckets")
        if n is None:
            return None
        items = "".join("<Bucket><Name>bench-%s-%d</Name><CreationDate>2022-07-20T12:30:00.000Z</CreationDate>"
                        "</Bucket>" % (acct, i) for i in range(n))
        return 200, ("<ListAllMyBucketsResult %s><Owner><ID>owner-canonical-id</ID></Owner><Buckets>%s</Buckets>"
                     "</ListAllMyBucketsResult>" % (S3NS, items))
    b = parts[0]
    if not b.startswith("bench-"):
        return None
    sub = next(iter(q.keys()), None)
    i = int(b.rsplit("-", 1)[1])
    if sub == "location":
        r = bucket_region(b)
        return 200, '<LocationConstraint %s>%s</LocationConstraint>' % (S3NS, "" if r == "us-east-1" else r)
    if sub == "acl":
        return 200, ('<AccessControlPolicy %s><Owner><ID>owner-canonical-id</ID></Owner><AccessControlList><Grant>'
                     '<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>'
                     'owner-canonical-id</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>'
                     '</AccessControlList></AccessControlPolicy>' % S3NS)
    if sub in ("policy", "policyStatus"):
        return 404, aws_mock.xml_error_s3("NoSuchBucketPolicy", "The bucket policy does not exist")
    if sub == "publicAccessBlock":
        v = "true" if i % 3 else "false"
        return 200, ('<PublicAccessBlockConfiguration %s><BlockPublicAcls>%s</BlockPublicAcls><IgnorePublicAcls>%s'
                     '</IgnorePublicAcls><BlockPublicPolicy>%s</BlockPublicPolicy><RestrictPublicBuckets>%s'
                     '</RestrictPublicBuckets></PublicAccessBlockConfiguration>' % (S3NS, v, v, v, v))
    if sub == "ownershipControls":
        return 200, ('<OwnershipControls %s><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule>'
                     '</OwnershipControls>' % S3NS)
    if sub == "encryption":
        return 200, ('<ServerSideEncryptionConfiguration %s><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>'
                     'AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>'
                     '</ServerSideEncryptionConfiguration>' % S3NS)
    if sub == "versioning":
        return 200, '<VersioningConfiguration %s><Status>Enabled</Status></VersioningConfiguration>' % S3NS
    if sub == "logging":
        return 200, '<BucketLoggingStatus %s/>' % S3NS
    if sub == "tagging":
        return 404, aws_mock.xml_error_s3("NoSuchTagSet", "The TagSet does not exist")
    return 400, aws_mock.xml_error_s3("InvalidRequest", "unsupported subresource")


def iam(action, p):
    acct = aws_mock.acct()
    w = aws_mock.iam_wrap
    if action == "ListUsers":
        n = EST.get(acct, {}).get("users")
        if n is None:
            return None
        start = int(p.get("Marker") or 0)
        end = min(n, start + 100)
        items = ["<Path>/</Path><UserName>bench-user-%d</UserName><UserId>AIDABENCH%011d</UserId>"
                 "<Arn>arn:aws:iam::%s:user/bench-user-%d</Arn><CreateDate>2022-01-01T00:00:00Z</CreateDate>"
                 % (i, i, acct, i) for i in range(start, end)]
        trunc = "<IsTruncated>true</IsTruncated><Marker>%d</Marker>" % end if end < n \
            else "<IsTruncated>false</IsTruncated>"
        return 200, w(action, "<Users>%s</Users>%s" % (aws_mock.members(items), trunc))
    user = p.get("UserName", "")
    if not user.startswith("bench-user-") and not p.get("AccessKeyId", "").startswith("AKIABENCH"):
        return None
    i = int(user.rsplit("-", 1)[1]) if user else 0
    if action == "GetLoginProfile":
        if i % 3:
            return 404, aws_mock.xml_error_query("NoSuchEntity", "Login Profile for User cannot be found.")
        return 200, w(action, "<LoginProfile><UserName>%s</UserName><CreateDate>2022-01-01T00:00:00Z</CreateDate>"
                              "</LoginProfile>" % user)
    if action == "ListMFADevices":
        return 200, w(action, "<MFADevices/><IsTruncated>false</IsTruncated>")
    if action == "ListAccessKeys":
        item = "<UserName>%s</UserName><AccessKeyId>AKIABENCH%011d</AccessKeyId><Status>Active</Status>" \
               "<CreateDate>2022-01-03T00:00:00Z</CreateDate>" % (user, i)
        return 200, w(action, "<AccessKeyMetadata>%s</AccessKeyMetadata><IsTruncated>false</IsTruncated>"
                      % aws_mock.members([item]))
    if action == "GetAccessKeyLastUsed":
        return 200, w(action, "<UserName>x</UserName><AccessKeyLastUsed><ServiceName>N/A</ServiceName>"
                              "<Region>N/A</Region></AccessKeyLastUsed>")
    if action in ("ListAttachedUserPolicies",):
        return 200, w(action, "<AttachedPolicies/><IsTruncated>false</IsTruncated>")
    if action == "ListUserPolicies":
        return 200, w(action, "<PolicyNames/><IsTruncated>false</IsTruncated>")
    if action == "ListGroupsForUser":
        return 200, w(action, "<Groups/><IsTruncated>false</IsTruncated>")
    return 400, aws_mock.xml_error_query("InvalidAction", "unknown")


def hook(handler, svc, region, body, url):
    """aws_mock_org hook: answer the estate's calls, log them as the mock does."""
    if svc == "s3":
        r = s3(url.path, url.query)
        if r is None:
            return None
        aws_mock.log("OK s3 %s %s %s %d" % (handler.command, url.path, url.query, r[0]))
        return r[0], r[1], "application/xml"
    if svc not in ("ec2", "iam") or handler.headers.get("X-Amz-Target") is not None:
        return None
    p = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
    action = p.get("Action", "")
    r = ec2(action, p, region) if svc == "ec2" else iam(action, p)
    if r is None:
        return None
    aws_mock.log("OK %s %s %s %d" % (svc, region, action, r[0]))
    return r[0], r[1], "text/xml"


def main():
    global REGIONS
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--resources", type=int, default=10000)
    ap.add_argument("--accounts", default="111111111111,222222222222,333333333333")
    ap.add_argument("--regions", default="us-east-1,eu-west-1,us-west-2,ap-southeast-2")
    mine, rest = ap.parse_known_args()
    REGIONS = mine.regions.split(",")
    total = plan(mine.resources, mine.accounts.split(","), REGIONS)
    sys.stderr.write("estate: %d resources over %d account(s) x %d region(s)\n"
                     % (total, len(mine.accounts.split(",")), len(REGIONS)))
    aws_mock_org.add_hook(hook)
    sys.argv = [sys.argv[0]] + rest
    aws_mock.main()


if __name__ == "__main__":
    main()
