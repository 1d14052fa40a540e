/*
 * plugins/image/rpm_bdb.c - RPM packages from the BerkeleyDB `Packages`
 * file (rpm before 4.16: RHEL/CentOS 7 and older, Amazon Linux 2).
 *
 * The file is a BerkeleyDB hash database. Page 0 is the metadata page:
 * magic 0x061561 at offset 12 (its byte order is the database's: the
 * writer's machine), version at 16, page size at 20, page type 8 at 25,
 * last page number at 32. Every page starts with a 26-byte header: page
 * number (8), previous (12) and next (16) page, entry count (20, 16 bits),
 * high free offset (22, 16 bits), level (24), type (25). Hash pages (type
 * 13, or 2 in old databases) hold ENTRIES 16-bit offsets after the header,
 * key and value alternating; an item starts with its type byte. rpm's
 * headers are values of type 3 (off-page): 3 bytes unused, the first
 * overflow page number, the total length. Overflow pages (type 7) hold
 * high-free-offset bytes of the value after their header and chain
 * through their next page number.
 * Every page number, offset, count and length is checked against the file;
 * chains are bounded by the page count (no loops). Each value is handed to
 * the RPM header parser (pkg_rpm.c). The index databases (Name, Basenames,
 * ...) are not read.
 * Facts: BerkeleyDB's dbinc/db_page.h (page and item layouts), rpm's
 * Packages keyed by a 4-byte package number.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

#define BDB_HASH_MAGIC 0x061561u
#define BDB_PAGE_HEADER 26u
#define BDB_P_HASH_UNSORTED 2
#define BDB_P_OVERFLOW 7
#define BDB_P_HASHMETA 8
#define BDB_P_HASH 13
#define BDB_H_OFFPAGE 3
#define BDB_MAX_VALUE (64u << 20) /* one header */

typedef struct bdb {
    const unsigned char *d;
    size_t len;
    int swapped; /* the database's byte order is not little-endian */
    uint32_t pagesize, npages;
} bdb;

static uint32_t rd32(const bdb *b, const unsigned char *p)
{
    return b->swapped ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
                      : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t rd16(const bdb *b, const unsigned char *p)
{
    return b->swapped ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

/*
 * The value of an off-page item: its overflow chain gathered into a new
 * buffer (*@out, *@outlen; the caller frees). 0, or -1 with *@why when
 * the chain leaves the file, loops, is not made of overflow pages or does
 * not add up to the length the item gives.
 */
static int offpage_value(const bdb *b, const unsigned char *item, unsigned char **out, size_t *outlen,
                         const char **why)
{
    uint32_t pgno = rd32(b, item + 4), tlen = rd32(b, item + 8);
    if (tlen == 0 || tlen > BDB_MAX_VALUE) {
        *why = "a value's length is out of range";
        return -1;
    }
    unsigned char *v = malloc(tlen);
    if (!v) {
        *why = "out of memory";
        return -1;
    }
    size_t have = 0;
    for (uint32_t hops = 0; pgno != 0; hops++) {
        if (pgno >= b->npages || hops >= b->npages) {
            *why = "an overflow chain leaves the file or loops";
            free(v);
            return -1;
        }
        const unsigned char *pg = b->d + (size_t)pgno * b->pagesize;
        uint16_t n = rd16(b, pg + 22);
        if (pg[25] != BDB_P_OVERFLOW || n > b->pagesize - BDB_PAGE_HEADER || n > tlen - have) {
            *why = "an overflow page is malformed";
            free(v);
            return -1;
        }
        memcpy(v + have, pg + BDB_PAGE_HEADER, n);
        have += n;
        pgno = rd32(b, pg + 16);
    }
    if (have != tlen) {
        *why = "an overflow chain is shorter than its value";
        free(v);
        return -1;
    }
    *out = v;
    *outlen = tlen;
    return 0;
}

void img_rpm_bdb_emit(img_emit *em, const img_file *f)
{
    char shown[256];
    img_display(f->path, shown, sizeof shown);
    bdb b = {(const unsigned char *)f->data, f->len, 0, 0, 0};
    if (b.len < 512) {
        img_warn(em->s, "'%s' is too short for a BerkeleyDB database: skipped", shown);
        return;
    }
    uint32_t le_magic = (uint32_t)b.d[15] << 24 | (uint32_t)b.d[14] << 16 | (uint32_t)b.d[13] << 8 | b.d[12];
    uint32_t be_magic = (uint32_t)b.d[12] << 24 | (uint32_t)b.d[13] << 16 | (uint32_t)b.d[14] << 8 | b.d[15];
    if (le_magic != BDB_HASH_MAGIC && be_magic != BDB_HASH_MAGIC) {
        img_warn(em->s, "'%s' is not a BerkeleyDB hash database (magic): skipped", shown);
        return;
    }
    b.swapped = le_magic != BDB_HASH_MAGIC;
    b.pagesize = rd32(&b, b.d + 20);
    if (b.pagesize < 512 || b.pagesize > 65536 || (b.pagesize & (b.pagesize - 1)) || b.d[25] != BDB_P_HASHMETA) {
        img_warn(em->s, "'%s': page size %u or metadata page type %u is not a BerkeleyDB hash's: skipped", shown,
                 b.pagesize, b.d[25]);
        return;
    }
    if (b.d[24] != 0) {
        img_warn(em->s, "'%s' is encrypted: skipped", shown);
        return;
    }
    uint64_t last = rd32(&b, b.d + 32);
    if ((last + 1) * b.pagesize > b.len) {
        img_warn(em->s, "'%s': the last page (%llu) is past the end of the file: skipped", shown,
                 (unsigned long long)last);
        return;
    }
    b.npages = (uint32_t)(last + 1);
    unsigned good = 0, bad = 0;
    const char *first_why = NULL;
    for (uint32_t p = 1; p < b.npages; p++) {
        const unsigned char *pg = b.d + (size_t)p * b.pagesize;
        if (pg[25] != BDB_P_HASH && pg[25] != BDB_P_HASH_UNSORTED)
            continue;
        uint16_t entries = rd16(&b, pg + 20);
        if ((size_t)BDB_PAGE_HEADER + (size_t)entries * 2 > b.pagesize) {
            if (!first_why)
                first_why = "a hash page lists more entries than fit";
            bad++;
            continue;
        }
        for (uint16_t e = 1; e < entries; e += 2) { /* the values: odd entries */
            uint16_t off = rd16(&b, pg + BDB_PAGE_HEADER + 2u * e);
            if (off < BDB_PAGE_HEADER || (uint32_t)off + 12 > b.pagesize) {
                if (off < b.pagesize && pg[off] != BDB_H_OFFPAGE)
                    continue; /* a small in-page value (rpm's key 0 record) */
                if (!first_why)
                    first_why = "an item offset is outside its page";
                bad++;
                continue;
            }
            if (pg[off] != BDB_H_OFFPAGE)
                continue; /* headers are always off-page; the rest is rpm's bookkeeping */
            unsigned char *v = NULL;
            size_t vl = 0;
            const char *why = NULL;
            if (offpage_value(&b, pg + off, &v, &vl, &why) != 0 || img_rpm_header_emit(em, f, v, vl) != 0) {
                if (!first_why)
                    first_why = why ? why : "a package header is malformed";
                bad++;
            } else {
                good++;
            }
            free(v);
        }
    }
    if (bad)
        img_warn(em->s, "'%s': %u of %u packages skipped (%s)", shown, bad, bad + good, first_why);
}
