# The core: libparapet (a convenience library, never installed, never linked
# by plugins) and the parapet command.
noinst_LTLIBRARIES += libparapet.la
libparapet_la_SOURCES = \
	core/util.c core/util.h \
	core/log.c core/log.h \
	core/jsonv.c core/jsonv.h \
	core/wire.c core/wire.h \
	core/record.c core/record.h \
	core/queue.c core/queue.h \
	core/schema.c core/schema.h \
	core/settings.c core/settings.h \
	core/host.c core/host.h core/host_services.h \
	core/loader.c core/loader.h \
	core/worker.c core/worker.h \
	core/store.h core/store_sqlite.c core/store_sqlite_int.h core/store_schema.c \
	core/store_lifecycle.c core/store_suppress.c core/store_retention.c \
	core/store_query.c core/store_query.h \
	core/scan.c core/scan.h \
	core/host_services.c
libparapet_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/core \
	-DPP_PLUGINDIR='"$(pluginsdir)"' -DPP_SYSCONFDIR='"$(pkgsysconfdir)"' \
	-DPP_POLICYDIR='"$(pkgdatadir)/policies"' \
	$(CJSON_CFLAGS) $(CURL_CFLAGS) $(SQLITE_CFLAGS) $(ARCHIVE_CFLAGS) $(OPENSSL_CFLAGS)
libparapet_la_LIBADD = $(CJSON_LIBS) $(CURL_LIBS) $(SQLITE_LIBS) $(ARCHIVE_LIBS) $(OPENSSL_LIBS) -lm

bin_PROGRAMS += parapet
parapet_SOURCES = core/main.c core/cli.h core/cmd_scan.c core/cmd_plugin.c core/cmd_policy.c \
	core/cmd_findings.c core/cmd_diff.c core/cmd_suppress.c core/cmd_sql.c core/cmd_compliance.c
parapet_CPPFLAGS = $(libparapet_la_CPPFLAGS)
parapet_LDADD = libparapet.la $(CJSON_LIBS) $(CURL_LIBS) $(SQLITE_LIBS)
# plugins resolve nothing from the executable; keep its symbols private
parapet_LDFLAGS =
