# plugins/sarif: build fragment (included from the top Makefile.am)
#
# The `sarif` output: SARIF 2.1.0 for code scanning (docs/iac.md).
plugins_LTLIBRARIES += plugins/sarif/sarif.la
plugins_sarif_sarif_la_SOURCES = plugins/sarif/sarif.c
plugins_sarif_sarif_la_CFLAGS = $(PLUGIN_CFLAGS) $(CJSON_CFLAGS)
plugins_sarif_sarif_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_sarif_sarif_la_LIBADD = $(CJSON_LIBS)

TESTS += tests/integration/iac_sarif.sh
EXTRA_DIST += tests/integration/iac_sarif.sh
