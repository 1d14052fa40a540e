/*
 * plugins/snapshot/line_reader.c - bounded, streaming line reader.
 * See line_reader.h for the contract.
 */
#include "line_reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* First buffer size; it doubles on demand up to max_line + 1. */
#define LR_INITIAL_CAP ((size_t)64 * 1024)

int lr_init(lr_reader *r, int fd, uint64_t limit, size_t max_line)
{
    memset(r, 0, sizeof *r);
    r->fd = fd;
    r->remaining = limit;
    r->max_line = max_line;
    r->cap = max_line + 1 < LR_INITIAL_CAP ? max_line + 1 : LR_INITIAL_CAP;
    r->buf = malloc(r->cap);
    return r->buf ? 0 : -1;
}

void lr_free(lr_reader *r)
{
    free(r->buf);
    r->buf = NULL;
    r->cap = 0;
}

/* Make room at the end of the buffer: drop consumed bytes, grow if full. */
static int lr_make_room(lr_reader *r)
{
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->scan -= r->start;
        r->start = 0;
    }
    if (r->end == r->cap) {
        size_t limit = r->max_line + 1;
        size_t ncap = r->cap > limit / 2 ? limit : r->cap * 2;
        char *nbuf = realloc(r->buf, ncap);
        if (!nbuf) {
            r->err = ENOMEM;
            return -1;
        }
        r->buf = nbuf;
        r->cap = ncap;
    }
    return 0;
}

int lr_next(lr_reader *r, char **line, size_t *len)
{
    *line = NULL;
    *len = 0;
    for (;;) {
        if (r->scan < r->end) {
            char *nl = memchr(r->buf + r->scan, '\n', r->end - r->scan);
            if (nl) {
                size_t stop = (size_t)(nl - r->buf);
                size_t first = r->start;
                size_t n = stop - first;
                r->start = r->scan = stop + 1;
                r->line_no++;
                if (r->skipping) {
                    *len = (size_t)r->skipped + n;
                    r->skipping = 0;
                    r->skipped = 0;
                    return LR_TOO_LONG;
                }
                if (n > r->max_line) {
                    *len = n;
                    return LR_TOO_LONG;
                }
                r->buf[stop] = '\0';
                *line = r->buf + first;
                *len = n;
                return LR_LINE;
            }
            r->scan = r->end;
        }

        /* No newline in buf[start, end). Discard an over-long line. */
        if (r->skipping) {
            r->skipped += r->end - r->start;
            r->start = r->scan = r->end = 0;
        } else if (r->end - r->start > r->max_line) {
            r->skipping = 1;
            r->skipped = r->end - r->start;
            r->start = r->scan = r->end = 0;
        }

        if (r->eof) {
            if (r->skipping) {
                r->line_no++;
                *len = (size_t)r->skipped;
                r->skipping = 0;
                r->skipped = 0;
                return LR_TOO_LONG;
            }
            if (r->end > r->start) { /* last line without a newline */
                if (r->end == r->cap && lr_make_room(r) != 0)
                    return LR_ERROR; /* room for the terminating NUL */
                r->buf[r->end] = '\0';
                *line = r->buf + r->start;
                *len = r->end - r->start;
                r->start = r->scan = r->end;
                r->line_no++;
                return LR_LINE;
            }
            return LR_END;
        }

        if (lr_make_room(r) != 0)
            return LR_ERROR;
        size_t room = r->cap - r->end;
        if (r->remaining < room)
            room = (size_t)r->remaining;
        if (room == 0) {
            r->eof = 1;
            continue;
        }
        ssize_t got = read(r->fd, r->buf + r->end, room);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            r->err = errno;
            return LR_ERROR;
        }
        if (got == 0) {
            r->eof = 1;
            continue;
        }
        r->end += (size_t)got;
        r->bytes_read += (uint64_t)got;
        if (r->remaining != UINT64_MAX)
            r->remaining -= (uint64_t)got;
    }
}
