/* core/host_services_stub.c - placeholder until core/http lands. */
#include "config.h"

#include "host_services.h"

int host_http_request(pp_host *h, const pp_http_request *req, pp_http_response **out)
{
    (void)h;
    (void)req;
    (void)out;
    return PP_ERR_IO;
}

void host_http_response_free(pp_http_response *resp)
{
    (void)resp;
}

void host_http_release(pp_host *h)
{
    (void)h;
}

int host_secret_resolve(pp_host *h, const char *ref, char **out, size_t *len)
{
    (void)h;
    (void)ref;
    (void)out;
    (void)len;
    return PP_ERR_NOTFOUND;
}
