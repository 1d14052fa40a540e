/*
 * core/feed/scan_vulns.c - the vulnerability findings of a scan: its
 * packages matched against the stored advisories (match.c), each match made
 * a finding record that the scan's writer stores, writes to the outputs and
 * counts like a rule's (docs/feeds.md, "Findings of a scan").
 */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed/feed.h"
#include "policy/suppress.h"
#include "util.h"

/* The resource a finding is about (the image), for its type, place and tags. */
typedef struct res_info {
    char *uid, *type, *provider, *account, *region, *tags;
} res_info;

static void res_free(res_info *r)
{
    free(r->uid);
    free(r->type);
    free(r->provider);
    free(r->account);
    free(r->region);
    free(r->tags);
    memset(r, 0, sizeof *r);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s ? strdup(s) : NULL;
}

/* Look @uid up in the scan's resources (cached in @r: a scan's packages are
 * grouped by resource). A package of a resource the scan did not report is
 * filed under type "package.host" and provider "vuln". */
static void res_lookup(sqlite3_stmt *st, const char *uid, res_info *r)
{
    if (r->uid && !strcmp(r->uid, uid))
        return;
    res_free(r);
    r->uid = strdup(uid);
    sqlite3_bind_text(st, 2, uid, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        r->type = col_dup(st, 0);
        r->provider = col_dup(st, 1);
        r->account = col_dup(st, 2);
        r->region = col_dup(st, 3);
        r->tags = col_dup(st, 4);
    }
    sqlite3_reset(st);
}

int feed_severity_of(const feed_finding *x)
{
    int sev;
    if (x->cvss >= 0)
        sev = x->cvss >= 9.0 ? PP_SEV_CRITICAL : x->cvss >= 7.0 ? PP_SEV_HIGH : x->cvss >= 4.0 ? PP_SEV_MEDIUM
                                                                                               : PP_SEV_LOW;
    else if (!strcmp(x->severity, "critical"))
        sev = PP_SEV_CRITICAL;
    else if (!strcmp(x->severity, "high"))
        sev = PP_SEV_HIGH;
    else if (!strcmp(x->severity, "low"))
        sev = PP_SEV_LOW;
    else
        sev = PP_SEV_MEDIUM; /* medium, moderate, or not stated */
    if (x->kev && sev < PP_SEV_HIGH)
        sev = PP_SEV_HIGH; /* exploited in the wild */
    return sev;
}

void feed_rule_id(const feed_finding *x, char *buf, size_t n)
{
    if (x->cve)
        snprintf(buf, n, "%s", x->cve);
    else
        snprintf(buf, n, "vuln-%s", x->advisory_id);
}

/* The evidence object of @x (a fresh JSON string, or NULL). */
static char *evidence_json(const feed_finding *x, int64_t supp)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", "vulnerability");
    cJSON_AddStringToObject(o, "advisory", x->advisory_id);
    if (x->cve)
        cJSON_AddStringToObject(o, "cve", x->cve);
    else
        cJSON_AddNullToObject(o, "cve");
    cJSON *al = cJSON_AddArrayToObject(o, "aliases");
    for (const char *p = x->aliases; *p;) {
        size_t k = strcspn(p, ",");
        char *one = strndup(p, k);
        if (one)
            cJSON_AddItemToArray(al, cJSON_CreateString(one));
        free(one);
        p += k + (p[k] == ',');
    }
    cJSON_AddStringToObject(o, "ecosystem", x->ecosystem);
    cJSON_AddStringToObject(o, "package", x->package);
    cJSON_AddStringToObject(o, "installed_version", x->version);
    if (x->fixed[0])
        cJSON_AddStringToObject(o, "fixed_version", x->fixed);
    else
        cJSON_AddNullToObject(o, "fixed_version");
    if (x->cvss >= 0)
        cJSON_AddNumberToObject(o, "cvss", x->cvss);
    else
        cJSON_AddNullToObject(o, "cvss");
    cJSON_AddStringToObject(o, "advisory_severity", x->severity);
    cJSON_AddBoolToObject(o, "kev", x->kev);
    if (x->kev_due)
        cJSON_AddStringToObject(o, "kev_due_date", x->kev_due);
    if (x->ransomware)
        cJSON_AddStringToObject(o, "kev_ransomware", x->ransomware);
    if (x->epss >= 0) {
        cJSON_AddNumberToObject(o, "epss", x->epss);
        cJSON_AddNumberToObject(o, "epss_percentile", x->epss_percentile);
    } else {
        cJSON_AddNullToObject(o, "epss");
    }
    if (supp >= 0)
        cJSON_AddNumberToObject(o, "suppression", (double)supp);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* Make the finding record for match @x on resource @r. */
static rec *make_finding(const feed_finding *x, const res_info *r, pe_suppressions *supp, int64_t now, char *err,
                         size_t errlen)
{
    char rule[300];
    feed_rule_id(x, rule, sizeof rule);
    pp_resource pr;
    memset(&pr, 0, sizeof pr);
    pr.size = sizeof pr;
    pr.uid = x->resource_uid;
    pr.type = r->type ? r->type : "package.host";
    pr.provider = r->provider ? r->provider : "vuln";
    pr.account = r->account;
    pr.region = r->region;
    pr.tags_json = r->tags;
    int64_t sid = supp ? pe_suppressions_match(supp, rule, &pr, now) : -1;
    sbuf title = {0}, msg = {0}, rem = {0};
    sbuf_printf(&title, "%s in %s %s", x->cve ? x->cve : x->advisory_id, x->package, x->version);
    sbuf_printf(&msg, "%s %s (%s) is affected by %s", x->package, x->version, x->ecosystem, x->advisory_id);
    if (x->fixed[0])
        sbuf_printf(&msg, "; fixed in %s", x->fixed);
    else
        sbuf_printf(&msg, "; no fixed version is known");
    if (x->kev)
        sbuf_printf(&msg, ". Known exploited (CISA KEV%s%s%s%s)", x->kev_due ? ", due " : "",
                    x->kev_due ? x->kev_due : "", x->ransomware && !strcmp(x->ransomware, "Known") ? ", " : "",
                    x->ransomware && !strcmp(x->ransomware, "Known") ? "used by ransomware" : "");
    if (x->epss >= 0)
        sbuf_printf(&msg, ". EPSS %.4f", x->epss);
    if (x->fixed[0])
        sbuf_printf(&rem, "Upgrade %s to %s or later (for an image: rebuild it on an updated base image).",
                    x->package, x->fixed);
    else
        sbuf_printf(&rem, "No fixed version of %s is known yet: follow %s, reduce the package's exposure, or "
                          "suppress the finding with a reason.",
                    x->package, x->advisory_id);
    char *ev = evidence_json(x, sid);
    pp_finding f;
    memset(&f, 0, sizeof f);
    f.size = sizeof f;
    f.rule_id = rule;
    f.resource_uid = x->resource_uid;
    f.resource_type = pr.type;
    f.status = sid >= 0 ? PP_STATUS_MUTED : PP_STATUS_FAIL;
    f.severity = (pp_severity)feed_severity_of(x);
    f.title = title.data;
    f.message = msg.data;
    f.evidence_json = ev;
    f.remediation = rem.data;
    f.compliance_json = "[]";
    f.provider = pr.provider;
    f.account = r->account;
    f.region = r->region;
    rec *out = ev && title.data && msg.data && rem.data ? rec_copy(REC_FINDING, &f, "vuln", err, errlen) : NULL;
    if (!ev)
        snprintf(err, errlen, "out of memory");
    free(ev);
    sbuf_free(&title);
    sbuf_free(&msg);
    sbuf_free(&rem);
    return out;
}

/* A set of strings (open addressing, FNV-1a), for the duplicates. */
typedef struct strset {
    char **v;
    size_t cap, n;
} strset;

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Add @s (taking it); 1 when it was new, 0 when already there, -1 out of memory. */
static int strset_add(strset *set, char *s)
{
    if ((set->n + 1) * 2 > set->cap) {
        size_t ncap = set->cap ? set->cap * 2 : 64;
        char **nv = calloc(ncap, sizeof *nv);
        if (!nv) {
            free(s);
            return -1;
        }
        for (size_t i = 0; i < set->cap; i++) {
            if (!set->v[i])
                continue;
            size_t j = str_hash(set->v[i]) & (ncap - 1);
            while (nv[j])
                j = (j + 1) & (ncap - 1);
            nv[j] = set->v[i];
        }
        free(set->v);
        set->v = nv;
        set->cap = ncap;
    }
    size_t j = str_hash(s) & (set->cap - 1);
    while (set->v[j]) {
        if (!strcmp(set->v[j], s)) {
            free(s);
            return 0;
        }
        j = (j + 1) & (set->cap - 1);
    }
    set->v[j] = s;
    set->n++;
    return 1;
}

static void strset_free(strset *set)
{
    for (size_t i = 0; i < set->cap; i++)
        free(set->v[i]);
    free(set->v);
    memset(set, 0, sizeof *set);
}

int feed_scan_findings(const char *db_path, int64_t scan_id, int ignore_unfixed, const char *suppressions_json,
                       int64_t now, rec **out, size_t *n_out, char *err, size_t errlen)
{
    *out = NULL;
    *n_out = 0;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", db_path, db ? sqlite3_errmsg(db) : "cannot open");
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, 10000);
    feed_findings f;
    memset(&f, 0, sizeof f);
    int rc = feed_match_scan(db, scan_id, ignore_unfixed, &f, err, errlen);
    if (rc != 0 || f.n == 0) {
        sqlite3_close(db);
        return rc;
    }
    rc = -1;
    pe_suppressions *supp = NULL;
    sqlite3_stmt *rs = NULL;
    res_info r;
    memset(&r, 0, sizeof r);
    rec *head = NULL, **tail = &head;
    strset seen = {0};
    if (suppressions_json && !(supp = pe_suppressions_parse(suppressions_json, err, errlen)))
        goto done;
    if (sqlite3_prepare_v2(db,
                           "SELECT type, provider, account, region, tags FROM resources WHERE scan_id=? AND uid=?",
                           -1, &rs, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", db_path, sqlite3_errmsg(db));
        goto done;
    }
    sqlite3_bind_int64(rs, 1, scan_id);
    /* f is in triage order (KEV first); the same rule, resource and
     * package from a second feed is one finding */
    for (size_t i = 0; i < f.n; i++) {
        const feed_finding *x = &f.v[i];
        char rule[300];
        feed_rule_id(x, rule, sizeof rule);
        sbuf key = {0};
        sbuf_printf(&key, "%s\t%s\t%s\t%s", rule, x->resource_uid, x->package, x->version);
        int isnew = strset_add(&seen, sbuf_steal(&key));
        if (isnew < 0) {
            snprintf(err, errlen, "out of memory");
            goto done;
        }
        if (isnew == 0)
            continue;
        res_lookup(rs, x->resource_uid, &r);
        rec *one = make_finding(x, &r, supp, now, err, errlen);
        if (!one)
            goto done;
        *tail = one;
        tail = &one->next;
        (*n_out)++;
    }
    rc = 0;
done:
    strset_free(&seen);
    res_free(&r);
    sqlite3_finalize(rs);
    pe_suppressions_free(supp);
    feed_findings_free(&f);
    sqlite3_close(db);
    if (rc != 0) {
        while (head) {
            rec *nx = head->next;
            rec_free(head);
            head = nx;
        }
        *n_out = 0;
    } else {
        *out = head;
    }
    return rc;
}
