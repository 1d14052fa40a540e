/* core/cmd_policy.c - `parapet policy`: work with rules and their language. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cel/cel.h"
#include "cli.h"

/* policy eval 'EXPR' [--input FILE.json] */
static int policy_eval(int argc, char **argv)
{
    const char *expr = NULL, *input = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--input") || !strcmp(argv[i], "-i")) {
            if (i + 1 >= argc)
                return cli_usage_error("policy", "--input needs a JSON file");
            input = argv[++i];
        } else if (!strncmp(argv[i], "--input=", 8)) {
            input = argv[i] + 8;
        } else if (!expr) {
            expr = argv[i];
        } else {
            return cli_usage_error("policy", "policy eval takes one expression (quote it)");
        }
    }
    if (!expr)
        return cli_usage_error("policy", "policy eval needs an expression, e.g. 'size(resource.tags) > 0'");
    return cel_cli_eval(expr, input, stdout, stderr);
}

int cmd_policy(cli_ctx *c, int argc, char **argv)
{
    (void)c;
    if (argc < 1)
        return cli_usage_error("policy", "say what to do: eval");
    if (!strcmp(argv[0], "eval"))
        return policy_eval(argc - 1, argv + 1);
    return cli_usage_error("policy", "unknown policy command '%s'", argv[0]);
}
