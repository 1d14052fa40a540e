/*
 * core/cel/cel_cli.c - `parapet policy eval 'EXPR' [--input FILE.json]`.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cel.h"

#define MAX_INPUT_BYTES (64u << 20)

/* Read @path whole; NULL with *why on failure. */
static char *read_file(const char *path, const char **why)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *why = strerror(errno);
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            if (cap >= MAX_INPUT_BYTES) {
                *why = "file is larger than 64 MiB";
                free(buf);
                buf = NULL;
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                *why = strerror(errno ? errno : EIO);
                free(buf);
                buf = NULL;
            }
            break;
        }
    }
    if (!buf && !*why)
        *why = "out of memory";
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

/* Line and column of byte offset @off in @text. */
static void position(const char *text, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && text[i]; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

int cel_cli_eval(const char *expr, const char *input_json_path, FILE *out, FILE *err)
{
    int rc = 2;
    cJSON *doc = NULL;
    cel_env *env = NULL;
    cel_program *prog = NULL;
    cel_vars *vars = NULL;
    cel_result *res = NULL;
    char *text = NULL;

    if (!expr) {
        fprintf(err, "parapet: error: no expression given\n");
        return 2;
    }
    if (input_json_path) {
        const char *why = NULL;
        text = read_file(input_json_path, &why);
        if (!text) {
            fprintf(err, "parapet: error: cannot read %s: %s\n", input_json_path, why);
            goto done;
        }
        const char *end = NULL;
        doc = cJSON_ParseWithOpts(text, &end, 1);
        if (!doc) {
            int line, col;
            size_t off = end ? (size_t)(end - text) : 0;
            position(text, off, &line, &col);
            fprintf(err, "parapet: error: %s:%d:%d: invalid JSON (or nested deeper than %d levels)\n",
                    input_json_path, line, col, CJSON_NESTING_LIMIT);
            goto done;
        }
    } else {
        doc = cJSON_CreateObject();
        if (!doc) {
            fprintf(err, "parapet: error: out of memory\n");
            goto done;
        }
    }
    env = cel_env_new_policy();
    vars = cel_vars_new();
    if (!env || !vars) {
        fprintf(err, "parapet: error: out of memory\n");
        goto done;
    }
    cel_compile_error cerr;
    prog = cel_compile(env, expr, &cerr);
    if (!prog) {
        fprintf(err, "parapet: error: %s\n", cerr.text);
        goto done;
    }
    const char *why = NULL;
    if (cel_vars_set_json(vars, "resource", doc, &why) < 0) {
        fprintf(err, "parapet: error: %s: %s\n", input_json_path ? input_json_path : "resource", why);
        goto done;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    cel_vars_set_timestamp(vars, "now", (int64_t)ts.tv_sec, (int32_t)ts.tv_nsec);
    res = cel_eval(prog, vars, NULL);
    if (!res) {
        fprintf(err, "parapet: error: out of memory\n");
        goto done;
    }
    if (cel_result_error(res)) {
        fprintf(err, "parapet: error: evaluation failed: %s\n", cel_result_error(res));
        goto done;
    }
    char *json = cel_result_json(res, 0);
    if (!json) {
        fprintf(err, "parapet: error: out of memory\n");
        goto done;
    }
    fprintf(out, "%s\n", json);
    free(json);
    rc = 0;
done:
    cel_result_free(res);
    cel_vars_free(vars);
    cel_program_free(prog);
    cel_env_free(env);
    cJSON_Delete(doc);
    free(text);
    return rc;
}
