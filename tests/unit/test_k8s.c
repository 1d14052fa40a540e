/*
 * tests/unit/test_k8s.c - the kubernetes provider's parts without a
 * server: kubeconfig parsing and merging (and hostile kubeconfigs), base64,
 * RFC 3339 times, ExecCredential parsing, the exec runner (environment,
 * timeout, output cap, failures), token files re-read when they change,
 * and the normalisation of API objects into k8s.* shapes.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kube.h"
#include "../support/test_check.h"

static char g_dir[256];

/* ---- a minimal host: logging to nowhere, never cancelled ---- */
static void fake_log(pp_host *h, pp_log_level l, const char *m)
{
    (void)h;
    (void)l;
    (void)m;
}
static int fake_cancelled(pp_host *h)
{
    (void)h;
    return 0;
}
static pp_host_api g_api;
static kube_ctx g_ctx;

static void write_file(const char *name, const char *text, int mode)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", g_dir, name);
    FILE *f = fopen(p, "w");
    if (!f) {
        perror(p);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
    chmod(p, (mode_t)mode);
}

static const char *path_of(const char *name)
{
    static char p[4][512];
    static int i;
    i = (i + 1) % 4;
    snprintf(p[i], sizeof p[i], "%s/%s", g_dir, name);
    return p[i];
}

static const char *B64_CERT = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=";
static const char *B64_KEY = "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUUKLS0tLS1FTkQgUFJJVkFURSBLRVktLS0tLQo=";

static void test_base64(void)
{
    size_t n = 0;
    unsigned char *d = kube_b64_decode("aGVsbG8gd29ybGQ=", &n);
    CHECK(d && n == 11 && !memcmp(d, "hello world", 11), "decode");
    free(d);
    d = kube_b64_decode("aGVs\nbG8=\n", &n);
    CHECK(d && n == 5 && !memcmp(d, "hello", 5), "newlines are ignored");
    free(d);
    CHECK(kube_b64_decode("aGVs*G8=", &n) == NULL, "a stray byte is refused");
    CHECK(kube_b64_decode("aGVsbG8=aGVs", &n) == NULL, "data after padding is refused");
    CHECK(kube_b64_decode("", &n) == NULL, "empty is refused");
    CHECK(kube_b64_decode("a", &n) == NULL, "a lone sextet is refused");
}

static void test_rfc3339(void)
{
    CHECK(kube_parse_rfc3339("2026-11-29T01:02:03Z") == 1795914123, "UTC");
    CHECK(kube_parse_rfc3339("2026-11-29T01:02:03.123456Z") == 1795914123, "fraction");
    CHECK(kube_parse_rfc3339("2026-11-29T02:02:03+01:00") == 1795914123, "offset");
    CHECK(kube_parse_rfc3339("1999-12-31T23:59:59Z") == 946684799, "1999");
    CHECK(kube_parse_rfc3339("2026-11-29 01:02:03Z") == -1, "space");
    CHECK(kube_parse_rfc3339("2026-13-29T01:02:03Z") == -1, "month 13");
    CHECK(kube_parse_rfc3339("2026-11-29T01:02:03") == -1, "no zone");
    CHECK(kube_parse_rfc3339("2026-11-29T01:02:03Zjunk") == -1, "trailing junk");
    CHECK(kube_parse_rfc3339(NULL) == -1, "NULL");
}

static kube_conn *load(const char *file, const char *context, int allow, char *err, size_t n)
{
    err[0] = '\0';
    return kube_conn_from_kubeconfig(file ? path_of(file) : NULL, context, allow, err, n);
}

static void test_kubeconfig_cert_and_ca(void)
{
    char kc[2048], err[KUBE_ERR_LEN];
    snprintf(kc, sizeof kc,
             "apiVersion: v1\nkind: Config\ncurrent-context: prod\nclusters:\n- name: acme-prod\n  cluster:\n"
             "    server: https://192.0.2.10:6443/\n    certificate-authority-data: %s\nusers:\n- name: admin\n"
             "  user:\n    client-certificate-data: %s\n    client-key-data: %s\ncontexts:\n- name: prod\n"
             "  context: {cluster: acme-prod, user: admin}\n",
             B64_CERT, B64_CERT, B64_KEY);
    write_file("kc1.yaml", kc, 0600);
    kube_conn *k = load("kc1.yaml", NULL, 0, err, sizeof err);
    CHECK(k != NULL, "loads: %s", err);
    if (!k)
        return;
    CHECK(!strcmp(k->server, "https://192.0.2.10:6443"), "server without the trailing slash: %s", k->server);
    CHECK(!strcmp(k->cluster, "acme-prod") && !strcmp(k->context, "prod") && !strcmp(k->region, "prod"), "names");
    CHECK(k->cert_pem && strstr(k->cert_pem, "BEGIN CERTIFICATE") && k->key_pem &&
              strstr(k->key_pem, "BEGIN PRIVATE KEY"),
          "client certificate and key decoded");
    CHECK(k->ca_file && k->ca_file_temp, "the CA data is written to a file the host can read");
    char *ca = NULL;
    size_t n = 0;
    CHECK(k->ca_file && kube_read_file(k->ca_file, 4096, &ca, &n, err, sizeof err) == 0 &&
              strstr(ca, "BEGIN CERTIFICATE"),
          "the CA file holds the PEM");
    free(ca);
    char ca_path[512];
    snprintf(ca_path, sizeof ca_path, "%s", k->ca_file ? k->ca_file : "");
    kube_conn_free(k);
    struct stat st;
    CHECK(stat(ca_path, &st) != 0, "the temporary CA file is removed with the connection");
}

static void test_kubeconfig_merge(void)
{
    char err[KUBE_ERR_LEN];
    write_file(
        "m1.yaml",
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c1\n  cluster: {server: 'https://one.example:443'}\n"
        "users:\n- name: u1\n  user: {tokenFile: tok}\ncontexts:\n- name: a\n  context: {cluster: c1, user: u1}\n",
        0600);
    write_file("m2.yaml",
               "apiVersion: v1\nkind: Config\ncurrent-context: a\nclusters:\n- name: c1\n  cluster: {server: "
               "'https://two.example:443'}\n- name: c2\n  cluster: {server: 'https://three.example'}\n"
               "users:\n- name: u2\n  user: {token: abc}\ncontexts:\n- name: a\n  context: {cluster: c2, user: u2}\n"
               "- name: b\n  context: {cluster: c2, user: u2}\n",
               0600);
    write_file("tok", "token-from-file\n", 0600);
    char env[1200];
    snprintf(env, sizeof env, "%s:%s/missing.yaml:%s", path_of("m1.yaml"), g_dir, path_of("m2.yaml"));
    setenv("KUBECONFIG", env, 1);
    kube_conn *k = load(NULL, NULL, 0, err, sizeof err);
    CHECK(k != NULL, "merged: %s", err);
    if (k) {
        CHECK(!strcmp(k->context, "a"), "current-context from the second file");
        CHECK(!strcmp(k->server, "https://one.example:443"), "context a and cluster c1 from the first file: %s",
              k->server);
        CHECK(k->token_file && !strcmp(k->token_file->path, path_of("tok")), "tokenFile is relative to its kubeconfig");
        kube_cred cr;
        CHECK(kube_cred_get(&g_ctx, k, 0, &cr, err, sizeof err) == 0 && cr.token &&
                  !strcmp(cr.token, "token-from-file"),
              "the token file is read: %s", err);
        kube_cred_release(&cr);
        sleep(1); /* a different mtime */
        write_file("tok", "rotated-token-longer\n", 0600);
        CHECK(kube_cred_get(&g_ctx, k, 0, &cr, err, sizeof err) == 0 && cr.token &&
                  !strcmp(cr.token, "rotated-token-longer"),
              "a changed token file is read again");
        kube_cred_release(&cr);
        kube_conn_free(k);
    }
    k = load(NULL, "b", 0, err, sizeof err);
    CHECK(k && !strcmp(k->server, "https://three.example") && k->token && !strcmp(k->token, "abc"),
          "context b from the second file");
    kube_conn_free(k);
    snprintf(env, sizeof env, "%s/nope1:%s/nope2", g_dir, g_dir);
    setenv("KUBECONFIG", env, 1);
    k = load(NULL, NULL, 0, err, sizeof err);
    CHECK(!k && strstr(err, "none of the files in KUBECONFIG"), "no file of KUBECONFIG exists: %s", err);
    unsetenv("KUBECONFIG");
}

/* A kubeconfig that must be refused, and words the error must contain. */
static void refused(const char *name, const char *text, const char *context, int allow, const char *want1,
                    const char *want2)
{
    char err[KUBE_ERR_LEN];
    write_file(name, text, 0600);
    kube_conn *k = load(name, context, allow, err, sizeof err);
    CHECK(k == NULL, "%s is refused", name);
    CHECK(strstr(err, want1) && (!want2 || strstr(err, want2)), "%s: error names '%s' and '%s': %s", name, want1,
          want2 ? want2 : "", err);
    CHECK(!strstr(err, "s3cr3t"), "%s: the error does not quote a secret: %s", name, err);
    kube_conn_free(k);
}

#define KC_HEAD                                                                                                        \
    "apiVersion: v1\nkind: Config\ncurrent-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n"

static void test_kubeconfig_hostile(void)
{
    char err[KUBE_ERR_LEN];
    kube_conn *k = kube_conn_from_kubeconfig("/nonexistent/kubeconfig", NULL, 0, err, sizeof err);
    CHECK(!k && strstr(err, "/nonexistent/kubeconfig") && strstr(err, "No such file"), "missing file: %s", err);
    refused("bad.yaml", "apiVersion: v1\nclusters: [\n  - name: c\n", NULL, 0, "bad.yaml:", NULL);
    refused("dup.yaml", KC_HEAD "clusters:\n- name: c\n  cluster:\n    server: https://a\n    server: https://b\n",
            NULL, 0, "dup.yaml:", "duplicate key 'server'");
    refused("noctx.yaml", KC_HEAD "clusters: []\n", "prod", 0, "context \"prod\" is not in", "noctx.yaml");
    refused("nocur.yaml", "apiVersion: v1\nclusters: []\n", NULL, 0, "no current-context", "kubernetes.context");
    refused("list.yaml", "- a\n- b\n", NULL, 0, "list.yaml", "mapping");
    refused("nocl.yaml", KC_HEAD "clusters: []\nusers: []\n", NULL, 0, "cluster \"c\" is not in", NULL);
    refused("http.yaml", KC_HEAD "clusters:\n- name: c\n  cluster: {server: 'http://192.0.2.1'}\n", NULL, 0,
            "clusters[0] (\"c\").cluster.server", "https://");
    refused("insecure.yaml",
            KC_HEAD "clusters:\n- name: c\n  cluster: {server: 'https://192.0.2.1', insecure-skip-tls-verify: true}\n"
                    "users:\n- name: u\n  user: {token: s3cr3t}\n",
            NULL, 0, "insecure-skip-tls-verify", "allow_insecure_skip_tls_verify");
    write_file("insecure2.yaml",
               KC_HEAD "clusters:\n- name: c\n  cluster: {server: 'https://192.0.2.1', insecure-skip-tls-verify: "
                       "true}\nusers:\n- name: u\n  user: {token: s3cr3t}\n",
               0600);
    k = load("insecure2.yaml", NULL, 1, err, sizeof err);
    CHECK(k && k->insecure, "insecure-skip-tls-verify is accepted when the user allows it: %s", err);
    kube_conn_free(k);
    refused("b64.yaml",
            KC_HEAD "clusters:\n- name: c\n  cluster: {server: 'https://192.0.2.1'}\nusers:\n- name: u\n"
                    "  user: {client-certificate-data: 'not*base64', client-key-data: 'czNjcjN0'}\n",
            NULL, 0, "users[0] (\"u\").user.client-certificate-data", "base64");
    refused("nokey.yaml",
            KC_HEAD "clusters:\n- name: c\n  cluster: {server: 'https://192.0.2.1'}\nusers:\n- name: u\n"
                    "  user: {client-certificate-data: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIK'}\n",
            NULL, 0, "client certificate without a client key", NULL);
    refused("authp.yaml",
            KC_HEAD "clusters:\n- name: c\n  cluster: {server: 'https://192.0.2.1'}\nusers:\n- name: u\n"
                    "  user: {auth-provider: {name: gcp}}\n",
            NULL, 0, "auth-provider", "not supported");
    refused("exec1.yaml",
            KC_HEAD "clusters:\n- name: c\n  cluster: {server: 'https://192.0.2.1'}\nusers:\n- name: u\n"
                    "  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: x}\n",
            NULL, 0, "exec.apiVersion", NULL);
    refused("exec2.yaml",
            KC_HEAD "clusters:\n- name: c\n  cluster: {server: 'https://192.0.2.1'}\nusers:\n- name: u\n"
                    "  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1, command: x, "
                    "interactiveMode: Always}\n",
            NULL, 0, "interactiveMode", "terminal");
    refused("exec3.yaml",
            KC_HEAD
            "clusters:\n- name: c\n  cluster: {server: 'https://192.0.2.1'}\nusers:\n- name: u\n"
            "  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1, command: x, args: [ok, {a: b}]}\n",
            NULL, 0, "exec.args[1]", NULL);
    refused("laughs.yaml",
            "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
            "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
            NULL, 0, "laughs.yaml", "nodes");
    /* a FIFO is refused at once, not waited on */
    char fifo[512];
    snprintf(fifo, sizeof fifo, "%s/fifo.yaml", g_dir);
    if (mkfifo(fifo, 0600) == 0) {
        k = kube_conn_from_kubeconfig(fifo, NULL, 0, err, sizeof err);
        CHECK(!k && strstr(err, "not a regular file"), "a FIFO kubeconfig: %s", err);
        kube_conn_free(k);
    }
    /* larger than the cap */
    char p[512];
    snprintf(p, sizeof p, "%s/huge.yaml", g_dir);
    FILE *f = fopen(p, "w");
    for (int i = 0; f && i < 5 * 1024 * 64; i++)
        fputs("# padding padding padding padding padding padding padding\n", f);
    if (f)
        fclose(f);
    k = load("huge.yaml", NULL, 0, err, sizeof err);
    CHECK(!k && strstr(err, "huge.yaml") && strstr(err, "4194304"), "a huge kubeconfig is refused: %s", err);
    kube_conn_free(k);
}

static void test_kubeconfig_exec_spec(void)
{
    char err[KUBE_ERR_LEN];
    write_file("exec.yaml",
               KC_HEAD "clusters:\n- name: c\n  cluster: {server: 'https://192.0.2.1'}\nusers:\n- name: u\n  user:\n"
                       "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: ./bin/cred\n"
                       "      args: [get-token, --cluster, c]\n      env:\n      - {name: CRED_MODE, value: test}\n"
                       "      provideClusterInfo: true\n",
               0600);
    kube_conn *k = load("exec.yaml", NULL, 0, err, sizeof err);
    CHECK(k && k->exec, "exec spec: %s", err);
    if (k && k->exec) {
        char want[600];
        snprintf(want, sizeof want, "%s/./bin/cred", g_dir);
        CHECK(!strcmp(k->exec->command, want), "a relative command is relative to the kubeconfig: %s",
              k->exec->command);
        CHECK(k->exec->n_args == 3 && !strcmp(k->exec->args[2], "c"), "args");
        CHECK(k->exec->n_env == 1 && !strcmp(k->exec->env[0], "CRED_MODE=test"), "env");
        CHECK(k->exec->provide_cluster_info, "provideClusterInfo");
    }
    kube_conn_free(k);
}

static void test_exec_parse(void)
{
    kube_exec_cred e;
    char err[300];
    const char *v1 = "client.authentication.k8s.io/v1";
    const char *ok = "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
                     "\"status\":{\"token\":\"tok-1\",\"expirationTimestamp\":\"2099-01-01T00:00:00Z\"}}";
    CHECK(kube_exec_parse(ok, strlen(ok), v1, &e, err, sizeof err) == 0 && e.token && !strcmp(e.token, "tok-1") &&
              e.expires_at == kube_parse_rfc3339("2099-01-01T00:00:00Z"),
          "token with expiry: %s", err);
    kube_exec_cred_clear(&e);
    const char *cert = "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
                       "\"status\":{\"clientCertificateData\":\"-----BEGIN CERTIFICATE-----\\n\","
                       "\"clientKeyData\":\"-----BEGIN PRIVATE KEY-----\\n\"}}";
    CHECK(kube_exec_parse(cert, strlen(cert), v1, &e, err, sizeof err) == 0 && e.cert_pem && e.key_pem && !e.token &&
              e.expires_at == 0,
          "client certificate without expiry: %s", err);
    kube_exec_cred_clear(&e);
    static const struct {
        const char *json, *want;
    } bad[] = {
        {"not json", "not JSON"},
        {"{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":"
         "\"t\"}}",
         "apiVersion"},
        {"{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"Other\",\"status\":{\"token\":\"t\"}}",
         "kind"},
        {"{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\"}", "no status"},
        {"{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{}}", "neither"},
        {"{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":"
         "\"t\",\"expirationTimestamp\":\"tomorrow\"}}",
         "RFC 3339"},
        {"{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":"
         "\"t\",\"expirationTimestamp\":\"2001-01-01T00:00:00Z\"}}",
         "expired"},
        {"{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{"
         "\"clientCertificateData\":\"c\"}}",
         "without its key"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = kube_exec_parse(bad[i].json, strlen(bad[i].json), v1, &e, err, sizeof err);
        CHECK(rc == -1 && strstr(err, bad[i].want), "bad credential %zu refused with '%s': %s", i, bad[i].want, err);
        CHECK(!e.token && !e.cert_pem, "nothing kept from a refused credential");
    }
}

static kube_exec_spec *spec_for(const char *script)
{
    kube_exec_spec *s = calloc(1, sizeof *s);
    s->api_version = strdup("client.authentication.k8s.io/v1");
    s->command = strdup(path_of(script));
    s->args = calloc(2, sizeof *s->args);
    s->args[0] = strdup("--flag");
    s->n_args = 1;
    s->env = calloc(2, sizeof *s->env);
    s->env[0] = strdup("K8S_TEST_VAR=from-kubeconfig");
    s->n_env = 1;
    s->provide_cluster_info = 1;
    return s;
}

static void test_exec_run(void)
{
    char err[KUBE_ERR_LEN], script[2048];
    kube_conn k;
    memset(&k, 0, sizeof k);
    k.server = "https://192.0.2.7:6443";
    write_file("exec-ca.pem", "-----BEGIN CERTIFICATE-----\nAB\n", 0600);
    char ca_path[512];
    snprintf(ca_path, sizeof ca_path, "%s", path_of("exec-ca.pem"));
    k.ca_file = ca_path;
    snprintf(script, sizeof script,
             "#!/bin/sh\nprintf '%%s\\n' \"$1\" \"$K8S_TEST_VAR\" \"$KUBERNETES_EXEC_INFO\" > %s/exec.seen\n"
             "cat <<'J'\n{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
             "\"status\":{\"token\":\"exec-tok\"}}\nJ\n",
             g_dir);
    write_file("cred-ok.sh", script, 0700);
    kube_exec_spec *s = spec_for("cred-ok.sh");
    kube_exec_cred e;
    int rc = kube_exec_run(&g_ctx, &k, s, 5, &e, err, sizeof err);
    CHECK(rc == 0 && e.token && !strcmp(e.token, "exec-tok"), "the plugin's token: %s", err);
    kube_exec_cred_clear(&e);
    char *seen = NULL;
    size_t n = 0;
    CHECK(kube_read_file(path_of("exec.seen"), 65536, &seen, &n, err, sizeof err) == 0, "the plugin ran");
    CHECK(seen && strstr(seen, "--flag\nfrom-kubeconfig\n"), "args and env reach the plugin: %s", seen ? seen : "");
    CHECK(seen && strstr(seen, "\"kind\":\"ExecCredential\"") && strstr(seen, "\"interactive\":false") &&
              strstr(seen, "\"server\":\"https://192.0.2.7:6443\"") &&
              strstr(seen, "\"certificate-authority-data\":\"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCkFCCg==\""),
          "KUBERNETES_EXEC_INFO describes the request and the cluster: %s", seen ? seen : "");
    free(seen);
    kube_exec_spec_free(s);

    write_file("cred-slow.sh", "#!/bin/sh\nsleep 30\n", 0700);
    s = spec_for("cred-slow.sh");
    uint64_t t0 = test_now_ms();
    rc = kube_exec_run(&g_ctx, &k, s, 1, &e, err, sizeof err);
    uint64_t took = test_now_ms() - t0;
    CHECK(rc == -1 && strstr(err, "did not finish within 1 s"), "timeout: %s", err);
    CHECK(took < 4000, "the slow plugin is killed promptly (%llu ms)", (unsigned long long)took);
    kube_exec_spec_free(s);

    write_file("cred-big.sh", "#!/bin/sh\nhead -c 3000000 /dev/zero | tr '\\0' 'x'\n", 0700);
    s = spec_for("cred-big.sh");
    rc = kube_exec_run(&g_ctx, &k, s, 10, &e, err, sizeof err);
    CHECK(rc == -1 && strstr(err, "more than 1048576 bytes"), "output cap: %s", err);
    kube_exec_spec_free(s);

    write_file("cred-fail.sh", "#!/bin/sh\necho 's3cr3t-in-stderr' >&2\necho s3cr3t-out\nexit 3\n", 0700);
    s = spec_for("cred-fail.sh");
    rc = kube_exec_run(&g_ctx, &k, s, 10, &e, err, sizeof err);
    CHECK(rc == -1 && strstr(err, "exit status 3") && !strstr(err, "s3cr3t"),
          "a failing plugin: its status, never its output: %s", err);
    kube_exec_spec_free(s);

    write_file("cred-junk.sh", "#!/bin/sh\necho '{\"token\":\"s3cr3t\"'\n", 0700);
    s = spec_for("cred-junk.sh");
    rc = kube_exec_run(&g_ctx, &k, s, 10, &e, err, sizeof err);
    CHECK(rc == -1 && strstr(err, "not JSON") && !strstr(err, "s3cr3t"), "junk output: %s", err);
    kube_exec_spec_free(s);

    s = spec_for("does-not-exist.sh");
    rc = kube_exec_run(&g_ctx, &k, s, 10, &e, err, sizeof err);
    CHECK(rc == -1 && strstr(err, "could not be run"), "missing command: %s", err);
    kube_exec_spec_free(s);
}

static const kube_kind *kind(const char *resource)
{
    for (const kube_kind *k = kube_kinds; k->resource; k++)
        if (!strcmp(k->resource, resource))
            return k;
    return NULL;
}

static cJSON *norm(const char *resource, const char *json, const char **type, int *rc)
{
    cJSON *item = cJSON_Parse(json), *data = NULL;
    *rc = kube_normalise(kind(resource), item, type, &data);
    cJSON_Delete(item);
    return data;
}

static void test_normalise(void)
{
    const char *type;
    int rc;
    cJSON *d = norm("deployments",
                    "{\"metadata\":{\"name\":\"web\",\"namespace\":\"shop\",\"uid\":\"u1\",\"annotations\":{\"a\":"
                    "\"s3cr3t\"},\"managedFields\":[{}]},\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":"
                    "\"c\",\"env\":[{\"name\":\"P\",\"value\":\"s3cr3t\"}],\"envFrom\":[{}]}]}}},\"status\":{"
                    "\"replicas\":1}}",
                    &type, &rc);
    char *s = d ? cJSON_PrintUnformatted(d) : NULL;
    CHECK(rc == 1 && !strcmp(type, "k8s.deployment"), "a Deployment keeps its type");
    CHECK(s && !strstr(s, "s3cr3t") && !strstr(s, "managedFields") && !strstr(s, "envFrom"),
          "annotations, managedFields, env, envFrom dropped: %s", s ? s : "");
    CHECK(s && !strncmp(s, "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",", 44), "apiVersion and kind first: %s",
          s ? s : "");
    CHECK(s && strstr(s, "\"status\":{\"replicas\":1}"), "status kept for live objects");
    free(s);
    cJSON_Delete(d);

    d = norm("statefulsets",
             "{\"metadata\":{\"name\":\"db\",\"namespace\":\"ops\",\"uid\":\"u2\",\"labels\":{\"x\":\"y\"}},\"spec\":{"
             "\"template\":{\"metadata\":{\"labels\":{\"app\":\"db\"},\"annotations\":{\"n\":\"v\"}},\"spec\":{"
             "\"hostPID\":true,\"containers\":[{\"name\":\"c\",\"env\":[]}]}}}}",
             &type, &rc);
    s = d ? cJSON_PrintUnformatted(d) : NULL;
    CHECK(rc == 1 && !strcmp(type, "k8s.pod"), "a StatefulSet becomes a pod");
    CHECK(s && !strcmp(s, "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"db\",\"namespace\":\"ops\","
                          "\"labels\":{\"app\":\"db\"},\"ownerReferences\":[{\"kind\":\"StatefulSet\",\"name\":\"db\","
                          "\"controller\":true,\"uid\":\"u2\"}]},\"spec\":{\"hostPID\":true,\"containers\":[{\"name\":"
                          "\"c\"}]}}"),
          "the pod it creates: %s", s ? s : "");
    free(s);
    cJSON_Delete(d);

    d = norm("cronjobs",
             "{\"metadata\":{\"name\":\"n\",\"namespace\":\"ops\"},\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{"
             "\"spec\":{\"containers\":[{\"name\":\"r\"}]}}}}}}",
             &type, &rc);
    CHECK(rc == 1 && !strcmp(type, "k8s.pod") && cJSON_GetObjectItem(d, "spec"), "a CronJob's pod template");
    cJSON_Delete(d);

    d = norm("replicasets",
             "{\"metadata\":{\"name\":\"web-1\",\"namespace\":\"shop\",\"ownerReferences\":[{\"kind\":\"Deployment\","
             "\"name\":\"web\",\"controller\":true}]},\"spec\":{\"template\":{\"spec\":{}}}}",
             &type, &rc);
    CHECK(rc == 0 && !d, "a ReplicaSet a Deployment owns is not emitted");
    d = norm("jobs", "{\"metadata\":{\"name\":\"j\",\"namespace\":\"shop\"},\"spec\":{\"template\":{\"spec\":{}}}}",
             &type, &rc);
    CHECK(rc == 1 && !strcmp(type, "k8s.pod"), "a Job of its own is a pod");
    cJSON_Delete(d);

    d = norm("secrets",
             "{\"metadata\":{\"name\":\"db\",\"namespace\":\"shop\",\"annotations\":{\"k\":\"s3cr3t\"}},\"type\":"
             "\"Opaque\",\"data\":{\"password\":\"czNjcjN0\"},\"stringData\":{\"p\":\"s3cr3t\"}}",
             &type, &rc);
    s = d ? cJSON_PrintUnformatted(d) : NULL;
    CHECK(rc == 1 && !strcmp(type, "k8s.secret") && s &&
              !strcmp(s, "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"db\",\"namespace\":"
                         "\"shop\"},\"type\":\"Opaque\"}"),
          "a Secret keeps its name and type only: %s", s ? s : "");
    free(s);
    cJSON_Delete(d);
    d = norm("configmaps",
             "{\"metadata\":{\"name\":\"cfg\",\"namespace\":\"shop\"},\"data\":{\"PASSWORD\":\"s3cr3t\"},"
             "\"binaryData\":{\"b\":\"czNjcjN0\"}}",
             &type, &rc);
    s = d ? cJSON_PrintUnformatted(d) : NULL;
    CHECK(rc == 1 && !strcmp(type, "k8s.configmap") && s && !strstr(s, "s3cr3t") && !strstr(s, "czNjcjN0") &&
              !strstr(s, "PASSWORD"),
          "a ConfigMap keeps its name only: %s", s ? s : "");
    free(s);
    cJSON_Delete(d);
    for (const kube_kind *k = kube_kinds; k->resource; k++) {
        d = norm(k->resource,
                 "{\"metadata\":{\"name\":\"x\",\"namespace\":\"y\"},\"spec\":{\"template\":{},"
                 "\"jobTemplate\":{\"spec\":{\"template\":{}}}}}",
                 &type, &rc);
        CHECK(rc == 1 && type && !strncmp(type, "k8s.", 4) && d, "%s is emitted", k->resource);
        cJSON_Delete(d);
    }
}

static void test_in_cluster(void)
{
    char err[KUBE_ERR_LEN], dir[400];
    snprintf(dir, sizeof dir, "%s/sa", g_dir);
    mkdir(dir, 0700);
    unsetenv("KUBERNETES_SERVICE_HOST");
    kube_conn *k = kube_conn_in_cluster(dir, err, sizeof err);
    CHECK(!k && strstr(err, "KUBERNETES_SERVICE_HOST"), "outside a pod: %s", err);
    setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
    setenv("KUBERNETES_SERVICE_PORT", "443", 1);
    k = kube_conn_in_cluster(dir, err, sizeof err);
    CHECK(!k && strstr(err, "token"), "without a mounted token: %s", err);
    write_file("sa/token", "sa-token\n", 0600);
    write_file("sa/ca.crt", "-----BEGIN CERTIFICATE-----\n", 0600);
    k = kube_conn_in_cluster(dir, err, sizeof err);
    CHECK(k && !strcmp(k->server, "https://[fd00::1]:443") && !strcmp(k->region, "fd00::1"), "an IPv6 service host: %s",
          k ? k->server : err);
    kube_conn_free(k);
    setenv("KUBERNETES_SERVICE_PORT", "443/evil", 1);
    k = kube_conn_in_cluster(dir, err, sizeof err);
    CHECK(!k && strstr(err, "malformed"), "a malformed port: %s", err);
    unsetenv("KUBERNETES_SERVICE_HOST");
    unsetenv("KUBERNETES_SERVICE_PORT");
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "%s/pp-test-k8s.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    g_api.size = sizeof g_api;
    g_api.log = fake_log;
    g_api.cancelled = fake_cancelled;
    g_ctx.api = &g_api;
    g_ctx.exec_timeout_s = 5;
    g_ctx.page_size = 500;
    RUN(test_base64);
    RUN(test_rfc3339);
    RUN(test_kubeconfig_cert_and_ca);
    RUN(test_kubeconfig_merge);
    RUN(test_kubeconfig_hostile);
    RUN(test_kubeconfig_exec_spec);
    RUN(test_exec_parse);
    RUN(test_exec_run);
    RUN(test_normalise);
    RUN(test_in_cluster);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", g_dir);
    return test_summary();
}
