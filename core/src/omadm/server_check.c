/* A DM server's check of a device's first contact (docs/omadm.md §5):
 * descriptor + key + DevID -> the derived account -> the client credential
 * checked -> the server credential. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "derive/account.h"
#include "omadm/omadm.h"

#define SERVER_ID_MAX DMBOOT_AUTH_TEXT_MAX

struct dmboot_check_result {
    dmboot_check_reason reason;
    char message[DMBOOT_ERROR_MESSAGE_MAX];
    char devid[DMBOOT_DEVID_MAX + 1];
    char descriptor_id[65];
    const char *client_type; /* static name, or NULL */
    dmboot_account *account;
    const char *server_type; /* static name, or NULL */
    dmboot_cred_type server_cred_type;
    char server_id[SERVER_ID_MAX + 1];
};

const char *dmboot_check_reason_name(dmboot_check_reason reason)
{
    static const char *const names[] = {
        "ok",           "error",          "bad-message",    "wrong-key",
        "devid-malformed", "not-covered", "no-descriptor",  "no-credential",
        "unknown-credential-type", "type-not-allowed", "not-checkable",
        "bad-credential", "wrong-username", "wrong-credential", "not-valid",
        "unknown-key"};
    if ((unsigned)reason >= sizeof names / sizeof names[0])
        return NULL;
    return names[reason];
}

dmboot_status dmboot_check_result_new(dmboot_check_result **out, dmboot_error *err)
{
    if (out == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    dmboot_check_result *r = OPENSSL_zalloc(sizeof *r);
    if (r == NULL)
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    dmboot_status st = dmboot_account_new(&r->account, err);
    if (st != DMBOOT_OK) {
        OPENSSL_free(r);
        return st;
    }
    r->reason = DMBOOT_CHECK_ERROR;
    snprintf(r->message, sizeof r->message, "no check has run");
    *out = r;
    dmb_ok(err);
    return DMBOOT_OK;
}

void dmboot_check_result_free(dmboot_check_result *r)
{
    if (r == NULL)
        return;
    dmboot_account_free(r->account);
    OPENSSL_clear_free(r, sizeof *r);
}

int dmboot_check_result_authenticated(const dmboot_check_result *r)
{
    return r != NULL && r->reason == DMBOOT_CHECK_OK;
}

dmboot_check_reason dmboot_check_result_reason(const dmboot_check_result *r)
{
    return r == NULL ? DMBOOT_CHECK_ERROR : r->reason;
}

const char *dmboot_check_result_message(const dmboot_check_result *r)
{
    return r == NULL ? "" : r->message;
}

const char *dmboot_check_result_devid(const dmboot_check_result *r)
{
    return r == NULL ? "" : r->devid;
}

const char *dmboot_check_result_descriptor_id(const dmboot_check_result *r)
{
    return r == NULL ? "" : r->descriptor_id;
}

const char *dmboot_check_result_client_cred_type(const dmboot_check_result *r)
{
    return r == NULL ? NULL : r->client_type;
}

const dmboot_account *dmboot_check_result_account(const dmboot_check_result *r)
{
    return dmboot_check_result_authenticated(r) ? r->account : NULL;
}

const char *dmboot_check_result_server_cred_type(const dmboot_check_result *r)
{
    return dmboot_check_result_authenticated(r) ? r->server_type : NULL;
}

/* The nonce the server credential uses: the one the device gave the server
 * (its last Chal), or the derived server-nonce until it gave one. */
static bool server_nonce(const dmboot_check_result *r, const uint8_t **nonce, size_t *nonce_len)
{
    if (*nonce != NULL)
        return true;
    const dmboot_account *acc = r->account;
    if (!acc->present[DMBOOT_FIELD_SERVER_NONCE])
        return false;
    *nonce = acc->value[DMBOOT_FIELD_SERVER_NONCE];
    *nonce_len = acc->len[DMBOOT_FIELD_SERVER_NONCE];
    return true;
}

dmboot_status dmboot_check_result_server_cred(const dmboot_check_result *r,
                                              const uint8_t *nonce, size_t nonce_len, char *out,
                                              size_t out_cap, size_t *out_len,
                                              dmboot_error *err)
{
    if (r == NULL || out_len == NULL || (out == NULL && out_cap != 0) ||
        (nonce == NULL && nonce_len != 0))
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    if (!dmboot_check_result_authenticated(r) || r->server_type == NULL ||
        r->server_cred_type == DMBOOT_CRED_HMAC)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0,
                        "the check result has no basic or md5 server credential");
    const dmboot_account *acc = r->account;
    if (r->server_cred_type != DMBOOT_CRED_BASIC && !server_nonce(r, &nonce, &nonce_len))
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0,
                        "no nonce for the server credential");
    return dmboot_auth_compute(r->server_cred_type, r->server_id, strlen(r->server_id),
                               (const char *)acc->value[DMBOOT_FIELD_SERVER_SECRET],
                               acc->len[DMBOOT_FIELD_SERVER_SECRET], nonce, nonce_len, NULL, 0,
                               out, out_cap, out_len, err);
}

dmboot_status dmboot_check_result_server_hmac(const dmboot_check_result *r,
                                              const uint8_t *nonce, size_t nonce_len,
                                              const uint8_t *body, size_t body_len, char *out,
                                              size_t out_cap, size_t *out_len,
                                              dmboot_error *err)
{
    if (r == NULL || out_len == NULL || (out == NULL && out_cap != 0) ||
        (body == NULL && body_len != 0) || (nonce == NULL && nonce_len != 0))
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    if (!dmboot_check_result_authenticated(r) || r->server_type == NULL ||
        r->server_cred_type != DMBOOT_CRED_HMAC)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0,
                        "the check result has no HMAC server credential");
    if (!server_nonce(r, &nonce, &nonce_len))
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0,
                        "no nonce for the server credential");
    const dmboot_account *acc = r->account;
    char mac[DMBOOT_CRED_MD5_LEN + 1];
    size_t n = 0;
    dmboot_status st = dmboot_auth_hmac(
        r->server_id, strlen(r->server_id), (const char *)acc->value[DMBOOT_FIELD_SERVER_SECRET],
        acc->len[DMBOOT_FIELD_SERVER_SECRET], nonce, nonce_len, body, body_len, mac, sizeof mac,
        &n, err);
    if (st == DMBOOT_OK)
        st = dmboot_hmac_header_format(r->server_id, strlen(r->server_id), mac, n, out, out_cap,
                                       out_len, err);
    OPENSSL_cleanse(mac, sizeof mac);
    return st;
}

/* ---- the check ----------------------------------------------------------- */

/* What the client sent. */
typedef struct client_cred {
    bool hmac;
    const char *type; /* Cred/Meta/Type (NUL-terminated), NULL: none */
    const char *data; /* Cred/Data, or the header value */
    size_t data_len;
    const char *format; /* Cred/Meta/Format, NULL: absent (b64) */
    const char *loc_name;
    size_t loc_name_len;
    const uint8_t *body;
    size_t body_len;
} client_cred;

/* A <Cred> as received: no Data is no credential; Data without a
 * Meta/Type is a credential of an unknown type. */
static client_cred cred_of(const char *type, const char *data, size_t data_len,
                           const char *format, const char *loc_name, size_t loc_name_len)
{
    client_cred cc = {false, type, data, data_len, format, loc_name, loc_name_len, NULL, 0};
    if (data == NULL)
        cc.type = NULL;
    else if (type == NULL)
        cc.type = "";
    return cc;
}

/* Copy at most max bytes of untrusted text, printable ASCII only ('?' for
 * the rest), so a message cannot put control characters into a log. */
static void printable(char *out, size_t cap, const char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++)
        out[o++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    out[o] = '\0';
}

static dmboot_status status_of(dmboot_check_reason reason)
{
    switch (reason) {
    case DMBOOT_CHECK_OK: return DMBOOT_OK;
    case DMBOOT_CHECK_BAD_MESSAGE: return DMBOOT_ERR_SYNTAX;
    case DMBOOT_CHECK_WRONG_KEY: return DMBOOT_ERR_KEY_MISMATCH;
    case DMBOOT_CHECK_DEVID_MALFORMED: return DMBOOT_ERR_DEVID;
    case DMBOOT_CHECK_NOT_COVERED: return DMBOOT_ERR_NOT_COVERED;
    case DMBOOT_CHECK_NO_DESCRIPTOR: return DMBOOT_ERR_NOT_FOUND;
    case DMBOOT_CHECK_NOT_CHECKABLE: return DMBOOT_ERR_UNSUPPORTED;
    case DMBOOT_CHECK_NOT_VALID: return DMBOOT_ERR_NOT_VALID_NOW;
    case DMBOOT_CHECK_UNKNOWN_KEY: return DMBOOT_ERR_UNKNOWN_KEY;
    case DMBOOT_CHECK_ERROR: return DMBOOT_ERR_INVALID_ARGUMENT; /* not used: see verdict() */
    default: return DMBOOT_ERR_AUTH_FAILED;
    }
}

/* Record a negative verdict: reason, message (also into err), status. */
DMBOOT_PRINTF(4, 5)
static dmboot_status verdict(dmboot_check_result *r, dmboot_error *err, dmboot_check_reason why,
                             const char *fmt, ...)
{
    char detail[DMBOOT_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    dmb_vformat(detail, sizeof detail, fmt, ap);
    va_end(ap);
    r->reason = why;
    snprintf(r->message, sizeof r->message, "%s", detail);
    dmboot_account_clear(r->account);
    return dmb_fail(err, status_of(why), 0, "%s", r->message);
}

/* An error that stopped the check (not a verdict on the client). */
static dmboot_status stopped(dmboot_check_result *r, dmboot_status st, const dmboot_error *e,
                             dmboot_error *err)
{
    r->reason = DMBOOT_CHECK_ERROR;
    snprintf(r->message, sizeof r->message, "%s",
             e->message[0] ? e->message : dmboot_strerror(st));
    dmboot_account_clear(r->account);
    return dmb_fail(err, st, 0, "%s", r->message);
}

static bool is_b64_digest(const char *s, size_t n)
{
    uint8_t raw[18];
    size_t len = 0;
    return n == DMBOOT_CRED_MD5_LEN && dmb_base64_decode(s, n, raw, sizeof raw, &len) &&
           len == 16;
}

static dmboot_cred_type type_of_auth(const char *t, bool *known)
{
    *known = true;
    if (strcmp(t, "BASIC") == 0)
        return DMBOOT_CRED_BASIC;
    if (strcmp(t, "DIGEST") == 0)
        return DMBOOT_CRED_MD5;
    if (strcmp(t, "HMAC") == 0)
        return DMBOOT_CRED_HMAC;
    *known = false;
    return DMBOOT_CRED_MD5;
}

/* The server credential's type for an authenticated account (computed on
 * demand with the nonce the device gave the server:
 * dmboot_check_result_server_cred, _server_hmac). */
static void server_credential(dmboot_check_result *r, const dmboot_descriptor *d,
                              dmboot_cred_type client_type)
{
    const dmboot_account *acc = r->account;
    const char *sat = dmboot_descriptor_get(d, "server-auth-type");
    bool known = false;
    dmboot_cred_type t = sat ? type_of_auth(sat, &known) : client_type;
    if (sat != NULL && !known)
        return; /* the parser admits no other value */
    snprintf(r->server_id, sizeof r->server_id, "%s", d->server_id);
    if (!acc->present[DMBOOT_FIELD_SERVER_SECRET] ||
        (t != DMBOOT_CRED_BASIC && !acc->present[DMBOOT_FIELD_SERVER_NONCE]))
        return; /* nothing to authenticate the server with */
    r->server_type = dmboot_cred_type_name(t);
    r->server_cred_type = t;
}

/* May a client authenticate with type t under d? client-auth-type, when
 * present, is the one type; else basic (a cleartext password) only when
 * auth-pref names it, md5 and HMAC always. */
static bool type_allowed(const dmboot_descriptor *d, dmboot_cred_type t, const char **rule,
                         const char **value)
{
    bool known = false;
    *rule = "client-auth-type";
    *value = dmboot_descriptor_get(d, "client-auth-type");
    if (*value != NULL)
        return type_of_auth(*value, &known) == t && known;
    if (t != DMBOOT_CRED_BASIC)
        return true;
    *rule = "auth-pref";
    *value = dmboot_descriptor_get(d, "auth-pref");
    return *value != NULL && type_of_auth(*value, &known) == t && known;
}

static dmboot_status check(const dmboot_descriptor *d, const uint8_t *key, size_t key_len,
                           dmboot_key_kind kind, const char *devid, size_t devid_len,
                           const client_cred *cc, const uint8_t *nonce, size_t nonce_len,
                           dmboot_check_result *r, dmboot_error *err)
{
    /* Forget the previous check. */
    dmboot_account *acc = r->account;
    dmboot_account_clear(acc);
    r->devid[0] = r->descriptor_id[0] = '\0';
    r->client_type = r->server_type = NULL;
    if (d == NULL || key == NULL || (devid == NULL && devid_len != 0) ||
        (nonce == NULL && nonce_len != 0)) {
        dmboot_error e;
        dmb_fail(&e, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
        return stopped(r, DMBOOT_ERR_INVALID_ARGUMENT, &e, err);
    }
    snprintf(r->descriptor_id, sizeof r->descriptor_id, "%s", d->id);

    /* 0. The descriptor's validity, at use (a server runs for years; the
     * import's check alone would keep an expired batch working). */
    int64_t now = (int64_t)time(NULL);
    if (now < d->not_before || now > d->not_after) {
        const char *nb = dmboot_descriptor_get(d, "not-before");
        const char *na = dmboot_descriptor_get(d, "not-after");
        return verdict(r, err, DMBOOT_CHECK_NOT_VALID,
                       now < d->not_before
                           ? "not valid: descriptor '%s' is not valid yet (not-before %s)"
                           : "not valid: descriptor '%s' has expired (not-after %s)",
                       d->id, now < d->not_before ? (nb ? nb : "?") : (na ? na : "?"));
    }

    /* 1. The key, and the device's account. */
    dmboot_error e;
    dmboot_deriver *dv = NULL;
    dmboot_status st = dmboot_deriver_new(d, key, key_len, kind, &dv, &e);
    if (st == DMBOOT_ERR_KEY_MISMATCH)
        return verdict(r, err, DMBOOT_CHECK_WRONG_KEY, "wrong key: %s", e.message);
    if (st != DMBOOT_OK)
        return stopped(r, st, &e, err);
    st = dmboot_derive(dv, devid, devid_len, acc, &e);
    dmboot_deriver_free(dv);
    char shown[DMBOOT_DEVID_MAX + 1];
    printable(shown, sizeof shown, devid, devid_len);
    if (st == DMBOOT_ERR_DEVID)
        return verdict(r, err, DMBOOT_CHECK_DEVID_MALFORMED,
                       "DevID malformed: Source/LocURI '%s' is not a DevID of descriptor '%s' "
                       "(%s)",
                       shown, d->id, e.message);
    if (st == DMBOOT_ERR_NOT_COVERED)
        return verdict(r, err, DMBOOT_CHECK_NOT_COVERED, "DevID not covered: %s", e.message);
    if (st != DMBOOT_OK)
        return stopped(r, st, &e, err);
    const uint8_t *v;
    size_t vlen;
    dmboot_account_get(acc, DMBOOT_FIELD_DEVID, &v, &vlen);
    memcpy(r->devid, v, vlen + 1);

    /* 2. The credential's type, and whether the descriptor allows it. */
    dmboot_cred_type t;
    if (cc->hmac) {
        t = DMBOOT_CRED_HMAC;
    } else {
        if (cc->type == NULL || cc->data == NULL)
            return verdict(r, err, DMBOOT_CHECK_NO_CREDENTIAL,
                           "no credential: the message from DevID %s has no <Cred> and no "
                           "x-syncml-hmac header",
                           r->devid);
        if (dmboot_cred_type_parse(cc->type, strlen(cc->type), &t, NULL) != DMBOOT_OK ||
            t == DMBOOT_CRED_HMAC) {
            char tshown[64];
            printable(tshown, sizeof tshown, cc->type, strlen(cc->type));
            return verdict(r, err, DMBOOT_CHECK_UNKNOWN_CRED_TYPE,
                           "unknown credential type: <Cred> of DevID %s has type '%s' (expected "
                           "syncml:auth-basic or syncml:auth-md5; HMAC comes as an "
                           "x-syncml-hmac header)",
                           r->devid, tshown);
        }
    }
    r->client_type = dmboot_cred_type_name(t);
    const char *rule = NULL, *allowed = NULL;
    if (!type_allowed(d, t, &rule, &allowed)) {
        if (allowed != NULL)
            return verdict(r, err, DMBOOT_CHECK_TYPE_NOT_ALLOWED,
                           "credential type not allowed: DevID %s sent %s, descriptor '%s' has "
                           "%s %s",
                           r->devid, r->client_type, d->id, rule, allowed);
        return verdict(r, err, DMBOOT_CHECK_TYPE_NOT_ALLOWED,
                       "credential type not allowed: DevID %s sent %s (a cleartext password), "
                       "descriptor '%s' allows it by neither client-auth-type nor auth-pref",
                       r->devid, r->client_type, d->id);
    }

    /* 3. What the check needs from the descriptor. */
    if (!acc->present[DMBOOT_FIELD_NAME])
        return verdict(r, err, DMBOOT_CHECK_NOT_CHECKABLE,
                       "not checkable: descriptor '%s' derives no user name (no 'name' rule)",
                       d->id);
    if (!acc->present[DMBOOT_FIELD_CLIENT_SECRET])
        return verdict(r, err, DMBOOT_CHECK_NOT_CHECKABLE,
                       "not checkable: descriptor '%s' derives no client-secret", d->id);
    if (t != DMBOOT_CRED_BASIC && nonce == NULL) {
        if (!acc->present[DMBOOT_FIELD_CLIENT_NONCE])
            return verdict(r, err, DMBOOT_CHECK_NOT_CHECKABLE,
                           "not checkable: descriptor '%s' derives no client-nonce; pass the "
                           "nonce the server issued",
                           d->id);
        nonce = acc->value[DMBOOT_FIELD_CLIENT_NONCE];
        nonce_len = acc->len[DMBOOT_FIELD_CLIENT_NONCE];
    }
    const char *name = (const char *)acc->value[DMBOOT_FIELD_NAME];
    size_t name_len = acc->len[DMBOOT_FIELD_NAME];
    const char *secret = (const char *)acc->value[DMBOOT_FIELD_CLIENT_SECRET];
    size_t secret_len = acc->len[DMBOOT_FIELD_CLIENT_SECRET];

    /* 4. Its form and user name, then the credential itself. */
    const char *value = cc->data;
    size_t value_len = cc->data_len;
    dmboot_hmac_header h;
    if (t == DMBOOT_CRED_HMAC) {
        if (dmboot_hmac_header_parse(cc->data, cc->data_len, &h, &e) != DMBOOT_OK)
            return verdict(r, err, DMBOOT_CHECK_BAD_CREDENTIAL, "bad credential: %s", e.message);
        if (h.username_len != name_len || memcmp(h.username, name, name_len) != 0) {
            char ushown[80];
            printable(ushown, sizeof ushown, h.username, h.username_len);
            OPENSSL_cleanse(&h, sizeof h);
            return verdict(r, err, DMBOOT_CHECK_WRONG_USERNAME,
                           "wrong user name: the x-syncml-hmac username '%s' is not the one "
                           "derived for DevID %s",
                           ushown, r->devid);
        }
        value = h.mac;
        value_len = h.mac_len;
    } else if (cc->format != NULL && strcmp(cc->format, "b64") != 0) {
        char fshown[32];
        printable(fshown, sizeof fshown, cc->format, strlen(cc->format));
        return verdict(r, err, DMBOOT_CHECK_BAD_CREDENTIAL,
                       "bad credential: <Cred> of DevID %s has Meta/Format '%s' (expected b64)",
                       r->devid, fshown);
    } else if (t == DMBOOT_CRED_BASIC) {
        uint8_t plain[DMBOOT_CRED_MAX];
        size_t plain_len = 0;
        if (!dmb_base64_decode(cc->data, cc->data_len, plain, sizeof plain, &plain_len))
            return verdict(r, err, DMBOOT_CHECK_BAD_CREDENTIAL,
                           "bad credential: the syncml:auth-basic <Cred><Data> of DevID %s is "
                           "not canonical base64",
                           r->devid);
        bool same_name = plain_len > name_len && plain[name_len] == ':' &&
                         memcmp(plain, name, name_len) == 0;
        OPENSSL_cleanse(plain, sizeof plain);
        if (!same_name)
            return verdict(r, err, DMBOOT_CHECK_WRONG_USERNAME,
                           "wrong user name: the syncml:auth-basic credential of DevID %s is "
                           "not for the derived user name",
                           r->devid);
    } else {
        if (cc->loc_name != NULL &&
            (cc->loc_name_len != name_len || memcmp(cc->loc_name, name, name_len) != 0)) {
            char ushown[80];
            printable(ushown, sizeof ushown, cc->loc_name, cc->loc_name_len);
            return verdict(r, err, DMBOOT_CHECK_WRONG_USERNAME,
                           "wrong user name: Source/LocName '%s' is not the one derived for "
                           "DevID %s",
                           ushown, r->devid);
        }
        if (!is_b64_digest(cc->data, cc->data_len))
            return verdict(r, err, DMBOOT_CHECK_BAD_CREDENTIAL,
                           "bad credential: the syncml:auth-md5 <Cred><Data> of DevID %s is not "
                           "the base64 of an MD5 digest (24 characters)",
                           r->devid);
    }
    if (t == DMBOOT_CRED_HMAC && !is_b64_digest(value, value_len)) {
        OPENSSL_cleanse(&h, sizeof h);
        return verdict(r, err, DMBOOT_CHECK_BAD_CREDENTIAL,
                       "bad credential: the x-syncml-hmac mac of DevID %s is not the base64 of "
                       "an MD5 digest (24 characters)",
                       r->devid);
    }
    st = dmboot_auth_verify(t, name, name_len, secret, secret_len, nonce, nonce_len, cc->body,
                            cc->body_len, value, value_len, &e);
    if (t == DMBOOT_CRED_HMAC)
        OPENSSL_cleanse(&h, sizeof h);
    if (st == DMBOOT_ERR_AUTH_FAILED)
        return verdict(r, err, DMBOOT_CHECK_WRONG_CREDENTIAL,
                       "wrong credential: %s for DevID %s under descriptor '%s'", e.message,
                       r->devid, d->id);
    if (st != DMBOOT_OK)
        return stopped(r, st, &e, err);

    /* 5. Authenticated: the answer. */
    server_credential(r, d, t);
    r->reason = DMBOOT_CHECK_OK;
    snprintf(r->message, sizeof r->message,
             "authenticated as DevID %s under descriptor '%s' (%s)", r->devid, d->id,
             r->client_type);
    dmb_ok(err);
    return DMBOOT_OK;
}

static dmboot_status need_result(dmboot_check_result *result, dmboot_error *err)
{
    if (result == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL check result");
    return DMBOOT_OK;
}

dmboot_status dmboot_server_check_cred(const dmboot_descriptor *d, const uint8_t *key,
                                       size_t key_len, dmboot_key_kind kind, const char *devid,
                                       size_t devid_len, const char *cred_type,
                                       const char *cred_data, size_t cred_data_len,
                                       const char *loc_name, size_t loc_name_len,
                                       const uint8_t *nonce, size_t nonce_len,
                                       dmboot_check_result *result, dmboot_error *err)
{
    if (need_result(result, err) != DMBOOT_OK)
        return DMBOOT_ERR_INVALID_ARGUMENT;
    client_cred cc = cred_of(cred_type, cred_data, cred_data_len, NULL, loc_name, loc_name_len);
    return check(d, key, key_len, kind, devid, devid_len, &cc, nonce, nonce_len, result, err);
}

dmboot_status dmboot_server_check_hmac(const dmboot_descriptor *d, const uint8_t *key,
                                       size_t key_len, dmboot_key_kind kind, const char *devid,
                                       size_t devid_len, const char *header, size_t header_len,
                                       const uint8_t *body, size_t body_len,
                                       const uint8_t *nonce, size_t nonce_len,
                                       dmboot_check_result *result, dmboot_error *err)
{
    if (need_result(result, err) != DMBOOT_OK)
        return DMBOOT_ERR_INVALID_ARGUMENT;
    if (header == NULL || (body == NULL && body_len != 0)) {
        dmboot_error e;
        dmb_fail(&e, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL header or body");
        return stopped(result, DMBOOT_ERR_INVALID_ARGUMENT, &e, err);
    }
    client_cred cc = {true, NULL, header, header_len, NULL, NULL, 0, body, body_len};
    return check(d, key, key_len, kind, devid, devid_len, &cc, nonce, nonce_len, result, err);
}

/* A package that is no SyncML DM message: a verdict too (bad-message). */
static dmboot_status bad_message(dmboot_check_result *r, const char *descriptor_id,
                                 const dmboot_error *e, dmboot_error *err)
{
    r->reason = DMBOOT_CHECK_BAD_MESSAGE;
    r->devid[0] = '\0';
    snprintf(r->descriptor_id, sizeof r->descriptor_id, "%s", descriptor_id);
    r->client_type = r->server_type = NULL;
    dmboot_account_clear(r->account);
    snprintf(r->message, sizeof r->message, "bad message: %.300s", e->message);
    dmb_fail(err, DMBOOT_ERR_SYNTAX, 0, "%s", r->message);
    if (err != NULL)
        err->line = e->line; /* the message already says "line N: " */
    return DMBOOT_ERR_SYNTAX;
}

/* The check of a parsed package against descriptor d. */
static dmboot_status check_package(const dmboot_descriptor *d, const uint8_t *key,
                                   size_t key_len, dmboot_key_kind kind, const dmboot_syncml *m,
                                   const char *message, size_t message_len,
                                   const char *hmac_header, size_t hmac_header_len,
                                   const uint8_t *nonce, size_t nonce_len,
                                   dmboot_check_result *result, dmboot_error *err)
{
    size_t devid_len = 0;
    const char *devid = dmboot_syncml_get(m, DMBOOT_SYNCML_SOURCE_LOCURI, &devid_len);
    if (hmac_header != NULL) {
        client_cred cc = {true, NULL, hmac_header, hmac_header_len, NULL, NULL, 0,
                          (const uint8_t *)message, message_len};
        return check(d, key, key_len, kind, devid, devid_len, &cc, nonce, nonce_len, result,
                     err);
    }
    size_t data_len = 0, loc_len = 0;
    const char *data = dmboot_syncml_get(m, DMBOOT_SYNCML_CRED_DATA, &data_len);
    const char *loc_name = dmboot_syncml_get(m, DMBOOT_SYNCML_SOURCE_LOCNAME, &loc_len);
    client_cred cc = cred_of(dmboot_syncml_get(m, DMBOOT_SYNCML_CRED_TYPE, NULL), data,
                             data_len, dmboot_syncml_get(m, DMBOOT_SYNCML_CRED_FORMAT, NULL),
                             loc_name, loc_len);
    return check(d, key, key_len, kind, devid, devid_len, &cc, nonce, nonce_len, result, err);
}

dmboot_status dmboot_server_check_message(const dmboot_descriptor *d, const uint8_t *key,
                                          size_t key_len, dmboot_key_kind kind,
                                          const char *message, size_t message_len,
                                          const char *hmac_header, size_t hmac_header_len,
                                          const uint8_t *nonce, size_t nonce_len,
                                          dmboot_check_result *result, dmboot_error *err)
{
    if (need_result(result, err) != DMBOOT_OK)
        return DMBOOT_ERR_INVALID_ARGUMENT;
    dmboot_syncml *m = NULL;
    dmboot_error e;
    dmboot_status st = dmboot_syncml_parse(message, message_len, &m, &e);
    if (st == DMBOOT_ERR_SYNTAX)
        return bad_message(result, d ? d->id : "", &e, err);
    if (st != DMBOOT_OK)
        return stopped(result, st, &e, err);
    st = check_package(d, key, key_len, kind, m, message, message_len, hmac_header,
                       hmac_header_len, nonce, nonce_len, result, err);
    dmboot_syncml_free(m);
    return st;
}

/* ---- with a registry ------------------------------------------------------ */

/* The descriptor that covers the DevID, or a verdict (no-descriptor). */
static dmboot_status pick(const dmboot_registry *reg, const char *devid, size_t devid_len,
                          const dmboot_descriptor **d, dmboot_check_result *r,
                          dmboot_error *err)
{
    dmboot_error e;
    dmboot_status st = dmboot_registry_lookup(reg, devid, devid_len, d, NULL, 0, NULL, &e);
    if (st == DMBOOT_OK)
        return DMBOOT_OK;
    r->devid[0] = r->descriptor_id[0] = '\0';
    r->client_type = r->server_type = NULL;
    if (st == DMBOOT_ERR_NOT_FOUND)
        return verdict(r, err, DMBOOT_CHECK_NO_DESCRIPTOR, "no descriptor: %s", e.message);
    return stopped(r, st, &e, err); /* an overlap, a NULL argument */
}

/* The master key: the one given, else the registry keyring's for d's
 * key-id, else a verdict (unknown-key). */
static dmboot_status key_of(const dmboot_registry *reg, const dmboot_descriptor *d,
                            const uint8_t **key, size_t *key_len, dmboot_check_result *r,
                            dmboot_error *err)
{
    if (*key != NULL)
        return DMBOOT_OK;
    dmboot_error e;
    const dmboot_keyring *kr = dmb_registry_keyring(reg);
    dmboot_status st =
        kr != NULL ? dmb_keyring_key_for(kr, d, key, key_len, &e)
                   : dmb_fail(&e, DMBOOT_ERR_UNKNOWN_KEY, 0,
                              "no key given and the registry has no keyring");
    if (st == DMBOOT_OK)
        return DMBOOT_OK;
    r->devid[0] = '\0';
    snprintf(r->descriptor_id, sizeof r->descriptor_id, "%s", d->id);
    r->client_type = r->server_type = NULL;
    return verdict(r, err, DMBOOT_CHECK_UNKNOWN_KEY, "unknown key: %s", e.message);
}

dmboot_status dmboot_registry_check_cred(const dmboot_registry *reg, const uint8_t *key,
                                         size_t key_len, const char *devid, size_t devid_len,
                                         const char *cred_type, const char *cred_data,
                                         size_t cred_data_len, const char *loc_name,
                                         size_t loc_name_len, const uint8_t *nonce,
                                         size_t nonce_len, dmboot_check_result *result,
                                         dmboot_error *err)
{
    if (need_result(result, err) != DMBOOT_OK)
        return DMBOOT_ERR_INVALID_ARGUMENT;
    const dmboot_descriptor *d = NULL;
    dmboot_status st = pick(reg, devid, devid_len, &d, result, err);
    if (st == DMBOOT_OK)
        st = key_of(reg, d, &key, &key_len, result, err);
    if (st != DMBOOT_OK)
        return st;
    return dmboot_server_check_cred(d, key, key_len, DMBOOT_KEY_MASTER, devid, devid_len,
                                    cred_type, cred_data, cred_data_len, loc_name, loc_name_len,
                                    nonce, nonce_len, result, err);
}

dmboot_status dmboot_registry_check_hmac(const dmboot_registry *reg, const uint8_t *key,
                                         size_t key_len, const char *devid, size_t devid_len,
                                         const char *header, size_t header_len,
                                         const uint8_t *body, size_t body_len,
                                         const uint8_t *nonce, size_t nonce_len,
                                         dmboot_check_result *result, dmboot_error *err)
{
    if (need_result(result, err) != DMBOOT_OK)
        return DMBOOT_ERR_INVALID_ARGUMENT;
    const dmboot_descriptor *d = NULL;
    dmboot_status st = pick(reg, devid, devid_len, &d, result, err);
    if (st == DMBOOT_OK)
        st = key_of(reg, d, &key, &key_len, result, err);
    if (st != DMBOOT_OK)
        return st;
    return dmboot_server_check_hmac(d, key, key_len, DMBOOT_KEY_MASTER, devid, devid_len, header,
                                    header_len, body, body_len, nonce, nonce_len, result, err);
}

dmboot_status dmboot_registry_check_message(const dmboot_registry *reg, const uint8_t *key,
                                            size_t key_len, const char *message,
                                            size_t message_len, const char *hmac_header,
                                            size_t hmac_header_len, const uint8_t *nonce,
                                            size_t nonce_len, dmboot_check_result *result,
                                            dmboot_error *err)
{
    if (need_result(result, err) != DMBOOT_OK)
        return DMBOOT_ERR_INVALID_ARGUMENT;
    dmboot_syncml *m = NULL;
    dmboot_error e;
    dmboot_status st = dmboot_syncml_parse(message, message_len, &m, &e);
    if (st == DMBOOT_ERR_SYNTAX)
        return bad_message(result, "", &e, err);
    if (st != DMBOOT_OK)
        return stopped(result, st, &e, err);
    size_t devid_len = 0;
    const char *devid = dmboot_syncml_get(m, DMBOOT_SYNCML_SOURCE_LOCURI, &devid_len);
    const dmboot_descriptor *d = NULL;
    st = pick(reg, devid, devid_len, &d, result, err);
    if (st == DMBOOT_OK)
        st = key_of(reg, d, &key, &key_len, result, err);
    if (st == DMBOOT_OK)
        st = check_package(d, key, key_len, DMBOOT_KEY_MASTER, m, message, message_len,
                           hmac_header, hmac_header_len, nonce, nonce_len, result, err);
    dmboot_syncml_free(m);
    return st;
}
