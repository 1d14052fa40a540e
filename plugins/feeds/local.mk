# plugins/feeds: build fragment (included from the top Makefile.am)
#
# The `feeds` threat-feed plugin: OSV exports, CISA KEV, EPSS and IP/domain
# blocklists (docs/feeds.md).
plugins_LTLIBRARIES += plugins/feeds/feeds.la
plugins_feeds_feeds_la_SOURCES = \
	plugins/feeds/feeds.h \
	plugins/feeds/feeds.c \
	plugins/feeds/osv.c \
	plugins/feeds/kev.c \
	plugins/feeds/epss.c \
	plugins/feeds/lists.c
plugins_feeds_feeds_la_CFLAGS = $(PLUGIN_CFLAGS) $(CJSON_CFLAGS) $(ARCHIVE_CFLAGS)
plugins_feeds_feeds_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_feeds_feeds_la_LIBADD = $(CJSON_LIBS) $(ARCHIVE_LIBS)
