/*
 * core/feed/feed_bundle.h - signed feed bundles, for moving vulnerability
 * and threat intelligence into air-gapped sites (docs/feeds.md).
 *
 * A feed bundle is an uncompressed tar (the feeds in it are compressed
 * already) and a detached minisign signature beside it, made and checked
 * with the plugin bundles' code (core/bundle: Ed25519 over BLAKE2b-512,
 * the same key files and trust store keys.d, revocation and scopes):
 *
 *   feeds-2026-11-29.tar           MANIFEST.json, then the feed files
 *   feeds-2026-11-29.tar.minisig   trusted comment:
 *       kind:feed<TAB>name:N<TAB>created:T<TAB>feeds:F1,F2<TAB>file:BASENAME
 *
 *   MANIFEST.json = {"format": 1, "kind": "feed", "name": N, "created": T,
 *     "feeds": ["kev", "osv:Debian:12"],
 *     "files": [{"path": "debian.zip", "size": S, "sha256": H,
 *                "feed": "osv:Debian:12"}, ...]}
 *
 * Opening a bundle checks, before any byte of the tar is parsed: that the
 * signature exists, its key is in the trust store, not revoked and allowed
 * to sign threat_feed bundles, and that it verifies over the exact bytes
 * (of a private copy, so the file cannot change after the check). Then the
 * manifest (first entry) is parsed and compared with the trusted comment,
 * and every other entry must be a regular file listed in it, with a flat
 * safe name, the listed size and SHA-256; nothing unlisted, nothing missing.
 */
#ifndef PP_CORE_FEED_BUNDLE_H
#define PP_CORE_FEED_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#define FEED_BUNDLE_FORMAT 1
#define FEED_BUNDLE_MAX_BYTES (8ULL << 30)  /* the .tar */
#define FEED_BUNDLE_MAX_FILE (4ULL << 30)   /* one file in it */
#define FEED_BUNDLE_MAX_FILES 64
#define FEED_BUNDLE_MAX_MANIFEST (256u << 10)
#define FEED_BUNDLE_MAX_NAME 100            /* a file or bundle name, bytes */

typedef struct feed_bundle_file {
    char *path;      /* flat file name inside the bundle */
    uint64_t size;
    char sha256[65];
    char *feed;      /* the feed it fills, e.g. "osv:Debian:12" */
} feed_bundle_file;

typedef struct feed_bundle {
    char *name;
    int64_t created;          /* Unix seconds, as signed */
    char **feeds;             /* distinct feed names, sorted */
    size_t n_feeds;
    feed_bundle_file *files;
    size_t n_files;
    char signer[17];          /* key id of the trusted signer */
    char sha256[65];          /* of the whole .tar */
    char *dir;                /* a private work directory (0700) */
    char *files_dir;          /* dir/files: the checked files, by path */
} feed_bundle;

/*
 * feed_bundle_classify - the feed the `feeds` plugin files @path under on
 * import (docs/feeds.md): a zip is "osv:" + the ecosystem of its first OSV
 * record, a name containing "epss" is "epss", a .json file is "kev" when it
 * is the KEV catalogue, else "osv:local", anything else "list:" + the name
 * up to its first dot. Writes it to @feed (@n bytes). 0, or -1 with @err.
 */
int feed_bundle_classify(const char *path, char *feed, size_t n, char *err, size_t errlen);

/*
 * feed_bundle_pack - write the bundle @out_path (a .tar; replaced
 * atomically) holding @files (@n_files paths; each stored under its base
 * name, which must be a safe flat name, all distinct) and sign it with the
 * minisign secret key @key_path (passphrase as for `parapet plugin sign`),
 * writing @out_path.minisig. @name labels the bundle ([a-z0-9][a-z0-9_.-]*);
 * @created is its time (Unix seconds). The archive is deterministic: same
 * inputs, same bytes. 0, or -1 with @err (nothing written then).
 */
int feed_bundle_pack(const char *out_path, const char *key_path, const char *name, int64_t created,
                     char *const *files, size_t n_files, char *err, size_t errlen);

/*
 * feed_bundle_open - verify the bundle @path against the trust store
 * @keys_dirs (colon-separated keys.d directories) and extract its files
 * into a new private directory under @work_parent (which must exist), in
 * the order of checks above. On success *b describes it (release with
 * feed_bundle_close, which removes the directory). On failure *b is empty,
 * nothing is left on disk, and @err says why, naming the bundle and the
 * entry or field at fault. 0 or -1.
 */
int feed_bundle_open(const char *path, const char *keys_dirs, const char *work_parent, feed_bundle *b, char *err,
                     size_t errlen);

/* feed_bundle_close - remove b->dir and everything in it, free *b, zero it. */
void feed_bundle_close(feed_bundle *b);

#endif
