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

/* Length of the well-formed UTF-8 sequence at u (lead byte 0x80 or more)
 * that XML 1.0 can carry and that is not a C1 control or a Unicode
 * noncharacter, or 0. */
static size_t xml_utf8_char(const unsigned char *u, size_t n)
{
    unsigned char c = u[0];
    if (c < 0xc2 || c > 0xf4)
        return 0;
    size_t len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    if (n < len)
        return 0;
    uint32_t cp = c & (len == 2 ? 0x1fu : len == 3 ? 0x0fu : 0x07u);
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (u[i] & 0x3fu);
    }
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp <= 0x9f)
        return 0; /* overlong, beyond Unicode, a surrogate, a C1 control */
    if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe)
        return 0; /* a noncharacter (U+FFFE and U+FFFF are not XML characters) */
    return len;
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
            if (c < 0x20 || c == 0x7f) {
                s->bad = true;
            } else if (c >= 0x80) {
                size_t k = xml_utf8_char((const unsigned char *)v + i, n - i);
                if (k == 0) {
                    s->bad = true;
                    k = 1;
                }
                run += k;
                i += k - 1;
                continue;
            }
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
                        "a value has a character XML cannot carry (a control character, a "
                        "Unicode noncharacter such as U+FFFE, or bytes that are not UTF-8)");
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
