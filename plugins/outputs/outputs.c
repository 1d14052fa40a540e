/*
 * plugins/outputs/outputs.c - the `outputs` plugin: its descriptor, its
 * configuration and the dispatch from the host's sink calls to the formats.
 *
 * One plugin, many formats (OUT_FORMATS, docs/outputs.md): each request
 * FORMAT[:PATH] opens one sink on the out_format of that name. Findings are
 * parsed and checked once here (finding.h) and handed to the format.
 *
 * Threads: PP_THREADS_SERIAL; the host calls one instance from one thread
 * at a time, so the instance keeps its error text and open sinks unlocked.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outputs.h"

/* The host's service table, kept from the entry call; written once at load. */
static const pp_host_api *host_api;

static const char *const csv_column_names[] = {
    "scan_id", "observed_at",   "status",       "severity", "rule_id",     "title",      "provider",    "account",
    "region",  "resource_type", "resource_uid", "message",  "remediation", "compliance", "finding_uid",
};
#define N_CSV_COLUMNS (sizeof csv_column_names / sizeof csv_column_names[0])

const char *const *out_csv_column_names(size_t *n)
{
    *n = N_CSV_COLUMNS;
    return csv_column_names;
}

static const char outputs_schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
    "\"csv_columns\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":["
    "\"scan_id\",\"observed_at\",\"status\",\"severity\",\"rule_id\",\"title\",\"provider\",\"account\","
    "\"region\",\"resource_type\",\"resource_uid\",\"message\",\"remediation\",\"compliance\",\"finding_uid\"]},"
    "\"description\":\"csv: the columns to write, in order (default: all, in the documented order)\"},"
    "\"secret_ref\":{\"type\":\"string\",\"pattern\":\"^(env|file):.+$\","
    "\"description\":\"webhook/slack: secret reference (env:NAME or file:PATH) of the HMAC-SHA256 signing key\"},"
    "\"batch_size\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000,"
    "\"description\":\"webhook/slack: findings per POST (default 100)\"},"
    "\"failing_only\":{\"type\":\"boolean\","
    "\"description\":\"webhook, syslog, cef: send only fail and error findings (default false; slack always does)\"},"
    "\"aws_account_id\":{\"type\":\"string\",\"pattern\":\"^[0-9]{12}$\","
    "\"description\":\"asff: AwsAccountId for findings without a 12-digit account\"},"
    "\"aws_region\":{\"type\":\"string\",\"pattern\":\"^[a-z]{2}(-[a-z]+)+-[0-9]$\","
    "\"description\":\"asff: region of ProductArn for findings without one (default us-east-1)\"},"
    "\"product_arn\":{\"type\":\"string\",\"pattern\":\"^arn:[a-z-]+:securityhub:\",\"maxLength\":512,"
    "\"description\":\"asff: ProductArn (default: the account's default product, "
    "arn:aws:securityhub:REGION:ACCOUNT:product/ACCOUNT/default)\"},"
    "\"syslog_facility\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":23,"
    "\"description\":\"syslog/cef: facility number (default 13, log audit)\"},"
    "\"udp_max_bytes\":{\"type\":\"integer\",\"minimum\":480,\"maximum\":65000,"
    "\"description\":\"syslog/cef over udp: longest datagram; longer messages are cut (default 2048)\"},"
    "\"hostname\":{\"type\":\"string\",\"pattern\":\"^[!-~]{1,255}$\","
    "\"description\":\"syslog/cef: HOSTNAME field (default: this machine's name)\"}"
    "}}";

static const out_format *const formats[] = {
    &out_format_json,    &out_format_csv,   &out_format_junit,  &out_format_ocsf, &out_format_asff,
    &out_format_webhook, &out_format_slack, &out_format_syslog, &out_format_cef,
};

void out_error(out_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
}

void out_log(out_ctx *c, pp_log_level level, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->api && c->api->log)
        c->api->log(c->h, level, msg);
}

const char *out_scan_str(const out_sink *s, const char *name, const char *dflt)
{
    const char *v = out_json_str(s->scan, name);
    return *v ? v : dflt;
}

/* ---- configuration ------------------------------------------------------ */

static void config_free(out_config *cfg)
{
    free(cfg->secret_ref);
    free(cfg->aws_account);
    free(cfg->aws_region);
    free(cfg->product_arn);
    free(cfg->hostname);
    memset(cfg, 0, sizeof *cfg);
}

/* Copy string member @name into *@dst; "" stays NULL. Returns -1 on a wrong type or no memory. */
static int cfg_string(const cJSON *cfg, const char *name, char **dst)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, name);
    if (!v)
        return 0;
    if (!cJSON_IsString(v))
        return -1;
    if (!*v->valuestring)
        return 0;
    *dst = strdup(v->valuestring);
    return *dst ? 0 : -1;
}

/* Integer member @name in [lo, hi] into *@dst (unchanged when absent). */
static int cfg_int(const cJSON *cfg, const char *name, long lo, long hi, long *dst)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, name);
    if (!v)
        return 0;
    if (!cJSON_IsNumber(v) || v->valuedouble < (double)lo || v->valuedouble > (double)hi ||
        v->valuedouble != (double)(long)v->valuedouble)
        return -1;
    *dst = (long)v->valuedouble;
    return 0;
}

static int parse_config(const char *json, out_config *cfg, const char **err)
{
    memset(cfg, 0, sizeof *cfg);
    cJSON *c = cJSON_Parse(json && *json ? json : "{}");
    if (!cJSON_IsObject(c)) {
        cJSON_Delete(c);
        *err = "outputs: the configuration is not a JSON object";
        return PP_ERR_INVALID;
    }
    long batch = 100, facility = 13, udp = 2048;
    const cJSON *fo = cJSON_GetObjectItemCaseSensitive(c, "failing_only");
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(c, "csv_columns");
    *err = NULL;
    if (cfg_string(c, "secret_ref", &cfg->secret_ref) || cfg_string(c, "aws_account_id", &cfg->aws_account) ||
        cfg_string(c, "aws_region", &cfg->aws_region) || cfg_string(c, "product_arn", &cfg->product_arn) ||
        cfg_string(c, "hostname", &cfg->hostname))
        *err = "outputs: a string option has the wrong type";
    else if (cfg_int(c, "batch_size", 1, 1000, &batch))
        *err = "outputs: batch_size must be an integer from 1 to 1000";
    else if (cfg_int(c, "syslog_facility", 0, 23, &facility))
        *err = "outputs: syslog_facility must be an integer from 0 to 23";
    else if (cfg_int(c, "udp_max_bytes", 480, 65000, &udp))
        *err = "outputs: udp_max_bytes must be an integer from 480 to 65000";
    else if (fo && !cJSON_IsBool(fo))
        *err = "outputs: failing_only must be true or false";
    else if (cfg->secret_ref && strncmp(cfg->secret_ref, "env:", 4) != 0 && strncmp(cfg->secret_ref, "file:", 5) != 0)
        *err = "outputs: secret_ref must be a reference (env:NAME or file:PATH), never the secret itself";
    if (!*err && cols) {
        const cJSON *it;
        if (!cJSON_IsArray(cols) || cJSON_GetArraySize(cols) == 0 || cJSON_GetArraySize(cols) > OUT_CSV_MAX_COLUMNS)
            *err = "outputs: csv_columns must list 1 to 20 column names";
        cJSON_ArrayForEach(it, cols)
        {
            if (*err)
                break;
            size_t k = 0;
            while (k < N_CSV_COLUMNS && !(cJSON_IsString(it) && strcmp(it->valuestring, csv_column_names[k]) == 0))
                k++;
            if (k == N_CSV_COLUMNS)
                *err = "outputs: csv_columns names an unknown column (see docs/outputs.md)";
            else
                cfg->csv_columns[cfg->n_csv_columns++] = (int)k;
        }
    } else if (!*err) {
        for (size_t k = 0; k < N_CSV_COLUMNS; k++)
            cfg->csv_columns[cfg->n_csv_columns++] = (int)k;
    }
    cJSON_Delete(c);
    if (*err) {
        config_free(cfg);
        return PP_ERR_INVALID;
    }
    cfg->batch_size = (size_t)batch;
    cfg->syslog_facility = (int)facility;
    cfg->udp_max_bytes = (size_t)udp;
    cfg->failing_only = cJSON_IsTrue(fo);
    return PP_OK;
}

/* ---- init / destroy ---------------------------------------------------- */

static int outputs_init(pp_host *h, const char *config_json, void **inst, const char **err)
{
    out_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        *err = "outputs: out of memory";
        return PP_ERR_NOMEM;
    }
    int rc = parse_config(config_json, &c->cfg, err);
    if (rc != PP_OK) {
        free(c);
        return rc;
    }
    c->h = h;
    c->api = host_api;
    *inst = c;
    return PP_OK;
}

static void sink_free(out_sink *s)
{
    cJSON_Delete(s->scan);
    free(s);
}

static void sink_unlink(out_ctx *c, out_sink *s)
{
    for (out_sink **pp = &c->sinks; *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            return;
        }
}

static void outputs_destroy(void *inst)
{
    out_ctx *c = inst;
    if (!c)
        return;
    while (c->sinks) {
        out_sink *s = c->sinks;
        c->sinks = s->next;
        out_log(c, PP_LOG_WARN, "outputs: the %s output was never closed; nothing was delivered", s->fmt->name);
        s->fmt->discard(s);
        sink_free(s);
    }
    config_free(&c->cfg);
    free(c);
}

static const char *outputs_last_error(void *inst)
{
    out_ctx *c = inst;
    return c ? c->err : "outputs: no instance";
}

/* ---- sinks --------------------------------------------------------------- */

static int outputs_open(void *inst, const char *format, const char *path, const char *scan_json, void **sink)
{
    out_ctx *c = inst;
    *sink = NULL;
    const out_format *fmt = NULL;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (format && strcmp(format, formats[i]->name) == 0)
            fmt = formats[i];
    if (!fmt) {
        out_error(c, "outputs: unknown format '%.64s' (this plugin writes %s)", format ? format : "(none)",
                  OUT_FORMATS);
        return PP_ERR_INVALID;
    }
    out_sink *s = calloc(1, sizeof *s);
    if (!s) {
        out_error(c, "outputs: out of memory");
        return PP_ERR_NOMEM;
    }
    s->ctx = c;
    s->fmt = fmt;
    s->scan = cJSON_Parse(scan_json && *scan_json ? scan_json : "{}");
    if (!cJSON_IsObject(s->scan)) {
        cJSON_Delete(s->scan);
        s->scan = cJSON_CreateObject();
        out_log(c, PP_LOG_WARN, "outputs: the scan description is not a JSON object; %s writes without it", fmt->name);
    }
    if (!s->scan) {
        free(s);
        out_error(c, "outputs: out of memory");
        return PP_ERR_NOMEM;
    }
    int64_t started = out_parse_time(out_json_str(s->scan, "started_at"));
    s->start_ms = started >= 0 ? started : out_now_ms();
    int rc = fmt->open(s, path);
    if (rc != PP_OK) {
        sink_free(s);
        return rc;
    }
    s->next = c->sinks;
    c->sinks = s;
    *sink = s;
    return PP_OK;
}

static int outputs_write_finding(void *inst, void *sink, const char *finding_json)
{
    out_ctx *c = inst;
    out_sink *s = sink;
    if (!s) {
        out_error(c, "outputs: no such output");
        return PP_ERR_INVALID;
    }
    char why[256];
    cJSON *doc;
    out_finding f;
    if (out_finding_parse(finding_json, s->start_ms, &doc, &f, why, sizeof why) != 0) {
        out_error(c, "outputs (%s): %s", s->fmt->name, why);
        return PP_ERR_INVALID;
    }
    int rc = s->fmt->finding(s, &f);
    cJSON_Delete(doc);
    return rc;
}

static int outputs_close(void *inst, void *sink, const char *summary_json)
{
    out_ctx *c = inst;
    out_sink *s = sink;
    if (!s) {
        out_error(c, "outputs: no such output");
        return PP_ERR_INVALID;
    }
    sink_unlink(c, s);
    cJSON *summary = summary_json ? cJSON_Parse(summary_json) : NULL;
    if (summary && !cJSON_IsObject(summary)) {
        cJSON_Delete(summary);
        summary = NULL;
    }
    int rc = s->fmt->close(s, summary);
    cJSON_Delete(summary);
    sink_free(s);
    return rc;
}

/* ---- descriptor ---------------------------------------------------------- */

static const pp_output_api outputs_output = {
    .size = sizeof(pp_output_api),
    .formats = OUT_FORMATS,
    .open = outputs_open,
    .write_finding = outputs_write_finding,
    .write_resource = NULL,
    .close = outputs_close,
};

static const pp_plugin outputs_plugin = {
    .size = sizeof(pp_plugin),
    .abi_major = PP_ABI_MAJOR,
    .abi_minor = PP_ABI_MINOR,
    .name = "outputs",
    .version = "0.1.0",
    .description = "Findings as JSON, CSV, JUnit XML, OCSF, AWS Security Hub ASFF, webhooks, Slack, syslog and CEF",
    .license = "Apache-2.0",
    .kinds = PP_KIND_OUTPUT,
    .threads = PP_THREADS_SERIAL,
    .config_schema = outputs_schema,
    .init = outputs_init,
    .destroy = outputs_destroy,
    .last_error = outputs_last_error,
    .output = &outputs_output,
};

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out)
{
    (void)h;
    if (!api || !out || api->abi_major != PP_ABI_MAJOR || api->size < offsetof(pp_host_api, log) + sizeof api->log ||
        !api->log)
        return PP_ERR_INVALID;
    host_api = api;
    *out = &outputs_plugin;
    return PP_OK;
}
