/* The SyncHdr (and the shape of SyncBody) of a SyncML DM package, read with
 * the strict reader of xml_reader.c. Elements are matched by local name and
 * namespace: SyncML elements in the SyncML 1.1 or 1.2 namespace (any
 * prefix, any case of the name) or in none (clients that declare no
 * namespace); the meta information elements (Type, Format, MaxMsgSize,
 * MaxObjSize) also in syncml:metinf. An element of another namespace is
 * not the SyncML one of the same local name: <s:Source xmlns:s='x'> is not
 * a Source. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "omadm/xml_reader.h"

static const char *const FIELD_NAMES[DMBOOT_SYNCML_FIELD_COUNT] = {
    "VerDTD",         "VerProto",       "SessionID",     "MsgID",
    "Target/LocURI",  "Target/LocName", "Source/LocURI", "Source/LocName",
    "RespURI",        "Cred/Meta/Type", "Cred/Meta/Format", "Cred/Data",
    "Meta/MaxMsgSize", "Meta/MaxObjSize", "Alert/Data"};

/* The commands of the DM representation protocol (OMA-TS-DM_RepPro). */
static const char *const COMMANDS[] = {"Add",     "Alert",   "Atomic",   "Copy",
                                       "Delete",  "Exec",    "Get",      "Replace",
                                       "Results", "Sequence", "Status"};
#define NCOMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

struct dmboot_syncml {
    char *value[DMBOOT_SYNCML_FIELD_COUNT];
    size_t len[DMBOOT_SYNCML_FIELD_COUNT];
    bool no_resp, final;
    uint8_t *commands; /* indexes into COMMANDS */
    size_t command_count, command_cap;
};

const char *dmboot_syncml_field_name(dmboot_syncml_field field)
{
    if ((unsigned)field >= DMBOOT_SYNCML_FIELD_COUNT)
        return NULL;
    return FIELD_NAMES[field];
}

void dmboot_syncml_free(dmboot_syncml *m)
{
    if (m == NULL)
        return;
    for (int f = 0; f < DMBOOT_SYNCML_FIELD_COUNT; f++)
        if (m->value[f] != NULL)
            OPENSSL_clear_free(m->value[f], m->len[f] + 1); /* Cred/Data may be basic */
    free(m->commands);
    free(m);
}

const char *dmboot_syncml_get(const dmboot_syncml *m, dmboot_syncml_field field, size_t *len)
{
    if (m == NULL || (unsigned)field >= DMBOOT_SYNCML_FIELD_COUNT || m->value[field] == NULL)
        return NULL;
    if (len != NULL)
        *len = m->len[field];
    return m->value[field];
}

int dmboot_syncml_no_resp(const dmboot_syncml *m)
{
    return m != NULL && m->no_resp;
}

int dmboot_syncml_final(const dmboot_syncml *m)
{
    return m != NULL && m->final;
}

size_t dmboot_syncml_command_count(const dmboot_syncml *m)
{
    return m == NULL ? 0 : m->command_count;
}

const char *dmboot_syncml_command(const dmboot_syncml *m, size_t i)
{
    if (m == NULL || i >= m->command_count)
        return NULL;
    return COMMANDS[m->commands[i]];
}

size_t dmboot_syncml_count(const dmboot_syncml *m, const char *command)
{
    size_t n = 0;
    for (size_t i = 0; m != NULL && command != NULL && i < m->command_count; i++)
        if (strcmp(COMMANDS[m->commands[i]], command) == 0)
            n++;
    return n;
}

/* ---- the interpreter ------------------------------------------------- */

typedef enum ctx {
    C_ROOT,      /* outside any element */
    C_SYNCML,    /* <SyncML> */
    C_HDR,       /* <SyncHdr> */
    C_TARGET,    /* <SyncHdr><Target> */
    C_SOURCE,    /* <SyncHdr><Source> */
    C_CRED,      /* <SyncHdr><Cred> */
    C_CRED_META, /* <SyncHdr><Cred><Meta> */
    C_HDR_META,  /* <SyncHdr><Meta> */
    C_BODY,      /* <SyncBody> */
    C_ALERT,     /* the first <Alert> of SyncBody */
    C_SKIP,      /* content not interpreted (commands, other meta) */
    C_LEAF,      /* a value element: text only */
    C_EMPTY      /* <NoResp/>, <Final/>: nothing but blanks */
} ctx;

typedef struct frame {
    ctx c;
    int field; /* C_LEAF: the field */
    const char *name;
    size_t name_len;
} frame;

/* Containers that may appear once in SyncHdr. */
enum { SEEN_TARGET = 1, SEEN_SOURCE = 2, SEEN_CRED = 4, SEEN_META = 8, SEEN_NORESP = 16 };

typedef struct parser {
    dmb_xml_reader r;
    frame stack[DMB_XML_DEPTH_MAX + 1];
    size_t depth;
    dmboot_syncml *m;
    unsigned hdr_seen;
    bool have_hdr, have_body, alert_seen, alert_data_seen;
    size_t hdr_line, body_line;
    char text[DMBOOT_SYNCML_VALUE_MAX + 1]; /* the current leaf's text */
    size_t text_len;
    dmboot_error *err;
} parser;

static bool ns_is(const dmb_xml_event *ev, const char *uri)
{
    size_t n = strlen(uri);
    if (ev->ns_len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char a = ev->ns[i], b = uri[i];
        if (a >= 'a' && a <= 'z')
            a = (char)(a - 'a' + 'A');
        if (b >= 'a' && b <= 'z')
            b = (char)(b - 'a' + 'A');
        if (a != b)
            return false;
    }
    return true;
}

static bool in_syncml_ns(const dmb_xml_event *ev)
{
    return ev->ns == NULL || ns_is(ev, "SYNCML:SYNCML1.2") || ns_is(ev, "SYNCML:SYNCML1.1");
}

static bool local_is(const dmb_xml_event *ev, const char *name)
{
    return ev->local_len == strlen(name) && memcmp(ev->local, name, ev->local_len) == 0;
}

/* A SyncML element of that name. */
static bool is_name(const dmb_xml_event *ev, const char *name)
{
    return local_is(ev, name) && in_syncml_ns(ev);
}

/* A meta information element of that name (MetInf, or written in the
 * SyncML namespace, as some clients do). */
static bool is_metinf(const dmb_xml_event *ev, const char *name)
{
    return local_is(ev, name) && (in_syncml_ns(ev) || ns_is(ev, "syncml:metinf"));
}

static size_t line_of(const parser *p, size_t offset)
{
    return dmb_xml_line(p->r.s, offset);
}

static dmboot_status unexpected(parser *p, const dmb_xml_event *ev, const char *where)
{
    bool foreign = ev->ns != NULL && !in_syncml_ns(ev);
    return dmb_fail(p->err, DMBOOT_ERR_SYNTAX, line_of(p, ev->offset),
                    "unexpected <%.*s>%s%.*s%s in <%s>",
                    (int)(ev->name_len > 40 ? 40 : ev->name_len), ev->name,
                    foreign ? " (namespace '" : "", foreign ? (int)(ev->ns_len > 60 ? 60 : ev->ns_len) : 0,
                    foreign ? ev->ns : "", foreign ? "')" : "", where);
}

static dmboot_status twice(parser *p, const dmb_xml_event *ev, const char *where)
{
    return dmb_fail(p->err, DMBOOT_ERR_SYNTAX, line_of(p, ev->offset), "<%s> has two <%.*s>",
                    where, (int)ev->local_len, ev->local);
}

static dmboot_status leaf(parser *p, const dmb_xml_event *ev, int field, frame *f)
{
    if (p->m->value[field] != NULL)
        return dmb_fail(p->err, DMBOOT_ERR_SYNTAX, line_of(p, ev->offset), "two <%s> elements",
                        FIELD_NAMES[field]);
    f->c = C_LEAF;
    f->field = field;
    p->text_len = 0;
    return DMBOOT_OK;
}

static dmboot_status add_command(parser *p, size_t index)
{
    dmboot_syncml *m = p->m;
    if (m->command_count == m->command_cap) {
        size_t cap = m->command_cap ? m->command_cap * 2 : 16;
        uint8_t *c = realloc(m->commands, cap);
        if (c == NULL)
            return dmb_fail(p->err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
        m->commands = c;
        m->command_cap = cap;
    }
    m->commands[m->command_count++] = (uint8_t)index;
    return DMBOOT_OK;
}

/* A START event: what the element is, given where it is. */
static dmboot_status on_start(parser *p, const dmb_xml_event *ev)
{
    frame *parent = &p->stack[p->depth];
    frame f = {C_SKIP, -1, ev->local, ev->local_len};
    dmboot_status st = DMBOOT_OK;
    switch (parent->c) {
    case C_ROOT:
        if (local_is(ev, "SyncML") && !in_syncml_ns(ev))
            return dmb_fail(p->err, DMBOOT_ERR_SYNTAX, line_of(p, ev->offset),
                            "the root element <SyncML> is in namespace '%.*s', not SyncML's "
                            "(SYNCML:SYNCML1.2 or SYNCML:SYNCML1.1)",
                            (int)(ev->ns_len > 60 ? 60 : ev->ns_len), ev->ns);
        if (!is_name(ev, "SyncML"))
            return dmb_fail(p->err, DMBOOT_ERR_SYNTAX, line_of(p, ev->offset),
                            "the root element is <%.*s>, not <SyncML>",
                            (int)(ev->name_len > 40 ? 40 : ev->name_len), ev->name);
        f.c = C_SYNCML;
        break;
    case C_SYNCML:
        if (is_name(ev, "SyncHdr") && !p->have_hdr && !p->have_body) {
            p->have_hdr = true;
            p->hdr_line = line_of(p, ev->offset);
            f.c = C_HDR;
        } else if (is_name(ev, "SyncBody") && p->have_hdr && !p->have_body) {
            p->have_body = true;
            p->body_line = line_of(p, ev->offset);
            f.c = C_BODY;
        } else if (is_name(ev, "SyncBody") && !p->have_hdr) {
            return dmb_fail(p->err, DMBOOT_ERR_SYNTAX, line_of(p, ev->offset),
                            "<SyncBody> before <SyncHdr>");
        } else if (is_name(ev, "SyncHdr") || is_name(ev, "SyncBody")) {
            return twice(p, ev, "SyncML");
        } else {
            return unexpected(p, ev, "SyncML");
        }
        break;
    case C_HDR: {
        static const struct {
            const char *name;
            int field;
        } leaves[] = {{"VerDTD", DMBOOT_SYNCML_VERDTD},
                      {"VerProto", DMBOOT_SYNCML_VERPROTO},
                      {"SessionID", DMBOOT_SYNCML_SESSIONID},
                      {"MsgID", DMBOOT_SYNCML_MSGID},
                      {"RespURI", DMBOOT_SYNCML_RESPURI}};
        for (size_t k = 0; k < sizeof leaves / sizeof leaves[0]; k++)
            if (is_name(ev, leaves[k].name)) {
                if (p->m->value[leaves[k].field] != NULL)
                    return twice(p, ev, "SyncHdr");
                st = leaf(p, ev, leaves[k].field, &f);
                goto push;
            }
        static const struct {
            const char *name;
            unsigned bit;
            ctx c;
        } boxes[] = {{"Target", SEEN_TARGET, C_TARGET}, {"Source", SEEN_SOURCE, C_SOURCE},
                     {"Cred", SEEN_CRED, C_CRED},       {"Meta", SEEN_META, C_HDR_META},
                     {"NoResp", SEEN_NORESP, C_EMPTY}};
        for (size_t k = 0; k < sizeof boxes / sizeof boxes[0]; k++)
            if (is_name(ev, boxes[k].name)) {
                if (p->hdr_seen & boxes[k].bit)
                    return twice(p, ev, "SyncHdr");
                p->hdr_seen |= boxes[k].bit;
                f.c = boxes[k].c;
                if (boxes[k].bit == SEEN_NORESP)
                    p->m->no_resp = true;
                goto push;
            }
        return unexpected(p, ev, "SyncHdr");
    }
    case C_TARGET:
    case C_SOURCE: {
        bool target = parent->c == C_TARGET;
        const char *where = target ? "Target" : "Source";
        if (is_name(ev, "LocURI")) {
            int fld = target ? DMBOOT_SYNCML_TARGET_LOCURI : DMBOOT_SYNCML_SOURCE_LOCURI;
            if (p->m->value[fld] != NULL)
                return twice(p, ev, where);
            st = leaf(p, ev, fld, &f);
        } else if (is_name(ev, "LocName")) {
            int fld = target ? DMBOOT_SYNCML_TARGET_LOCNAME : DMBOOT_SYNCML_SOURCE_LOCNAME;
            if (p->m->value[fld] != NULL)
                return twice(p, ev, where);
            st = leaf(p, ev, fld, &f);
        } else {
            return unexpected(p, ev, where);
        }
        break;
    }
    case C_CRED:
        if (is_name(ev, "Meta")) {
            f.c = C_CRED_META;
        } else if (is_name(ev, "Data")) {
            if (p->m->value[DMBOOT_SYNCML_CRED_DATA] != NULL)
                return twice(p, ev, "Cred");
            st = leaf(p, ev, DMBOOT_SYNCML_CRED_DATA, &f);
        } else {
            return unexpected(p, ev, "Cred");
        }
        break;
    case C_CRED_META:
        if (is_metinf(ev, "Type"))
            st = leaf(p, ev, DMBOOT_SYNCML_CRED_TYPE, &f);
        else if (is_metinf(ev, "Format"))
            st = leaf(p, ev, DMBOOT_SYNCML_CRED_FORMAT, &f);
        break; /* other meta information is not interpreted */
    case C_HDR_META:
        if (is_metinf(ev, "MaxMsgSize"))
            st = leaf(p, ev, DMBOOT_SYNCML_MAXMSGSIZE, &f);
        else if (is_metinf(ev, "MaxObjSize"))
            st = leaf(p, ev, DMBOOT_SYNCML_MAXOBJSIZE, &f);
        break;
    case C_BODY:
        if (p->m->final)
            return dmb_fail(p->err, DMBOOT_ERR_SYNTAX, line_of(p, ev->offset),
                            "<%.*s> after <Final/> in <SyncBody>", (int)ev->local_len,
                            ev->local);
        if (is_name(ev, "Final")) {
            p->m->final = true;
            f.c = C_EMPTY;
            break;
        }
        for (size_t k = 0; k < NCOMMANDS; k++)
            if (is_name(ev, COMMANDS[k])) {
                st = add_command(p, k);
                f.c = C_SKIP;
                if (k == 1 && !p->alert_seen) { /* the first Alert: its code */
                    p->alert_seen = true;
                    f.c = C_ALERT;
                }
                goto push;
            }
        return dmb_fail(p->err, DMBOOT_ERR_SYNTAX, line_of(p, ev->offset),
                        "unknown command <%.*s> in <SyncBody>",
                        (int)(ev->name_len > 40 ? 40 : ev->name_len), ev->name);
    case C_ALERT:
        if (is_name(ev, "Data") && !p->alert_data_seen) {
            p->alert_data_seen = true;
            st = leaf(p, ev, DMBOOT_SYNCML_ALERT_CODE, &f);
        }
        break;
    case C_SKIP:
        break;
    case C_LEAF:
    case C_EMPTY:
        return dmb_fail(p->err, DMBOOT_ERR_SYNTAX, line_of(p, ev->offset),
                        "unexpected element <%.*s> inside <%.*s> (it holds text only)",
                        (int)(ev->name_len > 40 ? 40 : ev->name_len), ev->name,
                        (int)parent->name_len, parent->name);
    }
push:
    if (st != DMBOOT_OK)
        return st;
    p->stack[++p->depth] = f;
    return DMBOOT_OK;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return false;
    return true;
}

static dmboot_status on_text(parser *p, const dmb_xml_event *ev)
{
    frame *f = &p->stack[p->depth];
    if (f->c == C_SKIP)
        return DMBOOT_OK;
    if (f->c == C_LEAF) {
        if (!dmb_xml_decode(ev->text, ev->text_len, ev->cdata, p->text, DMBOOT_SYNCML_VALUE_MAX,
                            &p->text_len))
            return dmb_fail(p->err, DMBOOT_ERR_SYNTAX, line_of(p, ev->offset),
                            "<%s> is longer than %d bytes", FIELD_NAMES[f->field],
                            DMBOOT_SYNCML_VALUE_MAX);
        return DMBOOT_OK;
    }
    if (blank(ev->text, ev->text_len))
        return DMBOOT_OK;
    return dmb_fail(p->err, DMBOOT_ERR_SYNTAX, line_of(p, ev->offset),
                    "text directly inside <%.*s>", (int)f->name_len, f->name);
}

static dmboot_status on_end(parser *p)
{
    frame *f = &p->stack[p->depth--];
    if (f->c != C_LEAF)
        return DMBOOT_OK;
    /* The value without surrounding blanks. */
    size_t a = 0, b = p->text_len;
    while (a < b && blank(p->text + a, 1))
        a++;
    while (b > a && blank(p->text + b - 1, 1))
        b--;
    char *v = malloc(b - a + 1);
    if (v == NULL)
        return dmb_fail(p->err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    memcpy(v, p->text + a, b - a);
    v[b - a] = '\0';
    p->m->value[f->field] = v;
    p->m->len[f->field] = b - a;
    OPENSSL_cleanse(p->text, p->text_len);
    p->text_len = 0;
    return DMBOOT_OK;
}

static dmboot_status check_required(parser *p)
{
    if (!p->have_hdr)
        return dmb_fail(p->err, DMBOOT_ERR_SYNTAX, 0, "the package has no <SyncHdr>");
    static const int required[] = {DMBOOT_SYNCML_VERDTD,        DMBOOT_SYNCML_VERPROTO,
                                   DMBOOT_SYNCML_SESSIONID,     DMBOOT_SYNCML_MSGID,
                                   DMBOOT_SYNCML_TARGET_LOCURI, DMBOOT_SYNCML_SOURCE_LOCURI};
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++)
        if (p->m->value[required[k]] == NULL)
            return dmb_fail(p->err, DMBOOT_ERR_SYNTAX, p->hdr_line, "<SyncHdr> has no <%s>",
                            FIELD_NAMES[required[k]]);
    if (!p->have_body)
        return dmb_fail(p->err, DMBOOT_ERR_SYNTAX, 0, "the package has no <SyncBody>");
    return DMBOOT_OK;
}

dmboot_status dmboot_syncml_parse(const char *xml, size_t xml_len, dmboot_syncml **out,
                                  dmboot_error *err)
{
    if ((xml == NULL && xml_len != 0) || out == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    *out = NULL;
    parser *p = calloc(1, sizeof *p);
    dmboot_syncml *m = calloc(1, sizeof *m);
    if (p == NULL || m == NULL) {
        free(p);
        free(m);
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    }
    p->m = m;
    p->err = err;
    p->stack[0].c = C_ROOT;
    dmb_xml_init(&p->r, xml, xml_len);
    dmboot_status st;
    for (;;) {
        dmb_xml_event ev;
        if ((st = dmb_xml_next(&p->r, &ev, err)) != DMBOOT_OK)
            break;
        if (ev.kind == DMB_XML_DONE) {
            st = check_required(p);
            break;
        }
        if (ev.kind == DMB_XML_START)
            st = on_start(p, &ev);
        else if (ev.kind == DMB_XML_TEXT)
            st = on_text(p, &ev);
        else
            st = on_end(p);
        if (st != DMBOOT_OK)
            break;
    }
    OPENSSL_clear_free(p, sizeof *p); /* the text buffer may have held Cred/Data */
    if (st != DMBOOT_OK) {
        dmboot_syncml_free(m);
        return st;
    }
    *out = m;
    dmb_ok(err);
    return DMBOOT_OK;
}
