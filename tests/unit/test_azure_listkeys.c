/*
 * test_azure_listkeys.c - unit tests of the pure parts behind the azure
 * plugin's listKeys data plane: the storage account name read from a
 * service endpoint (hostile forms included), and arm_json_wipe_free, which
 * must leave no byte of a key in memory it hands back to the allocator
 * (checked with cJSON allocation hooks that look at each block as it is
 * freed). The network path is covered by tests/integration/azure_arm.sh
 * and azure_azurite.sh.
 */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../../plugins/azure/arm_client.h"
#include "../../plugins/azure/az_util.h"
#include "../support/test_check.h"

static void test_account_from_endpoint(void)
{
    static const struct {
        const char *ep, *want;
    } cases[] = {
        {"https://acmelogs.blob.core.windows.net/", "acmelogs"},
        {"https://acmelogs.blob.core.chinacloudapi.cn", "acmelogs"},
        {"http://127.0.0.1:10000/devstoreaccount1", "devstoreaccount1"},
        {"http://127.0.0.1:10000/devstoreaccount1/", "devstoreaccount1"},
        {"https://127.0.0.1:4443/acmeprivate/", "acmeprivate"},
        /* refused: too short, too long, upper case, not a name, no name at all */
        {"https://ab.blob.core.windows.net/", NULL},
        {"https://abcdefghijklmnopqrstuvwxy.blob.core.windows.net/", NULL},
        {"https://AcmeLogs.blob.core.windows.net/", NULL},
        {"http://127.0.0.1:10000/dev-store", NULL},
        {"http://127.0.0.1:10000/../etc", NULL},
        {"https://acmelogs.queue.core.windows.net", NULL},
        {"https://example.com", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = az_storage_account_from_endpoint(cases[i].ep);
        if (cases[i].want)
            CHECK(got && strcmp(got, cases[i].want) == 0, "%s -> %s, not %s", cases[i].ep, got ? got : "NULL",
                  cases[i].want);
        else
            CHECK(got == NULL, "%s should be refused, got %s", cases[i].ep, got);
        free(got);
    }
}

/* Allocation hooks: a size header before each block, and a scan for the marker when it is freed. */
#define MARKER "K3yM4terial"
static int g_leaked; /* blocks freed while still holding the marker */

static void *hook_malloc(size_t n)
{
    size_t *p = malloc(sizeof(size_t) + n);
    if (!p)
        return NULL;
    *p = n;
    return p + 1;
}

static void hook_free(void *q)
{
    if (!q)
        return;
    size_t *p = (size_t *)q - 1;
    size_t n = *p, m = strlen(MARKER);
    const char *b = q;
    for (size_t i = 0; n >= m && i <= n - m; i++)
        if (memcmp(b + i, MARKER, m) == 0) {
            g_leaked++;
            break;
        }
    free(p);
}

static void test_json_wipe(void)
{
    cJSON_Hooks h = {hook_malloc, hook_free};
    cJSON_InitHooks(&h);
    static const char body[] =
        "{\"keys\":[{\"keyName\":\"key1\",\"value\":\"" MARKER "AAAA==\",\"permissions\":\"FULL\"},"
        "{\"keyName\":\"key2\",\"value\":\"" MARKER "BBBB==\",\"permissions\":\"FULL\"}],"
        "\"nested\":{\"" MARKER "\":[\"" MARKER "\"]}}";
    /* the check can fail: a plain cJSON_Delete leaves the key in the freed blocks */
    g_leaked = 0;
    cJSON_Delete(cJSON_Parse(body));
    CHECK(g_leaked > 0, "the hooks see key bytes in blocks freed without wiping (%d)", g_leaked);
    g_leaked = 0;
    arm_json_wipe_free(cJSON_Parse(body));
    CHECK(g_leaked == 0, "arm_json_wipe_free freed %d block(s) still holding key bytes", g_leaked);
    arm_json_wipe_free(NULL); /* fine */
    cJSON_InitHooks(NULL);
}

int main(void)
{
    RUN(test_account_from_endpoint);
    RUN(test_json_wipe);
    return test_summary();
}
