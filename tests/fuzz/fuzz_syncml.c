/* libFuzzer target: the SyncML DM header reader and the XML reader under
 * it must accept or refuse any bytes without crashing, leaking or reading
 * outside the buffer; what they accept must be consistent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmboot.h"
#include "omadm/xml_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A private copy, so that reading one byte past the end is caught. */
    char *buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    if (size > 0)
        memcpy(buf, data, size);

    dmboot_syncml *m = NULL;
    dmboot_error err;
    if (dmboot_syncml_parse(buf, size, &m, &err) == DMBOOT_OK) {
        for (int f = 0; f < DMBOOT_SYNCML_FIELD_COUNT; f++) {
            size_t n = 0;
            const char *v = dmboot_syncml_get(m, (dmboot_syncml_field)f, &n);
            if (v != NULL && (strlen(v) > n || n > DMBOOT_SYNCML_VALUE_MAX))
                abort();
        }
        /* The required header values are there. */
        if (dmboot_syncml_get(m, DMBOOT_SYNCML_SOURCE_LOCURI, NULL) == NULL ||
            dmboot_syncml_get(m, DMBOOT_SYNCML_VERDTD, NULL) == NULL)
            abort();
        for (size_t i = 0; i < dmboot_syncml_command_count(m); i++)
            if (dmboot_syncml_command(m, i) == NULL)
                abort();
        dmboot_syncml_free(m);
    } else if (err.status != DMBOOT_ERR_SYNTAX && err.status != DMBOOT_ERR_NO_MEMORY) {
        abort();
    }

    /* The bare reader: every event lies inside the buffer; decoding never
     * overflows. */
    dmb_xml_reader r;
    dmb_xml_init(&r, buf, size);
    for (;;) {
        dmb_xml_event ev;
        if (dmb_xml_next(&r, &ev, NULL) != DMBOOT_OK || ev.kind == DMB_XML_DONE)
            break;
        if (ev.kind == DMB_XML_TEXT) {
            if (ev.text < buf || ev.text + ev.text_len > buf + size)
                abort();
            char out[64];
            size_t len = 0;
            dmb_xml_decode(ev.text, ev.text_len, ev.cdata, out, sizeof out, &len);
            if (len > sizeof out)
                abort();
        } else if (ev.name < buf || ev.name + ev.name_len > buf + size || ev.name_len == 0) {
            abort();
        }
        if (dmb_xml_depth(&r) > DMB_XML_DEPTH_MAX)
            abort();
    }
    free(buf);
    return 0;
}
