/*
 * The descriptor MAC (docs/authentication.md §1.2): HMAC-SHA256 under the
 * descriptor MAC key (spec §2.7) over the signed bytes. The MAC key comes
 * from the master key only: a batch key (what a factory holds) is refused.
 * Every entry point compares key-check first, so a wrong key is named as
 * such and never used.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "auth/auth.h"

dmboot_status dmb_descriptor_stream(const dmboot_descriptor *d, const uint8_t *key,
                                    size_t key_len, dmboot_key_kind kind, dmb_stream **out,
                                    dmboot_error *err)
{
    dmb_stream *s = NULL;
    dmboot_status st = dmb_key_stream(d, key, key_len, kind, &s, err);
    if (st == DMBOOT_OK)
        st = dmb_check_key(d, s, kind, err);
    if (st != DMBOOT_OK) {
        dmb_stream_free(s);
        return st;
    }
    *out = s;
    return DMBOOT_OK;
}

dmboot_status dmb_refuse_batch_mac(const dmboot_descriptor *d, dmboot_error *err)
{
    return dmb_fail(err, DMBOOT_ERR_KEY, 0,
                    "a batch key cannot make or check the MAC of descriptor '%s': the "
                    "descriptor MAC key comes from the master key (docs/authentication.md "
                    "§1.2); give the master key",
                    d->id);
}

dmboot_status dmb_mac_key(const dmboot_descriptor *d, const uint8_t *key, size_t key_len,
                          dmboot_key_kind kind, uint8_t mac_key[DMB_MAC_LEN],
                          dmboot_error *err)
{
    if (kind == DMBOOT_KEY_BATCH)
        return dmb_refuse_batch_mac(d, err);
    if (kind != DMBOOT_KEY_MASTER)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "unknown key kind %d", (int)kind);
    return dmboot_kdf_mac_key(d->kdf, key, key_len, d->id, strlen(d->id), mac_key, err);
}

dmboot_status dmb_hmac(const uint8_t mac_key[DMB_MAC_LEN], const void *data, size_t len,
                       uint8_t out[DMB_MAC_LEN], dmboot_error *err)
{
    size_t out_len = 0;
    /* EVP_Q_mac wants a non-NULL pointer even for empty data. */
    static const uint8_t empty = 0;
    if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, mac_key, DMB_MAC_LEN,
                  len > 0 ? data : &empty, len, out, DMB_MAC_LEN, &out_len) == NULL ||
        out_len != DMB_MAC_LEN) {
        ERR_clear_error();
        OPENSSL_cleanse(out, DMB_MAC_LEN);
        return dmb_fail(err, DMBOOT_ERR_CRYPTO, 0, "OpenSSL HMAC-SHA256 failed");
    }
    return DMBOOT_OK;
}

dmboot_status dmboot_descriptor_mac_key(const dmboot_descriptor *d, const uint8_t *key,
                                        size_t key_len, dmboot_key_kind kind,
                                        uint8_t mac_key[DMBOOT_MAC_LEN], dmboot_error *err)
{
    if (d == NULL || key == NULL || mac_key == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    if (kind == DMBOOT_KEY_BATCH)
        return dmb_refuse_batch_mac(d, err);
    dmb_stream *s = NULL;
    dmboot_status st = dmb_descriptor_stream(d, key, key_len, kind, &s, err);
    dmb_stream_free(s);
    if (st == DMBOOT_OK)
        st = dmb_mac_key(d, key, key_len, kind, mac_key, err);
    if (st != DMBOOT_OK)
        return st;
    dmb_ok(err);
    return DMBOOT_OK;
}

dmboot_status dmboot_descriptor_mac(const dmboot_descriptor *d, const uint8_t *key,
                                    size_t key_len, dmboot_key_kind kind,
                                    uint8_t mac[DMBOOT_MAC_LEN], dmboot_error *err)
{
    if (d == NULL || key == NULL || mac == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    uint8_t mk[DMB_MAC_LEN];
    dmboot_status st = dmboot_descriptor_mac_key(d, key, key_len, kind, mk, err);
    if (st == DMBOOT_OK)
        st = dmb_hmac(mk, d->text, d->signed_len, mac, err);
    OPENSSL_cleanse(mk, sizeof mk);
    if (st != DMBOOT_OK)
        return st;
    dmb_ok(err);
    return DMBOOT_OK;
}
