/*
 * plugins/outputs/fmt_asff.c - the `asff` format: AWS Security Finding
 * Format, ready for Security Hub's BatchImportFindings.
 *
 * The file is JSON Lines; each line is one request body
 * {"Findings":[ ...at most 100 findings... ]}, the most the API takes per
 * call, so `aws securityhub batch-import-findings --cli-input-json` can send
 * each line as it is. Text fields are cut (on a UTF-8 boundary) to the
 * API's limits. Field mapping: docs/outputs.md.
 *
 * SOURCE (facts only): AWS Security Hub API reference, AwsSecurityFinding
 * (required members, lengths, enums) and BatchImportFindings (100 per call).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "file_sink.h"
#include "outputs.h"

#define ASFF_BATCH 100
#define ASFF_TITLE_MAX 256
#define ASFF_DESC_MAX 1024
#define ASFF_ID_MAX 512
#define ASFF_TEXT_MAX 512
#define ASFF_REQS_MAX 32

typedef struct asff_state {
    out_file *file;
    out_buf batch;    /* the current line, without its closing "]}\n" */
    size_t n;         /* findings in it */
} asff_state;

static int asff_open(out_sink *s, const char *path)
{
    asff_state *st = calloc(1, sizeof *st);
    if (!st) {
        out_error(s->ctx, "asff: out of memory");
        return PP_ERR_NOMEM;
    }
    int rc = out_file_open(path, &st->file, s->ctx->err, sizeof s->ctx->err);
    if (rc != PP_OK) {
        free(st);
        return rc;
    }
    s->state = st;
    return PP_OK;
}

/* Add @v cut to @max bytes (UTF-8 safe). */
static void add_cut(cJSON *o, const char *name, const char *v, size_t max)
{
    size_t n = strlen(v);
    size_t cut = out_utf8_cut(v, n, max);
    if (cut == n) {
        cJSON_AddStringToObject(o, name, v);
        return;
    }
    char *c = strndup(v, cut);
    if (c) {
        cJSON_AddStringToObject(o, name, c);
        free(c);
    }
}

static int is_account(const char *a)
{
    if (strlen(a) != 12)
        return 0;
    for (; *a; a++)
        if (*a < '0' || *a > '9')
            return 0;
    return 1;
}

/* A region name as AWS writes them ("eu-west-1"), loosely. */
static int is_region(const char *r)
{
    size_t n = strlen(r);
    if (n < 9 || n > 25 || r[n - 1] < '0' || r[n - 1] > '9' || r[n - 2] != '-')
        return 0;
    for (; *r; r++)
        if (!((*r >= 'a' && *r <= 'z') || (*r >= '0' && *r <= '9') || *r == '-'))
            return 0;
    return 1;
}

static const char *const labels[] = {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"};

static cJSON *asff_finding_json(out_sink *s, const out_finding *f, const char *account)
{
    const out_config *cfg = &s->ctx->cfg;
    const char *region = is_region(f->region) ? f->region : cfg->aws_region ? cfg->aws_region : "us-east-1";
    char ts[32], id[ASFF_ID_MAX + 1];
    out_format_time(f->time_ms, ts, sizeof ts);
    cJSON *a = cJSON_CreateObject();
    if (!a)
        return NULL;
    cJSON_AddStringToObject(a, "SchemaVersion", "2018-10-08");
    (void)snprintf(id, sizeof id, "parapet/%s", f->uid);
    cJSON_AddStringToObject(a, "Id", id);
    if (cfg->product_arn) {
        cJSON_AddStringToObject(a, "ProductArn", cfg->product_arn);
    } else {
        char arn[160];
        (void)snprintf(arn, sizeof arn, "arn:aws:securityhub:%s:%s:product/%s/default", region, account, account);
        cJSON_AddStringToObject(a, "ProductArn", arn);
    }
    cJSON_AddStringToObject(a, "ProductName", "parapet");
    cJSON_AddStringToObject(a, "CompanyName", "parapet");
    cJSON_AddStringToObject(a, "Region", region);
    add_cut(a, "GeneratorId", f->rule_id, ASFF_ID_MAX);
    cJSON_AddStringToObject(a, "AwsAccountId", account);
    cJSON *types = cJSON_AddArrayToObject(a, "Types");
    cJSON_AddItemToArray(types, cJSON_CreateString(
        f->kind == OUT_KIND_THREAT ? "Unusual Behaviors"
        : f->kind == OUT_KIND_VULNERABILITY ? "Software and Configuration Checks/Vulnerabilities/CVE"
                                            : "Software and Configuration Checks/Industry and Regulatory Standards"));
    cJSON_AddStringToObject(a, "FirstObservedAt", ts);
    cJSON_AddStringToObject(a, "LastObservedAt", ts);
    cJSON_AddStringToObject(a, "CreatedAt", ts);
    cJSON_AddStringToObject(a, "UpdatedAt", ts);
    cJSON *sev = cJSON_AddObjectToObject(a, "Severity");
    cJSON_AddStringToObject(sev, "Label", labels[f->severity]);
    cJSON_AddStringToObject(sev, "Original", out_severity_name(f->severity));
    add_cut(a, "Title", *f->title ? f->title : f->rule_id, ASFF_TITLE_MAX);
    add_cut(a, "Description", *f->message ? f->message : *f->title ? f->title : f->rule_id, ASFF_DESC_MAX);
    if (*f->remediation) {
        cJSON *rec = cJSON_AddObjectToObject(cJSON_AddObjectToObject(a, "Remediation"), "Recommendation");
        add_cut(rec, "Text", f->remediation, ASFF_TEXT_MAX);
    }
    cJSON *pf = cJSON_AddObjectToObject(a, "ProductFields");
    cJSON_AddStringToObject(pf, "parapet/rule_id", f->rule_id);
    cJSON_AddStringToObject(pf, "parapet/status", out_status_name(f->status));
    if (*f->resource_type)
        cJSON_AddStringToObject(pf, "parapet/resource_type", f->resource_type);
    if (*f->provider)
        cJSON_AddStringToObject(pf, "parapet/provider", f->provider);

    cJSON *res = cJSON_AddArrayToObject(a, "Resources");
    cJSON *r = cJSON_CreateObject();
    cJSON_AddItemToArray(res, r);
    cJSON_AddStringToObject(r, "Type", "Other");
    add_cut(r, "Id", f->resource_uid, ASFF_ID_MAX);
    cJSON_AddStringToObject(r, "Partition", "aws");
    cJSON_AddStringToObject(r, "Region", region);

    cJSON *comp = cJSON_AddObjectToObject(a, "Compliance");
    cJSON_AddStringToObject(comp, "Status", f->status == OUT_ST_PASS ? "PASSED"
                                            : f->status == OUT_ST_ERROR ? "NOT_AVAILABLE"
                                                                        : "FAILED");
    cJSON *reqs = cJSON_CreateArray();
    const cJSON *it;
    int n = 0;
    cJSON_ArrayForEach(it, f->compliance)
    {
        const char *fw = out_json_str(it, "framework"), *rq = out_json_str(it, "requirement");
        if (!*fw || n >= ASFF_REQS_MAX)
            continue;
        char buf[256];
        (void)snprintf(buf, sizeof buf, "%s%s%s", fw, *rq ? " " : "", rq);
        cJSON_AddItemToArray(reqs, cJSON_CreateString(buf));
        n++;
    }
    if (n)
        cJSON_AddItemToObject(comp, "RelatedRequirements", reqs);
    else
        cJSON_Delete(reqs);
    cJSON *wf = cJSON_AddObjectToObject(a, "Workflow");
    cJSON_AddStringToObject(wf, "Status", f->status == OUT_ST_MUTED ? "SUPPRESSED"
                                          : f->status == OUT_ST_PASS ? "RESOLVED"
                                                                     : "NEW");
    cJSON_AddStringToObject(a, "RecordState", "ACTIVE");
    return a;
}

static int write_batch(out_sink *s, asff_state *st)
{
    if (st->n == 0)
        return PP_OK;
    out_buf_str(&st->batch, "]}\n");
    if (st->batch.oom) {
        out_error(s->ctx, "asff: out of memory");
        return PP_ERR_NOMEM;
    }
    int rc = out_file_write(st->file, st->batch.p, st->batch.len, s->ctx->err, sizeof s->ctx->err);
    out_buf_reset(&st->batch);
    st->n = 0;
    return rc;
}

static int asff_finding(out_sink *s, const out_finding *f)
{
    asff_state *st = s->state;
    const char *account = is_account(f->account) ? f->account : s->ctx->cfg.aws_account;
    if (!account) {
        out_error(s->ctx,
                  "asff: finding of rule %.128s has no 12-digit AWS account; set -o outputs.aws_account_id=ACCOUNT",
                  f->rule_id);
        return PP_ERR_INVALID;
    }
    cJSON *a = asff_finding_json(s, f, account);
    if (!a) {
        out_error(s->ctx, "asff: out of memory");
        return PP_ERR_NOMEM;
    }
    out_buf_str(&st->batch, st->n ? "," : "{\"Findings\":[");
    int rc = out_json_append(&st->batch, a);
    cJSON_Delete(a);
    if (rc != 0) {
        out_error(s->ctx, "asff: out of memory");
        return PP_ERR_NOMEM;
    }
    if (++st->n == ASFF_BATCH)
        return write_batch(s, st);
    return PP_OK;
}

static void asff_discard(out_sink *s)
{
    asff_state *st = s->state;
    out_file_discard(st->file);
    out_buf_free(&st->batch);
    free(st);
    s->state = NULL;
}

static int asff_close(out_sink *s, const cJSON *summary)
{
    (void)summary;
    asff_state *st = s->state;
    int rc = write_batch(s, st);
    if (rc != PP_OK) {
        asff_discard(s);
        return rc;
    }
    rc = out_file_commit(st->file, s->ctx->err, sizeof s->ctx->err);
    out_buf_free(&st->batch);
    free(st);
    s->state = NULL;
    return rc;
}

const out_format out_format_asff = {
    .name = "asff",
    .open = asff_open,
    .finding = asff_finding,
    .close = asff_close,
    .discard = asff_discard,
};
