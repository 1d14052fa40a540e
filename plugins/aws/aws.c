/*
 * aws.c - the aws provider plugin: descriptor, configuration, plan and the
 * dispatch of each task to its service's collector. See docs/aws.md.
 *
 * plan: the account (sts:GetCallerIdentity) x the regions (configured or
 * discovered) x the regional services, plus the global ones (IAM, and S3
 * whose bucket list is global) once per account.
 */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "accounts.h"
#include "aws_buf.h"
#include "aws_client.h"
#include "aws_ctx.h"
#include "collectors.h"
#include "policy_fn.h"
#include "regions.h"

static const pp_host_api *g_api;

static _Thread_local char t_error[AWS_ERR_LEN];

void aws_set_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t_error, sizeof t_error, fmt, ap);
    va_end(ap);
}

const char *aws_thread_error(void)
{
    return t_error;
}


int aws_cancelled(const aws_ctx *c)
{
    return c->api->cancelled(c->h);
}

int aws_sleep_ms(const aws_ctx *c, unsigned ms)
{
    while (ms) {
        if (aws_cancelled(c))
            return -1;
        unsigned step = ms > 50 ? 50 : ms;
        struct timespec ts = {0, (long)step * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
    return aws_cancelled(c) ? -1 : 0;
}

/* Services this plugin collects; "global" ones run once per account. */
static const struct {
    const char *name;
    int global;
    int (*collect)(aws_ctx *, aws_task *);
} services[] = {
    {"iam", 1, collect_iam},
    {"s3", 1, collect_s3},
    {"ec2", 0, collect_ec2},
    {"cloudtrail", 0, collect_cloudtrail},
    {"kms", 0, collect_kms},
    {"rds", 0, collect_rds},
    {"lambda", 0, collect_lambda},
    {"eks", 0, collect_eks},
    {"config", 0, collect_config},
    {"guardduty", 0, collect_guardduty},
    {"monitoring", 1, collect_monitoring},
    {"security", 0, collect_security},
    {"sns", 0, collect_sns},
    {"sqs", 0, collect_sqs},
    {"secretsmanager", 0, collect_secretsmanager},
    {"elbv2", 0, collect_elbv2},
    {"acm", 0, collect_acm},
    {"iam_groups", 1, collect_iam_groups},
    {"ebs_images", 0, collect_ebs_images},
};
#define N_SERVICES (sizeof services / sizeof services[0])

int collector_outcome(aws_ctx *c, aws_task *t, int rc, const char *permission, const char *what,
                      const char *uid, const char *code, const char *err)
{
    switch (rc) {
    case AWS_OK:
    case AWS_E_NOTFOUND:
        return 0;
    case AWS_E_DENIED:
        aws_emit_denied(c, t, permission, what, uid, code);
        return 0;
    case AWS_E_CANCELLED:
        return 1;
    default:
        t->errors++;
        aws_set_error("%s: %s", t->id, err && *err ? err : "failed");
        aws_log(c, PP_LOG_ERROR, "%s: %s", t->id, err && *err ? err : "failed");
        return aws_cancelled(c);
    }
}

static const char schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
    "\"endpoint_url\":{\"type\":\"string\",\"pattern\":\"^https?://[^?#@[:space:]]+$\","
    "\"description\":\"send every call to this endpoint (http allowed; S3 then path-style)\"},"
    "\"regions\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9-]{1,31}$\"},"
    "\"description\":\"regions to scan; default: every region enabled for the account\"},"
    "\"services\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":[\"iam\",\"s3\",\"ec2\","
    "\"cloudtrail\",\"kms\",\"rds\",\"lambda\",\"eks\",\"config\",\"guardduty\",\"monitoring\",\"security\","
    "\"sns\",\"sqs\",\"secretsmanager\",\"elbv2\",\"acm\",\"iam_groups\",\"ebs_images\"]},"
    "\"description\":\"services to collect; default: all\"},"
    "\"profile\":{\"type\":\"string\",\"maxLength\":200,"
    "\"description\":\"profile of the shared config files (default: AWS_PROFILE or default)\"},"
    "\"role\":{\"type\":\"string\",\"maxLength\":1000,\"pattern\":\"^arn:aws[a-z-]*:iam::[^:]*:role/.+$\","
    "\"description\":\"role to assume in every account of aws.accounts; {account} is replaced by the account id\"},"
    "\"accounts\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"pattern\":\"^([0-9]{12}|org)$\"},"
    "\"description\":\"accounts to scan through aws.role (concurrently; one failing account does not stop "
    "the others); org: every active account of the organization (organizations:ListAccounts)\"},"
    "\"external_id\":{\"type\":\"string\",\"maxLength\":1224,"
    "\"description\":\"ExternalId to send with every sts:AssumeRole of aws.role\"}}}";

static char **string_array(const cJSON *a, size_t *n)
{
    *n = 0;
    int count = cJSON_GetArraySize(a);
    if (!cJSON_IsArray(a) || count <= 0)
        return NULL;
    char **v = calloc((size_t)count, sizeof *v);
    const cJSON *it;
    cJSON_ArrayForEach(it, a)
    {
        if (cJSON_IsString(it) && v)
            v[(*n)++] = strdup(it->valuestring);
    }
    return v;
}

static void ctx_free(aws_ctx *c)
{
    if (!c)
        return;
    free(c->endpoint_url);
    aws_regions_free(c->regions, c->n_regions);
    aws_regions_free(c->services, c->n_services);
    free(c->profile);
    free(c->plan_json);
    aws_accounts_free(c);
    aws_chain_destroy(&c->chain);
    pthread_mutex_destroy(&c->throttle_mu);
    free(c);
}

/* In the test suite (PARAPET_TEST=1) the plugin refuses to talk to AWS
 * itself: every call must go to an endpoint override. */
static int test_guard(const aws_ctx *c)
{
    const char *t = getenv("PARAPET_TEST");
    if (!t || strcmp(t, "1") != 0)
        return 0;
    if ((c->endpoint_url && *c->endpoint_url) || (getenv("AWS_ENDPOINT_URL") && *getenv("AWS_ENDPOINT_URL")))
        return 0;
    return -1;
}

static int aws_init(pp_host *h, const char *config_json, void **inst, const char **err)
{
    aws_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        *err = "out of memory";
        return PP_ERR_NOMEM;
    }
    c->api = g_api;
    c->h = h;
    aws_chain_init(&c->chain);
    pthread_mutex_init(&c->throttle_mu, NULL);
    cJSON *cfg = config_json ? cJSON_Parse(config_json) : NULL;
    const char *ep = cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "endpoint_url"));
    c->endpoint_url = ep && *ep ? strdup(ep) : NULL;
    c->regions = string_array(cJSON_GetObjectItem(cfg, "regions"), &c->n_regions);
    c->services = string_array(cJSON_GetObjectItem(cfg, "services"), &c->n_services);
    const char *prof = cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "profile"));
    c->profile = prof && *prof ? strdup(prof) : NULL;
    static char acct_err[AWS_ERR_LEN];
    if (aws_accounts_configure(c, cfg, acct_err, sizeof acct_err) != 0) {
        cJSON_Delete(cfg);
        *err = acct_err;
        ctx_free(c);
        return PP_ERR_INVALID;
    }
    cJSON_Delete(cfg);
    *inst = c;
    return PP_OK;
}

static void aws_destroy(void *inst)
{
    ctx_free(inst);
}

static const char *aws_last_error(void *inst)
{
    (void)inst;
    return t_error;
}

static int service_enabled(const aws_ctx *c, const char *name)
{
    if (!c->n_services)
        return 1;
    for (size_t i = 0; i < c->n_services; i++)
        if (c->services[i] && strcmp(c->services[i], name) == 0)
            return 1;
    return 0;
}

/* The account id of the credentials (sts:GetCallerIdentity). */
static int caller_account(aws_ctx *c, char *out, size_t len, char *err, size_t errlen)
{
    xml_node *root = NULL;
    int rc = aws_query_call(c, "sts", aws_home_region(c), "GetCallerIdentity", "2011-06-15", NULL,
                            "sts:GetCallerIdentity", &root, err, errlen);
    if (rc != AWS_OK) {
        if (rc == AWS_E_DENIED || rc == AWS_E_NOTFOUND) {
            char code[100];
            size_t n = strnlen(err, sizeof code - 1); /* keep the start of the reason */
            memcpy(code, err, n);
            code[n] = '\0';
            snprintf(err, errlen, "sts:GetCallerIdentity failed (%s)", code);
        }
        return -1;
    }
    const char *acct = xml_text_at(xml_find(root, "GetCallerIdentityResult"), "Account");
    int ok = acct && strlen(acct) == 12 && strspn(acct, "0123456789") == 12;
    if (ok)
        snprintf(out, len, "%s", acct);
    else
        snprintf(err, errlen, "sts:GetCallerIdentity returned no 12-digit account id");
    xml_free(root);
    return ok ? 0 : -1;
}

static const char *aws_plan(void *inst, const char *targets_json)
{
    aws_ctx *c = inst;
    (void)targets_json;
    char err[AWS_ERR_LEN] = "", caller[16];
    /* checked here, not in init: the rule engine also initialises this
     * plugin (for its CEL functions) where no endpoint is configured */
    if (test_guard(c) != 0) {
        aws_set_error("PARAPET_TEST=1 but no endpoint override (-o aws.endpoint_url=...): the test suite must "
                      "never reach AWS");
        return NULL;
    }
    if (caller_account(c, caller, sizeof caller, err, sizeof err) != 0 ||
        aws_accounts_discover(c, err, sizeof err) != 0) {
        aws_set_error("%s", err);
        return NULL;
    }
    char **regions = NULL;
    size_t nr = 0;
    int need_regions = 0;
    for (size_t s = 0; s < N_SERVICES; s++)
        need_regions |= !services[s].global && service_enabled(c, services[s].name);
    if (need_regions && aws_regions(c, &regions, &nr, err, sizeof err) != 0) {
        aws_set_error("%s", err);
        return NULL;
    }
    cJSON *plan = cJSON_CreateArray();
    const char *home = aws_home_region(c);
    /* one account (the credentials'), or every account of aws.accounts through aws.role */
    size_t n_acc = c->n_accounts ? c->n_accounts : 1;
    for (size_t a = 0; a < n_acc; a++) {
    const char *account = c->n_accounts ? c->accounts[a].id : caller;
    for (size_t s = 0; s < N_SERVICES; s++) {
        if (!service_enabled(c, services[s].name))
            continue;
        size_t count = services[s].global ? 1 : nr;
        for (size_t r = 0; r < count; r++) {
            const char *region = services[s].global ? home : regions[r];
            if (!region)
                continue;
            char id[200];
            snprintf(id, sizeof id, "%s/%s/%s", account, services[s].global ? "global" : region, services[s].name);
            cJSON *t = cJSON_CreateObject();
            cJSON_AddStringToObject(t, "id", id);
            cJSON_AddStringToObject(t, "account", account);
            cJSON_AddStringToObject(t, "region", region);
            cJSON_AddStringToObject(t, "service", services[s].name);
            cJSON_AddItemToArray(plan, t);
        }
    }
    }
    aws_regions_free(regions, nr);
    free(c->plan_json);
    c->plan_json = cJSON_PrintUnformatted(plan);
    cJSON_Delete(plan);
    if (c->n_accounts)
        aws_log(c, PP_LOG_INFO, "%zu account(s) through %s (caller %s), %zu region(s)", c->n_accounts,
                c->role_template, caller, nr);
    else
        aws_log(c, PP_LOG_INFO, "account %s, %zu region(s)", caller, nr);
    return c->plan_json;
}

static int aws_collect(void *inst, const char *task_json)
{
    aws_ctx *c = inst;
    cJSON *j = cJSON_Parse(task_json);
    aws_task t = {0};
    t.id = cJSON_GetStringValue(cJSON_GetObjectItem(j, "id"));
    t.account = cJSON_GetStringValue(cJSON_GetObjectItem(j, "account"));
    t.region = cJSON_GetStringValue(cJSON_GetObjectItem(j, "region"));
    t.service = cJSON_GetStringValue(cJSON_GetObjectItem(j, "service"));
    int rc = PP_ERR_INVALID;
    aws_set_error("malformed task");
    if (t.id && t.account && t.region && t.service) {
        for (size_t s = 0; s < N_SERVICES; s++)
            if (strcmp(services[s].name, t.service) == 0) {
                aws_set_error("%s", "");
                aws_creds held;
                char err[AWS_ERR_LEN] = "";
                if (aws_account_enter(c, &t, &held, err, sizeof err) != 0) {
                    aws_set_error("%s: %s", t.id, err);
                    rc = aws_cancelled(c) ? PP_ERR_CANCELLED : PP_ERR;
                    break;
                }
                rc = services[s].collect(c, &t);
                aws_account_leave(&held);
                break;
            }
    }
    if (rc == PP_OK && t.denied)
        aws_log(c, PP_LOG_INFO, "%s: %d call(s) denied; see the error findings", t.id, t.denied);
    cJSON_Delete(j);
    return rc;
}

static const pp_provider_api provider = {sizeof(pp_provider_api), aws_plan, aws_collect};

static const pp_plugin descriptor = {
    .size = sizeof(pp_plugin),
    .abi_major = PP_ABI_MAJOR,
    .abi_minor = 1,
    .name = "aws",
    .version = "0.1.0",
    .description = "Amazon Web Services inventory: IAM (users, groups, roles, identity providers), S3, EC2 (with "
                   "EBS snapshots and AMIs), CloudTrail, KMS, RDS, Lambda, EKS, Config, GuardDuty, CloudWatch, "
                   "Security Hub, Access Analyzer, EFS, SNS, SQS, Secrets Manager, ELBv2, ACM (SigV4, the SDK "
                   "credential chain); aws.policy.* CEL functions for IAM policy analysis",
    .license = "Apache-2.0",
    .kinds = PP_KIND_PROVIDER | PP_KIND_POLICY, /* policy: the aws.policy.* CEL functions (policy_fn.c) */
    .threads = PP_THREADS_PARALLEL,
    .config_schema = schema,
    .init = aws_init,
    .destroy = aws_destroy,
    .last_error = aws_last_error,
    .provider = &provider,
    .policy = &aws_policy_api,
};

PP_PLUGIN_EXPORT int parapet_plugin_entry_v1(const pp_host_api *api, pp_host *h, const pp_plugin **out)
{
    (void)h;
    if (api->abi_major != PP_ABI_MAJOR || api->size < offsetof(pp_host_api, kv_get))
        return PP_ERR;
    g_api = api;
    *out = &descriptor;
    return PP_OK;
}
