/*
 * plugins/cyclonedx/cyclonedx.c - the `cyclonedx` output: the packages a
 * scan found inside images as one CycloneDX 1.6 SBOM (JSON).
 *
 * Usage: --output cyclonedx:FILE (no FILE or "-": standard output).
 * The sink takes the packages (write_package, ABI 1.3) and the image
 * resources (write_resource) as they arrive, and writes the document at
 * close (cdx_bom.c has the mapping; docs/cyclonedx.md). Findings are not
 * part of an SBOM and are accepted and ignored. A FILE is written to a
 * temporary file beside it and renamed into place, so a reader never sees
 * half a BOM and a failed scan leaves an older BOM as it was.
 *
 * Threads: PP_THREADS_SERIAL (the host calls one sink from one thread).
 * Memory: every package is kept until close; at most CDX_MAX_PACKAGES.
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <parapet/plugin.h>

#include "cdx_bom.h"

static const pp_host_api *host_api;

typedef struct cdx_inst {
    char err[512];
} cdx_inst;

typedef struct cdx_sink {
    char *path; /* NULL: standard output */
    cdx_bom bom;
} cdx_sink;

static void set_err(cdx_inst *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_err(cdx_inst *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
}

static int cdx_init(pp_host *h, const char *config_json, void **inst, const char **err)
{
    (void)h;
    (void)config_json;
    cdx_inst *s = calloc(1, sizeof *s);
    if (!s) {
        *err = "cyclonedx: out of memory";
        return PP_ERR_NOMEM;
    }
    *inst = s;
    return PP_OK;
}

static void cdx_destroy(void *inst)
{
    free(inst);
}

static const char *cdx_last_error(void *inst)
{
    return inst ? ((cdx_inst *)inst)->err : "cyclonedx: no instance";
}

static void sink_free(cdx_sink *k)
{
    if (!k)
        return;
    free(k->path);
    cdx_bom_free(&k->bom);
    free(k);
}

static int cdx_open(void *inst, const char *format, const char *path, const char *scan_json, void **sink)
{
    cdx_inst *s = inst;
    *sink = NULL;
    if (!format || strcmp(format, "cyclonedx") != 0) {
        set_err(s, "cyclonedx: unknown format '%s'", format ? format : "(none)");
        return PP_ERR_INVALID;
    }
    cdx_sink *k = calloc(1, sizeof *k);
    if (!k || (path && *path && strcmp(path, "-") != 0 && !(k->path = strdup(path)))) {
        sink_free(k);
        set_err(s, "cyclonedx: out of memory");
        return PP_ERR_NOMEM;
    }
    cJSON *scan = cJSON_Parse(scan_json ? scan_json : "{}");
    const char *ts = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(scan, "started_at"));
    const char *ver = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(scan, "parapet_version"));
    int rc = cdx_bom_init(&k->bom, ts, ver);
    cJSON_Delete(scan);
    if (rc != 0) {
        sink_free(k);
        set_err(s, "cyclonedx: out of memory");
        return PP_ERR_NOMEM;
    }
    *sink = k;
    return PP_OK;
}

static int cdx_write_finding(void *inst, void *sink, const char *finding_json)
{
    (void)inst;
    (void)sink;
    (void)finding_json;
    return PP_OK; /* an SBOM lists components, not findings */
}

static int cdx_write_resource(void *inst, void *sink, const char *resource_json)
{
    const char *why = NULL;
    if (cdx_bom_add_resource(&((cdx_sink *)sink)->bom, resource_json, &why) != 0) {
        set_err(inst, "cyclonedx: %s", why ? why : "cannot keep a resource");
        return PP_ERR;
    }
    return PP_OK;
}

static int cdx_write_package(void *inst, void *sink, const char *package_json)
{
    const char *why = NULL;
    if (cdx_bom_add_package(&((cdx_sink *)sink)->bom, package_json, &why) != 0) {
        set_err(inst, "cyclonedx: %s", why ? why : "cannot keep a package");
        return PP_ERR_INVALID;
    }
    return PP_OK;
}

/* Write @text to @path through a temporary file renamed into place. */
static int write_file(cdx_inst *s, const char *path, const char *text)
{
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp) {
        set_err(s, "cyclonedx: out of memory");
        return PP_ERR_NOMEM;
    }
    snprintf(tmp, n, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        set_err(s, "cyclonedx: cannot write %s: %s", path, strerror(errno));
        free(tmp);
        return PP_ERR_IO;
    }
    (void)fchmod(fd, 0644);
    FILE *fp = fdopen(fd, "w");
    int ok = fp && fputs(text, fp) != EOF && fputc('\n', fp) != EOF;
    int saved = errno;
    if (fp) {
        if (fclose(fp) != 0 && ok) {
            ok = 0;
            saved = errno;
        }
    } else {
        close(fd);
    }
    if (ok && rename(tmp, path) != 0) {
        ok = 0;
        saved = errno;
    }
    if (!ok) {
        unlink(tmp);
        set_err(s, "cyclonedx: cannot write %s: %s", path, strerror(saved));
    }
    free(tmp);
    return ok ? PP_OK : PP_ERR_IO;
}

static int cdx_close(void *inst, void *sink, const char *summary_json)
{
    cdx_inst *s = inst;
    cdx_sink *k = sink;
    (void)summary_json;
    char *text = cdx_bom_render(&k->bom);
    int rc = PP_OK;
    if (!text) {
        set_err(s, "cyclonedx: out of memory (or no random bytes for the serial number)");
        rc = PP_ERR_NOMEM;
    } else if (!k->path) {
        if (fputs(text, stdout) == EOF || fputc('\n', stdout) == EOF || fflush(stdout) != 0) {
            set_err(s, "cyclonedx: cannot write standard output: %s", strerror(errno));
            rc = PP_ERR_IO;
        }
    } else {
        rc = write_file(s, k->path, text);
    }
    free(text);
    sink_free(k);
    return rc;
}

static const pp_output_api cdx_output = {
    .size = sizeof(pp_output_api),
    .formats = "cyclonedx",
    .open = cdx_open,
    .write_finding = cdx_write_finding,
    .write_resource = cdx_write_resource,
    .close = cdx_close,
    .write_package = cdx_write_package,
};

static const pp_plugin cdx_plugin = {
    .size = sizeof(pp_plugin),
    .abi_major = PP_ABI_MAJOR,
    .abi_minor = 3, /* write_package */
    .name = "cyclonedx",
    .version = "0.1.0",
    .description = "Writes the packages found in images as a CycloneDX 1.6 SBOM (JSON)",
    .license = "Apache-2.0",
    .kinds = PP_KIND_OUTPUT,
    .threads = PP_THREADS_SERIAL,
    .config_schema = NULL,
    .init = cdx_init,
    .destroy = cdx_destroy,
    .last_error = cdx_last_error,
    .output = &cdx_output,
};

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out)
{
    (void)h;
    if (!api || !out || api->abi_major != PP_ABI_MAJOR)
        return PP_ERR_INVALID;
    if (api->abi_minor < 3) {
        pp_logf(api, h, PP_LOG_ERROR, "cyclonedx: needs a host of ABI 1.3 or later (write_package)");
        return PP_ERR_INVALID;
    }
    host_api = api;
    *out = &cdx_plugin;
    return PP_OK;
}
