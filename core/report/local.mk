# core/report: `parapet report --html FILE`, the self-contained HTML posture
# dashboard, and `parapet report --framework ID`, the compliance report
# (docs/report.md). Include after core/local.mk (it appends to
# parapet_SOURCES). The page, style and script are real files under
# core/report/assets/, compiled in as C strings by embed_assets.sh.
REPORT_ASSETS = core/report/assets/report.html core/report/assets/report.css core/report/assets/report.js

parapet_SOURCES += core/cmd_report.c \
	core/report/report_data.c core/report/report_data.h \
	core/report/report_html.c core/report/report_html.h \
	core/report/report_assets.h \
	core/report/compliance_data.c core/report/compliance_data.h \
	core/report/compliance_csv.c core/report/compliance_csv.h \
	core/report/compliance_html.c core/report/compliance_html.h
nodist_parapet_SOURCES = core/report/report_assets.c
CLEANFILES += core/report/report_assets.c tests/browser/out/*.png tests/browser/out/*.pdf

REPORT_ASSET_PATHS = $(top_srcdir)/core/report/assets/report.html $(top_srcdir)/core/report/assets/report.css \
	$(top_srcdir)/core/report/assets/report.js
core/report/report_assets.c: $(REPORT_ASSET_PATHS) $(top_srcdir)/core/report/embed_assets.sh
	@$(MKDIR_P) core/report
	$(AM_V_GEN)$(SHELL) $(top_srcdir)/core/report/embed_assets.sh $@ $(REPORT_ASSET_PATHS)

EXTRA_DIST += $(REPORT_ASSETS) core/report/embed_assets.sh docs/report.md \
	tests/browser/report_check.mjs tests/browser/cdp.mjs tests/integration/report_lib.sh

TESTS += tests/integration/report_html.sh tests/integration/report_escape.sh tests/integration/report_large.sh \
	tests/integration/report_compliance.sh

# the test scripts travel in the release tarball too (make distcheck runs them)
EXTRA_DIST += tests/integration/report_html.sh tests/integration/report_escape.sh tests/integration/report_large.sh \
	tests/integration/report_compliance.sh
