/* core/cmd_plugin.c - `parapet plugin list|info`. */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/bundle.h"
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

int cmd_plugin(cli_ctx *c, int argc, char **argv)
{
    if (argc < 1)
        return cli_usage_error("plugin", "say what to do: list or info NAME");
    static const char *const bundle_cmds[] = {"keygen", "pack", "sign", "verify", "install", "upgrade", "remove",
                                              "check"};
    for (size_t i = 0; i < sizeof bundle_cmds / sizeof bundle_cmds[0]; i++) {
        if (strcmp(argv[0], bundle_cmds[i]) != 0)
            continue;
        bundle_ctx ctx;
        memset(&ctx, 0, sizeof ctx);
        ctx.plugin_dir = c->n_plugin_dirs ? c->plugin_dirs[0] : NULL;
        ctx.keys_dir = c->keys_dir;
        return bundle_cmd(argc, argv, &ctx);
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
