/* Private definitions of the authentication layer. Not installed. */
#ifndef DMB_AUTH_H
#define DMB_AUTH_H

#include "derive/derive.h"
#include "dmboot/auth.h"

/* ---- MAC and Ed25519 (descriptor_mac.c, ed25519_key.c) ----------------------- */

/* A stream keyed for d after the key-check comparison (spec §2.6: every use
 * of a key checks it first). */
dmboot_status dmb_descriptor_stream(const dmboot_descriptor *d, const uint8_t *key,
                                    size_t key_len, dmboot_key_kind kind, dmb_stream **out,
                                    dmboot_error *err);
/* The descriptor MAC key (spec §2.7) of d under a master key; a batch key
 * is refused (DMBOOT_ERR_KEY, dmb_refuse_batch_mac). Does not look at
 * key-check. */
dmboot_status dmb_mac_key(const dmboot_descriptor *d, const uint8_t *key, size_t key_len,
                          dmboot_key_kind kind, uint8_t mac_key[DMB_MAC_LEN],
                          dmboot_error *err);
/* DMBOOT_ERR_KEY: "a batch key cannot make or check the MAC of descriptor ...". */
dmboot_status dmb_refuse_batch_mac(const dmboot_descriptor *d, dmboot_error *err);
/* HMAC-SHA256 of data under a MAC key. */
dmboot_status dmb_hmac(const uint8_t mac_key[DMB_MAC_LEN], const void *data, size_t len,
                       uint8_t out[DMB_MAC_LEN], dmboot_error *err);

/* ---- keyring use (registry.c) ----------------------------------------- */

/* The registry's keyring (dmboot_registry_set_keyring), or NULL. */
const dmboot_keyring *dmb_registry_keyring(const dmboot_registry *r);
/* The master key d's key-id selects in kr; DMBOOT_ERR_UNKNOWN_KEY naming the
 * descriptor and the key-id (or its absence) when there is none. */
dmboot_status dmb_keyring_key_for(const dmboot_keyring *kr, const dmboot_descriptor *d,
                                  const uint8_t **key, size_t *key_len, dmboot_error *err);

/* ---- overlap (registry_overlap.c) ---------------------------------------- */

/* Can a string that the opaque pattern p matches be read by the type t
 * normalizer (imei, meid, esn) as a DevID that one of the typed patterns
 * (normalized, as a descriptor of type t holds them) covers? Another
 * spelling: a lowercase prefix, no prefix, separators (issue 14, item 5). */
bool dmb_spelling_overlap(dmb_devid_type t, const dmb_pattern *typed, size_t typed_count,
                          const dmb_pattern *p);

/* A public key handle from the raw 32 bytes (RFC 8032). */
dmboot_status dmb_public_key_from_raw(const uint8_t raw[32], dmboot_public_key **out,
                                      dmboot_error *err);

/* Pure Ed25519 (RFC 8032) over msg. */
dmboot_status dmb_ed25519_sign(const dmboot_signing_key *k, const void *msg, size_t len,
                               uint8_t sig[DMB_SIG_LEN], dmboot_error *err);
bool dmb_ed25519_verify(const dmboot_public_key *pk, const void *msg, size_t len,
                        const uint8_t sig[DMB_SIG_LEN]);

/* Lengths of the authentication lines, LF included. */
#define DMB_MAC_LINE_LEN (sizeof "mac: hmac-sha256 " - 1 + 44 + 1)
#define DMB_SIG_LINE_LEN (sizeof "signature: ed25519 " - 1 + 88 + 1)

#endif
