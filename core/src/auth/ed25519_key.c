/*
 * Ed25519 keys (signing and public) as opaque handles, read and written as
 * standard PEM: PKCS#8 "PRIVATE KEY" and SubjectPublicKeyInfo "PUBLIC KEY",
 * which is what `openssl genpkey -algorithm ed25519` and `openssl pkey
 * -pubout` write. Signing and verifying use EVP_DigestSign/Verify with no
 * digest (pure Ed25519, RFC 8032).
 */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "auth/auth.h"

struct dmboot_signing_key {
    EVP_PKEY *pkey;
};

struct dmboot_public_key {
    EVP_PKEY *pkey;
};

/* PEM input is a few hundred bytes; this bounds what is scanned. */
#define PEM_INPUT_MAX 16384

/* Never prompt for a passphrase (OpenSSL's default would read the
 * terminal); an encrypted key is refused with a message instead. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

static bool contains(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(s + i, needle, k) == 0)
            return true;
    return false;
}

/* Which PEM block the text holds, so a wrong kind of key gets a message
 * that says what to do instead of OpenSSL's "no start line". */
typedef enum pem_kind {
    PEM_NONE,
    PEM_PRIVATE,
    PEM_ENCRYPTED,
    PEM_PUBLIC,
    PEM_OTHER
} pem_kind;

static pem_kind pem_kind_of(const char *pem, size_t len)
{
    if (contains(pem, len, "-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        return PEM_ENCRYPTED;
    if (contains(pem, len, "-----BEGIN PRIVATE KEY-----"))
        return PEM_PRIVATE;
    if (contains(pem, len, "-----BEGIN PUBLIC KEY-----"))
        return PEM_PUBLIC;
    if (contains(pem, len, "-----BEGIN "))
        return PEM_OTHER;
    return PEM_NONE;
}

/* Exactly one PEM block: anything after it but blanks is an error, so a
 * file holding two keys is not silently half used. */
static bool only_blanks_left(BIO *bio)
{
    char buf[256];
    int n;
    while ((n = BIO_read(bio, buf, (int)sizeof buf)) > 0)
        for (int i = 0; i < n; i++)
            if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r' && buf[i] != '\n')
                return false;
    return true;
}

static bool is_ed25519(const EVP_PKEY *pkey)
{
    return EVP_PKEY_get_id(pkey) == EVP_PKEY_ED25519;
}

dmboot_status dmboot_signing_key_from_pem(const char *pem, size_t pem_len,
                                          dmboot_signing_key **out, dmboot_error *err)
{
    if (pem == NULL || out == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    *out = NULL;
    if (pem_len > PEM_INPUT_MAX)
        return dmb_fail(err, DMBOOT_ERR_KEY, 0,
                        "signing key is %zu bytes: not an Ed25519 PEM key (at most %d)",
                        pem_len, PEM_INPUT_MAX);
    switch (pem_kind_of(pem, pem_len)) {
    case PEM_PRIVATE:
        break;
    case PEM_ENCRYPTED:
        return dmb_fail(err, DMBOOT_ERR_KEY, 0,
                        "the signing key is encrypted; dmboot reads unencrypted PKCS#8 "
                        "(decrypt it with: openssl pkey -in KEY -out PLAIN)");
    case PEM_PUBLIC:
        return dmb_fail(err, DMBOOT_ERR_KEY, 0,
                        "this is a public key; signing needs the private key "
                        "(-----BEGIN PRIVATE KEY-----)");
    case PEM_OTHER:
        return dmb_fail(err, DMBOOT_ERR_KEY, 0,
                        "not a PKCS#8 private key: expected -----BEGIN PRIVATE KEY----- "
                        "(as written by openssl genpkey -algorithm ed25519)");
    case PEM_NONE:
        return dmb_fail(err, DMBOOT_ERR_KEY, 0,
                        "not a PEM key: expected -----BEGIN PRIVATE KEY-----");
    }
    BIO *bio = BIO_new_mem_buf(pem, (int)pem_len);
    if (bio == NULL)
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
    bool rest_ok = pkey != NULL && only_blanks_left(bio);
    BIO_free(bio);
    ERR_clear_error();
    dmboot_status st = DMBOOT_OK;
    if (pkey == NULL)
        st = dmb_fail(err, DMBOOT_ERR_KEY, 0, "the private key PEM is malformed");
    else if (!is_ed25519(pkey))
        st = dmb_fail(err, DMBOOT_ERR_KEY, 0, "the private key is %s, not Ed25519",
                      OBJ_nid2sn(EVP_PKEY_get_id(pkey)));
    else if (!rest_ok)
        st = dmb_fail(err, DMBOOT_ERR_KEY, 0,
                      "the signing key file holds more than one PEM block");
    dmboot_signing_key *k = st == DMBOOT_OK ? OPENSSL_zalloc(sizeof *k) : NULL;
    if (st == DMBOOT_OK && k == NULL)
        st = dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    if (st != DMBOOT_OK) {
        EVP_PKEY_free(pkey); /* frees (and clears) the private key */
        return st;
    }
    k->pkey = pkey;
    *out = k;
    dmb_ok(err);
    return DMBOOT_OK;
}

dmboot_status dmboot_signing_key_load(const char *path, dmboot_signing_key **out,
                                      dmboot_error *err)
{
    if (path == NULL || out == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    char *pem = NULL;
    size_t len = 0;
    dmboot_status st =
        dmb_read_secret_file(path, "signing key file", PEM_INPUT_MAX, &pem, &len, err);
    if (st != DMBOOT_OK)
        return st;
    st = dmboot_signing_key_from_pem(pem, len, out, err);
    OPENSSL_clear_free(pem, len + 1);
    if (st != DMBOOT_OK && err != NULL) {
        char msg[DMBOOT_ERROR_MESSAGE_MAX];
        memcpy(msg, err->message, sizeof msg);
        dmb_fail(err, st, 0, "%s: %s", path, msg);
    }
    return st;
}

dmboot_status dmboot_signing_key_generate(dmboot_signing_key **out, dmboot_error *err)
{
    if (out == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    *out = NULL;
    dmboot_signing_key *k = OPENSSL_zalloc(sizeof *k);
    if (k == NULL)
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    if (k->pkey == NULL) {
        OPENSSL_free(k);
        ERR_clear_error();
        return dmb_fail(err, DMBOOT_ERR_CRYPTO, 0, "OpenSSL could not generate an Ed25519 key");
    }
    *out = k;
    dmb_ok(err);
    return DMBOOT_OK;
}

void dmboot_signing_key_free(dmboot_signing_key *k)
{
    if (k == NULL)
        return;
    EVP_PKEY_free(k->pkey);
    OPENSSL_free(k);
}

/* Copy a memory BIO's contents to a caller buffer (the API's text output
 * convention), then wipe and free the BIO. */
static dmboot_status bio_to_text(BIO *bio, char *out, size_t out_cap, size_t *out_len,
                                 dmboot_error *err)
{
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    dmboot_status st = DMBOOT_OK;
    if (n <= 0 || data == NULL) {
        st = dmb_fail(err, DMBOOT_ERR_CRYPTO, 0, "OpenSSL could not write the PEM");
    } else {
        size_t len = (size_t)n;
        *out_len = len;
        if (out == NULL || out_cap < len + 1) {
            st = dmb_fail(err, DMBOOT_ERR_BUFFER_TOO_SMALL, 0,
                          "a PEM key needs %zu bytes of output", len + 1);
        } else {
            memcpy(out, data, len);
            out[len] = '\0';
        }
    }
    BIO_free(bio); /* a secure-memory BIO is cleared when freed */
    if (st == DMBOOT_OK)
        dmb_ok(err);
    return st;
}

dmboot_status dmboot_signing_key_private_pem(const dmboot_signing_key *k, char *out,
                                             size_t out_cap, size_t *out_len, dmboot_error *err)
{
    if (k == NULL || out_len == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    BIO *bio = BIO_new(BIO_s_secmem());
    if (bio == NULL)
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    /* OpenSSL 3 writes PKCS#8, like `openssl genpkey`. */
    if (PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL) != 1) {
        BIO_free(bio);
        ERR_clear_error();
        return dmb_fail(err, DMBOOT_ERR_CRYPTO, 0, "OpenSSL could not write the private key");
    }
    return bio_to_text(bio, out, out_cap, out_len, err);
}

static dmboot_status public_pem(EVP_PKEY *pkey, char *out, size_t out_cap, size_t *out_len,
                                dmboot_error *err)
{
    if (out_len == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL)
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    if (PEM_write_bio_PUBKEY(bio, pkey) != 1) {
        BIO_free(bio);
        ERR_clear_error();
        return dmb_fail(err, DMBOOT_ERR_CRYPTO, 0, "OpenSSL could not write the public key");
    }
    return bio_to_text(bio, out, out_cap, out_len, err);
}

dmboot_status dmboot_signing_key_public_pem(const dmboot_signing_key *k, char *out,
                                            size_t out_cap, size_t *out_len, dmboot_error *err)
{
    if (k == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    return public_pem(k->pkey, out, out_cap, out_len, err);
}

/* A public key holding only the public half of an EVP_PKEY. */
dmboot_status dmb_public_key_from_raw(const uint8_t raw[32], dmboot_public_key **out,
                                     dmboot_error *err)
{
    dmboot_public_key *pk = OPENSSL_zalloc(sizeof *pk);
    if (pk == NULL)
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    pk->pkey = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, raw, 32);
    if (pk->pkey == NULL) {
        OPENSSL_free(pk);
        ERR_clear_error();
        return dmb_fail(err, DMBOOT_ERR_KEY, 0, "not a valid Ed25519 public key");
    }
    *out = pk;
    return DMBOOT_OK;
}

dmboot_status dmboot_signing_key_public(const dmboot_signing_key *k, dmboot_public_key **out,
                                        dmboot_error *err)
{
    if (k == NULL || out == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    *out = NULL;
    uint8_t raw[32];
    size_t len = sizeof raw;
    if (EVP_PKEY_get_raw_public_key(k->pkey, raw, &len) != 1 || len != sizeof raw) {
        ERR_clear_error();
        return dmb_fail(err, DMBOOT_ERR_CRYPTO, 0, "OpenSSL could not read the public key");
    }
    dmboot_status st = dmb_public_key_from_raw(raw, out, err);
    if (st == DMBOOT_OK)
        dmb_ok(err);
    return st;
}

dmboot_status dmboot_public_key_from_pem(const char *pem, size_t pem_len,
                                         dmboot_public_key **out, dmboot_error *err)
{
    if (pem == NULL || out == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    *out = NULL;
    if (pem_len > PEM_INPUT_MAX)
        return dmb_fail(err, DMBOOT_ERR_KEY, 0,
                        "public key is %zu bytes: not an Ed25519 PEM key (at most %d)",
                        pem_len, PEM_INPUT_MAX);
    switch (pem_kind_of(pem, pem_len)) {
    case PEM_PUBLIC:
        break;
    case PEM_PRIVATE:
    case PEM_ENCRYPTED:
        /* Trust lists hold public keys; a private key here is a mistake
         * that would spread the issuer's secret. */
        return dmb_fail(err, DMBOOT_ERR_KEY, 0,
                        "this is a private key; give the issuer's public key "
                        "(openssl pkey -in KEY -pubout)");
    case PEM_OTHER:
    case PEM_NONE:
        return dmb_fail(err, DMBOOT_ERR_KEY, 0,
                        "not a PEM public key: expected -----BEGIN PUBLIC KEY----- "
                        "(as written by openssl pkey -pubout)");
    }
    BIO *bio = BIO_new_mem_buf(pem, (int)pem_len);
    if (bio == NULL)
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    EVP_PKEY *pkey = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
    bool rest_ok = pkey != NULL && only_blanks_left(bio);
    BIO_free(bio);
    ERR_clear_error();
    dmboot_status st = DMBOOT_OK;
    if (pkey == NULL)
        st = dmb_fail(err, DMBOOT_ERR_KEY, 0, "the public key PEM is malformed");
    else if (!is_ed25519(pkey))
        st = dmb_fail(err, DMBOOT_ERR_KEY, 0, "the public key is %s, not Ed25519",
                      OBJ_nid2sn(EVP_PKEY_get_id(pkey)));
    else if (!rest_ok)
        st = dmb_fail(err, DMBOOT_ERR_KEY, 0,
                      "the public key file holds more than one PEM block");
    dmboot_public_key *pk = st == DMBOOT_OK ? OPENSSL_zalloc(sizeof *pk) : NULL;
    if (st == DMBOOT_OK && pk == NULL)
        st = dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    if (st != DMBOOT_OK) {
        EVP_PKEY_free(pkey);
        return st;
    }
    pk->pkey = pkey;
    *out = pk;
    dmb_ok(err);
    return DMBOOT_OK;
}

dmboot_status dmboot_public_key_pem(const dmboot_public_key *pk, char *out, size_t out_cap,
                                    size_t *out_len, dmboot_error *err)
{
    if (pk == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    return public_pem(pk->pkey, out, out_cap, out_len, err);
}

dmboot_status dmboot_public_key_raw(const dmboot_public_key *pk,
                                    uint8_t raw[DMBOOT_ED25519_PUBLIC_LEN], dmboot_error *err)
{
    if (pk == NULL || raw == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    size_t len = DMBOOT_ED25519_PUBLIC_LEN;
    if (EVP_PKEY_get_raw_public_key(pk->pkey, raw, &len) != 1 ||
        len != DMBOOT_ED25519_PUBLIC_LEN) {
        ERR_clear_error();
        return dmb_fail(err, DMBOOT_ERR_CRYPTO, 0, "OpenSSL could not read the public key");
    }
    dmb_ok(err);
    return DMBOOT_OK;
}

dmboot_status dmboot_public_key_copy(const dmboot_public_key *pk, dmboot_public_key **out,
                                     dmboot_error *err)
{
    if (pk == NULL || out == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    *out = NULL;
    if (!EVP_PKEY_up_ref(pk->pkey))
        return dmb_fail(err, DMBOOT_ERR_CRYPTO, 0, "OpenSSL could not share the key");
    dmboot_public_key *c = OPENSSL_zalloc(sizeof *c);
    if (c == NULL) {
        EVP_PKEY_free(pk->pkey);
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    }
    c->pkey = pk->pkey; /* immutable, reference-counted: safe to share */
    *out = c;
    dmb_ok(err);
    return DMBOOT_OK;
}

void dmboot_public_key_free(dmboot_public_key *pk)
{
    if (pk == NULL)
        return;
    EVP_PKEY_free(pk->pkey);
    OPENSSL_free(pk);
}

dmboot_status dmb_ed25519_sign(const dmboot_signing_key *k, const void *msg, size_t len,
                               uint8_t sig[DMB_SIG_LEN], dmboot_error *err)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t sig_len = DMB_SIG_LEN;
    bool ok = ctx != NULL && EVP_DigestSignInit_ex(ctx, NULL, NULL, NULL, NULL, k->pkey,
                                                   NULL) == 1 &&
              EVP_DigestSign(ctx, sig, &sig_len, msg, len) == 1 && sig_len == DMB_SIG_LEN;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
        ERR_clear_error();
        return dmb_fail(err, DMBOOT_ERR_CRYPTO, 0, "OpenSSL Ed25519 signing failed");
    }
    return DMBOOT_OK;
}

bool dmb_ed25519_verify(const dmboot_public_key *pk, const void *msg, size_t len,
                        const uint8_t sig[DMB_SIG_LEN])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx != NULL && EVP_DigestVerifyInit_ex(ctx, NULL, NULL, NULL, NULL, pk->pkey,
                                                     NULL) == 1 &&
              EVP_DigestVerify(ctx, sig, DMB_SIG_LEN, msg, len) == 1;
    EVP_MD_CTX_free(ctx);
    ERR_clear_error(); /* a bad signature leaves an error on the queue */
    return ok;
}
