/* core/cmd_plugin.c - `parapet plugin list|info`. */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/bundle.h"
#include "http/http.h"
#include "cli.h"
#include "log.h"
#include "util.h"

static cJSON *plugin_json(const loaded_plugin *lp, int detail)
{
    cJSON *o = cJSON_CreateObject();
    char kinds[128];
    cJSON_AddStringToObject(o, "name", lp->name);
    if (lp->desc.size) {
        cJSON_AddStringToObject(o, "version", lp->desc.version ? lp->desc.version : "");
        char abi[32];
        snprintf(abi, sizeof abi, "%u.%u", lp->desc.abi_major, lp->desc.abi_minor);
        cJSON_AddStringToObject(o, "abi", abi);
        cJSON *k = cJSON_AddArrayToObject(o, "kinds");
        kinds_string(lp->desc.kinds, kinds, sizeof kinds);
        char *save = NULL;
        for (char *t = strtok_r(kinds, ",", &save); t; t = strtok_r(NULL, ",", &save))
            cJSON_AddItemToArray(k, cJSON_CreateString(t));
    }
    cJSON_AddStringToObject(o, "path", lp->path);
    cJSON_AddStringToObject(o, "source", lp->from_bundle ? "bundle" : "development");
    if (lp->from_bundle) {
        cJSON_AddBoolToObject(o, "verified", lp->verified);
        if (lp->signer[0])
            cJSON_AddStringToObject(o, "signer", lp->signer);
    }
    cJSON_AddStringToObject(o, "status", lp->ok ? "ok" : "refused");
    if (!lp->ok)
        cJSON_AddStringToObject(o, "error", lp->error ? lp->error : "unknown");
    if (detail && lp->ok) {
        if (lp->desc.description)
            cJSON_AddStringToObject(o, "description", lp->desc.description);
        if (lp->desc.license)
            cJSON_AddStringToObject(o, "license", lp->desc.license);
        cJSON_AddStringToObject(o, "threads", lp->desc.threads == PP_THREADS_PARALLEL ? "parallel" : "serial");
        if (lp->desc.kinds & PP_KIND_OUTPUT)
            cJSON_AddStringToObject(o, "formats", lp->output.formats);
        cJSON *schema = lp->desc.config_schema ? cJSON_Parse(lp->desc.config_schema) : NULL;
        if (schema)
            cJSON_AddItemToObject(o, "config_schema", schema);
    }
    return o;
}

static int list(cli_ctx *c, int json)
{
    registry *r = cli_registry(c);
    if (registry_dev_count(r))
        log_warn("development mode: %zu plugin(s) loaded from loose .so files, without a signed bundle or an "
                 "integrity check (fine in a build tree, not on a server)",
                 registry_dev_count(r));
    if (json) {
        cJSON *arr = cJSON_CreateArray();
        for (size_t i = 0; i < r->n; i++)
            cJSON_AddItemToArray(arr, plugin_json(r->v[i], 0));
        char *s = cJSON_Print(arr);
        puts(s);
        free(s);
        cJSON_Delete(arr);
        return 0;
    }
    if (!r->n) {
        printf("No plugins found in:");
        for (size_t i = 0; i < c->n_plugin_dirs; i++)
            printf(" %s", c->plugin_dirs[i]);
        printf("\n");
        return 0;
    }
    printf("%-16s %-10s %-5s %-24s %-26s %s\n", "NAME", "VERSION", "ABI", "KINDS", "TRUST", "STATUS");
    for (size_t i = 0; i < r->n; i++) {
        const loaded_plugin *lp = r->v[i];
        char kinds[128] = "-", abi[16] = "-";
        if (lp->desc.size) {
            kinds_string(lp->desc.kinds, kinds, sizeof kinds);
            snprintf(abi, sizeof abi, "%u.%u", lp->desc.abi_major, lp->desc.abi_minor);
        }
        char trust[64];
        if (!lp->from_bundle)
            snprintf(trust, sizeof trust, "development (no bundle)");
        else if (lp->verified)
            snprintf(trust, sizeof trust, "verified %s", lp->signer);
        else
            snprintf(trust, sizeof trust, "UNVERIFIED (unsigned)");
        printf("%-16s %-10s %-5s %-24s %-26s %s%s\n", lp->name,
               lp->desc.size && lp->desc.version ? lp->desc.version : "-", abi, kinds, trust,
               lp->ok ? "ok" : "refused: ", lp->ok ? "" : lp->error);
    }
    return 0;
}

static int info(cli_ctx *c, const char *name)
{
    registry *r = cli_registry(c);
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->v[i]->name, name) != 0)
            continue;
        cJSON *o = plugin_json(r->v[i], 1);
        char *s = cJSON_Print(o);
        puts(s);
        free(s);
        cJSON_Delete(o);
        return r->v[i]->ok ? 0 : 2;
    }
    fprintf(stderr, "parapet: error: no plugin named '%s' (see 'parapet plugin list')\n", name);
    return 2;
}

/* Fetch @url into @path (created 0600, never through a symlink). A 404 is
 * reported as such with *@missing set. Returns 0 or -1 (message printed). */
static int fetch(http_client *hc, const char *url, const char *path, int *missing)
{
    pp_http_request req;
    memset(&req, 0, sizeof req);
    req.size = sizeof req;
    req.method = "GET";
    req.url = url;
    pp_http_response *resp = NULL;
    char err[512] = "", shown[512];
    *missing = 0;
    http_url_for_log(url, shown, sizeof shown);
    if (http_request(hc, &req, &resp, NULL, NULL, err, sizeof err) != PP_OK) {
        fprintf(stderr, "parapet: error: cannot download %s: %s\n", shown, err);
        return -1;
    }
    int rc = -1;
    if (resp->status == 404) {
        *missing = 1;
    } else if (resp->status != 200) {
        fprintf(stderr, "parapet: error: cannot download %s: HTTP status %ld\n", shown, resp->status);
    } else {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        size_t done = 0;
        while (fd >= 0 && done < resp->body_len) {
            ssize_t w = write(fd, resp->body + done, resp->body_len - done);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                break;
            done += (size_t)w;
        }
        if (fd >= 0 && done == resp->body_len && close(fd) == 0)
            rc = 0;
        else
            fprintf(stderr, "parapet: error: cannot write %s: %s\n", path, strerror(errno));
    }
    http_response_free(resp);
    return rc;
}

/* `plugin install|upgrade|verify https://HOST/NAME-VERSION-OS-ARCH.tar.gz`:
 * download the bundle and its .minisig into a private directory, then run
 * the command on the local copy; the signature is checked there as for any
 * file. Plain http:// is refused. --ca-file FILE trusts an extra CA. */
static int bundle_from_url(cli_ctx *c, int argc, char **argv, int url_at, const char *ca_file)
{
    const char *url = argv[url_at];
    if (strncmp(url, "https://", 8) != 0) {
        fprintf(stderr, "parapet: error: bundles are downloaded over HTTPS only, not '%.8s...'\n", url);
        return 2;
    }
    const char *base = strrchr(url + 8, '/');
    base = base ? base + 1 : "";
    size_t bl = strcspn(base, "?#");
    if (bl < 8 || bl > 200 || strncmp(base + bl - 7, ".tar.gz", 7) != 0 || base[0] == '.' ||
        strcspn(base, "/\\") < bl) {
        fprintf(stderr, "parapet: error: the URL must end in NAME-VERSION-OS-ARCH.tar.gz\n");
        return 2;
    }
    char dir[] = "/tmp/parapet-download-XXXXXX";
    if (!mkdtemp(dir)) {
        fprintf(stderr, "parapet: error: cannot create a temporary directory: %s\n", strerror(errno));
        return 1;
    }
    char path[512], sig[520], sig_url[4200];
    snprintf(path, sizeof path, "%s/%.*s", dir, (int)bl, base);
    snprintf(sig, sizeof sig, "%s.minisig", path);
    snprintf(sig_url, sizeof sig_url, "%.*s.minisig%s", (int)(base + bl - url), url, base + bl);
    http_options o;
    http_options_init(&o);
    o.ca_file = ca_file;
    http_client *hc = NULL;
    char err[512];
    int rc = 1, missing = 0;
    if (http_client_new(&o, &hc, err, sizeof err) != 0) {
        fprintf(stderr, "parapet: error: %s\n", err);
    } else if (fetch(hc, url, path, &missing) == 0) {
        if (fetch(hc, sig_url, sig, &missing) != 0 && !missing) {
            rc = 1;
        } else {
            /* no signature next to it: the bundle is handled as unsigned */
            char **args = xcalloc((size_t)argc + 1, sizeof *args);
            for (int i = 0; i < argc; i++)
                args[i] = i == url_at ? path : argv[i];
            bundle_ctx ctx;
            memset(&ctx, 0, sizeof ctx);
            ctx.plugin_dir = c->n_plugin_dirs ? c->plugin_dirs[0] : NULL;
            ctx.keys_dir = c->keys_dir;
            rc = bundle_cmd(argc, args, &ctx);
            free(args);
        }
    } else if (missing) {
        fprintf(stderr, "parapet: error: no bundle at that URL (HTTP 404)\n");
    }
    http_client_free(hc);
    unlink(sig);
    unlink(path);
    rmdir(dir);
    return rc;
}

int cmd_plugin(cli_ctx *c, int argc, char **argv)
{
    if (argc < 1)
        return cli_usage_error("plugin", "say what to do: list or info NAME");
    static const char *const bundle_cmds[] = {"keygen", "pack", "sign", "verify", "install", "upgrade", "remove",
                                              "check"};
    for (size_t i = 0; i < sizeof bundle_cmds / sizeof bundle_cmds[0]; i++) {
        if (strcmp(argv[0], bundle_cmds[i]) != 0)
            continue;
        /* --ca-file is ours (for downloads); a URL argument is downloaded first */
        const char *ca_file = NULL;
        int url_at = -1, n = 0;
        char **args = xcalloc((size_t)argc + 1, sizeof *args);
        for (int k = 0; k < argc; k++) {
            if (!strcmp(argv[k], "--ca-file") && k + 1 < argc) {
                ca_file = argv[++k];
                continue;
            }
            if (k > 0 && (!strncmp(argv[k], "https://", 8) || !strncmp(argv[k], "http://", 7)))
                url_at = n;
            args[n++] = argv[k];
        }
        int rc;
        if (url_at > 0) {
            rc = bundle_from_url(c, n, args, url_at, ca_file);
        } else {
            bundle_ctx ctx;
            memset(&ctx, 0, sizeof ctx);
            ctx.plugin_dir = c->n_plugin_dirs ? c->plugin_dirs[0] : NULL;
            ctx.keys_dir = c->keys_dir;
            rc = bundle_cmd(n, args, &ctx);
        }
        free(args);
        return rc;
    }
    if (!strcmp(argv[0], "list")) {
        int json = 0;
        for (int i = 1; i < argc; i++) {
            if (!strcmp(argv[i], "--installed")) {
                /* the bundle tool's own listing, without our flag */
                char *args[8];
                int na = 0;
                for (int k = 0; k < argc && na < 7; k++)
                    if (strcmp(argv[k], "--installed") != 0)
                        args[na++] = argv[k];
                args[na] = NULL;
                bundle_ctx ctx;
                memset(&ctx, 0, sizeof ctx);
                ctx.plugin_dir = c->n_plugin_dirs ? c->plugin_dirs[0] : NULL;
                ctx.keys_dir = c->keys_dir;
                return bundle_cmd(na, args, &ctx);
            }
        }
        for (int i = 1; i < argc; i++) {
            if (!strcmp(argv[i], "--format") && i + 1 < argc) {
                json = !strcmp(argv[++i], "json");
                if (!json && strcmp(argv[i], "text"))
                    return cli_usage_error("plugin", "--format takes text or json");
            } else if (!strcmp(argv[i], "--format=json")) {
                json = 1;
            } else if (!strcmp(argv[i], "--format=text")) {
                json = 0;
            } else {
                return cli_usage_error("plugin", "unknown argument '%s'", argv[i]);
            }
        }
        return list(c, json);
    }
    if (!strcmp(argv[0], "info")) {
        if (argc != 2)
            return cli_usage_error("plugin", "plugin info takes one NAME");
        return info(c, argv[1]);
    }
    return cli_usage_error("plugin", "unknown plugin command '%s'", argv[0]);
}
