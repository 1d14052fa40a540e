/*
 * core/cel/cel_net.c - the Kubernetes CEL IP/CIDR library: ip(), cidr(),
 * isIP(), isCIDR(), ip.isCanonical() and the methods of net.IP and
 * net.CIDR. Semantics follow Go's net/netip as the Kubernetes library
 * does: no zones, no IPv4-mapped IPv6 written in dotted form, no leading
 * zeros in IPv4 parts, RFC 5952 text for IPv6.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <stdio.h>
#include <string.h>

#include "cel_internal.h"

static int parse_v4(const char *s, size_t n, uint8_t out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part) {
            if (i >= n || s[i] != '.')
                return -1;
            i++;
        }
        size_t st = i;
        int v = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && i - st < 4) {
            v = v * 10 + (s[i] - '0');
            i++;
        }
        size_t len = i - st;
        if (len == 0 || len > 3 || v > 255 || (len > 1 && s[st] == '0'))
            return -1;
        out[part] = (uint8_t)v;
    }
    return i == n ? 0 : -1;
}

static int hexv(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int parse_v6(const char *s, size_t n, uint8_t out[16], int *dotted)
{
    uint16_t g[8] = {0};
    int ng = 0, gap = -1;
    size_t i = 0;
    *dotted = 0;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
        if (i == n)
            goto done;
    } else if (n >= 1 && s[0] == ':') {
        return -1;
    }
    while (i < n) {
        if (ng >= 8)
            return -1;
        size_t st = i;
        int v = 0;
        while (i < n && hexv(s[i]) >= 0 && i - st < 5) {
            v = v * 16 + hexv(s[i]);
            i++;
        }
        size_t len = i - st;
        if (i < n && s[i] == '.') {
            /* trailing IPv4 part */
            uint8_t v4[4];
            if (ng > 6 || parse_v4(s + st, n - st, v4) < 0)
                return -1;
            g[ng++] = (uint16_t)(v4[0] << 8 | v4[1]);
            g[ng++] = (uint16_t)(v4[2] << 8 | v4[3]);
            *dotted = 1;
            i = n;
            break;
        }
        if (len == 0 || len > 4)
            return -1;
        g[ng++] = (uint16_t)v;
        if (i == n)
            break;
        if (s[i] != ':')
            return -1;
        i++;
        if (i < n && s[i] == ':') {
            if (gap >= 0)
                return -1;
            gap = ng;
            i++;
            if (i == n)
                break;
        } else if (i == n) {
            return -1; /* trailing single colon */
        }
    }
done:
    if (gap < 0 && ng != 8)
        return -1;
    if (gap >= 0 && ng > 7)
        return -1;
    uint16_t full[8] = {0};
    if (gap >= 0) {
        int tail = ng - gap;
        for (int k = 0; k < gap; k++)
            full[k] = g[k];
        for (int k = 0; k < tail; k++)
            full[8 - tail + k] = g[gap + k];
    } else {
        memcpy(full, g, sizeof full);
    }
    for (int k = 0; k < 8; k++) {
        out[2 * k] = (uint8_t)(full[k] >> 8);
        out[2 * k + 1] = (uint8_t)(full[k] & 0xff);
    }
    return 0;
}

static int is_4in6(const uint8_t a[16])
{
    static const uint8_t pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return !memcmp(a, pre, 12);
}

/* 0 ok, -1 bad, -2 zone, -3 IPv4-mapped in dotted form */
static int parse_addr(const char *s, size_t n, cel_ipnet *out)
{
    memset(out, 0, sizeof *out);
    out->prefix = -1;
    if (memchr(s, '%', n))
        return -2;
    if (memchr(s, ':', n)) {
        int dotted;
        if (parse_v6(s, n, out->addr, &dotted) < 0)
            return -1;
        if (dotted && is_4in6(out->addr))
            return -3;
        out->family = 6;
        return 0;
    }
    if (parse_v4(s, n, out->addr) < 0)
        return -1;
    out->family = 4;
    return 0;
}

int cel_parse_ip(const char *s, size_t n, cel_ipnet *out)
{
    return parse_addr(s, n, out) == 0 ? 0 : -1;
}

/* 0 ok, -1 bad, -2 zone, -3 mapped */
static int parse_prefix(const char *s, size_t n, cel_ipnet *out)
{
    const char *slash = memchr(s, '/', n);
    if (!slash)
        return -1;
    int rc = parse_addr(s, (size_t)(slash - s), out);
    if (rc < 0)
        return rc;
    size_t i = (size_t)(slash - s) + 1;
    if (i == n || n - i > 3 || (n - i > 1 && s[i] == '0'))
        return -1;
    int v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v > (out->family == 4 ? 32 : 128))
        return -1;
    out->prefix = v;
    return 0;
}

int cel_parse_cidr(const char *s, size_t n, cel_ipnet *out)
{
    return parse_prefix(s, n, out) == 0 ? 0 : -1;
}

void cel_format_ip(const cel_ipnet *ip, char *buf, size_t n)
{
    int len;
    const uint8_t *a = ip->addr;
    if (ip->family == 4) {
        len = snprintf(buf, n, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
    } else if (is_4in6(a)) {
        len = snprintf(buf, n, "::ffff:%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
    } else {
        uint16_t g[8];
        for (int k = 0; k < 8; k++)
            g[k] = (uint16_t)(a[2 * k] << 8 | a[2 * k + 1]);
        int best = -1, bestlen = 0;
        for (int k = 0; k < 8;) {
            if (g[k]) {
                k++;
                continue;
            }
            int st = k;
            while (k < 8 && !g[k])
                k++;
            if (k - st > bestlen && k - st >= 2) {
                best = st;
                bestlen = k - st;
            }
        }
        len = 0;
        for (int k = 0; k < 8 && (size_t)len < n; k++) {
            if (k == best) {
                len += snprintf(buf + len, n - (size_t)len, "::");
                k += bestlen - 1;
                continue;
            }
            int sep = k > 0 && k != best + bestlen;
            len += snprintf(buf + len, n - (size_t)len, "%s%x", sep ? ":" : "", g[k]);
        }
        if (len == 0)
            len = snprintf(buf, n, "::");
    }
    if (ip->prefix >= 0 && len > 0 && (size_t)len < n)
        snprintf(buf + len, n - (size_t)len, "/%d", ip->prefix);
}

/* ---------------------------------------------------------------- functions */

static cel_value ip_value(cel_eval_ctx *ctx, const cel_ipnet *ip)
{
    cel_ipnet *c = cel_arena_alloc(&ctx->arena, sizeof *c);
    *c = *ip;
    cel_value v = {.kind = c->prefix >= 0 ? CEL_CIDR : CEL_IP};
    v.v.ip = c;
    return v;
}

static cel_value ip_parse_error(cel_eval_ctx *ctx, int rc, const cel_value *s, int cidr)
{
    int len = (int)(s->v.s.n > 64 ? 64 : s->v.s.n);
    switch (rc) {
    case -2:
        return cel_errorf(&ctx->arena, "%s with zone value is not allowed", cidr ? "CIDR" : "IP Address");
    case -3:
        return cel_error_static("IPv4-mapped IPv6 address is not allowed");
    default:
        if (cidr)
            return cel_errorf(&ctx->arena, "network address parse error during conversion from string: '%.*s'", len,
                              s->v.s.p);
        return cel_errorf(&ctx->arena, "IP Address '%.*s' parse error during conversion from string", len, s->v.s.p);
    }
}

cel_value cel_fn_ip(cel_eval_ctx *ctx, const cel_node *call, cel_value *a, size_t n)
{
    if (a[0].kind == CEL_STRING && !call->has_target) {
        cel_ipnet ip;
        int rc = parse_addr(a[0].v.s.p, a[0].v.s.n, &ip);
        if (rc < 0)
            return ip_parse_error(ctx, rc, &a[0], 0);
        return ip_value(ctx, &ip);
    }
    if (a[0].kind == CEL_CIDR && call->has_target) {
        cel_ipnet ip = *a[0].v.ip;
        ip.prefix = -1;
        return ip_value(ctx, &ip);
    }
    return cel_no_overload(ctx, "ip", a, n);
}

cel_value cel_fn_cidr(cel_eval_ctx *ctx, const cel_node *call, cel_value *a, size_t n)
{
    (void)call;
    if (a[0].kind != CEL_STRING)
        return cel_no_overload(ctx, "cidr", a, n);
    cel_ipnet ip;
    int rc = parse_prefix(a[0].v.s.p, a[0].v.s.n, &ip);
    if (rc < 0)
        return ip_parse_error(ctx, rc, &a[0], 1);
    return ip_value(ctx, &ip);
}

cel_value cel_fn_is_ip(cel_eval_ctx *ctx, const cel_node *call, cel_value *a, size_t n)
{
    (void)call;
    if (a[0].kind != CEL_STRING)
        return cel_no_overload(ctx, "isIP", a, n);
    cel_ipnet ip;
    return cel_bool(parse_addr(a[0].v.s.p, a[0].v.s.n, &ip) == 0);
}

cel_value cel_fn_is_cidr(cel_eval_ctx *ctx, const cel_node *call, cel_value *a, size_t n)
{
    (void)call;
    if (a[0].kind != CEL_STRING)
        return cel_no_overload(ctx, "isCIDR", a, n);
    cel_ipnet ip;
    return cel_bool(parse_prefix(a[0].v.s.p, a[0].v.s.n, &ip) == 0);
}

cel_value cel_fn_ip_is_canonical(cel_eval_ctx *ctx, const cel_node *call, cel_value *a, size_t n)
{
    (void)call;
    if (a[0].kind != CEL_STRING)
        return cel_no_overload(ctx, "ip.isCanonical", a, n);
    cel_ipnet ip;
    int rc = parse_addr(a[0].v.s.p, a[0].v.s.n, &ip);
    if (rc < 0)
        return ip_parse_error(ctx, rc, &a[0], 0);
    char buf[64];
    cel_format_ip(&ip, buf, sizeof buf);
    return cel_bool(strlen(buf) == a[0].v.s.n && !memcmp(buf, a[0].v.s.p, a[0].v.s.n));
}

/* Do the first @bits bits of two addresses agree? */
static int prefix_match(const uint8_t *x, const uint8_t *y, int bits)
{
    int full = bits / 8, rest = bits % 8;
    if (memcmp(x, y, (size_t)full))
        return 0;
    if (rest) {
        uint8_t mask = (uint8_t)(0xff << (8 - rest));
        if ((x[full] & mask) != (y[full] & mask))
            return 0;
    }
    return 1;
}

static int arg_as(cel_eval_ctx *ctx, const cel_value *v, int want_cidr, cel_ipnet *out, cel_value *err)
{
    if (v->kind == (want_cidr ? CEL_CIDR : CEL_IP)) {
        *out = *v->v.ip;
        return 0;
    }
    if (v->kind == CEL_STRING) {
        int rc = want_cidr ? parse_prefix(v->v.s.p, v->v.s.n, out) : parse_addr(v->v.s.p, v->v.s.n, out);
        if (rc == 0)
            return 0;
        *err = ip_parse_error(ctx, rc, v, want_cidr);
        return -1;
    }
    *err = cel_error_static("no such overload");
    return -1;
}

cel_value cel_fn_ip_method(cel_eval_ctx *ctx, const cel_node *call, cel_value *a, size_t n)
{
    const char *f = call->name;
    if (a[0].kind == CEL_IP && n == 1) {
        const cel_ipnet *ip = a[0].v.ip;
        const uint8_t *b = ip->addr;
        int v4 = ip->family == 4;
        static const uint8_t zero[16];
        if (!strcmp(f, "family"))
            return cel_int(ip->family);
        if (!strcmp(f, "isCanonical"))
            return cel_bool(1); /* a parsed value is printed canonically */
        if (!strcmp(f, "isUnspecified"))
            return cel_bool(!memcmp(b, zero, v4 ? 4 : 16));
        if (!strcmp(f, "isLoopback")) {
            if (v4)
                return cel_bool(b[0] == 127);
            static const uint8_t one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
            return cel_bool(!memcmp(b, one, 16));
        }
        if (!strcmp(f, "isLinkLocalMulticast")) {
            if (v4)
                return cel_bool(b[0] == 224 && b[1] == 0 && b[2] == 0);
            return cel_bool(b[0] == 0xff && (b[1] & 0x0f) == 0x02);
        }
        if (!strcmp(f, "isLinkLocalUnicast")) {
            if (v4)
                return cel_bool(b[0] == 169 && b[1] == 254);
            return cel_bool(b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
        }
        if (!strcmp(f, "isGlobalUnicast")) {
            if (v4) {
                int bcast = b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255;
                int zero4 = !memcmp(b, zero, 4);
                return cel_bool(!bcast && !zero4 && b[0] != 127 && (b[0] & 0xf0) != 0xe0 &&
                                !(b[0] == 169 && b[1] == 254));
            }
            int unspec = !memcmp(b, zero, 16);
            int loop = !memcmp(b, zero, 15) && b[15] == 1;
            int mcast = b[0] == 0xff;
            int ll = b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
            return cel_bool(!unspec && !loop && !mcast && !ll);
        }
    }
    if (a[0].kind == CEL_CIDR) {
        const cel_ipnet *c = a[0].v.ip;
        if (!strcmp(f, "prefixLength") && n == 1)
            return cel_int(c->prefix);
        if (!strcmp(f, "masked") && n == 1) {
            cel_ipnet m = *c;
            int bytes = c->family == 4 ? 4 : 16;
            for (int k = 0; k < bytes; k++) {
                int bit0 = k * 8;
                if (bit0 >= c->prefix)
                    m.addr[k] = 0;
                else if (bit0 + 8 > c->prefix)
                    m.addr[k] &= (uint8_t)(0xff << (8 - (c->prefix - bit0)));
            }
            return ip_value(ctx, &m);
        }
        if (!strcmp(f, "containsIP") && n == 2) {
            cel_ipnet o;
            cel_value err;
            if (arg_as(ctx, &a[1], 0, &o, &err) < 0)
                return err.v.err[0] == 'n' && !strcmp(err.v.err, "no such overload") ? cel_no_overload(ctx, f, a, n)
                                                                                     : err;
            if (o.family != c->family)
                return cel_bool(0);
            return cel_bool(prefix_match(c->addr, o.addr, c->prefix));
        }
        if (!strcmp(f, "containsCIDR") && n == 2) {
            cel_ipnet o;
            cel_value err;
            if (arg_as(ctx, &a[1], 1, &o, &err) < 0)
                return !strcmp(err.v.err, "no such overload") ? cel_no_overload(ctx, f, a, n) : err;
            if (o.family != c->family || o.prefix < c->prefix)
                return cel_bool(0);
            return cel_bool(prefix_match(c->addr, o.addr, c->prefix));
        }
    }
    return cel_no_overload(ctx, f, a, n);
}
