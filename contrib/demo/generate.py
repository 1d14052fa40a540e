#!/usr/bin/env python3
"""Generate contrib/demo/estate.jsonl: the demo estate of parapet.

An intentionally misconfigured multi-cloud estate of one fictional company
("acme"): two AWS accounts, one Azure subscription, one GCP project and one
Kubernetes cluster. Every resource type mixes good and bad settings so that
rules show both passes and failures. All names, ids and addresses are made
up (documentation address ranges, example account numbers).

The output is deterministic: the same script always writes the same bytes
(a fixed seed, a fixed observation time, no dictionary-order surprises).
Shapes follow docs/resources/; `--check` regenerates in memory and fails when
the committed file or the documentation is out of step.

    python3 contrib/demo/generate.py            # rewrite estate.jsonl
    python3 contrib/demo/generate.py --check    # verify, change nothing
"""

import json
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "estate.jsonl")
DOCS = os.path.join(HERE, "..", "..", "docs", "resources")

OBSERVED = "2026-11-28T10:00:00Z"
R = random.Random(20261128)

AWS_PROD, AWS_DEV = "210987654321", "345678901234"
AZ_SUB = "6f1c2a4e-8b3d-4c5e-9a7f-0d1e2f3a4b5c"
AZ_TENANT = "3e9d8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b"
GCP_PROJECT = "acme-analytics-prod"
K8S_CLUSTER = "acme-prod-eu"

records = []


def emit(uid, rtype, provider, account, region, name, data, tags=None):
    rec = {"uid": uid, "type": rtype, "provider": provider}
    if account:
        rec["account"] = account
    if region:
        rec["region"] = region
    rec["name"] = name
    if tags:
        rec["tags"] = tags
    rec["data"] = data
    rec["source"] = {"kind": "api"}
    rec["observed_at"] = OBSERVED
    records.append(rec)


def hexid(n):
    return "".join(R.choice("0123456789abcdef") for _ in range(n))


def upper_id(n):
    return "".join(R.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))


def uuid():
    return "-".join(hexid(k) for k in (8, 4, 4, 4, 12))


def date(y, m, d, hh=9, mm=30):
    return "%04d-%02d-%02dT%02d:%02d:00Z" % (y, m, d, hh, mm)


def pick_date(year_from=2021, year_to=2026):
    y = R.randint(year_from, year_to)
    m = R.randint(1, 10 if y == 2026 else 12)
    return date(y, m, R.randint(1, 28), R.randint(0, 23), R.randint(0, 59))


def aws_tags(env, team, extra=None):
    t = {"env": env, "team": team}
    if extra:
        t.update(extra)
    return t


# ---------------------------------------------------------------- AWS ----

def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def s3_buckets():
    # name, account, region, flaws
    specs = [
        ("acme-prod-logs", AWS_PROD, "us-east-1", set()),
        ("acme-prod-backups", AWS_PROD, "us-east-1", {"noversioning"}),
        ("acme-public-website", AWS_PROD, "us-east-1", {"publicacl", "nopab", "nologging"}),
        ("acme-customer-uploads", AWS_PROD, "eu-west-1", {"publicpolicy", "nopab"}),
        ("acme-data-lake-raw", AWS_PROD, "eu-west-1", {"noencryption", "nologging"}),
        ("acme-data-lake-curated", AWS_PROD, "eu-west-1", set()),
        ("acme-invoices-2019", AWS_PROD, "us-east-1", {"noencryption", "noversioning", "nologging"}),
        ("acme-terraform-state", AWS_PROD, "us-east-1", set()),
        ("acme-cloudtrail-prod", AWS_PROD, "us-east-1", set()),
        ("acme-ml-training-sets", AWS_PROD, "us-west-2", {"authenticatedread", "nologging"}),
        ("acme-marketing-assets", AWS_PROD, "us-east-1", {"publicacl", "nopab", "noencryption"}),
        ("acme-partner-exchange", AWS_PROD, "eu-west-1", {"crossaccount", "nologging"}),
        ("acme-dev-scratch", AWS_DEV, "us-east-1", {"nopab", "noencryption", "noversioning", "nologging"}),
        ("acme-dev-artifacts", AWS_DEV, "us-east-1", {"noversioning"}),
        ("acme-dev-public-demo", AWS_DEV, "us-east-1", {"publicpolicy", "publicacl", "nopab", "nologging"}),
        ("acme-dev-logs", AWS_DEV, "us-east-1", set()),
        ("acme-dev-lambda-packages", AWS_DEV, "eu-west-1", {"nologging"}),
        ("acme-qa-fixtures", AWS_DEV, "eu-west-1", {"noencryption", "nologging"}),
        ("acme-prod-athena-results", AWS_PROD, "us-east-1", {"noversioning", "nologging"}),
        ("acme-prod-static-cdn", AWS_PROD, "us-east-1", {"publicpolicy", "nologging"}),
        ("acme-security-findings", AWS_PROD, "us-east-1", set()),
        ("acme-hr-exports", AWS_PROD, "eu-west-1", {"authenticatedread", "noencryption"}),
    ]
    for name, acct, region, flaws in specs:
        owner = hexid(64)
        grants = [{"grantee": {"type": "CanonicalUser", "id": owner}, "permission": "FULL_CONTROL"}]
        if "publicacl" in flaws:
            grants.append({"grantee": {"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers"},
                           "permission": "READ"})
        if "authenticatedread" in flaws:
            grants.append({"grantee": {"type": "Group",
                                       "uri": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"},
                           "permission": "READ"})
        bucket_arn = "arn:aws:s3:::" + name
        pol = None
        if "publicpolicy" in flaws:
            pol = policy({"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                          "Resource": bucket_arn + "/*"})
        elif "crossaccount" in flaws:
            pol = policy({"Sid": "PartnerAccess", "Effect": "Allow", "Principal": {"AWS": "*"},
                          "Action": ["s3:GetObject", "s3:PutObject"], "Resource": bucket_arn + "/*",
                          "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}})
        elif name.startswith("acme-cloudtrail") or name.endswith("-logs"):
            pol = policy({"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                          "Resource": [bucket_arn, bucket_arn + "/*"],
                          "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
        public_policy = "publicpolicy" in flaws
        pab = None if "nopab" in flaws else {
            "blockPublicAcls": True, "ignorePublicAcls": True,
            "blockPublicPolicy": not public_policy, "restrictPublicBuckets": not public_policy}
        if "noencryption" in flaws:
            enc = None
        elif R.random() < 0.5:
            enc = {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"},
                              "bucketKeyEnabled": False}]}
        else:
            enc = {"rules": [{"applyServerSideEncryptionByDefault": {
                "sseAlgorithm": "aws:kms",
                "kmsMasterKeyId": "arn:aws:kms:%s:%s:key/%s" % (region, acct, uuid())},
                "bucketKeyEnabled": True}]}
        data = {
            "name": name,
            "creationDate": pick_date(2018, 2024),
            "acl": {"owner": {"id": owner}, "grants": grants},
            "policy": pol,
            "policyStatus": {"isPublic": public_policy or "crossaccount" in flaws} if pol else None,
            "publicAccessBlock": pab,
            "ownershipControls": None if grants[1:] else {"rules": [{"objectOwnership": "BucketOwnerEnforced"}]},
            "encryption": enc,
            "versioning": {"status": "Off" if "noversioning" in flaws else "Enabled", "mfaDelete": "Disabled"},
            "logging": None if "nologging" in flaws else {
                "targetBucket": "acme-prod-logs" if acct == AWS_PROD else "acme-dev-logs",
                "targetPrefix": "s3/%s/" % name},
        }
        emit(bucket_arn, "aws.s3.bucket", "aws", acct, region, name, data,
             aws_tags("prod" if acct == AWS_PROD else "dev", R.choice(["platform", "data", "web", "finance"])))


SG_IDS = {}


def rule(proto, lo, hi, cidrs=(), cidrs6=(), groups=(), desc=None):
    r = {"ipProtocol": proto}
    if proto != "-1":
        r["fromPort"], r["toPort"] = lo, hi
    r["ipRanges"] = [dict({"cidrIp": c}, **({"description": desc} if desc else {})) for c in cidrs]
    r["ipv6Ranges"] = [{"cidrIpv6": c} for c in cidrs6]
    r["userIdGroupPairs"] = [{"groupId": g} for g in groups]
    r["prefixListIds"] = []
    return r


def security_groups():
    specs = [
        # name, account, region, vpc key, ingress rules
        ("default", AWS_PROD, "us-east-1", [rule("-1", 0, 0, groups=["self"])]),
        ("web-alb", AWS_PROD, "us-east-1", [rule("tcp", 443, 443, ["0.0.0.0/0"], ["::/0"]),
                                            rule("tcp", 80, 80, ["0.0.0.0/0"], ["::/0"])]),
        ("web-servers", AWS_PROD, "us-east-1", [rule("tcp", 8080, 8080, groups=["web-alb"]),
                                                rule("tcp", 22, 22, ["0.0.0.0/0"], desc="temporary debug")]),
        ("bastion", AWS_PROD, "us-east-1", [rule("tcp", 22, 22, ["203.0.113.0/24"], desc="office VPN")]),
        ("windows-jump", AWS_PROD, "us-east-1", [rule("tcp", 3389, 3389, ["0.0.0.0/0"])]),
        ("db-postgres", AWS_PROD, "us-east-1", [rule("tcp", 5432, 5432, groups=["web-servers"])]),
        ("db-mysql-legacy", AWS_PROD, "us-east-1", [rule("tcp", 3306, 3306, ["0.0.0.0/0"])]),
        ("monitoring", AWS_PROD, "eu-west-1", [rule("tcp", 9090, 9100, ["10.20.0.0/16"])]),
        ("etl-workers", AWS_PROD, "eu-west-1", [rule("-1", 0, 0, ["0.0.0.0/0"])]),
        ("redis-cache", AWS_PROD, "eu-west-1", [rule("tcp", 6379, 6379, ["10.20.0.0/16"])]),
        ("elasticsearch", AWS_PROD, "eu-west-1", [rule("tcp", 9200, 9300, ["0.0.0.0/0"])]),
        ("eks-nodes", AWS_PROD, "eu-west-1", [rule("tcp", 1025, 65535, groups=["eks-control-plane"]),
                                              rule("tcp", 22, 22, ["10.20.0.0/16"])]),
        ("eks-control-plane", AWS_PROD, "eu-west-1", [rule("tcp", 443, 443, groups=["eks-nodes"])]),
        ("default", AWS_DEV, "us-east-1", [rule("-1", 0, 0, ["0.0.0.0/0"], ["::/0"])]),
        ("dev-ssh", AWS_DEV, "us-east-1", [rule("tcp", 22, 22, ["0.0.0.0/0"], ["::/0"])]),
        ("dev-rdp", AWS_DEV, "us-east-1", [rule("tcp", 3389, 3389, ["0.0.0.0/0"])]),
        ("dev-web", AWS_DEV, "us-east-1", [rule("tcp", 80, 80, ["0.0.0.0/0"]), rule("tcp", 443, 443, ["0.0.0.0/0"])]),
        ("dev-db", AWS_DEV, "us-east-1", [rule("tcp", 5432, 5432, ["10.30.0.0/16"])]),
        ("lambda-egress-only", AWS_DEV, "eu-west-1", []),
        ("ci-runners", AWS_DEV, "eu-west-1", [rule("tcp", 22, 22, ["198.51.100.17/32"], desc="CI controller")]),
    ]
    for name, acct, region, _ in specs:
        SG_IDS[(acct, region, name)] = "sg-" + hexid(17)
    for name, acct, region, ingress in specs:
        gid = SG_IDS[(acct, region, name)]
        vpc = "vpc-" + ("0a1b2c3d4e5f60718" if acct == AWS_PROD else "0f9e8d7c6b5a40312")
        for r in ingress:
            for pair in r["userIdGroupPairs"]:
                pair["groupId"] = gid if pair["groupId"] == "self" else SG_IDS[(acct, region, pair["groupId"])]
        data = {
            "groupId": gid, "groupName": name,
            "description": "default VPC security group" if name == "default" else "%s security group" % name,
            "vpcId": vpc, "ownerId": acct,
            "ipPermissions": ingress,
            "ipPermissionsEgress": [rule("-1", 0, 0, ["0.0.0.0/0"])],
        }
        emit("arn:aws:ec2:%s:%s:security-group/%s" % (region, acct, gid), "aws.ec2.security_group", "aws", acct,
             region, name, data, aws_tags("prod" if acct == AWS_PROD else "dev", "platform"))


INSTANCES = []


def instances_and_volumes():
    roles = ["web", "web", "web", "api", "api", "worker", "worker", "bastion", "jump", "etl", "etl", "batch",
             "legacy-erp", "ci-runner", "ci-runner", "dev-box", "dev-box", "kafka", "kafka", "grafana"]
    sg_for = {"web": "web-servers", "api": "web-servers", "worker": "etl-workers", "bastion": "bastion",
              "jump": "windows-jump", "etl": "etl-workers", "batch": "etl-workers", "legacy-erp": "db-mysql-legacy",
              "ci-runner": "ci-runners", "dev-box": "dev-ssh", "kafka": "monitoring", "grafana": "monitoring"}
    for i, role in enumerate(roles):
        acct = AWS_DEV if role in ("ci-runner", "dev-box") else AWS_PROD
        region = {"bastion": "us-east-1", "jump": "us-east-1", "web": "us-east-1", "api": "us-east-1",
                  "legacy-erp": "us-east-1", "dev-box": "us-east-1"}.get(role, "eu-west-1")
        sg_name = sg_for[role]
        if (acct, region, sg_name) not in SG_IDS:
            sg_name = "default" if (acct, region, "default") in SG_IDS else "lambda-egress-only"
        iid = "i-" + hexid(17)
        vid = "vol-" + hexid(17)
        imdsv1 = role in ("legacy-erp", "jump", "dev-box", "batch", "kafka") or i % 7 == 0
        public = role in ("bastion", "jump", "dev-box", "legacy-erp", "grafana")
        name = "%s-%02d" % (role, i + 1)
        az = region + R.choice("abc")
        data = {
            "instanceId": iid,
            "instanceType": R.choice(["t3.medium", "m6i.large", "c6i.xlarge", "r6i.large", "t3.small"]),
            "imageId": "ami-" + hexid(17),
            "state": {"name": "stopped" if role == "dev-box" and i % 2 else "running"},
            "launchTime": pick_date(2023, 2026),
            "placement": {"availabilityZone": az, "tenancy": "default"},
            "vpcId": "vpc-" + ("0a1b2c3d4e5f60718" if acct == AWS_PROD else "0f9e8d7c6b5a40312"),
            "subnetId": "subnet-" + hexid(17),
            "privateIpAddress": "10.%d.%d.%d" % (20 if acct == AWS_PROD else 30, R.randint(0, 15), R.randint(4, 250)),
            "publicIpAddress": "198.51.100.%d" % (10 + i) if public else None,
            "metadataOptions": {"httpTokens": "optional" if imdsv1 else "required", "httpEndpoint": "enabled",
                                "httpPutResponseHopLimit": 1 if imdsv1 else 2},
            "iamInstanceProfile": None if role in ("legacy-erp", "dev-box") else {
                "arn": "arn:aws:iam::%s:instance-profile/%s-profile" % (acct, role)},
            "securityGroups": [{"groupId": SG_IDS[(acct, region, sg_name)], "groupName": sg_name}],
            "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeId": vid,
                                                                        "deleteOnTermination": True}}],
            "monitoring": {"state": "enabled" if i % 3 == 0 else "disabled"},
            "ebsOptimized": True,
        }
        emit("arn:aws:ec2:%s:%s:instance/%s" % (region, acct, iid), "aws.ec2.instance", "aws", acct, region, name,
             data, aws_tags("prod" if acct == AWS_PROD else "dev", "platform", {"Name": name, "role": role}))
        INSTANCES.append((acct, region, az, iid, vid, name))
    # one boot volume per instance, plus a few detached data volumes
    for k, (acct, region, az, iid, vid, name) in enumerate(INSTANCES):
        encrypted = k % 3 != 1
        emit_volume(acct, region, az, vid, "%s-root" % name, encrypted, iid, R.choice([8, 20, 30, 50]))
    for k in range(4):
        acct, region = (AWS_PROD, "eu-west-1") if k < 2 else (AWS_DEV, "us-east-1")
        emit_volume(acct, region, region + "a", "vol-" + hexid(17), "orphaned-data-%d" % (k + 1), k == 0, None,
                    R.choice([100, 250, 500]))


def emit_volume(acct, region, az, vid, name, encrypted, instance_id, size):
    data = {
        "volumeId": vid, "size": size, "volumeType": R.choice(["gp3", "gp2", "io2"]),
        "encrypted": encrypted,
        "kmsKeyId": "arn:aws:kms:%s:%s:key/%s" % (region, acct, uuid()) if encrypted else None,
        "state": "in-use" if instance_id else "available",
        "availabilityZone": az, "createTime": pick_date(2022, 2026),
        "attachments": [{"instanceId": instance_id, "device": "/dev/xvda", "state": "attached",
                         "deleteOnTermination": True}] if instance_id else [],
        "snapshotId": None,
    }
    emit("arn:aws:ec2:%s:%s:volume/%s" % (region, acct, vid), "aws.ec2.volume", "aws", acct, region, name, data,
         aws_tags("prod" if acct == AWS_PROD else "dev", "platform", {"Name": name}))


def iam():
    users = [
        # name, console password, mfa, key ages (create date, last used or None), policies
        ("alice.admin", True, True, [(date(2026, 6, 1), date(2026, 11, 27))], ["AdministratorAccess"]),
        ("bob.dev", True, False, [(date(2023, 2, 14), date(2026, 11, 20))], ["PowerUserAccess"]),
        ("carol.finance", True, True, [], ["Billing"]),
        ("dave.contractor", True, False, [(date(2022, 8, 3), None), (date(2024, 1, 9), date(2025, 3, 2))],
         ["acme-full-access"]),
        ("svc-backup", False, False, [(date(2021, 11, 30), date(2026, 11, 28))], ["acme-backup-writer"]),
        ("svc-ci-deploy", False, False, [(date(2025, 12, 1), date(2026, 11, 28)),
                                          (date(2026, 9, 1), date(2026, 11, 28))], ["acme-full-access"]),
        ("svc-monitoring", False, False, [(date(2026, 3, 15), date(2026, 11, 28))], ["ReadOnlyAccess"]),
        ("erin.security", True, True, [], ["SecurityAudit", "ReadOnlyAccess"]),
        ("frank.legacy", True, False, [(date(2019, 5, 5), date(2020, 1, 10))], ["AdministratorAccess"]),
        ("grace.data", True, True, [(date(2026, 10, 1), date(2026, 11, 26))], ["acme-data-lake-read"]),
        ("heidi.oncall", True, True, [], ["acme-ec2-operator"]),
        ("root-break-glass", True, True, [], ["AdministratorAccess"]),
    ]
    aws_managed = {"AdministratorAccess", "PowerUserAccess", "Billing", "ReadOnlyAccess", "SecurityAudit"}
    for name, console, mfa, keys, pols in users:
        acct = AWS_PROD
        data = {
            "userName": name, "userId": "AIDA" + upper_id(17), "arn": "arn:aws:iam::%s:user/%s" % (acct, name),
            "path": "/", "createDate": pick_date(2019, 2025),
            "passwordEnabled": console,
            "passwordLastUsed": pick_date(2026, 2026) if console else None,
            "mfaDevices": [{"serialNumber": "arn:aws:iam::%s:mfa/%s" % (acct, name),
                            "enableDate": pick_date(2022, 2025)}] if mfa else [],
            "accessKeys": [{"accessKeyId": "AKIA" + upper_id(16), "status": "Active", "createDate": created,
                            "lastUsedDate": used} for created, used in keys],
            "attachedManagedPolicies": [{"policyName": p, "policyArn": ("arn:aws:iam::aws:policy/" + p) if p in
                                         aws_managed else "arn:aws:iam::%s:policy/%s" % (acct, p)} for p in pols],
            "inlinePolicies": [],
            "groups": ["developers"] if name.endswith(".dev") else [],
        }
        emit(data["arn"], "aws.iam.user", "aws", acct, None, name, data,
             {"owner": name.split(".")[0]} if "." in name else {})

    policies = [
        ("acme-full-access", policy({"Effect": "Allow", "Action": "*", "Resource": "*"}), 3),
        ("acme-legacy-ops", policy({"Effect": "Allow", "Action": "*:*", "Resource": "*"}), 1),
        ("acme-backup-writer", policy({"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"],
                                       "Resource": "arn:aws:s3:::acme-prod-backups/*"}), 1),
        ("acme-data-lake-read", policy({"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                                        "Resource": ["arn:aws:s3:::acme-data-lake-curated",
                                                     "arn:aws:s3:::acme-data-lake-curated/*"]}), 1),
        ("acme-ec2-operator", policy({"Effect": "Allow", "Action": ["ec2:Describe*", "ec2:StartInstances",
                                                                    "ec2:StopInstances", "ec2:RebootInstances"],
                                      "Resource": "*"}), 1),
        ("acme-iam-escalation", policy({"Effect": "Allow", "Action": ["iam:PassRole", "iam:CreateAccessKey",
                                                                      "iam:AttachUserPolicy"], "Resource": "*"}), 0),
        ("acme-kms-all", policy({"Effect": "Allow", "Action": "kms:*", "Resource": "*"}), 2),
        ("acme-logs-read", policy({"Effect": "Allow", "Action": ["logs:GetLogEvents", "logs:FilterLogEvents"],
                                   "Resource": "arn:aws:logs:*:%s:log-group:/acme/*" % AWS_PROD}), 2),
    ]
    for name, doc, attached in policies:
        arn = "arn:aws:iam::%s:policy/%s" % (AWS_PROD, name)
        data = {"policyName": name, "policyId": "ANPA" + upper_id(17), "arn": arn, "path": "/",
                "defaultVersionId": "v%d" % R.randint(1, 4), "attachmentCount": attached, "isAttachable": True,
                "createDate": pick_date(2020, 2025), "updateDate": pick_date(2025, 2026), "policyDocument": doc}
        emit(arn, "aws.iam.policy", "aws", AWS_PROD, None, name, data)

    roles = [
        ("ec2-web-role", {"Service": "ec2.amazonaws.com"}, ["acme-logs-read"], None),
        ("lambda-exec-orders", {"Service": "lambda.amazonaws.com"}, ["AWSLambdaBasicExecutionRole"], None),
        ("lambda-exec-admin", {"Service": "lambda.amazonaws.com"}, ["AdministratorAccess"], None),
        ("eks-cluster-role", {"Service": "eks.amazonaws.com"}, ["AmazonEKSClusterPolicy"], None),
        ("partner-readonly", {"AWS": "arn:aws:iam::444455556666:root"}, ["ReadOnlyAccess"],
         {"StringEquals": {"sts:ExternalId": "acme-partner-7731"}}),
        ("vendor-support", {"AWS": "arn:aws:iam::777788889999:root"}, ["AdministratorAccess"], None),
        ("anyone-can-assume", {"AWS": "*"}, ["acme-logs-read"], None),
        ("github-actions-deploy", {"Federated": "arn:aws:iam::%s:oidc-provider/token.actions.githubusercontent.com"
                                                % AWS_PROD}, ["acme-full-access"],
         {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}}),
        ("rds-monitoring", {"Service": "monitoring.rds.amazonaws.com"}, ["AmazonRDSEnhancedMonitoringRole"], None),
        ("backup-operator", {"Service": "backup.amazonaws.com"}, ["acme-backup-writer"], None),
    ]
    for name, principal, pols, cond in roles:
        arn = "arn:aws:iam::%s:role/%s" % (AWS_PROD, name)
        stmt = {"Effect": "Allow", "Principal": principal,
                "Action": "sts:AssumeRoleWithWebIdentity" if "Federated" in principal else "sts:AssumeRole"}
        if cond:
            stmt["Condition"] = cond
        data = {"roleName": name, "roleId": "AROA" + upper_id(17), "arn": arn, "path": "/",
                "createDate": pick_date(2020, 2025), "maxSessionDuration": 3600,
                "assumeRolePolicyDocument": policy(stmt),
                "attachedManagedPolicies": [{"policyName": p, "policyArn": (
                    "arn:aws:iam::%s:policy/%s" % (AWS_PROD, p)) if p.startswith("acme-") else
                    ("arn:aws:iam::aws:policy/" + ("service-role/" if "Role" in p else "") + p)} for p in pols],
                "inlinePolicies": [],
                "roleLastUsed": None if name == "vendor-support" else {"lastUsedDate": pick_date(2026, 2026),
                                                                       "region": "us-east-1"}}
        emit(arn, "aws.iam.role", "aws", AWS_PROD, None, name, data)


def rds():
    specs = [
        ("orders-prod", "postgres", "16.4", False, True, True, 14, True),
        ("orders-replica", "postgres", "16.4", False, True, False, 7, False),
        ("erp-legacy", "mysql", "5.7.44", True, False, False, 1, False),
        ("analytics-warehouse", "postgres", "15.8", False, True, True, 30, True),
        ("marketing-cms", "mysql", "8.0.39", True, True, False, 7, False),
        ("dev-sandbox", "postgres", "13.16", True, False, False, 0, False),
        ("dev-mysql", "mysql", "8.0.39", False, False, False, 1, False),
        ("billing-prod", "postgres", "16.4", False, True, True, 35, True),
    ]
    for ident, engine, ver, public, encrypted, multi_az, backup, deletion in specs:
        acct = AWS_DEV if ident.startswith("dev-") else AWS_PROD
        region = "us-east-1"
        port = 5432 if engine == "postgres" else 3306
        sg = "dev-db" if acct == AWS_DEV else ("db-mysql-legacy" if engine == "mysql" else "db-postgres")
        data = {
            "dbInstanceIdentifier": ident, "dbInstanceClass": R.choice(["db.m6g.large", "db.r6g.xlarge",
                                                                        "db.t3.medium"]),
            "engine": engine, "engineVersion": ver, "dbInstanceStatus": "available",
            "publiclyAccessible": public, "storageEncrypted": encrypted,
            "kmsKeyId": "arn:aws:kms:%s:%s:key/%s" % (region, acct, uuid()) if encrypted else None,
            "multiAZ": multi_az, "backupRetentionPeriod": backup, "deletionProtection": deletion,
            "autoMinorVersionUpgrade": ident != "erp-legacy",
            "iamDatabaseAuthenticationEnabled": ident in ("orders-prod", "billing-prod"),
            "endpoint": {"address": "%s.c%s.%s.rds.amazonaws.com" % (ident, hexid(10), region), "port": port},
            "vpcSecurityGroups": [{"vpcSecurityGroupId": SG_IDS[(acct, region, sg)], "status": "active"}],
            "dbSubnetGroup": {"dbSubnetGroupName": "default" if public else "private-db",
                              "vpcId": "vpc-" + ("0a1b2c3d4e5f60718" if acct == AWS_PROD else "0f9e8d7c6b5a40312")},
            "instanceCreateTime": pick_date(2019, 2025),
        }
        emit("arn:aws:rds:%s:%s:db:%s" % (region, acct, ident), "aws.rds.db_instance", "aws", acct, region, ident,
             data, aws_tags("prod" if acct == AWS_PROD else "dev", "data"))


def cloudtrail():
    specs = [
        ("org-trail", AWS_PROD, "us-east-1", True, True, True, True, True),
        ("eu-audit", AWS_PROD, "eu-west-1", False, False, False, True, False),
        ("dev-trail", AWS_DEV, "us-east-1", True, False, False, False, False),
    ]
    for name, acct, region, multi, validation, kms, logging_on, cwl in specs:
        arn = "arn:aws:cloudtrail:%s:%s:trail/%s" % (region, acct, name)
        data = {
            "name": name, "trailARN": arn, "homeRegion": region, "isMultiRegionTrail": multi,
            "includeGlobalServiceEvents": multi, "isOrganizationTrail": name == "org-trail",
            "logFileValidationEnabled": validation,
            "s3BucketName": "acme-cloudtrail-prod" if acct == AWS_PROD else "acme-dev-logs",
            "kmsKeyId": "arn:aws:kms:%s:%s:key/%s" % (region, acct, uuid()) if kms else None,
            "cloudWatchLogsLogGroupArn": "arn:aws:logs:%s:%s:log-group:/aws/cloudtrail/%s:*" % (region, acct, name)
            if cwl else None,
            "status": {"isLogging": logging_on, "latestDeliveryTime": "2026-11-28T09:55:00Z" if logging_on
                       else "2026-02-11T17:03:00Z"},
            "eventSelectors": [{"readWriteType": "All" if multi else "WriteOnly",
                                "includeManagementEvents": True, "dataResources": []}],
        }
        emit(arn, "aws.cloudtrail.trail", "aws", acct, region, name, data)


def kms():
    specs = [("orders-db", True, "CUSTOMER"), ("s3-data-lake", False, "CUSTOMER"), ("ebs-default", True, "AWS"),
             ("legacy-app-secrets", False, "CUSTOMER"), ("cloudtrail", True, "CUSTOMER"),
             ("dev-playground", False, "CUSTOMER")]
    for alias, rotation, manager in specs:
        acct = AWS_DEV if alias.startswith("dev-") else AWS_PROD
        region = "us-east-1"
        kid = uuid()
        arn = "arn:aws:kms:%s:%s:key/%s" % (region, acct, kid)
        key_policy = policy({"Sid": "EnableRootPermissions", "Effect": "Allow",
                             "Principal": {"AWS": "arn:aws:iam::%s:root" % acct}, "Action": "kms:*",
                             "Resource": "*"})
        if alias == "legacy-app-secrets":
            key_policy["Statement"].append({"Sid": "AllowEveryoneDecrypt", "Effect": "Allow", "Principal": "*",
                                            "Action": "kms:Decrypt", "Resource": "*"})
        data = {"keyId": kid, "arn": arn, "aliases": ["alias/" + (alias if manager == "CUSTOMER" else "aws/ebs")],
                "description": "%s key" % alias, "keyManager": manager, "keyState": "Enabled",
                "keySpec": "SYMMETRIC_DEFAULT", "keyUsage": "ENCRYPT_DECRYPT", "origin": "AWS_KMS",
                "creationDate": pick_date(2019, 2025), "keyRotationEnabled": rotation, "policy": key_policy}
        emit(arn, "aws.kms.key", "aws", acct, region, alias, data)


def lambdas():
    specs = [
        ("orders-api", "python3.12", "lambda-exec-orders", True, "Active", None),
        ("orders-worker", "python3.12", "lambda-exec-orders", True, "Active", None),
        ("image-resizer", "nodejs20.x", "lambda-exec-orders", False, "PassThrough", None),
        ("legacy-report", "python2.7", "lambda-exec-admin", False, "PassThrough", None),
        ("webhook-receiver", "nodejs14.x", "lambda-exec-orders", False, "PassThrough", "NONE"),
        ("invoice-pdf", "java11", "lambda-exec-orders", True, "Active", None),
        ("slack-notifier", "python3.9", "lambda-exec-orders", False, "PassThrough", "AWS_IAM"),
        ("nightly-cleanup", "python3.12", "lambda-exec-admin", False, "PassThrough", None),
        ("auth-edge", "nodejs18.x", "lambda-exec-orders", False, "Active", None),
        ("dev-experiment", "go1.x", "lambda-exec-admin", False, "PassThrough", "NONE"),
    ]
    for name, runtime, role, vpc, tracing, url_auth in specs:
        acct = AWS_DEV if name.startswith("dev-") else AWS_PROD
        region = "eu-west-1"
        arn = "arn:aws:lambda:%s:%s:function:%s" % (region, acct, name)
        env_names = ["LOG_LEVEL", "ORDERS_TABLE"]
        if name in ("legacy-report", "webhook-receiver"):
            env_names.append("DB_PASSWORD")
        public_policy = name == "webhook-receiver"
        data = {
            "functionName": name, "functionArn": arn, "runtime": runtime,
            "handler": "main.handler" if runtime.startswith("python") else "index.handler",
            "role": "arn:aws:iam::%s:role/%s" % (AWS_PROD, role), "memorySize": R.choice([128, 256, 512, 1024]),
            "timeout": R.choice([3, 30, 60, 300]), "lastModified": pick_date(2022, 2026), "packageType": "Zip",
            "architectures": [R.choice(["x86_64", "arm64"])],
            "environmentVariableNames": env_names,
            "kmsKeyArn": None,
            "vpcConfig": {"subnetIds": ["subnet-" + hexid(17)],
                          "securityGroupIds": [SG_IDS[(AWS_DEV, "eu-west-1", "lambda-egress-only")]]}
            if vpc else None,
            "tracingConfig": {"mode": tracing},
            "policy": policy({"Sid": "PublicInvoke", "Effect": "Allow", "Principal": "*",
                              "Action": "lambda:InvokeFunction", "Resource": arn}) if public_policy else None,
            "functionUrl": {"authType": url_auth, "functionUrl": "https://%s.lambda-url.%s.on.aws/" % (
                hexid(32), region)} if url_auth else None,
        }
        emit(arn, "aws.lambda.function", "aws", acct, region, name, data,
             aws_tags("prod" if acct == AWS_PROD else "dev", "backend"))


def eks():
    specs = [("prod-eu", "1.30", True, ["0.0.0.0/0"], True, True),
             ("prod-us", "1.29", True, ["203.0.113.0/24"], True, False),
             ("data-platform", "1.27", False, [], False, True),
             ("dev-playground", "1.26", True, ["0.0.0.0/0"], False, False)]
    for name, ver, public, cidrs, logs, secrets_enc in specs:
        acct = AWS_DEV if name.startswith("dev-") else AWS_PROD
        region = "eu-west-1" if "eu" in name or name == "data-platform" else "us-east-1"
        arn = "arn:aws:eks:%s:%s:cluster/%s" % (region, acct, name)
        data = {
            "name": name, "arn": arn, "version": ver, "status": "ACTIVE", "platformVersion": "eks.%d" % R.randint(5, 12),
            "roleArn": "arn:aws:iam::%s:role/eks-cluster-role" % acct,
            "endpoint": "https://%s.gr7.%s.eks.amazonaws.com" % (hexid(32).upper(), region),
            "resourcesVpcConfig": {
                "vpcId": "vpc-" + ("0a1b2c3d4e5f60718" if acct == AWS_PROD else "0f9e8d7c6b5a40312"),
                "subnetIds": ["subnet-" + hexid(17), "subnet-" + hexid(17)],
                "securityGroupIds": [], "clusterSecurityGroupId": "sg-" + hexid(17),
                "endpointPublicAccess": public, "endpointPrivateAccess": not public or name == "prod-us",
                "publicAccessCidrs": cidrs},
            "logging": {"clusterLogging": [{"types": ["api", "audit", "authenticator", "controllerManager",
                                                      "scheduler"], "enabled": logs}]},
            "encryptionConfig": [{"resources": ["secrets"], "provider": {
                "keyArn": "arn:aws:kms:%s:%s:key/%s" % (region, acct, uuid())}}] if secrets_enc else [],
            "createdAt": pick_date(2021, 2025),
        }
        emit(arn, "aws.eks.cluster", "aws", acct, region, name, data,
             aws_tags("prod" if acct == AWS_PROD else "dev", "platform"))


# -------------------------------------------------------------- Azure ----

def az_id(rg, provider_type, name):
    return "/subscriptions/%s/resourceGroups/%s/providers/%s/%s" % (AZ_SUB, rg, provider_type, name)


def azure():
    storage = [("acmeprodweb", True, "TLS1_2", False, "Deny", True),
               ("acmeproddata", True, "TLS1_2", False, "Deny", True),
               ("acmelegacyfiles", False, "TLS1_0", True, "Allow", False),
               ("acmepublicassets", True, "TLS1_2", True, "Allow", False),
               ("acmebackupvault", True, "TLS1_2", False, "Deny", True),
               ("acmedevscratch", True, "TLS1_1", True, "Allow", False),
               ("acmelogsarchive", True, "TLS1_2", False, "Allow", True),
               ("acmemlfeatures", True, "TLS1_2", False, "Deny", False),
               ("acmehrdocuments", False, "TLS1_2", True, "Allow", False),
               ("acmeedgecache", True, "TLS1_2", False, "Deny", True)]
    for name, https_only, tls, blob_public, default_action, soft_delete in storage:
        rg = "rg-dev" if "dev" in name else "rg-prod-data"
        data = {
            "kind": "StorageV2", "sku": {"name": R.choice(["Standard_LRS", "Standard_GRS", "Standard_ZRS"]),
                                         "tier": "Standard"},
            "properties": {
                "supportsHttpsTrafficOnly": https_only, "minimumTlsVersion": tls,
                "allowBlobPublicAccess": blob_public, "allowSharedKeyAccess": name != "acmeproddata",
                "publicNetworkAccess": "Enabled" if default_action == "Allow" else "Disabled",
                "networkAcls": {"defaultAction": default_action, "bypass": "AzureServices", "ipRules": [],
                                "virtualNetworkRules": []},
                "encryption": {"keySource": "Microsoft.Keyvault" if name == "acmeproddata" else "Microsoft.Storage",
                               "requireInfrastructureEncryption": name in ("acmeproddata", "acmebackupvault"),
                               "services": {"blob": {"enabled": True, "keyType": "Account"},
                                            "file": {"enabled": True, "keyType": "Account"}}},
                "provisioningState": "Succeeded", "creationTime": pick_date(2019, 2025)},
            "blobServices": {"properties": {"deleteRetentionPolicy": {"enabled": soft_delete,
                                                                      "days": 14 if soft_delete else 0}}},
        }
        emit(az_id(rg, "Microsoft.Storage/storageAccounts", name), "azure.storage.account", "azure", AZ_SUB,
             "westeurope", name, data, {"env": "dev" if "dev" in name else "prod"})

    nsgs = [("nsg-web", [("allow-https", "443", "Internet", 100), ("allow-ssh-any", "22", "*", 110)]),
            ("nsg-app", [("allow-app-from-web", "8080", "10.40.1.0/24", 100)]),
            ("nsg-db", [("allow-sql-from-app", "1433", "10.40.2.0/24", 100)]),
            ("nsg-jumpbox", [("allow-rdp-any", "3389", "0.0.0.0/0", 100)]),
            ("nsg-bastion", [("allow-ssh-office", "22", "203.0.113.0/24", 100)]),
            ("nsg-legacy", [("allow-all-inbound", "*", "*", 100)]),
            ("nsg-aks-nodes", [("allow-lb-probes", "30000-32767", "AzureLoadBalancer", 100)]),
            ("nsg-dev", [("allow-ssh-rdp", "22,3389", "Internet", 100)]),
            ("nsg-monitoring", [("allow-prometheus", "9090", "10.40.0.0/16", 100)]),
            ("nsg-empty", [])]
    for name, rules in nsgs:
        rg = "rg-dev" if "dev" in name else "rg-prod-network"
        nid = az_id(rg, "Microsoft.Network/networkSecurityGroups", name)
        sec = []
        for rname, ports, src, prio in rules:
            props = {"protocol": "*" if ports == "*" else "Tcp", "sourcePortRange": "*",
                     "sourceAddressPrefix": src, "destinationAddressPrefix": "*", "access": "Allow",
                     "priority": prio, "direction": "Inbound"}
            if "," in ports:
                props["destinationPortRanges"] = ports.split(",")
            else:
                props["destinationPortRange"] = ports
            sec.append({"name": rname, "id": nid + "/securityRules/" + rname, "properties": props})
        data = {"properties": {"securityRules": sec, "provisioningState": "Succeeded",
                               "networkInterfaces": [], "subnets": [
                                   {"id": "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/"
                                          "virtualNetworks/vnet-prod/subnets/%s" % (AZ_SUB, rg,
                                                                                  name.replace("nsg-", "snet-"))}]}}
        emit(nid, "azure.network.nsg", "azure", AZ_SUB, "westeurope", name, data, {"env": "prod"})

    vms = [("vm-web-01", "Linux", True, True, True), ("vm-web-02", "Linux", True, True, True),
           ("vm-app-01", "Linux", True, False, True), ("vm-sql-01", "Windows", None, False, False),
           ("vm-jump-01", "Windows", None, False, False), ("vm-legacy-01", "Linux", False, False, False),
           ("vm-build-01", "Linux", True, True, False), ("vm-dev-01", "Linux", False, False, False),
           ("vm-monitor-01", "Linux", True, True, True), ("vm-dc-01", "Windows", None, True, True)]
    for name, os_type, no_password, at_host, trusted in vms:
        rg = "rg-dev" if "dev" in name else "rg-prod-compute"
        vid = az_id(rg, "Microsoft.Compute/virtualMachines", name)
        disk_name = name + "-osdisk"
        os_profile = {"computerName": name, "adminUsername": "azureadmin"}
        if os_type == "Linux":
            os_profile["linuxConfiguration"] = {"disablePasswordAuthentication": no_password,
                                                "provisionVMAgent": True}
        else:
            os_profile["windowsConfiguration"] = {"enableAutomaticUpdates": name != "vm-sql-01",
                                                  "provisionVMAgent": True}
        data = {
            "identity": {"type": "SystemAssigned"} if trusted else None,
            "properties": {
                "vmId": uuid(), "hardwareProfile": {"vmSize": R.choice(["Standard_D2s_v5", "Standard_B2ms",
                                                                         "Standard_E4s_v5"])},
                "storageProfile": {
                    "imageReference": {"publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy",
                                       "sku": "22_04-lts-gen2", "version": "latest"} if os_type == "Linux" else
                    {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer", "sku": "2019-datacenter",
                     "version": "latest"},
                    "osDisk": {"osType": os_type, "name": disk_name, "createOption": "FromImage",
                               "managedDisk": {"id": az_id(rg, "Microsoft.Compute/disks", disk_name),
                                               "storageAccountType": "Premium_LRS"}}},
                "osProfile": os_profile,
                "networkProfile": {"networkInterfaces": [
                    {"id": az_id(rg, "Microsoft.Network/networkInterfaces", name + "-nic")}]},
                "securityProfile": {"encryptionAtHost": at_host, "securityType": "TrustedLaunch",
                                    "uefiSettings": {"secureBootEnabled": True, "vTpmEnabled": True}}
                if trusted else ({"encryptionAtHost": at_host} if at_host else None),
                "diagnosticsProfile": {"bootDiagnostics": {"enabled": trusted}},
                "provisioningState": "Succeeded"},
        }
        emit(vid, "azure.compute.vm", "azure", AZ_SUB, "westeurope", name, data,
             {"env": "dev" if "dev" in name else "prod", "os": os_type.lower()})
        emit_disk(rg, disk_name, vid, os_type, "EncryptionAtRestWithCustomerKey" if trusted else
                  "EncryptionAtRestWithPlatformKey", "DenyAll" if trusted else "AllowAll")


def emit_disk(rg, name, vm_id, os_type, enc, access):
    data = {
        "sku": {"name": "Premium_LRS", "tier": "Premium"},
        "managedBy": vm_id,
        "properties": {
            "diskSizeGB": R.choice([30, 64, 128, 256]), "diskState": "Attached" if vm_id else "Unattached",
            "osType": os_type,
            "encryption": dict({"type": enc}, **({"diskEncryptionSetId": az_id(
                "rg-prod-security", "Microsoft.Compute/diskEncryptionSets", "des-prod")} if "Customer" in enc
                else {})),
            "networkAccessPolicy": access, "publicNetworkAccess": "Disabled" if access == "DenyAll" else "Enabled",
            "timeCreated": pick_date(2021, 2025), "provisioningState": "Succeeded"},
    }
    emit(az_id(rg, "Microsoft.Compute/disks", name), "azure.compute.disk", "azure", AZ_SUB, "westeurope", name, data,
         {"env": "dev" if "dev" in name else "prod"})


def azure_rest():
    for name, soft, purge, rbac, public in [("kv-acme-prod", True, True, True, "Disabled"),
                                            ("kv-acme-apps", True, False, False, "Enabled"),
                                            ("kv-acme-legacy", False, None, False, "Enabled"),
                                            ("kv-acme-dev", True, None, False, "Enabled"),
                                            ("kv-acme-certs", True, True, True, "Enabled")]:
        rg = "rg-dev" if "dev" in name else "rg-prod-security"
        props = {"tenantId": AZ_TENANT, "sku": {"family": "A", "name": "standard"},
                 "enableSoftDelete": soft, "softDeleteRetentionInDays": 90 if soft else None,
                 "enablePurgeProtection": purge, "enableRbacAuthorization": rbac,
                 "publicNetworkAccess": public,
                 "networkAcls": {"defaultAction": "Deny" if public == "Disabled" else "Allow",
                                 "bypass": "AzureServices", "ipRules": [], "virtualNetworkRules": []},
                 "vaultUri": "https://%s.vault.azure.net/" % name, "provisioningState": "Succeeded"}
        emit(az_id(rg, "Microsoft.KeyVault/vaults", name), "azure.keyvault.vault", "azure", AZ_SUB, "westeurope",
             name, {"properties": props}, {"env": "dev" if "dev" in name else "prod"})
    # name, TLS, public network, firewall rules, auditing, AAD admin
    for name, tls, public, fw, audit, aad in [
            ("sql-acme-orders", "1.2", "Disabled", [], True, True),
            ("sql-acme-reporting", "1.2", "Enabled", [("office", "203.0.113.0", "203.0.113.255")], True, True),
            ("sql-acme-legacy", "1.0", "Enabled", [("AllowAll", "0.0.0.0", "255.255.255.255")], False, False),
            ("sql-acme-dev", "1.1", "Enabled", [("AllowAllWindowsAzureIps", "0.0.0.0", "0.0.0.0")], False, False),
            ("sql-acme-analytics", "1.2", "Enabled", [("AllowAllWindowsAzureIps", "0.0.0.0", "0.0.0.0")],
             True, False)]:
        rg = "rg-dev" if "dev" in name else "rg-prod-data"
        sid = az_id(rg, "Microsoft.Sql/servers", name)
        data = {
            "properties": {"fullyQualifiedDomainName": "%s.database.windows.net" % name, "version": "12.0",
                           "administratorLogin": "sqladmin", "minimalTlsVersion": tls,
                           "publicNetworkAccess": public, "state": "Ready"},
            "firewallRules": [{"name": n, "id": sid + "/firewallRules/" + n,
                               "properties": {"startIpAddress": a, "endIpAddress": b}} for n, a, b in fw],
            "auditingSettings": {"properties": {"state": "Enabled" if audit else "Disabled",
                                                "retentionDays": 90 if audit else 0}},
            "administrators": {"properties": {"administratorType": "ActiveDirectory", "login": "sql-admins",
                                              "tenantId": AZ_TENANT}} if aad else None,
        }
        emit(sid, "azure.sql.server", "azure", AZ_SUB, "westeurope", name, data,
             {"env": "dev" if "dev" in name else "prod"})


# ---------------------------------------------------------------- GCP ----

def gcp():
    p = GCP_PROJECT
    buckets = [("acme-analytics-exports", False, "enforced", True, True),
               ("acme-public-datasets", True, "inherited", False, False),
               ("acme-analytics-staging", False, "inherited", False, True),
               ("acme-model-artifacts", False, "enforced", True, True),
               ("acme-shared-reports", "allAuthenticatedUsers", "inherited", False, False),
               ("acme-analytics-logs", False, "enforced", True, False),
               ("acme-temp-uploads", False, "inherited", False, False),
               ("acme-dashboards-static", True, "inherited", True, False),
               ("acme-bq-backups", False, "enforced", True, True),
               ("acme-notebooks", False, "inherited", False, True)]
    for name, public, pap, ubla, versioning in buckets:
        bindings = [{"role": "roles/storage.legacyBucketOwner", "members": ["projectOwner:" + p]},
                    {"role": "roles/storage.legacyBucketReader", "members": ["projectViewer:" + p]}]
        if public is True:
            bindings.append({"role": "roles/storage.objectViewer", "members": ["allUsers"]})
        elif public:
            bindings.append({"role": "roles/storage.objectViewer", "members": [public]})
        data = {
            "name": name, "id": name, "projectNumber": "418203957712",
            "location": R.choice(["EU", "US", "EUROPE-WEST1"]), "locationType": "multi-region",
            "storageClass": "STANDARD", "timeCreated": pick_date(2020, 2025),
            "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": ubla}, "publicAccessPrevention": pap},
            "versioning": {"enabled": versioning},
            "logging": {"logBucket": "acme-analytics-logs", "logObjectPrefix": name} if versioning else None,
            "encryption": {"defaultKmsKeyName": "projects/%s/locations/europe/keyRings/data/cryptoKeys/storage" % p}
            if name in ("acme-bq-backups", "acme-model-artifacts") else None,
            "retentionPolicy": {"retentionPeriod": "2592000", "isLocked": False} if name == "acme-bq-backups"
            else None,
            "iamPolicy": {"version": 1, "bindings": bindings},
        }
        emit("//storage.googleapis.com/projects/_/buckets/" + name, "gcp.storage.bucket", "gcp", p,
             data["location"].lower(), name, data, {"env": "prod", "team": "analytics"})

    firewalls = [("default-allow-ssh", [("tcp", ["22"])], ["0.0.0.0/0"], []),
                 ("default-allow-rdp", [("tcp", ["3389"])], ["0.0.0.0/0"], []),
                 ("default-allow-internal", [("tcp", ["0-65535"]), ("udp", ["0-65535"]), ("icmp", None)],
                  ["10.128.0.0/9"], []),
                 ("default-allow-icmp", [("icmp", None)], ["0.0.0.0/0"], []),
                 ("allow-https-lb", [("tcp", ["443"])], ["130.211.0.0/22", "35.191.0.0/16"], ["web"]),
                 ("allow-ssh-iap", [("tcp", ["22"])], ["35.235.240.0/20"], []),
                 ("allow-all-legacy", [("all", None)], ["0.0.0.0/0"], ["legacy"]),
                 ("allow-jupyter", [("tcp", ["8888"])], ["0.0.0.0/0"], ["notebook"]),
                 ("allow-postgres-office", [("tcp", ["5432"])], ["203.0.113.0/24"], ["db"]),
                 ("allow-health-checks", [("tcp", ["8080"])], ["35.191.0.0/16"], ["api"])]
    for name, allowed, ranges, tags in firewalls:
        data = {
            "id": str(R.randint(10 ** 18, 10 ** 19 - 1)), "name": name,
            "network": "https://www.googleapis.com/compute/v1/projects/%s/global/networks/default" % p,
            "direction": "INGRESS", "priority": 65534 if name.startswith("default-") else 1000,
            "sourceRanges": ranges,
            "allowed": [dict({"IPProtocol": proto}, **({"ports": ports} if ports else {})) for proto, ports in allowed],
            "targetTags": tags, "disabled": False,
            "logConfig": {"enable": name in ("allow-ssh-iap", "allow-https-lb")},
            "creationTimestamp": pick_date(2020, 2025),
        }
        emit("//compute.googleapis.com/projects/%s/global/firewalls/%s" % (p, name), "gcp.compute.firewall", "gcp",
             p, None, name, data)

    for i, (name, ext_ip, default_sa, shielded, oslogin, serial) in enumerate([
            ("web-1", True, False, True, True, False), ("web-2", True, False, True, True, False),
            ("api-1", False, False, True, True, False), ("etl-runner", False, True, False, False, False),
            ("legacy-app", True, True, False, False, True), ("notebook-alice", True, True, False, False, False),
            ("db-proxy", False, False, True, True, False), ("batch-1", False, True, True, False, False),
            ("bastion", True, False, True, True, False), ("debug-vm", True, True, False, False, True)]):
        zone = "europe-west1-" + R.choice("bcd")
        sa = "%s-compute@developer.gserviceaccount.com" % "418203957712" if default_sa else \
            "%s@%s.iam.gserviceaccount.com" % (name.split("-")[0], p)
        nic = {"name": "nic0", "network": "https://www.googleapis.com/compute/v1/projects/%s/global/networks/default"
               % p, "networkIP": "10.132.0.%d" % (10 + i)}
        nic["accessConfigs"] = [{"type": "ONE_TO_ONE_NAT", "name": "External NAT",
                                 "natIP": "192.0.2.%d" % (20 + i)}] if ext_ip else []
        data = {
            "id": str(R.randint(10 ** 18, 10 ** 19 - 1)), "name": name,
            "machineType": "https://www.googleapis.com/compute/v1/projects/%s/zones/%s/machineTypes/%s" % (
                p, zone, R.choice(["e2-standard-2", "n2-standard-4", "e2-medium"])),
            "status": "RUNNING", "zone": zone, "canIpForward": name == "legacy-app",
            "networkInterfaces": [nic],
            "serviceAccounts": [{"email": sa, "scopes": [
                "https://www.googleapis.com/auth/cloud-platform" if default_sa else
                "https://www.googleapis.com/auth/logging.write"]}],
            "shieldedInstanceConfig": {"enableSecureBoot": shielded, "enableVtpm": shielded,
                                       "enableIntegrityMonitoring": shielded},
            "metadata": {"items": [{"key": "enable-oslogin", "value": "TRUE" if oslogin else "FALSE"},
                                   {"key": "serial-port-enable", "value": "1" if serial else "0"},
                                   {"key": "block-project-ssh-keys", "value": "TRUE" if oslogin else "FALSE"}]},
            "disks": [{"deviceName": "boot", "boot": True, "autoDelete": True,
                       "source": "https://www.googleapis.com/compute/v1/projects/%s/zones/%s/disks/%s" % (p, zone, name),
                       "diskEncryptionKey": {"kmsKeyName": "projects/%s/locations/europe-west1/keyRings/compute/"
                                                           "cryptoKeys/disks" % p} if shielded and i % 2 else None}],
            "creationTimestamp": pick_date(2021, 2026),
        }
        emit("//compute.googleapis.com/projects/%s/zones/%s/instances/%s" % (p, zone, name), "gcp.compute.instance",
             "gcp", p, zone, name, data, {"env": "prod", "role": name.split("-")[0]})

    for name, ver, public_nets, require_ssl, backups, flags in [
            ("analytics-pg", "POSTGRES_16", [], True, True, [{"name": "log_connections", "value": "on"}]),
            ("reporting-mysql", "MYSQL_8_0", [("anywhere", "0.0.0.0/0")], False, True, []),
            ("legacy-mysql", "MYSQL_5_7", [("office", "203.0.113.0/24")], False, False,
             [{"name": "local_infile", "value": "on"}]),
            ("ml-features-pg", "POSTGRES_15", [], True, True, [{"name": "log_min_duration_statement",
                                                                 "value": "-1"}]),
            ("dev-sqlserver", "SQLSERVER_2019_STANDARD", [("anywhere", "0.0.0.0/0")], False, False,
             [{"name": "contained database authentication", "value": "on"}])]:
        data = {
            "name": name, "databaseVersion": ver, "region": "europe-west1", "state": "RUNNABLE",
            "settings": {"tier": "db-custom-2-7680", "availabilityType": "REGIONAL" if backups else "ZONAL",
                         "ipConfiguration": {"ipv4Enabled": bool(public_nets), "requireSsl": require_ssl,
                                             "sslMode": "TRUSTED_CLIENT_CERTIFICATE_REQUIRED" if require_ssl else
                                             "ALLOW_UNENCRYPTED_AND_ENCRYPTED",
                                             "authorizedNetworks": [{"name": n, "value": v, "kind":
                                                                     "sql#aclEntry"} for n, v in public_nets],
                                             "privateNetwork": "projects/%s/global/networks/default" % p},
                         "backupConfiguration": {"enabled": backups, "pointInTimeRecoveryEnabled": backups},
                         "databaseFlags": flags},
            "ipAddresses": [{"type": "PRIVATE", "ipAddress": "10.90.0.%d" % R.randint(2, 200)}] +
            ([{"type": "PRIMARY", "ipAddress": "192.0.2.%d" % R.randint(100, 200)}] if public_nets else []),
            "diskEncryptionConfiguration": {"kmsKeyName": "projects/%s/locations/europe-west1/keyRings/sql/"
                                                          "cryptoKeys/sql" % p} if require_ssl else None,
        }
        emit("//sqladmin.googleapis.com/projects/%s/instances/%s" % (p, name), "gcp.sql.instance", "gcp", p,
             "europe-west1", name, data, {"env": "dev" if name.startswith("dev-") else "prod"})

    for sa, origin, created, disabled in [("etl-runner", "GOOGLE_PROVIDED", date(2021, 4, 2), False),
                                          ("etl-runner", "GOOGLE_PROVIDED", date(2026, 10, 1), False),
                                          ("ci-deployer", "GOOGLE_PROVIDED", date(2022, 1, 20), False),
                                          ("looker", "USER_PROVIDED", date(2024, 6, 6), False),
                                          ("backup-agent", "GOOGLE_PROVIDED", date(2023, 3, 14), True),
                                          ("web", "GOOGLE_PROVIDED", date(2026, 9, 12), False)]:
        email = "%s@%s.iam.gserviceaccount.com" % (sa, p)
        kid = hexid(40)
        name = "projects/%s/serviceAccounts/%s/keys/%s" % (p, email, kid)
        data = {"name": name, "keyAlgorithm": "KEY_ALG_RSA_2048", "keyOrigin": origin, "keyType": "USER_MANAGED",
                "validAfterTime": created,
                "validBeforeTime": "9999-12-31T23:59:59Z" if origin == "GOOGLE_PROVIDED" else date(2027, 6, 6),
                "disabled": disabled}
        emit("//iam.googleapis.com/" + name, "gcp.iam.service_account_key", "gcp", p, None, "%s/%s" % (sa, kid[:8]),
             data)


# --------------------------------------------------------- Kubernetes ----

def k8s_uid(group, resource, namespace, name):
    if namespace:
        return "k8s://%s/%s/%s/%s/%s" % (K8S_CLUSTER, group, resource, namespace, name)
    return "k8s://%s/%s/%s/%s" % (K8S_CLUSTER, group, resource, name)


def meta(name, namespace, labels, owner=None):
    m = {"name": name}
    if namespace:
        m["namespace"] = namespace
    m["uid"] = uuid()
    m["creationTimestamp"] = pick_date(2025, 2026)
    m["labels"] = labels
    if owner:
        m["ownerReferences"] = [owner]
    return m


def container(name, image, flaws):
    sc = {"allowPrivilegeEscalation": "escalation" in flaws, "readOnlyRootFilesystem": "rwroot" not in flaws,
          "capabilities": {"drop": ["ALL"]}}
    if "privileged" in flaws:
        sc = {"privileged": True}
    elif "root" in flaws:
        sc["runAsUser"] = 0
        sc["capabilities"] = {"add": ["NET_ADMIN"]}
    else:
        sc["runAsNonRoot"] = True
        sc["runAsUser"] = 10001
    c = {"name": name, "image": image, "imagePullPolicy": "IfNotPresent", "securityContext": sc}
    if "nolimits" not in flaws:
        c["resources"] = {"limits": {"cpu": "500m", "memory": "512Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}}
    else:
        c["resources"] = {}
    c["ports"] = [{"containerPort": 8080, "protocol": "TCP"}]
    return c


def pod_spec(app, image, flaws):
    spec = {"serviceAccountName": "default" if "defaultsa" in flaws else app,
            "automountServiceAccountToken": "defaultsa" in flaws,
            "containers": [container(app, image, flaws)]}
    if "hostnetwork" in flaws:
        spec["hostNetwork"] = True
    if "hostpid" in flaws:
        spec["hostPID"] = True
    if "hostpath" in flaws:
        spec["volumes"] = [{"name": "host-root", "hostPath": {"path": "/", "type": "Directory"}}]
    spec["securityContext"] = {} if flaws & {"root", "privileged"} else {
        "runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    return spec


def kubernetes():
    apps = [
        # name, namespace, image, replicas, flaws
        ("storefront", "shop", "registry.acme.example/shop/storefront:4.12.0", 3, set()),
        ("checkout", "shop", "registry.acme.example/shop/checkout:2.8.1", 2, set()),
        ("recommendations", "shop", "registry.acme.example/shop/reco:latest", 2, {"nolimits", "defaultsa"}),
        ("orders-api", "orders", "registry.acme.example/orders/api:1.30.2", 2, {"rwroot"}),
        ("payments", "payments", "registry.acme.example/payments/core:9.1.0", 2, set()),
        ("legacy-batch", "batch", "docker.io/library/ubuntu:18.04", 1, {"root", "nolimits", "escalation"}),
        ("log-shipper", "kube-system", "docker.io/fluent/fluent-bit:3.1", 1, {"privileged", "hostpath",
                                                                              "hostnetwork"}),
        ("node-exporter", "monitoring", "quay.io/prometheus/node-exporter:v1.8.2", 1, {"hostnetwork", "hostpid"}),
        ("debug-tools", "default", "docker.io/nicolaka/netshoot:latest", 1, {"privileged", "hostnetwork",
                                                                             "hostpid", "nolimits", "defaultsa"}),
        ("grafana", "monitoring", "docker.io/grafana/grafana:11.2.0", 1, {"nolimits"}),
        ("jupyter", "data", "quay.io/jupyter/datascience-notebook:2024-10-07", 1, {"root", "nolimits",
                                                                                     "defaultsa"}),
        ("auth-proxy", "shop", "quay.io/oauth2-proxy/oauth2-proxy:v7.7.1", 2, set()),
    ]
    for name, ns, image, replicas, flaws in apps:
        labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": ns}
        dep_meta = meta(name, ns, labels)
        spec = pod_spec(name, image, flaws)
        data = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": dep_meta,
                "spec": {"replicas": replicas, "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
                         "template": {"metadata": {"labels": labels}, "spec": spec}},
                "status": {"replicas": replicas, "readyReplicas": replicas if name != "legacy-batch" else 0}}
        emit(k8s_uid("apps", "deployments", ns, name), "k8s.deployment", "k8s", K8S_CLUSTER, "eu-west-1", name, data,
             labels)
        rs = "%s-%s" % (name, hexid(10))
        for k in range(min(replicas, 2)):
            pname = "%s-%s" % (rs, "".join(R.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5)))
            owner = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs, "uid": uuid(), "controller": True}
            pspec = dict(spec)
            pspec["nodeName"] = "ip-10-20-%d-%d.eu-west-1.compute.internal" % (R.randint(0, 15), R.randint(4, 250))
            pdata = {"apiVersion": "v1", "kind": "Pod", "metadata": meta(pname, ns, labels, owner), "spec": pspec,
                     "status": {"phase": "Running",
                                "podIP": "10.244.%d.%d" % (R.randint(0, 40), R.randint(2, 250)),
                                "containerStatuses": [{"name": name, "ready": name != "legacy-batch",
                                                       "restartCount": 212 if name == "legacy-batch" else 0,
                                                       "state": {"waiting": {"reason": "CrashLoopBackOff"}}
                                                       if name == "legacy-batch" else {"running": {}}}]}}
            emit(k8s_uid("core", "pods", ns, pname), "k8s.pod", "k8s", K8S_CLUSTER, "eu-west-1", pname, pdata, labels)
    # a bare pod nobody manages
    for pname, ns, flaws in [("busybox-test", "default", {"root", "nolimits", "defaultsa"}),
                             ("tmp-shell-admin", "kube-system", {"privileged", "hostnetwork", "hostpid", "hostpath"})]:
        labels = {"run": pname}
        pdata = {"apiVersion": "v1", "kind": "Pod", "metadata": meta(pname, ns, labels),
                 "spec": pod_spec(pname, "docker.io/library/busybox:1.36", flaws),
                 "status": {"phase": "Running", "podIP": "10.244.3.%d" % R.randint(2, 250),
                            "containerStatuses": [{"name": pname, "ready": True, "restartCount": 0,
                                                   "state": {"running": {}}}]}}
        emit(k8s_uid("core", "pods", ns, pname), "k8s.pod", "k8s", K8S_CLUSTER, "eu-west-1", pname, pdata, labels)

    for name, ns, stype, ranges, port in [("storefront", "shop", "LoadBalancer", [], 443),
                                          ("checkout", "shop", "ClusterIP", None, 8080),
                                          ("orders-api", "orders", "LoadBalancer", ["203.0.113.0/24"], 443),
                                          ("grafana", "monitoring", "LoadBalancer", [], 3000),
                                          ("jupyter", "data", "NodePort", None, 8888),
                                          ("payments", "payments", "ClusterIP", None, 8443),
                                          ("legacy-batch-admin", "batch", "LoadBalancer", [], 22),
                                          ("kube-dns", "kube-system", "ClusterIP", None, 53)]:
        labels = {"app.kubernetes.io/name": name}
        spec = {"type": stype, "selector": labels,
                "ports": [{"name": "main", "port": port, "targetPort": 8080 if port != 53 else 53,
                           "protocol": "UDP" if port == 53 else "TCP"}]}
        status = {}
        if stype in ("LoadBalancer", "NodePort"):
            spec["ports"][0]["nodePort"] = R.randint(30000, 32767)
        if stype == "LoadBalancer":
            spec["loadBalancerSourceRanges"] = ranges
            spec["externalTrafficPolicy"] = "Cluster"
            status = {"loadBalancer": {"ingress": [{"hostname": "a%s-%d.eu-west-1.elb.amazonaws.com" % (
                hexid(16), R.randint(10 ** 8, 10 ** 9))}]}}
        data = {"apiVersion": "v1", "kind": "Service", "metadata": meta(name, ns, labels), "spec": spec,
                "status": status}
        emit(k8s_uid("core", "services", ns, name), "k8s.service", "k8s", K8S_CLUSTER, "eu-west-1", name, data, labels)

    for kind, name, ns, role_kind, role, subjects in [
            ("RoleBinding", "shop-developers-edit", "shop", "ClusterRole", "edit",
             [{"kind": "Group", "name": "acme:shop-developers", "apiGroup": "rbac.authorization.k8s.io"}]),
            ("RoleBinding", "batch-admin", "batch", "ClusterRole", "cluster-admin",
             [{"kind": "ServiceAccount", "name": "default", "namespace": "batch"}]),
            ("RoleBinding", "monitoring-reader", "monitoring", "Role", "pod-reader",
             [{"kind": "ServiceAccount", "name": "grafana", "namespace": "monitoring"}]),
            ("RoleBinding", "data-scientists-admin", "data", "ClusterRole", "cluster-admin",
             [{"kind": "Group", "name": "acme:data-science", "apiGroup": "rbac.authorization.k8s.io"}]),
            ("RoleBinding", "payments-deployer", "payments", "Role", "deployer",
             [{"kind": "ServiceAccount", "name": "ci-deployer", "namespace": "ci"}]),
            ("ClusterRoleBinding", "cluster-admins", None, "ClusterRole", "cluster-admin",
             [{"kind": "Group", "name": "acme:platform-admins", "apiGroup": "rbac.authorization.k8s.io"}]),
            ("ClusterRoleBinding", "ci-admin", None, "ClusterRole", "cluster-admin",
             [{"kind": "ServiceAccount", "name": "default", "namespace": "ci"}]),
            ("ClusterRoleBinding", "anonymous-view", None, "ClusterRole", "view",
             [{"kind": "User", "name": "system:anonymous", "apiGroup": "rbac.authorization.k8s.io"}]),
            ("ClusterRoleBinding", "monitoring-view", None, "ClusterRole", "view",
             [{"kind": "ServiceAccount", "name": "grafana", "namespace": "monitoring"}])]:
        data = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta(name, ns, {}),
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
                "subjects": subjects}
        rtype = "k8s.rolebinding" if kind == "RoleBinding" else "k8s.clusterrolebinding"
        emit(k8s_uid("rbac.authorization.k8s.io", kind.lower() + "s", ns, name), rtype, "k8s", K8S_CLUSTER,
             "eu-west-1", name, data)


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                records.append(json.loads(line))


def account_controls():
    """AWS account-level controls (root user, monitoring, Config, GuardDuty,
    flow logs, NACLs, EBS default encryption...): hand-written records kept
    in aws_account_controls.jsonl beside this script."""
    read_jsonl(os.path.join(HERE, "aws_account_controls.jsonl"))


def extra_records():
    """Hand-written records of further services, one file per area in
    extra/ (extra/aws-services.jsonl, extra/gcp.jsonl...), in name order so
    the output stays deterministic."""
    folder = os.path.join(HERE, "extra")
    if not os.path.isdir(folder):
        return
    for fname in sorted(os.listdir(folder)):
        if fname.endswith(".jsonl"):
            read_jsonl(os.path.join(folder, fname))


def generate():
    s3_buckets()
    security_groups()
    instances_and_volumes()
    iam()
    rds()
    cloudtrail()
    kms()
    lambdas()
    eks()
    azure()
    azure_rest()
    gcp()
    kubernetes()
    account_controls()
    extra_records()
    lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records]
    return "\n".join(lines) + "\n"


def documented_members():
    """Map type -> set of `data` members named in docs/resources/*.md tables."""
    doc = {}
    for fname in sorted(os.listdir(DOCS)):
        if not fname.endswith(".md"):
            continue
        current = None
        with open(os.path.join(DOCS, fname), encoding="utf-8") as f:
            for line in f:
                if line.startswith("## "):
                    m = re.match(r"^## `([a-z0-9_.]+)`", line)
                    current = doc.setdefault(m.group(1), set()) if m else None
                    continue
                if current is None or not line.startswith("| `"):
                    continue
                first_cell = line.split("|")[1]
                for member in re.findall(r"`([A-Za-z0-9_.\[\]]+)`", first_cell):
                    if not member.startswith("."):  # `.toPort` continues the previous name
                        current.add(re.split(r"[.\[]", member)[0])
    return doc


def check_docs():
    """Every type and every top-level data member of the demo is documented."""
    doc = documented_members()
    problems = []
    for r in records:
        members = doc.get(r["type"])
        if members is None:
            problems.append("type %s has no section in docs/resources/" % r["type"])
            doc[r["type"]] = set(r["data"])
            continue
        for k in r["data"]:
            if k not in members:
                problems.append("%s: data member '%s' is not documented" % (r["type"], k))
                members.add(k)
    return problems


def main():
    text = generate()
    size = len(text.encode("utf-8"))
    if size > 768 * 1024:
        sys.exit("estate.jsonl would be %d bytes, over the 768 KiB budget" % size)
    problems = check_docs()
    if "--check" in sys.argv[1:]:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                problems.append("estate.jsonl is stale: run contrib/demo/generate.py")
        for p in problems:
            print("generate.py: " + p, file=sys.stderr)
        sys.exit(1 if problems else 0)
    for p in problems:
        print("generate.py: warning: " + p, file=sys.stderr)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    counts = {}
    for r in records:
        counts[r["provider"]] = counts.get(r["provider"], 0) + 1
    print("wrote %s: %d resources (%s), %d bytes" % (
        os.path.relpath(OUT), len(records), ", ".join("%s %d" % kv for kv in sorted(counts.items())), size))


if __name__ == "__main__":
    main()
