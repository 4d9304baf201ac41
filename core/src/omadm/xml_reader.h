/* A small, strict, non-validating XML pull reader over a whole buffer
 * (xml_reader.c), for SyncML DM packages. It checks well-formedness (tags
 * match, one root, attributes unique, characters and entity references
 * valid, UTF-8 well formed, every element prefix declared; each element's
 * namespace is resolved) and refuses what a message never needs and an
 * attacker would: a DOCTYPE internal subset (entity declarations), entity
 * references other than the five predefined ones and character
 * references, and nesting deeper than DMB_XML_DEPTH_MAX. Nothing outside
 * the buffer is ever read or fetched. */
#ifndef DMBOOT_XMLREADER_H
#define DMBOOT_XMLREADER_H

#include "omadm/omadm.h"

#define DMB_XML_DEPTH_MAX 64 /* elements open at once */
#define DMB_XML_ATTRS_MAX 16 /* attributes on one element */
#define DMB_XML_NS_MAX 32    /* namespace declarations in scope at once */

typedef enum dmb_xml_kind {
    DMB_XML_START = 0, /* <name ...> or <name .../> (an END follows) */
    DMB_XML_END,       /* </name>, or the end of an empty element */
    DMB_XML_TEXT,      /* character data or a CDATA section, raw */
    DMB_XML_DONE       /* after the root element closed; nothing follows */
} dmb_xml_kind;

typedef struct dmb_xml_event {
    dmb_xml_kind kind;
    const char *name; /* START/END: the qualified name (not NUL-terminated) */
    size_t name_len;
    const char *local; /* the part after a "prefix:" */
    size_t local_len;
    const char *ns; /* START: the element's namespace name as written in its
                       xmlns attribute (references undecoded), or NULL for
                       none (no default namespace, or xmlns="") */
    size_t ns_len;
    const char *text; /* TEXT: the raw slice, entity references undecoded */
    size_t text_len;
    bool cdata;    /* TEXT: from <![CDATA[...]]> (no references in it) */
    size_t offset; /* where the event starts in the buffer */
} dmb_xml_event;

typedef struct dmb_xml_name {
    const char *p;
    size_t n;
} dmb_xml_name;

typedef struct dmb_xml_ns {
    dmb_xml_name prefix; /* empty for the default namespace (xmlns="...") */
    dmb_xml_name uri;
} dmb_xml_ns;

typedef struct dmb_xml_reader {
    const char *s;
    size_t n, i;
    size_t depth;
    dmb_xml_name stack[DMB_XML_DEPTH_MAX];
    dmb_xml_ns ns[DMB_XML_NS_MAX]; /* declarations in scope, innermost last */
    size_t ns_count;
    size_t ns_base[DMB_XML_DEPTH_MAX]; /* ns_count before each open element */
    bool pending_end; /* the END of an empty element is due */
    bool root_seen, done, doctype_seen;
} dmb_xml_reader;

void dmb_xml_init(dmb_xml_reader *r, const char *s, size_t n);

/* The next event. Errors are DMBOOT_ERR_SYNTAX with err->line set and a
 * message naming the problem ("line 3: undefined entity '&foo;'"). */
dmboot_status dmb_xml_next(dmb_xml_reader *r, dmb_xml_event *ev, dmboot_error *err);

/* Elements open (after a START: including it). */
size_t dmb_xml_depth(const dmb_xml_reader *r);

/* Decode a TEXT slice (as returned, so already checked) and append it to
 * out[*len..cap). False when it does not fit (out then holds a prefix). */
bool dmb_xml_decode(const char *raw, size_t n, bool cdata, char *out, size_t cap, size_t *len);

/* The 1-based line of a buffer offset. */
size_t dmb_xml_line(const char *s, size_t offset);

#endif
