/* core/loader.c - see loader.h. */
#include "config.h"

#include "loader.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/bundle.h"
#include "host.h"
#include "log.h"
#include "schema.h"
#include "util.h"

static const struct {
    uint32_t bit;
    const char *name;
} kind_names[] = {
    {PP_KIND_PROVIDER, "provider"}, {PP_KIND_POLICY, "policy"}, {PP_KIND_THREAT_FEED, "threat_feed"},
    {PP_KIND_SCANNER, "scanner"},   {PP_KIND_OUTPUT, "output"}, {PP_KIND_REMEDIATION, "remediation"},
};

const char *kinds_string(uint32_t kinds, char *buf, size_t len)
{
    buf[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++) {
        if (!(kinds & kind_names[i].bit))
            continue;
        int n = snprintf(buf + used, len - used, "%s%s", used ? "," : "", kind_names[i].name);
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
    return buf;
}

static int valid_plugin_name(const char *s)
{
    if (!s || !*s || strlen(s) > 48)
        return 0;
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

static char *file_stem(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    char *s = xstrdup(b);
    char *dot = strstr(s, ".so");
    if (dot)
        *dot = '\0';
    return s;
}

static void refuse(loaded_plugin *lp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void refuse(loaded_plugin *lp, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    lp->ok = 0;
    free(lp->error);
    lp->error = xstrdup(buf);
}

/* Copy a plugin vtable of unknown (older or newer) size into a zeroed,
 * host-sized struct. Returns 0, or -1 when it is too small to be real. */
static int copy_sized(void *dst, size_t dst_size, const void *src, size_t min_size)
{
    memset(dst, 0, dst_size);
    uint32_t sz = *(const uint32_t *)src;
    if (sz < min_size)
        return -1;
    memcpy(dst, src, sz < dst_size ? sz : dst_size);
    *(uint32_t *)dst = (uint32_t)dst_size;
    return 0;
}

#define MIN_SIZE(T, last) (offsetof(T, last) + sizeof(((T *)0)->last))

/* Check the declared kinds against the vtables. Returns 0 or refuses. */
static int vet_kinds(loaded_plugin *lp)
{
    const pp_plugin *d = &lp->desc;
    const uint32_t all = PP_KIND_PROVIDER | PP_KIND_POLICY | PP_KIND_THREAT_FEED | PP_KIND_SCANNER |
                         PP_KIND_OUTPUT | PP_KIND_REMEDIATION;
    if (!d->kinds || (d->kinds & ~all)) {
        refuse(lp, "declares no kind or an unknown kind (0x%x)", d->kinds);
        return -1;
    }
#define VET(BIT, member, T, last, required)                                                                   \
    if (d->kinds & BIT) {                                                                                      \
        if (!d->member || copy_sized(&lp->member, sizeof lp->member, d->member, MIN_SIZE(T, last)) != 0) {     \
            refuse(lp, "declares kind %s but its " #member " table is missing or too small", #member);        \
            return -1;                                                                                         \
        }                                                                                                      \
        if (!(required)) {                                                                                     \
            refuse(lp, "its " #member " table lacks a required callback");                                     \
            return -1;                                                                                         \
        }                                                                                                      \
    }
    VET(PP_KIND_PROVIDER, provider, pp_provider_api, collect, lp->provider.plan && lp->provider.collect)
    VET(PP_KIND_POLICY, policy, pp_policy_api, evaluate, 1)
    VET(PP_KIND_THREAT_FEED, threat_feed, pp_threat_feed_api, import, lp->threat_feed.update)
    VET(PP_KIND_SCANNER, scanner, pp_scanner_api, scan, lp->scanner.scan)
    VET(PP_KIND_OUTPUT, output, pp_output_api, close,
        lp->output.formats && lp->output.open && lp->output.write_finding && lp->output.close)
    VET(PP_KIND_REMEDIATION, remediation, pp_remediation_api, apply,
        lp->remediation.plan && lp->remediation.apply)
#undef VET
    return 0;
}

/* Add a refused entry named @name for @path. */
static loaded_plugin *add_entry(registry *r, const char *path, const char *name)
{
    loaded_plugin *lp = xcalloc(1, sizeof *lp);
    lp->so_fd = -1;
    lp->path = xstrdup(path);
    lp->name = name ? xstrdup(name) : file_stem(path);
    lp->host = host_new(lp->name);
    r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
    r->v[r->n++] = lp;
    return lp;
}

/* Load the plugin at @path (shown to the user) from @open_path (what is
 * dlopen'ed: the path itself, or /proc/self/fd/N of a checked descriptor). */
static loaded_plugin *load_from(registry *r, const char *path, const char *open_path, const char *name)
{
    loaded_plugin *lp = add_entry(r, path, name);
    lp->dl = dlopen(open_path, RTLD_NOW | RTLD_LOCAL);
    if (!lp->dl) {
        const char *e = dlerror();
        refuse(lp, "cannot be loaded: %s", e ? e : "unknown dlopen error");
        return lp;
    }
    pp_entry_v1_fn entry;
    *(void **)&entry = dlsym(lp->dl, PP_ENTRY_SYMBOL_V1);
    if (!entry) {
        char other[64];
        for (int major = 2; major <= 9; major++) {
            snprintf(other, sizeof other, "parapet_plugin_entry_v%d", major);
            if (dlsym(lp->dl, other)) {
                refuse(lp, "is built for plugin ABI %d.x only; this parapet offers ABI %d.%d", major, PP_ABI_MAJOR,
                       PP_ABI_MINOR);
                return lp;
            }
        }
        refuse(lp, "has no entry point %s: not a parapet plugin, or built for another ABI", PP_ENTRY_SYMBOL_V1);
        return lp;
    }
    const pp_plugin *d = NULL;
    int rc = entry(&host_api_table, lp->host, &d);
    if (rc != PP_OK || !d) {
        refuse(lp, "entry point refused to run with this host (code %d)", rc);
        return lp;
    }
    if (copy_sized(&lp->desc, sizeof lp->desc, d, MIN_SIZE(pp_plugin, last_error)) != 0) {
        refuse(lp, "descriptor is too small (size %u): not built with the parapet SDK?", d->size);
        return lp;
    }
    if (valid_plugin_name(lp->desc.name)) {
        free(lp->name);
        lp->name = xstrdup(lp->desc.name);
        host_set_name(lp->host, lp->name);
    }
    if (lp->desc.abi_major != PP_ABI_MAJOR) {
        refuse(lp, "needs plugin ABI %u.%u; this parapet offers ABI %d.%d", lp->desc.abi_major, lp->desc.abi_minor,
               PP_ABI_MAJOR, PP_ABI_MINOR);
        return lp;
    }
    if (lp->desc.abi_minor > PP_ABI_MINOR) {
        refuse(lp, "needs plugin ABI %u.%u or newer; this parapet offers ABI %d.%d: upgrade parapet",
               lp->desc.abi_major, lp->desc.abi_minor, PP_ABI_MAJOR, PP_ABI_MINOR);
        return lp;
    }
    if (!valid_plugin_name(lp->desc.name)) {
        refuse(lp, "has an invalid name: names are 1-48 characters of [a-z0-9_-], starting with a letter or digit");
        return lp;
    }
    if (!lp->desc.version || !*lp->desc.version) {
        refuse(lp, "has no version");
        return lp;
    }
    if (!lp->desc.init || !lp->desc.destroy) {
        refuse(lp, "lacks the required init or destroy callback");
        return lp;
    }
    if (vet_kinds(lp) != 0)
        return lp;
    char serr[256];
    if (schema_check(lp->desc.config_schema, serr, sizeof serr) != 0) {
        refuse(lp, "has an invalid config schema: %s", serr);
        return lp;
    }
    for (size_t i = 0; i + 1 < r->n; i++) {
        if (r->v[i]->ok && strcmp(r->v[i]->name, lp->name) == 0) {
            refuse(lp, "has the same name as the plugin already loaded from %s", r->v[i]->path);
            return lp;
        }
    }
    lp->ok = 1;
    return lp;
}

loaded_plugin *registry_load_file(registry *r, const char *path)
{
    return load_from(r, path, path, NULL);
}

size_t registry_dev_count(const registry *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->v[i]->ok && !r->v[i]->from_bundle;
    return n;
}

/* Load the installed bundle DIR/NAME after re-hashing its .so. */
static void load_bundle(registry *r, const char *dir, const char *name)
{
    bundle_installed info;
    memset(&info, 0, sizeof info);
    bundle_err e;
    memset(&e, 0, sizeof e);
    int fd = -1;
    char where[4200];
    snprintf(where, sizeof where, "%s/%s", dir, name);
    if (bundle_check_installed(dir, name, &info, &fd, &e) != 0) {
        loaded_plugin *lp = add_entry(r, where, name);
        lp->from_bundle = 1;
        refuse(lp, "is an installed bundle that failed its integrity check: %s (reinstall it)", e.msg);
        bundle_installed_free(&info);
        return;
    }
    char fdpath[64];
    snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
    loaded_plugin *lp = load_from(r, info.so_path ? info.so_path : where, fdpath, name);
    /* keep it open: the dynamic loader knows objects by the name they were
     * opened with, and a reused descriptor number would alias another plugin */
    lp->so_fd = fd;
    lp->from_bundle = 1;
    lp->verified = info.verified;
    snprintf(lp->signer, sizeof lp->signer, "%s", info.signer ? info.signer : "");
    if (lp->ok && strcmp(lp->name, name) != 0) {
        refuse(lp, "is installed as '%s' but calls itself '%s': the bundle and its plugin disagree", name,
               lp->desc.name);
        free(lp->name);
        lp->name = xstrdup(name); /* listed under the name it was installed as */
    }
    bundle_installed_free(&info);
}

static int ends_with_so(const char *n)
{
    size_t l = strlen(n);
    return l > 3 && strcmp(n + l - 3, ".so") == 0;
}

size_t registry_load_dir(registry *r, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (errno != ENOENT)
            log_warn("cannot read plugin directory %s: %s", dir, strerror(errno));
        return 0;
    }
    char **names = NULL;
    int *is_dir = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char p[4096];
        if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p)
            continue;
        struct stat st;
        if (stat(p, &st) != 0)
            continue;
        int isd = S_ISDIR(st.st_mode);
        if (!isd && !(S_ISREG(st.st_mode) && ends_with_so(e->d_name)))
            continue;
        names = xrealloc(names, (n + 1) * sizeof *names);
        is_dir = xrealloc(is_dir, (n + 1) * sizeof *is_dir);
        names[n] = xstrdup(e->d_name);
        is_dir[n] = isd;
        n++;
    }
    closedir(d);
    /* name order, so loading (and duplicate refusal) is deterministic */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
            int u = is_dir[j];
            is_dir[j] = is_dir[j - 1];
            is_dir[j - 1] = u;
        }
    for (size_t i = 0; i < n; i++) {
        if (is_dir[i]) {
            load_bundle(r, dir, names[i]);
        } else {
            char p[4096];
            snprintf(p, sizeof p, "%s/%s", dir, names[i]);
            registry_load_file(r, p);
        }
        loaded_plugin *lp = r->v[r->n - 1];
        if (!lp->ok)
            log_debug("plugin %s (%s) refused: %s", lp->name, lp->path, lp->error);
        free(names[i]);
    }
    free(names);
    free(is_dir);
    return n;
}

loaded_plugin *registry_find(const registry *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i]->ok && strcmp(r->v[i]->name, name) == 0)
            return r->v[i];
    return NULL;
}

loaded_plugin *registry_find_output(const registry *r, const char *format)
{
    size_t fl = strlen(format);
    for (size_t i = 0; i < r->n; i++) {
        loaded_plugin *lp = r->v[i];
        if (!lp->ok || !(lp->desc.kinds & PP_KIND_OUTPUT))
            continue;
        const char *p = lp->output.formats;
        while (p && *p) {
            const char *c = strchr(p, ',');
            size_t n = c ? (size_t)(c - p) : strlen(p);
            if (n == fl && strncmp(p, format, n) == 0)
                return lp;
            p = c ? c + 1 : NULL;
        }
    }
    return NULL;
}

void registry_free(registry *r)
{
    for (size_t i = 0; i < r->n; i++) {
        loaded_plugin *lp = r->v[i];
        if (lp->dl)
            dlclose(lp->dl);
        if (lp->so_fd >= 0)
            close(lp->so_fd);
        host_free(lp->host);
        free(lp->path);
        free(lp->name);
        free(lp->error);
        free(lp);
    }
    free(r->v);
    r->v = NULL;
    r->n = 0;
}
