# core/cel: build fragment (included from the top Makefile.am)
# The CEL engine of the rule conditions (docs/cel.md).

libparapet_la_SOURCES += \
	core/cel/cel.h \
	core/cel/cel_internal.h \
	core/cel/cel_value.c \
	core/cel/cel_parse.c \
	core/cel/cel_env.c \
	core/cel/cel_eval.c \
	core/cel/cel_builtins.c \
	core/cel/cel_time.c \
	core/cel/cel_net.c \
	core/cel/cel_regex.c \
	core/cel/cel_cli.c

CEL_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/core -I$(top_srcdir)/core/cel $(CJSON_CFLAGS) \
	-DCEL_TESTDATA_DIR='"$(abs_top_srcdir)/tests/cel"'
CEL_TEST_LDADD = libparapet.la $(CJSON_LIBS) -lm

check_PROGRAMS += tests/unit/test_cel tests/unit/test_cel_conformance tests/unit/test_cel_hostile
TESTS += tests/unit/test_cel tests/unit/test_cel_conformance tests/unit/test_cel_hostile

tests_unit_test_cel_SOURCES = tests/unit/test_cel.c
tests_unit_test_cel_CPPFLAGS = $(CEL_TEST_CPPFLAGS)
tests_unit_test_cel_LDADD = $(CEL_TEST_LDADD)

tests_unit_test_cel_conformance_SOURCES = tests/unit/test_cel_conformance.c
tests_unit_test_cel_conformance_CPPFLAGS = $(CEL_TEST_CPPFLAGS)
tests_unit_test_cel_conformance_LDADD = $(CEL_TEST_LDADD)

tests_unit_test_cel_hostile_SOURCES = tests/unit/test_cel_hostile.c
tests_unit_test_cel_hostile_CPPFLAGS = $(CEL_TEST_CPPFLAGS)
tests_unit_test_cel_hostile_LDADD = $(CEL_TEST_LDADD)

EXTRA_DIST += tests/cel tests/fuzz/fuzz_cel.c
CLEANFILES += tests/fuzz/fuzz_cel

# libFuzzer harness: not part of the default build. See docs/cel.md:
#   make fuzz-cel   (needs clang with -fsanitize=fuzzer)
fuzz-cel:
	clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE \
	  -I$(top_srcdir)/core/cel -I$(top_srcdir)/core $(CJSON_CFLAGS) \
	  $(top_srcdir)/tests/fuzz/fuzz_cel.c $(top_srcdir)/core/cel/cel_*.c \
	  $(CJSON_LIBS) -lm -o tests/fuzz/fuzz_cel
.PHONY: fuzz-cel
