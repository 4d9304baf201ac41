/* libFuzzer target: the x-syncml-hmac header reader, and the round trip
 * format(parse(x)) -> parse gives the same username and mac. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmboot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    if (size > 0)
        memcpy(buf, data, size);
    dmboot_hmac_header *h = malloc(sizeof *h), *h2 = malloc(sizeof *h2);
    char *line = malloc(DMBOOT_HMAC_HEADER_MAX + 1);
    if (h != NULL && h2 != NULL && line != NULL &&
        dmboot_hmac_header_parse(buf, size, h, NULL) == DMBOOT_OK) {
        if (strcmp(h->algorithm, "MD5") != 0 || h->mac_len == 0 ||
            h->mac_len > DMBOOT_HMAC_MAC_MAX || h->username_len > DMBOOT_AUTH_TEXT_MAX)
            abort();
        size_t n;
        /* A parsed name may hold what the writer refuses (a TAB, a byte of
         * obs-text in the mac); when the writer accepts, it reads back. */
        if (dmboot_hmac_header_format(h->username, h->username_len, h->mac, h->mac_len, line,
                                      DMBOOT_HMAC_HEADER_MAX + 1, &n, NULL) == DMBOOT_OK) {
            if (dmboot_hmac_header_parse(line, n, h2, NULL) != DMBOOT_OK ||
                h2->username_len != h->username_len || h2->mac_len != h->mac_len ||
                memcmp(h2->username, h->username, h->username_len) != 0 ||
                memcmp(h2->mac, h->mac, h->mac_len) != 0)
                abort();
        }
    }
    free(line);
    free(h);
    free(h2);
    free(buf);
    return 0;
}
