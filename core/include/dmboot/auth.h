/*
 * dmboot/auth.h: the descriptor's authentication: Ed25519 issuer keys,
 * MAC, key check, signing, verification, registry (docs/authentication.md).
 * Part of the dmboot API; include <dmboot.h>, which includes every part.
 * The conventions of the whole API are in dmboot/common.h.
 */
#ifndef DMBOOT_AUTH_H
#define DMBOOT_AUTH_H

#include "dmboot/derive.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Authentication (docs/authentication.md)                             */
/* ------------------------------------------------------------------ */

#define DMBOOT_MAC_LEN 32            /* HMAC-SHA256 */
#define DMBOOT_ED25519_PUBLIC_LEN 32 /* raw Ed25519 public key */
#define DMBOOT_PEM_MAX 1024          /* out_cap that always holds a PEM key */

/* ---- Ed25519 keys ---- */

typedef struct dmboot_signing_key dmboot_signing_key; /* an issuer's private key */
typedef struct dmboot_public_key dmboot_public_key;   /* an issuer's public key */

/* A fresh Ed25519 key pair from the OpenSSL CSPRNG. */
DMBOOT_EXPORT dmboot_status dmboot_signing_key_generate(dmboot_signing_key **out,
                                                        dmboot_error *err);
/* Read an unencrypted PKCS#8 PEM private key ("-----BEGIN PRIVATE KEY-----",
 * what `openssl genpkey -algorithm ed25519` writes). Exactly one PEM block;
 * DMBOOT_ERR_KEY says what is wrong (a public key, an encrypted key, not
 * Ed25519, malformed). Never prompts for a passphrase. */
DMBOOT_EXPORT dmboot_status dmboot_signing_key_from_pem(const char *pem, size_t pem_len,
                                                        dmboot_signing_key **out,
                                                        dmboot_error *err);
/* Read a signing key file (PEM as above). Like a key file
 * (dmboot_key_load), it is refused (DMBOOT_ERR_KEY, naming it) when the path
 * is a symbolic link, not a regular file, or accessible by group or others
 * (mode & 077). */
DMBOOT_EXPORT dmboot_status dmboot_signing_key_load(const char *path,
                                                    dmboot_signing_key **out,
                                                    dmboot_error *err);
/* Write the private key as PKCS#8 PEM (the same format). The caller wipes
 * the buffer. out_cap of DMBOOT_PEM_MAX suffices. */
DMBOOT_EXPORT dmboot_status dmboot_signing_key_private_pem(const dmboot_signing_key *k,
                                                           char *out, size_t out_cap,
                                                           size_t *out_len,
                                                           dmboot_error *err);
/* Write the public key as SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC
 * KEY-----", what `openssl pkey -pubout` writes). */
DMBOOT_EXPORT dmboot_status dmboot_signing_key_public_pem(const dmboot_signing_key *k,
                                                          char *out, size_t out_cap,
                                                          size_t *out_len, dmboot_error *err);
/* The public half as its own handle (free it with dmboot_public_key_free). */
DMBOOT_EXPORT dmboot_status dmboot_signing_key_public(const dmboot_signing_key *k,
                                                      dmboot_public_key **out,
                                                      dmboot_error *err);
/* Frees and wipes the private key; accepts NULL. */
DMBOOT_EXPORT void dmboot_signing_key_free(dmboot_signing_key *k);

/* Read a SubjectPublicKeyInfo PEM public key (one block). A private key
 * is refused: trust lists hold public keys only. */
DMBOOT_EXPORT dmboot_status dmboot_public_key_from_pem(const char *pem, size_t pem_len,
                                                       dmboot_public_key **out,
                                                       dmboot_error *err);
/* Write it as PEM (out_cap of DMBOOT_PEM_MAX suffices). */
DMBOOT_EXPORT dmboot_status dmboot_public_key_pem(const dmboot_public_key *pk, char *out,
                                                  size_t out_cap, size_t *out_len,
                                                  dmboot_error *err);
/* The raw 32-byte public key (RFC 8032), e.g. to show a fingerprint. */
DMBOOT_EXPORT dmboot_status dmboot_public_key_raw(const dmboot_public_key *pk,
                                                  uint8_t raw[DMBOOT_ED25519_PUBLIC_LEN],
                                                  dmboot_error *err);
/* Another handle to the same (immutable) key. */
DMBOOT_EXPORT dmboot_status dmboot_public_key_copy(const dmboot_public_key *pk,
                                                   dmboot_public_key **out,
                                                   dmboot_error *err);
DMBOOT_EXPORT void dmboot_public_key_free(dmboot_public_key *pk);

/* ---- MAC and key check ---- */

/* The descriptor MAC key (spec §2.7, dmboot_kdf_mac_key) under the master
 * key. A batch key is refused (DMBOOT_ERR_KEY): the MAC key comes from the
 * master key, so a factory's batch key can neither make nor check a MAC.
 * When the descriptor carries key-check the key is checked first
 * (DMBOOT_ERR_KEY_MISMATCH). The caller wipes mac_key. */
DMBOOT_EXPORT dmboot_status dmboot_descriptor_mac_key(const dmboot_descriptor *d,
                                                      const uint8_t *key, size_t key_len,
                                                      dmboot_key_kind kind,
                                                      uint8_t mac_key[DMBOOT_MAC_LEN],
                                                      dmboot_error *err);
/* HMAC-SHA256 under the MAC key over the descriptor's signed bytes: the
 * value of its `mac` line. Master key only (a batch key: DMBOOT_ERR_KEY).
 * Checks key-check first, like every use of a key. */
DMBOOT_EXPORT dmboot_status dmboot_descriptor_mac(const dmboot_descriptor *d,
                                                  const uint8_t *key, size_t key_len,
                                                  dmboot_key_kind kind,
                                                  uint8_t mac[DMBOOT_MAC_LEN],
                                                  dmboot_error *err);

/* ---- signing ---- */

#define DMBOOT_SIGN_KEY_CHECK 0x1u /* add or update key-check (needs the key) */

/* New descriptor text: d's signed bytes, with key-check added or updated
 * (DMBOOT_SIGN_KEY_CHECK), then a `mac` line when a key is given and a
 * `signature` line when a signing key is given, each added or replaced.
 * An existing line this call does not make is kept as it is; if it would
 * no longer verify (key-check changed and no signing key for an existing
 * signature) the call fails with DMBOOT_ERR_BAD_SIGNATURE. Without
 * DMBOOT_SIGN_KEY_CHECK an existing key-check is compared first
 * (DMBOOT_ERR_KEY_MISMATCH). key may be NULL (key_len 0) or sk NULL, not
 * both. The key is the master key: a batch key cannot make a mac line
 * (DMBOOT_ERR_KEY). The result is parsed and verified before it is returned. Output
 * per the text convention; it is at most DMBOOT_DESCRIPTOR_MAX bytes. */
DMBOOT_EXPORT dmboot_status dmboot_descriptor_sign(const dmboot_descriptor *d,
                                                   const uint8_t *key, size_t key_len,
                                                   dmboot_key_kind kind,
                                                   const dmboot_signing_key *sk,
                                                   unsigned flags, char *out, size_t out_cap,
                                                   size_t *out_len, dmboot_error *err);

/* ---- verification ---- */

/* The checks (docs/authentication.md §3.1). They run signature, scope,
 * key-check, mac, validity: the scope, like the signature, needs no secret
 * and is settled before any key is used. */
typedef enum dmboot_check {
    DMBOOT_CHECK_SIGNATURE = 0, /* signature against the trusted issuer keys */
    DMBOOT_CHECK_KEY_CHECK = 1, /* key-check against the key */
    DMBOOT_CHECK_MAC = 2,       /* mac against the key */
    DMBOOT_CHECK_VALIDITY = 3,  /* not-before .. not-after against the time */
    DMBOOT_CHECK_SCOPE = 4      /* key-id and devid-match within the issuer's scope */
} dmboot_check;
#define DMBOOT_CHECK_COUNT 5

/* Bits of a `checked` mask: (1u << check). */
#define DMBOOT_CHECKED_SIGNATURE 0x1u
#define DMBOOT_CHECKED_KEY_CHECK 0x2u
#define DMBOOT_CHECKED_MAC 0x4u
#define DMBOOT_CHECKED_VALIDITY 0x8u
#define DMBOOT_CHECKED_SCOPE 0x10u

/* "signature", "key-check", "mac", "validity", "scope"; NULL for a bad value. */
DMBOOT_EXPORT const char *dmboot_check_name(dmboot_check check);

/* Verification policy flags (default 0: a mac or a signature must be
 * present and verify; validity is checked). */
#define DMBOOT_VERIFY_ALLOW_UNAUTHENTICATED 0x1u /* accept when neither mac nor
                                                    signature could be checked */
#define DMBOOT_VERIFY_IGNORE_VALIDITY 0x2u       /* skip not-before/not-after */
#define DMBOOT_VERIFY_REQUIRE_SIGNATURE 0x4u     /* the signature must be checked */
#define DMBOOT_VERIFY_REQUIRE_MAC 0x8u           /* the mac must be checked */
#define DMBOOT_VERIFY_ALL_FLAGS 0xfu

/* What a descriptor is verified against: a master or batch key (for
 * key-check and mac), trusted issuer public keys (for the signature), the
 * time (for validity) and policy flags. Configure it, then share it:
 * verification only reads it, so threads may use one verifier at once. */
typedef struct dmboot_verifier dmboot_verifier;

DMBOOT_EXPORT dmboot_status dmboot_verifier_new(dmboot_verifier **out, dmboot_error *err);
/* Frees and wipes the key; accepts NULL. */
DMBOOT_EXPORT void dmboot_verifier_free(dmboot_verifier *v);
/* Set the key (copied; NULL with key_len 0 removes it): a master key
 * (16..64 bytes) or a batch key (32 bytes). Both check key-check (a batch
 * key only for its own descriptor); only the master key checks the mac
 * line (with a batch key it is "not checked", so it never counts as
 * authentication). */
DMBOOT_EXPORT dmboot_status dmboot_verifier_set_key(dmboot_verifier *v, const uint8_t *key,
                                                    size_t key_len, dmboot_key_kind kind,
                                                    dmboot_error *err);
/* Select the master key by the descriptor's `key-id` from a keyring (a
 * copy is kept; NULL removes it) instead of one key: a descriptor without
 * key-id, or whose key-id is not in the keyring, fails the key-check check
 * with DMBOOT_ERR_UNKNOWN_KEY naming the key-id. Setting a keyring removes
 * the key of dmboot_verifier_set_key and setting a key removes the
 * keyring. */
DMBOOT_EXPORT dmboot_status dmboot_verifier_set_keyring(dmboot_verifier *v,
                                                        const dmboot_keyring *kr,
                                                        dmboot_error *err);
/* ---- trust file: issuer scopes (docs/authentication.md §6) ---- */

#define DMBOOT_TRUST_MAX 65536 /* bytes in a trust file */

/* The operator's trust file: each trusted issuer's public key, the
 * key-ids it may use and the DevID ranges (devid-match patterns) it may
 * claim. A malformed file is DMBOOT_ERR_SYNTAX with err->line set and a
 * message "line N: ..." (load: "trust file PATH: line N: ..."). */
typedef struct dmboot_trust dmboot_trust;
DMBOOT_EXPORT dmboot_status dmboot_trust_parse(const char *text, size_t text_len,
                                               dmboot_trust **out, dmboot_error *err);
DMBOOT_EXPORT dmboot_status dmboot_trust_load(const char *path, dmboot_trust **out,
                                              dmboot_error *err);
DMBOOT_EXPORT void dmboot_trust_free(dmboot_trust *t);
/* The number of issuers, and the i-th one's name (file order), or NULL. */
DMBOOT_EXPORT size_t dmboot_trust_count(const dmboot_trust *t);
DMBOOT_EXPORT const char *dmboot_trust_issuer(const dmboot_trust *t, size_t i);

/* Check every descriptor against a trust file (a copy is kept; NULL
 * removes it): its issuers' keys verify signatures (besides the issuer
 * keys added one by one), and the scope check requires that the issuer
 * (the one whose key verified the signature, else the one that lists the
 * descriptor's key-id) lists the descriptor's key-id and that every
 * devid-match pattern lies in one of its devid-ranges: otherwise
 * DMBOOT_ERR_SCOPE naming the issuer, the descriptor and the range or
 * key-id, whatever was verified before. */
DMBOOT_EXPORT dmboot_status dmboot_verifier_set_trust(dmboot_verifier *v, const dmboot_trust *t,
                                                      dmboot_error *err);
/* Trust one more issuer public key (PEM, see dmboot_public_key_from_pem).
 * A signature verifies when any trusted key verifies it. */
DMBOOT_EXPORT dmboot_status dmboot_verifier_add_issuer_key(dmboot_verifier *v,
                                                           const char *pem, size_t pem_len,
                                                           dmboot_error *err);
/* The same with a key handle (the verifier keeps its own reference). */
DMBOOT_EXPORT dmboot_status dmboot_verifier_add_public_key(dmboot_verifier *v,
                                                           const dmboot_public_key *pk,
                                                           dmboot_error *err);
/* Issuer keys are numbered 1..count in the order they were added. */
DMBOOT_EXPORT size_t dmboot_verifier_issuer_key_count(const dmboot_verifier *v);
/* Check validity at this time (Unix seconds, UTC) instead of the clock. */
DMBOOT_EXPORT void dmboot_verifier_set_time(dmboot_verifier *v, int64_t unix_seconds);
/* Back to the default: read the clock at each verification. */
DMBOOT_EXPORT void dmboot_verifier_use_clock(dmboot_verifier *v);
/* Replace the policy flags (DMBOOT_VERIFY_*); unknown bits are refused. */
DMBOOT_EXPORT dmboot_status dmboot_verifier_set_flags(dmboot_verifier *v, unsigned flags,
                                                      dmboot_error *err);
DMBOOT_EXPORT unsigned dmboot_verifier_flags(const dmboot_verifier *v);

/* Verify a descriptor: the checks run (signature, scope, key-check, mac,
 * validity), then the
 * policy. Returns DMBOOT_OK or the first failure in the order they run:
 * DMBOOT_ERR_BAD_SIGNATURE, DMBOOT_ERR_SCOPE (with a trust file),
 * DMBOOT_ERR_KEY_MISMATCH (DMBOOT_ERR_UNKNOWN_KEY with a keyring),
 * DMBOOT_ERR_BAD_MAC, DMBOOT_ERR_NOT_VALID_NOW, then
 * DMBOOT_ERR_UNAUTHENTICATED (the policy
 * was not met), with a message "<check> check failed for descriptor
 * '<id>': <reason>". A line that is present and can be checked must verify
 * whatever the flags. *checked (may be NULL) gets the DMBOOT_CHECKED_* bits
 * of the checks that ran and passed. */
DMBOOT_EXPORT dmboot_status dmboot_descriptor_verify(const dmboot_descriptor *d,
                                                     const dmboot_verifier *v,
                                                     unsigned *checked, dmboot_error *err);

/* Every check's outcome, for people: each note is "ok" or "ok (detail)",
 * "FAILED: reason", or "not checked (why)". */
typedef struct dmboot_verify_report {
    unsigned checked;  /* DMBOOT_CHECKED_* bits: ran and passed */
    unsigned failed;   /* DMBOOT_CHECKED_* bits: ran and failed */
    size_t issuer_key; /* 1-based number of the issuer key that verified the
                          signature; 0 when none did */
    int64_t at;        /* the time validity was checked at (Unix seconds) */
    char signature[DMBOOT_ERROR_MESSAGE_MAX];
    char key_check[DMBOOT_ERROR_MESSAGE_MAX];
    char mac[DMBOOT_ERROR_MESSAGE_MAX];
    char validity[DMBOOT_ERROR_MESSAGE_MAX];
    char scope[DMBOOT_ERROR_MESSAGE_MAX];
} dmboot_verify_report;

/* dmboot_descriptor_verify, filling a report: the same result and err. */
DMBOOT_EXPORT dmboot_status dmboot_descriptor_verify_report(const dmboot_descriptor *d,
                                                            const dmboot_verifier *v,
                                                            dmboot_verify_report *report,
                                                            dmboot_error *err);
/* A report's note for one check (NULL for a bad check). */
DMBOOT_EXPORT const char *dmboot_verify_report_note(const dmboot_verify_report *r,
                                                    dmboot_check check);

/* ---- registry ---- */

/* DMBOOT_OK when no DevID can match a devid-match pattern of both a and b
 * (spec §4.4), else DMBOOT_ERR_OVERLAP naming both descriptors and the two
 * patterns. */
DMBOOT_EXPORT dmboot_status dmboot_descriptor_check_overlap(const dmboot_descriptor *a,
                                                            const dmboot_descriptor *b,
                                                            dmboot_error *err);

/* A set of descriptors whose devid-match do not overlap: which one covers
 * a DevID? Read-only calls (count, at, find, lookup) may run in several
 * threads at once; add and load_dir need the registry to themselves. */
typedef struct dmboot_registry dmboot_registry;

DMBOOT_EXPORT dmboot_status dmboot_registry_new(dmboot_registry **out, dmboot_error *err);
DMBOOT_EXPORT void dmboot_registry_free(dmboot_registry *r);
/* Add a copy of d after verifying it with v (dmboot_descriptor_verify; v
 * NULL: no verification, for descriptors the caller verified). Refuses an
 * id already present and a devid-match that overlaps another descriptor's,
 * both with DMBOOT_ERR_OVERLAP naming both descriptors. */
DMBOOT_EXPORT dmboot_status dmboot_registry_add(dmboot_registry *r,
                                                const dmboot_descriptor *d,
                                                const dmboot_verifier *v, dmboot_error *err);
/* Add every file of dir whose name ends in ".desc" (not recursive; in
 * name order), each as dmboot_registry_add with v. All or nothing: on any
 * error (named with its file) the registry is left as it was. */
DMBOOT_EXPORT dmboot_status dmboot_registry_load_dir(dmboot_registry *r, const char *dir,
                                                     const dmboot_verifier *v,
                                                     dmboot_error *err);
/* Give the registry a keyring (a copy is kept; NULL removes it). Then a
 * descriptor is added only when its key-id is in the keyring
 * (DMBOOT_ERR_UNKNOWN_KEY naming the descriptor and the key-id), and the
 * server checks (dmboot_registry_check_*, dmboot/omadm.h) given no key use
 * the master key of the covering descriptor's key-id (reason
 * "unknown-key" when there is none). Set it before adding descriptors. */
DMBOOT_EXPORT dmboot_status dmboot_registry_set_keyring(dmboot_registry *r,
                                                        const dmboot_keyring *kr,
                                                        dmboot_error *err);
DMBOOT_EXPORT size_t dmboot_registry_count(const dmboot_registry *r);
/* The i-th descriptor (in the order added), or NULL; owned by the registry. */
DMBOOT_EXPORT const dmboot_descriptor *dmboot_registry_at(const dmboot_registry *r,
                                                          size_t i);
/* The file the i-th descriptor was loaded from, or NULL (added directly). */
DMBOOT_EXPORT const char *dmboot_registry_source(const dmboot_registry *r, size_t i);
/* The descriptor with this id, or NULL. */
DMBOOT_EXPORT const dmboot_descriptor *dmboot_registry_find(const dmboot_registry *r,
                                                            const char *id);
/* Which descriptor covers this DevID? The DevID is normalized with each
 * descriptor's devid-type and matched against its devid-match.
 * DMBOOT_ERR_NOT_FOUND when none covers it (the message gives the reason
 * when it is no well-formed DevID of any type in the registry);
 * DMBOOT_ERR_OVERLAP when two do (possible only for an opaque and a typed
 * descriptor, which read the same text differently). *found is owned by
 * the registry. The normalized DevID is written to out (NULL: not wanted;
 * out_cap of DMBOOT_DEVID_MAX + 1 suffices). */
DMBOOT_EXPORT dmboot_status dmboot_registry_lookup(const dmboot_registry *r,
                                                   const char *devid, size_t devid_len,
                                                   const dmboot_descriptor **found, char *out,
                                                   size_t out_cap, size_t *out_len,
                                                   dmboot_error *err);

#ifdef __cplusplus
}
#endif

#endif /* DMBOOT_AUTH_H */
