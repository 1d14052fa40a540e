# plugins/gcp: build fragment (included from the top Makefile.am)
#
# The `gcp` provider: OAuth2 tokens (service-account key JWT RS256,
# authorized_user refresh token, metadata server), scope (projects of an
# organization or folder), and collectors of projects/IAM/logging, service
# accounts, Cloud Storage, Compute Engine, Cloud SQL, GKE, DNS, KMS, BigQuery,
# API keys, Essential Contacts and load balancing.
GCP_PLUGIN_SOURCES = \
	plugins/gcp/gcp.c plugins/gcp/gcp_ctx.h plugins/gcp/gcp_auth.c plugins/gcp/gcp_api.c \
	plugins/gcp/gcp_scope.c plugins/gcp/gcp_emit.c plugins/gcp/collect_gcp.c plugins/gcp/collect_compute.c \
	plugins/gcp/collect_project.c plugins/gcp/collect_services.c plugins/gcp/collect_platform.c
GCP_PLUGIN_CFLAGS = $(CJSON_CFLAGS) $(OPENSSL_CFLAGS) -pthread
GCP_PLUGIN_LIBS = $(CJSON_LIBS) $(OPENSSL_LIBS) -lpthread

plugins_LTLIBRARIES += plugins/gcp/gcp.la
plugins_gcp_gcp_la_SOURCES = $(GCP_PLUGIN_SOURCES)
plugins_gcp_gcp_la_CFLAGS = $(PLUGIN_CFLAGS) $(GCP_PLUGIN_CFLAGS)
plugins_gcp_gcp_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_gcp_gcp_la_LIBADD = $(GCP_PLUGIN_LIBS)

# The whole plugin against a local HTTPS Google stand-in that verifies the
# service-account assertion's RS256 signature (python3, openssl): auth and
# the first collectors (gcp_scan), every collector with the GCP rule pack
# (gcp_collect), organization scope and API faults (gcp_org), hostile answers
# (gcp_hostile), API keys, Essential Contacts, DNS policies, load balancing and
# inherited IAM bindings with their rules (gcp_services).
TESTS += tests/integration/gcp_scan.sh tests/integration/gcp_collect.sh tests/integration/gcp_org.sh \
	tests/integration/gcp_hostile.sh tests/integration/gcp_services.sh
EXTRA_DIST += tests/integration/gcp_scan.sh tests/integration/gcp_collect.sh tests/integration/gcp_org.sh \
	tests/integration/gcp_hostile.sh tests/integration/gcp_services.sh \
	tests/integration/gcp_lib.sh tests/support/gcp_mock.py docs/gcp.md contrib/bench/gcp_bench.sh

# The service-account assertion (verified with the key's public half), encoders.
check_PROGRAMS += tests/unit/test_gcp
TESTS += tests/unit/test_gcp
tests_unit_test_gcp_SOURCES = tests/unit/test_gcp.c $(GCP_PLUGIN_SOURCES) tests/support/test_check.h
tests_unit_test_gcp_CFLAGS = $(AM_CFLAGS) $(GCP_PLUGIN_CFLAGS)
tests_unit_test_gcp_LDADD = $(GCP_PLUGIN_LIBS)
