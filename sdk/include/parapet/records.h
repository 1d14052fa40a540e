/*
 * parapet/records.h - the records a plugin hands to the host.
 *
 * Added in ABI 1.0.
 *
 * Every record starts with `uint32_t size`, which the plugin sets to
 * sizeof() of the struct as its headers declare it (use the PP_INIT
 * macro). The host reads only the fields that fit inside `size`, so a
 * plugin built against an older minor of this header keeps working when
 * fields are appended. Fields are never removed or reordered within a major.
 *
 * Ownership: every pointer in a record is borrowed for the duration of
 * the emit call. The host copies what it keeps; the plugin may free or
 * reuse its buffers as soon as emit returns.
 *
 * Strings are UTF-8 and NUL-terminated. A NULL string means "not known".
 * Fields named *_json hold one JSON document as text (an object unless
 * stated otherwise); the host rejects a record whose JSON does not parse.
 */
#ifndef PARAPET_RECORDS_H
#define PARAPET_RECORDS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Zero a sized struct and set its size field: PP_INIT(&res). */
#define PP_INIT(p) (memset((p), 0, sizeof(*(p))), (p)->size = (uint32_t)sizeof(*(p)))

/** Severity of a finding, ordered from least to most severe. Added in 1.0. */
typedef enum pp_severity {
    PP_SEV_INFO = 0,
    PP_SEV_LOW = 1,
    PP_SEV_MEDIUM = 2,
    PP_SEV_HIGH = 3,
    PP_SEV_CRITICAL = 4
} pp_severity;

/** Outcome of one rule against one resource. Added in 1.0. */
typedef enum pp_status {
    PP_STATUS_PASS = 0,  /**< the resource satisfies the rule */
    PP_STATUS_FAIL = 1,  /**< the resource violates the rule */
    PP_STATUS_ERROR = 2, /**< the rule could not be evaluated; message says why */
    PP_STATUS_MUTED = 3  /**< a failure covered by a suppression */
} pp_status;

/**
 * pp_resource - one inventoried thing (bucket, security group, pod, file).
 * Added in 1.0 (source_column added in 1.1, source_positions in 1.3).
 *
 * Required: uid, type, provider. The type's `data` shape is documented in
 * docs/resources/ and is the same whatever collected it.
 */
typedef struct pp_resource {
    uint32_t size;
    const char *uid;       /**< globally unique id: ARN, Azure id, GCP full name, path */
    const char *type;      /**< dotted type, e.g. "aws.s3.bucket" */
    const char *provider;  /**< "aws", "azure", "gcp", "k8s", "iac", ... */
    const char *account;   /**< account, subscription, project or cluster */
    const char *region;    /**< region or location; NULL when global */
    const char *name;      /**< human-readable name */
    const char *tags_json; /**< object of string tags, or NULL */
    const char *data_json; /**< the type-specific shape; NULL means {} */
    const char *source;    /**< "api", or the file the resource came from */
    uint32_t source_line;  /**< 1-based line in `source`, 0 if none */
    int64_t observed_at;   /**< Unix seconds; 0 means "now" */
    /* ABI 1.1 */
    uint32_t source_column; /**< 1-based column in `source`, 0 if none */
    /* ABI 1.3 */
    /**
     * JSON object mapping data paths to positions in `source`, or NULL:
     * {"spec.containers[0].securityContext.privileged": [12, 9], ...}
     * (path into `data` with [N] for array elements; [line, column], both
     * 1-based). Findings then point at the key that decided them.
     */
    const char *source_positions;
} pp_resource;

/**
 * pp_finding - the judgement of one rule on one resource. Added in 1.0.
 *
 * Required: rule_id, resource_uid, status, severity.
 */
typedef struct pp_finding {
    uint32_t size;
    const char *rule_id;          /**< e.g. "aws-s3-public-read" */
    const char *resource_uid;     /**< uid of the judged resource */
    const char *resource_type;    /**< type of the judged resource */
    pp_status status;
    pp_severity severity;
    const char *title;            /**< the rule's one-line title */
    const char *message;          /**< this resource's explanation */
    const char *evidence_json;    /**< object: paths and values that decided it */
    const char *remediation;      /**< text for a human */
    const char *compliance_json;  /**< array of {"framework","requirement"} */
    const char *provider;
    const char *account;
    const char *region;
} pp_finding;

/** pp_event - one audit-log entry (CloudTrail, Activity Log, k8s audit). Added in 1.0. */
typedef struct pp_event {
    uint32_t size;
    const char *uid;        /**< provider event id */
    const char *type;       /**< e.g. "aws.cloudtrail" */
    const char *provider;
    const char *account;
    const char *region;
    int64_t time;           /**< Unix seconds */
    const char *actor;      /**< principal that acted */
    const char *action;     /**< API call or verb */
    const char *source_ip;
    const char *data_json;  /**< the raw event */
} pp_event;

/**
 * pp_indicator - a threat indicator: IP, CIDR, domain, hash or CVE. Added in 1.0.
 * Required: kind, value, feed.
 */
typedef struct pp_indicator {
    uint32_t size;
    const char *kind;            /**< "ip", "cidr", "domain", "sha256", "cve" */
    const char *value;
    const char *feed;            /**< name of the feed that carries it */
    const char *attributes_json; /**< feed-specific attributes */
    int64_t expires_at;          /**< Unix seconds; 0 = no expiry */
} pp_indicator;

/** pp_advisory - a vulnerability advisory, as an OSV document. Added in 1.0. */
typedef struct pp_advisory {
    uint32_t size;
    const char *id;            /**< "GHSA-...", "CVE-...", "DSA-..." */
    const char *source;        /**< feed name */
    int64_t modified;          /**< Unix seconds */
    const char *document_json; /**< the whole OSV record */
} pp_advisory;

/** pp_package - a package found in an image or filesystem. Added in 1.0. */
typedef struct pp_package {
    uint32_t size;
    const char *resource_uid;   /**< the image or host that contains it */
    const char *ecosystem;      /**< OSV ecosystem name: "Debian:12", "npm", ... */
    const char *name;
    const char *version;
    const char *purl;
    const char *source_name;    /**< source package (dpkg), or NULL */
    const char *source_version;
    const char *layer;          /**< digest of the layer that brought it */
    const char *location;       /**< path of the database or manifest */
} pp_package;

#ifdef __cplusplus
}
#endif
#endif /* PARAPET_RECORDS_H */
