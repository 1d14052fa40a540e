/* core/cmd_policy.c - `parapet policy`. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_policy(cli_ctx *c, int argc, char **argv)
{
    (void)c;
    if (argc < 1)
        return cli_usage_error("policy", "say what to do: eval");
    return cli_usage_error("policy", "'policy %s' is not available in this build", argv[0]);
}
