/*
 * plugins/image/pkg_rpm.c - RPM packages from rpmdb.sqlite.
 *
 * The database (table Packages, column blob) is opened in memory with
 * sqlite3_deserialize: nothing is written to disk. Each blob is an RPM
 * header without its lead: be32 index count, be32 data size, then 16-byte
 * index entries (be32 tag, type, offset, count) and the data store. Tags
 * used: 1000 NAME, 1001 VERSION, 1002 RELEASE, 1003 EPOCH (int32),
 * 1022 ARCH, 1044 SOURCERPM. Facts from the RPM file format documentation
 * (docs/manual/format_header.md, tags from rpmtag.h).
 * img_rpm_header_emit() is also what the ndb (rpm_ndb.c) and BerkeleyDB
 * (rpm_bdb.c) readers hand their header blobs to.
 */
#define _GNU_SOURCE
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

#define RPM_MAX_INDEX 100000

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

typedef struct rpm_hdr {
    const char *name, *version, *release, *arch, *sourcerpm;
    int64_t epoch; /* -1: none */
} rpm_hdr;

/* Parse header blob @b of @n bytes; strings point into @b. 0, or -1 when malformed. */
static int rpm_header_parse(const unsigned char *b, size_t n, rpm_hdr *h)
{
    memset(h, 0, sizeof *h);
    h->epoch = -1;
    if (n < 8)
        return -1;
    uint32_t il = be32(b), dl = be32(b + 4);
    if (il == 0 || il > RPM_MAX_INDEX || (uint64_t)il * 16 + dl + 8 > n)
        return -1;
    const unsigned char *idx = b + 8, *data = b + 8 + (size_t)il * 16;
    for (uint32_t i = 0; i < il; i++) {
        uint32_t tag = be32(idx + 16 * i), type = be32(idx + 16 * i + 4);
        uint32_t off = be32(idx + 16 * i + 8), cnt = be32(idx + 16 * i + 12);
        if (off >= dl)
            continue;
        if (type == 6 || type == 9) { /* STRING, I18NSTRING: NUL-terminated inside the store */
            if (!memchr(data + off, '\0', dl - off))
                return -1;
            const char *str = (const char *)data + off;
            switch (tag) {
            case 1000: h->name = str; break;
            case 1001: h->version = str; break;
            case 1002: h->release = str; break;
            case 1022: h->arch = str; break;
            case 1044: h->sourcerpm = str; break;
            default: break;
            }
        } else if (type == 4 && tag == 1003 && cnt >= 1 && off + 4 <= dl) {
            h->epoch = (int64_t)be32(data + off);
        }
    }
    return h->name && h->version ? 0 : -1;
}

/* "name-version-release.src.rpm" -> name (malloc'd). */
static char *srpm_name(const char *srpm)
{
    if (!srpm)
        return NULL;
    char *s = strdup(srpm);
    if (!s)
        return NULL;
    for (int k = 0; k < 2; k++) {
        char *dash = strrchr(s, '-');
        if (!dash) {
            free(s);
            return NULL;
        }
        *dash = '\0';
    }
    return s;
}

static void emit_db(img_emit *em, const img_file *f)
{
    sqlite3 *db = NULL;
    char shown[256];
    img_display(f->path, shown, sizeof shown);
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return;
    }
    unsigned char *copy = sqlite3_malloc64(f->len);
    if (!copy || f->len < 100) {
        sqlite3_free(copy);
        sqlite3_close(db);
        img_warn(em->s, "'%s' is not an SQLite database: skipped", shown);
        return;
    }
    memcpy(copy, f->data, f->len);
    /* a WAL-mode file reads as a rollback-journal one (the -wal is not in the image read) */
    if (copy[18] == 2 && copy[19] == 2)
        copy[18] = copy[19] = 1;
    if (sqlite3_deserialize(db, "main", copy, (sqlite3_int64)f->len, (sqlite3_int64)f->len,
                            SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY) != SQLITE_OK) {
        sqlite3_close(db);
        img_warn(em->s, "'%s' cannot be opened as an SQLite database: skipped", shown);
        return;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT blob FROM Packages", -1, &st, NULL) != SQLITE_OK) {
        img_warn(em->s, "'%s': no Packages table (%s): skipped", shown, sqlite3_errmsg(db));
        sqlite3_close(db);
        return;
    }
    int bad = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *b = sqlite3_column_blob(st, 0);
        int n = sqlite3_column_bytes(st, 0);
        if (!b || n <= 0 || img_rpm_header_emit(em, f, b, (size_t)n) != 0)
            bad++;
    }
    if (bad)
        img_warn(em->s, "'%s': %d package headers are malformed: skipped", shown, bad);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

int img_rpm_header_emit(img_emit *em, const img_file *f, const unsigned char *b, size_t n)
{
    const img_os *os = em->os;
    const char *distro = os->id ? os->id : "rpm";
    rpm_hdr h;
    if (rpm_header_parse(b, n, &h) != 0)
        return -1;
    if (!strcmp(h.name, "gpg-pubkey"))
        return 0;
    img_buf ver = {0}, purl = {0};
    if (h.epoch >= 0)
        img_buf_printf(&ver, "%lld:", (long long)h.epoch);
    img_buf_printf(&ver, "%s%s%s", h.version, h.release ? "-" : "", h.release ? h.release : "");
    img_buf_add(&purl, "pkg:rpm/", 8);
    img_buf_purl(&purl, distro, NULL);
    img_buf_add(&purl, "/", 1);
    img_buf_purl(&purl, h.name, NULL);
    img_buf_add(&purl, "@", 1);
    img_buf_printf(&purl, "%s%s%s", h.version, h.release ? "-" : "", h.release ? h.release : "");
    const char *sep = "?";
    if (h.arch) {
        img_buf_printf(&purl, "%sarch=", sep);
        img_buf_purl(&purl, h.arch, NULL);
        sep = "&";
    }
    if (h.epoch >= 0) {
        img_buf_printf(&purl, "%sepoch=%lld", sep, (long long)h.epoch);
        sep = "&";
    }
    if (os->id && os->version_id) {
        img_buf_printf(&purl, "%sdistro=", sep);
        img_buf_purl(&purl, os->id, NULL);
        img_buf_add(&purl, "-", 1);
        img_buf_purl(&purl, os->version_id, NULL);
    }
    char eco[128];
    snprintf(eco, sizeof eco, "%s%s%s", os->id ? os->id : "rpm", os->version_id ? ":" : "",
             os->version_id ? os->version_id : "");
    char *src = srpm_name(h.sourcerpm);
    img_emit_package(em, eco, h.name, ver.data, purl.data, src, NULL, f->layer, f->path);
    free(src);
    img_buf_free(&ver);
    img_buf_free(&purl);
    return 0;
}

void img_rpm_emit(img_emit *em)
{
    const char *paths[] = {"var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite"};
    for (int i = 0; i < 2; i++) {
        const img_file *f = img_find_file(em->s, paths[i]);
        if (f) {
            emit_db(em, f);
            return;
        }
    }
    /* rpm >= 4.16 with the ndb backend (SUSE): rpm_ndb.c */
    const char *ndb[] = {"usr/lib/sysimage/rpm/Packages.db", "var/lib/rpm/Packages.db"};
    for (int i = 0; i < 2; i++) {
        const img_file *f = img_find_file(em->s, ndb[i]);
        if (f) {
            img_rpm_ndb_emit(em, f);
            return;
        }
    }
    /* rpm < 4.16: the BerkeleyDB hash database (rpm_bdb.c) */
    const img_file *f = img_find_file(em->s, "var/lib/rpm/Packages");
    if (f)
        img_rpm_bdb_emit(em, f);
}
