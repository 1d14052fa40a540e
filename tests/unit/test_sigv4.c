/*
 * test_sigv4.c - the AWS Signature Version 4 signer (plugins/aws/sigv4.c)
 * against both public test suites in tests/fixtures/aws/sigv4 (see SOURCE
 * there), byte for byte: canonical request, string to sign, signature /
 * Authorization header and the signed request, for header signing and (in
 * the aws-c-auth suite) presigned query strings. Then hostile inputs.
 *
 * The request files are HTTP/1.1 text. The two suites read a folded header
 * line (a line starting with blanks) differently, and the expected outputs
 * follow each reading: the 2015 suite treats it as one more value of the
 * header (its .creq joins them with ','), aws-c-auth as the continuation of
 * the value (RFC 7230 obs-fold, joined with a space). That is parsing of the
 * test file, done here; the signer sees a list of headers either way.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "../../plugins/aws/aws_buf.h"
#include "../../plugins/aws/sigv4.h"
#include "../support/test_check.h"

#define AKID "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define STS_TOKEN_2015                                                                                     \
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflf" \
    "KD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd" \
    "8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3i" \
    "SIlTJabIQwj2ICCR/oLxBA=="
#define TIME_20150830 1440938160 /* 2015-08-30T12:36:00Z */

static char fixtures[4096];

/* snprintf for file names; a name that does not fit is cut (and then simply not found). */
static void pathf(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void pathf(char *out, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, len, fmt, ap);
    va_end(ap);
}
static int cases_passed, cases_failed, cases_skipped;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    abuf b;
    abuf_init(&b);
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        abuf_add(&b, tmp, n);
    fclose(f);
    if (len)
        *len = b.len;
    return abuf_take(&b);
}

/* A parsed request file. */
typedef struct test_req {
    char *text;           /* the whole file */
    char *head;           /* the head lines as in the file, without the final newline */
    const char *body;     /* after the blank line, or "" */
    char method[16];
    char *path, *query;   /* query NULL when none */
    pp_http_header h[32];
    size_t nh;
    char *store[32];      /* names and values, malloc'd */
    size_t nstore;
} test_req;

static void req_free(test_req *r)
{
    free(r->text);
    free(r->head);
    free(r->path);
    free(r->query);
    for (size_t i = 0; i < r->nstore; i++)
        free(r->store[i]);
    memset(r, 0, sizeof *r);
}

static char *keep(test_req *r, const char *s, size_t n)
{
    char *p = strndup(s, n);
    if (p && r->nstore < 32)
        r->store[r->nstore++] = p;
    return p;
}

/* fold_as_value: 1 = 2015 reading, 0 = aws-c-auth reading (see the top). */
static int req_parse(const char *file, int fold_as_value, test_req *r)
{
    memset(r, 0, sizeof *r);
    size_t len;
    r->text = slurp(file, &len);
    if (!r->text)
        return -1;
    char *sep = strstr(r->text, "\n\n");
    size_t headlen = sep ? (size_t)(sep - r->text) : len;
    r->body = sep ? sep + 2 : "";
    while (headlen && r->text[headlen - 1] == '\n')
        headlen--;
    r->head = strndup(r->text, headlen);
    char *line = r->head, *end = r->head + headlen;
    char *nl = memchr(line, '\n', (size_t)(end - line));
    size_t l0 = nl ? (size_t)(nl - line) : (size_t)(end - line);
    char *sp = memchr(line, ' ', l0);
    char *proto = NULL;
    for (char *p = line + l0 - 1; p > line; p--)
        if (*p == ' ') {
            proto = p;
            break;
        }
    if (!sp || !proto || proto <= sp || (size_t)(sp - line) >= sizeof r->method)
        return -1;
    memcpy(r->method, line, (size_t)(sp - line));
    char *uri = strndup(sp + 1, (size_t)(proto - sp - 1));
    char *q = strchr(uri, '?');
    if (q) {
        r->query = strdup(q + 1);
        *q = '\0';
    }
    r->path = uri;
    line = nl ? nl + 1 : end;
    abuf folded;
    abuf_init(&folded);
    while (line < end) {
        nl = memchr(line, '\n', (size_t)(end - line));
        size_t ll = nl ? (size_t)(nl - line) : (size_t)(end - line);
        if ((*line == ' ' || *line == '\t') && r->nh > 0) {
            if (fold_as_value) {
                r->h[r->nh].name = r->h[r->nh - 1].name;
                r->h[r->nh].value = keep(r, line, ll);
                r->nh++;
            } else {
                abuf_init(&folded);
                abuf_str(&folded, r->h[r->nh - 1].value);
                abuf_ch(&folded, ' ');
                abuf_add(&folded, line, ll);
                r->h[r->nh - 1].value = keep(r, abuf_cstr(&folded), folded.len);
                abuf_free(&folded);
            }
        } else {
            char *colon = memchr(line, ':', ll);
            if (!colon || r->nh >= 30)
                return -1;
            r->h[r->nh].name = keep(r, line, (size_t)(colon - line));
            r->h[r->nh].value = keep(r, colon + 1, ll - (size_t)(colon - line) - 1);
            r->nh++;
        }
        line = nl ? nl + 1 : end;
    }
    return 0;
}

static sigv4_request as_sigv4(const test_req *r)
{
    sigv4_request s = {r->method, r->path, r->query, r->h, r->nh, r->body, strlen(r->body)};
    return s;
}

/* Compare @got with the content of @dir/@name; print both on a mismatch. */
static int same_as_file(const char *dir, const char *name, const char *got)
{
    char path[4600];
    pathf(path, sizeof path, "%s/%s", dir, name);
    char *want = slurp(path, NULL);
    int ok = want && got && strcmp(want, got) == 0;
    CHECK(ok, "%s/%s differs\n--- got:\n%s\n--- want:\n%s", dir, name, got ? got : "(null)",
          want ? want : "(missing)");
    free(want);
    return ok;
}

/* ---- aws-c-auth suite ---- */

static int c_auth_case(const char *dir)
{
    char path[4600];
    pathf(path, sizeof path, "%s/context.json", dir);
    char *ctxt = slurp(path, NULL);
    cJSON *ctx = ctxt ? cJSON_Parse(ctxt) : NULL;
    free(ctxt);
    CHECK(ctx != NULL, "%s: context.json unreadable", dir);
    if (!ctx)
        return 0;
    cJSON *cred = cJSON_GetObjectItem(ctx, "credentials");
    sigv4_params p = {0};
    p.access_key_id = cJSON_GetStringValue(cJSON_GetObjectItem(cred, "access_key_id"));
    p.secret_access_key = cJSON_GetStringValue(cJSON_GetObjectItem(cred, "secret_access_key"));
    p.session_token = cJSON_GetStringValue(cJSON_GetObjectItem(cred, "token"));
    p.region = cJSON_GetStringValue(cJSON_GetObjectItem(ctx, "region"));
    p.service = cJSON_GetStringValue(cJSON_GetObjectItem(ctx, "service"));
    p.normalize_path = cJSON_IsTrue(cJSON_GetObjectItem(ctx, "normalize"));
    p.sign_body = cJSON_IsTrue(cJSON_GetObjectItem(ctx, "sign_body"));
    p.omit_session_token = cJSON_IsTrue(cJSON_GetObjectItem(ctx, "omit_session_token"));
    p.expires = (unsigned)cJSON_GetNumberValue(cJSON_GetObjectItem(ctx, "expiration_in_seconds"));
    const char *ts = cJSON_GetStringValue(cJSON_GetObjectItem(ctx, "timestamp"));
    CHECK(ts && strcmp(ts, "2015-08-30T12:36:00Z") == 0, "%s: unexpected timestamp", dir);
    p.when = TIME_20150830;

    test_req r;
    pathf(path, sizeof path, "%s/request.txt", dir);
    int ok = req_parse(path, 0, &r) == 0;
    CHECK(ok, "%s: request.txt unparsable", dir);
    sigv4_request sr = as_sigv4(&r);
    char err[256];
    sigv4_result res;
    if (ok && sigv4_sign_headers(&sr, &p, &res, err, sizeof err) == 0) {
        ok &= same_as_file(dir, "header-canonical-request.txt", res.canonical_request);
        ok &= same_as_file(dir, "header-string-to-sign.txt", res.string_to_sign);
        ok &= same_as_file(dir, "header-signature.txt", res.signature);
        abuf s;
        abuf_init(&s);
        abuf_str(&s, r.head);
        abuf_ch(&s, '\n');
        for (size_t i = 0; i < res.n_add; i++)
            abuf_fmt(&s, "%s:%s\n", res.add[i].name, res.add[i].value);
        abuf_fmt(&s, "\n%s", r.body);
        ok &= same_as_file(dir, "header-signed-request.txt", abuf_cstr(&s));
        abuf_free(&s);
        sigv4_result_free(&res);
    } else if (ok) {
        CHECK(0, "%s: header signing failed: %s", dir, err);
        ok = 0;
    }
    if (ok && sigv4_presign(&sr, &p, &res, err, sizeof err) == 0) {
        ok &= same_as_file(dir, "query-canonical-request.txt", res.canonical_request);
        ok &= same_as_file(dir, "query-string-to-sign.txt", res.string_to_sign);
        ok &= same_as_file(dir, "query-signature.txt", res.signature);
        abuf s;
        abuf_init(&s);
        const char *rest = strchr(r.head, '\n');
        abuf_fmt(&s, "%s %s?", r.method, r.path);
        if (r.query && *r.query)
            abuf_fmt(&s, "%s&", r.query);
        abuf_fmt(&s, "%s HTTP/1.1", res.query_add);
        abuf_fmt(&s, "%s\n\n%s", rest ? rest : "", r.body);
        ok &= same_as_file(dir, "query-signed-request.txt", abuf_cstr(&s));
        abuf_free(&s);
        sigv4_result_free(&res);
    } else if (ok) {
        CHECK(0, "%s: presigning failed: %s", dir, err);
        ok = 0;
    }
    req_free(&r);
    cJSON_Delete(ctx);
    return ok;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_aws_c_auth_suite(void)
{
    char base[4200];
    pathf(base, sizeof base, "%s/aws-c-auth/v4", fixtures);
    DIR *d = opendir(base);
    CHECK(d != NULL, "cannot open %s", base);
    if (!d)
        return;
    char *names[128];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 128)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    CHECK(n == 38, "aws-c-auth: %zu cases, expected 38", n);
    int passed = 0;
    for (size_t i = 0; i < n; i++) {
        char dir[4600];
        pathf(dir, sizeof dir, "%s/%s", base, names[i]);
        if (c_auth_case(dir))
            passed++, cases_passed++;
        else
            cases_failed++;
        free(names[i]);
    }
    printf("# aws-c-auth suite: %d of %zu cases (header and presigned) byte for byte\n", passed, n);
}

/* ---- the 2015 suite ---- */

static const char *const inconsistent_2015[] = {"post-x-www-form-urlencoded", "post-x-www-form-urlencoded-parameters"};

static int is_inconsistent(const char *name)
{
    for (size_t i = 0; i < 2; i++)
        if (strcmp(name, inconsistent_2015[i]) == 0)
            return 1;
    return 0;
}

/* The line of signed header names in a canonical request: the one before
 * the payload hash. */
static char *creq_signed_names(const char *creq)
{
    const char *last = strrchr(creq, '\n');
    if (!last)
        return NULL;
    const char *prev = last;
    while (prev > creq && prev[-1] != '\n')
        prev--;
    return strndup(prev, (size_t)(last - prev));
}

/* The SignedHeaders=... list of an Authorization value. */
static void authz_names(const char *authz, char *out, size_t len)
{
    const char *sh = authz ? strstr(authz, "SignedHeaders=") : NULL;
    out[0] = '\0';
    if (sh) {
        sh += strlen("SignedHeaders=");
        snprintf(out, len, "%.*s", (int)strcspn(sh, ","), sh);
    }
}

/*
 * Why the two x-www-form-urlencoded cases are skipped, shown on the files
 * themselves. In both, the .sts does not hash the .creq (so the .creq is
 * not what was signed), and the signed header lists disagree: in
 * post-x-www-form-urlencoded the .creq signs content-length but the .authz
 * and .sreq do not; in -parameters the .creq and .authz sign it but the
 * .sreq's Authorization does not (and the .sreq drops the Content-Length
 * header the .req has). No signer can produce all the files of a case, so
 * none of them is a reference. Should upstream fix the files, these checks
 * fail and the skip must go.
 */
static void show_inconsistency(const char *dir, const char *name)
{
    char path[4700];
    pathf(path, sizeof path, "%s/%s.creq", dir, name);
    size_t clen = 0;
    char *creq = slurp(path, &clen);
    pathf(path, sizeof path, "%s/%s.authz", dir, name);
    char *authz = slurp(path, NULL);
    pathf(path, sizeof path, "%s/%s.sts", dir, name);
    char *sts = slurp(path, NULL);
    pathf(path, sizeof path, "%s/%s.sreq", dir, name);
    char *sreq = slurp(path, NULL);
    CHECK(creq && authz && sts && sreq, "%s: files missing", name);
    if (creq && authz && sts && sreq) {
        char *names = creq_signed_names(creq);
        char in_authz[256], in_sreq[256];
        authz_names(authz, in_authz, sizeof in_authz);
        authz_names(strstr(sreq, "Authorization:"), in_sreq, sizeof in_sreq);
        char h[65];
        sigv4_sha256_hex(creq, clen, h);
        const char *hash_line = strrchr(sts, '\n');
        CHECK(hash_line && strcmp(hash_line + 1, h) != 0,
              "%s: the .sts now hashes the .creq: drop the skip", name);
        CHECK(names && (strcmp(names, in_authz) != 0 || strcmp(names, in_sreq) != 0),
              "%s: .creq, .authz and .sreq now sign the same headers (%s): drop the skip", name, in_authz);
        printf("# skip 2015/%s: signed headers: .creq '%s', .authz '%s', .sreq '%s'; .sts hash %.12s... "
               "is not SHA-256(.creq) %.12s...\n",
               name, names ? names : "?", in_authz, in_sreq, hash_line ? hash_line + 1 : "?", h);
        free(names);
    }
    free(creq), free(authz), free(sts), free(sreq);
}

static int case_2015(const char *dir, const char *name)
{
    char path[4700];
    pathf(path, sizeof path, "%s/%s.req", dir, name);
    test_req r;
    int ok = req_parse(path, 1, &r) == 0;
    CHECK(ok, "2015/%s: .req unparsable", name);
    sigv4_params p = {0};
    p.access_key_id = AKID;
    p.secret_access_key = SECRET;
    p.region = "us-east-1";
    p.service = "service";
    p.when = TIME_20150830;
    p.normalize_path = 1;
    if (strncmp(name, "post-sts-header-", 16) == 0) {
        p.session_token = STS_TOKEN_2015;
        p.omit_session_token = strcmp(name, "post-sts-header-after") == 0;
    }
    sigv4_request sr = as_sigv4(&r);
    sigv4_result res;
    char err[256];
    if (ok && sigv4_sign_headers(&sr, &p, &res, err, sizeof err) == 0) {
        char file[300];
        pathf(file, sizeof file, "%s.creq", name);
        ok &= same_as_file(dir, file, res.canonical_request);
        pathf(file, sizeof file, "%s.sts", name);
        ok &= same_as_file(dir, file, res.string_to_sign);
        pathf(file, sizeof file, "%s.authz", name);
        ok &= same_as_file(dir, file, res.add[res.n_add - 1].value);
        abuf s;
        abuf_init(&s);
        abuf_str(&s, r.head);
        for (size_t i = 0; i < res.n_add; i++)
            abuf_fmt(&s, "\n%s:%s%s", res.add[i].name, strcmp(res.add[i].name, "Authorization") ? "" : " ",
                     res.add[i].value);
        if (*r.body)
            abuf_fmt(&s, "\n\n%s", r.body);
        pathf(file, sizeof file, "%s.sreq", name);
        ok &= same_as_file(dir, file, abuf_cstr(&s));
        abuf_free(&s);
        sigv4_result_free(&res);
    } else if (ok) {
        CHECK(0, "2015/%s: signing failed: %s", name, err);
        ok = 0;
    }
    req_free(&r);
    return ok;
}

/* Walk the 2015 tree: every directory D holding D/NAME.req is a case. */
static void walk_2015(const char *dir, int *passed, int *total)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char *names[64];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    for (size_t i = 0; i < n; i++) {
        char sub[4700], req[4900];
        struct stat st;
        pathf(sub, sizeof sub, "%s/%s", dir, names[i]);
        if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
            pathf(req, sizeof req, "%s/%s.req", sub, names[i]);
            if (stat(req, &st) == 0) {
                (*total)++;
                if (is_inconsistent(names[i])) {
                    show_inconsistency(sub, names[i]);
                    cases_skipped++;
                } else if (case_2015(sub, names[i])) {
                    (*passed)++, cases_passed++;
                } else {
                    cases_failed++;
                }
            } else {
                walk_2015(sub, passed, total);
            }
        }
        free(names[i]);
    }
}

static void test_2015_suite(void)
{
    char base[4300];
    pathf(base, sizeof base, "%s/aws-sig-v4-test-suite-2015/aws-sig-v4-test-suite", fixtures);
    int passed = 0, total = 0;
    walk_2015(base, &passed, &total);
    CHECK(total == 31, "2015 suite: %d cases, expected 31", total);
    CHECK(passed == total - 2, "2015 suite: %d of %d cases passed (2 skipped)", passed, total);
    printf("# 2015 suite: %d of %d cases byte for byte, 2 skipped as inconsistent upstream\n", passed, total);
}

/* ---- hostile and wrong inputs ---- */

static void test_refusals(void)
{
    pp_http_header h[] = {{"Host", "example.amazonaws.com"}};
    sigv4_request r = {"GET", "/", NULL, h, 1, NULL, 0};
    sigv4_params p = {.access_key_id = AKID, .secret_access_key = SECRET, .region = "us-east-1",
                      .service = "service", .when = TIME_20150830, .expires = 3600};
    sigv4_result res;
    char err[256];

    sigv4_request nohost = {"GET", "/", NULL, NULL, 0, NULL, 0};
    CHECK(sigv4_sign_headers(&nohost, &p, &res, err, sizeof err) == -1 && strstr(err, "Host"),
          "no Host header accepted (%s)", err);

    sigv4_params nokey = p;
    nokey.secret_access_key = "";
    CHECK(sigv4_sign_headers(&r, &nokey, &res, err, sizeof err) == -1, "empty secret accepted");

    sigv4_params slash = p;
    slash.region = "us-east-1/../x";
    CHECK(sigv4_sign_headers(&r, &slash, &res, err, sizeof err) == -1, "region with '/' accepted");

    sigv4_params exp = p;
    exp.expires = 604801;
    CHECK(sigv4_presign(&r, &exp, &res, err, sizeof err) == -1 && strstr(err, "604800"),
          "a lifetime over 7 days accepted");
    exp.expires = 0;
    CHECK(sigv4_presign(&r, &exp, &res, err, sizeof err) == -1, "a zero lifetime accepted");

    pp_http_header bad[] = {{"Host", "example.amazonaws.com"}, {NULL, "x"}};
    sigv4_request rb = {"GET", "/", NULL, bad, 2, NULL, 0};
    CHECK(sigv4_sign_headers(&rb, &p, &res, err, sizeof err) == -1, "a header without a name accepted");
    CHECK(strstr(err, SECRET) == NULL, "an error message carries the secret");

    /* odd query strings never crash and stay deterministic */
    const char *queries[] = {"%", "%zz=%", "&&&", "=", "a=%2", "a=b=c", "%00=%00"};
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        sigv4_request rq = {"GET", "/", queries[i], h, 1, NULL, 0};
        int rc = sigv4_sign_headers(&rq, &p, &res, err, sizeof err);
        CHECK(rc == 0, "query '%s' refused: %s", queries[i], err);
        if (rc == 0) {
            CHECK(strstr(res.canonical_request, SECRET) == NULL, "secret in canonical request");
            sigv4_result_free(&res);
        }
    }
    /* hostile paths: deep "..", many slashes */
    char deep[8192];
    size_t o = 0;
    for (int i = 0; i < 1000 && o + 8 < sizeof deep; i++)
        o += (size_t)snprintf(deep + o, sizeof deep - o, "/../a/.");
    sigv4_params norm = p;
    norm.normalize_path = 1;
    sigv4_request rp = {"GET", deep, NULL, h, 1, NULL, 0};
    CHECK(sigv4_sign_headers(&rp, &norm, &res, err, sizeof err) == 0, "deep path refused");
    if (res.canonical_request)
        CHECK(strncmp(res.canonical_request, "GET\n/a/\n", 8) == 0, "deep path normalised to %.20s",
              res.canonical_request);
    sigv4_result_free(&res);
}

/* A signature must change with every input it covers. */
static void test_sensitivity(void)
{
    pp_http_header h[] = {{"Host", "ec2.us-east-1.amazonaws.com"}};
    sigv4_request r = {"POST", "/", NULL, h, 1, "Action=DescribeRegions&Version=2016-11-15", 41};
    sigv4_params p = {.access_key_id = AKID, .secret_access_key = SECRET, .region = "us-east-1",
                      .service = "ec2", .when = TIME_20150830};
    sigv4_result a, b;
    char err[256];
    CHECK(sigv4_sign_headers(&r, &p, &a, err, sizeof err) == 0, "sign: %s", err);
    sigv4_request r2 = r;
    r2.body = "Action=DescribeRegions&Version=2016-11-16";
    CHECK(sigv4_sign_headers(&r2, &p, &b, err, sizeof err) == 0, "sign: %s", err);
    CHECK(strcmp(a.signature, b.signature) != 0, "body change kept the signature");
    sigv4_result_free(&b);
    sigv4_params p2 = p;
    p2.when += 1;
    CHECK(sigv4_sign_headers(&r, &p2, &b, err, sizeof err) == 0, "sign: %s", err);
    CHECK(strcmp(a.signature, b.signature) != 0, "time change kept the signature");
    sigv4_result_free(&b);
    p2 = p;
    p2.region = "eu-west-1";
    CHECK(sigv4_sign_headers(&r, &p2, &b, err, sizeof err) == 0, "sign: %s", err);
    CHECK(strcmp(a.signature, b.signature) != 0, "region change kept the signature");
    sigv4_result_free(&b);
    sigv4_result_free(&a);
}

int main(void)
{
    const char *top = getenv("top_srcdir");
    snprintf(fixtures, sizeof fixtures, "%s/tests/fixtures/aws/sigv4", top && *top ? top : ".");
    RUN(test_aws_c_auth_suite);
    RUN(test_2015_suite);
    RUN(test_refusals);
    RUN(test_sensitivity);
    printf("# SigV4 cases: %d passed, %d failed, %d skipped\n", cases_passed, cases_failed, cases_skipped);
    return test_summary();
}
