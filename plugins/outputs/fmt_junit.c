/*
 * plugins/outputs/fmt_junit.c - the `junit` format: JUnit XML for CI.
 *
 *   <testsuites name="parapet" tests= failures= errors= skipped= time="0">
 *     <testsuite name="parapet scan ID" tests= failures= errors= skipped= time="0" timestamp=...>
 *       <testcase classname="RULE_ID" name="RESOURCE_UID" time="0">
 *         <failure type="SEVERITY" message="MESSAGE">TEXT</failure>   (status fail)
 *         <error type="error" message="MESSAGE">TEXT</error>          (status error)
 *         <skipped message="muted: MESSAGE"/>                         (status muted)
 *       </testcase>                                                   (pass: empty)
 *
 * One test case per (rule, resource). The counts sit in the opening tags,
 * which are written last: test cases go to an unlinked temporary file while
 * the scan runs and are copied after the header at close, so memory stays
 * flat. Every embedded string is XML-escaped (escape.h).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "file_sink.h"
#include "outputs.h"

typedef struct junit_state {
    out_file *file;
    FILE *cases;     /* test cases, spooled */
    out_buf buf;
    unsigned long long tests, failures, errors, skipped;
} junit_state;

static int junit_open(out_sink *s, const char *path)
{
    junit_state *st = calloc(1, sizeof *st);
    if (!st) {
        out_error(s->ctx, "junit: out of memory");
        return PP_ERR_NOMEM;
    }
    st->cases = tmpfile();
    if (!st->cases) {
        out_error(s->ctx, "junit: cannot create a temporary file: %s", strerror(errno));
        free(st);
        return PP_ERR_IO;
    }
    int rc = out_file_open(path, &st->file, s->ctx->err, sizeof s->ctx->err);
    if (rc != PP_OK) {
        fclose(st->cases);
        free(st);
        return rc;
    }
    s->state = st;
    return PP_OK;
}

/* The failure/error body: message, remediation, evidence, compliance. */
static void case_text(out_buf *b, const out_finding *f)
{
    out_buf t = {0};
    out_buf_printf(&t, "%s\nrule: %s\nresource: %s\nseverity: %s\n", f->message, f->rule_id, f->resource_uid,
                   out_severity_name(f->severity));
    if (*f->resource_type)
        out_buf_printf(&t, "type: %s\n", f->resource_type);
    if (*f->account || *f->region)
        out_buf_printf(&t, "account: %s region: %s\n", f->account, f->region);
    if (*f->remediation)
        out_buf_printf(&t, "remediation: %s\n", f->remediation);
    if (f->evidence) {
        out_buf_str(&t, "evidence: ");
        out_json_append(&t, f->evidence);
        out_buf_char(&t, '\n');
    }
    out_xml_text(b, t.p);
    if (t.oom)
        b->oom = 1;
    out_buf_free(&t);
}

static int junit_finding(out_sink *s, const out_finding *f)
{
    junit_state *st = s->state;
    out_buf *b = &st->buf;
    out_buf_reset(b);
    out_buf_str(b, "    <testcase classname=\"");
    out_xml_text(b, f->rule_id);
    out_buf_str(b, "\" name=\"");
    out_xml_text(b, f->resource_uid);
    out_buf_str(b, "\" time=\"0\"");
    st->tests++;
    switch (f->status) {
    case OUT_ST_PASS:
        out_buf_str(b, "/>\n");
        break;
    case OUT_ST_FAIL:
    case OUT_ST_ERROR:
        if (f->status == OUT_ST_FAIL)
            st->failures++;
        else
            st->errors++;
        out_buf_printf(b, ">\n      <%s type=\"", f->status == OUT_ST_FAIL ? "failure" : "error");
        out_xml_text(b, f->status == OUT_ST_FAIL ? out_severity_name(f->severity) : "error");
        out_buf_str(b, "\" message=\"");
        out_xml_text(b, *f->title ? f->title : f->message);
        out_buf_str(b, "\">");
        case_text(b, f);
        out_buf_printf(b, "</%s>\n    </testcase>\n", f->status == OUT_ST_FAIL ? "failure" : "error");
        break;
    case OUT_ST_MUTED:
        st->skipped++;
        out_buf_str(b, ">\n      <skipped message=\"muted: ");
        out_xml_text(b, *f->message ? f->message : f->title);
        out_buf_str(b, "\"/>\n    </testcase>\n");
        break;
    }
    if (b->oom) {
        out_error(s->ctx, "junit: out of memory");
        return PP_ERR_NOMEM;
    }
    if (fwrite(b->p, 1, b->len, st->cases) != b->len) {
        out_error(s->ctx, "junit: cannot write the temporary file: %s", strerror(errno));
        return PP_ERR_IO;
    }
    return PP_OK;
}

static void junit_discard(out_sink *s)
{
    junit_state *st = s->state;
    out_file_discard(st->file);
    fclose(st->cases);
    out_buf_free(&st->buf);
    free(st);
    s->state = NULL;
}

static void counts(out_buf *b, const junit_state *st)
{
    out_buf_printf(b, " tests=\"%llu\" failures=\"%llu\" errors=\"%llu\" skipped=\"%llu\" time=\"0\"", st->tests,
                   st->failures, st->errors, st->skipped);
}

static int junit_close(out_sink *s, const cJSON *summary)
{
    junit_state *st = s->state;
    out_buf *b = &st->buf;
    char ts[32];
    const char *started = out_scan_str(s, "started_at", "");
    int64_t ms = out_parse_time(started);
    out_format_time(ms >= 0 ? ms : out_now_ms(), ts, sizeof ts);
    ts[19] = '\0'; /* the JUnit timestamp has no fraction nor zone */
    const cJSON *sid = cJSON_GetObjectItemCaseSensitive(s->scan, "scan_id");
    out_buf_reset(b);
    out_buf_str(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"parapet\"");
    counts(b, st);
    out_buf_str(b, ">\n  <testsuite name=\"");
    if (cJSON_IsNumber(sid))
        out_buf_printf(b, "parapet scan %lld", (long long)sid->valuedouble);
    else
        out_buf_str(b, "parapet scan");
    out_buf_str(b, "\"");
    counts(b, st);
    out_buf_printf(b, " timestamp=\"%s\">\n", ts);
    const char *status = summary ? out_json_str(summary, "status") : "";
    if (*status) {
        out_buf_str(b, "    <properties>\n      <property name=\"scan.status\" value=\"");
        out_xml_text(b, status);
        out_buf_str(b, "\"/>\n    </properties>\n");
    }
    int rc = b->oom ? PP_ERR_NOMEM : out_file_write(st->file, b->p, b->len, s->ctx->err, sizeof s->ctx->err);
    if (b->oom)
        out_error(s->ctx, "junit: out of memory");
    char chunk[16384];
    if (rc == PP_OK && fflush(st->cases) == 0 && fseek(st->cases, 0, SEEK_SET) == 0) {
        size_t n;
        while (rc == PP_OK && (n = fread(chunk, 1, sizeof chunk, st->cases)) > 0)
            rc = out_file_write(st->file, chunk, n, s->ctx->err, sizeof s->ctx->err);
        if (rc == PP_OK && ferror(st->cases)) {
            out_error(s->ctx, "junit: cannot read the temporary file back");
            rc = PP_ERR_IO;
        }
    } else if (rc == PP_OK) {
        out_error(s->ctx, "junit: cannot rewind the temporary file: %s", strerror(errno));
        rc = PP_ERR_IO;
    }
    static const char tail[] = "  </testsuite>\n</testsuites>\n";
    if (rc == PP_OK)
        rc = out_file_write(st->file, tail, sizeof tail - 1, s->ctx->err, sizeof s->ctx->err);
    if (rc != PP_OK) {
        junit_discard(s);
        return rc;
    }
    rc = out_file_commit(st->file, s->ctx->err, sizeof s->ctx->err);
    fclose(st->cases);
    out_buf_free(&st->buf);
    free(st);
    s->state = NULL;
    return rc;
}

const out_format out_format_junit = {
    .name = "junit",
    .open = junit_open,
    .finding = junit_finding,
    .close = junit_close,
    .discard = junit_discard,
};
