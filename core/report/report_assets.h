/*
 * core/report/report_assets.h - the report's page, style and script
 * (core/report/assets/), compiled in by core/report/embed_assets.sh. Each is
 * a NUL-terminated string.
 */
#ifndef PP_CORE_REPORT_ASSETS_H
#define PP_CORE_REPORT_ASSETS_H

extern const char report_asset_report_html[];
extern const char report_asset_report_css[];
extern const char report_asset_report_js[];

#endif
