/*
 * plugins/outputs/fmt_csv.c - the `csv` format (RFC 4180).
 *
 * One header line, then one line per finding, CRLF line ends, every field
 * double-quoted. The columns and their order are fixed and documented in
 * docs/outputs.md (config csv_columns picks a subset). Cells that a
 * spreadsheet would read as a formula are prefixed with a single quote
 * (escape.h: out_csv_cell).
 */
#include <stdio.h>
#include <stdlib.h>

#include "escape.h"
#include "file_sink.h"
#include "outputs.h"

typedef struct csv_state {
    out_file *file;
    out_buf buf;
} csv_state;

static int flush_buf(out_sink *s, csv_state *st)
{
    if (st->buf.oom) {
        out_error(s->ctx, "csv: out of memory");
        return PP_ERR_NOMEM;
    }
    int rc = out_file_write(st->file, st->buf.p, st->buf.len, s->ctx->err, sizeof s->ctx->err);
    out_buf_reset(&st->buf);
    return rc;
}

static int csv_open(out_sink *s, const char *path)
{
    csv_state *st = calloc(1, sizeof *st);
    if (!st) {
        out_error(s->ctx, "csv: out of memory");
        return PP_ERR_NOMEM;
    }
    int rc = out_file_open(path, &st->file, s->ctx->err, sizeof s->ctx->err);
    if (rc != PP_OK) {
        free(st);
        return rc;
    }
    size_t n;
    const char *const *names = out_csv_column_names(&n);
    const out_config *cfg = &s->ctx->cfg;
    for (size_t i = 0; i < cfg->n_csv_columns; i++) {
        if (i)
            out_buf_char(&st->buf, ',');
        out_csv_cell(&st->buf, names[cfg->csv_columns[i]]);
    }
    out_buf_str(&st->buf, "\r\n");
    s->state = st;
    return flush_buf(s, st);
}

/* "framework:requirement;..." for the compliance column. */
static void compliance_text(out_buf *b, const cJSON *arr)
{
    const cJSON *it;
    int first = 1;
    cJSON_ArrayForEach(it, arr)
    {
        const char *fw = out_json_str(it, "framework");
        const char *rq = out_json_str(it, "requirement");
        if (!*fw)
            continue;
        if (!first)
            out_buf_char(b, ';');
        first = 0;
        out_buf_str(b, fw);
        if (*rq) {
            out_buf_char(b, ':');
            out_buf_str(b, rq);
        }
    }
}

/* Append the cell of column @col for @f. */
static void cell(out_buf *b, int col, const out_finding *f)
{
    char num[32];
    out_buf tmp = {0};
    const char *v = "";
    switch (col) {
    case 0:
        if (f->scan_id >= 0) {
            (void)snprintf(num, sizeof num, "%lld", f->scan_id);
            v = num;
        }
        break;
    case 1:
        out_format_time(f->time_ms, num, sizeof num);
        v = num;
        break;
    case 2: v = out_status_name(f->status); break;
    case 3: v = out_severity_name(f->severity); break;
    case 4: v = f->rule_id; break;
    case 5: v = f->title; break;
    case 6: v = f->provider; break;
    case 7: v = f->account; break;
    case 8: v = f->region; break;
    case 9: v = f->resource_type; break;
    case 10: v = f->resource_uid; break;
    case 11: v = f->message; break;
    case 12: v = f->remediation; break;
    case 13:
        compliance_text(&tmp, f->compliance);
        v = tmp.p ? tmp.p : "";
        break;
    case 14: v = f->uid; break;
    default: break;
    }
    out_csv_cell(b, v);
    if (tmp.oom)
        b->oom = 1;
    out_buf_free(&tmp);
}

static int csv_finding(out_sink *s, const out_finding *f)
{
    csv_state *st = s->state;
    const out_config *cfg = &s->ctx->cfg;
    for (size_t i = 0; i < cfg->n_csv_columns; i++) {
        if (i)
            out_buf_char(&st->buf, ',');
        cell(&st->buf, cfg->csv_columns[i], f);
    }
    out_buf_str(&st->buf, "\r\n");
    return flush_buf(s, st);
}

static void csv_discard(out_sink *s)
{
    csv_state *st = s->state;
    out_file_discard(st->file);
    out_buf_free(&st->buf);
    free(st);
    s->state = NULL;
}

static int csv_close(out_sink *s, const cJSON *summary)
{
    (void)summary;
    csv_state *st = s->state;
    int rc = out_file_commit(st->file, s->ctx->err, sizeof s->ctx->err);
    out_buf_free(&st->buf);
    free(st);
    s->state = NULL;
    return rc;
}

const out_format out_format_csv = {
    .name = "csv",
    .open = csv_open,
    .finding = csv_finding,
    .close = csv_close,
    .discard = csv_discard,
};
