/*
 * tp_dup - a provider whose name, "tp_all", collides with tp_all.
 *
 * The host must refuse whichever of the two it loads second (plugin dirs
 * are read in name order, so tp_dup.so after tp_all.so), list it as
 * refused with the reason, and keep the first one.
 */
#define _POSIX_C_SOURCE 200809L

#define TP_NAME "tp_all" /* on purpose: collides with tp_all */
#define TP_VERSION "9.9.9-dup"
#define TP_DESCRIPTION "test plugin: duplicate of tp_all's name"
#define TP_PER_TASK 4

#include "../common/tp_provider.h"

static const char *tp_plan(void *inst, const char *targets_json)
{
    (void)inst;
    (void)targets_json;
    return "[{\"id\":\"dup\"}]";
}

static int tp_collect(void *inst, const char *task_json)
{
    tp_inst *t = inst;
    char id[32];

    if (tp_task_id(task_json, id, sizeof id) != 0)
        return PP_ERR_INVALID;
    return tp_emit_items(g_api, t->h, TP_NAME, id, TP_PER_TASK);
}
