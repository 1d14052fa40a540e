/*
 * core/bundle/bundle.h - signed plugin bundles: keys, signing, verification,
 * installation, removal and listing. The CLI (`parapet plugin ...`) calls
 * bundle_cmd or the functions below; the loader calls
 * bundle_check_installed before every dlopen.
 *
 * Layout of an installed plugin (plugin_dir/NAME/):
 *   MANIFEST.json    the signed manifest, as shipped
 *   lib/NAME.so      the plugin (and anything else the bundle listed)
 *   .installed.json  {name, version, kinds, signer, verified, entry,
 *                     entry_sha256, bundle_sha256, trusted_comment,
 *                     installed_at}
 *
 * Order of checks on install (docs/bundles.md): the signature over the
 * exact bytes of the .tar.gz (before decompressing anything), the signer's
 * revocation and scope, the trusted comment against the manifest, the
 * hardened extraction into a fresh 0700 directory beside the plugin
 * directory with every file checked against the manifest, the target
 * (os, arch, libc, ABI), the version against what is installed, then an
 * atomic rename (or swap) into place.
 *
 * Fail closed: a bundle without a .minisig, or signed by a key the trust
 * store does not hold, installs only with allow_unsigned and is recorded
 * as not verified. A bad signature, a revoked key, or a key used outside
 * its scope is refused even with allow_unsigned.
 */
#ifndef PP_BUNDLE_BUNDLE_H
#define PP_BUNDLE_BUNDLE_H

#include <stdint.h>

#include "bundle_util.h"
#include "manifest.h"

#define BUNDLE_SYSTEM_KEYS_DIR "/etc/parapet/keys.d"
#define BUNDLE_INSTALLED_RECORD ".installed.json"

typedef struct bundle_ctx {
    const char *plugin_dir; /* where bundles install (NAME/ below it) */
    const char *keys_dir;   /* trust store: colon-separated directories */
    int allow_unsigned;     /* accept unsigned/unknown-signer bundles, marked unverified */
    int force;              /* allow downgrades and reinstalling the same version */
} bundle_ctx;

/* What verification established about a bundle. */
typedef struct bundle_info {
    manifest m;          /* the checked manifest */
    int verified;        /* 1: signed by a trusted, unrevoked, in-scope key */
    char signer[17];     /* key id of the signature ("" if no signature) */
    char trusted_comment[1024]; /* first 1023 bytes of it ("" if unsigned) */
    char bundle_sha256[65];
    char why_unverified[256]; /* when !verified: why (no signature, unknown key) */
} bundle_info;

/* One installed plugin, as bundle_list and bundle_check_installed see it. */
typedef struct bundle_installed {
    char *name;
    char *version;
    uint32_t kinds;
    char *signer;        /* key id, or NULL when unsigned */
    int verified;
    char *entry;         /* the .so, relative to plugin_dir/NAME ("lib/NAME.so") */
    char *so_path;       /* plugin_dir/NAME/ENTRY */
    char *so_sha256;     /* as recorded at install time */
    int64_t installed_at;
    int intact;          /* bundle_list: 1 if the .so still has that hash */
} bundle_installed;

/* bundle_info_free - release what @bi owns. */
void bundle_info_free(bundle_info *bi);
/* bundle_installed_free - release what @bi owns (not @bi itself). */
void bundle_installed_free(bundle_installed *bi);

/* bundle_keygen - create a minisign key pair: @base.pub and @base.key
 * (0600). The secret key is encrypted with a passphrase (passphrase.h)
 * unless @unencrypted; @cheap_kdf selects scrypt's interactive cost (16 MiB)
 * instead of minisign's default (1 GiB). Existing files are never
 * overwritten. On success *keyid (17 bytes) gets the key id. 0 or -1. */
int bundle_keygen(const char *base, int unencrypted, int cheap_kdf, char keyid[17], bundle_err *e);

/* bundle_sign - sign the bundle @path with the secret key file @key_path,
 * writing @path.minisig (replacing it atomically). The trusted comment
 * names the bundle (name, version, target, file) and the time; it is read
 * from the bundle's manifest. Passphrase per passphrase.h. 0 or -1. */
int bundle_sign(const char *path, const char *key_path, bundle_err *e);

/* bundle_verify - run every install check on @path without installing
 * (the files are checked in a private temporary directory that is then
 * removed). On success *out (free with bundle_info_free) says what was
 * established. Unsigned bundles succeed only with ctx->allow_unsigned. */
int bundle_verify(const bundle_ctx *ctx, const char *path, bundle_info *out, bundle_err *e);

/* bundle_install - verify @path and install it as ctx->plugin_dir/NAME.
 * An existing NAME is replaced atomically when the new version is higher
 * (or with ctx->force). On failure nothing in the plugin directory changes
 * (a staging directory is removed). *out as for bundle_verify; may be NULL. */
int bundle_install(const bundle_ctx *ctx, const char *path, bundle_info *out, bundle_err *e);

/* bundle_remove - delete ctx->plugin_dir/NAME (moved aside atomically,
 * then removed). 0, or -1 when @name is not installed or not valid. */
int bundle_remove(const bundle_ctx *ctx, const char *name, bundle_err *e);

/* bundle_list - the plugins installed in ctx->plugin_dir, sorted by name,
 * each re-hashed (intact). *out is an array of *n (caller frees each with
 * bundle_installed_free, then the array). Directories without a readable
 * record are skipped with a warning. 0 or -1. */
int bundle_list(const bundle_ctx *ctx, bundle_installed **out, size_t *n, bundle_err *e);

/* bundle_check_installed - for the loader: read plugin_dir/NAME's record
 * and re-hash its .so. Returns 0 when the .so is present, a regular file,
 * and has the recorded SHA-256; then *info (may be NULL; free with
 * bundle_installed_free) describes it and, if @so_fd is non-NULL, *so_fd
 * is an open read-only descriptor of exactly the bytes that were hashed,
 * so the loader can dlopen("/proc/self/fd/N") without a race. Returns -1
 * with @e otherwise (missing, modified, unreadable record). */
int bundle_check_installed(const char *plugin_dir, const char *name, bundle_installed *info,
                           int *so_fd, bundle_err *e);

/* bundle_trusted_comment - the trusted comment bundle_sign writes for @m
 * at time @when (a fresh string the caller frees, NULL if out of memory).
 * Exposed so authors signing with stock minisign can reproduce it:
 *   name:N<TAB>version:V<TAB>target:OS-ARCH<TAB>timestamp:T<TAB>file:F */
char *bundle_trusted_comment(const manifest *m, int64_t when);

/* bundle_default_keys_dirs - the default trust store list:
 * "@sysconfdir/keys.d:$XDG_CONFIG_HOME/parapet/keys.d" (or ~/.config when
 * XDG_CONFIG_HOME is unset; the user part is left out when neither HOME
 * nor XDG_CONFIG_HOME is set). @sysconfdir is e.g. "/etc/parapet". A fresh
 * string the caller frees, or NULL when out of memory. */
char *bundle_default_keys_dirs(const char *sysconfdir);

/* bundle_cmd - run one `parapet plugin` subcommand: argv[0] is the
 * subcommand (keygen, pack, sign, verify, install, upgrade, remove, list,
 * check), the rest its arguments; see docs/bundles.md. Options
 * --plugin-dir, --keys-dir, --allow-unsigned and --force override @ctx;
 * without a trust store in @ctx or --keys-dir, bundle_default_keys_dirs
 * ("/etc/parapet") is used. Prints results
 * on stdout and errors on stderr. Returns 0 on success, 1 when the
 * operation failed or a bundle was refused, 2 on a usage error. */
int bundle_cmd(int argc, char **argv, const bundle_ctx *ctx);

#endif
