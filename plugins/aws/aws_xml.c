/*
 * aws_xml.c - expat into a tree (see aws_xml.h).
 */
#define _DEFAULT_SOURCE
#include "aws_xml.h"

#include <expat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_buf.h"

#define XML_MAX_DEPTH 64
#define XML_MAX_NODES 2000000u

typedef struct xml_state {
    XML_Parser p;
    xml_node *root;
    xml_node *stack[XML_MAX_DEPTH];
    xml_node *last_child[XML_MAX_DEPTH];
    abuf text[XML_MAX_DEPTH];
    int depth;
    unsigned nodes;
    const char *fail; /* why we stopped, or NULL */
} xml_state;

static const char *local_name(const char *n)
{
    const char *c = strrchr(n, ':');
    return c ? c + 1 : n;
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    xml_state *s = ud;
    if (s->depth >= XML_MAX_DEPTH) {
        s->fail = "nesting deeper than 64 levels";
        XML_StopParser(s->p, XML_FALSE);
        return;
    }
    if (++s->nodes > XML_MAX_NODES) {
        s->fail = "more than 2 million elements";
        XML_StopParser(s->p, XML_FALSE);
        return;
    }
    if (s->depth == 0 && s->root) {
        s->fail = "more than one root element";
        XML_StopParser(s->p, XML_FALSE);
        return;
    }
    xml_node *n = calloc(1, sizeof *n);
    if (!n || !(n->name = strdup(local_name(name)))) {
        free(n);
        s->fail = "out of memory";
        XML_StopParser(s->p, XML_FALSE);
        return;
    }
    for (size_t i = 0; attrs && attrs[i] && attrs[i + 1]; i += 2)
        if (strcmp(local_name(attrs[i]), "type") == 0 && !n->type_attr)
            n->type_attr = strdup(attrs[i + 1]);
    if (s->depth == 0) {
        s->root = n;
    } else {
        xml_node *parent = s->stack[s->depth - 1];
        if (s->last_child[s->depth - 1])
            s->last_child[s->depth - 1]->next = n;
        else
            parent->child = n;
        s->last_child[s->depth - 1] = n;
    }
    s->stack[s->depth] = n;
    s->last_child[s->depth] = NULL;
    abuf_init(&s->text[s->depth]);
    s->depth++;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    (void)name;
    xml_state *s = ud;
    if (s->depth <= 0)
        return;
    s->depth--;
    xml_node *n = s->stack[s->depth];
    n->text = abuf_take(&s->text[s->depth]);
    if (!n->text) {
        s->fail = "out of memory";
        XML_StopParser(s->p, XML_FALSE);
    }
}

static void XMLCALL on_text(void *ud, const XML_Char *t, int len)
{
    xml_state *s = ud;
    if (s->depth > 0 && len > 0)
        abuf_add(&s->text[s->depth - 1], t, (size_t)len);
}

/* No DTDs: an AWS response never has one, and entity expansion is the
 * classic way to blow up a parser. */
static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
                               int has_internal)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal;
    xml_state *s = ud;
    s->fail = "a DOCTYPE is not allowed";
    XML_StopParser(s->p, XML_FALSE);
}

static void node_free(xml_node *n)
{
    while (n) {
        xml_node *next = n->next;
        node_free(n->child);
        free(n->name);
        free(n->text);
        free(n->type_attr);
        free(n);
        n = next;
    }
}

void xml_free(xml_node *root)
{
    node_free(root);
}

xml_node *xml_parse(const char *data, size_t len, char *err, size_t errlen)
{
    xml_state s;
    memset(&s, 0, sizeof s);
    if (len > INT_MAX) {
        snprintf(err, errlen, "XML document too large (%zu bytes)", len);
        return NULL;
    }
    s.p = XML_ParserCreateNS(NULL, ':');
    if (!s.p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    XML_SetUserData(s.p, &s);
    XML_SetElementHandler(s.p, on_start, on_end);
    XML_SetCharacterDataHandler(s.p, on_text);
    XML_SetStartDoctypeDeclHandler(s.p, on_doctype);
    enum XML_Status st = XML_Parse(s.p, data ? data : "", (int)len, XML_TRUE);
    if (st != XML_STATUS_OK || s.fail || !s.root || s.depth != 0) {
        if (s.fail)
            snprintf(err, errlen, "XML refused at line %lu: %s", (unsigned long)XML_GetCurrentLineNumber(s.p),
                     s.fail);
        else if (st != XML_STATUS_OK)
            snprintf(err, errlen, "malformed XML at line %lu column %lu: %s",
                     (unsigned long)XML_GetCurrentLineNumber(s.p), (unsigned long)XML_GetCurrentColumnNumber(s.p),
                     XML_ErrorString(XML_GetErrorCode(s.p)));
        else
            snprintf(err, errlen, "empty or truncated XML document");
        for (int i = 0; i < s.depth; i++)
            abuf_free(&s.text[i]);
        /* unfinished elements have NULL text: node_free copes */
        node_free(s.root);
        XML_ParserFree(s.p);
        return NULL;
    }
    XML_ParserFree(s.p);
    return s.root;
}

const xml_node *xml_child(const xml_node *n, const char *name)
{
    for (const xml_node *c = n ? n->child : NULL; c; c = c->next)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

const xml_node *xml_next(const xml_node *n)
{
    for (const xml_node *c = n ? n->next : NULL; c; c = c->next)
        if (strcmp(c->name, n->name) == 0)
            return c;
    return NULL;
}

const xml_node *xml_path(const xml_node *n, const char *path)
{
    char step[128];
    while (n && path && *path) {
        size_t len = strcspn(path, "/");
        if (len >= sizeof step)
            return NULL;
        memcpy(step, path, len);
        step[len] = '\0';
        n = xml_child(n, step);
        path += len;
        if (*path == '/')
            path++;
    }
    return n;
}

const char *xml_text_at(const xml_node *n, const char *path)
{
    const xml_node *t = xml_path(n, path);
    return t ? t->text : NULL;
}

const xml_node *xml_find(const xml_node *n, const char *name)
{
    if (!n)
        return NULL;
    if (strcmp(n->name, name) == 0)
        return n;
    for (const xml_node *c = n->child; c; c = c->next) {
        const xml_node *f = xml_find(c, name);
        if (f)
            return f;
    }
    return NULL;
}
