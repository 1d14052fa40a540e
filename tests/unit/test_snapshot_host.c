/*
 * tests/unit/test_snapshot_host.c - drive the built `snapshot` and `jsonl`
 * plugins through a small host of our own, the way the core does: dlopen,
 * entry, init, plan, collect (from several threads), open/write/close.
 *
 * It checks what a user sees: which resources come in, which lines are
 * reported (with their numbers) and skipped, what a big file split into
 * chunks yields, and what the output file holds, when and with which mode.
 *
 * Environment: top_srcdir (fixtures) and top_builddir (plugins); both
 * default to ".". VERBOSE=1 echoes the plugins' log lines.
 */
#define _GNU_SOURCE

#include <cjson/cJSON.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <parapet/plugin.h>

static int failures;
static int checks;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        checks++;                                                          \
        if (!(cond)) {                                                     \
            failures++;                                                    \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                  \
            fputc('\n', stderr);                                           \
        }                                                                  \
    } while (0)

/* ---- the host ---------------------------------------------------------- */

typedef struct emitted {
    char *uid, *type, *provider, *account, *region, *name, *tags, *data, *source;
    uint32_t line, column;
    int64_t observed_at;
} emitted;

static struct {
    pthread_mutex_t mu;
    emitted *res;
    size_t n_res, cap_res;
    char **logs;
    size_t n_logs, cap_logs;
    int cancel;          /* what cancelled() answers */
    uint64_t progress_done, progress_total;
} H = {.mu = PTHREAD_MUTEX_INITIALIZER};

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static void host_log(pp_host *h, pp_log_level lvl, const char *msg)
{
    static const char *names[] = {"error", "warn", "info", "debug"};
    (void)h;
    char *line = NULL;
    if (asprintf(&line, "%s: %s", names[lvl <= PP_LOG_DEBUG ? lvl : 3], msg) < 0)
        abort();
    if (getenv("VERBOSE"))
        fprintf(stderr, "  log %s\n", line);
    pthread_mutex_lock(&H.mu);
    if (H.n_logs == H.cap_logs) {
        H.cap_logs = H.cap_logs ? H.cap_logs * 2 : 64;
        H.logs = realloc(H.logs, H.cap_logs * sizeof *H.logs);
    }
    H.logs[H.n_logs++] = line;
    pthread_mutex_unlock(&H.mu);
}

static void *host_alloc(pp_host *h, size_t n) { (void)h; return malloc(n); }
static void host_free(pp_host *h, void *p) { (void)h; free(p); }

/* Like the core: required members present, JSON members parse. */
static int host_emit_resource(pp_host *h, const pp_resource *r)
{
    (void)h;
    if (!r || r->size < offsetof(pp_resource, observed_at) || !r->uid || !r->type || !r->provider)
        return PP_ERR_INVALID;
    for (const char *j = r->tags_json;; j = r->data_json) {
        if (j) {
            cJSON *doc = cJSON_Parse(j);
            int ok = cJSON_IsObject(doc);
            cJSON_Delete(doc);
            if (!ok)
                return PP_ERR_INVALID;
        }
        if (j == r->data_json)
            break;
    }
    emitted e = {
        .uid = strdup(r->uid), .type = strdup(r->type), .provider = strdup(r->provider),
        .account = dup_or_null(r->account), .region = dup_or_null(r->region), .name = dup_or_null(r->name),
        .tags = dup_or_null(r->tags_json), .data = dup_or_null(r->data_json), .source = dup_or_null(r->source),
        .line = r->source_line, .observed_at = r->observed_at,
        .column = r->size > offsetof(pp_resource, source_column) ? r->source_column : 0,
    };
    pthread_mutex_lock(&H.mu);
    if (H.n_res == H.cap_res) {
        H.cap_res = H.cap_res ? H.cap_res * 2 : 256;
        H.res = realloc(H.res, H.cap_res * sizeof *H.res);
    }
    H.res[H.n_res++] = e;
    pthread_mutex_unlock(&H.mu);
    return H.cancel ? PP_ERR_CANCELLED : PP_OK;
}

static int host_cancelled(pp_host *h) { (void)h; return H.cancel; }

static void host_progress(pp_host *h, uint64_t done, uint64_t total, const char *what)
{
    (void)h;
    (void)what;
    pthread_mutex_lock(&H.mu);
    if (done > H.progress_done)
        H.progress_done = done;
    H.progress_total = total;
    pthread_mutex_unlock(&H.mu);
}

static const pp_host_api host = {
    .size = sizeof(pp_host_api), .abi_major = PP_ABI_MAJOR, .abi_minor = PP_ABI_MINOR,
    .log = host_log, .alloc = host_alloc, .free = host_free,
    .emit_resource = host_emit_resource, .cancelled = host_cancelled, .progress = host_progress,
};

static void host_reset(void)
{
    for (size_t i = 0; i < H.n_res; i++) {
        emitted *e = &H.res[i];
        free(e->uid); free(e->type); free(e->provider); free(e->account); free(e->region);
        free(e->name); free(e->tags); free(e->data); free(e->source);
    }
    for (size_t i = 0; i < H.n_logs; i++)
        free(H.logs[i]);
    H.n_res = H.n_logs = 0;
    H.cancel = 0;
    H.progress_done = H.progress_total = 0;
}

static const emitted *find_uid(const char *uid)
{
    for (size_t i = 0; i < H.n_res; i++)
        if (strcmp(H.res[i].uid, uid) == 0)
            return &H.res[i];
    return NULL;
}

/* Number of log lines containing @needle. */
static size_t logs_with(const char *needle)
{
    size_t n = 0;
    for (size_t i = 0; i < H.n_logs; i++)
        n += strstr(H.logs[i], needle) != NULL;
    return n;
}

static void *plugin_handles[4];
static size_t n_handles;

static const pp_plugin *load_plugin(const char *name)
{
    const char *bd = getenv("top_builddir") ? getenv("top_builddir") : ".";
    char path[4096];
    snprintf(path, sizeof path, "%s/plugins/%s/.libs/%s.so", bd, name, name);
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        fprintf(stderr, "cannot load %s: %s\n", path, dlerror());
        exit(1);
    }
    plugin_handles[n_handles++] = dl;
    pp_entry_v1_fn entry = (pp_entry_v1_fn)dlsym(dl, PP_ENTRY_SYMBOL_V1);
    const pp_plugin *p = NULL;
    if (!entry || entry(&host, (pp_host *)&host, &p) != PP_OK || !p) {
        fprintf(stderr, "%s: entry failed\n", path);
        exit(1);
    }
    return p;
}

/* ---- running an import ------------------------------------------------- */

typedef struct import_run {
    const pp_plugin *p;
    void *inst;
    cJSON *tasks;
    int n_tasks;
    int next;
    int worst_rc;
    char first_error[1024];
    pthread_mutex_t mu;
} import_run;

static void *collect_worker(void *arg)
{
    import_run *r = arg;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        int i = r->next++;
        pthread_mutex_unlock(&r->mu);
        if (i >= r->n_tasks)
            return NULL;
        char *task = cJSON_PrintUnformatted(cJSON_GetArrayItem(r->tasks, i));
        int rc = r->p->provider->collect(r->inst, task);
        free(task);
        if (rc != PP_OK) {
            const char *why = r->p->last_error(r->inst);
            pthread_mutex_lock(&r->mu);
            if (r->worst_rc == PP_OK) {
                r->worst_rc = rc;
                snprintf(r->first_error, sizeof r->first_error, "%s", why ? why : "");
            }
            pthread_mutex_unlock(&r->mu);
        }
    }
}

/*
 * Import @files (NULL-terminated) with @config on @threads workers.
 * Returns the first failing collect's rc (or PP_OK); *plan_out gets the
 * plan (caller frees) when not NULL. Errors of init/plan return PP_ERR.
 */
static int import_files(const pp_plugin *p, const char *config, const char *const *files, int threads,
                        char *err, size_t errlen, cJSON **plan_out)
{
    import_run r = {.p = p, .mu = PTHREAD_MUTEX_INITIALIZER};
    const char *ierr = NULL;
    err[0] = '\0';
    host_reset();
    if (p->init((pp_host *)&host, config, &r.inst, &ierr) != PP_OK) {
        snprintf(err, errlen, "%s", ierr ? ierr : "init failed");
        return PP_ERR;
    }
    cJSON *targets = cJSON_CreateArray();
    for (size_t i = 0; files[i]; i++)
        cJSON_AddItemToArray(targets, cJSON_CreateString(files[i]));
    char *tj = cJSON_PrintUnformatted(targets);
    cJSON_Delete(targets);
    const char *plan = p->provider->plan(r.inst, tj);
    free(tj);
    if (!plan) {
        snprintf(err, errlen, "%s", p->last_error(r.inst));
        p->destroy(r.inst);
        return PP_ERR;
    }
    r.tasks = cJSON_Parse(plan);
    r.n_tasks = cJSON_GetArraySize(r.tasks);
    pthread_t tid[8];
    for (int i = 0; i < threads; i++)
        pthread_create(&tid[i], NULL, collect_worker, &r);
    for (int i = 0; i < threads; i++)
        pthread_join(tid[i], NULL);
    p->destroy(r.inst);
    snprintf(err, errlen, "%s", r.first_error);
    if (plan_out)
        *plan_out = r.tasks;
    else
        cJSON_Delete(r.tasks);
    return r.worst_rc;
}

static int import_one(const pp_plugin *p, const char *config, const char *file, char *err, size_t errlen)
{
    const char *files[] = {file, NULL};
    return import_files(p, config, files, 1, err, errlen, NULL);
}

static char *fixture(const char *name)
{
    const char *sd = getenv("top_srcdir") ? getenv("top_srcdir") : ".";
    char *path;
    if (asprintf(&path, "%s/tests/fixtures/snapshot/%s", sd, name) < 0)
        abort();
    return path;
}

static char tmpdir[] = "/tmp/pp-snapshot-test-XXXXXX";

static char *tmp_path(const char *name)
{
    char *path;
    if (asprintf(&path, "%s/%s", tmpdir, name) < 0)
        abort();
    return path;
}

static void write_file(const char *path, const char *content, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(content, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            buf = realloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, 4096, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

/* ---- snapshot tests ---------------------------------------------------- */

static void test_valid_fixture(const pp_plugin *p)
{
    char err[1024];
    char *path = fixture("valid.jsonl");
    int rc = import_one(p, NULL, path, err, sizeof err);
    CHECK(rc == PP_OK, "rc %d (%s)", rc, err);
    CHECK(H.n_res == 7, "imported %zu resources, want 7", H.n_res);
    CHECK(logs_with("warn:") == 0, "unexpected warnings");
    struct stat st;
    CHECK(stat(path, &st) == 0 && H.progress_total == (uint64_t)st.st_size &&
              H.progress_done == (uint64_t)st.st_size,
          "progress in bytes: %llu/%llu", (unsigned long long)H.progress_done,
          (unsigned long long)H.progress_total);
    const emitted *e = find_uid("arn:aws:s3:::acme-logs");
    CHECK(e && strcmp(e->type, "aws.s3.bucket") == 0 && strcmp(e->provider, "aws") == 0, "bucket");
    if (e) {
        CHECK(e->account && strcmp(e->account, "123456789012") == 0, "account");
        CHECK(e->region && strcmp(e->region, "us-east-1") == 0, "region");
        CHECK(e->tags && strcmp(e->tags, "{\"env\":\"prod\",\"team\":\"platform\"}") == 0, "tags %s", e->tags);
        CHECK(e->data && strstr(e->data, "\"sseAlgorithm\":\"aws:kms\"") && !strchr(e->data, '\n'),
              "data %s", e->data);
        CHECK(e->source && strcmp(e->source, "api") == 0, "source %s", e->source);
        CHECK(e->observed_at == 1795860000, "observed_at %lld", (long long)e->observed_at);
    }
    e = find_uid("k8s://prod/core/pods/default/web-1");
    CHECK(e && e->source && strcmp(e->source, "deploy/web.yaml") == 0 && e->line == 3 && e->column == 1,
          "file source");
    e = find_uid("with-nulls");
    CHECK(e && !e->account && !e->tags && !e->data, "null members are absent");
    e = find_uid("unicode-ü-名前");
    CHECK(e && e->name && strcmp(e->name, "naïve ✓") == 0 && e->observed_at == 1795860000, "unicode, offset");
    CHECK(find_uid("minimal") && find_uid("//storage.googleapis.com/projects/_/buckets/acme-public") &&
              find_uid("/subscriptions/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0/resourceGroups/rg-data/providers/"
                       "Microsoft.Storage/storageAccounts/acmedata"),
          "other uids");
    free(path);
}

static void test_bad_lines(const pp_plugin *p)
{
    static const struct {
        int line;
        const char *why;
    } expect[] = {
        {2, "missing required member 'uid'"},
        {3, "member 'type' is 'AWS::S3::Bucket'"},
        {4, "invalid JSON"},
        {5, "not a JSON object"},
        {7, "duplicate member 'uid'"},
        {8, "tag 'a' must be a string"},
        {9, "member 'data' must be an object"},
        {10, "\\u0000"},
        {11, "member 'observed_at' must be an RFC 3339"},
        {12, "member 'source' must be"},
        {13, "member 'uid' must be a non-empty string"},
        {14, "member 'provider' must match"},
        {15, "unexpected text after the JSON object at column 45"},
        {16, "duplicate member 'b'"},
        {18, "invalid UTF-8 at column 9"},
        {19, "member 'provider' must be a non-empty string"},
    };
    char err[1024], needle[256];
    char *path = fixture("bad_lines.jsonl");
    int rc = import_one(p, NULL, path, err, sizeof err);
    CHECK(rc == PP_OK, "non-strict import succeeds, rc %d (%s)", rc, err);
    CHECK(H.n_res == 3 && find_uid("good-1") && find_uid("good-2") && find_uid("good-3"),
          "the three good lines are imported (%zu)", H.n_res);
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        snprintf(needle, sizeof needle, "bad_lines.jsonl:%d: ", expect[i].line);
        int found = 0;
        for (size_t k = 0; k < H.n_logs; k++)
            if (strncmp(H.logs[k], "warn: ", 6) == 0 && strstr(H.logs[k], needle) &&
                strstr(H.logs[k], expect[i].why))
                found = 1;
        CHECK(found, "warning for line %d with '%s'", expect[i].line, expect[i].why);
    }
    CHECK(logs_with("16 bad lines skipped, 3 resources imported") == 1, "summary line");
    CHECK(logs_with("bad_lines.jsonl:1: ") == 0 && logs_with("bad_lines.jsonl:6: ") == 0 &&
              logs_with("bad_lines.jsonl:17: ") == 0,
          "good lines are not reported");

    rc = import_one(p, "{\"strict\":true}", path, err, sizeof err);
    CHECK(rc == PP_ERR_INVALID, "strict fails the task, rc %d", rc);
    CHECK(strstr(err, "bad_lines.jsonl:2: missing required member 'uid'") != NULL, "strict error: %s", err);
    CHECK(H.n_res == 1 && find_uid("good-1"), "strict keeps what came before (%zu)", H.n_res);
    free(path);
}

static void test_edge_files(const pp_plugin *p)
{
    char err[1024];
    char *empty = tmp_path("empty.jsonl");
    write_file(empty, "", 0);
    int rc = import_one(p, NULL, empty, err, sizeof err);
    CHECK(rc == PP_OK && H.n_res == 0 && logs_with("warn:") == 0, "empty file: rc %d, %zu", rc, H.n_res);

    char *missing = tmp_path("no-such-file.jsonl");
    rc = import_one(p, NULL, missing, err, sizeof err);
    CHECK(rc == PP_ERR_IO, "missing file rc %d", rc);
    CHECK(strstr(err, "cannot open ") && strstr(err, "no-such-file.jsonl") && strstr(err, "No such file"),
          "missing file error: %s", err);

    rc = import_one(p, NULL, tmpdir, err, sizeof err);
    CHECK(rc != PP_OK && strstr(err, "is a directory"), "directory: %s", err);

    /* CRLF line endings, a byte order mark, no final newline. */
    size_t vlen;
    char *vpath = fixture("valid.jsonl");
    char *valid = read_file(vpath, &vlen);
    CHECK(valid != NULL, "read valid.jsonl");
    char *crlf = malloc(vlen * 2 + 4);
    size_t n = 0;
    memcpy(crlf, "\xEF\xBB\xBF", 3);
    n = 3;
    for (size_t i = 0; valid && i < vlen; i++) {
        if (valid[i] == '\n')
            crlf[n++] = '\r';
        crlf[n++] = valid[i];
    }
    n -= 2; /* drop the final CRLF */
    char *crlf_path = tmp_path("crlf.jsonl");
    write_file(crlf_path, crlf, n);
    rc = import_one(p, NULL, crlf_path, err, sizeof err);
    CHECK(rc == PP_OK && H.n_res == 7 && logs_with("warn:") == 0, "CRLF+BOM: rc %d, %zu resources", rc, H.n_res);
    const emitted *e = find_uid("unicode-ü-名前");
    CHECK(e && e->tags && strcmp(e->tags, "{\"owner\":\"zoë\"}") == 0, "CRLF does not leak into values");

    /* A line over max_line_bytes is reported and skipped; the next one is read. */
    char *longp = tmp_path("long.jsonl");
    FILE *f = fopen(longp, "w");
    fprintf(f, "{\"uid\":\"before\",\"type\":\"x.y\",\"provider\":\"p\"}\n{\"uid\":\"long\",\"type\":\"x.y\","
               "\"provider\":\"p\",\"data\":{\"pad\":\"");
    for (int i = 0; i < 300000; i++)
        fputc('a', f);
    fprintf(f, "\"}}\n{\"uid\":\"after\",\"type\":\"x.y\",\"provider\":\"p\"}\n");
    fclose(f);
    rc = import_one(p, "{\"max_line_bytes\":100000}", longp, err, sizeof err);
    CHECK(rc == PP_OK && H.n_res == 2 && find_uid("before") && find_uid("after"), "long line skipped (%zu)",
          H.n_res);
    CHECK(logs_with("long.jsonl:2: line of 300060 bytes is longer than max_line_bytes (100000)") == 1,
          "long line reported with its length");
    rc = import_one(p, NULL, longp, err, sizeof err);
    CHECK(rc == PP_OK && H.n_res == 3, "default max_line_bytes takes it (%zu)", H.n_res);

    /* Hostile nesting: cJSON's depth limit turns it into a bad line, not a crash. */
    char *deep = tmp_path("deep.jsonl");
    f = fopen(deep, "w");
    fprintf(f, "{\"uid\":\"deep\",\"type\":\"x.y\",\"provider\":\"p\",\"data\":{\"a\":");
    for (int i = 0; i < 100000; i++)
        fputc('[', f);
    fprintf(f, "\n{\"uid\":\"ok\",\"type\":\"x.y\",\"provider\":\"p\"}\n");
    fclose(f);
    rc = import_one(p, NULL, deep, err, sizeof err);
    CHECK(rc == PP_OK && H.n_res == 1 && find_uid("ok") && logs_with("deep.jsonl:1: invalid JSON") == 1,
          "deep nesting is a bad line (%zu)", H.n_res);

    /* Bad config is refused at init. */
    rc = import_one(p, "{\"max_line_bytes\":\"big\"}", empty, err, sizeof err);
    CHECK(rc == PP_ERR && strstr(err, "max_line_bytes"), "bad config: %s", err);
    rc = import_one(p, "{\"strict\":1}", empty, err, sizeof err);
    CHECK(rc == PP_ERR && strstr(err, "strict"), "bad config: %s", err);
    const char *none[] = {NULL};
    rc = import_files(p, NULL, none, 1, err, sizeof err, NULL);
    CHECK(rc == PP_ERR && strstr(err, "no input"), "no targets: %s", err);

    /* The same file twice is imported once. */
    const char *twice[] = {crlf_path, crlf_path, NULL};
    rc = import_files(p, NULL, twice, 2, err, sizeof err, NULL);
    CHECK(rc == PP_OK && H.n_res == 7 && logs_with("given twice") == 1, "duplicate target (%zu)", H.n_res);

    free(valid);
    free(vpath);
    free(crlf);
    free(crlf_path);
    free(longp);
    free(deep);
    free(empty);
    free(missing);
}

/*
 * Import the single line @line; returns the resource it gave (NULL when it
 * was refused) and copies the warning about it into @why.
 */
static const emitted *import_line(const pp_plugin *p, const char *line, char *why, size_t whylen)
{
    char err[1024];
    char *path = tmp_path("one.jsonl");
    write_file(path, line, strlen(line));
    int rc = import_one(p, NULL, path, err, sizeof err);
    free(path);
    why[0] = '\0';
    for (size_t i = 0; i < H.n_logs; i++)
        if (strncmp(H.logs[i], "warn: ", 6) == 0 && strstr(H.logs[i], "one.jsonl:1: ")) {
            snprintf(why, whylen, "%s", strstr(H.logs[i], "one.jsonl:1: ") + 13);
            break;
        }
    if (rc != PP_OK) {
        snprintf(why, whylen, "import failed: rc %d (%.400s)", rc, err);
        return NULL;
    }
    return H.n_res == 1 ? &H.res[0] : NULL;
}

#define HEAD "{\"uid\":\"u\",\"type\":\"x.y\",\"provider\":\"p\""

/* A resource line whose data holds @arrays nested arrays (so @arrays + 2 levels in all). */
static char *nested_line(int arrays)
{
    size_t cap = 2 * (size_t)arrays + 128;
    char *line = malloc(cap);
    size_t n = (size_t)snprintf(line, cap, HEAD ",\"data\":{\"a\":");
    for (int i = 0; i < arrays; i++)
        line[n++] = '[';
    for (int i = 0; i < arrays; i++)
        line[n++] = ']';
    memcpy(line + n, "}}\n", 4);
    return line;
}

/* data and tags reach the host as the text of the line: spelling, escapes and member order kept. */
static void test_values_as_written(const pp_plugin *p)
{
    char why[1024];
    const emitted *e;

    /* numbers keep their spelling (1.50 is not 1.5, 2^64 is not 18446744073709552000) */
    const char *data = "{\"big\":18446744073709551616,\"f\":1.50,\"e\":1E+3,\"neg\":-0,\"small\":1e-7,\"z\":0}";
    char line[4096];
    snprintf(line, sizeof line, HEAD ",\"data\":%s}\n", data);
    e = import_line(p, line, why, sizeof why);
    CHECK(e && e->data && strcmp(e->data, data) == 0, "numbers as written: %s (%s)", e ? e->data : "-", why);

    /* braces, brackets, quotes and escapes inside strings do not end the value early */
    const char *tricky = "{\"s\":\"}{][,:\\\"\",\"t\":{\"u\":\"{\\\\\"},\"w\":[\"]\",{}]}";
    snprintf(line, sizeof line, HEAD ",\"data\":%s,\"name\":\"after-data\",\"tags\":{\"k\":\"}\"}}\n", tricky);
    e = import_line(p, line, why, sizeof why);
    CHECK(e && e->data && strcmp(e->data, tricky) == 0, "braces in strings: %s (%s)", e ? e->data : "-", why);
    CHECK(e && e->name && strcmp(e->name, "after-data") == 0, "member after data: %s", e && e->name ? e->name : "-");
    CHECK(e && e->tags && strcmp(e->tags, "{\"k\":\"}\"}") == 0, "tags: %s", e && e->tags ? e->tags : "-");

    /* escapes in data and tags stay escaped (valid JSON as it was written) */
    const char *esc = "{\"a\\u00e9\":\"\\ud83d\\ude00\\n\\t\\/\"}";
    snprintf(line, sizeof line, HEAD ",\"data\":%s,\"tags\":%s}\n", esc, esc);
    e = import_line(p, line, why, sizeof why);
    CHECK(e && e->data && strcmp(e->data, esc) == 0, "escapes in data: %s (%s)", e ? e->data : "-", why);
    CHECK(e && e->tags && strcmp(e->tags, esc) == 0, "escapes in tags: %s", e && e->tags ? e->tags : "-");

    /* whitespace between tokens is dropped, whitespace inside strings kept */
    e = import_line(p, "{ \"uid\" : \"ws\" , \"type\":\"x.y\",\"provider\":\"p\", \"data\" : { \"a\" : [ 1 , 2 ] ,"
                       "\t\"s\" : \"x  y\" } , \"tags\" : { \"k\" : \" v \" } }\r\n", why, sizeof why);
    CHECK(e && e->data && strcmp(e->data, "{\"a\":[1,2],\"s\":\"x  y\"}") == 0, "compact data: %s (%s)",
          e && e->data ? e->data : "-", why);
    CHECK(e && e->tags && strcmp(e->tags, "{\"k\":\" v \"}") == 0, "compact tags: %s", e && e->tags ? e->tags : "-");

    /* empty objects, and nesting right at the limit (1000 levels counting the line's own object) */
    e = import_line(p, HEAD ",\"data\":{},\"tags\":{}}\n", why, sizeof why);
    CHECK(e && e->data && strcmp(e->data, "{}") == 0 && e->tags && strcmp(e->tags, "{}") == 0, "empty: %s", why);
    char *deep = nested_line(998);
    e = import_line(p, deep, why, sizeof why);
    CHECK(e != NULL, "1000 levels are accepted: %s", why);
    free(deep);
    deep = nested_line(999);
    e = import_line(p, deep, why, sizeof why);
    CHECK(!e && strstr(why, "invalid JSON at column 1050: nested deeper than 1000 levels"), "1001 levels: %s", why);
    free(deep);
}

/* Strings are decoded from their escapes; what may not be decoded is refused. */
static void test_string_escapes(const pp_plugin *p)
{
    static const struct {
        const char *line;
        const char *name; /* decoded name, or NULL when the line is refused */
        const char *why;  /* part of the reason when refused */
    } cases[] = {
        {HEAD ",\"name\":\"caf\\u00e9 \\\"q\\\" \\\\ \\/\"}", "caf\xC3\xA9 \"q\" \\ /", NULL},
        {HEAD ",\"name\":\"\\ud83d\\ude00 smile\"}", "\xF0\x9F\x98\x80 smile", NULL},
        {HEAD ",\"name\":\"\\uD834\\uDD1E\"}", "\xF0\x9D\x84\x9E", NULL},
        {HEAD ",\"name\":\"\\u20AC\\u0041\"}", "\xE2\x82\xAC" "A", NULL},
        {HEAD ",\"name\":\"caf\xC3\xA9\"}", "caf\xC3\xA9", NULL},
        {HEAD ",\"name\":\"\\ud83d\"}", NULL, "invalid JSON at column 48: unpaired UTF-16 surrogate"},
        {HEAD ",\"name\":\"\\ude00\\ud83d\"}", NULL, "unpaired UTF-16 surrogate"},
        {HEAD ",\"name\":\"\\ud83d\\u0041\"}", NULL, "unpaired UTF-16 surrogate"},
        {HEAD ",\"name\":\"\\ud83dx\"}", NULL, "unpaired UTF-16 surrogate"},
        {HEAD ",\"name\":\"\\u00g0\"}", NULL, "4 hex digits"},
        {HEAD ",\"name\":\"\\x41\"}", NULL, "invalid escape"},
        {HEAD ",\"name\":\"a\\u0000b\"}", NULL, "\\u0000 (NUL) in a string at column 49"},
        {HEAD ",\"data\":{\"k\":\"\\u0000\"}}", NULL, "\\u0000 (NUL) in a string"},
        {HEAD ",\"name\":\"tab\\there\"}", NULL, "member 'name' contains a control character"},
        {HEAD ",\"name\":\"del\x7fhere\"}", NULL, "member 'name' contains a control character"},
        {HEAD ",\"name\":\"raw\ttab\"}", NULL, "control character in a string (it must be escaped)"},
        {HEAD ",\"data\":{\"k\":\"raw\ttab\"}}", NULL, "control character in a string"},
        {"{\"uid\":\"\\u0075\",\"type\":\"x.y\",\"provider\":\"p\"}", "", NULL},
        {"{\"u\\u0069d\":\"escaped-name\",\"type\":\"x.y\",\"provider\":\"p\"}", "", NULL},
        {"{\"uid\":\"\\n\",\"type\":\"x.y\",\"provider\":\"p\"}", NULL, "member 'uid' contains a control character"},
        {"{\"uid\":\"u\",\"type\":\"x\\u002ey\",\"provider\":\"p\"}", "", NULL},
        {"{\"uid\":\"u\",\"type\":\"x.Y\\u00e9\",\"provider\":\"p\"}", NULL, "member 'type' is 'x.Y\xC3\xA9'"},
    };
    char why[1024], line[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(line, sizeof line, "%s\n", cases[i].line);
        const emitted *e = import_line(p, line, why, sizeof why);
        if (cases[i].name) {
            CHECK(e != NULL, "case %zu imports: %s", i, why);
            if (e && cases[i].name[0])
                CHECK(e->name && strcmp(e->name, cases[i].name) == 0, "case %zu: name '%s'", i, e->name);
        } else {
            CHECK(!e && strstr(why, cases[i].why), "case %zu refused with '%s': got '%s'", i, cases[i].why, why);
        }
    }
    const emitted *e = import_line(p, "{\"uid\":\"\\u0075\\/\\\\\",\"type\":\"x\\u002ey\",\"provider\":\"p\"}\n", why,
                                   sizeof why);
    CHECK(e && strcmp(e->uid, "u/\\") == 0 && strcmp(e->type, "x.y") == 0, "escaped uid and type: %s", why);
    e = import_line(p, "{\"u\\u0069d\":\"escaped-name\",\"type\":\"x.y\",\"provider\":\"p\"}\n", why, sizeof why);
    CHECK(e && strcmp(e->uid, "escaped-name") == 0, "an escaped member name is that member: %s", why);
}

/* Duplicate names at any depth, in decoded form, in big objects too; the grammar is strict. */
static void test_strict_json(const pp_plugin *p)
{
    static const struct {
        const char *line;
        const char *why; /* NULL: imports */
    } cases[] = {
        {HEAD ",\"data\":{\"a\":1,\"\\u0061\":2}}", "duplicate member 'a'"},
        {"{\"uid\":\"u\",\"type\":\"x.y\",\"provider\":\"p\",\"u\\u0069d\":\"again\"}", "duplicate member 'uid'"},
        {HEAD ",\"tags\":{\"env\":\"a\",\"env\":\"b\"}}", "duplicate member 'env'"},
        {HEAD ",\"data\":{\"l\":[{\"x\":1},{\"x\":2,\"y\":{\"z\":1,\"z\":1}}]}}", "duplicate member 'z'"},
        {HEAD ",\"data\":{\"l\":[{\"x\":1},{\"x\":2}],\"m\":{\"x\":3}}}", NULL}, /* same name, other objects */
        {"[{\"a\":1,\"a\":2}]", "the line is not a JSON object"},
        {HEAD "} \t\r", NULL},
        {HEAD ",\"data\":{\"n\":01}}", "invalid JSON at column"},
        {HEAD ",\"data\":{\"n\":1.}}", "invalid JSON at column"},
        {HEAD ",\"data\":{\"n\":-.5}}", "invalid JSON at column"},
        {HEAD ",\"data\":{\"n\":+1}}", "invalid JSON at column"},
        {HEAD ",\"data\":{\"n\":1e}}", "invalid JSON at column"},
        {HEAD ",\"data\":{\"n\":NaN}}", "invalid JSON at column"},
        {HEAD ",\"data\":{\"n\":tru}}", "invalid JSON at column"},
        {HEAD ",\"data\":{\"n\":[1,]}}", "invalid JSON at column"},
        {HEAD ",\"data\":{\"n\":1,}}", "invalid JSON at column"},
        {HEAD ",\"data\":{'n':1}}", "invalid JSON at column"},
        {HEAD ",\"data\":{\"n\" 1}}", "invalid JSON at column"},
        {HEAD ",\"data\":{\"n\":\"unterminated}}", "invalid JSON at column"},
        {HEAD ",\"data\":{\"n\":1}", "invalid JSON at column"},
        {HEAD ",\"data\":{\"n\":1}} {}", "unexpected text after the JSON object at column"},
        /* a syntax error early and invalid UTF-8 later: the UTF-8 reason wins, as it always did */
        {"{\"uid\" \"u\",\"name\":\"\xC3\x28\"}", "invalid UTF-8 at column 20"},
        {HEAD ",\"name\":\"\xED\xA0\x80\"}", "invalid UTF-8 at column 48"},   /* an encoded surrogate */
        {HEAD ",\"name\":\"\xC0\xAF\"}", "invalid UTF-8 at column 48"},       /* overlong */
        {HEAD ",\"name\":\"\xF4\x90\x80\x80\"}", "invalid UTF-8 at column 48"}, /* above U+10FFFF */
        {HEAD ",\"tags\":{\"a\":{\"b\":\"c\"}}}", "tag 'a' must be a string"},
        {HEAD ",\"tags\":{\"\\u00e9\":null}}", "tag '\xC3\xA9' must be a string"},
        {HEAD ",\"tags\":[]}", "member 'tags' must be an object of strings"},
        {HEAD ",\"source\":{\"kind\":\"file\",\"file\":\"m.tf\",\"line\":1.5}}", "'source.line' must be an integer"},
        {HEAD ",\"source\":{\"kind\":\"file\",\"file\":\"m.tf\",\"line\":0}}", "'source.line' must be an integer"},
        {HEAD ",\"source\":{\"kind\":\"file\",\"file\":\"m.tf\",\"line\":-3}}", "'source.line' must be an integer"},
        {HEAD ",\"source\":{\"kind\":\"file\",\"file\":\"m.tf\",\"line\":4294967296}}", "'source.line' must be"},
        {HEAD ",\"source\":{\"kind\":\"file\",\"file\":\"m.tf\",\"line\":\"3\"}}", "'source.line' must be"},
        {HEAD ",\"source\":{\"kind\":\"file\",\"file\":\"m.tf\",\"column\":1e400}}", "'source.column' must be"},
        {HEAD ",\"source\":{\"kind\":\"file\",\"file\":\"\"}}", "member 'source.file' must be a non-empty path"},
        {HEAD ",\"source\":{\"kind\":\"file\",\"file\":\"a\\nb\"}}", "member 'source.file' must be a non-empty"},
        {HEAD ",\"source\":{\"kind\":\"files\"}}", "member 'source' must be"},
        {HEAD ",\"source\":{\"kind\":\"fil\"}}", "member 'source' must be"},
        {HEAD ",\"source\":{\"file\":\"a\"}}", "member 'source' must be"},
        {HEAD ",\"source\":\"api\"}", "member 'source' must be"},
        {HEAD ",\"observed_at\":\"2026-11-28T10:00:00Zjunk\"}", "member 'observed_at' must be an RFC 3339"},
        {HEAD ",\"observed_at\":1795860000}", "member 'observed_at' must be an RFC 3339"},
    };
    char why[1024], line[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(line, sizeof line, "%s\n", cases[i].line);
        const emitted *e = import_line(p, line, why, sizeof why);
        if (!cases[i].why)
            CHECK(e != NULL, "case %zu imports: %s", i, why);
        else
            CHECK(!e && strstr(why, cases[i].why), "case %zu refused with '%s': got '%s'", i, cases[i].why, why);
    }

    /* source numbers in any spelling of an integer; the uint32 maximum; api ignores the rest */
    static const struct {
        const char *num;
        uint32_t want;
    } nums[] = {{"3", 3}, {"3.0", 3}, {"30e-1", 3}, {"0.3E1", 3}, {"4294967295", 4294967295u}, {"1e2", 100}};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        snprintf(line, sizeof line, HEAD ",\"source\":{\"kind\":\"file\",\"x\":[{}],\"file\":\"m\\u002etf\","
                 "\"line\":%s,\"column\":null}}\n", nums[i].num);
        const emitted *e = import_line(p, line, why, sizeof why);
        CHECK(e && e->line == nums[i].want && e->column == 0 && e->source && strcmp(e->source, "m.tf") == 0,
              "source.line %s: %u (%s)", nums[i].num, e ? e->line : 0, why);
    }
    const emitted *e = import_line(p, HEAD ",\"source\":{\"kind\":\"api\",\"file\":7}}\n", why, sizeof why);
    CHECK(e && e->source && strcmp(e->source, "api") == 0, "api source: %s", why);

    /* A big object (sorted, not compared pairwise): 3000 distinct names import, one repeat is found. */
    size_t cap = 3000 * 16 + 256, n;
    char *big = malloc(cap);
    n = (size_t)snprintf(big, cap, HEAD ",\"data\":{");
    for (int i = 0; i < 3000; i++)
        n += (size_t)snprintf(big + n, cap - n, "%s\"k%d\":%d", i ? "," : "", i, i);
    memcpy(big + n, "}}\n", 4);
    e = import_line(p, big, why, sizeof why);
    CHECK(e != NULL, "3000 distinct names: %s", why);
    memcpy(big + n, ",\"k1234\":0}}\n", 14);
    e = import_line(p, big, why, sizeof why);
    CHECK(!e && strstr(why, "duplicate member 'k1234'"), "a repeat among 3000 names: %s", why);
    /* ... also when the repeat is spelled with an escape */
    memcpy(big + n, ",\"k\\u00312\":0}}\n", 17);
    e = import_line(p, big, why, sizeof why);
    CHECK(!e && strstr(why, "duplicate member 'k12'"), "an escaped repeat among 3000 names: %s", why);
    /* ... and a big tags object: 4096 tags are fine, 4097 are too many */
    cap = 4097 * 24 + 256;
    big = realloc(big, cap);
    n = (size_t)snprintf(big, cap, HEAD ",\"tags\":{");
    for (int i = 0; i < 4096; i++)
        n += (size_t)snprintf(big + n, cap - n, "%s\"t%d\":\"v\"", i ? "," : "", i);
    memcpy(big + n, "}}\n", 4);
    e = import_line(p, big, why, sizeof why);
    CHECK(e != NULL, "4096 tags: %s", why);
    n += (size_t)snprintf(big + n, cap - n, ",\"t4096\":\"v\"");
    memcpy(big + n, "}}\n", 4);
    e = import_line(p, big, why, sizeof why);
    CHECK(!e && strstr(why, "member 'tags' has more than 4096 tags"), "4097 tags: %s", why);
    free(big);
}

/* The demo estate imports cleanly: one resource per line, nothing reported. */
static void test_demo_estate(const pp_plugin *p)
{
    const char *sd = getenv("top_srcdir") ? getenv("top_srcdir") : ".";
    char *path, err[1024];
    if (asprintf(&path, "%s/contrib/demo/estate.jsonl", sd) < 0)
        abort();
    size_t len, lines = 0;
    char *text = read_file(path, &len);
    CHECK(text != NULL, "read %s", path);
    for (size_t i = 0; text && i < len; i++)
        lines += text[i] == '\n';
    int rc = import_one(p, NULL, path, err, sizeof err);
    CHECK(rc == PP_OK && lines > 200 && H.n_res == lines, "demo: rc %d, %zu of %zu lines", rc, H.n_res, lines);
    CHECK(logs_with("warn:") == 0, "demo: no warnings");
    /* the demo's providers: each present, and nothing else */
    static const char *names[] = {"aws", "azure", "gcp", "k8s", "image"};
    enum { N_PROVIDERS = sizeof names / sizeof names[0] };
    size_t providers[N_PROVIDERS] = {0}, known = 0;
    int all_present = 1;
    for (size_t i = 0; i < H.n_res; i++)
        for (size_t k = 0; k < N_PROVIDERS; k++)
            providers[k] += strcmp(H.res[i].provider, names[k]) == 0;
    for (size_t k = 0; k < N_PROVIDERS; k++) {
        known += providers[k];
        all_present = all_present && providers[k] > 0;
    }
    CHECK(all_present && known == H.n_res, "demo: the providers aws, azure, gcp, k8s and image, and no other");
    free(text);
    free(path);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sorted copy of the emitted uids. */
static char **sorted_uids(size_t *n)
{
    char **v = malloc((H.n_res + 1) * sizeof *v);
    for (size_t i = 0; i < H.n_res; i++)
        v[i] = strdup(H.res[i].uid);
    qsort(v, H.n_res, sizeof *v, cmp_str);
    *n = H.n_res;
    return v;
}

static void free_uids(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void test_chunks(const pp_plugin *p)
{
    enum { LINES = 100000, BAD_LINE = 77777 };
    char err[1024];
    char *big = tmp_path("big.jsonl");
    FILE *f = fopen(big, "w");
    for (int i = 1; i <= LINES; i++) {
        if (i == BAD_LINE)
            fprintf(f, "{\"uid\":\"broken\",\"type\":\"x.y\"}\n");
        else if (i % 1000 == 0)
            fprintf(f, "# comment %d\n", i);
        else
            fprintf(f, "{\"uid\":\"res-%06d\",\"type\":\"aws.s3.bucket\",\"provider\":\"aws\",\"data\":{\"n\":%d,"
                       "\"pad\":\"%.*s\"}}\n", i, i, i % 40, "0123456789012345678901234567890123456789");
    }
    fclose(f);
    struct stat st;
    stat(big, &st);
    CHECK(st.st_size > 9 * 1000 * 1000, "big file is %lld bytes", (long long)st.st_size);

    const char *files[] = {big, NULL};
    cJSON *plan = NULL;
    int rc = import_files(p, NULL, files, 1, err, sizeof err, &plan);
    CHECK(rc == PP_OK, "unsplit rc %d %s", rc, err);
    CHECK(cJSON_GetArraySize(plan) == 1, "one task below chunk_bytes");
    CHECK(logs_with("big.jsonl:77777: missing required member 'provider'") == 1, "bad line, unsplit");
    size_t n_whole;
    char **whole = sorted_uids(&n_whole);
    CHECK(n_whole == LINES - 100 - 1, "unsplit count %zu", n_whole);
    cJSON_Delete(plan);

    rc = import_files(p, "{\"chunk_bytes\":1048576}", files, 4, err, sizeof err, &plan);
    CHECK(rc == PP_OK, "split rc %d %s", rc, err);
    int n_tasks = cJSON_GetArraySize(plan);
    CHECK(n_tasks >= 9 && n_tasks <= 12, "%d chunks of 1 MiB", n_tasks);
    int fd = open(big, O_RDONLY);
    uint64_t expect_off = 0;
    for (int i = 0; i < n_tasks; i++) {
        const cJSON *t = cJSON_GetArrayItem(plan, i);
        uint64_t off = (uint64_t)cJSON_GetObjectItem(t, "offset")->valuedouble;
        uint64_t len = (uint64_t)cJSON_GetObjectItem(t, "length")->valuedouble;
        char before = '\n';
        if (off > 0)
            pread(fd, &before, 1, (off_t)off - 1);
        CHECK(off == expect_off && before == '\n', "chunk %d starts at a line start (%llu)", i,
              (unsigned long long)off);
        expect_off = off + len;
    }
    close(fd);
    CHECK(expect_off == (uint64_t)st.st_size, "chunks cover the file exactly");
    CHECK(logs_with("big.jsonl:77777: missing required member 'provider'") == 1,
          "bad line number is exact across chunks");
    size_t n_split;
    char **split = sorted_uids(&n_split);
    int same = n_split == n_whole;
    for (size_t i = 0; same && i < n_split; i++)
        same = strcmp(split[i], whole[i]) == 0;
    CHECK(same, "split import gives exactly the same uids (%zu vs %zu)", n_split, n_whole);
    free_uids(split, n_split);
    free_uids(whole, n_whole);
    cJSON_Delete(plan);

    /* Cancellation: the host says stop; collect returns PP_ERR_CANCELLED. */
    host_reset();
    const char *ierr = NULL;
    void *inst = NULL;
    p->init((pp_host *)&host, NULL, &inst, &ierr);
    H.cancel = 1;
    char *task;
    if (asprintf(&task, "{\"id\":\"x\",\"path\":\"%s\"}", big) < 0)
        abort();
    rc = p->provider->collect(inst, task);
    CHECK(rc == PP_ERR_CANCELLED, "cancelled rc %d", rc);
    CHECK(H.n_res < (size_t)LINES / 2, "stopped early (%zu)", H.n_res);
    p->destroy(inst);
    free(task);
    H.cancel = 0;
    free(big);
}

/* ---- jsonl tests ------------------------------------------------------- */

static void test_jsonl(const pp_plugin *p)
{
    const char *ierr = NULL;
    void *inst = NULL, *sink = NULL;
    host_reset();
    CHECK(p->output && strcmp(p->output->formats, "jsonl,ndjson") == 0, "formats");

    /* Default: findings only; the file appears at close, mode 0640. */
    CHECK(p->init((pp_host *)&host, "{}", &inst, &ierr) == PP_OK, "init");
    char *out = tmp_path("out.jsonl");
    CHECK(p->output->open(inst, "jsonl", out, "{\"scan_id\":1}", &sink) == PP_OK, "open %s",
          p->last_error(inst));
    CHECK(p->output->write_finding(inst, sink, "{\"rule_id\":\"r1\",\"resource_uid\":\"u1\",\"status\":\"fail\"}") ==
              PP_OK, "write finding");
    CHECK(p->output->write_resource(inst, sink, "{\"uid\":\"u1\",\"type\":\"x.y\",\"provider\":\"p\"}") == PP_OK,
          "write resource (ignored)");
    CHECK(p->output->write_finding(inst, sink, "{\n  \"rule_id\": \"r2\",\n  \"x\": \"a\\nb\"\n}") == PP_OK,
          "pretty record");
    CHECK(access(out, F_OK) != 0, "nothing at PATH before close");
    CHECK(p->output->write_finding(inst, sink, "") == PP_ERR_INVALID, "empty record refused");
    CHECK(p->output->write_finding(inst, sink, "{\n oops") == PP_ERR_INVALID, "broken multi-line record refused");
    CHECK(p->output->close(inst, sink, "{}") == PP_OK, "close");
    size_t len;
    char *got = read_file(out, &len);
    const char *want = "{\"rule_id\":\"r1\",\"resource_uid\":\"u1\",\"status\":\"fail\"}\n"
                       "{\"rule_id\":\"r2\",\"x\":\"a\\nb\"}\n";
    CHECK(got && strcmp(got, want) == 0, "content: %s", got ? got : "(none)");
    free(got);
    struct stat st;
    CHECK(stat(out, &st) == 0 && (st.st_mode & 0777) == 0640, "mode %o", st.st_mode & 0777);
    p->destroy(inst);

    /* resources=true: resource lines too, and an existing file is replaced. */
    CHECK(p->init((pp_host *)&host, "{\"resources\":true}", &inst, &ierr) == PP_OK, "init resources");
    CHECK(p->output->open(inst, "ndjson", out, "{}", &sink) == PP_OK, "open ndjson");
    CHECK(p->output->write_resource(inst, sink, "{\"uid\":\"u1\",\"type\":\"x.y\",\"provider\":\"p\"}") == PP_OK,
          "write resource");
    /* many records, to cross the buffer */
    for (int i = 0; i < 5000; i++) {
        char rec[128];
        snprintf(rec, sizeof rec, "{\"rule_id\":\"bulk\",\"resource_uid\":\"u%05d\",\"status\":\"pass\"}", i);
        p->output->write_finding(inst, sink, rec);
    }
    CHECK(p->output->close(inst, sink, "{}") == PP_OK, "close");
    got = read_file(out, &len);
    size_t lines = 0;
    for (size_t i = 0; got && i < len; i++)
        lines += got[i] == '\n';
    CHECK(got && lines == 5001 && strncmp(got, "{\"uid\":\"u1\"", 11) == 0 && got[len - 1] == '\n',
          "resource line first, %zu lines", lines);
    free(got);

    /* Refusals: unknown format, symlink, directory, missing directory. */
    CHECK(p->output->open(inst, "csv", out, "{}", &sink) == PP_ERR_INVALID, "unknown format");
    char *link = tmp_path("link.jsonl");
    symlink(out, link);
    CHECK(p->output->open(inst, "jsonl", link, "{}", &sink) == PP_ERR_INVALID &&
              strstr(p->last_error(inst), "symbolic link"),
          "symlink refused: %s", p->last_error(inst));
    CHECK(p->output->open(inst, "jsonl", tmpdir, "{}", &sink) == PP_ERR_INVALID &&
              strstr(p->last_error(inst), "directory"),
          "directory refused: %s", p->last_error(inst));
    char *nodir = tmp_path("no/such/dir.jsonl");
    CHECK(p->output->open(inst, "jsonl", nodir, "{}", &sink) == PP_ERR_IO &&
              strstr(p->last_error(inst), "no/such/dir.jsonl"),
          "missing directory named: %s", p->last_error(inst));

    /* Disk full: the error names the path; close fails. */
    if (access("/dev/full", W_OK) == 0) {
        CHECK(p->output->open(inst, "jsonl", "/dev/full", "{}", &sink) == PP_OK, "open /dev/full");
        int rc = PP_OK;
        for (int i = 0; i < 2000 && rc == PP_OK; i++)
            rc = p->output->write_finding(inst, sink,
                                          "{\"rule_id\":\"r\",\"pad\":\"0123456789012345678901234567890123456789\"}");
        int crc = p->output->close(inst, sink, "{}");
        CHECK((rc == PP_ERR_IO || crc == PP_ERR_IO) && strstr(p->last_error(inst), "/dev/full") &&
                  strstr(p->last_error(inst), "No space left"),
              "disk full reported: %s", p->last_error(inst));
        CHECK(logs_with("error: cannot write /dev/full: No space left on device") == 1, "logged once");
    }

    /* A sink never closed leaves PATH untouched and no temporary file. */
    char *never = tmp_path("never.jsonl");
    CHECK(p->output->open(inst, "jsonl", never, "{}", &sink) == PP_OK, "open never");
    p->output->write_finding(inst, sink, "{\"rule_id\":\"r\"}");
    p->destroy(inst);
    CHECK(access(never, F_OK) != 0, "unclosed output not created");
    char *cmd;
    if (asprintf(&cmd, "ls -A %s | grep -q '^\\.never\\.jsonl\\.tmp-'", tmpdir) < 0)
        abort();
    CHECK(system(cmd) != 0, "no temporary file left");
    free(cmd);
    free(never);
    free(nodir);
    free(link);
    free(out);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    const pp_plugin *snap = load_plugin("snapshot");
    const pp_plugin *jl = load_plugin("jsonl");
    CHECK(strcmp(snap->name, "snapshot") == 0 && snap->kinds == PP_KIND_PROVIDER &&
              snap->threads == PP_THREADS_PARALLEL && snap->provider && snap->provider->plan,
          "snapshot descriptor");
    cJSON *schema = cJSON_Parse(snap->config_schema);
    CHECK(cJSON_IsObject(schema), "snapshot schema parses");
    cJSON_Delete(schema);
    schema = cJSON_Parse(jl->config_schema);
    CHECK(cJSON_IsObject(schema), "jsonl schema parses");
    cJSON_Delete(schema);

    test_valid_fixture(snap);
    test_bad_lines(snap);
    test_edge_files(snap);
    test_chunks(snap);
    test_values_as_written(snap);
    test_string_escapes(snap);
    test_strict_json(snap);
    test_demo_estate(snap);
    test_jsonl(jl);

    host_reset();
    free(H.res);
    free(H.logs);
    char *cmd;
    if (asprintf(&cmd, "rm -rf '%s'", tmpdir) < 0)
        abort();
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    free(cmd);
    for (size_t i = 0; i < n_handles; i++)
        dlclose(plugin_handles[i]);
    printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
