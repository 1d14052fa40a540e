/*
 * collect_acm.c - ACM certificates of one region (JSON 1.1, X-Amz-Target
 * CertificateManager.<Operation>): ListCertificates (NextToken; with
 * Includes.keyTypes naming every key type, because without it ACM lists
 * only RSA_2048 certificates), then DescribeCertificate per certificate
 * for its expiry, key algorithm, use and renewal eligibility. Shape:
 * aws.acm.certificate in docs/resources/aws.md. Private keys and
 * certificate bodies are never fetched.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_json.h"
#include "collectors.h"
#include "pagination.h"

#define ACM_PREFIX "CertificateManager"
#define ACM_WHAT "aws.acm.certificate"
#define ACM_MAX_CERTS 100000

/* Every key type ACM knows (the API reference's KeyAlgorithm enumeration). */
#define ACM_LIST_BODY                                                                                                  \
    "{\"MaxItems\":1000,\"Includes\":{\"keyTypes\":[\"RSA_1024\",\"RSA_2048\",\"RSA_3072\",\"RSA_4096\","              \
    "\"EC_prime256v1\",\"EC_secp384r1\",\"EC_secp521r1\"]}}"

static int certs_page(aws_ctx *c, aws_task *t, const cJSON *page, void *ud)
{
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(page, "CertificateSummaryList"))
    {
        const char *arn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "CertificateArn"));
        if (!arn || strncmp(arn, "arn:", 4) != 0 || strlen(arn) > 300)
            continue;
        if (cJSON_GetArraySize(ud) >= ACM_MAX_CERTS) {
            aws_log(c, PP_LOG_WARN, "%s: more than %d certificates; the rest are skipped", t->id, ACM_MAX_CERTS);
            return AWS_OK;
        }
        cJSON_AddItemToArray(ud, cJSON_CreateString(arn));
    }
    return AWS_OK;
}

/* One certificate. Returns AWS_OK, or AWS_E_CANCELLED. */
static int one_cert(aws_ctx *c, aws_task *t, const char *arn)
{
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "CertificateArn", arn);
    char *body = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    cJSON *reply = NULL;
    int rc = body ? collector_json(c, t, "acm", ACM_PREFIX, "DescribeCertificate", body, "acm:DescribeCertificate",
                                   ACM_WHAT, arn, &reply)
                  : AWS_E_FAIL;
    cJSON_free(body);
    const cJSON *ce = cJSON_GetObjectItemCaseSensitive(reply, "Certificate");
    if (rc != AWS_OK || !cJSON_IsObject(ce)) {
        if (rc == AWS_OK) {
            t->errors++;
            aws_set_error("%s: acm:DescribeCertificate of %s returned no Certificate", t->id, arn);
        }
        cJSON_Delete(reply);
        return rc == AWS_E_CANCELLED ? AWS_E_CANCELLED : AWS_OK;
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "certificateArn", arn);
    aj_copy(d, "domainName", ce, "DomainName");
    cJSON_AddItemToObject(d, "subjectAlternativeNames", aj_string_list(ce, "SubjectAlternativeNames"));
    aj_copy(d, "status", ce, "Status");
    aj_copy(d, "type", ce, "Type");
    aj_copy(d, "keyAlgorithm", ce, "KeyAlgorithm");
    aj_copy(d, "signatureAlgorithm", ce, "SignatureAlgorithm");
    aj_copy(d, "issuer", ce, "Issuer");
    aj_time(d, "notBefore", ce, "NotBefore", 1);
    aj_time(d, "notAfter", ce, "NotAfter", 1);
    aj_time(d, "createdAt", ce, "CreatedAt", 0);
    aj_time(d, "importedAt", ce, "ImportedAt", 0);
    aj_time(d, "issuedAt", ce, "IssuedAt", 0);
    cJSON *in_use = aj_string_list(ce, "InUseBy");
    cJSON_AddBoolToObject(d, "inUse", cJSON_GetArraySize(in_use) > 0);
    cJSON_AddItemToObject(d, "inUseBy", in_use);
    aj_copy_or_null(d, "renewalEligibility", ce, "RenewalEligibility");
    const cJSON *rs = cJSON_GetObjectItemCaseSensitive(ce, "RenewalSummary");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(rs, "RenewalStatus");
    cJSON_AddItemToObject(d, "renewalStatus",
                          cJSON_IsString(status) ? cJSON_CreateString(status->valuestring) : cJSON_CreateNull());
    const cJSON *opts = cJSON_GetObjectItemCaseSensitive(ce, "Options");
    aj_copy(d, "certificateTransparencyLoggingPreference", opts, "CertificateTransparencyLoggingPreference");
    const char *dn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ce, "DomainName"));
    char name[300];
    snprintf(name, sizeof name, "%s", dn && *dn ? dn : arn);
    cJSON_Delete(reply);
    return aws_emit_resource(c, t, ACM_WHAT, arn, name, t->region, d, NULL) == PP_ERR_CANCELLED ? AWS_E_CANCELLED
                                                                                                : AWS_OK;
}

int collect_acm(aws_ctx *c, aws_task *t)
{
    char err[AWS_ERR_LEN] = "", scope[200];
    snprintf(scope, sizeof scope, "arn:aws:acm:%s:%s:", t->region, t->account);
    cJSON *arns = cJSON_CreateArray();
    aws_pager p = {"acm",       t->region,     "ListCertificates",
                   ACM_PREFIX,  ACM_LIST_BODY, "acm:ListCertificates",
                   "NextToken", "NextToken",   NULL};
    int rc = aws_json_paginate(c, t, &p, certs_page, arns, err, sizeof err);
    int stop = collector_outcome(c, t, rc, "acm:ListCertificates", ACM_WHAT, scope, err, err);
    const cJSON *a;
    cJSON_ArrayForEach(a, arns)
    {
        if (stop || one_cert(c, t, a->valuestring) == AWS_E_CANCELLED) {
            stop = 1;
            break;
        }
    }
    cJSON_Delete(arns);
    if (stop || aws_cancelled(c))
        return PP_ERR_CANCELLED;
    return t->errors ? PP_ERR : PP_OK;
}
