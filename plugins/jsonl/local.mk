# plugins/jsonl: build fragment (included from the top Makefile.am)
#
# The `jsonl` output: findings and resources as JSON Lines.
plugins_LTLIBRARIES += plugins/jsonl/jsonl.la
plugins_jsonl_jsonl_la_SOURCES = plugins/jsonl/jsonl.c
plugins_jsonl_jsonl_la_CFLAGS = $(PLUGIN_CFLAGS) $(CJSON_CFLAGS)
plugins_jsonl_jsonl_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_jsonl_jsonl_la_LIBADD = $(CJSON_LIBS)
EXTRA_DIST += plugins/jsonl/README.md

# Through the CLI (skipped until the parapet binary exists).
TESTS += tests/integration/jsonl_output.sh
EXTRA_DIST += tests/integration/jsonl_output.sh
