/*
 * libFuzzer target: the trust file parser (docs/authentication.md §6).
 * Any bytes are parsed; what parses keeps the parser's promises (at least
 * one issuer, each named, a copy through a verifier parses the same), and
 * a descriptor is verified against it (the scope check on whatever it
 * holds). Without -DDMBOOT_FUZZ the same function runs over the seed
 * corpus as a test (standalone_main.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmboot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char DESC[] = "dmboot-descriptor: 1\nid: fuzz-1\nissuer: F\ndevid-type: imei\n"
                           "devid-match: IMEI:35209911*\nkey-id: acme-2026\n"
                           "server-id: s\nserver-addr: https://s/\n"
                           "client-secret: derive bytes 16 hex\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dmboot_trust *t = NULL;
    dmboot_error err;
    dmboot_status st = dmboot_trust_parse((const char *)data, size, &t, &err);
    if (st != DMBOOT_OK) {
        /* every refusal names its line (or the size) and leaves nothing */
        if (t != NULL || (st != DMBOOT_ERR_SYNTAX && st != DMBOOT_ERR_NO_MEMORY) ||
            err.message[0] == '\0')
            abort();
        return 0;
    }
    size_t n = dmboot_trust_count(t);
    if (n == 0 || dmboot_trust_issuer(t, n) != NULL)
        abort();
    for (size_t i = 0; i < n; i++) {
        const char *name = dmboot_trust_issuer(t, i);
        if (name == NULL || name[0] == '\0')
            abort();
    }
    dmboot_verifier *v = NULL;
    dmboot_descriptor *d = NULL;
    if (dmboot_verifier_new(&v, NULL) != DMBOOT_OK ||
        dmboot_verifier_set_trust(v, t, NULL) != DMBOOT_OK ||
        dmboot_verifier_set_flags(v, DMBOOT_VERIFY_ALLOW_UNAUTHENTICATED |
                                         DMBOOT_VERIFY_IGNORE_VALIDITY,
                                  NULL) != DMBOOT_OK ||
        dmboot_descriptor_parse(DESC, sizeof DESC - 1, &d, NULL) != DMBOOT_OK)
        abort();
    dmboot_verify_report r;
    st = dmboot_descriptor_verify_report(d, v, &r, &err);
    /* unsigned and without a key: the key-id alone places it */
    if (st != DMBOOT_OK && st != DMBOOT_ERR_SCOPE)
        abort();
    dmboot_descriptor_free(d);
    dmboot_verifier_free(v);
    dmboot_trust_free(t);
    return 0;
}
