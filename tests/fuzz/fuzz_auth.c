/*
 * Fuzz target for the authentication input paths: any bytes as a
 * descriptor are parsed, verified (MAC, signature, key-check, validity)
 * and, when they parse, signed; the signed result must parse and verify.
 * Build with -DDMBOOT_FUZZ=ON (clang, libFuzzer); without it the same
 * function runs over the seed corpus as a test (standalone_main.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmboot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char SK_PEM[] = "-----BEGIN PRIVATE KEY-----\n"
                             "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
                             "-----END PRIVATE KEY-----\n";

static const uint8_t KEY[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* set up per call: the harness keeps no state between inputs */
    dmboot_signing_key *sk = NULL;
    dmboot_public_key *pk = NULL;
    dmboot_verifier *v = NULL;
    if (dmboot_signing_key_from_pem(SK_PEM, sizeof SK_PEM - 1, &sk, NULL) != DMBOOT_OK ||
        dmboot_signing_key_public(sk, &pk, NULL) != DMBOOT_OK ||
        dmboot_verifier_new(&v, NULL) != DMBOOT_OK ||
        dmboot_verifier_set_key(v, KEY, sizeof KEY, DMBOOT_KEY_MASTER, NULL) != DMBOOT_OK ||
        dmboot_verifier_add_public_key(v, pk, NULL) != DMBOOT_OK)
        abort();
    dmboot_verifier_set_time(v, 1780272000);

    /* the PEM readers see the same bytes */
    dmboot_public_key *fpk = NULL;
    dmboot_signing_key *fsk = NULL;
    (void)dmboot_public_key_from_pem((const char *)data, size, &fpk, NULL);
    (void)dmboot_signing_key_from_pem((const char *)data, size, &fsk, NULL);
    dmboot_public_key_free(fpk);
    dmboot_signing_key_free(fsk);
    int64_t t;
    (void)dmboot_time_parse((const char *)data, size, &t, NULL);

    dmboot_descriptor *d = NULL;
    if (dmboot_descriptor_parse((const char *)data, size, &d, NULL) == DMBOOT_OK) {
        dmboot_verify_report r;
        (void)dmboot_descriptor_verify_report(d, v, &r, NULL);
        char *out = malloc(DMBOOT_DESCRIPTOR_MAX + 1);
        size_t len = 0;
        dmboot_error err;
        dmboot_status st = dmboot_descriptor_sign(d, KEY, sizeof KEY, DMBOOT_KEY_MASTER, sk,
                                                  DMBOOT_SIGN_KEY_CHECK, out,
                                                  DMBOOT_DESCRIPTOR_MAX + 1, &len, &err);
        if (st == DMBOOT_OK) {
            dmboot_descriptor *s = NULL;
            if (dmboot_descriptor_parse(out, len, &s, NULL) != DMBOOT_OK)
                abort(); /* signing produced something that does not parse */
            dmboot_verifier_set_flags(v, DMBOOT_VERIFY_IGNORE_VALIDITY, NULL);
            unsigned checked = 0;
            if (dmboot_descriptor_verify(s, v, &checked, NULL) != DMBOOT_OK ||
                (checked & (DMBOOT_CHECKED_MAC | DMBOOT_CHECKED_SIGNATURE |
                            DMBOOT_CHECKED_KEY_CHECK)) !=
                    (DMBOOT_CHECKED_MAC | DMBOOT_CHECKED_SIGNATURE | DMBOOT_CHECKED_KEY_CHECK))
                abort(); /* ... or that does not verify */
            dmboot_descriptor_free(s);
        } else if (st != DMBOOT_ERR_DESCRIPTOR) {
            abort(); /* only the size limit may refuse a parsed descriptor */
        }
        free(out);
        dmboot_descriptor_free(d);
    }
    dmboot_verifier_free(v);
    dmboot_public_key_free(pk);
    dmboot_signing_key_free(sk);
    return 0;
}
