/*
 * plugins/image/rust_audit.c - Rust crates: the dependency list that
 * cargo-auditable embeds in binaries, and Cargo.lock files.
 *
 * cargo-auditable puts a zlib-compressed JSON document in the ELF section
 * ".dep-v0": {"packages":[{"name","version","source","kind",
 * "dependencies":[index...],"root"}...]}. The section is found through the
 * ELF section headers (ELF32 and ELF64, either byte order), every offset
 * and size checked against the file; the JSON is inflated to at most
 * RUST_MAX_JSON bytes. Packages whose source is "crates.io" (or another
 * registry) are reported as ecosystem "crates.io", purl
 * pkg:cargo/NAME@VERSION; local and git crates (the program itself, path
 * dependencies) have no registry version and are not.
 *
 * Cargo.lock is read as the subset of TOML it uses: [[package]] tables with
 * name = "...", version = "...", source = "..." lines; packages without a
 * source (workspace members) and git sources are not reported.
 *
 * Both record hits (rule "pkg-cargo", pkg_hits.c) while the layer streams;
 * img_rust_emit() turns the visible ones into packages.
 * Facts: the ELF specification (System V gABI, section header table,
 * SHN_XINDEX / extended numbering), cargo-auditable's format description
 * (README and auditable-serde), the Cargo.lock format (cargo's
 * EncodableResolve: [[package]] name, version, source, checksum).
 */
#define _GNU_SOURCE
#include <archive.h>
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "image.h"

#define RUST_MAX_JSON (16u << 20)   /* inflated .dep-v0 */
#define RUST_MAX_SECTIONS 1000000u  /* section headers looked at */
#define RUST_MAX_PACKAGES 100000    /* packages from one file */

/* ---- ELF section lookup ---- */

static uint64_t rd(const unsigned char *p, int n, int be)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)p[be ? i : n - 1 - i] << (8 * (n - 1 - i));
    return v;
}

typedef struct elf_sh {
    uint64_t name, type, offset, size, link;
} elf_sh;

/* Section header @i of the table at @shoff; 0, or -1 when out of bounds. */
static int elf_section(const unsigned char *d, size_t len, int is64, int be, uint64_t shoff, uint64_t entsize,
                       uint64_t i, elf_sh *out)
{
    uint64_t need = is64 ? 64 : 40;
    if (entsize < need || i > (UINT64_MAX - shoff) / entsize)
        return -1;
    uint64_t at = shoff + i * entsize;
    if (at > len || len - at < need)
        return -1;
    const unsigned char *p = d + at;
    out->name = rd(p, 4, be);
    out->type = rd(p + 4, 4, be);
    if (is64) {
        out->offset = rd(p + 24, 8, be);
        out->size = rd(p + 32, 8, be);
        out->link = rd(p + 40, 4, be);
    } else {
        out->offset = rd(p + 16, 4, be);
        out->size = rd(p + 20, 4, be);
        out->link = rd(p + 24, 4, be);
    }
    return 0;
}

/*
 * elf_find_section - the bytes of the section named @want in the ELF file
 * @d/@len. Returns 1 and sets *@out and *@outlen (pointing into @d) when
 * found, 0 when the file has no such section, -1 when the headers are
 * malformed (an offset or size outside the file).
 */
static int elf_find_section(const unsigned char *d, size_t len, const char *want, const unsigned char **out,
                            size_t *outlen)
{
    if (len < 52 || memcmp(d, "\x7f" "ELF", 4) != 0)
        return 0;
    int is64 = d[4] == 2, be = d[5] == 2;
    if ((d[4] != 1 && d[4] != 2) || (d[5] != 1 && d[5] != 2) || (is64 && len < 64))
        return -1;
    uint64_t shoff = is64 ? rd(d + 0x28, 8, be) : rd(d + 0x20, 4, be);
    uint64_t entsize = rd(d + (is64 ? 0x3A : 0x2E), 2, be);
    uint64_t shnum = rd(d + (is64 ? 0x3C : 0x30), 2, be);
    uint64_t shstrndx = rd(d + (is64 ? 0x3E : 0x32), 2, be);
    if (shoff == 0)
        return 0; /* no section header table */
    elf_sh s0;
    if (elf_section(d, len, is64, be, shoff, entsize, 0, &s0) != 0)
        return -1;
    if (shnum == 0) /* extended numbering: the count is in section 0 */
        shnum = s0.size;
    if (shstrndx == 0xffff) /* SHN_XINDEX */
        shstrndx = s0.link;
    if (shnum > RUST_MAX_SECTIONS || shstrndx >= shnum)
        return -1;
    elf_sh str;
    if (elf_section(d, len, is64, be, shoff, entsize, shstrndx, &str) != 0 || str.offset > len ||
        str.size > len - str.offset)
        return -1;
    const char *names = (const char *)d + str.offset;
    size_t wl = strlen(want);
    for (uint64_t i = 1; i < shnum; i++) {
        elf_sh sh;
        if (elf_section(d, len, is64, be, shoff, entsize, i, &sh) != 0)
            return -1;
        if (sh.name >= str.size || str.size - sh.name < wl + 1 || memcmp(names + sh.name, want, wl + 1) != 0)
            continue;
        if (sh.type == 8) /* SHT_NOBITS: no bytes in the file */
            return 0;
        if (sh.offset > len || sh.size > len - sh.offset)
            return -1;
        *out = d + sh.offset;
        *outlen = (size_t)sh.size;
        return 1;
    }
    return 0;
}

/* Inflate the zlib stream @in into a new buffer of at most @cap bytes.
 * 0, 1 when over @cap, -1 when corrupt. */
static int inflate_all(const unsigned char *in, size_t inlen, size_t cap, char **out, size_t *outlen)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK)
        return -1;
    img_buf b = {0};
    unsigned char chunk[32768];
    int rc = -1;
    z.next_in = (unsigned char *)in;
    size_t left = inlen;
    for (;;) {
        if (z.avail_in == 0 && left) {
            z.avail_in = left > UINT32_MAX ? UINT32_MAX : (uInt)left;
            left -= z.avail_in;
        }
        z.next_out = chunk;
        z.avail_out = sizeof chunk;
        int zr = inflate(&z, Z_NO_FLUSH);
        size_t got = sizeof chunk - z.avail_out;
        if (b.len + got > cap) {
            rc = 1;
            break;
        }
        if (got && img_buf_add(&b, chunk, got) != 0)
            break;
        if (zr == Z_STREAM_END) {
            rc = 0;
            break;
        }
        if (zr != Z_OK || (got == 0 && z.avail_in == 0 && !left))
            break; /* corrupt or truncated */
    }
    inflateEnd(&z);
    if (rc == 0 && !b.data && img_buf_add(&b, "", 0) != 0)
        rc = -1;
    if (rc != 0) {
        img_buf_free(&b);
        return rc;
    }
    *out = b.data;
    *outlen = b.len;
    return 0;
}

static int record_crate(img_scan *s, int layer, const char *path, const char *name, const char *version)
{
    img_buf purl = {0};
    img_buf_add(&purl, "pkg:cargo/", 10);
    img_buf_purl(&purl, name, NULL);
    img_buf_add(&purl, "@", 1);
    img_buf_purl(&purl, version, "+");
    int rc = purl.data ? img_pkg_hit_add(s, layer, path, "pkg-cargo", name, version, purl.data, NULL) : -1;
    img_buf_free(&purl);
    return rc;
}

/* Is @source a registry (crates.io or another one), not a path or git crate? */
static int registry_source(const char *source)
{
    return source && (!strcmp(source, "crates.io") || !strcmp(source, "registry") ||
                      !strncmp(source, "registry+", 9) || !strncmp(source, "sparse+", 7));
}

void img_rust_scan(img_scan *s, int layer, const char *path, const unsigned char *data, size_t len)
{
    const unsigned char *sec = NULL;
    size_t seclen = 0;
    char shown[256];
    int found = elf_find_section(data, len, ".dep-v0", &sec, &seclen);
    if (found == 0)
        return;
    img_display(path, shown, sizeof shown);
    if (found < 0) {
        /* not ours to judge every odd ELF file, but say why nothing was read */
        pp_logf(s->api, s->h, PP_LOG_DEBUG, "layer %d: '%s': malformed ELF section headers: not read for Rust crates",
                layer, shown);
        return;
    }
    char *json = NULL;
    size_t jl = 0;
    int rc = inflate_all(sec, seclen, RUST_MAX_JSON, &json, &jl);
    if (rc != 0) {
        img_warn(s, "layer %d: '%s': the cargo-auditable section .dep-v0 is %s: skipped", layer, shown,
                 rc > 0 ? "larger than 16 MiB inflated (a bomb?)" : "not a valid zlib stream");
        return;
    }
    cJSON *doc = cJSON_ParseWithLength(json, jl);
    free(json);
    const cJSON *pkgs = cJSON_GetObjectItemCaseSensitive(doc, "packages");
    if (!cJSON_IsArray(pkgs)) {
        img_warn(s, "layer %d: '%s': the cargo-auditable section .dep-v0 is not a JSON object with a packages list: "
                    "skipped",
                 layer, shown);
        cJSON_Delete(doc);
        return;
    }
    int n = 0, bad = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, pkgs)
    {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "name"));
        const char *version = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "version"));
        const char *source = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "source"));
        if (!name || !version) {
            bad++;
            continue;
        }
        if (!registry_source(source))
            continue;
        if (++n > RUST_MAX_PACKAGES) {
            img_warn(s, "layer %d: '%s': more than %d crates listed: the rest are not read", layer, shown,
                     RUST_MAX_PACKAGES);
            break;
        }
        if (record_crate(s, layer, path, name, version) != 0)
            bad++;
    }
    if (bad)
        img_warn(s, "layer %d: '%s': %d crates of .dep-v0 have no usable name or version: skipped", layer, shown, bad);
    cJSON_Delete(doc);
}

/* ---- Cargo.lock ---- */

/* The string value of a line `KEY = "VALUE"` (malloc'd), or NULL when the
 * line is not that key or the value is not a plain basic string. */
static char *toml_str(const char *line, size_t n, const char *key)
{
    size_t kl = strlen(key);
    if (n <= kl || strncmp(line, key, kl) != 0)
        return NULL;
    size_t i = kl;
    while (i < n && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i >= n || line[i] != '=')
        return NULL;
    i++;
    while (i < n && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i >= n || line[i] != '"')
        return NULL;
    size_t start = ++i;
    while (i < n && line[i] != '"') {
        if (line[i] == '\\' || (unsigned char)line[i] < 0x20)
            return NULL; /* names, versions and sources never need escapes */
        i++;
    }
    if (i >= n)
        return NULL;
    return strndup(line + start, i - start);
}

void img_cargo_lock_scan(img_scan *s, int layer, const char *path, const char *data, size_t len)
{
    char *name = NULL, *version = NULL, *source = NULL;
    int in_pkg = 0, n = 0, bad = 0, packages = 0;
    char shown[256];
    img_display(path, shown, sizeof shown);
    const char *end = data + len;
    for (const char *line = data;;) {
        int at_end = line >= end;
        const char *nl = at_end ? NULL : memchr(line, '\n', (size_t)(end - line));
        const char *le = at_end ? line : (nl ? nl : end);
        if (at_end || *line == '[') {
            /* a table header (or the end) closes the package being read */
            if (in_pkg) {
                if (!name || !version)
                    bad++;
                else if (registry_source(source) && ++n <= RUST_MAX_PACKAGES &&
                         record_crate(s, layer, path, name, version) != 0)
                    bad++;
                free(name);
                free(version);
                free(source);
                name = version = source = NULL;
            }
            if (at_end)
                break;
            size_t hl = (size_t)(le - line);
            while (hl && (line[hl - 1] == '\r' || line[hl - 1] == ' '))
                hl--;
            in_pkg = hl == 11 && !memcmp(line, "[[package]]", 11);
            packages += in_pkg;
        } else if (in_pkg) {
            size_t ll = (size_t)(le - line);
            char *v;
            if ((v = toml_str(line, ll, "name"))) {
                free(name);
                name = v;
            } else if ((v = toml_str(line, ll, "version"))) {
                free(version);
                version = v;
            } else if ((v = toml_str(line, ll, "source"))) {
                free(source);
                source = v;
            }
        }
        line = nl ? nl + 1 : end;
    }
    if (n > RUST_MAX_PACKAGES)
        img_warn(s, "layer %d: '%s': more than %d crates: the rest are not read", layer, shown, RUST_MAX_PACKAGES);
    if (bad)
        img_warn(s, "layer %d: '%s': %d [[package]] tables have no usable name or version: skipped", layer, shown,
                 bad);
    else if (!packages && len)
        img_warn(s, "layer %d: '%s' has no [[package]] table: not a Cargo.lock?", layer, shown);
}

int img_cargo_lock_name(const char *path)
{
    const char *base = strrchr(path, '/');
    return !strcmp(base ? base + 1 : path, "Cargo.lock");
}

void img_rust_emit(img_emit *em)
{
    img_pkg_hits_emit(em, "pkg-cargo", "crates.io");
}

/* ---- executables too large for the secret scan ---- */

int img_elf_stream_scan(img_scan *s, struct archive *a, int idx, const char *path, const char *shown)
{
    img_buf b = {0};
    unsigned char chunk[64 * 1024];
    int first = 1;
    for (;;) {
        la_ssize_t n = archive_read_data(a, chunk, sizeof chunk);
        if (n < 0) {
            img_buf_free(&b);
            return img_fail(s, "layer %d: cannot read '%s': %s", idx, shown,
                            archive_error_string(a) ? archive_error_string(a) : "read error");
        }
        if (n == 0)
            break;
        if (first) {
            first = 0;
            if (n < 4 || memcmp(chunk, "\x7f" "ELF", 4) != 0)
                return PP_OK; /* not ELF: the next header skips the rest */
        }
        if (b.len + (size_t)n > s->lim->max_file_bytes) {
            img_buf_free(&b);
            return PP_OK; /* the caller only hands files within the cap */
        }
        if (img_buf_add(&b, chunk, (size_t)n) != 0) {
            img_buf_free(&b);
            return img_fail(s, "out of memory");
        }
    }
    if (b.data) {
        img_go_scan(s, idx, path, (const unsigned char *)b.data, b.len);
        img_rust_scan(s, idx, path, (const unsigned char *)b.data, b.len);
    }
    img_buf_free(&b);
    return PP_OK;
}
