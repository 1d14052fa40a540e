/*
 * plugins/image/qcow2.c - qcow2 (versions 2 and 3) images as read-only
 * virtual disks.
 *
 * Read: the header, the L1 table (kept in memory), L2 tables (a few cached),
 * data clusters, and zlib (raw deflate) compressed clusters. Clusters that
 * are unallocated, or marked "reads as zeros" (v3), read as zeros. Refcounts
 * and snapshots are ignored: nothing is written.
 * Refused, with an error that says why: a backing file (never opened: its
 * name comes from the image and could be any file of the host), encryption,
 * an external data file, extended L2 entries, zstd compression, unknown
 * incompatible features, an image qemu marked corrupt. Every offset taken
 * from the image is checked against the file's size before it is read.
 * Facts: the qcow2 format specification of QEMU (docs/interop/qcow2.txt).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "disk_vm.h"

#define QCOW2_L2_CACHE 8
#define QCOW2_MAX_L1_BYTES (32u << 20) /* as QEMU: a larger L1 table is refused */
#define QCOW2_MIN_CLUSTER_BITS 9
#define QCOW2_MAX_CLUSTER_BITS 21
#define QCOW2_OFFSET_MASK 0x00fffffffffffe00ULL /* bits 9-55 of L1 and standard L2 entries */
#define QCOW2_COMPRESSED (1ULL << 62)
#define QCOW2_ZERO 1ULL /* v3: the cluster reads as zeros */

typedef struct l2_slot {
    uint64_t off; /* host offset of the table, 0 when empty */
    uint64_t *entries;
} l2_slot;

typedef struct qcow2_blk {
    img_blk b;
    int fd;
    uint64_t file_size;
    unsigned version, cluster_bits;
    uint64_t cluster_size, l2_entries;
    uint64_t *l1;
    uint32_t l1_size;
    l2_slot l2[QCOW2_L2_CACHE];
    unsigned next_slot;
    unsigned char *cbuf; /* the last decompressed cluster */
    uint64_t cbuf_entry; /* its L2 entry, 0 when none */
    unsigned char *zin;  /* compressed bytes read */
} qcow2_blk;

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const unsigned char *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

int img_is_qcow2(const unsigned char *head, size_t n)
{
    return n >= 4 && head[0] == 'Q' && head[1] == 'F' && head[2] == 'I' && head[3] == 0xfb;
}

/* pread the whole range of the image file, or fail with a message. */
static int file_read(qcow2_blk *q, uint64_t off, void *buf, size_t len, const char *what, char *err, size_t errlen)
{
    if (off > q->file_size || len > q->file_size - off) {
        snprintf(err, errlen, "qcow2: %s at offset %llu (%zu bytes) lies outside the file (%llu bytes)", what,
                 (unsigned long long)off, len, (unsigned long long)q->file_size);
        return -1;
    }
    unsigned char *p = buf;
    while (len) {
        ssize_t n = pread(q->fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(err, errlen, "qcow2: cannot read the %s at offset %llu: %s", what, (unsigned long long)off,
                     n < 0 ? strerror(errno) : "the file is truncated");
            return -1;
        }
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

static void qcow2_close(img_blk *b)
{
    qcow2_blk *q = (qcow2_blk *)b;
    if (!q)
        return;
    if (q->fd >= 0)
        close(q->fd);
    free(q->l1);
    for (int i = 0; i < QCOW2_L2_CACHE; i++)
        free(q->l2[i].entries);
    free(q->cbuf);
    free(q->zin);
    free(q);
}

/* The L2 table at host offset @off (cached), or NULL with a message. */
static const uint64_t *l2_table(qcow2_blk *q, uint64_t off, char *err, size_t errlen)
{
    for (int i = 0; i < QCOW2_L2_CACHE; i++)
        if (q->l2[i].off == off && q->l2[i].entries)
            return q->l2[i].entries;
    if (off & (q->cluster_size - 1)) {
        snprintf(err, errlen, "qcow2: an L2 table offset (%llu) is not aligned to a cluster: the image is corrupt",
                 (unsigned long long)off);
        return NULL;
    }
    l2_slot *s = &q->l2[q->next_slot];
    q->next_slot = (q->next_slot + 1) % QCOW2_L2_CACHE;
    if (!s->entries && !(s->entries = malloc(q->cluster_size))) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->off = 0;
    if (file_read(q, off, s->entries, q->cluster_size, "L2 table", err, errlen))
        return NULL;
    unsigned char *raw = (unsigned char *)s->entries;
    for (uint64_t i = 0; i < q->l2_entries; i++)
        s->entries[i] = be64(raw + 8 * i);
    s->off = off;
    return s->entries;
}

/* Decompress the cluster of compressed L2 entry @e into q->cbuf. */
static int read_compressed(qcow2_blk *q, uint64_t e, char *err, size_t errlen)
{
    if (q->cbuf_entry == e)
        return 0;
    unsigned shift = 62 - (q->cluster_bits - 8);
    uint64_t coff = e & ((1ULL << shift) - 1);
    uint64_t nsec = ((e >> shift) & ((1ULL << (q->cluster_bits - 8)) - 1)) + 1;
    uint64_t csize = nsec * 512 - (coff & 511);
    if (coff >= q->file_size) {
        snprintf(err, errlen, "qcow2: a compressed cluster at offset %llu lies outside the file (%llu bytes)",
                 (unsigned long long)coff, (unsigned long long)q->file_size);
        return -1;
    }
    if (csize > q->file_size - coff) /* the last compressed cluster may end with the file */
        csize = q->file_size - coff;
    if (csize > 2 * q->cluster_size) /* nsec is bounded so this cannot be, but keep the buffer safe */
        csize = 2 * q->cluster_size;
    if (file_read(q, coff, q->zin, (size_t)csize, "compressed cluster", err, errlen))
        return -1;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -15) != Z_OK) {
        snprintf(err, errlen, "qcow2: cannot start zlib");
        return -1;
    }
    z.next_in = q->zin;
    z.avail_in = (uInt)csize;
    z.next_out = q->cbuf;
    z.avail_out = (uInt)q->cluster_size;
    int zr = inflate(&z, Z_FINISH);
    int full = z.avail_out == 0;
    inflateEnd(&z);
    q->cbuf_entry = 0;
    if (!((zr == Z_STREAM_END || zr == Z_BUF_ERROR || zr == Z_OK) && full)) {
        snprintf(err, errlen, "qcow2: the compressed cluster at offset %llu is corrupt (zlib: %d)",
                 (unsigned long long)coff, zr);
        return -1;
    }
    q->cbuf_entry = e;
    return 0;
}

static int qcow2_read(img_blk *b, uint64_t off, void *buf, size_t len, char *err, size_t errlen)
{
    qcow2_blk *q = (qcow2_blk *)b;
    if (off > b->size || len > b->size - off) {
        snprintf(err, errlen, "read of %zu bytes at offset %llu is past the end of the disk (%llu bytes)", len,
                 (unsigned long long)off, (unsigned long long)b->size);
        return -1;
    }
    unsigned char *out = buf;
    while (len) {
        uint64_t in = off & (q->cluster_size - 1);
        size_t n = (size_t)(q->cluster_size - in);
        if (n > len)
            n = len;
        uint64_t cluster = off >> q->cluster_bits;
        uint64_t l1i = cluster / q->l2_entries, l2i = cluster % q->l2_entries;
        uint64_t l2off = l1i < q->l1_size ? q->l1[l1i] & QCOW2_OFFSET_MASK : 0;
        uint64_t e = 0;
        if (l2off) {
            const uint64_t *l2 = l2_table(q, l2off, err, errlen);
            if (!l2)
                return -1;
            e = l2[l2i];
        }
        if (e & QCOW2_COMPRESSED) {
            if (read_compressed(q, e, err, errlen))
                return -1;
            memcpy(out, q->cbuf + in, n);
        } else if ((q->version >= 3 && (e & QCOW2_ZERO)) || !(e & QCOW2_OFFSET_MASK)) {
            memset(out, 0, n); /* unallocated (there is no backing file) or zeroed */
        } else {
            uint64_t host = e & QCOW2_OFFSET_MASK;
            if (host & (q->cluster_size - 1)) {
                snprintf(err, errlen, "qcow2: a data cluster offset (%llu) is not aligned: the image is corrupt",
                         (unsigned long long)host);
                return -1;
            }
            if (file_read(q, host + in, out, n, "data cluster", err, errlen))
                return -1;
        }
        out += n;
        off += n;
        len -= n;
    }
    return 0;
}

/* Read the backing file name for the error message (it is never opened). */
static void backing_name(qcow2_blk *q, uint64_t off, uint32_t size, char *out, size_t outlen)
{
    char name[1024];
    snprintf(out, outlen, "(unreadable name)");
    if (size == 0 || size >= sizeof name || off > q->file_size || size > q->file_size - off)
        return;
    if (pread(q->fd, name, size, (off_t)off) != (ssize_t)size)
        return;
    name[size] = '\0';
    img_display(name, out, outlen);
}

img_blk *img_qcow2_open(int fd, uint64_t file_size, char *err, size_t errlen)
{
    qcow2_blk *q = calloc(1, sizeof *q);
    if (!q) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    q->fd = fd;
    q->file_size = file_size;
    unsigned char h[112];
    memset(h, 0, sizeof h);
    if (file_size < 72 ||
        file_read(q, 0, h, file_size < sizeof h ? (size_t)file_size : sizeof h, "header", err, errlen)) {
        if (file_size < 72)
            snprintf(err, errlen, "qcow2: the file (%llu bytes) is shorter than a qcow2 header",
                     (unsigned long long)file_size);
        goto fail;
    }
    q->version = be32(h + 4);
    uint64_t backing_off = be64(h + 8);
    uint32_t backing_size = be32(h + 16);
    q->cluster_bits = be32(h + 20);
    uint64_t vsize = be64(h + 24);
    uint32_t crypt = be32(h + 32);
    q->l1_size = be32(h + 36);
    uint64_t l1_off = be64(h + 40);
    if (q->version != 2 && q->version != 3) {
        snprintf(err, errlen, "qcow2: version %u is not supported (2 and 3 are)", q->version);
        goto fail;
    }
    if (q->cluster_bits < QCOW2_MIN_CLUSTER_BITS || q->cluster_bits > QCOW2_MAX_CLUSTER_BITS) {
        snprintf(err, errlen, "qcow2: cluster_bits %u is outside %d..%d", q->cluster_bits, QCOW2_MIN_CLUSTER_BITS,
                 QCOW2_MAX_CLUSTER_BITS);
        goto fail;
    }
    q->cluster_size = 1ULL << q->cluster_bits;
    q->l2_entries = q->cluster_size / 8;
    if (q->version == 3) {
        uint64_t incompat = be64(h + 72);
        uint32_t hlen = be32(h + 100);
        if (file_size < 104 || hlen < 104 || hlen > q->cluster_size) {
            snprintf(err, errlen, "qcow2: the v3 header length (%u) is invalid", hlen);
            goto fail;
        }
        unsigned comp = hlen > 104 && file_size > 104 ? h[104] : 0;
        if (incompat & 2) {
            snprintf(err, errlen, "qcow2: QEMU marked the image corrupt: refused");
            goto fail;
        }
        if (incompat & 4) {
            snprintf(err, errlen, "qcow2: the image keeps its data in an external data file: refused (never opened)");
            goto fail;
        }
        if (incompat & 16) {
            snprintf(err, errlen,
                     "qcow2: extended L2 entries (subclusters) are not supported: convert the image "
                     "with qemu-img convert -O qcow2");
            goto fail;
        }
        if (comp == 1) {
            snprintf(err, errlen,
                     "qcow2: zstd-compressed clusters are not supported (zlib is): convert the image "
                     "with qemu-img convert -O qcow2 -c -o compression_type=zlib");
            goto fail;
        }
        if (comp > 1 || ((incompat & 8) && comp == 0)) {
            snprintf(err, errlen, "qcow2: unknown compression type %u", comp);
            goto fail;
        }
        if (incompat & ~0x1fULL) {
            snprintf(err, errlen, "qcow2: unknown incompatible features 0x%llx: refused",
                     (unsigned long long)(incompat & ~0x1fULL));
            goto fail;
        }
        /* bit 0 (dirty): the refcounts may be stale; they are not read */
    }
    if (backing_off) {
        char name[300];
        backing_name(q, backing_off, backing_size, name, sizeof name);
        snprintf(err, errlen,
                 "qcow2: the image has a backing file ('%s'), which is never opened: scan a flattened copy "
                 "(qemu-img convert -O qcow2 IMAGE FLAT.qcow2)",
                 name);
        goto fail;
    }
    if (crypt) {
        snprintf(err, errlen, "qcow2: the image is encrypted (method %u): refused", crypt);
        goto fail;
    }
    if (vsize > (1ULL << 62)) {
        snprintf(err, errlen, "qcow2: the virtual size (%llu bytes) is too large", (unsigned long long)vsize);
        goto fail;
    }
    /* L1 entries the virtual size needs: ceil(size / (cluster_size * l2_entries)) */
    uint64_t per_l1 = q->cluster_size * q->l2_entries;
    uint64_t need = vsize / per_l1 + (vsize % per_l1 != 0);
    if ((uint64_t)q->l1_size * 8 > QCOW2_MAX_L1_BYTES) {
        snprintf(err, errlen, "qcow2: the L1 table has %u entries, more than the %u bytes QEMU allows", q->l1_size,
                 QCOW2_MAX_L1_BYTES);
        goto fail;
    }
    if (q->l1_size < need) {
        snprintf(err, errlen, "qcow2: the L1 table (%u entries) is too small for the virtual size (%llu bytes)",
                 q->l1_size, (unsigned long long)vsize);
        goto fail;
    }
    if (l1_off & (q->cluster_size - 1)) {
        snprintf(err, errlen, "qcow2: the L1 table offset (%llu) is not aligned to a cluster",
                 (unsigned long long)l1_off);
        goto fail;
    }
    if (q->l1_size) {
        unsigned char *raw = malloc((size_t)q->l1_size * 8);
        q->l1 = (uint64_t *)raw;
        if (!raw) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
        if (file_read(q, l1_off, raw, (size_t)q->l1_size * 8, "L1 table", err, errlen))
            goto fail;
        for (uint32_t i = 0; i < q->l1_size; i++)
            q->l1[i] = be64(raw + 8 * (size_t)i);
    }
    q->cbuf = malloc(q->cluster_size);
    q->zin = malloc(2 * q->cluster_size);
    if (!q->cbuf || !q->zin) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    q->b.size = vsize;
    q->b.format = "qcow2";
    q->b.read = qcow2_read;
    q->b.close = qcow2_close;
    return &q->b;
fail:
    qcow2_close(&q->b);
    return NULL;
}
