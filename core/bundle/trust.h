/*
 * core/bundle/trust.h - the trust store: which keys may sign which bundles.
 *
 * A trust store is one or more directories (system /etc/parapet/keys.d,
 * user ~/.config/parapet/keys.d) holding:
 *   NAME.pub        a minisign public key file
 *   NAME.pub.scope  optional limits for that key, lines of
 *                     names PATTERN...   (fnmatch patterns, e.g. acme-*)
 *                     kinds KIND...      (provider policy threat_feed ...)
 *                   '#' starts a comment; a key with a scope file may only
 *                   sign bundles whose name matches a pattern and whose
 *                   kinds are all listed. An unreadable or malformed scope
 *                   file disables the key (fail closed).
 *   revoked         key ids (16 hex digits as minisign prints them), one a
 *                   line; a key revoked in any directory is revoked.
 * Every directory and file must be owned by root or the invoking user and
 * must not be writable by group or others; symbolic links are not
 * followed. Anything else is ignored with a warning, except an insecure
 * "revoked" file, which makes loading fail (ignoring it would un-revoke).
 */
#ifndef PP_BUNDLE_TRUST_H
#define PP_BUNDLE_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include "bundle_util.h"
#include "minisign.h"

typedef struct trust_key {
    ms_pubkey pk;
    char keyid[17];
    char *path;
    char **names;   /* name patterns; n_names == 0 means any name */
    size_t n_names;
    uint32_t kinds; /* allowed pp_kind bits; 0 means any */
} trust_key;

typedef struct trust_store {
    trust_key *keys;
    size_t n_keys;
    unsigned char (*revoked)[MS_KEYID_BYTES];
    size_t n_revoked;
    size_t n_ignored; /* files skipped with a warning */
} trust_store;

/* trust_store_load - load the colon-separated directory list @dirs into
 * *ts (free with trust_store_free). Missing directories are skipped.
 * Returns 0, or -1 with @e when a revocation list cannot be trusted or
 * memory runs out. */
int trust_store_load(const char *dirs, trust_store *ts, bundle_err *e);

/* trust_store_free - release *ts and zero it. NULL-safe. */
void trust_store_free(trust_store *ts);

/* trust_store_find - the key with id @keyid, or NULL. */
const trust_key *trust_store_find(const trust_store *ts, const unsigned char keyid[MS_KEYID_BYTES]);

/* trust_store_is_revoked - 1 if @keyid is on a revocation list. */
int trust_store_is_revoked(const trust_store *ts, const unsigned char keyid[MS_KEYID_BYTES]);

/* trust_key_allows - 0 if @k may sign a bundle named @name with @kinds,
 * else -1 with @e saying which limit it breaks. */
int trust_key_allows(const trust_key *k, const char *name, uint32_t kinds, bundle_err *e);

#endif
