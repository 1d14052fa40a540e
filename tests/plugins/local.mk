# tests/plugins: test-only plugins and the integration tests that use them
# (included from the top-level Makefile.am).
#
# Where the plugins end up: each is a libtool module declared in
# check_LTLIBRARIES, so `make check` builds it (never installed) and libtool
# puts the loadable object in the .libs folder next to the .la file:
#
#     $(top_builddir)/tests/plugins/.libs/tp_all.so
#     $(top_builddir)/tests/plugins/.libs/tp_crash.so   ... and so on.
#
# The integration scripts (tests/integration/plugins_*.sh) never point
# --plugin-dir at that folder: they make a temporary directory holding
# symlinks to just the .so files a test needs.
#
# Test plugins:
#   tp_all         all six kinds; calls every host service
#   tp_old_minor   built against the FROZEN v1.0 headers in abi-v1.0/ ONLY
#   tp_wrong_abi   declares ABI major 2             (must be refused)
#   tp_too_new     declares ABI 1.99                (must be refused)
#   tp_no_entry    exports no parapet_plugin_entry_v1 (must be refused)
#   tp_init_fail   init fails with a message
#   tp_crash       collect: SIGSEGV on task "boom"; other tasks fine
#   tp_abort       collect: abort() on task "boom"; other tasks fine
#   tp_hang        collect: never returns on task "stuck"; other tasks fine
#   tp_dup         declares the name "tp_all"       (second one refused)
#   tp_bad_schema  config schema requires key "x"
#   tp_feed_crash  threat feed: crashes, aborts or fails on request (mode)

TP_COMMON = tests/plugins/common/tp_simple.h tests/plugins/common/tp_provider.h
TP_LIBADD = $(CJSON_LIBS)
TP_CFLAGS = $(PLUGIN_CFLAGS) $(CJSON_CFLAGS)

check_LTLIBRARIES += \
	tests/plugins/tp_all.la \
	tests/plugins/tp_old_minor.la \
	tests/plugins/tp_wrong_abi.la \
	tests/plugins/tp_too_new.la \
	tests/plugins/tp_no_entry.la \
	tests/plugins/tp_init_fail.la \
	tests/plugins/tp_crash.la \
	tests/plugins/tp_abort.la \
	tests/plugins/tp_hang.la \
	tests/plugins/tp_dup.la \
	tests/plugins/tp_bad_schema.la \
	tests/plugins/tp_feed_crash.la

tests_plugins_tp_all_la_SOURCES = tests/plugins/tp_all/tp_all.c
tests_plugins_tp_all_la_CFLAGS = $(TP_CFLAGS)
tests_plugins_tp_all_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_tp_all_la_LIBADD = $(TP_LIBADD)

# Built against the frozen ABI 1.0 headers ONLY: this per-target CPPFLAGS
# replaces AM_CPPFLAGS, so sdk/include is not on the include path.
tests_plugins_tp_old_minor_la_SOURCES = tests/plugins/tp_old_minor/tp_old_minor.c $(TP_COMMON) \
	tests/plugins/abi-v1.0/parapet/version.h \
	tests/plugins/abi-v1.0/parapet/records.h \
	tests/plugins/abi-v1.0/parapet/host.h \
	tests/plugins/abi-v1.0/parapet/plugin.h
tests_plugins_tp_old_minor_la_CPPFLAGS = -I$(top_srcdir)/tests/plugins/abi-v1.0
tests_plugins_tp_old_minor_la_CFLAGS = $(TP_CFLAGS)
tests_plugins_tp_old_minor_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_tp_old_minor_la_LIBADD = $(TP_LIBADD)

tests_plugins_tp_wrong_abi_la_SOURCES = tests/plugins/tp_wrong_abi/tp_wrong_abi.c
tests_plugins_tp_wrong_abi_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_plugins_tp_wrong_abi_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)

tests_plugins_tp_too_new_la_SOURCES = tests/plugins/tp_too_new/tp_too_new.c
tests_plugins_tp_too_new_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_plugins_tp_too_new_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)

tests_plugins_tp_no_entry_la_SOURCES = tests/plugins/tp_no_entry/tp_no_entry.c
tests_plugins_tp_no_entry_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_plugins_tp_no_entry_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)

tests_plugins_tp_init_fail_la_SOURCES = tests/plugins/tp_init_fail/tp_init_fail.c $(TP_COMMON)
tests_plugins_tp_init_fail_la_CFLAGS = $(TP_CFLAGS)
tests_plugins_tp_init_fail_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_tp_init_fail_la_LIBADD = $(TP_LIBADD)

tests_plugins_tp_crash_la_SOURCES = tests/plugins/tp_crash/tp_crash.c $(TP_COMMON)
tests_plugins_tp_crash_la_CFLAGS = $(TP_CFLAGS)
tests_plugins_tp_crash_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_tp_crash_la_LIBADD = $(TP_LIBADD)

tests_plugins_tp_abort_la_SOURCES = tests/plugins/tp_abort/tp_abort.c $(TP_COMMON)
tests_plugins_tp_abort_la_CFLAGS = $(TP_CFLAGS)
tests_plugins_tp_abort_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_tp_abort_la_LIBADD = $(TP_LIBADD)

tests_plugins_tp_hang_la_SOURCES = tests/plugins/tp_hang/tp_hang.c $(TP_COMMON)
tests_plugins_tp_hang_la_CFLAGS = $(TP_CFLAGS)
tests_plugins_tp_hang_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_tp_hang_la_LIBADD = $(TP_LIBADD)

tests_plugins_tp_dup_la_SOURCES = tests/plugins/tp_dup/tp_dup.c $(TP_COMMON)
tests_plugins_tp_dup_la_CFLAGS = $(TP_CFLAGS)
tests_plugins_tp_dup_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_tp_dup_la_LIBADD = $(TP_LIBADD)

tests_plugins_tp_bad_schema_la_SOURCES = tests/plugins/tp_bad_schema/tp_bad_schema.c $(TP_COMMON)
tests_plugins_tp_bad_schema_la_CFLAGS = $(TP_CFLAGS)
tests_plugins_tp_bad_schema_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_tp_bad_schema_la_LIBADD = $(TP_LIBADD)

tests_plugins_tp_feed_crash_la_SOURCES = tests/plugins/tp_feed_crash/tp_feed_crash.c $(TP_COMMON)
tests_plugins_tp_feed_crash_la_CFLAGS = $(TP_CFLAGS)
tests_plugins_tp_feed_crash_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_tp_feed_crash_la_LIBADD = $(TP_LIBADD)

# Integration tests (need the CLI and the plugins above).
TP_TESTS = \
	tests/integration/plugins_load.sh \
	tests/integration/plugins_faults.sh \
	tests/integration/plugins_services.sh \
	tests/integration/plugins_config.sh \
	tests/integration/sdk_template.sh
TESTS += $(TP_TESTS)
EXTRA_DIST += $(TP_TESTS) tests/integration/plugins_lib.sh

# The out-of-tree plugin template (built by tests/integration/sdk_template.sh
# against an installed SDK, never by this Makefile).
EXTRA_DIST += \
	contrib/plugin-template/README.md \
	contrib/plugin-template/Makefile \
	contrib/plugin-template/exports.map \
	contrib/plugin-template/template.c
