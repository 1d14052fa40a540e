/* core/bundle/passphrase.c - see passphrase.h. */
#include "config.h"

#include "passphrase.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

/* strip_line_end - cut @s at its first CR or LF. */
static void strip_line_end(char *s)
{
    s[strcspn(s, "\r\n")] = '\0';
}

static int from_file(const char *path, char *buf, size_t cap, bundle_err *e)
{
    size_t len;
    char *text = read_file_capped(path, 4096, &len, e);
    if (!text)
        return berr_set(e, "cannot read the passphrase file named by %s (%s)",
                        PASSPHRASE_ENV_FILE, path);
    strip_line_end(text);
    size_t n = strlen(text);
    int rc = 0;
    if (n + 1 > cap)
        rc = berr_set(e, "the passphrase in %s is too long", path);
    else
        memcpy(buf, text, n + 1);
    bwipe(text, len);
    free(text);
    return rc;
}

/* read_tty_line - one line from the terminal @fd with echo off. */
static int read_tty_line(int fd, const char *prompt, char *buf, size_t cap, bundle_err *e)
{
    struct termios old, quiet;
    int have_termios = tcgetattr(fd, &old) == 0;
    if (have_termios) {
        quiet = old;
        quiet.c_lflag &= (tcflag_t) ~(ECHO | ECHOE | ECHOK | ECHONL);
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    if (write(fd, prompt, strlen(prompt)) < 0) { /* best effort */
    }
    size_t n = 0;
    int rc = 0;
    for (;;) {
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || c == '\n' || c == '\r')
            break;
        if (n + 1 >= cap) {
            rc = berr_set(e, "passphrase too long");
            break;
        }
        buf[n++] = c;
    }
    buf[n] = '\0';
    if (have_termios)
        tcsetattr(fd, TCSAFLUSH, &old);
    if (write(fd, "\n", 1) < 0) { /* best effort */
    }
    return rc;
}

int passphrase_get(const char *prompt, int confirm, char *buf, size_t cap, bundle_err *e)
{
    const char *file = getenv(PASSPHRASE_ENV_FILE);
    const char *value = getenv(PASSPHRASE_ENV);
    int rc;

    if (cap == 0)
        return berr_set(e, "no room for a passphrase");
    buf[0] = '\0';
    if (file && *file) {
        rc = from_file(file, buf, cap, e);
    } else if (value) {
        if (strlen(value) + 1 > cap)
            return berr_set(e, "the passphrase in %s is too long", PASSPHRASE_ENV);
        memcpy(buf, value, strlen(value) + 1);
        rc = 0;
    } else {
        int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
            return berr_set(e,
                            "a passphrase is needed but there is no terminal; set %s to a file "
                            "holding it (or create the key with --unencrypted)",
                            PASSPHRASE_ENV_FILE);
        rc = read_tty_line(fd, prompt, buf, cap, e);
        if (rc == 0 && confirm) {
            char *again = malloc(cap);
            if (!again) {
                rc = berr_set(e, "out of memory");
            } else {
                rc = read_tty_line(fd, "Passphrase (again): ", again, cap, e);
                if (rc == 0 && strcmp(again, buf) != 0)
                    rc = berr_set(e, "the passphrases do not match");
                bwipe(again, cap);
                free(again);
            }
        }
        close(fd);
    }
    if (rc == 0 && buf[0] == '\0')
        rc = berr_set(e, "empty passphrase refused (use --unencrypted for a key without one)");
    return rc;
}
