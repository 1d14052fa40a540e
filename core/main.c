/* core/main.c - the parapet command: global options and dispatch. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <parapet/version.h>

#include "bundle/bundle.h"
#include "feed/feed.h"
#include "cli.h"
#include "log.h"
#include "scan.h"
#include "util.h"
#include "worker.h"

#ifndef PP_PLUGINDIR
#define PP_PLUGINDIR "/usr/local/lib/parapet/plugins"
#endif
#ifndef PP_SYSCONFDIR
#define PP_SYSCONFDIR "/usr/local/etc/parapet"
#endif

static const char usage_text[] =
    "usage: parapet [GLOBAL OPTIONS] COMMAND [ARGS]\n"
    "\n"
    "Cloud security posture management: inventory, policy, findings.\n"
    "\n"
    "Commands:\n"
    "  scan PROVIDER[,PROVIDER...] [TARGET...]   collect, judge and report\n"
    "  plugin list | info NAME                   installed plugins\n"
    "  plugin keygen|pack|sign|verify|install|upgrade|remove|check\n"
    "                                            signed plugin bundles (docs/bundles.md)\n"
    "  policy list | lint | test [DIR...]         rule packs: list, check, run examples\n"
    "  policy eval 'EXPR' [--input FILE.json]     evaluate a CEL expression\n"
    "  findings [--scan N] [FILTERS]             findings of a stored scan, with lifecycle\n"
    "  diff [SCAN_A] [SCAN_B]                    new, resolved and changed findings\n"
    "  suppress add|list|remove                  accepted risks that mute findings\n"
    "  sql 'SELECT ...'                          query the store, read-only\n"
    "  compliance [FRAMEWORK] [--scan N]         requirements passed, failed, manual\n"
    "  report --html FILE [--scan N]             self-contained HTML posture dashboard\n"
    "  report --framework ID [--format F]        audit-ready compliance report (html, csv, json)\n"
    "  vercmp ECOSYSTEM A B                      compare two versions: prints <, = or >\n"
    "  feed update | pack | import BUNDLE | list | match  vulnerability and threat feeds (docs/feeds.md)\n"
    "  version                                   print versions\n"
    "  help [COMMAND]                            this text, or a command's\n"
    "\n"
    "Global options:\n"
    "  --config FILE       read FILE instead of /etc/parapet/parapet.conf and\n"
    "                      ~/.config/parapet/parapet.conf\n"
    "  --plugin-dir DIR    load plugins from DIR (repeatable)\n"
    "  --db PATH           the SQLite store (default ~/.local/share/parapet/parapet.db)\n"
    "  --keys-dir DIR[:DIR] trusted bundle signing keys (default /etc/parapet/keys.d and\n"
    "                      ~/.config/parapet/keys.d)\n"
    "  -v, -vv             more detail; -q only errors\n"
    "  --progress=auto|always|never\n"
    "\n"
    "Exit status: 0 clean, 1 failing findings at or above --fail-on, 2 error.\n"
    "Documentation: docs/ in the source tree; 'parapet help scan'.\n";

static const char scan_help[] =
    "usage: parapet scan PROVIDER[,PROVIDER...] [TARGET...] [OPTIONS]\n"
    "\n"
    "Run provider and scanner plugins, store what they find, and write outputs.\n"
    "\n"
    "  -o PLUGIN.KEY=VALUE      set a plugin's (or core.KEY) configuration\n"
    "  --output FORMAT[:PATH]   write findings in FORMAT (repeatable), e.g. jsonl:out.jsonl\n"
    "  --fail-on SEVERITY       exit 1 when a failing finding is at least this severe\n"
    "                           (info, low, medium, high, critical)\n"
    "  --isolation MODE         process (default: each plugin in its own worker\n"
    "                           process) or none (threads in this process)\n"
    "  --jobs N                 concurrent tasks per plugin (default 8)\n"
    "  --task-timeout SECONDS   stop a plugin whose task runs longer (default 1800)\n"
    "  --rules DIR              also load the rule files in DIR (docs/rules.md)\n"
    "  --no-default-rules       do not load the installed rule packs\n"
    "  --ignore-unfixed         no vulnerability finding without a fixed version\n"
    "  --keep-scans N           afterwards keep only the last N complete scans\n"
    "                           (also core.keep_scans; 0 keeps all)\n"
    "\n"
    "Example:\n"
    "  parapet scan snapshot contrib/demo/estate.jsonl --output jsonl:findings.jsonl\n";

static const char plugin_help[] =
    "usage: parapet plugin list [--format text|json] [--installed]\n"
    "       parapet plugin info NAME\n"
    "       parapet plugin keygen [--unencrypted] [--kdf sensitive|interactive] BASE\n"
    "       parapet plugin pack DIR [--output-dir D] [--name N] [--version V] [--kinds K,...]\n"
    "       parapet plugin sign --key BASE.key BUNDLE.tar.gz\n"
    "       parapet plugin verify BUNDLE.tar.gz [--allow-unsigned]\n"
    "       parapet plugin install BUNDLE.tar.gz [--allow-unsigned] [--force]\n"
    "       parapet plugin upgrade BUNDLE.tar.gz\n"
    "       parapet plugin remove NAME\n"
    "       parapet plugin check NAME\n"
    "\n"
    "list shows the plugins found in the plugin directories (refused ones with the\n"
    "reason, bundles with their signer); --installed lists installed bundles only.\n"
    "Bundles install into the first --plugin-dir and are verified against the keys\n"
    "in --keys-dir. See docs/bundles.md.\n";

static const char policy_help[] =
    "usage: parapet policy list [--format text|json] [--rules DIR]...\n"
    "       parapet policy lint [--docs DIR] [DIR...]\n"
    "       parapet policy test [DIR...]\n"
    "       parapet policy eval 'EXPR' [--input FILE.json]\n"
    "\n"
    "list shows the rules (id, severity, resource type, frameworks, title) of the\n"
    "rule directories and policy plugins. lint checks rule files against\n"
    "docs/rules.md, compiles their CEL, refuses duplicate ids, checks that\n"
    "frameworks name existing rules and that every resource.data path exists in\n"
    "the documented shape of its type (--docs: the docs/resources folder; default\n"
    "DIR/../docs/resources, else ./docs/resources). test runs every rule's\n"
    "examples: each fail example must fail and each pass example pass.\n"
    "DIR defaults to the installed rule packs (core.policy_dir). lint and test exit\n"
    "1 when they find a problem, 2 on an error.\n"
    "\n"
    "eval evaluates a CEL expression with the JSON of FILE bound to 'resource' and\n"
    "the current time to 'now'; it prints the result as JSON. Exit 2 on an error.\n";

static const char findings_help[] =
    "usage: parapet findings [--scan N|latest] [--severity S[,S]] [--status fail,pass,error,muted]\n"
    "                        [--lifecycle new,open,reopened,resolved,muted] [--rule GLOB]\n"
    "                        [--provider P] [--account A] [--framework ID] [--since DATE]\n"
    "                        [--format text|json|jsonl] [--fail-on SEVERITY]\n"
    "\n"
    "The findings of a stored scan (default: the newest complete or partial one)\n"
    "with their lifecycle: new, open, reopened, resolved, muted. Without --status or\n"
    "--lifecycle only fail and error findings are shown. --since keeps findings first\n"
    "seen on or after DATE (2026-01-31 or RFC 3339). Exit 1 when --fail-on is given\n"
    "and a shown finding fails at or above that severity.\n";

static const char diff_help[] =
    "usage: parapet diff [SCAN_A] [SCAN_B] [--format text|json]\n"
    "\n"
    "Compare the failing findings of two scans (default: the two newest complete\n"
    "ones; with one scan: that one and the newest): new, resolved, and changed\n"
    "(another severity or message).\n";

static const char suppress_help[] =
    "usage: parapet suppress add --rule GLOB [--provider P] [--account A] [--region GLOB]\n"
    "                            [--resource REGEX] [--tag KEY=VALUE|KEY]... [--tags-match all|any]\n"
    "                            --reason TEXT --owner WHO [--expires DATE | --for 30d]\n"
    "       parapet suppress list [--all] [--format text|json]\n"
    "       parapet suppress remove ID\n"
    "\n"
    "A suppression mutes the failing findings it covers (all given fields must\n"
    "match) until it expires. An expired suppression no longer mutes; list --all\n"
    "shows it marked EXPIRED.\n";

static const char sql_help[] =
    "usage: parapet sql 'SELECT ...' [--format text|json|jsonl|csv]\n"
    "\n"
    "Run one read-only query over the store (tables in docs/store.md). The store is\n"
    "opened read-only and anything but a read is refused.\n";

static const char compliance_help[] =
    "usage: parapet compliance [FRAMEWORK] [--scan N] [--frameworks DIR] [--format text|json]\n"
    "\n"
    "Requirements passed, failed, manual and not covered per framework in a stored\n"
    "scan; with FRAMEWORK, the status of each of its requirements.\n";

static const char report_help[] =
    "usage: parapet report --html FILE [--scan N] [--frameworks DIR] [--title TEXT]\n"
    "       parapet report --framework ID [--format html|csv|json] [--scan N]\n"
    "                      [--output FILE] [--frameworks DIR]\n"
    "\n"
    "Write one self-contained HTML file (no external assets; opens from disk,\n"
    "works offline) with the posture of a stored scan: score, findings by\n"
    "severity, service and account, compliance per framework with its\n"
    "requirements and rules, trends over recent scans, a searchable findings\n"
    "table with each finding's evidence and remediation, and inventory counts.\n"
    "--scan defaults to the latest complete or partial scan; --frameworks to\n"
    "the directory `parapet compliance` reads. FILE '-' writes to standard\n"
    "output.\n"
    "\n"
    "With --framework, write the audit-ready compliance report of that framework\n"
    "instead: scan time and scope, each requirement's status (as `parapet\n"
    "compliance`), its rules, the resources they judged with evidence, and the\n"
    "exceptions (muted findings with their suppression's reason, owner and\n"
    "expiry). --format defaults to html (printable, self-contained); --output to\n"
    "standard output. See docs/report.md.\n";

static const char vercmp_help[] =
    "usage: parapet vercmp ECOSYSTEM A B\n"
    "       parapet vercmp ECOSYSTEM -      (pairs \"A B\" from stdin, one answer per line)\n"
    "\n"
    "Compare versions A and B with the rules of ECOSYSTEM and print <, = or >.\n"
    "Ecosystems: dpkg (debian, ubuntu), apk (alpine), rpm, semver (npm), pep440\n"
    "(pypi), maven, go. Exit 2 when a version is not valid in the ecosystem.\n";

static const char feed_help[] =
    "usage: parapet feed update [--plugin NAME] [-o PLUGIN.KEY=VALUE] [--timeout SECONDS]\n"
    "       parapet feed pack --key SECRET.key [--name NAME] [--created T] OUT.tar FILE...\n"
    "       parapet feed import BUNDLE.tar [--keys-dir DIRS] [--allow-older] [--plugin NAME] [--timeout SECONDS]\n"
    "       parapet feed import FILE --unsigned [--plugin NAME] [--timeout SECONDS]   (for testing)\n"
    "       parapet feed list [--max-age 7d] [--format text|json]\n"
    "       parapet feed match [--scan N] [--ignore-unfixed] [--format text|json|jsonl] [--max-age 7d]\n"
    "\n"
    "update fetches the threat feeds (OSV exports, CISA KEV, EPSS, blocklists) over\n"
    "HTTPS, only when they changed. For air-gapped sites, pack signs downloaded\n"
    "files (an OSV zip, the KEV JSON, the EPSS csv.gz, an IP/domain list) into a\n"
    "bundle with a minisign key, and import verifies it against the trust store\n"
    "(keys.d) before loading anything; --unsigned loads one raw file. Each feed is\n"
    "replaced as a whole; a failed download keeps the previous data. list shows\n"
    "each feed's records and age and warns about feeds older than --max-age. match\n"
    "matches the packages of a stored scan against the advisories: KEV first, then\n"
    "EPSS score, then severity. Each feed plugin runs in a worker process;\n"
    "--timeout limits each run (default 1800 s, [core] feed_timeout; 0: none).\n";

const char *cmd_help_text(const char *cmd)
{
    if (!cmd)
        return usage_text;
    if (!strcmp(cmd, "scan"))
        return scan_help;
    if (!strcmp(cmd, "plugin"))
        return plugin_help;
    if (!strcmp(cmd, "policy"))
        return policy_help;
    if (!strcmp(cmd, "findings"))
        return findings_help;
    if (!strcmp(cmd, "diff"))
        return diff_help;
    if (!strcmp(cmd, "suppress"))
        return suppress_help;
    if (!strcmp(cmd, "sql"))
        return sql_help;
    if (!strcmp(cmd, "compliance"))
        return compliance_help;
    if (!strcmp(cmd, "report"))
        return report_help;
    if (!strcmp(cmd, "vercmp"))
        return vercmp_help;
    if (!strcmp(cmd, "feed"))
        return feed_help;
    if (!strcmp(cmd, "version"))
        return "usage: parapet version\n\nPrint the version of parapet, its plugin ABI and its libraries.\n";
    if (!strcmp(cmd, "help"))
        return "usage: parapet help [COMMAND]\n";
    return NULL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("parapet: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'parapet help%s%s')\n", cmd ? " " : "", cmd ? cmd : "");
    return 2;
}

registry *cli_registry(cli_ctx *c)
{
    if (c->reg_loaded)
        return &c->reg;
    c->reg_loaded = 1;
    for (size_t i = 0; i < c->n_plugin_dirs; i++)
        registry_load_dir(&c->reg, c->plugin_dirs[i]);
    return &c->reg;
}

static void add_plugin_dirs(cli_ctx *c, const char *list)
{
    char *copy = xstrdup(list), *save = NULL;
    for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        c->plugin_dirs = xrealloc(c->plugin_dirs, (c->n_plugin_dirs + 1) * sizeof *c->plugin_dirs);
        c->plugin_dirs[c->n_plugin_dirs++] = xstrdup(d);
    }
    free(copy);
}

static char *default_db(void)
{
    sbuf b = {0};
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    if (xdg && *xdg == '/')
        sbuf_printf(&b, "%s/parapet/parapet.db", xdg);
    else if (home && *home == '/')
        sbuf_printf(&b, "%s/.local/share/parapet/parapet.db", home);
    else
        sbuf_puts(&b, "/var/lib/parapet/parapet.db");
    return sbuf_steal(&b);
}

static int cmd_version(void)
{
    curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
    printf("parapet %s\nplugin ABI %d.%d\nlibcurl %s\n", PACKAGE_VERSION, PP_ABI_MAJOR, PP_ABI_MINOR,
           cv ? cv->version : "?");
    return 0;
}

int main(int argc, char **argv)
{
    /* a worker process restarted by a scan (core/worker.h), not a user */
    if (argc == 3 && !strcmp(argv[1], "__worker"))
        return worker_exec_main(atoi(argv[2]));

    cli_ctx c;
    memset(&c, 0, sizeof c);
    c.progress = -1;
    c.cfg = config_new();
    const char *config_file = NULL;
    char **cli_plugin_dirs = NULL;
    size_t n_cli_dirs = 0;
    const char *cli_db = NULL;
    const char *cli_keys = NULL;

    /* Pull global options out of argv wherever they are; keep the rest. */
    char **rest = xcalloc((size_t)argc + 1, sizeof *rest);
    int nrest = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            while (i < argc)
                rest[nrest++] = argv[i++];
            break;
        }
        if (!strcmp(a, "--config") || !strcmp(a, "--plugin-dir") || !strcmp(a, "--db") || !strcmp(a, "--keys-dir")) {
            if (i + 1 >= argc) {
                free(rest);
                config_free(c.cfg);
                return cli_usage_error(NULL, "%s needs a value", a);
            }
            const char *v = argv[++i];
            if (!strcmp(a, "--config"))
                config_file = v;
            else if (!strcmp(a, "--keys-dir"))
                cli_keys = v;
            else if (!strcmp(a, "--db"))
                cli_db = v;
            else {
                cli_plugin_dirs = xrealloc(cli_plugin_dirs, (n_cli_dirs + 1) * sizeof *cli_plugin_dirs);
                cli_plugin_dirs[n_cli_dirs++] = (char *)v;
            }
        } else if (!strncmp(a, "--config=", 9)) {
            config_file = a + 9;
        } else if (!strncmp(a, "--keys-dir=", 11)) {
            cli_keys = a + 11;
        } else if (!strncmp(a, "--db=", 5)) {
            cli_db = a + 5;
        } else if (!strncmp(a, "--plugin-dir=", 13)) {
            cli_plugin_dirs = xrealloc(cli_plugin_dirs, (n_cli_dirs + 1) * sizeof *cli_plugin_dirs);
            cli_plugin_dirs[n_cli_dirs++] = (char *)a + 13;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            c.verbosity++;
        } else if (!strcmp(a, "-vv")) {
            c.verbosity += 2;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            c.verbosity = -1;
        } else if (!strncmp(a, "--progress=", 11)) {
            const char *m = a + 11;
            c.progress = !strcmp(m, "always") ? 1 : !strcmp(m, "never") ? 0 : -1;
            if (strcmp(m, "always") && strcmp(m, "never") && strcmp(m, "auto")) {
                free(rest);
                free(cli_plugin_dirs);
                config_free(c.cfg);
                return cli_usage_error(NULL, "--progress takes auto, always or never");
            }
        } else {
            rest[nrest++] = argv[i];
        }
    }

    /* configuration chain */
    char err[600];
    int rc = 0;
    if (config_file) {
        if (config_load_file(c.cfg, config_file, 1, err, sizeof err) != 0) {
            fprintf(stderr, "parapet: error: %s\n", err);
            rc = 2;
        }
    } else {
        if (config_load_file(c.cfg, PP_SYSCONFDIR "/parapet.conf", 0, err, sizeof err) != 0) {
            fprintf(stderr, "parapet: error: %s\n", err);
            rc = 2;
        }
        const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
        sbuf p = {0};
        if (xdg && *xdg == '/')
            sbuf_printf(&p, "%s/parapet/parapet.conf", xdg);
        else if (home && *home == '/')
            sbuf_printf(&p, "%s/.config/parapet/parapet.conf", home);
        if (rc == 0 && p.len && config_load_file(c.cfg, p.data, 0, err, sizeof err) != 0) {
            fprintf(stderr, "parapet: error: %s\n", err);
            rc = 2;
        }
        sbuf_free(&p);
    }
    config_load_env(c.cfg);

    const char *lvl = config_get(c.cfg, "core", "log_level", NULL);
    int level = LOG_LVL_WARN;
    if (lvl)
        level = !strcmp(lvl, "error") ? LOG_LVL_ERROR : !strcmp(lvl, "info") ? LOG_LVL_INFO
                                                    : !strcmp(lvl, "debug") ? LOG_LVL_DEBUG
                                                                            : LOG_LVL_WARN;
    if (c.verbosity < 0)
        level = LOG_LVL_ERROR;
    else if (c.verbosity > 0)
        level = LOG_LVL_WARN + c.verbosity;
    log_set_level(level);

    if (n_cli_dirs) {
        for (size_t i = 0; i < n_cli_dirs; i++)
            add_plugin_dirs(&c, cli_plugin_dirs[i]);
    } else {
        add_plugin_dirs(&c, config_get(c.cfg, "core", "plugin_dir", PP_PLUGINDIR));
    }
    free(cli_plugin_dirs);
    c.db_path = cli_db ? xstrdup(cli_db) : config_get(c.cfg, "core", "db", NULL)
                                               ? xstrdup(config_get(c.cfg, "core", "db", NULL))
                                               : default_db();
    /* threat.ip(x) in rules reads the store's IP/CIDR indicators (docs/feeds.md),
     * lazily: commands that never evaluate it never open the store */
    {
        const char *why = NULL;
        if (feed_threat_ip_register_store(c.db_path, &why) != 0)
            log_warn("threat.ip() is not available to rules: %s", why ? why : "unknown reason");
    }
    if (cli_keys || config_get(c.cfg, "core", "keys_dir", NULL))
        c.keys_dir = xstrdup(cli_keys ? cli_keys : config_get(c.cfg, "core", "keys_dir", NULL));
    else
        c.keys_dir = bundle_default_keys_dirs(PP_SYSCONFDIR);
    if (c.progress == -1) {
        const char *pm = config_get(c.cfg, "core", "progress", "auto");
        c.progress = !strcmp(pm, "always") ? 1 : !strcmp(pm, "never") ? 0 : -1;
    }
    if (c.progress == -1)
        c.progress = isatty(STDERR_FILENO) && c.verbosity >= 0;

    if (rc == 0) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        const char *cmd = nrest > 0 ? rest[0] : NULL;
        if (!cmd) {
            fputs(usage_text, stderr);
            rc = 2;
        } else if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
            const char *t = cmd_help_text(nrest > 1 ? rest[1] : NULL);
            if (t) {
                fputs(t, stdout);
            } else {
                rc = cli_usage_error(NULL, "no such command '%s'", rest[1]);
            }
        } else if (!strcmp(cmd, "vercmp")) {
            rc = cmd_vercmp(&c, nrest - 1, rest + 1);
        } else if (!strcmp(cmd, "feed")) {
            rc = cmd_feed(&c, nrest - 1, rest + 1);
        } else if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
            rc = cmd_version();
        } else if (!strcmp(cmd, "scan")) {
            rc = cmd_scan(&c, nrest - 1, rest + 1);
        } else if (!strcmp(cmd, "plugin")) {
            rc = cmd_plugin(&c, nrest - 1, rest + 1);
        } else if (!strcmp(cmd, "policy")) {
            rc = cmd_policy(&c, nrest - 1, rest + 1);
        } else if (!strcmp(cmd, "findings")) {
            rc = cmd_findings(&c, nrest - 1, rest + 1);
        } else if (!strcmp(cmd, "diff")) {
            rc = cmd_diff(&c, nrest - 1, rest + 1);
        } else if (!strcmp(cmd, "suppress")) {
            rc = cmd_suppress(&c, nrest - 1, rest + 1);
        } else if (!strcmp(cmd, "sql")) {
            rc = cmd_sql(&c, nrest - 1, rest + 1);
        } else if (!strcmp(cmd, "compliance")) {
            rc = cmd_compliance(&c, nrest - 1, rest + 1);
        } else if (!strcmp(cmd, "report")) {
            rc = cmd_report(&c, nrest - 1, rest + 1);
        } else {
            rc = cli_usage_error(NULL, "unknown command '%s'", cmd);
        }
        curl_global_cleanup();
    }

    if (scan_abandoned_threads()) {
        /* a hung in-process plugin thread is still running: do not unload it */
        fflush(NULL);
        _exit(rc);
    }
    registry_free(&c.reg);
    for (size_t i = 0; i < c.n_plugin_dirs; i++)
        free(c.plugin_dirs[i]);
    free(c.plugin_dirs);
    free(c.db_path);
    free(c.keys_dir);
    free(rest);
    config_free(c.cfg);
    return rc;
}
