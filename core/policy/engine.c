/*
 * core/policy/engine.c - the rule engine: loading rule packs, plugin CEL
 * functions, frameworks and suppressions, and judging resources
 * (see engine.h and docs/policy-engine.md).
 */
#include "config.h"

#include "engine.h"

#include <dirent.h>
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cel/cel.h"
#include "framework.h"
#include "host.h"
#include "host_services.h"
#include "jsonv.h"
#include "log.h"
#include "rules.h"
#include "schema.h"
#include "suppress.h"
#include "util.h"

#define PE_MAX_DIR_DEPTH 16   /* nesting of rule directories */
#define PE_MAX_RULE_FILES 100000

/* A policy plugin the engine initialised for its rules and functions. */
typedef struct pe_plugin {
    loaded_plugin *lp;
    void *inst;
} pe_plugin;

/* The user data of one registered plugin CEL function. */
typedef struct pe_function {
    loaded_plugin *lp;
    void *inst;
    int (*call)(void *inst, const char *args_json, char **result);
} pe_function;

/* What evaluating one resource needs, kept between calls for reuse. */
typedef struct pe_scratch {
    cel_vars *vars;
    cel_evaluator *ev;
} pe_scratch;

/* Rules of one resource type. */
typedef struct type_slot {
    const char *type; /* borrowed from the first rule; NULL: empty slot */
    pe_rule **rules;
    size_t n;
} type_slot;

struct policy_engine {
    cel_env *env;
    pe_rule **rules;
    size_t n_rules;
    type_slot *types; /* open addressing, power-of-two capacity */
    size_t types_cap;
    framework *fws;
    size_t n_fws;
    pe_suppressions *supp;
    pe_plugin *plugins;
    size_t n_plugins;
    pe_function **fns;
    size_t n_fns;
    cel_limits limits;
    const policy_load_opts *opts; /* while loading */
    size_t n_errors;              /* problems passed to opts->on_error */
    _Atomic(pe_scratch *) spare;  /* a scratch no evaluation holds, or NULL */
};

/* A problem with one pack (its text is in @err): with an on_error callback
 * it is reported and loading goes on (returns 0); otherwise it stops the
 * load (returns -1, @err kept). */
static int pack_problem(policy_engine *pe, char *err)
{
    if (!pe->opts || !pe->opts->on_error)
        return -1;
    pe->opts->on_error(pe->opts->on_error_ud, err);
    pe->n_errors++;
    err[0] = '\0';
    return 0;
}

/* ------------------------------------------------------------ small helpers */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static type_slot *find_type(const policy_engine *pe, const char *type)
{
    if (!pe->types_cap || !type)
        return NULL;
    size_t j = hash_str(type) & (pe->types_cap - 1);
    while (pe->types[j].type) {
        if (!strcmp(pe->types[j].type, type))
            return &pe->types[j];
        j = (j + 1) & (pe->types_cap - 1);
    }
    return NULL;
}

/* Whether the texts a rule puts in each of its findings pass rec_copy's
 * checks (checked once here instead of once per finding). */
static int rule_texts_ok(const pe_rule *r)
{
    return r->id && rec_text_valid(r->id) && (!r->title || rec_text_valid(r->title)) &&
           (!r->remediation_text || rec_text_valid(r->remediation_text)) && r->compliance_json &&
           json_validate(r->compliance_json, strlen(r->compliance_json), JSONV_ARRAY, 512, NULL, 0) == 0;
}

/* Index every rule by its resource type. */
static void build_index(policy_engine *pe)
{
    size_t cap = 16;
    while (cap < pe->n_rules * 2)
        cap *= 2;
    pe->types = xcalloc(cap, sizeof *pe->types);
    pe->types_cap = cap;
    for (size_t i = 0; i < pe->n_rules; i++) {
        pe_rule *r = pe->rules[i];
        r->finding_texts_ok = rule_texts_ok(r);
        size_t j = hash_str(r->resource_type) & (cap - 1);
        while (pe->types[j].type && strcmp(pe->types[j].type, r->resource_type))
            j = (j + 1) & (cap - 1);
        type_slot *s = &pe->types[j];
        s->type = r->resource_type;
        s->rules = xrealloc(s->rules, (s->n + 1) * sizeof *s->rules);
        s->rules[s->n++] = r;
    }
}

/* ------------------------------------------------------------ plugins */

static int plugin_function_call(void *ud, const char *args_json, char **result)
{
    const pe_function *f = ud;
    *result = NULL;
    return f->call(f->inst, args_json, result) == PP_OK ? 0 : 1;
}

static void plugin_function_free(void *ud, char *result)
{
    const pe_function *f = ud;
    if (result)
        host_api_table.free(f->lp->host, result);
}

/* Initialise policy plugin @lp with its configuration. */
static int plugin_init(policy_engine *pe, const policy_load_opts *o, loaded_plugin *lp, char *err, size_t errlen)
{
    cJSON *conf = o->cfg ? config_plugin(o->cfg, lp->name) : cJSON_CreateObject();
    char serr[400];
    /* the host's own http.* keys configure the plugin's HTTP client, as for a
     * scan; the rest is the plugin's and must match its schema */
    if (!conf || host_http_configure(lp->host, conf, serr, sizeof serr) != 0 ||
        schema_apply(lp->desc.config_schema, conf, serr, sizeof serr) != 0) {
        snprintf(err, errlen, "plugin '%s': invalid configuration: %s", lp->name, conf ? serr : "out of memory");
        cJSON_Delete(conf);
        return -1;
    }
    char *text = cJSON_PrintUnformatted(conf);
    cJSON_Delete(conf);
    const char *ierr = NULL;
    void *inst = NULL;
    int rc = lp->desc.init(lp->host, text ? text : "{}", &inst, &ierr);
    cJSON_free(text);
    if (rc != PP_OK) {
        snprintf(err, errlen, "plugin '%s': init failed: %s", lp->name, ierr ? ierr : "no reason given");
        return -1;
    }
    pe->plugins = xrealloc(pe->plugins, (pe->n_plugins + 1) * sizeof *pe->plugins);
    pe->plugins[pe->n_plugins].lp = lp;
    pe->plugins[pe->n_plugins].inst = inst;
    pe->n_plugins++;
    return 0;
}

/* Register the CEL functions of the plugin just initialised. */
static int plugin_functions(policy_engine *pe, const pe_plugin *p, char *err, size_t errlen)
{
    const pp_policy_api *api = &p->lp->policy;
    for (size_t i = 0; i < api->n_functions; i++) {
        const pp_cel_function *fn = &api->functions[i];
        if (fn->size < offsetof(pp_cel_function, call) + sizeof fn->call || !fn->name || !fn->call) {
            snprintf(err, errlen, "plugin '%s': CEL function %zu is incomplete (size, name or call)", p->lp->name, i);
            return -1;
        }
        pe_function *f = xcalloc(1, sizeof *f);
        f->lp = p->lp;
        f->inst = p->inst;
        f->call = fn->call;
        pe->fns = xrealloc(pe->fns, (pe->n_fns + 1) * sizeof *pe->fns);
        pe->fns[pe->n_fns++] = f;
        const char *why = NULL;
        if (cel_env_add_function(pe->env, fn->name, fn->min_args, fn->max_args, plugin_function_call,
                                 plugin_function_free, f, &why) != 0) {
            snprintf(err, errlen, "plugin '%s': CEL function '%.100s': %s", p->lp->name, fn->name,
                     why ? why : "refused");
            return -1;
        }
    }
    return 0;
}

/* Initialise every usable policy plugin that has rules, frameworks or
 * functions, and register the functions. */
static int load_plugins(policy_engine *pe, const policy_load_opts *o, char *err, size_t errlen)
{
    for (size_t i = 0; o->reg && i < o->reg->n; i++) {
        loaded_plugin *lp = o->reg->v[i];
        if (!lp->ok || !(lp->desc.kinds & PP_KIND_POLICY))
            continue;
        if (!lp->policy.rules && !lp->policy.frameworks && !lp->policy.n_functions)
            continue;
        if (plugin_init(pe, o, lp, err, errlen) != 0)
            return -1;
        if (plugin_functions(pe, &pe->plugins[pe->n_plugins - 1], err, errlen) != 0)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ rule files */

/* A rule that needs a function no loaded plugin provides is left out and
 * reported (as a problem when the caller collects them, else as a warning),
 * so one such rule never takes its pack or the scan down. */
static void rule_set_aside(void *ud, const char *msg)
{
    policy_engine *pe = ud;
    char line[1400];
    snprintf(line, sizeof line, "%s; the rule is set aside", msg);
    if (pe->opts && pe->opts->on_set_aside) {
        pe->opts->on_set_aside(pe->opts->on_set_aside_ud, line);
    } else if (pe->opts && pe->opts->on_error) {
        pe->opts->on_error(pe->opts->on_error_ud, line);
        pe->n_errors++;
    } else {
        log_msg(LOG_LVL_WARN, "policy", "%s", line);
    }
}

static int add_pack(policy_engine *pe, const char *text, size_t len, int is_file, const char *origin, char *err,
                    size_t errlen)
{
    size_t before = pe->n_rules;
    if (pe_rule_pack_parse(text, len, is_file, origin, pe->env, &pe->rules, &pe->n_rules, rule_set_aside, pe, err,
                           errlen) == 0)
        return 0;
    /* a bad pack is all or nothing */
    for (size_t i = before; i < pe->n_rules; i++)
        pe_rule_free(pe->rules[i]);
    pe->n_rules = before;
    return pack_problem(pe, err);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load every *.json under @dir, recursively, in name order. */
static int load_dir(policy_engine *pe, const char *dir, int depth, size_t *files, char *err, size_t errlen)
{
    if (depth > PE_MAX_DIR_DEPTH) {
        snprintf(err, errlen, "%s: rule directories nested deeper than %d levels", dir, PE_MAX_DIR_DEPTH);
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: cannot open directory: %s", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        names = xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = xstrdup(de->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        sbuf path = {0};
        sbuf_printf(&path, "%s/%s", dir, names[i]);
        struct stat st;
        if (stat(path.data, &st) != 0) {
            /* a dangling link or a file removed meanwhile: nothing to load */
        } else if (S_ISDIR(st.st_mode)) {
            if (strcmp(names[i], "frameworks"))
                rc = load_dir(pe, path.data, depth + 1, files, err, errlen);
        } else if (S_ISREG(st.st_mode)) {
            size_t l = strlen(names[i]);
            if (l > 5 && !strcmp(names[i] + l - 5, ".json")) {
                if (++*files > PE_MAX_RULE_FILES) {
                    snprintf(err, errlen, "%s: more than %d rule files", dir, PE_MAX_RULE_FILES);
                    rc = -1;
                } else {
                    size_t len = 0;
                    char *text = util_read_file(path.data, PE_RULE_FILE_MAX, &len, err, errlen);
                    rc = text ? add_pack(pe, text, len, 1, path.data, err, errlen) : pack_problem(pe, err);
                    free(text);
                }
            }
        }
        sbuf_free(&path);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

/* Rules, then frameworks, from the initialised plugins. */
static int load_plugin_packs(policy_engine *pe, char *err, size_t errlen)
{
    for (size_t i = 0; i < pe->n_plugins; i++) {
        pe_plugin *p = &pe->plugins[i];
        char origin[200];
        snprintf(origin, sizeof origin, "plugin %s", p->lp->name);
        if (p->lp->policy.rules) {
            const char *text = p->lp->policy.rules(p->inst);
            if (!text) {
                snprintf(err, errlen, "%s: rules() returned nothing", origin);
                if (pack_problem(pe, err) != 0)
                    return -1;
                continue;
            }
            if (add_pack(pe, text, strlen(text), 0, origin, err, errlen) != 0)
                return -1;
        }
        if (p->lp->policy.frameworks) {
            const char *text = p->lp->policy.frameworks(p->inst);
            cJSON *doc = text ? cJSON_Parse(text) : NULL;
            if (!cJSON_IsArray(doc)) {
                snprintf(err, errlen, "%s: frameworks() is not a JSON array", origin);
                cJSON_Delete(doc);
                return -1;
            }
            const cJSON *e;
            cJSON_ArrayForEach(e, doc)
            {
                pe->fws = xrealloc(pe->fws, (pe->n_fws + 1) * sizeof *pe->fws);
                if (framework_parse(e, origin, &pe->fws[pe->n_fws], err, errlen) != 0) {
                    cJSON_Delete(doc);
                    return -1;
                }
                pe->n_fws++;
            }
            cJSON_Delete(doc);
        }
    }
    return 0;
}

/* ------------------------------------------------------------ compliance */

/* Fill each rule's compliance_json from the frameworks. */
static void build_compliance(policy_engine *pe)
{
    sbuf *refs = xcalloc(pe->n_rules + 1, sizeof *refs);
    for (size_t f = 0; f < pe->n_fws; f++) {
        const framework *fw = &pe->fws[f];
        for (size_t q = 0; q < fw->n_reqs; q++) {
            for (size_t k = 0; k < fw->reqs[q].n_rules; k++) {
                /* rule lists are short; a linear search per reference keeps this simple */
                for (size_t i = 0; i < pe->n_rules; i++) {
                    if (strcmp(pe->rules[i]->id, fw->reqs[q].rules[k]))
                        continue;
                    sbuf *b = &refs[i];
                    sbuf_puts(b, b->len ? "," : "[");
                    sbuf_puts(b, "{\"framework\":");
                    json_put_string(b, fw->id);
                    sbuf_puts(b, ",\"requirement\":");
                    json_put_string(b, fw->reqs[q].id);
                    sbuf_puts(b, "}");
                }
            }
        }
    }
    for (size_t i = 0; i < pe->n_rules; i++) {
        if (refs[i].len)
            sbuf_puts(&refs[i], "]");
        else
            sbuf_puts(&refs[i], "[]");
        free(pe->rules[i]->compliance_json);
        pe->rules[i]->compliance_json = sbuf_steal(&refs[i]);
    }
    free(refs);
}

/* ------------------------------------------------------------ load / free */

static void scratch_free(pe_scratch *sc);

void policy_engine_free(policy_engine *pe)
{
    if (!pe)
        return;
    scratch_free(atomic_exchange(&pe->spare, NULL));
    for (size_t i = 0; i < pe->n_rules; i++)
        pe_rule_free(pe->rules[i]);
    free(pe->rules);
    for (size_t i = 0; i < pe->types_cap; i++)
        free(pe->types[i].rules);
    free(pe->types);
    frameworks_free(pe->fws, pe->n_fws);
    pe_suppressions_free(pe->supp);
    cel_env_free(pe->env);
    for (size_t i = 0; i < pe->n_fns; i++)
        free(pe->fns[i]);
    free(pe->fns);
    for (size_t i = 0; i < pe->n_plugins; i++)
        pe->plugins[i].lp->desc.destroy(pe->plugins[i].inst);
    free(pe->plugins);
    free(pe);
}

static int check_duplicates(policy_engine *pe, char *err, size_t errlen)
{
    if (pe->n_rules < 2)
        return 0;
    /* sort a copy by id, then compare neighbours */
    pe_rule **v = xmalloc(pe->n_rules * sizeof *v);
    memcpy(v, pe->rules, pe->n_rules * sizeof *v);
    for (size_t i = 1; i < pe->n_rules; i++) { /* insertion sort keeps it dependency-free and stable */
        pe_rule *x = v[i];
        size_t j = i;
        while (j > 0 && strcmp(v[j - 1]->id, x->id) > 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    int rc = 0;
    for (size_t i = 1; i < pe->n_rules && rc == 0; i++) {
        if (!strcmp(v[i - 1]->id, v[i]->id)) {
            /* name the later one in load order */
            const pe_rule *a = v[i - 1], *b = v[i];
            for (size_t k = 0; k < pe->n_rules; k++) {
                if (pe->rules[k] == a || pe->rules[k] == b) {
                    const pe_rule *first = pe->rules[k], *second = first == a ? b : a;
                    snprintf(err, errlen, "%s: rule '%s': duplicate id (first defined in %s)", second->origin,
                             second->id, first->origin);
                    break;
                }
            }
            rc = pack_problem(pe, err);
        }
    }
    free(v);
    return rc;
}

policy_engine *policy_engine_load(const policy_load_opts *o, char *err, size_t errlen)
{
    if (errlen)
        err[0] = '\0';
    policy_engine *pe = xcalloc(1, sizeof *pe);
    pe->opts = o;
    cel_limits_default(&pe->limits);
    pe->env = cel_env_new_policy();
    if (!pe->env) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (load_plugins(pe, o, err, errlen) != 0)
        goto fail;
    size_t files = 0;
    for (size_t i = 0; i < o->n_rule_dirs; i++) {
        const char *dir = o->rule_dirs[i];
        struct stat st;
        if (stat(dir, &st) != 0 && errno == ENOENT && !o->require_dirs) {
            log_msg(LOG_LVL_DEBUG, "policy", "rule directory %s does not exist; skipped", dir);
            continue;
        }
        if (load_dir(pe, dir, 0, &files, err, errlen) != 0)
            goto fail;
    }
    if (load_plugin_packs(pe, err, errlen) != 0)
        goto fail;
    if (check_duplicates(pe, err, errlen) != 0)
        goto fail;
    if (o->frameworks_dir) {
        framework *f = NULL;
        size_t nf = 0;
        if (frameworks_load(o->frameworks_dir, &f, &nf, err, errlen) != 0)
            goto fail;
        /* files first, then what the plugins gave */
        framework *all = xcalloc(nf + pe->n_fws + 1, sizeof *all);
        if (nf)
            memcpy(all, f, nf * sizeof *f);
        if (pe->n_fws)
            memcpy(all + nf, pe->fws, pe->n_fws * sizeof *all);
        free(f);
        free(pe->fws);
        pe->fws = all;
        pe->n_fws += nf;
    }
    build_compliance(pe);
    build_index(pe);
    pe->supp = pe_suppressions_parse(o->suppressions_json, err, errlen);
    if (!pe->supp)
        goto fail;
    pe->opts = NULL;
    return pe;
fail:
    policy_engine_free(pe);
    return NULL;
}

size_t policy_engine_load_problems(const policy_engine *pe)
{
    return pe ? pe->n_errors : 0;
}

size_t policy_engine_rule_count(const policy_engine *pe)
{
    return pe ? pe->n_rules : 0;
}

const pe_rule *policy_engine_rule(const policy_engine *pe, size_t i)
{
    return pe && i < pe->n_rules ? pe->rules[i] : NULL;
}

const framework *policy_engine_frameworks(const policy_engine *pe, size_t *n)
{
    *n = pe ? pe->n_fws : 0;
    return pe ? pe->fws : NULL;
}

/* ------------------------------------------------------------ evaluation */

/* Bind `now`, the scan time. 0, or -1 with @why. */
static int bind_now(int64_t now, cel_vars *vars, char *why, size_t whylen)
{
    if (cel_vars_set_timestamp(vars, "now", now, 0) != 0) {
        snprintf(why, whylen, "scan time out of range");
        return -1;
    }
    return 0;
}

/* Bind `resource` (the record as JSON) and `now`. 0, or -1 with @why. */
static int bind_resource(const pp_resource *r, int64_t now, cel_vars *vars, char *why, size_t whylen)
{
    size_t dlen = r->data_json ? strlen(r->data_json) : 0, tlen = r->tags_json ? strlen(r->tags_json) : 0;
    if (dlen + tlen > PE_MAX_RESOURCE_JSON) {
        snprintf(why, whylen, "resource too large to evaluate: %zu bytes of data and tags (limit %u MiB)", dlen + tlen,
                 PE_MAX_RESOURCE_JSON / (1024 * 1024));
        return -1;
    }
    /* the fast path: the record's JSON texts straight into CEL values */
    char ts[32];
    cel_field f[9];
    size_t nf = 0;
    const char *strs[][2] = {{"uid", r->uid},         {"type", r->type},     {"provider", r->provider},
                             {"account", r->account}, {"region", r->region}, {"name", r->name}};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (strs[i][1] || !strcmp(strs[i][0], "region"))
            f[nf++] = (cel_field){strs[i][0], CEL_FIELD_STRING, strs[i][1]};
    f[nf++] = (cel_field){"tags", CEL_FIELD_JSON_OBJECT, r->tags_json};
    f[nf++] = (cel_field){"data", CEL_FIELD_JSON_OBJECT, r->data_json};
    if (r->observed_at) {
        time_rfc3339(r->observed_at, ts, sizeof ts);
        f[nf++] = (cel_field){"observed_at", CEL_FIELD_STRING, ts};
    }
    int fast = cel_vars_set_fields(vars, "resource", f, nf);
    if (fast == 0)
        return bind_now(now, vars, why, whylen);
    if (fast < 0) {
        snprintf(why, whylen, "resource cannot be evaluated: out of memory");
        return -1;
    }
    /* anything unusual: through cJSON, which decides and words the errors */
    cJSON *doc = cJSON_CreateObject();
    if (!doc) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (strs[i][1])
            cJSON_AddItemToObject(doc, strs[i][0], cJSON_CreateString(strs[i][1]));
        else if (!strcmp(strs[i][0], "region"))
            cJSON_AddItemToObject(doc, "region", cJSON_CreateNull());
    const char *parts[][2] = {{"tags", r->tags_json}, {"data", r->data_json}};
    for (size_t i = 0; i < 2; i++) {
        cJSON *v = parts[i][1] ? cJSON_Parse(parts[i][1]) : cJSON_CreateObject();
        if (!cJSON_IsObject(v)) {
            snprintf(why, whylen, "resource %s is not a JSON object (or nests deeper than %d levels)", parts[i][0],
                     CJSON_NESTING_LIMIT);
            cJSON_Delete(v);
            cJSON_Delete(doc);
            return -1;
        }
        cJSON_AddItemToObject(doc, parts[i][0], v);
    }
    if (r->observed_at)
        cJSON_AddStringToObject(doc, "observed_at", ts);
    const char *w = NULL;
    int rc = cel_vars_set_json(vars, "resource", doc, &w);
    cJSON_Delete(doc);
    if (rc != 0) {
        snprintf(why, whylen, "resource cannot be evaluated: %s", w ? w : "out of memory");
        return -1;
    }
    return bind_now(now, vars, why, whylen);
}

/*
 * An inline suppression written in the source of an IaC resource
 * (`# parapet:ignore RULE_ID reason`) reaches the engine as the resource tag
 * "parapet:ignore:RULE_ID" whose value is the reason (docs/iac.md). Returns
 * a malloc'd copy of the reason (maybe "") when @r carries one for @rule_id.
 */
static char *inline_ignore(const pp_resource *r, const char *rule_id)
{
    if (!r->tags_json || !strstr(r->tags_json, "parapet:ignore:"))
        return NULL;
    cJSON *tags = cJSON_Parse(r->tags_json);
    char key[300];
    snprintf(key, sizeof key, "parapet:ignore:%s", rule_id);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(tags, key);
    char *reason = v ? xstrdup(cJSON_IsString(v) ? v->valuestring : "") : NULL;
    cJSON_Delete(tags);
    return reason;
}

/* Positions beyond this many entries of pp_resource.source_positions are ignored. */
#define PE_MAX_POSITIONS 4096

/* Segments of @k without its "[N]" indices that equal a leading run of
 * @path's segments ("spec.containers[1].image" against
 * "spec.containers.image"): how many, or 0 when @k is not such a prefix. */
static size_t key_prefix_depth(const char *k, const char *path)
{
    size_t depth = 0;
    const char *p = path;
    while (*k) {
        size_t n = strcspn(k, ".[");
        if (strncmp(k, p, n) != 0 || (p[n] != '.' && p[n] != '\0'))
            return 0;
        depth++;
        k += n;
        p += n;
        while (*k == '[') { /* skip the indices of this segment */
            const char *e = strchr(k, ']');
            if (!e)
                return 0;
            k = e + 1;
        }
        if (*k == '.')
            k++;
        else if (*k)
            return 0;
        if (*p == '.')
            p++;
        else if (*k)
            return 0; /* @k is deeper than @path */
    }
    return depth;
}

/*
 * Where the key that decided a failing finding is: of the positions the
 * resource carries (pp_resource.source_positions), the one whose path goes
 * deepest into a path the rule's violation reads; ties go to the first in
 * the resource's order. Without a match, the resource's own position.
 * Appends ,"location":{...} (or "location":{...} when @first) to @b; nothing
 * for resources that did not come from a file.
 */
static void put_location(sbuf *b, int first, const pe_rule *rule, const pp_resource *r)
{
    if (!r->source || !strcmp(r->source, "api") || !r->source_line)
        return;
    const char *best_key = NULL;
    uint32_t line = r->source_line, col = r->source_column;
    cJSON *pos = r->source_positions ? cJSON_Parse(r->source_positions) : NULL;
    size_t best = 0, seen = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, pos)
    {
        if (++seen > PE_MAX_POSITIONS)
            break;
        const cJSON *l = cJSON_GetArrayItem(it, 0), *c = cJSON_GetArrayItem(it, 1);
        if (!it->string || !cJSON_IsNumber(l) || !cJSON_IsNumber(c) || l->valuedouble < 1 ||
            l->valuedouble > 4e9 || c->valuedouble < 0 || c->valuedouble > 4e9)
            continue;
        for (size_t i = 0; i < rule->n_violation_paths; i++) {
            size_t d = key_prefix_depth(it->string, rule->violation_paths[i]);
            if (d > best) {
                best = d;
                best_key = it->string;
                line = (uint32_t)l->valuedouble;
                col = (uint32_t)c->valuedouble;
            }
        }
    }
    sbuf_puts(b, first ? "\"location\":{\"file\":" : ",\"location\":{\"file\":");
    json_put_string(b, r->source);
    sbuf_printf(b, ",\"line\":%u", line);
    if (col)
        sbuf_printf(b, ",\"column\":%u", col);
    if (best_key) {
        sbuf_puts(b, ",\"key\":");
        json_put_string(b, best_key);
    }
    sbuf_puts(b, "}");
    cJSON_Delete(pos);
}

/* The evidence object of a failing finding, with "suppression" when muted
 * (a store suppression's id, or "inline" with the reason written in code)
 * and "location" for resources read from files. */
static char *build_evidence(const pe_rule *rule, const pp_resource *res, const cel_vars *vars,
                            const cel_limits *lim, cel_evaluator *ev, int64_t supp_id, const char *inline_reason)
{
    sbuf b = {0};
    sbuf_puts(&b, "{");
    for (size_t i = 0; i < rule->n_evidence; i++) {
        if (i)
            sbuf_puts(&b, ",");
        json_put_string(&b, rule->evidence_names[i]);
        sbuf_puts(&b, ":");
        const cel_result *r = cel_evaluator_run(ev, rule->evidence[i], vars, lim);
        const char *e = cel_result_error(r);
        char *js = e ? NULL : cel_result_json(r, 0);
        if (js) {
            sbuf_puts(&b, js);
        } else {
            sbuf_puts(&b, "{\"error\":");
            json_put_string(&b, e ? e : "out of memory");
            sbuf_puts(&b, "}");
        }
        free(js);
    }
    if (supp_id >= 0) {
        sbuf_printf(&b, "%s\"suppression\":%lld", rule->n_evidence ? "," : "", (long long)supp_id);
    } else if (inline_reason) {
        sbuf_printf(&b, "%s\"suppression\":\"inline\",\"suppression_reason\":", rule->n_evidence ? "," : "");
        json_put_string(&b, inline_reason);
    }
    put_location(&b, !rule->n_evidence && supp_id < 0 && !inline_reason, rule, res);
    sbuf_puts(&b, "}");
    return sbuf_steal(&b);
}

static void emit_finding(const pe_rule *rule, const pp_resource *r, pp_status status, const char *message,
                         const char *evidence, const char *remediation, policy_emit_fn emit, void *ud)
{
    pp_finding f;
    PP_INIT(&f);
    f.rule_id = rule->id;
    f.resource_uid = r->uid;
    f.resource_type = r->type;
    f.status = status;
    f.severity = (pp_severity)rule->severity;
    f.title = rule->title;
    f.message = message;
    f.evidence_json = evidence;
    f.remediation = remediation;
    f.compliance_json = rule->compliance_json;
    f.provider = r->provider;
    f.account = r->account;
    f.region = r->region;
    /* The rule's texts were checked at load and the resource's fields come
     * from a validated record: only what was rendered for this finding needs
     * checking. Anything doubtful takes rec_copy's full path below. */
    rec *fr = NULL;
    if (rule->finding_texts_ok && (!message || rec_text_valid(message)) &&
        (!remediation || remediation == rule->remediation_text || rec_text_valid(remediation)) &&
        (!evidence || json_validate(evidence, strlen(evidence), JSONV_OBJECT, 512, NULL, 0) == 0))
        fr = rec_new_trusted(REC_FINDING, &f, "policy");
    char err[300];
    if (!fr)
        fr = rec_copy(REC_FINDING, &f, "policy", err, sizeof err);
    if (!fr) {
        /* should not happen (our fields are valid); keep the judgement visible */
        char msg[400];
        snprintf(msg, sizeof msg, "the finding could not be recorded: %s", err);
        f.status = PP_STATUS_ERROR;
        f.message = msg;
        f.evidence_json = NULL;
        f.remediation = NULL;
        fr = rec_copy(REC_FINDING, &f, "policy", err, sizeof err);
        if (!fr) {
            log_msg(LOG_LVL_ERROR, "policy", "rule %s on %s: finding dropped: %s", rule->id, r->uid, err);
            return;
        }
    }
    emit(ud, fr);
}

/* Evaluate a condition; 1/0, or -1 with *why (owned by @ev, valid until
 * its next run). */
static int condition(const cel_program *p, const cel_vars *vars, const cel_limits *lim, cel_evaluator *ev,
                     const char **why)
{
    int b = 0;
    *why = NULL;
    if (cel_evaluator_bool(ev, p, vars, lim, &b, why) != 0) {
        if (!*why)
            *why = "out of memory";
        return -1;
    }
    return b ? 1 : 0;
}

static void judge(policy_engine *pe, const pe_rule *rule, const pp_resource *r, const cel_vars *vars, int64_t now,
                  cel_evaluator *ev, policy_emit_fn emit, void *ud)
{
    const char *why = NULL;
    char msg[1200];
    if (rule->applies) {
        int a = condition(rule->applies, vars, &pe->limits, ev, &why);
        if (a < 0) {
            snprintf(msg, sizeof msg, "applies: %s", why);
            emit_finding(rule, r, PP_STATUS_ERROR, msg, NULL, NULL, emit, ud);
            return;
        }
        if (a == 0)
            return;
    }
    int v = condition(rule->violation, vars, &pe->limits, ev, &why);
    if (v < 0) {
        snprintf(msg, sizeof msg, "violation: %s", why);
        emit_finding(rule, r, PP_STATUS_ERROR, msg, NULL, NULL, emit, ud);
        return;
    }
    if (v == 0) {
        emit_finding(rule, r, PP_STATUS_PASS, NULL, NULL, NULL, emit, ud);
        return;
    }
    int64_t supp = pe_suppressions_match(pe->supp, rule->id, r, now);
    char *inline_reason = supp < 0 ? inline_ignore(r, rule->id) : NULL;
    char *message = pe_template_render(rule->message, vars, &pe->limits, ev);
    char *evidence = build_evidence(rule, r, vars, &pe->limits, ev, supp, inline_reason);
    char *remediation = NULL;
    if (rule->remediation_cli) {
        char *cli = pe_template_render(rule->remediation_cli, vars, &pe->limits, ev);
        sbuf b = {0};
        sbuf_printf(&b, "%s\nCLI: %s", rule->remediation_text, cli);
        remediation = sbuf_steal(&b);
        free(cli);
    }
    emit_finding(rule, r, supp >= 0 || inline_reason ? PP_STATUS_MUTED : PP_STATUS_FAIL, message, evidence,
                 remediation ? remediation : rule->remediation_text, emit, ud);
    free(inline_reason);
    free(message);
    free(evidence);
    free(remediation);
}

static void scratch_free(pe_scratch *sc)
{
    if (!sc)
        return;
    cel_vars_free(sc->vars);
    cel_evaluator_free(sc->ev);
    free(sc);
}

/* A new scratch, or NULL when out of memory. */
static pe_scratch *scratch_new(void)
{
    pe_scratch *sc = calloc(1, sizeof *sc);
    if (!sc)
        return NULL;
    sc->vars = cel_vars_new();
    sc->ev = cel_evaluator_new();
    if (!sc->vars || !sc->ev) {
        scratch_free(sc);
        return NULL;
    }
    return sc;
}

/* Done with @sc (NULL is fine): emptied, it becomes the spare; a spare
 * another thread left meanwhile is freed. */
static void scratch_release(policy_engine *pe, pe_scratch *sc)
{
    if (!sc)
        return;
    cel_vars_reset(sc->vars);
    scratch_free(atomic_exchange(&pe->spare, sc));
}

void policy_engine_evaluate(policy_engine *pe, const rec *resource, int64_t now, policy_emit_fn emit, void *ud)
{
    if (!pe || !resource || resource->kind != REC_RESOURCE || !emit)
        return;
    const pp_resource *r = &resource->u.resource;
    const type_slot *ts = find_type(pe, r->type);
    if (!ts)
        return;
    char why[400];
    /* evaluate may run on several threads at once: each call takes the
     * spare scratch (or makes one) and leaves its own as the spare */
    pe_scratch *sc = atomic_exchange(&pe->spare, NULL);
    if (!sc)
        sc = scratch_new();
    if (!sc) {
        snprintf(why, sizeof why, "out of memory");
    } else if (bind_resource(r, now, sc->vars, why, sizeof why) == 0) {
        for (size_t i = 0; i < ts->n; i++)
            judge(pe, ts->rules[i], r, sc->vars, now, sc->ev, emit, ud);
        scratch_release(pe, sc);
        return;
    }
    /* the resource itself cannot be evaluated: every rule of its type says why */
    for (size_t i = 0; i < ts->n; i++)
        emit_finding(ts->rules[i], r, PP_STATUS_ERROR, why, NULL, NULL, emit, ud);
    scratch_release(pe, sc);
}
