/* core/record.c - see record.h. */
#include "config.h"

#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonv.h"
#include "wire.h"

enum ftype { F_STR, F_U32, F_I64, F_ENUM };
enum {
    F_REQUIRED = 1,
    F_JSON_OBJ = 2, /* a JSON object as text */
    F_JSON_ARR = 4, /* a JSON array as text */
    F_TIME = 8      /* an I64 of Unix seconds, rendered RFC 3339 */
};

typedef struct field {
    size_t off;
    enum ftype t;
    const char *name; /* the JSON member name */
    int flags;
} field;

#define FS(T, m, n, fl)                                                                                                \
    {                                                                                                                  \
        offsetof(T, m), F_STR, n, fl                                                                                   \
    }
#define FU(T, m, n, fl)                                                                                                \
    {                                                                                                                  \
        offsetof(T, m), F_U32, n, fl                                                                                   \
    }
#define FI(T, m, n, fl)                                                                                                \
    {                                                                                                                  \
        offsetof(T, m), F_I64, n, fl                                                                                   \
    }
#define FE(T, m, n, fl)                                                                                                \
    {                                                                                                                  \
        offsetof(T, m), F_ENUM, n, fl                                                                                  \
    }

static const field resource_fields[] = {
    FS(pp_resource, uid, "uid", F_REQUIRED),
    FS(pp_resource, type, "type", F_REQUIRED),
    FS(pp_resource, provider, "provider", F_REQUIRED),
    FS(pp_resource, account, "account", 0),
    FS(pp_resource, region, "region", 0),
    FS(pp_resource, name, "name", 0),
    FS(pp_resource, tags_json, "tags", F_JSON_OBJ),
    FS(pp_resource, data_json, "data", F_JSON_OBJ),
    FS(pp_resource, source, "source", 0),
    FU(pp_resource, source_line, "line", 0),
    FI(pp_resource, observed_at, "observed_at", F_TIME),
    FU(pp_resource, source_column, "column", 0),
    FS(pp_resource, source_positions, "positions", F_JSON_OBJ),
};

static const field finding_fields[] = {
    FS(pp_finding, rule_id, "rule_id", F_REQUIRED),
    FS(pp_finding, resource_uid, "resource_uid", F_REQUIRED),
    FS(pp_finding, resource_type, "resource_type", 0),
    FE(pp_finding, status, "status", 0),
    FE(pp_finding, severity, "severity", 0),
    FS(pp_finding, title, "title", 0),
    FS(pp_finding, message, "message", 0),
    FS(pp_finding, evidence_json, "evidence", F_JSON_OBJ),
    FS(pp_finding, remediation, "remediation", 0),
    FS(pp_finding, compliance_json, "compliance", F_JSON_ARR),
    FS(pp_finding, provider, "provider", 0),
    FS(pp_finding, account, "account", 0),
    FS(pp_finding, region, "region", 0),
};

static const field event_fields[] = {
    FS(pp_event, uid, "uid", F_REQUIRED),
    FS(pp_event, type, "type", F_REQUIRED),
    FS(pp_event, provider, "provider", F_REQUIRED),
    FS(pp_event, account, "account", 0),
    FS(pp_event, region, "region", 0),
    FI(pp_event, time, "time", F_TIME),
    FS(pp_event, actor, "actor", 0),
    FS(pp_event, action, "action", 0),
    FS(pp_event, source_ip, "source_ip", 0),
    FS(pp_event, data_json, "data", F_JSON_OBJ),
};

static const field indicator_fields[] = {
    FS(pp_indicator, kind, "kind", F_REQUIRED),         FS(pp_indicator, value, "value", F_REQUIRED),
    FS(pp_indicator, feed, "feed", F_REQUIRED),         FS(pp_indicator, attributes_json, "attributes", F_JSON_OBJ),
    FI(pp_indicator, expires_at, "expires_at", F_TIME),
};

static const field advisory_fields[] = {
    FS(pp_advisory, id, "id", F_REQUIRED),
    FS(pp_advisory, source, "source", F_REQUIRED),
    FI(pp_advisory, modified, "modified", F_TIME),
    FS(pp_advisory, document_json, "document", F_JSON_OBJ | F_REQUIRED),
};

static const field package_fields[] = {
    FS(pp_package, resource_uid, "resource_uid", F_REQUIRED),
    FS(pp_package, ecosystem, "ecosystem", F_REQUIRED),
    FS(pp_package, name, "name", F_REQUIRED),
    FS(pp_package, version, "version", F_REQUIRED),
    FS(pp_package, purl, "purl", 0),
    FS(pp_package, source_name, "source_name", 0),
    FS(pp_package, source_version, "source_version", 0),
    FS(pp_package, layer, "layer", 0),
    FS(pp_package, location, "location", 0),
};

/* The most fields a kind has (rec_build measures its strings into an array of this size). */
#define REC_MAX_FIELDS 32
#define FIELDS_FIT(f) (sizeof(f) / sizeof(f[0]) <= REC_MAX_FIELDS)
_Static_assert(FIELDS_FIT(resource_fields) && FIELDS_FIT(finding_fields) && FIELDS_FIT(event_fields) &&
                   FIELDS_FIT(indicator_fields) && FIELDS_FIT(advisory_fields) && FIELDS_FIT(package_fields),
               "a record kind has more than REC_MAX_FIELDS fields");

typedef struct kind_info {
    const char *name;
    const field *fields;
    size_t n_fields;
    size_t struct_size;
} kind_info;

#define KI(n, f, T)                                                                                                    \
    {                                                                                                                  \
        n, f, sizeof(f) / sizeof(f[0]), sizeof(T)                                                                      \
    }
static const kind_info kinds[REC_KIND_MAX + 1] = {
    {NULL, NULL, 0, 0},
    KI("resource", resource_fields, pp_resource),
    KI("finding", finding_fields, pp_finding),
    KI("event", event_fields, pp_event),
    KI("indicator", indicator_fields, pp_indicator),
    KI("advisory", advisory_fields, pp_advisory),
    KI("package", package_fields, pp_package),
};

const char *rec_kind_name(rec_kind k)
{
    return (k >= 1 && k <= REC_KIND_MAX) ? kinds[k].name : "unknown";
}

static size_t fsize(enum ftype t)
{
    switch (t) {
    case F_STR:
        return sizeof(const char *);
    case F_U32:
        return sizeof(uint32_t);
    case F_I64:
        return sizeof(int64_t);
    case F_ENUM:
        return sizeof(int);
    }
    return 0;
}

/* utf8_ok - nonzero when @s is well-formed UTF-8. */
static int utf8_ok(const unsigned char *s)
{
    while (*s) {
        if (*s < 0x80) {
            s++;
            continue;
        }
        int n;
        unsigned cp, min;
        if (*s >= 0xc2 && *s <= 0xdf) {
            n = 1;
            min = 0x80;
            cp = *s & 0x1f;
        } else if (*s >= 0xe0 && *s <= 0xef) {
            n = 2;
            min = 0x800;
            cp = *s & 0x0f;
        } else if (*s >= 0xf0 && *s <= 0xf4) {
            n = 3;
            min = 0x10000;
            cp = *s & 0x07;
        } else {
            return 0;
        }
        for (int i = 1; i <= n; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        s += n + 1;
    }
    return 1;
}

/* Build a rec from field values in @vals (a struct of the kind, full size),
 * copying every string into the record's own blob. */
static rec *rec_build(rec_kind k, const void *vals, const char *plugin)
{
    const kind_info *ki = &kinds[k];
    size_t lens[REC_MAX_FIELDS]; /* each string's length, measured once */
    size_t plugin_len = strlen(plugin) + 1, strbytes = plugin_len;
    for (size_t i = 0; i < ki->n_fields; i++) {
        lens[i] = 0;
        if (ki->fields[i].t != F_STR)
            continue;
        const char *s = *(const char *const *)((const char *)vals + ki->fields[i].off);
        if (s)
            strbytes += lens[i] = strlen(s) + 1;
    }
    size_t total = sizeof(rec) + strbytes;
    rec *r = xmalloc(total);
    memset(r, 0, sizeof *r);
    r->kind = k;
    r->bytes = total;
    memcpy(&r->u, vals, ki->struct_size);
    *(uint32_t *)&r->u = (uint32_t)ki->struct_size;
    char *blob = (char *)(r + 1);
    memcpy(blob, plugin, plugin_len);
    r->plugin = blob;
    blob += plugin_len;
    for (size_t i = 0; i < ki->n_fields; i++) {
        if (!lens[i])
            continue;
        const char **slot = (const char **)((char *)&r->u + ki->fields[i].off);
        memcpy(blob, *slot, lens[i]);
        *slot = blob;
        blob += lens[i];
    }
    return r;
}

/* Check required fields, enum ranges, JSON fields and UTF-8 of a full-size
 * struct of kind @k. Returns 0 or -1 with a reason in @err. */
static int validate_fields(const kind_info *ki, const void *vals, char *err, size_t errlen)
{
    for (size_t i = 0; i < ki->n_fields; i++) {
        const field *f = &ki->fields[i];
        if (f->t == F_ENUM) {
            int v = *(const int *)((const char *)vals + f->off);
            if (v < 0 || v > (strcmp(f->name, "status") == 0 ? PP_STATUS_MUTED : PP_SEV_CRITICAL)) {
                snprintf(err, errlen, "%s record: %s has invalid value %d", ki->name, f->name, v);
                return -1;
            }
            continue;
        }
        if (f->t != F_STR)
            continue;
        const char *s = *(const char *const *)((const char *)vals + f->off);
        if (!s) {
            if (f->flags & F_REQUIRED) {
                snprintf(err, errlen, "%s record: required field '%s' is missing", ki->name, f->name);
                return -1;
            }
            continue;
        }
        if ((f->flags & F_REQUIRED) && !*s) {
            snprintf(err, errlen, "%s record: required field '%s' is empty", ki->name, f->name);
            return -1;
        }
        if (f->flags & (F_JSON_OBJ | F_JSON_ARR)) {
            char jerr[96];
            if (json_validate(s, strlen(s), (f->flags & F_JSON_OBJ) ? JSONV_OBJECT : JSONV_ARRAY, 512, jerr,
                              sizeof jerr) != 0) {
                snprintf(err, errlen, "%s record: '%s' is not valid JSON: %s", ki->name, f->name, jerr);
                return -1;
            }
        } else if (!utf8_ok((const unsigned char *)s)) {
            snprintf(err, errlen, "%s record: '%s' is not valid UTF-8", ki->name, f->name);
            return -1;
        }
    }
    return 0;
}

rec *rec_copy(rec_kind k, const void *src, const char *plugin, char *err, size_t errlen)
{
    if (k < 1 || k > REC_KIND_MAX || !src) {
        snprintf(err, errlen, "invalid record");
        return NULL;
    }
    const kind_info *ki = &kinds[k];
    uint32_t sz = *(const uint32_t *)src;
    if (sz < sizeof(uint32_t) + sizeof(void *)) {
        snprintf(err, errlen, "%s record has size %u: set it with PP_INIT()", ki->name, sz);
        return NULL;
    }
    if (sz > ki->struct_size)
        sz = (uint32_t)ki->struct_size; /* a newer plugin: ignore what we do not know */
    union {
        pp_resource a;
        pp_finding b;
        pp_event c;
        pp_indicator d;
        pp_advisory e;
        pp_package f;
    } vals;
    memset(&vals, 0, sizeof vals);
    for (size_t i = 0; i < ki->n_fields; i++) {
        const field *f = &ki->fields[i];
        if (f->off + fsize(f->t) <= sz)
            memcpy((char *)&vals + f->off, (const char *)src + f->off, fsize(f->t));
    }
    if (validate_fields(ki, &vals, err, errlen) != 0)
        return NULL;
    return rec_build(k, &vals, plugin);
}

rec *rec_new_trusted(rec_kind k, const void *vals, const char *plugin)
{
    if (k < 1 || k > REC_KIND_MAX || !vals || !plugin)
        return NULL;
    const kind_info *ki = &kinds[k];
    if (*(const uint32_t *)vals != ki->struct_size)
        return NULL;
    /* the cheap structural checks stay: required fields and enum ranges */
    for (size_t i = 0; i < ki->n_fields; i++) {
        const field *f = &ki->fields[i];
        const char *p = (const char *)vals + f->off;
        if (f->t == F_ENUM) {
            int v = *(const int *)p;
            if (v < 0 || v > (strcmp(f->name, "status") == 0 ? PP_STATUS_MUTED : PP_SEV_CRITICAL))
                return NULL;
        } else if (f->t == F_STR && (f->flags & F_REQUIRED)) {
            const char *str = *(const char *const *)p;
            if (!str || !*str)
                return NULL;
        }
    }
    return rec_build(k, vals, plugin);
}

int rec_text_valid(const char *s)
{
    return utf8_ok((const unsigned char *)s);
}

void rec_free(rec *r)
{
    free(r);
}

/* ---- wire form ---- */

void rec_encode(const rec *r, sbuf *out)
{
    const kind_info *ki = &kinds[r->kind];
    wire_put_u8(out, (uint8_t)r->kind);
    wire_put_str(out, r->plugin);
    for (size_t i = 0; i < ki->n_fields; i++) {
        const field *f = &ki->fields[i];
        const char *p = (const char *)&r->u + f->off;
        switch (f->t) {
        case F_STR:
            wire_put_str(out, *(const char *const *)p);
            break;
        case F_U32:
            wire_put_u32(out, *(const uint32_t *)p);
            break;
        case F_ENUM:
            wire_put_u32(out, (uint32_t) * (const int *)p);
            break;
        case F_I64:
            wire_put_u64(out, (uint64_t) * (const int64_t *)p);
            break;
        }
    }
}

rec *rec_decode(const unsigned char *p, size_t len)
{
    wire_rd d = {p, p + len, 0};
    rec_kind k = (rec_kind)wire_get_u8(&d);
    if (d.bad || k < 1 || k > REC_KIND_MAX)
        return NULL;
    const kind_info *ki = &kinds[k];
    /* first pass: locate every string in the buffer and size the record */
    size_t plen;
    int pnull;
    const char *plugin = wire_get_str(&d, &plen, &pnull);
    const char *sp[16];
    size_t sl[16];
    int sn[16];
    size_t total = sizeof(rec) + plen + 1;
    union {
        pp_resource a;
        pp_finding b;
        pp_event c;
        pp_indicator dd;
        pp_advisory e;
        pp_package f;
    } vals;
    memset(&vals, 0, sizeof vals);
    for (size_t i = 0; i < ki->n_fields && !d.bad; i++) {
        const field *f = &ki->fields[i];
        char *slot = (char *)&vals + f->off;
        switch (f->t) {
        case F_STR:
            sp[i] = wire_get_str(&d, &sl[i], &sn[i]);
            if (!sn[i])
                total += sl[i] + 1;
            break;
        case F_U32:
            *(uint32_t *)slot = wire_get_u32(&d);
            break;
        case F_ENUM:
            *(int *)slot = (int)wire_get_u32(&d);
            break;
        case F_I64:
            *(int64_t *)slot = (int64_t)wire_get_u64(&d);
            break;
        }
    }
    if (d.bad || d.p != d.end || pnull)
        return NULL;
    /* second pass: one allocation holding the struct and its strings */
    rec *r = xmalloc(total);
    memset(r, 0, sizeof *r);
    r->kind = k;
    r->bytes = total;
    char *blob = (char *)(r + 1);
    memcpy(blob, plugin, plen);
    blob[plen] = '\0';
    r->plugin = blob;
    blob += plen + 1;
    for (size_t i = 0; i < ki->n_fields; i++) {
        if (ki->fields[i].t != F_STR || sn[i])
            continue;
        memcpy(blob, sp[i], sl[i]);
        blob[sl[i]] = '\0';
        *(const char **)((char *)&vals + ki->fields[i].off) = blob;
        blob += sl[i] + 1;
    }
    vals.a.size = (uint32_t)ki->struct_size;
    memcpy(&r->u, &vals, ki->struct_size);
    char err[160];
    if (validate_fields(ki, &r->u, err, sizeof err) != 0) {
        free(r);
        return NULL;
    }
    return r;
}

/* ---- JSON ---- */

/* Make room for @extra more bytes (and the NUL) in @out. */
static char *out_reserve(sbuf *out, size_t extra)
{
    if (out->len + extra + 1 > out->cap) {
        size_t cap = out->cap ? out->cap : 64;
        while (cap < out->len + extra + 1)
            cap *= 2;
        out->data = xrealloc(out->data, cap);
        out->cap = cap;
    }
    return out->data + out->len;
}

/* Bytes @s takes as a JSON string literal, quotes included; *len = strlen(s). */
static size_t json_string_size(const char *s, size_t *len)
{
    size_t n = 0, extra = 2;
    for (; s[n]; n++) {
        unsigned char c = (unsigned char)s[n];
        if (c < 0x20 || c == '"' || c == '\\')
            extra += (c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t') ? 1 : 5;
    }
    *len = n;
    return n + extra;
}

/* Write @s (@len bytes; @size from json_string_size) as a JSON string
 * literal at @d; returns the byte after it. */
static char *json_write_string(char *d, const char *s, size_t len, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    *d++ = '"';
    if (size == len + 2) {
        memcpy(d, s, len);
        d += len;
    } else {
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c >= 0x20 && c != '"' && c != '\\') {
                *d++ = (char)c;
                continue;
            }
            *d++ = '\\';
            switch (c) {
            case '"':
                *d++ = '"';
                break;
            case '\\':
                *d++ = '\\';
                break;
            case '\n':
                *d++ = 'n';
                break;
            case '\r':
                *d++ = 'r';
                break;
            case '\t':
                *d++ = 't';
                break;
            default:
                *d++ = 'u';
                *d++ = '0';
                *d++ = '0';
                *d++ = hex[c >> 4];
                *d++ = hex[c & 15];
            }
        }
    }
    *d++ = '"';
    return d;
}

void json_put_string(sbuf *out, const char *s)
{
    size_t len, size = json_string_size(s, &len);
    char *d = out_reserve(out, size);
    json_write_string(d, s, len, size);
    out->len += size;
    out->data[out->len] = '\0';
}

static const char *const sev_names[] = {"info", "low", "medium", "high", "critical"};
static const char *const status_names[] = {"pass", "fail", "error", "muted"};

const char *severity_name(int sev)
{
    return (sev >= 0 && sev <= 4) ? sev_names[sev] : "unknown";
}

int severity_parse(const char *s)
{
    for (int i = 0; i <= 4; i++)
        if (strcasecmp(s, sev_names[i]) == 0)
            return i;
    return -1;
}

const char *status_name(int st)
{
    return (st >= 0 && st <= 3) ? status_names[st] : "unknown";
}

int status_parse(const char *s)
{
    for (int i = 0; i <= 3; i++)
        if (strcasecmp(s, status_names[i]) == 0)
            return i;
    return -1;
}

/* Append `,"k":` (no comma for the first member). @k is one of the field
 * tables' member names: plain ASCII that needs no escaping. */
static void put_key(sbuf *out, int *first, const char *k)
{
    size_t n = strlen(k);
    char *d = out_reserve(out, n + 4);
    char *p = d;
    if (!*first)
        *p++ = ',';
    *first = 0;
    *p++ = '"';
    memcpy(p, k, n);
    p += n;
    *p++ = '"';
    *p++ = ':';
    out->len += (size_t)(p - d);
    out->data[out->len] = '\0';
}

/* Append the decimal digits of @v at @d; returns the byte after them. */
static char *write_u32(char *d, uint32_t v)
{
    char tmp[10];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *d++ = tmp[--n];
    return d;
}

#define WRITE_LIT(d, lit) (memcpy((d), (lit), sizeof(lit) - 1), (d) + sizeof(lit) - 1)

/* Resources keep their source location in a nested object (docs/records.md).
 * This is the writer's hot path (every resource goes to the outputs): the
 * size is computed first and the text written in one pass, with no
 * reallocation. */
static void resource_json(const pp_resource *r, sbuf *out)
{
    static const char *const keys[6] = {
        "{\"uid\":", "\"type\":", "\"provider\":", "\"account\":", "\"region\":", "\"name\":"};
    const char *strs[6] = {r->uid, r->type, r->provider, r->account, r->region, r->name};
    size_t len[6], size[6];
    const char *tags = r->tags_json ? r->tags_json : "{}", *data = r->data_json ? r->data_json : "{}";
    size_t tags_len = strlen(tags), data_len = strlen(data);
    int file = r->source && strcmp(r->source, "api") != 0;
    size_t src_len = 0, src_size = file ? json_string_size(r->source, &src_len) : 0;
    char ts[32] = "";
    size_t ts_len = 0, ts_size = 0;
    if (r->observed_at) {
        time_rfc3339(r->observed_at, ts, sizeof ts);
        ts[sizeof ts - 1] = '\0';
        ts_size = json_string_size(ts, &ts_len);
    }
    /* 256 bytes cover every key, comma, brace and number */
    size_t total = 256 + tags_len + data_len + src_size + ts_size;
    for (int i = 0; i < 6; i++) {
        size[i] = strs[i] ? json_string_size(strs[i], &len[i]) : 0;
        total += size[i];
    }
    char *d0 = out_reserve(out, total), *d = d0;
    int first = 1;
    for (int i = 0; i < 6; i++) {
        if (!strs[i])
            continue;
        if (first) {
            *d++ = '{';
        } else {
            *d++ = ',';
        }
        /* keys[0] carries the brace; skip it */
        const char *k = i == 0 ? keys[0] + 1 : keys[i];
        size_t kn = strlen(k);
        memcpy(d, k, kn);
        d += kn;
        first = 0;
        d = json_write_string(d, strs[i], len[i], size[i]);
    }
    if (first)
        *d++ = '{';
    else
        *d++ = ',';
    d = WRITE_LIT(d, "\"tags\":");
    memcpy(d, tags, tags_len);
    d += tags_len;
    d = WRITE_LIT(d, ",\"data\":");
    memcpy(d, data, data_len);
    d += data_len;
    if (!file) {
        d = WRITE_LIT(d, ",\"source\":{\"kind\":\"api\"}");
    } else {
        d = WRITE_LIT(d, ",\"source\":{\"kind\":\"file\",\"file\":");
        d = json_write_string(d, r->source, src_len, src_size);
        if (r->source_line) {
            d = WRITE_LIT(d, ",\"line\":");
            d = write_u32(d, r->source_line);
        }
        if (r->source_column) {
            d = WRITE_LIT(d, ",\"column\":");
            d = write_u32(d, r->source_column);
        }
        *d++ = '}';
    }
    if (r->observed_at) {
        d = WRITE_LIT(d, ",\"observed_at\":");
        d = json_write_string(d, ts, ts_len, ts_size);
    }
    *d++ = '}';
    out->len += (size_t)(d - d0);
    out->data[out->len] = '\0';
}

void rec_to_json(const rec *r, int64_t scan_id, sbuf *out)
{
    if (r->kind == REC_RESOURCE) {
        resource_json(&r->u.resource, out);
        return;
    }
    const kind_info *ki = &kinds[r->kind];
    int first = 1;
    sbuf_append(out, "{", 1);
    if (r->kind == REC_FINDING && scan_id > 0) {
        put_key(out, &first, "scan_id");
        sbuf_printf(out, "%lld", (long long)scan_id);
    }
    for (size_t i = 0; i < ki->n_fields; i++) {
        const field *f = &ki->fields[i];
        const char *p = (const char *)&r->u + f->off;
        switch (f->t) {
        case F_STR: {
            const char *s = *(const char *const *)p;
            if (!s)
                break;
            put_key(out, &first, f->name);
            if (f->flags & (F_JSON_OBJ | F_JSON_ARR))
                sbuf_puts(out, s);
            else
                json_put_string(out, s);
            break;
        }
        case F_ENUM: {
            int v = *(const int *)p;
            put_key(out, &first, f->name);
            json_put_string(out, strcmp(f->name, "status") == 0 ? status_name(v) : severity_name(v));
            break;
        }
        case F_U32:
            put_key(out, &first, f->name);
            sbuf_printf(out, "%u", *(const uint32_t *)p);
            break;
        case F_I64: {
            int64_t v = *(const int64_t *)p;
            if (!v)
                break;
            put_key(out, &first, f->name);
            if (f->flags & F_TIME) {
                char ts[32];
                time_rfc3339(v, ts, sizeof ts);
                json_put_string(out, ts);
            } else {
                sbuf_printf(out, "%lld", (long long)v);
            }
            break;
        }
        }
    }
    sbuf_append(out, "}", 1);
}
