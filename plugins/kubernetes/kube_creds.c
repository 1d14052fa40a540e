/*
 * plugins/kubernetes/kube_creds.c - the credential each request presents.
 * Contracts in kube.h.
 *
 * - a client certificate pair from the kubeconfig (or an exec plugin);
 * - a bearer token: users[].user.token; a token file (users[].user.tokenFile
 *   or the in-cluster service account token), re-read whenever the file
 *   changes (kubelet rotates projected tokens); or an exec plugin's token,
 *   cached until KUBE_EXPIRY_MARGIN_S seconds before its expirationTimestamp
 *   (without one, for the whole scan) and fetched again after a 401.
 *
 * Collects of a scan run in parallel: cred_mu guards the caches, and each
 * request gets its own copies (wiped by kube_cred_release).
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kube.h"

void kube_cred_release(kube_cred *cr)
{
    kube_wipe_str(cr->token);
    kube_wipe_free(cr->cert_pem, cr->cert_len);
    kube_wipe_free(cr->key_pem, cr->key_len);
    memset(cr, 0, sizeof *cr);
}

int kube_cred_can_refresh(const kube_conn *k)
{
    return k->exec != NULL || k->token_file != NULL;
}

static char *mem_dup(const char *p, size_t n)
{
    char *o = malloc(n + 1);
    if (o) {
        memcpy(o, p, n);
        o[n] = '\0';
    }
    return o;
}

/* Re-read @tf when the file changed (or @force). Under cred_mu. */
static int token_file_refresh(kube_token_file *tf, int force, char *err, size_t errlen)
{
    struct stat st;
    if (stat(tf->path, &st) != 0) {
        snprintf(err, errlen, "token file %s cannot be read", tf->path);
        return -1;
    }
    int64_t mt = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    if (!force && tf->token && st.st_dev == tf->dev && st.st_ino == tf->ino && mt == tf->mtime_ns &&
        st.st_size == tf->size)
        return 0;
    char *buf = NULL;
    size_t len = 0;
    if (kube_read_file(tf->path, KUBE_MAX_CRED_FILE, &buf, &len, err, errlen) != 0)
        return -1;
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' ' || buf[len - 1] == '\t'))
        buf[--len] = '\0';
    if (!len || strpbrk(buf, "\r\n")) {
        kube_wipe_free(buf, len + 1);
        snprintf(err, errlen, "token file %s is empty or holds more than one line", tf->path);
        return -1;
    }
    kube_wipe_str(tf->token);
    tf->token = buf;
    tf->dev = st.st_dev;
    tf->ino = st.st_ino;
    tf->mtime_ns = mt;
    tf->size = st.st_size;
    return 0;
}

void kube_exec_cred_clear(kube_exec_cred *e)
{
    kube_wipe_str(e->token);
    kube_wipe_free(e->cert_pem, e->cert_len);
    kube_wipe_free(e->key_pem, e->key_len);
    memset(e, 0, sizeof *e);
}

int kube_cred_get(kube_ctx *c, kube_conn *k, int force, kube_cred *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    int rc = 0;
    pthread_mutex_lock(&k->cred_mu);
    const char *token = k->token;
    const char *cert = k->cert_pem, *key = k->key_pem;
    size_t cert_len = k->cert_len, key_len = k->key_len;
    if (k->exec) {
        kube_exec_cred *ec = &k->exec_cred;
        int64_t now = kube_now();
        if (force || !ec->valid || (ec->expires_at && ec->expires_at - KUBE_EXPIRY_MARGIN_S <= now)) {
            kube_exec_cred fresh;
            memset(&fresh, 0, sizeof fresh);
            rc = kube_exec_run(c, k, k->exec, c->exec_timeout_s, &fresh, err, errlen);
            if (rc == 0) {
                kube_exec_cred_clear(ec);
                *ec = fresh;
                ec->valid = 1;
                k->exec_runs++;
            }
        }
        if (rc == 0) {
            if (ec->token)
                token = ec->token;
            if (ec->cert_pem) {
                cert = ec->cert_pem;
                cert_len = ec->cert_len;
                key = ec->key_pem;
                key_len = ec->key_len;
            }
        }
    } else if (k->token_file && !k->token) {
        rc = token_file_refresh(k->token_file, force, err, errlen);
        if (rc == 0)
            token = k->token_file->token;
    }
    if (rc == 0) {
        if (token && !(out->token = strdup(token)))
            rc = -1;
        if (cert && (!(out->cert_pem = mem_dup(cert, cert_len)) || !(out->key_pem = mem_dup(key, key_len))))
            rc = -1;
        out->cert_len = cert ? cert_len : 0;
        out->key_len = key ? key_len : 0;
        if (rc)
            snprintf(err, errlen, "out of memory");
    }
    pthread_mutex_unlock(&k->cred_mu);
    if (rc != 0)
        kube_cred_release(out);
    return rc;
}
