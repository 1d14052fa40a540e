/*
 * core/feed/feed.h - vulnerability intelligence in the store: writing what
 * threat-feed plugins emit (advisories, indicators) feed by feed, and
 * matching the packages of a scan against the OSV advisories, enriched with
 * CISA KEV and EPSS (docs/feeds.md).
 *
 * These functions use the SQLite schema of docs/store.md directly, like the
 * other commands that read the store; the feed tables (feed_state,
 * advisory_packages, feed_imports) are created by the store's migration to
 * schema version 3 (core/store_schema.c).
 */
#ifndef PP_CORE_FEED_H
#define PP_CORE_FEED_H

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

/* ---- OSV evaluation (pure: no store) ---- */

/* A package as the matcher sees it. Strings borrowed; source_* may be NULL. */
typedef struct feed_pkg {
    const char *ecosystem; /* OSV ecosystem: "Debian:12", "npm", ... */
    const char *name;
    const char *version;
    const char *source_name;    /* dpkg/apk source package, or NULL */
    const char *source_version; /* its version, or NULL (then version is used) */
} feed_pkg;

/*
 * feed_pkg_key - the name and version an advisory lists @p under: for the
 * distributions whose OSV records name source packages (Debian, Ubuntu,
 * Alpine), the source package and its version when known; otherwise the
 * package itself. Pointers borrowed from @p.
 */
void feed_pkg_key(const feed_pkg *p, const char **name, const char **version);

/*
 * feed_norm_name - the form names are compared in: PyPI names lower-cased
 * with runs of '-', '_' and '.' made one '-' (PEP 503); others as they are.
 * Writes at most @n bytes (NUL-terminated) to @out.
 */
void feed_norm_name(const char *ecosystem, const char *name, char *out, size_t n);

/*
 * feed_osv_affects - does OSV record @doc affect package @p?
 * Looks at every affected[] entry of @p's ecosystem and (normalised) name:
 * its "versions" list, then its ECOSYSTEM and SEMVER ranges (introduced,
 * fixed, last_affected, evaluated on events sorted by version as the OSV
 * schema specifies; GIT ranges are ignored). A withdrawn record affects
 * nothing. Returns 1 (affected; @fixed, of @fixedlen bytes, gets the
 * version that fixes it, "" when none does), 0 (not affected) or -1 when
 * the package version cannot be compared in its ecosystem (@err says why).
 * A malformed range or event is skipped, with a note in @err, never fatal.
 */
int feed_osv_affects(const cJSON *doc, const feed_pkg *p, char *fixed, size_t fixedlen, char *err, size_t errlen);

/*
 * feed_cvss3_score - the CVSS v3.0/v3.1 base score of a vector string
 * ("CVSS:3.1/AV:N/AC:L/..."), or -1 when it is not a valid v3 vector.
 */
double feed_cvss3_score(const char *vector);

/* feed_severity_from_score - "critical", "high", "medium", "low" or "none". */
const char *feed_severity_from_score(double score);

/*
 * feed_osv_severity - the severity of an advisory: the highest CVSS v3
 * score in "severity" (*score set), else database_specific.severity (GHSA
 * style, *score -1). Returns a lower-case name ("unknown" when none).
 */
const char *feed_osv_severity(const cJSON *doc, double *score);

/* ---- writing feeds into the store ---- */

typedef struct feed_writer feed_writer;

/*
 * feed_index_advisory - insert the (ecosystem, normalised name, @source,
 * @id) rows of the OSV document @document_json through @ins, a prepared
 * "INSERT OR IGNORE INTO advisory_packages(ecosystem, name, source, id)
 * VALUES(?,?,?,?)". A document that is not JSON indexes nothing. The
 * statement is reset after each row. Returns 0, or -1 when a step failed
 * (sqlite3_errmsg says why).
 */
int feed_index_advisory(sqlite3_stmt *ins, const char *source, const char *id, const char *document_json);

/*
 * feed_writer_open - open the store at @path for writing feeds: create or
 * migrate it (store_open; schema version 3 has the feed tables) and begin
 * one transaction. Returns NULL with a reason in @err.
 */
feed_writer *feed_writer_open(const char *path, char *err, size_t errlen);

/*
 * feed_writer_put - store one advisory or indicator record (other kinds
 * are refused). The first record of a feed in this writer deletes the
 * feed's earlier rows: a feed is replaced by what one update emitted.
 * Returns 0, or -1 with feed_writer_error set (the writer then refuses to
 * commit).
 */
int feed_writer_put(feed_writer *w, const rec *r);

/* feed_writer_kv_get / kv_set - the plugins' cache (store.h kv semantics),
 * inside the writer's transaction so a validator is kept only with the data
 * it describes. kv_get: *val malloc'd. Return 0, 1 (get: not found), -1. */
int feed_writer_kv_get(feed_writer *w, const char *plugin, const char *key, char **val, size_t *len);
int feed_writer_kv_set(feed_writer *w, const char *plugin, const char *key, const char *val, size_t len,
                       uint32_t ttl_s);

/*
 * feed_writer_mark / feed_writer_settle - a step that stands or falls as a
 * whole (one plugin's run, one bundle): mark starts it (a SAVEPOINT; one at
 * a time), settle(w, 1) keeps what it wrote, settle(w, 0) undoes it - its
 * rows, the feeds it replaced and their counts - and clears a failure it
 * caused, so the writer can go on with the next step. Both return 0 or -1
 * with feed_writer_error set.
 */
int feed_writer_mark(feed_writer *w);
int feed_writer_settle(feed_writer *w, int keep);

/*
 * feed_writer_last_import - the creation time of the newest signed bundle
 * imported earlier that carried @feed (feed_imports), -1 when none did, -2
 * on a store error.
 * feed_writer_log_import - record an imported bundle in feed_imports, in
 * the writer's transaction (@feeds comma-separated). 0 or -1.
 */
int64_t feed_writer_last_import(feed_writer *w, const char *feed);
int feed_writer_log_import(feed_writer *w, const char *bundle, const char *name, int64_t created, const char *signer,
                           const char *sha256, const char *feeds);

/* feed_writer_feeds - how many feeds were replaced so far; for each, when
 * @i is in range, its name and record count. */
size_t feed_writer_feeds(const feed_writer *w, size_t i, const char **name, uint64_t *records);

/* feed_writer_commit - record every replaced feed in feed_state and commit.
 * Returns 0 or -1 (nothing committed). */
int feed_writer_commit(feed_writer *w);

/* feed_writer_close - roll back whatever is not committed and close. */
void feed_writer_close(feed_writer *w);

/* feed_writer_error - why the last call failed. */
const char *feed_writer_error(const feed_writer *w);

/* ---- matching ---- */

typedef struct feed_finding {
    char *resource_uid, *ecosystem, *package, *version;
    char *advisory_id; /* the OSV id */
    char *cve;         /* the id when a CVE, else the first CVE alias; NULL if none */
    char *aliases;     /* comma-separated aliases, "" when none */
    char *fixed;       /* "" when no fix is known */
    char *severity;    /* "critical" ... "low", "unknown" */
    double cvss;       /* -1 when unknown */
    int kev;           /* in the CISA KEV catalogue */
    char *kev_due;     /* KEV due date "YYYY-MM-DD", or NULL */
    char *ransomware;  /* KEV "Known" / "Unknown", or NULL */
    double epss;       /* -1 when unknown */
    double epss_percentile;
} feed_finding;

typedef struct feed_findings {
    feed_finding *v;
    size_t n;
    size_t skipped; /* package/advisory pairs that could not be compared */
} feed_findings;

/*
 * feed_match_scan - match every package of scan @scan_id against the OSV
 * advisories in @db and enrich each match with KEV and EPSS. With
 * @ignore_unfixed, matches with no fixed version are left out. The result
 * is ordered KEV first, then by EPSS score, then by severity (CVSS), then
 * by id. @out is filled (free with feed_findings_free). Returns 0, or -1
 * with @err set (no feed tables is not an error: no findings).
 */
int feed_match_scan(sqlite3 *db, int64_t scan_id, int ignore_unfixed, feed_findings *out, char *err, size_t errlen);

/* feed_findings_free - release the contents of @f. */
void feed_findings_free(feed_findings *f);

/* feed_finding_cmp - the ordering feed_match_scan applies (qsort comparator). */
int feed_finding_cmp(const void *a, const void *b);

/* ---- vulnerability findings of a scan ---- */

/*
 * feed_severity_of - the pp_severity of a match: from its CVSS v3 base
 * score (9.0 critical, 7.0 high, 4.0 medium, else low), else from the
 * advisory's own severity, else medium; a KEV entry is at least high.
 */
int feed_severity_of(const feed_finding *x);

/*
 * feed_rule_id - the rule id of a match's finding: the CVE when the
 * advisory names one (so the same CVE from two feeds is one finding
 * identity), else "vuln-" and the advisory id. Into @buf (@n bytes).
 */
void feed_rule_id(const feed_finding *x, char *buf, size_t n);

/*
 * feed_scan_findings - the vulnerability findings of scan @scan_id in the
 * store @db_path (opened read-only; the scan's packages must be committed):
 * every match of feed_match_scan (with @ignore_unfixed) as a REC_FINDING
 * record of plugin "vuln", in triage order (KEV first), linked through
 * ->next in *@out (*@n_out of them; the caller frees each with rec_free).
 * Status fail, or muted when a suppression of @suppressions_json (the
 * store's JSON, may be NULL) matches at time @now; resource type, provider,
 * account, region and tags are the scanned resource's. A rule, resource,
 * package and version found through two feeds gives one finding. No feed
 * or no package: 0 and no finding. Returns 0, or -1 with @err (then *@out
 * is NULL).
 */
int feed_scan_findings(const char *db_path, int64_t scan_id, int ignore_unfixed, const char *suppressions_json,
                       int64_t now, rec **out, size_t *n_out, char *err, size_t errlen);

/* ---- threat.ip(x) for rules ---- */

/* A set of IP addresses and CIDR ranges (IPv4 and IPv6). */
typedef struct feed_ipset feed_ipset;

/* feed_ipset_new - an empty set, or NULL when out of memory. */
feed_ipset *feed_ipset_new(void);
/* feed_ipset_add - add "a.b.c.d[/n]" or an IPv6 address[/n]; -1 when it is
 * not one (or out of memory). */
int feed_ipset_add(feed_ipset *s, const char *text);
/* feed_ipset_match - 1 when the address or range @text shares an address
 * with a member, 0 when not, -1 when @text is not an address or range. */
int feed_ipset_match(const feed_ipset *s, const char *text);
size_t feed_ipset_size(const feed_ipset *s);
void feed_ipset_free(feed_ipset *s);
/*
 * feed_ipset_load - add every "ip" and "cidr" indicator of the store at
 * @db_path (opened read-only). A store without indicators adds nothing.
 * Returns 0, or -1 with @err set.
 */
int feed_ipset_load(feed_ipset *s, const char *db_path, char *err, size_t errlen);
/*
 * feed_threat_ip_register - make threat.ip(x) (true when x overlaps a member
 * of @s) known to every CEL environment made afterwards. @s must outlive
 * them. Call at start-up, before any environment is made, single-threaded.
 * Returns 0, or nonzero with *why set.
 */
int feed_threat_ip_register(const feed_ipset *s, const char **why);
/*
 * feed_threat_ip_register_store - the same over the indicators of the store
 * at @db_path, read (once, thread-safely) at the first call of threat.ip, so
 * commands that never evaluate it never read the store. A store that
 * cannot be read makes each call an error naming it. Same start-up rule as
 * above; call at most once per process. The path is kept for the life of
 * the process.
 */
int feed_threat_ip_register_store(const char *db_path, const char **why);

#endif
