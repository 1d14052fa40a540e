# core/policy: the rule engine, frameworks and suppressions (docs/rules.md,
# docs/policy-engine.md).
libparapet_la_SOURCES += \
	core/policy/engine.c core/policy/engine.h \
	core/policy/rules.c core/policy/rules.h \
	core/policy/template.c core/policy/template.h \
	core/policy/framework.c core/policy/framework.h \
	core/policy/suppress.c core/policy/suppress.h
libparapet_la_SOURCES += core/policy/lint.c core/policy/lint.h

# Tests of the engine (tests/unit/test_policy.c needs the tp_all test plugin).
check_PROGRAMS += tests/unit/test_policy
TESTS += tests/unit/test_policy tests/integration/policy_cli.sh tests/integration/policy_scan.sh
tests_unit_test_policy_SOURCES = tests/unit/test_policy.c
tests_unit_test_policy_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/core $(CJSON_CFLAGS) \
	-DTOP_SRCDIR='"$(abs_top_srcdir)"' -DTOP_BUILDDIR='"$(abs_top_builddir)"'
tests_unit_test_policy_LDADD = libparapet.la $(CJSON_LIBS) $(CURL_LIBS) $(SQLITE_LIBS) -lm
EXTRA_DIST += tests/fixtures/policy tests/integration/policy_cli.sh tests/integration/policy_scan.sh

# The engine benchmark (docs/policy-engine.md): make contrib/bench/policy_bench
# Built with the tests so it keeps compiling; never run by `make check`.
# (EXTRA_PROGRAMS would fit better, but contrib/local.mk sets it with '=' after
# this fragment is included.)
check_PROGRAMS += contrib/bench/policy_bench
contrib_bench_policy_bench_SOURCES = contrib/bench/policy_bench.c
contrib_bench_policy_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/core $(CJSON_CFLAGS)
contrib_bench_policy_bench_LDADD = libparapet.la $(CJSON_LIBS) $(CURL_LIBS) $(SQLITE_LIBS) -lm
