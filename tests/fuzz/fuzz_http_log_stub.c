/* tests/fuzz/fuzz_http_log_stub.c - a silent core/log.h for fuzz targets built
 * outside libparapet. */
#include <stdarg.h>

#include "../../core/log.h"

void log_set_level(int level) { (void)level; }
int log_get_level(void) { return LOG_LVL_ERROR; }
void log_vmsg(int level, const char *src, const char *fmt, va_list ap)
{
    (void)level;
    (void)src;
    (void)fmt;
    (void)ap;
}
void log_msg(int level, const char *src, const char *fmt, ...)
{
    (void)level;
    (void)src;
    (void)fmt;
}
