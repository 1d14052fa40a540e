/*
 * core/bundle/passphrase.h - where a signing passphrase comes from.
 *
 * In order: the file named by PARAPET_SIGN_PASSPHRASE_FILE (its first line,
 * without the line end; for automation, e.g. a CI secret mounted as a
 * file), the variable PARAPET_SIGN_PASSPHRASE (convenient but visible to
 * the same user's processes), or the controlling terminal with echo off.
 */
#ifndef PP_BUNDLE_PASSPHRASE_H
#define PP_BUNDLE_PASSPHRASE_H

#include <stddef.h>

#include "bundle_util.h"

#define PASSPHRASE_ENV_FILE "PARAPET_SIGN_PASSPHRASE_FILE"
#define PASSPHRASE_ENV "PARAPET_SIGN_PASSPHRASE"

/* passphrase_get - read a passphrase into @buf (@cap bytes, NUL-terminated).
 * @prompt is shown on the terminal; with @confirm nonzero the terminal user
 * types it twice and must agree. An empty passphrase is refused. 0, or -1
 * with @e set. The caller wipes @buf (bwipe) when done, also on failure. */
int passphrase_get(const char *prompt, int confirm, char *buf, size_t cap, bundle_err *e);

#endif
