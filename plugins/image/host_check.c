/*
 * plugins/image/host_check.c - host checks of a root filesystem: the same
 * code for a directory, a tarball and a VM disk, over a libarchive reader.
 *
 * One more pass over the target reads entry metadata (type, mode, owner)
 * and the contents of only a few small files: /etc/shadow and the sshd
 * configuration under /etc/ssh (private host keys are never read). It
 * yields one resource of type image.host (docs/resources/image.md):
 *   - sshd: PermitRootLogin / PasswordAuthentication as sshd resolves them
 *     (host_sshd.c), and the Match blocks that change them;
 *   - emptyPasswordUsers: accounts of /etc/shadow whose password field is
 *     empty (a login with no password); only names, never hashes, and the
 *     file's bytes are wiped once read;
 *   - worldWritable: files and directories writable by everyone under the
 *     system paths (etc, usr, bin, sbin, lib*, boot), sticky directories
 *     excepted; symbolic links are never counted (their mode means nothing);
 *   - setuid / setgid: the inventory of regular files with those bits.
 * Lists are capped at HOST_MAX_LIST items (the counts go on).
 */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disk_vm.h"

#define HOST_MAX_LIST 1000
#define HOST_MAX_FILES 256
#define HOST_MAX_FILE_BYTES (1u << 20)

typedef struct host_acc {
    img_scan *s;
    img_host_file files[HOST_MAX_FILES];
    size_t n_files;
    img_buf ww, suid, sgid;
    uint64_t n_ww, n_suid, n_sgid, entries;
    int shadow_present;
} host_acc;

static int system_path(const char *p)
{
    static const char *const roots[] = {"etc", "usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "boot"};
    size_t first = strcspn(p, "/");
    for (size_t i = 0; i < sizeof roots / sizeof *roots; i++)
        if (strlen(roots[i]) == first && !strncmp(p, roots[i], first))
            return 1;
    return 0;
}

/* Files whose contents the checks read: never private keys. */
static int wanted(const char *p)
{
    if (!strcmp(p, "etc/shadow"))
        return 1;
    if (strncmp(p, "etc/ssh/", 8) != 0)
        return 0;
    const char *base = strrchr(p, '/') + 1;
    return !strstr(base, "key") && strcmp(base, "moduli") != 0;
}

static void list_add(img_buf *b, uint64_t *count, const char *path, unsigned mode, long long uid, long long gid)
{
    if (++*count > HOST_MAX_LIST)
        return;
    img_buf_add(b, *count > 1 ? ",{\"path\":" : "{\"path\":", *count > 1 ? 9 : 8);
    img_buf full = {0};
    img_buf_printf(&full, "/%s", path);
    img_buf_json_str(b, full.data ? full.data : "");
    img_buf_free(&full);
    img_buf_printf(b, ",\"mode\":\"%04o\",\"uid\":%lld,\"gid\":%lld}", mode & 07777, uid, gid);
}

static int keep(host_acc *h, struct archive *a, const char *path)
{
    if (h->n_files >= HOST_MAX_FILES)
        return 0;
    img_buf b = {0};
    char chunk[16384];
    la_ssize_t n;
    while ((n = archive_read_data(a, chunk, sizeof chunk)) > 0) {
        if (b.len + (size_t)n > HOST_MAX_FILE_BYTES || img_buf_add(&b, chunk, (size_t)n)) {
            n = -1;
            break;
        }
    }
    explicit_bzero(chunk, sizeof chunk);
    if (n < 0) {
        if (b.data)
            explicit_bzero(b.data, b.len);
        img_buf_free(&b);
        return -1;
    }
    if (!b.data && img_buf_add(&b, "", 0))
        return -1;
    img_host_file *f = &h->files[h->n_files];
    f->path = strdup(path);
    if (!f->path) {
        explicit_bzero(b.data, b.len);
        img_buf_free(&b);
        return -1;
    }
    f->data = b.data;
    f->len = b.len;
    h->n_files++;
    return 0;
}

/* Read every entry of @a (a directory walk when @strip is set). 0, or -1 when the reader failed. */
static int read_entries(host_acc *h, struct archive *a, const char *strip)
{
    size_t strip_len = strip ? strlen(strip) : 0;
    struct archive_entry *ae;
    for (;;) {
        if (h->s->api->cancelled(h->s->h))
            return -1;
        int r = archive_read_next_header(a, &ae);
        if (r == ARCHIVE_EOF)
            return 0;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
            img_warn(h->s, "host checks: %s", archive_error_string(a) ? archive_error_string(a) : "cannot read");
            return -1;
        }
        const char *raw = archive_entry_pathname(ae);
        if (!raw)
            continue;
        if (strip) {
            if (archive_read_disk_can_descend(a))
                archive_read_disk_descend(a);
            if (strncmp(raw, strip, strip_len) != 0)
                continue;
            raw += strip_len;
        }
        if (++h->entries > h->s->lim->max_entries) {
            img_warn(h->s, "host checks: more than max_entries (%llu) entries: the rest is not checked",
                     (unsigned long long)h->s->lim->max_entries);
            return 0;
        }
        int bad = 0;
        char *path = img_path_clean(raw, &bad);
        if (!path || !*path) {
            free(path);
            continue;
        }
        unsigned ft = archive_entry_filetype(ae);
        unsigned mode = archive_entry_perm(ae);
        int hard = archive_entry_hardlink(ae) != NULL;
        if (ft == AE_IFLNK) {
            free(path);
            continue;
        }
        if (system_path(path) && (mode & 0002) && !(ft == AE_IFDIR && (mode & 01000)))
            list_add(&h->ww, &h->n_ww, path, mode, (long long)archive_entry_uid(ae), (long long)archive_entry_gid(ae));
        if (ft == AE_IFREG || hard) {
            if (mode & 04000)
                list_add(&h->suid, &h->n_suid, path, mode, (long long)archive_entry_uid(ae),
                         (long long)archive_entry_gid(ae));
            if (mode & 02000)
                list_add(&h->sgid, &h->n_sgid, path, mode, (long long)archive_entry_uid(ae),
                         (long long)archive_entry_gid(ae));
        }
        if (ft == AE_IFREG && !hard && wanted(path)) {
            if (!strcmp(path, "etc/shadow"))
                h->shadow_present = 1;
            if (keep(h, a, path)) {
                char shown[256];
                img_display(path, shown, sizeof shown);
                img_warn(h->s, "host checks: '/%s' could not be read (or is over %u bytes)", shown,
                         HOST_MAX_FILE_BYTES);
            }
        }
        free(path);
    }
}

/* Names of /etc/shadow accounts whose password field is empty, as a JSON array. */
static void empty_passwords(const img_host_file *f, img_buf *out)
{
    img_buf_add(out, "[", 1);
    size_t pos = 0;
    int first = 1;
    while (f && pos < f->len) {
        const char *line = f->data + pos;
        const char *nl = memchr(line, '\n', f->len - pos);
        size_t n = nl ? (size_t)(nl - line) : f->len - pos;
        pos += n + 1;
        const char *c1 = memchr(line, ':', n);
        if (!c1 || c1 == line)
            continue;
        size_t rest = n - (size_t)(c1 - line) - 1;
        /* "name::..." (or "name:" at the end of the line): no password at all */
        if (rest == 0 || c1[1] == ':') {
            char name[64];
            size_t ln = (size_t)(c1 - line) < sizeof name - 1 ? (size_t)(c1 - line) : sizeof name - 1;
            memcpy(name, line, ln);
            name[ln] = '\0';
            char shown[64];
            img_display(name, shown, sizeof shown);
            img_buf_add(out, first ? "" : ",", first ? 0 : 1);
            img_buf_json_str(out, shown);
            first = 0;
        }
    }
    img_buf_add(out, "]", 1);
}

static void member_str(img_buf *b, const char *key, const char *val)
{
    img_buf_printf(b, ",\"%s\":", key);
    img_buf_json_str(b, val);
}

void img_host_emit(img_emit *em, const img_meta *m)
{
    img_scan *s = em->s;
    if (!m->format)
        return;
    int disk = !strcmp(m->format, "raw-disk") || !strcmp(m->format, "qcow2");
    int dir = !strcmp(m->format, "rootfs-dir"), tar = !strcmp(m->format, "rootfs-tar");
    if (!disk && !dir && !tar)
        return;
    host_acc *h = calloc(1, sizeof *h);
    if (!h)
        return;
    h->s = s;
    struct archive *a = NULL;
    void *ctx = NULL;
    img_disk_info info;
    int ok = 0;
    img_buf strip = {0};
    if (disk) {
        ok = img_disk_open_archive(s, &a, &ctx, &info) == 0;
    } else if (tar) {
        a = archive_read_new();
        if (a) {
            archive_read_support_filter_all(a);
            archive_read_support_format_tar(a);
            archive_read_support_format_empty(a);
            ok = archive_read_open_filename(a, s->target, 128 * 1024) == ARCHIVE_OK;
        }
    } else {
        a = archive_read_disk_new();
        if (a) {
            archive_read_disk_set_symlink_physical(a);
            archive_read_disk_set_behavior(a, ARCHIVE_READDISK_NO_XATTR | ARCHIVE_READDISK_NO_ACL |
                                                  ARCHIVE_READDISK_NO_FFLAGS | ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
            ok = archive_read_disk_open(a, s->target) == ARCHIVE_OK;
            img_buf_add(&strip, s->target, strlen(s->target));
            while (strip.len > 1 && strip.data[strip.len - 1] == '/')
                strip.data[--strip.len] = '\0';
            img_buf_add(&strip, "/", 1);
        }
    }
    if (!ok || read_entries(h, a, dir ? strip.data : NULL) != 0) {
        if (!ok)
            img_warn(s, "host checks: cannot read the target again: %s",
                     s->err[0] ? s->err : (a && archive_error_string(a) ? archive_error_string(a) : "out of memory"));
        s->err[0] = '\0'; /* the scan itself succeeded */
        goto out;
    }

    img_sshd sshd;
    img_sshd_resolve(h->files, h->n_files, &sshd);
    const img_host_file *shadow = NULL;
    for (size_t i = 0; i < h->n_files; i++)
        if (!strcmp(h->files[i].path, "etc/shadow"))
            shadow = &h->files[i];

    img_buf d = {0};
    img_buf_add(&d, "{\"target\":", 10);
    img_buf_json_str(&d, s->target);
    member_str(&d, "format", m->format);
    if (disk) {
        img_buf_printf(&d, ",\"disk\":{\"format\":\"%s\",\"partitionTable\":\"%s\",\"partition\":%d,\"offset\":%llu,"
                           "\"size\":%llu,\"diskSize\":%llu,\"filesystem\":\"%s\"",
                       info.format, info.scheme, info.partition, (unsigned long long)info.offset,
                       (unsigned long long)info.size, (unsigned long long)info.disk_size, info.fs_type);
        member_str(&d, "uuid", info.fs_uuid);
        member_str(&d, "label", info.fs_label);
        img_buf_add(&d, "}", 1);
    }
    if (sshd.present) {
        img_buf_printf(&d, ",\"sshd\":{\"permitRootLogin\":");
        img_buf_json_str(&d, sshd.permit_root_login);
        member_str(&d, "permitRootLoginAt", sshd.permit_root_login_at);
        img_buf_printf(&d, ",\"passwordAuthentication\":%s", sshd.password_authentication ? "true" : "false");
        member_str(&d, "passwordAuthenticationAt", sshd.password_authentication_at);
        img_buf_add(&d, ",\"matchBlocks\":", 15);
        img_buf_add(&d, sshd.match_json.data, sshd.match_json.len);
        img_buf_add(&d, ",\"unreadIncludes\":", 18);
        img_buf_add(&d, sshd.unread_json.data, sshd.unread_json.len);
        img_buf_add(&d, "}", 1);
    }
    img_buf_free(&sshd.match_json);
    img_buf_free(&sshd.unread_json);
    img_buf_printf(&d, ",\"shadowPresent\":%s", h->shadow_present ? "true" : "false");
    if (shadow) {
        img_buf_add(&d, ",\"emptyPasswordUsers\":", 22);
        empty_passwords(shadow, &d);
    }
    img_buf_printf(&d, ",\"worldWritable\":[%s],\"worldWritableCount\":%llu", h->ww.data ? h->ww.data : "",
                   (unsigned long long)h->n_ww);
    img_buf_printf(&d, ",\"setuid\":[%s],\"setuidCount\":%llu", h->suid.data ? h->suid.data : "",
                   (unsigned long long)h->n_suid);
    img_buf_printf(&d, ",\"setgid\":[%s],\"setgidCount\":%llu", h->sgid.data ? h->sgid.data : "",
                   (unsigned long long)h->n_sgid);
    img_buf_printf(&d, ",\"entries\":%llu}", (unsigned long long)h->entries);

    img_buf uid = {0};
    img_buf_printf(&uid, "%s#host", em->uid);
    pp_resource r;
    PP_INIT(&r);
    r.uid = uid.data;
    r.type = "image.host";
    r.provider = "image";
    r.name = s->target;
    r.data_json = d.data;
    r.source = s->target;
    s->api->emit_resource(s->h, &r);
    img_buf_free(&uid);
    img_buf_free(&d);
out:
    if (disk)
        img_disk_close_archive(a, ctx);
    else if (a)
        archive_read_free(a);
    img_buf_free(&strip);
    for (size_t i = 0; i < h->n_files; i++) {
        free(h->files[i].path);
        explicit_bzero(h->files[i].data, h->files[i].len);
        free(h->files[i].data);
    }
    img_buf_free(&h->ww);
    img_buf_free(&h->suid);
    img_buf_free(&h->sgid);
    free(h);
}
