/*
 * dmboot/omadm.h: the OMA DM side: credentials, x-syncml-hmac, bootstrap
 * documents, SyncML DM headers, the first-contact check, WBXML (docs/omadm.md).
 * Part of the dmboot API; include <dmboot.h>, which includes every part.
 * The conventions of the whole API are in dmboot/common.h.
 */
#ifndef DMBOOT_OMADM_H
#define DMBOOT_OMADM_H

#include "dmboot/auth.h"

#ifdef __cplusplus
extern "C" {
#endif

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
    DMBOOT_CHECK_WRONG_CREDENTIAL,   /* wrong secret, nonce or body */
    DMBOOT_CHECK_NOT_VALID,          /* the descriptor is outside not-before..not-after now */
    DMBOOT_CHECK_UNKNOWN_KEY         /* the registry's keyring has no key for its key-id */
} dmboot_check_reason;

/* "ok", "error", "bad-message", "wrong-key", "devid-malformed",
 * "not-covered", "no-descriptor", "no-credential", "unknown-credential-type",
 * "type-not-allowed", "not-checkable", "bad-credential", "wrong-username",
 * "wrong-credential", "not-valid", "unknown-key"; NULL for a bad value. */
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
 * the descriptor has none: "syncml:auth-basic", "syncml:auth-md5",
 * "syncml:auth-MAC", or NULL for none. Its user name is the ServerID. */
DMBOOT_EXPORT const char *dmboot_check_result_server_cred_type(const dmboot_check_result *r);
/* The server credential (the <Cred><Data> for basic and md5; for HMAC
 * the x-syncml-hmac header value over the server's response body), made
 * with the nonce the DEVICE gave the server: the NextNonce of its last Chal
 * to the server (OMA DM security: each side authenticates with the nonce
 * the other side issued). nonce NULL means the derived server-nonce, what
 * the device holds as SRVCRED AAuthData until it challenges the server; a
 * server MUST pass the device's nonce once it has one, or one observed
 * reply would authenticate anyone as the server to that device for ever.
 * basic ignores the nonce. DMBOOT_ERR_INVALID_ARGUMENT when the result has
 * no server credential of that kind (_server_cred: basic or md5; _server_hmac:
 * HMAC). */
DMBOOT_EXPORT dmboot_status dmboot_check_result_server_cred(const dmboot_check_result *r,
                                                            const uint8_t *nonce,
                                                            size_t nonce_len, char *out,
                                                            size_t out_cap, size_t *out_len,
                                                            dmboot_error *err);
DMBOOT_EXPORT dmboot_status dmboot_check_result_server_hmac(const dmboot_check_result *r,
                                                            const uint8_t *nonce,
                                                            size_t nonce_len,
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
 * The descriptor's not-before/not-after are checked against the clock at
 * every check (reason "not-valid", DMBOOT_ERR_NOT_VALID_NOW). The
 * credential's type must be the descriptor's client-auth-type when it has
 * one; without it, md5 and HMAC are accepted and basic (a cleartext
 * password) only when auth-pref is BASIC ("type-not-allowed").
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
 * covers the DevID: reason "no-descriptor", DMBOOT_ERR_NOT_FOUND. With key
 * NULL (key_len 0) the master key is the registry's keyring's key for the
 * descriptor's key-id (dmboot_registry_set_keyring): reason "unknown-key",
 * DMBOOT_ERR_UNKNOWN_KEY, when it has none (or the registry no keyring). The
 * descriptor's authentication was checked when it was added to the
 * registry; its validity dates are checked again at every check. */
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
 * variable DMBOOT_WBXML_LIBRARY, read then, names another file to load: a
 * trusted setting, taken only as an absolute path to a file that root or
 * this user owns and nobody else may change (docs/omadm.md §7), ignored
 * in a set-user-ID process.
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

#endif /* DMBOOT_OMADM_H */
