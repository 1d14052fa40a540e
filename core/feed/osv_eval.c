/*
 * core/feed/osv_eval.c - does an OSV record affect a package? The affected
 * ranges of the OSV schema (https://ossf.github.io/osv-schema/), evaluated
 * with core/vercmp.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "feed/feed.h"
#include "vercmp/vercmp.h"

#define MAX_EVENTS 512

static int eco_base_is(const char *eco, const char *base)
{
    size_t n = strlen(base);
    return eco && strncasecmp(eco, base, n) == 0 && (eco[n] == '\0' || eco[n] == ':');
}

void feed_pkg_key(const feed_pkg *p, const char **name, const char **version)
{
    *name = p->name;
    *version = p->version;
    if ((eco_base_is(p->ecosystem, "Debian") || eco_base_is(p->ecosystem, "Ubuntu") ||
         eco_base_is(p->ecosystem, "Alpine")) &&
        p->source_name && *p->source_name) {
        *name = p->source_name;
        if (p->source_version && *p->source_version)
            *version = p->source_version;
    }
}

void feed_norm_name(const char *ecosystem, const char *name, char *out, size_t n)
{
    if (n == 0)
        return;
    if (!eco_base_is(ecosystem, "PyPI")) {
        snprintf(out, n, "%s", name);
        return;
    }
    size_t o = 0;
    int sep = 0;
    for (const char *s = name; *s && o + 1 < n; s++) {
        if (*s == '-' || *s == '_' || *s == '.') {
            sep = 1;
            continue;
        }
        if (sep && o > 0 && o + 2 < n)
            out[o++] = '-';
        sep = 0;
        out[o++] = (char)tolower((unsigned char)*s);
    }
    out[o] = '\0';
}

/* The scheme of an OSV ecosystem (a few use plain semver without vercmp naming them). */
static int scheme_of(const char *eco, vercmp_scheme *s)
{
    if (vercmp_scheme_from_name(eco, s) == 0)
        return 0;
    if (eco_base_is(eco, "crates.io") || eco_base_is(eco, "Hex") || eco_base_is(eco, "Pub") ||
        eco_base_is(eco, "NuGet")) {
        *s = VERCMP_SEMVER;
        return 0;
    }
    return -1;
}

typedef enum ev_kind { EV_INTRODUCED, EV_FIXED, EV_LAST_AFFECTED, EV_LIMIT } ev_kind;

typedef struct event {
    ev_kind kind;
    const char *ver; /* NULL for introduced "0": before every version */
} event;

typedef struct cmp_ctx {
    vercmp_scheme scheme;
    int failed;
    char why[200];
} cmp_ctx;

static int vcmp(cmp_ctx *c, const char *a, const char *b)
{
    if (!a)
        return b ? -1 : 0;
    if (!b)
        return 1;
    int r = 0;
    if (vercmp_compare(c->scheme, a, b, &r, c->why, sizeof c->why) != 0) {
        c->failed = 1;
        return 0;
    }
    return r;
}

/* SEMVER ranges use bare versions: drop the "v" of Go-style versions. */
static const char *bare(const char *v, int semver_range)
{
    return semver_range && v && v[0] == 'v' && isdigit((unsigned char)v[1]) ? v + 1 : v;
}

/*
 * Evaluate one range. Returns 1 affected (fixed set), 0 not, -1 when the
 * range cannot be evaluated (@note says why).
 */
static int eval_range(const cJSON *range, vercmp_scheme eco_scheme, const char *version, char *fixed, size_t fixedlen,
                      char *note, size_t notelen)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(range, "type");
    if (!cJSON_IsString(type))
        return 0;
    int semver = !strcmp(type->valuestring, "SEMVER");
    if (!semver && strcmp(type->valuestring, "ECOSYSTEM") != 0)
        return 0; /* GIT: commits, not versions */
    cmp_ctx c = {semver ? VERCMP_SEMVER : eco_scheme, 0, ""};
    event ev[MAX_EVENTS];
    size_t n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(range, "events"))
    {
        if (n == MAX_EVENTS) {
            snprintf(note, notelen, "more than %d events in a range", MAX_EVENTS);
            return -1;
        }
        const cJSON *kv = e->child;
        if (!cJSON_IsObject(e) || !kv || kv->next || !cJSON_IsString(kv) || !kv->string) {
            snprintf(note, notelen, "an event is not {\"KIND\": \"VERSION\"}");
            return -1;
        }
        ev_kind k;
        if (!strcmp(kv->string, "introduced"))
            k = EV_INTRODUCED;
        else if (!strcmp(kv->string, "fixed"))
            k = EV_FIXED;
        else if (!strcmp(kv->string, "last_affected"))
            k = EV_LAST_AFFECTED;
        else if (!strcmp(kv->string, "limit"))
            k = EV_LIMIT;
        else {
            snprintf(note, notelen, "unknown event \"%.40s\"", kv->string);
            return -1;
        }
        const char *v = kv->valuestring;
        if (k == EV_INTRODUCED && !strcmp(v, "0"))
            v = NULL;
        if (k == EV_LIMIT)
            continue; /* limits only bound GIT walks */
        ev[n++] = (event){k, bare(v, semver)};
        if (v && vcmp(&c, ev[n - 1].ver, ev[n - 1].ver) != 0) {
            snprintf(note, notelen, "event version \"%.60s\" is invalid: %s", v, c.why);
            return -1;
        }
        if (c.failed) {
            snprintf(note, notelen, "event version \"%.60s\" is invalid: %s", v, c.why);
            return -1;
        }
    }
    /* sort by version (insertion sort: ranges are short); "introduced 0" first */
    for (size_t i = 1; i < n; i++) {
        event x = ev[i];
        size_t j = i;
        while (j > 0 && vcmp(&c, ev[j - 1].ver, x.ver) > 0) {
            ev[j] = ev[j - 1];
            j--;
        }
        ev[j] = x;
    }
    if (c.failed) {
        snprintf(note, notelen, "a range version is invalid: %s", c.why);
        return -1;
    }
    const char *v = bare(version, semver);
    (void)vcmp(&c, v, v);
    if (c.failed) {
        snprintf(note, notelen, "the package version is invalid: %s", c.why);
        return -2;
    }
    int affected = 0;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (ev[i].kind == EV_INTRODUCED && vcmp(&c, v, ev[i].ver) >= 0) {
            affected = 1;
            at = i;
        } else if (ev[i].kind == EV_FIXED && vcmp(&c, v, ev[i].ver) >= 0) {
            affected = 0;
        } else if (ev[i].kind == EV_LAST_AFFECTED && vcmp(&c, v, ev[i].ver) > 0) {
            affected = 0;
        }
    }
    if (c.failed) {
        snprintf(note, notelen, "the package version is invalid: %s", c.why);
        return -2;
    }
    if (!affected)
        return 0;
    fixed[0] = '\0';
    for (size_t i = at + 1; i < n; i++) {
        if (ev[i].kind == EV_FIXED) {
            snprintf(fixed, fixedlen, "%s", ev[i].ver);
            break;
        }
        if (ev[i].kind == EV_LAST_AFFECTED || ev[i].kind == EV_INTRODUCED)
            break;
    }
    return 1;
}

int feed_osv_affects(const cJSON *doc, const feed_pkg *p, char *fixed, size_t fixedlen, char *err, size_t errlen)
{
    if (errlen)
        err[0] = '\0';
    if (fixedlen)
        fixed[0] = '\0';
    if (!cJSON_IsObject(doc) || cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "withdrawn")))
        return 0;
    const char *name, *version;
    feed_pkg_key(p, &name, &version);
    if (!p->ecosystem || !name || !version)
        return 0;
    char want[512], have[512];
    feed_norm_name(p->ecosystem, name, want, sizeof want);
    vercmp_scheme scheme;
    int known_scheme = scheme_of(p->ecosystem, &scheme) == 0;
    int range_hit = 0, versions_hit = 0, any_unfixed = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(doc, "affected"))
    {
        const cJSON *pkg = cJSON_GetObjectItemCaseSensitive(a, "package");
        const cJSON *eco = cJSON_GetObjectItemCaseSensitive(pkg, "ecosystem");
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(pkg, "name");
        if (!cJSON_IsString(eco) || !cJSON_IsString(nm) || strcmp(eco->valuestring, p->ecosystem) != 0)
            continue;
        feed_norm_name(p->ecosystem, nm->valuestring, have, sizeof have);
        if (strcmp(have, want) != 0)
            continue;
        /* an explicit list of affected versions */
        const cJSON *v;
        cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(a, "versions"))
        {
            if (cJSON_IsString(v) && !strcmp(v->valuestring, version))
                versions_hit = 1;
        }
        if (!known_scheme) {
            if (errlen)
                snprintf(err, errlen, "ecosystem %s: no version ordering known", p->ecosystem);
            continue;
        }
        const cJSON *r;
        cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(a, "ranges"))
        {
            char fx[256] = "", note[300] = "";
            int k = eval_range(r, scheme, version, fx, sizeof fx, note, sizeof note);
            if (k == -2) {
                if (errlen)
                    snprintf(err, errlen, "%s %s: %s", name, version, note);
                return -1;
            }
            if (k < 0 && errlen)
                snprintf(err, errlen, "range skipped: %s", note);
            if (k == 1) {
                /* several ranges may hold the version: the fix must leave all of them */
                if (!range_hit) {
                    snprintf(fixed, fixedlen, "%s", fx);
                    any_unfixed = !fx[0];
                } else if (!fx[0]) {
                    any_unfixed = 1;
                } else {
                    cmp_ctx c = {scheme, 0, ""};
                    if (fixed[0] && vcmp(&c, fx, fixed) > 0)
                        snprintf(fixed, fixedlen, "%s", fx);
                }
                range_hit = 1;
            }
        }
    }
    if (any_unfixed && fixedlen)
        fixed[0] = '\0';
    return range_hit || versions_hit;
}

/* ---- severity ---- */

static double pow15(double x)
{
    double r = 1;
    for (int i = 0; i < 15; i++)
        r *= x;
    return r;
}

/* CVSS v3 "round up": the smallest one-decimal number >= x (3.1 spec, Appendix A). */
static double roundup(double x)
{
    long long i = (long long)(x * 100000.0 + 0.5);
    if (i % 10000 == 0)
        return (double)i / 100000.0;
    return (double)(i / 10000 + 1) / 10.0;
}

double feed_cvss3_score(const char *vector)
{
    if (!vector || (strncmp(vector, "CVSS:3.1/", 9) != 0 && strncmp(vector, "CVSS:3.0/", 9) != 0))
        return -1;
    double av = -1, ac = -1, pr = -1, ui = -1, c = -1, in = -1, av_ = -1;
    char scope = 0, prv = 0;
    const char *p = vector + 9;
    while (*p) {
        const char *colon = strchr(p, ':');
        if (!colon || !colon[1])
            return -1;
        size_t kl = (size_t)(colon - p);
        char val = colon[1];
        const char *next = colon + 2;
        if (*next && *next != '/')
            return -1;
#define KEY(s) (kl == strlen(s) && !strncmp(p, s, kl))
        if (KEY("AV"))
            av = val == 'N' ? 0.85 : val == 'A' ? 0.62 : val == 'L' ? 0.55 : val == 'P' ? 0.2 : -2;
        else if (KEY("AC"))
            ac = val == 'L' ? 0.77 : val == 'H' ? 0.44 : -2;
        else if (KEY("PR"))
            prv = val;
        else if (KEY("UI"))
            ui = val == 'N' ? 0.85 : val == 'R' ? 0.62 : -2;
        else if (KEY("S"))
            scope = val;
        else if (KEY("C") || KEY("I") || KEY("A")) {
            double w = val == 'H' ? 0.56 : val == 'L' ? 0.22 : val == 'N' ? 0 : -2;
            if (KEY("C"))
                c = w;
            else if (KEY("I"))
                in = w;
            else
                av_ = w;
        }
#undef KEY
        p = *next ? next + 1 : next;
    }
    if (scope != 'U' && scope != 'C')
        return -1;
    if (prv == 'N')
        pr = 0.85;
    else if (prv == 'L')
        pr = scope == 'C' ? 0.68 : 0.62;
    else if (prv == 'H')
        pr = scope == 'C' ? 0.5 : 0.27;
    if (av < 0 || ac < 0 || pr < 0 || ui < 0 || c < 0 || in < 0 || av_ < 0)
        return -1;
    double iss = 1 - (1 - c) * (1 - in) * (1 - av_);
    double impact = scope == 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * pow15(iss - 0.02);
    double expl = 8.22 * av * ac * pr * ui;
    if (impact <= 0)
        return 0;
    double base = scope == 'U' ? impact + expl : 1.08 * (impact + expl);
    return roundup(base > 10 ? 10 : base);
}

const char *feed_severity_from_score(double s)
{
    return s >= 9.0 ? "critical" : s >= 7.0 ? "high" : s >= 4.0 ? "medium" : s > 0 ? "low" : "none";
}

const char *feed_osv_severity(const cJSON *doc, double *score)
{
    double best = -1;
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(doc, "severity"))
    {
        const cJSON *sc = cJSON_GetObjectItemCaseSensitive(s, "score");
        double v = cJSON_IsString(sc) ? feed_cvss3_score(sc->valuestring) : -1;
        if (v > best)
            best = v;
    }
    *score = best;
    if (best >= 0)
        return feed_severity_from_score(best);
    const cJSON *ds =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "database_specific"), "severity");
    if (cJSON_IsString(ds)) {
        static const char *const names[] = {"critical", "high", "medium", "moderate", "low"};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (!strcasecmp(ds->valuestring, names[i]))
                return i == 3 ? "medium" : names[i];
    }
    return "unknown";
}
