/*
 * A structural check of a WBXML SyncML message before libwbxml2 decodes it.
 *
 * libwbxml2 0.11.8 (Debian 12) aborts the process on an ENTITY code of
 * 0x80000000 or more (an assert in parse_entity) and dereferences NULL on
 * opaque data in some languages (fixed in 0.11.10); it also decodes the
 * Data of an Item whose Meta/Type is application/vnd.syncml-devinf+wbxml or
 * application/vnd.syncml.dmtnds+wbxml as an embedded WBXML document of any
 * language it knows. A DM server decodes what any client sends, so the
 * message is walked here first, with nothing but bounds-checked reads, and
 * only what a SyncML DM message is made of goes on:
 *
 *   - WBXML 1.1, 1.2 or 1.3 (what OMA DM allows); charset UTF-8, US-ASCII
 *     or ISO-8859-1 (strings end with one NUL byte);
 *   - public id SyncML 1.1 (0x0FD3) or 1.2 (0x1201), numeric or as its
 *     text in the string table (where the NUL after it may be missing, as
 *     some clients write it);
 *   - a body of elements, inline and table strings (NUL-terminated inside
 *     the input or the table), opaque data within the input, entities that
 *     are Unicode code points, page switches; no extension tokens, no
 *     processing instructions, no literal tags; attributes only as literal
 *     names with string values (an old client's way of writing xmlns);
 *     nothing after the root element; at most DMB_WBXML_DEPTH_MAX levels;
 *   - an embedded document (the Data libwbxml2 would decode as WBXML, by
 *     the same rule it uses: the Meta/Type of the Data's parent, else of
 *     its grandparent) must itself pass these checks as DevInf 1.1 (0x0FD4),
 *     DevInf 1.2 (0x1203) or DM DDF 1.2 (-//OMA//DTD-DM-DDF 1.2//EN).
 */
#include <string.h>

#include "omadm/omadm.h"
#include "omadm/wbxml_check.h"

#define DMB_WBXML_DEPTH_MAX 128  /* elements open at once, embedded ones included */
#define TYPE_TEXT_MAX 128        /* bytes of a Meta/Type's text looked at */

enum { T_SWITCH_PAGE = 0x00, T_END = 0x01, T_ENTITY = 0x02, T_STR_I = 0x03, T_LITERAL = 0x04,
       T_PI = 0x43, T_STR_T = 0x83, T_OPAQUE = 0xc3 };

/* Which tags libwbxml2's embedding rule names (SyncML 1.1 and 1.2 tables). */
enum { PAGE_SYNCML = 0, PAGE_METINF = 1, TOK_DATA = 0x0f, TOK_META = 0x1a, TOK_TYPE = 0x13 };

typedef enum { DOC_SYNCML, DOC_EMBEDDED } doc_kind;

/* What the first Meta child of an element said its Type was. */
typedef enum { META_NONE, META_OPEN, META_NO_TYPE, META_EMBED, META_OTHER } meta_state;

typedef struct element {
    uint8_t page, token;
    meta_state meta;      /* of this element's first Meta child */
    bool first_meta;      /* this is its parent's first Meta */
    bool type_seen;       /* (a first Meta) its first Type child was seen */
    bool embed_type;      /* (a first Meta) ... and that Type names a +wbxml type */
    bool first_type;      /* this is the first Type of a first Meta */
    size_t type_len;      /* (a first Type) bytes of text kept */
    char type_text[TYPE_TEXT_MAX];
} element;

typedef struct checker {
    const uint8_t *p;
    size_t n, pos;
    size_t base; /* offset of this document in the message */
    const uint8_t *strtbl;
    size_t strtbl_len;
    doc_kind kind;
    size_t depth; /* elements open in enclosing documents */
    dmboot_error *err;
} checker;

static dmboot_status bad(const checker *c, size_t at, const char *what)
{
    return dmb_fail(c->err, DMBOOT_ERR_SYNTAX, 0, "WBXML to XML: byte %zu: %s%s", c->base + at,
                    what, c->kind == DOC_EMBEDDED ? " (in an embedded document)" : "");
}

static bool byte(checker *c, uint8_t *out)
{
    if (c->pos >= c->n)
        return false;
    *out = c->p[c->pos++];
    return true;
}

/* mb_u_int32: at most 5 bytes, 7 bits each, the value within 32 bits. */
static dmboot_status mb_u32(checker *c, uint32_t *out, const char *what)
{
    size_t at = c->pos;
    uint32_t v = 0;
    for (int i = 0; i < 5; i++) {
        uint8_t b;
        if (!byte(c, &b))
            return bad(c, at, what);
        if (v > (UINT32_MAX >> 7))
            return bad(c, at, "a multi-byte integer beyond 32 bits");
        v = (v << 7) | (uint32_t)(b & 0x7f);
        if ((b & 0x80) == 0) {
            *out = v;
            return DMBOOT_OK;
        }
    }
    return bad(c, at, "a multi-byte integer longer than 5 bytes");
}

/* A string table reference: index inside the table, a NUL before its end. */
static dmboot_status table_string(checker *c, size_t at, uint32_t index, const uint8_t **s,
                                  size_t *len)
{
    if (index >= c->strtbl_len)
        return bad(c, at, "a string table reference past the table");
    const uint8_t *start = c->strtbl + index;
    const uint8_t *nul = memchr(start, 0, c->strtbl_len - index);
    if (nul == NULL)
        return bad(c, at, "a string table entry without its NUL");
    *s = start;
    *len = (size_t)(nul - start);
    return DMBOOT_OK;
}

static bool public_id_text_ok(doc_kind kind, const uint8_t *s, size_t len)
{
    static const char *const syncml[] = {"-//SYNCML//DTD SyncML 1.1//EN",
                                         "-//SYNCML//DTD SyncML 1.2//EN"};
    static const char *const embedded[] = {"-//SYNCML//DTD DevInf 1.1//EN",
                                           "-//SYNCML//DTD DevInf 1.2//EN",
                                           "-//OMA//DTD-DM-DDF 1.2//EN"};
    const char *const *ok = kind == DOC_SYNCML ? syncml : embedded;
    size_t count = kind == DOC_SYNCML ? 2 : 3;
    for (size_t i = 0; i < count; i++)
        if (strlen(ok[i]) == len && memcmp(ok[i], s, len) == 0)
            return true;
    return false;
}

static bool public_id_number_ok(doc_kind kind, uint32_t id)
{
    if (kind == DOC_SYNCML)
        return id == 0x0fd3 || id == 0x1201;
    return id == 0x0fd4 || id == 0x1203;
}

static dmboot_status check_document(const uint8_t *p, size_t n, size_t base, doc_kind kind,
                                    size_t depth, dmboot_error *err);

/* Text that goes into the element on top: kept when it is a first Type,
 * checked as an embedded document when it is Data that libwbxml2 will
 * decode as one. */
static dmboot_status content_text(checker *c, element *stack, size_t top, size_t at,
                                  const uint8_t *s, size_t len, uint32_t entity)
{
    element *e = &stack[top];
    if (e->first_type) {
        /* an entity counts as its character (any non-ASCII one as a byte
         * that matches nothing): "+" written as an entity is still "+" */
        uint8_t ch = entity < 0x80 ? (uint8_t)entity : 0xff;
        if (entity != 0) {
            s = &ch;
            len = 1;
        }
        size_t room = TYPE_TEXT_MAX - e->type_len;
        size_t k = len < room ? len : room;
        if (k > 0)
            memcpy(e->type_text + e->type_len, s, k);
        e->type_len += k;
    }
    if (c->kind != DOC_SYNCML || e->page != PAGE_SYNCML || e->token != TOK_DATA || top == 0)
        return DMBOOT_OK;
    /* libwbxml2's rule (wbxml_tree_node_get_syncml_data_type): the Type of
     * the parent's first Meta when it has one, else the grandparent's. */
    const element *parent = &stack[top - 1];
    meta_state m = parent->meta;
    if (m != META_EMBED && m != META_OTHER)
        m = top >= 2 ? stack[top - 2].meta : META_NONE;
    if (m != META_EMBED)
        return DMBOOT_OK;
    if (entity != 0)
        return bad(c, at, "an entity inside Data that is an embedded WBXML document");
    return check_document(s, len, c->base + at, DOC_EMBEDDED, c->depth + top + 1, c->err);
}

static bool contains_wbxml_suffix(const char *s, size_t len)
{
    static const char suffix[] = "+wbxml";
    for (size_t i = 0; i + sizeof suffix - 1 <= len; i++) {
        size_t j = 0;
        while (j < sizeof suffix - 1) {
            char ch = s[i + j];
            if (ch >= 'A' && ch <= 'Z')
                ch = (char)(ch - 'A' + 'a');
            if (ch != suffix[j])
                break;
            j++;
        }
        if (j == sizeof suffix - 1)
            return true;
    }
    return false;
}

/* A string, entity or opaque value (content or attribute value). */
static dmboot_status value(checker *c, uint8_t t, size_t at, const uint8_t **s, size_t *len,
                           uint32_t *entity)
{
    dmboot_status st;
    uint32_t v;
    *entity = 0;
    switch (t) {
    case T_STR_I: {
        const uint8_t *start = c->p + c->pos;
        const uint8_t *nul = memchr(start, 0, c->n - c->pos);
        if (nul == NULL)
            return bad(c, at, "an inline string without its NUL");
        *s = start;
        *len = (size_t)(nul - start);
        c->pos += *len + 1;
        return DMBOOT_OK;
    }
    case T_STR_T:
        if ((st = mb_u32(c, &v, "a truncated string table reference")) != DMBOOT_OK)
            return st;
        return table_string(c, at, v, s, len);
    case T_OPAQUE:
        if ((st = mb_u32(c, &v, "a truncated opaque length")) != DMBOOT_OK)
            return st;
        if (v > c->n - c->pos)
            return bad(c, at, "opaque data longer than the message");
        *s = c->p + c->pos;
        *len = v;
        c->pos += v;
        return DMBOOT_OK;
    case T_ENTITY:
        if ((st = mb_u32(c, &v, "a truncated entity")) != DMBOOT_OK)
            return st;
        if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) || v == 0)
            return bad(c, at, "an entity that is not a Unicode character");
        *s = NULL;
        *len = 0;
        *entity = v;
        return DMBOOT_OK;
    default:
        return bad(c, at, "an unexpected token");
    }
}

/* An attribute list (after a tag with the 0x80 bit), up to its END. */
static dmboot_status attributes(checker *c)
{
    for (;;) {
        size_t at = c->pos;
        uint8_t t;
        if (!byte(c, &t))
            return bad(c, at, "the message ends inside an attribute list");
        if (t == T_END)
            return DMBOOT_OK;
        if (t == T_SWITCH_PAGE) {
            uint8_t page;
            if (!byte(c, &page))
                return bad(c, at, "a truncated page switch");
            continue;
        }
        if (t == T_LITERAL) {
            uint32_t index;
            dmboot_status st = mb_u32(c, &index, "a truncated literal attribute");
            if (st != DMBOOT_OK)
                return st;
            /* an old client's xmlns: index 0 into an absent table */
            if (!(c->strtbl_len == 0 && index == 0)) {
                const uint8_t *s;
                size_t len;
                if ((st = table_string(c, at, index, &s, &len)) != DMBOOT_OK)
                    return st;
            }
            continue;
        }
        if (t == T_STR_I || t == T_STR_T || t == T_ENTITY) {
            const uint8_t *s;
            size_t len;
            uint32_t ent;
            dmboot_status st = value(c, t, at, &s, &len, &ent);
            if (st != DMBOOT_OK)
                return st;
            continue;
        }
        return bad(c, at, "an attribute token SyncML does not use");
    }
}

static dmboot_status body(checker *c)
{
    element stack[DMB_WBXML_DEPTH_MAX];
    size_t top = 0; /* number of open elements */
    uint8_t page = 0;
    bool root_done = false;
    while (c->pos < c->n) {
        size_t at = c->pos;
        uint8_t t = c->p[c->pos++];
        if (root_done)
            return bad(c, at, "bytes after the root element");
        if (t == T_SWITCH_PAGE) {
            if (!byte(c, &page))
                return bad(c, at, "a truncated page switch");
            continue;
        }
        if (t == T_END) {
            if (top == 0)
                return bad(c, at, "an END with no element open");
            element *e = &stack[--top];
            if (e->first_type && top > 0) {
                element *meta = &stack[top - 1];
                meta->embed_type = contains_wbxml_suffix(e->type_text, e->type_len);
            }
            if (e->first_meta && top > 0)
                stack[top - 1].meta =
                    !e->type_seen ? META_NO_TYPE : e->embed_type ? META_EMBED : META_OTHER;
            if (top == 0)
                root_done = true;
            continue;
        }
        if (t == T_STR_I || t == T_STR_T || t == T_OPAQUE || t == T_ENTITY) {
            if (top == 0)
                return bad(c, at, "text outside the root element");
            const uint8_t *s;
            size_t len;
            uint32_t ent;
            dmboot_status st = value(c, t, at, &s, &len, &ent);
            if (st == DMBOOT_OK)
                st = content_text(c, stack, top - 1, at, s, len, ent);
            if (st != DMBOOT_OK)
                return st;
            continue;
        }
        uint8_t id = t & 0x3f;
        if (id == T_LITERAL)
            return bad(c, at, "a literal tag (SyncML has a token for every tag)");
        if (id < T_LITERAL) /* EXT_I_0..2, PI, EXT_T_0..2, EXT_0..2 */
            return bad(c, at, "an extension token or a processing instruction");
        if (c->depth + top >= DMB_WBXML_DEPTH_MAX)
            return bad(c, at, "elements nested too deeply");
        if (t & 0x80) {
            dmboot_status st = attributes(c);
            if (st != DMBOOT_OK)
                return st;
        }
        element *parent = top > 0 ? &stack[top - 1] : NULL;
        element *e = &stack[top];
        memset(e, 0, sizeof *e);
        e->page = page;
        e->token = id;
        e->meta = META_NONE;
        if (c->kind == DOC_SYNCML && parent != NULL) {
            if (page == PAGE_SYNCML && id == TOK_META && parent->meta == META_NONE) {
                parent->meta = META_OPEN;
                e->first_meta = true;
            }
            if (page == PAGE_METINF && id == TOK_TYPE && parent->first_meta &&
                !parent->type_seen) {
                parent->type_seen = true;
                e->first_type = true;
            }
        }
        if (t & 0x40) {
            top++;
        } else if (top == 0) {
            root_done = true; /* an empty root */
        }
    }
    if (top > 0)
        return bad(c, c->pos, "the message ends inside an element");
    if (!root_done)
        return bad(c, c->pos, "no root element");
    return DMBOOT_OK;
}

static dmboot_status check_document(const uint8_t *p, size_t n, size_t base, doc_kind kind,
                                    size_t depth, dmboot_error *err)
{
    checker c = {.p = p, .n = n, .base = base, .kind = kind, .depth = depth, .err = err};
    uint8_t version;
    if (!byte(&c, &version))
        return bad(&c, 0, "an empty message");
    if (version < 0x01 || version > 0x03)
        return bad(&c, 0, kind == DOC_SYNCML
                              ? "not WBXML 1.1, 1.2 or 1.3 (the versions OMA DM allows)"
                              : "not WBXML 1.1, 1.2 or 1.3");
    dmboot_status st;
    uint32_t public_id, index = 0, charset, strtbl_len;
    size_t pid_at = c.pos;
    if ((st = mb_u32(&c, &public_id, "a truncated header")) != DMBOOT_OK)
        return st;
    if (public_id == 0 && (st = mb_u32(&c, &index, "a truncated header")) != DMBOOT_OK)
        return st;
    size_t charset_at = c.pos;
    if ((st = mb_u32(&c, &charset, "a truncated header")) != DMBOOT_OK)
        return st;
    if (charset != 106 && charset != 3 && charset != 4)
        return bad(&c, charset_at, "a charset other than UTF-8, US-ASCII or ISO-8859-1");
    if ((st = mb_u32(&c, &strtbl_len, "a truncated header")) != DMBOOT_OK)
        return st;
    if (strtbl_len > c.n - c.pos)
        return bad(&c, c.pos, "a string table longer than the message");
    c.strtbl = c.p + c.pos;
    c.strtbl_len = strtbl_len;
    c.pos += strtbl_len;
    if (public_id == 0) {
        /* the public id's text; the NUL after it may be missing at the end
         * of the table */
        if (index >= c.strtbl_len)
            return bad(&c, pid_at, "a public id reference past the string table");
        const uint8_t *s = c.strtbl + index;
        const uint8_t *nul = memchr(s, 0, c.strtbl_len - index);
        size_t len = nul != NULL ? (size_t)(nul - s) : c.strtbl_len - index;
        if (!public_id_text_ok(kind, s, len))
            return bad(&c, pid_at, kind == DOC_SYNCML
                                       ? "not a SyncML 1.1 or 1.2 message (public id)"
                                       : "not a DevInf or DM DDF document (public id)");
    } else if (!public_id_number_ok(kind, public_id)) {
        return bad(&c, pid_at, kind == DOC_SYNCML ? "not a SyncML 1.1 or 1.2 message (public id)"
                                                  : "not a DevInf or DM DDF document (public id)");
    }
    return body(&c);
}

dmboot_status dmb_wbxml_check(const uint8_t *wbxml, size_t len, dmboot_error *err)
{
    return check_document(wbxml, len, 0, DOC_SYNCML, 0, err);
}
