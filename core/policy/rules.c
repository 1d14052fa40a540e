/* core/policy/rules.c - parse, validate and compile rules (see rules.h). */
#include "config.h"

#include "rules.h"
#include "lint.h"

#include <parapet/records.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const severities[] = {"info", "low", "medium", "high", "critical"};

static const char *const rule_members[] = {"id",          "title",       "description", "resource_type",
                                           "severity",    "applies",     "violation",   "message",
                                           "evidence",    "remediation", "references",  "examples"};

static const char *const remediation_members[] = {"text", "cli", "terraform", "cloudformation"};

int pe_rule_id_valid(const char *id)
{
    /* ^[a-z0-9]+(-[a-z0-9]+)+$ */
    int groups = 0, run = 0;
    if (!id || !*id)
        return 0;
    for (const char *p = id; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) {
            run++;
        } else if (*p == '-') {
            if (!run)
                return 0;
            groups++;
            run = 0;
        } else {
            return 0;
        }
    }
    return run > 0 && groups >= 1 && strlen(id) <= 128;
}

/* ^[a-z0-9]+(\.[a-z0-9_]+)+$ (docs/resources/README.md) */
static int type_valid(const char *t)
{
    int dots = 0, run = 0;
    for (const char *p = t; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || (*p == '_' && dots > 0)) {
            run++;
        } else if (*p == '.') {
            if (!run)
                return 0;
            dots++;
            run = 0;
        } else {
            return 0;
        }
    }
    return run > 0 && dots >= 1 && strlen(t) <= 128;
}

void pe_rule_free(pe_rule *r)
{
    if (!r)
        return;
    free(r->id);
    free(r->title);
    free(r->description);
    free(r->resource_type);
    free(r->origin);
    free(r->applies_src);
    free(r->violation_src);
    for (size_t i = 0; i < r->n_violation_paths; i++)
        free(r->violation_paths[i]);
    free(r->violation_paths);
    cel_program_free(r->applies);
    cel_program_free(r->violation);
    free(r->message_src);
    pe_template_free(r->message);
    for (size_t i = 0; i < r->n_evidence; i++) {
        free(r->evidence_names[i]);
        free(r->evidence_src[i]);
        cel_program_free(r->evidence[i]);
    }
    free(r->evidence_names);
    free(r->evidence_src);
    free(r->evidence);
    free(r->remediation_text);
    pe_template_free(r->remediation_cli);
    pe_template_free(r->remediation_terraform);
    pe_template_free(r->remediation_cloudformation);
    for (size_t i = 0; i < r->n_references; i++)
        free(r->references[i]);
    free(r->references);
    cJSON_Delete(r->examples);
    free(r->compliance_json);
    free(r);
}

/* The error prefix of a rule: "ORIGIN: rule 'ID': ". */
static void rule_error(char *err, size_t errlen, const char *origin, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void rule_error(char *err, size_t errlen, const char *origin, const char *id, const char *fmt, ...)
{
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (id)
        snprintf(err, errlen, "%s: rule '%.128s': %s", origin, id, msg);
    else
        snprintf(err, errlen, "%s: %s", origin, msg);
}

static int in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, list[i]))
            return 1;
    return 0;
}

/* A string member: required or not, one line or not. 0 ok (*out may stay
 * NULL when optional and absent), -1 with @why set. */
static int get_text(const cJSON *obj, const char *key, int required, int one_line, const char **out,
                    char *why, size_t whylen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = NULL;
    if (!v) {
        if (required) {
            snprintf(why, whylen, "missing member '%s'", key);
            return -1;
        }
        return 0;
    }
    if (!cJSON_IsString(v) || !v->valuestring) {
        snprintf(why, whylen, "%s: must be a string", key);
        return -1;
    }
    size_t n = strlen(v->valuestring);
    if (required && n == 0) {
        snprintf(why, whylen, "%s: must not be empty", key);
        return -1;
    }
    if (n > PE_RULE_TEXT_MAX && strcmp(key, "applies") && strcmp(key, "violation")) {
        snprintf(why, whylen, "%s: longer than %d bytes", key, PE_RULE_TEXT_MAX);
        return -1;
    }
    if (one_line && strpbrk(v->valuestring, "\r\n")) {
        snprintf(why, whylen, "%s: must be one line", key);
        return -1;
    }
    *out = v->valuestring;
    return 0;
}

/* Compile @src; NULL with "MEMBER: L:C: msg" in @why. */
static cel_program *compile_member(const cel_env *env, const char *member, const char *src, char *why,
                                   size_t whylen)
{
    cel_compile_error ce;
    cel_program *p = cel_compile(env, src, &ce);
    if (!p)
        snprintf(why, whylen, "%s: %s", member, ce.text);
    return p;
}

static int parse_examples(const cJSON *ex, char *why, size_t whylen)
{
    if (!ex) {
        snprintf(why, whylen, "missing member 'examples'");
        return -1;
    }
    if (!cJSON_IsObject(ex)) {
        snprintf(why, whylen, "examples: must be an object with 'fail' and 'pass' arrays");
        return -1;
    }
    const cJSON *m;
    cJSON_ArrayForEach(m, ex)
    {
        if (strcmp(m->string, "fail") && strcmp(m->string, "pass")) {
            snprintf(why, whylen, "examples: unknown member '%.64s' (only 'fail' and 'pass')", m->string);
            return -1;
        }
    }
    static const char *const kinds[] = {"fail", "pass"};
    for (size_t k = 0; k < 2; k++) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(ex, kinds[k]);
        if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) < 1) {
            snprintf(why, whylen, "examples.%s: must be an array of at least one resource record", kinds[k]);
            return -1;
        }
        int i = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, a)
        {
            if (!cJSON_IsObject(e)) {
                snprintf(why, whylen, "examples.%s[%d]: must be a resource record (an object)", kinds[k], i);
                return -1;
            }
            i++;
        }
    }
    return 0;
}

static int parse_remediation(pe_rule *r, const cJSON *rem, const cel_env *env, char *why, size_t whylen)
{
    if (!rem) {
        snprintf(why, whylen, "missing member 'remediation'");
        return -1;
    }
    if (!cJSON_IsObject(rem)) {
        snprintf(why, whylen, "remediation: must be an object with at least 'text'");
        return -1;
    }
    const cJSON *m;
    cJSON_ArrayForEach(m, rem)
    {
        if (!in_list(m->string, remediation_members, sizeof remediation_members / sizeof *remediation_members)) {
            snprintf(why, whylen, "remediation: unknown member '%.64s'", m->string);
            return -1;
        }
    }
    const char *text;
    char sub[600];
    if (get_text(rem, "text", 1, 0, &text, sub, sizeof sub) != 0) {
        snprintf(why, whylen, "remediation: %s", sub);
        return -1;
    }
    r->remediation_text = xstrdup(text);
    pe_template **slots[] = {&r->remediation_cli, &r->remediation_terraform, &r->remediation_cloudformation};
    for (size_t i = 1; i < 4; i++) {
        const char *s;
        if (get_text(rem, remediation_members[i], 0, 0, &s, sub, sizeof sub) != 0) {
            snprintf(why, whylen, "remediation: %s", sub);
            return -1;
        }
        if (!s)
            continue;
        *slots[i - 1] = pe_template_compile(env, s, sub, sizeof sub);
        if (!*slots[i - 1]) {
            snprintf(why, whylen, "remediation.%s: %s", remediation_members[i], sub);
            return -1;
        }
    }
    return 0;
}

static int parse_evidence(pe_rule *r, const cJSON *ev, const cel_env *env, char *why, size_t whylen)
{
    if (!ev)
        return 0;
    if (!cJSON_IsObject(ev)) {
        snprintf(why, whylen, "evidence: must be an object of name -> CEL expression");
        return -1;
    }
    int n = cJSON_GetArraySize(ev);
    if (n > PE_RULE_MAX_EVIDENCE) {
        snprintf(why, whylen, "evidence: more than %d expressions", PE_RULE_MAX_EVIDENCE);
        return -1;
    }
    r->evidence_names = xcalloc((size_t)n + 1, sizeof *r->evidence_names);
    r->evidence_src = xcalloc((size_t)n + 1, sizeof *r->evidence_src);
    r->evidence = xcalloc((size_t)n + 1, sizeof *r->evidence);
    const cJSON *m;
    cJSON_ArrayForEach(m, ev)
    {
        if (!cJSON_IsString(m) || !m->valuestring[0]) {
            snprintf(why, whylen, "evidence.%.64s: must be a CEL expression (a non-empty string)", m->string);
            return -1;
        }
        if (!m->string[0] || strlen(m->string) > 128) {
            snprintf(why, whylen, "evidence: names must be 1 to 128 bytes");
            return -1;
        }
        for (size_t i = 0; i < r->n_evidence; i++) {
            if (!strcmp(r->evidence_names[i], m->string)) {
                snprintf(why, whylen, "evidence: name '%.64s' given twice", m->string);
                return -1;
            }
        }
        char member[200];
        snprintf(member, sizeof member, "evidence.%.128s", m->string);
        cel_program *p = compile_member(env, member, m->valuestring, why, whylen);
        if (!p)
            return -1;
        r->evidence_names[r->n_evidence] = xstrdup(m->string);
        r->evidence_src[r->n_evidence] = xstrdup(m->valuestring);
        r->evidence[r->n_evidence] = p;
        r->n_evidence++;
    }
    return 0;
}

static int parse_references(pe_rule *r, const cJSON *refs, char *why, size_t whylen)
{
    if (!refs)
        return 0;
    if (!cJSON_IsArray(refs)) {
        snprintf(why, whylen, "references: must be an array of URLs");
        return -1;
    }
    int n = cJSON_GetArraySize(refs);
    r->references = xcalloc((size_t)n + 1, sizeof *r->references);
    const cJSON *e;
    cJSON_ArrayForEach(e, refs)
    {
        if (!cJSON_IsString(e) || (strncmp(e->valuestring, "https://", 8) && strncmp(e->valuestring, "http://", 7)) ||
            strpbrk(e->valuestring, " \t\r\n") || strlen(e->valuestring) > 2048) {
            snprintf(why, whylen, "references[%zu]: must be an http(s) URL", r->n_references);
            return -1;
        }
        r->references[r->n_references++] = xstrdup(e->valuestring);
    }
    return 0;
}

pe_rule *pe_rule_parse(const cJSON *obj, const char *origin, const cel_env *env, char *err, size_t errlen)
{
    char why[800];
    if (!cJSON_IsObject(obj)) {
        rule_error(err, errlen, origin, NULL, "a rule must be a JSON object");
        return NULL;
    }
    const cJSON *idj = cJSON_GetObjectItemCaseSensitive(obj, "id");
    if (!idj) {
        rule_error(err, errlen, origin, NULL, "a rule without 'id'");
        return NULL;
    }
    if (!cJSON_IsString(idj) || !pe_rule_id_valid(idj->valuestring)) {
        rule_error(err, errlen, origin, NULL, "rule id %s%.128s%s: must match ^[a-z0-9]+(-[a-z0-9]+)+$",
                   cJSON_IsString(idj) ? "'" : "", cJSON_IsString(idj) ? idj->valuestring : "(not a string)",
                   cJSON_IsString(idj) ? "'" : "");
        return NULL;
    }
    const char *id = idj->valuestring;
    const cJSON *m;
    cJSON_ArrayForEach(m, obj)
    {
        if (!in_list(m->string, rule_members, sizeof rule_members / sizeof *rule_members)) {
            rule_error(err, errlen, origin, id, "unknown member '%.64s'", m->string);
            return NULL;
        }
    }

    pe_rule *r = xcalloc(1, sizeof *r);
    r->id = xstrdup(id);
    r->origin = xstrdup(origin);
    const char *title, *desc, *type, *sev, *applies, *violation, *message;
    if (get_text(obj, "title", 1, 1, &title, why, sizeof why) ||
        get_text(obj, "description", 1, 0, &desc, why, sizeof why) ||
        get_text(obj, "resource_type", 1, 1, &type, why, sizeof why) ||
        get_text(obj, "severity", 1, 1, &sev, why, sizeof why) ||
        get_text(obj, "applies", 0, 0, &applies, why, sizeof why) ||
        get_text(obj, "violation", 1, 0, &violation, why, sizeof why) ||
        get_text(obj, "message", 1, 0, &message, why, sizeof why))
        goto fail;
    r->title = xstrdup(title);
    r->description = xstrdup(desc);
    if (!type_valid(type)) {
        snprintf(why, sizeof why, "resource_type: '%.128s' is not a type name (^[a-z0-9]+(\\.[a-z0-9_]+)+$)", type);
        goto fail;
    }
    r->resource_type = xstrdup(type);
    r->severity = -1;
    for (int i = 0; i < 5; i++)
        if (!strcmp(sev, severities[i]))
            r->severity = i;
    if (r->severity < 0) {
        snprintf(why, sizeof why, "severity: '%.64s' is not one of critical, high, medium, low, info", sev);
        goto fail;
    }
    if (applies) {
        r->applies_src = xstrdup(applies);
        if (!(r->applies = compile_member(env, "applies", applies, why, sizeof why)))
            goto fail;
    }
    r->violation_src = xstrdup(violation);
    if (!(r->violation = compile_member(env, "violation", violation, why, sizeof why)))
        goto fail;
    {
        size_t n = pe_data_paths(violation, &r->violation_paths);
        r->n_violation_paths = n == (size_t)-1 ? 0 : n;
    }
    r->message_src = xstrdup(message);
    {
        char sub[600];
        if (!(r->message = pe_template_compile(env, message, sub, sizeof sub))) {
            snprintf(why, sizeof why, "message: %s", sub);
            goto fail;
        }
    }
    if (parse_evidence(r, cJSON_GetObjectItemCaseSensitive(obj, "evidence"), env, why, sizeof why) ||
        parse_remediation(r, cJSON_GetObjectItemCaseSensitive(obj, "remediation"), env, why, sizeof why) ||
        parse_references(r, cJSON_GetObjectItemCaseSensitive(obj, "references"), why, sizeof why) ||
        parse_examples(cJSON_GetObjectItemCaseSensitive(obj, "examples"), why, sizeof why))
        goto fail;
    r->examples = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(obj, "examples"), 1);
    if (!r->examples) {
        snprintf(why, sizeof why, "out of memory");
        goto fail;
    }
    return r;
fail:
    rule_error(err, errlen, origin, id, "%s", why);
    pe_rule_free(r);
    return NULL;
}

int pe_rule_pack_parse(const char *text, size_t len, int is_file, const char *origin, const cel_env *env,
                       pe_rule ***rules, size_t *n, void (*set_aside)(void *ud, const char *msg), void *ud,
                       char *err, size_t errlen)
{
    if (len > PE_RULE_FILE_MAX) {
        snprintf(err, errlen, "%s: larger than %d MiB", origin, PE_RULE_FILE_MAX / (1024 * 1024));
        return -1;
    }
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (doc && end) {
        /* only white space may follow the document */
        while (end < text + len && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
            end++;
        if (end < text + len) {
            cJSON_Delete(doc);
            doc = NULL;
        }
    }
    if (!doc) {
        /* line and column of the first byte cJSON could not take */
        size_t off = end && end >= text ? (size_t)(end - text) : 0;
        int line = 1, col = 1;
        for (size_t i = 0; i < off && i < len; i++) {
            if (text[i] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        snprintf(err, errlen, "%s: not valid JSON (near line %d, column %d)", origin, line, col);
        return -1;
    }
    const cJSON *arr = doc;
    if (is_file) {
        if (!cJSON_IsObject(doc)) {
            snprintf(err, errlen, "%s: a rule file must be an object {\"format\": 1, \"rules\": [...]}", origin);
            cJSON_Delete(doc);
            return -1;
        }
        const cJSON *m;
        cJSON_ArrayForEach(m, doc)
        {
            if (strcmp(m->string, "format") && strcmp(m->string, "rules")) {
                snprintf(err, errlen, "%s: unknown member '%.64s' (a rule file has 'format' and 'rules')", origin,
                         m->string);
                cJSON_Delete(doc);
                return -1;
            }
        }
        const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(doc, "format");
        if (!cJSON_IsNumber(fmt) || fmt->valuedouble != 1) {
            snprintf(err, errlen, "%s: format: must be 1", origin);
            cJSON_Delete(doc);
            return -1;
        }
        arr = cJSON_GetObjectItemCaseSensitive(doc, "rules");
    }
    if (!cJSON_IsArray(arr)) {
        snprintf(err, errlen, "%s: %s must be an array of rules", origin, is_file ? "rules" : "the pack");
        cJSON_Delete(doc);
        return -1;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        pe_rule *r = pe_rule_parse(e, origin, env, err, errlen);
        if (!r && set_aside && strstr(err, "(no loaded plugin provides it)")) {
            set_aside(ud, err); /* this rule only: the others of the pack stand */
            err[0] = '\0';
            continue;
        }
        if (!r) {
            cJSON_Delete(doc);
            return -1;
        }
        *rules = xrealloc(*rules, (*n + 1) * sizeof **rules);
        (*rules)[(*n)++] = r;
    }
    cJSON_Delete(doc);
    return 0;
}
