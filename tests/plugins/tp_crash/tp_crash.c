/*
 * tp_crash - a provider whose collect crashes on one task.
 *
 * plan: tasks "ok1", "boom", "ok2". The ok tasks emit 4 resources each
 * (uids "tp_crash:TASK:I"); "boom" writes through a NULL pointer (SIGSEGV).
 * With process isolation the host must report the crash by plugin name and
 * signal, and keep everything else the scan collected.
 */
#define _POSIX_C_SOURCE 200809L

#define TP_NAME "tp_crash"
#define TP_VERSION "1.0.0"
#define TP_DESCRIPTION "test plugin: collect crashes (SIGSEGV) on task 'boom'"
#define TP_PER_TASK 4

#include "../common/tp_provider.h"

static const char *tp_plan(void *inst, const char *targets_json)
{
    (void)inst;
    (void)targets_json;
    return "[{\"id\":\"ok1\"},{\"id\":\"boom\"},{\"id\":\"ok2\"}]";
}

/*
 * Write through a NULL pointer. Not instrumented, so that under
 * -fsanitize=undefined,address (CI) the process still dies of a real
 * SIGSEGV rather than of a sanitizer report (run the host with
 * ASAN_OPTIONS=handle_segv=0 so ASan's handler does not catch it either).
 */
#if defined(__GNUC__)
__attribute__((noinline, no_sanitize("address", "undefined")))
#endif
static void crash_now(void)
{
    volatile int *volatile p = NULL;
    *p = 42;
}

static int tp_collect(void *inst, const char *task_json)
{
    tp_inst *t = inst;
    char id[32];

    if (tp_task_id(task_json, id, sizeof id) != 0)
        return PP_ERR_INVALID;
    if (strcmp(id, "boom") == 0) {
        g_api->log(t->h, PP_LOG_INFO, "tp_crash: about to crash on purpose");
        crash_now(); /* SIGSEGV, on purpose */
        return PP_ERR; /* not reached */
    }
    return tp_emit_items(g_api, t->h, TP_NAME, id, TP_PER_TASK);
}
