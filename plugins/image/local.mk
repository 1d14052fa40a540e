# plugins/image: build fragment (included from the top Makefile.am)
#
# The `image` scanner: packages and secrets inside container images and
# root filesystems (docs/image.md).
plugins_LTLIBRARIES += plugins/image/image.la
plugins_image_image_la_SOURCES = \
	plugins/image/image.h \
	plugins/image/image.c \
	plugins/image/util.c \
	plugins/image/source.c \
	plugins/image/layer.c \
	plugins/image/os_release.c \
	plugins/image/pkg_dpkg.c \
	plugins/image/pkg_apk.c \
	plugins/image/pkg_rpm.c \
	plugins/image/lang_npm.c \
	plugins/image/lang_python.c \
	plugins/image/lang_go.c \
	plugins/image/secrets.c \
	plugins/image/pkg_hits.c \
	plugins/image/java_archive.c \
	plugins/image/rust_audit.c \
	plugins/image/platform.c \
	plugins/image/rpm_ndb.c \
	plugins/image/rpm_bdb.c \
	plugins/image/disk_vm.h \
	plugins/image/disk_blk.c \
	plugins/image/disk_part.c \
	plugins/image/disk_source.c \
	plugins/image/qcow2.c \
	plugins/image/ext_io.c \
	plugins/image/ext_stream.c \
	plugins/image/host_check.c \
	plugins/image/host_sshd.c
plugins_image_image_la_CFLAGS = $(PLUGIN_CFLAGS) $(CJSON_CFLAGS) $(ARCHIVE_CFLAGS) $(SQLITE_CFLAGS) $(OPENSSL_CFLAGS) $(ZLIB_CFLAGS) $(EXT2FS_CFLAGS)
plugins_image_image_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_image_image_la_LIBADD = $(CJSON_LIBS) $(ARCHIVE_LIBS) $(SQLITE_LIBS) $(OPENSSL_LIBS) $(ZLIB_LIBS) $(EXT2FS_LIBS)

TESTS += tests/integration/image_debian.sh tests/integration/image_layers.sh tests/integration/image_hostile.sh
EXTRA_DIST += tests/integration/image_lib.sh tests/integration/image_mkimage.py tests/integration/image_debian.sh \
	tests/integration/image_layers.sh tests/integration/image_hostile.sh contrib/bench/image_bench.sh

# Java archives, Rust crates, the rpm NDB database and multi-platform images
TESTS += tests/integration/image_lang.sh tests/integration/image_lang_platform.sh tests/integration/image_lang_rpm.sh
EXTRA_DIST += tests/integration/image_lang.sh tests/integration/image_lang_platform.sh tests/fixtures/image/lang/make_fixtures.py \
	tests/fixtures/image/lang/make_multiarch.py tests/integration/image_lang_rpm.sh tests/fixtures/image/lang/rpm/make_rpmdb.py \
	tests/fixtures/image/lang/rpm/SOURCE tests/fixtures/image/lang/rpm/header-1.bin tests/fixtures/image/lang/rpm/header-2.bin \
	tests/fixtures/image/lang/rpm/header-3.bin tests/fixtures/image/lang/rpm/alpha.spec tests/fixtures/image/lang/rpm/beta.spec \
	tests/fixtures/image/lang/rpm/gamma.spec tests/fixtures/image/lang/rpm/bdb-dump.txt \
	tests/fixtures/image/lang/rpm/Packages-4096-le tests/fixtures/image/lang/rpm/Packages-512-le \
	tests/fixtures/image/lang/rpm/Packages-512-be

# VM disks (raw, qcow2; ext through libext2fs) and the host checks: tests/integration/image_vm.sh
TESTS += tests/integration/image_vm.sh
EXTRA_DIST += tests/integration/image_vm.sh tests/fuzz/fuzz_qcow2.c
check_PROGRAMS += tests/unit/test_image_vm
TESTS += tests/unit/test_image_vm
tests_unit_test_image_vm_SOURCES = tests/unit/test_image_vm.c tests/unit/testlib.h plugins/image/qcow2.c \
	plugins/image/disk_blk.c plugins/image/disk_part.c plugins/image/host_sshd.c plugins/image/util.c
tests_unit_test_image_vm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/image -I$(top_srcdir)/tests/unit
tests_unit_test_image_vm_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS) $(OPENSSL_CFLAGS)
tests_unit_test_image_vm_LDADD = $(ZLIB_LIBS) $(OPENSSL_LIBS)
CLEANFILES += tests/fuzz/fuzz_qcow2

# libFuzzer harness of the qcow2 and partition parsers: not part of the default build.
#   make fuzz-qcow2   (needs clang with -fsanitize=fuzzer); see tests/fuzz/fuzz_qcow2.c
fuzz-qcow2:
	clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
	  -I$(top_srcdir)/sdk/include -I$(top_srcdir)/plugins/image $(ZLIB_CFLAGS) $(OPENSSL_CFLAGS) \
	  $(top_srcdir)/tests/fuzz/fuzz_qcow2.c $(top_srcdir)/plugins/image/qcow2.c \
	  $(top_srcdir)/plugins/image/disk_blk.c $(top_srcdir)/plugins/image/disk_part.c \
	  $(top_srcdir)/plugins/image/util.c $(ZLIB_LIBS) $(OPENSSL_LIBS) -o tests/fuzz/fuzz_qcow2
.PHONY: fuzz-qcow2
# image config (healthcheck) and docker-save archives of several images
TESTS += tests/integration/image_config.sh
EXTRA_DIST += tests/integration/image_config.sh
