/*
 * test_aws_creds.c - the aws plugin's credential sources and chain, its
 * XML reader and its shared-file parser, against real files and a scripted
 * HTTP server on 127.0.0.1 (STS, ECS, IMDS stand-ins). Secrets used here
 * are fake but distinctive, and the log is searched for them afterwards.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../plugins/aws/aws_client.h"
#include "../../plugins/aws/aws_creds.h"
#include "../../plugins/aws/aws_ctx.h"
#include "../../plugins/aws/aws_ini.h"
#include "../../plugins/aws/aws_xml.h"
#include "../support/aws_mock_host.h"
#include "../support/test_check.h"
#include "../support/test_httpd.h"

#define SECRET_ENV "envSECRETenvSECRETenvSECRET0000000000"
#define SECRET_FILE "fileSECRETfileSECRET111111111111111111"
#define SECRET_STS "stsSECRETstsSECRET2222222222222222222"
#define TOKEN_STS "stsTOKENstsTOKEN33333333333"

static char tmpdir[256];
static httpd *srv;
static char srv_url[64];
static aws_ctx ctx;

static void clear_env(void)
{
    const char *vars[] = {"AWS_ACCESS_KEY_ID",
                          "AWS_SECRET_ACCESS_KEY",
                          "AWS_SESSION_TOKEN",
                          "AWS_PROFILE",
                          "AWS_CONFIG_FILE",
                          "AWS_SHARED_CREDENTIALS_FILE",
                          "AWS_WEB_IDENTITY_TOKEN_FILE",
                          "AWS_ROLE_ARN",
                          "AWS_ROLE_SESSION_NAME",
                          "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                          "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                          "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                          "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                          "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                          "AWS_ENDPOINT_URL",
                          "AWS_ENDPOINT_URL_STS",
                          "AWS_REGION"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        unsetenv(vars[i]);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    char p[400];
    snprintf(p, sizeof p, "%s/none", tmpdir);
    setenv("AWS_CONFIG_FILE", p, 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", p, 1);
    setenv("HOME", tmpdir, 1);
}

static void write_file(const char *name, const char *text, char *path, size_t len)
{
    snprintf(path, len, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    chmod(path, 0600);
}

static void reset_chain(void)
{
    aws_chain_destroy(&ctx.chain);
    aws_chain_init(&ctx.chain);
}

static const char sts_ok[] =
    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
    "<Credentials><AccessKeyId>ASIASTSEXAMPLE000001</AccessKeyId><SecretAccessKey>" SECRET_STS
    "</SecretAccessKey><SessionToken>" TOKEN_STS "</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>"
    "</Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/audit/parapet</Arn>"
    "</AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>";

static void test_env(void)
{
    clear_env();
    aws_creds c = {0};
    char err[512] = "";
    CHECK(aws_creds_from_env(&c, err, sizeof err) == AWS_CRED_ABSENT, "empty env found credentials");
    setenv("AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE000001", 1);
    CHECK(aws_creds_from_env(&c, err, sizeof err) == AWS_CRED_FAILED && strstr(err, "AWS_SECRET_ACCESS_KEY"),
          "half-set env accepted: %s", err);
    setenv("AWS_SECRET_ACCESS_KEY", SECRET_ENV, 1);
    setenv("AWS_SESSION_TOKEN", "envTOKEN", 1);
    CHECK(aws_creds_from_env(&c, err, sizeof err) == AWS_CRED_FOUND, "env: %s", err);
    CHECK(c.session_token && strcmp(c.session_token, "envTOKEN") == 0, "session token not taken");
    aws_creds_clear(&c);
    CHECK(c.secret_access_key == NULL, "clear left the secret");
}

static void test_ini(void)
{
    char p[400], err[512] = "";
    write_file("ini1",
               "# comment\n[default]\naws_access_key_id = AKIADEFAULT000000001\n"
               "  nested = ignored\n[profile dev]\nRegion=eu-west-1\n[sso-session x]\nfoo=bar\n",
               p, sizeof p);
    ini_file f;
    CHECK(ini_load(p, 1, &f, err, sizeof err) == 0, "ini: %s", err);
    CHECK(ini_get(&f, "default", "aws_access_key_id") &&
              strcmp(ini_get(&f, "default", "aws_access_key_id"), "AKIADEFAULT000000001") == 0,
          "default key");
    CHECK(ini_get(&f, "dev", "region") && strcmp(ini_get(&f, "dev", "region"), "eu-west-1") == 0,
          "profile dev region (key lower-cased)");
    CHECK(!ini_has_section(&f, "x") && !ini_has_section(&f, "sso-session x"), "sso-session taken as a profile");
    ini_free(&f);
    write_file("ini2", "[default\nkey=1\n", p, sizeof p);
    CHECK(ini_load(p, 1, &f, err, sizeof err) == -1 && strstr(err, "line 1"), "bad header accepted: %s", err);
    write_file("ini3", "[default]\njust text\n", p, sizeof p);
    CHECK(ini_load(p, 0, &f, err, sizeof err) == -1 && strstr(err, "line 2"), "line without '=' accepted");
    /* a huge file is refused, not read */
    snprintf(p, sizeof p, "%s/ini4", tmpdir);
    FILE *big = fopen(p, "w");
    for (int i = 0; i < 70000; i++)
        fputs("# padding padding\n", big);
    fclose(big);
    CHECK(ini_load(p, 0, &f, err, sizeof err) == -1 && strstr(err, "too large"), "2 MiB file accepted: %s", err);
}

static void test_profile_static_and_missing(void)
{
    clear_env();
    char p[400], err[512] = "";
    write_file("creds1", "[default]\naws_access_key_id=AKIAFILEEXAMPLE00001\naws_secret_access_key=" SECRET_FILE "\n",
               p, sizeof p);
    setenv("AWS_SHARED_CREDENTIALS_FILE", p, 1);
    aws_creds c = {0};
    CHECK(aws_creds_from_profile(&ctx, NULL, &c, err, sizeof err) == AWS_CRED_FOUND, "profile: %s", err);
    CHECK(c.access_key_id && strcmp(c.access_key_id, "AKIAFILEEXAMPLE00001") == 0, "wrong key");
    aws_creds_clear(&c);
    setenv("AWS_PROFILE", "nope", 1);
    CHECK(aws_creds_from_profile(&ctx, NULL, &c, err, sizeof err) == AWS_CRED_FAILED && strstr(err, "nope"),
          "a named missing profile is not an error: %s", err);
    unsetenv("AWS_PROFILE");
    /* env beats the file in the chain */
    setenv("AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE000001", 1);
    setenv("AWS_SECRET_ACCESS_KEY", SECRET_ENV, 1);
    reset_chain();
    CHECK(aws_chain_get(&ctx, 0, &c, err, sizeof err) == 0 && strcmp(c.source, "environment") == 0, "chain order: %s",
          c.source);
    aws_creds_clear(&c);
}

static void test_assume_role(void)
{
    clear_env();
    char cfg[400], crd[400], err[512] = "";
    write_file("creds2", "[base]\naws_access_key_id=AKIABASEEXAMPLE00001\naws_secret_access_key=" SECRET_FILE "\n", crd,
               sizeof crd);
    write_file("config2",
               "[profile audit]\nrole_arn=arn:aws:iam::123456789012:role/audit\nsource_profile=base\n"
               "external_id=ext-4242\nduration_seconds=1800\n"
               "[profile loop1]\nrole_arn=arn:aws:iam::1:role/a\nsource_profile=loop2\n"
               "[profile loop2]\nrole_arn=arn:aws:iam::1:role/b\nsource_profile=loop1\n"
               "[profile short]\nrole_arn=arn:aws:iam::1:role/a\nsource_profile=base\nduration_seconds=60\n",
               cfg, sizeof cfg);
    setenv("AWS_CONFIG_FILE", cfg, 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", crd, 1);
    setenv("AWS_ENDPOINT_URL_STS", srv_url, 1);
    httpd_reply r = {200, "Content-Type: text/xml\r\n", sts_ok, 0, 0, 0};
    httpd_script(srv, &r, 1);
    aws_creds c = {0};
    CHECK(aws_creds_from_profile(&ctx, "audit", &c, err, sizeof err) == AWS_CRED_FOUND, "assume: %s", err);
    CHECK(c.session_token && strcmp(c.session_token, TOKEN_STS) == 0, "no session token from STS");
    CHECK(c.expires == aws_parse_time("2099-01-01T00:00:00Z"), "expiry not parsed");
    char *req = httpd_last_request(srv);
    CHECK(req && strstr(req, "Action=AssumeRole&") && strstr(req, "ExternalId=ext-4242") &&
              strstr(req, "DurationSeconds=1800") &&
              strstr(req, "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Faudit"),
          "AssumeRole request lacks a parameter");
    CHECK(req && strstr(req, "Credential=AKIABASEEXAMPLE00001/") && !strstr(req, SECRET_FILE),
          "AssumeRole not signed with the source profile's key (or the secret was sent)");
    free(req);
    aws_creds_clear(&c);
    CHECK(aws_creds_from_profile(&ctx, "loop1", &c, err, sizeof err) == AWS_CRED_FAILED && strstr(err, "loop"),
          "source_profile loop not refused: %s", err);
    CHECK(aws_creds_from_profile(&ctx, "short", &c, err, sizeof err) == AWS_CRED_FAILED &&
              strstr(err, "duration_seconds"),
          "duration_seconds 60 accepted: %s", err);
    /* STS refuses */
    httpd_reply denied = {403,
                          "Content-Type: text/xml\r\n",
                          "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed"
                          "</Message></Error></ErrorResponse>",
                          0,
                          0,
                          0};
    httpd_script(srv, &denied, 1);
    CHECK(aws_creds_from_profile(&ctx, "audit", &c, err, sizeof err) == AWS_CRED_FAILED && strstr(err, "AccessDenied"),
          "denied AssumeRole: %s", err);
    /* malformed and truncated STS answers */
    const char *bad[] = {"<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA",
                         "<x><Credentials><AccessKeyId>short</AccessKeyId></Credentials></x>",
                         "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><x>&a;</x>", "not xml at all"};
    for (size_t i = 0; i < 4; i++) {
        httpd_reply b = {200, NULL, bad[i], 0, 0, 0};
        httpd_script(srv, &b, 1);
        CHECK(aws_creds_from_profile(&ctx, "audit", &c, err, sizeof err) == AWS_CRED_FAILED,
              "bad STS answer %zu accepted", i);
    }
}

static void test_process(void)
{
    clear_env();
    char cfg[400], script[400], err[512] = "";
    write_file(
        "proc.sh",
        "#!/bin/sh\necho '{\"Version\":1,\"AccessKeyId\":\"ASIAPROCEXAMPLE00001\",\"SecretAccessKey\":\"" SECRET_FILE
        "\",\"SessionToken\":\"procTOKEN\",\"Expiration\":\"2099-01-01T00:00:00Z\"}'\n",
        script, sizeof script);
    chmod(script, 0700);
    char text[1200];
    snprintf(text, sizeof text,
             "[profile proc]\ncredential_process = %s\n[profile fails]\ncredential_process = exit 3\n"
             "[profile garbage]\ncredential_process = echo '{\"Version\":2}'\n",
             script);
    write_file("config3", text, cfg, sizeof cfg);
    setenv("AWS_CONFIG_FILE", cfg, 1);
    aws_creds c = {0};
    CHECK(aws_creds_from_profile(&ctx, "proc", &c, err, sizeof err) == AWS_CRED_FOUND, "process: %s", err);
    CHECK(c.session_token && strcmp(c.session_token, "procTOKEN") == 0, "process token");
    aws_creds_clear(&c);
    CHECK(aws_creds_from_profile(&ctx, "fails", &c, err, sizeof err) == AWS_CRED_FAILED && strstr(err, "exit status 3"),
          "failing process: %s", err);
    CHECK(aws_creds_from_profile(&ctx, "garbage", &c, err, sizeof err) == AWS_CRED_FAILED && strstr(err, "Version"),
          "Version 2 accepted: %s", err);
}

static void test_web_identity(void)
{
    clear_env();
    char tok[400], err[512] = "";
    write_file("wit", "eyJhbGciOiJSUzI1NiJ9.payload.sig\n", tok, sizeof tok);
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", tok, 1);
    setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/eks-pod", 1);
    setenv("AWS_ENDPOINT_URL_STS", srv_url, 1);
    httpd_reply r = {200, NULL, sts_ok, 0, 0, 0};
    httpd_script(srv, &r, 1);
    aws_creds c = {0};
    CHECK(aws_creds_from_web_identity_env(&ctx, &c, err, sizeof err) == AWS_CRED_FOUND, "web identity: %s", err);
    char *req = httpd_last_request(srv);
    CHECK(req && strstr(req, "Action=AssumeRoleWithWebIdentity") &&
              strstr(req, "WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.payload.sig&") == NULL &&
              strstr(req, "WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.payload.sig"),
          "token not sent (or sent with its newline)");
    CHECK(req && !strstr(req, "Authorization:"), "AssumeRoleWithWebIdentity was signed");
    free(req);
    aws_creds_clear(&c);
    unsetenv("AWS_ROLE_ARN");
    CHECK(aws_creds_from_web_identity_env(&ctx, &c, err, sizeof err) == AWS_CRED_FAILED, "no role accepted");
}

static void test_ecs(void)
{
    clear_env();
    char err[512] = "", url[128];
    snprintf(url, sizeof url, "%s/v2/credentials/abc", srv_url);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ecsAUTH", 1);
    httpd_reply r = {200,
                     "Content-Type: application/json\r\n",
                     "{\"AccessKeyId\":\"ASIAECSEXAMPLE000001\",\"SecretAccessKey\":\"" SECRET_STS
                     "\",\"Token\":\"ecsTOKEN\",\"Expiration\":\"2099-01-01T00:00:00Z\"}",
                     0,
                     0,
                     0};
    httpd_script(srv, &r, 1);
    aws_creds c = {0};
    CHECK(aws_creds_from_ecs(&ctx, &c, err, sizeof err) == AWS_CRED_FOUND, "ecs: %s", err);
    char *req = httpd_last_request(srv);
    CHECK(req && strstr(req, "GET /v2/credentials/abc") && strstr(req, "Authorization: ecsAUTH"),
          "ECS request lacks path or auth token");
    free(req);
    CHECK(c.session_token && strcmp(c.session_token, "ecsTOKEN") == 0, "ecs token");
    aws_creds_clear(&c);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://198.51.100.7/creds", 1);
    CHECK(aws_creds_from_ecs(&ctx, &c, err, sizeof err) == AWS_CRED_FAILED && strstr(err, "loopback"),
          "plain http to a remote host accepted: %s", err);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "a\r\nX-Evil: 1", 1);
    CHECK(aws_creds_from_ecs(&ctx, &c, err, sizeof err) == AWS_CRED_FAILED, "header injection accepted");
}

static void test_imds(void)
{
    clear_env();
    char err[512] = "";
    unsetenv("AWS_EC2_METADATA_DISABLED");
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", srv_url, 1);
    httpd_reply seq[] = {
        {200, NULL, "imdsSESSIONTOKEN", 0, 0, 0},
        {200, NULL, "web-role\n", 0, 0, 0},
        {200, NULL,
         "{\"Code\":\"Success\",\"Type\":\"AWS-HMAC\",\"AccessKeyId\":\"ASIAIMDSEXAMPLE00001\",\"SecretAccessKey\":"
         "\"" SECRET_STS "\",\"Token\":\"imdsTOKEN\",\"Expiration\":\"2099-01-01T00:00:00Z\"}",
         0, 0, 0},
    };
    httpd_script(srv, seq, 3);
    aws_creds c = {0};
    CHECK(aws_creds_from_imds(&ctx, &c, err, sizeof err) == AWS_CRED_FOUND, "imds: %s", err);
    CHECK(httpd_requests(srv) == 3, "IMDS made %u requests, want 3", httpd_requests(srv));
    char *req = httpd_last_request(srv);
    CHECK(req && strstr(req, "GET /latest/meta-data/iam/security-credentials/web-role") &&
              strstr(req, "X-aws-ec2-metadata-token: imdsSESSIONTOKEN"),
          "role credentials fetched without the IMDSv2 token");
    free(req);
    aws_creds_clear(&c);
    /* an IMDS that refuses tokens: an error, and no IMDSv1 fallback */
    httpd_reply refuse = {403, NULL, "", 0, 0, 0};
    httpd_script(srv, &refuse, 1);
    CHECK(aws_creds_from_imds(&ctx, &c, err, sizeof err) == AWS_CRED_FAILED && strstr(err, "IMDSv2"),
          "refused token: %s", err);
    CHECK(httpd_requests(srv) == 1, "after a refused token IMDS was asked again (%u)", httpd_requests(srv));
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    CHECK(aws_creds_from_imds(&ctx, &c, err, sizeof err) == AWS_CRED_ABSENT, "disabled IMDS was asked");
}

static void test_refresh(void)
{
    clear_env();
    char err[512] = "";
    unsetenv("AWS_EC2_METADATA_DISABLED");
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", srv_url, 1);
    /* credentials that expire in 60 s: inside the refresh window, so each get resolves again */
    char soon[64], doc[600];
    time_t t = time(NULL) + 60;
    strftime(soon, sizeof soon, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    snprintf(doc, sizeof doc,
             "{\"Code\":\"Success\",\"AccessKeyId\":\"ASIAIMDSEXAMPLE00001\",\"SecretAccessKey\":\"" SECRET_STS
             "\",\"Token\":\"imdsTOKEN\",\"Expiration\":\"%s\"}",
             soon);
    httpd_reply seq[] = {{200, NULL, "tok", 0, 0, 0}, {200, NULL, "role", 0, 0, 0}, {200, NULL, doc, 0, 0, 0},
                         {200, NULL, "tok", 0, 0, 0}, {200, NULL, "role", 0, 0, 0}, {200, NULL, doc, 0, 0, 0}};
    httpd_script(srv, seq, 6);
    reset_chain();
    aws_creds c = {0};
    CHECK(aws_chain_get(&ctx, 0, &c, err, sizeof err) == 0, "chain: %s", err);
    aws_creds_clear(&c);
    CHECK(aws_chain_get(&ctx, 0, &c, err, sizeof err) == 0, "chain again: %s", err);
    aws_creds_clear(&c);
    CHECK(httpd_requests(srv) == 6, "expiring credentials were not refreshed (%u requests)", httpd_requests(srv));
    /* long-lived ones are cached */
    clear_env();
    setenv("AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE000001", 1);
    setenv("AWS_SECRET_ACCESS_KEY", SECRET_ENV, 1);
    reset_chain();
    CHECK(aws_chain_get(&ctx, 0, &c, err, sizeof err) == 0, "chain env");
    unsetenv("AWS_ACCESS_KEY_ID");
    aws_creds_clear(&c);
    CHECK(aws_chain_get(&ctx, 0, &c, err, sizeof err) == 0 && c.access_key_id, "cached credentials lost");
    aws_creds_clear(&c);
    /* nothing anywhere: a clear error */
    clear_env();
    reset_chain();
    CHECK(aws_chain_get(&ctx, 0, &c, err, sizeof err) == -1 && strstr(err, "no AWS credentials"), "empty chain: %s",
          err);
}

static void test_xml_hostile(void)
{
    char err[256];
    const char *bad[] = {"",
                         "<a>",
                         "<a></b>",
                         "<a/><b/>",
                         "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
                         "<a>&undefined;</a>",
                         "\xff\xfe<a/>"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        xml_node *x = xml_parse(bad[i], strlen(bad[i]), err, sizeof err);
        CHECK(x == NULL, "hostile XML %zu accepted", i);
        xml_free(x);
    }
    /* deep nesting is refused with a reason */
    char deep[2000] = "";
    for (int i = 0; i < 100; i++)
        memcpy(deep + 3 * i, "<a>", 4);
    xml_node *x = xml_parse(deep, strlen(deep), err, sizeof err);
    CHECK(x == NULL && strstr(err, "64"), "deep XML: %s", err);
    const char *ok = "<R xmlns=\"urn:x\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><G xsi:type=\"Group\">"
                     "<URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></G><G><ID>abc</ID></G></R>";
    x = xml_parse(ok, strlen(ok), err, sizeof err);
    CHECK(x != NULL, "valid XML refused: %s", err);
    const xml_node *g = xml_child(x, "G");
    CHECK(g && g->type_attr && strcmp(g->type_attr, "Group") == 0, "xsi:type not read");
    CHECK(g && xml_next(g) && strcmp(xml_text_at(xml_next(g), "ID"), "abc") == 0, "siblings");
    xml_free(x);
}

static void test_secrets_not_logged(void)
{
    const char *log = mock_host_log();
    CHECK(!strstr(log, SECRET_ENV) && !strstr(log, SECRET_FILE) && !strstr(log, SECRET_STS) && !strstr(log, TOKEN_STS),
          "a secret reached the log");
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/pp-aws-creds.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir))
        return 1;
    srv = httpd_start(NULL, NULL);
    if (!srv)
        return 1;
    snprintf(srv_url, sizeof srv_url, "http://127.0.0.1:%d", httpd_port(srv));
    setenv("NO_PROXY", "127.0.0.1", 1);
    setenv("no_proxy", "127.0.0.1", 1);
    ctx.api = mock_host_api();
    ctx.h = mock_host_handle();
    aws_chain_init(&ctx.chain);
    pthread_mutex_init(&ctx.throttle_mu, NULL);
    RUN(test_env);
    RUN(test_ini);
    RUN(test_profile_static_and_missing);
    RUN(test_assume_role);
    RUN(test_process);
    RUN(test_web_identity);
    RUN(test_ecs);
    RUN(test_imds);
    RUN(test_refresh);
    RUN(test_xml_hostile);
    RUN(test_secrets_not_logged);
    aws_chain_destroy(&ctx.chain);
    pthread_mutex_destroy(&ctx.throttle_mu);
    httpd_stop(srv);
    mock_host_shutdown();
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return test_summary();
}
