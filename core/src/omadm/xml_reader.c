/* A strict XML pull reader over a buffer (see xml_reader.h). */
#include <stdio.h>
#include <string.h>

#include "omadm/xml_reader.h"

size_t dmb_xml_line(const char *s, size_t offset)
{
    size_t line = 1;
    for (size_t i = 0; i < offset; i++)
        if (s[i] == '\n')
            line++;
    return line;
}

DMBOOT_PRINTF(4, 5)
static dmboot_status fail_at(dmboot_error *err, const dmb_xml_reader *r, size_t offset,
                             const char *fmt, ...)
{
    char msg[DMBOOT_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    dmb_vformat(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (offset > r->n)
        offset = r->n;
    return dmb_fail(err, DMBOOT_ERR_SYNTAX, dmb_xml_line(r->s, offset), "%s", msg);
}

void dmb_xml_init(dmb_xml_reader *r, const char *s, size_t n)
{
    memset(r, 0, sizeof *r);
    r->s = s;
    r->n = n;
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        r->i = 3; /* a UTF-8 byte order mark */
}

size_t dmb_xml_depth(const dmb_xml_reader *r)
{
    return r->depth;
}

/* ---- characters ------------------------------------------------------- */

static bool is_xml_char(uint32_t c)
{
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
           (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

/* Length of the well-formed UTF-8 sequence at p (1..4), 0 if malformed. */
static size_t utf8_len(const unsigned char *p, size_t avail, uint32_t *cp)
{
    unsigned char b = p[0];
    size_t len;
    uint32_t c, min;
    if (b < 0x80) {
        *cp = b;
        return 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
        len = 2, c = b & 0x1Fu, min = 0x80;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3, c = b & 0x0Fu, min = 0x800;
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4, c = b & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (avail < len)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((p[k] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (p[k] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/* Check the character at r->i and return its length, or fail. */
static dmboot_status take_char(dmb_xml_reader *r, size_t *len, dmboot_error *err)
{
    uint32_t c = 0;
    size_t k = utf8_len((const unsigned char *)r->s + r->i, r->n - r->i, &c);
    if (k == 0)
        return fail_at(err, r, r->i, "malformed UTF-8 (byte 0x%02x)",
                       (unsigned char)r->s[r->i]);
    if (!is_xml_char(c))
        return fail_at(err, r, r->i, "character U+%04X is not allowed in XML", (unsigned)c);
    *len = k;
    return DMBOOT_OK;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_ws(dmb_xml_reader *r)
{
    while (r->i < r->n && is_ws(r->s[r->i]))
        r->i++;
}

static bool starts(const dmb_xml_reader *r, const char *lit)
{
    size_t k = strlen(lit);
    return r->n - r->i >= k && memcmp(r->s + r->i, lit, k) == 0;
}

/* Names: ASCII letters, '_', ':' and any non-ASCII character first; then
 * also digits, '-' and '.'. (A little wider than XML's NameStartChar for
 * non-ASCII; SyncML names are ASCII.) */
static bool name_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c >= 0x80;
}

static bool name_char(unsigned char c)
{
    return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static dmboot_status parse_name(dmb_xml_reader *r, dmb_xml_name *name, const char *what,
                                dmboot_error *err)
{
    size_t start = r->i;
    if (r->i >= r->n || !name_start((unsigned char)r->s[r->i]))
        return fail_at(err, r, r->i, "expected %s", what);
    while (r->i < r->n && name_char((unsigned char)r->s[r->i])) {
        if ((unsigned char)r->s[r->i] >= 0x80) {
            size_t k;
            dmboot_status st = take_char(r, &k, err);
            if (st != DMBOOT_OK)
                return st;
            r->i += k;
        } else {
            r->i++;
        }
    }
    name->p = r->s + start;
    name->n = r->i - start;
    return DMBOOT_OK;
}

/* A reference after '&' at r->i: checked, skipped; *cp gets its value. */
static dmboot_status parse_reference(dmb_xml_reader *r, uint32_t *cp, dmboot_error *err)
{
    size_t at = r->i;
    r->i++; /* '&' */
    size_t start = r->i;
    while (r->i < r->n && r->s[r->i] != ';' && r->i - start < 32 &&
           (name_char((unsigned char)r->s[r->i]) || r->s[r->i] == '#'))
        r->i++;
    if (r->i >= r->n || r->s[r->i] != ';')
        return fail_at(err, r, at, "'&' does not start a reference (write &amp; for '&')");
    const char *t = r->s + start;
    size_t n = r->i - start;
    r->i++; /* ';' */
    if (n >= 1 && t[0] == '#') {
        uint32_t v = 0;
        bool hex = n >= 2 && t[1] == 'x';
        size_t k = hex ? 2 : 1;
        if (k >= n)
            return fail_at(err, r, at, "empty character reference");
        for (; k < n; k++) {
            char c = t[k];
            int d;
            if (c >= '0' && c <= '9')
                d = c - '0';
            else if (hex && c >= 'a' && c <= 'f')
                d = c - 'a' + 10;
            else if (hex && c >= 'A' && c <= 'F')
                d = c - 'A' + 10;
            else
                return fail_at(err, r, at, "malformed character reference '&%.*s;'", (int)n, t);
            v = v * (hex ? 16u : 10u) + (uint32_t)d;
            if (v > 0x10FFFF)
                return fail_at(err, r, at, "character reference '&%.*s;' is out of range",
                               (int)n, t);
        }
        if (!is_xml_char(v))
            return fail_at(err, r, at, "character reference '&%.*s;' is not an XML character",
                           (int)n, t);
        *cp = v;
        return DMBOOT_OK;
    }
    static const struct {
        const char *name;
        char c;
    } predefined[] = {{"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
    for (size_t k = 0; k < sizeof predefined / sizeof predefined[0]; k++)
        if (strlen(predefined[k].name) == n && memcmp(predefined[k].name, t, n) == 0) {
            *cp = (uint32_t)predefined[k].c;
            return DMBOOT_OK;
        }
    return fail_at(err, r, at, "undefined entity '&%.*s;' (only &lt; &gt; &amp; &quot; &apos; "
                               "and character references)",
                   (int)n, t);
}

/* A quoted value (attribute or pseudo-attribute) at r->i. */
static dmboot_status parse_quoted(dmb_xml_reader *r, bool references, dmb_xml_name *value,
                                  dmboot_error *err)
{
    if (r->i >= r->n || (r->s[r->i] != '"' && r->s[r->i] != '\''))
        return fail_at(err, r, r->i, "expected a quoted value");
    char q = r->s[r->i++];
    size_t start = r->i;
    for (;;) {
        if (r->i >= r->n)
            return fail_at(err, r, start - 1, "unterminated quoted value");
        char c = r->s[r->i];
        if (c == q)
            break;
        dmboot_status st;
        if (references && c == '<')
            return fail_at(err, r, r->i, "'<' in an attribute value");
        if (references && c == '&') {
            uint32_t cp;
            if ((st = parse_reference(r, &cp, err)) != DMBOOT_OK)
                return st;
            continue;
        }
        size_t k;
        if ((st = take_char(r, &k, err)) != DMBOOT_OK)
            return st;
        r->i += k;
    }
    value->p = r->s + start;
    value->n = r->i - start;
    r->i++;
    return DMBOOT_OK;
}

/* ---- markup other than elements ---------------------------------------- */

static dmboot_status parse_comment(dmb_xml_reader *r, dmboot_error *err)
{
    size_t at = r->i;
    r->i += 4; /* "<!--" */
    for (;;) {
        if (r->i >= r->n)
            return fail_at(err, r, at, "unterminated comment");
        if (starts(r, "--")) {
            if (starts(r, "-->")) {
                r->i += 3;
                return DMBOOT_OK;
            }
            return fail_at(err, r, r->i, "'--' inside a comment");
        }
        size_t k;
        dmboot_status st = take_char(r, &k, err);
        if (st != DMBOOT_OK)
            return st;
        r->i += k;
    }
}

static bool ieq_lit(const dmb_xml_name *n, const char *lit)
{
    if (n->n != strlen(lit))
        return false;
    for (size_t k = 0; k < n->n; k++) {
        char a = n->p[k], b = lit[k];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

/* "<?target ...?>"; the XML declaration only at the very start. */
static dmboot_status parse_pi(dmb_xml_reader *r, size_t doc_start, dmboot_error *err)
{
    size_t at = r->i;
    r->i += 2;
    dmb_xml_name target;
    dmboot_status st = parse_name(r, &target, "a processing instruction target", err);
    if (st != DMBOOT_OK)
        return st;
    if (ieq_lit(&target, "xml")) {
        if (at != doc_start || target.n != 3 || memcmp(target.p, "xml", 3) != 0)
            return fail_at(err, r, at, "an XML declaration is only allowed at the very start");
        /* version="1.x" [encoding="UTF-8"] [standalone="yes|no"] */
        bool version = false;
        for (;;) {
            size_t before = r->i;
            skip_ws(r);
            if (starts(r, "?>")) {
                r->i += 2;
                break;
            }
            if (r->i == before)
                return fail_at(err, r, r->i, "malformed XML declaration");
            dmb_xml_name k, v;
            if ((st = parse_name(r, &k, "a pseudo-attribute", err)) != DMBOOT_OK)
                return st;
            skip_ws(r);
            if (r->i >= r->n || r->s[r->i] != '=')
                return fail_at(err, r, r->i, "malformed XML declaration");
            r->i++;
            skip_ws(r);
            if ((st = parse_quoted(r, false, &v, err)) != DMBOOT_OK)
                return st;
            if (k.n == 7 && memcmp(k.p, "version", 7) == 0) {
                if (v.n < 3 || memcmp(v.p, "1.", 2) != 0)
                    return fail_at(err, r, at, "unsupported XML version '%.*s'", (int)v.n, v.p);
                version = true;
            } else if (k.n == 8 && memcmp(k.p, "encoding", 8) == 0) {
                if (!ieq_lit(&v, "utf-8"))
                    return fail_at(err, r, at,
                                   "unsupported encoding '%.*s' (SyncML XML here is UTF-8)",
                                   (int)(v.n > 40 ? 40 : v.n), v.p);
            } else if (!(k.n == 10 && memcmp(k.p, "standalone", 10) == 0)) {
                return fail_at(err, r, at, "malformed XML declaration");
            }
        }
        if (!version)
            return fail_at(err, r, at, "the XML declaration has no version");
        return DMBOOT_OK;
    }
    for (;;) {
        if (r->i >= r->n)
            return fail_at(err, r, at, "unterminated processing instruction");
        if (starts(r, "?>")) {
            r->i += 2;
            return DMBOOT_OK;
        }
        size_t k;
        if ((st = take_char(r, &k, err)) != DMBOOT_OK)
            return st;
        r->i += k;
    }
}

/* "<!DOCTYPE name [SYSTEM "uri" | PUBLIC "id" "uri"]>": accepted (never
 * loaded); an internal subset, where entities are declared, is not. */
static dmboot_status parse_doctype(dmb_xml_reader *r, dmboot_error *err)
{
    size_t at = r->i;
    if (r->root_seen || r->doctype_seen)
        return fail_at(err, r, at, "a DOCTYPE is only allowed once, before the root element");
    r->doctype_seen = true;
    r->i += 9; /* "<!DOCTYPE" */
    size_t before = r->i;
    skip_ws(r);
    dmb_xml_name name, lit;
    dmboot_status st;
    if (r->i == before || (st = parse_name(r, &name, "the DOCTYPE name", err)) != DMBOOT_OK)
        return fail_at(err, r, at, "malformed DOCTYPE");
    skip_ws(r);
    if (starts(r, "SYSTEM") || starts(r, "PUBLIC")) {
        int literals = starts(r, "PUBLIC") ? 2 : 1;
        r->i += 6;
        for (int k = 0; k < literals; k++) {
            skip_ws(r);
            if ((st = parse_quoted(r, false, &lit, err)) != DMBOOT_OK)
                return st;
        }
        skip_ws(r);
    }
    if (r->i < r->n && r->s[r->i] == '[')
        return fail_at(err, r, r->i,
                       "a DOCTYPE internal subset (entity declarations) is not accepted");
    if (r->i >= r->n || r->s[r->i] != '>')
        return fail_at(err, r, at, "malformed DOCTYPE");
    r->i++;
    return DMBOOT_OK;
}

/* ---- elements ---------------------------------------------------------- */

static void set_names(dmb_xml_event *ev, dmb_xml_name n)
{
    ev->name = n.p;
    ev->name_len = n.n;
    const char *colon = memchr(n.p, ':', n.n);
    ev->local = colon ? colon + 1 : n.p;
    ev->local_len = colon ? n.n - (size_t)(colon + 1 - n.p) : n.n;
}

/* Namespaces in XML 1.0: the namespace of element name n, from the
 * declarations in scope (its own included). */
static dmboot_status resolve_ns(dmb_xml_reader *r, size_t at, dmb_xml_name n, dmb_xml_event *ev,
                                dmboot_error *err)
{
    const char *colon = memchr(n.p, ':', n.n);
    dmb_xml_name prefix = {n.p, colon ? (size_t)(colon - n.p) : 0};
    if (colon != NULL && (prefix.n == 0 || colon + 1 == n.p + n.n ||
                          memchr(colon + 1, ':', n.n - prefix.n - 1) != NULL))
        return fail_at(err, r, at, "element name '%.*s' is not a qualified name",
                       (int)(n.n > 40 ? 40 : n.n), n.p);
    if (colon != NULL && prefix.n == 3 && memcmp(prefix.p, "xml", 3) == 0) {
        static const char xml_ns[] = "http://www.w3.org/XML/1998/namespace";
        ev->ns = xml_ns;
        ev->ns_len = sizeof xml_ns - 1;
        return DMBOOT_OK;
    }
    if (colon != NULL && prefix.n == 5 && memcmp(prefix.p, "xmlns", 5) == 0)
        return fail_at(err, r, at, "element name '%.*s' uses the prefix xmlns",
                       (int)(n.n > 40 ? 40 : n.n), n.p);
    for (size_t k = r->ns_count; k > 0; k--) {
        const dmb_xml_ns *d = &r->ns[k - 1];
        if (d->prefix.n == prefix.n && memcmp(d->prefix.p, prefix.p, prefix.n) == 0) {
            ev->ns = d->uri.n > 0 ? d->uri.p : NULL; /* xmlns="": no namespace */
            ev->ns_len = d->uri.n;
            return DMBOOT_OK;
        }
    }
    if (colon != NULL)
        return fail_at(err, r, at, "element <%.*s> uses the undeclared namespace prefix '%.*s'",
                       (int)(n.n > 40 ? 40 : n.n), n.p, (int)prefix.n, prefix.p);
    ev->ns = NULL; /* no default namespace */
    ev->ns_len = 0;
    return DMBOOT_OK;
}

/* An xmlns or xmlns:prefix attribute: a declaration in scope until the
 * element ends. */
static dmboot_status declare_ns(dmb_xml_reader *r, dmb_xml_name an, dmb_xml_name av,
                                dmboot_error *err)
{
    dmb_xml_name prefix = {an.p + 6, 0};
    if (an.n == 5 && memcmp(an.p, "xmlns", 5) == 0) {
        prefix.p = an.p + 5;
    } else if (an.n > 6 && memcmp(an.p, "xmlns:", 6) == 0) {
        prefix.n = an.n - 6;
        if (av.n == 0)
            return fail_at(err, r, r->i, "namespace prefix '%.*s' declared empty",
                           (int)prefix.n, prefix.p);
    } else {
        return DMBOOT_OK; /* not a declaration */
    }
    if (r->ns_count == DMB_XML_NS_MAX)
        return fail_at(err, r, r->i, "more than %d namespace declarations in scope",
                       DMB_XML_NS_MAX);
    r->ns[r->ns_count++] = (dmb_xml_ns){prefix, av};
    return DMBOOT_OK;
}

static dmboot_status parse_start_tag(dmb_xml_reader *r, dmb_xml_event *ev, dmboot_error *err)
{
    size_t at = r->i;
    if (r->depth == 0 && r->root_seen)
        return fail_at(err, r, at, "an element after the root element");
    if (r->depth >= DMB_XML_DEPTH_MAX)
        return fail_at(err, r, at, "elements are nested deeper than %d", DMB_XML_DEPTH_MAX);
    r->i++; /* '<' */
    dmb_xml_name name;
    dmboot_status st = parse_name(r, &name, "an element name after '<'", err);
    if (st != DMBOOT_OK)
        return st;
    dmb_xml_name attrs[DMB_XML_ATTRS_MAX];
    size_t nattrs = 0;
    bool empty = false;
    size_t ns_before = r->ns_count;
    for (;;) {
        size_t before = r->i;
        skip_ws(r);
        if (r->i >= r->n)
            return fail_at(err, r, at, "unterminated start tag <%.*s", (int)name.n, name.p);
        if (r->s[r->i] == '>') {
            r->i++;
            break;
        }
        if (starts(r, "/>")) {
            r->i += 2;
            empty = true;
            break;
        }
        if (r->i == before)
            return fail_at(err, r, r->i, "expected whitespace, '>' or '/>' in <%.*s>",
                           (int)name.n, name.p);
        dmb_xml_name an, av;
        if ((st = parse_name(r, &an, "an attribute name", err)) != DMBOOT_OK)
            return st;
        for (size_t k = 0; k < nattrs; k++)
            if (attrs[k].n == an.n && memcmp(attrs[k].p, an.p, an.n) == 0)
                return fail_at(err, r, r->i, "attribute '%.*s' given twice", (int)an.n, an.p);
        if (nattrs == DMB_XML_ATTRS_MAX)
            return fail_at(err, r, r->i, "more than %d attributes on <%.*s>", DMB_XML_ATTRS_MAX,
                           (int)name.n, name.p);
        attrs[nattrs++] = an;
        skip_ws(r);
        if (r->i >= r->n || r->s[r->i] != '=')
            return fail_at(err, r, r->i, "expected '=' after attribute '%.*s'", (int)an.n,
                           an.p);
        r->i++;
        skip_ws(r);
        if ((st = parse_quoted(r, true, &av, err)) != DMBOOT_OK ||
            (st = declare_ns(r, an, av, err)) != DMBOOT_OK) {
            r->ns_count = ns_before;
            return st;
        }
    }
    if ((st = resolve_ns(r, at, name, ev, err)) != DMBOOT_OK) {
        r->ns_count = ns_before;
        return st;
    }
    r->ns_base[r->depth] = ns_before;
    r->stack[r->depth++] = name;
    r->root_seen = true;
    r->pending_end = empty;
    ev->kind = DMB_XML_START;
    ev->offset = at;
    set_names(ev, name);
    return DMBOOT_OK;
}

static dmboot_status parse_end_tag(dmb_xml_reader *r, dmb_xml_event *ev, dmboot_error *err)
{
    size_t at = r->i;
    r->i += 2; /* "</" */
    dmb_xml_name name;
    dmboot_status st = parse_name(r, &name, "an element name after '</'", err);
    if (st != DMBOOT_OK)
        return st;
    skip_ws(r);
    if (r->i >= r->n || r->s[r->i] != '>')
        return fail_at(err, r, r->i, "malformed end tag </%.*s", (int)name.n, name.p);
    r->i++;
    if (r->depth == 0)
        return fail_at(err, r, at, "end tag </%.*s> without a start tag", (int)name.n, name.p);
    dmb_xml_name open = r->stack[r->depth - 1];
    if (open.n != name.n || memcmp(open.p, name.p, name.n) != 0)
        return fail_at(err, r, at, "end tag </%.*s> does not match <%.*s>",
                       (int)(name.n > 40 ? 40 : name.n), name.p,
                       (int)(open.n > 40 ? 40 : open.n), open.p);
    r->depth--;
    r->ns_count = r->ns_base[r->depth];
    ev->kind = DMB_XML_END;
    ev->offset = at;
    set_names(ev, name);
    return DMBOOT_OK;
}

/* Character data up to the next '<'. */
static dmboot_status parse_text(dmb_xml_reader *r, dmb_xml_event *ev, dmboot_error *err)
{
    size_t start = r->i;
    while (r->i < r->n && r->s[r->i] != '<') {
        dmboot_status st;
        char c = r->s[r->i];
        if (r->depth == 0 && !is_ws(c))
            return fail_at(err, r, r->i, r->root_seen ? "text after the root element"
                                                     : "text before the root element");
        if (c == '&') {
            uint32_t cp;
            if ((st = parse_reference(r, &cp, err)) != DMBOOT_OK)
                return st;
            continue;
        }
        if (c == ']' && starts(r, "]]>"))
            return fail_at(err, r, r->i, "']]>' in character data");
        size_t k;
        if ((st = take_char(r, &k, err)) != DMBOOT_OK)
            return st;
        r->i += k;
    }
    ev->kind = DMB_XML_TEXT;
    ev->offset = start;
    ev->text = r->s + start;
    ev->text_len = r->i - start;
    ev->cdata = false;
    return DMBOOT_OK;
}

static dmboot_status parse_cdata(dmb_xml_reader *r, dmb_xml_event *ev, dmboot_error *err)
{
    size_t at = r->i;
    if (r->depth == 0)
        return fail_at(err, r, at, "a CDATA section outside the root element");
    r->i += 9; /* "<![CDATA[" */
    size_t start = r->i;
    for (;;) {
        if (r->i >= r->n)
            return fail_at(err, r, at, "unterminated CDATA section");
        if (starts(r, "]]>"))
            break;
        size_t k;
        dmboot_status st = take_char(r, &k, err);
        if (st != DMBOOT_OK)
            return st;
        r->i += k;
    }
    ev->kind = DMB_XML_TEXT;
    ev->offset = at;
    ev->text = r->s + start;
    ev->text_len = r->i - start;
    ev->cdata = true;
    r->i += 3;
    return DMBOOT_OK;
}

dmboot_status dmb_xml_next(dmb_xml_reader *r, dmb_xml_event *ev, dmboot_error *err)
{
    memset(ev, 0, sizeof *ev);
    if (r->pending_end) {
        r->pending_end = false;
        r->depth--;
        r->ns_count = r->ns_base[r->depth];
        ev->kind = DMB_XML_END;
        ev->offset = r->i;
        set_names(ev, r->stack[r->depth]);
        return DMBOOT_OK;
    }
    size_t doc_start = r->n >= 3 && memcmp(r->s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    for (;;) {
        if (r->done) {
            ev->kind = DMB_XML_DONE;
            ev->offset = r->n;
            return DMBOOT_OK;
        }
        if (r->i >= r->n) {
            if (!r->root_seen)
                return fail_at(err, r, r->n, "no root element");
            if (r->depth > 0)
                return fail_at(err, r, r->n, "the document ends inside <%.*s>",
                               (int)r->stack[r->depth - 1].n, r->stack[r->depth - 1].p);
            r->done = true;
            continue;
        }
        dmboot_status st;
        if (r->s[r->i] != '<') {
            if ((st = parse_text(r, ev, err)) != DMBOOT_OK)
                return st;
            if (r->depth == 0)
                continue; /* blanks outside the root */
            return DMBOOT_OK;
        }
        if (starts(r, "<?")) {
            if ((st = parse_pi(r, doc_start, err)) != DMBOOT_OK)
                return st;
        } else if (starts(r, "<!--")) {
            if ((st = parse_comment(r, err)) != DMBOOT_OK)
                return st;
        } else if (starts(r, "<![CDATA[")) {
            return parse_cdata(r, ev, err);
        } else if (starts(r, "<!DOCTYPE")) {
            if ((st = parse_doctype(r, err)) != DMBOOT_OK)
                return st;
        } else if (starts(r, "<!")) {
            return fail_at(err, r, r->i, "unexpected '<!' markup (declarations are not "
                                         "accepted)");
        } else if (starts(r, "</")) {
            return parse_end_tag(r, ev, err);
        } else {
            return parse_start_tag(r, ev, err);
        }
    }
}

/* ---- decoding ---------------------------------------------------------- */

static bool put(char *out, size_t cap, size_t *len, const char *p, size_t n)
{
    if (n > cap - *len)
        return false;
    memcpy(out + *len, p, n);
    *len += n;
    return true;
}

bool dmb_xml_decode(const char *raw, size_t n, bool cdata, char *out, size_t cap, size_t *len)
{
    if (*len > cap)
        return false;
    for (size_t i = 0; i < n;) {
        char c = raw[i];
        /* End-of-line handling (XML 1.0 §2.11): CRLF and CR read as LF. */
        if (c == '\r') {
            i += i + 1 < n && raw[i + 1] == '\n' ? 2 : 1;
            if (!put(out, cap, len, "\n", 1))
                return false;
            continue;
        }
        if (cdata || c != '&') {
            if (!put(out, cap, len, &c, 1))
                return false;
            i++;
            continue;
        }
        /* A reference, already checked by the reader. */
        size_t semi = i + 1;
        while (semi < n && raw[semi] != ';')
            semi++;
        const char *t = raw + i + 1;
        size_t tn = semi - i - 1;
        uint32_t cp = 0;
        if (tn >= 2 && t[0] == '#') {
            bool hex = t[1] == 'x';
            for (size_t k = hex ? 2 : 1; k < tn; k++) {
                char d = t[k];
                unsigned v = d >= '0' && d <= '9'   ? (unsigned)(d - '0')
                             : d >= 'a' && d <= 'f' ? (unsigned)(d - 'a' + 10)
                                                    : (unsigned)(d - 'A' + 10);
                cp = cp * (hex ? 16u : 10u) + v;
            }
        } else {
            cp = tn == 2 && t[0] == 'l' ? '<' : tn == 2 ? '>' : tn == 3 ? '&'
                 : t[0] == 'q'          ? '"'
                                        : '\'';
        }
        char u[4];
        size_t un;
        if (cp < 0x80) {
            u[0] = (char)cp, un = 1;
        } else if (cp < 0x800) {
            u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F)), un = 2;
        } else if (cp < 0x10000) {
            u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            u[2] = (char)(0x80 | (cp & 0x3F)), un = 3;
        } else {
            u[0] = (char)(0xF0 | cp >> 18), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
            u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F));
            un = 4;
        }
        if (!put(out, cap, len, u, un))
            return false;
        i = semi + 1;
    }
    return true;
}
