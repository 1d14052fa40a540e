/*
 * plugins/image/ext_io.c - a read-only io_manager for libext2fs over a
 * window (a partition) of a virtual disk, raw or qcow2.
 *
 * libext2fs opens a channel by name only; the window to read is handed to
 * the open callback through a thread-local variable set just before
 * ext2fs_open2 (the callback runs in the same thread, during that call).
 * Every block read is checked against the window's length, so a corrupt
 * file system cannot make libext2fs read another partition or past the
 * disk. Writes are refused.
 */
#define _GNU_SOURCE
#include <ext2fs/ext2fs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disk_vm.h"

typedef struct ext_window {
    img_blk *blk;
    uint64_t base, len;
    char err[256]; /* the last read error, for the caller's message */
} ext_window;

static _Thread_local ext_window *pending_window;
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t messages_once = PTHREAD_ONCE_INIT;

/* error_message() names libext2fs codes only once their table is registered */
static void register_messages(void)
{
    initialize_ext2_error_table();
}

static errcode_t win_open(const char *name, int flags, io_channel *channel);

static errcode_t win_close(io_channel ch)
{
    if (--ch->refcount > 0)
        return 0;
    free(ch->private_data);
    free(ch->name);
    free(ch);
    return 0;
}

static errcode_t win_set_blksize(io_channel ch, int blksize)
{
    if (blksize <= 0 || blksize > 65536)
        return EXT2_ET_INVALID_ARGUMENT;
    ch->block_size = blksize;
    return 0;
}

static errcode_t win_read_blk64(io_channel ch, unsigned long long block, int count, void *data)
{
    ext_window *w = ch->private_data;
    /* a negative count is a byte count (libext2fs convention) */
    uint64_t bytes = count < 0 ? (uint64_t)(-(int64_t)count) : (uint64_t)count * (uint64_t)ch->block_size;
    uint64_t bs = (uint64_t)ch->block_size;
    if (block > UINT64_MAX / bs) {
        snprintf(w->err, sizeof w->err, "block %llu is out of range", block);
        return EXT2_ET_SHORT_READ;
    }
    uint64_t off = block * bs;
    if (off > w->len || bytes > w->len - off) {
        snprintf(w->err, sizeof w->err, "block %llu (%llu bytes) lies past the end of the partition (%llu bytes)",
                 block, (unsigned long long)bytes, (unsigned long long)w->len);
        memset(data, 0, (size_t)bytes);
        return EXT2_ET_SHORT_READ;
    }
    if (w->blk->read(w->blk, w->base + off, data, (size_t)bytes, w->err, sizeof w->err)) {
        memset(data, 0, (size_t)bytes);
        return EXT2_ET_SHORT_READ;
    }
    return 0;
}

static errcode_t win_read_blk(io_channel ch, unsigned long block, int count, void *data)
{
    return win_read_blk64(ch, block, count, data);
}

static errcode_t win_write_blk(io_channel ch, unsigned long block, int count, const void *data)
{
    (void)ch, (void)block, (void)count, (void)data;
    return EXT2_ET_RO_FILSYS;
}

static errcode_t win_write_blk64(io_channel ch, unsigned long long block, int count, const void *data)
{
    (void)ch, (void)block, (void)count, (void)data;
    return EXT2_ET_RO_FILSYS;
}

static errcode_t win_write_byte(io_channel ch, unsigned long offset, int size, const void *data)
{
    (void)ch, (void)offset, (void)size, (void)data;
    return EXT2_ET_RO_FILSYS;
}

static errcode_t win_flush(io_channel ch)
{
    (void)ch;
    return 0;
}

static errcode_t win_set_option(io_channel ch, const char *option, const char *arg)
{
    (void)ch, (void)option, (void)arg;
    return EXT2_ET_INVALID_ARGUMENT;
}

static struct struct_io_manager window_manager = {
    .magic = EXT2_ET_MAGIC_IO_MANAGER,
    .name = "parapet read-only window",
    .open = win_open,
    .close = win_close,
    .set_blksize = win_set_blksize,
    .read_blk = win_read_blk,
    .write_blk = win_write_blk,
    .flush = win_flush,
    .write_byte = win_write_byte,
    .set_option = win_set_option,
    .read_blk64 = win_read_blk64,
    .write_blk64 = win_write_blk64,
};

static errcode_t win_open(const char *name, int flags, io_channel *channel)
{
    if (flags & IO_FLAG_RW)
        return EXT2_ET_RO_FILSYS;
    if (!pending_window)
        return EXT2_ET_BAD_DEVICE_NAME;
    io_channel ch = calloc(1, sizeof *ch);
    ext_window *w = malloc(sizeof *w);
    char *nm = strdup(name ? name : "");
    if (!ch || !w || !nm) {
        free(ch), free(w), free(nm);
        return EXT2_ET_NO_MEMORY;
    }
    *w = *pending_window; /* each channel owns its copy */
    ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
    ch->manager = &window_manager;
    ch->name = nm;
    ch->block_size = 1024;
    ch->refcount = 1;
    ch->private_data = w;
    *channel = ch;
    return 0;
}

int img_ext_open(img_blk *b, uint64_t off, uint64_t len, struct struct_ext2_filsys **fs, char *err, size_t errlen)
{
    ext_window w;
    memset(&w, 0, sizeof w);
    w.blk = b;
    w.base = off;
    w.len = len;
    ext2_filsys f = NULL;
    pthread_once(&messages_once, register_messages);
    /* libext2fs keeps some process-wide state (error tables) it sets up on open */
    pthread_mutex_lock(&open_lock);
    pending_window = &w;
    errcode_t rc =
        ext2fs_open2("parapet-window", NULL, EXT2_FLAG_64BITS | EXT2_FLAG_SKIP_MMP, 0, 0, &window_manager, &f);
    pending_window = NULL;
    pthread_mutex_unlock(&open_lock);
    if (rc) {
        if (w.err[0])
            snprintf(err, errlen, "cannot open the ext file system: %s (%s)", error_message(rc), w.err);
        else
            snprintf(err, errlen, "cannot open the ext file system: %s", error_message(rc));
        if (f)
            ext2fs_free(f);
        return -1;
    }
    *fs = f;
    return 0;
}

const char *img_ext_io_error(struct struct_ext2_filsys *fs)
{
    if (!fs || !fs->io || fs->io->manager != &window_manager || !fs->io->private_data)
        return "";
    const ext_window *w = fs->io->private_data;
    return w->err;
}
