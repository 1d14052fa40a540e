/*
 * plugins/cyclonedx/cdx_bom.h - a CycloneDX 1.6 bill of materials built
 * from the packages and resources of one scan.
 *
 * The sink collects what the host hands it (cdx_bom_add_package,
 * cdx_bom_add_resource) and renders one JSON document at the end
 * (cdx_bom_render). See docs/cyclonedx.md for the mapping.
 */
#ifndef PP_CDX_BOM_H
#define PP_CDX_BOM_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Most packages one BOM takes; more is an error of the sink. */
#define CDX_MAX_PACKAGES 2000000
/* Most subjects (images, hosts) one BOM takes. */
#define CDX_MAX_SUBJECTS 100000

typedef struct cdx_bom {
    cJSON *packages; /* array of package objects as received */
    cJSON *subjects; /* array of image.container (and other) resources that hold packages */
    char *timestamp; /* RFC 3339 start of the scan, or NULL */
    char *version;   /* parapet's version */
} cdx_bom;

/* Initialize an empty BOM; 0, or -1 when out of memory (cdx_bom_free it then). */
int cdx_bom_init(cdx_bom *b, const char *timestamp, const char *parapet_version);
void cdx_bom_free(cdx_bom *b);

/*
 * cdx_bom_add_package - take one package (the JSON of pp_package, members
 * resource_uid, ecosystem, name, version, purl, source_name,
 * source_version, layer, location; absent ones omitted). Returns 0; -1
 * when it is not a JSON object with a string name and version (*@why set
 * to a static message), or on out of memory or more than CDX_MAX_PACKAGES.
 */
int cdx_bom_add_package(cdx_bom *b, const char *package_json, const char **why);

/*
 * cdx_bom_add_resource - take one resource; only the ones that can hold
 * packages are kept (type image.container: its uid, name and data). 0, or
 * -1 on out of memory or more than CDX_MAX_SUBJECTS (*@why set).
 */
int cdx_bom_add_resource(cdx_bom *b, const char *resource_json, const char **why);

/*
 * cdx_bom_render - the BOM as pretty-printed JSON text (malloc'd, caller
 * frees), with a new random serial number; NULL when out of memory or
 * when no random bytes can be had.
 */
char *cdx_bom_render(const cdx_bom *b);

#endif
