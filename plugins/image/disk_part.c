/*
 * plugins/image/disk_part.c - MBR and GPT partition tables of a virtual
 * disk, read with every number checked against the disk's size.
 *
 * GPT: the primary header at LBA 1 (512-byte sectors), its CRC32 and the
 * CRC32 of the entry array checked; the backup header is not read. MBR: the
 * four primary entries and the chain of extended boot records behind an
 * extended partition (0x05, 0x0f, 0x85), followed forwards only and at most
 * IMG_MAX_PARTS times, so a chain cannot loop. A disk with neither table
 * but an ext superblock at byte 1024 is a bare file system.
 * Facts: UEFI specification 2.10, section 5 (GPT); the classic MBR layout
 * (boot signature 0x55 0xAA at byte 510, 16-byte entries at 446); the
 * Discoverable Partitions Specification (Linux type GUIDs); ext4 disk
 * layout (superblock at 1024, magic 0xEF53 at its byte 56).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "disk_vm.h"

#define SECTOR 512ULL
#define GPT_MAX_ENTRY_BYTES (1u << 20) /* the entry array read at most */

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static int ext_magic_at(const unsigned char *sb)
{
    /* s_magic at 56; s_log_block_size (at 24) at most 6 (64 KiB blocks); s_rev_level (at 76) 0 or 1 */
    return sb[56] == 0x53 && sb[57] == 0xef && le32(sb + 24) <= 6 && le32(sb + 76) <= 1;
}

int img_looks_like_disk(const unsigned char *d, size_t n)
{
    if (n >= 4 && img_is_qcow2(d, n))
        return 1;
    if (n >= 262 && !memcmp(d + 257, "ustar", 5))
        return 0; /* a tar archive */
    if (n >= 520 && !memcmp(d + 512, "EFI PART", 8))
        return 1;
    if (n >= 2048 && ext_magic_at(d + 1024))
        return 1;
    if (n < 512 || d[510] != 0x55 || d[511] != 0xaa)
        return 0;
    int used = 0;
    for (int i = 0; i < 4; i++) {
        const unsigned char *e = d + 446 + 16 * i;
        if (e[0] != 0 && e[0] != 0x80)
            return 0;
        if (e[4] != 0 && le32(e + 12) != 0)
            used++;
    }
    return used > 0;
}

void img_parts_free(img_part_table *t)
{
    free(t->parts);
    t->parts = NULL;
    t->n = 0;
}

static int add_part(img_part_table *t, int index, uint64_t off, uint64_t size, const char *type, int linux_type,
                    char *err, size_t errlen)
{
    if (t->n >= IMG_MAX_PARTS) {
        snprintf(err, errlen, "%s: more than %d partitions: refused", t->scheme, IMG_MAX_PARTS);
        return -1;
    }
    img_part *p = realloc(t->parts, (t->n + 1) * sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    t->parts = p;
    p = &t->parts[t->n++];
    memset(p, 0, sizeof *p);
    p->index = index;
    p->offset = off;
    p->size = size;
    snprintf(p->type, sizeof p->type, "%s", type);
    p->linux_type = linux_type;
    return 0;
}

/* ---- GPT ---- */

static void guid_text(const unsigned char *g, char out[40])
{
    snprintf(out, 40, "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X", le32(g), (unsigned)(g[4] | g[5] << 8),
             (unsigned)(g[6] | g[7] << 8), g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

static int linux_guid(const char *t)
{
    static const char *const linux_types[] = {
        "0FC63DAF-8483-4772-8E79-3D69D8477DE4", /* Linux file system data */
        "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709", /* root, x86-64 */
        "44479540-F297-41B2-9AF7-D131D5F0458A", /* root, x86 */
        "B921B045-1DF0-41C3-AF44-4C6F280D3FAE", /* root, arm64 */
        "8484680C-9521-4A8A-9F7E-56E2B2EAC4B0", /* /usr, x86-64 */
        "4D21B016-B534-45C2-A9FB-5C16E091FD2D", /* /var */
        "933AC7E1-2EB4-4F13-B844-0E14E2AEF915", /* /home */
        "3B8F8425-20E0-4F3B-907F-1A25A76F98E8", /* /srv */
    };
    for (size_t i = 0; i < sizeof linux_types / sizeof *linux_types; i++)
        if (!strcmp(t, linux_types[i]))
            return 1;
    return 0;
}

static int read_gpt(img_blk *b, img_part_table *t, char *err, size_t errlen)
{
    unsigned char h[SECTOR];
    char why[256];
    snprintf(t->scheme, sizeof t->scheme, "gpt");
    if (b->read(b, SECTOR, h, sizeof h, why, sizeof why)) {
        snprintf(err, errlen, "gpt: cannot read the header: %s", why);
        return -1;
    }
    uint32_t hsize = le32(h + 12), hcrc = le32(h + 16);
    if (hsize < 92 || hsize > SECTOR) {
        snprintf(err, errlen, "gpt: the header size (%u) is invalid", hsize);
        return -1;
    }
    unsigned char tmp[SECTOR];
    memcpy(tmp, h, hsize);
    memset(tmp + 16, 0, 4);
    if ((uint32_t)crc32(0L, tmp, hsize) != hcrc) {
        snprintf(err, errlen, "gpt: the header checksum does not match: the table is corrupt");
        return -1;
    }
    uint64_t sectors = b->size / SECTOR;
    uint64_t entries_lba = le64(h + 72);
    uint32_t n = le32(h + 80), esize = le32(h + 84), ecrc = le32(h + 88);
    if (esize < 128 || esize % 128 || esize > 4096) {
        snprintf(err, errlen, "gpt: the partition entry size (%u) is invalid", esize);
        return -1;
    }
    if (n == 0 || (uint64_t)n * esize > GPT_MAX_ENTRY_BYTES) {
        snprintf(err, errlen, "gpt: %u partition entries of %u bytes: refused", n, esize);
        return -1;
    }
    size_t bytes = (size_t)n * esize;
    if (entries_lba < 2 || entries_lba >= sectors || bytes > (sectors - entries_lba) * SECTOR) {
        snprintf(err, errlen,
                 "gpt: the partition entries (LBA %llu, %zu bytes) lie past the end of the disk (%llu sectors)",
                 (unsigned long long)entries_lba, bytes, (unsigned long long)sectors);
        return -1;
    }
    unsigned char *ents = malloc(bytes);
    if (!ents) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (b->read(b, entries_lba * SECTOR, ents, bytes, why, sizeof why)) {
        snprintf(err, errlen, "gpt: cannot read the partition entries: %s", why);
        free(ents);
        return -1;
    }
    if ((uint32_t)crc32(0L, ents, (uInt)bytes) != ecrc) {
        snprintf(err, errlen, "gpt: the partition entries' checksum does not match: the table is corrupt");
        free(ents);
        return -1;
    }
    static const unsigned char zero[16];
    for (uint32_t i = 0; i < n; i++) {
        const unsigned char *e = ents + (size_t)i * esize;
        if (!memcmp(e, zero, 16))
            continue;
        uint64_t first = le64(e + 32), last = le64(e + 40);
        if (first > last || last >= sectors) {
            snprintf(err, errlen, "gpt: partition %u (sectors %llu-%llu) lies past the end of the disk (%llu sectors)",
                     i + 1, (unsigned long long)first, (unsigned long long)last, (unsigned long long)sectors);
            free(ents);
            return -1;
        }
        char type[40];
        guid_text(e, type);
        if (add_part(t, (int)i + 1, first * SECTOR, (last - first + 1) * SECTOR, type, linux_guid(type), err, errlen)) {
            free(ents);
            return -1;
        }
    }
    free(ents);
    return 0;
}

/* ---- MBR ---- */

static int mbr_linux(unsigned type)
{
    return type == 0x83;
}

static int mbr_extended(unsigned type)
{
    return type == 0x05 || type == 0x0f || type == 0x85;
}

static int read_ebr_chain(img_blk *b, img_part_table *t, uint64_t ext_start, uint64_t ext_count, char *err,
                          size_t errlen)
{
    uint64_t sectors = b->size / SECTOR;
    uint64_t ebr = ext_start;
    int number = 5;
    for (int hop = 0; hop < IMG_MAX_PARTS; hop++) {
        unsigned char s[SECTOR];
        char why[256];
        if (b->read(b, ebr * SECTOR, s, sizeof s, why, sizeof why)) {
            snprintf(err, errlen, "mbr: cannot read the extended boot record at sector %llu: %s",
                     (unsigned long long)ebr, why);
            return -1;
        }
        if (s[510] != 0x55 || s[511] != 0xaa) {
            snprintf(err, errlen, "mbr: the extended boot record at sector %llu has no boot signature",
                     (unsigned long long)ebr);
            return -1;
        }
        const unsigned char *e0 = s + 446, *e1 = s + 462;
        uint64_t start = ebr + le32(e0 + 8), count = le32(e0 + 12);
        if (e0[4] && count) {
            if (start + count > sectors || start + count > ext_start + ext_count) {
                snprintf(err, errlen,
                         "mbr: logical partition %d (sectors %llu-%llu) lies past the end of the disk or of its "
                         "extended partition",
                         number, (unsigned long long)start, (unsigned long long)(start + count - 1));
                return -1;
            }
            char type[40];
            snprintf(type, sizeof type, "0x%02x", e0[4]);
            if (add_part(t, number, start * SECTOR, count * SECTOR, type, mbr_linux(e0[4]), err, errlen))
                return -1;
        }
        number++;
        if (!e1[4] || !le32(e1 + 12))
            return 0;
        uint64_t next = ext_start + le32(e1 + 8);
        if (next <= ebr || next >= ext_start + ext_count) {
            snprintf(err, errlen, "mbr: the chain of extended boot records loops or leaves its partition (sector %llu)",
                     (unsigned long long)next);
            return -1;
        }
        ebr = next;
    }
    snprintf(err, errlen, "mbr: more than %d logical partitions: refused", IMG_MAX_PARTS);
    return -1;
}

static int read_mbr(img_blk *b, const unsigned char *s, img_part_table *t, char *err, size_t errlen)
{
    snprintf(t->scheme, sizeof t->scheme, "mbr");
    uint64_t sectors = b->size / SECTOR;
    int extended = 0;
    for (int i = 0; i < 4; i++) {
        const unsigned char *e = s + 446 + 16 * i;
        unsigned type = e[4];
        uint64_t start = le32(e + 8), count = le32(e + 12);
        if (!type || !count)
            continue;
        if (start + count > sectors) {
            snprintf(err, errlen, "mbr: partition %d (sectors %llu-%llu) lies past the end of the disk (%llu sectors)",
                     i + 1, (unsigned long long)start, (unsigned long long)(start + count - 1),
                     (unsigned long long)sectors);
            return -1;
        }
        if (mbr_extended(type)) {
            if (extended++) {
                snprintf(err, errlen, "mbr: more than one extended partition: refused");
                return -1;
            }
            if (read_ebr_chain(b, t, start, count, err, errlen))
                return -1;
            continue;
        }
        char ty[40];
        snprintf(ty, sizeof ty, "0x%02x", type);
        if (add_part(t, i + 1, start * SECTOR, count * SECTOR, ty, mbr_linux(type), err, errlen))
            return -1;
    }
    return 0;
}

int img_parts_read(img_blk *b, img_part_table *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    unsigned char head[2048];
    char why[256];
    if (b->size < sizeof head) {
        snprintf(err, errlen, "the disk (%llu bytes) is too small to hold a partition table or a file system",
                 (unsigned long long)b->size);
        return -1;
    }
    if (b->read(b, 0, head, sizeof head, why, sizeof why)) {
        snprintf(err, errlen, "cannot read the first sectors: %s", why);
        return -1;
    }
    int rc;
    if (!memcmp(head + 512, "EFI PART", 8)) {
        rc = read_gpt(b, t, err, errlen);
    } else if (head[510] == 0x55 && head[511] == 0xaa && !ext_magic_at(head + 1024)) {
        rc = read_mbr(b, head, t, err, errlen);
    } else if (ext_magic_at(head + 1024)) {
        snprintf(t->scheme, sizeof t->scheme, "none");
        rc = add_part(t, 0, 0, b->size, "", 1, err, errlen);
    } else {
        snprintf(err, errlen, "neither a partition table (MBR, GPT) nor an ext file system was found");
        return -1;
    }
    if (rc) {
        img_parts_free(t);
        return -1;
    }
    for (size_t i = 0; i < t->n; i++) {
        img_part *p = &t->parts[i];
        unsigned char sb[1024];
        if (p->size >= 2048 && !b->read(b, p->offset + 1024, sb, sizeof sb, why, sizeof why))
            p->ext = ext_magic_at(sb);
    }
    return 0;
}
