/*
 * tp_feed_crash - a threat-feed plugin that crashes on request, to check
 * that threat-feed plugins run isolated in a worker process.
 *
 * Config "mode" (default "ok"):
 *   ok     update emits three "ip" indicators 203.0.113.1-3 into feed
 *          "list:tp_feed_crash" and succeeds;
 *   crash  update emits two other indicators into the same feed (which
 *          would replace it), logs, then writes through a NULL pointer
 *          (SIGSEGV);
 *   abort  the same, then abort() (SIGABRT);
 *   fail   the same, then returns an error with a message;
 *   hang   the same, then never returns (sleeps for ever, ignoring
 *          cancellation), so that the host's time limit must stop it.
 * import FILE behaves like update in the configured mode.
 * The host must report the crash or failure by plugin name, keep running,
 * keep what other feed plugins loaded, and leave list:tp_feed_crash with
 * the rows it had before (nothing the failed run emitted is kept).
 */
#define _POSIX_C_SOURCE 200809L

#include "../common/tp_simple.h"

#include <stdlib.h>
#include <unistd.h>

#define TP_NAME "tp_feed_crash"
#define TP_FEED "list:tp_feed_crash"

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out);

static const pp_host_api *g_api;

typedef struct tp_inst {
    pp_host *h;
    char mode[8];
} tp_inst;

static const char tp_schema[] =
    "{\"type\":\"object\",\"properties\":{"
    "\"mode\":{\"type\":\"string\",\"enum\":[\"ok\",\"crash\",\"abort\",\"fail\",\"hang\"]}}}";

static int tp_init(pp_host *h, const char *config_json, void **inst, const char **err)
{
    cJSON *cfg = cJSON_Parse(config_json ? config_json : "{}");
    const cJSON *mode = cJSON_GetObjectItemCaseSensitive(cfg, "mode");
    tp_inst *t = calloc(1, sizeof *t);
    if (!t) {
        cJSON_Delete(cfg);
        *err = "tp_feed_crash: out of memory";
        return PP_ERR_NOMEM;
    }
    t->h = h;
    snprintf(t->mode, sizeof t->mode, "%s",
             cJSON_IsString(mode) && strlen(mode->valuestring) < sizeof t->mode ? mode->valuestring : "ok");
    cJSON_Delete(cfg);
    *inst = t;
    return PP_OK;
}

static void tp_destroy(void *inst)
{
    free(inst);
}

static const char *tp_last_error(void *inst)
{
    (void)inst;
    return "tp_feed_crash: failing on purpose";
}

/* Not instrumented, so that under the sanitizers the worker still dies of
 * a real SIGSEGV (the tests run with ASAN_OPTIONS=handle_segv=0). */
#if defined(__GNUC__)
__attribute__((noinline, no_sanitize("address", "undefined")))
#endif
static void crash_now(void)
{
    volatile int *volatile p = NULL;
    *p = 42;
}

static int emit_ip(tp_inst *t, const char *ip)
{
    pp_indicator x;
    PP_INIT(&x);
    x.kind = "ip";
    x.value = ip;
    x.feed = TP_FEED;
    return g_api->emit_indicator(t->h, &x);
}

static int tp_update(void *inst)
{
    tp_inst *t = inst;
    if (!strcmp(t->mode, "ok")) {
        static const char *const ips[] = {"203.0.113.1", "203.0.113.2", "203.0.113.3"};
        for (size_t i = 0; i < 3; i++)
            if (emit_ip(t, ips[i]) != PP_OK)
                return PP_ERR;
        return PP_OK;
    }
    /* these would replace the feed if the host kept them */
    emit_ip(t, "198.51.100.7");
    emit_ip(t, "198.51.100.8");
    g_api->log(t->h, PP_LOG_WARN, "tp_feed_crash: about to fail on purpose");
    if (!strcmp(t->mode, "crash"))
        crash_now(); /* SIGSEGV, on purpose */
    else if (!strcmp(t->mode, "abort"))
        abort();
    else if (!strcmp(t->mode, "hang"))
        for (;;)
            pause(); /* never returns, on purpose */
    return PP_ERR;
}

static int tp_import(void *inst, const char *path)
{
    (void)path;
    return tp_update(inst);
}

static const pp_threat_feed_api tp_feed = {
    .size = sizeof(pp_threat_feed_api),
    .update = tp_update,
    .import = tp_import,
};

static const pp_plugin tp_descriptor = {
    .size = sizeof(pp_plugin),
    .abi_major = PP_ABI_MAJOR,
    .abi_minor = PP_ABI_MINOR,
    .name = TP_NAME,
    .version = "1.0.0",
    .description = "test plugin: a threat feed that crashes (SIGSEGV/SIGABRT) or fails on request",
    .license = "Apache-2.0",
    .kinds = PP_KIND_THREAT_FEED,
    .threads = PP_THREADS_SERIAL,
    .config_schema = tp_schema,
    .init = tp_init,
    .destroy = tp_destroy,
    .last_error = tp_last_error,
    .threat_feed = &tp_feed,
};

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out)
{
    (void)h;
    g_api = api;
    *out = &tp_descriptor;
    return PP_OK;
}
