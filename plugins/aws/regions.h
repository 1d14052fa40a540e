/*
 * regions.h - which regions a scan covers: the configured list
 * (-o aws.regions=...) or the regions enabled for the account
 * (EC2 DescribeRegions, which lists only enabled ones).
 */
#ifndef PP_AWS_REGIONS_H
#define PP_AWS_REGIONS_H

#include <stddef.h>

#include "aws_ctx.h"

/**
 * aws_regions - fill *@out (array of malloc'd names, free with
 * aws_regions_free) and *@n. Returns 0, or -1 with @err.
 */
int aws_regions(aws_ctx *c, char ***out, size_t *n, char *err, size_t errlen);
void aws_regions_free(char **v, size_t n);

/** aws_home_region - region for global calls: AWS_REGION, AWS_DEFAULT_REGION, the first configured, or us-east-1. */
const char *aws_home_region(const aws_ctx *c);

#endif
