/*
 * tests/unit/test_image_vm.c - the VM disk parsers and the sshd resolver of
 * the image scanner, on inputs built here byte by byte:
 *   - qcow2: a hand-made v3 image with a data cluster, a zlib-compressed
 *     cluster, a zeroed cluster and unallocated ones; forged headers;
 *   - MBR and GPT tables (CRCs computed here) and their bounds checks;
 *   - sshd_config resolution: first value wins, Include order and
 *     nesting, Match blocks, "Match all", keyword=value, include loops.
 * Facts: QEMU's qcow2 specification (docs/interop/qcow2.txt), UEFI 2.10
 * section 5 (GPT), sshd_config(5).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "disk_vm.h"
#include "testlib.h"

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8),
    p[3] = (unsigned char)v;
}

static void put_be64(unsigned char *p, uint64_t v)
{
    put_be32(p, (uint32_t)(v >> 32));
    put_be32(p + 4, (uint32_t)v);
}

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8), p[2] = (unsigned char)(v >> 16),
    p[3] = (unsigned char)(v >> 24);
}

static void put_le64(unsigned char *p, uint64_t v)
{
    put_le32(p, (uint32_t)v);
    put_le32(p + 4, (uint32_t)(v >> 32));
}

/* A memfd holding @len bytes of @data (the readers take a descriptor). */
static int mem_fd(const unsigned char *data, size_t len)
{
    int fd = memfd_create("test-disk", MFD_CLOEXEC);
    if (fd >= 0 && write(fd, data, len) != (ssize_t)len) {
        close(fd);
        return -1;
    }
    return fd;
}

/* ---- qcow2 ---- */

#define CL 512 /* cluster_bits 9 */

/* A v3 image of 8 clusters: 0 data ('A'..), 1 compressed ('z' pattern), 2 zero flag, 3.. unallocated. */
static size_t make_qcow2(unsigned char *img, size_t cap)
{
    memset(img, 0, cap);
    memcpy(img, "QFI\xfb", 4);
    put_be32(img + 4, 3);
    put_be32(img + 20, 9);          /* cluster_bits */
    put_be64(img + 24, 8 * CL);     /* virtual size */
    put_be32(img + 36, 1);          /* l1_size */
    put_be64(img + 40, 1 * CL);     /* l1_table_offset */
    put_be32(img + 100, 104);       /* header_length */
    put_be32(img + 96, 4);          /* refcount_order (ignored) */
    put_be64(img + 1 * CL, 2 * CL); /* L1[0] -> L2 at cluster 2 */
    unsigned char *l2 = img + 2 * CL;
    put_be64(l2 + 0, 3 * CL); /* cluster 0: data at cluster 3 */
    for (int i = 0; i < CL; i++)
        img[3 * CL + i] = (unsigned char)('A' + i % 26);
    /* cluster 1: raw deflate of 512 bytes of 'z', stored at cluster 4 (one sector) */
    unsigned char plain[CL];
    memset(plain, 'z', sizeof plain);
    z_stream z;
    memset(&z, 0, sizeof z);
    deflateInit2(&z, 9, Z_DEFLATED, -12, 8, Z_DEFAULT_STRATEGY);
    z.next_in = plain;
    z.avail_in = sizeof plain;
    z.next_out = img + 4 * CL;
    z.avail_out = CL;
    deflate(&z, Z_FINISH);
    deflateEnd(&z);
    put_be64(l2 + 8, (1ULL << 62) | (4 * CL)); /* compressed, one sector, offset 2048 */
    put_be64(l2 + 16, 1);                      /* cluster 2: reads as zeros (v3) */
    return 5 * CL;
}

static img_blk *open_mem_qcow2(const unsigned char *img, size_t len, char *err, size_t errlen)
{
    int fd = mem_fd(img, len);
    return fd < 0 ? NULL : img_qcow2_open(fd, len, err, errlen);
}

static void test_qcow2(void)
{
    static unsigned char img[8 * CL];
    size_t len = make_qcow2(img, sizeof img);
    char err[512] = "";
    img_blk *b = open_mem_qcow2(img, len, err, sizeof err);
    CHECK(b != NULL);
    if (!b) {
        fprintf(stderr, "qcow2: %s\n", err);
        return;
    }
    CHECK(b->size == 8 * CL);
    CHECK_STR(b->format, "qcow2");
    unsigned char buf[8 * CL];
    CHECK(b->read(b, 0, buf, sizeof buf, err, sizeof err) == 0);
    CHECK(buf[0] == 'A' && buf[25] == 'Z' && buf[26] == 'A' && buf[CL - 1] == (unsigned char)('A' + (CL - 1) % 26));
    int ok = 1;
    for (int i = CL; i < 2 * CL; i++)
        ok &= buf[i] == 'z';
    CHECK(ok); /* the compressed cluster */
    ok = 1;
    for (int i = 2 * CL; i < 8 * CL; i++)
        ok &= buf[i] == 0;
    CHECK(ok); /* zeroed and unallocated clusters */
    /* a read straddling the data and the compressed cluster */
    CHECK(b->read(b, CL - 2, buf, 4, err, sizeof err) == 0 && buf[1] == (unsigned char)('A' + (CL - 1) % 26) &&
          buf[2] == 'z');
    CHECK(b->read(b, 8 * CL - 1, buf, 2, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "past the end");
    b->close(b);

    struct {
        size_t off;
        int width; /* 4 or 8 */
        uint64_t val;
        const char *why;
    } forged[] = {
        {4, 4, 1, "version 1"},         {20, 4, 8, "cluster_bits 8"},
        {20, 4, 22, "cluster_bits 22"}, {8, 8, 4 * CL, "backing file"},
        {32, 4, 1, "encrypted"},        {36, 4, 0, "too small for the virtual size"},
        {36, 4, 5000000, "more than"},  {40, 8, 1ULL << 40, "outside the file"},
        {40, 8, 100, "not aligned"},    {24, 8, (1ULL << 63), "too large"},
        {72, 8, 2, "corrupt"},          {72, 8, 4, "external data file"},
        {72, 8, 16, "extended L2"},     {72, 8, 1ULL << 40, "unknown incompatible"},
        {100, 4, 50, "header length"},
    };
    for (size_t i = 0; i < sizeof forged / sizeof *forged; i++) {
        static unsigned char f[8 * CL];
        memcpy(f, img, len);
        if (forged[i].width == 4)
            put_be32(f + forged[i].off, (uint32_t)forged[i].val);
        else
            put_be64(f + forged[i].off, forged[i].val);
        if (forged[i].off == 8) { /* a backing file name to show */
            memcpy(f + 4 * CL, "/etc/shadow", 11);
            put_be32(f + 16, 11);
        }
        err[0] = '\0';
        img_blk *x = open_mem_qcow2(f, len, err, sizeof err);
        CHECK(x == NULL);
        if (x)
            x->close(x);
        CHECK_CONTAINS(err, forged[i].why);
    }
    /* zstd (compression type 1 in the header extension byte) */
    static unsigned char zs[8 * CL];
    memcpy(zs, img, len);
    put_be32(zs + 100, 112);
    put_be64(zs + 72, 8);
    zs[104] = 1;
    img_blk *x = open_mem_qcow2(zs, len, err, sizeof err);
    CHECK(x == NULL);
    CHECK_CONTAINS(err, "zstd");
    /* an L2 table and a data cluster pointing outside the file: errors on read, not on open */
    static unsigned char out[8 * CL];
    memcpy(out, img, len);
    put_be64(out + 2 * CL, 1ULL << 40);
    put_be64(out + 2 * CL + 16, 7 * CL);
    x = open_mem_qcow2(out, len, err, sizeof err);
    CHECK(x != NULL);
    if (x) {
        CHECK(x->read(x, 0, buf, 16, err, sizeof err) == -1);
        CHECK_CONTAINS(err, "outside the file");
        CHECK(x->read(x, 2 * CL, buf, 16, err, sizeof err) == -1);
        CHECK_CONTAINS(err, "outside the file");
        x->close(x);
    }
    /* a compressed cluster holding garbage */
    static unsigned char bad[8 * CL];
    memcpy(bad, img, len);
    memset(bad + 4 * CL, 0xff, CL);
    x = open_mem_qcow2(bad, len, err, sizeof err);
    CHECK(x != NULL);
    if (x) {
        CHECK(x->read(x, CL, buf, 16, err, sizeof err) == -1);
        CHECK_CONTAINS(err, "corrupt");
        x->close(x);
    }
}

/* ---- partition tables ---- */

static img_blk *raw_mem(const unsigned char *d, size_t len)
{
    int fd = mem_fd(d, len);
    return fd < 0 ? NULL : img_blk_raw_fd(fd, len);
}

static void mbr_entry(unsigned char *e, unsigned type, uint32_t start, uint32_t count)
{
    e[4] = (unsigned char)type;
    put_le32(e + 8, start);
    put_le32(e + 12, count);
}

static void test_mbr(void)
{
    size_t len = 64 * 512;
    unsigned char *d = calloc(1, len);
    d[510] = 0x55, d[511] = 0xaa;
    mbr_entry(d + 446, 0x0c, 1, 3);  /* 1: FAT, sectors 1-3 */
    mbr_entry(d + 462, 0x05, 8, 40); /* 2: extended, sectors 8-47 */
    unsigned char *ebr1 = d + 8 * 512, *ebr2 = d + 20 * 512;
    ebr1[510] = 0x55, ebr1[511] = 0xaa;
    mbr_entry(ebr1 + 446, 0x83, 2, 8);   /* 5: sectors 10-17 */
    mbr_entry(ebr1 + 462, 0x05, 12, 20); /* next EBR at 8+12 = 20 */
    ebr2[510] = 0x55, ebr2[511] = 0xaa;
    mbr_entry(ebr2 + 446, 0x83, 4, 20); /* 6: sectors 24-43 */
    /* an ext superblock magic in partition 6 */
    unsigned char *sb = d + 24 * 512 + 1024;
    sb[56] = 0x53, sb[57] = 0xef;
    CHECK(img_looks_like_disk(d, len));
    img_blk *b = raw_mem(d, len);
    img_part_table t;
    char err[512] = "";
    CHECK(b && img_parts_read(b, &t, err, sizeof err) == 0);
    CHECK_STR(t.scheme, "mbr");
    CHECK(t.n == 3);
    if (t.n == 3) {
        CHECK(t.parts[0].index == 1 && t.parts[0].offset == 512 && !t.parts[0].linux_type);
        CHECK(t.parts[1].index == 5 && t.parts[1].offset == 10 * 512 && t.parts[1].size == 8 * 512 && !t.parts[1].ext);
        CHECK(t.parts[2].index == 6 && t.parts[2].offset == 24 * 512 && t.parts[2].ext && t.parts[2].linux_type);
    }
    img_parts_free(&t);
    b->close(b);

    /* the chain loops back */
    mbr_entry(ebr2 + 462, 0x05, 0, 20);
    b = raw_mem(d, len);
    CHECK(b && img_parts_read(b, &t, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "loops");
    b->close(b);
    /* a primary partition past the end */
    mbr_entry(d + 462, 0x83, 8, 4000);
    b = raw_mem(d, len);
    CHECK(b && img_parts_read(b, &t, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "partition 2 (sectors 8-4007) lies past the end");
    b->close(b);
    /* not a disk: a tar header, or nothing */
    memset(d, 0, len);
    memcpy(d + 257, "ustar", 5);
    d[510] = 0x55, d[511] = 0xaa;
    CHECK(!img_looks_like_disk(d, len));
    memset(d, 0, len);
    CHECK(!img_looks_like_disk(d, len));
    b = raw_mem(d, len);
    CHECK(b && img_parts_read(b, &t, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "neither a partition table");
    b->close(b);
    free(d);
}

static void test_gpt(void)
{
    size_t len = 128 * 512;
    unsigned char *d = calloc(1, len);
    d[510] = 0x55, d[511] = 0xaa;
    mbr_entry(d + 446, 0xee, 1, 127);
    unsigned char *h = d + 512, *ents = d + 1024;
    memcpy(h, "EFI PART", 8);
    put_le32(h + 8, 0x00010000);
    put_le32(h + 12, 92);
    put_le64(h + 24, 1);
    put_le64(h + 72, 2);   /* entries at LBA 2 */
    put_le32(h + 80, 4);   /* 4 entries */
    put_le32(h + 84, 128); /* of 128 bytes */
    /* entry 2: Linux file system data 0FC63DAF-8483-4772-8E79-3D69D8477DE4, sectors 40-99 */
    static const unsigned char linux_fs[16] = {0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
                                               0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4};
    memcpy(ents + 128, linux_fs, 16);
    ents[128 + 16] = 1; /* a unique GUID */
    put_le64(ents + 128 + 32, 40);
    put_le64(ents + 128 + 40, 99);
    unsigned char *sb = d + 40 * 512 + 1024;
    sb[56] = 0x53, sb[57] = 0xef;
    put_le32(h + 88, (uint32_t)crc32(0L, ents, 4 * 128));
    put_le32(h + 16, 0);
    put_le32(h + 16, (uint32_t)crc32(0L, h, 92));
    img_blk *b = raw_mem(d, len);
    img_part_table t;
    char err[512] = "";
    CHECK(img_looks_like_disk(d, len));
    CHECK(b && img_parts_read(b, &t, err, sizeof err) == 0);
    CHECK_STR(t.scheme, "gpt");
    CHECK(t.n == 1);
    if (t.n == 1) {
        CHECK(t.parts[0].index == 2 && t.parts[0].offset == 40 * 512 && t.parts[0].size == 60 * 512);
        CHECK_STR(t.parts[0].type, "0FC63DAF-8483-4772-8E79-3D69D8477DE4");
        CHECK(t.parts[0].linux_type && t.parts[0].ext);
    }
    img_parts_free(&t);
    b->close(b);

    /* a bad entry checksum */
    ents[128 + 33] ^= 1;
    b = raw_mem(d, len);
    CHECK(b && img_parts_read(b, &t, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "entries' checksum");
    b->close(b);
    /* past the end, with correct checksums */
    put_le64(ents + 128 + 32, 40);
    put_le64(ents + 128 + 40, 1000);
    put_le32(h + 88, (uint32_t)crc32(0L, ents, 4 * 128));
    put_le32(h + 16, 0);
    put_le32(h + 16, (uint32_t)crc32(0L, h, 92));
    b = raw_mem(d, len);
    CHECK(b && img_parts_read(b, &t, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "partition 2 (sectors 40-1000) lies past the end of the disk (128 sectors)");
    b->close(b);
    /* a huge entry count */
    put_le32(h + 80, 1u << 30);
    put_le32(h + 16, 0);
    put_le32(h + 16, (uint32_t)crc32(0L, h, 92));
    b = raw_mem(d, len);
    CHECK(b && img_parts_read(b, &t, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "refused");
    b->close(b);
    /* a bad header checksum */
    h[20] ^= 1;
    b = raw_mem(d, len);
    CHECK(b && img_parts_read(b, &t, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "header checksum");
    b->close(b);
    free(d);
}

/* ---- sshd_config ---- */

static void resolve(const img_host_file *f, size_t n, img_sshd *out)
{
    img_sshd_resolve(f, n, out);
}

#define F(p, d)                                                                                                        \
    {                                                                                                                  \
        (char *)(p), (char *)(d), sizeof(d) - 1                                                                        \
    }

static void test_sshd(void)
{
    img_sshd o;
    /* nothing: the defaults */
    resolve(NULL, 0, &o);
    CHECK(!o.present);
    CHECK_STR(o.permit_root_login, "prohibit-password");
    CHECK(o.password_authentication == 1);
    CHECK_STR(o.password_authentication_at, "default");
    img_buf_free(&o.match_json), img_buf_free(&o.unread_json);

    /* first value wins; includes read where they stand, in sorted order; keyword=value; case */
    img_host_file a[] = {
        F("etc/ssh/sshd_config", "# comment\n  permitrootlogin=No\nInclude sshd_config.d/*.conf\n"
                                 "PasswordAuthentication yes\nPermitRootLogin yes\n"),
        F("etc/ssh/sshd_config.d/20-b.conf", "PasswordAuthentication yes\n"),
        F("etc/ssh/sshd_config.d/10-a.conf", "PASSWORDAUTHENTICATION   NO # trailing comment\n"),
        F("etc/ssh/sshd_config.d/10-a.conf.bak", "PasswordAuthentication yes\n"),
    };
    resolve(a, 4, &o);
    CHECK(o.present);
    CHECK_STR(o.permit_root_login, "no");
    CHECK_STR(o.permit_root_login_at, "/etc/ssh/sshd_config:2");
    CHECK(o.password_authentication == 0);
    CHECK_STR(o.password_authentication_at, "/etc/ssh/sshd_config.d/10-a.conf:1");
    CHECK_STR(o.match_json.data, "[]");
    img_buf_free(&o.match_json), img_buf_free(&o.unread_json);

    /* Match blocks: apart; "Match all" goes back to global; an Include inside a Match is conditional;
     * a Match in an included file ends with that file */
    img_host_file m[] = {
        F("etc/ssh/sshd_config", "Match User backup\n  PasswordAuthentication yes\n  Include /etc/ssh/m.conf\n"
                                 "Match all\nInclude /etc/ssh/g.conf\nPasswordAuthentication no\n"
                                 "Include /opt/outside/*.conf\nMatch Address 192.0.2.0/24\nPermitRootLogin yes\n"),
        F("etc/ssh/m.conf", "PermitRootLogin without-password\n"),
        F("etc/ssh/g.conf", "Match Group admins\nPermitRootLogin yes\n"),
    };
    resolve(m, 3, &o);
    CHECK_STR(o.permit_root_login, "prohibit-password"); /* only Match blocks set it */
    CHECK_STR(o.permit_root_login_at, "default");
    CHECK(o.password_authentication == 0);
    CHECK_STR(o.password_authentication_at, "/etc/ssh/sshd_config:6");
    CHECK_CONTAINS(o.match_json.data, "{\"criteria\":\"User backup\",\"at\":\"/etc/ssh/sshd_config:1\","
                                      "\"permitRootLogin\":\"without-password\",\"passwordAuthentication\":true}");
    CHECK_CONTAINS(o.match_json.data,
                   "{\"criteria\":\"Group admins\",\"at\":\"/etc/ssh/g.conf:1\",\"permitRootLogin\":\"yes\"}");
    CHECK_CONTAINS(o.match_json.data, "\"criteria\":\"Address 192.0.2.0/24\"");
    CHECK_STR(o.unread_json.data, "[\"/opt/outside/*.conf\"]");
    img_buf_free(&o.match_json), img_buf_free(&o.unread_json);

    /* includes that include themselves end (depth and line caps), and the first value still wins */
    img_host_file loop[] = {
        F("etc/ssh/sshd_config", "Include /etc/ssh/l/*.conf\nPermitRootLogin no\n"),
        F("etc/ssh/l/a.conf", "Include /etc/ssh/l/*.conf\nPermitRootLogin forced-commands-only\n"),
        F("etc/ssh/l/b.conf", "Include /etc/ssh/l/*.conf\n"),
    };
    resolve(loop, 3, &o);
    CHECK_STR(o.permit_root_login, "forced-commands-only");
    img_buf_free(&o.match_json), img_buf_free(&o.unread_json);

    /* quoted arguments and CRLF line ends */
    img_host_file q[] = {F("etc/ssh/sshd_config", "PermitRootLogin \"yes\"\r\nPasswordAuthentication no\r\n")};
    resolve(q, 1, &o);
    CHECK_STR(o.permit_root_login, "yes");
    CHECK(o.password_authentication == 0);
    img_buf_free(&o.match_json), img_buf_free(&o.unread_json);
}

int main(void)
{
    test_qcow2();
    test_mbr();
    test_gpt();
    test_sshd();
    return test_summary("test_image_vm");
}
