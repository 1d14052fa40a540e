/*
 * aws_buf.h - a growable byte buffer, always NUL-terminated.
 *
 * Allocation failures are sticky: after one, every append is a no-op and
 * abuf_failed() is true, so callers append freely and check once.
 * Buffers that may hold secrets are released with abuf_wipe(), which
 * overwrites the bytes before freeing them.
 */
#ifndef PP_AWS_BUF_H
#define PP_AWS_BUF_H

#include <stddef.h>

typedef struct abuf {
    char *p;      /**< the bytes, NUL-terminated once anything was added; may be NULL when empty */
    size_t len;   /**< bytes used, excluding the terminating NUL */
    size_t cap;   /**< bytes allocated */
    int failed;   /**< an allocation failed or the cap was passed */
    size_t limit; /**< 0 = no limit; otherwise appends past this size fail */
} abuf;

/** abuf_init - make @b an empty buffer. Never fails. */
void abuf_init(abuf *b);
/** abuf_add - append @n bytes of @s. Returns 0, or -1 (and sets failed). */
int abuf_add(abuf *b, const void *s, size_t n);
/** abuf_str - append the NUL-terminated @s (NULL appends nothing). */
int abuf_str(abuf *b, const char *s);
/** abuf_ch - append one byte. */
int abuf_ch(abuf *b, char c);
/** abuf_fmt - append printf-style text. */
int abuf_fmt(abuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/** abuf_cstr - the text so far; "" when empty (never NULL). Owned by @b. */
const char *abuf_cstr(const abuf *b);
/** abuf_take - hand the text to the caller (free() it); NULL if the buffer failed. @b is empty afterwards. */
char *abuf_take(abuf *b);
/** abuf_free - release the memory. */
void abuf_free(abuf *b);
/** abuf_wipe - overwrite the bytes with zeros, then release them. */
void abuf_wipe(abuf *b);

/** aws_strdup - strdup that accepts NULL (returns NULL). */
char *aws_strdup(const char *s);
/** aws_wipe_free - zero the NUL-terminated @s and free it; NULL is fine. */
void aws_wipe_free(char *s);



/**
 * aws_read_file - read a whole regular file of at most @max bytes into a
 * NUL-terminated malloc'd string (*@out; wipe it if secret). Returns 0, or
 * -1 with a reason naming @what (not the content) in @err.
 */
int aws_read_file(const char *path, size_t max, const char *what, char **out, size_t *len, char *err,
                  size_t errlen);
#endif
