# core/feed: build fragment (included from the top Makefile.am)
#
# Vulnerability intelligence in the store: feeds written by threat-feed
# plugins, OSV matching with KEV and EPSS (docs/feeds.md), and the
# `parapet feed` command.
libparapet_la_SOURCES += \
	core/feed/feed.h core/feed/osv_eval.c core/feed/feed_writer.c core/feed/match.c \
	core/feed/threat_ip.c core/feed/feed_bundle.c core/feed/feed_bundle.h \
	core/feed/scan_vulns.c
parapet_SOURCES += core/cmd_feed.c

check_PROGRAMS += tests/unit/test_feed tests/unit/test_feed_migrate
TESTS += tests/unit/test_feed tests/unit/test_feed_migrate
tests_unit_test_feed_migrate_SOURCES = tests/unit/test_feed_migrate.c tests/unit/testlib.h
tests_unit_test_feed_migrate_CPPFLAGS = $(libparapet_la_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_feed_migrate_LDADD = libparapet.la $(CJSON_LIBS) $(SQLITE_LIBS)
tests_unit_test_feed_SOURCES = tests/unit/test_feed.c tests/unit/testlib.h
tests_unit_test_feed_CPPFLAGS = $(libparapet_la_CPPFLAGS) -I$(top_srcdir)/tests/unit \
	-DFEED_FIXTURES='"$(abs_top_srcdir)/tests/fixtures/feeds"'
tests_unit_test_feed_LDADD = libparapet.la $(CJSON_LIBS) $(SQLITE_LIBS)

TESTS += tests/integration/feed_import.sh tests/integration/feed_update.sh \
	tests/integration/feed_bundle.sh tests/integration/feed_worker.sh tests/integration/feed_scan.sh
EXTRA_DIST += tests/integration/feed_import.sh tests/integration/feed_update.sh \
	tests/integration/feed_bundle.sh tests/integration/feed_worker.sh tests/integration/feed_scan.sh \
	tests/integration/feed_lib.sh tests/integration/feed_httpd.py tests/fixtures/feeds \
	contrib/bench/feed_bench.sh plugins/feeds/bench_osv.py
