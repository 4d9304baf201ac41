/* OMA DM session credentials (DESIGN §6, OMA DM Security): syncml:auth-basic,
 * syncml:auth-md5 and the x-syncml-hmac MAC; computing, checking, nonces. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "omadm/omadm.h"

#define MD5_LEN 16
#define MD5_B64_LEN 24 /* base64 of 16 bytes, padded */

const char *dmboot_cred_type_name(dmboot_cred_type type)
{
    switch (type) {
    case DMBOOT_CRED_BASIC: return "syncml:auth-basic";
    case DMBOOT_CRED_MD5: return "syncml:auth-md5";
    case DMBOOT_CRED_HMAC: return "syncml:auth-MAC";
    }
    return NULL;
}

static bool ieq(const char *a, size_t a_len, const char *b)
{
    size_t n = strlen(b);
    if (a_len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

dmboot_status dmboot_cred_type_parse(const char *text, size_t text_len, dmboot_cred_type *out,
                                     dmboot_error *err)
{
    if ((text == NULL && text_len != 0) || out == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    /* Meta/Type values are case-sensitive in SyncML, but clients vary in
     * the case of "MAC"; accepting any case costs nothing. */
    if (ieq(text, text_len, "syncml:auth-basic"))
        *out = DMBOOT_CRED_BASIC;
    else if (ieq(text, text_len, "syncml:auth-md5"))
        *out = DMBOOT_CRED_MD5;
    else if (ieq(text, text_len, "syncml:auth-MAC") || ieq(text, text_len, "x-syncml-hmac"))
        *out = DMBOOT_CRED_HMAC;
    else
        return dmb_fail(err, DMBOOT_ERR_UNSUPPORTED, 0,
                        "unknown credential type '%.*s' (expected syncml:auth-basic, "
                        "syncml:auth-md5 or syncml:auth-MAC)",
                        text_len > 64 ? 64 : (int)text_len, text ? text : "");
    dmb_ok(err);
    return DMBOOT_OK;
}

/* MD5 over the concatenation of up to four parts, through EVP (the
 * algorithm lives in OpenSSL's default provider, absent under FIPS). */
static dmboot_status md5_parts(const void *const *parts, const size_t *lens, size_t n,
                               uint8_t out[MD5_LEN], dmboot_error *err)
{
    EVP_MD *md = EVP_MD_fetch(NULL, "MD5", NULL);
    if (md == NULL)
        return dmb_fail(err, DMBOOT_ERR_UNSUPPORTED, 0,
                        "MD5 is not available (OMA DM credentials need OpenSSL's default "
                        "provider)");
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx != NULL && EVP_DigestInit_ex(ctx, md, NULL) == 1;
    for (size_t i = 0; ok && i < n; i++)
        ok = lens[i] == 0 || EVP_DigestUpdate(ctx, parts[i], lens[i]) == 1;
    unsigned int len = 0;
    ok = ok && EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == MD5_LEN;
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
    if (!ok)
        return dmb_fail(err, DMBOOT_ERR_CRYPTO, 0, "MD5 failed");
    return DMBOOT_OK;
}

/* B64(MD5(name ":" secret)): the common first step of md5 and HMAC. */
static dmboot_status inner_digest(const char *name, size_t name_len, const char *secret,
                                  size_t secret_len, char out[MD5_B64_LEN + 1],
                                  dmboot_error *err)
{
    const void *parts[3] = {name, ":", secret};
    const size_t lens[3] = {name_len, 1, secret_len};
    uint8_t h[MD5_LEN];
    dmboot_status st = md5_parts(parts, lens, 3, h, err);
    if (st == DMBOOT_OK)
        dmb_base64_encode(h, MD5_LEN, false, out);
    OPENSSL_cleanse(h, sizeof h);
    return st;
}

static dmboot_status check_text(const char *what, const char *s, size_t len,
                                dmboot_error *err)
{
    if (s == NULL && len != 0)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL %s", what);
    if (len > DMBOOT_AUTH_TEXT_MAX)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0,
                        "the %s has %zu bytes; at most %d are accepted", what, len,
                        DMBOOT_AUTH_TEXT_MAX);
    return DMBOOT_OK;
}

/* Copy a computed credential into the caller's buffer (API convention). */
static dmboot_status emit(const char *v, size_t n, char *out, size_t out_cap, size_t *out_len,
                          dmboot_error *err)
{
    *out_len = n;
    if (out == NULL || n >= out_cap)
        return dmb_fail(err, DMBOOT_ERR_BUFFER_TOO_SMALL, 0,
                        "the credential needs %zu bytes and a NUL", n);
    memcpy(out, v, n);
    out[n] = '\0';
    dmb_ok(err);
    return DMBOOT_OK;
}

/* The credential of `type` into v (at least DMBOOT_CRED_MAX + 1 bytes). */
static dmboot_status compute(dmboot_cred_type type, const char *name, size_t name_len,
                             const char *secret, size_t secret_len, const uint8_t *nonce,
                             size_t nonce_len, const uint8_t *body, size_t body_len, char *v,
                             size_t *v_len, dmboot_error *err)
{
    dmboot_status st;
    if ((st = check_text("user name", name, name_len, err)) != DMBOOT_OK ||
        (st = check_text("secret", secret, secret_len, err)) != DMBOOT_OK)
        return st;
    if (nonce == NULL && nonce_len != 0)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL nonce");
    if (body == NULL && body_len != 0)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL body");
    switch (type) {
    case DMBOOT_CRED_BASIC: {
        /* A name may hold ':' (a DevID does); a checker that knows the
         * name compares the whole "name:secret", so it stays unambiguous. */
        /* name ":" secret, at most 2 * DMBOOT_AUTH_TEXT_MAX + 1 bytes */
        uint8_t plain[2 * DMBOOT_AUTH_TEXT_MAX + 1];
        if (name_len > 0)
            memcpy(plain, name, name_len);
        plain[name_len] = ':';
        if (secret_len > 0)
            memcpy(plain + name_len + 1, secret, secret_len);
        *v_len = dmb_base64_encode(plain, name_len + 1 + secret_len, false, v);
        OPENSSL_cleanse(plain, name_len + 1 + secret_len);
        return DMBOOT_OK;
    }
    case DMBOOT_CRED_MD5:
    case DMBOOT_CRED_HMAC: {
        char inner[MD5_B64_LEN + 1];
        char body_b64[MD5_B64_LEN + 1] = "";
        uint8_t h[MD5_LEN];
        st = inner_digest(name, name_len, secret, secret_len, inner, err);
        if (st == DMBOOT_OK && type == DMBOOT_CRED_HMAC) {
            const void *bp[1] = {body};
            const size_t bl[1] = {body_len};
            st = md5_parts(bp, bl, 1, h, err);
            if (st == DMBOOT_OK)
                dmb_base64_encode(h, MD5_LEN, false, body_b64);
        }
        if (st == DMBOOT_OK) {
            /* md5:  B64(MD5(inner ":" nonce))
             * HMAC: B64(MD5(inner ":" nonce ":" B64(MD5(body)))) */
            const void *parts[5] = {inner, ":", nonce, ":", body_b64};
            const size_t lens[5] = {MD5_B64_LEN, 1, nonce_len, 1, MD5_B64_LEN};
            st = md5_parts(parts, lens, type == DMBOOT_CRED_MD5 ? 3 : 5, h, err);
        }
        if (st == DMBOOT_OK)
            *v_len = dmb_base64_encode(h, MD5_LEN, false, v);
        OPENSSL_cleanse(inner, sizeof inner);
        OPENSSL_cleanse(h, sizeof h);
        return st;
    }
    }
    return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "unknown credential type %d",
                    (int)type);
}

dmboot_status dmboot_auth_compute(dmboot_cred_type type, const char *name, size_t name_len,
                                  const char *secret, size_t secret_len,
                                  const uint8_t *nonce, size_t nonce_len,
                                  const uint8_t *body, size_t body_len, char *out,
                                  size_t out_cap, size_t *out_len, dmboot_error *err)
{
    if (out_len == NULL || (out == NULL && out_cap != 0))
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    char v[DMBOOT_CRED_MAX + 1];
    size_t n = 0;
    dmboot_status st = compute(type, name, name_len, secret, secret_len, nonce, nonce_len, body,
                               body_len, v, &n, err);
    if (st == DMBOOT_OK)
        st = emit(v, n, out, out_cap, out_len, err);
    OPENSSL_cleanse(v, sizeof v);
    return st;
}

dmboot_status dmboot_auth_basic(const char *name, size_t name_len, const char *secret,
                                size_t secret_len, char *out, size_t out_cap, size_t *out_len,
                                dmboot_error *err)
{
    return dmboot_auth_compute(DMBOOT_CRED_BASIC, name, name_len, secret, secret_len, NULL, 0,
                               NULL, 0, out, out_cap, out_len, err);
}

dmboot_status dmboot_auth_md5(const char *name, size_t name_len, const char *secret,
                              size_t secret_len, const uint8_t *nonce, size_t nonce_len,
                              char *out, size_t out_cap, size_t *out_len, dmboot_error *err)
{
    return dmboot_auth_compute(DMBOOT_CRED_MD5, name, name_len, secret, secret_len, nonce,
                               nonce_len, NULL, 0, out, out_cap, out_len, err);
}

dmboot_status dmboot_auth_hmac(const char *name, size_t name_len, const char *secret,
                               size_t secret_len, const uint8_t *nonce, size_t nonce_len,
                               const uint8_t *body, size_t body_len, char *out,
                               size_t out_cap, size_t *out_len, dmboot_error *err)
{
    return dmboot_auth_compute(DMBOOT_CRED_HMAC, name, name_len, secret, secret_len, nonce,
                               nonce_len, body, body_len, out, out_cap, out_len, err);
}

dmboot_status dmboot_auth_verify(dmboot_cred_type type, const char *name, size_t name_len,
                                 const char *secret, size_t secret_len, const uint8_t *nonce,
                                 size_t nonce_len, const uint8_t *body, size_t body_len,
                                 const char *value, size_t value_len, dmboot_error *err)
{
    if (value == NULL && value_len != 0)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL credential");
    char v[DMBOOT_CRED_MAX + 1];
    size_t n = 0;
    dmboot_status st = compute(type, name, name_len, secret, secret_len, nonce, nonce_len, body,
                               body_len, v, &n, err);
    if (st == DMBOOT_OK) {
        /* The length of a correct value is public (24 for md5 and HMAC);
         * the bytes are compared in constant time. */
        bool same = n == value_len && dmb_equal(v, value, n);
        if (same)
            dmb_ok(err);
        else
            st = dmb_fail(err, DMBOOT_ERR_AUTH_FAILED, 0,
                          type == DMBOOT_CRED_BASIC
                              ? "the %s credential does not match (wrong name or secret)"
                          : type == DMBOOT_CRED_MD5
                              ? "the %s credential does not match (wrong name, secret or nonce)"
                              : "the %s MAC does not match (wrong name, secret, nonce or body)",
                          dmboot_cred_type_name(type));
    }
    OPENSSL_cleanse(v, sizeof v);
    return st;
}

dmboot_status dmboot_nonce_generate(uint8_t *nonce, size_t nonce_len, dmboot_error *err)
{
    if (nonce == NULL || nonce_len < DMBOOT_NONCE_MIN || nonce_len > DMBOOT_NONCE_MAX)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0,
                        "a nonce has %d to %d bytes, not %zu", DMBOOT_NONCE_MIN,
                        DMBOOT_NONCE_MAX, nonce_len);
    if (RAND_bytes(nonce, (int)nonce_len) != 1)
        return dmb_fail(err, DMBOOT_ERR_CRYPTO, 0, "the random generator failed");
    dmb_ok(err);
    return DMBOOT_OK;
}

dmboot_status dmboot_nonce_generate_b64(size_t nonce_len, char *out, size_t out_cap,
                                        size_t *out_len, dmboot_error *err)
{
    if (out_len == NULL || (out == NULL && out_cap != 0))
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    uint8_t raw[DMBOOT_NONCE_MAX];
    dmboot_status st = dmboot_nonce_generate(raw, nonce_len, err);
    if (st != DMBOOT_OK)
        return st;
    size_t need = dmb_base64_len(nonce_len, false);
    *out_len = need;
    if (out == NULL || need >= out_cap) {
        OPENSSL_cleanse(raw, sizeof raw);
        return dmb_fail(err, DMBOOT_ERR_BUFFER_TOO_SMALL, 0,
                        "the nonce needs %zu bytes and a NUL", need);
    }
    dmb_base64_encode(raw, nonce_len, false, out);
    OPENSSL_cleanse(raw, sizeof raw);
    dmb_ok(err);
    return DMBOOT_OK;
}

dmboot_status dmboot_base64_decode(const char *text, size_t text_len, uint8_t *out,
                                   size_t out_cap, size_t *out_len, dmboot_error *err)
{
    if ((text == NULL && text_len != 0) || out_len == NULL || (out == NULL && out_cap != 0))
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    size_t pad = 0;
    if (text_len % 4 != 0)
        return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0,
                        "base64: %zu characters is not a multiple of 4", text_len);
    if (text_len >= 1 && text[text_len - 1] == '=')
        pad++;
    if (text_len >= 2 && text[text_len - 2] == '=')
        pad++;
    size_t need = text_len / 4 * 3 - pad;
    if (need > out_cap) {
        *out_len = need;
        return dmb_fail(err, DMBOOT_ERR_BUFFER_TOO_SMALL, 0,
                        "base64: the bytes need %zu bytes of room", need);
    }
    if (!dmb_base64_decode(text, text_len, out, out_cap, out_len))
        return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0,
                        "base64: not canonical RFC 4648 base64 (a character outside A-Z a-z "
                        "0-9 + /, or misplaced padding)");
    dmb_ok(err);
    return DMBOOT_OK;
}
