# Core unit and integration tests.
CORE_TEST_CPPFLAGS = $(libparapet_la_CPPFLAGS) -I$(top_srcdir)/tests/unit
CORE_TEST_LDADD = libparapet.la

check_PROGRAMS += tests/unit/test_core_json tests/unit/test_core_config
tests_unit_test_core_json_SOURCES = tests/unit/test_core_json.c tests/unit/testlib.h
tests_unit_test_core_json_CPPFLAGS = $(CORE_TEST_CPPFLAGS)
tests_unit_test_core_json_LDADD = $(CORE_TEST_LDADD)
tests_unit_test_core_config_SOURCES = tests/unit/test_core_config.c tests/unit/testlib.h
tests_unit_test_core_config_CPPFLAGS = $(CORE_TEST_CPPFLAGS)
tests_unit_test_core_config_LDADD = $(CORE_TEST_LDADD)
TESTS += tests/unit/test_core_json tests/unit/test_core_config

TESTS += tests/integration/scan_basic.sh tests/integration/bundle_load.sh tests/integration/bundle_https.sh
EXTRA_DIST += tests/integration/scan_basic.sh tests/integration/bundle_load.sh tests/integration/bundle_https.sh tests/unit/testlib.h
