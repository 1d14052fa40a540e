/*
 * tp_all - a test plugin of all six kinds that calls every host service.
 *
 * It exists so integration tests can check, through the CLI, that every
 * entry of pp_host_api works and behaves the same with and without process
 * isolation. Everything it emits is deterministic (except observed_at):
 *
 *   provider  plan -> `tasks` tasks with ids "t0".."tN-1" (config `tasks`,
 *             default 3). collect of a task emits `per_task` resources of
 *             type tp.item (config `per_task`, default 5) with uids
 *             "tp_all:TASK:I"; data.bad is true for I == 0. Each collect
 *             also emits one finding (pass, info), event, indicator,
 *             advisory and package. Task t0 additionally checks the host
 *             services and emits one tp.service_check resource per service
 *             (uids "tp_all:svc:NAME", see run_service_checks).
 *   policy    rules(): rule tp-all-double on type tp.number (never collected
 *             here) using the CEL function tp.double(x) = 2x;
 *             evaluate(): a fail/high finding of rule "tp-all-bad" for every
 *             resource whose data has "bad": true.
 *   output    format "tpout": writes "RULE_ID RESOURCE_UID" per finding,
 *             one per line, to PATH (stdout without PATH).
 *   threat feed  update emits two indicators.
 *   scanner   scan emits one package for the target.
 *   remediation  plans a fix for "tp-all-bad" findings; apply only logs.
 *
 * The secret named by config `token_ref` is resolved and only its length is
 * reported; the value is never logged or emitted.
 */
#define _POSIX_C_SOURCE 200809L

#include <parapet/plugin.h>

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TP_NAME "tp_all"
#define TP_RULE_BAD "tp-all-bad"
#define TP_RULE_COLLECT "tp-all-collect"
#define TP_KV_COUNTER "scan_counter"
#define TP_MAX_TASKS 50
#define TP_MAX_PER_TASK 1000

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out);

/* The host table, kept from the entry call for the life of the process. */
static const pp_host_api *g_api;

/* One instance, created by init for one scan. */
typedef struct tp_all {
    pp_host *h;
    char *url;        /* config "url", or NULL */
    char *token_ref;  /* config "token_ref", or NULL */
    int tasks;        /* config "tasks" */
    int per_task;     /* config "per_task" */
    char *plan;       /* last provider plan, cJSON-allocated */
    char *rem_plan;   /* last remediation plan, cJSON-allocated */
    pthread_mutex_t err_lock;
    char err[256];    /* last_error text */
} tp_all;

/* One open "tpout" sink. */
typedef struct tp_sink {
    FILE *f;
    int owns_file; /* 0 when f is stdout */
} tp_sink;

static void set_error(tp_all *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Record why the last call failed; last_error returns it. */
static void set_error(tp_all *t, const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(&t->err_lock);
    va_start(ap, fmt);
    (void)vsnprintf(t->err, sizeof t->err, fmt, ap);
    va_end(ap);
    pthread_mutex_unlock(&t->err_lock);
}

static const char *tp_last_error(void *inst)
{
    tp_all *t = inst;
    return t->err[0] ? t->err : NULL;
}

/* Map an emit return code to a collect return code. */
static int emit_rc(tp_all *t, int rc, const char *what)
{
    if (rc == PP_OK || rc == PP_ERR_CANCELLED)
        return rc;
    set_error(t, "host refused a %s record (rc %d)", what, rc);
    return PP_ERR;
}

/* Print a cJSON tree as compact text; NULL on out-of-memory. */
static char *json_text(const cJSON *j)
{
    return j ? cJSON_PrintUnformatted(j) : NULL;
}

/* Emit a resource whose data is @data (consumed). */
static int emit_resource_json(tp_all *t, const char *uid, const char *type, const char *name,
                              const char *task, cJSON *data)
{
    pp_resource r;
    cJSON *tags = cJSON_CreateObject();
    char *data_s, *tags_s;
    int rc;

    if (tags && task)
        cJSON_AddStringToObject(tags, "task", task);
    data_s = json_text(data);
    tags_s = json_text(tags);
    cJSON_Delete(data);
    cJSON_Delete(tags);
    if (!data_s || !tags_s) {
        cJSON_free(data_s);
        cJSON_free(tags_s);
        set_error(t, "out of memory building resource %s", uid);
        return PP_ERR_NOMEM;
    }
    PP_INIT(&r);
    r.uid = uid;
    r.type = type;
    r.provider = "tp";
    r.account = "tp-account";
    r.region = "tp-region-1";
    r.name = name;
    r.tags_json = tags_s;
    r.data_json = data_s;
    r.source = "api";
    rc = g_api->emit_resource(t->h, &r);
    cJSON_free(data_s);
    cJSON_free(tags_s);
    return emit_rc(t, rc, "resource");
}

/* Read a non-negative integer member of @obj into *out, within [lo, hi]. */
static int config_int(tp_all *t, const cJSON *obj, const char *key, int lo, int hi, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return PP_OK;
    if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int)v->valuedouble
        || v->valuedouble < lo || v->valuedouble > hi) {
        set_error(t, "config key '%s' must be an integer from %d to %d", key, lo, hi);
        return PP_ERR_INVALID;
    }
    *out = (int)v->valuedouble;
    return PP_OK;
}

/* Copy a string member of @obj into *out (NULL when absent). */
static int config_string(tp_all *t, const cJSON *obj, const char *key, char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = NULL;
    if (!v)
        return PP_OK;
    if (!cJSON_IsString(v)) {
        set_error(t, "config key '%s' must be a string", key);
        return PP_ERR_INVALID;
    }
    *out = strdup(v->valuestring);
    if (!*out) {
        set_error(t, "out of memory");
        return PP_ERR_NOMEM;
    }
    return PP_OK;
}

static void tp_destroy(void *inst)
{
    tp_all *t = inst;
    if (!t)
        return;
    free(t->url);
    free(t->token_ref);
    cJSON_free(t->plan);
    cJSON_free(t->rem_plan);
    pthread_mutex_destroy(&t->err_lock);
    free(t);
}

static int tp_init(pp_host *h, const char *config_json, void **inst, const char **err)
{
    tp_all *t;
    cJSON *cfg;
    int rc = PP_OK;

    *inst = NULL;
    t = calloc(1, sizeof *t);
    if (!t) {
        *err = "tp_all: out of memory";
        return PP_ERR_NOMEM;
    }
    pthread_mutex_init(&t->err_lock, NULL);
    t->h = h;
    t->tasks = 3;
    t->per_task = 5;
    cfg = cJSON_Parse(config_json ? config_json : "{}");
    if (!cJSON_IsObject(cfg)) {
        cJSON_Delete(cfg);
        tp_destroy(t);
        *err = "tp_all: the configuration is not a JSON object";
        return PP_ERR_INVALID;
    }
    if (rc == PP_OK)
        rc = config_int(t, cfg, "tasks", 1, TP_MAX_TASKS, &t->tasks);
    if (rc == PP_OK)
        rc = config_int(t, cfg, "per_task", 0, TP_MAX_PER_TASK, &t->per_task);
    if (rc == PP_OK)
        rc = config_string(t, cfg, "url", &t->url);
    if (rc == PP_OK)
        rc = config_string(t, cfg, "token_ref", &t->token_ref);
    cJSON_Delete(cfg);
    if (rc != PP_OK) {
        /* The message must outlive the instance: use a static one. */
        *err = "tp_all: invalid configuration (tasks, per_task, url or token_ref)";
        tp_destroy(t);
        return rc;
    }
    pp_logf(g_api, h, PP_LOG_DEBUG, "tp_all: init with %d tasks of %d resources", t->tasks, t->per_task);
    *inst = t;
    return PP_OK;
}

/* ---- provider ---------------------------------------------------------- */

static const char *tp_plan(void *inst, const char *targets_json)
{
    tp_all *t = inst;
    cJSON *targets = cJSON_Parse(targets_json ? targets_json : "[]");
    cJSON *plan;
    int i;

    if (!cJSON_IsArray(targets)) {
        cJSON_Delete(targets);
        set_error(t, "targets are not a JSON array");
        return NULL;
    }
    cJSON_Delete(targets);
    plan = cJSON_CreateArray();
    for (i = 0; plan && i < t->tasks; i++) {
        char id[32];
        cJSON *task = cJSON_CreateObject();
        if (!task)
            break;
        snprintf(id, sizeof id, "t%d", i);
        cJSON_AddStringToObject(task, "id", id);
        cJSON_AddNumberToObject(task, "index", i);
        cJSON_AddBoolToObject(task, "services", i == 0);
        cJSON_AddItemToArray(plan, task);
    }
    cJSON_free(t->plan);
    t->plan = json_text(plan);
    cJSON_Delete(plan);
    if (!t->plan)
        set_error(t, "out of memory building the plan");
    return t->plan;
}

/* tp_all:svc:http - GET config `url` and record the outcome. */
static int check_http(tp_all *t)
{
    cJSON *d = cJSON_CreateObject();
    if (!d)
        return PP_ERR_NOMEM;
    cJSON_AddBoolToObject(d, "requested", t->url != NULL);
    if (t->url) {
        pp_http_request req;
        pp_http_response *resp = NULL;
        int rc;
        PP_INIT(&req);
        req.method = "GET";
        req.url = t->url;
        req.timeout_ms = 10000;
        req.max_retries = PP_HTTP_NO_RETRY;
        rc = g_api->http(t->h, &req, &resp);
        cJSON_AddNumberToObject(d, "rc", rc);
        if (rc == PP_OK && resp) {
            cJSON_AddNumberToObject(d, "status", (double)resp->status);
            cJSON_AddNumberToObject(d, "body_len", (double)resp->body_len);
            cJSON_AddNumberToObject(d, "attempts", resp->attempts);
            g_api->http_free(t->h, resp);
        }
        pp_logf(g_api, t->h, PP_LOG_INFO, "tp_all: http GET returned rc %d", rc);
    }
    return emit_resource_json(t, "tp_all:svc:http", "tp.service_check", "http", "t0", d);
}

/* tp_all:svc:secret - resolve config `token_ref`; report only the length. */
static int check_secret(tp_all *t)
{
    cJSON *d = cJSON_CreateObject();
    char *val = NULL;
    size_t len = 0;
    int rc;

    if (!d)
        return PP_ERR_NOMEM;
    cJSON_AddBoolToObject(d, "configured", t->token_ref != NULL);
    if (t->token_ref) {
        rc = g_api->secret(t->h, t->token_ref, &val, &len);
        cJSON_AddBoolToObject(d, "resolved", rc == PP_OK);
        cJSON_AddNumberToObject(d, "rc", rc);
        if (rc == PP_OK) {
            cJSON_AddNumberToObject(d, "length", (double)len);
            /* The length the host reports must match the string it gave. */
            cJSON_AddBoolToObject(d, "length_matches", val != NULL && strlen(val) == len);
            g_api->secret_free(t->h, val, len);
        }
        pp_logf(g_api, t->h, PP_LOG_INFO, "tp_all: secret reference resolved: %s",
                rc == PP_OK ? "yes" : "no");
    }
    /* A literal value is not a reference and must be refused. */
    val = NULL;
    rc = g_api->secret(t->h, "literal-not-a-reference", &val, &len);
    cJSON_AddBoolToObject(d, "literal_refused", rc == PP_ERR_INVALID);
    if (rc == PP_OK)
        g_api->secret_free(t->h, val, len);
    return emit_resource_json(t, "tp_all:svc:secret", "tp.service_check", "secret", "t0", d);
}

/* tp_all:svc:kv - a counter kept across scans in the plugin's kv store. */
static int check_kv(tp_all *t)
{
    cJSON *d = cJSON_CreateObject();
    long long counter = 0;

    if (!d)
        return PP_ERR_NOMEM;
    if (!PP_HOST_HAS(g_api, kv_get) || !PP_HOST_HAS(g_api, kv_set)) {
        cJSON_AddBoolToObject(d, "available", 0);
    } else {
        char *val = NULL, *end = NULL;
        size_t len = 0;
        char buf[32];
        int rc = g_api->kv_get(t->h, TP_KV_COUNTER, &val, &len);
        if (rc == PP_OK) {
            counter = val ? strtoll(val, &end, 10) : -1;
            if (!val || end == val || *end != '\0' || counter < 0)
                counter = -1; /* stored value damaged: report it */
            g_api->free(t->h, val);
        } else if (rc != PP_ERR_NOTFOUND) {
            counter = -1;
        }
        if (counter >= 0)
            counter++;
        snprintf(buf, sizeof buf, "%lld", counter);
        rc = g_api->kv_set(t->h, TP_KV_COUNTER, buf, strlen(buf), 0);
        cJSON_AddBoolToObject(d, "available", 1);
        cJSON_AddNumberToObject(d, "counter", (double)counter);
        cJSON_AddNumberToObject(d, "set_rc", rc);
    }
    return emit_resource_json(t, "tp_all:svc:kv", "tp.service_check", "kv", "t0", d);
}

/* tp_all:svc:service - an unknown service must come back as NULL. */
static int check_service(tp_all *t)
{
    cJSON *d = cJSON_CreateObject();
    if (!d)
        return PP_ERR_NOMEM;
    if (!PP_HOST_HAS(g_api, service)) {
        cJSON_AddBoolToObject(d, "available", 0);
    } else {
        const void *s = g_api->service(t->h, "nonexistent", 1);
        cJSON_AddBoolToObject(d, "available", 1);
        cJSON_AddBoolToObject(d, "nonexistent_is_null", s == NULL);
    }
    return emit_resource_json(t, "tp_all:svc:service", "tp.service_check", "service", "t0", d);
}

/* tp_all:svc:alloc - host memory round trip. */
static int check_alloc(tp_all *t)
{
    cJSON *d = cJSON_CreateObject();
    unsigned char *p = g_api->alloc(t->h, 4096);
    int ok = p != NULL;

    if (p) {
        memset(p, 0xA5, 4096);
        ok = p[0] == 0xA5 && p[4095] == 0xA5;
        g_api->free(t->h, p);
    }
    if (!d)
        return PP_ERR_NOMEM;
    cJSON_AddBoolToObject(d, "ok", ok);
    return emit_resource_json(t, "tp_all:svc:alloc", "tp.service_check", "alloc", "t0", d);
}

/* Log at each level, then check each service; tp.service_check resources. */
static int run_service_checks(tp_all *t)
{
    int rc;
    g_api->log(t->h, PP_LOG_ERROR, "tp_all: log check at level error");
    g_api->log(t->h, PP_LOG_WARN, "tp_all: log check at level warn");
    g_api->log(t->h, PP_LOG_INFO, "tp_all: log check at level info");
    g_api->log(t->h, PP_LOG_DEBUG, "tp_all: log check at level debug");
    if ((rc = check_alloc(t)) != PP_OK)
        return rc;
    if ((rc = check_http(t)) != PP_OK)
        return rc;
    if ((rc = check_secret(t)) != PP_OK)
        return rc;
    if ((rc = check_kv(t)) != PP_OK)
        return rc;
    return check_service(t);
}

/* One of every other record kind, for task @id (index @n). */
static int emit_other_records(tp_all *t, const char *id, int n)
{
    char uid[96], val[64], adv_id[48], adv_doc[256], ver[32];
    pp_finding f;
    pp_event e;
    pp_indicator ind;
    pp_advisory a;
    pp_package p;
    int rc;

    snprintf(uid, sizeof uid, "tp_all:%s:0", id);
    PP_INIT(&f);
    f.rule_id = TP_RULE_COLLECT;
    f.resource_uid = uid;
    f.resource_type = "tp.item";
    f.status = PP_STATUS_PASS;
    f.severity = PP_SEV_INFO;
    f.title = "tp_all emits a finding from collect";
    f.message = "collect-time finding";
    f.evidence_json = "{\"data.index\":0}";
    f.provider = "tp";
    f.account = "tp-account";
    f.region = "tp-region-1";
    if ((rc = emit_rc(t, g_api->emit_finding(t->h, &f), "finding")) != PP_OK)
        return rc;

    snprintf(uid, sizeof uid, "tp_all:event:%s", id);
    PP_INIT(&e);
    e.uid = uid;
    e.type = "tp.audit";
    e.provider = "tp";
    e.account = "tp-account";
    e.region = "tp-region-1";
    e.time = 1700000000 + n;
    e.actor = "tp-actor";
    e.action = "tp:Collect";
    e.source_ip = "192.0.2.10";
    e.data_json = "{\"test\":true}";
    if ((rc = emit_rc(t, g_api->emit_event(t->h, &e), "event")) != PP_OK)
        return rc;

    snprintf(val, sizeof val, "192.0.2.%d", 100 + n);
    PP_INIT(&ind);
    ind.kind = "ip";
    ind.value = val;
    ind.feed = TP_NAME;
    ind.attributes_json = "{\"origin\":\"collect\"}";
    if ((rc = emit_rc(t, g_api->emit_indicator(t->h, &ind), "indicator")) != PP_OK)
        return rc;

    snprintf(adv_id, sizeof adv_id, "TP-%s", id);
    snprintf(adv_doc, sizeof adv_doc,
             "{\"id\":\"%s\",\"modified\":\"2023-11-14T22:13:20Z\",\"summary\":\"tp_all test advisory\"}",
             adv_id);
    PP_INIT(&a);
    a.id = adv_id;
    a.source = TP_NAME;
    a.modified = 1700000000;
    a.document_json = adv_doc;
    if ((rc = emit_rc(t, g_api->emit_advisory(t->h, &a), "advisory")) != PP_OK)
        return rc;

    snprintf(uid, sizeof uid, "tp_all:%s:0", id);
    snprintf(ver, sizeof ver, "1.0.%d", n);
    PP_INIT(&p);
    p.resource_uid = uid;
    p.ecosystem = "npm";
    p.name = "tp-pkg";
    p.version = ver;
    p.purl = "pkg:npm/tp-pkg";
    p.location = "package-lock.json";
    return emit_rc(t, g_api->emit_package(t->h, &p), "package");
}

static int tp_collect(void *inst, const char *task_json)
{
    tp_all *t = inst;
    cJSON *task = cJSON_Parse(task_json ? task_json : "");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(task, "id");
    const cJSON *index = cJSON_GetObjectItemCaseSensitive(task, "index");
    const cJSON *services = cJSON_GetObjectItemCaseSensitive(task, "services");
    char tid[32];
    int i, n, rc = PP_OK;

    if (!cJSON_IsString(id) || strlen(id->valuestring) >= sizeof tid || !cJSON_IsNumber(index)) {
        cJSON_Delete(task);
        set_error(t, "malformed task: expected {\"id\":string,\"index\":number}");
        return PP_ERR_INVALID;
    }
    snprintf(tid, sizeof tid, "%s", id->valuestring);
    n = index->valueint;
    if (cJSON_IsTrue(services))
        rc = run_service_checks(t);
    cJSON_Delete(task);

    for (i = 0; rc == PP_OK && i < t->per_task; i++) {
        char uid[64], name[64];
        cJSON *d;
        if (g_api->cancelled(t->h))
            return PP_ERR_CANCELLED;
        snprintf(uid, sizeof uid, "tp_all:%s:%d", tid, i);
        snprintf(name, sizeof name, "item-%s-%d", tid, i);
        d = cJSON_CreateObject();
        if (!d)
            return PP_ERR_NOMEM;
        cJSON_AddStringToObject(d, "task", tid);
        cJSON_AddNumberToObject(d, "index", i);
        cJSON_AddBoolToObject(d, "bad", i == 0);
        rc = emit_resource_json(t, uid, "tp.item", name, tid, d);
        g_api->progress(t->h, (uint64_t)i + 1, (uint64_t)t->per_task, "items");
    }
    if (rc == PP_OK)
        rc = emit_other_records(t, tid, n);
    return rc;
}

static const pp_provider_api tp_provider = {
    .size = sizeof(pp_provider_api),
    .plan = tp_plan,
    .collect = tp_collect,
};

/* ---- policy ------------------------------------------------------------ */

static const char tp_rules_json[] =
    "[{\"id\":\"tp-all-double\","
    "\"title\":\"Doubled value over the limit\","
    "\"description\":\"Test rule of the tp_all plugin: uses its CEL function tp.double().\","
    "\"resource_type\":\"tp.number\","
    "\"severity\":\"low\","
    "\"applies\":\"has(resource.data.value) && has(resource.data.limit)\","
    "\"violation\":\"tp.double(resource.data.value) > resource.data.limit\","
    "\"message\":\"twice {{resource.data.value}} is {{tp.double(resource.data.value)}}, "
    "over {{resource.data.limit}}\","
    "\"evidence\":{\"doubled\":\"tp.double(resource.data.value)\"},"
    "\"remediation\":{\"text\":\"none: this rule belongs to a test plugin\"},"
    "\"examples\":{"
    "\"fail\":[{\"uid\":\"tp:n:6\",\"type\":\"tp.number\",\"provider\":\"tp\","
    "\"data\":{\"value\":6,\"limit\":10}}],"
    "\"pass\":[{\"uid\":\"tp:n:4\",\"type\":\"tp.number\",\"provider\":\"tp\","
    "\"data\":{\"value\":4,\"limit\":10}}]}}]";

static const char *tp_rules(void *inst)
{
    (void)inst;
    return tp_rules_json;
}

/* tp.double(x): 2x for a number; an error message otherwise. */
static int tp_double(void *inst, const char *args_json, char **result)
{
    cJSON *args = cJSON_Parse(args_json ? args_json : "");
    const cJSON *x = cJSON_GetArrayItem(args, 0);
    tp_all *t = inst;
    char buf[64];
    const char *text;
    size_t n;
    int rc;

    if (cJSON_IsArray(args) && cJSON_GetArraySize(args) == 1 && cJSON_IsNumber(x)) {
        double v = x->valuedouble * 2;
        if (v == (double)(long long)v && v > -9e15 && v < 9e15)
            snprintf(buf, sizeof buf, "%lld", (long long)v);
        else
            snprintf(buf, sizeof buf, "%.17g", v);
        text = buf;
        rc = PP_OK;
    } else {
        text = "tp.double() expects one number";
        rc = PP_ERR_INVALID;
    }
    cJSON_Delete(args);
    n = strlen(text) + 1;
    *result = g_api->alloc(t->h, n);
    if (!*result)
        return PP_ERR_NOMEM;
    memcpy(*result, text, n);
    return rc;
}

static const pp_cel_function tp_functions[] = {
    { .size = sizeof(pp_cel_function), .name = "tp.double", .min_args = 1, .max_args = 1, .call = tp_double },
};

static int tp_evaluate(void *inst, const char *resource_json)
{
    tp_all *t = inst;
    cJSON *res = cJSON_Parse(resource_json ? resource_json : "");
    const cJSON *uid = cJSON_GetObjectItemCaseSensitive(res, "uid");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(res, "type");
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(res, "data");
    int rc = PP_OK;

    if (!cJSON_IsString(uid)) {
        cJSON_Delete(res);
        set_error(t, "evaluate: resource without a string uid");
        return PP_ERR_INVALID;
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(data, "bad"))) {
        pp_finding f;
        PP_INIT(&f);
        f.rule_id = TP_RULE_BAD;
        f.resource_uid = uid->valuestring;
        f.resource_type = cJSON_IsString(type) ? type->valuestring : NULL;
        f.status = PP_STATUS_FAIL;
        f.severity = PP_SEV_HIGH;
        f.title = "Resource is marked bad";
        f.message = "data.bad is true";
        f.evidence_json = "{\"data.bad\":true}";
        f.remediation = "Set data.bad to false.";
        f.compliance_json = "[{\"framework\":\"tp-framework\",\"requirement\":\"1.1\"}]";
        rc = emit_rc(t, g_api->emit_finding(t->h, &f), "finding");
    }
    cJSON_Delete(res);
    return rc;
}

static const pp_policy_api tp_policy = {
    .size = sizeof(pp_policy_api),
    .rules = tp_rules,
    .frameworks = NULL,
    .functions = tp_functions,
    .n_functions = sizeof tp_functions / sizeof tp_functions[0],
    .evaluate = tp_evaluate,
};

/* ---- threat feed ------------------------------------------------------- */

static int tp_update(void *inst)
{
    tp_all *t = inst;
    pp_indicator i;
    int rc;

    PP_INIT(&i);
    i.kind = "ip";
    i.value = "203.0.113.7";
    i.feed = TP_NAME;
    i.attributes_json = "{\"confidence\":\"high\"}";
    if ((rc = emit_rc(t, g_api->emit_indicator(t->h, &i), "indicator")) != PP_OK)
        return rc;
    PP_INIT(&i);
    i.kind = "domain";
    i.value = "evil.tp.example";
    i.feed = TP_NAME;
    i.expires_at = 4102444800; /* 2100-01-01 */
    return emit_rc(t, g_api->emit_indicator(t->h, &i), "indicator");
}

static const pp_threat_feed_api tp_feed = {
    .size = sizeof(pp_threat_feed_api),
    .update = tp_update,
    .import = NULL,
};

/* ---- scanner ----------------------------------------------------------- */

static int tp_scan(void *inst, const char *task_json)
{
    tp_all *t = inst;
    cJSON *task = cJSON_Parse(task_json ? task_json : "");
    const cJSON *target = cJSON_GetObjectItemCaseSensitive(task, "target");
    char uid[256];
    pp_package p;

    if (!cJSON_IsString(target) || strlen(target->valuestring) > 200) {
        cJSON_Delete(task);
        set_error(t, "scan: task without a string target (at most 200 bytes)");
        return PP_ERR_INVALID;
    }
    snprintf(uid, sizeof uid, "tp_all:image:%s", target->valuestring);
    cJSON_Delete(task);
    PP_INIT(&p);
    p.resource_uid = uid;
    p.ecosystem = "Debian:12";
    p.name = "tp-scanned-pkg";
    p.version = "1.2.3-1";
    p.purl = "pkg:deb/debian/tp-scanned-pkg@1.2.3-1?distro=debian-12";
    p.source_name = "tp-scanned-src";
    p.source_version = "1.2.3-1";
    p.layer = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    p.location = "var/lib/dpkg/status";
    return emit_rc(t, g_api->emit_package(t->h, &p), "package");
}

static const pp_scanner_api tp_scanner = {
    .size = sizeof(pp_scanner_api),
    .plan = NULL,
    .scan = tp_scan,
};

/* ---- output ------------------------------------------------------------ */

static int tp_open(void *inst, const char *format, const char *path, const char *scan_json, void **sink)
{
    tp_all *t = inst;
    tp_sink *s;

    (void)scan_json;
    *sink = NULL;
    if (!format || strcmp(format, "tpout") != 0) {
        set_error(t, "unknown format '%s'", format ? format : "(null)");
        return PP_ERR_INVALID;
    }
    s = calloc(1, sizeof *s);
    if (!s)
        return PP_ERR_NOMEM;
    if (path && *path) {
        s->f = fopen(path, "w");
        if (!s->f) {
            set_error(t, "cannot open '%s' for writing", path);
            free(s);
            return PP_ERR_IO;
        }
        s->owns_file = 1;
    } else {
        s->f = stdout;
    }
    *sink = s;
    return PP_OK;
}

static int tp_write_finding(void *inst, void *sink, const char *finding_json)
{
    tp_all *t = inst;
    tp_sink *s = sink;
    cJSON *f = cJSON_Parse(finding_json ? finding_json : "");
    const cJSON *rule = cJSON_GetObjectItemCaseSensitive(f, "rule_id");
    const cJSON *uid = cJSON_GetObjectItemCaseSensitive(f, "resource_uid");
    int rc = PP_OK;

    if (!cJSON_IsString(rule) || !cJSON_IsString(uid)) {
        set_error(t, "finding without rule_id or resource_uid");
        rc = PP_ERR_INVALID;
    } else if (fprintf(s->f, "%s %s\n", rule->valuestring, uid->valuestring) < 0) {
        set_error(t, "write failed");
        rc = PP_ERR_IO;
    }
    cJSON_Delete(f);
    return rc;
}

/* One line per package: "package RESOURCE_UID NAME@VERSION" (ABI 1.3). */
static int tp_write_package(void *inst, void *sink, const char *package_json)
{
    tp_all *t = inst;
    tp_sink *s = sink;
    cJSON *p = cJSON_Parse(package_json ? package_json : "");
    const cJSON *uid = cJSON_GetObjectItemCaseSensitive(p, "resource_uid");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(p, "name");
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(p, "version");
    int rc = PP_OK;

    if (!cJSON_IsString(uid) || !cJSON_IsString(name) || !cJSON_IsString(version)) {
        set_error(t, "package without resource_uid, name or version");
        rc = PP_ERR_INVALID;
    } else if (fprintf(s->f, "package %s %s@%s\n", uid->valuestring, name->valuestring, version->valuestring) < 0) {
        set_error(t, "write failed");
        rc = PP_ERR_IO;
    }
    cJSON_Delete(p);
    return rc;
}

static int tp_close(void *inst, void *sink, const char *summary_json)
{
    tp_all *t = inst;
    tp_sink *s = sink;
    int rc = PP_OK;

    (void)summary_json;
    if (!s)
        return PP_OK;
    if (s->owns_file ? fclose(s->f) != 0 : fflush(s->f) != 0) {
        set_error(t, "closing the output failed");
        rc = PP_ERR_IO;
    }
    free(s);
    return rc;
}

static const pp_output_api tp_output = {
    .size = sizeof(pp_output_api),
    .formats = "tpout",
    .open = tp_open,
    .write_finding = tp_write_finding,
    .write_resource = NULL,
    .close = tp_close,
    .write_package = tp_write_package,
};

/* ---- remediation ------------------------------------------------------- */

static const char *tp_rem_plan(void *inst, const char *finding_json)
{
    tp_all *t = inst;
    cJSON *f = cJSON_Parse(finding_json ? finding_json : "");
    const cJSON *rule = cJSON_GetObjectItemCaseSensitive(f, "rule_id");
    const cJSON *uid = cJSON_GetObjectItemCaseSensitive(f, "resource_uid");
    cJSON *plan = NULL;

    cJSON_free(t->rem_plan);
    t->rem_plan = NULL;
    if (cJSON_IsString(rule) && strcmp(rule->valuestring, TP_RULE_BAD) == 0 && cJSON_IsString(uid)) {
        plan = cJSON_CreateObject();
        if (plan) {
            cJSON_AddStringToObject(plan, "rule_id", TP_RULE_BAD);
            cJSON_AddStringToObject(plan, "resource_uid", uid->valuestring);
            cJSON_AddStringToObject(plan, "action", "set data.bad to false");
        }
        t->rem_plan = json_text(plan);
        cJSON_Delete(plan);
    }
    cJSON_Delete(f);
    return t->rem_plan;
}

static int tp_apply(void *inst, const char *plan_json, int dry_run)
{
    tp_all *t = inst;
    cJSON *plan = cJSON_Parse(plan_json ? plan_json : "");
    const cJSON *uid = cJSON_GetObjectItemCaseSensitive(plan, "resource_uid");
    const cJSON *action = cJSON_GetObjectItemCaseSensitive(plan, "action");

    if (!cJSON_IsString(uid) || !cJSON_IsString(action)) {
        cJSON_Delete(plan);
        set_error(t, "apply: plan without resource_uid and action");
        return PP_ERR_INVALID;
    }
    pp_logf(g_api, t->h, PP_LOG_INFO, "tp_all: %s %s on %s", dry_run ? "would" : "did (pretend)",
            action->valuestring, uid->valuestring);
    cJSON_Delete(plan);
    return PP_OK;
}

static const pp_remediation_api tp_remediation = {
    .size = sizeof(pp_remediation_api),
    .plan = tp_rem_plan,
    .apply = tp_apply,
};

/* ---- descriptor -------------------------------------------------------- */

static const char tp_schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[],"
    "\"properties\":{"
    "\"url\":{\"type\":\"string\",\"description\":\"URL to GET through host->http\"},"
    "\"token_ref\":{\"type\":\"string\",\"description\":\"secret reference (env:NAME or file:PATH)\"},"
    "\"tasks\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":50,\"default\":3},"
    "\"per_task\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":1000,\"default\":5},"
    "\"mode\":{\"type\":\"string\",\"enum\":[\"normal\",\"strict\"]},"
    "\"ratio\":{\"type\":\"number\",\"minimum\":0,\"maximum\":1},"
    "\"verbose\":{\"type\":\"boolean\"},"
    "\"labels\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}"
    "}}";

static const pp_plugin tp_descriptor = {
    .size = sizeof(pp_plugin),
    .abi_major = PP_ABI_MAJOR,
    .abi_minor = PP_ABI_MINOR,
    .name = TP_NAME,
    .version = "1.0.0",
    .description = "test plugin: all kinds, every host service",
    .license = "Apache-2.0",
    .kinds = PP_KIND_PROVIDER | PP_KIND_POLICY | PP_KIND_THREAT_FEED | PP_KIND_SCANNER
             | PP_KIND_OUTPUT | PP_KIND_REMEDIATION,
    .threads = PP_THREADS_PARALLEL,
    .config_schema = tp_schema,
    .init = tp_init,
    .destroy = tp_destroy,
    .last_error = tp_last_error,
    .provider = &tp_provider,
    .policy = &tp_policy,
    .threat_feed = &tp_feed,
    .scanner = &tp_scanner,
    .output = &tp_output,
    .remediation = &tp_remediation,
};

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out)
{
    (void)h;
    if (!api || !out || api->abi_major != PP_ABI_MAJOR)
        return PP_ERR_INVALID;
    /* Needs the 1.1 services (kv, service) only optionally: see PP_HOST_HAS. */
    g_api = api;
    *out = &tp_descriptor;
    return PP_OK;
}
