/*
 * plugins/image/java_archive.c - Maven packages inside Java archives
 * (.jar, .war, .ear and the archives nested in them).
 *
 * An archive is read from memory with libarchive's zip reader (central
 * directory first, so entries that are not wanted are never inflated).
 * What names a package, best first:
 *   1. every META-INF/maven/GROUP/ARTIFACT/pom.properties (groupId,
 *      artifactId, version): a shaded jar lists one per bundled artifact;
 *   2. META-INF/MANIFEST.MF: Bundle-SymbolicName/Bundle-Version, else
 *      Implementation-Title/Implementation-Version (with
 *      Implementation-Vendor-Id as the group when present);
 *   3. the file name: NAME-VERSION.jar, VERSION starting with a digit.
 * Archives nested inside (WEB-INF/lib, BOOT-INF/lib, lib/ of an ear, any
 * entry named *.jar, *.war, *.ear) are read the same way, down to
 * JAVA_MAX_DEPTH levels.
 *
 * Caps, per archive found in the image (nested ones included): at most
 * JAVA_MAX_ENTRIES entries, and at most the scan's max_file_bytes of bytes
 * inflated (nested archives and small metadata files only). A zip bomb, a
 * corrupt zip or a cap reached is a warning naming the path inside the
 * image; what was found before it is kept and the scan goes on.
 *
 * Packages are recorded as hits (rule "pkg-java", pkg_hits.c) while the
 * layer streams, and emitted by img_java_emit() when the archive is
 * visible in the final image.
 * Facts: the jar file specification (manifest syntax: "Name: value",
 * continuation lines start with one space, 72-byte lines), Maven's
 * pom.properties written by maven-archiver, purl-spec (maven type:
 * namespace = groupId, name = artifactId), OSV ecosystem "Maven" with
 * package names "groupId:artifactId".
 */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

#define JAVA_MAX_DEPTH 4               /* archives inside archives */
#define JAVA_MAX_ENTRIES 200000        /* entries, all levels of one archive together */
#define JAVA_MAX_META_BYTES (1 << 20)  /* one pom.properties or MANIFEST.MF */
#define JAVA_MAX_PACKAGES 10000        /* packages from one archive */

typedef struct java_ctx {
    img_scan *s;
    int layer;
    const char *path;      /* the archive's path in the image */
    uint64_t entries;      /* entries seen so far, all levels */
    uint64_t budget;       /* bytes that may still be inflated */
    unsigned packages;     /* packages recorded */
    int stopped;           /* a cap was reached: read nothing more */
} java_ctx;

int img_java_name(const char *path)
{
    size_t n = strlen(path);
    if (n < 5)
        return 0;
    const char *ext = path + n - 4;
    return !strcasecmp(ext, ".jar") || !strcasecmp(ext, ".war") || !strcasecmp(ext, ".ear");
}

/* Is @v usable in a hit field: non-empty, no control characters, short? */
static int field_ok(const char *v)
{
    if (!v || !*v || strlen(v) > 512)
        return 0;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

/* Record one package; @group may be NULL. */
static void java_record(java_ctx *c, const char *group, const char *artifact, const char *version, const char *inner)
{
    if (!field_ok(artifact) || !field_ok(version) || (group && !field_ok(group)))
        return;
    if (c->packages >= JAVA_MAX_PACKAGES) {
        if (!c->stopped) {
            char shown[256];
            img_display(c->path, shown, sizeof shown);
            img_warn(c->s, "layer %d: '%s' lists more than %d packages: the rest are not read", c->layer, shown,
                     JAVA_MAX_PACKAGES);
        }
        c->stopped = 1;
        return;
    }
    img_buf name = {0}, purl = {0};
    if (group)
        img_buf_printf(&name, "%s:%s", group, artifact);
    else
        img_buf_add(&name, artifact, strlen(artifact));
    img_buf_add(&purl, "pkg:maven/", 10);
    if (group) {
        img_buf_purl(&purl, group, NULL);
        img_buf_add(&purl, "/", 1);
    }
    img_buf_purl(&purl, artifact, NULL);
    img_buf_add(&purl, "@", 1);
    img_buf_purl(&purl, version, NULL);
    if (name.data && purl.data &&
        img_pkg_hit_add(c->s, c->layer, c->path, "pkg-java", name.data, version, purl.data, inner) == 0)
        c->packages++;
    img_buf_free(&name);
    img_buf_free(&purl);
}

/* ---- pom.properties and MANIFEST.MF ---- */

/* The value of "KEY=VALUE" (or "KEY: VALUE") at the start of a line of
 * @text; malloc'd, trimmed; NULL when absent. @sep is '=' or ':'. For a
 * manifest (@sep ':'), continuation lines (a leading space) are joined. */
static char *prop_get(const char *text, size_t len, const char *key, char sep)
{
    size_t kl = strlen(key);
    const char *end = text + len;
    for (const char *line = text; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *le = nl ? nl : end;
        const char *p = line;
        while (sep == '=' && p < le && (*p == ' ' || *p == '\t'))
            p++;
        if ((size_t)(le - p) > kl && !strncmp(p, key, kl)) {
            const char *q = p + kl;
            while (sep == '=' && q < le && (*q == ' ' || *q == '\t'))
                q++;
            if (q < le && *q == sep) {
                q++;
                img_buf v = {0};
                if (img_buf_add(&v, q, (size_t)(le - q)) != 0) {
                    img_buf_free(&v);
                    return NULL;
                }
                /* manifest continuation lines */
                while (sep == ':' && nl && nl + 1 < end && nl[1] == ' ') {
                    const char *c0 = nl + 2;
                    nl = memchr(c0, '\n', (size_t)(end - c0));
                    const char *ce = nl ? nl : end;
                    if (v.len && v.data[v.len - 1] == '\r')
                        v.data[--v.len] = '\0';
                    if (img_buf_add(&v, c0, (size_t)(ce - c0)) != 0) {
                        img_buf_free(&v);
                        return NULL;
                    }
                }
                if (!v.data)
                    return NULL;
                /* trim */
                char *a = v.data;
                while (*a == ' ' || *a == '\t')
                    a++;
                size_t n = strlen(a);
                while (n && (a[n - 1] == '\r' || a[n - 1] == ' ' || a[n - 1] == '\t'))
                    a[--n] = '\0';
                char *out = n ? strdup(a) : NULL;
                img_buf_free(&v);
                return out;
            }
        }
        line = nl ? nl + 1 : end;
    }
    return NULL;
}

/* 1 when a package was recorded from the pom.properties. */
static int from_pom_properties(java_ctx *c, const char *text, size_t len, const char *inner)
{
    char *g = prop_get(text, len, "groupId", '=');
    char *a = prop_get(text, len, "artifactId", '=');
    char *v = prop_get(text, len, "version", '=');
    unsigned before = c->packages;
    if (g && a && v)
        java_record(c, g, a, v, inner);
    free(g);
    free(a);
    free(v);
    return c->packages > before;
}

/* 1 when a package was recorded from the manifest. */
static int from_manifest(java_ctx *c, const char *text, size_t len, const char *inner)
{
    int done = 0;
    char *bsn = prop_get(text, len, "Bundle-SymbolicName", ':');
    char *bv = prop_get(text, len, "Bundle-Version", ':');
    if (bsn && bv) {
        bsn[strcspn(bsn, ";")] = '\0'; /* "name;singleton:=true" */
        size_t n = strlen(bsn);
        while (n && bsn[n - 1] == ' ')
            bsn[--n] = '\0';
        unsigned before = c->packages;
        java_record(c, NULL, bsn, bv, inner);
        done = c->packages > before;
    }
    if (!done) {
        char *t = prop_get(text, len, "Implementation-Title", ':');
        char *v = prop_get(text, len, "Implementation-Version", ':');
        char *g = prop_get(text, len, "Implementation-Vendor-Id", ':');
        if (t && v) {
            unsigned before = c->packages;
            java_record(c, g && field_ok(g) && !strchr(g, ' ') ? g : NULL, t, v, inner);
            done = c->packages > before;
        }
        free(t);
        free(v);
        free(g);
    }
    free(bsn);
    free(bv);
    return done;
}

/* NAME-VERSION.jar (VERSION starts with a digit): 1 when recorded. */
static int from_file_name(java_ctx *c, const char *archive_path, const char *inner)
{
    const char *base = strrchr(archive_path, '/');
    base = base ? base + 1 : archive_path;
    size_t n = strlen(base);
    if (n < 5 || n > 300)
        return 0;
    char stem[304];
    memcpy(stem, base, n - 4);
    stem[n - 4] = '\0';
    /* the first "-DIGIT" splits name and version: "commons-lang3-3.12.0" */
    for (char *d = stem; (d = strchr(d, '-')); d++) {
        if (d > stem && isdigit((unsigned char)d[1])) {
            *d = '\0';
            unsigned before = c->packages;
            java_record(c, NULL, stem, d + 1, inner);
            return c->packages > before;
        }
    }
    return 0;
}

/* ---- the zip walk ---- */

/* Read the current entry whole into a new buffer of at most @cap bytes.
 * 0 ok, 1 over the cap, -1 read error (a message in *@why). */
static int entry_read(struct archive *a, size_t cap, char **out, size_t *outlen, const char **why)
{
    img_buf b = {0};
    char chunk[16384];
    for (;;) {
        la_ssize_t n = archive_read_data(a, chunk, sizeof chunk);
        if (n < 0) {
            *why = archive_error_string(a) ? archive_error_string(a) : "read error";
            img_buf_free(&b);
            return -1;
        }
        if (n == 0)
            break;
        if (b.len + (size_t)n > cap) {
            img_buf_free(&b);
            return 1;
        }
        if (img_buf_add(&b, chunk, (size_t)n) != 0) {
            *why = "out of memory";
            img_buf_free(&b);
            return -1;
        }
    }
    if (!b.data && img_buf_add(&b, "", 0) != 0) {
        *why = "out of memory";
        return -1;
    }
    *out = b.data;
    *outlen = b.len;
    return 0;
}

static int is_pom_properties(const char *name)
{
    /* META-INF/maven/GROUP/ARTIFACT/pom.properties */
    if (strncmp(name, "META-INF/maven/", 15) != 0)
        return 0;
    const char *g = name + 15, *s1 = strchr(g, '/');
    if (!s1 || s1 == g)
        return 0;
    const char *s2 = strchr(s1 + 1, '/');
    return s2 && s2 > s1 + 1 && !strcmp(s2 + 1, "pom.properties");
}

/*
 * Walk the zip @data/@len whose path (relative to the image archive) is
 * @inner ("" for the image file itself). Records packages; warns and
 * returns on a corrupt archive or a cap.
 */
static void java_walk(java_ctx *c, const unsigned char *data, size_t len, const char *inner, int depth)
{
    char shown[256], ishown[256];
    img_display(c->path, shown, sizeof shown);
    img_display(inner, ishown, sizeof ishown);
    const char *bang = *inner ? "!/" : "";
    struct archive *a = archive_read_new();
    if (!a) {
        img_warn(c->s, "layer %d: '%s%s%s': out of memory", c->layer, shown, bang, ishown);
        return;
    }
    archive_read_support_format_zip(a);
    if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
        img_warn(c->s, "layer %d: '%s%s%s' is not a readable zip archive (%s): skipped", c->layer, shown, bang, ishown,
                 archive_error_string(a) ? archive_error_string(a) : "unknown format");
        archive_read_free(a);
        return;
    }
    char *manifest = NULL;
    size_t manifest_len = 0;
    int own = 0; /* packages named by this archive's own metadata */
    struct archive_entry *ae;
    for (;;) {
        if (c->stopped)
            break;
        int r = archive_read_next_header(a, &ae);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
            img_warn(c->s, "layer %d: '%s%s%s' is a corrupt zip archive (%s): the rest of it is skipped", c->layer,
                     shown, bang, ishown, archive_error_string(a) ? archive_error_string(a) : "bad entry");
            break;
        }
        if (++c->entries > JAVA_MAX_ENTRIES) {
            img_warn(c->s, "layer %d: '%s' has more than %d entries (nested archives included): the rest is skipped "
                           "(a zip bomb?)",
                     c->layer, shown, JAVA_MAX_ENTRIES);
            c->stopped = 1;
            break;
        }
        const char *name = archive_entry_pathname(ae);
        if (!name || archive_entry_filetype(ae) != AE_IFREG)
            continue;
        int pom = is_pom_properties(name);
        int mf = !strcmp(name, "META-INF/MANIFEST.MF");
        int nested = img_java_name(name);
        if (!pom && !mf && !nested)
            continue;
        char nshown[256];
        img_display(name, nshown, sizeof nshown);
        if (nested && !field_ok(name)) {
            img_warn(c->s, "layer %d: '%s%s%s!/%s' has control characters in its name: not read", c->layer, shown,
                     bang, ishown, nshown);
            continue;
        }
        if (nested && depth + 1 > JAVA_MAX_DEPTH) {
            img_warn(c->s, "layer %d: '%s%s%s!/%s' is nested more than %d archives deep: not read", c->layer, shown,
                     bang, ishown, nshown, JAVA_MAX_DEPTH);
            continue;
        }
        size_t cap = nested ? (size_t)c->budget : (c->budget < JAVA_MAX_META_BYTES ? (size_t)c->budget
                                                                                   : JAVA_MAX_META_BYTES);
        char *buf = NULL;
        size_t n = 0;
        const char *why = NULL;
        int rc = entry_read(a, cap, &buf, &n, &why);
        if (rc == 1) {
            img_warn(c->s, "layer %d: '%s%s%s!/%s' inflates past the limit (%llu bytes left of max_file_bytes): "
                           "the rest of the archive is skipped (a zip bomb?)",
                     c->layer, shown, bang, ishown, nshown, (unsigned long long)c->budget);
            c->stopped = 1;
            break;
        }
        if (rc < 0) {
            img_warn(c->s, "layer %d: '%s%s%s!/%s' cannot be read (%s): the rest of the archive is skipped", c->layer,
                     shown, bang, ishown, nshown, why);
            break;
        }
        c->budget -= n;
        if (pom) {
            own += from_pom_properties(c, buf, n, inner);
        } else if (mf) {
            free(manifest);
            manifest = buf;
            manifest_len = n;
            buf = NULL;
        } else {
            img_buf in = {0};
            if (*inner)
                img_buf_printf(&in, "%s!/%s", inner, name);
            else
                img_buf_add(&in, name, strlen(name));
            if (in.data)
                java_walk(c, (const unsigned char *)buf, n, in.data, depth + 1);
            img_buf_free(&in);
        }
        free(buf);
    }
    /* no pom.properties of its own: the manifest, then the file name */
    if (!own && !c->stopped) {
        int done = manifest && from_manifest(c, manifest, manifest_len, inner);
        if (!done)
            from_file_name(c, *inner ? inner : c->path, inner);
    }
    free(manifest);
    archive_read_free(a);
}

void img_java_scan(img_scan *s, int layer, const char *path, const unsigned char *data, size_t len)
{
    java_ctx c = {s, layer, path, 0, s->lim->max_file_bytes, 0, 0};
    java_walk(&c, data, len, "", 0);
}

void img_java_emit(img_emit *em)
{
    img_pkg_hits_emit(em, "pkg-java", "Maven");
}
