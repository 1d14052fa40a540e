/*
 * cred_sts.c - temporary credentials from STS (AssumeRole) and the parsers
 * of the credential documents every source returns: the STS XML and the
 * JSON of ECS, IMDS and credential_process.
 */
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "aws_buf.h"
#include "aws_client.h"
#include "aws_creds.h"

void aws_creds_clear(aws_creds *c)
{
    aws_wipe_free(c->access_key_id);
    aws_wipe_free(c->secret_access_key);
    aws_wipe_free(c->session_token);
    explicit_bzero(c, sizeof *c);
}

int aws_creds_set(aws_creds *c, const char *akid, const char *secret, const char *token, time_t expires,
                  const char *source)
{
    aws_creds_clear(c);
    c->access_key_id = aws_strdup(akid);
    c->secret_access_key = aws_strdup(secret);
    c->session_token = aws_strdup(token);
    c->expires = expires;
    snprintf(c->source, sizeof c->source, "%s", source ? source : "");
    if (!c->access_key_id || !c->secret_access_key || (token && !c->session_token)) {
        aws_creds_clear(c);
        return -1;
    }
    return 0;
}

int aws_creds_copy(aws_creds *dst, const aws_creds *src)
{
    aws_creds tmp = {0};
    if (aws_creds_set(&tmp, src->access_key_id, src->secret_access_key, src->session_token, src->expires,
                      src->source) != 0)
        return -1;
    aws_creds_clear(dst);
    *dst = tmp;
    return 0;
}

time_t aws_parse_time(const char *s)
{
    if (!s)
        return -1;
    int y, mo, d, h, mi, se;
    char rest[40] = "";
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%39s", &y, &mo, &d, &h, &mi, &se, rest) < 6)
        return -1;
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return -1;
    const char *r = rest;
    if (*r == '.')
        for (r++; isdigit((unsigned char)*r); r++)
            ;
    if (strcmp(r, "Z") != 0 && strcmp(r, "+00:00") != 0 && *r != '\0')
        return -1;
    struct tm tm = {0};
    tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
    tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = se;
    return timegm(&tm);
}

static int plausible_key_id(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 16 || n > 128)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s))
            return 0;
    return 1;
}

static int finish(aws_creds *out, const char *id, const char *secret, const char *token, const char *exp,
                  const char *source, char *err, size_t errlen)
{
    if (!plausible_key_id(id)) {
        snprintf(err, errlen, "%s: AccessKeyId missing or malformed", source);
        return AWS_CRED_FAILED;
    }
    if (!secret || !*secret || strlen(secret) > 256) {
        snprintf(err, errlen, "%s: SecretAccessKey missing or malformed", source);
        return AWS_CRED_FAILED;
    }
    if (token && strlen(token) > 16384) {
        snprintf(err, errlen, "%s: session token longer than 16 KiB", source);
        return AWS_CRED_FAILED;
    }
    time_t e = 0;
    if (exp && *exp) {
        e = aws_parse_time(exp);
        if (e < 0) {
            snprintf(err, errlen, "%s: Expiration is not an RFC 3339 time", source);
            return AWS_CRED_FAILED;
        }
    }
    if (aws_creds_set(out, id, secret, token && *token ? token : NULL, e, source) != 0) {
        snprintf(err, errlen, "out of memory");
        return AWS_CRED_FAILED;
    }
    return AWS_CRED_FOUND;
}

int aws_creds_parse_sts_xml(const char *body, size_t len, aws_creds *out, const char *source, char *err,
                            size_t errlen)
{
    char xerr[160];
    xml_node *x = xml_parse(body, len, xerr, sizeof xerr);
    if (!x) {
        snprintf(err, errlen, "%s: %s", source, xerr);
        return AWS_CRED_FAILED;
    }
    const xml_node *cr = xml_find(x, "Credentials");
    int rc;
    if (!cr) {
        snprintf(err, errlen, "%s: the response has no Credentials", source);
        rc = AWS_CRED_FAILED;
    } else {
        rc = finish(out, xml_text_at(cr, "AccessKeyId"), xml_text_at(cr, "SecretAccessKey"),
                    xml_text_at(cr, "SessionToken"), xml_text_at(cr, "Expiration"), source, err, errlen);
    }
    /* the tree holds the secret: wipe its text before freeing */
    for (const xml_node *n = cr ? cr->child : NULL; n; n = n->next)
        explicit_bzero(n->text, strlen(n->text));
    xml_free(x);
    return rc;
}

int aws_creds_parse_json(const char *body, const char *token_key, aws_creds *out, const char *source, char *err,
                         size_t errlen)
{
    cJSON *j = body ? cJSON_Parse(body) : NULL;
    if (!cJSON_IsObject(j)) {
        snprintf(err, errlen, "%s: the credential document is not a JSON object", source);
        cJSON_Delete(j);
        return AWS_CRED_FAILED;
    }
    const char *code = cJSON_GetStringValue(cJSON_GetObjectItem(j, "Code"));
    int rc;
    if (code && strcmp(code, "Success") != 0) {
        snprintf(err, errlen, "%s: credential document says Code=%.40s", source, code);
        rc = AWS_CRED_FAILED;
    } else {
        cJSON *ver = cJSON_GetObjectItem(j, "Version");
        if (ver && (!cJSON_IsNumber(ver) || ver->valuedouble != 1)) {
            snprintf(err, errlen, "%s: unsupported credential document Version (want 1)", source);
            rc = AWS_CRED_FAILED;
        } else {
            rc = finish(out, cJSON_GetStringValue(cJSON_GetObjectItem(j, "AccessKeyId")),
                        cJSON_GetStringValue(cJSON_GetObjectItem(j, "SecretAccessKey")),
                        cJSON_GetStringValue(cJSON_GetObjectItem(j, token_key)),
                        cJSON_GetStringValue(cJSON_GetObjectItem(j, "Expiration")), source, err, errlen);
        }
    }
    for (cJSON *m = j->child; m; m = m->next)
        if (cJSON_IsString(m) && m->valuestring)
            explicit_bzero(m->valuestring, strlen(m->valuestring));
    cJSON_Delete(j);
    return rc;
}

int aws_creds_assume_role(aws_ctx *c, const aws_creds *source, const char *role_arn, const char *session_name,
                          const char *external_id, unsigned duration_s, aws_creds *out, char *err, size_t errlen)
{
    abuf body;
    abuf_init(&body);
    abuf_str(&body, "Action=AssumeRole&Version=2011-06-15");
    aws_form_param(&body, "RoleArn", role_arn);
    aws_form_param(&body, "RoleSessionName", session_name && *session_name ? session_name : "parapet");
    if (external_id && *external_id)
        aws_form_param(&body, "ExternalId", external_id);
    if (duration_s)
        abuf_fmt(&body, "&DurationSeconds=%u", duration_s);
    const char *region = getenv("AWS_REGION");
    if (!region || !*region)
        region = "us-east-1";
    aws_call call = {0};
    call.service = "sts";
    call.region = region;
    call.method = "POST";
    call.body = abuf_cstr(&body);
    call.body_len = body.len;
    call.content_type = "application/x-www-form-urlencoded; charset=utf-8";
    call.permission = "sts:AssumeRole";
    call.creds = source;
    aws_reply r;
    char src[48];
    snprintf(src, sizeof src, "assumed role");
    int rc = aws_call_do(c, &call, &r, err, errlen);
    abuf_free(&body);
    if (rc == AWS_OK) {
        rc = aws_creds_parse_sts_xml(r.body, r.len, out, src, err, errlen) == AWS_CRED_FOUND ? 0 : -1;
        explicit_bzero(r.body, r.len);
    } else {
        if (rc == AWS_E_DENIED)
            snprintf(err, errlen, "sts:AssumeRole on %.200s was denied (%s)", role_arn, r.code);
        else if (rc == AWS_E_NOTFOUND)
            snprintf(err, errlen, "sts:AssumeRole on %.200s failed: %s", role_arn, r.code);
        rc = -1;
    }
    aws_reply_free(&r);
    return rc;
}
