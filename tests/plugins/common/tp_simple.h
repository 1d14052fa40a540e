/*
 * tp_simple.h - helpers shared by the small single-purpose test providers
 * (tp_crash, tp_hang, tp_old_minor, ...). Header-only so that each plugin
 * stays one self-contained .so, compiled against whichever copy of the SDK
 * headers its -I points at (tp_old_minor uses the frozen v1.0 copy).
 */
#ifndef TP_SIMPLE_H
#define TP_SIMPLE_H

#include <parapet/plugin.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

/*
 * tp_task_id - copy the "id" member of @task_json into @buf (size @n).
 * Returns 0 on success, -1 when the task is not an object with a string id
 * that fits.
 */
static inline int tp_task_id(const char *task_json, char *buf, size_t n)
{
    cJSON *task = cJSON_Parse(task_json ? task_json : "");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(task, "id");
    int rc = -1;

    if (cJSON_IsString(id) && strlen(id->valuestring) < n) {
        memcpy(buf, id->valuestring, strlen(id->valuestring) + 1);
        rc = 0;
    }
    cJSON_Delete(task);
    return rc;
}

/*
 * tp_emit_items - emit @count resources of type "tp.item" with uids
 * "PLUGIN:TASK:I" (I = 0..count-1) and data {"task":TASK,"index":I}.
 * Stops early when the host reports cancellation. Returns the first
 * non-PP_OK emit result, or PP_OK.
 */
static inline int tp_emit_items(const pp_host_api *api, pp_host *h, const char *plugin,
                         const char *task, int count)
{
    int i;
    for (i = 0; i < count; i++) {
        char uid[128], name[64], data[128];
        pp_resource r;
        int rc;

        if (api->cancelled(h))
            return PP_ERR_CANCELLED;
        snprintf(uid, sizeof uid, "%s:%s:%d", plugin, task, i);
        snprintf(name, sizeof name, "item-%s-%d", task, i);
        snprintf(data, sizeof data, "{\"task\":\"%s\",\"index\":%d}", task, i);
        PP_INIT(&r);
        r.uid = uid;
        r.type = "tp.item";
        r.provider = "tp";
        r.account = "tp-account";
        r.name = name;
        r.data_json = data;
        r.source = "api";
        rc = api->emit_resource(h, &r);
        if (rc != PP_OK)
            return rc;
    }
    return PP_OK;
}

#endif /* TP_SIMPLE_H */
