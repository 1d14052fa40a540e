/*
 * cred_profile.c - credentials from the shared config and credentials
 * files, for one profile: static keys, credential_process, web identity,
 * or role_arn assumed from a source_profile (recursively, at most 8 deep,
 * cycles refused) or a credential_source (Environment,
 * Ec2InstanceMetadata, EcsContainer), with external_id,
 * role_session_name and duration_seconds. A key in the credentials file
 * wins over the same key in the config file, as in the AWS CLI.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_ctx.h"
#include "aws_creds.h"
#include "aws_ini.h"

#define PROFILE_MAX_DEPTH 8

typedef struct files {
    ini_file config, creds;
} files;

static const char *get(const files *f, const char *profile, const char *key)
{
    const char *v = ini_get(&f->creds, profile, key);
    return v ? v : ini_get(&f->config, profile, key);
}

static int resolve(aws_ctx *c, const files *f, const char *name, int depth, const char **chain, aws_creds *out,
                   char *err, size_t errlen);

static int source_credentials(aws_ctx *c, const files *f, const char *name, int depth, const char **chain,
                              aws_creds *src, char *err, size_t errlen)
{
    const char *sp = get(f, name, "source_profile");
    const char *cs = get(f, name, "credential_source");
    if (sp && cs) {
        snprintf(err, errlen, "profile %s: source_profile and credential_source are exclusive", name);
        return AWS_CRED_FAILED;
    }
    if (sp) {
        if (strcmp(sp, name) == 0) {
            /* a profile may name itself to use its own static keys */
            const char *id = get(f, name, "aws_access_key_id"), *sk = get(f, name, "aws_secret_access_key");
            if (!id || !sk) {
                snprintf(err, errlen, "profile %s: source_profile is itself but it has no static keys", name);
                return AWS_CRED_FAILED;
            }
            return aws_creds_set(src, id, sk, get(f, name, "aws_session_token"), 0, "profile") == 0
                       ? AWS_CRED_FOUND
                       : AWS_CRED_FAILED;
        }
        return resolve(c, f, sp, depth + 1, chain, src, err, errlen);
    }
    if (cs) {
        int rc;
        if (strcmp(cs, "Environment") == 0)
            rc = aws_creds_from_env(src, err, errlen);
        else if (strcmp(cs, "Ec2InstanceMetadata") == 0)
            rc = aws_creds_from_imds(c, src, err, errlen);
        else if (strcmp(cs, "EcsContainer") == 0)
            rc = aws_creds_from_ecs(c, src, err, errlen);
        else {
            snprintf(err, errlen, "profile %s: unknown credential_source (Environment, Ec2InstanceMetadata, "
                                  "EcsContainer)", name);
            return AWS_CRED_FAILED;
        }
        if (rc == AWS_CRED_ABSENT) {
            snprintf(err, errlen, "profile %s: credential_source %s has no credentials", name, cs);
            rc = AWS_CRED_FAILED;
        }
        return rc;
    }
    snprintf(err, errlen, "profile %s: role_arn needs source_profile or credential_source", name);
    return AWS_CRED_FAILED;
}

static int resolve(aws_ctx *c, const files *f, const char *name, int depth, const char **chain, aws_creds *out,
                   char *err, size_t errlen)
{
    if (depth >= PROFILE_MAX_DEPTH) {
        snprintf(err, errlen, "profile %s: source_profile chain deeper than %d", name, PROFILE_MAX_DEPTH);
        return AWS_CRED_FAILED;
    }
    for (int i = 0; i < depth; i++)
        if (strcmp(chain[i], name) == 0) {
            snprintf(err, errlen, "profile %s: source_profile loop", name);
            return AWS_CRED_FAILED;
        }
    chain[depth] = name;
    if (!ini_has_section(&f->config, name) && !ini_has_section(&f->creds, name)) {
        snprintf(err, errlen, "profile %s is not in the shared config or credentials file", name);
        return depth == 0 ? AWS_CRED_ABSENT : AWS_CRED_FAILED;
    }
    char source[48];
    snprintf(source, sizeof source, "profile %.30s", name);
    const char *role = get(f, name, "role_arn");
    if (role) {
        const char *wif = get(f, name, "web_identity_token_file");
        const char *session = get(f, name, "role_session_name");
        if (wif)
            return aws_creds_web_identity(c, role, session, wif, out, err, errlen) == 0 ? AWS_CRED_FOUND
                                                                                      : AWS_CRED_FAILED;
        unsigned duration = 0;
        const char *ds = get(f, name, "duration_seconds");
        if (ds) {
            char *end;
            unsigned long v = strtoul(ds, &end, 10);
            if (*end || v < 900 || v > 43200) {
                snprintf(err, errlen, "profile %s: duration_seconds must be 900..43200", name);
                return AWS_CRED_FAILED;
            }
            duration = (unsigned)v;
        }
        aws_creds src = {0};
        int rc = source_credentials(c, f, name, depth, chain, &src, err, errlen);
        if (rc != AWS_CRED_FOUND) {
            aws_creds_clear(&src);
            return AWS_CRED_FAILED;
        }
        rc = aws_creds_assume_role(c, &src, role, session, get(f, name, "external_id"), duration, out, err,
                                   errlen) == 0
                 ? AWS_CRED_FOUND
                 : AWS_CRED_FAILED;
        aws_creds_clear(&src);
        if (rc == AWS_CRED_FOUND)
            snprintf(out->source, sizeof out->source, "%.38s (role)", source);
        return rc;
    }
    const char *proc = get(f, name, "credential_process");
    if (proc)
        return aws_creds_from_process(proc, out, err, errlen);
    const char *id = get(f, name, "aws_access_key_id"), *sk = get(f, name, "aws_secret_access_key");
    if (id && sk)
        return aws_creds_set(out, id, sk, get(f, name, "aws_session_token"), 0, source) == 0 ? AWS_CRED_FOUND
                                                                                             : AWS_CRED_FAILED;
    if (id || sk) {
        snprintf(err, errlen, "profile %s: aws_access_key_id and aws_secret_access_key go together", name);
        return AWS_CRED_FAILED;
    }
    snprintf(err, errlen, "profile %s has no credentials (keys, credential_process or role_arn)", name);
    return depth == 0 ? AWS_CRED_ABSENT : AWS_CRED_FAILED;
}

int aws_creds_from_profile(aws_ctx *c, const char *profile, aws_creds *out, char *err, size_t errlen)
{
    int explicit_profile = 1;
    if (!profile || !*profile)
        profile = getenv("AWS_PROFILE");
    if (!profile || !*profile)
        profile = "default", explicit_profile = 0;
    const char *home = getenv("HOME");
    char cfg[4096], crd[4096];
    const char *e1 = getenv("AWS_CONFIG_FILE"), *e2 = getenv("AWS_SHARED_CREDENTIALS_FILE");
    if (e1 && *e1)
        snprintf(cfg, sizeof cfg, "%s", e1);
    else
        snprintf(cfg, sizeof cfg, "%s/.aws/config", home ? home : "");
    if (e2 && *e2)
        snprintf(crd, sizeof crd, "%s", e2);
    else
        snprintf(crd, sizeof crd, "%s/.aws/credentials", home ? home : "");
    files f;
    memset(&f, 0, sizeof f);
    if (ini_load(cfg, 1, &f.config, err, errlen) != 0 || ini_load(crd, 0, &f.creds, err, errlen) != 0) {
        ini_free(&f.config), ini_free(&f.creds);
        return AWS_CRED_FAILED;
    }
    const char *chain[PROFILE_MAX_DEPTH];
    int rc = resolve(c, &f, profile, 0, chain, out, err, errlen);
    if (rc == AWS_CRED_ABSENT && explicit_profile)
        rc = AWS_CRED_FAILED; /* the user named a profile: not finding it is an error */
    ini_free(&f.config), ini_free(&f.creds);
    return rc;
}
