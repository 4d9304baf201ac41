/* The trust file's model (trust.c), shared with verification
 * (descriptor_verify.c, the scope check) and the verifier. */
#ifndef DMBOOT_TRUST_H
#define DMBOOT_TRUST_H

#include "auth/auth.h"

typedef struct dmb_trust_issuer {
    const char *name;       /* points into the trust's buffer */
    size_t line;            /* its issuer: line */
    dmboot_public_key *pk;
    uint8_t raw[DMBOOT_ED25519_PUBLIC_LEN];
    char **key_ids;         /* point into the buffer */
    size_t key_id_count;
    dmb_pattern *ranges;    /* devid-ranges; text points into the buffer */
    size_t range_count;
} dmb_trust_issuer;

struct dmboot_trust {
    char *text; /* the file as given (copies re-parse it) */
    char *buf;  /* the same, cut into NUL-terminated pieces */
    size_t len;
    dmb_trust_issuer *items;
    size_t count, cap;
};

/* A copy (verifiers keep their own). */
dmboot_status dmb_trust_copy(const dmboot_trust *t, dmboot_trust **out, dmboot_error *err);
/* The issuer that holds this public key / lists this key-id, or NULL. */
const dmb_trust_issuer *dmb_trust_by_key(const dmboot_trust *t, const dmboot_public_key *pk);
const dmb_trust_issuer *dmb_trust_by_key_id(const dmboot_trust *t, const char *key_id);
/* Is a descriptor pattern (text, len, prefix) inside the range r? */
bool dmb_range_contains(const dmb_pattern *r, const char *text, size_t len, bool prefix);
/* "IMEI:35209911* IMEI:35209913*" for messages. */
void dmb_trust_ranges_text(const dmb_trust_issuer *is, char *out, size_t cap);

#endif
