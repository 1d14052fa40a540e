/*
 * azure_ctx.h - the azure provider's instance state and the helpers every
 * part of the plugin shares (errors, logging, HTTP through the host).
 *
 * One azure_ctx per scan (init .. destroy). Collect calls run concurrently
 * (PP_THREADS_PARALLEL): the context is read-only after init except the
 * token cache, which has its own mutex.
 */
#ifndef PP_AZURE_CTX_H
#define PP_AZURE_CTX_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <parapet/plugin.h>

#include "az_token.h"

#define AZ_ERR_LEN 512

/* Outcomes of an ARM or data-plane call, as the collectors see them. */
enum {
    AZ_OK = 0,
    AZ_E_FAIL = -1,     /* transport, parse or unexpected status: an error of the task */
    AZ_E_DENIED = -2,   /* 401/403 from the service: an error finding, the scan goes on */
    AZ_E_NOTFOUND = -3, /* 404: the thing does not exist */
    AZ_E_CANCELLED = -4 /* the host asked us to stop */
};

typedef struct azure_ctx {
    const pp_host_api *api;
    pp_host *h;

    /* ARM side */
    char *arm_endpoint;   /* "https://management.azure.com" or an override, no trailing '/' */
    char *authority_host; /* "https://login.microsoftonline.com" or an override */
    char *imds_endpoint;  /* "http://169.254.169.254" or an override */
    char **subscriptions; /* configured subscription ids, or NULL: every one visible */
    size_t n_subscriptions;
    char *management_group; /* scan the subscriptions under this management group, or NULL */
    char **services;        /* configured services, or NULL: all */
    size_t n_services;
    az_token_cache arm_token;
    int storage_list_keys; /* listKeys + Blob data plane for discovered accounts (default on) */

    /* Storage data plane only (-o azure.blob_endpoint=URL) */
    char *blob_endpoint;   /* without trailing '/' */
    char *storage_account; /* account name from config or derived from the endpoint */
    char *storage_key_ref; /* secret reference of the account key, or NULL */
    char *storage_sas_ref; /* secret reference of a SAS token, or NULL */
    unsigned blob_page_size;

    char *plan_json;
} azure_ctx;

/** az_task - one unit of work from plan (borrowed from the task JSON). */
typedef struct az_task {
    const char *id;
    const char *kind;         /* "arm" or "blob" */
    const char *subscription; /* ARM tasks */
    const char *service;      /* ARM tasks: "resources", "storage", "network", "keyvault", "compute", "web", "aks",
                                 "governance", "sql" */
    int denied;               /* calls that were refused (error findings emitted) */
    int errors;
} az_task;

/** az_set_error - set this thread's last_error text (printf-style). Never pass secrets. */
void az_set_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/** az_log - log one line through the host at @lvl. Never pass secrets. */
#define az_log(c, lvl, ...) pp_logf((c)->api, (c)->h, (lvl), __VA_ARGS__) /* the SDK's formatter */

/** az_cancelled - nonzero once the host asked the scan to stop. */
int az_cancelled(const azure_ctx *c);

/** az_sleep_ms - sleep, polling cancellation; returns -1 when cancelled. */
int az_sleep_ms(const azure_ctx *c, unsigned ms);

#endif
