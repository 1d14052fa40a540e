/*
 * plugins/image/image.h - what the files of the `image` scanner share.
 *
 * The scan of one target goes:
 *   source.c    find the format (docker-save, OCI layout or archive, root
 *               filesystem dir or tar), read the manifest and config, and
 *               stream each layer blob, verifying its digests;
 *   layer.c     read one layer tar entry by entry: record its paths,
 *               whiteouts and opaque directories, keep the files the
 *               package readers need, hand other files to the secret and Go
 *               scanners; later answer "which layer's file is visible at
 *               PATH in the final image" (whiteouts applied in order);
 *   os_release.c, pkg_dpkg.c, pkg_apk.c, pkg_rpm.c, lang_npm.c,
 *   lang_python.c, lang_go.c, secrets.c
 *               turn kept files and scanned bytes into packages and findings;
 *   image.c     the plugin: config, tasks, and the records it emits.
 * Nothing is written to disk and nothing on the host is followed: every
 * byte comes from the archive stream (or, for a directory target, from a
 * walk that never follows symbolic links).
 */
#ifndef PP_IMAGE_H
#define PP_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include <parapet/plugin.h>

/* ---- limits (config keys of the same names, docs/image.md) ---- */
typedef struct img_limits {
    uint64_t max_layer_bytes;  /* uncompressed bytes read from one layer */
    uint64_t max_entries;      /* entries in one layer */
    uint64_t max_layers;       /* layers in one image */
    uint64_t max_file_bytes;   /* largest package database or manifest kept */
    uint64_t max_secret_bytes; /* largest file searched for secrets */
    uint64_t max_json_bytes;   /* largest manifest/config/index JSON */
    const char *platform;      /* OS/ARCH[/VARIANT] read from a multi-platform image; NULL: the host's */
} img_limits;

/* ---- small helpers (util.c) ---- */

/* A growable byte buffer; data is NUL-terminated when len > 0. */
typedef struct img_buf {
    char *data;
    size_t len, cap;
} img_buf;
int img_buf_add(img_buf *b, const void *p, size_t n); /* 0, or -1 when out of memory */
int img_buf_printf(img_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void img_buf_free(img_buf *b);
/* Append @s as a JSON string literal (quoted, escaped). */
int img_buf_json_str(img_buf *b, const char *s);

/* A string-keyed hash map; values are borrowed pointers. */
typedef struct img_map {
    char **keys;
    void **vals;
    size_t cap, n;
} img_map;
void *img_map_get(const img_map *m, const char *key);
/* Insert or replace; the key is copied. Returns 0, or -1 when out of memory. */
int img_map_put(img_map *m, const char *key, void *val);
/* Free the keys and the table; @free_val (may be NULL) frees each value. */
void img_map_free(img_map *m, void (*free_val)(void *));

/*
 * img_path_clean - normalize a tar entry name into a path relative to the
 * image root: leading "/" and "./" dropped, "//" and "/./" collapsed,
 * trailing "/" dropped. Returns a malloc'd string ("" for the root), or
 * NULL when the name has a ".." component (it would leave the root) or
 * control characters, or on out-of-memory (*@bad tells which: 1 bad name).
 */
char *img_path_clean(const char *name, int *bad);

/* A copy of @s fit for one log line (control characters as '?', at most 200 bytes). */
void img_display(const char *s, char *out, size_t outlen);

/* "sha256:<64 hex>" of @data. @out has room for 72 bytes. */
void img_sha256_digest(const void *data, size_t len, char out[72]);

/* Percent-encode @s for a purl component (keeps A-Za-z0-9 . - _ ~ and @keep). */
int img_buf_purl(img_buf *b, const char *s, const char *keep);

/* ---- one scan ---- */

/* Entry types recorded per layer. */
enum { IMG_DIR = 'd', IMG_FILE = 'f', IMG_SYMLINK = 'l', IMG_HARDLINK = 'h', IMG_OTHER = 'o' };

typedef struct img_entry {
    char type;
    char *link; /* symlink target (as stored) or hardlink target (cleaned) */
} img_entry;

/* What a kept file is for. */
typedef enum img_kind {
    K_NONE = 0,
    K_DPKG_STATUS,
    K_DPKG_STATUS_D,
    K_APK_INSTALLED,
    K_RPM_SQLITE,
    K_RPM_NDB, /* Packages.db of the ndb backend (rpm_ndb.c) */
    K_RPM_BDB, /* Packages, a BerkeleyDB hash (rpm_bdb.c) */
    K_OS_RELEASE,
    K_NPM_LOCK,
    K_NPM_PACKAGE,
    K_PY_METADATA
} img_kind;

typedef struct img_file {
    img_kind kind;
    int layer;
    char *path;
    char *data;
    size_t len;
} img_file;

typedef struct img_layer {
    char *digest;  /* "sha256:..." that names the layer (diff id), or NULL */
    char *blob;    /* digest of the blob as stored, or NULL */
    img_map entries;   /* path -> img_entry */
    img_map whiteouts; /* paths a ".wh." entry deletes from lower layers */
    img_map opaques;   /* directories whose lower contents are hidden */
    uint64_t bytes, n_entries;
} img_layer;

/* A secret or Go binary seen while streaming, kept until visibility is known. */
typedef struct img_hit {
    int layer;
    char *path;
    char *rule;     /* secret rule id, or "go-binary" */
    char *detail;   /* redacted value, or the Go build info (modinfo text) */
    char *go_version;
    unsigned line;
} img_hit;

typedef struct img_scan {
    const pp_host_api *api;
    pp_host *h;
    const img_limits *lim;
    const char *target;
    int image_index; /* which image of a docker-save archive to read (0: the first) */
    char err[1024];  /* the fatal error, when a step fails */
    int n_warnings;

    img_layer *layers;
    size_t n_layers;
    img_file *files;
    size_t n_files, cap_files;
    img_hit *hits;
    size_t n_hits, cap_hits;

    unsigned char *scratch; /* reused read buffer */
    size_t scratch_cap;
} img_scan;

/* Record a fatal error (first one wins); returns PP_ERR. */
int img_fail(img_scan *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Log a problem with the input that was skipped (an error-level log line). */
void img_warn(img_scan *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- layer.c ---- */

/*
 * img_layer_read - read the tar stream @a (already opened by the caller)
 * as layer @idx of @s: record entries, keep interesting files, scan for
 * secrets and Go binaries. @strip is a path prefix to drop from every
 * entry (a directory walk), or NULL. Returns PP_OK or PP_ERR (s->err).
 */
struct archive;
int img_layer_read(img_scan *s, int idx, struct archive *a, const char *strip);

/* Is the file of layer @idx at @path visible in the final image? */
int img_visible(const img_scan *s, int idx, const char *path);

/*
 * img_lookup - the visible entry at @path of the final image, following
 * symbolic links (in the image, never on the host) up to 40 hops.
 * Returns the layer index and sets *@e and *@real (malloc'd resolved
 * path), or -1 when there is none, -2 on a symlink loop.
 */
int img_lookup(const img_scan *s, const char *path, const img_entry **e, char **real);

/* The kept file of kind @k visible at @path (symlinks followed), or NULL. */
const img_file *img_find_file(const img_scan *s, const char *path);

void img_scan_free(img_scan *s);

/* ---- source.c ---- */

typedef struct img_meta {
    char *format;      /* "docker-archive", "oci-layout", "oci-archive", "rootfs-dir", "rootfs-tar" */
    char *image_id;    /* "sha256:" of the config blob, or NULL */
    char *name;        /* a tag or ref name, or NULL */
    char *config_json; /* the image config, or NULL */
    char *manifest_digest;
    int n_images; /* images in a docker-save archive's manifest.json (0: not one) */
} img_meta;

/* Read @s->target into @s (layers, files, hits) and @m: for a docker-save
 * archive its image number @s->image_index, and m->n_images is set as soon
 * as manifest.json was understood (also when that image then fails).
 * PP_OK or PP_ERR (s->err). */
int img_source_read(img_scan *s, img_meta *m);
/* The most images read from one docker-save archive; more is an error. */
#define IMG_MAX_ARCHIVE_IMAGES 256
void img_meta_free(img_meta *m);

/* ---- readers of kept files ---- */

typedef struct img_os {
    char *id, *version_id, *pretty_name, *version_codename;
} img_os;
void img_os_read(const img_scan *s, img_os *os);
void img_os_free(img_os *os);

/* What the package readers emit through: fills the shared fields. */
typedef struct img_emit {
    img_scan *s;
    const img_os *os;
    const char *uid; /* the image resource */
    uint64_t count;
} img_emit;
/* Emit one package; layer index -1 for none. */
void img_emit_package(img_emit *em, const char *ecosystem, const char *name, const char *version,
                      const char *purl, const char *src_name, const char *src_version, int layer,
                      const char *location);

void img_dpkg_emit(img_emit *em);
void img_apk_emit(img_emit *em);
void img_rpm_emit(img_emit *em);
/*
 * img_rpm_header_emit - emit the package of one RPM header blob (no lead:
 * index count, data size, index entries, data) found in the database @f.
 * Returns 0 (emitted, or a gpg-pubkey pseudo package skipped), or -1 when
 * the blob is malformed (the caller counts and reports those).
 */
int img_rpm_header_emit(img_emit *em, const img_file *f, const unsigned char *blob, size_t len);
/* The packages of the rpm ndb database @f (Packages.db); problems are warnings. */
void img_rpm_ndb_emit(img_emit *em, const img_file *f);
/* The packages of the BerkeleyDB rpm database @f (Packages); problems are warnings. */
void img_rpm_bdb_emit(img_emit *em, const img_file *f);
void img_npm_emit(img_emit *em);
void img_python_emit(img_emit *em);
void img_go_emit(img_emit *em);

/* ---- secrets.c / lang_go.c: called on file bytes while streaming ---- */
void img_secrets_scan(img_scan *s, int layer, const char *path, const unsigned char *data, size_t len);
/* Look for Go build info in an ELF file's bytes; records a hit. */
void img_go_scan(img_scan *s, int layer, const char *path, const unsigned char *data, size_t len);
/* Emit the secret findings (visible or not) for the image resource. */
void img_secrets_emit(img_emit *em);
/* Secrets in the config's environment: findings with the name and a redacted value. */
void img_env_secrets_emit(img_emit *em, const char *config_json);

/* Add a hit (copies the strings). */
void img_hit_add(img_scan *s, int layer, const char *path, const char *rule, const char *detail,
                 const char *go_version, unsigned line);

/* ---- Java and Rust (java_archive.c, rust_audit.c, pkg_hits.c) ---- */

/*
 * img_pkg_hit_add - record a package found while a layer streams: a hit of
 * @rule ("pkg-java", "pkg-cargo") on the file @path of layer @layer, with
 * @inner the path inside that file (a nested jar) or NULL. The strings
 * are copied. Returns 0, or -1 when a field is empty (@inner may be),
 * over 1024 bytes or has control characters, or on out-of-memory: nothing
 * is recorded then.
 */
int img_pkg_hit_add(img_scan *s, int layer, const char *path, const char *rule, const char *name,
                    const char *version, const char *purl, const char *inner);
/* Emit the hits of @rule whose file is visible in the final image as
 * packages of @ecosystem (location: the file, then "!/INNER" when nested). */
void img_pkg_hits_emit(img_emit *em, const char *rule, const char *ecosystem);
/* Does the layer reader hand the entry at @path to img_lang_read (a Java
 * archive, a Cargo.lock)? */
int img_lang_wants(const char *path);
/*
 * img_lang_read - read the current entry of @a (the file @path of layer
 * @idx, @shown its printable name) whole, at most max_file_bytes (a larger
 * one is a warning and is skipped), and hand it to the Java or Cargo.lock
 * reader (files of at most max_secret_bytes are searched for secrets too).
 * Returns PP_OK, or PP_ERR (s->err) when the layer cannot be read.
 */
int img_lang_read(img_scan *s, struct archive *a, int idx, const char *path, const char *shown);
/*
 * img_elf_stream_scan - read an executable entry of @a (at most
 * max_file_bytes; the caller checks the size) whole when it is ELF, and look
 * for Go build info and a cargo-auditable section in it. A non-ELF file is
 * left after its first chunk. Returns PP_OK, or PP_ERR (s->err) on a read
 * error.
 */
int img_elf_stream_scan(img_scan *s, struct archive *a, int idx, const char *path, const char *shown);

/* Is @path named like a Java archive (.jar, .war, .ear, any case)? */
int img_java_name(const char *path);
/* Maven packages of the Java archive @data/@len at @path (nested archives
 * too); problems are warnings, never fatal. */
void img_java_scan(img_scan *s, int layer, const char *path, const unsigned char *data, size_t len);
void img_java_emit(img_emit *em);

/* Is @path a Cargo.lock? */
int img_cargo_lock_name(const char *path);
/* Crates of the cargo-auditable section of the ELF file @data/@len (none
 * when it has no .dep-v0 section); problems are warnings. */
void img_rust_scan(img_scan *s, int layer, const char *path, const unsigned char *data, size_t len);
/* Registry crates of the Cargo.lock @data/@len; problems are warnings. */
void img_cargo_lock_scan(img_scan *s, int layer, const char *path, const char *data, size_t len);
void img_rust_emit(img_emit *em);

/* ---- multi-platform images (platform.c) ---- */

/* "linux/ARCH" of the machine this was built for (Go's GOARCH names). */
const char *img_platform_default(void);
/* Is @p of the form OS/ARCH[/VARIANT] ([a-z0-9._-] parts, at most 64 bytes)? */
int img_platform_valid(const char *p);
/*
 * img_platform_choose - the descriptor of @list (the "manifests" of an
 * image index or docker manifest list; @where names it in messages) to
 * read: the first one when no entry has a platform, else the first whose
 * platform is s->lim->platform (default: img_platform_default()).
 * Returns a pointer into @list, or NULL with s->err set (no match: the
 * message lists the platforms the image has; an empty list).
 */
struct cJSON;
const struct cJSON *img_platform_choose(img_scan *s, const struct cJSON *list, const char *where);

#endif
