/*
 * plugins/outputs/fmt_syslog.c - the `syslog` (RFC 5424) and `cef` (ArcSight
 * CEF) formats, sent over a transport (transport.h).
 *
 * syslog, one message per finding:
 *   <PRI>1 TIME HOST parapet PID finding [finding@32473 rule="" status=""
 *     severity="" resource="" type="" provider="" account="" region="" uid=""] MSG
 * cef, one message per finding, in the same RFC 5424 header (MSGID "cef",
 * no structured data):
 *   CEF:0|parapet|parapet|VERSION|RULE_ID|TITLE|SEVERITY(0-10)|rt=.. externalId=.. ...
 * At close, one summary message of each kind. Field lists, the severity
 * mapping and the escaping are in docs/outputs.md.
 *
 * 32473 is the Private Enterprise Number RFC 5612 reserves for
 * documentation and examples; a deployment may rename the SD-ID in its
 * collector. Datagram transports cut a message to udp_max_bytes: first
 * the free-text MSG, then (when the header and structured data alone are too
 * long) the structured data is dropped.
 *
 * SOURCE (facts only): RFC 5424 (header, PRI, SD-ID and PARAM-VALUE
 * grammar), ArcSight "Implementing ArcSight Common Event Format" rev. 25
 * (header fields, escapes, extension keys rt, externalId, cat, outcome,
 * msg, csN/csNLabel).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "outputs.h"
#include "transport.h"

#define SD_ID "finding@32473"
#define SD_ID_SUMMARY "summary@32473"
#define SD_VALUE_MAX 1024 /* bytes of one PARAM-VALUE before escaping */

typedef struct syslog_state {
    int cef;
    out_transport *t;
    char host[256];
    char pid[16];
    out_buf msg;
} syslog_state;

/* RFC 5424 severities: 2 critical, 3 error, 4 warning, 5 notice, 6 informational. */
static int syslog_severity(const out_finding *f)
{
    static const int by_sev[] = {6, 5, 4, 3, 2};
    return f->status == OUT_ST_FAIL ? by_sev[f->severity] : f->status == OUT_ST_ERROR ? 3 : 6;
}

static int open_common(out_sink *s, const char *path, int cef)
{
    syslog_state *st = calloc(1, sizeof *st);
    if (!st) {
        out_error(s->ctx, "%s: out of memory", cef ? "cef" : "syslog");
        return PP_ERR_NOMEM;
    }
    st->cef = cef;
    const char *h = s->ctx->cfg.hostname;
    char sys[256] = "";
    if (!h && gethostname(sys, sizeof sys - 1) == 0)
        h = sys;
    /* HOSTNAME is 1*255PRINTUSASCII: keep the visible ASCII characters */
    size_t n = 0;
    for (const char *p = h ? h : ""; *p && n < sizeof st->host - 1; p++)
        if (*p > 0x20 && *p < 0x7f)
            st->host[n++] = *p;
    if (n == 0)
        st->host[n++] = '-';
    st->host[n] = '\0';
    (void)snprintf(st->pid, sizeof st->pid, "%ld", (long)getpid());
    int rc = out_transport_open(path, &st->t, s->ctx->err, sizeof s->ctx->err);
    if (rc != 0) {
        free(st);
        return rc;
    }
    s->state = st;
    return PP_OK;
}

static int syslog_open(out_sink *s, const char *path)
{
    return open_common(s, path, 0);
}

static int cef_open(out_sink *s, const char *path)
{
    return open_common(s, path, 1);
}

/* The RFC 5424 header up to and including MSGID and the space after it. */
static void header(out_buf *b, const out_sink *s, const syslog_state *st, int severity, int64_t ms, const char *msgid)
{
    char ts[32];
    out_format_time(ms, ts, sizeof ts);
    out_buf_printf(b, "<%d>1 %s %s parapet %s %s ", s->ctx->cfg.syslog_facility * 8 + severity, ts, st->host,
                   st->pid, msgid);
}

/* One SD-PARAM; @v cut to @cap bytes first. Empty values are left out. */
static void sd_param(out_buf *b, const char *name, const char *v, size_t cap)
{
    if (!v || !*v)
        return;
    size_t n = strlen(v);
    size_t cut = out_utf8_cut(v, n, cap);
    char *c = cut < n ? strndup(v, cut) : NULL;
    out_buf_printf(b, " %s=\"", name);
    out_sd_value(b, c ? c : v);
    out_buf_char(b, '"');
    free(c);
}

static void syslog_sd(out_buf *b, const out_finding *f, size_t cap)
{
    out_buf_str(b, "[" SD_ID);
    sd_param(b, "rule", f->rule_id, cap);
    sd_param(b, "status", out_status_name(f->status), cap);
    sd_param(b, "severity", out_severity_name(f->severity), cap);
    sd_param(b, "resource", f->resource_uid, cap);
    sd_param(b, "type", f->resource_type, cap);
    sd_param(b, "provider", f->provider, cap);
    sd_param(b, "account", f->account, cap);
    sd_param(b, "region", f->region, cap);
    sd_param(b, "uid", f->uid, cap);
    out_buf_char(b, ']');
}

static void cef_ext(out_buf *b, const char *key, const char *v)
{
    if (!v || !*v)
        return;
    out_buf_printf(b, " %s=", key);
    out_cef_value(b, v);
}

static const int cef_severity[] = {1, 3, 5, 8, 10};

static void cef_message(out_buf *b, const out_sink *s, const out_finding *f)
{
    out_buf_str(b, "CEF:0|parapet|parapet|");
    out_cef_header(b, out_scan_str(s, "parapet_version", "0.0.0"));
    out_buf_char(b, '|');
    out_cef_header(b, f->rule_id);
    out_buf_char(b, '|');
    out_cef_header(b, *f->title ? f->title : f->rule_id);
    out_buf_printf(b, "|%d|rt=%lld", f->status == OUT_ST_FAIL ? cef_severity[f->severity] : 0, (long long)f->time_ms);
    cef_ext(b, "externalId", f->uid);
    cef_ext(b, "outcome", out_status_name(f->status));
    cef_ext(b, "cat", f->resource_type);
    cef_ext(b, "msg", f->message);
    cef_ext(b, "cs1Label", "resource");
    cef_ext(b, "cs1", f->resource_uid);
    cef_ext(b, "cs2Label", "account");
    cef_ext(b, "cs2", f->account);
    cef_ext(b, "cs3Label", "region");
    cef_ext(b, "cs3", f->region);
    cef_ext(b, "cs4Label", "provider");
    cef_ext(b, "cs4", f->provider);
    cef_ext(b, "cs5Label", "severity");
    cef_ext(b, "cs5", out_severity_name(f->severity));
}

static int send_msg(out_sink *s, syslog_state *st)
{
    if (st->msg.oom) {
        out_error(s->ctx, "%s: out of memory", st->cef ? "cef" : "syslog");
        return PP_ERR_NOMEM;
    }
    size_t n = st->msg.len;
    if (out_transport_is_datagram(st->t))
        n = out_utf8_cut(st->msg.p, n, s->ctx->cfg.udp_max_bytes);
    return out_transport_send(st->t, st->msg.p, n, s->ctx->err, sizeof s->ctx->err);
}

static int syslog_finding(out_sink *s, const out_finding *f)
{
    syslog_state *st = s->state;
    if (s->ctx->cfg.failing_only && f->status != OUT_ST_FAIL && f->status != OUT_ST_ERROR)
        return PP_OK;
    out_buf *b = &st->msg;
    out_buf_reset(b);
    header(b, s, st, syslog_severity(f), f->time_ms, st->cef ? "cef" : "finding");
    if (st->cef) {
        out_buf_str(b, "- ");
        cef_message(b, s, f);
        return send_msg(s, st);
    }
    size_t head = b->len;
    syslog_sd(b, f, SD_VALUE_MAX);
    if (out_transport_is_datagram(st->t) && b->len + 16 > s->ctx->cfg.udp_max_bytes) {
        /* too long for one datagram even without MSG: smaller values, else no SD */
        b->len = head;
        syslog_sd(b, f, 64);
        if (b->len + 16 > s->ctx->cfg.udp_max_bytes) {
            b->len = head;
            out_buf_char(b, '-');
        }
    }
    out_buf_char(b, ' ');
    out_syslog_msg(b, f->rule_id);
    out_buf_printf(b, " %s on ", out_status_name(f->status));
    out_syslog_msg(b, f->resource_uid);
    if (*f->message) {
        out_buf_str(b, ": ");
        out_syslog_msg(b, f->message);
    }
    return send_msg(s, st);
}

static void syslog_discard(out_sink *s)
{
    syslog_state *st = s->state;
    out_transport_close(st->t);
    out_buf_free(&st->msg);
    free(st);
    s->state = NULL;
}

static int syslog_close(out_sink *s, const cJSON *summary)
{
    syslog_state *st = s->state;
    out_buf *b = &st->msg;
    int rc = PP_OK;
    if (summary) {
        const cJSON *fnd = cJSON_GetObjectItemCaseSensitive(summary, "findings");
        const cJSON *tot = cJSON_GetObjectItemCaseSensitive(fnd, "total");
        const cJSON *res = cJSON_GetObjectItemCaseSensitive(summary, "resources");
        const cJSON *errs = cJSON_GetObjectItemCaseSensitive(summary, "errors");
        char ntot[32] = "", nres[32] = "", nerr[32] = "";
        if (cJSON_IsNumber(tot))
            (void)snprintf(ntot, sizeof ntot, "%.0f", tot->valuedouble);
        if (cJSON_IsNumber(res))
            (void)snprintf(nres, sizeof nres, "%.0f", res->valuedouble);
        if (cJSON_IsNumber(errs))
            (void)snprintf(nerr, sizeof nerr, "%.0f", errs->valuedouble);
        const char *status = out_json_str(summary, "status");
        out_buf_reset(b);
        header(b, s, st, 6, out_now_ms(), st->cef ? "cef" : "summary");
        if (st->cef) {
            out_buf_str(b, "- CEF:0|parapet|parapet|");
            out_cef_header(b, out_scan_str(s, "parapet_version", "0.0.0"));
            out_buf_str(b, "|scan-summary|Scan finished|0|");
            out_buf_printf(b, "rt=%lld", (long long)out_now_ms());
            cef_ext(b, "outcome", status);
            cef_ext(b, "cn1Label", "findings");
            cef_ext(b, "cn1", ntot);
            cef_ext(b, "cn2Label", "resources");
            cef_ext(b, "cn2", nres);
            cef_ext(b, "cn3Label", "errors");
            cef_ext(b, "cn3", nerr);
        } else {
            out_buf_str(b, "[" SD_ID_SUMMARY);
            sd_param(b, "status", status, SD_VALUE_MAX);
            sd_param(b, "findings", ntot, SD_VALUE_MAX);
            sd_param(b, "resources", nres, SD_VALUE_MAX);
            sd_param(b, "errors", nerr, SD_VALUE_MAX);
            out_buf_str(b, "] scan finished: ");
            out_syslog_msg(b, *status ? status : "unknown");
        }
        rc = send_msg(s, st);
    }
    syslog_discard(s);
    return rc;
}

const out_format out_format_syslog = {
    .name = "syslog",
    .open = syslog_open,
    .finding = syslog_finding,
    .close = syslog_close,
    .discard = syslog_discard,
};

const out_format out_format_cef = {
    .name = "cef",
    .open = cef_open,
    .finding = syslog_finding,
    .close = syslog_close,
    .discard = syslog_discard,
};
