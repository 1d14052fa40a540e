/*
 * plugins/image/disk_vm.h - VM disk images (raw and qcow2) read without
 * mounting, and the host checks shared by disks and root filesystems.
 *
 *   disk_blk.c    a read-only "virtual disk": byte reads at an offset, over
 *                 a raw file (qcow2.c provides the qcow2 one);
 *   qcow2.c       qcow2 v2/v3 images: header, L1/L2 tables, zlib clusters;
 *   disk_part.c   MBR and GPT partition tables, and the choice of the ext
 *                 file system to read;
 *   ext_io.c      an io_manager for libext2fs that reads a window of a
 *                 virtual disk (a partition), so nothing is mounted;
 *   ext_stream.c  the file system walked and presented as a tar stream to
 *                 libarchive, so layer.c's analyzers read it like any layer;
 *   disk_source.c the target: detection, opening, the scan's one layer;
 *   host_check.c, host_sshd.c
 *                 sshd_config, /etc/shadow, world-writable and SUID/SGID
 *                 files of a root filesystem, disk or tarball: the
 *                 image.host resource (docs/resources/image.md).
 * Every number read from the image is checked before it is used as an
 * offset, a size or a count.
 */
#ifndef PP_IMAGE_DISK_VM_H
#define PP_IMAGE_DISK_VM_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"

/* ---- virtual disks (disk_blk.c, qcow2.c) ---- */

typedef struct img_blk img_blk;
struct img_blk {
    uint64_t size;      /* bytes the guest sees */
    const char *format; /* "raw" or "qcow2" */
    /*
     * read - copy @len bytes at guest offset @off into @buf. Returns 0, or
     * -1 with a message in @err (never naming file contents) when the range
     * is past the end, the file is truncated, or a table is corrupt.
     */
    int (*read)(img_blk *b, uint64_t off, void *buf, size_t len, char *err, size_t errlen);
    void (*close)(img_blk *b); /* frees @b */
};

/*
 * img_blk_open - open @path read-only as a virtual disk: qcow2 when it
 * starts with the qcow2 magic, raw otherwise. Returns the disk (the caller
 * closes it with b->close(b)), or NULL with the reason in @err: unreadable
 * file, or a qcow2 image that is refused (backing file, encryption, external
 * data file, extended L2 entries, zstd, unknown incompatible features) or
 * malformed (sizes, table offsets outside the file).
 */
img_blk *img_blk_open(const char *path, char *err, size_t errlen);

/* img_blk_raw_fd - a raw virtual disk over the open descriptor @fd (taken over: closed by close). */
img_blk *img_blk_raw_fd(int fd, uint64_t size);

/* img_qcow2_open - qcow2 over @fd (taken over, also on failure). See img_blk_open. */
img_blk *img_qcow2_open(int fd, uint64_t file_size, char *err, size_t errlen);

/* Is @head (the first @n bytes of a file) the start of a qcow2 image? */
int img_is_qcow2(const unsigned char *head, size_t n);

/* ---- partitions (disk_part.c) ---- */

typedef struct img_part {
    int index;       /* 1-based number as fdisk shows it; 0 for a bare file system */
    uint64_t offset; /* bytes from the start of the disk */
    uint64_t size;   /* bytes */
    char type[40];   /* "0x83", or the GPT type GUID in text */
    int linux_type;  /* the table marks it as a Linux file system / root / usr */
    int ext;         /* an ext2/3/4 superblock magic was found at offset + 1024 */
} img_part;

typedef struct img_part_table {
    char scheme[8]; /* "gpt", "mbr" or "none" (a bare file system) */
    img_part *parts;
    size_t n;
} img_part_table;

#define IMG_MAX_PARTS 256 /* more partition entries than this: refused */

/*
 * img_parts_read - read the partition table of @b: GPT (header and entry
 * CRCs checked), else MBR with its extended partitions (a bounded chain),
 * else a bare ext file system at offset 0. Each partition is probed for an
 * ext superblock. Returns 0 and fills @t (free with img_parts_free), or -1
 * with a message in @err: a partition that starts or ends past the end of
 * the disk, a chain that loops, a corrupt GPT, or nothing recognisable.
 */
int img_parts_read(img_blk *b, img_part_table *t, char *err, size_t errlen);
void img_parts_free(img_part_table *t);

/* Is @d (at least 512 bytes of a file's start) plausibly a disk with an MBR or GPT, or a bare ext file system (needs
 * 2048 bytes)? */
int img_looks_like_disk(const unsigned char *d, size_t n);

/* ---- ext file systems (ext_io.c, ext_stream.c) ---- */

struct struct_ext2_filsys;
/*
 * img_ext_open - open the ext file system found in bytes [@off, @off+@len)
 * of @b read-only through the parapet io_manager. Returns 0 and sets *@fs
 * (close with ext2fs_close_free), or -1 with a message in @err.
 */
int img_ext_open(img_blk *b, uint64_t off, uint64_t len, struct struct_ext2_filsys **fs, char *err, size_t errlen);

/* The last read error of @fs's channel ("" when none, or when @fs is not ours). */
const char *img_ext_io_error(struct struct_ext2_filsys *fs);

/* Walk caps and the messages of one file system stream. */
typedef struct img_ext_stream img_ext_stream;

/*
 * img_ext_stream_new - a tar stream of every entry of @fs (directories,
 * files, symbolic links as links, hard links as links to the first path,
 * devices), for libarchive: open it with img_ext_stream_open. @s receives
 * warnings (an unreadable directory, names with '/', too deep paths) unless
 * @quiet; @label names the image in errors. Returns NULL on out-of-memory.
 */
img_ext_stream *img_ext_stream_new(img_scan *s, struct struct_ext2_filsys *fs, const char *label, int quiet);
/* Open @a (a new archive with the tar format enabled) over @st. ARCHIVE_OK or an archive error. */
int img_ext_stream_open(struct archive *a, img_ext_stream *st);
/* Free the stream (after archive_read_free of its reader). */
void img_ext_stream_free(img_ext_stream *st);

#define IMG_EXT_MAX_DEPTH 64 /* directory levels walked below the root */

/* ---- the disk target (disk_source.c) ---- */

/* Is @path a regular file that looks like a VM disk (qcow2, MBR, GPT or a bare ext file system)? */
int img_disk_detect(const char *path);

/* What the chosen file system is (for the image.host resource). */
typedef struct img_disk_info {
    char format[8]; /* "raw" or "qcow2" */
    char scheme[8]; /* "gpt", "mbr", "none" */
    int partition;  /* 1-based, 0 for a bare file system */
    uint64_t offset, size, disk_size;
    char fs_uuid[40];
    char fs_label[20];
    char fs_type[8]; /* "ext2", "ext3", "ext4" */
} img_disk_info;

/*
 * img_disk_read - read the VM disk @s->target as the scan's one layer (the
 * ext file system with /etc, else the largest ext file system). Sets
 * m->format to "raw-disk" or "qcow2". PP_OK or PP_ERR with s->err naming
 * the image and the partition, inode or path.
 */
int img_disk_read(img_scan *s, img_meta *m);

/*
 * img_disk_open_archive - open the same file system again as a tar
 * stream for a second reader (the host checks): returns 0 and sets *@a
 * and *@ctx (release with img_disk_close_archive), or -1 with s->err.
 */
int img_disk_open_archive(img_scan *s, struct archive **a, void **ctx, img_disk_info *info);
void img_disk_close_archive(struct archive *a, void *ctx);

/* ---- host checks (host_check.c, host_sshd.c) ---- */

/*
 * img_host_emit - for a root filesystem (directory, tarball) or VM disk
 * target (@m->format), read the target once more (metadata, and the few
 * files the checks need) and emit one resource of type image.host whose
 * uid is the image's uid followed by "#host". Other formats: nothing.
 * Problems are logged; the scan result does not change.
 */
void img_host_emit(img_emit *em, const img_meta *m);

/* The sshd settings of one file system, as sshd would resolve them outside any Match block. */
typedef struct img_sshd {
    int present;
    char permit_root_login[32];     /* "yes", "no", "prohibit-password", ... ("prohibit-password" by default) */
    char permit_root_login_at[300]; /* "/etc/ssh/sshd_config:12" or "default" */
    int password_authentication;    /* 1 yes (default), 0 no */
    char password_authentication_at[300];
    img_buf match_json;  /* JSON array of {"criteria","permitRootLogin"?,"passwordAuthentication"?,"at"} */
    img_buf unread_json; /* JSON array of Include patterns that name nothing that was read */
} img_sshd;

/* A file the host checks read: path relative to the root, and contents. */
typedef struct img_host_file {
    char *path;
    char *data;
    size_t len;
} img_host_file;

/*
 * img_sshd_resolve - resolve "etc/ssh/sshd_config" among @files (with its
 * Include directives, globbed over @files, depth at most 16) into @out.
 * First value wins for each keyword, as sshd does; Match blocks are
 * recorded apart. @out->match_json and unread_json are owned by the caller
 * (img_buf_free).
 */
void img_sshd_resolve(const img_host_file *files, size_t n, img_sshd *out);

#endif
