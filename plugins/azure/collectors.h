/*
 * collectors.h - one function per task kind of the azure provider.
 * Each returns PP_OK (denials become error findings and do not fail the
 * task), PP_ERR_CANCELLED, or an error with the reason in last_error.
 */
#ifndef PP_AZ_COLLECTORS_H
#define PP_AZ_COLLECTORS_H

#include <cjson/cJSON.h>

#include "azure_ctx.h"

/** Storage data plane of the configured blob endpoint: containers, blob service properties. */
int collect_blob(azure_ctx *c, az_task *t);

/**
 * collect_blob_arm_account - ARM mode: the Blob service data plane of one
 * discovered storage account (@arm_id, name @account, @region), at
 * @endpoint (properties.primaryEndpoints.blob), signed with the account
 * @key of @keylen bytes that listKeys returned (borrowed; the caller wipes
 * it). Emits azure.storage.blob_service and azure.storage.container with
 * ARM ids as uids; with @queue_endpoint (primaryEndpoints.queue, already
 * vetted by the caller, or NULL) also azure.storage.queue_service; with
 * @table_endpoint (primaryEndpoints.table, vetted, or NULL) the Table
 * service's logging is added to @account_body (the account's ARM body,
 * owned by the caller) as tableServiceProperties.logging, and left absent
 * when it cannot be read.
 * Returns 0 when the containers were listed, -1 when they could not be
 * (firewall, refused key, transport; logged as a warning, the caller lists
 * them through ARM instead), AZ_E_CANCELLED.
 */
int collect_blob_arm_account(azure_ctx *c, az_task *t, const char *arm_id, const char *account, const char *region,
                             const char *endpoint, const char *queue_endpoint, const char *table_endpoint,
                             cJSON *account_body, const unsigned char *key, size_t keylen);

/** ARM: the subscription itself and its resource groups. */
int collect_arm_resources(azure_ctx *c, az_task *t);
/** ARM: storage accounts with their blob service and containers. */
int collect_arm_storage(azure_ctx *c, az_task *t);
/** ARM: network security groups, Network Watchers and their flow logs. */
int collect_arm_network(azure_ctx *c, az_task *t);
/** ARM: Key Vaults (+ diagnostic settings), their keys and secrets (metadata only, never a value). */
int collect_arm_keyvault(azure_ctx *c, az_task *t);
/** ARM: virtual machines (+ extensions) and managed disks. */
int collect_arm_compute(azure_ctx *c, az_task *t);
/** ARM: App Service apps with their web configuration. */
int collect_arm_web(azure_ctx *c, az_task *t);
/** ARM: AKS managed clusters. */
int collect_arm_aks(azure_ctx *c, az_task *t);
/**
 * ARM: role assignments, custom role definitions, Defender plans, security contacts, auto provisioning,
 * activity log alerts, subscription diagnostic settings, and the per-subscription monitoring summary.
 */
int collect_arm_governance(azure_ctx *c, az_task *t);
/**
 * ARM: SQL servers with firewall rules, auditing, Entra ID administrators, Defender for SQL (security alert
 * policy) and the TDE protector; their databases with TDE.
 */
int collect_arm_sql(azure_ctx *c, az_task *t);

/** ARM: PostgreSQL and MySQL flexible servers with their security-relevant server parameters. */
int collect_arm_databases(azure_ctx *c, az_task *t);

/** storage_container_json - the ARM-shaped data of a data-plane <Container> (exposed for the unit tests). */
struct xml_node;
#include <cjson/cJSON.h>
cJSON *storage_container_json(const struct xml_node *container);
/** storage_service_json - the ARM-shaped data of <StorageServiceProperties> (exposed for the unit tests). */
cJSON *storage_service_json(const struct xml_node *props);

#endif
