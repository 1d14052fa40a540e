/*
 * plugins/kubernetes/kube_exec.c - exec credential plugins
 * (client.authentication.k8s.io/v1 and v1beta1), as kubectl runs them:
 * the command with its args, the process environment plus the env the
 * kubeconfig gives, KUBERNETES_EXEC_INFO describing the request
 * (interactive false; the cluster's server when provideClusterInfo is
 * set), standard input from /dev/null. Its standard output must be one
 * ExecCredential whose status has a token or a client certificate pair,
 * and maybe an expirationTimestamp. Contracts in kube.h.
 *
 * Caps: the plugin runs at most exec_timeout_s seconds (then its process
 * group is killed), and at most KUBE_MAX_EXEC_OUTPUT bytes of output are
 * read. The output holds the secret: it is never quoted in an error, and it
 * is wiped once parsed. Standard error is read (so the plugin never blocks
 * on it) and dropped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kube.h"

extern char **environ;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *dup_member(const cJSON *o, const char *key)
{
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
    return v && *v ? strdup(v) : NULL;
}

int kube_exec_parse(const char *json, size_t len, const char *api_version, kube_exec_cred *out, char *err,
                    size_t errlen)
{
    memset(out, 0, sizeof *out);
    cJSON *j = cJSON_ParseWithLength(json, len);
    int rc = -1;
    if (!j) {
        snprintf(err, errlen, "the exec plugin's output is not JSON");
        return -1;
    }
    const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "kind"));
    const char *api = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "apiVersion"));
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "status");
    if (!kind || strcmp(kind, "ExecCredential")) {
        snprintf(err, errlen, "the exec plugin's output is not an ExecCredential (kind)");
    } else if (!api || strcmp(api, api_version)) {
        snprintf(err, errlen, "the exec plugin answered apiVersion %.80s, the kubeconfig asked for %s",
                 api ? api : "(none)", api_version);
    } else if (!cJSON_IsObject(st)) {
        snprintf(err, errlen, "the exec plugin's ExecCredential has no status");
    } else {
        out->token = dup_member(st, "token");
        char *cert = dup_member(st, "clientCertificateData"), *key = dup_member(st, "clientKeyData");
        const cJSON *exp = cJSON_GetObjectItemCaseSensitive(st, "expirationTimestamp");
        out->cert_pem = cert;
        out->cert_len = cert ? strlen(cert) : 0;
        out->key_pem = key;
        out->key_len = key ? strlen(key) : 0;
        if (exp && !cJSON_IsNull(exp)) {
            out->expires_at = kube_parse_rfc3339(cJSON_GetStringValue(exp));
        }
        if (out->expires_at < 0)
            snprintf(err, errlen, "the exec plugin's status.expirationTimestamp is not an RFC 3339 time");
        else if (!cert != !key)
            snprintf(err, errlen, "the exec plugin gave a client certificate without its key, or a key alone");
        else if (!out->token && !cert)
            snprintf(err, errlen, "the exec plugin's status has neither a token nor a client certificate");
        else if (out->expires_at && out->expires_at <= kube_now())
            snprintf(err, errlen, "the exec plugin returned a credential that has already expired");
        else
            rc = 0;
    }
    kube_wipe_json(j);
    cJSON_Delete(j);
    if (rc)
        kube_exec_cred_clear(out);
    return rc;
}

/* Standard base64 of @n bytes; malloc'd or NULL. */
static char *b64_encode(const unsigned char *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *o = malloc((n + 2) / 3 * 4 + 1), *q = o;
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
        *q++ = tab[v >> 18 & 63];
        *q++ = tab[v >> 12 & 63];
        *q++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
        *q++ = i + 2 < n ? tab[v & 63] : '=';
    }
    *q = '\0';
    return o;
}

/* KUBERNETES_EXEC_INFO=... for @spec on @k; malloc'd. */
static char *exec_info(const kube_conn *k, const kube_exec_spec *spec)
{
    cJSON *o = cJSON_CreateObject(), *s = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "apiVersion", spec->api_version);
    cJSON_AddStringToObject(o, "kind", "ExecCredential");
    cJSON_AddItemToObject(o, "spec", s);
    cJSON_AddBoolToObject(s, "interactive", 0);
    if (spec->provide_cluster_info) {
        cJSON *cl = cJSON_CreateObject();
        cJSON_AddStringToObject(cl, "server", k->server);
        if (k->insecure)
            cJSON_AddBoolToObject(cl, "insecure-skip-tls-verify", 1);
        char *ca = NULL, err[300];
        size_t ca_len = 0;
        if (k->ca_file && kube_read_file(k->ca_file, KUBE_MAX_CRED_FILE, &ca, &ca_len, err, sizeof err) == 0) {
            char *b = b64_encode((const unsigned char *)ca, ca_len);
            if (b)
                cJSON_AddStringToObject(cl, "certificate-authority-data", b);
            free(b);
        }
        free(ca);
        cJSON_AddItemToObject(s, "cluster", cl);
    }
    char *j = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!j)
        return NULL;
    size_t n = strlen(j) + 32;
    char *kv = malloc(n);
    if (kv)
        snprintf(kv, n, "KUBERNETES_EXEC_INFO=%s", j);
    free(j);
    return kv;
}

/* The environment of the plugin: ours, minus names the spec sets, plus the spec's env and EXEC_INFO. */
static char **exec_env(const kube_exec_spec *spec, char *info)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + spec->n_env + 2, sizeof *env);
    if (!env)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(environ[i], '=');
        size_t nl = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
        int replaced = nl == 20 && !strncmp(environ[i], "KUBERNETES_EXEC_INFO", 20);
        for (size_t e = 0; !replaced && e < spec->n_env; e++)
            replaced = !strncmp(spec->env[e], environ[i], nl) && spec->env[e][nl] == '=';
        if (!replaced)
            env[o++] = environ[i];
    }
    for (size_t e = 0; e < spec->n_env; e++)
        env[o++] = spec->env[e];
    env[o++] = info;
    env[o] = NULL;
    return env;
}

int kube_exec_run(kube_ctx *c, const kube_conn *k, const kube_exec_spec *spec, unsigned timeout_s,
                  kube_exec_cred *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    char *info = exec_info(k, spec);
    char **env = info ? exec_env(spec, info) : NULL;
    char **argv = calloc(spec->n_args + 2, sizeof *argv);
    char *buf = malloc(KUBE_MAX_EXEC_OUTPUT + 1);
    int outp[2] = {-1, -1}, errp[2] = {-1, -1}, devnull = -1, rc = -1;
    pid_t pid = -1;
    size_t len = 0;
    if (!info || !env || !argv || !buf) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    argv[0] = spec->command;
    for (size_t i = 0; i < spec->n_args; i++)
        argv[i + 1] = spec->args[i];
    devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0 || pipe2(outp, O_CLOEXEC) || pipe2(errp, O_CLOEXEC)) {
        snprintf(err, errlen, "exec plugin %s: cannot make pipes: %s", spec->command, strerror(errno));
        goto done;
    }
    pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "exec plugin %s: fork: %s", spec->command, strerror(errno));
        goto done;
    }
    if (pid == 0) { /* child: only async-signal-safe calls */
        setpgid(0, 0);
        if (dup2(devnull, 0) < 0 || dup2(outp[1], 1) < 0 || dup2(errp[1], 2) < 0)
            _exit(126);
        execvpe(argv[0], argv, env);
        _exit(127);
    }
    setpgid(pid, pid); /* also here, so the group exists before we may kill it */
    close(outp[1]);
    close(errp[1]);
    outp[1] = errp[1] = -1;
    int64_t deadline = mono_ms() + (int64_t)timeout_s * 1000;
    int open_out = 1, open_err = 1, too_big = 0, timed_out = 0, cancelled = 0;
    char sink[4096];
    while (open_out || open_err) {
        if (c->api->cancelled(c->h)) {
            cancelled = 1;
            break;
        }
        int64_t left = deadline - mono_ms();
        if (left <= 0) {
            timed_out = 1;
            break;
        }
        struct pollfd p[2] = {{open_out ? outp[0] : -1, POLLIN, 0}, {open_err ? errp[0] : -1, POLLIN, 0}};
        int pr = poll(p, 2, left > 100 ? 100 : (int)left);
        if (pr < 0 && errno != EINTR)
            break;
        if (pr <= 0)
            continue;
        if (open_out && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t r = read(outp[0], buf + len, KUBE_MAX_EXEC_OUTPUT + 1 - len);
            if (r > 0) {
                len += (size_t)r;
                if (len > KUBE_MAX_EXEC_OUTPUT) {
                    too_big = 1;
                    break;
                }
            } else if (r == 0 || errno != EINTR) {
                open_out = 0;
            }
        }
        if (open_err && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t r = read(errp[0], sink, sizeof sink);
            if (r == 0 || (r < 0 && errno != EINTR))
                open_err = 0;
        }
    }
    explicit_bzero(sink, sizeof sink);
    int status = 0;
    if (timed_out || too_big || cancelled) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
    }
    /* The output is complete; the plugin should exit promptly. */
    int64_t wait_until = mono_ms() + 5000;
    pid_t w;
    while ((w = waitpid(pid, &status, WNOHANG)) == 0 && mono_ms() < wait_until) {
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (w == 0) {
        kill(-pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    pid = -1;
    if (cancelled) {
        rc = -2;
        snprintf(err, errlen, "cancelled");
    } else if (timed_out) {
        snprintf(err, errlen, "exec plugin %s did not finish within %u s", spec->command, timeout_s);
    } else if (too_big) {
        snprintf(err, errlen, "exec plugin %s wrote more than %u bytes", spec->command, KUBE_MAX_EXEC_OUTPUT);
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        snprintf(err, errlen, "exec plugin %s could not be run (not found or not executable)", spec->command);
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(err, errlen, "exec plugin %s failed (%s %d; its output is not shown: it may hold secrets)",
                 spec->command, WIFEXITED(status) ? "exit status" : "signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    } else {
        char perr[300];
        if (kube_exec_parse(buf, len, spec->api_version, out, perr, sizeof perr) == 0) {
            rc = 0;
        } else {
            snprintf(err, errlen, "exec plugin %s: %s", spec->command, perr);
        }
    }
done:
    if (pid > 0) {
        kill(-pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    for (int i = 0; i < 2; i++) {
        if (outp[i] >= 0)
            close(outp[i]);
        if (errp[i] >= 0)
            close(errp[i]);
    }
    if (devnull >= 0)
        close(devnull);
    if (buf)
        kube_wipe_free(buf, KUBE_MAX_EXEC_OUTPUT + 1);
    free(argv);
    free(env);
    free(info);
    return rc;
}
