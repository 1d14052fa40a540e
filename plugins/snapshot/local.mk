# plugins/snapshot: build fragment (included from the top Makefile.am)
#
# The `snapshot` provider: imports JSON Lines inventory exports.
plugins_LTLIBRARIES += plugins/snapshot/snapshot.la
plugins_snapshot_snapshot_la_SOURCES = \
	plugins/snapshot/snapshot.c \
	plugins/snapshot/line_reader.c \
	plugins/snapshot/line_reader.h \
	plugins/snapshot/json_scan.c \
	plugins/snapshot/json_scan.h \
	plugins/snapshot/resource_line.c \
	plugins/snapshot/resource_line.h
plugins_snapshot_snapshot_la_CFLAGS = $(PLUGIN_CFLAGS) $(CJSON_CFLAGS)
plugins_snapshot_snapshot_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_snapshot_snapshot_la_LIBADD = $(CJSON_LIBS)
EXTRA_DIST += plugins/snapshot/README.md

# A small host of the test's own drives both first-party plugins
# (snapshot and jsonl) through the ABI, without the core.
check_PROGRAMS += tests/unit/test_snapshot_host
TESTS += tests/unit/test_snapshot_host
tests_unit_test_snapshot_host_SOURCES = tests/unit/test_snapshot_host.c
tests_unit_test_snapshot_host_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) -pthread
tests_unit_test_snapshot_host_LDADD = $(CJSON_LIBS)
EXTRA_DIST += tests/fixtures/snapshot

# Through the CLI (skipped until the parapet binary exists).
TESTS += tests/integration/snapshot_import.sh tests/integration/snapshot_chunks.sh
# Every built first-party plugin exports only its ABI entry point.
TESTS += tests/integration/plugin_symbols.sh
EXTRA_DIST += tests/integration/snapshot_import.sh tests/integration/snapshot_chunks.sh \
	tests/integration/plugin_symbols.sh

# The demo estate is input for this plugin; ship it with its generator.
EXTRA_DIST += contrib/demo/estate.jsonl contrib/demo/generate.py contrib/demo/README.md \
	contrib/demo/aws_account_controls.jsonl contrib/demo/extra
