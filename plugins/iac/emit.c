/*
 * plugins/iac/emit.c - unknown values, inline suppressions, and handing
 * one resource to the host (see iac.h).
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iac.h"

/* The marker is a raw cJSON item: the parser never makes one, so nothing
 * read from a file can be mistaken for it. */
#define UNKNOWN_RAW "\"<unknown>\""

cJSON *iac_unknown(void)
{
    return cJSON_CreateRaw(UNKNOWN_RAW);
}

int iac_is_unknown(const cJSON *v)
{
    return v && cJSON_IsRaw(v) && v->valuestring && !strcmp(v->valuestring, UNKNOWN_RAW);
}

int iac_has_unknown(const cJSON *v)
{
    if (!v)
        return 0;
    if (iac_is_unknown(v))
        return 1;
    for (const cJSON *c = v->child; c; c = c->next)
        if (iac_has_unknown(c))
            return 1;
    return 0;
}

int iac_find_suppressions(iac_file *f)
{
    static const char mark[] = "parapet:ignore";
    uint32_t line = 1;
    size_t i = 0;
    while (i < f->len) {
        size_t end = i;
        while (end < f->len && f->text[end] != '\n')
            end++;
        /* Only inside a comment: "#" then optional spaces then the mark. */
        for (size_t j = i; j < end; j++) {
            if (f->text[j] != '#')
                continue;
            size_t k = j + 1;
            while (k < end && f->text[k] == ' ')
                k++;
            if (end - k < sizeof mark - 1 || memcmp(f->text + k, mark, sizeof mark - 1))
                continue;
            k += sizeof mark - 1;
            while (k < end && f->text[k] == ' ')
                k++;
            size_t r0 = k;
            while (k < end && f->text[k] != ' ' && f->text[k] != '\r')
                k++;
            if (k == r0 || k - r0 >= sizeof f->supp[0].rule)
                break;
            iac_suppression *ns = realloc(f->supp, (f->n_supp + 1) * sizeof *ns);
            if (!ns)
                return -1;
            f->supp = ns;
            iac_suppression *s = &ns[f->n_supp++];
            memset(s, 0, sizeof *s);
            s->line = line;
            s->own_line = 1;
            for (size_t b = i; b < j; b++)
                if (f->text[b] != ' ' && f->text[b] != '\t')
                    s->own_line = 0;
            memcpy(s->rule, f->text + r0, k - r0);
            while (k < end && f->text[k] == ' ')
                k++;
            size_t rl = end - k;
            while (rl > 0 && (f->text[k + rl - 1] == '\r' || f->text[k + rl - 1] == ' '))
                rl--;
            if (rl >= sizeof s->reason)
                rl = sizeof s->reason - 1;
            memcpy(s->reason, f->text + k, rl);
            if (!rl)
                snprintf(s->reason, sizeof s->reason, "(no reason given)");
            break;
        }
        i = end + 1;
        line++;
    }
    return 0;
}

/* Drop the members of @data that hold unknown values; list them in iacUnknown. */
static int strip_unknown(cJSON *data)
{
    cJSON *names = NULL;
    cJSON *c = data->child;
    while (c) {
        cJSON *next = c->next;
        if (iac_has_unknown(c)) {
            if (!names && !(names = cJSON_CreateArray()))
                return -1;
            cJSON *s = cJSON_CreateString(c->string ? c->string : "?");
            if (!s || !cJSON_AddItemToArray(names, s)) {
                cJSON_Delete(s);
                cJSON_Delete(names);
                return -1;
            }
            cJSON_Delete(cJSON_DetachItemViaPointer(data, c));
        }
        c = next;
    }
    if (names && !cJSON_AddItemToObject(data, "iacUnknown", names)) {
        cJSON_Delete(names);
        return -1;
    }
    return 0;
}

/* ---- where each data key is written ---- */

typedef struct pos_ctx {
    cJSON *out;
    size_t n;
    char path[1024];
} pos_ctx;

/* Names equal ignoring case, '_' and '-'. */
static int key_match(const char *a, const char *b)
{
    for (;;) {
        while (*a == '_' || *a == '-')
            a++;
        while (*b == '_' || *b == '-')
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
        a++;
        b++;
    }
}

/* The key node named like @k among @map's own entries (*val its value). */
static const yd_node *own_key(const yd_node *map, const char *k, const yd_node **val)
{
    if (!map || map->kind != YD_MAP)
        return NULL;
    for (size_t i = 0; i + 1 < map->n; i += 2) {
        const yd_node *key = map->items[i];
        if (key->kind == YD_SCALAR && key->value && key_match(key->value, k)) {
            *val = map->items[i + 1];
            return key;
        }
    }
    return NULL;
}

/* Depth-first search below @n for a key named like @k, visiting at most
 * *budget nodes and 8 levels. */
static const yd_node *deep_key(const yd_node *n, const char *k, int depth, size_t *budget, const yd_node **val)
{
    if (!n || depth > 8 || !*budget)
        return NULL;
    (*budget)--;
    if (n->kind == YD_MAP) {
        const yd_node *hit = own_key(n, k, val);
        if (hit)
            return hit;
        for (size_t i = 1; i < n->n; i += 2)
            if ((hit = deep_key(n->items[i], k, depth + 1, budget, val)) != NULL)
                return hit;
    } else if (n->kind == YD_SEQ) {
        for (size_t i = 0; i < n->n; i++) {
            const yd_node *hit = deep_key(n->items[i], k, depth + 1, budget, val);
            if (hit)
                return hit;
        }
    }
    return NULL;
}

static void pos_add(pos_ctx *c, const yd_node *at)
{
    if (c->n >= IAC_MAX_POSITIONS || !at || !at->line)
        return;
    cJSON *v = cJSON_CreateArray();
    if (!v || !cJSON_AddItemToArray(v, cJSON_CreateNumber(at->line)) ||
        !cJSON_AddItemToArray(v, cJSON_CreateNumber(at->col)) || !cJSON_AddItemToObject(c->out, c->path, v)) {
        cJSON_Delete(v);
        return;
    }
    c->n++;
}

/* Record the keys of @d found in @src (or below it), recursively. */
static void pos_walk(pos_ctx *c, const cJSON *d, const yd_node *src)
{
    size_t base = strlen(c->path);
    if (cJSON_IsObject(d)) {
        for (const cJSON *m = d->child; m && c->n < IAC_MAX_POSITIONS; m = m->next) {
            const yd_node *val = NULL, *key = own_key(src, m->string, &val);
            if (!key && strlen(m->string) >= 5) {
                size_t budget = 512;
                key = deep_key(src, m->string, 0, &budget, &val);
            }
            int w = snprintf(c->path + base, sizeof c->path - base, "%s%s", base ? "." : "", m->string);
            if (w < 0 || (size_t)w >= sizeof c->path - base)
                continue;
            if (key)
                pos_add(c, key);
            pos_walk(c, m, key ? val : src);
            c->path[base] = '\0';
        }
    } else if (cJSON_IsArray(d)) {
        int i = 0;
        for (const cJSON *e = d->child; e && c->n < IAC_MAX_POSITIONS; e = e->next, i++) {
            const yd_node *item = src && src->kind == YD_SEQ && (size_t)i < src->n ? src->items[i] : NULL;
            int w = snprintf(c->path + base, sizeof c->path - base, "[%d]", i);
            if (w < 0 || (size_t)w >= sizeof c->path - base)
                continue;
            if (item)
                pos_add(c, item);
            pos_walk(c, e, item ? item : src);
            c->path[base] = '\0';
        }
    }
    c->path[base] = '\0';
}

char *iac_positions(const cJSON *data, const yd_node *src)
{
    if (!data || !src)
        return NULL;
    pos_ctx c = {cJSON_CreateObject(), 0, ""};
    if (!c.out)
        return NULL;
    pos_walk(&c, data, src);
    char *s = c.n ? cJSON_PrintUnformatted(c.out) : NULL;
    cJSON_Delete(c.out);
    return s;
}

int iac_emit(iac_file *f, const char *type, const char *uid_locator, const char *name, cJSON *data, cJSON *tags,
             const iac_span *span)
{
    int rc = PP_ERR_NOMEM;
    char *data_s = NULL, *tags_s = NULL, *uid = NULL, *pos_s = NULL;
    if (!data || strip_unknown(data) != 0)
        goto out;
    if (tags && iac_has_unknown(tags)) {
        cJSON_Delete(tags);
        tags = NULL;
    }
    for (size_t i = 0; i < f->n_supp; i++) {
        const iac_suppression *s = &f->supp[i];
        int above = s->own_line && s->line + 1 == span->line;
        if (!above && (s->line < span->line || s->line > span->end_line))
            continue;
        if (!tags && !(tags = cJSON_CreateObject()))
            goto out;
        char key[160];
        snprintf(key, sizeof key, "parapet:ignore:%s", s->rule);
        cJSON_DeleteItemFromObjectCaseSensitive(tags, key);
        if (!cJSON_AddStringToObject(tags, key, s->reason))
            goto out;
    }
    size_t ul = strlen(f->path) + strlen(uid_locator) + 2;
    if (!(uid = malloc(ul)))
        goto out;
    snprintf(uid, ul, "%s#%s", f->path, uid_locator);
    if (!(data_s = cJSON_PrintUnformatted(data)) || (tags && !(tags_s = cJSON_PrintUnformatted(tags))))
        goto out;
    pp_resource r;
    PP_INIT(&r);
    r.uid = uid;
    r.type = type;
    r.provider = "iac";
    r.name = name;
    r.tags_json = tags_s;
    r.data_json = data_s;
    r.source = f->path;
    r.source_line = span->line;
    r.source_column = span->col;
    r.source_positions = pos_s = iac_positions(data, span->src);
    rc = f->api->emit_resource(f->host, &r);
    if (rc == PP_ERR_CANCELLED)
        f->cancelled = 1;
    if (rc == PP_OK || rc == PP_ERR_CANCELLED)
        f->emitted++;
    if (rc == PP_ERR_INVALID)
        snprintf(f->err, sizeof f->err, "%s:%u:%u: the host refused the %s resource", f->path, span->line, span->col,
                 type);
out:
    if (rc == PP_ERR_NOMEM)
        snprintf(f->err, sizeof f->err, "%s: out of memory", f->path);
    free(uid);
    free(data_s);
    free(tags_s);
    cJSON_free(pos_s);
    cJSON_Delete(data);
    cJSON_Delete(tags);
    return rc;
}
