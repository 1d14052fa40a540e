/*
 * plugins/sarif/sarif.c - the `sarif` output: findings as one SARIF 2.1.0
 * log for code scanning (GitHub, GitLab, IDEs).
 *
 * SARIF wants every result tied to a place in a file, but a finding only
 * names its resource. The plugin therefore also takes the scan's
 * resources (write_resource) and remembers where each one came from
 * (source {"kind":"file","file","line","column"}, docs/records.md). At
 * close it writes one run:
 *   - tool.driver.rules: one entry per rule that produced a result, with
 *     its title, remediation and a level from its severity;
 *   - results: failing findings (status fail and error; muted ones with
 *     an accepted external suppression), each with the physical location
 *     of its resource when known (a logical location with the resource
 *     uid otherwise), and partialFingerprints "parapet/v1" - a hash of
 *     rule id and resource uid, stable from scan to scan.
 * Passing findings are not results. The file is written whole at close
 * ("-" or no path: standard output).
 *
 * Threads: PP_THREADS_SERIAL. Memory: everything is kept until close;
 * at most SARIF_MAX_RECORDS findings and resources per sink.
 */
#define _POSIX_C_SOURCE 200809L

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <parapet/plugin.h>

#define SARIF_MAX_RECORDS 2000000
#define SARIF_SCHEMA_URI "https://json.schemastore.org/sarif-2.1.0.json"

static const pp_host_api *host_api;

typedef struct sarif_inst {
    char err[512];
} sarif_inst;

typedef struct sarif_sink {
    char *path;       /* NULL: standard output */
    char *version;    /* parapet version from the scan */
    cJSON *locations; /* resource uid -> {"file","line","column"} */
    cJSON *findings;  /* array of finding objects as received */
    size_t records;
} sarif_sink;

static void set_err(sarif_inst *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_err(sarif_inst *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
}

static int sarif_init(pp_host *h, const char *config_json, void **inst, const char **err)
{
    (void)h;
    (void)config_json;
    sarif_inst *s = calloc(1, sizeof *s);
    if (!s) {
        *err = "sarif: out of memory";
        return PP_ERR_NOMEM;
    }
    *inst = s;
    return PP_OK;
}

static void sarif_destroy(void *inst)
{
    free(inst);
}

static const char *sarif_last_error(void *inst)
{
    return inst ? ((sarif_inst *)inst)->err : "sarif: no instance";
}

static void sink_free(sarif_sink *k)
{
    if (!k)
        return;
    free(k->path);
    free(k->version);
    cJSON_Delete(k->locations);
    cJSON_Delete(k->findings);
    free(k);
}

static int sarif_open(void *inst, const char *format, const char *path, const char *scan_json, void **sink)
{
    sarif_inst *s = inst;
    *sink = NULL;
    if (!format || strcmp(format, "sarif") != 0) {
        set_err(s, "sarif: unknown format '%s'", format ? format : "(none)");
        return PP_ERR_INVALID;
    }
    sarif_sink *k = calloc(1, sizeof *k);
    if (!k || !(k->locations = cJSON_CreateObject()) || !(k->findings = cJSON_CreateArray()) ||
        (path && *path && strcmp(path, "-") && !(k->path = strdup(path)))) {
        sink_free(k);
        set_err(s, "sarif: out of memory");
        return PP_ERR_NOMEM;
    }
    cJSON *scan = cJSON_Parse(scan_json ? scan_json : "{}");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(scan, "parapet_version");
    k->version = strdup(cJSON_IsString(v) ? v->valuestring : "0");
    cJSON_Delete(scan);
    if (!k->version) {
        sink_free(k);
        set_err(s, "sarif: out of memory");
        return PP_ERR_NOMEM;
    }
    *sink = k;
    return PP_OK;
}

static int sarif_write_resource(void *inst, void *sink, const char *resource_json)
{
    sarif_inst *s = inst;
    sarif_sink *k = sink;
    cJSON *r = cJSON_Parse(resource_json ? resource_json : "");
    const cJSON *uid = cJSON_GetObjectItemCaseSensitive(r, "uid");
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(r, "source");
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(src, "kind");
    const cJSON *file = cJSON_GetObjectItemCaseSensitive(src, "file");
    int rc = PP_OK;
    if (cJSON_IsString(uid) && cJSON_IsString(kind) && !strcmp(kind->valuestring, "file") && cJSON_IsString(file)) {
        if (++k->records > SARIF_MAX_RECORDS) {
            set_err(s, "sarif: more than %d findings and resources", SARIF_MAX_RECORDS);
            rc = PP_ERR_INVALID;
        } else if (!cJSON_GetObjectItemCaseSensitive(k->locations, uid->valuestring)) {
            cJSON *loc = cJSON_DetachItemFromObjectCaseSensitive(r, "source");
            if (!loc || !cJSON_AddItemToObject(k->locations, uid->valuestring, loc)) {
                cJSON_Delete(loc);
                set_err(s, "sarif: out of memory");
                rc = PP_ERR_NOMEM;
            }
        }
    }
    cJSON_Delete(r);
    return rc;
}

static int sarif_write_finding(void *inst, void *sink, const char *finding_json)
{
    sarif_inst *s = inst;
    sarif_sink *k = sink;
    cJSON *f = cJSON_Parse(finding_json ? finding_json : "");
    const cJSON *rule = cJSON_GetObjectItemCaseSensitive(f, "rule_id");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(f, "status");
    if (!cJSON_IsObject(f) || !cJSON_IsString(rule) || !cJSON_IsString(status)) {
        cJSON_Delete(f);
        set_err(s, "sarif: a finding without rule_id or status");
        return PP_ERR_INVALID;
    }
    if (!strcmp(status->valuestring, "pass")) {
        cJSON_Delete(f);
        return PP_OK;
    }
    if (++k->records > SARIF_MAX_RECORDS) {
        cJSON_Delete(f);
        set_err(s, "sarif: more than %d findings and resources", SARIF_MAX_RECORDS);
        return PP_ERR_INVALID;
    }
    if (!cJSON_AddItemToArray(k->findings, f)) {
        cJSON_Delete(f);
        set_err(s, "sarif: out of memory");
        return PP_ERR_NOMEM;
    }
    return PP_OK;
}

static const char *str_of(const cJSON *o, const char *k, const char *def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) && *v->valuestring ? v->valuestring : def;
}

static const char *level_of(const char *severity)
{
    if (!strcmp(severity, "critical") || !strcmp(severity, "high"))
        return "error";
    if (!strcmp(severity, "medium"))
        return "warning";
    return "note";
}

/* GitHub's security-severity property (a CVSS-like score). */
static const char *score_of(const char *severity)
{
    if (!strcmp(severity, "critical"))
        return "9.5";
    if (!strcmp(severity, "high"))
        return "8.0";
    if (!strcmp(severity, "medium"))
        return "5.5";
    if (!strcmp(severity, "low"))
        return "3.0";
    return "0.0";
}

/* A file path as a relative URI reference: unsafe bytes percent-encoded. */
static char *path_uri(const char *p)
{
    size_t n = strlen(p);
    char *out = malloc(n * 3 + 1), *o = out;
    if (!out)
        return NULL;
    if (p[0] == '.' && p[1] == '/')
        p += 2;
    for (const unsigned char *c = (const unsigned char *)p; *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || strchr("/-._~", *c))
            *o++ = (char)*c;
        else {
            static const char hex[] = "0123456789ABCDEF";
            *o++ = '%';
            *o++ = hex[*c >> 4];
            *o++ = hex[*c & 15];
        }
    }
    *o = '\0';
    return out;
}

/* FNV-1a 64 of rule id and resource uid, as 16 hex digits. */
static void fingerprint(const char *rule, const char *uid, char out[17])
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = rule; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ 0u) * 1099511628211ULL;
    for (const char *p = uid; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static cJSON *text_obj(const char *t)
{
    cJSON *o = cJSON_CreateObject();
    if (o && !cJSON_AddStringToObject(o, "text", t)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* Build the SARIF log. NULL when out of memory. */
static cJSON *build_log(sarif_sink *k)
{
    cJSON *log = cJSON_CreateObject(), *runs = cJSON_CreateArray(), *run = cJSON_CreateObject();
    cJSON *tool = cJSON_CreateObject(), *driver = cJSON_CreateObject(), *rules = cJSON_CreateArray();
    cJSON *results = cJSON_CreateArray();
    int ok = log && runs && run && tool && driver && rules && results;
    ok = ok && cJSON_AddStringToObject(log, "$schema", SARIF_SCHEMA_URI) &&
         cJSON_AddStringToObject(log, "version", "2.1.0") && cJSON_AddItemToObject(log, "runs", runs);
    if (!ok) {
        cJSON_Delete(log);
        if (!log || !cJSON_GetObjectItemCaseSensitive(log, "runs"))
            cJSON_Delete(runs);
        cJSON_Delete(run);
        cJSON_Delete(tool);
        cJSON_Delete(driver);
        cJSON_Delete(rules);
        cJSON_Delete(results);
        return NULL;
    }
    cJSON_AddItemToArray(runs, run);
    cJSON_AddItemToObject(run, "tool", tool);
    cJSON_AddItemToObject(tool, "driver", driver);
    cJSON_AddStringToObject(driver, "name", "parapet");
    cJSON_AddStringToObject(driver, "semanticVersion", k->version);
    cJSON_AddStringToObject(driver, "informationUri", "https://github.com/parapet-cspm/parapet");
    cJSON_AddItemToObject(driver, "rules", rules);
    cJSON_AddItemToObject(run, "results", results);
    cJSON_AddStringToObject(run, "columnKind", "unicodeCodePoints");
    cJSON *index = cJSON_CreateObject(); /* rule id -> index in rules */
    const cJSON *f;
    cJSON_ArrayForEach(f, k->findings)
    {
        const char *rule = str_of(f, "rule_id", "?"), *sev = str_of(f, "severity", "info");
        const char *status = str_of(f, "status", "fail"), *uid = str_of(f, "resource_uid", "");
        const cJSON *ix = cJSON_GetObjectItemCaseSensitive(index, rule);
        int rule_index;
        if (ix) {
            rule_index = ix->valueint;
        } else {
            rule_index = cJSON_GetArraySize(rules);
            cJSON *r = cJSON_CreateObject(), *cfg = cJSON_CreateObject(), *props = cJSON_CreateObject(),
                  *tags = cJSON_CreateStringArray((const char *const[]){"security"}, 1);
            if (!r || !cfg || !props || !tags) {
                cJSON_Delete(r);
                cJSON_Delete(cfg);
                cJSON_Delete(props);
                cJSON_Delete(tags);
                continue;
            }
            cJSON_AddStringToObject(r, "id", rule);
            cJSON_AddItemToObject(r, "shortDescription", text_obj(str_of(f, "title", rule)));
            cJSON_AddItemToObject(r, "help", text_obj(str_of(f, "remediation", str_of(f, "title", rule))));
            cJSON_AddStringToObject(cfg, "level", level_of(sev));
            cJSON_AddItemToObject(r, "defaultConfiguration", cfg);
            cJSON_AddStringToObject(props, "security-severity", score_of(sev));
            cJSON_AddStringToObject(props, "severity", sev);
            cJSON_AddItemToObject(props, "tags", tags);
            cJSON_AddItemToObject(r, "properties", props);
            cJSON_AddItemToArray(rules, r);
            cJSON_AddNumberToObject(index, rule, rule_index);
        }
        cJSON *res = cJSON_CreateObject(), *locs = cJSON_CreateArray();
        if (!res || !locs) {
            cJSON_Delete(res);
            cJSON_Delete(locs);
            continue;
        }
        cJSON_AddStringToObject(res, "ruleId", rule);
        cJSON_AddNumberToObject(res, "ruleIndex", rule_index);
        cJSON_AddStringToObject(res, "level", !strcmp(status, "error") ? "warning" : level_of(sev));
        cJSON_AddStringToObject(res, "kind", !strcmp(status, "error") ? "review" : "fail");
        cJSON_AddItemToObject(res, "message", text_obj(str_of(f, "message", str_of(f, "title", rule))));
        /* the key that decided the finding (evidence.location, set by the rule
         * engine for resources read from files), else where the resource is */
        const cJSON *src = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(f, "evidence"), "location");
        if (!cJSON_IsObject(src) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(src, "file")))
            src = cJSON_GetObjectItemCaseSensitive(k->locations, uid);
        cJSON *loc = cJSON_CreateObject();
        if (src && loc) {
            cJSON *phys = cJSON_CreateObject(), *art = cJSON_CreateObject(), *region = cJSON_CreateObject();
            char *uri = path_uri(str_of(src, "file", ""));
            const cJSON *line = cJSON_GetObjectItemCaseSensitive(src, "line");
            const cJSON *col = cJSON_GetObjectItemCaseSensitive(src, "column");
            if (phys && art && region && uri) {
                cJSON_AddStringToObject(art, "uri", uri);
                cJSON_AddItemToObject(phys, "artifactLocation", art);
                art = NULL;
                if (cJSON_IsNumber(line) && line->valueint >= 1) {
                    cJSON_AddNumberToObject(region, "startLine", line->valueint);
                    if (cJSON_IsNumber(col) && col->valueint >= 1)
                        cJSON_AddNumberToObject(region, "startColumn", col->valueint);
                    cJSON_AddItemToObject(phys, "region", region);
                    region = NULL;
                }
                cJSON_AddItemToObject(loc, "physicalLocation", phys);
                phys = NULL;
            }
            free(uri);
            cJSON_Delete(phys);
            cJSON_Delete(art);
            cJSON_Delete(region);
        }
        if (loc) {
            cJSON *logical = cJSON_CreateArray(), *l1 = cJSON_CreateObject();
            if (logical && l1) {
                cJSON_AddStringToObject(l1, "fullyQualifiedName", uid);
                cJSON_AddStringToObject(l1, "kind", "resource");
                cJSON_AddItemToArray(logical, l1);
                cJSON_AddItemToObject(loc, "logicalLocations", logical);
            } else {
                cJSON_Delete(logical);
                cJSON_Delete(l1);
            }
            cJSON_AddItemToArray(locs, loc);
        }
        cJSON_AddItemToObject(res, "locations", locs);
        char fp[17];
        fingerprint(rule, uid, fp);
        cJSON *fps = cJSON_CreateObject();
        if (fps) {
            cJSON_AddStringToObject(fps, "parapet/v1", fp);
            cJSON_AddItemToObject(res, "partialFingerprints", fps);
        }
        if (!strcmp(status, "muted")) {
            cJSON *sup = cJSON_CreateArray(), *one = cJSON_CreateObject();
            if (sup && one) {
                cJSON_AddStringToObject(one, "kind", "external");
                cJSON_AddStringToObject(one, "status", "accepted");
                cJSON_AddItemToArray(sup, one);
                cJSON_AddItemToObject(res, "suppressions", sup);
            } else {
                cJSON_Delete(sup);
                cJSON_Delete(one);
            }
        }
        cJSON *props = cJSON_CreateObject();
        if (props) {
            cJSON_AddStringToObject(props, "resourceUid", uid);
            cJSON_AddStringToObject(props, "resourceType", str_of(f, "resource_type", ""));
            cJSON_AddStringToObject(props, "severity", sev);
            cJSON_AddItemToObject(res, "properties", props);
        }
        cJSON_AddItemToArray(results, res);
    }
    cJSON_Delete(index);
    return log;
}

static int sarif_close(void *inst, void *sink, const char *summary_json)
{
    sarif_inst *s = inst;
    sarif_sink *k = sink;
    (void)summary_json;
    cJSON *log = build_log(k);
    char *text = log ? cJSON_Print(log) : NULL;
    cJSON_Delete(log);
    int rc = PP_OK;
    if (!text) {
        set_err(s, "sarif: out of memory");
        rc = PP_ERR_NOMEM;
    } else if (!k->path) {
        if (fputs(text, stdout) == EOF || fputc('\n', stdout) == EOF || fflush(stdout) != 0) {
            set_err(s, "sarif: cannot write standard output: %s", strerror(errno));
            rc = PP_ERR_IO;
        }
    } else {
        FILE *fp = fopen(k->path, "w");
        if (!fp || fputs(text, fp) == EOF || fputc('\n', fp) == EOF) {
            set_err(s, "sarif: cannot write %s: %s", k->path, strerror(errno));
            rc = PP_ERR_IO;
        }
        if (fp && fclose(fp) != 0 && rc == PP_OK) {
            set_err(s, "sarif: cannot write %s: %s", k->path, strerror(errno));
            rc = PP_ERR_IO;
        }
    }
    free(text);
    sink_free(k);
    return rc;
}

static const pp_output_api sarif_output = {
    .size = sizeof(pp_output_api),
    .formats = "sarif",
    .open = sarif_open,
    .write_finding = sarif_write_finding,
    .write_resource = sarif_write_resource,
    .close = sarif_close,
};

static const pp_plugin sarif_plugin = {
    .size = sizeof(pp_plugin),
    .abi_major = PP_ABI_MAJOR,
    .abi_minor = 0,
    .name = "sarif",
    .version = "0.1.0",
    .description = "Writes failing findings as SARIF 2.1.0 with file:line:column of their resources",
    .license = "Apache-2.0",
    .kinds = PP_KIND_OUTPUT,
    .threads = PP_THREADS_SERIAL,
    .config_schema = NULL,
    .init = sarif_init,
    .destroy = sarif_destroy,
    .last_error = sarif_last_error,
    .output = &sarif_output,
};

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out)
{
    (void)h;
    if (!api || !out || api->abi_major != PP_ABI_MAJOR)
        return PP_ERR_INVALID;
    host_api = api;
    *out = &sarif_plugin;
    return PP_OK;
}
