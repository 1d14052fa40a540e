/*
 * plugins/snapshot/resource_line.c - parse and validate one resource line.
 * See resource_line.h for the rules.
 */
#include "resource_line.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Copy @src for a message: at most 64 bytes, control characters as '?'. */
static void quote_for_message(char *dst, size_t dstlen, const char *src)
{
    size_t i = 0, max = dstlen > 68 ? 64 : dstlen - 4;
    for (; src[i] && i < max; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (src[i]) {
        memcpy(dst + i, "...", 3);
        i += 3;
    }
    dst[i] = '\0';
}

int rl_is_ignorable(const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (line[i] == ' ' || line[i] == '\t')
            continue;
        return line[i] == '#';
    }
    return 1;
}

size_t rl_utf8_invalid_at(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the 2nd byte */
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0; /* no overlong 3-byte forms */
            else if (c == 0xED)
                hi = 0x9F; /* no UTF-16 surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90; /* no overlong 4-byte forms */
            else if (c == 0xF4)
                hi = 0x8F; /* nothing above U+10FFFF */
        } else {
            return i;
        }
        if (len - i <= need)
            return i;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k <= need; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        i += need + 1;
    }
    return len;
}

/*
 * Offset of a "\u0000" escape in the raw line (a backslash run of odd
 * length before "u0000"), or @len. cJSON would turn it into a NUL byte
 * and silently cut the string there.
 */
static size_t escaped_nul_at(const char *line, size_t len)
{
    for (size_t i = 0; i + 6 <= len; i++) {
        if (line[i] != '\\' || memcmp(line + i + 1, "u0000", 5) != 0)
            continue;
        size_t run = 1;
        while (run <= i && line[i - run] == '\\')
            run++;
        if (run % 2 == 1)
            return i;
    }
    return len;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Look for two members of one object with the same name, at any depth.
 * Returns 0 (none), 1 (*dup names one) or -1 (out of memory).
 */
static int find_duplicate(const cJSON *item, const char **dup)
{
    if (cJSON_IsObject(item)) {
        size_t n = 0;
        for (const cJSON *c = item->child; c; c = c->next)
            n++;
        if (n > 1 && n <= 16) {
            for (const cJSON *a = item->child; a; a = a->next)
                for (const cJSON *b = a->next; b; b = b->next)
                    if (strcmp(a->string, b->string) == 0) {
                        *dup = a->string;
                        return 1;
                    }
        } else if (n > 16) {
            const char **names = malloc(n * sizeof *names);
            if (!names)
                return -1;
            size_t k = 0;
            for (const cJSON *c = item->child; c; c = c->next)
                names[k++] = c->string;
            qsort(names, n, sizeof *names, cmp_names);
            for (k = 1; k < n; k++)
                if (strcmp(names[k - 1], names[k]) == 0) {
                    /* point at the child's own name, not the scratch array */
                    *dup = cJSON_GetObjectItemCaseSensitive(item, names[k])->string;
                    free(names);
                    return 1;
                }
            free(names);
        }
    }
    if (cJSON_IsObject(item) || cJSON_IsArray(item)) {
        for (const cJSON *c = item->child; c; c = c->next) {
            int rc = find_duplicate(c, dup);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

static int has_control_char(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

/*
 * Read string member @name of @obj into *out (borrowed from @obj).
 * Absent or null leaves *out NULL; that is an error only when @required.
 * Identifiers must be non-empty, at most @max bytes, without control
 * characters.
 */
static int get_ident(const cJSON *obj, const char *name, int required, size_t max,
                     const char **out, char *err, size_t errlen)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, name);
    *out = NULL;
    if (!m || cJSON_IsNull(m)) {
        if (required) {
            set_err(err, errlen, "missing required member '%s'", name);
            return -1;
        }
        return 0;
    }
    if (!cJSON_IsString(m) || m->valuestring[0] == '\0') {
        set_err(err, errlen, "member '%s' must be a non-empty string", name);
        return -1;
    }
    if (strlen(m->valuestring) > max) {
        set_err(err, errlen, "member '%s' is longer than %zu bytes", name, max);
        return -1;
    }
    if (has_control_char(m->valuestring)) {
        set_err(err, errlen, "member '%s' contains a control character", name);
        return -1;
    }
    *out = m->valuestring;
    return 0;
}

static int is_lower_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

/* ^[a-z0-9]+(\.[a-z0-9_]+)+$ */
static int type_is_valid(const char *t)
{
    size_t i = 0, dots = 0;
    if (!is_lower_digit(t[0]))
        return 0;
    while (is_lower_digit(t[i]))
        i++;
    while (t[i] == '.') {
        i++;
        if (!(is_lower_digit(t[i]) || t[i] == '_'))
            return 0;
        while (is_lower_digit(t[i]) || t[i] == '_')
            i++;
        dots++;
    }
    return t[i] == '\0' && dots > 0;
}

/* ^[a-z0-9][a-z0-9_-]*$ */
static int provider_is_valid(const char *p)
{
    if (!is_lower_digit(p[0]))
        return 0;
    for (size_t i = 1; p[i]; i++)
        if (!(is_lower_digit(p[i]) || p[i] == '_' || p[i] == '-'))
            return 0;
    return 1;
}

/* Parse exactly @n decimal digits. */
static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/*
 * Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian).
 * SOURCE: the well-known "days_from_civil" formula published by Howard
 * Hinnant (chrono-Compatible Low-Level Date Algorithms), public domain.
 */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int rl_parse_rfc3339(const char *s, int64_t *out)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
    if (strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &h) || s[13] != ':' ||
        digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &sec))
        return -1;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return -1;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p == '-' ? -1 : 1;
        if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om))
            return -1;
        p += 6;
    } else {
        return -1;
    }
    if (*p != '\0')
        return -1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) || h > 23 ||
        mi > 59 || sec > 60 || oh > 23 || om > 59)
        return -1;
    if (sec == 60)
        sec = 59;
    int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    t -= (int64_t)sign * (oh * 3600 + om * 60);
    *out = t;
    return 0;
}

static int parse_tags(const cJSON *root, rl_record *rec, char *err, size_t errlen)
{
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(root, "tags");
    if (!tags || cJSON_IsNull(tags))
        return 0;
    if (!cJSON_IsObject(tags)) {
        set_err(err, errlen, "member 'tags' must be an object of strings");
        return -1;
    }
    size_t n = 0;
    char q[72];
    for (const cJSON *t = tags->child; t; t = t->next) {
        if (++n > RL_MAX_TAGS) {
            set_err(err, errlen, "member 'tags' has more than %d tags", RL_MAX_TAGS);
            return -1;
        }
        if (strlen(t->string) > RL_MAX_TAG_KEY) {
            set_err(err, errlen, "a tag name is longer than %d bytes", RL_MAX_TAG_KEY);
            return -1;
        }
        if (!cJSON_IsString(t)) {
            quote_for_message(q, sizeof q, t->string);
            set_err(err, errlen, "tag '%s' must be a string", q);
            return -1;
        }
        if (strlen(t->valuestring) > RL_MAX_TAG_VALUE) {
            quote_for_message(q, sizeof q, t->string);
            set_err(err, errlen, "tag '%s' is longer than %d bytes", q, RL_MAX_TAG_VALUE);
            return -1;
        }
    }
    rec->tags_json = cJSON_PrintUnformatted(tags);
    if (!rec->tags_json) {
        set_err(err, errlen, "out of memory");
        return -1;
    }
    rec->res.tags_json = rec->tags_json;
    return 0;
}

static int parse_source(const cJSON *root, rl_record *rec, char *err, size_t errlen)
{
    static const char usage[] =
        "member 'source' must be {\"kind\":\"api\"} or {\"kind\":\"file\",\"file\":PATH,\"line\":N}";
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(root, "source");
    rec->res.source = "api";
    if (!src || cJSON_IsNull(src))
        return 0;
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(src, "kind");
    if (!cJSON_IsObject(src) || !cJSON_IsString(kind)) {
        set_err(err, errlen, "%s", usage);
        return -1;
    }
    if (strcmp(kind->valuestring, "api") == 0)
        return 0;
    if (strcmp(kind->valuestring, "file") != 0) {
        set_err(err, errlen, "%s", usage);
        return -1;
    }
    const cJSON *file = cJSON_GetObjectItemCaseSensitive(src, "file");
    const cJSON *line = cJSON_GetObjectItemCaseSensitive(src, "line");
    const cJSON *col = cJSON_GetObjectItemCaseSensitive(src, "column");
    if (!cJSON_IsString(file) || file->valuestring[0] == '\0' || has_control_char(file->valuestring) ||
        strlen(file->valuestring) > RL_MAX_UID) {
        set_err(err, errlen, "member 'source.file' must be a non-empty path");
        return -1;
    }
    rec->res.source = file->valuestring;
    if (line && !cJSON_IsNull(line)) {
        if (!cJSON_IsNumber(line) || line->valuedouble < 1 || line->valuedouble > UINT32_MAX ||
            line->valuedouble != (double)(uint32_t)line->valuedouble) {
            set_err(err, errlen, "member 'source.line' must be an integer >= 1");
            return -1;
        }
        rec->res.source_line = (uint32_t)line->valuedouble;
    }
    if (col && !cJSON_IsNull(col)) {
        if (!cJSON_IsNumber(col) || col->valuedouble < 1 || col->valuedouble > UINT32_MAX ||
            col->valuedouble != (double)(uint32_t)col->valuedouble) {
            set_err(err, errlen, "member 'source.column' must be an integer >= 1");
            return -1;
        }
        rec->res.source_column = (uint32_t)col->valuedouble;
    }
    return 0;
}

static int parse_members(const cJSON *root, rl_record *rec, char *err, size_t errlen)
{
    pp_resource *r = &rec->res;
    if (get_ident(root, "uid", 1, RL_MAX_UID, &r->uid, err, errlen) ||
        get_ident(root, "type", 1, RL_MAX_TYPE, &r->type, err, errlen) ||
        get_ident(root, "provider", 1, RL_MAX_PROVIDER, &r->provider, err, errlen))
        return -1;
    if (!type_is_valid(r->type)) {
        char q[72];
        quote_for_message(q, sizeof q, r->type);
        set_err(err, errlen, "member 'type' is '%s'; it must match ^[a-z0-9]+(\\.[a-z0-9_]+)+$ (e.g. aws.s3.bucket)",
                q);
        return -1;
    }
    if (!provider_is_valid(r->provider)) {
        set_err(err, errlen, "member 'provider' must match ^[a-z0-9][a-z0-9_-]*$ (e.g. aws)");
        return -1;
    }
    if (get_ident(root, "account", 0, RL_MAX_ACCOUNT, &r->account, err, errlen) ||
        get_ident(root, "region", 0, RL_MAX_REGION, &r->region, err, errlen) ||
        get_ident(root, "name", 0, RL_MAX_NAME, &r->name, err, errlen))
        return -1;
    if (parse_tags(root, rec, err, errlen) || parse_source(root, rec, err, errlen))
        return -1;

    const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
    if (data && !cJSON_IsNull(data)) {
        if (!cJSON_IsObject(data)) {
            set_err(err, errlen, "member 'data' must be an object");
            return -1;
        }
        rec->data_json = cJSON_PrintUnformatted(data);
        if (!rec->data_json) {
            set_err(err, errlen, "out of memory");
            return -1;
        }
        r->data_json = rec->data_json;
    }

    const cJSON *obs = cJSON_GetObjectItemCaseSensitive(root, "observed_at");
    if (obs && !cJSON_IsNull(obs)) {
        if (!cJSON_IsString(obs) || rl_parse_rfc3339(obs->valuestring, &r->observed_at) != 0) {
            set_err(err, errlen,
                    "member 'observed_at' must be an RFC 3339 date-time such as 2026-11-28T10:00:00Z");
            return -1;
        }
    }
    return 0;
}

int rl_parse(const char *line, size_t len, rl_record *rec, char *err, size_t errlen)
{
    memset(rec, 0, sizeof *rec);
    PP_INIT(&rec->res);

    const char *nul = memchr(line, '\0', len);
    if (nul) {
        set_err(err, errlen, "NUL byte at column %zu", (size_t)(nul - line) + 1);
        return -1;
    }
    size_t bad = rl_utf8_invalid_at((const unsigned char *)line, len);
    if (bad < len) {
        set_err(err, errlen, "invalid UTF-8 at column %zu", bad + 1);
        return -1;
    }
    bad = escaped_nul_at(line, len);
    if (bad < len) {
        set_err(err, errlen, "\\u0000 (NUL) in a string at column %zu is not supported", bad + 1);
        return -1;
    }

    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(line, &end, 0);
    if (!root) {
        if (end && end >= line && end <= line + len)
            set_err(err, errlen, "invalid JSON at column %zu", (size_t)(end - line) + 1);
        else
            set_err(err, errlen, "invalid JSON");
        return -1;
    }
    rec->root = root;
    for (const char *p = end ? end : line + len; p < line + len; p++) {
        if (*p != ' ' && *p != '\t' && *p != '\r') {
            set_err(err, errlen, "unexpected text after the JSON object at column %zu", (size_t)(p - line) + 1);
            goto fail;
        }
    }
    if (!cJSON_IsObject(root)) {
        set_err(err, errlen, "the line is not a JSON object");
        goto fail;
    }
    const char *dup = NULL;
    int drc = find_duplicate(root, &dup);
    if (drc < 0) {
        set_err(err, errlen, "out of memory");
        goto fail;
    }
    if (drc > 0) {
        char q[72];
        quote_for_message(q, sizeof q, dup);
        set_err(err, errlen, "duplicate member '%s'", q);
        goto fail;
    }
    if (parse_members(root, rec, err, errlen) != 0)
        goto fail;
    return 0;

fail:
    rl_release(rec);
    return -1;
}

void rl_release(rl_record *rec)
{
    cJSON_Delete(rec->root);
    cJSON_free(rec->tags_json);
    cJSON_free(rec->data_json);
    memset(rec, 0, sizeof *rec);
}
