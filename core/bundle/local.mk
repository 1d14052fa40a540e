# core/bundle: build fragment (included from the top Makefile.am)
# Signed plugin bundles: minisign-compatible keys and signatures (OpenSSL),
# MANIFEST.json, deterministic packing, hardened extraction (libarchive),
# trust store, install/remove/list. See docs/bundles.md.
libparapet_la_SOURCES += \
	core/bundle/bundle_util.c core/bundle/bundle_util.h \
	core/bundle/b64.c core/bundle/b64.h \
	core/bundle/blake2b.c core/bundle/blake2b.h \
	core/bundle/minisign.c core/bundle/minisign.h \
	core/bundle/passphrase.c core/bundle/passphrase.h \
	core/bundle/manifest.c core/bundle/manifest.h \
	core/bundle/extract.c core/bundle/extract.h \
	core/bundle/pack.c core/bundle/pack.h \
	core/bundle/trust.c core/bundle/trust.h \
	core/bundle/bundle.c core/bundle/bundle.h \
	core/bundle/bundle_cmd.c

BUNDLE_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/core -I$(top_srcdir)/tests/unit $(CJSON_CFLAGS)
BUNDLE_TEST_LDADD = libparapet.la $(ARCHIVE_LIBS) $(OPENSSL_LIBS) $(CJSON_LIBS)

check_PROGRAMS += tests/unit/test_minisign tests/unit/test_bundle tests/unit/test_bundle_tool
tests_unit_test_minisign_SOURCES = tests/unit/test_minisign.c tests/unit/testlib.h
tests_unit_test_minisign_CPPFLAGS = $(BUNDLE_TEST_CPPFLAGS)
tests_unit_test_minisign_LDADD = $(BUNDLE_TEST_LDADD)
tests_unit_test_bundle_SOURCES = tests/unit/test_bundle.c tests/unit/testlib.h
tests_unit_test_bundle_CPPFLAGS = $(BUNDLE_TEST_CPPFLAGS)
tests_unit_test_bundle_LDADD = $(BUNDLE_TEST_LDADD)
# a command-line front end over bundle_cmd() for the shell tests and bench
tests_unit_test_bundle_tool_SOURCES = tests/unit/test_bundle_tool.c
tests_unit_test_bundle_tool_CPPFLAGS = $(BUNDLE_TEST_CPPFLAGS)
tests_unit_test_bundle_tool_LDADD = $(BUNDLE_TEST_LDADD)

TESTS += tests/unit/test_minisign tests/unit/test_bundle \
	tests/integration/bundle_cli.sh tests/integration/bundle_minisign_interop.sh
EXTRA_DIST += tests/integration/bundle_lib.sh tests/integration/bundle_cli.sh \
	tests/integration/bundle_minisign_interop.sh \
	tests/fuzz/fuzz_minisign.c tests/fixtures/bundle \
	contrib/bench/bundle_bench.sh docs/bundles.md
