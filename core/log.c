/* core/log.c - see log.h. */
#include "config.h"

#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int g_level = LOG_LVL_WARN;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *const g_names[] = {"error", "warn", "info", "debug"};

void log_set_level(int level)
{
    g_level = level < LOG_LVL_ERROR ? LOG_LVL_ERROR : level > LOG_LVL_DEBUG ? LOG_LVL_DEBUG : level;
}

int log_get_level(void)
{
    return g_level;
}

/* Append @s as a logfmt quoted value: quotes, backslashes and control
 * characters escaped so one message is always one line. */
static void put_quoted(char *out, size_t cap, size_t *len, const char *s)
{
#define PUT(c)                                                                                                     \
    do {                                                                                                           \
        if (*len + 1 < cap)                                                                                        \
            out[(*len)++] = (c);                                                                                   \
    } while (0)
    static const char hex[] = "0123456789abcdef";
    PUT('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            PUT('\\');
            PUT((char)c);
        } else if (c == '\n') {
            PUT('\\');
            PUT('n');
        } else if (c < 0x20 || c == 0x7f) {
            PUT('\\');
            PUT('x');
            PUT(hex[c >> 4]);
            PUT(hex[c & 15]);
        } else {
            PUT((char)c);
        }
    }
    PUT('"');
#undef PUT
}

void log_vmsg(int level, const char *src, const char *fmt, va_list ap)
{
    if (level > g_level)
        return;
    if (level < 0)
        level = 0;
    if (level > LOG_LVL_DEBUG)
        level = LOG_LVL_DEBUG;
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    /* Build the whole line, then write it with one write(2): worker
     * processes share this stderr, and separate writes would interleave. */
    char line[4400];
    size_t len = 0;
    if (isatty(STDERR_FILENO)) {
        int k;
        if (src && strcmp(src, "core") != 0)
            k = snprintf(line, sizeof line, "\r\033[Kparapet: %s: [%s] %s\n", g_names[level], src, msg);
        else
            k = snprintf(line, sizeof line, "\r\033[Kparapet: %s: %s\n", g_names[level], msg);
        len = k < 0 ? 0 : (size_t)k >= sizeof line ? sizeof line - 1 : (size_t)k;
    } else {
        int k = snprintf(line, sizeof line, "level=%s src=%s msg=", g_names[level], src ? src : "core");
        len = k < 0 ? 0 : (size_t)k;
        put_quoted(line, sizeof line - 1, &len, msg);
        line[len++] = '\n';
    }
    pthread_mutex_lock(&g_lock);
    const char *p = line;
    while (len) {
        ssize_t w = write(STDERR_FILENO, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        p += w;
        len -= (size_t)w;
    }
    pthread_mutex_unlock(&g_lock);
}

void log_msg(int level, const char *src, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(level, src, fmt, ap);
    va_end(ap);
}
