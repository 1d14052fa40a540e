/*
 * core/util.h - small helpers shared by the core: checked allocation, a
 * growable string buffer, time formatting.
 */
#ifndef PP_CORE_UTIL_H
#define PP_CORE_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* xmalloc/xcalloc/xrealloc/xstrdup - allocate or abort the process with a
 * message. Out of memory is not recoverable for the CLI; library-style code
 * that must survive it uses malloc directly. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* xstrdup_or_null - xstrdup, or NULL when @s is NULL. */
char *xstrdup_or_null(const char *s);

/* sbuf - a growable NUL-terminated byte buffer. Zero-initialise it
 * (`sbuf b = {0};`), append, read b.data/b.len, release with sbuf_free. */
typedef struct sbuf {
    char *data;
    size_t len;
    size_t cap;
} sbuf;
void sbuf_append(sbuf *b, const void *p, size_t n);
void sbuf_puts(sbuf *b, const char *s);
void sbuf_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_free(sbuf *b);
/* sbuf_steal - return the data (never NULL) and reset the buffer. */
char *sbuf_steal(sbuf *b);

/* time_now_ns - CLOCK_REALTIME in nanoseconds; mono_ms - CLOCK_MONOTONIC in ms. */
int64_t time_now_ns(void);
int64_t mono_ms(void);
/* time_rfc3339 - format Unix seconds @t as "YYYY-MM-DDTHH:MM:SSZ" into @buf (>= 21 bytes). */
void time_rfc3339(int64_t t, char *buf, size_t len);
/* time_parse_rfc3339 - parse an RFC 3339 UTC or offset time; 0 on success. */
int time_parse_rfc3339(const char *s, int64_t *out);

/* wipe - erase secret bytes so the compiler cannot drop the store. */
void wipe(void *p, size_t n);

/*
 * util_read_file - read the whole file @path into a malloc'd NUL-terminated
 * buffer (*@len bytes without the NUL). Refuses files larger than @max.
 * Returns NULL with "PATH: reason" in @err on failure.
 */
char *util_read_file(const char *path, size_t max, size_t *len, char *err, size_t errlen);

/* mkdir_p - create @path and its parents with @mode; 0 or -1 with errno. */
int mkdir_p(const char *path, unsigned mode);

#endif
