/*
 * plugins/outputs/fmt_json.c - the `json` format: one JSON document.
 *
 *   {"format":"parapet.findings","format_version":1,
 *    "scan":{...as given at open...},
 *    "findings":[ FINDING, ... ],
 *    "summary":{...as given at close...}}
 *
 * Findings are written as they come (docs/records.md shape), so memory
 * stays flat whatever the number of findings; the document is complete
 * only once close put the file in place. '<', '>' and '&' are written as
 * \u escapes (escape.h).
 */
#include <stdlib.h>

#include "escape.h"
#include "file_sink.h"
#include "outputs.h"

typedef struct json_state {
    out_file *file;
    out_buf buf;
    unsigned long long n;
} json_state;

/* Write and empty st->buf. */
static int flush_buf(out_sink *s, json_state *st)
{
    if (st->buf.oom) {
        out_error(s->ctx, "json: out of memory");
        return PP_ERR_NOMEM;
    }
    int rc = out_file_write(st->file, st->buf.p, st->buf.len, s->ctx->err, sizeof s->ctx->err);
    out_buf_reset(&st->buf);
    return rc;
}

static int json_open(out_sink *s, const char *path)
{
    json_state *st = calloc(1, sizeof *st);
    if (!st) {
        out_error(s->ctx, "json: out of memory");
        return PP_ERR_NOMEM;
    }
    int rc = out_file_open(path, &st->file, s->ctx->err, sizeof s->ctx->err);
    if (rc != PP_OK) {
        free(st);
        return rc;
    }
    out_buf_str(&st->buf, "{\"format\":\"parapet.findings\",\"format_version\":1,\"scan\":");
    out_json_append(&st->buf, s->scan);
    out_buf_str(&st->buf, ",\n\"findings\":[\n");
    s->state = st;
    return flush_buf(s, st);
}

static int json_finding(out_sink *s, const out_finding *f)
{
    json_state *st = s->state;
    if (st->n++)
        out_buf_str(&st->buf, ",\n");
    out_json_append(&st->buf, f->json);
    return flush_buf(s, st);
}

static void json_discard(out_sink *s)
{
    json_state *st = s->state;
    out_file_discard(st->file);
    out_buf_free(&st->buf);
    free(st);
    s->state = NULL;
}

static int json_close(out_sink *s, const cJSON *summary)
{
    json_state *st = s->state;
    out_buf_str(&st->buf, "\n],\n\"summary\":");
    if (summary)
        out_json_append(&st->buf, summary);
    else
        out_buf_str(&st->buf, "null");
    out_buf_str(&st->buf, "}\n");
    int rc = flush_buf(s, st);
    if (rc != PP_OK) {
        json_discard(s);
        return rc;
    }
    rc = out_file_commit(st->file, s->ctx->err, sizeof s->ctx->err);
    out_buf_free(&st->buf);
    free(st);
    s->state = NULL;
    return rc;
}

const out_format out_format_json = {
    .name = "json",
    .open = json_open,
    .finding = json_finding,
    .close = json_close,
    .discard = json_discard,
};
