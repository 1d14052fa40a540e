/*
 * cred_process.c - credentials from an external command (the profile
 * setting credential_process). The command runs through /bin/sh -c, as the
 * AWS CLI documents; its standard output must be the JSON document
 * {"Version":1,"AccessKeyId":...,"SecretAccessKey":...,"SessionToken":...,
 * "Expiration":...}. Its standard error passes through. It must finish
 * within 60 s and print at most 64 KiB.
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

#include "aws_buf.h"
#include "aws_creds.h"

#define PROCESS_TIMEOUT_MS 60000
#define PROCESS_MAX_OUT (64 * 1024)

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int aws_creds_from_process(const char *command, aws_creds *out, char *err, size_t errlen)
{
    int fds[2];
    if (!command || !*command) {
        snprintf(err, errlen, "credential_process is empty");
        return AWS_CRED_FAILED;
    }
    if (pipe2(fds, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "credential_process: pipe: %s", strerror(errno));
        return AWS_CRED_FAILED;
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]), close(fds[1]);
        snprintf(err, errlen, "credential_process: fork: %s", strerror(errno));
        return AWS_CRED_FAILED;
    }
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, STDIN_FILENO);
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    abuf b;
    abuf_init(&b);
    b.limit = PROCESS_MAX_OUT;
    long long deadline = now_ms() + PROCESS_TIMEOUT_MS;
    int timed_out = 0;
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) {
            timed_out = 1;
            break;
        }
        struct pollfd p = {fds[0], POLLIN, 0};
        int r = poll(&p, 1, (int)(left > 1000 ? 1000 : left));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            continue;
        char tmp[4096];
        ssize_t n = read(fds[0], tmp, sizeof tmp);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (abuf_add(&b, tmp, (size_t)n) != 0) {
            explicit_bzero(tmp, sizeof tmp);
            break;
        }
        explicit_bzero(tmp, sizeof tmp);
    }
    close(fds[0]);
    if (timed_out || b.failed)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    int rc;
    if (timed_out) {
        snprintf(err, errlen, "credential_process did not finish within %d s", PROCESS_TIMEOUT_MS / 1000);
        rc = AWS_CRED_FAILED;
    } else if (b.failed) {
        snprintf(err, errlen, "credential_process printed more than 64 KiB");
        rc = AWS_CRED_FAILED;
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(err, errlen, "credential_process failed (exit status %d)",
                 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        rc = AWS_CRED_FAILED;
    } else {
        rc = aws_creds_parse_json(abuf_cstr(&b), "SessionToken", out, "credential_process", err, errlen);
    }
    abuf_wipe(&b);
    return rc;
}
