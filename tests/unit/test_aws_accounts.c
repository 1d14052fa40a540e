/*
 * test_aws_accounts.c - many-account internals of the aws plugin against a
 * scripted HTTP server on 127.0.0.1 (tests/support/test_httpd.c), with the
 * core's HTTP client behind a mock host:
 *  - organizations:ListAccounts: NextToken pages, State/Status, skipped
 *    accounts, and hostile answers (no Accounts list, bad ids, only inactive
 *    accounts, denied, not in an organization, truncated JSON, a repeated
 *    token), each a clear error naming the call;
 *  - ExpiredToken on the chain's credentials: one refresh and one retry, a
 *    second expiry fails the call; aws_chain_expired only marks the
 *    credentials that failed;
 *  - ExpiredToken on an account role: the role is assumed again and the
 *    call retried with the new key; a role that cannot be assumed again
 *    fails the call with both reasons;
 *  - aws_parallel_for: every item once, counts summed, the account role
 *    carried to the worker threads.
 * Answer shapes: the Organizations and STS API references.
 */
#define _DEFAULT_SOURCE
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../../plugins/aws/accounts.h"
#include "../../plugins/aws/aws_client.h"
#include "../../plugins/aws/aws_ctx.h"
#include "../support/aws_mock_host.h"
#include "../support/test_check.h"
#include "../support/test_httpd.h"

static httpd *srv;
static char srv_url[64];
static aws_ctx ctx;

#define JSON_HDR "Content-Type: application/x-amz-json-1.1\r\n"

static const char sts_role1[] =
    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult><Credentials>"
    "<AccessKeyId>ASIAROLEFIRST0000001</AccessKeyId><SecretAccessKey>roleSECRETfirst000000000000</SecretAccessKey>"
    "<SessionToken>roleTOKEN1</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>"
    "</AssumeRoleResult></AssumeRoleResponse>";
static const char sts_role2[] =
    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult><Credentials>"
    "<AccessKeyId>ASIAROLESECOND000002</AccessKeyId><SecretAccessKey>roleSECRETsecond00000000000</SecretAccessKey>"
    "<SessionToken>roleTOKEN2</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>"
    "</AssumeRoleResult></AssumeRoleResponse>";
static const char expired_json[] = "{\"__type\":\"ExpiredTokenException\",\"message\":\"The security token included "
                                   "in the request is expired\"}";

static void env_creds(const char *akid)
{
    setenv("AWS_ACCESS_KEY_ID", akid, 1);
    setenv("AWS_SECRET_ACCESS_KEY", "envSECRETenvSECRETenvSECRET0000000000", 1);
    unsetenv("AWS_SESSION_TOKEN");
    aws_chain_destroy(&ctx.chain);
    aws_chain_init(&ctx.chain);
}

/* Configure -o aws.role / aws.accounts (JSON array text); 0 or -1 with @err. */
static int configure(const char *accounts_json, char *err, size_t errlen)
{
    aws_accounts_free(&ctx);
    ctx.org_accounts = 0;
    char text[600];
    snprintf(text, sizeof text, "{\"role\":\"arn:aws:iam::{account}:role/Audit\",\"accounts\":%s}", accounts_json);
    cJSON *cfg = cJSON_Parse(text);
    int rc = aws_accounts_configure(&ctx, cfg, err, errlen);
    cJSON_Delete(cfg);
    return rc;
}

static void test_org_pages(void)
{
    char err[AWS_ERR_LEN] = "";
    env_creds("AKIAHUBEXAMPLE000001");
    CHECK(configure("[\"org\"]", err, sizeof err) == 0 && ctx.org_accounts, "org not accepted: %s", err);
    CHECK(configure("[\"org\",\"111111111111\"]", err, sizeof err) == -1 && strstr(err, "cannot be mixed"),
          "org mixed with ids: %s", err);
    configure("[\"org\"]", err, sizeof err);
    httpd_reply seq[] = {
        {200, JSON_HDR,
         "{\"Accounts\":[{\"Id\":\"111111111111\",\"State\":\"ACTIVE\",\"Status\":\"ACTIVE\"},"
         "{\"Id\":\"444444444444\",\"Status\":\"SUSPENDED\"}],\"NextToken\":\"page-2\"}",
         0, 0, 0},
        {200, JSON_HDR,
         "{\"Accounts\":[{\"Id\":\"222222222222\",\"Status\":\"ACTIVE\"},{\"Id\":\"555555555555\",\"State\":"
         "\"PENDING_CLOSURE\",\"Status\":\"ACTIVE\"},{\"Id\":\"111111111111\",\"State\":\"ACTIVE\"}]}",
         0, 0, 0}};
    httpd_script(srv, seq, 2);
    mock_host_reset();
    CHECK(aws_accounts_discover(&ctx, err, sizeof err) == 0, "discover: %s", err);
    CHECK(ctx.n_accounts == 2 && strcmp(ctx.accounts[0].id, "111111111111") == 0 &&
              strcmp(ctx.accounts[1].id, "222222222222") == 0,
          "active accounts: %zu", ctx.n_accounts);
    CHECK(httpd_requests(srv) == 2, "two pages: %u requests", httpd_requests(srv));
    char *req = httpd_last_request(srv);
    CHECK(req && strstr(req, "X-Amz-Target: AWSOrganizationsV20161128.ListAccounts") &&
              strstr(req, "\"NextToken\":\"page-2\"") && strstr(req, "/us-east-1/organizations/aws4_request"),
          "second page request: %.300s", req ? req : "(none)");
    free(req);
    CHECK(strstr(mock_host_log(), "organization account 444444444444 is SUSPENDED: skipped") != NULL,
          "the suspended account is not named: %s", mock_host_log());
    CHECK(strstr(mock_host_log(), "organization account 555555555555 is PENDING_CLOSURE: skipped") != NULL,
          "State wins over Status");
    char arn[200];
    CHECK(aws_account_role_arn(&ctx, "222222222222", arn, sizeof arn) == 0 &&
              strcmp(arn, "arn:aws:iam::222222222222:role/Audit") == 0,
          "role of a discovered account: %s", arn);
}

static void test_org_hostile(void)
{
    static const struct {
        int status;
        const char *body;
        const char *want;
    } cases[] = {
        {200, "{\"Accounts\":{}}", "the answer has no Accounts list"},
        {200, "{}", "the answer has no Accounts list"},
        {200, "{\"Accounts\":[{\"Id\":\"12345\",\"State\":\"ACTIVE\"}]}", "an account Id is not 12 digits"},
        {200, "{\"Accounts\":[{\"Id\":7,\"State\":\"ACTIVE\"}]}", "an account Id is not 12 digits"},
        {200, "{\"Accounts\":[{\"Id\":\"111111111111\",\"State\":\"CLOSED\"}]}", "no ACTIVE account (1 skipped)"},
        {200, "{\"Accounts\":[{\"Id\":\"111111111111\"}]}", "no ACTIVE account (1 skipped)"},
        {200, "{\"Accounts\":[{\"Id\":\"111111111111\",\"State\":\"ACTIVE\"}", "organizations:ListAccounts"},
        {200, "{\"Accounts\":[],\"NextToken\":\"same\"}", "repeated its pagination token"},
        {400, "{\"__type\":\"AccessDeniedException\",\"message\":\"no\"}",
         "organizations:ListAccounts was denied (AccessDeniedException): aws.accounts=org needs"},
        {400, "{\"__type\":\"AWSOrganizationsNotInUseException\",\"message\":\"no\"}", "not in an organization"},
    };
    char err[AWS_ERR_LEN];
    env_creds("AKIAHUBEXAMPLE000001");
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        configure("[\"org\"]", err, sizeof err);
        httpd_reply r = {cases[i].status, JSON_HDR, cases[i].body, 0, 0, 0};
        httpd_script(srv, &r, 1);
        err[0] = '\0';
        int rc = aws_accounts_discover(&ctx, err, sizeof err);
        CHECK(rc == -1 && strstr(err, cases[i].want) && ctx.n_accounts == 0, "case %zu: rc %d, %s", i, rc, err);
        CHECK(strstr(err, "organizations:ListAccounts") != NULL, "case %zu does not name the call: %s", i, err);
    }
    /* a state with odd characters is logged cleaned */
    configure("[\"org\"]", err, sizeof err);
    httpd_reply odd = {200, JSON_HDR,
                       "{\"Accounts\":[{\"Id\":\"111111111111\",\"State\":\"ACTIVE\"},{\"Id\":\"222222222222\","
                       "\"State\":\"BAD\\nSTATE\\u001b[31m\"}]}",
                       0, 0, 0};
    httpd_script(srv, &odd, 1);
    mock_host_reset();
    CHECK(aws_accounts_discover(&ctx, err, sizeof err) == 0 && ctx.n_accounts == 1, "odd state: %s", err);
    CHECK(strstr(mock_host_log(), "222222222222 is BAD?STATE??") != NULL && !strchr(mock_host_log(), 0x1b),
          "the state is not cleaned: %s", mock_host_log());
}

static void test_chain_expired(void)
{
    char err[AWS_ERR_LEN] = "";
    aws_accounts_free(&ctx);
    env_creds("AKIACHAINEXAMPLE0001");
    httpd_reply seq[] = {{400, JSON_HDR, expired_json, 0, 0, 0}, {200, JSON_HDR, "{}", 0, 0, 0}};
    httpd_script(srv, seq, 2);
    mock_host_reset();
    char *reply = NULL;
    int rc = aws_json_call(&ctx, "kms", "us-east-1", "TrentService", "ListKeys", "{}", "kms:ListKeys", &reply, err,
                           sizeof err);
    CHECK(rc == AWS_OK && reply && httpd_requests(srv) == 2, "one expiry: rc %d, %u requests, %s", rc,
          httpd_requests(srv), err);
    CHECK(strstr(mock_host_log(), "kms:ListKeys: credentials expired (ExpiredTokenException); refreshing") &&
              strstr(mock_host_log(), "credentials refreshed from"),
          "the refresh is not logged: %s", mock_host_log());
    free(reply);
    reply = NULL;
    httpd_reply again = {400, JSON_HDR, expired_json, 0, 0, 0};
    httpd_script(srv, &again, 1);
    rc = aws_json_call(&ctx, "kms", "us-east-1", "TrentService", "ListKeys", "{}", "kms:ListKeys", &reply, err,
                       sizeof err);
    CHECK(rc == AWS_E_FAIL && httpd_requests(srv) == 2 && strstr(err, "ExpiredTokenException"),
          "a second expiry: rc %d, %u requests, %s", rc, httpd_requests(srv), err);
    free(reply);

    /* only the credentials that failed are marked */
    aws_creds c = {0};
    aws_chain_get(&ctx, 0, &c, err, sizeof err);
    aws_creds_clear(&c);
    setenv("AWS_ACCESS_KEY_ID", "AKIACHAINEXAMPLE0002", 1);
    aws_chain_expired(&ctx, "AKIASOMEONEELSE00001");
    CHECK(aws_chain_get(&ctx, 0, &c, err, sizeof err) == 0 && strcmp(c.access_key_id, "AKIACHAINEXAMPLE0001") == 0,
          "other credentials' expiry refreshed the chain");
    aws_creds_clear(&c);
    aws_chain_expired(&ctx, "AKIACHAINEXAMPLE0001");
    CHECK(aws_chain_get(&ctx, 0, &c, err, sizeof err) == 0 && strcmp(c.access_key_id, "AKIACHAINEXAMPLE0002") == 0,
          "the expired credentials were kept");
    aws_creds_clear(&c);
}

static void test_role_expired(void)
{
    char err[AWS_ERR_LEN] = "";
    env_creds("AKIAHUBEXAMPLE000001");
    CHECK(configure("[\"111111111111\"]", err, sizeof err) == 0, "configure: %s", err);
    httpd_reply first = {200, "Content-Type: text/xml\r\n", sts_role1, 0, 0, 0};
    httpd_script(srv, &first, 1);
    aws_task t = {"111111111111/us-east-1/kms", "111111111111", "us-east-1", "kms", 0, 0};
    aws_creds held = {0};
    CHECK(aws_account_enter(&ctx, &t, &held, err, sizeof err) == 0, "enter: %s", err);
    httpd_reply seq[] = {{400, JSON_HDR, expired_json, 0, 0, 0},
                         {200, "Content-Type: text/xml\r\n", sts_role2, 0, 0, 0},
                         {200, JSON_HDR, "{}", 0, 0, 0}};
    httpd_script(srv, seq, 3);
    mock_host_reset();
    char *reply = NULL;
    int rc = aws_json_call(&ctx, "kms", "us-east-1", "TrentService", "ListKeys", "{}", "kms:ListKeys", &reply, err,
                           sizeof err);
    char *req = httpd_last_request(srv);
    CHECK(rc == AWS_OK && httpd_requests(srv) == 3, "re-assumed: rc %d, %u requests, %s", rc, httpd_requests(srv),
          err);
    CHECK(req && strstr(req, "Credential=ASIAROLESECOND000002/") && strstr(req, "roleTOKEN2"),
          "the retry is not signed with the new role credentials");
    CHECK(strstr(mock_host_log(), "account 111111111111: the role's credentials expired; assumed "
                                  "arn:aws:iam::111111111111:role/Audit again") != NULL,
          "not logged: %s", mock_host_log());
    CHECK(!strstr(mock_host_log(), "roleSECRET") && !strstr(mock_host_log(), "roleTOKEN"), "a secret was logged");
    free(req);
    free(reply);
    reply = NULL;
    /* the role is now refused: the call fails with both reasons */
    httpd_reply refuse[] = {{400, JSON_HDR, expired_json, 0, 0, 0},
                            {403, "Content-Type: text/xml\r\n",
                             "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error>"
                             "</ErrorResponse>",
                             0, 0, 0}};
    httpd_script(srv, refuse, 2);
    rc = aws_json_call(&ctx, "kms", "us-east-1", "TrentService", "ListKeys", "{}", "kms:ListKeys", &reply, err,
                       sizeof err);
    CHECK(rc == AWS_E_FAIL && strstr(err, "kms:ListKeys: HTTP 400 ExpiredTokenException, and the credentials could "
                                          "not be renewed: account 111111111111: sts:AssumeRole on "
                                          "arn:aws:iam::111111111111:role/Audit was denied"),
          "refused renewal: rc %d, %s", rc, err);
    free(reply);
    aws_account_leave(&held);
}

/* aws_parallel_for: item i marks seen[i]; odd items count an error, items
 * divisible by 3 a denial; with an account role each makes a call. */
static atomic_int seen[64];
static int with_calls;

static void item(aws_ctx *c, aws_task *t, size_t i, void *ud)
{
    (void)ud;
    atomic_fetch_add(&seen[i], 1);
    if (i % 2)
        t->errors++;
    if (i % 3 == 0)
        t->denied++;
    if (with_calls) {
        char err[AWS_ERR_LEN], *reply = NULL;
        aws_json_call(c, "kms", "us-east-1", "TrentService", "ListKeys", "{}", "kms:ListKeys", &reply, err,
                      sizeof err);
        free(reply);
    }
}

static void test_parallel_for(void)
{
    char err[AWS_ERR_LEN] = "";
    aws_task t = {"x", "111111111111", "us-east-1", "kms", 0, 0};
    with_calls = 0;
    for (unsigned width = 1; width <= 40; width += 13) {
        memset(seen, 0, sizeof seen);
        t.errors = t.denied = 0;
        CHECK(aws_parallel_for(&ctx, &t, 64, width, item, NULL) == 0, "width %u failed", width);
        int once = 1;
        for (size_t i = 0; i < 64; i++)
            once &= atomic_load(&seen[i]) == 1;
        CHECK(once, "width %u: an item ran more or less than once", width);
        CHECK(t.errors == 32 && t.denied == 22, "width %u: counts %d/%d", width, t.errors, t.denied);
    }
    t.errors = 0;
    CHECK(aws_parallel_for(&ctx, &t, 0, 8, item, NULL) == 0 && t.errors == 0, "no items");
    /* the worker threads sign with the account role of the calling thread */
    env_creds("AKIAHUBEXAMPLE000001");
    configure("[\"111111111111\"]", err, sizeof err);
    httpd_reply first = {200, "Content-Type: text/xml\r\n", sts_role1, 0, 0, 0};
    httpd_script(srv, &first, 1);
    aws_creds held = {0};
    CHECK(aws_account_enter(&ctx, &t, &held, err, sizeof err) == 0, "enter: %s", err);
    httpd_reply ok = {200, JSON_HDR, "{}", 0, 0, 0};
    httpd_script(srv, &ok, 1);
    with_calls = 1;
    memset(seen, 0, sizeof seen);
    aws_parallel_for(&ctx, &t, 16, 4, item, NULL);
    char *req = httpd_last_request(srv);
    CHECK(httpd_requests(srv) == 16 && req && strstr(req, "Credential=ASIAROLEFIRST0000001/"),
          "worker calls: %u, %.200s", httpd_requests(srv), req ? req : "(none)");
    free(req);
    aws_account_leave(&held);
    with_calls = 0;
}

int main(void)
{
    srv = httpd_start(NULL, NULL);
    if (!srv)
        return 1;
    snprintf(srv_url, sizeof srv_url, "http://127.0.0.1:%d", httpd_port(srv));
    setenv("NO_PROXY", "127.0.0.1", 1);
    setenv("no_proxy", "127.0.0.1", 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    setenv("AWS_CONFIG_FILE", "/nonexistent/parapet-test", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/parapet-test", 1);
    unsetenv("AWS_PROFILE");
    unsetenv("AWS_REGION");
    ctx.api = mock_host_api();
    ctx.h = mock_host_handle();
    ctx.endpoint_url = srv_url;
    aws_chain_init(&ctx.chain);
    pthread_mutex_init(&ctx.throttle_mu, NULL);
    RUN(test_org_pages);
    RUN(test_org_hostile);
    RUN(test_chain_expired);
    RUN(test_role_expired);
    RUN(test_parallel_for);
    aws_accounts_free(&ctx);
    aws_chain_destroy(&ctx.chain);
    pthread_mutex_destroy(&ctx.throttle_mu);
    httpd_stop(srv);
    mock_host_shutdown();
    return test_summary();
}
