/*
 * core/bundle/bundle_util.h - small helpers shared by the bundle code:
 * an error-message carrier, secret wiping, hashing and careful file I/O.
 *
 * Every function that can fail takes a `bundle_err *` and, on failure,
 * writes one human-readable sentence into it (naming the file or field at
 * fault) and returns -1. The message never contains secret material.
 */
#ifndef PP_BUNDLE_UTIL_H
#define PP_BUNDLE_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* bundle_err - why the last call failed. Zero-initialise; read .msg. */
typedef struct bundle_err {
    char msg[768];
} bundle_err;

/* berr_set - format a message into @e (NULL @e is allowed and ignored).
 * Always returns -1 so callers can write `return berr_set(e, ...)`. */
int berr_set(bundle_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* bwipe - erase @n bytes at @p in a way the compiler cannot drop. */
void bwipe(void *p, size_t n);

/* sha256_buf - SHA-256 of @len bytes at @p into @out (32 bytes), OpenSSL. */
void sha256_buf(const void *p, size_t len, unsigned char out[32]);

/* sha256_fd_hex - SHA-256 of everything readable from @fd (from its current
 * offset) as 64 lowercase hex digits + NUL in @hex. @total, if non-NULL,
 * receives the byte count. 0, or -1 with @e set (@what names the file). */
int sha256_fd_hex(int fd, const char *what, char hex[65], uint64_t *total, bundle_err *e);

/* sha256_file_hex - as sha256_fd_hex for the regular file at @path. */
int sha256_file_hex(const char *path, char hex[65], uint64_t *total, bundle_err *e);

/* hex_encode - @n bytes as lowercase hex into @out (2n+1 bytes). */
void hex_encode(const unsigned char *p, size_t n, char *out);

/* read_file_capped - read all of the regular file @path (at most @cap bytes)
 * into a fresh NUL-terminated buffer the caller frees; *len gets its size.
 * Refuses non-regular files and files larger than @cap. NULL on failure. */
char *read_file_capped(const char *path, size_t cap, size_t *len, bundle_err *e);

/* write_file_atomic - write @len bytes to @path through a temporary file in
 * the same directory, fsync and rename into place, with permission @mode.
 * With @exclusive nonzero an existing @path is refused (and kept). */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, int exclusive,
                      bundle_err *e);

/* remove_tree_at - delete @name (a file or a whole directory tree) under the
 * directory @dirfd without following symbolic links. 0, or -1 with errno. */
int remove_tree_at(int dirfd, const char *name);

/* private_copy - copy the regular file @path (at most @cap bytes) into a
 * new unnamed file in directory @dir that only this process can reach, and
 * return a read/write descriptor positioned at 0 (caller closes). Later
 * changes to @path cannot affect what is read through it. -1 with @e. */
int private_copy(const char *path, const char *dir, uint64_t cap, bundle_err *e);

/* path_join - "@a/@b" in a fresh string (caller frees); NULL on overflow. */
char *path_join(const char *a, const char *b);

#endif
