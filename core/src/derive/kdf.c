/*
 * Key derivation (spec §3).
 *
 * The batch key comes from OpenSSL's EVP_KDF (HKDF extract, SP 800-108
 * KBKDF). The field streams are the same constructions (HKDF-Expand and
 * KBKDF counter mode) framed here over an EVP_MAC HMAC context that is keyed
 * with the batch key once and re-initialized per block: EVP_KDF re-keys HMAC
 * on every call, which makes a device 3-4 times slower and allocates. The
 * tests check these streams against EVP_KDF and the published vectors.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "derive/derive.h"

#define HASH_LEN 32
#define MAX_BLOCKS 255 /* HKDF's limit; KBKDF's fixed L is the same 8160 bytes */
/* Field-stream messages up to this size are assembled on the stack. */
#define STREAM_MSG_MAX 256

static const char LABEL_V1[] = "dmboot/1";
/* The descriptor MAC key: from the master key, never from a batch key. */
static const char LABEL_MAC[] = "dmboot/1/descriptor-mac";

struct dmb_stream {
    dmboot_kdf kdf;
    EVP_MAC *mac;
    EVP_MAC_CTX *ctx; /* keyed once; EVP_MAC_init(ctx, NULL, ...) restarts it */
};

/* A message split into parts, so nothing is copied into a buffer. */
typedef struct part {
    const void *p;
    size_t n;
} part;

static dmboot_status new_hmac(const uint8_t *key, size_t key_len, EVP_MAC **mac_out,
                              EVP_MAC_CTX **ctx_out, dmboot_error *err)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
    EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_END,
    };
    if (ctx == NULL || EVP_MAC_init(ctx, key, key_len, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        EVP_MAC_free(mac);
        return dmb_fail(err, DMBOOT_ERR_CRYPTO, 0, "OpenSSL HMAC-SHA256 is not available");
    }
    *mac_out = mac;
    *ctx_out = ctx;
    return DMBOOT_OK;
}

static bool mac_block(EVP_MAC_CTX *ctx, const part *parts, size_t count, uint8_t out[HASH_LEN])
{
    size_t len = 0;
    if (EVP_MAC_init(ctx, NULL, 0, NULL) != 1)
        return false;
    for (size_t i = 0; i < count; i++)
        if (parts[i].n > 0 && EVP_MAC_update(ctx, parts[i].p, parts[i].n) != 1)
            return false;
    return EVP_MAC_final(ctx, out, &len, HASH_LEN) == 1 && len == HASH_LEN;
}

/* HKDF-Expand: T(i) = HMAC(PRK, T(i-1) || info || [i]_8), info = parts. */
static dmboot_status expand_hkdf(EVP_MAC_CTX *ctx, const part *info, size_t count,
                                 uint8_t *out, size_t n, dmboot_error *err)
{
    part msg[8];
    uint8_t t[HASH_LEN], i8 = 0;
    msg[0] = (part){t, 0};
    memcpy(msg + 1, info, count * sizeof *info);
    msg[count + 1] = (part){&i8, 1};
    for (size_t off = 0; off < n; off += HASH_LEN) {
        i8++;
        if (!mac_block(ctx, msg, count + 2, t)) {
            OPENSSL_cleanse(t, sizeof t);
            return dmb_fail(err, DMBOOT_ERR_CRYPTO, 0, "HMAC-SHA256 failed");
        }
        msg[0].n = HASH_LEN;
        memcpy(out + off, t, n - off < HASH_LEN ? n - off : HASH_LEN);
    }
    OPENSSL_cleanse(t, sizeof t);
    return DMBOOT_OK;
}

/* SP 800-108 counter mode: K(i) = HMAC(KI, [i]_32 || fixed), fixed = parts. */
static dmboot_status expand_kbkdf(EVP_MAC_CTX *ctx, const part *fixed, size_t count,
                                  uint8_t *out, size_t n, dmboot_error *err)
{
    part msg[8];
    uint8_t t[HASH_LEN], ctr[4];
    msg[0] = (part){ctr, 4};
    memcpy(msg + 1, fixed, count * sizeof *fixed);
    uint32_t i = 0;
    for (size_t off = 0; off < n; off += HASH_LEN) {
        i++;
        ctr[0] = (uint8_t)(i >> 24);
        ctr[1] = (uint8_t)(i >> 16);
        ctr[2] = (uint8_t)(i >> 8);
        ctr[3] = (uint8_t)i;
        if (!mac_block(ctx, msg, count + 1, t)) {
            OPENSSL_cleanse(t, sizeof t);
            return dmb_fail(err, DMBOOT_ERR_CRYPTO, 0, "HMAC-SHA256 failed");
        }
        memcpy(out + off, t, n - off < HASH_LEN ? n - off : HASH_LEN);
    }
    OPENSSL_cleanse(t, sizeof t);
    return DMBOOT_OK;
}

dmboot_status dmb_stream_new(dmboot_kdf kdf, const uint8_t bk[DMBOOT_BATCH_KEY_LEN],
                             dmb_stream **out, dmboot_error *err)
{
    if (bk == NULL || out == NULL ||
        (kdf != DMBOOT_KDF_HKDF_SHA256 && kdf != DMBOOT_KDF_KBKDF_HMAC_SHA256))
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "bad stream arguments");
    dmb_stream *s = OPENSSL_zalloc(sizeof *s);
    if (s == NULL)
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    s->kdf = kdf;
    dmboot_status st = new_hmac(bk, DMBOOT_BATCH_KEY_LEN, &s->mac, &s->ctx, err);
    if (st != DMBOOT_OK) {
        OPENSSL_free(s);
        return st;
    }
    *out = s;
    return DMBOOT_OK;
}

void dmb_stream_free(dmb_stream *s)
{
    if (s == NULL)
        return;
    EVP_MAC_CTX_free(s->ctx); /* OpenSSL wipes the key schedule */
    EVP_MAC_free(s->mac);
    OPENSSL_free(s);
}

dmboot_status dmb_stream_read(dmb_stream *s, const char *label, size_t label_len,
                              const char *sid, size_t sid_len, const char *dev,
                              size_t dev_len, uint8_t *out, size_t n, dmboot_error *err)
{
    if (n > DMBOOT_STREAM_MAX)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0,
                        "a field stream gives at most %d bytes", DMBOOT_STREAM_MAX);
    /* LABEL || 0x00 || SID || 0x00 || DEV, then [L]_32 for KBKDF. One
     * contiguous message: each EVP_MAC_update costs a provider round trip. */
    uint8_t msg[STREAM_MSG_MAX];
    size_t len = label_len + 1 + sid_len + 1 + dev_len;
    part p = {msg, len};
    if (len + 4 > sizeof msg) {
        static const uint8_t zero = 0;
        static const uint8_t l_bits[4] = {0, 0, 0xff, 0}; /* [65280]_32 */
        part parts[6] = {{label, label_len}, {&zero, 1}, {sid, sid_len},
                         {&zero, 1},         {dev, dev_len}, {l_bits, 4}};
        if (s->kdf == DMBOOT_KDF_HKDF_SHA256)
            return expand_hkdf(s->ctx, parts, 5, out, n, err);
        return expand_kbkdf(s->ctx, parts, 6, out, n, err);
    }
    memcpy(msg, label, label_len);
    msg[label_len] = 0;
    memcpy(msg + label_len + 1, sid, sid_len);
    msg[label_len + 1 + sid_len] = 0;
    memcpy(msg + label_len + 2 + sid_len, dev, dev_len);
    if (s->kdf == DMBOOT_KDF_HKDF_SHA256)
        return expand_hkdf(s->ctx, &p, 1, out, n, err);
    memcpy(msg + len, "\x00\x00\xff\x00", 4); /* [65280]_32 = L in bits */
    p.n = len + 4;
    return expand_kbkdf(s->ctx, &p, 1, out, n, err);
}

dmboot_status dmb_hkdf_expand(const uint8_t *prk, size_t prk_len, const uint8_t *info,
                              size_t info_len, uint8_t *out, size_t n, dmboot_error *err)
{
    if (n > MAX_BLOCKS * HASH_LEN)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "HKDF output too long");
    EVP_MAC *mac = NULL;
    EVP_MAC_CTX *ctx = NULL;
    dmboot_status st = new_hmac(prk, prk_len, &mac, &ctx, err);
    if (st != DMBOOT_OK)
        return st;
    part p = {info, info_len};
    st = expand_hkdf(ctx, &p, 1, out, n, err);
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return st;
}

dmboot_status dmb_kbkdf_counter(const uint8_t *key, size_t key_len, const uint8_t *fixed,
                                size_t fixed_len, uint8_t *out, size_t n, dmboot_error *err)
{
    EVP_MAC *mac = NULL;
    EVP_MAC_CTX *ctx = NULL;
    dmboot_status st = new_hmac(key, key_len, &mac, &ctx, err);
    if (st != DMBOOT_OK)
        return st;
    part p = {fixed, fixed_len};
    st = expand_kbkdf(ctx, &p, 1, out, n, err);
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return st;
}

/* Run one EVP_KDF derivation with the given parameters. */
static dmboot_status evp_kdf(const char *name, const OSSL_PARAM *params, uint8_t *out,
                             size_t n, dmboot_error *err)
{
    EVP_KDF *k = EVP_KDF_fetch(NULL, name, NULL);
    EVP_KDF_CTX *ctx = k != NULL ? EVP_KDF_CTX_new(k) : NULL;
    int ok = ctx != NULL && EVP_KDF_derive(ctx, out, n, params) == 1;
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(k);
    if (!ok) {
        OPENSSL_cleanse(out, n);
        return dmb_fail(err, DMBOOT_ERR_CRYPTO, 0, "OpenSSL %s failed", name);
    }
    return DMBOOT_OK;
}

dmboot_status dmb_hkdf_extract(const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                               size_t ikm_len, uint8_t prk[32], dmboot_error *err)
{
    char digest[] = "SHA256";
    int mode = EVP_KDF_HKDF_MODE_EXTRACT_ONLY;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)(uintptr_t)ikm, ikm_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)(uintptr_t)salt,
                                          salt_len),
        OSSL_PARAM_END,
    };
    return evp_kdf(OSSL_KDF_NAME_HKDF, params, prk, HASH_LEN, err);
}

dmboot_status dmb_kbkdf_label_context(const uint8_t *key, size_t key_len,
                                      const uint8_t *label, size_t label_len,
                                      const uint8_t *context, size_t context_len,
                                      uint8_t *out, size_t n, dmboot_error *err)
{
    char digest[] = "SHA256", hmac[] = "HMAC", counter[] = "counter";
    /* OpenSSL's "salt" is SP 800-108's Label and "info" its Context; the
     * 0x00 separator and [L]_32 (L = 8n) are on by default. */
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC, hmac, 0),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, counter, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)(uintptr_t)key, key_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)(uintptr_t)label,
                                          label_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)(uintptr_t)context,
                                          context_len),
        OSSL_PARAM_END,
    };
    return evp_kdf(OSSL_KDF_NAME_KBKDF, params, out, n, err);
}

/* A 32-byte key of descriptor ID under master key K with a version label:
 * "dmboot/1" for the batch key (spec §2.2), "dmboot/1/descriptor-mac" for
 * the descriptor MAC key (spec §2.7). HKDF: Extract(salt = LABEL || 0x00 ||
 * ID, IKM = K); KBKDF: counter mode, Label LABEL, Context ID, L = 256. */
static dmboot_status key_from_master(dmboot_kdf kdf, const char *label, size_t label_len,
                                     const uint8_t *key, size_t key_len, const char *id,
                                     size_t id_len, uint8_t out[32], dmboot_error *err)
{
    if (key == NULL || out == NULL || (id == NULL && id_len != 0))
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    if (key_len < DMBOOT_KEY_MIN || key_len > DMBOOT_KEY_MAX)
        return dmb_fail(err, DMBOOT_ERR_KEY, 0, "a master key has %d to %d bytes, not %zu",
                        DMBOOT_KEY_MIN, DMBOOT_KEY_MAX, key_len);
    if (id_len > 64)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "descriptor id too long");

    /* LABEL || 0x00 || ID: the HKDF salt; for KBKDF the Label is the part
     * before 0x00 and the Context the part after. */
    uint8_t salt[sizeof LABEL_MAC + 64];
    memcpy(salt, label, label_len);
    salt[label_len] = 0;
    if (id_len > 0)
        memcpy(salt + label_len + 1, id, id_len);
    dmboot_status st;
    if (kdf == DMBOOT_KDF_HKDF_SHA256)
        st = dmb_hkdf_extract(salt, label_len + 1 + id_len, key, key_len, out, err);
    else if (kdf == DMBOOT_KDF_KBKDF_HMAC_SHA256)
        st = dmb_kbkdf_label_context(key, key_len, salt, label_len, salt + label_len + 1,
                                     id_len, out, 32, err);
    else
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "unknown KDF %d", (int)kdf);
    if (st == DMBOOT_OK)
        dmb_ok(err);
    return st;
}

dmboot_status dmboot_kdf_batch_key(dmboot_kdf kdf, const uint8_t *key, size_t key_len,
                                   const char *id, size_t id_len,
                                   uint8_t batch_key[DMBOOT_BATCH_KEY_LEN], dmboot_error *err)
{
    return key_from_master(kdf, LABEL_V1, sizeof LABEL_V1 - 1, key, key_len, id, id_len,
                           batch_key, err);
}

dmboot_status dmboot_kdf_mac_key(dmboot_kdf kdf, const uint8_t *key, size_t key_len,
                                 const char *id, size_t id_len,
                                 uint8_t mac_key[DMBOOT_MAC_KEY_LEN], dmboot_error *err)
{
    return key_from_master(kdf, LABEL_MAC, sizeof LABEL_MAC - 1, key, key_len, id, id_len,
                           mac_key, err);
}

dmboot_status dmboot_kdf_stream(dmboot_kdf kdf, const uint8_t batch_key[DMBOOT_BATCH_KEY_LEN],
                                const char *label, size_t label_len, const char *server_id,
                                size_t server_id_len, const char *devid, size_t devid_len,
                                uint8_t *out, size_t out_len, dmboot_error *err)
{
    if ((label == NULL && label_len) || (server_id == NULL && server_id_len) ||
        (devid == NULL && devid_len) || (out == NULL && out_len))
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    dmb_stream *s = NULL;
    dmboot_status st = dmb_stream_new(kdf, batch_key, &s, err);
    if (st != DMBOOT_OK)
        return st;
    st = dmb_stream_read(s, label, label_len, server_id, server_id_len, devid, devid_len, out,
                         out_len, err);
    dmb_stream_free(s);
    if (st == DMBOOT_OK)
        dmb_ok(err);
    return st;
}
