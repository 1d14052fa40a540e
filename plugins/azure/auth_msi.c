/*
 * auth_msi.c - managed identity tokens: the Azure Instance Metadata
 * Service (VMs, VM scale sets, AKS nodes) at 169.254.169.254, or App
 * Service / Functions / Container Apps' IDENTITY_ENDPOINT with its
 * IDENTITY_HEADER. Both take a resource (the scope without "/.default")
 * and an optional client id of a user-assigned identity.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "az_token.h"
#include "az_util.h"
#include "azure_ctx.h"

int az_auth_msi(azure_ctx *c, const az_cred *cr, const char *scope, az_token *out, char *err, size_t errlen)
{
    char resource[300];
    snprintf(resource, sizeof resource, "%s", scope);
    size_t rl = strlen(resource);
    if (rl > 9 && strcmp(resource + rl - 9, "/.default") == 0)
        resource[rl - 8] = '\0'; /* keep the trailing '/' ARM's resource id has */
    char *e_res = az_form_encode(resource);
    char *e_cid = cr->client_id ? az_form_encode(cr->client_id) : NULL;
    if (!e_res || (cr->client_id && !e_cid)) {
        free(e_res);
        free(e_cid);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    const char *app_ep = getenv("IDENTITY_ENDPOINT");
    const char *app_hdr = getenv("IDENTITY_HEADER");
    char url[1024];
    pp_http_header hd[2];
    size_t nh = 0;
    const char *where;
    if (app_ep && *app_ep && app_hdr && *app_hdr) {
        where = "App Service identity endpoint";
        snprintf(url, sizeof url, "%s?api-version=2019-08-01&resource=%s%s%s", app_ep, e_res,
                 e_cid ? "&client_id=" : "", e_cid ? e_cid : "");
        hd[nh++] = (pp_http_header){"X-IDENTITY-HEADER", app_hdr};
    } else {
        where = "instance metadata service";
        snprintf(url, sizeof url, "%s/metadata/identity/oauth2/token?api-version=2018-02-01&resource=%s%s%s",
                 c->imds_endpoint, e_res, e_cid ? "&client_id=" : "", e_cid ? e_cid : "");
        hd[nh++] = (pp_http_header){"Metadata", "true"};
    }
    free(e_res);
    free(e_cid);
    pp_http_response *r = NULL;
    char herr[400];
    if (az_http(c, "GET", url, hd, nh, NULL, 0, "managed identity token", &r, herr, sizeof herr) != PP_OK) {
        snprintf(err, errlen, "no managed identity: the %s did not answer (%s)", where, herr);
        return -1;
    }
    char why[400];
    int rc = az_token_parse(r->body, r->body_len, az_now(), out, why, sizeof why);
    if (rc != 0 || r->status != 200) {
        if (rc == 0) {
            az_wipe_free(out->token);
            out->token = NULL;
            snprintf(why, sizeof why, "unexpected answer");
        }
        snprintf(err, errlen, "managed identity token from the %s failed: HTTP %ld: %s", where, r->status, why);
        rc = -1;
    }
    c->api->http_free(c->h, r);
    return rc;
}
