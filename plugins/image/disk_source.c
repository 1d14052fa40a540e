/*
 * plugins/image/disk_source.c - a VM disk image (raw or qcow2) as a scan
 * target: detect it, find its partitions, choose the root file system,
 * and read that file system as the scan's one layer (ext_stream.c).
 *
 * Choice: among the partitions (or the bare file system) holding an ext
 * superblock, the first whose root has an `etc` entry; else the largest.
 * Nothing is mounted, written or extracted.
 */
#define _GNU_SOURCE
#include <archive.h>
#include <errno.h>
#include <ext2fs/ext2fs.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk_vm.h"

int img_disk_detect(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    unsigned char head[2048];
    struct stat st;
    ssize_t n = 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        do
            n = pread(fd, head, sizeof head, 0);
        while (n < 0 && errno == EINTR);
    }
    close(fd);
    return n > 0 && img_looks_like_disk(head, (size_t)n);
}

typedef struct disk_ctx {
    img_blk *blk;
    ext2_filsys fs;
    img_ext_stream *st;
    char label[64];
} disk_ctx;

static void ctx_free(disk_ctx *c)
{
    if (!c)
        return;
    img_ext_stream_free(c->st);
    if (c->fs)
        ext2fs_close_free(&c->fs);
    if (c->blk)
        c->blk->close(c->blk);
    free(c);
}

static int has_etc(ext2_filsys fs)
{
    ext2_ino_t ino = 0;
    return ext2fs_lookup(fs, EXT2_ROOT_INO, "etc", 3, NULL, &ino) == 0 && ino != 0;
}

/* Open the target, choose the file system; fills @info. NULL with s->err on failure. */
static disk_ctx *disk_open(img_scan *s, img_disk_info *info)
{
    char err[512];
    disk_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        img_fail(s, "out of memory");
        return NULL;
    }
    c->blk = img_blk_open(s->target, err, sizeof err);
    if (!c->blk) {
        img_fail(s, "%s", err);
        free(c);
        return NULL;
    }
    img_part_table t;
    if (img_parts_read(c->blk, &t, err, sizeof err)) {
        img_fail(s, "%s disk: %s", c->blk->format, err);
        ctx_free(c);
        return NULL;
    }
    const img_part *chosen = NULL, *largest = NULL;
    for (size_t i = 0; i < t.n && !chosen; i++) {
        const img_part *p = &t.parts[i];
        if (!p->ext)
            continue;
        if (!largest || p->size > largest->size)
            largest = p;
        ext2_filsys fs = NULL;
        if (img_ext_open(c->blk, p->offset, p->size, &fs, err, sizeof err) == 0) {
            if (has_etc(fs)) {
                chosen = p;
                c->fs = fs;
            } else {
                ext2fs_close_free(&fs);
            }
        } else {
            img_warn(s, "%s partition %d: %s", t.scheme, p->index, err);
        }
    }
    if (!chosen && largest) {
        chosen = largest;
        if (img_ext_open(c->blk, largest->offset, largest->size, &c->fs, err, sizeof err)) {
            img_fail(s, "%s disk, %s partition %d: %s", c->blk->format, t.scheme, largest->index, err);
            img_parts_free(&t);
            ctx_free(c);
            return NULL;
        }
    }
    if (!chosen) {
        img_fail(s,
                 "%s disk (%s, %zu partitions): no ext2/3/4 file system was found (other file systems, LVM and "
                 "LUKS are not read)",
                 c->blk->format, t.scheme, t.n);
        img_parts_free(&t);
        ctx_free(c);
        return NULL;
    }
    memset(info, 0, sizeof *info);
    snprintf(info->format, sizeof info->format, "%s", c->blk->format);
    snprintf(info->scheme, sizeof info->scheme, "%s", t.scheme);
    info->partition = chosen->index;
    info->offset = chosen->offset;
    info->size = chosen->size;
    info->disk_size = c->blk->size;
    struct ext2_super_block *sb = c->fs->super;
    const unsigned char *u = sb->s_uuid;
    snprintf(info->fs_uuid, sizeof info->fs_uuid,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5],
             u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
    size_t ln = strnlen((const char *)sb->s_volume_name, sizeof sb->s_volume_name);
    char label[20];
    memcpy(label, sb->s_volume_name, ln);
    label[ln] = '\0';
    img_display(label, info->fs_label, sizeof info->fs_label);
    snprintf(info->fs_type, sizeof info->fs_type, "%s",
             ext2fs_has_feature_extents(sb) || ext2fs_has_feature_64bit(sb) || ext2fs_has_feature_flex_bg(sb) ? "ext4"
             : ext2fs_has_feature_journal(sb)                                                                 ? "ext3"
                                                                                                              : "ext2");
    if (chosen->index)
        snprintf(c->label, sizeof c->label, "%s partition %d", t.scheme, chosen->index);
    else
        snprintf(c->label, sizeof c->label, "file system");
    img_parts_free(&t);
    return c;
}

static int open_archive(img_scan *s, struct archive **a, void **ctx, img_disk_info *info, int quiet)
{
    disk_ctx *c = disk_open(s, info);
    if (!c)
        return -1;
    c->st = img_ext_stream_new(s, c->fs, c->label, quiet);
    struct archive *ar = archive_read_new();
    if (!c->st || !ar) {
        if (ar)
            archive_read_free(ar);
        ctx_free(c);
        img_fail(s, "out of memory");
        return -1;
    }
    archive_read_support_format_tar(ar);
    if (img_ext_stream_open(ar, c->st) != ARCHIVE_OK) {
        img_fail(s, "%s: %s", c->label, archive_error_string(ar) ? archive_error_string(ar) : "cannot read");
        archive_read_free(ar);
        ctx_free(c);
        return -1;
    }
    *a = ar;
    *ctx = c;
    return 0;
}

int img_disk_open_archive(img_scan *s, struct archive **a, void **ctx, img_disk_info *info)
{
    return open_archive(s, a, ctx, info, 1); /* the walk's warnings were logged by the first reader */
}

void img_disk_close_archive(struct archive *a, void *ctx)
{
    if (a)
        archive_read_free(a);
    ctx_free(ctx);
}

int img_disk_read(img_scan *s, img_meta *m)
{
    img_disk_info info;
    struct archive *a = NULL;
    void *ctx = NULL;
    s->layers = calloc(1, sizeof *s->layers);
    if (!s->layers)
        return img_fail(s, "out of memory");
    s->n_layers = 1;
    if (open_archive(s, &a, &ctx, &info, 0))
        return PP_ERR;
    m->format = strdup(!strcmp(info.format, "qcow2") ? "qcow2" : "raw-disk");
    int rc = img_layer_read(s, 0, a, NULL);
    img_disk_close_archive(a, ctx);
    return rc;
}
