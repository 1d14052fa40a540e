/*
 * plugins/image/rpm_ndb.c - RPM packages from the ndb database
 * (Packages.db), rpm's own format since 4.16, the default on SUSE.
 *
 * Layout (all numbers 32-bit little-endian):
 *   - the first SLOTNPAGES pages of 4096 bytes are the slot table; the
 *     first 32 bytes of page 0 are the header: magic "RpmP", version 0,
 *     generation, SLOTNPAGES, next package index;
 *   - every following 16 bytes of those pages is a slot: magic "Slot",
 *     package index, block offset, block count (blocks of 16 bytes); a
 *     block offset of 0 is a free slot;
 *   - a blob starts at its block offset: magic "BlbS", package index (the
 *     slot's), timestamp, length; then the RPM header (no lead) of that
 *     many bytes; zero padding; the last 12 bytes of its blocks are the
 *     tail: Adler-32 of everything before it, length, magic "BlbE". The
 *     block count is exactly what head, header and tail need.
 * Every slot and blob is checked against those rules and the file size
 * before its header is handed to the RPM header parser (pkg_rpm.c); a bad
 * one is counted and skipped, a bad header or slot table refuses the file.
 * Nothing else of the database (the index files) is read.
 * Facts: rpm's lib/backend/ndb/rpmpkg.c (the format as rpm writes it).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "image.h"

#define NDB_PAGE 4096u
#define NDB_SLOT 16u
#define NDB_BLK 16u
#define NDB_HEADER 32u
#define NDB_BLOB_HEAD 16u
#define NDB_BLOB_TAIL 12u
#define NDB_MAX_SLOT_PAGES 4096u  /* 1M slots: far more packages than any system has */
#define NDB_MAX_BLOB (64u << 20)  /* one header */

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int magic(const unsigned char *p, const char m[4])
{
    return memcmp(p, m, 4) == 0;
}

/* The header blob of the slot at @sl, or NULL when the slot or its blob
 * breaks a rule of the format (*@why says which). */
static const unsigned char *ndb_blob(const unsigned char *d, size_t len, const unsigned char *sl, uint32_t min_blk,
                                     size_t *blob_len, const char **why)
{
    uint32_t pkgidx = le32(sl + 4), blkoff = le32(sl + 8), blkcnt = le32(sl + 12);
    uint64_t fileblks = len / NDB_BLK;
    if (!pkgidx || !blkcnt || blkoff < min_blk || (uint64_t)blkoff + blkcnt > fileblks) {
        *why = "a slot points outside the data area";
        return NULL;
    }
    const unsigned char *b = d + (size_t)blkoff * NDB_BLK;
    size_t span = (size_t)blkcnt * NDB_BLK;
    if (span < NDB_BLOB_HEAD + NDB_BLOB_TAIL || !magic(b, "BlbS") || le32(b + 4) != pkgidx) {
        *why = "a blob has a bad head";
        return NULL;
    }
    uint32_t bl = le32(b + 12);
    if (bl > NDB_MAX_BLOB || ((uint64_t)NDB_BLOB_HEAD + bl + NDB_BLOB_TAIL + NDB_BLK - 1) / NDB_BLK != blkcnt) {
        *why = "a blob's length does not fit its blocks";
        return NULL;
    }
    const unsigned char *tail = b + span - NDB_BLOB_TAIL;
    if (le32(tail + 4) != bl || !magic(tail + 8, "BlbE")) {
        *why = "a blob has a bad tail";
        return NULL;
    }
    uLong adl = adler32(0L, Z_NULL, 0);
    for (size_t done = 0, todo = span - NDB_BLOB_TAIL; done < todo;) {
        uInt chunk = todo - done > (1u << 30) ? (1u << 30) : (uInt)(todo - done);
        adl = adler32(adl, b + done, chunk);
        done += chunk;
    }
    if ((uint32_t)adl != le32(tail)) {
        *why = "a blob's checksum does not match";
        return NULL;
    }
    *blob_len = bl;
    return b + NDB_BLOB_HEAD;
}

void img_rpm_ndb_emit(img_emit *em, const img_file *f)
{
    const unsigned char *d = (const unsigned char *)f->data;
    size_t len = f->len;
    char shown[256];
    img_display(f->path, shown, sizeof shown);
    if (len < NDB_PAGE || !magic(d, "RpmP")) {
        img_warn(em->s, "'%s' is not an rpm ndb database (no RpmP header): skipped", shown);
        return;
    }
    uint32_t version = le32(d + 4), npages = le32(d + 12);
    if (version != 0) {
        img_warn(em->s, "'%s': ndb version %u is not known (0 is): skipped", shown, version);
        return;
    }
    if (npages == 0 || npages > NDB_MAX_SLOT_PAGES || (uint64_t)npages * NDB_PAGE > len) {
        img_warn(em->s, "'%s': the slot table (%u pages) does not fit the file (%zu bytes): skipped", shown, npages,
                 len);
        return;
    }
    uint32_t min_blk = npages * (NDB_PAGE / NDB_BLK);
    size_t n_slots = (size_t)npages * (NDB_PAGE / NDB_SLOT);
    unsigned bad = 0, good = 0;
    const char *first_why = NULL;
    /* the whole slot table first: a corrupt one refuses the file, nothing half-read */
    for (size_t i = NDB_HEADER / NDB_SLOT; i < n_slots; i++) {
        if (!magic(d + i * NDB_SLOT, "Slot")) {
            img_warn(em->s, "'%s': slot %zu has no Slot magic: the slot table is corrupt, skipped", shown, i);
            return;
        }
    }
    for (size_t i = NDB_HEADER / NDB_SLOT; i < n_slots; i++) {
        const unsigned char *sl = d + i * NDB_SLOT;
        if (le32(sl + 8) == 0)
            continue; /* free */
        const char *why = NULL;
        size_t bl = 0;
        const unsigned char *blob = ndb_blob(d, len, sl, min_blk, &bl, &why);
        if (!blob || img_rpm_header_emit(em, f, blob, bl) != 0) {
            if (!first_why)
                first_why = why ? why : "a package header is malformed";
            bad++;
            continue;
        }
        good++;
    }
    if (bad)
        img_warn(em->s, "'%s': %u of %u packages skipped (%s)", shown, bad, bad + good, first_why);
}
