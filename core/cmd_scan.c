/* core/cmd_scan.c - `parapet scan`. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "settings.h"
#include "record.h"
#include "scan.h"
#include "util.h"

#ifndef PP_POLICYDIR
#define PP_POLICYDIR "/usr/local/share/parapet/policies"
#endif

static int parse_int(const char *s, int min, int max, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

int cmd_scan(cli_ctx *c, int argc, char **argv)
{
    scan_opts o;
    memset(&o, 0, sizeof o);
    o.fail_on = -1;
    o.db_path = c->db_path;
    o.progress = c->progress;
    o.quiet = c->verbosity < 0;
    int rc = 2;
    char **providers = NULL;
    size_t n_providers = 0;
    char *names = NULL;
    int no_default_rules = 0;
    char *frameworks = NULL;

    const char *iso = config_get(c->cfg, "core", "isolation", "process");
    const char *jobs = config_get(c->cfg, "core", "jobs", "8");
    const char *tmo = config_get(c->cfg, "core", "task_timeout", "1800");
    const char *keep = NULL;

    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
#define TAKES_VALUE(flag)                                                                                          \
    (!strcmp(a, flag) ? (i + 1 < argc ? (val = argv[++i], 1) : -1)                                                 \
                      : (!strncmp(a, flag "=", strlen(flag) + 1) ? (val = a + strlen(flag) + 1, 1) : 0))
        int t;
        if ((t = TAKES_VALUE("-o")) != 0 || (t = TAKES_VALUE("--option")) != 0) {
            if (t < 0) {
                rc = cli_usage_error("scan", "-o needs PLUGIN.KEY=VALUE");
                goto out;
            }
            char err[256];
            if (config_set_option(c->cfg, val, err, sizeof err) != 0) {
                rc = cli_usage_error("scan", "%s", err);
                goto out;
            }
        } else if ((t = TAKES_VALUE("--output")) != 0) {
            if (t < 0 || !*val) {
                rc = cli_usage_error("scan", "--output needs FORMAT[:PATH]");
                goto out;
            }
            o.outputs = xrealloc(o.outputs, (o.n_outputs + 1) * sizeof *o.outputs);
            const char *colon = strchr(val, ':');
            o.outputs[o.n_outputs].format = colon ? strndup(val, (size_t)(colon - val)) : xstrdup(val);
            o.outputs[o.n_outputs].path = colon && colon[1] ? xstrdup(colon + 1) : NULL;
            o.n_outputs++;
        } else if ((t = TAKES_VALUE("--fail-on")) != 0) {
            if (t < 0 || (o.fail_on = severity_parse(val)) < 0) {
                rc = cli_usage_error("scan", "--fail-on takes info, low, medium, high or critical");
                goto out;
            }
        } else if ((t = TAKES_VALUE("--isolation")) != 0) {
            if (t < 0) {
                rc = cli_usage_error("scan", "--isolation takes process or none");
                goto out;
            }
            iso = val;
        } else if ((t = TAKES_VALUE("--jobs")) != 0) {
            if (t < 0) {
                rc = cli_usage_error("scan", "--jobs needs a number");
                goto out;
            }
            jobs = val;
        } else if ((t = TAKES_VALUE("--task-timeout")) != 0) {
            if (t < 0) {
                rc = cli_usage_error("scan", "--task-timeout needs a number of seconds");
                goto out;
            }
            tmo = val;
        } else if ((t = TAKES_VALUE("--rules")) != 0) {
            if (t < 0) {
                rc = cli_usage_error("scan", "--rules needs a directory of rule files");
                goto out;
            }
            o.rule_dirs = xrealloc(o.rule_dirs, (o.n_rule_dirs + 1) * sizeof *o.rule_dirs);
            o.rule_dirs[o.n_rule_dirs++] = xstrdup(val);
        } else if ((t = TAKES_VALUE("--keep-scans")) != 0) {
            if (t < 0) {
                rc = cli_usage_error("scan", "--keep-scans needs a number of scans");
                goto out;
            }
            keep = val;
        } else if (!strcmp(a, "--no-default-rules")) {
            no_default_rules = 1;
        } else if (!strcmp(a, "--ignore-unfixed")) {
            o.ignore_unfixed = 1;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(cmd_help_text("scan"), stdout);
            rc = 0;
            goto out;
        } else if (a[0] == '-' && a[1] && strcmp(a, "-") != 0) {
            rc = cli_usage_error("scan", "unknown option '%s'", a);
            goto out;
        } else if (!names) {
            names = xstrdup(a);
        } else {
            o.targets = xrealloc(o.targets, (o.n_targets + 1) * sizeof *o.targets);
            o.targets[o.n_targets++] = (char *)a;
        }
#undef TAKES_VALUE
    }
    /* core.* options may also come from -o core.KEY=VALUE */
    iso = config_get(c->cfg, "core", "isolation", iso) == iso ? iso : config_get(c->cfg, "core", "isolation", iso);
    if (!names) {
        rc = cli_usage_error("scan", "name at least one provider, e.g. 'parapet scan snapshot FILE'");
        goto out;
    }
    if (!strcmp(iso, "process"))
        o.isolate = 1;
    else if (!strcmp(iso, "none"))
        o.isolate = 0;
    else {
        rc = cli_usage_error("scan", "isolation must be process or none, not '%s'", iso);
        goto out;
    }
    if (parse_int(jobs, 1, 256, &o.jobs) != 0) {
        rc = cli_usage_error("scan", "jobs must be a number from 1 to 256");
        goto out;
    }
    if (parse_int(tmo, 0, 7 * 86400, &o.task_timeout_s) != 0) {
        rc = cli_usage_error("scan", "task timeout must be a number of seconds (0 for none)");
        goto out;
    }
    if (!keep)
        keep = config_get(c->cfg, "core", "keep_scans", "0");
    if (parse_int(keep, 0, 1000000, &o.keep_scans) != 0) {
        rc = cli_usage_error("scan", "keep-scans must be a number of scans (0 keeps all)");
        goto out;
    }
    char *save = NULL;
    for (char *n = strtok_r(names, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
        providers = xrealloc(providers, (n_providers + 1) * sizeof *providers);
        providers[n_providers++] = n;
    }
    if (!n_providers) {
        rc = cli_usage_error("scan", "name at least one provider");
        goto out;
    }
    o.providers = providers;
    o.n_providers = n_providers;
    /* the installed rule packs come first, then --rules directories */
    if (!no_default_rules) {
        const char *dirs = config_get(c->cfg, "core", "policy_dir", PP_POLICYDIR);
        char *copy = xstrdup(dirs), *sv = NULL;
        size_t first = 0;
        for (char *d = strtok_r(copy, ":", &sv); d; d = strtok_r(NULL, ":", &sv)) {
            o.rule_dirs = xrealloc(o.rule_dirs, (o.n_rule_dirs + 1) * sizeof *o.rule_dirs);
            memmove(o.rule_dirs + first + 1, o.rule_dirs + first, (o.n_rule_dirs - first) * sizeof *o.rule_dirs);
            o.rule_dirs[first++] = xstrdup(d);
            o.n_rule_dirs++;
        }
        free(copy);
        sbuf fw = {0};
        sbuf_printf(&fw, "%s/frameworks", o.rule_dirs[0]);
        frameworks = sbuf_steal(&fw);
    } else if (o.n_rule_dirs) {
        sbuf fw = {0};
        sbuf_printf(&fw, "%s/frameworks", o.rule_dirs[0]);
        frameworks = sbuf_steal(&fw);
    }
    o.frameworks_dir = config_get(c->cfg, "core", "frameworks_dir", frameworks);
    rc = scan_run(&o, cli_registry(c), c->cfg);
out:
    for (size_t i = 0; i < o.n_outputs; i++) {
        free(o.outputs[i].format);
        free(o.outputs[i].path);
    }
    free(o.outputs);
    free(o.targets);
    for (size_t i = 0; i < o.n_rule_dirs; i++)
        free(o.rule_dirs[i]);
    free(o.rule_dirs);
    free(frameworks);
    free(providers);
    free(names);
    return rc;
}
