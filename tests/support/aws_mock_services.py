"""aws_mock_services.py - the services of tests/integration/aws_services.sh inside aws_mock.py.

Answers, after aws_mock.py has verified the request's SigV4 signature, in the
wire shapes of the AWS API references:
  SNS, ELBv2 (elasticloadbalancing), IAM groups / SAML / OIDC  query protocol, XML
  EC2 DescribeSnapshots/Images and their attributes           EC2 XML
  SQS                                                          JSON 1.0 (AmazonSQS.*, x-amz-json-1.0)
  Secrets Manager, ACM                                         JSON 1.1
with pagination on every list (SNS/SQS/Secrets/ACM NextToken, ELBv2
Marker/NextMarker, IAM Marker/IsTruncated, EC2 nextToken).

The environment variable AWS_MOCK_SERVICES (comma-separated) selects what it serves:
  (unset)       an account with none of these resources (so the other aws_*.sh
                tests see the inventory they always saw)
  estate        the resources below, in us-east-1 (eu-west-1 stays empty)
  deny-sns      sns:ListTopics is refused (AuthorizationError)
  deny-policy   secretsmanager:GetResourcePolicy is refused for db-master
  deny-groups   iam:ListGroups is refused (AccessDenied)
  bad-acm       acm:DescribeCertificate of the legacy certificate answers truncated JSON
  bad-elb       elasticloadbalancing:DescribeListeners of public-web answers malformed XML
  hostile       answers a broken or malicious endpoint could give (us-east-1; see hostile()),
                which take precedence over the estate's
answer() returns None for any call that is not one of these, so aws_mock.py
answers it. Test code: trusts its caller.
"""
import json
import os
import time
from xml.sax.saxutils import escape

MODE = set(filter(None, os.environ.get("AWS_MOCK_SERVICES", "").split(",")))
NOW = time.time()
DAY = 86400


def on(name):
    return name in MODE


def estate(region):
    return on("estate") and region == "us-east-1"


def page(items, token, size):
    """items[start:start+size] and the next token ("p<n>"), or None on the last page."""
    start = int(token[1:]) if token and token.startswith("p") and token[1:].isdigit() else 0
    chunk = items[start:start + size]
    return chunk, ("p%d" % (start + size) if start + size < len(items) else None)


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def query_doc(action, ns, inner):
    return ('<%sResponse xmlns="%s"><%sResult>%s</%sResult><ResponseMetadata><RequestId>'
            "5f1d2c3b-0000-4000-8000-000000000001</RequestId></ResponseMetadata></%sResponse>"
            % (action, ns, action, inner, action, action))


def query_error(ns, code, msg):
    return ('<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>'
            "<RequestId>5f1d2c3b-0000-4000-8000-000000000002</RequestId></ErrorResponse>" % (ns, code, escape(msg)))


def members(items):
    return "".join("<member>%s</member>" % i for i in items)


def pol(statements):
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, separators=(",", ":"))


# ---------------------------------------------------------------- SNS (query)

SNS_NS = "http://sns.amazonaws.com/doc/2010-03-31/"


def topics(acct):
    arn = "arn:aws:sns:us-east-1:%s:" % acct
    public = pol([{"Sid": "open", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "SNS:Publish",
                   "Resource": arn + "alerts-public"}])
    owner_only = pol([{"Sid": "owner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % acct},
                       "Action": ["SNS:Publish", "SNS:Subscribe"], "Resource": arn + "orders-events"}])
    return [
        {"name": "alerts-public", "policy": public, "kms": None, "confirmed": 2},
        {"name": "orders-events", "policy": owner_only, "kms": "alias/orders-sns", "confirmed": 5},
        {"name": "billing.fifo", "policy": owner_only.replace("orders-events", "billing.fifo"), "kms": "arn:aws:kms:us-east-1:%s:key/"
                                                             "1234abcd-12ab-34cd-56ef-1234567890ab" % acct,
         "confirmed": 0, "fifo": True},
    ]


def sns(action, p, region, acct):
    if action == "ListTopics":
        if on("deny-sns"):
            return 403, query_error(SNS_NS, "AuthorizationError",
                                    "User: arn:aws:iam::%s:user/scanner is not authorized to perform: "
                                    "SNS:ListTopics on resource: arn:aws:sns:%s:%s:*" % (acct, region, acct))
        items = topics(acct) if estate(region) else []
        chunk, nxt = page(items, p.get("NextToken"), 2)
        out = members("<TopicArn>arn:aws:sns:%s:%s:%s</TopicArn>" % (region, acct, t["name"]) for t in chunk)
        tok = "<NextToken>%s</NextToken>" % nxt if nxt else ""
        return 200, query_doc(action, SNS_NS, "<Topics>%s</Topics>%s" % (out, tok))
    if action == "GetTopicAttributes":
        name = p.get("TopicArn", "").rpartition(":")[2]
        t = next((t for t in topics(acct) if t["name"] == name), None) if estate(region) else None
        if not t:
            return 404, query_error(SNS_NS, "NotFound", "Topic does not exist")
        attrs = [("Owner", acct), ("Policy", t["policy"]), ("TopicArn", p["TopicArn"]),
                 ("DisplayName", name.split(".")[0]), ("SubscriptionsConfirmed", str(t["confirmed"])),
                 ("SubscriptionsPending", "0"), ("SubscriptionsDeleted", "0"),
                 ("EffectiveDeliveryPolicy", '{"http":{"defaultHealthyRetryPolicy":{"numRetries":3}}}')]
        if t["kms"]:
            attrs.append(("KmsMasterKeyId", t["kms"]))
        if t.get("fifo"):
            attrs += [("FifoTopic", "true"), ("ContentBasedDeduplication", "false")]
        entries = "".join("<entry><key>%s</key><value>%s</value></entry>" % (k, escape(v, {'"': "&quot;"}))
                          for k, v in attrs)
        return 200, query_doc(action, SNS_NS, "<Attributes>%s</Attributes>" % entries)
    return 400, query_error(SNS_NS, "InvalidAction", "unknown action " + action)


# ---------------------------------------------------------------- SQS (JSON 1.0)

def queues(acct):
    url = "https://sqs.us-east-1.amazonaws.com/%s/" % acct
    arn = "arn:aws:sqs:us-east-1:%s:" % acct
    cross = pol([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                  "Action": "sqs:SendMessage", "Resource": arn + "partner-inbox"}])
    public = pol([{"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": arn + "jobs-open"}])
    sns_only = pol([{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                     "Resource": arn + "orders-queue",
                     "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:%s:orders-events" % acct}}}])
    return [
        {"name": "jobs-open", "url": url + "jobs-open", "Policy": public, "SqsManagedSseEnabled": "false"},
        {"name": "orders-queue", "url": url + "orders-queue", "Policy": sns_only,
         "KmsMasterKeyId": "alias/orders-sqs", "KmsDataKeyReusePeriodSeconds": "300",
         "RedrivePolicy": '{"deadLetterTargetArn":"%sorders-dlq","maxReceiveCount":5}' % arn},
        {"name": "partner-inbox", "url": url + "partner-inbox", "Policy": cross, "SqsManagedSseEnabled": "true"},
    ]


def sqs(op, req, region, acct, ctype):
    if ctype != "application/x-amz-json-1.0":
        return 400, json.dumps({"__type": "com.amazonaws.sqs#InvalidParameterValue",
                                "message": "SQS speaks AWS JSON 1.0 here"})
    if op == "ListQueues":
        if req.get("NextToken") and "MaxResults" not in req:
            return 400, json.dumps({"__type": "com.amazonaws.sqs#InvalidParameterValue",
                                    "message": "MaxResults is required with NextToken"})
        # "gone" was deleted between ListQueues and GetQueueAttributes (QueueDoesNotExist)
        items = queues(acct) + [{"url": "https://sqs.us-east-1.amazonaws.com/%s/gone" % acct}] if estate(region) else []
        chunk, nxt = page(items, req.get("NextToken"), 2)
        out = {"QueueUrls": [q["url"] for q in chunk]} if chunk else {}
        if nxt:
            out["NextToken"] = nxt
        return 200, json.dumps(out)
    if op == "GetQueueAttributes":
        if req.get("AttributeNames") != ["All"]:
            return 400, json.dumps({"__type": "com.amazonaws.sqs#InvalidAttributeName", "message": "expected All"})
        q = next((q for q in queues(acct) if q["url"] == req.get("QueueUrl")), None) if estate(region) else None
        if not q:
            return 400, json.dumps({"__type": "com.amazonaws.sqs#QueueDoesNotExist",
                                    "message": "The specified queue does not exist."})
        attrs = {"QueueArn": "arn:aws:sqs:us-east-1:%s:%s" % (acct, q["name"]), "VisibilityTimeout": "30",
                 "MessageRetentionPeriod": "345600", "DelaySeconds": "0", "CreatedTimestamp": "1700000000",
                 "LastModifiedTimestamp": "1700000500", "ApproximateNumberOfMessages": "0"}
        attrs.update({k: v for k, v in q.items() if k[0].isupper()})
        return 200, json.dumps({"Attributes": attrs})
    return 400, json.dumps({"__type": "com.amazonaws.sqs#UnsupportedOperation", "message": op})


# ---------------------------------------------------------------- Secrets Manager (JSON 1.1)

def secrets(acct):
    arn = "arn:aws:secretsmanager:us-east-1:%s:secret:" % acct
    return [
        {"ARN": arn + "db-master-AbCdEf", "Name": "db-master", "Description": "orders database master",
         "KmsKeyId": "arn:aws:kms:us-east-1:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab" % acct,
         "RotationEnabled": True, "RotationLambdaARN": "arn:aws:lambda:us-east-1:%s:function:rotate-db" % acct,
         "RotationRules": {"AutomaticallyAfterDays": 30}, "LastRotatedDate": NOW - 12 * DAY,
         "LastChangedDate": NOW - 12 * DAY, "LastAccessedDate": int(NOW // DAY * DAY), "NextRotationDate": NOW + 18 * DAY,
         "Tags": [{"Key": "team", "Value": "orders"}], "SecretVersionsToStages": {"v1": ["AWSCURRENT"]},
         "CreatedDate": 1600000000.5},
        {"ARN": arn + "legacy-api-key-XyZ123", "Name": "legacy-api-key", "RotationEnabled": False,
         "LastChangedDate": NOW - 400 * DAY, "CreatedDate": 1500000000, "Tags": []},
        {"ARN": arn + "stale-rotation-QwErTy", "Name": "stale-rotation", "RotationEnabled": True,
         "RotationLambdaARN": "arn:aws:lambda:us-east-1:%s:function:rotate-db" % acct,
         "RotationRules": {"AutomaticallyAfterDays": 30}, "LastRotatedDate": NOW - 200 * DAY,
         "CreatedDate": 1550000000},
    ]


SECRET_POLICIES = {
    "db-master": pol([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"},
                       "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]),
    "legacy-api-key": pol([{"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue",
                            "Resource": "*"}]),
}


def secretsmanager(op, req, region, acct, log):
    if op in ("GetSecretValue", "BatchGetSecretValue"):
        log("SECRETVALUE %s" % op)
        return 400, json.dumps({"__type": "AccessDeniedException", "Message": "the scanner must not read values"})
    if op == "ListSecrets":
        if req.get("MaxResults") is None:
            return 400, json.dumps({"__type": "InvalidParameterException", "Message": "expected MaxResults"})
        items = secrets(acct) if estate(region) else []
        chunk, nxt = page(items, req.get("NextToken"), 1)
        out = {"SecretList": chunk}
        if nxt:
            out["NextToken"] = nxt
        return 200, json.dumps(out)
    if op == "GetResourcePolicy":
        s = next((s for s in secrets(acct) if s["ARN"] == req.get("SecretId")), None) if estate(region) else None
        if not s:
            return 400, json.dumps({"__type": "ResourceNotFoundException", "Message": "no such secret"})
        if on("deny-policy") and s["Name"] == "db-master":
            return 400, json.dumps({"__type": "AccessDeniedException",
                                    "Message": "User is not authorized to perform: secretsmanager:GetResourcePolicy"})
        out = {"ARN": s["ARN"], "Name": s["Name"]}
        if s["Name"] in SECRET_POLICIES:
            out["ResourcePolicy"] = SECRET_POLICIES[s["Name"]]
        return 200, json.dumps(out)
    return 400, json.dumps({"__type": "UnknownOperationException", "Message": op})


# ---------------------------------------------------------------- ACM (JSON 1.1)

def certs(acct):
    arn = "arn:aws:acm:us-east-1:%s:certificate/" % acct
    lb = "arn:aws:elasticloadbalancing:us-east-1:%s:loadbalancer/app/public-web/50dc6c495c0c9188" % acct
    return [
        {"CertificateArn": arn + "11111111-aaaa-4bbb-8ccc-000000000001", "DomainName": "www.example.com",
         "SubjectAlternativeNames": ["www.example.com", "example.com"], "Type": "AMAZON_ISSUED", "Status": "ISSUED",
         "KeyAlgorithm": "RSA_2048", "SignatureAlgorithm": "SHA256WITHRSA", "Issuer": "Amazon",
         "NotBefore": NOW - 60 * DAY, "NotAfter": NOW + 300 * DAY, "InUseBy": [lb], "RenewalEligibility": "ELIGIBLE",
         "RenewalSummary": {"RenewalStatus": "SUCCESS", "UpdatedAt": NOW - 60 * DAY},
         "Options": {"CertificateTransparencyLoggingPreference": "ENABLED"}, "CreatedAt": NOW - 400 * DAY,
         "IssuedAt": NOW - 60 * DAY},
        {"CertificateArn": arn + "22222222-aaaa-4bbb-8ccc-000000000002", "DomainName": "legacy.example.com",
         "SubjectAlternativeNames": ["legacy.example.com"], "Type": "IMPORTED", "Status": "ISSUED",
         "KeyAlgorithm": "RSA_1024", "SignatureAlgorithm": "SHA1WITHRSA", "Issuer": "Example Legacy CA",
         "NotBefore": NOW - 700 * DAY, "NotAfter": NOW + 10 * DAY, "InUseBy": [lb],
         "RenewalEligibility": "INELIGIBLE", "ImportedAt": NOW - 700 * DAY, "CreatedAt": NOW - 700 * DAY,
         "Options": {"CertificateTransparencyLoggingPreference": "DISABLED"}},
        {"CertificateArn": arn + "33333333-aaaa-4bbb-8ccc-000000000003", "DomainName": "old.example.com",
         "SubjectAlternativeNames": ["old.example.com"], "Type": "AMAZON_ISSUED", "Status": "EXPIRED",
         "KeyAlgorithm": "EC_prime256v1", "SignatureAlgorithm": "SHA256WITHECDSA", "Issuer": "Amazon",
         "NotBefore": NOW - 420 * DAY, "NotAfter": NOW - 25 * DAY, "InUseBy": [], "RenewalEligibility": "INELIGIBLE",
         "CreatedAt": NOW - 420 * DAY},
    ]


def acm(op, req, region, acct):
    if op == "ListCertificates":
        # without Includes.keyTypes ACM lists RSA_2048 certificates only
        types = (req.get("Includes") or {}).get("keyTypes") or ["RSA_2048"]
        items = [c for c in certs(acct) if c["KeyAlgorithm"] in types] if estate(region) else []
        chunk, nxt = page(items, req.get("NextToken"), 2)
        out = {"CertificateSummaryList": [{"CertificateArn": c["CertificateArn"], "DomainName": c["DomainName"],
                                           "KeyAlgorithm": c["KeyAlgorithm"], "Status": c["Status"],
                                           "Type": c["Type"], "InUse": bool(c["InUseBy"]),
                                           "NotAfter": c["NotAfter"]} for c in chunk]}
        if nxt:
            out["NextToken"] = nxt
        return 200, json.dumps(out)
    if op == "DescribeCertificate":
        c = next((c for c in certs(acct) if c["CertificateArn"] == req.get("CertificateArn")), None) \
            if estate(region) else None
        if not c:
            return 400, json.dumps({"__type": "ResourceNotFoundException", "message": "no such certificate"})
        text = json.dumps({"Certificate": c})
        if on("bad-acm") and c["DomainName"] == "legacy.example.com":
            return 200, text[:len(text) // 2]
        return 200, text
    return 400, json.dumps({"__type": "UnknownOperationException", "message": op})


# ---------------------------------------------------------------- ELBv2 (query)

ELB_NS = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"


def lbs(acct):
    pre = "arn:aws:elasticloadbalancing:us-east-1:%s:" % acct
    cert = "arn:aws:acm:us-east-1:%s:certificate/22222222-aaaa-4bbb-8ccc-000000000002" % acct
    return [
        {"name": "public-web", "arn": pre + "loadbalancer/app/public-web/50dc6c495c0c9188", "type": "application",
         "scheme": "internet-facing", "sg": ["sg-00000000000000002"],
         "listeners": [("HTTP", 80, None, None, "forward"), ("HTTPS", 443, "ELBSecurityPolicy-2016-08", cert,
                                                            "forward")],
         "attrs": {"access_logs.s3.enabled": "false", "deletion_protection.enabled": "false",
                   "routing.http.drop_invalid_header_fields.enabled": "false",
                   "routing.http.desync_mitigation_mode": "defensive"}},
        {"name": "shop", "arn": pre + "loadbalancer/app/shop/6d0ecf831eec9f09", "type": "application",
         "scheme": "internet-facing", "sg": ["sg-00000000000000003"],
         "listeners": [("HTTP", 80, None, None, "redirect"), ("HTTPS", 443, "ELBSecurityPolicy-TLS13-1-2-2021-06",
                                                             cert.replace("2222", "1111"), "forward")],
         "attrs": {"access_logs.s3.enabled": "true", "access_logs.s3.bucket": "acme-logs",
                   "access_logs.s3.prefix": "alb/shop", "deletion_protection.enabled": "true",
                   "routing.http.drop_invalid_header_fields.enabled": "true"}},
        {"name": "internal-tcp", "arn": pre + "loadbalancer/net/internal-tcp/73e2d6bc24d8a067", "type": "network",
         "scheme": "internal", "sg": [], "listeners": [("TCP", 5432, None, None, "forward")],
         "attrs": {"access_logs.s3.enabled": "false", "deletion_protection.enabled": "false",
                   "load_balancing.cross_zone.enabled": "false"}},
    ]


def listener_xml(lb, i, proto, port, policy, cert, action):
    larn = lb["arn"].replace(":loadbalancer/", ":listener/") + "/%016x" % (i + 1)
    tg = lb["arn"].rpartition(":")[0] + ":targetgroup/%s-tg/%016x" % (lb["name"], i + 7)
    if action == "redirect":
        act = ("<member><Type>redirect</Type><Order>1</Order><RedirectConfig><Protocol>HTTPS</Protocol>"
               "<Port>443</Port><Host>#{host}</Host><Path>/#{path}</Path><Query>#{query}</Query>"
               "<StatusCode>HTTP_301</StatusCode></RedirectConfig></member>")
    else:
        act = ("<member><Type>forward</Type><Order>1</Order><TargetGroupArn>%s</TargetGroupArn><ForwardConfig>"
               "<TargetGroups><member><TargetGroupArn>%s</TargetGroupArn><Weight>1</Weight></member></TargetGroups>"
               "</ForwardConfig></member>" % (tg, tg))
    tls = ("<SslPolicy>%s</SslPolicy><Certificates><member><CertificateArn>%s</CertificateArn></member>"
           "</Certificates>" % (policy, cert)) if policy else ""
    return ("<LoadBalancerArn>%s</LoadBalancerArn><Protocol>%s</Protocol><Port>%d</Port><ListenerArn>%s"
            "</ListenerArn>%s<DefaultActions>%s</DefaultActions>" % (lb["arn"], proto, port, larn, tls, act))


def elbv2(action, p, region, acct):
    items = lbs(acct) if estate(region) else []
    if action == "DescribeLoadBalancers":
        chunk, nxt = page(items, p.get("Marker"), 1)
        out = members("<LoadBalancerArn>%s</LoadBalancerArn><DNSName>%s-1234567890.us-east-1.elb.amazonaws.com"
                      "</DNSName><CanonicalHostedZoneId>Z35SXDOTRQ7X7K</CanonicalHostedZoneId><CreatedTime>"
                      "2024-03-25T21:26:12.920Z</CreatedTime><LoadBalancerName>%s</LoadBalancerName><Scheme>%s"
                      "</Scheme><VpcId>vpc-0000000000000001a</VpcId><State><Code>active</Code></State><Type>%s</Type>"
                      "<AvailabilityZones><member><ZoneName>us-east-1a</ZoneName><SubnetId>subnet-01</SubnetId>"
                      "</member></AvailabilityZones><SecurityGroups>%s</SecurityGroups><IpAddressType>ipv4"
                      "</IpAddressType>" % (lb["arn"], lb["name"], lb["name"], lb["scheme"], lb["type"],
                                            members(lb["sg"])) for lb in chunk)
        tok = "<NextMarker>%s</NextMarker>" % nxt if nxt else ""
        return 200, query_doc(action, ELB_NS, "<LoadBalancers>%s</LoadBalancers>%s" % (out, tok))
    lb = next((x for x in items if x["arn"] == p.get("LoadBalancerArn")), None)
    if not lb:
        return 400, query_error(ELB_NS, "LoadBalancerNotFound", "One or more load balancers not found")
    if action == "DescribeListeners":
        if on("bad-elb") and lb["name"] == "public-web":
            return 200, query_doc(action, ELB_NS, "<Listeners><member><Port>80</Port></member>")[:-40] + "<<"
        chunk, nxt = page(list(enumerate(lb["listeners"])), p.get("Marker"), 1)
        out = members(listener_xml(lb, i, *li) for i, li in chunk)
        tok = "<NextMarker>%s</NextMarker>" % nxt if nxt else ""
        return 200, query_doc(action, ELB_NS, "<Listeners>%s</Listeners>%s" % (out, tok))
    if action == "DescribeLoadBalancerAttributes":
        out = members("<Value>%s</Value><Key>%s</Key>" % (v, k) for k, v in sorted(lb["attrs"].items()))
        return 200, query_doc(action, ELB_NS, "<Attributes>%s</Attributes>" % out)
    return 400, query_error(ELB_NS, "InvalidAction", "unknown action " + action)


# ---------------------------------------------------------------- IAM groups and providers (query)

IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"


def groups(acct):
    star = pol([{"Effect": "Allow", "Action": "*", "Resource": "*"}])
    read = pol([{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                 "Resource": ["arn:aws:s3:::acme-logs", "arn:aws:s3:::acme-logs/*"]}])
    return [
        {"name": "admins", "id": "AGPAADMINS0000000001", "users": ["alice"],
         "attached": [("AdministratorAccess", ADMIN_ARN)], "inline": {}},
        {"name": "ops", "id": "AGPAOPS0000000000001", "users": ["bob", "carol", "dave"], "attached": [],
         "inline": {"break-glass": star}},
        {"name": "readers", "id": "AGPAREADERS000000001", "users": ["carol"],
         "attached": [("ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess")], "inline": {"logs": read}},
    ]


def iam(action, p, acct):
    items = groups(acct) if on("estate") else []
    g = next((g for g in items if g["name"] == p.get("GroupName")), None)
    trunc_false = "<IsTruncated>false</IsTruncated>"

    def trunc(nxt):
        return "<IsTruncated>true</IsTruncated><Marker>%s</Marker>" % nxt if nxt else trunc_false
    if action == "ListGroups":
        if on("deny-groups"):
            return 403, query_error(IAM_NS, "AccessDenied", "User: arn:aws:iam::%s:user/scanner is not authorized "
                                                            "to perform: iam:ListGroups" % acct)
        chunk, nxt = page(items, p.get("Marker"), 2)
        out = members("<Path>/</Path><GroupName>%s</GroupName><GroupId>%s</GroupId><Arn>arn:aws:iam::%s:group/%s"
                      "</Arn><CreateDate>2021-06-01T00:00:00Z</CreateDate>" % (g["name"], g["id"], acct, g["name"])
                      for g in chunk)
        return 200, query_doc(action, IAM_NS, "<Groups>%s</Groups>%s" % (out, trunc(nxt)))
    if action in ("GetGroup", "ListAttachedGroupPolicies", "ListGroupPolicies", "GetGroupPolicy") and not g:
        return 404, query_error(IAM_NS, "NoSuchEntity", "The group with name %s cannot be found." % p.get("GroupName"))
    if action == "GetGroup":
        chunk, nxt = page(g["users"], p.get("Marker"), 2)
        users = members("<Path>/</Path><UserName>%s</UserName><UserId>AIDA%s</UserId><Arn>arn:aws:iam::%s:user/%s"
                        "</Arn><CreateDate>2020-01-01T00:00:00Z</CreateDate>" % (u, u.upper().ljust(17, "0"), acct, u)
                        for u in chunk)
        grp = ("<Path>/</Path><GroupName>%s</GroupName><GroupId>%s</GroupId><Arn>arn:aws:iam::%s:group/%s</Arn>"
               "<CreateDate>2021-06-01T00:00:00Z</CreateDate>" % (g["name"], g["id"], acct, g["name"]))
        return 200, query_doc(action, IAM_NS, "<Group>%s</Group><Users>%s</Users>%s" % (grp, users, trunc(nxt)))
    if action == "ListAttachedGroupPolicies":
        out = members("<PolicyName>%s</PolicyName><PolicyArn>%s</PolicyArn>" % a for a in g["attached"])
        return 200, query_doc(action, IAM_NS, "<AttachedPolicies>%s</AttachedPolicies>%s" % (out, trunc_false))
    if action == "ListGroupPolicies":
        return 200, query_doc(action, IAM_NS, "<PolicyNames>%s</PolicyNames>%s" % (members(g["inline"]), trunc_false))
    if action == "GetGroupPolicy":
        import urllib.parse
        doc = g["inline"].get(p.get("PolicyName"))
        if doc is None:
            return 404, query_error(IAM_NS, "NoSuchEntity", "no such policy")
        return 200, query_doc(action, IAM_NS, "<GroupName>%s</GroupName><PolicyName>%s</PolicyName><PolicyDocument>"
                                              "%s</PolicyDocument>" % (g["name"], p["PolicyName"],
                                                                       urllib.parse.quote(doc, safe="")))
    if action == "ListSAMLProviders":
        provs = [("okta", NOW + 300 * DAY), ("old-adfs", NOW - 30 * DAY)] if on("estate") else []
        out = members("<Arn>arn:aws:iam::%s:saml-provider/%s</Arn><ValidUntil>%s</ValidUntil><CreateDate>"
                      "2019-03-11T13:11:02Z</CreateDate>" % (acct, n, iso(v)) for n, v in provs)
        return 200, query_doc(action, IAM_NS, "<SAMLProviderList>%s</SAMLProviderList>" % out)
    oidc = {"token.actions.githubusercontent.com": (["sts.amazonaws.com"], ["6938fd4d98bab03faadb97b34396831e3780aea1"]),
            "oidc.example.com/auth": ([], [])} if on("estate") else {}
    if action == "ListOpenIDConnectProviders":
        out = members("<Arn>arn:aws:iam::%s:oidc-provider/%s</Arn>" % (acct, u) for u in oidc)
        return 200, query_doc(action, IAM_NS, "<OpenIDConnectProviderList>%s</OpenIDConnectProviderList>" % out)
    if action == "GetOpenIDConnectProvider":
        url = p.get("OpenIDConnectProviderArn", "").partition(":oidc-provider/")[2]
        if url not in oidc:
            return 404, query_error(IAM_NS, "NoSuchEntity", "no such provider")
        ids, tps = oidc[url]
        return 200, query_doc(action, IAM_NS, "<ThumbprintList>%s</ThumbprintList><CreateDate>2023-04-01T00:00:00Z"
                                              "</CreateDate><ClientIDList>%s</ClientIDList><Url>%s</Url>"
                              % (members(tps), members(ids), url))
    return None


# ---------------------------------------------------------------- EC2 snapshots and images

EC2_NS = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"'


def snapshots():
    return [("snap-0000000000000000a", "vol-0000000000000000a", False, ["all"], "nightly web root"),
            ("snap-0000000000000000b", "vol-0000000000000000b", True, ["444455556666"], "db backup shared with DR"),
            ("snap-0000000000000000c", "vol-0000000000000000c", True, [], "private and encrypted")]


def images():
    return [("ami-0000000000000000a", "web-golden-2024", ["all"], "snap-0000000000000000a", False),
            ("ami-0000000000000000b", "db-base-2025", [], "snap-0000000000000000c", True)]


def perm_items(who):
    return "".join("<item><group>all</group></item>" if w == "all" else "<item><userId>%s</userId></item>" % w
                   for w in who)


def ec2(action, p, region, acct):
    if action in ("DescribeSnapshots", "DescribeImages") and p.get("Owner.1") != "self":
        return 400, ('<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>InvalidParameter</Code>'
                     "<Message>the scanner asks for its own (Owner.1=self)</Message></Error></Errors>"
                     "<RequestID>r</RequestID></Response>")
    if action == "DescribeSnapshots":
        chunk, nxt = page(snapshots() if estate(region) else [], p.get("NextToken"), 2)
        out = "".join("<item><snapshotId>%s</snapshotId><volumeId>%s</volumeId><status>completed</status><startTime>"
                      "2025-01-0%dT03:00:00.000Z</startTime><progress>100%%</progress><ownerId>%s</ownerId>"
                      "<volumeSize>8</volumeSize><description>%s</description><encrypted>%s</encrypted>%s"
                      "<storageTier>standard</storageTier><tagSet><item><key>Name</key><value>%s</value></item>"
                      "</tagSet></item>" % (sid, vol, i + 1, acct, desc, str(enc).lower(),
                                            "<kmsKeyId>arn:aws:kms:us-east-1:%s:key/1234abcd-12ab-34cd-56ef-"
                                            "1234567890ab</kmsKeyId>" % acct if enc else "", sid[-1] + "-snap")
                      for i, (sid, vol, enc, _, desc) in enumerate(chunk))
        tok = "<nextToken>%s</nextToken>" % nxt if nxt else ""
        return 200, ("<DescribeSnapshotsResponse %s><requestId>r</requestId><snapshotSet>%s</snapshotSet>%s"
                     "</DescribeSnapshotsResponse>" % (EC2_NS, out, tok))
    if action == "DescribeSnapshotAttribute":
        s = next((s for s in snapshots() if s[0] == p.get("SnapshotId")), None) if estate(region) else None
        if not s or p.get("Attribute") != "createVolumePermission":
            return 400, ('<Response><Errors><Error><Code>InvalidSnapshot.NotFound</Code><Message>no such snapshot'
                         "</Message></Error></Errors><RequestID>r</RequestID></Response>")
        return 200, ("<DescribeSnapshotAttributeResponse %s><requestId>r</requestId><snapshotId>%s</snapshotId>"
                     "<createVolumePermission>%s</createVolumePermission></DescribeSnapshotAttributeResponse>"
                     % (EC2_NS, s[0], perm_items(s[3])))
    if action == "DescribeImages":
        chunk, nxt = page(images() if estate(region) else [], p.get("NextToken"), 1)
        out = "".join("<item><imageId>%s</imageId><imageLocation>%s/%s</imageLocation><imageState>available"
                      "</imageState><imageOwnerId>%s</imageOwnerId><creationDate>2024-11-01T10:00:00.000Z"
                      "</creationDate><isPublic>%s</isPublic><architecture>x86_64</architecture><imageType>machine"
                      "</imageType><name>%s</name><rootDeviceType>ebs</rootDeviceType><rootDeviceName>/dev/xvda"
                      "</rootDeviceName><blockDeviceMapping><item><deviceName>/dev/xvda</deviceName><ebs><snapshotId>"
                      "%s</snapshotId><volumeSize>8</volumeSize><deleteOnTermination>true</deleteOnTermination>"
                      "<volumeType>gp3</volumeType><encrypted>%s</encrypted></ebs></item></blockDeviceMapping>"
                      "<virtualizationType>hvm</virtualizationType><platformDetails>Linux/UNIX</platformDetails>"
                      "<imdsSupport>v2.0</imdsSupport><tagSet/></item>"
                      % (iid, acct, name, acct, str("all" in who).lower(), name, snap, str(enc).lower())
                      for iid, name, who, snap, enc in chunk)
        tok = "<nextToken>%s</nextToken>" % nxt if nxt else ""
        return 200, ("<DescribeImagesResponse %s><requestId>r</requestId><imagesSet>%s</imagesSet>%s"
                     "</DescribeImagesResponse>" % (EC2_NS, out, tok))
    if action == "DescribeImageAttribute":
        im = next((x for x in images() if x[0] == p.get("ImageId")), None) if estate(region) else None
        if not im or p.get("Attribute") != "launchPermission":
            return 400, ('<Response><Errors><Error><Code>InvalidAMIID.NotFound</Code><Message>no such image'
                         "</Message></Error></Errors><RequestID>r</RequestID></Response>")
        return 200, ("<DescribeImageAttributeResponse %s><requestId>r</requestId><imageId>%s</imageId>"
                     "<launchPermission>%s</launchPermission></DescribeImageAttributeResponse>"
                     % (EC2_NS, im[0], perm_items(im[2])))
    return None


# ---------------------------------------------------------------- hostile answers

LONG = "x" * 400


def hostile(svc, op, req, region, acct):
    """Well-formed replies with values the plugin must refuse or leave out, or None."""
    if not on("hostile") or region != "us-east-1":
        return None
    if svc == "sns" and op == "ListTopics":
        arns = ["arn:aws:sns:us-east-1:%s:weird" % acct, "not-an-arn", "arn:aws:sns:us-east-1:%s:%s" % (acct, LONG)]
        return 200, query_doc(op, SNS_NS, "<Topics>%s</Topics>" % members("<TopicArn>%s</TopicArn>" % a for a in arns))
    if svc == "sns" and op == "GetTopicAttributes":
        attrs = [("Policy", "[1,2,3]"), ("SubscriptionsConfirmed", "-5"), ("SubscriptionsPending", "1" * 40),
                 ("KmsMasterKeyId", ""), ("Owner", acct)]
        return 200, query_doc(op, SNS_NS, "<Attributes>%s</Attributes>" % "".join(
            "<entry><key>%s</key><value>%s</value></entry>" % kv for kv in attrs))
    if svc == "sqs" and op == "ListQueues":
        # the same token on every page: a client that follows it never ends
        return 200, json.dumps({"QueueUrls": ["https://sqs.us-east-1.amazonaws.com/%s/junk" % acct, 42, None,
                                              "file:///etc/passwd"], "NextToken": "same"})
    if svc == "sqs" and op == "GetQueueAttributes":
        return 200, json.dumps({"Attributes": {"Policy": "{not json", "VisibilityTimeout": "abc",
                                               "MessageRetentionPeriod": "-1", "CreatedTimestamp": "9" * 14,
                                               "QueueArn": 5, "SqsManagedSseEnabled": "yes",
                                               "RedrivePolicy": "[]"}})
    if svc == "acm" and op == "DescribeCertificate":
        return 200, json.dumps({"Certificate": "nope"})
    if svc == "iam" and op == "GetGroupPolicy":
        return 200, query_doc(op, IAM_NS, "<GroupName>ops</GroupName><PolicyName>x</PolicyName><PolicyDocument>"
                                          "%7B%22Statement%22%3A%ZZ</PolicyDocument>")
    if svc == "ec2" and op == "DescribeSnapshots":
        return 200, ("<DescribeSnapshotsResponse %s><requestId>r</requestId><snapshotSet><item><snapshotId>snap-%s"
                     "</snapshotId><encrypted>maybe</encrypted></item><item><snapshotId>snap-0000000000000000c"
                     "</snapshotId><volumeSize>-3x</volumeSize><encrypted>true</encrypted></item></snapshotSet>"
                     "</DescribeSnapshotsResponse>" % (EC2_NS, LONG))
    return None


# ---------------------------------------------------------------- dispatch

def answer(svc, region, headers, body, acct, log):
    """(status, body, content type, operation) for a call of these services, or None."""
    target = headers.get("X-Amz-Target")
    ctype = (headers.get("Content-Type") or "").split(";")[0].strip()
    if target is not None:
        try:
            req = json.loads(body or b"{}")
        except ValueError:
            return None
        op = target.rpartition(".")[2]
        bad = hostile(svc, op, req, region, acct)
        if bad:
            return bad[0], bad[1], "application/x-amz-json-1.%d" % (0 if svc == "sqs" else 1), op
        if svc == "sqs" and target.startswith("AmazonSQS."):
            status, out = sqs(op, req, region, acct, ctype)
            return status, out, "application/x-amz-json-1.0", op
        if svc == "secretsmanager" and target.startswith("secretsmanager."):
            status, out = secretsmanager(op, req, region, acct, log)
            return status, out, "application/x-amz-json-1.1", op
        if svc == "acm" and target.startswith("CertificateManager."):
            status, out = acm(op, req, region, acct)
            return status, out, "application/x-amz-json-1.1", op
        return None
    if svc not in ("sns", "elasticloadbalancing", "iam", "ec2"):
        return None
    import urllib.parse
    p = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
    action = p.get("Action", "")
    bad = hostile(svc, action, p, region, acct)
    if bad:
        return bad[0], bad[1], "text/xml", action
    if svc == "sns":
        res = sns(action, p, region, acct)
    elif svc == "elasticloadbalancing":
        res = elbv2(action, p, region, acct)
    elif svc == "iam":
        res = iam(action, p, acct)
    else:
        res = ec2(action, p, region, acct)
    return None if res is None else (res[0], res[1], "text/xml", action)
