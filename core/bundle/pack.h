/*
 * core/bundle/pack.h - build a bundle (.tar.gz) from a staging directory.
 *
 * The directory holds the files to ship laid out as they will be installed
 * (lib/NAME.so, rules/..., schema/..., LICENSE) and optionally a
 * MANIFEST.json template with the metadata (name, version, kinds, ...;
 * "files" is always recomputed). Options fill in or override metadata, so
 * a bare directory with lib/NAME.so can be packed from the command line.
 *
 * The archive is deterministic: MANIFEST.json first, then entries sorted
 * by path (directories before their contents), owner root:root (0/0),
 * modes normalised to 0644/0755, one fixed mtime, no gzip timestamp or
 * file name. Packing the same tree twice gives the same bytes.
 */
#ifndef PP_BUNDLE_PACK_H
#define PP_BUNDLE_PACK_H

#include <stdint.h>

#include "bundle_util.h"

typedef struct pack_opts {
    const char *dir;         /* staging directory (required) */
    const char *out_dir;     /* where the .tar.gz goes; NULL = current directory */
    /* metadata; NULL = from the template or the default */
    const char *name;
    const char *version;
    const char *kinds;       /* comma-separated kind names */
    const char *os;          /* default "linux" */
    const char *arch;        /* default host_arch() */
    const char *license;
    const char *description;
    int64_t mtime;           /* entry mtime; < 0: $SOURCE_DATE_EPOCH, else 0 */
} pack_opts;

/* bundle_pack - write OUT_DIR/NAME-VERSION-OS-ARCH.tar.gz from @o. The
 * resulting manifest passes manifest_parse. Refuses symbolic links,
 * special files and hidden names in the staging directory, and an existing
 * output file is replaced atomically. On success *out_path (caller frees)
 * names the bundle; 0, or -1 with @e set. */
int bundle_pack(const pack_opts *o, char **out_path, bundle_err *e);

#endif
