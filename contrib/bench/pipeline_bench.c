/*
 * contrib/bench/pipeline_bench.c - how fast and how lean the scan pipeline
 * is, against a baseline measured in the same run.
 *
 *   pipeline_bench PARAPET PLUGIN_DIR [N]
 *
 * 1. Generates N (default 1,000,000) resources of mixed types as JSON Lines.
 * 2. Baseline: reads the file and parses every line with cJSON, nothing else.
 * 3. Pipeline: `parapet scan snapshot FILE` into a fresh SQLite store with
 *    the jsonl output writing every resource; wall time and the peak RSS of
 *    the largest process (the core or a worker).
 * 4. Plugin loading: `parapet plugin list` with 50 plugins in the directory,
 *    beside the same command with an empty directory.
 * Prints resources/s, the ratio to the baseline and peak RSS, and the CPU
 * time of both sides (steadier than wall time on a busy machine; the scan's
 * CPU time adds up all its threads and processes).
 */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* User plus system CPU time of @ru, in seconds. */
static double cpu_s(const struct rusage *ru)
{
    return (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 + (double)ru->ru_stime.tv_sec +
           (double)ru->ru_stime.tv_usec / 1e6;
}

static const char *const types[][2] = {
    {"aws", "aws.s3.bucket"},          {"aws", "aws.ec2.security_group"}, {"aws", "aws.iam.role"},
    {"azure", "azure.storage.account"}, {"gcp", "gcp.compute.firewall"},   {"k8s", "k8s.pod"},
};

static int generate(const char *path, long n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    for (long i = 0; i < n; i++) {
        const char *const *t = types[i % 6];
        fprintf(f,
                "{\"uid\":\"%s:%s:%08ld\",\"type\":\"%s\",\"provider\":\"%s\",\"account\":\"%012ld\","
                "\"region\":\"eu-west-%ld\",\"name\":\"res-%ld\",\"tags\":{\"env\":\"%s\",\"team\":\"t%ld\"},"
                "\"data\":{\"encrypted\":%s,\"public\":%s,\"versioning\":{\"status\":\"Enabled\"},"
                "\"ingress\":[{\"from_port\":22,\"to_port\":22,\"cidr\":\"0.0.0.0/0\"},"
                "{\"from_port\":443,\"to_port\":443,\"cidr\":\"10.%ld.0.0/16\"}],"
                "\"created\":\"2026-01-%02ldT10:00:00Z\",\"description\":\"generated resource number %ld\"}}\n",
                t[0], t[1], i, t[1], t[0], 100000000000L + i % 50, i % 3 + 1, i, i % 2 ? "prod" : "dev", i % 17,
                i % 3 ? "true" : "false", i % 5 ? "false" : "true", i % 250, i % 28 + 1, i);
    }
    return fclose(f);
}

static long parse_only(const char *path, double *secs)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long n = 0;
    double t0 = now_s();
    while ((len = getline(&line, &cap, f)) > 0) {
        cJSON *j = cJSON_ParseWithLength(line, (size_t)len);
        if (j)
            n++;
        cJSON_Delete(j);
    }
    *secs = now_s() - t0;
    free(line);
    fclose(f);
    return n;
}

/* Run argv, quietly; return its exit status; *secs its wall time. */
static int run(char *const argv[], double *secs)
{
    double t0 = now_s();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
            _exit(127);
        execv(argv[0], argv);
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    *secs = now_s() - t0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s PARAPET PLUGIN_DIR [N]\n", argv[0]);
        return 2;
    }
    const char *parapet = argv[1], *plugins = argv[2];
    long n = argc > 3 ? atol(argv[3]) : 1000000;
    char dir[] = "/tmp/parapet-bench-XXXXXX";
    if (!mkdtemp(dir))
        return 2;
    char file[256], db[256], out[256], empty[256], fifty[256];
    snprintf(file, sizeof file, "%s/estate.jsonl", dir);
    snprintf(db, sizeof db, "%s/bench.db", dir);
    snprintf(out, sizeof out, "jsonl:%s/out.jsonl", dir);
    snprintf(empty, sizeof empty, "%s/empty", dir);
    snprintf(fifty, sizeof fifty, "%s/fifty", dir);

    printf("generating %ld resources...\n", n);
    if (generate(file, n) != 0)
        return 2;
    struct stat st;
    stat(file, &st);
    printf("input: %.1f MB\n\n", (double)st.st_size / 1e6);

    double base_s = 1;
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    long parsed = parse_only(file, &base_s);
    getrusage(RUSAGE_SELF, &ru1);
    double base_cpu = cpu_s(&ru1) - cpu_s(&ru0);
    printf("%-44s %8.2f s %12.0f resources/s  (CPU %.2f s)\n", "baseline: read + cJSON parse only", base_s,
           parsed / base_s, base_cpu);

    char *scan[] = {(char *)parapet, "--plugin-dir", (char *)plugins, "--db", db, "-q", "scan", "snapshot",
                    file, "--no-default-rules", "--output", out, "-o", "jsonl.resources=true", NULL};
    double scan_s;
    int rc = run(scan, &scan_s);
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    printf("%-44s %8.2f s %12.0f resources/s  (exit %d; CPU %.2f s, all threads)\n",
           "pipeline: snapshot -> store -> jsonl", scan_s, n / scan_s, rc, cpu_s(&ru));
    printf("%-44s %8.2f x  (CPU time: %.2f x)\n", "pipeline / baseline time", scan_s / base_s,
           cpu_s(&ru) / base_cpu);
    printf("%-44s %8.1f MB\n", "peak RSS (largest process)", (double)ru.ru_maxrss / 1024.0);

    /* plugin loading: 50 copies of the plugins, beside an empty dir */
    mkdir(empty, 0700);
    mkdir(fifty, 0700);
    for (int i = 0; i < 50; i++) {
        char src[512], dst[512], cmd[1200];
        snprintf(src, sizeof src, "%s/%s", plugins, i % 2 ? "jsonl.so" : "snapshot.so");
        snprintf(dst, sizeof dst, "%s/p%02d.so", fifty, i);
        snprintf(cmd, sizeof cmd, "cp -L '%s' '%s'", src, dst);
        if (system(cmd) != 0)
            return 2;
    }
    char *l0[] = {(char *)parapet, "--plugin-dir", empty, "plugin", "list", NULL};
    char *l50[] = {(char *)parapet, "--plugin-dir", fifty, "plugin", "list", NULL};
    double t0 = 0, t50 = 0, s;
    for (int i = 0; i < 5; i++) {
        run(l0, &s);
        t0 += s / 5;
        run(l50, &s);
        t50 += s / 5;
    }
    printf("%-44s %8.1f ms\n", "plugin list, no plugins (baseline)", t0 * 1000);
    printf("%-44s %8.1f ms  (%.2f ms per plugin)\n", "plugin list, 50 plugins", t50 * 1000,
           (t50 - t0) * 1000 / 50);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
