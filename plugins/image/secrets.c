/*
 * plugins/image/secrets.c - secrets in image files and in the config's
 * environment.
 *
 * Rules (token shapes are the vendors' documented formats):
 *   aws-access-key     AKIA/ASIA + 16 upper-case letters or digits
 *   private-key        a PEM "-----BEGIN ... PRIVATE KEY-----" block
 *   github-token       ghp_, gho_, ghu_, ghs_, ghr_ + 36 alphanumerics;
 *                      github_pat_ + 82 of [A-Za-z0-9_]
 *   gitlab-token       glpat- + 20 of [A-Za-z0-9_-]
 *   slack-token        xoxb-, xoxp-, xoxa-, xoxr-, xoxs- + 10 or more of [A-Za-z0-9-]
 *   gcp-service-account-key  a JSON key file: "type": "service_account"
 *                      with a "private_key"
 * A finding keeps the path, the layer, the line and a redacted value (the
 * first 4 characters and the length); the secret itself is never stored,
 * logged or emitted, and the bytes it was read from are wiped.
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

static int tok_char(int c, const char *extra)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (extra && c && strchr(extra, c));
}

static void redact(const unsigned char *p, size_t n, char *out, size_t outlen)
{
    snprintf(out, outlen, "%.4s... (%zu characters)", (const char *)p, n);
}

static unsigned line_of(const unsigned char *data, const unsigned char *at)
{
    unsigned line = 1;
    for (const unsigned char *q = data; q < at; q++)
        line += *q == '\n';
    return line;
}

/* Match a token: @prefix then [min,max] characters of the class. Returns its length or 0. */
static size_t token_at(const unsigned char *p, const unsigned char *end, const char *prefix, const char *extra,
                       size_t min, size_t max, int upper_only)
{
    size_t pl = strlen(prefix);
    if ((size_t)(end - p) < pl || memcmp(p, prefix, pl))
        return 0;
    size_t n = 0;
    while (p + pl + n < end && n <= max) {
        int c = p[pl + n];
        if (upper_only ? !((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) : !tok_char(c, extra))
            break;
        n++;
    }
    if (n < min || n > max)
        return 0;
    return pl + n;
}

typedef struct token_rule {
    const char *id;
    const char *prefix;
    const char *extra;
    size_t min, max;
    int upper_only;
} token_rule;

static const token_rule token_rules[] = {
    {"aws-access-key", "AKIA", NULL, 16, 16, 1}, {"aws-access-key", "ASIA", NULL, 16, 16, 1},
    {"github-token", "ghp_", NULL, 36, 36, 0},   {"github-token", "gho_", NULL, 36, 36, 0},
    {"github-token", "ghu_", NULL, 36, 36, 0},   {"github-token", "ghs_", NULL, 36, 36, 0},
    {"github-token", "ghr_", NULL, 36, 36, 0},   {"github-token", "github_pat_", "_", 82, 82, 0},
    {"gitlab-token", "glpat-", "_-", 20, 20, 0}, {"slack-token", "xoxb-", "-", 10, 250, 0},
    {"slack-token", "xoxp-", "-", 10, 250, 0},   {"slack-token", "xoxa-", "-", 10, 250, 0},
    {"slack-token", "xoxr-", "-", 10, 250, 0},   {"slack-token", "xoxs-", "-", 10, 250, 0},
};

/* Find token secrets in @data; call @found for each. */
static void find_tokens(const unsigned char *data, size_t len,
                        void (*found)(void *, const char *, const unsigned char *, size_t), void *ud)
{
    const unsigned char *end = data + len;
    /* anchors: 'A' (AKIA/ASIA), 'g' (gh*, glpat), 'x' (xox*) */
    const char anchors[] = {'A', 'g', 'x'};
    for (size_t a = 0; a < sizeof anchors; a++) {
        const unsigned char *p = data;
        while (p < end && (p = memchr(p, anchors[a], (size_t)(end - p)))) {
            if (p > data && tok_char(p[-1], "_-")) {
                p++;
                continue;
            }
            size_t best = 0;
            const token_rule *r = NULL;
            for (size_t i = 0; i < sizeof token_rules / sizeof token_rules[0]; i++) {
                if (token_rules[i].prefix[0] != anchors[a])
                    continue;
                size_t n = token_at(p, end, token_rules[i].prefix, token_rules[i].extra, token_rules[i].min,
                                    token_rules[i].max, token_rules[i].upper_only);
                if (n && (p + n == end || !tok_char(p[n], token_rules[i].upper_only ? NULL : token_rules[i].extra))) {
                    best = n;
                    r = &token_rules[i];
                    break;
                }
            }
            if (r) {
                found(ud, r->id, p, best);
                p += best;
            } else {
                p++;
            }
        }
    }
    /* PEM private keys */
    const unsigned char *p = data;
    while (p < end && (p = memmem(p, (size_t)(end - p), "-----BEGIN ", 11))) {
        const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
        const unsigned char *le = nl ? nl : end;
        if (le - p < 200 && memmem(p, (size_t)(le - p), "PRIVATE KEY-----", 16))
            found(ud, "private-key", p, (size_t)(le - p));
        p = le;
    }
}

typedef struct file_ctx {
    img_scan *s;
    int layer;
    const char *path;
    const unsigned char *data;
} file_ctx;

static void file_found(void *ud, const char *rule, const unsigned char *p, size_t n)
{
    file_ctx *c = ud;
    char red[96];
    if (!strcmp(rule, "private-key"))
        snprintf(red, sizeof red, "%.*s", (int)(n > 60 ? 60 : n), (const char *)p); /* the header line only */
    else
        redact(p, n, red, sizeof red);
    img_hit_add(c->s, c->layer, c->path, rule, red, NULL, line_of(c->data, p));
}

void img_secrets_scan(img_scan *s, int layer, const char *path, const unsigned char *data, size_t len)
{
    file_ctx c = {s, layer, path, data};
    find_tokens(data, len, file_found, &c);
    /* a GCP service-account key file is JSON with these two members */
    if (len < 64 * 1024 && memmem(data, len, "\"service_account\"", 17) && memmem(data, len, "\"private_key\"", 13)) {
        cJSON *j = cJSON_ParseWithLength((const char *)data, len);
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "type"));
        const char *kid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "private_key_id"));
        if (type && !strcmp(type, "service_account") && cJSON_GetObjectItemCaseSensitive(j, "private_key")) {
            char red[96];
            redact((const unsigned char *)(kid ? kid : "key"), kid ? strlen(kid) : 3, red, sizeof red);
            img_hit_add(s, layer, path, "gcp-service-account-key", red, NULL, 1);
        }
        if (j) {
            /* the parsed copy holds the key: wipe its strings before freeing */
            cJSON *pk = cJSON_GetObjectItemCaseSensitive(j, "private_key");
            if (cJSON_IsString(pk))
                explicit_bzero(pk->valuestring, strlen(pk->valuestring));
        }
        cJSON_Delete(j);
    }
}

static const char *rule_title(const char *rule)
{
    if (!strcmp(rule, "aws-access-key"))
        return "AWS access key in an image file";
    if (!strcmp(rule, "private-key"))
        return "Private key in an image file";
    if (!strcmp(rule, "github-token"))
        return "GitHub token in an image file";
    if (!strcmp(rule, "gitlab-token"))
        return "GitLab token in an image file";
    if (!strcmp(rule, "slack-token"))
        return "Slack token in an image file";
    if (!strcmp(rule, "gcp-service-account-key"))
        return "GCP service-account key in an image file";
    return "Secret in an image file";
}

static void emit_finding(img_emit *em, const char *rule_id, const char *title, const char *msg, const char *evidence)
{
    pp_finding f;
    PP_INIT(&f);
    f.rule_id = rule_id;
    f.resource_uid = em->uid;
    f.resource_type = "image.container";
    f.status = PP_STATUS_FAIL;
    f.severity = PP_SEV_HIGH;
    f.title = title;
    f.message = msg;
    f.evidence_json = evidence;
    f.remediation = "Remove the secret from the image, rotate it, and pass secrets at run time instead.";
    f.provider = "image";
    em->s->api->emit_finding(em->s->h, &f);
}

void img_secrets_emit(img_emit *em)
{
    img_scan *s = em->s;
    for (size_t i = 0; i < s->n_hits; i++) {
        const img_hit *h = &s->hits[i];
        if (!strcmp(h->rule, "go-binary") || !strncmp(h->rule, "pkg-", 4)) /* packages, not secrets */
            continue;
        int visible = img_visible(s, h->layer, h->path);
        const char *layer = s->layers[h->layer].digest;
        img_buf ev = {0}, msg = {0}, id = {0};
        img_buf_add(&ev, "{\"path\":", 8);
        img_buf_json_str(&ev, h->path);
        img_buf_add(&ev, ",\"layer\":", 9);
        if (layer)
            img_buf_json_str(&ev, layer);
        else
            img_buf_add(&ev, "null", 4);
        img_buf_printf(&ev, ",\"line\":%u,\"redacted\":", h->line);
        img_buf_json_str(&ev, h->detail);
        img_buf_printf(&ev, ",\"visible\":%s}", visible ? "true" : "false");
        char shown[256];
        img_display(h->path, shown, sizeof shown);
        img_buf_printf(&msg, "%s in /%s line %u (layer %s)%s: %s", rule_title(h->rule), shown, h->line,
                       layer ? layer : "-", visible ? "" : ", deleted by a later layer but still in the image",
                       h->detail);
        img_buf_printf(&id, "image-secret-%s", h->rule);
        emit_finding(em, id.data, rule_title(h->rule), msg.data, ev.data);
        img_buf_free(&ev);
        img_buf_free(&msg);
        img_buf_free(&id);
    }
}

/* ENV entries whose value is a token, or whose name says secret and has a value. */
typedef struct env_ctx {
    img_emit *em;
    const char *name;
    int hit;
} env_ctx;

static void env_found(void *ud, const char *rule, const unsigned char *p, size_t n)
{
    env_ctx *c = ud;
    char red[96], msg[512], ev[512];
    redact(p, n, red, sizeof red);
    c->hit = 1;
    snprintf(msg, sizeof msg, "The image config sets %s to a value that looks like a %s: %s", c->name, rule, red);
    img_buf e = {0};
    img_buf_add(&e, "{\"env\":", 7);
    img_buf_json_str(&e, c->name);
    img_buf_add(&e, ",\"rule\":", 8);
    img_buf_json_str(&e, rule);
    img_buf_add(&e, ",\"redacted\":", 12);
    img_buf_json_str(&e, red);
    img_buf_add(&e, "}", 1);
    snprintf(ev, sizeof ev, "%s", e.data ? e.data : "{}");
    img_buf_free(&e);
    emit_finding(c->em, "image-env-secret", "Secret in the image's environment", msg, ev);
}

void img_env_secrets_emit(img_emit *em, const char *config_json)
{
    cJSON *cfg = config_json ? cJSON_Parse(config_json) : NULL;
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cfg, "config"), "Env");
    const cJSON *e;
    cJSON_ArrayForEach(e, env)
    {
        if (!cJSON_IsString(e))
            continue;
        char *kv = e->valuestring;
        char *eq = strchr(kv, '=');
        if (!eq)
            continue;
        *eq = '\0';
        env_ctx c = {em, kv, 0};
        find_tokens((const unsigned char *)eq + 1, strlen(eq + 1), env_found, &c);
        if (!c.hit && eq[1]) {
            static const char *const words[] = {"PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "PRIVATE_KEY"};
            for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
                if (strcasestr(kv, words[w])) {
                    env_found(&c, "secret by its name", (const unsigned char *)eq + 1, strlen(eq + 1));
                    break;
                }
            }
        }
        explicit_bzero(eq + 1, strlen(eq + 1));
    }
    cJSON_Delete(cfg);
}
