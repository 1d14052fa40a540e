/*
 * cred_http.h - plain GET/PUT for the local credential endpoints (ECS
 * agent, EC2 instance metadata): short timeout, no retries by the host,
 * the body returned as a NUL-terminated string.
 */
#ifndef PP_AWS_CRED_HTTP_H
#define PP_AWS_CRED_HTTP_H

#include <stddef.h>

#include "aws_ctx.h"

/**
 * cred_http - @method @url with @n_headers headers, @timeout_ms per attempt,
 * one attempt only. Returns the HTTP status
 * (and *@body, malloc'd, the caller wipes and frees it) or -1 on a
 * transport failure with @err naming the URL without its query.
 */
long cred_http(aws_ctx *c, const char *method, const char *url, const pp_http_header *headers, size_t n_headers,
               unsigned timeout_ms, char **body, char *err, size_t errlen);

#endif
