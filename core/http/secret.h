/*
 * core/http/secret.h - secret references and secret-looking config keys.
 *
 * Plugin configs never hold secrets themselves, only references to them:
 *   env:NAME   the value of environment variable NAME
 *   file:PATH  the content of file PATH, one trailing newline removed
 * Anything else is refused, so a literal secret pasted into a config file
 * never works (and is never echoed back in an error).
 *
 * The rules for file: references (see docs/http.md, "Secrets"):
 *   - PATH must be absolute; the last component must not be a symbolic
 *     link (opened with O_NOFOLLOW); it must be a regular file;
 *   - it must be owned by the user parapet runs as, or by root;
 *   - it must not be readable or writable by group or others
 *     (chmod 600 or 400), whoever owns it;
 *   - at most 64 KiB, and not empty.
 *
 * Values are handed out as malloc'd copies that secret_free() wipes with
 * explicit_bzero before releasing. Nothing in this module logs a value.
 * Thread-safe (but getenv() races with a concurrent setenv(); the core
 * does not call setenv once threads run).
 */
#ifndef PP_CORE_SECRET_H
#define PP_CORE_SECRET_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Largest secret a file: reference may hold. */
#define SECRET_FILE_MAX (64u * 1024u)

/**
 * secret_resolve - resolve reference @ref.
 *
 * On PP_OK, *@out is a NUL-terminated malloc'd copy of the value and *@len
 * its length (without the NUL); release it with secret_free(*out, *len).
 * On failure returns
 *   PP_ERR_INVALID   not an env:/file: reference, malformed NAME or PATH,
 *                    a file that breaks the rules above, an empty value;
 *   PP_ERR_NOTFOUND  the variable is not set, or the file does not exist;
 *   PP_ERR_IO        the file could not be read;
 *   PP_ERR_NOMEM     out of memory;
 * sets *@out to NULL and *@len to 0, and writes a one-line reason into @err
 * (when not NULL; at most @errlen bytes, NUL-terminated). The reason names
 * the variable or the path, never the value, and for a string that is not
 * a reference at most its scheme (the part before ':' when it looks like
 * one).
 */
int secret_resolve(const char *ref, char **out, size_t *len, char *err, size_t errlen);

/**
 * secret_free - wipe @len bytes of @value (plus its NUL) and free it.
 * NULL is a no-op.
 */
void secret_free(char *value, size_t len);

/**
 * secret_key_is_sensitive - nonzero when a config key name looks like it
 * names a secret, so its value should be masked in logs and dumps.
 * Case-insensitive; '_', '-' and '.' are ignored, so "api_key", "apiKey"
 * and "API-KEY" all match. Matches on purpose broadly (any key containing
 * key, secret, token, password, passwd, passphrase, credential, auth,
 * cookie, signature, private, sas, pwd, connectionstring): masking a harmless value costs
 * little, printing a secret costs a lot. NULL gives 0.
 */
int secret_key_is_sensitive(const char *key);

/**
 * secret_redact - the text to show in logs for config key @key whose value
 * is @value: "<redacted>" when secret_key_is_sensitive(key) and the value
 * is not a reference; otherwise @value itself. References ("env:NAME",
 * "file:PATH") are shown as they are: they say where a secret lives, not
 * what it is, and that helps the user find a misconfiguration. A NULL
 * value gives "". Returns @value or a static string; never NULL.
 */
const char *secret_redact(const char *key, const char *value);

#ifdef __cplusplus
}
#endif
#endif /* PP_CORE_SECRET_H */
