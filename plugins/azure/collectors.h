/*
 * collectors.h - one function per task kind of the azure provider.
 * Each returns PP_OK (denials become error findings and do not fail the
 * task), PP_ERR_CANCELLED, or an error with the reason in last_error.
 */
#ifndef PP_AZ_COLLECTORS_H
#define PP_AZ_COLLECTORS_H

#include "azure_ctx.h"

/** Storage data plane of the configured blob endpoint: containers, blob service properties. */
int collect_blob(azure_ctx *c, az_task *t);

/** ARM: the subscription itself and its resource groups. */
int collect_arm_resources(azure_ctx *c, az_task *t);
/** ARM: storage accounts with their blob service and containers. */
int collect_arm_storage(azure_ctx *c, az_task *t);
/** ARM: network security groups. */
int collect_arm_network(azure_ctx *c, az_task *t);
/** ARM: Key Vaults. */
int collect_arm_keyvault(azure_ctx *c, az_task *t);
/** ARM: virtual machines and managed disks. */
int collect_arm_compute(azure_ctx *c, az_task *t);
/** ARM: App Service apps with their web configuration. */
int collect_arm_web(azure_ctx *c, az_task *t);
/** ARM: AKS managed clusters. */
int collect_arm_aks(azure_ctx *c, az_task *t);
/** ARM: role assignments, Defender plans, activity log alerts, subscription diagnostic settings. */
int collect_arm_governance(azure_ctx *c, az_task *t);
/** ARM: SQL servers with firewall rules, auditing and Entra ID administrators; their databases with TDE. */
int collect_arm_sql(azure_ctx *c, az_task *t);

/** storage_container_json - the ARM-shaped data of a data-plane <Container> (exposed for the unit tests). */
struct xml_node;
#include <cjson/cJSON.h>
cJSON *storage_container_json(const struct xml_node *container);
/** storage_service_json - the ARM-shaped data of <StorageServiceProperties> (exposed for the unit tests). */
cJSON *storage_service_json(const struct xml_node *props);

#endif
