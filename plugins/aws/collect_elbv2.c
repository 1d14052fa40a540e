/*
 * collect_elbv2.c - Elastic Load Balancing v2 (application, network and
 * gateway load balancers) of one region; query protocol, XML, version
 * 2015-12-01, signing name elasticloadbalancing. DescribeLoadBalancers
 * (Marker in, NextMarker out), then per load balancer DescribeListeners
 * (the same pagination) and DescribeLoadBalancerAttributes (access logs,
 * deletion protection, invalid header handling). Listeners are members of
 * their load balancer. Shape: aws.elbv2.load_balancer in
 * docs/resources/aws.md.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_buf.h"
#include "collectors.h"
#include "pagination.h"

#define ELB_SERVICE "elasticloadbalancing"
#define ELB_VERSION "2015-12-01"
#define ELB_WHAT "aws.elbv2.load_balancer"
#define ELB_MAX_LBS 20000
#define ELB_MAX_LISTENERS 1000 /* AWS allows 50 per load balancer */

/* What the DescribeLoadBalancers pages gave: one object per load balancer. */
static int lb_page(aws_ctx *c, aws_task *t, const xml_node *root, void *ud)
{
    cJSON *lbs = ud;
    for (const xml_node *m = xml_child(xml_find(root, "LoadBalancers"), "member"); m; m = xml_next(m)) {
        const char *arn = xml_text_at(m, "LoadBalancerArn");
        if (!arn || strncmp(arn, "arn:", 4) != 0 || strlen(arn) > 400)
            continue;
        if (cJSON_GetArraySize(lbs) >= ELB_MAX_LBS) {
            aws_log(c, PP_LOG_WARN, "%s: more than %d load balancers; the rest are skipped", t->id, ELB_MAX_LBS);
            return AWS_OK;
        }
        cJSON *d = cJSON_CreateObject();
        j_str(d, "loadBalancerArn", m, "LoadBalancerArn");
        j_str(d, "loadBalancerName", m, "LoadBalancerName");
        j_str(d, "type", m, "Type");
        j_str(d, "scheme", m, "Scheme");
        j_str(d, "dnsName", m, "DNSName");
        j_str(d, "vpcId", m, "VpcId");
        j_str(d, "state", m, "State/Code");
        j_str(d, "ipAddressType", m, "IpAddressType");
        j_str(d, "createdTime", m, "CreatedTime");
        cJSON *sgs = cJSON_AddArrayToObject(d, "securityGroups");
        for (const xml_node *g = xml_path(m, "SecurityGroups/member"); g; g = xml_next(g))
            cJSON_AddItemToArray(sgs, cJSON_CreateString(g->text));
        cJSON *azs = cJSON_AddArrayToObject(d, "availabilityZones");
        for (const xml_node *z = xml_path(m, "AvailabilityZones/member"); z; z = xml_next(z)) {
            cJSON *x = cJSON_CreateObject();
            j_str(x, "zoneName", z, "ZoneName");
            j_str(x, "subnetId", z, "SubnetId");
            cJSON_AddItemToArray(azs, x);
        }
        cJSON_AddItemToArray(lbs, d);
    }
    return AWS_OK;
}

static void add_port(cJSON *o, const char *key, const xml_node *n, const char *path)
{
    const char *v = xml_text_at(n, path);
    if (!v)
        return;
    if (*v && strlen(v) < 6 && strspn(v, "0123456789") == strlen(v))
        cJSON_AddNumberToObject(o, key, atoi(v));
    else
        cJSON_AddStringToObject(o, key, v); /* "#{port}" keeps the request's port */
}

static cJSON *action_of(const xml_node *a)
{
    cJSON *x = cJSON_CreateObject();
    j_str(x, "type", a, "Type");
    j_int(x, "order", a, "Order");
    j_str(x, "targetGroupArn", a, "TargetGroupArn");
    const xml_node *rc = xml_child(a, "RedirectConfig");
    if (rc) {
        cJSON *r = cJSON_AddObjectToObject(x, "redirectConfig");
        j_str(r, "protocol", rc, "Protocol");
        add_port(r, "port", rc, "Port");
        j_str(r, "host", rc, "Host");
        j_str(r, "path", rc, "Path");
        j_str(r, "query", rc, "Query");
        j_str(r, "statusCode", rc, "StatusCode");
    }
    const xml_node *fr = xml_child(a, "FixedResponseConfig");
    if (fr) {
        cJSON *r = cJSON_AddObjectToObject(x, "fixedResponseConfig");
        j_str(r, "statusCode", fr, "StatusCode");
        j_str(r, "contentType", fr, "ContentType");
    }
    return x;
}

static int listener_page(aws_ctx *c, aws_task *t, const xml_node *root, void *ud)
{
    (void)c, (void)t;
    cJSON *list = ud;
    for (const xml_node *m = xml_child(xml_find(root, "Listeners"), "member"); m; m = xml_next(m)) {
        if (cJSON_GetArraySize(list) >= ELB_MAX_LISTENERS)
            return AWS_OK;
        cJSON *l = cJSON_CreateObject();
        j_str(l, "listenerArn", m, "ListenerArn");
        j_int(l, "port", m, "Port");
        j_str(l, "protocol", m, "Protocol");
        j_str_or_null(l, "sslPolicy", m, "SslPolicy");
        cJSON *certs = cJSON_AddArrayToObject(l, "certificates");
        for (const xml_node *ce = xml_path(m, "Certificates/member"); ce; ce = xml_next(ce)) {
            const char *arn = xml_text_at(ce, "CertificateArn");
            if (arn)
                cJSON_AddItemToArray(certs, cJSON_CreateString(arn));
        }
        cJSON *alpn = cJSON_AddArrayToObject(l, "alpnPolicy");
        for (const xml_node *p = xml_path(m, "AlpnPolicy/member"); p; p = xml_next(p))
            cJSON_AddItemToArray(alpn, cJSON_CreateString(p->text));
        cJSON *acts = cJSON_AddArrayToObject(l, "defaultActions");
        for (const xml_node *a = xml_path(m, "DefaultActions/member"); a; a = xml_next(a))
            cJSON_AddItemToArray(acts, action_of(a));
        cJSON_AddItemToArray(list, l);
    }
    return AWS_OK;
}

/* The load balancer attributes a rule needs, typed (the API gives every value as text). */
static void add_attributes(cJSON *d, const xml_node *root)
{
    const char *logs = NULL, *bucket = NULL, *prefix = NULL, *del = NULL, *drop = NULL, *desync = NULL;
    for (const xml_node *m = xml_child(xml_find(root, "Attributes"), "member"); m; m = xml_next(m)) {
        const char *k = xml_text_at(m, "Key"), *v = xml_text_at(m, "Value");
        if (!k || !v)
            continue;
        if (strcmp(k, "access_logs.s3.enabled") == 0)
            logs = v;
        else if (strcmp(k, "access_logs.s3.bucket") == 0)
            bucket = v;
        else if (strcmp(k, "access_logs.s3.prefix") == 0)
            prefix = v;
        else if (strcmp(k, "deletion_protection.enabled") == 0)
            del = v;
        else if (strcmp(k, "routing.http.drop_invalid_header_fields.enabled") == 0)
            drop = v;
        else if (strcmp(k, "routing.http.desync_mitigation_mode") == 0)
            desync = v;
    }
    cJSON *al = cJSON_AddObjectToObject(d, "accessLogs");
    cJSON_AddBoolToObject(al, "enabled", logs && strcmp(logs, "true") == 0);
    if (bucket && *bucket)
        cJSON_AddStringToObject(al, "bucket", bucket);
    if (prefix && *prefix)
        cJSON_AddStringToObject(al, "prefix", prefix);
    cJSON_AddBoolToObject(d, "deletionProtectionEnabled", del && strcmp(del, "true") == 0);
    if (drop)
        cJSON_AddBoolToObject(d, "dropInvalidHeaderFieldsEnabled", strcmp(drop, "true") == 0);
    else
        cJSON_AddNullToObject(d, "dropInvalidHeaderFieldsEnabled"); /* network and gateway load balancers */
    if (desync)
        cJSON_AddStringToObject(d, "desyncMitigationMode", desync);
}

/* Listeners and attributes of one load balancer, then emit it (@d is consumed). Returns AWS_OK or AWS_E_CANCELLED. */
static int one_lb(aws_ctx *c, aws_task *t, cJSON *d)
{
    char arn[420], name[256], err[AWS_ERR_LEN] = "";
    snprintf(arn, sizeof arn, "%s", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "loadBalancerArn")));
    const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "loadBalancerName"));
    snprintf(name, sizeof name, "%.255s", n ? n : arn);
    abuf params;
    abuf_init(&params);
    aws_form_param(&params, "LoadBalancerArn", arn);
    cJSON *listeners = cJSON_CreateArray();
    aws_pager p = {ELB_SERVICE, t->region,          "DescribeListeners",
                   ELB_VERSION, abuf_cstr(&params), "elasticloadbalancing:DescribeListeners",
                   "Marker",    "NextMarker",       NULL};
    int rc = params.failed ? AWS_E_FAIL : aws_query_paginate(c, t, &p, listener_page, listeners, err, sizeof err);
    if (rc == AWS_OK)
        cJSON_AddItemToObject(d, "listeners", listeners);
    else
        cJSON_Delete(listeners); /* unknown: left absent */
    int stop = collector_outcome(c, t, rc, "elasticloadbalancing:DescribeListeners", ELB_WHAT, arn, err, err);
    if (!stop) {
        xml_node *root = NULL;
        err[0] = '\0';
        rc =
            aws_query_call(c, ELB_SERVICE, t->region, "DescribeLoadBalancerAttributes", ELB_VERSION, abuf_cstr(&params),
                           "elasticloadbalancing:DescribeLoadBalancerAttributes", &root, err, sizeof err);
        if (rc == AWS_OK)
            add_attributes(d, root);
        xml_free(root);
        stop =
            collector_outcome(c, t, rc, "elasticloadbalancing:DescribeLoadBalancerAttributes", ELB_WHAT, arn, err, err);
    }
    abuf_free(&params);
    if (stop) {
        cJSON_Delete(d);
        return AWS_E_CANCELLED;
    }
    return aws_emit_resource(c, t, ELB_WHAT, arn, name, t->region, d, NULL) == PP_ERR_CANCELLED ? AWS_E_CANCELLED
                                                                                                : AWS_OK;
}

int collect_elbv2(aws_ctx *c, aws_task *t)
{
    char err[AWS_ERR_LEN] = "", scope[200];
    snprintf(scope, sizeof scope, "arn:aws:elasticloadbalancing:%s:%s:", t->region, t->account);
    cJSON *lbs = cJSON_CreateArray();
    aws_pager p = {ELB_SERVICE, t->region,       "DescribeLoadBalancers",
                   ELB_VERSION, "&PageSize=400", "elasticloadbalancing:DescribeLoadBalancers",
                   "Marker",    "NextMarker",    NULL};
    int rc = aws_query_paginate(c, t, &p, lb_page, lbs, err, sizeof err);
    int stop = collector_outcome(c, t, rc, "elasticloadbalancing:DescribeLoadBalancers", ELB_WHAT, scope, err, err);
    while (!stop && cJSON_GetArraySize(lbs) > 0) {
        cJSON *d = cJSON_DetachItemFromArray(lbs, 0);
        if (one_lb(c, t, d) == AWS_E_CANCELLED)
            stop = 1;
    }
    cJSON_Delete(lbs);
    if (stop || aws_cancelled(c))
        return PP_ERR_CANCELLED;
    return t->errors ? PP_ERR : PP_OK;
}
