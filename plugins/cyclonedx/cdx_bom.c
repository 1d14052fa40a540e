/*
 * plugins/cyclonedx/cdx_bom.c - render a CycloneDX 1.6 BOM (JSON) from a
 * scan's packages and the images that hold them.
 *
 * Layout of the document (facts from the CycloneDX 1.6 JSON schema and
 * specification):
 *   bomFormat "CycloneDX", specVersion "1.6", serialNumber
 *   "urn:uuid:<random v4>", version 1;
 *   metadata: timestamp (the scan's start), tools.components [parapet],
 *     component: the scanned image (type "container", hashes SHA-256 of
 *     its image id, properties parapet:image:*) when the scan saw exactly
 *     one; with several, each image is a top-level component and its
 *     packages are nested in it;
 *   components: type "operating-system" for the image's distribution,
 *     type "library" for each package: name (a Maven "group:artifact" is
 *     split into group and name), version, purl, a unique bom-ref (the
 *     purl, "#N" appended on a repeat), properties parapet:ecosystem,
 *     parapet:layer, parapet:location, parapet:source_name,
 *     parapet:source_version;
 *   dependencies: each image dependsOn its packages and its distribution.
 * Vulnerabilities are not written.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cdx_bom.h"

int cdx_bom_init(cdx_bom *b, const char *timestamp, const char *parapet_version)
{
    memset(b, 0, sizeof *b);
    b->packages = cJSON_CreateArray();
    b->subjects = cJSON_CreateArray();
    b->timestamp = timestamp ? strdup(timestamp) : NULL;
    b->version = strdup(parapet_version ? parapet_version : "0");
    if (!b->packages || !b->subjects || (timestamp && !b->timestamp) || !b->version)
        return -1;
    return 0;
}

void cdx_bom_free(cdx_bom *b)
{
    cJSON_Delete(b->packages);
    cJSON_Delete(b->subjects);
    free(b->timestamp);
    free(b->version);
    memset(b, 0, sizeof *b);
}

int cdx_bom_add_package(cdx_bom *b, const char *package_json, const char **why)
{
    if (cJSON_GetArraySize(b->packages) >= CDX_MAX_PACKAGES) {
        *why = "more than 2000000 packages";
        return -1;
    }
    cJSON *p = cJSON_Parse(package_json ? package_json : "");
    if (!cJSON_IsObject(p) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(p, "name")) ||
        !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(p, "version"))) {
        cJSON_Delete(p);
        *why = "a package is not a JSON object with a name and a version";
        return -1;
    }
    if (!cJSON_AddItemToArray(b->packages, p)) {
        cJSON_Delete(p);
        *why = "out of memory";
        return -1;
    }
    return 0;
}

int cdx_bom_add_resource(cdx_bom *b, const char *resource_json, const char **why)
{
    cJSON *r = cJSON_Parse(resource_json ? resource_json : "");
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "type"));
    if (!type || strcmp(type, "image.container") != 0 || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r, "uid"))) {
        cJSON_Delete(r);
        return 0; /* not something that holds packages */
    }
    if (cJSON_GetArraySize(b->subjects) >= CDX_MAX_SUBJECTS) {
        cJSON_Delete(r);
        *why = "more than 100000 images";
        return -1;
    }
    if (!cJSON_AddItemToArray(b->subjects, r)) {
        cJSON_Delete(r);
        *why = "out of memory";
        return -1;
    }
    return 0;
}

/* ---- bom-refs: unique strings ---- */

typedef struct ref_set {
    char **slot;
    size_t cap, n;
} ref_set;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* Insert @s when absent: 1 inserted, 0 present, -1 out of memory. */
static int ref_add(ref_set *r, const char *s)
{
    if ((r->n + 1) * 2 > r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 1024;
        char **slot = calloc(cap, sizeof *slot);
        if (!slot)
            return -1;
        for (size_t i = 0; i < r->cap; i++) {
            if (!r->slot[i])
                continue;
            size_t j = hash_str(r->slot[i]) & (cap - 1);
            while (slot[j])
                j = (j + 1) & (cap - 1);
            slot[j] = r->slot[i];
        }
        free(r->slot);
        r->slot = slot;
        r->cap = cap;
    }
    size_t j = hash_str(s) & (r->cap - 1);
    for (; r->slot[j]; j = (j + 1) & (r->cap - 1))
        if (!strcmp(r->slot[j], s))
            return 0;
    if (!(r->slot[j] = strdup(s)))
        return -1;
    r->n++;
    return 1;
}

static void ref_free(ref_set *r)
{
    for (size_t i = 0; i < r->cap; i++)
        free(r->slot[i]);
    free(r->slot);
}

/* A bom-ref for @base not used before (malloc'd), or NULL when out of memory. */
static char *unique_ref(ref_set *r, const char *base)
{
    size_t n = strlen(base) + 24;
    char *ref = malloc(n);
    if (!ref)
        return NULL;
    snprintf(ref, n, "%s", base);
    for (unsigned long k = 2;; k++) {
        int rc = ref_add(r, ref);
        if (rc == 1)
            return ref;
        if (rc < 0) {
            free(ref);
            return NULL;
        }
        snprintf(ref, n, "%s#%lu", base, k);
    }
}

/* ---- building blocks ---- */

static void add_property(cJSON *props, const char *name, const char *value)
{
    if (!value || !*value)
        return;
    cJSON *p = cJSON_CreateObject();
    if (!p)
        return;
    cJSON_AddStringToObject(p, "name", name);
    cJSON_AddStringToObject(p, "value", value);
    cJSON_AddItemToArray(props, p);
}

static const char *str_of(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* The component of one package; its bom-ref is added to @deps. */
static cJSON *package_component(const cJSON *p, ref_set *refs, cJSON *deps)
{
    const char *name = str_of(p, "name"), *version = str_of(p, "version"), *purl = str_of(p, "purl");
    const char *eco = str_of(p, "ecosystem");
    cJSON *c = cJSON_CreateObject();
    if (!c)
        return NULL;
    char *base = NULL;
    if (!purl && asprintf(&base, "%s@%s", name, version) < 0)
        base = NULL;
    char *ref = unique_ref(refs, purl ? purl : base ? base : "package");
    free(base);
    if (!ref) {
        cJSON_Delete(c);
        return NULL;
    }
    cJSON_AddStringToObject(c, "type", "library");
    cJSON_AddStringToObject(c, "bom-ref", ref);
    const char *colon = eco && !strcmp(eco, "Maven") ? strchr(name, ':') : NULL;
    if (colon && colon > name && colon[1]) {
        char *group = strndup(name, (size_t)(colon - name));
        if (group)
            cJSON_AddStringToObject(c, "group", group);
        free(group);
        cJSON_AddStringToObject(c, "name", colon + 1);
    } else {
        cJSON_AddStringToObject(c, "name", name);
    }
    cJSON_AddStringToObject(c, "version", version);
    if (purl)
        cJSON_AddStringToObject(c, "purl", purl);
    cJSON *props = cJSON_CreateArray();
    if (props) {
        add_property(props, "parapet:ecosystem", eco);
        add_property(props, "parapet:layer", str_of(p, "layer"));
        add_property(props, "parapet:location", str_of(p, "location"));
        add_property(props, "parapet:source_name", str_of(p, "source_name"));
        add_property(props, "parapet:source_version", str_of(p, "source_version"));
        if (cJSON_GetArraySize(props))
            cJSON_AddItemToObject(c, "properties", props);
        else
            cJSON_Delete(props);
    }
    if (deps)
        cJSON_AddItemToArray(deps, cJSON_CreateString(ref));
    free(ref);
    return c;
}

/* The image as a component (type container), its bom-ref added to @refs. */
static cJSON *image_component(const cJSON *r, ref_set *refs, char **ref_out)
{
    const char *uid = str_of(r, "uid"), *name = str_of(r, "name");
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(r, "data");
    const char *image_id = str_of(data, "imageId"), *manifest = str_of(data, "manifestDigest");
    cJSON *c = cJSON_CreateObject();
    char *base = NULL;
    if (!c || asprintf(&base, "image:%s", uid) < 0) {
        cJSON_Delete(c);
        return NULL;
    }
    char *ref = unique_ref(refs, base);
    free(base);
    if (!ref) {
        cJSON_Delete(c);
        return NULL;
    }
    cJSON_AddStringToObject(c, "type", "container");
    cJSON_AddStringToObject(c, "bom-ref", ref);
    cJSON_AddStringToObject(c, "name", name ? name : uid);
    if (image_id)
        cJSON_AddStringToObject(c, "version", image_id);
    /* the image id is sha256 of the config: a hash of what the image is */
    if (image_id && !strncmp(image_id, "sha256:", 7) && strlen(image_id) == 71 &&
        strspn(image_id + 7, "0123456789abcdef") == 64) {
        cJSON *hashes = cJSON_AddArrayToObject(c, "hashes");
        cJSON *h = cJSON_CreateObject();
        if (hashes && h) {
            cJSON_AddStringToObject(h, "alg", "SHA-256");
            cJSON_AddStringToObject(h, "content", image_id + 7);
            cJSON_AddItemToArray(hashes, h);
        } else {
            cJSON_Delete(h);
        }
    }
    cJSON *props = cJSON_CreateArray();
    if (props) {
        add_property(props, "parapet:image:uid", uid);
        add_property(props, "parapet:image:id", image_id);
        add_property(props, "parapet:image:manifestDigest", manifest);
        add_property(props, "parapet:image:format", str_of(data, "format"));
        add_property(props, "parapet:image:target", str_of(data, "target"));
        add_property(props, "parapet:image:os", str_of(data, "os"));
        add_property(props, "parapet:image:architecture", str_of(data, "architecture"));
        cJSON_AddItemToObject(c, "properties", props);
    }
    *ref_out = ref;
    return c;
}

/* The image's distribution (type operating-system), or NULL when unknown. */
static cJSON *os_component(const cJSON *r, const char *image_ref, ref_set *refs)
{
    const cJSON *distro = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "data"), "distro");
    const char *id = str_of(distro, "id");
    if (!id)
        return NULL;
    char *base = NULL;
    if (asprintf(&base, "os:%s", image_ref) < 0)
        return NULL;
    char *ref = unique_ref(refs, base);
    free(base);
    cJSON *c = ref ? cJSON_CreateObject() : NULL;
    if (c) {
        cJSON_AddStringToObject(c, "type", "operating-system");
        cJSON_AddStringToObject(c, "bom-ref", ref);
        cJSON_AddStringToObject(c, "name", id);
        const char *v = str_of(distro, "versionId");
        if (v)
            cJSON_AddStringToObject(c, "version", v);
        const char *pretty = str_of(distro, "prettyName");
        if (pretty)
            cJSON_AddStringToObject(c, "description", pretty);
    }
    free(ref);
    return c;
}

/* A random version 4 UUID as "urn:uuid:...". 0, or -1 without randomness. */
static int serial_number(char out[46])
{
    unsigned char u[16];
    size_t got = 0;
    while (got < sizeof u) {
        ssize_t n = getrandom(u + got, sizeof u - got, 0);
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x40); /* version 4 */
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(out, 46,
             "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2],
             u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
    return 0;
}

char *cdx_bom_render(const cdx_bom *b)
{
    char serial[46];
    if (serial_number(serial) != 0)
        return NULL;
    cJSON *doc = cJSON_CreateObject();
    ref_set refs = {0};
    char *text = NULL;
    if (!doc)
        return NULL;
    cJSON_AddStringToObject(doc, "$schema", "http://cyclonedx.org/schema/bom-1.6.schema.json");
    cJSON_AddStringToObject(doc, "bomFormat", "CycloneDX");
    cJSON_AddStringToObject(doc, "specVersion", "1.6");
    cJSON_AddStringToObject(doc, "serialNumber", serial);
    cJSON_AddNumberToObject(doc, "version", 1);
    cJSON *meta = cJSON_AddObjectToObject(doc, "metadata");
    cJSON *components = cJSON_CreateArray();
    cJSON *dependencies = cJSON_CreateArray();
    if (!meta || !components || !dependencies) {
        cJSON_Delete(components);
        cJSON_Delete(dependencies);
        goto out;
    }
    if (b->timestamp)
        cJSON_AddStringToObject(meta, "timestamp", b->timestamp);
    cJSON *tools = cJSON_AddObjectToObject(meta, "tools");
    cJSON *tcomps = tools ? cJSON_AddArrayToObject(tools, "components") : NULL;
    cJSON *tool = cJSON_CreateObject();
    if (tcomps && tool) {
        cJSON_AddStringToObject(tool, "type", "application");
        cJSON_AddStringToObject(tool, "name", "parapet");
        cJSON_AddStringToObject(tool, "version", b->version);
        cJSON_AddItemToArray(tcomps, tool);
    } else {
        cJSON_Delete(tool);
    }

    int n_subjects = cJSON_GetArraySize(b->subjects);
    int single = n_subjects == 1;
    /* packages of each subject, in arrival order; the rest stay top-level */
    const cJSON *subj;
    cJSON *claimed = cJSON_CreateObject(); /* uid -> true: the images written */
    cJSON_ArrayForEach(subj, b->subjects)
    {
        const char *uid = str_of(subj, "uid");
        if (!claimed || cJSON_GetObjectItemCaseSensitive(claimed, uid))
            continue; /* the same image twice: once is enough */
        cJSON_AddTrueToObject(claimed, uid);
        char *iref = NULL;
        cJSON *img = image_component(subj, &refs, &iref);
        if (!img)
            continue;
        cJSON *dep = cJSON_CreateObject();
        cJSON *on = cJSON_CreateArray();
        cJSON *into = single ? components : cJSON_AddArrayToObject(img, "components");
        cJSON *os = os_component(subj, iref, &refs);
        if (os) {
            cJSON_AddItemToArray(on, cJSON_CreateString(cJSON_GetStringValue(
                                         cJSON_GetObjectItemCaseSensitive(os, "bom-ref"))));
            cJSON_AddItemToArray(into, os);
        }
        const cJSON *p;
        cJSON_ArrayForEach(p, b->packages)
        {
            const char *puid = str_of(p, "resource_uid");
            if (!puid || strcmp(puid, uid) != 0)
                continue;
            cJSON *c = package_component(p, &refs, on);
            if (c)
                cJSON_AddItemToArray(into, c);
        }
        if (dep && on) {
            cJSON_AddStringToObject(dep, "ref", iref);
            cJSON_AddItemToObject(dep, "dependsOn", on);
            cJSON_AddItemToArray(dependencies, dep);
        } else {
            cJSON_Delete(dep);
            cJSON_Delete(on);
        }
        if (single)
            cJSON_AddItemToObject(meta, "component", img);
        else
            cJSON_AddItemToArray(components, img);
        free(iref);
    }
    /* packages of no image the scan described */
    const cJSON *p;
    cJSON_ArrayForEach(p, b->packages)
    {
        const char *puid = str_of(p, "resource_uid");
        if (puid && claimed && cJSON_GetObjectItemCaseSensitive(claimed, puid))
            continue;
        cJSON *c = package_component(p, &refs, NULL);
        if (c)
            cJSON_AddItemToArray(components, c);
    }
    cJSON_Delete(claimed);
    cJSON_AddItemToObject(doc, "components", components);
    cJSON_AddItemToObject(doc, "dependencies", dependencies);
    text = cJSON_Print(doc);
out:
    ref_free(&refs);
    cJSON_Delete(doc);
    return text;
}
