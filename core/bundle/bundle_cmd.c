/* core/bundle/bundle_cmd.c - `parapet plugin` subcommands over bundle.h. */
#include "config.h"

#include "bundle.h"
#include "pack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

typedef struct opt_spec {
    const char *name; /* "--name" */
    int takes_value;
    const char **value; /* where the value goes */
    int *flag;          /* set to 1 when given */
} opt_spec;

static void print_error(const char *msg)
{
    fprintf(stderr, "parapet: error: %s\n", msg);
}

/* parse_opts - options anywhere among the arguments; the rest go to
 * @pos (at most @max_pos). -1 on a usage error (already printed). */
static int parse_opts(int argc, char **argv, const opt_spec *specs, const char **pos, int max_pos,
                      int *n_pos)
{
    *n_pos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || strcmp(a, "--") == 0) {
            if (strcmp(a, "--") == 0) {
                for (i++; i < argc; i++) {
                    if (*n_pos >= max_pos)
                        goto too_many;
                    pos[(*n_pos)++] = argv[i];
                }
                break;
            }
            if (*n_pos >= max_pos)
                goto too_many;
            pos[(*n_pos)++] = a;
            continue;
        }
        const char *eq = strchr(a, '=');
        size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
        const opt_spec *s = NULL;
        for (const opt_spec *p = specs; p->name; p++)
            if (strlen(p->name) == nlen && strncmp(p->name, a, nlen) == 0)
                s = p;
        if (!s) {
            fprintf(stderr, "parapet: error: unknown option %.*s for plugin %s\n", (int)nlen, a,
                    argv[0]);
            return -1;
        }
        if (s->takes_value) {
            if (eq)
                *s->value = eq + 1;
            else if (i + 1 < argc)
                *s->value = argv[++i];
            else {
                fprintf(stderr, "parapet: error: option %s needs a value\n", s->name);
                return -1;
            }
        } else if (eq) {
            fprintf(stderr, "parapet: error: option %s takes no value\n", s->name);
            return -1;
        }
        if (s->flag)
            *s->flag = 1;
    }
    return 0;
too_many:
    fprintf(stderr, "parapet: error: too many arguments for plugin %s\n", argv[0]);
    return -1;
}

static void print_info(const char *verb, const bundle_info *bi)
{
    char kinds[128];
    kinds_format(bi->m.kinds, kinds, sizeof kinds);
    printf("%s %s %s (%s)", verb, bi->m.name, bi->m.version, kinds);
    if (bi->verified)
        printf(", signed by trusted key %s\n", bi->signer);
    else
        printf(", NOT VERIFIED (%s)\n", bi->why_unverified);
}

static int cmd_list(const bundle_ctx *ctx, const char *format)
{
    bundle_installed *v;
    size_t n;
    bundle_err e = {{0}};
    if (format && strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
        print_error("--format must be text or json");
        return 2;
    }
    if (bundle_list(ctx, &v, &n, &e) != 0) {
        print_error(e.msg);
        return 1;
    }
    if (format && strcmp(format, "json") == 0) {
        cJSON *arr = cJSON_CreateArray();
        for (size_t i = 0; i < n; i++) {
            char kinds[128];
            cJSON *o = cJSON_CreateObject();
            kinds_format(v[i].kinds, kinds, sizeof kinds);
            cJSON_AddStringToObject(o, "name", v[i].name);
            cJSON_AddStringToObject(o, "version", v[i].version);
            cJSON *ka = cJSON_AddArrayToObject(o, "kinds");
            char *save = NULL;
            for (char *k = strtok_r(kinds, ",", &save); k; k = strtok_r(NULL, ",", &save))
                cJSON_AddItemToArray(ka, cJSON_CreateString(k));
            if (v[i].signer)
                cJSON_AddStringToObject(o, "signer", v[i].signer);
            else
                cJSON_AddNullToObject(o, "signer");
            cJSON_AddBoolToObject(o, "verified", v[i].verified);
            cJSON_AddBoolToObject(o, "intact", v[i].intact);
            cJSON_AddStringToObject(o, "path", v[i].so_path);
            cJSON_AddItemToArray(arr, o);
        }
        char *s = cJSON_Print(arr);
        printf("%s\n", s ? s : "[]");
        free(s);
        cJSON_Delete(arr);
    } else {
        printf("%-24s %-12s %-24s %-16s %s\n", "NAME", "VERSION", "KINDS", "SIGNER", "STATUS");
        for (size_t i = 0; i < n; i++) {
            char kinds[128];
            kinds_format(v[i].kinds, kinds, sizeof kinds);
            printf("%-24s %-12s %-24s %-16s %s\n", v[i].name, v[i].version, kinds,
                   v[i].signer ? v[i].signer : "-",
                   !v[i].intact ? "MODIFIED" : v[i].verified ? "verified" : "unverified");
        }
    }
    for (size_t i = 0; i < n; i++)
        bundle_installed_free(&v[i]);
    free(v);
    return 0;
}

static int run_sub(const char *sub, const bundle_ctx *ctxp, const char **pos, int n_pos,
                   int unencrypted, int cheap, const char *key, const char *out_dir,
                   const char *format, const char *mtime, pack_opts *pop)
{
    bundle_ctx ctx = *ctxp;
    pack_opts po = *pop;
    bundle_err e = {{0}};
    int rc;
    if (strcmp(sub, "keygen") == 0) {
        char id[17];
        if (n_pos != 1) {
            print_error("usage: parapet plugin keygen [--unencrypted] [--kdf interactive] BASE "
                        "(writes BASE.pub and BASE.key)");
            return 2;
        }
        rc = bundle_keygen(pos[0], unencrypted, cheap, id, &e);
        if (rc == 0)
            printf("created key %s: %s.pub (share it) and %s.key (keep it secret)\n", id, pos[0],
                   pos[0]);
    } else if (strcmp(sub, "pack") == 0) {
        char *out = NULL;
        if (n_pos != 1) {
            print_error("usage: parapet plugin pack DIR [--output-dir DIR] [--name N] "
                        "[--version V] [--kinds K,...] [--arch A]");
            return 2;
        }
        po.dir = pos[0];
        po.out_dir = out_dir;
        if (mtime)
            po.mtime = strtoll(mtime, NULL, 10);
        rc = bundle_pack(&po, &out, &e);
        if (rc == 0)
            printf("%s\n", out);
        free(out);
    } else if (strcmp(sub, "sign") == 0) {
        if (n_pos != 1 || !key) {
            print_error("usage: parapet plugin sign --key SECRET.key BUNDLE.tar.gz");
            return 2;
        }
        rc = bundle_sign(pos[0], key, &e);
        if (rc == 0)
            printf("wrote %s.minisig\n", pos[0]);
    } else if (strcmp(sub, "verify") == 0 || strcmp(sub, "install") == 0 ||
               strcmp(sub, "upgrade") == 0) {
        bundle_info bi;
        int install = sub[0] != 'v';
        if (n_pos != 1) {
            fprintf(stderr, "parapet: error: usage: parapet plugin %s BUNDLE.tar.gz\n", sub);
            return 2;
        }
        if (sub[0] == 'u') {
            /* upgrade: like install, but only over an installed plugin
             * of the same name, and never to the same or an older version */
            rc = bundle_verify(&ctx, pos[0], &bi, &e);
            if (rc == 0) {
                bundle_installed cur;
                bundle_err ce = {{0}};
                if (!ctx.plugin_dir ||
                    bundle_check_installed(ctx.plugin_dir, bi.m.name, &cur, NULL, &ce) != 0) {
                    rc = berr_set(&e, "%s is not installed (or damaged: %s); use install",
                                  bi.m.name, ce.msg);
                } else {
                    bundle_installed_free(&cur);
                    ctx.force = 0;
                }
                bundle_info_free(&bi);
            }
            if (rc == 0)
                rc = bundle_install(&ctx, pos[0], &bi, &e);
        } else {
            rc = install ? bundle_install(&ctx, pos[0], &bi, &e)
                         : bundle_verify(&ctx, pos[0], &bi, &e);
        }
        if (rc == 0) {
            print_info(sub[0] == 'u' ? "upgraded to" : install ? "installed" : "verified", &bi);
            bundle_info_free(&bi);
        }
    } else if (strcmp(sub, "remove") == 0) {
        if (n_pos != 1) {
            print_error("usage: parapet plugin remove NAME");
            return 2;
        }
        rc = bundle_remove(&ctx, pos[0], &e);
        if (rc == 0)
            printf("removed %s\n", pos[0]);
    } else if (strcmp(sub, "list") == 0) {
        return cmd_list(&ctx, format);
    } else if (strcmp(sub, "check") == 0) {
        bundle_installed bi;
        if (n_pos != 1 || !ctx.plugin_dir) {
            print_error("usage: parapet plugin check NAME");
            return 2;
        }
        rc = bundle_check_installed(ctx.plugin_dir, pos[0], &bi, NULL, &e);
        if (rc == 0) {
            printf("%s %s: %s intact\n", bi.name, bi.version, bi.so_path);
            bundle_installed_free(&bi);
        }
    } else {
        fprintf(stderr, "parapet: error: unknown plugin subcommand \"%s\"\n", sub);
        return 2;
    }
    if (rc != 0) {
        print_error(e.msg);
        return 1;
    }
    return 0;
}

int bundle_cmd(int argc, char **argv, const bundle_ctx *ctx_in)
{
    bundle_ctx ctx = *ctx_in;
    const char *pos[4] = {0};
    int n_pos = 0, unencrypted = 0, cheap = 0;
    const char *plugin_dir = NULL, *keys_dir = NULL, *key = NULL, *out_dir = NULL;
    const char *format = NULL, *kdf = NULL, *mtime = NULL;
    pack_opts po;
    memset(&po, 0, sizeof po);
    po.mtime = -1;

    if (argc < 1) {
        print_error("plugin: missing subcommand (keygen, pack, sign, verify, install, upgrade, "
                    "remove, list, check)");
        return 2;
    }
    const opt_spec specs[] = {
        {"--plugin-dir", 1, &plugin_dir, NULL},
        {"--keys-dir", 1, &keys_dir, NULL},
        {"--allow-unsigned", 0, NULL, &ctx.allow_unsigned},
        {"--force", 0, NULL, &ctx.force},
        {"--unencrypted", 0, NULL, &unencrypted},
        {"--kdf", 1, &kdf, NULL},
        {"--key", 1, &key, NULL},
        {"--output-dir", 1, &out_dir, NULL},
        {"--format", 1, &format, NULL},
        {"--name", 1, &po.name, NULL},
        {"--version", 1, &po.version, NULL},
        {"--kinds", 1, &po.kinds, NULL},
        {"--os", 1, &po.os, NULL},
        {"--arch", 1, &po.arch, NULL},
        {"--license", 1, &po.license, NULL},
        {"--description", 1, &po.description, NULL},
        {"--mtime", 1, &mtime, NULL},
        {NULL, 0, NULL, NULL},
    };
    if (parse_opts(argc, argv, specs, pos, 4, &n_pos) != 0)
        return 2;
    if (kdf) {
        if (strcmp(kdf, "interactive") == 0)
            cheap = 1;
        else if (strcmp(kdf, "sensitive") != 0) {
            print_error("--kdf must be sensitive (default) or interactive");
            return 2;
        }
    }
    if (plugin_dir)
        ctx.plugin_dir = plugin_dir;
    char *default_keys = NULL;
    if (keys_dir)
        ctx.keys_dir = keys_dir;
    else if (!ctx.keys_dir)
        ctx.keys_dir = default_keys = bundle_default_keys_dirs("/etc/parapet");
    int rc = run_sub(argv[0], &ctx, pos, n_pos, unencrypted, cheap, key, out_dir, format, mtime,
                     &po);
    free(default_keys);
    return rc;
}
