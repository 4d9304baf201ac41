/* Writing XML documents into caller buffers (xml_writer.c): a bounded sink that
 * counts what it would write, and escaping for text and attribute values. */
#ifndef DMBOOT_XML_H
#define DMBOOT_XML_H

#include "omadm/omadm.h"

/* Writes into p[0..cap) and keeps counting past the end, so the caller
 * learns the size needed. */
typedef struct dmb_sink {
    char *p;
    size_t cap, len;
    bool bad; /* a value could not be written as XML */
} dmb_sink;

void dmb_sink_put(dmb_sink *s, const char *t, size_t n);
void dmb_sink_puts(dmb_sink *s, const char *t);
/* 2 * level spaces. */
void dmb_sink_indent(dmb_sink *s, int level);

/* Escape &, <, >, " and ' (so the same text serves in element content and
 * in attribute values of either quote); other bytes, UTF-8 included, pass
 * through. What XML 1.0 cannot carry, or should not (a control character,
 * bytes that are not UTF-8, a Unicode noncharacter such as U+FFFE; the
 * descriptor parser refuses them all, derived values are ASCII), sets
 * s->bad. */
void dmb_xml_put_escaped(dmb_sink *s, const char *v, size_t n);

/* Finish a document: NUL-terminate and report its length, or
 * DMBOOT_ERR_BUFFER_TOO_SMALL (the buffer wiped, *out_len the size
 * needed). `what` names the document in messages. */
dmboot_status dmb_sink_finish(dmb_sink *s, size_t *out_len, const char *what,
                              dmboot_error *err);

#endif
