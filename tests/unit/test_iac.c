/*
 * tests/unit/test_iac.c - the `iac` provider's parts: the YAML tree and its
 * limits, CloudFormation's intrinsic functions, the per-type adapters,
 * Kubernetes workloads and inline suppressions. The plugin is driven
 * through its ABI (plan, collect) by a fake host that keeps what it emits.
 *
 * CLI-level tests: tests/integration/iac_*.sh.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <parapet/plugin.h>

#include "../support/test_check.h"
#include "yaml_doc.h"

/* ---- a fake host that keeps emitted resources -------------------------- */

static cJSON *emitted; /* array of {"uid","type","name","line","column","data","tags"} */

static void fake_log(pp_host *h, pp_log_level lvl, const char *msg)
{
    (void)h;
    (void)lvl;
    (void)msg;
}

static int fake_emit_resource(pp_host *h, const pp_resource *r)
{
    (void)h;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "uid", r->uid);
    cJSON_AddStringToObject(o, "type", r->type);
    cJSON_AddStringToObject(o, "name", r->name ? r->name : "");
    cJSON_AddStringToObject(o, "source", r->source ? r->source : "");
    cJSON_AddNumberToObject(o, "line", r->source_line);
    cJSON_AddNumberToObject(o, "column", r->source_column);
    cJSON *d = cJSON_Parse(r->data_json ? r->data_json : "{}");
    cJSON *t = cJSON_Parse(r->tags_json ? r->tags_json : "{}");
    if (!d || !t) {
        cJSON_Delete(d);
        cJSON_Delete(t);
        cJSON_Delete(o);
        return PP_ERR_INVALID;
    }
    cJSON_AddItemToObject(o, "data", d);
    cJSON_AddItemToObject(o, "tags", t);
    cJSON_AddItemToArray(emitted, o);
    return PP_OK;
}

static int fake_cancelled(pp_host *h)
{
    (void)h;
    return 0;
}

static const pp_plugin *plugin;
static char last_error[1024];

static void load_plugin(void)
{
    static pp_host_api api;
    memset(&api, 0, sizeof api);
    api.size = sizeof api;
    api.abi_major = PP_ABI_MAJOR;
    api.abi_minor = PP_ABI_MINOR;
    api.log = fake_log;
    api.emit_resource = fake_emit_resource;
    api.cancelled = fake_cancelled;
    CHECK(parapet_plugin_entry_v1(&api, NULL, &plugin) == PP_OK, "entry refused the host");
}

/* Scan @text as a file named @name; returns the collect status. Resources in `emitted`. */
static int scan_text(const char *name, const char *text)
{
    char dir[] = "/tmp/pp-test-iac.XXXXXX", path[512];
    if (!mkdtemp(dir))
        return -100;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    fputs(text, fp);
    fclose(fp);
    cJSON_Delete(emitted);
    emitted = cJSON_CreateArray();
    void *inst = NULL;
    const char *err = NULL;
    int rc = plugin->init(NULL, "{}", &inst, &err);
    char targets[600];
    snprintf(targets, sizeof targets, "[\"%s\"]", path);
    const char *plan = rc == PP_OK ? plugin->provider->plan(inst, targets) : NULL;
    cJSON *tasks = plan ? cJSON_Parse(plan) : NULL;
    rc = tasks ? PP_OK : -101;
    const cJSON *t;
    cJSON_ArrayForEach(t, tasks)
    {
        char *tj = cJSON_PrintUnformatted(t);
        rc = plugin->provider->collect(inst, tj);
        snprintf(last_error, sizeof last_error, "%s", plugin->last_error(inst));
        free(tj);
    }
    cJSON_Delete(tasks);
    plugin->destroy(inst);
    unlink(path);
    rmdir(dir);
    return rc;
}

/* The emitted resource whose uid ends with @suffix, or NULL. */
static const cJSON *res(const char *suffix)
{
    const cJSON *r;
    cJSON_ArrayForEach(r, emitted)
    {
        const char *u = cJSON_GetObjectItem(r, "uid")->valuestring;
        size_t ul = strlen(u), sl = strlen(suffix);
        if (ul >= sl && !strcmp(u + ul - sl, suffix))
            return r;
    }
    return NULL;
}

/* A member of a resource's data by dotted path ("a.b.0.c"), or NULL. */
static const cJSON *at(const cJSON *r, const char *path)
{
    const cJSON *v = cJSON_GetObjectItem(r, "data");
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *save = NULL, *p = strtok_r(buf, ".", &save); p && v; p = strtok_r(NULL, ".", &save))
        v = cJSON_IsArray(v) ? cJSON_GetArrayItem(v, atoi(p)) : cJSON_GetObjectItemCaseSensitive(v, p);
    return v;
}

static int is_str(const cJSON *v, const char *s)
{
    return cJSON_IsString(v) && !strcmp(v->valuestring, s);
}

static double num(const cJSON *v)
{
    return cJSON_IsNumber(v) ? v->valuedouble : -12345;
}

/* ---- the YAML tree -------------------------------------------------------- */

static void test_yaml_positions_and_scalars(void)
{
    const char *y = "# head\nkey: value\nlist:\n  - 'quoted'\n  - 42\n  - true\n  - ~\n  - 1.5\n  - 0x1F\n";
    yd_stream *s = NULL;
    char err[256] = "";
    CHECK(yd_parse(y, strlen(y), "t.yaml", NULL, &s, err, sizeof err) == 0, "parse: %s", err);
    if (!s)
        return;
    const yd_node *root = s->docs[0];
    const yd_node *k = yd_get_key(root, "list"), *l = yd_get(root, "list");
    CHECK(k && k->line == 3 && k->col == 1, "key 'list' at %u:%u", k ? k->line : 0, k ? k->col : 0);
    CHECK(l && l->kind == YD_SEQ && l->n == 6, "list of 6");
    CHECK(l->items[0]->line == 4 && l->items[0]->col == 5, "item 0 at %u:%u", l->items[0]->line, l->items[0]->col);
    cJSON *j = yd_to_json(l);
    char *txt = cJSON_PrintUnformatted(j);
    CHECK(!strcmp(txt, "[\"quoted\",42,true,null,1.5,\"0x1F\"]"), "scalars typed as %s", txt);
    free(txt);
    cJSON_Delete(j);
    yd_free(s);
}

static void test_yaml_limits(void)
{
    yd_limits lim = yd_default_limits();
    yd_stream *s = NULL;
    char err[256] = "";
    /* Aliases count in full: 3 levels of 10 = 1000+ nodes against a limit of 500. */
    lim.max_weight = 500;
    const char *laughs = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                         "c: [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n";
    CHECK(yd_parse(laughs, strlen(laughs), "l.yaml", &lim, &s, err, sizeof err) == -1, "laughs accepted");
    CHECK(strstr(err, "l.yaml:3:") && strstr(err, "expands to more than 500"), "laughs error: %s", err);
    /* The same file is fine when it fits. */
    lim.max_weight = 5000;
    CHECK(yd_parse(laughs, strlen(laughs), "l.yaml", &lim, &s, err, sizeof err) == 0, "laughs within limit: %s", err);
    yd_free(s);
    s = NULL;
    lim = yd_default_limits();
    lim.max_scalar = 8;
    const char *big = "k: 0123456789\n";
    CHECK(yd_parse(big, strlen(big), "b.yaml", &lim, &s, err, sizeof err) == -1 && strstr(err, "b.yaml:1:4:"),
          "long scalar: %s", err);
    lim = yd_default_limits();
    lim.max_bytes = 4;
    CHECK(yd_parse(big, strlen(big), "b.yaml", &lim, &s, err, sizeof err) == -1 && strstr(err, "larger than"),
          "big file: %s", err);
    const char *unterminated = "a: 1\nb: \"open\n";
    CHECK(yd_parse(unterminated, strlen(unterminated), "u.yaml", NULL, &s, err, sizeof err) == -1 &&
              strstr(err, "u.yaml:"),
          "unterminated: %s", err);
    const char *dup = "a: 1\nb: 2\na: 3\n";
    CHECK(yd_parse(dup, strlen(dup), "d.yaml", NULL, &s, err, sizeof err) == -1 &&
              strstr(err, "d.yaml:3:1: duplicate key 'a' (first at line 1)"),
          "duplicate: %s", err);
    /* Not NUL-terminated: only len bytes are read. */
    char exact[4] = {'a', ':', ' ', 'b'};
    CHECK(yd_parse(exact, sizeof exact, "e.yaml", NULL, &s, err, sizeof err) == 0, "exact length: %s", err);
    yd_free(s);
}

/* ---- CloudFormation ------------------------------------------------------- */

static const char intrinsics[] =
    "AWSTemplateFormatVersion: '2010-09-09'\n"
    "Parameters:\n"
    "  Stage: {Type: String, Default: prod}\n"
    "  Retention: {Type: Number, Default: 14}\n"
    "  Zones: {Type: CommaDelimitedList, Default: 'a,b,c'}\n"
    "  Secret: {Type: String}\n"
    "Mappings:\n"
    "  Sizes:\n"
    "    prod: {Days: 35}\n"
    "Conditions:\n"
    "  IsProd: !Equals [!Ref Stage, prod]\n"
    "  IsDev: !Not [!Condition IsProd]\n"
    "  Both: !And [!Condition IsProd, !Equals [x, x]]\n"
    "  Unknowable: !Equals [!Ref Secret, abc]\n"
    "Resources:\n"
    "  Db:\n"
    "    Type: AWS::RDS::DBInstance\n"
    "    Properties:\n"
    "      DBInstanceIdentifier: !Join ['-', [orders, !Ref Stage, !Select [1, !Ref Zones]]]\n"
    "      BackupRetentionPeriod: !FindInMap [Sizes, !Ref Stage, Days]\n"
    "      StorageEncrypted: !If [Both, true, false]\n"
    "      MultiAZ: !If [IsDev, true, !Ref AWS::NoValue]\n"
    "      Engine: !Sub\n"
    "        - '${E}-${Stage}-${!Literal}'\n"
    "        - {E: postgres}\n"
    "      DeletionProtection: !If [Unknowable, true, false]\n"
    "  DevOnly:\n"
    "    Type: AWS::EC2::Volume\n"
    "    Condition: IsDev\n"
    "    Properties: {Size: 1}\n"
    "  Imported:\n"
    "    Type: AWS::S3::Bucket\n"
    "    Properties:\n"
    "      VersioningConfiguration: {Status: !ImportValue shared-versioning}\n";

static void test_cfn_intrinsics(void)
{
    CHECK(scan_text("t.yaml", intrinsics) == PP_OK, "collect: %s", last_error);
    const cJSON *db = res("#Resources/Db");
    CHECK(db != NULL, "no Db");
    if (!db)
        return;
    CHECK(is_str(at(db, "dbInstanceIdentifier"), "orders-prod-b"), "Join/Select/Ref list");
    CHECK(num(at(db, "backupRetentionPeriod")) == 35, "FindInMap: %g", num(at(db, "backupRetentionPeriod")));
    CHECK(cJSON_IsTrue(at(db, "storageEncrypted")), "If on And of conditions");
    CHECK(cJSON_IsFalse(at(db, "multiAZ")), "NoValue leaves the default (false)");
    CHECK(is_str(at(db, "engine"), "postgres-prod-${Literal}"), "Sub with variables and ${!...}");
    CHECK(at(db, "deletionProtection") == NULL, "a condition on a parameter without default is unknown");
    const cJSON *unk = at(db, "iacUnknown");
    CHECK(cJSON_IsArray(unk) && is_str(cJSON_GetArrayItem(unk, 0), "deletionProtection"), "iacUnknown lists it");
    CHECK(num(cJSON_GetObjectItem(db, "line")) == 16 && num(cJSON_GetObjectItem(db, "column")) == 3,
          "Db at line 16 column 3");
    CHECK(res("#Resources/DevOnly") == NULL, "a resource whose Condition is false is not emitted");
    const cJSON *b = res("#Resources/Imported");
    CHECK(b && !at(b, "versioning") && at(b, "publicAccessBlock"), "ImportValue makes only versioning unknown");
}

static const char adapters[] =
    "{\"Resources\": {\n"
    " \"Trail\": {\"Type\": \"AWS::CloudTrail::Trail\", \"Properties\": {\"IsLogging\": true, \"S3BucketName\": "
    "\"logs\"}},\n"
    " \"Key\": {\"Type\": \"AWS::KMS::Key\", \"Properties\": {\"KeyPolicy\": {\"Statement\": [{\"Effect\": \"Allow\","
    " \"Principal\": \"*\", \"Action\": \"kms:*\", \"Resource\": \"*\"}]}}},\n"
    " \"Sign\": {\"Type\": \"AWS::KMS::Key\", \"Properties\": {\"KeySpec\": \"ECC_NIST_P256\", \"KeyUsage\": "
    "\"SIGN_VERIFY\"}},\n"
    " \"Role\": {\"Type\": \"AWS::IAM::Role\", \"Properties\": {\"RoleName\": \"vendor\","
    " \"AssumeRolePolicyDocument\": "
    "\"{\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{\\\"AWS\\\":\\\"*\\\"},"
    "\\\"Action\\\":\\\"sts:AssumeRole\\\"}]}\"}},\n"
    " \"Fn\": {\"Type\": \"AWS::Lambda::Function\", \"Properties\": {\"Runtime\": \"python2.7\","
    " \"Environment\": {\"Variables\": {\"DB_PASSWORD\": \"hunter2\"}}}},\n"
    " \"FnUrl\": {\"Type\": \"AWS::Lambda::Url\", \"Properties\": {\"TargetFunctionArn\": {\"Fn::GetAtt\": [\"Fn\", "
    "\"Arn\"]},"
    " \"AuthType\": \"NONE\"}},\n"
    " \"FnPerm\": {\"Type\": \"AWS::Lambda::Permission\", \"Properties\": {\"FunctionName\": {\"Ref\": \"Fn\"},"
    " \"Principal\": \"*\", \"Action\": \"lambda:InvokeFunctionUrl\"}},\n"
    " \"Eks\": {\"Type\": \"AWS::EKS::Cluster\", \"Properties\": {\"Name\": \"prod\", \"ResourcesVpcConfig\": "
    "{\"SubnetIds\": [\"s-1\"]}}},\n"
    " \"Vol\": {\"Type\": \"AWS::EC2::Volume\", \"Properties\": {\"Size\": \"20\", \"AvailabilityZone\": "
    "\"eu-west-1a\"}},\n"
    " \"User\": {\"Type\": \"AWS::IAM::User\", \"Properties\": {\"LoginProfile\": {\"Password\": \"x\"}}},\n"
    " \"K1\": {\"Type\": \"AWS::IAM::AccessKey\", \"Properties\": {\"UserName\": {\"Ref\": \"User\"}}},\n"
    " \"K2\": {\"Type\": \"AWS::IAM::AccessKey\", \"Properties\": {\"UserName\": {\"Ref\": \"User\"}}}\n"
    "}}\n";

static void test_cfn_adapters(void)
{
    CHECK(scan_text("a.json", adapters) == PP_OK, "collect: %s", last_error);
    const cJSON *r = res("#Resources/Trail");
    CHECK(r && cJSON_IsFalse(at(r, "isMultiRegionTrail")) && cJSON_IsFalse(at(r, "logFileValidationEnabled")) &&
              cJSON_IsNull(at(r, "kmsKeyId")) && cJSON_IsTrue(at(r, "status.isLogging")),
          "trail defaults");
    r = res("#Resources/Key");
    CHECK(r && cJSON_IsFalse(at(r, "keyRotationEnabled")) && is_str(at(r, "keyManager"), "CUSTOMER") &&
              is_str(at(r, "policy.Statement.0.Principal"), "*"),
          "kms key");
    r = res("#Resources/Sign");
    CHECK(r && cJSON_IsNull(at(r, "keyRotationEnabled")), "asymmetric keys cannot rotate");
    r = res("#Resources/Role");
    CHECK(r && is_str(at(r, "assumeRolePolicyDocument.Statement.0.Principal.AWS"), "*") &&
              is_str(cJSON_GetObjectItem(r, "name"), "vendor"),
          "role trust policy from a JSON string");
    r = res("#Resources/Fn");
    CHECK(r && is_str(at(r, "runtime"), "python2.7") && is_str(at(r, "environmentVariableNames.0"), "DB_PASSWORD") &&
              is_str(at(r, "functionUrl.authType"), "NONE") && is_str(at(r, "policy.Statement.0.Principal"), "*"),
          "lambda with url and permission");
    char *all = cJSON_PrintUnformatted(emitted);
    CHECK(!strstr(all, "hunter2"), "an environment value was emitted");
    free(all);
    r = res("#Resources/Eks");
    CHECK(r && cJSON_IsTrue(at(r, "resourcesVpcConfig.endpointPublicAccess")) &&
              is_str(at(r, "resourcesVpcConfig.publicAccessCidrs.0"), "0.0.0.0/0") &&
              cJSON_GetArraySize(at(r, "encryptionConfig")) == 0,
          "eks defaults");
    r = res("#Resources/Vol");
    CHECK(r && cJSON_IsFalse(at(r, "encrypted")) && num(at(r, "size")) == 20 && !at(r, "state"), "volume");
    r = res("#Resources/User");
    CHECK(r && cJSON_IsTrue(at(r, "passwordEnabled")) && cJSON_GetArraySize(at(r, "accessKeys")) == 2 &&
              !at(r, "mfaDevices"),
          "user with login profile and two keys");
    CHECK(res("#Resources/FnUrl") == NULL && res("#Resources/K1") == NULL, "joined resources are not emitted alone");
}

/* ---- Terraform ------------------------------------------------------------ */

static const char tf_plan[] =
    "{\"format_version\": \"1.2\", \"planned_values\": {\"root_module\": {\"resources\": [\n"
    " {\"address\": \"aws_db_instance.main\", \"mode\": \"managed\", \"type\": \"aws_db_instance\", \"name\": "
    "\"main\",\n"
    "  \"values\": {\"identifier\": \"orders\", \"publicly_accessible\": true, \"backup_retention_period\": 0}},\n"
    " {\"address\": \"data.aws_caller_identity.me\", \"mode\": \"data\", \"type\": \"aws_caller_identity\","
    " \"name\": \"me\", \"values\": {}},\n"
    " {\"address\": \"aws_s3_bucket.b\", \"mode\": \"managed\", \"type\": \"aws_s3_bucket\", \"name\": \"b\","
    " \"values\": {\"bucket\": \"logs\"}},\n"
    " {\"address\": \"aws_s3_bucket_policy.b\", \"mode\": \"managed\", \"type\": \"aws_s3_bucket_policy\","
    " \"name\": \"b\", \"values\": {\"bucket\": \"logs\", \"policy\": \"{\\\"Statement\\\":[{\\\"Effect\\\":"
    "\\\"Allow\\\",\\\"Principal\\\":\\\"*\\\",\\\"Action\\\":\\\"s3:GetObject\\\"}]}\"}}\n"
    "]}},\n"
    " \"resource_changes\": [{\"address\": \"aws_db_instance.main\", \"change\": {\"after_unknown\":"
    " {\"storage_encrypted\": true, \"id\": true}}}]}\n";

static void test_terraform_plan(void)
{
    CHECK(scan_text("plan.json", tf_plan) == PP_OK, "collect: %s", last_error);
    const cJSON *r = res("#aws_db_instance.main");
    CHECK(r && cJSON_IsTrue(at(r, "publiclyAccessible")) && num(at(r, "backupRetentionPeriod")) == 0, "db values");
    CHECK(r && !at(r, "storageEncrypted") && is_str(at(r, "iacUnknown.0"), "storageEncrypted"),
          "a value known only after apply is left out");
    CHECK(res("#data.aws_caller_identity.me") == NULL, "data sources are skipped");
    r = res("#aws_s3_bucket.b");
    CHECK(r && is_str(at(r, "policy.Statement.0.Principal"), "*") && cJSON_IsNull(at(r, "publicAccessBlock")),
          "a bucket policy joined by the bucket name");
}

/* ---- Kubernetes and suppressions ------------------------------------------ */

static const char cronjob[] = "apiVersion: batch/v1\n"
                              "kind: CronJob\n"
                              "metadata: {name: nightly, namespace: jobs}\n"
                              "spec:\n"
                              "  schedule: '0 3 * * *'\n"
                              "  jobTemplate:\n"
                              "    spec:\n"
                              "      template:\n"
                              "        metadata: {labels: {app: nightly}}\n"
                              "        spec:\n"
                              "          containers:\n"
                              "            - name: run\n"
                              "              image: busybox\n"
                              "              env: [{name: TOKEN, value: s3cret}]\n"
                              "---\n"
                              "# parapet:ignore k8s-pod-run-as-root   vendor image, tracked in SEC-9\n"
                              "apiVersion: v1\n"
                              "kind: Pod\n"
                              "metadata: {name: p}\n"
                              "spec: {containers: [{name: c, image: 'x:1'}]}\n"
                              "---\n"
                              "apiVersion: v1\n"
                              "kind: Pod\n"
                              "metadata: {name: q}  # parapet:ignore\n"
                              "spec: {containers: []}\n";

static void test_k8s_and_suppressions(void)
{
    CHECK(scan_text("m.yaml", cronjob) == PP_OK, "collect: %s", last_error);
    const cJSON *r = res("doc1/CronJob/jobs/nightly");
    CHECK(r && is_str(cJSON_GetObjectItem(r, "type"), "k8s.pod"), "CronJob becomes a pod");
    CHECK(r && is_str(at(r, "metadata.ownerReferences.0.kind"), "CronJob") &&
              is_str(at(r, "spec.containers.0.image"), "busybox") && !at(r, "spec.containers.0.env") &&
              is_str(at(r, "metadata.labels.app"), "nightly"),
          "pod template, owner, no env");
    r = res("doc2/Pod/-/p");
    const cJSON *tags = r ? cJSON_GetObjectItem(r, "tags") : NULL;
    CHECK(is_str(cJSON_GetObjectItem(tags, "parapet:ignore:k8s-pod-run-as-root"), "vendor image, tracked in SEC-9"),
          "suppression from the comment above the document");
    CHECK(r && num(cJSON_GetObjectItem(r, "line")) == 17, "pod p at line 17");
    r = res("doc3/Pod/-/q");
    tags = r ? cJSON_GetObjectItem(r, "tags") : NULL;
    CHECK(r && cJSON_GetArraySize(tags) == 0, "a mark without a rule id is no suppression");
    r = res("doc1/CronJob/jobs/nightly");
    tags = r ? cJSON_GetObjectItem(r, "tags") : NULL;
    CHECK(tags && !cJSON_GetObjectItem(tags, "parapet:ignore:k8s-pod-run-as-root"),
          "a suppression does not leak to the document before");
}

/* A suppression belongs to the block it is in, or to the block right below its own line. */
static void test_suppression_scope(void)
{
    const char *t = "Resources:\n"
                    "  First:\n"
                    "    Type: AWS::EC2::Volume\n"
                    "    Properties:\n"
                    "      Size: 10\n"
                    "\n"
                    "  # parapet:ignore aws-ec2-volume-unencrypted test data only\n"
                    "  Second:\n"
                    "    Type: AWS::EC2::Volume\n"
                    "    Properties: {Size: 10}\n"
                    "  Third:\n"
                    "    Type: AWS::EC2::Volume\n"
                    "    Properties: {Size: 1}   # parapet:ignore aws-ec2-volume-unencrypted inline\n"
                    "  Fourth:\n"
                    "    Type: AWS::EC2::Volume\n"
                    "    Properties: {Size: 1}\n";
    static const char *const names[] = {"First", "Second", "Third", "Fourth"};
    static const char *const want[] = {NULL, "test data only", "inline", NULL};
    CHECK(scan_text("s.yaml", t) == PP_OK, "collect: %s", last_error);
    for (int i = 0; i < 4; i++) {
        char uid[64];
        snprintf(uid, sizeof uid, "#Resources/%s", names[i]);
        const cJSON *r = res(uid);
        const cJSON *tag =
            r ? cJSON_GetObjectItem(cJSON_GetObjectItem(r, "tags"), "parapet:ignore:aws-ec2-volume-unencrypted") : NULL;
        CHECK(r && (want[i] ? is_str(tag, want[i]) : tag == NULL), "%s: tag %s", names[i],
              tag ? tag->valuestring : "(none)");
    }
}

static void test_errors_name_the_file(void)
{
    CHECK(scan_text("bad.yaml", "a: [1, 2\n") != PP_OK, "broken YAML accepted");
    CHECK(strstr(last_error, "bad.yaml:") != NULL, "error names the file: %s", last_error);
    /* Not IaC at all: no resources, no error. */
    CHECK(scan_text("package.json", "{\"name\": \"x\", \"version\": \"1.0.0\"}") == PP_OK &&
              cJSON_GetArraySize(emitted) == 0,
          "an unrelated JSON file");
}

int main(void)
{
    load_plugin();
    if (!plugin)
        return test_summary();
    RUN(test_yaml_positions_and_scalars);
    RUN(test_yaml_limits);
    RUN(test_cfn_intrinsics);
    RUN(test_cfn_adapters);
    RUN(test_terraform_plan);
    RUN(test_k8s_and_suppressions);
    RUN(test_suppression_scope);
    RUN(test_errors_name_the_file);
    cJSON_Delete(emitted);
    return test_summary();
}
