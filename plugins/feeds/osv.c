/*
 * plugins/feeds/osv.c - OSV advisories: the per-ecosystem all.zip exports
 * (one JSON record per entry), read with libarchive's zip reader, and
 * single records in a JSON file.
 */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feeds.h"

/* "2024-07-03T20:05:21Z" (fractions and offsets tolerated) -> Unix seconds; 0 if unreadable. */
static long long rfc3339(const char *s)
{
    int y, mo, d, h = 0, mi = 0, se = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &se) < 3)
        return 0;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31)
        return 0;
    /* days from civil (proleptic Gregorian) */
    int yy = y - (mo <= 2);
    long era = yy / 400;
    long yoe = yy - era * 400;
    long doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long long days = era * 146097LL + doe - 719468;
    return days * 86400 + h * 3600 + mi * 60 + se;
}

/* Check one record. Returns 0 when it is an OSV record to keep, 1 when it
 * is withdrawn, -1 (with @why) when it is malformed. */
static int check_record(const cJSON *doc, char *why, size_t n)
{
    if (!cJSON_IsObject(doc)) {
        snprintf(why, n, "not a JSON object");
        return -1;
    }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(doc, "id");
    const cJSON *mod = cJSON_GetObjectItemCaseSensitive(doc, "modified");
    if (!cJSON_IsString(id) || !*id->valuestring || strlen(id->valuestring) > 200) {
        snprintf(why, n, "no valid \"id\"");
        return -1;
    }
    if (!cJSON_IsString(mod)) {
        snprintf(why, n, "%s: no \"modified\"", id->valuestring);
        return -1;
    }
    const cJSON *aff = cJSON_GetObjectItemCaseSensitive(doc, "affected");
    if (aff && !cJSON_IsArray(aff)) {
        snprintf(why, n, "%s: \"affected\" is not an array", id->valuestring);
        return -1;
    }
    if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "withdrawn")))
        return 1;
    return 0;
}

/* The ecosystem of the first affected package, or NULL. */
static const char *first_ecosystem(const cJSON *doc)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(doc, "affected"))
    {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(a, "package"), "ecosystem");
        if (cJSON_IsString(e) && *e->valuestring && strlen(e->valuestring) < 100)
            return e->valuestring;
    }
    return NULL;
}

static int emit(feeds_ctx *c, const char *feed, const cJSON *doc, const char *text)
{
    pp_advisory a;
    PP_INIT(&a);
    a.id = cJSON_GetObjectItemCaseSensitive(doc, "id")->valuestring;
    a.source = feed;
    a.modified = rfc3339(cJSON_GetObjectItemCaseSensitive(doc, "modified")->valuestring);
    a.document_json = text;
    int rc = c->api->emit_advisory(c->h, &a);
    return rc == PP_ERR_INVALID ? PP_OK : rc; /* the host logged and dropped it */
}

typedef struct zip_stats {
    size_t records, withdrawn, malformed;
} zip_stats;

/* One pass over the archive: check every entry, and emit when @feed is set. */
static int zip_pass(feeds_ctx *c, const feed_src *src, const char *feed, char *first_eco, size_t eco_len, zip_stats *st)
{
    struct archive *a = archive_read_new();
    if (!a)
        return feeds_fail(c, PP_ERR_NOMEM, "out of memory");
    archive_read_support_format_zip(a);
    int r =
        src->path ? archive_read_open_filename(a, src->path, 1 << 16) : archive_read_open_memory(a, src->mem, src->len);
    if (r != ARCHIVE_OK) {
        int rc =
            feeds_fail(c, PP_ERR_INVALID, "%s: not a readable zip archive: %s", src->label, archive_error_string(a));
        archive_read_free(a);
        return rc;
    }
    memset(st, 0, sizeof *st);
    char *buf = NULL;
    int rc = PP_OK;
    size_t entries = 0;
    struct archive_entry *e;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e);
        char ename[256];
        snprintf(ename, sizeof ename, "%s", name ? name : "(unnamed)");
        if (++entries > FEEDS_MAX_ENTRIES) {
            rc = feeds_fail(c, PP_ERR_INVALID, "%s: more than %u entries", src->label, FEEDS_MAX_ENTRIES);
            break;
        }
        if (archive_entry_filetype(e) != AE_IFREG)
            continue;
        if (archive_entry_size_is_set(e) && archive_entry_size(e) > (la_int64_t)FEEDS_MAX_ENTRY_BYTES) {
            rc = feeds_fail(c, PP_ERR_INVALID, "%s: entry %s: %lld bytes, over the %u MiB limit of one record",
                            src->label, ename, (long long)archive_entry_size(e), FEEDS_MAX_ENTRY_BYTES >> 20);
            break;
        }
        if (!buf && !(buf = malloc(FEEDS_MAX_ENTRY_BYTES + 1))) {
            rc = feeds_fail(c, PP_ERR_NOMEM, "out of memory");
            break;
        }
        size_t n = 0;
        for (;;) {
            la_ssize_t got = archive_read_data(a, buf + n, FEEDS_MAX_ENTRY_BYTES + 1 - n);
            if (got < 0) {
                rc = feeds_fail(c, PP_ERR_INVALID, "%s: entry %s: corrupt or truncated: %s", src->label, ename,
                                archive_error_string(a));
                break;
            }
            if (got == 0)
                break;
            n += (size_t)got;
            if (n > FEEDS_MAX_ENTRY_BYTES) {
                rc = feeds_fail(c, PP_ERR_INVALID, "%s: entry %s: over the %u MiB limit of one record", src->label,
                                ename, FEEDS_MAX_ENTRY_BYTES >> 20);
                break;
            }
        }
        if (rc != PP_OK)
            break;
        if (n < 5 || strcmp(ename + (strlen(ename) > 5 ? strlen(ename) - 5 : 0), ".json") != 0)
            continue; /* not a record */
        buf[n] = '\0';
        cJSON *doc = cJSON_ParseWithLength(buf, n);
        char why[300];
        int k = doc ? check_record(doc, why, sizeof why) : (snprintf(why, sizeof why, "not valid JSON"), -1);
        if (k < 0) {
            st->malformed++;
            if (!feed)
                feeds_warn(c, "%s: entry %s: %s; skipped", src->label, ename, why);
        } else if (k > 0) {
            st->withdrawn++;
        } else {
            st->records++;
            const char *eco = first_ecosystem(doc);
            if (first_eco && !first_eco[0] && eco)
                snprintf(first_eco, eco_len, "%s", eco);
            if (feed && (rc = emit(c, feed, doc, buf)) != PP_OK) {
                cJSON_Delete(doc);
                if (!c->err[0])
                    feeds_fail(c, rc, "%s: stopped at entry %s", src->label, ename);
                break;
            }
        }
        cJSON_Delete(doc);
        if ((entries & 1023) == 0 && c->api->cancelled(c->h)) {
            rc = feeds_fail(c, PP_ERR_CANCELLED, "%s: cancelled", src->label);
            break;
        }
    }
    if (rc == PP_OK && r != ARCHIVE_EOF)
        rc = feeds_fail(c, PP_ERR_INVALID, "%s: corrupt or truncated zip: %s", src->label, archive_error_string(a));
    free(buf);
    archive_read_free(a);
    return rc;
}

int osv_load_zip(feeds_ctx *c, const feed_src *src, const char *feed)
{
    char eco[128] = "";
    zip_stats st;
    int rc = zip_pass(c, src, NULL, eco, sizeof eco, &st);
    if (rc != PP_OK)
        return rc;
    if (st.records == 0)
        return feeds_fail(c, PP_ERR_INVALID, "%s: no OSV record in the archive (%zu malformed, %zu withdrawn)",
                          src->label, st.malformed, st.withdrawn);
    char name[256];
    if (feed)
        snprintf(name, sizeof name, "%s", feed);
    else
        snprintf(name, sizeof name, "osv:%s", eco[0] ? eco : "unknown");
    rc = zip_pass(c, src, name, NULL, 0, &st);
    if (rc != PP_OK)
        return rc;
    feeds_info(c, "feed %s: %zu advisories (%zu withdrawn and %zu malformed skipped)", name, st.records, st.withdrawn,
               st.malformed);
    return PP_OK;
}

int osv_load_json(feeds_ctx *c, const char *path, const char *text, size_t len)
{
    cJSON *doc = cJSON_ParseWithLength(text, len);
    if (!doc)
        return feeds_fail(c, PP_ERR_INVALID, "%s: not valid JSON (near byte %zu)", path,
                          cJSON_GetErrorPtr() ? (size_t)(cJSON_GetErrorPtr() - text) : (size_t)0);
    char why[300];
    int k = check_record(doc, why, sizeof why);
    int rc = PP_OK;
    if (k < 0)
        rc = feeds_fail(c, PP_ERR_INVALID, "%s: not an OSV record: %s", path, why);
    else if (k > 0)
        feeds_warn(c, "%s: the record is withdrawn; nothing imported", path);
    else
        rc = emit(c, "osv:local", doc, text);
    cJSON_Delete(doc);
    return rc;
}
