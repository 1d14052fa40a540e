# plugins/azure: build fragment (included from the top Makefile.am)
#
# The `azure` provider: Entra ID tokens (client secret, client certificate
# JWT RS256, managed identity, AZURE_* variables), ARM collectors, and the
# Blob data plane with Shared Key or SAS. Reuses the aws plugin's expat XML
# reader and byte buffer (plugins/aws/aws_xml.c, aws_buf.c).
AZURE_PLUGIN_SOURCES = \
	plugins/azure/azure.c plugins/azure/azure_ctx.h \
	plugins/azure/az_util.c plugins/azure/az_util.h \
	plugins/azure/az_token.c plugins/azure/az_token.h \
	plugins/azure/auth_secret.c plugins/azure/auth_cert.c plugins/azure/auth_msi.c \
	plugins/azure/arm_client.c plugins/azure/arm_client.h \
	plugins/azure/az_emit.c plugins/azure/az_emit.h \
	plugins/azure/storage_sharedkey.c plugins/azure/storage_sharedkey.h \
	plugins/azure/collectors.h plugins/azure/collect_arm.c plugins/azure/collect_blob.c \
	plugins/aws/aws_xml.c plugins/aws/aws_xml.h plugins/aws/aws_buf.c plugins/aws/aws_buf.h
AZURE_PLUGIN_CFLAGS = $(CJSON_CFLAGS) $(EXPAT_CFLAGS) $(OPENSSL_CFLAGS) -pthread
AZURE_PLUGIN_LIBS = $(CJSON_LIBS) $(EXPAT_LIBS) $(OPENSSL_LIBS) -lpthread

plugins_LTLIBRARIES += plugins/azure/azure.la
plugins_azure_azure_la_SOURCES = $(AZURE_PLUGIN_SOURCES)
plugins_azure_azure_la_CFLAGS = $(PLUGIN_CFLAGS) $(AZURE_PLUGIN_CFLAGS)
plugins_azure_azure_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_azure_azure_la_LIBADD = $(AZURE_PLUGIN_LIBS)

# Shared Key string-to-sign and signature, JWT assertions, token responses,
# data-plane XML -> resource shapes (no network).
check_PROGRAMS += tests/unit/test_azure
TESTS += tests/unit/test_azure
tests_unit_test_azure_SOURCES = tests/unit/test_azure.c $(AZURE_PLUGIN_SOURCES) tests/support/test_check.h
tests_unit_test_azure_CFLAGS = $(AM_CFLAGS) $(AZURE_PLUGIN_CFLAGS)
tests_unit_test_azure_LDADD = $(AZURE_PLUGIN_LIBS)

# The storage account name of a service endpoint; the wiping of listKeys answers.
check_PROGRAMS += tests/unit/test_azure_listkeys
TESTS += tests/unit/test_azure_listkeys
tests_unit_test_azure_listkeys_SOURCES = tests/unit/test_azure_listkeys.c $(AZURE_PLUGIN_SOURCES) tests/support/test_check.h
tests_unit_test_azure_listkeys_CFLAGS = $(AM_CFLAGS) $(AZURE_PLUGIN_CFLAGS)
tests_unit_test_azure_listkeys_LDADD = $(AZURE_PLUGIN_LIBS)

# ARM + Entra ID against a local HTTPS mock (test CA) that verifies client
# secrets, RS256 client assertions and the Shared Key signatures made with
# the key from listKeys; the Blob data plane against Azurite, installed on
# first use with `npm ci` from tests/fixtures/azure/azurite/package-lock.json
# (azurite 3.35.0 and its whole tree; verified on Node 18.20 = Debian 12's
# nodejs, and on Node 20).
TESTS += tests/integration/azure_arm.sh tests/integration/azure_azurite.sh
EXTRA_DIST += tests/integration/azure_arm.sh tests/integration/azure_azurite.sh tests/support/azure_mock.py \
	tests/support/azure_blob_admin.py tests/fixtures/azure docs/azure.md contrib/bench/azure_bench.sh
