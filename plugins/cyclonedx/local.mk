# plugins/cyclonedx: build fragment (included from the top Makefile.am)
#
# The `cyclonedx` output: packages found in images as a CycloneDX 1.6 SBOM
# (docs/cyclonedx.md).
plugins_LTLIBRARIES += plugins/cyclonedx/cyclonedx.la
plugins_cyclonedx_cyclonedx_la_SOURCES = \
	plugins/cyclonedx/cdx_bom.h \
	plugins/cyclonedx/cdx_bom.c \
	plugins/cyclonedx/cyclonedx.c
plugins_cyclonedx_cyclonedx_la_CFLAGS = $(PLUGIN_CFLAGS) $(CJSON_CFLAGS)
plugins_cyclonedx_cyclonedx_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_cyclonedx_cyclonedx_la_LIBADD = $(CJSON_LIBS)

TESTS += tests/integration/cyclonedx_sbom.sh
EXTRA_DIST += tests/integration/cyclonedx_sbom.sh tests/fixtures/cyclonedx/SOURCE \
	tests/fixtures/cyclonedx/bom-1.6.SNAPSHOT.schema.json tests/fixtures/cyclonedx/spdx.SNAPSHOT.schema.json \
	tests/fixtures/cyclonedx/jsf-0.82.SNAPSHOT.schema.json tests/fixtures/cyclonedx/validate.py
