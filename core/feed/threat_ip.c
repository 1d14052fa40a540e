/*
 * core/feed/threat_ip.c - the rule-language function threat.ip(x): true
 * when the IP address or CIDR range x overlaps an "ip" or "cidr" indicator
 * of any feed in the store (docs/feeds.md). A rule can so flag a security
 * group whose allowed range contains a known-bad network: 0.0.0.0/0
 * overlaps every listed range, 10.0.0.0/8 only the listed ones inside it.
 */
#include "config.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cel/cel.h"
#include "feed/feed.h"

typedef struct net {
    unsigned char addr[16];
    int v6;
    int bits;
} net;

struct feed_ipset {
    net *v;
    size_t n, cap;
};

/* "a.b.c.d", "a.b.c.d/n", "x::y", "x::y/n" -> @out; 0 or -1. */
static int parse_net(const char *s, net *out)
{
    char buf[64];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n + 1);
    char *slash = strchr(buf, '/');
    long bits = -1;
    if (slash) {
        char *end;
        *slash = '\0';
        if (!slash[1])
            return -1;
        bits = strtol(slash + 1, &end, 10);
        if (*end || bits < 0)
            return -1;
    }
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, buf, out->addr) == 1) {
        out->v6 = 0;
        if (bits > 32)
            return -1;
        out->bits = bits < 0 ? 32 : (int)bits;
    } else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
        out->v6 = 1;
        if (bits > 128)
            return -1;
        out->bits = bits < 0 ? 128 : (int)bits;
    } else {
        return -1;
    }
    return 0;
}

/* Do @a and @b share an address: equal in their first min(bits) bits. */
static int overlaps(const net *a, const net *b)
{
    if (a->v6 != b->v6)
        return 0;
    int bits = a->bits < b->bits ? a->bits : b->bits;
    int bytes = bits / 8, rest = bits % 8;
    if (memcmp(a->addr, b->addr, (size_t)bytes) != 0)
        return 0;
    if (rest) {
        unsigned char mask = (unsigned char)(0xffu << (8 - rest));
        if ((a->addr[bytes] & mask) != (b->addr[bytes] & mask))
            return 0;
    }
    return 1;
}

feed_ipset *feed_ipset_new(void)
{
    return calloc(1, sizeof(feed_ipset));
}

int feed_ipset_add(feed_ipset *s, const char *text)
{
    net x;
    if (parse_net(text, &x) != 0)
        return -1;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        net *nv = realloc(s->v, cap * sizeof *nv);
        if (!nv)
            return -1;
        s->v = nv;
        s->cap = cap;
    }
    s->v[s->n++] = x;
    return 0;
}

int feed_ipset_match(const feed_ipset *s, const char *text)
{
    net x;
    if (parse_net(text, &x) != 0)
        return -1;
    for (size_t i = 0; i < s->n; i++)
        if (overlaps(&x, &s->v[i]))
            return 1;
    return 0;
}

size_t feed_ipset_size(const feed_ipset *s)
{
    return s->n;
}

void feed_ipset_free(feed_ipset *s)
{
    if (s) {
        free(s->v);
        free(s);
    }
}

int feed_ipset_load(feed_ipset *s, const char *db_path, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", db_path, db ? sqlite3_errmsg(db) : "cannot open");
        sqlite3_close(db);
        return -1;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT value FROM indicators WHERE kind IN ('ip','cidr')", -1, &st, NULL) !=
        SQLITE_OK) {
        sqlite3_close(db); /* no indicators table: an empty set */
        return 0;
    }
    int rc = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        net tmp;
        if (!v || parse_net(v, &tmp) != 0)
            continue; /* not an address this function can use */
        if (feed_ipset_add(s, v) != 0) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
            break;
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

/* threat.ip(x): the CEL binding over one set. */
static int threat_ip_fn(void *ud, const char *args_json, char **result)
{
    const feed_ipset *s = ud;
    cJSON *args = cJSON_Parse(args_json);
    const cJSON *x = cJSON_GetArrayItem(args, 0);
    int rc = 1;
    if (!cJSON_IsString(x)) {
        *result = strdup("threat.ip: the argument must be an IP address or CIDR range string");
    } else {
        int m = feed_ipset_match(s, x->valuestring);
        if (m < 0) {
            char msg[160];
            snprintf(msg, sizeof msg, "threat.ip: '%.60s' is not an IP address or CIDR range", x->valuestring);
            *result = strdup(msg);
        } else {
            *result = strdup(m ? "true" : "false");
            rc = 0;
        }
    }
    cJSON_Delete(args);
    return rc;
}

int feed_threat_ip_register(const feed_ipset *s, const char **why)
{
    return cel_global_add_function("threat.ip", 1, 1, threat_ip_fn, NULL, (void *)s, why);
}

/* ---- the store's set, loaded on the first call ---- */

static char *g_store_path;
static feed_ipset *g_store_set;
static char g_store_err[400];
static pthread_once_t g_store_once = PTHREAD_ONCE_INIT;

static void load_store_set(void)
{
    feed_ipset *s = feed_ipset_new();
    if (!s) {
        snprintf(g_store_err, sizeof g_store_err, "threat.ip: out of memory");
        return;
    }
    char err[300];
    if (feed_ipset_load(s, g_store_path, err, sizeof err) != 0) {
        snprintf(g_store_err, sizeof g_store_err, "threat.ip: cannot read the indicators: %s", err);
        feed_ipset_free(s);
        return;
    }
    g_store_set = s;
}

static int threat_ip_store_fn(void *ud, const char *args_json, char **result)
{
    (void)ud;
    pthread_once(&g_store_once, load_store_set);
    if (!g_store_set) {
        *result = strdup(g_store_err);
        return 1;
    }
    return threat_ip_fn(g_store_set, args_json, result);
}

int feed_threat_ip_register_store(const char *db_path, const char **why)
{
    if (g_store_path) {
        *why = "threat.ip is already registered";
        return -1;
    }
    if (!(g_store_path = strdup(db_path ? db_path : ""))) {
        *why = "out of memory";
        return -1;
    }
    return cel_global_add_function("threat.ip", 1, 1, threat_ip_store_fn, NULL, NULL, why);
}
