/* XML output: a bounded sink and escaping (see xml_writer.h). */
#include <string.h>

#include <openssl/crypto.h>

#include "omadm/xml_writer.h"

void dmb_sink_put(dmb_sink *s, const char *t, size_t n)
{
    if (n > 0 && s->len < s->cap && n < s->cap - s->len)
        memcpy(s->p + s->len, t, n);
    s->len += n;
}

void dmb_sink_puts(dmb_sink *s, const char *t)
{
    dmb_sink_put(s, t, strlen(t));
}

void dmb_sink_indent(dmb_sink *s, int level)
{
    for (int i = 0; i < level; i++)
        dmb_sink_put(s, "  ", 2);
}

void dmb_xml_put_escaped(dmb_sink *s, const char *v, size_t n)
{
    size_t run = 0; /* bytes copied as they are, written in one go */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        const char *e = NULL;
        switch (c) {
        case '&': e = "&amp;"; break;
        case '<': e = "&lt;"; break;
        case '>': e = "&gt;"; break;
        case '"': e = "&quot;"; break;
        case '\'': e = "&apos;"; break;
        default:
            if (c < 0x20 || c == 0x7f)
                s->bad = true;
            run++;
            continue;
        }
        dmb_sink_put(s, v + i - run, run);
        run = 0;
        dmb_sink_puts(s, e);
    }
    dmb_sink_put(s, v + n - run, run);
}

dmboot_status dmb_sink_finish(dmb_sink *s, size_t *out_len, const char *what,
                              dmboot_error *err)
{
    *out_len = s->len;
    if (s->bad) {
        if (s->p != NULL && s->cap > 0)
            OPENSSL_cleanse(s->p, s->cap);
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0,
                        "a value has a control character, which XML cannot carry");
    }
    if (s->p == NULL || s->len >= s->cap) {
        if (s->p != NULL && s->cap > 0)
            OPENSSL_cleanse(s->p, s->cap); /* it may hold secrets */
        return dmb_fail(err, DMBOOT_ERR_BUFFER_TOO_SMALL, 0,
                        "the %s needs %zu bytes and a NUL", what, s->len);
    }
    s->p[s->len] = '\0';
    dmb_ok(err);
    return DMBOOT_OK;
}
