/* tests/unit/test_core_config.c - INI configuration (core/settings.c) and
 * plugin config validation against JSON Schema (core/schema.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schema.h"
#include "settings.h"
#include "testlib.h"

static char *write_tmp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/pp-conf-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    if (write(fd, text, strlen(text)) < 0) {
        close(fd);
        return NULL;
    }
    close(fd);
    return path;
}

static void test_ini(void)
{
    char err[256];
    pp_config *c = config_new();
    char *p = write_tmp("# comment\n[core]\njobs = 4\n\n[plugin.aws]\nregions = \"us-east-1,eu-west-1\"\n"
                        "; another\nprofile=prod\n");
    CHECK(config_load_file(c, p, 1, err, sizeof err) == 0);
    unlink(p);
    CHECK_STR(config_get(c, "core", "jobs", NULL), "4");
    CHECK_STR(config_get(c, "aws", "regions", NULL), "us-east-1,eu-west-1");
    CHECK_STR(config_get(c, "aws", "profile", NULL), "prod");
    CHECK_STR(config_get(c, "aws", "nothing", "dflt"), "dflt");
    /* later layers override */
    CHECK(config_set_option(c, "aws.profile=dev", err, sizeof err) == 0);
    CHECK_STR(config_get(c, "aws", "profile", NULL), "dev");
    CHECK(config_set_option(c, "noequals", err, sizeof err) != 0);
    CHECK_CONTAINS(err, "PLUGIN.KEY=VALUE");
    CHECK(config_set_option(c, ".x=1", err, sizeof err) != 0);
    CHECK(config_set_option(c, "aws.=1", err, sizeof err) != 0);
    /* the value may contain '=' and '.' */
    CHECK(config_set_option(c, "aws.url=https://a.b/?x=1", err, sizeof err) == 0);
    CHECK_STR(config_get(c, "aws", "url", NULL), "https://a.b/?x=1");
    config_free(c);

    /* errors name the file and line */
    const char *bad[] = {"[core]\nno equals sign here\n", "[weird]\n", "[core\n", "[plugin.]\n", "=1\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        c = config_new();
        p = write_tmp(bad[i]);
        CHECK(config_load_file(c, p, 1, err, sizeof err) != 0);
        CHECK_CONTAINS(err, p);
        unlink(p);
        config_free(c);
    }
    c = config_new();
    CHECK(config_load_file(c, "/nonexistent/parapet.conf", 0, err, sizeof err) == 0);
    CHECK(config_load_file(c, "/nonexistent/parapet.conf", 1, err, sizeof err) != 0);
    /* a symlinked config file is refused */
    p = write_tmp("[core]\n");
    char link[80];
    snprintf(link, sizeof link, "%s.lnk", p);
    CHECK(symlink(p, link) == 0);
    CHECK(config_load_file(c, link, 1, err, sizeof err) != 0);
    CHECK_CONTAINS(err, "symbolic link");
    unlink(link);
    unlink(p);
    config_free(c);
}

static const char *schema = "{\"type\":\"object\",\"additionalProperties\":false,"
                            "\"required\":[\"region\"],"
                            "\"properties\":{"
                            "\"region\":{\"type\":\"string\",\"pattern\":\"^[a-z]+-[a-z]+-[0-9]$\"},"
                            "\"jobs\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":64,\"default\":8},"
                            "\"verbose\":{\"type\":\"boolean\"},"
                            "\"mode\":{\"enum\":[\"fast\",\"full\"]},"
                            "\"accounts\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
                            "\"ports\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}}}";

static int apply(const char *json, char *err, size_t errlen, char **out)
{
    cJSON *c = cJSON_Parse(json);
    int rc = schema_apply(schema, c, err, errlen);
    if (out)
        *out = cJSON_PrintUnformatted(c);
    cJSON_Delete(c);
    return rc;
}

static void test_schema(void)
{
    char err[256];
    char *out = NULL;
    CHECK(schema_check(schema, err, sizeof err) == 0);
    /* strings from the command line become the declared types; defaults fill in */
    CHECK(apply("{\"region\":\"us-east-1\",\"verbose\":\"true\",\"accounts\":\"1,2\",\"ports\":\"22,3389\"}", err,
                sizeof err, &out) == 0);
    CHECK_STR(out, "{\"region\":\"us-east-1\",\"verbose\":true,\"accounts\":[\"1\",\"2\"],\"ports\":[22,3389],"
                   "\"jobs\":8}");
    free(out);
    CHECK(apply("{\"region\":\"us-east-1\",\"jobs\":\"4\"}", err, sizeof err, &out) == 0);
    CHECK_CONTAINS(out, "\"jobs\":4");
    free(out);
    struct {
        const char *json, *msg;
    } bad[] = {
        {"{}", "region: required key is missing"},
        {"{\"region\":\"nowhere\"}", "region: does not match the pattern"},
        {"{\"region\":\"us-east-1\",\"jobs\":\"0\"}", "jobs: must be at least 1"},
        {"{\"region\":\"us-east-1\",\"jobs\":\"100\"}", "jobs: must be at most 64"},
        {"{\"region\":\"us-east-1\",\"jobs\":\"many\"}", "jobs: must be of type integer"},
        {"{\"region\":\"us-east-1\",\"jobs\":2.5}", "jobs: must be of type integer"},
        {"{\"region\":\"us-east-1\",\"verbose\":\"maybe\"}", "verbose: must be of type boolean"},
        {"{\"region\":\"us-east-1\",\"mode\":\"slow\"}", "mode: must be one of"},
        {"{\"region\":\"us-east-1\",\"colour\":\"red\"}", "colour: unknown key"},
        {"{\"region\":\"us-east-1\",\"ports\":\"22,ssh\"}", "ports[1]: must be of type integer"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(apply(bad[i].json, err, sizeof err, NULL) != 0);
        CHECK_CONTAINS(err, bad[i].msg);
    }
    /* broken schemas are caught when the plugin loads */
    CHECK(schema_check("{\"type\":\"objekt\"}", err, sizeof err) != 0);
    CHECK(schema_check("{\"properties\":{\"a\":{\"pattern\":\"(\"}}}", err, sizeof err) != 0);
    CHECK(schema_check("not json", err, sizeof err) != 0);
    /* no schema: no keys accepted */
    cJSON *c = cJSON_Parse("{\"x\":1}");
    CHECK(schema_apply(NULL, c, err, sizeof err) != 0);
    cJSON_Delete(c);
}

int main(void)
{
    test_ini();
    test_schema();
    return test_summary("test_core_config");
}
