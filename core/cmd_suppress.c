/*
 * core/cmd_suppress.c - `parapet suppress add|list|remove`: accepted risks.
 *
 * A suppression mutes the failing findings it covers (docs/store.md): a
 * rule glob, optionally narrowed by provider, account, region glob, a regex
 * over resource uids and tag conditions, with a reason, an owner and
 * usually an expiry. An expired suppression stops muting; `list` reports it.
 */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel/cel.h"
#include "cli.h"
#include "store.h"
#include "store_query.h"
#include "util.h"

/* Caps on what a suppression may hold: they are shown in lists and logs. */
#define SUPP_FIELD_MAX 1024
#define SUPP_TAGS_MAX 32

/* Check @re compiles in the engine's regex dialect (the one that matches it). */
static int regex_ok(const char *re, char *why, size_t whylen)
{
    int ok = 0;
    cel_env *env = cel_env_new();
    cel_vars *vars = cel_vars_new();
    cel_program *p = NULL;
    cel_result *r = NULL;
    cJSON *s = cJSON_CreateString(re);
    if (!env || !vars || !s || cel_env_declare(env, "re", NULL) != 0)
        goto out;
    p = cel_compile(env, "''.matches(re)", NULL);
    if (!p || cel_vars_set_json(vars, "re", s, NULL) != 0)
        goto out;
    r = cel_eval(p, vars, NULL);
    if (r && !cel_result_error(r))
        ok = 1;
    else
        snprintf(why, whylen, "%s", r && cel_result_error(r) ? cel_result_error(r) : "out of memory");
out:
    cJSON_Delete(s);
    cel_result_free(r);
    cel_program_free(p);
    cel_vars_free(vars);
    cel_env_free(env);
    return ok;
}

static int text_ok(const char *v)
{
    if (!v || !*v || strlen(v) > SUPP_FIELD_MAX)
        return 0;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

static int supp_add(cli_ctx *c, int argc, char **argv)
{
    suppression x;
    memset(&x, 0, sizeof x);
    const char *expires = NULL, *dur = NULL;
    cJSON *tags = cJSON_CreateArray();
    char *tags_json = NULL;
    int rc = 2;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        static const char *const flags[] = {"--rule", "--provider", "--account", "--region", "--resource",
                                            "--tag", "--tags-match", "--reason", "--owner", "--expires", "--for"};
        const char *val = NULL;
        size_t k;
        for (k = 0; k < sizeof flags / sizeof flags[0]; k++) {
            size_t n = strlen(flags[k]);
            if (!strcmp(a, flags[k])) {
                if (i + 1 >= argc) {
                    rc = cli_usage_error("suppress", "%s needs a value", a);
                    goto out;
                }
                val = argv[++i];
                break;
            }
            if (!strncmp(a, flags[k], n) && a[n] == '=') {
                val = a + n + 1;
                break;
            }
        }
        if (!val) {
            rc = cli_usage_error("suppress", "unknown option '%s' for suppress add", a);
            goto out;
        }
        if (!text_ok(val)) {
            rc = cli_usage_error("suppress", "%s: the value must be 1 to %d printable characters", flags[k],
                                 SUPP_FIELD_MAX);
            goto out;
        }
        switch (k) {
        case 0: x.rule = val; break;
        case 1: x.provider = val; break;
        case 2: x.account = val; break;
        case 3: x.region = val; break;
        case 4: x.resource = val; break;
        case 5: {
            if (cJSON_GetArraySize(tags) >= SUPP_TAGS_MAX) {
                rc = cli_usage_error("suppress", "at most %d --tag conditions", SUPP_TAGS_MAX);
                goto out;
            }
            const char *eq = strchr(val, '=');
            if (eq == val) {
                rc = cli_usage_error("suppress", "--tag takes KEY=VALUE or KEY (present), not '%s'", val);
                goto out;
            }
            cJSON *cond = cJSON_CreateObject();
            char *key = eq ? strndup(val, (size_t)(eq - val)) : xstrdup(val);
            cJSON_AddStringToObject(cond, "key", key);
            free(key);
            if (eq)
                cJSON_AddStringToObject(cond, "value", eq + 1);
            else
                cJSON_AddNullToObject(cond, "value");
            cJSON_AddItemToArray(tags, cond);
            break;
        }
        case 6:
            if (strcmp(val, "all") && strcmp(val, "any")) {
                rc = cli_usage_error("suppress", "--tags-match takes all or any, not '%s'", val);
                goto out;
            }
            x.tags_match = val;
            break;
        case 7: x.reason = val; break;
        case 8: x.owner = val; break;
        case 9: expires = val; break;
        default: dur = val; break;
        }
    }
    if (!x.rule || !x.reason || !x.owner) {
        rc = cli_usage_error("suppress", "suppress add needs --rule GLOB, --reason TEXT and --owner WHO");
        goto out;
    }
    if (x.tags_match && cJSON_GetArraySize(tags) == 0) {
        rc = cli_usage_error("suppress", "--tags-match needs at least one --tag");
        goto out;
    }
    if (expires && dur) {
        rc = cli_usage_error("suppress", "give --expires DATE or --for DURATION, not both");
        goto out;
    }
    char why[300];
    if (x.resource && !regex_ok(x.resource, why, sizeof why)) {
        rc = cli_usage_error("suppress", "--resource: not a valid regular expression: %s", why);
        goto out;
    }
    x.created_at = time_now_ns() / 1000000000LL;
    if (expires && store_query_parse_time(expires, &x.expires_at) != 0) {
        rc = cli_usage_error("suppress", "--expires takes a date (2026-12-31 or 2026-12-31T18:00:00Z), not '%s'",
                             expires);
        goto out;
    }
    if (dur) {
        int64_t secs;
        if (store_query_parse_duration(dur, &secs) != 0) {
            rc = cli_usage_error("suppress", "--for takes a duration such as 30d, 12h, 2w (at most ten years)");
            goto out;
        }
        x.expires_at = x.created_at + secs;
    }
    if ((expires || dur) && x.expires_at <= x.created_at) {
        rc = cli_usage_error("suppress", "--expires is in the past: the suppression would never mute anything");
        goto out;
    }
    if (cJSON_GetArraySize(tags) > 0) {
        tags_json = cJSON_PrintUnformatted(tags);
        x.tags_json = tags_json;
        if (!x.tags_match)
            x.tags_match = "all";
    }
    char err[600];
    store *s = store_open(c->db_path, err, sizeof err);
    if (!s) {
        fprintf(stderr, "parapet: error: %s\n", err);
        goto out;
    }
    int64_t id = 0;
    if (s->ops->suppression_add(s, &x, &id) != 0) {
        fprintf(stderr, "parapet: error: %s\n", s->ops->last_error(s));
    } else {
        char ts[32] = "never";
        if (x.expires_at)
            time_rfc3339(x.expires_at, ts, sizeof ts);
        printf("suppression %lld added: rule %s, owner %s, expires %s\n", (long long)id, x.rule, x.owner, ts);
        if (!x.expires_at)
            fprintf(stderr, "parapet: warning: suppression %lld never expires; consider --for 90d\n",
                    (long long)id);
        rc = 0;
    }
    s->ops->close(s);
out:
    cJSON_free(tags_json);
    cJSON_Delete(tags);
    return rc;
}

/* One line of `suppress list`: the scope in flag form, so it reads like the
 * command that made it. */
static void print_scope(const cJSON *o)
{
    static const char *const keys[] = {"provider", "account", "region", "resource"};
    printf("--rule %s", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "rule")));
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, keys[i]));
        if (v)
            printf(" --%s %s", keys[i], v);
    }
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "tags");
    const cJSON *cond;
    if (cJSON_IsObject(t)) {
        cJSON_ArrayForEach(cond, cJSON_GetObjectItemCaseSensitive(t, "conditions"))
        {
            const char *k = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cond, "key"));
            const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cond, "value"));
            printf(" --tag %s%s%s", k ? k : "?", v ? "=" : "", v ? v : "");
        }
        printf(" --tags-match %s", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "match")));
    }
}

static int supp_list(cli_ctx *c, int argc, char **argv)
{
    int all = 0;
    const char *format = "text";
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--all"))
            all = 1;
        else if (!strcmp(argv[i], "--format") && i + 1 < argc)
            format = argv[++i];
        else if (!strncmp(argv[i], "--format=", 9))
            format = argv[i] + 9;
        else
            return cli_usage_error("suppress", "unknown option '%s' for suppress list", argv[i]);
    }
    if (strcmp(format, "text") && strcmp(format, "json"))
        return cli_usage_error("suppress", "--format takes text or json");
    char err[600];
    sqlite3 *probe = store_query_open(c->db_path, err, sizeof err); /* no store: say so, create nothing */
    if (!probe) {
        fprintf(stderr, "parapet: error: %s\n", err);
        return 2;
    }
    sqlite3_close(probe);
    store *s = store_open(c->db_path, err, sizeof err);
    if (!s) {
        fprintf(stderr, "parapet: error: %s\n", err);
        return 2;
    }
    char *json = NULL;
    int rc = 2;
    if (s->ops->suppressions_json(s, &json) != 0) {
        fprintf(stderr, "parapet: error: %s\n", s->ops->last_error(s));
        s->ops->close(s);
        return 2;
    }
    s->ops->close(s);
    cJSON *arr = cJSON_Parse(json);
    free(json);
    if (!cJSON_IsArray(arr)) {
        fprintf(stderr, "parapet: error: the stored suppressions could not be read\n");
        goto out;
    }
    size_t n_expired = 0;
    cJSON *o, *shown = cJSON_CreateArray();
    cJSON_ArrayForEach(o, arr)
    {
        int expired = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "expired"));
        n_expired += (size_t)expired;
        if (expired && !all)
            continue;
        cJSON_AddItemToArray(shown, cJSON_Duplicate(o, 1));
    }
    if (!strcmp(format, "json")) {
        char *s2 = cJSON_Print(shown);
        printf("%s\n", s2);
        cJSON_free(s2);
    } else {
        cJSON_ArrayForEach(o, shown)
        {
            const cJSON *exp = cJSON_GetObjectItemCaseSensitive(o, "expires_at");
            char ts[32] = "never";
            if (cJSON_IsNumber(exp))
                time_rfc3339((int64_t)exp->valuedouble, ts, sizeof ts);
            int expired = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "expired"));
            printf("%-4d %-8s ", (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "id")),
                   expired ? "EXPIRED" : "active");
            print_scope(o);
            printf("\n     owner: %s; %s %s; reason: %s\n",
                   cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "owner")),
                   expired ? "expired" : "expires", ts,
                   cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "reason")));
        }
        if (cJSON_GetArraySize(shown) == 0)
            printf("no %ssuppressions\n", all ? "" : "active ");
    }
    if (n_expired && !all)
        fprintf(stderr,
                "parapet: warning: %zu suppression%s expired and no longer mute%s: see 'parapet suppress list "
                "--all'\n",
                n_expired, n_expired == 1 ? " has" : "s have", n_expired == 1 ? "s" : "");
    cJSON_Delete(shown);
    rc = 0;
out:
    cJSON_Delete(arr);
    return rc;
}

static int supp_remove(cli_ctx *c, int argc, char **argv)
{
    if (argc != 1)
        return cli_usage_error("suppress", "suppress remove takes one suppression id");
    char *end;
    long long id = strtoll(argv[0], &end, 10);
    if (!*argv[0] || *end || id <= 0)
        return cli_usage_error("suppress", "'%s' is not a suppression id (see 'parapet suppress list --all')",
                               argv[0]);
    char err[600];
    sqlite3 *probe = store_query_open(c->db_path, err, sizeof err);
    if (!probe) {
        fprintf(stderr, "parapet: error: %s\n", err);
        return 2;
    }
    sqlite3_close(probe);
    store *s = store_open(c->db_path, err, sizeof err);
    if (!s) {
        fprintf(stderr, "parapet: error: %s\n", err);
        return 2;
    }
    int r = s->ops->suppression_remove(s, id);
    int rc = 0;
    if (r < 0) {
        fprintf(stderr, "parapet: error: %s\n", s->ops->last_error(s));
        rc = 2;
    } else if (r == 1) {
        fprintf(stderr, "parapet: error: there is no suppression %lld\n", id);
        rc = 2;
    } else {
        printf("suppression %lld removed\n", id);
    }
    s->ops->close(s);
    return rc;
}

int cmd_suppress(cli_ctx *c, int argc, char **argv)
{
    if (argc < 1)
        return cli_usage_error("suppress", "say add, list or remove");
    if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
        fputs(cmd_help_text("suppress"), stdout);
        return 0;
    }
    if (!strcmp(argv[0], "add"))
        return supp_add(c, argc - 1, argv + 1);
    if (!strcmp(argv[0], "list"))
        return supp_list(c, argc - 1, argv + 1);
    if (!strcmp(argv[0], "remove") || !strcmp(argv[0], "rm"))
        return supp_remove(c, argc - 1, argv + 1);
    return cli_usage_error("suppress", "unknown subcommand '%s': say add, list or remove", argv[0]);
}
