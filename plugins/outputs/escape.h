/*
 * plugins/outputs/escape.h - make untrusted text inert in each format.
 *
 * Resource names, messages and tags come from clouds and files the user
 * does not control. Every format embeds them through one of these
 * functions (docs/outputs.md, "Escaping"). Each appends to an out_buf.
 * Invalid UTF-8 bytes become '?' wherever the target format requires
 * valid text (XML, syslog, CEF, CSV).
 */
#ifndef PP_OUTPUTS_ESCAPE_H
#define PP_OUTPUTS_ESCAPE_H

#include <cjson/cJSON.h>

#include "buf.h"

/*
 * out_json_append - append @item serialized as compact JSON, with '<', '>'
 * and '&' written as \u003c, \u003e, \u0026 (they can occur only inside
 * strings, so the JSON means the same but cannot close an HTML <script>).
 * Returns 0, or -1 when out of memory.
 */
int out_json_append(out_buf *b, const cJSON *item);

/*
 * out_csv_cell - append @s as one RFC 4180 field: always double-quoted,
 * '"' doubled. A value starting with '=', '+', '-', '@', TAB or CR gets a
 * leading single quote (OWASP's advice against formula injection), so a
 * spreadsheet shows it as text.
 */
void out_csv_cell(out_buf *b, const char *s);

/*
 * out_xml_text - append @s escaped for XML 1.0 character data and
 * attribute values: & < > " ' as entities; characters XML 1.0 forbids
 * (C0 controls except TAB, LF, CR) become '?'.
 */
void out_xml_text(out_buf *b, const char *s);

/*
 * out_sd_value - append @s as an RFC 5424 PARAM-VALUE (without the quotes):
 * '"', '\' and ']' are backslash-escaped; control characters become ' '.
 */
void out_sd_value(out_buf *b, const char *s);

/*
 * out_syslog_msg - append @s as a syslog MSG: control characters (CR, LF,
 * TAB...) become ' ', so one message stays one line.
 */
void out_syslog_msg(out_buf *b, const char *s);

/* out_cef_header - append @s as a CEF header field: '\' and '|' escaped; newlines become ' '. */
void out_cef_header(out_buf *b, const char *s);

/* out_cef_value - append @s as a CEF extension value: '\' and '=' escaped, CR/LF as \r \n. */
void out_cef_value(out_buf *b, const char *s);

/* out_slack_text - append @s escaped for Slack mrkdwn: & < > as &amp; &lt; &gt;. */
void out_slack_text(out_buf *b, const char *s);

/*
 * out_utf8_len - the length of the valid UTF-8 sequence at @s (1..4), or 0
 * when the byte at @s does not start one (@n bytes are available).
 */
size_t out_utf8_len(const unsigned char *s, size_t n);

/*
 * out_utf8_cut - the largest length <= @max at which @s (of @n bytes) can be
 * cut without splitting a UTF-8 sequence.
 */
size_t out_utf8_cut(const char *s, size_t n, size_t max);

#endif /* PP_OUTPUTS_ESCAPE_H */
