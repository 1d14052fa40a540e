/*
 * tests/unit/test_bundle.c - bundles end to end, and hostile ones.
 *
 * Builds bundles with libarchive and signs them with the bundle code's own
 * minisign implementation, then installs them into a temporary plugin
 * directory. Each hostile bundle must be refused with its specific
 * message, leave the plugin directory exactly as it was (no staging
 * leftovers), and write nothing outside the temporary directory.
 */
#include "config.h"

#include "bundle/bundle.h"
#include "bundle/manifest.h"
#include "bundle/minisign.h"
#include "bundle/pack.h"
#include "testlib.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <parapet/plugin.h>

static char root[256], plugins[300], keys[300], work[300];
static ms_seckey key_a, key_b, key_r, key_s, key_k;
static int n_hostile;

/* ---- small file helpers ---- */

static void write_text(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

static void sha_hex(const void *p, size_t n, char hex[65])
{
    unsigned char md[32];
    sha256_buf(p, n, md);
    hex_encode(md, 32, hex);
}

/* snapshot - every path below @dir with type, mode, size and content hash,
 * sorted; two snapshots are equal iff nothing changed. */
static void snapshot_rec(const char *dir, const char *rel, char **out, size_t *len)
{
    struct dirent **names;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    int n = scandir(path, &names, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        const char *nm = names[i]->d_name;
        if (strcmp(nm, ".") && strcmp(nm, "..")) {
            char crel[4096], full[8192], line[9000], hex[65] = "";
            struct stat st;
            snprintf(crel, sizeof crel, "%s%s%s", rel, *rel ? "/" : "", nm);
            snprintf(full, sizeof full, "%s/%s", dir, crel);
            lstat(full, &st);
            if (S_ISREG(st.st_mode)) {
                bundle_err e;
                sha256_file_hex(full, hex, NULL, &e);
            }
            snprintf(line, sizeof line, "%s %o %lld %s\n", crel, (unsigned)st.st_mode,
                     (long long)st.st_size, hex);
            size_t l = strlen(line);
            *out = realloc(*out, *len + l + 1);
            memcpy(*out + *len, line, l + 1);
            *len += l;
            if (S_ISDIR(st.st_mode))
                snapshot_rec(dir, crel, out, len);
        }
        free(names[i]);
    }
    if (n >= 0)
        free(names);
}

static char *snapshot(const char *dir)
{
    char *s = strdup("");
    size_t len = 0;
    snapshot_rec(dir, "", &s, &len);
    return s;
}

/* ---- crafting archives ---- */

enum { E_FILE, E_DIR, E_SYMLINK, E_HARDLINK, E_CHR, E_BLK, E_FIFO };
enum { FMT_TGZ, FMT_TAR, FMT_ZIP, FMT_TBZ2 };

typedef struct entry {
    const char *path;
    int type;
    unsigned mode;
    const void *data;
    size_t len;
    const char *link;
    int listed; /* also list it in the manifest (regular files) */
} entry;

typedef struct spec {
    const char *name, *version, *arch, *entry_path, *kinds;
    unsigned abi_major;
    const void *so;
    size_t so_len;
    int format;
    const entry *extra;
    size_t n_extra;
    int omit_license;        /* listed in the manifest, absent from the archive */
    int lie_size, lie_hash;  /* manifest lies about the .so */
    int lie_mode;            /* archive mode differs from the manifest */
    int manifest_second;     /* MANIFEST.json not first */
    const ms_seckey *signer; /* NULL: unsigned */
    const char *tc;          /* trusted comment override */
} spec;

static const char license[] = "MIT\n";

static void add(struct archive *a, const char *path, int type, unsigned mode, const void *data,
                size_t len, const char *link)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, path);
    archive_entry_set_mtime(e, 0, 0);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    switch (type) {
    case E_FILE:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, (la_int64_t)len);
        break;
    case E_DIR:
        archive_entry_set_filetype(e, AE_IFDIR);
        break;
    case E_SYMLINK:
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_symlink(e, link);
        break;
    case E_HARDLINK:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_hardlink(e, link);
        break;
    case E_CHR:
    case E_BLK:
        archive_entry_set_filetype(e, type == E_CHR ? AE_IFCHR : AE_IFBLK);
        archive_entry_set_rdev(e, makedev(1, 3));
        break;
    case E_FIFO:
        archive_entry_set_filetype(e, AE_IFIFO);
        break;
    }
    archive_entry_set_perm(e, mode);
    if (archive_write_header(a, e) != ARCHIVE_OK)
        fprintf(stderr, "craft: header %s: %s\n", path, archive_error_string(a));
    if (type == E_FILE && len)
        archive_write_data(a, data, len);
    archive_entry_free(e);
}

static void sign_file(const char *path, const ms_seckey *sk, const char *tc)
{
    unsigned char ph[64];
    bundle_err e = {{0}};
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0 && ms_prehash_fd(fd, path, ph, &e) == 0);
    close(fd);
    char *sig = ms_sign(sk, ph, "test signature", tc, &e);
    char sp[4200];
    snprintf(sp, sizeof sp, "%s.minisig", path);
    CHECK(sig != NULL);
    if (sig)
        write_text(sp, sig, 0644);
    free(sig);
}

/* build - write the bundle described by @s as work/FILE; returns its path
 * (static buffer). */
static const char *build(const spec *s)
{
    static char out[600];
    static unsigned char so_default[4096];
    static int so_init;
    if (!so_init) {
        RAND_bytes(so_default, sizeof so_default);
        so_init = 1;
    }
    const char *name = s->name ? s->name : "demo";
    const char *version = s->version ? s->version : "1.0.0";
    const char *arch = s->arch ? s->arch : host_arch();
    const void *so = s->so ? s->so : so_default;
    size_t so_len = s->so ? s->so_len : sizeof so_default;
    char entry_path[128], so_hex[65], lic_hex[65];
    snprintf(entry_path, sizeof entry_path, "lib/%s.so", name);

    manifest m;
    memset(&m, 0, sizeof m);
    m.name = (char *)name;
    m.version = (char *)version;
    m.abi_major = s->abi_major ? s->abi_major : PP_ABI_MAJOR;
    m.abi_minor = 0;
    m.kinds = 0;
    char kinds[64];
    snprintf(kinds, sizeof kinds, "%s", s->kinds ? s->kinds : "provider");
    char *save = NULL;
    for (char *k = strtok_r(kinds, ",", &save); k; k = strtok_r(NULL, ",", &save))
        m.kinds |= kinds_parse_name(k);
    m.entry = (char *)(s->entry_path ? s->entry_path : entry_path);
    m.os = "linux";
    m.arch = (char *)arch;
    m.license = "MIT";
    manifest_file files[5000];
    size_t nf = 0;
    sha_hex(so, so_len, so_hex);
    sha_hex(license, strlen(license), lic_hex);
    files[nf++] = (manifest_file){"LICENSE", strlen(license), 0644, ""};
    memcpy(files[nf - 1].sha256, lic_hex, 65);
    files[nf++] = (manifest_file){s->entry_path ? (char *)s->entry_path : entry_path,
                                  so_len + (s->lie_size ? 1 : 0), 0755, ""};
    memcpy(files[nf - 1].sha256, so_hex, 65);
    if (s->lie_hash)
        files[nf - 1].sha256[0] = so_hex[0] == 'a' ? 'b' : 'a';
    for (size_t i = 0; i < s->n_extra; i++) {
        if (s->extra[i].type != E_FILE || !s->extra[i].listed)
            continue;
        files[nf] = (manifest_file){(char *)s->extra[i].path, s->extra[i].len, s->extra[i].mode, ""};
        sha_hex(s->extra[i].data, s->extra[i].len, files[nf].sha256);
        nf++;
    }
    m.files = files;
    m.n_files = nf;
    char *mjson = manifest_to_json(&m);
    char *fname = bundle_file_name(&m);
    snprintf(out, sizeof out, "%s/%s", work, fname);
    unlink(out);

    struct archive *a = archive_write_new();
    if (s->format == FMT_ZIP) {
        archive_write_set_format_zip(a);
    } else {
        archive_write_set_format_pax_restricted(a);
        if (s->format == FMT_TGZ)
            archive_write_add_filter_gzip(a);
        else if (s->format == FMT_TBZ2)
            archive_write_add_filter_bzip2(a);
    }
    archive_write_open_filename(a, out);
    if (!s->manifest_second)
        add(a, MANIFEST_NAME, E_FILE, 0644, mjson, strlen(mjson), NULL);
    if (!s->omit_license)
        add(a, "LICENSE", E_FILE, 0644, license, strlen(license), NULL);
    if (s->manifest_second)
        add(a, MANIFEST_NAME, E_FILE, 0644, mjson, strlen(mjson), NULL);
    add(a, "lib/", E_DIR, 0755, NULL, 0, NULL);
    add(a, files[1].path, E_FILE, s->lie_mode ? 0775 : 0755, so, so_len, NULL);
    for (size_t i = 0; i < s->n_extra; i++)
        add(a, s->extra[i].path, s->extra[i].type, s->extra[i].mode, s->extra[i].data,
            s->extra[i].len, s->extra[i].link);
    archive_write_close(a);
    archive_write_free(a);

    char sig[700];
    snprintf(sig, sizeof sig, "%s.minisig", out);
    unlink(sig);
    if (s->signer) {
        char *tc = s->tc ? strdup(s->tc) : bundle_trusted_comment(&m, 1700000000);
        sign_file(out, s->signer, tc);
        free(tc);
    }
    free(mjson);
    free(fname);
    return out;
}

/* ---- tampering ---- */

static void flip_byte(const char *path, long off)
{
    int fd = open(path, O_RDWR);
    struct stat st;
    fstat(fd, &st);
    if (off < 0)
        off += st.st_size;
    unsigned char c;
    CHECK(pread(fd, &c, 1, off) == 1);
    c ^= 0x20;
    CHECK(pwrite(fd, &c, 1, off) == 1);
    close(fd);
}

/* sig_line_edit - change the signature file's line @line (0-based): for
 * base64 lines flip a bit in decoded byte @byte; for the trusted comment
 * (line 2) change its last character. */
static void sig_line_edit(const char *bundle, int line, int byte)
{
    char sp[700], *text;
    size_t len;
    bundle_err e;
    snprintf(sp, sizeof sp, "%s.minisig", bundle);
    text = read_file_capped(sp, 65536, &len, &e);
    CHECK(text != NULL);
    if (!text)
        return;
    char *p = text;
    for (int i = 0; i < line; i++)
        p = strchr(p, '\n') + 1;
    char *end = strchr(p, '\n');
    if (line == 2) {
        end[-1] ^= 1;
    } else {
        /* byte @byte sits in base64 quantum byte/3 at character 4*(byte/3) */
        char *c = p + 4 * (byte / 3);
        *c = *c == 'A' ? 'B' : 'A';
    }
    write_text(sp, text, 0644);
    free(text);
}

/* ---- assertions ---- */

static bundle_ctx ctx_default(void)
{
    bundle_ctx c = {plugins, keys, 0, 0};
    return c;
}

#define REFUSED(label, path, ctxp, needle) refused(__LINE__, label, path, ctxp, needle)

static void refused(int line, const char *label, const char *path, const bundle_ctx *c,
                    const char *needle)
{
    char *before = snapshot(plugins);
    bundle_err e = {{0}};
    bundle_info bi;
    int rc = bundle_install(c, path, &bi, &e);
    char *after = snapshot(plugins);
    n_hostile++;
    test_checks += 3;
    if (rc != -1) {
        test_failures++;
        fprintf(stderr, "line %d: %s: installed but should have been refused\n", line, label);
        bundle_info_free(&bi);
    } else if (!strstr(e.msg, needle)) {
        test_failures++;
        fprintf(stderr, "line %d: %s: message \"%s\" lacks \"%s\"\n", line, label, e.msg, needle);
    }
    if (strcmp(before, after) != 0) {
        test_failures++;
        fprintf(stderr, "line %d: %s: plugin directory changed:\n--- before\n%s--- after\n%s", line,
                label, before, after);
    }
    free(before);
    free(after);
}

static void installs(int line, const char *path, const bundle_ctx *c, int want_verified)
{
    bundle_err e = {{0}};
    bundle_info bi;
    test_checks++;
    if (bundle_install(c, path, &bi, &e) != 0) {
        test_failures++;
        fprintf(stderr, "line %d: install of %s failed: %s\n", line, path, e.msg);
        return;
    }
    CHECK(bi.verified == want_verified);
    bundle_info_free(&bi);
}

/* ---- setup ---- */

static void make_key(ms_seckey *sk, const char *file, const char *scope)
{
    ms_pubkey pk;
    bundle_err e;
    CHECK(ms_keygen(sk, &pk, &e) == 0);
    if (!file)
        return;
    char path[600], *text = ms_pubkey_format(&pk);
    snprintf(path, sizeof path, "%s/%s", keys, file);
    write_text(path, text, 0644);
    free(text);
    if (scope) {
        snprintf(path, sizeof path, "%s/%s.scope", keys, file);
        write_text(path, scope, 0644);
    }
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/pp-bundle-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    CHECK(mkdtemp(root) != NULL);
    snprintf(plugins, sizeof plugins, "%s/plugins", root);
    snprintf(keys, sizeof keys, "%s/keys", root);
    snprintf(work, sizeof work, "%s/work", root);
    mkdir(plugins, 0755);
    mkdir(keys, 0755);
    mkdir(work, 0755);
    make_key(&key_a, "a.pub", NULL);
    make_key(&key_b, NULL, NULL); /* not trusted */
    make_key(&key_r, "r.pub", NULL);
    make_key(&key_s, "s.pub", "# only other-* plugins\nnames other-* other\n");
    make_key(&key_k, "k.pub", "kinds output\n");
    char id[17], path[600], text[64];
    ms_keyid_hex(key_r.keyid, id);
    snprintf(path, sizeof path, "%s/revoked", keys);
    snprintf(text, sizeof text, "# compromised\n%s\n", id);
    write_text(path, text, 0644);
}

/* ---- the tests ---- */

static void test_good_paths(void)
{
    bundle_ctx c = ctx_default();
    spec s = {.signer = &key_a};
    installs(__LINE__, build(&s), &c, 1);

    /* list: one verified, intact plugin with the signer's id */
    bundle_installed *v;
    size_t n;
    bundle_err e = {{0}};
    char ida[17];
    ms_keyid_hex(key_a.keyid, ida);
    CHECK(bundle_list(&c, &v, &n, &e) == 0 && n == 1);
    if (n == 1) {
        CHECK_STR(v[0].name, "demo");
        CHECK_STR(v[0].version, "1.0.0");
        CHECK_STR(v[0].signer, ida);
        CHECK(v[0].verified && v[0].intact && v[0].kinds == PP_KIND_PROVIDER);
        bundle_installed_free(&v[0]);
    }
    free(v);

    /* the loader's check: intact, with an fd of the hashed bytes */
    bundle_installed bi;
    int fd = -1;
    CHECK(bundle_check_installed(plugins, "demo", &bi, &fd, &e) == 0 && fd >= 0);
    if (fd >= 0)
        close(fd);
    bundle_installed_free(&bi);

    /* verify without installing leaves the plugin directory alone */
    spec s2 = {.version = "1.1.0", .signer = &key_a};
    const char *b2 = build(&s2);
    char *before = snapshot(plugins);
    bundle_info info;
    CHECK(bundle_verify(&c, b2, &info, &e) == 0 && info.verified);
    bundle_info_free(&info);
    char *after = snapshot(plugins);
    CHECK_STR(after, before);
    free(before);
    free(after);
}

static void test_hostile(void)
{
    bundle_ctx c = ctx_default();
    bundle_ctx unsigned_ok = c;
    unsigned_ok.allow_unsigned = 1;
    const char *b;
    static const char data[] = "{}\n";

    /* --- signature and trust --- */
    spec s = {.version = "1.2.0", .signer = &key_a};
    b = build(&s);
    sig_line_edit(b, 1, 20);
    REFUSED("bit flip in the signature", b, &c, "signature verification failed");
    b = build(&s);
    sig_line_edit(b, 2, 0);
    REFUSED("changed trusted comment", b, &c, "trusted comment signature verification failed");
    b = build(&s);
    sig_line_edit(b, 3, 10);
    REFUSED("bit flip in the global signature", b, &c,
            "trusted comment signature verification failed");
    b = build(&s);
    flip_byte(b, 40);
    REFUSED("bit flip in the manifest (gzip data)", b, &c, "signature verification failed");
    b = build(&s);
    flip_byte(b, -2000);
    REFUSED("bit flip in the .so (gzip data)", b, &c, "signature verification failed");
    b = build(&s);
    flip_byte(b, 3);
    REFUSED("bit flip in the gzip header", b, &c, "signature verification failed");
    b = build(&s);
    flip_byte(b, -3);
    REFUSED("bit flip in the gzip trailer", b, &c, "signature verification failed");
    b = build(&s);
    {
        FILE *f = fopen(b, "a");
        fputs("trailing garbage", f);
        fclose(f);
    }
    REFUSED("trailing garbage", b, &c, "signature verification failed");
    sign_file(b, &key_a, "name:demo\tversion:1.2.0");
    REFUSED("trailing garbage, signed with it", b, &c, "trailing data after the gzip stream");
    b = build(&s);
    {
        FILE *f = fopen(b, "a");
        fputs("\x1f\x8b\x08 second member?", f);
        fclose(f);
    }
    sign_file(b, &key_a, "name:demo\tversion:1.2.0");
    REFUSED("a broken second gzip member", b, &c, "gzip stream");
    s.signer = &key_b;
    REFUSED("signed by an untrusted key", build(&s), &c, "not in the trust store");
    s.signer = &key_r;
    REFUSED("signed by a revoked key", build(&s), &c, "is revoked");
    REFUSED("revoked even with --allow-unsigned", build(&s), &unsigned_ok, "is revoked");
    s.signer = &key_s;
    REFUSED("key scoped to other names", build(&s), &c, "is not allowed to sign plugin \"demo\"");
    s.signer = &key_k;
    REFUSED("key scoped to other kinds", build(&s), &c, "may sign kinds output only");
    s.signer = NULL;
    REFUSED("unsigned bundle", build(&s), &c, "is not signed");
    s.signer = &key_a;
    s.tc = "name:evil\tversion:1.2.0\ttarget:linux-x86_64";
    REFUSED("trusted comment names another plugin", build(&s), &c,
            "trusted comment says name \"evil\"");
    s.tc = "timestamp:1\tfile:demo-9.9.9-linux-x86_64.tar.gz";
    REFUSED("trusted comment names another file", build(&s), &c, "names file");
    s.tc = "timestamp:1700000000";
    REFUSED("trusted comment naming nothing", build(&s), &c, "does not name the bundle");
    s.tc = NULL;
    b = build(&s);
    {
        /* a legacy (non-prehashed) signature */
        char sp[700], *text;
        size_t len;
        bundle_err e;
        snprintf(sp, sizeof sp, "%s.minisig", b);
        text = read_file_capped(sp, 65536, &len, &e);
        char *l2 = strchr(text, '\n') + 1;
        l2[1] = 'W'; /* base64 "RUQ" is "ED" (prehashed); "RWQ" is legacy "Ed" */
        write_text(sp, text, 0644);
        free(text);
    }
    REFUSED("legacy non-prehashed signature", b, &c, "legacy (non-prehashed");

    /* a FIFO where the bundle or its signature should be: refused, no hang */
    char fifo[400];
    snprintf(fifo, sizeof fifo, "%s/fifo-1.0.0-linux-x86_64.tar.gz", work);
    CHECK(mkfifo(fifo, 0600) == 0);
    REFUSED("bundle that is a FIFO", fifo, &unsigned_ok, "not a regular file");
    b = build(&s);
    {
        char sp[700];
        snprintf(sp, sizeof sp, "%s.minisig", b);
        unlink(sp);
        CHECK(mkfifo(sp, 0600) == 0);
    }
    REFUSED("signature that is a FIFO", b, &c, "not a regular file");

    /* --- archive container --- */
    spec f = {.version = "1.2.0", .signer = &key_a};
    f.format = FMT_ZIP;
    REFUSED("zip renamed .tar.gz", build(&f), &c, "is a zip archive");
    f.format = FMT_TAR;
    REFUSED("plain tar renamed .tar.gz", build(&f), &c, "uncompressed tar archive");
    f.format = FMT_TBZ2;
    REFUSED("bzip2 tar renamed .tar.gz", build(&f), &c, "bzip2-compressed");
    f.format = FMT_TGZ;
    b = build(&f);
    {
        struct stat st;
        stat(b, &st);
        CHECK(truncate(b, st.st_size / 2) == 0);
        sign_file(b, &key_a, "name:demo\tversion:1.2.0");
    }
    REFUSED("truncated archive (signed as truncated)", b, &c, "truncated");
    b = build(&f);
    {
        struct stat st;
        stat(b, &st);
        CHECK(truncate(b, st.st_size - 100) == 0);
        sign_file(b, &key_a, "name:demo\tversion:1.2.0");
    }
    REFUSED("archive missing its last 100 bytes (signed)", b, &c, "truncated");

    /* --- entries --- */
    struct {
        const char *label;
        entry e;
        const char *needle;
    } ents[] = {
        {"path traversal", {"../evil", E_FILE, 0644, data, 3, NULL, 0}, "unsafe path"},
        {"nested traversal", {"lib/../../evil", E_FILE, 0644, data, 3, NULL, 0}, "unsafe path"},
        {"absolute path", {"/tmp/pp-evil-abs", E_FILE, 0644, data, 3, NULL, 0}, "absolute path"},
        {"symbolic link", {"lib/link.so", E_SYMLINK, 0777, NULL, 0, "/etc/passwd", 0},
         "is a symbolic link"},
        {"hard link", {"lib/hard.so", E_HARDLINK, 0644, NULL, 0, "lib/demo.so", 0},
         "is a hard link"},
        {"character device", {"null", E_CHR, 0644, NULL, 0, NULL, 0}, "is a character device"},
        {"block device", {"disk", E_BLK, 0644, NULL, 0, NULL, 0}, "is a block device"},
        {"FIFO", {"pipe", E_FIFO, 0644, NULL, 0, NULL, 0}, "is a FIFO"},
        {"duplicate entry", {"lib/demo.so", E_FILE, 0755, data, 3, NULL, 0}, "appears twice"},
        {"case-colliding entry", {"license", E_FILE, 0644, data, 3, NULL, 0},
         "differing only in case"},
        {"file missing from the manifest", {"rules/extra.json", E_FILE, 0644, data, 3, NULL, 0},
         "is not listed in the manifest"},
        {"hidden file", {".bashrc", E_FILE, 0644, data, 3, NULL, 0}, "hidden path component"},
        {"unneeded directory", {"emptydir/", E_DIR, 0755, NULL, 0, NULL, 0},
         "holds no file listed"},
        {"backslash name", {"lib\\x.so", E_FILE, 0644, data, 3, NULL, 0}, "not allowed in a path"},
    };
    for (size_t i = 0; i < sizeof ents / sizeof ents[0]; i++) {
        spec x = {.version = "1.2.0", .signer = &key_a, .extra = &ents[i].e, .n_extra = 1};
        REFUSED(ents[i].label, build(&x), &c, ents[i].needle);
    }
    /* a symlink, then a file written through it */
    entry through[] = {
        {"rules", E_SYMLINK, 0777, NULL, 0, "/tmp", 0},
        {"rules/pp-through.json", E_FILE, 0644, data, 3, NULL, 1},
    };
    spec t = {.version = "1.2.0", .signer = &key_a, .extra = through, .n_extra = 2};
    REFUSED("symlink then a file through it", build(&t), &c, "is a symbolic link");
    struct stat st;
    CHECK(stat("/tmp/pp-through.json", &st) != 0 && stat("/tmp/pp-evil-abs", &st) != 0);
    char evil[400];
    snprintf(evil, sizeof evil, "%s/evil", root);
    CHECK(stat(evil, &st) != 0);
    snprintf(evil, sizeof evil, "%s/evil", plugins);
    CHECK(stat(evil, &st) != 0);

    /* very long (pax) names */
    char longname[400];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    memcpy(longname, "rules/", 6);
    entry lng = {longname, E_FILE, 0644, data, 3, NULL, 0};
    spec l = {.version = "1.2.0", .signer = &key_a, .extra = &lng, .n_extra = 1};
    REFUSED("very long pax name", build(&l), &c, "longer than");

    /* --- manifest against content --- */
    spec m = {.version = "1.2.0", .signer = &key_a};
    m.omit_license = 1;
    REFUSED("listed file missing from the archive", build(&m), &c, "missing from the archive");
    m.omit_license = 0;
    m.lie_size = 1;
    REFUSED("manifest lies about the size", build(&m), &c, "the manifest says");
    m.lie_size = 0;
    m.lie_hash = 1;
    REFUSED("manifest lies about the hash", build(&m), &c, "SHA-256 of lib/demo.so does not match");
    REFUSED("lying hash, unsigned allowed", build(&m), &unsigned_ok, "SHA-256 of lib/demo.so");
    m.lie_hash = 0;
    m.lie_mode = 1;
    REFUSED("mode differs from the manifest", build(&m), &c, "has mode 0775");
    m.lie_mode = 0;
    m.manifest_second = 1;
    REFUSED("manifest not the first entry", build(&m), &c, "first entry must be MANIFEST.json");
    m.manifest_second = 0;
    m.entry_path = "lib/other.so";
    REFUSED(".so name disagrees with the manifest name", build(&m), &c,
            "must be \"lib/demo.so\"");
    m.entry_path = NULL;

    /* --- target and version --- */
    spec v = {.version = "1.2.0", .signer = &key_a};
    v.arch = strcmp(host_arch(), "aarch64") == 0 ? "x86_64" : "aarch64";
    REFUSED("bundle for another architecture", build(&v), &c, "built for architecture");
    v.arch = NULL;
    v.abi_major = PP_ABI_MAJOR + 1;
    REFUSED("bundle for another ABI major", build(&v), &c, "plugin ABI");
    v.abi_major = 0;
    v.version = "0.9.0";
    REFUSED("downgrade", build(&v), &c, "refusing to downgrade demo from 1.0.0 to 0.9.0");
    v.version = "1.0.0";
    REFUSED("same version again", build(&v), &c, "already installed");

    /* --- size abuse --- */
    size_t big = 64u << 20;
    unsigned char *zeros = calloc(1, big);
    spec z = {.version = "1.2.0", .signer = &key_a, .so = zeros, .so_len = big};
    REFUSED("decompression bomb", build(&z), &c, "decompression bomb");
    free(zeros);

    /* more entries than allowed: 4090 listed files, each in its own dir */
    size_t nx = 4090;
    entry *many = calloc(2 * nx, sizeof *many);
    char (*names)[32] = calloc(2 * nx, 32);
    for (size_t i = 0; i < nx; i++) {
        snprintf(names[2 * i], 32, "rules/d%04zu/", i);
        snprintf(names[2 * i + 1], 32, "rules/d%04zu/r.json", i);
        many[2 * i] = (entry){names[2 * i], E_DIR, 0755, NULL, 0, NULL, 0};
        many[2 * i + 1] = (entry){names[2 * i + 1], E_FILE, 0644, data, 3, NULL, 1};
    }
    spec h = {.version = "1.2.0", .signer = &key_a, .extra = many, .n_extra = 2 * nx};
    REFUSED("huge entry count", build(&h), &c, "entries in the archive");
    free(many);
    free(names);
}

static void test_keys_store(void)
{
    /* a group-writable key file is ignored (with a warning): its bundles
     * are then signed by an unknown key */
    ms_seckey g;
    make_key(&g, "g.pub", NULL);
    char path[600];
    snprintf(path, sizeof path, "%s/g.pub", keys);
    chmod(path, 0664);
    bundle_ctx c = ctx_default();
    spec s = {.version = "1.3.0", .signer = &g};
    REFUSED("key file writable by group", build(&s), &c, "not in the trust store");
    unlink(path);
    /* a revocation list writable by others makes the store unusable */
    snprintf(path, sizeof path, "%s/revoked", keys);
    chmod(path, 0666);
    s.signer = &key_a;
    REFUSED("revocation list writable by others", build(&s), &c, "cannot be trusted");
    chmod(path, 0644);
    ms_seckey_wipe(&g);
}

static void test_lifecycle(void)
{
    bundle_ctx c = ctx_default();
    bundle_err e = {{0}};
    /* upgrade in place */
    spec s = {.version = "2.0.0", .kinds = "provider,output", .signer = &key_a};
    installs(__LINE__, build(&s), &c, 1);
    bundle_installed bi;
    CHECK(bundle_check_installed(plugins, "demo", &bi, NULL, &e) == 0);
    CHECK(bi.version && strcmp(bi.version, "2.0.0") == 0 &&
          bi.kinds == (PP_KIND_PROVIDER | PP_KIND_OUTPUT));
    bundle_installed_free(&bi);
    /* a forced downgrade is allowed */
    bundle_ctx forced = c;
    forced.force = 1;
    spec d = {.version = "1.5.0", .signer = &key_a};
    installs(__LINE__, build(&d), &forced, 1);
    /* unsigned with the explicit flag: installed, marked unverified */
    bundle_ctx un = c;
    un.allow_unsigned = 1;
    spec u = {.name = "other", .version = "0.1.0"};
    installs(__LINE__, build(&u), &un, 0);
    bundle_installed *v;
    size_t n;
    CHECK(bundle_list(&c, &v, &n, &e) == 0 && n == 2);
    if (n == 2) {
        CHECK_STR(v[0].name, "demo");
        CHECK_STR(v[1].name, "other");
        CHECK(v[0].verified == 1 && v[1].verified == 0 && v[1].signer == NULL);
    }
    for (size_t i = 0; i < n; i++)
        bundle_installed_free(&v[i]);
    free(v);
    /* the loader notices a modified .so */
    char so[600];
    snprintf(so, sizeof so, "%s/other/lib/other.so", plugins);
    flip_byte(so, 100);
    CHECK(bundle_check_installed(plugins, "other", NULL, NULL, &e) == -1);
    CHECK_CONTAINS(e.msg, "was modified after installation");
    CHECK(bundle_list(&c, &v, &n, &e) == 0 && n == 2 && !v[1].intact && v[0].intact);
    for (size_t i = 0; i < n; i++)
        bundle_installed_free(&v[i]);
    free(v);
    /* ... and a .so replaced by a symbolic link */
    unlink(so);
    CHECK(symlink("/bin/true", so) == 0);
    CHECK(bundle_check_installed(plugins, "other", NULL, NULL, &e) == -1);
    /* remove */
    CHECK(bundle_remove(&c, "other", &e) == 0);
    CHECK(bundle_remove(&c, "other", &e) == -1);
    CHECK_CONTAINS(e.msg, "not installed");
    CHECK(bundle_remove(&c, "../keys", &e) == -1);
    CHECK_CONTAINS(e.msg, "not a valid plugin name");
    struct stat st;
    snprintf(so, sizeof so, "%s/other", plugins);
    CHECK(stat(so, &st) != 0);
}

static void test_pack_and_sign(void)
{
    /* pack a staging tree twice: same bytes; then keygen + sign + verify */
    char stage[400], lib[420], f[500], out1[400], out2[400];
    snprintf(stage, sizeof stage, "%s/stage", root);
    snprintf(lib, sizeof lib, "%s/lib", stage);
    mkdir(stage, 0755);
    mkdir(lib, 0755);
    snprintf(f, sizeof f, "%s/packed.so", lib);
    write_text(f, "not really an ELF", 0755);
    snprintf(f, sizeof f, "%s/LICENSE", stage);
    write_text(f, "MIT\n", 0644);
    snprintf(out1, sizeof out1, "%s/o1", root);
    snprintf(out2, sizeof out2, "%s/o2", root);
    mkdir(out1, 0755);
    mkdir(out2, 0755);
    pack_opts po = {.dir = stage, .name = "packed", .version = "3.1.4", .kinds = "policy",
                    .mtime = -1};
    char *p1 = NULL, *p2 = NULL;
    bundle_err e = {{0}};
    po.out_dir = out1;
    CHECK(bundle_pack(&po, &p1, &e) == 0);
    sleep(1);
    po.out_dir = out2;
    CHECK(bundle_pack(&po, &p2, &e) == 0);
    size_t l1 = 0, l2 = 0;
    char *a = p1 ? read_file_capped(p1, 1 << 20, &l1, &e) : NULL;
    char *b = p2 ? read_file_capped(p2, 1 << 20, &l2, &e) : NULL;
    CHECK(a && b && l1 == l2 && memcmp(a, b, l1) == 0);
    free(a);
    free(b);
    CHECK(p1 && strstr(p1, "packed-3.1.4-linux-"));
    /* keygen (unencrypted) refuses to overwrite; sign; verify against a store holding it */
    char base[450], kd[400];
    snprintf(kd, sizeof kd, "%s/keys2", root);
    mkdir(kd, 0755);
    snprintf(base, sizeof base, "%s/author", kd);
    char id[17];
    CHECK(bundle_keygen(base, 1, 1, id, &e) == 0);
    CHECK(bundle_keygen(base, 1, 1, id, &e) == -1);
    CHECK_CONTAINS(e.msg, "refusing to overwrite");
    char keyfile[480];
    snprintf(keyfile, sizeof keyfile, "%s.key", base);
    struct stat st;
    CHECK(stat(keyfile, &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK(p1 && bundle_sign(p1, keyfile, &e) == 0);
    /* the secret key must not sit in the trust store; move it out */
    char moved[420];
    snprintf(moved, sizeof moved, "%s/author.key", root);
    rename(keyfile, moved);
    bundle_ctx c = {plugins, kd, 0, 0};
    bundle_info bi;
    CHECK(p1 && bundle_verify(&c, p1, &bi, &e) == 0 && bi.verified);
    if (p1)
        bundle_info_free(&bi);
    /* an encrypted key: passphrase from a file */
    char base2[400], pf[400];
    snprintf(base2, sizeof base2, "%s/enc", root);
    snprintf(pf, sizeof pf, "%s/pass", root);
    write_text(pf, "s3cret passphrase\n", 0600);
    setenv("PARAPET_SIGN_PASSPHRASE_FILE", pf, 1);
    CHECK(bundle_keygen(base2, 0, 1, id, &e) == 0);
    snprintf(keyfile, sizeof keyfile, "%s.key", base2);
    CHECK(p1 && bundle_sign(p1, keyfile, &e) == 0);
    write_text(pf, "wrong\n", 0600);
    CHECK(p1 && bundle_sign(p1, keyfile, &e) == -1);
    CHECK_CONTAINS(e.msg, "wrong passphrase");
    unsetenv("PARAPET_SIGN_PASSPHRASE_FILE");
    free(p1);
    free(p2);
}

int main(void)
{
    setup();
    test_good_paths();
    test_hostile();
    test_keys_store();
    test_lifecycle();
    test_pack_and_sign();
    fprintf(stderr, "test_bundle: %d hostile bundles tried\n", n_hostile);
    CHECK(n_hostile >= 30);
    if (!getenv("PP_KEEP_TMP"))
        remove_tree_at(AT_FDCWD, root);
    ms_seckey_wipe(&key_a);
    ms_seckey_wipe(&key_b);
    ms_seckey_wipe(&key_r);
    ms_seckey_wipe(&key_s);
    ms_seckey_wipe(&key_k);
    return test_summary("test_bundle");
}
