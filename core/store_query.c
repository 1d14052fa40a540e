/* core/store_query.c - read-only access to the store for the commands. */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store.h"
#include "store_query.h"
#include "store_sqlite_int.h"
#include "util.h"

static int schema_version(sqlite3 *db)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key='schema_version'", -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = atoi((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

static sqlite3 *open_ro(const char *path, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot open the store: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 10000);
    return db;
}

sqlite3 *store_query_open(const char *path, char *err, size_t errlen)
{
    if (strncmp(path, "sqlite:", 7) == 0)
        path += 7;
    struct stat sb;
    if (lstat(path, &sb) != 0) {
        if (errno == ENOENT)
            snprintf(err, errlen, "%s: there is no store here yet: run 'parapet scan' first", path);
        else
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (S_ISLNK(sb.st_mode)) {
        snprintf(err, errlen, "%s: cannot open the store: it is a symbolic link", path);
        return NULL;
    }
    sqlite3 *db = open_ro(path, err, errlen);
    if (!db)
        return NULL;
    int v = schema_version(db);
    if (v == STORE_SCHEMA_VERSION)
        return db;
    sqlite3_close(db);
    if (v > STORE_SCHEMA_VERSION) {
        snprintf(err, errlen,
                 "%s: the store has schema version %d, newer than this parapet understands (%d): upgrade parapet",
                 path, v, STORE_SCHEMA_VERSION);
        return NULL;
    }
    /* an older schema (or none readable): let the store migrate it */
    store *s = store_open(path, err, errlen);
    if (!s)
        return NULL;
    s->ops->close(s);
    return open_ro(path, err, errlen);
}

int store_query_scan(sqlite3 *db, const char *spec, int64_t *id, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    int rc;
    long back = 0;
    if (spec && strncmp(spec, "latest", 6) != 0) {
        char *end;
        errno = 0;
        long long n = strtoll(spec, &end, 10);
        if (!*spec || *end || n <= 0 || errno) {
            snprintf(err, errlen, "'%s' is not a scan: give a scan id or 'latest'", spec);
            return -1;
        }
        if (sqlite3_prepare_v2(db, "SELECT id FROM scans WHERE id = ?", -1, &st, NULL) != SQLITE_OK) {
            snprintf(err, errlen, "cannot read scans: %s", sqlite3_errmsg(db));
            return -1;
        }
        sqlite3_bind_int64(st, 1, n);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW) {
            snprintf(err, errlen, "there is no scan %lld in the store", n);
            return -1;
        }
        *id = n;
        return 0;
    }
    if (spec && spec[6]) {
        char *end;
        back = spec[6] == '~' ? strtol(spec + 7, &end, 10) : -1;
        if (back < 0 || spec[7] == '\0' || *end || back > 1000000) {
            snprintf(err, errlen, "'%s' is not a scan: give a scan id, 'latest' or 'latest~N'", spec);
            return -1;
        }
    }
    if (sqlite3_prepare_v2(db,
                           "SELECT id FROM scans WHERE status IN ('complete','partial') ORDER BY id DESC"
                           " LIMIT 1 OFFSET ?",
                           -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot read scans: %s", sqlite3_errmsg(db));
        return -1;
    }
    sqlite3_bind_int64(st, 1, back);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) {
        if (back)
            snprintf(err, errlen, "the store has fewer than %ld complete scans", back + 1);
        else
            snprintf(err, errlen, "the store has no complete scan yet: run 'parapet scan' first");
        return -1;
    }
    return 0;
}

int store_query_format_ok(const char *format, int csv_ok)
{
    return !strcmp(format, "text") || !strcmp(format, "json") || !strcmp(format, "jsonl") ||
           (csv_ok && !strcmp(format, "csv"));
}

static cJSON *cell_json(sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
        return cJSON_CreateNumber((double)sqlite3_column_int64(st, i));
    case SQLITE_FLOAT:
        return cJSON_CreateNumber(sqlite3_column_double(st, i));
    case SQLITE_NULL:
        return cJSON_CreateNull();
    case SQLITE_BLOB: {
        int n = sqlite3_column_bytes(st, i);
        const unsigned char *p = sqlite3_column_blob(st, i);
        sbuf b = {0};
        sbuf_puts(&b, "x'");
        for (int k = 0; k < n; k++)
            sbuf_printf(&b, "%02x", p[k]);
        sbuf_puts(&b, "'");
        cJSON *j = cJSON_CreateString(b.data);
        sbuf_free(&b);
        return j;
    }
    default:
        return cJSON_CreateString((const char *)sqlite3_column_text(st, i));
    }
}

/* The text of a cell for text and csv output (a blob as x'..'). */
static char *cell_text(sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return xstrdup("");
    if (sqlite3_column_type(st, i) == SQLITE_BLOB) {
        cJSON *j = cell_json(st, i);
        char *s = xstrdup(j->valuestring);
        cJSON_Delete(j);
        return s;
    }
    const char *t = (const char *)sqlite3_column_text(st, i);
    return xstrdup(t ? t : "");
}

static void csv_cell(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* Display width of UTF-8 text: code points, control bytes shown as '?'. */
static size_t utf8_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

/* Copy @s for a text table: control characters become spaces, and text
 * wider than @max code points is cut with "...". */
static char *display_cell(const char *s, size_t max)
{
    sbuf b = {0};
    size_t w = 0;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c & 0xC0) != 0x80) {
            if (w == max) {
                sbuf_puts(&b, "...");
                break;
            }
            w++;
        }
        if (c < 0x20 || c == 0x7f)
            c = ' ';
        sbuf_append(&b, &c, 1);
    }
    if (!b.data)
        sbuf_puts(&b, "");
    return sbuf_steal(&b);
}

#define TEXT_CELL_MAX 120

long store_query_print(sqlite3_stmt *st, const char *format, FILE *out, char *err, size_t errlen)
{
    int ncol = sqlite3_column_count(st);
    long rows = 0;
    int rc;
    if (!strcmp(format, "json") || !strcmp(format, "jsonl")) {
        int arr = !strcmp(format, "json");
        if (arr)
            fputs("[", out);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            cJSON *o = cJSON_CreateObject();
            for (int i = 0; i < ncol; i++)
                cJSON_AddItemToObject(o, sqlite3_column_name(st, i), cell_json(st, i));
            char *s = cJSON_PrintUnformatted(o);
            cJSON_Delete(o);
            if (arr)
                fprintf(out, "%s\n%s", rows ? "," : "", s);
            else
                fprintf(out, "%s\n", s);
            cJSON_free(s);
            rows++;
        }
        if (arr)
            fputs(rows ? "\n]\n" : "]\n", out);
    } else if (!strcmp(format, "csv")) {
        for (int i = 0; i < ncol; i++) {
            if (i)
                fputc(',', out);
            csv_cell(out, sqlite3_column_name(st, i));
        }
        fputs("\r\n", out);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            for (int i = 0; i < ncol; i++) {
                char *c = cell_text(st, i);
                if (i)
                    fputc(',', out);
                csv_cell(out, c);
                free(c);
            }
            fputs("\r\n", out);
            rows++;
        }
    } else {
        /* text: buffer the cut cells to align the columns */
        size_t *width = xcalloc((size_t)ncol + 1, sizeof *width);
        char **cells = NULL;
        size_t n_cells = 0, cap = 0;
        for (int i = 0; i < ncol; i++)
            width[i] = utf8_width(sqlite3_column_name(st, i));
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            for (int i = 0; i < ncol; i++) {
                char *raw = cell_text(st, i);
                char *c = display_cell(raw, TEXT_CELL_MAX);
                free(raw);
                size_t w = utf8_width(c);
                if (w > width[i])
                    width[i] = w;
                if (n_cells == cap) {
                    cap = cap ? cap * 2 : 256;
                    cells = xrealloc(cells, cap * sizeof *cells);
                }
                cells[n_cells++] = c;
            }
            rows++;
        }
        for (int i = 0; i < ncol; i++) {
            const char *name = sqlite3_column_name(st, i);
            fprintf(out, "%s%s", name, i + 1 < ncol ? "" : "\n");
            for (size_t k = utf8_width(name); i + 1 < ncol && k < width[i] + 2; k++)
                fputc(' ', out);
        }
        for (size_t r = 0; r < (size_t)rows; r++) {
            for (int i = 0; i < ncol; i++) {
                const char *c = cells[r * (size_t)ncol + (size_t)i];
                fputs(c, out);
                if (i + 1 < ncol)
                    for (size_t k = utf8_width(c); k < width[i] + 2; k++)
                        fputc(' ', out);
            }
            fputc('\n', out);
        }
        for (size_t k = 0; k < n_cells; k++)
            free(cells[k]);
        free(cells);
        free(width);
    }
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(sqlite3_db_handle(st)));
        return -1;
    }
    return rows;
}

int store_query_parse_time(const char *s, int64_t *t)
{
    if (time_parse_rfc3339(s, t) == 0)
        return 0;
    if (strlen(s) == 10) {
        char buf[32];
        snprintf(buf, sizeof buf, "%sT00:00:00Z", s);
        return time_parse_rfc3339(buf, t);
    }
    return -1;
}

int store_query_parse_duration(const char *s, int64_t *secs)
{
    char *end;
    errno = 0;
    long long n = strtoll(s, &end, 10);
    if (!*s || end == s || errno || n <= 0 || !end[0] || end[1])
        return -1;
    long long unit = end[0] == 'd' ? 86400 : end[0] == 'h' ? 3600 : end[0] == 'm' ? 60 : end[0] == 'w' ? 604800 : 0;
    if (!unit || n > 3660LL * 86400 / unit)
        return -1;
    *secs = (int64_t)(n * unit);
    return 0;
}
