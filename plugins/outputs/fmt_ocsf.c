/*
 * plugins/outputs/fmt_ocsf.c - the `ocsf` format: OCSF 1.8.0 events, JSON Lines.
 *
 * One event per line, so a file of any size streams into a SIEM or a data
 * lake. The class follows the finding's kind (finding.h):
 *   posture        -> Compliance Finding     class_uid 2003
 *   threat         -> Detection Finding      class_uid 2004
 *   vulnerability  -> Vulnerability Finding  class_uid 2002
 * category_uid 2 (Findings), activity_id 1 (Create), type_uid =
 * class_uid * 100 + activity_id. The mappings of severity and status are
 * tabled in docs/outputs.md.
 *
 * SOURCE (facts only): OCSF schema 1.8.0 (github.com/ocsf/ocsf-schema tag
 * 1.8.0): the finding event classes, the objects and dictionary.json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "file_sink.h"
#include "outputs.h"

#define OCSF_VERSION "1.8.0"

typedef struct ocsf_state {
    out_file *file;
    out_buf buf;
} ocsf_state;

static int ocsf_open(out_sink *s, const char *path)
{
    ocsf_state *st = calloc(1, sizeof *st);
    if (!st) {
        out_error(s->ctx, "ocsf: out of memory");
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

static const char *const severity_caption[] = {"Informational", "Low", "Medium", "High", "Critical"};

/* Finding status_id (class enum): New 1, Suppressed 3, Resolved 4. */
static int finding_status_id(out_status st)
{
    switch (st) {
    case OUT_ST_PASS: return 4;
    case OUT_ST_MUTED: return 3;
    default: return 1;
    }
}

static const char *finding_status_caption(int id)
{
    return id == 4 ? "Resolved" : id == 3 ? "Suppressed" : "New";
}

/* compliance.status_id: Pass 1, Warning 2, Fail 3. */
static int compliance_status_id(out_status st)
{
    switch (st) {
    case OUT_ST_PASS: return 1;
    case OUT_ST_ERROR: return 2;
    default: return 3;
    }
}

/* OCSF account type_id for a provider, or 0 when unknown. */
static int account_type_id(const char *provider)
{
    if (strcmp(provider, "aws") == 0)
        return 10; /* AWS Account */
    if (strcmp(provider, "gcp") == 0)
        return 11; /* GCP Project */
    if (strcmp(provider, "azure") == 0)
        return 13; /* Azure Subscription */
    return 0;
}

static void add_str(cJSON *o, const char *name, const char *v)
{
    if (v && *v)
        cJSON_AddStringToObject(o, name, v);
}

/* The OCSF event for @f; NULL when out of memory. */
static cJSON *ocsf_event(const out_sink *s, const out_finding *f)
{
    int class_uid = f->kind == OUT_KIND_THREAT ? 2004 : f->kind == OUT_KIND_VULNERABILITY ? 2002 : 2003;
    const char *class_name = class_uid == 2004 ? "Detection Finding"
                             : class_uid == 2002 ? "Vulnerability Finding"
                                                 : "Compliance Finding";
    cJSON *e = cJSON_CreateObject();
    if (!e)
        return NULL;
    cJSON_AddNumberToObject(e, "activity_id", 1);
    cJSON_AddStringToObject(e, "activity_name", "Create");
    cJSON_AddNumberToObject(e, "category_uid", 2);
    cJSON_AddStringToObject(e, "category_name", "Findings");
    cJSON_AddNumberToObject(e, "class_uid", class_uid);
    cJSON_AddStringToObject(e, "class_name", class_name);
    cJSON_AddNumberToObject(e, "type_uid", class_uid * 100 + 1);
    char type_name[64];
    (void)snprintf(type_name, sizeof type_name, "%s: Create", class_name);
    cJSON_AddStringToObject(e, "type_name", type_name);
    cJSON_AddNumberToObject(e, "severity_id", (int)f->severity + 1);
    cJSON_AddStringToObject(e, "severity", severity_caption[f->severity]);
    int sid = finding_status_id(f->status);
    cJSON_AddNumberToObject(e, "status_id", sid);
    cJSON_AddStringToObject(e, "status", finding_status_caption(sid));
    cJSON_AddStringToObject(e, "status_code", out_status_name(f->status));
    if (f->status == OUT_ST_ERROR)
        add_str(e, "status_detail", f->message);
    cJSON_AddNumberToObject(e, "time", (double)f->time_ms);
    add_str(e, "message", f->message);

    cJSON *md = cJSON_AddObjectToObject(e, "metadata");
    cJSON_AddStringToObject(md, "version", OCSF_VERSION);
    cJSON *prod = cJSON_AddObjectToObject(md, "product");
    cJSON_AddStringToObject(prod, "name", "parapet");
    cJSON_AddStringToObject(prod, "vendor_name", "parapet");
    cJSON_AddStringToObject(prod, "version", out_scan_str(s, "parapet_version", "0.0.0"));
    cJSON_AddStringToObject(prod, "uid", "parapet");
    cJSON *profiles = cJSON_AddArrayToObject(md, "profiles");
    cJSON_AddItemToArray(profiles, cJSON_CreateString("cloud"));
    cJSON_AddStringToObject(md, "uid", f->uid);
    if (f->scan_id >= 0) {
        char corr[32];
        (void)snprintf(corr, sizeof corr, "scan-%lld", f->scan_id);
        cJSON_AddStringToObject(md, "correlation_uid", corr);
    }

    cJSON *fi = cJSON_AddObjectToObject(e, "finding_info");
    cJSON_AddStringToObject(fi, "uid", f->uid);
    add_str(fi, "title", *f->title ? f->title : f->rule_id);
    add_str(fi, "desc", f->message);
    cJSON_AddNumberToObject(fi, "created_time", (double)f->time_ms);
    cJSON *types = cJSON_AddArrayToObject(fi, "types");
    cJSON_AddItemToArray(types, cJSON_CreateString(f->rule_id));
    cJSON *an = cJSON_AddObjectToObject(fi, "analytic");
    cJSON_AddStringToObject(an, "uid", f->rule_id);
    add_str(an, "name", *f->title ? f->title : f->rule_id);
    cJSON_AddNumberToObject(an, "type_id", 1); /* Rule */
    cJSON_AddStringToObject(an, "type", "Rule");

    cJSON *res = cJSON_AddArrayToObject(e, "resources");
    cJSON *r = cJSON_CreateObject();
    cJSON_AddItemToArray(res, r);
    cJSON_AddStringToObject(r, "uid", f->resource_uid);
    add_str(r, "type", f->resource_type);
    add_str(r, "region", f->region);
    add_str(r, "provider", f->provider);
    cJSON_AddNumberToObject(r, "role_id", 1);
    cJSON_AddStringToObject(r, "role", "Target");

    if (*f->provider) {
        cJSON *cloud = cJSON_AddObjectToObject(e, "cloud");
        cJSON_AddStringToObject(cloud, "provider", f->provider);
        add_str(cloud, "region", f->region);
        if (*f->account) {
            cJSON *acct = cJSON_AddObjectToObject(cloud, "account");
            cJSON_AddStringToObject(acct, "uid", f->account);
            int t = account_type_id(f->provider);
            if (t)
                cJSON_AddNumberToObject(acct, "type_id", t);
        }
    }

    /* Vulnerability Finding keeps remediation inside the vulnerability */
    if (*f->remediation && class_uid != 2002) {
        cJSON *rem = cJSON_AddObjectToObject(e, "remediation");
        cJSON_AddStringToObject(rem, "desc", f->remediation);
    }

    if (class_uid == 2003) {
        cJSON *c = cJSON_AddObjectToObject(e, "compliance");
        cJSON_AddStringToObject(c, "control", f->rule_id);
        cJSON *stds = cJSON_AddArrayToObject(c, "standards");
        cJSON *reqs = cJSON_AddArrayToObject(c, "requirements");
        const cJSON *it;
        cJSON_ArrayForEach(it, f->compliance)
        {
            const char *fw = out_json_str(it, "framework"), *rq = out_json_str(it, "requirement");
            if (!*fw)
                continue;
            cJSON_AddItemToArray(stds, cJSON_CreateString(fw));
            if (*rq) {
                size_t blen = strlen(fw) + strlen(rq) + 2;
                char *both = malloc(blen);
                if (both) {
                    (void)snprintf(both, blen, "%s %s", fw, rq);
                    cJSON_AddItemToArray(reqs, cJSON_CreateString(both));
                    free(both);
                }
            }
        }
        int cs = compliance_status_id(f->status);
        cJSON_AddNumberToObject(c, "status_id", cs);
        cJSON_AddStringToObject(c, "status", cs == 1 ? "Pass" : cs == 2 ? "Warning" : "Fail");
    } else if (class_uid == 2002) {
        cJSON *vs = cJSON_AddArrayToObject(e, "vulnerabilities");
        cJSON *v = cJSON_CreateObject();
        cJSON_AddItemToArray(vs, v);
        add_str(v, "title", *f->title ? f->title : f->rule_id);
        add_str(v, "desc", f->message);
        cJSON_AddStringToObject(v, "severity", severity_caption[f->severity]);
        cJSON *id = cJSON_AddObjectToObject(v, strncmp(f->rule_id, "CVE-", 4) == 0 ? "cve" : "advisory");
        cJSON_AddStringToObject(id, "uid", f->rule_id);
        if (*f->remediation) {
            cJSON *rem = cJSON_AddObjectToObject(v, "remediation");
            cJSON_AddStringToObject(rem, "desc", f->remediation);
        }
    } else {
        cJSON_AddBoolToObject(e, "is_alert", f->status == OUT_ST_FAIL);
    }

    cJSON *um = cJSON_AddObjectToObject(e, "unmapped");
    cJSON_AddStringToObject(um, "rule_id", f->rule_id);
    if (f->evidence)
        cJSON_AddItemToObject(um, "evidence", cJSON_Duplicate(f->evidence, 1));
    return e;
}

static int ocsf_finding(out_sink *s, const out_finding *f)
{
    ocsf_state *st = s->state;
    cJSON *e = ocsf_event(s, f);
    out_buf_reset(&st->buf);
    if (!e || out_json_append(&st->buf, e) != 0) {
        cJSON_Delete(e);
        out_error(s->ctx, "ocsf: out of memory");
        return PP_ERR_NOMEM;
    }
    cJSON_Delete(e);
    out_buf_char(&st->buf, '\n');
    if (st->buf.oom) {
        out_error(s->ctx, "ocsf: out of memory");
        return PP_ERR_NOMEM;
    }
    return out_file_write(st->file, st->buf.p, st->buf.len, s->ctx->err, sizeof s->ctx->err);
}

static void ocsf_discard(out_sink *s)
{
    ocsf_state *st = s->state;
    out_file_discard(st->file);
    out_buf_free(&st->buf);
    free(st);
    s->state = NULL;
}

static int ocsf_close(out_sink *s, const cJSON *summary)
{
    (void)summary;
    ocsf_state *st = s->state;
    int rc = out_file_commit(st->file, s->ctx->err, sizeof s->ctx->err);
    out_buf_free(&st->buf);
    free(st);
    s->state = NULL;
    return rc;
}

const out_format out_format_ocsf = {
    .name = "ocsf",
    .open = ocsf_open,
    .finding = ocsf_finding,
    .close = ocsf_close,
    .discard = ocsf_discard,
};
