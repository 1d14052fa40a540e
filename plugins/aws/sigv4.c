/*
 * sigv4.c - AWS Signature Version 4 (see sigv4.h).
 *
 * Steps, as the AWS General Reference describes them:
 *   1. canonical request: method, canonical path, canonical query,
 *      canonical headers, signed header names, payload hash;
 *   2. string to sign: algorithm, time, scope, SHA-256 of step 1;
 *   3. signing key: HMAC chain over date, region, service, "aws4_request";
 *   4. signature: HMAC of step 2 with the key of step 3, in hex.
 */
#define _DEFAULT_SOURCE
#include "sigv4.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "aws_buf.h"

#define SIGV4_ALGO "AWS4-HMAC-SHA256"
#define SIGV4_MAX_HEADERS 256

static void hex_of(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

void sigv4_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(data ? data : (const void *)"", len, md);
    hex_of(md, sizeof md, out);
}

static int hmac256(const void *key, size_t klen, const void *msg, size_t mlen, unsigned char out[32])
{
    unsigned int olen = 32;
    return HMAC(EVP_sha256(), key, (int)klen, msg, mlen, out, &olen) ? 0 : -1;
}

void sigv4_amz_date(time_t t, char out[17])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static int unreserved(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

int sigv4_uri_encode(abuf *b, const char *s, size_t n, int keep_slash)
{
    static const char digits[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c) || (keep_slash && c == '/')) {
            abuf_ch(b, (char)c);
        } else {
            char e[3] = {'%', digits[c >> 4], digits[c & 15]};
            abuf_add(b, e, 3);
        }
    }
    return b->failed ? -1 : 0;
}

/* Percent-decode s[0..n) into b ("%zz" that is not hex stays as it is). */
static void uri_decode(abuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) && isxdigit((unsigned char)s[i + 2])) {
            char h[3] = {s[i + 1], s[i + 2], 0};
            abuf_ch(b, (char)strtol(h, NULL, 16));
            i += 2;
        } else {
            abuf_ch(b, s[i]);
        }
    }
}

/* The canonical path: normalised (dot segments and empty segments
 * removed) when asked, then percent-encoded unless verbatim. */
static void canonical_path(abuf *out, const char *path, const sigv4_params *p)
{
    if (!path || !*path)
        path = "/";
    abuf norm;
    abuf_init(&norm);
    const char *use = path;
    if (p->normalize_path) {
        /* segments kept so far, as offsets into `norm` */
        size_t starts[512];
        size_t nseg = 0;
        const char *s = path;
        int trailing = 0;
        abuf_ch(&norm, '/');
        while (*s) {
            while (*s == '/')
                s++;
            const char *e = s;
            while (*e && *e != '/')
                e++;
            size_t n = (size_t)(e - s);
            if (n == 0)
                break; /* only slashes were left: `trailing` keeps the last segment's verdict */
            trailing = (*e == '/') || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.');
            if (n == 1 && s[0] == '.') {
                /* drop */
            } else if (n == 2 && s[0] == '.' && s[1] == '.') {
                if (nseg > 0) {
                    nseg--;
                    norm.len = starts[nseg];
                    norm.p[norm.len] = '\0';
                }
            } else if (nseg < sizeof starts / sizeof starts[0]) {
                starts[nseg++] = norm.len;
                if (norm.len > 1)
                    abuf_ch(&norm, '/');
                abuf_add(&norm, s, n);
            }
            s = e;
        }
        if (trailing && norm.len > 1)
            abuf_ch(&norm, '/');
        use = abuf_cstr(&norm);
    }
    if (p->path_verbatim)
        abuf_str(out, use);
    else
        sigv4_uri_encode(out, use, strlen(use), 1);
    abuf_free(&norm);
}

typedef struct kv {
    char *k;
    char *v;
} kv;

static int kv_cmp(const void *a, const void *b)
{
    const kv *x = a, *y = b;
    int c = strcmp(x->k, y->k);
    return c ? c : strcmp(x->v, y->v);
}

/* Add "key=value" pairs of the raw query @q (decoded, then re-encoded) to
 * the list; returns -1 on allocation failure or too many parameters. */
static int query_pairs(const char *q, kv **list, size_t *n, size_t *cap)
{
    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t seg = amp ? (size_t)(amp - q) : strlen(q);
        if (seg) {
            const char *eq = memchr(q, '=', seg);
            size_t klen = eq ? (size_t)(eq - q) : seg;
            abuf dk, dv, ek, ev;
            abuf_init(&dk), abuf_init(&dv), abuf_init(&ek), abuf_init(&ev);
            uri_decode(&dk, q, klen);
            if (eq)
                uri_decode(&dv, eq + 1, seg - klen - 1);
            sigv4_uri_encode(&ek, abuf_cstr(&dk), dk.len, 0);
            sigv4_uri_encode(&ev, abuf_cstr(&dv), dv.len, 0);
            abuf_wipe(&dk), abuf_wipe(&dv);
            if (*n == *cap) {
                size_t nc = *cap ? *cap * 2 : 16;
                kv *l = nc <= 4096 ? realloc(*list, nc * sizeof *l) : NULL;
                if (!l) {
                    abuf_wipe(&ek), abuf_wipe(&ev);
                    return -1;
                }
                *list = l, *cap = nc;
            }
            (*list)[*n].k = abuf_take(&ek);
            (*list)[*n].v = abuf_take(&ev);
            if (!(*list)[*n].k || !(*list)[*n].v) {
                aws_wipe_free((*list)[*n].k), aws_wipe_free((*list)[*n].v);
                return -1;
            }
            (*n)++;
        }
        q = amp ? amp + 1 : NULL;
    }
    return 0;
}

static void kv_free(kv *l, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        aws_wipe_free(l[i].k);
        aws_wipe_free(l[i].v);
    }
    free(l);
}

typedef struct hdr {
    char *name;  /* lower case */
    abuf value;  /* trimmed, inner runs of blanks collapsed; duplicates joined with ',' */
    size_t order;
} hdr;

static int hdr_cmp(const void *a, const void *b)
{
    const hdr *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->order < y->order ? -1 : x->order > y->order);
}

/* Headers that are never signed: they change on the way (proxies, the
 * HTTP library) or carry the signature itself. */
static int unsigned_header(const char *lname)
{
    static const char *const skip[] = {"authorization", "user-agent", "x-amzn-trace-id", "expect",
                                       "connection", "transfer-encoding", "proxy-authorization"};
    for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
        if (strcmp(lname, skip[i]) == 0)
            return 1;
    return 0;
}

static void append_trimmed(abuf *b, const char *v)
{
    int pending_space = 0;
    size_t start = b->len;
    for (; *v; v++) {
        if (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n') {
            pending_space = b->len > start;
            continue;
        }
        if (pending_space)
            abuf_ch(b, ' ');
        pending_space = 0;
        abuf_ch(b, *v);
    }
}

static int find_header(const sigv4_request *r, const char *name)
{
    for (size_t i = 0; i < r->n_headers; i++)
        if (r->headers[i].name && strcasecmp(r->headers[i].name, name) == 0)
            return 1;
    return 0;
}

/* Build canonical headers and the signed header list from the request's
 * headers plus @extra (name, value pairs, n_extra of them). */
static int canonical_headers(const sigv4_request *r, const pp_http_header *extra, size_t n_extra, abuf *canon,
                             abuf *signed_names, char *err, size_t errlen)
{
    size_t total = r->n_headers + n_extra;
    if (total > SIGV4_MAX_HEADERS) {
        snprintf(err, errlen, "too many headers to sign (%zu, at most %d)", total, SIGV4_MAX_HEADERS);
        return -1;
    }
    hdr *h = calloc(total ? total : 1, sizeof *h);
    if (!h) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t n = 0;
    int rc = 0;
    for (size_t i = 0; i < total && rc == 0; i++) {
        const pp_http_header *src = i < r->n_headers ? &r->headers[i] : &extra[i - r->n_headers];
        if (!src->name || !*src->name || !src->value) {
            snprintf(err, errlen, "header %zu has no name or value", i + 1);
            rc = -1;
            break;
        }
        char *lname = strdup(src->name);
        if (!lname) {
            rc = -1;
            break;
        }
        for (char *c = lname; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        if (unsigned_header(lname)) {
            free(lname);
            continue;
        }
        h[n].name = lname;
        abuf_init(&h[n].value);
        append_trimmed(&h[n].value, src->value);
        h[n].order = i;
        n++;
    }
    if (rc == 0) {
        if (n > 1)
            qsort(h, n, sizeof *h, hdr_cmp);
        for (size_t i = 0; i < n;) {
            size_t j = i + 1;
            abuf_str(canon, h[i].name);
            abuf_ch(canon, ':');
            abuf_add(canon, abuf_cstr(&h[i].value), h[i].value.len);
            while (j < n && strcmp(h[j].name, h[i].name) == 0) {
                abuf_ch(canon, ',');
                abuf_add(canon, abuf_cstr(&h[j].value), h[j].value.len);
                j++;
            }
            abuf_ch(canon, '\n');
            if (signed_names->len)
                abuf_ch(signed_names, ';');
            abuf_str(signed_names, h[i].name);
            i = j;
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(h[i].name);
        abuf_wipe(&h[i].value);
    }
    free(h);
    if (rc == 0 && (canon->failed || signed_names->failed)) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    return rc;
}

static int check_params(const sigv4_request *r, const sigv4_params *p, char *err, size_t errlen)
{
    if (!r || !p || !r->method || !*r->method) {
        snprintf(err, errlen, "no request method");
        return -1;
    }
    if (!p->access_key_id || !*p->access_key_id || !p->secret_access_key || !*p->secret_access_key) {
        snprintf(err, errlen, "no credentials to sign with");
        return -1;
    }
    if (!p->region || !*p->region || !p->service || !*p->service) {
        snprintf(err, errlen, "no region or service to sign for");
        return -1;
    }
    if (strchr(p->region, '/') || strchr(p->service, '/') || strchr(p->access_key_id, '/')) {
        snprintf(err, errlen, "region, service and access key id may not contain '/'");
        return -1;
    }
    if (!find_header(r, "host")) {
        snprintf(err, errlen, "the request has no Host header");
        return -1;
    }
    return 0;
}

/* Steps 2 to 4, once the canonical request is known. */
static int finish_signature(const sigv4_params *p, const char *amz_date, const char *scope, sigv4_result *out)
{
    char creq_hash[65];
    sigv4_sha256_hex(out->canonical_request, strlen(out->canonical_request), creq_hash);
    abuf sts;
    abuf_init(&sts);
    abuf_fmt(&sts, "%s\n%s\n%s\n%s", SIGV4_ALGO, amz_date, scope, creq_hash);
    out->string_to_sign = abuf_take(&sts);
    if (!out->string_to_sign)
        return -1;

    abuf k;
    abuf_init(&k);
    abuf_fmt(&k, "AWS4%s", p->secret_access_key);
    if (k.failed)
        return -1;
    unsigned char kd[32], kr[32], ks[32], kfinal[32], sig[32];
    int rc = hmac256(k.p, k.len, amz_date, 8, kd);
    abuf_wipe(&k);
    rc |= hmac256(kd, 32, p->region, strlen(p->region), kr);
    rc |= hmac256(kr, 32, p->service, strlen(p->service), ks);
    rc |= hmac256(ks, 32, "aws4_request", 12, kfinal);
    rc |= hmac256(kfinal, 32, out->string_to_sign, strlen(out->string_to_sign), sig);
    hex_of(sig, 32, out->signature);
    explicit_bzero(kd, sizeof kd), explicit_bzero(kr, sizeof kr), explicit_bzero(ks, sizeof ks);
    explicit_bzero(kfinal, sizeof kfinal);
    return rc ? -1 : 0;
}

static void payload_hash(const sigv4_request *r, char out[65])
{
    sigv4_sha256_hex(r->body, r->body ? r->body_len : 0, out);
}

int sigv4_sign_headers(const sigv4_request *req, const sigv4_params *p, sigv4_result *out, char *err,
                       size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (check_params(req, p, err, errlen) != 0)
        return -1;
    char amz_date[17], phash[65];
    sigv4_amz_date(p->when, amz_date);
    payload_hash(req, phash);

    /* headers the signer adds, in the order they are appended */
    pp_http_header extra[3];
    size_t n_extra = 0;
    int add_token = p->session_token && *p->session_token && !find_header(req, "x-amz-security-token");
    int add_date = !find_header(req, "x-amz-date");
    int add_sha = p->sign_body && !find_header(req, "x-amz-content-sha256");
    if (add_token && !p->omit_session_token)
        extra[n_extra++] = (pp_http_header){"X-Amz-Security-Token", p->session_token};
    if (add_date)
        extra[n_extra++] = (pp_http_header){"X-Amz-Date", amz_date};
    if (add_sha)
        extra[n_extra++] = (pp_http_header){"x-amz-content-sha256", phash};

    abuf creq, canon, names, scope;
    abuf_init(&creq), abuf_init(&canon), abuf_init(&names), abuf_init(&scope);
    int rc = canonical_headers(req, extra, n_extra, &canon, &names, err, errlen);
    if (rc == 0) {
        abuf_fmt(&scope, "%.8s/%s/%s/aws4_request", amz_date, p->region, p->service);
        abuf_str(&creq, req->method);
        abuf_ch(&creq, '\n');
        canonical_path(&creq, req->path, p);
        abuf_ch(&creq, '\n');
        kv *q = NULL;
        size_t nq = 0, cq = 0;
        if (query_pairs(req->query, &q, &nq, &cq) != 0) {
            rc = -1;
        } else {
            if (nq > 1)
                qsort(q, nq, sizeof *q, kv_cmp);
            for (size_t i = 0; i < nq; i++)
                abuf_fmt(&creq, "%s%s=%s", i ? "&" : "", q[i].k, q[i].v);
        }
        kv_free(q, nq);
        abuf_fmt(&creq, "\n%s\n%s\n%s", abuf_cstr(&canon), abuf_cstr(&names), phash);
        out->canonical_request = abuf_take(&creq);
        if (rc != 0 || !out->canonical_request || scope.failed ||
            finish_signature(p, amz_date, abuf_cstr(&scope), out) != 0) {
            snprintf(err, errlen, "out of memory while signing");
            rc = -1;
        }
    }
    if (rc == 0) {
        size_t i = 0;
        if (add_token)
            out->add[i] = (pp_http_header){"X-Amz-Security-Token", out->storage_[i] = strdup(p->session_token)},
            i++;
        if (add_date)
            out->add[i] = (pp_http_header){"X-Amz-Date", out->storage_[i] = strdup(amz_date)}, i++;
        if (add_sha)
            out->add[i] = (pp_http_header){"x-amz-content-sha256", out->storage_[i] = strdup(phash)}, i++;
        abuf a;
        abuf_init(&a);
        abuf_fmt(&a, "%s Credential=%s/%s, SignedHeaders=%s, Signature=%s", SIGV4_ALGO, p->access_key_id,
                 abuf_cstr(&scope), abuf_cstr(&names), out->signature);
        out->add[i] = (pp_http_header){"Authorization", out->storage_[i] = abuf_take(&a)};
        i++;
        out->n_add = i;
        for (size_t j = 0; j < i; j++)
            if (!out->storage_[j])
                rc = -1;
        if (rc != 0)
            snprintf(err, errlen, "out of memory while signing");
    }
    abuf_wipe(&creq), abuf_free(&canon), abuf_free(&names), abuf_free(&scope);
    if (rc != 0)
        sigv4_result_free(out);
    return rc;
}

int sigv4_presign(const sigv4_request *req, const sigv4_params *p, sigv4_result *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (check_params(req, p, err, errlen) != 0)
        return -1;
    if (p->expires < 1 || p->expires > 604800) {
        snprintf(err, errlen, "presigned URL lifetime %u s is outside 1..604800", p->expires);
        return -1;
    }
    char amz_date[17], phash[65];
    sigv4_amz_date(p->when, amz_date);
    payload_hash(req, phash);

    abuf canon, names, scope, params, creq, all;
    abuf_init(&canon), abuf_init(&names), abuf_init(&scope), abuf_init(&params), abuf_init(&creq);
    abuf_init(&all);
    int rc = canonical_headers(req, NULL, 0, &canon, &names, err, errlen);
    if (rc == 0) {
        abuf_fmt(&scope, "%.8s/%s/%s/aws4_request", amz_date, p->region, p->service);
        /* the X-Amz-* parameters, in the order they are appended to the URL */
        int token = p->session_token && *p->session_token;
        abuf_fmt(&params, "X-Amz-Algorithm=%s&X-Amz-Credential=", SIGV4_ALGO);
        abuf cred;
        abuf_init(&cred);
        abuf_fmt(&cred, "%s/%s", p->access_key_id, abuf_cstr(&scope));
        sigv4_uri_encode(&params, abuf_cstr(&cred), cred.len, 0);
        abuf_free(&cred);
        abuf_fmt(&params, "&X-Amz-Date=%s&X-Amz-SignedHeaders=", amz_date);
        sigv4_uri_encode(&params, abuf_cstr(&names), names.len, 0);
        abuf_fmt(&params, "&X-Amz-Expires=%u", p->expires);
        size_t before_token = params.len;
        if (token) {
            abuf_str(&params, "&X-Amz-Security-Token=");
            sigv4_uri_encode(&params, p->session_token, strlen(p->session_token), 0);
        }
        /* the canonical query covers the request's own parameters and ours
         * (without the token when it is added unsigned) */
        if (req->query && *req->query) {
            abuf_str(&all, req->query);
            abuf_ch(&all, '&');
        }
        abuf_add(&all, abuf_cstr(&params), token && p->omit_session_token ? before_token : params.len);
        kv *q = NULL;
        size_t nq = 0, cq = 0;
        abuf_str(&creq, req->method);
        abuf_ch(&creq, '\n');
        canonical_path(&creq, req->path, p);
        abuf_ch(&creq, '\n');
        if (all.failed || query_pairs(abuf_cstr(&all), &q, &nq, &cq) != 0) {
            rc = -1;
        } else {
            if (nq > 1)
                qsort(q, nq, sizeof *q, kv_cmp);
            for (size_t i = 0; i < nq; i++)
                abuf_fmt(&creq, "%s%s=%s", i ? "&" : "", q[i].k, q[i].v);
        }
        kv_free(q, nq);
        abuf_fmt(&creq, "\n%s\n%s\n%s", abuf_cstr(&canon), abuf_cstr(&names), phash);
        out->canonical_request = abuf_take(&creq);
        if (rc != 0 || !out->canonical_request || scope.failed ||
            finish_signature(p, amz_date, abuf_cstr(&scope), out) != 0) {
            rc = -1;
        } else {
            abuf_fmt(&params, "&X-Amz-Signature=%s", out->signature);
            out->query_add = abuf_take(&params);
            if (!out->query_add)
                rc = -1;
        }
        if (rc != 0)
            snprintf(err, errlen, "out of memory while signing");
    }
    abuf_wipe(&canon), abuf_free(&names), abuf_free(&scope), abuf_wipe(&params), abuf_wipe(&creq);
    abuf_wipe(&all);
    if (rc != 0)
        sigv4_result_free(out);
    return rc;
}

void sigv4_result_free(sigv4_result *r)
{
    aws_wipe_free(r->canonical_request);
    aws_wipe_free(r->string_to_sign);
    aws_wipe_free(r->query_add);
    for (size_t i = 0; i < 4; i++)
        aws_wipe_free(r->storage_[i]);
    explicit_bzero(r, sizeof *r);
}
