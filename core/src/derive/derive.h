/* Private definitions of the derivation layer: the parsed descriptor,
 * DevIDs, the KDF streams, field encoding. Not installed. */
#ifndef DMB_DERIVE_H
#define DMB_DERIVE_H

#include "common/common.h"
#include "dmboot/derive.h"

/* ---- descriptor model (descriptor.c fills it) ------------------------ */

typedef enum dmb_devid_type {
    DMB_DEVID_IMEI = 0,
    DMB_DEVID_MEID = 1,
    DMB_DEVID_ESN = 2,
    DMB_DEVID_OPAQUE = 3
} dmb_devid_type;

/* Parse "imei"/"meid"/"esn"/"opaque"; false if unknown. */
bool dmb_devid_type_parse(const char *name, dmb_devid_type *out);
const char *dmb_devid_type_name(dmb_devid_type t);
/* Normalize (devid.c); see dmboot_devid_normalize. out holds
 * DMBOOT_DEVID_MAX+1. */
dmboot_status dmb_devid_normalize(dmb_devid_type type, const char *in, size_t len,
                                  char out[DMBOOT_DEVID_MAX + 1], size_t *out_len,
                                  dmboot_error *err);
/* Does "d15" (15 digits) end with its Luhn check digit? */
bool dmb_imei_check_digit_ok(const char *d15);
/* The Luhn check digit (0..9) of the 14 digits at d14. */
int dmb_imei_check_digit(const char *d14);
/* The type prefix of a normalized DevID ("IMEI:", "MEID:", "ESN:"; opaque ""). */
const char *dmb_devid_prefix(dmb_devid_type t);
/* Length of the type prefix of a normalized DevID ("IMEI:" -> 5, opaque 0). */
size_t dmb_devid_prefix_len(dmb_devid_type t);
/* One byte for a message: 'x' when printable, "space", else \xHH. */
const char *dmb_show_char(unsigned char c, char buf[8]);

typedef enum dmb_rule_kind {
    DMB_RULE_ABSENT = 0, /* the descriptor leaves the field out */
    DMB_RULE_DEVID,      /* "devid" */
    DMB_RULE_TEMPLATE,   /* "template T" */
    DMB_RULE_BYTES,      /* "derive bytes N [enc]" */
    DMB_RULE_CHARS       /* "derive chars N (digits|alnum|alphabet CHARS)" */
} dmb_rule_kind;

typedef enum dmb_encoding {
    DMB_ENC_RAW = 0, /* nonces: binary */
    DMB_ENC_HEX,
    DMB_ENC_BASE64,
    DMB_ENC_BASE64URL
} dmb_encoding;

typedef struct dmb_rule {
    dmb_rule_kind kind;
    size_t count;            /* N: bytes or chars, 1..255 */
    dmb_encoding encoding;   /* DMB_RULE_BYTES */
    char alphabet[95];       /* DMB_RULE_CHARS, NUL-terminated */
    size_t alphabet_len;     /* 2..94 */
    const char *template_;   /* DMB_RULE_TEMPLATE: points into the descriptor */
} dmb_rule;

/* Field rule slots, indexed by dmboot_field - 1 (name .. server nonce). */
#define DMB_RULES 5

typedef struct dmb_entry {
    const char *key;   /* NUL-terminated, points into the descriptor's copy */
    const char *value; /* likewise */
    size_t line;       /* 1-based line number */
} dmb_entry;

typedef struct dmb_pattern {
    const char *text; /* without the trailing '*' */
    size_t len;
    bool prefix;      /* ended in '*' */
} dmb_pattern;

#define DMB_MAC_LEN 32
#define DMB_SIG_LEN 64

struct dmboot_descriptor {
    char *text;          /* the file's bytes, NUL-terminated copy */
    size_t text_len;
    size_t signed_len;   /* bytes before the first authentication line */
    char *store;         /* keys and values, NUL-separated (entries point here) */
    dmb_entry *entries;
    size_t entry_count;
    dmb_pattern *patterns; /* devid-match */
    size_t pattern_count;

    /* interpreted values (pointers into store) */
    const char *id;
    const char *server_id;
    dmboot_kdf kdf;
    dmb_devid_type devid_type;
    dmb_rule rules[DMB_RULES];
    int64_t not_before;  /* Unix seconds, start of that UTC day; INT64_MIN if absent */
    int64_t not_after;   /* Unix seconds, end of that UTC day (23:59:59); INT64_MAX */
    bool has_key_check;
    char key_check[9];
    bool has_mac;
    uint8_t mac[DMB_MAC_LEN];
    bool has_signature;
    uint8_t signature[DMB_SIG_LEN];
};

/* Does a normalized DevID match a descriptor's devid-match? */
bool dmb_descriptor_covers(const dmboot_descriptor *d, const char *devid, size_t len);

/* ---- KDF (kdf.c) ------------------------------------------------------- */

/* One field-stream generator keyed with a batch key; reused across
 * devices without allocating (its HMAC context is re-initialized per
 * block). */
typedef struct dmb_stream dmb_stream;
dmboot_status dmb_stream_new(dmboot_kdf kdf, const uint8_t bk[DMBOOT_BATCH_KEY_LEN],
                             dmb_stream **out, dmboot_error *err);
void dmb_stream_free(dmb_stream *s);
/* Fill out[0..n) with the stream for (label, sid, dev). n <= 8160. */
dmboot_status dmb_stream_read(dmb_stream *s, const char *label, size_t label_len,
                              const char *sid, size_t sid_len, const char *dev,
                              size_t dev_len, uint8_t *out, size_t n, dmboot_error *err);

/* The generic constructions under the stream, for the published vectors.
 * HKDF-Expand (RFC 5869 §2.3) with a PRK of any length, and SP 800-108
 * counter mode with a 32-bit counter before the fixed input data. */
dmboot_status dmb_hkdf_expand(const uint8_t *prk, size_t prk_len, const uint8_t *info,
                              size_t info_len, uint8_t *out, size_t n,
                              dmboot_error *err);
/* HKDF-Extract and SP 800-108 counter mode with a Label and a Context, both
 * from OpenSSL's EVP_KDF: what the batch key uses. */
dmboot_status dmb_hkdf_extract(const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                               size_t ikm_len, uint8_t prk[32], dmboot_error *err);
dmboot_status dmb_kbkdf_label_context(const uint8_t *key, size_t key_len,
                                      const uint8_t *label, size_t label_len,
                                      const uint8_t *context, size_t context_len,
                                      uint8_t *out, size_t n, dmboot_error *err);
dmboot_status dmb_kbkdf_counter(const uint8_t *key, size_t key_len, const uint8_t *fixed,
                                size_t fixed_len, uint8_t *out, size_t n,
                                dmboot_error *err);

/* ---- keys of a descriptor (deriver.c) --------------------------------- */

/* BK for d: derived from a master key, or a batch key copied after a length
 * check. Does not look at key-check. */
dmboot_status dmb_batch_key_for(const dmboot_descriptor *d, const uint8_t *key,
                                size_t key_len, dmboot_key_kind kind,
                                uint8_t bk[DMBOOT_BATCH_KEY_LEN], dmboot_error *err);
/* A field-stream generator keyed with d's BK (the batch key never leaves
 * this call; it is wiped). Does not look at key-check. */
dmboot_status dmb_key_stream(const dmboot_descriptor *d, const uint8_t *key, size_t key_len,
                             dmboot_key_kind kind, dmb_stream **out, dmboot_error *err);
/* The key check (8 hex digits and NUL) from a stream keyed with BK. */
dmboot_status dmb_key_check_with(const dmboot_descriptor *d, dmb_stream *s, char out[9],
                                 dmboot_error *err);
/* When d carries key-check, compare it with the stream's key check in
 * constant time: DMBOOT_ERR_KEY_MISMATCH naming the descriptor. OK when d
 * has no key-check. */
dmboot_status dmb_check_key(const dmboot_descriptor *d, dmb_stream *s, dmboot_key_kind kind,
                            dmboot_error *err);

/* ---- keyring (keyring.c) ----------------------------------------------- */

/* A valid key-id for a keyring: 1..DMBOOT_KEY_ID_MAX of [A-Za-z0-9._-],
 * not starting with '.'. */
bool dmb_key_id_ok(const char *id, size_t len);
/* The master key of a key-id, or NULL (key_len may be NULL). */
const uint8_t *dmb_keyring_lookup(const dmboot_keyring *kr, const char *key_id,
                                  size_t key_id_len, size_t *key_len);
/* A copy (verifiers and registries keep their own). */
dmboot_status dmb_keyring_copy(const dmboot_keyring *kr, dmboot_keyring **out,
                               dmboot_error *err);
/* "id1, id2, ..." for messages, or "(none)". */
void dmb_keyring_list(const dmboot_keyring *kr, char *out, size_t cap);

/* ---- field encoding (field_encode.c) ----------------------------------  */

/* Encode the first bytes of `stream` per a DMB_RULE_BYTES/CHARS rule into
 * out (NUL-terminated). *used gets how many stream bytes were consumed
 * (chars may reject some). Returns DMBOOT_ERR_BUFFER_TOO_SMALL if the
 * stream ran out (the caller then reads more). */
dmboot_status dmb_encode_field(const dmb_rule *rule, const uint8_t *stream,
                               size_t stream_len, uint8_t *out, size_t out_cap,
                               size_t *out_len, size_t *used);

#endif
