/*
 * core/jsonv.h - a fast JSON syntax validator.
 *
 * Records arrive with their type-specific data as JSON text. The host must
 * reject malformed JSON without paying for a parse tree; this checks the
 * grammar of RFC 8259 in one pass with no allocation.
 */
#ifndef PP_CORE_JSONV_H
#define PP_CORE_JSONV_H

#include <stddef.h>

/* JSON value kinds json_validate can insist on. */
enum { JSONV_ANY = 0, JSONV_OBJECT = 1, JSONV_ARRAY = 2 };

/*
 * json_validate - check that @s (@len bytes, NUL not required) is exactly one
 * JSON value, of kind @want, with surrounding whitespace allowed and nesting
 * no deeper than @max_depth. Returns 0 when valid. On error returns -1 and,
 * when @err is not NULL, writes a short reason with the byte offset
 * ("offset 17: expected ':'") into @err (@errlen bytes).
 */
int json_validate(const char *s, size_t len, int want, int max_depth, char *err, size_t errlen);

#endif
