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
	plugins/image/secrets.c
plugins_image_image_la_CFLAGS = $(PLUGIN_CFLAGS) $(CJSON_CFLAGS) $(ARCHIVE_CFLAGS) $(SQLITE_CFLAGS) $(OPENSSL_CFLAGS)
plugins_image_image_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_image_image_la_LIBADD = $(CJSON_LIBS) $(ARCHIVE_LIBS) $(SQLITE_LIBS) $(OPENSSL_LIBS)

TESTS += tests/integration/image_debian.sh tests/integration/image_layers.sh tests/integration/image_hostile.sh
EXTRA_DIST += tests/integration/image_lib.sh tests/integration/image_mkimage.py tests/integration/image_debian.sh \
	tests/integration/image_layers.sh tests/integration/image_hostile.sh contrib/bench/image_bench.sh
