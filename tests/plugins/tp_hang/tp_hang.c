/*
 * tp_hang - a provider whose collect never returns on one task.
 *
 * plan: tasks "ok1", "stuck", "ok2". The ok tasks emit 4 resources each
 * (uids "tp_hang:TASK:I"); "stuck" sleeps forever and never polls
 * host->cancelled. With a task timeout the host must stop it, report the
 * plugin and task by name, finish the scan and keep the other results.
 */
#define _POSIX_C_SOURCE 200809L

#define TP_NAME "tp_hang"
#define TP_VERSION "1.0.0"
#define TP_DESCRIPTION "test plugin: collect hangs on task 'stuck'"
#define TP_PER_TASK 4

#include "../common/tp_provider.h"
#include <time.h>

static const char *tp_plan(void *inst, const char *targets_json)
{
    (void)inst;
    (void)targets_json;
    return "[{\"id\":\"ok1\"},{\"id\":\"stuck\"},{\"id\":\"ok2\"}]";
}

static int tp_collect(void *inst, const char *task_json)
{
    tp_inst *t = inst;
    char id[32];

    if (tp_task_id(task_json, id, sizeof id) != 0)
        return PP_ERR_INVALID;
    if (strcmp(id, "stuck") == 0) {
        g_api->log(t->h, PP_LOG_INFO, "tp_hang: hanging on purpose, ignoring cancellation");
        for (;;) {
            struct timespec ts = { 1, 0 };
            nanosleep(&ts, NULL); /* never polls host->cancelled, on purpose */
        }
    }
    return tp_emit_items(g_api, t->h, TP_NAME, id, TP_PER_TASK);
}
