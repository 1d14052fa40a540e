/*
 * core/cmd_vercmp.c - `parapet vercmp ECOSYSTEM A B`: compare two versions
 * with the ecosystem's rules (core/vercmp) and print <, = or >.
 * With A = "-" and no B, read "A B" pairs one per line from standard input
 * and print one answer per line (for checking many pairs at once).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vercmp/vercmp.h"

static const char *symbol(int c)
{
    return c < 0 ? "<" : c > 0 ? ">" : "=";
}

/* Answer every "A B" line of stdin; a bad line prints "error: ..." and makes the exit status 2. */
static int vercmp_stream(vercmp_scheme s)
{
    char line[2 * 4096 + 8];
    int rc = 0;
    unsigned long lineno = 0;
    while (fgets(line, sizeof line, stdin)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        char *save = NULL;
        char *a = strtok_r(line, " \t", &save);
        char *b = a ? strtok_r(NULL, " \t", &save) : NULL;
        char err[256];
        int c;
        if (!a || !b || strtok_r(NULL, " \t", &save)) {
            printf("error: line %lu: expected two versions\n", lineno);
            rc = 2;
        } else if (vercmp_compare(s, a, b, &c, err, sizeof err) != 0) {
            printf("error: line %lu: %s\n", lineno, err);
            rc = 2;
        } else {
            puts(symbol(c));
        }
    }
    return rc;
}

int cmd_vercmp(cli_ctx *c, int argc, char **argv)
{
    (void)c;
    if (argc < 3 && !(argc == 2 && !strcmp(argv[1], "-")))
        return cli_usage_error("vercmp", "vercmp needs ECOSYSTEM A B");
    if (argc > 3)
        return cli_usage_error("vercmp", "vercmp takes exactly ECOSYSTEM A B");
    vercmp_scheme s;
    if (vercmp_scheme_from_name(argv[0], &s) != 0)
        return cli_usage_error("vercmp", "unknown ecosystem '%s' (dpkg, apk, rpm, semver, npm, pep440, maven, go)",
                               argv[0]);
    if (argc == 2)
        return vercmp_stream(s);
    char err[256];
    int r;
    if (vercmp_compare(s, argv[1], argv[2], &r, err, sizeof err) != 0) {
        fprintf(stderr, "parapet: error: %s\n", err);
        return 2;
    }
    puts(symbol(r));
    return 0;
}
