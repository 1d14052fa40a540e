/*
 * tests/support/test_capture.h - capture what the process writes to stderr
 * (where core/log.c writes), so tests can check log output.
 *
 *   capture c; capture_begin(&c); ...; char *text = capture_end(&c);
 *
 * capture_end returns a malloc'd NUL-terminated copy (free it), or NULL.
 */
#ifndef PP_TEST_CAPTURE_H
#define PP_TEST_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct capture {
    int saved_fd;
    FILE *tmp;
} capture;

static inline int capture_begin(capture *c)
{
    fflush(stderr);
    c->tmp = tmpfile();
    c->saved_fd = dup(2);
    if (c->tmp == NULL || c->saved_fd < 0 || dup2(fileno(c->tmp), 2) < 0)
        return -1;
    return 0;
}

static inline char *capture_end(capture *c)
{
    fflush(stderr);
    dup2(c->saved_fd, 2);
    close(c->saved_fd);
    /* the writes went through fd 2, not through c->tmp's buffer */
    off_t n = lseek(fileno(c->tmp), 0, SEEK_END);
    char *text = NULL;
    if (n >= 0 && (text = malloc((size_t)n + 1)) != NULL) {
        ssize_t got = pread(fileno(c->tmp), text, (size_t)n, 0);
        text[got > 0 ? got : 0] = '\0';
    }
    fclose(c->tmp);
    return text;
}

#endif
