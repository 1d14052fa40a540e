/*
 * plugins/outputs/fmt_webhook.c - the `webhook` and `slack` formats: findings
 * POSTed in batches to an HTTP(S) URL through the host's http service.
 *
 * `--output webhook:https://receiver/path` posts JSON bodies:
 *   {"type":"findings","scan":{...},"sequence":N,"findings":[...]}   per batch
 *   {"type":"summary","scan":{...},"sequence":N,"summary":{...}}     at close
 * `--output slack:https://hooks.slack.com/services/...` posts Slack messages
 * ({"text":...,"blocks":[...]}) listing the fail and error findings, and a
 * summary message at close.
 *
 * Retries and backoff are the host's (docs/http.md): it retries 429, a 503
 * with Retry-After and refused connections for a POST, with exponential
 * backoff and full jitter. Any other non-2xx answer fails the output, with
 * the status and the attempts in the error.
 *
 * With config secret_ref every request is signed (sign.h); the secret is
 * fetched from the host for each request and wiped right after use. The
 * URL is never shown whole in messages (a Slack URL is itself a
 * credential): errors name the scheme and host only.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "outputs.h"
#include "sign.h"

#define WEBHOOK_URL_MAX 2048
#define SLACK_BATCH_MAX 45     /* a Slack message has at most 50 blocks */
#define SLACK_SECTION_MAX 2900 /* a section's text has at most 3000 characters */

typedef struct webhook_state {
    int slack;
    char *url;
    char host[256]; /* "https://host:port", for messages */
    out_buf items;  /* findings of the batch, comma-separated JSON (webhook) or block objects (slack) */
    size_t n;
    unsigned long long seq; /* requests sent */
    unsigned long long failing;
} webhook_state;

/* Keep "scheme://authority" of @url in @out. */
static void url_host(const char *url, char *out, size_t len)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t n = strcspn(p, "/?#");
    const char *at = memchr(p, '@', n); /* drop user:password@ */
    if (at) {
        n -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    (void)snprintf(out, len, "%.*s://%.*s", (int)(strstr(url, "://") - url), url, (int)n, p);
}

static int open_common(out_sink *s, const char *path, int slack)
{
    const char *name = slack ? "slack" : "webhook";
    if (!path || !*path) {
        out_error(s->ctx, "%s: give the URL: --output %s:https://HOST/PATH", name, name);
        return PP_ERR_INVALID;
    }
    size_t n = strlen(path);
    int scheme_ok = strncmp(path, "https://", 8) == 0 || strncmp(path, "http://", 7) == 0;
    int chars_ok = 1;
    for (const char *p = path; *p; p++)
        if ((unsigned char)*p <= 0x20 || *p == 0x7f)
            chars_ok = 0;
    if (!scheme_ok || !chars_ok || n > WEBHOOK_URL_MAX || strlen(strstr(path, "://") + 3) == 0) {
        out_error(s->ctx,
                  "%s: the URL must be http:// or https://, at most %d bytes, without spaces or control characters",
                  name, WEBHOOK_URL_MAX);
        return PP_ERR_INVALID;
    }
    webhook_state *st = calloc(1, sizeof *st);
    if (!st || !(st->url = strdup(path))) {
        free(st);
        out_error(s->ctx, "%s: out of memory", name);
        return PP_ERR_NOMEM;
    }
    st->slack = slack;
    url_host(path, st->host, sizeof st->host);
    s->state = st;
    return PP_OK;
}

static int webhook_open(out_sink *s, const char *path)
{
    return open_common(s, path, 0);
}

static int slack_open(out_sink *s, const char *path)
{
    return open_common(s, path, 1);
}

/* POST @body; 0 on a 2xx answer, else a pp_rc with the error set. */
static int post(out_sink *s, webhook_state *st, const out_buf *body)
{
    out_ctx *c = s->ctx;
    const char *name = st->slack ? "slack" : "webhook";
    if (body->oom) {
        out_error(c, "%s: out of memory", name);
        return PP_ERR_NOMEM;
    }
    char ts[32], sig[80], delivery[64];
    (void)snprintf(ts, sizeof ts, "%lld", (long long)time(NULL));
    const cJSON *sid = cJSON_GetObjectItemCaseSensitive(s->scan, "scan_id");
    (void)snprintf(delivery, sizeof delivery, "%lld-%llu", cJSON_IsNumber(sid) ? (long long)sid->valuedouble : 0LL,
                   st->seq);
    pp_http_header hdr[5];
    size_t nh = 0;
    hdr[nh++] = (pp_http_header){"Content-Type", "application/json"};
    hdr[nh++] = (pp_http_header){"X-Parapet-Timestamp", ts};
    hdr[nh++] = (pp_http_header){"X-Parapet-Delivery", delivery};
    if (c->cfg.secret_ref) {
        char *key = NULL;
        size_t key_len = 0;
        int rc = c->api->secret(c->h, c->cfg.secret_ref, &key, &key_len);
        if (rc != PP_OK || !key || key_len == 0) {
            if (key)
                c->api->secret_free(c->h, key, key_len);
            out_error(c, "%s: cannot resolve secret_ref %.200s (an empty or missing secret)", name, c->cfg.secret_ref);
            return rc != PP_OK ? rc : PP_ERR_INVALID;
        }
        int ok = out_sign(key, key_len, ts, body->p, body->len, sig, sizeof sig) == 0;
        c->api->secret_free(c->h, key, key_len); /* wipes */
        if (!ok) {
            out_error(c, "%s: cannot compute the HMAC-SHA256 signature", name);
            return PP_ERR;
        }
        hdr[nh++] = (pp_http_header){"X-Parapet-Signature", sig};
    }
    pp_http_request req = {
        .size = sizeof req,
        .method = "POST",
        .url = st->url,
        .headers = hdr,
        .n_headers = nh,
        .body = body->p,
        .body_len = body->len,
        /* each delivery carries X-Parapet-Delivery: receivers drop repeats, so
         * the host may retry it on 5xx like any idempotent request */
        .flags = PP_HTTP_IDEMPOTENT,
    };
    pp_http_response *resp = NULL;
    int rc = c->api->http(c->h, &req, &resp);
    st->seq++;
    if (rc != PP_OK) {
        out_error(c, "%s: POST to %s failed (%s)", name, st->host,
                  rc == PP_ERR_TIMEOUT     ? "timed out"
                  : rc == PP_ERR_CANCELLED ? "cancelled"
                                           : "connection failed");
        return rc;
    }
    long status = resp->status;
    uint32_t attempts = resp->attempts;
    c->api->http_free(c->h, resp);
    if (status < 200 || status > 299) {
        out_error(c, "%s: POST to %s answered HTTP %ld after %u attempt(s)", name, st->host, status, attempts);
        return PP_ERR_IO;
    }
    if (attempts > 1)
        out_log(c, PP_LOG_INFO, "%s: POST to %s delivered after %u attempts", name, st->host, attempts);
    return PP_OK;
}

/* Send the pending batch, if any. */
static int send_batch(out_sink *s, webhook_state *st)
{
    if (st->n == 0)
        return PP_OK;
    out_buf body = {0};
    if (st->slack) {
        out_buf_printf(&body, "{\"text\":\"parapet: %zu failing finding%s\",\"blocks\":[", st->n,
                       st->n == 1 ? "" : "s");
        out_buf_add(&body, st->items.p, st->items.len);
        out_buf_str(&body, "]}");
    } else {
        out_buf_str(&body, "{\"type\":\"findings\",\"scan\":");
        out_json_append(&body, s->scan);
        out_buf_printf(&body, ",\"sequence\":%llu,\"findings\":[", st->seq);
        out_buf_add(&body, st->items.p, st->items.len);
        out_buf_str(&body, "]}");
    }
    int rc = post(s, st, &body);
    out_buf_free(&body);
    out_buf_reset(&st->items);
    st->n = 0;
    return rc;
}

static const char *const sev_label[] = {"INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"};

/* One Slack section block for @f. */
static int slack_block(out_buf *b, const out_finding *f)
{
    out_buf text = {0};
    out_buf_printf(&text, "*%s* %s `", f->status == OUT_ST_ERROR ? "ERROR" : sev_label[f->severity],
                   f->status == OUT_ST_ERROR ? "could not evaluate" : "");
    out_slack_text(&text, f->rule_id);
    out_buf_str(&text, "` on `");
    out_slack_text(&text, f->resource_uid);
    out_buf_str(&text, "`\n");
    out_slack_text(&text, *f->message ? f->message : f->title);
    if (text.oom) {
        out_buf_free(&text);
        return -1;
    }
    text.p[out_utf8_cut(text.p, text.len, SLACK_SECTION_MAX)] = '\0';
    cJSON *blk = cJSON_CreateObject();
    cJSON *t = blk ? cJSON_AddObjectToObject(blk, "text") : NULL;
    if (t) {
        cJSON_AddStringToObject(blk, "type", "section");
        cJSON_AddStringToObject(t, "type", "mrkdwn");
        cJSON_AddStringToObject(t, "text", text.p);
    }
    out_buf_free(&text);
    int rc = t ? out_json_append(b, blk) : -1;
    cJSON_Delete(blk);
    return rc;
}

static int webhook_finding(out_sink *s, const out_finding *f)
{
    webhook_state *st = s->state;
    int failing = f->status == OUT_ST_FAIL || f->status == OUT_ST_ERROR;
    if (failing)
        st->failing++;
    if ((st->slack || s->ctx->cfg.failing_only) && !failing)
        return PP_OK;
    if (st->n)
        out_buf_char(&st->items, ',');
    int rc = st->slack ? slack_block(&st->items, f) : out_json_append(&st->items, f->json);
    if (rc != 0 || st->items.oom) {
        out_error(s->ctx, "%s: out of memory", st->slack ? "slack" : "webhook");
        return PP_ERR_NOMEM;
    }
    size_t max = s->ctx->cfg.batch_size;
    if (st->slack && max > SLACK_BATCH_MAX)
        max = SLACK_BATCH_MAX;
    if (++st->n >= max)
        return send_batch(s, st);
    return PP_OK;
}

static void webhook_discard(out_sink *s)
{
    webhook_state *st = s->state;
    out_buf_free(&st->items);
    free(st->url);
    free(st);
    s->state = NULL;
}

/* The closing message. */
static void summary_body(out_sink *s, webhook_state *st, const cJSON *summary, out_buf *b)
{
    if (!st->slack) {
        out_buf_str(b, "{\"type\":\"summary\",\"scan\":");
        out_json_append(b, s->scan);
        out_buf_printf(b, ",\"sequence\":%llu,\"summary\":", st->seq);
        if (summary)
            out_json_append(b, summary);
        else
            out_buf_str(b, "null");
        out_buf_char(b, '}');
        return;
    }
    const cJSON *fnd = summary ? cJSON_GetObjectItemCaseSensitive(summary, "findings") : NULL;
    out_buf text = {0};
    const cJSON *sid = cJSON_GetObjectItemCaseSensitive(s->scan, "scan_id");
    out_buf_str(&text, "parapet scan ");
    if (cJSON_IsNumber(sid))
        out_buf_printf(&text, "%lld ", (long long)sid->valuedouble);
    out_buf_str(&text, "finished");
    const char *status = summary ? out_json_str(summary, "status") : "";
    if (*status) {
        out_buf_str(&text, " (");
        out_slack_text(&text, status);
        out_buf_char(&text, ')');
    }
    out_buf_printf(&text, ": %llu failing finding%s", st->failing, st->failing == 1 ? "" : "s");
    static const char *const sevs[] = {"critical", "high", "medium", "low", "info"};
    int shown = 0;
    for (size_t i = 0; cJSON_IsObject(fnd) && i < 5; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(fnd, sevs[i]);
        if (cJSON_IsNumber(v))
            out_buf_printf(&text, "%s %s %.0f", shown++ ? "," : " (findings by severity:", sevs[i], v->valuedouble);
    }
    if (shown)
        out_buf_char(&text, ')');
    cJSON *msg = cJSON_CreateObject();
    if (msg && !text.oom)
        cJSON_AddStringToObject(msg, "text", text.p);
    else
        b->oom = 1;
    out_json_append(b, msg);
    cJSON_Delete(msg);
    out_buf_free(&text);
}

static int webhook_close(out_sink *s, const cJSON *summary)
{
    webhook_state *st = s->state;
    int rc = send_batch(s, st);
    if (rc == PP_OK) {
        out_buf body = {0};
        summary_body(s, st, summary, &body);
        rc = post(s, st, &body);
        out_buf_free(&body);
    }
    webhook_discard(s);
    return rc;
}

const out_format out_format_webhook = {
    .name = "webhook",
    .open = webhook_open,
    .finding = webhook_finding,
    .close = webhook_close,
    .discard = webhook_discard,
};

const out_format out_format_slack = {
    .name = "slack",
    .open = slack_open,
    .finding = webhook_finding,
    .close = webhook_close,
    .discard = webhook_discard,
};
