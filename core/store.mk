# The store (docs/store.md): unit and integration tests. Included from the
# top-level Makefile.am; the store's sources are listed in core/local.mk.
check_PROGRAMS += tests/unit/test_store
tests_unit_test_store_SOURCES = tests/unit/test_store.c tests/unit/testlib.h
tests_unit_test_store_CPPFLAGS = $(libparapet_la_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_store_LDADD = libparapet.la
TESTS += tests/unit/test_store \
	tests/integration/store_lifecycle.sh \
	tests/integration/store_sql.sh \
	tests/integration/store_crash.sh
EXTRA_DIST += tests/integration/store_lifecycle.sh tests/integration/store_sql.sh \
	tests/integration/store_crash.sh tests/fixtures/store
