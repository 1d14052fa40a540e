/*
 * core/cli.h - what the subcommands share: the parsed global options, the
 * merged configuration and the plugin registry (loaded on first use).
 */
#ifndef PP_CORE_CLI_H
#define PP_CORE_CLI_H

#include "loader.h"
#include "settings.h"

typedef struct cli_ctx {
    pp_config *cfg;
    char **plugin_dirs; /* from --plugin-dir, else from config, else the built-in dir */
    size_t n_plugin_dirs;
    char *db_path;
    char *keys_dir;     /* trust store for bundles: --keys-dir, core.keys_dir, or the default list */
    int verbosity;      /* -1 quiet, 0 normal, 1 -v, 2 -vv */
    int progress;       /* -1 auto, 0 never, 1 always */
    registry reg;
    int reg_loaded;
} cli_ctx;

/* cli_registry - load plugins from the configured directories once. */
registry *cli_registry(cli_ctx *c);

/* cli_die_usage - print "parapet: error: MSG" and a hint, return 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int cmd_scan(cli_ctx *c, int argc, char **argv);
int cmd_plugin(cli_ctx *c, int argc, char **argv);
int cmd_policy(cli_ctx *c, int argc, char **argv);
/* The commands over the store (docs/store.md); each returns an exit status. */
int cmd_findings(cli_ctx *c, int argc, char **argv);
int cmd_diff(cli_ctx *c, int argc, char **argv);
int cmd_suppress(cli_ctx *c, int argc, char **argv);
int cmd_sql(cli_ctx *c, int argc, char **argv);
int cmd_compliance(cli_ctx *c, int argc, char **argv);
/* cmd_report - `parapet report --html FILE` (core/cmd_report.c, docs/report.md); exit status. */
int cmd_report(cli_ctx *c, int argc, char **argv);
/* cmd_vercmp - `parapet vercmp ECOSYSTEM A B` (core/cmd_vercmp.c); exit status. */
int cmd_vercmp(cli_ctx *c, int argc, char **argv);
/* cmd_feed - `parapet feed update|import|list|match` (core/cmd_feed.c); exit status. */
int cmd_feed(cli_ctx *c, int argc, char **argv);

/* cmd_help_text - the help of one command, or NULL when unknown. */
const char *cmd_help_text(const char *cmd);

#endif
