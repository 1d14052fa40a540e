/*
 * plugins/feeds/feeds.h - what the parts of the `feeds` threat-feed plugin
 * share (docs/feeds.md).
 *
 * Every loader works in two passes over its input: the first reads and
 * checks everything, the second emits. A download that is truncated or
 * corrupt therefore emits nothing for its feed, and the host keeps the
 * feed's previous rows (the host replaces a feed's rows only with the set a
 * successful load emitted).
 */
#ifndef PP_PLUGIN_FEEDS_H
#define PP_PLUGIN_FEEDS_H

#include <parapet/plugin.h>
#include <stddef.h>

/* Caps on outside input. */
#define FEEDS_MAX_ENTRY_BYTES (16u << 20) /* one OSV record inside a zip */
#define FEEDS_MAX_JSON_BYTES (128u << 20) /* a KEV catalogue */
#define FEEDS_MAX_CSV_BYTES (512u << 20)  /* EPSS, decompressed */
#define FEEDS_MAX_LIST_BYTES (64u << 20)  /* an indicator list */
#define FEEDS_MAX_ENTRIES 5000000u        /* entries in one zip */

typedef struct feeds_ctx {
    const pp_host_api *api;
    pp_host *h;
    char err[768];
    /* configuration */
    char *sources;        /* comma-separated: osv,kev,epss,lists */
    char *osv_ecosystems; /* comma-separated OSV ecosystem directories */
    char *osv_base_url;
    char *kev_url;
    char *epss_url;
    char *lists; /* comma-separated NAME=URL */
} feeds_ctx;

/* Where a loader reads from: a file (streamed) or a buffer (a download). */
typedef struct feed_src {
    const char *label; /* the file path or URL, for messages */
    const char *path;  /* a file, or NULL */
    const void *mem;   /* otherwise the bytes */
    size_t len;
} feed_src;

/* feeds_fail - set c->err from the format and return @rc. */
int feeds_fail(feeds_ctx *c, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* feeds_warn - log a warning through the host. */
void feeds_warn(feeds_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void feeds_info(feeds_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * feeds_read_all - the whole (decompressed when gzip'd) content of @src in a
 * NUL-terminated malloc'd buffer, at most @cap bytes. Returns 0 and sets
 * the out and len pointers, or -1 with c->err naming the source.
 */
int feeds_read_all(feeds_ctx *c, const feed_src *src, size_t cap, char **out, size_t *len);

/*
 * osv_load_zip - load an OSV export (a zip of one JSON record per entry).
 * @feed is the feed name to file the records under ("osv:Debian:12"), or
 * NULL to name it after the first record's ecosystem. Records that are not
 * valid OSV are skipped with a warning naming the entry; withdrawn records
 * are skipped and counted. A truncated or corrupt archive, or an entry over
 * FEEDS_MAX_ENTRY_BYTES, fails the whole feed before anything is emitted.
 * Returns PP_OK or an error with c->err set.
 */
int osv_load_zip(feeds_ctx *c, const feed_src *src, const char *feed);

/* osv_load_json - one OSV record in a JSON file (feed "osv:local"). */
int osv_load_json(feeds_ctx *c, const char *path, const char *text, size_t len);

/*
 * kev_load - the CISA Known Exploited Vulnerabilities catalogue (JSON):
 * one "cve" indicator per entry in feed "kev". A text that is not the
 * catalogue fails; malformed entries are skipped with a warning.
 */
int kev_load(feeds_ctx *c, const char *label, const char *text, size_t len);

/* epss_load - the EPSS scores CSV (already decompressed): "cve" indicators
 * in feed "epss". Returns PP_OK or an error naming the line. */
int epss_load(feeds_ctx *c, const char *label, const char *text, size_t len);

/*
 * list_load - an indicator list: Spamhaus DROP lines ("1.2.3.0/24 ; SBL1")
 * or plain one-per-line IPs, CIDRs and domains; '#' and ';' start comments.
 * Emits into feed @feed. Bad lines are skipped with a warning naming the
 * line; a list with no valid line fails.
 */
int list_load(feeds_ctx *c, const char *feed, const char *label, const char *text, size_t len);

#endif
