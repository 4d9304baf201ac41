/* libFuzzer target: WBXML decoding must accept or refuse any bytes without
 * crashing the process: the structural check in front of libwbxml2
 * (core/src/omadm/wbxml_check.c) must let through only what libwbxml2 decodes
 * safely. What is accepted must be XML the core's SyncML reader can read
 * or refuse, and must encode back. Without libwbxml2 it checks nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmboot.h"
#include "omadm/wbxml_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A private copy, so that reading one byte past the end is caught. */
    uint8_t *buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    if (size > 0)
        memcpy(buf, data, size);

    dmboot_error err;
    dmboot_status checked = dmb_wbxml_check(buf, size, &err);
    if (checked != DMBOOT_OK && checked != DMBOOT_ERR_SYNTAX)
        abort();
    if (!dmboot_wbxml_available()) {
        free(buf);
        return 0;
    }
    char *xml = NULL;
    size_t xml_len = 0;
    dmboot_status st = dmboot_wbxml_to_xml(buf, size, &xml, &xml_len, &err);
    if (st == DMBOOT_OK) {
        if (checked != DMBOOT_OK || xml == NULL || strlen(xml) > xml_len)
            abort();
        dmboot_syncml *m = NULL;
        if (dmboot_syncml_parse(xml, xml_len, &m, &err) == DMBOOT_OK)
            dmboot_syncml_free(m);
        uint8_t *again = NULL;
        size_t again_len = 0;
        if (dmboot_xml_to_wbxml(xml, xml_len, &again, &again_len, &err) == DMBOOT_OK)
            dmboot_free(again, again_len);
        dmboot_free(xml, xml_len);
    } else if (st != DMBOOT_ERR_SYNTAX && st != DMBOOT_ERR_NO_MEMORY) {
        abort();
    } else if (xml != NULL) {
        abort();
    }
    free(buf);
    return 0;
}
