/*
 * core/feed/feed_bundle.c - signed feed bundles (feed_bundle.h): packing and
 * signing, and verification before extraction, with the signing, key and
 * trust-store code of the plugin bundles (core/bundle).
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <parapet/plugin.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/bundle_util.h"
#include "bundle/manifest.h"
#include "bundle/minisign.h"
#include "bundle/passphrase.h"
#include "bundle/trust.h"
#include "feed/feed_bundle.h"

#define SIG_FILE_MAX 16384
#define OSV_ENTRY_MAX (16u << 20) /* as the feeds plugin's cap on one record */
#define JSON_SNIFF_MAX (128u << 20)
#define MANIFEST_PATH "MANIFEST.json"

static int setf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int setf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* A file name in a bundle: one safe path component (docs/bundles.md rules). */
static int check_member(const char *name, char *why, size_t n)
{
    if (strlen(name) > FEED_BUNDLE_MAX_NAME)
        return snprintf(why, n, "a name longer than %d bytes", FEED_BUNDLE_MAX_NAME), -1;
    if (strchr(name, '/'))
        return snprintf(why, n, "a path with a directory (only flat file names are allowed)"), -1;
    if (!strcmp(name, MANIFEST_PATH))
        return snprintf(why, n, "a second %s", MANIFEST_PATH), -1;
    char w[256];
    if (manifest_check_path(name, w, sizeof w) != 0)
        return snprintf(why, n, "%s", w), -1;
    return 0;
}

/* A bundle name: [a-z0-9][a-z0-9_.-]{0,63}. */
static int valid_bundle_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || strchr("_.-", s[i])))
            return 0;
    return 1;
}

/* ---- classification (mirrors the feeds plugin's import) ---- */

static int osv_zip_ecosystem(const char *path, char *eco, size_t n, char *err, size_t errlen)
{
    struct archive *a = archive_read_new();
    if (!a)
        return setf(err, errlen, "out of memory");
    archive_read_support_format_zip(a);
    int rc = -1;
    char *buf = NULL;
    eco[0] = '\0';
    if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
        setf(err, errlen, "%s: not a readable zip: %s", path, archive_error_string(a));
        goto out;
    }
    struct archive_entry *e;
    int r;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *en = archive_entry_pathname(e);
        size_t el = en ? strlen(en) : 0;
        if (archive_entry_filetype(e) != AE_IFREG || el < 5 || strcmp(en + el - 5, ".json") != 0)
            continue;
        if (!buf && !(buf = malloc(OSV_ENTRY_MAX + 1))) {
            setf(err, errlen, "out of memory");
            goto out;
        }
        size_t got = 0;
        la_ssize_t k;
        while ((k = archive_read_data(a, buf + got, OSV_ENTRY_MAX + 1 - got)) > 0 && got + (size_t)k <= OSV_ENTRY_MAX)
            got += (size_t)k;
        if (k != 0)
            continue; /* over the cap or corrupt: the plugin refuses or skips it */
        cJSON *doc = cJSON_ParseWithLength(buf, got);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(doc, "id");
        if (cJSON_IsString(id) && !cJSON_GetObjectItemCaseSensitive(doc, "withdrawn")) {
            const cJSON *x;
            cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(doc, "affected"))
            {
                const cJSON *ec =
                    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(x, "package"), "ecosystem");
                if (cJSON_IsString(ec)) {
                    snprintf(eco, n, "%s", ec->valuestring);
                    break;
                }
            }
        }
        cJSON_Delete(doc);
        if (eco[0])
            break;
    }
    if (!eco[0]) {
        setf(err, errlen, "%s: no OSV record with an affected ecosystem in the zip", path);
        goto out;
    }
    rc = 0;
out:
    free(buf);
    archive_read_free(a);
    return rc;
}

int feed_bundle_classify(const char *path, char *feed, size_t n, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return setf(err, errlen, "cannot open %s: %s", path, strerror(errno));
    unsigned char head[4];
    ssize_t h = read(fd, head, sizeof head);
    close(fd);
    if (h <= 0)
        return setf(err, errlen, "%s: cannot read the file (empty?)", path);
    const char *base = base_name(path);
    if (h == 4 && !memcmp(head, "PK\x03\x04", 4)) {
        char eco[128];
        if (osv_zip_ecosystem(path, eco, sizeof eco, err, errlen) != 0)
            return -1;
        snprintf(feed, n, "osv:%s", eco);
        return 0;
    }
    if (strstr(base, "epss")) {
        snprintf(feed, n, "epss");
        return 0;
    }
    size_t bl = strlen(base);
    if (bl > 5 && !strcmp(base + bl - 5, ".json")) {
        size_t len = 0;
        bundle_err e = {{0}};
        char *text = read_file_capped(path, JSON_SNIFF_MAX, &len, &e);
        if (!text)
            return setf(err, errlen, "%s", e.msg);
        snprintf(feed, n, "%s", strstr(text, "\"vulnerabilities\"") && strstr(text, "\"cveID\"") ? "kev" : "osv:local");
        free(text);
        return 0;
    }
    if (bl > 8 && !strcmp(base + bl - 8, ".json.gz"))
        return setf(err, errlen, "%s: a compressed JSON file cannot be classified for a bundle; pack it uncompressed",
                    path);
    size_t k = strcspn(base, ".");
    snprintf(feed, n, "list:%.*s", (int)(k > 200 ? 200 : k), base);
    return 0;
}

/* ---- hashing ---- */

typedef struct hasher {
    EVP_MD_CTX *c;
} hasher;

static int hasher_init(hasher *h)
{
    h->c = EVP_MD_CTX_new();
    return h->c && EVP_DigestInit_ex(h->c, EVP_sha256(), NULL) == 1 ? 0 : -1;
}

static void hasher_hex(hasher *h, char hex[65])
{
    unsigned char md[32];
    unsigned int n = 0;
    EVP_DigestFinal_ex(h->c, md, &n);
    hex_encode(md, 32, hex);
    EVP_MD_CTX_free(h->c);
    h->c = NULL;
}

/* ---- packing ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int write_entry_header(struct archive *a, const char *name, uint64_t size, int64_t mtime)
{
    struct archive_entry *e = archive_entry_new();
    if (!e)
        return -1;
    archive_entry_set_pathname(e, name);
    archive_entry_set_size(e, (la_int64_t)size);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_mtime(e, (time_t)mtime, 0);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    int rc = archive_write_header(a, e) == ARCHIVE_OK ? 0 : -1;
    archive_entry_free(e);
    return rc;
}

/* Copy @path into the archive (@size bytes expected) and check that it
 * still has the hash @want it had when the manifest was made. */
static int write_entry_file(struct archive *a, const char *path, uint64_t size, const char *want, char *err,
                            size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return setf(err, errlen, "cannot open %s: %s", path, strerror(errno));
    hasher h;
    if (hasher_init(&h) != 0) {
        close(fd);
        return setf(err, errlen, "out of memory");
    }
    char buf[65536];
    uint64_t total = 0;
    int rc = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = setf(err, errlen, "cannot read %s: %s", path, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        total += (uint64_t)n;
        if (total > size) {
            rc = setf(err, errlen, "%s changed while it was packed (it grew)", path);
            break;
        }
        EVP_DigestUpdate(h.c, buf, (size_t)n);
        if (archive_write_data(a, buf, (size_t)n) != n) {
            rc = setf(err, errlen, "cannot write the bundle: %s", archive_error_string(a));
            break;
        }
    }
    close(fd);
    char hex[65];
    hasher_hex(&h, hex);
    if (rc == 0 && (total != size || strcmp(hex, want) != 0))
        rc = setf(err, errlen, "%s changed while it was packed", path);
    return rc;
}

/* The signed trusted comment of a bundle. */
static char *trusted_comment(const char *name, int64_t created, const cJSON *feeds, const char *file)
{
    char buf[MS_TRUSTED_COMMENT_MAX];
    size_t used = (size_t)snprintf(buf, sizeof buf, "kind:feed\tname:%s\tcreated:%lld\tfeeds:", name,
                                   (long long)created);
    const cJSON *f;
    int first = 1;
    cJSON_ArrayForEach(f, feeds)
    {
        if (used < sizeof buf)
            used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", first ? "" : ",", f->valuestring);
        first = 0;
    }
    if (used < sizeof buf)
        used += (size_t)snprintf(buf + used, sizeof buf - used, "\tfile:%s", file);
    if (used >= sizeof buf - 1)
        return NULL;
    return strdup(buf);
}

int feed_bundle_pack(const char *out_path, const char *key_path, const char *name, int64_t created,
                     char *const *files, size_t n_files, char *err, size_t errlen)
{
    if (!valid_bundle_name(name))
        return setf(err, errlen, "bundle name '%s' is not valid: [a-z0-9][a-z0-9_.-]*, at most 64 characters", name);
    if (n_files == 0 || n_files > FEED_BUNDLE_MAX_FILES)
        return setf(err, errlen, "a feed bundle holds 1 to %d files (%zu given)", FEED_BUNDLE_MAX_FILES, n_files);
    const char *ob = base_name(out_path);
    if (strlen(ob) < 5 || strcmp(ob + strlen(ob) - 4, ".tar") != 0)
        return setf(err, errlen, "%s: a feed bundle's name ends in .tar", out_path);
    int rc = -1;
    char **sorted = calloc(n_files, sizeof *sorted);
    cJSON *man = cJSON_CreateObject(), *feeds = cJSON_CreateArray(), *jf = cJSON_CreateArray();
    char *man_text = NULL, *tmp = NULL, *tc = NULL, *sig_text = NULL, *sig_path = NULL, *key_text = NULL;
    size_t key_len = 0;
    struct archive *a = NULL;
    int fd = -1;
    ms_seckey sk;
    char pass[MS_PASSPHRASE_MAX + 1] = "";
    memset(&sk, 0, sizeof sk);
    bundle_err be = {{0}};
    if (!sorted || !man || !feeds || !jf) {
        setf(err, errlen, "out of memory");
        goto out;
    }
    /* the manifest: files by name, each hashed and classified */
    memcpy(sorted, files, n_files * sizeof *sorted);
    qsort(sorted, n_files, sizeof *sorted, cmp_str);
    for (size_t i = 0; i < n_files; i++) {
        const char *bn = base_name(sorted[i]);
        char why[300];
        if (check_member(bn, why, sizeof why) != 0) {
            setf(err, errlen, "%s: cannot be packed: %s", sorted[i], why);
            goto out;
        }
        for (size_t k = 0; k < i; k++)
            if (!strcasecmp(base_name(sorted[k]), bn)) {
                setf(err, errlen, "%s and %s have the same name in a bundle", sorted[k], sorted[i]);
                goto out;
            }
        char hex[65], feed[256];
        uint64_t size = 0;
        struct stat st;
        if (lstat(sorted[i], &st) != 0 || !S_ISREG(st.st_mode)) {
            setf(err, errlen, "%s is not a regular file", sorted[i]);
            goto out;
        }
        if (sha256_file_hex(sorted[i], hex, &size, &be) != 0) {
            setf(err, errlen, "%s", be.msg);
            goto out;
        }
        if (size > FEED_BUNDLE_MAX_FILE) {
            setf(err, errlen, "%s is larger than %llu bytes", sorted[i], (unsigned long long)FEED_BUNDLE_MAX_FILE);
            goto out;
        }
        if (feed_bundle_classify(sorted[i], feed, sizeof feed, err, errlen) != 0)
            goto out;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "path", bn);
        cJSON_AddNumberToObject(o, "size", (double)size);
        cJSON_AddStringToObject(o, "sha256", hex);
        cJSON_AddStringToObject(o, "feed", feed);
        cJSON_AddItemToArray(jf, o);
        int seen = 0;
        const cJSON *f;
        cJSON_ArrayForEach(f, feeds) seen |= !strcmp(f->valuestring, feed);
        if (!seen)
            cJSON_AddItemToArray(feeds, cJSON_CreateString(feed));
    }
    /* feeds sorted, for a canonical manifest and trusted comment */
    {
        size_t nf = (size_t)cJSON_GetArraySize(feeds);
        char **fv = calloc(nf ? nf : 1, sizeof *fv);
        if (!fv) {
            setf(err, errlen, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < nf; i++)
            fv[i] = cJSON_GetArrayItem(feeds, (int)i)->valuestring;
        qsort(fv, nf, sizeof *fv, cmp_str);
        cJSON *sf = cJSON_CreateArray();
        for (size_t i = 0; i < nf; i++)
            cJSON_AddItemToArray(sf, cJSON_CreateString(fv[i]));
        free(fv);
        cJSON_Delete(feeds);
        feeds = sf;
    }
    cJSON_AddNumberToObject(man, "format", FEED_BUNDLE_FORMAT);
    cJSON_AddStringToObject(man, "kind", "feed");
    cJSON_AddStringToObject(man, "name", name);
    cJSON_AddNumberToObject(man, "created", (double)created);
    cJSON_AddItemToObject(man, "feeds", feeds);
    cJSON_AddItemToObject(man, "files", jf);
    feeds = jf = NULL; /* owned by man now */
    man_text = cJSON_Print(man);
    if (!man_text) {
        setf(err, errlen, "out of memory");
        goto out;
    }
    /* the secret key first: a wrong passphrase writes nothing */
    if (!(key_text = read_file_capped(key_path, 4096, &key_len, &be))) {
        setf(err, errlen, "%s", be.msg);
        goto out;
    }
    int enc = ms_seckey_is_encrypted(key_text, key_len, key_path, &be);
    if (enc < 0 || (enc && passphrase_get("Passphrase for the signing key: ", 0, pass, sizeof pass, &be) != 0) ||
        ms_seckey_parse(key_text, key_len, key_path, enc ? pass : NULL, &sk, &be) != 0) {
        setf(err, errlen, "%s", be.msg);
        goto out;
    }
    /* the tar, into a temporary file beside the output */
    size_t tl = strlen(out_path) + 16;
    if (!(tmp = malloc(tl))) {
        setf(err, errlen, "out of memory");
        goto out;
    }
    snprintf(tmp, tl, "%s.tmp-XXXXXX", out_path);
    if ((fd = mkstemp(tmp)) < 0) {
        setf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
        free(tmp);
        tmp = NULL;
        goto out;
    }
    fchmod(fd, 0644);
    a = archive_write_new();
    if (!a || archive_write_set_format_ustar(a) != ARCHIVE_OK || archive_write_add_filter_none(a) != ARCHIVE_OK ||
        archive_write_open_fd(a, fd) != ARCHIVE_OK) {
        setf(err, errlen, "cannot write %s: %s", out_path, a ? archive_error_string(a) : "out of memory");
        goto out;
    }
    size_t ml = strlen(man_text);
    if (write_entry_header(a, MANIFEST_PATH, ml, created) != 0 ||
        archive_write_data(a, man_text, ml) != (la_ssize_t)ml) {
        setf(err, errlen, "cannot write %s: %s", out_path, archive_error_string(a));
        goto out;
    }
    const cJSON *fo;
    size_t i = 0;
    cJSON_ArrayForEach(fo, cJSON_GetObjectItemCaseSensitive(man, "files"))
    {
        const char *bn = cJSON_GetObjectItemCaseSensitive(fo, "path")->valuestring;
        uint64_t size = (uint64_t)cJSON_GetObjectItemCaseSensitive(fo, "size")->valuedouble;
        const char *hex = cJSON_GetObjectItemCaseSensitive(fo, "sha256")->valuestring;
        if (write_entry_header(a, bn, size, created) != 0) {
            setf(err, errlen, "cannot write %s: %s", out_path, archive_error_string(a));
            goto out;
        }
        if (write_entry_file(a, sorted[i], size, hex, err, errlen) != 0)
            goto out;
        i++;
    }
    if (archive_write_close(a) != ARCHIVE_OK) {
        setf(err, errlen, "cannot write %s: %s", out_path, archive_error_string(a));
        goto out;
    }
    archive_write_free(a);
    a = NULL;
    if (fsync(fd) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
        setf(err, errlen, "cannot write %s: %s", out_path, strerror(errno));
        goto out;
    }
    /* sign the exact bytes */
    unsigned char prehash[64];
    if (ms_prehash_fd(fd, tmp, prehash, &be) != 0) {
        setf(err, errlen, "%s", be.msg);
        goto out;
    }
    char id[17], ucomment[64];
    ms_keyid_hex(sk.keyid, id);
    snprintf(ucomment, sizeof ucomment, "signature from parapet secret key %s", id);
    if (!(tc = trusted_comment(name, created, cJSON_GetObjectItemCaseSensitive(man, "feeds"), ob))) {
        setf(err, errlen, "the bundle's description is too long for a trusted comment (too many feeds)");
        goto out;
    }
    if (!(sig_text = ms_sign(&sk, prehash, ucomment, tc, &be))) {
        setf(err, errlen, "%s", be.msg);
        goto out;
    }
    if (!(sig_path = malloc(strlen(out_path) + 9))) {
        setf(err, errlen, "out of memory");
        goto out;
    }
    snprintf(sig_path, strlen(out_path) + 9, "%s.minisig", out_path);
    if (write_file_atomic(sig_path, sig_text, strlen(sig_text), 0644, 0, &be) != 0) {
        setf(err, errlen, "%s", be.msg);
        goto out;
    }
    if (rename(tmp, out_path) != 0) {
        setf(err, errlen, "cannot write %s: %s", out_path, strerror(errno));
        unlink(sig_path);
        goto out;
    }
    free(tmp);
    tmp = NULL;
    rc = 0;
out:
    if (a)
        archive_write_free(a);
    if (fd >= 0)
        close(fd);
    if (tmp) {
        unlink(tmp);
        free(tmp);
    }
    bwipe(pass, sizeof pass);
    ms_seckey_wipe(&sk);
    if (key_text) {
        bwipe(key_text, key_len);
        free(key_text);
    }
    cJSON_Delete(man);
    cJSON_Delete(feeds);
    cJSON_Delete(jf);
    free(man_text);
    free(tc);
    free(sig_text);
    free(sig_path);
    free(sorted);
    return rc;
}

/* ---- opening ---- */

void feed_bundle_close(feed_bundle *b)
{
    if (!b)
        return;
    if (b->dir) {
        char *parent = strdup(b->dir);
        char *slash = parent ? strrchr(parent, '/') : NULL;
        if (slash) {
            *slash = '\0';
            int dfd = open(*parent ? parent : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (dfd >= 0) {
                remove_tree_at(dfd, slash + 1);
                close(dfd);
            }
        }
        free(parent);
    }
    free(b->name);
    for (size_t i = 0; i < b->n_feeds; i++)
        free(b->feeds[i]);
    free(b->feeds);
    for (size_t i = 0; i < b->n_files; i++) {
        free(b->files[i].path);
        free(b->files[i].feed);
    }
    free(b->files);
    free(b->dir);
    free(b->files_dir);
    memset(b, 0, sizeof *b);
}

/* Refuse an object that repeats a member name. */
static int no_duplicate_keys(const cJSON *o, const char *what, char *err, size_t errlen)
{
    for (const cJSON *x = o ? o->child : NULL; x; x = x->next)
        for (const cJSON *y = x->next; y; y = y->next)
            if (x->string && y->string && !strcmp(x->string, y->string))
                return setf(err, errlen, "%s repeats the member \"%s\"", what, x->string);
    return 0;
}

/* Parse and check MANIFEST.json into @b. */
static int parse_manifest(const char *text, size_t len, const char *path, feed_bundle *b, char *err, size_t errlen)
{
    cJSON *m = cJSON_ParseWithLength(text, len);
    int rc = -1;
    char what[300];
    snprintf(what, sizeof what, "%s: %s", path, MANIFEST_PATH);
    if (!cJSON_IsObject(m)) {
        setf(err, errlen, "%s is not a JSON object", what);
        goto out;
    }
    if (no_duplicate_keys(m, what, err, errlen) != 0)
        goto out;
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(m, "format");
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(m, "kind");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(m, "name");
    const cJSON *created = cJSON_GetObjectItemCaseSensitive(m, "created");
    const cJSON *feeds = cJSON_GetObjectItemCaseSensitive(m, "feeds");
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(m, "files");
    if (!cJSON_IsNumber(fmt) || fmt->valuedouble != FEED_BUNDLE_FORMAT) {
        setf(err, errlen, "%s: \"format\" must be %d", what, FEED_BUNDLE_FORMAT);
        goto out;
    }
    if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "feed") != 0) {
        setf(err, errlen, "%s: \"kind\" must be \"feed\" (this is not a feed bundle)", what);
        goto out;
    }
    if (!cJSON_IsString(name) || !valid_bundle_name(name->valuestring)) {
        setf(err, errlen, "%s: \"name\" is missing or not a valid bundle name", what);
        goto out;
    }
    if (!cJSON_IsNumber(created) || created->valuedouble < 0 || created->valuedouble > 1e11 ||
        created->valuedouble != (double)(int64_t)created->valuedouble) {
        setf(err, errlen, "%s: \"created\" must be a time in Unix seconds", what);
        goto out;
    }
    int nfeeds = cJSON_GetArraySize(feeds), nfiles = cJSON_GetArraySize(files);
    if (!cJSON_IsArray(feeds) || nfeeds < 1 || nfeeds > FEED_BUNDLE_MAX_FILES) {
        setf(err, errlen, "%s: \"feeds\" must list 1 to %d feeds", what, FEED_BUNDLE_MAX_FILES);
        goto out;
    }
    if (!cJSON_IsArray(files) || nfiles < 1 || nfiles > FEED_BUNDLE_MAX_FILES) {
        setf(err, errlen, "%s: \"files\" must list 1 to %d files", what, FEED_BUNDLE_MAX_FILES);
        goto out;
    }
    b->name = strdup(name->valuestring);
    b->created = (int64_t)created->valuedouble;
    b->feeds = calloc((size_t)nfeeds, sizeof *b->feeds);
    b->files = calloc((size_t)nfiles, sizeof *b->files);
    if (!b->name || !b->feeds || !b->files) {
        setf(err, errlen, "out of memory");
        goto out;
    }
    const cJSON *x;
    cJSON_ArrayForEach(x, feeds)
    {
        if (!cJSON_IsString(x) || !*x->valuestring || strlen(x->valuestring) > 200 ||
            strpbrk(x->valuestring, " \t,\r\n")) {
            setf(err, errlen, "%s: feeds[%zu] is not a feed name", what, b->n_feeds);
            goto out;
        }
        for (size_t k = 0; k < b->n_feeds; k++)
            if (!strcmp(b->feeds[k], x->valuestring)) {
                setf(err, errlen, "%s: feed %s is listed twice", what, x->valuestring);
                goto out;
            }
        if (!(b->feeds[b->n_feeds] = strdup(x->valuestring))) {
            setf(err, errlen, "out of memory");
            goto out;
        }
        b->n_feeds++;
    }
    uint64_t total = 0;
    cJSON_ArrayForEach(x, files)
    {
        size_t i = b->n_files;
        snprintf(what, sizeof what, "%s: %s: files[%zu]", path, MANIFEST_PATH, i);
        if (!cJSON_IsObject(x) || no_duplicate_keys(x, what, err, errlen) != 0) {
            if (!cJSON_IsObject(x))
                setf(err, errlen, "%s is not an object", what);
            goto out;
        }
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(x, "path");
        const cJSON *sz = cJSON_GetObjectItemCaseSensitive(x, "size");
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(x, "sha256");
        const cJSON *fd = cJSON_GetObjectItemCaseSensitive(x, "feed");
        char why[300];
        if (!cJSON_IsString(p) || check_member(p->valuestring, why, sizeof why) != 0) {
            setf(err, errlen, "%s: \"path\" %s%s%s", what, cJSON_IsString(p) ? "is " : "is missing",
                 cJSON_IsString(p) ? "not acceptable: " : "", cJSON_IsString(p) ? why : "");
            goto out;
        }
        if (!cJSON_IsNumber(sz) || sz->valuedouble < 0 || sz->valuedouble > (double)FEED_BUNDLE_MAX_FILE ||
            sz->valuedouble != (double)(uint64_t)sz->valuedouble) {
            setf(err, errlen, "%s (%s): \"size\" must be a byte count of at most %llu", what, p->valuestring,
                 (unsigned long long)FEED_BUNDLE_MAX_FILE);
            goto out;
        }
        int hex_ok = cJSON_IsString(h) && strlen(h->valuestring) == 64;
        for (size_t k = 0; hex_ok && k < 64; k++)
            hex_ok = (h->valuestring[k] >= '0' && h->valuestring[k] <= '9') ||
                     (h->valuestring[k] >= 'a' && h->valuestring[k] <= 'f');
        if (!hex_ok) {
            setf(err, errlen, "%s (%s): \"sha256\" must be 64 lowercase hex digits", what, p->valuestring);
            goto out;
        }
        int listed = 0;
        for (size_t k = 0; cJSON_IsString(fd) && k < b->n_feeds; k++)
            listed |= !strcmp(b->feeds[k], fd->valuestring);
        if (!listed) {
            setf(err, errlen, "%s (%s): \"feed\" must be one of the bundle's \"feeds\"", what, p->valuestring);
            goto out;
        }
        for (size_t k = 0; k < i; k++)
            if (!strcasecmp(b->files[k].path, p->valuestring)) {
                setf(err, errlen, "%s: %s is listed twice", what, p->valuestring);
                goto out;
            }
        total += (uint64_t)sz->valuedouble;
        if (total > FEED_BUNDLE_MAX_BYTES) {
            setf(err, errlen, "%s: the files add up to more than %llu bytes", what,
                 (unsigned long long)FEED_BUNDLE_MAX_BYTES);
            goto out;
        }
        feed_bundle_file *f = &b->files[i];
        f->path = strdup(p->valuestring);
        f->feed = strdup(fd->valuestring);
        f->size = (uint64_t)sz->valuedouble;
        memcpy(f->sha256, h->valuestring, 65);
        b->n_files++;
        if (!f->path || !f->feed) {
            setf(err, errlen, "out of memory");
            goto out;
        }
    }
    rc = 0;
out:
    cJSON_Delete(m);
    return rc;
}

/* The trusted comment must say this is a feed bundle and agree with the
 * manifest (name, created, feeds). */
static int check_tc(const char *tc, const feed_bundle *b, const char *sig_path, char *err, size_t errlen)
{
    char buf[MS_TRUSTED_COMMENT_MAX];
    snprintf(buf, sizeof buf, "%s", tc);
    const char *kind = NULL, *name = NULL, *created = NULL, *feeds = NULL;
    char *save = NULL;
    for (char *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        char *colon = strchr(w, ':');
        if (!colon)
            continue;
        *colon = '\0';
        const char **slot = !strcmp(w, "kind")      ? &kind
                            : !strcmp(w, "name")    ? &name
                            : !strcmp(w, "created") ? &created
                            : !strcmp(w, "feeds")   ? &feeds
                                                    : NULL;
        if (!slot)
            continue;
        if (*slot)
            return setf(err, errlen, "%s: the trusted comment repeats \"%s:\"", sig_path, w);
        *slot = colon + 1;
    }
    if (!kind || strcmp(kind, "feed") != 0)
        return setf(err, errlen, "%s: the trusted comment does not say kind:feed; this signature is not for a feed "
                                 "bundle",
                    sig_path);
    if (!name || strcmp(name, b->name) != 0)
        return setf(err, errlen, "%s: the trusted comment names bundle '%s', the manifest '%s'", sig_path,
                    name ? name : "(none)", b->name);
    char c[32];
    snprintf(c, sizeof c, "%lld", (long long)b->created);
    if (!created || strcmp(created, c) != 0)
        return setf(err, errlen, "%s: the trusted comment's created time does not match the manifest", sig_path);
    char list[MS_TRUSTED_COMMENT_MAX] = "";
    size_t used = 0;
    for (size_t i = 0; i < b->n_feeds && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? "," : "", b->feeds[i]);
    if (!feeds || strcmp(feeds, list) != 0)
        return setf(err, errlen, "%s: the trusted comment's feeds do not match the manifest's", sig_path);
    return 0;
}

/* Read the current entry's data into a fresh buffer (at most @cap bytes). */
static char *read_entry(struct archive *a, size_t cap, size_t *len)
{
    char *buf = malloc(cap + 1);
    size_t n = 0;
    la_ssize_t k;
    if (!buf)
        return NULL;
    while ((k = archive_read_data(a, buf + n, cap + 1 - n)) > 0) {
        n += (size_t)k;
        if (n > cap)
            break;
    }
    if (k < 0 || n > cap) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Write the current entry to @name under @dfd, hashing it; check size and hash. */
static int extract_entry(struct archive *a, int dfd, const feed_bundle_file *f, const char *path, char *err,
                         size_t errlen)
{
    int out = openat(dfd, f->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0)
        return setf(err, errlen, "%s: entry %s: cannot write it: %s", path, f->path, strerror(errno));
    hasher h;
    if (hasher_init(&h) != 0) {
        close(out);
        return setf(err, errlen, "out of memory");
    }
    char buf[65536];
    uint64_t total = 0;
    int rc = 0;
    la_ssize_t k;
    while ((k = archive_read_data(a, buf, sizeof buf)) > 0) {
        total += (uint64_t)k;
        if (total > f->size) {
            rc = setf(err, errlen, "%s: entry %s is longer than the manifest says (%llu bytes)", path, f->path,
                      (unsigned long long)f->size);
            break;
        }
        EVP_DigestUpdate(h.c, buf, (size_t)k);
        for (la_ssize_t off = 0; off < k;) {
            ssize_t w = write(out, buf + off, (size_t)(k - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                rc = setf(err, errlen, "%s: entry %s: cannot write it: %s", path, f->path, strerror(errno));
                break;
            }
            off += w;
        }
        if (rc)
            break;
    }
    if (rc == 0 && k < 0)
        rc = setf(err, errlen, "%s: entry %s: the archive is corrupt or truncated: %s", path, f->path,
                  archive_error_string(a));
    char hex[65];
    hasher_hex(&h, hex);
    if (close(out) != 0 && rc == 0)
        rc = setf(err, errlen, "%s: entry %s: cannot write it: %s", path, f->path, strerror(errno));
    if (rc == 0 && total != f->size)
        rc = setf(err, errlen, "%s: entry %s has %llu bytes, the manifest says %llu", path, f->path,
                  (unsigned long long)total, (unsigned long long)f->size);
    if (rc == 0 && strcmp(hex, f->sha256) != 0)
        rc = setf(err, errlen, "%s: entry %s does not have the SHA-256 the manifest lists (tampered?)", path, f->path);
    return rc;
}

/* The tar, read from @fd after the signature was checked. */
static int read_tar(int fd, const char *path, const char *sig_path, const char *tc, feed_bundle *b, char *err,
                    size_t errlen)
{
    struct archive *a = archive_read_new();
    if (!a)
        return setf(err, errlen, "out of memory");
    archive_read_support_format_tar(a); /* and no decompression filter */
    int rc = -1, dfd = -1;
    unsigned char *seen = NULL;
    if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
        setf(err, errlen, "%s: not a tar archive: %s", path, archive_error_string(a));
        goto out;
    }
    struct archive_entry *e;
    int r = archive_read_next_header(a, &e);
    if (r != ARCHIVE_OK) {
        setf(err, errlen, "%s: not a tar archive: %s", path, archive_error_string(a));
        goto out;
    }
    if (archive_filter_count(a) != 1) {
        setf(err, errlen, "%s: a compressed tar; feed bundles are plain tar files", path);
        goto out;
    }
    const char *en = archive_entry_pathname(e);
    if (!en || strcmp(en, MANIFEST_PATH) != 0 || archive_entry_filetype(e) != AE_IFREG) {
        setf(err, errlen, "%s: the first entry must be %s (found %s)", path, MANIFEST_PATH, en ? en : "(no name)");
        goto out;
    }
    size_t ml = 0;
    char *mt = read_entry(a, FEED_BUNDLE_MAX_MANIFEST, &ml);
    if (!mt) {
        setf(err, errlen, "%s: %s is unreadable or larger than %u bytes", path, MANIFEST_PATH,
             FEED_BUNDLE_MAX_MANIFEST);
        goto out;
    }
    int prc = parse_manifest(mt, ml, path, b, err, errlen);
    free(mt);
    if (prc != 0 || check_tc(tc, b, sig_path, err, errlen) != 0)
        goto out;
    if (!(seen = calloc(b->n_files, 1))) {
        setf(err, errlen, "out of memory");
        goto out;
    }
    if ((dfd = open(b->files_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
        setf(err, errlen, "cannot open %s: %s", b->files_dir, strerror(errno));
        goto out;
    }
    size_t entries = 1;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        en = archive_entry_pathname(e);
        if (++entries > (size_t)FEED_BUNDLE_MAX_FILES + 1) {
            setf(err, errlen, "%s: more entries than the manifest lists", path);
            goto out;
        }
        if (!en) {
            setf(err, errlen, "%s: an entry without a name", path);
            goto out;
        }
        if (archive_entry_filetype(e) != AE_IFREG) {
            unsigned t = archive_entry_filetype(e);
            setf(err, errlen, "%s: entry %s is a %s; a feed bundle holds only regular files", path, en,
                 t == AE_IFDIR ? "directory" : t == AE_IFLNK ? "symbolic link" : "special file");
            goto out;
        }
        if (archive_entry_hardlink(e)) {
            setf(err, errlen, "%s: entry %s is a hard link; a feed bundle holds only regular files", path, en);
            goto out;
        }
        char why[300];
        if (check_member(en, why, sizeof why) != 0) {
            setf(err, errlen, "%s: entry %s refused: %s", path, en, why);
            goto out;
        }
        size_t i = 0;
        while (i < b->n_files && strcmp(b->files[i].path, en) != 0)
            i++;
        if (i == b->n_files) {
            setf(err, errlen, "%s: entry %s is not listed in the manifest", path, en);
            goto out;
        }
        if (seen[i]) {
            setf(err, errlen, "%s: entry %s appears twice", path, en);
            goto out;
        }
        seen[i] = 1;
        if (archive_entry_size_is_set(e) && (uint64_t)archive_entry_size(e) != b->files[i].size) {
            setf(err, errlen, "%s: entry %s has %lld bytes, the manifest says %llu", path, en,
                 (long long)archive_entry_size(e), (unsigned long long)b->files[i].size);
            goto out;
        }
        if (extract_entry(a, dfd, &b->files[i], path, err, errlen) != 0)
            goto out;
    }
    if (r != ARCHIVE_EOF) {
        setf(err, errlen, "%s: the archive is corrupt or truncated: %s", path, archive_error_string(a));
        goto out;
    }
    for (size_t i = 0; i < b->n_files; i++)
        if (!seen[i]) {
            setf(err, errlen, "%s: %s is listed in the manifest but missing from the archive", path,
                 b->files[i].path);
            goto out;
        }
    rc = 0;
out:
    if (dfd >= 0)
        close(dfd);
    free(seen);
    archive_read_free(a);
    return rc;
}

int feed_bundle_open(const char *path, const char *keys_dirs, const char *work_parent, feed_bundle *b, char *err,
                     size_t errlen)
{
    memset(b, 0, sizeof *b);
    bundle_err be = {{0}};
    trust_store ts;
    memset(&ts, 0, sizeof ts);
    int fd = -1, rc = -1;
    char *sig_path = NULL, *sig_text = NULL;
    size_t sl = 0;
    ms_signature sig;
    if (!(sig_path = malloc(strlen(path) + 9))) {
        setf(err, errlen, "out of memory");
        goto out;
    }
    snprintf(sig_path, strlen(path) + 9, "%s.minisig", path);
    struct stat st;
    if (lstat(sig_path, &st) != 0 && errno == ENOENT) {
        setf(err, errlen,
             "%s is not signed (no %s); refusing it. A feed bundle must be signed by a key in the trust store "
             "(`parapet feed pack --key`); a raw feed file imports only with --unsigned, for testing",
             path, sig_path);
        goto out;
    }
    /* the work directory and a private copy of the exact bytes */
    size_t dl = strlen(work_parent) + 32;
    if (!(b->dir = malloc(dl)) || !(b->files_dir = malloc(dl + 8))) {
        setf(err, errlen, "out of memory");
        goto out;
    }
    snprintf(b->dir, dl, "%s/.feed-import-XXXXXX", work_parent);
    if (!mkdtemp(b->dir)) {
        setf(err, errlen, "cannot create a work directory in %s: %s", work_parent, strerror(errno));
        free(b->dir);
        b->dir = NULL;
        goto out;
    }
    snprintf(b->files_dir, dl + 8, "%s/files", b->dir);
    if (mkdir(b->files_dir, 0700) != 0) {
        setf(err, errlen, "cannot create %s: %s", b->files_dir, strerror(errno));
        goto out;
    }
    if ((fd = private_copy(path, b->dir, FEED_BUNDLE_MAX_BYTES, &be)) < 0) {
        setf(err, errlen, "%s", be.msg);
        goto out;
    }
    /* the signature, its key, then the exact bytes - before any is parsed */
    if (!(sig_text = read_file_capped(sig_path, SIG_FILE_MAX, &sl, &be)) ||
        ms_sig_parse(sig_text, sl, sig_path, &sig, &be) != 0) {
        setf(err, errlen, "%s", be.msg);
        goto out;
    }
    ms_keyid_hex(sig.keyid, b->signer);
    if (trust_store_load(keys_dirs ? keys_dirs : "", &ts, &be) != 0) {
        setf(err, errlen, "%s", be.msg);
        goto out;
    }
    if (trust_store_is_revoked(&ts, sig.keyid)) {
        setf(err, errlen, "%s: signing key %s is revoked; refusing the bundle", path, b->signer);
        goto out;
    }
    const trust_key *k = trust_store_find(&ts, sig.keyid);
    if (!k) {
        setf(err, errlen, "%s is signed by key %s, which is not in the trust store (%s); refusing it", path,
             b->signer, keys_dirs && *keys_dirs ? keys_dirs : "none configured");
        goto out;
    }
    unsigned char prehash[64];
    if (lseek(fd, 0, SEEK_SET) != 0 || ms_prehash_fd(fd, path, prehash, &be) != 0) {
        setf(err, errlen, "%s", be.msg[0] ? be.msg : "cannot read the bundle");
        goto out;
    }
    if (ms_sig_verify(&k->pk, &sig, prehash, &be) != 0) {
        setf(err, errlen, "%s: %s; refusing the bundle (it was changed after it was signed, or the signature is "
                          "forged)",
             path, be.msg);
        goto out;
    }
    if (lseek(fd, 0, SEEK_SET) != 0 || sha256_fd_hex(fd, path, b->sha256, NULL, &be) != 0) {
        setf(err, errlen, "%s", be.msg);
        goto out;
    }
    if (lseek(fd, 0, SEEK_SET) != 0 || read_tar(fd, path, sig_path, sig.trusted_comment, b, err, errlen) != 0)
        goto out;
    if (trust_key_allows(k, b->name, PP_KIND_THREAT_FEED, &be) != 0) {
        setf(err, errlen, "%s: %s", path, be.msg);
        goto out;
    }
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    trust_store_free(&ts);
    free(sig_text);
    free(sig_path);
    if (rc != 0)
        feed_bundle_close(b);
    return rc;
}
