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
 *     the input or the table), opaque data within the input and not
 *     empty, entities that
 *     are Unicode code points, page switches; no extension tokens, no
 *     processing instructions, no literal tags; attributes only as literal
 *     names with string values (an old client's way of writing xmlns);
 *     nothing after the root element; at most DMB_WBXML_DEPTH_MAX levels;
 *   - an embedded document (text libwbxml2 would decode as WBXML, by the
 *     rule it uses, on the tree it has built so far: see "libwbxml2's
 *     tree" below) must be opaque data and must itself pass these checks as
 *     DevInf 1.1 (0x0FD4), DevInf 1.2 (0x1203) or DM DDF 1.2
 *     (-//OMA//DTD-DM-DDF 1.2//EN);
 *   - at most DMB_WBXML_WORK_MAX steps of libwbxml2's child walks: it
 *     appends each child (and each piece of text) by walking its parent's
 *     children from the first, so its work grows with the square of an
 *     element's children (a 100 KB message of sibling elements took 99 s
 *     to decode, 1 MiB a quarter of an hour; its attributes likewise).
 *     Each child, each piece of text and each attribute counts the
 *     children (attributes) its element already has, over the message and
 *     its embedded documents: some 5,800 children of one element fit, or
 *     several hundred elements with a few hundred children each.
 */
#include <string.h>

#include "omadm/omadm.h"
#include "omadm/wbxml_check.h"

#define DMB_WBXML_DEPTH_MAX 128  /* elements open at once, embedded ones included */
#define DMB_WBXML_WORK_MAX (1u << 24) /* steps of libwbxml2's child walks (~0.1 s) */
#define TYPE_TEXT_MAX 128        /* bytes of a Meta/Type's text looked at */

enum { T_SWITCH_PAGE = 0x00, T_END = 0x01, T_ENTITY = 0x02, T_STR_I = 0x03, T_LITERAL = 0x04,
       T_PI = 0x43, T_STR_T = 0x83, T_OPAQUE = 0xc3 };

/* The tags libwbxml2's SyncML rules name (the same tokens in SyncML 1.1 and
 * 1.2; tag names are unique across the two code pages, and DevInf and DM
 * DDF have no Data or Meta, so those rules never fire in an embedded
 * document). */
enum { PAGE_SYNCML = 0, PAGE_METINF = 1, TOK_ADD = 0x05, TOK_DATA = 0x0f, TOK_META = 0x1a,
       TOK_REPLACE = 0x20, TOK_TYPE = 0x13 };

typedef enum { DOC_SYNCML, DOC_EMBEDDED } doc_kind;

/*
 * libwbxml2's tree, as its parser callbacks build it (wbxml_tree_clb_wbxml.c,
 * wbxml_tree.c; the same from 0.11.7 to its current source). Whether text
 * inside a Data is decoded as an embedded WBXML document, or goes into a
 * CDATA node, is decided by wbxml_tree_node_get_syncml_data_type() on the
 * tree built so far, at each piece of text (each string, opaque or entity
 * token), so this check keeps the same tree state, not the document's:
 *
 *   - an element goes under the current node and becomes current; text goes
 *     under the current node (joined to a text node right before it);
 *   - at text, the node looked at is the current one, or its parent when the
 *     current one is a CDATA node; if that is a Data (by name): the first
 *     Type child of the first Meta child of the Data's parent, else (no
 *     such Meta, or one without a Type) of its grandparent, whose first
 *     child is a text node equal to one of the names in type_says(),
 *     decides: +wbxml types decode the text as an embedded WBXML document
 *     (a tree node under the current node), the text/... types and, failing
 *     a decision, a Data whose grandparent is Add or Replace put a new CDATA
 *     node under the current node and make it current. A Meta or a Type
 *     counts from its start, still open or not: a Data inside the open
 *     Meta, right after that Meta's first Type, is decoded as embedded;
 *   - at an END, a current CDATA node is left first, then one node more. A
 *     Data with two pieces of text has a CDATA node inside a CDATA node, so
 *     after its END libwbxml2's current node is the Data itself, and what
 *     follows in the document hangs under it.
 */
#define LIB_DEPTH_MAX (2 * DMB_WBXML_DEPTH_MAX) /* nodes on libwbxml2's current path */
#define TYPE_KEEP 40                            /* longer than every name type_says() knows */

typedef enum { NAME_OTHER, NAME_DATA, NAME_META, NAME_TYPE, NAME_ADD_REPLACE } node_name;
typedef enum { CHILD_NONE, CHILD_TEXT, CHILD_OTHER } child_kind;
typedef enum { FIRST_NONE, FIRST_OPEN, FIRST_DONE } first_state;
/* What a Type says about a Data (WBXMLSyncMLDataType, folded). */
typedef enum { SAYS_NOTHING, SAYS_NORMAL, SAYS_WBXML, SAYS_CDATA } type_says_t;

typedef struct lib_node {
    bool cdata;           /* a CDATA node (else an element) */
    uint8_t name;         /* node_name of an element */
    uint8_t last_child;   /* child_kind of its last child */
    uint32_t children;    /* its children so far (libwbxml2 walks them) */
    bool first_text;      /* its first child is a text node ... */
    bool text_growing;    /* ... and still its last one: more text joins it */
    uint8_t text_len;     /* bytes of that text kept; TYPE_KEEP + 1: longer */
    char text[TYPE_KEEP]; /* (kept for every node; read for a Type) */
    uint8_t type;         /* (a Meta) first_state of its first Type child */
    uint8_t type_says;    /* ... when done, what that Type says */
    uint8_t meta;         /* first_state of its first Meta child (when open:
                             the next node on the path) */
    bool meta_has_type;   /* ... when done: that Meta had a Type child */
    uint8_t meta_says;    /* ... and what it says */
} lib_node;

typedef struct lib_tree {
    lib_node path[LIB_DEPTH_MAX]; /* root .. current */
    size_t top;                   /* nodes on the path */
    size_t cdata_open;            /* CDATA nodes on the path */
    uint8_t tail[2];              /* the last bytes of text just written raw */
    size_t tail_len;              /* (0 after anything but such text) */
    uint64_t work;                /* steps of child walks, embedded documents too */
} lib_tree;

typedef struct checker {
    const uint8_t *p;
    size_t n, pos;
    size_t base; /* offset of this document in the message */
    const uint8_t *strtbl;
    size_t strtbl_len;
    doc_kind kind;
    size_t depth;   /* elements open in enclosing documents */
    lib_tree *lib;  /* (the SyncML message) libwbxml2's tree */
    uint64_t *work; /* the message's count of child-walk steps */
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
                                    size_t depth, lib_tree *lib, uint64_t *work,
                                    dmboot_error *err);

/* libwbxml2 walked `children` siblings to add one more: over the bound? */
static bool too_much_work(uint64_t *work, uint32_t children)
{
    *work += children;
    return *work > DMB_WBXML_WORK_MAX;
}

static const char TOO_MUCH_WORK[] =
    "too many children of one element, or attributes, or elements with many children "
    "(libwbxml2's work grows with the square of an element's children)";

/* --- libwbxml2's tree ---------------------------------------------------- */

static node_name name_of(uint8_t page, uint8_t token)
{
    if (page == PAGE_SYNCML) {
        if (token == TOK_DATA)
            return NAME_DATA;
        if (token == TOK_META)
            return NAME_META;
        if (token == TOK_ADD || token == TOK_REPLACE)
            return NAME_ADD_REPLACE;
    } else if (page == PAGE_METINF && token == TOK_TYPE) {
        return NAME_TYPE;
    }
    return NAME_OTHER;
}

/* What a Type node's first child says (the names and their order are
 * wbxml_tree_node_get_syncml_data_type's; exact, case-sensitive). */
static type_says_t type_says(const lib_node *type)
{
    static const struct {
        const char *name;
        type_says_t says;
    } names[] = {
        {"application/vnd.syncml-devinf+wbxml", SAYS_WBXML},
        {"application/vnd.syncml-devinf+xml", SAYS_NORMAL},
        {"application/vnd.syncml.dmtnds+wbxml", SAYS_WBXML},
        {"application/vnd.syncml.dmtnds+xml", SAYS_NORMAL},
        {"text/clear", SAYS_CDATA},
        {"text/directory;profile=vCard", SAYS_CDATA},
        {"text/x-vcard", SAYS_CDATA},
        {"text/x-vcalendar", SAYS_CDATA},
    };
    if (!type->first_text || type->text_len > TYPE_KEEP)
        return SAYS_NOTHING;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == type->text_len &&
            memcmp(names[i].name, type->text, type->text_len) == 0)
            return names[i].says;
    return SAYS_NOTHING;
}

/* The first Type of the first Meta child of path[i]: false when there is
 * none, else what it says. */
static bool meta_type(const lib_tree *l, size_t i, type_says_t *says)
{
    const lib_node *n = &l->path[i];
    if (n->meta == FIRST_DONE) {
        *says = (type_says_t)n->meta_says;
        return n->meta_has_type;
    }
    if (n->meta != FIRST_OPEN || i + 1 >= l->top)
        return false;
    const lib_node *meta = &l->path[i + 1]; /* the open Meta */
    if (meta->type == FIRST_DONE) {
        *says = (type_says_t)meta->type_says;
        return true;
    }
    if (meta->type != FIRST_OPEN || i + 2 >= l->top)
        return false;
    *says = type_says(&l->path[i + 2]); /* an open Type: its text so far */
    return true;
}

/* wbxml_tree_node_get_syncml_data_type() at the current node. */
static type_says_t data_type(const lib_tree *l)
{
    if (l->top == 0)
        return SAYS_NORMAL;
    size_t d = l->top - 1;
    if (l->path[d].cdata) {
        if (d == 0)
            return SAYS_NORMAL;
        d--;
    }
    if (l->path[d].cdata || l->path[d].name != NAME_DATA)
        return SAYS_NORMAL;
    type_says_t says = SAYS_NOTHING;
    bool found = d >= 1 && meta_type(l, d - 1, &says);
    if (!found && d >= 2)
        found = meta_type(l, d - 2, &says);
    if (found && says != SAYS_NOTHING)
        return says;
    /* libwbxml2's guess: a Data in an Add or Replace Item is a vObject */
    if (d >= 2 && !l->path[d - 2].cdata && l->path[d - 2].name == NAME_ADD_REPLACE)
        return SAYS_CDATA;
    return SAYS_NORMAL;
}

/* A child (text, or anything else) added under the current node. */
static void lib_child(lib_tree *l, child_kind kind, const uint8_t *s, size_t len)
{
    lib_node *cur = &l->path[l->top - 1];
    /* libwbxml2 walks the children to the last one, also to join text */
    l->work += cur->children;
    if (kind != CHILD_TEXT || cur->last_child != CHILD_TEXT)
        cur->children++;
    if (cur->last_child == CHILD_NONE) {
        cur->first_text = kind == CHILD_TEXT;
        cur->text_growing = cur->first_text;
    } else if (kind != CHILD_TEXT || cur->last_child != CHILD_TEXT) {
        cur->text_growing = false;
    }
    cur->last_child = (uint8_t)kind;
    if (kind == CHILD_TEXT && cur->text_growing && cur->text_len <= TYPE_KEEP) {
        if (len > (size_t)(TYPE_KEEP - cur->text_len)) {
            cur->text_len = TYPE_KEEP + 1;
        } else {
            memcpy(cur->text + cur->text_len, s, len);
            cur->text_len = (uint8_t)(cur->text_len + len);
        }
    }
}

static bool lib_push(lib_tree *l, bool cdata, node_name name)
{
    if (l->top > 0) {
        lib_node *cur = &l->path[l->top - 1];
        lib_child(l, CHILD_OTHER, NULL, 0);
        if (!cdata && name == NAME_META && cur->meta == FIRST_NONE)
            cur->meta = FIRST_OPEN;
        if (!cdata && name == NAME_TYPE && !cur->cdata && cur->name == NAME_META &&
            cur->type == FIRST_NONE)
            cur->type = FIRST_OPEN;
    }
    if (l->top >= LIB_DEPTH_MAX)
        return false;
    lib_node *e = &l->path[l->top++];
    memset(e, 0, sizeof *e);
    e->cdata = cdata;
    e->name = (uint8_t)name;
    if (cdata)
        l->cdata_open++;
    else
        l->tail_len = 0;
    return true;
}

/* The current node's parent becomes current; false when there is none. */
static bool lib_pop_one(lib_tree *l)
{
    if (l->top < 2)
        return false;
    const lib_node *e = &l->path[l->top - 1];
    lib_node *parent = &l->path[l->top - 2];
    if (parent->meta == FIRST_OPEN) { /* e is that first Meta */
        parent->meta = FIRST_DONE;
        parent->meta_has_type = e->type == FIRST_DONE;
        parent->meta_says = e->type_says;
    }
    if (parent->type == FIRST_OPEN) { /* e is that first Type */
        parent->type = FIRST_DONE;
        parent->type_says = (uint8_t)type_says(e);
    }
    if (e->cdata)
        l->cdata_open--;
    l->top--;
    l->tail_len = 0;
    return true;
}

/* wbxml_tree_clb_wbxml_end_element(): false when libwbxml2 would be left
 * without a current node. */
static bool lib_end(lib_tree *l)
{
    if (l->top == 0)
        return false;
    if (l->top == 1)
        return true; /* the root stays current */
    if (l->path[l->top - 1].cdata && !lib_pop_one(l))
        return false;
    return lib_pop_one(l);
}

/* Text that goes into the current node (wbxml_tree_clb_wbxml_characters):
 * checked as an embedded document when libwbxml2 decodes it as one. */
static dmboot_status content_text(checker *c, size_t depth, size_t at, uint8_t token,
                                  const uint8_t *s, size_t len, uint32_t entity)
{
    lib_tree *l = c->lib;
    if (l == NULL)
        return DMBOOT_OK; /* an embedded document: nothing is decoded inside it */
    /* an entity is its character in UTF-8; any non-ASCII byte matches no
     * type name, so one stands for all of them */
    uint8_t ch = entity < 0x80 ? (uint8_t)entity : 0xff;
    if (entity != 0) {
        s = &ch;
        len = 1;
    }
    if (len == 0)
        return DMBOOT_OK; /* libwbxml2 makes no callback for empty text */
    switch (data_type(l)) {
    case SAYS_WBXML: {
        if (token != T_OPAQUE)
            return bad(c, at, "an embedded WBXML document (Meta/Type ...+wbxml) that is not "
                              "opaque data");
        /* its text would be written unescaped inside the CDATA section */
        if (l->cdata_open > 0)
            return bad(c, at, "an embedded WBXML document inside Data that libwbxml2 writes "
                              "as CDATA");
        dmboot_status st = check_document(s, len, c->base + at, DOC_EMBEDDED,
                                          c->depth + depth + 1, NULL, c->work, c->err);
        if (st != DMBOOT_OK)
            return st;
        lib_child(l, CHILD_OTHER, NULL, 0); /* the embedded tree */
        l->tail_len = 0;
        return DMBOOT_OK;
    }
    case SAYS_CDATA:
        if (!lib_push(l, true, NAME_OTHER))
            return bad(c, at, "elements nested too deeply (in libwbxml2's tree)");
        break;
    default:
        break;
    }
    if (l->cdata_open > 0) {
        /* libwbxml2 writes text under a CDATA node as it is, inside
         * <![CDATA[ ... ]]>, without splitting "]]>": the rest would be
         * markup (a Replace's Data turning into an Exec). Text pieces one
         * after the other join, so the bytes before count too. */
        uint8_t joined[2 + 2];
        size_t k = 0;
        for (size_t i = 0; i < l->tail_len; i++)
            joined[k++] = l->tail[i];
        for (size_t i = 0; i < len && i < 2; i++)
            joined[k++] = s[i];
        for (size_t i = 0; i + 3 <= k; i++)
            if (memcmp(joined + i, "]]>", 3) == 0)
                return bad(c, at, "\"]]>\" in Data that libwbxml2 writes as CDATA");
        for (size_t i = 0; i + 3 <= len; i++)
            if (memcmp(s + i, "]]>", 3) == 0)
                return bad(c, at, "\"]]>\" in Data that libwbxml2 writes as CDATA");
        if (len >= 2) {
            l->tail[0] = s[len - 2];
            l->tail[1] = s[len - 1];
            l->tail_len = 2;
        } else if (l->tail_len == 2) {
            l->tail[0] = l->tail[1];
            l->tail[1] = s[0];
        } else {
            l->tail[l->tail_len++] = s[0];
        }
    } else {
        l->tail_len = 0;
    }
    lib_child(l, CHILD_TEXT, s, len);
    return DMBOOT_OK;
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
        /* it carries nothing, and libwbxml2 leaks memory on it (an empty
         * opaque NextNonce: "Failed to encode Base64") */
        if (v == 0)
            return bad(c, at, "zero-length opaque data");
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
    uint32_t count = 0; /* libwbxml2 walks them too, to add one */
    for (;;) {
        size_t at = c->pos;
        uint8_t t;
        if (!byte(c, &t))
            return bad(c, at, "the message ends inside an attribute list");
        if (t == T_END)
            return DMBOOT_OK;
        if (t != T_SWITCH_PAGE && too_much_work(c->work, count++))
            return bad(c, at, TOO_MUCH_WORK);
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
    size_t top = 0; /* elements open in the document */
    uint8_t page = 0;
    bool root_done = false;
    /* an embedded document's tree is the document's own: the children of
     * each open element, and whether the last one is text */
    uint32_t children[DMB_WBXML_DEPTH_MAX + 1] = {0};
    bool last_text[DMB_WBXML_DEPTH_MAX + 1] = {false};
    while (c->pos < c->n) {
        if (c->lib != NULL && c->lib->work > DMB_WBXML_WORK_MAX)
            return bad(c, c->pos, TOO_MUCH_WORK);
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
            if (c->lib != NULL && !lib_end(c->lib))
                return bad(c, at, "an END that leaves libwbxml2's tree");
            if (--top == 0)
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
                st = content_text(c, top, at, t, s, len, ent);
            if (st != DMBOOT_OK)
                return st;
            if (c->lib == NULL && (len > 0 || ent != 0)) {
                if (too_much_work(c->work, children[top]))
                    return bad(c, at, TOO_MUCH_WORK);
                if (!last_text[top])
                    children[top]++;
                last_text[top] = true;
            }
            continue;
        }
        uint8_t id = t & 0x3f;
        if (id == T_LITERAL)
            return bad(c, at, "a literal tag (SyncML has a token for every tag)");
        if (id < T_LITERAL) /* EXT_I_0..2, PI, EXT_T_0..2, EXT_0..2 */
            return bad(c, at, "an extension token or a processing instruction");
        if (c->depth + top >= DMB_WBXML_DEPTH_MAX)
            return bad(c, at, "elements nested too deeply");
        if (c->lib == NULL && top > 0) {
            if (too_much_work(c->work, children[top]))
                return bad(c, at, TOO_MUCH_WORK);
            children[top]++;
            last_text[top] = false;
        }
        if (t & 0x80) {
            dmboot_status st = attributes(c);
            if (st != DMBOOT_OK)
                return st;
        }
        /* libwbxml2 calls start and end for an empty element too */
        if (c->lib != NULL) {
            if (!lib_push(c->lib, false, name_of(page, id)))
                return bad(c, at, "elements nested too deeply (in libwbxml2's tree)");
            if (!(t & 0x40) && !lib_end(c->lib))
                return bad(c, at, "an END that leaves libwbxml2's tree");
        }
        if (t & 0x40) {
            top++;
            children[top] = 0;
            last_text[top] = false;
        } else if (top == 0) {
            root_done = true; /* an empty root */
        }
    }
    if (c->lib != NULL && c->lib->work > DMB_WBXML_WORK_MAX)
        return bad(c, c->pos, TOO_MUCH_WORK);
    if (top > 0)
        return bad(c, c->pos, "the message ends inside an element");
    if (!root_done)
        return bad(c, c->pos, "no root element");
    return DMBOOT_OK;
}

static dmboot_status check_document(const uint8_t *p, size_t n, size_t base, doc_kind kind,
                                    size_t depth, lib_tree *lib, uint64_t *work,
                                    dmboot_error *err)
{
    checker c = {.p = p, .n = n, .base = base, .kind = kind, .depth = depth, .lib = lib,
                 .work = work, .err = err};
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
    lib_tree lib;
    lib.top = 0;
    lib.cdata_open = 0;
    lib.tail_len = 0;
    lib.work = 0;
    return check_document(wbxml, len, 0, DOC_SYNCML, 0, &lib, &lib.work, err);
}
