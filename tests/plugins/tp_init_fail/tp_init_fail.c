/*
 * tp_init_fail - a provider whose init always fails with a message.
 *
 * The host must report the plugin by name with the message below, and
 * the other plugins of the scan must still run.
 */
#define _POSIX_C_SOURCE 200809L

#define TP_NAME "tp_init_fail"
#define TP_VERSION "1.0.0"
#define TP_DESCRIPTION "test plugin: init always fails"
#define TP_CUSTOM_INIT
#define TP_PER_TASK 4

#include "../common/tp_provider.h"

static int tp_init(pp_host *h, const char *config_json, void **inst, const char **err)
{
    (void)h;
    (void)config_json;
    *inst = NULL;
    *err = "the widget service at widget.invalid is unreachable (tp_init_fail always fails)";
    return PP_ERR_IO;
}

static const char *tp_plan(void *inst, const char *targets_json)
{
    (void)inst;
    (void)targets_json;
    return "[{\"id\":\"ok1\"},{\"id\":\"boom\"},{\"id\":\"ok2\"}]";
}

static int tp_collect(void *inst, const char *task_json)
{
    tp_inst *t = inst;
    char id[32];

    if (tp_task_id(task_json, id, sizeof id) != 0)
        return PP_ERR_INVALID;
    return tp_emit_items(g_api, t->h, TP_NAME, id, TP_PER_TASK);
}
