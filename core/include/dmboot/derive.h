/*
 * dmboot/derive.h: the derivation layer: keys, DevIDs, descriptors,
 * derivation of accounts and their JSON/CSV rows (docs/spec.md).
 * Part of the dmboot API; include <dmboot.h>, which includes every part.
 * The conventions of the whole API are in dmboot/common.h.
 */
#ifndef DMBOOT_DERIVE_H
#define DMBOOT_DERIVE_H

#include "dmboot/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Keys                                                                */
/* ------------------------------------------------------------------ */

#define DMBOOT_KEY_MIN 16       /* master key bytes */
#define DMBOOT_KEY_MAX 64
#define DMBOOT_BATCH_KEY_LEN 32 /* a batch key is exactly this long */

typedef enum dmboot_key_kind {
    DMBOOT_KEY_MASTER = 0, /* K: 16..64 bytes, derives every descriptor */
    DMBOOT_KEY_BATCH = 1   /* BK: 32 bytes, derives one descriptor */
} dmboot_key_kind;

/* Decode a key file's text: 32 to 128 hex digits (either case) on one line,
 * optionally followed by one LF or CRLF. Surrounding blanks are an error. On
 * success *key_len is the number of bytes (16..64). */
DMBOOT_EXPORT dmboot_status dmboot_key_decode(const char *text, size_t text_len,
                                              uint8_t *key, size_t key_cap,
                                              size_t *key_len, dmboot_error *err);

/* Read and decode a key file (see dmboot_key_decode). The file's bytes are
 * wiped from memory after decoding. As OpenSSH does for a private key, the
 * file is refused (DMBOOT_ERR_KEY, naming it) when the path is a symbolic
 * link, when it is not a regular file, or when its mode gives group or
 * others any access (mode & 077): `chmod 600` it. */
DMBOOT_EXPORT dmboot_status dmboot_key_load(const char *path, uint8_t *key,
                                            size_t key_cap, size_t *key_len,
                                            dmboot_error *err);

/* The same, from an open file descriptor (read to end of file, not closed). */
DMBOOT_EXPORT dmboot_status dmboot_key_read_fd(int fd, uint8_t *key, size_t key_cap,
                                               size_t *key_len, dmboot_error *err);

/* ---- keyring: master keys by key-id (docs/authentication.md §4.2) ---- */

#define DMBOOT_KEY_ID_MAX 64 /* key-id bytes in a keyring */

/* An operator's master keys, one per key-id (one per manufacturer): a
 * descriptor selects its key by its `key-id` line. Verifiers and registries
 * keep their own copy (dmboot_verifier_set_keyring,
 * dmboot_registry_set_keyring). Freeing wipes the keys. */
typedef struct dmboot_keyring dmboot_keyring;

DMBOOT_EXPORT dmboot_status dmboot_keyring_new(dmboot_keyring **out, dmboot_error *err);
DMBOOT_EXPORT void dmboot_keyring_free(dmboot_keyring *kr);
/* Add a master key (16..64 bytes, copied) under a key-id of 1 to
 * DMBOOT_KEY_ID_MAX of [A-Za-z0-9._-], not starting with '.'. A key-id
 * already in the keyring is refused (DMBOOT_ERR_KEY). */
DMBOOT_EXPORT dmboot_status dmboot_keyring_add(dmboot_keyring *kr, const char *key_id,
                                               size_t key_id_len, const uint8_t *key,
                                               size_t key_len, dmboot_error *err);
/* Add every DIR/<key-id>.key (not recursive; names starting with '.' and
 * not ending in ".key" are skipped), each read by dmboot_key_load, so a
 * symbolic link or a file group or others may access is refused, naming
 * it. A directory without key files, a bad name or a bad file fails the
 * whole load (the keyring is left as it was). */
DMBOOT_EXPORT dmboot_status dmboot_keyring_load_dir(dmboot_keyring *kr, const char *dir,
                                                    dmboot_error *err);
DMBOOT_EXPORT size_t dmboot_keyring_count(const dmboot_keyring *kr);
/* The i-th key-id (in the order added), or NULL. */
DMBOOT_EXPORT const char *dmboot_keyring_key_id(const dmboot_keyring *kr, size_t i);
/* Copy out the master key of a key-id (key_cap of DMBOOT_KEY_MAX
 * suffices; the caller wipes it): DMBOOT_ERR_UNKNOWN_KEY naming the key-id
 * and the keyring's key-ids when it has none. */
DMBOOT_EXPORT dmboot_status dmboot_keyring_get(const dmboot_keyring *kr, const char *key_id,
                                               size_t key_id_len, uint8_t *key,
                                               size_t key_cap, size_t *key_len,
                                               dmboot_error *err);

/* Fill key[0..key_len) from the OpenSSL CSPRNG (key_len 16..64). */
DMBOOT_EXPORT dmboot_status dmboot_key_generate(uint8_t *key, size_t key_len,
                                                dmboot_error *err);

/* ------------------------------------------------------------------ */
/* DevID                                                               */
/* ------------------------------------------------------------------ */

#define DMBOOT_DEVID_MAX 128 /* longest normalized DevID, without NUL */

/* Normalize a DevID of the given type ("imei", "meid", "esn", "opaque"):
 *   imei   15 digits with a valid Luhn check digit; optional "IMEI:" prefix
 *          in any case; '-' and ' ' separators      -> "IMEI:" + 15 digits
 *   meid   14 hex digits, optional "MEID:" prefix   -> "MEID:" + uppercase
 *   esn    8 hex digits, optional "ESN:" prefix     -> "ESN:" + uppercase
 *   opaque 1..128 printable ASCII, no spaces        -> unchanged
 * Errors (DMBOOT_ERR_DEVID) say what is wrong: length, character, check digit.
 * out_cap of DMBOOT_DEVID_MAX + 1 always suffices. */
DMBOOT_EXPORT dmboot_status dmboot_devid_normalize(const char *type,
                                                   const char *text, size_t text_len,
                                                   char *out, size_t out_cap,
                                                   size_t *out_len, dmboot_error *err);

/* ------------------------------------------------------------------ */
/* Descriptor                                                          */
/* ------------------------------------------------------------------ */

#define DMBOOT_DESCRIPTOR_MAX 65536 /* bytes in a descriptor file */
#define DMBOOT_LINE_MAX 1024        /* bytes in a line, without its LF */

typedef struct dmboot_descriptor dmboot_descriptor;

/* Parse and validate a descriptor (the whole grammar of docs/spec.md).
 * Errors are DMBOOT_ERR_DESCRIPTOR with err->line set. Authentication lines
 * are parsed and kept, not checked. */
DMBOOT_EXPORT dmboot_status dmboot_descriptor_parse(const char *text, size_t text_len,
                                                    dmboot_descriptor **out,
                                                    dmboot_error *err);

/* Read a file (at most DMBOOT_DESCRIPTOR_MAX bytes) and parse it. */
DMBOOT_EXPORT dmboot_status dmboot_descriptor_load(const char *path,
                                                   dmboot_descriptor **out,
                                                   dmboot_error *err);

DMBOOT_EXPORT void dmboot_descriptor_free(dmboot_descriptor *d);

/* The value of a key as written in the file ("id", "server-addr", "x-foo",
 * "mac", ...), or NULL when the file does not have it. Defaults are not
 * filled in here: "kdf" is NULL when the file leaves it out. */
DMBOOT_EXPORT const char *dmboot_descriptor_get(const dmboot_descriptor *d,
                                                const char *key);

/* Number of key/value lines, and the i-th one in file order (0-based). */
DMBOOT_EXPORT size_t dmboot_descriptor_count(const dmboot_descriptor *d);
DMBOOT_EXPORT dmboot_status dmboot_descriptor_entry(const dmboot_descriptor *d, size_t i,
                                                    const char **key,
                                                    const char **value);

/* The file's exact bytes, and how many of them the authentication lines
 * cover (everything before the first `mac` or `signature` line). */
DMBOOT_EXPORT const char *dmboot_descriptor_text(const dmboot_descriptor *d,
                                                 size_t *text_len);
DMBOOT_EXPORT size_t dmboot_descriptor_signed_length(const dmboot_descriptor *d);

/* Normalize a DevID with the descriptor's devid-type and check it against
 * its devid-match: DMBOOT_ERR_DEVID when malformed, DMBOOT_ERR_NOT_COVERED
 * when outside. The normalized form is written to out (may be NULL). */
DMBOOT_EXPORT dmboot_status dmboot_descriptor_match(const dmboot_descriptor *d,
                                                    const char *devid, size_t devid_len,
                                                    char *out, size_t out_cap,
                                                    size_t *out_len, dmboot_error *err);

/* ------------------------------------------------------------------ */
/* Derivation                                                          */
/* ------------------------------------------------------------------ */

typedef enum dmboot_kdf {
    DMBOOT_KDF_HKDF_SHA256 = 0,      /* "hkdf-sha256" (the default) */
    DMBOOT_KDF_KBKDF_HMAC_SHA256 = 1 /* "kbkdf-hmac-sha256" */
} dmboot_kdf;

#define DMBOOT_STREAM_MAX 8160 /* bytes a field stream can give */

/* The batch key BK of descriptor id `id` under master key K (spec §3). */
DMBOOT_EXPORT dmboot_status dmboot_kdf_batch_key(dmboot_kdf kdf,
                                                 const uint8_t *key, size_t key_len,
                                                 const char *id, size_t id_len,
                                                 uint8_t batch_key[DMBOOT_BATCH_KEY_LEN],
                                                 dmboot_error *err);

#define DMBOOT_MAC_KEY_LEN 32 /* the descriptor MAC key */

/* The descriptor MAC key of descriptor `id` under master key K (spec §2.7):
 * the batch key's construction with the label "dmboot/1/descriptor-mac"
 * instead of "dmboot/1". It comes from K only, so a batch key (what a
 * factory holds) can neither make nor check a descriptor MAC. The caller
 * wipes mac_key. */
DMBOOT_EXPORT dmboot_status dmboot_kdf_mac_key(dmboot_kdf kdf,
                                               const uint8_t *key, size_t key_len,
                                               const char *id, size_t id_len,
                                               uint8_t mac_key[DMBOOT_MAC_KEY_LEN],
                                               dmboot_error *err);

/* The first out_len (<= DMBOOT_STREAM_MAX) bytes of the field stream for
 * (label, server id, DevID) under batch key BK (spec §3). */
DMBOOT_EXPORT dmboot_status dmboot_kdf_stream(dmboot_kdf kdf,
                                              const uint8_t batch_key[DMBOOT_BATCH_KEY_LEN],
                                              const char *label, size_t label_len,
                                              const char *server_id, size_t server_id_len,
                                              const char *devid, size_t devid_len,
                                              uint8_t *out, size_t out_len,
                                              dmboot_error *err);

/* The batch key of a descriptor under a master key (to hand to a factory).
 * When the descriptor carries key-check the key is checked first:
 * DMBOOT_ERR_KEY_MISMATCH, and batch_key is left zeroed. */
DMBOOT_EXPORT dmboot_status dmboot_descriptor_batch_key(const dmboot_descriptor *d,
                                                        const uint8_t *key, size_t key_len,
                                                        uint8_t batch_key[DMBOOT_BATCH_KEY_LEN],
                                                        dmboot_error *err);

/* The key check of a descriptor under a master or batch key: 8 lowercase
 * hex digits and a NUL. Computing it never compares with `key-check`. */
DMBOOT_EXPORT dmboot_status dmboot_descriptor_key_check(const dmboot_descriptor *d,
                                                        const uint8_t *key, size_t key_len,
                                                        dmboot_key_kind kind,
                                                        char out[9], dmboot_error *err);

/* The derived values of one device. */
typedef enum dmboot_field {
    DMBOOT_FIELD_DEVID = 0,         /* normalized DevID, always present */
    DMBOOT_FIELD_NAME = 1,          /* text */
    DMBOOT_FIELD_CLIENT_SECRET = 2, /* text */
    DMBOOT_FIELD_SERVER_SECRET = 3, /* text */
    DMBOOT_FIELD_CLIENT_NONCE = 4,  /* bytes */
    DMBOOT_FIELD_SERVER_NONCE = 5   /* bytes */
} dmboot_field;

#define DMBOOT_FIELD_COUNT 6
#define DMBOOT_VALUE_MAX 512 /* longest value of any field, without NUL */

/* "devid", "name", "client_secret", "server_secret", "client_nonce",
 * "server_nonce" (the JSON/CSV names), or NULL for a bad field. */
DMBOOT_EXPORT const char *dmboot_field_name(dmboot_field field);

typedef struct dmboot_account dmboot_account;

/* An account holds its values in fixed buffers: allocate one, reuse it for
 * every device. Freeing wipes it. */
DMBOOT_EXPORT dmboot_status dmboot_account_new(dmboot_account **out, dmboot_error *err);
DMBOOT_EXPORT void dmboot_account_free(dmboot_account *acc);
/* Wipe the values (the account stays usable). */
DMBOOT_EXPORT void dmboot_account_clear(dmboot_account *acc);

/* A field's value: 1 and (*value, *value_len) when present, 0 when the
 * descriptor leaves the field out. Values are NUL-terminated (nonces too,
 * for convenience; they may hold NUL bytes). The pointer stays valid until
 * the account is changed or freed. */
DMBOOT_EXPORT int dmboot_account_get(const dmboot_account *acc, dmboot_field field,
                                     const uint8_t **value, size_t *value_len);

typedef struct dmboot_deriver dmboot_deriver;

/* Prepare derivation for one descriptor with a master key (K, 16..64
 * bytes) or a batch key (BK, 32 bytes). When the descriptor carries
 * key-check, the key is checked here: DMBOOT_ERR_KEY_MISMATCH on a wrong
 * key. The deriver keeps its own copy of what it needs from d. */
DMBOOT_EXPORT dmboot_status dmboot_deriver_new(const dmboot_descriptor *d,
                                               const uint8_t *key, size_t key_len,
                                               dmboot_key_kind kind,
                                               dmboot_deriver **out, dmboot_error *err);
DMBOOT_EXPORT void dmboot_deriver_free(dmboot_deriver *dv);

/* Derive one device's account. The DevID is normalized with the
 * descriptor's devid-type and must be covered by its devid-match. Does not
 * allocate; on error the account is cleared. */
DMBOOT_EXPORT dmboot_status dmboot_derive(dmboot_deriver *dv,
                                          const char *devid, size_t devid_len,
                                          dmboot_account *acc, dmboot_error *err);

/* ------------------------------------------------------------------ */
/* Serialization of accounts                                           */
/* ------------------------------------------------------------------ */

typedef enum dmboot_format {
    DMBOOT_FORMAT_JSON = 0, /* one JSON object and a LF (a JSON Lines row) */
    DMBOOT_FORMAT_CSV = 1   /* one CSV row and a LF, columns as the header */
} dmboot_format;

#define DMBOOT_ROW_MAX 8192 /* longest JSON or CSV row */

/* The CSV header row, with its LF:
 * "devid,name,client_secret,server_secret,client_nonce,server_nonce\n". */
DMBOOT_EXPORT const char *dmboot_csv_header(void);

/* Serialize an account as one row. Nonces are base64; absent fields are
 * left out of JSON and empty in CSV. */
DMBOOT_EXPORT dmboot_status dmboot_account_format(const dmboot_account *acc,
                                                  dmboot_format format,
                                                  char *out, size_t out_cap,
                                                  size_t *out_len, dmboot_error *err);

#ifdef __cplusplus
}
#endif

#endif /* DMBOOT_DERIVE_H */
