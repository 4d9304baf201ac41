/* WBXML through libwbxml2: real SyncML DM packages survive XML -> WBXML ->
 * XML with the same header and body values, the encoding is SyncML 1.2 as
 * DM clients send it, and the errors are the documented ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    "<Item><Source><LocURI>./DevInfo/Man</LocURI></Source><Data>ACME</Data></Item>"
    "<Item><Source><LocURI>./DevInfo/DmV</LocURI></Source><Data>1.2</Data></Item>"
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
    "<Data>212</Data></Status><Final/></SyncBody></SyncML>";

static void skip_without_library(void)
{
    if (!dmboot_wbxml_available()) {
        fprintf(stderr, "libwbxml2 is not installed: skipped\n");
        skip();
    }
}

static void round_trip(const char *xml, uint8_t **wbxml, size_t *wbxml_len, char **back)
{
    dmboot_error err;
    size_t n = 0;
    *wbxml = malloc(65536);
    *back = malloc(65536);
    if (dmboot_xml_to_wbxml(xml, strlen(xml), *wbxml, 65536, wbxml_len, &err) != DMBOOT_OK)
        fail_msg("XML to WBXML: %s", err.message);
    if (dmboot_wbxml_to_xml(*wbxml, *wbxml_len, *back, 65536, &n, &err) != DMBOOT_OK)
        fail_msg("WBXML to XML: %s", err.message);
    assert_int_equal(strlen(*back), n);
}

static void test_package1_round_trip(void **state)
{
    (void)state;
    skip_without_library();
    uint8_t *wbxml;
    size_t len;
    char *back;
    round_trip(PACKAGE1, &wbxml, &len, &back);
    /* WBXML 1.2, public id 0x1201 (-//SYNCML//DTD SyncML 1.2//EN) as a
     * multi-byte integer (0xA4 0x01), UTF-8 (106), no string table */
    static const uint8_t head[] = {0x02, 0xa4, 0x01, 0x6a, 0x00};
    assert_memory_equal(wbxml, head, sizeof head);
    assert_true(len < strlen(PACKAGE1) / 2);

    /* the same values, read by the core's SyncML reader from both */
    dmboot_syncml *a = NULL, *b = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_syncml_parse(PACKAGE1, strlen(PACKAGE1), &a, &err), DMBOOT_OK);
    if (dmboot_syncml_parse(back, strlen(back), &b, &err) != DMBOOT_OK)
        fail_msg("%s\n%s", err.message, back);
    for (int f = 0; f < DMBOOT_SYNCML_FIELD_COUNT; f++) {
        const char *x = dmboot_syncml_get(a, (dmboot_syncml_field)f, NULL);
        const char *y = dmboot_syncml_get(b, (dmboot_syncml_field)f, NULL);
        if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0))
            fail_msg("%s: '%s' became '%s'", dmboot_syncml_field_name((dmboot_syncml_field)f),
                     x ? x : "(none)", y ? y : "(none)");
    }
    assert_string_equal(dmboot_syncml_get(b, DMBOOT_SYNCML_CRED_DATA, NULL),
                        "Zz6EivR3yeaaENcRN6lpAQ==");
    assert_string_equal(dmboot_syncml_get(b, DMBOOT_SYNCML_TARGET_LOCURI, NULL),
                        "https://dm.operator.example/oma-dm?a=1&b=2");
    assert_int_equal(dmboot_syncml_final(b), 1);
    /* libwbxml2 codes an Item's Data as opaque, and decodes it as CDATA */
    assert_true(strstr(back, "<Data>ACME</Data>") != NULL ||
                strstr(back, "<Data><![CDATA[ACME]]></Data>") != NULL);
    dmboot_syncml_free(a);
    dmboot_syncml_free(b);
    free(wbxml);
    free(back);
}

static void test_reply_round_trip(void **state)
{
    (void)state;
    skip_without_library();
    uint8_t *wbxml;
    size_t len;
    char *back;
    round_trip(REPLY, &wbxml, &len, &back);
    assert_non_null(strstr(back, "<NextNonce xmlns=\"syncml:metinf\">bm9uY2UtMg==</NextNonce>"));
    assert_non_null(strstr(back, "<Cmd>SyncHdr</Cmd>"));
    assert_non_null(strstr(back, "<Data>212</Data>"));
    /* and again: a decoded message encodes to the same bytes */
    uint8_t *again = malloc(65536);
    size_t n2 = 0;
    dmboot_error err;
    assert_int_equal(dmboot_xml_to_wbxml(back, strlen(back), again, 65536, &n2, &err), DMBOOT_OK);
    assert_int_equal(n2, len);
    assert_memory_equal(again, wbxml, len);
    free(again);
    free(wbxml);
    free(back);
}

static void test_errors(void **state)
{
    (void)state;
    skip_without_library();
    uint8_t out[4096];
    char text[4096];
    size_t n = 0;
    dmboot_error err;
    /* not WBXML */
    static const uint8_t junk[] = {0x07, 0xff, 0xff, 0xff, 0x01, 0x02};
    assert_int_equal(dmboot_wbxml_to_xml(junk, sizeof junk, text, sizeof text, &n, &err),
                     DMBOOT_ERR_SYNTAX);
    assert_non_null(strstr(err.message, "libwbxml2"));
    /* not well-formed XML */
    assert_int_equal(dmboot_xml_to_wbxml("<SyncML><a></SyncML>", 20, out, sizeof out, &n, &err),
                     DMBOOT_ERR_SYNTAX);
    /* too small a buffer: the size needed */
    assert_int_equal(dmboot_xml_to_wbxml(PACKAGE1, strlen(PACKAGE1), out, 10, &n, &err),
                     DMBOOT_ERR_BUFFER_TOO_SMALL);
    assert_true(n > 10);
    assert_int_equal(dmboot_xml_to_wbxml(PACKAGE1, strlen(PACKAGE1), out, n + 1, &n, &err),
                     DMBOOT_OK);
    assert_int_equal(dmboot_wbxml_to_xml(NULL, 3, text, sizeof text, &n, &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_wbxml_to_xml(junk, 0, text, sizeof text, &n, &err),
                     DMBOOT_ERR_SYNTAX);
}

static void test_missing_library(void **state)
{
    (void)state;
    setenv("DMBOOT_WBXML_LIBRARY", "libdmboot-no-such-wbxml.so.9", 1);
    assert_int_equal(dmboot_wbxml_available(), 0);
    uint8_t out[64];
    size_t n = 0;
    dmboot_error err;
    assert_int_equal(dmboot_xml_to_wbxml("<SyncML/>", 9, out, sizeof out, &n, &err),
                     DMBOOT_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.message, "libwbxml2"));
    assert_non_null(strstr(err.message, "libdmboot-no-such-wbxml.so.9"));
    /* a library without the conversion API */
    setenv("DMBOOT_WBXML_LIBRARY", "libcrypto.so.3", 1);
    assert_int_equal(dmboot_xml_to_wbxml("<SyncML/>", 9, out, sizeof out, &n, &err),
                     DMBOOT_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.message, "conversion API"));
    unsetenv("DMBOOT_WBXML_LIBRARY");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_package1_round_trip), cmocka_unit_test(test_reply_round_trip),
        cmocka_unit_test(test_errors), cmocka_unit_test(test_missing_library)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
