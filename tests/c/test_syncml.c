/* The SyncML DM header reader and the strict XML reader under it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omadm/omadm.h"
#include "test_util.h"
#include "omadm/xml_reader.h"

/* A client's first package (package 1), as OMA DM 1.2 clients send it. */
static const char PKG1[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<SyncML xmlns='SYNCML:SYNCML1.2'>\n"
    "  <SyncHdr>\n"
    "    <VerDTD>1.2</VerDTD>\n"
    "    <VerProto>DM/1.2</VerProto>\n"
    "    <SessionID>1A</SessionID>\n"
    "    <MsgID>1</MsgID>\n"
    "    <Target><LocURI>https://dm.operator.example/oma-dm</LocURI></Target>\n"
    "    <Source>\n"
    "      <LocURI>IMEI:490154203237518</LocURI>\n"
    "      <LocName>IMEI:490154203237518</LocName>\n"
    "    </Source>\n"
    "    <Cred>\n"
    "      <Meta>\n"
    "        <Type xmlns='syncml:metinf'>syncml:auth-md5</Type>\n"
    "        <Format xmlns='syncml:metinf'>b64</Format>\n"
    "      </Meta>\n"
    "      <Data>Zz6EivR3yeaaENcRN6lpAQ==</Data>\n"
    "    </Cred>\n"
    "    <Meta><MaxMsgSize xmlns='syncml:metinf'>10000</MaxMsgSize></Meta>\n"
    "  </SyncHdr>\n"
    "  <SyncBody>\n"
    "    <Alert><CmdID>1</CmdID><Data>1201</Data></Alert>\n"
    "    <Replace>\n"
    "      <CmdID>2</CmdID>\n"
    "      <Item><Source><LocURI>./DevInfo/DevId</LocURI></Source>\n"
    "        <Data>IMEI:490154203237518</Data></Item>\n"
    "      <Item><Source><LocURI>./DevInfo/Man</LocURI></Source><Data>ACME &amp; Co</Data></Item>\n"
    "    </Replace>\n"
    "    <Final/>\n"
    "  </SyncBody>\n"
    "</SyncML>\n";

static dmboot_syncml *parse_ok(const char *xml, size_t len)
{
    dmboot_syncml *m = NULL;
    dmboot_error err;
    if (dmboot_syncml_parse(xml, len, &m, &err) != DMBOOT_OK)
        fail_msg("parse failed: %s\n%s", err.message, xml);
    return m;
}

static void parse_bad(const char *xml, size_t len, const char *expect)
{
    dmboot_syncml *m = (dmboot_syncml *)&m; /* must be reset to NULL */
    dmboot_error err;
    dmboot_status st = dmboot_syncml_parse(xml, len, &m, &err);
    if (st != DMBOOT_ERR_SYNTAX)
        fail_msg("status %d (want a syntax error) for:\n%s", st, xml);
    assert_null(m);
    if (strstr(err.message, expect) == NULL)
        fail_msg("message '%s' lacks '%s'", err.message, expect);
}

static void want(const dmboot_syncml *m, dmboot_syncml_field f, const char *v)
{
    size_t n = 0;
    const char *got = dmboot_syncml_get(m, f, &n);
    if (v == NULL) {
        assert_null(got);
        return;
    }
    if (got == NULL)
        fail_msg("%s absent, want '%s'", dmboot_syncml_field_name(f), v);
    assert_string_equal(got, v);
    assert_int_equal(n, strlen(v));
}

static void test_first_package(void **state)
{
    (void)state;
    dmboot_syncml *m = parse_ok(PKG1, strlen(PKG1));
    want(m, DMBOOT_SYNCML_VERDTD, "1.2");
    want(m, DMBOOT_SYNCML_VERPROTO, "DM/1.2");
    want(m, DMBOOT_SYNCML_SESSIONID, "1A");
    want(m, DMBOOT_SYNCML_MSGID, "1");
    want(m, DMBOOT_SYNCML_TARGET_LOCURI, "https://dm.operator.example/oma-dm");
    want(m, DMBOOT_SYNCML_TARGET_LOCNAME, NULL);
    want(m, DMBOOT_SYNCML_SOURCE_LOCURI, "IMEI:490154203237518");
    want(m, DMBOOT_SYNCML_SOURCE_LOCNAME, "IMEI:490154203237518");
    want(m, DMBOOT_SYNCML_CRED_TYPE, "syncml:auth-md5");
    want(m, DMBOOT_SYNCML_CRED_FORMAT, "b64");
    want(m, DMBOOT_SYNCML_CRED_DATA, "Zz6EivR3yeaaENcRN6lpAQ==");
    want(m, DMBOOT_SYNCML_MAXMSGSIZE, "10000");
    want(m, DMBOOT_SYNCML_MAXOBJSIZE, NULL);
    want(m, DMBOOT_SYNCML_RESPURI, NULL);
    want(m, DMBOOT_SYNCML_ALERT_CODE, "1201");
    assert_int_equal(dmboot_syncml_command_count(m), 2);
    assert_string_equal(dmboot_syncml_command(m, 0), "Alert");
    assert_string_equal(dmboot_syncml_command(m, 1), "Replace");
    assert_null(dmboot_syncml_command(m, 2));
    assert_int_equal(dmboot_syncml_count(m, "Replace"), 1);
    assert_int_equal(dmboot_syncml_count(m, "Get"), 0);
    assert_true(dmboot_syncml_final(m));
    assert_false(dmboot_syncml_no_resp(m));
    assert_null(dmboot_syncml_get(m, (dmboot_syncml_field)99, NULL));
    assert_string_equal(dmboot_syncml_field_name(DMBOOT_SYNCML_SOURCE_LOCURI), "Source/LocURI");
    dmboot_syncml_free(m);
    dmboot_syncml_free(NULL);
}

/* A minimal header around a body, and the same with a twist. */
#define HDR_OPEN                                                                               \
    "<SyncML><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>"                         \
    "<SessionID>1</SessionID><MsgID>2</MsgID><Target><LocURI>srv</LocURI></Target>"           \
    "<Source><LocURI>dev</LocURI></Source>"
#define HDR_CLOSE "</SyncHdr>"
#define MIN_BODY "<SyncBody><Final/></SyncBody></SyncML>"
#define MINIMAL HDR_OPEN HDR_CLOSE MIN_BODY

static void test_variants(void **state)
{
    (void)state;
    dmboot_syncml *m;
    /* minimal, no Cred, no XML declaration */
    m = parse_ok(MINIMAL, strlen(MINIMAL));
    want(m, DMBOOT_SYNCML_CRED_DATA, NULL);
    want(m, DMBOOT_SYNCML_ALERT_CODE, NULL);
    assert_int_equal(dmboot_syncml_command_count(m), 0);
    dmboot_syncml_free(m);

    /* prefixes, other namespaces, attributes in both quotes */
    const char *pfx =
        "<s:SyncML xmlns:s=\"SYNCML:SYNCML1.2\" xmlns:mi='syncml:metinf'><s:SyncHdr>"
        "<s:VerDTD>1.2</s:VerDTD><s:VerProto>DM/1.2</s:VerProto><s:SessionID>9</s:SessionID>"
        "<s:MsgID>3</s:MsgID><s:Target><s:LocURI>srv</s:LocURI></s:Target>"
        "<s:Source><s:LocURI>dev</s:LocURI></s:Source><s:Cred><s:Meta><mi:Type>syncml:auth-basic"
        "</mi:Type></s:Meta><s:Data>QnJ1Y2UyOk9oQmVoYXZl</s:Data></s:Cred><s:NoResp/>"
        "</s:SyncHdr><s:SyncBody><s:Status><s:CmdID>1</s:CmdID></s:Status></s:SyncBody></s:SyncML>";
    m = parse_ok(pfx, strlen(pfx));
    want(m, DMBOOT_SYNCML_CRED_TYPE, "syncml:auth-basic");
    want(m, DMBOOT_SYNCML_CRED_FORMAT, NULL);
    want(m, DMBOOT_SYNCML_CRED_DATA, "QnJ1Y2UyOk9oQmVoYXZl");
    assert_true(dmboot_syncml_no_resp(m));
    assert_false(dmboot_syncml_final(m));
    assert_string_equal(dmboot_syncml_command(m, 0), "Status");
    dmboot_syncml_free(m);

    /* entities, character references, CDATA, comments, PIs, blanks */
    const char *ent =
        "\xEF\xBB\xBF<?xml version='1.0'?>\r\n<!-- first -->\r\n"
        "<!DOCTYPE SyncML PUBLIC \"-//SYNCML//DTD SyncML 1.2//EN\" "
        "\"http://www.openmobilealliance.org/tech/DTD/OMA-TS-DM_DTD-V1_2.dtd\">\r\n"
        "<SyncML><?pi ignored?><SyncHdr><VerDTD> 1.2 </VerDTD><VerProto>DM/1.2</VerProto>"
        "<SessionID>&#x31;&#50;</SessionID><MsgID><![CDATA[7]]></MsgID>"
        "<Target><LocURI>https://h/p?a=1&amp;b=&lt;2&gt;&quot;&apos;</LocURI>"
        "<LocName>Zo&#xEB; &#x1F600;</LocName></Target>"
        "<Source><LocURI>IMEI:<![CDATA[49015420]]>3237518</LocURI></Source>"
        "<Cred><Meta><Type>syncml:auth-md5</Type><NextNonce>abc</NextNonce></Meta>"
        "<Data>\r\n  Zz6EivR3yeaaENcRN6lpAQ==\r\n</Data></Cred>"
        "<RespURI>https://h/r</RespURI></SyncHdr>"
        "<SyncBody><Alert><CmdID>1</CmdID><Data>1200</Data></Alert>"
        "<Alert><CmdID>2</CmdID><Data>1226</Data></Alert><Get><CmdID>3</CmdID>"
        "<Item><Data><![CDATA[<not-xml>&bogus;]]></Data></Item></Get><Final></Final></SyncBody>"
        "</SyncML><!-- after -->\r\n";
    m = parse_ok(ent, strlen(ent));
    want(m, DMBOOT_SYNCML_VERDTD, "1.2");
    want(m, DMBOOT_SYNCML_SESSIONID, "12");
    want(m, DMBOOT_SYNCML_MSGID, "7");
    want(m, DMBOOT_SYNCML_TARGET_LOCURI, "https://h/p?a=1&b=<2>\"'");
    want(m, DMBOOT_SYNCML_TARGET_LOCNAME, "Zo\xC3\xAB \xF0\x9F\x98\x80");
    want(m, DMBOOT_SYNCML_SOURCE_LOCURI, "IMEI:490154203237518");
    want(m, DMBOOT_SYNCML_CRED_DATA, "Zz6EivR3yeaaENcRN6lpAQ==");
    want(m, DMBOOT_SYNCML_RESPURI, "https://h/r");
    want(m, DMBOOT_SYNCML_ALERT_CODE, "1200"); /* the first Alert */
    assert_int_equal(dmboot_syncml_count(m, "Alert"), 2);
    assert_int_equal(dmboot_syncml_command_count(m), 3);
    assert_true(dmboot_syncml_final(m));
    dmboot_syncml_free(m);

    /* Many commands (the list grows). */
    size_t cap = 200000;
    char *big = malloc(cap);
    assert_non_null(big);
    size_t o = (size_t)snprintf(big, cap, "%s%s<SyncBody>", HDR_OPEN, HDR_CLOSE);
    for (int k = 0; k < 1000; k++)
        o += (size_t)snprintf(big + o, cap - o, "<Status><CmdID>%d</CmdID></Status>", k);
    snprintf(big + o, cap - o, "</SyncBody></SyncML>");
    m = parse_ok(big, strlen(big));
    assert_int_equal(dmboot_syncml_count(m, "Status"), 1000);
    dmboot_syncml_free(m);
    free(big);
}

static void test_structure_errors(void **state)
{
    (void)state;
    parse_bad("", 0, "no root element");
    parse_bad("   \n", 4, "no root element");
    parse_bad("<SyncML>", 8, "ends inside <SyncML>");
    parse_bad("<Foo/>", 6, "the root element is <Foo>, not <SyncML>");
    parse_bad("<SyncML/>", 9, "no <SyncHdr>");
    parse_bad("<SyncML><SyncBody/></SyncML>", 28, "<SyncBody> before <SyncHdr>");
    parse_bad(HDR_OPEN HDR_CLOSE "</SyncML>", strlen(HDR_OPEN HDR_CLOSE "</SyncML>"),
              "no <SyncBody>");
    parse_bad(HDR_OPEN HDR_CLOSE MIN_BODY "<SyncML/>", strlen(MINIMAL) + 9,
              "an element after the root element");
    parse_bad(HDR_OPEN HDR_CLOSE MIN_BODY "x", strlen(MINIMAL) + 1, "text after the root");
    parse_bad("x<SyncML/>", 10, "text before the root");
    /* required header values, each missing in turn */
    const char *fields[] = {"<VerDTD>1.2</VerDTD>", "<VerProto>DM/1.2</VerProto>",
                            "<SessionID>1</SessionID>", "<MsgID>2</MsgID>",
                            "<LocURI>srv</LocURI>", "<LocURI>dev</LocURI>"};
    const char *names[] = {"no <VerDTD>",   "no <VerProto>",     "no <SessionID>",
                           "no <MsgID>",    "no <Target/LocURI>", "no <Source/LocURI>"};
    for (size_t k = 0; k < 6; k++) {
        char buf[1024];
        const char *full = MINIMAL;
        const char *at = strstr(full, fields[k]);
        assert_non_null(at);
        snprintf(buf, sizeof buf, "%.*s%s", (int)(at - full), full, at + strlen(fields[k]));
        parse_bad(buf, strlen(buf), names[k]);
    }
    /* duplicates */
    const char *dup = HDR_OPEN "<MsgID>3</MsgID>" HDR_CLOSE MIN_BODY;
    parse_bad(dup, strlen(dup), "<SyncHdr> has two <MsgID>");
    dup = HDR_OPEN "<Source><LocURI>x</LocURI></Source>" HDR_CLOSE MIN_BODY;
    parse_bad(dup, strlen(dup), "<SyncHdr> has two <Source>");
    dup = HDR_OPEN "<Cred><Data>a</Data><Data>b</Data></Cred>" HDR_CLOSE MIN_BODY;
    parse_bad(dup, strlen(dup), "<Cred> has two <Data>");
    dup = HDR_OPEN "<Cred><Meta><Type>a</Type><Type>b</Type></Meta></Cred>" HDR_CLOSE MIN_BODY;
    parse_bad(dup, strlen(dup), "two <Cred/Meta/Type>");
    dup = HDR_OPEN HDR_CLOSE "<SyncHdr/>" MIN_BODY;
    parse_bad(dup, strlen(dup), "<SyncML> has two <SyncHdr>");
    /* unknown or misplaced elements */
    const char *odd = HDR_OPEN "<Foo/>" HDR_CLOSE MIN_BODY;
    parse_bad(odd, strlen(odd), "unexpected <Foo> in <SyncHdr>");
    odd = HDR_OPEN HDR_CLOSE "<SyncBody><Sync/></SyncBody></SyncML>";
    parse_bad(odd, strlen(odd), "unknown command <Sync> in <SyncBody>");
    odd = HDR_OPEN HDR_CLOSE "<SyncBody><Final/><Alert/></SyncBody></SyncML>";
    parse_bad(odd, strlen(odd), "<Alert> after <Final/>");
    odd = HDR_OPEN "<RespURI>a<b/></RespURI>" HDR_CLOSE MIN_BODY;
    parse_bad(odd, strlen(odd), "unexpected element <b> inside <RespURI>");
    odd = HDR_OPEN "<Cred><Meta/><Foo/></Cred>" HDR_CLOSE MIN_BODY;
    parse_bad(odd, strlen(odd), "unexpected <Foo> in <Cred>");
    odd = HDR_OPEN "<NoResp>x</NoResp>" HDR_CLOSE MIN_BODY;
    parse_bad(odd, strlen(odd), "text directly inside <NoResp>");
    odd = HDR_OPEN "stray" HDR_CLOSE MIN_BODY;
    parse_bad(odd, strlen(odd), "text directly inside <SyncHdr>");
    odd = "<SyncML><SyncHdr><VerDTD>1.2</VerDTD><Target><LocName>a</LocName><Foo/></Target>";
    parse_bad(odd, strlen(odd), "unexpected <Foo> in <Target>");
    /* a value too long */
    size_t cap = DMBOOT_SYNCML_VALUE_MAX + 1024;
    char *big = malloc(cap);
    assert_non_null(big);
    int n = snprintf(big, cap, "%s<Cred><Data>", HDR_OPEN);
    memset(big + n, 'A', DMBOOT_SYNCML_VALUE_MAX + 1);
    snprintf(big + n + DMBOOT_SYNCML_VALUE_MAX + 1, cap - (size_t)n - DMBOOT_SYNCML_VALUE_MAX - 1,
             "</Data></Cred>%s%s", HDR_CLOSE, MIN_BODY);
    parse_bad(big, strlen(big), "<Cred/Data> is longer than 4096 bytes");
    /* exactly the limit is fine */
    n = snprintf(big, cap, "%s<Cred><Data>", HDR_OPEN);
    memset(big + n, 'A', DMBOOT_SYNCML_VALUE_MAX);
    snprintf(big + n + DMBOOT_SYNCML_VALUE_MAX, cap - (size_t)n - DMBOOT_SYNCML_VALUE_MAX,
             "</Data></Cred>%s%s", HDR_CLOSE, MIN_BODY);
    dmboot_syncml *m = parse_ok(big, strlen(big));
    size_t len = 0;
    assert_non_null(dmboot_syncml_get(m, DMBOOT_SYNCML_CRED_DATA, &len));
    assert_int_equal(len, DMBOOT_SYNCML_VALUE_MAX);
    dmboot_syncml_free(m);
    free(big);
}

static void test_xml_errors(void **state)
{
    (void)state;
    /* XXE and entity tricks */
    const char *xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE SyncML [\n<!ENTITY x SYSTEM "
                      "\"file:///etc/passwd\">]>\n<SyncML>&x;</SyncML>";
    parse_bad(xxe, strlen(xxe), "line 2: a DOCTYPE internal subset (entity declarations) is "
                                "not accepted");
    const char *lol = "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]>"
                      "<SyncML>&lol2;</SyncML>";
    parse_bad(lol, strlen(lol), "internal subset");
    parse_bad("<SyncML>&x;</SyncML>", 20, "undefined entity '&x;'");
    parse_bad("<SyncML><!ENTITY x 'y'></SyncML>", 32, "unexpected '<!' markup");
    parse_bad("<SyncML>a & b</SyncML>", 22, "'&' does not start a reference");
    parse_bad("<SyncML>&#0;</SyncML>", 21, "not an XML character");
    parse_bad("<SyncML>&#x110000;</SyncML>", 27, "out of range");
    parse_bad("<SyncML>&#xZZ;</SyncML>", 23, "malformed character reference");
    parse_bad("<SyncML>&#;</SyncML>", 20, "empty character reference");
    parse_bad("<SyncML>&#xD800;</SyncML>", 25, "not an XML character");
    parse_bad("<!DOCTYPE a><!DOCTYPE b><SyncML/>", 33, "only allowed once");
    parse_bad("<!DOCTYPE a SYSTEM \"x\" junk><SyncML/>", 37, "malformed DOCTYPE");
    /* tags */
    parse_bad("<SyncML></SyncHdr>", 18, "end tag </SyncHdr> does not match <SyncML>");
    parse_bad("</SyncML>", 9, "without a start tag");
    parse_bad("<SyncML a='1' a='2'/>", 21, "attribute 'a' given twice");
    parse_bad("<SyncML a='1'b='2'/>", 20, "expected whitespace");
    parse_bad("<SyncML a=1/>", 13, "expected a quoted value");
    parse_bad("<SyncML a='<'/>", 15, "'<' in an attribute value");
    parse_bad("<SyncML a='x", 12, "unterminated quoted value");
    parse_bad("<SyncML", 7, "unterminated start tag");
    parse_bad("< SyncML/>", 10, "expected an element name");
    parse_bad("<1a/>", 5, "expected an element name");
    parse_bad("<SyncML></SyncML", 16, "malformed end tag");
    /* comments, PIs, CDATA, declarations */
    parse_bad("<!-- a -- b --><SyncML/>", 24, "'--' inside a comment");
    parse_bad("<!-- a", 6, "unterminated comment");
    parse_bad("<SyncML><![CDATA[x</SyncML>", 27, "unterminated CDATA");
    parse_bad("<![CDATA[x]]><SyncML/>", 22, "CDATA section outside");
    parse_bad("<SyncML>]]></SyncML>", 20, "']]>' in character data");
    parse_bad(" <?xml version='1.0'?><SyncML/>", 31, "only allowed at the very start");
    parse_bad("<?xml version='1.0' encoding='ISO-8859-1'?><SyncML/>", 52,
              "unsupported encoding 'ISO-8859-1'");
    parse_bad("<?xml encoding='UTF-8'?><SyncML/>", 33, "has no version");
    parse_bad("<?xml version='2.0'?><SyncML/>", 30, "unsupported XML version");
    parse_bad("<?xml version='1.0' foo='x'?><SyncML/>", 38, "malformed XML declaration");
    parse_bad("<?pi never closed", 17, "unterminated processing instruction");
    /* characters */
    parse_bad("<SyncML>\x01</SyncML>", 18, "U+0001 is not allowed");
    parse_bad("<SyncML>\xC3</SyncML>", 18, "malformed UTF-8 (byte 0xc3)");
    parse_bad("<SyncML>\xC0\x80</SyncML>", 19, "malformed UTF-8"); /* overlong NUL */
    parse_bad("<SyncML>\xED\xA0\x80</SyncML>", 20, "malformed UTF-8"); /* a surrogate */
    parse_bad("<SyncML>\xEF\xBF\xBE</SyncML>", 20, "U+FFFE is not allowed");
    parse_bad("<SyncML>\xF4\x90\x80\x80</SyncML>", 21, "malformed UTF-8");
    char nul[] = "<SyncML>\0</SyncML>";
    parse_bad(nul, sizeof nul - 1, "U+0000 is not allowed");
    /* line numbers */
    parse_bad("<SyncML>\n\n\n<SyncHdr></b></SyncML>", 33,
              "line 4: end tag </b> does not match <SyncHdr>");
}

static void test_nesting(void **state)
{
    (void)state;
    /* 64 elements deep is fine for the reader; 65 is not. */
    char buf[4096];
    size_t o = 0;
    for (int k = 0; k < DMB_XML_DEPTH_MAX; k++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "<a>");
    for (int k = 0; k < DMB_XML_DEPTH_MAX; k++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "</a>");
    dmb_xml_reader r;
    dmb_xml_event ev;
    dmb_xml_init(&r, buf, o);
    size_t max = 0;
    for (;;) {
        assert_int_equal(dmb_xml_next(&r, &ev, NULL), DMBOOT_OK);
        if (dmb_xml_depth(&r) > max)
            max = dmb_xml_depth(&r);
        if (ev.kind == DMB_XML_DONE)
            break;
    }
    assert_int_equal(max, DMB_XML_DEPTH_MAX);
    /* the same inside a SyncML command, one deeper */
    const char *pre = HDR_OPEN HDR_CLOSE "<SyncBody><Get>";
    o = (size_t)snprintf(buf, sizeof buf, "%s", pre);
    for (int k = 0; k < DMB_XML_DEPTH_MAX; k++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "<a>");
    parse_bad(buf, o, "nested deeper than 64");
    /* and an absurd depth is refused early, not by running out of stack */
    size_t deep = 1000000, pl = strlen(pre);
    char *d = malloc(pl + deep * 3);
    assert_non_null(d);
    memcpy(d, pre, pl);
    for (size_t k = 0; k < deep; k++)
        memcpy(d + pl + 3 * k, "<a>", 3);
    parse_bad(d, pl + deep * 3, "nested deeper than 64");
    free(d);
}

/* Elements are SyncML's by namespace too, not by local name alone (issue
 * 14, item 11): an element of another namespace is not the SyncML element
 * of the same name. */
static void test_namespaces(void **state)
{
    (void)state;
    /* a foreign Source in SyncHdr is not a Source */
    const char *foreign =
        "<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><VerDTD>1.2</VerDTD>"
        "<VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>2</MsgID>"
        "<Target><LocURI>srv</LocURI></Target>"
        "<s:Source xmlns:s='x'><s:LocURI>IMEI:490154203237518</s:LocURI></s:Source>"
        "</SyncHdr>" MIN_BODY;
    parse_bad(foreign, strlen(foreign), "unexpected <s:Source> (namespace 'x') in <SyncHdr>");
    /* nor a default namespace that is not SyncML's */
    const char *dflt = "<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr xmlns='urn:other'>"
                       "<VerDTD>1.2</VerDTD></SyncHdr>" MIN_BODY;
    parse_bad(dflt, strlen(dflt), "unexpected <SyncHdr> (namespace 'urn:other') in <SyncML>");
    const char *root = "<SyncML xmlns='urn:other'/>";
    parse_bad(root, strlen(root), "the root element <SyncML> is in namespace 'urn:other'");
    /* a foreign Type in Cred/Meta is other meta information: not read */
    const char *type = HDR_OPEN "<Cred><Meta><x:Type xmlns:x='urn:evil'>syncml:auth-basic"
                                "</x:Type><Type xmlns='syncml:metinf'>syncml:auth-md5</Type>"
                                "</Meta><Data>Zz6EivR3yeaaENcRN6lpAQ==</Data></Cred>" HDR_CLOSE
                                    MIN_BODY;
    dmboot_syncml *m = parse_ok(type, strlen(type));
    want(m, DMBOOT_SYNCML_CRED_TYPE, "syncml:auth-md5");
    dmboot_syncml_free(m);
    /* an undeclared prefix is not namespace-well-formed */
    const char *undeclared = "<SyncML><SyncHdr><s:VerDTD>1.2</s:VerDTD></SyncHdr>" MIN_BODY;
    parse_bad(undeclared, strlen(undeclared), "undeclared namespace prefix 's'");
    /* SyncML 1.1 and 1.2 namespaces in any case, metinf or SyncML's for
     * meta information, a declaration's scope ends with its element */
    const char *ok =
        "<SyncML xmlns='syncml:syncml1.1'><SyncHdr><VerDTD>1.1</VerDTD>"
        "<VerProto>DM/1.1</VerProto><SessionID>1</SessionID><MsgID>2</MsgID>"
        "<Target xmlns:s='urn:x'><LocURI>srv</LocURI></Target>"
        "<Source><LocURI>dev</LocURI></Source>"
        "<Cred><Meta><Type>syncml:auth-md5</Type><m:Format xmlns:m='SYNCML:METINF'>b64"
        "</m:Format></Meta><Data>Zz6EivR3yeaaENcRN6lpAQ==</Data></Cred>"
        "<Meta><MaxMsgSize xmlns='syncml:metinf'>9</MaxMsgSize></Meta>"
        "</SyncHdr>" MIN_BODY;
    m = parse_ok(ok, strlen(ok));
    want(m, DMBOOT_SYNCML_CRED_TYPE, "syncml:auth-md5");
    want(m, DMBOOT_SYNCML_CRED_FORMAT, "b64");
    want(m, DMBOOT_SYNCML_MAXMSGSIZE, "9");
    want(m, DMBOOT_SYNCML_SOURCE_LOCURI, "dev");
    dmboot_syncml_free(m);
    const char *scope = "<SyncML><SyncHdr><Target xmlns:s='SYNCML:SYNCML1.2'><LocURI>srv</LocURI>"
                        "</Target><s:Source/></SyncHdr>" MIN_BODY;
    parse_bad(scope, strlen(scope), "undeclared namespace prefix 's'");
}

static void test_reader_events(void **state)
{
    (void)state;
    const char *x = "<a:b x='1' xmlns:a='urn:a'>t&amp;u<c/><![CDATA[<&>]]></a:b>";
    dmb_xml_reader r;
    dmb_xml_event ev;
    dmb_xml_init(&r, x, strlen(x));
    assert_int_equal(dmb_xml_next(&r, &ev, NULL), DMBOOT_OK);
    assert_int_equal(ev.kind, DMB_XML_START);
    assert_int_equal(ev.name_len, 3);
    assert_memory_equal(ev.local, "b", 1);
    assert_int_equal(ev.ns_len, 5);
    assert_memory_equal(ev.ns, "urn:a", 5);
    assert_int_equal(dmb_xml_next(&r, &ev, NULL), DMBOOT_OK);
    assert_int_equal(ev.kind, DMB_XML_TEXT);
    char out[16];
    size_t len = 0;
    assert_true(dmb_xml_decode(ev.text, ev.text_len, ev.cdata, out, sizeof out, &len));
    assert_int_equal(len, 3);
    assert_memory_equal(out, "t&u", 3);
    assert_int_equal(dmb_xml_next(&r, &ev, NULL), DMBOOT_OK);
    assert_int_equal(ev.kind, DMB_XML_START); /* <c/>: no default namespace */
    assert_null(ev.ns);
    assert_int_equal(dmb_xml_next(&r, &ev, NULL), DMBOOT_OK);
    assert_int_equal(ev.kind, DMB_XML_END);
    assert_memory_equal(ev.name, "c", 1);
    assert_int_equal(dmb_xml_next(&r, &ev, NULL), DMBOOT_OK);
    assert_int_equal(ev.kind, DMB_XML_TEXT);
    assert_true(ev.cdata);
    len = 0;
    assert_true(dmb_xml_decode(ev.text, ev.text_len, ev.cdata, out, sizeof out, &len));
    assert_memory_equal(out, "<&>", 3);
    assert_false(dmb_xml_decode(ev.text, ev.text_len, ev.cdata, out, 4, &len)); /* full */
    assert_int_equal(dmb_xml_next(&r, &ev, NULL), DMBOOT_OK);
    assert_int_equal(ev.kind, DMB_XML_END);
    assert_int_equal(dmb_xml_next(&r, &ev, NULL), DMBOOT_OK);
    assert_int_equal(ev.kind, DMB_XML_DONE);
    assert_int_equal(dmb_xml_next(&r, &ev, NULL), DMBOOT_OK);
    assert_int_equal(ev.kind, DMB_XML_DONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_package), cmocka_unit_test(test_variants),
        cmocka_unit_test(test_structure_errors), cmocka_unit_test(test_xml_errors),
        cmocka_unit_test(test_nesting), cmocka_unit_test(test_reader_events),
        cmocka_unit_test(test_namespaces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
