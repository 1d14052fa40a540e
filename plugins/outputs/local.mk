# plugins/outputs: build fragment (included from the top Makefile.am)
#
# The `outputs` plugin: json, csv, junit, ocsf, asff, webhook, slack,
# syslog and cef (docs/outputs.md).
OUTPUTS_SOURCES = \
	plugins/outputs/outputs.c \
	plugins/outputs/outputs.h \
	plugins/outputs/finding.c \
	plugins/outputs/finding.h \
	plugins/outputs/buf.c \
	plugins/outputs/buf.h \
	plugins/outputs/escape.c \
	plugins/outputs/escape.h \
	plugins/outputs/file_sink.c \
	plugins/outputs/file_sink.h \
	plugins/outputs/sign.c \
	plugins/outputs/sign.h \
	plugins/outputs/transport.c \
	plugins/outputs/transport.h \
	plugins/outputs/fmt_json.c \
	plugins/outputs/fmt_csv.c \
	plugins/outputs/fmt_junit.c \
	plugins/outputs/fmt_ocsf.c \
	plugins/outputs/fmt_asff.c \
	plugins/outputs/fmt_webhook.c \
	plugins/outputs/fmt_syslog.c

plugins_LTLIBRARIES += plugins/outputs/outputs.la
plugins_outputs_outputs_la_SOURCES = $(OUTPUTS_SOURCES)
plugins_outputs_outputs_la_CFLAGS = $(PLUGIN_CFLAGS) $(CJSON_CFLAGS) $(OPENSSL_CFLAGS)
plugins_outputs_outputs_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_outputs_outputs_la_LIBADD = $(CJSON_LIBS) $(OPENSSL_LIBS)

# Unit tests: the plugin's sources with a fake host of the test's own.
check_PROGRAMS += tests/unit/test_outputs
TESTS += tests/unit/test_outputs
tests_unit_test_outputs_SOURCES = tests/unit/test_outputs.c $(OUTPUTS_SOURCES)
tests_unit_test_outputs_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(OPENSSL_CFLAGS) -I$(top_srcdir)/plugins/outputs
tests_unit_test_outputs_LDADD = $(CJSON_LIBS) $(OPENSSL_LIBS)

# Through the CLI, against local receivers (python3, xmllint, sqlite3).
TESTS += tests/integration/outputs_files.sh tests/integration/outputs_ocsf_asff.sh \
	tests/integration/outputs_webhook.sh tests/integration/outputs_syslog.sh
EXTRA_DIST += tests/integration/outputs_files.sh tests/integration/outputs_ocsf_asff.sh \
	tests/integration/outputs_webhook.sh tests/integration/outputs_syslog.sh \
	tests/integration/outputs_lib.sh tests/fixtures/outputs docs/outputs.md
