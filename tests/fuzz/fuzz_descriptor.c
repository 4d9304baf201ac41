/* Descriptor parsing and DevID normalization on arbitrary bytes. The first
 * byte picks the DevID type for a second use of the input as a DevID; a
 * parsed descriptor is then asked to match and derive with a fixed key. */
#include <stdint.h>
#include <string.h>

#include "dmboot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const types[] = {"imei", "meid", "esn", "opaque"};
    char out[DMBOOT_DEVID_MAX + 1];
    size_t n = 0;
    if (size > 0)
        dmboot_devid_normalize(types[data[0] % 4], (const char *)data + 1, size - 1, out,
                               sizeof out, &n, NULL);

    dmboot_descriptor *d = NULL;
    dmboot_error err;
    if (dmboot_descriptor_parse((const char *)data, size, &d, &err) != DMBOOT_OK)
        return 0;
    static const uint8_t key[32] = {1, 2, 3};
    dmboot_deriver *dv = NULL;
    dmboot_account *acc = NULL;
    if (dmboot_deriver_new(d, key, sizeof key, DMBOOT_KEY_MASTER, &dv, &err) == DMBOOT_OK &&
        dmboot_account_new(&acc, &err) == DMBOOT_OK) {
        /* a DevID of each shape, and the patterns themselves */
        static const char *const devids[] = {"490154203237518", "A0000012345678", "12ABCDEF",
                                             "urn:dev:1"};
        for (size_t i = 0; i < 4; i++)
            dmboot_derive(dv, devids[i], strlen(devids[i]), acc, &err);
        const char *match = dmboot_descriptor_get(d, "devid-match");
        if (match != NULL) {
            size_t len = strcspn(match, " *");
            dmboot_derive(dv, match, len, acc, &err);
        }
        char row[DMBOOT_ROW_MAX];
        dmboot_account_format(acc, DMBOOT_FORMAT_CSV, row, sizeof row, &n, &err);
    }
    dmboot_account_free(acc);
    dmboot_deriver_free(dv);
    dmboot_descriptor_free(d);
    return 0;
}
