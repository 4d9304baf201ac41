/*
 * dmboot: OMA DM factory bootstrap — descriptors, derivation, credentials.
 *
 * Conventions (the whole API follows them):
 *  - Every function that can fail returns a dmboot_status and takes, last,
 *    an optional `dmboot_error *err` (NULL is fine) that receives the code,
 *    a line number where one applies, and a message a person can act on.
 *  - Inputs carry explicit lengths: (const char *text, size_t text_len) for
 *    text, (const uint8_t *data, size_t data_len) for bytes.
 *  - Text outputs go to caller buffers (char *out, size_t out_cap,
 *    size_t *out_len): the text is NUL-terminated and *out_len excludes the
 *    NUL. When out_cap is too small the call returns
 *    DMBOOT_ERR_BUFFER_TOO_SMALL, writes nothing, and sets *out_len to the
 *    length needed (without the NUL). The DMBOOT_*_MAX macros bound them.
 *  - Handles are opaque; each has a _free() that wipes secrets and accepts
 *    NULL. Descriptors are immutable after parsing and may be shared
 *    between threads; a deriver or an account belongs to one thread at a
 *    time. There is no global mutable state (the WBXML functions load a
 *    library once per process, thread-safely, and only read it after).
 *  - Exception: the WBXML conversions, whose output has no useful bound,
 *    allocate it; dmboot_free() wipes and releases it.
 */
#ifndef DMBOOT_H
#define DMBOOT_H

#include <stddef.h>
#include <stdint.h>

#include "dmboot_export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DMBOOT_VERSION_MAJOR 0
#define DMBOOT_VERSION_MINOR 1
#define DMBOOT_VERSION_PATCH 0
#define DMBOOT_VERSION_STRING "0.1.0"

/* The library's version string, e.g. "0.1.0". */
DMBOOT_EXPORT const char *dmboot_version(void);

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

typedef enum dmboot_status {
    DMBOOT_OK = 0,
    DMBOOT_ERR_INVALID_ARGUMENT = 1, /* NULL pointer, bad size: a caller bug */
    DMBOOT_ERR_NO_MEMORY = 2,
    DMBOOT_ERR_IO = 3,               /* a file could not be read or written */
    DMBOOT_ERR_DESCRIPTOR = 4,       /* a descriptor breaks the format */
    DMBOOT_ERR_DEVID = 5,            /* a DevID is malformed */
    DMBOOT_ERR_NOT_COVERED = 6,      /* DevID outside a descriptor's devid-match */
    DMBOOT_ERR_KEY = 7,              /* a key is malformed (length, hex, PEM) */
    DMBOOT_ERR_KEY_MISMATCH = 8,     /* a key fails the descriptor's key-check */
    DMBOOT_ERR_BAD_MAC = 9,          /* the descriptor MAC does not verify */
    DMBOOT_ERR_BAD_SIGNATURE = 10,   /* no trusted issuer key verifies the signature */
    DMBOOT_ERR_UNAUTHENTICATED = 11, /* nothing that was asked for could be checked */
    DMBOOT_ERR_NOT_VALID_NOW = 12,   /* outside not-before .. not-after */
    DMBOOT_ERR_OVERLAP = 13,         /* devid-match overlaps another descriptor's */
    DMBOOT_ERR_NOT_FOUND = 14,       /* no descriptor covers the DevID */
    DMBOOT_ERR_AUTH_FAILED = 15,     /* a client or server credential is wrong */
    DMBOOT_ERR_SYNTAX = 16,          /* malformed header, message, date, ... */
    DMBOOT_ERR_BUFFER_TOO_SMALL = 17,
    DMBOOT_ERR_UNSUPPORTED = 18,     /* a feature this build or system lacks */
    DMBOOT_ERR_CRYPTO = 19           /* OpenSSL failed unexpectedly */
} dmboot_status;

/* A short, static, English description of a status ("descriptor is invalid"). */
DMBOOT_EXPORT const char *dmboot_strerror(dmboot_status status);

#define DMBOOT_ERROR_MESSAGE_MAX 320

/* Error detail, owned by the caller. `message` is complete on its own: for
 * descriptor errors it starts with "line N: ". `line` is 1-based, 0 when
 * no line applies. */
typedef struct dmboot_error {
    dmboot_status status;
    size_t line;
    char message[DMBOOT_ERROR_MESSAGE_MAX];
} dmboot_error;

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
 * wiped from memory after decoding. */
DMBOOT_EXPORT dmboot_status dmboot_key_load(const char *path, uint8_t *key,
                                            size_t key_cap, size_t *key_len,
                                            dmboot_error *err);

/* The same, from an open file descriptor (read to end of file, not closed). */
DMBOOT_EXPORT dmboot_status dmboot_key_read_fd(int fd, uint8_t *key, size_t key_cap,
                                               size_t *key_len, dmboot_error *err);

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

/* ------------------------------------------------------------------ */
/* OMA DM credentials                                                  */
/* ------------------------------------------------------------------ */

/* The credentials of OMA DM Security (docs/omadm.md §1), with H = MD5 and
 * B64 = base64 (RFC 4648 §4, padded):
 *   syncml:auth-basic  B64(name ":" secret)
 *   syncml:auth-md5    B64(H(B64(H(name ":" secret)) ":" nonce))
 *   HMAC (x-syncml-hmac transport header)
 *                      B64(H(B64(H(name ":" secret)) ":" nonce ":" B64(H(body))))
 * The nonce is bytes (the decoded NextNonce / AAuthData), not its base64. */
typedef enum dmboot_cred_type {
    DMBOOT_CRED_BASIC = 0, /* syncml:auth-basic (AAuthType BASIC) */
    DMBOOT_CRED_MD5 = 1,   /* syncml:auth-md5 (AAuthType DIGEST) */
    DMBOOT_CRED_HMAC = 2   /* syncml:auth-MAC, the x-syncml-hmac header (AAuthType HMAC) */
} dmboot_cred_type;

#define DMBOOT_AUTH_TEXT_MAX 1024 /* longest user name or secret, in bytes */
#define DMBOOT_CRED_MAX 2732      /* longest credential (basic), without NUL */
#define DMBOOT_CRED_MD5_LEN 24    /* an md5 credential or an HMAC mac */
#define DMBOOT_NONCE_MIN 8        /* nonce bytes dmboot_nonce_generate makes */
#define DMBOOT_NONCE_MAX 255
#define DMBOOT_NONCE_DEFAULT 16

/* "syncml:auth-basic", "syncml:auth-md5", "syncml:auth-MAC" (the Meta/Type
 * names), or NULL for a bad value. */
DMBOOT_EXPORT const char *dmboot_cred_type_name(dmboot_cred_type type);

/* The type for a Meta/Type text: the three names above in any case, and
 * "x-syncml-hmac" for HMAC. DMBOOT_ERR_UNSUPPORTED for anything else. */
DMBOOT_EXPORT dmboot_status dmboot_cred_type_parse(const char *text, size_t text_len,
                                                   dmboot_cred_type *out,
                                                   dmboot_error *err);

/* Compute a credential of any type. name and secret are bytes (UTF-8 is
 * fine), at most DMBOOT_AUTH_TEXT_MAX each; names may hold ':'. The
 * nonce is used by md5 and HMAC, the body by HMAC only (others ignore
 * them; NULL with length 0 is an empty one). The value is base64:
 * DMBOOT_CRED_MD5_LEN characters for md5 and HMAC, at most DMBOOT_CRED_MAX
 * for basic. */
DMBOOT_EXPORT dmboot_status dmboot_auth_compute(dmboot_cred_type type,
                                                const char *name, size_t name_len,
                                                const char *secret, size_t secret_len,
                                                const uint8_t *nonce, size_t nonce_len,
                                                const uint8_t *body, size_t body_len,
                                                char *out, size_t out_cap,
                                                size_t *out_len, dmboot_error *err);

/* The same, one type each: the Cred/Data of syncml:auth-basic and
 * syncml:auth-md5, and the mac of the x-syncml-hmac header. */
DMBOOT_EXPORT dmboot_status dmboot_auth_basic(const char *name, size_t name_len,
                                              const char *secret, size_t secret_len,
                                              char *out, size_t out_cap, size_t *out_len,
                                              dmboot_error *err);
DMBOOT_EXPORT dmboot_status dmboot_auth_md5(const char *name, size_t name_len,
                                            const char *secret, size_t secret_len,
                                            const uint8_t *nonce, size_t nonce_len,
                                            char *out, size_t out_cap, size_t *out_len,
                                            dmboot_error *err);
DMBOOT_EXPORT dmboot_status dmboot_auth_hmac(const char *name, size_t name_len,
                                             const char *secret, size_t secret_len,
                                             const uint8_t *nonce, size_t nonce_len,
                                             const uint8_t *body, size_t body_len,
                                             char *out, size_t out_cap, size_t *out_len,
                                             dmboot_error *err);

/* Check a received credential (value, as sent: base64) by recomputing it
 * and comparing in constant time. DMBOOT_OK when it matches,
 * DMBOOT_ERR_AUTH_FAILED (with what may be wrong) when not. */
DMBOOT_EXPORT dmboot_status dmboot_auth_verify(dmboot_cred_type type,
                                               const char *name, size_t name_len,
                                               const char *secret, size_t secret_len,
                                               const uint8_t *nonce, size_t nonce_len,
                                               const uint8_t *body, size_t body_len,
                                               const char *value, size_t value_len,
                                               dmboot_error *err);

/* A fresh nonce (a server's NextNonce) of nonce_len bytes
 * (DMBOOT_NONCE_MIN..DMBOOT_NONCE_MAX) from the OpenSSL CSPRNG. */
DMBOOT_EXPORT dmboot_status dmboot_nonce_generate(uint8_t *nonce, size_t nonce_len,
                                                  dmboot_error *err);
/* The same, written as base64 text (what goes into <NextNonce>). */
DMBOOT_EXPORT dmboot_status dmboot_nonce_generate_b64(size_t nonce_len, char *out,
                                                      size_t out_cap, size_t *out_len,
                                                      dmboot_error *err);

/* Decode base64 text (RFC 4648 §4, padded, canonical: what a Cred's
 * Data, a NextNonce and a TNDS AAuthData hold) into bytes, for a client
 * that must turn a NextNonce back into the nonce. DMBOOT_ERR_SYNTAX for
 * any other text (a bad character, length or padding). */
DMBOOT_EXPORT dmboot_status dmboot_base64_decode(const char *text, size_t text_len,
                                                 uint8_t *out, size_t out_cap,
                                                 size_t *out_len, dmboot_error *err);

/* The x-syncml-hmac header value. */
#define DMBOOT_HMAC_MAC_MAX 128 /* longest mac accepted when parsing */
#define DMBOOT_HMAC_HEADER_MAX (32 + 2 * DMBOOT_AUTH_TEXT_MAX + DMBOOT_HMAC_MAC_MAX)

/* Format `algorithm=MD5, username="NAME", mac=MAC` (without the field
 * name). '"' and '\' in NAME are escaped with '\'; a NAME with a control
 * character (CR, LF, ...) is refused, so it cannot inject a header. */
DMBOOT_EXPORT dmboot_status dmboot_hmac_header_format(const char *name, size_t name_len,
                                                      const char *mac, size_t mac_len,
                                                      char *out, size_t out_cap,
                                                      size_t *out_len, dmboot_error *err);

/* A parsed header value. Strings are NUL-terminated. */
typedef struct dmboot_hmac_header {
    char algorithm[16];                      /* always "MD5" after a parse */
    char username[DMBOOT_AUTH_TEXT_MAX + 1]; /* unquoted and unescaped */
    size_t username_len;
    char mac[DMBOOT_HMAC_MAC_MAX + 1];
    size_t mac_len;
} dmboot_hmac_header;

/* Parse a header value, leniently as HTTP goes: values quoted (with '\'
 * escapes) or bare; blanks around ',' and '='; parameter names in any case;
 * empty list elements and unknown parameters skipped; a leading
 * "x-syncml-hmac:" and a trailing CRLF tolerated. The algorithm defaults to
 * MD5 when absent. DMBOOT_ERR_SYNTAX, naming the problem and its position,
 * for: a missing username or mac, a parameter given twice, an algorithm
 * other than MD5, a control character, or a malformed list. */
DMBOOT_EXPORT dmboot_status dmboot_hmac_header_parse(const char *text, size_t text_len,
                                                     dmboot_hmac_header *out,
                                                     dmboot_error *err);

/* ------------------------------------------------------------------ */
/* Bootstrap documents                                                 */
/* ------------------------------------------------------------------ */

/* A derived account as the document a DM client is bootstrapped with
 * (docs/omadm.md §2, §3), with exactly the account's values: */
typedef enum dmboot_document_type {
    DMBOOT_DOCUMENT_TNDS = 0, /* OMA DM 1.2+ TNDS XML holding ./DMAcc/<x> */
    DMBOOT_DOCUMENT_W7 = 1    /* OMA Client Provisioning wap-provisioningdoc, w7 */
} dmboot_document_type;

#define DMBOOT_DOCUMENT_MAX 65536  /* longest document, without NUL */
#define DMBOOT_DMACC_NODE_MAX 64   /* longest ./DMAcc/<x> node name */
#define DMBOOT_DEVID_FILENAME_MAX (3 * DMBOOT_DEVID_MAX) /* without suffix */

/* "application/vnd.syncml.dmtnds+xml" or "text/vnd.wap.connectivity-xml",
 * NULL for a bad type. */
DMBOOT_EXPORT const char *dmboot_document_media_type(dmboot_document_type type);

/* Write the document of account acc (derived from d). UTF-8 XML, LF line
 * ends, every value escaped; fields the descriptor leaves out are left
 * out. The port is server-addr's, or 80/443 for http/https.
 * DMBOOT_ERR_DESCRIPTOR if server-addr has a bad port. */
DMBOOT_EXPORT dmboot_status dmboot_document_format(const dmboot_descriptor *d,
                                                   const dmboot_account *acc,
                                                   dmboot_document_type type,
                                                   char *out, size_t out_cap,
                                                   size_t *out_len, dmboot_error *err);

/* The <x> of ./DMAcc/<x> for descriptor d: its server-id with each
 * character other than [A-Za-z0-9._-] (and a leading '.') replaced by '_',
 * cut at DMBOOT_DMACC_NODE_MAX characters. */
DMBOOT_EXPORT dmboot_status dmboot_document_dmacc_node(const dmboot_descriptor *d,
                                                       char out[DMBOOT_DMACC_NODE_MAX + 1],
                                                       dmboot_error *err);

/* A safe, one-to-one file name for a (normalized) DevID, then suffix (e.g.
 * ".xml"; NULL for none): letters, digits, '-' and '.' (not first) stay,
 * ':' becomes '_', any other byte (and '_') becomes %XX. So
 * "IMEI:490154203237518" gives "IMEI_490154203237518.xml". */
DMBOOT_EXPORT dmboot_status dmboot_devid_filename(const char *devid, size_t devid_len,
                                                  const char *suffix, char *out,
                                                  size_t out_cap, size_t *out_len,
                                                  dmboot_error *err);

/* ------------------------------------------------------------------ */
/* SyncML DM messages                                                  */
/* ------------------------------------------------------------------ */

/* The header of a SyncML DM package (application/vnd.syncml.dm+xml), read
 * by a small strict XML reader of dmboot's own (docs/omadm.md §4): the
 * document must be well-formed UTF-8 XML with root <SyncML>, <SyncHdr>
 * then <SyncBody>. Namespaces (xmlns='SYNCML:SYNCML1.2', <Type
 * xmlns='syncml:metinf'>, prefixes) are matched by local name; entity and
 * character references and CDATA are decoded. A DOCTYPE with an internal
 * subset (entity declarations), any other entity, and nesting deeper than
 * 64 elements are refused; nothing outside the buffer is ever loaded. */
typedef struct dmboot_syncml dmboot_syncml;

typedef enum dmboot_syncml_field {
    DMBOOT_SYNCML_VERDTD = 0,      /* SyncHdr/VerDTD, e.g. "1.2" (required) */
    DMBOOT_SYNCML_VERPROTO,        /* SyncHdr/VerProto, e.g. "DM/1.2" (required) */
    DMBOOT_SYNCML_SESSIONID,       /* SyncHdr/SessionID (required) */
    DMBOOT_SYNCML_MSGID,           /* SyncHdr/MsgID (required) */
    DMBOOT_SYNCML_TARGET_LOCURI,   /* SyncHdr/Target/LocURI: the server (required) */
    DMBOOT_SYNCML_TARGET_LOCNAME,  /* SyncHdr/Target/LocName */
    DMBOOT_SYNCML_SOURCE_LOCURI,   /* SyncHdr/Source/LocURI: the DevID (required) */
    DMBOOT_SYNCML_SOURCE_LOCNAME,  /* SyncHdr/Source/LocName: the md5 user name */
    DMBOOT_SYNCML_RESPURI,         /* SyncHdr/RespURI */
    DMBOOT_SYNCML_CRED_TYPE,       /* SyncHdr/Cred/Meta/Type, e.g. "syncml:auth-md5" */
    DMBOOT_SYNCML_CRED_FORMAT,     /* SyncHdr/Cred/Meta/Format, e.g. "b64" */
    DMBOOT_SYNCML_CRED_DATA,       /* SyncHdr/Cred/Data */
    DMBOOT_SYNCML_MAXMSGSIZE,      /* SyncHdr/Meta/MaxMsgSize */
    DMBOOT_SYNCML_MAXOBJSIZE,      /* SyncHdr/Meta/MaxObjSize */
    DMBOOT_SYNCML_ALERT_CODE       /* SyncBody: Data of the first Alert, e.g. "1201" */
} dmboot_syncml_field;

#define DMBOOT_SYNCML_FIELD_COUNT 15
#define DMBOOT_SYNCML_VALUE_MAX 4096 /* longest value kept, in bytes */

/* Parse a package. Errors are DMBOOT_ERR_SYNTAX with err->line set and a
 * message that names the problem ("line 4: <SyncHdr> has no <MsgID>").
 * Values are the element's decoded text without surrounding blanks. */
DMBOOT_EXPORT dmboot_status dmboot_syncml_parse(const char *xml, size_t xml_len,
                                                dmboot_syncml **out, dmboot_error *err);
/* Free (Cred/Data is wiped). NULL is fine. */
DMBOOT_EXPORT void dmboot_syncml_free(dmboot_syncml *m);

/* A value (NUL-terminated; *len without the NUL, may be NULL), or NULL
 * when the package does not have it. */
DMBOOT_EXPORT const char *dmboot_syncml_get(const dmboot_syncml *m,
                                            dmboot_syncml_field field, size_t *len);
/* "VerDTD", "Source/LocURI", "Cred/Meta/Type", ... or NULL for a bad field. */
DMBOOT_EXPORT const char *dmboot_syncml_field_name(dmboot_syncml_field field);

/* 1 when the header has <NoResp/>, when the body has <Final/>. */
DMBOOT_EXPORT int dmboot_syncml_no_resp(const dmboot_syncml *m);
DMBOOT_EXPORT int dmboot_syncml_final(const dmboot_syncml *m);
/* The commands directly in SyncBody, in order ("Alert", "Replace",
 * "Status", "Results", ...; <Final/> is not one). */
DMBOOT_EXPORT size_t dmboot_syncml_command_count(const dmboot_syncml *m);
DMBOOT_EXPORT const char *dmboot_syncml_command(const dmboot_syncml *m, size_t i);
/* How many commands of that name SyncBody has ("Alert", ...). */
DMBOOT_EXPORT size_t dmboot_syncml_count(const dmboot_syncml *m, const char *command);

/* ------------------------------------------------------------------ */
/* Authentication (docs/authentication.md)                             */
/* ------------------------------------------------------------------ */

#define DMBOOT_MAC_LEN 32            /* HMAC-SHA256 */
#define DMBOOT_ED25519_PUBLIC_LEN 32 /* raw Ed25519 public key */
#define DMBOOT_PEM_MAX 1024          /* out_cap that always holds a PEM key */

/* ---- times ---- */

/* Parse a time for verification: a date "YYYY-MM-DD" (00:00:00 UTC that
 * day) or an RFC 3339 date-time "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)"
 * (fractions are dropped). DMBOOT_ERR_SYNTAX names the problem. Pure
 * arithmetic: the result does not depend on the time zone or the clock. */
DMBOOT_EXPORT dmboot_status dmboot_time_parse(const char *text, size_t text_len,
                                              int64_t *unix_seconds, dmboot_error *err);

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

/* The descriptor MAC key (spec §2.7) under a master or batch key. When the
 * descriptor carries key-check the key is checked first
 * (DMBOOT_ERR_KEY_MISMATCH). The caller wipes mac_key. */
DMBOOT_EXPORT dmboot_status dmboot_descriptor_mac_key(const dmboot_descriptor *d,
                                                      const uint8_t *key, size_t key_len,
                                                      dmboot_key_kind kind,
                                                      uint8_t mac_key[DMBOOT_MAC_LEN],
                                                      dmboot_error *err);
/* HMAC-SHA256 under the MAC key over the descriptor's signed bytes: the
 * value of its `mac` line. Checks key-check first, like every use of a key. */
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
 * both. The result is parsed and verified before it is returned. Output
 * per the text convention; it is at most DMBOOT_DESCRIPTOR_MAX bytes. */
DMBOOT_EXPORT dmboot_status dmboot_descriptor_sign(const dmboot_descriptor *d,
                                                   const uint8_t *key, size_t key_len,
                                                   dmboot_key_kind kind,
                                                   const dmboot_signing_key *sk,
                                                   unsigned flags, char *out, size_t out_cap,
                                                   size_t *out_len, dmboot_error *err);

/* ---- verification ---- */

/* The checks, in the order they run (docs/authentication.md §4). */
typedef enum dmboot_check {
    DMBOOT_CHECK_SIGNATURE = 0, /* signature against the trusted issuer keys */
    DMBOOT_CHECK_KEY_CHECK = 1, /* key-check against the key */
    DMBOOT_CHECK_MAC = 2,       /* mac against the key */
    DMBOOT_CHECK_VALIDITY = 3   /* not-before .. not-after against the time */
} dmboot_check;
#define DMBOOT_CHECK_COUNT 4

/* Bits of a `checked` mask: (1u << check). */
#define DMBOOT_CHECKED_SIGNATURE 0x1u
#define DMBOOT_CHECKED_KEY_CHECK 0x2u
#define DMBOOT_CHECKED_MAC 0x4u
#define DMBOOT_CHECKED_VALIDITY 0x8u

/* "signature", "key-check", "mac", "validity"; NULL for a bad value. */
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
 * (16..64 bytes) or a batch key (32 bytes). Either gives the MAC key and
 * the key check; a batch key only for its own descriptor. */
DMBOOT_EXPORT dmboot_status dmboot_verifier_set_key(dmboot_verifier *v, const uint8_t *key,
                                                    size_t key_len, dmboot_key_kind kind,
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

/* Verify a descriptor: the checks run in dmboot_check order, then the
 * policy. Returns DMBOOT_OK or the first failure in that order:
 * DMBOOT_ERR_BAD_SIGNATURE, DMBOOT_ERR_KEY_MISMATCH, DMBOOT_ERR_BAD_MAC,
 * DMBOOT_ERR_NOT_VALID_NOW, then DMBOOT_ERR_UNAUTHENTICATED (the policy
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

/* ------------------------------------------------------------------ */
/* Server: a device's first contact                                    */
/* ------------------------------------------------------------------ */

/* A DM server authenticates a device's first session with nothing but the
 * descriptor and the key (docs/omadm.md §5): re-derive the account of the
 * DevID in Source/LocURI, check the client credential, and answer with the
 * server credential. Each call derives afresh; nothing is kept. */

typedef enum dmboot_check_reason {
    DMBOOT_CHECK_OK = 0,             /* authenticated */
    DMBOOT_CHECK_ERROR,              /* the check could not run (see the status) */
    DMBOOT_CHECK_BAD_MESSAGE,        /* the package is not a well-formed SyncML DM message */
    DMBOOT_CHECK_WRONG_KEY,          /* the key fails the descriptor's key-check */
    DMBOOT_CHECK_DEVID_MALFORMED,    /* Source/LocURI is not a DevID of the devid-type */
    DMBOOT_CHECK_NOT_COVERED,        /* the DevID is outside the descriptor's devid-match */
    DMBOOT_CHECK_NO_DESCRIPTOR,      /* no descriptor of the registry covers the DevID */
    DMBOOT_CHECK_NO_CREDENTIAL,      /* neither a Cred nor an x-syncml-hmac header */
    DMBOOT_CHECK_UNKNOWN_CRED_TYPE,  /* a Cred type other than basic, md5 */
    DMBOOT_CHECK_TYPE_NOT_ALLOWED,   /* the descriptor's client-auth-type is another */
    DMBOOT_CHECK_NOT_CHECKABLE,      /* the descriptor derives no name, secret or nonce */
    DMBOOT_CHECK_BAD_CREDENTIAL,     /* malformed: not base64, Format not b64, bad header */
    DMBOOT_CHECK_WRONG_USERNAME,     /* the user name is not the derived one */
    DMBOOT_CHECK_WRONG_CREDENTIAL    /* wrong secret, nonce or body */
} dmboot_check_reason;

/* "ok", "error", "bad-message", "wrong-key", "devid-malformed",
 * "not-covered", "no-descriptor", "no-credential", "unknown-credential-type",
 * "type-not-allowed", "not-checkable", "bad-credential", "wrong-username",
 * "wrong-credential"; NULL for a bad value. */
DMBOOT_EXPORT const char *dmboot_check_reason_name(dmboot_check_reason reason);

/* The verdict of a check, reusable across checks. Freeing wipes it. */
typedef struct dmboot_check_result dmboot_check_result;
DMBOOT_EXPORT dmboot_status dmboot_check_result_new(dmboot_check_result **out,
                                                    dmboot_error *err);
DMBOOT_EXPORT void dmboot_check_result_free(dmboot_check_result *r);

/* 1 when authenticated. */
DMBOOT_EXPORT int dmboot_check_result_authenticated(const dmboot_check_result *r);
DMBOOT_EXPORT dmboot_check_reason dmboot_check_result_reason(const dmboot_check_result *r);
/* "authenticated as DevID IMEI:... under descriptor 'acme-x1' (syncml:auth-md5)",
 * or why not ("wrong credential: ..."). */
DMBOOT_EXPORT const char *dmboot_check_result_message(const dmboot_check_result *r);
/* The normalized DevID once the account was derived ("" before: a DevID
 * malformed or not covered is named in the message), the descriptor's id
 * ("" if none was picked), the client credential's type name (NULL if
 * none was read). */
DMBOOT_EXPORT const char *dmboot_check_result_devid(const dmboot_check_result *r);
DMBOOT_EXPORT const char *dmboot_check_result_descriptor_id(const dmboot_check_result *r);
DMBOOT_EXPORT const char *dmboot_check_result_client_cred_type(const dmboot_check_result *r);
/* The derived account, when authenticated (else NULL). */
DMBOOT_EXPORT const dmboot_account *dmboot_check_result_account(const dmboot_check_result *r);

/* The server credential to send back, when authenticated and the
 * descriptor derives a server-secret (and, for md5 and HMAC, a
 * server-nonce). Its type is server-auth-type, or the client's type when
 * the descriptor has none; its user name is the ServerID; its nonce the
 * derived server-nonce. Type: "syncml:auth-basic", "syncml:auth-md5",
 * "syncml:auth-MAC", or NULL for none. Cred: the <Cred><Data> for basic and
 * md5, NULL otherwise. */
DMBOOT_EXPORT const char *dmboot_check_result_server_cred_type(const dmboot_check_result *r);
DMBOOT_EXPORT const char *dmboot_check_result_server_cred(const dmboot_check_result *r);
/* For HMAC: the x-syncml-hmac header value for the server's response
 * body. DMBOOT_ERR_INVALID_ARGUMENT when the result has no server
 * credential of type HMAC. */
DMBOOT_EXPORT dmboot_status dmboot_check_result_server_hmac(const dmboot_check_result *r,
                                                            const uint8_t *body,
                                                            size_t body_len, char *out,
                                                            size_t out_cap, size_t *out_len,
                                                            dmboot_error *err);

/* The check against one descriptor, with a master or batch key, the DevID
 * as sent (Source/LocURI), and the nonce the client's md5 or HMAC
 * credential must use: NULL for the derived client-nonce (a first contact);
 * the NextNonce the server issued for later sessions (nonce_len 0 with a
 * non-NULL nonce is an empty nonce).
 *
 * Returns DMBOOT_OK when authenticated; otherwise the result (and err)
 * say why: DMBOOT_ERR_AUTH_FAILED for a credential that is missing, of an
 * unknown or refused type, malformed, or wrong; DMBOOT_ERR_DEVID,
 * DMBOOT_ERR_NOT_COVERED, DMBOOT_ERR_KEY_MISMATCH, DMBOOT_ERR_SYNTAX (a bad
 * package), DMBOOT_ERR_UNSUPPORTED (the descriptor derives no name, secret
 * or nonce to check with), or the status of an error. */

/* A <Cred>: its Meta/Type ("syncml:auth-basic", "syncml:auth-md5") and
 * base64 Data; loc_name is Source/LocName, the md5 user name, when the
 * message has one (NULL otherwise; basic carries the name in Data). */
DMBOOT_EXPORT dmboot_status dmboot_server_check_cred(
    const dmboot_descriptor *d, const uint8_t *key, size_t key_len, dmboot_key_kind kind,
    const char *devid, size_t devid_len, const char *cred_type, const char *cred_data,
    size_t cred_data_len, const char *loc_name, size_t loc_name_len, const uint8_t *nonce,
    size_t nonce_len, dmboot_check_result *result, dmboot_error *err);

/* An x-syncml-hmac header value and the message body it covers, as received. */
DMBOOT_EXPORT dmboot_status dmboot_server_check_hmac(
    const dmboot_descriptor *d, const uint8_t *key, size_t key_len, dmboot_key_kind kind,
    const char *devid, size_t devid_len, const char *header, size_t header_len,
    const uint8_t *body, size_t body_len, const uint8_t *nonce, size_t nonce_len,
    dmboot_check_result *result, dmboot_error *err);

/* A whole SyncML DM package (XML) as received: the DevID and the Cred are
 * read from its SyncHdr. With hmac_header (the request's x-syncml-hmac, or
 * NULL), HMAC over the package is checked instead of a Cred. A Cred/Meta/
 * Format other than b64 is refused. */
DMBOOT_EXPORT dmboot_status dmboot_server_check_message(
    const dmboot_descriptor *d, const uint8_t *key, size_t key_len, dmboot_key_kind kind,
    const char *message, size_t message_len, const char *hmac_header, size_t hmac_header_len,
    const uint8_t *nonce, size_t nonce_len, dmboot_check_result *result, dmboot_error *err);

/* The same three with a registry of descriptors: the descriptor is the one
 * whose devid-match covers the DevID (dmboot_registry_lookup), then the
 * check above runs against it with key as the master key. No descriptor
 * covers the DevID: reason "no-descriptor", DMBOOT_ERR_NOT_FOUND. Validity
 * dates and descriptor authentication were checked when the descriptors
 * were added to the registry. */
DMBOOT_EXPORT dmboot_status dmboot_registry_check_cred(
    const dmboot_registry *reg, const uint8_t *key, size_t key_len, const char *devid,
    size_t devid_len, const char *cred_type, const char *cred_data, size_t cred_data_len,
    const char *loc_name, size_t loc_name_len, const uint8_t *nonce, size_t nonce_len,
    dmboot_check_result *result, dmboot_error *err);
DMBOOT_EXPORT dmboot_status dmboot_registry_check_hmac(
    const dmboot_registry *reg, const uint8_t *key, size_t key_len, const char *devid,
    size_t devid_len, const char *header, size_t header_len, const uint8_t *body,
    size_t body_len, const uint8_t *nonce, size_t nonce_len, dmboot_check_result *result,
    dmboot_error *err);
DMBOOT_EXPORT dmboot_status dmboot_registry_check_message(
    const dmboot_registry *reg, const uint8_t *key, size_t key_len, const char *message,
    size_t message_len, const char *hmac_header, size_t hmac_header_len, const uint8_t *nonce,
    size_t nonce_len, dmboot_check_result *result, dmboot_error *err);

/* ------------------------------------------------------------------ */
/* WBXML                                                               */
/* ------------------------------------------------------------------ */

/* SyncML DM messages travel as XML (application/vnd.syncml.dm+xml) or as
 * WBXML (application/vnd.syncml.dm+wbxml; older clients
 * application/vnd.syncml+wbxml). The coding is libwbxml2's, loaded at run
 * time so that the core links nothing but libcrypto: Debian's libwbxml2-1
 * package (soname below). The library is looked for once per process, at
 * the first WBXML call (thread-safe), and stays loaded; the environment
 * variable DMBOOT_WBXML_LIBRARY, read then, names another file to load.
 * Without it these calls return DMBOOT_ERR_UNSUPPORTED with a message
 * naming the package to install.
 *
 * A converted message has no useful size bound, so, unlike the rest of
 * the API, these two functions allocate their output: on success *out is
 * a buffer of *out_len bytes plus a NUL, to be released with dmboot_free();
 * on failure *out is NULL and *out_len 0. */
#define DMBOOT_WBXML_LIBRARY "libwbxml2.so.1"

/* 1 when libwbxml2 can be loaded, else 0. */
DMBOOT_EXPORT int dmboot_wbxml_available(void);

/* WBXML (any 1.x; SyncML 1.1 or 1.2 as libwbxml2 knows them: DM 1.2 is
 * public id 0x1201, -//SYNCML//DTD SyncML 1.2//EN, numeric or as a string)
 * to compact XML text with a DOCTYPE and the root's xmlns (for DM 1.2,
 * SYNCML:SYNCML1.2). The
 * Data of an Add or Replace Item comes back as a CDATA section, an opaque
 * NextNonce as base64 text. DMBOOT_ERR_SYNTAX, with libwbxml2's reason,
 * for input it cannot decode. */
DMBOOT_EXPORT dmboot_status dmboot_wbxml_to_xml(const uint8_t *wbxml, size_t wbxml_len,
                                                char **xml_out, size_t *xml_out_len,
                                                dmboot_error *err);

/* XML to WBXML 1.2 with inline strings (no string table) and the numeric
 * public id; the language comes from the DOCTYPE or the root element's
 * namespace (SYNCML:SYNCML1.2), and syncml:metinf elements go to code page
 * 1. Leading and trailing blanks of text are dropped, except in the Data
 * of an Add or Replace Item: libwbxml2 codes that as opaque data (and, as
 * for a vCard, turns a line break alone in a text node into CRLF).
 * DMBOOT_ERR_SYNTAX for XML that is not well-formed or in no language
 * libwbxml2 knows. */
DMBOOT_EXPORT dmboot_status dmboot_xml_to_wbxml(const char *xml, size_t xml_len,
                                                uint8_t **wbxml_out, size_t *wbxml_out_len,
                                                dmboot_error *err);

/* Wipe len bytes at p, then free it: for the outputs the library
 * allocates (above). NULL is fine. */
DMBOOT_EXPORT void dmboot_free(void *p, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* DMBOOT_H */
