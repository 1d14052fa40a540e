/*
 * collect_iam_root.c - the account's root user (aws.iam.root_user), from
 * the IAM credential report (GenerateCredentialReport until COMPLETE, then
 * GetCredentialReport: base64 CSV, the row "<root_account>"), the account
 * summary (AccountMFAEnabled, AccountAccessKeysPresent) and the virtual MFA
 * devices (a root MFA that is not virtual is a hardware device).
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "aws_buf.h"
#include "collectors.h"
#include "pagination.h"

#define IAM_VERSION "2010-05-08"
#define IAM_REGION "us-east-1"
#define ROOT_WHAT "aws.iam.root_user"
#define REPORT_MAX (32u * 1024u * 1024u)
#define CSV_COLS 32

static int iam_once(aws_ctx *c, aws_task *t, const char *action, const char *uid, xml_node **root)
{
    char perm[80], err[AWS_ERR_LEN] = "";
    snprintf(perm, sizeof perm, "iam:%s", action);
    int rc = aws_query_call(c, "iam", IAM_REGION, action, IAM_VERSION, NULL, perm, root, err, sizeof err);
    if (rc != AWS_OK && rc != AWS_E_NOTFOUND)
        collector_outcome(c, t, rc, perm, ROOT_WHAT, uid, err, err);
    return rc;
}

/* Split one CSV line (no quoting: the report has none) in place. */
static size_t split_csv(char *line, char **cols, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        cols[n++] = p;
        char *comma = strchr(p, ',');
        if (!comma)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    return n;
}

static int col_index(char **hdr, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(hdr[i], name) == 0)
            return (int)i;
    return -1;
}

/* a report date column: a time, or null for N/A, no_information, not_supported */
static void report_time(cJSON *d, const char *key, char **row, size_t n, int idx)
{
    const char *v = idx >= 0 && (size_t)idx < n ? row[idx] : NULL;
    if (v && strlen(v) >= 10 && v[4] == '-' && v[0] >= '0' && v[0] <= '9')
        cJSON_AddStringToObject(d, key, v);
    else
        cJSON_AddNullToObject(d, key);
}

static void report_bool(cJSON *d, const char *key, char **row, size_t n, int idx)
{
    const char *v = idx >= 0 && (size_t)idx < n ? row[idx] : NULL;
    if (v && (strcmp(v, "true") == 0 || strcmp(v, "false") == 0))
        cJSON_AddBoolToObject(d, key, strcmp(v, "true") == 0);
}

int aws_credential_report_root(char *csv, cJSON *d, char *err, size_t errlen)
{
    char *save = NULL, *hdr_line = strtok_r(csv, "\r\n", &save);
    char *hdr[CSV_COLS], *row[CSV_COLS];
    size_t nh = hdr_line ? split_csv(hdr_line, hdr, CSV_COLS) : 0;
    int i_user = nh ? col_index(hdr, nh, "user") : -1;
    if (i_user < 0) {
        snprintf(err, errlen, "iam:GetCredentialReport: the report has no 'user' column");
        return -1;
    }
    for (char *line = strtok_r(NULL, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        size_t nr = split_csv(line, row, CSV_COLS);
        if ((size_t)i_user >= nr || strcmp(row[i_user], "<root_account>") != 0)
            continue;
        report_bool(d, "mfaActive", row, nr, col_index(hdr, nh, "mfa_active"));
        report_time(d, "passwordLastUsed", row, nr, col_index(hdr, nh, "password_last_used"));
        report_bool(d, "accessKey1Active", row, nr, col_index(hdr, nh, "access_key_1_active"));
        report_time(d, "accessKey1LastUsedDate", row, nr, col_index(hdr, nh, "access_key_1_last_used_date"));
        report_bool(d, "accessKey2Active", row, nr, col_index(hdr, nh, "access_key_2_active"));
        report_time(d, "accessKey2LastUsedDate", row, nr, col_index(hdr, nh, "access_key_2_last_used_date"));
        report_bool(d, "cert1Active", row, nr, col_index(hdr, nh, "cert_1_active"));
        return 0;
    }
    snprintf(err, errlen, "iam:GetCredentialReport: no <root_account> row");
    return -1;
}

/* The credential report into @d; nonzero when it could not be read. */
static int credential_report(aws_ctx *c, aws_task *t, const char *uid, cJSON *d)
{
    for (int i = 0; i < 20; i++) {
        xml_node *root = NULL;
        int rc = iam_once(c, t, "GenerateCredentialReport", uid, &root);
        const char *state =
            rc == AWS_OK ? xml_text_at(xml_find(root, "GenerateCredentialReportResult"), "State") : NULL;
        int done = state && strcmp(state, "COMPLETE") == 0;
        xml_free(root);
        if (rc != AWS_OK)
            return -1;
        if (done)
            break;
        if (aws_sleep_ms(c, 500) != 0)
            return -1;
    }
    xml_node *root = NULL;
    if (iam_once(c, t, "GetCredentialReport", uid, &root) != AWS_OK)
        return -1;
    const char *b64 = xml_text_at(xml_find(root, "GetCredentialReportResult"), "Content");
    char err[AWS_ERR_LEN] = "";
    size_t n = b64 ? strlen(b64) : 0;
    int ok = -1;
    if (!b64 || n == 0 || n > REPORT_MAX || n % 4 != 0) {
        snprintf(err, sizeof err, "iam:GetCredentialReport: Content is not base64 text");
    } else {
        unsigned char *csv = malloc(n / 4 * 3 + 1);
        int len = csv ? EVP_DecodeBlock(csv, (const unsigned char *)b64, (int)n) : -1;
        if (len < 0) {
            snprintf(err, sizeof err, "iam:GetCredentialReport: Content is not base64 text");
        } else {
            csv[len] = '\0';
            ok = aws_credential_report_root((char *)csv, d, err, sizeof err);
        }
        free(csv);
    }
    xml_free(root);
    if (ok != 0)
        collector_outcome(c, t, AWS_E_FAIL, "iam:GetCredentialReport", ROOT_WHAT, uid, err, err);
    return ok;
}

typedef struct mfa_scan {
    const char *root_arn;
    int virtual_root;
} mfa_scan;

static int vmfa_page(aws_ctx *c, aws_task *t, const xml_node *root, void *ud)
{
    (void)c, (void)t;
    mfa_scan *m = ud;
    for (const xml_node *d = xml_path(xml_find(root, "VirtualMFADevices"), "member"); d; d = xml_next(d)) {
        const char *user = xml_text_at(d, "User/Arn");
        const char *serial = xml_text_at(d, "SerialNumber");
        if ((user && strcmp(user, m->root_arn) == 0) || (serial && strstr(serial, ":mfa/root-account-mfa-device")))
            m->virtual_root = 1;
    }
    return AWS_OK;
}

int collect_iam_root(aws_ctx *c, aws_task *t)
{
    char uid[100];
    snprintf(uid, sizeof uid, "arn:aws:iam::%s:root", t->account);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "arn", uid);
    if (credential_report(c, t, uid, d) != 0) {
        cJSON_Delete(d);
        return aws_cancelled(c) ? PP_ERR_CANCELLED : PP_OK;
    }
    xml_node *root = NULL;
    if (iam_once(c, t, "GetAccountSummary", uid, &root) == AWS_OK) {
        for (const xml_node *e = xml_path(xml_find(root, "SummaryMap"), "entry"); e; e = xml_next(e)) {
            const char *k = xml_text_at(e, "key"), *v = xml_text_at(e, "value");
            if (!k || !v)
                continue;
            if (strcmp(k, "AccountMFAEnabled") == 0)
                cJSON_AddBoolToObject(d, "accountMfaEnabled", strcmp(v, "1") == 0);
            else if (strcmp(k, "AccountAccessKeysPresent") == 0)
                cJSON_AddBoolToObject(d, "accountAccessKeysPresent", strcmp(v, "1") == 0);
        }
    }
    xml_free(root);
    mfa_scan m = {uid, 0};
    char err[AWS_ERR_LEN] = "";
    aws_pager p = {"iam",
                   IAM_REGION,
                   "ListVirtualMFADevices",
                   IAM_VERSION,
                   "&AssignmentStatus=Assigned",
                   "iam:ListVirtualMFADevices",
                   "Marker",
                   "Marker",
                   "IsTruncated"};
    int rc = aws_query_paginate(c, t, &p, vmfa_page, &m, err, sizeof err);
    if (rc == AWS_OK) {
        cJSON *active = cJSON_GetObjectItemCaseSensitive(d, "mfaActive");
        cJSON_AddBoolToObject(d, "virtualMfa", m.virtual_root);
        cJSON_AddBoolToObject(d, "hardwareMfa", cJSON_IsTrue(active) && !m.virtual_root);
    } else if (collector_outcome(c, t, rc, "iam:ListVirtualMFADevices", ROOT_WHAT, uid, err, err)) {
        cJSON_Delete(d);
        return PP_ERR_CANCELLED;
    }
    return aws_emit_resource(c, t, "aws.iam.root_user", uid, "root", NULL, d, NULL) == PP_ERR_CANCELLED
               ? PP_ERR_CANCELLED
               : PP_OK;
}
