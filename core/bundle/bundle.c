/* core/bundle/bundle.c - see bundle.h. */
#include "config.h"

#include "bundle.h"

#include "../log.h"
#include "extract.h"
#include "minisign.h"
#include "passphrase.h"
#include "trust.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include <parapet/version.h>

#define SIG_FILE_MAX 16384
/* a bundle file: the uncompressed caps plus room for headers */
#define BUNDLE_MAX_BYTES (MANIFEST_MAX_TOTAL_SIZE + MANIFEST_MAX_BYTES + (64ULL << 20))
#define RECORD_MAX 65536

void bundle_info_free(bundle_info *bi)
{
    if (bi)
        manifest_free(&bi->m);
}

void bundle_installed_free(bundle_installed *bi)
{
    if (!bi)
        return;
    free(bi->name);
    free(bi->version);
    free(bi->signer);
    free(bi->entry);
    free(bi->so_path);
    free(bi->so_sha256);
    memset(bi, 0, sizeof *bi);
}

char *bundle_trusted_comment(const manifest *m, int64_t when)
{
    char *file = bundle_file_name(m);
    if (!file)
        return NULL;
    size_t cap = strlen(file) * 2 + 128;
    char *s = malloc(cap);
    if (s)
        snprintf(s, cap, "name:%s\tversion:%s\ttarget:%s-%s\ttimestamp:%lld\tfile:%s", m->name,
                 m->version, m->os, m->arch, (long long)when, file);
    free(file);
    return s;
}

/* ---- the trusted comment ---- */

typedef struct tc_fields {
    char buf[MS_TRUSTED_COMMENT_MAX];
    extract_expect x;
    const char *file;
} tc_fields;

/* parse_tc - split "key:value" words (tab or space separated) of the
 * trusted comment. Unknown keys are ignored; repeated known keys refused. */
static int parse_tc(const char *tc, tc_fields *f, const char *what, bundle_err *e)
{
    memset(f, 0, sizeof *f);
    size_t tl = strnlen(tc, sizeof f->buf - 1);
    memcpy(f->buf, tc, tl);
    f->buf[tl] = '\0';
    char *save = NULL;
    const char *target = NULL;
    for (char *w = strtok_r(f->buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        char *colon = strchr(w, ':');
        if (!colon)
            continue;
        *colon = '\0';
        const char *v = colon + 1;
        const char **slot = strcmp(w, "name") == 0      ? &f->x.name
                            : strcmp(w, "version") == 0 ? &f->x.version
                            : strcmp(w, "target") == 0  ? &target
                            : strcmp(w, "file") == 0    ? &f->file
                                                        : NULL;
        if (!slot)
            continue;
        if (*slot)
            return berr_set(e, "%s: the trusted comment repeats \"%s:\"", what, w);
        *slot = v;
    }
    if (target) {
        char *dash = strchr(target, '-');
        if (!dash)
            return berr_set(e, "%s: trusted comment target \"%s\" is not OS-ARCH", what, target);
        *dash = '\0';
        f->x.os = target;
        f->x.arch = dash + 1;
    }
    if (!f->x.name && !f->x.version && !f->x.os && !f->file)
        return berr_set(e,
                        "%s: the trusted comment does not name the bundle (it needs name:, "
                        "version:, target: or file:; see docs/bundles.md)",
                        what);
    return 0;
}

/* ---- signature ---- */

typedef struct sig_state {
    trust_store ts;
    const trust_key *key; /* NULL when unverified */
    tc_fields tc;
    int have_tc;
} sig_state;

static int check_signature(const bundle_ctx *ctx, const char *path, int fd, bundle_info *bi,
                           sig_state *ss, bundle_err *e)
{
    char *sig_path = malloc(strlen(path) + 9);
    ms_signature sig;
    int rc = -1;
    if (!sig_path)
        return berr_set(e, "out of memory");
    snprintf(sig_path, strlen(path) + 9, "%s.minisig", path);
    struct stat st;
    if (stat(sig_path, &st) != 0 && errno == ENOENT) {
        if (!ctx->allow_unsigned) {
            berr_set(e,
                     "%s is not signed (no %s); refusing it. Use --allow-unsigned to install it "
                     "anyway, marked unverified",
                     path, sig_path);
            goto out;
        }
        snprintf(bi->why_unverified, sizeof bi->why_unverified, "no signature");
        rc = 0;
        goto out;
    }
    size_t len;
    char *text = read_file_capped(sig_path, SIG_FILE_MAX, &len, e);
    if (!text)
        goto out;
    int prc = ms_sig_parse(text, len, sig_path, &sig, e);
    free(text);
    if (prc != 0)
        goto out;
    ms_keyid_hex(sig.keyid, bi->signer);
    size_t tcl = strnlen(sig.trusted_comment, sizeof bi->trusted_comment - 1);
    memcpy(bi->trusted_comment, sig.trusted_comment, tcl);
    bi->trusted_comment[tcl] = '\0';
    if (trust_store_load(ctx->keys_dir, &ss->ts, e) != 0)
        goto out;
    if (trust_store_is_revoked(&ss->ts, sig.keyid)) {
        berr_set(e, "%s: signing key %s is revoked; refusing the bundle", path, bi->signer);
        goto out;
    }
    const trust_key *k = trust_store_find(&ss->ts, sig.keyid);
    if (!k) {
        if (!ctx->allow_unsigned) {
            berr_set(e,
                     "%s is signed by key %s, which is not in the trust store (%s); add its .pub "
                     "there or use --allow-unsigned",
                     path, bi->signer, ctx->keys_dir ? ctx->keys_dir : "none configured");
            goto out;
        }
        snprintf(bi->why_unverified, sizeof bi->why_unverified, "signed by unknown key %s",
                 bi->signer);
        rc = 0;
        goto out;
    }
    /* the exact bytes, before anything is decompressed */
    unsigned char prehash[64];
    if (lseek(fd, 0, SEEK_SET) != 0 || ms_prehash_fd(fd, path, prehash, e) != 0) {
        berr_set(e, "cannot read %s: %s", path, strerror(errno));
        goto out;
    }
    bundle_err verr = {{0}};
    if (ms_sig_verify(&k->pk, &sig, prehash, &verr) != 0) {
        berr_set(e, "%s: %s", path, verr.msg);
        goto out;
    }
    if (parse_tc(sig.trusted_comment, &ss->tc, sig_path, e) != 0)
        goto out;
    ss->have_tc = 1;
    ss->key = k;
    rc = 0;
out:
    free(sig_path);
    return rc;
}

/* ---- target ---- */

static int glibc_older(const char *have, const char *want)
{
    unsigned ha = 0, hb = 0, wa = 0, wb = 0;
    sscanf(have, "%u.%u", &ha, &hb);
    sscanf(want, "%u.%u", &wa, &wb);
    return ha < wa || (ha == wa && hb < wb);
}

static int check_target(const manifest *m, const char *path, bundle_err *e)
{
    if (strcmp(m->os, "linux") != 0)
        return berr_set(e, "%s is built for %s, not linux", path, m->os);
    if (strcmp(m->arch, host_arch()) != 0)
        return berr_set(e, "%s is built for architecture %s; this machine is %s", path, m->arch,
                        host_arch());
    if (m->libc && strcmp(m->libc, "glibc") != 0)
        return berr_set(e, "%s is built for %s; this parapet uses glibc", path, m->libc);
    if (m->min_glibc && glibc_older(gnu_get_libc_version(), m->min_glibc))
        return berr_set(e, "%s needs glibc %s or newer; this machine has %s", path, m->min_glibc,
                        gnu_get_libc_version());
    if (m->abi_major != PP_ABI_MAJOR)
        return berr_set(e, "%s is built for plugin ABI %u; this parapet speaks ABI %d", path,
                        m->abi_major, PP_ABI_MAJOR);
    if (m->abi_minor > PP_ABI_MINOR)
        return berr_set(e, "%s needs plugin ABI %u.%u; this parapet has %d.%d (upgrade parapet)",
                        path, m->abi_major, m->abi_minor, PP_ABI_MAJOR, PP_ABI_MINOR);
    return 0;
}

/* check_bundle - signature, extraction into @stage_fd, scope, target.
 * Everything is read from a private copy of @path made in @copy_dir, so
 * the bytes extracted are the bytes whose signature was checked. */
static int check_bundle(const bundle_ctx *ctx, const char *path, const char *copy_dir,
                        int stage_fd, bundle_info *bi, bundle_err *e)
{
    sig_state ss;
    int rc = -1;
    memset(&ss, 0, sizeof ss);
    memset(bi, 0, sizeof *bi);
    int fd = private_copy(path, copy_dir, BUNDLE_MAX_BYTES, e);
    if (fd < 0)
        return -1;
    if (check_signature(ctx, path, fd, bi, &ss, e) != 0)
        goto out;
    if (lseek(fd, 0, SEEK_SET) != 0 || sha256_fd_hex(fd, path, bi->bundle_sha256, NULL, e) != 0)
        goto out;
    if (bundle_extract_fd(fd, path, stage_fd, ss.have_tc ? &ss.tc.x : NULL, &bi->m, e) != 0)
        goto out;
    if (ss.have_tc && ss.tc.file) {
        char *want = bundle_file_name(&bi->m);
        int same = want && strcmp(want, ss.tc.file) == 0;
        if (!same)
            berr_set(e, "%s: the signed trusted comment names file \"%s\" but the manifest "
                        "describes \"%s\"",
                     path, ss.tc.file, want ? want : "?");
        free(want);
        if (!same)
            goto out;
    }
    if (ss.key) {
        if (trust_key_allows(ss.key, bi->m.name, bi->m.kinds, e) != 0)
            goto out;
        bi->verified = 1;
    }
    if (check_target(&bi->m, path, e) != 0)
        goto out;
    rc = 0;
out:
    close(fd);
    trust_store_free(&ss.ts);
    if (rc != 0)
        manifest_free(&bi->m);
    return rc;
}

/* make_stage - a fresh private directory (0700) inside @parent. */
static char *make_stage(const char *parent, bundle_err *e)
{
    char *p = path_join(parent, ".staging-XXXXXX");
    if (!p) {
        berr_set(e, "path too long");
        return NULL;
    }
    if (!mkdtemp(p)) {
        berr_set(e, "cannot create a staging directory in %s: %s", parent, strerror(errno));
        free(p);
        return NULL;
    }
    return p;
}

static void drop_stage(const char *stage)
{
    if (stage && remove_tree_at(AT_FDCWD, stage) != 0)
        log_warn("could not remove staging directory %s: %s", stage, strerror(errno));
}

int bundle_verify(const bundle_ctx *ctx, const char *path, bundle_info *out, bundle_err *e)
{
    const char *tmp = getenv("TMPDIR");
    const char *parent = tmp && *tmp ? tmp : "/tmp";
    bundle_info local;
    bundle_info *bi = out ? out : &local;
    char *stage = make_stage(parent, e);
    if (!stage)
        return -1;
    int fd = open(stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = fd < 0 ? berr_set(e, "cannot open %s: %s", stage, strerror(errno))
                    : check_bundle(ctx, path, parent, fd, bi, e);
    if (fd >= 0)
        close(fd);
    drop_stage(stage);
    free(stage);
    if (rc == 0 && !out)
        bundle_info_free(&local);
    return rc;
}

/* ---- installed records ---- */

static int write_record(int stage_fd, const bundle_info *bi, bundle_err *e)
{
    const manifest_file *so = manifest_find(&bi->m, bi->m.entry);
    cJSON *r = cJSON_CreateObject();
    char kinds[128];
    if (!r || !so)
        return berr_set(e, "out of memory");
    cJSON_AddStringToObject(r, "name", bi->m.name);
    cJSON_AddStringToObject(r, "version", bi->m.version);
    kinds_format(bi->m.kinds, kinds, sizeof kinds);
    cJSON_AddStringToObject(r, "kinds", kinds);
    if (bi->signer[0])
        cJSON_AddStringToObject(r, "signer", bi->signer);
    else
        cJSON_AddNullToObject(r, "signer");
    cJSON_AddBoolToObject(r, "verified", bi->verified);
    if (!bi->verified)
        cJSON_AddStringToObject(r, "why_unverified", bi->why_unverified);
    cJSON_AddStringToObject(r, "entry", bi->m.entry);
    cJSON_AddStringToObject(r, "entry_sha256", so->sha256);
    cJSON_AddStringToObject(r, "bundle_sha256", bi->bundle_sha256);
    cJSON_AddStringToObject(r, "trusted_comment", bi->trusted_comment);
    cJSON_AddNumberToObject(r, "installed_at", (double)time(NULL));
    char *text = cJSON_Print(r);
    cJSON_Delete(r);
    if (!text)
        return berr_set(e, "out of memory");
    int fd = openat(stage_fd, BUNDLE_INSTALLED_RECORD,
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    size_t n = strlen(text);
    int rc = 0;
    if (fd < 0 || write(fd, text, n) != (ssize_t)n || write(fd, "\n", 1) != 1)
        rc = berr_set(e, "cannot write %s: %s", BUNDLE_INSTALLED_RECORD, strerror(errno));
    if (fd >= 0)
        close(fd);
    free(text);
    return rc;
}

static char *json_dup_string(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) && v->valuestring ? strdup(v->valuestring) : NULL;
}

/* read_record - parse NAME/.installed.json (below @pfd) into @bi. */
static int read_record(int pfd, const char *plugin_dir, const char *name, bundle_installed *bi,
                       int *dir_out, bundle_err *e)
{
    memset(bi, 0, sizeof *bi);
    int dfd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
        return berr_set(e, "plugin \"%s\" is not installed in %s", name, plugin_dir);
    int fd = openat(dfd, BUNDLE_INSTALLED_RECORD, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    char *text = NULL;
    ssize_t n = -1;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < RECORD_MAX &&
        (text = malloc((size_t)st.st_size + 1)) != NULL)
        n = read(fd, text, (size_t)st.st_size);
    if (fd >= 0)
        close(fd);
    if (n < 0 || (text && n != st.st_size)) {
        free(text);
        close(dfd);
        return berr_set(e, "%s/%s/%s is missing or unreadable", plugin_dir, name,
                        BUNDLE_INSTALLED_RECORD);
    }
    text[n] = '\0';
    cJSON *r = cJSON_Parse(text);
    free(text);
    const cJSON *verified = cJSON_GetObjectItemCaseSensitive(r, "verified");
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(r, "installed_at");
    char *kinds = json_dup_string(r, "kinds"), *entry = json_dup_string(r, "entry");
    bi->name = json_dup_string(r, "name");
    bi->version = json_dup_string(r, "version");
    bi->signer = json_dup_string(r, "signer");
    bi->so_sha256 = json_dup_string(r, "entry_sha256");
    bi->verified = cJSON_IsTrue(verified);
    bi->installed_at = cJSON_IsNumber(at) ? (int64_t)at->valuedouble : 0;
    cJSON_Delete(r);
    char why[128];
    int ok = bi->name && strcmp(bi->name, name) == 0 && bi->version && bi->so_sha256 &&
             strlen(bi->so_sha256) == 64 && entry && manifest_check_path(entry, why, sizeof why) == 0;
    if (ok && kinds) {
        char *save = NULL;
        for (char *k = strtok_r(kinds, ",", &save); k; k = strtok_r(NULL, ",", &save))
            bi->kinds |= kinds_parse_name(k);
    }
    if (ok) {
        char *rel = path_join(name, entry);
        bi->so_path = rel ? path_join(plugin_dir, rel) : NULL;
        free(rel);
        ok = bi->so_path != NULL;
    }
    free(kinds);
    bi->entry = entry;
    if (!ok) {
        close(dfd);
        bundle_installed_free(bi);
        return berr_set(e, "%s/%s/%s is damaged", plugin_dir, name, BUNDLE_INSTALLED_RECORD);
    }
    *dir_out = dfd;
    return 0;
}

/* open_entry - open the installed .so (relative @rel below @dfd) without
 * following symbolic links at any level. */
static int open_entry(int dfd, const char *rel)
{
    int cur = dup(dfd);
    const char *p = rel;
    char comp[MANIFEST_MAX_COMPONENT + 1];
    for (const char *slash; cur >= 0 && (slash = strchr(p, '/')) != NULL; p = slash + 1) {
        size_t n = (size_t)(slash - p);
        if (n > MANIFEST_MAX_COMPONENT) {
            close(cur);
            return -1;
        }
        memcpy(comp, p, n);
        comp[n] = '\0';
        int next = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        close(cur);
        cur = next;
    }
    if (cur < 0)
        return -1;
    int fd = openat(cur, p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    close(cur);
    return fd;
}

static int check_record_so(int dfd, const bundle_installed *bi, const char *name, int *so_fd,
                           bundle_err *e)
{
    struct stat st;
    int fd = open_entry(dfd, bi->entry);
    if (fd < 0)
        return berr_set(e, "plugin \"%s\": %s is missing or not a plain file", name, bi->so_path);
    char hex[65];
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        sha256_fd_hex(fd, bi->so_path, hex, NULL, e) != 0) {
        close(fd);
        return berr_set(e, "plugin \"%s\": cannot read %s", name, bi->so_path);
    }
    if (strcmp(hex, bi->so_sha256) != 0) {
        close(fd);
        return berr_set(e, "plugin \"%s\": %s was modified after installation (SHA-256 differs "
                           "from the installed record); refusing to load it",
                        name, bi->so_path);
    }
    if (so_fd && lseek(fd, 0, SEEK_SET) == 0) {
        *so_fd = fd;
        return 0;
    }
    close(fd);
    return 0;
}

int bundle_check_installed(const char *plugin_dir, const char *name, bundle_installed *info,
                           int *so_fd, bundle_err *e)
{
    bundle_installed bi;
    int dfd;
    if (so_fd)
        *so_fd = -1;
    if (!manifest_valid_name(name))
        return berr_set(e, "\"%s\" is not a valid plugin name", name);
    int pfd = open(plugin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (pfd < 0)
        return berr_set(e, "cannot open plugin directory %s: %s", plugin_dir, strerror(errno));
    int rc = read_record(pfd, plugin_dir, name, &bi, &dfd, e);
    close(pfd);
    if (rc != 0)
        return -1;
    rc = check_record_so(dfd, &bi, name, so_fd, e);
    close(dfd);
    if (rc == 0 && info)
        *info = bi;
    else
        bundle_installed_free(&bi);
    return rc;
}

/* ---- install / remove ---- */

static int lock_dir(const char *plugin_dir, bundle_err *e)
{
    char *lp = path_join(plugin_dir, ".lock");
    int fd = lp ? open(lp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600) : -1;
    free(lp);
    if (fd < 0)
        return berr_set(e, "cannot lock plugin directory %s: %s", plugin_dir, strerror(errno));
    if (flock(fd, LOCK_EX) != 0) {
        close(fd);
        return berr_set(e, "cannot lock plugin directory %s: %s", plugin_dir, strerror(errno));
    }
    return fd;
}

/* installed_version - the version recorded for NAME, or NULL (with
 * *exists set when the directory is there anyway). */
static char *installed_version(const char *plugin_dir, const char *name, int *exists)
{
    int pfd = open(plugin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    *exists = pfd >= 0 && fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (pfd < 0 || !*exists) {
        if (pfd >= 0)
            close(pfd);
        return NULL;
    }
    bundle_installed bi;
    int dfd;
    bundle_err ignore;
    char *v = NULL;
    if (read_record(pfd, plugin_dir, name, &bi, &dfd, &ignore) == 0) {
        close(dfd);
        if (manifest_valid_version(bi.version)) {
            v = bi.version;
            bi.version = NULL;
        }
        bundle_installed_free(&bi);
    }
    close(pfd);
    return v;
}

/* swap_into_place - make @stage the new @plugin_dir/@name atomically; the
 * previous version (if any) is removed afterwards. */
static int swap_into_place(const char *plugin_dir, const char *stage, const char *name, int exists,
                           bundle_err *e)
{
    char *target = path_join(plugin_dir, name);
    int rc = -1;
    if (!target)
        return berr_set(e, "path too long");
    if (!exists) {
        if (rename(stage, target) != 0)
            berr_set(e, "cannot move the plugin into %s: %s", target, strerror(errno));
        else
            rc = 0;
    } else if (renameat2(AT_FDCWD, stage, AT_FDCWD, target, RENAME_EXCHANGE) == 0) {
        drop_stage(stage); /* now holds the previous version */
        rc = 0;
    } else {
        /* no RENAME_EXCHANGE on this filesystem: move the old one aside
         * (replacing an empty placeholder), then the new one in */
        char *aside = make_stage(plugin_dir, e);
        if (aside && rename(target, aside) == 0) {
            if (rename(stage, target) == 0) {
                rc = 0;
            } else {
                berr_set(e, "cannot move the plugin into %s: %s", target, strerror(errno));
                if (rename(aside, target) != 0)
                    log_error("could not restore %s from %s", target, aside);
            }
            if (rc == 0)
                drop_stage(aside);
        } else if (aside) {
            berr_set(e, "cannot replace %s: %s", target, strerror(errno));
            rmdir(aside);
        }
        free(aside);
    }
    free(target);
    return rc;
}

static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int bundle_install(const bundle_ctx *ctx, const char *path, bundle_info *out, bundle_err *e)
{
    bundle_info local;
    bundle_info *bi = out ? out : &local;
    char *stage = NULL, *old = NULL;
    int lock = -1, sfd = -1, rc = -1;

    memset(bi, 0, sizeof *bi);
    if (!ctx->plugin_dir)
        return berr_set(e, "no plugin directory given");
    if (mkdir(ctx->plugin_dir, 0755) != 0 && errno != EEXIST)
        return berr_set(e, "cannot create plugin directory %s: %s", ctx->plugin_dir,
                        strerror(errno));
    if ((lock = lock_dir(ctx->plugin_dir, e)) < 0)
        return -1;
    if (!(stage = make_stage(ctx->plugin_dir, e)))
        goto out;
    if ((sfd = open(stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        berr_set(e, "cannot open %s: %s", stage, strerror(errno));
        goto out;
    }
    if (check_bundle(ctx, path, ctx->plugin_dir, sfd, bi, e) != 0)
        goto out;
    int exists = 0;
    old = installed_version(ctx->plugin_dir, bi->m.name, &exists);
    if (exists && !old && !ctx->force) {
        berr_set(e, "%s/%s exists but has no readable install record; use --force to replace it",
                 ctx->plugin_dir, bi->m.name);
        goto out;
    }
    if (old && !ctx->force) {
        int c = semver_compare(bi->m.version, old);
        if (c < 0) {
            berr_set(e, "%s: refusing to downgrade %s from %s to %s (use --force)", path,
                     bi->m.name, old, bi->m.version);
            goto out;
        }
        if (c == 0) {
            berr_set(e, "%s: %s %s is already installed (use --force to reinstall)", path,
                     bi->m.name, old);
            goto out;
        }
    }
    if (write_record(sfd, bi, e) != 0)
        goto out;
    /* everything written below the stage reaches the disk before the
     * rename makes it visible */
    if (fchmod(sfd, 0755) != 0 || syncfs(sfd) != 0) {
        berr_set(e, "cannot finish %s: %s", stage, strerror(errno));
        goto out;
    }
    if (swap_into_place(ctx->plugin_dir, stage, bi->m.name, exists, e) != 0)
        goto out;
    free(stage);
    stage = NULL;
    sync_dir(ctx->plugin_dir);
    rc = 0;
out:
    if (sfd >= 0)
        close(sfd);
    if (stage)
        drop_stage(stage);
    free(stage);
    free(old);
    if (lock >= 0)
        close(lock);
    if (rc != 0 || !out)
        bundle_info_free(bi);
    return rc;
}

int bundle_remove(const bundle_ctx *ctx, const char *name, bundle_err *e)
{
    if (!ctx->plugin_dir)
        return berr_set(e, "no plugin directory given");
    if (!manifest_valid_name(name))
        return berr_set(e, "\"%s\" is not a valid plugin name", name);
    int lock = lock_dir(ctx->plugin_dir, e);
    if (lock < 0)
        return -1;
    char *target = path_join(ctx->plugin_dir, name);
    char *aside = NULL;
    struct stat st;
    int rc = -1;
    if (!target) {
        berr_set(e, "path too long");
    } else if (lstat(target, &st) != 0 || !S_ISDIR(st.st_mode)) {
        berr_set(e, "plugin \"%s\" is not installed in %s", name, ctx->plugin_dir);
    } else if ((aside = make_stage(ctx->plugin_dir, e)) != NULL) {
        if (rename(target, aside) != 0) {
            berr_set(e, "cannot remove %s: %s", target, strerror(errno));
            rmdir(aside);
        } else {
            drop_stage(aside);
            sync_dir(ctx->plugin_dir);
            rc = 0;
        }
    }
    free(target);
    free(aside);
    close(lock);
    return rc;
}

static int cmp_installed(const void *a, const void *b)
{
    return strcmp(((const bundle_installed *)a)->name, ((const bundle_installed *)b)->name);
}

int bundle_list(const bundle_ctx *ctx, bundle_installed **out, size_t *n, bundle_err *e)
{
    *out = NULL;
    *n = 0;
    if (!ctx->plugin_dir)
        return berr_set(e, "no plugin directory given");
    int pfd = open(ctx->plugin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (pfd < 0) {
        if (errno == ENOENT)
            return 0;
        return berr_set(e, "cannot open plugin directory %s: %s", ctx->plugin_dir,
                        strerror(errno));
    }
    DIR *d = fdopendir(dup(pfd));
    struct dirent *de;
    size_t cap = 0;
    while (d && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || !manifest_valid_name(de->d_name))
            continue;
        struct stat st;
        if (fstatat(pfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
            continue;
        bundle_installed bi;
        bundle_err err;
        int dfd;
        if (read_record(pfd, ctx->plugin_dir, de->d_name, &bi, &dfd, &err) != 0) {
            log_warn("%s", err.msg);
            continue;
        }
        bi.intact = check_record_so(dfd, &bi, de->d_name, NULL, &err) == 0;
        close(dfd);
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            bundle_installed *nv = realloc(*out, ncap * sizeof *nv);
            if (!nv) {
                bundle_installed_free(&bi);
                break;
            }
            *out = nv;
            cap = ncap;
        }
        (*out)[(*n)++] = bi;
    }
    if (d)
        closedir(d);
    close(pfd);
    if (*n > 1)
        qsort(*out, *n, sizeof **out, cmp_installed);
    return 0;
}

/* ---- keys and signing ---- */

int bundle_keygen(const char *base, int unencrypted, int cheap_kdf, char keyid[17], bundle_err *e)
{
    char *pub = malloc(strlen(base) + 5), *key = malloc(strlen(base) + 5);
    char pass[MS_PASSPHRASE_MAX + 1];
    char *sk_text = NULL, *pk_text = NULL;
    ms_seckey sk;
    ms_pubkey pk;
    struct stat st;
    int rc = -1;

    memset(&sk, 0, sizeof sk);
    pass[0] = '\0';
    if (!pub || !key) {
        berr_set(e, "out of memory");
        goto out;
    }
    snprintf(pub, strlen(base) + 5, "%s.pub", base);
    snprintf(key, strlen(base) + 5, "%s.key", base);
    if (lstat(pub, &st) == 0 || lstat(key, &st) == 0) {
        berr_set(e, "%s already exists; refusing to overwrite a key", lstat(pub, &st) == 0 ? pub : key);
        goto out;
    }
    if (!unencrypted && passphrase_get("Passphrase for the new key: ", 1, pass, sizeof pass, e) != 0)
        goto out;
    if (ms_keygen(&sk, &pk, e) != 0)
        goto out;
    sk_text = ms_seckey_format(&sk, unencrypted ? NULL : pass,
                               cheap_kdf ? MS_KDF_OPSLIMIT_INTERACTIVE : MS_KDF_OPSLIMIT_SENSITIVE,
                               cheap_kdf ? MS_KDF_MEMLIMIT_INTERACTIVE : MS_KDF_MEMLIMIT_SENSITIVE,
                               e);
    pk_text = ms_pubkey_format(&pk);
    if (!sk_text || !pk_text) {
        if (!sk_text)
            goto out;
        berr_set(e, "out of memory");
        goto out;
    }
    if (write_file_atomic(key, sk_text, strlen(sk_text), 0600, 1, e) != 0)
        goto out;
    if (write_file_atomic(pub, pk_text, strlen(pk_text), 0644, 1, e) != 0) {
        unlink(key);
        goto out;
    }
    if (keyid)
        ms_keyid_hex(pk.keyid, keyid);
    rc = 0;
out:
    bwipe(pass, sizeof pass);
    ms_seckey_wipe(&sk);
    if (sk_text) {
        bwipe(sk_text, strlen(sk_text));
        free(sk_text);
    }
    free(pk_text);
    free(pub);
    free(key);
    return rc;
}

int bundle_sign(const char *path, const char *key_path, bundle_err *e)
{
    manifest m;
    ms_seckey sk;
    char pass[MS_PASSPHRASE_MAX + 1];
    char *key_text = NULL, *tc = NULL, *sig_text = NULL, *sig_path = NULL;
    size_t key_len = 0;
    unsigned char prehash[64];
    int rc = -1;

    memset(&sk, 0, sizeof sk);
    pass[0] = '\0';
    if (bundle_extract(path, -1, NULL, &m, e) != 0)
        return -1;
    if (!(key_text = read_file_capped(key_path, 4096, &key_len, e)))
        goto out;
    int enc = ms_seckey_is_encrypted(key_text, key_len, key_path, e);
    if (enc < 0)
        goto out;
    if (enc && passphrase_get("Passphrase for the signing key: ", 0, pass, sizeof pass, e) != 0)
        goto out;
    if (ms_seckey_parse(key_text, key_len, key_path, enc ? pass : NULL, &sk, e) != 0)
        goto out;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        berr_set(e, "cannot open %s: %s", path, strerror(errno));
        goto out;
    }
    int hrc = ms_prehash_fd(fd, path, prehash, e);
    close(fd);
    if (hrc != 0)
        goto out;
    char id[17], ucomment[64];
    ms_keyid_hex(sk.keyid, id);
    snprintf(ucomment, sizeof ucomment, "signature from parapet secret key %s", id);
    if (!(tc = bundle_trusted_comment(&m, (int64_t)time(NULL)))) {
        berr_set(e, "out of memory");
        goto out;
    }
    if (!(sig_text = ms_sign(&sk, prehash, ucomment, tc, e)))
        goto out;
    if (!(sig_path = malloc(strlen(path) + 9))) {
        berr_set(e, "out of memory");
        goto out;
    }
    snprintf(sig_path, strlen(path) + 9, "%s.minisig", path);
    if (write_file_atomic(sig_path, sig_text, strlen(sig_text), 0644, 0, e) != 0)
        goto out;
    rc = 0;
out:
    bwipe(pass, sizeof pass);
    ms_seckey_wipe(&sk);
    if (key_text) {
        bwipe(key_text, key_len);
        free(key_text);
    }
    manifest_free(&m);
    free(tc);
    free(sig_text);
    free(sig_path);
    return rc;
}

char *bundle_default_keys_dirs(const char *sysconfdir)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    size_t cap = strlen(sysconfdir) + 64 + (xdg ? strlen(xdg) : 0) + (home ? strlen(home) : 0);
    char *s = malloc(cap);
    if (!s)
        return NULL;
    if (xdg && *xdg)
        snprintf(s, cap, "%s/keys.d:%s/parapet/keys.d", sysconfdir, xdg);
    else if (home && *home)
        snprintf(s, cap, "%s/keys.d:%s/.config/parapet/keys.d", sysconfdir, home);
    else
        snprintf(s, cap, "%s/keys.d", sysconfdir);
    return s;
}
