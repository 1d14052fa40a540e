/*
 * plugins/outputs/buf.h - a growable byte buffer.
 *
 * Appends never fail visibly: on out of memory the buffer remembers it
 * (oom) and ignores further appends, so a caller checks once at the end.
 * The content is always NUL-terminated once anything was added.
 */
#ifndef PP_OUTPUTS_BUF_H
#define PP_OUTPUTS_BUF_H

#include <stddef.h>

typedef struct out_buf {
    char *p;     /* the bytes, NUL-terminated; owned; NULL when empty */
    size_t len;  /* bytes used, without the NUL */
    size_t cap;
    int oom;     /* an append failed */
} out_buf;

/* out_buf_add - append @n bytes of @s. */
void out_buf_add(out_buf *b, const char *s, size_t n);
/* out_buf_str - append the NUL-terminated @s (NULL appends nothing). */
void out_buf_str(out_buf *b, const char *s);
/* out_buf_char - append one byte. */
void out_buf_char(out_buf *b, char c);
/* out_buf_printf - append formatted text. */
void out_buf_printf(out_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* out_buf_reset - empty the buffer, keeping its memory. */
void out_buf_reset(out_buf *b);
/* out_buf_free - release the memory (and wipe it: buffers may hold signed bodies). */
void out_buf_free(out_buf *b);

#endif /* PP_OUTPUTS_BUF_H */
