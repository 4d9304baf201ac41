/* libFuzzer target: the server's first-contact check on arbitrary
 * packages and x-syncml-hmac headers, against a fixed descriptor and key.
 * Input: a header line (up to the first LF; empty: no header), then the
 * package. Any verdict is fine; a crash, a leak or an inconsistent result
 * is not. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmboot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char DESCRIPTOR[] = "dmboot-descriptor: 1\n"
                                 "id: fuzz-1\n"
                                 "issuer: F\n"
                                 "devid-type: imei\n"
                                 "devid-match: IMEI:35*\n"
                                 "server-id: dm.example\n"
                                 "server-addr: https://dm.example/dm\n"
                                 "name: devid\n"
                                 "client-secret: derive bytes 16 base64url\n"
                                 "server-secret: derive chars 20 alnum\n"
                                 "client-nonce: derive bytes 16\n"
                                 "server-nonce: derive bytes 16\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    dmboot_descriptor *d = NULL;
    dmboot_check_result *r = NULL;
    if (dmboot_descriptor_parse(DESCRIPTOR, strlen(DESCRIPTOR), &d, NULL) != DMBOOT_OK ||
        dmboot_check_result_new(&r, NULL) != DMBOOT_OK)
        abort();
    const uint8_t *nl = memchr(data, '\n', size);
    size_t hlen = nl ? (size_t)(nl - data) : 0;
    size_t off = nl ? hlen + 1 : 0;
    char *header = malloc(hlen + 1), *msg = malloc(size - off + 1);
    if (header == NULL || msg == NULL)
        abort();
    memcpy(header, data, hlen);
    memcpy(msg, data + off, size - off);
    dmboot_error err;
    dmboot_status st = dmboot_server_check_message(d, key, sizeof key, DMBOOT_KEY_MASTER, msg,
                                                   size - off, hlen ? header : NULL, hlen, NULL,
                                                   0, r, &err);
    int ok = dmboot_check_result_authenticated(r);
    if ((st == DMBOOT_OK) != (ok == 1) || (ok && dmboot_check_result_account(r) == NULL) ||
        (!ok && dmboot_check_result_account(r) != NULL) ||
        dmboot_check_reason_name(dmboot_check_result_reason(r)) == NULL)
        abort();
    free(header);
    free(msg);
    dmboot_check_result_free(r);
    dmboot_descriptor_free(d);
    return 0;
}
