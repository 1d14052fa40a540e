/*
 * tests/unit/test_secret.c - env:/file: secret references and key masking.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <parapet/host.h>

#include "../../core/http/secret.h"
#include "../support/test_check.h"

static char dir[64];

/* Write @len bytes to dir/@name with @mode; returns the path (static). */
static const char *put_file(const char *name, const char *data, size_t len, mode_t mode)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, data, len) != (ssize_t)len || fchmod(fd, mode) != 0) {
        perror(path);
        exit(99);
    }
    close(fd);
    return path;
}

static int resolve(const char *ref, char **out, size_t *len, char *err, size_t errlen)
{
    *out = (char *)ref; /* must be reset by secret_resolve */
    *len = 99;
    return secret_resolve(ref, out, len, err, errlen);
}

static void test_env(void)
{
    char *v;
    size_t n;
    char err[256];
    setenv("PP_TEST_SECRET_A", "s3cr3t value", 1);
    int rc = resolve("env:PP_TEST_SECRET_A", &v, &n, err, sizeof err);
    CHECK(rc == PP_OK && v != NULL && n == 12 && strcmp(v, "s3cr3t value") == 0, "rc %d: %s", rc, err);
    secret_free(v, n);

    unsetenv("PP_TEST_SECRET_MISSING");
    rc = resolve("env:PP_TEST_SECRET_MISSING", &v, &n, err, sizeof err);
    CHECK(rc == PP_ERR_NOTFOUND && v == NULL && n == 0, "missing var: rc %d", rc);
    CHECK(strstr(err, "PP_TEST_SECRET_MISSING") != NULL && strstr(err, "not set") != NULL, "message: %s", err);

    setenv("PP_TEST_SECRET_EMPTY", "", 1);
    rc = resolve("env:PP_TEST_SECRET_EMPTY", &v, &n, err, sizeof err);
    CHECK(rc == PP_ERR_NOTFOUND && v == NULL, "empty var: rc %d", rc);

    const char *bad[] = { "env:", "env:1ABC", "env:A-B", "env:A B", "env:A=B" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rc = resolve(bad[i], &v, &n, err, sizeof err);
        CHECK(rc == PP_ERR_INVALID && v == NULL, "%s: rc %d", bad[i], rc);
    }
}

static void test_file(void)
{
    char *v;
    size_t n;
    char err[512];
    char ref[300];
    const char *p = put_file("tok", "abc123\n", 7, 0600);
    snprintf(ref, sizeof ref, "file:%s", p);
    int rc = resolve(ref, &v, &n, err, sizeof err);
    CHECK(rc == PP_OK && n == 6 && strcmp(v, "abc123") == 0, "rc %d: %s", rc, err);
    secret_free(v, n);

    p = put_file("crlf", "line\r\n", 6, 0400);
    snprintf(ref, sizeof ref, "file:%s", p);
    rc = resolve(ref, &v, &n, err, sizeof err);
    CHECK(rc == PP_OK && n == 4 && strcmp(v, "line") == 0, "CRLF: rc %d: %s", rc, err);
    secret_free(v, n);

    p = put_file("two", "pem\n\n", 5, 0600); /* only one newline is removed */
    snprintf(ref, sizeof ref, "file:%s", p);
    rc = resolve(ref, &v, &n, err, sizeof err);
    CHECK(rc == PP_OK && n == 4 && memcmp(v, "pem\n", 5) == 0, "one newline: rc %d n %zu", rc, n);
    secret_free(v, n);

    p = put_file("nonl", "x", 1, 0600);
    snprintf(ref, sizeof ref, "file:%s", p);
    rc = resolve(ref, &v, &n, err, sizeof err);
    CHECK(rc == PP_OK && n == 1 && strcmp(v, "x") == 0, "no newline: rc %d", rc);
    secret_free(v, n);
}

static void test_file_refused(void)
{
    char *v;
    size_t n;
    char err[512];
    char ref[300], target[256];

    /* group- or world-readable */
    const char *p = put_file("open", "hunter2\n", 8, 0644);
    snprintf(ref, sizeof ref, "file:%s", p);
    int rc = resolve(ref, &v, &n, err, sizeof err);
    CHECK(rc == PP_ERR_INVALID && v == NULL, "0644 accepted: rc %d", rc);
    CHECK(strstr(err, "0644") != NULL && strstr(err, "chmod 600") != NULL, "message: %s", err);
    CHECK(strstr(err, "hunter2") == NULL, "value in message: %s", err);
    p = put_file("grp", "hunter2\n", 8, 0640);
    snprintf(ref, sizeof ref, "file:%s", p);
    CHECK(resolve(ref, &v, &n, err, sizeof err) == PP_ERR_INVALID, "0640 accepted");
    p = put_file("gw", "hunter2\n", 8, 0620);
    snprintf(ref, sizeof ref, "file:%s", p);
    CHECK(resolve(ref, &v, &n, err, sizeof err) == PP_ERR_INVALID, "group-writable accepted");

    /* a symbolic link to a good file */
    p = put_file("real", "hunter2\n", 8, 0600);
    snprintf(target, sizeof target, "%s", p);
    char link_path[256];
    snprintf(link_path, sizeof link_path, "%s/link", dir);
    unlink(link_path);
    CHECK(symlink(target, link_path) == 0, "symlink");
    snprintf(ref, sizeof ref, "file:%s", link_path);
    rc = resolve(ref, &v, &n, err, sizeof err);
    CHECK(rc == PP_ERR_INVALID && v == NULL, "symlink followed: rc %d", rc);
    CHECK(strstr(err, "symbolic link") != NULL, "message: %s", err);

    /* missing, relative, directory, empty, too big */
    snprintf(ref, sizeof ref, "file:%s/absent", dir);
    CHECK(resolve(ref, &v, &n, err, sizeof err) == PP_ERR_NOTFOUND, "missing file");
    CHECK(resolve("file:relative/path", &v, &n, err, sizeof err) == PP_ERR_INVALID, "relative path");
    CHECK(resolve("file:", &v, &n, err, sizeof err) == PP_ERR_INVALID, "empty path");
    snprintf(ref, sizeof ref, "file:%s", dir);
    chmod(dir, 0700);
    CHECK(resolve(ref, &v, &n, err, sizeof err) == PP_ERR_INVALID && strstr(err, "regular"), "directory: %s", err);
    p = put_file("empty", "\n", 1, 0600);
    snprintf(ref, sizeof ref, "file:%s", p);
    CHECK(resolve(ref, &v, &n, err, sizeof err) == PP_ERR_INVALID && strstr(err, "empty"), "empty: %s", err);

    char *big = malloc(SECRET_FILE_MAX + 1);
    memset(big, 'k', SECRET_FILE_MAX + 1);
    p = put_file("big", big, SECRET_FILE_MAX + 1, 0600);
    snprintf(ref, sizeof ref, "file:%s", p);
    CHECK(resolve(ref, &v, &n, err, sizeof err) == PP_ERR_INVALID && strstr(err, "larger"), "64 KiB + 1: %s", err);
    p = put_file("max", big, SECRET_FILE_MAX, 0600);
    snprintf(ref, sizeof ref, "file:%s", p);
    rc = resolve(ref, &v, &n, err, sizeof err);
    CHECK(rc == PP_OK && n == SECRET_FILE_MAX, "exactly 64 KiB: rc %d %s", rc, err);
    secret_free(v, n);
    free(big);

    /* owned by someone else (only root can set this up) */
    if (geteuid() == 0) {
        p = put_file("foreign", "hunter2\n", 8, 0600);
        CHECK(chown(p, 4242, 4242) == 0, "chown");
        snprintf(ref, sizeof ref, "file:%s", p);
        rc = resolve(ref, &v, &n, err, sizeof err);
        CHECK(rc == PP_ERR_INVALID && strstr(err, "owned by uid 4242"), "foreign owner: rc %d %s", rc, err);
    }
}

static void test_not_a_reference(void)
{
    char *v;
    size_t n;
    char err[512];
    const char *literal = "AKIAIOSFODNN7EXAMPLE/wJalrXUtnFEMI";
    int rc = resolve(literal, &v, &n, err, sizeof err);
    CHECK(rc == PP_ERR_INVALID && v == NULL && n == 0, "literal accepted: rc %d", rc);
    CHECK(strstr(err, "AKIA") == NULL && strstr(err, "wJal") == NULL, "literal echoed: %s", err);
    CHECK(strstr(err, "env:NAME") != NULL, "message should say what is accepted: %s", err);

    rc = resolve("vault:secret/data/prod#password", &v, &n, err, sizeof err);
    CHECK(rc == PP_ERR_INVALID, "vault: accepted");
    CHECK(strstr(err, "'vault'") != NULL && strstr(err, "secret/data") == NULL && strstr(err, "password") == NULL,
          "message should show the scheme only: %s", err);

    rc = resolve("Bearer eyJhbGciOi:JIUzI1NiJ9", &v, &n, err, sizeof err);
    CHECK(rc == PP_ERR_INVALID && strstr(err, "eyJ") == NULL && strstr(err, "Bearer") == NULL, "echoed: %s", err);
    CHECK(resolve("", &v, &n, err, sizeof err) == PP_ERR_INVALID, "empty string");
    CHECK(resolve(NULL, &v, &n, err, sizeof err) == PP_ERR_INVALID, "NULL");
    CHECK(resolve("ENV:HOME", &v, &n, err, sizeof err) == PP_ERR_INVALID, "scheme is case-sensitive");
    secret_free(NULL, 0);
}

static void test_key_masking(void)
{
    const char *secret_keys[] = { "api_key", "apiKey", "API-KEY", "client_secret", "password", "db.passwd",
                                  "token", "sas_token", "AccessKeyId", "private_key", "credentials",
                                  "Authorization", "connection_string", "cookie", "webhook_signature" };
    for (size_t i = 0; i < sizeof secret_keys / sizeof secret_keys[0]; i++)
        CHECK(secret_key_is_sensitive(secret_keys[i]), "%s should be masked", secret_keys[i]);
    const char *plain_keys[] = { "region", "bucket", "endpoint", "timeout_ms", "insecure_skip_verify_hosts",
                                 "account_id", "profile", "name" };
    for (size_t i = 0; i < sizeof plain_keys / sizeof plain_keys[0]; i++)
        CHECK(!secret_key_is_sensitive(plain_keys[i]), "%s should not be masked", plain_keys[i]);
    CHECK(!secret_key_is_sensitive(NULL), "NULL");

    CHECK(strcmp(secret_redact("api_key", "abc"), "<redacted>") == 0, "value masked");
    CHECK(strcmp(secret_redact("api_key", "env:API_KEY"), "env:API_KEY") == 0, "references shown");
    CHECK(strcmp(secret_redact("region", "eu-west-1"), "eu-west-1") == 0, "plain value shown");
    CHECK(strcmp(secret_redact("token", NULL), "") == 0, "NULL value");
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/pp-secret-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 99;
    RUN(test_env);
    RUN(test_file);
    RUN(test_file_refused);
    RUN(test_not_a_reference);
    RUN(test_key_masking);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return test_summary();
}
