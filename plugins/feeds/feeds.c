/*
 * plugins/feeds/feeds.c - the `feeds` threat-feed plugin: descriptor,
 * configuration, `update` (conditional HTTPS downloads) and `import` (a
 * local file, for air-gapped sites). docs/feeds.md.
 */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feeds.h"

static const pp_host_api *g_api;

static const char feeds_schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
    "\"sources\":{\"type\":\"string\",\"default\":\"osv,kev,epss\","
    "\"description\":\"what `feed update` fetches: any of osv, kev, epss, lists (comma-separated)\"},"
    "\"osv_ecosystems\":{\"type\":\"string\",\"default\":\"Debian:12,npm,PyPI\","
    "\"description\":\"OSV ecosystems whose all.zip export is fetched (comma-separated)\"},"
    "\"osv_base_url\":{\"type\":\"string\",\"default\":\"https://osv-vulnerabilities.storage.googleapis.com\","
    "\"description\":\"base URL of the OSV exports: BASE/ECOSYSTEM/all.zip\"},"
    "\"kev_url\":{\"type\":\"string\","
    "\"default\":\"https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json\","
    "\"description\":\"URL of the CISA KEV catalogue (JSON)\"},"
    "\"epss_url\":{\"type\":\"string\",\"default\":\"https://epss.cyentia.com/epss_scores-current.csv.gz\","
    "\"description\":\"URL of the EPSS scores (CSV, gzip)\"},"
    "\"lists\":{\"type\":\"string\",\"default\":\"\","
    "\"description\":\"indicator lists as NAME=URL, comma-separated (Spamhaus DROP or one IP/CIDR/domain a line)\"}"
    "}}";

int feeds_fail(feeds_ctx *c, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    return rc;
}

static void vlog(feeds_ctx *c, pp_log_level lvl, const char *fmt, va_list ap)
{
    char buf[1024];
    (void)vsnprintf(buf, sizeof buf, fmt, ap);
    c->api->log(c->h, lvl, buf);
}

void feeds_warn(feeds_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(c, PP_LOG_WARN, fmt, ap);
    va_end(ap);
}

void feeds_info(feeds_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(c, PP_LOG_INFO, fmt, ap);
    va_end(ap);
}

int feeds_read_all(feeds_ctx *c, const feed_src *src, size_t cap, char **out, size_t *len)
{
    struct archive *a = archive_read_new();
    if (!a)
        return feeds_fail(c, PP_ERR_NOMEM, "out of memory");
    archive_read_support_filter_all(a);
    archive_read_support_format_raw(a);
    archive_read_support_format_empty(a);
    int r =
        src->path ? archive_read_open_filename(a, src->path, 65536) : archive_read_open_memory(a, src->mem, src->len);
    struct archive_entry *e;
    if (r != ARCHIVE_OK) {
        feeds_fail(c, PP_ERR_IO, "%s: cannot read: %s", src->label, archive_error_string(a));
        archive_read_free(a);
        return -1;
    }
    size_t n = 0, sz = 65536;
    char *buf = malloc(sz + 1);
    if (!buf) {
        archive_read_free(a);
        return feeds_fail(c, PP_ERR_NOMEM, "out of memory");
    }
    r = archive_read_next_header(a, &e);
    if (r == ARCHIVE_OK) {
        for (;;) {
            if (n == sz) {
                if (sz >= cap) {
                    feeds_fail(c, PP_ERR_INVALID, "%s: larger than the %zu MiB limit", src->label, cap >> 20);
                    goto fail;
                }
                sz = sz * 2 > cap ? cap : sz * 2;
                char *nb = realloc(buf, sz + 1);
                if (!nb) {
                    feeds_fail(c, PP_ERR_NOMEM, "out of memory");
                    goto fail;
                }
                buf = nb;
            }
            la_ssize_t got = archive_read_data(a, buf + n, sz - n);
            if (got < 0) {
                feeds_fail(c, PP_ERR_INVALID, "%s: corrupt or truncated: %s", src->label, archive_error_string(a));
                goto fail;
            }
            if (got == 0)
                break;
            n += (size_t)got;
        }
    } else if (r != ARCHIVE_EOF) {
        feeds_fail(c, PP_ERR_INVALID, "%s: cannot read: %s", src->label, archive_error_string(a));
        goto fail;
    }
    archive_read_free(a);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
fail:
    free(buf);
    archive_read_free(a);
    return -1;
}

/* ---- configuration ---- */

static char *dup_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    const char *s = cJSON_IsString(v) ? v->valuestring : "";
    return strdup(s);
}

static void ctx_free(feeds_ctx *c)
{
    if (!c)
        return;
    free(c->sources);
    free(c->osv_ecosystems);
    free(c->osv_base_url);
    free(c->kev_url);
    free(c->epss_url);
    free(c->lists);
    free(c);
}

static int feeds_init(pp_host *h, const char *config_json, void **inst, const char **err)
{
    feeds_ctx *c = calloc(1, sizeof *c);
    cJSON *conf = cJSON_Parse(config_json ? config_json : "{}");
    if (!c || !conf) {
        free(c);
        cJSON_Delete(conf);
        *err = "feeds: out of memory or unreadable configuration";
        return PP_ERR;
    }
    c->api = g_api;
    c->h = h;
    c->sources = dup_str(conf, "sources");
    c->osv_ecosystems = dup_str(conf, "osv_ecosystems");
    c->osv_base_url = dup_str(conf, "osv_base_url");
    c->kev_url = dup_str(conf, "kev_url");
    c->epss_url = dup_str(conf, "epss_url");
    c->lists = dup_str(conf, "lists");
    cJSON_Delete(conf);
    if (!c->sources || !c->osv_ecosystems || !c->osv_base_url || !c->kev_url || !c->epss_url || !c->lists) {
        ctx_free(c);
        *err = "feeds: out of memory";
        return PP_ERR_NOMEM;
    }
    *inst = c;
    return PP_OK;
}

static void feeds_destroy(void *inst)
{
    ctx_free(inst);
}

static const char *feeds_last_error(void *inst)
{
    feeds_ctx *c = inst;
    return c && c->err[0] ? c->err : NULL;
}

/* ---- downloads ---- */

/* Is @item in the comma-separated @list? */
static int in_list(const char *list, const char *item)
{
    size_t n = strlen(item);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *e = p;
        while (*e && *e != ',')
            e++;
        const char *t = e;
        while (t > p && t[-1] == ' ')
            t--;
        if ((size_t)(t - p) == n && !memcmp(p, item, n))
            return 1;
        p = e;
    }
    return 0;
}

static const char *header(const pp_http_response *r, const char *name)
{
    for (size_t i = 0; i < r->n_headers; i++)
        if (!strcmp(r->headers[i].name, name))
            return r->headers[i].value;
    return NULL;
}

static char *kv_text(feeds_ctx *c, const char *key)
{
    char *v = NULL;
    size_t n = 0;
    if (!PP_HOST_HAS(c->api, kv_get) || c->api->kv_get(c->h, key, &v, &n) != PP_OK)
        return NULL;
    return v;
}

static void kv_put(feeds_ctx *c, const char *key, const char *val)
{
    if (PP_HOST_HAS(c->api, kv_set))
        (void)c->api->kv_set(c->h, key, val, val ? strlen(val) : 0, 0);
}

/*
 * Fetch @url for @feed with the validators kept from the last successful
 * load. Returns PP_OK with *resp set (status 200) or NULL (304: unchanged),
 * or an error with c->err set.
 */
static int fetch(feeds_ctx *c, const char *feed, const char *url, pp_http_response **resp)
{
    *resp = NULL;
    if (strncmp(url, "https://", 8) != 0)
        return feeds_fail(c, PP_ERR_INVALID, "feed %s: %s: only https:// URLs are fetched", feed, url);
    char k_etag[300], k_lm[300];
    snprintf(k_etag, sizeof k_etag, "etag:%s", feed);
    snprintf(k_lm, sizeof k_lm, "last-modified:%s", feed);
    char *etag = kv_text(c, k_etag), *lm = kv_text(c, k_lm);
    pp_http_header hdr[2];
    size_t nh = 0;
    if (etag && *etag)
        hdr[nh++] = (pp_http_header){"If-None-Match", etag};
    if (lm && *lm)
        hdr[nh++] = (pp_http_header){"If-Modified-Since", lm};
    pp_http_request req;
    PP_INIT(&req);
    req.url = url;
    req.timeout_ms = 600000; /* exports are large: ten minutes per attempt */
    req.headers = nh ? hdr : NULL;
    req.n_headers = nh;
    pp_http_response *r = NULL;
    int rc = c->api->http(c->h, &req, &r);
    if (etag)
        c->api->free(c->h, etag);
    if (lm)
        c->api->free(c->h, lm);
    if (rc != PP_OK)
        return feeds_fail(c, rc, "feed %s: %s: download failed (%d)", feed, url, rc);
    if (r->status == 304) {
        c->api->http_free(c->h, r);
        feeds_info(c, "feed %s: not modified since the last update", feed);
        return PP_OK;
    }
    if (r->status != 200) {
        long st = r->status;
        c->api->http_free(c->h, r);
        return feeds_fail(c, PP_ERR_IO, "feed %s: %s: HTTP status %ld", feed, url, st);
    }
    *resp = r;
    return PP_OK;
}

/* Remember the validators of a response whose content was loaded. */
static void keep_validators(feeds_ctx *c, const char *feed, const pp_http_response *r)
{
    char k[300];
    const char *etag = header(r, "etag"), *lm = header(r, "last-modified");
    snprintf(k, sizeof k, "etag:%s", feed);
    kv_put(c, k, etag && strlen(etag) < 512 ? etag : NULL);
    snprintf(k, sizeof k, "last-modified:%s", feed);
    kv_put(c, k, lm && strlen(lm) < 128 ? lm : NULL);
}

typedef enum feed_type { FT_OSV_ZIP, FT_KEV, FT_EPSS, FT_LIST } feed_type;

/* Load a body or file as @type into @feed. */
static int load(feeds_ctx *c, feed_type type, const char *feed, const feed_src *src)
{
    if (type == FT_OSV_ZIP)
        return osv_load_zip(c, src, feed);
    size_t cap = type == FT_KEV ? FEEDS_MAX_JSON_BYTES : type == FT_EPSS ? FEEDS_MAX_CSV_BYTES : FEEDS_MAX_LIST_BYTES;
    char *text = NULL;
    size_t len = 0;
    if (feeds_read_all(c, src, cap, &text, &len) != 0)
        return c->err[0] ? PP_ERR_INVALID : PP_ERR;
    int rc = type == FT_KEV    ? kev_load(c, src->label, text, len)
             : type == FT_EPSS ? epss_load(c, src->label, text, len)
                               : list_load(c, feed, src->label, text, len);
    free(text);
    return rc;
}

static int update_one(feeds_ctx *c, feed_type type, const char *feed, const char *url)
{
    pp_http_response *r = NULL;
    int rc = fetch(c, feed, url, &r);
    if (rc != PP_OK || !r)
        return rc;
    feed_src src = {url, NULL, r->body, r->body_len};
    rc = load(c, type, feed, &src);
    if (rc == PP_OK)
        keep_validators(c, feed, r);
    c->api->http_free(c->h, r);
    return rc;
}

/* Run update_one, logging a failure and remembering the first one. */
static void run(feeds_ctx *c, feed_type type, const char *feed, const char *url, int *first_rc, char *first_err,
                size_t errlen)
{
    c->err[0] = '\0';
    int rc = update_one(c, type, feed, url);
    if (rc != PP_OK) {
        c->api->log(c->h, PP_LOG_ERROR, c->err);
        if (*first_rc == PP_OK) {
            *first_rc = rc;
            snprintf(first_err, errlen, "%s", c->err);
        }
    }
}

static int feeds_update(void *inst)
{
    feeds_ctx *c = inst;
    int first = PP_OK;
    char first_err[sizeof c->err] = "";
    if (in_list(c->sources, "kev"))
        run(c, FT_KEV, "kev", c->kev_url, &first, first_err, sizeof first_err);
    if (in_list(c->sources, "epss"))
        run(c, FT_EPSS, "epss", c->epss_url, &first, first_err, sizeof first_err);
    if (in_list(c->sources, "osv")) {
        char *list = strdup(c->osv_ecosystems), *save = NULL;
        if (!list)
            return feeds_fail(c, PP_ERR_NOMEM, "out of memory");
        for (char *eco = strtok_r(list, ",", &save); eco; eco = strtok_r(NULL, ",", &save)) {
            while (*eco == ' ')
                eco++;
            if (!*eco)
                continue;
            char feed[256], url[2048];
            snprintf(feed, sizeof feed, "osv:%s", eco);
            snprintf(url, sizeof url, "%s/%s/all.zip", c->osv_base_url, eco);
            run(c, FT_OSV_ZIP, feed, url, &first, first_err, sizeof first_err);
            if (c->api->cancelled(c->h))
                break;
        }
        free(list);
    }
    if (in_list(c->sources, "lists") && *c->lists) {
        char *list = strdup(c->lists), *save = NULL;
        if (!list)
            return feeds_fail(c, PP_ERR_NOMEM, "out of memory");
        for (char *item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
            char *eq = strchr(item, '=');
            while (*item == ' ')
                item++;
            if (!eq || eq == item) {
                feeds_warn(c, "lists: '%s' is not NAME=URL; skipped", item);
                continue;
            }
            *eq = '\0';
            char feed[256];
            snprintf(feed, sizeof feed, "list:%s", item);
            run(c, FT_LIST, feed, eq + 1, &first, first_err, sizeof first_err);
        }
        free(list);
    }
    snprintf(c->err, sizeof c->err, "%s", first_err);
    return first;
}

/* ---- import ---- */

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

/* The first bytes of @path, for recognising what it is. */
static size_t sniff(const char *path, unsigned char *buf, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t got = fread(buf, 1, n, f);
    fclose(f);
    return got;
}

static int feeds_import(void *inst, const char *path)
{
    feeds_ctx *c = inst;
    c->err[0] = '\0';
    unsigned char head[4];
    size_t nh = sniff(path, head, sizeof head);
    if (nh == 0)
        return feeds_fail(c, PP_ERR_IO, "%s: cannot read the file (missing or empty)", path);
    feed_src src = {path, path, NULL, 0};
    if (nh >= 4 && !memcmp(head, "PK\x03\x04", 4))
        return osv_load_zip(c, &src, NULL);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strstr(base, "epss"))
        return load(c, FT_EPSS, "epss", &src);
    if (ends_with(base, ".json") || ends_with(base, ".json.gz")) {
        char *text = NULL;
        size_t len = 0;
        if (feeds_read_all(c, &src, FEEDS_MAX_JSON_BYTES, &text, &len) != 0)
            return PP_ERR_INVALID;
        int rc = strstr(text, "\"vulnerabilities\"") && strstr(text, "\"cveID\"") ? kev_load(c, path, text, len)
                                                                                  : osv_load_json(c, path, text, len);
        free(text);
        return rc;
    }
    /* anything else is an indicator list named after the file */
    char feed[256];
    size_t n = strcspn(base, ".");
    snprintf(feed, sizeof feed, "list:%.*s", (int)(n > 200 ? 200 : n), base);
    return load(c, FT_LIST, feed, &src);
}

static const pp_threat_feed_api feeds_threat_api = {
    .size = sizeof(pp_threat_feed_api),
    .update = feeds_update,
    .import = feeds_import,
};

static const pp_plugin feeds_plugin = {
    .size = sizeof(pp_plugin),
    .abi_major = PP_ABI_MAJOR,
    .abi_minor = 1,
    .name = "feeds",
    .version = "0.1.0",
    .description = "Vulnerability and threat intelligence: OSV exports, CISA KEV, EPSS, IP/domain blocklists",
    .license = "Apache-2.0",
    .kinds = PP_KIND_THREAT_FEED,
    .threads = PP_THREADS_SERIAL,
    .config_schema = feeds_schema,
    .init = feeds_init,
    .destroy = feeds_destroy,
    .last_error = feeds_last_error,
    .threat_feed = &feeds_threat_api,
};

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out)
{
    (void)h;
    if (!api || api->abi_major != PP_ABI_MAJOR)
        return PP_ERR;
    g_api = api;
    *out = &feeds_plugin;
    return PP_OK;
}
