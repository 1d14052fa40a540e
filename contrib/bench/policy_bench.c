/*
 * contrib/bench/policy_bench.c - throughput of the rule engine.
 *
 * Generates N resources (default 1,000,000) of 10 invented types as JSON
 * lines, one at a time (streaming: nothing is kept), and 100 rules (10 per
 * type, generated into a temporary rule directory). Three passes over the
 * same deterministic input, in the same run:
 *
 *   gen    make each line only (the generator's own cost, subtracted below)
 *   parse  make + cJSON_Parse each line: the parse-only baseline
 *   record make + parse + build the resource record (no rules)
 *   full   make + parse + build the resource record + policy_engine_evaluate
 *          with every rule of its type (findings are made and freed)
 *
 * The record's `data` and `tags` are the texts of those members as they
 * stand in the line, as the snapshot reader hands them over (spans of the
 * line); with --reprint they are printed back from the cJSON tree instead
 * (the way this benchmark worked before, which adds a cJSON print of each
 * resource to the record and full passes).
 *
 * Times are CPU time of the process. Half the rules have an `applies`.
 * It prints resources/s, rule evaluations/s, the ratio full/parse, the
 * engine's own time (full - record), and the peak and current RSS.
 * Build: make contrib/bench/policy_bench
 * Run:   contrib/bench/policy_bench [--reprint] [N]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "policy/engine.h"
#include "record.h"
#include "util.h"

#define N_TYPES 10
#define RULES_PER_TYPE 10

static uint64_t rng_state;

static uint32_t rnd(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: other load on the machine does not count */
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Where the `tags` and `data` objects stand in a generated line. */
typedef struct spans {
    size_t tags_off, tags_len, data_off, data_len;
} spans;

/* One resource line of type index @t, number @i, into @b; the positions of
 * its tags and data objects into @sp. The random draws are made in a fixed
 * order, so every pass sees the same lines. */
static void gen_line(sbuf *b, spans *sp, unsigned t, unsigned long i)
{
    unsigned v[16];
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
        v[k] = rnd();
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
    sbuf_printf(b,
                "{\"uid\":\"bench:t%u:%lu\",\"type\":\"bench.t%u.thing\",\"provider\":\"bench\",\"account\":\"%u\","
                "\"region\":\"eu-west-%u\",\"name\":\"thing-%lu\",\"tags\":",
                t, i, t, 100000 + v[0] % 50, v[1] % 3 + 1, i);
    sp->tags_off = b->len;
    sbuf_printf(b, "{\"env\":\"%s\",\"team\":\"t%u\"}", v[2] % 3 ? "prod" : "dev", v[3] % 7);
    sp->tags_len = b->len - sp->tags_off;
    sbuf_puts(b, ",\"data\":");
    sp->data_off = b->len;
    sbuf_printf(b,
                "{\"size\":%u,\"encrypted\":%s,\"public\":%s,\"version\":\"v%u.%u\",\"port\":%u,"
                "\"owner\":{\"id\":\"u%u\",\"mfa\":%s},\"rules\":[{\"cidr\":\"%s\",\"port\":%u},"
                "{\"cidr\":\"10.0.0.0/8\",\"port\":443}],\"created\":\"2024-0%u-1%uT10:00:00Z\"}",
                v[4] % 1000, v[5] % 2 ? "true" : "false", v[6] % 5 ? "false" : "true", v[7] % 4, v[8] % 10,
                v[9] % 2 ? 22u : 8080u, v[10] % 100, v[11] % 2 ? "true" : "false",
                v[12] % 4 ? "10.1.0.0/16" : "0.0.0.0/0", v[13] % 2 ? 22u : 3389u, v[14] % 9 + 1, v[15] % 9);
    sp->data_len = b->len - sp->data_off;
    sbuf_puts(b, "}");
}

/* The 10 rule conditions of every type; a mix of the shapes real rules use. */
static const char *const conditions[RULES_PER_TYPE] = {
    "!resource.data.encrypted",
    "resource.data.public && resource.tags.env == 'prod'",
    "resource.data.size > 900",
    "resource.data.rules.exists(r, r.cidr == '0.0.0.0/0' && r.port == 22)",
    "resource.data.version.startsWith('v0.')",
    "has(resource.data.owner) && !resource.data.owner.mfa",
    "resource.data.port in [22, 3389, 23]",
    "timestamp(resource.data.created) < now - duration('8760h')",
    "resource.region.matches('^eu-west-[12]$') && resource.data.size % 7 == 0",
    "!has(resource.tags.owner)",
};

static char *write_rules(void)
{
    char tmpl[] = "/tmp/policy-bench.XXXXXX";
    char *dir = mkdtemp(tmpl);
    if (!dir)
        return NULL;
    dir = xstrdup(dir);
    for (unsigned t = 0; t < N_TYPES; t++) {
        sbuf path = {0}, js = {0};
        sbuf_printf(&path, "%s/bench%u.json", dir, t);
        sbuf_puts(&js, "{\"format\":1,\"rules\":[");
        for (unsigned k = 0; k < RULES_PER_TYPE; k++) {
            sbuf_printf(&js,
                        "%s{\"id\":\"bench-t%u-r%u\",\"title\":\"Bench rule %u of type %u\",\"description\":\"d\","
                        "\"resource_type\":\"bench.t%u.thing\",\"severity\":\"medium\",%s"
                        "\"violation\":\"%s\",\"message\":\"{{resource.name}} fails rule %u\","
                        "\"evidence\":{\"size\":\"resource.data.size\"},\"remediation\":{\"text\":\"fix it\"},"
                        "\"examples\":{\"fail\":[{}],\"pass\":[{}]}}",
                        k ? "," : "", t, k, k, t, t, k % 2 ? "\"applies\":\"has(resource.data.size)\"," : "",
                        conditions[k], k);
        }
        sbuf_puts(&js, "]}");
        FILE *f = fopen(path.data, "w");
        if (!f || fputs(js.data, f) < 0 || fclose(f) != 0) {
            fprintf(stderr, "cannot write %s\n", path.data);
            exit(2);
        }
        sbuf_free(&path);
        sbuf_free(&js);
    }
    return dir;
}

typedef struct counts {
    unsigned long findings, fails, errors;
} counts;

static void sink(void *ud, rec *f)
{
    counts *c = ud;
    c->findings++;
    if (f->u.finding.status == PP_STATUS_FAIL)
        c->fails++;
    else if (f->u.finding.status == PP_STATUS_ERROR)
        c->errors++;
    rec_free(f);
}

static const char *str_of(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A malloc'd copy of @n bytes at @p, NUL-terminated. */
static char *copy_span(const char *p, size_t n)
{
    char *s = xmalloc(n + 1);
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

/* Build the resource record of line @line (parsed as @j) into *out; the
 * tags and data texts are the line's own (@sp), or printed back from @j
 * with @reprint. 0, or -1 with @err. */
static int make_record(const sbuf *line, const spans *sp, const cJSON *j, int reprint, rec **out, char *err,
                       size_t errlen)
{
    char *tags, *data;
    if (reprint) {
        tags = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(j, "tags"));
        data = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(j, "data"));
    } else {
        tags = copy_span(line->data + sp->tags_off, sp->tags_len);
        data = copy_span(line->data + sp->data_off, sp->data_len);
    }
    pp_resource r;
    PP_INIT(&r);
    r.uid = str_of(j, "uid");
    r.type = str_of(j, "type");
    r.provider = str_of(j, "provider");
    r.account = str_of(j, "account");
    r.region = str_of(j, "region");
    r.name = str_of(j, "name");
    r.tags_json = tags;
    r.data_json = data;
    *out = rec_copy(REC_RESOURCE, &r, "bench", err, errlen);
    if (reprint) {
        cJSON_free(tags);
        cJSON_free(data);
    } else {
        free(tags);
        free(data);
    }
    return *out ? 0 : -1;
}

int main(int argc, char **argv)
{
    int reprint = argc > 1 && !strcmp(argv[1], "--reprint");
    if (reprint) {
        argc--;
        argv++;
    }
    unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000UL;
    char *dir = write_rules();
    if (!dir) {
        perror("mkdtemp");
        return 2;
    }
    const char *dirs[] = {dir};
    policy_load_opts o;
    memset(&o, 0, sizeof o);
    o.rule_dirs = dirs;
    o.n_rule_dirs = 1;
    char err[1000];
    policy_engine *pe = policy_engine_load(&o, err, sizeof err);
    if (!pe) {
        fprintf(stderr, "load: %s\n", err);
        return 2;
    }
    int64_t scan_now = (int64_t)time(NULL);
    sbuf line = {0};
    spans sp;
    size_t bytes = 0;

    /* gen */
    rng_state = 42;
    double t0 = now_s();
    for (unsigned long i = 0; i < n; i++) {
        gen_line(&line, &sp, (unsigned)(i % N_TYPES), i);
        bytes += line.len;
    }
    double t_gen = now_s() - t0;

    /* parse */
    rng_state = 42;
    t0 = now_s();
    for (unsigned long i = 0; i < n; i++) {
        gen_line(&line, &sp, (unsigned)(i % N_TYPES), i);
        cJSON *j = cJSON_Parse(line.data);
        if (!j)
            return 2;
        cJSON_Delete(j);
    }
    double t_parse = now_s() - t0;

    /* record */
    rng_state = 42;
    t0 = now_s();
    for (unsigned long i = 0; i < n; i++) {
        gen_line(&line, &sp, (unsigned)(i % N_TYPES), i);
        cJSON *j = cJSON_Parse(line.data);
        rec *x = NULL;
        if (!j || make_record(&line, &sp, j, reprint, &x, err, sizeof err) != 0) {
            fprintf(stderr, "record: %s\n", j ? err : "bad line");
            return 2;
        }
        cJSON_Delete(j);
        rec_free(x);
    }
    double t_record = now_s() - t0;

    /* full */
    rng_state = 42;
    counts c = {0};
    long rss_early = 0;
    t0 = now_s();
    for (unsigned long i = 0; i < n; i++) {
        gen_line(&line, &sp, (unsigned)(i % N_TYPES), i);
        cJSON *j = cJSON_Parse(line.data);
        rec *x = NULL;
        if (!j || make_record(&line, &sp, j, reprint, &x, err, sizeof err) != 0) {
            fprintf(stderr, "record: %s\n", j ? err : "bad line");
            return 2;
        }
        cJSON_Delete(j);
        policy_engine_evaluate(pe, x, scan_now, sink, &c);
        rec_free(x);
        if (i == n / 10)
            rss_early = rss_kb();
    }
    double t_full = now_s() - t0;

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double parse_net = t_parse - t_gen, full_net = t_full - t_gen;
    printf("policy_bench: %lu resources (%.1f MB of JSON), %zu rules over %d types, %lu rule evaluations\n", n,
           (double)bytes / 1e6, policy_engine_rule_count(pe), N_TYPES, c.findings);
    printf("  findings: %lu (%lu fail, %lu error)\n", c.findings, c.fails, c.errors);
    printf("  generate only : %7.2f s\n", t_gen);
    printf("  parse-only    : %7.2f s  %10.0f resources/s (net of generation: %.2f s)\n", t_parse, n / t_parse,
           parse_net);
    printf("  full          : %7.2f s  %10.0f resources/s  %10.0f rule evaluations/s (net: %.2f s)\n", t_full,
           n / t_full, (double)c.findings / t_full, full_net);
    printf("  record        : %7.2f s  (parse + build the record; data and tags %s)\n", t_record,
           reprint ? "printed back by cJSON" : "as they stand in the line");
    printf("  engine        : %7.2f s  %10.0f resources/s (full - record)\n", t_full - t_record,
           t_full > t_record ? n / (t_full - t_record) : 0.0);
    printf("  full / parse-only: %.2fx (net of generation: %.2fx)\n", t_full / t_parse,
           parse_net > 0 ? full_net / parse_net : 0.0);
    printf("  RSS: %ld kB after 10%% of the resources, %ld kB at the end; peak %ld kB\n", rss_early, rss_kb(),
           ru.ru_maxrss);
    policy_engine_free(pe);
    sbuf_free(&line);
    for (unsigned t = 0; t < N_TYPES; t++) {
        sbuf p = {0};
        sbuf_printf(&p, "%s/bench%u.json", dir, t);
        unlink(p.data);
        sbuf_free(&p);
    }
    rmdir(dir);
    free(dir);
    return 0;
}
