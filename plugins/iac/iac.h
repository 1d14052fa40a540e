/*
 * plugins/iac/iac.h - what the parts of the `iac` provider share: one
 * file being scanned, and how a resource found in it is emitted.
 *
 * Unknown values (docs/iac.md): a value the adapters cannot work out
 * statically (a parameter without a default, a condition on one,
 * Fn::ImportValue, ...) is held as IAC_UNKNOWN while a resource's data is
 * built. iac_emit then drops every top-level data member that contains
 * one and lists the dropped names in data.iacUnknown, so a rule guarded
 * by has() neither fires nor passes on a guess.
 */
#ifndef PP_IAC_IAC_H
#define PP_IAC_IAC_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include <parapet/plugin.h>

#include "yaml_doc.h"

/* One inline suppression: "# parapet:ignore RULE_ID reason" on a line. */
typedef struct iac_suppression {
    uint32_t line;
    int own_line; /* nothing but blanks before the '#' */
    char rule[128];
    char reason[256];
} iac_suppression;

/* One file being scanned. */
typedef struct iac_file {
    const char *path; /* as shown in records and messages */
    const char *text; /* the file's bytes */
    size_t len;
    const pp_host_api *api;
    pp_host *host;
    iac_suppression *supp; /* inline suppressions found in the text */
    size_t n_supp;
    size_t emitted; /* resources emitted so far */
    int cancelled;  /* the host said stop */
    char err[1024]; /* why the file failed */
    /* CloudFormation parameter values the user gave (-o iac.parameters,
     * -o iac.parameters_file): an object of strings, or NULL. Borrowed. */
    const cJSON *cfn_parameters;
} iac_file;

/* Where a resource is in its file. */
typedef struct iac_span {
    uint32_t line, col; /* the key or node that names the resource */
    uint32_t end_line;  /* last line of its definition */
    /* The node the resource's data was read from (a manifest, a template's
     * Properties, a plan's values), or NULL: iac_emit then records where each
     * data key is written (pp_resource.source_positions). */
    const yd_node *src;
} iac_span;

/* iac_unknown - a new IAC_UNKNOWN marker item (NULL when out of memory). */
cJSON *iac_unknown(void);

/* iac_is_unknown - nonzero when @v is an IAC_UNKNOWN marker. */
int iac_is_unknown(const cJSON *v);

/* iac_has_unknown - nonzero when @v or anything inside it is unknown. */
int iac_has_unknown(const cJSON *v);

/*
 * iac_emit - emit one resource found in @f. @data (taken: iac_emit
 * deletes it) is stripped of unknown members as described above; @tags
 * (taken, may be NULL) gets a "parapet:ignore:RULE_ID": "reason" entry for
 * every inline suppression on a line of @span, or alone on the line just
 * above it.
 * @uid_locator is appended to the path to make the uid "PATH#LOCATOR".
 * Returns PP_OK or the host's error (PP_ERR_CANCELLED sets f->cancelled).
 */
int iac_emit(iac_file *f, const char *type, const char *uid_locator, const char *name, cJSON *data, cJSON *tags,
             const iac_span *span);

/*
 * iac_positions - the positions of @data's keys in @src as a JSON object
 * {"a.b[0].c": [line, column], ...} (malloc'd text; NULL when there is
 * nothing to say or memory ran out). A data key is found in @src by its name
 * compared without case, '_' and '-' (so "blockPublicAcls" finds
 * "BlockPublicAcls" and "block_public_acls"), first among the node's own
 * keys, then, for distinctive names (5 characters or more), anywhere below
 * it; keys renamed by an adapter are left out. At most IAC_MAX_POSITIONS
 * entries; bounded work per key.
 */
#define IAC_MAX_POSITIONS 4096
char *iac_positions(const cJSON *data, const yd_node *src);

/*
 * iac_read_file - read the whole regular file @path (not through a symlink)
 * of at most @max bytes into *@out (malloc'd, NUL-terminated; *@len bytes).
 * Returns 0, or -1 with "PATH: reason" in @err and nothing allocated.
 */
int iac_read_file(const char *path, size_t max, char **out, size_t *len, char *err, size_t errlen);

/*
 * iac_parameters_parse - CloudFormation parameter values from @list
 * ("Name=Value,Name2=Value2"; NULL is fine) and the JSON file @path (NULL
 * is fine): the CLI's [{"ParameterKey","ParameterValue"}], a template
 * configuration {"Parameters": {...}} or a plain {"Name": "Value"}; @list
 * wins over the file. Returns an object of strings (caller deletes), or NULL
 * with a message naming the file or the entry in @err. Files over 1 MiB,
 * symlinks and non-string values are refused.
 */
cJSON *iac_parameters_parse(const char *list, const char *path, char *err, size_t errlen);

/* iac_find_suppressions - fill f->supp from the comments in f->text. 0, or -1 when out of memory. */
int iac_find_suppressions(iac_file *f);

/*
 * cfn_is_template / cfn_scan - a CloudFormation (or SAM) template in
 * JSON or YAML: recognised by a "Resources" mapping whose entries have a
 * "Type", or by "AWSTemplateFormatVersion". cfn_scan emits the AWS
 * resources the adapters know (docs/iac.md) and returns PP_OK, or an error
 * with f->err set.
 */
int cfn_is_template(const yd_node *root);
int cfn_scan(iac_file *f, const yd_node *root);

/*
 * k8s_is_manifest / k8s_scan - a Kubernetes object (apiVersion + kind),
 * or a List of them. Emits k8s.* resources; workloads are kept with their
 * pod template (docs/iac.md). Returns PP_OK or an error with f->err set.
 */
int k8s_is_manifest(const yd_node *root);
int k8s_scan(iac_file *f, const yd_node *root, size_t doc_index);

/*
 * tf_is_plan_or_state / tf_scan - a Terraform plan as `terraform show -json`
 * prints it, or a state file of version 4. Emits the aws.* resources of
 * the AWS provider's types docs/iac.md lists. PP_OK, or an error with
 * f->err set.
 */
int tf_is_plan_or_state(const yd_node *root);
int tf_scan(iac_file *f, const yd_node *root);

#endif
