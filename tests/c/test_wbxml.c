/* WBXML through libwbxml2: real SyncML DM packages survive XML -> WBXML ->
 * XML with the same header and body values, the encoding is SyncML 1.2 as
 * DM clients send it, packages encoded the way a deployed DM client
 * encodes them decode, and the errors are the documented ones.
 *
 *   test_wbxml             the conversions (skipped without libwbxml2)
 *   test_wbxml missing     run with DMBOOT_WBXML_LIBRARY naming a file that
 *                          does not exist: every call is DMBOOT_ERR_UNSUPPORTED
 *   test_wbxml not-wbxml   run with DMBOOT_WBXML_LIBRARY naming a library
 *                          without libwbxml2's functions: the same
 *   test_wbxml threads     four threads convert at once from the process's
 *                          very first WBXML call (the one-time load)
 *   test_wbxml untrusted   DMBOOT_WBXML_LIBRARY values refused as untrusted
 *                          (each in a child making its first WBXML call)
 * (tests/CMakeLists.txt registers all three.) */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_util.h"
#include "dmboot.h"

/* Package 1 of a device: md5 Cred, Alert 1201, Replace ./DevInfo. */
static const char PACKAGE1[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!DOCTYPE SyncML PUBLIC \"-//SYNCML//DTD SyncML 1.2//EN\" "
    "\"http://www.openmobilealliance.org/tech/DTD/OMA-TS-SyncML_RepPro_DTD-V1_2.dtd\">\n"
    "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr><VerDTD>1.2</VerDTD>"
    "<VerProto>DM/1.2</VerProto><SessionID>4A1</SessionID><MsgID>1</MsgID>"
    "<Target><LocURI>https://dm.operator.example/oma-dm?a=1&amp;b=2</LocURI></Target>"
    "<Source><LocURI>IMEI:490154203237518</LocURI><LocName>IMEI:490154203237518</LocName></Source>"
    "<Cred><Meta><Format xmlns=\"syncml:metinf\">b64</Format>"
    "<Type xmlns=\"syncml:metinf\">syncml:auth-md5</Type></Meta>"
    "<Data>Zz6EivR3yeaaENcRN6lpAQ==</Data></Cred>"
    "<Meta><MaxMsgSize xmlns=\"syncml:metinf\">16000</MaxMsgSize></Meta></SyncHdr>"
    "<SyncBody><Alert><CmdID>1</CmdID><Data>1201</Data></Alert>"
    "<Replace><CmdID>2</CmdID>"
    "<Item><Source><LocURI>./DevInfo/DevId</LocURI></Source>"
    "<Meta><Format xmlns=\"syncml:metinf\">chr</Format></Meta><Data>IMEI:490154203237518</Data></Item>"
    "<Item><Source><LocURI>./DevInfo/Man</LocURI></Source><Data>ACME &amp; Sons</Data></Item>"
    "<Item><Source><LocURI>./DevInfo/Mod</LocURI></Source><Data>X1</Data></Item>"
    "<Item><Source><LocURI>./DevInfo/DmV</LocURI></Source><Data>1.2</Data></Item>"
    "<Item><Source><LocURI>./DevInfo/Lang</LocURI></Source><Data>en-US</Data></Item>"
    "</Replace><Final/></SyncBody></SyncML>\n";

/* A server's reply: Status 212, its Cred, a Chal with NextNonce; no DOCTYPE
 * (the language comes from the namespace). */
static const char REPLY[] =
    "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr><VerDTD>1.2</VerDTD>"
    "<VerProto>DM/1.2</VerProto><SessionID>4A1</SessionID><MsgID>1</MsgID>"
    "<Target><LocURI>IMEI:490154203237518</LocURI></Target>"
    "<Source><LocURI>https://dm.operator.example/oma-dm</LocURI></Source>"
    "<Cred><Meta><Format xmlns=\"syncml:metinf\">b64</Format>"
    "<Type xmlns=\"syncml:metinf\">syncml:auth-md5</Type></Meta>"
    "<Data>ZG0ub3BlcmF0b3IuZXhhbXBsZQ==</Data></Cred></SyncHdr>"
    "<SyncBody><Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>"
    "<TargetRef>https://dm.operator.example/oma-dm</TargetRef>"
    "<SourceRef>IMEI:490154203237518</SourceRef>"
    "<Chal><Meta><Type xmlns=\"syncml:metinf\">syncml:auth-md5</Type>"
    "<Format xmlns=\"syncml:metinf\">b64</Format>"
    "<NextNonce xmlns=\"syncml:metinf\">bm9uY2UtMg==</NextNonce></Meta></Chal>"
    "<Data>212</Data></Status>"
    "<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>2</CmdRef><Cmd>Replace</Cmd>"
    "<Data>200</Data></Status><Final/></SyncBody></SyncML>";

/* Where needle occurs in hay, or NULL (memmem is not ISO C or POSIX). */
static const void *find(const void *hay, size_t hay_len, const void *needle, size_t len)
{
    const uint8_t *h = hay;
    for (size_t i = 0; len <= hay_len && i <= hay_len - len; i++)
        if (memcmp(h + i, needle, len) == 0)
            return h + i;
    return NULL;
}

static void skip_without_library(void)
{
    if (!dmboot_wbxml_available()) {
        /* CI (scripts/check) installs it: there a skip would hide the
         * WBXML security tests, so it fails instead */
        if (getenv("DMBOOT_TEST_REQUIRE_ALL") != NULL)
            fail_msg("libwbxml2 did not load, and DMBOOT_TEST_REQUIRE_ALL is set");
        fprintf(stderr, "libwbxml2 is not installed: skipped\n");
        skip();
    }
}

static uint8_t *to_wbxml(const char *xml, size_t xml_len, size_t *len)
{
    uint8_t *w = NULL;
    dmboot_error err;
    if (dmboot_xml_to_wbxml(xml, xml_len, &w, len, &err) != DMBOOT_OK)
        fail_msg("XML to WBXML: %s", err.message);
    assert_non_null(w);
    assert_int_equal(w[*len], 0); /* and a NUL after it */
    return w;
}

static char *to_xml(const uint8_t *wbxml, size_t wbxml_len)
{
    char *x = NULL;
    size_t n = 0;
    dmboot_error err;
    if (dmboot_wbxml_to_xml(wbxml, wbxml_len, &x, &n, &err) != DMBOOT_OK)
        fail_msg("WBXML to XML: %s", err.message);
    assert_non_null(x);
    assert_int_equal(strlen(x), n);
    return x;
}

static dmboot_syncml *parse(const char *xml)
{
    dmboot_syncml *m = NULL;
    dmboot_error err;
    if (dmboot_syncml_parse(xml, strlen(xml), &m, &err) != DMBOOT_OK)
        fail_msg("%s\n%s", err.message, xml);
    return m;
}

/* Every header field the core's reader knows is the same in both. */
static void assert_same_header(const char *a_xml, const char *b_xml)
{
    dmboot_syncml *a = parse(a_xml), *b = parse(b_xml);
    for (int f = 0; f < DMBOOT_SYNCML_FIELD_COUNT; f++) {
        const char *x = dmboot_syncml_get(a, (dmboot_syncml_field)f, NULL);
        const char *y = dmboot_syncml_get(b, (dmboot_syncml_field)f, NULL);
        if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0))
            fail_msg("%s: '%s' became '%s'", dmboot_syncml_field_name((dmboot_syncml_field)f),
                     x ? x : "(none)", y ? y : "(none)");
    }
    assert_int_equal(dmboot_syncml_command_count(a), dmboot_syncml_command_count(b));
    for (size_t i = 0; i < dmboot_syncml_command_count(a); i++)
        assert_string_equal(dmboot_syncml_command(a, i), dmboot_syncml_command(b, i));
    assert_int_equal(dmboot_syncml_final(a), dmboot_syncml_final(b));
    dmboot_syncml_free(a);
    dmboot_syncml_free(b);
}

static void test_package1_round_trip(void **state)
{
    (void)state;
    skip_without_library();
    size_t len = 0;
    uint8_t *wbxml = to_wbxml(PACKAGE1, strlen(PACKAGE1), &len);
    /* WBXML 1.2, public id 0x1201 (-//SYNCML//DTD SyncML 1.2//EN) as the
     * multi-byte integer A4 01, UTF-8 (MIBenum 106), empty string table,
     * then <SyncML> (0x2D) and <SyncHdr> (0x2C) with content */
    static const uint8_t head[] = {0x02, 0xa4, 0x01, 0x6a, 0x00, 0x6d, 0x6c};
    assert_memory_equal(wbxml, head, sizeof head);
    /* <VerDTD> (0x31) as an inline string */
    static const uint8_t verdtd[] = {0x71, 0x03, '1', '.', '2', 0x00, 0x01};
    assert_memory_equal(wbxml + sizeof head, verdtd, sizeof verdtd);
    /* Cred/Meta: SWITCH_PAGE 1 (MetInf), <Format> (0x07) "b64" */
    static const uint8_t metinf[] = {0x5a, 0x00, 0x01, 0x47, 0x03, 'b', '6', '4', 0x00, 0x01};
    assert_non_null(find(wbxml, len, metinf, sizeof metinf));
    assert_true(len < strlen(PACKAGE1) / 2);

    char *back = to_xml(wbxml, len);
    assert_same_header(PACKAGE1, back);
    /* the DOCTYPE and namespace of DM 1.2 come back */
    assert_non_null(strstr(back, "<!DOCTYPE SyncML PUBLIC \"-//SYNCML//DTD SyncML 1.2//EN\""));
    assert_non_null(strstr(back, "<SyncML xmlns=\"SYNCML:SYNCML1.2\">"));
    assert_non_null(strstr(back, "<Format xmlns=\"syncml:metinf\">b64</Format>"));
    dmboot_syncml *m = parse(back);
    assert_string_equal(dmboot_syncml_get(m, DMBOOT_SYNCML_CRED_DATA, NULL),
                        "Zz6EivR3yeaaENcRN6lpAQ==");
    assert_string_equal(dmboot_syncml_get(m, DMBOOT_SYNCML_TARGET_LOCURI, NULL),
                        "https://dm.operator.example/oma-dm?a=1&b=2");
    assert_string_equal(dmboot_syncml_get(m, DMBOOT_SYNCML_ALERT_CODE, NULL), "1201");
    assert_string_equal(dmboot_syncml_get(m, DMBOOT_SYNCML_MAXMSGSIZE, NULL), "16000");
    assert_int_equal(dmboot_syncml_count(m, "Replace"), 1);
    dmboot_syncml_free(m);
    /* libwbxml2 codes a Replace Item's Data as opaque data and decodes it
     * as CDATA; the text is unchanged */
    assert_non_null(strstr(back, "<Data><![CDATA[ACME & Sons]]></Data>"));
    assert_non_null(strstr(back, "<Data><![CDATA[IMEI:490154203237518]]></Data>"));
    dmboot_free(wbxml, len);
    dmboot_free(back, strlen(back));
}

static void test_reply_round_trip(void **state)
{
    (void)state;
    skip_without_library();
    size_t len = 0;
    uint8_t *wbxml = to_wbxml(REPLY, strlen(REPLY), &len);
    /* NextNonce: MetInf 0x10, an inline string of its base64 */
    static const char nn[] = "\x50\x03"
                             "bm9uY2UtMg==";
    assert_non_null(find(wbxml, len, nn, sizeof nn)); /* with the string's NUL */
    char *back = to_xml(wbxml, len);
    assert_same_header(REPLY, back);
    assert_non_null(strstr(back, "<NextNonce xmlns=\"syncml:metinf\">bm9uY2UtMg==</NextNonce>"));
    assert_non_null(strstr(back, "<Cmd>SyncHdr</Cmd>"));
    assert_non_null(strstr(back, "<Data>212</Data>"));
    assert_non_null(strstr(back, "<Cmd>Replace</Cmd>"));
    /* and again: a decoded message encodes to the same bytes */
    size_t len2 = 0;
    uint8_t *again = to_wbxml(back, strlen(back), &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(again, wbxml, len);
    dmboot_free(again, len2);
    dmboot_free(wbxml, len);
    dmboot_free(back, strlen(back));
}

/* A package as a deployed DM client encodes it (the encoder of a phone
 * vendor's DM client, as published in an open reimplementation): the
 * public id as a string in the string table (no numeric id, no NUL at the
 * end of the table), no xmlns anywhere, SWITCH_PAGE to MetInf after
 * <Meta> and back before its END, a Replace Item's Data as opaque, and, in
 * the reply direction, NextNonce as opaque raw bytes. */
static size_t put(uint8_t *p, size_t at, const void *bytes, size_t n)
{
    memcpy(p + at, bytes, n);
    return at + n;
}

static size_t put_str(uint8_t *p, size_t at, uint8_t tag, const char *s)
{
    p[at++] = (uint8_t)(tag | 0x40);
    p[at++] = 0x03; /* STR_I */
    at = put(p, at, s, strlen(s) + 1);
    p[at++] = 0x01; /* END */
    return at;
}

static size_t put_opaque(uint8_t *p, size_t at, uint8_t tag, const void *s, uint8_t n)
{
    p[at++] = (uint8_t)(tag | 0x40);
    p[at++] = 0xc3; /* OPAQUE */
    p[at++] = n;
    at = put(p, at, s, n);
    p[at++] = 0x01;
    return at;
}

static size_t vendor_header(uint8_t *p, uint8_t version)
{
    static const char pid[] = "-//SYNCML//DTD SyncML 1.2//EN";
    size_t at = 0;
    p[at++] = version;
    p[at++] = 0x00; /* public id: in the string table ... */
    p[at++] = 0x00; /* ... at index 0 */
    p[at++] = 0x6a; /* UTF-8 */
    p[at++] = (uint8_t)(sizeof pid - 1);
    at = put(p, at, pid, sizeof pid - 1);
    p[at++] = 0x6d; /* <SyncML> */
    p[at++] = 0x6c; /* <SyncHdr> */
    at = put_str(p, at, 0x31, "1.2");
    at = put_str(p, at, 0x32, "DM/1.2");
    at = put_str(p, at, 0x25, "7A2");
    at = put_str(p, at, 0x1b, "1");
    return at;
}

static void test_vendor_encoded_package(void **state)
{
    (void)state;
    skip_without_library();
    static const uint8_t versions[] = {0x01, 0x02, 0x03}; /* WBXML 1.1, 1.2, 1.3 */
    for (size_t v = 0; v < sizeof versions; v++) {
        uint8_t p[1024];
        size_t at = vendor_header(p, versions[v]);
        p[at++] = 0x6e; /* <Target> */
        at = put_str(p, at, 0x17, "http://127.0.0.1:8080/dm");
        p[at++] = 0x01;
        p[at++] = 0x67; /* <Source> */
        at = put_str(p, at, 0x17, "IMEI:490154203237518");
        at = put_str(p, at, 0x16, "IMEI:490154203237518");
        p[at++] = 0x01;
        p[at++] = 0x4e; /* <Cred><Meta> SWITCH_PAGE 1 */
        at = put(p, at, "\x5a\x00\x01", 3);
        at = put_str(p, at, 0x07, "b64");
        at = put_str(p, at, 0x13, "syncml:auth-md5");
        at = put(p, at, "\x00\x00\x01", 3); /* SWITCH_PAGE 0, END of Meta */
        at = put_str(p, at, 0x0f, "Zz6EivR3yeaaENcRN6lpAQ==");
        p[at++] = 0x01;
        at = put(p, at, "\x5a\x00\x01", 3);
        at = put_str(p, at, 0x0c, "5120");
        at = put_str(p, at, 0x15, "524288");
        at = put(p, at, "\x00\x00\x01", 3);
        p[at++] = 0x01;       /* END of SyncHdr */
        p[at++] = 0x6b;       /* <SyncBody> */
        p[at++] = 0x46;       /* <Alert> */
        at = put_str(p, at, 0x0b, "1");
        at = put_str(p, at, 0x0f, "1201");
        p[at++] = 0x01;
        p[at++] = 0x60;       /* <Replace> */
        at = put_str(p, at, 0x0b, "2");
        p[at++] = 0x54;       /* <Item> */
        p[at++] = 0x67;
        at = put_str(p, at, 0x17, "./DevInfo/DevId");
        p[at++] = 0x01;
        at = put_opaque(p, at, 0x0f, "IMEI:490154203237518", 20);
        at = put(p, at, "\x01\x01\x12\x01\x01", 5); /* Item, Replace, <Final/>, SyncBody, SyncML */

        char *xml = to_xml(p, at);
        dmboot_syncml *m = parse(xml);
        assert_string_equal(dmboot_syncml_get(m, DMBOOT_SYNCML_VERPROTO, NULL), "DM/1.2");
        assert_string_equal(dmboot_syncml_get(m, DMBOOT_SYNCML_SESSIONID, NULL), "7A2");
        assert_string_equal(dmboot_syncml_get(m, DMBOOT_SYNCML_SOURCE_LOCURI, NULL),
                            "IMEI:490154203237518");
        assert_string_equal(dmboot_syncml_get(m, DMBOOT_SYNCML_CRED_TYPE, NULL),
                            "syncml:auth-md5");
        assert_string_equal(dmboot_syncml_get(m, DMBOOT_SYNCML_CRED_FORMAT, NULL), "b64");
        assert_string_equal(dmboot_syncml_get(m, DMBOOT_SYNCML_CRED_DATA, NULL),
                            "Zz6EivR3yeaaENcRN6lpAQ==");
        assert_string_equal(dmboot_syncml_get(m, DMBOOT_SYNCML_MAXOBJSIZE, NULL), "524288");
        assert_string_equal(dmboot_syncml_get(m, DMBOOT_SYNCML_ALERT_CODE, NULL), "1201");
        assert_int_equal(dmboot_syncml_final(m), 1);
        dmboot_syncml_free(m);
        /* the decoder adds what the encoder left out */
        assert_non_null(strstr(xml, "<SyncML xmlns=\"SYNCML:SYNCML1.2\">"));
        assert_non_null(strstr(xml, "<Type xmlns=\"syncml:metinf\">syncml:auth-md5</Type>"));
        dmboot_free(xml, strlen(xml));
    }

    /* a reply with NextNonce as opaque bytes: it comes back as base64 */
    uint8_t p[512];
    size_t at = vendor_header(p, 0x02);
    p[at++] = 0x6e;
    at = put_str(p, at, 0x17, "IMEI:490154203237518");
    p[at++] = 0x01;
    p[at++] = 0x67;
    at = put_str(p, at, 0x17, "http://127.0.0.1:8080/dm");
    p[at++] = 0x01;
    p[at++] = 0x01;            /* END of SyncHdr */
    p[at++] = 0x6b;            /* <SyncBody><Status> */
    p[at++] = 0x69;
    at = put_str(p, at, 0x0b, "1");
    at = put_str(p, at, 0x1c, "1");
    at = put_str(p, at, 0x0c, "0");
    at = put_str(p, at, 0x0a, "SyncHdr");
    p[at++] = 0x49;            /* <Chal><Meta> SWITCH_PAGE 1 */
    at = put(p, at, "\x5a\x00\x01", 3);
    at = put_str(p, at, 0x13, "syncml:auth-md5");
    at = put_str(p, at, 0x07, "b64");
    at = put_opaque(p, at, 0x10, "nonce-2", 7);
    at = put(p, at, "\x00\x00\x01\x01", 4); /* SWITCH_PAGE 0, END Meta, END Chal */
    at = put_str(p, at, 0x0f, "401");
    at = put(p, at, "\x01\x12\x01\x01", 4);
    char *xml = to_xml(p, at);
    assert_non_null(strstr(xml, "<NextNonce xmlns=\"syncml:metinf\">bm9uY2UtMg==</NextNonce>"));
    assert_non_null(strstr(xml, "<Data>401</Data>"));
    dmboot_free(xml, strlen(xml));
}

/* An embedded DevInf (syncml:devinf) goes as an opaque WBXML document of
 * its own, public id 0x1203, and its Meta/Type says +wbxml on the wire;
 * decoding turns both back. */
static void test_devinf_embedded(void **state)
{
    (void)state;
    skip_without_library();
    static const char results[] =
        "<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><VerDTD>1.2</VerDTD>"
        "<VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>2</MsgID>"
        "<Target><LocURI>https://dm.example/dm</LocURI></Target>"
        "<Source><LocURI>IMEI:490154203237518</LocURI></Source></SyncHdr>"
        "<SyncBody><Results><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef>"
        "<Item><Source><LocURI>./devinf12</LocURI></Source>"
        "<Meta><Type xmlns='syncml:metinf'>application/vnd.syncml-devinf+xml</Type></Meta>"
        "<Data><DevInf xmlns='syncml:devinf'><VerDTD>1.2</VerDTD><Man>ACME</Man>"
        "<Mod>X1</Mod><DevID>IMEI:490154203237518</DevID><DevTyp>phone</DevTyp></DevInf>"
        "</Data></Item></Results><Final/></SyncBody></SyncML>";
    size_t len = 0;
    uint8_t *wbxml = to_wbxml(results, strlen(results), &len);
    static const char type[] = "application/vnd.syncml-devinf+wbxml";
    assert_non_null(find(wbxml, len, type, sizeof type - 1));
    static const uint8_t devinf_head[] = {0x02, 0xa4, 0x03, 0x6a, 0x00};
    assert_non_null(find(wbxml, len, devinf_head, sizeof devinf_head));
    char *back = to_xml(wbxml, len);
    assert_non_null(strstr(back, ">application/vnd.syncml-devinf+xml</Type>"));
    assert_non_null(strstr(back, "<DevInf xmlns=\"syncml:devinf\"><VerDTD>1.2</VerDTD>"
                                 "<Man>ACME</Man><Mod>X1</Mod>"
                                 "<DevID>IMEI:490154203237518</DevID>"));
    dmboot_free(wbxml, len);
    dmboot_free(back, strlen(back));
}

/* A server's Add of a TNDS document (application/vnd.syncml.dmtnds+xml):
 * the MgmtTree goes as an embedded DM DDF 1.2 WBXML document, and the
 * values dmboot wrote come back unchanged. */
static const char DESCRIPTOR[] =
    "dmboot-descriptor: 1\n"
    "id: wbxml-test\n"
    "issuer: Test\n"
    "devid-type: imei\n"
    "devid-match: IMEI:49015420*\n"
    "server-id: dm.operator.example\n"
    "server-addr: https://dm.operator.example/oma-dm\n"
    "client-auth-type: DIGEST\n"
    "server-auth-type: DIGEST\n"
    "name: devid\n"
    "client-secret: derive bytes 16 base64url\n"
    "server-secret: derive chars 20 alnum\n"
    "client-nonce: derive bytes 16\n"
    "server-nonce: derive bytes 16\n";

static void derive(dmboot_descriptor **d, dmboot_account **acc)
{
    static const uint8_t key[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    dmboot_error err;
    dmboot_deriver *dv = NULL;
    if (dmboot_descriptor_parse(DESCRIPTOR, strlen(DESCRIPTOR), d, &err) != DMBOOT_OK ||
        dmboot_deriver_new(*d, key, sizeof key, DMBOOT_KEY_MASTER, &dv, &err) != DMBOOT_OK ||
        dmboot_account_new(acc, &err) != DMBOOT_OK ||
        dmboot_derive(dv, "490154203237518", 15, *acc, &err) != DMBOOT_OK)
        fail_msg("%s", err.message);
    dmboot_deriver_free(dv);
}

static void test_tnds_embedded(void **state)
{
    (void)state;
    skip_without_library();
    dmboot_descriptor *d = NULL;
    dmboot_account *acc = NULL;
    derive(&d, &acc);
    char *doc = malloc(DMBOOT_DOCUMENT_MAX + 1);
    size_t doc_len = 0;
    dmboot_error err;
    assert_int_equal(dmboot_document_format(d, acc, DMBOOT_DOCUMENT_TNDS, doc,
                                            DMBOOT_DOCUMENT_MAX + 1, &doc_len, &err),
                     DMBOOT_OK);
    /* the document without its XML declaration, inside the Add's Data */
    const char *tree = strstr(doc, "<MgmtTree");
    assert_non_null(tree);
    size_t cap = doc_len + 1024;
    char *xml = malloc(cap);
    int n = snprintf(xml, cap,
                     "<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><VerDTD>1.2</VerDTD>"
                     "<VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>2</MsgID>"
                     "<Target><LocURI>IMEI:490154203237518</LocURI></Target>"
                     "<Source><LocURI>https://dm.operator.example/oma-dm</LocURI></Source>"
                     "</SyncHdr><SyncBody><Add><CmdID>2</CmdID><Meta>"
                     "<Format xmlns='syncml:metinf'>xml</Format>"
                     "<Type xmlns='syncml:metinf'>application/vnd.syncml.dmtnds+xml</Type>"
                     "</Meta><Item><Target><LocURI>./DMAcc</LocURI></Target><Data>%s</Data>"
                     "</Item></Add><Final/></SyncBody></SyncML>",
                     tree);
    assert_true(n > 0 && (size_t)n < cap);
    size_t len = 0;
    uint8_t *wbxml = to_wbxml(xml, (size_t)n, &len);
    static const char ddf[] = "-//OMA//DTD-DM-DDF 1.2//EN";
    assert_non_null(find(wbxml, len, ddf, sizeof ddf - 1));
    char *back = to_xml(wbxml, len);
    assert_non_null(strstr(back, ">application/vnd.syncml.dmtnds+xml</Type>"));
    /* every derived value is in the decoded tree */
    for (int f = DMBOOT_FIELD_NAME; f <= DMBOOT_FIELD_SERVER_SECRET; f++) {
        const uint8_t *v = NULL;
        size_t vl = 0;
        assert_int_equal(dmboot_account_get(acc, (dmboot_field)f, &v, &vl), 1);
        char want[DMBOOT_VALUE_MAX + 32];
        snprintf(want, sizeof want, "<Value>%s</Value>", (const char *)v);
        if (strstr(back, want) == NULL)
            fail_msg("%s missing from\n%s", want, back);
    }
    dmboot_free(wbxml, len);
    dmboot_free(back, strlen(back));
    free(xml);
    free(doc);
    dmboot_account_free(acc);
    dmboot_descriptor_free(d);
}

/* The first-contact check reads a decoded WBXML package like an XML one,
 * and an HMAC covers the WBXML bytes as they travel. */
static void test_server_check_through_wbxml(void **state)
{
    (void)state;
    skip_without_library();
    static const uint8_t key[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    dmboot_descriptor *d = NULL;
    dmboot_account *acc = NULL;
    derive(&d, &acc);
    const uint8_t *name, *secret, *nonce;
    size_t name_len, secret_len, nonce_len;
    dmboot_account_get(acc, DMBOOT_FIELD_NAME, &name, &name_len);
    dmboot_account_get(acc, DMBOOT_FIELD_CLIENT_SECRET, &secret, &secret_len);
    dmboot_account_get(acc, DMBOOT_FIELD_CLIENT_NONCE, &nonce, &nonce_len);
    char cred[DMBOOT_CRED_MD5_LEN + 1];
    size_t cred_len = 0;
    dmboot_error err;
    assert_int_equal(dmboot_auth_md5((const char *)name, name_len, (const char *)secret,
                                     secret_len, nonce, nonce_len, cred, sizeof cred, &cred_len,
                                     &err),
                     DMBOOT_OK);
    char xml[2048];
    int n = snprintf(xml, sizeof xml,
                     "<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><VerDTD>1.2</VerDTD>"
                     "<VerProto>DM/1.2</VerProto><SessionID>9</SessionID><MsgID>1</MsgID>"
                     "<Target><LocURI>https://dm.operator.example/oma-dm</LocURI></Target>"
                     "<Source><LocURI>490154203237518</LocURI><LocName>%s</LocName></Source>"
                     "<Cred><Meta><Format xmlns='syncml:metinf'>b64</Format>"
                     "<Type xmlns='syncml:metinf'>syncml:auth-md5</Type></Meta>"
                     "<Data>%s</Data></Cred></SyncHdr><SyncBody><Alert><CmdID>1</CmdID>"
                     "<Data>1201</Data></Alert><Final/></SyncBody></SyncML>",
                     (const char *)name, cred);
    assert_true(n > 0 && (size_t)n < sizeof xml);
    size_t len = 0;
    uint8_t *wbxml = to_wbxml(xml, (size_t)n, &len);
    char *back = to_xml(wbxml, len);
    dmboot_check_result *r = NULL;
    assert_int_equal(dmboot_check_result_new(&r, &err), DMBOOT_OK);
    dmboot_status st = dmboot_server_check_message(d, key, sizeof key, DMBOOT_KEY_MASTER, back,
                                                   strlen(back), NULL, 0, NULL, 0, r, &err);
    if (st != DMBOOT_OK)
        fail_msg("%s", dmboot_check_result_message(r));
    assert_string_equal(dmboot_check_result_devid(r), "IMEI:490154203237518");
    assert_string_equal(dmboot_check_result_client_cred_type(r), "syncml:auth-md5");

    /* HMAC over the WBXML bytes: right for those bytes, wrong for the XML */
    char mac[DMBOOT_CRED_MD5_LEN + 1];
    size_t mac_len = 0;
    assert_int_equal(dmboot_auth_hmac((const char *)name, name_len, (const char *)secret,
                                      secret_len, nonce, nonce_len, wbxml, len, mac, sizeof mac,
                                      &mac_len, &err),
                     DMBOOT_OK);
    assert_int_equal(dmboot_auth_verify(DMBOOT_CRED_HMAC, (const char *)name, name_len,
                                        (const char *)secret, secret_len, nonce, nonce_len,
                                        wbxml, len, mac, mac_len, &err),
                     DMBOOT_OK);
    assert_int_equal(dmboot_auth_verify(DMBOOT_CRED_HMAC, (const char *)name, name_len,
                                        (const char *)secret, secret_len, nonce, nonce_len,
                                        (const uint8_t *)back, strlen(back), mac, mac_len, &err),
                     DMBOOT_ERR_AUTH_FAILED);
    dmboot_check_result_free(r);
    dmboot_free(wbxml, len);
    dmboot_free(back, strlen(back));
    dmboot_account_free(acc);
    dmboot_descriptor_free(d);
}

/* Bigger than any fixed buffer of the bindings: 1500 Items of Results. */
static void test_large_message(void **state)
{
    (void)state;
    skip_without_library();
    size_t cap = 256 * 1024, at = 0;
    char *xml = malloc(cap);
    at += (size_t)snprintf(xml + at, cap - at,
                           "<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><VerDTD>1.2</VerDTD>"
                           "<VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>3</MsgID>"
                           "<Target><LocURI>https://dm.example/dm</LocURI></Target>"
                           "<Source><LocURI>IMEI:490154203237518</LocURI></Source></SyncHdr>"
                           "<SyncBody><Results><CmdID>2</CmdID><MsgRef>2</MsgRef>"
                           "<CmdRef>4</CmdRef>");
    for (int i = 0; i < 1500; i++)
        at += (size_t)snprintf(xml + at, cap - at,
                               "<Item><Source><LocURI>./Vendor/Node%d</LocURI></Source>"
                               "<Data>value-%d</Data></Item>",
                               i, i);
    at += (size_t)snprintf(xml + at, cap - at, "</Results><Final/></SyncBody></SyncML>");
    assert_true(at > 100000 && at < cap);
    size_t len = 0;
    uint8_t *wbxml = to_wbxml(xml, at, &len);
    assert_true(len > 50000);
    char *back = to_xml(wbxml, len);
    assert_true(strlen(back) > 100000);
    assert_non_null(strstr(back, "<LocURI>./Vendor/Node1499</LocURI></Source><Data>value-1499</Data>"));
    dmboot_free(wbxml, len);
    dmboot_free(back, strlen(back));
    free(xml);
}

static void test_errors(void **state)
{
    (void)state;
    skip_without_library();
    uint8_t *w = (uint8_t *)"x";
    char *x = (char *)"x";
    size_t n = 99;
    dmboot_error err;
    /* not WBXML: an unknown version, a truncated message */
    static const uint8_t junk[] = {0x07, 0xff, 0xff, 0xff, 0x01, 0x02};
    assert_int_equal(dmboot_wbxml_to_xml(junk, sizeof junk, &x, &n, &err), DMBOOT_ERR_SYNTAX);
    assert_null(x);
    assert_int_equal(n, 0);
    assert_string_equal(err.message, "WBXML to XML: byte 0: not WBXML 1.1, 1.2 or 1.3 "
                                     "(the versions OMA DM allows)");
    static const uint8_t truncated[] = {0x02, 0xa4, 0x01, 0x6a, 0x00, 0x6d, 0x6c, 0x71, 0x03};
    assert_int_equal(dmboot_wbxml_to_xml(truncated, sizeof truncated, &x, &n, &err),
                     DMBOOT_ERR_SYNTAX);
    assert_string_equal(err.message, "WBXML to XML: byte 8: an inline string without its NUL");
    /* not well-formed XML; XML of no language libwbxml2 knows */
    assert_int_equal(dmboot_xml_to_wbxml("<SyncML><a></SyncML>", 20, &w, &n, &err),
                     DMBOOT_ERR_SYNTAX);
    assert_null(w);
    assert_int_equal(n, 0);
    assert_non_null(strstr(err.message, "XML to WBXML: libwbxml2 error"));
    assert_int_equal(dmboot_xml_to_wbxml("<html><p>x</p></html>", 21, &w, &n, &err),
                     DMBOOT_ERR_SYNTAX);
    /* empty input, NULL arguments */
    assert_int_equal(dmboot_wbxml_to_xml(junk, 0, &x, &n, &err), DMBOOT_ERR_SYNTAX);
    assert_non_null(strstr(err.message, "empty"));
    assert_int_equal(dmboot_xml_to_wbxml("", 0, &w, &n, &err), DMBOOT_ERR_SYNTAX);
    assert_int_equal(dmboot_wbxml_to_xml(NULL, 3, &x, &n, &err), DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_wbxml_to_xml(junk, 3, NULL, &n, &err), DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_wbxml_to_xml(junk, 3, &x, NULL, &err), DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_xml_to_wbxml(NULL, 3, &w, &n, &err), DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_xml_to_wbxml("<a/>", 4, NULL, &n, &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    dmboot_free(NULL, 0); /* fine */
}

/* Input that crashes libwbxml2 0.11.8 (the process aborts or segfaults)
 * never reaches it: the structural check refuses it first, naming the
 * byte. */
static void expect_refused(const uint8_t *w, size_t len, const char *why)
{
    char *x = NULL;
    size_t n = 0;
    dmboot_error err;
    assert_int_equal(dmboot_wbxml_to_xml(w, len, &x, &n, &err), DMBOOT_ERR_SYNTAX);
    assert_null(x);
    if (strstr(err.message, why) == NULL)
        fail_msg("'%s' does not say '%s'", err.message, why);
}

static size_t embed(uint8_t *p, const char *type, const uint8_t *inner, size_t inner_len)
{
    /* <SyncML><SyncBody><Results><CmdID>2</CmdID><Item><Meta><Type>type</Type></Meta>
     * <Data>OPAQUE(inner)</Data></Item></Results></SyncBody></SyncML> */
    size_t at = 0;
    at = put(p, at, "\x02\xa4\x01\x6a\x00\x6d\x6b\x62", 8);
    at = put_str(p, at, 0x0b, "2");
    at = put(p, at, "\x54\x5a\x00\x01", 4);
    at = put_str(p, at, 0x13, type);
    at = put(p, at, "\x00\x00\x01", 3);
    at = put_opaque(p, at, 0x0f, inner, (uint8_t)inner_len);
    return put(p, at, "\x01\x01\x01\x01", 4);
}

static void test_hostile_input(void **state)
{
    (void)state;
    skip_without_library();
    /* an ENTITY of code 0x80000000 in VerDTD: libwbxml2 asserts */
    static const uint8_t entity[] = {0x02, 0xa4, 0x01, 0x6a, 0x00, 0x6d, 0x6c, 0x71, 0x02,
                                     0x88, 0x80, 0x80, 0x80, 0x00, 0x01, 0x01, 0x01};
    expect_refused(entity, sizeof entity, "byte 8: an entity that is not a Unicode character");
    /* a language other than SyncML (Wireless Village CSP 1.2, 0x11) */
    static const uint8_t wv[] = {0x03, 0x11, 0x6a, 0x00, 0x49, 0xc3, 0x01, 0x00, 0x01};
    expect_refused(wv, sizeof wv, "not a SyncML 1.1 or 1.2 message (public id)");
    /* the textual public id of another language */
    static const uint8_t channel[] = {0x02, 0x00, 0x00, 0x6a, 0x05, 'x', '/', '/', 'E',
                                      'N', 0x6d, 0x01};
    expect_refused(channel, sizeof channel, "public id");
    /* extension tokens, a processing instruction, a literal tag, an
     * attribute token, an opaque longer than the message, an END too many,
     * bytes after the root, no END */
    static const uint8_t ext[] = {0x02, 0xa4, 0x01, 0x6a, 0x00, 0x6d, 0xc0, 0x01};
    expect_refused(ext, sizeof ext, "byte 6: an extension token");
    static const uint8_t pi[] = {0x02, 0xa4, 0x01, 0x6a, 0x00, 0x6d, 0x43, 0x01};
    expect_refused(pi, sizeof pi, "processing instruction");
    static const uint8_t literal[] = {0x02, 0xa4, 0x01, 0x6a, 0x00, 0x6d, 0x44, 0x00, 0x01};
    expect_refused(literal, sizeof literal, "a literal tag");
    static const uint8_t attr[] = {0x02, 0xa4, 0x01, 0x6a, 0x00, 0xed, 0x05, 0x01, 0x01};
    expect_refused(attr, sizeof attr, "an attribute token SyncML does not use");
    static const uint8_t opaque[] = {0x02, 0xa4, 0x01, 0x6a, 0x00, 0x6d, 0xc3, 0x7f, 0x01};
    expect_refused(opaque, sizeof opaque, "opaque data longer than the message");
    static const uint8_t ends[] = {0x02, 0xa4, 0x01, 0x6a, 0x00, 0x6d, 0x01, 0x01};
    expect_refused(ends, sizeof ends, "byte 7: bytes after the root element");
    static const uint8_t open[] = {0x02, 0xa4, 0x01, 0x6a, 0x00, 0x6d, 0x6c};
    expect_refused(open, sizeof open, "the message ends inside an element");
    static const uint8_t strt[] = {0x02, 0xa4, 0x01, 0x6a, 0x02, 'a', 'b', 0x6d, 0x83, 0x00, 0x01};
    expect_refused(strt, sizeof strt, "a string table entry without its NUL");
    static const uint8_t charset[] = {0x02, 0xa4, 0x01, 0x83, 0x68, 0x00, 0x6d, 0x01};
    expect_refused(charset, sizeof charset, "a charset other than");
    /* nesting deeper than 128 */
    uint8_t deep[300];
    memcpy(deep, "\x02\xa4\x01\x6a\x00", 5);
    memset(deep + 5, 0x6b, 140);
    memset(deep + 145, 0x01, 140);
    expect_refused(deep, 285, "nested too deeply");

    /* an embedded document libwbxml2 would decode as any language: only
     * DevInf or DM DDF, and checked like the message */
    uint8_t p[512];
    static const uint8_t inner_wv[] = {0x03, 0x11, 0x6a, 0x00, 0x49, 0xc3, 0x01, 0x00, 0x01};
    size_t len = embed(p, "application/vnd.syncml-devinf+wbxml", inner_wv, sizeof inner_wv);
    expect_refused(p, len, "not a DevInf or DM DDF document (public id) (in an embedded document)");
    static const uint8_t inner_entity[] = {0x02, 0xa4, 0x03, 0x6a, 0x00, 0x4a, 0x02,
                                           0x88, 0x80, 0x80, 0x80, 0x00, 0x01};
    len = embed(p, "application/vnd.syncml.dmtnds+wbxml", inner_entity, sizeof inner_entity);
    expect_refused(p, len, "an entity that is not a Unicode character (in an embedded document)");
    /* the same bytes under another type are just data */
    len = embed(p, "application/octet-stream", inner_wv, sizeof inner_wv);
    char *x = NULL;
    size_t n = 0;
    dmboot_error err;
    assert_int_equal(dmboot_wbxml_to_xml(p, len, &x, &n, &err), DMBOOT_OK);
    dmboot_free(x, n);
    /* and a real embedded DevInf passes */
    static const uint8_t devinf[] = {0x02, 0xa4, 0x03, 0x6a, 0x00, 0x4a, 0x51, 0x03, 'A',
                                     'C', 'M', 'E', 0x00, 0x01, 0x01};
    len = embed(p, "application/vnd.syncml-devinf+wbxml", devinf, sizeof devinf);
    assert_int_equal(dmboot_wbxml_to_xml(p, len, &x, &n, &err), DMBOOT_OK);
    assert_non_null(strstr(x, "<DevInf xmlns=\"syncml:devinf\"><Man>ACME</Man></DevInf>"));
    dmboot_free(x, n);
}

/* Run body(arg, out, cap) in a child process, so that an abort (a
 * libwbxml2 assert) or a crash there fails the test instead of ending it;
 * the text body writes into out comes back NUL-terminated in got. Returns
 * the child's wait status. */
typedef int (*child_body)(const void *arg, char *out, size_t cap);

static int run_in_child(child_body body, const void *arg, char *got, size_t cap)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        char out[DMBOOT_ERROR_MESSAGE_MAX + 32];
        int k = body(arg, out, sizeof out);
        if (k < 0 || (size_t)k >= sizeof out)
            _exit(4);
        ssize_t wrote = write(fds[1], out, (size_t)k);
        _exit(wrote == k ? 0 : 3);
    }
    close(fds[1]);
    size_t have = 0;
    ssize_t r;
    while (have < cap - 1 && (r = read(fds[0], got + have, cap - 1 - have)) > 0)
        have += (size_t)r;
    got[have] = '\0';
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

struct bytes {
    const uint8_t *p;
    size_t len;
};

static int decode_body(const void *arg, char *out, size_t cap)
{
    const struct bytes *b = arg;
    char *x = NULL;
    size_t n = 0;
    dmboot_error err;
    memset(&err, 0, sizeof err);
    dmboot_status st = dmboot_wbxml_to_xml(b->p, b->len, &x, &n, &err);
    return snprintf(out, cap, "%d %s", (int)st, st == DMBOOT_OK ? "" : err.message);
}

/* Decode w in a child process: the parent insists on a normal exit,
 * DMBOOT_ERR_SYNTAX, and a message saying why. */
static void expect_refused_in_child(const uint8_t *w, size_t len, const char *why)
{
    struct bytes b = {w, len};
    char got[DMBOOT_ERROR_MESSAGE_MAX + 32];
    int status = run_in_child(decode_body, &b, got, sizeof got);
    if (WIFSIGNALED(status))
        fail_msg("decoding killed the process with signal %d (libwbxml2 reached)",
                 WTERMSIG(status));
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) != 0)
        fail_msg("the decoding child exited with %d", WEXITSTATUS(status));
    char want[32];
    snprintf(want, sizeof want, "%d ", (int)DMBOOT_ERR_SYNTAX);
    if (strncmp(got, want, strlen(want)) != 0 || strstr(got, why) == NULL)
        fail_msg("got '%s', want status %d saying '%s'", got, (int)DMBOOT_ERR_SYNTAX, why);
}

/* An embedded DevInf 1.2 document (WBXML 1.3) whose DevInf holds ENTITY
 * 0x80000000: libwbxml2 asserts in parse_entity when it decodes it. */
static const uint8_t EVIL_DEVINF[] = {0x03, 0xa4, 0x03, 0x6a, 0x00, 0x4a, 0x02,
                                      0x88, 0x80, 0x80, 0x80, 0x00, 0x01};
static const char DEVINF_WBXML[] = "application/vnd.syncml-devinf+wbxml";

/* <SyncML><SyncHdr>VerDTD..MsgID <Target><LocURI/></Target> */
static size_t hdr_start(uint8_t *p)
{
    size_t at = put(p, 0, "\x02\xa4\x01\x6a\x00\x6d\x6c", 7);
    at = put_str(p, at, 0x31, "1.2");
    at = put_str(p, at, 0x32, "DM/1.2");
    at = put_str(p, at, 0x25, "1");
    at = put_str(p, at, 0x1b, "1");
    p[at++] = 0x6e; /* <Target> */
    at = put_str(p, at, 0x17, "http://dm.example/dm");
    p[at++] = 0x01;
    return at;
}

/* The first Meta's first Type decides, for libwbxml2, as soon as that Type
 * ends: Data inside a still-open Meta is decoded as an embedded document
 * too (issue 14, item 1). Each placement decodes in a child process. */
static void test_embedded_in_open_meta(void **state)
{
    (void)state;
    skip_without_library();
    uint8_t p[512];
    const char *why = "an entity that is not a Unicode character (in an embedded document)";

    /* SyncHdr/Source/Meta: <Type>...+wbxml</Type> <Data>OPAQUE</Data>
     * inside the Meta, before its END (the reported abort) */
    size_t at = hdr_start(p);
    p[at++] = 0x67; /* <Source> */
    at = put_str(p, at, 0x17, "IMEI:490154203237518");
    at = put(p, at, "\x5a\x00\x01", 3); /* <Meta> SWITCH_PAGE 1 */
    at = put_str(p, at, 0x13, DEVINF_WBXML);
    at = put(p, at, "\x00\x00", 2); /* SWITCH_PAGE 0 */
    at = put_opaque(p, at, 0x0f, EVIL_DEVINF, sizeof EVIL_DEVINF);
    at = put(p, at, "\x01\x01\x01\x01", 4); /* Meta, Source, SyncHdr, SyncML */
    expect_refused_in_child(p, at, why);

    /* the same Data after </Meta> (was refused already) */
    at = hdr_start(p);
    p[at++] = 0x67;
    at = put_str(p, at, 0x17, "IMEI:490154203237518");
    at = put(p, at, "\x5a\x00\x01", 3);
    at = put_str(p, at, 0x13, DEVINF_WBXML);
    at = put(p, at, "\x00\x00\x01", 3); /* SWITCH_PAGE 0, END of Meta */
    at = put_opaque(p, at, 0x0f, EVIL_DEVINF, sizeof EVIL_DEVINF);
    at = put(p, at, "\x01\x01\x01", 3);
    expect_refused_in_child(p, at, why);

    /* an Item's open Meta, with another element between Type and Data */
    at = put(p, 0, "\x02\xa4\x01\x6a\x00\x6d\x6b\x62", 8); /* SyncML SyncBody Results */
    at = put_str(p, at, 0x0b, "2");
    at = put(p, at, "\x54\x5a\x00\x01", 4); /* <Item><Meta> SWITCH_PAGE 1 */
    at = put_str(p, at, 0x13, DEVINF_WBXML);
    at = put_str(p, at, 0x07, "b64");
    at = put(p, at, "\x00\x00", 2);
    at = put_opaque(p, at, 0x0f, EVIL_DEVINF, sizeof EVIL_DEVINF);
    at = put(p, at, "\x01\x01\x01\x01\x01", 5);
    expect_refused_in_child(p, at, why);

    /* libwbxml2's tree, not the document's: a Replace Item's Data in two
     * pieces becomes two nested CDATA nodes, and at its END libwbxml2
     * climbs back only to that Data, so what follows in the document hangs
     * under the Data there. The Item's first Meta says text/plain; a later
     * Meta (the Data's first, for libwbxml2) says +wbxml. */
    at = put(p, 0, "\x02\xa4\x01\x6a\x00\x6d\x6b\x60", 8); /* SyncML SyncBody Replace */
    at = put_str(p, at, 0x0b, "2");
    at = put(p, at, "\x54\x5a\x00\x01", 4); /* <Item><Meta> */
    at = put_str(p, at, 0x13, "text/plain");
    at = put(p, at, "\x00\x00\x01", 3);
    at = put(p, at, "\x4f\x03" "a" "\x00\x03" "b" "\x00\x01", 8); /* <Data> "a" "b" </Data> */
    at = put(p, at, "\x5a\x00\x01", 3);
    at = put_str(p, at, 0x13, DEVINF_WBXML);
    at = put(p, at, "\x00\x00\x01", 3);
    at = put_opaque(p, at, 0x0f, EVIL_DEVINF, sizeof EVIL_DEVINF);
    at = put(p, at, "\x01\x01\x01\x01", 4);
    expect_refused_in_child(p, at, why);
}

/* <SyncML><SyncBody><cmd><CmdID>2</CmdID><Item><Source><LocURI>./x</LocURI>
 * </Source><Data> ... (the caller writes the Data's content and its ENDs) */
static size_t item_start(uint8_t *p, uint8_t cmd)
{
    size_t at = put(p, 0, "\x02\xa4\x01\x6a\x00\x6d\x6b", 7);
    p[at++] = cmd;
    at = put_str(p, at, 0x0b, "2");
    p[at++] = 0x54; /* <Item><Source> */
    p[at++] = 0x67;
    at = put_str(p, at, 0x17, "./Vendor/x");
    p[at++] = 0x01;
    p[at++] = 0x4f; /* <Data> */
    return at;
}

/* libwbxml2 writes the Data of an Add or Replace Item (and of text/clear,
 * vCard, ... types) as CDATA without splitting "]]>": a device's one
 * Replace became Replace, Exec, Replace in the XML (issue 14, item 6). */
static void test_cdata_end_in_data(void **state)
{
    (void)state;
    skip_without_library();
    static const char evil[] = "x]]></Data></Item></Replace><Exec><CmdID>9</CmdID>"
                               "<Item><Target><LocURI>./Vendor/run</LocURI></Target>"
                               "</Item></Exec><Replace><CmdID>10</CmdID><Item><Data>y";
    const char *why = "\"]]>\" in Data that libwbxml2 writes as CDATA";
    uint8_t p[512];
    size_t at = item_start(p, 0x60); /* Replace */
    p[at++] = 0xc3; /* OPAQUE, its length as a two-byte mb_u_int32 */
    p[at++] = (uint8_t)(0x80 | ((sizeof evil - 1) >> 7));
    p[at++] = (uint8_t)((sizeof evil - 1) & 0x7f);
    at = put(p, at, evil, sizeof evil - 1);
    at = put(p, at, "\x01\x01\x01\x01\x01", 5);
    expect_refused(p, at, why);
    /* as an inline string in an Add */
    at = item_start(p, 0x45); /* Add */
    at = put(p, at, "\x03" "a]]>b" "\x00", 7);
    at = put(p, at, "\x01\x01\x01\x01\x01", 5);
    expect_refused(p, at, why);
    /* in pieces: "]" then "]>" (an entity for the ">") */
    at = item_start(p, 0x60);
    at = put(p, at, "\x03" "a]" "\x00\x03" "]" "\x00\x02\x3e", 9);
    at = put(p, at, "\x01\x01\x01\x01\x01", 5);
    expect_refused(p, at, why);

    /* elsewhere libwbxml2 escapes it: a Results Item's Data is text */
    at = item_start(p, 0x62); /* Results */
    at = put(p, at, "\x03" "a]]>b" "\x00", 7);
    at = put(p, at, "\x01\x01\x01\x01\x01", 5);
    char *x = to_xml(p, at);
    assert_non_null(strstr(x, "<Data>a]]&gt;b</Data>"));
    dmboot_free(x, strlen(x));
    /* and "]]" without ">" stays data in a Replace */
    at = item_start(p, 0x60);
    at = put(p, at, "\x03" "a]]b]" "\x00", 7);
    at = put(p, at, "\x01\x01\x01\x01\x01", 5);
    x = to_xml(p, at);
    assert_non_null(strstr(x, "<Data><![CDATA[a]]b]]]></Data>"));
    dmboot_free(x, strlen(x));
}

/* libwbxml2 leaks memory decoding an empty opaque NextNonce (400k
 * unauthenticated packages grew a server by 12 MB): zero-length opaque
 * data is refused before decoding (issue 14, item 7). */
static void test_empty_opaque(void **state)
{
    (void)state;
    skip_without_library();
    const char *why = "zero-length opaque data";
    uint8_t p[512];
    size_t at = hdr_start(p);
    at = put(p, at, "\x01\x6b\x69", 3); /* END SyncHdr, <SyncBody><Status> */
    at = put_str(p, at, 0x0b, "1");
    p[at++] = 0x49; /* <Chal><Meta> SWITCH_PAGE 1 */
    at = put(p, at, "\x5a\x00\x01", 3);
    at = put_str(p, at, 0x13, "syncml:auth-md5");
    size_t nonce_at = at;
    at = put_opaque(p, at, 0x10, "", 0);
    at = put(p, at, "\x00\x00\x01\x01", 4);
    at = put_str(p, at, 0x0f, "401");
    at = put(p, at, "\x01\x01\x01", 3);
    expect_refused(p, at, why);
    char msg[64];
    snprintf(msg, sizeof msg, "byte %zu: %s", nonce_at + 1, why);
    expect_refused(p, at, msg);
    /* anywhere else too: an empty opaque Data */
    at = item_start(p, 0x62);
    at = put(p, at, "\xc3\x00\x01\x01\x01\x01\x01", 7);
    expect_refused(p, at, why);
    /* one byte of nonce is fine */
    at = hdr_start(p);
    at = put(p, at, "\x01\x6b\x69", 3);
    at = put_str(p, at, 0x0b, "1");
    p[at++] = 0x49;
    at = put(p, at, "\x5a\x00\x01", 3);
    at = put_opaque(p, at, 0x10, "n", 1);
    at = put(p, at, "\x00\x00\x01\x01\x01\x01\x01", 7);
    char *x = to_xml(p, at);
    assert_non_null(strstr(x, ">bg==</NextNonce>"));
    dmboot_free(x, strlen(x));
}

/* libwbxml2 appends each child by walking its parent's children from the
 * first (and text after elements the same way), so decoding costs the
 * square of an element's children: one unauthenticated 100 KB message of
 * sibling <Get/>s held a DM server thread for 99 s, 1 MiB for a quarter
 * of an hour. The check bounds that work (what libwbxml2 would walk, over
 * the message and its embedded documents) and refuses beyond it; a large
 * real message (1500 Items in one Results: test_large_message) passes. */
static uint8_t *siblings_message(size_t count, bool with_text, size_t *len)
{
    /* <SyncML><SyncHdr/><SyncBody> count x (<Get/> or "a"<Get/>) */
    uint8_t *p = malloc(16 + 4 * count);
    assert_non_null(p);
    size_t at = put(p, 0, "\x02\xa4\x01\x6a\x00\x6d\x2c\x6b", 8);
    for (size_t i = 0; i < count; i++) {
        if (with_text)
            at = put(p, at, "\x03" "a\x00", 3);
        p[at++] = 0x13; /* <Get/> */
    }
    at = put(p, at, "\x01\x01", 2);
    *len = at;
    return p;
}

static void test_sibling_work_bounded(void **state)
{
    (void)state;
    skip_without_library();
    const char *why = "too many children of one element";
    size_t len = 0;
    uint8_t *p = siblings_message(8000, false, &len);
    expect_refused(p, len, why);
    free(p);
    p = siblings_message(4000, true, &len); /* 8000 children: text, element, ... */
    expect_refused(p, len, why);
    free(p);
    /* the same in an embedded DevInf: <DevInf> with 8000 <Man/> */
    size_t n_inner = 8000;
    uint8_t *inner = malloc(n_inner + 16);
    assert_non_null(inner);
    size_t il = put(inner, 0, "\x02\xa4\x03\x6a\x00\x4a", 6);
    memset(inner + il, 0x11, n_inner);
    il += n_inner;
    inner[il++] = 0x01;
    uint8_t *m = malloc(il + 128);
    assert_non_null(m);
    size_t at = put(m, 0, "\x02\xa4\x01\x6a\x00\x6d\x2c\x6b\x62", 9);
    at = put_str(m, at, 0x0b, "2");
    at = put(m, at, "\x54\x5a\x00\x01", 4);
    at = put_str(m, at, 0x13, "application/vnd.syncml-devinf+wbxml");
    at = put(m, at, "\x00\x00\x01\x4f\xc3", 5); /* </Type> page 0 </Meta> <Data> OPAQUE */
    m[at++] = (uint8_t)(0x80 | (il >> 7));
    m[at++] = (uint8_t)(il & 0x7f);
    at = put(m, at, inner, il);
    at = put(m, at, "\x01\x01\x01\x01\x01", 5);
    expect_refused(m, at, "(in an embedded document)");
    expect_refused(m, at, why);
    free(m);
    free(inner);
    /* attributes: 8000 literal ones on <SyncBody> (index 0 into no table) */
    uint8_t *q = malloc(16 + 2 * 8000);
    assert_non_null(q);
    at = put(q, 0, "\x02\xa4\x01\x6a\x00\x6d\x2c\xeb", 8);
    for (int i = 0; i < 8000; i++)
        at = put(q, at, "\x04\x00", 2);
    at = put(q, at, "\x01\x13\x01\x01", 4);
    expect_refused(q, at, why);
    free(q);
    /* a few hundred side by side decode */
    p = siblings_message(500, true, &len);
    char *x = to_xml(p, len);
    assert_non_null(strstr(x, "a<Get/>a<Get/>"));
    dmboot_free(x, strlen(x));
    free(p);
}

/* Run in a process whose DMBOOT_WBXML_LIBRARY names a missing file or a
 * library that is not libwbxml2 (see the top of the file). */
static const char *expected_reason;

static void test_without_library(void **state)
{
    (void)state;
    const char *name = getenv("DMBOOT_WBXML_LIBRARY");
    if (name == NULL)
        fail_msg("run with DMBOOT_WBXML_LIBRARY set");
    assert_int_equal(dmboot_wbxml_available(), 0);
    uint8_t *w = NULL;
    char *x = NULL;
    size_t n = 0;
    dmboot_error err;
    assert_int_equal(dmboot_xml_to_wbxml("<SyncML/>", 9, &w, &n, &err), DMBOOT_ERR_UNSUPPORTED);
    assert_null(w);
    assert_non_null(strstr(err.message, name));
    assert_non_null(strstr(err.message, expected_reason));
    assert_non_null(strstr(err.message, "apt-get install libwbxml2-1"));
    static const uint8_t wb[] = {0x02, 0xa4, 0x01, 0x6a, 0x00, 0x2d};
    assert_int_equal(dmboot_wbxml_to_xml(wb, sizeof wb, &x, &n, &err), DMBOOT_ERR_UNSUPPORTED);
    assert_null(x);
    /* the answer is the same on every call */
    assert_int_equal(dmboot_wbxml_available(), 0);
}

/* Four threads, each converting PACKAGE1 both ways 100 times, starting
 * together at the process's first WBXML call: the right bytes every time
 * (or, without libwbxml2, DMBOOT_ERR_UNSUPPORTED for all). */
static pthread_barrier_t start_line;
enum { RUN_OK, RUN_FAILED, RUN_UNSUPPORTED };

static void *convert_many(void *arg)
{
    (void)arg;
    static const uint8_t head[] = {0x02, 0xa4, 0x01, 0x6a, 0x00};
    pthread_barrier_wait(&start_line);
    for (int i = 0; i < 100; i++) {
        uint8_t *w = NULL;
        char *x = NULL;
        size_t wl = 0, xl = 0;
        dmboot_status st = dmboot_xml_to_wbxml(PACKAGE1, strlen(PACKAGE1), &w, &wl, NULL);
        if (st == DMBOOT_ERR_UNSUPPORTED)
            return (void *)(uintptr_t)RUN_UNSUPPORTED;
        if (st == DMBOOT_OK)
            st = dmboot_wbxml_to_xml(w, wl, &x, &xl, NULL);
        bool ok = st == DMBOOT_OK && wl > sizeof head && memcmp(w, head, sizeof head) == 0 &&
                  strstr(x, "<LocURI>IMEI:490154203237518</LocURI>") != NULL;
        dmboot_free(w, wl);
        dmboot_free(x, xl);
        if (!ok)
            return (void *)(uintptr_t)RUN_FAILED;
    }
    return (void *)(uintptr_t)RUN_OK;
}

static void test_threads_first_call(void **state)
{
    (void)state;
    pthread_t t[4];
    int count[3] = {0, 0, 0};
    assert_int_equal(pthread_barrier_init(&start_line, NULL, 4), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, convert_many, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *r = NULL;
        assert_int_equal(pthread_join(t[i], &r), 0);
        count[(uintptr_t)r]++;
    }
    pthread_barrier_destroy(&start_line);
    if (count[RUN_UNSUPPORTED] == 4) {
        fprintf(stderr, "libwbxml2 is not installed: skipped\n");
        skip();
    }
    assert_int_equal(count[RUN_OK], 4);
}

/* DMBOOT_WBXML_LIBRARY is a trusted setting (issue 14, item 11): only an
 * absolute path to a file that root or this user owns and nobody else may
 * change. Each case runs in a child that makes its first WBXML call with
 * the variable set; the parent makes none. */
static int library_body(const void *arg, char *out, size_t cap)
{
    setenv("DMBOOT_WBXML_LIBRARY", (const char *)arg, 1);
    uint8_t *w = NULL;
    size_t n = 0;
    dmboot_error err;
    memset(&err, 0, sizeof err);
    int avail = dmboot_wbxml_available();
    dmboot_status st = dmboot_xml_to_wbxml("<SyncML/>", 9, &w, &n, &err);
    return snprintf(out, cap, "%d %d %s", avail, (int)st, err.message);
}

static void library_refusal(const char *value, const char *why)
{
    char got[DMBOOT_ERROR_MESSAGE_MAX + 32];
    int status = run_in_child(library_body, value, got, sizeof got);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char want[32];
    snprintf(want, sizeof want, "0 %d ", (int)DMBOOT_ERR_UNSUPPORTED);
    if (strncmp(got, want, strlen(want)) != 0 || strstr(got, why) == NULL ||
        strstr(got, "apt-get install libwbxml2-1") == NULL)
        fail_msg("DMBOOT_WBXML_LIBRARY=%s: got '%s', want unavailable saying '%s'", value, got,
                 why);
}

static void write_file(const char *path, mode_t mode)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("not a library\n", f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

static void test_untrusted_library(void **state)
{
    (void)state;
    char dir[] = "/tmp/dmboot-wbxml-lib-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[4][256];
    const char *why_file = "is not a regular file owned by root or this user";
    library_refusal("libwbxml2.so.1", "must be an absolute path");
    library_refusal("./libwbxml2.so.1", "must be an absolute path");
    snprintf(path[0], sizeof path[0], "%s/world.so", dir);
    write_file(path[0], 0666);
    library_refusal(path[0], why_file);
    snprintf(path[1], sizeof path[1], "%s/group.so", dir);
    write_file(path[1], 0620);
    library_refusal(path[1], why_file);
    /* through a symbolic link: the file it names counts */
    snprintf(path[2], sizeof path[2], "%s/link.so", dir);
    assert_int_equal(symlink(path[0], path[2]), 0);
    library_refusal(path[2], why_file);
    library_refusal(dir, why_file); /* a directory */
    /* a private file in a directory others may write to */
    snprintf(path[3], sizeof path[3], "%s/open", dir);
    assert_int_equal(mkdir(path[3], 0700), 0);
    assert_int_equal(chmod(path[3], 0777), 0);
    char inner[300];
    snprintf(inner, sizeof inner, "%s/private.so", path[3]);
    write_file(inner, 0600);
    library_refusal(inner, "directory");
    library_refusal(inner, "others may write to it");
    /* a file another user owns (only root can make one) */
    char other[300] = "";
    if (geteuid() == 0) {
        snprintf(other, sizeof other, "%s/other.so", dir);
        write_file(other, 0644);
        assert_int_equal(chown(other, 65534, 65534), 0);
        library_refusal(other, why_file);
    }
    /* missing: not loaded, said so */
    char missing[300];
    snprintf(missing, sizeof missing, "%s/missing.so", dir);
    library_refusal(missing, "could not be loaded");
    unlink(inner);
    rmdir(path[3]);
    for (int i = 3; i-- > 0;)
        unlink(path[i]);
    if (other[0] != '\0')
        unlink(other);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "untrusted") == 0) {
        /* no WBXML call in this process: each case is a child's first */
        const struct CMUnitTest tests[] = {cmocka_unit_test(test_untrusted_library)};
        return cmocka_run_group_tests(tests, NULL, NULL);
    }
    if (argc > 1 && strcmp(argv[1], "threads") == 0) {
        /* no other WBXML call before: the threads make the first one */
        const struct CMUnitTest tests[] = {cmocka_unit_test(test_threads_first_call)};
        return cmocka_run_group_tests(tests, NULL, NULL);
    }
    if (argc > 1) {
        if (strcmp(argv[1], "missing") == 0)
            expected_reason = "could not be loaded";
        else if (strcmp(argv[1], "not-wbxml") == 0)
            expected_reason = "is not a libwbxml2 with the conversion API";
        else {
            fprintf(stderr, "usage: %s [missing|not-wbxml|threads|untrusted]\n", argv[0]);
            return 2;
        }
        const struct CMUnitTest tests[] = {cmocka_unit_test(test_without_library)};
        return cmocka_run_group_tests(tests, NULL, NULL);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_package1_round_trip),
        cmocka_unit_test(test_reply_round_trip),
        cmocka_unit_test(test_vendor_encoded_package),
        cmocka_unit_test(test_devinf_embedded),
        cmocka_unit_test(test_tnds_embedded),
        cmocka_unit_test(test_server_check_through_wbxml),
        cmocka_unit_test(test_large_message),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_hostile_input),
        cmocka_unit_test(test_embedded_in_open_meta),
        cmocka_unit_test(test_cdata_end_in_data),
        cmocka_unit_test(test_empty_opaque),
        cmocka_unit_test(test_sibling_work_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
