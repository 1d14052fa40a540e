/*
 * plugins/iac/emit.c - unknown values, inline suppressions, and handing
 * one resource to the host (see iac.h).
 */
#define _POSIX_C_SOURCE 200809L

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

int iac_emit(iac_file *f, const char *type, const char *uid_locator, const char *name, cJSON *data, cJSON *tags,
             const iac_span *span)
{
    int rc = PP_ERR_NOMEM;
    char *data_s = NULL, *tags_s = NULL, *uid = NULL;
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
    cJSON_Delete(data);
    cJSON_Delete(tags);
    return rc;
}
