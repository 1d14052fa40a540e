/*
 * core/log.h - levelled logging for the core.
 *
 * On a terminal, messages are "parapet: level: text". When stderr is not a
 * terminal (systemd journal, CI logs) each message is one logfmt line:
 *   level=warn src=core msg="..."
 * so it can be parsed. Thread-safe. Never pass secrets to these functions.
 */
#ifndef PP_CORE_LOG_H
#define PP_CORE_LOG_H

#include <stdarg.h>

enum { LOG_LVL_ERROR = 0, LOG_LVL_WARN = 1, LOG_LVL_INFO = 2, LOG_LVL_DEBUG = 3 };

/* log_set_level - messages above @level are dropped. Default: LOG_LVL_WARN. */
void log_set_level(int level);
/* log_get_level - the current level. */
int log_get_level(void);
/* log_msg - write one message from source @src ("core", a plugin name). */
void log_msg(int level, const char *src, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* log_vmsg - va_list form of log_msg. */
void log_vmsg(int level, const char *src, const char *fmt, va_list ap);

#define log_error(...) log_msg(LOG_LVL_ERROR, "core", __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, "core", __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, "core", __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, "core", __VA_ARGS__)

#endif
