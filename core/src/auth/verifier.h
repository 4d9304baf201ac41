/* The verifier's layout, shared by its setters (verifier.c), verification
 * (descriptor_verify.c) and signing (descriptor_sign.c, which checks its own output). */
#ifndef DMBOOT_VERIFIER_H
#define DMBOOT_VERIFIER_H

#include "auth/auth.h"
#include "auth/trust.h"

struct dmboot_verifier {
    bool has_key;
    dmboot_key_kind kind;
    uint8_t key[DMBOOT_KEY_MAX]; /* wiped on change and free */
    size_t key_len;
    dmboot_keyring *keyring;     /* master keys by key-id (own copy), or NULL */
    dmboot_trust *trust;         /* issuer scopes (own copy), or NULL */
    dmboot_public_key **issuers; /* trusted issuer keys, in the order added */
    size_t issuer_count, issuer_cap;
    bool has_time; /* else the clock is read at each verification */
    int64_t time;
    unsigned flags;
};

#endif
