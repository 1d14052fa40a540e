/*
 * collectors.h - one collector per AWS service. Each runs one task
 * (account x region x service, or account x service for global ones),
 * emits resources in the shapes of docs/resources/aws.md, turns denied
 * calls into error findings and carries on with the next resource type.
 * Returns PP_OK, PP_ERR_CANCELLED, or PP_ERR when some call failed (the
 * thread's last error says which; what was collected is kept).
 */
#ifndef PP_AWS_COLLECTORS_H
#define PP_AWS_COLLECTORS_H

#include "aws_emit.h"

int collect_ec2(aws_ctx *c, aws_task *t);
int collect_s3(aws_ctx *c, aws_task *t);
int collect_iam(aws_ctx *c, aws_task *t);
/** the root user (credential report, account summary); called by collect_iam */
int collect_iam_root(aws_ctx *c, aws_task *t);
/** server certificates and AWSSupportAccess holders; called by collect_iam */
int collect_iam_extra(aws_ctx *c, aws_task *t);
int collect_cloudtrail(aws_ctx *c, aws_task *t);
int collect_kms(aws_ctx *c, aws_task *t);
int collect_rds(aws_ctx *c, aws_task *t);
int collect_lambda(aws_ctx *c, aws_task *t);
int collect_eks(aws_ctx *c, aws_task *t);
int collect_config(aws_ctx *c, aws_task *t);
int collect_guardduty(aws_ctx *c, aws_task *t);
int collect_monitoring(aws_ctx *c, aws_task *t);
int collect_security(aws_ctx *c, aws_task *t);
/* collect_sns.c, collect_sqs.c, collect_secrets.c, collect_elbv2.c, collect_acm.c (regional) */
int collect_sns(aws_ctx *c, aws_task *t);
int collect_sqs(aws_ctx *c, aws_task *t);
int collect_secretsmanager(aws_ctx *c, aws_task *t);
int collect_elbv2(aws_ctx *c, aws_task *t);
int collect_acm(aws_ctx *c, aws_task *t);
/** IAM groups, SAML and OIDC providers (global, its own task "iam_groups") */
int collect_iam_groups(aws_ctx *c, aws_task *t);
/** EBS snapshots and AMIs owned by the account, with their sharing (regional) */
int collect_ebs_images(aws_ctx *c, aws_task *t);

/**
 * collector_outcome - shared bookkeeping for a call's result: on
 * AWS_E_DENIED emit the finding (once per permission and task), on
 * AWS_E_FAIL count and record the error. Returns nonzero when the task
 * must stop (cancelled).
 */
int collector_outcome(aws_ctx *c, aws_task *t, int rc, const char *permission, const char *what,
                      const char *uid, const char *code, const char *err);

/**
 * collector_json - one JSON 1.1 call (POST, X-Amz-Target
 * @target_prefix.@operation) in the task's region; *@out is the reply
 * object on AWS_OK (cJSON_Delete it). Denials become error findings and
 * failures (including a malformed or truncated body, named by
 * @permission) are counted, as collector_outcome does. Returns an
 * aws_client.h code; AWS_E_CANCELLED means stop.
 */
int collector_json(aws_ctx *c, aws_task *t, const char *service, const char *target_prefix, const char *operation,
                   const char *body, const char *permission, const char *what, const char *uid, cJSON **out);
/** collector_rest_json - the same for a REST-JSON GET of @path?@query. */
int collector_rest_json(aws_ctx *c, aws_task *t, const char *service, const char *path, const char *query,
                        const char *permission, const char *what, const char *uid, cJSON **out);
/**
 * aws_credential_report_root - fill @d with the root user's members
 * (docs/resources/aws.md, aws.iam.root_user) from the IAM credential
 * report @csv (decoded text; modified in place). Unquoted CSV with a
 * header row; at most 32 columns are read per row, dates that are not
 * dates (N/A, no_information, not_supported) become null, booleans other
 * than true/false are left out. Returns 0, or -1 with a reason in @err
 * when there is no `user` column or no `<root_account>` row.
 */
int aws_credential_report_root(char *csv, cJSON *d, char *err, size_t errlen);

/**
 * aws_log_group_of - split a CloudWatch Logs log group ARN
 * ("arn:aws:logs:REGION:ACCOUNT:log-group:NAME" with an optional ":*")
 * into @region and @name. Returns 0, or -1 when it is not such an ARN,
 * the region has characters other than [a-z0-9-], or a part does not fit.
 */
int aws_log_group_of(const char *arn, char *region, size_t rlen, char *name, size_t nlen);

/** collector_stop - nonzero when @rc says the task must stop (cancelled). */
int collector_stop(int rc);

#endif
