/*
 * tests/unit/test_bundle_tool.c - a thin command-line front end over
 * bundle_cmd() so the shell tests (tests/integration/bundle_*.sh) and the
 * benchmark can drive the bundle code before (and independently of) the
 * `parapet plugin` wiring:
 *
 *   test_bundle_tool SUBCOMMAND [ARGS] [--plugin-dir D] [--keys-dir D] ...
 *
 * Built for `make check` only, never installed.
 */
#include "config.h"

#include "bundle/bundle.h"

int main(int argc, char **argv)
{
    bundle_ctx ctx = {0};
    if (argc < 2)
        return bundle_cmd(0, argv, &ctx);
    return bundle_cmd(argc - 1, argv + 1, &ctx);
}
