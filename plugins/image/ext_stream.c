/*
 * plugins/image/ext_stream.c - an ext file system walked through libext2fs
 * and handed to libarchive as a tar stream, made on demand.
 *
 * libarchive pulls bytes through st_read; each time the previous entry is
 * used up, the walk moves to the next directory entry and writes its tar
 * header (ustar, with a pax record for long names, big sizes or ids).
 * File data is read from the file system only when the reader wants it: a
 * skip (libarchive's skip callback) moves the file position without
 * reading. So a disk is read once, entry by entry, with one chunk in
 * memory, and layer.c's analyzers see it as they see any layer.
 *
 * The walk never leaves the file system: symbolic links are entries (their
 * targets are resolved later inside the image by layer.c, never on the
 * host); a directory seen twice (a hostile loop) or deeper than
 * IMG_EXT_MAX_DEPTH is skipped with a warning naming the image, the inode
 * and the path; names holding '/' or NUL are skipped the same way.
 * Facts: POSIX pax/ustar header layout (IEEE 1003.1, pax); the libext2fs
 * API (ext2fs.h).
 */
#define _GNU_SOURCE
#include <archive.h>
#include <errno.h>
#include <stdarg.h>
#include <ext2fs/ext2fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disk_vm.h"

#define CHUNK (128 * 1024)
#define MAX_LINK 4095

typedef struct dir_todo {
    ext2_ino_t ino;
    char *path; /* "" for the root */
    int depth;
} dir_todo;

typedef struct dir_ent {
    ext2_ino_t ino;
    char *name;
} dir_ent;

enum { ST_HEADER, ST_DATA, ST_PAD, ST_END, ST_EOF };

struct img_ext_stream {
    img_scan *s;
    ext2_filsys fs;
    const char *label;
    int quiet;
    unsigned warnings;
    uint64_t max_entries;

    dir_todo *todo; /* directories still to list (a stack) */
    size_t n_todo, cap_todo;
    dir_ent *cur; /* entries of the directory being emitted */
    size_t n_cur, cap_cur, i_cur;
    char *cur_path;
    int cur_depth;
    int started, list_over;
    img_map seen_dirs; /* inode -> 1 */
    img_map links;     /* inode of a multiply linked file -> its first path (malloc'd) */

    int state;
    ext2_file_t file;
    ext2_ino_t file_ino;
    char *file_path;
    uint64_t data_left, pos;
    size_t pad_left;
    img_buf hdr;
    unsigned char zeros[1024];
    unsigned char *out;
};

static void st_warn(img_ext_stream *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void st_warn(img_ext_stream *st, const char *fmt, ...)
{
    if (st->quiet)
        return;
    if (++st->warnings > 20) { /* a broken file system: the first ones say enough */
        if (st->warnings == 21)
            img_warn(st->s, "%s: more problems in the file system are not shown", st->label);
        return;
    }
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    img_warn(st->s, "%s", msg);
}

img_ext_stream *img_ext_stream_new(img_scan *s, struct struct_ext2_filsys *fs, const char *label, int quiet)
{
    img_ext_stream *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->out = malloc(CHUNK);
    if (!st->out) {
        free(st);
        return NULL;
    }
    st->s = s;
    st->fs = fs;
    st->label = label;
    st->quiet = quiet;
    st->max_entries = s->lim->max_entries;
    st->state = ST_HEADER;
    return st;
}

static void close_file(img_ext_stream *st)
{
    if (st->file)
        ext2fs_file_close(st->file);
    st->file = NULL;
    free(st->file_path);
    st->file_path = NULL;
}

static void free_cur(img_ext_stream *st)
{
    for (size_t i = 0; i < st->n_cur; i++)
        free(st->cur[i].name);
    st->n_cur = st->i_cur = 0;
    free(st->cur_path);
    st->cur_path = NULL;
}

void img_ext_stream_free(img_ext_stream *st)
{
    if (!st)
        return;
    close_file(st);
    free_cur(st);
    free(st->cur);
    for (size_t i = 0; i < st->n_todo; i++)
        free(st->todo[i].path);
    free(st->todo);
    img_map_free(&st->seen_dirs, NULL);
    img_map_free(&st->links, free);
    img_buf_free(&st->hdr);
    if (st->out) {
        explicit_bzero(st->out, CHUNK);
        free(st->out);
    }
    free(st);
}

/* ---- tar headers ---- */

static void octal(char *field, size_t width, uint64_t v)
{
    /* width-1 digits and a NUL, zero padded */
    snprintf(field, width, "%0*llo", (int)(width - 1), (unsigned long long)v);
}

/* Append one pax record "LEN key=value\n" (LEN counts the whole record). */
static void pax_record(img_buf *b, const char *key, const char *val)
{
    size_t body = 1 + strlen(key) + 1 + strlen(val) + 1; /* " key=value\n" */
    size_t len = body + 1, digits = 1;
    for (;;) {
        digits = 1;
        for (size_t x = len; x >= 10; x /= 10)
            digits++;
        if (body + digits == len)
            break;
        len = body + digits;
    }
    img_buf_printf(b, "%zu %s=%s\n", len, key, val);
}

static void ustar_block(unsigned char blk[512], const char *name, const char *link, uint64_t size, unsigned mode,
                        unsigned uid, unsigned gid, uint64_t mtime, char type)
{
    memset(blk, 0, 512);
    char *h = (char *)blk;
    snprintf(h, 100, "%.99s", name);
    octal(h + 100, 8, mode & 07777);
    octal(h + 108, 8, uid <= 07777777 ? uid : 0);
    octal(h + 116, 8, gid <= 07777777 ? gid : 0);
    octal(h + 124, 12, size <= 077777777777ULL ? size : 0);
    octal(h + 136, 12, mtime <= 077777777777ULL ? mtime : 0);
    h[156] = type;
    if (link)
        snprintf(h + 157, 100, "%.99s", link);
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += blk[i];
    snprintf(h + 148, 8, "%06o", sum);
    h[155] = ' ';
}

/* Header(s) of one entry into st->hdr. */
static void make_header(img_ext_stream *st, const char *path, const char *link, uint64_t size, unsigned mode,
                        unsigned uid, unsigned gid, uint64_t mtime, char type)
{
    st->hdr.len = 0;
    unsigned char blk[512];
    img_buf pax = {0};
    if (strlen(path) > 99)
        pax_record(&pax, "path", path);
    if (link && strlen(link) > 99)
        pax_record(&pax, "linkpath", link);
    if (size > 077777777777ULL) {
        char v[32];
        snprintf(v, sizeof v, "%llu", (unsigned long long)size);
        pax_record(&pax, "size", v);
    }
    if (uid > 07777777 || gid > 07777777) {
        char v[32];
        snprintf(v, sizeof v, "%u", uid);
        pax_record(&pax, "uid", v);
        snprintf(v, sizeof v, "%u", gid);
        pax_record(&pax, "gid", v);
    }
    if (pax.len) {
        ustar_block(blk, "PaxHeader/entry", NULL, pax.len, 0644, 0, 0, mtime, 'x');
        img_buf_add(&st->hdr, blk, 512);
        img_buf_add(&st->hdr, pax.data, pax.len);
        size_t pad = (512 - pax.len % 512) % 512;
        img_buf_add(&st->hdr, st->zeros, pad);
    }
    img_buf_free(&pax);
    ustar_block(blk, path, link, size, mode, uid, gid, mtime, type);
    img_buf_add(&st->hdr, blk, 512);
}

/* ---- the walk ---- */

typedef struct list_ctx {
    img_ext_stream *st;
    int over;
} list_ctx;

static int list_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *d, int offset, int blocksize, char *buf,
                   void *priv)
{
    (void)dir, (void)entry, (void)offset, (void)blocksize, (void)buf;
    list_ctx *c = priv;
    img_ext_stream *st = c->st;
    int len = ext2fs_dirent_name_len(d);
    if (d->inode == 0 || len <= 0)
        return 0;
    if ((len == 1 && d->name[0] == '.') || (len == 2 && d->name[0] == '.' && d->name[1] == '.'))
        return 0;
    if (memchr(d->name, '/', (size_t)len) || memchr(d->name, '\0', (size_t)len)) {
        st_warn(st, "%s: directory '/%s': an entry of inode %u has a name with '/' or NUL: skipped", st->label,
                st->cur_path, d->inode);
        return 0;
    }
    if (st->n_cur >= st->max_entries) {
        c->over = 1;
        return DIRENT_ABORT;
    }
    if (st->n_cur == st->cap_cur) {
        size_t cap = st->cap_cur ? st->cap_cur * 2 : 64;
        dir_ent *n = realloc(st->cur, cap * sizeof *n);
        if (!n) {
            c->over = 2;
            return DIRENT_ABORT;
        }
        st->cur = n;
        st->cap_cur = cap;
    }
    char *name = strndup(d->name, (size_t)len);
    if (!name) {
        c->over = 2;
        return DIRENT_ABORT;
    }
    st->cur[st->n_cur].ino = d->inode;
    st->cur[st->n_cur].name = name;
    st->n_cur++;
    return 0;
}

static int push_dir(img_ext_stream *st, ext2_ino_t ino, const char *path, int depth)
{
    if (st->n_todo == st->cap_todo) {
        size_t cap = st->cap_todo ? st->cap_todo * 2 : 32;
        dir_todo *n = realloc(st->todo, cap * sizeof *n);
        if (!n)
            return -1;
        st->todo = n;
        st->cap_todo = cap;
    }
    char *p = strdup(path);
    if (!p)
        return -1;
    st->todo[st->n_todo++] = (dir_todo){ino, p, depth};
    return 0;
}

/* Read a symbolic link's target (at most MAX_LINK bytes) into @out. */
static errcode_t read_link(img_ext_stream *st, ext2_ino_t ino, struct ext2_inode *in, char out[MAX_LINK + 1])
{
    uint64_t size = EXT2_I_SIZE(in);
    if (size == 0 || size > MAX_LINK)
        return EXT2_ET_INVALID_ARGUMENT;
    if (ext2fs_is_fast_symlink(in)) {
        if (size >= sizeof in->i_block)
            return EXT2_ET_INVALID_ARGUMENT;
        memcpy(out, in->i_block, (size_t)size);
        out[size] = '\0';
        return 0;
    }
    if (in->i_flags & EXT4_INLINE_DATA_FL) {
        size_t isz = 0;
        errcode_t rc = ext2fs_inline_data_size(st->fs, ino, &isz);
        if (rc)
            return rc;
        if (isz > MAX_LINK || isz < size)
            return EXT2_ET_INVALID_ARGUMENT;
        rc = ext2fs_inline_data_get(st->fs, ino, in, out, &isz);
        if (rc)
            return rc;
        out[size] = '\0';
        return 0;
    }
    ext2_file_t f;
    errcode_t rc = ext2fs_file_open2(st->fs, ino, in, 0, &f);
    if (rc)
        return rc;
    unsigned int got = 0;
    rc = ext2fs_file_read(f, out, (unsigned)size, &got);
    ext2fs_file_close(f);
    if (rc)
        return rc;
    out[got] = '\0';
    return 0;
}

/* Write the header of entry @e of the current directory; 1 when an entry was made, 0 when it was skipped, -1 on error.
 */
static int emit_entry(img_ext_stream *st, struct archive *a, const dir_ent *e)
{
    img_buf pb = {0};
    if (st->cur_path[0])
        img_buf_printf(&pb, "%s/%s", st->cur_path, e->name);
    else
        img_buf_printf(&pb, "%s", e->name);
    if (!pb.data) {
        archive_set_error(a, ENOMEM, "out of memory");
        return -1;
    }
    char shown[256];
    img_display(pb.data, shown, sizeof shown);
    struct ext2_inode in;
    errcode_t rc = ext2fs_read_inode(st->fs, e->ino, &in);
    if (rc) {
        st_warn(st, "%s: inode %u ('/%s'): cannot read the inode: %s: skipped", st->label, e->ino, shown,
                error_message(rc));
        img_buf_free(&pb);
        return 0;
    }
    unsigned mode = in.i_mode, uid = inode_uid(in), gid = inode_gid(in);
    uint64_t mtime = in.i_mtime;
    int made = 1;
    if (LINUX_S_ISDIR(mode)) {
        char key[16];
        snprintf(key, sizeof key, "%u", e->ino);
        if (st->cur_depth + 1 > IMG_EXT_MAX_DEPTH) {
            st_warn(st, "%s: directory '/%s' (inode %u) is deeper than %d levels: not walked", st->label, shown, e->ino,
                    IMG_EXT_MAX_DEPTH);
        } else if (img_map_get(&st->seen_dirs, key)) {
            st_warn(st, "%s: directory '/%s' (inode %u) was already walked (a loop): skipped", st->label, shown,
                    e->ino);
            made = 0;
        } else if (img_map_put(&st->seen_dirs, key, (void *)1) || push_dir(st, e->ino, pb.data, st->cur_depth + 1)) {
            archive_set_error(a, ENOMEM, "out of memory");
            img_buf_free(&pb);
            return -1;
        }
        if (made)
            make_header(st, pb.data, NULL, 0, mode, uid, gid, mtime, '5');
    } else if (LINUX_S_ISREG(mode)) {
        char key[16];
        snprintf(key, sizeof key, "%u", e->ino);
        const char *first = in.i_links_count > 1 ? img_map_get(&st->links, key) : NULL;
        if (first) {
            make_header(st, pb.data, first, 0, mode, uid, gid, mtime, '1');
        } else {
            if (in.i_links_count > 1) {
                char *copy = strdup(pb.data);
                if (!copy || img_map_put(&st->links, key, copy)) {
                    free(copy);
                    archive_set_error(a, ENOMEM, "out of memory");
                    img_buf_free(&pb);
                    return -1;
                }
            }
            uint64_t size = EXT2_I_SIZE(&in);
            uint64_t allocated = (uint64_t)ext2fs_get_stat_i_blocks(st->fs, &in) * 512;
            if (size > ((uint64_t)1 << 50)) {
                st_warn(st, "%s: inode %u ('/%s'): the size (%llu bytes) is not believable: skipped", st->label, e->ino,
                        shown, (unsigned long long)size);
                img_buf_free(&pb);
                return 0;
            }
            if (size > st->s->lim->max_file_bytes && size > allocated + ((uint64_t)1 << 20))
                size =
                    0; /* a sparse file (lastlog...) larger than any file the analyzers read: its holes are not read */
            rc = ext2fs_file_open2(st->fs, e->ino, &in, 0, &st->file);
            if (rc) {
                st->file = NULL;
                st_warn(st, "%s: inode %u ('/%s'): cannot open the file: %s: skipped", st->label, e->ino, shown,
                        error_message(rc));
                made = 0;
            } else {
                make_header(st, pb.data, NULL, size, mode, uid, gid, mtime, '0');
                st->file_ino = e->ino;
                st->file_path = pb.data;
                pb.data = NULL;
                st->data_left = size;
                st->pos = 0;
                st->pad_left = (size_t)((512 - size % 512) % 512);
            }
        }
    } else if (LINUX_S_ISLNK(mode)) {
        char target[MAX_LINK + 1];
        rc = read_link(st, e->ino, &in, target);
        if (rc) {
            st_warn(st, "%s: inode %u ('/%s'): cannot read the symbolic link: %s: skipped", st->label, e->ino, shown,
                    error_message(rc));
            made = 0;
        } else {
            make_header(st, pb.data, target, 0, mode, uid, gid, mtime, '2');
        }
    } else if (LINUX_S_ISCHR(mode) || LINUX_S_ISBLK(mode) || LINUX_S_ISFIFO(mode)) {
        make_header(st, pb.data, NULL, 0, mode, uid, gid, mtime,
                    LINUX_S_ISCHR(mode)   ? '3'
                    : LINUX_S_ISBLK(mode) ? '4'
                                          : '6');
    } else {
        made = 0; /* sockets and unknown types have no tar form */
    }
    img_buf_free(&pb);
    return made;
}

/* Move to the next entry and write its header; 1, 0 at the end, -1 on error. */
static int next_entry(img_ext_stream *st, struct archive *a)
{
    if (!st->started) {
        st->started = 1;
        if (img_map_put(&st->seen_dirs, "2", (void *)1) || push_dir(st, EXT2_ROOT_INO, "", 0)) {
            archive_set_error(a, ENOMEM, "out of memory");
            return -1;
        }
    }
    for (;;) {
        if (st->s->api->cancelled(st->s->h)) {
            archive_set_error(a, ECANCELED, "cancelled");
            return -1;
        }
        while (st->i_cur < st->n_cur) {
            int r = emit_entry(st, a, &st->cur[st->i_cur++]);
            if (r)
                return r;
        }
        free_cur(st);
        if (!st->n_todo)
            return 0;
        dir_todo d = st->todo[--st->n_todo];
        st->cur_path = d.path;
        st->cur_depth = d.depth;
        list_ctx c = {st, 0};
        errcode_t rc = ext2fs_dir_iterate2(st->fs, d.ino, 0, NULL, list_cb, &c);
        char shown[256];
        img_display(d.path, shown, sizeof shown);
        if (c.over == 2) {
            archive_set_error(a, ENOMEM, "out of memory");
            return -1;
        }
        if (c.over == 1) {
            char msg[600];
            snprintf(msg, sizeof msg, "%s: directory '/%s' (inode %u) has more than max_entries (%llu) entries",
                     st->label, shown, d.ino, (unsigned long long)st->max_entries);
            archive_set_error(a, EFBIG, "%s", msg);
            return -1;
        }
        if (rc)
            st_warn(st, "%s: directory '/%s' (inode %u): cannot be read completely: %s", st->label, shown, d.ino,
                    error_message(rc));
    }
}

/* ---- libarchive callbacks ---- */

static la_ssize_t st_read(struct archive *a, void *ud, const void **buf)
{
    img_ext_stream *st = ud;
    for (;;) {
        switch (st->state) {
        case ST_HEADER: {
            int r = next_entry(st, a);
            if (r < 0)
                return -1;
            if (r == 0) {
                st->state = ST_END;
                continue;
            }
            st->state = st->file ? (st->data_left ? ST_DATA : (st->pad_left ? ST_PAD : ST_HEADER)) : ST_HEADER;
            if (st->file && !st->data_left && !st->pad_left)
                close_file(st);
            *buf = st->hdr.data;
            return (la_ssize_t)st->hdr.len;
        }
        case ST_DATA: {
            size_t n = st->data_left < CHUNK ? (size_t)st->data_left : CHUNK;
            unsigned int got = 0;
            errcode_t rc = ext2fs_file_read(st->file, st->out, (unsigned)n, &got);
            if (rc) {
                char shown[256];
                img_display(st->file_path, shown, sizeof shown);
                const char *why = img_ext_io_error(st->fs);
                char msg[900];
                snprintf(msg, sizeof msg, "%s: inode %u ('/%s'): cannot read at offset %llu: %s%s%s%s", st->label,
                         st->file_ino, shown, (unsigned long long)st->pos, error_message(rc), *why ? " (" : "", why,
                         *why ? ")" : "");
                archive_set_error(a, EIO, "%s", msg);
                return -1;
            }
            if (got < n) /* the file ends before its size: the rest reads as zeros */
                memset(st->out + got, 0, n - got);
            st->pos += n;
            st->data_left -= n;
            if (!st->data_left) {
                close_file(st);
                st->state = st->pad_left ? ST_PAD : ST_HEADER;
            } else if (got < n) {
                ext2fs_file_llseek(st->file, st->pos, EXT2_SEEK_SET, NULL);
            }
            *buf = st->out;
            return (la_ssize_t)n;
        }
        case ST_PAD: {
            size_t n = st->pad_left;
            st->pad_left = 0;
            st->state = ST_HEADER;
            *buf = st->zeros;
            return (la_ssize_t)n;
        }
        case ST_END:
            st->state = ST_EOF;
            *buf = st->zeros;
            return 1024;
        default:
            return 0;
        }
    }
}

static la_int64_t st_skip(struct archive *a, void *ud, la_int64_t request)
{
    (void)a;
    img_ext_stream *st = ud;
    if (request <= 0)
        return 0;
    if (st->state == ST_DATA) {
        uint64_t n = (uint64_t)request < st->data_left ? (uint64_t)request : st->data_left;
        st->data_left -= n;
        st->pos += n;
        if (!st->data_left) {
            close_file(st);
            st->state = st->pad_left ? ST_PAD : ST_HEADER;
        } else if (ext2fs_file_llseek(st->file, st->pos, EXT2_SEEK_SET, NULL)) {
            return -1;
        }
        return (la_int64_t)n;
    }
    if (st->state == ST_PAD) {
        size_t n = (uint64_t)request < st->pad_left ? (size_t)request : st->pad_left;
        st->pad_left -= n;
        if (!st->pad_left)
            st->state = ST_HEADER;
        return (la_int64_t)n;
    }
    return 0;
}

int img_ext_stream_open(struct archive *a, img_ext_stream *st)
{
    archive_read_set_callback_data(a, st);
    archive_read_set_read_callback(a, st_read);
    archive_read_set_skip_callback(a, st_skip);
    return archive_read_open1(a);
}
