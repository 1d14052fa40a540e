/*
 * tests/fuzz/fuzz_qcow2.c - libFuzzer harness for the VM disk parsers of
 * the image scanner: the qcow2 reader (header, L1/L2 tables, compressed
 * clusters) and the MBR/GPT partition tables.
 *
 * The input is the disk file itself (kept in a memfd). It is opened as
 * img_blk_open would (qcow2 by its magic, raw otherwise), its partition
 * table read, and a bounded number of reads made: the start of each
 * partition and a spread of offsets over the virtual disk. The harness only
 * looks for crashes, leaks, hangs and sanitizer reports; errors are the
 * expected answer to most inputs. libext2fs itself is not fuzzed here.
 *
 * Not part of the default build. With clang installed:
 *   make fuzz-qcow2                     (builds tests/fuzz/fuzz_qcow2)
 *   tests/fuzz/fuzz_qcow2 -max_len=131072 -timeout=5 CORPUS_DIR
 * A seed corpus: small qcow2 images (qemu-img create -f qcow2 x.qcow2 1M,
 * then qemu-img convert -c of a file with data) and raw disks made by sfdisk.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "disk_vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-disk", MFD_CLOEXEC);
    if (fd < 0)
        return 0;
    if (size && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char err[512];
    img_blk *b = img_is_qcow2(data, size) ? img_qcow2_open(fd, size, err, sizeof err) : img_blk_raw_fd(fd, size);
    if (!b)
        return 0; /* the fd was taken over and closed */
    static unsigned char buf[8192];
    img_part_table t;
    if (img_parts_read(b, &t, err, sizeof err) == 0) {
        for (size_t i = 0; i < t.n && i < 16; i++)
            b->read(b, t.parts[i].offset, buf, sizeof buf < t.parts[i].size ? sizeof buf : (size_t)t.parts[i].size, err,
                    sizeof err);
        img_parts_free(&t);
    }
    /* 32 reads spread over the virtual disk, some straddling clusters */
    for (uint64_t k = 0; k < 32 && b->size; k++) {
        uint64_t off = b->size / 32 * k + (k * 4093) % 65536;
        if (off >= b->size)
            continue;
        size_t n = (size_t)(b->size - off < sizeof buf ? b->size - off : sizeof buf);
        b->read(b, off, buf, n, err, sizeof err);
    }
    b->read(b, b->size, buf, 1, err, sizeof err); /* past the end: must fail cleanly */
    b->close(b);
    return 0;
}
