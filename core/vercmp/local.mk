# core/vercmp: version comparison per ecosystem (part of libparapet), the
# `parapet vercmp` command's engine and the vulnerability matcher's.
libparapet_la_SOURCES += \
	core/vercmp/vercmp.c core/vercmp/vercmp.h core/vercmp/vercmp_int.h \
	core/vercmp/vercmp_dpkg.c core/vercmp/vercmp_rpm.c core/vercmp/vercmp_apk.c \
	core/vercmp/vercmp_semver.c core/vercmp/vercmp_pep440.c core/vercmp/vercmp_maven.c

check_PROGRAMS += tests/unit/test_vercmp
TESTS += tests/unit/test_vercmp
tests_unit_test_vercmp_SOURCES = tests/unit/test_vercmp.c tests/unit/testlib.h
tests_unit_test_vercmp_CPPFLAGS = $(libparapet_la_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_vercmp_LDADD = libparapet.la

# Against the reference implementations Debian ships (dpkg, python3-rpm,
# python3-packaging), on generated pairs.
TESTS += tests/integration/image_vercmp_reference.sh
EXTRA_DIST += tests/integration/image_vercmp_reference.sh tests/integration/image_vercmp_pairs.py

# `parapet vercmp` (the command lives beside the other commands in core/)
parapet_SOURCES += core/cmd_vercmp.c
