/* core/log.c - see log.h. */
#include "config.h"

#include "log.h"

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

/* Write @s as a logfmt quoted value: quotes, backslashes and control
 * characters escaped so one message is always one line. */
static void put_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c < 0x20 || c == 0x7f)
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
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
    pthread_mutex_lock(&g_lock);
    if (isatty(STDERR_FILENO)) {
        /* progress lines are redrawn with \r; start on a clean line */
        fputs("\r\033[K", stderr);
        if (src && strcmp(src, "core") != 0)
            fprintf(stderr, "parapet: %s: [%s] %s\n", g_names[level], src, msg);
        else
            fprintf(stderr, "parapet: %s: %s\n", g_names[level], msg);
    } else {
        fprintf(stderr, "level=%s src=%s msg=", g_names[level], src ? src : "core");
        put_quoted(stderr, msg);
        fputc('\n', stderr);
    }
    fflush(stderr);
    pthread_mutex_unlock(&g_lock);
}

void log_msg(int level, const char *src, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(level, src, fmt, ap);
    va_end(ap);
}
