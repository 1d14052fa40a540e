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

/**
 * collector_outcome - shared bookkeeping for a call's result: on
 * AWS_E_DENIED emit the finding (once per permission and task), on
 * AWS_E_FAIL count and record the error. Returns nonzero when the task
 * must stop (cancelled).
 */
int collector_outcome(aws_ctx *c, aws_task *t, int rc, const char *permission, const char *what,
                      const char *uid, const char *code, const char *err);

#endif
