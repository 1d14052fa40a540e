/*
 * plugins/kubernetes/kubeconfig.c - kubeconfig files and the in-cluster
 * service account, resolved into one kube_conn. Contracts in kube.h.
 *
 * Files: the -o kubernetes.kubeconfig path alone; else every file of
 * $KUBECONFIG (colon-separated; a missing file is skipped as kubectl does,
 * but at least one must exist); else ~/.kube/config. Merged in order: the
 * first file that names a cluster, user or context wins for that name, and
 * the first non-empty current-context wins.
 *
 * YAML is read by plugins/iac/yaml_doc.c (libyaml with caps on size,
 * nesting, scalar length, alias expansion; duplicate keys refused), then
 * turned into cJSON; every scalar of the tree is wiped before it is freed
 * because users[] holds tokens and keys.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kube.h"
#include "yaml_doc.h"

#define KUBE_MAX_FILES 32
#define KUBE_MAX_DEPTH 32

/* One parsed file. */
typedef struct kc_file {
    char *path;
    char *dir; /* for relative paths inside it */
    cJSON *root;
} kc_file;

typedef struct kc_set {
    kc_file files[KUBE_MAX_FILES];
    size_t n;
    char names[512]; /* the files, for messages */
} kc_set;

static void kc_set_free(kc_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        kube_wipe_json(s->files[i].root);
        cJSON_Delete(s->files[i].root);
        free(s->files[i].path);
        free(s->files[i].dir);
    }
    s->n = 0;
}

/* Wipe every scalar of a yaml_doc stream (tokens, keys) before freeing it. */
static void yd_wipe_free(yd_stream *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->n_all; i++)
        if (st->all[i] && st->all[i]->value)
            explicit_bzero(st->all[i]->value, st->all[i]->len);
    yd_free(st);
}

/* Parse @path into @s. 0, or -1 with @err. A missing file is 1 when @optional. */
static int kc_load_one(kc_set *s, const char *path, int optional, char *err, size_t errlen)
{
    if (s->n == KUBE_MAX_FILES) {
        snprintf(err, errlen, "more than %d kubeconfig files", KUBE_MAX_FILES);
        return -1;
    }
    struct stat st;
    if (optional && stat(path, &st) != 0 && errno == ENOENT)
        return 1;
    char *buf = NULL;
    size_t len = 0;
    if (kube_read_file(path, KUBE_MAX_KUBECONFIG, &buf, &len, err, errlen) != 0)
        return -1;
    yd_limits lim = yd_default_limits();
    lim.max_bytes = KUBE_MAX_KUBECONFIG;
    lim.max_depth = KUBE_MAX_DEPTH;
    lim.max_weight = 200000;
    lim.max_docs = 1;
    yd_stream *ys = NULL;
    int rc = yd_parse(buf, len, path, &lim, &ys, err, errlen);
    kube_wipe_free(buf, len + 1);
    if (rc != 0)
        return -1;
    cJSON *root = ys->n_docs && ys->docs[0] ? yd_to_json(ys->docs[0]) : cJSON_CreateObject();
    yd_wipe_free(ys);
    if (!root) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    if (!cJSON_IsObject(root)) {
        snprintf(err, errlen, "%s: a kubeconfig is a mapping (apiVersion, clusters, users, contexts)", path);
        kube_wipe_json(root);
        cJSON_Delete(root);
        return -1;
    }
    kc_file *f = &s->files[s->n];
    f->path = strdup(path);
    const char *slash = strrchr(path, '/');
    f->dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
    f->root = root;
    s->n++;
    if (!f->path || !f->dir) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    size_t used = strlen(s->names);
    snprintf(s->names + used, sizeof s->names - used, "%s%s", used ? ", " : "", path);
    return 0;
}

int kube_kubeconfig_available(const char *path)
{
    if (path && *path)
        return 1;
    const char *env = getenv("KUBECONFIG");
    if (env && *env)
        return 1;
    const char *home = getenv("HOME");
    char p[4096];
    struct stat st;
    if (!home || !*home)
        return 0;
    snprintf(p, sizeof p, "%s/.kube/config", home);
    return stat(p, &st) == 0;
}

static int kc_load(kc_set *s, const char *path, char *err, size_t errlen)
{
    if (path && *path)
        return kc_load_one(s, path, 0, err, errlen) == 0 ? 0 : -1;
    const char *env = getenv("KUBECONFIG");
    if (env && *env) {
        char *list = strdup(env), *save = NULL;
        if (!list) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        for (char *p = strtok_r(list, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
            if (!*p)
                continue;
            if (kc_load_one(s, p, 1, err, errlen) < 0) {
                free(list);
                return -1;
            }
        }
        free(list);
        if (s->n == 0) {
            snprintf(err, errlen, "none of the files in KUBECONFIG exists (%s)", env);
            return -1;
        }
        return 0;
    }
    const char *home = getenv("HOME");
    if (!home || !*home) {
        snprintf(err, errlen, "no kubeconfig: HOME is not set (pass -o kubernetes.kubeconfig=PATH)");
        return -1;
    }
    char p[4096];
    snprintf(p, sizeof p, "%s/.kube/config", home);
    return kc_load_one(s, p, 0, err, errlen) == 0 ? 0 : -1;
}

/* The first entry called @name in the @list_key sequences; its file in *@file; @inner is "cluster", "user"... */
static const cJSON *kc_find(const kc_set *s, const char *list_key, const char *inner, const char *name,
                            const kc_file **file, char *where, size_t wlen, char *err, size_t errlen)
{
    for (size_t i = 0; i < s->n; i++) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(s->files[i].root, list_key);
        if (!list || cJSON_IsNull(list))
            continue;
        if (!cJSON_IsArray(list)) {
            snprintf(err, errlen, "%s: %s must be a sequence", s->files[i].path, list_key);
            return NULL;
        }
        int idx = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, list)
        {
            const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "name"));
            if (!cJSON_IsObject(e) || !n) {
                snprintf(err, errlen, "%s: %s[%d] has no name", s->files[i].path, list_key, idx);
                return NULL;
            }
            if (!strcmp(n, name)) {
                const cJSON *body = cJSON_GetObjectItemCaseSensitive(e, inner);
                snprintf(where, wlen, "%s: %s[%d] (\"%.100s\").%s", s->files[i].path, list_key, idx, name, inner);
                if (!cJSON_IsObject(body)) {
                    snprintf(err, errlen, "%s must be a mapping", where);
                    return NULL;
                }
                *file = &s->files[i];
                return body;
            }
            idx++;
        }
    }
    snprintf(err, errlen, "%s \"%.100s\" is not in %s", inner, name, s->names);
    return NULL;
}

/* A string member, or NULL; -1 (with @err) when present but not a string. */
static int kc_str(const cJSON *o, const char *key, const char *where, const char **out, char *err, size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v)) {
        snprintf(err, errlen, "%s.%s must be a string", where, key);
        return -1;
    }
    *out = *v->valuestring ? v->valuestring : NULL;
    return 0;
}

/* A namespace name: a DNS label (RFC 1123), at most 63 bytes. */
static int valid_namespace(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n <= 63 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n && s[0] != '-' &&
           s[n - 1] != '-';
}

/* @p relative to the kubeconfig's directory (absolute paths stay). */
static char *kc_path(const kc_file *f, const char *p)
{
    if (p[0] == '/')
        return strdup(p);
    size_t n = strlen(f->dir) + strlen(p) + 2;
    char *o = malloc(n);
    if (o)
        snprintf(o, n, "%s/%s", f->dir, p);
    return o;
}

/* The PEM of a *-data member (base64) or of a file member. 0 (maybe nothing), or -1. */
static int kc_pem(const kc_file *f, const cJSON *o, const char *data_key, const char *file_key, const char *where,
                  char **pem, size_t *len, char *err, size_t errlen)
{
    const char *data, *file;
    *pem = NULL;
    *len = 0;
    if (kc_str(o, data_key, where, &data, err, errlen) || kc_str(o, file_key, where, &file, err, errlen))
        return -1;
    if (data) {
        unsigned char *d = kube_b64_decode(data, len);
        if (!d) {
            snprintf(err, errlen, "%s.%s is not valid base64", where, data_key);
            return -1;
        }
        *pem = (char *)d;
        return 0;
    }
    if (file) {
        char *p = kc_path(f, file);
        char ferr[600];
        int rc = p ? kube_read_file(p, KUBE_MAX_CRED_FILE, pem, len, ferr, sizeof ferr) : -1;
        if (rc != 0)
            snprintf(err, errlen, "%s.%s: %s", where, file_key, p ? ferr : "out of memory");
        free(p);
        return rc;
    }
    return 0;
}

static int write_temp_ca(kube_conn *k, const char *pem, size_t len, char *err, size_t errlen)
{
    const char *tmp = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/parapet-k8s-ca-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write the cluster CA to %s: %s", path, strerror(errno));
        return -1;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, pem + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(err, errlen, "cannot write the cluster CA to %s: %s", path, strerror(errno));
            close(fd);
            unlink(path);
            return -1;
        }
        off += (size_t)w;
    }
    close(fd);
    k->ca_file = strdup(path);
    k->ca_file_temp = 1;
    if (!k->ca_file) {
        unlink(path);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static int pem_looks_right(const char *pem, size_t len)
{
    return len > 20 && memmem(pem, len, "-----BEGIN ", 11) != NULL;
}

static kube_conn *conn_new(void)
{
    kube_conn *k = calloc(1, sizeof *k);
    if (k)
        pthread_mutex_init(&k->cred_mu, NULL);
    return k;
}

void kube_exec_spec_free(kube_exec_spec *e)
{
    if (!e)
        return;
    free(e->api_version);
    free(e->command);
    for (size_t i = 0; i < e->n_args; i++)
        kube_wipe_str(e->args[i]);
    free(e->args);
    for (size_t i = 0; i < e->n_env; i++)
        kube_wipe_str(e->env[i]);
    free(e->env);
    free(e);
}

void kube_conn_free(kube_conn *k)
{
    if (!k)
        return;
    if (k->ca_file_temp && k->ca_file)
        unlink(k->ca_file);
    free(k->ca_file);
    free(k->context);
    free(k->cluster);
    free(k->region);
    free(k->server);
    free(k->source);
    free(k->namespace_);
    kube_wipe_str(k->token);
    if (k->token_file) {
        free(k->token_file->path);
        kube_wipe_str(k->token_file->token);
        free(k->token_file);
    }
    kube_wipe_free(k->cert_pem, k->cert_len);
    kube_wipe_free(k->key_pem, k->key_len);
    kube_exec_spec_free(k->exec);
    kube_exec_cred_clear(&k->exec_cred);
    pthread_mutex_destroy(&k->cred_mu);
    free(k);
}

/* users[].user.exec -> spec. */
static int kc_exec(const kc_file *f, const cJSON *ex, const char *where_user, kube_exec_spec **out, char *err,
                   size_t errlen)
{
    char where[1000];
    snprintf(where, sizeof where, "%s.exec", where_user);
    if (!cJSON_IsObject(ex)) {
        snprintf(err, errlen, "%s must be a mapping", where);
        return -1;
    }
    const char *api, *cmd, *mode;
    if (kc_str(ex, "apiVersion", where, &api, err, errlen) || kc_str(ex, "command", where, &cmd, err, errlen) ||
        kc_str(ex, "interactiveMode", where, &mode, err, errlen))
        return -1;
    if (!api ||
        (strcmp(api, "client.authentication.k8s.io/v1") && strcmp(api, "client.authentication.k8s.io/v1beta1"))) {
        snprintf(err, errlen,
                 "%s.apiVersion must be client.authentication.k8s.io/v1 or client.authentication.k8s.io/v1beta1",
                 where);
        return -1;
    }
    if (!cmd) {
        snprintf(err, errlen, "%s.command is missing", where);
        return -1;
    }
    if (mode && !strcmp(mode, "Always")) {
        snprintf(err, errlen, "%s.interactiveMode is Always: the plugin needs a terminal, and a scan has none", where);
        return -1;
    }
    kube_exec_spec *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    e->api_version = strdup(api);
    e->command = strchr(cmd, '/') ? kc_path(f, cmd) : strdup(cmd);
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(ex, "args"), *a;
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(ex, "env");
    const cJSON *pci = cJSON_GetObjectItemCaseSensitive(ex, "provideClusterInfo");
    int bad = 0;
    if (args && !cJSON_IsNull(args)) {
        if (!cJSON_IsArray(args)) {
            snprintf(err, errlen, "%s.args must be a sequence of strings", where);
            bad = 1;
        } else {
            e->args = calloc((size_t)cJSON_GetArraySize(args) + 1, sizeof *e->args);
            cJSON_ArrayForEach(a, args)
            {
                if (!cJSON_IsString(a)) {
                    snprintf(err, errlen, "%s.args[%zu] must be a string", where, e->n_args);
                    bad = 1;
                    break;
                }
                if (e->args)
                    e->args[e->n_args++] = strdup(a->valuestring);
            }
        }
    }
    if (!bad && env && !cJSON_IsNull(env)) {
        if (!cJSON_IsArray(env)) {
            snprintf(err, errlen, "%s.env must be a sequence of {name, value}", where);
            bad = 1;
        } else {
            e->env = calloc((size_t)cJSON_GetArraySize(env) + 1, sizeof *e->env);
            cJSON_ArrayForEach(a, env)
            {
                const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "name"));
                const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "value"));
                if (!n || !*n || strchr(n, '=') || !v) {
                    snprintf(err, errlen, "%s.env[%zu] needs a name (without '=') and a string value", where, e->n_env);
                    bad = 1;
                    break;
                }
                size_t l = strlen(n) + strlen(v) + 2;
                char *kv = e->env ? malloc(l) : NULL;
                if (kv) {
                    snprintf(kv, l, "%s=%s", n, v);
                    e->env[e->n_env++] = kv;
                }
            }
        }
    }
    e->provide_cluster_info = cJSON_IsTrue(pci);
    if (!bad && (!e->api_version || !e->command || (args && !cJSON_IsNull(args) && !e->args) ||
                 (env && !cJSON_IsNull(env) && !e->env))) {
        snprintf(err, errlen, "out of memory");
        bad = 1;
    }
    if (bad) {
        kube_exec_spec_free(e);
        return -1;
    }
    *out = e;
    return 0;
}

/* users[].user -> the credential members of @k. */
static int kc_user(kube_conn *k, const kc_file *f, const cJSON *u, const char *where, char *err, size_t errlen)
{
    static const char *const unsupported[] = {"auth-provider", "username", "password", "as", "as-groups"};
    for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++)
        if (cJSON_GetObjectItemCaseSensitive(u, unsupported[i])) {
            snprintf(err, errlen, "%s.%s is not supported (use a token, a client certificate or an exec plugin)", where,
                     unsupported[i]);
            return -1;
        }
    if (kc_pem(f, u, "client-certificate-data", "client-certificate", where, &k->cert_pem, &k->cert_len, err, errlen) ||
        kc_pem(f, u, "client-key-data", "client-key", where, &k->key_pem, &k->key_len, err, errlen))
        return -1;
    if (!k->cert_pem != !k->key_pem) {
        snprintf(err, errlen, "%s has a client %s without a client %s", where, k->cert_pem ? "certificate" : "key",
                 k->cert_pem ? "key" : "certificate");
        return -1;
    }
    if (k->cert_pem && (!pem_looks_right(k->cert_pem, k->cert_len) || !pem_looks_right(k->key_pem, k->key_len))) {
        snprintf(err, errlen, "%s: the client certificate and key must be PEM", where);
        return -1;
    }
    const char *token, *token_file;
    if (kc_str(u, "token", where, &token, err, errlen) || kc_str(u, "tokenFile", where, &token_file, err, errlen))
        return -1;
    if (token) {
        k->token = strdup(token);
        if (!k->token) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    } else if (token_file) {
        k->token_file = calloc(1, sizeof *k->token_file);
        if (!k->token_file || !(k->token_file->path = kc_path(f, token_file))) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(u, "exec");
    if (ex && !cJSON_IsNull(ex) && kc_exec(f, ex, where, &k->exec, err, errlen))
        return -1;
    return 0;
}

static int kc_cluster(kube_conn *k, const kc_file *f, const cJSON *cl, const char *where, int allow_insecure, char *err,
                      size_t errlen)
{
    const char *server;
    if (kc_str(cl, "server", where, &server, err, errlen))
        return -1;
    if (!server) {
        snprintf(err, errlen, "%s.server is missing", where);
        return -1;
    }
    if (strncmp(server, "https://", 8) || strlen(server) < 9 || strpbrk(server, " \t\r\n?#@")) {
        snprintf(err, errlen, "%s.server must be an https:// URL without user info, query or fragment", where);
        return -1;
    }
    k->server = strdup(server);
    if (!k->server) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t n = strlen(k->server);
    while (n > 8 && k->server[n - 1] == '/')
        k->server[--n] = '\0';
    const cJSON *ins = cJSON_GetObjectItemCaseSensitive(cl, "insecure-skip-tls-verify");
    if (cJSON_IsTrue(ins)) {
        if (!allow_insecure) {
            snprintf(err, errlen,
                     "%s.insecure-skip-tls-verify is true: refused (anyone on the path could read the "
                     "credentials). Give the cluster's CA, or pass -o kubernetes.allow_insecure_skip_tls_verify=true "
                     "and -o kubernetes.http.insecure_hosts=HOST",
                     where);
            return -1;
        }
        k->insecure = 1;
    }
    const cJSON *tsn = cJSON_GetObjectItemCaseSensitive(cl, "tls-server-name");
    if (cJSON_IsString(tsn) && *tsn->valuestring) {
        snprintf(err, errlen, "%s.tls-server-name is not supported", where);
        return -1;
    }
    char *ca = NULL;
    size_t ca_len = 0;
    if (kc_pem(f, cl, "certificate-authority-data", "certificate-authority", where, &ca, &ca_len, err, errlen))
        return -1;
    if (ca) {
        int rc = 0;
        if (!pem_looks_right(ca, ca_len)) {
            snprintf(err, errlen, "%s: the certificate authority is not PEM", where);
            rc = -1;
        } else {
            rc = write_temp_ca(k, ca, ca_len, err, errlen);
        }
        free(ca);
        if (rc)
            return -1;
    }
    return 0;
}

kube_conn *kube_conn_from_kubeconfig(const char *path, const char *context, int allow_insecure, char *err,
                                     size_t errlen)
{
    kc_set s;
    memset(&s, 0, sizeof s);
    kube_conn *k = NULL;
    if (kc_load(&s, path, err, errlen) != 0)
        goto fail;
    const char *ctx_name = context && *context ? context : NULL;
    for (size_t i = 0; !ctx_name && i < s.n; i++) {
        const cJSON *cc = cJSON_GetObjectItemCaseSensitive(s.files[i].root, "current-context");
        if (cc && !cJSON_IsNull(cc) && !cJSON_IsString(cc)) {
            snprintf(err, errlen, "%s: current-context must be a string", s.files[i].path);
            goto fail;
        }
        if (cJSON_IsString(cc) && *cc->valuestring)
            ctx_name = cc->valuestring;
    }
    if (!ctx_name) {
        snprintf(err, errlen, "%s: no current-context is set; pass -o kubernetes.context=NAME", s.names);
        goto fail;
    }
    char where[800], where_cl[800], where_u[800];
    const kc_file *fc = NULL, *fcl = NULL, *fu = NULL;
    const cJSON *cx = kc_find(&s, "contexts", "context", ctx_name, &fc, where, sizeof where, err, errlen);
    if (!cx)
        goto fail;
    const char *cl_name, *u_name, *ns;
    if (kc_str(cx, "cluster", where, &cl_name, err, errlen) || kc_str(cx, "user", where, &u_name, err, errlen) ||
        kc_str(cx, "namespace", where, &ns, err, errlen))
        goto fail;
    if (ns && !valid_namespace(ns)) {
        snprintf(err, errlen, "%s.namespace is not a valid namespace name", where);
        goto fail;
    }
    if (!cl_name) {
        snprintf(err, errlen, "%s.cluster is missing", where);
        goto fail;
    }
    if (strlen(cl_name) > 253 || strlen(ctx_name) > 253 || strpbrk(cl_name, " \t\r\n")) {
        snprintf(err, errlen, "%s: context and cluster names are at most 253 bytes, without blanks", where);
        goto fail;
    }
    const cJSON *cl = kc_find(&s, "clusters", "cluster", cl_name, &fcl, where_cl, sizeof where_cl, err, errlen);
    if (!cl)
        goto fail;
    k = conn_new();
    if (!k) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    k->context = strdup(ctx_name);
    k->cluster = strdup(cl_name);
    k->region = strdup(ctx_name);
    size_t sl = strlen(fc->path) + 16;
    k->source = malloc(sl);
    if (k->source)
        snprintf(k->source, sl, "kubeconfig %s", fc->path);
    k->namespace_ = ns ? strdup(ns) : NULL;
    if (!k->context || !k->cluster || !k->region || !k->source || (ns && !k->namespace_)) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (kc_cluster(k, fcl, cl, where_cl, allow_insecure, err, errlen))
        goto fail;
    if (u_name) {
        const cJSON *u = kc_find(&s, "users", "user", u_name, &fu, where_u, sizeof where_u, err, errlen);
        if (!u || kc_user(k, fu, u, where_u, err, errlen))
            goto fail;
    }
    kc_set_free(&s);
    return k;
fail:
    kube_conn_free(k);
    kc_set_free(&s);
    return NULL;
}

kube_conn *kube_conn_in_cluster(const char *sa_dir, char *err, size_t errlen)
{
    const char *host = getenv("KUBERNETES_SERVICE_HOST"), *port = getenv("KUBERNETES_SERVICE_PORT");
    if (!host || !*host || !port || !*port) {
        snprintf(err, errlen,
                 "in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set (not in a pod?)");
        return NULL;
    }
    if (strspn(port, "0123456789") != strlen(port) || strlen(port) > 5 || strpbrk(host, "/@?# \t")) {
        snprintf(err, errlen, "in-cluster: KUBERNETES_SERVICE_HOST or KUBERNETES_SERVICE_PORT is malformed");
        return NULL;
    }
    kube_conn *k = conn_new();
    char server[600], path[4096];
    if (!k) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(server, sizeof server, strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s", host, port);
    k->server = strdup(server);
    k->context = strdup("in-cluster");
    k->cluster = strdup("in-cluster");
    k->region = strdup(host);
    k->source = strdup("in-cluster service account");
    snprintf(path, sizeof path, "%s/ca.crt", sa_dir);
    k->ca_file = strdup(path);
    k->token_file = calloc(1, sizeof *k->token_file);
    snprintf(path, sizeof path, "%s/token", sa_dir);
    if (k->token_file)
        k->token_file->path = strdup(path);
    if (!k->server || !k->context || !k->cluster || !k->region || !k->source || !k->ca_file || !k->token_file ||
        !k->token_file->path) {
        snprintf(err, errlen, "out of memory");
        kube_conn_free(k);
        return NULL;
    }
    struct stat st;
    if (stat(k->ca_file, &st) != 0 || stat(k->token_file->path, &st) != 0) {
        snprintf(err, errlen, "in-cluster: %s/ca.crt or %s/token is missing (is a service account token mounted?)",
                 sa_dir, sa_dir);
        kube_conn_free(k);
        return NULL;
    }
    /* the pod's namespace, for namespaced lists when cluster-wide ones are forbidden (optional) */
    char *ns = NULL, nerr[300];
    size_t nl = 0;
    snprintf(path, sizeof path, "%s/namespace", sa_dir);
    if (stat(path, &st) == 0 && kube_read_file(path, 256, &ns, &nl, nerr, sizeof nerr) == 0) {
        while (nl && (ns[nl - 1] == '\n' || ns[nl - 1] == '\r' || ns[nl - 1] == ' '))
            ns[--nl] = '\0';
        if (valid_namespace(ns))
            k->namespace_ = ns;
        else
            free(ns);
    }
    return k;
}
