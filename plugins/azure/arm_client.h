/*
 * arm_client.h - Azure Resource Manager calls: bearer token from the
 * cache, JSON bodies, pagination by nextLink, throttling.
 *
 * Throttling: the host retries 429 and 503 with Retry-After (docs/http.md).
 * On top of that, when ARM's x-ms-ratelimit-remaining-subscription-reads
 * (or -tenant-reads) header says fewer than AZ_ARM_LOW_BUDGET reads are
 * left, the client pauses AZ_ARM_LOW_PAUSE_MS before its next call, so a
 * scan slows down before ARM starts refusing it.
 *
 * nextLink is followed only when it points at the configured ARM endpoint:
 * the token is never sent to any other host.
 */
#ifndef PP_AZ_ARM_CLIENT_H
#define PP_AZ_ARM_CLIENT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "azure_ctx.h"

#define AZ_ARM_LOW_BUDGET 10
#define AZ_ARM_LOW_PAUSE_MS 1000
#define AZ_ARM_MAX_PAGES 10000

/**
 * arm_get - GET @path (starting with '/', relative to the ARM endpoint; or
 * an absolute nextLink under it) with ?api-version=@api_version added
 * when @api_version is not NULL.
 * Returns AZ_OK with the parsed body in *@out (cJSON_Delete it),
 * AZ_E_DENIED (401/403; ARM's error code in @code), AZ_E_NOTFOUND (404),
 * AZ_E_CANCELLED, or AZ_E_FAIL with a reason in @err.
 */
int arm_get(azure_ctx *c, const char *path, const char *api_version, cJSON **out, char *code, size_t codelen, char *err,
            size_t errlen);

/**
 * arm_post_secret - POST @path (a path under the ARM endpoint, never an
 * absolute URL) with an empty body, for an action whose answer is a
 * credential (storageAccounts/listKeys). Same returns as arm_get; on AZ_OK
 * the caller owns *@out and must release it with arm_json_wipe_free. The
 * host's copy of the response body is wiped before it is released; a
 * refusal's body (ARM's error, no secret) gives @code as arm_get does.
 * Not retried by the host except on 429 / 503 with Retry-After (docs/http.md).
 */
int arm_post_secret(azure_ctx *c, const char *path, const char *api_version, cJSON **out, char *code, size_t codelen,
                    char *err, size_t errlen);

/** arm_json_wipe_free - zero every string (names and values) of @j, then free it. NULL is fine. */
void arm_json_wipe_free(cJSON *j);

/** Called for each element of a list's "value" array; return nonzero to stop (cancelled). */
typedef int (*arm_item_fn)(azure_ctx *c, const cJSON *item, void *ud);

/**
 * arm_list - GET a list and every further page through nextLink, calling
 * @fn for each element. Same returns as arm_get; elements before a failing
 * page have been passed to @fn.
 */
int arm_list(azure_ctx *c, const char *path, const char *api_version, arm_item_fn fn, void *ud, char *code,
             size_t codelen, char *err, size_t errlen);

#endif
