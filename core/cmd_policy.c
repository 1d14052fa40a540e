/*
 * core/cmd_policy.c - `parapet policy`: work with rules and their language.
 *
 *   policy list [--format text|json] [--rules DIR]...   the loaded rules
 *   policy lint [--docs DIR] [DIR...]                  check rule packs
 *   policy test [DIR...]                               run every rule's examples
 *   policy eval 'EXPR' [--input FILE.json]             evaluate one expression
 *
 * DIR defaults to the installed rule packs (config core.policy_dir, else
 * PP_POLICYDIR); frameworks come from FIRST_DIR/frameworks. Policy plugins
 * found in the plugin directories add their rules and CEL functions.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cel/cel.h"
#include "cli.h"
#include "policy/engine.h"
#include "policy/framework.h"
#include "policy/lint.h"
#include "policy/rules.h"
#include "record.h"
#include "util.h"

#ifndef PP_POLICYDIR
#define PP_POLICYDIR "/usr/local/share/parapet/policies"
#endif

/* The rule directories of a command: those given, else the configured ones. */
typedef struct dir_list {
    char **v;
    size_t n;
    char *frameworks;
} dir_list;

static void dirs_add(dir_list *d, const char *dir)
{
    d->v = xrealloc(d->v, (d->n + 1) * sizeof *d->v);
    d->v[d->n++] = xstrdup(dir);
}

static void dirs_default(cli_ctx *c, dir_list *d)
{
    if (d->n == 0) {
        char *copy = xstrdup(config_get(c->cfg, "core", "policy_dir", PP_POLICYDIR)), *sv = NULL;
        for (char *p = strtok_r(copy, ":", &sv); p; p = strtok_r(NULL, ":", &sv))
            dirs_add(d, p);
        free(copy);
    }
    if (d->n) {
        sbuf fw = {0};
        sbuf_printf(&fw, "%s/frameworks", d->v[0]);
        d->frameworks = sbuf_steal(&fw);
    }
}

static void dirs_free(dir_list *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->v[i]);
    free(d->v);
    free(d->frameworks);
}

static void print_problem(void *ud, const char *msg)
{
    size_t *n = ud;
    fprintf(stdout, "%s\n", msg);
    (*n)++;
}

/* `policy test`: a rule set aside (it needs a function no loaded plugin
 * provides) is a failed rule. */
static void print_set_aside(void *ud, const char *msg)
{
    size_t *n = ud;
    printf("FAIL %s\n", msg);
    (*n)++;
}

/* Load the engine over @d; NULL after printing the error. With @set_aside,
 * rules left out for a missing function are printed and counted there. */
static policy_engine *load_with(cli_ctx *c, const dir_list *d, int collect, size_t *problems, size_t *set_aside)
{
    policy_load_opts o;
    memset(&o, 0, sizeof o);
    o.rule_dirs = (const char *const *)d->v;
    o.n_rule_dirs = d->n;
    o.frameworks_dir = config_get(c->cfg, "core", "frameworks_dir", d->frameworks);
    o.reg = cli_registry(c);
    o.cfg = c->cfg;
    o.require_dirs = 1;
    if (collect) {
        o.on_error = print_problem;
        o.on_error_ud = problems;
    }
    if (set_aside) {
        o.on_set_aside = print_set_aside;
        o.on_set_aside_ud = set_aside;
    }
    char err[1200];
    policy_engine *pe = policy_engine_load(&o, err, sizeof err);
    if (!pe)
        fprintf(stderr, "parapet: error: %s\n", err);
    return pe;
}

static policy_engine *load(cli_ctx *c, const dir_list *d, int collect, size_t *problems)
{
    return load_with(c, d, collect, problems, NULL);
}

/* ---------------------------------------------------------------- list */

static int policy_list(cli_ctx *c, int argc, char **argv)
{
    dir_list d = {0};
    int json = 0, rc = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--format") && i + 1 < argc) {
            const char *f = argv[++i];
            if (!strcmp(f, "json"))
                json = 1;
            else if (strcmp(f, "text")) {
                dirs_free(&d);
                return cli_usage_error("policy", "--format is text or json, not '%s'", f);
            }
        } else if (!strcmp(argv[i], "--rules") && i + 1 < argc) {
            dirs_add(&d, argv[++i]);
        } else {
            dirs_free(&d);
            return cli_usage_error("policy", "policy list: unknown argument '%s'", argv[i]);
        }
    }
    dirs_default(c, &d);
    policy_engine *pe = load(c, &d, 0, NULL);
    if (!pe) {
        dirs_free(&d);
        return 2;
    }
    size_t n = policy_engine_rule_count(pe);
    cJSON *arr = json ? cJSON_CreateArray() : NULL;
    if (!json)
        printf("%-44s %-8s %-26s %-24s %s\n", "ID", "SEVERITY", "TYPE", "FRAMEWORKS", "TITLE");
    for (size_t i = 0; i < n; i++) {
        const pe_rule *r = policy_engine_rule(pe, i);
        cJSON *refs = cJSON_Parse(r->compliance_json);
        /* distinct framework ids, in order */
        sbuf fws = {0};
        const cJSON *e;
        cJSON_ArrayForEach(e, refs)
        {
            const char *fw = cJSON_GetObjectItemCaseSensitive(e, "framework")->valuestring;
            int seen = 0;
            for (const cJSON *p = refs->child; p != e; p = p->next)
                seen |= !strcmp(cJSON_GetObjectItemCaseSensitive(p, "framework")->valuestring, fw);
            if (!seen)
                sbuf_printf(&fws, "%s%s", fws.len ? "," : "", fw);
        }
        if (json) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "id", r->id);
            cJSON_AddStringToObject(o, "severity", severity_name(r->severity));
            cJSON_AddStringToObject(o, "resource_type", r->resource_type);
            cJSON_AddStringToObject(o, "title", r->title);
            cJSON_AddStringToObject(o, "origin", r->origin);
            cJSON_AddItemToObject(o, "compliance", refs ? refs : cJSON_CreateArray());
            refs = NULL;
            cJSON_AddItemToArray(arr, o);
        } else {
            printf("%-44s %-8s %-26s %-24s %s\n", r->id, severity_name(r->severity), r->resource_type,
                   fws.len ? fws.data : "-", r->title);
        }
        sbuf_free(&fws);
        cJSON_Delete(refs);
    }
    if (json) {
        char *s = cJSON_Print(arr);
        printf("%s\n", s);
        cJSON_free(s);
        cJSON_Delete(arr);
    } else {
        printf("%zu rule%s\n", n, n == 1 ? "" : "s");
    }
    policy_engine_free(pe);
    dirs_free(&d);
    return rc;
}

/* ---------------------------------------------------------------- lint */

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int policy_lint(cli_ctx *c, int argc, char **argv)
{
    dir_list d = {0};
    const char *docs = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--docs") && i + 1 < argc)
            docs = argv[++i];
        else if (!strncmp(argv[i], "--docs=", 7))
            docs = argv[i] + 7;
        else if (argv[i][0] == '-') {
            dirs_free(&d);
            return cli_usage_error("policy", "policy lint: unknown option '%s'", argv[i]);
        } else
            dirs_add(&d, argv[i]);
    }
    dirs_default(c, &d);
    /* the resource docs: --docs, else beside the first rule dir (a source tree), else ./docs/resources */
    char *docs_dir = NULL;
    if (docs) {
        docs_dir = xstrdup(docs);
    } else {
        sbuf b = {0};
        sbuf_printf(&b, "%s/../docs/resources", d.n ? d.v[0] : ".");
        docs_dir = is_dir(b.data) ? sbuf_steal(&b) : xstrdup("docs/resources");
        sbuf_free(&b);
    }
    char err[600];
    pe_shapes *shapes = pe_shapes_load(docs_dir, err, sizeof err);
    if (!shapes) {
        fprintf(stderr, "parapet: error: %s (name the folder of the resource pages with --docs DIR)\n", err);
        free(docs_dir);
        dirs_free(&d);
        return 2;
    }
    size_t problems = 0;
    policy_engine *pe = load(c, &d, 1, &problems);
    if (!pe) {
        pe_shapes_free(shapes);
        free(docs_dir);
        dirs_free(&d);
        return 2;
    }
    size_t n = policy_engine_rule_count(pe);
    const pe_rule **rules = xcalloc(n + 1, sizeof *rules);
    for (size_t i = 0; i < n; i++) {
        rules[i] = policy_engine_rule(pe, i);
        pe_lint_rule_paths(shapes, rules[i], print_problem, &problems);
    }
    size_t nf = 0;
    const framework *fws = policy_engine_frameworks(pe, &nf);
    pe_lint_frameworks(fws, nf, rules, n, print_problem, &problems);
    printf("%zu rule%s, %zu framework%s, %zu resource type%s documented: %zu problem%s\n", n, n == 1 ? "" : "s", nf,
           nf == 1 ? "" : "s", pe_shapes_types(shapes), pe_shapes_types(shapes) == 1 ? "" : "s", problems,
           problems == 1 ? "" : "s");
    free(rules);
    policy_engine_free(pe);
    pe_shapes_free(shapes);
    free(docs_dir);
    dirs_free(&d);
    return problems ? 1 : 0;
}

/* ---------------------------------------------------------------- test */

typedef struct collected {
    const char *rule_id;
    int status; /* -1: no finding */
    char *message;
    size_t others;
} collected;

static void collect_finding(void *ud, rec *f)
{
    collected *c = ud;
    if (!strcmp(f->u.finding.rule_id, c->rule_id)) {
        c->status = (int)f->u.finding.status;
        free(c->message);
        c->message = xstrdup_or_null(f->u.finding.message);
    }
    rec_free(f);
}

static const char *str_or(const cJSON *o, const char *key, const char *def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : def;
}

/* Turn example @ex of @r into a resource record; NULL with @err. */
static rec *example_record(const pe_rule *r, const cJSON *ex, char *err, size_t errlen)
{
    char provider[64];
    snprintf(provider, sizeof provider, "%s", r->resource_type);
    char *dot = strchr(provider, '.');
    if (dot)
        *dot = '\0';
    pp_resource res;
    PP_INIT(&res);
    res.uid = str_or(ex, "uid", "example");
    res.type = str_or(ex, "type", r->resource_type);
    res.provider = str_or(ex, "provider", provider);
    res.account = str_or(ex, "account", NULL);
    res.region = str_or(ex, "region", NULL);
    res.name = str_or(ex, "name", NULL);
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(ex, "tags");
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(ex, "data");
    char *tags_s = cJSON_IsObject(tags) ? cJSON_PrintUnformatted(tags) : NULL;
    char *data_s = cJSON_IsObject(data) ? cJSON_PrintUnformatted(data) : NULL;
    res.tags_json = tags_s;
    res.data_json = data_s;
    res.source = "api";
    rec *out = rec_copy(REC_RESOURCE, &res, "policy-test", err, errlen);
    cJSON_free(tags_s);
    cJSON_free(data_s);
    return out;
}

static int policy_test(cli_ctx *c, int argc, char **argv)
{
    dir_list d = {0};
    for (int i = 0; i < argc; i++) {
        if (argv[i][0] == '-') {
            dirs_free(&d);
            return cli_usage_error("policy", "policy test: unknown option '%s'", argv[i]);
        }
        dirs_add(&d, argv[i]);
    }
    dirs_default(c, &d);
    size_t set_aside = 0;
    policy_engine *pe = load_with(c, &d, 0, NULL, &set_aside);
    if (!pe) {
        dirs_free(&d);
        return 2;
    }
    int64_t now = (int64_t)time(NULL);
    size_t n = policy_engine_rule_count(pe), examples = 0, failed_examples = 0, failed_rules = set_aside;
    for (size_t i = 0; i < n; i++) {
        const pe_rule *r = policy_engine_rule(pe, i);
        static const char *const kinds[] = {"fail", "pass"};
        sbuf problems = {0};
        size_t count = 0;
        for (int k = 0; k < 2; k++) {
            const cJSON *arr = cJSON_GetObjectItemCaseSensitive(r->examples, kinds[k]);
            int idx = 0;
            const cJSON *ex;
            cJSON_ArrayForEach(ex, arr)
            {
                count++;
                examples++;
                char err[300];
                collected col = {r->id, -1, NULL, 0};
                const char *got = NULL;
                rec *res = example_record(r, ex, err, sizeof err);
                if (!res) {
                    sbuf_printf(&problems, "    examples.%s[%d]: not a valid resource record: %s\n", kinds[k], idx,
                                err);
                    failed_examples++;
                    idx++;
                    continue;
                }
                if (strcmp(res->u.resource.type, r->resource_type)) {
                    sbuf_printf(&problems, "    examples.%s[%d]: type '%s' is not the rule's resource_type '%s'\n",
                                kinds[k], idx, res->u.resource.type, r->resource_type);
                    failed_examples++;
                    rec_free(res);
                    idx++;
                    continue;
                }
                policy_engine_evaluate(pe, res, now, collect_finding, &col);
                int want = k == 0 ? PP_STATUS_FAIL : PP_STATUS_PASS;
                if (col.status != want) {
                    got = col.status < 0 ? "no finding (applies is false)" : status_name(col.status);
                    sbuf_printf(&problems, "    examples.%s[%d]: expected %s, got %s%s%s\n", kinds[k], idx, kinds[k],
                                got, col.message && col.status == PP_STATUS_ERROR ? ": " : "",
                                col.message && col.status == PP_STATUS_ERROR ? col.message : "");
                    failed_examples++;
                }
                free(col.message);
                rec_free(res);
                idx++;
            }
        }
        if (problems.len) {
            failed_rules++;
            printf("FAIL %s (%s)\n%s", r->id, r->origin, problems.data);
        } else {
            printf("ok   %s (%zu example%s)\n", r->id, count, count == 1 ? "" : "s");
        }
        sbuf_free(&problems);
    }
    printf("%zu rule%s, %zu example%s: %zu rule%s failed, %zu example%s failed\n", n, n == 1 ? "" : "s", examples,
           examples == 1 ? "" : "s", failed_rules, failed_rules == 1 ? "" : "s", failed_examples,
           failed_examples == 1 ? "" : "s");
    policy_engine_free(pe);
    dirs_free(&d);
    return failed_rules ? 1 : 0;
}

/* ---------------------------------------------------------------- eval */

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
    if (argc < 1)
        return cli_usage_error("policy", "say what to do: list, lint, test or eval");
    if (!strcmp(argv[0], "eval"))
        return policy_eval(argc - 1, argv + 1);
    if (!strcmp(argv[0], "list"))
        return policy_list(c, argc - 1, argv + 1);
    if (!strcmp(argv[0], "lint"))
        return policy_lint(c, argc - 1, argv + 1);
    if (!strcmp(argv[0], "test"))
        return policy_test(c, argc - 1, argv + 1);
    return cli_usage_error("policy", "unknown policy command '%s'", argv[0]);
}
