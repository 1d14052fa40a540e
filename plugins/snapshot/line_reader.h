/*
 * plugins/snapshot/line_reader.h - read a file descriptor one line at a time
 * through a bounded buffer.
 *
 * The reader never holds more than one line (plus what one read() brought
 * in) in memory, so a file of any size streams through a buffer of at most
 * max_line + 1 bytes. A line longer than max_line bytes is not returned: the
 * reader skips to its end and reports LR_TOO_LONG with its length, so the
 * caller can name it and carry on.
 *
 * One reader belongs to one thread. It owns its buffer, never the fd.
 */
#ifndef PP_SNAPSHOT_LINE_READER_H
#define PP_SNAPSHOT_LINE_READER_H

#include <stddef.h>
#include <stdint.h>

/* What lr_next found. */
enum lr_result {
    LR_END = 0,      /* no more lines (EOF or the byte limit was reached) */
    LR_LINE = 1,     /* *line / *len hold one line, without its "\n" */
    LR_TOO_LONG = 2, /* a line over max_line bytes was skipped; *len is its length */
    LR_ERROR = -1    /* read() failed; lr_reader.err holds errno */
};

typedef struct lr_reader {
    int fd;              /* borrowed; read from its current offset */
    uint64_t remaining;  /* bytes still allowed to read (UINT64_MAX: until EOF) */
    size_t max_line;     /* longest line returned, excluding "\n" */
    char *buf;           /* owned; buf[start, end) is unread data */
    size_t cap;          /* allocated size of buf, at most max_line + 1 */
    size_t start;        /* first byte of the current line */
    size_t end;          /* one past the last byte read */
    size_t scan;         /* buf[start, scan) is known to hold no "\n" */
    uint64_t bytes_read; /* bytes read from fd so far */
    uint64_t line_no;    /* 1-based number (within this reader) of the line last returned */
    uint64_t skipped;    /* bytes of an over-long line discarded so far */
    int skipping;        /* inside an over-long line */
    int eof;             /* read() returned 0 or the limit was reached */
    int err;             /* errno of the failed read, for LR_ERROR */
} lr_reader;

/*
 * lr_init - prepare @r to read lines from @fd.
 * @limit     read at most this many bytes (UINT64_MAX: until EOF); the
 *            last line may then end without a newline.
 * @max_line  longest line (in bytes, excluding the newline) to return.
 * Returns 0, or -1 when the first buffer cannot be allocated.
 * Release with lr_free even after a failure.
 */
int lr_init(lr_reader *r, int fd, uint64_t limit, size_t max_line);

/*
 * lr_next - the next line. On LR_LINE, *line points into the reader's
 * buffer (valid until the next call; the caller may modify it) and *len is
 * its length without the "\n" (a "\r" before it is left in place); the
 * line is NUL-terminated where its "\n" was. On
 * LR_TOO_LONG, *line is NULL and *len is the skipped line's length.
 * r->line_no is the number of the line just returned or skipped.
 * Read errors other than EINTR end the stream with LR_ERROR; EINTR is retried.
 */
int lr_next(lr_reader *r, char **line, size_t *len);

/* lr_free - release the buffer. Safe on a zeroed or failed reader. */
void lr_free(lr_reader *r);

#endif /* PP_SNAPSHOT_LINE_READER_H */
