/*
 * az_emit.h - resources and "access denied" error findings of the azure
 * provider, in the envelope of docs/records.md.
 */
#ifndef PP_AZ_EMIT_H
#define PP_AZ_EMIT_H

#include <cjson/cJSON.h>

#include "azure_ctx.h"

/**
 * az_emit_resource - emit one resource. Takes ownership of @data and
 * @tags (either may be NULL) and frees them. @account is the subscription
 * id (ARM) or the storage account name (data plane). Returns the host's code.
 */
int az_emit_resource(azure_ctx *c, const char *type, const char *uid, const char *name, const char *account,
                     const char *region, cJSON *data, cJSON *tags);

/**
 * az_emit_arm - emit an ARM resource body: id -> uid, name, location ->
 * region, tags; the rest of the body (minus id, name, type, location,
 * tags) becomes data. Takes ownership of @body.
 */
int az_emit_arm(azure_ctx *c, const char *type, const char *subscription, cJSON *body);

/**
 * az_emit_denied - one error finding "azure-collection-access-denied" on
 * @uid (or the subscription / account scope when NULL), naming the
 * missing @permission (an Azure RBAC action such as
 * "Microsoft.Storage/storageAccounts/read") and the service's @code.
 * Counts it in @t->denied.
 */
void az_emit_denied(azure_ctx *c, az_task *t, const char *permission, const char *what, const char *uid,
                    const char *account, const char *code);

#endif
