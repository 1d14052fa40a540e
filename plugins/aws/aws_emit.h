/*
 * aws_emit.h - what a collector hands to the host: resources in the
 * documented shapes (docs/resources/aws.md) and error findings for calls
 * that were denied, plus the small XML-to-JSON helpers the collectors use.
 */
#ifndef PP_AWS_EMIT_H
#define PP_AWS_EMIT_H

#include <cjson/cJSON.h>

#include "aws_ctx.h"
#include "aws_xml.h"

/** One collection task: what plan produced, as collect sees it. */
typedef struct aws_task {
    const char *id;
    const char *account;
    const char *region;   /**< region to call; for global services the signing region */
    const char *service;  /**< "ec2", "s3", "iam" */
    int errors;           /**< calls that failed (not denied) */
    int denied;           /**< calls that were denied */
} aws_task;

/**
 * aws_emit_resource - emit one resource. @data is consumed (deleted);
 * @tags may be NULL (consumed too). @region NULL for global resources.
 * Returns PP_OK or the host's error (PP_ERR_CANCELLED when stopping).
 */
int aws_emit_resource(aws_ctx *c, const aws_task *t, const char *type, const char *uid, const char *name,
                      const char *region, cJSON *data, cJSON *tags);

/**
 * aws_emit_denied - emit an `error` finding saying that @permission was
 * denied, so the coverage gap shows (rule "aws-collection-access-denied").
 * @uid is the resource (or the account scope) the call was about.
 */
void aws_emit_denied(aws_ctx *c, aws_task *t, const char *permission, const char *what, const char *uid,
                     const char *code);

/* XML -> JSON helpers: each adds @key to @obj from the text of xml_path(@n, @path), when present. */
void j_str(cJSON *obj, const char *key, const xml_node *n, const char *path);
/** like j_str, but a missing element becomes null */
void j_str_or_null(cJSON *obj, const char *key, const xml_node *n, const char *path);
void j_bool(cJSON *obj, const char *key, const xml_node *n, const char *path);
void j_int(cJSON *obj, const char *key, const xml_node *n, const char *path);
/** a URL-encoded JSON policy document (IAM) or plain JSON text -> object; NULL when unparsable */
cJSON *j_policy(const char *text, int url_encoded);

#endif
