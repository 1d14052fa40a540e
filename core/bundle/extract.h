/*
 * core/bundle/extract.h - hardened reading of a bundle's .tar.gz.
 *
 * Accepted: one gzip stream holding a tar archive (ustar/pax/gnu headers)
 * whose first entry is MANIFEST.json, followed only by regular files the
 * manifest lists (same size, mode and SHA-256) and directories that lead
 * to them. Refused, each with its own message: other compressions or
 * formats (zip, plain tar, bzip2, ...), symbolic and hard links, devices,
 * FIFOs, sockets, absolute paths, "..", "." and empty or hidden
 * components, odd characters, over-long paths, duplicate or
 * case-colliding names, unlisted or missing files, size/mode/hash
 * mismatches, more than EXTRACT_MAX_ENTRIES entries, data after the end
 * of the gzip stream, and decompression
 * beyond EXTRACT_MAX_RATIO times the compressed size (checked in a first
 * pass that writes nothing, before any tar header is parsed).
 */
#ifndef PP_BUNDLE_EXTRACT_H
#define PP_BUNDLE_EXTRACT_H

#include "bundle_util.h"
#include "manifest.h"

#define EXTRACT_MAX_ENTRIES (MANIFEST_MAX_FILES + 512)
#define EXTRACT_MAX_RATIO 100            /* uncompressed : compressed */
#define EXTRACT_RATIO_FLOOR (4ULL << 20) /* ratio not checked below this */

/* What the signature says the bundle is; NULL members are not checked. */
typedef struct extract_expect {
    const char *name;
    const char *version;
    const char *os;
    const char *arch;
} extract_expect;

/* bundle_extract - read the bundle at @path. The manifest (first entry) is
 * parsed into *m (caller frees with manifest_free) and compared with
 * @expect (may be NULL) before anything else is read. With @dest_fd >= 0,
 * a directory the caller created empty and private, every file is written
 * below it (MANIFEST.json included) with the manifest's mode and checked;
 * with @dest_fd < 0 reading stops after the manifest. On failure @e says
 * why, *m is empty and files already written under @dest_fd are left for
 * the caller to remove with the directory. 0 or -1. */
int bundle_extract(const char *path, int dest_fd, const extract_expect *expect, manifest *m,
                   bundle_err *e);

/* bundle_extract_fd - as bundle_extract, reading the open regular file
 * @fd (from any offset; the caller keeps the descriptor) and naming it
 * @path in messages. */
int bundle_extract_fd(int fd, const char *path, int dest_fd, const extract_expect *expect,
                      manifest *m, bundle_err *e);

#endif
