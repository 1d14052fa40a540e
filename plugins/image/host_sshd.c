/*
 * plugins/image/host_sshd.c - the OpenSSH server settings of a root
 * filesystem, resolved as sshd resolves them, from files already read.
 *
 * Semantics kept (sshd_config(5)): keywords are case-insensitive; a
 * keyword and its arguments are separated by spaces or one '='; for each
 * keyword the first value obtained wins; Include takes glob patterns
 * (relative ones are under /etc/ssh), reads the matches in sorted order
 * at the point of the directive, and may appear in a Match block (then
 * what it includes is conditional too); Match starts a conditional block
 * that lasts until the next Match (or "Match all") or the end of its file.
 * Values set in Match blocks are not the global value: they are listed
 * apart with their criteria. Defaults when nothing sets them:
 * PermitRootLogin prohibit-password (OpenSSH 7.0 and later),
 * PasswordAuthentication yes.
 * Includes nest at most 16 deep (as sshd); patterns outside /etc/ssh are
 * not read (their files are not collected) and are listed as unread.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "disk_vm.h"

#define SSHD_MAX_DEPTH 16
#define SSHD_MAX_ARGS 64
#define SSHD_MAX_MATCH 64

typedef struct match_block {
    char criteria[256];
    char at[300];
    char root[32];
    int password; /* -1 unset */
} match_block;

typedef struct sshd_ctx {
    const img_host_file *files;
    size_t n;
    img_sshd *out;
    int root_set, password_set;
    match_block blocks[SSHD_MAX_MATCH];
    size_t n_blocks;
    size_t lines; /* lines read over all files (a cap against include fans) */
} sshd_ctx;

/* Split @line into words: spaces separate, "quoted words" keep spaces, '#' at the start of a word ends the line;
 * the first word may end at '=' (keyword=value). Returns the word count. */
static int split_words(char *line, char **argv, int max)
{
    int n = 0;
    char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p || *p == '#' || max < 1)
        return 0;
    argv[n++] = p;
    while (*p && *p != ' ' && *p != '\t' && *p != '=')
        p++;
    if (*p) {
        int eq = *p == '=';
        *p++ = '\0';
        for (;;) {
            if (*p == ' ' || *p == '\t') {
                p++;
            } else if (*p == '=' && !eq) {
                eq = 1;
                p++;
            } else {
                break;
            }
        }
    }
    while (*p && n < max) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#')
            break;
        char *start = p;
        if (*p == '"') {
            start = ++p;
            while (*p && *p != '"')
                p++;
        } else {
            while (*p && *p != ' ' && *p != '\t')
                p++;
        }
        if (*p)
            *p++ = '\0';
        argv[n++] = start;
    }
    return n;
}

static const img_host_file *find(const sshd_ctx *c, const char *path)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->files[i].path, path))
            return &c->files[i];
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void parse_file(sshd_ctx *c, const img_host_file *f, int depth, match_block *in_match);

static void include(sshd_ctx *c, const char *pattern, int depth, match_block *in_match)
{
    char full[1024];
    if (pattern[0] == '/')
        snprintf(full, sizeof full, "%s", pattern + 1);
    else
        snprintf(full, sizeof full, "etc/ssh/%s", pattern);
    if (strncmp(full, "etc/ssh/", 8) != 0) {
        if (c->out->unread_json.len > 1)
            img_buf_add(&c->out->unread_json, ",", 1);
        char shown[256];
        img_display(pattern, shown, sizeof shown);
        img_buf_json_str(&c->out->unread_json, shown);
        return;
    }
    const char **hits = calloc(c->n ? c->n : 1, sizeof *hits);
    if (!hits)
        return;
    size_t nh = 0;
    for (size_t i = 0; i < c->n; i++)
        if (fnmatch(full, c->files[i].path, FNM_PATHNAME | FNM_PERIOD) == 0)
            hits[nh++] = c->files[i].path;
    qsort(hits, nh, sizeof *hits, cmp_str);
    for (size_t i = 0; i < nh; i++)
        parse_file(c, find(c, hits[i]), depth + 1, in_match);
    free(hits);
}

static void parse_file(sshd_ctx *c, const img_host_file *f, int depth, match_block *in_match)
{
    if (!f || depth > SSHD_MAX_DEPTH)
        return;
    match_block *block = in_match; /* a Match in this file ends with the file */
    size_t pos = 0, lineno = 0;
    while (pos < f->len && c->lines < 100000) {
        const char *nl = memchr(f->data + pos, '\n', f->len - pos);
        size_t n = nl ? (size_t)(nl - (f->data + pos)) : f->len - pos;
        lineno++;
        c->lines++;
        char line[4096];
        size_t cut = n < sizeof line - 1 ? n : sizeof line - 1;
        memcpy(line, f->data + pos, cut);
        line[cut] = '\0';
        pos += n + 1;
        for (char *q = line; *q; q++)
            if (*q == '\r')
                *q = ' ';
        char *argv[SSHD_MAX_ARGS];
        int argc = split_words(line, argv, SSHD_MAX_ARGS);
        if (argc == 0)
            continue;
        char at[300];
        snprintf(at, sizeof at, "/%.260s:%zu", f->path, lineno);
        if (!strcasecmp(argv[0], "Match")) {
            if (argc == 2 && !strcasecmp(argv[1], "all")) {
                block = NULL;
                continue;
            }
            if (c->n_blocks == SSHD_MAX_MATCH) {
                block = &c->blocks[SSHD_MAX_MATCH - 1]; /* overflow: merged into the last */
                continue;
            }
            block = &c->blocks[c->n_blocks++];
            memset(block, 0, sizeof *block);
            block->password = -1;
            size_t used = 0;
            for (int i = 1; i < argc && used + 2 < sizeof block->criteria; i++)
                used += (size_t)snprintf(block->criteria + used, sizeof block->criteria - used, "%s%s",
                                         i > 1 ? " " : "", argv[i]);
            snprintf(block->at, sizeof block->at, "%s", at);
            continue;
        }
        if (!strcasecmp(argv[0], "Include")) {
            for (int i = 1; i < argc; i++)
                include(c, argv[i], depth, block);
            continue;
        }
        if (argc < 2)
            continue;
        if (!strcasecmp(argv[0], "PermitRootLogin")) {
            char v[32];
            snprintf(v, sizeof v, "%s", argv[1]);
            for (char *q = v; *q; q++)
                *q = (char)tolower((unsigned char)*q);
            if (block) {
                if (!block->root[0])
                    snprintf(block->root, sizeof block->root, "%s", v);
            } else if (!c->root_set) {
                c->root_set = 1;
                snprintf(c->out->permit_root_login, sizeof c->out->permit_root_login, "%s", v);
                snprintf(c->out->permit_root_login_at, sizeof c->out->permit_root_login_at, "%s", at);
            }
        } else if (!strcasecmp(argv[0], "PasswordAuthentication")) {
            int v = !strcasecmp(argv[1], "yes");
            if (block) {
                if (block->password < 0)
                    block->password = v;
            } else if (!c->password_set) {
                c->password_set = 1;
                c->out->password_authentication = v;
                snprintf(c->out->password_authentication_at, sizeof c->out->password_authentication_at, "%s", at);
            }
        }
    }
}

void img_sshd_resolve(const img_host_file *files, size_t n, img_sshd *out)
{
    sshd_ctx *c = calloc(1, sizeof *c);
    memset(out, 0, sizeof *out);
    snprintf(out->permit_root_login, sizeof out->permit_root_login, "prohibit-password");
    snprintf(out->permit_root_login_at, sizeof out->permit_root_login_at, "default");
    out->password_authentication = 1;
    snprintf(out->password_authentication_at, sizeof out->password_authentication_at, "default");
    img_buf_add(&out->match_json, "[", 1);
    img_buf_add(&out->unread_json, "[", 1);
    if (c) {
        c->files = files;
        c->n = n;
        c->out = out;
        const img_host_file *main = find(c, "etc/ssh/sshd_config");
        out->present = main != NULL;
        parse_file(c, main, 0, NULL);
        int first = 1;
        for (size_t i = 0; i < c->n_blocks; i++) {
            const match_block *b = &c->blocks[i];
            if (!b->root[0] && b->password < 0)
                continue;
            img_buf_add(&out->match_json, first ? "{\"criteria\":" : ",{\"criteria\":", first ? 12 : 13);
            img_buf_json_str(&out->match_json, b->criteria);
            img_buf_add(&out->match_json, ",\"at\":", 6);
            img_buf_json_str(&out->match_json, b->at);
            if (b->root[0]) {
                img_buf_add(&out->match_json, ",\"permitRootLogin\":", 19);
                img_buf_json_str(&out->match_json, b->root);
            }
            if (b->password >= 0)
                img_buf_printf(&out->match_json, ",\"passwordAuthentication\":%s", b->password ? "true" : "false");
            img_buf_add(&out->match_json, "}", 1);
            first = 0;
        }
        free(c);
    }
    img_buf_add(&out->match_json, "]", 1);
    img_buf_add(&out->unread_json, "]", 1);
}
