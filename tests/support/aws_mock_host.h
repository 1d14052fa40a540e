/*
 * aws_mock_host.h - a pp_host_api for unit tests of the aws plugin's
 * internals: http goes through the core's real HTTP client (so requests
 * reach a local test server), log lines are kept for inspection, emitted
 * resources and findings are counted and the last ones kept.
 */
#ifndef PP_AWS_MOCK_HOST_H
#define PP_AWS_MOCK_HOST_H

#include <parapet/host.h>

/** mock_host_api - the table; mock_host_handle - the handle to pass with it. */
const pp_host_api *mock_host_api(void);
pp_host *mock_host_handle(void);
/** mock_host_log - everything logged so far, one message per line. */
const char *mock_host_log(void);
/** counters of emitted records */
unsigned mock_host_resources(void);
unsigned mock_host_findings(void);
/** mock_host_last_finding_message - message of the last finding ("" if none). */
const char *mock_host_last_finding_message(void);
/** mock_host_reset - clear log and counters. */
void mock_host_reset(void);
/** mock_host_shutdown - release the HTTP client. */
void mock_host_shutdown(void);

#endif
