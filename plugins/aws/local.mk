# plugins/aws: build fragment (included from the top Makefile.am)
#
# The `aws` provider: SigV4, the SDK credential chain, query/EC2 XML,
# REST-XML (S3), JSON 1.1 and REST-JSON over host->http; collectors for IAM,
# S3, EC2, CloudTrail, KMS, RDS, Lambda, EKS, Config, GuardDuty and the
# CloudWatch monitoring of the CIS controls; many accounts through aws.role.
# Needs expat: configure.ac provides EXPAT_CFLAGS / EXPAT_LIBS
# (PKG_CHECK_MODULES([EXPAT], [expat >= 2.2]); Debian libexpat1-dev).
AWS_PLUGIN_SOURCES = \
	plugins/aws/aws.c plugins/aws/aws_ctx.h \
	plugins/aws/aws_buf.c plugins/aws/aws_buf.h \
	plugins/aws/sigv4.c plugins/aws/sigv4.h \
	plugins/aws/aws_xml.c plugins/aws/aws_xml.h \
	plugins/aws/aws_client.c plugins/aws/aws_client.h \
	plugins/aws/aws_emit.c plugins/aws/aws_emit.h \
	plugins/aws/pagination.c plugins/aws/pagination.h \
	plugins/aws/regions.c plugins/aws/regions.h \
	plugins/aws/aws_creds.h plugins/aws/aws_ini.c plugins/aws/aws_ini.h \
	plugins/aws/cred_chain.c plugins/aws/cred_env.c plugins/aws/cred_profile.c \
	plugins/aws/cred_process.c plugins/aws/cred_sts.c plugins/aws/cred_web_identity.c \
	plugins/aws/cred_ecs.c plugins/aws/cred_imds.c plugins/aws/cred_http.c plugins/aws/cred_http.h \
	plugins/aws/collectors.h plugins/aws/collect_ec2.c plugins/aws/collect_s3.c plugins/aws/collect_iam.c \
	plugins/aws/collect_iam_root.c plugins/aws/collect_iam_extra.c plugins/aws/collect_common.c plugins/aws/aws_json.c plugins/aws/aws_json.h \
	plugins/aws/collect_cloudtrail.c plugins/aws/collect_kms.c plugins/aws/collect_rds.c \
	plugins/aws/collect_lambda.c plugins/aws/collect_eks.c plugins/aws/collect_config.c \
	plugins/aws/collect_monitoring.c plugins/aws/accounts.c plugins/aws/accounts.h \
	plugins/aws/collect_security.c \
	plugins/aws/collect_sns.c plugins/aws/collect_sqs.c plugins/aws/collect_secrets.c \
	plugins/aws/collect_elbv2.c plugins/aws/collect_acm.c plugins/aws/collect_iam_groups.c \
	plugins/aws/iam_calls.c plugins/aws/iam_calls.h \
	plugins/aws/collect_ebs_images.c
# the aws.policy.* CEL functions (the plugin's policy kind)
AWS_PLUGIN_SOURCES += plugins/aws/policy_doc.c plugins/aws/policy_doc.h plugins/aws/policy_fn.c plugins/aws/policy_fn.h
AWS_PLUGIN_CFLAGS = $(CJSON_CFLAGS) $(EXPAT_CFLAGS) $(OPENSSL_CFLAGS) -pthread
AWS_PLUGIN_LIBS = $(CJSON_LIBS) $(EXPAT_LIBS) $(OPENSSL_LIBS) -lpthread

plugins_LTLIBRARIES += plugins/aws/aws.la
plugins_aws_aws_la_SOURCES = $(AWS_PLUGIN_SOURCES)
plugins_aws_aws_la_CFLAGS = $(PLUGIN_CFLAGS) $(AWS_PLUGIN_CFLAGS)
plugins_aws_aws_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_aws_aws_la_LIBADD = $(AWS_PLUGIN_LIBS)

# SigV4 against both public suites (tests/fixtures/aws/sigv4, see SOURCE).
check_PROGRAMS += tests/unit/test_sigv4
TESTS += tests/unit/test_sigv4
tests_unit_test_sigv4_SOURCES = tests/unit/test_sigv4.c plugins/aws/sigv4.c plugins/aws/aws_buf.c \
	tests/support/test_check.h
tests_unit_test_sigv4_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(OPENSSL_CFLAGS)
tests_unit_test_sigv4_LDADD = $(CJSON_LIBS) $(OPENSSL_LIBS)

# XML reader and credential sources (shared files, env, credential_process,
# STS/ECS/IMDS against a scripted local HTTP server; the core's HTTP client
# stands in for the host).
check_PROGRAMS += tests/unit/test_aws_creds
TESTS += tests/unit/test_aws_creds
tests_unit_test_aws_creds_SOURCES = tests/unit/test_aws_creds.c $(AWS_PLUGIN_SOURCES) \
	tests/support/aws_mock_host.c tests/support/aws_mock_host.h \
	tests/support/test_httpd.c tests/support/test_httpd.h tests/support/test_check.h
tests_unit_test_aws_creds_CPPFLAGS = $(AM_CPPFLAGS) $(CURL_CFLAGS)
tests_unit_test_aws_creds_CFLAGS = $(AM_CFLAGS) $(AWS_PLUGIN_CFLAGS)
tests_unit_test_aws_creds_LDADD = libparapet.la $(AWS_PLUGIN_LIBS) $(CURL_LIBS)

# Parsers of outside input used by the JSON collectors: JSON replies, the
# IAM credential report, log group ARNs (well-formed and hostile inputs).
check_PROGRAMS += tests/unit/test_aws_parse
TESTS += tests/unit/test_aws_parse
tests_unit_test_aws_parse_SOURCES = tests/unit/test_aws_parse.c $(AWS_PLUGIN_SOURCES) tests/support/test_check.h
tests_unit_test_aws_parse_CFLAGS = $(AM_CFLAGS) $(AWS_PLUGIN_CFLAGS)
tests_unit_test_aws_parse_LDADD = $(AWS_PLUGIN_LIBS)

# The aws.policy.* CEL functions: wildcards, principals, conditions, Deny,
# malformed and oversized documents.
check_PROGRAMS += tests/unit/test_aws_policy
TESTS += tests/unit/test_aws_policy
tests_unit_test_aws_policy_SOURCES = tests/unit/test_aws_policy.c plugins/aws/policy_doc.c plugins/aws/policy_doc.h \
	plugins/aws/policy_fn.c plugins/aws/policy_fn.h tests/support/test_check.h
tests_unit_test_aws_policy_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
tests_unit_test_aws_policy_LDADD = $(CJSON_LIBS)

# Many accounts: organizations:ListAccounts (pages, hostile answers),
# ExpiredToken on the chain and on account roles, aws_parallel_for.
check_PROGRAMS += tests/unit/test_aws_accounts
TESTS += tests/unit/test_aws_accounts
tests_unit_test_aws_accounts_SOURCES = tests/unit/test_aws_accounts.c $(AWS_PLUGIN_SOURCES) \
	tests/support/aws_mock_host.c tests/support/aws_mock_host.h \
	tests/support/test_httpd.c tests/support/test_httpd.h tests/support/test_check.h
tests_unit_test_aws_accounts_CPPFLAGS = $(AM_CPPFLAGS) $(CURL_CFLAGS)
tests_unit_test_aws_accounts_CFLAGS = $(AM_CFLAGS) $(AWS_PLUGIN_CFLAGS)
tests_unit_test_aws_accounts_LDADD = libparapet.la $(AWS_PLUGIN_LIBS) $(CURL_LIBS)

# The whole plugin through the CLI against a local HTTPS AWS mock that
# verifies every signature (python3, openssl).
TESTS += tests/integration/aws_scan.sh
# Many accounts through aws.role (AssumeRole with an external id, one refused account).
TESTS += tests/integration/aws_accounts.sh
# Malformed / truncated XML and JSON, a throttling storm, a stalled endpoint.
TESTS += tests/integration/aws_faults.sh
# SNS, SQS, Secrets Manager, ELBv2, ACM, IAM groups/providers, EBS snapshots and AMIs (tests/support/aws_mock_services.py).
TESTS += tests/integration/aws_services.sh
# AWS Organizations (aws.accounts=org) and role sessions that expire mid-task.
TESTS += tests/integration/aws_org.sh
EXTRA_DIST += tests/integration/aws_org.sh tests/support/aws_mock_org.py docs/aws-policy-functions.md \
	contrib/bench/aws_bench.sh contrib/bench/aws/estate_mock.py
EXTRA_DIST += tests/integration/aws_scan.sh tests/integration/aws_accounts.sh tests/integration/aws_faults.sh \
	tests/integration/aws_lib.sh tests/support/aws_mock.py tests/fixtures/aws docs/aws.md \
	tests/integration/aws_services.sh tests/support/aws_mock_services.py
