/*
 * regions.c - see regions.h.
 */
#define _DEFAULT_SOURCE
#include "regions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_client.h"

#define MAX_REGIONS 64

const char *aws_home_region(const aws_ctx *c)
{
    const char *r = getenv("AWS_REGION");
    if (!r || !*r)
        r = getenv("AWS_DEFAULT_REGION");
    if ((!r || !*r) && c->n_regions)
        r = c->regions[0];
    return r && *r ? r : "us-east-1";
}

void aws_regions_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

int aws_regions(aws_ctx *c, char ***out, size_t *n, char *err, size_t errlen)
{
    *out = calloc(MAX_REGIONS, sizeof **out);
    *n = 0;
    if (!*out) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (c->n_regions) {
        for (size_t i = 0; i < c->n_regions && *n < MAX_REGIONS; i++)
            (*out)[(*n)++] = strdup(c->regions[i]);
        return 0;
    }
    xml_node *root = NULL;
    char e[AWS_ERR_LEN] = "";
    int rc = aws_query_call(c, "ec2", aws_home_region(c), "DescribeRegions", "2016-11-15", NULL,
                            "ec2:DescribeRegions", &root, e, sizeof e);
    if (rc != AWS_OK) {
        snprintf(err, errlen, "cannot discover the enabled regions (%s%s); set -o aws.regions=...",
                 rc == AWS_E_DENIED ? "ec2:DescribeRegions denied: " : "", e);
        free(*out);
        *out = NULL;
        return -1;
    }
    for (const xml_node *it = xml_path(root, "regionInfo/item"); it && *n < MAX_REGIONS; it = xml_next(it)) {
        const char *name = xml_text_at(it, "regionName");
        const char *opt = xml_text_at(it, "optInStatus");
        if (name && *name && strlen(name) < 32 && (!opt || strcmp(opt, "not-opted-in") != 0))
            (*out)[(*n)++] = strdup(name);
    }
    xml_free(root);
    if (*n == 0) {
        snprintf(err, errlen, "DescribeRegions returned no enabled region");
        free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}
