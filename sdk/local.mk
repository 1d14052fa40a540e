# The plugin SDK: public headers, pkg-config file, one doc page per symbol.
parapetincludedir = $(includedir)/parapet
parapetinclude_HEADERS = \
	sdk/include/parapet/version.h \
	sdk/include/parapet/records.h \
	sdk/include/parapet/host.h \
	sdk/include/parapet/plugin.h

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = sdk/parapet-sdk.pc

sdkdocdir = $(docdir)/sdk
dist_sdkdoc_DATA = $(wildcard $(srcdir)/sdk/docs/*.md)
EXTRA_DIST += sdk/parapet-sdk.pc.in sdk/docs
