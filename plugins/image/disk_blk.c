/*
 * plugins/image/disk_blk.c - the read-only virtual disk of a raw image
 * file, and img_blk_open, which chooses raw or qcow2 by the file's magic.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk_vm.h"

typedef struct raw_blk {
    img_blk b;
    int fd;
} raw_blk;

static int raw_read(img_blk *b, uint64_t off, void *buf, size_t len, char *err, size_t errlen)
{
    raw_blk *r = (raw_blk *)b;
    if (off > b->size || len > b->size - off) {
        snprintf(err, errlen, "read of %zu bytes at offset %llu is past the end of the disk (%llu bytes)", len,
                 (unsigned long long)off, (unsigned long long)b->size);
        return -1;
    }
    unsigned char *p = buf;
    while (len) {
        ssize_t n = pread(r->fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(err, errlen, "cannot read at offset %llu: %s", (unsigned long long)off,
                     n < 0 ? strerror(errno) : "the file is truncated");
            return -1;
        }
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

static void raw_close(img_blk *b)
{
    raw_blk *r = (raw_blk *)b;
    close(r->fd);
    free(r);
}

img_blk *img_blk_raw_fd(int fd, uint64_t size)
{
    raw_blk *r = calloc(1, sizeof *r);
    if (!r) {
        close(fd);
        return NULL;
    }
    r->fd = fd;
    r->b.size = size;
    r->b.format = "raw";
    r->b.read = raw_read;
    r->b.close = raw_close;
    return &r->b;
}

img_blk *img_blk_open(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "not a regular file");
        close(fd);
        return NULL;
    }
    unsigned char head[8];
    ssize_t n = pread(fd, head, sizeof head, 0);
    if (n > 0 && img_is_qcow2(head, (size_t)n))
        return img_qcow2_open(fd, (uint64_t)st.st_size, err, errlen);
    img_blk *b = img_blk_raw_fd(fd, (uint64_t)st.st_size);
    if (!b)
        snprintf(err, errlen, "out of memory");
    return b;
}
