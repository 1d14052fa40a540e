/*
 * parapet/plugin.h - the parapet plugin ABI, version 1.
 *
 * Added in ABI 1.0. This is the only header a plugin needs; it includes
 * version.h, records.h and host.h.
 *
 * A plugin is a shared object that exports exactly one symbol per ABI major:
 *
 *     PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api,
 *                                                  pp_host *h,
 *                                                  const pp_plugin **out);
 *
 * Build with -fvisibility=hidden; the host loads with dlopen(RTLD_NOW |
 * RTLD_LOCAL), calls the entry once, and reads the descriptor it returns.
 *
 * Lifecycle, seen from the plugin:
 *   entry -> init(config) -> kind callbacks ... -> destroy
 * The host calls init once per scan, with the plugin's configuration as a
 * JSON object already validated against config_schema. It may then call the
 * callbacks of every kind the plugin declared, and finally destroy.
 *
 * Memory: arguments are borrowed for the call. A `const char *` a callback
 * returns stays valid until the next call on the same instance (or destroy);
 * the host copies it. Records go out through the host's emit_* functions,
 * which copy.
 *
 * Threads: callbacks of one instance are never called concurrently unless
 * the plugin declares PP_THREADS_PARALLEL, in which case only the
 * callbacks documented as "parallel-safe" may overlap (provider collect,
 * scanner scan, policy evaluate and CEL functions).
 *
 * Isolation: provider, scanner and threat-feed plugins run by default in a
 * forked worker process; policy, output and remediation plugins run in the
 * main process. The plugin cannot tell the difference and must not rely on
 * global state shared with the host.
 */
#ifndef PARAPET_PLUGIN_H
#define PARAPET_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "records.h"
#include "version.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define PP_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define PP_PLUGIN_EXPORT
#endif

/** Kinds a plugin may implement; a plugin may be several. Added in 1.0. */
typedef enum pp_kind {
    PP_KIND_PROVIDER = 1u << 0,    /**< collects inventory and events */
    PP_KIND_POLICY = 1u << 1,      /**< rule packs, frameworks, CEL functions */
    PP_KIND_THREAT_FEED = 1u << 2, /**< indicators and advisories */
    PP_KIND_SCANNER = 1u << 3,     /**< images, disks, filesystems */
    PP_KIND_OUTPUT = 1u << 4,      /**< delivers findings and reports */
    PP_KIND_REMEDIATION = 1u << 5  /**< plans and applies fixes */
} pp_kind;

/** Threading model a plugin declares. Added in 1.0. */
typedef enum pp_threads {
    PP_THREADS_SERIAL = 0,  /**< at most one callback of an instance at a time */
    PP_THREADS_PARALLEL = 1 /**< parallel-safe callbacks may overlap */
} pp_threads;

/**
 * pp_provider_api - collect inventory for a scope. Added in 1.0.
 *
 * The host first asks the provider to split the work into independent tasks
 * (for a cloud: account x region x service), then runs collect for each
 * task from its worker pool, so a provider stays synchronous and simple
 * while the scan is concurrent.
 */
typedef struct pp_provider_api {
    uint32_t size;

    /**
     * plan - required. Split the scan into tasks.
     * @targets_json  JSON array of the strings the user gave after the
     *                provider name (files, account ids, ...), maybe empty.
     * Returns a JSON array of task objects; each has a string member "id"
     * unique within the plan (it names the task in progress and errors) and
     * any other members collect needs. Returns NULL on failure (last_error
     * says why). Valid until the next call on the instance.
     * Threads: called once, before any collect.
     */
    const char *(*plan)(void *inst, const char *targets_json);

    /**
     * collect - required, parallel-safe. Run one task from plan, emitting
     * resources (and events) through the host. A plugin that declares
     * PP_THREADS_PARALLEL should keep the message last_error returns per
     * thread (thread-local), since collects overlap.
     * @task_json  one element of the plan array, borrowed.
     * Returns PP_OK, PP_ERR_CANCELLED when host->cancelled() said so, or an
     * error (last_error says why). Records emitted before a failure are kept
     * and the task is reported as incomplete.
     */
    int (*collect)(void *inst, const char *task_json);
} pp_provider_api;

/**
 * pp_cel_function - a function a policy plugin adds to the rule language.
 * Added in 1.0.
 */
typedef struct pp_cel_function {
    uint32_t size;
    const char *name;   /**< e.g. "iam.allowsAction"; dotted names allowed */
    uint32_t min_args;
    uint32_t max_args;
    /**
     * call - required, parallel-safe.
     * @args_json  JSON array of the evaluated arguments.
     * @result     on PP_OK, the JSON text of the result; on failure, the error
     *             message. Either way allocated with host->alloc; the host
     *             frees it.
     */
    int (*call)(void *inst, const char *args_json, char **result);
} pp_cel_function;

/** pp_policy_api - rule packs, frameworks and rule-language functions. Added in 1.0. */
typedef struct pp_policy_api {
    uint32_t size;
    /** rules - optional. JSON array of rules (format: docs/rules.md). */
    const char *(*rules)(void *inst);
    /** frameworks - optional. JSON array of framework mappings. */
    const char *(*frameworks)(void *inst);
    /** functions - optional. Array of n_functions CEL functions, static. */
    const pp_cel_function *functions;
    size_t n_functions;
    /**
     * evaluate - optional, parallel-safe. Judge one resource with checks
     * written in C; emit findings through the host.
     * @resource_json  the resource record as JSON (docs/records.md).
     */
    int (*evaluate)(void *inst, const char *resource_json);
} pp_policy_api;

/** pp_threat_feed_api - fetch or import intelligence. Added in 1.0. */
typedef struct pp_threat_feed_api {
    uint32_t size;
    /** update - required. Fetch the feed (through host->http) and emit indicators or advisories. */
    int (*update)(void *inst);
    /** import - optional. Read a local copy of the feed for air-gapped sites. */
    int (*import)(void *inst, const char *path);
} pp_threat_feed_api;

/**
 * pp_scanner_api - look inside images, disks and filesystems. Added in 1.0.
 * Shaped like a provider: plan splits targets into tasks, scan runs one.
 */
typedef struct pp_scanner_api {
    uint32_t size;
    /** plan - optional; without it every target is one task {"id":T,"target":T}. */
    const char *(*plan)(void *inst, const char *targets_json);
    /** scan - required, parallel-safe. Emits packages, resources, findings. */
    int (*scan)(void *inst, const char *task_json);
} pp_scanner_api;

/**
 * pp_output_api - deliver findings. Added in 1.0.
 *
 * The user asks for outputs as FORMAT[:PATH]; the host opens one sink per
 * request on the plugin that lists FORMAT. All calls for one sink come
 * from one thread, in order: open, write_* ..., close.
 */
typedef struct pp_output_api {
    uint32_t size;
    /** formats - required. Comma-separated format names, e.g. "jsonl,ndjson". */
    const char *formats;
    /**
     * open - required. @path is what followed the colon, or NULL (stdout
     * or the plugin's default). @scan_json describes the scan
     * (id, started_at, providers). On PP_OK *sink is the plugin's handle.
     */
    int (*open)(void *inst, const char *format, const char *path, const char *scan_json, void **sink);
    /** write_finding - required. One finding as JSON (docs/records.md). */
    int (*write_finding)(void *inst, void *sink, const char *finding_json);
    /** write_resource - optional. One resource as JSON, for inventory exports. */
    int (*write_resource)(void *inst, void *sink, const char *resource_json);
    /** close - required. Flush and release the sink. @summary_json has the scan's counts. */
    int (*close)(void *inst, void *sink, const char *summary_json);
    /**
     * write_package - optional, added in 1.3. One package found inside a
     * scanned image, disk or host, as JSON (the members of pp_package;
     * absent ones omitted), for software bills of materials. Called between
     * open and close like write_finding, in the order the packages arrived.
     */
    int (*write_package)(void *inst, void *sink, const char *package_json);
} pp_output_api;

/** pp_remediation_api - plan and apply a fix for a finding. Added in 1.0. */
typedef struct pp_remediation_api {
    uint32_t size;
    /** plan - required. JSON plan for the finding, or NULL when it cannot fix it. */
    const char *(*plan)(void *inst, const char *finding_json);
    /** apply - required. Carry out a plan; with @dry_run nonzero only say what would change. */
    int (*apply)(void *inst, const char *plan_json, int dry_run);
} pp_remediation_api;

/**
 * pp_plugin - the descriptor a plugin's entry function returns. Added in 1.0.
 * It must stay valid while the plugin is loaded (make it static const).
 */
typedef struct pp_plugin {
    uint32_t size;          /**< sizeof(pp_plugin) */
    uint32_t abi_major;     /**< PP_ABI_MAJOR the plugin was built with */
    uint32_t abi_minor;     /**< PP_ABI_MINOR the plugin was built with (the minimum it needs) */
    const char *name;       /**< [a-z0-9][a-z0-9_-]*, unique among loaded plugins */
    const char *version;    /**< semantic version of the plugin */
    const char *description;
    const char *license;    /**< SPDX identifier */
    uint32_t kinds;         /**< bitwise OR of pp_kind */
    uint32_t threads;       /**< a pp_threads value */
    /** JSON Schema (subset: docs/config-schema.md) of the config object, or NULL for "no keys". */
    const char *config_schema;

    /**
     * init - required. Create an instance.
     * @h            the same host handle the entry point received.
     * @config_json  the plugin's configuration object, validated; borrowed.
     * @inst         on PP_OK, the plugin's instance handle (may be NULL).
     * On failure return an error and set *@err (or leave it NULL) to a
     * message that stays valid after init returns (static storage); destroy
     * is NOT called after a failed init.
     */
    int (*init)(pp_host *h, const char *config_json, void **inst, const char **err);
    /** destroy - required. Release the instance. */
    void (*destroy)(void *inst);
    /** last_error - optional. Why the last failing call failed; valid until the next call. */
    const char *(*last_error)(void *inst);

    const pp_provider_api *provider;         /**< non-NULL iff kinds has PROVIDER */
    const pp_policy_api *policy;             /**< non-NULL iff kinds has POLICY */
    const pp_threat_feed_api *threat_feed;   /**< non-NULL iff kinds has THREAT_FEED */
    const pp_scanner_api *scanner;           /**< non-NULL iff kinds has SCANNER */
    const pp_output_api *output;             /**< non-NULL iff kinds has OUTPUT */
    const pp_remediation_api *remediation;   /**< non-NULL iff kinds has REMEDIATION */
} pp_plugin;

/**
 * The entry point's type. Returns PP_OK and sets *out, or an error when the
 * plugin cannot run with this host (it may log why through api->log).
 * @api and @h stay valid for the life of the process: keep them (the other
 * callbacks do not receive @api). Called once, from the loading thread.
 */
typedef int (*pp_entry_v1_fn)(const pp_host_api *api, pp_host *h, const pp_plugin **out);

/** The entry point every ABI-1 plugin defines (declared here so plugins
 * built with -Wmissing-prototypes need no declaration of their own). */
PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out);

#ifdef __cplusplus
}
#endif
#endif /* PARAPET_PLUGIN_H */
