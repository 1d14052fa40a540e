/*
 * core/feed/match.c - the packages of a scan against the OSV advisories in
 * the store, enriched with CISA KEV and EPSS, ordered for triage.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed/feed.h"
#include "log.h"

static char *dup0(const char *s)
{
    return strdup(s ? s : "");
}

static int table_exists(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st = NULL;
    int yes = 0;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        yes = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return yes;
}

static int severity_rank(const char *s)
{
    return !strcmp(s, "critical") ? 4 : !strcmp(s, "high") ? 3 : !strcmp(s, "medium") ? 2 : !strcmp(s, "low") ? 1 : 0;
}

int feed_finding_cmp(const void *pa, const void *pb)
{
    const feed_finding *a = pa, *b = pb;
    if (a->kev != b->kev)
        return b->kev - a->kev;
    if (a->epss != b->epss)
        return a->epss < b->epss ? 1 : -1;
    if (a->cvss != b->cvss)
        return a->cvss < b->cvss ? 1 : -1;
    int ra = severity_rank(a->severity), rb = severity_rank(b->severity);
    if (ra != rb)
        return rb - ra;
    int c = strcmp(a->advisory_id, b->advisory_id);
    if (c)
        return c;
    c = strcmp(a->package, b->package);
    return c ? c : strcmp(a->resource_uid, b->resource_uid);
}

/* KEV and EPSS attributes of @cve, when the feeds have it. */
static void enrich(sqlite3_stmt *ind, const char *cve, feed_finding *f)
{
    sqlite3_bind_text(ind, 1, cve, -1, SQLITE_STATIC);
    while (sqlite3_step(ind) == SQLITE_ROW) {
        const char *feed = (const char *)sqlite3_column_text(ind, 0);
        const char *attrs = (const char *)sqlite3_column_text(ind, 1);
        cJSON *a = attrs ? cJSON_Parse(attrs) : NULL;
        if (feed && !strcmp(feed, "kev")) {
            f->kev = 1;
            const cJSON *due = cJSON_GetObjectItemCaseSensitive(a, "due_date");
            const cJSON *rw = cJSON_GetObjectItemCaseSensitive(a, "ransomware");
            if (cJSON_IsString(due) && !f->kev_due)
                f->kev_due = strdup(due->valuestring);
            if (cJSON_IsString(rw) && !f->ransomware)
                f->ransomware = strdup(rw->valuestring);
        } else if (feed && !strcmp(feed, "epss")) {
            const cJSON *e = cJSON_GetObjectItemCaseSensitive(a, "epss");
            const cJSON *p = cJSON_GetObjectItemCaseSensitive(a, "percentile");
            if (cJSON_IsNumber(e) && e->valuedouble > f->epss) {
                f->epss = e->valuedouble;
                f->epss_percentile = cJSON_IsNumber(p) ? p->valuedouble : -1;
            }
        }
        cJSON_Delete(a);
    }
    sqlite3_reset(ind);
}

static int push(feed_findings *out, const feed_finding *f)
{
    if ((out->n & (out->n - 1)) == 0 || out->n == 0) {
        size_t cap = out->n ? out->n * 2 : 16;
        feed_finding *nv = realloc(out->v, cap * sizeof *nv);
        if (!nv)
            return -1;
        out->v = nv;
    }
    out->v[out->n++] = *f;
    return 0;
}

static void finding_free(feed_finding *f)
{
    free(f->resource_uid);
    free(f->ecosystem);
    free(f->package);
    free(f->version);
    free(f->advisory_id);
    free(f->cve);
    free(f->aliases);
    free(f->fixed);
    free(f->severity);
    free(f->kev_due);
    free(f->ransomware);
}

/* Build the finding for @doc affecting @p. */
static int add_finding(feed_findings *out, sqlite3_stmt *ind, const cJSON *doc, const feed_pkg *p, const char *uid,
                       const char *fixed)
{
    feed_finding f;
    memset(&f, 0, sizeof f);
    f.epss = -1;
    f.epss_percentile = -1;
    const char *id = cJSON_GetObjectItemCaseSensitive(doc, "id")->valuestring;
    double score;
    const char *sev = feed_osv_severity(doc, &score);
    f.cvss = score;
    /* aliases, and the CVE this advisory is about */
    size_t alen = 0;
    char aliases[2048] = "";
    const char *cve = !strncmp(id, "CVE-", 4) ? id : NULL;
    static const char *const lists[] = {"aliases", "upstream"};
    for (size_t l = 0; l < 2; l++) {
        const cJSON *x;
        cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(doc, lists[l]))
        {
            if (!cJSON_IsString(x))
                continue;
            if (!cve && !strncmp(x->valuestring, "CVE-", 4))
                cve = x->valuestring;
            if (strcmp(x->valuestring, id) != 0 && alen + strlen(x->valuestring) + 2 < sizeof aliases)
                alen +=
                    (size_t)snprintf(aliases + alen, sizeof aliases - alen, "%s%s", alen ? "," : "", x->valuestring);
        }
    }
    f.resource_uid = dup0(uid);
    f.ecosystem = dup0(p->ecosystem);
    f.package = dup0(p->name);
    f.version = dup0(p->version);
    f.advisory_id = dup0(id);
    f.cve = cve ? strdup(cve) : NULL;
    f.aliases = dup0(aliases);
    f.fixed = dup0(fixed);
    f.severity = dup0(sev);
    if (!f.resource_uid || !f.ecosystem || !f.package || !f.version || !f.advisory_id || (cve && !f.cve) ||
        !f.aliases || !f.fixed || !f.severity) {
        finding_free(&f);
        return -1;
    }
    /* KEV and EPSS, by the CVE and every CVE alias */
    if (ind) {
        if (f.cve)
            enrich(ind, f.cve, &f);
        const cJSON *x;
        for (size_t l = 0; l < 2; l++) {
            cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(doc, lists[l]))
            {
                if (cJSON_IsString(x) && !strncmp(x->valuestring, "CVE-", 4) &&
                    (!f.cve || strcmp(x->valuestring, f.cve)))
                    enrich(ind, x->valuestring, &f);
            }
        }
    }
    if (push(out, &f) != 0) {
        finding_free(&f);
        return -1;
    }
    return 0;
}

int feed_match_scan(sqlite3 *db, int64_t scan_id, int ignore_unfixed, feed_findings *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!table_exists(db, "advisory_packages"))
        return 0; /* no feed was ever loaded */
    sqlite3_stmt *pk = NULL, *adv = NULL, *ind = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(db,
                           "SELECT DISTINCT resource_uid, ecosystem, name, version, source_name, source_version"
                           " FROM packages WHERE scan_id=? ORDER BY resource_uid, ecosystem, name, version",
                           -1, &pk, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT a.document FROM advisory_packages p JOIN advisories a"
                           " ON a.source = p.source AND a.id = p.id WHERE p.ecosystem=? AND p.name=?"
                           " ORDER BY a.id, a.source",
                           -1, &adv, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "match: %s", sqlite3_errmsg(db));
        goto done;
    }
    if (sqlite3_prepare_v2(db,
                           "SELECT feed, attributes FROM indicators WHERE kind='cve' AND value=?"
                           " AND feed IN ('kev','epss')",
                           -1, &ind, NULL) != SQLITE_OK)
        ind = NULL;
    sqlite3_bind_int64(pk, 1, scan_id);
    int s;
    while ((s = sqlite3_step(pk)) == SQLITE_ROW) {
        const char *uid = (const char *)sqlite3_column_text(pk, 0);
        feed_pkg p = {(const char *)sqlite3_column_text(pk, 1), (const char *)sqlite3_column_text(pk, 2),
                      (const char *)sqlite3_column_text(pk, 3), (const char *)sqlite3_column_text(pk, 4),
                      (const char *)sqlite3_column_text(pk, 5)};
        const char *kname, *kver;
        feed_pkg_key(&p, &kname, &kver);
        if (!p.ecosystem || !kname || !kver)
            continue;
        char norm[512];
        feed_norm_name(p.ecosystem, kname, norm, sizeof norm);
        sqlite3_bind_text(adv, 1, p.ecosystem, -1, SQLITE_STATIC);
        sqlite3_bind_text(adv, 2, norm, -1, SQLITE_STATIC);
        const char *last_id = NULL;
        char last[256] = "";
        while (sqlite3_step(adv) == SQLITE_ROW) {
            const char *text = (const char *)sqlite3_column_text(adv, 0);
            cJSON *doc = text ? cJSON_Parse(text) : NULL;
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(doc, "id");
            if (!cJSON_IsString(id)) {
                cJSON_Delete(doc);
                continue;
            }
            /* the same id from two feeds (e.g. osv:local and osv:Debian:12) counts once */
            if (last_id && !strcmp(last, id->valuestring)) {
                cJSON_Delete(doc);
                continue;
            }
            char fixed[256], why[400];
            int k = feed_osv_affects(doc, &p, fixed, sizeof fixed, why, sizeof why);
            if (k < 0) {
                out->skipped++;
                log_msg(LOG_LVL_WARN, "feed", "%s: %s %s %s: %s", id->valuestring, p.ecosystem, kname, kver, why);
            } else if (k == 1 && !(ignore_unfixed && !fixed[0])) {
                if (add_finding(out, ind, doc, &p, uid, fixed) != 0) {
                    cJSON_Delete(doc);
                    sqlite3_reset(adv);
                    snprintf(err, errlen, "match: out of memory");
                    goto done;
                }
            }
            snprintf(last, sizeof last, "%s", id->valuestring);
            last_id = last;
            cJSON_Delete(doc);
        }
        sqlite3_reset(adv);
    }
    if (s != SQLITE_DONE) {
        snprintf(err, errlen, "match: %s", sqlite3_errmsg(db));
        goto done;
    }
    if (out->n > 1)
        qsort(out->v, out->n, sizeof *out->v, feed_finding_cmp);
    rc = 0;
done:
    sqlite3_finalize(pk);
    sqlite3_finalize(adv);
    sqlite3_finalize(ind);
    if (rc != 0)
        feed_findings_free(out);
    return rc;
}

void feed_findings_free(feed_findings *f)
{
    for (size_t i = 0; i < f->n; i++)
        finding_free(&f->v[i]);
    free(f->v);
    memset(f, 0, sizeof *f);
}
