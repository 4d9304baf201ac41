/*
 * Derive the DM accounts of a batch, as a factory tool would:
 *
 *   derive DESCRIPTOR KEYFILE DEVID...
 *
 * prints one JSON row per device. Build against an installed dmboot with
 * CMake (find_package(dmboot), see CMakeLists.txt here) or pkg-config:
 *   cc derive.c $(pkg-config --cflags --libs dmboot) -o derive
 */
#include <stdio.h>
#include <string.h>

#include <dmboot.h>

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s DESCRIPTOR KEYFILE DEVID...\n", argv[0]);
        return 2;
    }
    dmboot_descriptor *d = NULL;
    dmboot_deriver *dv = NULL;
    dmboot_account *acc = NULL;
    dmboot_error err;
    uint8_t key[DMBOOT_KEY_MAX];
    size_t key_len = 0;
    int rc = 1;

    if (dmboot_descriptor_load(argv[1], &d, &err) != DMBOOT_OK ||
        dmboot_key_load(argv[2], key, sizeof key, &key_len, &err) != DMBOOT_OK ||
        dmboot_deriver_new(d, key, key_len, DMBOOT_KEY_MASTER, &dv, &err) != DMBOOT_OK ||
        dmboot_account_new(&acc, &err) != DMBOOT_OK) {
        fprintf(stderr, "derive: %s\n", err.message);
        goto done;
    }
    for (int i = 3; i < argc; i++) {
        char row[DMBOOT_ROW_MAX];
        size_t n;
        if (dmboot_derive(dv, argv[i], strlen(argv[i]), acc, &err) != DMBOOT_OK ||
            dmboot_account_format(acc, DMBOOT_FORMAT_JSON, row, sizeof row, &n, &err) !=
                DMBOOT_OK) {
            fprintf(stderr, "derive: %s: %s\n", argv[i], err.message);
            goto done;
        }
        fwrite(row, 1, n, stdout);
    }
    rc = 0;
done:
    memset(key, 0, sizeof key); /* the library wipes its own copies */
    dmboot_account_free(acc);
    dmboot_deriver_free(dv);
    dmboot_descriptor_free(d);
    return rc;
}
