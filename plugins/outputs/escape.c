/*
 * plugins/outputs/escape.c - make untrusted text inert in each format.
 *
 * SOURCE (facts only): RFC 4180 section 2 (CSV quoting); OWASP "CSV
 * Injection" (the = + - @ TAB CR prefixes and the single-quote defence);
 * XML 1.0 section 2.2 (allowed characters) and 2.4 (entities); RFC 5424
 * section 6.3.3 (PARAM-VALUE escapes); ArcSight "Implementing ArcSight CEF"
 * (header and extension escapes); Slack "Formatting text" (&, <, > must be
 * escaped as HTML entities).
 */
#include "escape.h"

#include <stdlib.h>
#include <string.h>

size_t out_utf8_len(const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned cp;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

size_t out_utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t cut = max;
    while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
        cut--;
    return cut;
}

int out_json_append(out_buf *b, const cJSON *item)
{
    char *text = cJSON_PrintUnformatted(item);
    if (!text) {
        b->oom = 1;
        return -1;
    }
    const char *p = text;
    for (const char *q = text; *q; q++) {
        const char *rep = *q == '<' ? "\\u003c" : *q == '>' ? "\\u003e" : *q == '&' ? "\\u0026" : NULL;
        if (rep) {
            out_buf_add(b, p, (size_t)(q - p));
            out_buf_str(b, rep);
            p = q + 1;
        }
    }
    out_buf_str(b, p);
    cJSON_free(text);
    return b->oom ? -1 : 0;
}

/*
 * Walk @s as UTF-8: valid multi-byte sequences are appended as they are,
 * ASCII bytes go through @ascii (which appends), invalid bytes become '?'.
 */
static void walk(out_buf *b, const char *s, void (*ascii)(out_buf *, char))
{
    const unsigned char *u = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)u);
    while (n > 0) {
        size_t l = out_utf8_len(u, n);
        if (l == 1)
            ascii(b, (char)*u);
        else if (l > 1)
            out_buf_add(b, (const char *)u, l);
        else
            out_buf_char(b, '?');
        if (l == 0)
            l = 1;
        u += l;
        n -= l;
    }
}

static void csv_char(out_buf *b, char c)
{
    if (c == '"')
        out_buf_add(b, "\"\"", 2);
    else
        out_buf_char(b, c);
}

void out_csv_cell(out_buf *b, const char *s)
{
    s = s ? s : "";
    out_buf_char(b, '"');
    if (*s && strchr("=+-@\t\r", *s))
        out_buf_char(b, '\'');
    walk(b, s, csv_char);
    out_buf_char(b, '"');
}

static void xml_char(out_buf *b, char c)
{
    switch (c) {
    case '&': out_buf_str(b, "&amp;"); break;
    case '<': out_buf_str(b, "&lt;"); break;
    case '>': out_buf_str(b, "&gt;"); break;
    case '"': out_buf_str(b, "&quot;"); break;
    case '\'': out_buf_str(b, "&apos;"); break;
    case '\t': case '\n': case '\r': out_buf_char(b, c); break;
    default: out_buf_char(b, (unsigned char)c < 0x20 || c == 0x7f ? '?' : c);
    }
}

void out_xml_text(out_buf *b, const char *s)
{
    walk(b, s, xml_char);
}

static void sd_char(out_buf *b, char c)
{
    if (c == '"' || c == '\\' || c == ']') {
        out_buf_char(b, '\\');
        out_buf_char(b, c);
    } else {
        out_buf_char(b, (unsigned char)c < 0x20 || c == 0x7f ? ' ' : c);
    }
}

void out_sd_value(out_buf *b, const char *s)
{
    walk(b, s, sd_char);
}

static void msg_char(out_buf *b, char c)
{
    out_buf_char(b, (unsigned char)c < 0x20 || c == 0x7f ? ' ' : c);
}

void out_syslog_msg(out_buf *b, const char *s)
{
    walk(b, s, msg_char);
}

static void cef_header_char(out_buf *b, char c)
{
    if (c == '\\' || c == '|') {
        out_buf_char(b, '\\');
        out_buf_char(b, c);
    } else {
        out_buf_char(b, (unsigned char)c < 0x20 || c == 0x7f ? ' ' : c);
    }
}

void out_cef_header(out_buf *b, const char *s)
{
    walk(b, s, cef_header_char);
}

static void cef_value_char(out_buf *b, char c)
{
    if (c == '\\' || c == '=') {
        out_buf_char(b, '\\');
        out_buf_char(b, c);
    } else if (c == '\n') {
        out_buf_str(b, "\\n");
    } else if (c == '\r') {
        out_buf_str(b, "\\r");
    } else {
        out_buf_char(b, (unsigned char)c < 0x20 || c == 0x7f ? ' ' : c);
    }
}

void out_cef_value(out_buf *b, const char *s)
{
    walk(b, s, cef_value_char);
}

static void slack_char(out_buf *b, char c)
{
    switch (c) {
    case '&': out_buf_str(b, "&amp;"); break;
    case '<': out_buf_str(b, "&lt;"); break;
    case '>': out_buf_str(b, "&gt;"); break;
    default: out_buf_char(b, c);
    }
}

void out_slack_text(out_buf *b, const char *s)
{
    walk(b, s, slack_char);
}
