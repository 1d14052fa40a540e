/*
 * test_aws_policy.c - the aws.policy.* CEL functions (plugins/aws/policy_doc.c,
 * policy_fn.c) on hand-written policy documents: wildcard matching (case of
 * actions, `?` and `*`, the three comparison modes), Principal as "*", a map,
 * lists, NotPrincipal, restricting and non-restricting conditions
 * (IfExists, ForAnyValue, ForAllValues, negated operators, wildcard values),
 * explicit Deny, admin-style checks with NotAction, cross-account
 * principals, and hostile inputs (malformed documents, wrong argument
 * types, oversized documents and patterns, a pattern-matching storm), which
 * must be errors, never crashes or wrong answers.
 *
 * Policy shapes follow the AWS IAM User Guide's policy element reference;
 * the documents themselves are made up for these tests.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../../plugins/aws/policy_doc.h"
#include "../../plugins/aws/policy_fn.h"
#include "../support/test_check.h"

/* Run @fn on "[DOC, ARGS...]" and return the result text (static buffer);
 * *rc gets the return code. */
static const char *call(const char *fn, const char *args, int *rc)
{
    static char out[4096];
    char *r = NULL;
    *rc = aws_policy_call(fn, args, &r);
    snprintf(out, sizeof out, "%s", r ? r : "(null)");
    free(r);
    return out;
}

/* The boolean answer of @fn, or -1 when it failed. */
static int yes(const char *fn, const char *args)
{
    int rc;
    const char *r = call(fn, args, &rc);
    if (rc != 0)
        return -1;
    return strcmp(r, "true") == 0 ? 1 : strcmp(r, "false") == 0 ? 0 : -2;
}

#define PUB "aws.policy.allows_public"
#define XACCT "aws.policy.allows_cross_account"
#define ACT "aws.policy.allows_action"
#define PUBACT "aws.policy.public_actions"

/* A one-statement resource policy: Allow PRINCIPAL ACTION on the objects of bucket b [CONDITION]. */
static char *stmt1(const char *principal, const char *action, const char *condition, const char *query)
{
    static char buf[4096];
    snprintf(buf, sizeof buf,
             "[{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":%s,\"Action\":%s,"
             "\"Resource\":\"arn:aws:s3:::b/*\"%s%s}]},\"%s\"]",
             principal, action, condition ? ",\"Condition\":" : "", condition ? condition : "", query);
    return buf;
}

static void test_glob(void)
{
    unsigned long budget = 1000000;
    CHECK(awsp_glob("s3:Get*", "s3:GetObject", AWSP_MATCH, 1, &budget) == 1, "prefix star");
    CHECK(awsp_glob("S3:GETOBJECT", "s3:getobject", AWSP_MATCH, 1, &budget) == 1, "actions ignore case");
    CHECK(awsp_glob("arn:aws:s3:::B/*", "arn:aws:s3:::b/x", AWSP_MATCH, 0, &budget) == 0, "resources keep case");
    CHECK(awsp_glob("s3:Get?bject", "s3:GetObject", AWSP_MATCH, 1, &budget) == 1, "? is one character");
    CHECK(awsp_glob("s3:Get?bject", "s3:Getbject", AWSP_MATCH, 1, &budget) == 0, "? is not zero characters");
    CHECK(awsp_glob("s3:Get?bject", "s3:GetOObject", AWSP_MATCH, 1, &budget) == 0, "? is not two characters");
    CHECK(awsp_glob("*", "", AWSP_MATCH, 1, &budget) == 1, "* matches nothing too");
    CHECK(awsp_glob("a*b*c", "axxbyyc", AWSP_MATCH, 1, &budget) == 1, "two stars");
    CHECK(awsp_glob("a*b*c", "axxbyy", AWSP_MATCH, 1, &budget) == 0, "two stars, missing end");
    CHECK(awsp_glob("s3:*", "s3:*", AWSP_MATCH, 1, &budget) == 1, "a literal * in the text");
    CHECK(awsp_glob("s3:GetObject", "s3:*", AWSP_MATCH, 1, &budget) == 0, "a letter does not match a literal *");
    /* intersection: is there an action both name? */
    CHECK(awsp_glob("s3:Get*", "s3:*Object", AWSP_INTERSECT, 1, &budget) == 1, "s3:Get* meets s3:*Object");
    CHECK(awsp_glob("s3:Get*", "s3:Put*", AWSP_INTERSECT, 1, &budget) == 0, "s3:Get* misses s3:Put*");
    CHECK(awsp_glob("*", "iam:PassRole", AWSP_INTERSECT, 1, &budget) == 1, "* meets anything");
    CHECK(awsp_glob("iam:?assRole", "IAM:P*", AWSP_INTERSECT, 1, &budget) == 1, "? and * meet, case folded");
    CHECK(awsp_glob("kms:Decrypt", "kms:Encrypt", AWSP_INTERSECT, 1, &budget) == 0, "two different actions");
    /* covering: does a match everything b matches? */
    CHECK(awsp_glob("*", "*:*", AWSP_COVERS, 1, &budget) == 1, "* covers *:*");
    CHECK(awsp_glob("*:*", "*:*", AWSP_COVERS, 1, &budget) == 1, "*:* covers itself");
    CHECK(awsp_glob("iam:*", "*:*", AWSP_COVERS, 1, &budget) == 0, "iam:* does not cover *:*");
    CHECK(awsp_glob("s3:*", "s3:Get*", AWSP_COVERS, 1, &budget) == 1, "s3:* covers s3:Get*");
    CHECK(awsp_glob("s3:Get*", "s3:*", AWSP_COVERS, 1, &budget) == 0, "s3:Get* does not cover s3:*");
    CHECK(awsp_glob("s3:?", "s3:*", AWSP_COVERS, 1, &budget) == 0, "? does not cover *");
    CHECK(awsp_glob("s3:?etObject", "s3:GetObject", AWSP_COVERS, 1, &budget) == 1, "? covers a letter");
    CHECK(awsp_glob("s3:GetObject", "s3:?etObject", AWSP_COVERS, 1, &budget) == 0, "a letter does not cover ?");
    /* bounds */
    char *big = malloc(AWSP_MAX_PATTERN + 2);
    memset(big, 'a', AWSP_MAX_PATTERN + 1);
    big[AWSP_MAX_PATTERN + 1] = '\0';
    CHECK(awsp_glob(big, "a", AWSP_MATCH, 1, NULL) == -1, "a pattern over the cap is refused");
    big[AWSP_MAX_PATTERN] = '\0';
    CHECK(awsp_glob(big, big, AWSP_MATCH, 1, NULL) == 1, "a pattern at the cap works");
    unsigned long small = 10;
    CHECK(awsp_glob(big, big, AWSP_MATCH, 1, &small) == -1, "an exhausted budget is reported");
    free(big);
}

static void test_principals(void)
{
    CHECK(yes(PUB, stmt1("\"*\"", "\"s3:GetObject\"", NULL, "s3:GetObject")) == 1, "Principal *");
    CHECK(yes(PUB, stmt1("{\"AWS\":\"*\"}", "\"s3:GetObject\"", NULL, "s3:GetObject")) == 1, "AWS *");
    CHECK(yes(PUB, stmt1("{\"AWS\":[\"arn:aws:iam::111122223333:root\",\"*\"]}", "\"s3:GetObject\"", NULL,
                         "s3:GetObject")) == 1,
          "* inside a list");
    CHECK(yes(PUB, stmt1("{\"AWS\":[\"arn:aws:iam::111122223333:root\"]}", "\"s3:GetObject\"", NULL,
                         "s3:GetObject")) == 0,
          "one named account is not public");
    CHECK(yes(PUB, stmt1("{\"Service\":\"cloudtrail.amazonaws.com\"}", "\"s3:PutObject\"", NULL, "s3:PutObject")) ==
              0,
          "a service principal is not public");
    CHECK(yes(PUB, stmt1("{\"CanonicalUser\":\"*\"}", "\"s3:GetObject\"", NULL, "s3:GetObject")) == 1,
          "* of any principal type counts");
    /* Allow with NotPrincipal: everyone but the listed */
    CHECK(yes(PUB, "[{\"Statement\":{\"Effect\":\"Allow\","
                   "\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},"
                   "\"Action\":\"s3:*\",\"Resource\":\"*\"}},\"s3:GetObject\"]") == 1,
          "Allow + NotPrincipal is public");
    /* a single statement object instead of a list */
    CHECK(yes(PUB, "[{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\"}},"
                   "\"s3:GetObject\"]") == 1,
          "Statement as one object");
    /* a Deny with Principal * is not a grant */
    CHECK(yes(PUB, "[{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\"}]},"
                   "\"s3:GetObject\"]") == 0,
          "Deny alone grants nothing");
}

static void test_actions(void)
{
    CHECK(yes(PUB, stmt1("\"*\"", "\"S3:getobject\"", NULL, "s3:GetObject")) == 1, "action case ignored");
    CHECK(yes(PUB, stmt1("\"*\"", "[\"s3:Get*\"]", NULL, "s3:GetObject")) == 1, "action wildcard");
    CHECK(yes(PUB, stmt1("\"*\"", "[\"s3:Get*\"]", NULL, "s3:PutObject")) == 0, "wildcard not matching");
    CHECK(yes(PUB, stmt1("\"*\"", "\"s3:GetObjec?\"", NULL, "s3:GetObject")) == 1, "? in an action");
    CHECK(yes(PUB, stmt1("\"*\"", "\"s3:GetObject\"", NULL, "s3:*")) == 1, "query pattern meets the action");
    CHECK(yes(PUB, stmt1("\"*\"", "\"s3:GetObject\"", NULL, "kms:*")) == 0, "another service");
    CHECK(yes(PUB, "[{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"NotAction\":\"s3:Delete*\"}]},"
                   "\"s3:GetObject\"]") == 1,
          "NotAction leaves GetObject public");
    CHECK(yes(PUB, "[{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"NotAction\":\"s3:*\"}]},"
                   "\"s3:GetObject\"]") == 0,
          "NotAction s3:* excludes every S3 action");
    CHECK(yes(PUB, "[{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"NotAction\":\"s3:Get*\"}]},"
                   "\"s3:*\"]") == 1,
          "NotAction s3:Get* still leaves other S3 actions");
}

static void test_conditions(void)
{
    const char *q = "s3:GetObject";
    const char *a = "\"s3:GetObject\"";
    const char *p = "\"*\"";
    CHECK(yes(PUB, stmt1(p, a, "{\"StringEquals\":{\"aws:SourceAccount\":\"111122223333\"}}", q)) == 0,
          "SourceAccount restricts");
    CHECK(yes(PUB, stmt1(p, a, "{\"StringEquals\":{\"AWS:SOURCEACCOUNT\":\"111122223333\"}}", q)) == 0,
          "condition keys ignore case");
    CHECK(yes(PUB, stmt1(p, a, "{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:cloudfront::111122223333:distribution/E1\"}}",
                         q)) == 0,
          "SourceArn restricts");
    CHECK(yes(PUB, stmt1(p, a, "{\"StringEquals\":{\"aws:SourceVpce\":\"vpce-1a2b3c4d\"}}", q)) == 0,
          "SourceVpce restricts");
    CHECK(yes(PUB, stmt1(p, a, "{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-a1b2c3d4e5\"}}", q)) == 0,
          "PrincipalOrgID restricts");
    CHECK(yes(PUB, stmt1(p, a, "{\"IpAddress\":{\"aws:SourceIp\":[\"192.0.2.0/24\",\"203.0.113.7/32\"]}}", q)) == 0,
          "SourceIp restricts");
    CHECK(yes(PUB, stmt1(p, a, "{\"IpAddress\":{\"aws:SourceIp\":\"0.0.0.0/0\"}}", q)) == 1,
          "SourceIp 0.0.0.0/0 does not restrict");
    CHECK(yes(PUB, stmt1(p, a, "{\"IpAddress\":{\"aws:SourceIp\":[\"192.0.2.0/24\",\"::/0\"]}}", q)) == 1,
          "a list with ::/0 does not restrict");
    CHECK(yes(PUB, stmt1(p, a, "{\"StringLike\":{\"aws:SourceArn\":\"*\"}}", q)) == 1, "a * value does not restrict");
    CHECK(yes(PUB, stmt1(p, a, "{\"StringEqualsIfExists\":{\"aws:SourceAccount\":\"111122223333\"}}", q)) == 1,
          "IfExists holds for callers without the key: not restricting");
    CHECK(yes(PUB, stmt1(p, a, "{\"ForAllValues:StringEquals\":{\"aws:PrincipalOrgPaths\":\"o-a/r-b/ou-c/\"}}", q)) ==
              1,
          "ForAllValues holds for an absent key: not restricting");
    CHECK(yes(PUB, stmt1(p, a, "{\"ForAnyValue:StringLike\":{\"aws:PrincipalOrgPaths\":\"o-a/r-b/ou-c/*\"}}", q)) ==
              0,
          "ForAnyValue needs a value: restricting");
    CHECK(yes(PUB, stmt1(p, a, "{\"StringNotEquals\":{\"aws:SourceAccount\":\"111122223333\"}}", q)) == 1,
          "a negated operator does not restrict");
    CHECK(yes(PUB, stmt1(p, a, "{\"Bool\":{\"aws:SecureTransport\":\"true\"}}", q)) == 1,
          "SecureTransport does not restrict who");
    CHECK(yes(PUB, stmt1(p, a, "{\"StringEquals\":{\"sts:ExternalId\":\"x\"}}", q)) == 1,
          "an external id is not a restriction of who");
    CHECK(yes(PUB, stmt1(p, a, "{\"StringEquals\":{\"aws:SourceAccount\":[]}}", q)) == 1,
          "an empty value list does not restrict");
    CHECK(yes(PUB, stmt1(p, a,
                         "{\"Bool\":{\"aws:SecureTransport\":\"true\"},\"StringEquals\":{\"aws:SourceAccount\":"
                         "111122223333}}",
                         q)) == 0,
          "one restricting condition among others is enough (a number value counts)");
}

static void test_deny(void)
{
    const char *base =
        "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}";
    char buf[2048];
    snprintf(buf, sizeof buf, "[{\"Statement\":[%s,{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\","
                              "\"Resource\":\"arn:aws:s3:::b/*\"}]},\"s3:GetObject\"]", base);
    CHECK(yes(PUB, buf) == 0, "an unconditional Deny for everyone wins");
    snprintf(buf, sizeof buf, "[{\"Statement\":[%s,{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\","
                              "\"Resource\":\"arn:aws:s3:::b/private/*\"}]},\"s3:GetObject\"]", base);
    CHECK(yes(PUB, buf) == 1, "a Deny on part of the resources does not");
    snprintf(buf, sizeof buf, "[{\"Statement\":[%s,{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\","
                              "\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]},"
                              "\"s3:GetObject\"]", base);
    CHECK(yes(PUB, buf) == 1, "a conditional Deny (TLS only) does not");
    snprintf(buf, sizeof buf, "[{\"Statement\":[%s,{\"Effect\":\"Deny\","
                              "\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},"
                              "\"Action\":\"s3:*\",\"Resource\":\"*\"}]},\"s3:GetObject\"]", base);
    CHECK(yes(PUB, buf) == 1, "a Deny for one account does not");
    snprintf(buf, sizeof buf, "[{\"Statement\":[%s,{\"Effect\":\"Deny\",\"Principal\":\"*\","
                              "\"NotAction\":\"s3:PutObject\","
                              "\"Resource\":\"*\"}]},\"s3:GetObject\"]", base);
    CHECK(yes(PUB, buf) == 0, "a Deny with NotAction that leaves only PutObject covers GetObject");
    /* public_actions honours the Deny per action */
    int rc;
    snprintf(buf, sizeof buf,
             "[{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":[\"s3:GetObject\",\"S3:GETOBJECT\","
             "\"s3:PutObject\",\"s3:List*\"],\"Resource\":\"*\"},{\"Effect\":\"Deny\",\"Principal\":\"*\","
             "\"Action\":\"s3:Put*\",\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Principal\":\"*\","
             "\"NotAction\":\"iam:*\","
             "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:SourceVpc\":\"vpc-1\"}}}]}]");
    const char *r = call(PUBACT, buf, &rc);
    CHECK(rc == 0 && strcmp(r, "[\"s3:GetObject\",\"s3:List*\"]") == 0, "public_actions: got %s", r);
    r = call(PUBACT, "[{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"NotAction\":\"iam:*\"}]}]", &rc);
    CHECK(rc == 0 && strcmp(r, "[\"*\"]") == 0, "NotAction reads as *: got %s", r);
    r = call(PUBACT, "[null]", &rc);
    CHECK(rc == 0 && strcmp(r, "[]") == 0, "no policy, no public action: got %s", r);
}

static void test_allows_action(void)
{
    const char *admin = "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}";
    char buf[2048];
    snprintf(buf, sizeof buf, "[%s,\"*:*\",\"*\"]", admin);
    CHECK(yes(ACT, buf) == 1, "Action * is full admin");
    CHECK(yes(ACT, "[{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*:*\",\"Resource\":\"*\"}]},\"*:*\","
                   "\"*\"]") == 1,
          "Action *:* is full admin");
    CHECK(yes(ACT, "[{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:*\",\"Resource\":\"*\"}]},\"*:*\","
                   "\"*\"]") ==
              0,
          "iam:* is not full admin");
    CHECK(yes(ACT, "[{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:*\",\"Resource\":\"*\"}]},\"iam:PassRole\","
                   "\"*\"]") == 1,
          "iam:* grants iam:PassRole");
    CHECK(yes(ACT, "[{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"IAM:pass*\",\"Resource\":\"*\"}]},"
                   "\"iam:PassRole\"]") ==
              1,
          "case and wildcard in the policy");
    CHECK(yes(ACT, "[{\"Statement\":[{\"Effect\":\"Allow\",\"NotAction\":\"iam:*\",\"Resource\":\"*\"}]},"
                   "\"s3:*\",\"*\"]") ==
              1,
          "Allow + NotAction iam:* grants all of S3");
    CHECK(yes(ACT, "[{\"Statement\":[{\"Effect\":\"Allow\",\"NotAction\":\"iam:*\",\"Resource\":\"*\"}]},"
                   "\"*:*\",\"*\"]") ==
              0,
          "but not everything");
    CHECK(yes(ACT, "[{\"Statement\":[{\"Effect\":\"Allow\",\"NotAction\":\"iam:Delete*\",\"Resource\":\"*\"}]},"
                   "\"iam:PassRole\",\"*\"]") == 1,
          "NotAction iam:Delete* still grants iam:PassRole");
    CHECK(yes(ACT, "[{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"arn:aws:s3:::b\"}]},\"*:*\","
                   "\"*\"]") == 0,
          "admin on one resource is not admin on *");
    CHECK(yes(ACT, "[{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
                   "\"Resource\":\"arn:aws:s3:::b\"}]},\"*:*\"]") ==
              1,
          "without a resource: some resource");
    CHECK(yes(ACT, "[{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"NotResource\":\"*\"}]},\"*:*\"]") == 0,
          "NotResource * grants nothing");
    CHECK(yes(ACT, "[{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
                   "\"NotResource\":\"arn:aws:s3:::secret/*\"}]},"
                   "\"s3:GetObject\",\"arn:aws:s3:::public/x\"]") == 1,
          "NotResource leaves other resources");
    CHECK(yes(ACT, "[{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
                   "\"NotResource\":\"arn:aws:s3:::secret/*\"}]},"
                   "\"s3:GetObject\",\"arn:aws:s3:::secret/x\"]") == 0,
          "NotResource excludes its resources");
    snprintf(buf, sizeof buf,
             "[{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},"
             "{\"Effect\":\"Deny\",\"Action\":\"*\","
             "\"Resource\":\"*\"}]},\"*:*\",\"*\"]");
    CHECK(yes(ACT, buf) == 0, "a Deny of everything takes it all back");
    snprintf(buf, sizeof buf,
             "[{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},"
             "{\"Effect\":\"Deny\",\"Action\":"
             "\"iam:DeleteRole\",\"Resource\":\"*\"}]},\"*:*\",\"*\"]");
    CHECK(yes(ACT, buf) == 1, "a Deny of one action leaves an admin grant");
    snprintf(buf, sizeof buf,
             "[{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},"
             "{\"Effect\":\"Deny\",\"Action\":\"*\","
             "\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"false\"}}}]},"
             "\"*:*\",\"*\"]");
    CHECK(yes(ACT, buf) == 1, "a conditional Deny leaves it");
    CHECK(yes(ACT, "[{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"Bool\":"
                   "{\"aws:MultiFactorAuthPresent\":\"true\"}}}]},\"*:*\",\"*\"]") == 1,
          "a condition on the Allow still grants (MFA users are admins)");
    CHECK(yes(ACT, "[null,\"*:*\"]") == 0, "no policy allows nothing");
}

static void test_cross_account(void)
{
    const char *own = "111122223333";
    char buf[2048];
#define TRUST(P, C)                                                                                               \
    snprintf(buf, sizeof buf,                                                                                     \
             "[{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":%s,\"Action\":\"sts:AssumeRole\"%s}]},\"%s\"]", \
             P, C, own)
    TRUST("{\"AWS\":\"arn:aws:iam::444455556666:root\"}", "");
    CHECK(yes(XACCT, buf) == 1, "another account's root");
    TRUST("{\"AWS\":\"444455556666\"}", "");
    CHECK(yes(XACCT, buf) == 1, "another account's bare id");
    TRUST("{\"AWS\":[\"arn:aws:iam::111122223333:role/admin\"]}", "");
    CHECK(yes(XACCT, buf) == 0, "a role of the own account");
    TRUST("{\"Service\":\"ec2.amazonaws.com\"}", "");
    CHECK(yes(XACCT, buf) == 0, "a service");
    TRUST("{\"Federated\":\"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com\"}", "");
    CHECK(yes(XACCT, buf) == 0, "an OIDC provider of the own account");
    TRUST("{\"Federated\":\"accounts.google.com\"}", "");
    CHECK(yes(XACCT, buf) == 1, "a web identity provider outside the account");
    TRUST("\"*\"", "");
    CHECK(yes(XACCT, buf) == 1, "everyone");
    TRUST("\"*\"", ",\"Condition\":{\"StringEquals\":{\"aws:PrincipalAccount\":\"111122223333\"}}");
    CHECK(yes(XACCT, buf) == 0, "everyone, limited to the own account");
    TRUST("\"*\"", ",\"Condition\":{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::111122223333:role/*\"}}");
    CHECK(yes(XACCT, buf) == 0, "everyone, limited to the own account's roles");
    TRUST("\"*\"", ",\"Condition\":{\"StringEquals\":{\"aws:PrincipalAccount\":[\"111122223333\",\"444455556666\"]}}");
    CHECK(yes(XACCT, buf) == 1, "limited to two accounts, one of them another");
    TRUST("\"*\"", ",\"Condition\":{\"StringEqualsIfExists\":{\"aws:PrincipalAccount\":\"111122223333\"}}");
    CHECK(yes(XACCT, buf) == 1, "IfExists is no limit");
    snprintf(buf, sizeof buf,
             "[{\"Statement\":[{\"Effect\":\"Allow\",\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},"
             "\"Action\":\"*\"}]},\"%s\"]",
             own);
    CHECK(yes(XACCT, buf) == 1, "NotPrincipal");
    CHECK(yes(XACCT, "[{\"Statement\":[]},\"12345\"]") == -1, "the own account must be 12 digits");
    CHECK(yes(XACCT, "[null,\"111122223333\"]") == 0, "no policy");
#undef TRUST
}

static void test_hostile(void)
{
    int rc;
    const char *r;
    r = call(PUB, "[{\"Statement\":[{\"Effect\":\"allow\",\"Principal\":\"*\",\"Action\":\"s3:*\"}]},"
                  "\"s3:GetObject\"]", &rc);
    CHECK(rc != 0 && strstr(r, "aws.policy.allows_public: Statement[0].Effect: must be \"Allow\" or \"Deny\""),
          "Effect is case-sensitive: %s", r);
    r = call(PUB, "[{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\"}]},\"s3:GetObject\"]", &rc);
    CHECK(rc != 0 && strstr(r, "Statement[0]: needs exactly one of Action and NotAction"), "no Action: %s", r);
    r = call(PUB, "[{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"a\",\"NotAction\":\"b\"}]},"
                  "\"s3:GetObject\"]",
             &rc);
    CHECK(rc != 0 && strstr(r, "exactly one of Action and NotAction"), "both: %s", r);
    r = call(PUB, "[{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":[\"s3:GetObject\",7]}]},"
                  "\"s3:GetObject\"]",
             &rc);
    CHECK(rc != 0 && strstr(r, "Statement[0].Action: not a string or a list of strings"), "number in Action: %s", r);
    r = call(PUB, "[{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"arn:aws:iam::111122223333:root\","
                  "\"Action\":\"s3:*\"}]},\"s3:GetObject\"]",
             &rc);
    CHECK(rc != 0 && strstr(r, "Principal: a string principal must be \"*\""), "string principal: %s", r);
    r = call(PUB, "[{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":[\"*\"],\"Action\":\"s3:*\"}]},"
                  "\"s3:GetObject\"]",
             &rc);
    CHECK(rc != 0 && strstr(r, "Principal: not \"*\" or an object"), "list principal: %s", r);
    r = call(PUB, "[{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":{\"x\":1}},\"Action\":\"s3:*\"}]},"
                  "\"s3:GetObject\"]",
             &rc);
    CHECK(rc != 0 && strstr(r, "Principal: not a string or a list of strings"), "nested principal: %s", r);
    r = call(PUB, "[{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Condition\":"
                  "{\"StringEquals\":\"x\"}}]},\"s3:GetObject\"]",
             &rc);
    CHECK(rc != 0 && strstr(r, "Condition: an operator's value is not an object of keys"), "bad condition: %s", r);
    r = call(PUB, "[{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Condition\":"
                  "{\"StringEquals\":{\"aws:SourceAccount\":{\"a\":1}}}}]},\"s3:GetObject\"]",
             &rc);
    CHECK(rc != 0 && strstr(r, "a key's value is not a string"), "object condition value: %s", r);
    r = call(PUB, "[{\"Version\":\"2012-10-17\"},\"s3:GetObject\"]", &rc);
    CHECK(rc != 0 && strstr(r, "the policy has no Statement"), "no Statement: %s", r);
    r = call(PUB, "[{\"Statement\":\"x\"},\"s3:GetObject\"]", &rc);
    CHECK(rc != 0 && strstr(r, "Statement: not an object or a list"), "string Statement: %s", r);
    r = call(PUB, "[{\"Statement\":[1]},\"s3:GetObject\"]", &rc);
    CHECK(rc != 0 && strstr(r, "Statement[0]: not an object"), "number statement: %s", r);
    r = call(PUB, "[[1,2],\"s3:GetObject\"]", &rc);
    CHECK(rc != 0 && strstr(r, "must be a policy document"), "a list document: %s", r);
    r = call(PUB, "[\"{not json\",\"s3:GetObject\"]", &rc);
    CHECK(rc != 0 && strstr(r, "the policy text is not JSON"), "bad JSON text: %s", r);
    r = call(PUB, "[{\"Statement\":[]},\"\"]", &rc);
    CHECK(rc != 0 && strstr(r, "the second argument must be a non-empty string"), "empty action: %s", r);
    r = call(PUB, "[{\"Statement\":[]},42]", &rc);
    CHECK(rc != 0 && strstr(r, "second argument"), "number action: %s", r);
    r = call(PUB, "[{\"Statement\":[]}]", &rc);
    CHECK(rc != 0 && strstr(r, "expects 2 to 2 arguments"), "arity: %s", r);
    r = call(ACT, "[{\"Statement\":[]},\"s3:GetObject\",7]", &rc);
    CHECK(rc != 0 && strstr(r, "third argument"), "number resource: %s", r);
    r = call(PUB, "not json", &rc);
    CHECK(rc != 0, "arguments that are not JSON: %s", r);
    r = call("aws.policy.nope", "[]", &rc);
    CHECK(rc != 0, "an unknown function");
    CHECK(yes(PUB, "[{\"Statement\":[]},\"s3:GetObject\"]") == 0, "no statement grants nothing");
    /* the policy as JSON text works like the map */
    CHECK(yes(PUB, "[\"{\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":\\\"*\\\",\\\"Action\\\":"
                   "\\\"s3:GetObject\\\"}]}\",\"s3:GetObject\"]") == 1,
          "policy text");

    /* oversized: a document text over the cap, too many statements, a long action */
    size_t big = AWSP_MAX_DOC_BYTES + 100;
    char *args = malloc(big + 64);
    memcpy(args, "[\"", 2);
    memset(args + 2, ' ', big);
    memcpy(args + 2 + big, "\",\"s3:GetObject\"]", sizeof "\",\"s3:GetObject\"]");
    r = call(PUB, args, &rc);
    CHECK(rc != 0 && strstr(r, "larger than"), "oversized text: %s", r);
    free(args);

    size_t cap = 64 + (AWSP_MAX_STATEMENTS + 1) * 48;
    args = malloc(cap);
    size_t o = (size_t)snprintf(args, cap, "[{\"Statement\":[");
    for (int i = 0; i <= AWSP_MAX_STATEMENTS; i++)
        o += (size_t)snprintf(args + o, cap - o, "%s{\"Effect\":\"Deny\",\"Action\":\"x:y\"}", i ? "," : "");
    snprintf(args + o, cap - o, "]},\"s3:GetObject\"]");
    r = call(PUB, args, &rc);
    CHECK(rc != 0 && strstr(r, "more than 1000 statements"), "too many statements: %s", r);
    free(args);

    args = malloc(AWSP_MAX_PATTERN + 200);
    o = (size_t)snprintf(args, 100, "[{\"Statement\":[]},\"");
    memset(args + o, 'a', AWSP_MAX_PATTERN + 1);
    memcpy(args + o + AWSP_MAX_PATTERN + 1, "\"]", sizeof "\"]");
    r = call(PUB, args, &rc);
    CHECK(rc != 0 && strstr(r, "second argument"), "a long action: %s", r);
    free(args);

    /* a pattern-matching storm: many long star patterns against a long
     * query must end quickly, with an answer or a "too complex" error */
    size_t n = 400, plen = 2000;
    cap = n * (plen + 8) + 4096;
    args = malloc(cap);
    o = (size_t)snprintf(args, cap, "[{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":[");
    for (size_t i = 0; i < n; i++) {
        args[o++] = i ? ',' : ' ';
        args[o++] = '"';
        for (size_t k = 0; k < plen; k++)
            args[o++] = (k % 2) ? '*' : 'a';
        args[o++] = 'b';
        args[o++] = '"';
    }
    o += (size_t)snprintf(args + o, cap - o, "]}]},\"");
    for (size_t k = 0; k < plen; k++)
        args[o++] = 'a';
    snprintf(args + o, cap - o, "\"]");
    uint64_t t0 = test_now_ms();
    r = call(PUB, args, &rc);
    uint64_t dt = test_now_ms() - t0;
    CHECK(dt < 5000, "the storm took %llu ms", (unsigned long long)dt);
    CHECK(rc != 0 && strstr(r, "too complex"), "the storm is refused as too complex: %.120s", r);
    free(args);
}

int main(void)
{
    RUN(test_glob);
    RUN(test_principals);
    RUN(test_actions);
    RUN(test_conditions);
    RUN(test_deny);
    RUN(test_allows_action);
    RUN(test_cross_account);
    RUN(test_hostile);
    return test_summary();
}
