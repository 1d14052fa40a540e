/*
 * aws_xml.h - AWS XML responses (query, EC2 and REST-XML protocols) read
 * with expat into a small tree.
 *
 * Namespaces are dropped: an element or attribute is known by its local
 * name ("Grantee", "type" for xsi:type). Text is the concatenated character
 * data of an element. Limits (a response beyond them is refused with an
 * error naming the limit): 64 levels of nesting, 2 million elements.
 */
#ifndef PP_AWS_XML_H
#define PP_AWS_XML_H

#include <stddef.h>

typedef struct xml_node {
    char *name;              /**< local name */
    char *text;              /**< character data, never NULL ("" when none) */
    char *type_attr;         /**< value of an attribute named "type" (xsi:type), or NULL */
    struct xml_node *child;  /**< first child element */
    struct xml_node *next;   /**< next sibling */
} xml_node;

/**
 * xml_parse - parse @len bytes of @data. Returns the root element (free with
 * xml_free), or NULL with a reason in @err (line and column of the problem;
 * never the document's content).
 */
xml_node *xml_parse(const char *data, size_t len, char *err, size_t errlen);

/** xml_free - release a tree from xml_parse; NULL is fine. */
void xml_free(xml_node *root);

/** xml_child - the first child of @n named @name, or NULL (n may be NULL). */
const xml_node *xml_child(const xml_node *n, const char *name);

/** xml_next - the next sibling of @n with the same name, or NULL. */
const xml_node *xml_next(const xml_node *n);

/**
 * xml_path - follow a '/'-separated path of child names from @n, e.g.
 * "ListUsersResult/Users". Returns NULL when a step is missing.
 */
const xml_node *xml_path(const xml_node *n, const char *path);

/** xml_text_at - text of xml_path(n, path), or NULL when the element is missing. */
const char *xml_text_at(const xml_node *n, const char *path);

/** xml_find - the first element named @name in @n's subtree (depth first, @n included), or NULL. */
const xml_node *xml_find(const xml_node *n, const char *name);

#endif
